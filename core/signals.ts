/**
 * The signal state machine (DESIGN §2 Signals) and deterministic signal ids.
 *
 * Evaluated on closed bars only. Raw LONG: high > LT; raw SHORT: low < ST (strict; NaN triggers
 * never fire). A direction is emitted only when it differs from the last emitted one. When both
 * fire on one bar nothing is emitted, the state is kept and the bar counts as ambiguous. A raw
 * signal refused by a filter does not change the state and is recorded with the filter's reason.
 *
 * The decision for one bar is {@link decideSignal}; the batch scan ({@link scanSignals}) and the
 * incremental {@link SignalMachine} both call it, so backtest and live cannot drift.
 *
 * @module
 */
import type { Side } from "./types.ts";

/** Outcome codes of one bar, small integers so batch scans can store them in typed arrays. */
export const SignalOutcome = {
  /** No raw trigger. */
  None: 0,
  /** LONG emitted. */
  Long: 1,
  /** SHORT emitted. */
  Short: 2,
  /** Both raw triggers on one bar: nothing emitted, state kept. */
  Ambiguous: 3,
  /** Raw LONG refused by a filter (state kept). */
  LongFiltered: 4,
  /** Raw SHORT refused by a filter (state kept). */
  ShortFiltered: 5,
  /** Raw trigger in the direction already emitted: suppressed. */
  Repeat: 6,
} as const;

/** One of the {@link SignalOutcome} codes. */
export type SignalOutcomeCode =
  typeof SignalOutcome[keyof typeof SignalOutcome];

/** Last emitted direction: 1 long, −1 short, 0 none yet. */
export type SignalDirection = -1 | 0 | 1;

/**
 * Decides one closed bar.
 *
 * @param last The last emitted direction.
 * @param inputs Raw triggers and the filter verdict code per side (0 = passed, else the reason
 *   code of the first failing filter).
 * @returns The outcome code.
 */
export function decideSignal(
  last: SignalDirection,
  inputs: {
    readonly rawLong: boolean;
    readonly rawShort: boolean;
    readonly longVerdict: number;
    readonly shortVerdict: number;
  },
): SignalOutcomeCode {
  const { rawLong, rawShort } = inputs;
  if (rawLong) {
    if (rawShort) return SignalOutcome.Ambiguous;
    if (last === 1) return SignalOutcome.Repeat;
    return inputs.longVerdict === 0
      ? SignalOutcome.Long
      : SignalOutcome.LongFiltered;
  }
  if (rawShort) {
    if (last === -1) return SignalOutcome.Repeat;
    return inputs.shortVerdict === 0
      ? SignalOutcome.Short
      : SignalOutcome.ShortFiltered;
  }
  return SignalOutcome.None;
}

/** Signals found by {@link scanSignals}, in reusable typed arrays (first `count` entries valid). */
export interface SignalEvents {
  /** Bar index of each event. */
  readonly bar: Int32Array;
  /** Outcome code of each event (Long, Short or a filtered one). */
  readonly outcome: Uint8Array;
  /** Filter reason code for filtered events, else 0. */
  readonly reason: Uint8Array;
  /** Number of valid events. */
  count: number;
}

/** Counters of one scan. */
export interface SignalStats {
  longs: number;
  shorts: number;
  ambiguous: number;
  filtered: number;
  repeats: number;
}

/**
 * Allocates event buffers for series of up to `length` bars.
 *
 * @param length The longest series the buffers will serve.
 * @returns Empty events.
 */
export function signalEvents(length: number): SignalEvents {
  return {
    bar: new Int32Array(length),
    outcome: new Uint8Array(length),
    reason: new Uint8Array(length),
    count: 0,
  };
}

/** Mutable state of one batch scan: the machine's state, its inputs for the current bar, output. */
export interface ScanState {
  /** Last emitted direction. */
  last: SignalDirection;
  /** Bar index being decided. */
  bar: number;
  /** Inputs of the bar being decided. */
  readonly inputs: {
    rawLong: boolean;
    rawShort: boolean;
    longVerdict: number;
    shortVerdict: number;
  };
  /** Where events go. */
  readonly events: SignalEvents;
  /** Counters. */
  readonly stats: SignalStats;
}

/**
 * Starts a batch scan writing into `events` (reset to empty).
 *
 * @param events Event buffers to fill.
 * @param last Direction to start from (default none).
 * @returns A fresh scan state.
 */
export function startScan(
  events: SignalEvents,
  last: SignalDirection = 0,
): ScanState {
  events.count = 0;
  return {
    last,
    bar: 0,
    inputs: {
      rawLong: false,
      rawShort: false,
      longVerdict: 0,
      shortVerdict: 0,
    },
    events,
    stats: { longs: 0, shorts: 0, ambiguous: 0, filtered: 0, repeats: 0 },
  };
}

