// Revoked token ids: a chain containing one is refused; entries are forgotten once the token would have expired anyway.
import type { MeterState } from "./state";

export function revoke(state: MeterState, tokenId: string, expiresAt: number): void {
  // A second revocation never shortens the first.
  state.revoked.set(tokenId, Math.max(state.revoked.get(tokenId) ?? expiresAt, expiresAt));
}

/** The first id of `chain` that is revoked at `now` (epoch ms), or null. */
export function revokedIn(state: MeterState, chain: readonly string[], now: number): string | null {
  for (const id of chain) {
    const until = state.revoked.get(id);
    if (until !== undefined && until * 1000 > now) return id;
  }
  return null;
}

/** Removes revocations whose tokens have expired; returns the ids removed. */
export function pruneRevoked(state: MeterState, now: number): string[] {
  const gone: string[] = [];
  for (const [id, until] of state.revoked) {
    if (until * 1000 <= now) {
      state.revoked.delete(id);
      gone.push(id);
    }
  }
  return gone;
}
