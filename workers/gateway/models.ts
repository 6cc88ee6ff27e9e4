// GET /v1/models: the models this token may use, in OpenAI's list shape or Anthropic's when the client is Anthropic's SDK.
import type { Context } from "hono";
import { RingfenceError } from "../../src/errors";
import { DEFAULT_PRICES } from "../../src/providers/pricing";
import type { OrgConfig } from "../../src/registry/config";
import type { CapabilityClaims } from "../../src/tokens/claims";
import { globMatch } from "../../src/tokens/glob";
import type { AppEnv } from "../context";

/** Concrete model names the org can reach: the demo, priced families of configured providers, and upstream models. */
export function reachableModels(config: OrgConfig): { id: string; owner: string }[] {
  const out: { id: string; owner: string }[] = [{ id: "echo", owner: "ringfence" }];
  for (const id of Object.keys({ ...DEFAULT_PRICES, ...config.pricing })) {
    if (id === "echo") continue;
    const owner = id.startsWith("claude-") ? "anthropic" : "openai";
    if (config.providers[owner as "openai" | "anthropic"]?.apiKey) out.push({ id, owner });
  }
  for (const u of config.upstreams) {
    for (const g of u.models) if (!g.includes("*")) out.push({ id: g, owner: u.name });
  }
  return out;
}

export function modelsResponse(c: Context<AppEnv>, claims: CapabilityClaims, config: OrgConfig, only?: string): Response {
  const models = reachableModels(config).filter(
    (m) => claims.models.some((g) => globMatch(g, m.id)) && (only === undefined || m.id === only),
  );
  if (only !== undefined) {
    const m = models[0];
    if (!m) throw new RingfenceError({ kind: "unknown_model", model: only, reason: "not available to this token" });
    if (c.req.header("anthropic-version")) {
      return c.json({ type: "model", id: m.id, display_name: m.id, created_at: new Date(config.createdAt).toISOString() });
    }
    return c.json({ id: m.id, object: "model", created: Math.floor(config.createdAt / 1000), owned_by: m.owner });
  }
  const created = Math.floor(config.createdAt / 1000);
  if (c.req.header("anthropic-version")) {
    const data = models.map((m) => ({
      type: "model",
      id: m.id,
      display_name: m.id,
      created_at: new Date(config.createdAt).toISOString(),
    }));
    return c.json({ data, has_more: false, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null });
  }
  return c.json({ object: "list", data: models.map((m) => ({ id: m.id, object: "model", created, owned_by: m.owner })) });
}
