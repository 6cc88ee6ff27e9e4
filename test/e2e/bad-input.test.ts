// Every bad input and upstream fault gets a clear error in the API's shape, and leaves the ledger exact.
import Anthropic from "@anthropic-ai/sdk";
import { generateKeyPair, SignJWT } from "jose";
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { type FakeUpstream, startFakeUpstream } from "../fixtures/fake-upstream";
import { type Gateway, startGateway } from "./harness";

let upstream: FakeUpstream;
let gw: Gateway;

beforeAll(async () => {
  upstream = await startFakeUpstream({ usage: { input: 10, output: 4 } });
  gw = await startGateway({
    upstream,
    providerKeys: { openai: "sk-up", anthropic: "sk-ant-up" },
    vars: { RINGFENCE_MAX_BODY_BYTES: "65536", RINGFENCE_UPSTREAM_TIMEOUT_MS: "1500", RINGFENCE_STREAM_IDLE_TIMEOUT_MS: "1500" },
  });
});
afterAll(async () => {
  await gw?.close();
  await upstream?.close();
});
beforeEach(() => upstream.reset());

const chatBody = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }], max_tokens: 16, ...extra });

async function post(path: string, body: string, headers: Record<string, string> = {}, token = gw.token) {
  const res = await fetch(`${gw.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}`, ...headers },
    body,
  });
  return { res, json: (await res.json()) as Record<string, unknown> & { error: Record<string, unknown> } };
}

/** A fresh token per test, so its ledger shows exactly what that test's requests cost. */
async function freshToken() {
  const token = await gw.mintToken({ sub: `t-${crypto.randomUUID()}`, models: ["*"] });
  return { token, id: gw.tokenId(token) };
}

async function expectLedger(id: string, total: { requests: number; inputTokens: number; outputTokens: number }) {
  await vi.waitFor(async () => {
    const u = await gw.usage(id);
    expect(u.reserved.count).toBe(0);
    expect(u.total).toMatchObject(total);
  });
}

const NOTHING = { requests: 0, inputTokens: 0, outputTokens: 0 };

describe("bad requests", () => {
  it("malformed JSON: 400 in the OpenAI shape, and in the Anthropic shape on /v1/messages", async () => {
    const { token, id } = await freshToken();
    const a = await post("/v1/chat/completions", "{not json", {}, token);
    expect(a.res.status).toBe(400);
    expect(a.json.error).toMatchObject({ type: "invalid_request_error", code: "invalid_json" });
    expect(a.res.headers.get("x-request-id")).toMatch(/^req_/);
    const b = await post("/v1/messages", "{not json", {}, token);
    expect(b.res.status).toBe(400);
    expect(b.json).toMatchObject({ type: "error", error: { type: "invalid_request_error" } });
    await expectLedger(id, NOTHING);
    expect(upstream.requests).toHaveLength(0);
  });

  it("wrong content type: 415", async () => {
    const { res, json } = await post("/v1/chat/completions", chatBody(), { "content-type": "text/plain" });
    expect(res.status).toBe(415);
    expect(json.error.code).toBe("unsupported_media_type");
  });

  it("a body over the documented limit: 413, without reaching the provider", async () => {
    const big = chatBody({ messages: [{ role: "user", content: "x".repeat(70_000) }] });
    const { res, json } = await post("/v1/chat/completions", big);
    expect(res.status).toBe(413);
    expect(json.error.message).toContain("65536");
    expect(upstream.requests).toHaveLength(0);
  });

  it("a schema violation names the parameter", async () => {
    const { res, json } = await post("/v1/chat/completions", JSON.stringify({ model: "gpt-4o-mini" }));
    expect(res.status).toBe(400);
    expect(json.error.param).toBe("messages");
  });

  it("unknown model: 404 model_not_found in both shapes", async () => {
    const { res, json } = await post("/v1/chat/completions", chatBody({ model: "no-such-model" }));
    expect(res.status).toBe(404);
    expect(json.error).toMatchObject({ code: "model_not_found", param: "model" });
    const anthropic = new Anthropic({ baseURL: gw.url, apiKey: gw.token, maxRetries: 0 });
    await expect(
      anthropic.messages.create({ model: "no-such-model", max_tokens: 5, messages: [{ role: "user", content: "x" }] }),
    ).rejects.toMatchObject({
      status: 404,
      error: { type: "error", error: { type: "not_found_error" } },
    });
  });
});

