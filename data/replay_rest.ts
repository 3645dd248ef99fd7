/**
 * The REST side of the replay exchange: `/fapi/v1/time`, `/fapi/v1/exchangeInfo` and
 * `/fapi/v1/klines` as Binance USDT-M futures answers them (weights, `X-MBX-USED-WEIGHT-1M` in
 * fixed replay-clock minutes, 429 over the weight limit, Binance error bodies), plus the REST
 * faults of `replay_faults.ts`.
 *
 * Rate-limit waits run on the replay clock. A request that arrives while one is in force is
 * answered with the same status; it counts as a violation when its client could know of the wait:
 * it came over a connection that had already been answered 429/418 during this wait (HTTP/1.1
 * does not pipeline, so it was sent after that answer arrived), or more than 500 ms of wall time
 * after the wait began (requests already in flight on other connections are not counted).
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { formatKlineRow } from "./binance_kline.ts";
import {
  DEFAULT_WEIGHT_LIMIT,
  KLINES_DEFAULT_LIMIT,
  KLINES_MAX_LIMIT,
  klinesWeight,
  SIMPLE_WEIGHT,
  USED_WEIGHT_HEADER,
} from "./binance_weight.ts";
import type { FaultState, MutableStats } from "./replay_faults.ts";
import { DELISTED_SYMBOLS, type ReplayMarket } from "./replay_market.ts";

const INTERVALS = new Set(
  "1m 3m 5m 15m 30m 1h 2h 4h 6h 8h 12h 1d 3d 1w 1M".split(" "),
);
const VIOLATION_GRACE_MS = 500;
const MINUTE_MS = 60_000;

/** What the REST handler needs from the exchange. */
export interface RestContext {
  readonly market: ReplayMarket;
  readonly faults: FaultState;
  readonly stats: MutableStats;
  readonly now: () => number;
}

interface Answer {
  readonly status: number;
  readonly body: string;
  readonly retryAfter?: number;
}

function error(status: number, code: number, msg: string): Answer {
  return { status, body: JSON.stringify({ code, msg }) };
}

function decimalText(decimals: number): string {
  return (10 ** -decimals).toFixed(decimals);
}

/** Serves the REST endpoints; one per exchange. */
export class ReplayRest {
  readonly #ctx: RestContext;
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();
  #gateUntil = Number.NEGATIVE_INFINITY;
  #gateStatus: 429 | 418 = 429;
  #gateId = 0;
  #gateStartedWall = 0;
  #informed = new WeakMap<Socket, number>();
  #minute = Number.NEGATIVE_INFINITY;
  #used = 0;

  constructor(context: RestContext) {
    this.#ctx = context;
  }

