// Credentials in HTTP authorization: `Bearer <token>` and any other scheme in an Authorization header (GitHub's
// `token`, Okta's `SSWS`, Elastic's `ApiKey`, or none) are secret.bearer_token; `Basic <base64 user:password>` and
// curl's `-u user:password` are secret.basic_auth. The span is the credential: the token, the base64 blob, or the
// password after the colon.
//
// One pass finds the anchors (bearer, basic, authorization, -u, --user); a sticky regex reads what follows each. The
// generic "token" scheme counts only inside an Authorization header, so "token" alone, common in prose and code, is
// not a keyword.
import type { Detector, Finding } from "../../types";
import { isPlaceholder } from "./placeholders";
import { decodeBase64, secretFinding } from "./shared";
import { literalSecretConfidence, looksLikeReference } from "./value-shape";

const MAX_TOKEN = 4096;
const ANCHOR = /bearer|basic|authorization|-u|--user/gi;
/** After "Bearer" or "Basic": the credential. */
const SCHEME_VALUE = /[ \t]{1,8}([A-Za-z0-9._~+/-]{8,4096}={0,2})/y;
/** After "authorization": a header or field, then any scheme (or none): Okta's "SSWS", Elastic's "ApiKey", "token". */
const HEADER_VALUE =
  /["']?[ \t]{0,8}[:=][ \t]{0,8}["']?(?:([A-Za-z][A-Za-z0-9-]{1,24})[ \t]{1,8})?([A-Za-z0-9._~+/-]{12,4096}={0,2})/y;
/** After curl's -u / --user: user:password, optionally quoted. */
const CURL_VALUE = /(?:[ \t]{1,8}|=)(["']?)([^\s:"'@=]{1,128}):([^\s"']{1,256})\1(?=[\s"']|$)/y;
/** Longest context before a token: "authorization", quotes, blanks, an operator, a scheme of up to 25 characters. */
const MAX_CONTEXT = 13 + 1 + 8 + 1 + 8 + 1 + 25 + 8;

function isWordChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 45;
}

function basicCredentials(blob: string): boolean {
  const decoded = decodeBase64(blob);
  if (decoded === undefined || !/^[\x20-\x7e]+$/.test(decoded)) return false;
  const colon = decoded.indexOf(":");
  if (colon <= 0 || colon === decoded.length - 1) return false;
  const password = decoded.slice(colon + 1);
  return !isPlaceholder(password) && !looksLikeReference(password);
}

/** A token ending a sentence keeps its dot outside. */
function trimDots(token: string): string {
  let end = token.length;
  while (end > 0 && token.charCodeAt(end - 1) === 46) end--;
  return end === token.length ? token : token.slice(0, end);
}

function bearer(out: Finding[], token: string, start: number): void {
  const confidence = literalSecretConfidence(token, 12);
  // The scheme is stronger context than a variable name.
  if (confidence !== undefined) out.push(secretFinding("bearer_token", start, start + token.length, confidence + 0.05));
}

export const authorization: Detector = {
  id: "authorization",
  category: "secret",
  keywords: ["bearer", "basic", "authorization", "-u ", "-u\t", "-u=", "--user"],
  maxLength: MAX_CONTEXT + MAX_TOKEN + 2,
  detect(text) {
    const out: Finding[] = [];
    ANCHOR.lastIndex = 0;
    for (let m = ANCHOR.exec(text); m !== null; m = ANCHOR.exec(text)) {
      const at = m.index;
      const end = at + m[0].length;
      const first = text.charCodeAt(at) | 0x20;
      if (first === 97 /* authorization */) {
        HEADER_VALUE.lastIndex = end;
        const h = HEADER_VALUE.exec(text);
        if (!h) continue;
        const scheme = (h[1] ?? "").toLowerCase();
        // Bearer and Basic are read from their own anchor, just after.
        if (scheme === "bearer" || scheme === "basic") continue;
        const raw = h[2] ?? "";
        const token = trimDots(raw);
        bearer(out, token, HEADER_VALUE.lastIndex - raw.length);
        continue;
      }
      if (first === 45 /* -u, --user */) {
        // Exactly curl's options (-U is another tool's user name), not the tail of a longer one (--sudo-user).
        if (m[0] !== "-u" && m[0] !== "--user") continue;
        if (at > 0 && isWordChar(text.charCodeAt(at - 1))) continue;
        CURL_VALUE.lastIndex = end;
        const c = CURL_VALUE.exec(text);
        if (!c) continue;
        const password = c[3] ?? "";
        const confidence = literalSecretConfidence(password, 6);
        if (confidence === undefined) continue;
        const close = CURL_VALUE.lastIndex - (c[1] ?? "").length;
        out.push(secretFinding("basic_auth", close - password.length, close, Math.max(0.6, confidence - 0.05)));
        continue;
      }
      // Bearer / Basic: a scheme, not the end of a longer word ("NonBearer", "pg_basic").
      if (at > 0 && isWordChar(text.charCodeAt(at - 1))) continue;
      SCHEME_VALUE.lastIndex = end;
      const s = SCHEME_VALUE.exec(text);
      if (!s) continue;
      const raw = s[1] ?? "";
      const token = trimDots(raw);
      const start = SCHEME_VALUE.lastIndex - raw.length;
      if (first === 98 && (text.charCodeAt(at + 1) | 0x20) === 97 /* basic */) {
        if (basicCredentials(token)) out.push(secretFinding("basic_auth", start, start + token.length, 0.9));
      } else {
        bearer(out, token, start);
      }
    }
    return out;
  },
};
