// Runs one program in a fresh isolate loaded through the Worker Loader: strip types, instrument, load the harness with
// no network (or the governed outbound) and the tools binding, wait for the answer within the wall limit. Never throws.
import { z } from "zod";
import { type ExecutionErrorKind, harnessModule } from "../../src/codemode/harness";
import { instrument } from "../../src/codemode/instrument";
import { stripTypes } from "../../src/codemode/typescript";
import { guardData } from "../../src/detect/guard-json";
import { RingfenceError } from "../../src/errors";
import type { Policy } from "../../src/policy/schema";
import type { CapabilityClaims } from "../../src/tokens/claims";
import { reserveOrThrow, settleLater } from "../gateway/meter";
import { refreshIfStale } from "../gateway/org-config";
import { effectivePolicy } from "../gateway/policy";
import type { EgressProps } from "./egress";
import { type Job, reportToSupervisor, run as runJob, SandboxLost } from "./sandbox";
import { beginExecution, endExecution, recordedCalls, type ToolsProps } from "./tools";

/** Longest program accepted, in characters. */
export const MAX_CODE_CHARS = 256 * 1024;

export const ExecuteBodySchema = z
  .object({
    code: z.string().min(1).max(MAX_CODE_CHARS),
    language: z.enum(["js", "ts"]).default("js"),
    /** Lowers the policy's wall limit for this execution (never raises it). */
    timeoutMs: z.number().int().min(1).optional(),
  })
  .strict();
export type ExecuteBody = z.infer<typeof ExecuteBodySchema>;

export interface ExecutionError {
  kind: ExecutionErrorKind;
  message: string;
}

/** The answer and where the time went (for Server-Timing). */
export interface Executed {
  answer: ExecuteAnswer;
  /** Loading the isolate and running the program in it, tool calls included; 0 when it never ran. */
  isolateMs: number;
}

export interface ExecuteAnswer {
  result?: unknown;
  logs: { level: string; line: string }[];
  logsTruncated: boolean;
  toolCalls: { server: string; tool: string; error?: string }[];
  error?: ExecutionError;
}

/** Who runs the program, under which policy. */
export interface Runner {
  env: Env;
  ctx: ExecutionContext;
  claims: CapabilityClaims;
  policy: Policy;
  requestId: string;
  flags?: string;
  /** The MCP session the execution runs in (codemode__execute on /mcp): its calls count toward that session's ceiling. */
  session?: string;
}

const failed = (kind: ExecutionErrorKind, message: string): ExecuteAnswer => ({
  logs: [],
  logsTruncated: false,
  toolCalls: [],
  error: { kind, message },
});

/**
 * Admits one execution in the Meter's single round trip — revocation, and the org's and token chain's request rate
 * (an execution counts as a request; it spends no tokens) — runs it, and settles the hold at nothing. Throws the
 * refusal (token_revoked, rate_limited) before anything runs.
 */
export async function admitAndExecute(run: Runner, body: ExecuteBody): Promise<Executed & { headers: Record<string, string> }> {
  const held = await reserveOrThrow(run.env, run.claims, { requestId: run.requestId, tokens: 0, usd: 0 });
  try {
    const fresh = await refreshIfStale(run.env, run.claims.org, held.configVersion);
    const policy = fresh ? effectivePolicy(fresh, run.claims, run.flags) : run.policy;
    if (!policy.codemode.enabled) throw codemodeDisabled();
    return { ...(await execute({ ...run, policy }, body)), headers: held.headers };
  } finally {
    settleLater(run.ctx, run.env, run.claims.org, held.reservationId, Promise.resolve(NOTHING));
  }
}

const NOTHING = { inputTokens: 0, outputTokens: 0, usd: 0 };

export const codemodeDisabled = () =>
  new RingfenceError({ kind: "forbidden", reason: "code mode is disabled by the org's policy" });

export async function execute(run: Runner, body: ExecuteBody): Promise<Executed> {
  const limits = run.policy.codemode.limits;
  const wallMs = Math.min(limits.wallMs, body.timeoutMs ?? limits.wallMs);
  let source = body.code;
  if (body.language === "ts") {
    const stripped = stripTypes(source);
    if (!stripped.ok) return { answer: failed(stripped.kind, stripped.message), isolateMs: 0 };
    source = stripped.code;
  }
  const program = instrument(source, ["tools", "console"]);
  if (!program.ok) return { answer: failed(program.kind, program.message), isolateMs: 0 };
  const module = harnessModule(program.code, {
    ticks: limits.steps,
    logBytes: limits.logBytes,
    resultBytes: limits.resultBytes,
    toolCalls: limits.toolCalls,
  });

  const execution = crypto.randomUUID();
  const deadline = Date.now() + wallMs;
  const toolsProps: ToolsProps = {
    claims: run.claims,
    requestId: run.requestId,
    ...(run.flags ? { flags: run.flags } : {}),
    execution,
    ...(run.session ? { session: run.session } : {}),
    deadline,
    maxCalls: limits.toolCalls,
  };
  const egress = run.policy.codemode.egress;
  const egressProps: EgressProps = {
    requestId: run.requestId,
    allow: egress,
    rules: run.policy.mcp.arguments,
    minConfidence: run.policy.minConfidence,
    enforce: run.policy.mode === "enforce",
    deadline,
    execution,
    maxRequests: limits.subRequests,
  };
  beginExecution(execution, deadline);
  let answer: ExecuteAnswer;
  let isolateMs = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;
  try {
    const job: Job = {
      module,
      tools: toolsProps,
      egress: egress.length > 0 ? egressProps : null,
      limits: {
        cpuMs: limits.cpuMs,
        // On Cloudflare a call through a binding counts as a subrequest too: the tools binding needs its share.
        subRequests: limits.toolCalls + (egress.length > 0 ? limits.subRequests : 0),
      },
    };
    const wall = new Promise<ExecuteAnswer>((resolve) => {
      timer = setTimeout(() => {
        // A program past its wall time may be stuck where no step is counted: the supervisor checks the sandbox.
        reportToSupervisor(run.env, run.ctx, "timeout");
        resolve(failed("timeout", `the program did not finish within its wall time of ${wallMs} ms`));
      }, wallMs);
    });
    const ran = runJob(run.env, run.ctx, job).then((r) => {
      isolateMs = r.isolateMs;
      return parseAnswer(r.text);
    });
    // After the wall time the isolate's own failure, if it ever comes, has no one to tell.
    ran.catch(() => {});
    answer = await Promise.race([ran, wall]);
  } catch (err) {
    answer = failed(...classifyCrash(err));
  } finally {
    if (timer !== null) clearTimeout(timer);
  }
  // The tools side's record: the program shares an isolate with its harness and could edit that one. With a sandbox
  // every call comes back through this isolate, so the record is complete; in-process on Cloudflare a call may be
  // served by another isolate, and an empty record here then says nothing.
  const seen = recordedCalls(execution) ?? [];
  if (seen.length > 0 || (run.env.RINGFENCE_CODEMODE_SANDBOX as string)) answer = { ...answer, toolCalls: [...seen] };
  endExecution(execution, deadline);
  return { answer: guardAnswer(run, answer), isolateMs };
}

