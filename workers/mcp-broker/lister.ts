// The broker's own tools/list against an upstream, when no client listing is fresh enough to check a call against.
import { RingfenceError } from "../../src/errors";
import { isObject, isResponse, type JsonRpcResponse } from "../../src/mcp/jsonrpc";
import type { McpServer } from "../../src/registry/config";
import { SseParser } from "../../src/stream/sse";
import { callServer } from "./upstream";

const CLIENT_INFO = { name: "ringfence-broker", version: "0.1.0" };
const LEGACY_VERSION = "2025-06-18";
const STATELESS_VERSION = "2026-07-28";
/** A list longer than this many pages is cut off (a bound on one request's work, not a limit any real server meets). */
const MAX_PAGES = 20;

/** The JSON-RPC response with `id` in a JSON or SSE body. */
export async function responseTo(res: Response, id: number | string): Promise<JsonRpcResponse> {
  const type = res.headers.get("content-type") ?? "";
  const text = await res.text();
  const candidates: unknown[] = [];
  if (type.includes("text/event-stream")) {
    const parser = new SseParser();
    for (const ev of [...parser.push(text), ...parser.end()]) {
      try {
        candidates.push(JSON.parse(ev.data));
      } catch {
        // not JSON: skip
      }
    }
  } else {
    try {
      const body: unknown = JSON.parse(text);
      candidates.push(...(Array.isArray(body) ? body : [body]));
    } catch {
      // handled below
    }
  }
  const found = candidates.find((m): m is JsonRpcResponse => isResponse(m) && m.id === id);
  if (!found) throw new Error(`no JSON-RPC response to request ${id} (HTTP ${res.status})`);
  return found;
}

function headers(extra: Record<string, string>): Headers {
  return new Headers({ "content-type": "application/json", accept: "application/json, text/event-stream", ...extra });
}

async function post(env: Env, org: string, server: McpServer, body: unknown, extra: Record<string, string>): Promise<Response> {
  return callServer(env, org, server, { method: "POST", headers: headers(extra), body: JSON.stringify(body) });
}

/** Every page of a list method's `key` items, one request per page, through `list(cursor)`. */
export async function allPages(key: string, list: (cursor: string | undefined) => Promise<JsonRpcResponse>): Promise<unknown[]> {
  const items: unknown[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const r = await list(cursor);
    if (r.error) throw new Error(`listing ${key} failed: ${r.error.message}`);
    const result = isObject(r.result) ? r.result : {};
    const got = result[key];
    if (Array.isArray(got)) items.push(...got);
    cursor = typeof result.nextCursor === "string" ? result.nextCursor : undefined;
    if (!cursor) break;
  }
  return items;
}

/** A legacy-revision session the broker opened for itself: the headers every later request carries. */
export interface OwnSession {
  headers: Record<string, string>;
  session: string | null;
}

/** Legacy revisions: initialize and initialized. Null when the server does not speak them (it may be stateless). */
export async function openOwnSession(env: Env, org: string, server: McpServer): Promise<OwnSession | null> {
  const init = await post(
    env,
    org,
    server,
    {
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { protocolVersion: LEGACY_VERSION, capabilities: {}, clientInfo: CLIENT_INFO },
    },
    {},
  );
  const reply = await responseTo(init, 1);
  if (reply.error || !isObject(reply.result)) return null;
  const version = typeof reply.result.protocolVersion === "string" ? reply.result.protocolVersion : LEGACY_VERSION;
  const session = init.headers.get("mcp-session-id");
  const common: Record<string, string> = { "mcp-protocol-version": version, ...(session ? { "mcp-session-id": session } : {}) };
  const initialized = await post(env, org, server, { jsonrpc: "2.0", method: "notifications/initialized" }, common);
  await initialized.body?.cancel();
  return { headers: common, session };
}

/** Ends a session the broker opened (servers without sessions need nothing). Never throws. */
export async function endOwnSession(env: Env, org: string, server: McpServer, own: OwnSession): Promise<void> {
  if (!own.session) return;
  const ended = await callServer(env, org, server, { method: "DELETE", headers: headers(own.headers) }).catch(() => null);
  await ended?.body?.cancel();
}

/** One request of the broker's own, in a legacy session or (without one) statelessly; the response to it. */
export async function ownRequest(
  env: Env,
  org: string,
  server: McpServer,
  own: OwnSession | null,
  request: { id: number | string; method: string; params: Record<string, unknown> },
  signal?: AbortSignal,
): Promise<JsonRpcResponse> {
  const name = typeof request.params.name === "string" ? request.params.name : undefined;
  const extra = own
    ? own.headers
    : {
        "mcp-protocol-version": STATELESS_VERSION,
        "mcp-method": request.method,
        ...(name !== undefined && /^[\x20-\x7e]*$/.test(name) ? { "mcp-name": name } : {}),
      };
  const params = own ? request.params : { ...request.params, _meta: STATELESS_META };
  const res = await callServer(env, org, server, {
    method: "POST",
    headers: headers(extra),
    body: JSON.stringify({ jsonrpc: "2.0", ...request, params }),
    ...(signal ? { signal } : {}),
  });
  if (own?.session && res.status === 404) {
    await res.body?.cancel();
    throw new SessionGone(`MCP server '${server.name}' no longer knows the session`);
  }
  return responseTo(res, request.id);
}

/** The server ended (or forgot) a session the broker opened: open a new one. */
export class SessionGone extends Error {
  override name = "SessionGone";
}

/** Legacy revisions: initialize, initialized, tools/list, then end the session. */
async function legacy(env: Env, org: string, server: McpServer): Promise<unknown[] | null> {
  const own = await openOwnSession(env, org, server);
  if (!own) return null;
  try {
    let id = 10;
    return await allPages("tools", async (cursor) => {
      id++;
      return ownRequest(env, org, server, own, { id, method: "tools/list", params: cursor ? { cursor } : {} });
    });
  } finally {
    await endOwnSession(env, org, server, own);
  }
}

const STATELESS_META = {
  "io.modelcontextprotocol/protocolVersion": STATELESS_VERSION,
  "io.modelcontextprotocol/clientCapabilities": {},
  "io.modelcontextprotocol/clientInfo": CLIENT_INFO,
};

/** The stateless revision: every request carries its version and capabilities. */
async function stateless(env: Env, org: string, server: McpServer): Promise<unknown[]> {
  let id = 10;
  return allPages("tools", async (cursor) => {
    id++;
    return ownRequest(env, org, server, null, { id, method: "tools/list", params: cursor ? { cursor } : {} });
  });
}

/** Every tool the server lists now, in the revision it speaks. */
export async function listToolsDirect(env: Env, org: string, server: McpServer): Promise<unknown[]> {
  try {
    return (await legacy(env, org, server)) ?? (await stateless(env, org, server));
  } catch (err) {
    if (err instanceof RingfenceError) throw err;
    return stateless(env, org, server);
  }
}
