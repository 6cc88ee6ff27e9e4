// The fake upstream speaks the providers' wire formats: the real openai and @anthropic-ai/sdk clients talk to it directly.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  ANTHROPIC_REPLY_PREFIX,
  EMBEDDING_DIMENSIONS,
  estimateTokens,
  type FakeUpstream,
  OPENAI_REPLY_PREFIX,
  startFakeUpstream,
} from "../fixtures/fake-upstream";

const weatherChatTool = {
  type: "function" as const,
  function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } },
};
const weatherTool = { name: "get_weather", input_schema: { type: "object" as const, properties: { city: { type: "string" } } } };

let up: FakeUpstream;
let openai: OpenAI;
let anthropic: Anthropic;

beforeAll(async () => {
  up = await startFakeUpstream();
  openai = new OpenAI({ apiKey: "sk-test-openai", baseURL: up.openaiBase, maxRetries: 0 });
  anthropic = new Anthropic({ apiKey: "sk-ant-test", baseURL: up.anthropicBase, maxRetries: 0 });
});
afterAll(() => up.close());
beforeEach(() => up.reset());

/** Raw SSE text of a request, to check the exact event lines. */
async function rawSse(path: string, headers: Record<string, string>, body: unknown): Promise<string> {
  const res = await fetch(up.url + path, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  expect(res.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
  return res.text();
}

describe("chat completions", () => {
  it("answers with n choices, echoes the model and counts usage from text length", async () => {
    const res = await openai.chat.completions.create({
      model: "gpt-4o-mini",
      n: 2,
      messages: [{ role: "user", content: "hi there" }],
    });
    const text = `${OPENAI_REPLY_PREFIX}hi there`;
    expect(res.object).toBe("chat.completion");
    expect(res.id).toMatch(/^chatcmpl-/);
    expect(res.model).toBe("gpt-4o-mini");
    expect(res.choices.map((c) => [c.index, c.message.content, c.finish_reason])).toEqual([
      [0, text, "stop"],
      [1, text, "stop"],
    ]);
    expect(res.usage).toMatchObject({ prompt_tokens: estimateTokens("hi there"), completion_tokens: 2 * estimateTokens(text) });
    expect(up.requests).toHaveLength(1);
    expect(up.requests[0]).toMatchObject({
      method: "POST",
      path: "/v1/chat/completions",
      headers: { authorization: "Bearer sk-test-openai", "content-type": "application/json" },
      body: { model: "gpt-4o-mini", n: 2 },
    });
  });

  it("streams a role delta, several content deltas, a finish chunk, usage only when asked, then [DONE]", async () => {
    const params = { model: "gpt-4o-mini", messages: [{ role: "user" as const, content: "stream me" }], stream: true as const };
    const chunks = [];
    for await (const c of await openai.chat.completions.create({ ...params, stream_options: { include_usage: true } }))
      chunks.push(c);
    const text = `${OPENAI_REPLY_PREFIX}stream me`;
    expect(chunks[0]?.choices[0]?.delta).toMatchObject({ role: "assistant", content: "" });
    const contents = chunks.map((c) => c.choices[0]?.delta.content ?? "");
    expect(contents.filter((c) => c !== "").length).toBeGreaterThan(3);
    expect(contents.join("")).toBe(text);
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe("stop");
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { completion_tokens: estimateTokens(text) } });

    const withoutUsage = [];
    for await (const c of await openai.chat.completions.create(params)) withoutUsage.push(c);
    expect(withoutUsage.every((c) => c.usage === undefined && c.choices.length === 1)).toBe(true);

    const raw = await rawSse("/v1/chat/completions", { authorization: "Bearer k" }, params);
    expect(raw.endsWith("data: [DONE]\n\n")).toBe(true);
    expect(raw).not.toContain("event:");
  });

  it("calls the first tool when the last user message asks for one, streamed or not", async () => {
    const messages = [{ role: "user" as const, content: "please call a tool" }];
    const res = await openai.chat.completions.create({ model: "gpt-4o-mini", messages, tools: [weatherChatTool] });
    const call = res.choices[0]?.message.tool_calls?.[0];
    expect(res.choices[0]?.finish_reason).toBe("tool_calls");
    expect(call?.type === "function" && call.function).toEqual({ name: "get_weather", arguments: '{"city":"Paris"}' });

    // The SDK's stream helper validates the chunk sequence (index/id/name first, arguments appended after).
    const final = await openai.chat.completions
      .stream({ model: "gpt-4o-mini", messages, tools: [weatherChatTool] })
      .finalChatCompletion();
    const streamed = final.choices[0]?.message.tool_calls?.[0];
    expect(streamed?.type === "function" && JSON.parse(streamed.function.arguments)).toEqual({ city: "Paris" });
    expect(final.choices[0]?.finish_reason).toBe("tool_calls");

    const raw = await rawSse(
      "/v1/chat/completions",
      { authorization: "Bearer k" },
      { model: "m", messages, tools: [weatherChatTool], stream: true },
    );
    expect(raw.match(/"arguments":"[^"]/g)?.length).toBeGreaterThan(1);
  });

  it("answers a tool result with text, so agent loops end", async () => {
    const res = await openai.chat.completions.create({
      model: "gpt-4o-mini",
      tools: [weatherChatTool],
      messages: [
        { role: "user", content: "call a tool" },
        {
          role: "assistant",
          content: null,
          tool_calls: [{ id: "call_1", type: "function", function: { name: "get_weather", arguments: "{}" } }],
        },
        { role: "tool", tool_call_id: "call_1", content: "sunny" },
      ],
    });
    expect(res.choices[0]?.finish_reason).toBe("stop");
  });
});

