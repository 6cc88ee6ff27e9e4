// Routing by model: the demo `echo`, an org's OpenAI-compatible upstreams (by glob), then OpenAI and Anthropic by family.
import { RingfenceError } from "../errors";
import type { OrgConfig } from "../registry/config";
import { globMatch } from "../tokens/glob";
import { priceFor } from "./pricing";
import type { Route } from "./types";

export interface ProviderDefaults {
  openaiUrl: string;
  anthropicUrl: string;
}

const OPENAI_FAMILIES = /^(gpt-|chatgpt-|o\d|text-embedding-|omni-moderation|codex-|computer-use-)/;
const ANTHROPIC_FAMILIES = /^claude-/;

export const ECHO_MODEL = "echo";

export function resolveRoute(model: string, config: OrgConfig, defaults: ProviderDefaults): Route {
  if (model === ECHO_MODEL) {
    return {
      provider: "echo",
      format: "echo",
      baseUrl: "",
      model,
      credentialContext: "",
      headers: {},
      price: priceFor(model, {}),
    };
  }
  for (const u of config.upstreams) {
    if (!u.models.some((g) => globMatch(g, model))) continue;
    const upstreamModel = u.stripPrefix && model.startsWith(u.stripPrefix) ? model.slice(u.stripPrefix.length) : model;
    return {
      provider: u.name,
      format: "openai",
      baseUrl: u.baseUrl.replace(/\/+$/, ""),
      model: upstreamModel,
      credential: u.apiKey,
      credentialContext: `${config.id}/upstream/${u.name}`,
      headers: u.headers ?? {},
      ...(u.apiKeyHeader ? { apiKeyHeader: u.apiKeyHeader } : {}),
      // Self-hosted upstreams are free unless the org prices them.
      price: priceFor(model, config.pricing) ?? { input: 0, output: 0 },
    };
  }
  const family = OPENAI_FAMILIES.test(model) ? "openai" : ANTHROPIC_FAMILIES.test(model) ? "anthropic" : null;
  if (!family) {
    throw new RingfenceError({ kind: "unknown_model", model, reason: "no provider or registered upstream serves it" });
  }
  const cred = config.providers[family];
  if (!cred?.apiKey) {
    throw new RingfenceError({ kind: "unknown_model", model, reason: `this org has no ${family} API key configured` });
  }
  return {
    provider: family,
    format: family,
    baseUrl: (cred.baseUrl ?? (family === "openai" ? defaults.openaiUrl : defaults.anthropicUrl)).replace(/\/+$/, ""),
    model,
    credential: cred.apiKey,
    credentialContext: `${config.id}/provider/${family}`,
    headers: {},
    price: priceFor(model, config.pricing),
  };
}
