// pii.fr_nir: French social security number (NIR / numéro de sécurité sociale): sex, YY, MM, department (2 digits or
// Corsica 2A/2B), commune, order, then a 2-digit key = 97 − (N mod 97). For Corsica N uses 19 (2A) or 18 (2B) in
// place of the department, i.e. N − 1 000 000 / N − 2 000 000. Bare (15 characters) or spaced as on the carte Vitale.
import type { Detector } from "../../types";
import { type IdentifierKind, identifierDetector } from "./clusters";

const NIR =
  /(?<![\w\-./])([1-478])[ .]?(\d{2})[ .]?(\d{2})[ .]?(\d{2}|2[ABab])[ .]?(\d{3})[ .]?(\d{3})[ .]?(?:- ?)?(\d{2})(?![\w]|[-./]\d)/y;

function validMonth(mm: number): boolean {
  // 20–42 and 50–99 are issued when the birth month is unknown.
  return (mm >= 1 && mm <= 12) || (mm >= 20 && mm <= 42) || mm >= 50;
}

export function nirValid(sex: string, yy: string, mm: string, dep: string, commune: string, order: string, key: string): boolean {
  if (!validMonth(Number(mm))) return false;
  const k = Number(key);
  if (k < 1 || k > 97) return false;
  const upperDep = dep.toUpperCase();
  const depDigits = upperDep === "2A" ? "19" : upperDep === "2B" ? "18" : upperDep;
  if (depDigits === "00") return false;
  const n = Number(sex + yy + mm + depDigits + commune + order);
  return k === 97 - (n % 97);
}

/** The first digit group ends where NIR's first separator is (see frNirKind.startsWith). */
function startsLikeNir(length: number, next: number): boolean {
  return (
    length === 15 ||
    ((length === 1 || length === 3 || length === 5 || length === 7 || length === 10 || length === 13) &&
      (next === 32 || next === 46)) ||
    (length === 13 && next === 45) ||
    (length === 6 && (next === 65 || next === 66 || next === 97 || next === 98))
  );
}

export const frNirKind: IdentifierKind = {
  kind: "pii.fr_nir",
  maxLength: 24,
  // 15 digits, or a Corsican department's first 6 ("2900 72A…") before the letter ends the cluster.
  minDigits: 6,
  // The first digit (1–4, 7 or 8, as NIR allows), then a group that ends where NIR's first separator is: after the
  // sex (1), year (3), month (5), department (7), commune (10) or order (13, where the key may follow "-"); or at a
  // Corsican department's letter (6: "2A", "2B"); or that holds all 15 digits.
  startsWith: (length, next, first) => (first <= 4 || first === 7 || first === 8) && first !== 0 && startsLikeNir(length, next),
  atDigits(text, p, _length, out) {
    NIR.lastIndex = p;
    const m = NIR.exec(text);
    if (m === null) return -1;
    const end = p + m[0].length;
    if (nirValid(m[1]!, m[2]!, m[3]!, m[4]!, m[5]!, m[6]!, m[7]!)) {
      out.push({ kind: "pii.fr_nir", category: "pii", start: p, end, confidence: m[0].length > 15 ? 0.95 : 0.9 });
    }
    return end;
  },
};

export const frNir: Detector = identifierDetector("fr_nir", [frNirKind]);
