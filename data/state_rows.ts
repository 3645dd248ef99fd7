/**
 * Row mapping for the SQLite state store (`data/state_store.ts`), both ways: the parameters that
 * bind a record to its table's INSERT (column order of `data/state_migrations.ts`), and one
 * mapper per table from the loosely typed rows `node:sqlite` returns to a plain record. A value of
 * the wrong type means a damaged or foreign database and throws a `TypeError` naming the column.
 * Nullable REAL columns read NULL as NaN (SQLite stores NaN as NULL). JSON columns go through
 * `data/state_json.ts`.
 *
 * @module
 */
import type { SQLInputValue, SQLOutputValue } from "node:sqlite";
import type {
  DecisionRecord,
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
  SignalRecord,
} from "../core/state_types.ts";
import type { Candle, Regime, Side } from "../core/types.ts";
import { decodeState, encodeState } from "./state_json.ts";

/** A row as `node:sqlite` returns it. */
export type Row = Record<string, SQLOutputValue>;

/** Positional parameters of an INSERT. */
export type Params = SQLInputValue[];

/** A stored event (newest first from `StateStore.events`). */
export interface EventRow {
  readonly id: number;
  readonly time: number;
  readonly level: "info" | "warn" | "error";
  readonly kind: string;
  readonly message: string;
}

/** Row counts for the status page. */
export interface StateCounts {
  readonly signals: number;
  readonly trades: number;
  readonly openPositions: number;
  /** Outbox rows not yet sent. */
  readonly unsent: number;
  readonly candles: number;
}

/** A stored signal with the decision taken on it, when there is one. */
export type SignalWithDecision = SignalRecord & {
  readonly decision?: DecisionRecord;
};

function wrong(column: string, value: unknown, expected: string): TypeError {
  return new TypeError(
    `Cannot read the state database as column '${column}' must be ${expected}: current value is ${
      String(value)
    }`,
  );
}

/** Reads a NOT NULL TEXT column. */
export function text(row: Row, column: string): string {
  const value = row[column];
  if (typeof value !== "string") throw wrong(column, value, "text");
  return value;
}

/** NULL, how SQLite stores NaN, reads as NaN. */
function real(row: Row, column: string): number {
  const value = row[column];
  if (value === null) return NaN;
  if (typeof value !== "number") throw wrong(column, value, "a number");
  return value;
}

function int(row: Row, column: string): number {
  const value = row[column];
  if (typeof value !== "number") throw wrong(column, value, "an integer");
  return value;
}

function intOrNull(row: Row, column: string): number | null {
  return row[column] === null ? null : int(row, column);
}

function oneOf<T extends string>(
  row: Row,
  column: string,
  values: readonly T[],
): T {
  const value = text(row, column);
  if (!(values as readonly string[]).includes(value)) {
    throw wrong(column, value, `one of ${values.join(", ")}`);
  }
  return value as T;
}

const SIDES: readonly Side[] = ["LONG", "SHORT"];
const REGIMES: readonly Regime[] = ["low", "normal", "high"];
const FILL_KINDS: readonly FillRecord["kind"][] = [
  "entry",
  "tp",
  "stop",
  "close",
];
const LEVELS: readonly EventRow["level"][] = ["info", "warn", "error"];

/** Maps a `candles` row. */
export function toCandle(row: Row): Candle {
  return {
    openTime: int(row, "open_time"),
    open: real(row, "open"),
    high: real(row, "high"),
    low: real(row, "low"),
    close: real(row, "close"),
    volume: real(row, "volume"),
  };
}

/** Maps a `signals` row. */
export function toSignal(row: Row): SignalRecord {
  return {
    id: text(row, "id"),
    symbol: text(row, "symbol"),
    timeframe: text(row, "timeframe"),
    side: oneOf(row, "side", SIDES),
    barOpenTime: int(row, "bar_open_time"),
    time: int(row, "time"),
    price: real(row, "price"),
    regime: oneOf(row, "regime", REGIMES),
    presetHash: text(row, "preset_hash"),
  };
}

