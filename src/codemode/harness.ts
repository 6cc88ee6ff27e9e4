// The module a code-mode isolate runs: the instrumented program, a tick budget, captured console, tools as an RPC
// binding, and one JSON answer that never throws. Its own names start with the reserved prefix, which user code may
// not mention, so the program cannot reach the budget, the log buffer or the binding except as given.
import { RESERVED_PREFIX, TICK } from "./instrument";

export interface HarnessLimits {
  /** Loop iterations and function entries allowed (the clock does not move inside synchronous code). */
  ticks: number;
  /** Bytes of console output kept; the rest is dropped and `logsTruncated` set. */
  logBytes: number;
  /** Bytes of JSON the result may take. */
  resultBytes: number;
  /** Tool calls allowed in one execution. */
  toolCalls: number;
}

/** The error kinds an execution can end with (the executor adds `syntax` and `policy` before anything runs). */
export type ExecutionErrorKind = "timeout" | "cpu" | "memory" | "policy" | "tool" | "syntax" | "runtime";

const P = RESERVED_PREFIX;
/** Longest error message taken from what the program threw. */
const MAX_MESSAGE = 4000;

/**
 * The isolate's main module. `program` is `instrument(...)`'s output, a function declaration
 * `async function __rf_main(__rf_tick, tools, console)`. The module's fetch handler runs it once and answers
 * `{ result, logs, logsTruncated, toolCalls, error? }`; the binding `env.TOOLS.call(server, tool, input)` is the only
 * way out.
 */
