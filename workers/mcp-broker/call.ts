// One broker request's context: who calls, which server, under which policy.
import type { Located } from "../../src/detect/guard-json";
import type { JsonRpcRequest } from "../../src/mcp/jsonrpc";
import type { Policy } from "../../src/policy/schema";
import type { McpServer, OrgConfig } from "../../src/registry/config";
import type { CapabilityClaims } from "../../src/tokens/claims";

export interface BrokerCall {
  env: Env;
  claims: CapabilityClaims;
  config: OrgConfig;
  server: McpServer;
  policy: Policy;
  requestId: string;
  /** The request's x-ringfence-flags header, to recompute the policy if the config changes mid-request. */
  flags?: string;
  /** The MCP session (legacy revisions), for the loop guard's per-session ceiling. */
  session?: string;
  /** What the policy found and did, for the response header and the log line. */
  findings: Located[];
  /** Calls the broker refused, for the log line. */
  refusals: string[];
  waitUntil(p: Promise<unknown>): void;
  /** The aggregate renames a server's own requests so the client's answer can be routed back to that server. */
  renameServerRequest?: (msg: JsonRpcRequest) => JsonRpcRequest;
}

/** One structured log line per request with findings or refusals: kinds, actions, places, never values. */
export function logCall(call: BrokerCall): void {
  if (call.findings.length === 0 && call.refusals.length === 0) return;
  console.log(
    JSON.stringify({
      event: "mcp",
      requestId: call.requestId,
      org: call.claims.org,
      sub: call.claims.sub,
      token: call.claims.jti,
      server: call.server.name,
      mode: call.policy.mode,
      refusals: call.refusals,
      findings: call.findings.map((f) => ({ kind: f.kind, action: f.action, at: f.path })),
    }),
  );
}
