// One tagged union for every denial and fault, mapped in one place to each API's wire shape.

export type LimitKind = "rpm" | "tpm" | "usd_per_day" | "usd_per_month" | "tokens_per_day";

export type Failure =
  | { kind: "invalid_json"; message: string }
  | { kind: "unsupported_media_type"; contentType: string }
  | { kind: "body_too_large"; limitBytes: number }
  | { kind: "invalid_request"; message: string; param?: string }
  | { kind: "unknown_model"; model: string; reason: string }
  | { kind: "model_not_allowed"; model: string }
  | { kind: "missing_token" }
  | { kind: "invalid_token"; reason: string }
  | { kind: "token_expired" }
  | { kind: "token_revoked" }
  | { kind: "forbidden"; reason: string }
  | { kind: "attenuation_refused"; reason: string }
  | {
      kind: "rate_limited";
      limit: LimitKind;
      scope: "org" | "token";
      retryAfterSeconds: number;
      headers: Record<string, string>;
    }
  | { kind: "upstream_error"; status: number; message: string; upstreamType?: string; retryAfterSeconds?: number }
  | { kind: "upstream_timeout"; afterMs: number }
  | { kind: "upstream_unreachable"; message: string }
  | { kind: "upstream_stream_broken"; message: string }
  | { kind: "upstream_blocked"; url: string; reason: string }
  | { kind: "policy_blocked"; detection: string; location: string; direction: "request" | "response" }
  | {
      kind: "tool_denied";
      server: string;
      tool: string;
      /**
       * Which check refused: the token's tool scope, the policy's ACL, rug-pull pinning, a poisoned definition, the
       * arguments against the pinned input schema, an argument constraint.
       */
      step: "token_scope" | "policy_acl" | "pinning" | "definition" | "schema" | "constraint" | "unknown_tool";
      reason: string;
    }
  | {
      kind: "tool_limited";
      server: string;
      tool: string;
      limit: "loop" | "session_calls" | "token_calls" | "tool_rate";
      retryAfterSeconds: number;
      message: string;
    }
  | { kind: "header_mismatch"; header: string; message: string }
  | { kind: "not_found"; what: string }
  | { kind: "method_not_allowed"; method: string }
  | { kind: "admin_unauthorized" }
  | { kind: "conflict"; message: string }
  | { kind: "unavailable"; step: string; message: string }
  | { kind: "internal"; step: string; message: string };

export class RingfenceError extends Error {
  readonly failure: Failure;
  constructor(failure: Failure) {
    super(describe(failure));
    this.name = "RingfenceError";
    this.failure = failure;
  }
}

export const fail = (failure: Failure): never => {
  throw new RingfenceError(failure);
};

const limitNames: Record<LimitKind, string> = {
  rpm: "requests per minute",
  tpm: "tokens per minute",
  usd_per_day: "USD per day",
  usd_per_month: "USD per month",
  tokens_per_day: "tokens per day",
};

