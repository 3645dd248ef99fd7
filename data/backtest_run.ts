/**
 * Plans and runs one backtest from loaded series: applies the range and alignment (bars before the
 * trading range warm the indicator up), computes each series' signals with its per-regime
 * presets, builds the correlation lookup from 1h closes, and runs the engine.
 *
 * @module
 */
import type { Config } from "../core/config.ts";
import {
  costModelOf,
  filterSettingsOf,
  portfolioLimitsOf,
  regimeSettingsOf,
} from "../core/config_views.ts";
import { ZERO_COSTS } from "../core/costs.ts";
import { returnsCorrelation } from "../core/correlation.ts";
import {
  type EngineOptions,
  type EngineSeries,
  runBacktest,
} from "../core/backtest/engine.ts";
import type { BacktestResult } from "../core/backtest/records.ts";
import { seriesSignals } from "../core/backtest/series_signals.ts";
import type { SameBarRule } from "../core/ladder.ts";
import { sectorOf } from "../core/portfolio.ts";
import {
  type CandleColumns,
  type Semantics,
  sliceCandles,
  timeframeMs,
} from "../core/types.ts";
import type { LoadedSeries, SeriesPresets } from "./backtest_inputs.ts";

/** What the user chose. */
export interface RunChoices {
  readonly mode: "portfolio" | "independent";
  readonly rule: SameBarRule;
  readonly entry: "close" | "next-open";
  readonly semantics: Semantics;
  readonly costs: boolean;
  /** Trading range [from, to) in epoch ms (open times). */
  readonly from: number;
  readonly to: number;
  /** `intersect`: every series trades over the common range; `asis`: each over its own. */
  readonly align: "intersect" | "asis";
  readonly warmupBars: number;
}

/** One series as planned: where trading starts and ends in its candles. */
export interface PlannedSeries {
  readonly loaded: LoadedSeries;
  /** First traded bar index. */
  readonly first: number;
  /** One past the last traded bar index. */
  readonly end: number;
}