/**
 * Decides the bar in `state.inputs` / `state.bar` with {@link decideSignal}, updates the state,
 * counts it and records emitted or filtered signals.
 *
 * @param state The scan state, with its inputs set for the current bar.
 */
export function stepScan(state: ScanState): void {
  const { inputs, events, stats } = state;
  const outcome = decideSignal(state.last, inputs);
  switch (outcome) {
    case SignalOutcome.Long:
    case SignalOutcome.Short:
    case SignalOutcome.LongFiltered:
    case SignalOutcome.ShortFiltered: {
      const k = events.count++;
      events.bar[k] = state.bar;
      events.outcome[k] = outcome;
      if (outcome === SignalOutcome.Long || outcome === SignalOutcome.Short) {
        events.reason[k] = 0;
        if (outcome === SignalOutcome.Long) {
          state.last = 1;
          stats.longs++;
        } else {
          state.last = -1;
          stats.shorts++;
        }
      } else {
        stats.filtered++;
        events.reason[k] = outcome === SignalOutcome.LongFiltered
          ? inputs.longVerdict
          : inputs.shortVerdict;
      }
      break;
    }
    case SignalOutcome.Ambiguous:
      stats.ambiguous++;
      break;
    case SignalOutcome.Repeat:
      stats.repeats++;
      break;
    case SignalOutcome.None:
      break;
  }
}

/**
 * Runs the state machine over a whole series, recording emitted and filtered signals.
 *
 * @param columns High, low, long and short triggers, and optional filter verdict columns.
 * @param options `events` buffers to fill (reset first), optional `start` bar and initial `last`.
 * @returns Counters of the scan; `events` holds the signals.
 */
export function scanSignals(
  columns: {
    readonly high: Float64Array;
    readonly low: Float64Array;
    readonly longTrigger: Float64Array;
    readonly shortTrigger: Float64Array;
    readonly longVerdict?: Uint8Array;
    readonly shortVerdict?: Uint8Array;
  },
  options: {
    readonly events: SignalEvents;
    readonly start?: number;
    readonly last?: SignalDirection;
  },
): SignalStats {
  const { high, low, longTrigger, shortTrigger, longVerdict, shortVerdict } =
    columns;
  const state = startScan(options.events, options.last);
  const inputs = state.inputs;
  const n = high.length;
  for (let t = options.start ?? 0; t < n; t++) {
    const rawLong = high[t]! > longTrigger[t]!;
    const rawShort = low[t]! < shortTrigger[t]!;
    if (!rawLong && !rawShort) continue;
    inputs.rawLong = rawLong;
    inputs.rawShort = rawShort;
    inputs.longVerdict = longVerdict === undefined ? 0 : longVerdict[t]!;
    inputs.shortVerdict = shortVerdict === undefined ? 0 : shortVerdict[t]!;
    state.bar = t;
    stepScan(state);
  }
  return state.stats;
}

/**
 * Deterministic signal id, the dedupe key everywhere: `{SYMBOL}-{tf}-{openTimeMs}-{L|S}`.
 *
 * @param symbol E.g. `BTCUSDT`.
 * @param parts `timeframe`, the signal bar's `openTime` (epoch ms) and `side`.
 * @returns E.g. `BTCUSDT-1h-1705329000000-L`.
 */
export function signalId(
  symbol: string,
  parts: {
    readonly timeframe: string;
    readonly openTime: number;
    readonly side: Side;
  },
): string {
  return `${symbol}-${parts.timeframe}-${parts.openTime}-${
    parts.side === "LONG" ? "L" : "S"
  }`;
}

function pad2(value: number): string {
  return value < 10 ? `0${value}` : String(value);
}

/**
 * Display id in the original style with the timeframe added, from the bar's open time in UTC.
 *
 * @param symbol E.g. `BTCUSDT`.
 * @param parts `timeframe`, `openTime` (epoch ms) and `side`.
 * @returns E.g. `#Long_BTCUSDT_1h_15_01_2024_14_30`.
 */
export function displaySignalId(
  symbol: string,
  parts: {
    readonly timeframe: string;
    readonly openTime: number;
    readonly side: Side;
  },
): string {
  const d = new Date(parts.openTime);
  const date = `${pad2(d.getUTCDate())}_${
    pad2(d.getUTCMonth() + 1)
  }_${d.getUTCFullYear()}`;
  const time = `${pad2(d.getUTCHours())}_${pad2(d.getUTCMinutes())}`;
  const side = parts.side === "LONG" ? "Long" : "Short";
  return `#${side}_${symbol}_${parts.timeframe}_${date}_${time}`;
}
