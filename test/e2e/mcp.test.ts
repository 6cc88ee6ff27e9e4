// The MCP broker end to end: the official MCP client → ringfence /mcp/<server> → a fixture MCP server, one test per attack.
import http from "node:http";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type McpFixture, startMcpFixture } from "../fixtures/mcp-server";
import { type Gateway, startGateway } from "./harness";

const AWS_KEY = "AKIAQ7XJ2LMZ4RT6WP3N";
const UPSTREAM_CREDENTIAL = "Bearer upstream-secret-for-tools";

let gw: Gateway;
let tools: McpFixture;
let mail: McpFixture;

beforeAll(async () => {
  tools = await startMcpFixture({ profile: "attacks", name: "tools" });
  mail = await startMcpFixture({ profile: "attacks", name: "mail" });
  gw = await startGateway();
  await gw.putMcpServer("tools", { url: tools.url, headers: { authorization: UPSTREAM_CREDENTIAL } });
  await gw.putMcpServer("mail", { url: mail.url });
});
afterAll(async () => {
  await gw?.close();
  await tools?.close();
  await mail?.close();
});
beforeEach(() => {
  tools.reset();
  mail.reset();
});

async function connect(server: string, token = gw.token, headers: Record<string, string> = {}): Promise<Client> {
  const client = new Client({ name: "ringfence-e2e", version: "1.0.0" });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${gw.url}/mcp/${server}`), {
      requestInit: { headers: { authorization: `Bearer ${token}`, ...headers } },
    }),
  );
  return client;
}

/** The JSON-RPC error a refused call raises in the official client. */
async function refusal(p: Promise<unknown>): Promise<{ code: number; message: string }> {
  const err = (await p.then(
    () => {
      throw new Error("the call was not refused");
    },
    (e: unknown) => e,
  )) as { code?: number; message?: string };
  return { code: err.code ?? 0, message: err.message ?? "" };
}

const text = (result: unknown): string =>
  ((result as { content?: { type: string; text?: string }[] }).content ?? []).map((c) => c.text ?? "").join("\n");

describe("MCP broker: the official client through /mcp/<server>", () => {
  it("lists and calls tools; the server gets ringfence's credential for it, never the client's token", async () => {
    const client = await connect("tools");
    const listed = await client.listTools();
    const names = listed.tools.map((t) => t.name);
    expect(names).toContain("echo");
    expect(text(await client.callTool({ name: "echo", arguments: { text: "hello" } }))).toContain("hello");
    await client.close();
    const seen = tools.requests.filter((r) => r.method === "POST");
    expect(seen.length).toBeGreaterThan(0);
    for (const r of seen) {
      expect(r.headers.authorization).toBe(UPSTREAM_CREDENTIAL);
      expect(JSON.stringify(r.headers)).not.toContain(gw.token);
    }
  });

  it("without a token: 401 pointing at the protected-resource metadata, which names the resource", async () => {
    const res = await fetch(`${gw.url}/mcp/tools`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: JSON.stringify({ jsonrpc: "2.0", id: "no-token-1", method: "tools/list" }),
    });
    expect(res.status).toBe(401);
    const challenge = res.headers.get("www-authenticate") ?? "";
    const url = /resource_metadata="([^"]+)"/.exec(challenge)?.[1];
    expect(url).toBe(`${gw.url}/.well-known/oauth-protected-resource/mcp/tools`);
    const meta = (await (await fetch(url as string)).json()) as { resource: string; bearer_methods_supported: string[] };
    expect(meta).toMatchObject({ resource: `${gw.url}/mcp/tools`, bearer_methods_supported: ["header"] });
    // Only this request: another test's late traffic may still arrive.
    expect(tools.requests.some((r) => r.body.includes('"no-token-1"'))).toBe(false);
  });

  it("a forged token is refused with invalid_token, before anything reaches the server", async () => {
    const forged = `${gw.token.slice(0, -4)}AAAA`;
    const res = await fetch(`${gw.url}/mcp/tools`, {
      method: "POST",
      headers: { authorization: `Bearer ${forged}`, "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: "forged-1", method: "tools/list" }),
    });
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toContain('error="invalid_token"');
    // Only this request: another test's late traffic may still arrive.
    expect(tools.requests.some((r) => r.body.includes('"forged-1"'))).toBe(false);
  });

  it("a session is bound to the token chain that opened it: another token cannot use its id", async () => {
    const headers = (token: string) => ({
      authorization: `Bearer ${token}`,
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      "mcp-protocol-version": "2025-06-18",
    });
    const init = await fetch(`${gw.url}/mcp/tools`, {
      method: "POST",
      headers: headers(gw.token),
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "initialize",
        params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "a", version: "1" } },
      }),
    });
    const held = init.headers.get("mcp-session-id") ?? "";
    await init.text();
    const upstreamSid = tools.requests.flatMap((r) => (r.headers["mcp-session-id"] ? [r.headers["mcp-session-id"]] : []));
    expect(held).toMatch(/\./);
    expect(upstreamSid).not.toContain(held);
    const other = await gw.mintToken({ sub: "other", models: ["*"], tools: ["*/*"] });
    const ping = (token: string, sid: string) =>
      fetch(`${gw.url}/mcp/tools`, {
        method: "POST",
        headers: { ...headers(token), "mcp-session-id": sid },
        body: JSON.stringify({ jsonrpc: "2.0", id: 2, method: "ping" }),
      });
    expect((await ping(other, held)).status).toBe(404);
    expect((await ping(gw.token, `${held.slice(0, -1)}x`)).status).toBe(404);
    const same = await ping(gw.token, held);
    expect(same.status).toBe(200);
    await same.text();
  });

  it("DNS rebinding: a foreign Origin or Host is refused", async () => {
    const body = JSON.stringify({ jsonrpc: "2.0", id: "rebind-1", method: "ping" });
    const headers = { authorization: `Bearer ${gw.token}`, "content-type": "application/json", accept: "application/json" };
    const viaOrigin = await fetch(`${gw.url}/mcp/tools`, {
      method: "POST",
      headers: { ...headers, origin: "http://evil.example" },
      body,
    });
    expect(viaOrigin.status).toBe(403);
    // fetch() will not send a Host of its choosing; a rebinding browser does.
    const u = new URL(gw.url);
    const viaHost = await new Promise<number>((resolve, reject) => {
      const req = http.request(
        { host: u.hostname, port: u.port, path: "/mcp/tools", method: "POST", headers: { ...headers, host: "evil.example" } },
        (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode ?? 0));
        },
      );
      req.on("error", reject);
      req.end(body);
    });
    expect(viaHost).toBe(403);
    // Only this request: another test's late traffic may still arrive.
    expect(tools.requests.some((r) => r.body.includes('"rebind-1"'))).toBe(false);
  });
});

describe("header routing (2026-07-28)", () => {
  it("Mcp-Method or Mcp-Name headers that disagree with the body are refused before anything is forwarded", async () => {
    const call = (headers: Record<string, string>) =>
      fetch(`${gw.url}/mcp/tools`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${gw.token}`,
          "content-type": "application/json",
          accept: "application/json, text/event-stream",
          "mcp-protocol-version": "2026-07-28",
          ...headers,
        },
        body: JSON.stringify({
          jsonrpc: "2.0",
          id: "mismatch-7",
          method: "tools/call",
          params: { name: "echo", arguments: { text: "x" } },
        }),
      });
    const variants: Record<string, string>[] = [
      { "mcp-method": "tools/list" },
      { "mcp-method": "tools/call", "mcp-name": "add" },
    ];
    for (const headers of variants) {
      const res = await call(headers);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { code: number } }).error.code).toBe(-32020);
    }
    // Only this request: another test's late traffic may still arrive.
    expect(tools.requests.some((r) => r.body.includes('"mismatch-7"'))).toBe(false);
  });
});

