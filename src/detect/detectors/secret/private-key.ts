// secret.private_key: PEM private keys (PKCS#1 RSA, SEC1 EC, DSA, PKCS#8 plain and ENCRYPTED, OpenSSH) and PGP
// private key blocks. The span is the whole block, markers included. Also found:
// - blocks with escaped newlines ("\n" inside a JSON or .env string);
// - a block cut short (no END within reach: a truncated paste, or the start of a stream): header plus body;
// - the tail of a block whose BEGIN is out of sight (a later stream window): body plus END marker;
// - base64 of a PEM key (kubeconfig client-key-data, Kubernetes secrets), which starts "LS0tLS1CRUdJTi".
// A header with no key material (prose naming the markers, "-----BEGIN PRIVATE KEY-----\n...") is not a finding.
import type { Detector, Finding } from "../../types";
import { decodeBase64, eachMatch, secretFinding } from "./shared";

/** Longest block reported: an armored PGP key with subkeys stays well under it; RSA-8192 PEM is about 6,400. */
const MAX_BLOCK = 12_000;
/** A real key has hundreds of base64 characters; fewer is an illustration. */
const MIN_BODY = 64;
const MIN_BODY_ELIDED = 200;

const BEGIN = /-----BEGIN ((?:[A-Z0-9]{1,12} ){0,3})PRIVATE KEY( BLOCK)?-----/g;
const END = /-----END ((?:[A-Z0-9]{1,12} ){0,3})PRIVATE KEY( BLOCK)?-----/g;
// Base64 of a PEM key is 4/3 of the block; bounded to MAX_BLOCK like the others (keys up to about 9,000 characters).
const ENCODED = /(?<![A-Za-z0-9+/])LS0tLS1CRUdJTi[A-Za-z0-9+/]{50,11984}={0,2}(?![A-Za-z0-9+/=])/g;
const ENCODED_HEADER = /^-----BEGIN (?:[A-Z0-9]{1,12} ){0,3}PRIVATE KEY/;

function isBase64(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 47 || c === 61;
}

/** Length of the line separator at `i`: whitespace, or an escaped newline ("\\n" inside a JSON or .env string). */
function separatorAt(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c === 32 || c === 9 || c === 10 || c === 13) return 1;
  const n = text.charCodeAt(i + 1);
  return c === 92 && (n === 110 || n === 114) ? 2 : 0;
}

function skipSeparators(text: string, i: number, limit: number): number {
  let j = i;
  for (let k = separatorAt(text, j); k > 0 && j < limit; k = separatorAt(text, j)) j += k;
  return j;
}

function skipSeparatorsBack(text: string, i: number, floor: number): number {
  let j = i;
  while (j > floor) {
    const c = text.charCodeAt(j - 1);
    if (c === 32 || c === 9 || c === 10 || c === 13) j--;
    else if ((c === 110 || c === 114) && text.charCodeAt(j - 2) === 92) j -= 2;
    else break;
  }
  return j;
}

/** PEM lines are 64 base64 characters, OpenSSH 70; only a block's last line and a PGP checksum are shorter. */
const FULL_LINE = 40;
const MAX_SHORT_LINES = 2;
/** RFC 4880 / RFC 1421 armor headers between the BEGIN line and the body ("Proc-Type: 4,ENCRYPTED"). */
const ARMOR_HEADER = /[A-Za-z][A-Za-z0-9-]{1,30}: [^\n\r\\]{0,200}/y;

interface Body {
  /** End of the last base64 line, short ones included. */
  end: number;
  /** End of the last full-length line. */
  fullEnd: number;
  base64: number;
  /** Where scanning stopped (after separators). */
  stop: number;
}

/** Reads the base64 lines of a block from just after its BEGIN line. */
function scanForward(text: string, from: number, limit: number): Body {
  let i = skipSeparators(text, from, limit);
  for (let h = 0; h < 6; h++) {
    ARMOR_HEADER.lastIndex = i;
    const a = ARMOR_HEADER.exec(text);
    if (!a) break;
    i = skipSeparators(text, i + a[0].length, limit);
  }
  const body: Body = { end: i, fullEnd: i, base64: 0, stop: i };
  let short = 0;
  while (i < limit) {
    let j = i;
    while (j < limit && isBase64(text.charCodeAt(j))) j++;
    const len = j - i;
    if (len === 0) break;
    if (len < FULL_LINE) {
      if (++short > MAX_SHORT_LINES) break;
    } else if (short > 0) {
      break;
    } else {
      body.fullEnd = j;
    }
    body.base64 += len;
    body.end = j;
    i = skipSeparators(text, j, limit);
  }
  body.stop = i;
  return body;
}

/** Reads the base64 lines of a block backwards from just before its END line. */
function scanBackward(text: string, to: number, floor: number): { start: number; base64: number } {
  let i = skipSeparatorsBack(text, to, floor);
  let start = to;
  let base64 = 0;
  let short = 0;
  let full = false;
  while (i > floor) {
    let j = i;
    while (j > floor && isBase64(text.charCodeAt(j - 1))) j--;
    // An "n" right after a backslash is an escaped newline, not base64.
    if (j < i && text.charCodeAt(j - 1) === 92) j++;
    const len = i - j;
    if (len <= 0) break;
    if (len < FULL_LINE) {
      if (full || ++short > MAX_SHORT_LINES) break;
    } else {
      full = true;
    }
    base64 += len;
    start = j;
    i = skipSeparatorsBack(text, j, floor);
  }
  return { start, base64: full ? base64 : 0 };
}

export const privateKey: Detector = {
  id: "private_key",
  category: "secret",
  keywords: ["private key", "ls0tls1crudjti"],
  maxLength: MAX_BLOCK,
  detect(text) {
    const out: Finding[] = [];
    let coveredTo = 0;
    /** END markers that close a block already reported whole. */
    const closed = new Set<number>();
    eachMatch(BEGIN, text, (m) => {
      if (m.index < coveredTo) return;
      const label = `${m[1] ?? ""}PRIVATE KEY${m[2] ?? ""}`;
      const endMarker = `-----END ${label}-----`;
      const limit = Math.min(text.length, m.index + MAX_BLOCK);
      const body = scanForward(text, m.index + m[0].length, limit);
      // Keys elided with "..." in documentation show a line or two of base64 at most.
      const elided = text.startsWith("...", body.stop) || text.startsWith("…", body.stop);
      if (body.base64 < (elided ? MIN_BODY_ELIDED : MIN_BODY)) return;
      if (text.startsWith(endMarker, body.stop) && body.stop + endMarker.length <= limit) {
        closed.add(body.stop);
        coveredTo = body.stop + endMarker.length;
        out.push(secretFinding("private_key", m.index, coveredTo, 0.99));
        return;
      }
      // Cut short: keep a short last line only when the text ends there (a stream cut mid-line).
      coveredTo = body.stop >= text.length ? body.end : body.fullEnd;
      out.push(secretFinding("private_key", m.index, coveredTo, 0.9));
    });
    eachMatch(END, text, (m) => {
      if (closed.has(m.index)) return;
      const body = scanBackward(text, m.index, Math.max(0, m.index - MAX_BLOCK));
      if (body.base64 < MIN_BODY) return;
      out.push(secretFinding("private_key", body.start, m.index + m[0].length, 0.9));
    });
    eachMatch(ENCODED, text, (m) => {
      const head = decodeBase64(m[0].slice(0, 64));
      if (head && ENCODED_HEADER.test(head)) out.push(secretFinding("private_key", m.index, m.index + m[0].length, 0.95));
    });
    return out.sort((a, b) => a.start - b.start);
  },
};
