// Which MCP tools a call may reach: the token's tool scope and the policy's per-server ACL must both allow the tool.
//
// Decisions:
// - A token without a tool scope reaches no tool; its globs are over "<server>/<tool>" (globMatch: `*` only).
// - A `/` inside a server or tool name is not the separator: it is matched as an opaque character only `*` can
//   stand for, so an upstream tool named "x/read_all" is not reached by "*/read_*" nor by a glob meant for a server
//   "a/x". Matching stays a plain glob over one string, which keeps attenuation's globCovers sound.
// - Policy: per server, a deny glob beats everything; an allow list, when present, is the only way in; a server with
//   no allow list falls back to the policy default.
import { z } from "zod";
import { globMatch } from "../tokens/glob";

const GlobsSchema = z.array(z.string().min(1).max(200)).max(256);

export const McpAccessSchema = z.object({
  /** For tools of servers without an allow list. */
  default: z.enum(["allow", "deny"]),
  /** Server name → tool-name globs. */
  servers: z.record(z.string(), z.strictObject({ allow: GlobsSchema.optional(), deny: GlobsSchema.optional() })),
});
export type McpAccess = z.infer<typeof McpAccessSchema>;

export type AccessStep = "token_scope" | "policy_acl";
export type Access = { ok: true } | { ok: false; step: AccessStep; reason: string };

interface AccessInput {
  access: McpAccess;
  /** The token's scope: globs over "<server>/<tool>"; undefined: the token has no tool scope, so no tool. */
  tokenTools: readonly string[] | undefined;
  server: string;
}

const OPAQUE = "\u0000";
const opaque = (name: string): string => name.replaceAll("/", OPAQUE);
const scoped = (server: string, tool: string): string => `${opaque(server)}/${opaque(tool)}`;

function serverRule(access: McpAccess, server: string): { allow?: string[]; deny?: string[] } | undefined {
  return Object.hasOwn(access.servers, server) ? access.servers[server] : undefined;
}

function tokenScope(tokenTools: readonly string[] | undefined, server: string, tool: string): Access {
  if (!tokenTools || tokenTools.length === 0) {
    return { ok: false, step: "token_scope", reason: "the token has no tool scope" };
  }
  const value = scoped(server, tool);
  if (tokenTools.some((g) => globMatch(g, value))) return { ok: true };
  return { ok: false, step: "token_scope", reason: `'${server}/${tool}' is outside the token's tool scope` };
}

function policyAcl(access: McpAccess, server: string, tool: string): Access {
  const rule = serverRule(access, server);
  const denied = rule?.deny?.find((g) => globMatch(g, tool));
  if (denied !== undefined) {
    return { ok: false, step: "policy_acl", reason: `policy denies '${tool}' on server '${server}' (rule '${denied}')` };
  }
  if (rule?.allow) {
    if (rule.allow.some((g) => globMatch(g, tool))) return { ok: true };
    return { ok: false, step: "policy_acl", reason: `'${tool}' is not in the policy's allow list for server '${server}'` };
  }
  if (access.default === "allow") return { ok: true };
  return { ok: false, step: "policy_acl", reason: `the policy denies tools of server '${server}' by default` };
}

/**
 * Code mode is a capability of its own: a token may use it when its tool scope names "codemode/execute" (or a glob
 * over it, such as "*\/*"). Only the scope decides here; the org's policy turns code mode on or off as a whole.
 */
export function codemodeAccess(tokenTools: readonly string[] | undefined): Access {
  return tokenScope(tokenTools, "codemode", "execute");
}

export function toolAccess(input: AccessInput & { tool: string }): Access {
  const scope = tokenScope(input.tokenTools, input.server, input.tool);
  if (!scope.ok) return scope;
  return policyAcl(input.access, input.server, input.tool);
}

/** Whether some string starting with `prefix` is matched by `glob`: some prefix of the glob matches `prefix` whole. */
function globReachesPrefix(glob: string, prefix: string): boolean {
  for (let k = 0; k <= glob.length; k++) if (globMatch(glob.slice(0, k), prefix)) return true;
  return false;
}

const onlyStars = (g: string): boolean => /^\*+$/.test(g);

/**
 * Whether any tool of `server` could be allowed, as the reason it is not. With `tools` (the server's tool names) the
 * answer is exact; without, it errs on the side of visible: a tool call is still checked by toolAccess.
 */
export function serverAccess(input: AccessInput & { tools?: readonly string[] }): Access {
  const { access, tokenTools, server, tools } = input;
  if (tools) {
    let last: Access = { ok: false, step: "policy_acl", reason: `server '${server}' lists no tools` };
    for (const tool of tools) {
      const a = toolAccess({ access, tokenTools, server, tool });
      if (a.ok) return a;
      last = a;
    }
    return last.ok ? last : { ok: false, step: last.step, reason: `no tool of server '${server}' is allowed` };
  }
  if (!tokenTools || tokenTools.length === 0) return { ok: false, step: "token_scope", reason: "the token has no tool scope" };
  const prefix = `${opaque(server)}/`;
  if (!tokenTools.some((g) => globReachesPrefix(g, prefix))) {
    return { ok: false, step: "token_scope", reason: `no tool of server '${server}' is in the token's tool scope` };
  }
  const rule = serverRule(access, server);
  const blocked = rule?.deny?.some(onlyStars) || (rule?.allow ? rule.allow.length === 0 : access.default === "deny");
  if (blocked) return { ok: false, step: "policy_acl", reason: `the policy allows no tool of server '${server}'` };
  return { ok: true };
}

export function serverVisible(input: AccessInput & { tools?: readonly string[] }): boolean {
  return serverAccess(input).ok;
}