/** The stable, client-facing message. Never echoes secrets or request content. */
export function describe(f: Failure): string {
  switch (f.kind) {
    case "invalid_json":
      return `Request body is not valid JSON: ${f.message}`;
    case "unsupported_media_type":
      return `Content-Type must be application/json (got ${f.contentType || "none"})`;
    case "body_too_large":
      return `Request body exceeds the limit of ${f.limitBytes} bytes`;
    case "invalid_request":
      return f.message;
    case "unknown_model":
      return `Unknown model '${f.model}': ${f.reason}`;
    case "model_not_allowed":
      return `This token may not use model '${f.model}'`;
    case "missing_token":
      return "Missing ringfence token: send 'Authorization: Bearer <token>' or 'x-api-key: <token>'";
    case "invalid_token":
      return `Invalid ringfence token: ${f.reason}`;
    case "token_expired":
      return "The ringfence token has expired";
    case "token_revoked":
      return "The ringfence token has been revoked";
    case "forbidden":
      return f.reason;
    case "attenuation_refused":
      return `Cannot mint a child token: ${f.reason}`;
    case "rate_limited":
      return `${f.scope === "org" ? "Organization" : "Token"} limit exceeded: ${limitNames[f.limit]} (${f.limit}); retry after ${f.retryAfterSeconds}s`;
    case "upstream_error":
      return `Upstream provider returned ${f.status}: ${f.message}`;
    case "upstream_timeout":
      return `Upstream provider did not answer within ${f.afterMs} ms`;
    case "upstream_unreachable":
      return `Upstream provider unreachable: ${f.message}`;
    case "upstream_stream_broken":
      return `Upstream stream failed: ${f.message}`;
    case "upstream_blocked":
      return `Upstream URL refused (${f.reason}): ${f.url}`;
    case "policy_blocked":
      return `Blocked by policy: ${f.detection} detected in the ${f.direction} at ${f.location}`;
    case "tool_denied":
      return `Tool call refused at step '${f.step}' for ${f.server}/${f.tool}: ${f.reason}`;
    case "tool_limited":
      return `Tool call refused by the ${f.limit} limit for ${f.server}/${f.tool}: ${f.message}; retry after ${f.retryAfterSeconds}s`;
    case "header_mismatch":
      return `Header ${f.header} does not match the message: ${f.message}`;
    case "not_found":
      return `Not found: ${f.what}`;
    case "method_not_allowed":
      return `Method ${f.method} not allowed`;
    case "admin_unauthorized":
      return "Admin API requires 'Authorization: Bearer <RINGFENCE_ADMIN_TOKEN>'";
    case "conflict":
      return f.message;
    case "unavailable":
      return `Service unavailable at step '${f.step}': ${f.message}`;
    case "internal":
      return `Internal error at step '${f.step}'`;
  }
}

export function httpStatus(f: Failure): number {
  switch (f.kind) {
    case "invalid_json":
    case "invalid_request":
    case "policy_blocked":
    case "header_mismatch":
      return 400;
    case "unknown_model":
      return 404;
    case "unsupported_media_type":
      return 415;
    case "body_too_large":
      return 413;
    case "missing_token":
    case "invalid_token":
    case "token_expired":
    case "token_revoked":
    case "admin_unauthorized":
      return 401;
    case "model_not_allowed":
    case "forbidden":
    case "attenuation_refused":
    case "upstream_blocked":
    case "tool_denied":
      return 403;
    case "rate_limited":
    case "tool_limited":
      return 429;
    case "upstream_error":
      return f.status >= 400 && f.status < 600 ? f.status : 502;
    case "upstream_timeout":
      return 504;
    case "upstream_unreachable":
    case "upstream_stream_broken":
      return 502;
    case "not_found":
      return 404;
    case "method_not_allowed":
      return 405;
    case "conflict":
      return 409;
    case "unavailable":
      return 503;
    case "internal":
      return 500;
  }
}

/** OpenAI error `type`/`code` pair. */
function openaiTypeCode(f: Failure): { type: string; code: string } {
  switch (f.kind) {
    case "invalid_json":
    case "invalid_request":
    case "unsupported_media_type":
    case "body_too_large":
    case "header_mismatch":
      return { type: "invalid_request_error", code: f.kind };
    case "unknown_model":
      return { type: "invalid_request_error", code: "model_not_found" };
    case "policy_blocked":
      return { type: "invalid_request_error", code: "policy_blocked" };
    case "missing_token":
    case "invalid_token":
    case "token_expired":
    case "token_revoked":
    case "admin_unauthorized":
      return { type: "authentication_error", code: f.kind };
    case "model_not_allowed":
    case "forbidden":
    case "attenuation_refused":
    case "upstream_blocked":
    case "tool_denied":
      return { type: "permission_error", code: f.kind };
    case "tool_limited":
      return { type: "rate_limit_exceeded", code: `tool_${f.limit}_exceeded` };
    case "rate_limited":
      return {
        type: f.limit.startsWith("usd") || f.limit === "tokens_per_day" ? "insufficient_quota" : "rate_limit_exceeded",
        code: `${f.scope}_${f.limit}_exceeded`,
      };
    case "upstream_error":
      return { type: f.upstreamType ?? "upstream_error", code: "upstream_error" };
    case "upstream_timeout":
    case "upstream_unreachable":
    case "upstream_stream_broken":
      return { type: "upstream_error", code: f.kind };
    case "not_found":
    case "method_not_allowed":
      return { type: "invalid_request_error", code: f.kind };
    case "conflict":
      return { type: "invalid_request_error", code: "conflict" };
    case "unavailable":
    case "internal":
      return { type: "server_error", code: f.kind };
  }
}

