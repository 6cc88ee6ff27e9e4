// Anchoring: each rule names its key literals; one pass finds them all, and each rule runs only in windows around its keys.
//
// The keys are also the detector's prefilter keywords, and the anchors are exactly the keywords' occurrences (ASCII
// case-insensitive, as the scanner's keyword pass; a key that starts with a letter must also start a word). So every
// hit lies near a keyword, and reads only text near it (REACH): the scanner's windows around the keywords give the
// hits that the whole text gives.
import { isSpace, lineBreakBefore, sentenceEnd, sentenceStart } from "./text";

/** One matched signal: where it is, and how strongly it alone indicates an attack. */
export interface Hit {
  /** The span a finding would cover: the sentence around the phrase (or the match alone). */
  start: number;
  end: number;
  /** Where the phrase itself starts: quoting and discussion are judged here. Defaults to `start`. */
  at?: number;
  weight: number;
}

export interface Rule {
  /**
   * Lower-case literals that occur in or just before every match: where the rule runs, and the detector's prefilter
   * keywords. Pick rare ones (a phrase rather than a common word): every occurrence costs a window of text.
   */
  keys: readonly string[];
  /** A global regex, shared: its lastIndex is reset before each use. */
  re: RegExp;
  /** The match's weight, or a function of the match returning it (0 drops the match). */
  weight: number | ((m: RegExpExecArray, text: string) => number);
  /** "sentence" (default): the phrase to the end of its sentence; "match": the match alone (markers, tokens). */
  span?: "sentence" | "match";
}

/** A check that is more than one regex (a cue with its framing, balanced tags): runs in windows around its keys. */
export interface Probe {
  keys: readonly string[];
  run(text: string, windows: readonly Window[]): Hit[];
}

/** A stretch of text around anchors in which rules run. */
export interface Window {
  start: number;
  end: number;
}

/** Longest finding: a sentence around a bounded phrase, or a passage of such sentences. */
export const MAX_FINDING = 700;
/** How far before and after an anchor a rule match may start and end. */
const REACH_BEFORE = 200;
const REACH_AFTER = 400;
/** How much farther back a window may start to start at a line's beginning (so ^ means a line start). */
const LINE_REACH = 100;

/**
 * One code unit as a pattern that ignores case for ASCII letters only, as the scanner's keyword pass does. A space
 * matches one space only, as there too: "without  any" (two spaces) is not an occurrence of "without any".
 */
function unit(ch: string): string {
  if (ch >= "a" && ch <= "z") return `[${ch}${ch.toUpperCase()}]`;
  return ch.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&");
}

interface Trie {
  next: Map<string, Trie>;
  end: boolean;
}

/** The literals as one alternation factored by common prefixes (Irregexp tries far fewer branches per position). */
function alternation(literals: readonly string[]): string {
  const root: Trie = { next: new Map(), end: false };
  for (const l of literals) {
    let node = root;
    for (let i = 0; i < l.length; i++) {
      const ch = l.charAt(i);
      let child = node.next.get(ch);
      if (!child) {
        child = { next: new Map(), end: false };
        node.next.set(ch, child);
      }
      node = child;
    }
    node.end = true;
  }
  // Greedy optional tails: the longest literal at a position is the one captured.
  const emit = (node: Trie): string => {
    const alts = [...node.next].map(([ch, child]) => unit(ch) + emit(child));
    if (alts.length === 0) return "";
    const body = alts.length === 1 ? alts[0]! : `(?:${alts.join("|")})`;
    return node.end ? `(?:${body})?` : body;
  };
  return emit(root);
}

/**
 * Two lookahead alternations of the literals: one for those that start with a letter, which must start a word
 * ("\bignore"), and one for the rest ("<|", " dan "). A lookahead finds every occurrence, overlapping ones included, as
 * the scanner does; the longest literal at a position is captured, and the shorter ones there are its prefixes.
 */
function anchorPatterns(literals: readonly string[]): RegExp[] {
  const words = literals.filter((l) => /^\w/.test(l));
  const others = literals.filter((l) => !/^\w/.test(l));
  const out: RegExp[] = [];
  if (words.length > 0) out.push(new RegExp(`\\b(?=(${alternation(words)}))`, "g"));
  if (others.length > 0) out.push(new RegExp(`(?=(${alternation(others)}))`, "g"));
  return out;
}

