// The tools a token may use in code mode: every allowed server's listable tools, from the broker's definitions cache.
import { toFailure } from "../../src/errors";
import { serverAccess } from "../../src/mcp/acl";
import type { Policy } from "../../src/policy/schema";
import type { OrgConfig } from "../../src/registry/config";
import type { CapabilityClaims } from "../../src/tokens/claims";
import type { BrokerCall } from "../mcp-broker/call";
import { currentDefinitions } from "../mcp-broker/definitions";
import { listable } from "../mcp-broker/inbound";

export interface CatalogTool {
  server: string;
  tool: string;
  description?: string;
  inputSchema: unknown;
  outputSchema?: unknown;
}

/**
 * Exactly the tools a call would be admitted to now (scope, ACL, poisoning, pinning), so the declaration never offers
 * what the broker refuses. A server that cannot be listed is left out and named in `unavailable`.
 */
export async function catalog(
  env: Env,
  ctx: { waitUntil(p: Promise<unknown>): void },
  who: { claims: CapabilityClaims; config: OrgConfig; policy: Policy; requestId: string },
): Promise<{ tools: CatalogTool[]; unavailable: string[] }> {
  const unavailable: string[] = [];
  const servers = who.config.mcpServers.filter(
    (s) => serverAccess({ access: who.policy.mcp.access, tokenTools: who.claims.tools, server: s.name }).ok,
  );
  const perServer = await Promise.all(
    servers.map(async (server) => {
      const call: BrokerCall = {
        env,
        claims: who.claims,
        config: who.config,
        server,
        policy: who.policy,
        requestId: who.requestId,
        findings: [],
        refusals: [],
        waitUntil: (p) => ctx.waitUntil(p),
      };
      try {
        const defs = await currentDefinitions(call);
        return [...defs].flatMap(([name, d]): CatalogTool[] =>
          listable(call, name, d)
            ? [
                {
                  server: server.name,
                  tool: name,
                  ...(d.def.description !== undefined ? { description: d.def.description } : {}),
                  inputSchema: d.def.inputSchema,
                  ...(d.def.outputSchema !== undefined ? { outputSchema: d.def.outputSchema } : {}),
                },
              ]
            : [],
        );
      } catch (err) {
        unavailable.push(`${server.name} (${toFailure(err, "codemode").kind})`);
        return [];
      }
    }),
  );
  return { tools: perServer.flat(), unavailable };
}
