// /mcp/<server>: a transparent Streamable HTTP relay to one upstream, with the policy applied to every message.
import type { Context } from "hono";
import { type Failure, RingfenceError, toFailure, toWire } from "../../src/errors";
import { serverAccess } from "../../src/mcp/acl";
import {
  idKey,
  isNotification,
  isRequest,
  isResponse,
  type JsonRpcId,
  type JsonRpcMessage,
  type JsonRpcRequest,
  type JsonRpcResponse,
} from "../../src/mcp/jsonrpc";
import { type SseEvent, SseParser, serializeSse } from "../../src/stream/sse";
import type { CapabilityClaims } from "../../src/tokens/claims";
import type { AppEnv } from "../context";
import { cachedOrgConfig, refreshIfStale } from "../gateway/org-config";
import { effectivePolicy, FLAGS_HEADER } from "../gateway/policy";
import { readBodyText } from "../shared/body";
import { type BrokerCall, logCall } from "./call";
import { authenticateMcp, checkOriginAndHost } from "./guard";
import { transformResponse, transformServerMessage } from "./inbound";
import { admitToolCall, guardClientAnswer } from "./outbound";
import { unwrapSession, wrapSession } from "./session";
import { callServer, clientHeadersForUpstream, upstreamHeadersForClient } from "./upstream";

/** A line longer than this without a line end is not SSE: refused rather than buffered. */
const MAX_PENDING_CHARS = 1 << 22;

/** A JSON-RPC error response for `id`, from a failure. */
function errorFor(failure: Failure, id: JsonRpcId | null, requestId: string): JsonRpcResponse {
  return toWire(failure, "jsonrpc", requestId, id).body as JsonRpcResponse;
}

/** A refusal of the whole HTTP request (before any message is looked at), as a JSON-RPC error with its HTTP status. */
export function refuse(c: Context<AppEnv>, failure: Failure): Response {
  const wire = toWire(failure, "jsonrpc", c.get("requestId"));
  return new Response(JSON.stringify(wire.body), {
    status: wire.status,
    headers: { ...wire.headers, "content-type": "application/json", "x-request-id": c.get("requestId") },
  });
}

/** Origin/Host, then the token; a Response when either refuses. */
export async function admit(c: Context<AppEnv>): Promise<CapabilityClaims | Response> {
  const bad = checkOriginAndHost(c);
  if (bad) return refuse(c, bad);
  return authenticateMcp(c);
}

/** Revocation (and the config version) for requests that make no tool call: tool calls get both from the Meter's toolCall. */
export async function checkAccess(env: Env, claims: CapabilityClaims): Promise<number> {
  let access: { revoked: string | null; configVersion: number };
  try {
    access = await env.METER.getByName(claims.org).checkAccess(claims.led);
  } catch (err) {
    throw new RingfenceError({ kind: "unavailable", step: "meter", message: err instanceof Error ? err.message : String(err) });
  }
  if (access.revoked !== null) throw new RingfenceError({ kind: "token_revoked" });
  return access.configVersion;
}

/** The call's context for one server: config (refreshed to `version` when known), policy, visibility. */
export async function openServer(
  c: Context<AppEnv>,
  claims: CapabilityClaims,
  name: string,
  version: number | undefined,
  /** Whether Mcp-Session-Id is this server's (bound) session; the aggregate's is its own. */
  ownSession = true,
): Promise<BrokerCall | Response> {
  const env = c.env;
  let config = await cachedOrgConfig(env, claims.org);
  if (version !== undefined) config = (await refreshIfStale(env, claims.org, version)) ?? config;
  const server = config.mcpServers.find((s) => s.name === name);
  if (!server) return refuse(c, { kind: "not_found", what: `MCP server '${name.slice(0, 64)}'` });
  const policy = effectivePolicy(config, claims, c.req.header(FLAGS_HEADER));
  const visible = serverAccess({ access: policy.mcp.access, tokenTools: claims.tools, server: server.name });
  if (!visible.ok) {
    return refuse(c, { kind: "tool_denied", server: server.name, tool: "*", step: visible.step, reason: visible.reason });
  }
  const wrapped = ownSession ? c.req.header("mcp-session-id") : undefined;
  let session: string | undefined;
  if (wrapped !== undefined) {
    const sid = await unwrapSession(env, claims, server.name, wrapped);
    // As the server would answer an unknown session: the client starts a new one.
    if (sid === null) return refuse(c, { kind: "not_found", what: "session (start a new one)" });
    session = sid;
  }
  const flags = c.req.header(FLAGS_HEADER);
  return {
    env,
    claims,
    config,
    server,
    policy,
    ...(flags ? { flags } : {}),
    requestId: c.get("requestId"),
    ...(session ? { session } : {}),
    findings: [],
    refusals: [],
    waitUntil: (p) => c.executionCtx.waitUntil(p),
  };
}

