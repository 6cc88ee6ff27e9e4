// The unmodified `openai` SDK through the gateway to a fake OpenAI on 127.0.0.1: what the client gets, what the upstream saw.
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { type FakeUpstream, OPENAI_REPLY_PREFIX, startFakeUpstream, TOOL_ARGUMENTS } from "../fixtures/fake-upstream";
import { type Gateway, startGateway } from "./harness";

const PROVIDER_KEY = "sk-upstream-openai-key";
let upstream: FakeUpstream;
let gw: Gateway;
let client: OpenAI;

beforeAll(async () => {
  upstream = await startFakeUpstream({ usage: { input: 12, output: 5 } });
  gw = await startGateway({ upstream, providerKeys: { openai: PROVIDER_KEY } });
  client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: gw.token, maxRetries: 0 });
});
afterAll(async () => {
  await gw?.close();
  await upstream?.close();
});
beforeEach(() => upstream.reset());

const lastRequest = () => upstream.requests.at(-1)!;

function expectProviderAuthOnly() {
  const seen = lastRequest();
  expect(seen.headers.authorization).toBe(`Bearer ${PROVIDER_KEY}`);
  expect(JSON.stringify(seen.headers)).not.toContain(gw.token);
  expect(JSON.stringify(seen.body)).not.toContain(gw.token);
}

const tools: OpenAI.Chat.Completions.ChatCompletionTool[] = [
  {
    type: "function",
    function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } },
  },
];

describe("chat completions", () => {
  it("answers a plain request with the provider's key upstream and never the client token", async () => {
    const res = await client.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hi there" }] });
    expect(res.choices[0]?.message.content).toBe(`${OPENAI_REPLY_PREFIX}hi there`);
    expect(res.usage).toMatchObject({ prompt_tokens: 12, completion_tokens: 5 });
    expectProviderAuthOnly();
    expect(lastRequest().path).toBe("/v1/chat/completions");
  });

  it("passes n, response_format, tools and unknown fields through untouched", async () => {
    const res = await client.chat.completions.create({
      model: "gpt-4o",
      n: 2,
      response_format: { type: "json_object" },
      tools,
      messages: [{ role: "user", content: "please call a tool" }],
      // @ts-expect-error a field the SDK does not know must still reach the provider
      vendor_extension: { keep: true },
    });
    expect(res.choices[0]?.message.tool_calls?.[0]).toMatchObject({
      function: { name: "get_weather", arguments: TOOL_ARGUMENTS },
    });
    expect(lastRequest().body).toMatchObject({
      n: 2,
      response_format: { type: "json_object" },
      tools,
      vendor_extension: { keep: true },
    });
  });

  it("streams deltas, asks upstream for usage, and hides the usage chunk the client did not ask for", async () => {
    const stream = await client.chat.completions.create({
      model: "gpt-4o-mini",
      stream: true,
      messages: [{ role: "user", content: "stream me" }],
    });
    let text = "";
    let chunks = 0;
    for await (const chunk of stream) {
      chunks++;
      expect(chunk.usage ?? null).toBeNull();
      text += chunk.choices[0]?.delta.content ?? "";
    }
    expect(chunks).toBeGreaterThan(2);
    expect(text).toBe(`${OPENAI_REPLY_PREFIX}stream me`);
    expect(lastRequest().body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    expectProviderAuthOnly();
  });

  it("delivers the usage chunk when the client asks for it", async () => {
    const stream = await client.chat.completions.create({
      model: "gpt-4o-mini",
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: "user", content: "count me" }],
    });
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) if (chunk.usage) usage = chunk.usage;
    expect(usage).toMatchObject({ prompt_tokens: 12, completion_tokens: 5 });
  });

  it("streams tool-call argument deltas that reassemble exactly", async () => {
    const stream = client.chat.completions.stream({
      model: "gpt-4o",
      tools,
      messages: [{ role: "user", content: "call a tool now" }],
    });
    const final = await stream.finalChatCompletion();
    expect(final.choices[0]?.message.tool_calls?.[0]).toMatchObject({
      function: { name: "get_weather", arguments: TOOL_ARGUMENTS },
    });
  });
});

