// pii.iban: country code, two check digits and a BBAN of the country's registered length, ISO 7064 mod-97 == 1.
// Electronic (BE68539007547034) and print format (BE68 5390 0754 7034, single spaces) are both accepted.
import type { Detector } from "../../types";
import { mod97 } from "./checksums";
import { type IdentifierKind, identifierDetector } from "./clusters";
import { isDigit } from "./context";

/** Total IBAN length per country (SWIFT IBAN registry): all SEPA countries and the other registered ones. */
// biome-ignore format: the registry reads best as a grid
const IBAN_LENGTH: Readonly<Record<string, number>> = {
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BI: 27, BR: 29, BY: 28, CH: 21, CR: 22,
  CY: 28, CZ: 24, DE: 22, DJ: 27, DK: 18, DO: 28, EE: 20, EG: 29, ES: 24, FI: 18, FK: 18, FO: 18, FR: 27, GB: 22,
  GE: 22, GI: 23, GL: 18, GR: 27, GT: 28, HN: 28, HR: 21, HU: 28, IE: 22, IL: 23, IQ: 23, IS: 26, IT: 27, JO: 30,
  KW: 30, KZ: 20, LB: 28, LC: 32, LI: 21, LT: 20, LU: 20, LV: 21, LY: 25, MC: 27, MD: 24, ME: 22, MK: 19, MN: 20,
  MR: 27, MT: 31, MU: 30, NI: 28, NL: 18, NO: 15, OM: 23, PK: 24, PL: 28, PS: 29, PT: 25, QA: 29, RO: 24, RS: 22,
  RU: 33, SA: 24, SC: 31, SD: 18, SE: 24, SI: 19, SK: 24, SM: 27, SO: 23, ST: 25, SV: 28, TL: 23, TN: 24, TR: 26,
  UA: 29, VA: 22, VG: 24, XK: 20, YE: 30,
};
const MAX_IBAN = 34;
/** Print format adds at most one space per 4 characters. */
const MAX_SPAN = MAX_IBAN + Math.ceil(MAX_IBAN / 4);

function isAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/** End index of an IBAN starting at `start` whose country needs `length` characters, or -1. */
function scan(text: string, start: number, length: number): number {
  let count = 4;
  let i = start + 4;
  while (count < length && i < text.length) {
    const c = text.charCodeAt(i);
    if (isAlnum(c)) {
      count++;
      i++;
    } else if ((c === 32 || c === 0xa0) && isAlnum(text.charCodeAt(i + 1))) {
      i++;
    } else {
      return -1;
    }
  }
  if (count < length || isAlnum(text.charCodeAt(i))) return -1;
  return i;
}

export function ibanValid(compact: string): boolean {
  const upper = compact.toUpperCase();
  if (IBAN_LENGTH[upper.slice(0, 2)] !== upper.length) return false;
  return mod97(upper.slice(4) + upper.slice(0, 4)) === 1;
}

/** IBAN_LENGTH by country code letters (either case), for a lookup without building a string per candidate. */
const LENGTH_BY_CODE = new Uint8Array(26 * 26);
for (const [code, length] of Object.entries(IBAN_LENGTH)) {
  LENGTH_BY_CODE[(code.charCodeAt(0) - 65) * 26 + code.charCodeAt(1) - 65] = length;
}

export const ibanKind: IdentifierKind = {
  kind: "pii.iban",
  maxLength: MAX_SPAN,
  // A country code in one case ("BE68…", "de89…"): the check digits are checked at the start of atLetters.
  startsWithLetters: (first, second) => (first <= 90 ? second >= 65 && second <= 90 : second >= 97 && second <= 122),
  atLetters(text, p, out) {
    if (!isDigit(text.charCodeAt(p + 2)) || !isDigit(text.charCodeAt(p + 3))) return -1;
    // Lower-case letters share the low five bits of their capitals.
    const length = LENGTH_BY_CODE[((text.charCodeAt(p) & 31) - 1) * 26 + (text.charCodeAt(p + 1) & 31) - 1]!;
    if (length === 0) return p + 4;
    const end = scan(text, p, length);
    if (end === -1 || !ibanValid(text.slice(p, end).replace(/[ \u00a0]/g, ""))) return p + 4;
    out.push({ kind: "pii.iban", category: "pii", start: p, end, confidence: 0.95 });
    return end;
  },
};

export const iban: Detector = identifierDetector("iban", [ibanKind]);
