// RPC surface of the Registry Durable Object (one per org), for callers that hold a stub.
import type { OrgConfig, Preset, Upstream, ModelPrice } from "./config";

export interface RegistryApi {
  getConfig(): Promise<OrgConfig | null>;
  create(init: { id: string; name: string; preset: Preset }): Promise<OrgConfig>;
  update(patch: Partial<Pick<OrgConfig, "name" | "preset" | "providers">>): Promise<OrgConfig>;
  putUpstream(upstream: Upstream): Promise<OrgConfig>;
  deleteUpstream(name: string): Promise<OrgConfig>;
  putPrice(model: string, price: ModelPrice): Promise<OrgConfig>;
}
