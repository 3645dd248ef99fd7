/** Tests of the preset file schema, preset ids, hash input and the indicator-preset table check. */
import { strict as assert } from "node:assert";
import {
  presetFileName,
  presetHashInput,
  presetId,
  tpList,
  tpMap,
  validateIndicatorPresets,
  validatePreset,
} from "../../core/preset.ts";

function validInput(): Record<string, unknown> {
  return {
    symbol: "BTCUSDT",
    timeframe: "1h",
    volatility_regime: "normal",
    sector: "BTC",
    indicator: { i1: 60, i2: 14, i3: 0.8, i4: 1.4, i5: 1.4 },
    tp_levels: { tp1: 1, tp2: 2, tp3: 3, tp4: 4, tp5: 7.5, tp6: 14 },
    sl_percent: 8.5,
    tp_distribution: { tp1: 20, tp2: 20, tp3: 15, tp4: 15, tp5: 15, tp6: 15 },
    optimization: { generated_at: "2025-01-02T00:00:00.000Z", version: "1.0" },
    is_active: true,
    notes: "",
  };
}

Deno.test("validatePreset fills the optional keys and keeps the spec §5.2 key order", () => {
  const input = validInput();
  delete input.sector;
  delete input.optimization;
  delete input.is_active;
  delete input.notes;
  const preset = validatePreset(input, "BTCUSDT_1h_normal.yaml");
  assert.deepEqual(Object.keys(preset), [
    "symbol",
    "timeframe",
    "volatility_regime",
    "sector",
    "indicator",
    "tp_levels",
    "sl_percent",
    "tp_distribution",
    "optimization",
    "is_active",
    "notes",
  ]);
  assert.equal(preset.sector, "UNKNOWN");
  assert.equal(preset.is_active, true);
  assert.equal(preset.notes, "");
  assert.deepEqual(preset.optimization, {
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
    generated_at: "",
    version: "1.0",
  });
  assert.ok(Object.isFrozen(preset) && Object.isFrozen(preset.indicator));
});

Deno.test("validatePreset names the file and every bad key in one TypeError", () => {
  const input = {
    ...validInput(),
    symbol: "btcusdt",
    volatility_regime: "extreme",
    indicator: { i1: 0, i2: 1, i3: -0.5, i4: 1.4 },
    tp_levels: { tp1: 1, tp2: 2, tp3: 3, tp4: 4, tp5: 7.5, tp6: 0 },
    colour: "red",
  };
  delete (input as Record<string, unknown>).sl_percent;
  assert.throws(() => validatePreset(input, "BTCUSDT_1h_normal.yaml"), {
    name: "TypeError",
    message:
      "Cannot load preset 'BTCUSDT_1h_normal.yaml' as it has 9 problems:\n" +
      "- colour: unknown key\n" +
      "- symbol: must be a symbol like 'BTCUSDT': current value is 'btcusdt'\n" +
      "- volatility_regime: must be one of 'low', 'normal', 'high': current value is 'extreme'\n" +
      "- indicator.i1: must be an integer from 1 to 1000: current value is 0\n" +
      "- indicator.i2: must be an integer greater than or equal to 2: current value is 1\n" +
      "- indicator.i3: must be a number greater than or equal to 0: current value is -0.5\n" +
      "- indicator.i5: missing required key\n" +
      "- tp_levels.tp6: must be a number greater than 0: current value is 0\n" +
      "- sl_percent: missing required key",
  });
});

Deno.test("validatePreset says plainly when the document is not a mapping", () => {
  assert.throws(() => validatePreset("hello", "x.yaml"), {
    name: "TypeError",
    message: "Cannot load preset 'x.yaml' as it has 1 problem:\n" +
      "- preset: must be a mapping: current value is 'hello'",
  });
});

Deno.test("validatePreset drops unknown optimization keys and rejects unknown indicator keys", () => {
  const preset = validatePreset(
    { ...validInput(), optimization: { test_sharpe: 1.7, legacy_score: 3 } },
    "a.yaml",
  );
  assert.equal(preset.optimization.test_sharpe, 1.7);
  assert.ok(!Object.hasOwn(preset.optimization, "legacy_score"));
  assert.throws(
    () =>
      validatePreset({
        ...validInput(),
        indicator: { i1: 60, i2: 14, i3: 0.8, i4: 1.4, i5: 1.4, i6: 2 },
      }, "b.yaml"),
    {
      name: "TypeError",
      message: "Cannot load preset 'b.yaml' as it has 1 problem:\n" +
        "- indicator.i6: unknown key (did you mean 'i1'?)",
    },
  );
});

