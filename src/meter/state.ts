// The Meter's state: ledgers (limits, windows, settled usage), outstanding reservations, revoked token ids.
import { z } from "zod";
import { type Limits, LimitsSchema, ORG_LEDGER } from "./types";
import { emptyWindow } from "./window";

/** USD is kept in integer nano-dollars so sums and refunds stay exact (floats would drift at the limit). */
export const NANO = 1_000_000_000;
export const toNano = (usd: number): number => Math.round(usd * NANO);
export const fromNano = (nano: number): number => nano / NANO;

/** Reservations older than this are presumed orphaned (the Worker died) and settled at their worst case. */
export const STALE_AFTER_MS = 15 * 60_000;

const WindowSchema = z.object({ start: z.number(), prev: z.number(), cur: z.number() });
const PeriodSchema = z.object({ key: z.string(), tokens: z.number(), usdNano: z.number(), requests: z.number() });

/** What is persisted per ledger. Outstanding reservations are not: they are derived from the reservation rows. */
export const StoredLedgerSchema = z.object({
  limits: LimitsSchema,
  /** Requests admitted, counted at reservation. */
  rpm: WindowSchema,
  /** Tokens settled, counted at settlement (outstanding worst cases are added on top). */
  tpm: WindowSchema,
  /** Settled usage of the UTC day / month named by `key`. */
  day: PeriodSchema,
  month: PeriodSchema,
  total: z.object({
    tokens: z.number(),
    usdNano: z.number(),
    requests: z.number(),
    inputTokens: z.number(),
    outputTokens: z.number(),
  }),
});
export type StoredLedger = z.infer<typeof StoredLedgerSchema>;
export type Period = StoredLedger["day"];

export interface Held {
  tokens: number;
  usdNano: number;
  count: number;
}

export interface Ledger extends StoredLedger {
  /** Worst case held by outstanding reservations that charge this ledger. */
  reserved: Held;
}

export interface Reservation {
  id: string;
  requestId: string;
  /** Every ledger charged: the org ledger first, then the token chain. */
  ledgers: string[];
  tokens: number;
  usdNano: number;
  createdAt: number;
}

export interface MeterState {
  ledgers: Map<string, Ledger>;
  reservations: Map<string, Reservation>;
  /** Revoked token id → epoch seconds after which the entry can be forgotten (the token has expired anyway). */
  revoked: Map<string, number>;
  configVersion: number;
}

export const emptyPeriod = (key: string): Period => ({ key, tokens: 0, usdNano: 0, requests: 0 });

export function newLedger(): Ledger {
  return {
    limits: {},
    rpm: emptyWindow(),
    tpm: emptyWindow(),
    day: emptyPeriod(""),
    month: emptyPeriod(""),
    total: { tokens: 0, usdNano: 0, requests: 0, inputTokens: 0, outputTokens: 0 },
    reserved: { tokens: 0, usdNano: 0, count: 0 },
  };
}

export const emptyState = (): MeterState => ({
  ledgers: new Map(),
  reservations: new Map(),
  revoked: new Map(),
  configVersion: 0,
});

/** The ledger named `name`, created empty on first use. */
export function ledger(state: MeterState, name: string): Ledger {
  let l = state.ledgers.get(name);
  if (!l) {
    l = newLedger();
    state.ledgers.set(name, l);
  }
  return l;
}

export function stored(l: Ledger): StoredLedger {
  const { reserved: _held, ...rest } = l;
  return rest;
}

/** The org ledger then the token chain, without duplicates. */
export function chargedLedgers(chain: readonly string[]): string[] {
  return [...new Set([ORG_LEDGER, ...chain])];
}

/** Rebuilds state from what was persisted; outstanding holds are recomputed from the reservations themselves. */
export function restore(input: {
  ledgers: Iterable<[string, StoredLedger]>;
  reservations: Iterable<Reservation>;
  revoked: Iterable<[string, number]>;
  configVersion: number;
}): MeterState {
  const state = emptyState();
  state.configVersion = input.configVersion;
  for (const [name, s] of input.ledgers) state.ledgers.set(name, { ...s, reserved: { tokens: 0, usdNano: 0, count: 0 } });
  for (const r of input.reservations) {
    state.reservations.set(r.id, r);
    for (const name of r.ledgers) hold(ledger(state, name), r, 1);
  }
  for (const [id, exp] of input.revoked) state.revoked.set(id, exp);
  return state;
}

/** Adds (sign 1) or releases (sign -1) a reservation's worst case on a ledger. */
export function hold(l: Ledger, r: Reservation, sign: 1 | -1): void {
  l.reserved.tokens += sign * r.tokens;
  l.reserved.usdNano += sign * r.usdNano;
  l.reserved.count += sign;
}

/** Replaces a ledger's limits (the admin's word is final; attenuation checks are for token holders). */
export function setLimits(state: MeterState, name: string, limits: Limits): void {
  ledger(state, name).limits = { ...limits };
}
