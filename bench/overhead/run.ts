// `npm run bench`: the gateway's added latency and throughput, side by side with direct calls and Portkey, in one run.
// Markdown results go to stdout, progress to stderr. Exits non-zero only when the benchmark itself fails
// (a server does not start, direct or ringfence calls fail): a missed target is reported, never asserted.

import { startFloor } from "./floor.ts";
import type { Load, Sample, Target } from "./measure.ts";
import { chatBody, keepAliveAgent, load, send, sequential } from "./measure.ts";
import type { Child } from "./processes.ts";
import { PORTKEY_PACKAGE, PROVIDER_KEY, removeHome, startFake, startPortkey, startRingfence } from "./processes.ts";
import type { Run } from "./report.ts";
import { render } from "./report.ts";

/** Sizes, overridable for a quick smoke run (e.g. BENCH_SEQUENTIAL=200 BENCH_SLICE_SECONDS=1 npm run bench). */
function setting(name: string, fallback: number): number {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : fallback;
}
const SEQUENTIAL = setting("BENCH_SEQUENTIAL", 2000);
const STREAMING = setting("BENCH_STREAMING", 500);
const WARMUP = setting("BENCH_WARMUP", 300);
const BATCH = 50;
const CONNECTIONS = setting("BENCH_CONNECTIONS", 16);
const ROUNDS = setting("BENCH_ROUNDS", 6);
const SLICE_SECONDS = setting("BENCH_SLICE_SECONDS", 2);
const LOAD_WARMUP_SECONDS = 2;

const DIRECT = "direct (fake upstream)";
const FLOOR = "relay Worker, same serving";
const RINGFENCE = "ringfence";
const PORTKEY = "Portkey 1.15.2";

const log = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);

/** A reply that proves the request went through to the upstream and back intact. */
function checkReply(name: string, stream: boolean, r: { status: number; body: string }): void {
  const bad = (why: string) => new Error(`${name}: ${why} (HTTP ${r.status}): ${r.body.slice(0, 500)}`);
  if (r.status !== 200) throw bad("not a 200");
  if (stream) {
    if (!r.body.includes("chat.completion.chunk") || !r.body.trimEnd().endsWith("data: [DONE]"))
      throw bad("not an SSE completion");
    return;
  }
  const json = JSON.parse(r.body) as { choices?: { message?: { content?: unknown } }[] };
  if (typeof json.choices?.[0]?.message?.content !== "string") throw bad("not a chat completion");
}

/** Whether the target serves both shapes; a failure is returned as its message, not thrown. */
async function check(target: Target, stream: boolean): Promise<string | undefined> {
  const agent = keepAliveAgent();
  try {
    checkReply(target.name, stream, await send(agent, target, chatBody(stream)));
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  } finally {
    agent.destroy();
  }
}

function failures(samples: Map<string, Sample>, loads: Map<string, Load>, names: string[]): string[] {
  const out: string[] = [];
  for (const name of names) {
    const s = samples.get(name);
    if (s?.failures) out.push(`${name}: ${s.failures} failed sequential requests, first: ${s.firstFailure}`);
    const l = loads.get(name);
    if (l && l.non2xx + l.errors + l.timeouts > 0) {
      out.push(`${name}: under load ${l.non2xx} non-2xx, ${l.errors} errors, ${l.timeouts} timeouts`);
    }
  }
  return out;
}

