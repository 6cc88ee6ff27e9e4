// Pure org-config transitions: each returns the next config with its version bumped, or a failure.

import type { RegistryResult } from "./api";
import type { ModelPrice, OrgConfig, Preset, Upstream } from "./config";

export function newOrg(init: { id: string; name: string; preset: Preset }, now: number): OrgConfig {
  return {
    ...init,
    createdAt: now,
    version: 1,
    providers: {},
    upstreams: [],
    pricing: {},
    mcpServers: [],
    toolPins: {},
    toolEvents: [],
  };
}

export const bump = (c: OrgConfig, patch: Partial<OrgConfig>): RegistryResult => ({
  ok: true,
  config: { ...c, ...patch, version: c.version + 1 },
});

export function updateOrg(
  c: OrgConfig,
  patch: Partial<Pick<OrgConfig, "name" | "preset" | "providers" | "policy">>,
): RegistryResult {
  return bump(c, patch);
}

export function putUpstream(c: OrgConfig, u: Upstream): RegistryResult {
  const i = c.upstreams.findIndex((x) => x.name === u.name);
  const upstreams = i < 0 ? [...c.upstreams, u] : c.upstreams.map((x, j) => (j === i ? u : x));
  return bump(c, { upstreams });
}

export function deleteUpstream(c: OrgConfig, name: string): RegistryResult {
  if (!c.upstreams.some((u) => u.name === name)) return { ok: false, failure: { kind: "not_found", what: `upstream ${name}` } };
  return bump(c, { upstreams: c.upstreams.filter((u) => u.name !== name) });
}

export function putPrice(c: OrgConfig, model: string, price: ModelPrice): RegistryResult {
  return bump(c, { pricing: { ...c.pricing, [model]: price } });
}
