// x-ratelimit-* headers (OpenAI's names) for the tightest ledger of a chain, plus the remaining USD budget.
import { periodAt } from "./limits";
import { fromNano, type Ledger, toNano } from "./state";
import { count, formatReset, msUntilAtMost, roll, utcDay, utcMonth, type Window } from "./window";

/** The tpm window as if the held worst cases were settled now: what a full reset has to wait out. */
function withHeld(l: Ledger, now: number): Window {
  const w = { ...l.tpm };
  roll(w, now);
  w.cur += l.reserved.tokens;
  return w;
}

interface Tightest {
  limit: number;
  remaining: number;
  resetMs: number;
}

function tighter(best: Tightest | null, next: Tightest): Tightest {
  return best === null || next.remaining < best.remaining ? next : best;
}

/** Headers describing the state of `ledgers` at `now` (call after the reservation, if any, was applied). */
export function rateHeaders(ledgers: readonly Ledger[], now: number): Record<string, string> {
  let requests: Tightest | null = null;
  let tokens: Tightest | null = null;
  let usdNano: number | null = null;
  const day = utcDay(now);
  const month = utcMonth(now);
  for (const l of ledgers) {
    const { rpm, tpm, usdPerDay, usdPerMonth } = l.limits;
    if (rpm !== undefined) {
      const remaining = Math.max(0, Math.floor(rpm - count(l.rpm, now)));
      requests = tighter(requests, { limit: rpm, remaining, resetMs: msUntilAtMost(l.rpm, now, 0) });
    }
    if (tpm !== undefined) {
      const remaining = Math.max(0, Math.floor(tpm - count(l.tpm, now) - l.reserved.tokens));
      tokens = tighter(tokens, { limit: tpm, remaining, resetMs: msUntilAtMost(withHeld(l, now), now, 0) });
    }
    if (usdPerDay !== undefined) {
      const left = toNano(usdPerDay) - periodAt(l.day, day).usdNano - l.reserved.usdNano;
      usdNano = Math.min(usdNano ?? left, left);
    }
    if (usdPerMonth !== undefined) {
      const left = toNano(usdPerMonth) - periodAt(l.month, month).usdNano - l.reserved.usdNano;
      usdNano = Math.min(usdNano ?? left, left);
    }
  }
  const headers: Record<string, string> = {};
  if (requests) {
    headers["x-ratelimit-limit-requests"] = String(requests.limit);
    headers["x-ratelimit-remaining-requests"] = String(requests.remaining);
    headers["x-ratelimit-reset-requests"] = formatReset(requests.resetMs);
  }
  if (tokens) {
    headers["x-ratelimit-limit-tokens"] = String(tokens.limit);
    headers["x-ratelimit-remaining-tokens"] = String(tokens.remaining);
    headers["x-ratelimit-reset-tokens"] = formatReset(tokens.resetMs);
  }
  if (usdNano !== null) headers["x-ringfence-budget-remaining-usd"] = fromNano(Math.max(0, usdNano)).toFixed(6);
  return headers;
}