/** How long a POST's SSE answer is read ahead before its headers must go out and the rest is streamed. */
const READ_AHEAD_MS = 1000;

/** An upstream SSE stream being relayed: where it is, and which of the client's requests are still unanswered. */
interface SseRelay {
  call: BrokerCall;
  reader: ReadableStreamDefaultReader<Uint8Array>;
  parser: SseParser;
  decoder: TextDecoder;
  requests: Map<string, JsonRpcRequest>;
  unanswered: Set<string>;
  /** The client's headers, to answer a server request the broker blocked. */
  headers: Headers;
}

type Read = Promise<ReadableStreamReadResult<Uint8Array>>;

function openRelay(
  call: BrokerCall,
  body: ReadableStream<Uint8Array>,
  requests: Map<string, JsonRpcRequest>,
  headers: Headers,
): SseRelay {
  const reader = body.getReader();
  const parser = new SseParser({ keepBare: true });
  return { call, reader, parser, decoder: new TextDecoder(), requests, unanswered: new Set(requests.keys()), headers };
}

/** The next events, from a read already under way if there is one. */
async function nextEvents(r: SseRelay, pending?: Read): Promise<{ done: boolean; events: SseEvent[] }> {
  const { done, value } = await (pending ?? r.reader.read());
  const events = done ? r.parser.end() : r.parser.push(r.decoder.decode(value, { stream: true }));
  if (r.parser.pending > MAX_PENDING_CHARS) {
    throw new RingfenceError({
      kind: "upstream_stream_broken",
      message: `MCP server '${r.call.server.name}' sent an over-long line`,
    });
  }
  return { done, events };
}

/**
 * Rewrites events; SSE ids and retry hints pass through untouched. `interactive` when one was a server request or
 * notification: the client may have to act on it, so it must not wait in a buffer.
 */
async function rewriteEvents(r: SseRelay, events: SseEvent[]): Promise<{ text: string; interactive: boolean }> {
  let text = "";
  let interactive = false;
  for (const ev of events) {
    if (ev.dataless || ev.data === "") {
      text += serializeSse(ev);
      continue;
    }
    let msg: unknown;
    try {
      msg = JSON.parse(ev.data);
    } catch {
      text += serializeSse(ev); // not JSON-RPC (a priming event): as is
      continue;
    }
    if (isResponse(msg) && msg.id !== null) {
      const key = idKey(msg.id);
      r.unanswered.delete(key);
      const req = r.requests.get(key);
      text += serializeSse({ ...ev, data: JSON.stringify(req ? await transformResponse(r.call, req, msg) : msg) });
    } else if (isRequest(msg) || isNotification(msg)) {
      interactive = true;
      const t = transformServerMessage(r.call, msg);
      if (t.answerUpstream) r.call.waitUntil(answerUpstream(r.call, r.headers, t.answerUpstream));
      const forward =
        t.forward && r.call.renameServerRequest && isRequest(t.forward) ? r.call.renameServerRequest(t.forward) : t.forward;
      if (forward) text += serializeSse({ ...ev, data: JSON.stringify(forward) });
    } else {
      text += serializeSse(ev);
    }
  }
  return { text, interactive };
}

/** Streams the rest of an upstream SSE stream event by event, after `first` (events already rewritten). */
function transformSse(r: SseRelay, first: string, pending?: Read): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let head = first;
  let read = pending;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        if (head) {
          controller.enqueue(encoder.encode(head));
          head = "";
          return;
        }
        // Read until something can be written or the stream ends: a pull that enqueues nothing is not called again.
        for (;;) {
          const { done, events } = await nextEvents(r, read);
          read = undefined;
          const { text } = await rewriteEvents(r, events);
          if (text) controller.enqueue(encoder.encode(text));
          if (done) {
            logCall(r.call);
            controller.close();
            return;
          }
          if (text) return;
        }
      } catch (err) {
        logCall(r.call);
        r.reader.cancel().catch(() => {});
        console.error(`[mcp] ${r.call.requestId}: relaying the stream of ${r.call.server.name} failed:`, err);
        controller.error(err);
      }
    },
    cancel(reason) {
      logCall(r.call);
      return r.reader.cancel(reason);
    },
  });
}

/**
 * A POST's SSE answer. Most are the responses and then the end of the stream: those are read ahead and sent as one
 * body, so the runtime pumps no JS stream chunk by chunk and the server's closing of its stream is not waited for (it
 * is drained after, so its connection is reused). A server request or notification, or an answer slower than
 * READ_AHEAD_MS, switches to streaming at once, the events read so far first.
 */
