/**
 * What the live daemon persists, as plain records: the port between the portfolio actor and the
 * SQLite state store (`data/state_store.ts`). One {@link StepCommit} holds everything one step of
 * the daemon changed (the closed candles of one close time across series, the signals they
 * produced, the decisions, fills, finished trades, open-position states, equity, the portfolio's
 * whole state and the outbox rows for Telegram); the store writes it in ONE transaction, so a
 * kill -9 leaves either all of a step or none of it.
 *
 * @module
 */
import type {
  DecisionRecord,
  EquityPoint,
  FillRecord,
  TradeRecord,
} from "./backtest/records.ts";
import type { Candle, Side } from "./types.ts";

/** A closed candle of one series. */
export interface SeriesCandle {
  readonly symbol: string;
  readonly timeframe: string;
  readonly candle: Candle;
}

/** An emitted signal (DESIGN §2: the id is the dedupe key everywhere). */
export interface SignalRecord {
  /** `{SYMBOL}-{tf}-{openTimeMs}-{L|S}`. */
  readonly id: string;
  readonly symbol: string;
  readonly timeframe: string;
  readonly side: Side;
  /** Open time of the signal bar. */
  readonly barOpenTime: number;
  /** Close time of the signal bar (the decision time). */
  readonly time: number;
  /** Close of the signal bar. */
  readonly price: number;
  readonly regime: "low" | "normal" | "high";
  readonly presetHash: string;
}

/** An open position's current state, for the status page and Telegram (JSON-ready). */
export interface PositionRow {
  readonly tradeId: string;
  readonly symbol: string;
  readonly timeframe: string;
  readonly side: Side;
  readonly status: "open" | "closed";
  /** The position as plain data (entry, ladder, stop, remaining, TPs filled, ...). */
  readonly state: unknown;
  readonly updatedAt: number;
}

/** A message waiting for the notifier; `key` is unique, so a replayed step adds nothing twice. */
export interface OutboxItem {
  /** E.g. `signal:BTCUSDT-1h-1700000000000-L`, `fill:<tradeId>:<seq>`. */
  readonly key: string;
  /** E.g. `signal`, `tp`, `stop`, `breakeven`, `close`, `refused`, `alert`. */
  readonly kind: string;
  /** The data the formatter needs (JSON-ready). */
  readonly payload: unknown;
  readonly createdAt: number;
}

/**
 * A send attempt whose answer may not have been recorded: stored on its outbox row from just
 * before the request goes out until the far side confirms or refuses it. A row that still has one
 * at the next start may have reached the far side (kill -9, or a timeout after the far side took
 * it), so the notifier checks before sending it again.
 */
export interface InFlight {
  /** When the attempt began, epoch ms. */
  readonly since: number;
  /** The chat the attempt went to, for notifiers with chats (Telegram). */
  readonly chat?: string;
  /**
   * The highest message id the notifier knew in that chat when the attempt began: the message,
   * if it arrived, has a higher id.
   */
  readonly after?: number;
  /** The exact text sent, for notifiers that check by content (Telegram). */
  readonly text?: string;
}

/** A row of the outbox as stored. */
export interface OutboxRow extends OutboxItem {
  /** Insertion order. */
  readonly id: number;
  readonly sentAt: number | null;
  readonly messageId: number | null;
  readonly attempts: number;
  readonly lastError: string | null;
  /** The attempt that may be on its way (see {@link InFlight}), or null. */
  readonly inFlight: InFlight | null;
}

/** Everything one daemon step changed, written in one transaction. */
export interface StepCommit {
  /** New closed candles (kept for warm-up and restart). */
  readonly candles: readonly SeriesCandle[];
  /** Last processed bar per series after this step: `SYMBOL:tf` → open time. */
  readonly progress: readonly {
    readonly seriesKey: string;
    readonly lastOpenTime: number;
  }[];
  readonly signals: readonly SignalRecord[];
  readonly decisions: readonly DecisionRecord[];
  readonly fills: readonly FillRecord[];
  readonly trades: readonly TradeRecord[];
  readonly positions: readonly PositionRow[];
  /** Completed daily equity points. */
  readonly equity: readonly EquityPoint[];
  /** The portfolio's whole state (plain data; non-finite numbers allowed), replacing the last. */
  readonly portfolio: unknown;
  readonly outbox: readonly OutboxItem[];
}
