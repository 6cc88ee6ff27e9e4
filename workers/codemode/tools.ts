// A code-mode program's only way out: each tool call arrives as RPC from the loaded isolate and goes through the
// broker's outbound and inbound policy under the identity in the binding's props (set by the executor, not the program).
import { WorkerEntrypoint } from "cloudflare:workers";
import { describe, toFailure } from "../../src/errors";
import { serverAccess } from "../../src/mcp/acl";
import { isObject, type JsonRpcRequest, type JsonRpcResponse } from "../../src/mcp/jsonrpc";
import type { CapabilityClaims } from "../../src/tokens/claims";
import { cachedOrgConfig } from "../gateway/org-config";
import { effectivePolicy } from "../gateway/policy";
import { type BrokerCall, logCall } from "../mcp-broker/call";
import { transformResponse } from "../mcp-broker/inbound";
import { ownRequest, SessionGone } from "../mcp-broker/lister";
import { admitToolCall } from "../mcp-broker/outbound";
import { dropSession, pooledSession } from "./upstream-sessions";

export interface ToolsProps {
  claims: CapabilityClaims;
  requestId: string;
  /** The request's x-ringfence-flags (tighten-only). */
  flags?: string;
  /** The execution's id: the key of this side's record of its calls, and the loop guard's session unless... */
  execution: string;
  /** ...the execution runs inside an MCP session, whose ceiling its calls then count toward. */
  session?: string;
  /** Epoch ms past which no call is made: the execution's wall limit. */
  deadline: number;
  /** Calls allowed in the execution: the harness counts them, and so does this side, which the program cannot touch. */
  maxCalls: number;
}

export type ToolError = { kind: "policy" | "tool"; message: string };
export type ToolAnswer = { result: unknown } | { error: ToolError };

export class CodemodeTools extends WorkerEntrypoint<Env, ToolsProps> {
  /** `tools.<server>.<tool>(input)` in the program. Never throws: refusals and tool errors are answers. */
  async call(server: unknown, tool: unknown, input: unknown): Promise<ToolAnswer> {
    return callTool(this.env, this.ctx, this.ctx.props, server, tool, input);
  }
}

/** Refusals by the policy (as opposed to a tool failing): the program sees `policy`, not `tool`. */
const POLICY_FAILURES = new Set(["tool_denied", "tool_limited", "policy_blocked", "token_revoked", "forbidden"]);
/** MCP tool names (and ringfence's server names) fit this. */
const NAME = /^[A-Za-z0-9_./-]{1,128}$/;
/** Longest tool error text handed to the program. */
const MAX_ERROR_CHARS = 4000;

let nextId = 1;

export async function callTool(
  env: Env,
  ctx: { waitUntil(p: Promise<unknown>): void },
  props: ToolsProps,
  server: unknown,
  tool: unknown,
  input: unknown,
): Promise<ToolAnswer> {
  // Names are checked before anything records or sends them: a program could otherwise grow the answer, the audit
  // line and the Meter's loop state with megabyte-long "names".
  if (typeof server !== "string" || typeof tool !== "string" || !NAME.test(server) || !NAME.test(tool)) {
    return refused("tool", "tool and server names are 1-128 characters of letters, digits, '_', '-', '.' and '/'");
  }
  if (input !== undefined && !isObject(input)) return refused("tool", `the input of ${server}.${tool} must be an object`);
  const remaining = props.deadline - Date.now();
  if (remaining <= 0) return refused("policy", "the execution's time is up: no more tool calls");
  const state = executionState(props.execution, props.deadline);
  const entry: { server: string; tool: string; error?: string } = { server, tool };
  state.log.push(entry);
  // Never throws: a failure before the broker's own handling (the Registry unreachable) is a tool error too.
  const answer = await admitAndCall(env, ctx, props, state, server, tool, input).catch((err: unknown) =>
    refused("tool", describe(toFailure(err, "codemode"))),
  );
  if ("error" in answer) entry.error = answer.error.kind;
  return answer;
}

