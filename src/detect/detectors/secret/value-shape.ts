// Judging a value found only by its context (password = …, Authorization: Bearer …): is it a literal secret, and how
// sure are we? Code, references, templates and prose are not; confidence grows with length and entropy.
import { charClassCount, shannonEntropy } from "../../entropy";
import { isPlaceholder } from "./placeholders";

/** Values that name or fetch a secret rather than hold one. */
const REFERENCES: readonly RegExp[] = [
  // $VAR, %VAR%, @Value, !vault / !Ref (YAML tags), &anchor / *alias, #comment, ~/path, [list], {object}, (expr), <slot>
  /^[$%@!&*#~[{(<=]/,
  // ${VAR}, {{ var }}, $(cmd), %(name)s, <%= erb %>, call(), index[], {block}, a?.b, a ?? b, a->b, A::B
  /\$\{|\{\{|\$\(|%\(|<%|[()[\]{}]|\?\.|\?\?|->|::/,
  // another flag (--password --verbose), not a value
  /^-[A-Za-z-]/,
  // URLs (credentials in URLs are the url_credentials detector's) and Windows paths
  /:\/\/|^[A-Za-z]:\\/,
  // config.password, process.env.TOKEN, self.secret, settings.SECRET_KEY, api.v2: words, not random segments
  /^[A-Za-z_$][A-Za-z_$]*\d{0,2}(?:\.[A-Za-z_$][A-Za-z_$]*\d{0,2})+$/,
  // SECRET_NAME, DB_PASSWORD: the name of an environment variable or constant
  /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/,
  // secret-manager references and encrypted-at-rest values (sops, ansible-vault)
  /^(?:arn:|projects\/|vault:|ref\+|enc\[|sha\d+:|file:|env:|secretref:|keyring:|op:)/i,
  // emails, versions, dates, plain numbers
  /^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$/,
  /^v?\d+(?:\.\d+){1,3}(?:[-+][0-9A-Za-z.-]+)?$/,
  /^\d{4}-\d{2}-\d{2}/,
  /^\d+$/,
];

const LETTERS = /^[A-Za-z_-]+$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Words a secret's own value contains only when it is a stand-in: "my-secret-token", "password1!", "apikey123". */
const SELF_NAMING = /passw(?:or)?d|secret|token|api_?key/i;

const WORD = /[A-Z]?[a-z]{3,}/g;
/** Hex with digits: generated (a digest, a key), whatever words its a–f letters happen to spell. */
const HEX = /^(?=[^0-9]*[0-9])(?:[0-9a-f]+|[0-9A-F]+)$/;

/** A run that reads as a word: it has a vowel and no more than four consonants in a row ("Credential", not "Jdftc"). */
function pronounceable(w: string): boolean {
  let run = 0;
  let vowels = 0;
  for (const ch of w.toLowerCase()) {
    if ("aeiouy".includes(ch)) {
      vowels++;
      run = 0;
    } else if (++run > 4) {
      return false;
    }
  }
  return vowels > 0;
}

/** Share of the letters of `v` in word-like runs ("Credential", "get", "Response"): high for code names and phrases. */
function wordiness(v: string): number {
  let letters = 0;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i) | 0x20;
    if (c >= 97 && c <= 122) letters++;
  }
  if (letters === 0) return 0;
  let inWords = 0;
  for (const w of v.match(WORD) ?? []) if (pronounceable(w)) inWords += w.length;
  return inWords / letters;
}

/**
 * Letters only can still be generated (a random mixed-case string), but camelCase, snake_case and plain words
 * (getPassword, string, required, Enter, BetaManagedAuthResponse) are code or prose.
 */
function isRandomLetters(v: string): boolean {
  if (v.length < 10 || !/^[A-Za-z]+$/.test(v)) return false;
  let upper = 0;
  for (let i = 0; i < v.length; i++) if (v.charCodeAt(i) <= 90) upper++;
  const ratio = upper / v.length;
  // Case mixed throughout (not camelCase's one capital per word), few pronounceable runs, no long repeats.
  return ratio >= 0.25 && ratio <= 0.75 && shannonEntropy(v) >= 3 && wordiness(v) < (v.length >= 16 ? 0.75 : 0.5);
}

const IDENTIFIER = /^[A-Za-z_$#][\w$]*(?:\.#?[A-Za-z_$][\w$]*)*$/;

/**
 * A name from code (X509Credential, x509Authentication, exports.rememberCredential, base64Encode, my_db_conn): an
 * identifier made of words, joined by a case change after a digit, a dot or an underscore. A word with digits only at
 * its end (hunter2, Summer2024) is a password, not a name.
 */
function isCodeName(v: string): boolean {
  if (!IDENTIFIER.test(v) || wordiness(v.replace(/\d+$/, "")) < 0.75) return false;
  return /[0-9][A-Za-z]|[._$#]|[a-z][A-Z]/.test(v.replace(/\d+$/, ""));
}

/** Two or more words joined by case, "-", "_" or "." (base64url-encoded, CorrectHorse9, user_auth_v2): a phrase. */
function isWordCompound(v: string): boolean {
  if (!/^[A-Za-z0-9_.-]+$/.test(v) || (v.match(WORD)?.filter(pronounceable).length ?? 0) < 2) return false;
  return wordiness(v) >= 0.8;
}

/** /run/secrets/db, ./creds.json, ~/.aws/credentials; base64 may start with "/" too, but it is far more random. */
function isPath(value: string): boolean {
  return /^(?:\.{0,2}|~)\//.test(value) && !value.includes("+") && shannonEntropy(value) < 4.3;
}

export function looksLikeReference(value: string): boolean {
  return isPath(value) || REFERENCES.some((r) => r.test(value));
}

/**
 * Confidence that `value`, found where a secret is expected, is a literal secret; undefined if it is not one.
 * `minLength`: 6 after a password-like name (short passwords are real), 8 after token/key names.
 */
export function literalSecretConfidence(value: string, minLength: number): number | undefined {
  const n = value.length;
  if (n < minLength || n > 256 || /\s/.test(value)) return undefined;
  // Judge the shape without base64 padding: "authorization=" is a word, not a token.
  const bare = value.replace(/=+$/, "");
  if (SELF_NAMING.test(value) || (LETTERS.test(bare) && !isRandomLetters(bare))) return undefined;
  if (looksLikeReference(value) || isPlaceholder(value)) return undefined;
  if (!HEX.test(value) && (isCodeName(value) || isWordCompound(value))) return undefined;
  // Many API keys are UUIDs, but so are ids that sit next to them.
  if (UUID.test(value)) return 0.6;
  const h = shannonEntropy(value);
  // Capped below the vendor formats (>= 0.85), so a prefixed token inside an assignment keeps its own kind.
  if (n >= 16 && h >= 3.5) return 0.8;
  if (n >= 10 && h >= 3.0) return 0.7;
  const classes = charClassCount(value);
  if (classes >= 2 && ((minLength <= 6 && h >= 2.3) || h >= 2.8)) return 0.6;
  return undefined;
}
