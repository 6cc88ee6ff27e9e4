// Credentials in HTTP authorization: `Bearer <token>` and any other scheme in an Authorization header (GitHub's
// `token`, Okta's `SSWS`, Elastic's `ApiKey`, or none) are secret.bearer_token; `Basic <base64 user:password>` and
// curl's `-u user:password` are secret.basic_auth. The span is the credential: the token, the base64 blob, or the
// password after the colon.
import type { Detector, Finding } from "../../types";
import { isPlaceholder } from "./placeholders";
import { decodeBase64, eachMatch, secretFinding } from "./shared";
import { literalSecretConfidence, looksLikeReference } from "./value-shape";

const MAX_TOKEN = 4096;
const SCHEME = /(?<![A-Za-z0-9_-])(Bearer|Token|Basic)[ \t]+([A-Za-z0-9._~+/-]{8,4096}={0,2})/gi;
/** The generic "Token" scheme counts only in an Authorization header: "token abc…" in prose is not a credential. */
const AUTHORIZATION_BEFORE = /authorization["']?\s*[:=]\s*["']?$/i;
/** Any scheme (or none) in an Authorization header: Okta's "SSWS", Elastic's "ApiKey", a bare token. */
const AUTH_HEADER =
  /authorization["']?[ \t]*[:=][ \t]*["']?(?:([A-Za-z][A-Za-z0-9-]{1,24})[ \t]+)?([A-Za-z0-9._~+/-]{12,4096}={0,2})/gi;
const CURL_USER = /(?<![A-Za-z0-9_-])(?:-u|--user)(?:[ \t]+|=)(["']?)([^\s:"'@=]{1,128}):([^\s"']{1,256})\1(?=[\s"']|$)/g;

function basicCredentials(blob: string): boolean {
  const decoded = decodeBase64(blob);
  if (decoded === undefined || !/^[\x20-\x7e]+$/.test(decoded)) return false;
  const colon = decoded.indexOf(":");
  if (colon <= 0 || colon === decoded.length - 1) return false;
  const password = decoded.slice(colon + 1);
  return !isPlaceholder(password) && !looksLikeReference(password);
}

export const authorization: Detector = {
  id: "authorization",
  category: "secret",
  keywords: ["bearer", "basic", "token", "authorization", "-u ", "-u=", "--user"],
  maxLength: 32 + MAX_TOKEN + 2,
  detect(text) {
    const out: Finding[] = [];
    const starts = new Set<number>();
    eachMatch(SCHEME, text, (m) => {
      const scheme = (m[1] ?? "").toLowerCase();
      // A token ending a sentence keeps its dot outside.
      const token = (m[2] ?? "").replace(/\.+$/, "");
      const start = m.index + m[0].length - (m[2] ?? "").length;
      starts.add(start);
      if (scheme === "basic") {
        if (basicCredentials(token)) out.push(secretFinding("basic_auth", start, start + token.length, 0.9));
        return;
      }
      if (scheme === "token" && !AUTHORIZATION_BEFORE.test(text.slice(Math.max(0, m.index - 32), m.index))) return;
      const confidence = literalSecretConfidence(token, 12);
      if (confidence === undefined) return;
      // The scheme is stronger context than a variable name.
      out.push(secretFinding("bearer_token", start, start + token.length, confidence + 0.05));
    });
    eachMatch(AUTH_HEADER, text, (m) => {
      const scheme = (m[1] ?? "").toLowerCase();
      if (scheme === "basic" || scheme === "bearer" || scheme === "token") return; // the scheme pass covers these
      const token = (m[2] ?? "").replace(/\.+$/, "");
      const start = m.index + m[0].length - (m[2] ?? "").length;
      if (starts.has(start)) return;
      const confidence = literalSecretConfidence(token, 12);
      if (confidence !== undefined) out.push(secretFinding("bearer_token", start, start + token.length, confidence + 0.05));
    });
    eachMatch(CURL_USER, text, (m) => {
      const password = m[3] ?? "";
      const confidence = literalSecretConfidence(password, 6);
      if (confidence === undefined) return;
      const end = m.index + m[0].length - (m[1] ?? "").length;
      out.push(secretFinding("basic_auth", end - password.length, end, Math.max(0.6, confidence - 0.05)));
    });
    return out;
  },
};
