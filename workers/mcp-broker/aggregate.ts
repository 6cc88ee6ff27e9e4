// /mcp: one MCP server made of every upstream the token may use. Tools and prompts are named "<server>__<name>";
// resources keep their URIs. Stateless on the edge: the session id carries the upstream sessions, sealed.
import type { Context } from "hono";
import type { DeclaredTool } from "../../src/codemode/declarations";
import { importSealKey, seal, unseal } from "../../src/crypto/seal";
import { type Failure, RingfenceError, toFailure, toWire } from "../../src/errors";
import { codemodeAccess, serverAccess } from "../../src/mcp/acl";
import {
  idKey,
  isNotification,
  isObject,
  isRequest,
  isResponse,
  type JsonRpcId,
  type JsonRpcRequest,
  type JsonRpcResponse,
} from "../../src/mcp/jsonrpc";
import { type AggregateName, aggregateNames } from "../../src/mcp/names";
import type { CapabilityClaims } from "../../src/tokens/claims";
import type { Runner } from "../codemode/executor";
import { CODEMODE_TOOL, callCodemodeTool, codemodeToolDefinition } from "../codemode/mcp-tool";
import type { AppEnv } from "../context";
import { cachedOrgConfig } from "../gateway/org-config";
import { effectivePolicy, FLAGS_HEADER } from "../gateway/policy";
import { readBodyText } from "../shared/body";
import { type BrokerCall, logCall } from "./call";
import { currentDefinitions } from "./definitions";
import { listable, transformResponse } from "./inbound";
import { allPages, responseTo } from "./lister";
import { admitToolCall, guardClientAnswer } from "./outbound";
import { admit, checkAccess, openServer, refuse, relaySse } from "./proxy";
import { callServer } from "./upstream";

const SUPPORTED = ["2025-11-25", "2025-06-18", "2025-03-26"];
const STATELESS = "2026-07-28";
const SERVER_INFO = { name: "ringfence", title: "ringfence MCP broker", version: "0.1.0" };

/** What the aggregate session id carries: which upstream sessions belong to it, in which revision each runs. */
interface Session {
  org: string;
  /** The root of the token chain that opened it: any token of that chain may use it, no other. */
  root: string;
  upstreams: { server: string; session: string | null; version: string }[];
}

const sessionContext = (org: string) => `${org}/mcp-aggregate-session`;

async function sealSession(env: Env, s: Session): Promise<string> {
  const key = await importSealKey(env.RINGFENCE_ENCRYPTION_KEY);
  const sealed = await seal(key, JSON.stringify(s), sessionContext(s.org));
  return `${sealed.iv}.${sealed.data}`;
}

async function openSession(env: Env, claims: CapabilityClaims, id: string): Promise<Session | null> {
  const [iv, data] = id.split(".");
  if (!iv || !data) return null;
  try {
    const key = await importSealKey(env.RINGFENCE_ENCRYPTION_KEY);
    const s = JSON.parse(await unseal(key, { iv, data }, sessionContext(claims.org))) as Session;
    return s.org === claims.org && s.root === claims.led[0] ? s : null;
  } catch {
    return null;
  }
}

/** One upstream as seen from this request: its broker call context and, in a session, its own session. */
interface Leg {
  call: BrokerCall;
  session: string | null;
  version: string;
}

let nextId = 1;

/** One JSON-RPC request to an upstream and its response (JSON or SSE), under the leg's session or statelessly. */
async function rpc(
  leg: Leg,
  method: string,
  params: Record<string, unknown>,
  meta?: Record<string, unknown>,
): Promise<JsonRpcResponse> {
  const request: JsonRpcRequest = {
    jsonrpc: "2.0",
    id: `rf-${nextId++}`,
    method,
    params: meta ? { ...params, _meta: meta } : params,
  };
  const res = await callServer(leg.call.env, leg.call.config.id, leg.call.server, {
    method: "POST",
    headers: legHeaders(leg, request),
    body: JSON.stringify(request),
  });
  if (res.status === 404 && leg.session) {
    await res.body?.cancel();
    throw new RingfenceError({ kind: "not_found", what: "session (an upstream session ended: initialize again)" });
  }
  return responseTo(res, request.id);
}

