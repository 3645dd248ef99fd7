/**
 * The fast path of the batch indicator for signal search: every preset over one series, fused
 * with the signal state machine, without materialising trigger columns.
 *
 * Work is shared across presets (ATR once, sparse tables of highs/lows once, the channel midpoint
 * once per distinct i1, SD once per distinct i2 and bar) and the standard deviation is evaluated
 * lazily: since SD·i3 ≥ 0, a bar whose high does not exceed MID·(1 + i5/100) + ATR·i4 cannot exceed
 * LT, and likewise for the short side, so SD is computed (and memoised per i2) only on bars that
 * get past that bound. Where it is needed it is computed exactly as in the full columns, and the
 * trigger expression is the same, so the decisions are identical to
 * `forEachPreset` + `scanSignals`; a test holds them equal on real data.
 *
 * @module
 */
import { atrSeries } from "./atr.ts";
import { windowStdev } from "./rolling.ts";
import {
  type SignalEvents,
  type SignalStats,
  startScan,
  stepScan,
} from "./signals.ts";
import { buildSparseTable } from "./sparse_extremes.ts";
import { checkIndicatorParams } from "./velas.ts";
import type { CandleColumns, IndicatorParams, Semantics } from "./types.ts";
import type { Workspace } from "./workspace.ts";

/** Options of {@link scanPresetSignals}. */
export interface PresetScanOptions {
  readonly presets: readonly IndicatorParams[];
  readonly semantics: Semantics;
  /** Buffers to reuse across series and runs. */
  readonly workspace: Workspace;
  /** Event buffers, refilled for each preset. */
  readonly events: SignalEvents;
  /** Filter verdict columns (0 = passed); omitted means every filter passes. */
  readonly longVerdict?: Uint8Array;
  readonly shortVerdict?: Uint8Array;
  /** Called once per preset, with its position in `presets`, right after its scan. */
  readonly onPreset: (
    position: number,
    stats: SignalStats,
    events: SignalEvents,
  ) => void;
}

/**
 * Scans every preset over one series and reports each preset's signals.
 *
 * @param candles The series.
 * @param options Presets, semantics, buffers and the per-preset callback.
 */
export function scanPresetSignals(
  candles: CandleColumns,
  options: PresetScanOptions,
): void {
  const {
    presets,
    semantics,
    workspace,
    events,
    longVerdict,
    shortVerdict,
    onPreset,
  } = options;
  const n = candles.close.length;
  let maxI1 = 1;
  for (const p of presets) {
    checkIndicatorParams(p, semantics);
    if (p.i1 > maxI1) maxI1 = p.i1;
  }
  const { high, low, close } = candles;
  const atr = atrSeries(candles, {
    semantics,
    out: workspace.floats("scan:atr", n),
  });
  const highs = buildSparseTable(high, {
    maxWindow: maxI1,
    max: true,
    workspace,
    key: "scan:hi",
  });
  const lows = buildSparseTable(low, {
    maxWindow: maxI1,
    max: false,
    workspace,
    key: "scan:lo",
  });
  const sdMemo = new Map<number, Float64Array>();
  const byI1 = new Map<number, number[]>();
  presets.forEach((p, position) => {
    if (!sdMemo.has(p.i2)) {
      sdMemo.set(p.i2, workspace.floats(`scan:sd:${p.i2}`, n).fill(NaN));
    }
    const group = byI1.get(p.i1);
    if (group === undefined) byI1.set(p.i1, [position]);
    else group.push(position);
  });
  const sample = semantics === "velas-py";
  const stdev = { end: 0, window: 0, sample };
  const mid = workspace.floats("scan:mid", n);
  for (const [i1, positions] of byI1) {
    const k = 31 - Math.clz32(i1);
    const hk = highs.levels[k]!;
    const lk = lows.levels[k]!;
    const offset = i1 - (1 << k);
    for (let t = i1 - 1; t < n; t++) {
      const a = hk[t]!;
      const b = hk[t - offset]!;
      const hc = a > b ? a : b;
      const c = lk[t]!;
      const d = lk[t - offset]!;
      const lc = c < d ? c : d;
      mid[t] = hc - 0.5 * (hc - lc);
    }
    for (const position of positions) {
      const p = presets[position]!;
      const sd = sdMemo.get(p.i2)!;
      const up = 1 + p.i5 / 100;
      const down = 1 - p.i5 / 100;
      const i3 = p.i3;
      const i4 = p.i4;
      stdev.window = p.i2;
      const state = startScan(events);
      const inputs = state.inputs;
      for (let t = Math.max(i1, p.i2, 14) - 1; t < n; t++) {
        const m = mid[t]!;
        const atrPart = atr[t]! * i4;
        const baseLong = m * up + atrPart;
        const baseShort = m * down - atrPart;
        const h = high[t]!;
        const l = low[t]!;
        if (!(h > baseLong) && !(l < baseShort)) continue;
        let s = sd[t]!;
        if (s !== s) {
          stdev.end = t;
          s = windowStdev(close, stdev);
          sd[t] = s;
        }
        const sdPart = s * i3;
        const rawLong = h > baseLong + sdPart;
        const rawShort = l < baseShort - sdPart;
        if (!rawLong && !rawShort) continue;
        inputs.rawLong = rawLong;
        inputs.rawShort = rawShort;
        inputs.longVerdict = longVerdict === undefined ? 0 : longVerdict[t]!;
        inputs.shortVerdict = shortVerdict === undefined ? 0 : shortVerdict[t]!;
        state.bar = t;
        stepScan(state);
      }
      onPreset(position, state.stats, events);
    }
  }
}
