// unicode.homoglyph: words mixing Latin with Cyrillic or Greek look-alikes ("pаypal" with a Cyrillic а) to spoof or evade.
//
// Decisions (tested in test/unit/detect-unicode.test.ts):
// - Only words mixing scripts count: all-Cyrillic and all-Greek words (Russian, Greek, Bulgarian prose) never do.
// - A mostly-Latin word whose other-script letters all have a Latin twin (а е о р с у х і ј ѕ, Α Β Ε Κ Μ Ο Ρ Τ Χ ...)
//   is a spoof: 0.85. A mostly-Cyrillic/Greek word hiding Latin twins ("пpивет" with a Latin p) is 0.6.
// - Mixed words without a full set of twins ("Ωcm", "Москваcity") are 0.4 (flag only): units and run-together text.
// - Words of fewer than three letters are ignored (units such as "μg", "kΩ").
// - No keywords: the scanner lower-cases keywords, so upper-case Cyrillic and Greek letters could never be one. It
//   needs none: a class of characters above U+00FF fails at once on a one-byte string, so most text costs nothing.
import type { Detector, Finding } from "../../types";

const OTHER_SCRIPT = /[\u0370-\u03FF\u0400-\u052F]/g;
const REACH = 64;

/** Cyrillic and Greek letters that render like a Latin letter. */
const LATIN_TWIN = new Set([..."аеорсухѕіјԁԛԝһӏАВЕКМНОРСТХУЅІЈҮԚԜӀ", ..."οανικρυχϲϳΑΒΕΖΗΙΚΜΝΟΡΤΥΧ"].map((c) => c.charCodeAt(0)));
/** Latin letters that render like a Cyrillic or Greek letter. */
const OTHER_TWIN = new Set([..."aeopcyxsijdqwhlABEKMHOPCTXYSIJQWZNvku"].map((c) => c.charCodeAt(0)));

const isLatin = (c: number): boolean =>
  (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 0xc0 && c <= 0x24f && c !== 0xd7 && c !== 0xf7);
/** Greek and Cyrillic letters (not the Greek numeral signs, tonos marks or Cyrillic combining signs). */
const isOther = (c: number): boolean =>
  (c >= 0x386 && c <= 0x3ff && c !== 0x387) || (c >= 0x400 && c <= 0x481) || (c >= 0x48a && c <= 0x52f);
const isWordPart = (c: number): boolean => isLatin(c) || isOther(c) || (c >= 48 && c <= 57) || (c >= 0x300 && c <= 0x36f);

function judge(text: string, start: number, end: number): number {
  let latin = 0;
  let other = 0;
  let otherTwins = 0;
  let latinTwins = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (isLatin(c)) {
      latin++;
      if (OTHER_TWIN.has(c)) latinTwins++;
    } else if (isOther(c)) {
      other++;
      if (LATIN_TWIN.has(c)) otherTwins++;
    }
  }
  if (latin === 0 || other === 0 || latin + other < 3) return 0;
  if (latin >= other) return otherTwins === other ? 0.85 : latin >= 2 ? 0.4 : 0;
  return latinTwins === latin ? 0.6 : 0.4;
}

export const homoglyph: Detector = {
  id: "homoglyph",
  category: "unicode",
  keywords: [],
  maxLength: 2 * REACH + 1,
  detect(text) {
    const out: Finding[] = [];
    OTHER_SCRIPT.lastIndex = 0;
    for (let m = OTHER_SCRIPT.exec(text); m !== null; m = OTHER_SCRIPT.exec(text)) {
      let start = m.index;
      let end = m.index + 1;
      const floor = Math.max(0, m.index - REACH, out.at(-1)?.end ?? 0);
      const ceiling = Math.min(text.length, m.index + 1 + REACH);
      while (start > floor && isWordPart(text.charCodeAt(start - 1))) start--;
      while (end < ceiling && isWordPart(text.charCodeAt(end))) end++;
      const confidence = judge(text, start, end);
      if (confidence > 0) out.push({ kind: "unicode.homoglyph", category: "unicode", start, end, confidence });
      OTHER_SCRIPT.lastIndex = end;
    }
    return out;
  },
};
