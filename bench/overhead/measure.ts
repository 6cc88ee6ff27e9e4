// Measurement: one keep-alive connection for sequential latency, autocannon for 16-connection load; percentiles.
import http from "node:http";
import autocannon from "autocannon";

export interface Target {
  name: string;
  /** Origin, e.g. http://127.0.0.1:8787; requests go to `${origin}/v1/chat/completions`. */
  origin: string;
  headers: Record<string, string>;
}

export const PATH = "/v1/chat/completions";

export function chatBody(stream: boolean): string {
  return JSON.stringify({
    model: "gpt-4o-mini",
    messages: [
      { role: "system", content: "You are a helpful assistant." },
      { role: "user", content: "Say hello in one short sentence." },
    ],
    ...(stream ? { stream: true } : {}),
  });
}

export interface Reply {
  status: number;
  body: string;
}

/** One request on the given agent; resolves with the status and the whole body (time to last byte). */
export function send(agent: http.Agent, target: Target, body: string, timeoutMs = 10_000): Promise<Reply> {
  const url = new URL(PATH, target.origin);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: "POST",
        headers: { ...target.headers, "content-type": "application/json", "content-length": Buffer.byteLength(body) },
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no reply from ${target.name} within ${timeoutMs} ms`)));
    req.on("error", reject);
    req.end(body);
  });
}

/** A single persistent connection per target, as a client with keep-alive would hold. */
export function keepAliveAgent(): http.Agent {
  return new http.Agent({ keepAlive: true, maxSockets: 1 });
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] as number;
}

export interface Sample {
  /** Milliseconds, each request from write to last byte. */
  latencies: number[];
  failures: number;
  firstFailure?: string;
}

function emptySample(): Sample {
  return { latencies: [], failures: 0 };
}

/**
 * Sequential latency: `perTarget` requests each, one at a time, in batches that alternate between targets
 * (rotating which goes first) so that drift on the machine affects every target alike.
 */
export async function sequential(
  targets: readonly Target[],
  body: string,
  opts: { warmup: number; perTarget: number; batch: number },
): Promise<Map<string, Sample>> {
  const agents = new Map(targets.map((t) => [t.name, keepAliveAgent()]));
  const samples = new Map(targets.map((t) => [t.name, emptySample()]));
  const run = async (t: Target, n: number, record: boolean) => {
    const agent = agents.get(t.name) as http.Agent;
    const s = samples.get(t.name) as Sample;
    for (let i = 0; i < n; i++) {
      const start = process.hrtime.bigint();
      try {
        const r = await send(agent, t, body);
        const ms = Number(process.hrtime.bigint() - start) / 1e6;
        if (r.status !== 200) throw new Error(`HTTP ${r.status}: ${r.body.slice(0, 300)}`);
        if (record) s.latencies.push(ms);
      } catch (err) {
        s.failures++;
        s.firstFailure ??= err instanceof Error ? err.message : String(err);
      }
    }
  };
  for (const t of targets) await run(t, opts.warmup, false);
  for (const s of samples.values()) Object.assign(s, emptySample());
  const rounds = Math.ceil(opts.perTarget / opts.batch);
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < targets.length; k++) {
      const t = targets[(r + k) % targets.length] as Target;
      await run(t, opts.batch, true);
    }
  }
  for (const a of agents.values()) a.destroy();
  for (const s of samples.values()) s.latencies.sort((a, b) => a - b);
  return samples;
}

export interface Load {
  requests: number;
  seconds: number;
  /** req/s of each slice, in round order: slice i of every target ran in the same round. */
  slices: number[];
  latencies: number[];
  non2xx: number;
  errors: number;
  timeouts: number;
}

function emptyLoad(): Load {
  return { requests: 0, seconds: 0, slices: [], latencies: [], non2xx: 0, errors: 0, timeouts: 0 };
}

/** One autocannon run; latencies are autocannon's per-response times (ms, sub-millisecond), not its integer histogram. */
function cannon(target: Target, body: string, connections: number, seconds: number, into: Load | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: new URL(PATH, target.origin).href,
        method: "POST",
        headers: { ...target.headers, "content-type": "application/json" },
        body,
        connections,
        pipelining: 1,
        duration: seconds,
        timeout: 10,
      },
      (err, result) => {
        if (err) return reject(err);
        if (into) {
          into.requests += result["2xx"];
          into.seconds += result.duration;
          into.slices.push(result["2xx"] / result.duration);
          into.non2xx += result.non2xx;
          into.errors += result.errors - result.timeouts;
          into.timeouts += result.timeouts;
        }
        resolve();
      },
    );
    if (into) {
      instance.on("response", (_client, status, _bytes, ms) => {
        if (status >= 200 && status < 300) into.latencies.push(ms);
      });
    }
  });
}

/** Throughput under `connections` concurrent keep-alive connections, in alternating slices per target after a warm-up. */
export async function load(
  targets: readonly Target[],
  body: string,
  opts: { connections: number; warmupSeconds: number; rounds: number; sliceSeconds: number },
): Promise<Map<string, Load>> {
  const out = new Map(targets.map((t) => [t.name, emptyLoad()]));
  for (const t of targets) await cannon(t, body, opts.connections, opts.warmupSeconds, undefined);
  for (let r = 0; r < opts.rounds; r++) {
    for (let k = 0; k < targets.length; k++) {
      const t = targets[(r + k) % targets.length] as Target;
      await cannon(t, body, opts.connections, opts.sliceSeconds, out.get(t.name));
    }
  }
  for (const l of out.values()) l.latencies.sort((a, b) => a - b);
  return out;
}
