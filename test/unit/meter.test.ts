// The Meter's pure core: limits admit up to the limit and refuse past it, reservations settle exactly once, nothing leaks.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { attenuate } from "../../src/meter/attenuate";
import { type Reserved, reserve } from "../../src/meter/reserve";
import { pruneRevoked, revoke, revokedIn } from "../../src/meter/revoke";
import { nextStaleAt, settle, settleStale } from "../../src/meter/settle";
import {
  emptyState,
  type MeterState,
  restore,
  STALE_AFTER_MS,
  type StoredLedger,
  StoredLedgerSchema,
  setLimits,
  stored,
} from "../../src/meter/state";
import type { Limits, ReserveResult } from "../../src/meter/types";
import { ledgerUsage, usageOf } from "../../src/meter/usage";
import { count, formatReset, msUntilNextUtcMonth, WINDOW_MS } from "../../src/meter/window";

/** Noon UTC, on a minute boundary. */
const T0 = Date.UTC(2026, 0, 15, 12, 0, 0);
const MIN = 60_000;

let seq = 0;
function meter(org: Limits = {}, tokens: Record<string, Limits> = {}): MeterState {
  const state = emptyState();
  setLimits(state, "org", org);
  for (const [id, limits] of Object.entries(tokens)) setLimits(state, id, limits);
  return state;
}

function ask(state: MeterState, now: number, opts: { ledgers?: string[]; tokens?: number; usd?: number } = {}): Reserved {
  seq += 1;
  return reserve(
    state,
    { requestId: `req${seq}`, ledgers: opts.ledgers ?? ["t1"], tokens: opts.tokens ?? 10, usd: opts.usd ?? 0 },
    now,
    `r${seq}`,
  );
}

function admitted(out: Reserved): string {
  if (!out.result.ok) throw new Error(`expected admission, got ${JSON.stringify(out.result)}`);
  return out.result.reservationId;
}

function refused(out: Reserved): Extract<ReserveResult, { reason: "limit" }> {
  if (out.result.ok || out.result.reason !== "limit")
    throw new Error(`expected a limit refusal, got ${JSON.stringify(out.result)}`);
  return out.result;
}

describe("rpm", () => {
  it("admits rpm requests in a minute, refuses the next naming the org's rpm, and says when the slide makes room", () => {
    const state = meter({ rpm: 3 });
    for (let i = 0; i < 3; i++) admitted(ask(state, T0 + i));
    const no = refused(ask(state, T0 + 10));
    expect(no).toMatchObject({ limit: "rpm", scope: "org", ledger: "org" });
    // 3 requests in [T0, T0+60s): in the next window their weight fades; it drops to 2 at T0+80s.
    expect(no.retryAfterSeconds).toBe(80);
    expect(no.headers["x-ratelimit-limit-requests"]).toBe("3");
    expect(no.headers["x-ratelimit-remaining-requests"]).toBe("0");
    refused(ask(state, T0 + 79_000));
    admitted(ask(state, T0 + 80_000));
  });

  it("weighs the previous window by its overlap with the last 60 s", () => {
    const state = meter({ rpm: 100 });
    for (let i = 0; i < 10; i++) admitted(ask(state, T0 + 30_000));
    const org = state.ledgers.get("org");
    if (!org) throw new Error("no org ledger");
    expect(count(org.rpm, T0 + 59_000)).toBe(10);
    expect(count(org.rpm, T0 + WINDOW_MS + 30_000)).toBe(5);
    expect(count(org.rpm, T0 + 2 * WINDOW_MS)).toBe(0);
  });

  it("does not count refused requests", () => {
    const state = meter({ rpm: 2, usdPerDay: 1 });
    admitted(ask(state, T0, { usd: 0.5 }));
    expect(refused(ask(state, T0 + 1, { usd: 0.6 })).limit).toBe("usd_per_day");
    admitted(ask(state, T0 + 2, { usd: 0.1 }));
    expect(state.reservations.size).toBe(2);
  });
});

