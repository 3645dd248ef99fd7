/** Tests of the default preset generator (spec §5.3). */
import { strict as assert } from "node:assert";
import { DEFAULT_CONFIG, parseConfig } from "../../core/config.ts";
import { presetId, tpList, validatePreset } from "../../core/preset.ts";
import {
  GENERATED_NOTES,
  generateDefaultPresets,
} from "../../presets/generate.ts";

const GENERATED_AT = "2025-01-02T03:04:05.000Z";
const PRESETS = generateDefaultPresets({
  ...DEFAULT_CONFIG,
  generatedAt: GENERATED_AT,
});

Deno.test("generator writes 180 presets with unique ids, ordered pair x timeframe x regime", () => {
  assert.equal(PRESETS.length, 180);
  const ids = PRESETS.map(presetId);
  assert.equal(new Set(ids).size, 180);
  assert.deepEqual(ids.slice(0, 10), [
    "BTCUSDT_30m_low",
    "BTCUSDT_30m_normal",
    "BTCUSDT_30m_high",
    "BTCUSDT_1h_low",
    "BTCUSDT_1h_normal",
    "BTCUSDT_1h_high",
    "BTCUSDT_2h_low",
    "BTCUSDT_2h_normal",
    "BTCUSDT_2h_high",
    "ETHUSDT_30m_low",
  ]);
  assert.equal(ids[179], "INJUSDT_2h_high");
});

Deno.test("generator scales the ladder by the regime multipliers, rounded to 2 decimals", () => {
  const byRegime = (regime: string) =>
    PRESETS.find((p) =>
      p.symbol === "SOLUSDT" && p.volatility_regime === regime
    )!;
  assert.deepEqual(tpList(byRegime("low").tp_levels), [
    0.8,
    1.6,
    2.4,
    3.2,
    6,
    11.2,
  ]);
  assert.equal(byRegime("low").sl_percent, 6.8);
  assert.deepEqual(tpList(byRegime("normal").tp_levels), [1, 2, 3, 4, 7.5, 14]);
  assert.equal(byRegime("normal").sl_percent, 8.5);
  assert.deepEqual(tpList(byRegime("high").tp_levels), [
    1.3,
    2.6,
    3.9,
    5.2,
    9.75,
    18.2,
  ]);
  assert.equal(byRegime("high").sl_percent, 10.2);
});

Deno.test("generator gives every pair its sector's default indicator", () => {
  const indicatorOf = (symbol: string) => {
    const all = PRESETS.filter((p) => p.symbol === symbol);
    assert.equal(all.length, 9);
    for (const p of all) assert.deepEqual(p.indicator, all[0]!.indicator);
    const { i1, i2, i3, i4, i5 } = all[0]!.indicator;
    return [all[0]!.sector, i1, i2, i3, i4, i5];
  };
  assert.deepEqual(indicatorOf("BTCUSDT"), ["BTC", 60, 14, 0.8, 1.4, 1.4]);
  assert.deepEqual(indicatorOf("ETHUSDT"), ["ETH", 55, 14, 0.9, 1.5, 1.5]);
  assert.deepEqual(indicatorOf("AVAXUSDT"), ["L1", 50, 12, 1.1, 1.6, 1.6]);
  assert.deepEqual(indicatorOf("POLUSDT"), ["L2", 45, 11, 1.3, 1.7, 1.7]);
  assert.deepEqual(indicatorOf("INJUSDT"), ["DEFI", 40, 10, 1.5, 1.8, 1.8]);
  assert.deepEqual(indicatorOf("LTCUSDT"), ["OLD", 65, 14, 0.7, 1.3, 1.3]);
  assert.deepEqual(indicatorOf("DOGEUSDT"), ["MEME", 35, 10, 1.8, 2.0, 2.0]);
  assert.deepEqual(indicatorOf("BNBUSDT"), ["CEX", 55, 13, 1.0, 1.5, 1.5]);
});

Deno.test("generator uses the L1 indicator and sector UNKNOWN for a pair without a sector", () => {
  const config = parseConfig({
    pairs: ["BTCUSDT", "PEPEUSDT"],
    timeframes: ["4h"],
  });
  const presets = generateDefaultPresets({
    ...config,
    generatedAt: GENERATED_AT,
  });
  assert.deepEqual(presets.map(presetId), [
    "BTCUSDT_4h_low",
    "BTCUSDT_4h_normal",
    "BTCUSDT_4h_high",
    "PEPEUSDT_4h_low",
    "PEPEUSDT_4h_normal",
    "PEPEUSDT_4h_high",
  ]);
  assert.equal(presets[3]!.sector, "UNKNOWN");
  assert.deepEqual(presets[3]!.indicator, {
    i1: 50,
    i2: 12,
    i3: 1.1,
    i4: 1.6,
    i5: 1.6,
  });
});

Deno.test("generator writes the config shares, an empty optimizer block and the generated note", () => {
  const config = parseConfig({ ladder: { shares: [17, 17, 17, 17, 16, 16] } });
  const [preset] = generateDefaultPresets({
    ...config,
    pairs: ["ETHUSDT"],
    generatedAt: GENERATED_AT,
  });
  assert.deepEqual(tpList(preset!.tp_distribution), [17, 17, 17, 17, 16, 16]);
  assert.deepEqual(tpList(PRESETS[0]!.tp_distribution), [
    20,
    20,
    15,
    15,
    15,
    15,
  ]);
  for (const p of PRESETS) {
    assert.equal(p.notes, GENERATED_NOTES);
    assert.equal(p.is_active, true);
    assert.deepEqual(p.optimization, {
      train_start: "",
      train_end: "",
      test_start: "",
      test_end: "",
      test_sharpe: 0,
      test_winrate_tp1: 0,
      test_profit_factor: 0,
      test_max_drawdown: 0,
      test_total_trades: 0,
      robustness_score: 0,
      walk_forward_efficiency: 0,
      generated_at: GENERATED_AT,
      version: "1.0",
    });
    assert.deepEqual(validatePreset(p, `${presetId(p)}.yaml`), p);
  }
});
