// Hosts that exist to receive data: request catchers, chat webhooks, paste and file-drop sites, tunnels.

export type HostClass = "catcher" | "webhook" | "paste" | "tunnel";

/** Host suffixes by class. A host matches its suffix exactly or as a subdomain. */
const SUFFIXES: Readonly<Record<HostClass, readonly string[]>> = {
  // Only ever used to capture requests (pentest and debugging collectors).
  catcher: [
    "webhook.site",
    "webhook.cool",
    "requestbin.com",
    "requestbin.net",
    "requestbin.io",
    "pipedream.net",
    "interact.sh",
    "oast.pro",
    "oast.live",
    "oast.site",
    "oast.online",
    "oast.fun",
    "oast.me",
    "burpcollaborator.net",
    "oastify.com",
    "canarytokens.com",
    "canarytokens.org",
    "requestcatcher.com",
    "requestrepo.com",
    "beeceptor.com",
    "hookbin.com",
    "postb.in",
    "ptsv2.com",
    "ptsv3.com",
    "dnslog.cn",
    "ceye.io",
    "pingb.in",
    "xss.ht",
    "bxss.me",
  ],
  webhook: ["hooks.slack.com", "hooks.zapier.com", "webhook.office.com"],
  paste: [
    "pastebin.com",
    "paste.ee",
    "hastebin.com",
    "ghostbin.co",
    "ghostbin.com",
    "ghostbin.site",
    "transfer.sh",
    "file.io",
    "0x0.st",
    "termbin.com",
    "ix.io",
    "sprunge.us",
    "dpaste.com",
    "dpaste.org",
    "rentry.co",
    "rentry.org",
    "privatebin.net",
    "controlc.com",
    "justpaste.it",
    "anonfiles.com",
    "gofile.io",
    "catbox.moe",
    "tmpfiles.org",
    "temp.sh",
    "bashupload.com",
    "paste.rs",
    "pastes.dev",
  ],
  tunnel: [
    "ngrok.io",
    "ngrok.app",
    "ngrok.dev",
    "ngrok-free.app",
    "ngrok-free.dev",
    "trycloudflare.com",
    "serveo.net",
    "serveousercontent.com",
    "localtunnel.me",
    "loca.lt",
    "localhost.run",
    "lhr.life",
    "pinggy.link",
    "bore.pub",
  ],
};

/** Webhooks that live under a path of a general-purpose host. */
const PATH_WEBHOOKS: readonly string[] = ["discord.com/api/webhooks", "discordapp.com/api/webhooks", "api.telegram.org/bot"];

const CLASS_OF = new Map<string, HostClass>();
for (const [cls, list] of Object.entries(SUFFIXES) as [HostClass, readonly string[]][])
  for (const s of list) CLASS_OF.set(s, cls);

/**
 * Lower-case stems for the keyword prefilter, fewer than the hosts (the prefilter's cost grows with its literals):
 * every listed host and webhook path contains one (checked in test/unit/detect-exfil.test.ts). Each stem carries the
 * dot or the word that follows it in the host ("webhook." rather than "webhook", "pastebin" rather than "paste"), so
 * prose and code about webhooks, hooks and copy-paste do not wake the detector.
 */
export const HOST_KEYWORDS: readonly string[] = [
  "webhook.",
  "/api/webhooks",
  "requestbin",
  "pipedream",
  "interact.sh",
  "oast.",
  "burpcollaborator",
  "oastify",
  "canarytokens",
  "requestcatcher",
  "requestrepo",
  "beeceptor",
  "hookbin",
  "postb.in",
  "ptsv",
  "dnslog",
  "ceye.io",
  "pingb.in",
  "xss.ht",
  "bxss.me",
  "hooks.slack",
  "hooks.zapier",
  "pastebin",
  "paste.",
  "pastes.",
  "hastebin",
  "ghostbin",
  "transfer.sh",
  "file.io",
  "0x0.st",
  "termbin",
  "ix.io",
  "sprunge",
  "rentry",
  "privatebin",
  "controlc",
  "anonfiles",
  "gofile",
  "catbox",
  "tmpfiles",
  "temp.sh",
  "bashupload",
  "ngrok",
  "trycloudflare",
  "serveo",
  "localtunnel",
  "loca.lt",
  "localhost.run",
  "lhr.life",
  "pinggy",
  "bore.pub",
  "api.telegram.org",
];

/** Every listed host suffix and webhook path (for the prefilter check). */
export const LISTED_HOSTS: readonly string[] = [...CLASS_OF.keys(), ...PATH_WEBHOOKS];

const escapeRegex = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

/** Every listed host (with any subdomains) as a standalone name, or a webhook path (which a token follows). */
export const HOST_PATTERN = new RegExp(
  `(?<![A-Za-z0-9.-])(?:[A-Za-z0-9-]{1,63}\\.){0,6}?(?:(?:${[...CLASS_OF.keys()]
    .sort((a, b) => b.length - a.length)
    .map(escapeRegex)
    .join("|")})(?![A-Za-z0-9-])|${PATH_WEBHOOKS.map(escapeRegex).join("|")})`,
  "gi",
);

/** Path webhooks split at their first "/": the host they live on and the path they start with. */
const PATH_WEBHOOK_PARTS = PATH_WEBHOOKS.map((w) => [w.slice(0, w.indexOf("/")), w.slice(w.indexOf("/"))] as const);
/** No listed suffix has more labels than this: only that many of a host's last labels need looking up. */
const MAX_SUFFIX_LABELS = Math.max(...[...CLASS_OF.keys()].map((s) => s.split(".").length));

const isHostOrSub = (h: string, suffix: string): boolean =>
  h.length === suffix.length ? h === suffix : h.endsWith(suffix) && h.charCodeAt(h.length - suffix.length - 1) === 46;

/** Hosts seen lately that are no listed host, nor one a path webhook lives on: most URLs point at a few such hosts. */
const ordinary = new Set<string>();

/** The class of a host, by exact or parent-domain match; `path` catches path-based webhooks. */
export function classifyHost(host: string, path = ""): HostClass | undefined {
  if (ordinary.has(host)) return undefined;
  const cls = lookup(host, path);
  if (cls === undefined && !PATH_WEBHOOK_PARTS.some(([wh]) => isHostOrSub(host.toLowerCase(), wh))) {
    if (ordinary.size >= 1024) ordinary.clear();
    ordinary.add(host);
  }
  return cls;
}

function lookup(host: string, path: string): HostClass | undefined {
  const h = host.toLowerCase();
  for (const [wh, wp] of PATH_WEBHOOK_PARTS)
    if (isHostOrSub(h, wh) && path.length >= wp.length && path.slice(0, wp.length).toLowerCase() === wp) return "webhook";
  // The last one to MAX_SUFFIX_LABELS labels; no listed suffix ends another, so the first hit is the only one.
  let at = h.length;
  for (let labels = 0; labels < MAX_SUFFIX_LABELS && at > 0; labels++) {
    const dot = h.lastIndexOf(".", at - 1);
    const cls = CLASS_OF.get(h.slice(dot + 1));
    if (cls) return cls;
    if (dot === -1) break;
    at = dot;
  }
  return undefined;
}
