/**
 * Messages between actors, one discriminated union per channel. Every message is plain data that
 * survives `postMessage` (numbers for times, typed arrays for columns, no class instances), and a
 * message arriving from a Worker is checked once by the channel's guard, which throws showing the
 * payload.
 *
 * @module
 */
import type {
  SeriesJob,
  SeriesOptimization,
} from "./backtest/optimize_series.ts";
import type { SeriesStateOptions } from "./series_state.ts";
import type { Candle } from "./types.ts";

/** Pool → optimizer worker. */
export type OptimizerRequest = {
  readonly type: "optimize.series";
  /** The job's position in the run; echoed in the reply. */
  readonly id: number;
  readonly job: SeriesJob;
  /** The series' candle file; the worker loads it. */
  readonly file: string;
};

/** Optimizer worker → pool. */
export type OptimizerReply =
  | {
    readonly type: "optimize.done";
    readonly id: number;
    readonly result: SeriesOptimization;
  }
  | {
    readonly type: "optimize.failed";
    readonly id: number;
    /** The error's class name, e.g. `InsufficientDataError`. */
    readonly name: string;
    readonly message: string;
  };

function shown(value: unknown): string {
  try {
    const text = JSON.stringify(
      value,
      (_key, v) => ArrayBuffer.isView(v) ? `<${v.constructor.name}>` : v,
    );
    return text === undefined ? String(value) : text.slice(0, 300);
  } catch {
    return String(value);
  }
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null
    ? value as Record<string, unknown>
    : undefined;
}

/**
 * Checks a message received by an optimizer worker.
 *
 * @param data The message's data.
 * @returns The request.
 * @throws {TypeError} Showing the payload, when it is not an {@link OptimizerRequest}.
 */
export function asOptimizerRequest(data: unknown): OptimizerRequest {
  const m = record(data);
  if (
    m?.["type"] !== "optimize.series" || typeof m["id"] !== "number" ||
    record(m["job"]) === undefined || typeof m["file"] !== "string"
  ) {
    throw new TypeError(
      `Cannot handle optimizer request as it must be {type: "optimize.series", id, job, file}: current value is ${
        shown(data)
      }`,
    );
  }
  return data as OptimizerRequest;
}

/**
 * Checks a message received from an optimizer worker.
 *
 * @param data The message's data.
 * @returns The reply.
 * @throws {TypeError} Showing the payload, when it is not an {@link OptimizerReply}.
 */
export function asOptimizerReply(data: unknown): OptimizerReply {
  const m = record(data);
  const ok = typeof m?.["id"] === "number" && (
    (m["type"] === "optimize.done" && record(m["result"]) !== undefined) ||
    (m["type"] === "optimize.failed" && typeof m["message"] === "string" &&
      typeof m["name"] === "string")
  );
  if (!ok) {
    throw new TypeError(
      `Cannot handle optimizer reply as it must be {type: "optimize.done" | "optimize.failed", id, ...}: current value is ${
        shown(data)
      }`,
    );
  }
  return data as OptimizerReply;
}

/** One series as its actor needs it. */
export interface SeriesSpec {
  /** `SYMBOL:tf`. */
  readonly key: string;
  readonly options: SeriesStateOptions;
  /**
   * Test fault: throw once while stepping the bar with this open time (the supervisor drops it
   * when it restarts the series).
   */
  readonly failOnceAt?: number;
}

/** Supervisor → series worker. */
export type SeriesRequest =
  | {
    /** Create (or re-create) a series actor and step its history without acting on it. */
    readonly type: "series.start";
    readonly spec: SeriesSpec;
    readonly history: readonly Candle[];
  }
  | {
    readonly type: "candle.closed";
    readonly key: string;
    readonly candle: Candle;
  }
  | { readonly type: "series.stop"; readonly key: string };

/** Series worker → supervisor. */
export type SeriesReply =
  | {
    readonly type: "series.ready";
    readonly key: string;
    /** Open time of the last history candle (NaN without history). */
    readonly lastOpenTime: number;
  }
  | {
    /** A closed bar went through the series' pipeline; the portfolio acts on it. */
    readonly type: "bar.processed";
    readonly key: string;
    readonly candle: Candle;
    readonly signal: -1 | 0 | 1;
    readonly regime: 0 | 1 | 2;
    /** A raw signal a filter refused: side and reason code. */
    readonly filtered?: { readonly side: 1 | -1; readonly reason: number };
  }
  | {
    /** The series' actor failed; its state is gone until the supervisor restarts it. */
    readonly type: "series.failed";
    readonly key: string;
    readonly message: string;
  };

const SERIES_REQUESTS = new Set([
  "series.start",
  "candle.closed",
  "series.stop",
]);
const SERIES_REPLIES = new Set([
  "series.ready",
  "bar.processed",
  "series.failed",
]);

/**
 * Checks a message received by a series worker.
 *
 * @param data The message's data.
 * @returns The request.
 * @throws {TypeError} Showing the payload, when it is not a {@link SeriesRequest}.
 */
export function asSeriesRequest(data: unknown): SeriesRequest {
  const m = record(data);
  const key = m?.["type"] === "series.start"
    ? record(m["spec"])?.["key"]
    : m?.["key"];
  if (!SERIES_REQUESTS.has(String(m?.["type"])) || typeof key !== "string") {
    throw new TypeError(
      `Cannot handle series request as it must be {type: "series.start" | "candle.closed" | "series.stop", ...}: current value is ${
        shown(data)
      }`,
    );
  }
  return data as SeriesRequest;
}

/**
 * Checks a message received from a series worker.
 *
 * @param data The message's data.
 * @returns The reply.
 * @throws {TypeError} Showing the payload, when it is not a {@link SeriesReply}.
 */
export function asSeriesReply(data: unknown): SeriesReply {
  const m = record(data);
  if (
    !SERIES_REPLIES.has(String(m?.["type"])) || typeof m?.["key"] !== "string"
  ) {
    throw new TypeError(
      `Cannot handle series reply as it must be {type: "series.ready" | "bar.processed" | "series.failed", key, ...}: current value is ${
        shown(data)
      }`,
    );
  }
  return data as SeriesReply;
}
