// Admin token routes: mint (a root token, or a child of a given parent), revoke, rotate the signing keys.

import { type Context, Hono } from "hono";
import { z } from "zod";
import { RingfenceError } from "../../src/errors";
import { LimitsSchema, ORG_LEDGER } from "../../src/meter/types";
import {
  FlagsTextSchema,
  MAX_TOKEN_LIFETIME_SECONDS,
  ModelGlobsSchema,
  SubjectSchema,
  ToolGlobsSchema,
  TtlSecondsSchema,
} from "../../src/tokens/attenuate";
import { type CapabilityClaims, ISSUER } from "../../src/tokens/claims";
import { authority, childClaims, newTokenId, verifyToken } from "../auth";
import type { AppEnv } from "../context";
import { readJson } from "../shared/body";
import { registryOf } from "../shared/registry";

/** Root tokens are what an SMB pastes as OPENAI_API_KEY, so they default to the longest lifetime allowed. */
const DEFAULT_ROOT_TTL_SECONDS = MAX_TOKEN_LIFETIME_SECONDS;

const MintSchema = z.strictObject({
  sub: SubjectSchema.optional(),
  models: ModelGlobsSchema.optional(),
  /** MCP tools the token may call: "<server>/<tool>" globs. None: no tools. */
  tools: ToolGlobsSchema.optional(),
  ttlSeconds: TtlSecondsSchema.optional(),
  limits: LimitsSchema.optional(),
  /** Tighten-only policy flags carried by the token (x-ringfence-flags syntax). */
  flags: FlagsTextSchema.optional(),
  /** A token string: the new token is then its attenuated child. */
  parent: z.string().min(1).optional(),
});
type MintRequest = z.infer<typeof MintSchema>;

const RevokeSchema = z.strictObject({
  /** Epoch seconds until which the revocation is kept; past the token's expiry it is moot. */
  expiresAt: z.number().int().positive().optional(),
});

const nowSeconds = (): number => Math.floor(Date.now() / 1000);

async function requireOrg(env: Env, org: string): Promise<void> {
  if (!(await registryOf(env, org).getConfig())) throw new RingfenceError({ kind: "not_found", what: `org ${org}` });
}

/** An admin-minted child: the parent must belong to the org in the path; the rest is the holder's own rule. */
async function adminChildClaims(env: Env, org: string, body: MintRequest, parentToken: string): Promise<CapabilityClaims> {
  const parent = await verifyToken(env, parentToken);
  if (parent.org !== org)
    throw new RingfenceError({ kind: "attenuation_refused", reason: "the parent token belongs to another org" });
  return childClaims(env, parent, body);
}

async function rootClaims(env: Env, org: string, body: MintRequest): Promise<CapabilityClaims> {
  const id = newTokenId();
  if (!body.sub)
    throw new RingfenceError({ kind: "invalid_request", message: "'sub' is required without a parent", param: "sub" });
  if (!body.models)
    throw new RingfenceError({ kind: "invalid_request", message: "'models' is required without a parent", param: "models" });
  // Limits go in before the token exists, so it is never usable unlimited.
  if (body.limits) await env.METER.getByName(org).setLimits(id, body.limits);
  const now = nowSeconds();
  return {
    iss: ISSUER,
    org,
    sub: body.sub,
    models: body.models,
    ...(body.tools ? { tools: body.tools } : {}),
    led: [id],
    ...(body.flags ? { pol: body.flags } : {}),
    jti: id,
    iat: now,
    exp: now + (body.ttlSeconds ?? DEFAULT_ROOT_TTL_SECONDS),
  };
}

/** An optional JSON body: none at all reads as `{}`. */
async function optionalJson<S extends z.ZodType>(c: Context<AppEnv>, schema: S): Promise<z.infer<S>> {
  const empty = !c.req.raw.body || c.req.header("content-length") === "0";
  return empty ? schema.parse({}) : readJson(c, schema);
}

export const tokensAdmin = new Hono<AppEnv>();

tokensAdmin.post("/orgs/:org/tokens", async (c) => {
  const org = c.req.param("org");
  const body = await readJson(c, MintSchema);
  await requireOrg(c.env, org);
  const claims = body.parent ? await adminChildClaims(c.env, org, body, body.parent) : await rootClaims(c.env, org, body);
  const token = await authority(c.env).sign(claims);
  return c.json({ token, id: claims.jti, claims }, 201);
});

tokensAdmin.post("/orgs/:org/tokens/:id/revoke", async (c) => {
  const org = c.req.param("org");
  const id = c.req.param("id");
  if (id === ORG_LEDGER) throw new RingfenceError({ kind: "invalid_request", message: "not a token id", param: "id" });
  const body = await optionalJson(c, RevokeSchema);
  await requireOrg(c.env, org);
  // Default: long enough to outlive any token the id could name.
  await c.env.METER.getByName(org).revoke(id, body.expiresAt ?? nowSeconds() + MAX_TOKEN_LIFETIME_SECONDS);
  return c.json({ revoked: id });
});

tokensAdmin.post("/keys/rotate", async (c) => c.json(await authority(c.env).rotate()));
