// POST /v1/chat/completions: OpenAI's chat wire format, unknown fields passed through untouched.
import { z } from "zod";
import type { Failure } from "../errors";
import type { SseEvent } from "../stream/sse";
import type { Endpoint, Route, StreamObserver } from "./types";
import { asObject, field, openaiChatUsage } from "./usage";

export const ChatBodySchema = z.looseObject({
  model: z.string().min(1),
  messages: z.array(z.looseObject({ role: z.string() })).min(1),
  stream: z.boolean().optional(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullish(),
  max_tokens: z.number().int().positive().nullish(),
  max_completion_tokens: z.number().int().positive().nullish(),
  n: z.number().int().positive().max(128).nullish(),
});
export type ChatBody = z.infer<typeof ChatBodySchema>;

/** OpenAI streams have no error event type; an `error` object in a data line is what the SDKs raise. */
export function openaiDataError(failure: Failure, message: string, requestId: string): SseEvent {
  return {
    data: JSON.stringify({ error: { message, type: "upstream_error", code: failure.kind, param: null, request_id: requestId } }),
  };
}

function textLength(delta: unknown): number {
  let n = 0;
  const content = field(delta, "content");
  if (typeof content === "string") n += content.length;
  const calls = field(delta, "tool_calls");
  if (Array.isArray(calls)) {
    for (const call of calls) {
      const args = field(field(call, "function"), "arguments");
      if (typeof args === "string") n += args.length;
    }
  }
  return n;
}

function chatObserver(clientWantsUsage: boolean): StreamObserver {
  let usage: { inputTokens?: number; outputTokens?: number } = {};
  let chars = 0;
  let done = false;
  return {
    onEvent(ev) {
      if (ev.data === "[DONE]") {
        done = true;
        return [ev];
      }
      const json: unknown = JSON.parse(ev.data);
      if (field(json, "error") !== undefined) done = true;
      const u = openaiChatUsage(json);
      if (u) usage = u;
      const choices = field(json, "choices");
      if (Array.isArray(choices)) {
        for (const ch of choices) chars += textLength(field(ch, "delta"));
        // The usage-only chunk we asked for on the client's behalf is not theirs to see.
        if (choices.length === 0 && u && !clientWantsUsage) return [];
      }
      return [ev];
    },
    usage: () => usage,
    outputChars: () => chars,
    complete: () => done,
    errorEvent: openaiDataError,
  };
}

export const openaiChat: Endpoint<ChatBody> = {
  name: "chat.completions",
  serves: ["openai", "echo"],
  upstreamPath: "/chat/completions",
  model: (b) => b.model,
  stream: (b) => b.stream === true,
  maxOutput(b) {
    const max = b.max_completion_tokens ?? b.max_tokens;
    return max == null ? undefined : max * (b.n ?? 1);
  },
  prepare(b, route: Route) {
    const out: Record<string, unknown> = { ...b, model: route.model };
    if (b.stream === true) out.stream_options = { ...(asObject(b.stream_options) ?? {}), include_usage: true };
    return out;
  },
  usageFromJson: openaiChatUsage,
  observer: (b) => chatObserver(b.stream_options?.include_usage === true),
};
