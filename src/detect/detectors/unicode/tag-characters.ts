// unicode.tag_characters: U+E0000–E007F, invisible ASCII look-alikes that smuggle hidden instructions past human readers.
//
// Decisions (tested in test/unit/detect-unicode.test.ts):
// - In JavaScript strings each tag is a surrogate pair (\uDB40 + \uDC00–\uDC7F); spans always cover whole pairs.
// - Emoji subdivision flags (🏴 + "gbsct" in tags + CANCEL TAG, the Scottish flag) are the one legitimate use:
//   not a finding.
// - Any other run is reported; its hidden ASCII is decoded for confidence: four or more printable characters
//   (hidden text) 0.97, fewer 0.8, none (stray control tags) 0.7.
// - The keyword is the tags' high surrogate: text without it never reaches this detector.
import type { Detector, Finding } from "../../types";

const RUN = /(?:\uDB40[\uDC00-\uDC7F])+/g;
/** U+1F3F4 WAVING BLACK FLAG, the base of subdivision flag sequences. */
const BLACK_FLAG = "\uD83C\uDFF4";
const MAX_SPAN = 2048;

/** The ASCII a run of tag characters spells (U+E0041 → "A"). */
export function decodeTags(run: string): string {
  let out = "";
  for (let i = 1; i < run.length; i += 2) out += String.fromCharCode(run.charCodeAt(i) - 0xdc00);
  return out;
}

/** 🏴 + 2–6 lower-case letters or digits + CANCEL TAG: a subdivision flag such as England, Scotland or Wales. */
function isFlag(text: string, start: number, decoded: string): boolean {
  return text.startsWith(BLACK_FLAG, start - 2) && /^[a-z0-9]{2,6}\x7f$/.test(decoded);
}

export const tagCharacters: Detector = {
  id: "tag_characters",
  category: "unicode",
  keywords: ["\uDB40"],
  maxLength: MAX_SPAN,
  detect(text) {
    if (text.indexOf("\uDB40") === -1) return [];
    const out: Finding[] = [];
    RUN.lastIndex = 0;
    for (let m = RUN.exec(text); m !== null; m = RUN.exec(text)) {
      const decoded = decodeTags(m[0]);
      if (isFlag(text, m.index, decoded)) continue;
      let printable = 0;
      for (let i = 0; i < decoded.length; i++) {
        const c = decoded.charCodeAt(i);
        if (c >= 0x20 && c < 0x7f) printable++;
      }
      const confidence = printable >= 4 ? 0.97 : printable > 0 ? 0.8 : 0.7;
      const end = m.index + m[0].length;
      // Long runs are cut into pair-aligned pieces no longer than the stream window.
      for (let s = m.index; s < end; s += MAX_SPAN) {
        out.push({ kind: "unicode.tag_characters", category: "unicode", start: s, end: Math.min(end, s + MAX_SPAN), confidence });
      }
    }
    return out;
  },
};
