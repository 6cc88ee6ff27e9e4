// Build the ringfence Worker with wrangler and serve the bundle directly on workerd through Miniflare's API.
// Shared by `npm start` (scripts/start.ts) and the e2e harness (test/e2e/harness.ts). Serving directly, not through
// `wrangler dev`, avoids wrangler's proxy Worker in front of every request.
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import http from "node:http";
import { createRequire } from "node:module";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { V4WorkerOptions } from "miniflare";
import { convertV4MiniflareOptions, Log, LogLevel, Miniflare } from "miniflare";
import { unstable_getMiniflareWorkerOptions, unstable_readConfig } from "wrangler";

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const CONFIG_PATH = path.join(PROJECT_ROOT, "wrangler.toml");

/** Loopback only: the operator runs the fake or local upstreams there. */
export const LOOPBACK_HOSTS = "127.0.0.1,localhost,[::1]";

/** A problem the operator can fix (bad secret, failed build): printed without a stack. */
export class UserError extends Error {
  override name = "UserError";
}

/** Bundle the Worker exactly as `wrangler deploy` would, into `outDir`. Throws UserError with wrangler's output. */
export function build(outDir: string): void {
  // wrangler's "exports" hide its bin; find it through package.json, which is exported.
  const pkgJson = createRequire(import.meta.url).resolve("wrangler/package.json");
  const wrangler = path.join(path.dirname(pkgJson), "bin", "wrangler.js");
  const args = [wrangler, "deploy", "--dry-run", "--outdir", outDir, "--config", CONFIG_PATH];
  const result = spawnSync(process.execPath, args, {
    cwd: PROJECT_ROOT,
    encoding: "utf8",
    // No account, no network: keep wrangler from phoning home.
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", WRANGLER_HIDE_BANNER: "true" },
  });
  if (result.error !== undefined || result.status !== 0) {
    const output = `${result.stdout ?? ""}${result.stderr ?? ""}`.trim();
    const why = result.error?.message ?? `exit code ${result.status ?? result.signal}`;
    throw new UserError(`Building the Worker failed (wrangler deploy --dry-run: ${why}).\n${output}`);
  }
  if (!existsSync(path.join(outDir, "index.js"))) {
    throw new UserError(`Building the Worker produced no ${path.join(outDir, "index.js")}`);
  }
}

export interface Secrets {
  adminToken: string;
  /** base64 of 32 bytes (AES-256-GCM key for provider credentials at rest). */
  encryptionKey: string;
}

export function generateSecrets(): Secrets {
  return { adminToken: randomBytes(32).toString("base64url"), encryptionKey: randomBytes(32).toString("base64") };
}

function checkEncryptionKey(key: string, from: string): string {
  if (Buffer.from(key, "base64").length !== 32) {
    throw new UserError(`RINGFENCE_ENCRYPTION_KEY from ${from} must be base64 of exactly 32 bytes`);
  }
  return key;
}

/**
 * The secrets in `file` (created with fresh random values, mode 0600, on first use) so that a restart keeps
 * provider credentials decryptable; RINGFENCE_ADMIN_TOKEN / RINGFENCE_ENCRYPTION_KEY in `env` override them.
 */
export function loadSecrets(file: string, env: NodeJS.ProcessEnv = process.env): Secrets {
  let stored: Secrets;
  if (existsSync(file)) {
    const parsed: unknown = JSON.parse(readFileSync(file, "utf8"));
    const s = parsed as Partial<Secrets> | null;
    if (typeof s?.adminToken !== "string" || typeof s.encryptionKey !== "string") {
      throw new UserError(`${file} must hold {"adminToken", "encryptionKey"}; delete it only if no state depends on it`);
    }
    stored = { adminToken: s.adminToken, encryptionKey: checkEncryptionKey(s.encryptionKey, file) };
  } else {
    stored = generateSecrets();
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify(stored, null, 2)}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
  }
  return {
    adminToken: env.RINGFENCE_ADMIN_TOKEN || stored.adminToken,
    encryptionKey: env.RINGFENCE_ENCRYPTION_KEY
      ? checkEncryptionKey(env.RINGFENCE_ENCRYPTION_KEY, "the environment")
      : stored.encryptionKey,
  };
}

type ModuleType = "ESModule" | "CommonJS" | "Text" | "Data" | "CompiledWasm";
const moduleTypes: Record<string, ModuleType> = {
  ".js": "ESModule",
  ".mjs": "ESModule",
  ".cjs": "CommonJS",
  ".wasm": "CompiledWasm",
  ".txt": "Text",
  ".html": "Text",
  ".sql": "Text",
  ".bin": "Data",
};