/** Merged windows around anchor offsets (sorted), cut at line starts or whitespace so ^ and \b mean what they say. */
function windowsAround(text: string, points: readonly number[]): Window[] {
  const out: Window[] = [];
  for (const p of points) {
    let start = Math.max(0, p - REACH_BEFORE);
    const line = lineBreakBefore(text, start, LINE_REACH);
    if (line !== -1) start = line + 1;
    else if (start <= LINE_REACH) start = 0;
    else while (start > 0 && !isSpace(text.charCodeAt(start - 1)) && p - start < REACH_BEFORE + 40) start--;
    let end = Math.min(text.length, p + REACH_AFTER);
    while (end < text.length && !isSpace(text.charCodeAt(end)) && end - p < REACH_AFTER + 40) end++;
    const last = out.at(-1);
    if (last && start <= last.end) last.end = Math.max(last.end, end);
    else out.push({ start, end });
  }
  return out;
}

/** Runs one rule inside the windows; each match is a hit with its weight and span (offsets in the whole text). */
export function runRule(text: string, rule: Rule, windows: readonly Window[]): Hit[] {
  const hits: Hit[] = [];
  const re = rule.re;
  for (const w of windows) {
    const slice = text.slice(w.start, w.end);
    re.lastIndex = 0;
    for (let m = re.exec(slice); m !== null; m = re.exec(slice)) {
      if (m[0].length === 0) {
        re.lastIndex++;
        continue;
      }
      m.index += w.start;
      const weight = typeof rule.weight === "number" ? rule.weight : rule.weight(m, text);
      if (weight <= 0) continue;
      const end = m.index + m[0].length;
      if (rule.span === "match") hits.push({ start: m.index, end: Math.min(end, m.index + MAX_FINDING), weight });
      else {
        const start = sentenceStart(text, m.index);
        hits.push({
          start,
          end: Math.min(Math.max(end, sentenceEnd(text, end)), start + MAX_FINDING),
          at: m.index,
          weight,
        });
      }
    }
  }
  return hits;
}

/** All keys of one detector in one pass; each probe runs in windows around the keys it named. */
export class Prober {
  /** The probes' keys, lower case, each once: the detector's prefilter keywords. */
  readonly keywords: readonly string[];
  readonly #patterns: readonly RegExp[];
  readonly #probes: readonly Probe[];
  /** Key → indices of the probes it wakes: those keyed by it or by any prefix of it found at the same place. */
  readonly #wakes = new Map<string, number[]>();

  constructor(probes: readonly Probe[]) {
    this.#probes = probes;
    this.keywords = [...new Set(probes.flatMap((p) => p.keys.map((k) => k.toLowerCase())))];
    this.#patterns = anchorPatterns(this.keywords);
    for (const k of this.keywords) {
      const list: number[] = [];
      probes.forEach((p, i) => {
        if (p.keys.some((key) => k.startsWith(key.toLowerCase()))) list.push(i);
      });
      this.#wakes.set(k, list);
    }
  }

  hits(text: string): Hit[] {
    const points: number[][] = this.#probes.map(() => []);
    let any = false;
    for (const re of this.#patterns) {
      re.lastIndex = 0;
      for (let m = re.exec(text); m !== null; m = re.exec(text)) {
        re.lastIndex = m.index + 1;
        for (const i of this.#wakes.get((m[1] ?? "").toLowerCase()) ?? []) points[i]!.push(m.index);
        any = true;
      }
    }
    if (!any) return [];
    const hits: Hit[] = [];
    for (let i = 0; i < this.#probes.length; i++) {
      const p = points[i]!;
      if (this.#patterns.length > 1) p.sort((a, b) => a - b);
      if (p.length > 0) hits.push(...this.#probes[i]!.run(text, windowsAround(text, p)));
    }
    return hits;
  }
}

/** A rule as a probe. */
export function probe(rule: Rule): Probe {
  return { keys: rule.keys, run: (text, windows) => runRule(text, rule, windows) };
}
