// Attenuation: a child ledger may narrow its ancestors' limits, never widen them.
import { revokedIn } from "./revoke";
import { ledger, type MeterState } from "./state";
import type { AttenuateResult, Limits } from "./types";

const KEYS = ["rpm", "tpm", "usdPerDay", "usdPerMonth", "tokensPerDay"] as const satisfies readonly (keyof Limits)[];

/** The first limit of `child` wider than the same limit of `ancestor`, described; null if none. */
export function widerLimit(child: Limits, ancestor: Limits): string | null {
  for (const key of KEYS) {
    const mine = child[key];
    const theirs = ancestor[key];
    if (mine !== undefined && theirs !== undefined && mine > theirs) return `${key} ${mine} exceeds the parent's ${theirs}`;
  }
  return null;
}

/**
 * Registers `child` with `limits` under the chain `parents` (root … direct parent).
 * A limit the child leaves unset is not a widening: spend is charged to every ancestor, whose own limits still bind.
 */
export function attenuate(
  state: MeterState,
  parents: readonly string[],
  child: string,
  limits: Limits,
  now: number,
): AttenuateResult {
  if (parents.length === 0) return { ok: false, reason: "no parent ledger given" };
  if (parents.includes(child)) return { ok: false, reason: "a token cannot be its own ancestor" };
  const revoked = revokedIn(state, parents, now);
  if (revoked !== null) return { ok: false, reason: `ancestor token ${revoked} is revoked`, revoked: true };
  for (const parent of parents) {
    const wider = widerLimit(limits, state.ledgers.get(parent)?.limits ?? {});
    if (wider !== null) return { ok: false, reason: `${wider} (token ${parent})` };
  }
  ledger(state, child).limits = { ...limits };
  return { ok: true };
}