/** The bundle's modules, entry first: wrangler emits index.js plus any wasm/text/data modules it imports. */
function bundleModules(buildDir: string): { type: ModuleType; path: string }[] {
  const files = readdirSync(buildDir, { recursive: true, withFileTypes: true })
    .filter((f) => f.isFile())
    .map((f) => path.join(f.parentPath, f.name))
    .filter((f) => !f.endsWith(".map") && path.basename(f) !== "README.md");
  const main = path.join(buildDir, "index.js");
  return [main, ...files.filter((f) => f !== main).sort()].map((f) => ({
    type: moduleTypes[path.extname(f)] ?? "Data",
    path: f,
  }));
}

export interface ServeOptions {
  /** 0 picks a free port. */
  port: number;
  /** Durable Object state lives under `<persistDir>/do`. */
  persistDir: string;
  /** The output of build(). */
  buildDir: string;
  secrets: Secrets;
  /** Overrides of wrangler.toml [vars] (e.g. UPSTREAM_OPENAI_URL); keys that are not [vars] are ignored. */
  env?: Record<string, string | undefined>;
  /** RINGFENCE_TRUSTED_HOSTS: hosts the operator trusts for plain-http / private upstreams. */
  trustedHosts: string;
  /** Miniflare's log level (default INFO). */
  logLevel?: LogLevel;
  /** Opens the V8 inspector on this port (profiling: bench/overhead/profile.ts). Off by default. */
  inspectorPort?: number;
  /**
   * Code mode's isolates in a sandbox process (default true). False loads them in the gateway's own process, as on
   * Cloudflare — where the platform enforces memory and CPU, and here nothing does: for tests of that path only.
   */
  codemodeSandbox?: boolean;
}

export interface Served {
  url: string;
  mf: Miniflare;
  adminToken: string;
  /** The code-mode sandbox process: its URL and how many times the supervisor restarted it. */
  sandbox: { url: string; readonly restarts: number };
  close(): Promise<void>;
}