describe("tpm", () => {
  it("counts outstanding worst cases, then what settlement actually used", () => {
    const state = meter({ tpm: 1000 });
    const a = admitted(ask(state, T0, { tokens: 600 }));
    expect(refused(ask(state, T0 + 1, { tokens: 500 })).limit).toBe("tpm");
    settle(state, a, { inputTokens: 100, outputTokens: 100, usd: 0 }, T0 + 2);
    admitted(ask(state, T0 + 3, { tokens: 800 }));
    const no = refused(ask(state, T0 + 4, { tokens: 1 }));
    expect(no.limit).toBe("tpm");
    expect(no.headers["x-ratelimit-remaining-tokens"]).toBe("0");
  });

  it("names the token's tpm with token scope when the token is the tighter ledger", () => {
    const state = meter({ tpm: 10_000 }, { t1: { tpm: 100 } });
    admitted(ask(state, T0, { tokens: 100 }));
    expect(refused(ask(state, T0, { tokens: 1 }))).toMatchObject({ limit: "tpm", scope: "token", ledger: "t1" });
  });
});

describe("day and month budgets", () => {
  it("tokens per day: refuses past the limit until the next UTC midnight", () => {
    const state = meter({ tokensPerDay: 1000 });
    const a = admitted(ask(state, T0, { tokens: 1000 }));
    settle(state, a, { inputTokens: 400, outputTokens: 600, usd: 0 }, T0 + 1);
    const no = refused(ask(state, T0 + 2, { tokens: 1 }));
    expect(no.limit).toBe("tokens_per_day");
    expect(no.retryAfterSeconds).toBe(12 * 3600);
    admitted(ask(state, Date.UTC(2026, 0, 16), { tokens: 1 }));
  });

  it("USD per day: admits exactly up to the limit, with the remaining budget in a header", () => {
    const state = meter({ usdPerDay: 1 });
    for (let i = 0; i < 10; i++) {
      const ok = ask(state, T0, { usd: 0.1 });
      admitted(ok);
      expect(ok.result.ok && ok.result.headers["x-ringfence-budget-remaining-usd"]).toBe((0.9 - i * 0.1).toFixed(6));
    }
    const no = refused(ask(state, T0, { usd: 0.000001 }));
    expect(no).toMatchObject({ limit: "usd_per_day", scope: "org" });
    expect(no.retryAfterSeconds).toBe(12 * 3600);
  });

  it("USD per month: refuses until the first of next month, then rolls over", () => {
    const state = meter({ usdPerMonth: 5 });
    const a = admitted(ask(state, T0, { usd: 5 }));
    settle(state, a, { inputTokens: 1, outputTokens: 1, usd: 5 }, T0);
    const no = refused(ask(state, Date.UTC(2026, 0, 31, 23, 0), { usd: 0.01 }));
    expect(no.limit).toBe("usd_per_month");
    expect(no.retryAfterSeconds).toBe(3600);
    admitted(ask(state, Date.UTC(2026, 1, 1), { usd: 0.01 }));
  });

  it("reports the limit with the longest wait when several are exceeded", () => {
    const state = meter({ rpm: 1, usdPerDay: 1 });
    admitted(ask(state, T0, { usd: 1 }));
    expect(refused(ask(state, T0 + 1, { usd: 1 })).limit).toBe("usd_per_day");
  });

  it("month arithmetic wraps the year", () => {
    expect(msUntilNextUtcMonth(Date.UTC(2026, 11, 31, 23, 59))).toBe(MIN);
  });
});

describe("chains", () => {
  it("charges the org and every ledger of the chain, so a parent's budget binds all its children", () => {
    const state = meter({}, { parent: { usdPerDay: 1 } });
    admitted(ask(state, T0, { ledgers: ["parent", "childA"], usd: 0.6 }));
    const no = refused(ask(state, T0, { ledgers: ["parent", "childB"], usd: 0.6 }));
    expect(no).toMatchObject({ scope: "token", ledger: "parent", limit: "usd_per_day" });
    const usage = usageOf(state.ledgers, T0);
    expect(usage.map((u) => [u.ledger, u.reserved.usd])).toEqual([
      ["org", 0.6],
      ["childA", 0.6],
      ["parent", 0.6],
    ]);
  });

  it("refuses when the org ledger is exhausted, with org scope", () => {
    const state = meter({ usdPerDay: 1 });
    admitted(ask(state, T0, { ledgers: ["a"], usd: 1 }));
    expect(refused(ask(state, T0, { ledgers: ["b"], usd: 0.01 }))).toMatchObject({ scope: "org", ledger: "org" });
  });
});

