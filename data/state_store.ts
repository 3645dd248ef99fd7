/**
 * The daemon's SQLite state store on the built-in `node:sqlite` (DESIGN §2 "State"): candles
 * for warm-up, signals (the id is UNIQUE), decisions, fills, trades, positions, daily equity, the
 * portfolio's state, the Telegram outbox, settings and events. Opening, locking, durability and
 * the schema: `data/state_migrations.ts` (WAL, `synchronous = FULL`, an exclusive lock held for
 * the process lifetime). Row mapping: `data/state_rows.ts`.
 *
 * `commitStep` writes one step in one `BEGIN IMMEDIATE` transaction, rolled back on any error,
 * so a kill -9 leaves all of a step or none of it. Candles, signals, decisions, trades, fills and
 * outbox rows skip a row whose key is already stored (`ON CONFLICT DO NOTHING`, which unlike
 * `INSERT OR IGNORE` still fails the step on a NOT NULL violation); progress, positions, equity
 * and the portfolio are upserts; so replaying a committed step after a restart adds nothing twice. A fill's `seq`
 * is its position among the trade's stored fills (0 = entry), and a fill with the same trade,
 * time, kind and TP index as a stored one is a replay and skipped. NaN in a REAL column is stored
 * as NULL and read back as NaN, and -0 reads back as 0 (SQLite); JSON columns (portfolio, position states, outbox payloads) keep
 * NaN, ±Infinity and -0 exactly (`data/state_json.ts`).
 *
 * @module
 */
import type { DatabaseSync, StatementSync } from "node:sqlite";
import type {
  EquityPoint,
  FillRecord,
  TradeRecord,
} from "../core/backtest/records.ts";
import type {
  InFlight,
  OutboxItem,
  OutboxRow,
  PositionRow,
  SeriesCandle,
  StepCommit,
} from "../core/state_types.ts";
import type { Candle } from "../core/types.ts";
import { decodeState, encodeState } from "./state_json.ts";
import { DatabaseLockedError, openDatabase } from "./state_migrations.ts";
import { StatusQueries } from "./state_status_queries.ts";
import {
  candleParams,
  decisionParams,
  type EventRow,
  fillParams,
  outboxParams,
  positionParams,
  type Row,
  signalParams,
  type SignalWithDecision,
  type StateCounts,
  text,
  toCandle,
  toCounts,
  toEquityPoint,
  toEvent,
  toFill,
  toOutbox,
  toPosition,
  toProgress,
  toSignalWithDecision,
  toTrade,
  tradeParams,
} from "./state_rows.ts";

export { DatabaseLockedError };
export type { EventRow, SignalWithDecision, StateCounts };

/** An event for the `events` table (the system log shown on the status page). */
export interface StateEvent {
  readonly time: number;
  readonly level: "info" | "warn" | "error";
  readonly kind: string;
  readonly message: string;
}

