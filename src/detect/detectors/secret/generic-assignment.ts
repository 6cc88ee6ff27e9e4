// secret.generic_assignment: a literal value assigned to a secret-like name, in any of the shapes people paste:
// .env and shell (DB_PASSWORD=…), YAML (password: …), JSON ("apiKey": "…", also JSON-in-a-string), TOML/INI, code
// (secret = "…", 'token' => '…', define('DB_PASSWORD', '…')), Java properties (spring.datasource.password=…), query
// strings (?api_key=…), headers (X-Api-Key: …), CLI flags (--password=…, --token …), XML (<password>…</password>),
// markdown tables (| api_secret | … |), and, for clearly generated values only, CSV cells (token,…) and chat prose
// ("the admin password for staging is …", "access token for the partner sandbox: …").
// The span is the value only. A name alone is not a finding: `password = getPassword()`, `password: string`,
// `"password": ""`, `password=${PASSWORD}`, `password = os.environ["X"]` and `<password>` all fail the value checks
// in value-shape.ts, and names that merely contain a secret word (max_tokens, next_page_token, csrf_token,
// public_key, password_hash) are not secret names.
//
// Keywords are a name's last word together with what follows it ("password=", "key:", "token\"", "secret is",
// "key for"), never the bare word (see below). Linear: one regex pass finds each secret word and the rest of its
// identifier, a table lookup of the next character rejects the names nothing is assigned to, and only then do sticky
// regexes read the operator; nothing backtracks over the text.

import { charClassCount, shannonEntropy } from "../../entropy";
import type { Detector, Finding } from "../../types";
import { secretFinding } from "./shared";
import { literalSecretConfidence } from "./value-shape";

/** A secret word and the rest of its identifier: the match ends where the name does. */
const WORD = /(?:pass|pwd|secret|token|auth|credential|key)[A-Za-z0-9_.-]*/gi;
const MAX_NAME = 64;
const MAX_VALUE = 256;
/** Blanks around an operator, a flag's value or a table cell: aligned configs pad with runs of spaces. */
const MAX_BLANKS = 32;

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
/**
 * Prepositions that may qualify a secret named in prose ("the password for the staging Grafana is …", "the password
 * to the wifi is …"). Not "of" and "in": disclosures rarely say "the password of…", while `for (const key of keys)`
 * and `for key in d:` loop in every codebase, and each "key of" would make the scanner read the text around it.
 */
const PREPOSITIONS = ["for", "to", "on", "at", "from"];

