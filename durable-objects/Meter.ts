// Meter: one per org. Rate limits, budgets and revocations, decided by src/meter in memory and persisted before each reply.
import { DurableObject } from "cloudflare:workers";
import { admitToolCall, newLoopState } from "../src/mcp/loop";
import { attenuate } from "../src/meter/attenuate";
import { reserve } from "../src/meter/reserve";
import { pruneRevoked, revoke, revokedIn } from "../src/meter/revoke";
import { nextStaleAt, type Settlement, settle, settleStale } from "../src/meter/settle";
import {
  emptyState,
  type MeterState,
  type Reservation,
  restore,
  STALE_AFTER_MS,
  type StoredLedger,
  StoredLedgerSchema,
  setLimits,
  stored,
} from "../src/meter/state";
import type {
  Actual,
  AttenuateResult,
  LedgerUsage,
  Limits,
  MeterApi,
  ReserveRequest,
  ReserveResult,
  Settlement as SettlementRequest,
  ToolCallRequest,
  ToolCallResult,
} from "../src/meter/types";
import { usageOf } from "../src/meter/usage";

/** Settled reservations stay in the table this long, for reconciliation, then the alarm prunes them. */
const SETTLED_RETENTION_MS = 24 * 3600_000;
/** Housekeeping (pruning) runs at most this often; stale reservations get their own, exact alarm time. */
const HOUSEKEEPING_MS = 3600_000;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS ledgers (name TEXT PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS reservations (
  id TEXT PRIMARY KEY,
  request_id TEXT NOT NULL,
  ledgers TEXT NOT NULL,
  tokens INTEGER NOT NULL,
  usd_nano INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  settled_at INTEGER,
  basis TEXT,
  charged_tokens INTEGER,
  input_tokens INTEGER,
  output_tokens INTEGER,
  charged_usd_nano INTEGER
);
CREATE INDEX IF NOT EXISTS reservations_by_settled ON reservations (settled_at);
CREATE TABLE IF NOT EXISTS revoked (id TEXT PRIMARY KEY, expires_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
`;

type ReservationRow = {
  id: string;
  request_id: string;
  ledgers: string;
  tokens: number;
  usd_nano: number;
  created_at: number;
};

export class Meter extends DurableObject<Env> implements MeterApi {
  #state: MeterState = emptyState();
  #alarmAt: number | null = null;
  /** Recent tool calls for the loop guard and ceilings: memory only (see MeterApi.toolCall). */
  #loop = newLoopState();
  /** Ledgers changed inside the current #mutate; each is written once when it commits. */
  #dirty = new Set<string>();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    void ctx.blockConcurrencyWhile(async () => {
      this.ctx.storage.sql.exec(SCHEMA);
      this.#state = this.#load();
      this.#alarmAt = await this.ctx.storage.getAlarm();
    });
  }

  async reserve(req: ReserveRequest, settlements: SettlementRequest[] = []): Promise<ReserveResult> {
    const [result] = await this.reserveMany([req], settlements);
    if (!result) throw new Error("reserveMany returned no result");
    return result;
  }

  async reserveMany(reqs: ReserveRequest[], settlements: SettlementRequest[] = []): Promise<ReserveResult[]> {
    const now = Date.now();
    let earliest: number | null = null;
    const results = this.#mutate(() => {
      this.#settleAll(settlements, now);
      return reqs.map((req) => {
        const out = reserve(this.#state, req, now, `rsv_${crypto.randomUUID().replaceAll("-", "")}`);
        if (out.reservation) {
          this.#persistReservation(out.reservation);
          earliest ??= out.reservation.createdAt;
        }
        return out.result;
      });
    });
    if (earliest !== null) await this.#alarmBy(earliest + STALE_AFTER_MS);
    return results;
  }

  async settle(reservationId: string, actual: Actual): Promise<void> {
    const now = Date.now();
    this.#mutate(() => this.#settleAll([{ reservationId, actual }], now));
  }

  async settleMany(settlements: SettlementRequest[]): Promise<void> {
    const now = Date.now();
    this.#mutate(() => this.#settleAll(settlements, now));
  }

  async setLimits(ledger: string, limits: Limits): Promise<void> {
    this.#mutate(() => {
      setLimits(this.#state, ledger, limits);
      this.#persistLedgers([ledger]);
    });
  }

  async attenuate(parentLedgers: string[], child: string, limits: Limits): Promise<AttenuateResult> {
    const now = Date.now();
    return this.#mutate(() => {
      const out = attenuate(this.#state, parentLedgers, child, limits, now);
      if (out.ok) this.#persistLedgers([child]);
      return out;
    });
  }

  async revoke(tokenId: string, expiresAt: number): Promise<void> {
    this.#mutate(() => {
      revoke(this.#state, tokenId, expiresAt);
      const until = this.#state.revoked.get(tokenId) ?? expiresAt;
      this.ctx.storage.sql.exec("INSERT OR REPLACE INTO revoked (id, expires_at) VALUES (?, ?)", tokenId, until);
    });
    await this.#alarmBy(Date.now() + HOUSEKEEPING_MS);
  }

  async revokedIn(ledgers: string[]): Promise<string | null> {
    return revokedIn(this.#state, ledgers, Date.now());
  }

  async checkAccess(ledgers: string[]): Promise<{ revoked: string | null; configVersion: number }> {
    return { revoked: revokedIn(this.#state, ledgers, Date.now()), configVersion: this.#state.configVersion };
  }

  async toolCall(req: ToolCallRequest): Promise<ToolCallResult> {
    const now = Date.now();
    const revoked = revokedIn(this.#state, req.ledgers, now);
    if (revoked !== null) return { ok: false, reason: "revoked", ledger: revoked };
    const token = req.ledgers[req.ledgers.length - 1] ?? "";
    const admitted = admitToolCall(
      this.#loop,
      { token, ...(req.session ? { session: req.session } : {}), server: req.server, tool: req.tool, argsHash: req.argsHash },
      req.limits,
      now,
    );
    if (!admitted.ok) return { reason: "limit", ...admitted };
    return { ok: true, configVersion: this.#state.configVersion };
  }

  async usage(ledger?: string): Promise<LedgerUsage[]> {
    return usageOf(this.#state.ledgers, Date.now(), ledger);
  }

  async setConfigVersion(version: number): Promise<void> {
    this.#mutate(() => {
      this.#state.configVersion = version;
      this.ctx.storage.sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES ('config_version', ?)", version);
    });
  }

  /** Settles orphaned reservations at their worst case, then prunes what is no longer needed. */
  override async alarm(): Promise<void> {
    this.#alarmAt = null;
    const now = Date.now();
    this.#mutate(() => {
      for (const s of settleStale(this.#state, now)) this.#persistSettlement(s);
      for (const id of pruneRevoked(this.#state, now)) this.ctx.storage.sql.exec("DELETE FROM revoked WHERE id = ?", id);
      this.ctx.storage.sql.exec(
        "DELETE FROM reservations WHERE settled_at IS NOT NULL AND settled_at < ?",
        now - SETTLED_RETENTION_MS,
      );
    });
    const settledLeft =
      this.ctx.storage.sql.exec("SELECT 1 FROM reservations WHERE settled_at IS NOT NULL LIMIT 1").toArray().length > 0;
    const housekeeping = settledLeft || this.#state.revoked.size > 0 ? now + HOUSEKEEPING_MS : null;
    const next = [nextStaleAt(this.#state), housekeeping].filter((t): t is number => t !== null);
    if (next.length > 0) await this.#alarmBy(Math.min(...next));
  }

  /**
   * Runs a decision and its writes as one SQLite transaction; every ledger it touched is written once, at the end.
   * If the writes fail, memory is reloaded from storage so it never holds anything storage does not.
   */
  #mutate<T>(change: () => T): T {
    this.#dirty.clear();
    try {
      return this.ctx.storage.transactionSync(() => {
        const out = change();
        for (const name of this.#dirty) {
          const l = this.#state.ledgers.get(name);
          if (l) {
            this.ctx.storage.sql.exec(
              "INSERT OR REPLACE INTO ledgers (name, data) VALUES (?, ?)",
              name,
              JSON.stringify(stored(l)),
            );
          }
        }
        return out;
      });
    } catch (err) {
      this.#state = this.#load();
      throw err;
    } finally {
      this.#dirty.clear();
    }
  }

  /** Makes sure an alarm fires no later than `at`; usually one is already set and nothing is written. */
  async #alarmBy(at: number): Promise<void> {
    if (this.#alarmAt !== null && this.#alarmAt <= at) return;
    this.#alarmAt = at;
    await this.ctx.storage.setAlarm(at);
  }

  #load(): MeterState {
    const sql = this.ctx.storage.sql;
    const ledgers = sql
      .exec<{ name: string; data: string }>("SELECT name, data FROM ledgers")
      .toArray()
      .map((row): [string, StoredLedger] => [row.name, StoredLedgerSchema.parse(JSON.parse(row.data))]);
    const reservations = sql
      .exec<ReservationRow>(
        "SELECT id, request_id, ledgers, tokens, usd_nano, created_at FROM reservations WHERE settled_at IS NULL",
      )
      .toArray()
      .map(
        (row): Reservation => ({
          id: row.id,
          requestId: row.request_id,
          ledgers: JSON.parse(row.ledgers) as string[],
          tokens: row.tokens,
          usdNano: row.usd_nano,
          createdAt: row.created_at,
        }),
      );
    const revoked = sql
      .exec<{ id: string; expires_at: number }>("SELECT id, expires_at FROM revoked")
      .toArray()
      .map((row): [string, number] => [row.id, row.expires_at]);
    const version = sql.exec<{ value: number }>("SELECT value FROM meta WHERE key = 'config_version'").toArray()[0]?.value ?? 0;
    return restore({ ledgers, reservations, revoked, configVersion: version });
  }

  /** Marks ledgers to be written when the current #mutate commits. */
  #persistLedgers(names: readonly string[]): void {
    for (const name of names) this.#dirty.add(name);
  }

  #persistReservation(r: Reservation): void {
    this.ctx.storage.sql.exec(
      "INSERT INTO reservations (id, request_id, ledgers, tokens, usd_nano, created_at) VALUES (?, ?, ?, ?, ?, ?)",
      r.id,
      r.requestId,
      JSON.stringify(r.ledgers),
      r.tokens,
      r.usdNano,
      r.createdAt,
    );
    this.#persistLedgers(r.ledgers);
  }

  /** Inside a #mutate: settles each (unknown or already settled ids are no-ops) and persists what changed. */
  #settleAll(settlements: readonly SettlementRequest[], now: number): void {
    for (const { reservationId, actual } of settlements) {
      const s = settle(this.#state, reservationId, actual, now);
      if (s) this.#persistSettlement(s);
    }
  }

  #persistSettlement(s: Settlement): void {
    this.ctx.storage.sql.exec(
      `UPDATE reservations SET settled_at = ?, basis = ?, charged_tokens = ?, input_tokens = ?, output_tokens = ?, charged_usd_nano = ?
       WHERE id = ?`,
      s.settledAt,
      s.basis,
      s.charge.tokens,
      s.charge.inputTokens,
      s.charge.outputTokens,
      s.charge.usdNano,
      s.reservation.id,
    );
    this.#persistLedgers(s.reservation.ledgers);
  }
}
