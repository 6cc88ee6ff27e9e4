// pii.payment_card: 13–19 digit card numbers, bare or in consistent groups ("4111 1111 1111 1111", "3782-822463-10005"),
// reported only when Luhn-valid AND inside an issuer's range with that issuer's length.
//
// A Luhn-valid number outside every issuer range (an IMEI-like id, a random 16-digit id) is not reported, nor is an
// order number that fails Luhn. Well-known test cards (4111 1111 1111 1111) are reported: they cannot be told apart
// from issued numbers by format, and tokenizing one costs nothing.
import type { Detector } from "../../types";
import { luhnValid } from "./checksums";
import { type IdentifierKind, identifierDetector } from "./clusters";

/**
 * Maximal runs of digit groups joined by single spaces or dashes, not continuing a word, decimal, path or price, and
 * opening like a card: 13+ bare digits or a 4-digit group and a 4+ digit group. Quantifiers are spelled out
 * (\d\d\d… rather than \d{n}): V8 scans fixed sequences several times faster.
 */
const RUN = /(?<![\w./#$€£¥+-]|\d )(?:\d\d\d\d\d\d\d\d\d\d\d\d\d+|\d\d\d\d[ -]\d\d\d\d+)(?:[ -]\d+)*/y;
const MAX_SPAN = 19 + 4;

/** Group layouts printed on cards and in forms, longest first; a trailing `0` stands for "a final group of 1–3". */
const LAYOUTS: readonly (readonly number[])[] = [
  [4, 4, 4, 4, 0],
  [4, 4, 4, 4],
  [4, 6, 5],
  [4, 6, 4],
  [4, 4, 4, 0],
];

function between(n: number, lo: number, hi: number): boolean {
  return n >= lo && n <= hi;
}

/** True if the number lies in a known issuer range and has a length that issuer uses. */
export function inIssuerRange(d: string): boolean {
  const n = d.length;
  const p2 = Number(d.slice(0, 2));
  const p3 = Number(d.slice(0, 3));
  const p4 = Number(d.slice(0, 4));
  const p6 = Number(d.slice(0, 6));
  if (d.charCodeAt(0) === 52 /* 4: Visa */) return n === 13 || n === 16 || n === 19;
  if (between(p2, 51, 55) || between(p4, 2221, 2720)) return n === 16; // Mastercard
  if (p2 === 34 || p2 === 37) return n === 15; // American Express
  if (p4 === 6011 || p2 === 65 || between(p3, 644, 649) || between(p6, 622126, 622925)) return between(n, 16, 19); // Discover
  if (between(p4, 3528, 3589)) return between(n, 16, 19); // JCB
  if (between(p3, 300, 305) || p4 === 3095 || p2 === 36 || p2 === 38 || p2 === 39) return between(n, 14, 19); // Diners
  if (p2 === 62) return between(n, 16, 19); // UnionPay
  if ([5018, 5020, 5038, 5893, 6304, 6759, 6761, 6762, 6763].includes(p4)) return between(n, 13, 19); // Maestro
  if (between(p4, 2200, 2204)) return n === 16; // Mir
  return false;
}

function isCard(digits: string): boolean {
  return digits.length >= 13 && digits.length <= 19 && luhnValid(digits) && inIssuerRange(digits);
}

/** Length in characters of the card at the start of `run`, or 0. */
function cardAtStart(run: string): number {
  const groups = run.split(/[ -]/);
  const first = groups[0]!;
  if (first.length >= 13) return first.length <= 19 && isCard(first) ? first.length : 0;
  const sep = run.charAt(first.length);
  for (const layout of LAYOUTS) {
    if (groups.length < layout.length) continue;
    let digits = "";
    let length = 0;
    let fits = true;
    for (let i = 0; i < layout.length && fits; i++) {
      const g = groups[i]!;
      const want = layout[i]!;
      fits = want === 0 ? g.length >= 1 && g.length <= 3 : g.length === want;
      // Separators must be consistent: "4111 1111-1111 1111" is not how anyone writes a card.
      if (i > 0 && run.charAt(length - 1) !== sep) fits = false;
      digits += g;
      length += g.length + 1;
    }
    if (fits && isCard(digits)) return length - 1;
  }
  return 0;
}

export const paymentCardKind: IdentifierKind = {
  kind: "pii.payment_card",
  maxLength: MAX_SPAN,
  minDigits: 13,
  // Every issuer range starts with 2–6. Not trying a run that starts otherwise changes nothing for the rest of it: no
  // later group of a run can start a card (RUN does not start after a digit and a space or a hyphen).
  startsWith: (length, next, first) =>
    first >= 2 && first <= 6 && (length >= 13 || (length === 4 && (next === 32 || next === 45))),
  atDigits(text, p, _length, out) {
    RUN.lastIndex = p;
    const m = RUN.exec(text);
    if (m === null) return -1;
    const run = m[0];
    const end = p + run.length;
    if (run.length < 13 || /[A-Za-z_]/.test(text.charAt(end))) return end;
    const length = cardAtStart(run);
    if (length === 0) return end;
    out.push({
      kind: "pii.payment_card",
      category: "pii",
      start: p,
      end: p + length,
      confidence: run.charAt(4) === " " || run.charAt(4) === "-" ? 0.95 : 0.9,
    });
    return end;
  },
};

export const paymentCard: Detector = identifierDetector("payment_card", [paymentCardKind]);
