// unicode.bidi_override: bidirectional controls that make text display in a different order than it is read (Trojan Source).
//
// Decisions (tested in test/unit/detect-unicode.test.ts):
// - Overrides (LRO U+202D, RLO U+202E) are reported wherever they are: 0.9. Ordinary right-to-left text never needs
//   them; a plain Arabic or Hebrew sentence has no controls at all and is never a finding.
// - Embeddings and isolates (U+202A–U+202C, U+2066–U+2069) that do not balance on their line (an opener left open, a
//   closer with nothing to close) reorder the rest of the line: 0.8. An opener and its closer more than PAIR_REACH
//   apart do not balance either: a pair that wide wraps no name, and judging it would mean reading unbounded lines.
// - Balanced embeddings and isolates are how software wraps mixed-direction text ("\u2068name\u2069"): not a finding
//   next to right-to-left letters (within PAIR_REACH on the line), 0.4 (flag only) in left-to-right text.
// - A span is the run of control characters, so redaction removes the reordering and leaves the text.
// - Keywords are the nine controls. Everything a control's verdict depends on lies within PAIR_REACH of it on its line,
//   so scanning windows around the controls gives the verdicts scanning the whole text gives.
import type { Detector, Finding } from "../../types";
import { codeUnits, RtlScanner } from "./non-ascii";

const CONTROL = /[\u202A-\u202E\u2066-\u2069]+/g;
const LRO = 0x202d;
const RLO = 0x202e;
const PDF = 0x202c;
const PDI = 0x2069;
const MAX_SPAN = 64;
const PAIR_REACH = 512;

const isEmbeddingOpener = (c: number): boolean => c === 0x202a || c === 0x202b || c === LRO || c === RLO;
const isIsolateOpener = (c: number): boolean => c >= 0x2066 && c <= 0x2068;

/**
 * Which controls in `runs` do not balance (unclosed, unopened, paired across a line or too far apart), as flags indexed
 * by offset minus the first run's start.
 */
function unbalanced(text: string, runs: readonly RegExpExecArray[]): Uint8Array {
  const base = runs[0]!.index;
  const last = runs.at(-1)!;
  const bad = new Uint8Array(last.index + last[0].length - base);
  let embeddings: number[] = [];
  let isolates: number[] = [];
  let lineStop = -1;
  const close = (stack: number[], at: number) => {
    const open = stack.pop();
    if (open === undefined || at - open > PAIR_REACH) {
      bad[at - base] = 1;
      if (open !== undefined) bad[open - base] = 1;
    }
  };
  const leftOpen = () => {
    for (const i of embeddings) bad[i - base] = 1;
    for (const i of isolates) bad[i - base] = 1;
    embeddings = [];
    isolates = [];
  };
  for (const m of runs) {
    if (m.index > lineStop) {
      // A new line (or the first): whatever is still open on the previous one never closes.
      leftOpen();
      const nl = text.indexOf("\n", m.index);
      lineStop = nl === -1 ? text.length : nl;
    }
    for (let i = m.index; i < m.index + m[0].length; i++) {
      const c = text.charCodeAt(i);
      if (isEmbeddingOpener(c)) embeddings.push(i);
      else if (isIsolateOpener(c)) isolates.push(i);
      else if (c === PDF) close(embeddings, i);
      else if (c === PDI) close(isolates, i);
    }
  }
  leftOpen();
  return bad;
}

/** Start of the line holding `at`, looking back at most `reach` characters. */
function lineStart(text: string, at: number, reach: number): number {
  const stop = Math.max(0, at - reach);
  for (let i = at - 1; i >= stop; i--) if (text.charCodeAt(i) === 10) return i + 1;
  return stop;
}

/** End of the line holding `at`, looking ahead at most `reach` characters. */
function lineEnd(text: string, at: number, reach: number): number {
  const stop = Math.min(text.length, at + reach);
  for (let i = at; i < stop; i++) if (text.charCodeAt(i) === 10) return i;
  return stop;
}

export const bidiOverride: Detector = {
  id: "bidi_override",
  category: "unicode",
  keywords: codeUnits([
    [0x202a, 0x202e],
    [0x2066, 0x2069],
  ]),
  maxLength: 2 * PAIR_REACH,
  detect(text) {
    const runs: RegExpExecArray[] = [];
    CONTROL.lastIndex = 0;
    for (let m = CONTROL.exec(text); m !== null; m = CONTROL.exec(text)) runs.push(m);
    if (runs.length === 0) return [];
    const bad = unbalanced(text, runs);
    const rtl = new RtlScanner(text);
    const out: Finding[] = [];
    for (const m of runs) {
      const end = m.index + m[0].length;
      let confidence = 0;
      let balanced = false;
      for (let i = m.index; i < end; i++) {
        const c = text.charCodeAt(i);
        if (c === LRO || c === RLO) confidence = Math.max(confidence, 0.9);
        else if (bad[i - runs[0]!.index] === 1) confidence = Math.max(confidence, 0.8);
        else balanced = true;
      }
      if (balanced && confidence < 0.4) {
        if (!rtl.any(lineStart(text, m.index, PAIR_REACH), lineEnd(text, end, PAIR_REACH))) confidence = 0.4;
      }
      if (confidence === 0) continue;
      for (let s = m.index; s < end; s += MAX_SPAN) {
        out.push({ kind: "unicode.bidi_override", category: "unicode", start: s, end: Math.min(end, s + MAX_SPAN), confidence });
      }
    }
    return out;
  },
};
