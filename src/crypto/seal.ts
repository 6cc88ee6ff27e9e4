// AES-GCM sealing of provider credentials under the deployment's RINGFENCE_ENCRYPTION_KEY.
import { RingfenceError } from "../errors";
import type { Sealed } from "../registry/config";

const keyCache = new Map<string, Promise<CryptoKey>>();

function b64urlEncode(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

function b64Decode(text: string): Uint8Array<ArrayBuffer> {
  const s = atob(text.replaceAll("-", "+").replaceAll("_", "/"));
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** Imports (once per isolate) the 32-byte base64 key; a missing or short key fails closed. */
export function importSealKey(secret: string | undefined): Promise<CryptoKey> {
  if (!secret) {
    throw new RingfenceError({ kind: "unavailable", step: "vault", message: "RINGFENCE_ENCRYPTION_KEY is not set" });
  }
  let key = keyCache.get(secret);
  if (!key) {
    const raw = b64Decode(secret.trim());
    if (raw.length !== 32) {
      throw new RingfenceError({
        kind: "unavailable",
        step: "vault",
        message: "RINGFENCE_ENCRYPTION_KEY must be 32 bytes, base64",
      });
    }
    key = crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt", "decrypt"]);
    keyCache.set(secret, key);
  }
  return key;
}

/** `context` binds the ciphertext to where it is stored (org + slot), so sealed values cannot be swapped. */
export async function seal(key: CryptoKey, plaintext: string, context: string): Promise<Sealed> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const data = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: new TextEncoder().encode(context) },
    key,
    new TextEncoder().encode(plaintext),
  );
  return { iv: b64urlEncode(iv), data: b64urlEncode(new Uint8Array(data)) };
}

export async function unseal(key: CryptoKey, sealed: Sealed, context: string): Promise<string> {
  try {
    const data = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: b64Decode(sealed.iv), additionalData: new TextEncoder().encode(context) },
      key,
      b64Decode(sealed.data),
    );
    return new TextDecoder().decode(data);
  } catch {
    throw new RingfenceError({
      kind: "unavailable",
      step: "vault",
      message: "a stored credential cannot be decrypted with the current key",
    });
  }
}
