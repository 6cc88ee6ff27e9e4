// pii.nl_bsn: Dutch citizen service number (burgerservicenummer, formerly sofinummer): 9 digits passing the 11-proof.
// One random 9-digit number in eleven passes the proof, so a BSN is reported only after its label.
import type { Detector, Finding } from "../../types";
import { elevenProofValid } from "./checksums";
import { hasContextBefore } from "./context";

/**
 * 9 digits, or 4.2.3 / 3.3.3 groups with dots or spaces as forms print them. Quantifiers are spelled out (\d\d\d…
 * rather than \d{n}): V8 scans fixed sequences several times faster.
 */
const NUMBER = /(?<![\w\-./])(?:\d\d\d\d\d\d\d\d\d|\d\d\d\d([. ])\d\d\1\d\d\d|\d\d\d([. ])\d\d\d\2\d\d\d)(?![\w]|[-./]\d)/g;
const LABEL = /\b(?:bsn|burgerservicenummer|burger service nummer|sofinummer|sofi-nummer|sofi nummer|citizen service number)/i;
const CONTEXT_WINDOW = 60;

export const nlBsn: Detector = {
  id: "nl_bsn",
  category: "pii",
  keywords: [
    "bsn",
    "burgerservicenummer",
    "burger service nummer",
    "sofinummer",
    "sofi-nummer",
    "sofi nummer",
    "citizen service number",
  ],
  maxLength: 11 + CONTEXT_WINDOW,
  detect(text) {
    const out: Finding[] = [];
    NUMBER.lastIndex = 0;
    for (let m = NUMBER.exec(text); m !== null; m = NUMBER.exec(text)) {
      if (!elevenProofValid(m[0].replace(/[. ]/g, ""))) continue;
      if (!hasContextBefore(text, m.index, LABEL, CONTEXT_WINDOW)) continue;
      out.push({ kind: "pii.nl_bsn", category: "pii", start: m.index, end: m.index + m[0].length, confidence: 0.85 });
    }
    return out;
  },
};
