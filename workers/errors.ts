// The one place a Failure becomes an HTTP response, in the wire format of the API that was called.
import type { Context } from "hono";
import { type Failure, toFailure, toWire, type WireFormat } from "../src/errors";
import type { AppEnv } from "./context";

export function wireFormatFor(path: string): WireFormat {
  if (path === "/v1/messages" || path.startsWith("/v1/messages/")) return "anthropic";
  if (path === "/mcp" || path.startsWith("/mcp/")) return "jsonrpc";
  return "openai";
}

export function failureResponse(c: Context<AppEnv>, failure: Failure): Response {
  const requestId = c.get("requestId") ?? crypto.randomUUID();
  const wire = toWire(failure, wireFormatFor(c.req.path), requestId);
  if (failure.kind === "internal") console.error(`[${requestId}] internal error at ${failure.step}: ${failure.message}`);
  return new Response(JSON.stringify(wire.body), {
    status: wire.status,
    headers: { ...wire.headers, "content-type": "application/json", "x-request-id": requestId },
  });
}

export function onError(err: unknown, c: Context<AppEnv>): Response {
  return failureResponse(c, toFailure(err, "request"));
}
