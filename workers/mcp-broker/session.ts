// /mcp/<server> session ids bound to the token chain: the client sees the upstream's id with a MAC over it, so a
// session opened with one token (or in one org) cannot be used with another, even by someone who learns its id.
import { b64url, macKey } from "../../src/crypto/mac";
import type { CapabilityClaims } from "../../src/tokens/claims";

const PURPOSE = "ringfence mcp session";

const bound = (claims: CapabilityClaims, server: string, sid: string) =>
  new TextEncoder().encode(`${claims.org}\n${claims.led[0] ?? claims.jti}\n${server}\n${sid}`);

/** Ids already computed in this isolate (a session sends many requests): chain, server and upstream id → wrapped. */
const wrappedIds = new Map<string, string>();
const MAX_WRAPPED = 10_000;

/** The id the client gets for an upstream session. */
export async function wrapSession(env: Env, claims: CapabilityClaims, server: string, sid: string): Promise<string> {
  const key = `${claims.org}\n${claims.led[0] ?? claims.jti}\n${server}\n${sid}`;
  const hit = wrappedIds.get(key);
  if (hit) return hit;
  const mac = await crypto.subtle.sign("HMAC", await macKey(env.RINGFENCE_ENCRYPTION_KEY, PURPOSE), bound(claims, server, sid));
  const wrapped = `${sid}.${b64url(mac).slice(0, 32)}`;
  if (wrappedIds.size >= MAX_WRAPPED) wrappedIds.clear();
  wrappedIds.set(key, wrapped);
  return wrapped;
}

/** The upstream session behind a client's id, or null when the id was not issued to this token chain for this server. */
export async function unwrapSession(env: Env, claims: CapabilityClaims, server: string, wrapped: string): Promise<string | null> {
  const dot = wrapped.lastIndexOf(".");
  if (dot <= 0) return null;
  const sid = wrapped.slice(0, dot);
  const expected = await wrapSession(env, claims, server, sid);
  // Constant time: both sides are MACs of the same length.
  const a = new TextEncoder().encode(expected);
  const b = new TextEncoder().encode(wrapped);
  return a.length === b.length && crypto.subtle.timingSafeEqual(a, b) ? sid : null;
}
