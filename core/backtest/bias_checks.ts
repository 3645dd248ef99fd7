/**
 * Bias checks of the signal pipeline.
 *
 * - Look-ahead: signals computed on data cut at a bar must equal the signals of the whole series
 *   before that bar. Any difference means a value used the future; the first one is reported.
 * - Warm-up: how many bars after the first candle the triggers need before they no longer depend
 *   on where the data starts (ATR seeding, window fill). Measured by starting the series later and
 *   comparing the triggers with those of the full series.
 *
 * @module
 */
import { signalEvents, SignalOutcome } from "../signals.ts";
import {
  type CandleColumns,
  type IndicatorParams,
  type Semantics,
  sliceCandles,
} from "../types.ts";
import { velasIndicator } from "../velas.ts";
import { scanPresetSignals } from "../velas_scan.ts";
import { Workspace } from "../workspace.ts";

/** First difference found by {@link checkLookahead}. */
export interface LookaheadDifference {
  /** Position of the preset in the list. */
  readonly preset: number;
  /** Number of bars kept in the cut run. */
  readonly cut: number;
  /** Bar index of the first differing signal. */
  readonly bar: number;
  readonly full: string;
  readonly cutRun: string;
}

/** Outcome of {@link checkLookahead}. */
export type LookaheadResult =
  | {
    readonly ok: true;
    readonly presets: number;
    readonly cuts: number;
    readonly signals: number;
  }
  | { readonly ok: false; readonly difference: LookaheadDifference };

function describe(outcome: number | undefined): string {
  if (outcome === undefined) return "no signal";
  return outcome === SignalOutcome.Long
    ? "LONG"
    : outcome === SignalOutcome.Short
    ? "SHORT"
    : "filtered";
}

/** Signals of every preset over a series: bar indices and outcome codes, in bar order. */
export type PresetSignals = { bars: Int32Array; outcomes: Uint8Array }[];

function signalsOf(
  candles: CandleColumns,
  options: {
    presets: readonly IndicatorParams[];
    semantics: Semantics;
    workspace: Workspace;
  },
): PresetSignals {
  const out: PresetSignals = [];
  const events = signalEvents(candles.close.length);
  scanPresetSignals(candles, {
    ...options,
    events,
    onPreset(position, _stats, found) {
      out[position] = {
        bars: found.bar.slice(0, found.count),
        outcomes: found.outcome.slice(0, found.count),
      };
    },
  });
  return out;
}

/**
 * Runs every preset on the whole series and on the series cut at each of `cuts` points, and
 * compares the signals before each cut.
 *
 * @param candles The series.
 * @param options Presets, semantics, the number of cut points (spread evenly, at least 2) and
 *   optionally the pipeline to check (default: the fused preset scan).
 * @returns `ok` with counts, or the first difference.
 */
export function checkLookahead(
  candles: CandleColumns,
  options: {
    readonly presets: readonly IndicatorParams[];
    readonly semantics: Semantics;
    readonly cuts: number;
    /** The pipeline under test; the fused preset scan when omitted. */
    readonly scan?: (candles: CandleColumns) => PresetSignals;
  },
): LookaheadResult {
  const n = candles.close.length;
  const workspace = new Workspace();
  const scan = options.scan ??
    ((c: CandleColumns) => signalsOf(c, { ...options, workspace }));
  const full = scan(candles);
  const cuts = Math.max(2, options.cuts);
  let signals = 0;
  for (const s of full) signals += s.bars.length;
  for (let k = 1; k <= cuts; k++) {
    const cut = Math.floor((n * k) / (cuts + 1));
    const partial = scan(sliceCandles(candles, { start: 0, end: cut }));
    for (let p = 0; p < full.length; p++) {
      const a = full[p]!;
      const b = partial[p]!;
      let i = 0;
      while (i < a.bars.length && a.bars[i]! < cut) {
        if (b.bars[i] !== a.bars[i] || b.outcomes[i] !== a.outcomes[i]) {
          const bar = Math.min(a.bars[i]!, b.bars[i] ?? Infinity);
          return {
            ok: false,
            difference: {
              preset: p,
              cut,
              bar,
              full: `${describe(a.outcomes[i])} at bar ${a.bars[i]}`,
              cutRun: b.bars[i] === undefined
                ? "no signal"
                : `${describe(b.outcomes[i])} at bar ${b.bars[i]}`,
            },
          };
        }
        i++;
      }
      if (b.bars.length !== i) {
        return {
          ok: false,
          difference: {
            preset: p,
            cut,
            bar: b.bars[i]!,
            full: "no signal",
            cutRun: `${describe(b.outcomes[i])} at bar ${b.bars[i]}`,
          },
        };
      }
    }
  }
  return { ok: true, presets: full.length, cuts, signals };
}

/**
 * Bars of history one preset needs before its triggers no longer depend on where the data starts:
 * the series is started `offset` bars later and its triggers are compared with the full series'
 * at the same bars; the answer is the first bar (counted from the late start) from which every
 * trigger agrees within `tolerance` relative for the rest of the comparison.
 *
 * @param candles The series (at least `offset` + the answer bars long).
 * @param options Preset, semantics, the late start `offset` and the relative `tolerance`.
 * @returns Bars needed after the start, or undefined when they never agree in the data given.
 */
export function warmupBars(
  candles: CandleColumns,
  options: {
    readonly params: IndicatorParams;
    readonly semantics: Semantics;
    readonly offset: number;
    readonly tolerance: number;
  },
): number | undefined {
  const { params, semantics, offset, tolerance } = options;
  const n = candles.close.length;
  const full = velasIndicator(candles, { params, semantics });
  const late = velasIndicator(
    sliceCandles(candles, { start: offset, end: n }),
    {
      params,
      semantics,
    },
  );
  let settled: number | undefined;
  for (let t = 0; t < n - offset; t++) {
    const pairs = [
      [full.longTrigger[t + offset]!, late.longTrigger[t]!],
      [full.shortTrigger[t + offset]!, late.shortTrigger[t]!],
    ];
    let agrees = true;
    for (const [a, b] of pairs) {
      if (Number.isNaN(a!) || Number.isNaN(b!)) agrees = false;
      else if (
        Math.abs(a! - b!) > tolerance * Math.max(Math.abs(a!), Math.abs(b!))
      ) agrees = false;
    }
    if (agrees) settled ??= t;
    else settled = undefined;
  }
  return settled;
}