/** Maps a `decisions` row whose columns carry a prefix (as in a join). */
export function toDecision(row: Row, prefix = ""): DecisionRecord {
  return {
    time: int(row, `${prefix}time`),
    signalId: text(row, `${prefix}signal_id`),
    symbol: text(row, `${prefix}symbol`),
    timeframe: text(row, `${prefix}timeframe`),
    side: oneOf(row, `${prefix}side`, SIDES),
    accepted: int(row, `${prefix}accepted`) !== 0,
    rule: text(row, `${prefix}rule`),
    detail: text(row, `${prefix}detail`),
    heatPct: real(row, `${prefix}heat_pct`),
    openPositions: int(row, `${prefix}open_positions`),
  };
}

/** Maps a `signals` row joined with its decision's columns prefixed `d_` (NULL when none). */
export function toSignalWithDecision(row: Row): SignalWithDecision {
  const signal = toSignal(row);
  return row["d_signal_id"] === null
    ? signal
    : { ...signal, decision: toDecision(row, "d_") };
}

/** Maps a `fills` row. */
export function toFill(row: Row): FillRecord {
  const tpIndex = intOrNull(row, "tp_index");
  return {
    tradeId: text(row, "trade_id"),
    time: int(row, "time"),
    kind: oneOf(row, "kind", FILL_KINDS),
    ...(tpIndex === null ? {} : { tpIndex }),
    price: real(row, "price"),
    quantity: real(row, "quantity"),
    fee: real(row, "fee"),
    pnl: real(row, "pnl"),
  };
}

/** Maps a `trades` row. */
export function toTrade(row: Row): TradeRecord {
  return {
    id: text(row, "id"),
    seriesKey: text(row, "series_key"),
    symbol: text(row, "symbol"),
    timeframe: text(row, "timeframe"),
    side: oneOf(row, "side", SIDES),
    entryTime: int(row, "entry_time"),
    entryPrice: real(row, "entry_price"),
    exitTime: int(row, "exit_time"),
    exitPrice: real(row, "exit_price"),
    exitReason: text(row, "exit_reason"),
    tpHits: int(row, "tp_hits"),
    pnlQuote: real(row, "pnl_quote"),
    pnlPct: real(row, "pnl_pct"),
    feesQuote: real(row, "fees_quote"),
    fundingQuote: real(row, "funding_quote"),
    notional: real(row, "notional"),
    barsHeld: int(row, "bars_held"),
    sameBarDecided: int(row, "same_bar_decided"),
    regime: oneOf(row, "regime", REGIMES),
    presetHash: text(row, "preset_hash"),
  };
}

/** Maps a `positions` row; the state is decoded from its JSON. */
export function toPosition(row: Row): PositionRow {
  return {
    tradeId: text(row, "trade_id"),
    symbol: text(row, "symbol"),
    timeframe: text(row, "timeframe"),
    side: oneOf(row, "side", SIDES),
    status: oneOf(row, "status", ["open", "closed"] as const),
    state: decodeState(text(row, "state")),
    updatedAt: int(row, "updated_at"),
  };
}

/** Maps an `outbox` row; the payload is decoded from its JSON. */
export function toOutbox(row: Row): OutboxRow {
  return {
    id: int(row, "id"),
    key: text(row, "key"),
    kind: text(row, "kind"),
    payload: decodeState(text(row, "payload")),
    createdAt: int(row, "created_at"),
    sentAt: intOrNull(row, "sent_at"),
    messageId: intOrNull(row, "message_id"),
    attempts: int(row, "attempts"),
    lastError: row["last_error"] === null ? null : text(row, "last_error"),
    inFlight: inFlightOf(row),
  };
}

