// Agent → tool: every tools/call passes scope, ACL, pinning, definition, constraints, argument scan and the Meter.
import { guardData } from "../../src/detect/guard-json";
import { type Failure, RingfenceError } from "../../src/errors";
import { toolAccess } from "../../src/mcp/acl";
import { checkArguments } from "../../src/mcp/constraints";
import { isObject, type JsonRpcRequest, type JsonRpcResponse } from "../../src/mcp/jsonrpc";
import { argsHash } from "../../src/mcp/loop";
import type { ToolCallResult } from "../../src/meter/types";
import type { OrgConfig } from "../../src/registry/config";
import { refreshIfStale, rememberOrgConfig } from "../gateway/org-config";
import { effectivePolicy } from "../gateway/policy";
import type { BrokerCall } from "./call";
import { currentDefinitions, recordInRegistry } from "./definitions";
import { checkAgainstSchema } from "./schema";

const ownPin = (config: OrgConfig, server: string, tool: string) => {
  const pins = Object.hasOwn(config.toolPins, server) ? config.toolPins[server] : undefined;
  return pins && Object.hasOwn(pins, tool) ? pins[tool] : undefined;
};

const denied = (call: BrokerCall, tool: string, step: Extract<Failure, { kind: "tool_denied" }>["step"], reason: string) =>
  new RingfenceError({ kind: "tool_denied", server: call.server.name, tool, step, reason });

/**
 * Admits one tools/call, or throws the refusal. Returns the message to forward: the same, or with arguments redacted
 * by policy. When the Meter's reply says the org's config changed, the checks run again on the new config before
 * anything is forwarded.
 */
export async function admitToolCall(call: BrokerCall, msg: JsonRpcRequest): Promise<JsonRpcRequest> {
  const params = msg.params ?? {};
  const tool = params.name;
  if (typeof tool !== "string" || tool.length === 0) {
    throw new RingfenceError({ kind: "invalid_request", message: "tools/call needs params.name", param: "name" });
  }
  const args = params.arguments ?? {};
  // Both before anything is forwarded, side by side: the Meter's round trip waits while the checks run. A call the
  // checks refuse still counts for the loop guard, as an agent retrying a refused call is looping too.
  const [checked, version] = await Promise.allSettled([staticChecks(call, tool, args), meterCheck(call, tool, args)]);
  if (version.status === "rejected") throw version.reason;
  if (checked.status === "rejected") throw checked.reason;
  let guarded = checked.value;
  if (version.value > call.config.version) {
    const fresh = await refreshIfStale(call.env, call.claims.org, version.value);
    if (fresh) {
      call.config = fresh;
      call.policy = effectivePolicy(fresh, call.claims, call.flags);
      guarded = await staticChecks(call, tool, args);
    }
  }
  if (guarded === args) return msg;
  return { ...msg, params: { ...params, arguments: guarded } };
}