const KINDS = ["timeout", "cpu", "memory", "policy", "tool", "syntax", "runtime"] as const;
const MAX_TEXT = 4000;

/**
 * The harness's answer, checked: the program shares an isolate with the harness and could bend what it writes, so
 * nothing is taken on trust but the shape (and the tool calls come from the tools side's own record).
 */
const AnswerSchema = z.object({
  result: z.unknown().optional(),
  logs: z.array(z.object({ level: z.string().max(16), line: z.string() })),
  logsTruncated: z.boolean(),
  toolCalls: z.array(z.object({ server: z.string().max(256), tool: z.string().max(256), error: z.string().max(16).optional() })),
  error: z.object({ kind: z.enum(KINDS), message: z.string().transform((m) => m.slice(0, MAX_TEXT)) }).optional(),
});

/** The harness's JSON answer; anything else means the isolate did not finish normally. */
function parseAnswer(text: string): ExecuteAnswer {
  let parsed: ReturnType<typeof AnswerSchema.safeParse> | undefined;
  try {
    parsed = AnswerSchema.safeParse(JSON.parse(text));
  } catch {
    // below
  }
  if (parsed?.success) {
    const a = parsed.data;
    return {
      ...(a.result !== undefined ? { result: a.result } : {}),
      logs: a.logs,
      logsTruncated: a.logsTruncated,
      toolCalls: a.toolCalls.map((t) => ({ server: t.server, tool: t.tool, ...(t.error ? { error: t.error } : {}) })),
      ...(a.error ? { error: a.error } : {}),
    };
  }
  return failed("runtime", "the isolate ended without a well-formed answer");
}

/** The isolate itself failed: Cloudflare's CPU limit, the heap limit, or a crash. */
function classifyCrash(err: unknown): [ExecutionErrorKind, string] {
  const message = (err instanceof Error ? err.message : String(err)).slice(0, 300);
  if (err instanceof SandboxLost) {
    // What ends a workerd process under a program is, in practice, a program running out of memory: this one, or
    // another running beside it in the same sandbox process.
    return [
      "memory",
      `the sandbox process ended while the program ran (a program in it ran out of memory); it is restarted (${message})`,
    ];
  }
  if (/hung|never generate a response/i.test(message)) {
    return ["timeout", "the program waits for something that can never happen (the runtime ended it as hung)"];
  }
  if (/cpu/i.test(message)) return ["cpu", `the program ran past its CPU limit (${message})`];
  if (/memory/i.test(message)) return ["memory", `the program ran out of memory (${message})`];
  return ["runtime", `the isolate failed: ${message}`];
}

/**
 * What the program returns goes back to the agent like a tool's result: scanned under the results rules (egress
 * responses and tool results already reach it scanned; this catches what the program built or fetched itself).
 */
function guardAnswer(run: Runner, answer: ExecuteAnswer): ExecuteAnswer {
  const guarded = guardData(
    {
      result: answer.result,
      logs: answer.logs.map((l) => l.line),
      error: answer.error?.message ?? "",
      toolCalls: answer.toolCalls.map((t) => `${t.server}/${t.tool}`),
    },
    run.policy.mcp.results,
    { minConfidence: run.policy.minConfidence, enforce: run.policy.mode === "enforce" },
  );
  if (guarded.blocked && run.policy.mode === "enforce") {
    return {
      logs: [],
      logsTruncated: answer.logsTruncated,
      toolCalls: answer.toolCalls,
      error: { kind: "policy", message: `the program's output carries ${guarded.blocked.kind}, which the policy blocks` },
    };
  }
  if (guarded.value === undefined || guarded.decisions.length === 0) return answer;
  const value = guarded.value as { result: unknown; logs: string[]; error: string; toolCalls: string[] };
  return {
    ...answer,
    ...("result" in answer ? { result: value.result } : {}),
    logs: answer.logs.map((l, i) => ({ level: l.level, line: value.logs[i] ?? l.line })),
    ...(answer.error ? { error: { kind: answer.error.kind, message: value.error } } : {}),
    toolCalls: answer.toolCalls.map((t, i) =>
      value.toolCalls[i] === `${t.server}/${t.tool}` ? t : { ...t, tool: "[redacted]" },
    ),
  };
}
