/**
 * Parity, the central promise (DESIGN §1): the live daemon replaying real candles through the
 * replay exchange (REST warm-up, WebSocket stream, series actors in workers, portfolio actor,
 * SQLite) and `deno task backtest`'s code path over the same candles give identical signals,
 * decisions, fills, trades and equity.
 */
import { strict as assert } from "node:assert";
import { Daemon } from "../../actors/daemon.ts";
import type { FillRecord } from "../../core/backtest/records.ts";
import { DEFAULT_CONFIG } from "../../core/config.ts";
import type { Config } from "../../core/config.ts";
import type { CandleColumns } from "../../core/types.ts";
import { sliceCandles } from "../../core/types.ts";
import { resolvePresets } from "../../data/backtest_inputs.ts";
import { planSeries, runPlanned } from "../../data/backtest_run.ts";
import { BinanceRestClient } from "../../data/binance_rest.ts";
import { loadCandles } from "../../data/candle_loader.ts";
import { driveReplay, replayClock } from "../../data/replay_driver.ts";
import { startReplayExchange } from "../../data/replay_exchange.ts";
import { StateStore } from "../../data/state_store.ts";
import { RecordingNotifier } from "../fakes/recording_notifier.ts";
import { NEEDS_SHARED, SHARED_DATA, sharedFile } from "../shared_data.ts";

const HOUR = 3_600_000;
const SYMBOLS = ["BTCUSDT", "ETHUSDT", "SOLUSDT"];
const TIMEFRAMES = ["1h", "2h"];
/** Replay start: trading begins here; 500 bars of each series before it warm up. */
const START = Date.UTC(2024, 2, 1);
const END = Date.UTC(2024, 5, 1);

function columnsOf(candles: CandleColumns, from: number, to: number) {
  const times = candles.openTime;
  let a = 0;
  while (a < times.length && times[a]! < from) a++;
  let b = a;
  while (b < times.length && times[b]! < to) b++;
  return sliceCandles(candles, { start: a, end: b });
}

const close = (a: number, b: number) =>
  Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));