/** A free loopback port, chosen now (the two processes must know each other's address before either starts). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function serve(opts: ServeOptions): Promise<Served> {
  const config = unstable_readConfig({ config: CONFIG_PATH }, { hideWarnings: true });
  // Only wrangler.toml's [vars]: the bindings wrangler derives for local dev also pull in .dev.vars and .env,
  // which are development shortcuts that must not leak into this production-like server.
  // Naming an env file that does not exist keeps wrangler from reading (and announcing) .dev.vars and .env at all.
  const devOptions = { overrides: { enableContainers: false }, envFiles: [path.join(opts.buildDir, "none.env")] };
  const { workerOptions } = unstable_getMiniflareWorkerOptions(config, undefined, devOptions);
  const { modulesRules: _rules, bindings: _devBindings, ...sourceless } = workerOptions;
  const vars: Record<string, unknown> = { ...config.vars };
  for (const [key, value] of Object.entries(opts.env ?? {})) {
    if (key in vars && value !== undefined && value !== "") vars[key] = value;
  }
  const port = opts.port || (await freePort());
  const sandboxPort = await freePort();
  const mainUrl = `http://127.0.0.1:${port}`;
  const sandboxUrl = `http://127.0.0.1:${sandboxPort}`;
  const jobKey = randomBytes(32).toString("base64");
  const log = new Log(opts.logLevel ?? LogLevel.INFO);
  const options = (listen: number, bindings: Record<string, string>, extra: Record<string, unknown>) => {
    const worker: V4WorkerOptions = {
      ...sourceless,
      // Clients connect straight to the Worker's own socket in workerd, not through Miniflare's entry Worker,
      // which adds a hop (about 0.3 ms and a third of the throughput on this machine's measurements).
      unsafeDirectSockets: [{ host: "127.0.0.1", port: listen }],
      name: config.name,
      modulesRoot: opts.buildDir,
      modules: bundleModules(opts.buildDir),
      bindings: { ...(vars as NonNullable<V4WorkerOptions["bindings"]>), ...bindings },
    };
    return convertV4MiniflareOptions({
      ...worker,
      // Miniflare's own entry stays on a free loopback port for its tooling; the advertised URL is the direct socket.
      host: "127.0.0.1",
      port: 0,
      // Self-hosted requests have no Cloudflare edge metadata; never fetch a placeholder from the internet.
      cf: false,
      logRequests: false,
      log,
      ...extra,
    });
  };
  // Local workerd enforces no memory or CPU limit on loaded isolates: a heap exhaustion aborts the process, and code
  // the instrumentation cannot see may hang it. So code mode's isolates load in a second process running the same
  // bundle (no state of its own: tool calls come back here), which the supervisor restarts when it dies or hangs.
  const sandbox =
    opts.codemodeSandbox === false
      ? null
      : await Sandbox.start(
          () =>
            options(
              sandboxPort,
              {
                RINGFENCE_TRUSTED_HOSTS: opts.trustedHosts,
                // It serves no admin API: a random token nobody knows.
                RINGFENCE_ADMIN_TOKEN: randomBytes(32).toString("base64url"),
                // Not the deployment's key: the sandbox runs untrusted code and needs only the key jobs are MAC'd with.
                RINGFENCE_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
                RINGFENCE_CODEMODE_JOB_KEY: jobKey,
                RINGFENCE_CODEMODE_BROKER: mainUrl,
              },
              {},
            ),
          sandboxUrl,
          log,
          opts.persistDir,
        );
  const supervisor = sandbox ? await sandbox.supervise() : "";
  const mf = new Miniflare(
    options(
      port,
      {
        RINGFENCE_TRUSTED_HOSTS: opts.trustedHosts,
        RINGFENCE_ADMIN_TOKEN: opts.secrets.adminToken,
        RINGFENCE_ENCRYPTION_KEY: opts.secrets.encryptionKey,
        RINGFENCE_CODEMODE_SANDBOX: sandbox ? sandboxUrl : "",
        RINGFENCE_CODEMODE_JOB_KEY: jobKey,
        RINGFENCE_CODEMODE_SUPERVISOR: supervisor,
      },
      {
        resourcePersistencePath: opts.persistDir,
        ...(opts.inspectorPort !== undefined ? { inspectorPort: opts.inspectorPort } : {}),
      },
    ),
  );
  let url: URL;
  try {
    await mf.ready;
    url = await mf.unsafeGetDirectURL(config.name);
  } catch (err) {
    await Promise.all([mf.dispose().catch(() => {}), sandbox?.close()]);
    throw err;
  }
  return {
    url: url.origin,
    mf,
    adminToken: opts.secrets.adminToken,
    sandbox: {
      url: sandbox ? sandboxUrl : "",
      get restarts() {
        return sandbox?.restarts ?? 0;
      },
    },
    close: async () => {
      await Promise.all([mf.dispose(), sandbox?.close()]);
    },
  };
}

/**
 * The code-mode sandbox process and its supervisor: a loopback endpoint the gateway reports to (a program that timed
 * out, a connection that broke), and a poll that notices a dead process. Either way the sandbox is probed; one that
 * does not answer its health check is killed and started again on the same port.
 */
class Sandbox {
  restarts = 0;
  #mf: Miniflare;
  #restarting: Promise<void> | null = null;
  #server: http.Server | null = null;
  #poll: NodeJS.Timeout | null = null;
  #closed = false;

  readonly #relaunch: () => Promise<Miniflare>;
  readonly #url: string;
  readonly #log: Log;

  // Plain fields, not parameter properties: `npm start` runs this file with Node's type stripping, which refuses them.
  private constructor(launch: () => Promise<Miniflare>, url: string, log: Log, mf: Miniflare) {
    this.#relaunch = launch;
    this.#url = url;
    this.#log = log;
    this.#mf = mf;
  }

  /** `dir` holds the sandbox's launcher script. */
  static async start(
    options: () => ConstructorParameters<typeof Miniflare>[0],
    url: string,
    log: Log,
    dir: string,
  ): Promise<Sandbox> {
    const launcher = writeLauncher(dir);
    const launch = () => Sandbox.#launch(options, launcher);
    return new Sandbox(launch, url, log, await launch());
  }

