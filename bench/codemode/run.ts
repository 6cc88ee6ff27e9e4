// `npm run bench:codemode`: what code mode costs — a fresh isolate, a trivial execute end to end, one tool call from a
// program beside the same call from an MCP client through the broker — measured in one run, the variants interleaved
// (one request of each per round). Markdown on stdout, progress on stderr. Any wrong answer, or a restart of the
// sandbox process, ends the run with an error: a figure that includes failures would measure the failures.

import { performance } from "node:perf_hooks";
import { type McpTarget, newSession, post } from "../mcp/client.ts";
import { keepAliveAgent } from "../overhead/measure.ts";
import { type Child, ROOT, removeHome, startMcpFixtureChild, startRingfence } from "../overhead/processes.ts";
import { type Measured, type Roles, render } from "./report.ts";

const setting = (name: string, fallback: number): number => {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? Math.floor(v) : fallback;
};
const ROUNDS = setting("BENCH_CODEMODE_ROUNDS", 1000);
const WARMUP = setting("BENCH_CODEMODE_WARMUP", 100);
/** A fresh MCP session this often: the standard policy refuses the 501st call of a session. */
const SESSION_CALLS = 400;
const log = (msg: string) => process.stderr.write(`[bench:codemode] ${msg}\n`);

interface Variant extends Measured {
  /** One request; returns the client's time and the server-timing isolate time, or throws on a wrong answer. */
  once(seq: number): Promise<{ ms: number; isolateMs?: number }>;
}

interface Answer {
  result?: unknown;
  logs?: unknown[];
  toolCalls?: { server: string; tool: string; error?: string }[];
  error?: { kind: string; message: string };
}

/** One POST /v1/codemode/execute, checked: status, no error, the expected result and tool calls, a server-timing. */
function executeVariant(
  name: string,
  target: McpTarget,
  language: "js" | "ts",
  program: (seq: number) => { code: string; result: unknown; tools: number },
): Variant {
  return {
    name,
    latencies: [],
    isolate: [],
    async once(seq) {
      const p = program(seq);
      const start = performance.now();
      const r = await post(target, { code: p.code, language });
      const ms = performance.now() - start;
      const bad = (why: string) => new Error(`${name}: ${why} (HTTP ${r.status}): ${r.body.slice(0, 500)}`);
      if (r.status !== 200) throw bad("not a 200");
      const answer = JSON.parse(r.body) as Answer;
      if (answer.error) throw bad(`the program failed (${answer.error.kind})`);
      if (answer.result !== p.result) throw bad(`result is not ${JSON.stringify(p.result)}`);
      const calls = answer.toolCalls ?? [];
      if (calls.length !== p.tools || calls.some((c) => c.error || c.server !== "bench" || c.tool !== "echo"))
        throw bad(`expected ${p.tools} clean call(s) of bench.echo`);
      if ((answer.logs ?? []).length > 0) throw bad("unexpected logs");
      const timing = /isolate;dur=([\d.]+)/.exec(String(r.headers["server-timing"] ?? ""));
      const isolateMs = Number(timing?.[1]);
      if (!timing || !(isolateMs > 0)) throw bad(`no isolate time in server-timing '${r.headers["server-timing"]}'`);
      return { ms, isolateMs };
    },
  };
}

/** tools/call `echo` by an MCP client on an initialized session (opened outside the timed part), checked. */
function mcpVariant(name: string, target: McpTarget): Variant {
  return {
    name,
    latencies: [],
    async once(seq) {
      if (!target.session || target.calls >= SESSION_CALLS) await newSession(target);
      target.calls++;
      const text = `bench ${seq}`;
      const start = performance.now();
      const r = await post(target, {
        jsonrpc: "2.0",
        id: seq,
        method: "tools/call",
        params: { name: "echo", arguments: { text } },
      });
      const ms = performance.now() - start;
      if (r.status !== 200 || !r.body.includes(text) || r.body.includes('"error"') || r.body.includes('"isError":true'))
        throw new Error(`${name}: not the echo of '${text}' (HTTP ${r.status}): ${r.body.slice(0, 500)}`);
      return { ms };
    },
  };
}

/** Fisher–Yates. */
function shuffled<T>(xs: readonly T[]): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

