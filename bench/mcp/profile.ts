// Where the MCP broker's time goes: serves the Worker with the V8 inspector on (as bench/overhead/profile.ts does),
// drives sequential tools/call `echo` at /mcp/tools against the fixture MCP server (profile "attacks"), records a CPU
// profile of workerd's isolate, and prints self and inclusive time by function, per call. Writes the raw profile to
// .ringfence/mcp-profile.cpuprofile (open it in Chrome DevTools). BENCH_PROFILE_SECONDS (default 5) changes the run.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { LogLevel } from "miniflare";
import { adminClient, ensureOrg, mintToken, putMcpServer } from "../../scripts/seed.ts";
import { build, generateSecrets, LOOPBACK_HOSTS, serve } from "../../scripts/serve.ts";
import { inspector, type Profile, type ProfileNode } from "../overhead/inspector.ts";
import { keepAliveAgent, percentile } from "../overhead/measure.ts";
import { type Child, freePort, ROOT, startMcpFixtureChild } from "../overhead/processes.ts";
import { type McpTarget, newSession, post } from "./client.ts";

/** A fresh session this often: the standard policy refuses the 501st call of a session. */
const SESSION_CALLS = 400;

/** The bundle's source file for a (0-based) line: esbuild opens each module with a `// path` comment. */
function bundleSources(bundle: string): (line: number) => string {
  const starts: { line: number; file: string }[] = [];
  bundle.split("\n").forEach((text, line) => {
    const m = /^\/\/ (\S+\.(?:ts|js|mjs|cjs))$/.exec(text);
    if (m?.[1]) starts.push({ line, file: m[1].replace(/^node_modules\//, "") });
  });
  return (line) => {
    let lo = 0;
    let hi = starts.length - 1;
    let found = "index.js";
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const s = starts[mid] as { line: number; file: string };
      if (s.line <= line) {
        found = s.file;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  };
}

const IDLE = new Set(["(idle)", "(program)", "(garbage collector)"]);

/**
 * Self time by function and by file, and inclusive time by function (a sample counts once per function on its stack).
 * Counted in samples, not in V8's time deltas: workerd's isolate is sampled only while it holds the isolate lock, so the
 * sample after an await carries the whole wait in its delta. A sample stands for the median interval between samples.
 */
function summarise(profile: Profile, calls: number, top: number, sourceOf: (line: number) => string): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const key = (n: ProfileNode) => {
    const f = n.callFrame;
    return `${f.functionName || "(anonymous)"} ${f.url ? `${sourceOf(f.lineNumber)}@${f.lineNumber + 1}` : "(native)"}`;
  };
  const deltas = [...profile.timeDeltas].sort((a, b) => a - b);
  const interval = deltas[Math.floor(deltas.length / 2)] ?? 0;
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const byFile = new Map<string, number>();
  const idle = new Map<string, number>();
  let busy = 0;
  for (const id of profile.samples) {
    const node = byId.get(id);
    if (!node) continue;
    const name = node.callFrame.functionName;
    if (IDLE.has(name)) {
      idle.set(name, (idle.get(name) ?? 0) + 1);
      continue;
    }
    busy++;
    const k = key(node);
    self.set(k, (self.get(k) ?? 0) + 1);
    const file = node.callFrame.url ? sourceOf(node.callFrame.lineNumber) : "(native)";
    byFile.set(file, (byFile.get(file) ?? 0) + 1);
    const onStack = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const n = byId.get(at);
      if (n && n.callFrame.functionName !== "(root)") onStack.add(key(n));
    }
    for (const k2 of onStack) inclusive.set(k2, (inclusive.get(k2) ?? 0) + 1);
  }
  const perCall = (samples: number) => `${((samples * interval) / calls).toFixed(1).padStart(6)} µs/call`;
  const rows = (m: Map<string, number>) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, n]) => `${((100 * n) / busy).toFixed(1).padStart(5)} %  ${perCall(n)}  ${k}`);
  return [
    `${profile.samples.length} samples, median interval ${interval} µs, ${calls} calls. JS and its runtime calls: ${perCall(busy)};` +
      ` ${[...IDLE].map((k) => `${k} ${perCall(idle.get(k) ?? 0)}`).join(", ")}`,
    "",
    `self time by function (top ${top}, % of JS samples):`,
    ...rows(self),
    "",
    `inclusive time by function (top ${top}, % of JS samples):`,
    ...rows(inclusive),
    "",
    "self time by file (% of JS samples):",
    ...rows(byFile),
  ].join("\n");
}

