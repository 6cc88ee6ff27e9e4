// POST /v1/responses: OpenAI's Responses API; every stream event type is passed through in order.
import { z } from "zod";
import type { Failure } from "../errors";
import type { SseEvent } from "../stream/sse";
import type { Endpoint, Route, StreamObserver } from "./types";
import { field, openaiResponsesUsage } from "./usage";

export const ResponsesBodySchema = z.looseObject({
  model: z.string().min(1),
  input: z.union([z.string(), z.array(z.unknown())]).optional(),
  stream: z.boolean().optional(),
  max_output_tokens: z.number().int().positive().nullish(),
});
export type ResponsesBody = z.infer<typeof ResponsesBodySchema>;

const TERMINAL = new Set(["response.completed", "response.incomplete", "response.failed"]);

function responsesObserver(): StreamObserver {
  let usage: { inputTokens?: number; outputTokens?: number } = {};
  let chars = 0;
  let done = false;
  let seq = 0;
  return {
    onEvent(ev) {
      const json: unknown = JSON.parse(ev.data);
      const type = field(json, "type") ?? ev.event;
      const n = field(json, "sequence_number");
      if (typeof n === "number") seq = n;
      if (type === "response.output_text.delta" || type === "response.function_call_arguments.delta") {
        const d = field(json, "delta");
        if (typeof d === "string") chars += d.length;
      }
      if (typeof type === "string" && TERMINAL.has(type)) {
        done = true;
        const u = openaiResponsesUsage(field(json, "response"));
        if (u) usage = u;
      }
      if (type === "error") done = true;
      return [ev];
    },
    usage: () => usage,
    outputChars: () => chars,
    complete: () => done,
    errorEvent(failure: Failure, message: string): SseEvent {
      return {
        event: "error",
        data: JSON.stringify({ type: "error", code: failure.kind, message, param: null, sequence_number: seq + 1 }),
      };
    },
  };
}

export const openaiResponses: Endpoint<ResponsesBody> = {
  name: "responses",
  serves: ["openai", "echo"],
  upstreamPath: "/responses",
  model: (b) => b.model,
  stream: (b) => b.stream === true,
  maxOutput: (b) => b.max_output_tokens ?? undefined,
  prepare: (b, route: Route) => ({ ...b, model: route.model }),
  usageFromJson: openaiResponsesUsage,
  observer: responsesObserver,
};
