// Authenticating a request: the bearer capability token, verified offline against a per-isolate JWKS cache.
import type { Context } from "hono";
import { createLocalJWKSet, type JSONWebKeySet, type JWTVerifyGetKey } from "jose";
import { RingfenceError } from "../src/errors";
import { type AttenuateRequest, attenuate } from "../src/tokens/attenuate";
import type { CapabilityClaims } from "../src/tokens/claims";
import { tokenFromHeaders, tokenKeyId, verifyCapability } from "../src/tokens/verify";
import type { AppEnv } from "./context";

/** A refetch that did not turn up the wanted kid blocks refetches for unknown kids this long: sprayed kids cost one fetch. */
const MISS_BACKOFF_MS = 5000;
/** Known kids are trusted from cache this long, then refreshed, so the Authority's pre-published next key arrives. */
const MAX_AGE_MS = 10 * 60_000;

/** The deployment's single Authority. */
export const authority = (env: Env) => env.AUTHORITY.getByName("authority");

/** A fresh token id; it also names the token's budget ledger, so it must never collide with the org ledger. */
export const newTokenId = (): string => `tok_${crypto.randomUUID().replaceAll("-", "")}`;

/**
 * The JWKS as last fetched, shared by every request in the isolate. The Authority publishes its next key
 * before it signs anything and keeps retired keys while their tokens live, so a copy survives a rotation
 * without a refetch. Past MAX_AGE_MS it is refreshed; an unknown kid (several rotations since, or a forgery)
 * triggers a refetch too, except within MISS_BACKOFF_MS of a refetch that did not find its kid.
 */
export class JwksCache {
  #keys: JWTVerifyGetKey | undefined;
  #kids = new Set<string>();
  #fetchedAt = Number.NEGATIVE_INFINITY;
  #lastMissAt = Number.NEGATIVE_INFINITY;
  #inflight: Promise<void> | undefined;
  readonly #clock: () => number;

  constructor(clock: () => number = () => Date.now()) {
    this.#clock = clock;
  }

  /** A key set that knows `kid` if the Authority does (unless backing off after a miss). */
  async keySetFor(kid: string, fetchJwks: () => Promise<JSONWebKeySet>): Promise<JWTVerifyGetKey> {
    const now = this.#clock();
    const known = this.#keys !== undefined && this.#kids.has(kid);
    if (known && now - this.#fetchedAt < MAX_AGE_MS) return this.#keys ?? emptyKeySet;
    if (!known && !this.#inflight && now - this.#lastMissAt < MISS_BACKOFF_MS) return this.#keys ?? emptyKeySet;
    this.#inflight ??= this.#refresh(fetchJwks).finally(() => {
      this.#inflight = undefined;
    });
    try {
      await this.#inflight;
    } catch (err) {
      // An aged copy still holds the key this token names (keys are never withdrawn early); only a kid
      // we cannot check fails closed.
      if (known && this.#keys) return this.#keys;
      throw err;
    }
    if (!this.#kids.has(kid)) this.#lastMissAt = this.#clock();
    return this.#keys ?? emptyKeySet;
  }

  async #refresh(fetchJwks: () => Promise<JSONWebKeySet>): Promise<void> {
    let jwks: JSONWebKeySet;
    try {
      jwks = await fetchJwks();
    } catch (err) {
      throw new RingfenceError({
        kind: "unavailable",
        step: "auth",
        message: `cannot load signing keys (${err instanceof Error ? err.message : String(err)})`,
      });
    }
    this.#keys = createLocalJWKSet(jwks);
    this.#kids = new Set(jwks.keys.flatMap((k) => (k.kid ? [k.kid] : [])));
    this.#fetchedAt = this.#clock();
  }
}

/** Verifies nothing: tokens checked against it fail as "unknown signing key". */
const emptyKeySet = createLocalJWKSet({ keys: [] });

const jwksCache = new JwksCache();

/**
 * Tokens this isolate has already verified, by their exact text: an agent sends the same token on every call, and
 * an EdDSA verification costs more than the rest of the hot path's own work. Expiry is still checked on each use;
 * revocation never was here (the Meter's single round trip does it). Bounded, cleared when full.
 */
const verified = new Map<string, CapabilityClaims>();
const MAX_VERIFIED = 10_000;

/** Verifies a token string offline (no revocation check: the Meter's reserve/attenuate does that). */
export async function verifyToken(env: Env, token: string): Promise<CapabilityClaims> {
  const now = Math.floor(Date.now() / 1000);
  const hit = verified.get(token);
  if (hit) {
    if (hit.exp > now) return hit;
    verified.delete(token);
    throw new RingfenceError({ kind: "token_expired" });
  }
  const keys = await jwksCache.keySetFor(tokenKeyId(token), () => authority(env).jwks());
  const claims = await verifyCapability(token, keys, now);
  if (verified.size >= MAX_VERIFIED) verified.clear();
  verified.set(token, claims);
  return claims;
}

/** The request's verified claims, also set as `c.var.claims`. Throws missing_token / invalid_token / token_expired. */
export async function authenticate(c: Context<AppEnv>): Promise<CapabilityClaims> {
  const token = tokenFromHeaders(c.req.raw.headers);
  if (!token) throw new RingfenceError({ kind: "missing_token" });
  const claims = await verifyToken(c.env, token);
  c.set("claims", claims);
  return claims;
}

/**
 * A child token's claims, checked twice before anything is signed: the claims may only narrow the parent's, and the
 * Meter refuses a revoked chain (401) or limits wider than any ancestor's (403).
 */
export async function childClaims(env: Env, parent: CapabilityClaims, request: AttenuateRequest): Promise<CapabilityClaims> {
  const id = newTokenId();
  const claims = attenuate(parent, request, Math.floor(Date.now() / 1000), id);
  const registered = await env.METER.getByName(parent.org).attenuate(parent.led, id, request.limits ?? {});
  if (!registered.ok) {
    throw new RingfenceError(
      registered.revoked ? { kind: "token_revoked" } : { kind: "attenuation_refused", reason: registered.reason },
    );
  }
  return claims;
}
