// The MCP fixture upstream: the official client lists and calls its attack tools on both protocol eras, a rug pull
// changes what is listed (and is announced on a 2025 session), and every request is recorded as received; the
// conformance runner reads the official suite's verdicts both ways.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { runConformance } from "../fixtures/mcp-conformance";
import {
  ECHO_DESCRIPTION,
  ECHO_RUG_PULL_DESCRIPTION,
  FAKE_AWS_ACCESS_KEY_ID,
  FAKE_GITHUB_TOKEN,
  INJECTION_TEXT,
  type McpFixture,
  POISONED_DESCRIPTION,
  SHADOWING_DESCRIPTION,
  startMcpFixture,
} from "../fixtures/mcp-server";

type Era = "legacy" | "modern";

let fx: McpFixture;
const clients: Client[] = [];

beforeAll(async () => {
  fx = await startMcpFixture({ profile: "attacks" });
});
afterAll(() => fx.close());
beforeEach(() => fx.reset());
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

async function connect(era: Era, headers: Record<string, string> = {}): Promise<Client> {
  const client = new Client(
    { name: "fixture-test", version: "1.0.0" },
    { versionNegotiation: { mode: era === "legacy" ? "legacy" : { pin: "2026-07-28" } } },
  );
  await client.connect(new StreamableHTTPClientTransport(new URL(fx.url), { requestInit: { headers } }));
  clients.push(client);
  return client;
}

function textOf(result: Awaited<ReturnType<Client["callTool"]>>): string {
  const content: unknown = result.content;
  if (!Array.isArray(content)) return "";
  return content.map((c: { type?: string; text?: string }) => (c.type === "text" ? (c.text ?? "") : "")).join("");
}

async function description(client: Client, tool: string): Promise<string | undefined> {
  return (await client.listTools()).tools.find((t) => t.name === tool)?.description;
}

describe.each<Era>(["legacy", "modern"])("attacks profile over the %s era", (era) => {
  it("lists the attack tools with their poisoned and shadowing descriptions", async () => {
    const client = await connect(era);
    const tools = (await client.listTools()).tools;
    expect(tools.map((t) => t.name).sort()).toEqual(
      ["add", "add_numbers", "echo", "fetch_url", "get_config", "read_file", "send_note", "summarize_page", "weather"].sort(),
    );
    expect(tools.find((t) => t.name === "add_numbers")?.description).toBe(POISONED_DESCRIPTION);
    expect(tools.find((t) => t.name === "send_note")?.description).toBe(SHADOWING_DESCRIPTION);
    // Each era is really spoken: a 2025 session handshake, or 2026-07-28 discovery with the routing headers.
    const list = fx.requests.find((r) => r.body.includes('"tools/list"'));
    if (era === "legacy") {
      expect(fx.requests.some((r) => r.body.includes('"initialize"'))).toBe(true);
      // A session id the spec allows (visible ASCII), sent back on the list request.
      expect(list?.headers["mcp-session-id"]).toMatch(/^[\x21-\x7e]{8,}$/);
    } else {
      expect(fx.requests.some((r) => r.body.includes('"server/discover"'))).toBe(true);
      expect(fx.requests.some((r) => r.body.includes('"initialize"'))).toBe(false);
      expect(list?.headers["mcp-method"]).toBe("tools/list");
      expect(list?.headers["mcp-protocol-version"]).toBe("2026-07-28");
    }
  });

  it("answers each tool with its deterministic content", async () => {
    const client = await connect(era);
    const call = async (name: string, args: Record<string, unknown> = {}) =>
      textOf(await client.callTool({ name, arguments: args }));
    expect(await call("echo", { text: "hello" })).toBe("hello");
    expect(await call("add", { a: 2, b: 3 })).toBe("5");
    expect(await call("read_file", { path: "/etc/passwd" })).toBe("contents of /etc/passwd");
    expect(await call("fetch_url", { url: "https://example.com/" })).toBe("fetched https://example.com/");
    const config = await call("get_config");
    expect(config).toContain(FAKE_AWS_ACCESS_KEY_ID);
    expect(config).toMatch(/ghp_[A-Za-z0-9]{36}/);
    expect(config).toContain(FAKE_GITHUB_TOKEN);
    expect(await call("summarize_page")).toContain(INJECTION_TEXT);
    const weather = await call("weather", { city: "Oslo" });
    expect(weather).toContain("Oslo");
    expect(weather).toContain("\u202e");
    expect(weather).toMatch(/[\u{E0020}-\u{E007F}]{10,}/u);
    expect(await call("add_numbers", { a: 1, b: 1 })).toBe("2");
    expect(await call("send_note", { to: "bob@example.com", body: "hi" })).toBe("note sent to bob@example.com");
  });

  it("rugPull swaps the listed description and schema of echo; reset restores them", async () => {
    const client = await connect(era);
    expect(await description(client, "echo")).toBe(ECHO_DESCRIPTION);
    await fx.rugPull();
    expect(await description(client, "echo")).toBe(ECHO_RUG_PULL_DESCRIPTION);
    const echo = (await client.listTools()).tools.find((t) => t.name === "echo");
    expect(Object.keys(echo?.inputSchema.properties ?? {})).toContain("context");
    fx.reset();
    expect(await description(client, "echo")).toBe(ECHO_DESCRIPTION);
  });
});