export function harnessModule(program: string, limits: HarnessLimits): string {
  return `
// Shadow what the platform gives every Worker but a program must not have: the cache shared with the host's zone, and
// \`process\`, whose getBuiltinModule() hands out modules import() would (cloudflare:workers and its \`env\` among them).
// Deleted, not redefined: redefining \`process\` makes the runtime build it first, which costs a millisecond per isolate.
for (const name of ["caches", "process"]) {
  delete globalThis[name];
  if (name in globalThis) Object.defineProperty(globalThis, name, { value: undefined, writable: false, configurable: false });
}
// The harness's own tools, taken before the program runs: a program that replaces JSON.stringify or Array.prototype.map
// only breaks itself, never the answer.
const ${P}json = JSON.stringify;
const ${P}settle = Promise.allSettled.bind(Promise);
const ${P}freeze = Object.freeze;
const ${P}String = String;
class ${P}Stop extends Error { constructor(kind, message) { super(message); this.kind = kind; } }
let ${P}ticks = 0;
function ${TICK}() {
  if (++${P}ticks > ${limits.ticks}) throw new ${P}Stop("timeout", "the program ran past its budget of ${limits.ticks} steps");
}
${program}
function ${P}text(v) {
  if (typeof v === "string") return v;
  try { return ${P}json(v) ?? ${P}String(v); } catch { return ${P}String(v); }
}
function ${P}classify(e) {
  if (e instanceof ${P}Stop) return { kind: e.kind, message: e.message };
  const message = ${P}String(e instanceof Error ? e.message : ${P}text(e)).slice(0, ${MAX_MESSAGE});
  if (e instanceof RangeError && /call stack|string length|array length|allocation/i.test(message)) return { kind: "memory", message };
  return { kind: "runtime", message: (e instanceof Error ? ${P}String(e.name) + ": " : "") + message };
}
// A string's JSON never consults toJSON, whatever the program did to the prototypes.
const ${P}str = (s) => ${P}json(${P}String(s));
function ${P}envelope(resultJson, logs, truncated, calls, error) {
  let out = '{"logs":[';
  for (let i = 0; i < logs.length; i++) out += (i > 0 ? "," : "") + '{"level":' + ${P}str(logs[i].level) + ',"line":' + ${P}str(logs[i].line) + "}";
  out += '],"logsTruncated":' + (truncated ? "true" : "false") + ',"toolCalls":[';
  for (let i = 0; i < calls.length; i++) {
    const c = calls[i];
    out += (i > 0 ? "," : "") + '{"server":' + ${P}str(c.server) + ',"tool":' + ${P}str(c.tool) + (c.error ? ',"error":' + ${P}str(c.error) : "") + "}";
  }
  out += "]";
  if (resultJson !== undefined) out += ',"result":' + resultJson;
  if (error) out += ',"error":{"kind":' + ${P}str(error.kind) + ',"message":' + ${P}str(error.message) + "}";
  return out + "}";
}
const ${P}broken = '{"logs":[],"logsTruncated":true,"toolCalls":[],"error":{"kind":"runtime","message":"the program broke its own harness"}}';
export default {
  async fetch(${P}request, ${P}env) {
    const ${P}logs = [];
    let ${P}logBytes = 0, ${P}truncated = false;
    const ${P}capture = (level) => (...args) => {
      let line = "";
      for (let i = 0; i < args.length; i++) line += (i > 0 ? " " : "") + ${P}text(args[i]);
      // Every line costs at least one: a million empty lines are not free.
      if (${P}logBytes + line.length + 1 > ${limits.logBytes}) { ${P}truncated = true; return; }
      ${P}logBytes += line.length + 1;
      ${P}logs[${P}logs.length] = { level, line };
    };
    const ${P}console = ${P}freeze({ log: ${P}capture("log"), info: ${P}capture("info"), warn: ${P}capture("warn"), error: ${P}capture("error"), debug: ${P}capture("debug"), trace: ${P}capture("debug"), dir: ${P}capture("log"), table: ${P}capture("log") });
    const ${P}calls = [];
    const ${P}pending = [];
    let ${P}done = false;
    const ${P}tool = (server, tool) => async (input) => {
      ${TICK}();
      if (${P}done) throw new ${P}Stop("policy", "a tool was called after the program returned");
      if (${P}calls.length >= ${limits.toolCalls}) throw new ${P}Stop("policy", "the program made more than ${limits.toolCalls} tool calls");
      // The gateway refuses such names too; refusing them here keeps megabytes of "name" from crossing the binding.
      if (server.length > 128 || tool.length > 128) throw new ${P}Stop("tool", "tool and server names are at most 128 characters");
      const call = { server, tool };
      ${P}calls[${P}calls.length] = call;
      const sent = ${P}env.TOOLS.call(server, tool, input ?? {});
      ${P}pending[${P}pending.length] = sent;
      const answer = await sent;
      if (answer && answer.error) { call.error = answer.error.kind; throw new ${P}Stop(answer.error.kind === "policy" ? "policy" : "tool", answer.error.message); }
      return answer ? answer.result : undefined;
    };
    // \`then\` is never a tool: \`await tools.x\` must not send a call named "then".
    const ${P}named = (key) => typeof key === "string" && key !== "then";
    const ${P}tools = new Proxy({}, { get: (_, server) => ${P}named(server) ? new Proxy({}, { get: (_, tool) => ${P}named(tool) ? ${P}tool(server, tool) : undefined }) : undefined });
    let result, error;
    try {
      result = await ${P}main(${TICK}, ${P}tools, ${P}console);
    } catch (e) {
      try { error = ${P}classify(e); } catch { error = { kind: "runtime", message: "the program threw something that cannot be described" }; }
    }
    ${P}done = true;
    let body;
    try {
      // Calls the program started but did not await still finish (and are accounted) before the answer goes out.
      await ${P}settle(${P}pending);
      let resultJson;
      try {
        resultJson = result === undefined ? undefined : ${P}json(result);
      } catch (e) {
        error ??= { kind: "runtime", message: "the result is not JSON: " + ${P}String(e && e.message).slice(0, 500) };
      }
      body = ${P}envelope(resultJson, ${P}logs, ${P}truncated, ${P}calls, error);
      if (body.length > ${limits.resultBytes}) {
        body = ${P}envelope(undefined, [], true, ${P}calls, { kind: "memory", message: "the answer is over ${limits.resultBytes} bytes" });
      }
    } catch {
      body = ${P}broken;
    }
    return new Response(body, { headers: { "content-type": "application/json" } });
  },
};
`;
}
