// How much data a URL carries: the signals that make an image or link an exfiltration channel, combined into one score.
//
// Decisions (tested in test/unit/detect-exfil.test.ts):
// - Signals: a catcher/paste/tunnel host; a DNS-tunnel-shaped host; an IP-literal host; a template placeholder in a
//   value ("?q={conversation}", "[DATA]", "$SECRET"); base64-looking values (24+ chars), long hex (48+), natural-language
//   sentences or e-mail addresses in values or path segments; a nested URL (open redirects); very long query strings;
//   many parameters. They combine as a noisy-or.
// - Ordinary URLs score 0: short tracking or cache-busting params (?v=3, ?w=600, utm_*), signed-URL parameters
//   (X-Amz-*, Azure SAS, CloudFront Signature/Policy), 32-char content hashes, document ids in paths.
// - Path-embedded payloads only count off well-known media hosts (googleusercontent.com profile images carry long
//   base64 ids; nobody but Google can read those requests).
import { charClassCount, shannonEntropy } from "../../entropy";
import { tunnelScore } from "./dns-tunnel";
import { classifyHost, type HostClass } from "./hosts";

export interface UrlParts {
  host: string;
  path: string;
  query: string;
}

/** Splits "scheme://user@host:port/path?query#fragment" (scheme optional: "//host/..."). Undefined if no host. */
export function parseUrl(url: string): UrlParts | undefined {
  const m =
    /^(?:[a-z][a-z0-9+.-]{0,15}:)?\/\/(?:[^/?#@\s]{0,256}@)?(\[[0-9a-f:.]{2,60}\]|[^/?#:\s]{1,253})(?::\d{1,5})?([^?#]*)(?:\?([^#]*))?/i.exec(
      url,
    );
  if (!m) return undefined;
  return { host: m[1] ?? "", path: m[2] ?? "", query: m[3] ?? "" };
}

const HOST_SIGNAL: Readonly<Record<HostClass, number>> = { catcher: 0.9, webhook: 0.85, paste: 0.7, tunnel: 0.7 };

/** Parameters that sign or track a URL: long and random by design, never the payload. */
const IGNORED_PARAM =
  /^(?:x-amz-[a-z-]+|x-goog-[a-z-]+|signature|sig|key-pair-id|policy|expires|se|sp|sv|sr|st|spr|srt|ss|sip|skoid|sktid|skt|ske|sks|skv|utm_[a-z]+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|_ga|_gl|ref|ref_src)$/i;
const MEDIA_HOSTS = [
  "googleusercontent.com",
  "ggpht.com",
  "githubusercontent.com",
  "github.com",
  "gstatic.com",
  "ytimg.com",
  "twimg.com",
  "fbcdn.net",
  "cdninstagram.com",
  "wikimedia.org",
  "imgur.com",
  "gravatar.com",
  "cloudinary.com",
  "imgix.net",
  "unsplash.com",
  "shields.io",
  "notion.so",
  "slack-edge.com",
  "discordapp.net",
];
const PLACEHOLDER =
  /^(?:\{\{?\s*[A-Za-z_][\w .-]{0,40}\}\}?|\[[A-Za-z_][\w .-]{0,40}\]|<[A-Za-z_][\w .-]{0,40}>|\$\{?[A-Za-z_]\w{0,40}\}?|%s|INSERT[\w-]{0,30}|[A-Z_]{0,20}(?:DATA|SECRET|SUMMARY|CONVERSATION|HISTORY|INFO|CONTENT|MESSAGE|PASSWORD|KEY|TOKEN|EMAIL|INPUT|CONTEXT|PROMPT|RESPONSE|ANSWER|CHAT|MEMORY|DETAILS)[A-Z_]{0,20})$/;
const BASE64ISH = /^[A-Za-z0-9+/_-]+={0,2}$/;
const HEX = /^[0-9a-f]+$/i;
const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;
const EMAIL = /[\w.+-]{1,64}@[\w-]{1,63}\.[\w.-]{2,}/;
const NESTED_URL = /^(?:https?:)?\/\//i;

/** Percent-decodes byte by byte (no UTF-8 validation, never throws) and reads "+" as a space. */
function decode(s: string): string {
  if (s.indexOf("%") === -1 && s.indexOf("+") === -1) return s;
  return s.replace(/\+/g, " ").replace(/%([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16)));
}

/**
 * True when a value can carry no signal, decided without decoding: shorter than any length-based signal needs, nothing
 * percent-encoded, no "@", and a first character that no placeholder ({ [ < $ % _ or upper case) or URL (h, /) starts
 * with. Nearly every path segment and query value of an ordinary URL stops here.
 */
function plainShort(raw: string, inPath: boolean): boolean {
  if (raw.length >= (inPath ? 30 : 24) || raw.indexOf("%") !== -1 || raw.indexOf("@") !== -1) return false;
  const c = raw.charCodeAt(0);
  return !(c === 123 || c === 91 || c === 60 || c === 36 || c === 95 || (c >= 65 && c <= 90) || c === 104 || c === 47);
}

function words(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) === 32) n++;
  return n;
}

