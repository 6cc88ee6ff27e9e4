// Registry: one per org. Holds the org's config (credentials already sealed by the caller) and tells the Meter its version.
import { DurableObject } from "cloudflare:workers";
import type { RegistryApi, RegistryResult } from "../src/registry/api";
import {
  type McpServer,
  type ModelPrice,
  type OrgConfig,
  OrgConfigSchema,
  type Preset,
  type Upstream,
} from "../src/registry/config";
import * as mcp from "../src/registry/mcp";
import * as mutate from "../src/registry/mutate";

const KEY = "config";

export class Registry extends DurableObject<Env> implements RegistryApi {
  async getConfig(): Promise<OrgConfig | null> {
    const raw = await this.ctx.storage.get(KEY);
    return raw === undefined ? null : OrgConfigSchema.parse(raw);
  }

  async create(init: { id: string; name: string; preset: Preset }): Promise<RegistryResult> {
    if (await this.getConfig()) return { ok: false, failure: { kind: "conflict", message: `org '${init.id}' already exists` } };
    return this.#save({ ok: true, config: mutate.newOrg(init, Date.now()) });
  }

  async update(patch: Partial<Pick<OrgConfig, "name" | "preset" | "providers" | "policy">>): Promise<RegistryResult> {
    return this.#apply((c) => mutate.updateOrg(c, patch));
  }

  async putUpstream(upstream: Upstream): Promise<RegistryResult> {
    return this.#apply((c) => mutate.putUpstream(c, upstream));
  }

  async deleteUpstream(name: string): Promise<RegistryResult> {
    return this.#apply((c) => mutate.deleteUpstream(c, name));
  }

  async putPrice(model: string, price: ModelPrice): Promise<RegistryResult> {
    return this.#apply((c) => mutate.putPrice(c, model, price));
  }

  async putMcpServer(server: McpServer): Promise<RegistryResult> {
    return this.#apply((c) => mcp.putMcpServer(c, server));
  }

  async deleteMcpServer(name: string): Promise<RegistryResult> {
    return this.#apply((c) => mcp.deleteMcpServer(c, name));
  }

  async recordTools(server: string, seen: mcp.SeenTool[]): Promise<RegistryResult> {
    return this.#apply((c) => mcp.recordTools(c, server, seen, Date.now()) ?? { ok: true, config: c });
  }

  async approveTool(server: string, tool: string, hash: string): Promise<RegistryResult> {
    return this.#apply((c) => mcp.approveTool(c, server, tool, hash, Date.now()));
  }

  async #apply(change: (c: OrgConfig) => RegistryResult): Promise<RegistryResult> {
    const current = await this.getConfig();
    if (!current) return { ok: false, failure: { kind: "not_found", what: "org" } };
    const next = change(current);
    // An unchanged config (same version) is not written again.
    if (next.ok && next.config.version === current.version) return next;
    return this.#save(next);
  }

  async #save(result: RegistryResult): Promise<RegistryResult> {
    if (!result.ok) return result;
    await this.ctx.storage.put(KEY, result.config);
    // Isolates cache config; the Meter's reserve reply carries this version so they refresh on the next request.
    await this.env.METER.getByName(result.config.id).setConfigVersion(result.config.version);
    return result;
  }
}