const notify = (leg: Leg, method: string, params?: Record<string, unknown>): Promise<void> =>
  post(leg, { jsonrpc: "2.0", method, ...(params ? { params } : {}) });

/** Every page of a list method, from one upstream. */
const listAll = (leg: Leg, method: string, key: string, meta?: Record<string, unknown>): Promise<unknown[]> =>
  allPages(key, (cursor) => rpc(leg, method, cursor ? { cursor } : {}, meta));

const ok = (id: JsonRpcRequest["id"], result: unknown): JsonRpcResponse => ({ jsonrpc: "2.0", id, result });
const errorFor = (failure: Failure, id: JsonRpcRequest["id"], requestId: string): JsonRpcResponse =>
  toWire(failure, "jsonrpc", requestId, id).body as JsonRpcResponse;

/** The servers this token may use, each with its call context. */
async function legsFor(c: Context<AppEnv>, claims: CapabilityClaims, version: number | undefined): Promise<BrokerCall[]> {
  const config = await cachedOrgConfig(c.env, claims.org);
  const policy = effectivePolicy(config, claims, c.req.header(FLAGS_HEADER));
  const calls: BrokerCall[] = [];
  for (const s of config.mcpServers) {
    if (!serverAccess({ access: policy.mcp.access, tokenTools: claims.tools, server: s.name }).ok) continue;
    const opened = await openServer(c, claims, s.name, version, false);
    if (opened instanceof Response) continue;
    // The loop guard's per-session ceiling counts the aggregate session (the upstream sessions are the legs').
    const session = c.req.header("mcp-session-id");
    calls.push(session ? { ...opened, session } : opened);
  }
  return calls;
}

/** Names for a kind of item across upstreams ("<server>__<name>"), computed the same way for lists and calls. */
function namesFor(pairs: { server: string; name: string }[]): AggregateName[] {
  return aggregateNames(pairs.map((p) => ({ server: p.server, tool: p.name })));
}

/** Every allowed server's listable tools, from the definitions cached per isolate (listed again when stale). */
async function toolTable(legs: Leg[]): Promise<{ table: AggregateName[]; byServer: Map<string, unknown[]> }> {
  const byServer = new Map<string, unknown[]>();
  const pairs: { server: string; name: string }[] = [];
  for (const leg of legs) {
    const defs = await currentDefinitions(leg.call);
    const tools = [...defs].filter(([name, d]) => listable(leg.call, name, d)).map(([, d]) => d.def);
    byServer.set(leg.call.server.name, tools);
    for (const t of tools) pairs.push({ server: leg.call.server.name, name: t.name });
  }
  return { table: namesFor(pairs), byServer };
}

/** Every server's prompts, named like tools. */
async function promptTable(
  legs: Leg[],
  meta: Record<string, unknown> | undefined,
): Promise<{ table: AggregateName[]; byServer: Map<string, unknown[]> }> {
  const lists = await Promise.all(
    legs.map(async (leg) => [leg.call.server.name, await listAll(leg, "prompts/list", "prompts", meta).catch(() => [])] as const),
  );
  const byServer = new Map<string, unknown[]>(lists);
  const pairs = lists.flatMap(([server, items]) =>
    items.flatMap((p) => (isObject(p) && typeof p.name === "string" ? [{ server, name: p.name }] : [])),
  );
  return { table: namesFor(pairs), byServer };
}

const unknown = (what: string, name: unknown, id: JsonRpcRequest["id"], requestId: string): JsonRpcResponse =>
  errorFor({ kind: "invalid_request", message: `Unknown ${what} '${String(name).slice(0, 80)}'`, param: "name" }, id, requestId);

