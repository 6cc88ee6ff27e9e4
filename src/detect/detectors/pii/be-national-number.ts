// pii.be_national_number: Belgian national register number (rijksregisternummer / numéro de registre national),
// YY.MM.DD-XXX.CC or 11 bare digits. CC = 97 − (YYMMDDXXX mod 97); for people born in 2000 or later a 2 is prefixed
// (97 − (2YYMMDDXXX mod 97)). Months 0 (unknown date) and the bis-number offsets +20 / +40 are accepted.
import type { Detector, Finding } from "../../types";

const NUMBER = /(?<![\w\-./])(\d{2})[. ]?(\d{2})[. ]?(\d{2})[-. ]?(\d{3})[-. ]?(\d{2})(?![\w]|[-./]\d)/g;

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

export const beNationalNumber: Detector = {
  id: "be_national_number",
  category: "pii",
  keywords: [],
  maxLength: 15,
  detect(text) {
    const out: Finding[] = [];
    NUMBER.lastIndex = 0;
    for (let m = NUMBER.exec(text); m !== null; m = NUMBER.exec(text)) {
      const digits = m[1]! + m[2]! + m[3]! + m[4]! + m[5]!;
      if (!beNationalNumberValid(digits)) continue;
      const formatted = m[0].length > 11;
      out.push({
        kind: "pii.be_national_number",
        category: "pii",
        start: m.index,
        end: m.index + m[0].length,
        confidence: formatted ? 0.95 : 0.9,
      });
    }
    return out;
  },
};
