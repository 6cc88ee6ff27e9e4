// pii.be_national_number: Belgian national register number (rijksregisternummer / numéro de registre national),
// YY.MM.DD-XXX.CC or 11 bare digits. CC = 97 − (YYMMDDXXX mod 97); for people born in 2000 or later a 2 is prefixed
// (97 − (2YYMMDDXXX mod 97)). Months 0 (unknown date) and the bis-number offsets +20 / +40 are accepted.
import type { Detector } from "../../types";
import { type IdentifierKind, identifierDetector } from "./clusters";

const NUMBER = /(?<![\w\-./])(\d{2})[. ]?(\d{2})[. ]?(\d{2})[-. ]?(\d{3})[-. ]?(\d{2})(?![\w]|[-./]\d)/y;

function validMonth(mm: number): boolean {
  const base = mm >= 40 ? mm - 40 : mm >= 20 ? mm - 20 : mm;
  return base <= 12;
}

export function beNationalNumberValid(digits: string): boolean {
  if (digits.length !== 11) return false;
  if (!validMonth(Number(digits.slice(2, 4))) || Number(digits.slice(4, 6)) > 31) return false;
  const body = Number(digits.slice(0, 9));
  const check = Number(digits.slice(9));
  return check === 97 - (body % 97) || check === 97 - ((2_000_000_000 + body) % 97);
}

export const beNationalNumberKind: IdentifierKind = {
  kind: "pii.be_national_number",
  maxLength: 15,
  minDigits: 11,
  // The first digit group: all 11 digits, or the date's 2, 4 or 6, or the date and sequence's 9, before a separator.
  startsWith: (length, next) =>
    length === 11 ||
    ((length === 2 || length === 4 || length === 6 || length === 9) && (next === 32 || next === 45 || next === 46)),
  atDigits(text, p, _length, out) {
    NUMBER.lastIndex = p;
    const m = NUMBER.exec(text);
    if (m === null) return -1;
    const end = p + m[0].length;
    if (beNationalNumberValid(m[1]! + m[2]! + m[3]! + m[4]! + m[5]!)) {
      const formatted = m[0].length > 11;
      out.push({ kind: "pii.be_national_number", category: "pii", start: p, end, confidence: formatted ? 0.95 : 0.9 });
    }
    return end;
  },
};

export const beNationalNumber: Detector = identifierDetector("be_national_number", [beNationalNumberKind]);
