// The `ringfence` CLI of host-agent against a running gateway.
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Gateway, startGateway } from "./harness";

const run = promisify(execFile);
const CLI = path.resolve(import.meta.dirname, "../../host-agent/src/cli.mjs");
let gw: Gateway;

beforeAll(async () => {
  gw = await startGateway({});
});
afterAll(() => gw?.close());

async function ringfence(...args: string[]) {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], {
      env: { ...process.env, RINGFENCE_HOME: "/nonexistent" },
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe("ringfence CLI", () => {
  it("env prints the two pairs of variables for OpenAI and Anthropic clients", async () => {
    const r = await ringfence("env", "--url", gw.url, "--token", gw.token);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`export OPENAI_BASE_URL='${gw.url}/v1'`);
    expect(r.stdout).toContain(`export ANTHROPIC_BASE_URL='${gw.url}'`);
    expect(r.stdout).toContain(`export ANTHROPIC_API_KEY='${gw.token}'`);
  });

  it("doctor passes with a good token and fails with a revoked one", async () => {
    const ok = await ringfence("doctor", "--url", gw.url, "--token", gw.token);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/token accepted; \d+ model\(s\) allowed: echo/);
    const token = await gw.mintToken({ sub: "doomed", models: ["*"] });
    await gw.revoke(gw.tokenId(token));
    const bad = await ringfence("doctor", "--url", gw.url, "--token", token);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain("FAIL token refused (401)");
  });

  it("says clearly what is missing, with exit code 2", async () => {
    const r = await ringfence("env");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("no gateway");
    expect((await ringfence("frobnicate")).stderr).toContain("unknown command 'frobnicate'");
  });
});
