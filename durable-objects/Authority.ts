// Authority: one per deployment. Holds the Ed25519 signing keys, signs capability tokens, publishes the JWKS.
import { DurableObject } from "cloudflare:workers";
import {
  type CryptoKey,
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JSONWebKeySet,
  type JWK,
  SignJWT,
} from "jose";
import { MAX_TOKEN_LIFETIME_SECONDS } from "../src/tokens/attenuate";
import { type CapabilityClaims, CapabilityClaimsSchema } from "../src/tokens/claims";

const KEYS = "keys";
const ALG = "EdDSA";
/** Tolerated clock difference between the caller that built the claims and this object. */
const SKEW_SECONDS = 60;

/** A key is next (published, not yet signing), current (signing), or retired (verifying what it signed). */
interface StoredKey {
  kid: string;
  privateJwk: JWK;
  publicJwk: JWK;
  createdAt: number;
  /** Epoch seconds at which the key started signing. */
  activatedAt?: number;
  /** Epoch seconds at which a newer key took over; the key still verifies tokens it signed. */
  retiredAt?: number;
}

const isCurrent = (k: StoredKey) => k.activatedAt !== undefined && k.retiredAt === undefined;
const isNext = (k: StoredKey) => k.activatedAt === undefined;

export interface RotateResult {
  /** The key that now signs. */
  kid: string;
  /** Every published kid: next, current and retired. */
  keys: string[];
}

export class Authority extends DurableObject<Env> {
  #signingKeys = new Map<string, CryptoKey>();

  /**
   * Public keys for every token that may still be unexpired (current and recently retired keys), plus the
   * next key. Publishing the next key before it signs anything means a verifier's cached JWKS already knows
   * the kid of the first token signed after a rotation.
   */
  async jwks(): Promise<JSONWebKeySet> {
    const keys = await this.#ring();
    return { keys: keys.map((k) => ({ ...k.publicJwk, kid: k.kid, alg: ALG, use: "sig" })) };
  }

  /** Compact JWT for `claims`, with the current key's kid in the header. */
  async sign(claims: CapabilityClaims): Promise<string> {
    const checked = CapabilityClaimsSchema.parse(claims);
    const now = nowSeconds();
    // Callers validate ttl first; this backstop is what keeps a retired key's publication window long enough.
    if (checked.exp - now > MAX_TOKEN_LIFETIME_SECONDS + SKEW_SECONDS || checked.exp - checked.iat > MAX_TOKEN_LIFETIME_SECONDS) {
      throw new Error(`token lifetime exceeds ${MAX_TOKEN_LIFETIME_SECONDS}s`);
    }
    if (checked.iat > now + SKEW_SECONDS) throw new Error("token issued in the future");
    const current = (await this.#ring()).find(isCurrent);
    if (!current) throw new Error("no current signing key");
    return new SignJWT(checked)
      .setProtectedHeader({ alg: ALG, kid: current.kid, typ: "JWT" })
      .sign(await this.#signingKey(current));
  }

  /** The next key starts signing; the current one is retired but stays published while its tokens can live. */
  async rotate(): Promise<RotateResult> {
    await this.#ring();
    const fresh = await newKey(nowSeconds());
    // No await from here on: the read-modify-write cannot interleave with another call.
    const now = nowSeconds();
    const keys = this.#load().map((k) => (isCurrent(k) ? { ...k, retiredAt: now } : isNext(k) ? { ...k, activatedAt: now } : k));
    keys.push(fresh);
    this.ctx.storage.kv.put(KEYS, keys);
    const current = keys.find(isCurrent);
    if (!current) throw new Error("rotation left no current key");
    return { kid: current.kid, keys: keys.map((k) => k.kid) };
  }

  /** The key ring with a current and a next key, both created on first use. */
  async #ring(): Promise<StoredKey[]> {
    const loaded = this.#load();
    if (loaded.some(isCurrent) && loaded.some(isNext)) return loaded;
    const [current, next] = await Promise.all([newKey(nowSeconds()), newKey(nowSeconds())]);
    // Reload after the await: a concurrent first call may have filled the ring meanwhile.
    const keys = this.#load();
    if (!keys.some(isCurrent)) keys.push({ ...current, activatedAt: nowSeconds() });
    if (!keys.some(isNext)) keys.push(next);
    this.ctx.storage.kv.put(KEYS, keys);
    return keys;
  }

  /** Stored keys, with those retired longer ago than any token lives dropped. */
  #load(): StoredKey[] {
    const all = this.ctx.storage.kv.get<StoredKey[]>(KEYS) ?? [];
    const cutoff = nowSeconds() - MAX_TOKEN_LIFETIME_SECONDS - SKEW_SECONDS;
    const kept = all.filter((k) => k.retiredAt === undefined || k.retiredAt > cutoff);
    if (kept.length !== all.length) {
      this.ctx.storage.kv.put(KEYS, kept);
      for (const k of all) if (!kept.includes(k)) this.#signingKeys.delete(k.kid);
    }
    return kept;
  }

  async #signingKey(key: StoredKey): Promise<CryptoKey> {
    let imported = this.#signingKeys.get(key.kid);
    if (!imported) {
      imported = (await importJWK(key.privateJwk, ALG)) as CryptoKey;
      this.#signingKeys.set(key.kid, imported);
    }
    return imported;
  }
}

async function newKey(now: number): Promise<StoredKey> {
  const { privateKey, publicKey } = await generateKeyPair(ALG, { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  // The thumbprint is stable and derived from the key, so a kid can never name two different keys.
  const kid = await calculateJwkThumbprint(publicJwk);
  return { kid, privateJwk: await exportJWK(privateKey), publicJwk, createdAt: now };
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
