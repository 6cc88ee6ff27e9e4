// One pass for every identifier-shaped PII kind: a single regex finds digit clusters, each kind validates only there.
//
// Phone numbers, cards, IBANs, national ids and IP addresses all show a short stretch of digits and separators (two
// digit pairs, a spaced separator between digits, dotted groups, a digit before a colon, or "::"), so one cheap regex
// (ANCHOR) finds every place worth a closer look and skips the rest of the text at regex speed. Around each anchor
// the pass takes the cluster of digits it belongs to (digit groups joined by at most three separator characters, as
// phone numbers are written) and offers it to the kinds, each through a table compiled from what the kind declares,
// so most clusters cost no kind a call:
// - digit-led kinds (card, SSN, national numbers, DNI, NIR, IPv4) at each digit group's start, by the group's length,
//   first digit and next character;
// - letter-led kinds (IBAN, NINO, NIE, codice fiscale) at each word start of the alphanumeric chain the cluster is
//   glued to ("NL91 ABNA 0417…", "X-1234567-L", "RSSMRA85T10…"), by its first two characters;
// - cluster kinds (phone) once per cluster;
// - colon kinds (IPv6) at the colons around clusters that touch one and around each "::".
// Each kind keeps its own resume point, as a global regex would, so a kind finds here what its own regex found in a
// scan of the whole text.
//
// What the anchor does not see, no kind reports. Every format the kinds accept shows one, except codici fiscali with
// three or more digits replaced (omocodia beyond the second level, not seen in practice) and full-length IPv6
// addresses in which no group that ends in a decimal digit is followed by a colon ("dead:beef:…:fade:abba"; about one
// random address in a thousand).
import type { Detector, Finding } from "../../types";
import { type Compiled, compileKinds, type IdentifierKind, MAX_GROUP, MAX_KINDS, OTHER } from "./identifier-kind";

export type { IdentifierKind } from "./identifier-kind";

// Seven characters opening with a digit: digits or dots where a value's digit pairs or an IPv4 address's dots go,
// digits, separators, capitals or colons between them ("12 34 56", "123.456.7", "85T10A5", "10.0.0.1"); two digits
// and a spaced separator before a digit ("617 - 888", "0470 -12"); a digit before a colon (IPv6 groups, "fe80::");
// or "::" (compressed IPv6). Quantifiers are spelled out and the main branch is as long as it can be, so V8 can skip
// ahead quickly.
const X = "[\\dA-Z \\u00a0\\-./()+:]";
const ANCHOR = new RegExp(
  `\\d[\\d.]${X}[\\d.][\\d.]${X}${X}|\\d\\d(?:[ \\u00a0][-./][ \\u00a0]?|[-./][ \\u00a0])\\d|\\d:[0-9A-Fa-f:]|::`,
  "g",
);
/** How far back the letter chain of a glued cluster is followed: the longest IBAN in print format. */
const CHAIN = 44;
/** How far around a colon-touching cluster colons are collected: the longest IPv6 address. */
const COLON_REACH = 45;
const DIGITS = /\d*/y;
/** Scratch for the word starts of one letter chain (at most one per two characters of its reach). */
const WORDS = new Int32Array(CHAIN);
/** Scratch for the digit groups of one cluster: start and end of each, grown as needed. */
let GROUP_START = new Int32Array(64);
let GROUP_END = new Int32Array(64);

