// RPC surface of the Registry Durable Object (one per org). Errors come back as values: thrown errors lose their shape over RPC.
import type { Failure } from "../errors";
import type { McpServer, ModelPrice, OrgConfig, Preset, Upstream } from "./config";
import type { SeenTool } from "./mcp";

export type RegistryResult = { ok: true; config: OrgConfig } | { ok: false; failure: Failure };

export interface RegistryApi {
  getConfig(): Promise<OrgConfig | null>;
  create(init: { id: string; name: string; preset: Preset }): Promise<RegistryResult>;
  update(patch: Partial<Pick<OrgConfig, "name" | "preset" | "providers" | "policy">>): Promise<RegistryResult>;
  putUpstream(upstream: Upstream): Promise<RegistryResult>;
  deleteUpstream(name: string): Promise<RegistryResult>;
  putPrice(model: string, price: ModelPrice): Promise<RegistryResult>;
  putMcpServer(server: McpServer): Promise<RegistryResult>;
  deleteMcpServer(name: string): Promise<RegistryResult>;
  /** Pins new clean tools, records changed and poisoned ones; the config unchanged when there is nothing new. */
  recordTools(server: string, seen: SeenTool[]): Promise<RegistryResult>;
  approveTool(server: string, tool: string, hash: string): Promise<RegistryResult>;
}