export async function relaySse(
  call: BrokerCall,
  body: ReadableStream<Uint8Array>,
  requests: Map<string, JsonRpcRequest>,
  prelude: JsonRpcResponse[],
  headers: Headers,
): Promise<ReadableStream<Uint8Array> | string> {
  const r = openRelay(call, body, requests, headers);
  let out = prelude.map((p) => serializeSse({ event: "message", data: JSON.stringify(p) })).join("");
  if (requests.size === 0) return transformSse(r, out);
  let pending: Read | undefined;
  let timer = 0;
  const late = new Promise<"late">((resolve) => {
    timer = setTimeout(() => resolve("late"), READ_AHEAD_MS);
  });
  try {
    for (;;) {
      pending ??= r.reader.read();
      if ((await Promise.race([pending, late])) === "late") return transformSse(r, out, pending);
      const { done, events } = await nextEvents(r, pending);
      pending = undefined;
      const { text, interactive } = await rewriteEvents(r, events);
      out += text;
      if (done) break;
      if (r.unanswered.size === 0) {
        call.waitUntil(drain(r.reader));
        break;
      }
      if (interactive) return transformSse(r, out);
    }
  } catch (err) {
    logCall(call);
    r.reader.cancel().catch(() => {});
    throw err;
  } finally {
    clearTimeout(timer);
  }
  logCall(call);
  return out;
}

/** Reads what the server still sends after its last response (nothing, per the spec), so its connection is reused. */
async function drain(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
  try {
    while (!(await reader.read()).done) {}
  } catch {
    // the server went away: nothing to keep
  }
}

/** The upstream's own session id goes upstream, never the bound one the client holds. */
function sessionHeaders(call: BrokerCall, headers: Headers): Headers {
  if (call.session) headers.set("mcp-session-id", call.session);
  else headers.delete("mcp-session-id");
  return headers;
}

/** The client gets the upstream's session id bound to its token chain and this server. */
async function clientSession(call: BrokerCall, headers: Headers): Promise<Headers> {
  const sid = headers.get("mcp-session-id");
  if (sid) headers.set("mcp-session-id", await wrapSession(call.env, call.claims, call.server.name, sid));
  return headers;
}

/** The broker answers a server request it blocked, on the client's session, so the server is not left waiting. */
async function answerUpstream(call: BrokerCall, headers: Headers, answer: JsonRpcResponse): Promise<void> {
  const h = new Headers(headers);
  h.set("content-type", "application/json");
  h.set("accept", "application/json, text/event-stream");
  const res = await callServer(call.env, call.config.id, call.server, {
    method: "POST",
    headers: h,
    body: JSON.stringify(answer),
  }).catch(() => null);
  await res?.body?.cancel();
}

/** Transforms a JSON body: one message or a batch. */
async function transformJson(
  call: BrokerCall,
  text: string,
  requests: Map<string, JsonRpcRequest>,
  prelude: JsonRpcResponse[],
): Promise<string> {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new RingfenceError({ kind: "upstream_stream_broken", message: `MCP server '${call.server.name}' sent invalid JSON` });
  }
  const one = async (m: unknown): Promise<unknown> => {
    if (isResponse(m) && m.id !== null) {
      const req = requests.get(idKey(m.id));
      return req ? transformResponse(call, req, m) : m;
    }
    return m;
  };
  if (Array.isArray(body)) return JSON.stringify([...prelude, ...(await Promise.all(body.map(one)))]);
  const out = await one(body);
  return JSON.stringify(prelude.length > 0 ? [...prelude, out] : out);
}

/**
 * Revision 2026-07-28 routes on Mcp-Method and Mcp-Name headers; ringfence decides on the body. The two must agree,
 * or something routing on the headers could be shown one call while another is made.
 */
function headerMismatch(c: Context<AppEnv>, messages: unknown[]): Failure | null {
  const method = c.req.header("mcp-method");
  const name = c.req.header("mcp-name");
  if (method === undefined && name === undefined) return null;
  const [m] = messages;
  if (messages.length !== 1 || !(isRequest(m) || isNotification(m))) return null;
  if (method !== undefined && method.trim() !== m.method) {
    return { kind: "header_mismatch", header: "Mcp-Method", message: `'${method.slice(0, 80)}' vs '${m.method.slice(0, 80)}'` };
  }
  const target = m.params?.name ?? m.params?.uri;
  if (name !== undefined && typeof target === "string" && name.trim() !== target) {
    return { kind: "header_mismatch", header: "Mcp-Name", message: `'${name.slice(0, 80)}' vs '${target.slice(0, 80)}'` };
  }
  return null;
}

