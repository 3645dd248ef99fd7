/** `--compat velas-py`: the original engine's rules, pinned on real data. */
import { strict as assert } from "node:assert";
import { runCompatVelasPy } from "../../../core/backtest/compat_velas_py.ts";
import type { CandleColumns } from "../../../core/types.ts";
import { loadCandles } from "../../../data/candle_loader.ts";
import { INDICATOR_PRESETS } from "../../../presets/indicator_presets.ts";
import {
  FIXTURES,
  NEEDS_SHARED,
  SHARED_DATA,
  sharedFile,
} from "../../shared_data.ts";

function run(candles: CandleColumns) {
  return runCompatVelasPy({
    symbol: "BTCUSDT",
    timeframe: "1h",
    timeframeMs: 3_600_000,
    candles,
    params: INDICATOR_PRESETS[0]!,
    presetHash: "p0",
    initialBalance: 10_000,
  });
}

Deno.test({
  name:
    `compat velas-py pins the trade list of BTCUSDT-1h preset 0${NEEDS_SHARED}`,
  ignore: SHARED_DATA === undefined,
  fn() {
    const result = run(loadCandles(sharedFile("BTCUSDT-1h.csv.gz")));
    const trades = result.trades;
    assert.equal(trades.length, 3916);
    const first = trades[0]!;
    assert.deepEqual(
      [first.id, first.side, first.entryPrice, first.exitReason, first.tpHits],
      ["BTCUSDT-1h-1568142000000-S", "SHORT", 10026.56, "breakeven", 1],
    );
    assert.ok(
      Math.abs(first.pnlPct - 0.17) < 1e-9,
      "TP1 then breakeven = +0.17 % (spec §3.5)",
    );
    const last = trades[trades.length - 1]!;
    assert.deepEqual([last.id, last.exitReason], [
      "BTCUSDT-1h-1778850000000-S",
      "end-of-data",
    ]);
    assert.ok(Math.abs(result.finalEquity - 10.517653997646153) < 1e-6);
    const breakevens = trades.filter((t) =>
      t.exitReason === "breakeven"
    ).length;
    assert.equal(breakevens, 2032);
    assert.ok(
      result.facts.sameBarDecided > breakevens / 2,
      "most TP1-then-breakeven exits happen inside one bar: the rule decided them",
    );
    assert.ok(
      trades.every((t) => t.feesQuote === 0 && t.fundingQuote === 0),
      "no costs",
    );
  },
});

Deno.test("compat velas-py re-enters on the bar where the previous trade closed and compounds", () => {
  const result = run(loadCandles(FIXTURES + "BTCUSDT-1h.csv.gz"));
  const trades = result.trades;
  assert.ok(trades.length > 50);
  const sameBarReentries = trades.slice(1).filter((t, k) =>
    t.entryTime === trades[k]!.exitTime + 3_600_000 ||
    t.entryTime === trades[k]!.exitTime
  );
  assert.ok(
    sameBarReentries.length > 0,
    "a new trade can open at the close of the exit bar",
  );
  let equity = 10_000;
  for (const t of trades) {
    assert.ok(
      Math.abs(t.notional - equity) < 1e-6 * equity,
      "100 % of equity per trade",
    );
    equity += t.pnlQuote;
  }
  assert.ok(Math.abs(result.finalEquity - equity) < 1e-9 * equity);
  for (let k = 1; k < trades.length; k++) {
    assert.ok(
      trades[k]!.entryTime >= trades[k - 1]!.exitTime,
      "one trade at a time",
    );
  }
});
