// Where a program's isolate is loaded. On Cloudflare: in-process, as the platform enforces CPU and memory on loaded
// isolates. Self-hosted on workerd, nothing does: a V8 heap exhaustion in one loaded isolate aborts the whole process,
// and synchronous code the instrumentation cannot see (a catastrophic regex) hangs it. There the gateway sends the job
// to a sandbox process (the same bundle, started by `npm start`), which loads the isolate and reaches tools back through
// the gateway; a sandbox that dies or hangs is restarted by the supervisor, and the gateway keeps serving.
import { WorkerEntrypoint } from "cloudflare:workers";
import { Hono } from "hono";
import { mac, macKey, macMatches } from "../../src/crypto/mac";
import type { AppEnv } from "../context";
import { readBodyText } from "../shared/body";
import type { EgressProps } from "./egress";
import { callTool, type ToolAnswer, type ToolsProps } from "./tools";

/** Everything the isolate is made of, as the gateway decided it. */
export interface Job {
  module: string;
  tools: ToolsProps;
  egress: EgressProps | null;
  limits: { cpuMs: number; subRequests: number };
}

/** A job as it goes to the sandbox: the tools' props as JSON with their own MAC, which the gateway checks on each call. */
interface WireJob extends Omit<Job, "tools"> {
  tools: string;
  toolsMac: string;
}

const JOB_PURPOSE = "ringfence codemode job";
const TOOLS_PURPOSE = "ringfence codemode tools";
/** The loaded isolate's runtime: the same as the host's, so the program sees what the docs describe. */
const COMPATIBILITY_DATE = "2026-11-01";

/** Jobs are MAC'd with a key of their own when the sandbox has one, so the sandbox never holds the encryption key. */
const jobKey = (env: Env) => macKey((env.RINGFENCE_CODEMODE_JOB_KEY as string) || env.RINGFENCE_ENCRYPTION_KEY, JOB_PURPOSE);

/** The sandbox's URL when this deployment runs isolates out of process. */
const sandboxUrl = (env: Env): string => env.RINGFENCE_CODEMODE_SANDBOX as string;

/** What an isolate gave back: the harness's answer text, and how long loading and running it took. */
export interface Ran {
  text: string;
  isolateMs: number;
}

/** Runs the job; throws when the isolate (or its process) failed. */
export async function run(env: Env, ctx: ExecutionContext, job: Job): Promise<Ran> {
  const sandbox = sandboxUrl(env);
  if (!sandbox) return loadAndRun(env, ctx, job, ctx.exports.CodemodeTools({ props: job.tools }));
  const tools = JSON.stringify(job.tools);
  const toolsMac = await mac(await macKey(env.RINGFENCE_ENCRYPTION_KEY, TOOLS_PURPOSE), tools);
  const text = JSON.stringify({ ...job, tools, toolsMac } satisfies WireJob);
  const signature = await mac(await jobKey(env), text);
  let res: Response;
  try {
    res = await fetch(`${sandbox}/internal/codemode/run`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-ringfence-mac": signature },
      body: text,
    });
  } catch (err) {
    reportToSupervisor(env, ctx, "lost");
    throw new SandboxLost(err instanceof Error ? err.message : String(err));
  }
  if (res.status !== 200) {
    const body = await res.text();
    throw new Error(`the sandbox refused the job (HTTP ${res.status}): ${body.slice(0, 200)}`);
  }
  try {
    return { text: await res.text(), isolateMs: Number(res.headers.get(ISOLATE_MS_HEADER)) || 0 };
  } catch (err) {
    reportToSupervisor(env, ctx, "lost");
    throw new SandboxLost(err instanceof Error ? err.message : String(err));
  }
}

/** The sandbox process ended (or the connection to it broke) while running a program. */
export class SandboxLost extends Error {
  override name = "SandboxLost";
}

/** Tells the supervisor to look at the sandbox (it restarts one that is dead or unresponsive). Off the critical path. */
export function reportToSupervisor(env: Env, ctx: { waitUntil(p: Promise<unknown>): void }, why: "lost" | "timeout"): void {
  const supervisor = env.RINGFENCE_CODEMODE_SUPERVISOR as string;
  if (!supervisor) return;
  ctx.waitUntil(
    fetch(`${supervisor}?why=${why}`, { method: "POST" })
      .then((r) => r.body?.cancel())
      .catch(() => {}),
  );
}

