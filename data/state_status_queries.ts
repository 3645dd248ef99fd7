/**
 * Read queries of the status page over the daemon's SQLite state (`StateStore.status`): filtered
 * and paged signals, trades and outbox rows with their totals, delivery and decision totals. Every
 * statement is prepared once; optional filters are `(? IS NULL OR column = ?)` terms, so a missing
 * filter is a NULL parameter, never a string built into the SQL.
 *
 * @module
 */
import type { DatabaseSync, StatementSync } from "node:sqlite";
import type { TradeRecord } from "../core/backtest/records.ts";
import type { OutboxRow } from "../core/state_types.ts";
import type { SignalQuery, TradeQuery } from "../web/status_types.ts";
import {
  type Row,
  type SignalWithDecision,
  toOutbox,
  toSignalWithDecision,
  toTrade,
} from "./state_rows.ts";

/** Filters of {@link StatusQueries.signals} (the `/api/signals` query without paging). */
export type SignalFilter = Omit<SignalQuery, "limit" | "offset">;

/** Filters of {@link StatusQueries.trades} (the `/api/trades` query without paging). */
export type TradeFilter = Omit<TradeQuery, "limit" | "offset">;

/** Outbox delivery totals. */
export interface OutboxTotals {
  /** Confirmed by the notifier. */
  readonly sent: number;
  /** Given up after a permanent failure (sent_at set, no message id, an error). */
  readonly failed: number;
  /** Not yet sent. */
  readonly queued: number;
  /** The latest error of any row, with the row's creation time. */
  readonly lastError: string | null;
  readonly lastErrorAt: number | null;
}

const SIGNAL_WHERE = `FROM signals s LEFT JOIN decisions d ON d.signal_id = s.id
  WHERE (?1 IS NULL OR s.symbol = ?1) AND (?2 IS NULL OR s.timeframe = ?2)
    AND (?3 IS NULL OR s.side = ?3) AND (?4 IS NULL OR d.accepted = ?4)`;
const TRADE_WHERE = `FROM trades
  WHERE (?1 IS NULL OR symbol = ?1) AND (?2 IS NULL OR timeframe = ?2)
    AND (?3 IS NULL OR side = ?3) AND (?4 IS NULL OR exit_reason = ?4)
    AND (?5 IS NULL OR exit_time >= ?5) AND (?6 IS NULL OR exit_time < ?6)`;
const FAILED =
  "sent_at IS NOT NULL AND message_id IS NULL AND last_error IS NOT NULL";

const SQL = {
  signals:
    `SELECT s.*, d.signal_id AS d_signal_id, d.time AS d_time, d.symbol AS d_symbol,
      d.timeframe AS d_timeframe, d.side AS d_side, d.accepted AS d_accepted, d.rule AS d_rule,
      d.detail AS d_detail, d.heat_pct AS d_heat_pct, d.open_positions AS d_open_positions
    ${SIGNAL_WHERE} ORDER BY s.time DESC, s.id DESC LIMIT ?5 OFFSET ?6`,
  signalCount: `SELECT count(*) AS n ${SIGNAL_WHERE}`,
  trades:
    `SELECT * ${TRADE_WHERE} ORDER BY exit_time DESC, id DESC LIMIT ?7 OFFSET ?8`,
  tradeCount: `SELECT count(*) AS n ${TRADE_WHERE}`,
  outbox: "SELECT * FROM outbox ORDER BY id DESC LIMIT ? OFFSET ?",
  outboxTotals: `SELECT
      (SELECT count(*) FROM outbox WHERE sent_at IS NOT NULL AND NOT (${FAILED})) AS sent,
      (SELECT count(*) FROM outbox WHERE ${FAILED}) AS failed,
      (SELECT count(*) FROM outbox WHERE sent_at IS NULL) AS queued`,
  lastError:
    `SELECT last_error, created_at FROM outbox WHERE last_error IS NOT NULL
    ORDER BY id DESC LIMIT 1`,
  outboxCount: "SELECT count(*) AS n FROM outbox",
  decisions:
    `SELECT accepted, rule, count(*) AS n FROM decisions GROUP BY accepted, rule`,
  closes:
    `SELECT open_time, close FROM candles WHERE symbol = ? AND timeframe = ?
    AND open_time >= ? ORDER BY open_time`,
} as const;

