/**
 * Child process for the state store's kill -9 test (`state_store_test.ts`): opens the store at
 * the path given as the first argument, prints `open` and commits steps in a loop until killed.
 * Step k writes {@link CANDLES_PER_STEP} candles, one signal, one outbox row and progress = k.
 *
 * @module
 */
import { StateStore } from "../../data/state_store.ts";

/** Candles each step writes. */
export const CANDLES_PER_STEP = 5;

if (import.meta.main) {
  const path = Deno.args[0];
  if (path === undefined) {
    throw new TypeError("Cannot run as the path is missing");
  }
  const store = StateStore.open(path);
  await Deno.stdout.write(new TextEncoder().encode("open\n"));
  for (let k = 1;; k++) {
    store.commitStep({
      candles: Array.from({ length: CANDLES_PER_STEP }, (_, i) => {
        const openTime = (k * CANDLES_PER_STEP + i) * 60_000;
        return {
          symbol: "BTCUSDT",
          timeframe: "1m",
          candle: {
            openTime,
            open: 1,
            high: 2,
            low: 0.5,
            close: 1.5,
            volume: k,
          },
        };
      }),
      progress: [{ seriesKey: "BTCUSDT:1m", lastOpenTime: k }],
      signals: [{
        id: `BTCUSDT-1m-${k}-L`,
        symbol: "BTCUSDT",
        timeframe: "1m",
        side: "LONG",
        barOpenTime: k,
        time: k + 1,
        price: 1.5,
        regime: "normal",
        presetHash: "h",
      }],
      decisions: [],
      fills: [],
      trades: [],
      positions: [],
      equity: [],
      portfolio: { step: k, padding: "x".repeat(2000) },
      outbox: [{
        key: `step:${k}`,
        kind: "signal",
        payload: { k },
        createdAt: k,
      }],
    });
  }
}
