import { describe, expect, it } from "vitest";
import { admitToolCall, argsHash, COUNTER_IDLE_MS, type LoopLimits, LoopLimitsSchema, newLoopState } from "../../src/mcp/loop";

const T0 = 1_700_000_000_000;
const base = { token: "tok1", session: "s1", server: "fs", tool: "read_file", argsHash: "h1" };
const loose: LoopLimits = { maxRepeats: 1000, windowSeconds: 60 };

describe("admitToolCall: loop guard", () => {
  const limits: LoopLimits = { maxRepeats: 3, windowSeconds: 60 };

  it("admits maxRepeats identical calls in the window, refuses the next until the oldest leaves", () => {
    const s = newLoopState();
    for (let i = 0; i < 3; i++) expect(admitToolCall(s, base, limits, T0 + i * 1000).ok).toBe(true);
    const refused = admitToolCall(s, base, limits, T0 + 3000);
    expect(refused).toMatchObject({ ok: false, limit: "loop", retryAfterSeconds: 57 });
    if (!refused.ok) expect(refused.message).toContain("fs/read_file");
    expect(admitToolCall(s, base, limits, T0 + 59_999).ok).toBe(false);
    expect(admitToolCall(s, base, limits, T0 + 60_000).ok).toBe(true);
  });

  it("counts only identical calls: other arguments, tools or tokens are separate", () => {
    const s = newLoopState();
    for (let i = 0; i < 3; i++) admitToolCall(s, base, limits, T0);
    expect(admitToolCall(s, { ...base, argsHash: "h2" }, limits, T0).ok).toBe(true);
    expect(admitToolCall(s, { ...base, tool: "list_dir" }, limits, T0).ok).toBe(true);
    expect(admitToolCall(s, { ...base, token: "tok2" }, limits, T0).ok).toBe(true);
    // A new session of the same token is still the same loop.
    expect(admitToolCall(s, { ...base, session: "s2" }, limits, T0).ok).toBe(false);
  });

  it("a refused call leaves no trace", () => {
    const s = newLoopState();
    for (let i = 0; i < 3; i++) admitToolCall(s, base, limits, T0);
    for (let i = 0; i < 50; i++) expect(admitToolCall(s, base, limits, T0 + 1000 + i).ok).toBe(false);
    // Had the refusals counted, the window would still be full at T0 + 60 s.
    expect(admitToolCall(s, base, limits, T0 + 60_000).ok).toBe(true);
  });
});

describe("admitToolCall: ceilings", () => {
  it("refuses the session's call past maxCallsPerSession; another session goes on", () => {
    const s = newLoopState();
    const limits: LoopLimits = { ...loose, maxCallsPerSession: 2 };
    expect(admitToolCall(s, { ...base, argsHash: "a" }, limits, T0).ok).toBe(true);
    expect(admitToolCall(s, { ...base, argsHash: "b" }, limits, T0).ok).toBe(true);
    const r = admitToolCall(s, { ...base, argsHash: "c" }, limits, T0 + 10);
    expect(r).toMatchObject({ ok: false, limit: "session_calls" });
    if (!r.ok) expect(r.retryAfterSeconds).toBe(Math.ceil((COUNTER_IDLE_MS - 10) / 1000));
    expect(admitToolCall(s, { ...base, session: "s2", argsHash: "c" }, limits, T0).ok).toBe(true);
  });

  it("refuses the token's call past maxCallsPerToken across sessions", () => {
    const s = newLoopState();
    const limits: LoopLimits = { ...loose, maxCallsPerToken: 3 };
    for (let i = 0; i < 3; i++)
      expect(admitToolCall(s, { ...base, session: `s${i}`, argsHash: `${i}` }, limits, T0).ok).toBe(true);
    expect(admitToolCall(s, { ...base, session: "s9", argsHash: "x" }, limits, T0)).toMatchObject({
      ok: false,
      limit: "token_calls",
    });
    expect(admitToolCall(s, { ...base, token: "other", argsHash: "x" }, limits, T0).ok).toBe(true);
  });

  it("a counter idle for COUNTER_IDLE_MS starts again", () => {
    const s = newLoopState();
    const limits: LoopLimits = { ...loose, maxCallsPerToken: 1 };
    expect(admitToolCall(s, base, limits, T0).ok).toBe(true);
    expect(admitToolCall(s, base, limits, T0 + COUNTER_IDLE_MS - 1).ok).toBe(false);
    expect(admitToolCall(s, base, limits, T0 + COUNTER_IDLE_MS).ok).toBe(true);
  });
});

