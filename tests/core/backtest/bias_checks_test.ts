/** Bias checks: the look-ahead check passes on the real pipeline and catches a leaky one. */
import { strict as assert } from "node:assert";
import {
  checkLookahead,
  type PresetSignals,
  warmupBars,
} from "../../../core/backtest/bias_checks.ts";
import { SignalOutcome } from "../../../core/signals.ts";
import type { CandleColumns } from "../../../core/types.ts";
import { loadCandles } from "../../../data/candle_loader.ts";
import { INDICATOR_PRESETS } from "../../../presets/indicator_presets.ts";
import {
  FIXTURES,
  NEEDS_SHARED,
  SHARED_DATA,
  sharedFile,
} from "../../shared_data.ts";

Deno.test("look-ahead check passes for all 60 presets on bundled candles", () => {
  const candles = loadCandles(FIXTURES + "ETHUSDT-1h.csv.gz");
  const result = checkLookahead(candles, {
    presets: INDICATOR_PRESETS,
    semantics: "pine",
    cuts: 10,
  });
  assert.ok(result.ok, JSON.stringify(result));
  assert.equal(result.presets, 60);
  assert.ok(result.signals > 100);
});

Deno.test({
  name:
    `look-ahead check passes for all 60 presets on BTCUSDT-1h${NEEDS_SHARED}`,
  ignore: SHARED_DATA === undefined,
  fn() {
    const candles = loadCandles(sharedFile("BTCUSDT-1h.csv.gz"));
    for (const semantics of ["pine", "velas-py"] as const) {
      const result = checkLookahead(candles, {
        presets: INDICATOR_PRESETS,
        semantics,
        cuts: 20,
      });
      assert.ok(result.ok, JSON.stringify(result));
    }
  },
});

Deno.test("look-ahead check names the first difference of a pipeline that peeks at the next bar", () => {
  const candles = loadCandles(FIXTURES + "BTCUSDT-2h.csv.gz");
  // Leaky: a LONG whenever the NEXT close is higher than this one (unknown at this bar's close).
  const leaky = (c: CandleColumns): PresetSignals => {
    const bars: number[] = [];
    for (let t = 0; t + 1 < c.close.length; t++) {
      if (c.close[t + 1]! > c.close[t]!) bars.push(t);
    }
    return [{
      bars: Int32Array.from(bars),
      outcomes: new Uint8Array(bars.length).fill(SignalOutcome.Long),
    }];
  };
  const result = checkLookahead(candles, {
    presets: INDICATOR_PRESETS.slice(0, 1),
    semantics: "pine",
    cuts: 5,
    scan: leaky,
  });
  assert.equal(result.ok, false);
  if (!result.ok) {
    const d = result.difference;
    assert.equal(
      d.bar,
      d.cut - 1,
      "the last bar before the cut lost its look at the future",
    );
    assert.match(d.full, /^LONG at bar /);
    assert.equal(d.cutRun, "no signal");
  }
});

Deno.test("warm-up is the channel length or the ATR seed's fade, whichever is longer", () => {
  const candles = loadCandles(FIXTURES + "BTCUSDT-1h.csv.gz");
  const short = warmupBars(candles, {
    params: INDICATOR_PRESETS[40]!, // i1 10
    semantics: "pine",
    offset: 1000,
    tolerance: 1e-9,
  });
  const long = warmupBars(candles, {
    params: INDICATOR_PRESETS[57]!, // i1 500
    semantics: "pine",
    offset: 1000,
    tolerance: 1e-9,
  });
  assert.ok(
    short !== undefined && short > 100 && short < 400,
    `ATR seed fades: ${short}`,
  );
  assert.ok(long !== undefined && long >= 499, `the 500-bar channel: ${long}`);
  assert.ok(long! <= 500, "within the default warm-up of 500 bars");
});
