// The Meter Durable Object in workerd: races on one budget, restarts mid-test, the stale-reservation alarm, admin routes.
import {
  abortAllDurableObjects,
  createExecutionContext,
  env,
  evictDurableObject,
  runDurableObjectAlarm,
  runInDurableObject,
  SELF,
  waitOnExecutionContext,
} from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { RingfenceError, toWire } from "../../src/errors";
import type { LedgerUsage, ReserveResult } from "../../src/meter/types";
import type { CapabilityClaims } from "../../src/tokens/claims";
import { reserveOrThrow, settleLater } from "../../workers/gateway/meter";

const ADMIN = { authorization: "Bearer test-admin-token", "content-type": "application/json" };
const NOON = Date.UTC(2026, 0, 15, 12, 0, 0);
const WORST = 0.03;

let n = 0;
const fresh = (prefix: string): string => `${prefix}-${++n}-${crypto.randomUUID().slice(0, 6)}`;

function stubOf(org: string) {
  return env.METER.getByName(org);
}

const ask = (org: string, i: number, ledgers = ["tok"]): Promise<ReserveResult> =>
  stubOf(org).reserve({ requestId: `req-${i}`, ledgers, tokens: 100, usd: WORST });

async function orgUsage(org: string): Promise<LedgerUsage> {
  const [usage] = await stubOf(org).usage("org");
  if (!usage) throw new Error("no usage");
  return usage;
}

type Row = {
  id: string;
  usd_nano: number;
  settled_at: number | null;
  charged_usd_nano: number | null;
  basis: string | null;
};

const rows = (org: string): Promise<Row[]> =>
  runInDurableObject(stubOf(org), (_instance, state) =>
    state.storage.sql.exec<Row>("SELECT id, usd_nano, settled_at, charged_usd_nano, basis FROM reservations").toArray(),
  );

const admittedIds = (results: PromiseSettledResult<ReserveResult>[]): string[] =>
  results.flatMap((r) => (r.status === "fulfilled" && r.value.ok ? [r.value.reservationId] : []));

afterEach(() => {
  vi.useRealTimers();
});