Deno.test("validatePreset requires ascending TP levels and a positive TP share sum", () => {
  assert.throws(
    () =>
      validatePreset({
        ...validInput(),
        tp_levels: { tp1: 1, tp2: 3, tp3: 2, tp4: 4, tp5: 7.5, tp6: 14 },
        tp_distribution: { tp1: 0, tp2: 0, tp3: 0, tp4: 0, tp5: 0, tp6: 0 },
      }, "c.yaml"),
    {
      name: "TypeError",
      message: "Cannot load preset 'c.yaml' as it has 2 problems:\n" +
        "- tp_levels: must be strictly ascending: current value is [1,3,2,4,7.5,14]\n" +
        "- tp_distribution: must have a sum greater than 0: current value is [0,0,0,0,0,0]",
    },
  );
});

Deno.test("validatePreset normalises the TP distribution to sum 100", () => {
  const preset = validatePreset({
    ...validInput(),
    tp_distribution: { tp1: 2, tp2: 2, tp3: 1, tp4: 1, tp5: 2, tp6: 2 },
  }, "d.yaml");
  assert.deepEqual(tpList(preset.tp_distribution), [20, 20, 10, 10, 20, 20]);
});

Deno.test("presetId and presetFileName follow SYMBOL_tf_regime", () => {
  const preset = validatePreset(
    { ...validInput(), volatility_regime: "high" },
    "e.yaml",
  );
  assert.equal(presetId(preset), "BTCUSDT_1h_high");
  assert.equal(presetFileName(preset), "BTCUSDT_1h_high.yaml");
});

Deno.test("presetHashInput covers only trading fields, with sorted keys", () => {
  const base = validatePreset(validInput(), "f.yaml");
  const text = presetHashInput(base);
  assert.equal(
    text,
    '{"indicator":{"i1":60,"i2":14,"i3":0.8,"i4":1.4,"i5":1.4},"sl_percent":8.5,' +
      '"symbol":"BTCUSDT","timeframe":"1h",' +
      '"tp_distribution":{"tp1":20,"tp2":20,"tp3":15,"tp4":15,"tp5":15,"tp6":15},' +
      '"tp_levels":{"tp1":1,"tp2":2,"tp3":3,"tp4":4,"tp5":7.5,"tp6":14},' +
      '"volatility_regime":"normal"}',
  );
  const annotated = validatePreset({
    ...validInput(),
    sector: "MAJOR",
    optimization: { test_sharpe: 2.1, generated_at: "2026-01-01T00:00:00Z" },
    notes: "optimized",
    is_active: false,
  }, "g.yaml");
  assert.equal(presetHashInput(annotated), text);
  const changed = validatePreset({
    ...validInput(),
    indicator: { i1: 61, i2: 14, i3: 0.8, i4: 1.4, i5: 1.4 },
  }, "h.yaml");
  assert.notEqual(presetHashInput(changed), text);
});

Deno.test("tpMap refuses a list that does not have six values", () => {
  assert.deepEqual(tpMap([1, 2, 3, 4, 5, 6]), {
    tp1: 1,
    tp2: 2,
    tp3: 3,
    tp4: 4,
    tp5: 5,
    tp6: 6,
  });
  assert.throws(() => tpMap([1, 2]), {
    name: "RangeError",
    message:
      "Cannot build TP levels as 'values' must have 6 items: current value has 2",
  });
});

Deno.test("validateIndicatorPresets rejects a wrong index, a repeated tuple and a bad parameter", () => {
  const ok = {
    index: 0,
    name: "Variant 1",
    i1: 40,
    i2: 10,
    i3: 0.3,
    i4: 1,
    i5: 1,
  };
  assert.equal(validateIndicatorPresets([ok], "t.json").length, 1);
  assert.throws(
    () =>
      validateIndicatorPresets([
        ok,
        { ...ok, index: 1, name: "Variant 2" },
        { ...ok, index: 5, name: "Variant 3", i1: 41 },
        { ...ok, index: 3, name: "Variant 4", i2: 1.5 },
        "x",
      ], "t.json"),
    {
      name: "TypeError",
      message:
        "Cannot load indicator presets 't.json' as they have 4 problems:\n" +
        "- [1]: must differ from preset 0: current value is (40,10,0.3,1,1)\n" +
        "- [2].index: must be 2: current value is 5\n" +
        "- [3].i2: must be an integer greater than or equal to 2: current value is 1.5\n" +
        "- [4]: must be a mapping: current value is 'x'",
    },
  );
  assert.throws(() => validateIndicatorPresets({}, "t.json"), {
    name: "TypeError",
    message:
      "Cannot load indicator presets 't.json' as they have 1 problem:\n" +
      "- presets: must be a non-empty list: current value is {}",
  });
});
