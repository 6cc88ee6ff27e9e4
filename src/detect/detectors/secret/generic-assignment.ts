// secret.generic_assignment: a literal value assigned to a secret-like name, in any of the shapes people paste:
// .env and shell (DB_PASSWORD=…), YAML (password: …), JSON ("apiKey": "…", also JSON-in-a-string), TOML/INI, code
// (secret = "…", 'token' => '…', define('DB_PASSWORD', '…')), Java properties (spring.datasource.password=…), query
// strings (?api_key=…), headers (X-Api-Key: …), CLI flags (--password=…, --token …), XML (<password>…</password>),
// markdown tables (| api_secret | … |), and, for clearly generated values only, CSV cells (token,…) and chat prose
// ("the admin password for staging is …", "access token for the sandbox: …").
// The span is the value only. A name alone is not a finding: `password = getPassword()`, `password: string`,
// `"password": ""`, `password=${PASSWORD}`, `password = os.environ["X"]` and `<password>` all fail the value checks
// in value-shape.ts, and names that merely contain a secret word (max_tokens, next_page_token, csrf_token,
// public_key, password_hash) are not secret names.
//
// Linear: each keyword occurrence expands to its identifier (at most 64 characters each way), then one sticky
// regex reads the operator; nothing backtracks over the text.

import { charClassCount, shannonEntropy } from "../../entropy";
import type { Detector, Finding } from "../../types";
import { secretFinding } from "./shared";
import { literalSecretConfidence } from "./value-shape";

const KEYWORD = /pass|pwd|secret|token|auth|credential|key/gi;
const MAX_NAME = 64;
const MAX_VALUE = 256;

/** Whole words that name a secret. */
const NOUNS = new Set([
  "password",
  "passwd",
  "pwd",
  "pass",
  "passphrase",
  "passcode",
  "secret",
  "token",
  "apikey",
  "apitoken",
  "apisecret",
  "credential",
  "credentials",
  "auth",
  "authkey",
  "authtoken",
  "accesstoken",
  "accesskey",
  "secretkey",
  "clientsecret",
  "refreshtoken",
  "sessiontoken",
  "bearertoken",
  "signingkey",
  "masterkey",
  "encryptionkey",
]);
/** Glued compounds (PGPASSWORD, mysqlpassword, GITHUBTOKEN) end with one of these. */
const NOUN_SUFFIXES = ["password", "passwd", "passphrase", "secret", "token", "apikey", "accesskey", "secretkey"];
/** "<x>_key" is a secret name only for these x; sort_key, primary_key, public_key, cache_key are not. */
const KEY_QUALIFIERS = new Set(
  (
    "api access secret private signing encryption encrypt decrypt master client auth app application service account " +
    "session hmac webhook license subscription admin write read ingest jwt crypto cipher aes"
  ).split(" "),
);
/** Trailing words that keep the meaning (SECRET_KEY_BASE, api_key_value). */
const QUALIFIER_SUFFIXES = new Set(["base", "value", "b64", "base64", "hex", "raw", "plain", "plaintext", "str"]);
/** Words that turn a secret name into something else: pagination cursors, counters, CSRF nonces, public keys. */
const EXCLUDED = new Set(
  (
    "page next prev previous continuation cursor pagination csrf xsrf public publishable pub max min num total count " +
    "input output prompt completion cached reasoning sync idempotency cache sort partition primary foreign"
  ).split(" "),
);

/** Operator after the name: the closing quote of a quoted key, then =, :, :=, =>, ?= (not ==, ::). */
const OPERATOR = /\\?["'\]]?[ \t]*(?:=>|:=|\?=|=(?!=)|:(?![:=]))[ \t]*/y;
const FLAG_SEPARATOR = /[ \t]+(?=[^\s-])/y;

function isNameChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 45 || c === 46;
}

/** snake_case, kebab-case, dotted.path and camelCase → lower-case words. */
function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .split(/[\s._-]+/)
    .filter((w) => w.length > 0);
}

