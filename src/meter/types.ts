// Contracts of the Meter: limits, reservations and usage, per org and per token ledger.
import { z } from "zod";
import type { LimitKind } from "../errors";
import type { LoopLimits } from "../mcp/loop";

export const LimitsSchema = z
  .object({
    rpm: z.number().int().positive().optional(),
    tpm: z.number().int().positive().optional(),
    usdPerDay: z.number().positive().optional(),
    usdPerMonth: z.number().positive().optional(),
    tokensPerDay: z.number().int().positive().optional(),
  })
  .strict();
export type Limits = z.infer<typeof LimitsSchema>;

/** The org ledger is named "org"; token ledgers are named by token id. */
export const ORG_LEDGER = "org";

export interface ReserveRequest {
  requestId: string;
  /** Token ledger chain (root … self); the org ledger is always charged too. */
  ledgers: string[];
  /** Worst-case tokens (input estimate + max output). */
  tokens: number;
  /** Worst-case USD at the model's price. */
  usd: number;
}

export type ReserveResult =
  | { ok: true; reservationId: string; headers: Record<string, string>; configVersion: number }
  | { ok: false; reason: "revoked"; ledger: string }
  | {
      ok: false;
      reason: "limit";
      scope: "org" | "token";
      ledger: string;
      limit: LimitKind;
      retryAfterSeconds: number;
      headers: Record<string, string>;
    };

export interface Actual {
  inputTokens: number;
  outputTokens: number;
  usd: number;
}

export interface LedgerUsage {
  ledger: string;
  limits: Limits;
  day: { date: string; tokens: number; usd: number; requests: number };
  month: { month: string; tokens: number; usd: number; requests: number };
  total: { tokens: number; usd: number; requests: number; inputTokens: number; outputTokens: number };
  /** Worst-case amounts held by reservations not yet settled. */
  reserved: { tokens: number; usd: number; count: number };
}

/** `revoked`: the refusal is because a token of the chain is revoked (the caller answers 401, not 403). */
export type AttenuateResult = { ok: true } | { ok: false; reason: string; revoked?: true };

export interface Settlement {
  reservationId: string;
  actual: Actual;
}

/** One MCP tool call, as the broker asks the Meter to admit it. */
export interface ToolCallRequest {
  /** The token's ledger chain (revocation is checked on every one); the last is the token itself. */
  ledgers: string[];
  /** The MCP session, when the protocol revision has one. */
  session?: string;
  server: string;
  tool: string;
  /** Hash of the canonical arguments: the loop guard's notion of "the same call". */
  argsHash: string;
  limits: LoopLimits;
}

export type ToolCallResult =
  | { ok: true; configVersion: number }
  | { ok: false; reason: "revoked"; ledger: string }
  | {
      ok: false;
      reason: "limit";
      limit: "loop" | "session_calls" | "token_calls" | "tool_rate";
      retryAfterSeconds: number;
      message: string;
    };

/** RPC surface of the Meter Durable Object (one per org). */
export interface MeterApi {
  /**
   * The one hot-path round trip: revocation check + rate limits + budget reservation, atomically. Settlements the
   * isolate has queued ride along and are applied first, in the same transaction (one write instead of two).
   */
  reserve(req: ReserveRequest, settlements?: Settlement[]): Promise<ReserveResult>;
  /**
   * Several reservations in one transaction, decided in order (each sees the holds of those before it): an isolate
   * batches the calls that arrive while its previous round trip is in flight. One result per request, same order.
   */
  reserveMany(reqs: ReserveRequest[], settlements?: Settlement[]): Promise<ReserveResult[]>;
  /** Replace a reservation by what was actually used (zero refunds it). Idempotent per reservation. */
  settle(reservationId: string, actual: Actual): Promise<void>;
  /** Several settlements in one transaction. */
  settleMany(settlements: Settlement[]): Promise<void>;
  setLimits(ledger: string, limits: Limits): Promise<void>;
  /** Register a child ledger whose limits must not be wider than any ancestor's. */
  attenuate(parentLedgers: string[], child: string, limits: Limits): Promise<AttenuateResult>;
  /** Revoke a token id (and so every token whose ledger chain contains it) until `expiresAt` (epoch s). */
  revoke(tokenId: string, expiresAt: number): Promise<void>;
  /** The first revoked ledger of the chain, or null. (reserve() does this check itself.) */
  revokedIn(ledgers: string[]): Promise<string | null>;
  /** Revocation and the org config version, for calls that spend nothing (MCP lists, reads). */
  checkAccess(ledgers: string[]): Promise<{ revoked: string | null; configVersion: number }>;
  /**
   * The broker's one round trip per tool call: revocation, loop guard, call ceilings and per-tool rates. Kept in memory
   * (a restart forgets recent calls, never a budget): a tool call must not wait for a storage commit.
   */
  toolCall(req: ToolCallRequest): Promise<ToolCallResult>;
  usage(ledger?: string): Promise<LedgerUsage[]>;
  /** The Registry bumps this when org config changes, so isolates refresh their cache. */
  setConfigVersion(version: number): Promise<void>;
}
