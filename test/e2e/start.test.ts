// `npm start` as an operator runs it: it builds, serves on workerd, seeds the dev org, prints the banner, and restarts
// without losing anything. RINGFENCE_HOME points its .ringfence folder at a temporary one.

import type { ChildProcess } from "node:child_process";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../scripts/serve.ts";
import { type FakeUpstream, startFakeUpstream } from "../fixtures/fake-upstream.ts";

const PROVIDER_KEY = "sk-from-the-operators-env";

interface Running {
  child: ChildProcess;
  url: string;
  output: string;
}

interface DevJson {
  url: string;
  adminToken: string;
  token: string;
}

let home: string;
let upstream: FakeUpstream;
let running: Running | undefined;

/** The operator's environment, less anything that would change what this test sees. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env)) {
    if (/^(RINGFENCE_|UPSTREAM_|OPENAI_|ANTHROPIC_)/.test(key) || key === "PORT") delete env[key];
  }
  return env;
}

/** Run `node scripts/start.ts` and resolve once it prints the URL it serves; reject with its output if it exits. */
function start(port: number, extraEnv: Record<string, string> = {}): Promise<Running> {
  const child = spawn(process.execPath, ["--experimental-strip-types", "scripts/start.ts"], {
    cwd: PROJECT_ROOT,
    env: { ...cleanEnv(), RINGFENCE_HOME: home, PORT: String(port), ...extraEnv },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString("utf8");
      const match = /ringfence is running at (http:\/\/\S+)/.exec(output);
      // The banner ends with the Ctrl-C hint: wait for all of it.
      if (match?.[1] !== undefined && output.includes("Ctrl-C")) resolve({ child, url: match[1], output });
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code, signal) => reject(new Error(`npm start exited (${code ?? signal}) before serving:\n${output}`)));
  });
}

/** SIGTERM, as a process manager would send; resolves with the exit code. */
function stop(r: Running): Promise<number | null> {
  return new Promise((resolve) => {
    r.child.once("exit", (code) => resolve(code));
    r.child.kill("SIGTERM");
  });
}

const devJson = (): DevJson => JSON.parse(readFileSync(path.join(home, "dev.json"), "utf8")) as DevJson;

async function echo(url: string, token: string): Promise<Response> {
  return fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ model: "echo", messages: [{ role: "user", content: "hello from start.test" }] }),
  });
}

beforeAll(async () => {
  home = mkdtempSync(path.join(os.tmpdir(), "ringfence-start-"));
  upstream = await startFakeUpstream();
});
afterAll(async () => {
  if (running !== undefined && running.child.exitCode === null) await stop(running);
  await upstream?.close();
  rmSync(home, { recursive: true, force: true });
});

describe("npm start", () => {
  let first: DevJson;
  let port: number;

  it("serves on the given port, seeds the dev org, writes dev.json and prints a usable example", async () => {
    running = await start(0, { OPENAI_API_KEY: PROVIDER_KEY, UPSTREAM_OPENAI_URL: upstream.openaiBase });
    port = Number(new URL(running.url).port);
    first = devJson();
    expect(first.url).toBe(running.url);
    expect(running.output).toContain(first.token);
    expect(running.output).toContain(first.adminToken);
    expect(running.output).toContain(`OPENAI_BASE_URL=${first.url}/v1`);
    expect(running.output).toContain(`ANTHROPIC_BASE_URL=${first.url}`);
    // Secrets and tokens are readable by the operator only.
    expect(statSync(path.join(home, "secrets.json")).mode & 0o077).toBe(0);
    expect(statSync(path.join(home, "dev.json")).mode & 0o077).toBe(0);

    expect((await fetch(`${first.url}/healthz`)).status).toBe(200);
    const res = await echo(first.url, first.token);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { choices: { message: { content: string } }[] };
    expect(body.choices[0]?.message.content).toContain("hello from start.test");

    const org = await fetch(`${first.url}/admin/orgs/dev`, { headers: { authorization: `Bearer ${first.adminToken}` } });
    expect(org.status).toBe(200);
    expect(await org.json()).toMatchObject({ org: { id: "dev", preset: "standard" } });
  });

  it("makes OPENAI_API_KEY the dev org's provider key, sent upstream instead of the token", async () => {
    const res = await fetch(`${first.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${first.token}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] }),
    });
    expect(res.status).toBe(200);
    expect(upstream.requests.at(-1)?.headers.authorization).toBe(`Bearer ${PROVIDER_KEY}`);
  });

  it("stops cleanly on SIGTERM and restarts on the same state: same admin token, same dev token, still valid", async () => {
    expect(await stop(running!)).toBe(0);
    running = await start(port);
    expect(running.output).toContain("Using existing org 'dev'");
    expect(devJson()).toEqual(first);
    expect((await echo(first.url, first.token)).status).toBe(200);
    // The provider key stored on the first start survives without OPENAI_API_KEY in the environment.
    upstream.reset();
    const res = await fetch(`${first.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${first.token}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hi again" }] }),
    });
    expect(res.status).toBe(200);
    expect(upstream.requests.at(-1)?.headers.authorization).toBe(`Bearer ${PROVIDER_KEY}`);
  });

  it("mints a new dev token on the next start when the saved one was revoked", async () => {
    const jti = JSON.parse(Buffer.from(first.token.split(".")[1] ?? "", "base64url").toString("utf8")).jti as string;
    const revoked = await fetch(`${first.url}/admin/orgs/dev/tokens/${jti}/revoke`, {
      method: "POST",
      headers: { authorization: `Bearer ${first.adminToken}`, "content-type": "application/json" },
      body: "{}",
    });
    expect(revoked.status).toBe(200);
    expect(await stop(running!)).toBe(0);

    running = await start(port);
    const next = devJson();
    expect(next.token).not.toBe(first.token);
    expect(next.adminToken).toBe(first.adminToken);
    expect(running.output).toContain(next.token);
    expect((await echo(next.url, next.token)).status).toBe(200);
    expect((await echo(next.url, first.token)).status).toBe(401);
  });
});
