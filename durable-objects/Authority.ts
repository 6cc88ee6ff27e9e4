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

interface StoredKey {
  kid: string;
  privateJwk: JWK;
  publicJwk: JWK;
  createdAt: number;
  /** Epoch seconds at which a newer key replaced this one; it still verifies tokens it signed. */
  retiredAt?: number;
}

export interface RotateResult {
  kid: string;
  keys: string[];
}

export class Authority extends DurableObject<Env> {
  #signingKeys = new Map<string, CryptoKey>();
  #creating: Promise<StoredKey> | undefined;

  /** Public keys that verify every token that may still be unexpired: the current key and recently retired ones. */
  async jwks(): Promise<JSONWebKeySet> {
    await this.#current();
    return { keys: this.#load().map((k) => ({ ...k.publicJwk, kid: k.kid, alg: ALG, use: "sig" })) };
  }

  /** Compact JWT for `claims`, with the current key's kid in the header. */
  async sign(claims: CapabilityClaims): Promise<string> {
    const checked = CapabilityClaimsSchema.parse(claims);
    const now = nowSeconds();
    // Callers validate ttl first; this is the backstop that also keeps retired keys' publication window sufficient.
    if (checked.exp - now > MAX_TOKEN_LIFETIME_SECONDS + SKEW_SECONDS || checked.exp - checked.iat > MAX_TOKEN_LIFETIME_SECONDS) {
      throw new Error(`token lifetime exceeds ${MAX_TOKEN_LIFETIME_SECONDS}s`);
    }
    if (checked.iat > now + SKEW_SECONDS) throw new Error("token issued in the future");
    const key = await this.#current();
    return new SignJWT(checked).setProtectedHeader({ alg: ALG, kid: key.kid, typ: "JWT" }).sign(await this.#signingKey(key));
  }

  /** Makes a fresh key current; the previous one is retired but stays published while its tokens can live. */
  async rotate(): Promise<RotateResult> {
    await this.#current();
    const now = nowSeconds();
    const fresh = await newKey(now);
    const keys = this.#load().map((k) => (k.retiredAt === undefined ? { ...k, retiredAt: now } : k));
    keys.push(fresh);
    this.ctx.storage.kv.put(KEYS, keys);
    return { kid: fresh.kid, keys: keys.map((k) => k.kid) };
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

  /** The current key, created on first use. Concurrent first calls share one creation. */
  async #current(): Promise<StoredKey> {
    const existing = this.#load().find((k) => k.retiredAt === undefined);
    if (existing) return existing;
    this.#creating ??= newKey(nowSeconds()).then((key) => {
      this.ctx.storage.kv.put(KEYS, [...this.#load(), key]);
      return key;
    });
    try {
      return await this.#creating;
    } finally {
      this.#creating = undefined;
    }
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
