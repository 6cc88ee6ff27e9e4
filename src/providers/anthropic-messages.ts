// POST /v1/messages: Anthropic's native Messages API, streaming events passed through in order.
import { z } from "zod";
import type { Failure } from "../errors";
import type { SseEvent } from "../stream/sse";
import type { Endpoint, Route, StreamObserver } from "./types";
import { anthropicUsage, field } from "./usage";

export const MessagesBodySchema = z.looseObject({
  model: z.string().min(1),
  messages: z.array(z.looseObject({ role: z.string() })).min(1),
  max_tokens: z.number().int().positive(),
  stream: z.boolean().optional(),
});
export type MessagesBody = z.infer<typeof MessagesBodySchema>;

export const CountTokensBodySchema = z.looseObject({
  model: z.string().min(1),
  messages: z.array(z.looseObject({ role: z.string() })),
});
export type CountTokensBody = z.infer<typeof CountTokensBodySchema>;

export function anthropicErrorEvent(failure: Failure, message: string): SseEvent {
  const type =
    failure.kind === "upstream_timeout" ? "timeout_error" : failure.kind === "rate_limited" ? "rate_limit_error" : "api_error";
  return { event: "error", data: JSON.stringify({ type: "error", error: { type, message } }) };
}

function messagesObserver(): StreamObserver {
  let usage: { inputTokens?: number; outputTokens?: number } = {};
  let chars = 0;
  let done = false;
  return {
    onEvent(ev) {
      const json: unknown = JSON.parse(ev.data);
      const type = field(json, "type") ?? ev.event;
      if (type === "message_start") usage = { ...usage, ...anthropicUsage(field(field(json, "message"), "usage")) };
      else if (type === "message_delta") usage = { ...usage, ...anthropicUsage(field(json, "usage")) };
      else if (type === "content_block_delta") {
        const d = field(json, "delta");
        for (const k of ["text", "partial_json", "thinking"]) {
          const v = field(d, k);
          if (typeof v === "string") chars += v.length;
        }
      } else if (type === "message_stop" || type === "error") done = true;
      return [ev];
    },
    usage: () => usage,
    outputChars: () => chars,
    complete: () => done,
    errorEvent: anthropicErrorEvent,
  };
}

export const anthropicMessages: Endpoint<MessagesBody> = {
  name: "messages",
  serves: ["anthropic", "echo"],
  upstreamPath: "/v1/messages",
  model: (b) => b.model,
  stream: (b) => b.stream === true,
  maxOutput: (b) => b.max_tokens,
  prepare: (b, route: Route) => ({ ...b, model: route.model }),
  usageFromJson(json) {
    const u = anthropicUsage(field(json, "usage"));
    return { inputTokens: u.inputTokens ?? 0, outputTokens: u.outputTokens ?? 0 };
  },
  observer: messagesObserver,
};
