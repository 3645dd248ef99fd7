/** The fast preset sweep trades exactly like the engine's independent mode. */
import { strict as assert } from "node:assert";
import { runBacktest } from "../../../core/backtest/engine.ts";
import { sweepPresets } from "../../../core/backtest/preset_sweep.ts";
import type { TradeRecord } from "../../../core/backtest/records.ts";
import { seriesSignals } from "../../../core/backtest/series_signals.ts";
import { DEFAULT_COSTS } from "../../../core/costs.ts";
import { DEFAULT_FILTERS } from "../../../core/filters.ts";
import {
  DEFAULT_LADDER,
  DEFAULT_REGIME_MULTIPLIERS,
  type LadderSpec,
  regimeLadder,
} from "../../../core/ladder.ts";
import { openPosition, updatePosition } from "../../../core/ladder.ts";
import { DEFAULT_PORTFOLIO_LIMITS } from "../../../core/portfolio.ts";
import { skipQuietBars } from "../../../core/position_quiet.ts";
import { DEFAULT_REGIME_SETTINGS } from "../../../core/regime.ts";
import { REGIMES } from "../../../core/types.ts";
import { Workspace } from "../../../core/workspace.ts";
import { loadCandles } from "../../../data/candle_loader.ts";
import { INDICATOR_PRESETS } from "../../../presets/indicator_presets.ts";
import { FIXTURES } from "../../shared_data.ts";

const LADDERS = REGIMES.map((r) =>
  regimeLadder(DEFAULT_LADDER, r, DEFAULT_REGIME_MULTIPLIERS)
) as [
  LadderSpec,
  LadderSpec,
  LadderSpec,
];

function strip(trades: readonly TradeRecord[]) {
  return trades.map((t) => ({ ...t, presetHash: "" }));
}

Deno.test("preset sweep gives the engine's independent trades for every preset tried", () => {
  const candles = loadCandles(FIXTURES + "BTCUSDT-30m.csv.gz");
  const presets = [0, 1, 34, 40, 57].map((k) => INDICATOR_PRESETS[k]!);
  const start = 500;
  const first = seriesSignals(candles, {
    semantics: "pine",
    presets: [presets[0]!, presets[0]!, presets[0]!],
    regime: DEFAULT_REGIME_SETTINGS,
    filters: DEFAULT_FILTERS,
    start,
  });
  const swept: TradeRecord[][] = [];
  sweepPresets(candles, {
    symbol: "BTCUSDT",
    timeframe: "30m",
    timeframeMs: 1_800_000,
    presets,
    semantics: "pine",
    regime: first.regime,
    ladders: LADDERS,
    costs: DEFAULT_COSTS,
    rule: "stop-first",
    gapFills: true,
    initialBalance: 10_000,
    start,
    workspace: new Workspace(),
    onPreset(position, result) {
      swept[position] = [...result.trades];
    },
  });
  let total = 0;
  presets.forEach((params, k) => {
    const signals = seriesSignals(candles, {
      semantics: "pine",
      presets: [params, params, params],
      regime: DEFAULT_REGIME_SETTINGS,
      filters: DEFAULT_FILTERS,
      start,
    });
    const [engine] = runBacktest([{
      symbol: "BTCUSDT",
      timeframe: "30m",
      timeframeMs: 1_800_000,
      sector: "BTC",
      candles,
      signal: signals.signal,
      regime: signals.regime,
      ladders: LADDERS,
      presetHashes: ["", "", ""],
    }], {
      mode: "independent",
      initialBalance: 10_000,
      limits: DEFAULT_PORTFOLIO_LIMITS,
      sizing: {
        riskPercent: 2,
        maxNotionalPercent: 20,
        minNotional: 10,
        leverage: 10,
      },
      costs: DEFAULT_COSTS,
      rule: "stop-first",
      gapFills: true,
      entry: "close",
    });
    assert.ok(engine!.trades.length > 0, `preset ${k} trades`);
    assert.deepEqual(strip(swept[k]!), strip(engine!.trades), `preset ${k}`);
    total += engine!.trades.length;
  });
  assert.ok(total > 20, `${total} trades compared`);
});

Deno.test("skipping quiet bars equals updating them one by one", () => {
  const candles = loadCandles(FIXTURES + "ETHUSDT-1h.csv.gz");
  const entry = candles.close[100]!;
  const start = openPosition({
    side: "SHORT",
    entryPrice: entry,
    entryTime: candles.openTime[101]!,
    quantity: 2,
    spec: DEFAULT_LADDER,
    costs: DEFAULT_COSTS,
  }).position;
  const skipped = skipQuietBars(start, {
    candles,
    from: 101,
    to: 3000,
    costs: DEFAULT_COSTS,
  });
  assert.ok(skipped.next > 102, "several quiet bars");
  let stepped = start;
  for (let t = 101; t < skipped.next; t++) {
    const update = updatePosition(stepped, {
      openTime: candles.openTime[t]!,
      open: candles.open[t]!,
      high: candles.high[t]!,
      low: candles.low[t]!,
      close: candles.close[t]!,
    }, {
      spec: DEFAULT_LADDER,
      rule: "stop-first",
      gapFills: true,
      costs: DEFAULT_COSTS,
    });
    assert.equal(update.fills.length, 0);
    stepped = update.position;
  }
  assert.deepEqual(skipped.position, stepped);
  const touching = updatePosition(stepped, {
    openTime: candles.openTime[skipped.next]!,
    open: candles.open[skipped.next]!,
    high: candles.high[skipped.next]!,
    low: candles.low[skipped.next]!,
    close: candles.close[skipped.next]!,
  }, {
    spec: DEFAULT_LADDER,
    rule: "stop-first",
    gapFills: true,
    costs: DEFAULT_COSTS,
  });
  assert.ok(
    touching.fills.length > 0,
    "the first bar it stops at touches a level",
  );
});
