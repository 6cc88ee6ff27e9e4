import { describe, expect, it } from "vitest";
import { type McpAccess, McpAccessSchema, serverAccess, serverVisible, toolAccess } from "../../src/mcp/acl";

const open: McpAccess = { default: "allow", servers: {} };
const policy: McpAccess = {
  default: "deny",
  servers: {
    github: { allow: ["get_*", "list_*", "search_*", "create_issue"], deny: ["get_secret*"] },
    fs: { deny: ["write_*", "delete_*"] },
    slack: { allow: [] },
  },
};

const call = (access: McpAccess, tokenTools: string[] | undefined, server: string, tool: string) =>
  toolAccess({ access, tokenTools, server, tool });

describe("toolAccess: token scope", () => {
  it("refuses every tool to a token without a tool scope", () => {
    expect(call(open, undefined, "github", "get_issue")).toMatchObject({ ok: false, step: "token_scope" });
    expect(call(open, [], "github", "get_issue")).toMatchObject({ ok: false, step: "token_scope" });
  });

  it("allows what the token's <server>/<tool> globs match, and only that", () => {
    const tools = ["github/get_*", "fs/*"];
    expect(call(open, tools, "github", "get_issue").ok).toBe(true);
    expect(call(open, tools, "fs", "write_file").ok).toBe(true);
    expect(call(open, tools, "github", "create_issue")).toMatchObject({ ok: false, step: "token_scope" });
    expect(call(open, tools, "githubx", "get_issue")).toMatchObject({ ok: false, step: "token_scope" });
    expect(call(open, ["*"], "anything", "at_all").ok).toBe(true);
  });

  it("does not let a '/' in an upstream tool name stretch a glob across servers or tools", () => {
    // "*/read_*" is meant for read_ tools: a tool named "delete/read_all" must not ride on it.
    expect(call(open, ["*/read_*"], "fs", "delete/read_all").ok).toBe(false);
    expect(call(open, ["*/read_*"], "fs", "read_file").ok).toBe(true);
    // A glob for server "a" with tools under "x/" does not reach tool "x/y" of server "a" by splitting differently.
    expect(call(open, ["a/x/*"], "a", "x/y").ok).toBe(false);
    // Only `*` stands for the slash.
    expect(call(open, ["a/*"], "a", "x/y").ok).toBe(true);
  });
});

describe("toolAccess: policy ACL", () => {
  const all = ["*"];
  it("allow list is the only way in; deny beats allow", () => {
    expect(call(policy, all, "github", "get_issue").ok).toBe(true);
    expect(call(policy, all, "github", "create_issue").ok).toBe(true);
    expect(call(policy, all, "github", "delete_repo")).toMatchObject({ ok: false, step: "policy_acl" });
    const denied = call(policy, all, "github", "get_secret_scanning_alert");
    expect(denied).toMatchObject({ ok: false, step: "policy_acl" });
    if (!denied.ok) expect(denied.reason).toContain("get_secret*");
  });

  it("a server with deny rules only falls back to the default for the rest", () => {
    expect(call(policy, all, "fs", "read_file")).toMatchObject({ ok: false, step: "policy_acl" });
    expect(call({ ...policy, default: "allow" }, all, "fs", "read_file").ok).toBe(true);
    expect(call({ ...policy, default: "allow" }, all, "fs", "write_file")).toMatchObject({ ok: false, step: "policy_acl" });
  });

  it("unlisted servers follow the default", () => {
    expect(call(policy, all, "jira", "get_issue")).toMatchObject({ ok: false, step: "policy_acl" });
    expect(call(open, all, "jira", "get_issue").ok).toBe(true);
  });

  it("both must allow: the token is checked first", () => {
    expect(call(policy, ["fs/*"], "github", "get_issue")).toMatchObject({ ok: false, step: "token_scope" });
    expect(call(policy, ["github/delete_*"], "github", "delete_repo")).toMatchObject({ ok: false, step: "policy_acl" });
  });

  it("a server named like an Object.prototype member is just unlisted", () => {
    expect(call(policy, all, "constructor", "x")).toMatchObject({ ok: false, step: "policy_acl" });
    expect(call(open, all, "__proto__", "x").ok).toBe(true);
  });
});

