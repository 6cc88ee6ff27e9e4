// pii.us_ssn: US Social Security numbers. AAA-GG-SSSS on its own (usSsn); a bare or space-separated 9-digit number
// only right after an "SSN" / "social security" label (usSsnLabelled, gated by those keywords so the label search
// costs nothing on other texts). Area 000, 666 and 900–999, group 00 and serial 0000 are never issued. There is no
// check digit, so confidence stays below the checksum-validated formats.
import type { Detector, Finding } from "../../types";
import { type IdentifierKind, identifierDetector } from "./clusters";
import { hasContextBefore } from "./context";

const DASHED = /(?<![\w\-./])(\d{3})-(\d{2})-(\d{4})(?![\w]|[-./]\d)/y;
const UNDASHED = /(?<![\w\-./]|\d )(\d{3}) ?(\d{2}) ?(\d{4})(?![\w]|[-./]\d| \d)/g;
const LABEL = /\b(?:ssn|ss#|social security|soc\.? ?sec)/i;
/** Every spelling LABEL accepts, lower-cased, for the scanner's keyword prefilter. */
const LABEL_KEYWORDS = ["ssn", "ss#", "social security", "socsec", "soc sec", "soc.sec", "soc. sec"];
const CONTEXT_WINDOW = 40;

function issuable(area: string, group: string, serial: string): boolean {
  return area !== "000" && area !== "666" && area.charAt(0) !== "9" && group !== "00" && serial !== "0000";
}

function report(m: RegExpExecArray, confidence: number): Finding {
  return { kind: "pii.us_ssn", category: "pii", start: m.index, end: m.index + m[0].length, confidence };
}

export const usSsnKind: IdentifierKind = {
  kind: "pii.us_ssn",
  maxLength: 11 + CONTEXT_WINDOW,
  minDigits: 9,
  startsWith: (length, next) => length === 3 && next === 45,
  atDigits(text, p, _length, out) {
    DASHED.lastIndex = p;
    const m = DASHED.exec(text);
    if (m === null) return -1;
    if (issuable(m[1]!, m[2]!, m[3]!)) out.push(report(m, hasContextBefore(text, p, LABEL, CONTEXT_WINDOW) ? 0.9 : 0.85));
    return p + m[0].length;
  },
};

export const usSsn: Detector = identifierDetector("us_ssn", [usSsnKind]);

export const usSsnLabelled: Detector = {
  id: "us_ssn_labelled",
  category: "pii",
  keywords: LABEL_KEYWORDS,
  maxLength: 11 + CONTEXT_WINDOW,
  detect(text) {
    const out: Finding[] = [];
    UNDASHED.lastIndex = 0;
    for (let m = UNDASHED.exec(text); m !== null; m = UNDASHED.exec(text)) {
      if (!issuable(m[1]!, m[2]!, m[3]!) || !hasContextBefore(text, m.index, LABEL, CONTEXT_WINDOW)) continue;
      out.push(report(m, 0.8));
    }
    return out;
  },
};
