// secret.gcp_service_account_key: the "private_key" of a Google service-account JSON key file ("type":
// "service_account"). The span is the JSON string's content, the escaped PEM; the rest of the file is identifiers.
import type { Detector, Finding } from "../../types";
import { eachMatch, secretFinding } from "./shared";

const FIELD = /"private_key"\s*:\s*"/g;
const SERVICE_ACCOUNT = /"type"\s*:\s*"service_account"/;
/** An escaped 4096-bit PKCS#8 key is about 3,400 characters; service accounts use 2048-bit keys. */
const MAX_VALUE = 6000;
/** How far from the key the "type" field may sit (the file's fields are small, the key is most of it). */
const CONTEXT = 2000;

/** End of the JSON string starting at `from` (index of its closing quote), or -1 if it is longer than MAX_VALUE. */
function stringEnd(text: string, from: number): number {
  const limit = Math.min(text.length, from + MAX_VALUE);
  for (let i = from; i < limit; i++) {
    const c = text.charCodeAt(i);
    if (c === 92 /* \ */) i++;
    else if (c === 34 /* " */) return i;
    else if (c === 10 /* raw newline: not a JSON string */) return -1;
  }
  return -1;
}

export const gcpServiceAccount: Detector = {
  id: "gcp_service_account_key",
  category: "secret",
  keywords: ["service_account"],
  maxLength: MAX_VALUE + CONTEXT,
  detect(text) {
    const out: Finding[] = [];
    eachMatch(FIELD, text, (m) => {
      const start = m.index + m[0].length;
      const end = stringEnd(text, start);
      if (end === -1) return;
      const value = text.slice(start, end);
      if (!value.startsWith("-----BEGIN") || !value.includes("PRIVATE KEY-----") || value.length < 200) return;
      const around = text.slice(Math.max(0, m.index - CONTEXT), Math.min(text.length, end + CONTEXT));
      if (!SERVICE_ACCOUNT.test(around)) return;
      out.push(secretFinding("gcp_service_account_key", start, end, 0.99));
    });
    return out;
  },
};