function indexAtOrAfter(times: Float64Array, time: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (times[mid]! < time) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Decides the traded bars of every series.
 *
 * @param series The loaded series.
 * @param choices Range, alignment and warm-up.
 * @returns The plan, and the common range when aligned.
 * @throws {RangeError} When a series has no bar to trade in the range.
 */
export function planSeries(
  series: readonly LoadedSeries[],
  choices: RunChoices,
): { planned: PlannedSeries[]; from: number; to: number } {
  let from = choices.from;
  let to = choices.to;
  const warmStart = (s: LoadedSeries) =>
    s.candles
      .openTime[Math.min(choices.warmupBars, s.candles.openTime.length - 1)]!;
  if (choices.align === "intersect") {
    for (const s of series) {
      const times = s.candles.openTime;
      from = Math.max(from, warmStart(s));
      to = Math.min(to, times[times.length - 1]! + timeframeMs(s.timeframe));
    }
  }
  const planned = series.map((loaded) => {
    const times = loaded.candles.openTime;
    const first = Math.max(
      indexAtOrAfter(times, from),
      Math.min(choices.warmupBars, times.length),
    );
    const end = indexAtOrAfter(times, to);
    if (end <= first) {
      throw new RangeError(
        `Cannot backtest ${loaded.symbol} ${loaded.timeframe} as the range has no candle to trade after the ${choices.warmupBars}-bar warm-up: data ${
          new Date(times[0]!).toISOString()
        } .. ${new Date(times[times.length - 1]!).toISOString()}`,
      );
    }
    return { loaded, first, end };
  });
  return { planned, from, to };
}

/**
 * The engine's options from the config and the run's choices: what the backtest and the live
 * daemon's portfolio both trade with.
 *
 * @param config The resolved config.
 * @param choices Mode, costs on or off, same-bar rule and entry.
 * @param hourly 1h closes per symbol for the correlation limit.
 * @returns The options.
 */
export function engineOptionsOf(
  config: Config,
  choices: Pick<RunChoices, "mode" | "costs" | "rule" | "entry">,
  hourly: HourlyCloses,
): EngineOptions {
  const portfolio = config.portfolio;
  return {
    mode: choices.mode,
    initialBalance: portfolio.initial_balance,
    limits: portfolioLimitsOf(config),
    sizing: {
      riskPercent: portfolio.risk_percent,
      maxNotionalPercent: portfolio.max_notional_percent,
      minNotional: portfolio.min_notional,
      leverage: portfolio.leverage,
    },
    costs: choices.costs ? costModelOf(config) : ZERO_COSTS,
    rule: choices.rule,
    gapFills: config.ladder.gap_fills,
    entry: choices.entry,
    correlation: correlationLookup(hourly, portfolio.correlation_days),
  };
}

/** Hourly closes per symbol for the correlation limit. */
export type HourlyCloses = ReadonlyMap<
  string,
  { readonly times: Float64Array; readonly closes: Float64Array }
>;

/**
 * Builds the engine's correlation lookup: Pearson of 1h close-to-close returns over the configured
 * days, using only candles closed by the signal time; undefined without data.
 *
 * @param hourly 1h closes per symbol.
 * @param days Window length in days.
 * @returns The lookup.
 */
export function correlationLookup(
  hourly: HourlyCloses,
  days: number,
): (a: string, b: string, time: number) => number | undefined {
  return (a, b, time) => {
    const x = hourly.get(a);
    const y = hourly.get(b);
    if (x === undefined || y === undefined) return undefined;
    return returnsCorrelation({
      timesA: x.times,
      closesA: x.closes,
      timesB: y.times,
      closesB: y.closes,
      endTime: time - 3_600_000,
      days,
    });
  };
}

function detailFor(
  loaded: LoadedSeries,
  detail:
    | ReadonlyMap<
      string,
      { readonly candles: CandleColumns; readonly timeframeMs: number }
    >
    | undefined,
): { detail?: { candles: CandleColumns; timeframeMs: number } } {
  const found = detail?.get(loaded.symbol);
  return found !== undefined &&
      found.timeframeMs < timeframeMs(loaded.timeframe)
    ? { detail: { candles: found.candles, timeframeMs: found.timeframeMs } }
    : {};
}

/**
 * Computes signals and runs the engine.
 *
 * @param planned The planned series.
 * @param context Presets per series key, the config, the user's choices and 1h closes.
 * @returns The engine's results (one per series in independent mode) and per-series signal stats.
 */
export function runPlanned(
  planned: readonly PlannedSeries[],
  context: {
    readonly presets: ReadonlyMap<string, SeriesPresets>;
    readonly config: Config;
    readonly choices: RunChoices;
    readonly hourly: HourlyCloses;
    /** Leave positions open when the data ends (default: close them, "end-of-data"). */
    readonly keepOpenAtEnd?: boolean;
    /** Finer candles per symbol for `--detail-timeframe`. */
    readonly detail?: ReadonlyMap<
      string,
      { readonly candles: CandleColumns; readonly timeframeMs: number }
    >;
  },
): {
  results: BacktestResult[];
  series: EngineSeries[];
  filtered: number[];
  ambiguous: number[];
} {
  const { presets, config, choices } = context;
  const filtered: number[] = [];
  const ambiguous: number[] = [];
  const series = planned.map(({ loaded, first, end }) => {
    const p = presets.get(`${loaded.symbol}:${loaded.timeframe}`)!;
    const signals = seriesSignals(loaded.candles, {
      semantics: choices.semantics,
      presets: p.indicators,
      regime: regimeSettingsOf(config),
      filters: filterSettingsOf(config),
      start: first,
    });
    filtered.push(signals.filtered.length);
    ambiguous.push(signals.stats.ambiguous);
    return {
      symbol: loaded.symbol,
      timeframe: loaded.timeframe,
      timeframeMs: timeframeMs(loaded.timeframe),
      sector: sectorOf(loaded.symbol, config.sectors),
      candles: sliceCandles(loaded.candles, { start: first, end }),
      signal: signals.signal.subarray(first, end),
      regime: signals.regime.subarray(first, end),
      ladders: p.ladders,
      presetHashes: p.hashes,
      active: p.active,
      ...detailFor(loaded, context.detail),
    };
  });
  const options = engineOptionsOf(config, choices, context.hourly);
  return {
    results: runBacktest(series, options, {
      closeAtEnd: !(context.keepOpenAtEnd ?? false),
    }),
    series,
    filtered,
    ambiguous,
  };
}