describe("responses", () => {
  it("answers non-streamed", async () => {
    const res = await client.responses.create({ model: "gpt-4.1", input: "hello responses" });
    expect(res.output_text).toBe(`${OPENAI_REPLY_PREFIX}hello responses`);
    expect(lastRequest().path).toBe("/v1/responses");
    expectProviderAuthOnly();
  });

  it("relays every stream event type in order", async () => {
    const stream = await client.responses.create({ model: "gpt-4.1", input: "stream responses", stream: true });
    const types: string[] = [];
    let text = "";
    for await (const ev of stream) {
      types.push(ev.type);
      if (ev.type === "response.output_text.delta") text += ev.delta;
    }
    expect(text).toBe(`${OPENAI_REPLY_PREFIX}stream responses`);
    expect(types[0]).toBe("response.created");
    expect(types.at(-1)).toBe("response.completed");
    for (const t of [
      "response.in_progress",
      "response.output_item.added",
      "response.content_part.added",
      "response.output_text.done",
      "response.content_part.done",
      "response.output_item.done",
    ]) {
      expect(types).toContain(t);
    }
  });

  it("streams function-call arguments", async () => {
    const stream = await client.responses.create({
      model: "gpt-4.1",
      input: "call a tool please",
      tools: [{ type: "function", name: "get_weather", parameters: { type: "object", properties: {} }, strict: false }],
      stream: true,
    });
    let args = "";
    for await (const ev of stream) if (ev.type === "response.function_call_arguments.delta") args += ev.delta;
    expect(args).toBe(TOOL_ARGUMENTS);
  });
});

describe("embeddings and models", () => {
  it("embeds", async () => {
    const res = await client.embeddings.create({ model: "text-embedding-3-small", input: ["a", "b"] });
    expect(res.data).toHaveLength(2);
    expect(res.data[0]?.embedding.length).toBeGreaterThan(0);
    expectProviderAuthOnly();
  });

  it("lists only the models this token may use", async () => {
    const narrow = await gw.mintToken({ sub: "narrow", models: ["gpt-4o-mini*", "echo"] });
    const ids = [];
    for await (const m of new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: narrow, maxRetries: 0 }).models.list()) ids.push(m.id);
    expect(ids).toContain("echo");
    expect(ids).toContain("gpt-4o-mini");
    expect(ids).not.toContain("gpt-4o");
    expect(ids.every((id) => id === "echo" || id.startsWith("gpt-4o-mini"))).toBe(true);
  });

  it("retrieves one model, and 404s one the token may not use", async () => {
    const narrow = new OpenAI({
      baseURL: `${gw.url}/v1`,
      apiKey: await gw.mintToken({ sub: "one", models: ["gpt-4o-mini"] }),
      maxRetries: 0,
    });
    expect(await narrow.models.retrieve("gpt-4o-mini")).toMatchObject({ id: "gpt-4o-mini", object: "model", owned_by: "openai" });
    await expect(narrow.models.retrieve("gpt-4o")).rejects.toMatchObject({ status: 404, code: "model_not_found" });
  });

  it("refuses a model outside the token's scope before anything reaches the provider", async () => {
    const narrow = await gw.mintToken({ sub: "narrow2", models: ["gpt-4o-mini"] });
    const c = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: narrow, maxRetries: 0 });
    await expect(
      c.chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: "x" }] }),
    ).rejects.toMatchObject({
      status: 403,
      code: "model_not_allowed",
    });
    expect(upstream.requests).toHaveLength(0);
  });
});

describe("the echo demo model", () => {
  it("answers with what a provider would have received, streamed or not, with no provider at all", async () => {
    const res = await client.chat.completions.create({
      model: "echo",
      messages: [{ role: "user", content: "what do you see?" }],
    });
    expect(JSON.parse(res.choices[0]!.message.content!)).toMatchObject({
      messages: [{ role: "user", content: "what do you see?" }],
    });
    const stream = await client.chat.completions.create({
      model: "echo",
      stream: true,
      messages: [{ role: "user", content: "s" }],
    });
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
    expect(JSON.parse(text)).toMatchObject({ messages: [{ role: "user", content: "s" }] });
    const r = await client.responses.create({ model: "echo", input: "via responses", stream: true });
    const types = [];
    for await (const ev of r) types.push(ev.type);
    expect(types.at(-1)).toBe("response.completed");
    expect(upstream.requests).toHaveLength(0);
  });
});

describe("metering", () => {
  it("settles what the provider reported against the token's ledger", async () => {
    const token = await gw.mintToken({ sub: "metered", models: ["gpt-*"] });
    const c = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: token, maxRetries: 0 });
    await c.chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: "one" }] });
    const stream = await c.chat.completions.create({
      model: "gpt-4o",
      stream: true,
      messages: [{ role: "user", content: "two" }],
    });
    for await (const _ of stream) {
      // drain
    }
    const id = gw.tokenId(token);
    await vi.waitFor(async () => {
      const u = await gw.usage(id);
      expect(u.reserved.count).toBe(0);
      expect(u.total).toMatchObject({ requests: 2, inputTokens: 24, outputTokens: 10 });
      // gpt-4o: $2.50 / $10 per million tokens
      expect(u.total.usd).toBeCloseTo((24 * 2.5 + 10 * 10) / 1e6, 12);
    });
  });
});
