/**
 * Binance USDT-M kline formats, shared by the REST client, the WebSocket client and the replay
 * exchange: REST kline arrays `[openTime, "o", "h", "l", "c", "v", closeTime, "q", n, "V", "Q",
 * "0"]` and combined-stream kline events `{"stream", "data": {"e": "kline", "E", "s", "k": {...}}}`,
 * to and from plain `Kline` records and `KlineColumns`.
 *
 * Prices and quantities travel as decimal strings; parsing uses `Number`, so a value written with
 * `toFixed(decimals)` from a float that came from decimal text of at most that many decimals reads
 * back as the identical float. Binance's close time is the open time + timeframe − 1 ms.
 *
 * @module
 */
import { type Candle, candleAt, type CandleColumns } from "../core/types.ts";

/** One kline with every field Binance sends (besides trade ids). */
export interface Kline extends Candle {
  /** Open time + timeframe − 1 ms. */
  readonly closeTime: number;
  readonly quoteVolume: number;
  readonly trades: number;
  readonly takerBuyBase: number;
  readonly takerBuyQuote: number;
}

/** Kline columns of one series, oldest first: the candle columns plus Binance's extra fields. */
export interface KlineColumns extends CandleColumns {
  readonly closeTime: Float64Array;
  readonly quoteVolume: Float64Array;
  readonly trades: Float64Array;
  readonly takerBuyBase: Float64Array;
  readonly takerBuyQuote: Float64Array;
}

/** One kline event of a combined stream. */
export interface KlineEvent {
  /** Stream name such as `btcusdt@kline_1h`. */
  readonly stream: string;
  /** Event time `E`, epoch ms. */
  readonly eventTime: number;
  readonly symbol: string;
  readonly interval: string;
  /** `k.x`: true only on the final update of a candle. */
  readonly closed: boolean;
  readonly kline: Kline;
}

/** Decimals used to write prices and quantities. */
export interface KlineDecimals {
  /** Decimals of open, high, low, close. */
  readonly price: number;
  /** Decimals of volume and taker-buy base volume. */
  readonly quantity: number;
  /** Decimals of quote volumes. */
  readonly quote: number;
}

const KLINE_FIELDS = [
  "openTime",
  "open",
  "high",
  "low",
  "close",
  "volume",
  "closeTime",
  "quoteVolume",
  "trades",
  "takerBuyBase",
  "takerBuyQuote",
] as const;

/**
 * The combined-stream name of a kline series.
 *
 * @param symbol Symbol such as `BTCUSDT`.
 * @param interval Interval such as `1h`.
 * @returns The stream name, such as `btcusdt@kline_1h`.
 */
export function klineStreamName(symbol: string, interval: string): string {
  return `${symbol.toLowerCase()}@kline_${interval}`;
}

/**
 * Reads a kline stream name back into symbol and interval.
 *
 * @param stream A stream name such as `btcusdt@kline_1h`.
 * @returns Upper-case symbol and interval, or undefined when it is not a kline stream.
 */
export function parseKlineStreamName(
  stream: string,
): { readonly symbol: string; readonly interval: string } | undefined {
  const match = /^([a-z0-9]+)@kline_([0-9]+[smhdwM])$/.exec(stream);
  if (match === null) return undefined;
  return { symbol: match[1]!.toUpperCase(), interval: match[2]! };
}

function number(value: unknown, field: string): number {
  const parsed = typeof value === "string" && value !== ""
    ? Number(value)
    : typeof value === "number"
    ? value
    : Number.NaN;
  if (!Number.isFinite(parsed)) {
    throw new TypeError(
      `Cannot read kline as '${field}' must be a finite number: current value is ${
        JSON.stringify(value)
      }`,
    );
  }
  return parsed;
}

/**
 * Reads one REST kline array.
 *
 * @param row A decoded JSON value.
 * @returns The kline.
 * @throws {TypeError} When the row is not an array of at least 11 numeric fields.
 */
export function parseKlineRow(row: unknown): Kline {
  if (!Array.isArray(row) || row.length < 11) {
    throw new TypeError(
      `Cannot read kline as it must be an array of at least 11 fields: current value is ${
        JSON.stringify(row)?.slice(0, 80)
      }`,
    );
  }
  return {
    openTime: number(row[0], "openTime"),
    open: number(row[1], "open"),
    high: number(row[2], "high"),
    low: number(row[3], "low"),
    close: number(row[4], "close"),
    volume: number(row[5], "volume"),
    closeTime: number(row[6], "closeTime"),
    quoteVolume: number(row[7], "quoteVolume"),
    trades: number(row[8], "trades"),
    takerBuyBase: number(row[9], "takerBuyBase"),
    takerBuyQuote: number(row[10], "takerBuyQuote"),
  };
}

/**
 * Writes one kline as Binance's REST array text.
 *
 * @param kline The kline.
 * @param decimals Decimals of prices and quantities.
 * @returns JSON text of the array.
 */
