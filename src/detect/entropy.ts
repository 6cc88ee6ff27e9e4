// Shannon entropy and character-class counts: how random a candidate value looks, for gating context-only detectors.

/** Per-character counts for ASCII strings (the common case), zeroed again after each use. */
const asciiCounts = new Uint32Array(128);

/** Shannon entropy of `s` in bits per character (0 for empty or single-symbol strings). */
export function shannonEntropy(s: string): number {
  const n = s.length;
  if (n === 0) return 0;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128) {
      for (let j = 0; j < i; j++) asciiCounts[s.charCodeAt(j)] = 0;
      return entropyOfAny(s);
    }
    asciiCounts[c] = (asciiCounts[c] as number) + 1;
  }
  // Each symbol once, in order of first occurrence (as entropyOfAny sums), resetting its count as it goes.
  let h = 0;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    const k = asciiCounts[c] as number;
    if (k === 0) continue;
    asciiCounts[c] = 0;
    const p = k / n;
    h -= p * Math.log2(p);
  }
  return h;
}

function entropyOfAny(s: string): number {
  const n = s.length;
  const counts = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  let h = 0;
  for (const k of counts.values()) {
    const p = k / n;
    h -= p * Math.log2(p);
  }
  return h;
}

/** How many of the four classes (lower, upper, digit, other) occur in `s`. */
export function charClassCount(s: string): number {
  let lower = 0;
  let upper = 0;
  let digit = 0;
  let other = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 97 && c <= 122) lower = 1;
    else if (c >= 65 && c <= 90) upper = 1;
    else if (c >= 48 && c <= 57) digit = 1;
    else other = 1;
  }
  return lower + upper + digit + other;
}
