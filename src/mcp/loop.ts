// Loop guard and call ceilings for MCP tool calls: a pure state machine a Durable Object keeps in memory.
//
// Decisions:
// - Loop: the same token calling the same tool with the same arguments (by hash) more than `maxRepeats` times within
//   `windowSeconds` is refused until the oldest of those calls leaves the window. Keyed by token, not session: a
//   looping agent that reconnects is still looping.
// - Ceilings: at most `maxCallsPerSession` / `maxCallsPerToken` admitted calls. Memory only: a counter idle for a day
//   (COUNTER_IDLE_MS) or evicted under the key cap starts again from zero; `retryAfterSeconds` says when it will.
// - Rates: per token and per matching "<server>/<tool>" glob, a bucket of `n` calls refilled at `n` per minute (GCRA:
//   one number per key), so 10/min admits a burst of 10 and then one call every 6 s.
// - All or nothing: every limit is checked before any is charged; a refused call changes nothing. Memory is bounded:
//   stale entries are dropped on a sweep at most once a minute, and each table keeps at most `maxKeys` keys, the
//   least recently used going first. Everything is a function of `now`, never of a clock.
import { z } from "zod";
import { globMatch } from "../tokens/glob";
import { canonicalJson, sha256Hex } from "./pin";

export const LoopLimitsSchema = z.object({
  /** Identical calls (tool and arguments) allowed within the window; one more is refused. */
  maxRepeats: z.number().int().min(1).max(10_000),
  windowSeconds: z.number().positive().max(86_400),
  maxCallsPerSession: z.number().int().min(1).optional(),
  maxCallsPerToken: z.number().int().min(1).optional(),
  /** "<server>/<tool>" glob → calls per minute, per token. */
  toolRatePerMinute: z.record(z.string().min(1), z.number().positive()).optional(),
});
export type LoopLimits = z.infer<typeof LoopLimitsSchema>;

export const COUNTER_IDLE_MS = 24 * 3600_000;
const SWEEP_MS = 60_000;
const MINUTE_MS = 60_000;
/** Float slack for GCRA sums (60000/7 × 7 is not exactly 60000). */
const EPSILON_MS = 0.001;

interface Counter {
  count: number;
  lastSeen: number;
}

export interface LoopState {
  /** Loop key → admitted times within the window (ascending) and when the last one leaves it. */
  repeats: Map<string, { times: number[]; expires: number }>;
  sessions: Map<string, Counter>;
  tokens: Map<string, Counter>;
  /** Rate key → GCRA theoretical arrival time (ms). */
  rates: Map<string, number>;
  maxKeys: number;
  counterIdleMs: number;
  lastSweep: number;
}

export function newLoopState(options: { maxKeys?: number; counterIdleMs?: number } = {}): LoopState {
  return {
    repeats: new Map(),
    sessions: new Map(),
    tokens: new Map(),
    rates: new Map(),
    maxKeys: options.maxKeys ?? 10_000,
    counterIdleMs: options.counterIdleMs ?? COUNTER_IDLE_MS,
    lastSweep: Number.NEGATIVE_INFINITY,
  };
}

export interface ToolCall {
  token: string;
  session?: string;
  server: string;
  tool: string;
  argsHash: string;
}

export type LoopLimit = "loop" | "session_calls" | "token_calls" | "tool_rate";
export type Admission = { ok: true } | { ok: false; limit: LoopLimit; retryAfterSeconds: number; message: string };

/** Hash of a call's arguments for the loop guard: absent arguments are the same call as `{}`. */
export function argsHash(args: unknown): Promise<string> {
  return sha256Hex(canonicalJson(args === undefined ? {} : args));
}

const seconds = (ms: number): number => Math.max(1, Math.ceil(ms / 1000));
const key = (...parts: string[]): string => parts.join("\u0000");
/** As in acl.ts: a `/` inside a name is not the separator. */
const scoped = (server: string, tool: string): string => `${server.replaceAll("/", "\u0000")}/${tool.replaceAll("/", "\u0000")}`;

