// HMAC keys derived (HKDF) from the deployment's encryption key for one purpose each, and MACs made and checked with them.
import { RingfenceError } from "../errors";

const keys = new Map<string, Promise<CryptoKey>>();

/** The HMAC key for `purpose`, never the encryption key itself; one per (secret, purpose), derived once per isolate. */
export function macKey(secret: string | undefined, purpose: string): Promise<CryptoKey> {
  if (!secret) throw new RingfenceError({ kind: "unavailable", step: "vault", message: "RINGFENCE_ENCRYPTION_KEY is not set" });
  const id = `${purpose}\n${secret}`;
  let key = keys.get(id);
  if (!key) {
    const raw = Uint8Array.from(atob(secret.trim()), (ch) => ch.charCodeAt(0));
    key = crypto.subtle
      .importKey("raw", raw, "HKDF", false, ["deriveKey"])
      .then((base) =>
        crypto.subtle.deriveKey(
          { name: "HKDF", hash: "SHA-256", salt: new Uint8Array(0), info: new TextEncoder().encode(purpose) },
          base,
          { name: "HMAC", hash: "SHA-256", length: 256 },
          false,
          ["sign", "verify"],
        ),
      );
    keys.set(id, key);
  }
  return key;
}

export const b64url = (bytes: ArrayBuffer): string =>
  btoa(String.fromCharCode(...new Uint8Array(bytes)))
    .replaceAll("+", "-")
    .replaceAll("/", "_")
    .replace(/=+$/, "");

/** The MAC of `text`, base64url. */
export async function mac(key: CryptoKey, text: string): Promise<string> {
  return b64url(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(text)));
}

/** Whether `given` is the MAC of `text` (constant time). */
export async function macMatches(key: CryptoKey, text: string, given: string): Promise<boolean> {
  const expected = await mac(key, text);
  if (expected.length !== given.length) return false;
  // Portable constant-time compare (workerd's timingSafeEqual is not in Node, where this is tested).
  let diff = 0;
  for (let i = 0; i < expected.length; i++) diff |= expected.charCodeAt(i) ^ given.charCodeAt(i);
  return diff === 0;
}
