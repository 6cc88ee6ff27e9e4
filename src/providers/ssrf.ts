// SSRF guard for upstream URLs: https to public hosts only, unless the operator trusts the host explicitly.

export type UrlVerdict = { ok: true; url: URL } | { ok: false; reason: string };

/** Parses RINGFENCE_TRUSTED_HOSTS ("127.0.0.1,localhost,[::1]") into a set of lower-cased hostnames. */
export function parseTrustedHosts(value: string | undefined): ReadonlySet<string> {
  return new Set(
    (value ?? "")
      .split(",")
      .map((h) => h.trim().toLowerCase())
      .filter(Boolean),
  );
}

function isPrivateIPv4(host: string): boolean {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (!m) return false;
  const [a, b] = [Number(m[1]), Number(m[2])];
  return (
    a === 0 ||
    a === 10 ||
    a === 127 ||
    (a === 100 && b >= 64 && b <= 127) ||
    (a === 169 && b === 254) ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 198 && (b === 18 || b === 19)) ||
    a >= 224
  );
}

function isPrivateIPv6(host: string): boolean {
  if (!host.startsWith("[")) return false;
  const h = host.slice(1, -1).toLowerCase();
  return (
    h === "::" ||
    h === "::1" ||
    h.startsWith("fc") ||
    h.startsWith("fd") ||
    h.startsWith("fe80") ||
    h.startsWith("::ffff:") ||
    h.startsWith("64:ff9b")
  );
}

function isInternalName(host: string): boolean {
  return (
    host === "localhost" ||
    host.endsWith(".localhost") ||
    host.endsWith(".local") ||
    host.endsWith(".internal") ||
    !host.includes(".") // single-label names resolve on private DNS
  );
}

export function checkUpstreamUrl(raw: string, trusted: ReadonlySet<string>): UrlVerdict {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: "not a valid URL" };
  }
  if (url.username || url.password) return { ok: false, reason: "credentials in the URL are not allowed" };
  const host = url.hostname.toLowerCase();
  if (trusted.has(host)) {
    return url.protocol === "https:" || url.protocol === "http:"
      ? { ok: true, url }
      : { ok: false, reason: "scheme must be http(s)" };
  }
  if (url.protocol !== "https:") return { ok: false, reason: "https is required for untrusted hosts" };
  if (isPrivateIPv4(host) || isPrivateIPv6(host) || isInternalName(host)) {
    return { ok: false, reason: "private, loopback and internal hosts need RINGFENCE_TRUSTED_HOSTS" };
  }
  return { ok: true, url };
}