/** Decodes the `in_flight` column (JSON of an {@link InFlight}, or NULL). */
function inFlightOf(row: Row): InFlight | null {
  const raw = row["in_flight"];
  if (raw === null || raw === undefined) return null;
  let value: unknown;
  try {
    value = JSON.parse(text(row, "in_flight"));
  } catch {
    throw wrong("in_flight", raw, "JSON");
  }
  const v = value as Partial<Record<keyof InFlight, unknown>> | null;
  if (
    typeof v !== "object" || v === null || typeof v.since !== "number" ||
    (v.chat !== undefined && typeof v.chat !== "string") ||
    (v.after !== undefined && typeof v.after !== "number") ||
    (v.text !== undefined && typeof v.text !== "string")
  ) {
    throw wrong("in_flight", raw, "an object with a numeric 'since'");
  }
  return {
    since: v.since,
    ...(v.chat === undefined ? {} : { chat: v.chat }),
    ...(v.after === undefined ? {} : { after: v.after }),
    ...(v.text === undefined ? {} : { text: v.text }),
  };
}

/** Maps an `events` row. */
export function toEvent(row: Row): EventRow {
  return {
    id: int(row, "id"),
    time: int(row, "time"),
    level: oneOf(row, "level", LEVELS),
    kind: text(row, "kind"),
    message: text(row, "message"),
  };
}

/** Maps a `series_progress` row to `[seriesKey, lastOpenTime]`. */
export function toProgress(row: Row): [string, number] {
  return [text(row, "series_key"), int(row, "last_open_time")];
}

/** Maps an `equity` row. */
export function toEquityPoint(row: Row): EquityPoint {
  return { time: int(row, "time"), equity: real(row, "equity") };
}

/** Maps the row of the counts query. */
export function toCounts(row: Row): StateCounts {
  return {
    signals: int(row, "signals"),
    trades: int(row, "trades"),
    openPositions: int(row, "open_positions"),
    unsent: int(row, "unsent"),
    candles: int(row, "candles"),
  };
}

/** Binds a candle to `candles`. */
export function candleParams(row: SeriesCandle): Params {
  const c = row.candle;
  return [
    row.symbol,
    row.timeframe,
    c.openTime,
    c.open,
    c.high,
    c.low,
    c.close,
    c.volume,
  ];
}

/** Binds a signal to `signals`. */
export function signalParams(s: SignalRecord): Params {
  return [
    s.id,
    s.symbol,
    s.timeframe,
    s.side,
    s.barOpenTime,
    s.time,
    s.price,
    s.regime,
    s.presetHash,
  ];
}

/** Binds a decision to `decisions`. */
export function decisionParams(d: DecisionRecord): Params {
  return [
    d.signalId,
    d.time,
    d.symbol,
    d.timeframe,
    d.side,
    d.accepted ? 1 : 0,
    d.rule,
    d.detail,
    d.heatPct,
    d.openPositions,
  ];
}

/** Binds a fill to the fills INSERT, which assigns `seq` itself: all columns but `seq`. */
export function fillParams(f: FillRecord): Params {
  return [
    f.tradeId,
    f.time,
    f.kind,
    f.tpIndex ?? null,
    f.price,
    f.quantity,
    f.fee,
    f.pnl,
  ];
}

/** Binds a trade to `trades`. */
export function tradeParams(t: TradeRecord): Params {
  return [
    t.id,
    t.seriesKey,
    t.symbol,
    t.timeframe,
    t.side,
    t.entryTime,
    t.entryPrice,
    t.exitTime,
    t.exitPrice,
    t.exitReason,
    t.tpHits,
    t.pnlQuote,
    t.pnlPct,
    t.feesQuote,
    t.fundingQuote,
    t.notional,
    t.barsHeld,
    t.sameBarDecided,
    t.regime,
    t.presetHash,
  ];
}

/** Binds a position to `positions` (its state as JSON). */
export function positionParams(p: PositionRow): Params {
  return [
    p.tradeId,
    p.symbol,
    p.timeframe,
    p.side,
    p.status,
    encodeState(p.state),
    p.updatedAt,
  ];
}

/** Binds an outbox item to the outbox INSERT: key, kind, payload (JSON), created_at. */
export function outboxParams(item: OutboxItem): Params {
  return [item.key, item.kind, encodeState(item.payload), item.createdAt];
}
