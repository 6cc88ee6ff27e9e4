// The benchmark's servers as child processes: the fake upstream, ringfence via `npm start`, and Portkey's gateway via npx.
// Each runs in its own process (own process group) so none shares an event loop with the load generator.
import type { ChildProcess } from "node:child_process";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const PORTKEY_PACKAGE = "@portkey-ai/gateway@1.15.2";
/** The provider key every target receives; the fake upstream only checks that one is present. */
export const PROVIDER_KEY = "sk-bench";

export interface Child {
  name: string;
  proc: ChildProcess;
  /** Everything the child printed so far (stdout and stderr), for error messages. */
  output(): string;
  exited(): boolean;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export function startChild(name: string, cmd: string, args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv }): Child {
  // detached: a process group of its own, so stop() also reaches grandchildren (workerd under start.ts, node under npx).
  const proc = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  const keep = (b: Buffer) => {
    out = (out + b.toString("utf8")).slice(-20_000);
  };
  proc.stdout?.on("data", keep);
  proc.stderr?.on("data", keep);
  let done = false;
  const exit = new Promise<void>((resolve) => {
    proc.once("exit", () => {
      done = true;
      resolve();
    });
    proc.once("error", (err) => {
      out += `\n${err.message}`;
      done = true;
      resolve();
    });
  });
  const signal = (sig: NodeJS.Signals) => {
    if (done || proc.pid === undefined) return;
    try {
      process.kill(-proc.pid, sig);
    } catch {
      // already gone
    }
  };
  return {
    name,
    proc,
    output: () => out,
    exited: () => done,
    async stop() {
      signal("SIGTERM");
      const timer = setTimeout(() => signal("SIGKILL"), 5000);
      await exit;
      clearTimeout(timer);
      // The group leader is gone; make sure nothing it started lingers.
      if (proc.pid !== undefined) {
        try {
          process.kill(-proc.pid, "SIGKILL");
        } catch {
          // no such group: all gone
        }
      }
    },
  };
}

/** Polls `ready` until it returns a value, the child exits, `ready` throws, or the time is up; on failure the child is stopped. */
export async function waitFor<T>(child: Child, what: string, timeoutMs: number, ready: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      if (child.exited()) throw new Error(`${child.name} exited before ${what}:\n${child.output().trim()}`);
      const value = await ready();
      if (value !== undefined) return value;
      if (Date.now() > deadline)
        throw new Error(`${child.name}: no ${what} after ${timeoutMs / 1000} s:\n${child.output().trim()}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  } catch (err) {
    await child.stop();
    throw err;
  }
}

const node = process.execPath;

export async function startFake(): Promise<{ child: Child; url: string }> {
  const child = startChild("fake upstream", node, ["test/fixtures/fake-upstream.ts", "--port", "0"], {
    cwd: ROOT,
    env: process.env,
  });
  // The CLI prints its URL once it listens (record is off in CLI mode, so memory stays flat under load).
  const url = await waitFor(child, "URL on stdout", 15_000, async () => child.output().match(/http:\/\/127\.0\.0\.1:\d+/)?.[0]);
  return { child, url };
}

/** The MCP fixture server (profile `attacks`: echo, add, …) as its own process; its URL once it listens. */
export async function startMcpFixtureChild(): Promise<{ child: Child; url: string }> {
  const child = startChild(
    "mcp fixture",
    node,
    ["--experimental-strip-types", "test/fixtures/mcp-server.ts", "--port", "0", "--profile", "attacks"],
    { cwd: ROOT, env: process.env },
  );
  const url = await waitFor(
    child,
    "URL on stdout",
    20_000,
    async () => child.output().match(/http:\/\/127\.0\.0\.1:\d+\/mcp/)?.[0],
  );
  return { child, url };
}

export interface Ringfence {
  child: Child;
  url: string;
  token: string;
  home: string;
}

/** `npm start` of the checkout at `root` (another checkout serves A/B comparisons). */
export async function startRingfence(
  upstreamUrl: string,
  root = ROOT,
  extraEnv: Record<string, string> = {},
): Promise<Ringfence> {
  const home = mkdtempSync(path.join(os.tmpdir(), "ringfence-bench-"));
  const port = await freePort();
  const env = {
    ...process.env,
    PORT: String(port),
    RINGFENCE_HOME: home,
    OPENAI_API_KEY: PROVIDER_KEY,
    UPSTREAM_OPENAI_URL: `${upstreamUrl}/v1`,
    ...extraEnv,
  };
  // Exactly what `npm start` runs, without npm's own process in between.
  const child = startChild("ringfence (npm start)", node, ["scripts/start.ts"], { cwd: root, env });
  const devFile = path.join(home, "dev.json");
  try {
    const dev = await waitFor(child, `${devFile}`, 180_000, async () => {
      // start.ts writes dev.json, then prints the banner: wait for both so the file is complete.
      if (!existsSync(devFile) || !child.output().includes("ringfence is running")) return undefined;
      return JSON.parse(readFileSync(devFile, "utf8")) as { url?: unknown; token?: unknown };
    });
    if (typeof dev.url !== "string" || typeof dev.token !== "string") throw new Error(`${devFile} has no url and token`);
    return { child, url: dev.url, token: dev.token, home };
  } catch (err) {
    removeHome(home);
    throw err;
  }
}

export function removeHome(home: string): void {
  rmSync(home, { recursive: true, force: true });
}

/** npx next to the running node, so the same Node 22 runs Portkey whatever PATH holds. */
function npxPath(): string {
  const beside = path.join(path.dirname(node), "npx");
  return existsSync(beside) ? beside : "npx";
}

export async function startPortkey(
  upstreamUrl: string,
  /** Resolves false while the gateway is not listening yet; rejects when it answers wrongly. */
  probe: (url: string) => Promise<boolean>,
): Promise<{ child: Child; url: string }> {
  const port = await freePort();
  const preload = path.join(ROOT, "bench/overhead/loopback.ts");
  const env = {
    ...process.env,
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --import=${preload}`.trim(),
    npm_config_yes: "true",
    npm_config_update_notifier: "false",
  };
  // Run from a temp dir so npx resolves the published package, not anything in this workspace.
  const child = startChild("Portkey gateway (npx)", npxPath(), ["-y", PORTKEY_PACKAGE, "--headless", `--port=${port}`], {
    cwd: os.tmpdir(),
    env,
  });
  const url = `http://127.0.0.1:${port}`;
  // The first run downloads the package; a served chat completion (not just an open port) means it is ready.
  await waitFor(child, `a completion through ${url} (upstream ${upstreamUrl})`, 240_000, async () =>
    (await probe(url)) ? true : undefined,
  );
  return { child, url };
}
