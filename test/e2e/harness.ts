// Starts the real Worker on workerd, exactly as `npm start` serves it, for e2e tests: fresh state, a free port, a dev org.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Miniflare } from "miniflare";
import { LogLevel } from "miniflare";
import { inject } from "vitest";
import type { AdminFetch, MintedToken, Provider } from "../../scripts/seed.ts";
import { adminClient, decodeJwtPart, ensureOrg, expectOk, mintToken, putMcpServer, putProvider } from "../../scripts/seed.ts";
import type { Served } from "../../scripts/serve.ts";
import { build, LOOPBACK_HOSTS, loadSecrets, serve } from "../../scripts/serve.ts";
import type { LedgerUsage, Limits } from "../../src/meter/types.ts";
import type { FakeUpstream } from "../fixtures/fake-upstream.ts";
import type {} from "./global-setup.ts";

export const DEV_ORG = "dev";
export type ProviderKeys = Partial<Record<Provider, string>>;
/** Default provider keys the gateway holds server-side for the dev org; the fake upstream sees these, never the token. */
export const UPSTREAM_KEYS: ProviderKeys = { openai: "sk-e2e-upstream-openai", anthropic: "sk-ant-e2e-upstream" };
/** With no fake upstream, providers point at a closed loopback port so that no test reaches the internet. */
const NOWHERE = "http://127.0.0.1:9";

export interface Gateway {
  url: string;
  adminToken: string;
  /** A capability token of the dev org: subject "dev", all models and tools, one hour. */
  token: string;
  /** fetch() on `${url}${path}` (path like "/admin/orgs/dev") with the admin token; JSON content type when there is a body. */
  admin: AdminFetch;
  /** Mint another dev-org root token through the admin API (default ttl one hour); returns the token string. */
  mintToken(request: { sub: string; models: string[]; tools?: string[]; ttlSeconds?: number; limits?: Limits }): Promise<string>;
  /** Attenuate `parent` as its holder would (POST /v1/tokens); returns the child token string. */
  attenuate(
    parent: string,
    request: { sub?: string; models?: string[]; tools?: string[]; ttlSeconds?: number; limits?: Limits },
  ): Promise<string>;
  /** PUT /admin/orgs/dev/mcp/servers/:name. */
  putMcpServer(name: string, server: { url: string; headers?: Record<string, string> }): Promise<void>;
  /** POST /admin/orgs/dev/tokens/:id/revoke. */
  revoke(tokenId: string): Promise<void>;
  /** GET /admin/orgs/dev/tokens/:id/usage. */
  usage(tokenId: string): Promise<LedgerUsage>;
  /** A token's claims, decoded without verifying. */
  claims(token: string): Record<string, unknown>;
  /** A token's id (its `jti`, which names its budget ledger). */
  tokenId(token: string): string;
  /** The `kid` of the key that signed a token. */
  kid(token: string): string;
  /** How many times the code-mode sandbox process was restarted by its supervisor (since the last restart()). */
  readonly sandboxRestarts: number;
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
  /** Overrides of wrangler.toml [vars], e.g. RINGFENCE_UPSTREAM_TIMEOUT_MS. */
  vars?: Record<string, string>;
  /** Reuse a state folder (kept on close); by default a fresh temporary one (removed on close). */
  persistDir?: string;
  /** False: code mode loads isolates in the gateway's process, as on Cloudflare (see ServeOptions.codemodeSandbox). */
  codemodeSandbox?: boolean;
}

let ownBuildDir: string | undefined;

/** The bundle from global-setup.ts, or, when the config has no globalSetup, one built once per test file. */
function bundle(): string {
  const provided = inject("ringfenceBuildDir");
  if (provided !== undefined) return provided;
  if (ownBuildDir === undefined) {
    const dir = mkdtempSync(path.join(os.tmpdir(), "ringfence-e2e-build-"));
    build(dir);
    process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
    ownBuildDir = dir;
  }
  return ownBuildDir;
}

function stringClaim(part: Record<string, unknown>, name: string): string {
  const value = part[name];
  if (typeof value !== "string") throw new Error(`not a ringfence token: no '${name}'`);
  return value;
}

async function seedDevOrg(admin: AdminFetch, options: GatewayOptions): Promise<MintedToken> {
  await ensureOrg(admin, { id: DEV_ORG, name: "Dev org", preset: "standard" });
  if (options.upstream !== undefined) {
    const keys = options.providerKeys ?? UPSTREAM_KEYS;
    const bases: Record<Provider, string> = { openai: options.upstream.openaiBase, anthropic: options.upstream.anthropicBase };
    for (const provider of ["openai", "anthropic"] as const) {
      const apiKey = keys[provider];
      if (apiKey !== undefined) await putProvider(admin, DEV_ORG, provider, { apiKey, baseUrl: bases[provider] });
    }
  }
  return mintToken(admin, DEV_ORG, { sub: "dev", models: ["*"], tools: ["*/*"], ttlSeconds: 3600 });
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
    // As `npm start`: a loopback server answers only to loopback host names (DNS-rebinding protection).
    RINGFENCE_ALLOWED_HOSTS: LOOPBACK_HOSTS,
    ...options.vars,
  };
  const start = (port: number): Promise<Served> =>
    serve({
      port,
      persistDir,
      buildDir: bundle(),
      secrets,
      env,
      trustedHosts: LOOPBACK_HOSTS,
      logLevel: LogLevel.WARN,
      ...(options.codemodeSandbox !== undefined ? { codemodeSandbox: options.codemodeSandbox } : {}),
    });

  let served = await start(0);
  const url = served.url;
  const admin = adminClient(url, secrets.adminToken);
  let dev: MintedToken;
  try {
    dev = await seedDevOrg(admin, options);
  } catch (err) {
    await served.close();
    throw err;
  }

  let closed = false;
  return {
    url,
    adminToken: secrets.adminToken,
    token: dev.token,
    admin,
    async mintToken(request) {
      return (await mintToken(admin, DEV_ORG, { ttlSeconds: 3600, ...request })).token;
    },
    async attenuate(parent, request) {
      const res = await fetch(`${url}/v1/tokens`, {
        method: "POST",
        headers: { authorization: `Bearer ${parent}`, "content-type": "application/json" },
        body: JSON.stringify(request),
      });
      const body = (await expectOk(res, "POST /v1/tokens")) as { token: string };
      return body.token;
    },
    async putMcpServer(name, server) {
      await putMcpServer(admin, DEV_ORG, name, server);
    },
    async revoke(tokenId) {
      const path = `/admin/orgs/${DEV_ORG}/tokens/${tokenId}/revoke`;
      await expectOk(await admin(path, { method: "POST", body: "{}" }), `POST ${path}`);
    },
    async usage(tokenId) {
      const path = `/admin/orgs/${DEV_ORG}/tokens/${tokenId}/usage`;
      return (await expectOk(await admin(path), `GET ${path}`)) as LedgerUsage;
    },
    claims: (token) => decodeJwtPart(token, 1),
    tokenId: (token) => stringClaim(decodeJwtPart(token, 1), "jti"),
    kid: (token) => stringClaim(decodeJwtPart(token, 0), "kid"),
    get sandboxRestarts() {
      return served.sandbox.restarts;
    },
    get mf() {
      return served.mf;
    },
    async restart() {
      await served.close();
      served = await start(Number(new URL(url).port));
    },
    async close() {
      if (closed) return;
      closed = true;
      await served.close();
      if (ownsDir) rmSync(persistDir, { recursive: true, force: true });
    },
  };
}