/** Operator after the name: the closing quote of a quoted key, then =, :, :=, =>, ?= (not ==, ::). */
const OPERATOR = new RegExp(`\\\\?["'\\]]?[ \\t]{0,${MAX_BLANKS}}(?:=>|:=|\\?=|=(?!=)|:(?![:=]))[ \\t]{0,${MAX_BLANKS}}`, "y");
const FLAG_SEPARATOR = new RegExp(`[ \\t]{1,${MAX_BLANKS}}(?=[^\\s-])`, "y");
const PAIR = /\\?["'][ \t]{0,8},[ \t]{0,8}(?=\\?["'])/y;
const TABLE_CELL = new RegExp(`[ \\t]{0,${MAX_BLANKS}}\\|[ \\t]{0,${MAX_BLANKS}}`, "y");
const CSV_CELL = /,(?=[^\s,])/y;
/**
 * "the password is X", and with a qualifier after a preposition, "the admin password for the staging Grafana is X",
 * "use this access token for the partner sandbox: X" (same sentence, same line). Other words after the name
 * ("key material: …", "token expired at: …") make it a different subject. (A colon right after the name is an
 * operator.)
 */
const PROSE = new RegExp(
  `(?:[ \\t]{1,8}(?:${PREPOSITIONS.join("|")})[ \\t][A-Za-z0-9 '-]{0,36}?)?(?:[ \\t]{1,8}(?:is|was|are)[ \\t]{0,8}:?|:)[ \\t]{0,8}`,
  "y",
);
/** Longest context between the end of a name and its value: the prose form, blanks included. */
const MAX_GAP = 8 + 4 + 1 + 36 + 8 + 3 + 8 + 1 + 8;
/** The word before a bare "key" that makes it a secret name in prose ("API key: …", "access key is …"). */
const KEY_PHRASE_BEFORE = /(?:api|access|secret|private|signing|license)[ \t]$/i;
const KEY_PHRASE_CONTEXT = 8;

// ---------------------------------------------------------------------------------------------------------------
// Keywords. A secret name (isSecretName) ends with a secret word, which ends (case aside) with one of NAME_ENDS, or
// with such a word, one separator and a qualifier; right after a name that is assigned to comes one of a few
// characters (valueStart). So each true positive contains one of:
// - an ending and the start of a qualifier: "key_ba" (SECRET_KEY_BASE), "tokenva" (tokenValue);
// - an ending and what follows it: an operator, quote, tag, cell or blanks ("password=", "key\"", "token |"), or a
//   prose phrase ("secret is", "password for");
// - for a flag and its value ("--token <value>"): a double dash after a blank, quote, bracket or backtick, or an
//   ending after a separator ("-db-password ") or in a compound ("-apiKey "). Only such flags are read
//   (flagHasKeyword): "-AdminPassword <value>" is not, as "password " alone would make the scanner read all prose.
// (The bare words would do, but "token" and "key" fill ordinary prose and code, and the scanner reads only around
// keywords. Each part is a few hundred literals that share their starts, so the keyword automaton stays small.)

/** What follows a name given a value by an operator, flag, XML tag, quoted pair, table cell or CSV cell. */
const ASSIGNED_AFTER = ["=", ":", '"', "'", "\\", "]", "?=", ">", "|", ",", "\t", "  ", " =", " :", " ?=", " |"];
/** What follows a name in prose (one blank; runs of blanks and tabs are in ASSIGNED_AFTER). */
const PROSE_AFTER = [" is", " was", " are", ...PREPOSITIONS.map((p) => ` ${p}`)];
/** What joins a qualifier to a name: a separator, or nothing (camelCase, which the case-blind prefilter cannot see). */
const QUALIFIER_JOINS = ["", "_", "-", "."];
/** Characters before a flag's double dash. */
const FLAG_OPENERS = " \t\n`([\"'";
/** Separators before the last word of a flag's name. */
const WORD_SEPARATORS = ["-", "_", "."];

const ALL_NOUNS = [...NOUNS, ...NOUN_SUFFIXES, "key"];
/** The shortest endings: every noun and suffix ends with one of them (apikey with key, authtoken with token). */
const NAME_ENDS = [...new Set(ALL_NOUNS)].filter((w) => !ALL_NOUNS.some((o) => o !== w && w.endsWith(o)));
/** Nouns glued from two words (apikey, clientsecret): a camelCase flag may end with one. */
const COMPOUNDS = [...NOUNS].filter((w) => !NAME_ENDS.includes(w));
const cross = (a: readonly string[], b: readonly string[]): string[] => a.flatMap((x) => b.map((y) => x + y));
const QUALIFIER_STARTS = [...new Set([...QUALIFIER_SUFFIXES].map((q) => q.slice(0, 2)))];

const KEYWORDS = [
  ...new Set([
    ...cross(NAME_ENDS, cross(QUALIFIER_JOINS, QUALIFIER_STARTS)),
    ...cross(NAME_ENDS, [...ASSIGNED_AFTER, ...PROSE_AFTER]),
    ...[...FLAG_OPENERS].map((c) => `${c}--`),
    ...cross(cross(WORD_SEPARATORS, NAME_ENDS), [" "]),
    ...cross(COMPOUNDS, [" "]),
  ]),
];

/**
 * Whether a flag followed by blanks carries one of the keywords: a tab or two blanks after it, a double dash after a
 * FLAG_OPENERS character, a qualifier, a last word after a separator, or a compound noun.
 */
function flagHasKeyword(text: string, start: number, nameStart: number, end: number): boolean {
  const second = text.charCodeAt(end + 1);
  if (text.charCodeAt(end) === 9 || second === 32 || second === 9) return true;
  if (nameStart - start >= 2 && start > 0 && FLAG_OPENERS.includes(text.charAt(start - 1))) return true;
  const name = text.slice(nameStart, end).toLowerCase();
  for (const e of NAME_ENDS) {
    if (name.endsWith(e) && WORD_SEPARATORS.includes(text.charAt(end - e.length - 1))) return true;
  }
  return COMPOUNDS.some((w) => name.endsWith(w)) || [...QUALIFIER_SUFFIXES].some((q) => name.endsWith(q));
}

/** Characters that can follow a name that is assigned to: the first characters of ASSIGNED_AFTER and PROSE_AFTER. */
const FOLLOWS_NAME = new Uint8Array(128);
for (const k of [...ASSIGNED_AFTER, ...PROSE_AFTER]) FOLLOWS_NAME[k.charCodeAt(0)] = 1;

// ---------------------------------------------------------------------------------------------------------------

function isNameChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 45 || c === 46;
}

const PLAIN_WORD = /^[a-z]+$/;

/** snake_case, kebab-case, dotted.path and camelCase → lower-case words. */
function words(name: string): string[] {
  if (PLAIN_WORD.test(name)) return [name];
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .split(/[\s._-]+/)
    .filter((w) => w.length > 0);
}

