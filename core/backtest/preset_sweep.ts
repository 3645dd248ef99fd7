/**
 * Independent backtests of many presets over one series, fast: the fused preset scan gives each
 * preset's signals, and each preset trades alone with 100 % of its equity, exactly as the engine's
 * `independent` mode does with that preset for every regime (a test holds the trades equal), but
 * without visiting bars outside positions and fast-forwarding quiet bars inside them.
 *
 * Its equity curve is the balance (realised PnL, partial TPs included) sampled per UTC day at the
 * bars it visits, where the engine marks open positions to market every bar; equity metrics can
 * therefore differ slightly from a full engine run; trades and trade metrics do not.
 *
 * @module
 */
import type { CostModel } from "../costs.ts";
import {
  closePosition,
  type LadderSpec,
  netPnl,
  openPosition,
  type Position,
  type SameBarRule,
  updatePosition,
} from "../ladder.ts";
import { skipQuietBars } from "../position_quiet.ts";
import { signalEvents, signalId, SignalOutcome } from "../signals.ts";
import {
  candleAt,
  type CandleColumns,
  type IndicatorParams,
  type Semantics,
  type Side,
} from "../types.ts";
import { scanPresetSignals } from "../velas_scan.ts";
import type { Workspace } from "../workspace.ts";
import { DailyEquity } from "./daily_equity.ts";
import type { EquityPoint, TradeRecord } from "./records.ts";
import { tradeRecordOf } from "./trade_record.ts";
import type { TradeTape } from "./trade_tape.ts";

/** Options of {@link sweepPresets}. */
export interface SweepOptions {
  readonly symbol: string;
  readonly timeframe: string;
  readonly timeframeMs: number;
  readonly presets: readonly IndicatorParams[];
  readonly semantics: Semantics;
  /** Regime code per bar (0 low, 1 normal, 2 high) choosing the ladder at each signal. */
  readonly regime: Uint8Array;
  readonly ladders: readonly [LadderSpec, LadderSpec, LadderSpec];
  readonly costs: CostModel;
  readonly rule: SameBarRule;
  readonly gapFills: boolean;
  readonly initialBalance: number;
  /** First bar whose signals count (warm-up). */
  readonly start: number;
  readonly workspace: Workspace;
  /** Filter verdict columns (0 = passed, see `filterVerdicts`); omitted: every filter passes. */
  readonly filters?: {
    readonly long: Uint8Array;
    readonly short: Uint8Array;
  };
  /**
   * `records` (default): trade records and daily equity; `tape`: only the trades' tape (no
   * records, ids or equity), for callers that score thousands of presets.
   */
  readonly output?: "records" | "tape";
  /** Receives each preset's trades, daily realised equity and bars in position. */
  readonly onPreset: (
    position: number,
    result: {
      /** Empty in `tape` output. */
      readonly trades: readonly TradeRecord[];
      /** Empty in `tape` output. */
      readonly equity: readonly EquityPoint[];
      readonly barsInPosition: number;
      /** The trades as a tape; only in `tape` output. */
      readonly tape?: TradeTape;
    },
  ) => void;
}

/** Growable columns of a tape. */
class TapeBuilder {
  signalTime: number[] = [];
  exitTime: number[] = [];
  ret: number[] = [];
  tpHits: number[] = [];
  regime: number[] = [];

  add(
    position: Position,
    signalTime: number,
    exitTime: number,
    regime: number,
  ) {
    const net = netPnl(position);
    const notional = position.quantity * position.entryPrice;
    this.signalTime.push(signalTime);
    this.exitTime.push(exitTime);
    // Same arithmetic as a record's pnlPct / 100, so both outputs give identical tapes.
    this.ret.push(((net / notional) * 100) / 100);
    this.tpHits.push(position.tpFilled);
    this.regime.push(regime);
  }

  build(): TradeTape {
    return {
      count: this.ret.length,
      signalTime: Float64Array.from(this.signalTime),
      exitTime: Float64Array.from(this.exitTime),
      ret: Float64Array.from(this.ret),
      tpHits: Uint8Array.from(this.tpHits),
      regime: Uint8Array.from(this.regime),
    };
  }
}

interface Open {
  /** Open time of the signal bar. */
  signalTime: number;
  position: Position;
  spec: LadderSpec;
  regime: number;
  sameBar: number;
  last: number;
}

/**
 * Runs every preset over the series.
 *
 * @param candles The series.
 * @param options Presets, regimes, ladders, costs, rules and the per-preset callback.
 */
