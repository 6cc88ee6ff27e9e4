// Admin routes for orgs: create, read, provider credentials (sealed), OpenAI-compatible upstreams, pricing overrides.

import { Hono } from "hono";
import { z } from "zod";
import { importSealKey, seal } from "../../src/crypto/seal";
import { RingfenceError } from "../../src/errors";
import { compilePolicy } from "../../src/policy/resolve";
import { PolicyOverrideSchema } from "../../src/policy/schema";
import { checkUpstreamUrl, parseTrustedHosts } from "../../src/providers/ssrf";
import type { RegistryResult } from "../../src/registry/api";
import { ModelPriceSchema, type OrgConfig, PresetSchema, UpstreamSchema } from "../../src/registry/config";
import type { AppEnv } from "../context";
import { readJson } from "../shared/body";
import { registryOf } from "../shared/registry";

const OrgIdSchema = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, "lower-case letters, digits, '-' and '_'");

const PolicyBodySchema = PolicyOverrideSchema.extend({ preset: PresetSchema.optional() }).strict();

const CreateOrgSchema = z.strictObject({
  id: OrgIdSchema.optional(),
  name: z.string().min(1).max(200),
  preset: PresetSchema.default("standard"),
});

const ProviderSchema = z.strictObject({
  apiKey: z.string().min(1).optional(),
  baseUrl: z.string().url().optional(),
  /** The org has a zero-data-retention agreement with this provider. */
  zeroRetention: z.boolean().optional(),
});

/** An upstream as the admin sends it: the stored shape, with the key in clear (it is sealed before storage). */
const UpstreamBodySchema = UpstreamSchema.omit({ name: true, apiKey: true })
  .extend({ apiKey: z.string().min(1).optional() })
  .strict();

/** What the admin API shows of an org: never a credential, only whether one is set. */
export function publicOrg(c: OrgConfig) {
  const cred = (p?: { baseUrl?: string; apiKey?: unknown }) =>
    p ? { baseUrl: p.baseUrl ?? null, apiKey: p.apiKey ? "set" : null } : null;
  return {
    id: c.id,
    name: c.name,
    preset: c.preset,
    createdAt: c.createdAt,
    version: c.version,
    providers: { openai: cred(c.providers.openai), anthropic: cred(c.providers.anthropic) },
    upstreams: c.upstreams.map((u) => ({
      ...u,
      apiKey: u.apiKey ? "set" : null,
      headers: u.headers ? Object.keys(u.headers) : [],
    })),
    pricing: c.pricing,
    mcpServers: c.mcpServers.map((s) => ({ name: s.name, url: s.url, headers: Object.keys(s.headers) })),
    policy: compilePolicy(c.preset, c.policy),
    policyOverride: c.policy ?? null,
  };
}

export function unwrap(result: RegistryResult): OrgConfig {
  if (!result.ok) throw new RingfenceError(result.failure);
  return result.config;
}

export function requireUrl(env: Env, url: string): void {
  const verdict = checkUpstreamUrl(url, parseTrustedHosts(env.RINGFENCE_TRUSTED_HOSTS));
  if (!verdict.ok) throw new RingfenceError({ kind: "upstream_blocked", url, reason: verdict.reason });
}

export const orgParam = (org: string): string => {
  if (!OrgIdSchema.safeParse(org).success) throw new RingfenceError({ kind: "not_found", what: `org ${org}` });
  return org;
};

export const orgsAdmin = new Hono<AppEnv>();

orgsAdmin.post("/orgs", async (c) => {
  const body = await readJson(c, CreateOrgSchema);
  const id = body.id ?? `org_${crypto.randomUUID().slice(0, 8)}`;
  const config = unwrap(await registryOf(c.env, id).create({ id, name: body.name, preset: body.preset }));
  return c.json({ org: publicOrg(config) }, 201);
});

orgsAdmin.get("/orgs/:org", async (c) => {
  const org = orgParam(c.req.param("org"));
  const config = await registryOf(c.env, org).getConfig();
  if (!config) throw new RingfenceError({ kind: "not_found", what: `org ${org}` });
  return c.json({ org: publicOrg(config) });
});

orgsAdmin.put("/orgs/:org/providers/:provider", async (c) => {
  const org = orgParam(c.req.param("org"));
  const provider = c.req.param("provider");
  if (provider !== "openai" && provider !== "anthropic")
    throw new RingfenceError({ kind: "not_found", what: `provider ${provider}` });
  const body = await readJson(c, ProviderSchema);
  if (body.baseUrl) requireUrl(c.env, body.baseUrl);
  const registry = registryOf(c.env, org);
  const current = await registry.getConfig();
  if (!current) throw new RingfenceError({ kind: "not_found", what: `org ${org}` });
  const key = await importSealKey(c.env.RINGFENCE_ENCRYPTION_KEY);
  const prev = current.providers[provider] ?? {};
  const next = {
    baseUrl: body.baseUrl ?? prev.baseUrl,
    apiKey: body.apiKey ? await seal(key, body.apiKey, `${org}/provider/${provider}`) : prev.apiKey,
    zeroRetention: body.zeroRetention ?? prev.zeroRetention,
  };
  const config = unwrap(await registry.update({ providers: { ...current.providers, [provider]: next } }));
  return c.json({ org: publicOrg(config) });
});

orgsAdmin.put("/orgs/:org/upstreams/:name", async (c) => {
  const org = orgParam(c.req.param("org"));
  const name = c.req.param("name");
  const body = await readJson(c, UpstreamBodySchema);
  requireUrl(c.env, body.baseUrl);
  const key = await importSealKey(c.env.RINGFENCE_ENCRYPTION_KEY);
  const apiKey = body.apiKey ? await seal(key, body.apiKey, `${org}/upstream/${name}`) : undefined;
  const upstream = { ...body, name, apiKey };
  if (!/^[a-z0-9][a-z0-9_-]{0,62}$/.test(name))
    throw new RingfenceError({
      kind: "invalid_request",
      message: "upstream name: lower-case letters, digits, '-' and '_'",
      param: "name",
    });
  const config = unwrap(await registryOf(c.env, org).putUpstream(upstream));
  return c.json({ org: publicOrg(config) });
});

orgsAdmin.delete("/orgs/:org/upstreams/:name", async (c) => {
  const org = orgParam(c.req.param("org"));
  const config = unwrap(await registryOf(c.env, org).deleteUpstream(c.req.param("name")));
  return c.json({ org: publicOrg(config) });
});

orgsAdmin.put("/orgs/:org/pricing/:model", async (c) => {
  const org = orgParam(c.req.param("org"));
  const body = await readJson(c, ModelPriceSchema.strict());
  const config = unwrap(await registryOf(c.env, org).putPrice(c.req.param("model"), body));
  return c.json({ org: publicOrg(config) });
});

// Replaces the org's policy override (and optionally its preset); `{}` goes back to the preset as it is.
orgsAdmin.put("/orgs/:org/policy", async (c) => {
  const org = orgParam(c.req.param("org"));
  const { preset, ...policy } = await readJson(c, PolicyBodySchema);
  const registry = registryOf(c.env, org);
  const config = unwrap(await registry.update({ policy, ...(preset ? { preset } : {}) }));
  return c.json({ org: publicOrg(config) });
});