export function formatKlineRow(kline: Kline, decimals: KlineDecimals): string {
  const p = decimals.price, q = decimals.quantity, u = decimals.quote;
  return `[${kline.openTime},"${kline.open.toFixed(p)}","${
    kline.high.toFixed(p)
  }","${kline.low.toFixed(p)}","${kline.close.toFixed(p)}","${
    kline.volume.toFixed(q)
  }",${kline.closeTime},"${kline.quoteVolume.toFixed(u)}",${kline.trades},"${
    kline.takerBuyBase.toFixed(q)
  }","${kline.takerBuyQuote.toFixed(u)}","0"]`;
}

/**
 * Writes one kline as a combined-stream event (`f`/`L` trade ids are synthetic: 0 and n − 1).
 *
 * @param event Stream, event time, symbol, interval, closed flag and kline.
 * @param decimals Decimals of prices and quantities.
 * @returns JSON text of the event.
 */
export function formatKlineEvent(
  event: KlineEvent,
  decimals: KlineDecimals,
): string {
  const k = event.kline;
  const p = decimals.price, q = decimals.quantity, u = decimals.quote;
  return `{"stream":"${event.stream}","data":{"e":"kline","E":${event.eventTime},"s":"${event.symbol}","k":{"t":${k.openTime},"T":${k.closeTime},"s":"${event.symbol}","i":"${event.interval}","f":0,"L":${
    k.trades - 1
  },"o":"${k.open.toFixed(p)}","c":"${k.close.toFixed(p)}","h":"${
    k.high.toFixed(p)
  }","l":"${k.low.toFixed(p)}","v":"${
    k.volume.toFixed(q)
  }","n":${k.trades},"x":${event.closed},"q":"${
    k.quoteVolume.toFixed(u)
  }","V":"${k.takerBuyBase.toFixed(q)}","Q":"${
    k.takerBuyQuote.toFixed(u)
  }","B":"0"}}}`;
}

function record(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TypeError(
      `Cannot read kline event as '${what}' must be an object: current value is ${
        JSON.stringify(value)?.slice(0, 80)
      }`,
    );
  }
  return value as Record<string, unknown>;
}

function text(value: unknown, field: string): string {
  if (typeof value !== "string" || value === "") {
    throw new TypeError(
      `Cannot read kline event as '${field}' must be a non-empty string: current value is ${
        JSON.stringify(value)
      }`,
    );
  }
  return value;
}

/**
 * Reads a combined-stream kline event.
 *
 * @param message The frame text, or its decoded JSON value.
 * @returns The event.
 * @throws {SyntaxError} When the text is not JSON (for example a truncated frame).
 * @throws {TypeError} When the JSON is not a kline event.
 */
export function parseKlineEvent(message: string | unknown): KlineEvent {
  const root = record(
    typeof message === "string" ? JSON.parse(message) : message,
    "message",
  );
  const data = record(root.data, "data");
  if (data.e !== "kline") {
    throw new TypeError(
      `Cannot read kline event as 'data.e' must be "kline": current value is ${
        JSON.stringify(data.e)
      }`,
    );
  }
  const k = record(data.k, "data.k");
  if (typeof k.x !== "boolean") {
    throw new TypeError(
      `Cannot read kline event as 'k.x' must be a boolean: current value is ${
        JSON.stringify(k.x)
      }`,
    );
  }
  return {
    stream: text(root.stream, "stream"),
    eventTime: number(data.E, "E"),
    symbol: text(data.s, "s"),
    interval: text(k.i, "k.i"),
    closed: k.x,
    kline: {
      openTime: number(k.t, "k.t"),
      open: number(k.o, "k.o"),
      high: number(k.h, "k.h"),
      low: number(k.l, "k.l"),
      close: number(k.c, "k.c"),
      volume: number(k.v, "k.v"),
      closeTime: number(k.T, "k.T"),
      quoteVolume: number(k.q, "k.q"),
      trades: number(k.n, "k.n"),
      takerBuyBase: number(k.V, "k.V"),
      takerBuyQuote: number(k.Q, "k.Q"),
    },
  };
}

/**
 * Packs klines into columns (allocated once).
 *
 * @param klines Klines, oldest first.
 * @returns The columns.
 */
export function klineColumns(klines: readonly Kline[]): KlineColumns {
  const n = klines.length;
  const columns = Object.fromEntries(
    KLINE_FIELDS.map((field) => [field, new Float64Array(n)]),
  ) as Record<(typeof KLINE_FIELDS)[number], Float64Array>;
  for (let i = 0; i < n; i++) {
    const kline = klines[i]!;
    for (const field of KLINE_FIELDS) columns[field][i] = kline[field];
  }
  return columns;
}

/**
 * Reads one row of kline columns as a record.
 *
 * @param columns The columns.
 * @param index Row index (must be inside the columns).
 * @returns The kline.
 */
export function klineAt(columns: KlineColumns, index: number): Kline {
  return {
    ...candleAt(columns, index),
    closeTime: columns.closeTime[index]!,
    quoteVolume: columns.quoteVolume[index]!,
    trades: columns.trades[index]!,
    takerBuyBase: columns.takerBuyBase[index]!,
    takerBuyQuote: columns.takerBuyQuote[index]!,
  };
}