  /**
   * Handles one request.
   *
   * @param request The request.
   * @param response The response to write.
   */
  handle(request: IncomingMessage, response: ServerResponse): void {
    const { stats, faults } = this.#ctx;
    stats.requests++;
    const now = this.#ctx.now();
    const minute = Math.floor(now / MINUTE_MS);
    if (minute !== this.#minute) {
      this.#minute = minute;
      this.#used = 0;
    }
    let answer: Answer;
    if (now < this.#gateUntil) {
      const socket = request.socket;
      if (
        this.#informed.get(socket) === this.#gateId ||
        performance.now() - this.#gateStartedWall > VIOLATION_GRACE_MS
      ) stats.rateLimitViolations++;
      answer = this.#limited(this.#gateStatus, this.#gateUntil - now);
    } else if (faults.take("rateLimitRequests")) {
      this.#block(
        faults.rateLimitStatus,
        now + faults.retryAfterSeconds * 1000,
      );
      answer = this.#limited(
        faults.rateLimitStatus,
        faults.retryAfterSeconds * 1000,
      );
    } else if (faults.take("serverErrorRequests")) {
      stats.serverErrors++;
      answer = error(
        faults.serverErrorStatus,
        -1001,
        "Internal error; unable to process your request. Please try again.",
      );
    } else {
      answer = this.#route(request.method ?? "GET", request.url ?? "/", now);
    }
    if (answer.status === 429 || answer.status === 418) {
      this.#informed.set(request.socket, this.#gateId);
    }
    if (answer.status === 200 && faults.take("malformedRequests")) {
      answer = {
        ...answer,
        body: answer.body.slice(0, answer.body.length >> 1),
      };
    }
    const headers: Record<string, string> = {
      "content-type": "application/json",
      [USED_WEIGHT_HEADER]: String(this.#used),
    };
    if (answer.retryAfter !== undefined) {
      headers["retry-after"] = String(answer.retryAfter);
    }
    const send = () => {
      if (response.destroyed) return;
      response.writeHead(answer.status, headers);
      response.end(answer.body);
    };
    if (faults.take("delayRequests") && faults.delayMs > 0) {
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        send();
      }, faults.delayMs);
      this.#timers.add(timer);
    } else send();
  }

  /** Cancels delayed answers (on close). */
  close(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }

  #limited(status: 429 | 418, waitMs: number): Answer {
    this.#ctx.stats.rateLimited++;
    const seconds = Math.max(0, Math.ceil(waitMs / 1000));
    const msg = status === 418
      ? `Way too many requests; IP banned until ${this.#gateUntil}.`
      : "Too many requests; current limit is 2400 request weight per 1 MINUTE.";
    return { ...error(status, -1003, msg), retryAfter: seconds };
  }

  #block(status: 429 | 418, until: number): void {
    if (!(this.#ctx.now() < this.#gateUntil)) {
      this.#gateId++;
      this.#gateStartedWall = performance.now();
    }
    this.#gateStatus = status;
    this.#gateUntil = Math.max(this.#gateUntil, until);
  }

  #charge(weight: number, now: number): Answer | undefined {
    if (this.#used + weight > DEFAULT_WEIGHT_LIMIT) {
      const until = (this.#minute + 1) * MINUTE_MS;
      this.#block(429, until);
      return this.#limited(429, until - now);
    }
    this.#used += weight;
    this.#ctx.stats.weightUsed += weight;
    return undefined;
  }

  #route(method: string, rawUrl: string, now: number): Answer {
    const url = new URL(rawUrl, "http://replay");
    if (method !== "GET") return error(405, -1000, "Method not allowed.");
    switch (url.pathname) {
      case "/fapi/v1/time":
        return this.#charge(SIMPLE_WEIGHT, now) ??
          { status: 200, body: `{"serverTime":${now}}` };
      case "/fapi/v1/exchangeInfo":
        return this.#charge(SIMPLE_WEIGHT, now) ??
          { status: 200, body: this.#exchangeInfo(now) };
      case "/fapi/v1/klines":
        return this.#klines(url.searchParams, now);
      default:
        return error(404, -1000, `Unknown path ${url.pathname}.`);
    }
  }

  #klines(params: URLSearchParams, now: number): Answer {
    const limitText = params.get("limit");
    const limit = limitText === null ? KLINES_DEFAULT_LIMIT : Number(limitText);
    const denied = this.#charge(
      klinesWeight(Number.isFinite(limit) ? limit : KLINES_DEFAULT_LIMIT),
      now,
    );
    if (denied) return denied;
    const symbol = params.get("symbol") ?? "";
    const interval = params.get("interval") ?? "";
    for (const [name, value] of [["symbol", symbol], ["interval", interval]]) {
      if (value === "") {
        return error(
          400,
          -1102,
          `Mandatory parameter '${name}' was not sent, was empty/null, or malformed.`,
        );
      }
    }
    if (!this.#ctx.market.knows(symbol)) {
      return error(400, -1121, "Invalid symbol.");
    }
    if (!INTERVALS.has(interval)) return error(400, -1120, "Invalid interval.");
    if (!(Number.isInteger(limit) && limit >= 1 && limit <= KLINES_MAX_LIMIT)) {
      return error(400, -1130, "Data sent for parameter 'limit' is not valid.");
    }
    const times: number[] = [];
    for (const name of ["startTime", "endTime"]) {
      const text = params.get(name);
      if (text !== null && !/^[0-9]{1,20}$/.test(text)) {
        return error(
          400,
          -1100,
          `Illegal characters found in parameter '${name}'; legal range is '^[0-9]{1,20}$'.`,
        );
      }
      times.push(text === null ? Number.NaN : Number(text));
    }
    const series = this.#ctx.market.find(symbol, interval);
    if (series === undefined) return { status: 200, body: "[]" };
    const [start, end] = times as [number, number];
    const upper = Math.min(now, Number.isNaN(end) ? now : end);
    const stop = series.lowerBound(upper + 1);
    const first = Number.isNaN(start)
      ? Math.max(0, stop - limit)
      : series.lowerBound(start);
    const rows: string[] = [];
    for (let i = first; i < stop && rows.length < limit; i++) {
      rows.push(formatKlineRow(series.klineAt(i, now), series.decimals));
    }
    return { status: 200, body: `[${rows.join(",")}]` };
  }

  #exchangeInfo(now: number): string {
    const { market } = this.#ctx;
    const entry = (
      symbol: string,
      status: string,
      price: number,
      qty: number,
    ) => ({
      symbol,
      pair: symbol,
      contractType: "PERPETUAL",
      status,
      baseAsset: symbol.replace(/USDT$/, ""),
      quoteAsset: "USDT",
      marginAsset: "USDT",
      pricePrecision: price,
      quantityPrecision: qty,
      baseAssetPrecision: 8,
      quotePrecision: 8,
      filters: [
        {
          filterType: "PRICE_FILTER",
          minPrice: decimalText(price),
          maxPrice: "10000000",
          tickSize: decimalText(price),
        },
        {
          filterType: "LOT_SIZE",
          minQty: decimalText(qty),
          maxQty: "10000000",
          stepSize: decimalText(qty),
        },
      ],
    });
    const symbols = market.symbols.map((symbol) => {
      const all = market.series.filter((s) => s.symbol === symbol);
      return entry(
        symbol,
        "TRADING",
        Math.max(...all.map((s) => s.decimals.price)),
        Math.max(...all.map((s) => s.decimals.quantity)),
      );
    });
    for (const symbol of DELISTED_SYMBOLS) {
      if (!market.symbols.includes(symbol)) {
        symbols.push(entry(symbol, "SETTLING", 4, 0));
      }
    }
    return JSON.stringify({
      timezone: "UTC",
      serverTime: now,
      rateLimits: [{
        rateLimitType: "REQUEST_WEIGHT",
        interval: "MINUTE",
        intervalNum: 1,
        limit: DEFAULT_WEIGHT_LIMIT,
      }],
      exchangeFilters: [],
      symbols,
    });
  }
}
