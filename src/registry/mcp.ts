// Pure transitions of an org's MCP registry: servers, tool pins (rug-pull protection) and the events that explain them.
import type { Pin } from "../mcp/pin";
import type { RegistryResult } from "./api";
import type { McpServer, OrgConfig, ToolEvent } from "./config";
import { bump } from "./mutate";

/** Events kept per org: enough to explain recent changes; older ones are in the audit trail. */
export const MAX_TOOL_EVENTS = 200;

export function putMcpServer(c: OrgConfig, server: McpServer): RegistryResult {
  const i = c.mcpServers.findIndex((s) => s.name === server.name);
  const mcpServers = i < 0 ? [...c.mcpServers, server] : c.mcpServers.map((s, j) => (j === i ? server : s));
  // A server moved to another URL is another server: its old approvals do not carry over.
  const moved = i >= 0 && c.mcpServers[i]?.url !== server.url;
  const toolPins = moved ? withoutKey(c.toolPins, server.name) : c.toolPins;
  return bump(c, { mcpServers, toolPins });
}

export function deleteMcpServer(c: OrgConfig, name: string): RegistryResult {
  if (!c.mcpServers.some((s) => s.name === name))
    return { ok: false, failure: { kind: "not_found", what: `MCP server ${name}` } };
  return bump(c, { mcpServers: c.mcpServers.filter((s) => s.name !== name), toolPins: withoutKey(c.toolPins, name) });
}

/** A tool as the broker saw it in a tools/list: its definition hash, and findings that make it poisoned. */
export interface SeenTool {
  tool: string;
  hash: string;
  /** Finding kinds in its definition; any makes it poisoned (never pinned). */
  findings: string[];
}

/**
 * Records what a tools/list showed: new clean tools are pinned on first use; a poisoned tool is recorded, not pinned;
 * a tool whose hash differs from its pin is recorded as changed (once per new hash) and stays unpinned until an admin
 * approves it. Returns null when nothing changed, so the caller writes nothing.
 */
export function recordTools(c: OrgConfig, server: string, seen: SeenTool[], now: number): RegistryResult | null {
  const pins = { ...c.toolPins[server] };
  const events: ToolEvent[] = [];
  const known = (tool: string, event: ToolEvent["event"], hash: string) =>
    c.toolEvents.some((e) => e.server === server && e.tool === tool && e.event === event && e.hash === hash);
  for (const t of seen) {
    const pin = pins[t.tool];
    if (pin?.hash === t.hash) continue;
    if (t.findings.length > 0) {
      if (!known(t.tool, "poisoned", t.hash)) {
        events.push({ at: now, server, tool: t.tool, event: "poisoned", hash: t.hash, detail: t.findings.join(", ") });
      }
      continue;
    }
    if (pin) {
      if (!known(t.tool, "changed", t.hash)) {
        events.push({ at: now, server, tool: t.tool, event: "changed", hash: t.hash, previous: pin.hash });
      }
      continue;
    }
    pins[t.tool] = { hash: t.hash, approvedAt: now, approvedBy: "first-use" };
    events.push({ at: now, server, tool: t.tool, event: "pinned", hash: t.hash });
  }
  if (events.length === 0) return null;
  return bump(c, {
    toolPins: { ...c.toolPins, [server]: pins },
    toolEvents: [...c.toolEvents, ...events].slice(-MAX_TOOL_EVENTS),
  });
}

/** An admin approves a tool's current definition (after a change, or one refused as poisoned). */
export function approveTool(c: OrgConfig, server: string, tool: string, hash: string, now: number): RegistryResult {
  if (!c.mcpServers.some((s) => s.name === server))
    return { ok: false, failure: { kind: "not_found", what: `MCP server ${server}` } };
  const previous = c.toolPins[server]?.[tool]?.hash;
  const pin: Pin = { hash, approvedAt: now, approvedBy: "admin" };
  const event: ToolEvent = { at: now, server, tool, event: "approved", hash, ...(previous ? { previous } : {}) };
  return bump(c, {
    toolPins: { ...c.toolPins, [server]: { ...c.toolPins[server], [tool]: pin } },
    toolEvents: [...c.toolEvents, event].slice(-MAX_TOOL_EVENTS),
  });
}

function withoutKey<T>(record: Record<string, T>, key: string): Record<string, T> {
  const { [key]: _gone, ...rest } = record;
  return rest;
}
