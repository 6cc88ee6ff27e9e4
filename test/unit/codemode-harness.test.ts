import { describe, expect, it } from "vitest";
import { type HarnessLimits, harnessModule } from "../../src/codemode/harness";
import { instrument } from "../../src/codemode/instrument";

const LIMITS: HarnessLimits = { ticks: 50_000, logBytes: 200, resultBytes: 10_000, toolCalls: 3 };

interface Answer {
  result?: unknown;
  logs: { level: string; line: string }[];
  logsTruncated: boolean;
  toolCalls: { server: string; tool: string; error?: string }[];
  error?: { kind: string; message: string };
}

type ToolAnswer = { result: unknown } | { error: { kind: string; message: string } };

/** Builds the isolate's module and runs its fetch handler in Node, with a fake tools binding. */
async function execute(
  code: string,
  call: (server: string, tool: string, input: unknown) => Promise<ToolAnswer> = async (server, tool, input) => ({
    result: { server, tool, input },
  }),
  limits = LIMITS,
): Promise<Answer> {
  const program = instrument(code, ["tools", "console"]);
  if (!program.ok) throw new Error(`${program.kind}: ${program.message}`);
  const source = harnessModule(program.code, limits);
  // The module deletes the globals a program must not have (`process` among them): in this test process, put them back.
  const saved = globalThis.process;
  let mod: { default: { fetch(req: Request, env: unknown): Promise<Response> } };
  try {
    mod = await import(`data:text/javascript;base64,${Buffer.from(source).toString("base64")}`);
  } finally {
    globalThis.process = saved;
  }
  const res = await mod.default.fetch(new Request("http://isolate/"), { TOOLS: { call } });
  return (await res.json()) as Answer;
}

describe("the code-mode isolate module", () => {
  it("returns the program's value, its console output and its tool calls", async () => {
    const a = await execute(`
      console.log("start", { n: 1 });
      const r = await tools.github.search_issues({ q: "bug" });
      console.warn("got", r.tool);
      return { found: r.input.q };`);
    expect(a.error).toBeUndefined();
    expect(a.result).toEqual({ found: "bug" });
    expect(a.logs).toEqual([
      { level: "log", line: 'start {"n":1}' },
      { level: "warn", line: "got search_issues" },
    ]);
    expect(a.toolCalls).toEqual([{ server: "github", tool: "search_issues" }]);
  });

  it("never throws: every failure is a structured error with a kind", async () => {
    expect((await execute("while (true) {}")).error?.kind).toBe("timeout");
    expect((await execute("function f() { return f() + 1; } return f();")).error?.kind).toMatch(/memory|timeout/);
    expect((await execute("let s = 'x'; while (true) s += s;")).error?.kind).toMatch(/memory|timeout/);
    expect((await execute("null.x")).error).toMatchObject({ kind: "runtime", message: expect.stringContaining("TypeError") });
    expect((await execute("throw 'plain'")).error).toMatchObject({ kind: "runtime" });
    const denied = await execute("return await tools.fs.delete_all({})", async () => ({
      error: { kind: "policy", message: "refused by policy_acl" },
    }));
    expect(denied.error).toMatchObject({ kind: "policy", message: "refused by policy_acl" });
    expect(denied.toolCalls).toEqual([{ server: "fs", tool: "delete_all", error: "policy" }]);
  });

  it("caps console output, tool calls and the size of the answer", async () => {
    const logs = await execute("for (let i = 0; i < 100; i++) console.log('line ' + i); return 1;");
    expect(logs.logsTruncated).toBe(true);
    expect(logs.logs.map((l) => l.line).join("").length).toBeLessThanOrEqual(LIMITS.logBytes);
    expect(logs.result).toBe(1);
    const calls = await execute("for (let i = 0; i < 10; i++) await tools.a.b({ i });");
    expect(calls.error).toMatchObject({ kind: "policy" });
    expect(calls.toolCalls).toHaveLength(3);
    const big = await execute("return 'x'.repeat(50_000);");
    expect(big.error).toMatchObject({ kind: "memory" });
  });

  it("a tool called after the program returned is refused, not run", async () => {
    const seen: string[] = [];
    const a = await execute("setTimeout(() => tools.late.call({}).catch(() => {}), 0); return 'done';", async (server, tool) => {
      seen.push(`${server}/${tool}`);
      return { result: null };
    });
    expect(a.result).toBe("done");
    await new Promise((r) => setTimeout(r, 20));
    expect(seen).toEqual([]);
  });

  it("the program cannot reach the executor's own names", () => {
    for (const code of ["__rf_ticks = 0", "return __rf_env", "globalThis['__rf_logs']"]) {
      expect(instrument(code, ["tools", "console"])).toMatchObject({ ok: false, kind: "policy" });
    }
  });
});
