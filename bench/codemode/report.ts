// Markdown report of bench:codemode: end-to-end and in-sandbox tables, then the differences read against the targets.
import { percentile } from "../overhead/measure.ts";
import { machine } from "../overhead/report.ts";

export const TARGET_ISOLATE_P50_MS = 5;
export const TARGET_EXECUTE_P50_MS = 10;

/** One variant's samples in round order: index i of every variant was measured in round i. */
export interface Measured {
  name: string;
  latencies: number[];
  /** server-timing isolate durations (code-mode variants only). */
  isolate?: number[];
}

/** Which measured variant plays which part in the reading. */
export interface Roles {
  js: Measured;
  ts: Measured;
  tool: Measured;
  twoTools: Measured;
  broker: Measured;
  direct: Measured;
}

export interface RunInfo {
  rounds: number;
  warmup: number;
  seconds: number;
}

const sorted = (xs: readonly number[]) => [...xs].sort((a, b) => a - b);
const f = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : "—");
const signed = (v: number) => (Number.isFinite(v) ? `${v >= 0 ? "+" : ""}${v.toFixed(2)}` : "—");
const p = (xs: readonly number[], q: number) => percentile(sorted(xs), q);
const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

function row(name: string, xs: readonly number[]): string {
  return `| ${name} | ${f(p(xs, 50))} | ${f(p(xs, 99))} | ${f(mean(xs))} | ${xs.length} |`;
}

/** a − b round by round: the machine's drift cancels out within a round. Median and quartiles. */
function paired(a: readonly number[], b: readonly number[]): { median: number; q1: number; q3: number } {
  const d = sorted(a.flatMap((x, i) => (b[i] === undefined ? [] : [x - (b[i] as number)])));
  return { median: percentile(d, 50), q1: percentile(d, 25), q3: percentile(d, 75) };
}

export function render(run: RunInfo, r: Roles): string {
  const all = [r.js, r.ts, r.tool, r.twoTools, r.broker, r.direct];
  const isolateOf = (m: Measured) => m.isolate ?? [];
  const jsIsolate = p(isolateOf(r.js), 50);
  const jsE2e = p(r.js.latencies, 50);
  const met = (ok: boolean) => (ok ? "met" : "missed");
  const ts = paired(r.ts.latencies, r.js.latencies);
  const tool = paired(r.tool.latencies, r.js.latencies);
  const second = paired(r.twoTools.latencies, r.tool.latencies);
  const wholeMs = all.every((m) => isolateOf(m).every(Number.isInteger));
  const out = [
    `Command: \`npm run bench:codemode\` — ${new Date().toISOString()}`,
    "",
    `Machine: ${machine()}. The client, the gateway's workerd, the sandbox's workerd and the MCP fixture share these CPUs.`,
    "",
    `### Sequential, interleaved: ${run.rounds} rounds after ${run.warmup} warm-up rounds, one request of each variant per round in a random order`,
    "",
    "End to end, as the client sees it (write to last byte, one keep-alive connection per variant):",
    "",
    "| Variant | p50 ms | p99 ms | mean ms | n |",
    "|---|--:|--:|--:|--:|",
    ...all.map((m) => row(m.name, m.latencies)),
    "",
    "Inside the sandbox process (`server-timing: isolate;dur`: load a fresh isolate and run the program in it, its tool calls included):",
    "",
    "| Variant | p50 ms | p99 ms | mean ms | n |",
    "|---|--:|--:|--:|--:|",
    ...all.filter((m) => m.isolate).map((m) => row(m.name, isolateOf(m))),
    ...(wholeMs
      ? [
          "",
          "workerd's clock moves only between I/O and in whole milliseconds, so each server-timing is a whole number: its percentiles are quantized, and the mean is the better estimate.",
        ]
      : []),
    "",
    "### Against the targets",
    "",
    `- Isolate start (\`return 1\`, server-timing): p50 ${f(jsIsolate)} ms, mean ${f(mean(isolateOf(r.js)))} ms (target p50 ≤ ${TARGET_ISOLATE_P50_MS} ms): ${met(jsIsolate <= TARGET_ISOLATE_P50_MS)}.`,
    `- Trivial execute end to end: p50 ${f(jsE2e)} ms (target ≤ ${TARGET_EXECUTE_P50_MS} ms): ${met(jsE2e <= TARGET_EXECUTE_P50_MS)}.`,
    `- TypeScript (type stripping): ${signed(p(r.ts.latencies, 50) - jsE2e)} ms at p50 over the same program in js; round by round, median ${signed(ts.median)} ms (quartiles ${signed(ts.q1)} to ${signed(ts.q3)}).`,
    `- One tool call from code costs ${f(p(r.tool.latencies, 50) - jsE2e)} ms more than a trivial execute at p50; round by round, median ${signed(tool.median)} ms (quartiles ${signed(tool.q1)} to ${signed(tool.q3)}); inside the sandbox ${signed(mean(isolateOf(r.tool)) - mean(isolateOf(r.js)))} ms (difference of the means). Upstream MCP sessions are kept per token chain, so after the first round the call reuses the dev token's session.`,
    `- A second call in the same program (session already open) adds ${signed(p(r.twoTools.latencies, 50) - p(r.tool.latencies, 50))} ms at p50; round by round, median ${signed(second.median)} ms.`,
    `- The same call from an MCP client through the broker (an initialized session): p50 ${f(p(r.broker.latencies, 50))} ms; the fixture server alone ${f(p(r.direct.latencies, 50))} ms.`,
    "",
    `The run took ${run.seconds.toFixed(0)} s, including the build and start-up.`,
    "",
  ];
  return out.join("\n");
}
