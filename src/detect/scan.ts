// The single-pass scanner: one keyword pass over the text chooses the detectors, each runs only where its keywords are.
import { KeywordAutomaton } from "./keywords";
import type { Detector, Finding } from "./types";

interface Compiled {
  /** Detectors with no keywords: they run on the whole text, and must be cheap. */
  always: readonly Detector[];
  /** Keyword index → the detectors it enables. */
  byKeyword: readonly (readonly number[])[];
  keyworded: readonly Detector[];
  automaton: KeywordAutomaton | null;
  /** Longest span any detector can report: the stream window. */
  maxLength: number;
}

const compiled = new WeakMap<readonly Detector[], Compiled>();

/** Compiles a detector set once (per isolate, per set); later scans reuse it. */
export function compile(detectors: readonly Detector[]): Compiled {
  const hit = compiled.get(detectors);
  if (hit) return hit;
  const always = detectors.filter((d) => d.keywords.length === 0);
  const keyworded = detectors.filter((d) => d.keywords.length > 0);
  const index = new Map<string, number[]>();
  keyworded.forEach((d, i) => {
    for (const k of d.keywords) {
      const key = k.toLowerCase();
      const list = index.get(key);
      if (list) {
        if (!list.includes(i)) list.push(i);
      } else index.set(key, [i]);
    }
  });
  const keys = [...index.keys()];
  const c: Compiled = {
    always,
    keyworded,
    byKeyword: keys.map((k) => index.get(k) ?? []),
    automaton: keys.length ? new KeywordAutomaton(keys) : null,
    maxLength: detectors.reduce((m, d) => Math.max(m, d.maxLength), 0),
  };
  compiled.set(detectors, c);
  return c;
}

/**
 * Per keyworded detector that has a hit: the end offsets and lengths of its keywords' occurrences. Detectors without
 * a hit have no entry, so a text with no keyword (most short strings) allocates nothing here.
 */
function keywordHits(text: string, c: Compiled): Map<number, { ends: number[]; lengths: number[] }> {
  const hits = new Map<number, { ends: number[]; lengths: number[] }>();
  const keys = c.automaton?.keywords ?? [];
  c.automaton?.scan(text, (k, end) => {
    for (const d of c.byKeyword[k] ?? []) {
      let h = hits.get(d);
      if (!h) {
        h = { ends: [], lengths: [] };
        hits.set(d, h);
      }
      h.ends.push(end);
      h.lengths.push(keys[k]?.length ?? 0);
    }
  });
  return hits;
}

/** The detectors whose keywords occur in `text` (plus those that always run), each once. */
export function selectDetectors(text: string, c: Compiled): Detector[] {
  const hits = keywordHits(text, c);
  return [...c.always, ...c.keyworded.filter((_, i) => hits.has(i))];
}

/** Past this share of the text, windows are not worth cutting: the detector reads the whole text. */
const WHOLE_TEXT_SHARE = 0.5;
/** How far a window edge may move to reach white space, so no window starts or ends inside a token. */
const EDGE_SLACK = 64;

const isSpace = (c: number): boolean => c === 32 || c === 10 || c === 9 || c === 13;

function widen(text: string, start: number, end: number): [number, number] {
  let s = start;
  const sMin = Math.max(0, start - EDGE_SLACK);
  while (s > sMin && !isSpace(text.charCodeAt(s - 1))) s--;
  if (s > 0 && !isSpace(text.charCodeAt(s - 1))) s = sMin; // no space near: keep the slack anyway
  let e = end;
  const eMax = Math.min(text.length, end + EDGE_SLACK);
  while (e < eMax && !isSpace(text.charCodeAt(e))) e++;
  return [s, e];
}

/**
 * The parts of `text` a detector must read: around each keyword occurrence, `maxLength` before its start and after
 * its end (a finding, context included, spans at most `maxLength`), merged, edges widened to white space.
 */
function windows(text: string, ends: readonly number[], lengths: readonly number[], maxLength: number): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < ends.length; i++) {
    const end = ends[i] as number;
    const [s, e] = widen(text, Math.max(0, end - (lengths[i] as number) - maxLength), Math.min(text.length, end + maxLength));
    const last = out.at(-1);
    if (last && s <= last[1]) last[1] = Math.max(last[1], e);
    else out.push([s, e]);
  }
  return out;
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
  return out.sort((a, b) => a.start - b.start || a.end - b.end || (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0));
}

function run(d: Detector, text: string, offset: number, into: Finding[]): void {
  try {
    for (const f of d.detect(text)) {
      if (f.start >= 0 && f.end <= text.length && f.start < f.end)
        into.push(offset ? { ...f, start: f.start + offset, end: f.end + offset } : f);
    }
  } catch {
    // A detector bug must not open a hole: the text it was reading counts as unscannable for that category.
    into.push({
      kind: `${d.category}.detector_error`,
      category: d.category,
      start: offset,
      end: offset + text.length,
      confidence: 1,
    });
  }
}

/** Scans text with a detector set. Never throws: a detector that fails reports the text it could not read. */
export function scan(text: string, detectors: readonly Detector[]): Finding[] {
  if (text.length === 0) return [];
  const c = compile(detectors);
  const found: Finding[] = [];
  for (const d of c.always) run(d, text, 0, found);
  // In detector order, so findings come out the same whatever order the keywords occur in.
  const hits = [...keywordHits(text, c)].sort((a, b) => a[0] - b[0]);
  for (const [i, h] of hits) {
    const d = c.keyworded[i];
    if (!d) continue;
    const parts = windows(text, h.ends, h.lengths, d.maxLength);
    const covered = parts.reduce((n, [s, t]) => n + t - s, 0);
    if (covered >= text.length * WHOLE_TEXT_SHARE) run(d, text, 0, found);
    else for (const [s, t] of parts) run(d, text.slice(s, t), s, found);
  }
  return mergeFindings(found);
}

/** The stream window a detector set needs. */
export function windowFor(detectors: readonly Detector[]): number {
  return compile(detectors).maxLength;
}