describe("responses", () => {
  it("returns a response with an output_text message and usage", async () => {
    const res = await openai.responses.create({ model: "gpt-4.1", input: "hello responses" });
    expect(res.object).toBe("response");
    expect(res.status).toBe("completed");
    expect(res.output_text).toBe(`${OPENAI_REPLY_PREFIX}hello responses`);
    expect(res.usage).toMatchObject({
      input_tokens: estimateTokens("hello responses"),
      total_tokens: (res.usage?.input_tokens ?? 0) + (res.usage?.output_tokens ?? 0),
    });
  });

  it("streams the full event sequence with increasing sequence numbers", async () => {
    const stream = await openai.responses.create({
      model: "gpt-4.1",
      input: [{ role: "user", content: "stream it" }],
      stream: true,
    });
    const events = [];
    for await (const e of stream) events.push(e);
    const types = events.map((e) => e.type).filter((t, i, all) => t !== all[i - 1]);
    expect(types).toEqual([
      "response.created",
      "response.in_progress",
      "response.output_item.added",
      "response.content_part.added",
      "response.output_text.delta",
      "response.output_text.done",
      "response.content_part.done",
      "response.output_item.done",
      "response.completed",
    ]);
    expect(events.filter((e) => e.type === "response.output_text.delta").length).toBeGreaterThan(3);
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    const done = events.at(-1);
    expect(done?.type === "response.completed" && done.response.usage?.output_tokens).toBe(
      estimateTokens(`${OPENAI_REPLY_PREFIX}stream it`),
    );

    const raw = await rawSse("/v1/responses", { authorization: "Bearer k" }, { model: "m", input: "x", stream: true });
    expect(raw.startsWith('event: response.created\ndata: {"type":"response.created","sequence_number":0,')).toBe(true);
  });

  it("streams a function call with argument deltas", async () => {
    const tools = [{ type: "function" as const, name: "get_weather", parameters: {}, strict: false }];
    const stream = openai.responses.stream({ model: "gpt-4.1", input: "call a tool now", tools });
    const deltas: string[] = [];
    stream.on("response.function_call_arguments.delta", (e) => deltas.push(e.delta));
    const final = await stream.finalResponse();
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join("")).toBe('{"city":"Paris"}');
    expect(final.output[0]).toMatchObject({
      type: "function_call",
      name: "get_weather",
      arguments: '{"city":"Paris"}',
      status: "completed",
    });
  });
});

