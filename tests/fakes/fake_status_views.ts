/**
 * The remaining views of {@link FakeStatusSource}, built from the rows of
 * `fake_status_data.ts`: presets and pairs, analytics, the backtest reports (one rendered by the
 * real report writer), alerts in all three states, system events, metrics and the masked
 * config. Deterministic.
 *
 * @module
 */
import type { TradeRecord } from "../../core/backtest/records.ts";
import { renderBacktestReport } from "../../web/backtest_report.ts";
import type {
  AlertView,
  AnalyticsView,
  BacktestEntry,
  EquityView,
  MetricsSnapshot,
  PairView,
  PresetView,
  SignalView,
  SystemView,
} from "../../web/status_types.ts";
import {
  FAKE_NOW,
  FAKE_SERIES,
  FAKE_STALE_KEY,
  fakePresetHash,
} from "./fake_status_data.ts";

const HOUR = 3_600_000;
const DAY = 86_400_000;
const REGIMES = ["low", "normal", "high"] as const;

/** Three presets (low, normal, high) per series; BNBUSDT:2h high is inactive. */
export function fakePresets(): PresetView[] {
  return FAKE_SERIES.flatMap((s, i) =>
    REGIMES.map((regime, r): PresetView => {
      const key = `${s.symbol}:${s.timeframe}`;
      const active = !(key === "BNBUSDT:2h" && regime === "high");
      const index = (i * 7 + r * 13) % 60;
      return {
        symbol: s.symbol,
        timeframe: s.timeframe,
        regime,
        active,
        presetIndex: index,
        params: {
          i1: 10 + index % 20,
          i2: 2 + r,
          i3: 1.5 + r * 0.25,
          i4: 14,
          i5: 3,
        },
        hash: fakePresetHash(key, regime),
        evidence: active
          ? {
            walkForward: {
              windows: 6,
              profitableWindows: 4 + r % 2,
              testProfitFactor: 1.42,
            },
            robustness: { neighboursProfitable: 0.75 },
            monteCarlo: { p95DrawdownPct: 18.4 + r },
          }
          : null,
        notes: active
          ? []
          : ["walk-forward gate failed: 2 of 6 windows profitable"],
      };
    })
  );
}

/** Every series with the preset of its regime and its last candle (none for the stale one). */
export function fakePairs(presets: readonly PresetView[]): PairView[] {
  return FAKE_SERIES.map((s) => {
    const key = `${s.symbol}:${s.timeframe}`;
    const preset = presets.find((p) =>
      p.symbol === s.symbol && p.timeframe === s.timeframe &&
      p.regime === s.regime
    ) ?? null;
    const stale = key === FAKE_STALE_KEY;
    const ms = s.timeframe === "30m"
      ? HOUR / 2
      : s.timeframe === "2h"
      ? 2 * HOUR
      : HOUR;
    const openTime = Math.floor(FAKE_NOW / ms) * ms - ms -
      (stale ? 3 * HOUR : 0);
    return {
      key,
      symbol: s.symbol,
      timeframe: s.timeframe,
      sector: s.sector,
      regime: s.regime,
      presetHash: preset?.hash ?? null,
      preset,
      lastCandle: {
        openTime,
        open: s.price * 0.998,
        high: s.price * 1.004,
        low: s.price * 0.995,
        close: s.price,
        volume: 1234.5,
      },
      freshness: stale ? "stale" : "fresh",
    };
  });
}