async function admitAndCall(
  env: Env,
  ctx: { waitUntil(p: Promise<unknown>): void },
  props: ToolsProps,
  state: Execution,
  server: string,
  tool: string,
  input: unknown,
): Promise<ToolAnswer> {
  if (state.ended) return refused("policy", "a tool was called after the execution ended");
  if (++state.calls > props.maxCalls) return refused("policy", `the program made more than ${props.maxCalls} tool calls`);
  const { claims } = props;
  const config = await cachedOrgConfig(env, claims.org);
  const found = config.mcpServers.find((s) => s.name === server);
  if (!found) return refused("tool", `there is no MCP server '${server.slice(0, 64)}'`);
  const policy = effectivePolicy(config, claims, props.flags);
  const visible = serverAccess({ access: policy.mcp.access, tokenTools: claims.tools, server });
  if (!visible.ok) return refused("policy", `${server}: ${visible.reason}`);
  const call: BrokerCall = {
    env,
    claims,
    config,
    server: found,
    policy,
    requestId: props.requestId,
    ...(props.flags ? { flags: props.flags } : {}),
    session: props.session ?? props.execution,
    findings: [],
    refusals: [],
    waitUntil: (p) => ctx.waitUntil(p),
  };
  const id = `rf-code-${nextId++}`;
  const request: JsonRpcRequest = { jsonrpc: "2.0", id, method: "tools/call", params: { name: tool, arguments: input ?? {} } };
  try {
    const admitted = await admitToolCall(call, request);
    const chain = claims.led[0] ?? claims.jti;
    let session = pooledSession(env, ctx, claims.org, chain, found);
    const send = async () =>
      ownRequest(
        env,
        claims.org,
        found,
        await session,
        { id, method: "tools/call", params: admitted.params ?? {} },
        AbortSignal.timeout(Math.max(1, props.deadline - Date.now())),
      );
    let response: JsonRpcResponse;
    try {
      response = await send();
    } catch (err) {
      if (!(err instanceof SessionGone)) throw err;
      dropSession(claims.org, chain, found, session);
      session = pooledSession(env, ctx, claims.org, chain, found);
      response = await send();
    }
    return answerOf(call, await transformResponse(call, admitted, response));
  } catch (err) {
    const failure = toFailure(err, "codemode");
    return refused(POLICY_FAILURES.has(failure.kind) ? "policy" : "tool", describe(failure));
  } finally {
    logCall(call);
  }
}

const refused = (kind: ToolError["kind"], message: string): ToolAnswer => ({
  error: { kind, message: message.slice(0, MAX_ERROR_CHARS) },
});

/**
 * What the program gets: the structured result when the tool gives one, else its text (content blocks when not all
 * text). A tool error or a result the policy blocked becomes a thrown error in the program.
 */
function answerOf(call: BrokerCall, msg: JsonRpcResponse): ToolAnswer {
  if (msg.error) return refused(msg.error.code === -32004 ? "policy" : "tool", msg.error.message);
  const result = isObject(msg.result) ? msg.result : {};
  const content = Array.isArray(result.content) ? result.content : [];
  const texts = content.flatMap((c) => (isObject(c) && c.type === "text" && typeof c.text === "string" ? [c.text] : []));
  if (result.isError === true) {
    const blocked = call.refusals.some((r) => r.startsWith("result blocked"));
    return refused(blocked ? "policy" : "tool", texts.join("\n") || "the tool reported an error");
  }
  if (result.structuredContent !== undefined) return { result: result.structuredContent };
  return { result: texts.length === content.length ? texts.join("\n") : content };
}

/** What this side knows of an execution, by its id: the calls it made. */
interface Execution {
  /** Past this (the execution's deadline) no call is made in its name anyway: the record can go. */
  until: number;
  calls: number;
  /** What was called, in order, as this side saw it (the audit's record: the program cannot edit it). */
  log: { server: string; tool: string; error?: string }[];
  /** The executor has answered: nothing more may be called in this execution's name. */
  ended: boolean;
}
const executions = new Map<string, Execution>();
let sweptAt = 0;

function executionState(execution: string, until: number): Execution {
  const now = Date.now();
  if (now - sweptAt > 1000) {
    sweptAt = now;
    // A minute past its deadline: the executor has read the record long before (its wall timer fires at the deadline).
    for (const [key, e] of executions) if (e.until + 60_000 < now) executions.delete(key);
  }
  let state = executions.get(execution);
  if (!state) {
    state = { until, calls: 0, log: [], ended: false };
    executions.set(execution, state);
  }
  return state;
}

/** Opens this side's record of an execution before it runs, so its calls land in it from the first one. */
export function beginExecution(execution: string, deadline: number): void {
  executionState(execution, deadline);
}

/** The calls this isolate made for the execution, or undefined when it knows nothing of it. */
export function recordedCalls(execution: string): { server: string; tool: string; error?: string }[] | undefined {
  return executions.get(execution)?.log;
}

/** Forgets the execution's record once the executor has taken it. */
/** The executor answered: later calls in the execution's name (a timer the program left behind) are refused. */
export function endExecution(execution: string, deadline: number): void {
  const state = executionState(execution, deadline);
  state.ended = true;
  state.log = [];
}
