// pii.phone: international (+32 470 12 34 56, 0032 …) and national ((415) 555-2671, 0470 12 34 56) numbers,
// validated digit by digit with libphonenumber-js ("max" metadata).
//
// The shared identifier pass (clusters.ts) hands over each cluster of digit groups joined by phone separators; only
// runs with 7–15 digits that survive the look-alike filters below reach libphonenumber. "max" metadata rather than
// "min": "min" checks only lengths, so it accepts ISBNs and arbitrary 8-digit runs as German numbers.
//
// Decisions:
// - International numbers ("+" or "00") are reported when valid for the country they name.
// - National numbers are tried for NATIONAL_REGIONS; regions with a trunk prefix must show it (a German national
//   number starts with 0), otherwise every 8-digit run would be "valid" somewhere.
// - A national number written as one bare digit run (4155552671) counts only after a phone keyword
//   ("tel", "phone", "call", "mobile", …): bare runs are far more often ids, amounts and timestamps.
// - A number that runs into a neighbouring number ("+32 470 12 34 56 24/7") is found by trimming the run.
// - Not phones: dates (2024-01-15, 15/01/2024), times, IPv4 addresses and dotted version strings, ISBNs, SSN-shaped
//   3-2-4 groups, numbers glued to letters, "#", currency or "%", runs with more than 15 digits, and runs of
//   single-digit groups (arithmetic, lists).
import { type CountryCode, isValidPhoneNumber } from "libphonenumber-js/max";
import type { Detector, Finding } from "../../types";
import { type IdentifierKind, identifierDetector } from "./clusters";
import { hasContextBefore, isDigit, isWordChar } from "./context";

/**
 * Regions tried for national numbers: the digit shapes their national numbers can have (trunk prefix included), so
 * libphonenumber (tens of microseconds a call) only sees runs that could be valid there; the shortest first group
 * they are written with (an area code: "030 …", "(415) …", "06 12 …"); whether they are written in digit pairs
 * ("06 12 34 56 78"); and for the US, the one grouping in use (3-3-4). Italy and Germany accept almost any digit
 * count and the US any 10 digits with the right 1st and 4th, so without these checks runs of pairs ("01 02 03 04" in
 * a hex dump) or an IBAN's digit groups ("7474 9840 16") would read as their numbers.
 */
const NATIONAL_REGIONS: readonly {
  region: CountryCode;
  shape: RegExp;
  firstGroup: number;
  pairs: boolean;
  /** Group lengths, comma-joined, the region writes numbers with; absent: any. */
  grouping?: RegExp;
}[] = [
  { region: "US", shape: /^1?[2-9]\d{2}[2-9]\d{6}$/, firstGroup: 3, pairs: false, grouping: /^(?:(?:1,)?3,3,4|10|11)$/ },
  { region: "GB", shape: /^0\d{8,10}$/, firstGroup: 3, pairs: false },
  { region: "BE", shape: /^0\d{8,9}$/, firstGroup: 2, pairs: false },
  { region: "NL", shape: /^0\d{9}$/, firstGroup: 2, pairs: true },
  { region: "FR", shape: /^0\d{9}$/, firstGroup: 2, pairs: true },
  { region: "DE", shape: /^0\d{6,14}$/, firstGroup: 3, pairs: false },
  { region: "ES", shape: /^[6-9]\d{8}$/, firstGroup: 2, pairs: false },
  { region: "IT", shape: /^(?:0\d{5,10}|3\d{8,9})$/, firstGroup: 2, pairs: false },
];

/**
 * Seven digits with at most three separator characters between neighbours: the least any phone number shows. Tried
 * at a digit group's start; if it fails there, no later group of the cluster has seven digits left either.
 */
const SEP = "[ \\u00a0\\-./()+]{0,3}";
const CLUSTER = new RegExp(`\\d${SEP}\\d${SEP}\\d${SEP}\\d${SEP}\\d${SEP}\\d${SEP}\\d`, "y");
/**
 * The run from a start: digit groups, each optionally in parentheses ("(415)", "(0)", "(+32)"), separated by a space,
 * or a "-", "." or "/" with optional spaces around it; nothing is needed after a parenthesised group ("+44 (0)20").
 * Groups are maximal digit runs and separators hold no digits, so matching is linear.
 */
