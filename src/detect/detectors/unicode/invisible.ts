// unicode.invisible: zero-width and other invisible characters used to hide text or split words past filters.
//
// Decisions (tested in test/unit/detect-unicode.test.ts):
// - Each character is judged with its neighbours, because every one of them has a legitimate use:
//   ZWJ/ZWNJ between non-ASCII characters (emoji sequences 👩‍💻, Persian and Indic words), ZWSP between non-ASCII
//   characters (Thai, Khmer, Japanese line breaking), LRM/RLM/ALM near right-to-left letters, a soft hyphen alone in a
//   word (hyphenation), one variation selector after an emoji, symbol, CJK ideograph or keycap digit, a BOM at offset
//   0, Mongolian, Hangul and Khmer format characters inside their scripts. None of these is a finding.
// - Anything else is suspicious. One stray character is 0.4-0.6 (copy-paste residue is common); a run of three or more,
//   or characters interleaved with a word ("i\u200bg\u200bn\u200bo\u200br\u200be"), is 0.85; eight or more (hidden
//   binary encodings, "emoji smuggling" in variation selectors) is 0.95.
// - A span is the run of invisible characters (redaction removes them); for interleaving, the whole obfuscated word.
// - Keywords are the candidate characters themselves (and the high surrogate of the supplementary selectors), so the
//   scanner's keyword pass finds them and text without any costs nothing here. A judgement reads at most 64
//   characters around a candidate (and clusters chain candidates), well inside the scanner's window around them.
import type { Detector, Finding } from "../../types";
import { codeUnits, rtlNear } from "./non-ascii";

const CANDIDATE =
  // biome-ignore lint/suspicious/noMisleadingCharacterClass: single code points, each judged on its own below.
  /[\u00AD\u034F\u061C\u115F\u1160\u17B4\u17B5\u180B-\u180F\u200B-\u200F\u2060-\u2064\u206A-\u206F\u3164\uFE00-\uFE0F\uFEFF\uFFA0\uFFF9-\uFFFB]|\uDB40[\uDD00-\uDDEF]/g;
const MAX_SPAN = 1024;
/** The candidates as keywords: every code unit CANDIDATE can start with. */
const KEYWORDS = codeUnits([
  0xad,
  0x34f,
  0x61c,
  [0x115f, 0x1160],
  [0x17b4, 0x17b5],
  [0x180b, 0x180f],
  [0x200b, 0x200f],
  [0x2060, 0x2064],
  [0x206a, 0x206f],
  0x3164,
  [0xfe00, 0xfe0f],
  0xfeff,
  0xffa0,
  [0xfff9, 0xfffb],
  0xdb40,
]);
/** Visible characters allowed between two invisible ones for them to count as one obfuscated word. */
const INTERLEAVE_GAP = 2;
/** How far an interleaved cluster widens to cover its word. */
const WORD_REACH = 32;

function isCandidate(c: number): boolean {
  return (
    c === 0xad ||
    c === 0x34f ||
    c === 0x61c ||
    c === 0x115f ||
    c === 0x1160 ||
    c === 0x17b4 ||
    c === 0x17b5 ||
    (c >= 0x180b && c <= 0x180f) ||
    (c >= 0x200b && c <= 0x200f) ||
    (c >= 0x2060 && c <= 0x2064) ||
    (c >= 0x206a && c <= 0x206f) ||
    c === 0x3164 ||
    (c >= 0xfe00 && c <= 0xfe0f) ||
    c === 0xfeff ||
    c === 0xffa0 ||
    (c >= 0xfff9 && c <= 0xfffb)
  );
}

const isVs = (c: number): boolean => c >= 0xfe00 && c <= 0xfe0f;
const isAsciiAlnum = (c: number): boolean => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
/** A visible non-ASCII character (emoji halves, letters of other scripts, symbols). */
const isVisibleNonAscii = (c: number): boolean => c >= 0x80 && !isCandidate(c) && c !== 0xdb40;

