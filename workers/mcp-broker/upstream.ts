// Calls an upstream MCP server: its URL SSRF-checked, ringfence's credentials for it added, the client's never passed on.
import { importSealKey, unseal } from "../../src/crypto/seal";
import { RingfenceError } from "../../src/errors";
import type { McpServer } from "../../src/registry/config";
import { allowedUrl, upstreamTimeoutMs } from "../shared/outbound";

/**
 * Client headers never forwarded: the client's own credentials and cookies, hop-by-hop and proxy headers, ringfence's
 * own. Everything else goes through, so protocol headers of any revision (Mcp-Session-Id, MCP-Protocol-Version,
 * Last-Event-ID, Mcp-Method, Mcp-Name, custom Mcp-Param headers) reach the server unchanged.
 */
const CLIENT_ONLY = new Set([
  "authorization",
  "x-api-key",
  "cookie",
  "host",
  "origin",
  "referer",
  "content-length",
  "connection",
  "keep-alive",
  "transfer-encoding",
  "upgrade",
  "te",
  "trailer",
  "proxy-authorization",
  "accept-encoding",
  "forwarded",
]);
const isClientOnly = (name: string): boolean =>
  CLIENT_ONLY.has(name) || name.startsWith("x-ringfence-") || name.startsWith("cf-") || name.startsWith("x-forwarded-");

/** Upstream response headers not passed back: cookies (of another site), framing the runtime redoes, upstream auth challenges. */
const UPSTREAM_ONLY = new Set([
  "set-cookie",
  "content-length",
  "content-encoding",
  "transfer-encoding",
  "connection",
  "www-authenticate",
]);

export function clientHeadersForUpstream(client: Headers): Headers {
  const out = new Headers();
  for (const [name, value] of client) if (!isClientOnly(name)) out.set(name, value);
  return out;
}

export function upstreamHeadersForClient(upstream: Headers, requestId: string): Headers {
  const out = new Headers();
  for (const [name, value] of upstream) if (!UPSTREAM_ONLY.has(name)) out.set(name, value);
  out.set("x-request-id", requestId);
  return out;
}

const decrypted = new Map<string, Promise<Record<string, string>>>();

/** The server's sealed headers in clear, once per isolate and registration. */
export function serverCredentials(env: Env, org: string, server: McpServer): Promise<Record<string, string>> {
  const entries = Object.entries(server.headers);
  if (entries.length === 0) return Promise.resolve({});
  const key = `${org}\n${server.name}\n${JSON.stringify(server.headers)}`;
  let p = decrypted.get(key);
  if (!p) {
    p = importSealKey(env.RINGFENCE_ENCRYPTION_KEY).then(async (k) =>
      Object.fromEntries(
        await Promise.all(entries.map(async ([h, sealed]) => [h, await unseal(k, sealed, sealContext(org, server.name, h))])),
      ),
    );
    if (decrypted.size > 1000) decrypted.clear();
    decrypted.set(key, p);
    p.catch(() => decrypted.delete(key));
  }
  return p;
}

export const sealContext = (org: string, server: string, header: string): string =>
  `${org}/mcp/${server}/${header.toLowerCase()}`;

/** One HTTP exchange with the server; network faults and time-outs become upstream failures. */
export async function callServer(
  env: Env,
  org: string,
  server: McpServer,
  init: { method: string; headers: Headers; body?: string; signal?: AbortSignal },
): Promise<Response> {
  const url = allowedUrl(env, server.url);
  for (const [h, v] of Object.entries(await serverCredentials(env, org, server))) init.headers.set(h, v);
  const timeoutMs = upstreamTimeoutMs(env);
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = init.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
  let res: Response;
  try {
    res = await fetch(url.href, {
      method: init.method,
      headers: init.headers,
      ...(init.body !== undefined ? { body: init.body } : {}),
      signal,
      redirect: "manual",
    });
  } catch (err) {
    if (timeout.aborted) throw new RingfenceError({ kind: "upstream_timeout", afterMs: timeoutMs });
    throw new RingfenceError({
      kind: "upstream_unreachable",
      message: `MCP server '${server.name}': ${err instanceof Error ? err.message : String(err)}`,
    });
  }
  // The server refusing ringfence's credentials is the operator's configuration problem, not the client's.
  if (res.status === 401 || res.status === 403) {
    await res.body?.cancel();
    throw new RingfenceError({
      kind: "upstream_error",
      status: 502,
      message: `MCP server '${server.name}' refused ringfence's credentials (HTTP ${res.status})`,
    });
  }
  if (res.status >= 300 && res.status < 400) {
    await res.body?.cancel();
    throw new RingfenceError({
      kind: "upstream_error",
      status: 502,
      message: `MCP server '${server.name}' answered with a redirect`,
    });
  }
  return res;
}
