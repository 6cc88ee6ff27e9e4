// Who may talk to the broker: Origin and Host checked against DNS rebinding, then the bearer capability token.
import type { Context } from "hono";
import { type Failure, RingfenceError, toWire } from "../../src/errors";
import type { CapabilityClaims } from "../../src/tokens/claims";
import { tokenFromHeaders } from "../../src/tokens/verify";
import { verifyToken } from "../auth";
import type { AppEnv } from "../context";

const list = (value: string | undefined): string[] =>
  (value ?? "")
    .split(",")
    .map((v) => v.trim().toLowerCase())
    .filter(Boolean);

/** The request's host without its port ("[::1]:8787" → "[::1]"). */
function hostname(host: string): string {
  const h = host.toLowerCase();
  if (h.startsWith("[")) return h.slice(0, h.indexOf("]") + 1);
  const colon = h.lastIndexOf(":");
  return colon > 0 ? h.slice(0, colon) : h;
}

/**
 * A browser page on another site (or a rebound DNS name) must not reach the broker: a request that carries an Origin
 * must come from the broker's own origin or one the operator allows (RINGFENCE_MCP_ALLOWED_ORIGINS), and when the
 * operator names the hosts the broker answers to (RINGFENCE_ALLOWED_HOSTS, set to loopback by `npm start`), the Host
 * header must be one of them.
 */
export function checkOriginAndHost(c: Context<AppEnv>): Failure | null {
  const url = new URL(c.req.url);
  const allowedHosts = list(c.env.RINGFENCE_ALLOWED_HOSTS);
  const host = c.req.header("host") ?? url.host;
  if (allowedHosts.length > 0 && !allowedHosts.includes(hostname(host))) {
    return { kind: "forbidden", reason: `Host '${host.slice(0, 100)}' is not one this broker answers to` };
  }
  const origin = c.req.header("origin");
  if (origin !== undefined && origin !== "null") {
    const own = `${url.protocol}//${host}`.toLowerCase();
    const allowed = [own, ...list(c.env.RINGFENCE_MCP_ALLOWED_ORIGINS)];
    if (!allowed.includes(origin.toLowerCase())) {
      return { kind: "forbidden", reason: `Origin '${origin.slice(0, 100)}' is not allowed` };
    }
  } else if (origin === "null") {
    return { kind: "forbidden", reason: "Origin 'null' is not allowed" };
  }
  return null;
}

/** Where the protected-resource metadata (RFC 9728) for this MCP path lives. */
export function metadataUrl(c: Context<AppEnv>): string {
  const url = new URL(c.req.url);
  return `${url.origin}/.well-known/oauth-protected-resource${url.pathname}`;
}

/** A 401 that tells MCP clients where to learn how to authenticate (MCP authorization spec, RFC 9728 §5.1). */
export function unauthorized(c: Context<AppEnv>, failure: Failure, tokenGiven: boolean): Response {
  const requestId = c.get("requestId");
  const wire = toWire(failure, "jsonrpc", requestId);
  const challenge = [`Bearer resource_metadata="${metadataUrl(c)}"`];
  if (tokenGiven) challenge.push('error="invalid_token"');
  return new Response(JSON.stringify(wire.body), {
    status: 401,
    headers: { "content-type": "application/json", "www-authenticate": challenge.join(", "), "x-request-id": requestId },
  });
}

/** The caller's verified claims, or the 401 to send. Revocation is checked by the Meter round trip that follows. */
export async function authenticateMcp(c: Context<AppEnv>): Promise<CapabilityClaims | Response> {
  const token = tokenFromHeaders(c.req.raw.headers);
  if (!token) return unauthorized(c, { kind: "missing_token" }, false);
  try {
    const claims = await verifyToken(c.env, token);
    c.set("claims", claims);
    return claims;
  } catch (err) {
    if (err instanceof RingfenceError && ["invalid_token", "token_expired"].includes(err.failure.kind)) {
      return unauthorized(c, err.failure, true);
    }
    throw err;
  }
}
