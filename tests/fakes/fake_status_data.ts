/**
 * Deterministic trading data for {@link FakeStatusSource}: seven series (XRPUSDT:1h stale), two
 * open positions with ladders, stop history and fills, 36 signals with accepted and refused
 * decisions, 48 closed trades over five months with their fills, and the daily equity those
 * trades make. Everything derives from a fixed seed and {@link FAKE_NOW}, so every run (and the
 * browser tests) see the same rows.
 *
 * @module
 */
import type {
  DecisionRecord,
  FillRecord,
  TradeRecord,
} from "../../core/backtest/records.ts";
import { createRandom } from "../../core/random.ts";
import type { Side } from "../../core/types.ts";
import type {
  EquityView,
  PositionView,
  SeriesHealth,
  SignalView,
} from "../../web/status_types.ts";

/** The fake daemon's clock: 2026-11-24 12:00:30 UTC. */
export const FAKE_NOW = Date.UTC(2026, 10, 24, 12, 0, 30);
/** The fake daemon started three days before {@link FAKE_NOW}. */
export const FAKE_STARTED_AT = FAKE_NOW - 3 * 86_400_000;
/** Equity before the first trade. */
export const FAKE_INITIAL_EQUITY = 10_000;

const HOUR = 3_600_000;
const DAY = 86_400_000;
const TF_MS: Readonly<Record<string, number>> = {
  "30m": HOUR / 2,
  "1h": HOUR,
  "2h": 2 * HOUR,
};

/** One watched series of the fake. */
export interface FakeSeries {
  readonly symbol: string;
  readonly timeframe: string;
  readonly sector: string;
  readonly regime: "low" | "normal" | "high";
  readonly price: number;
}

/** The seven series; XRPUSDT:1h is the stale one. */
export const FAKE_SERIES: readonly FakeSeries[] = [
  {
    symbol: "BTCUSDT",
    timeframe: "1h",
    sector: "BTC",
    regime: "normal",
    price: 97_250.5,
  },
  {
    symbol: "ETHUSDT",
    timeframe: "1h",
    sector: "ETH",
    regime: "high",
    price: 3_612.25,
  },
  {
    symbol: "SOLUSDT",
    timeframe: "30m",
    sector: "L1",
    regime: "normal",
    price: 241.38,
  },
  {
    symbol: "BNBUSDT",
    timeframe: "2h",
    sector: "CEX",
    regime: "low",
    price: 655.1,
  },
  {
    symbol: "XRPUSDT",
    timeframe: "1h",
    sector: "OLD",
    regime: "normal",
    price: 1.4321,
  },
  {
    symbol: "DOGEUSDT",
    timeframe: "30m",
    sector: "MEME",
    regime: "high",
    price: 0.41234,
  },
  {
    symbol: "ADAUSDT",
    timeframe: "2h",
    sector: "OLD",
    regime: "low",
    price: 1.0512,
  },
];

/** The key of the stale series. */
export const FAKE_STALE_KEY = "XRPUSDT:1h";

function tfMs(timeframe: string): number {
  return TF_MS[timeframe] ?? HOUR;
}

/** Open time of the last candle closed at `time` for the timeframe. */
function lastOpen(time: number, timeframe: string): number {
  const ms = tfMs(timeframe);
  return Math.floor(time / ms) * ms - ms;
}

/** Preset hash of a series in a regime (stable, hex-looking). */
export function fakePresetHash(key: string, regime: string): string {
  let h = 2166136261;
  for (const ch of `${key}/${regime}`) {
    h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
  }
  return h.toString(16).padStart(8, "0") + "c0ffee42";
}

/** The health strip at {@link FAKE_NOW}. */
export function fakeSeriesHealth(): SeriesHealth[] {
  return FAKE_SERIES.map((s) => {
    const key = `${s.symbol}:${s.timeframe}`;
    const stale = key === FAKE_STALE_KEY;
    const open = lastOpen(FAKE_NOW, s.timeframe) - (stale ? 3 * HOUR : 0);
    return {
      key,
      symbol: s.symbol,
      timeframe: s.timeframe,
      lastCloseTime: open + tfMs(s.timeframe) - 1,
      lagMs: stale ? 3 * HOUR + 30_000 : 0,
      freshness: stale ? "stale" : "fresh",
      actor: stale ? "degraded" : "running",
      backfilling: false,
      regime: s.regime,
    };
  });
}

function signalId(s: FakeSeries, openTime: number, side: Side): string {
  return `${s.symbol}-${s.timeframe}-${openTime}-${
    side === "LONG" ? "L" : "S"
  }`;
}

