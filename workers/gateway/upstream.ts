// Calls the upstream provider with the org's key (never the client's token), under a time-out, mapping faults to Failures.
import { RingfenceError } from "../../src/errors";
import { type EchoApi, echoResponse } from "../../src/providers/echo";
import type { Route } from "../../src/providers/types";
import { field } from "../../src/providers/usage";
import { allowedUrl, upstreamTimeoutMs } from "../shared/outbound";

/** Client headers worth passing on, by provider format. Everything else (auth above all) stays here. */
const ANTHROPIC_PASS = ["anthropic-version", "anthropic-beta"];

export function streamIdleTimeoutMs(env: Env): number {
  const n = Number(env.RINGFENCE_STREAM_IDLE_TIMEOUT_MS);
  return Number.isFinite(n) && n > 0 ? n : 60_000;
}

function upstreamHeaders(route: Route, key: string | undefined, client: Headers): Headers {
  const h = new Headers({ "content-type": "application/json", accept: "application/json, text/event-stream" });
  if (route.format === "anthropic") {
    for (const name of ANTHROPIC_PASS) {
      const v = client.get(name);
      if (v) h.set(name, v);
    }
    if (!h.has("anthropic-version")) h.set("anthropic-version", "2023-06-01");
  }
  if (route.apiKeyHeader) {
    if (key) h.set(route.apiKeyHeader, key);
  } else if (route.format === "anthropic") {
    if (key) h.set("x-api-key", key);
  } else if (key) {
    h.set("authorization", `Bearer ${key}`);
  }
  for (const [k, v] of Object.entries(route.headers)) h.set(k, v);
  return h;
}

export interface UpstreamCall {
  env: Env;
  route: Route;
  api: EchoApi;
  path: string;
  body: Record<string, unknown>;
  key: string | undefined;
  clientHeaders: Headers;
  clientSignal: AbortSignal;
}

/** Resolves to the upstream's response once its headers arrive; a non-2xx becomes an `upstream_error`. */
export async function callUpstream(call: UpstreamCall): Promise<Response> {
  const { env, route } = call;
  if (route.format === "echo") return echoResponse(call.api, call.body);
  const target = `${route.baseUrl}${call.path}`;
  // Checked at request time too: trusted hosts may have changed since the URL was registered.
  const url = allowedUrl(env, target, route.baseUrl);
  const timeoutMs = upstreamTimeoutMs(env);
  // The time-out covers the wait for response headers only; inside a stream the relay's idle time-out takes over.
  const abort = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    abort.abort();
  }, timeoutMs);
  let res: Response;
  try {
    res = await fetch(url.href, {
      method: "POST",
      headers: upstreamHeaders(route, call.key, call.clientHeaders),
      body: JSON.stringify(call.body),
      signal: AbortSignal.any([abort.signal, call.clientSignal]),
      redirect: "manual",
    });
  } catch (err) {
    if (timedOut) throw new RingfenceError({ kind: "upstream_timeout", afterMs: timeoutMs });
    throw new RingfenceError({ kind: "upstream_unreachable", message: err instanceof Error ? err.message : String(err) });
  } finally {
    clearTimeout(timer);
  }
  if (res.ok) return res;
  throw new RingfenceError(await upstreamFailure(res, route));
}

async function upstreamFailure(res: Response, route: Route) {
  const text = await res.text().catch(() => "");
  let message = text.slice(0, 500) || res.statusText || "no body";
  let upstreamType: string | undefined;
  try {
    const json: unknown = JSON.parse(text);
    const err = field(json, "error");
    const m = field(err, "message");
    if (typeof m === "string") message = m.slice(0, 500);
    const t = field(err, "type");
    if (typeof t === "string") upstreamType = t;
  } catch {
    // not JSON: keep the text
  }
  // The provider rejecting the org's key is our configuration problem, not the client's credentials.
  if (res.status === 401 || res.status === 403) {
    return {
      kind: "upstream_error" as const,
      status: 502,
      message: `provider '${route.provider}' rejected the org's credentials: ${message}`,
    };
  }
  if (res.status >= 300 && res.status < 400) {
    return { kind: "upstream_error" as const, status: 502, message: `provider '${route.provider}' answered with a redirect` };
  }
  const status = res.status >= 500 && res.status !== 529 ? 502 : res.status;
  const retryAfter = Number(res.headers.get("retry-after"));
  return {
    kind: "upstream_error" as const,
    status,
    message,
    upstreamType,
    ...(Number.isFinite(retryAfter) && retryAfter >= 0 ? { retryAfterSeconds: Math.ceil(retryAfter) } : {}),
  };
}
