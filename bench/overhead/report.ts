// Markdown report of a run: one table per measurement, then the ratios read against the targets.
import os from "node:os";
import type { Load, Sample } from "./measure.ts";
import { percentile } from "./measure.ts";

export const TARGET_ADDED_P50_MS = 1;
export const TARGET_THROUGHPUT_RATIO = 2;

export interface Run {
  date: Date;
  command: string;
  direct: string;
  gateways: string[];
  /** Why a target is missing from the tables (Portkey could not start), if it is. */
  notes: string[];
  sequential: { perTarget: number; samples: Map<string, Sample> };
  streaming?: { perTarget: number; samples: Map<string, Sample> };
  load: { connections: number; rounds: number; sliceSeconds: number; results: Map<string, Load> };
}

const ms = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : "—");
const signed = (v: number) => (Number.isFinite(v) ? `${v >= 0 ? "+" : ""}${v.toFixed(2)}` : "—");

export function machine(): string {
  const cpu = os.cpus()[0]?.model.trim() ?? "unknown CPU";
  return `${os.availableParallelism()} CPUs (${cpu}), ${os.totalmem() >> 30} GiB, ${os.type()} ${os.release()}, Node ${process.version}`;
}

function latencyTable(direct: string, order: string[], samples: Map<string, Sample>): string[] {
  const base = samples.get(direct);
  const rows = [
    "| Target | p50 ms | p90 ms | p99 ms | added p50 | added p90 | added p99 | failed |",
    "|---|--:|--:|--:|--:|--:|--:|--:|",
  ];
  for (const name of order) {
    const s = samples.get(name);
    if (!s) continue;
    const cells = [50, 90, 99].map((p) => percentile(s.latencies, p));
    const added = [50, 90, 99].map((p, i) =>
      name === direct || !base ? "—" : signed((cells[i] as number) - percentile(base.latencies, p)),
    );
    rows.push(`| ${name} | ${cells.map(ms).join(" | ")} | ${added.join(" | ")} | ${s.failures} |`);
  }
  return rows;
}

function loadTable(order: string[], results: Map<string, Load>): string[] {
  const rows = ["| Target | req/s | p50 ms | p99 ms | requests | non-2xx | errors |", "|---|--:|--:|--:|--:|--:|--:|"];
  for (const name of order) {
    const l = results.get(name);
    if (!l) continue;
    const rps = l.seconds > 0 ? l.requests / l.seconds : Number.NaN;
    rows.push(
      `| ${name} | ${rps.toFixed(0)} | ${ms(percentile(l.latencies, 50))} | ${ms(percentile(l.latencies, 99))} | ${l.requests} | ${l.non2xx} | ${l.errors} |`,
    );
  }
  return rows;
}

export function rps(l: Load | undefined): number {
  return l && l.seconds > 0 ? l.requests / l.seconds : Number.NaN;
}

export function addedP50(run: Run, name: string): number {
  const s = run.sequential.samples.get(name);
  const d = run.sequential.samples.get(run.direct);
  return s && d ? percentile(s.latencies, 50) - percentile(d.latencies, 50) : Number.NaN;
}

/** The reading against the targets; `ringfence` and `portkey` name the rows to compare. */
function verdict(run: Run, ringfence: string, portkey: string | undefined): string[] {
  const added = addedP50(run, ringfence);
  const lines = [
    `- ${ringfence}: added p50 latency ${ms(added)} ms (target ≤ ${TARGET_ADDED_P50_MS} ms): ${added <= TARGET_ADDED_P50_MS ? "met" : "missed"}.`,
  ];
  if (portkey && run.load.results.has(portkey)) {
    const ratio = rps(run.load.results.get(ringfence)) / rps(run.load.results.get(portkey));
    lines.push(
      `- ${ringfence} req/s ÷ ${portkey} req/s at ${run.load.connections} connections: ${ratio.toFixed(2)}× (target ≥ ${TARGET_THROUGHPUT_RATIO}×): ${ratio >= TARGET_THROUGHPUT_RATIO ? "met" : "missed"}.`,
      `- ${portkey}: added p50 latency ${ms(addedP50(run, portkey))} ms; ${ringfence} adds ${ms(added)} ms.`,
    );
  } else {
    lines.push(`- No ${portkey ?? "Portkey"} figures in this run, so no throughput ratio.`);
  }
  return lines;
}

export function render(run: Run, ringfence: string, portkey: string | undefined): string {
  const order = [run.direct, ...run.gateways];
  const l = run.load;
  const out = [
    `Command: \`${run.command}\` — ${run.date.toISOString()}`,
    "",
    `Machine: ${machine()}. The load generator, the fake upstream and the gateway share these CPUs.`,
    ...run.notes.flatMap((n) => ["", `> ${n}`]),
    "",
    `### Sequential, non-streaming: ${run.sequential.perTarget} requests per target, one keep-alive connection, time to last byte`,
    "",
    ...latencyTable(run.direct, order, run.sequential.samples),
  ];
  if (run.streaming) {
    out.push(
      "",
      `### Sequential, streaming (\`stream: true\`): ${run.streaming.perTarget} requests per target, time to last byte`,
      "",
      ...latencyTable(run.direct, order, run.streaming.samples),
    );
  }
  out.push(
    "",
    `### ${l.connections} connections: ${l.rounds} slices of ${l.sliceSeconds} s per target, alternating`,
    "",
    ...loadTable(order, l.results),
    "",
    "### Against the targets",
    "",
    ...verdict(run, ringfence, portkey),
  );
  return `${out.join("\n")}\n`;
}
