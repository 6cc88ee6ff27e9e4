// Where sentences start and end, and other text geometry the injection rules share; all bounded, none throws.

const MAX_SENTENCE_TAIL = 300;
const MAX_SENTENCE_HEAD = 150;

/** End of the sentence that contains `from`: after the next ". " / "!" / "?", or at the line end, bounded. */
export function sentenceEnd(text: string, from: number): number {
  const limit = Math.min(text.length, from + MAX_SENTENCE_TAIL);
  for (let i = from; i < limit; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13) return i;
    if (c === 33 || c === 63) return i + 1; // ! ?
    if (c === 46 /* . */ && (i + 1 >= text.length || isSpace(text.charCodeAt(i + 1)))) return i + 1;
  }
  return limit;
}

/** Start of the sentence that contains `at`: after the previous ". " / "!" / "?" or line break, bounded. */
export function sentenceStart(text: string, at: number): number {
  const limit = Math.max(0, at - MAX_SENTENCE_HEAD);
  for (let i = at - 1; i >= limit; i--) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13) return i + 1;
    if ((c === 33 || c === 63 || c === 46) && i + 1 < at && isSpace(text.charCodeAt(i + 1))) {
      let j = i + 1;
      while (j < at && isSpace(text.charCodeAt(j))) j++;
      return j;
    }
  }
  return at - limit < MAX_SENTENCE_HEAD ? limit : at;
}

/** The last line break before `at`, looking back at most `reach` characters; -1 if none (a bounded lastIndexOf). */
export function lineBreakBefore(text: string, at: number, reach: number): number {
  for (let i = at - 1, stop = Math.max(0, at - reach); i >= stop; i--) if (text.charCodeAt(i) === 10) return i;
  return -1;
}

export function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

/** Text that may separate two sentences of one passage: spaces, closing quotes and brackets, markdown emphasis. */
export const JOINER = /^[\s"'`”’)\]>*_~-]{0,6}$/;

/** How many sorted numbers are below `x` (binary search). */
export function countBelow(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