/** Scope, ACL, definition, pin, constraints and the argument scan: everything decided without the Meter. */
async function staticChecks(call: BrokerCall, tool: string, args: unknown): Promise<unknown> {
  const mcp = call.policy.mcp;
  const server = call.server.name;
  const access = toolAccess({ access: mcp.access, tokenTools: call.claims.tools, server, tool });
  if (!access.ok) throw denied(call, tool, access.step, access.reason);

  const defs = await currentDefinitions(call);
  const def = defs.get(tool);
  if (!def) throw denied(call, tool, "unknown_tool", "the server does not list this tool, so its definition cannot be checked");
  // An admin's approval of exactly this definition overrides the scan (a false positive, or a risk accepted).
  const vouched = ownPin(call.config, server, tool);
  const adminApproved = vouched?.approvedBy === "admin" && vouched.hash === def.hash;
  if (def.findings.length > 0 && mcp.definitions === "block" && !adminApproved) {
    throw denied(call, tool, "definition", `its definition looks poisoned (${def.findings.join(", ")})`);
  }
  let config = call.config;
  if (!ownPin(config, server, tool)) {
    config = await recordInRegistry(call.env, config, server, new Map([[tool, def]]));
    rememberOrgConfig(config);
    call.config = config;
  }
  const pin = ownPin(config, server, tool);
  if (mcp.pinning === "enforce" && pin?.hash !== def.hash) {
    throw denied(
      call,
      tool,
      "pinning",
      pin ? "its definition changed since it was approved; an admin must approve the new one" : "it has not been approved",
    );
  }

  const schema = checkAgainstSchema(def.hash, def.def.inputSchema, args);
  if (!schema.ok) throw denied(call, tool, "schema", schema.reason);

  // Own properties only: a tool named "constructor" must not pick up Object.prototype's.
  const serverConstraints = Object.hasOwn(mcp.constraints, server) ? mcp.constraints[server] : undefined;
  const toolConstraints = serverConstraints && Object.hasOwn(serverConstraints, tool) ? serverConstraints[tool] : undefined;
  const checked = checkArguments(args, toolConstraints ?? {});
  if (!checked.ok) throw denied(call, tool, "constraint", `argument '${checked.param}' ${checked.reason}`);

  const guarded = guardData(args, mcp.arguments, {
    minConfidence: call.policy.minConfidence,
    enforce: call.policy.mode === "enforce",
  });
  for (const d of guarded.decisions) call.findings.push({ ...d, path: `arguments:${tool}.${d.path}` });
  if (guarded.blocked && call.policy.mode === "enforce") {
    throw new RingfenceError({
      kind: "policy_blocked",
      detection: guarded.blocked.kind,
      location: `tools/call ${server}/${tool} arguments.${guarded.blocked.path}`,
      direction: "request",
    });
  }

  return guarded.value;
}

/** The Meter's round trip: revocation, loop guard, ceilings, rates. Returns the org config version it knows. */
async function meterCheck(call: BrokerCall, tool: string, args: unknown): Promise<number> {
  const server = call.server.name;
  const mcp = call.policy.mcp;
  let verdict: ToolCallResult;
  try {
    verdict = await call.env.METER.getByName(call.claims.org).toolCall({
      ledgers: call.claims.led,
      ...(call.session ? { session: `${server}\n${call.session}` } : {}),
      server,
      tool,
      argsHash: await argsHash(args),
      limits: mcp.loop,
    });
  } catch (err) {
    throw new RingfenceError({ kind: "unavailable", step: "meter", message: err instanceof Error ? err.message : String(err) });
  }
  if (!verdict.ok) {
    if (verdict.reason === "revoked") throw new RingfenceError({ kind: "token_revoked" });
    throw new RingfenceError({
      kind: "tool_limited",
      server,
      tool,
      limit: verdict.limit,
      retryAfterSeconds: verdict.retryAfterSeconds,
      message: verdict.message,
    });
  }
  return verdict.configVersion;
}

/**
 * The client's answer to a server's request (a sampling result, an elicited value) goes to the tool server: it is
 * scanned like arguments. A blocked answer is replaced by an error the server can handle.
 */
export function guardClientAnswer(call: BrokerCall, msg: JsonRpcResponse): JsonRpcResponse {
  if (!isObject(msg.result)) return msg;
  const guarded = guardData(msg.result, call.policy.mcp.arguments, {
    minConfidence: call.policy.minConfidence,
    enforce: call.policy.mode === "enforce",
  });
  for (const d of guarded.decisions) call.findings.push({ ...d, path: `client-answer.${d.path}` });
  if (guarded.blocked && call.policy.mode === "enforce") {
    return {
      jsonrpc: "2.0",
      id: msg.id,
      error: { code: -32004, message: `Blocked by ringfence policy: ${guarded.blocked.kind}` },
    };
  }
  return guarded.value === msg.result ? msg : { ...msg, result: guarded.value };
}
