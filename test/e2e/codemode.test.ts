// Code mode end to end: programs run in Worker Loader isolates (in the sandbox process, as `npm start` runs them) and
// reach fixture MCP servers only through the broker's policy.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { FAKE_AWS_ACCESS_KEY_ID, FAKE_GITHUB_TOKEN, type McpFixture, startMcpFixture } from "../fixtures/mcp-server";
import { type Gateway, startGateway } from "./harness";

interface Answer {
  result?: unknown;
  logs: { level: string; line: string }[];
  logsTruncated: boolean;
  toolCalls: { server: string; tool: string; error?: string }[];
  error?: { kind: string; message: string };
}

let gw: Gateway;
let tools: McpFixture;
let mail: McpFixture;

beforeAll(async () => {
  tools = await startMcpFixture({ profile: "attacks", name: "tools" });
  mail = await startMcpFixture({ profile: "attacks", name: "mail" });
  gw = await startGateway();
  await gw.putMcpServer("tools", { url: tools.url });
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

async function post(body: unknown, token = gw.token, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${gw.url}/v1/codemode/execute`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

async function run(code: string, options: { language?: "js" | "ts"; timeoutMs?: number; token?: string } = {}): Promise<Answer> {
  const { token, ...rest } = options;
  const res = await post({ code, ...rest }, token);
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as Answer;
}

const toolCallsSeen = (f: McpFixture, name: string) =>
  f.requests.filter((r) => r.method === "POST" && r.body.includes('"tools/call"') && r.body.includes(`"${name}"`));

/** The gateway still serves: a health check and a normal program, right after whatever came before. */
async function stillServing(): Promise<void> {
  expect((await fetch(`${gw.url}/healthz`)).status).toBe(200);
  // The sandbox may be restarting after a crash: a normal program succeeds within a few seconds.
  let last: Answer | undefined;
  for (let i = 0; i < 50; i++) {
    last = await run("return 6 * 7");
    if (last.result === 42) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`a normal program did not succeed after recovery: ${JSON.stringify(last)}`);
}

describe("code mode: programs with tools through the broker", () => {
  it("returns the result, the logs and the tool calls", async () => {
    const a = await run(`
      const sum = await tools.tools.add({ a: 2, b: 3 });
      console.log("sum is", sum);
      console.warn({ warned: true });
      const echoed = await tools.mail.echo({ text: "hi from code" });
      return { sum: Number(sum), echoed };
    `);
    expect(a.error).toBeUndefined();
    expect(a.result).toEqual({ sum: 5, echoed: "hi from code" });
    expect(a.logs).toEqual([
      { level: "log", line: "sum is 5" },
      { level: "warn", line: '{"warned":true}' },
    ]);
    expect(a.toolCalls).toEqual([
      { server: "tools", tool: "add" },
      { server: "mail", tool: "echo" },
    ]);
    expect(toolCallsSeen(tools, "add")).toHaveLength(1);
    expect(toolCallsSeen(mail, "echo")).toHaveLength(1);
  });

  it("runs TypeScript, with its types stripped", async () => {
    const a = await run(
      `
      interface Pair { a: number; b: number }
      const pair: Pair = { a: 20, b: 22 };
      const total = (await tools.tools.add(pair satisfies Pair)) as string;
      return Number(total!);
    `,
      { language: "ts" },
    );
    expect(a).toMatchObject({ result: 42, toolCalls: [{ server: "tools", tool: "add" }] });
    expect(a.error).toBeUndefined();
  });

  it("a syntax error is a structured error naming the line; nothing runs", async () => {
    const js = await run("const x = 1;\nreturn x +;");
    expect(js.error?.kind).toBe("syntax");
    expect(js.error?.message).toContain("line 2");
    const ts = await run("const x: number = 1;\nlet y: = 2;", { language: "ts" });
    expect(ts.error?.kind).toBe("syntax");
  });

  it("a tool outside the token's scope is denied as policy, and the program can catch it", async () => {
    const narrow = await gw.mintToken({ sub: "narrow", models: ["*"], tools: ["tools/add", "codemode/execute"] });
    const a = await run(
      `
      const ok = await tools.tools.add({ a: 1, b: 1 });
      try { await tools.tools.echo({ text: "x" }); } catch (e) { console.log("caught:", e.message); }
      return ok;
    `,
      { token: narrow },
    );
    expect(a.result).toBe("2");
    expect(a.logs[0]?.line).toMatch(/^caught: .*echo/);
    expect(a.toolCalls).toEqual([
      { server: "tools", tool: "add" },
      { server: "tools", tool: "echo", error: "policy" },
    ]);
    expect(toolCallsSeen(tools, "echo")).toHaveLength(0);
    // Uncaught, the refusal ends the program as a policy error.
    const b = await run("return await tools.mail.echo({ text: 'x' })", { token: narrow });
    expect(b.error?.kind).toBe("policy");
  });

  it("a secret in a tool result is redacted before the program sees it", async () => {
    const a = await run(`const c = await tools.tools.get_config({}); console.log(c); return c;`);
    expect(a.error).toBeUndefined();
    const seen = JSON.stringify(a);
    expect(seen).toContain("region=us-east-1");
    expect(seen).not.toContain(FAKE_AWS_ACCESS_KEY_ID);
    expect(seen).not.toContain(FAKE_GITHUB_TOKEN);
  });

  it("a secret the program tries to send to a tool is blocked before it leaves", async () => {
    const a = await run(`return await tools.tools.echo({ text: "key ${FAKE_AWS_ACCESS_KEY_ID}" })`);
    expect(a.error?.kind).toBe("policy");
    expect(a.error?.message).toContain("secret");
    expect(toolCallsSeen(tools, "echo")).toHaveLength(0);
  });

  it("a poisoned tool (hidden by the broker) cannot be called from code either", async () => {
    const a = await run("return await tools.tools.add_numbers({ a: 1, b: 2 })");
    expect(a.error?.kind).toBe("policy");
    expect(toolCallsSeen(tools, "add_numbers")).toHaveLength(0);
  });

  it("programs of one token chain share an upstream session; one the server ended is opened again", async () => {
    const sessionOfCalls = () => toolCallsSeen(mail, "add").map((r) => r.headers["mcp-session-id"] ?? "(none)");
    expect((await run("return await tools.mail.add({ a: 1, b: 2 })")).result).toBe("3");
    expect((await run("return await tools.mail.add({ a: 2, b: 2 })")).result).toBe("4");
    const [first, second] = sessionOfCalls();
    expect(first).toMatch(/\S/);
    expect(second).toBe(first);
    // Another agent (another token chain) gets its own session.
    const other = await gw.mintToken({ sub: "other-agent", models: ["*"], tools: ["*/*"] });
    expect((await run("return await tools.mail.add({ a: 3, b: 3 })", { token: other })).result).toBe("6");
    expect(sessionOfCalls()[2]).not.toBe(first);
    // The server forgets the session: the next program's call opens a new one, transparently.
    const ended = await fetch(mail.url, {
      method: "DELETE",
      headers: { "mcp-session-id": first as string, "mcp-protocol-version": "2025-06-18" },
    });
    expect(ended.status).toBeLessThan(300);
    const again = await run("return await tools.mail.add({ a: 4, b: 4 })");
    expect(again.error).toBeUndefined();
    expect(again.result).toBe("8");
    const last = sessionOfCalls().at(-1);
    expect(last).not.toBe(first);
  });

  it("the number of tool calls is capped by policy", async () => {
    await setCodemode({ limits: { toolCalls: 3 } });
    try {
      const a = await run("for (let i = 0; i < 10; i++) await tools.tools.add({ a: i, b: 0 }); return 'done'");
      expect(a.error?.kind).toBe("policy");
      expect(a.error?.message).toContain("3 tool calls");
      expect(toolCallsSeen(tools, "add")).toHaveLength(3);
    } finally {
      await setCodemode(undefined);
    }
  });

  it("returns the declaration of exactly the tools this token may use", async () => {
    const res = await fetch(`${gw.url}/v1/codemode/types`, { headers: { authorization: `Bearer ${gw.token}` } });
    expect(res.status).toBe(200);
    const decl = await res.text();
    expect(decl).toContain("declare const tools");
    expect(decl).toMatch(/add\(input: \{[^}]*a: number;[^}]*b: number;?[^}]*\}\)/);
    expect(decl).toContain("mail");
    // Hidden by the broker (poisoned, shadowing): never offered to the model.
    expect(decl).not.toContain("add_numbers");
    const narrow = await gw.mintToken({ sub: "narrow-types", models: ["*"], tools: ["tools/add", "codemode/execute"] });
    const small = await (await fetch(`${gw.url}/v1/codemode/types`, { headers: { authorization: `Bearer ${narrow}` } })).text();
    expect(small).toContain("add(");
    expect(small).not.toContain("echo");
    expect(small).not.toContain("mail");
  });
});

describe("code mode as an MCP tool of /mcp", () => {
  async function connect(): Promise<Client> {
    const client = new Client({ name: "ringfence-e2e-codemode", version: "1.0.0" });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${gw.url}/mcp`), {
        requestInit: { headers: { authorization: `Bearer ${gw.token}` } },
      }),
    );
    return client;
  }

  it("the official client lists codemode__execute, with the tools' declaration, and runs a program through it", async () => {
    const client = await connect();
    try {
      const { tools: listed } = await client.listTools();
      const tool = listed.find((t) => t.name === "codemode__execute");
      expect(tool?.description).toContain("declare const tools");
      expect(tool?.description).toMatch(/add\(input: \{/);
      expect(tool?.description).not.toContain("add_numbers");
      const result = await client.callTool({
        name: "codemode__execute",
        arguments: { code: "const s = await tools.tools.add({ a: 1, b: 2 }); console.log(s); return Number(s) * 10" },
      });
      expect(result.isError).toBe(false);
      expect(result.structuredContent).toMatchObject({
        result: 30,
        logs: [{ level: "log", line: "3" }],
        toolCalls: [{ server: "tools", tool: "add" }],
      });
      const failed = await client.callTool({ name: "codemode__execute", arguments: { code: "while (true) {}" } });
      expect(failed.isError).toBe(true);
      expect(failed.structuredContent).toMatchObject({ error: { kind: "timeout" } });
      const invalid = await client.callTool({ name: "codemode__execute", arguments: { language: "js" } });
      expect(invalid.isError).toBe(true);
    } finally {
      await client.close();
    }
  });

  it("calls made from code count toward the MCP session's ceiling", async () => {
    const res = await gw.admin("/admin/orgs/dev/policy", {
      method: "PUT",
      body: JSON.stringify({ mcp: { loop: { maxCallsPerSession: 3 } } }),
    });
    expect(res.status).toBeLessThan(300);
    const client = await connect();
    try {
      const program =
        "const a = await tools.tools.add({ a: 1, b: 1 }); const b = await tools.tools.add({ a: 2, b: 2 }); return [a, b]";
      const first = await client.callTool({ name: "codemode__execute", arguments: { code: program } });
      expect(first.structuredContent).toMatchObject({ result: ["2", "4"] });
      const second = await client.callTool({ name: "codemode__execute", arguments: { code: program } });
      expect(second.isError).toBe(true);
      expect(second.structuredContent).toMatchObject({ error: { kind: "policy" } });
      expect(JSON.stringify(second.structuredContent)).toContain("session");
    } finally {
      await client.close();
      await setCodemode(undefined);
    }
  });

  it("is not offered when the org's policy disables code mode", async () => {
    await setCodemode({ enabled: false });
    const client = await connect();
    try {
      const { tools: listed } = await client.listTools();
      expect(listed.map((t) => t.name)).not.toContain("codemode__execute");
      expect(listed.map((t) => t.name)).toContain("tools__add");
    } finally {
      await client.close();
      await setCodemode(undefined);
    }
  });

  it("no MCP server may take the reserved name 'codemode'", async () => {
    const res = await gw.admin("/admin/orgs/dev/mcp/servers/codemode", {
      method: "PUT",
      body: JSON.stringify({ url: tools.url }),
    });
    expect(res.status).toBe(400);
  });
});

