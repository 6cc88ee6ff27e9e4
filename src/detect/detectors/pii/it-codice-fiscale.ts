// pii.it_codice_fiscale: Italian tax code, 16 characters: surname (3), name (3), year (2), month letter, day (2,
// +40 for women), municipality (letter + 3), check letter. Any digit may be replaced by L M N P Q R S T U V
// ("omocodia", issued when two people would share a code). The check letter is the sum of odd-position and
// even-position values mod 26. Upper case only, as issued.
import type { Detector } from "../../types";
import { type IdentifierKind, identifierDetector } from "./clusters";
import { isUpper } from "./context";

const D = "[0-9LMNPQRSTUV]";
const L = "[A-Z]";
/** Tried by the shared pass where no letter or digit precedes; the end boundary is checked in code. */
const CF = new RegExp(`${L}${L}${L}${L}${L}${L}${D}${D}[ABCDEHLMPRST]${D}${D}${L}${D}${D}${D}${L}`, "y");
const OMOCODIA = "LMNPQRSTUV";
/** Values of characters in odd (1st, 3rd, …) positions; digits 0–9 share the values of A–J. */
const ODD = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23];

function isAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function isDigitOrOmocode(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 76 && c <= 86 && c !== 79); // 0–9, L–V without O
}

function value(c: number): number {
  return c <= 57 ? c - 48 : c - 65;
}

export function codiceFiscaleValid(cf: string): boolean {
  let sum = 0;
  for (let i = 0; i < 15; i++) {
    const v = value(cf.charCodeAt(i));
    sum += i % 2 === 0 ? ODD[v]! : v;
  }
  if (String.fromCharCode(65 + (sum % 26)) !== cf.charAt(15)) return false;
  // Day of birth, after undoing omocodia: 1–31, or 41–71 for women.
  const day = Number(
    [cf.charAt(9), cf.charAt(10)].map((ch) => (OMOCODIA.includes(ch) ? String(OMOCODIA.indexOf(ch)) : ch)).join(""),
  );
  return (day >= 1 && day <= 31) || (day >= 41 && day <= 71);
}

export const itCodiceFiscaleKind: IdentifierKind = {
  kind: "pii.it_codice_fiscale",
  maxLength: 16,
  startsWithLetters: (first, second) => isUpper(first) && isUpper(second),
  atLetters(text, p, out) {
    if (!isUpper(text.charCodeAt(p + 5)) || !isDigitOrOmocode(text.charCodeAt(p + 6))) return -1;
    CF.lastIndex = p;
    if (!CF.test(text)) return -1;
    if (!isAlnum(text.charCodeAt(p + 16)) && codiceFiscaleValid(text.slice(p, p + 16))) {
      out.push({ kind: "pii.it_codice_fiscale", category: "pii", start: p, end: p + 16, confidence: 0.95 });
    }
    return p + 16;
  },
};

export const itCodiceFiscale: Detector = identifierDetector("it_codice_fiscale", [itCodiceFiscaleKind]);
