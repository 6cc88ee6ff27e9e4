// Shared scoring for the injection detectors: hits (see anchors.ts) become damped, merged, corroborated findings.
//
// Cost: each rule names the literals it cannot match without ("keys"; together they are the detector's keywords, and
// rare: phrases such as "do not tell" rather than words such as "user"). The scanner runs a detector only in windows
// around its keywords; there it makes one pass for all its keys and runs each rule only in short windows around its
// own keys. Text without keys costs nothing here.
//
// Locality: the scanner's windows must give the findings the whole text gives, so nothing here reads far from a key.
// A hit reads at most ~800 characters either side of its key (see anchors.ts and mention.ts); corroboration and
// passages look NEIGHBOURHOOD around a finding, at hits found in that stretch alone. INJECTION_WINDOW, every injection
// detector's maxLength, bounds the sum.
//
// Decisions (tested in test/unit/detect-injection.test.ts):
// - A finding spans the sentence around the matched phrase, so redaction removes the instruction, not a stub; and
//   sentences with hits that follow each other (of any injection kind) make one passage, one finding (at most 700
//   characters, the stream window of these detectors).
// - Text that mentions an attack rather than making one is damped: a phrase inside quotes or a code span/block, in a
//   sentence that also talks about attacks ("prompt injection", "for example", "attackers"...), drops below 0.5
//   (flag only). Quoting alone, or discussion alone, lowers confidence a little but still enforces: models obey quoted
//   and "for example" instructions too. Reported speech ("told the model to ignore ...") counts as quoting. An attacker
//   can dress an attack up as a quoted example; it then still leaves a flag-only finding in the audit trail.
// - Signals corroborate each other: every other undamped hit (any injection kind) within 400 characters of a finding
//   raises its confidence, so one strong phrase is ~0.8, several are up to 0.99, and a weak cue alone (~0.3-0.45)
//   stays flag-only. Findings below 0.3 are not reported: some cues ("let's play a game", a bare "DAN") only ever
//   corroborate. Signals far apart in a long document do not: each part is judged on its own, as a stream window
//   would see it.
import type { Detector, Finding } from "../../types";
import { type Hit, MAX_FINDING, type Probe, Prober, probe, type Rule, type Window } from "./anchors";
import { contextFactor } from "./mention";
import { countBelow, JOINER } from "./text";

export type InjectionKind = "direct_override" | "role_hijack" | "jailbreak_template" | "context_manipulation" | "indirect";

const MIN_CONFIDENCE = 0.3;
const MAX_CONFIDENCE = 0.99;
const CORROBORATION = 0.4;
const DAMPED_CAP = 0.45;
/** How far around a finding other hits corroborate it or join its passage. */
const NEIGHBOURHOOD = 400;
/**
 * The text a finding depends on, from its key. A rule window starts at most 300 characters before the key and ends
 * 440 after (anchors.ts); a hit reaches 150 further back to its sentence start and 300 further on to its sentence end,
 * and its context is read at most 500 characters further back (mention.ts). With the neighbourhood, everything lies
 * within 1150 characters of a key; structure checks stay within 1100 (context-manipulation.ts). Every injection
 * detector's maxLength, so the scanner's windows hold all of it.
 */
export const INJECTION_WINDOW = 1200;

function noisyOr(weights: Iterable<number>): number {
  let miss = 1;
  for (const w of weights) miss *= 1 - w;
  return 1 - miss;
}

/**
 * Every injection detector registers here when it is built, so any detector can weigh the others' hits. Hits are
 * memoised for the last text each prober read.
 */
const registered: Prober[] = [];
const memo = new Map<Prober, { text: string; hits: Hit[] }>();

function hitsOf(p: Prober, text: string): Hit[] {
  const last = memo.get(p);
  if (last && last.text === text) return last.hits;
  const hits = p.hits(text);
  memo.set(p, { text, hits });
  return hits;
}

interface Scored extends Hit {
  damped: boolean;
}

function score(text: string, hits: readonly Hit[], conditional: boolean): Scored[] {
  return hits.map((h) => {
    const f = contextFactor(text, h, conditional);
    // Probes bound their spans loosely (a turn runs to its line end): the finding bound is enforced here.
    const end = Math.min(h.end, h.start + MAX_FINDING);
    return { start: h.start, end, at: h.at ?? h.start, weight: h.weight * f, damped: f < 0.7 };
  });
}

/**
 * The undamped hits of every injection detector in [from, to), found in that stretch of text alone (so the answer does
 * not depend on what lies outside it), sorted by start, offsets in the whole text.
 */
