/**
 * REST client for the Binance USDT-M futures public API: `/fapi/v1/time`,
 * `/fapi/v1/exchangeInfo` and `/fapi/v1/klines` (one page, or a range paginated 1500 per
 * request). Requests go through `BinanceTransport` (weight budget, `Retry-After` gate, timeout,
 * retries; `data/binance_weight.ts`). Klines are returned only once closed: close time earlier
 * than the clock's time plus the server offset measured by `serverTime()` (0 until then), so the
 * still-forming candle is never handed out.
 *
 * @module
 */
import { timeframeMs } from "../core/types.ts";
import {
  type Kline,
  type KlineColumns,
  klineColumns,
  parseKlineRow,
} from "./binance_kline.ts";
import {
  BinanceTransport,
  KLINES_DEFAULT_LIMIT,
  KLINES_MAX_LIMIT,
  klinesWeight,
  SIMPLE_WEIGHT,
  type TransportOptions,
} from "./binance_weight.ts";

export {
  BinanceRequestError,
  type BinanceRequestFailure,
} from "./binance_weight.ts";

/** Options of `BinanceRestClient`. */
export type BinanceRestOptions = TransportOptions;

/** Query of `klines`. */
export interface KlinesQuery {
  readonly symbol: string;
  readonly interval: string;
  /** Earliest open time, inclusive (epoch ms). */
  readonly startTime?: number;
  /** Latest open time, inclusive (epoch ms). */
  readonly endTime?: number;
  /** 1 to 1500 (default 500). */
  readonly limit?: number;
  readonly signal?: AbortSignal;
}

/** Query of `klinesRange`. */
export interface KlinesRangeQuery {
  readonly symbol: string;
  readonly interval: string;
  /** First open time, inclusive (epoch ms). */
  readonly from: number;
  /** End open time, exclusive (default: up to the present). */
  readonly to?: number;
  readonly signal?: AbortSignal;
  /** Called after each page with the candles received so far and the last open time. */
  readonly onPage?: (received: number, lastOpenTime: number) => void;
}

/** One symbol of the exchange info. */
export interface SymbolInfo {
  readonly symbol: string;
  /** `TRADING`, or `SETTLING`, `CLOSE`, ... for delisted symbols. */
  readonly status: string;
  readonly baseAsset: string;
  readonly quoteAsset: string;
  readonly pricePrecision: number;
  readonly quantityPrecision: number;
  /** `PRICE_FILTER.tickSize` (NaN when absent). */
  readonly tickSize: number;
  /** `LOT_SIZE.stepSize` (NaN when absent). */
  readonly stepSize: number;
}

/** The parsed exchange info. */
export interface ExchangeInfo {
  readonly serverTime: number;
  readonly symbols: readonly SymbolInfo[];
}

const SYMBOL = /^[A-Z0-9]{2,32}$/;

function filterValue(filters: unknown, type: string, key: string): number {
  if (!Array.isArray(filters)) return Number.NaN;
  const found = filters.find((f) => f?.filterType === type)?.[key];
  return typeof found === "string" || typeof found === "number"
    ? Number(found)
    : Number.NaN;
}

function parseExchangeInfo(body: unknown): ExchangeInfo {
  const root = body as { serverTime?: unknown; symbols?: unknown } | null;
  if (!Array.isArray(root?.symbols)) {
    throw new TypeError(
      `Cannot read exchange info as 'symbols' must be an array: current value is ${
        JSON.stringify(root?.symbols)?.slice(0, 80)
      }`,
    );
  }
  const symbols = root.symbols.map((raw: Record<string, unknown>) => ({
    symbol: String(raw.symbol),
    status: String(raw.status),
    baseAsset: String(raw.baseAsset),
    quoteAsset: String(raw.quoteAsset),
    pricePrecision: Number(raw.pricePrecision),
    quantityPrecision: Number(raw.quantityPrecision),
    tickSize: filterValue(raw.filters, "PRICE_FILTER", "tickSize"),
    stepSize: filterValue(raw.filters, "LOT_SIZE", "stepSize"),
  }));
  return { serverTime: Number(root.serverTime), symbols };
}

function checkQuery(query: KlinesQuery | KlinesRangeQuery): void {
  if (!SYMBOL.test(query.symbol)) {
    throw new TypeError(
      `Cannot request klines as 'symbol' must be 2 to 32 upper-case letters or digits: current value is '${query.symbol}'`,
    );
  }
  timeframeMs(query.interval);
}

/** Client of the Binance USDT-M futures public REST API. */
export class BinanceRestClient {
  readonly #transport: BinanceTransport;

  constructor(options: BinanceRestOptions) {
    this.#transport = new BinanceTransport(options);
  }

  /** Server time minus the clock's time, as last measured by `serverTime()` (0 before). */
  get timeOffset(): number {
    return this.#transport.offset;
  }