describe("code mode: requests the executor refuses", () => {
  it("no token, a forged token, a revoked token", async () => {
    expect((await post({ code: "return 1" }, "")).status).toBe(401);
    expect((await post({ code: "return 1" }, `${gw.token.slice(0, -4)}AAAA`)).status).toBe(401);
    const doomed = await gw.mintToken({ sub: "doomed", models: ["*"], tools: ["*/*"] });
    await gw.revoke(gw.tokenId(doomed));
    expect((await post({ code: "return 1" }, doomed)).status).toBe(401);
  });

  it("malformed JSON, missing code, unknown language, a program over the size limit: 400 with the reason", async () => {
    const bad = async (body: unknown) => {
      const res = await post(body);
      expect(res.status).toBe(400);
      return ((await res.json()) as { error: { message: string } }).error.message;
    };
    expect(await bad("{not json")).toMatch(/json/i);
    expect(await bad({})).toContain("code");
    expect(await bad({ code: "return 1", language: "python" })).toContain("language");
    expect(await bad({ code: "x".repeat(300_000) })).toContain("code");
  });

  it("a token whose tool scope does not name codemode/execute gets 403, and /mcp does not offer it the tool", async () => {
    const toolsOnly = await gw.mintToken({ sub: "tools-only", models: ["*"], tools: ["tools/*"] });
    const res = await post({ code: "return 1" }, toolsOnly);
    expect(res.status).toBe(403);
    expect(await res.text()).toContain("codemode/execute");
    const child = await gw.attenuate(gw.token, { tools: ["codemode/execute", "tools/add"] });
    expect((await post({ code: "return await tools.tools.add({ a: 1, b: 1 })" }, child)).status).toBe(200);
  });

  it("executions count against the token's request rate: past it, 429 with retry-after, and nothing runs", async () => {
    const limited = await gw.mintToken({ sub: "limited", models: ["*"], tools: ["*/*"] });
    const res = await gw.admin(`/admin/orgs/dev/tokens/${gw.tokenId(limited)}/limits`, {
      method: "PUT",
      body: JSON.stringify({ rpm: 2 }),
    });
    expect(res.status).toBe(200);
    for (let i = 0; i < 2; i++)
      expect((await post({ code: "return await tools.tools.add({ a: 1, b: 1 })" }, limited)).status).toBe(200);
    const before = toolCallsSeen(tools, "add").length;
    const refused = await post({ code: "return await tools.tools.add({ a: 1, b: 1 })" }, limited);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(toolCallsSeen(tools, "add").length).toBe(before);
  });

  it("an org whose policy disables code mode gets 403", async () => {
    await setCodemode({ enabled: false });
    try {
      const res = await post({ code: "return 1" });
      expect(res.status).toBe(403);
      expect(await res.text()).toContain("code mode");
    } finally {
      await setCodemode(undefined);
    }
  });
});