/** Loads a fresh isolate for the job and runs it once. */
async function loadAndRun(env: Env, ctx: ExecutionContext, job: Omit<Job, "tools">, tools: Fetcher): Promise<Ran> {
  const started = performance.now();
  // load(), not get(): a fresh isolate every time, nothing shared between executions.
  const stub = env.LOADER.load({
    compatibilityDate: COMPATIBILITY_DATE,
    mainModule: "main.js",
    modules: { "main.js": job.module },
    // No network unless the policy grants hosts; then only through the governed outbound.
    globalOutbound: job.egress ? ctx.exports.CodemodeEgress({ props: job.egress }) : null,
    // The only binding: no secrets, no Env, no Durable Objects cross into the isolate.
    env: { TOOLS: tools },
    limits: job.limits,
  });
  const res = await stub.getEntrypoint().fetch("http://codemode.invalid/run", { method: "POST" });
  const text = await res.text();
  // The clock moves across I/O, so this is the isolate's start plus the program's run (with its tool calls).
  return { text, isolateMs: performance.now() - started };
}

const ISOLATE_MS_HEADER = "x-ringfence-isolate-ms";

/** The sandbox side and the gateway side of the out-of-process mode; both refuse anything not MAC'd by the gateway. */
export const sandboxRoutes = new Hono<AppEnv>();

sandboxRoutes.post("/internal/codemode/run", async (c) => {
  // Only a sandbox (a process told where its gateway is) loads jobs sent over HTTP.
  if (!(c.env.RINGFENCE_CODEMODE_BROKER as string)) return c.notFound();
  const text = await readBodyText(c);
  const key = await jobKey(c.env);
  if (!(await macMatches(key, text, c.req.header("x-ringfence-mac") ?? ""))) return c.notFound();
  const job = JSON.parse(text) as WireJob;
  const ctx = c.executionCtx as ExecutionContext;
  const tools = ctx.exports.CodemodeRemoteTools({ props: { tools: job.tools, mac: job.toolsMac } });
  try {
    const ran = await loadAndRun(c.env, ctx, job, tools);
    return new Response(ran.text, {
      headers: { "content-type": "application/json", [ISOLATE_MS_HEADER]: ran.isolateMs.toFixed(3) },
    });
  } catch (err) {
    // The isolate failed (Cloudflare's limits, a crash): the gateway classifies the message.
    return new Response(err instanceof Error ? err.message : String(err), { status: 500 });
  }
});

sandboxRoutes.post("/internal/codemode/tool", async (c) => {
  // Only a gateway that runs its isolates in a sandbox takes tool calls back from it.
  if (!sandboxUrl(c.env)) return c.notFound();
  let body: { props: string; mac: string; server: unknown; tool: unknown; input: unknown };
  try {
    body = JSON.parse(await readBodyText(c));
  } catch {
    return c.notFound();
  }
  const key = await macKey(c.env.RINGFENCE_ENCRYPTION_KEY, TOOLS_PURPOSE);
  if (!body || typeof body.props !== "string" || !(await macMatches(key, body.props, String(body.mac)))) return c.notFound();
  const props = JSON.parse(body.props) as ToolsProps;
  return c.json(await callTool(c.env, c.executionCtx, props, body.server, body.tool, body.input));
});

/** In the sandbox: the isolate's TOOLS binding, which hands each call to the gateway with the props it MAC'd. */
export class CodemodeRemoteTools extends WorkerEntrypoint<Env, { tools: string; mac: string }> {
  async call(server: unknown, tool: unknown, input: unknown): Promise<ToolAnswer> {
    const broker = this.env.RINGFENCE_CODEMODE_BROKER as string;
    try {
      const res = await fetch(`${broker}/internal/codemode/tool`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ props: this.ctx.props.tools, mac: this.ctx.props.mac, server, tool, input }),
      });
      if (res.status !== 200) return { error: { kind: "tool", message: `the gateway refused the call (HTTP ${res.status})` } };
      return (await res.json()) as ToolAnswer;
    } catch (err) {
      return {
        error: { kind: "tool", message: `the gateway could not be reached: ${err instanceof Error ? err.message : String(err)}` },
      };
    }
  }
}
