/**
 * `--compat velas-py`: the original backtester's rules (spec §8.1-§8.3, §3.4), so users of the
 * original can compare and our ladder is checked against a known implementation. One series, one
 * indicator preset with `velas-py` semantics, no state machine: whenever no trade is open a trade
 * opens on any raw trigger (LONG preferred), also on the bar where the previous trade closed; an
 * opposite raw trigger closes the open trade at the close; within a bar all TPs fill first, then
 * the stop moves, then the moved stop is tested on the same bar (`tp-first`, no gap rule); the
 * normal ladder for the whole run with shares 17/17/17/17/16/16; no costs; 100 % of equity per
 * trade with compounding; an open trade closes at the last close when the data ends.
 *
 * @module
 */
import { ZERO_COSTS } from "../costs.ts";
import {
  closePosition,
  type Fill,
  type LadderSpec,
  netPnl,
  openPosition,
  type Position,
  updatePosition,
} from "../ladder.ts";
import { signalId } from "../signals.ts";
import {
  candleAt,
  type CandleColumns,
  type IndicatorParams,
  type Side,
} from "../types.ts";
import { velasIndicator } from "../velas.ts";
import { DailyEquity } from "./daily_equity.ts";
import { tradeRecordOf } from "./trade_record.ts";
import type { BacktestResult, FillRecord, TradeRecord } from "./records.ts";

/** The original's ladder: normal regime, shares 17/17/17/17/16/16, cascade stop. */
export const VELAS_PY_LADDER: LadderSpec = Object.freeze({
  tpPercents: [1, 2, 3, 4, 7.5, 14],
  slPercent: 8.5,
  shares: [17, 17, 17, 17, 16, 16],
  stopMode: "cascade",
  breakevenAfterTp: 1,
});

/** Series identity and the preset of a compat run. */
export interface CompatSeries {
  readonly symbol: string;
  readonly timeframe: string;
  readonly timeframeMs: number;
  readonly candles: CandleColumns;
  readonly params: IndicatorParams;
  readonly presetHash: string;
  readonly initialBalance: number;
}

interface Open {
  readonly id: string;
  position: Position;
  sameBar: number;
  readonly fills: Fill[];
}

/**
 * Runs the original engine's rules over one series.
 *
 * @param series The candles, preset and starting balance.
 * @returns Trades, fills, daily equity and facts (no decisions: the original had no portfolio).
 */
export function runCompatVelasPy(series: CompatSeries): BacktestResult {
  const c = series.candles;
  const n = c.close.length;
  const ind = velasIndicator(c, {
    params: series.params,
    semantics: "velas-py",
  });
  const trades: TradeRecord[] = [];
  const fills: FillRecord[] = [];
  const daily = new DailyEquity(series.initialBalance);
  let equity = series.initialBalance;
  let open: Open | undefined;
  let barsInPosition = 0;
  let sameBarDecided = 0;

  const finish = () => {
    const p = open!.position;
    equity += netPnl(p);
    const last = open!.fills[open!.fills.length - 1]!;
    trades.push(tradeRecordOf(p, {
      id: open!.id,
      symbol: series.symbol,
      timeframe: series.timeframe,
      exitTime: p.exitTime ?? last.time,
      exitPrice: last.price,
      sameBarDecided: open!.sameBar,
      regime: "normal",
      presetHash: series.presetHash,
    }));
    for (const fill of open!.fills) fills.push({ tradeId: open!.id, ...fill });
    open = undefined;
  };

  for (let t = 0; t < n; t++) {
    const closeTime = c.openTime[t]! + series.timeframeMs;
    daily.advance(closeTime, () => equity);
    const lt = ind.longTrigger[t]!;
    const st = ind.shortTrigger[t]!;
    if (Number.isNaN(lt) || Number.isNaN(st)) continue;
    if (open !== undefined) {
      barsInPosition++;
      const update = updatePosition(open.position, candleAt(c, t), {
        spec: VELAS_PY_LADDER,
        rule: "tp-first",
        gapFills: false,
        costs: ZERO_COSTS,
      });
      open.position = update.position;
      open.fills.push(...update.fills);
      if (update.sameBarDecided) {
        open.sameBar++;
        sameBarDecided++;
      }
      if (update.closed) finish();
    }
    const rawLong = c.high[t]! > lt;
    const rawShort = c.low[t]! < st;
    if (open !== undefined) {
      const side = open.position.side;
      if ((rawLong && side === "SHORT") || (rawShort && side === "LONG")) {
        const closed = closePosition(open.position, c.close[t]!, {
          time: closeTime,
          reason: "signal",
          costs: ZERO_COSTS,
        });
        open.position = closed.position;
        open.fills.push(closed.fill);
        finish();
      }
    }
    if (open === undefined && (rawLong || rawShort)) {
      const side: Side = rawLong ? "LONG" : "SHORT";
      const price = c.close[t]!;
      const opened = openPosition({
        side,
        entryPrice: price,
        entryTime: closeTime,
        quantity: equity / price,
        spec: VELAS_PY_LADDER,
        costs: ZERO_COSTS,
      });
      open = {
        id: signalId(series.symbol, {
          timeframe: series.timeframe,
          openTime: c.openTime[t]!,
          side,
        }),
        position: opened.position,
        sameBar: 0,
        fills: [opened.fill],
      };
    }
  }
  const endTime = n > 0 ? c.openTime[n - 1]! + series.timeframeMs : 0;
  if (open !== undefined) {
    const closed = closePosition(open.position, c.close[n - 1]!, {
      time: endTime,
      reason: "end-of-data",
      costs: ZERO_COSTS,
    });
    open.position = closed.position;
    open.fills.push(closed.fill);
    finish();
  }
  daily.finish(endTime, equity);
  return {
    trades,
    fills,
    decisions: [],
    equity: daily.points,
    facts: {
      initialEquity: series.initialBalance,
      startTime: n > 0 ? c.openTime[0]! + series.timeframeMs : 0,
      endTime,
      bars: n,
      barsInPosition,
      sameBarDecided,
    },
    finalEquity: equity,
  };
}
