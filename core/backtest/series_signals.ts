/**
 * The signals of one series as the live daemon would emit them: ATR, the regime of every bar,
 * the regime's preset choosing the triggers of that bar (the live rule), the filters, and one
 * signal state machine running across regime changes. The machine runs from the first bar, so its
 * state at `start` is what a daemon running all along would have; signals before `start` (the
 * warm-up) are dropped. The counters cover the whole series.
 *
 * @module
 */
import { atrSeries } from "../atr.ts";
import { type FilterSettings, filterVerdicts } from "../filters.ts";
import { regimeSeries, type RegimeSettings } from "../regime.ts";
import {
  scanSignals,
  signalEvents,
  SignalOutcome,
  type SignalStats,
} from "../signals.ts";
import type { CandleColumns, IndicatorParams, Semantics } from "../types.ts";
import { velasIndicator } from "../velas.ts";

/** Options of {@link seriesSignals}. */
export interface SeriesSignalOptions {
  readonly semantics: Semantics;
  /** Indicator preset per regime: low, normal, high. */
  readonly presets: readonly [
    IndicatorParams,
    IndicatorParams,
    IndicatorParams,
  ];
  readonly regime: RegimeSettings;
  readonly filters: FilterSettings;
  /** First bar whose signals count (bars before only warm the indicator and the machine up). */
  readonly start: number;
}

/** A raw signal refused by a filter. */
export interface FilteredSignal {
  readonly bar: number;
  readonly side: 1 | -1;
  /** Filter reason code (see `FILTER_REASONS`). */
  readonly reason: number;
}

/** Per-bar results for one series. */
export interface SeriesSignals {
  /** Emitted signal per bar: 1 LONG, −1 SHORT, 0 none. */
  readonly signal: Int8Array;
  /** Regime code per bar (0 low, 1 normal, 2 high). */
  readonly regime: Uint8Array;
  readonly atr: Float64Array;
  readonly filtered: readonly FilteredSignal[];
  readonly stats: SignalStats;
}

function anyFilter(filters: FilterSettings): boolean {
  return filters.volume.enabled || filters.rsi.enabled || filters.adx.enabled ||
    filters.session.enabled;
}

/**
 * Computes the signals of one series.
 *
 * @param candles The series.
 * @param options Semantics, presets per regime, regime settings, filters and the warm-up start.
 * @returns Signals, regimes, ATR, filtered signals and counters.
 */
export function seriesSignals(
  candles: CandleColumns,
  options: SeriesSignalOptions,
): SeriesSignals {
  const n = candles.close.length;
  const atr = atrSeries(candles, { semantics: options.semantics });
  const regime = regimeSeries(atr, options.regime).codes;
  const byKey = new Map<string, { lt: Float64Array; st: Float64Array }>();
  const triggers = options.presets.map((params) => {
    const key =
      `${params.i1}/${params.i2}/${params.i3}/${params.i4}/${params.i5}`;
    let found = byKey.get(key);
    if (found === undefined) {
      const columns = velasIndicator(candles, {
        params,
        semantics: options.semantics,
      });
      found = { lt: columns.longTrigger, st: columns.shortTrigger };
      byKey.set(key, found);
    }
    return found;
  });
  let longTrigger = triggers[1]!.lt;
  let shortTrigger = triggers[1]!.st;
  if (byKey.size > 1) {
    longTrigger = new Float64Array(n);
    shortTrigger = new Float64Array(n);
    for (let t = 0; t < n; t++) {
      const chosen = triggers[regime[t]!]!;
      longTrigger[t] = chosen.lt[t]!;
      shortTrigger[t] = chosen.st[t]!;
    }
  }
  const verdicts = anyFilter(options.filters)
    ? filterVerdicts(candles, atr, options.filters)
    : undefined;
  const events = signalEvents(n);
  const stats = scanSignals({
    high: candles.high,
    low: candles.low,
    longTrigger,
    shortTrigger,
    ...(verdicts === undefined
      ? {}
      : { longVerdict: verdicts.long, shortVerdict: verdicts.short }),
  }, { events });
  const signal = new Int8Array(n);
  const filtered: FilteredSignal[] = [];
  for (let k = 0; k < events.count; k++) {
    const bar = events.bar[k]!;
    if (bar < options.start) continue;
    const outcome = events.outcome[k]!;
    if (outcome === SignalOutcome.Long) signal[bar] = 1;
    else if (outcome === SignalOutcome.Short) signal[bar] = -1;
    else {
      filtered.push({
        bar,
        side: outcome === SignalOutcome.LongFiltered ? 1 : -1,
        reason: events.reason[k]!,
      });
    }
  }
  return { signal, regime, atr, filtered, stats };
}
