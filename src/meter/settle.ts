// Settlement: a reservation's worst case is released and what was actually used is charged. Each reservation settles once.
import { emptyPeriod, hold, ledger, type MeterState, type Reservation, STALE_AFTER_MS, toNano } from "./state";
import type { Actual } from "./types";
import { roll, utcDay, utcMonth } from "./window";

export interface Charge {
  tokens: number;
  inputTokens: number;
  outputTokens: number;
  usdNano: number;
}

export interface Settlement {
  reservation: Reservation;
  charge: Charge;
  settledAt: number;
  /** "actual": the provider's usage; "worst_case": orphaned or unreadable usage, charged conservatively. */
  basis: "actual" | "worst_case";
}

const usable = (n: number): boolean => Number.isFinite(n) && n >= 0;

/** Unknown split: worst-case tokens count in totals but in neither input nor output. */
const worstCase = (r: Reservation): Charge => ({ tokens: r.tokens, inputTokens: 0, outputTokens: 0, usdNano: r.usdNano });

function apply(state: MeterState, r: Reservation, charge: Charge, now: number, basis: Settlement["basis"]): Settlement {
  const day = utcDay(now);
  const month = utcMonth(now);
  // A zero charge is a refund (the provider failed before producing anything): not a billed request.
  const billed = charge.tokens > 0 || charge.usdNano > 0 ? 1 : 0;
  for (const name of r.ledgers) {
    const l = ledger(state, name);
    hold(l, r, -1);
    // Spend is charged to the window and the day/month in which it is settled.
    roll(l.tpm, now);
    l.tpm.cur += charge.tokens;
    if (l.day.key !== day) l.day = emptyPeriod(day);
    if (l.month.key !== month) l.month = emptyPeriod(month);
    for (const p of [l.day, l.month]) {
      p.tokens += charge.tokens;
      p.usdNano += charge.usdNano;
      p.requests += billed;
    }
    l.total.tokens += charge.tokens;
    l.total.usdNano += charge.usdNano;
    l.total.requests += billed;
    l.total.inputTokens += charge.inputTokens;
    l.total.outputTokens += charge.outputTokens;
  }
  state.reservations.delete(r.id);
  return { reservation: r, charge, settledAt: now, basis };
}

/**
 * Settles reservation `id` with the provider's usage. An unknown or already-settled id is a no-op (null).
 * Usage that cannot be trusted (negative, NaN) is charged at the worst case rather than lost.
 */
export function settle(state: MeterState, id: string, actual: Actual, now: number): Settlement | null {
  const r = state.reservations.get(id);
  if (!r) return null;
  if (![actual.inputTokens, actual.outputTokens, actual.usd].every(usable)) {
    return apply(state, r, worstCase(r), now, "worst_case");
  }
  const inputTokens = Math.ceil(actual.inputTokens);
  const outputTokens = Math.ceil(actual.outputTokens);
  const charge = { tokens: inputTokens + outputTokens, inputTokens, outputTokens, usdNano: toNano(actual.usd) };
  return apply(state, r, charge, now, "actual");
}

/** Settles, at their worst case, reservations that have been outstanding for STALE_AFTER_MS or more. */
export function settleStale(state: MeterState, now: number): Settlement[] {
  const stale = [...state.reservations.values()].filter((r) => now - r.createdAt >= STALE_AFTER_MS);
  return stale.map((r) => apply(state, r, worstCase(r), now, "worst_case"));
}

/** When the oldest outstanding reservation becomes stale, or null if none is outstanding. */
export function nextStaleAt(state: MeterState): number | null {
  let oldest: number | null = null;
  for (const r of state.reservations.values()) oldest = oldest === null ? r.createdAt : Math.min(oldest, r.createdAt);
  return oldest === null ? null : oldest + STALE_AFTER_MS;
}
