// The gateway's side of the Meter: one reserve before the upstream call, one settle after it (off the critical path).
import { RingfenceError } from "../../src/errors";
import type { Actual, ReserveRequest, ReserveResult, Settlement } from "../../src/meter/types";
import type { CapabilityClaims } from "../../src/tokens/claims";

export interface Reservation {
  reservationId: string;
  /** x-ratelimit-* (and budget) headers to send back with the response. */
  headers: Record<string, string>;
  /** The org config version the Meter knows; the isolate refreshes its cache when it is newer. */
  configVersion: number;
}

const meterOf = (env: Env, org: string) => env.METER.getByName(org);

/** Fail closed: a Meter that cannot answer denies the call, naming the step. */
function unavailable(err: unknown): RingfenceError {
  return new RingfenceError({ kind: "unavailable", step: "meter", message: err instanceof Error ? err.message : String(err) });
}

/** The hot-path round trip: revocation, rate limits and budgets for the token's chain and its org, and a hold on the worst case. */
export async function reserveOrThrow(
  env: Env,
  claims: CapabilityClaims,
  worst: { requestId: string; tokens: number; usd: number },
): Promise<Reservation> {
  if (![worst.tokens, worst.usd].every((n) => Number.isFinite(n) && n >= 0)) {
    throw new RingfenceError({
      kind: "internal",
      step: "meter",
      message: `bad worst case: ${worst.tokens} tokens, ${worst.usd} USD`,
    });
  }
  let result: ReserveResult;
  try {
    result = await reserveBatched(env, claims.org, { ...worst, ledgers: claims.led });
  } catch (err) {
    throw unavailable(err);
  }
  if (result.ok) return { reservationId: result.reservationId, headers: result.headers, configVersion: result.configVersion };
  if (result.reason === "revoked") throw new RingfenceError({ kind: "token_revoked" });
  throw new RingfenceError({
    kind: "rate_limited",
    limit: result.limit,
    scope: result.scope,
    retryAfterSeconds: result.retryAfterSeconds,
    headers: result.headers,
  });
}

/** For routes that spend nothing (model lists, token counting) but still need a live token. */
export async function checkRevoked(env: Env, claims: CapabilityClaims): Promise<void> {
  let revoked: string | null;
  try {
    revoked = await meterOf(env, claims.org).revokedIn(claims.led);
  } catch (err) {
    throw unavailable(err);
  }
  if (revoked !== null) throw new RingfenceError({ kind: "token_revoked" });
}

/**
 * This isolate's link to one org's Meter. A reserve is sent at once when no round trip to that Meter is in flight;
 * reserves that arrive meanwhile wait and go together in the next one (one transaction, one commit), so under load
 * the Meter's cost per call falls with concurrency while a lone call never waits. Settlements queue here and ride
 * along with the next round trip; a quiet isolate flushes them itself after FLUSH_AFTER_MS.
 *
 * workerd ties I/O and promise continuations to the request that started them, so no request ever awaits a promise
 * another request settles: a round trip is sent and awaited by one of the requests it carries, and the others learn
 * their answer by polling their own Waiter on timers of their own (a timer also keeps a waiting request from being
 * taken for hung).
 */
interface Waiter {
  req: ReserveRequest;
  result?: ReserveResult;
  error?: unknown;
  done: boolean;
}

interface Link {
  waiting: Waiter[];
  settlements: Settlement[];
  inFlight: boolean;
  flushArmed: boolean;
}

const links = new Map<string, Link>();
const FLUSH_AFTER_MS = 20;
/** A bound on one batch, so a burst cannot build one huge transaction. */
const MAX_BATCH = 64;
/** The longest a reserve waits for the Meter's answer before the call is denied. */
const WAIT_MS = 10_000;

function linkOf(org: string): Link {
  let link = links.get(org);
  if (!link) {
    link = { waiting: [], settlements: [], inFlight: false, flushArmed: false };
    links.set(org, link);
  }
  return link;
}

const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

async function reserveBatched(env: Env, org: string, req: ReserveRequest): Promise<ReserveResult> {
  const link = linkOf(org);
  const me: Waiter = { req, done: false };
  link.waiting.push(me);
  const deadline = Date.now() + WAIT_MS;
  while (!me.done) {
    if (!link.inFlight) await roundTrip(env, org, link, deadline);
    else if (Date.now() > deadline) {
      const i = link.waiting.indexOf(me);
      if (i >= 0) link.waiting.splice(i, 1);
      throw new Error(`no answer from the Meter within ${WAIT_MS} ms`);
    } else await tick();
  }
  if (me.error !== undefined || !me.result) throw me.error ?? new Error("the Meter gave no answer");
  return me.result;
}

/** Sends everything waiting (the caller included) in one round trip and hands each Waiter its answer. */
async function roundTrip(env: Env, org: string, link: Link, deadline: number): Promise<void> {
  const batch = link.waiting.splice(0, MAX_BATCH);
  if (batch.length === 0) return;
  const riding = link.settlements.splice(0);
  link.inFlight = true;
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer from the Meter within ${WAIT_MS} ms`)), deadline - Date.now());
    });
    const results = await Promise.race([
      meterOf(env, org).reserveMany(
        batch.map((w) => w.req),
        riding,
      ),
      expired,
    ]);
    batch.forEach((w, i) => {
      const r = results[i];
      if (r) w.result = r;
      else w.error = new Error(`the Meter answered ${results.length} of ${batch.length} reservations`);
      w.done = true;
    });
  } catch (err) {
    // Settling is idempotent, so settlements that may not have landed simply go back in the queue.
    link.settlements.push(...riding);
    for (const w of batch) {
      w.error = err;
      w.done = true;
    }
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    link.inFlight = false;
  }
}

/** Flushes queued settlements after FLUSH_AFTER_MS unless a reserve has taken them along by then; one timer per org. */
function flushSoon(ctx: Pick<ExecutionContext, "waitUntil">, env: Env, org: string, link: Link): void {
  if (link.flushArmed) return;
  link.flushArmed = true;
  ctx.waitUntil(
    new Promise((resolve) => setTimeout(resolve, FLUSH_AFTER_MS)).then(async () => {
      link.flushArmed = false;
      const batch = link.settlements.splice(0);
      if (batch.length === 0) return;
      try {
        await meterOf(env, org).settleMany(batch);
      } catch (err) {
        link.settlements.push(...batch);
        console.error(
          `[meter] settling ${batch.length} reservation(s) of org ${org} failed; they ride along with the next call, or the stale sweep charges their worst case:`,
          err,
        );
      }
    }),
  );
}

/**
 * Settles after the response, via waitUntil. If settling fails the reservation stays held and the Meter's alarm
 * settles it at its worst case later: the budget errs towards too much spend recorded, never too little.
 */
export function settleLater(
  ctx: Pick<ExecutionContext, "waitUntil">,
  env: Env,
  org: string,
  reservationId: string,
  actualPromise: Promise<Actual>,
): void {
  ctx.waitUntil(
    actualPromise.then(
      (actual) => {
        const link = linkOf(org);
        link.settlements.push({ reservationId, actual });
        flushSoon(ctx, env, org, link);
      },
      (err: unknown) => {
        console.error(`[meter] settle of ${reservationId} (org ${org}) failed; the stale sweep will charge its worst case:`, err);
      },
    ),
  );
}