/** Monthly returns, per-pair figures and a correlation matrix. */
export function fakeAnalytics(
  trades: readonly TradeRecord[],
  equity: EquityView,
): AnalyticsView {
  const monthly: { month: string; returnPct: number }[] = [];
  let base = equity.initialEquity;
  const points = equity.points;
  points.forEach((p, i) => {
    const month = new Date(p.time).toISOString().slice(0, 7);
    const next = points[i + 1];
    if (
      next === undefined ||
      new Date(next.time).toISOString().slice(0, 7) !== month
    ) {
      monthly.push({
        month,
        returnPct: Math.round((p.equity / base - 1) * 1e4) / 100,
      });
      base = p.equity;
    }
  });
  const symbols = [...new Set(FAKE_SERIES.map((s) => s.symbol))].sort();
  const perPair = symbols.map((symbol) => {
    const own = trades.filter((t) => t.symbol === symbol);
    const wins = own.filter((t) => t.pnlQuote > 0);
    const gross = wins.reduce((sum, t) => sum + t.pnlQuote, 0);
    const loss = -own.filter((t) => t.pnlQuote < 0).reduce(
      (sum, t) => sum + t.pnlQuote,
      0,
    );
    return {
      symbol,
      trades: own.length,
      winRatePct: own.length === 0
        ? 0
        : Math.round(wins.length / own.length * 1e4) / 100,
      pnlQuote: Math.round(own.reduce((sum, t) => sum + t.pnlQuote, 0) * 100) /
        100,
      profitFactor: loss === 0 ? null : Math.round(gross / loss * 100) / 100,
    };
  });
  const matrix = symbols.map((_, i) =>
    symbols.map((_, j) =>
      i === j ? 1 : Math.round((0.9 - Math.abs(i - j) * 0.12) * 100) / 100
    )
  );
  return { monthly, perPair, correlation: { symbols, matrix, days: 60 } };
}

const BACKTEST_NAME = "backtests/20261120-101500";
const OPTIMIZE_NAME = "optimize/20261101-080000";

/** The two reports: a backtest (rendered by the real writer) and an optimizer run. */
export function fakeBacktests(): BacktestEntry[] {
  return [
    {
      name: BACKTEST_NAME,
      kind: "backtest",
      time: Date.UTC(2026, 10, 20, 10, 15),
      url: `/reports/${BACKTEST_NAME}/report.html`,
    },
    {
      name: OPTIMIZE_NAME,
      kind: "optimize",
      time: Date.UTC(2026, 10, 1, 8, 0),
      url: `/reports/${OPTIMIZE_NAME}/report.html`,
    },
  ];
}

/** The report files by `name/file`. */
export function fakeReportFiles(
  trades: readonly TradeRecord[],
  equity: EquityView,
): Map<string, string> {
  const symbols = [...new Set(trades.map((t) => t.symbol))].sort();
  const html = renderBacktestReport({
    symbols,
    timeframes: ["30m", "1h", "2h"],
    start: equity.points[0]?.time ?? 0,
    end: equity.points[equity.points.length - 1]?.time ?? 0,
    metrics: [
      { label: "Trades", value: String(trades.length) },
      {
        label: "Final equity",
        value: String(equity.points.at(-1)?.equity ?? 0),
      },
    ],
    equity: equity.points,
    seriesTable: {
      header: ["Symbol", "Trades"],
      rows: symbols.map((s) => [s, "1"]),
    },
    exitReasonTable: {
      header: ["Reason", "Trades"],
      rows: [["tp6", "8"], ["stop", "8"]],
    },
    monthlyReturns: [],
    sameBar: { rule: "stop-first", bars: 5 },
  });
  return new Map([
    [`${BACKTEST_NAME}/report.html`, html],
    [
      `${OPTIMIZE_NAME}/report.html`,
      '<!doctype html><html><head><meta charset="utf-8"><title>VELAS optimize</title></head><body><h1>VELAS optimize</h1><p>180 preset files written.</p></body></html>',
    ],
  ]);
}