describe("attacks", () => {
  it("poisoned description: the tool is hidden, calling it is refused, and the finding is recorded", async () => {
    const client = await connect("tools");
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names).not.toContain("add_numbers");
    const r = await refusal(client.callTool({ name: "add_numbers", arguments: { a: 1, b: 2 } }));
    expect(r.message).toContain("definition");
    await client.close();
    const events = (await (await gw.admin("/admin/orgs/dev/mcp/servers/tools/tools")).json()) as {
      events: { tool: string; event: string }[];
    };
    expect(events.events).toContainEqual(expect.objectContaining({ tool: "add_numbers", event: "poisoned" }));
    expect(tools.requests.some((q) => q.body.includes('"add_numbers"') && q.body.includes("tools/call"))).toBe(false);
  });

  it("rug pull: a tool whose definition changes is hidden and refused until an admin approves the new one", async () => {
    const client = await connect("tools");
    expect((await client.listTools()).tools.map((t) => t.name)).toContain("echo");
    await tools.rugPull();
    expect((await client.listTools()).tools.map((t) => t.name)).not.toContain("echo");
    // The new definition is both changed and malicious: either check alone refuses it.
    const r = await refusal(client.callTool({ name: "echo", arguments: { text: "x" } }));
    expect(r.message).toMatch(/step '(pinning|definition)'/);
    expect(tools.requests.some((q) => q.body.includes("tools/call") && q.body.includes('"echo"'))).toBe(false);

    type Events = { events: { tool: string; event: string; hash: string }[]; pins: Record<string, { hash: string }> };
    const before = (await (await gw.admin("/admin/orgs/dev/mcp/servers/tools/tools")).json()) as Events;
    const original = before.pins.echo?.hash;
    const changed = before.events.filter((e) => e.tool === "echo" && e.event !== "pinned").at(-1);
    expect(changed?.hash).toBeDefined();
    expect(changed?.hash).not.toBe(original);

    // An admin who approves exactly the new definition makes it usable.
    const approve = await gw.admin("/admin/orgs/dev/mcp/servers/tools/tools/echo/approve", {
      method: "POST",
      body: JSON.stringify({ hash: changed?.hash }),
    });
    expect(approve.status).toBe(200);
    expect((await client.listTools()).tools.map((t) => t.name)).toContain("echo");
    await client.close();

    // Back to the original definition: now that one is not the approved one, until it is approved again.
    tools.reset();
    const again = await connect("tools");
    expect((await again.listTools()).tools.map((t) => t.name)).not.toContain("echo");
    await gw.admin("/admin/orgs/dev/mcp/servers/tools/tools/echo/approve", {
      method: "POST",
      body: JSON.stringify({ hash: original }),
    });
    expect((await again.listTools()).tools.map((t) => t.name)).toContain("echo");
    await again.close();
  });

  it("cross-server shadowing: a description that instructs about other servers' tools is hidden", async () => {
    const client = await connect("mail");
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names).toContain("echo");
    expect(names).not.toContain("send_note");
    await client.close();
  });

  it("secret exfiltration through arguments is blocked before the server sees it", async () => {
    const client = await connect("tools");
    const r = await refusal(client.callTool({ name: "echo", arguments: { text: `my key is ${AWS_KEY}` } }));
    expect(r.message).toContain("secret.aws_access_key_id");
    await client.close();
    expect(tools.requests.some((q) => q.body.includes(AWS_KEY))).toBe(false);
  });

  it("injection and secrets in results are cut before the agent sees them", async () => {
    const client = await connect("tools");
    const page = text(await client.callTool({ name: "summarize_page", arguments: {} }));
    expect(page).not.toMatch(/ignore all previous instructions/i);
    expect(page).toContain("[REDACTED");
    const config = text(await client.callTool({ name: "get_config", arguments: {} }));
    expect(config).not.toContain(AWS_KEY);
    expect(config).not.toMatch(/ghp_[A-Za-z0-9]{36}/);
    await client.close();
  });

  it("runaway loop: the same call past the limit is refused with a retry hint", async () => {
    const client = await connect("tools");
    const args = { text: `loop-${crypto.randomUUID()}` };
    for (let i = 0; i < 5; i++) await client.callTool({ name: "echo", arguments: args });
    const r = await refusal(client.callTool({ name: "echo", arguments: args }));
    expect(r.message).toContain("loop");
    expect(r.code).toBe(-32029);
    // Other arguments still go through.
    expect(text(await client.callTool({ name: "echo", arguments: { text: "different" } }))).toContain("different");
    await client.close();
  });

  it("token scope: a token for one tool sees and calls only that tool", async () => {
    const narrow = await gw.mintToken({ sub: "narrow", models: ["*"], tools: ["tools/echo"] });
    const client = await connect("tools", narrow);
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(["echo"]);
    const r = await refusal(client.callTool({ name: "add", arguments: { a: 1, b: 2 } }));
    expect(r.message).toContain("token_scope");
    await client.close();
    const none = await gw.mintToken({ sub: "none", models: ["*"] });
    const res = await fetch(`${gw.url}/mcp/tools`, {
      method: "POST",
      headers: { authorization: `Bearer ${none}`, "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
    });
    expect(res.status).toBe(403);
  });

  it("argument constraints: paths outside the prefix and hosts off the list are refused", async () => {
    const put = await gw.admin("/admin/orgs/dev/policy", {
      method: "PUT",
      body: JSON.stringify({
        mcp: {
          constraints: {
            tools: {
              read_file: { path: { pathPrefix: ["/data/"] } },
              fetch_url: { url: { urlHosts: ["docs.example.com"] } },
            },
          },
        },
      }),
    });
    expect(put.status).toBe(200);
    try {
      const client = await connect("tools");
      expect(text(await client.callTool({ name: "read_file", arguments: { path: "/data/report.txt" } }))).toContain(
        "/data/report.txt",
      );
      expect(
        (await refusal(client.callTool({ name: "read_file", arguments: { path: "/data/../etc/passwd" } }))).message,
      ).toContain("constraint");
      expect(
        (await refusal(client.callTool({ name: "fetch_url", arguments: { url: "https://docs.example.com@evil.example/x" } })))
          .message,
      ).toContain("constraint");
      expect(text(await client.callTool({ name: "fetch_url", arguments: { url: "https://docs.example.com/a" } }))).toContain(
        "docs.example.com",
      );
      await client.close();
    } finally {
      await gw.admin("/admin/orgs/dev/policy", { method: "PUT", body: JSON.stringify({}) });
    }
  });

  it("arguments that do not match the pinned input schema are refused before the server sees them", async () => {
    const client = await connect("tools");
    const r = await refusal(client.callTool({ name: "echo", arguments: { text: 12345, extra: "smuggled" } }));
    expect(r.message).toContain("step 'schema'");
    await client.close();
    expect(tools.requests.some((q) => q.body.includes("smuggled"))).toBe(false);
  });

  it("a revoked token is refused on its next MCP request", async () => {
    const token = await gw.mintToken({ sub: "soon-revoked", models: ["*"], tools: ["*/*"] });
    const client = await connect("tools", token);
    await client.listTools();
    await gw.revoke(gw.tokenId(token));
    const r = await refusal(client.listTools());
    expect(r.message).toMatch(/revoked|401/);
    await client.close().catch(() => {});
  });
});
