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