/** The aggregate's tools under their public names, and the same tools as code mode declares them. */
async function aggregateTools(legs: Leg[]): Promise<{ tools: Record<string, unknown>[]; declared: DeclaredTool[] }> {
  const { table, byServer } = await toolTable(legs);
  const tools: Record<string, unknown>[] = [];
  const declared: DeclaredTool[] = [];
  for (const row of table) {
    const def = (byServer.get(row.server) ?? []).find((t) => isObject(t) && t.name === row.tool);
    if (!isObject(def)) continue;
    tools.push({ ...def, name: row.name });
    declared.push({
      server: row.server,
      tool: row.tool,
      ...(typeof def.description === "string" ? { description: def.description } : {}),
      inputSchema: def.inputSchema,
      ...(def.outputSchema !== undefined ? { outputSchema: def.outputSchema } : {}),
    });
  }
  return { tools, declared };
}

async function handle(
  msg: JsonRpcRequest,
  legs: Leg[],
  requestId: string,
  /** Code mode, when the policy enables it: offered as the tool `codemode__execute`. */
  codemode: Runner | null,
): Promise<{ response: JsonRpcResponse; headers?: Record<string, string> }> {
  const params = msg.params ?? {};
  const meta = isObject(params._meta) ? params._meta : undefined;
  switch (msg.method) {
    case "ping":
      return { response: ok(msg.id, {}) };
    case "tools/list": {
      const { tools, declared } = await aggregateTools(legs);
      return { response: ok(msg.id, { tools: codemode ? [...tools, codemodeToolDefinition(declared)] : tools }) };
    }
    case "prompts/list": {
      const { table, byServer } = await promptTable(legs, meta);
      const prompts = table.flatMap((row) => {
        const p = (byServer.get(row.server) ?? []).find((i) => isObject(i) && i.name === row.tool);
        return isObject(p) ? [{ ...p, name: row.name }] : [];
      });
      return { response: ok(msg.id, { prompts }) };
    }
    case "prompts/get": {
      const { table } = await promptTable(legs, meta);
      const row = table.find((r) => r.name === params.name);
      const leg = row && legs.find((l) => l.call.server.name === row.server);
      if (!row || !leg) return { response: unknown("prompt", params.name, msg.id, requestId) };
      const upstreamMsg: JsonRpcRequest = { ...msg, params: { ...params, name: row.tool } };
      const { _meta: _m, ...rest } = upstreamMsg.params ?? {};
      const r = await rpc(leg, "prompts/get", rest, meta);
      return { response: { ...(await transformResponse(leg.call, upstreamMsg, { ...r, id: msg.id })), id: msg.id } };
    }
    case "resources/list":
    case "resources/templates/list": {
      const key = msg.method === "resources/list" ? "resources" : "resourceTemplates";
      const lists = await Promise.all(legs.map((leg) => listAll(leg, msg.method, key, meta).catch(() => [])));
      return { response: ok(msg.id, { [key]: lists.flat() }) };
    }
    case "resources/read":
    case "resources/subscribe":
    case "resources/unsubscribe": {
      // URIs are the upstreams' own: the first server that knows the resource answers.
      let last: JsonRpcResponse | undefined;
      const { _meta: _m, ...rest } = params;
      for (const leg of legs) {
        const r = await rpc(leg, msg.method, rest, meta).catch(() => undefined);
        if (r && !r.error) return { response: { ...(await transformResponse(leg.call, msg, { ...r, id: msg.id })), id: msg.id } };
        last = r ?? last;
      }
      return {
        response: last
          ? { ...last, id: msg.id }
          : errorFor({ kind: "not_found", what: `resource ${String(params.uri).slice(0, 200)}` }, msg.id, requestId),
      };
    }
    case "completion/complete": {
      // A prompt's arguments complete at the server that has the prompt; a resource template's at the first that knows it.
      const ref = isObject(params.ref) ? params.ref : {};
      const { _meta: _m, ...rest } = params;
      if (ref.type === "ref/prompt") {
        const { table } = await promptTable(legs, meta);
        const row = table.find((r) => r.name === ref.name);
        const leg = row && legs.find((l) => l.call.server.name === row.server);
        if (!row || !leg) return { response: unknown("prompt", ref.name, msg.id, requestId) };
        const r = await rpc(leg, msg.method, { ...rest, ref: { ...ref, name: row.tool } }, meta);
        return { response: { ...r, id: msg.id } };
      }
      for (const leg of legs) {
        const r = await rpc(leg, msg.method, rest, meta).catch(() => undefined);
        if (r && !r.error) return { response: { ...r, id: msg.id } };
      }
      return { response: ok(msg.id, { completion: { values: [], hasMore: false } }) };
    }
    case "logging/setLevel":
      await Promise.all(legs.map((leg) => rpc(leg, msg.method, { level: params.level }, meta).catch(() => undefined)));
      return { response: ok(msg.id, {}) };
    case "server/discover":
      return {
        response: ok(msg.id, {
          supportedVersions: [STATELESS, ...SUPPORTED],
          capabilities: capabilities(),
          serverInfo: SERVER_INFO,
        }),
      };
    default:
      return { response: errorFor({ kind: "method_not_allowed", method: msg.method.slice(0, 80) }, msg.id, requestId) };
  }
}

