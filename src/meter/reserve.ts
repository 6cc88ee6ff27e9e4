// The hot-path decision: revocation, then every limit of every charged ledger, then hold the worst case. All or nothing.
import { rateHeaders } from "./headers";
import { type Breach, breaches } from "./limits";
import { revokedIn } from "./revoke";
import { chargedLedgers, hold, ledger, type MeterState, newLedger, type Reservation, toNano } from "./state";
import { ORG_LEDGER, type ReserveRequest, type ReserveResult } from "./types";
import { retrySeconds, roll } from "./window";

export interface Reserved {
  result: ReserveResult;
  /** Present when admitted: the reservation to persist (its ledgers changed too). */
  reservation?: Reservation;
}

function checkRequest(req: ReserveRequest): void {
  const amounts = [req.tokens, req.usd];
  if (!amounts.every((n) => Number.isFinite(n) && n >= 0)) {
    throw new RangeError("reserve: tokens and usd must be finite and >= 0");
  }
  if (!req.ledgers.every((l) => typeof l === "string" && l.length > 0)) {
    throw new RangeError("reserve: ledger names must be non-empty strings");
  }
}

/** Admits the request and holds its worst case on the org ledger and every ledger of the chain, or refuses it untouched. */
export function reserve(state: MeterState, req: ReserveRequest, now: number, id: string): Reserved {
  checkRequest(req);
  if (state.reservations.has(id)) throw new Error(`reserve: duplicate reservation id ${id}`);
  const revoked = revokedIn(state, req.ledgers, now);
  if (revoked !== null) return { result: { ok: false, reason: "revoked", ledger: revoked } };

  const tokens = Math.ceil(req.tokens);
  const usdNano = toNano(req.usd);
  const names = chargedLedgers(req.ledgers);
  // Refused requests must leave no trace, so unknown ledgers are looked at through a fresh, unregistered ledger.
  const seen = names.map((name) => ({ name, l: state.ledgers.get(name) ?? newLedger() }));

  let worst: { name: string; breach: Breach } | null = null;
  for (const { name, l } of seen) {
    for (const breach of breaches(l, tokens, usdNano, now)) {
      // The longest wait is the one that matters: retrying earlier would only meet another limit.
      if (worst === null || breach.retryMs > worst.breach.retryMs) worst = { name, breach };
    }
  }
  if (worst !== null) {
    return {
      result: {
        ok: false,
        reason: "limit",
        scope: worst.name === ORG_LEDGER ? "org" : "token",
        ledger: worst.name,
        limit: worst.breach.limit,
        retryAfterSeconds: retrySeconds(worst.breach.retryMs),
        headers: rateHeaders(
          seen.map((s) => s.l),
          now,
        ),
      },
    };
  }

  const reservation: Reservation = { id, requestId: req.requestId, ledgers: names, tokens, usdNano, createdAt: now };
  const charged = names.map((n) => ledger(state, n));
  for (const l of charged) {
    roll(l.rpm, now);
    l.rpm.cur += 1;
    hold(l, reservation, 1);
  }
  state.reservations.set(id, reservation);
  return {
    result: { ok: true, reservationId: id, headers: rateHeaders(charged, now), configVersion: state.configVersion },
    reservation,
  };
}
