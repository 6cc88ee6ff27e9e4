// The unmodified `@anthropic-ai/sdk` through the gateway (base URL = the root) to a fake Anthropic on 127.0.0.1.
import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { ANTHROPIC_REPLY_PREFIX, type FakeUpstream, startFakeUpstream, TOOL_ARGUMENTS } from "../fixtures/fake-upstream";
import { type Gateway, startGateway } from "./harness";

const PROVIDER_KEY = "sk-ant-upstream-key";
let upstream: FakeUpstream;
let gw: Gateway;
let client: Anthropic;

beforeAll(async () => {
  upstream = await startFakeUpstream({ usage: { input: 20, output: 8 } });
  gw = await startGateway({ upstream, providerKeys: { anthropic: PROVIDER_KEY } });
  client = new Anthropic({ baseURL: gw.url, apiKey: gw.token, maxRetries: 0 });
});
afterAll(async () => {
  await gw?.close();
  await upstream?.close();
});
beforeEach(() => upstream.reset());

const lastRequest = () => upstream.requests.at(-1)!;

function expectProviderAuthOnly() {
  const seen = lastRequest();
  expect(seen.headers["x-api-key"]).toBe(PROVIDER_KEY);
  expect(seen.headers["anthropic-version"]).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  expect(seen.headers.authorization).toBeUndefined();
  expect(JSON.stringify(seen)).not.toContain(gw.token);
}

const weather: Anthropic.Tool = {
  name: "get_weather",
  input_schema: { type: "object", properties: { city: { type: "string" } } },
};

describe("messages", () => {
  it("answers non-streamed with the org's key upstream", async () => {
    const msg = await client.messages.create({
      model: "claude-sonnet-4-5",
      max_tokens: 100,
      messages: [{ role: "user", content: "bonjour" }],
    });
    expect(msg.content[0]).toMatchObject({ type: "text", text: `${ANTHROPIC_REPLY_PREFIX}bonjour` });
    expect(msg.usage).toMatchObject({ input_tokens: 20, output_tokens: 8 });
    expect(lastRequest().path).toBe("/v1/messages");
    expectProviderAuthOnly();
  });

  it("streams every event and reassembles the text", async () => {
    const stream = client.messages.stream({
      model: "claude-haiku-4-5",
      max_tokens: 50,
      messages: [{ role: "user", content: "stream it" }],
    });
    const types: string[] = [];
    stream.on("streamEvent", (ev) => types.push(ev.type));
    const final = await stream.finalMessage();
    expect(final.content[0]).toMatchObject({ type: "text", text: `${ANTHROPIC_REPLY_PREFIX}stream it` });
    expect(types[0]).toBe("message_start");
    expect(types.at(-1)).toBe("message_stop");
    expect(types).toContain("message_delta");
    expect(final.usage.output_tokens).toBe(8);
    expectProviderAuthOnly();
  });

  it("returns tool_use blocks, streamed input JSON included", async () => {
    const msg = await client.messages.create({
      model: "claude-sonnet-4-5",
      max_tokens: 100,
      tools: [weather],
      messages: [{ role: "user", content: "call a tool" }],
    });
    expect(msg.content.find((b) => b.type === "tool_use")).toMatchObject({
      name: "get_weather",
      input: JSON.parse(TOOL_ARGUMENTS),
    });
    const final = await client.messages
      .stream({
        model: "claude-sonnet-4-5",
        max_tokens: 100,
        tools: [weather],
        messages: [{ role: "user", content: "call a tool" }],
      })
      .finalMessage();
    expect(final.content.find((b) => b.type === "tool_use")).toMatchObject({ input: JSON.parse(TOOL_ARGUMENTS) });
  });

  it("counts tokens through the provider without metering", async () => {
    const res = await client.messages.countTokens({ model: "claude-sonnet-4-5", messages: [{ role: "user", content: "count" }] });
    expect(res.input_tokens).toBeGreaterThan(0);
    expect(lastRequest().path).toBe("/v1/messages/count_tokens");
    expectProviderAuthOnly();
  });

  it("serves the echo model in the Anthropic format, streamed too", async () => {
    const msg = await client.messages.create({
      model: "echo",
      max_tokens: 10,
      system: "be brief",
      messages: [{ role: "user", content: "seen?" }],
    });
    const block = msg.content[0];
    expect(block?.type).toBe("text");
    expect(JSON.parse(block?.type === "text" ? block.text : "{}")).toMatchObject({
      system: "be brief",
      messages: [{ content: "seen?" }],
    });
    const final = await client.messages
      .stream({ model: "echo", max_tokens: 10, messages: [{ role: "user", content: "s" }] })
      .finalMessage();
    expect(final.stop_reason).toBe("end_turn");
    expect(upstream.requests).toHaveLength(0);
  });

  it("meters streamed usage from message_start and message_delta", async () => {
    const token = await gw.mintToken({ sub: "claude-metered", models: ["claude-*"] });
    const c = new Anthropic({ baseURL: gw.url, apiKey: token, maxRetries: 0 });
    await c.messages
      .stream({ model: "claude-sonnet-4-5", max_tokens: 64, messages: [{ role: "user", content: "m" }] })
      .finalMessage();
    const id = gw.tokenId(token);
    await vi.waitFor(async () => {
      const u = await gw.usage(id);
      expect(u.reserved.count).toBe(0);
      expect(u.total).toMatchObject({ requests: 1, inputTokens: 20, outputTokens: 8 });
      expect(u.total.usd).toBeCloseTo((20 * 3 + 8 * 15) / 1e6, 12);
    });
  });
});