function capabilities(): Record<string, unknown> {
  return {
    tools: { listChanged: false },
    prompts: { listChanged: false },
    resources: { subscribe: false, listChanged: false },
    logging: {},
    completions: {},
  };
}

const json = (body: unknown, requestId: string, extra: Record<string, string> = {}, status = 200) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", "x-request-id": requestId, ...extra },
  });

/** A server's own request goes to the client as "rf:<server>:<n|s>:<id>", so the answer finds its way back. */
const renameFor =
  (server: string) =>
  (m: JsonRpcRequest): JsonRpcRequest => ({ ...m, id: `rf:${server}:${typeof m.id === "number" ? "n" : "s"}:${m.id}` });

function answerRoute(id: string): { server: string; id: JsonRpcId } | null {
  const m = /^rf:([a-z0-9][a-z0-9_-]{0,31}):([ns]):(.*)$/s.exec(id);
  if (!m?.[1] || m[3] === undefined) return null;
  return { server: m[1], id: m[2] === "n" ? Number(m[3]) : m[3] };
}

function legHeaders(leg: Leg, msg?: JsonRpcRequest): Headers {
  const headers = new Headers({
    "content-type": "application/json",
    accept: "application/json, text/event-stream",
    "mcp-protocol-version": leg.version,
  });
  if (leg.session) headers.set("mcp-session-id", leg.session);
  if (msg && leg.version === STATELESS) {
    headers.set("mcp-method", msg.method);
    const name = msg.params?.name ?? msg.params?.uri;
    if (typeof name === "string") headers.set("mcp-name", name);
  }
  return headers;
}

/** One message to a leg, its answer discarded (notifications, answers to the server's own requests). */
async function post(leg: Leg, body: unknown): Promise<void> {
  const res = await callServer(leg.call.env, leg.call.config.id, leg.call.server, {
    method: "POST",
    headers: legHeaders(leg),
    body: JSON.stringify(body),
  }).catch(() => null);
  await res?.body?.cancel();
}

/**
 * A tool call through the aggregate, relayed as /mcp/<server> relays it: progress, logs and the server's own requests
 * (sampling, elicitation) stream to the client, the result is scanned, and the client's answers are routed back.
 */
async function streamToolCall(msg: JsonRpcRequest, legs: Leg[], requestId: string): Promise<Response> {
  const params = msg.params ?? {};
  const { table } = await toolTable(legs);
  const row = table.find((r) => r.name === params.name);
  const leg = row && legs.find((l) => l.call.server.name === row.server);
  if (!row || !leg) return json(unknown("tool", params.name, msg.id, requestId), requestId);
  const admitted = await admitToolCall(leg.call, { ...msg, params: { ...params, name: row.tool } });
  const headers = legHeaders(leg, admitted);
  const res = await callServer(leg.call.env, leg.call.config.id, leg.call.server, {
    method: "POST",
    headers,
    body: JSON.stringify(admitted),
  });
  if (res.status === 404 && leg.session) {
    await res.body?.cancel();
    throw new RingfenceError({ kind: "not_found", what: "session (an upstream session ended: initialize again)" });
  }
  const requests = new Map([[idKey(admitted.id), admitted]]);
  if ((res.headers.get("content-type") ?? "").includes("text/event-stream") && res.body) {
    leg.call.renameServerRequest = renameFor(leg.call.server.name);
    const body = await relaySse(leg.call, res.body, requests, [], headers);
    return new Response(body, {
      status: 200,
      headers: { "content-type": "text/event-stream", "cache-control": "no-cache", "x-request-id": requestId },
    });
  }
  const r = await responseTo(res, admitted.id);
  return json(await transformResponse(leg.call, admitted, r), requestId);
}

