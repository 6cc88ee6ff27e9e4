// Character classes the unicode detectors share: right-to-left letters, and a bounded, forward-only search for them.

/** True for letters of right-to-left scripts (Hebrew, Arabic, Syriac, Thaana, N'Ko and their presentation forms). */
export function isRtlLetter(c: number): boolean {
  return (c >= 0x0590 && c <= 0x08ff) || (c >= 0xfb1d && c <= 0xfdff) || (c >= 0xfe70 && c <= 0xfefc);
}

/** True if a right-to-left letter occurs within `reach` code units of [start, end). */
export function rtlNear(text: string, start: number, end: number, reach: number): boolean {
  const to = Math.min(text.length, end + reach);
  for (let i = Math.max(0, start - reach); i < to; i++) if (isRtlLetter(text.charCodeAt(i))) return true;
  return false;
}

/**
 * Answers "is there a right-to-left letter in [from, to)?" for ranges whose both ends never move backwards, reading
 * each character at most once: a detector asks it for every control character of a text, in order.
 */
export class RtlScanner {
  readonly #text: string;
  /** Everything before #upTo has been read. */
  #upTo = 0;
  #last = -1;

  constructor(text: string) {
    this.#text = text;
  }

  any(from: number, to: number): boolean {
    if (this.#upTo < from) this.#upTo = from;
    for (; this.#upTo < to; this.#upTo++) if (isRtlLetter(this.#text.charCodeAt(this.#upTo))) this.#last = this.#upTo;
    return this.#last >= from && this.#last < to;
  }
}

/** Lone code units as prefilter keywords: the scanner's keyword pass finds them, so ASCII text costs nothing more. */
export function codeUnits(ranges: readonly (number | readonly [number, number])[]): string[] {
  const out: string[] = [];
  for (const r of ranges) {
    if (typeof r === "number") out.push(String.fromCharCode(r));
    else for (let c = r[0]; c <= r[1]; c++) out.push(String.fromCharCode(c));
  }
  return out;
}