const SQL = {
  candle:
    "INSERT INTO candles VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
  progress: `INSERT INTO series_progress VALUES (?, ?)
    ON CONFLICT (series_key) DO UPDATE SET last_open_time = excluded.last_open_time`,
  signal:
    "INSERT INTO signals VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
  decision:
    "INSERT INTO decisions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
  fill:
    `INSERT INTO fills SELECT ?1, ifnull(max(seq) + 1, 0), ?2, ?3, ?4, ?5, ?6,
    ?7, ?8 FROM fills WHERE trade_id = ?1 ON CONFLICT DO NOTHING`,
  trade: `INSERT INTO trades VALUES
    (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
  position: `INSERT INTO positions VALUES (?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (trade_id) DO UPDATE SET symbol = excluded.symbol,
      timeframe = excluded.timeframe, side = excluded.side, status = excluded.status,
      state = excluded.state, updated_at = excluded.updated_at`,
  equity: `INSERT INTO equity VALUES (?, ?)
    ON CONFLICT (time) DO UPDATE SET equity = excluded.equity`,
  portfolio: `INSERT INTO portfolio VALUES (1, ?)
    ON CONFLICT (id) DO UPDATE SET state = excluded.state`,
  outbox:
    `INSERT INTO outbox (key, kind, payload, created_at) VALUES (?, ?, ?, ?)
    ON CONFLICT DO NOTHING`,
  getProgress: "SELECT series_key, last_open_time FROM series_progress",
  getPortfolio: "SELECT state FROM portfolio WHERE id = 1",
  getCandles:
    `SELECT * FROM candles WHERE symbol = ? AND timeframe = ? AND open_time >= ?
    ORDER BY open_time DESC LIMIT ?`,
  getSignals:
    `SELECT s.*, d.signal_id AS d_signal_id, d.time AS d_time, d.symbol AS d_symbol,
      d.timeframe AS d_timeframe, d.side AS d_side, d.accepted AS d_accepted, d.rule AS d_rule,
      d.detail AS d_detail, d.heat_pct AS d_heat_pct, d.open_positions AS d_open_positions
    FROM signals s LEFT JOIN decisions d ON d.signal_id = s.id
    WHERE s.time >= ? ORDER BY s.time DESC, s.id DESC LIMIT ?`,
  getTrades:
    "SELECT * FROM trades ORDER BY exit_time DESC, id DESC LIMIT ? OFFSET ?",
  getFills: "SELECT * FROM fills WHERE trade_id = ? ORDER BY seq",
  getOpenPositions:
    "SELECT * FROM positions WHERE status = 'open' ORDER BY rowid",
  getEquity: "SELECT time, equity FROM equity ORDER BY time",
  getUnsent: "SELECT * FROM outbox WHERE sent_at IS NULL ORDER BY id LIMIT ?",
  markSent:
    "UPDATE outbox SET sent_at = ?, message_id = ?, in_flight = NULL WHERE id = ?",
  markInFlight: "UPDATE outbox SET in_flight = ? WHERE id = ?",
  markFailed:
    "UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE id = ?",
  getOutbox: "SELECT * FROM outbox ORDER BY id DESC LIMIT ?",
  getOutboxByKey: "SELECT * FROM outbox WHERE key = ?",
  getSetting: "SELECT value FROM settings WHERE key = ?",
  setSetting: `INSERT INTO settings VALUES (?, ?)
    ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
  event: "INSERT INTO events (time, level, kind, message) VALUES (?, ?, ?, ?)",
  getEvents: "SELECT * FROM events ORDER BY id DESC LIMIT ?",
  counts: `SELECT (SELECT count(*) FROM signals) AS signals,
    (SELECT count(*) FROM trades) AS trades,
    (SELECT count(*) FROM positions WHERE status = 'open') AS open_positions,
    (SELECT count(*) FROM outbox WHERE sent_at IS NULL) AS unsent,
    (SELECT count(*) FROM candles) AS candles`,
} as const;

type Statements = { readonly [K in keyof typeof SQL]: StatementSync };

/** A row limit or offset: a non-negative integer, or -1 (no limit in SQLite) when absent. */
function countArg(name: string, value: number | undefined): number {
  if (value === undefined) return -1;
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(
      `Cannot query the state store as '${name}' must be a non-negative integer: current value is ${value}`,
    );
  }
  return value;
}

/** The daemon's state: one SQLite file, owned by one process. */
export class StateStore {
  #db: DatabaseSync;
  #sql: Statements;
  #status: StatusQueries | undefined;
  /** The database path as given to {@link StateStore.open}. */
  readonly path: string;
  /** The migration versions this open applied (empty when the schema was current). */
  readonly appliedMigrations: readonly number[];

  private constructor(db: DatabaseSync, path: string, applied: number[]) {
    this.#db = db;
    this.path = path;
    this.appliedMigrations = applied;
    const entries = Object.entries(SQL).map((
      [name, sql],
    ) => [name, db.prepare(sql)]);
    this.#sql = Object.fromEntries(entries) as Statements;
  }

  /**
   * Opens the state database, creating its directory and file, locks it for this process's
   * lifetime and runs the pending migrations.
   *
   * @param path The file path, or `":memory:"` (tests: no file, no lock).
   * @returns The open store.
   * @throws {DatabaseLockedError} When another process or connection has the file open.
   * @throws {Error} When the file was written by a newer VELAS or a migration fails.
   */
  static open(path: string): StateStore {
    const { db, applied } = openDatabase(path);
    try {
      return new StateStore(db, path, applied);
    } catch (error) {
      db.close();
      throw error;
    }
  }