export async function handleAggregatePost(c: Context<AppEnv>): Promise<Response> {
  const claims = await admit(c);
  if (claims instanceof Response) return claims;
  const requestId = c.get("requestId");
  const text = await readBodyText(c);
  let msg: unknown;
  try {
    msg = JSON.parse(text);
  } catch (err) {
    return refuse(c, { kind: "invalid_json", message: err instanceof Error ? err.message : "parse error" });
  }
  if (Array.isArray(msg))
    return refuse(c, { kind: "invalid_request", message: "the aggregate endpoint takes one message per request" });
  const version = isRequest(msg) && msg.method === "tools/call" ? undefined : await checkAccess(c.env, claims);
  const calls = await legsFor(c, claims, version);

  if (isNotification(msg) && msg.method === "notifications/cancelled") {
    // Tool calls go upstream under the client's own id, so every server can be told; the others ignore it.
    const sid = c.req.header("mcp-session-id");
    const session = sid ? await openSession(c.env, claims, sid) : null;
    const cancels = (session?.upstreams ?? []).flatMap((u) => {
      const call = calls.find((x) => x.server.name === u.server);
      return call ? [notify({ call, session: u.session, version: u.version }, msg.method, msg.params).catch(() => {})] : [];
    });
    c.executionCtx.waitUntil(Promise.all(cancels));
  }
  if (isResponse(msg) && typeof msg.id === "string") {
    // The client's answer to a server's own request: back to the server that asked, under its own id.
    const route = answerRoute(msg.id);
    const sid = c.req.header("mcp-session-id");
    const session = sid ? await openSession(c.env, claims, sid) : null;
    const u = route && session?.upstreams.find((x) => x.server === route.server);
    const call = u && calls.find((x) => x.server.name === u.server);
    if (route && u && call) {
      const answer = guardClientAnswer(call, { ...msg, id: route.id });
      await post({ call, session: u.session, version: u.version }, answer);
      logCall(call);
    }
  }
  if (isNotification(msg) || (isObject(msg) && !("method" in msg)))
    return new Response(null, { status: 202, headers: { "x-request-id": requestId } });
  if (!isRequest(msg)) return refuse(c, { kind: "invalid_request", message: "not a JSON-RPC 2.0 message" });

  if (msg.method === "initialize") {
    const asked = typeof msg.params?.protocolVersion === "string" ? msg.params.protocolVersion : "";
    const agreed = SUPPORTED.includes(asked) ? asked : (SUPPORTED[1] as string);
    const upstreams = await Promise.all(
      calls.map(async (call) => {
        const leg: Leg = { call, session: null, version: agreed };
        try {
          const init = await callServer(call.env, call.config.id, call.server, {
            method: "POST",
            headers: new Headers({ "content-type": "application/json", accept: "application/json, text/event-stream" }),
            body: JSON.stringify({
              jsonrpc: "2.0",
              id: 0,
              method: "initialize",
              // The client's own features (sampling, elicitation, roots): the servers' requests are routed back to it.
              params: {
                protocolVersion: agreed,
                capabilities: isObject(msg.params?.capabilities) ? msg.params.capabilities : {},
                clientInfo: isObject(msg.params?.clientInfo)
                  ? msg.params.clientInfo
                  : { name: "ringfence-aggregate", version: "0.1.0" },
              },
            }),
          });
          const sid = init.headers.get("mcp-session-id");
          const r = await responseTo(init, 0);
          if (r.error || !isObject(r.result)) return null;
          leg.session = sid;
          leg.version = typeof r.result.protocolVersion === "string" ? r.result.protocolVersion : agreed;
          await notify(leg, "notifications/initialized");
          return { server: call.server.name, session: sid, version: leg.version };
        } catch (err) {
          call.refusals.push(`initialize failed: ${toFailure(err, "mcp").kind}`);
          return null;
        }
      }),
    );
    const session: Session = {
      org: claims.org,
      root: claims.led[0] ?? claims.jti,
      upstreams: upstreams.filter((u) => u !== null),
    };
    const id = await sealSession(c.env, session);
    return json(ok(msg.id, { protocolVersion: agreed, capabilities: capabilities(), serverInfo: SERVER_INFO }), requestId, {
      "mcp-session-id": id,
    });
  }

  const meta = isObject(msg.params?._meta) ? msg.params._meta : undefined;
  const stateless =
    c.req.header("mcp-protocol-version") === STATELESS || meta?.["io.modelcontextprotocol/protocolVersion"] === STATELESS;
  let legs: Leg[];
  if (stateless) {
    legs = calls.map((call) => ({ call, session: null, version: STATELESS }));
  } else {
    const sid = c.req.header("mcp-session-id");
    const session = sid ? await openSession(c.env, claims, sid) : null;
    if (!session) return refuse(c, { kind: "not_found", what: "session (initialize first)" });
    legs = session.upstreams.flatMap((u) => {
      const call = calls.find((x) => x.server.name === u.server);
      return call ? [{ call, session: u.session, version: u.version }] : [];
    });
  }
  try {
    // Code mode only matters to listing and calling tools.
    const runner = msg.method === "tools/list" || msg.method === "tools/call" ? await codemodeRunner(c, claims) : null;
    if (msg.method === "tools/call" && runner && msg.params?.name === CODEMODE_TOOL) {
      return json(ok(msg.id, await callCodemodeTool(runner, msg.params.arguments)), requestId);
    }
    if (msg.method === "tools/call") return await streamToolCall(msg, legs, requestId);
    const { response } = await handle(msg, legs, requestId, runner);
    return json(response, requestId);
  } catch (err) {
    const failure = toFailure(err, "mcp");
    if (failure.kind === "unavailable" || failure.kind === "internal" || failure.kind === "token_revoked") throw err;
    if (failure.kind === "not_found" && failure.what.startsWith("session")) return refuse(c, failure);
    return json(errorFor(failure, msg.id, requestId), requestId);
  } finally {
    for (const leg of legs) logCall(leg.call);
  }
}

