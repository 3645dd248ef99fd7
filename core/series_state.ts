/**
 * The live signal state of one series (symbol × timeframe), one closed candle at a time: the
 * incremental twin of the backtester's `seriesSignals` (`core/backtest/series_signals.ts`).
 *
 * Per candle, in this order: the regime ATR ({@link AtrState}), the bar's regime from that ATR
 * ({@link RegimeTracker}, the same code `regimeSeries` gives the bar), every distinct preset's
 * indicator ({@link VelasIncremental}, one instance per distinct parameter set, all kept warm on
 * every bar), the filters ({@link FilterState}), then the live rule: the bar's regime picks its
 * preset, whose bar triggers feed the one state machine of the series ({@link decideSignal}, the
 * same decision `scanSignals` makes). A filtered raw signal is reported and leaves the state as it
 * was. Fed the same candles from the first one, the steps equal `seriesSignals(..., { start: 0 })`
 * bar by bar.
 *
 * @module
 */
import type { SeriesSignalOptions } from "./backtest/series_signals.ts";
import { AtrState } from "./atr.ts";
import { FilterState } from "./filters.ts";
import { RegimeTracker } from "./regime.ts";
import {
  decideSignal,
  type SignalDirection,
  SignalOutcome,
} from "./signals.ts";
import type { Candle, IndicatorParams } from "./types.ts";
import { VelasIncremental } from "./velas_incremental.ts";

/** Options of a {@link SeriesState}. */
export interface SeriesStateOptions extends Omit<SeriesSignalOptions, "start"> {
  /** Symbol of the series, e.g. `BTCUSDT` (used in error messages). */
  readonly symbol: string;
  /** Timeframe of the series, e.g. `1h` (used in error messages). */
  readonly timeframe: string;
}

/** What one closed candle produced. */
export interface SeriesStep {
  /** Bar index since the state was created (0-based). */
  readonly bar: number;
  /** Open time of the candle, epoch ms. */
  readonly openTime: number;
  /** 1 LONG, -1 SHORT, 0 none (already after the state machine and filters). */
  readonly signal: -1 | 0 | 1;
  /** Regime code of the bar: 0 low, 1 normal, 2 high. */
  readonly regime: 0 | 1 | 2;
  /** The series' ATR(14) after this bar (NaN during the warm-up). */
  readonly atr: number;
  /** Set when a raw signal was refused by a filter: side and reason code (FILTER_REASONS). */
  readonly filtered?: { readonly side: 1 | -1; readonly reason: number };
  /** Long trigger used on this bar (the regime's preset). */
  readonly longTrigger: number;
  /** Short trigger used on this bar (the regime's preset). */
  readonly shortTrigger: number;
  /** Close of the candle (the entry price of a signal). */
  readonly close: number;
}

function paramsKey(params: IndicatorParams): string {
  return `${params.i1}/${params.i2}/${params.i3}/${params.i4}/${params.i5}`;
}

/** Incremental signal state of one series, equal bar by bar to the batch `seriesSignals`. */
export class SeriesState {
  #symbol: string;
  #timeframe: string;
  #atr: AtrState;
  #regime: RegimeTracker;
  #filters: FilterState;
  /** Distinct indicator instances, each updated once per candle. */
  #indicators: readonly VelasIncremental[];
  /** Index into {@link SeriesState.#indicators} per regime code. */
  #byRegime: readonly [number, number, number];
  #last: SignalDirection = 0;
  #bars = 0;
  #lastOpenTime = NaN;

  /**
   * @param options Series identity, semantics, presets per regime, regime and filter settings.
   * @throws {RangeError} When a preset parameter, regime setting or filter setting is invalid.
   */
  constructor(options: SeriesStateOptions) {
    this.#symbol = options.symbol;
    this.#timeframe = options.timeframe;
    this.#atr = new AtrState(options.semantics);
    this.#regime = new RegimeTracker(options.regime);
    this.#filters = new FilterState(options.filters);
    const indicators: VelasIncremental[] = [];
    const byKey = new Map<string, number>();
    const slots = options.presets.map((params) => {
      const key = paramsKey(params);
      let slot = byKey.get(key);
      if (slot === undefined) {
        slot = indicators.length;
        indicators.push(new VelasIncremental(params, options.semantics));
        byKey.set(key, slot);
      }
      return slot;
    });
    this.#indicators = indicators;
    this.#byRegime = [slots[0]!, slots[1]!, slots[2]!];
  }

  /**
   * Feeds one closed candle.
   *
   * @param candle The closed candle; candles must come in time order without repeats.
   * @returns The bar's signal, regime, ATR, triggers and any filtered signal.
   * @throws {RangeError} When the candle's open time is not after the last one's (the state is
   *   left unchanged).
   */
  step(candle: Candle): SeriesStep {
    const openTime = candle.openTime;
    if (!Number.isFinite(openTime)) {
      throw new RangeError(
        `Cannot step the ${this.#symbol} ${this.#timeframe} series as 'openTime' must be a finite number: current value is ${openTime}`,
      );
    }
    if (this.#bars > 0 && !(openTime > this.#lastOpenTime)) {
      throw new RangeError(
        `Cannot step the ${this.#symbol} ${this.#timeframe} series as 'openTime' must be after the last candle's open time ${this.#lastOpenTime}: current value is ${openTime}`,
      );
    }
    const atr = this.#atr.update(candle.high, candle.low, candle.close);
    this.#regime.update(atr);
    const regime = this.#regime.code;
    const indicators = this.#indicators;
    for (let k = 0; k < indicators.length; k++) indicators[k]!.update(candle);
    const chosen = indicators[this.#byRegime[regime]]!.last!;
    const longTrigger = chosen.longTrigger;
    const shortTrigger = chosen.shortTrigger;
    this.#filters.update(candle, atr);
    const longVerdict = this.#filters.verdict("LONG");
    const shortVerdict = this.#filters.verdict("SHORT");
    const outcome = decideSignal(this.#last, {
      rawLong: candle.high > longTrigger,
      rawShort: candle.low < shortTrigger,
      longVerdict,
      shortVerdict,
    });
    const bar = this.#bars++;
    this.#lastOpenTime = openTime;
    const base = {
      bar,
      openTime,
      regime,
      atr,
      longTrigger,
      shortTrigger,
      close: candle.close,
    };
    switch (outcome) {
      case SignalOutcome.Long:
        this.#last = 1;
        return { ...base, signal: 1 };
      case SignalOutcome.Short:
        this.#last = -1;
        return { ...base, signal: -1 };
      case SignalOutcome.LongFiltered:
        return {
          ...base,
          signal: 0,
          filtered: { side: 1, reason: longVerdict },
        };
      case SignalOutcome.ShortFiltered:
        return {
          ...base,
          signal: 0,
          filtered: { side: -1, reason: shortVerdict },
        };
      case SignalOutcome.None:
      case SignalOutcome.Ambiguous:
      case SignalOutcome.Repeat:
        return { ...base, signal: 0 };
    }
  }

  /** Number of candles fed so far. */
  get bars(): number {
    return this.#bars;
  }

  /** Open time of the last candle fed, NaN before the first. */
  get lastOpenTime(): number {
    return this.#lastOpenTime;
  }

  /** Last emitted direction of the state machine: 1 long, -1 short, 0 none yet. */
  get last(): SignalDirection {
    return this.#last;
  }
}