function ladder(entry: number, side: Side, step: number): number[] {
  const dir = side === "LONG" ? 1 : -1;
  return [1, 2, 3, 4, 5, 6].map((k) => round(entry * (1 + dir * step * k)));
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

/** The two open positions: BTCUSDT:1h LONG past TP2, ETHUSDT:1h SHORT just entered. */
export function fakePositions(): PositionView[] {
  const btc = FAKE_SERIES[0]!;
  const eth = FAKE_SERIES[1]!;
  const btcOpen = lastOpen(FAKE_NOW, "1h") - 40 * HOUR;
  const btcId = signalId(btc, btcOpen, "LONG");
  const btcEntry = 94_120.5;
  const btcTp = ladder(btcEntry, "LONG", 0.008);
  const btcQty = 0.05;
  const tpFill = (k: number, time: number): FillRecord => ({
    tradeId: btcId,
    time,
    kind: "tp",
    tpIndex: k,
    price: btcTp[k - 1]!,
    quantity: round(btcQty / 6),
    fee: round((btcTp[k - 1]! * btcQty / 6) * 0.0004),
    pnl: round((btcTp[k - 1]! - btcEntry) * btcQty / 6),
  });
  const btcFills: FillRecord[] = [
    {
      tradeId: btcId,
      time: btcOpen + HOUR,
      kind: "entry",
      price: btcEntry,
      quantity: btcQty,
      fee: round(btcEntry * btcQty * 0.0004),
      pnl: 0,
    },
    tpFill(1, btcOpen + 9 * HOUR),
    tpFill(2, btcOpen + 22 * HOUR),
  ];
  const ethOpen = lastOpen(FAKE_NOW, "1h") - 5 * HOUR;
  const ethId = signalId(eth, ethOpen, "SHORT");
  const ethEntry = 3_655.8;
  return [
    {
      tradeId: btcId,
      symbol: btc.symbol,
      timeframe: btc.timeframe,
      side: "LONG",
      sector: btc.sector,
      regime: "normal",
      entryTime: btcOpen + HOUR,
      entryPrice: btcEntry,
      quantity: btcQty,
      notional: round(btcEntry * btcQty),
      tp: btcTp,
      tpFilled: 2,
      stop: btcTp[0]!,
      initialStop: 92_240.1,
      remaining: round(4 / 6),
      lastPrice: btc.price,
      unrealizedPct: round((btc.price / btcEntry - 1) * 100),
      realizedPnl: round(btcFills.reduce((sum, f) => sum + f.pnl, 0)),
      stopHistory: [
        { time: btcOpen + HOUR, stop: 92_240.1, reason: "entry" },
        { time: btcOpen + 9 * HOUR, stop: btcEntry, reason: "breakeven" },
        { time: btcOpen + 22 * HOUR, stop: btcTp[0]!, reason: "tp1" },
      ],
      fills: btcFills,
    },
    {
      tradeId: ethId,
      symbol: eth.symbol,
      timeframe: eth.timeframe,
      side: "SHORT",
      sector: eth.sector,
      regime: "high",
      entryTime: ethOpen + HOUR,
      entryPrice: ethEntry,
      quantity: 0.8,
      notional: round(ethEntry * 0.8),
      tp: ladder(ethEntry, "SHORT", 0.01),
      tpFilled: 0,
      stop: 3_730.9,
      initialStop: 3_730.9,
      remaining: 1,
      lastPrice: eth.price,
      unrealizedPct: round((1 - eth.price / ethEntry) * 100),
      realizedPnl: 0,
      stopHistory: [{ time: ethOpen + HOUR, stop: 3_730.9, reason: "entry" }],
      fills: [{
        tradeId: ethId,
        time: ethOpen + HOUR,
        kind: "entry",
        price: ethEntry,
        quantity: 0.8,
        fee: round(ethEntry * 0.8 * 0.0004),
        pnl: 0,
      }],
    },
  ];
}

const RULES = [
  "max-positions",
  "heat",
  "sector",
  "correlation",
  "symbol-open",
  "series-open",
];

/** 36 signals over the last 30 days, newest first; the newest has no decision yet. */
export function fakeSignals(): SignalView[] {
  const random = createRandom(20261124);
  const out: SignalView[] = [];
  for (let i = 0; i < 36; i++) {
    const s = FAKE_SERIES[i % FAKE_SERIES.length]!;
    const side: Side = random() < 0.55 ? "LONG" : "SHORT";
    const openTime = lastOpen(FAKE_NOW - i * 20 * HOUR, s.timeframe) -
      (i % 3) * tfMs(s.timeframe);
    const time = openTime + tfMs(s.timeframe);
    const id = signalId(s, openTime, side);
    const price = round(s.price * (1 + (random() - 0.5) * 0.1));
    const accepted = i % 3 !== 1;
    const rule = accepted ? "" : RULES[Math.floor(i / 3) % RULES.length]!;
    const decision: DecisionRecord | null = i === 0 ? null : {
      time,
      signalId: id,
      symbol: s.symbol,
      timeframe: s.timeframe,
      side,
      accepted,
      rule,
      detail: accepted ? "" : `${rule} limit reached (${i % 4 + 2} open)`,
      heatPct: round(random() * 6),
      openPositions: i % 5,
    };
    out.push({
      id,
      symbol: s.symbol,
      timeframe: s.timeframe,
      side,
      barOpenTime: openTime,
      time,
      price,
      regime: s.regime,
      presetHash: fakePresetHash(`${s.symbol}:${s.timeframe}`, s.regime),
      decision,
    });
  }
  return out.sort((a, b) => b.time - a.time || a.id.localeCompare(b.id));
}

const REASONS = ["tp6", "stop", "tp", "breakeven", "trailing-stop", "signal"];

/** 48 closed trades from July to November 2026 over every symbol, newest exit first. */
export function fakeTrades(): TradeRecord[] {
  const random = createRandom(42);
  const out: TradeRecord[] = [];
  const start = Date.UTC(2026, 6, 1);
  for (let i = 0; i < 48; i++) {
    const s = FAKE_SERIES[(i * 3) % FAKE_SERIES.length]!;
    const side: Side = i % 4 === 1 ? "SHORT" : "LONG";
    const ms = tfMs(s.timeframe);
    const openTime = Math.floor((start + i * 2.9 * DAY) / ms) * ms;
    const barsHeld = 3 + Math.floor(random() * 40);
    const reason = REASONS[i % REASONS.length]!;
    const tpHits = reason === "tp6" ? 6 : reason === "stop" ? 0 : 1 + (i % 4);
    const pnlPct = reason === "stop"
      ? -round(1 + random() * 1.5)
      : round((tpHits - 1) * 0.6 + random() * 1.2 - 0.3);
    const entryPrice = round(s.price * (0.85 + random() * 0.3));
    const notional = round(800 + random() * 1200);
    const fees = round(notional * 0.0008);
    const funding = round((random() - 0.5) * 0.6);
    const dir = side === "LONG" ? 1 : -1;
    out.push({
      id: signalId(s, openTime, side),
      seriesKey: `${s.symbol}:${s.timeframe}`,
      symbol: s.symbol,
      timeframe: s.timeframe,
      side,
      entryTime: openTime + ms,
      entryPrice,
      exitTime: openTime + ms * (1 + barsHeld),
      exitPrice: round(entryPrice * (1 + dir * pnlPct / 100)),
      exitReason: reason,
      tpHits,
      pnlQuote: round(notional * pnlPct / 100 - fees + funding),
      pnlPct,
      feesQuote: fees,
      fundingQuote: funding,
      notional,
      barsHeld,
      sameBarDecided: i % 11 === 0 ? 1 : 0,
      regime: s.regime,
      presetHash: fakePresetHash(`${s.symbol}:${s.timeframe}`, s.regime),
    });
  }
  return out.sort((a, b) =>
    b.exitTime - a.exitTime || a.id.localeCompare(b.id)
  );
}

/** The fills of a closed trade: entry, its TPs, then the last exit. */
export function fakeTradeFills(trade: TradeRecord): FillRecord[] {
  const qty = round(trade.notional / trade.entryPrice);
  const fee = round(trade.feesQuote / 2);
  const fills: FillRecord[] = [{
    tradeId: trade.id,
    time: trade.entryTime,
    kind: "entry",
    price: trade.entryPrice,
    quantity: qty,
    fee,
    pnl: 0,
  }];
  const step = (trade.exitTime - trade.entryTime) / (trade.tpHits + 1);
  const dir = trade.side === "LONG" ? 1 : -1;
  for (let k = 1; k <= trade.tpHits && k < 6; k++) {
    const price = round(trade.entryPrice * (1 + dir * 0.006 * k));
    fills.push({
      tradeId: trade.id,
      time: Math.round(trade.entryTime + step * k),
      kind: "tp",
      tpIndex: k,
      price,
      quantity: round(qty / 6),
      fee: 0,
      pnl: round(dir * (price - trade.entryPrice) * qty / 6),
    });
  }
  fills.push({
    tradeId: trade.id,
    time: trade.exitTime,
    kind: trade.exitReason === "tp6"
      ? "tp"
      : trade.exitReason === "signal"
      ? "close"
      : "stop",
    ...(trade.exitReason === "tp6" ? { tpIndex: 6 } : {}),
    price: trade.exitPrice,
    quantity: round(qty * (1 - Math.min(trade.tpHits, 5) / 6)),
    fee,
    pnl: round(dir * (trade.exitPrice - trade.entryPrice) * qty / 2),
  });
  return fills;
}

/** One point per UTC day from 2026-07-01 to the day of {@link FAKE_NOW}. */
export function fakeEquity(trades: readonly TradeRecord[]): EquityView {
  const points: { time: number; equity: number; drawdownPct: number }[] = [];
  let peak = FAKE_INITIAL_EQUITY;
  for (let day = Date.UTC(2026, 6, 1); day <= FAKE_NOW; day += DAY) {
    const pnl = trades.filter((t) => t.exitTime < day + DAY).reduce(
      (sum, t) => sum + t.pnlQuote,
      0,
    );
    const equity = round(FAKE_INITIAL_EQUITY + pnl);
    peak = Math.max(peak, equity);
    points.push({
      time: day,
      equity,
      drawdownPct: round((1 - equity / peak) * 100),
    });
  }
  return { initialEquity: FAKE_INITIAL_EQUITY, points };
}
