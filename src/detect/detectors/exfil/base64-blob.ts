// exfil.base64_blob: a long, random-looking base64 run — data smuggled out encoded (in model output) or in.
//
// Decisions (tested in test/unit/detect-exfil.test.ts):
// - At least 200 base64 characters (standard or URL-safe alphabet), lines wrapped at a fixed width counted as one
//   blob, with entropy of at least 4.5 bits/char and upper case, lower case and digits all present. Long hex,
//   identifiers and minified code stay below that.
// - Not findings: images inlined as data:image/...;base64 URIs (they render locally and fetch nothing), certificates
//   and public keys (PEM "CERTIFICATE"/"PUBLIC KEY" armour, "ssh-rsa AAAA..." lines). Private keys are the secret
//   detectors' job.
// - Confidence: 0.8 when the start decodes to printable text (an encoded document, .env file or conversation), 0.7 for
//   1000+ characters, else 0.6.
// - Runs are found by sampling every 200th character and widening only where the sample sits in a base64 run, so
//   prose costs a few steps per 200 characters (the sample after a run is the later of its end and the next
//   stride, so sampling a short word does not turn into reading every word). Longer blobs than 8192 characters are
//   reported in pieces.
import type { Detector, Finding } from "../../types";

const MIN_CHARS = 200;
/** At most MIN_CHARS, so every run of MIN_CHARS contains a sampled position. */
const STRIDE = MIN_CHARS;
const MAX_SPAN = 8192;
const MIN_ENTROPY = 4.5;
const MIN_WRAP = 40;

const B64 = new Uint8Array(128);
for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/-_") B64[c.charCodeAt(0)] = 1;
const VALUE = new Int8Array(128).fill(-1);
[..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"].forEach((c, i) => {
  VALUE[c.charCodeAt(0)] = i;
});
VALUE[43] = 62; // +
VALUE[45] = 62; // -
VALUE[47] = 63; // /
VALUE[95] = 63; // _

const isB64 = (c: number): boolean => c < 128 && B64[c] === 1;
/** Characters of a run: the alphabet, padding, and line breaks (wrapped blobs). */
const isRunChar = (c: number): boolean => isB64(c) || c === 61 || c === 10 || c === 13;

/** What may precede a public blob. */
const EXEMPT_BEFORE =
  /(?:data:image\/[\w.+-]{1,40};base64,|(?:ssh-(?:rsa|ed25519|dss)|ecdsa-sha2-nistp\d{3}|sk-ssh-ed25519@openssh\.com) )$/;
/** Public-key armour. Its last word and dashes are base64url characters, so a run can start inside the header. */
const PUBLIC_ARMOUR = /-----BEGIN [A-Z ]{0,40}(?:CERTIFICATE|PUBLIC KEY)/;

/** Entropy in bits/char over the alphabet characters of [start, end), sampling at most 8192 of them. */
function entropy(text: string, start: number, end: number): { bits: number; classes: number; count: number } {
  const counts = new Uint32Array(128);
  let n = 0;
  let count = 0;
  let upper = 0;
  let lower = 0;
  let digit = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (!isB64(c)) continue;
    count++;
    if (n >= 8192) continue;
    counts[c]!++;
    n++;
    if (c >= 65 && c <= 90) upper = 1;
    else if (c >= 97 && c <= 122) lower = 1;
    else if (c >= 48 && c <= 57) digit = 1;
  }
  let bits = 0;
  for (const k of counts) {
    if (k === 0) continue;
    const p = k / n;
    bits -= p * Math.log2(p);
  }
  return { bits, classes: upper + lower + digit, count };
}

/** True if the first bytes the blob decodes to are mostly printable text. */
function decodesToText(text: string, start: number, end: number): boolean {
  let acc = 0;
  let bitsHeld = 0;
  let bytes = 0;
  let printable = 0;
  for (let i = start; i < end && bytes < 180; i++) {
    const c = text.charCodeAt(i);
    const v = c < 128 ? VALUE[c]! : -1;
    if (v < 0) continue;
    acc = ((acc << 6) | v) & 0xffffff;
    bitsHeld += 6;
    if (bitsHeld >= 8) {
      bitsHeld -= 8;
      const b = (acc >> bitsHeld) & 0xff;
      bytes++;
      if ((b >= 32 && b < 127) || b === 9 || b === 10 || b === 13) printable++;
    }
  }
  return bytes > 0 && printable / bytes >= 0.9;
}

/** The blobs inside one run of run characters: lines wrapped at one width (40+) join into one blob; others stand alone. */
function blobsOf(text: string, start: number, end: number): [number, number][] {
  const lines: [number, number][] = [];
  let s = start;
  for (let i = start; i <= end; i++) {
    const c = i < end ? text.charCodeAt(i) : 10;
    if (c === 10 || c === 13) {
      if (i > s) lines.push([s, i]);
      s = i + 1;
    }
  }
  const blobs: [number, number][] = [];
  for (let i = 0; i < lines.length; ) {
    const width = lines[i]![1] - lines[i]![0];
    let j = i;
    // Each line of a wrapped blob has the width of the first; the last may be shorter.
    while (width >= MIN_WRAP && j + 1 < lines.length && lines[j]![1] - lines[j]![0] === width) {
      const [a, b] = lines[j + 1]!;
      // A shorter last line must hold data, not a "--" separator.
      if (b - a > width || (b - a < width && !/[A-Za-z0-9]/.test(text.slice(a, b)))) break;
      j++;
    }
    blobs.push([lines[i]![0], lines[j]![1]]);
    i = j + 1;
  }
  return blobs;
}

const exempt = (text: string, at: number): boolean =>
  EXEMPT_BEFORE.test(text.slice(Math.max(0, at - 80), at)) || PUBLIC_ARMOUR.test(text.slice(Math.max(0, at - 80), at + 40));

function judge(text: string, start: number, end: number, out: Finding[]): void {
  while (start < end && text.charCodeAt(start) === 61) start++;
  if (end - start < MIN_CHARS) return;
  const e = entropy(text, start, end);
  if (e.count < MIN_CHARS || e.bits < MIN_ENTROPY || e.classes < 3) return;
  if (exempt(text, start)) return;
  const confidence = decodesToText(text, start, end) ? 0.8 : e.count >= 1000 ? 0.7 : 0.6;
  for (let s = start; s < end; s += MAX_SPAN) {
    out.push({ kind: "exfil.base64_blob", category: "exfil", start: s, end: Math.min(end, s + MAX_SPAN), confidence });
  }
}

export const base64Blob: Detector = {
  id: "base64_blob",
  category: "exfil",
  keywords: [],
  maxLength: MAX_SPAN,
  detect(text) {
    const out: Finding[] = [];
    const n = text.length;
    // `done`: the end of the last run read; runs are maximal, so no run starts before it.
    let done = 0;
    for (let i = 0; i < n; ) {
      if (!isRunChar(text.charCodeAt(i))) {
        i += STRIDE;
        continue;
      }
      let start = i;
      while (start > done && isRunChar(text.charCodeAt(start - 1))) start--;
      let end = i + 1;
      while (end < n && isRunChar(text.charCodeAt(end))) end++;
      // A whole run after a public-key armour or data: prefix is public, however its lines are wrapped.
      if (end - start >= MIN_CHARS && !exempt(text, start))
        for (const [a, b] of blobsOf(text, start, end)) judge(text, a, b, out);
      done = end;
      // Keep sampling every STRIDE characters: a sample landing in a word must not turn into a walk over every word.
      i = Math.max(end + 1, i + STRIDE);
    }
    return out;
  },
};
