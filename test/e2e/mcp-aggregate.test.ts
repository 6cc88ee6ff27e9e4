// /mcp, the aggregate: every upstream the token may use as one MCP server, and the reference server-everything behind it.
import { type ChildProcess, spawn } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { CreateMessageRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../bench/overhead/processes";
import { type McpFixture, startMcpFixture } from "../fixtures/mcp-server";
import { type Gateway, startGateway } from "./harness";

let gw: Gateway;
let tools: McpFixture;
let mail: McpFixture;
let conf: McpFixture;
let everything: ChildProcess | undefined;
let everythingUrl: string;

/** The reference server published by the MCP project, over Streamable HTTP on a free port. */
async function startEverything(): Promise<string> {
  const port = await freePort();
  const pkg = createRequire(import.meta.url).resolve("@modelcontextprotocol/server-everything/package.json");
  const bin = path.join(path.dirname(pkg), "dist", "index.js");
  everything = spawn(process.execPath, [bin, "streamableHttp"], {
    env: { ...process.env, PORT: String(port) },
    stdio: "ignore",
  });
  const url = `http://127.0.0.1:${port}/mcp`;
  for (let i = 0; i < 100; i++) {
    const up = await fetch(url, { method: "GET" }).then(
      () => true,
      () => false,
    );
    if (up) return url;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("server-everything did not start");
}

beforeAll(async () => {
  [tools, mail, conf, everythingUrl] = await Promise.all([
    startMcpFixture({ profile: "attacks", name: "tools" }),
    startMcpFixture({ profile: "attacks", name: "mail" }),
    startMcpFixture({ profile: "conformance", name: "conf" }),
    startEverything(),
  ]);
  gw = await startGateway();
  await gw.putMcpServer("tools", { url: tools.url });
  await gw.putMcpServer("mail", { url: mail.url });
  await gw.putMcpServer("everything", { url: everythingUrl });
  await gw.putMcpServer("conf", { url: conf.url });
}, 60_000);
afterAll(async () => {
  everything?.kill();
  await gw?.close();
  await tools?.close();
  await mail?.close();
  await conf?.close();
});

async function connect(endpoint: string, token = gw.token): Promise<Client> {
  const client = new Client({ name: "ringfence-e2e", version: "1.0.0" });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${gw.url}${endpoint}`), {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    }),
  );
  return client;
}

const text = (result: unknown): string =>
  ((result as { content?: { type: string; text?: string }[] }).content ?? []).map((c) => c.text ?? "").join("\n");

describe("/mcp aggregates every allowed server", () => {
  it("lists every server's tools as <server>__<tool>, without poisoned or shadowing ones, and routes calls", async () => {
    const client = await connect("/mcp");
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(["tools__echo", "mail__echo", "everything__echo"]));
    expect(names).not.toContain("tools__add_numbers");
    expect(names).not.toContain("mail__send_note");
    for (const n of names) expect(n).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);
    expect(text(await client.callTool({ name: "tools__echo", arguments: { text: "via aggregate" } }))).toContain("via aggregate");
    expect(text(await client.callTool({ name: "everything__echo", arguments: { message: "hi everything" } }))).toContain(
      "hi everything",
    );
    expect(tools.requests.some((r) => r.body.includes("via aggregate"))).toBe(true);
    expect(mail.requests.some((r) => r.body.includes("via aggregate"))).toBe(false);
    await client.close();
  });

  it("applies the same policy: a secret in arguments is blocked, injection in a result is cut", async () => {
    const client = await connect("/mcp");
    await expect(client.callTool({ name: "tools__echo", arguments: { text: "key AKIAQ7XJ2LMZ4RT6WP3N" } })).rejects.toThrow(
      /secret\.aws_access_key_id/,
    );
    const page = text(await client.callTool({ name: "tools__summarize_page", arguments: {} }));
    expect(page).not.toMatch(/ignore all previous instructions/i);
    await client.close();
  });

  it("shows a token only the servers and tools its scope allows", async () => {
    const narrow = await gw.mintToken({ sub: "narrow", models: ["*"], tools: ["mail/echo"] });
    const client = await connect("/mcp", narrow);
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(["mail__echo"]);
    await expect(client.callTool({ name: "tools__echo", arguments: { text: "x" } })).rejects.toThrow();
    await client.close();
  });

  it("aggregates prompts and resources of the reference server", async () => {
    const client = await connect("/mcp");
    const prompts = (await client.listPrompts()).prompts.map((p) => p.name);
    expect(prompts.some((p) => p.startsWith("everything__"))).toBe(true);
    const simple = prompts.find((p) => /simple/i.test(p)) ?? prompts[0];
    const got = await client.getPrompt({ name: simple as string });
    expect(got.messages.length).toBeGreaterThan(0);
    const resources = (await client.listResources()).resources;
    expect(resources.length).toBeGreaterThan(0);
    const first = resources[0];
    const read = await client.readResource({ uri: first?.uri as string });
    expect(read.contents.length).toBeGreaterThan(0);
    await client.close();
  });

  it("completes a prompt's arguments at the server that has the prompt, as the server itself would", async () => {
    const direct = await connect("/mcp/everything");
    const aggregate = await connect("/mcp");
    const prompts = (await direct.listPrompts()).prompts;
    const withArgs = prompts.find((p) => (p.arguments ?? []).length > 0);
    expect(withArgs).toBeDefined();
    const argument = { name: withArgs?.arguments?.[0]?.name as string, value: "" };
    const want = await direct.complete({ ref: { type: "ref/prompt", name: withArgs?.name as string }, argument });
    const got = await aggregate.complete({ ref: { type: "ref/prompt", name: `everything__${withArgs?.name}` }, argument });
    expect(got.completion).toEqual(want.completion);
    await direct.close();
    await aggregate.close();
  });

  it("a tool call streams progress, and a server's own request (sampling) reaches the client and its answer the server", async () => {
    const client = new Client({ name: "ringfence-e2e", version: "1.0.0" }, { capabilities: { sampling: {} } });
    let asked = "";
    client.setRequestHandler(CreateMessageRequestSchema, async (req) => {
      asked = JSON.stringify(req.params.messages);
      return { role: "assistant", content: { type: "text", text: "sampled by the client" }, model: "test-model" };
    });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${gw.url}/mcp`), {
        requestInit: { headers: { authorization: `Bearer ${gw.token}` } },
      }),
    );
    const progress: number[] = [];
    const r = await client.callTool({ name: "conf__test_tool_with_progress", arguments: {} }, undefined, {
      onprogress: (p) => progress.push(p.progress),
    });
    expect(progress.length).toBeGreaterThan(0);
    expect(r.isError ?? false).toBe(false);
    const sampled = await client.callTool({ name: "conf__test_sampling", arguments: { prompt: "what is 2+2" } });
    expect(asked).toContain("what is 2+2");
    expect(text(sampled)).toContain("sampled by the client");
    await client.close();
  });

  it("a session id forged or from another org is not accepted", async () => {
    const res = await fetch(`${gw.url}/mcp`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${gw.token}`,
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        "mcp-session-id": "AAAA.BBBB",
        "mcp-protocol-version": "2025-06-18",
      },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
    });
    expect(res.status).toBe(404);
  });
});

describe("/mcp/everything relays the reference server", () => {
  it("tools, prompts and resources through the official client", async () => {
    const client = await connect("/mcp/everything");
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names).toContain("echo");
    expect(text(await client.callTool({ name: "echo", arguments: { message: "relay" } }))).toContain("relay");
    expect((await client.listPrompts()).prompts.length).toBeGreaterThan(0);
    expect((await client.listResources()).resources.length).toBeGreaterThan(0);
    await client.close();
  });
});
