// What each upstream's tools look like now: definition hashes and poisoning findings, per isolate, and the Registry's pins.
import { RingfenceError } from "../../src/errors";
import { toolHash } from "../../src/mcp/pin";
import { scanToolDefinition } from "../../src/mcp/poison";
import { type ToolDef, ToolDefSchema } from "../../src/mcp/tool";
import type { OrgConfig } from "../../src/registry/config";
import type { SeenTool } from "../../src/registry/mcp";
import { rememberOrgConfig } from "../gateway/org-config";
import { registryOf } from "../shared/registry";
import type { BrokerCall } from "./call";
import { listToolsDirect } from "./lister";

export interface SeenDefinition {
  def: ToolDef;
  hash: string;
  /** Finding kinds in the definition (poisoning, shadowing); empty when clean. */
  findings: string[];
}

interface ServerTools {
  tools: Map<string, SeenDefinition>;
  at: number;
}

/** Definitions older than this are listed again before a call relies on them. */
const FRESH_MS = 60_000;
const cache = new Map<string, ServerTools>();
const keyOf = (org: string, server: string) => `${org}\n${server}`;

/** Hashes and scans definitions as they pass (a client's tools/list, or the broker's own). */
export async function examine(config: OrgConfig, server: string, raw: unknown[]): Promise<Map<string, SeenDefinition>> {
  const others = config.mcpServers
    .filter((s) => s.name !== server)
    .map((s) => ({ name: s.name, tools: [...(cache.get(keyOf(config.id, s.name))?.tools.keys() ?? [])] }));
  const defs = raw.flatMap((item) => {
    const parsed = ToolDefSchema.safeParse(item);
    return parsed.success ? [parsed.data] : [];
  });
  const ownTools = defs.map((d) => d.name);
  const out = new Map<string, SeenDefinition>();
  for (const def of defs) {
    const findings = scanToolDefinition(def, { server, ownTools, otherServers: others }).map((f) => f.kind);
    out.set(def.name, { def, hash: await toolHash(def), findings: [...new Set(findings)] });
  }
  return out;
}

/** Remembers definitions seen in this isolate; `complete` when they are the server's whole list. */
export function remember(org: string, server: string, seen: Map<string, SeenDefinition>, complete: boolean): void {
  const key = keyOf(org, server);
  const prev = cache.get(key);
  const tools = complete ? new Map(seen) : new Map([...(prev?.tools ?? []), ...seen]);
  cache.set(key, { tools, at: complete || !prev ? Date.now() : prev.at });
}

/**
 * The server's tools as last seen here, listing them from the server when unknown or stale. A listing records what
 * is new in the Registry; the call then carries the config that came back.
 */
export async function currentDefinitions(call: BrokerCall): Promise<Map<string, SeenDefinition>> {
  const { env, config, server } = call;
  const hit = cache.get(keyOf(config.id, server.name));
  if (hit && Date.now() - hit.at < FRESH_MS) return hit.tools;
  let raw: unknown[];
  try {
    raw = await listToolsDirect(env, config.id, server);
  } catch (err) {
    // Without a current definition nothing can be checked against its pin: fail closed.
    throw err instanceof RingfenceError
      ? err
      : new RingfenceError({
          kind: "upstream_unreachable",
          message: `listing the tools of '${server.name}' failed: ${String(err)}`,
        });
  }
  const seen = await examine(config, server.name, raw);
  remember(config.id, server.name, seen, true);
  const next = await recordInRegistry(env, config, server.name, seen);
  if (next !== config) {
    rememberOrgConfig(next);
    call.config = next;
  }
  return seen;
}

/** Forgets a server's definitions (it announced tools/list_changed): the next call lists them again. */
export function invalidate(org: string, server: string): void {
  cache.delete(keyOf(org, server));
}

/**
 * Tells the Registry about tools whose state its pins do not reflect yet: new ones (pinned on first use when clean),
 * changed ones (a rug pull, recorded), poisoned ones (recorded, never pinned). Usually nothing is new and no call is made.
 */
export async function recordInRegistry(
  env: Env,
  config: OrgConfig,
  server: string,
  seen: Map<string, SeenDefinition>,
): Promise<OrgConfig> {
  const pins = config.toolPins[server] ?? {};
  const news: SeenTool[] = [];
  for (const [tool, d] of seen) {
    if (pins[tool]?.hash === d.hash) continue;
    const recorded = config.toolEvents.some(
      (e) => e.server === server && e.tool === tool && e.hash === d.hash && (e.event === "changed" || e.event === "poisoned"),
    );
    if (!recorded) news.push({ tool, hash: d.hash, findings: d.findings });
  }
  if (news.length === 0) return config;
  const result = await registryOf(env, config.id).recordTools(server, news);
  if (!result.ok) throw new RingfenceError(result.failure);
  return result.config;
}