describe("admitToolCall: tool rates", () => {
  const limits: LoopLimits = { ...loose, toolRatePerMinute: { "fs/*": 10, "*/delete_*": 1 } };

  it("admits a burst of n per minute, then one every 60/n seconds", () => {
    const s = newLoopState();
    for (let i = 0; i < 10; i++) expect(admitToolCall(s, { ...base, argsHash: `${i}` }, limits, T0).ok).toBe(true);
    const r = admitToolCall(s, { ...base, argsHash: "x" }, limits, T0);
    expect(r).toMatchObject({ ok: false, limit: "tool_rate", retryAfterSeconds: 6 });
    if (!r.ok) expect(r.message).toContain("fs/*");
    expect(admitToolCall(s, { ...base, argsHash: "x" }, limits, T0 + 5_999).ok).toBe(false);
    expect(admitToolCall(s, { ...base, argsHash: "x" }, limits, T0 + 6_000).ok).toBe(true);
  });

  it("every matching glob must admit; others are not charged", () => {
    const s = newLoopState();
    const del = { ...base, tool: "delete_file" };
    expect(admitToolCall(s, del, limits, T0).ok).toBe(true);
    expect(admitToolCall(s, { ...del, argsHash: "2" }, limits, T0 + 1000)).toMatchObject({ ok: false, retryAfterSeconds: 59 });
    // The refused delete charged nothing to "fs/*": nine more fs calls still fit.
    for (let i = 0; i < 9; i++) expect(admitToolCall(s, { ...base, argsHash: `${i}` }, limits, T0 + 1000).ok).toBe(true);
    expect(admitToolCall(s, { ...base, server: "git", tool: "log" }, limits, T0).ok).toBe(true);
  });

  it("rates are per token", () => {
    const s = newLoopState();
    const one: LoopLimits = { ...loose, toolRatePerMinute: { "fs/*": 1 } };
    expect(admitToolCall(s, base, one, T0).ok).toBe(true);
    expect(admitToolCall(s, { ...base, argsHash: "2" }, one, T0).ok).toBe(false);
    expect(admitToolCall(s, { ...base, token: "tok2" }, one, T0).ok).toBe(true);
  });

  it("does not drift: 7 per minute admits exactly 7 at once", () => {
    const s = newLoopState();
    const seven: LoopLimits = { ...loose, toolRatePerMinute: { "*": 7 } };
    for (let i = 0; i < 7; i++) expect(admitToolCall(s, { ...base, argsHash: `${i}` }, seven, T0).ok).toBe(true);
    expect(admitToolCall(s, { ...base, argsHash: "8" }, seven, T0).ok).toBe(false);
  });
});

describe("admitToolCall: all or nothing, bounded, deterministic", () => {
  it("a call refused by a later limit charges none of the earlier ones", () => {
    const s = newLoopState();
    const limits: LoopLimits = { maxRepeats: 2, windowSeconds: 60, maxCallsPerSession: 100, toolRatePerMinute: { "*": 1 } };
    expect(admitToolCall(s, base, limits, T0).ok).toBe(true);
    expect(admitToolCall(s, base, limits, T0 + 1)).toMatchObject({ ok: false, limit: "tool_rate" });
    // The refused call was not recorded by the loop guard: one more identical call fits once the rate allows.
    expect(admitToolCall(s, base, limits, T0 + 60_000).ok).toBe(true);
    expect(s.sessions.get("tok1\u0000s1")?.count).toBe(2);
  });

  it("keeps at most maxKeys keys per table and forgets stale ones", () => {
    const s = newLoopState({ maxKeys: 50 });
    const limits: LoopLimits = {
      maxRepeats: 5,
      windowSeconds: 10,
      maxCallsPerSession: 10,
      maxCallsPerToken: 10,
      toolRatePerMinute: { "*": 100 },
    };
    for (let i = 0; i < 500; i++)
      admitToolCall(s, { ...base, token: `t${i}`, session: `s${i}`, argsHash: `${i}` }, limits, T0 + i);
    for (const m of [s.repeats, s.sessions, s.tokens, s.rates]) expect(m.size).toBeLessThanOrEqual(50);
    admitToolCall(s, base, limits, T0 + COUNTER_IDLE_MS + 500);
    expect(s.repeats.size).toBe(1);
    expect(s.tokens.size).toBe(1);
    expect(s.rates.size).toBe(1);
  });

  it("gives the same answers for the same calls at the same times", () => {
    const limits: LoopLimits = { maxRepeats: 2, windowSeconds: 30, maxCallsPerToken: 7, toolRatePerMinute: { "fs/*": 4 } };
    const run = () => {
      const s = newLoopState();
      const out: unknown[] = [];
      for (let i = 0; i < 40; i++) out.push(admitToolCall(s, { ...base, argsHash: `${i % 3}` }, limits, T0 + i * 2500));
      return out;
    };
    const first = run();
    expect(run()).toEqual(first);
    expect(first.some((r) => (r as { ok: boolean }).ok)).toBe(true);
    expect(first.some((r) => !(r as { ok: boolean }).ok)).toBe(true);
  });
});

describe("argsHash and schema", () => {
  it("hashes arguments by value, not key order; absent arguments equal {}", async () => {
    expect(await argsHash({ a: 1, b: [1, 2] })).toBe(await argsHash(JSON.parse('{"b":[1,2],"a":1}')));
    expect(await argsHash(undefined)).toBe(await argsHash({}));
    expect(await argsHash({ a: 1 })).not.toBe(await argsHash({ a: 2 }));
  });

  it("LoopLimitsSchema refuses nonsense limits", () => {
    expect(LoopLimitsSchema.safeParse({ maxRepeats: 0, windowSeconds: 60 }).success).toBe(false);
    expect(LoopLimitsSchema.safeParse({ maxRepeats: 3, windowSeconds: -1 }).success).toBe(false);
    expect(LoopLimitsSchema.safeParse({ maxRepeats: 3, windowSeconds: 60, toolRatePerMinute: { "fs/*": 0 } }).success).toBe(
      false,
    );
    expect(LoopLimitsSchema.parse({ maxRepeats: 3, windowSeconds: 60, maxCallsPerSession: 200 })).toMatchObject({
      maxCallsPerSession: 200,
    });
  });
});
