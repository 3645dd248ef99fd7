// deno-lint-ignore-file no-console
/**
 * Benchmarks: `deno task bench <name> [options]`. Figures go to stdout; nothing is asserted.
 *
 * - `indicator`: all 60 presets, batch indicator + signal state machine over every futures file
 *   of `../shared/data/binance` (or `--data DIR`); reports preset-candles per second on one core
 *   (compute only, loading excluded and reported apart) and peak RSS.
 * - `backtest`: see `backtest_bench.ts`.
 * - `data`: see `data_bench.ts`.
 * - `optimize`: see `optimize_bench.ts`.
 * - `live`: see `live_bench.ts`.
 * - `web`: see `web_bench.ts`.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { readdirSync } from "node:fs";
import { forEachPreset } from "../../core/velas.ts";
import { scanPresetSignals } from "../../core/velas_scan.ts";
import { Workspace } from "../../core/workspace.ts";
import { scanSignals, signalEvents } from "../../core/signals.ts";
import type { CandleColumns, Semantics } from "../../core/types.ts";
import { loadCandles } from "../../data/candle_loader.ts";
import { INDICATOR_PRESETS } from "../../presets/indicator_presets.ts";
import { SHARED_DATA } from "../shared_data.ts";
import { benchBacktest } from "./backtest_bench.ts";
import { benchData } from "./data_bench.ts";
import { benchLive } from "./live_bench.ts";
import { benchOptimize } from "./optimize_bench.ts";
import { benchWeb } from "./web_bench.ts";
import { peakRssMiB } from "./peak_rss.ts";

function format(value: number, digits = 1): string {
  return value.toFixed(digits).padStart(9);
}

function benchIndicator(args: string[]): number {
  const { values } = parseArgs({
    args,
    options: {
      data: { type: "string" },
      semantics: { type: "string", default: "pine" },
      rounds: { type: "string", default: "3" },
    },
    strict: true,
  });
  const dir = values.data ?? SHARED_DATA;
  if (dir === undefined) {
    console.error(
      "Cannot run the benchmark as ../shared/data/binance is absent: pass --data DIR",
    );
    return 2;
  }
  const semantics = values.semantics as Semantics;
  if (semantics !== "pine" && semantics !== "velas-py") {
    console.error(
      `Cannot run the benchmark as '--semantics' must be pine or velas-py: current value is ${semantics}`,
    );
    return 2;
  }
  const rounds = Math.max(1, Number(values.rounds));
  const files = readdirSync(dir).filter((f) =>
    /^[A-Z0-9]+-\d+[mhd]\.(csv|csv\.gz|parquet)$/.test(f)
  )
    .sort();
  console.log(
    `bench indicator: ${files.length} files in ${dir}, ${INDICATOR_PRESETS.length} presets, ${semantics}, best of ${rounds} rounds`,
  );
  const workspace = new Workspace();
  let events = signalEvents(0);
  const fused = (candles: CandleColumns) => {
    let signals = 0;
    scanPresetSignals(candles, {
      presets: INDICATOR_PRESETS,
      semantics,
      workspace,
      events,
      onPreset(_position, stats) {
        signals += stats.longs + stats.shorts;
      },
    });
    return signals;
  };
  const columns = (candles: CandleColumns) => {
    let signals = 0;
    forEachPreset(candles, {
      presets: INDICATOR_PRESETS,
      semantics,
      workspace,
      onPreset(_position, triggers) {
        const stats = scanSignals({
          high: candles.high,
          low: candles.low,
          ...triggers,
        }, {
          events,
        });
        signals += stats.longs + stats.shorts;
      },
    });
    return signals;
  };
  // Files are loaded once, before timing: Polars' native memory is not returned to the system
  // promptly, so reloading per round only inflates RSS. Only the computation is timed.
  const loadStart = performance.now();
  const series = files.map((file) => loadCandles(`${dir}/${file}`));
  const loadMs = performance.now() - loadStart;
  const totalCandles = series.reduce((sum, c) => sum + c.close.length, 0);
  const rssAfterLoad = Deno.memoryUsage().rss / 1024 / 1024;
  events = signalEvents(
    series.reduce((m, c) => Math.max(m, c.close.length), 0),
  );
  const fusedRounds: number[] = [];
  const columnRounds: number[] = [];
  let signals = 0;
  for (let round = 0; round < rounds; round++) {
    let fusedMs = 0;
    let columnsMs = 0;
    let fusedSignals = 0;
    let columnSignals = 0;
    for (const candles of series) {
      let start = performance.now();
      fusedSignals += fused(candles);
      fusedMs += performance.now() - start;
      start = performance.now();
      columnSignals += columns(candles);
      columnsMs += performance.now() - start;
    }
    if (fusedSignals !== columnSignals) {
      console.error(
        `signal counts differ: ${fusedSignals} vs ${columnSignals}`,
      );
      return 1;
    }
    signals = fusedSignals;
    fusedRounds.push(fusedMs);
    columnRounds.push(columnsMs);
    console.log(
      `round ${round + 1}: fused scan ${fusedMs.toFixed(0)} ms, full columns ${
        columnsMs.toFixed(0)
      } ms`,
    );
  }
  console.log(
    `loading: ${
      loadMs.toFixed(0)
    } ms for ${totalCandles} candles (Polars, gunzip included), RSS after loading ${
      rssAfterLoad.toFixed(0)
    } MiB`,
  );
  const best = Math.min(...fusedRounds);
  const fullBest = Math.min(...columnRounds);
  const presetCandles = totalCandles * INDICATOR_PRESETS.length;
  console.log("");
  console.log(`candles           ${format(totalCandles, 0)}`);
  console.log(`preset-candles    ${format(presetCandles, 0)}`);
  console.log(`signals emitted   ${format(signals, 0)}`);
  console.log(`compute time (ms) ${format(best, 0)}`);
  console.log(
    `M preset-candles/s${
      format(presetCandles / best / 1000, 1)
    }  (fused scan, best round; target >= 100 on one core)`,
  );
  console.log(
    `M preset-candles/s${
      format(presetCandles / fullBest / 1000, 1)
    }  (full indicator columns + scanSignals, best round)`,
  );
  console.log(`peak RSS (MiB)    ${format(peakRssMiB(), 0)}`);
  return 0;
}

const BENCHES: Record<string, (args: string[]) => number | Promise<number>> = {
  indicator: benchIndicator,
  backtest: benchBacktest,
  data: benchData,
  optimize: benchOptimize,
  live: benchLive,
  web: benchWeb,
};

if (import.meta.main) {
  const [name, ...rest] = Deno.args;
  const bench = name === undefined ? undefined : BENCHES[name];
  if (bench === undefined) {
    console.error(
      `Usage: deno task bench <${Object.keys(BENCHES).join("|")}> [options]`,
    );
    Deno.exit(2);
  }
  Deno.exit(await bench(rest));
}
