// Tool → agent: tool lists filtered and pinned, results and server requests scanned before the client sees them.
import { guardData, type Located } from "../../src/detect/guard-json";
import { describe } from "../../src/errors";
import { toolAccess } from "../../src/mcp/acl";
import { isObject, type JsonRpcMessage, type JsonRpcRequest, type JsonRpcResponse } from "../../src/mcp/jsonrpc";
import { rememberOrgConfig } from "../gateway/org-config";
import type { BrokerCall } from "./call";
import { examine, invalidate, recordInRegistry, remember, type SeenDefinition } from "./definitions";

function guardInbound(call: BrokerCall, value: unknown, where: string): { value: unknown; blocked?: Located } {
  const g = guardData(value, call.policy.mcp.results, {
    minConfidence: call.policy.minConfidence,
    enforce: call.policy.mode === "enforce",
  });
  for (const d of g.decisions) call.findings.push({ ...d, path: `${where}.${d.path}` });
  return g.blocked && call.policy.mode === "enforce" ? { value: g.value, blocked: g.blocked } : { value: g.value };
}

/**
 * tools/list: every definition is hashed and scanned; tools the token or the policy does not allow, poisoned ones
 * (under `definitions: block`) and changed ones (under `pinning: enforce`) are left out. New clean tools are pinned.
 */
export async function filterToolList(
  call: BrokerCall,
  result: Record<string, unknown>,
  cursor: unknown,
): Promise<Record<string, unknown>> {
  const raw = Array.isArray(result.tools) ? result.tools : [];
  const server = call.server.name;
  const seen = await examine(call.config, server, raw);
  // Only a first page without a next cursor is the server's whole list.
  remember(call.config.id, server, seen, cursor === undefined && result.nextCursor === undefined);
  const config = await recordInRegistry(call.env, call.config, server, seen);
  if (config !== call.config) {
    rememberOrgConfig(config);
    call.config = config;
  }
  const kept = raw.filter((item) => {
    const name = isObject(item) && typeof item.name === "string" ? item.name : undefined;
    const d = name === undefined ? undefined : seen.get(name);
    return name !== undefined && d !== undefined && listable(call, name, d);
  });
  return { ...result, tools: kept };
}

/**
 * Whether a tool may be shown to this caller: in its scope and the ACL, not poisoned (under `definitions: block`,
 * unless an admin approved exactly this definition), and approved as it is now (under `pinning: enforce`).
 */
export function listable(call: BrokerCall, name: string, d: SeenDefinition): boolean {
  const server = call.server.name;
  const mcp = call.policy.mcp;
  if (!toolAccess({ access: mcp.access, tokenTools: call.claims.tools, server, tool: name }).ok) return false;
  const pins = Object.hasOwn(call.config.toolPins, server) ? call.config.toolPins[server] : undefined;
  const pin = pins && Object.hasOwn(pins, name) ? pins[name] : undefined;
  // An admin's approval of exactly this definition overrides the scan (a false positive, or a risk accepted).
  const adminApproved = pin?.approvedBy === "admin" && pin.hash === d.hash;
  if (d.findings.length > 0 && !adminApproved) {
    call.refusals.push(`hidden ${server}/${name}: definition (${d.findings.join(", ")})`);
    if (mcp.definitions === "block") return false;
  }
  if (pin?.hash !== d.hash) {
    call.refusals.push(`hidden ${server}/${name}: ${pin ? "definition changed since approval" : "not approved"}`);
    if (mcp.pinning === "enforce") return false;
  }
  return true;
}

/** What a blocked tool result becomes: an error result the model can read, naming what was found (never the value). */
function blockedToolResult(call: BrokerCall, blocked: Located): Record<string, unknown> {
  const message = describe({
    kind: "policy_blocked",
    detection: blocked.kind,
    location: `result.${blocked.path}`,
    direction: "response",
  });
  call.refusals.push(`result blocked: ${blocked.kind}`);
  return { content: [{ type: "text", text: `[ringfence] ${message} (request ${call.requestId})` }], isError: true };
}

/** A response from the server to one of the client's requests (`request` is what the client sent). */
export async function transformResponse(
  call: BrokerCall,
  request: JsonRpcRequest,
  msg: JsonRpcResponse,
): Promise<JsonRpcResponse> {
  if (!isObject(msg.result)) return msg;
  switch (request.method) {
    case "tools/list":
      return { ...msg, result: await filterToolList(call, msg.result, request.params?.cursor) };
    case "tools/call": {
      const tool = typeof request.params?.name === "string" ? request.params.name : "?";
      const g = guardInbound(call, msg.result, `result:${tool}`);
      if (g.blocked) return { ...msg, result: blockedToolResult(call, g.blocked) };
      return g.value === msg.result ? msg : { ...msg, result: g.value };
    }
    case "initialize":
    case "server/discover":
    case "ping":
      return msg;
    default: {
      // Resources, prompts, completions: content the agent will read.
      const g = guardInbound(call, msg.result, `result:${request.method}`);
      if (g.blocked) {
        call.refusals.push(`${request.method} blocked: ${g.blocked.kind}`);
        return {
          jsonrpc: "2.0",
          id: msg.id,
          error: { code: -32004, message: `Blocked by ringfence policy: ${g.blocked.kind} in the result of ${request.method}` },
        };
      }
      return g.value === msg.result ? msg : { ...msg, result: g.value };
    }
  }
}

/**
 * A message the server sends on its own: notifications (progress, logs, list changes) and requests to the client
 * (sampling, elicitation, roots). Their text is scanned like results; a blocked server request is answered by the
 * broker with an error (returned for the caller to send upstream) instead of reaching the client.
 */
export function transformServerMessage(
  call: BrokerCall,
  msg: JsonRpcMessage,
): { forward: JsonRpcMessage | null; answerUpstream?: JsonRpcResponse } {
  if (!("method" in msg)) return { forward: msg };
  if (msg.method === "notifications/tools/list_changed") invalidate(call.config.id, call.server.name);
  if (!msg.params || msg.method === "notifications/progress" || msg.method === "notifications/cancelled") return { forward: msg };
  const g = guardInbound(call, msg.params, `server:${msg.method}`);
  if (!g.blocked) return { forward: g.value === msg.params ? msg : { ...msg, params: g.value as Record<string, unknown> } };
  call.refusals.push(`${msg.method} from the server blocked: ${g.blocked.kind}`);
  if ("id" in msg && msg.id !== undefined) {
    return {
      forward: null,
      answerUpstream: {
        jsonrpc: "2.0",
        id: msg.id,
        error: { code: -32004, message: `Blocked by ringfence policy: ${g.blocked.kind}` },
      },
    };
  }
  return { forward: null };
}
