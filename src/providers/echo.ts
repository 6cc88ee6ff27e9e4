// The built-in demo model: answers with what a provider would have received (after policy), in each API's format.
import { type SseEvent, serializeSse } from "../stream/sse";

export type EchoApi = "chat.completions" | "responses" | "embeddings" | "messages";

/** A rough token count for the demo's usage figures (about 4 characters a token). */
const tokens = (text: string): number => Math.max(1, Math.ceil(text.length / 4));

/** The part of the forwarded body a provider would read as the prompt. */
function promptOf(body: Record<string, unknown>): string {
  const { model: _m, stream: _s, stream_options: _o, ...rest } = body;
  return JSON.stringify(rest);
}

const idOf = (prefix: string): string => `${prefix}${crypto.randomUUID().replaceAll("-", "").slice(0, 24)}`;

/** Splits text into a few deltas, so clients see a real multi-chunk stream. */
function pieces(text: string): string[] {
  const size = Math.max(1, Math.ceil(text.length / 4));
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out.length ? out : [""];
}

function sse(events: SseEvent[]): Response {
  const body = events.map(serializeSse).join("");
  return new Response(body, { headers: { "content-type": "text/event-stream; charset=utf-8" } });
}

function chat(body: Record<string, unknown>, stream: boolean, includeUsage: boolean): Response {
  const text = promptOf(body);
  const id = idOf("chatcmpl-echo-");
  const created = Math.floor(Date.now() / 1000);
  const usage = { prompt_tokens: tokens(text), completion_tokens: tokens(text), total_tokens: 2 * tokens(text) };
  if (!stream) {
    return Response.json({
      id,
      object: "chat.completion",
      created,
      model: "echo",
      choices: [
        { index: 0, message: { role: "assistant", content: text, refusal: null }, logprobs: null, finish_reason: "stop" },
      ],
      usage,
    });
  }
  const chunk = (delta: Record<string, unknown>, finish: string | null) => ({
    data: JSON.stringify({
      id,
      object: "chat.completion.chunk",
      created,
      model: "echo",
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    }),
  });
  const events: SseEvent[] = [chunk({ role: "assistant", content: "" }, null)];
  for (const p of pieces(text)) events.push(chunk({ content: p }, null));
  events.push(chunk({}, "stop"));
  if (includeUsage) {
    events.push({ data: JSON.stringify({ id, object: "chat.completion.chunk", created, model: "echo", choices: [], usage }) });
  }
  events.push({ data: "[DONE]" });
  return sse(events);
}

function responses(body: Record<string, unknown>, stream: boolean): Response {
  const text = promptOf(body);
  const id = idOf("resp_echo_");
  const msgId = idOf("msg_echo_");
  const created_at = Math.floor(Date.now() / 1000);
  const usage = {
    input_tokens: tokens(text),
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: tokens(text),
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: 2 * tokens(text),
  };
  const part = { type: "output_text", text, annotations: [], logprobs: [] };
  const item = { id: msgId, type: "message", status: "completed", role: "assistant", content: [part] };
  const response = (status: string, output: unknown[], u: unknown) => ({
    id,
    object: "response",
    created_at,
    status,
    model: "echo",
    output,
    usage: u,
    error: null,
    incomplete_details: null,
    instructions: null,
    metadata: {},
    parallel_tool_calls: true,
    temperature: 1,
    tool_choice: "auto",
    tools: [],
    top_p: 1,
  });
  if (!stream) return Response.json(response("completed", [item], usage));
  let seq = 0;
  const ev = (type: string, rest: Record<string, unknown>): SseEvent => ({
    event: type,
    data: JSON.stringify({ type, sequence_number: seq++, ...rest }),
  });
  const events: SseEvent[] = [
    ev("response.created", { response: response("in_progress", [], null) }),
    ev("response.in_progress", { response: response("in_progress", [], null) }),
    ev("response.output_item.added", { output_index: 0, item: { ...item, status: "in_progress", content: [] } }),
    ev("response.content_part.added", { item_id: msgId, output_index: 0, content_index: 0, part: { ...part, text: "" } }),
  ];
  for (const p of pieces(text)) {
    events.push(ev("response.output_text.delta", { item_id: msgId, output_index: 0, content_index: 0, delta: p, logprobs: [] }));
  }
  events.push(
    ev("response.output_text.done", { item_id: msgId, output_index: 0, content_index: 0, text, logprobs: [] }),
    ev("response.content_part.done", { item_id: msgId, output_index: 0, content_index: 0, part }),
    ev("response.output_item.done", { output_index: 0, item }),
    ev("response.completed", { response: response("completed", [item], usage) }),
  );
  return sse(events);
}

function embeddings(body: Record<string, unknown>): Response {
  const inputs = Array.isArray(body.input) ? body.input : [body.input];
  const data = inputs.map((input, index) => {
    const text = typeof input === "string" ? input : JSON.stringify(input);
    // A deterministic 8-dimensional vector from the text, so equal inputs embed equally.
    const v = Array.from({ length: 8 }, (_, i) => ((text.charCodeAt(i % Math.max(1, text.length)) || 0) % 97) / 97);
    return { object: "embedding", index, embedding: v };
  });
  const n = tokens(JSON.stringify(body.input));
  return Response.json({ object: "list", data, model: "echo", usage: { prompt_tokens: n, total_tokens: n } });
}

function messages(body: Record<string, unknown>, stream: boolean): Response {
  const text = promptOf(body);
  const id = idOf("msg_echo_");
  const usage = { input_tokens: tokens(text), output_tokens: tokens(text) };
  const message = {
    id,
    type: "message",
    role: "assistant",
    model: "echo",
    content: [{ type: "text", text }],
    stop_reason: "end_turn",
    stop_sequence: null,
    usage,
  };
  if (!stream) return Response.json(message);
  const ev = (type: string, rest: Record<string, unknown>): SseEvent => ({
    event: type,
    data: JSON.stringify({ type, ...rest }),
  });
  const events: SseEvent[] = [
    ev("message_start", {
      message: { ...message, content: [], stop_reason: null, usage: { input_tokens: usage.input_tokens, output_tokens: 1 } },
    }),
    ev("content_block_start", { index: 0, content_block: { type: "text", text: "" } }),
    ev("ping", {}),
  ];
  for (const p of pieces(text)) events.push(ev("content_block_delta", { index: 0, delta: { type: "text_delta", text: p } }));
  events.push(
    ev("content_block_stop", { index: 0 }),
    ev("message_delta", {
      delta: { stop_reason: "end_turn", stop_sequence: null },
      usage: { output_tokens: usage.output_tokens },
    }),
    ev("message_stop", {}),
  );
  return sse(events);
}

/** Answers a forwarded body as a provider would, without any network. */
export function echoResponse(api: EchoApi, body: Record<string, unknown>): Response {
  const stream = body.stream === true;
  switch (api) {
    case "chat.completions": {
      const opts = body.stream_options as { include_usage?: boolean } | undefined;
      return chat(body, stream, opts?.include_usage === true);
    }
    case "responses":
      return responses(body, stream);
    case "embeddings":
      return embeddings(body);
    case "messages":
      return messages(body, stream);
  }
}

/** Anthropic count_tokens for the demo model. */
export function echoCountTokens(body: Record<string, unknown>): { input_tokens: number } {
  return { input_tokens: tokens(promptOf(body)) };
}
