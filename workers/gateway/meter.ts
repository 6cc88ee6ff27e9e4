// The gateway's side of the Meter: one reserve before the upstream call, one settle after it (off the critical path).
import { RingfenceError } from "../../src/errors";
import type { Actual, ReserveResult, Settlement } from "../../src/meter/types";
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
  const riding = takeQueued(claims.org);
  try {
    result = await meterOf(env, claims.org).reserve({ ...worst, ledgers: claims.led }, riding);
  } catch (err) {
    // Settling is idempotent, so settlements that may not have landed simply go back in the queue.
    for (const s of riding) enqueue(claims.org, s);
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
 * Settlements waiting to ride along with the org's next reserve from this isolate. Under load nearly every one
 * does, which halves the Meter's writes; a quiet isolate flushes its queue itself after FLUSH_AFTER_MS.
 */
const queued = new Map<string, Settlement[]>();
const FLUSH_AFTER_MS = 20;

function enqueue(org: string, s: Settlement): void {
  const q = queued.get(org);
  if (q) q.push(s);
  else queued.set(org, [s]);
}

function takeQueued(org: string): Settlement[] {
  const q = queued.get(org);
  if (!q) return [];
  queued.delete(org);
  return q;
}

async function flush(env: Env, org: string): Promise<void> {
  const batch = takeQueued(org);
  if (batch.length === 0) return;
  try {
    await meterOf(env, org).settleMany(batch);
  } catch (err) {
    for (const s of batch) enqueue(org, s);
    throw err;
  }
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
    actualPromise
      .then(async (actual) => {
        enqueue(org, { reservationId, actual });
        await new Promise((resolve) => setTimeout(resolve, FLUSH_AFTER_MS));
        await flush(env, org);
      })
      .catch((err: unknown) => {
        console.error(`[meter] settle of ${reservationId} (org ${org}) failed; the stale sweep will charge its worst case:`, err);
      }),
  );
}
