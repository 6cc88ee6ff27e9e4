// What every call out of the Worker shares: the upstream time-out, and the SSRF verdict on a URL, memoized per isolate.
import { RingfenceError } from "../../src/errors";
import { checkUpstreamUrl, parseTrustedHosts } from "../../src/providers/ssrf";

export function upstreamTimeoutMs(env: Env): number {
  const n = Number(env.RINGFENCE_UPSTREAM_TIMEOUT_MS);
  return Number.isFinite(n) && n > 0 ? n : 120_000;
}

/** Verdicts per (trusted hosts, URL), per isolate: the same few upstream URLs are checked on every call. */
const verdicts = new Map<string, ReturnType<typeof checkUpstreamUrl>>();
const MAX_VERDICTS = 512;

/**
 * The URL if it may be called now — checked at call time too, since the trusted hosts may have changed since it was
 * registered — or `upstream_blocked`. `shown` is the URL named in the refusal (the registered base, not the path).
 */
export function allowedUrl(env: Env, target: string, shown = target): URL {
  const trusted = env.RINGFENCE_TRUSTED_HOSTS ?? "";
  const key = `${trusted}\n${target}`;
  let verdict = verdicts.get(key);
  if (!verdict) {
    verdict = checkUpstreamUrl(target, parseTrustedHosts(trusted));
    if (verdicts.size >= MAX_VERDICTS) verdicts.clear();
    verdicts.set(key, verdict);
  }
  if (!verdict.ok) throw new RingfenceError({ kind: "upstream_blocked", url: shown, reason: verdict.reason });
  return verdict.url;
}
