// exfil.dns_tunnel: hostnames whose subdomain labels carry encoded data (hex/base32 chunks), the shape of DNS exfiltration.
//
// Decisions (tested in test/unit/detect-exfil.test.ts):
// - A data label is 16+ characters of one case of [a-z0-9] with a digit and a letter and high entropy (2.8 bits/char
//   for hex, 3.3 under 24 characters, 3.5 above); the registered domain (last two labels, three for co.uk-style)
//   never counts.
// - One data label of 32+ characters, or two data labels, is 0.75-0.85; a single shorter one is 0.5. A lookup
//   command just before (nslookup, dig, ping, curl ...) adds 0.1.
// - Cloud and CDN hosts that mint random labels themselves (Lambda URLs, R2, CloudFront, IPFS gateways, Vercel ...)
//   are not tunnels: their owners, not an attacker, see the DNS queries. Neither are file names ("<hash>.min.js"),
//   path segments, or Tor onion addresses.
// - Found by walking back from each "." followed by a label character (no regex over the whole text), so the cost is
//   a few steps per such dot.
import { shannonEntropy } from "../../entropy";
import type { Detector, Finding } from "../../types";

const MAX_HOST = 253;
const MIN_DATA_LABEL = 16;

const INFRA_SUFFIXES = [
  "amazonaws.com",
  "on.aws",
  "r2.dev",
  "r2.cloudflarestorage.com",
  "cloudfront.net",
  "azurewebsites.net",
  "windows.net",
  "azureedge.net",
  "azurefd.net",
  "trafficmanager.net",
  "googleusercontent.com",
  "appspot.com",
  "run.app",
  "cloudfunctions.net",
  "web.app",
  "firebaseapp.com",
  "firebaseio.com",
  "vercel.app",
  "netlify.app",
  "herokuapp.com",
  "workers.dev",
  "pages.dev",
  "github.io",
  "githubusercontent.com",
  "fastly.net",
  "akamaized.net",
  "akamaihd.net",
  "edgekey.net",
  "supabase.co",
  "dweb.link",
  "w3s.link",
  "nftstorage.link",
  "ipfs.io",
  "cf-ipfs.com",
  "onion",
];

const FILE_EXTENSIONS = new Set(
  (
    "js mjs cjs ts tsx jsx css scss map json png jpg jpeg gif svg webp avif ico bmp woff woff2 ttf otf eot txt md html htm " +
    "xml yml yaml toml lock log csv pdf zip gz tgz tar bin exe dll so wasm py rb go rs java kt swift php sh bat ps1 mp3 mp4 webm"
  ).split(" "),
);

const LOOKUP_BEFORE = /\b(?:nslookup|dig|host|ping|curl|wget|Resolve-DnsName|dnscat2?|iodine|getent)\b[^\n]{0,40}$/i;

const isLabelChar = (c: number): boolean => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 45;
const isHostChar = (c: number): boolean => isLabelChar(c) || c === 46;

/** True for a label that looks like encoded data rather than a name. */
function isDataLabel(label: string): boolean {
  if (label.length < MIN_DATA_LABEL || label.startsWith("xn--")) return false;
  const lower = /^[a-z0-9]+$/.test(label);
  const upper = /^[A-Z0-9]+$/.test(label);
  if (!(lower || upper) || !/[0-9]/.test(label) || !/[a-z]/i.test(label)) return false;
  // Hex of text is skewed toward a few digits (about 3.1 bits/char), so hex labels get a lower bar.
  if (/^[0-9a-f]+$/i.test(label)) return shannonEntropy(label) >= 2.8;
  return shannonEntropy(label) >= (label.length < 24 ? 3.3 : 3.5);
}

/** How tunnel-like a hostname is, in [0, 1): 0 for ordinary names. */
export function tunnelScore(host: string): number {
  // Most hosts have no label long enough to carry data: decided in one pass, before any allocation.
  let longest = 0;
  for (let i = 0, run = 0; i < host.length; i++) {
    run = host.charCodeAt(i) === 46 ? 0 : run + 1;
    if (run > longest) longest = run;
  }
  if (longest < MIN_DATA_LABEL) return 0;
  const labels = host.toLowerCase().split(".");
  if (labels.length < 3 || host.length > MAX_HOST) return 0;
  const tld = labels[labels.length - 1]!;
  if (!/^[a-z]{2,24}$/.test(tld) || FILE_EXTENSIONS.has(tld)) return 0;
  const lower = host.toLowerCase();
  for (const s of INFRA_SUFFIXES) if (lower === s || lower.endsWith(`.${s}`)) return 0;
  // Registered domain: two labels, three under a short second level (co.uk, com.au).
  const second = labels[labels.length - 2]!;
  const registered = second.length <= 3 && labels.length >= 4 ? 3 : 2;
  const data = host
    .split(".")
    .slice(0, -registered)
    .filter((l) => isDataLabel(l));
  if (data.length === 0) return 0;
  if (data.length >= 2) return 0.85;
  return data[0]!.length >= 32 ? 0.75 : 0.5;
}

export const dnsTunnel: Detector = {
  id: "dns_tunnel",
  category: "exfil",
  keywords: [],
  maxLength: MAX_HOST,
  detect(text) {
    const out: Finding[] = [];
    let floor = 0;
    // A dot needs MIN_DATA_LABEL label characters (no dot) before it: the MIN_DATA_LABEL dots after any dot fail.
    for (let dot = text.indexOf(".", MIN_DATA_LABEL); dot !== -1; dot = text.indexOf(".", dot + MIN_DATA_LABEL + 1)) {
      if (dot < floor) continue;
      // Cheap gates: a data label is followed by more labels (the registered domain), so a label character right after
      // this dot (a sentence's full stop fails here), and at least MIN_DATA_LABEL label characters right before it.
      if (!isLabelChar(text.charCodeAt(dot + 1))) continue;
      let k = dot;
      while (k > floor && dot - k < MIN_DATA_LABEL && isLabelChar(text.charCodeAt(k - 1))) k--;
      if (dot - k < MIN_DATA_LABEL) continue;
      let start = k;
      while (start > floor && dot - start < MAX_HOST && isHostChar(text.charCodeAt(start - 1))) start--;
      let end = dot + 1;
      while (end < text.length && end - start < MAX_HOST && isHostChar(text.charCodeAt(end))) end++;
      floor = end;
      while (end > start && (text.charCodeAt(end - 1) === 46 || text.charCodeAt(end - 1) === 45)) end--;
      while (start < end && (text.charCodeAt(start) === 46 || text.charCodeAt(start) === 45)) start++;
      const before = start > 0 ? text.charCodeAt(start - 1) : -1;
      // A path segment ("/assets/<hash>.min.js"), not a host ("//host" is fine).
      if (before === 47 && text.charCodeAt(start - 2) !== 47) continue;
      if (before === 95) continue; // glued to "_": part of an identifier
      let score = tunnelScore(text.slice(start, end));
      if (score === 0) continue;
      if (LOOKUP_BEFORE.test(text.slice(Math.max(0, start - 60), start))) score += 0.1;
      out.push({ kind: "exfil.dns_tunnel", category: "exfil", start, end, confidence: score });
    }
    return out;
  },
};