/** Anthropic error `type` for a failure (https://docs.anthropic.com/en/api/errors). */
function anthropicType(f: Failure): string {
  const status = httpStatus(f);
  if (f.kind === "upstream_error" && f.upstreamType) return f.upstreamType;
  if (status === 400 || status === 415) return "invalid_request_error";
  if (status === 401) return "authentication_error";
  if (status === 403) return "permission_error";
  if (status === 404) return "not_found_error";
  if (status === 413) return "request_too_large";
  if (status === 429) return "rate_limit_error";
  if (status === 529) return "overloaded_error";
  if (status === 504) return "timeout_error";
  return "api_error";
}

export type WireFormat = "openai" | "anthropic" | "jsonrpc";

export interface WireError {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/** The single mapping from a failure to what goes on the wire. */
export function toWire(f: Failure, format: WireFormat, requestId: string, jsonrpcId: string | number | null = null): WireError {
  const status = httpStatus(f);
  const message = describe(f);
  const headers: Record<string, string> = {};
  if (f.kind === "rate_limited") {
    Object.assign(headers, f.headers);
    headers["retry-after"] = String(f.retryAfterSeconds);
  }
  if (f.kind === "upstream_error" && f.retryAfterSeconds !== undefined) headers["retry-after"] = String(f.retryAfterSeconds);
  if (f.kind === "tool_limited") headers["retry-after"] = String(f.retryAfterSeconds);
  if (status === 401 && format !== "jsonrpc") headers["www-authenticate"] = 'Bearer realm="ringfence"';
  switch (format) {
    case "openai": {
      const { type, code } = openaiTypeCode(f);
      const param =
        f.kind === "invalid_request"
          ? (f.param ?? null)
          : f.kind === "unknown_model" || f.kind === "model_not_allowed"
            ? "model"
            : null;
      return { status, headers, body: { error: { message, type, code, param, request_id: requestId } } };
    }
    case "anthropic":
      return { status, headers, body: { type: "error", error: { type: anthropicType(f), message }, request_id: requestId } };
    case "jsonrpc":
      return {
        status,
        headers,
        body: { jsonrpc: "2.0", id: jsonrpcId, error: { code: jsonrpcCode(f), message, data: jsonrpcData(f, requestId) } },
      };
  }
}

/** What a JSON-RPC client gets besides the message: the kind, the step that refused, and the request id. */
function jsonrpcData(f: Failure, requestId: string): Record<string, unknown> {
  const data: Record<string, unknown> = { kind: f.kind, requestId };
  if (f.kind === "tool_denied") Object.assign(data, { step: f.step, server: f.server, tool: f.tool });
  if (f.kind === "tool_limited") Object.assign(data, { limit: f.limit, retryAfterSeconds: f.retryAfterSeconds });
  if (f.kind === "policy_blocked") Object.assign(data, { detection: f.detection, location: f.location, direction: f.direction });
  return data;
}

/**
 * JSON-RPC codes: the standard ones where they fit; refusals by ringfence use the implementation-defined server-error
 * range (-32000 to -32099), one code per family so a client can tell an auth refusal from a policy one.
 */
function jsonrpcCode(f: Failure): number {
  switch (f.kind) {
    case "missing_token":
    case "invalid_token":
    case "token_expired":
    case "token_revoked":
      return -32001;
    case "tool_denied":
    case "model_not_allowed":
    case "forbidden":
      return -32003;
    case "policy_blocked":
      return -32004;
    case "tool_limited":
    case "rate_limited":
      return -32029;
    case "header_mismatch":
      return -32020;
    case "invalid_json":
      return -32700;
    case "invalid_request":
    case "unsupported_media_type":
    case "body_too_large":
      return -32600;
    case "not_found":
    case "method_not_allowed":
      return -32601;
    case "internal":
      return -32603;
    default:
      return -32000;
  }
}

/** Wraps anything thrown into a Failure; unknown throws become `internal` at the named step. */
export function toFailure(err: unknown, step: string): Failure {
  if (err instanceof RingfenceError) return err.failure;
  const message = err instanceof Error ? err.message : String(err);
  return { kind: "internal", step, message };
}