function neighbours(text: string, from: number, to: number): Scored[] {
  const part = text.slice(from, to);
  const out: Scored[] = [];
  for (const c of registered) {
    const hits = hitsOf(c, part);
    if (hits.length === 0) continue;
    for (const h of score(part, hits, false)) {
      if (!h.damped) out.push({ ...h, start: h.start + from, end: h.end + from, at: (h.at ?? h.start) + from });
    }
  }
  return out.sort((a, b) => a.start - b.start);
}

export interface InjectionSpec {
  kind: InjectionKind;
  /** Rules and probes; their keys are the detector's keywords. */
  probes: readonly (Rule | Probe)[];
  /** Damp hits in a conditional aside ("if you use Docker, ignore the above instructions"): for override phrasing. */
  conditional?: boolean;
}

/** Builds one injection detector from its rules; the anchoring and scoring are shared. */
export function injectionDetector(spec: InjectionSpec): Detector {
  const self = new Prober(spec.probes.map((p) => ("re" in p ? probe(p) : p)));
  registered.push(self);
  const kind = `injection.${spec.kind}`;
  const conditional = spec.conditional ?? false;
  return {
    id: spec.kind,
    category: "injection",
    keywords: self.keywords,
    maxLength: INJECTION_WINDOW,
    detect(text) {
      const own = hitsOf(self, text);
      if (own.length === 0) return [];
      const scored = score(text, own, conditional).sort((a, b) => a.start - b.start);
      // Same-kind hits whose spans overlap or follow each other across a sentence break are one finding, up to the
      // length bound; past it a new finding starts where the last one ended (findings of one category must not
      // overlap: the scanner would keep only one of them).
      const groups: { start: number; end: number; hits: Scored[] }[] = [];
      for (const h of scored) {
        const last = groups.at(-1);
        const touches = last !== undefined && (h.start < last.end || JOINER.test(text.slice(last.end, h.start)));
        if (last && touches && h.end - last.start <= MAX_FINDING) {
          last.hits.push(h);
          last.end = Math.max(last.end, h.end);
        } else if (last && h.start < last.end) {
          if (h.end > last.end) groups.push({ start: last.end, end: h.end, hits: [h] });
          else last.hits.push(h);
        } else {
          groups.push({ start: h.start, end: h.end, hits: [h] });
        }
      }
      const out: Finding[] = [];
      for (const g of groups) {
        const { start, end } = g;
        const base = noisyOr(g.hits.map((h) => h.weight));
        const damped = g.hits.every((h) => h.damped);
        let confidence: number;
        let passage: Window = g;
        if (damped) {
          confidence = Math.min(base, DAMPED_CAP);
        } else {
          // Corroboration: the undamped hits of any kind near the finding that do not overlap it.
          const near = neighbours(text, Math.max(0, start - NEIGHBOURHOOD), Math.min(text.length, end + NEIGHBOURHOOD));
          let logMiss = 0;
          for (const o of near) if (o.end <= start || o.start >= end) logMiss += Math.log1p(-o.weight * CORROBORATION);
          const boost = 1 - Math.exp(logMiss);
          confidence = Math.min(MAX_CONFIDENCE, noisyOr([base, boost]));
          if (confidence >= MIN_CONFIDENCE) passage = extend(text, g, near, out.at(-1)?.end ?? 0);
        }
        if (confidence < MIN_CONFIDENCE) continue;
        // The finding covers the whole injected passage: hits of any kind that follow or precede it across a sentence
        // break are part of it (bounded, and never reaching into this detector's neighbouring findings).
        out.push({ kind, category: "injection", start: passage.start, end: passage.end, confidence: round(confidence) });
      }
      for (let i = 0; i + 1 < out.length; i++) if (out[i]!.end > out[i + 1]!.start) out[i]!.end = out[i + 1]!.start;
      return out;
    },
  };
}

/** Grows [start, end) over adjacent hits (sorted by start in `others`) until no more touch it or the bound is met. */
function extend(text: string, g: Window, others: readonly Hit[], floor: number): Window {
  const starts = others.map((o) => o.start);
  let { start, end } = g;
  for (let grown = true; grown; ) {
    grown = false;
    for (let i = countBelow(starts, start - MAX_FINDING); i < others.length && others[i]!.start <= end + 6; i++) {
      const o = others[i]!;
      if (o.start >= end && o.end - start <= MAX_FINDING && JOINER.test(text.slice(end, o.start))) {
        end = o.end;
        grown = true;
      } else if (o.end <= start && o.start >= floor && end - o.start <= MAX_FINDING && JOINER.test(text.slice(o.end, start))) {
        start = o.start;
        grown = true;
      }
    }
  }
  return { start, end };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