describe("serverVisible", () => {
  it("hides a server the token's scope cannot reach", () => {
    expect(serverVisible({ access: open, tokenTools: undefined, server: "github" })).toBe(false);
    expect(serverVisible({ access: open, tokenTools: ["fs/*"], server: "github" })).toBe(false);
    expect(serverVisible({ access: open, tokenTools: ["fs/*"], server: "fs" })).toBe(true);
    expect(serverVisible({ access: open, tokenTools: ["git*/get_issue"], server: "github" })).toBe(true);
    expect(serverVisible({ access: open, tokenTools: ["*"], server: "github" })).toBe(true);
    expect(serverVisible({ access: open, tokenTools: ["*_issue"], server: "github" })).toBe(true);
  });

  it("hides a server the policy closes", () => {
    expect(serverVisible({ access: policy, tokenTools: ["*"], server: "slack" })).toBe(false);
    expect(serverVisible({ access: policy, tokenTools: ["*"], server: "jira" })).toBe(false);
    expect(serverVisible({ access: policy, tokenTools: ["*"], server: "github" })).toBe(true);
    const closed: McpAccess = { default: "allow", servers: { fs: { deny: ["*"] } } };
    expect(serverVisible({ access: closed, tokenTools: ["*"], server: "fs" })).toBe(false);
  });

  it("is exact when the server's tools are given", () => {
    const input = { access: policy, tokenTools: ["github/list_*"], server: "github" };
    expect(serverVisible({ ...input, tools: ["get_issue", "create_issue"] })).toBe(false);
    expect(serverVisible({ ...input, tools: ["get_issue", "list_issues"] })).toBe(true);
    const why = serverAccess({ ...input, tools: ["get_issue"] });
    expect(why).toMatchObject({ ok: false, step: "token_scope" });
  });

  it("agrees with toolAccess: never hides a server some tool of which is allowed", () => {
    const scopes = [["*"], ["github/*"], ["g*/x"], ["*/get_*"], ["fs/read_*", "github/list_*"], ["*hub/*"]];
    const accesses: McpAccess[] = [open, policy, { default: "deny", servers: { github: { allow: ["x", "get_*"] } } }];
    const tools = ["x", "get_issue", "list_issues", "create_issue", "read_file"];
    for (const tokenTools of scopes)
      for (const access of accesses)
        for (const server of ["github", "fs", "slack", "jira"]) {
          const some = tools.some((tool) => toolAccess({ access, tokenTools, server, tool }).ok);
          if (some) expect(serverVisible({ access, tokenTools, server })).toBe(true);
        }
  });
});

describe("McpAccessSchema", () => {
  it("parses the policy shape and refuses unknown rule fields", () => {
    expect(McpAccessSchema.parse(policy)).toEqual(policy);
    expect(McpAccessSchema.safeParse({ default: "maybe", servers: {} }).success).toBe(false);
    expect(McpAccessSchema.safeParse({ default: "allow", servers: { x: { allowed: ["*"] } } }).success).toBe(false);
  });
});

describe("attenuation stays sound with this matching", () => {
  it("a child glob that globCovers puts under '*/r*' reaches no tool outside it", () => {
    // globCovers reads the child "a/x/r1" as a literal that "*/r*" matches. With '/' inside names opaque, the child
    // matches no (server, tool) pair at all, so it grants nothing the parent does not.
    expect(call(open, ["a/x/r1"], "a", "x/r1").ok).toBe(false);
    expect(call(open, ["*/r*"], "a", "x/r1").ok).toBe(false);
    expect(call(open, ["*/r*"], "a", "r1").ok).toBe(true);
  });
});