function isSecretName(name: string): { password: boolean } | undefined {
  const ws = words(name);
  if (ws.length === 0 || ws.some((w) => EXCLUDED.has(w))) return undefined;
  if (ws.length > 1 && QUALIFIER_SUFFIXES.has(ws[ws.length - 1] ?? "")) ws.pop();
  const last = ws[ws.length - 1] ?? "";
  const passwordLike = /^(?:pass|pwd)/.test(last) || last.endsWith("password") || last.endsWith("passwd");
  if (NOUNS.has(last)) return { password: passwordLike };
  if (last === "key") return KEY_QUALIFIERS.has(ws[ws.length - 2] ?? "") ? { password: false } : undefined;
  for (const suffix of NOUN_SUFFIXES) {
    if (last.length > suffix.length && last.endsWith(suffix)) {
      return EXCLUDED.has(last.slice(0, -suffix.length)) ? undefined : { password: passwordLike };
    }
  }
  return undefined;
}

/** Characters that end an unquoted value: whitespace, quotes, backslash, separators of lists, queries, statements. */
const UNQUOTED_END = new Set([..." \t\r\n\"'`\\,;&<>|"].map((c) => c.charCodeAt(0)));

function endsUnquoted(c: number): boolean {
  return UNQUOTED_END.has(c);
}

interface Value {
  start: number;
  end: number;
}

function readValue(text: string, at: number, xml: boolean): Value | undefined {
  const limit = Math.min(text.length, at + MAX_VALUE + 2);
  // Searches stay inside the window: an unclosed quote must not send each occurrence to the end of the text.
  const window = text.slice(at, limit);
  const c = text.charCodeAt(at);
  const closedAt = (needle: string, from: number): number => {
    const i = window.indexOf(needle, from);
    return i === -1 || window.slice(from, i).includes("\n") ? -1 : at + i;
  };
  if (xml) {
    const close = closedAt("</", 0);
    return close === -1 ? undefined : { start: at, end: close };
  }
  if (c === 34 || c === 39 || c === 96) {
    const close = closedAt(text.charAt(at), 1);
    return close === -1 ? undefined : { start: at + 1, end: close };
  }
  if (c === 92 && text.charCodeAt(at + 1) === 34) {
    // An escaped quote: a JSON document inside a JSON string.
    const close = closedAt('\\"', 2);
    return close === -1 ? undefined : { start: at + 2, end: close };
  }
  let end = at;
  while (end < limit && !endsUnquoted(text.charCodeAt(end))) end++;
  if (end === limit && limit < text.length) return undefined;
  // An ellipsis marks an elided value ("sk-ant-api03-..."); one final dot is sentence punctuation.
  if (text.startsWith("...", end - 3) || text.charCodeAt(end - 1) === 0x2026) return undefined;
  if (end > at && text.charCodeAt(end - 1) === 46) end--;
  return { start: at, end };
}

/** How the value was introduced: by an operator (or flag, XML tag, table cell), or by looser prose or CSV. */
type Mode = "assigned" | "loose";