  /**
   * Cloudflare gives a loaded isolate 128 MB of memory; the sandbox's isolates get 128 MB of V8 heap, and the process
   * a cap on its writable memory (ArrayBuffers live outside the heap). Miniflare takes V8 flags and the workerd binary
   * only from environment variables, read while it assembles the config and spawns the process: set until the process
   * is up, then restored (nothing else may start a Miniflare meanwhile: the gateway's process starts after this one).
   */
  static async #launch(options: () => ConstructorParameters<typeof Miniflare>[0], launcher: string): Promise<Miniflare> {
    const saved = { flags: process.env.MINIFLARE_WORKERD_V8_FLAGS, path: process.env.MINIFLARE_WORKERD_PATH };
    process.env.MINIFLARE_WORKERD_V8_FLAGS = `--max-old-space-size=${SANDBOX_HEAP_MB}`;
    process.env.MINIFLARE_WORKERD_PATH = launcher;
    const mf = new Miniflare(options());
    try {
      await mf.ready;
    } catch (err) {
      await mf.dispose().catch(() => {});
      throw err;
    } finally {
      restoreEnv("MINIFLARE_WORKERD_V8_FLAGS", saved.flags);
      restoreEnv("MINIFLARE_WORKERD_PATH", saved.path);
    }
    return mf;
  }

  /** Starts the supervisor's endpoint; returns its URL. */
  async supervise(): Promise<string> {
    // The path is a secret only the gateway is told: no other local process (nor a program with egress to loopback)
    // can make the supervisor restart the sandbox under everyone's executions.
    const secretPath = `/${randomBytes(24).toString("base64url")}`;
    this.#server = http.createServer((req, res) => {
      req.resume();
      if (req.method !== "POST" || req.url?.split("?")[0] !== secretPath) {
        res.writeHead(404).end();
        return;
      }
      // Answer first: the gateway must not wait for a restart.
      res.writeHead(204).end();
      // A connection that broke under a program: restart even if Miniflare already brought the process back up by
      // itself, since its restart spawns workerd without the sandbox's limits.
      if (req.url?.includes("why=lost")) void this.restartNow();
      // A program ran past its wall time: the sandbox is restarted only if it cannot answer a health check within a
      // few seconds (stuck where no step is counted), not because it is busy for a moment.
      else void this.check(PROBE_MS);
    });
    await new Promise<void>((resolve) => this.#server?.listen(0, "127.0.0.1", resolve));
    const address = this.#server.address();
    // A process that died on its own is noticed within a few seconds even when no one reports it.
    this.#poll = setInterval(() => void this.check(null), 3000);
    this.#poll.unref();
    return `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}${secretPath}`;
  }

  /**
   * Probes the sandbox; restarts it when it refuses connections (dead) or, with `timeoutMs`, does not answer in time
   * (hung). The poll passes null: a sandbox busy with a long program is not killed for being slow.
   */
  async check(timeoutMs: number | null): Promise<void> {
    if (this.#closed || this.#restarting) return this.#restarting ?? undefined;
    const healthy = await fetch(`${this.#url}/healthz`, timeoutMs === null ? {} : { signal: AbortSignal.timeout(timeoutMs) })
      .then(async (r) => {
        await r.body?.cancel();
        return true;
      })
      .catch((err: unknown) => timeoutMs === null && !refused(err));
    if (healthy || this.#closed) return;
    return this.restartNow();
  }

  restartNow(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#restarting ??= this.#restart().finally(() => {
      this.#restarting = null;
    });
    return this.#restarting;
  }

  async #restart(): Promise<void> {
    this.#log.warn("code-mode sandbox unresponsive or dead: restarting it");
    await this.#mf.dispose().catch(() => {});
    if (this.#closed) return;
    this.#mf = await this.#relaunch();
    this.restarts++;
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#poll) clearInterval(this.#poll);
    this.#server?.close();
    await this.#restarting?.catch(() => {});
    await this.#mf.dispose().catch(() => {});
  }
}

const SANDBOX_HEAP_MB = 128;
/** How long a sandbox may take to answer its health check after a program timed out before it counts as hung. */
const PROBE_MS = 3000;
/** RLIMIT_DATA of the sandbox process: its heaps, ArrayBuffers and in-memory files together. */
const SANDBOX_DATA_MB = 1024;

function restoreEnv(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}

/** The sandbox's workerd launcher: the real binary under a cap on writable memory (`ulimit -d`). */
function writeLauncher(dir: string): string {
  const fromMiniflare = createRequire(createRequire(import.meta.url).resolve("miniflare"));
  const workerd = fromMiniflare("workerd") as { default?: string } | string;
  const binary = typeof workerd === "string" ? workerd : workerd.default;
  if (!binary) throw new UserError("cannot find the workerd binary Miniflare uses");
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, "workerd-sandbox.sh");
  const script = `#!/bin/sh\n# Written by ringfence: the code-mode sandbox's workerd, with its writable memory capped.\nulimit -d ${SANDBOX_DATA_MB * 1024} || exit 1\nexec ${JSON.stringify(binary)} "$@"\n`;
  writeFileSync(file, script, { mode: 0o755 });
  chmodSync(file, 0o755);
  return file;
}

/** Whether a fetch failed because nothing listens (the process is gone), as opposed to being slow. */
function refused(err: unknown): boolean {
  const cause = err instanceof Error ? (err.cause as { code?: string } | undefined) : undefined;
  return cause?.code === "ECONNREFUSED" || cause?.code === "ECONNRESET";
}