export function sweepPresets(
  candles: CandleColumns,
  options: SweepOptions,
): void {
  const { costs, rule, gapFills, timeframeMs, start } = options;
  const n = candles.close.length;
  const { openTime, close } = candles;
  const events = signalEvents(n);
  const regimes = ["low", "normal", "high"] as const;
  scanPresetSignals(candles, {
    presets: options.presets,
    semantics: options.semantics,
    workspace: options.workspace,
    events,
    ...(options.filters === undefined ? {} : {
      longVerdict: options.filters.long,
      shortVerdict: options.filters.short,
    }),
    onPreset(presetIndex) {
      const tapeOnly = options.output === "tape";
      const tape = tapeOnly ? new TapeBuilder() : undefined;
      const trades: TradeRecord[] = [];
      const daily = new DailyEquity(options.initialBalance);
      let balance = options.initialBalance;
      let barsInPosition = 0;
      let current: Open | undefined;

      /** Balance changes fill by fill, in the engine's order, so both give the same bits. */
      const book = (
        fill: {
          readonly pnl: number;
          readonly fee: number;
          readonly kind: string;
        },
      ) => {
        if (fill.kind !== "entry") balance += fill.pnl;
        balance -= fill.fee;
      };
      const finish = (exitTime: number, exitPrice: number) => {
        const p = current!.position;
        if (tape !== undefined) {
          tape.add(p, current!.signalTime, exitTime, current!.regime);
          current = undefined;
          return;
        }
        trades.push(tradeRecordOf(p, {
          id: signalId(options.symbol, {
            timeframe: options.timeframe,
            openTime: current!.signalTime,
            side: p.side,
          }),
          symbol: options.symbol,
          timeframe: options.timeframe,
          exitTime,
          exitPrice,
          sameBarDecided: current!.sameBar,
          regime: regimes[current!.regime]!,
          presetHash: "",
        }));
        current = undefined;
      };

      /** Walks the open position through bars (current.last, until]; stops when it closes. */
      const walk = (until: number) => {
        while (current !== undefined && current.last < until) {
          const skipped = skipQuietBars(current.position, {
            candles,
            from: current.last + 1,
            to: until + 1,
            costs,
            onFunding: (amount) => {
              balance -= amount;
            },
          });
          barsInPosition += skipped.next - (current.last + 1);
          current.position = skipped.position;
          current.last = skipped.next - 1;
          if (skipped.next > until) return;
          const t = skipped.next;
          if (!tapeOnly) {
            daily.advance(openTime[t]! + timeframeMs, () => balance);
          }
          barsInPosition++;
          const update = updatePosition(
            current.position,
            candleAt(candles, t),
            { spec: current.spec, rule, gapFills, costs },
          );
          current.position = update.position;
          balance -= update.funding;
          for (const fill of update.fills) book(fill);
          current.last = t;
          if (update.sameBarDecided) current.sameBar++;
          if (update.closed) {
            const fills = update.fills;
            finish(
              update.position.exitTime ?? openTime[t]!,
              fills[fills.length - 1]!.price,
            );
          }
        }
      };

      for (let k = 0; k < events.count; k++) {
        const outcome = events.outcome[k]!;
        if (outcome !== SignalOutcome.Long && outcome !== SignalOutcome.Short) {
          continue;
        }
        const b = events.bar[k]!;
        if (b < start) continue;
        const side: Side = outcome === SignalOutcome.Long ? "LONG" : "SHORT";
        const time = openTime[b]! + timeframeMs;
        walk(b);
        if (!tapeOnly) daily.advance(time, () => balance);
        if (current !== undefined && current.position.side !== side) {
          const closed = closePosition(current.position, close[b]!, {
            time,
            reason: "signal",
            costs,
          });
          current.position = closed.position;
          balance -= closed.funding;
          book(closed.fill);
          finish(time, closed.fill.price);
        }
        if (current !== undefined) continue;
        const regime = options.regime[b]!;
        const spec = options.ladders[regime]!;
        const opened = openPosition({
          side,
          entryPrice: close[b]!,
          entryTime: time,
          quantity: balance / close[b]!,
          spec,
          costs,
        });
        book(opened.fill);
        current = {
          signalTime: openTime[b]!,
          position: opened.position,
          spec,
          regime,
          sameBar: 0,
          last: b,
        };
      }
      walk(n - 1);
      if (current !== undefined) {
        const time = openTime[n - 1]! + timeframeMs;
        const closed = closePosition(current.position, close[n - 1]!, {
          time,
          reason: "end-of-data",
          costs,
        });
        current.position = closed.position;
        balance -= closed.funding;
        book(closed.fill);
        finish(time, closed.fill.price);
      }
      daily.finish(n > 0 ? openTime[n - 1]! + timeframeMs : 0, balance);
      options.onPreset(presetIndex, {
        trades,
        equity: tapeOnly ? [] : daily.points,
        barsInPosition,
        ...(tape === undefined ? {} : { tape: tape.build() }),
      });
    },
  });
}
