import { describe, expect, it } from "vitest";
import { anthropicMessages } from "../../src/providers/anthropic-messages";
import { openaiChat } from "../../src/providers/openai-chat";
import { SseParser } from "../../src/stream/sse";
import { relayStream } from "../../workers/gateway/relay";

const enc = new TextEncoder();

/** An upstream body that sends `parts`, then either ends or fails as a reset connection would. */
function upstream(parts: string[], end: "close" | "reset" | "hang"): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream({
    pull(c) {
      if (i < parts.length) c.enqueue(enc.encode(parts[i++]));
      else if (end === "close") c.close();
      else if (end === "reset") c.error(new TypeError("Network connection lost."));
      // "hang": never answer again
    },
  });
}

async function collect(body: ReadableStream<Uint8Array>) {
  const text = await new Response(body).text();
  const p = new SseParser();
  return [...p.push(text), ...p.end()];
}

const chunk = (content: string) =>
  `data: ${JSON.stringify({ object: "chat.completion.chunk", choices: [{ index: 0, delta: { content } }] })}\n\n`;
const usageChunk = `data: ${JSON.stringify({ object: "chat.completion.chunk", choices: [], usage: { prompt_tokens: 7, completion_tokens: 3 } })}\n\n`;
const chatBody = (include: boolean) => ({
  model: "gpt-4o",
  messages: [{ role: "user" }],
  stream: true,
  stream_options: include ? { include_usage: true } : undefined,
});

describe("relayStream", () => {
  it("forwards chat chunks, reads usage, and strips the usage chunk the client did not ask for", async () => {
    const { body, outcome } = relayStream(
      upstream([chunk("Hel"), chunk("lo") + usageChunk, "data: [DONE]\n\n"], "close"),
      openaiChat.observer(chatBody(false)),
      { idleTimeoutMs: 1000, requestId: "r1" },
    );
    const events = await collect(body);
    expect(events.map((e) => e.data)).toEqual([expect.stringContaining("Hel"), expect.stringContaining("lo"), "[DONE]"]);
    expect(await outcome).toMatchObject({ usage: { inputTokens: 7, outputTokens: 3 }, outputChars: 5, cancelled: false });
  });

  it("events split across reads, even one byte at a time, arrive whole and in order", async () => {
    const whole = `${chunk("Hel") + chunk("lo") + usageChunk}data: [DONE]\n\n`;
    const bytes = [...whole];
    const { body, outcome } = relayStream(upstream(bytes, "close"), openaiChat.observer(chatBody(false)), {
      idleTimeoutMs: 1000,
      requestId: "r1",
    });
    const events = await collect(body);
    expect(events.map((e) => e.data)).toEqual([expect.stringContaining("Hel"), expect.stringContaining("lo"), "[DONE]"]);
    expect(await outcome).toMatchObject({ outputChars: 5, cancelled: false });
  });

  it("keeps the usage chunk when the client asked for it", async () => {
    const { body } = relayStream(
      upstream([chunk("a"), usageChunk, "data: [DONE]\n\n"], "close"),
      openaiChat.observer(chatBody(true)),
      {
        idleTimeoutMs: 1000,
        requestId: "r1",
      },
    );
    expect((await collect(body)).some((e) => e.data.includes('"usage"'))).toBe(true);
  });

  it("ends a reset chat stream with an error payload the OpenAI SDK raises, after what already arrived", async () => {
    const { body, outcome } = relayStream(upstream([chunk("partial")], "reset"), openaiChat.observer(chatBody(false)), {
      idleTimeoutMs: 1000,
      requestId: "r2",
    });
    const events = await collect(body);
    expect(events[0]?.data).toContain("partial");
    const last = JSON.parse(events.at(-1)!.data);
    expect(last.error).toMatchObject({ code: "upstream_stream_broken", request_id: "r2" });
    expect((await outcome).failure?.kind).toBe("upstream_stream_broken");
  });

  it("ends an Anthropic stream that stops early with an `error` event, keeping message_start usage", async () => {
    const start = `event: message_start\ndata: ${JSON.stringify({ type: "message_start", message: { usage: { input_tokens: 11, output_tokens: 1 } } })}\n\n`;
    const { body, outcome } = relayStream(
      upstream([start], "close"),
      anthropicMessages.observer({ model: "claude-x", messages: [{ role: "user" }], max_tokens: 5 }),
      {
        idleTimeoutMs: 1000,
        requestId: "r3",
      },
    );
    const events = await collect(body);
    expect(events.at(-1)).toMatchObject({ event: "error" });
    expect(JSON.parse(events.at(-1)!.data)).toMatchObject({ type: "error", error: { type: "api_error" } });
    expect((await outcome).usage.inputTokens).toBe(11);
  });

  it("times out a silent upstream with a timeout error event", async () => {
    const { body, outcome } = relayStream(upstream([chunk("x")], "hang"), openaiChat.observer(chatBody(false)), {
      idleTimeoutMs: 50,
      requestId: "r4",
    });
    const events = await collect(body);
    expect(JSON.parse(events.at(-1)!.data).error.code).toBe("upstream_timeout");
    expect((await outcome).failure?.kind).toBe("upstream_timeout");
  });

  it("turns malformed JSON in a data line into a clean error event", async () => {
    const { body } = relayStream(upstream(["data: {not json\n\n"], "close"), openaiChat.observer(chatBody(false)), {
      idleTimeoutMs: 1000,
      requestId: "r5",
    });
    const events = await collect(body);
    expect(events).toHaveLength(1);
    expect(JSON.parse(events[0]!.data).error.code).toBe("upstream_stream_broken");
  });
});
