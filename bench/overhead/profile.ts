// `npm run bench:profile`: where ringfence's CPU goes under the overhead bench's load. Serves the Worker as `npm start`
// does, with the V8 inspector on, drives 16 connections of the bench's chat completion at it, records a CPU profile of
// workerd's isolate, and prints self time by function and by source file. Writes the raw profile to
// .ringfence/profile.cpuprofile (open it in Chrome DevTools). BENCH_PROFILE_SECONDS (default 5) and
// BENCH_PROFILE_CONNECTIONS (default 16; 1 shows the sequential path) and BENCH_PROFILE_STREAM=1 (streamed calls) change
// the run.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import { LogLevel } from "miniflare";
import { adminClient, ensureOrg, mintToken, putProvider } from "../../scripts/seed.ts";
import { build, generateSecrets, LOOPBACK_HOSTS, serve } from "../../scripts/serve.ts";
import { inspector, type Profile } from "./inspector.ts";
import { chatBody, PATH } from "./measure.ts";
import { freePort, PROVIDER_KEY, ROOT, startFake } from "./processes.ts";

function summarise(profile: Profile, top: number): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
  const byFn = new Map<string, number>();
  const byFile = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const f = byId.get(id)?.callFrame;
    if (!f) continue;
    const file = f.url ? path.basename(f.url) : "(native)";
    const fn = `${f.functionName || "(anonymous)"} ${file}:${f.lineNumber + 1}`;
    byFn.set(fn, (byFn.get(fn) ?? 0) + us);
    byFile.set(file, (byFile.get(file) ?? 0) + us);
  }
  const rows = (m: Map<string, number>) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, us]) => `${((100 * us) / total).toFixed(1).padStart(5)} %  ${k}`);
  return [`self time by function (top ${top}):`, ...rows(byFn), "", "by file:", ...rows(byFile)].join("\n");
}

async function main(): Promise<void> {
  const seconds = Number(process.env.BENCH_PROFILE_SECONDS) || 5;
  const fake = await startFake();
  const home = mkdtempSync(path.join(os.tmpdir(), "ringfence-profile-"));
  const buildDir = path.join(home, "build");
  build(buildDir);
  const inspectorPort = await freePort();
  const served = await serve({
    port: 0,
    persistDir: path.join(home, "state"),
    buildDir,
    secrets: generateSecrets(),
    env: { UPSTREAM_OPENAI_URL: `${fake.url}/v1` },
    trustedHosts: LOOPBACK_HOSTS,
    logLevel: LogLevel.WARN,
    inspectorPort,
  });
  try {
    const admin = adminClient(served.url, served.adminToken);
    await ensureOrg(admin, { id: "dev", name: "Profile", preset: "standard" });
    await putProvider(admin, "dev", "openai", { apiKey: PROVIDER_KEY, baseUrl: `${fake.url}/v1` });
    const { token } = await mintToken(admin, "dev", { sub: "profile", models: ["*"], ttlSeconds: 3600 });
    const run = (duration: number) =>
      autocannon({
        url: `${served.url}${PATH}`,
        method: "POST",
        connections: Number(process.env.BENCH_PROFILE_CONNECTIONS) || 16,
        duration,
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: chatBody(process.env.BENCH_PROFILE_STREAM === "1"),
      });
    await run(2); // warm up
    const cdp = await inspector(inspectorPort);
    await cdp("Profiler.enable");
    await cdp("Profiler.setSamplingInterval", { interval: 100 });
    await cdp("Profiler.start");
    const result = await run(seconds);
    const { profile } = (await cdp("Profiler.stop")) as { profile: Profile };
    const out = path.join(ROOT, ".ringfence", "profile.cpuprofile");
    mkdirSync(path.dirname(out), { recursive: true });
    writeFileSync(out, JSON.stringify(profile));
    console.log(
      `${result.requests.average.toFixed(0)} req/s under the profiler, non-2xx ${result.non2xx}, errors ${result.errors}`,
    );
    console.log(summarise(profile, 40));
    console.log(`\nraw profile: ${out}`);
  } finally {
    await served.close();
    await fake.child.stop();
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