function isSecretName(name: string): { password: boolean } | undefined {
  const ws = words(name);
  if (ws.length === 0 || ws.some((w) => EXCLUDED.has(w))) return undefined;
  if (ws.length > 1 && QUALIFIER_SUFFIXES.has(ws[ws.length - 1] ?? "")) {
    const qualifier = ws.pop() as string;
    // One separator or a case change between the word and its qualifier, as the keywords ("key_ba") expect.
    const lower = name.toLowerCase();
    if (!QUALIFIER_JOINS.some((j) => lower.endsWith(`${ws[ws.length - 1]}${j}${qualifier}`))) return undefined;
  }
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

/** Prose names a secret in a plain word ("password", "Token", "API key"), not a constant or a quoted string. */
function isProseWord(text: string, start: number, end: number): boolean {
  const first = text.charCodeAt(start) | 0x20;
  if (first < 97 || first > 122) return false;
  for (let i = start + 1; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c < 97 || c > 122) return false;
  }
  return true;
}

/** Past the leading dashes of a CLI flag. */
function nameStartOf(text: string, start: number, end: number): number {
  let i = start;
  while (i < end && text.charCodeAt(i) === 45) i++;
  return i;
}

/**
 * What a blank after a name can lead to: an operator or a table's "|" after more blanks, or a flag's value
 * ("assignment"); a prose phrase, starting with is, was, are or a preposition ("prose"); or nothing.
 */
type AfterBlank = "assignment" | "prose" | "nothing";

/**
 * After a name and a blank, what can still make an assignment. Checked before any regex runs: in prose and code most
 * names are followed by a blank and some other word.
 */
function afterBlank(text: string, end: number, flag: boolean): AfterBlank {
  if (flag) return "assignment";
  let i = end + 1;
  const limit = Math.min(text.length, end + MAX_BLANKS + 1);
  while (i < limit && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) i++;
  const a = text.charCodeAt(i);
  if (a === 61 /* = */ || a === 58 /* : */ || a === 63 /* ? */ || a === 124 /* | */) return "assignment";
  return PROSE_STARTS.has((a << 16) | text.charCodeAt(i + 1)) ? "prose" : "nothing";
}

/** The first two letters (as char codes) of the words PROSE accepts after a blank. */
const PROSE_STARTS = new Set(["is", "was", "are", ...PREPOSITIONS].map((w) => (w.charCodeAt(0) << 16) | w.charCodeAt(1)));

/** Characters that end an unquoted value: whitespace, quotes, backslash, separators of lists, queries, statements. */
const UNQUOTED_END = new Uint8Array(128);
for (const ch of " \t\r\n\"'`\\,;&<>|") UNQUOTED_END[ch.charCodeAt(0)] = 1;

function endsUnquoted(c: number): boolean {
  return c < 128 && UNQUOTED_END[c] === 1;
}

interface Value {
  start: number;
  end: number;
}

/** An unquoted run longer than any value: nothing in it is a value either, so scanning resumes after it. */
interface TooLong {
  skipTo: number;
}

/**
 * Where `needle` closes a value that starts at `at`: in the same line and within MAX_VALUE (an unclosed quote must
 * not send each occurrence to the end of the text), or -1.
 */
function closedAt(text: string, at: number, needle: string, from: number): number {
  const window = text.slice(at, Math.min(text.length, at + MAX_VALUE + 2));
  const i = window.indexOf(needle, from);
  return i === -1 || window.slice(from, i).includes("\n") ? -1 : at + i;
}

function readValue(text: string, at: number, xml: boolean): Value | TooLong | undefined {
  const limit = Math.min(text.length, at + MAX_VALUE + 2);
  const c = text.charCodeAt(at);
  if (xml) {
    const close = closedAt(text, at, "</", 0);
    return close === -1 ? undefined : { start: at, end: close };
  }
  if (c === 34 || c === 39 || c === 96) {
    const close = closedAt(text, at, text.charAt(at), 1);
    return close === -1 ? undefined : { start: at + 1, end: close };
  }
  if (c === 92 && text.charCodeAt(at + 1) === 34) {
    // An escaped quote: a JSON document inside a JSON string.
    const close = closedAt(text, at, '\\"', 2);
    return close === -1 ? undefined : { start: at + 2, end: close };
  }
  let end = at;
  while (end < limit && !endsUnquoted(text.charCodeAt(end))) end++;
  if (end === limit && limit < text.length) return { skipTo: limit };
  // An ellipsis marks an elided value ("sk-ant-api03-..."); one final dot is sentence punctuation.
  if (text.startsWith("...", end - 3) || text.charCodeAt(end - 1) === 0x2026) return undefined;
  if (end > at && text.charCodeAt(end - 1) === 46) end--;
  return { start: at, end };
}