describe("settle", () => {
  it("a zero settlement refunds the reservation entirely", () => {
    const state = meter({ usdPerDay: 1 });
    const a = admitted(ask(state, T0, { usd: 1 }));
    refused(ask(state, T0, { usd: 0.5 }));
    settle(state, a, { inputTokens: 0, outputTokens: 0, usd: 0 }, T0);
    admitted(ask(state, T0, { usd: 1 }));
  });

  it("a refund is not counted as a billed request", () => {
    const state = meter();
    const a = admitted(ask(state, T0, { usd: 0.5 }));
    settle(state, a, { inputTokens: 0, outputTokens: 0, usd: 0 }, T0);
    const [org] = usageOf(state.ledgers, T0, "org");
    expect(org).toMatchObject({ day: { requests: 0, usd: 0 }, total: { requests: 0 }, reserved: { count: 0 } });
  });

  it("replaces the worst case by the actual cost in the usage", () => {
    const state = meter();
    const a = admitted(ask(state, T0, { tokens: 5000, usd: 0.5 }));
    settle(state, a, { inputTokens: 120, outputTokens: 30, usd: 0.0123 }, T0 + 1);
    const [org] = usageOf(state.ledgers, T0 + 2, "org");
    expect(org).toMatchObject({
      day: { date: "2026-01-15", tokens: 150, usd: 0.0123, requests: 1 },
      month: { month: "2026-01", tokens: 150, usd: 0.0123, requests: 1 },
      total: { tokens: 150, usd: 0.0123, requests: 1, inputTokens: 120, outputTokens: 30 },
      reserved: { tokens: 0, usd: 0, count: 0 },
    });
  });

  it("is idempotent: a second settlement or an unknown id changes nothing", () => {
    const state = meter();
    const a = admitted(ask(state, T0, { tokens: 100, usd: 0.5 }));
    expect(settle(state, a, { inputTokens: 10, outputTokens: 10, usd: 0.1 }, T0)).not.toBeNull();
    const before = JSON.stringify(usageOf(state.ledgers, T0));
    expect(settle(state, a, { inputTokens: 99, outputTokens: 99, usd: 0.4 }, T0)).toBeNull();
    expect(settle(state, "nope", { inputTokens: 1, outputTokens: 1, usd: 1 }, T0)).toBeNull();
    expect(JSON.stringify(usageOf(state.ledgers, T0))).toBe(before);
  });

  it("charges the worst case when the reported usage is unusable", () => {
    const state = meter();
    const a = admitted(ask(state, T0, { tokens: 100, usd: 0.5 }));
    expect(settle(state, a, { inputTokens: Number.NaN, outputTokens: 1, usd: -1 }, T0)?.basis).toBe("worst_case");
    expect(ledgerUsage("org", state.ledgers.get("org"), T0).day).toMatchObject({ tokens: 100, usd: 0.5 });
  });

  it("charges spend to the day in which it settles", () => {
    const state = meter({ usdPerDay: 1 });
    const a = admitted(ask(state, Date.UTC(2026, 0, 15, 23, 59, 59), { usd: 1 }));
    settle(state, a, { inputTokens: 1, outputTokens: 1, usd: 0.7 }, Date.UTC(2026, 0, 16, 0, 0, 1));
    const [org] = usageOf(state.ledgers, Date.UTC(2026, 0, 16, 0, 0, 2), "org");
    expect(org?.day).toMatchObject({ date: "2026-01-16", usd: 0.7 });
    expect(refused(ask(state, Date.UTC(2026, 0, 16, 1), { usd: 0.31 })).limit).toBe("usd_per_day");
  });
});