/** Moves a key to the most recently used end. */
function touch<V>(map: Map<string, V>, k: string, v: V): void {
  map.delete(k);
  map.set(k, v);
}

function live(c: Counter | undefined, now: number, idle: number): number {
  return c && now - c.lastSeen < idle ? c.count : 0;
}

export function admitToolCall(state: LoopState, call: ToolCall, limits: LoopLimits, now: number): Admission {
  const windowMs = limits.windowSeconds * 1000;
  const loopKey = key(call.token, call.server, call.tool, call.argsHash);
  const recent = (state.repeats.get(loopKey)?.times ?? []).filter((t) => t + windowMs > now);
  if (recent.length >= limits.maxRepeats) {
    const freeAt = (recent[recent.length - limits.maxRepeats] ?? now) + windowMs;
    return {
      ok: false,
      limit: "loop",
      retryAfterSeconds: seconds(freeAt - now),
      message: `Loop guard: ${call.server}/${call.tool} was called with the same arguments ${recent.length} times in ${limits.windowSeconds}s (limit ${limits.maxRepeats})`,
    };
  }

  const sessionKey = call.session !== undefined && limits.maxCallsPerSession ? key(call.token, call.session) : undefined;
  const ceilings = [
    { limit: "session_calls", max: limits.maxCallsPerSession, map: state.sessions, k: sessionKey, who: "session" },
    {
      limit: "token_calls",
      max: limits.maxCallsPerToken,
      map: state.tokens,
      k: limits.maxCallsPerToken ? call.token : undefined,
      who: "token",
    },
  ] as const;
  for (const c of ceilings) {
    if (c.max === undefined || c.k === undefined) continue;
    const counter = c.map.get(c.k);
    if (live(counter, now, state.counterIdleMs) >= c.max) {
      return {
        ok: false,
        limit: c.limit,
        retryAfterSeconds: seconds((counter?.lastSeen ?? now) + state.counterIdleMs - now),
        message: `This ${c.who} reached its ceiling of ${c.max} tool calls`,
      };
    }
  }

  const target = scoped(call.server, call.tool);
  const rates: { k: string; tat: number }[] = [];
  for (const [glob, perMinute] of Object.entries(limits.toolRatePerMinute ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (!globMatch(glob, target)) continue;
    const interval = MINUTE_MS / perMinute;
    const burst = Math.max(MINUTE_MS, interval);
    const rk = key(call.token, glob);
    const tat = Math.max(state.rates.get(rk) ?? now, now) + interval;
    if (tat - now > burst + EPSILON_MS) {
      return {
        ok: false,
        limit: "tool_rate",
        retryAfterSeconds: seconds(tat - burst - now),
        message: `Rate limit for '${glob}': ${perMinute} calls per minute`,
      };
    }
    rates.push({ k: rk, tat });
  }

  // Admitted: charge every limit at once.
  recent.push(now);
  touch(state.repeats, loopKey, { times: recent.slice(-limits.maxRepeats), expires: now + windowMs });
  for (const c of ceilings) {
    if (c.max === undefined || c.k === undefined) continue;
    touch(c.map, c.k, { count: live(c.map.get(c.k), now, state.counterIdleMs) + 1, lastSeen: now });
  }
  for (const r of rates) touch(state.rates, r.k, r.tat);
  prune(state, now);
  return { ok: true };
}

function prune(state: LoopState, now: number): void {
  if (now - state.lastSweep >= SWEEP_MS) {
    state.lastSweep = now;
    for (const [k, v] of state.repeats) if (v.expires <= now) state.repeats.delete(k);
    for (const map of [state.sessions, state.tokens]) {
      for (const [k, v] of map) if (now - v.lastSeen >= state.counterIdleMs) map.delete(k);
    }
    // A bucket whose arrival time has passed is full again: the same as no entry.
    for (const [k, tat] of state.rates) if (tat <= now) state.rates.delete(k);
  }
  for (const map of [state.repeats, state.sessions, state.tokens, state.rates] as Map<string, unknown>[]) {
    for (const k of map.keys()) {
      if (map.size <= state.maxKeys) break;
      map.delete(k);
    }
  }
}
