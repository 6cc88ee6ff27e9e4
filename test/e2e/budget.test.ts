// 200 requests race one small budget across a full restart of the Worker and its Durable Objects: no overspend, no lost entry.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type FakeUpstream, startFakeUpstream } from "../fixtures/fake-upstream";
import { type Gateway, startGateway } from "./harness";

let upstream: FakeUpstream;
let gw: Gateway;

beforeAll(async () => {
  // Every call reports 3 input and 1 output token.
  upstream = await startFakeUpstream({ usage: { input: 3, output: 1 } });
  gw = await startGateway({ upstream, providerKeys: { openai: "sk-up" } });
  // $1 per output token, inputs free: a call with max_tokens 1 reserves exactly $1 and costs exactly $1.
  const res = await gw.admin("/admin/orgs/dev/pricing/gpt-4o-mini", {
    method: "PUT",
    body: JSON.stringify({ input: 0, output: 1_000_000 }),
  });
  expect(res.status).toBe(200);
});
afterAll(async () => {
  await gw?.close();
  await upstream?.close();
});

async function burst(token: string, n: number) {
  const results = await Promise.all(
    Array.from({ length: n }, () =>
      fetch(`${gw.url}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify({ model: "gpt-4o-mini", max_tokens: 1, messages: [{ role: "user", content: "go" }] }),
      }).then(async (r) => ({
        status: r.status,
        body: (await r.json()) as { error?: { code: string } },
        retryAfter: r.headers.get("retry-after"),
      })),
    ),
  );
  return results;
}

describe("budget under contention", () => {
  it("admits at most the budget, refuses the rest with 429 naming the limit, and survives a restart exactly", async () => {
    const token = await gw.mintToken({ sub: "racer", models: ["gpt-4o-mini"], limits: { usdPerDay: 20 } });
    const id = gw.tokenId(token);

    const first = await burst(token, 100);
    const admitted1 = first.filter((r) => r.status === 200).length;
    for (const r of first.filter((r) => r.status !== 200)) {
      expect(r.status).toBe(429);
      expect(r.body.error?.code).toBe("token_usd_per_day_exceeded");
      expect(Number(r.retryAfter)).toBeGreaterThan(0);
    }
    expect(admitted1).toBe(20);
    await vi.waitFor(async () => expect((await gw.usage(id)).reserved.count).toBe(0));
    const before = await gw.usage(id);

    await gw.restart();
    expect(await gw.usage(id)).toEqual(before);

    const second = await burst(token, 100);
    expect(second.every((r) => r.status === 429)).toBe(true);

    const after = await gw.usage(id);
    expect(after.total.requests).toBe(20);
    expect(after.total.usd).toBeCloseTo(20, 9);
    expect(after.total.outputTokens).toBe(20);
    expect(upstream.requests.filter((r) => r.path === "/v1/chat/completions")).toHaveLength(20);
  });

  it("keeps an outstanding reservation through a restart, so it still counts against the budget", async () => {
    const token = await gw.mintToken({ sub: "slow", models: ["gpt-4o-mini"], limits: { usdPerDay: 2 } });
    const id = gw.tokenId(token);
    // The upstream holds the first call open while the Worker restarts under it.
    upstream.nextFault({ kind: "delay", ms: 3000 });
    const inflight = fetch(`${gw.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ model: "gpt-4o-mini", max_tokens: 1, messages: [{ role: "user", content: "slow" }] }),
    }).catch(() => null);
    await vi.waitFor(async () => expect((await gw.usage(id)).reserved.count).toBe(1));
    await gw.restart();
    await inflight;
    const u = await gw.usage(id);
    expect(u.reserved).toMatchObject({ count: 1, usd: 1 });
    const [a, b] = await burst(token, 2);
    expect([a?.status, b?.status].sort()).toEqual([200, 429]);
  });

  it("sustained concurrent load: every call answered, every one metered exactly once", async () => {
    const token = await gw.mintToken({ sub: "steady", models: ["gpt-4o-mini"], limits: { usdPerDay: 100_000 } });
    const id = gw.tokenId(token);
    const CLIENTS = 16;
    const EACH = 100;
    const statuses: number[] = [];
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        for (let i = 0; i < EACH; i++) {
          const [r] = await burst(token, 1);
          statuses.push(r?.status ?? 0);
        }
      }),
    );
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    await vi.waitFor(async () => expect((await gw.usage(id)).reserved.count).toBe(0), { timeout: 5000 });
    const u = await gw.usage(id);
    expect(u.total.requests).toBe(CLIENTS * EACH);
    expect(u.total.usd).toBeCloseTo(CLIENTS * EACH, 6);
  });
});
