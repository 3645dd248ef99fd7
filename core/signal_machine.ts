/**
 * The incremental signal state machine for one series (live form of `scanSignals`). It calls the
 * same {@link decideSignal} as the batch scan, and adds optional prepare (early-warning) signals:
 * when a bar comes within `offsetPercent` of a trigger without crossing it (high > LT·(1 − o/100),
 * or low < ST·(1 + o/100)), a prepare signal is raised once per approach, only towards a
 * direction that is not the last emitted one. Prepare signals never change the state.
 *
 * @module
 */
import { FILTER_REASONS, type FilterReason } from "./filters.ts";
import {
  decideSignal,
  displaySignalId,
  type SignalDirection,
  signalId,
  SignalOutcome,
  type SignalStats,
} from "./signals.ts";
import type { Candle, Side } from "./types.ts";

/** What one closed bar produced. */
export type SignalStep =
  | { readonly type: "none" }
  | { readonly type: "ambiguous"; readonly openTime: number }
  | { readonly type: "repeat"; readonly side: Side; readonly openTime: number }
  | {
    readonly type: "filtered";
    readonly side: Side;
    readonly openTime: number;
    readonly reason: FilterReason;
  }
  | {
    readonly type: "prepare";
    readonly side: Side;
    readonly openTime: number;
    readonly trigger: number;
  }
  | {
    readonly type: "emitted";
    readonly side: Side;
    readonly openTime: number;
    readonly id: string;
    readonly displayId: string;
    readonly entryPrice: number;
    readonly trigger: number;
  };

function reasonOf(code: number): FilterReason {
  const reason = FILTER_REASONS[code];
  if (reason === undefined || reason === "") {
    throw new RangeError(
      `Cannot record a filtered signal as the verdict must be a filter code from 1 to ${
        FILTER_REASONS.length - 1
      }: current value is ${code}`,
    );
  }
  return reason;
}

/** Options of a {@link SignalMachine}. */
export interface SignalMachineOptions {
  readonly symbol: string;
  readonly timeframe: string;
  /** Prepare signals; off unless given. */
  readonly prepare?: {
    readonly enabled: boolean;
    readonly offsetPercent: number;
  };
  /** Last emitted direction to resume from (after a restart). */
  readonly last?: SignalDirection;
}

/** Incremental signal state machine of one series. */
export class SignalMachine {
  #symbol: string;
  #timeframe: string;
  #prepareOffset: number | undefined;
  #last: SignalDirection;
  #armedLong = false;
  #armedShort = false;
  #stats: SignalStats & { prepares: number } = {
    longs: 0,
    shorts: 0,
    ambiguous: 0,
    filtered: 0,
    repeats: 0,
    prepares: 0,
  };

  /** @param options Series identity, prepare settings and an optional resume state. */
  constructor(options: SignalMachineOptions) {
    this.#symbol = options.symbol;
    this.#timeframe = options.timeframe;
    this.#prepareOffset = options.prepare?.enabled
      ? options.prepare.offsetPercent / 100
      : undefined;
    this.#last = options.last ?? 0;
  }

  /**
   * Evaluates one closed bar.
   *
   * @param candle The closed candle.
   * @param inputs Its triggers and filter verdict codes (0 = passed).
   * @returns What the bar produced.
   */
  step(
    candle: Candle,
    inputs: {
      readonly longTrigger: number;
      readonly shortTrigger: number;
      readonly longVerdict: number;
      readonly shortVerdict: number;
    },
  ): SignalStep {
    const rawLong = candle.high > inputs.longTrigger;
    const rawShort = candle.low < inputs.shortTrigger;
    const outcome = decideSignal(this.#last, {
      rawLong,
      rawShort,
      longVerdict: inputs.longVerdict,
      shortVerdict: inputs.shortVerdict,
    });
    const openTime = candle.openTime;
    switch (outcome) {
      case SignalOutcome.Long:
      case SignalOutcome.Short: {
        const side: Side = outcome === SignalOutcome.Long ? "LONG" : "SHORT";
        this.#last = side === "LONG" ? 1 : -1;
        this.#armedLong = false;
        this.#armedShort = false;
        if (side === "LONG") this.#stats.longs++;
        else this.#stats.shorts++;
        const idParts = { timeframe: this.#timeframe, openTime, side };
        return {
          type: "emitted",
          side,
          openTime,
          id: signalId(this.#symbol, idParts),
          displayId: displaySignalId(this.#symbol, idParts),
          entryPrice: candle.close,
          trigger: side === "LONG" ? inputs.longTrigger : inputs.shortTrigger,
        };
      }
      case SignalOutcome.LongFiltered:
      case SignalOutcome.ShortFiltered: {
        this.#stats.filtered++;
        const long = outcome === SignalOutcome.LongFiltered;
        const code = long ? inputs.longVerdict : inputs.shortVerdict;
        return {
          type: "filtered",
          side: long ? "LONG" : "SHORT",
          openTime,
          reason: reasonOf(code),
        };
      }
      case SignalOutcome.Ambiguous:
        this.#stats.ambiguous++;
        return { type: "ambiguous", openTime };
      case SignalOutcome.Repeat:
        this.#stats.repeats++;
        return { type: "repeat", side: rawLong ? "LONG" : "SHORT", openTime };
      case SignalOutcome.None:
        return this.#prepare(candle, inputs);
    }
  }

  #prepare(
    candle: Candle,
    inputs: { readonly longTrigger: number; readonly shortTrigger: number },
  ): SignalStep {
    const offset = this.#prepareOffset;
    if (offset === undefined) return { type: "none" };
    const nearLong = candle.high > inputs.longTrigger * (1 - offset);
    const nearShort = candle.low < inputs.shortTrigger * (1 + offset);
    if (!nearLong) this.#armedLong = false;
    if (!nearShort) this.#armedShort = false;
    if (nearLong && nearShort) return { type: "none" };
    if (nearLong && this.#last !== 1 && !this.#armedLong) {
      this.#armedLong = true;
      this.#stats.prepares++;
      return {
        type: "prepare",
        side: "LONG",
        openTime: candle.openTime,
        trigger: inputs.longTrigger,
      };
    }
    if (nearShort && this.#last !== -1 && !this.#armedShort) {
      this.#armedShort = true;
      this.#stats.prepares++;
      return {
        type: "prepare",
        side: "SHORT",
        openTime: candle.openTime,
        trigger: inputs.shortTrigger,
      };
    }
    return { type: "none" };
  }

  /** Last emitted direction: 1 long, −1 short, 0 none. */
  get last(): SignalDirection {
    return this.#last;
  }

  /** Counters since construction (a copy). */
  get stats(): Readonly<SignalStats & { prepares: number }> {
    return { ...this.#stats };
  }
}
