// The detection and policy engine through the real SDKs: what the provider saw, what the client got, in every format.
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type FakeUpstream, startFakeUpstream } from "../fixtures/fake-upstream";
import { type Gateway, startGateway } from "./harness";

// Realistically shaped, fake credentials and PII.
const GITHUB = `ghp_${"R8x2Kq9Lm4Vt7Yw1Za3Bc5De6Fg0Hj2Nk4Pq"}`;
const AWS_ID = "AKIAZ7QXW3RTY5UIKOPL";
const EMAIL = "marie.dubois@example.org";
const PEM = [
  "-----BEGIN RSA PRIVATE KEY-----",
  "MIIEowIBAAKCAQEAq7BFUpkGp3+LQmlQYkLDR5ApX1fV9n7t0mAj2hxp+y1u6u4R",
  "x1K0vVh9bWr5QvG7e3Y8hJ2kL6mN0pQ4rS1tU3vW5xY7zA9bC2dE4fG6hI8jK0lM",
  "-----END RSA PRIVATE KEY-----",
].join("\n");

let upstream: FakeUpstream;
let gw: Gateway;
let openai: OpenAI;
let anthropic: Anthropic;

beforeAll(async () => {
  upstream = await startFakeUpstream({ usage: { input: 10, output: 10 } });
  gw = await startGateway({ upstream });
  openai = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: gw.token, maxRetries: 0 });
  anthropic = new Anthropic({ baseURL: gw.url, apiKey: gw.token, maxRetries: 0 });
});
afterAll(async () => {
  await gw?.close();
  await upstream?.close();
});
beforeEach(() => upstream.reset());

const seen = () => JSON.stringify(upstream.requests.at(-1)?.body);
const setPolicy = async (policy: Record<string, unknown>) => {
  const res = await gw.admin("/admin/orgs/dev/policy", { method: "PUT", body: JSON.stringify(policy) });
  expect(res.status).toBe(200);
};

describe("requests (standard preset)", () => {
  it("redacts secrets and tokenizes PII before the provider; the answer restores the PII for the client", async () => {
    const content = `Deploy with ${GITHUB} and ${AWS_ID}, then mail ${EMAIL}.`;
    const res = await openai.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content }] });
    const sent = seen();
    expect(sent).not.toContain(GITHUB);
    expect(sent).not.toContain(AWS_ID);
    expect(sent).not.toContain(EMAIL);
    expect(sent).toContain("[REDACTED:");
    expect(sent).toMatch(/<EMAIL_1>/);
    const answer = res.choices[0]?.message.content ?? "";
    expect(answer).toContain(EMAIL);
    expect(answer).not.toContain(GITHUB);
  });

  it("covers system prompts, tool definitions, tool-call arguments and tool results", async () => {
    await openai.chat.completions.create({
      model: "gpt-4o-mini",
      messages: [
        { role: "system", content: `Internal: ${GITHUB}` },
        { role: "user", content: "look it up" },
        {
          role: "assistant",
          content: null,
          tool_calls: [{ id: "c1", type: "function", function: { name: "lookup", arguments: JSON.stringify({ key: AWS_ID }) } }],
        },
        { role: "tool", tool_call_id: "c1", content: `owner: ${EMAIL}` },
      ],
      tools: [
        {
          type: "function",
          function: { name: "lookup", description: `uses ${GITHUB}`, parameters: { type: "object", properties: {} } },
        },
      ],
    });
    const sent = seen();
    for (const v of [GITHUB, AWS_ID, EMAIL]) expect(sent).not.toContain(v);
    const body = upstream.requests.at(-1)?.body as { messages: { tool_calls?: { function: { arguments: string } }[] }[] };
    expect(() => JSON.parse(body.messages[2]?.tool_calls?.[0]?.function.arguments ?? "")).not.toThrow();
  });

  it("blocks what the policy blocks with a clear 400 naming kind and location, never the value", async () => {
    const err = await openai.chat.completions
      .create({ model: "gpt-4o-mini", messages: [{ role: "user", content: `here is my key\n${PEM}` }] })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 400, code: "policy_blocked" });
    const message = (err as Error).message;
    expect(message).toContain("private_key");
    expect(message).toContain("messages[0].content");
    expect(message).not.toContain("MIIEow");
    expect(upstream.requests).toHaveLength(0);
  });

  it("applies to the Anthropic format and the Responses API too", async () => {
    await anthropic.messages.create({
      model: "claude-haiku-4-5",
      max_tokens: 50,
      system: `k=${GITHUB}`,
      messages: [{ role: "user", content: `mail ${EMAIL}` }],
    });
    expect(seen()).not.toContain(GITHUB);
    expect(seen()).not.toContain(EMAIL);
    await openai.responses.create({
      model: "gpt-4.1",
      instructions: `k=${GITHUB}`,
      input: [{ role: "user", content: `mail ${EMAIL}` }],
    });
    expect(seen()).not.toContain(GITHUB);
    expect(seen()).not.toContain(EMAIL);
  });

  it("a request header can tighten the policy, never loosen it", async () => {
    const loosen = new OpenAI({
      baseURL: `${gw.url}/v1`,
      apiKey: gw.token,
      maxRetries: 0,
      defaultHeaders: { "x-ringfence-flags": "allow:*" },
    });
    await loosen.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: `use ${GITHUB}` }] });
    expect(seen()).not.toContain(GITHUB);
    const tighten = new OpenAI({
      baseURL: `${gw.url}/v1`,
      apiKey: gw.token,
      maxRetries: 0,
      defaultHeaders: { "x-ringfence-flags": "block:pii.email" },
    });
    await expect(
      tighten.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: `mail ${EMAIL}` }] }),
    ).rejects.toMatchObject({ status: 400, code: "policy_blocked" });
  });

  it("forces store:false to OpenAI (no-train) and says which policy applied", async () => {
    const raw = await openai.chat.completions
      .create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] })
      .withResponse();
    expect(upstream.requests.at(-1)?.body).toMatchObject({ store: false });
    expect(raw.response.headers.get("x-ringfence-policy")).toBe("standard; mode=enforce");
    expect(raw.response.headers.get("x-ringfence-no-train")).toBe("store=false");
  });
});

