// `npm run bench:detect`: ringfence's detectors against secretlint and redact-pii on the labelled corpus (recall per
// category, benign texts altered), then the standard set's throughput on ~10 MB of mixed prose and code.
// Markdown to stdout, progress to stderr. A missed target is reported, never asserted (the unit test asserts).
import { register } from "node:module";
import os from "node:os";

// src/ imports omit ".ts"; this hook resolves them. It must be registered before src/ is imported, hence the
// dynamic imports below.
register("./resolve-ts.ts", import.meta.url);

const { scan } = await import("../../src/detect/scan.ts");
const { standardDetectors } = await import("../../src/detect/index.ts");
const { benignCases, sensitiveCases } = await import("../../test/fixtures/corpus/index.ts");
const { evaluate, pct, ringfenceTool } = await import("../../test/fixtures/corpus/evaluate.ts");
const { redactPiiTool, secretlint } = await import("./tools.ts");
const { accuracyTables } = await import("./report.ts");
const { measureThroughput } = await import("./throughput.ts");

const log = (msg: string) => process.stderr.write(`[bench:detect] ${msg}\n`);
const setting = (name: string, fallback: number): number => {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : fallback;
};

const out: string[] = [];
out.push("# Detection benchmark", "");
out.push(
  `Node ${process.version}, ${os.cpus()[0]?.model ?? "unknown CPU"}; corpus: ${sensitiveCases.length} sensitive cases ` +
    `(${sensitiveCases.reduce((n, c) => n + c.labels.length, 0)} labelled values), ${benignCases.length} benign look-alikes.`,
  "",
);

log("scoring ringfence, secretlint and redact-pii on the corpus");
const scores = [];
for (const tool of [ringfenceTool((text) => scan(text, standardDetectors)), secretlint, redactPiiTool]) {
  scores.push(await evaluate(tool, sensitiveCases, benignCases));
}
out.push(...accuracyTables(scores, pct), "");

// The held-out set was written without sight of the detectors or of the corpus above, so it measures generalisation.
const { heldoutBenign, heldoutSensitive } = await import("../../test/fixtures/heldout/index.ts");
const heldSensitive = heldoutSensitive.map((c) => ({
  ...c,
  labels: c.labels.map((l) => ({ ...l, value: c.text.slice(l.start, l.end) })),
}));
const heldBenign = heldoutBenign.map((c) => ({ ...c, note: "" }));
log("scoring the three tools on the held-out set");
const held = [];
for (const tool of [ringfenceTool((text) => scan(text, standardDetectors)), secretlint, redactPiiTool]) {
  held.push(await evaluate(tool, heldSensitive, heldBenign));
}
out.push(
  "## Accuracy on the held-out set",
  "",
  `${heldoutSensitive.length} sensitive cases (${heldoutSensitive.reduce((n, c) => n + c.labels.length, 0)} labelled values) and ` +
    `${heldoutBenign.length} benign look-alikes, written without sight of the detectors or the corpus above.`,
  "",
  ...accuracyTables(held, pct)
    .filter((line) => !line.startsWith("#"))
    .slice(1, 6),
  "",
);

log("measuring throughput");
const mb = setting("BENCH_DETECT_MB", 10);
const t = await measureThroughput(
  scan,
  standardDetectors,
  sensitiveCases.filter((c) => c.labels.some((l) => l.category === "secret" || l.category === "pii")),
  { megabytes: mb, iterations: setting("BENCH_DETECT_ITERATIONS", 10), log },
);
out.push(...t, "");

process.stdout.write(`${out.join("\n")}\n`);