describe("Meter under concurrency", () => {
  it("200 racing requests on a $1 budget: admitted worst cases never exceed it, and exactly what fits is admitted", async () => {
    const org = fresh("race");
    await stubOf(org).setLimits("org", { usdPerDay: 1 });
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => ask(org, i)));
    const admitted = results.filter((r) => r.ok);
    expect(admitted.length * WORST).toBeLessThanOrEqual(1);
    expect(admitted.length).toBe(Math.floor(1 / WORST));
    const refusals = results.filter((r): r is Extract<ReserveResult, { reason: "limit" }> => !r.ok && r.reason === "limit");
    expect(refusals.length).toBe(200 - admitted.length);
    expect(new Set(refusals.map((r) => r.limit))).toEqual(new Set(["usd_per_day"]));

    // Settling below the worst case frees exactly the difference.
    await Promise.all(
      admitted.map((r) => r.ok && stubOf(org).settle(r.reservationId, { inputTokens: 10, outputTokens: 10, usd: 0.01 })),
    );
    const usage = await orgUsage(org);
    expect(usage.day.usd).toBeCloseTo(admitted.length * 0.01, 9);
    expect(usage.reserved).toEqual({ tokens: 0, usd: 0, count: 0 });
    const again = await Promise.all(Array.from({ length: 50 }, (_, i) => ask(org, 1000 + i)));
    expect(again.filter((r) => r.ok).length).toBe(Math.floor((1 - admitted.length * 0.01) / WORST));
  });

  it("an eviction mid-test loses no reservation, settlement, limit or revocation", async () => {
    const org = fresh("evict");
    const stub = stubOf(org);
    await stub.setLimits("org", { usdPerDay: 1 });
    await stub.setLimits("tok", { rpm: 1000 });
    await stub.revoke("gone", Math.floor(Date.now() / 1000) + 3600);
    const first = admittedIds(await Promise.allSettled(Array.from({ length: 100 }, (_, i) => ask(org, i))));
    const settled = first.slice(0, 10);
    await Promise.all(settled.map((id) => stub.settle(id, { inputTokens: 5, outputTokens: 5, usd: 0.02 })));
    const before = await stub.usage();

    await evictDurableObject(stub);

    expect(await stub.usage()).toEqual(before);
    expect(await stub.revokedIn(["tok", "gone"])).toBe("gone");
    const after = admittedIds(await Promise.allSettled(Array.from({ length: 100 }, (_, i) => ask(org, 100 + i))));
    // 10 settled at $0.02 freed $0.01 each: room for 3 more $0.03 reservations, no more.
    expect(after.length).toBe(Math.floor((1 - 10 * 0.02 - (first.length - 10) * WORST + 1e-9) / WORST));
    const table = await rows(org);
    expect(table.map((r) => r.id).sort()).toEqual([...first, ...after].sort());
    expect(
      table
        .filter((r) => r.settled_at !== null)
        .map((r) => r.id)
        .sort(),
    ).toEqual([...settled].sort());
    const usage = await orgUsage(org);
    expect(usage.day.usd).toBeCloseTo(0.2, 9);
    expect(usage.reserved.count).toBe(first.length - 10 + after.length);
    expect(usage.day.usd + usage.reserved.usd).toBeLessThanOrEqual(1 + 1e-9);
  });

  it("an abrupt restart while requests are in flight keeps the ledger consistent with the table", async () => {
    const org = fresh("abort");
    const stub = stubOf(org);
    await stub.setLimits("org", { usdPerDay: 3 });
    const before = admittedIds(await Promise.allSettled(Array.from({ length: 60 }, (_, i) => ask(org, i))));
    expect(before.length).toBe(60);
    const inFlight = Array.from({ length: 140 }, (_, i) => ask(org, 60 + i));
    await abortAllDurableObjects();
    const results = await Promise.allSettled(inFlight);
    const table = await rows(org);
    // Every reply that admitted a request has its row; rows whose reply was lost stay held until the alarm settles them.
    for (const id of [...before, ...admittedIds(results)]) expect(table.some((r) => r.id === id)).toBe(true);
    const usage = await orgUsage(org);
    expect(usage.reserved.count).toBe(table.length);
    expect(usage.reserved.usd).toBeCloseTo(table.length * WORST, 9);
    // The restarted Meter admits exactly what the surviving table leaves of the budget.
    const after = admittedIds(await Promise.allSettled(Array.from({ length: 100 }, (_, i) => ask(org, 1000 + i))));
    expect(after.length).toBe(Math.min(100, Math.floor((3 + 1e-9) / WORST) - table.length));
  });
});

describe("Meter alarm", () => {
  it("settles reservations orphaned for 15 minutes at their worst case, and a late settle changes nothing", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(NOON);
    const org = fresh("alarm");
    const stub = stubOf(org);
    const orphan = await ask(org, 1);
    if (!orphan.ok) throw new Error("refused");
    vi.setSystemTime(NOON + 10 * 60_000);
    const young = await ask(org, 2);
    if (!young.ok) throw new Error("refused");

    vi.setSystemTime(NOON + 15 * 60_000);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    let usage = await orgUsage(org);
    expect(usage.day).toMatchObject({ usd: WORST, tokens: 100, requests: 1 });
    expect(usage.reserved).toMatchObject({ count: 1, usd: WORST });
    await stub.settle(orphan.reservationId, { inputTokens: 1, outputTokens: 1, usd: 0.001 });
    expect((await orgUsage(org)).day.usd).toBe(WORST);
    const row = (await rows(org)).find((r) => r.id === orphan.reservationId);
    expect(row).toMatchObject({ basis: "worst_case", charged_usd_nano: 30_000_000 });

    // The alarm was re-armed for the younger reservation, and survives a restart.
    await evictDurableObject(stub);
    vi.setSystemTime(NOON + 25 * 60_000);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    usage = await orgUsage(org);
    expect(usage.reserved.count).toBe(0);
    expect(usage.day.usd).toBeCloseTo(2 * WORST, 9);
  });
});

