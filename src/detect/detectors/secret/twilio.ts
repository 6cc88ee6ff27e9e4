// Twilio: API key SIDs (SK + 32 hex, reported alone), API key secrets (32 alphanumerics right after an SK SID on the
// same line) and auth tokens (32 hex, no prefix). An auth token only in Twilio context: the word "twilio" nearby, and
// named (TWILIO_AUTH_TOKEN=…, authToken: "…") or right after an account SID (AC…). For an API key secret the key SID
// before it is context enough, and more context (the word, an account SID) makes it surer: in Client(key, secret,
// account) the account SID comes after the secret, and a stream cannot hold the secret back waiting for it.
import { shannonEntropy } from "../../entropy";
import type { Detector, Finding } from "../../types";
import { isPlaceholder } from "./placeholders";
import { eachMatch, secretFinding } from "./shared";

const TWILIO = /twilio/i;
const ACCOUNT_SID = /AC[0-9a-f]{32}/;
/** How far the word "twilio" (or an account SID) may be from the value. */
const CONTEXT = 400;
const TOKEN_LENGTH = 32;

function plausibleHex(hex: string): boolean {
  return !isPlaceholder(hex) && shannonEntropy(hex) >= 3;
}

const API_KEY = /(?<![A-Za-z0-9_-])SK[0-9a-fA-F]{32}(?![A-Za-z0-9_-])/g;
/** A 32-character mixed-case secret on the same line after the key SID: Client("SK…", "<secret>", "AC…"). */
const API_SECRET = /(?<![A-Za-z0-9])[A-Za-z0-9]{32}(?![A-Za-z0-9])/g;
const SECRET_WINDOW = 120;

function plausibleSecret(v: string): boolean {
  return /[a-z]/.test(v) && /[A-Z]/.test(v) && /[0-9]/.test(v) && shannonEntropy(v) >= 4 && !isPlaceholder(v);
}

export const twilioApiKey: Detector = {
  id: "twilio_api_key",
  category: "secret",
  // "sk" and a hex digit: "sk" alone is in ask, task, risk, disk.
  keywords: [..."0123456789abcdef"].map((h) => `sk${h}`),
  maxLength: CONTEXT + 34 + SECRET_WINDOW,
  detect(text) {
    const out: Finding[] = [];
    eachMatch(API_KEY, text, (m) => {
      const end = m.index + m[0].length;
      if (!plausibleHex(m[0].slice(2).toLowerCase())) return;
      out.push(secretFinding("twilio_api_key", m.index, end, 0.85));
      const line = text.slice(end, end + SECRET_WINDOW).split("\n")[0] ?? "";
      API_SECRET.lastIndex = 0;
      for (let c = API_SECRET.exec(line); c !== null; c = API_SECRET.exec(line)) {
        if (!plausibleSecret(c[0])) continue;
        const around = text.slice(Math.max(0, m.index - CONTEXT), end + CONTEXT);
        const confidence = TWILIO.test(around) || ACCOUNT_SID.test(around) ? 0.8 : 0.7;
        out.push(secretFinding("twilio_api_secret", end + c.index, end + c.index + c[0].length, confidence));
        break;
      }
    });
    return out;
  },
};

const NAMED = /auth[_-]?token["']?[ \t]*(?:=>|:=|[:=])[ \t]*["']?([0-9a-f]{32})(?![0-9A-Za-z])/gi;
/** An account SID followed on the same line by a second 32-hex value: Client("AC…", "…"), -u AC…:…, CSV rows. */
const AFTER_SID = /(?<![A-Za-z0-9])AC[0-9a-f]{32}[^\n]{1,120}?(?<![0-9A-Za-z])([0-9a-f]{32})(?![0-9A-Za-z])/g;

export const twilioAuthToken: Detector = {
  id: "twilio_auth_token",
  category: "secret",
  keywords: ["twilio"],
  maxLength: CONTEXT + TOKEN_LENGTH,
  detect(text) {
    const out: Finding[] = [];
    const seen = new Set<number>();
    const near = (at: number): boolean => TWILIO.test(text.slice(Math.max(0, at - CONTEXT), at + CONTEXT));
    const report = (end: number, confidence: number): void => {
      const start = end - TOKEN_LENGTH;
      if (seen.has(start) || !plausibleHex(text.slice(start, end)) || !near(start)) return;
      seen.add(start);
      out.push(secretFinding("twilio_auth_token", start, end, confidence));
    };
    eachMatch(NAMED, text, (m) => report(m.index + m[0].length, 0.85));
    eachMatch(AFTER_SID, text, (m) => report(m.index + m[0].length, 0.8));
    return out.sort((a, b) => a.start - b.start);
  },
};