type Statements = { readonly [K in keyof typeof SQL]: StatementSync };

/** A page of rows and the number of rows matching the filters. */
export interface RowPage<T> {
  readonly total: number;
  readonly rows: T[];
}

/** Read queries of the status page (see the module doc). */
export class StatusQueries {
  readonly #sql: Statements;

  /** @param db The store's open database. */
  constructor(db: DatabaseSync) {
    this.#sql = Object.fromEntries(
      Object.entries(SQL).map(([name, sql]) => [name, db.prepare(sql)]),
    ) as Statements;
  }

  /**
   * Signals with their decisions, newest first.
   *
   * @param filter Symbol, timeframe, side, decision outcome.
   * @param limit Rows per page.
   * @param offset Rows skipped.
   * @returns The page and the total.
   */
  signals(
    filter: SignalFilter,
    limit: number,
    offset: number,
  ): RowPage<SignalWithDecision> {
    const where = [
      filter.symbol ?? null,
      filter.timeframe ?? null,
      filter.side ?? null,
      filter.accepted === undefined ? null : filter.accepted ? 1 : 0,
    ];
    return {
      total: count(this.#sql.signalCount.get(...where)),
      rows: (this.#sql.signals.all(...where, limit, offset) as Row[]).map(
        toSignalWithDecision,
      ),
    };
  }

  /**
   * Closed trades, newest exit first.
   *
   * @param filter Symbol, timeframe, side, exit reason, exit time range.
   * @param limit Rows per page (-1: all).
   * @param offset Rows skipped.
   * @returns The page and the total.
   */
  trades(
    filter: TradeFilter,
    limit: number,
    offset: number,
  ): RowPage<TradeRecord> {
    const where = [
      filter.symbol ?? null,
      filter.timeframe ?? null,
      filter.side ?? null,
      filter.reason ?? null,
      filter.from ?? null,
      filter.to ?? null,
    ];
    return {
      total: count(this.#sql.tradeCount.get(...where)),
      rows: (this.#sql.trades.all(...where, limit, offset) as Row[]).map(
        toTrade,
      ),
    };
  }

  /**
   * Outbox rows, newest first.
   *
   * @param limit Rows per page.
   * @param offset Rows skipped.
   * @returns The page and the total.
   */
  outbox(limit: number, offset: number): RowPage<OutboxRow> {
    return {
      total: count(this.#sql.outboxCount.get()),
      rows: (this.#sql.outbox.all(limit, offset) as Row[]).map(toOutbox),
    };
  }

  /** @returns Sent, failed and queued rows and the latest error. */
  outboxTotals(): OutboxTotals {
    const t = this.#sql.outboxTotals.get() as Row;
    const e = this.#sql.lastError.get() as Row | undefined;
    return {
      sent: Number(t["sent"]),
      failed: Number(t["failed"]),
      queued: Number(t["queued"]),
      lastError: e === undefined ? null : String(e["last_error"]),
      lastErrorAt: e === undefined ? null : Number(e["created_at"]),
    };
  }

  /** @returns Accepted signals and refusals per rule. */
  decisionTotals(): { accepted: number; refused: Record<string, number> } {
    let accepted = 0;
    const refused: Record<string, number> = {};
    for (const row of this.#sql.decisions.all() as Row[]) {
      const n = Number(row["n"]);
      if (Number(row["accepted"]) === 1) accepted += n;
      else refused[String(row["rule"])] = n;
    }
    return { accepted, refused };
  }

  /**
   * Closes of one series from a time on, ascending.
   *
   * @param symbol The symbol.
   * @param timeframe The timeframe.
   * @param fromOpenTime First open time, inclusive.
   * @returns Open times and closes.
   */
  closes(
    symbol: string,
    timeframe: string,
    fromOpenTime: number,
  ): { openTime: number; close: number }[] {
    return (this.#sql.closes.all(symbol, timeframe, fromOpenTime) as Row[])
      .map((r) => ({
        openTime: Number(r["open_time"]),
        close: Number(r["close"]),
      }));
  }
}

function count(row: unknown): number {
  return Number((row as Row)["n"]);
}
