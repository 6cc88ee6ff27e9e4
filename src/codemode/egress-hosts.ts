// The code-mode egress allow-list: which hosts a program's fetch() may reach when the policy grants any.

/** Whether `url`'s host (and port, when the pattern names one) is on the allow-list. */
export function hostAllowed(allow: readonly string[], url: URL): boolean {
  const host = url.hostname.toLowerCase();
  return allow.some((pattern) => {
    const [name = "", port] = pattern.split(":");
    if (port !== undefined && port !== (url.port || (url.protocol === "https:" ? "443" : "80"))) return false;
    return name.startsWith("*.") ? host.endsWith(name.slice(1)) && host.length > name.length - 1 : host === name;
  });
}