/**
 * The signal of one value, 0 if it looks ordinary. Path segments need more to count: file names have spaces and
 * content-addressed assets have long ids.
 */
function valueSignal(raw: string, inPath: boolean): number {
  if (plainShort(raw, inPath)) return 0;
  const v = decode(raw);
  if (v.length === 0) return 0;
  if (PLACEHOLDER.test(v)) return 0.75;
  if (NESTED_URL.test(v)) return 0.5;
  if (EMAIL.test(v)) return inPath ? 0.35 : 0.5;
  if (words(v) >= (inPath ? 6 : 3) && v.length >= 30) return 0.4;
  if (HEX.test(v)) return v.length >= (inPath ? 96 : 48) ? 0.5 : v.length >= 32 && !inPath ? 0.3 : 0;
  if (v.length >= (inPath ? 64 : 24) && BASE64ISH.test(v) && charClassCount(v.replace(/[+/_=-]/g, "")) >= 2) {
    if (shannonEntropy(v) < 3.8) return 0;
    if (inPath) return v.length >= 128 ? 0.65 : 0.5;
    return v.length >= 64 ? 0.75 : 0.6;
  }
  return 0;
}

function isMediaHost(host: string): boolean {
  const h = host.toLowerCase();
  return MEDIA_HOSTS.some((s) => h === s || h.endsWith(`.${s}`));
}

/** Noisy-or of the data signals of a URL, in [0, 1). `payloadOnly` leaves out what the host alone says. */
export function dataScore(url: string, payloadOnly = false): number {
  const parts = parseUrl(url);
  if (!parts) return 0;
  const signals: number[] = [];
  if (!payloadOnly) {
    const cls = classifyHost(parts.host, parts.path);
    if (cls) signals.push(HOST_SIGNAL[cls]);
    const tunnel = tunnelScore(parts.host);
    if (tunnel > 0) signals.push(tunnel);
    if (IPV4.test(parts.host) || parts.host.startsWith("[")) signals.push(0.4);
  }
  if (url.length >= 2000) signals.push(0.5);

  if (parts.query) {
    let kept = 0;
    let keptLength = 0;
    for (const pair of parts.query.split(/[&;]/)) {
      if (!pair) continue;
      const eq = pair.indexOf("=");
      const name = eq === -1 ? "" : decode(pair.slice(0, eq));
      if (IGNORED_PARAM.test(name)) continue;
      kept++;
      keptLength += pair.length;
      const s = valueSignal(eq === -1 ? pair : pair.slice(eq + 1), false);
      if (s > 0) signals.push(s);
    }
    if (keptLength >= 1000) signals.push(0.7);
    else if (keptLength >= 300) signals.push(0.5);
    if (kept >= 8) signals.push(0.3);
  }

  if (parts.path.length > 1 && !isMediaHost(parts.host)) {
    for (const segment of parts.path.split("/")) {
      if (segment.length < 4 || plainShort(segment, true)) continue;
      // A file extension is not part of a payload segment ("<payload>.png").
      const s = valueSignal(segment.replace(/\.[A-Za-z0-9]{1,5}$/, ""), true);
      if (s > 0) signals.push(s);
    }
  }
  let miss = 1;
  for (const s of signals) miss *= 1 - s;
  return 1 - miss;
}
