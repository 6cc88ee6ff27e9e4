// unicode.bidi_override: bidirectional controls that make text display in a different order than it is read (Trojan Source).
//
// Decisions (tested in test/unit/detect-unicode.test.ts):
// - Overrides (LRO U+202D, RLO U+202E) are reported wherever they are: 0.9. Ordinary right-to-left text never needs
//   them; a plain Arabic or Hebrew sentence has no controls at all and is never a finding.
// - Embeddings and isolates (U+202A–U+202C, U+2066–U+2069) that do not balance on their line (an opener left open, a
//   closer with nothing to close) reorder the rest of the line: 0.8.
// - Balanced embeddings and isolates are how software wraps mixed-direction text ("\u2068name\u2069"): not a finding
//   next to right-to-left letters, 0.4 (flag only) in purely left-to-right text.
// - A span is the run of control characters, so redaction removes the reordering and leaves the text.
import type { Detector, Finding } from "../../types";
import { hasNonAscii, rtlNear } from "./non-ascii";

const CONTROL = /[\u202A-\u202E\u2066-\u2069]+/g;
const LRO = 0x202d;
const RLO = 0x202e;
const PDF = 0x202c;
const PDI = 0x2069;
const MAX_SPAN = 64;

const isEmbeddingOpener = (c: number): boolean => c === 0x202a || c === 0x202b || c === LRO || c === RLO;
const isIsolateOpener = (c: number): boolean => c >= 0x2066 && c <= 0x2068;

/** Offsets of controls that are left unbalanced on the line [from, to). */
function unbalanced(text: string, from: number, to: number): Set<number> {
  const bad = new Set<number>();
  const embeddings: number[] = [];
  const isolates: number[] = [];
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (isEmbeddingOpener(c)) embeddings.push(i);
    else if (isIsolateOpener(c)) isolates.push(i);
    else if (c === PDF) {
      if (embeddings.pop() === undefined) bad.add(i);
    } else if (c === PDI) {
      if (isolates.pop() === undefined) bad.add(i);
    }
  }
  for (const i of embeddings) bad.add(i);
  for (const i of isolates) bad.add(i);
  return bad;
}

export const bidiOverride: Detector = {
  id: "bidi_override",
  category: "unicode",
  keywords: [],
  maxLength: MAX_SPAN,
  detect(text) {
    if (!hasNonAscii(text)) return [];
    const out: Finding[] = [];
    let lineFrom = -1;
    let lineTo = -1;
    let bad = new Set<number>();
    let lineRtl = false;
    CONTROL.lastIndex = 0;
    for (let m = CONTROL.exec(text); m !== null; m = CONTROL.exec(text)) {
      if (m.index >= lineTo) {
        lineFrom = text.lastIndexOf("\n", m.index) + 1;
        const nl = text.indexOf("\n", m.index);
        lineTo = nl === -1 ? text.length : nl;
        bad = unbalanced(text, lineFrom, lineTo);
        lineRtl = rtlNear(text, lineFrom, lineTo, 0);
      }
      const end = m.index + m[0].length;
      let confidence = 0;
      for (let i = m.index; i < end; i++) {
        const c = text.charCodeAt(i);
        const score = c === LRO || c === RLO ? 0.9 : bad.has(i) ? 0.8 : lineRtl ? 0 : 0.4;
        confidence = Math.max(confidence, score);
      }
      if (confidence === 0) continue;
      for (let s = m.index; s < end; s += MAX_SPAN) {
        out.push({ kind: "unicode.bidi_override", category: "unicode", start: s, end: Math.min(end, s + MAX_SPAN), confidence });
      }
    }
    return out;
  },
};
