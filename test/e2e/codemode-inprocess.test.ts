// Code mode loading isolates in the gateway's own process, the way it runs on Cloudflare (no sandbox process): the
// tools binding is the CodemodeTools entrypoint itself, and the governed outbound the CodemodeEgress one. Nothing here
// exhausts memory: in-process, locally, that would take the gateway down (which is why `npm start` uses a sandbox).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FAKE_AWS_ACCESS_KEY_ID, type McpFixture, startMcpFixture } from "../fixtures/mcp-server";
import { type Gateway, startGateway } from "./harness";

let gw: Gateway;
let tools: McpFixture;

beforeAll(async () => {
  tools = await startMcpFixture({ profile: "attacks", name: "tools" });
  gw = await startGateway({ codemodeSandbox: false });
  await gw.putMcpServer("tools", { url: tools.url });
});
afterAll(async () => {
  await gw?.close();
  await tools?.close();
});

async function run(code: string, token = gw.token): Promise<Record<string, unknown>> {
  const res = await fetch(`${gw.url}/v1/codemode/execute`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ code, timeoutMs: 3000 }),
  });
  expect(res.status).toBe(200);
  expect(res.headers.get("server-timing")).toMatch(/^isolate;dur=/);
  return (await res.json()) as Record<string, unknown>;
}

describe("code mode in-process (the Cloudflare path)", () => {
  it("runs a program whose tool calls go through the broker, results scanned", async () => {
    const a = await run(`
      const sum = await tools.tools.add({ a: 20, b: 22 });
      const config = await tools.tools.get_config({});
      console.log("sum", sum);
      return { sum, config };
    `);
    expect(a.error).toBeUndefined();
    expect(a.logs).toEqual([{ level: "log", line: "sum 42" }]);
    expect(a.toolCalls).toEqual([
      { server: "tools", tool: "add" },
      { server: "tools", tool: "get_config" },
    ]);
    expect(JSON.stringify(a)).toContain("region=us-east-1");
    expect(JSON.stringify(a)).not.toContain(FAKE_AWS_ACCESS_KEY_ID);
  });

  it("refuses a tool outside the token's scope, and a late call after the program returned", async () => {
    const narrow = await gw.mintToken({ sub: "narrow", models: ["*"], tools: ["tools/add", "codemode/execute"] });
    const denied = await run("return await tools.tools.echo({ text: 'x' })", narrow);
    expect(denied.error).toMatchObject({ kind: "policy" });
    const late = await run("setTimeout(() => tools.tools.echo({ text: 'late' }).catch(() => {}), 0); return 1");
    expect(late.result).toBe(1);
    await new Promise((r) => setTimeout(r, 200));
    expect(tools.requests.some((r) => r.body.includes('"late"'))).toBe(false);
  });

  it("ends runaway code and refuses the network; the gateway keeps serving", async () => {
    expect((await run("while (true) {}")).error).toMatchObject({ kind: "timeout" });
    expect((await run("await new Promise(() => {})")).error).toMatchObject({ kind: "timeout" });
    expect((await run("return (await fetch('https://example.com')).status")).error).toMatchObject({ kind: "runtime" });
    expect((await run("function f() { return f() + 1 } return f()")).error).toMatchObject({ kind: "memory" });
    expect((await run("return 6 * 7")).result).toBe(42);
    expect((await fetch(`${gw.url}/healthz`)).status).toBe(200);
  });
});
