// pii.fr_nir: French social security number (NIR / numéro de sécurité sociale): sex, YY, MM, department (2 digits or
// Corsica 2A/2B), commune, order, then a 2-digit key = 97 − (N mod 97). For Corsica N uses 19 (2A) or 18 (2B) in
// place of the department, i.e. N − 1 000 000 / N − 2 000 000. Bare (15 characters) or spaced as on the carte Vitale.
import type { Detector, Finding } from "../../types";

const NIR =
  /(?<![\w\-./])([1-478])[ .]?(\d{2})[ .]?(\d{2})[ .]?(\d{2}|2[ABab])[ .]?(\d{3})[ .]?(\d{3})[ .]?(?:- ?)?(\d{2})(?![\w]|[-./]\d)/g;

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

export const frNir: Detector = {
  id: "fr_nir",
  category: "pii",
  keywords: [],
  maxLength: 24,
  detect(text) {
    const out: Finding[] = [];
    NIR.lastIndex = 0;
    for (let m = NIR.exec(text); m !== null; m = NIR.exec(text)) {
      if (!nirValid(m[1]!, m[2]!, m[3]!, m[4]!, m[5]!, m[6]!, m[7]!)) continue;
      const confidence = m[0].length > 15 ? 0.95 : 0.9;
      out.push({ kind: "pii.fr_nir", category: "pii", start: m.index, end: m.index + m[0].length, confidence });
    }
    return out;
  },
};