describe("streamed responses", () => {
  it("restores tokenized PII and keeps secrets redacted, chunk boundaries notwithstanding (OpenAI)", async () => {
    const stream = await openai.chat.completions.create({
      model: "gpt-4o-mini",
      stream: true,
      messages: [{ role: "user", content: `write to ${EMAIL} about ${GITHUB}` }],
    });
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
    expect(text).toContain(EMAIL);
    expect(text).not.toContain(GITHUB);
    expect(text).toContain("[REDACTED:");
  });

  it("restores in the Anthropic stream too", async () => {
    const msg = await anthropic.messages
      .stream({ model: "claude-haiku-4-5", max_tokens: 50, messages: [{ role: "user", content: `ping ${EMAIL}` }] })
      .finalMessage();
    const block = msg.content[0];
    expect(block?.type === "text" ? block.text : "").toContain(EMAIL);
  });
});

describe("org policy", () => {
  afterEach(() => setPolicy({}));

  it("blocks a secret in a streamed answer mid-stream; the SDK surfaces it as an error", async () => {
    // Let the secret reach the (fake) model, which echoes it; the answer must then be stopped.
    await setPolicy({ request: { "secret.*": "flag" }, response: { "secret.*": "block" } });
    const stream = await openai.chat.completions.create({
      model: "gpt-4o-mini",
      stream: true,
      messages: [{ role: "user", content: `repeat ${GITHUB} please` }],
    });
    let text = "";
    await expect(
      (async () => {
        for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
      })(),
    ).rejects.toThrow(/Blocked by policy/);
    expect(text).not.toContain(GITHUB.slice(4, 20));
    const a = anthropic.messages.stream({
      model: "claude-haiku-4-5",
      max_tokens: 50,
      messages: [{ role: "user", content: `repeat ${GITHUB}` }],
    });
    await expect(a.finalMessage()).rejects.toThrow(/Blocked by policy/);
  });

  it("redacts tool-call arguments the model streams, keeping them valid JSON", async () => {
    // The secret reaches the (fake) model, which puts it in the arguments of the tool call it streams back.
    await setPolicy({ request: { "secret.*": "flag" } });
    const final = await openai.chat.completions
      .stream({
        model: "gpt-4o-mini",
        tools: [{ type: "function", function: { name: "get_weather", parameters: { type: "object", properties: {} } } }],
        messages: [{ role: "user", content: `call a tool with ${GITHUB}` }],
      })
      .finalChatCompletion();
    expect(seen()).toContain(GITHUB);
    const call = final.choices[0]?.message.tool_calls?.[0];
    const args = call?.type === "function" ? call.function.arguments : "";
    expect(args).not.toContain(GITHUB);
    expect(JSON.parse(args)).toMatchObject({ city: "Paris", note: expect.stringContaining("[REDACTED:") });
  });

  it("shadow mode changes nothing, and says so on every response", async () => {
    await setPolicy({ mode: "shadow" });
    const raw = await openai.chat.completions
      .create({ model: "gpt-4o-mini", messages: [{ role: "user", content: `k ${GITHUB}` }] })
      .withResponse();
    expect(seen()).toContain(GITHUB);
    expect(raw.response.headers.get("x-ringfence-policy")).toBe("standard; mode=shadow");
    expect(raw.response.headers.get("x-ringfence-findings")).toMatch(/secret\.\w+=redact/);
  });

  it("regulated refuses providers not marked zero-retention", async () => {
    await setPolicy({ preset: "regulated" });
    await expect(
      openai.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] }),
    ).rejects.toMatchObject({ status: 403 });
    expect(upstream.requests).toHaveLength(0);
    await gw.admin("/admin/orgs/dev/providers/openai", { method: "PUT", body: JSON.stringify({ zeroRetention: true }) });
    const ok = await openai.chat.completions
      .create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] })
      .withResponse();
    expect(upstream.requests).toHaveLength(1);
    expect(ok.response.headers.get("x-ringfence-no-train")).toBe("zero-retention route, store=false");
    await gw.admin("/admin/orgs/dev/providers/openai", { method: "PUT", body: JSON.stringify({ zeroRetention: false }) });
    await setPolicy({ preset: "standard" });
  });
});
