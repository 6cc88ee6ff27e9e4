// Per-isolate cache of org config, refreshed when the Meter reports a newer version (so no extra round trip per request).

import { importSealKey, unseal } from "../../src/crypto/seal";
import { RingfenceError } from "../../src/errors";
import type { Route } from "../../src/providers/types";
import type { OrgConfig } from "../../src/registry/config";
import { registryOf } from "../shared/registry";

interface Entry {
  config: OrgConfig;
  /** Decrypted credentials by context, filled on first use. */
  secrets: Map<string, Promise<string>>;
}

const cache = new Map<string, Entry>();

async function load(env: Env, org: string): Promise<Entry> {
  let config: OrgConfig | null;
  try {
    config = await registryOf(env, org).getConfig();
  } catch (err) {
    throw new RingfenceError({
      kind: "unavailable",
      step: "registry",
      message: err instanceof Error ? err.message : String(err),
    });
  }
  if (!config) throw new RingfenceError({ kind: "invalid_token", reason: `org '${org}' does not exist` });
  const entry = { config, secrets: new Map<string, Promise<string>>() };
  cache.set(org, entry);
  return entry;
}

/** The cached config (loaded on first use); callers refresh it with the version the Meter reports. */
export async function cachedOrgConfig(env: Env, org: string): Promise<OrgConfig> {
  return (cache.get(org) ?? (await load(env, org))).config;
}

/** A config this isolate just received from the Registry (after a change it caused) replaces an older cached one. */
export function rememberOrgConfig(config: OrgConfig): void {
  const entry = cache.get(config.id);
  if (entry && entry.config.version >= config.version) return;
  cache.set(config.id, { config, secrets: new Map() });
}

/** Always from the Registry (for calls off the hot path, such as listing models). */
export async function freshOrgConfig(env: Env, org: string): Promise<OrgConfig> {
  return (await load(env, org)).config;
}

/**
 * Routing against the cached config; a model it does not know may have been registered since, so an
 * unknown model costs one reload before it is refused. Known models never pay for this.
 */
export async function routeWithCache<T>(env: Env, org: string, resolve: (config: OrgConfig) => T): Promise<T> {
  const cached = cache.get(org);
  if (!cached) return resolve((await load(env, org)).config);
  try {
    return resolve(cached.config);
  } catch (err) {
    if (!(err instanceof RingfenceError) || err.failure.kind !== "unknown_model") throw err;
    return resolve((await load(env, org)).config);
  }
}

/** Called with the version the Meter reported; reloads only when it moved past the cached one. */
export async function refreshIfStale(env: Env, org: string, version: number): Promise<OrgConfig | null> {
  const entry = cache.get(org);
  if (entry && entry.config.version >= version) return null;
  return (await load(env, org)).config;
}

/** The route's provider key in clear text, decrypted once per isolate and config version. */
export function routeSecret(env: Env, org: string, route: Route): Promise<string | undefined> {
  const sealed = route.credential;
  if (!sealed) return Promise.resolve(undefined);
  const entry = cache.get(org);
  const hit = entry?.secrets.get(route.credentialContext);
  if (hit) return hit;
  const p = importSealKey(env.RINGFENCE_ENCRYPTION_KEY).then((key) => unseal(key, sealed, route.credentialContext));
  entry?.secrets.set(route.credentialContext, p);
  p.catch(() => entry?.secrets.delete(route.credentialContext));
  return p;
}