const RUN = /\+?(?:\(\+?\d+\)|\d+)(?:(?:[ \u00a0]?[-./][ \u00a0]?|[ \u00a0])(?:\(\d+\)|\d+)|(?<=\))\d+)*/y;
const MAX_RUN = 40;
const CONTEXT_WINDOW = 32;
/** Words that announce a phone number; "number" alone is not one ("order number 4155552671"). */
const PHONE_CONTEXT =
  /\b(?:phone|tel|telephone|mobile|mob|cell|cellphone|gsm|fax|call|whatsapp|sms|téléphone|portable|appel(?:ez|er)?|telefoon|bel|telefon|handy|teléfono|móvil|telefono|cellulare)\b/i;
const DATE_YMD = /(?:^|\D)(?:19|20)\d{2}[-./](?:0?[1-9]|1[0-2])[-./](?:0?[1-9]|[12]\d|3[01])(?:\D|$)/;
const DATE_DMY = /(?:^|\D)\d{1,2}[-./]\d{1,2}[-./](?:19|20)\d{2}(?:\D|$)/;
const IPV4_LIKE = /^\d{1,3}(?:\.\d{1,3}){3}$/;
const DECIMAL = /^\d+\.\d+$/;
const US_DOTTED = /^\(?\d{3}\)?\.\d{3}\.\d{4}$/;
/** A two-character hex token just before ("3f 01 00 00 00 50"): a hex dump, not a phone number. */
const HEX_TOKEN_BEFORE = /(?:^|[\s<])(?=[0-9a-f]?[a-f])(?=[0-9a-f]?\d)[0-9a-f]{2} $/i;
const SSN_SHAPE = /^\d{3}-\d{2}-\d{4}$/;
const ISBN_BEFORE = /isbn(?:-1[03])?:?\s*$/i;
const VERSION_BEFORE = /(?:\bv|version|ver\.?|release|build)\s*$/i;

/**
 * Dots separate phone groups only in international numbers, US 415.555.2671, and trunk-0 national numbers followed
 * by digit pairs (0470.12.34.56, 06.12.34.56.78); Belgian enterprise numbers (0583.504.488) and versions do not.
 */
