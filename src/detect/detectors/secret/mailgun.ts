// secret.mailgun_api_key: legacy private keys ("key-" + 32 hex; "pubkey-" validation keys are public) and current
// keys (32 hex-8 hex-8 hex). "key-<hex>" also names cache entries, so without the word "mailgun" nearby or the "api"
// user before it, it is flag-only; the current form has no prefix at all and is reported only next to "mailgun".
import type { Detector, Finding } from "../../types";
import { isPlaceholder } from "./placeholders";
import { eachMatch, secretFinding } from "./shared";

const LEGACY = /(?<![A-Za-z0-9_-])key-[0-9a-f]{32}(?![A-Za-z0-9_-])/g;
const CURRENT = /(?<![A-Za-z0-9_-])[0-9a-f]{32}-[0-9a-f]{8}-[0-9a-f]{8}(?![A-Za-z0-9_-])/g;
const MAILGUN = /mailgun/i;
const API_USER_BEFORE = /api["']?\s*[:,]\s*["']?$/;
const CONTEXT = 300;

export const mailgun: Detector = {
  id: "mailgun",
  category: "secret",
  keywords: ["key-", "mailgun"],
  maxLength: CONTEXT + 50,
  detect(text) {
    const out: Finding[] = [];
    const near = (at: number): boolean => MAILGUN.test(text.slice(Math.max(0, at - CONTEXT), at + CONTEXT));
    eachMatch(LEGACY, text, (m) => {
      if (isPlaceholder(m[0].slice(4))) return;
      // Mailgun's API takes the key as the password of user "api": `-u api:key-…`, `("api", "key-…")`.
      const apiUser = API_USER_BEFORE.test(text.slice(Math.max(0, m.index - 8), m.index));
      const confidence = near(m.index) ? 0.92 : apiUser ? 0.9 : 0.45;
      out.push(secretFinding("mailgun_api_key", m.index, m.index + m[0].length, confidence));
    });
    if (!MAILGUN.test(text)) return out;
    eachMatch(CURRENT, text, (m) => {
      if (isPlaceholder(m[0].slice(0, 32)) || !near(m.index)) return;
      out.push(secretFinding("mailgun_api_key", m.index, m.index + m[0].length, 0.85));
    });
    return out;
  },
};