export async function handlePost(c: Context<AppEnv>): Promise<Response> {
  const claims = await admit(c);
  if (claims instanceof Response) return claims;
  const text = await readBodyText(c);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    return refuse(c, { kind: "invalid_json", message: err instanceof Error ? err.message : "parse error" });
  }
  const all = Array.isArray(body) ? body : [body];
  const mismatch = headerMismatch(c, all);
  if (mismatch) return refuse(c, mismatch);
  // A tool call's own Meter round trip checks revocation; anything else needs this one.
  const onlyToolCalls = all.length > 0 && all.every((m) => isRequest(m) && m.method === "tools/call");
  const version = onlyToolCalls ? undefined : await checkAccess(c.env, claims);
  const opened = await openServer(c, claims, c.req.param("server") ?? "", version);
  if (opened instanceof Response) return opened;
  const call = opened;
  const batch = Array.isArray(body);
  const messages: unknown[] = batch ? (body as unknown[]) : [body];
  const forward: JsonRpcMessage[] = [];
  const refused: JsonRpcResponse[] = [];
  const requests = new Map<string, JsonRpcRequest>();
  for (const m of messages) {
    if (isRequest(m)) {
      if (m.method === "tools/call") {
        try {
          const admitted = await admitToolCall(call, m);
          forward.push(admitted);
          requests.set(idKey(m.id), admitted);
        } catch (err) {
          const failure = toFailure(err, "mcp");
          call.refusals.push(`tools/call ${String(m.params?.name ?? "?")}: ${failure.kind}`);
          if (failure.kind === "unavailable" || failure.kind === "internal" || failure.kind === "token_revoked") {
            logCall(call);
            throw err;
          }
          refused.push(errorFor(failure, m.id, call.requestId));
        }
        continue;
      }
      requests.set(idKey(m.id), m);
      forward.push(m);
    } else if (isResponse(m)) {
      forward.push(guardClientAnswer(call, m));
    } else if (isNotification(m)) {
      forward.push(m);
    } else {
      return refuse(c, { kind: "invalid_request", message: "not a JSON-RPC 2.0 message" });
    }
  }

  if (forward.length === 0) {
    logCall(call);
    const out = batch ? refused : refused[0];
    return new Response(JSON.stringify(out), {
      status: 200,
      headers: { "content-type": "application/json", "x-request-id": call.requestId },
    });
  }

  const upstreamHeaders = sessionHeaders(call, clientHeadersForUpstream(c.req.raw.headers));
  const res = await callServer(call.env, call.config.id, call.server, {
    method: "POST",
    headers: new Headers(upstreamHeaders),
    body: JSON.stringify(batch ? forward : forward[0]),
    signal: c.req.raw.signal,
  });
  const headers = await clientSession(call, upstreamHeadersForClient(res.headers, call.requestId));
  const type = res.headers.get("content-type") ?? "";
  if (type.includes("text/event-stream") && res.body) {
    return new Response(await relaySse(call, res.body, requests, refused, upstreamHeaders), { status: res.status, headers });
  }
  const upstreamText = await res.text();
  if (!type.includes("application/json") || upstreamText === "") {
    logCall(call);
    if (refused.length > 0 && upstreamText === "") {
      headers.set("content-type", "application/json");
      return new Response(JSON.stringify(batch ? refused : refused[0]), { status: 200, headers });
    }
    return new Response(upstreamText, { status: res.status, headers });
  }
  const out = await transformJson(call, upstreamText, requests, refused);
  logCall(call);
  return new Response(out, { status: res.status, headers });
}

/** GET opens the server's own message stream (legacy revisions); DELETE ends a session. */
export async function handleOther(c: Context<AppEnv>): Promise<Response> {
  const claims = await admit(c);
  if (claims instanceof Response) return claims;
  const opened = await openServer(c, claims, c.req.param("server") ?? "", await checkAccess(c.env, claims));
  if (opened instanceof Response) return opened;
  const call = opened;
  const upstreamHeaders = sessionHeaders(call, clientHeadersForUpstream(c.req.raw.headers));
  const res = await callServer(call.env, call.config.id, call.server, {
    method: c.req.method,
    headers: new Headers(upstreamHeaders),
    signal: c.req.raw.signal,
  });
  const headers = await clientSession(call, upstreamHeadersForClient(res.headers, call.requestId));
  if ((res.headers.get("content-type") ?? "").includes("text/event-stream") && res.body) {
    return new Response(transformSse(openRelay(call, res.body, new Map(), upstreamHeaders), ""), { status: res.status, headers });
  }
  return new Response(res.body, { status: res.status, headers });
}
