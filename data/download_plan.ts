/**
 * What the `download` command fetches: the requested symbols checked against the exchange info
 * (unknown and delisted symbols refused, MATICUSDT pointing to POLUSDT), the window of open
 * times, and per series the ranges the store lacks.
 *
 * Window: open times from `--from` (or `--months` before the server time) up to `--to` (a
 * date's 00:00 UTC, exclusive) and never past the still-forming candle. A series without a
 * store file gets the whole window. A series with a file gets every candle it lacks from the
 * earlier of its first candle and the window start: the holes inside, the candles after its
 * last one and, when the window starts earlier, the history before it. With `--update` a stored
 * series is never extended backwards: only its holes and what follows its last candle.
 *
 * @module
 */
import { timeframeMs } from "../core/types.ts";
import {
  type CandleGap,
  findGaps,
  lowerBound,
  missingRanges,
} from "../core/gaps.ts";
import type { ExchangeInfo } from "./binance_rest.ts";
import type { CandleSeriesIndex } from "./candle_gaps.ts";
import { messageOf } from "./candle_gaps.ts";

/** Delisted symbols and the symbol that continues them. */
export const SYMBOL_SUCCESSORS: Readonly<Record<string, string>> = {
  MATICUSDT: "POLUSDT",
};

/**
 * The same UTC day and time `months` calendar months earlier (the day clamped to the month).
 *
 * @param time Epoch ms.
 * @param months Months back.
 * @returns Epoch ms.
 */
export function monthsBefore(time: number, months: number): number {
  const d = new Date(time);
  const year = d.getUTCFullYear();
  const month = d.getUTCMonth() - months;
  const last = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return Date.UTC(
    year,
    month,
    Math.min(d.getUTCDate(), last),
  ) + (time % 86_400_000 + 86_400_000) % 86_400_000;
}

/** A symbol the exchange info refuses, with the line to print. */
export interface RefusedSymbol {
  readonly symbol: string;
  /** Short reason for the table. */
  readonly status: string;
  /** One-line explanation. */
  readonly message: string;
}

/**
 * Splits the requested symbols into those trading on the exchange and the refused ones.
 *
 * @param symbols Requested symbols.
 * @param info The exchange info.
 * @returns Accepted symbols (in request order) and the refused ones with their messages.
 */
export function checkSymbols(
  symbols: readonly string[],
  info: ExchangeInfo,
): { accepted: string[]; refused: RefusedSymbol[] } {
  const listed = new Map(info.symbols.map((s) => [s.symbol, s.status]));
  const accepted: string[] = [];
  const refused: RefusedSymbol[] = [];
  for (const symbol of symbols) {
    const status = listed.get(symbol);
    const successor = SYMBOL_SUCCESSORS[symbol];
    if (status === "TRADING") accepted.push(symbol);
    else if (status === undefined && successor === undefined) {
      refused.push({
        symbol,
        status: "unknown symbol",
        message:
          `Cannot download '${symbol}' as it is not a Binance USDT-M futures symbol`,
      });
    } else {
      const state = status === undefined ? "not listed" : `status ${status}`;
      refused.push({
        symbol,
        status: successor ? `delisted: use ${successor}` : "not trading",
        message: successor
          ? `Cannot download '${symbol}' as it is delisted from Binance USDT-M futures (${state}): it continues as ${successor}, download ${successor} instead`
          : `Cannot download '${symbol}' as it is not trading on Binance USDT-M futures (${state})`,
      });
    }
  }
  return { accepted, refused };
}

/** The requested window of open times. */
export interface DownloadWindow {
  /** First open time wanted (inclusive), epoch ms. */
  readonly from: number;
  /** End (exclusive): `--to`, capped at the forming candle of each series. */
  readonly to: number;
  /** Server time, epoch ms. */
  readonly now: number;
  /** Whether stored series must not be extended backwards. */
  readonly update: boolean;
}

/**
 * The window of a request at a server time.
 *
 * @param request `from` or `months`, `to` and `update` of the request.
 * @param now Server time, epoch ms.
 * @returns The window.
 * @throws {RangeError} When the window holds no closed candle time.
 */
export function downloadWindow(
  request: {
    readonly from: number | undefined;
    readonly months: number;
    readonly to: number;
    readonly update: boolean;
  },
  now: number,
): DownloadWindow {
  const from = request.from ?? monthsBefore(now, request.months);
  const stamp = (time: number) =>
    new Date(time).toISOString().slice(0, 16).replace("T", " ");
  if (request.from !== undefined && from >= now) {
    throw new RangeError(
      `Cannot download as '--from' must be before now (${
        stamp(now)
      } UTC): current value is ${stamp(from).slice(0, 10)}`,
    );
  }
  if (from >= request.to) {
    throw new RangeError(
      `Cannot download as '--to' must be after the window start (${
        stamp(from)
      } UTC, ${request.months} months before now): current value is ${
        stamp(request.to).slice(0, 10)
      }`,
    );
  }
  return { from, to: request.to, now, update: request.update };
}

/** What one series needs. */
export type SeriesPlan =
  | {
    readonly kind: "fetch";
    readonly symbol: string;
    readonly timeframe: string;
    /** Ranges to fetch, oldest first. */
    readonly ranges: readonly CandleGap[];
    /** Candles in the ranges. */
    readonly missing: number;
    /** Rows stored before the download. */
    readonly rows: number;
    /** Holes of the stored series before the download. */
    readonly holes: readonly CandleGap[];
  }
  | {
    readonly kind: "error";
    readonly symbol: string;
    readonly timeframe: string;
    /** Why the stored series cannot be read. */
    readonly message: string;
  };

/**
 * Plans one series against the store (see the module doc for the rule).
 *
 * @param store The store's index.
 * @param series Symbol, timeframe and the window.
 * @returns The ranges to fetch, or why the stored file cannot be used.
 */
export function planSeries(
  store: CandleSeriesIndex,
  series: {
    readonly symbol: string;
    readonly timeframe: string;
    readonly window: DownloadWindow;
  },
): SeriesPlan {
  const { symbol, timeframe, window } = series;
  const step = timeframeMs(timeframe);
  let times: Float64Array | undefined;
  try {
    times = store.openTimes(symbol, timeframe);
  } catch (error) {
    return { kind: "error", symbol, timeframe, message: messageOf(error) };
  }
  const stored = times ?? new Float64Array(0);
  const first = stored[0];
  const end = Math.min(window.to, Math.floor(window.now / step) * step);
  const start = first === undefined
    ? window.from
    : window.update
    ? first
    : Math.min(first, window.from);
  const ranges = start < end
    ? missingRanges(stored, step, { from: start, to: end })
    : [];
  return {
    kind: "fetch",
    symbol,
    timeframe,
    ranges,
    missing: ranges.reduce((sum, r) => sum + r.missing, 0),
    rows: stored.length,
    holes: findGaps(stored, step),
  };
}

/**
 * Counts the holes of a series that are now filled.
 *
 * @param holes Holes before the download.
 * @param openTimes Open times after it, ascending.
 * @returns How many of the holes hold every candle now.
 */
export function holesFilled(
  holes: readonly CandleGap[],
  openTimes: Float64Array,
): number {
  let filled = 0;
  for (const hole of holes) {
    const lo = lowerBound(openTimes, hole.fromOpenTime);
    if (
      openTimes[lo] === hole.fromOpenTime &&
      openTimes[lo + hole.missing - 1] === hole.toOpenTime
    ) filled++;
  }
  return filled;
}
