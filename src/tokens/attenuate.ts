// Attenuation: a child token's scope is derived from its parent's and may only be narrower.
import { z } from "zod";
import { RingfenceError } from "../errors";
import { LimitsSchema } from "../meter/types";
import { parseFlags } from "../policy/resolve";
import { type CapabilityClaims, ISSUER } from "./claims";
import { globCovers } from "./glob";

/** No token lives longer than this; it also bounds how long a retired signing key must stay published. */
export const MAX_TOKEN_LIFETIME_SECONDS = 30 * 24 * 3600;
/** A child without an explicit ttl lives an hour (or less, if its parent expires sooner). */
export const DEFAULT_CHILD_TTL_SECONDS = 3600;

export const ModelGlobsSchema = z.array(z.string().min(1).max(200)).min(1).max(64);
/** Tool globs: "<server>/<tool>", `*` for any run of characters. */
export const ToolGlobsSchema = z
  .array(
    z
      .string()
      .min(3)
      .max(200)
      .regex(/^[^/\s]+\/[^/\s]+$/, 'a tool glob is "<server>/<tool>"'),
  )
  .max(64);
export const SubjectSchema = z.string().min(1).max(200);
/** Tighten-only policy flags; validated by parsing them. */
export const FlagsTextSchema = z
  .string()
  .max(1000)
  .refine((text) => {
    try {
      parseFlags(text);
      return true;
    } catch {
      return false;
    }
  }, "invalid policy flags");

/** A child's flags are its parent's plus its own: flags only ever tighten, so the union is never wider. */
export const joinFlags = (...parts: (string | undefined)[]): string | undefined => {
  const joined = parts.filter((p): p is string => Boolean(p)).join(",");
  return joined || undefined;
};

export const TtlSecondsSchema = z.number().int().positive().max(MAX_TOKEN_LIFETIME_SECONDS);

/** Body of POST /v1/tokens. Strict, so a misspelled narrowing (say `model`) is refused, not silently ignored. */
export const AttenuateRequestSchema = z
  .object({
    sub: SubjectSchema.optional(),
    models: ModelGlobsSchema.optional(),
    /** MCP tools, "<server>/<tool>" globs; each must be within the parent's. */
    tools: ToolGlobsSchema.optional(),
    ttlSeconds: TtlSecondsSchema.optional(),
    /** Checked by the Meter, which knows the ancestors' limits. */
    limits: LimitsSchema.optional(),
    /** Policy flags added to the parent's: they can only tighten (same syntax as x-ringfence-flags). */
    flags: FlagsTextSchema.optional(),
  })
  .strict();
export type AttenuateRequest = z.infer<typeof AttenuateRequestSchema>;

const refuse = (reason: string): never => {
  throw new RingfenceError({ kind: "attenuation_refused", reason });
};

/** The child's claims, or `attenuation_refused` when anything asked for is wider than the parent. `now` is epoch seconds. */
export function attenuate(parent: CapabilityClaims, request: AttenuateRequest, now: number, newId: string): CapabilityClaims {
  if (parent.exp <= now) refuse("the parent token has expired");

  const models = request.models ?? parent.models;
  for (const glob of models) {
    if (!globCovers(parent.models, glob)) refuse(`model '${glob}' is not within the parent token's models`);
  }

  const tools = request.tools ?? parent.tools;
  for (const glob of request.tools ?? []) {
    if (!globCovers(parent.tools ?? [], glob)) refuse(`tool '${glob}' is not within the parent token's tools`);
  }

  let exp: number;
  if (request.ttlSeconds === undefined) {
    exp = Math.min(parent.exp, now + DEFAULT_CHILD_TTL_SECONDS);
  } else {
    exp = now + request.ttlSeconds;
    if (exp > parent.exp)
      refuse(`ttlSeconds ${request.ttlSeconds} outlives the parent token (it expires in ${parent.exp - now}s)`);
  }

  const pol = joinFlags(parent.pol, request.flags);
  return {
    iss: ISSUER,
    org: parent.org,
    sub: request.sub ?? `${parent.sub}/child`,
    models: [...models],
    ...(tools ? { tools: [...tools] } : {}),
    led: [...parent.led, newId],
    ...(pol ? { pol } : {}),
    jti: newId,
    iat: now,
    exp,
  };
}
