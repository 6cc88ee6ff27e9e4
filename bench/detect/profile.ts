// `node --experimental-strip-types bench/detect/profile.ts [MB]`: where the scanner's time goes on the mixed workload —
// the keyword pass, then each detector (time, and how much text it had to read). For optimising, not for reporting.
import { register } from "node:module";

register("./resolve-ts.ts", import.meta.url);

const { standardDetectors } = await import("../../src/detect/index.ts");
const { compile, scan } = await import("../../src/detect/scan.ts");
const { sensitiveCases } = await import("../../test/fixtures/corpus/index.ts");
const { mixedDocuments } = await import("./mixed-text.ts");
type Detector = (typeof standardDetectors)[number];

const mb = Number(process.argv[2] ?? 4);
const docs = mixedDocuments(mb * 1e6, sensitiveCases);
const bytes = docs.reduce((n, d) => n + d.length, 0);
const times = new Map<string, number>();
const read = new Map<string, number>();
const timed: Detector[] = standardDetectors.map((d) => ({
  ...d,
  detect(text: string) {
    const t = performance.now();
    const out = d.detect(text);
    times.set(`${d.category}/${d.id}`, (times.get(`${d.category}/${d.id}`) ?? 0) + performance.now() - t);
    read.set(`${d.category}/${d.id}`, (read.get(`${d.category}/${d.id}`) ?? 0) + text.length);
    return out;
  },
}));
const automaton = compile(standardDetectors).automaton;
for (let round = 0; round < 3; round++) {
  times.clear();
  read.clear();
  const a = performance.now();
  for (const d of docs) automaton?.scan(d, () => {});
  const b = performance.now();
  for (const d of docs) scan(d, timed);
  const c = performance.now();
  for (const d of docs) scan(d, standardDetectors);
  const e = performance.now();
  if (round < 2) continue;
  console.log(
    `${(bytes / 1e6).toFixed(1)} MB: keyword pass ${(b - a).toFixed(1)} ms; full scan ${(e - c).toFixed(1)} ms = ${(bytes / 1e6 / ((e - c) / 1000)).toFixed(1)} MB/s`,
  );
  const rows = [...times].sort((x, y) => y[1] - x[1]).slice(0, 30);
  for (const [k, v] of rows)
    console.log(`${k.padEnd(40)} ${v.toFixed(1).padStart(7)} ms  read ${((read.get(k) ?? 0) / 1e6).toFixed(2)} MB`);
}