/** A sequential MCP client on one keep-alive connection: tools/call echo with a new text each time. */
function client(url: URL, token: string) {
  const t: McpTarget = {
    name: "ringfence",
    url,
    headers: { authorization: `Bearer ${token}` },
    agent: keepAliveAgent(),
    calls: 0,
  };
  let seq = 0;
  /** One tools/call; its latency in ms. Throws on anything but the echoed text. */
  return async (): Promise<number> => {
    if (!t.session || t.calls >= SESSION_CALLS) await newSession(t);
    t.calls++;
    const id = ++seq;
    const start = process.hrtime.bigint();
    const r = await post(t, {
      jsonrpc: "2.0",
      id,
      method: "tools/call",
      params: { name: "echo", arguments: { text: `p ${id}` } },
    });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (r.status !== 200 || !r.body.includes(`p ${id}`) || r.body.includes('"error"')) {
      throw new Error(`tools/call failed: HTTP ${r.status} ${r.body.slice(0, 300)}`);
    }
    return ms;
  };
}

async function drive(call: () => Promise<number>, seconds: number): Promise<number[]> {
  const latencies: number[] = [];
  const until = Date.now() + seconds * 1000;
  while (Date.now() < until) latencies.push(await call());
  return latencies.sort((a, b) => a - b);
}

async function main(): Promise<void> {
  const seconds = Number(process.env.BENCH_PROFILE_SECONDS) || 5;
  const children: Child[] = [];
  const home = mkdtempSync(path.join(os.tmpdir(), "ringfence-mcp-profile-"));
  let close: (() => Promise<void>) | undefined;
  try {
    // A child process, so the fixture's own CPU does not share the driver's event loop.
    const { child: fixture, url: mcpUrl } = await startMcpFixtureChild();
    children.push(fixture);
    const buildDir = path.join(home, "build");
    build(buildDir);
    const inspectorPort = await freePort();
    const served = await serve({
      port: 0,
      persistDir: path.join(home, "state"),
      buildDir,
      secrets: generateSecrets(),
      env: { RINGFENCE_ALLOWED_HOSTS: LOOPBACK_HOSTS },
      trustedHosts: LOOPBACK_HOSTS,
      logLevel: LogLevel.WARN,
      inspectorPort,
    });
    close = served.close;
    const admin = adminClient(served.url, served.adminToken);
    await ensureOrg(admin, { id: "dev", name: "Profile", preset: "standard" });
    await putMcpServer(admin, "dev", "tools", { url: mcpUrl });
    const { token } = await mintToken(admin, "dev", { sub: "profile", models: ["*"], tools: ["*/*"], ttlSeconds: 3600 });
    const call = client(new URL(`${served.url}/mcp/tools`), token);
    await drive(call, 2); // warm up: JIT, caches, the first tools/list
    const cdp = await inspector(inspectorPort);
    await cdp("Profiler.enable");
    await cdp("Profiler.setSamplingInterval", { interval: 50 });
    await cdp("Profiler.start");
    const latencies = await drive(call, seconds);
    const { profile } = (await cdp("Profiler.stop")) as { profile: Profile };
    const out = path.join(ROOT, ".ringfence", "mcp-profile.cpuprofile");
    mkdirSync(path.dirname(out), { recursive: true });
    writeFileSync(out, JSON.stringify(profile));
    console.log(
      `${latencies.length} sequential tools/call under the profiler: p50 ${percentile(latencies, 50).toFixed(2)} ms, p90 ${percentile(latencies, 90).toFixed(2)} ms`,
    );
    const sourceOf = bundleSources(readFileSync(path.join(buildDir, "index.js"), "utf8"));
    console.log(summarise(profile, latencies.length, 40, sourceOf));
    console.log(`\nraw profile: ${out}`);
  } finally {
    await close?.();
    await Promise.all(children.map((c) => c.stop()));
    rmSync(home, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