describe("stale reservations", () => {
  it("are settled at their worst case after 15 minutes, and a late settlement is then a no-op", () => {
    const state = meter({ usdPerDay: 10 });
    const old = admitted(ask(state, T0, { tokens: 300, usd: 2 }));
    const fresh = admitted(ask(state, T0 + 5 * MIN, { tokens: 10, usd: 1 }));
    expect(nextStaleAt(state)).toBe(T0 + STALE_AFTER_MS);
    expect(settleStale(state, T0 + STALE_AFTER_MS - 1)).toEqual([]);
    const swept = settleStale(state, T0 + STALE_AFTER_MS);
    expect(swept.map((s) => [s.reservation.id, s.basis])).toEqual([[old, "worst_case"]]);
    expect(settle(state, old, { inputTokens: 0, outputTokens: 0, usd: 0 }, T0 + STALE_AFTER_MS + 1)).toBeNull();
    const [org] = usageOf(state.ledgers, T0 + STALE_AFTER_MS + 1, "org");
    expect(org).toMatchObject({ day: { usd: 2, tokens: 300 }, reserved: { usd: 1, count: 1 } });
    expect(nextStaleAt(state)).toBe(T0 + 5 * MIN + STALE_AFTER_MS);
    expect(state.reservations.has(fresh)).toBe(true);
  });
});

describe("revocation", () => {
  it("refuses a revoked token and every child whose chain contains it, until the revocation expires", () => {
    const state = meter();
    const until = T0 / 1000 + 3600;
    revoke(state, "parent", until);
    expect(ask(state, T0, { ledgers: ["parent"] }).result).toEqual({ ok: false, reason: "revoked", ledger: "parent" });
    expect(ask(state, T0, { ledgers: ["parent", "child"] }).result).toEqual({ ok: false, reason: "revoked", ledger: "parent" });
    expect(revokedIn(state, ["other"], T0)).toBeNull();
    admitted(ask(state, T0, { ledgers: ["other"] }));
    expect(pruneRevoked(state, T0)).toEqual([]);
    expect(pruneRevoked(state, until * 1000)).toEqual(["parent"]);
    admitted(ask(state, until * 1000, { ledgers: ["parent", "child"] }));
  });

  it("a second revocation never shortens the first", () => {
    const state = meter();
    revoke(state, "t", 2000);
    revoke(state, "t", 1000);
    expect(revokedIn(state, ["t"], 1500_000)).toBe("t");
  });
});

describe("attenuate", () => {
  it("refuses a child limit wider than any ancestor's, accepts narrower or unset ones", () => {
    const state = meter({}, { root: { usdPerDay: 5, rpm: 100 }, mid: { rpm: 10 } });
    expect(attenuate(state, ["root", "mid"], "kid", { rpm: 11 }, T0)).toEqual({
      ok: false,
      reason: "rpm 11 exceeds the parent's 10 (token mid)",
    });
    expect(attenuate(state, ["root", "mid"], "kid", { usdPerDay: 6 }, T0).ok).toBe(false);
    expect(attenuate(state, ["root", "mid"], "kid", { usdPerDay: 5, rpm: 10, tpm: 1000 }, T0)).toEqual({ ok: true });
    expect(state.ledgers.get("kid")?.limits).toEqual({ usdPerDay: 5, rpm: 10, tpm: 1000 });
    expect(attenuate(state, ["root"], "kid2", {}, T0)).toEqual({ ok: true });
  });

  it("refuses under a revoked ancestor", () => {
    const state = meter();
    revoke(state, "root", T0 / 1000 + 60);
    expect(attenuate(state, ["root", "mid"], "kid", {}, T0)).toEqual({
      ok: false,
      reason: "ancestor token root is revoked",
      revoked: true,
    });
  });
});

