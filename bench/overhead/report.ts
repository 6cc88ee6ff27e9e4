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
  return `${os.availableParallelism()} CPUs (${cpu}), ${Math.round(os.totalmem() / 2 ** 30)} GiB RAM, ${os.type()} ${os.release()}, Node ${process.version}`;
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
  const rows = [
    "| Target | req/s | slowest–fastest slice | p50 ms | p99 ms | requests | non-2xx | errors |",
    "|---|--:|--:|--:|--:|--:|--:|--:|",
  ];
  for (const name of order) {
    const l = results.get(name);
    if (!l) continue;
    const rps = l.seconds > 0 ? l.requests / l.seconds : Number.NaN;
    const range = l.slices.length > 0 ? `${Math.min(...l.slices).toFixed(0)}–${Math.max(...l.slices).toFixed(0)}` : "—";
    rows.push(
      `| ${name} | ${rps.toFixed(0)} | ${range} | ${ms(percentile(l.latencies, 50))} | ${ms(percentile(l.latencies, 99))} | ${l.requests} | ${l.non2xx} | ${l.errors} |`,
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

export interface Roles {
  ringfence: string;
  /** The trivial relay Worker on the same serving path, if measured. */
  floor?: string;
  portkey?: string;
}

/** Ratio of two targets' slices from the same round: paired, so drift between rounds cancels out. */
function pairedRatios(a: Load | undefined, b: Load | undefined): number[] {
  if (!a || !b) return [];
  return a.slices.flatMap((x, i) => {
    const y = b.slices[i];
    return y ? [x / y] : [];
  });
}

const fixed = (v: number, digits: number) => (Number.isFinite(v) ? v.toFixed(digits) : "—");

/** The reading against the targets, with the relay Worker separating the serving platform's share from ringfence's own. */
function verdict(run: Run, r: Roles): string[] {
  const added = addedP50(run, r.ringfence);
  const met = (ok: boolean) => (ok ? "met" : "missed");
  const lines = [
    `- ${r.ringfence}: added p50 latency ${ms(added)} ms (target ≤ ${TARGET_ADDED_P50_MS} ms): ${met(added <= TARGET_ADDED_P50_MS)}.`,
  ];
  const loads = run.load.results;
  const portkey = r.portkey && loads.has(r.portkey) ? r.portkey : undefined;
  if (portkey) {
    const ratio = rps(loads.get(r.ringfence)) / rps(loads.get(portkey));
    const rounds = pairedRatios(loads.get(r.ringfence), loads.get(portkey));
    const spread =
      rounds.length > 1 ? ` (round by round ${fixed(Math.min(...rounds), 2)}–${fixed(Math.max(...rounds), 2)}×)` : "";
    lines.push(
      `- ${r.ringfence} req/s ÷ ${portkey} req/s at ${run.load.connections} connections: ${fixed(ratio, 2)}×${spread} (target ≥ ${TARGET_THROUGHPUT_RATIO}×): ${met(ratio >= TARGET_THROUGHPUT_RATIO)}.`,
      `- ${portkey} adds ${ms(addedP50(run, portkey))} ms at p50.`,
    );
  } else {
    lines.push("- No Portkey figures in this run, so no throughput ratio.");
  }
  if (r.floor && loads.has(r.floor)) {
    const own = addedP50(run, r.ringfence) - addedP50(run, r.floor);
    const share = rps(loads.get(r.ringfence)) / rps(loads.get(r.floor));
    const vsPortkey = portkey
      ? `; it alone serves ${fixed(rps(loads.get(r.floor)) / rps(loads.get(portkey)), 2)}× Portkey's req/s`
      : "";
    lines.push(
      `- ${r.floor} (the serving platform with no gateway logic) adds ${ms(addedP50(run, r.floor))} ms at p50${vsPortkey}.`,
      `  ${r.ringfence}'s own work adds ${ms(own)} ms at p50 on top of it, and keeps ${fixed(100 * share, 0)}% of its req/s.`,
    );
  }
  return lines;
}

export function render(run: Run, roles: Roles): string {
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
    ...verdict(run, roles),
  );
  return `${out.join("\n")}\n`;
}
