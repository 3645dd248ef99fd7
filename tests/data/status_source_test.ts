/**
 * The status API over a real daemon: the bundled replay runs in-process, then every figure the
 * routes return is compared with the daemon's SQLite state and its portfolio (positions, signals
 * with decisions, trades, fills, equity, counts, outbox, metrics), and the report files of the
 * data directory are served in place and never outside it. Plus the pure view helpers.
 */
import { strict as assert } from "node:assert";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { portfolioHeatPercent } from "../../core/portfolio.ts";
import type { OutboxRow } from "../../core/state_types.ts";
import { LiveStatusSource } from "../../data/status_source.ts";
import {
  alertView,
  freshnessOf,
  maskSecrets,
  seriesOfId,
} from "../../data/status_views.ts";
import { createStatusApp } from "../../web/status_app.ts";
import type {
  AlertView,
  EquityView,
  Page,
  PositionView,
  SignalView,
  StatusSnapshot,
} from "../../web/status_types.ts";
import type { TradeRecord } from "../../core/backtest/records.ts";
import { parsePrometheusText } from "../fakes/prometheus_parser.ts";
import { runDaemonReplay } from "../fakes/daemon_run.ts";

const HOUR = 3_600_000;

Deno.test("a series is fresh until its next candle is a minute overdue, then late, then stale after two intervals", () => {
  const close = 10 * HOUR;
  assert.deepEqual(freshnessOf(-Infinity, HOUR, close), {
    freshness: "waiting",
    lagMs: 0,
  });
  assert.deepEqual(freshnessOf(close, HOUR, close + HOUR + 59_999), {
    freshness: "fresh",
    lagMs: 0,
  });
  assert.deepEqual(freshnessOf(close, HOUR, close + HOUR + 60_000), {
    freshness: "late",
    lagMs: 60_000,
  });
  assert.deepEqual(freshnessOf(close, HOUR, close + 2 * HOUR + 60_000), {
    freshness: "stale",
    lagMs: HOUR + 60_000,
  });
});

Deno.test("masking replaces secret-looking keys and every known secret value, leaving the rest", () => {
  const masked = maskSecrets(
    {
      telegram: { chat_id: "-100123", bot_token: "abc" },
      web: { host: "0.0.0.0", api_key: "k" },
      note: "uses 123:SECRET in a url",
      list: ["123:SECRET", 5],
    },
    ["123:SECRET", ""],
  );
  assert.deepEqual(masked, {
    telegram: { chat_id: "-100123", bot_token: "***" },
    web: { host: "0.0.0.0", api_key: "***" },
    note: "uses *** in a url",
    list: ["***", 5],
  });
});

Deno.test("an outbox row is queued, sending, sent or failed by its stored delivery state", () => {
  const row: OutboxRow = {
    id: 1,
    key: "alert:x",
    kind: "alert",
    payload: { level: "error", message: "BTCUSDT:1h degraded" },
    createdAt: 0,
    sentAt: null,
    messageId: null,
    attempts: 0,
    lastError: null,
    inFlight: null,
  };
  const dispatch = { language: "en" as const, exchangeLine: "" };
  assert.equal(alertView(row, dispatch).state, "queued");
  assert.equal(alertView({ ...row, sentAt: 5 }, dispatch).state, "sent");
  assert.equal(
    alertView({ ...row, inFlight: { since: 1 } }, dispatch).state,
    "sending",
  );
  assert.equal(
    alertView({ ...row, sentAt: 5, lastError: "400: chat not found" }, dispatch)
      .state,
    "failed",
  );
  assert.equal(
    alertView({ ...row, sentAt: 5, messageId: 9, lastError: "502" }, dispatch)
      .state,
    "sent",
  );
  assert.match(alertView(row, dispatch).text, /BTCUSDT:1h degraded/);
  assert.deepEqual(seriesOfId("BTCUSDT-30m-1778913000000-S"), {
    symbol: "BTCUSDT",
    timeframe: "30m",
  });
  assert.equal(seriesOfId("fill:x"), undefined);
});

async function json<T>(
  app: ReturnType<typeof createStatusApp>,
  path: string,
): Promise<T> {
  const response = await app.request(path);
  assert.equal(
    response.status,
    200,
    `${path}: ${await response.clone().text()}`,
  );
  return await response.json() as T;
}