async function main(): Promise<number> {
  const children: Child[] = [];
  let home: string | undefined;
  const stopAll = async () => {
    await Promise.all(children.map((c) => c.stop()));
    if (home) removeHome(home);
  };
  const onSignal = () => {
    stopAll().finally(() => process.exit(130));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  const began = performance.now();
  try {
    log("starting the MCP fixture server (profile attacks: it has echo)");
    const { child: fixture, url: mcpUrl } = await startMcpFixtureChild();
    children.push(fixture);
    log(`fixture at ${mcpUrl}; starting ringfence (npm start: wrangler build + gateway + sandbox workerd)`);
    // No model calls here: the providers point at a closed port.
    const rf = await startRingfence("http://127.0.0.1:9", ROOT, { MCP_UPSTREAMS: `bench=${mcpUrl}` });
    children.push(rf.child);
    home = rf.home;
    log(`ringfence at ${rf.url}`);

    const auth = { authorization: `Bearer ${rf.token}` };
    const target = (name: string, url: string, headers: Record<string, string>): McpTarget => ({
      name,
      url: new URL(url),
      headers,
      agent: keepAliveAgent(),
      calls: 0,
    });
    const execUrl = `${rf.url}/v1/codemode/execute`;
    const roles = {
      js: executeVariant("execute `return 1` (js)", target("js", execUrl, auth), "js", () => ({
        code: "return 1",
        result: 1,
        tools: 0,
      })),
      ts: executeVariant("execute `return 1` (ts, typed)", target("ts", execUrl, auth), "ts", () => ({
        code: "const n: number = 1;\nreturn n as number;",
        result: 1,
        tools: 0,
      })),
      tool: executeVariant("execute, one tool call", target("tool", execUrl, auth), "js", (seq) => ({
        code: `return await tools.bench.echo({ text: "bench ${seq}" })`,
        result: `bench ${seq}`,
        tools: 1,
      })),
      twoTools: executeVariant("execute, two tool calls", target("tools", execUrl, auth), "js", (seq) => ({
        code: `await tools.bench.echo({ text: "first ${seq}" });\nreturn await tools.bench.echo({ text: "bench ${seq}" })`,
        result: `bench ${seq}`,
        tools: 2,
      })),
      broker: mcpVariant("MCP client → broker `/mcp/bench`", target("broker", `${rf.url}/mcp/bench`, auth)),
      direct: mcpVariant("MCP client → fixture directly", target("direct", mcpUrl, {})),
    } satisfies Record<keyof Roles, Variant>;
    const variants: Variant[] = Object.values(roles);

    // The supervisor's warning in npm start's output: a restarted sandbox means some request was cut short.
    let restarted = false;
    for (const stream of [rf.child.proc.stdout, rf.child.proc.stderr]) {
      let tail = "";
      stream?.on("data", (b: Buffer) => {
        tail = (tail + b.toString("utf8")).slice(-1000);
        if (tail.includes("sandbox unresponsive or dead")) restarted = true;
      });
    }
    let seq = 0;
    const round = async (record: boolean) => {
      // A fresh order every round: a variant run right after a tool call shares the CPUs with that call's background
      // work (audit, ending the upstream session), and a fixed rotation would always charge it to the same variant.
      for (const v of shuffled(variants)) {
        const got = await v.once(++seq);
        if (restarted) throw new Error(`the code-mode sandbox was restarted during the run:\n${rf.child.output().slice(-2000)}`);
        if (!record) continue;
        v.latencies.push(got.ms);
        if (got.isolateMs !== undefined) v.isolate?.push(got.isolateMs);
      }
    };
    log(`warm-up: ${WARMUP} rounds of ${variants.length} variants`);
    for (let r = 0; r < WARMUP; r++) await round(false);
    log(`measuring: ${ROUNDS} rounds, one request per variant per round, sequential`);
    for (let r = 0; r < ROUNDS; r++) {
      await round(true);
      if ((r + 1) % 100 === 0) log(`${r + 1}/${ROUNDS} rounds`);
    }
    for (const t of variants) log(`${t.name}: ${t.latencies.length} measured`);
    process.stdout.write(render({ rounds: ROUNDS, warmup: WARMUP, seconds: (performance.now() - began) / 1000 }, roles));
    return 0;
  } finally {
    await stopAll();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
