import os from "node:os";
import { keepAliveAgent, percentile } from "../overhead/measure.ts";
import { type Child, ROOT, removeHome, startMcpFixtureChild, startRingfence } from "../overhead/processes.ts";
import { type McpTarget, newSession, post } from "./client.ts";

const setting = (name: string, fallback: number): number => {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : fallback;
};
const CALLS = setting("BENCH_MCP_CALLS", 2000);
const WARMUP = setting("BENCH_MCP_WARMUP", 200);
const BATCH = 50;
/** A fresh session this often, so the standard policy's per-session ceiling (500) is never what is measured. */
const SESSION_CALLS = 400;
const log = (msg: string) => process.stderr.write(`[bench:mcp] ${msg}\n`);

interface Target extends McpTarget {
  latencies: number[];
  failures: number;
  firstFailure?: string;
}

let seq = 0;
async function call(t: Target, record: boolean): Promise<void> {
  if (t.calls >= SESSION_CALLS || !t.session) await newSession(t);
  t.calls++;
  const id = ++seq;
  const start = process.hrtime.bigint();
  try {
    const r = await post(t, {
      jsonrpc: "2.0",
      id,
      method: "tools/call",
      params: { name: "echo", arguments: { text: `bench ${id}` } },
    });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (r.status !== 200 || !r.body.includes(`bench ${id}`) || r.body.includes('"error"')) {
      throw new Error(`HTTP ${r.status}: ${r.body.slice(0, 300)}`);
    }
    if (record) t.latencies.push(ms);
  } catch (err) {
    t.failures++;
    t.firstFailure ??= err instanceof Error ? err.message : String(err);
  }
}

async function main(): Promise<number> {
  const children: Child[] = [];
  let home: string | undefined;
  try {
    log("starting the MCP fixture server");
    const { child: fixture, url: mcpUrl } = await startMcpFixtureChild();
    children.push(fixture);
    log(`fixture at ${mcpUrl}; starting ringfence (npm start) with MCP_UPSTREAMS=tools=${mcpUrl}`);
    const rf = await startRingfence("http://127.0.0.1:9", ROOT, { MCP_UPSTREAMS: `tools=${mcpUrl}` });
    children.push(rf.child);
    home = rf.home;
    const targets: Target[] = [
      {
        name: "direct (MCP server)",
        url: new URL(mcpUrl),
        headers: {},
        agent: keepAliveAgent(),
        calls: 0,
        latencies: [],
        failures: 0,
      },
      {
        name: "ringfence /mcp/tools",
        url: new URL(`${rf.url}/mcp/tools`),
        headers: { authorization: `Bearer ${rf.token}` },
        agent: keepAliveAgent(),
        calls: 0,
        latencies: [],
        failures: 0,
      },
    ];
    log(`warm-up: ${WARMUP} calls per target`);
    for (const t of targets) for (let i = 0; i < WARMUP; i++) await call(t, false);
    for (const t of targets) if (t.failures > 0) throw new Error(`${t.name}: ${t.firstFailure}`);
    log(`measuring: ${CALLS} tools/call per target, alternating in batches of ${BATCH}`);
    // Also per round: the broker's batch p50 minus the direct batch p50 of the same round, whose median shrugs off
    // the machine's drift better than one p50 over the whole run.
    const roundDeltas: number[] = [];
    for (let r = 0; r < Math.ceil(CALLS / BATCH); r++) {
      const batchP50 = new Map<Target, number>();
      for (let k = 0; k < targets.length; k++) {
        const t = targets[(r + k) % targets.length] as Target;
        const from = t.latencies.length;
        for (let i = 0; i < BATCH; i++) await call(t, true);
        batchP50.set(
          t,
          percentile(
            [...t.latencies.slice(from)].sort((a, b) => a - b),
            50,
          ),
        );
      }
      const [d, b] = targets as [Target, Target];
      roundDeltas.push((batchP50.get(b) ?? 0) - (batchP50.get(d) ?? 0));
    }
    roundDeltas.sort((a, b) => a - b);
    for (const t of targets) t.latencies.sort((a, b) => a - b);
    const [direct, broker] = targets as [Target, Target];
    const row = (t: Target) => {
      const p = (q: number) => percentile(t.latencies, q);
      const add = (q: number) => (t === direct ? "—" : `+${(p(q) - percentile(direct.latencies, q)).toFixed(2)}`);
      return `| ${t.name} | ${p(50).toFixed(2)} | ${p(90).toFixed(2)} | ${p(99).toFixed(2)} | ${add(50)} | ${add(90)} | ${add(99)} | ${t.failures} |`;
    };
    const added = percentile(broker.latencies, 50) - percentile(direct.latencies, 50);
    process.stdout.write(
      [
        `Command: \`npm run bench:mcp\` — ${new Date().toISOString()}`,
        "",
        `Machine: ${os.cpus().length} CPUs (${os.cpus()[0]?.model.split(" ").slice(0, 2).join(" ") ?? "?"}), Node ${process.version}.`,
        "",
        `### tools/call \`echo\`, sequential: ${CALLS} calls per target, one keep-alive connection, time to last byte`,
        "",
        "| Target | p50 ms | p90 ms | p99 ms | added p50 | added p90 | added p99 | failed |",
        "|---|--:|--:|--:|--:|--:|--:|--:|",
        row(direct),
        row(broker),
        "",
        `- ringfence adds ${added.toFixed(2)} ms at p50 (target ≤ 1 ms): ${added <= 1 ? "met" : "missed"}.`,
        `- Per round of ${BATCH} calls each, the broker's p50 minus the direct p50 has median ${percentile(roundDeltas, 50).toFixed(2)} ms (quartiles ${percentile(roundDeltas, 25).toFixed(2)}–${percentile(roundDeltas, 75).toFixed(2)} ms, ${roundDeltas.length} rounds).`,
        "",
      ].join("\n"),
    );
    return targets.some((t) => t.failures > 0) ? 1 : 0;
  } finally {
    await Promise.all(children.map((c) => c.stop()));
    if (home) removeHome(home);
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
