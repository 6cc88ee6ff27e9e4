import { describe, expect, it } from "vitest";
import { RingfenceError } from "../../src/errors";
import { costUsd, priceFor } from "../../src/providers/pricing";
import { resolveRoute } from "../../src/providers/route";
import type { OrgConfig } from "../../src/registry/config";

const sealed = { iv: "aXY", data: "ZGF0YQ" };
const base: OrgConfig = {
  id: "acme",
  name: "Acme",
  preset: "standard",
  createdAt: 0,
  version: 1,
  providers: { openai: { apiKey: sealed }, anthropic: { apiKey: sealed, baseUrl: "https://anthropic.example.com/" } },
  upstreams: [
    { name: "ollama", baseUrl: "http://127.0.0.1:11434/v1/", models: ["ollama/*"], stripPrefix: "ollama/", zeroRetention: true },
  ],
  pricing: { "gpt-4o": { input: 1, output: 2 } },
  mcpServers: [],
  toolPins: {},
  toolEvents: [],
};
const defaults = { openaiUrl: "https://api.openai.com/v1", anthropicUrl: "https://api.anthropic.com" };

function failureOf(fn: () => unknown) {
  try {
    fn();
  } catch (err) {
    if (err instanceof RingfenceError) return err.failure;
  }
  throw new Error("expected a RingfenceError");
}

describe("resolveRoute", () => {
  it("routes OpenAI and Anthropic families to their providers with the org's key", () => {
    const gpt = resolveRoute("gpt-4o-mini", base, defaults);
    expect(gpt).toMatchObject({
      provider: "openai",
      format: "openai",
      baseUrl: "https://api.openai.com/v1",
      credentialContext: "acme/provider/openai",
    });
    const claude = resolveRoute("claude-sonnet-4-5-20250929", base, defaults);
    expect(claude).toMatchObject({
      provider: "anthropic",
      baseUrl: "https://anthropic.example.com",
      price: { input: 3, output: 15 },
    });
  });

  it("routes registered upstreams by glob, strips their prefix, and prices them at zero unless overridden", () => {
    const r = resolveRoute("ollama/llama3.1", base, defaults);
    expect(r).toMatchObject({ provider: "ollama", format: "openai", model: "llama3.1", baseUrl: "http://127.0.0.1:11434/v1" });
    expect(r.price).toEqual({ input: 0, output: 0 });
  });

  it("applies org pricing overrides before the built-in table", () => {
    expect(resolveRoute("gpt-4o", base, defaults).price).toEqual({ input: 1, output: 2 });
    expect(resolveRoute("gpt-4o-2024-08-06", base, defaults).price).toEqual({ input: 1, output: 2 });
  });

  it("refuses unknown models and providers without a key, naming why", () => {
    expect(failureOf(() => resolveRoute("mystery-model", base, defaults))).toMatchObject({
      kind: "unknown_model",
      model: "mystery-model",
    });
    const noKeys = { ...base, providers: {} };
    expect(failureOf(() => resolveRoute("gpt-4o", noKeys, defaults))).toMatchObject({
      kind: "unknown_model",
      reason: expect.stringContaining("no openai API key"),
    });
  });

  it("serves the echo demo model without any provider", () => {
    expect(resolveRoute("echo", { ...base, providers: {} }, defaults)).toMatchObject({ provider: "echo", format: "echo" });
  });
});

describe("pricing", () => {
  it("prices dated snapshots like their family and computes USD per million tokens", () => {
    const p = priceFor("gpt-4o-mini-2024-07-18", {});
    expect(p).toMatchObject({ input: 0.15, output: 0.6 });
    expect(costUsd(p!, 1_000_000, 1_000_000)).toBeCloseTo(0.75, 10);
    expect(priceFor("claude-opus-4-1-20250805", {})).toMatchObject({ input: 15, output: 75 });
    expect(priceFor("unheard-of", {})).toBeNull();
  });
});
