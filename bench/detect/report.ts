// Markdown tables for the detection benchmark: one summary row per tool, then recall per kind side by side.
import type { Score } from "../../test/fixtures/corpus/evaluate.ts";

export function accuracyTables(scores: Score[], pct: (n: number, d: number) => string): string[] {
  const cat = (s: Score, c: "secret" | "pii") => {
    const x = s.categories.get(c);
    return x ? `${pct(x.detected, x.total)} (${x.detected}/${x.total})` : "n/a";
  };
  const out = [
    "## Accuracy on the labelled corpus",
    "",
    "| tool | secrets recall | structured PII recall | benign texts altered |",
    "|---|---|---|---|",
    ...scores.map(
      (s) =>
        `| ${s.tool} | ${cat(s, "secret")} | ${cat(s, "pii")} | ${pct(s.benign.changed, s.benign.total)} (${s.benign.changed}/${s.benign.total}) |`,
    ),
    "",
    "Targets (issue 3): secrets ≥ 99 %, structured PII ≥ 98 %, benign changed ≤ 1 %. A value counts as found when one",
    "hit covers ≥ 90 % of it; ringfence's hit must also be of the value's category (secret/pii), the other tools are",
    "credited for any hit. ringfence alters a benign text when it has a secret or PII finding with confidence ≥ 0.5;",
    "secretlint when it reports anything; redact-pii when its output differs from its input.",
    "",
    "### Recall per kind",
    "",
    `| kind | ${scores.map((s) => s.tool).join(" | ")} |`,
    `|---|${scores.map(() => "---").join("|")}|`,
  ];
  const kinds = [...new Set(scores.flatMap((s) => s.kinds.map((k) => k.kind)))].sort();
  for (const kind of kinds) {
    const cells = scores.map((s) => {
      const k = s.kinds.find((x) => x.kind === kind);
      return k ? `${k.detected}/${k.total}` : "–";
    });
    out.push(`| ${kind} | ${cells.join(" | ")} |`);
  }
  const first = scores[0];
  if (first) {
    const misses = first.kinds.flatMap((k) => k.missed.map((id) => `${k.kind} in ${id}`));
    out.push("", `### ${first.tool}: missed values (${misses.length})`, "", ...misses.map((m) => `- ${m}`));
    out.push(
      "",
      `### ${first.tool}: benign texts altered (${first.benign.changed})`,
      "",
      ...first.benign.changedIds.map((id) => `- ${id}`),
    );
  }
  return out;
}
