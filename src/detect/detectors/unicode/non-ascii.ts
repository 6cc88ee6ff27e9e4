// The one precheck every unicode detector shares: pure-ASCII text (most prompts and code) cannot hold these attacks.

const NON_ASCII = /[^\0-\x7f]/;

let lastText: string | undefined;
let lastResult = false;

/** True if `text` has any character above U+007F. Memoised for the last text: the unicode detectors run back to back. */
export function hasNonAscii(text: string): boolean {
  if (text !== lastText) {
    lastText = text;
    lastResult = NON_ASCII.test(text);
  }
  return lastResult;
}

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
