/**
 * Outbox rows for the Telegram tests: the LONG BTCUSDT signal of spec §11.1, its fills and trade,
 * and the burst of 60 signals and 300 updates (TP1-3, stop, summary per trade) of issue 8's
 * acceptance; plus a sliding-window counter to check the per-chat limits.
 *
 * @module
 */
import type { OutboxItem } from "../../core/state_types.ts";

/** The time of the fixture messages (2024-01-15 14:30 UTC). */
export const T0: number = Date.UTC(2024, 0, 15, 14, 30);
/** The six take-profit prices of the LONG example. */
export const TPS: readonly number[] = [
  42925,
  43350,
  43775,
  44200,
  45687.5,
  48450,
];
/** The share of the position each take-profit closes. */
export const SHARES: readonly number[] = [0.2, 0.2, 0.15, 0.15, 0.15, 0.15];

/** A LONG BTCUSDT 1h signal at 42500 (spec §11.1's example), entry shifted by `shift`. */
export function signalPayload(tradeId = "BTCUSDT-1h-1-L", shift = 0) {
  return {
    id: tradeId,
    symbol: "BTCUSDT",
    timeframe: "1h",
    side: "LONG",
    barOpenTime: T0,
    time: T0,
    price: 42500 + shift,
    regime: "normal",
    presetHash: "h",
    entry: 42500 + shift,
    tps: TPS.map((p) => p + shift),
    stop: 38887.5 + shift,
    leverage: 10,
  };
}

/** The position state after `tpFilled` take-profits (cascading stop), entry shifted by `shift`. */
export function positionAfter(tpFilled: number, shift = 0) {
  const stop = tpFilled === 0
    ? 38887.5
    : tpFilled === 1
    ? 42500
    : TPS[tpFilled - 2]!;
  const filled = SHARES.slice(0, tpFilled).reduce((a, b) => a + b, 0);
  return {
    side: "LONG",
    referencePrice: 42500 + shift,
    entryPrice: 42500 + shift,
    quantity: 0.1,
    tp: TPS.map((p) => p + shift),
    shares: SHARES,
    initialStop: 38887.5 + shift,
    stop: stop + shift,
    tpFilled,
    remaining: 1 - filled,
  };
}

/** A closed LONG BTCUSDT trade record. */
export function tradeRecord(
  tradeId: string,
  exitReason: string,
  tpHits: number,
) {
  return {
    id: tradeId,
    symbol: "BTCUSDT",
    timeframe: "1h",
    side: "LONG",
    entryTime: T0,
    entryPrice: 42500,
    exitTime: T0 + 5 * 3_600_000,
    exitPrice: 38868.06,
    exitReason,
    tpHits,
    pnlQuote: -365.13,
    pnlPct: -8.59,
    notional: 4250,
  };
}

/** The outbox payload of a fill: the fill and its trade. */
export function fillPayload(
  fill: { kind: string; tpIndex?: number; price: number; quantity: number },
  trade: { position: unknown; closed: unknown; tradeId?: string },
) {
  const tradeId = trade.tradeId ?? "BTCUSDT-1h-1-L";
  return {
    fill: {
      tradeId,
      time: T0,
      fee: 2,
      pnl: (fill.price - 42500) * fill.quantity,
      ...fill,
    },
    trade: {
      symbol: "BTCUSDT",
      timeframe: "1h",
      side: "LONG",
      entryPrice: 42500,
      position: trade.position,
      closed: trade.closed,
    },
  };
}

/** The most messages whose receive times lie within `windowMs` of each other. */
export function mostInWindow(
  times: readonly number[],
  windowMs = 60_000,
): number {
  let most = 0;
  for (let start = 0, end = 0; end < times.length; end++) {
    while (times[end]! - times[start]! >= windowMs) start++;
    most = Math.max(most, end - start + 1);
  }
  return most;
}

/** 60 trades: each a signal, TP1, TP2, TP3, a stop at TP2 and the summary; signals come in bursts. */
export function burstOutbox(): OutboxItem[] {
  const signal = (i: number): OutboxItem => ({
    key: `signal:T${i}`,
    kind: "signal",
    payload: signalPayload(`T${i}`, i * 10),
    createdAt: T0,
  });
  const updates = (i: number): OutboxItem[] => {
    const tradeId = `T${i}`;
    const shift = i * 10;
    const fills = [1, 2, 3].map((k): OutboxItem => ({
      key: `fill:${tradeId}:tp${k}`,
      kind: "tp",
      payload: fillPayload({
        kind: "tp",
        tpIndex: k,
        price: TPS[k - 1]! + shift,
        quantity: 0.1 * SHARES[k - 1]!,
      }, { position: positionAfter(k, shift), closed: null, tradeId }),
      createdAt: T0,
    }));
    const closed = {
      ...tradeRecord(tradeId, "trailing-stop", 3),
      entryPrice: 42500 + shift,
    };
    const stop: OutboxItem = {
      key: `fill:${tradeId}:stop`,
      kind: "stop",
      payload: fillPayload({
        kind: "stop",
        price: TPS[1]! + shift,
        quantity: 0.045,
      }, {
        position: null,
        closed,
        tradeId,
      }),
      createdAt: T0,
    };
    const summary = {
      key: `closed:${tradeId}`,
      kind: "closed",
      payload: closed,
      createdAt: T0,
    };
    return [...fills, stop, summary];
  };
  const items: OutboxItem[] = [];
  for (let i = 0; i < 20; i++) items.push(signal(i));
  for (let i = 0; i < 40; i++) items.push(...updates(i), signal(20 + i));
  for (let i = 40; i < 60; i++) items.push(...updates(i));
  return items;
}