describe("code mode: escape attempts end in a structured error and the gateway keeps serving", () => {
  const escapes: [string, string, string[]][] = [
    ["fetch", "return await (await fetch('https://example.com')).text()", ["runtime"]],
    ["fetch to the gateway itself", `return (await fetch(${JSON.stringify("http://127.0.0.1/healthz")})).status`, ["runtime"]],
    [
      "connect (TCP) through import()",
      "const s = await import('cloudflare:sockets'); return s.connect('example.com:80')",
      ["policy"],
    ],
    ["WebSocket", "const ws = new WebSocket('wss://example.com'); return 'opened'", ["runtime"]],
    ["caches", "await caches.default.put('https://x.test/', new Response('poison')); return 'cached'", ["runtime"]],
    [
      "the host's env through cloudflare:workers",
      "const m = await import('cloudflare:workers'); return Object.keys(m.env)",
      ["policy"],
    ],
    ["reserved names", "return typeof __rf_tick", ["policy"]],
    [
      "the tools binding's env through process.getBuiltinModule",
      "return Object.keys(process.getBuiltinModule('cloudflare:workers').env)",
      ["runtime"],
    ],
    [
      "the host's bindings and secrets as globals",
      `const names = Object.getOwnPropertyNames(globalThis).filter((n) => /RINGFENCE|TOOLS|LOADER|METER|REGISTRY|AUTHORITY|^env$|^process$/.test(n) && globalThis[n] !== undefined);
       if (names.length > 0 || typeof process !== "undefined" || typeof env !== "undefined") return names;
       throw new Error("nothing of the host's is reachable")`,
      ["runtime"],
    ],
    ["eval", "return eval('1 + 1')", ["runtime"]],
    ["Function constructor", "return (function () {}).constructor('while (true) {}')()", ["runtime"]],
    ["async Function constructor", "return await (async () => {}).constructor('return 1')()", ["runtime"]],
    ["WebAssembly from bytes", "return await WebAssembly.compile(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]))", ["runtime"]],
    ["while (true) {}", "while (true) {}", ["timeout"]],
    ["for (;;) in a callback", "[1].forEach(() => { for (;;) {} })", ["timeout"]],
    ["an infinite async loop", "while (true) { await null; }", ["timeout"]],
    ["a promise that never settles", "await new Promise(() => {})", ["timeout"]],
    ["deep recursion", "function f(n) { return f(n + 1) + 1 } return f(0)", ["memory"]],
    ["a tight allocation loop", "const a = []; while (true) a.push(new Array(1e6).fill(1.5))", ["memory"]],
    // Backtracking inside one regex call: no step is counted, so the wall limit ends it and the supervisor restarts
    // the hung sandbox.
    ["a catastrophic regex", "return /^(a+)+$/.test('a'.repeat(64) + '!')", ["timeout"]],
    // Outside the V8 heap: bounded by the sandbox process's cap on writable memory.
    [
      "ArrayBuffers past the heap",
      "const keep = []; for (let i = 0; i < 40; i++) keep.push(new ArrayBuffer(100 * 1024 * 1024)); return keep.length",
      ["memory"],
    ],
    [
      "typed arrays filled past the heap",
      "const keep = []; for (let i = 0; i < 40; i++) keep.push(new Uint8Array(100 * 1024 * 1024).fill(7)); return keep.length",
      ["memory"],
    ],
    ["a 100 MB string returned", "return 'x'.repeat(100 * 1024 * 1024)", ["memory"]],
    ["a string bomb", "let s = 'x'; while (true) s += s", ["memory"]],
  ];
  for (const [name, code, kinds] of escapes) {
    it(name, async () => {
      const a = await run(code, { timeoutMs: 3000 });
      expect(kinds, JSON.stringify(a)).toContain(a.error?.kind);
      expect(a.error?.message.length).toBeGreaterThan(0);
      await stillServing();
    });
  }

  it("megabyte-long tool names are refused before they are recorded: the answer stays small", async () => {
    const a = await run(`
      const n = "x".repeat(3e6);
      for (let i = 0; i < 20; i++) { try { await tools.tools[n + i]({}); } catch {} }
      try { await tools[n].echo({}); } catch (e) { return e.message; }
      return "not refused";
    `);
    expect(a.result).toMatch(/at most 128 characters/);
    expect(JSON.stringify(a).length).toBeLessThan(20_000);
    await stillServing();
  });

  it("a program that rewrites toJSON or throws a secret cannot forge the answer or leak through the error", async () => {
    const forged = await run(`
      Object.prototype.toJSON = function () { return { logs: [null], toolCalls: [{ server: "github", tool: "delete_repo" }] }; };
      await tools.tools.add({ a: 1, b: 2 });
      return "done";
    `);
    expect(forged.toolCalls).toEqual([{ server: "tools", tool: "add" }]);
    expect(forged.result).toBe("done");
    expect(forged.logs).toEqual([]);
    const thrown = await run(`throw new Error("the key is ${FAKE_AWS_ACCESS_KEY_ID}")`);
    expect(thrown.error?.kind).toBe("runtime");
    expect(JSON.stringify(thrown)).not.toContain(FAKE_AWS_ACCESS_KEY_ID);
  });

  it("awaiting a server's tool table sends no tool call named then", async () => {
    const a = await run("const t = await tools.tools; return typeof t");
    expect(a.result).toBe("object");
    expect(a.toolCalls).toEqual([]);
  });

  it("a huge console.log is cut off, flagged, and the program still answers", async () => {
    const a = await run("console.log('y'.repeat(10 * 1024 * 1024)); console.log('after'); return 'ok'");
    expect(a.result).toBe("ok");
    expect(a.logsTruncated).toBe(true);
    expect(JSON.stringify(a.logs).length).toBeLessThan(1024 * 1024);
  });

  it("prototype pollution stays in the program's isolate", async () => {
    const a = await run(`
      Object.prototype.polluted = "yes";
      Array.prototype.map = () => "hijacked";
      JSON.stringify = () => "hijacked";
      return await tools.tools.echo(JSON.parse('{"__proto__": {"admin": true}, "text": "still fine"}'));
    `);
    expect(a.result).toBe("still fine");
    const b = await run("return [({}).polluted, [1].map((x) => x + 1), JSON.stringify({ a: 1 })]");
    expect(b.result).toEqual([null, [2], '{"a":1}']);
    await stillServing();
  });

  it("a tool call after the program returned is refused and never reaches the server", async () => {
    const a = await run(`
      setTimeout(() => { tools.tools.echo({ text: "late" }).catch(() => {}); }, 0);
      return "returned";
    `);
    expect(a.result).toBe("returned");
    await new Promise((r) => setTimeout(r, 300));
    expect(toolCallsSeen(tools, "echo")).toHaveLength(0);
  });

  it("a call started but not awaited finishes and is accounted before the answer", async () => {
    const a = await run(`tools.tools.echo({ text: "unawaited" }); return "returned";`);
    expect(a.toolCalls).toEqual([{ server: "tools", tool: "echo" }]);
    expect(toolCallsSeen(tools, "echo")).toHaveLength(1);
  });

  it("a heap exhausted in the sandbox process: the program gets `memory`, the sandbox restarts, the gateway never stopped", async () => {
    const before = gw.sandboxRestarts;
    const a = await run("const keep = []; for (let i = 0; i < 1e9; i++) keep.push({ i, pad: [i, i, i, i, i, i, i, i] })", {
      timeoutMs: 20_000,
    });
    expect(a.error?.kind, JSON.stringify(a.error)).toBe("memory");
    await stillServing();
    expect(gw.sandboxRestarts).toBeGreaterThan(before);
  });
});

