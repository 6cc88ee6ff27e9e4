// Code mode's policy: presets, org overrides (limits merged key by key), the egress allow-list, and the MACs that bind
// a job and its tool props to the gateway.
import { describe, expect, it } from "vitest";
import { hostAllowed } from "../../src/codemode/egress-hosts";
import { mac, macKey, macMatches } from "../../src/crypto/mac";
import { codemodeAccess } from "../../src/mcp/acl";
import { PRESETS } from "../../src/policy/presets";
import { compilePolicy } from "../../src/policy/resolve";
import { PolicyOverrideSchema, PolicySchema } from "../../src/policy/schema";

describe("code mode policy", () => {
  it("every preset enables code mode with no network and parses as a policy", () => {
    for (const preset of Object.values(PRESETS)) {
      expect(PolicySchema.parse(preset)).toEqual(preset);
      expect(preset.codemode.enabled).toBe(true);
      expect(preset.codemode.egress).toEqual([]);
    }
    // Stricter presets never allow more.
    expect(PRESETS.regulated.codemode.limits.toolCalls).toBeLessThan(PRESETS.standard.codemode.limits.toolCalls);
    expect(PRESETS.regulated.codemode.limits.wallMs).toBeLessThan(PRESETS.standard.codemode.limits.wallMs);
  });

  it("an override changes only what it names", () => {
    const override = PolicyOverrideSchema.parse({ codemode: { egress: ["api.example.com"], limits: { toolCalls: 3 } } });
    const p = compilePolicy("standard", override);
    expect(p.codemode.egress).toEqual(["api.example.com"]);
    expect(p.codemode.limits).toEqual({ ...PRESETS.standard.codemode.limits, toolCalls: 3 });
    expect(p.codemode.enabled).toBe(true);
    expect(compilePolicy("standard", PolicyOverrideSchema.parse({ codemode: { enabled: false } })).codemode.enabled).toBe(false);
  });

  it("refuses unknown limits, out-of-range limits and egress entries that are not host names", () => {
    for (const bad of [
      { codemode: { limits: { memoryMb: 10 } } },
      { codemode: { limits: { wallMs: 10 } } },
      { codemode: { limits: { toolCalls: -1 } } },
      { codemode: { egress: ["https://api.example.com"] } },
      { codemode: { egress: ["api.example.com/path"] } },
      { codemode: { egress: ["*"] } },
      { codemode: { egress: ["*.*.example.com"] } },
      { codemode: { sandbox: false } },
    ]) {
      expect(PolicyOverrideSchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });
});

describe("code mode in a token's scope", () => {
  it("needs codemode/execute, named or globbed; a token scoped to tools only does not get it", () => {
    expect(codemodeAccess(["*/*"]).ok).toBe(true);
    expect(codemodeAccess(["codemode/execute"]).ok).toBe(true);
    expect(codemodeAccess(["codemode/*", "github/*"]).ok).toBe(true);
    expect(codemodeAccess(["github/*"])).toMatchObject({ ok: false, step: "token_scope" });
    expect(codemodeAccess([])).toMatchObject({ ok: false, step: "token_scope" });
    expect(codemodeAccess(undefined)).toMatchObject({ ok: false, step: "token_scope" });
  });
});

describe("egress allow-list", () => {
  const allowed = (list: string[], url: string) => hostAllowed(list, new URL(url));

  it("matches exact hosts, subdomain wildcards (not the bare domain) and ports", () => {
    expect(allowed(["api.example.com"], "https://api.example.com/v1?q=1")).toBe(true);
    expect(allowed(["api.example.com"], "https://API.Example.com/")).toBe(true);
    expect(allowed(["api.example.com"], "https://example.com/")).toBe(false);
    expect(allowed(["api.example.com"], "https://api.example.com.evil.test/")).toBe(false);
    expect(allowed(["*.example.com"], "https://a.b.example.com/")).toBe(true);
    expect(allowed(["*.example.com"], "https://example.com/")).toBe(false);
    expect(allowed(["*.example.com"], "https://badexample.com/")).toBe(false);
    expect(allowed(["api.example.com:8443"], "https://api.example.com:8443/")).toBe(true);
    expect(allowed(["api.example.com:8443"], "https://api.example.com/")).toBe(false);
    expect(allowed(["api.example.com:443"], "https://api.example.com/")).toBe(true);
    expect(allowed([], "https://api.example.com/")).toBe(false);
  });
});

describe("MACs binding a job to the gateway", () => {
  const secret = btoa(String.fromCharCode(...new Uint8Array(32).fill(7)));

  it("verifies what was signed, and nothing else", async () => {
    const key = await macKey(secret, "ringfence codemode job");
    const tag = await mac(key, '{"module":"x"}');
    expect(await macMatches(key, '{"module":"x"}', tag)).toBe(true);
    expect(await macMatches(key, '{"module":"y"}', tag)).toBe(false);
    expect(await macMatches(key, '{"module":"x"}', `${tag.slice(0, -1)}A`)).toBe(tag.endsWith("A"));
    expect(await macMatches(key, '{"module":"x"}', "")).toBe(false);
  });

  it("keys for different purposes differ, so a tools MAC is no job MAC", async () => {
    const job = await macKey(secret, "ringfence codemode job");
    const tools = await macKey(secret, "ringfence codemode tools");
    expect(await macMatches(job, "same text", await mac(tools, "same text"))).toBe(false);
  });
});
