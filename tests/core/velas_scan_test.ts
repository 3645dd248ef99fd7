/** The fused preset scan gives exactly the signals of full indicator columns + the batch scan. */
import { strict as assert } from "node:assert";
import { scanSignals, signalEvents } from "../../core/signals.ts";
import {
  buildSparseTable,
  windowExtremes,
} from "../../core/sparse_extremes.ts";
import { rollingMax, rollingMin } from "../../core/rolling.ts";
import { forEachPreset } from "../../core/velas.ts";
import { scanPresetSignals } from "../../core/velas_scan.ts";
import { Workspace } from "../../core/workspace.ts";
import type { CandleColumns, Semantics } from "../../core/types.ts";
import { loadCandles } from "../../data/candle_loader.ts";
import { INDICATOR_PRESETS } from "../../presets/indicator_presets.ts";
import {
  FIXTURES,
  NEEDS_SHARED,
  SHARED_DATA,
  sharedFile,
} from "../shared_data.ts";

type Found = {
  bars: number[];
  outcomes: number[];
  reasons: number[];
  stats: string;
};

function verdicts(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed;
  for (let t = 0; t < n; t++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    out[t] = x % 5 === 0 ? 1 + (x % 4) : 0;
  }
  return out;
}

function compareScans(
  candles: CandleColumns,
  options: { semantics: Semantics; filtered: boolean },
): number {
  const n = candles.close.length;
  const longVerdict = options.filtered ? verdicts(n, 7) : undefined;
  const shortVerdict = options.filtered ? verdicts(n, 11) : undefined;
  const filters = longVerdict && shortVerdict
    ? { longVerdict, shortVerdict }
    : {};
  const events = signalEvents(n);
  const expected: Found[] = [];
  forEachPreset(candles, {
    presets: INDICATOR_PRESETS,
    semantics: options.semantics,
    onPreset(position, triggers) {
      const stats = scanSignals({
        high: candles.high,
        low: candles.low,
        ...triggers,
        ...filters,
      }, {
        events,
      });
      expected[position] = {
        bars: Array.from(events.bar.subarray(0, events.count)),
        outcomes: Array.from(events.outcome.subarray(0, events.count)),
        reasons: Array.from(events.reason.subarray(0, events.count)),
        stats: JSON.stringify(stats),
      };
    },
  });
  let signals = 0;
  scanPresetSignals(candles, {
    presets: INDICATOR_PRESETS,
    semantics: options.semantics,
    workspace: new Workspace(),
    events,
    ...filters,
    onPreset(position, stats, found) {
      assert.deepEqual(
        {
          bars: Array.from(found.bar.subarray(0, found.count)),
          outcomes: Array.from(found.outcome.subarray(0, found.count)),
          reasons: Array.from(found.reason.subarray(0, found.count)),
          stats: JSON.stringify(stats),
        },
        expected[position],
        `preset ${position}`,
      );
      signals += stats.longs + stats.shorts;
    },
  });
  return signals;
}

Deno.test("fused preset scan equals full columns + batch scan on bundled candles", async () => {
  const candles = await loadCandles(FIXTURES + "BTCUSDT-30m.csv.gz");
  assert.ok(
    compareScans(candles, { semantics: "pine", filtered: false }) > 200,
  );
  assert.ok(
    compareScans(candles, { semantics: "velas-py", filtered: true }) > 100,
  );
});

for (
  const file of [
    "BTCUSDT-1h.csv.gz",
    "ETHUSDT-2h.csv.gz",
    "DOGEUSDT-30m.csv.gz",
  ]
) {
  Deno.test({
    name:
      `fused preset scan equals full columns + batch scan on ${file}${NEEDS_SHARED}`,
    ignore: SHARED_DATA === undefined,
    async fn() {
      const candles = await loadCandles(sharedFile(file));
      compareScans(candles, { semantics: "pine", filtered: false });
      compareScans(candles, { semantics: "velas-py", filtered: true });
    },
  });
}

Deno.test("sparse-table window extremes equal the block method for every window", () => {
  const n = 777;
  const values = Float64Array.from(
    { length: n },
    (_, i) => Math.sin(i * 0.37) * 100 + (i % 13),
  );
  const workspace = new Workspace();
  const highs = buildSparseTable(values, {
    maxWindow: 500,
    max: true,
    workspace,
    key: "h",
  });
  const lows = buildSparseTable(values, {
    maxWindow: 500,
    max: false,
    workspace,
    key: "l",
  });
  for (const window of [1, 2, 3, 7, 8, 9, 64, 100, 255, 256, 257, 500]) {
    const out = new Float64Array(n);
    assert.deepEqual(
      windowExtremes(highs, { window, out }),
      rollingMax(values, window),
    );
    assert.deepEqual(
      windowExtremes(lows, { window, out }),
      rollingMin(values, window),
    );
  }
  assert.throws(
    () => windowExtremes(highs, { window: 512, out: new Float64Array(n) }),
    RangeError,
  );
});

Deno.test("workspace hands out views of reused buffers and grows them when needed", () => {
  const workspace = new Workspace();
  const a = workspace.floats("x", 10);
  a[0] = 42;
  const b = workspace.floats("x", 5);
  assert.equal(b.length, 5);
  assert.equal(b[0], 42, "same storage");
  const c = workspace.floats("x", 100);
  assert.equal(c.length, 100);
  assert.ok(workspace.bytes >= 800);
});