Deno.test("after a replay every figure of the status API equals the daemon's SQLite state and portfolio", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "velas-status-"));
  try {
    mkdirSync(join(dataDir, "backtests", "20261124-101500"), {
      recursive: true,
    });
    writeFileSync(
      join(dataDir, "backtests", "20261124-101500", "report.html"),
      "<!doctype html><title>report</title>",
    );
    writeFileSync(join(dataDir, "secret.txt"), "not served");
    let checked = false;
    await runDaemonReplay({
      beforeStop: async ({ daemon, store, clock, config, presets }) => {
        const source = new LiveStatusSource({
          daemon,
          store,
          config,
          clock,
          mode: "replay",
          version: "test",
          telegramEnabled: false,
          presets,
          dataDir,
          secrets: ["123:SECRET"],
          dispatch: {
            language: "en",
            exchangeLine: "Exchanges: Binance Futures",
          },
        });
        try {
          const app = createStatusApp({ source });
          const book = daemon.portfolio!.book;

          const status = await json<StatusSnapshot>(app, "/api/status");
          assert.deepEqual(status.counts, store.counts());
          assert.equal(status.portfolio.equity, book.equity());
          assert.equal(
            status.portfolio.heatPct,
            portfolioHeatPercent(book.openViews(), book.equity()),
          );
          assert.equal(status.series.length, daemon.series.length);
          for (const s of status.series) {
            assert.equal(
              s.lastCloseTime,
              daemon.portfolio!.lastCloseOf(s.key),
              s.key,
            );
          }

          const positions = await json<PositionView[]>(app, "/api/positions");
          const stored = store.openPositions();
          assert.ok(stored.length > 0, "the replay ends with an open position");
          assert.deepEqual(
            positions.map((p) => p.tradeId),
            stored.map((p) => p.tradeId),
          );
          for (const [i, p] of positions.entries()) {
            const state = stored[i]!.state as {
              position: {
                entryPrice: number;
                stop: number;
                tp: number[];
                tpFilled: number;
                remaining: number;
              };
            };
            assert.equal(p.entryPrice, state.position.entryPrice);
            assert.equal(p.stop, state.position.stop);
            assert.deepEqual(p.tp, state.position.tp);
            assert.equal(p.tpFilled, state.position.tpFilled);
            assert.equal(p.remaining, state.position.remaining);
            assert.deepEqual(p.fills, store.fills(p.tradeId));
            assert.equal(p.stopHistory.at(-1)?.stop, p.stop);
            const last = store.candles(p.symbol, p.timeframe, { limit: 1 })[0]!;
            assert.equal(p.lastPrice, last.close);
          }

          const signals = await json<Page<SignalView>>(
            app,
            "/api/signals?limit=1000",
          );
          const storedSignals = store.signals();
          assert.equal(signals.total, storedSignals.length);
          assert.deepEqual(
            signals.rows,
            storedSignals.map((s) => ({ ...s, decision: s.decision ?? null })),
          );
          const refused = await json<Page<SignalView>>(
            app,
            "/api/signals?accepted=false&limit=1000",
          );
          assert.equal(
            refused.total,
            storedSignals.filter((s) => s.decision?.accepted === false).length,
          );

          const trades = await json<Page<TradeRecord>>(
            app,
            "/api/trades?limit=1000",
          );
          assert.deepEqual(trades.rows, store.trades());
          assert.ok(trades.total > 0);
          const btc = await json<Page<TradeRecord>>(
            app,
            "/api/trades?symbol=BTCUSDT&limit=1000",
          );
          assert.deepEqual(
            btc.rows,
            store.trades().filter((t) => t.symbol === "BTCUSDT"),
          );

          const equity = await json<EquityView>(app, "/api/equity");
          assert.deepEqual(
            equity.points.map(({ time, equity }) => ({ time, equity })),
            store.equity(),
          );

          const alerts = await json<Page<AlertView>>(
            app,
            "/api/alerts?limit=1000",
          );
          const outbox = store.outbox({ limit: 1_000_000 });
          assert.equal(alerts.total, outbox.length);
          assert.deepEqual(
            alerts.rows.map((a) => a.key),
            outbox.map((r) => r.key),
          );
          assert.ok(alerts.rows.every((a) => a.state === "sent"));
          const signalText = alerts.rows.find((a) => a.kind === "signal")?.text;
          assert.match(signalText ?? "", /Exchanges: Binance Futures/);

          const metrics = parsePrometheusText(
            await (await app.request("/metrics")).text(),
          );
          const sample = (name: string, labels: Record<string, string> = {}) =>
            [...metrics.values()].flatMap((f) => f.samples).find((s) =>
              s.name === name &&
              Object.entries(labels).every(([k, v]) => s.labels[k] === v)
            )?.value;
          assert.equal(sample("velas_signals_total"), storedSignals.length);
          const byRule = new Map<string, number>();
          for (const s of storedSignals) {
            if (s.decision?.accepted === false) {
              byRule.set(
                s.decision.rule,
                (byRule.get(s.decision.rule) ?? 0) + 1,
              );
            }
          }
          for (const [rule, n] of byRule) {
            assert.equal(sample("velas_refusals_total", { rule }), n, rule);
          }
          assert.equal(sample("velas_open_positions"), stored.length);

          const analytics = await json<{ perPair: { trades: number }[] }>(
            app,
            "/api/analytics",
          );
          assert.equal(
            analytics.perPair.reduce((n, p) => n + p.trades, 0),
            store.trades().length,
          );

          const reports = await json<{ name: string; url: string }[]>(
            app,
            "/api/backtests",
          );
          assert.deepEqual(reports.map((r) => r.name), [
            "backtests/20261124-101500",
          ]);
          const report = await app.request(reports[0]!.url);
          assert.equal(report.status, 200);
          assert.match(await report.text(), /<title>report<\/title>/);
          assert.equal(
            source.backtestFile("backtests/..", "secret.txt"),
            undefined,
          );
          assert.equal(source.backtestFile("..", "secret.txt"), undefined);
          assert.equal(
            source.backtestFile(
              "backtests/20261124-101500",
              "../../secret.txt",
            ),
            undefined,
          );
          checked = true;
        } finally {
          source.close();
        }
      },
    });
    assert.ok(checked);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