Deno.test({
  name:
    "the daemon replaying 3 months of 6 series gives the backtest's signals, decisions, fills, trades and equity" +
    NEEDS_SHARED,
  ignore: SHARED_DATA === undefined,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const config: Config = {
      ...DEFAULT_CONFIG,
      pairs: SYMBOLS,
      timeframes: TIMEFRAMES,
    };
    // Each series: 500 bars of warm-up before START, then three months.
    const series = SYMBOLS.flatMap((symbol) =>
      TIMEFRAMES.map((timeframe) => {
        const all = loadCandles(sharedFile(`${symbol}-${timeframe}.csv.gz`));
        const tf = timeframe === "1h" ? HOUR : 2 * HOUR;
        return {
          symbol,
          timeframe,
          candles: columnsOf(all, START - 600 * tf, END),
        };
      })
    );
    const exchange = await startReplayExchange({
      series,
      startTime: START,
      updatesPerCandle: 0,
    });
    const clock = replayClock(exchange, 1000);
    const store = StateStore.open(":memory:");
    const notifier = new RecordingNotifier();
    const presets = await resolvePresets(
      series.map(({ symbol, timeframe }) => ({ symbol, timeframe })),
      { source: { kind: "defaults" }, config, generatedAt: "2026-11-24" },
    );
    const daemon = new Daemon({
      config,
      presets,
      store,
      clock,
      rest: new BinanceRestClient({ baseUrl: exchange.restUrl, clock }),
      wsUrl: exchange.wsUrl,
      notifier,
      log: () => {},
      workers: 2,
    });
    try {
      await daemon.start();
      await driveReplay({
        exchange,
        end: END,
        step: HOUR,
        speed: "max",
        signal: new AbortController().signal,
        caughtUp: (time) =>
          daemon.portfolio!.waiting === 0 &&
          daemon.series.every((s) =>
            daemon.portfolio!.lastCloseOf(s.key) >=
              Math.floor(time / s.timeframeMs) * s.timeframeMs
          ),
      });
      await daemon.stop();

      // The backtest over exactly the candles the daemon stored, trading from START.
      const loaded = daemon.series.map((s) => {
        const rows = store.candles(s.symbol, s.timeframe);
        const col = (k: "open" | "high" | "low" | "close" | "volume") =>
          Float64Array.from(rows, (c) => c[k]);
        const candles: CandleColumns = {
          openTime: Float64Array.from(rows, (c) => c.openTime),
          open: col("open"),
          high: col("high"),
          low: col("low"),
          close: col("close"),
          volume: col("volume"),
        };
        return {
          symbol: s.symbol,
          timeframe: s.timeframe,
          file: "",
          candles,
          gaps: 0,
        };
      });
      const choices = {
        mode: "portfolio" as const,
        rule: config.ladder.same_bar_rule,
        entry: config.signals.entry,
        semantics: config.indicator.semantics,
        costs: true,
        from: START,
        to: Infinity,
        align: "asis" as const,
        warmupBars: config.data.warmup_bars,
      };
      const { planned } = planSeries(loaded, choices);
      const hourly = new Map(
        loaded.filter((l) => l.timeframe === "1h").map((l) => [
          l.symbol,
          { times: l.candles.openTime, closes: l.candles.close },
        ]),
      );
      const [result] = runPlanned(planned, {
        presets,
        config,
        choices,
        hourly,
        keepOpenAtEnd: true,
      }).results;
      assert.ok(result !== undefined);

      const signals = store.signals({ limit: 1_000_000 }).reverse();
      assert.ok(signals.length >= 20, `${signals.length} signals`);
      assert.deepEqual(
        signals.map((s) => s.id),
        result.decisions.map((d) => d.signalId),
        "the same signals, in the same order",
      );
      const decisions = signals.map((s) => s.decision!);
      assert.deepEqual(
        decisions.map((d) => [d.signalId, d.accepted, d.rule, d.detail]),
        result.decisions.map((d) => [d.signalId, d.accepted, d.rule, d.detail]),
      );
      decisions.forEach((d, i) => {
        assert.ok(close(d.heatPct, result.decisions[i]!.heatPct), d.signalId);
      });
      const trades = store.trades({ limit: 1_000_000 }).reverse();
      assert.ok(trades.length >= 5, `${trades.length} trades`);
      assert.deepEqual(
        trades.map((t) => [t.id, t.exitTime, t.exitReason, t.tpHits]),
        result.trades.map((t) => [t.id, t.exitTime, t.exitReason, t.tpHits]),
      );
      trades.forEach((t, i) => {
        const b = result.trades[i]!;
        assert.ok(close(t.pnlQuote, b.pnlQuote), `${t.id} pnl`);
        assert.ok(close(t.exitPrice, b.exitPrice), `${t.id} exit price`);
      });
      for (const t of result.trades) {
        const live = store.fills(t.id);
        const expected: FillRecord[] = result.fills.filter((f) =>
          f.tradeId === t.id
        );
        assert.deepEqual(
          live.map((f) => [f.time, f.kind, f.tpIndex]),
          expected.map((f) => [f.time, f.kind, f.tpIndex]),
          t.id,
        );
        live.forEach((f, i) => {
          const e = expected[i]!;
          assert.ok(close(f.price, e.price) && close(f.pnl, e.pnl), t.id);
          assert.ok(close(f.fee, e.fee) && close(f.quantity, e.quantity));
        });
      }
      const equity = daemon.portfolio!.book.equity();
      assert.ok(
        close(equity, result.finalEquity),
        `equity ${equity} vs ${result.finalEquity}`,
      );
      // Every accepted signal reached the notifier.
      const accepted = decisions.filter((d) => d.accepted).length;
      assert.equal(
        notifier.delivered.filter((r) => r.kind === "signal").length,
        accepted,
      );
    } finally {
      store.close();
      await exchange.close();
    }
  },
});