describe("code mode: governed egress", () => {
  let site: http.Server;
  let siteUrl: string;
  const received: string[] = [];
  beforeAll(async () => {
    site = http.createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        received.push(`${req.method} ${req.url} ${body}`);
        res.writeHead(200, { "content-type": "text/plain" }).end(`hello from the site (${req.url})`);
      });
    });
    await new Promise<void>((r) => site.listen(0, "127.0.0.1", r));
    siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => site.close(() => r())));

  it("egress counts requests per execution", async () => {
    await setCodemode({ egress: ["127.0.0.1"], limits: { subRequests: 2 } });
    try {
      const a = await run(
        `const s = []; for (let i = 0; i < 4; i++) s.push((await fetch(${JSON.stringify(`${siteUrl}/n`)})).status); return s`,
      );
      expect(a.result).toEqual([200, 200, 429, 429]);
    } finally {
      await setCodemode(undefined);
    }
  });

  it("with no egress in the policy, the network is closed (above); with hosts granted, only they are reached", async () => {
    await setCodemode({ egress: ["127.0.0.1"] });
    try {
      const ok = await run(`const r = await fetch(${JSON.stringify(`${siteUrl}/page?q=1`)}); return [r.status, await r.text()]`);
      expect(ok.result).toEqual([200, "hello from the site (/page?q=1)"]);
      const other = await run(`const r = await fetch("http://localhost:9/x"); return [r.status, await r.text()]`);
      expect((other.result as [number, string])[0]).toBe(403);
      expect((other.result as [number, string])[1]).toContain("allow-list");
      const leak = await run(
        `const r = await fetch(${JSON.stringify(`${siteUrl}/collect`)}, { method: "POST", body: "key=${FAKE_AWS_ACCESS_KEY_ID}" }); return r.status`,
      );
      expect(leak.result).toBe(403);
      const inHeader = await run(
        `return (await fetch(${JSON.stringify(`${siteUrl}/h`)}, { headers: { "x-leak": "${FAKE_AWS_ACCESS_KEY_ID}" } })).status`,
      );
      expect(inHeader.result).toBe(403);
      expect(received.some((r) => r.includes(FAKE_AWS_ACCESS_KEY_ID))).toBe(false);
      expect(received.some((r) => r.startsWith("GET /page?q=1"))).toBe(true);
    } finally {
      await setCodemode(undefined);
    }
  });
});

/** Sets (or with undefined, clears) the dev org's code-mode policy override. */
async function setCodemode(codemode: Record<string, unknown> | undefined): Promise<void> {
  const res = await gw.admin("/admin/orgs/dev/policy", {
    method: "PUT",
    body: JSON.stringify(codemode ? { codemode } : {}),
  });
  expect(res.status, await res.clone().text()).toBeLessThan(300);
}