  /** Closes the database and releases the lock; calling it again does nothing. */
  close(): void {
    if (this.#db.isOpen) this.#db.close();
  }

  /**
   * Writes everything one daemon step changed in one transaction: all of it or, on any error,
   * none of it (the error is rethrown). Replaying a committed step adds nothing twice.
   *
   * @param step The step; `portfolio: undefined` leaves the stored portfolio state as it is.
   */
  commitStep(step: StepCommit): void {
    const s = this.#sql;
    this.#transaction(() => {
      for (const row of step.candles) s.candle.run(...candleParams(row));
      for (const p of step.progress) {
        s.progress.run(p.seriesKey, p.lastOpenTime);
      }
      for (const signal of step.signals) s.signal.run(...signalParams(signal));
      for (const d of step.decisions) s.decision.run(...decisionParams(d));
      for (const fill of step.fills) s.fill.run(...fillParams(fill));
      for (const trade of step.trades) s.trade.run(...tradeParams(trade));
      for (const p of step.positions) s.position.run(...positionParams(p));
      for (const point of step.equity) s.equity.run(point.time, point.equity);
      if (step.portfolio !== undefined) {
        s.portfolio.run(encodeState(step.portfolio));
      }
      for (const item of step.outbox) s.outbox.run(...outboxParams(item));
    });
  }

  /** @returns The last processed bar's open time per series (`SYMBOL:tf`). */
  progress(): Map<string, number> {
    return new Map(this.#all("getProgress").map(toProgress));
  }

  /** @returns The portfolio's last committed state, or undefined before the first. */
  portfolioState(): unknown | undefined {
    const row = this.#sql.getPortfolio.get() as Row | undefined;
    return row === undefined ? undefined : decodeState(text(row, "state"));
  }

  /**
   * Reads stored candles of one series.
   *
   * @param symbol E.g. `BTCUSDT`.
   * @param timeframe E.g. `1h`.
   * @param options `fromOpenTime` (inclusive) and `limit`: the LAST `limit` candles.
   * @returns The candles in ascending open time.
   */
  candles(
    symbol: string,
    timeframe: string,
    options: { fromOpenTime?: number; limit?: number } = {},
  ): Candle[] {
    const from = options.fromOpenTime ?? Number.MIN_SAFE_INTEGER;
    const limit = countArg("limit", options.limit);
    return this.#all("getCandles", symbol, timeframe, from, limit).reverse()
      .map(toCandle);
  }

  /**
   * Stores candles (warm-up history fetched before trading) in one transaction, skipping the
   * ones already stored.
   *
   * @param rows The candles.
   * @returns How many were new.
   */
  appendCandles(rows: readonly SeriesCandle[]): number {
    let inserted = 0;
    this.#transaction(() => {
      for (const row of rows) {
        inserted += Number(this.#sql.candle.run(...candleParams(row)).changes);
      }
    });
    return inserted;
  }

  /**
   * Reads signals with their decisions, newest first.
   *
   * @param options `limit`, and `sinceTime` (inclusive, the signal bar's close time).
   * @returns The signals.
   */
  signals(
    options: { limit?: number; sinceTime?: number } = {},
  ): SignalWithDecision[] {
    const since = options.sinceTime ?? Number.MIN_SAFE_INTEGER;
    const limit = countArg("limit", options.limit);
    return this.#all("getSignals", since, limit).map(toSignalWithDecision);
  }

  /**
   * Reads closed trades, newest exit first.
   *
   * @param options `limit` and `offset` for paging.
   * @returns The trades.
   */
  trades(options: { limit?: number; offset?: number } = {}): TradeRecord[] {
    const limit = countArg("limit", options.limit);
    const offset = Math.max(0, countArg("offset", options.offset));
    return this.#all("getTrades", limit, offset).map(toTrade);
  }

  /**
   * @param tradeId The trade (its entry signal's id).
   * @returns The trade's fills in stored order (entry first).
   */
  fills(tradeId: string): FillRecord[] {
    return this.#all("getFills", tradeId).map(toFill);
  }

  /** @returns The positions whose last stored status is open, in opening order. */
  openPositions(): PositionRow[] {
    return this.#all("getOpenPositions").map(toPosition);
  }

  /** @returns The daily equity points, ascending. */
  equity(): EquityPoint[] {
    return this.#all("getEquity").map(toEquityPoint);
  }

  /**
   * Adds outbox rows outside a step (daily summaries, alerts) in one transaction, skipping a
   * row whose key is already stored, so enqueueing the same key twice sends it once.
   *
   * @param items The rows.
   * @returns How many were new.
   */
  enqueueOutbox(items: readonly OutboxItem[]): number {
    let inserted = 0;
    this.#transaction(() => {
      for (const item of items) {
        inserted += Number(this.#sql.outbox.run(...outboxParams(item)).changes);
      }
    });
    return inserted;
  }

  /**
   * @param limit At most this many rows.
   * @returns The unsent outbox rows, oldest first (the notifier's queue).
   */
  unsentOutbox(limit: number): OutboxRow[] {
    return this.#all("getUnsent", countArg("limit", limit)).map(toOutbox);
  }

  /**
   * Records that Telegram confirmed an outbox row.
   *
   * @param id The outbox row id.
   * @param messageId Telegram's message id, or null when there is none.
   * @param sentAt When it was confirmed, epoch ms.
   * @throws {RangeError} When no such row exists.
   */
  markSent(id: number, messageId: number | null, sentAt: number): void {
    this.#expectRow(id, this.#sql.markSent.run(sentAt, messageId, id).changes);
  }

  /**
   * Records that an attempt to send a row is about to go out (or, with null, that the last one
   * certainly did not arrive). {@link StateStore.markSent} clears it.
   *
   * @param id The outbox row id.
   * @param inFlight Where and when the attempt goes, or null.
   * @throws {RangeError} When no such row exists.
   */
  markInFlight(id: number, inFlight: InFlight | null): void {
    const value = inFlight === null ? null : JSON.stringify(inFlight);
    this.#expectRow(id, this.#sql.markInFlight.run(value, id).changes);
  }

  /**
   * Records a failed send attempt: one more attempt, and the error.
   *
   * @param id The outbox row id.
   * @param error What went wrong (no secrets).
   * @throws {RangeError} When no such row exists.
   */
  markFailed(id: number, error: string): void {
    this.#expectRow(id, this.#sql.markFailed.run(error, id).changes);
  }

  /**
   * @param options `limit`.
   * @returns Outbox rows, newest first (the status page).
   */
  outbox(options: { limit?: number } = {}): OutboxRow[] {
    return this.#all("getOutbox", countArg("limit", options.limit)).map(
      toOutbox,
    );
  }

  /**
   * One outbox row by its key (e.g. `signal:<id>`, to reply to that message).
   *
   * @param key The row's key.
   * @returns The row, or undefined.
   */
  outboxRow(key: string): OutboxRow | undefined {
    const row = this.#all("getOutboxByKey", key)[0];
    return row === undefined ? undefined : toOutbox(row);
  }

  /**
   * @param key The setting's key.
   * @returns Its value, or undefined when unset.
   */
  setting(key: string): string | undefined {
    const row = this.#sql.getSetting.get(key) as Row | undefined;
    return row === undefined ? undefined : text(row, "value");
  }

  /**
   * Sets a setting (e.g. `paused`), replacing its value.
   *
   * @param key The key.
   * @param value The value.
   */
  setSetting(key: string, value: string): void {
    this.#sql.setSetting.run(key, value);
  }

  /**
   * Appends an event to the system log.
   *
   * @param event The event.
   */
  addEvent(event: StateEvent): void {
    this.#sql.event.run(event.time, event.level, event.kind, event.message);
  }

  /**
   * @param limit At most this many.
   * @returns The latest events, newest first.
   */
  events(limit: number): EventRow[] {
    return this.#all("getEvents", countArg("limit", limit)).map(toEvent);
  }

  /** The status page's filtered and paged reads (prepared on first use). */
  get status(): StatusQueries {
    this.#status ??= new StatusQueries(this.#db);
    return this.#status;
  }

  /** @returns Row counts for the status page. */
  counts(): StateCounts {
    return toCounts(this.#sql.counts.get() as Row);
  }

  #all(name: keyof typeof SQL, ...params: (string | number)[]): Row[] {
    return this.#sql[name].all(...params) as Row[];
  }

  #transaction(write: () => void): void {
    this.#db.exec("BEGIN IMMEDIATE");
    try {
      write();
      this.#db.exec("COMMIT");
    } catch (error) {
      if (this.#db.isTransaction) this.#db.exec("ROLLBACK");
      throw error;
    }
  }

  #expectRow(id: number, changes: number | bigint): void {
    if (Number(changes) === 0) {
      throw new RangeError(
        `Cannot update the outbox as 'id' must name a stored row: current value is ${id}`,
      );
    }
  }
}