const PAIR = /\\?["'][ \t]*,[ \t]*(?=\\?["'])/y;
const TABLE_CELL = /[ \t]*\|[ \t]*/y;
const CSV_CELL = /,(?=[^\s,])/y;
/**
 * "the password is X", "API key: X", and with a qualifier after a preposition, "the admin password for the staging
 * Grafana is X", "use this access token for the partner sandbox: X" (same sentence, same line). Other words after the
 * name ("key material: …", "token expired at: …") make it a different subject.
 */
const PROSE = /(?:[ \t]+(?:for|of|to|on|in|at|from)[ \t][A-Za-z0-9 '-]{0,36}?)?(?:[ \t]+(?:is|was|are)[ \t]*:?|:)[ \t]*/y;
/** Prose names a secret in a plain word ("password", "Token", "API key"), not a constant or a quoted string. */
const PROSE_NAME = /^[A-Za-z][a-z]*$/;
/** The word before a bare "key" that makes it a secret name in prose ("API key: …", "access key is …"). */
const KEY_PHRASE_BEFORE = /(?:api|access|secret|private|signing|license)[ \t]$/i;

/** A markdown table cell: "|" just before the name (after spaces), on a line that starts with "|". */
function inTableCell(text: string, start: number): boolean {
  let i = start - 1;
  while (i >= 0 && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) i--;
  if (i < 0 || text.charCodeAt(i) !== 124 /* | */) return false;
  // Bounded, to stay linear on a single huge line.
  const floor = Math.max(0, i - 512);
  let lineStart = i;
  while (lineStart > floor && text.charCodeAt(lineStart - 1) !== 10) lineStart--;
  if (lineStart > 0 && text.charCodeAt(lineStart - 1) !== 10) return false;
  return /^[ \t]*\|/.test(text.slice(lineStart, i + 1));
}

/** Where the value starts and how it was introduced, or undefined if nothing is assigned to the name. */
function valueStart(
  text: string,
  start: number,
  end: number,
  flag: boolean,
  proseName: () => boolean,
): { at: number; mode: Mode; xml: boolean } | undefined {
  const open = text.charCodeAt(start - 1);
  if (open === 60 /* < */ && text.charCodeAt(end) === 62 /* > */) return { at: end + 1, mode: "assigned", xml: true };
  const after = (r: RegExp): number | undefined => {
    r.lastIndex = end;
    return r.exec(text) ? r.lastIndex : undefined;
  };
  const assigned = (at: number | undefined) => (at === undefined ? undefined : { at, mode: "assigned" as const, xml: false });
  const loose = (at: number | undefined) => (at === undefined ? undefined : { at, mode: "loose" as const, xml: false });
  return (
    assigned(after(OPERATOR)) ??
    // --password hunter2: a flag takes the next word.
    (flag ? assigned(after(FLAG_SEPARATOR)) : undefined) ??
    // define('DB_PASSWORD', '…'), setenv("API_KEY", "…"): a quoted name, a comma, a quoted value.
    (open === 34 || open === 39 ? assigned(after(PAIR)) : undefined) ??
    (inTableCell(text, start) ? assigned(after(TABLE_CELL)) : undefined) ??
    loose(after(CSV_CELL)) ??
    ((start === 0 || open === 32 || open === 9 || open === 10) && proseName() ? loose(after(PROSE)) : undefined)
  );
}

/** CSV cells and prose carry less structure, so only a clearly generated value counts there. */
function looseConfidence(value: string): number | undefined {
  if (value.length < 12 || charClassCount(value) < 3 || shannonEntropy(value) < 3.5) return undefined;
  const c = literalSecretConfidence(value, 12);
  return c === undefined ? undefined : Math.min(c, 0.7);
}

export const genericAssignment: Detector = {
  id: "generic_assignment",
  category: "secret",
  keywords: ["pass", "pwd", "secret", "token", "auth", "credential", "key"],
  maxLength: MAX_NAME * 2 + 48 + MAX_VALUE,
  detect(text) {
    const out: Finding[] = [];
    KEYWORD.lastIndex = 0;
    for (let m = KEYWORD.exec(text); m !== null; m = KEYWORD.exec(text)) {
      let start = m.index;
      while (start > 0 && m.index - start <= MAX_NAME && isNameChar(text.charCodeAt(start - 1))) start--;
      let end = m.index + m[0].length;
      while (end < text.length && end - start <= MAX_NAME && isNameChar(text.charCodeAt(end))) end++;
      KEYWORD.lastIndex = end;
      if (end - start > MAX_NAME) continue;
      // A segment of a path or an ARN (vault:secret/…, arn:aws:…:secret:prod/x) is not a name being assigned.
      const before = text.charCodeAt(start - 1);
      if (before === 58 /* : */ || before === 47 /* / */) continue;
      // Leading dashes make a CLI flag; trailing dots and dashes are punctuation.
      let nameStart = start;
      while (nameStart < end && text.charCodeAt(nameStart) === 45) nameStart++;
      const flag = nameStart > start;
      let nameEnd = end;
      while (nameEnd > nameStart && (text.charCodeAt(nameEnd - 1) === 46 || text.charCodeAt(nameEnd - 1) === 45)) nameEnd--;
      const nameText = text.slice(nameStart, nameEnd);
      // Cheap test first: most names in code (keys.map, getToken(), authHeader) have nothing assigned to them.
      const where = valueStart(text, start, end, flag, () => PROSE_NAME.test(nameText));
      if (!where) continue;
      const keyPhrase = /^key$/i.test(nameText) && KEY_PHRASE_BEFORE.test(text.slice(Math.max(0, start - 8), start));
      const name = keyPhrase ? { password: false } : isSecretName(nameText);
      if (!name) continue;
      const value = readValue(text, where.at, where.xml);
      if (!value) continue;
      const literal = text.slice(value.start, value.end);
      const confidence =
        where.mode === "loose" ? looseConfidence(literal) : literalSecretConfidence(literal, name.password ? 6 : 8);
      if (confidence === undefined) continue;
      out.push(secretFinding("generic_assignment", value.start, value.end, confidence));
      KEYWORD.lastIndex = Math.max(KEYWORD.lastIndex, value.end);
    }
    return out;
  },
};
