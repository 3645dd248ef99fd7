/**
 * Inputs of a backtest: the candle series (from a directory of `SYMBOL-TF.csv|csv.gz|parquet`
 * files, or a candle store laid out as `SYMBOL/TF.parquet`), cut to a time range, and the preset
 * of every series and regime (preset files, one indicator preset for all, or the generated
 * defaults).
 *
 * @module
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { Config } from "../core/config.ts";
import type { LadderSpec } from "../core/ladder.ts";
import { type PresetFile, presetId, tpList } from "../core/preset.ts";
import {
  type CandleColumns,
  type IndicatorParams,
  REGIMES,
  timeframeMs,
} from "../core/types.ts";
import { generateDefaultPresets } from "../presets/generate.ts";
import { indicatorPreset } from "../presets/indicator_presets.ts";
import { loadPresetDir, presetContentHash } from "../presets/preset_store.ts";
import { CandleDataError, loadCandles } from "./candle_loader.ts";

/**
 * A comma-separated option as a list (`--symbols A, B` → `["A", "B"]`).
 *
 * @param text The option's value, or undefined when absent.
 * @returns The trimmed non-empty items, or undefined.
 */
export function commaList(text: string | undefined): string[] | undefined {
  return text?.split(",").map((s) => s.trim()).filter((s) => s !== "");
}

/** One loaded series. */
export interface LoadedSeries {
  readonly symbol: string;
  readonly timeframe: string;
  readonly file: string;
  readonly candles: CandleColumns;
  /** Holes in the time index (missing candles), reported, not filled. */
  readonly gaps: number;
}

const FILE = /^([A-Z0-9]+)-(\d+[mhd])\.(csv|csv\.gz|parquet)$/;

/**
 * Finds the file of one series in a directory of `SYMBOL-TF.*` files or a `SYMBOL/TF.parquet` store.
 *
 * @param dir The data directory.
 * @param series Symbol and timeframe.
 * @returns The path, or undefined when there is none.
 */
export function findSeriesFile(
  dir: string,
  series: { readonly symbol: string; readonly timeframe: string },
): string | undefined {
  const stored = join(dir, series.symbol, `${series.timeframe}.parquet`);
  if (existsSync(stored)) return stored;
  for (const ext of ["parquet", "csv.gz", "csv"]) {
    const path = join(dir, `${series.symbol}-${series.timeframe}.${ext}`);
    if (existsSync(path)) return path;
  }
  return undefined;
}

/**
 * Lists the symbols that have data in a directory (either layout).
 *
 * @param dir The data directory.
 * @returns Sorted symbols.
 */
export function symbolsIn(dir: string): string[] {
  const symbols = new Set<string>();
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const match = FILE.exec(entry.name);
    if (match) symbols.add(match[1]!);
    else if (entry.isDirectory() && /^[A-Z0-9]+$/.test(entry.name)) {
      symbols.add(entry.name);
    }
  }
  return [...symbols].sort();
}

function countGaps(times: Float64Array, step: number): number {
  let gaps = 0;
  for (let t = 1; t < times.length; t++) {
    if (times[t]! - times[t - 1]! !== step) gaps++;
  }
  return gaps;
}

/**
 * Loads every requested series whole (the range is applied later, so that bars before it can warm
 * the indicator up).
 *
 * @param dir The data directory.
 * @param request Symbols and timeframes; `required` makes a missing series an error, otherwise it
 *   is listed in `missing`.
 * @returns The series in symbol × timeframe order and the missing `SYMBOL tf` pairs.
 * @throws {CandleDataError} When the directory does not exist, a requested symbol has no data at
 *   all (when required), or (when required) a series file is missing.
 */
export function loadSeriesSet(
  dir: string,
  request: {
    readonly symbols: readonly string[];
    readonly timeframes: readonly string[];
    readonly required: boolean;
    /** Called before each file is loaded. */
    readonly onFile?: (file: string) => void;
  },
): { series: LoadedSeries[]; missing: string[] } {
  if (!existsSync(dir)) {
    throw new CandleDataError(
      `Cannot load candles from '${dir}' as the directory does not exist`,
      {
        file: dir,
      },
    );
  }
  const known = new Set(symbolsIn(dir));
  const unknown = request.symbols.filter((s) => !known.has(s));
  if (unknown.length > 0 && request.required) {
    throw new CandleDataError(
      `Cannot load candles from '${dir}' as it has no data for ${
        unknown.join(", ")
      }: symbols there are ${[...known].join(", ") || "none"}`,
      { file: dir },
    );
  }
  const series: LoadedSeries[] = [];
  const missing: string[] = [];
  for (const symbol of request.symbols) {
    for (const timeframe of request.timeframes) {
      const file = findSeriesFile(dir, { symbol, timeframe });
      if (file === undefined) {
        if (request.required) {
          throw new CandleDataError(
            `Cannot load candles from '${dir}' as it has no ${timeframe} file for ${symbol} (looked for ${symbol}-${timeframe}.csv.gz, .csv, .parquet and ${symbol}/${timeframe}.parquet)`,
            { file: dir },
          );
        }
        missing.push(`${symbol} ${timeframe}`);
        continue;
      }
      request.onFile?.(file);
      const candles = loadCandles(file, { timeframe });
      series.push({
        symbol,
        timeframe,
        file,
        candles,
        gaps: countGaps(candles.openTime, timeframeMs(timeframe)),
      });
    }
  }
  return { series, missing };
}

