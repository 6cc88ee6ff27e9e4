// Throughput of a detector set on mixed prose and code (MB/s on one core), a 4 KB prompt's scan latency, and the
// cost of each detector alone, so a slow one is easy to find.
import { Bench } from "tinybench";
import type { Detector, Finding } from "../../src/detect/types.ts";
import type { SensitiveCase } from "../../test/fixtures/corpus/types.ts";
import { mixedDocuments } from "./mixed-text.ts";

const MB = 1_000_000;

function p50(bench: Bench, name: string): number {
  const task = bench.tasks.find((t) => t.name === name);
  const r = task?.result;
  if (!r || (r.state !== "completed" && r.state !== "aborted-with-statistics")) throw new Error(`${name} did not complete`);
  return r.latency.p50;
}

export async function measureThroughput(
  scan: (text: string, detectors: readonly Detector[]) => Finding[],
  detectors: readonly Detector[],
  positives: readonly SensitiveCase[],
  opts: { megabytes: number; iterations: number; log: (msg: string) => void },
): Promise<string[]> {
  const docs = mixedDocuments(opts.megabytes * MB, positives);
  const bytes = docs.reduce((n, d) => n + new TextEncoder().encode(d).length, 0);
  const prompt = docs[0]?.slice(0, 4096) ?? "";
  let findings = 0;
  const scanAll = () => {
    findings = 0;
    for (const d of docs) findings += scan(d, detectors).length;
  };

  const bench = new Bench({ iterations: opts.iterations, time: 0, warmupIterations: 2, warmupTime: 0 });
  bench.add("corpus", scanAll);
  await bench.run();
  const corpusMs = p50(bench, "corpus");

  const small = new Bench({ time: 1000, warmupTime: 200 });
  small.add("prompt", () => scan(prompt, detectors));
  await small.run();
  const promptMs = p50(small, "prompt");

  opts.log("timing each detector alone");
  const perDetector: { id: string; mbps: number }[] = [];
  for (const d of detectors) {
    const one = [d];
    const start = performance.now();
    for (const doc of docs) scan(doc, one);
    perDetector.push({ id: `${d.category}/${d.id}`, mbps: bytes / MB / ((performance.now() - start) / 1000) });
  }
  perDetector.sort((a, b) => a.mbps - b.mbps);

  return [
    "## Throughput (standard detector set, one core)",
    "",
    "| input | size | p50 time | throughput |",
    "|---|---|---|---|",
    `| mixed prose, code, JSON logs (${docs.length} documents of 4–64 KB, ${findings} findings) | ${(bytes / MB).toFixed(1)} MB | ${corpusMs.toFixed(1)} ms | **${(bytes / MB / (corpusMs / 1000)).toFixed(0)} MB/s** |`,
    `| one 4 KB prompt | 4 KB | ${(promptMs * 1000).toFixed(0)} µs | ${(4096 / MB / (promptMs / 1000)).toFixed(0)} MB/s |`,
    "",
    "Target (issue 3): ≥ 100 MB/s per core. MB = 10^6 bytes of UTF-8.",
    "",
    "### Slowest detectors, each scanning the same input alone (prefilter included)",
    "",
    "| detector | MB/s |",
    "|---|---|",
    ...perDetector.slice(0, 12).map((d) => `| ${d.id} | ${d.mbps.toFixed(0)} |`),
  ];
}