describe("gateway helpers", () => {
  const claims = (org: string, led: string[]): CapabilityClaims => ({
    iss: "ringfence",
    org,
    sub: "agent",
    models: ["*"],
    led,
    jti: led[led.length - 1] ?? "t",
    iat: 0,
    exp: 2 ** 31,
  });

  it("reserveOrThrow maps a limit to a 429 naming it, with retry-after and x-ratelimit-* headers", async () => {
    const org = fresh("gw");
    await stubOf(org).setLimits("t1", { rpm: 1 });
    const ok = await reserveOrThrow(env, claims(org, ["t1"]), { requestId: "a", tokens: 10, usd: 0 });
    expect(ok.headers["x-ratelimit-remaining-requests"]).toBe("0");
    const err = await reserveOrThrow(env, claims(org, ["t1"]), {
      requestId: "b",
      tokens: 10,
      usd: 0,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RingfenceError);
    const failure = (err as RingfenceError).failure;
    expect(failure).toMatchObject({ kind: "rate_limited", limit: "rpm", scope: "token" });
    const wire = toWire(failure, "openai", "req_x");
    expect(wire.status).toBe(429);
    expect(Number(wire.headers["retry-after"])).toBeGreaterThan(0);
    expect(wire.headers["x-ratelimit-limit-requests"]).toBe("1");
    expect(wire.body).toMatchObject({ error: { code: "token_rpm_exceeded", type: "rate_limit_exceeded" } });
  });

  it("reserveOrThrow refuses a revoked ancestor on the next request", async () => {
    const org = fresh("gw");
    await reserveOrThrow(env, claims(org, ["p", "c"]), { requestId: "a", tokens: 1, usd: 0 });
    await stubOf(org).revoke("p", Math.floor(Date.now() / 1000) + 60);
    const err = await reserveOrThrow(env, claims(org, ["p", "c"]), {
      requestId: "b",
      tokens: 1,
      usd: 0,
    }).catch((e: unknown) => e);
    expect((err as RingfenceError).failure).toEqual({ kind: "token_revoked" });
  });

  it("concurrent reserves from one isolate share round trips and are decided exactly as if one by one", async () => {
    const org = fresh("gw");
    await stubOf(org).setLimits("org", { usdPerDay: 1 });
    const seen: number[] = [];
    const stub = stubOf(org);
    const spy = vi.spyOn(env.METER, "getByName").mockImplementation(() => {
      return new Proxy(stub, {
        get(target, prop) {
          if (prop === "reserveMany") {
            return (reqs: unknown[], s?: unknown[]) => {
              seen.push(reqs.length);
              return target.reserveMany(reqs as never, s as never);
            };
          }
          return Reflect.get(target, prop);
        },
      });
    });
    const ctx = createExecutionContext();
    const results = await Promise.allSettled(
      Array.from({ length: 40 }, (_, i) =>
        reserveOrThrow(env, claims(org, ["t"]), { requestId: `r${i}`, tokens: 10, usd: 0.15 }),
      ),
    );
    await waitOnExecutionContext(ctx);
    spy.mockRestore();
    const admitted = results.filter((r) => r.status === "fulfilled");
    const refused = results.flatMap((r) => (r.status === "rejected" ? [(r.reason as RingfenceError).failure] : []));
    expect(admitted).toHaveLength(6); // 6 × $0.15 fits in $1, a 7th does not
    expect(refused).toHaveLength(34);
    for (const f of refused) expect(f).toMatchObject({ kind: "rate_limited", limit: "usd_per_day", scope: "org" });
    expect(seen.reduce((a, b) => a + b, 0)).toBe(40);
    expect(seen.length).toBeLessThan(40); // batched: the first goes alone, the rest wait for it and go together
    expect(seen[0]).toBe(1);
    expect((await orgUsage(org)).reserved).toMatchObject({ count: 6 });
  });

  it("settleLater settles through waitUntil; a failed settle leaves the hold for the alarm", async () => {
    const org = fresh("gw");
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    const r = await reserveOrThrow(env, claims(org, ["t"]), { requestId: "a", tokens: 500, usd: 0.5 });
    const ctx = createExecutionContext();
    settleLater(ctx, env, org, r.reservationId, Promise.resolve({ inputTokens: 100, outputTokens: 20, usd: 0.1 }));
    const r2 = await reserveOrThrow(env, claims(org, ["t"]), { requestId: "b", tokens: 500, usd: 0.5 });
    settleLater(ctx, env, org, r2.reservationId, Promise.reject(new Error("stream lost")));
    await waitOnExecutionContext(ctx);
    expect(logged).toHaveBeenCalledOnce();
    logged.mockRestore();
    const usage = await orgUsage(org);
    expect(usage.total).toMatchObject({ inputTokens: 100, outputTokens: 20, usd: 0.1, requests: 1 });
    expect(usage.reserved).toMatchObject({ count: 1, usd: 0.5 });
  });
});

describe("admin limits and usage routes", () => {
  const admin = (path: string, init: RequestInit = {}) =>
    SELF.fetch(`https://edge.test/admin${path}`, { headers: ADMIN, ...init });

  async function newOrg(): Promise<string> {
    const id = fresh("adm");
    await env.REGISTRY.getByName(id).create({ id, name: id, preset: "standard" });
    return id;
  }

  it("sets org and token limits, and reports usage per ledger", async () => {
    const org = await newOrg();
    const put = await admin(`/orgs/${org}/limits`, { method: "PUT", body: JSON.stringify({ usdPerDay: 2, rpm: 60 }) });
    expect(put.status).toBe(200);
    expect(await put.json()).toEqual({ ledger: "org", limits: { usdPerDay: 2, rpm: 60 } });
    const tok = await admin(`/orgs/${org}/tokens/tk1/limits`, { method: "PUT", body: JSON.stringify({ tpm: 1000 }) });
    expect(tok.status).toBe(200);

    const r = await stubOf(org).reserve({ requestId: "x", ledgers: ["tk1"], tokens: 300, usd: 0.4 });
    if (!r.ok) throw new Error("refused");
    expect(r.headers["x-ringfence-budget-remaining-usd"]).toBe("1.600000");
    await stubOf(org).settle(r.reservationId, { inputTokens: 200, outputTokens: 50, usd: 0.25 });

    const all = await admin(`/orgs/${org}/usage`);
    expect(all.status).toBe(200);
    const body = await all.json<{ ledgers: LedgerUsage[] }>();
    expect(body.ledgers.map((l) => [l.ledger, l.limits, l.total.usd, l.total.tokens])).toEqual([
      ["org", { usdPerDay: 2, rpm: 60 }, 0.25, 250],
      ["tk1", { tpm: 1000 }, 0.25, 250],
    ]);
    const one = await admin(`/orgs/${org}/tokens/tk1/usage`);
    expect(await one.json()).toMatchObject({
      ledger: "tk1",
      total: { inputTokens: 200, outputTokens: 50 },
      reserved: { count: 0 },
    });
  });

  it("refuses bad limits with 400 in the OpenAI error shape, and unknown orgs with 404", async () => {
    const org = await newOrg();
    for (const bad of [{ rpm: -1 }, { rpm: 1.5 }, { usdPerDay: "5" }, { burst: 3 }]) {
      const res = await admin(`/orgs/${org}/limits`, { method: "PUT", body: JSON.stringify(bad) });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: { type: "invalid_request_error", code: "invalid_request" } });
    }
    expect((await admin(`/orgs/${org}/limits`, { method: "PUT", body: "{" })).status).toBe(400);
    expect((await admin(`/orgs/${org}/tokens/org/limits`, { method: "PUT", body: "{}" })).status).toBe(400);
    const missing = await admin("/orgs/no-such-org/limits", { method: "PUT", body: JSON.stringify({ rpm: 1 }) });
    expect(missing.status).toBe(404);
    expect((await admin("/orgs/no-such-org/usage")).status).toBe(404);
    const anon = await SELF.fetch(`https://edge.test/admin/orgs/${org}/usage`);
    expect(anon.status).toBe(401);
  });
});
