// Check-digit algorithms shared by the PII detectors: pure functions on digit/letter strings, no allocation-heavy work.

/** Luhn (mod 10) over a string of ASCII digits. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/**
 * Remainder mod 97 of a string read as a base-36 number with letters A=10 … Z=35 expanded to two digits (ISO 7064
 * MOD 97-10, as IBAN uses). Folds digit by digit so the value never leaves safe-integer range. Returns -1 on a
 * character outside [0-9A-Z].
 */
export function mod97(s: string): number {
  let r = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) r = (r * 10 + (c - 48)) % 97;
    else if (c >= 65 && c <= 90) r = (r * 100 + (c - 55)) % 97;
    else return -1;
  }
  return r;
}

/** Dutch "elfproef" for a BSN: 9·d1 + 8·d2 + … + 2·d8 − 1·d9 ≡ 0 (mod 11). */
export function elevenProofValid(nineDigits: string): boolean {
  if (nineDigits.length !== 9) return false;
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += (9 - i) * (nineDigits.charCodeAt(i) - 48);
  sum -= nineDigits.charCodeAt(8) - 48;
  return sum % 11 === 0 && sum !== 0;
}

const DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE";

/** Control letter of a Spanish DNI number (NIE numbers first map X/Y/Z to 0/1/2). */
export function spanishControlLetter(n: number): string {
  return DNI_LETTERS.charAt(n % 23);
}
