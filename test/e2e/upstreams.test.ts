// OpenAI-compatible upstreams registered per org (Ollama, vLLM, OpenRouter, Azure…): routed by model glob, SSRF-checked.
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type FakeUpstream, OPENAI_REPLY_PREFIX, startFakeUpstream } from "../fixtures/fake-upstream";
import { type Gateway, startGateway } from "./harness";

let upstream: FakeUpstream;
let gw: Gateway;
let client: OpenAI;

beforeAll(async () => {
  upstream = await startFakeUpstream({ usage: { input: 2, output: 2 } });
  // No first-class provider keys: only registered upstreams and echo are reachable.
  gw = await startGateway({ upstream, providerKeys: {} });
  client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: gw.token, maxRetries: 0 });
});
afterAll(async () => {
  await gw?.close();
  await upstream?.close();
});
beforeEach(() => upstream.reset());

const put = (name: string, body: unknown) =>
  gw.admin(`/admin/orgs/dev/upstreams/${name}`, { method: "PUT", body: JSON.stringify(body) });

describe("registered upstreams", () => {
  it("routes by glob, strips the prefix, and sends the upstream's own key", async () => {
    expect(
      (await put("local", { baseUrl: upstream.openaiBase, apiKey: "sk-local", models: ["local/*"], stripPrefix: "local/" }))
        .status,
    ).toBe(200);
    const res = await client.chat.completions.create({ model: "local/llama3.1", messages: [{ role: "user", content: "hey" }] });
    expect(res.choices[0]?.message.content).toBe(`${OPENAI_REPLY_PREFIX}hey`);
    const seen = upstream.requests.at(-1)!;
    expect(seen.body).toMatchObject({ model: "llama3.1" });
    expect(seen.headers.authorization).toBe("Bearer sk-local");
  });

  it("can carry the key in another header, as Azure OpenAI expects", async () => {
    await put("azure", {
      baseUrl: upstream.openaiBase,
      apiKey: "azure-key",
      apiKeyHeader: "api-key",
      models: ["azure/*"],
      stripPrefix: "azure/",
    });
    await client.chat.completions.create({ model: "azure/gpt-4o", messages: [{ role: "user", content: "x" }] });
    const seen = upstream.requests.at(-1)!;
    expect(seen.headers["api-key"]).toBe("azure-key");
    expect(seen.headers.authorization).toBeUndefined();
  });

  it("never shows a stored key back through the admin API", async () => {
    const res = await gw.admin("/admin/orgs/dev");
    const text = await res.text();
    expect(text).not.toContain("sk-local");
    expect(text).not.toContain("azure-key");
    expect(JSON.parse(text).org.upstreams[0]).toMatchObject({ name: "local", apiKey: "set" });
  });

  it("refuses upstream URLs that would reach private networks or skip TLS", async () => {
    for (const baseUrl of [
      "http://api.example.com/v1",
      "https://10.0.0.8/v1",
      "https://169.254.169.254/v1",
      "https://metadata.internal/v1",
    ]) {
      const res = await put("evil", { baseUrl, models: ["evil/*"] });
      expect(res.status).toBe(403);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("upstream_blocked");
    }
    const provider = await gw.admin("/admin/orgs/dev/providers/openai", {
      method: "PUT",
      body: JSON.stringify({ baseUrl: "http://192.168.1.1/v1" }),
    });
    expect(provider.status).toBe(403);
  });

  it("a first-class provider without a key is an unknown model, not a call with no credentials", async () => {
    await expect(
      client.chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: "x" }] }),
    ).rejects.toMatchObject({
      status: 404,
      code: "model_not_found",
    });
    expect(upstream.requests).toHaveLength(0);
  });

  it("lists registered models and echo", async () => {
    await put("named", { baseUrl: upstream.openaiBase, models: ["mistral-small"] });
    const ids = [];
    for await (const m of client.models.list()) ids.push(m.id);
    expect(ids).toEqual(expect.arrayContaining(["echo", "mistral-small"]));
    expect(ids).not.toContain("gpt-4o");
  });
});
