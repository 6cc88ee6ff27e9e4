// secret.azure_sas_token: the signature of an Azure shared access signature (…?sv=2022-11-02&se=…&sp=r&sig=…).
// The span is the sig value: without it the rest of the query grants nothing. A "sig=" counts only inside a query
// that also carries the SAS version (sv=YYYY-MM-DD) and an expiry or permission (se=, sp=).
import type { Detector, Finding } from "../../types";
import { isPlaceholder } from "./placeholders";
import { decodeBase64, eachMatch, secretFinding } from "./shared";

const SIG = /(?<=[?&;])sig=([A-Za-z0-9%+/=]{30,120})(?![A-Za-z0-9%+/=])/g;
const VERSION = /(?:^|[?&;])sv=\d{4}-\d{2}-\d{2}(?:[&;]|$)/;
const SCOPE = /(?:^|[?&;])(?:se|sp)=/;
/** How far the query may extend around sig= (a SAS query is a few hundred characters). */
const QUERY = 600;

/** The query around `at`: the run of non-space, non-quote characters, at most QUERY each way. */
function queryAround(text: string, from: number, to: number): string {
  let s = from;
  while (s > 0 && from - s < QUERY && !/[\s"'<>`]/.test(text.charAt(s - 1))) s--;
  let e = to;
  while (e < text.length && e - to < QUERY && !/[\s"'<>`]/.test(text.charAt(e))) e++;
  return text.slice(s, e);
}

export const azureSas: Detector = {
  id: "azure_sas_token",
  category: "secret",
  keywords: ["sig="],
  maxLength: 2 * QUERY + 124,
  detect(text) {
    const out: Finding[] = [];
    eachMatch(SIG, text, (m) => {
      const sig = m[1] ?? "";
      const query = queryAround(text, m.index, m.index + m[0].length);
      if (!VERSION.test(query) || !SCOPE.test(query)) return;
      let raw: string;
      try {
        raw = decodeURIComponent(sig);
      } catch {
        return;
      }
      // An HMAC-SHA256: 32 bytes, 44 characters of base64.
      const bytes = decodeBase64(raw);
      if (bytes === undefined || bytes.length !== 32 || isPlaceholder(raw)) return;
      const start = m.index + 4;
      out.push(secretFinding("azure_sas_token", start, start + sig.length, 0.92));
    });
    return out;
  },
};
