// The tools compared on the corpus: ringfence's standard detector set, secretlint with its recommended preset,
// and redact-pii's default redactor. Each reports the spans it would flag or redact.
import { lintSource } from "@secretlint/core";
import { creator as recommendedPreset } from "@secretlint/secretlint-rule-preset-recommend";
import redactPii from "redact-pii";
import type { Hit, ToolUnderTest } from "../../test/fixtures/corpus/evaluate.ts";

export const SECRETLINT = "secretlint (preset-recommend)";
export const REDACT_PII = "redact-pii (defaults)";

const secretlintConfig: Parameters<typeof lintSource>[0]["options"]["config"] = {
  rules: [{ id: "@secretlint/secretlint-rule-preset-recommend", rule: recommendedPreset }],
};

/**
 * Every secretlint message is a finding at its reported range. Some rules report the range of the whole match (the
 * variable name) instead of the secret, so the value the message names (its `data`) is located too, near the range:
 * that credits secretlint with what it meant to report.
 */
export const secretlint: ToolUnderTest = {
  name: SECRETLINT,
  async hits(text) {
    const result = await lintSource({
      source: { content: text, filePath: "/corpus/input.txt", ext: ".txt", contentType: "text" },
      options: { config: secretlintConfig, noPhysicFilePath: true },
    });
    return result.messages.flatMap((m) => {
      const hits: Hit[] = [{ start: m.range[0], end: m.range[1] }];
      for (const value of Object.values(m.data ?? {})) {
        if (typeof value !== "string" || value.length < 8) continue;
        const at = text.indexOf(value, Math.max(0, m.range[0] - 200));
        if (at >= 0) hits.push({ start: at, end: at + value.length });
      }
      return hits;
    });
  },
  sameCategory: false,
  changesBenign: (hits) => hits.length > 0,
};

// redact-pii returns only the redacted text; a replacement character that never occurs in the corpus lets us
// recover which spans it replaced.
const SENTINEL = "\u0000";
const redactor = new redactPii.SyncRedactor({ globalReplaceWith: SENTINEL });

/**
 * The spans of `original` that were replaced by SENTINEL in `redacted`. Adjacent replacements merge into one span
 * (in the tool's favour); a text that cannot be aligned counts as wholly replaced (also in its favour).
 */
export function redactedSpans(original: string, redacted: string): Hit[] {
  const parts = redacted.split(SENTINEL);
  const first = parts[0] ?? "";
  if (parts.length === 1) return [];
  if (!original.startsWith(first)) return [{ start: 0, end: original.length }];
  const hits: Hit[] = [];
  let pos = first.length;
  for (let i = 1; i < parts.length; i++) {
    const seg = parts[i] ?? "";
    if (i === parts.length - 1) {
      const end = original.length - seg.length;
      if (!original.endsWith(seg) || end < pos) return [{ start: 0, end: original.length }];
      if (end > pos) hits.push({ start: pos, end });
      break;
    }
    if (seg === "") continue;
    const at = original.indexOf(seg, pos + 1);
    if (at < 0) return [{ start: 0, end: original.length }];
    hits.push({ start: pos, end: at });
    pos = at + seg.length;
  }
  return hits;
}

/** redact-pii with its defaults: every replaced span is a finding; any change alters a benign text. */
export const redactPiiTool: ToolUnderTest = {
  name: REDACT_PII,
  hits: (text) => redactedSpans(text, redactor.redact(text)),
  sameCategory: false,
  changesBenign: (hits) => hits.length > 0,
};