/** Twelve alerts, newest first: sent, queued and failed ones. */
export function fakeAlerts(signals: readonly SignalView[]): AlertView[] {
  const kinds = ["signal", "tp", "refused", "stop", "stale", "summary"];
  return Array.from({ length: 12 }, (_, i): AlertView => {
    const state = i === 0 || i === 1 ? "queued" : i === 4 ? "failed" : "sent";
    const kind = kinds[i % kinds.length]!;
    const signal = signals[i % signals.length]!;
    const createdAt = FAKE_NOW - (i + 1) * 47 * 60_000;
    return {
      id: 200 - i,
      key: kind === "stale"
        ? `stale:${FAKE_STALE_KEY}:${createdAt}`
        : `${kind}:${signal.id}`,
      kind,
      createdAt,
      state,
      sentAt: state === "sent" ? createdAt + 1_200 : null,
      attempts: state === "failed" ? 5 : state === "sent" ? 1 : 0,
      lastError: state === "failed" ? "Bad Request: chat not found" : null,
      messageId: state === "sent" ? 9000 - i : null,
      text: kind === "stale"
        ? `⚠️ ${FAKE_STALE_KEY} is stale: no closed candle for 3h`
        : `${
          signal.side === "LONG" ? "🟢" : "🔴"
        } ${signal.symbol} ${signal.timeframe} ${kind}`,
    };
  });
}

/** Actors, connections, recent events and resource figures. */
export function fakeSystem(): SystemView {
  const levels = ["info", "info", "warn", "info", "error", "info"] as const;
  const kinds = [
    "reconnect",
    "backfill",
    "stale",
    "restart",
    "telegram",
    "start",
  ];
  return {
    actors: fakeActors(),
    connections: fakeConnections(),
    events: Array.from({ length: 10 }, (_, i) => ({
      id: 500 - i,
      time: FAKE_NOW - i * 2 * HOUR,
      level: levels[i % levels.length]!,
      kind: kinds[i % kinds.length]!,
      message: `${kinds[i % kinds.length]} event ${500 - i}`,
    })),
    memory: { rssBytes: 187_432_960, heapUsedBytes: 61_210_624 },
    latency: { samples: 420, p50Ms: 38, p99Ms: 912 },
    database: { path: "./data/velas.sqlite", sizeBytes: 24_510_464 },
  };
}

/** The actors of the fake daemon. */
export function fakeActors(): { name: string; state: string }[] {
  return [
    ...FAKE_SERIES.map((s) => ({
      name: `${s.symbol}:${s.timeframe}`,
      state: `${s.symbol}:${s.timeframe}` === FAKE_STALE_KEY
        ? "degraded"
        : "running",
    })),
    { name: "portfolio", state: "running" },
    { name: "notifier", state: "running" },
    { name: "stream", state: "running" },
  ];
}

/** Two WebSocket connections. */
export function fakeConnections(): SystemView["connections"] {
  return [
    { id: 1, streams: 12, state: "open", openedAt: FAKE_NOW - 20 * HOUR },
    { id: 2, streams: 9, state: "open", openedAt: FAKE_NOW - 3 * DAY },
  ];
}

/** Figures consistent with the signals. */
export function fakeMetrics(signals: readonly SignalView[]): MetricsSnapshot {
  const refusalsByRule: Record<string, number> = {};
  for (const s of signals) {
    if (s.decision !== null && !s.decision.accepted) {
      refusalsByRule[s.decision.rule] = (refusalsByRule[s.decision.rule] ?? 0) +
        1;
    }
  }
  return {
    candlesProcessed: 18_432,
    signals: signals.length,
    signalsAccepted:
      signals.filter((s) => s.decision?.accepted === true).length,
    refusalsByRule,
    openPositions: 2,
    heatPct: 2.75,
    equity: 10_482.31,
    telegram: { sent: 187, failed: 1, queued: 2 },
    wsReconnects: 3,
    staleSeries: 1,
    uptimeSeconds: 259_200,
    latency: {
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      counts: [120, 260, 380, 405, 414, 419, 420],
      sum: 61.37,
      count: 420,
    },
  };
}

/** The resolved config with the Telegram token masked. */
export function fakeConfig(): unknown {
  return {
    pairs: [...new Set(FAKE_SERIES.map((s) => s.symbol))],
    timeframes: ["30m", "1h", "2h"],
    display_timezone: "Europe/Berlin",
    portfolio: {
      max_positions: 5,
      max_heat_pct: 6,
      max_per_sector: 2,
      leverage: 10,
    },
    telegram: { enabled: true, token: "***", chat_id: "-100123456" },
    web: { host: "127.0.0.1", port: 8080 },
  };
}
