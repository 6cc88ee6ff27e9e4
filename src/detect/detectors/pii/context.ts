// Helpers the PII detectors share: "is this keyword just before the value" and character classes for span boundaries.

/**
 * True if `pattern` (a case-insensitive regex without the g flag) matches within the `window` characters before
 * `start`. Used by formats too weak to report on their own (bare 9-digit SSN or BSN), so the window also bounds how far
 * a streaming scanner must hold back (it is part of those detectors' maxLength).
 */
export function hasContextBefore(text: string, start: number, pattern: RegExp, window: number): boolean {
  return pattern.test(text.slice(Math.max(0, start - window), start));
}

/** ASCII letter, digit or underscore: a value glued to one of these is part of a longer token, not a value. */
export function isWordChar(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95 /* _ */;
}

export function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

export function isUpper(code: number): boolean {
  return code >= 65 && code <= 90;
}