describe("recording and notifications", () => {
  it("announces a rug pull with notifications/tools/list_changed on a 2025 session's GET stream", async () => {
    const client = await connect("legacy");
    const changed = new Promise<void>((resolve) => {
      client.setNotificationHandler("notifications/tools/list_changed", () => resolve());
    });
    // The notification can only travel once the client's GET stream is open.
    while (!fx.requests.some((r) => r.method === "GET")) await client.ping();
    await client.ping();
    await fx.rugPull();
    await changed;
    expect(await description(client, "echo")).toBe(ECHO_RUG_PULL_DESCRIPTION);
  });

  it("records every request with lower-cased headers, including the client's Authorization", async () => {
    const client = await connect("legacy", { Authorization: "Bearer test-token-123", "X-Agent": "a1" });
    await client.callTool({ name: "echo", arguments: { text: "recorded" } });
    const call = fx.requests.find((r) => r.method === "POST" && r.body.includes('"tools/call"'));
    expect(call?.path).toBe("/mcp");
    expect(call?.headers.authorization).toBe("Bearer test-token-123");
    expect(call?.headers["x-agent"]).toBe("a1");
    expect(JSON.parse(call?.body ?? "{}")).toMatchObject({ method: "tools/call", params: { name: "echo" } });
    expect(fx.requests.some((r) => r.body.includes('"initialize"'))).toBe(true);
    fx.reset();
    expect(fx.requests).toEqual([]);
  });

  it("rejects a request whose Origin is not loopback (DNS rebinding) and still records it", async () => {
    const res = await fetch(fx.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        origin: "http://evil.example",
      },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" }),
    });
    expect(res.status).toBe(403);
    expect(fx.requests.at(-1)?.headers.origin).toBe("http://evil.example");
  });
});

describe("conformance runner", () => {
  it("reads a pass from the official suite against the conformance profile and a fail against the attacks one", async () => {
    const conformance = await startMcpFixture({ profile: "conformance" });
    const outDir = await mkdtemp(join(tmpdir(), "mcp-fixture-test-"));
    try {
      const scenarios = ["tools-call-simple-text"];
      const ok = await runConformance({ url: conformance.url, line: "next", scenarios, outDir });
      expect(ok.get("tools-call-simple-text")).toMatchObject({ passed: true });
      const bad = await runConformance({ url: fx.url, line: "next", scenarios, outDir });
      expect(bad.get("tools-call-simple-text")?.passed).toBe(false);
      expect(bad.get("tools-call-simple-text")?.detail).toContain("test_simple_text");
    } finally {
      await conformance.close();
      await rm(outDir, { recursive: true, force: true });
    }
  }, 60_000);
});
