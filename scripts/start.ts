// `npm start`: build the Worker, serve it on workerd at http://127.0.0.1:8787 (PORT overrides), seed a dev org, print how to use it.
// This is also the self-host mode for a machine without a Cloudflare account, so nothing here is a dev-only shortcut.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Provider } from "./seed.ts";
import {
  adminClient,
  decodeJwtPart,
  ensureOrg,
  mintToken,
  parseMcpUpstreams,
  putMcpServer,
  putProvider,
  tokenAccepted,
  tokenExpiry,
} from "./seed.ts";
import type { Served } from "./serve.ts";
import { build, LOOPBACK_HOSTS, loadSecrets, PROJECT_ROOT, serve, UserError } from "./serve.ts";

const DEV_ORG = "dev";
const TOKEN_TTL_SECONDS = 30 * 24 * 3600;
/** Mint a fresh dev token when the saved one has less than this left. */
const RENEW_BEFORE_SECONDS = 24 * 3600;

const providers: { id: Provider; keyVar: string; urlVar: string; label: string }[] = [
  { id: "openai", keyVar: "OPENAI_API_KEY", urlVar: "UPSTREAM_OPENAI_URL", label: "OpenAI" },
  { id: "anthropic", keyVar: "ANTHROPIC_API_KEY", urlVar: "UPSTREAM_ANTHROPIC_URL", label: "Anthropic" },
];

interface DevInfo {
  url: string;
  adminToken: string;
  token: string;
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UserError(`PORT must be 0-65535, got '${value}'`);
  return port;
}

function readDevJson(file: string): Partial<DevInfo> {
  if (!existsSync(file)) return {};
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, "utf8"));
    return typeof parsed === "object" && parsed !== null ? (parsed as Partial<DevInfo>) : {};
  } catch {
    return {};
  }
}