  /** Weight used in the current minute as far as this client knows. */
  get usedWeight(): number {
    return this.#transport.gate.usedWeight;
  }

  /** The clock's time corrected by the measured server offset. */
  now(): number {
    return this.#transport.now();
  }

  /**
   * Reads the server time and remembers its offset to the clock.
   *
   * @param signal Aborts the request.
   * @returns The server time, epoch ms.
   */
  async serverTime(signal?: AbortSignal): Promise<number> {
    const sent = this.#transport.now() - this.#transport.offset;
    const body = await this.#transport.get("/fapi/v1/time", {
      weight: SIMPLE_WEIGHT,
      signal,
    });
    const time = (body as { serverTime?: unknown } | null)?.serverTime;
    if (typeof time !== "number") {
      throw new TypeError(
        `Cannot read server time as 'serverTime' must be a number: current value is ${
          JSON.stringify(time)
        }`,
      );
    }
    const received = this.#transport.now() - this.#transport.offset;
    this.#transport.offset = time - (sent + received) / 2;
    return time;
  }

  /**
   * Reads the exchange info: every symbol with status, precisions, tick and step size.
   *
   * @param signal Aborts the request.
   * @returns The parsed exchange info.
   */
  async exchangeInfo(signal?: AbortSignal): Promise<ExchangeInfo> {
    return parseExchangeInfo(
      await this.#transport.get("/fapi/v1/exchangeInfo", {
        weight: SIMPLE_WEIGHT,
        signal,
      }),
    );
  }

  /**
   * One klines request; only closed candles are returned (never the forming one).
   *
   * @param query Symbol, interval, optional start/end open times and limit.
   * @returns The closed klines, oldest first.
   * @throws {TypeError} When the symbol is malformed.
   * @throws {RangeError} When the interval or the limit is invalid.
   * @throws {BinanceRequestError} When the request fails for good.
   */
  async klines(query: KlinesQuery): Promise<Kline[]> {
    checkQuery(query);
    const limit = query.limit ?? KLINES_DEFAULT_LIMIT;
    if (!(Number.isInteger(limit) && limit >= 1 && limit <= KLINES_MAX_LIMIT)) {
      throw new RangeError(
        `Cannot request klines as 'limit' must be an integer from 1 to ${KLINES_MAX_LIMIT}: current value is ${limit}`,
      );
    }
    const rows = await this.#klineRows(query, limit);
    const now = this.now();
    return rows.filter((kline) => kline.closeTime < now);
  }

  /**
   * Every closed kline with open time in [from, to), paginated 1500 per request, in order and
   * without duplicates. Stops at the forming candle, at a short page or at `to`.
   *
   * @param query Symbol, interval, range and an optional progress callback.
   * @returns The klines as columns.
   * @throws {BinanceRequestError} When a request fails for good.
   */
  async klinesRange(query: KlinesRangeQuery): Promise<KlineColumns> {
    checkQuery(query);
    const end = query.to ?? Number.POSITIVE_INFINITY;
    const received: Kline[] = [];
    let last = Number.NEGATIVE_INFINITY;
    for (let start = query.from; start < end;) {
      const rows = await this.#klineRows({
        symbol: query.symbol,
        interval: query.interval,
        startTime: start,
        ...(Number.isFinite(end) ? { endTime: end - 1 } : {}),
        ...(query.signal === undefined ? {} : { signal: query.signal }),
      }, KLINES_MAX_LIMIT);
      const now = this.now();
      let forming = false;
      const before = received.length;
      for (const kline of rows) {
        if (kline.closeTime >= now) forming = true;
        else if (kline.openTime > last && kline.openTime < end) {
          received.push(kline);
          last = kline.openTime;
        }
      }
      const tail = rows[rows.length - 1];
      if (received.length > before) query.onPage?.(received.length, last);
      if (forming || tail === undefined || rows.length < KLINES_MAX_LIMIT) {
        break;
      }
      start = Math.max(start, tail.openTime) + 1;
    }
    return klineColumns(received);
  }

  async #klineRows(query: KlinesQuery, limit: number): Promise<Kline[]> {
    const params: Record<string, string> = {
      symbol: query.symbol,
      interval: query.interval,
      limit: String(limit),
    };
    if (query.startTime !== undefined) {
      params.startTime = String(query.startTime);
    }
    if (query.endTime !== undefined) params.endTime = String(query.endTime);
    const body = await this.#transport.get("/fapi/v1/klines", {
      params,
      weight: klinesWeight(limit),
      signal: query.signal,
    });
    if (!Array.isArray(body)) {
      throw new TypeError(
        `Cannot read klines as the body must be an array: current value is ${
          JSON.stringify(body)?.slice(0, 80)
        }`,
      );
    }
    return body.map(parseKlineRow);
  }
}
