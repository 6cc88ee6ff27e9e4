// The admission rule: every configured limit of a ledger must hold with settled + outstanding + the new worst case.
import type { LimitKind } from "../errors";
import { emptyPeriod, type Ledger, type Period, toNano } from "./state";
import { count, msUntilAtMost, msUntilNextUtcDay, msUntilNextUtcMonth, utcDay, utcMonth } from "./window";

/** A period's settled usage as seen at `key` (a period that has rolled over reads as empty). */
export const periodAt = (p: Period, key: string): Period => (p.key === key ? p : emptyPeriod(key));

export interface Breach {
  limit: LimitKind;
  /** How long until this limit alone would admit the request, if nothing else happens meanwhile. */
  retryMs: number;
}

/** Every limit of `l` that the request (worst case `tokens`, `usdNano`) would break at `now`. */
export function breaches(l: Ledger, tokens: number, usdNano: number, now: number): Breach[] {
  const { limits, reserved } = l;
  const out: Breach[] = [];
  if (limits.rpm !== undefined && count(l.rpm, now) + 1 > limits.rpm) {
    out.push({ limit: "rpm", retryMs: msUntilAtMost(l.rpm, now, limits.rpm - 1) });
  }
  if (limits.tpm !== undefined && count(l.tpm, now) + reserved.tokens + tokens > limits.tpm) {
    out.push({ limit: "tpm", retryMs: msUntilAtMost(l.tpm, now, limits.tpm - reserved.tokens - tokens) });
  }
  const day = periodAt(l.day, utcDay(now));
  const month = periodAt(l.month, utcMonth(now));
  if (limits.tokensPerDay !== undefined && day.tokens + reserved.tokens + tokens > limits.tokensPerDay) {
    out.push({ limit: "tokens_per_day", retryMs: msUntilNextUtcDay(now) });
  }
  if (limits.usdPerDay !== undefined && day.usdNano + reserved.usdNano + usdNano > toNano(limits.usdPerDay)) {
    out.push({ limit: "usd_per_day", retryMs: msUntilNextUtcDay(now) });
  }
  if (limits.usdPerMonth !== undefined && month.usdNano + reserved.usdNano + usdNano > toNano(limits.usdPerMonth)) {
    out.push({ limit: "usd_per_month", retryMs: msUntilNextUtcMonth(now) });
  }
  return out;
}