/** Code mode for this caller, or null when the org's policy disables it. */
async function codemodeRunner(c: Context<AppEnv>, claims: CapabilityClaims): Promise<Runner | null> {
  const flags = c.req.header(FLAGS_HEADER);
  const policy = effectivePolicy(await cachedOrgConfig(c.env, claims.org), claims, flags);
  if (!policy.codemode.enabled || !codemodeAccess(claims.tools).ok) return null;
  return {
    env: c.env,
    ctx: c.executionCtx as ExecutionContext,
    claims,
    policy,
    requestId: c.get("requestId"),
    ...(flags ? { flags } : {}),
    // The aggregate session's own ceiling covers calls made from code too.
    ...(c.req.header("mcp-session-id") ? { session: c.req.header("mcp-session-id") as string } : {}),
  };
}

/** DELETE ends every upstream session of the aggregate session. */
export async function handleAggregateDelete(c: Context<AppEnv>): Promise<Response> {
  const claims = await admit(c);
  if (claims instanceof Response) return claims;
  const sid = c.req.header("mcp-session-id");
  const session = sid ? await openSession(c.env, claims, sid) : null;
  if (!session) return refuse(c, { kind: "not_found", what: "session" });
  const calls = await legsFor(c, claims, await checkAccess(c.env, claims));
  await Promise.all(
    session.upstreams.map(async (u) => {
      const call = calls.find((x) => x.server.name === u.server);
      if (!call || !u.session) return;
      const res = await callServer(call.env, call.config.id, call.server, {
        method: "DELETE",
        headers: new Headers({ "mcp-session-id": u.session, "mcp-protocol-version": u.version }),
      }).catch(() => null);
      await res?.body?.cancel();
    }),
  );
  return new Response(null, { status: 200, headers: { "x-request-id": c.get("requestId") } });
}