describe("bad tokens", () => {
  it("missing: 401 with a challenge", async () => {
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: chatBody(),
    });
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toContain("Bearer");
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("missing_token");
  });

  it("forged (right claims, another key) and garbage: 401 invalid_token", async () => {
    const { privateKey } = await generateKeyPair("EdDSA");
    const real = gw.claims(gw.token);
    const forged = await new SignJWT({ ...real }).setProtectedHeader({ alg: "EdDSA", kid: gw.kid(gw.token) }).sign(privateKey);
    for (const token of [forged, "not.a.jwt", `${gw.token.slice(0, -4)}AAAA`]) {
      const { res, json } = await post("/v1/chat/completions", chatBody(), {}, token);
      expect(res.status).toBe(401);
      expect(json.error.code).toBe("invalid_token");
    }
    expect(upstream.requests).toHaveLength(0);
  });

  it("expired: 401 token_expired", async () => {
    const token = await gw.mintToken({ sub: "short", models: ["*"], ttlSeconds: 1 });
    await vi.waitFor(
      async () => {
        const { res, json } = await post("/v1/chat/completions", chatBody({ model: "echo" }), {}, token);
        expect(res.status).toBe(401);
        expect(json.error.code).toBe("token_expired");
      },
      { timeout: 5000, interval: 250 },
    );
  });

  it("revoked: refused on the very next request, children included", async () => {
    const { token, id } = await freshToken();
    const child = await gw.attenuate(token, { models: ["echo"] });
    expect((await post("/v1/chat/completions", chatBody({ model: "echo" }), {}, child)).res.status).toBe(200);
    await gw.revoke(id);
    for (const t of [token, child]) {
      const { res, json } = await post("/v1/chat/completions", chatBody({ model: "echo" }), {}, t);
      expect(res.status).toBe(401);
      expect(json.error.code).toBe("token_revoked");
    }
    const models = await fetch(`${gw.url}/v1/models`, { headers: { authorization: `Bearer ${token}` } });
    expect(models.status).toBe(401);
  });
});

describe("upstream faults", () => {
  it("a provider 400 comes back as 400 with its message; nothing is charged", async () => {
    const { token, id } = await freshToken();
    upstream.nextFault({
      kind: "status",
      status: 400,
      body: { error: { message: "bad temperature", type: "invalid_request_error", code: null, param: "temperature" } },
    });
    const { res, json } = await post("/v1/chat/completions", chatBody(), {}, token);
    expect(res.status).toBe(400);
    expect(json.error.message).toContain("bad temperature");
    await expectLedger(id, NOTHING);
  });

  it("a provider 500 becomes 502, a 429 keeps its retry-after; nothing is charged", async () => {
    const { token, id } = await freshToken();
    upstream.nextFault({ kind: "status", status: 500 });
    expect((await post("/v1/chat/completions", chatBody(), {}, token)).res.status).toBe(502);
    upstream.nextFault({ kind: "status", status: 429, headers: { "retry-after": "7" } });
    const limited = await post("/v1/chat/completions", chatBody(), {}, token);
    expect(limited.res.status).toBe(429);
    expect(limited.res.headers.get("retry-after")).toBe("7");
    await expectLedger(id, NOTHING);
  });

  it("a provider that does not answer in time: 504; nothing is charged", async () => {
    const { token, id } = await freshToken();
    upstream.nextFault({ kind: "delay", ms: 4000 });
    const { res, json } = await post("/v1/chat/completions", chatBody(), {}, token);
    expect(res.status).toBe(504);
    expect(json.error.code).toBe("upstream_timeout");
    await expectLedger(id, NOTHING);
  });

  it("a connection reset mid-stream surfaces in the OpenAI SDK as an error; the ledger charges the input and what was streamed", async () => {
    const { token, id } = await freshToken();
    const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: token, maxRetries: 0 });
    upstream.nextFault({ kind: "reset-after-chunks", chunks: 3 });
    const stream = await client.chat.completions.create({
      model: "gpt-4o-mini",
      stream: true,
      max_tokens: 16,
      messages: [{ role: "user", content: "hi" }],
    });
    let text = "";
    await expect(
      (async () => {
        for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
      })(),
    ).rejects.toThrow(/Upstream stream failed/);
    expect(text.length).toBeGreaterThan(0);
    const u = await vi.waitFor(async () => {
      const u = await gw.usage(id);
      expect(u.reserved.count).toBe(0);
      expect(u.total.requests).toBe(1);
      return u;
    });
    // No usage arrived: input is charged at the reservation's estimate, output at what was streamed (4 chars a token).
    expect(u.total.outputTokens).toBe(Math.ceil(text.length / 4));
    expect(u.total.inputTokens).toBeGreaterThan(0);
  });

  it("a reset mid-stream surfaces in the Anthropic SDK as an error event", async () => {
    const client = new Anthropic({ baseURL: gw.url, apiKey: gw.token, maxRetries: 0 });
    upstream.nextFault({ kind: "reset-after-chunks", chunks: 3 });
    await expect(
      client.messages
        .stream({ model: "claude-sonnet-4-5", max_tokens: 16, messages: [{ role: "user", content: "hi" }] })
        .finalMessage(),
    ).rejects.toThrow(/Upstream stream failed/);
  });

  it("a stream that goes silent ends with a timeout error event", async () => {
    const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: gw.token, maxRetries: 0 });
    upstream.nextFault({ kind: "hang-after-chunks", chunks: 2 });
    const stream = await client.responses.create({ model: "gpt-4.1", input: "hi", stream: true });
    await expect(
      (async () => {
        for await (const _ of stream) {
          // drain
        }
      })(),
    ).rejects.toThrow(/did not answer within 1500 ms/);
  });

  it("malformed SSE from the provider ends the stream with a clean error", async () => {
    const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: gw.token, maxRetries: 0 });
    upstream.nextFault({ kind: "malformed-sse" });
    const stream = await client.chat.completions.create({
      model: "gpt-4o-mini",
      stream: true,
      messages: [{ role: "user", content: "x" }],
    });
    await expect(
      (async () => {
        for await (const _ of stream) {
          // drain
        }
      })(),
    ).rejects.toThrow(/malformed event from the provider/);
  });
});
