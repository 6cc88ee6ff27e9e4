// Starts the real Worker on workerd, exactly as `npm start` serves it, for e2e tests: fresh state, a free port, a dev org.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { LogLevel } from "miniflare";
import type { Miniflare } from "miniflare";
import { inject } from "vitest";
import { adminClient, ensureOrg, mintToken, putProvider, tokenClaim } from "../../scripts/seed.ts";
import type { AdminFetch, MintedToken, Provider } from "../../scripts/seed.ts";
import { build, LOOPBACK_HOSTS, loadSecrets, serve } from "../../scripts/serve.ts";
import type { Served } from "../../scripts/serve.ts";
import type { LedgerUsage, Limits } from "../../src/meter/types.ts";
import type { FakeUpstream } from "../fixtures/fake-upstream.ts";
import type {} from "./global-setup.ts";

export const DEV_ORG = "dev";
/** Default provider keys the gateway holds server-side for the dev org; the fake upstream sees these, never the token. */
export const UPSTREAM_KEYS: ProviderKeys = { openai: "sk-e2e-upstream-openai", anthropic: "sk-ant-e2e-upstream" };
/** With no fake upstream, providers point at a closed loopback port so that no test reaches the internet. */
const NOWHERE = "http://127.0.0.1:9";

export type ProviderKeys = Partial<Record<Provider, string>>;

export interface Gateway {
  url: string;
  adminToken: string;
  /** A capability token of the dev org: subject "dev", all models, one hour. */
  token: string;
  /** Mint another dev-org token through the admin API; returns the token string. */
  mintToken(request: { sub: string; models: string[]; ttlSeconds?: number; limits?: Limits }): Promise<string>;
  /** A token's id (its `jti`, which names its budget ledger). */
  tokenId(token: string): string;
  /** GET /admin/orgs/dev/tokens/:id/usage. */
  usage(tokenId: string): Promise<LedgerUsage>;
  /** fetch() on `${url}/admin${path}` with the admin token (and JSON content type when there is a body). */
  admin: AdminFetch;
  /** The running Miniflare instance (replaced by restart()). */
  readonly mf: Miniflare;
  /** Dispose workerd and start it again on the same state and port: nothing held in Durable Objects may be lost. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export interface GatewayOptions {
  upstream?: Pick<FakeUpstream, "openaiBase" | "anthropicBase">;
  /** Provider keys set for the dev org when `upstream` is given (default UPSTREAM_KEYS); a provider left out gets none. */
  providerKeys?: ProviderKeys;
  /** Reuse a state folder (kept on close); by default a fresh temporary one (removed on close). */
  persistDir?: string;
  /** Overrides of wrangler.toml [vars], e.g. RINGFENCE_UPSTREAM_TIMEOUT_MS. */
  env?: Record<string, string>;
}

let ownBuildDir: string | undefined;

/** The bundle from global-setup.ts, or, when the config has no globalSetup, one built once per test file. */
function bundle(): string {
  const provided = inject("ringfenceBuildDir");
  if (provided !== undefined) return provided;
  if (ownBuildDir === undefined) {
    const dir = mkdtempSync(path.join(os.tmpdir(), "ringfence-e2e-build-"));
    build(dir);
    ownBuildDir = dir;
  }
  return ownBuildDir;
}

export async function startGateway(options: GatewayOptions = {}): Promise<Gateway> {
  const ownsDir = options.persistDir === undefined;
  const persistDir = options.persistDir ?? mkdtempSync(path.join(os.tmpdir(), "ringfence-e2e-state-"));
  // Kept beside the state, so a restart (or a second gateway on the same folder) can still decrypt it.
  // An empty env: the developer's RINGFENCE_* variables must not change what a test sees.
  const secrets = loadSecrets(path.join(persistDir, "secrets.json"), {});
  const env = {
    UPSTREAM_OPENAI_URL: options.upstream?.openaiBase ?? `${NOWHERE}/v1`,
    UPSTREAM_ANTHROPIC_URL: options.upstream?.anthropicBase ?? NOWHERE,
    ...options.env,
  };
  const start = (port: number): Promise<Served> =>
    serve({ port, persistDir, buildDir: bundle(), secrets, env, trustedHosts: LOOPBACK_HOSTS, logLevel: LogLevel.WARN });

  let served = await start(0);
  const port = Number(new URL(served.url).port);
  const admin = adminClient(served.url, secrets.adminToken);
  let minted: MintedToken;
  try {
    await ensureOrg(admin, { id: DEV_ORG, name: "Dev org", preset: "standard" });
    if (options.upstream !== undefined) {
      const keys = options.providerKeys ?? UPSTREAM_KEYS;
      const bases: Record<Provider, string> = { openai: options.upstream.openaiBase, anthropic: options.upstream.anthropicBase };
      for (const provider of ["openai", "anthropic"] as const) {
        const apiKey = keys[provider];
        if (apiKey !== undefined) await putProvider(admin, DEV_ORG, provider, { apiKey, baseUrl: bases[provider] });
      }
    }
    minted = await mintToken(admin, DEV_ORG, { sub: "dev", models: ["*"], ttlSeconds: 3600 });
  } catch (err) {
    await served.close();
    throw err;
  }

  let closed = false;
  return {
    url: served.url,
    adminToken: secrets.adminToken,
    token: minted.token,
    admin,
    async mintToken(request) {
      return (await mintToken(admin, DEV_ORG, { ttlSeconds: 3600, ...request })).token;
    },
    tokenId(token) {
      const jti = tokenClaim(token, "jti");
      if (typeof jti !== "string") throw new Error("not a ringfence token: no jti claim");
      return jti;
    },
    async usage(tokenId) {
      const res = await admin(`/orgs/${DEV_ORG}/tokens/${tokenId}/usage`);
      if (!res.ok) throw new Error(`GET usage of ${tokenId}: HTTP ${res.status} ${await res.text()}`);
      return (await res.json()) as LedgerUsage;
    },
    get mf() {
      return served.mf;
    },
    async restart() {
      await served.close();
      served = await start(port);
    },
    async close() {
      if (closed) return;
      closed = true;
      await served.close();
      if (ownsDir) rmSync(persistDir, { recursive: true, force: true });
    },
  };
}
