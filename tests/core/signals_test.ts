/** Tests of the signal state machine, batch and incremental, and of signal ids. */
import { strict as assert } from "node:assert";
import {
  decideSignal,
  displaySignalId,
  scanSignals,
  signalEvents,
  signalId,
  SignalOutcome,
} from "../../core/signals.ts";
import { SignalMachine } from "../../core/signal_machine.ts";
import { forEachPreset } from "../../core/velas.ts";
import { VelasIncremental } from "../../core/velas_incremental.ts";
import { type Candle, candleAt } from "../../core/types.ts";
import { loadCandles } from "../../data/candle_loader.ts";
import { INDICATOR_PRESETS } from "../../presets/indicator_presets.ts";
import { FIXTURES } from "../shared_data.ts";

const PASS = { longVerdict: 0, shortVerdict: 0 };

Deno.test("state machine emits a direction only when it differs from the last emitted one", () => {
  assert.equal(
    decideSignal(0, { rawLong: true, rawShort: false, ...PASS }),
    SignalOutcome.Long,
  );
  assert.equal(
    decideSignal(1, { rawLong: true, rawShort: false, ...PASS }),
    SignalOutcome.Repeat,
  );
  assert.equal(
    decideSignal(1, { rawLong: false, rawShort: true, ...PASS }),
    SignalOutcome.Short,
  );
  assert.equal(
    decideSignal(-1, { rawLong: false, rawShort: true, ...PASS }),
    SignalOutcome.Repeat,
  );
  assert.equal(
    decideSignal(-1, { rawLong: true, rawShort: false, ...PASS }),
    SignalOutcome.Long,
  );
  assert.equal(
    decideSignal(0, { rawLong: false, rawShort: false, ...PASS }),
    SignalOutcome.None,
  );
});

Deno.test("state machine emits nothing on a bar where both triggers fire", () => {
  for (const last of [-1, 0, 1] as const) {
    assert.equal(
      decideSignal(last, { rawLong: true, rawShort: true, ...PASS }),
      SignalOutcome.Ambiguous,
    );
  }
});

Deno.test("state machine records a filtered signal without changing state", () => {
  assert.equal(
    decideSignal(0, {
      rawLong: true,
      rawShort: false,
      longVerdict: 2,
      shortVerdict: 0,
    }),
    SignalOutcome.LongFiltered,
  );
  const machine = new SignalMachine({ symbol: "BTCUSDT", timeframe: "1h" });
  const bar: Candle = {
    openTime: 0,
    open: 10,
    high: 12,
    low: 9,
    close: 11,
    volume: 1,
  };
  const step = machine.step(bar, {
    longTrigger: 11.5,
    shortTrigger: 5,
    longVerdict: 2,
    shortVerdict: 0,
  });
  assert.deepEqual(step, {
    type: "filtered",
    side: "LONG",
    openTime: 0,
    reason: "rsi",
  });
  assert.equal(machine.last, 0);
  const next = machine.step({ ...bar, openTime: 3_600_000 }, {
    longTrigger: 11.5,
    shortTrigger: 5,
    longVerdict: 0,
    shortVerdict: 0,
  });
  assert.equal(next.type, "emitted");
  assert.equal(machine.last, 1);
});

Deno.test("batch scan counts ambiguous bars and records filter reasons", () => {
  // bar 0: long; 1: repeat; 2: both (ambiguous); 3: short filtered (reason 1); 4: short; 5: none
  const high = Float64Array.from([11, 11, 11, 9, 9, 9]);
  const low = Float64Array.from([5, 5, 1, 1, 1, 5]);
  const longTrigger = new Float64Array(6).fill(10);
  const shortTrigger = new Float64Array(6).fill(2);
  const shortVerdict = Uint8Array.from([0, 0, 0, 1, 0, 0]);
  const events = signalEvents(6);
  const stats = scanSignals({
    high,
    low,
    longTrigger,
    shortTrigger,
    shortVerdict,
  }, { events });
  assert.deepEqual(stats, {
    longs: 1,
    shorts: 1,
    ambiguous: 1,
    filtered: 1,
    repeats: 1,
  });
  assert.equal(events.count, 3);
  assert.deepEqual(Array.from(events.bar.subarray(0, 3)), [0, 3, 4]);
  assert.deepEqual(Array.from(events.outcome.subarray(0, 3)), [
    SignalOutcome.Long,
    SignalOutcome.ShortFiltered,
    SignalOutcome.Short,
  ]);
  assert.deepEqual(Array.from(events.reason.subarray(0, 3)), [0, 1, 0]);
});

