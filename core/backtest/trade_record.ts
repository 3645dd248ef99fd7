/**
 * The record of a closed trade, built the same way by every engine (portfolio, sweep, compat).
 *
 * @module
 */
import { netPnl, type Position } from "../ladder.ts";
import type { Regime } from "../types.ts";
import type { TradeRecord } from "./records.ts";

/**
 * Describes a closed position as a trade.
 *
 * @param position The closed position.
 * @param info Its id, series, last fill, same-bar count, regime and preset hash.
 * @returns The trade record (net PnL after fees and funding).
 */
export function tradeRecordOf(
  position: Position,
  info: {
    readonly id: string;
    readonly symbol: string;
    readonly timeframe: string;
    readonly exitTime: number;
    readonly exitPrice: number;
    readonly sameBarDecided: number;
    readonly regime: Regime;
    readonly presetHash: string;
  },
): TradeRecord {
  const net = netPnl(position);
  const notional = position.quantity * position.entryPrice;
  return {
    id: info.id,
    seriesKey: `${info.symbol}:${info.timeframe}`,
    symbol: info.symbol,
    timeframe: info.timeframe,
    side: position.side,
    entryTime: position.entryTime,
    entryPrice: position.entryPrice,
    exitTime: info.exitTime,
    exitPrice: info.exitPrice,
    exitReason: position.exitReason ?? "manual",
    tpHits: position.tpFilled,
    pnlQuote: net,
    pnlPct: (net / notional) * 100,
    feesQuote: position.feesPaid,
    fundingQuote: position.fundingPaid,
    notional,
    barsHeld: position.barsHeld,
    sameBarDecided: info.sameBarDecided,
    regime: info.regime,
    presetHash: info.presetHash,
  };
}