describe("headers", () => {
  it("describe the tightest ledger of the chain; no USD header without a USD limit", () => {
    const state = meter({ rpm: 100, tpm: 10_000 }, { t1: { rpm: 5, tpm: 500 } });
    const ok = ask(state, T0, { tokens: 100 });
    if (!ok.result.ok) throw new Error("refused");
    expect(ok.result.headers).toEqual({
      "x-ratelimit-limit-requests": "5",
      "x-ratelimit-remaining-requests": "4",
      "x-ratelimit-reset-requests": "2m0s",
      "x-ratelimit-limit-tokens": "500",
      "x-ratelimit-remaining-tokens": "400",
      // The 100 held tokens, once settled, take the window's full slide to drain.
      "x-ratelimit-reset-tokens": "2m0s",
    });
  });

  it("format resets the way OpenAI does", () => {
    expect([formatReset(20), formatReset(1000), formatReset(360_000), formatReset(3_723_000)]).toEqual([
      "20ms",
      "1s",
      "6m0s",
      "1h2m3s",
    ]);
  });
});

describe("persistence shape", () => {
  it("a restored state holds the same outstanding reservations and usage", () => {
    const state = meter({ usdPerDay: 1 }, { t1: { rpm: 2 } });
    const a = admitted(ask(state, T0, { usd: 0.25, tokens: 50 }));
    admitted(ask(state, T0, { usd: 0.5, tokens: 70 }));
    settle(state, a, { inputTokens: 10, outputTokens: 5, usd: 0.1 }, T0);
    const ledgers = [...state.ledgers].map(([n, l]): [string, StoredLedger] => [
      n,
      StoredLedgerSchema.parse(JSON.parse(JSON.stringify(stored(l)))),
    ]);
    const copy = restore({ ledgers, reservations: state.reservations.values(), revoked: [], configVersion: 3 });
    expect(usageOf(copy.ledgers, T0)).toEqual(usageOf(state.ledgers, T0));
    expect(refused(ask(copy, T0, { usd: 0.41 })).limit).toBe("usd_per_day");
    expect(refused(ask(copy, T0, { usd: 0.01 })).limit).toBe("rpm");
  });
});

describe("property: budgets hold under any interleaving", () => {
  type Op =
    | { kind: "reserve"; usd: number; ledger: string; dt: number }
    | { kind: "settle"; pick: number; fraction: number; dt: number };
  const op: fc.Arbitrary<Op> = fc.oneof(
    fc.record({
      kind: fc.constant("reserve" as const),
      usd: fc.integer({ min: 0, max: 500_000 }).map((micro) => micro / 1e6),
      ledger: fc.constantFrom("a", "b"),
      dt: fc.integer({ min: 0, max: 5 * MIN }),
    }),
    fc.record({
      kind: fc.constant("settle" as const),
      pick: fc.nat(),
      fraction: fc.integer({ min: 0, max: 100 }).map((pct) => pct / 100),
      dt: fc.integer({ min: 0, max: 5 * MIN }),
    }),
  );

  it("settled + outstanding USD never exceeds the day limit when actual ≤ reserved", () => {
    fc.assert(
      fc.property(
        fc.array(op, { maxLength: 120 }),
        fc.integer({ min: 10_000, max: 2_000_000 }).map((micro) => micro / 1e6),
        (ops, limit) => {
          const state = meter({ usdPerDay: limit }, { a: { usdPerDay: limit / 2 } });
          let now = Date.UTC(2026, 0, 15, 0, 0, 0);
          for (const o of ops) {
            now += o.dt;
            if (o.kind === "reserve") ask(state, now, { ledgers: [o.ledger], usd: o.usd, tokens: 1 });
            else {
              const open = [...state.reservations.values()];
              const r = open[o.pick % Math.max(open.length, 1)];
              if (r) settle(state, r.id, { inputTokens: 0, outputTokens: 1, usd: (r.usdNano / 1e9) * o.fraction }, now);
            }
            const [org, a] = [state.ledgers.get("org"), state.ledgers.get("a")];
            for (const [l, cap] of [
              [org, limit],
              [a, limit / 2],
            ] as const) {
              if (!l) continue;
              const day = ledgerUsage("x", l, now);
              expect(day.day.usd + day.reserved.usd).toBeLessThanOrEqual(cap + 1e-9);
            }
          }
          settleStale(state, now + STALE_AFTER_MS);
          const org = ledgerUsage("org", state.ledgers.get("org"), now + STALE_AFTER_MS);
          expect(org.reserved.count).toBe(0);
        },
      ),
      { numRuns: 300 },
    );
  });
});
