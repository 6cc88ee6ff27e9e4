// Offline verification of a capability token: EdDSA signature against a key set, issuer, expiry, claims schema.
import { decodeProtectedHeader, errors, type JWTVerifyGetKey, jwtVerify } from "jose";
import { RingfenceError } from "../errors";
import { type CapabilityClaims, CapabilityClaimsSchema, ISSUER } from "./claims";

/** Longer than any token we sign by far; longer input is refused before any parsing. */
const MAX_TOKEN_CHARS = 8192;

const invalid = (reason: string): never => {
  throw new RingfenceError({ kind: "invalid_token", reason });
};

/** The bearer token from `Authorization: Bearer …` or `x-api-key` (what the OpenAI and Anthropic SDKs send), or null. */
export function tokenFromHeaders(headers: Headers): string | null {
  const auth = headers.get("authorization");
  if (auth) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (m?.[1]) return m[1];
  }
  const apiKey = headers.get("x-api-key")?.trim();
  return apiKey ? apiKey : null;
}

/** The `kid` of a token's protected header, so the caller can tell an unknown key from a bad token. */
export function tokenKeyId(token: string): string {
  if (token.length > MAX_TOKEN_CHARS) invalid("token is too long");
  let kid: unknown;
  try {
    kid = decodeProtectedHeader(token).kid;
  } catch {
    return invalid("malformed token");
  }
  return typeof kid === "string" && kid.length > 0 ? kid : invalid("token has no key id");
}

/** Verifies `token` at `now` (epoch seconds). Throws `token_expired` or `invalid_token`; reasons never echo the token. */
export async function verifyCapability(token: string, keySet: JWTVerifyGetKey, now: number): Promise<CapabilityClaims> {
  tokenKeyId(token);
  let payload: unknown;
  try {
    ({ payload } = await jwtVerify(token, keySet, {
      algorithms: ["EdDSA"],
      issuer: ISSUER,
      requiredClaims: ["exp", "iat", "jti"],
      currentDate: new Date(now * 1000),
    }));
  } catch (err) {
    throw new RingfenceError(joseFailure(err));
  }
  const claims = CapabilityClaimsSchema.safeParse(payload);
  return claims.success ? claims.data : invalid("claims do not match the capability schema");
}

function joseFailure(err: unknown): { kind: "token_expired" } | { kind: "invalid_token"; reason: string } {
  if (err instanceof errors.JWTExpired) return { kind: "token_expired" };
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === "iss") return { kind: "invalid_token", reason: "wrong issuer" };
    const what = err.reason === "missing" ? "is missing" : err.reason === "check_failed" ? "check failed" : "is invalid";
    return { kind: "invalid_token", reason: `'${err.claim}' claim ${what}` };
  }
  if (err instanceof errors.JWSSignatureVerificationFailed)
    return { kind: "invalid_token", reason: "signature verification failed" };
  if (err instanceof errors.JOSEAlgNotAllowed) return { kind: "invalid_token", reason: "signing algorithm not allowed" };
  if (err instanceof errors.JWKSNoMatchingKey) return { kind: "invalid_token", reason: "unknown signing key" };
  if (err instanceof errors.JOSENotSupported) return { kind: "invalid_token", reason: "unsupported token algorithm" };
  return { kind: "invalid_token", reason: "malformed token" };
}