function dottedPhone(raw: string, groups: readonly string[]): boolean {
  if (/^\(?\+/.test(raw) || US_DOTTED.test(raw)) return true;
  return raw.startsWith("0") && groups.slice(1).every((g) => g.length === 2);
}

function startsRun(text: string, start: number): boolean {
  const before = text.charCodeAt(start - 1);
  // + - . / # $ % ) and the currency signs (BAD_BEFORE, without a regex call per run)
  if (isWordChar(before) || before === 43 || before === 45 || before === 46 || before === 47 || before === 35) return false;
  if (before === 36 || before === 37 || before === 41 || before === 0x20ac || before === 0xa3 || before === 0xa5) return false;
  // Not a time's minutes ("10:30 …") either.
  return !(before === 58 && isDigit(text.charCodeAt(start - 2)));
}

/** A run that goes on into a word, a unit, a percent or currency sign, or a time ("10:30") is not a number. */
function gluedAfter(text: string, end: number): boolean {
  const c = text.charCodeAt(end);
  if (isWordChar(c) || c === 37 || c === 36 || c === 0x20ac || c === 0xa3 || c === 0xa5) return true;
  return c === 58 && isDigit(text.charCodeAt(end + 1));
}

function report(start: number, end: number, confidence: number): Finding {
  return { kind: "pii.phone", category: "pii", start, end, confidence };
}

/** Verdicts by run text: the same number tends to recur in a conversation. Cleared when full, to stay bounded. */
const verdicts = new Map<string, boolean>();
const MAX_VERDICTS = 1024;

function remember(key: string, verdict: () => boolean): boolean {
  const known = verdicts.get(key);
  if (known !== undefined) return known;
  let v: boolean;
  try {
    v = verdict();
  } catch {
    // The library documents that it does not throw; if it ever does, treat the run as a phone number (fail closed).
    v = true;
  }
  if (verdicts.size >= MAX_VERDICTS) verdicts.clear();
  verdicts.set(key, v);
  return v;
}

function validInternational(e164: string): boolean {
  return remember(e164, () => isValidPhoneNumber(e164));
}

function validNational(raw: string, groups: readonly string[]): boolean {
  const digits = groups.join("");
  // A US "1-800-…" prefix is the trunk code, not the area code.
  const areaCode = groups.length > 1 && groups[0] === "1" ? groups[1]! : groups[0]!;
  const allPairs = groups.length >= 3 && groups.every((g) => g.length === 2);
  const lengths = groups.map((g) => g.length).join(",");
  return remember(raw, () =>
    NATIONAL_REGIONS.some(
      ({ region, shape, firstGroup, pairs, grouping }) =>
        areaCode.length >= firstGroup &&
        (pairs || !allPairs) &&
        (grouping === undefined || grouping.test(lengths)) &&
        shape.test(digits) &&
        isValidPhoneNumber(raw, region),
    ),
  );
}

function classify(text: string, start: number, raw: string): number {
  if (raw.length > MAX_RUN) return 0;
  const end = start + raw.length;
  if (gluedAfter(text, end)) return 0;

  const groups = raw.match(/\d+/g) ?? [];
  const digits = groups.join("");
  const lead = raw.startsWith("(") ? raw.slice(1) : raw;
  const international = lead.startsWith("+") || (lead.startsWith("00") && groups[0]!.length > 2) || lead.startsWith("00 ");
  if (digits.length < 7 || digits.length > 15) return 0;
  if (DATE_YMD.test(raw) || DATE_DMY.test(raw) || IPV4_LIKE.test(raw) || SSN_SHAPE.test(raw)) return 0;
  // More than one single-digit group ("1 2 3 4 5 6 7", "3 + 4 = 7") is a list or arithmetic; "+32 2 …", "(0)" pass.
  let singles = 0;
  for (let i = international ? 1 : 0; i < groups.length; i++) if (groups[i]!.length === 1 && groups[i] !== "0") singles++;
  if (singles > 1) return 0;
  const before = text.slice(Math.max(0, start - CONTEXT_WINDOW), start);
  if (ISBN_BEFORE.test(before) || (/^97[89]/.test(digits) && digits.length === 13)) return 0;
  if (raw.includes(".") && (DECIMAL.test(raw) || VERSION_BEFORE.test(before) || !dottedPhone(raw, groups))) return 0;
  if (HEX_TOKEN_BEFORE.test(before)) return 0;

  if (international) {
    const national = lead.startsWith("+") ? digits : digits.slice(2);
    return validInternational(`+${national}`) ? 0.9 : 0;
  }
  const bare = groups.length === 1 && !raw.startsWith("(");
  if (bare && (digits.length > 12 || !hasContextBefore(text, start, PHONE_CONTEXT, CONTEXT_WINDOW))) return 0;
  if (!validNational(raw, groups)) return 0;
  return bare ? 0.8 : 0.85;
}

/** A digit group with its parentheses or leading "+": the unit a run is trimmed by. */
const GROUP = /\(?\+?\d+\)?/g;

/** The separators ("-", ".", "/": the only others RUN allows are digits, spaces and "+()") in a piece, as bits. */
function separators(piece: string): number {
  let bits = 0;
  for (let i = 0; i < piece.length; i++) {
    const c = piece.charCodeAt(i);
    if (c === 45) bits |= 1;
    else if (c === 46) bits |= 2;
    else if (c === 47) bits |= 4;
  }
  return bits;
}

/** True if `removed` shows a separator that `kept` does not use: evidence the two are different values. */
function differs(removed: string, kept: string): boolean {
  return (separators(removed) & ~separators(kept)) !== 0;
}

/**
 * Confidence and span of the phone number in a run. When the whole run is not one, a neighbour written differently
 * that ran into it across a space ("+32 470 12 34 56 24/7", "2024-01-15 0470 12 34 56") is trimmed off: up to two
 * groups at the end and up to three at the start. A run of uniform groups is never trimmed, so a number is not
 * carved out of a longer sequence (a hex dump, a list).
 */
function bestInRun(text: string, start: number, raw: string): { start: number; end: number; confidence: number } | null {
  const whole = classify(text, start, raw);
  if (whole > 0) return { start, end: start + raw.length, confidence: whole };
  // A few trimmed groups cannot bring a long run (a table of numbers, adversarial input) down to one number.
  if (raw.length > 2 * MAX_RUN) return null;
  const groups: [number, number][] = [];
  GROUP.lastIndex = 0;
  for (let g = GROUP.exec(raw); g !== null; g = GROUP.exec(raw)) groups.push([g.index, g.index + g[0].length]);
  const n = groups.length;
  for (let l = 0; l <= 3 && l < n; l++) {
    const from = groups[l]![0];
    if (l > 0 && raw.charAt(from - 1) !== " ") continue;
    for (let r = n; r >= Math.max(l + 1, n - 2); r--) {
      if (l === 0 && r === n) continue;
      const to = groups[r - 1]![1];
      if (r < n && raw.charAt(to) !== " ") continue;
      const sub = raw.slice(from, to);
      if (l > 0 && !differs(raw.slice(0, from), sub)) continue;
      if (r < n && !differs(raw.slice(to), sub)) continue;
      const confidence = classify(text, start + from, sub);
      if (confidence > 0) return { start: start + from, end: start + to, confidence };
    }
  }
  return null;
}

/** True if RUN would continue past `end`: a separator ([ ]?[-./][ ]? or a space), then a digit or "(". */
function runContinues(text: string, end: number): boolean {
  let i = end;
  if (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 0xa0) i++;
  const c = text.charCodeAt(i);
  if (c === 45 || c === 46 || c === 47) {
    i++;
    if (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 0xa0) i++;
  } else if (i === end) return false;
  const next = text.charCodeAt(i);
  return isDigit(next) || next === 40;
}

/**
 * True if the cluster [start, end), one bare run of digits (an id, an amount, a timestamp), cannot hold a phone
 * number: not opened by "+", "(" or "00" and not continued by RUN, it could only be a national number of
 * 7–12 digits after a phone word (see classify). Settles most clusters without building the run.
 */
function bareRunRejected(text: string, start: number, end: number): boolean {
  const before = text.charCodeAt(start - 1);
  if (before === 43 || before === 40 || (text.charCodeAt(start) === 48 && text.charCodeAt(start + 1) === 48)) return false;
  if (runContinues(text, end)) return false;
  const length = end - start;
  if (length < 7 || length > 12 || !startsRun(text, start) || gluedAfter(text, end)) return true;
  return !hasContextBefore(text, start, PHONE_CONTEXT, CONTEXT_WINDOW);
}

/**
 * The phone numbers in one digit cluster (digit groups joined by at most three separators), read from `from` on as
 * a global CLUSTER regex would read the text; returns where the next read may start.
 */
function clusterPhones(
  text: string,
  clusterStart: number,
  clusterEnd: number,
  firstGroupEnd: number,
  from: number,
  out: Finding[],
): number {
  if (from <= clusterStart && firstGroupEnd === clusterEnd && bareRunRejected(text, clusterStart, clusterEnd)) return clusterEnd;
  let p = Math.max(clusterStart, from);
  while (p < clusterEnd && !isDigit(text.charCodeAt(p))) p++;
  while (p < clusterEnd) {
    // A run may open with "+", "(" or "(+" before its first digit.
    let start = p;
    while (start > p - 2 && (text.charCodeAt(start - 1) === 43 || text.charCodeAt(start - 1) === 40)) start--;
    let next: number;
    if (!startsRun(text, start)) {
      // No start inside this digit group either; a later group of the same run may still start a number. (Checked
      // before CLUSTER, which would only add that fewer than 7 digits are left: then no later group has 7 either.)
      next = p + 1;
      while (isDigit(text.charCodeAt(next))) next++;
    } else {
      CLUSTER.lastIndex = p;
      if (!CLUSTER.test(text)) return clusterEnd;
      const clusterMatchEnd = CLUSTER.lastIndex;
      RUN.lastIndex = start;
      let run = RUN.exec(text);
      if (run === null && start < p) {
        start = p;
        RUN.lastIndex = start;
        run = RUN.exec(text);
      }
      if (run === null) {
        next = clusterMatchEnd;
      } else {
        const raw = run[0];
        next = start + raw.length;
        const found = bestInRun(text, start, raw);
        if (found) out.push(report(found.start, found.end, found.confidence));
      }
    }
    p = next;
    while (p < clusterEnd && !isDigit(text.charCodeAt(p))) p++;
  }
  return p;
}

export const phoneKind: IdentifierKind = {
  kind: "pii.phone",
  maxLength: MAX_RUN + CONTEXT_WINDOW,
  minDigits: 7,
  // A bare run not opened by "+", "(" or "00" and not continued is a national number only at 7–12 digits.
  readsBareRun: (length, zeroZero, opened, continued) => zeroZero || opened || continued || (length >= 7 && length <= 12),
  inCluster: clusterPhones,
};

export const phone: Detector = identifierDetector("phone", [phoneKind]);
