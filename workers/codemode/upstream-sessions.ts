// The upstream MCP sessions code mode's tool calls use, kept per token chain and server so that a program's first call
// does not pay for `initialize` (about 3.5 ms in bench:codemode). Programs of one token chain — one agent and the tokens
// it derived — share a session; nothing is shared across chains. Idle sessions are ended after a minute.
import { toFailure } from "../../src/errors";
import type { McpServer } from "../../src/registry/config";
import { endOwnSession, type OwnSession, openOwnSession } from "../mcp-broker/lister";

interface Pooled {
  org: string;
  server: McpServer;
  /** Null: the server speaks no legacy revision (or would not open a session); it is asked statelessly. */
  own: Promise<OwnSession | null>;
  usedAt: number;
}

const pool = new Map<string, Pooled>();
const IDLE_MS = 60_000;
/** Past this many, the least recently used go first. */
const MAX_SESSIONS = 256;

const keyOf = (org: string, chain: string, server: McpServer) => `${org}\n${chain}\n${server.name}\n${server.url}`;

export function pooledSession(
  env: Env,
  ctx: { waitUntil(p: Promise<unknown>): void },
  org: string,
  chain: string,
  server: McpServer,
): Promise<OwnSession | null> {
  const now = Date.now();
  sweep(env, ctx, now);
  const key = keyOf(org, chain, server);
  let entry = pool.get(key);
  if (!entry) {
    const own: Promise<OwnSession | null> = openOwnSession(env, org, server).catch((err: unknown) => {
      // Unreachable: the call fails and the next one tries again. Anything else: ask without a session.
      if (pool.get(key)?.own === own) pool.delete(key);
      if (toFailure(err, "codemode").kind === "upstream_unreachable") throw err;
      return null;
    });
    entry = { org, server, own, usedAt: now };
    pool.set(key, entry);
  }
  entry.usedAt = now;
  return entry.own;
}

/**
 * Forgets a session the server no longer knows (it answered 404): the next call opens another. Only `gone` itself is
 * forgotten — a concurrent call may already have put a newer session in its place.
 */
export function dropSession(org: string, chain: string, server: McpServer, gone: Promise<OwnSession | null>): void {
  const key = keyOf(org, chain, server);
  if (pool.get(key)?.own === gone) pool.delete(key);
}

function sweep(env: Env, ctx: { waitUntil(p: Promise<unknown>): void }, now: number): void {
  const idle = [...pool].filter(([, e]) => now - e.usedAt > IDLE_MS);
  const kept = [...pool].filter(([, e]) => now - e.usedAt <= IDLE_MS);
  if (kept.length > MAX_SESSIONS) {
    // The least recently used go first (a call still using one finishes; the server answers 404 to the next).
    kept.sort((a, b) => a[1].usedAt - b[1].usedAt);
    idle.push(...kept.slice(0, kept.length - MAX_SESSIONS));
  }
  for (const [key, e] of idle) {
    pool.delete(key);
    ctx.waitUntil(e.own.then((s) => (s ? endOwnSession(env, e.org, e.server, s) : undefined)).catch(() => {}));
  }
}
