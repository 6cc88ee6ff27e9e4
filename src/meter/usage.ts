// Usage views of ledgers, in USD (the state keeps nano-dollars) and as of a given time.
import { periodAt } from "./limits";
import { fromNano, type Ledger, newLedger, type Period } from "./state";
import { type LedgerUsage, ORG_LEDGER } from "./types";
import { utcDay, utcMonth } from "./window";

const periodView = (p: Period) => ({ tokens: p.tokens, usd: fromNano(p.usdNano), requests: p.requests });

/** What a ledger has used at `now`; a ledger never seen reads as unused. */
export function ledgerUsage(name: string, l: Ledger | undefined, now: number): LedgerUsage {
  const { limits, day, month, total, reserved } = l ?? newLedger();
  const dayKey = utcDay(now);
  const monthKey = utcMonth(now);
  return {
    ledger: name,
    limits: { ...limits },
    day: { date: dayKey, ...periodView(periodAt(day, dayKey)) },
    month: { month: monthKey, ...periodView(periodAt(month, monthKey)) },
    total: {
      tokens: total.tokens,
      usd: fromNano(total.usdNano),
      requests: total.requests,
      inputTokens: total.inputTokens,
      outputTokens: total.outputTokens,
    },
    reserved: { tokens: reserved.tokens, usd: fromNano(reserved.usdNano), count: reserved.count },
  };
}

/** One ledger's usage, or every known ledger's (the org ledger first, always present). */
export function usageOf(ledgers: ReadonlyMap<string, Ledger>, now: number, name?: string): LedgerUsage[] {
  if (name !== undefined) return [ledgerUsage(name, ledgers.get(name), now)];
  const tokens = [...ledgers.keys()].filter((n) => n !== ORG_LEDGER).sort();
  const names = [ORG_LEDGER, ...tokens];
  return names.map((n) => ledgerUsage(n, ledgers.get(n), now));
}