/** First start: create the dev org and token. Later starts: re-apply provider keys, keep the token while it is good. */
async function seedDevOrg(served: Served, devFile: string, env: NodeJS.ProcessEnv): Promise<{ info: DevInfo; notes: string[] }> {
  const admin = adminClient(served.url, served.adminToken);
  const notes: string[] = [];
  const created = await ensureOrg(admin, { id: DEV_ORG, name: "Dev org", preset: "standard" });
  notes.push(created ? `Created org '${DEV_ORG}' (preset standard).` : `Using existing org '${DEV_ORG}'.`);

  for (const p of providers) {
    const apiKey = env[p.keyVar];
    const baseUrl = env[p.urlVar] || undefined;
    if (apiKey) {
      await putProvider(admin, DEV_ORG, p.id, { apiKey, ...(baseUrl ? { baseUrl } : {}) });
      notes.push(`${p.label}: key from ${p.keyVar} set for org '${DEV_ORG}'${baseUrl ? ` (upstream ${baseUrl})` : ""}.`);
    } else {
      notes.push(`${p.label}: no ${p.keyVar} given; ${created ? "no key set" : "keeping the stored key, if any"}.`);
    }
  }

  for (const { name, url } of parseMcpUpstreams(env.MCP_UPSTREAMS)) {
    await putMcpServer(admin, DEV_ORG, name, { url });
    notes.push(`MCP server '${name}' → ${url} (from MCP_UPSTREAMS): ${served.url}/mcp/${name}`);
  }

  const previous = readDevJson(devFile);
  let token = created ? undefined : previous.token;
  if (token !== undefined) {
    const exp = tokenExpiry(token);
    // Tokens from before the MCP broker have no tool scope: renew them so the dev token can use every tool.
    const fresh =
      exp !== undefined && exp - Date.now() / 1000 > RENEW_BEFORE_SECONDS && Array.isArray(decodeJwtPart(token, 1).tools);
    if (!fresh || !(await tokenAccepted(served.url, token))) {
      notes.push("The saved dev token is expired, revoked or unknown: minting a new one.");
      token = undefined;
    }
  }
  if (token === undefined) {
    token = (await mintToken(admin, DEV_ORG, { sub: "dev", models: ["*"], tools: ["*/*"], ttlSeconds: TOKEN_TTL_SECONDS })).token;
  }

  const info: DevInfo = { url: served.url, adminToken: served.adminToken, token };
  writeFileSync(devFile, `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 });
  return { info, notes };
}

function banner(info: DevInfo, home: string, notes: string[]): string {
  const exp = tokenExpiry(info.token);
  const expires = exp === undefined ? "" : ` (expires ${new Date(exp * 1000).toISOString().slice(0, 10)})`;
  const relative = path.relative(process.cwd(), home);
  const rel = relative === "" || relative.startsWith("..") ? home : relative;
  return [
    "",
    ...notes.map((n) => `  ${n}`),
    "",
    `ringfence is running at ${info.url}`,
    `  Durable Object state: ${rel}/state   secrets: ${rel}/secrets.json   tokens: ${rel}/dev.json`,
    "",
    `  Admin token (Authorization: Bearer … on /admin): ${info.adminToken}`,
    `  Dev token for org '${DEV_ORG}', all models${expires}:`,
    `    ${info.token}`,
    "",
    "Try it (model 'echo' answers locally, no provider key needed):",
    `  curl ${info.url}/v1/chat/completions \\`,
    `    -H "Authorization: Bearer ${info.token}" -H "Content-Type: application/json" \\`,
    `    -d '{"model":"echo","messages":[{"role":"user","content":"hello"}]}'`,
    "",
    "OpenAI SDKs and tools:",
    `  export OPENAI_BASE_URL=${info.url}/v1`,
    `  export OPENAI_API_KEY=${info.token}`,
    "Anthropic SDKs and Claude Code:",
    `  export ANTHROPIC_BASE_URL=${info.url}`,
    `  export ANTHROPIC_API_KEY=${info.token}`,
    "Code mode (programs run in a sandbox process; tools only through the broker):",
    `  curl ${info.url}/v1/codemode/execute -H "Authorization: Bearer ${info.token}" \\`,
    `    -H "Content-Type: application/json" -d '{"code":"console.log(\\"hi\\"); return 6 * 7"}'`,
    "",
    "Press Ctrl-C to stop.",
  ].join("\n");
}

async function main(): Promise<void> {
  const env = process.env;
  const home = path.resolve(env.RINGFENCE_HOME || path.join(PROJECT_ROOT, ".ringfence"));
  const port = parsePort(env.PORT || "8787");
  const buildDir = path.join(home, "build");

  console.log(`Building the Worker: wrangler deploy --dry-run --outdir ${buildDir}`);
  build(buildDir);
  const secrets = loadSecrets(path.join(home, "secrets.json"), env);
  const trustedHosts = env.RINGFENCE_TRUSTED_HOSTS ?? LOOPBACK_HOSTS;
  console.log(`Starting workerd on 127.0.0.1:${port} (trusted upstream hosts: ${trustedHosts || "none"})`);
  // DNS-rebinding protection: the server listens on loopback, so it answers only to loopback host names by default.
  const allowedHosts = env.RINGFENCE_ALLOWED_HOSTS ?? LOOPBACK_HOSTS;
  const served = await serve({
    port,
    persistDir: path.join(home, "state"),
    buildDir,
    secrets,
    env: { ...env, RINGFENCE_ALLOWED_HOSTS: allowedHosts },
    trustedHosts,
  });

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) process.exit(1); // a second Ctrl-C: give up waiting
    stopping = true;
    console.log(`\n${signal}: stopping ringfence…`);
    served.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    // Miniflare's own exit hook would exit(130/143) at once, before dispose() has finished: this process owns shutdown.
    process.removeAllListeners(signal);
    process.on(signal, () => stop(signal));
  }

  try {
    const { info, notes } = await seedDevOrg(served, path.join(home, "dev.json"), env);
    console.log(banner(info, home, notes));
  } catch (err) {
    await served.close();
    throw err;
  }
}

main().catch((err: unknown) => {
  if (err instanceof UserError) console.error(`ringfence: ${err.message}`);
  else console.error(err);
  process.exit(1);
});