function growGroups(): void {
  const starts = new Int32Array(GROUP_START.length * 2);
  const ends = new Int32Array(GROUP_END.length * 2);
  starts.set(GROUP_START);
  ends.set(GROUP_END);
  GROUP_START = starts;
  GROUP_END = ends;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/** A character that may join two digit groups of one cluster: space, no-break space, - . / ( ) + */
function isSep(c: number): boolean {
  return c === 32 || c === 160 || c === 45 || c === 46 || c === 47 || c === 40 || c === 41 || c === 43;
}

function isHexOrColon(c: number): boolean {
  return (c >= 48 && c <= 58) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

/** Collects the colons of the hex-and-colon run around [start, end) into `colons`, ascending, each once. */
function collectColons(text: string, start: number, end: number, colons: number[]): void {
  let s = start;
  const sMin = Math.max(0, start - COLON_REACH);
  while (s > sMin && isHexOrColon(text.charCodeAt(s - 1))) s--;
  let e = end;
  const eMax = Math.min(text.length, end + COLON_REACH);
  while (e < eMax && isHexOrColon(text.charCodeAt(e))) e++;
  const last = colons.length > 0 ? colons[colons.length - 1]! : -1;
  for (let i = Math.max(s, last + 1); i < e; i++) if (text.charCodeAt(i) === 58) colons.push(i);
}

/**
 * One scan of one text. The work per anchor lives in small methods so V8 optimises them within the first texts it
 * sees (one large function waits for a long compile and runs slowly until then).
 */
class Pass {
  readonly out: Finding[] = [];
  /** Colons near clusters that touch one, ascending: IPv6 hints. */
  readonly colons: number[] = [];
  /** Per kind, where its next try may start (a global regex's lastIndex). */
  readonly resume: number[];
  /** End of the last cluster: the next one does not reach back into it. */
  clusterFloor = 0;
  /** Start of the last cluster: the next letter chain is not followed back past it. */
  chainFloor = 0;

  readonly text: string;
  readonly c: Compiled;

  constructor(text: string, c: Compiled) {
    this.text = text;
    this.c = c;
    this.resume = new Array<number>(c.kinds.length).fill(0);
  }

  run(): Finding[] {
    const text = this.text;
    ANCHOR.lastIndex = 0;
    for (;;) {
      const from = ANCHOR.lastIndex;
      if (!ANCHOR.test(text)) break;
      ANCHOR.lastIndex = this.anchor(from, ANCHOR.lastIndex);
    }
    for (const i of this.c.colonKinds) this.c.kinds[i]!.atColons!(text, this.colons, this.out);
    return this.out;
  }

  /** Handles the anchor that ends at `anchorEnd` (searched from `from`); returns where the search resumes. */
  anchor(from: number, anchorEnd: number): number {
    const text = this.text;
    // A digit of the anchor: 7 characters before its end (a seven-character anchor's first), 3 before (the digit
    // before a colon) or its last (after a spaced separator). "::" has none: the character before it is not one, or
    // "\d::" would have matched there. A digit before a shorter anchor that is picked instead is a cluster of its own,
    // after which the anchor is found again.
    let digit: number;
    if (anchorEnd - 7 >= from && isDigit(text.charCodeAt(anchorEnd - 7))) digit = anchorEnd - 7;
    else if (anchorEnd - 3 >= from && isDigit(text.charCodeAt(anchorEnd - 3))) digit = anchorEnd - 3;
    else if (isDigit(text.charCodeAt(anchorEnd - 1))) digit = anchorEnd - 1;
    else {
      if (this.c.colonKinds.length > 0) collectColons(text, anchorEnd - 2, anchorEnd, this.colons);
      return anchorEnd;
    }
    const start = this.clusterStart(digit);
    DIGITS.lastIndex = start;
    DIGITS.test(text);
    const firstEnd = DIGITS.lastIndex;
    let end: number;
    let digits: number;
    let bare: number;
    if (continues(text, firstEnd)) {
      const groups = this.groups(start, firstEnd);
      end = GROUP_END[groups - 1]!;
      digits = 0;
      for (let g = 0; g < groups; g++) digits += GROUP_END[g]! - GROUP_START[g]!;
      let left = digits;
      for (let g = 0; g < groups; g++) {
        this.offer(GROUP_START[g]!, GROUP_END[g]!, left);
        left -= GROUP_END[g]! - GROUP_START[g]!;
      }
      bare = -1;
    } else {
      // One digit group: most clusters (ids, amounts, timestamps).
      end = firstEnd;
      digits = end - start;
      this.offer(start, end, digits);
      bare = this.bareKinds(start, end);
    }
    this.clusterFloor = end;
    const { clusterKinds, inCluster, minDigits } = this.c;
    const resume = this.resume;
    for (let k = 0; k < clusterKinds.length; k++) {
      const i = clusterKinds[k]!;
      if (resume[i]! >= end || digits < minDigits[i]!) continue;
      if (resume[i]! <= start && (bare & (1 << i)) === 0) continue;
      resume[i] = inCluster[i]!(text, start, end, firstEnd, resume[i]!, this.out);
    }
    if (this.c.letterKinds.length > 0) this.letters(start);
    // A colon between hex digits on either side ("1450:4001", "ffff:81.2…"), not a key's (`"time":1718…`).
    if (
      this.c.colonKinds.length > 0 &&
      ((text.charCodeAt(end) === 58 && isHexOrColon(text.charCodeAt(end + 1))) ||
        (text.charCodeAt(start - 1) === 58 && isHexOrColon(text.charCodeAt(start - 2))))
    ) {
      collectColons(text, start, end, this.colons);
    }
    // Past the cluster (which holds the anchor's digit, so the search moves on), not past the anchor: a letter or
    // colon ending the anchor may start the next one.
    return end;
  }

  /** Start of the cluster holding `digit`: digit groups joined by at most three separators, back to the last one. */
  clusterStart(digit: number): number {
    const text = this.text;
    const floor = this.clusterFloor;
    let start = digit;
    for (;;) {
      while (start > floor && isDigit(text.charCodeAt(start - 1))) start--;
      let j = start - 1;
      while (j >= floor && start - j <= 3 && isSep(text.charCodeAt(j))) j--;
      if (j < floor || !isDigit(text.charCodeAt(j))) return start;
      start = j;
    }
  }

  /** The cluster kinds that read the one-group cluster [start, end), from bareTable. */
  bareKinds(start: number, end: number): number {
    const text = this.text;
    const length = end - start;
    const before = text.charCodeAt(start - 1);
    const after = text.charCodeAt(end);
    const zeroZero = text.charCodeAt(start) === 48 && text.charCodeAt(start + 1) === 48 ? 4 : 0;
    const opened = before === 43 || before === 40 ? 2 : 0;
    const continued = after === 32 || after === 160 || after === 45 || after === 46 || after === 47 ? 1 : 0;
    return this.c.bareTable[Math.min(length, MAX_GROUP) * 8 + zeroZero + opened + continued]!;
  }

  /**
   * Notes the digit groups of the cluster whose first group is [start, firstEnd) in GROUP_START / GROUP_END;
   * returns how many.
   */
  groups(start: number, firstEnd: number): number {
    const text = this.text;
    GROUP_START[0] = start;
    GROUP_END[0] = firstEnd;
    let n = 1;
    for (let q = firstEnd; continues(text, q); ) {
      let p = q + 1;
      while (!isDigit(text.charCodeAt(p))) p++;
      DIGITS.lastIndex = p;
      DIGITS.test(text);
      q = DIGITS.lastIndex;
      if (n === GROUP_START.length) growGroups();
      GROUP_START[n] = p;
      GROUP_END[n++] = q;
    }
    return n;
  }

  /** Offers the group [p, q), with `left` digits from p to the cluster's end, to the digit-led kinds its shape allows. */
  offer(p: number, q: number, left: number): void {
    const text = this.text;
    const { table, atDigits, minDigits } = this.c;
    const resume = this.resume;
    const length = q - p;
    const next = text.charCodeAt(q);
    const row = (Math.min(length, MAX_GROUP) * 10 + text.charCodeAt(p) - 48) * (OTHER + 1);
    // Not Math.min: past the end of the text `next` is NaN, which must count as OTHER too.
    // biome-ignore lint/complexity/useMathMinMax: see above
    let set = table[row + (next < OTHER ? next : OTHER)]!;
    while (set !== 0) {
      const bit = set & -set;
      set ^= bit;
      const i = 31 - Math.clz32(bit);
      if (resume[i]! > p || left < minDigits[i]!) continue;
      const to = atDigits[i]!(text, p, length, this.out);
      if (to >= 0) resume[i] = to;
    }
  }

  /**
   * Offers the letter-led kinds each word start of the alphanumeric chain the cluster at `start` is glued to:
   * directly, or by one space or hyphen ("X-1234567-L"), and back through words joined by single spaces
   * ("NL91 ABNA 0417 …").
   */
  letters(start: number): void {
    const text = this.text;
    let s = start;
    const glue = text.charCodeAt(s - 1);
    if ((glue === 32 || glue === 160 || glue === 45) && isAlnum(text.charCodeAt(s - 2))) s--;
    let words = 0;
    if (isAlnum(text.charCodeAt(s - 1))) {
      // Back word by word, noting each word start (not one cut short by the reach).
      const sMin = Math.max(this.chainFloor, start - CHAIN);
      for (;;) {
        while (s > sMin && isAlnum(text.charCodeAt(s - 1))) s--;
        if (!isAlnum(text.charCodeAt(s - 1))) WORDS[words++] = s;
        if (s - 1 > sMin && isSpace(text.charCodeAt(s - 1)) && isAlnum(text.charCodeAt(s - 2))) s--;
        else break;
      }
    }
    this.chainFloor = start;
    const { letterTable, atLetters } = this.c;
    const resume = this.resume;
    // Ascending, as each kind's resume point assumes.
    while (words > 0) {
      const p = WORDS[--words]!;
      const first = text.charCodeAt(p);
      if (!isLetter(first)) continue;
      const next = text.charCodeAt(p + 1);
      const row = (first <= 90 ? first - 65 : first - 97 + 26) * (OTHER + 1);
      // biome-ignore lint/complexity/useMathMinMax: NaN past the end of the text must count as OTHER
      let set = letterTable[row + (next < OTHER ? next : OTHER)]!;
      while (set !== 0) {
        const bit = set & -set;
        set ^= bit;
        const i = 31 - Math.clz32(bit);
        if (resume[i]! > p) continue;
        const to = atLetters[i]!(text, p, this.out);
        if (to >= 0) resume[i] = to;
      }
    }
  }
}

/** True if the digit group ending at `q` is followed, within three separators, by another: the cluster goes on. */
function continues(text: string, q: number): boolean {
  let j = q;
  while (j - q < 3 && isSep(text.charCodeAt(j))) j++;
  return j > q && isDigit(text.charCodeAt(j));
}

function isSpace(c: number): boolean {
  return c === 32 || c === 160;
}

/** A detector running the shared pass for `kinds` (one kind, for a single-kind detector, or the whole family). */
export function identifierDetector(id: string, kinds: readonly IdentifierKind[]): Detector {
  if (kinds.length > MAX_KINDS) throw new Error(`at most ${MAX_KINDS} identifier kinds share a pass`);
  // Compiled on first use: building the tables costs more than an isolate should spend on detectors it never runs.
  let compiled: Compiled | undefined;
  return {
    id,
    category: "pii",
    // No literal is common to all these formats; the anchor regex is the cheap gate.
    keywords: [],
    maxLength: kinds.reduce((m, k) => Math.max(m, k.maxLength), 0),
    detect(text) {
      compiled ??= compileKinds(kinds);
      return new Pass(text, compiled).run();
    },
  };
}
