// Code mode over HTTP: run a program against the tools this token may use, or read their TypeScript declaration.
import { Hono } from "hono";
import { declarationsHeader, toolDeclarations } from "../../src/codemode/declarations";
import { RingfenceError } from "../../src/errors";
import { codemodeAccess } from "../../src/mcp/acl";
import type { CapabilityClaims } from "../../src/tokens/claims";
import { authenticate } from "../auth";
import type { AppEnv } from "../context";
import { cachedOrgConfig, refreshIfStale } from "../gateway/org-config";
import { effectivePolicy, FLAGS_HEADER } from "../gateway/policy";
import { checkAccess } from "../mcp-broker/proxy";
import { readJson } from "../shared/body";
import { logExecution } from "./audit";
import { catalog } from "./catalog";
import { admitAndExecute, codemodeDisabled, ExecuteBodySchema } from "./executor";

import { sandboxRoutes } from "./sandbox";

export { CodemodeEgress } from "./egress";
export { CodemodeRemoteTools } from "./sandbox";
export { CodemodeTools } from "./tools";

export const codemode = new Hono<AppEnv>();

codemode.route("/", sandboxRoutes);

/** Code mode is in the token's scope (the org's policy is checked once the config is known to be current). */
function inScope(claims: CapabilityClaims): void {
  const scope = codemodeAccess(claims.tools);
  if (!scope.ok) throw new RingfenceError({ kind: "forbidden", reason: `code mode: ${scope.reason}` });
}

codemode.post("/v1/codemode/execute", async (c) => {
  const claims = await authenticate(c);
  const body = await readJson(c, ExecuteBodySchema);
  const flags = c.req.header(FLAGS_HEADER);
  inScope(claims);
  // The Meter's round trip (revocation, request rate) in admitAndExecute says whether this config is current.
  const policy = effectivePolicy(await cachedOrgConfig(c.env, claims.org), claims, flags);
  const started = Date.now();
  const requestId = c.get("requestId");
  const { answer, isolateMs, headers } = await admitAndExecute(
    { env: c.env, ctx: c.executionCtx as ExecutionContext, claims, policy, requestId, ...(flags ? { flags } : {}) },
    body,
  );
  logExecution(requestId, claims, answer, Date.now() - started);
  return c.json(answer, 200, { ...headers, "server-timing": `isolate;dur=${isolateMs.toFixed(3)}` });
});

codemode.get("/v1/codemode/types", async (c) => {
  const claims = await authenticate(c);
  inScope(claims);
  const version = await checkAccess(c.env, claims);
  const config = (await refreshIfStale(c.env, claims.org, version)) ?? (await cachedOrgConfig(c.env, claims.org));
  const policy = effectivePolicy(config, claims, c.req.header(FLAGS_HEADER));
  if (!policy.codemode.enabled) throw codemodeDisabled();
  const listed = await catalog(c.env, c.executionCtx, { claims, config, policy, requestId: c.get("requestId") });
  const note = listed.unavailable.length > 0 ? `// Not reachable now, so not declared: ${listed.unavailable.join(", ")}\n` : "";
  return c.text(`${declarationsHeader()}\n${note}${toolDeclarations(listed.tools)}`, 200, {
    "content-type": "text/plain; charset=utf-8",
  });
});