describe("embeddings and models", () => {
  it("returns the same vectors as floats and as base64 (the SDK's default)", async () => {
    const floats = await openai.embeddings.create({
      model: "text-embedding-3-small",
      input: ["a", "b"],
      encoding_format: "float",
    });
    const decoded = await openai.embeddings.create({ model: "text-embedding-3-small", input: ["a", "b"] });
    expect(up.requests[1]?.body).toMatchObject({ encoding_format: "base64" });
    expect(floats.data).toHaveLength(2);
    expect(floats.data[0]?.embedding).toHaveLength(EMBEDDING_DIMENSIONS);
    expect(floats.data[0]?.embedding).not.toEqual(floats.data[1]?.embedding);
    expect(decoded.data.map((d) => d.embedding)).toEqual(floats.data.map((d) => d.embedding));
    expect(floats.usage).toEqual({ prompt_tokens: 2, total_tokens: 2 });
  });

  it("lists models", async () => {
    const ids = [];
    for await (const m of openai.models.list()) ids.push(m.id);
    expect(ids).toContain("gpt-4o-mini");
  });
});

describe("anthropic messages", () => {
  it("returns a message with a text block, stop reason and usage", async () => {
    const msg = await anthropic.messages.create({
      model: "claude-sonnet-4-6",
      max_tokens: 100,
      system: "be brief",
      messages: [{ role: "user", content: "hey" }],
    });
    const text = `${ANTHROPIC_REPLY_PREFIX}hey`;
    expect(msg).toMatchObject({
      type: "message",
      role: "assistant",
      model: "claude-sonnet-4-6",
      stop_reason: "end_turn",
      stop_sequence: null,
    });
    expect(msg.id).toMatch(/^msg_/);
    expect(msg.content).toEqual([{ type: "text", text, citations: null }]);
    expect(msg.usage).toMatchObject({ input_tokens: estimateTokens("be briefhey"), output_tokens: estimateTokens(text) });
    // @anthropic-ai/sdk 1.x sends the API key as a bearer token; raw callers below use x-api-key, which is accepted too.
    expect(up.requests[0]?.headers).toMatchObject({ authorization: "Bearer sk-ant-test" });
    expect(up.requests[0]?.headers["anthropic-version"]).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it("streams exactly Anthropic's event names, with event: lines matching each data type", async () => {
    const body = {
      model: "claude-sonnet-4-6",
      max_tokens: 100,
      messages: [{ role: "user", content: "stream please" }],
      stream: true,
    };
    const raw = await rawSse("/v1/messages", { "x-api-key": "k", "anthropic-version": "2023-06-01" }, body);
    const frames = raw.trimEnd().split("\n\n");
    const names = frames
      .map((f) => /^event: (\S+)\ndata: (.*)$/.exec(f))
      .map((m) => {
        expect(JSON.parse(m?.[2] ?? "").type).toBe(m?.[1]);
        return m?.[1];
      });
    expect(names.filter((n, i) => n !== names[i - 1])).toEqual([
      "message_start",
      "content_block_start",
      "ping",
      "content_block_delta",
      "content_block_stop",
      "message_delta",
      "message_stop",
    ]);

    const final = await anthropic.messages
      .stream({ model: "claude-sonnet-4-6", max_tokens: 100, messages: [{ role: "user", content: "stream please" }] })
      .finalMessage();
    expect(final.content).toMatchObject([{ type: "text", text: `${ANTHROPIC_REPLY_PREFIX}stream please` }]);
    expect(final.stop_reason).toBe("end_turn");
    expect(final.usage.output_tokens).toBe(estimateTokens(`${ANTHROPIC_REPLY_PREFIX}stream please`));
  });

  it("answers with a tool_use block, and streams its input as split input_json_delta", async () => {
    const params = {
      model: "claude-sonnet-4-6",
      max_tokens: 100,
      tools: [weatherTool],
      messages: [{ role: "user" as const, content: "call a tool" }],
    };
    const msg = await anthropic.messages.create(params);
    expect(msg.stop_reason).toBe("tool_use");
    expect(msg.content[0]).toMatchObject({ type: "tool_use", name: "get_weather", input: { city: "Paris" } });

    const stream = await anthropic.messages.create({ ...params, stream: true });
    const partials: string[] = [];
    for await (const e of stream)
      if (e.type === "content_block_delta" && e.delta.type === "input_json_delta") partials.push(e.delta.partial_json);
    expect(partials.filter((p) => p !== "").length).toBeGreaterThan(1);
    expect(JSON.parse(partials.join(""))).toEqual({ city: "Paris" });

    const final = await anthropic.messages.stream(params).finalMessage();
    expect(final.content[0]).toMatchObject({ type: "tool_use", input: { city: "Paris" } });
  });

  it("lists models in Anthropic's shape for Anthropic clients", async () => {
    const page = await anthropic.models.list();
    expect(page.data[0]).toMatchObject({ type: "model", id: "claude-sonnet-4-6" });
  });

  it("counts tokens", async () => {
    const res = await anthropic.messages.countTokens({
      model: "claude-sonnet-4-6",
      messages: [{ role: "user", content: "count these words" }],
    });
    expect(res).toEqual({ input_tokens: estimateTokens("count these words") });
  });
});

describe("auth", () => {
  it("rejects a request without a key with 401 in each API's error shape", async () => {
    const o = await fetch(`${up.openaiBase}/chat/completions`, {
      method: "POST",
      body: JSON.stringify({ model: "m", messages: [] }),
    });
    expect(o.status).toBe(401);
    expect(await o.json()).toMatchObject({ error: { type: "invalid_request_error", param: null, code: null } });

    const a = await fetch(`${up.anthropicBase}/v1/messages`, {
      method: "POST",
      headers: { "anthropic-version": "2023-06-01" },
      body: "{}",
    });
    expect(a.status).toBe(401);
    expect(await a.json()).toMatchObject({ type: "error", error: { type: "authentication_error" } });
    expect(up.requests.map((r) => r.path)).toEqual(["/v1/chat/completions", "/v1/messages"]);
  });

  it("requires anthropic-version like Anthropic does", async () => {
    const a = await fetch(`${up.anthropicBase}/v1/messages`, { method: "POST", headers: { "x-api-key": "k" }, body: "{}" });
    expect(a.status).toBe(400);
    expect(await a.json()).toMatchObject({ type: "error", error: { type: "invalid_request_error" } });
  });
});

describe("faults", () => {
  it("answers the next request only with a status fault in the API's error shape", async () => {
    up.nextFault({ kind: "status", status: 429 });
    const err = await openai.chat.completions
      .create({ model: "m", messages: [{ role: "user", content: "x" }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    expect(err).toMatchObject({ status: 429, code: "rate_limit_exceeded", type: "requests" });
    expect((err as InstanceType<typeof OpenAI.RateLimitError>).headers.get("retry-after")).toBe("1");
    await expect(
      openai.chat.completions.create({ model: "m", messages: [{ role: "user", content: "x" }] }),
    ).resolves.toMatchObject({ object: "chat.completion" });

    up.nextFault({ kind: "status", status: 529 });
    const aerr = await anthropic.messages
      .create({ model: "c", max_tokens: 5, messages: [{ role: "user", content: "x" }] })
      .catch((e: unknown) => e);
    expect(aerr).toBeInstanceOf(Anthropic.APIError);
    expect(aerr).toMatchObject({ status: 529, error: { type: "error", error: { type: "overloaded_error" } } });
  });

  it("sends a custom status body and headers verbatim", async () => {
    up.nextFault({ kind: "status", status: 503, body: { custom: true }, headers: { "x-custom": "yes" } });
    const res = await fetch(`${up.openaiBase}/models`, { headers: { authorization: "Bearer k" } });
    expect(res.status).toBe(503);
    expect(res.headers.get("x-custom")).toBe("yes");
    expect(await res.json()).toEqual({ custom: true });
  });

  it("surfaces a connection reset mid-stream as an error after the first chunks (OpenAI)", async () => {
    up.nextFault({ kind: "reset-after-chunks", chunks: 3 });
    const stream = await openai.chat.completions.create({
      model: "m",
      messages: [{ role: "user", content: "a long enough message" }],
      stream: true,
    });
    const got: unknown[] = [];
    const err = await (async () => {
      for await (const c of stream) got.push(c);
    })().catch((e: unknown) => e);
    expect(got).toHaveLength(3);
    expect(err).toBeInstanceOf(Error);
  });

  it("surfaces a connection reset mid-stream as an error (Anthropic)", async () => {
    up.nextFault({ kind: "reset-after-chunks", chunks: 4 });
    const stream = anthropic.messages.stream({
      model: "c",
      max_tokens: 5,
      messages: [{ role: "user", content: "a long enough message" }],
    });
    await expect(stream.finalMessage()).rejects.toBeInstanceOf(Error);
  });

  it("sends a malformed data line that the SDKs refuse to parse", async () => {
    up.nextFault({ kind: "malformed-sse" });
    const stream = await openai.chat.completions.create({ model: "m", messages: [{ role: "user", content: "x" }], stream: true });
    await expect(
      (async () => {
        for await (const _ of stream);
      })(),
    ).rejects.toThrow(/JSON/);

    up.nextFault({ kind: "malformed-sse" });
    const a = anthropic.messages.stream({ model: "c", max_tokens: 5, messages: [{ role: "user", content: "x" }] });
    await expect(a.finalMessage()).rejects.toThrow(/JSON/);
  });

  it("delays the answer until the client gives up", async () => {
    up.nextFault({ kind: "delay", ms: 60_000 });
    const slow = new OpenAI({ apiKey: "k", baseURL: up.openaiBase, maxRetries: 0, timeout: 100 });
    await expect(slow.models.list()).rejects.toBeInstanceOf(OpenAI.APIConnectionTimeoutError);
  });

  it("goes silent after N events, leaving the connection open until the upstream closes", async () => {
    const own = await startFakeUpstream();
    own.nextFault({ kind: "hang-after-chunks", chunks: 2 });
    const res = await fetch(`${own.openaiBase}/chat/completions`, {
      method: "POST",
      headers: { authorization: "Bearer k" },
      body: JSON.stringify({ model: "m", messages: [{ role: "user", content: "x" }], stream: true }),
    });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let text = "";
    while (text.split("\n\n").length - 1 < 2) {
      const { value } = await reader.read();
      text += decoder.decode(value);
    }
    const next = reader.read();
    await own.close(); // a body that had ended would resolve {done: true}; a hung one breaks
    await expect(next).rejects.toThrow();
    expect(text.split("\n\n").length - 1).toBe(2);
  });
});

describe("CLI", () => {
  it("prints its URL and serves requests under plain node", async () => {
    const file = fileURLToPath(new URL("../fixtures/fake-upstream.ts", import.meta.url));
    const child = spawn(process.execPath, [file, "--port", "0"], { stdio: ["ignore", "pipe", "inherit"] });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.once("data", (d: Buffer) => resolve(d.toString().trim()));
        child.once("exit", (code) => reject(new Error(`fake-upstream exited with ${code}`)));
      });
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const res = await fetch(`${url}/v1/models`, { headers: { authorization: "Bearer k" } });
      expect(await res.json()).toMatchObject({ object: "list" });
    } finally {
      child.kill();
    }
  });
});
