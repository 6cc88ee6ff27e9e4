// The governed outbound of a code-mode isolate, when the policy grants egress: every fetch() and connect() the program
// makes lands here; only allow-listed hosts are reached, and what leaves is scanned like tool-call arguments.
import { WorkerEntrypoint } from "cloudflare:workers";
import { hostAllowed } from "../../src/codemode/egress-hosts";
import { guardData } from "../../src/detect/guard-json";
import { describe, toFailure } from "../../src/errors";
import type { Rules } from "../../src/policy/schema";
import { readBytesCapped } from "../shared/body";
import { allowedUrl, upstreamTimeoutMs } from "../shared/outbound";

export interface EgressProps {
  requestId: string;
  /** Host patterns: "api.example.com" (any port of it unless one is given) or "*.example.com". */
  allow: string[];
  /** The policy's rules for what leaves toward tools (mcp.arguments), and how it applies them. */
  rules: Rules;
  minConfidence: number;
  enforce: boolean;
  /** Epoch ms past which nothing leaves. */
  deadline: number;
  /** The execution, and how many requests it may make (counted here as well as by the platform's subrequest limit). */
  execution: string;
  maxRequests: number;
}

/** Requests made per execution in this isolate; an entry goes a minute after its execution's deadline. */
const made = new Map<string, { count: number; until: number }>();

function countRequest(props: EgressProps): boolean {
  const now = Date.now();
  for (const [key, e] of made) if (e.until + 60_000 < now) made.delete(key);
  const entry = made.get(props.execution) ?? { count: 0, until: props.deadline };
  made.set(props.execution, entry);
  return ++entry.count <= props.maxRequests;
}

/** Request bodies larger than this are refused rather than sent unscanned. */
const MAX_BODY_BYTES = 1 << 20;

export class CodemodeEgress extends WorkerEntrypoint<Env, EgressProps> {
  override async fetch(request: Request): Promise<Response> {
    return governedFetch(this.env, this.ctx.props, request);
  }
}

const refusal = (props: EgressProps, status: number, message: string): Response =>
  new Response(
    JSON.stringify({ error: { type: "egress_refused", message: `ringfence: ${message}`, request_id: props.requestId } }),
    {
      status,
      headers: { "content-type": "application/json", "x-ringfence-egress": "refused" },
    },
  );

export async function governedFetch(env: Env, props: EgressProps, request: Request): Promise<Response> {
  const remaining = props.deadline - Date.now();
  if (remaining <= 0) return refusal(props, 403, "the execution's time is up");
  let url: URL;
  try {
    url = allowedUrl(env, request.url);
  } catch (err) {
    return refusal(props, 403, describe(toFailure(err, "egress")));
  }
  if (!hostAllowed(props.allow, url)) return refusal(props, 403, `${url.host} is not on the code-mode egress allow-list`);
  if (!countRequest(props)) return refusal(props, 429, `the program made more than ${props.maxRequests} requests`);
  const body = request.body ? await readCapped(request) : "";
  if (body === TOO_LARGE) return refusal(props, 413, `request bodies over ${MAX_BODY_BYTES} bytes are not sent`);
  if (body === BINARY) return refusal(props, 415, "only text request bodies are sent (they are scanned)");
  // Header values leave too: a secret in \`x-anything:\` is as gone as one in the body.
  const headerValues = [...request.headers].map(([name, value]) => `${name}: ${value}`);
  const guarded = guardData([url.href, body, ...headerValues], props.rules, props);
  if (guarded.blocked && props.enforce) {
    const where = guarded.blocked.path === "[0]" ? "URL" : guarded.blocked.path === "[1]" ? "body" : "headers";
    return refusal(props, 403, `the request's ${where} carries ${guarded.blocked.kind}, which may not leave`);
  }
  const [href, sent, ...headerLines] = guarded.value as string[];
  // Redacted header values go as redacted; names are the program's own.
  const headers = new Headers();
  for (const line of headerLines) {
    const colon = line.indexOf(": ");
    if (colon > 0) headers.append(line.slice(0, colon), line.slice(colon + 2));
  }
  try {
    return await fetch(href as string, {
      method: request.method,
      headers,
      ...(request.body && request.method !== "GET" && request.method !== "HEAD" ? { body: sent } : {}),
      // A redirect to a host off the list must not be followed behind the list's back: the program sees it.
      redirect: "manual",
      signal: AbortSignal.timeout(Math.min(remaining, upstreamTimeoutMs(env))),
    });
  } catch (err) {
    return refusal(props, 502, `${url.host} could not be reached (${err instanceof Error ? err.message : String(err)})`);
  }
}

const TOO_LARGE = Symbol("too large");
const BINARY = Symbol("binary");

/** The body as text; bodies past the cap or not UTF-8 cannot be scanned, so they are not sent. */
async function readCapped(request: Request): Promise<string | typeof TOO_LARGE | typeof BINARY> {
  const bytes = await readBytesCapped(request, MAX_BODY_BYTES);
  if (bytes === null) return TOO_LARGE;
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return BINARY;
  }
}
