// exfil.suspicious_host: URLs and hostnames of request catchers, chat webhooks, paste / file-drop sites and tunnels.
//
// Decisions (tested in test/unit/detect-exfil.test.ts):
// - Request catchers (webhook.site, interact.sh, oast.*, Burp Collaborator, pipedream ...) exist to receive data:
//   0.85 in a URL, 0.7 named bare. Chat webhooks (Discord /api/webhooks, Telegram bot API, Slack/Zapier hooks): 0.8 /
//   0.6 — they are also secrets, which the secret detectors report with their own kind.
// - Paste and file-drop sites (pastebin, transfer.sh, file.io ...) and tunnels (ngrok, trycloudflare ...) have
//   everyday uses (reading a paste, a dev's own tunnel): 0.55 / 0.5 in a URL, below 0.5 bare. An upload just before
//   ("curl -T", "--data", "upload to", "send to") or data in the URL raises any of them to at least 0.85.
// - Documentation samples (a path of XXXX, zeros, <placeholders>, "your_...") are 0.3 at most: they reach nobody.
// - The span is the whole URL when the host is part of one, else the hostname (with its path, if written).
import type { Detector, Finding } from "../../types";
import { classifyHost, HOST_KEYWORDS, HOST_PATTERN, type HostClass } from "./hosts";
import { dataScore } from "./url";

const IN_URL: Readonly<Record<HostClass, number>> = { catcher: 0.85, webhook: 0.8, paste: 0.55, tunnel: 0.5 };
const BARE: Readonly<Record<HostClass, number>> = { catcher: 0.7, webhook: 0.6, paste: 0.4, tunnel: 0.35 };
const UPLOAD_BEFORE =
  /(?:\b(?:curl|wget|Invoke-WebRequest|Invoke-RestMethod|iwr|irm|nc|ncat|netcat|fetch|axios|requests\.(?:post|put)|https?\.(?:post|put|request)|send|sends|sending|forward|upload|uploads|uploading|post|posts|posting|exfiltrat\w*|transmit|leak|beacon)\b|--upload-file|--data(?:-binary|-raw)?\b|\s-[dFT]\s)[^\n]{0,100}$/i;
const MAX_URL = 2048;
const PLACEHOLDER_PATH = /X{6,}|x{8,}|0{8,}|\byour[_-]|<[^>]{1,40}>|\{[^}]{1,40}\}|example|placeholder|replace[_-]?me|\.\.\./i;

const isUrlChar = (c: number): boolean =>
  c > 32 &&
  c !== 34 &&
  c !== 39 &&
  c !== 60 &&
  c !== 62 &&
  c !== 96 &&
  c !== 40 &&
  c !== 41 &&
  c !== 91 &&
  c !== 93 &&
  c !== 123 &&
  c !== 125 &&
  c < 0x7f;
const escapeRegex = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
/** The prefilter stems, found fast; every listed host contains one. */
const STEM = new RegExp(HOST_KEYWORDS.map(escapeRegex).join("|"), "gi");
/** Characters of a host or a path before a stem ("discord.com/api/webhooks"). */
const isTokenChar = (c: number): boolean =>
  (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 45 || c === 46 || c === 47;
const isTrailingPunctuation = (c: number): boolean => c === 46 || c === 44 || c === 59 || c === 58 || c === 33 || c === 63;

export const suspiciousHost: Detector = {
  id: "suspicious_host",
  category: "exfil",
  keywords: HOST_KEYWORDS,
  maxLength: MAX_URL,
  detect(text) {
    const out: Finding[] = [];
    let floor = 0;
    STEM.lastIndex = 0;
    // The full host pattern is costly over a whole text: it runs only on the token around each stem.
    for (let stem = STEM.exec(text); stem !== null; stem = STEM.exec(text)) {
      if (stem.index < floor) continue;
      let from = stem.index;
      while (from > floor && stem.index - from < 300 && isTokenChar(text.charCodeAt(from - 1))) from--;
      HOST_PATTERN.lastIndex = 0;
      const m = HOST_PATTERN.exec(text.slice(from, Math.min(text.length, stem.index + 200)));
      if (!m) continue;
      m.index += from;
      const hostStart = m.index;
      let start = hostStart;
      // Part of a URL: "scheme://" (and userinfo) just before the host.
      let scheme = false;
      const lookback = text.slice(Math.max(0, hostStart - 300), hostStart);
      const s = /(?:[a-z][a-z0-9+.-]{0,15}:)?\/\/(?:[^\s/@]{0,256}@)?$/i.exec(lookback);
      if (s) {
        scheme = true;
        start = hostStart - s[0].length;
      }
      let end = hostStart + m[0].length;
      while (end < text.length && end - start < MAX_URL && isUrlChar(text.charCodeAt(end))) end++;
      while (end > hostStart + m[0].length && isTrailingPunctuation(text.charCodeAt(end - 1))) end--;
      floor = end;
      STEM.lastIndex = Math.max(STEM.lastIndex, end);

      const slash = m[0].indexOf("/");
      const cls = classifyHost(slash === -1 ? m[0] : m[0].slice(0, slash), slash === -1 ? "" : m[0].slice(slash));
      if (!cls) continue;
      const url = text.slice(start, end);
      let confidence = scheme ? IN_URL[cls] : BARE[cls];
      const carries = scheme && dataScore(url, true) >= 0.5;
      if (carries || UPLOAD_BEFORE.test(text.slice(Math.max(0, start - 120), start))) confidence = Math.max(confidence, 0.85);
      // Documentation samples ("hooks.slack.com/services/T00000000/B00000000/XXXXXXXX") reach nobody.
      if (PLACEHOLDER_PATH.test(text.slice(hostStart + m[0].length, end))) confidence = Math.min(confidence, 0.3);
      out.push({ kind: "exfil.suspicious_host", category: "exfil", start, end, confidence });
    }
    return out;
  },
};
