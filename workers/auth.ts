// Authenticating a request: the bearer capability token, verified offline against a per-isolate JWKS cache.
import type { Context } from "hono";
import { createLocalJWKSet, type JSONWebKeySet, type JWTVerifyGetKey } from "jose";
import { RingfenceError } from "../src/errors";
import type { CapabilityClaims } from "../src/tokens/claims";
import { tokenFromHeaders, tokenKeyId, verifyCapability } from "../src/tokens/verify";
import type { AppEnv } from "./context";

/** A fetch that did not turn up the wanted kid blocks further fetches this long, so sprayed kids cost one fetch. */
const MISS_BACKOFF_MS = 5000;

/** The deployment's single Authority. */
export const authority = (env: Env) => env.AUTHORITY.getByName("authority");

/** A fresh token id; it also names the token's budget ledger, so it must never collide with the org ledger. */
export const newTokenId = (): string => `tok_${crypto.randomUUID().replaceAll("-", "")}`;

/**
 * The JWKS as last fetched, shared by every request in the isolate. Keys are only ever added (rotation) or
 * dropped once nothing they signed can still be valid, so a stale copy is wrong only about new kids: an
 * unknown kid triggers a refetch, except within MISS_BACKOFF_MS of a refetch that did not find its kid.
 */
export class JwksCache {
  #keys: JWTVerifyGetKey | undefined;
  #kids = new Set<string>();
  #lastMissAt = Number.NEGATIVE_INFINITY;
  #inflight: Promise<void> | undefined;
  readonly #clock: () => number;

  constructor(clock: () => number = () => Date.now()) {
    this.#clock = clock;
  }

  /** A key set that knows `kid` if the Authority does (within the backoff). */
  async keySetFor(kid: string, fetchJwks: () => Promise<JSONWebKeySet>): Promise<JWTVerifyGetKey> {
    const stale = !this.#keys || !this.#kids.has(kid);
    if (stale && (this.#inflight || this.#clock() - this.#lastMissAt >= MISS_BACKOFF_MS)) {
      this.#inflight ??= this.#refresh(fetchJwks).finally(() => {
        this.#inflight = undefined;
      });
      await this.#inflight;
      if (!this.#kids.has(kid)) this.#lastMissAt = this.#clock();
    }
    // With no key set at all (first fetch failed), an empty set makes verification fail as "unknown signing key".
    return this.#keys ?? createLocalJWKSet({ keys: [] });
  }

  async #refresh(fetchJwks: () => Promise<JSONWebKeySet>): Promise<void> {
    let jwks: JSONWebKeySet;
    try {
      jwks = await fetchJwks();
    } catch (err) {
      // Fail closed, naming the step: without keys nothing can be verified.
      throw new RingfenceError({
        kind: "unavailable",
        step: "auth",
        message: `cannot load signing keys (${err instanceof Error ? err.message : String(err)})`,
      });
    }
    this.#keys = createLocalJWKSet(jwks);
    this.#kids = new Set(jwks.keys.flatMap((k) => (k.kid ? [k.kid] : [])));
  }
}

const jwksCache = new JwksCache();

/** Verifies a token string offline (no revocation check: the Meter's reserve/attenuate does that). */
export async function verifyToken(env: Env, token: string): Promise<CapabilityClaims> {
  const keys = await jwksCache.keySetFor(tokenKeyId(token), () => authority(env).jwks());
  return verifyCapability(token, keys, Math.floor(Date.now() / 1000));
}

/** The request's verified claims, also set as `c.var.claims`. Throws missing_token / invalid_token / token_expired. */
export async function authenticate(c: Context<AppEnv>): Promise<CapabilityClaims> {
  const token = tokenFromHeaders(c.req.raw.headers);
  if (!token) throw new RingfenceError({ kind: "missing_token" });
  const claims = await verifyToken(c.env, token);
  c.set("claims", claims);
  return claims;
}