/** Presets of one series: indicator, ladder and content hash per regime (low, normal, high). */
export interface SeriesPresets {
  readonly indicators: readonly [
    IndicatorParams,
    IndicatorParams,
    IndicatorParams,
  ];
  readonly ladders: readonly [LadderSpec, LadderSpec, LadderSpec];
  readonly hashes: readonly [string, string, string];
  /** `is_active` per regime; an inactive regime's signals are refused. */
  readonly active: readonly [boolean, boolean, boolean];
  /** The preset files per regime (low, normal, high), for the status page. */
  readonly files: readonly [PresetFile, PresetFile, PresetFile];
}

/**
 * The ladder a preset file trades with: its TP levels, stop and shares, with the config's stop
 * mode.
 *
 * @param preset The preset file.
 * @param config The resolved config.
 * @returns The ladder.
 */
export function ladderOf(preset: PresetFile, config: Config): LadderSpec {
  return {
    tpPercents: tpList(preset.tp_levels),
    slPercent: preset.sl_percent,
    shares: tpList(preset.tp_distribution),
    stopMode: config.ladder.stop_mode,
    breakevenAfterTp: config.ladder.breakeven_after_tp,
  };
}

function triple<T>(make: (regimeIndex: number) => T): [T, T, T] {
  return [make(0), make(1), make(2)];
}

/**
 * The default preset files (sector indicator, config ladder per regime) of some series.
 *
 * @param series Symbols and timeframes.
 * @param config The resolved config.
 * @param generatedAt ISO time written into the files.
 * @returns Three presets per series (low, normal, high).
 */
export function defaultPresetsFor(
  series: readonly { readonly symbol: string; readonly timeframe: string }[],
  config: Config,
  generatedAt: string,
): PresetFile[] {
  return generateDefaultPresets({
    pairs: [...new Set(series.map((s) => s.symbol))],
    sectors: config.sectors,
    timeframes: [...new Set(series.map((s) => s.timeframe))],
    ladder: config.ladder,
    regimes: config.regimes,
    generatedAt,
  });
}

/** Where the presets come from. */
export type PresetSource =
  | { readonly kind: "index"; readonly index: number }
  | { readonly kind: "dir"; readonly dir: string }
  | { readonly kind: "defaults" };

/**
 * Resolves the presets of every series.
 *
 * @param series The series (symbol and timeframe).
 * @param options The preset source, the config and the time stamp for generated presets.
 * @returns Presets per series key `SYMBOL:tf`.
 * @throws {TypeError} When a preset directory lacks a series' file or holds a broken file.
 */
export async function resolvePresets(
  series: readonly { readonly symbol: string; readonly timeframe: string }[],
  options: {
    readonly source: PresetSource;
    readonly config: Config;
    readonly generatedAt: string;
  },
): Promise<Map<string, SeriesPresets>> {
  const { source, config } = options;
  const defaults = defaultPresetsFor(series, config, options.generatedAt);
  const byId = new Map<string, PresetFile>(
    defaults.map((p) => [presetId(p), p]),
  );
  if (source.kind === "dir") {
    const loaded = await loadPresetDir(source.dir);
    if (loaded.failed.length > 0) {
      const first = loaded.failed[0]!;
      throw new TypeError(
        `Cannot use presets from '${source.dir}' as ${first.error.message}`,
      );
    }
    const fromDir = new Map(loaded.presets.map((p) => [p.id, p.preset]));
    const missing = [...byId.keys()].filter((id) => !fromDir.has(id));
    if (missing.length > 0) {
      throw new TypeError(
        `Cannot use presets from '${source.dir}' as it lacks ${missing.length} file(s): ${
          missing.slice(0, 5).map((id) => `${id}.yaml`).join(", ")
        }${
          missing.length > 5 ? ", …" : ""
        } (write them with: deno task presets --output ${source.dir})`,
      );
    }
    for (const id of byId.keys()) byId.set(id, fromDir.get(id)!);
  }
  const out = new Map<string, SeriesPresets>();
  for (const { symbol, timeframe } of series) {
    const files = triple((r) => {
      const preset = byId.get(`${symbol}_${timeframe}_${REGIMES[r]}`)!;
      return source.kind === "index"
        ? { ...preset, indicator: { ...indicatorPreset(source.index) } }
        : preset;
    });
    out.set(`${symbol}:${timeframe}`, {
      indicators: triple((r) => {
        const { i1, i2, i3, i4, i5 } = files[r]!.indicator;
        return { i1, i2, i3, i4, i5 };
      }),
      ladders: triple((r) => ladderOf(files[r]!, config)),
      hashes: triple((r) => presetContentHash(files[r]!)),
      active: triple((r) => files[r]!.is_active),
      files,
    });
  }
  return out;
}
