// pii.es_nie: Spanish foreigner id (NIE), X/Y/Z + 7 digits + control letter; X, Y, Z count as 0, 1, 2 and the letter
// is computed as for a DNI ("X1234567L", "Y-1234567-X").
import type { Detector } from "../../types";
import { spanishControlLetter } from "./checksums";
import { type IdentifierKind, identifierDetector } from "./clusters";

/** Quantifiers are spelled out (\d\d\d… rather than \d{n}): V8 scans fixed sequences several times faster. */
const NIE = /(?<![\w\-./])([XYZ])[ -]?(\d\d\d\d\d\d\d)[ -]?([A-Z])(?![\w])/y;
const PREFIX: Readonly<Record<string, string>> = { X: "0", Y: "1", Z: "2" };

export const esNieKind: IdentifierKind = {
  kind: "pii.es_nie",
  maxLength: 11,
  // X, Y or Z, then a digit, a space or a hyphen.
  startsWithLetters: (first, second) =>
    first >= 88 && first <= 90 && ((second >= 48 && second <= 57) || second === 32 || second === 45),
  atLetters(text, p, out) {
    NIE.lastIndex = p;
    const m = NIE.exec(text);
    if (m === null) return -1;
    const end = p + m[0].length;
    if (spanishControlLetter(Number(PREFIX[m[1]!]! + m[2]!)) === m[3]) {
      out.push({ kind: "pii.es_nie", category: "pii", start: p, end, confidence: 0.9 });
    }
    return end;
  },
};

export const esNie: Detector = identifierDetector("es_nie", [esNieKind]);