/** How the value was introduced: by an operator (or flag, XML tag, table cell), or by looser prose or CSV. */
type Mode = "assigned" | "loose";

interface Where {
  at: number;
  mode: Mode;
  xml: boolean;
}

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
  while (text.charCodeAt(lineStart) === 32 || text.charCodeAt(lineStart) === 9) lineStart++;
  return text.charCodeAt(lineStart) === 124;
}

function after(r: RegExp, text: string, at: number): number {
  r.lastIndex = at;
  return r.test(text) ? r.lastIndex : -1;
}

/**
 * Where the value of the name [start, end) starts and how it was introduced, or undefined if nothing is assigned to
 * it. `nameStart` is past the leading dashes of a flag; `proseOnly`: a blank and a word follow, so only prose can.
 */
function valueStart(text: string, start: number, nameStart: number, end: number, proseOnly: boolean): Where | undefined {
  const open = text.charCodeAt(start - 1);
  let at = -1;
  if (!proseOnly) {
    if (open === 60 /* < */ && text.charCodeAt(end) === 62 /* > */) return { at: end + 1, mode: "assigned", xml: true };
    at = after(OPERATOR, text, end);
    // --password hunter2: a flag takes the next word.
    if (at === -1 && nameStart > start && flagHasKeyword(text, start, nameStart, end)) at = after(FLAG_SEPARATOR, text, end);
    // define('DB_PASSWORD', '…'), setenv("API_KEY", "…"): a quoted name, a comma, a quoted value.
    if (at === -1 && (open === 34 || open === 39)) at = after(PAIR, text, end);
    if (at === -1 && inTableCell(text, start)) at = after(TABLE_CELL, text, end);
    if (at !== -1) return { at, mode: "assigned", xml: false };
    at = after(CSV_CELL, text, end);
  }
  const proseStart = start === 0 || open === 32 || open === 9 || open === 10;
  if (at === -1 && proseStart && isProseWord(text, nameStart, end)) at = after(PROSE, text, end);
  return at === -1 ? undefined : { at, mode: "loose", xml: false };
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
  keywords: KEYWORDS,
  // Context (a key phrase or the flag's dashes, and the name), the operator or prose between, and the value in quotes.
  maxLength: KEY_PHRASE_CONTEXT + MAX_NAME + Math.max(MAX_GAP, 2 + 2 * MAX_BLANKS + 2) + MAX_VALUE + 2,
  detect(text) {
    const out: Finding[] = [];
    WORD.lastIndex = 0;
    // test(), not exec(): no match object for the thousands of words that are not assigned to.
    while (WORD.test(text)) {
      const end = WORD.lastIndex;
      // Most names in code and prose (keys.map, getToken(), "the token has") are followed by nothing that assigns.
      const next = text.charCodeAt(end);
      if (next >= 128 || FOLLOWS_NAME[next] !== 1) continue;
      let start = end;
      while (start > 0 && end - start <= MAX_NAME && isNameChar(text.charCodeAt(start - 1))) start--;
      if (end - start > MAX_NAME) continue;
      const nameStart = nameStartOf(text, start, end);
      const blank = next === 32 || next === 9 ? afterBlank(text, end, nameStart > start) : "assignment";
      if (blank === "nothing") continue;
      // A name ends with a word: a trailing dot, dash or underscore is punctuation, not an assignment's name.
      const last = text.charCodeAt(end - 1);
      if (last === 46 || last === 45 || last === 95) continue;
      // A segment of a path or an ARN (vault:secret/…, arn:aws:…:secret:prod/x) is not a name being assigned.
      const before = text.charCodeAt(start - 1);
      if (before === 58 /* : */ || before === 47 /* / */) continue;
      const where = valueStart(text, start, nameStart, end, blank === "prose");
      if (!where) continue;
      const nameText = text.slice(nameStart, end);
      const keyPhrase =
        /^key$/i.test(nameText) && KEY_PHRASE_BEFORE.test(text.slice(Math.max(0, start - KEY_PHRASE_CONTEXT), start));
      const name = keyPhrase ? { password: false } : isSecretName(nameText);
      if (!name) continue;
      const value = readValue(text, where.at, where.xml);
      if (!value) continue;
      if ("skipTo" in value) {
        WORD.lastIndex = value.skipTo;
        continue;
      }
      const literal = text.slice(value.start, value.end);
      const confidence =
        where.mode === "loose" ? looseConfidence(literal) : literalSecretConfidence(literal, name.password ? 6 : 8);
      if (confidence === undefined) continue;
      out.push(secretFinding("generic_assignment", value.start, value.end, confidence));
      WORD.lastIndex = Math.max(WORD.lastIndex, value.end);
    }
    return out;
  },
};
