// pii.email: local@domain.tld, found by expanding around each "@" (linear, no regex backtracking).
//
// Decisions (tested in test/unit/detect-pii.test.ts):
// - A domain needs a dot and an alphabetic TLD: `user@localhost`, `pkg@1.2.3` and `@types/node` are not emails.
// - File names with a scale suffix or an asset extension (`logo@2x.png`, `icon@3x.webp`) are not emails.
// - SSH remotes (`git@github.com:org/repo.git`, `deploy@host:/srv`, any `git@host`) and URL userinfo (`ssh://git@host`,
//   `https://user:pass@host`) are not emails; credentials in URLs belong to the secret detectors.
// - Documentation domains (example.com) are still reported: a detector cannot tell a sample from a real address, and
//   tokenizing a sample costs the user nothing.
// - Internationalised local parts and domains (letters outside ASCII) are accepted.
import type { Detector, Finding } from "../../types";

const MAX_LOCAL = 64;
const MAX_DOMAIN = 253;
const CONFIDENCE = 0.95;

/** Extensions that are not TLDs but follow "@" in asset names such as `logo@2x.png`. */
const FILE_EXTENSIONS = new Set(
  (
    "png jpg jpeg gif svg webp avif ico bmp tif tiff heic pdf css scss less js mjs cjs jsx ts tsx json map vue svelte " +
    "lock wasm woff ttf otf eot webm wav ogg txt html htm xml yml yaml toml ini cfg conf log csv tsv bak tmp gz tgz tar " +
    "zip jar war whl"
  ).split(" "),
);
const SCALE_LABEL = /^\d+(?:\.\d+)?x$/i;
const SCP_PATH = /^(?:[~/]|[\w.-]*\/|[\w./-]*\.git\b)/;
const URL_AUTHORITY_BEFORE = /:\/\/[^\s/@]*$/;
const NON_ASCII_LETTER = /[\p{L}\p{N}]/u;

function isAsciiAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function isUnicodeAlnum(text: string, i: number): boolean {
  return text.charCodeAt(i) >= 0x80 && NON_ASCII_LETTER.test(text.charAt(i));
}

function isLocalChar(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  // . _ % + -
  return isAsciiAlnum(c) || c === 46 || c === 95 || c === 37 || c === 43 || c === 45 || isUnicodeAlnum(text, i);
}

function isDomainChar(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  return isAsciiAlnum(c) || c === 46 || c === 45 || isUnicodeAlnum(text, i);
}

function validDomain(domain: string): boolean {
  const labels = domain.split(".");
  if (labels.length < 2) return false;
  for (const label of labels) {
    if (label.length === 0 || label.length > 63 || label.startsWith("-") || label.endsWith("-")) return false;
  }
  const tld = labels[labels.length - 1]!;
  if (tld.length < 2 || !/^(?:\p{L}+|xn--[a-z0-9-]+)$/iu.test(tld)) return false;
  if (FILE_EXTENSIONS.has(tld.toLowerCase())) return false;
  if (SCALE_LABEL.test(labels[0]!)) return false;
  return true;
}

function findAt(text: string, at: number, floor: number): Finding | undefined {
  let start = at;
  while (start > floor && isLocalChar(text, start - 1)) {
    start--;
    if (at - start > MAX_LOCAL) return undefined;
  }
  // A local part starts and ends with a letter or digit in practice; dots around it are punctuation.
  while (start < at && !isAsciiAlnum(text.charCodeAt(start)) && !isUnicodeAlnum(text, start)) start++;
  if (start === at || text.charCodeAt(at - 1) === 46 || text.slice(start, at).includes("..")) return undefined;

  let end = at + 1;
  while (end < text.length && isDomainChar(text, end)) {
    end++;
    if (end - at - 1 > MAX_DOMAIN) return undefined;
  }
  // Trailing dots and hyphens are sentence punctuation, not part of the domain.
  while (end > at + 1 && (text.charCodeAt(end - 1) === 46 || text.charCodeAt(end - 1) === 45)) end--;
  if (!validDomain(text.slice(at + 1, end))) return undefined;

  const next = text.charCodeAt(end);
  if (next === 64 /* @ */) return undefined;
  // scp-style remote `deploy@host:path`; `user@host:secret` (as `curl -u` takes) is still an email.
  if (next === 58 /* : */ && SCP_PATH.test(text.slice(end + 1, end + 200))) return undefined;
  if (text.slice(start, at).toLowerCase() === "git") return undefined;
  if (URL_AUTHORITY_BEFORE.test(text.slice(Math.max(0, start - 256), start))) return undefined;
  return { kind: "pii.email", category: "pii", start, end, confidence: CONFIDENCE };
}

export const email: Detector = {
  id: "email",
  category: "pii",
  keywords: ["@"],
  maxLength: MAX_LOCAL + 1 + MAX_DOMAIN,
  detect(text) {
    const out: Finding[] = [];
    let floor = 0;
    for (let at = text.indexOf("@"); at !== -1; at = text.indexOf("@", at + 1)) {
      const f = findAt(text, at, floor);
      if (f) {
        out.push(f);
        floor = f.end;
      } else {
        floor = at + 1;
      }
    }
    return out;
  },
};