Deno.test("triggers are strict: touching LT or ST exactly is no signal", () => {
  const events = signalEvents(1);
  const stats = scanSignals({
    high: Float64Array.of(10),
    low: Float64Array.of(2),
    longTrigger: Float64Array.of(10),
    shortTrigger: Float64Array.of(2),
  }, { events });
  assert.equal(stats.longs + stats.shorts + stats.ambiguous, 0);
});

Deno.test("signal ids are deterministic and display ids keep the original style", () => {
  const openTime = Date.UTC(2024, 0, 15, 14, 30);
  const parts = { timeframe: "1h", openTime, side: "LONG" as const };
  assert.equal(signalId("BTCUSDT", parts), `BTCUSDT-1h-${openTime}-L`);
  assert.equal(signalId("BTCUSDT", parts), signalId("BTCUSDT", { ...parts }));
  assert.equal(
    displaySignalId("BTCUSDT", parts),
    "#Long_BTCUSDT_1h_15_01_2024_14_30",
  );
  assert.equal(
    displaySignalId("ETHUSDT", {
      timeframe: "30m",
      openTime: Date.UTC(2024, 10, 5, 3, 0),
      side: "SHORT",
    }),
    "#Short_ETHUSDT_30m_05_11_2024_03_00",
  );
});

Deno.test("same candles give the same signal ids in batch and incremental runs", async () => {
  const candles = await loadCandles(FIXTURES + "BTCUSDT-1h.csv.gz");
  const n = candles.close.length;
  const presets = INDICATOR_PRESETS.slice(40, 46); // short channels: many signals
  const batchIds: string[][] = [];
  const events = signalEvents(n);
  forEachPreset(candles, {
    presets,
    semantics: "pine",
    onPreset(position, triggers) {
      scanSignals({ high: candles.high, low: candles.low, ...triggers }, {
        events,
      });
      const ids: string[] = [];
      for (let k = 0; k < events.count; k++) {
        const t = events.bar[k]!;
        const side = events.outcome[k] === SignalOutcome.Long
          ? "LONG"
          : "SHORT";
        ids.push(
          signalId("BTCUSDT", {
            timeframe: "1h",
            openTime: candles.openTime[t]!,
            side,
          }),
        );
      }
      batchIds[position] = ids;
    },
  });
  for (const [position, params] of presets.entries()) {
    const indicator = new VelasIncremental(params, "pine");
    const machine = new SignalMachine({ symbol: "BTCUSDT", timeframe: "1h" });
    const ids: string[] = [];
    for (let t = 0; t < n; t++) {
      const candle: Candle = candleAt(candles, t);
      const v = indicator.update(candle);
      const step = machine.step(candle, { ...v, ...PASS });
      if (step.type === "emitted") ids.push(step.id);
    }
    assert.ok(ids.length > 2, `preset ${position} gives signals`);
    assert.deepEqual(ids, batchIds[position]);
  }
});

Deno.test("prepare signals fire once per approach towards a new direction", () => {
  const machine = new SignalMachine({
    symbol: "BTCUSDT",
    timeframe: "1h",
    prepare: { enabled: true, offsetPercent: 0.3 },
  });
  const triggers = { longTrigger: 100, shortTrigger: 50, ...PASS };
  const bar = (t: number, high: number): Candle => ({
    openTime: t,
    open: 90,
    high,
    low: 80,
    close: 90,
    volume: 1,
  });
  assert.deepEqual(machine.step(bar(0, 99.8), triggers), {
    type: "prepare",
    side: "LONG",
    openTime: 0,
    trigger: 100,
  });
  assert.equal(machine.step(bar(1, 99.9), triggers).type, "none");
  assert.equal(machine.step(bar(2, 95), triggers).type, "none");
  assert.equal(machine.step(bar(3, 99.8), triggers).type, "prepare");
  assert.equal(machine.step(bar(4, 101), triggers).type, "emitted");
  assert.equal(
    machine.step(bar(5, 99.8), triggers).type,
    "none",
    "already long",
  );
  assert.equal(machine.last, 1);
});
