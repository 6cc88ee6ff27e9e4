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
  ctx: Pick<ExecutionContext, "waitUntil">,
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
    result = await reserveBatched(ctx, env, claims.org, { ...worst, ledgers: claims.led });
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
 */
interface Link {
  waiting: { req: ReserveRequest; resolve(r: ReserveResult): void; reject(err: unknown): void }[];
  settlements: Settlement[];
  inFlight: boolean;
  flushArmed: boolean;
}

const links = new Map<string, Link>();
const FLUSH_AFTER_MS = 20;
/** A bound on one batch, so a burst cannot build one huge transaction. */
const MAX_BATCH = 64;

function linkOf(org: string): Link {
  let link = links.get(org);
  if (!link) {
    link = { waiting: [], settlements: [], inFlight: false, flushArmed: false };
    links.set(org, link);
  }
  return link;
}

function reserveBatched(
  ctx: Pick<ExecutionContext, "waitUntil">,
  env: Env,
  org: string,
  req: ReserveRequest,
): Promise<ReserveResult> {
  const link = linkOf(org);
  const answer = new Promise<ReserveResult>((resolve, reject) => link.waiting.push({ req, resolve, reject }));
  if (!link.inFlight) send(ctx, env, org, link);
  return answer;
}

/**
 * Sends everything waiting in one round trip. The next batch is sent from the context of the request whose round
 * trip just ended, kept alive by its waitUntil (workerd ties I/O to the request that started it).
 */
function send(ctx: Pick<ExecutionContext, "waitUntil">, env: Env, org: string, link: Link): void {
  const batch = link.waiting.splice(0, MAX_BATCH);
  if (batch.length === 0) return;
  const riding = link.settlements.splice(0);
  link.inFlight = true;
  let trip: Promise<ReserveResult[]>;
  try {
    trip = meterOf(env, org).reserveMany(
      batch.map((w) => w.req),
      riding,
    );
  } catch (err) {
    trip = Promise.reject(err);
  }
  const done = trip
    .then(
      (results) => {
        batch.forEach((w, i) => {
          const r = results[i];
          if (r) w.resolve(r);
          else w.reject(new Error(`the Meter answered ${results.length} of ${batch.length} reservations`));
        });
      },
      (err: unknown) => {
        // Settling is idempotent, so settlements that may not have landed simply go back in the queue.
        link.settlements.push(...riding);
        for (const w of batch) w.reject(err);
      },
    )
    .finally(() => {
      link.inFlight = false;
      send(ctx, env, org, link);
    });
  ctx.waitUntil(done);
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
