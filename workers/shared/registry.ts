// The Registry's RPC surface, typed by its own contract: an org config is too deeply nested for the generated RPC
// stub types (they collapse to `never`), while the values themselves cross RPC intact (structured clone).
import type { RegistryApi } from "../../src/registry/api";

export const registryOf = (env: Env, org: string): RegistryApi => env.REGISTRY.getByName(org) as unknown as RegistryApi;
