// The single-pass scanner: one lower-cased copy, one keyword pass choosing detectors, each chosen detector once, merged findings.
import type { Detector, Finding } from "./types";

interface Compiled {
  /** Detectors with no keywords: always run. */
  always: readonly Detector[];
  /** Keyword → the detectors it enables. */
  byKeyword: ReadonlyMap<string, readonly Detector[]>;
  /** One alternation of every keyword, longest first. Null when no detector has keywords. */
  pattern: RegExp | null;
  /** Longest span any detector can report: the stream window. */
  maxLength: number;
}

const compiled = new WeakMap<readonly Detector[], Compiled>();

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Compiles a detector set once (per isolate, per set); later scans reuse it. */
export function compile(detectors: readonly Detector[]): Compiled {
  const hit = compiled.get(detectors);
  if (hit) return hit;
  const always: Detector[] = [];
  const byKeyword = new Map<string, Detector[]>();
  for (const d of detectors) {
    if (d.keywords.length === 0) always.push(d);
    for (const k of d.keywords) {
      const key = k.toLowerCase();
      const list = byKeyword.get(key);
      if (list) list.push(d);
      else byKeyword.set(key, [d]);
    }
  }
  const keys = [...byKeyword.keys()].sort((a, b) => b.length - a.length);
  const c: Compiled = {
    always,
    byKeyword,
    pattern: keys.length ? new RegExp(keys.map(escape).join("|"), "g") : null,
    maxLength: detectors.reduce((m, d) => Math.max(m, d.maxLength), 0),
  };
  compiled.set(detectors, c);
  return c;
}

/** The detectors whose keywords occur in `text` (plus those that always run), each once. */
export function selectDetectors(text: string, c: Compiled): Detector[] {
  const chosen = new Set<Detector>(c.always);
  if (c.pattern && c.byKeyword.size > 0) {
    const lower = text.toLowerCase();
    const seen = new Set<string>();
    c.pattern.lastIndex = 0;
    for (let m = c.pattern.exec(lower); m !== null; m = c.pattern.exec(lower)) {
      const k = m[0];
      if (seen.has(k)) continue;
      seen.add(k);
      for (const d of c.byKeyword.get(k) ?? []) chosen.add(d);
      if (seen.size === c.byKeyword.size) break;
    }
  }
  return [...chosen];
}

/**
 * Overlapping findings of the same category collapse to one: the higher confidence wins, then the longer span.
 * Findings of different categories may overlap (a URL can be both exfil and carry a secret); redaction merges spans.
 */
export function mergeFindings(findings: Finding[]): Finding[] {
  const sorted = [...findings].sort((a, b) => a.start - b.start || b.end - a.end);
  const out: Finding[] = [];
  // Kept findings of one category never overlap, and input comes by start, so only the category's last one can clash.
  const last = new Map<string, number>();
  for (const f of sorted) {
    const i = last.get(f.category);
    const o = i === undefined ? undefined : out[i];
    if (i === undefined || !o || o.end <= f.start) {
      last.set(f.category, out.length);
      out.push(f);
      continue;
    }
    const better = f.confidence > o.confidence || (f.confidence === o.confidence && f.end - f.start > o.end - o.start);
    if (better) out[i] = f;
  }
  return out.sort((a, b) => a.start - b.start);
}

/** Scans text with a detector set. Never throws: a detector that fails is skipped and reported as a finding. */
export function scan(text: string, detectors: readonly Detector[]): Finding[] {
  if (text.length === 0) return [];
  const c = compile(detectors);
  const found: Finding[] = [];
  for (const d of selectDetectors(text, c)) {
    try {
      for (const f of d.detect(text)) {
        if (f.start >= 0 && f.end <= text.length && f.start < f.end) found.push(f);
      }
    } catch {
      // A detector bug must not open a hole: report the whole text as unscannable by that detector's category.
      found.push({ kind: `${d.category}.detector_error`, category: d.category, start: 0, end: text.length, confidence: 1 });
    }
  }
  return mergeFindings(found);
}

/** The stream window a detector set needs. */
export function windowFor(detectors: readonly Detector[]): number {
  return compile(detectors).maxLength;
}
