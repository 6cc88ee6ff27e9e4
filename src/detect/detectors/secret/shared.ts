// Building blocks of the secret detectors: the finding shape, a regex match loop, and families of prefixed tokens.
import { shannonEntropy } from "../../entropy";
import type { Detector, Finding } from "../../types";
import { isKnownExample, isPlaceholder } from "./placeholders";

export function secretFinding(kind: string, start: number, end: number, confidence: number): Finding {
  return { kind: `secret.${kind}`, category: "secret", start, end, confidence };
}

/** Calls `onMatch` for every match of a global regex; the regex is shared, so its position is reset first. */
export function eachMatch(pattern: RegExp, text: string, onMatch: (m: RegExpExecArray) => void): void {
  pattern.lastIndex = 0;
  for (let m = pattern.exec(text); m !== null; m = pattern.exec(text)) {
    if (m[0].length === 0) pattern.lastIndex++;
    onMatch(m);
  }
}

/** One credential format with a fixed prefix and a random body. */
export interface TokenFormat {
  /** Kind name without the category, e.g. "github_pat". */
  kind: string;
  /** Regex source of the whole token, without capturing groups. */
  source: string;
  /** Length of the fixed prefix; the rest is the random body that must not look like a placeholder. */
  prefix: number;
  confidence: number;
  /** Minimum Shannon entropy of the body in bits per character (default 3). */
  minEntropy?: number;
  /** The random part to judge, when it is not simply what follows the prefix (e.g. the last segment). */
  body?: (token: string) => string;
  /** An extra test of the body, for formats whose shape alone is weak. */
  accept?: (body: string) => boolean;
}

export interface TokenFamily {
  id: string;
  keywords: readonly string[];
  maxLength: number;
  formats: readonly TokenFormat[];
  /**
   * Characters that cannot touch either end of a token: a match glued to one is part of a longer string (a hash,
   * an identifier). Default: letters, digits, "_" and "-". A "=" here applies to the end only.
   */
  edge?: string;
  /** Characters that cannot precede a token, when they differ from `edge` (default: `edge` without "="). */
  before?: string;
}

const DEFAULT_EDGE = "A-Za-z0-9_\\-";

/** A detector for a family of prefixed formats sharing one regex: one alternation, one pass over the text. */
export function tokenFamily(spec: TokenFamily): Detector {
  const edge = spec.edge ?? DEFAULT_EDGE;
  // "=" may pad the end of a base64 token, but before a token it is an assignment (KEY=token).
  const before = spec.before ?? edge.replace("=", "");
  const alternatives = spec.formats.map((f) => `(${f.source})`).join("|");
  const pattern = new RegExp(`(?<![${before}])(?:${alternatives})(?![${edge}])`, "g");
  return {
    id: spec.id,
    category: "secret",
    keywords: spec.keywords,
    maxLength: spec.maxLength,
    detect(text) {
      const out: Finding[] = [];
      eachMatch(pattern, text, (m) => {
        let i = 1;
        while (i < m.length && m[i] === undefined) i++;
        const format = spec.formats[i - 1];
        const token = m[0];
        if (!format || !plausibleToken(token, format)) return;
        out.push(secretFinding(format.kind, m.index, m.index + token.length, format.confidence));
      });
      return out;
    },
  };
}

function plausibleToken(token: string, format: TokenFormat): boolean {
  if (isKnownExample(token)) return false;
  const body = format.body ? format.body(token) : token.slice(format.prefix);
  if (isPlaceholder(body) || shannonEntropy(body) < (format.minEntropy ?? 3)) return false;
  return format.accept ? format.accept(body) : true;
}

/** Decodes base64 or base64url to a Latin-1 string; undefined if `s` is not base64. Never throws. */
export function decodeBase64(s: string): string | undefined {
  const clean = s.replace(/=+$/, "");
  if (!/^[A-Za-z0-9+/_-]*$/.test(clean) || clean.length % 4 === 1) return undefined;
  let bits = 0;
  let acc = 0;
  let out = "";
  for (let i = 0; i < clean.length; i++) {
    const c = clean.charCodeAt(i);
    const v =
      c >= 65 && c <= 90 ? c - 65 : c >= 97 && c <= 122 ? c - 71 : c >= 48 && c <= 57 ? c + 4 : c === 43 || c === 45 ? 62 : 63;
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += String.fromCharCode((acc >> bits) & 0xff);
      acc &= (1 << bits) - 1;
    }
  }
  return out;
}