/** How suspicious one candidate is in place (0: a legitimate use). `i` is its offset; `c` its code unit. */
function suspicion(text: string, i: number, c: number, width: number): number {
  const prev = i > 0 ? text.charCodeAt(i - 1) : -1;
  const next = i + width < text.length ? text.charCodeAt(i + width) : -1;
  if (width === 2) {
    // Ideographic variation selectors (U+E0100..) after a CJK ideograph, BMP or supplementary.
    const cjk =
      (prev >= 0x3400 && prev <= 0x9fff) ||
      (prev >= 0xf900 && prev <= 0xfaff) ||
      (prev >= 0xdc00 && prev <= 0xdfff && i >= 2 && text.charCodeAt(i - 2) >= 0xd840 && text.charCodeAt(i - 2) <= 0xd8bf);
    return cjk ? 0 : 0.5;
  }
  switch (c) {
    case 0x200b:
      if (isVisibleNonAscii(prev) && isVisibleNonAscii(next)) return 0;
      return isAsciiAlnum(prev) && isAsciiAlnum(next) ? 0.5 : 0.4;
    case 0x200c:
    case 0x200d:
      return (isVisibleNonAscii(prev) || isVs(prev)) && isVisibleNonAscii(next) ? 0 : 0.5;
    case 0x200e:
    case 0x200f:
    case 0x61c:
      return rtlNear(text, i, i + 1, 64) ? 0 : 0.4;
    case 0xfeff:
      return i === 0 ? 0 : 0.5;
    case 0xad:
      return text.charCodeAt(i - 1) === 0xad ||
        text.charCodeAt(i + 1) === 0xad ||
        text.charCodeAt(i - 2) === 0xad ||
        text.charCodeAt(i + 2) === 0xad
        ? 0.55
        : 0;
    case 0x34f:
      return prev >= 0x80 ? 0 : 0.4;
    case 0x115f:
    case 0x1160:
      return (prev >= 0x1100 && prev <= 0x11ff) || (next >= 0x1100 && next <= 0x11ff) ? 0 : 0.55;
    case 0x17b4:
    case 0x17b5:
      return prev >= 0x1780 && prev <= 0x17ff ? 0 : 0.55;
    case 0x2060:
      return 0.45;
    default:
      if (c >= 0x180b && c <= 0x180f) return prev >= 0x1800 && prev <= 0x18af ? 0 : 0.55;
      if (isVs(c)) return isVisibleNonAscii(prev) || (prev >= 48 && prev <= 57) || prev === 35 || prev === 42 ? 0 : 0.5;
      return 0.6; // invisible operators, deprecated format controls, interlinear annotation, Hangul fillers
  }
}

interface Mark {
  start: number;
  end: number;
  weight: number;
}

function confidenceOf(count: number, maxWeight: number, interleaved: boolean): number {
  if (count >= 8) return 0.95;
  if (count >= 3) return 0.85;
  if (count === 2) return interleaved ? 0.6 : Math.min(0.7, maxWeight + 0.15);
  return maxWeight;
}

/** Adds a finding, cut into pieces of at most MAX_SPAN code units (never inside a surrogate pair). */
function push(text: string, out: Finding[], start: number, end: number, confidence: number): void {
  let s = start;
  while (s < end) {
    let e = Math.min(end, s + MAX_SPAN);
    const c = text.charCodeAt(e);
    if (e < end && c >= 0xdc00 && c <= 0xdfff) e--;
    out.push({ kind: "unicode.invisible", category: "unicode", start: s, end: e, confidence });
    s = e;
  }
}

export const invisible: Detector = {
  id: "invisible",
  category: "unicode",
  keywords: KEYWORDS,
  maxLength: MAX_SPAN,
  detect(text) {
    const marks: Mark[] = [];
    CANDIDATE.lastIndex = 0;
    for (let m = CANDIDATE.exec(text); m !== null; m = CANDIDATE.exec(text)) {
      const width = m[0].length;
      const weight = suspicion(text, m.index, text.charCodeAt(m.index), width);
      if (weight > 0) marks.push({ start: m.index, end: m.index + width, weight });
    }
    if (marks.length === 0) return [];
    const out: Finding[] = [];
    let i = 0;
    while (i < marks.length) {
      // A cluster: marks separated by at most INTERLEAVE_GAP visible characters.
      let j = i;
      let interleaved = false;
      let maxWeight = marks[i]!.weight;
      while (j + 1 < marks.length && marks[j + 1]!.start - marks[j]!.end <= INTERLEAVE_GAP) {
        if (marks[j + 1]!.start > marks[j]!.end) interleaved = true;
        j++;
        maxWeight = Math.max(maxWeight, marks[j]!.weight);
      }
      const count = j - i + 1;
      const confidence = confidenceOf(count, maxWeight, interleaved);
      if (interleaved) {
        // Widen to the obfuscated word (bounded), without reaching back into the previous finding.
        const floor = Math.max(out.at(-1)?.end ?? 0, marks[i]!.start - WORD_REACH);
        const ceiling = Math.min(text.length, marks[j]!.end + WORD_REACH, marks[j + 1]?.start ?? text.length);
        let start = marks[i]!.start;
        let end = marks[j]!.end;
        while (start > floor && isAsciiAlnum(text.charCodeAt(start - 1))) start--;
        while (end < ceiling && isAsciiAlnum(text.charCodeAt(end))) end++;
        push(text, out, start, end, confidence);
      } else {
        push(text, out, marks[i]!.start, marks[j]!.end, confidence);
      }
      i = j + 1;
    }
    return out;
  },
};