async function main(): Promise<number> {
  const children: Child[] = [];
  let home: string | undefined;
  let floor: { close(): Promise<void> } | undefined;
  const stopAll = async () => {
    await Promise.all([...children.map((c) => c.stop()), floor?.close()]);
    if (home) removeHome(home);
  };
  const onSignal = () => {
    stopAll().finally(() => process.exit(130));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);

  try {
    log("starting the fake upstream");
    const fake = await startFake();
    children.push(fake.child);
    log(`fake upstream at ${fake.url}; starting ringfence (npm start: wrangler build + workerd)`);
    const rf = await startRingfence(fake.url);
    children.push(rf.child);
    home = rf.home;
    log(`ringfence at ${rf.url}`);
    const relay = await startFloor(`${fake.url}/v1`, PROVIDER_KEY);
    floor = relay;
    log(`relay Worker at ${relay.url}`);

    const targets: Target[] = [
      { name: DIRECT, origin: fake.url, headers: { authorization: `Bearer ${PROVIDER_KEY}` } },
      { name: FLOOR, origin: relay.url, headers: {} },
      { name: RINGFENCE, origin: rf.url, headers: { authorization: `Bearer ${rf.token}` } },
    ];
    const notes: string[] = [];
    const portkeyHeaders = {
      authorization: `Bearer ${PROVIDER_KEY}`,
      "x-portkey-provider": "openai",
      "x-portkey-custom-host": `${fake.url}/v1`,
    };
    log(`starting Portkey: npx -y ${PORTKEY_PACKAGE} --headless (downloads on first use)`);
    try {
      const pk = await startPortkey(fake.url, async (origin) => {
        const agent = keepAliveAgent();
        try {
          const reply = await send(agent, { name: PORTKEY, origin, headers: portkeyHeaders }, chatBody(false)).catch(() => null);
          if (reply === null) return false; // not listening yet (npx may still be downloading)
          checkReply(PORTKEY, false, reply);
          return true;
        } finally {
          agent.destroy();
        }
      });
      children.push(pk.child);
      targets.push({ name: PORTKEY, origin: pk.url, headers: portkeyHeaders });
      log(`Portkey at ${pk.url}`);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      notes.push(`Portkey could not start, so this run has no Portkey figures: ${why.split("\n").slice(0, 6).join(" ")}`);
      log(`Portkey could not start: ${why}`);
    }

    const names = targets.map((t) => t.name);
    for (const t of targets) {
      const failed = (await check(t, false)) ?? (t.name === PORTKEY ? undefined : await check(t, true));
      if (failed) throw new Error(failed);
    }
    // Portkey 1.15.2 under npx fails streamed chat completions with "TypeError: immutable" (Portkey-AI/gateway#1389:
    // npx installs a newer @hono/node-server than it works with); report that and measure the rest.
    const streamTargets = [...targets];
    const portkeyTarget = targets.find((t) => t.name === PORTKEY);
    const portkeyStream = portkeyTarget && (await check(portkeyTarget, true));
    if (portkeyTarget && portkeyStream) {
      streamTargets.splice(streamTargets.indexOf(portkeyTarget), 1);
      notes.push(
        `Portkey fails streamed requests here, so it has no streaming row (known issue Portkey-AI/gateway#1389): ${portkeyStream}`,
      );
      log(`Portkey streaming failed: ${portkeyStream}`);
    }

    log(`sequential: ${WARMUP} warm-up + ${SEQUENTIAL} requests per target`);
    const seq = await sequential(targets, chatBody(false), { warmup: WARMUP, perTarget: SEQUENTIAL, batch: BATCH });
    log(`sequential streaming: ${STREAMING} requests per target`);
    const streamed = await sequential(streamTargets, chatBody(true), { warmup: 50, perTarget: STREAMING, batch: BATCH });
    log(`load: ${CONNECTIONS} connections, ${ROUNDS} × ${SLICE_SECONDS} s per target`);
    const loads = await load(targets, chatBody(false), {
      connections: CONNECTIONS,
      warmupSeconds: LOAD_WARMUP_SECONDS,
      rounds: ROUNDS,
      sliceSeconds: SLICE_SECONDS,
    });

    const run: Run = {
      date: new Date(),
      command: "npm run bench",
      direct: DIRECT,
      gateways: names.filter((n) => n !== DIRECT),
      notes,
      sequential: { perTarget: SEQUENTIAL, samples: seq },
      streaming: { perTarget: STREAMING, samples: streamed },
      load: { connections: CONNECTIONS, rounds: ROUNDS, sliceSeconds: SLICE_SECONDS, results: loads },
    };
    process.stdout.write(
      render(run, { ringfence: RINGFENCE, floor: FLOOR, portkey: names.includes(PORTKEY) ? PORTKEY : undefined }),
    );

    // Failed calls make the figures meaningless for ringfence or the baseline; Portkey's show in its rows.
    const ours = [
      ...failures(seq, loads, [DIRECT, FLOOR, RINGFENCE]),
      ...failures(streamed, new Map(), [DIRECT, FLOOR, RINGFENCE]),
    ];
    for (const f of failures(seq, loads, [PORTKEY])) log(`warning: ${f}`);
    for (const f of ours) log(`error: ${f}`);
    return ours.length > 0 ? 1 : 0;
  } finally {
    await stopAll();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
