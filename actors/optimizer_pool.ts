/**
 * The optimizer's worker pool: N Web Workers running the optimizer actor, one series job each at
 * a time. Jobs go out longest first (by candle count) so the workers finish together; each worker
 * loads its job's candle file itself, so the main thread stays idle and the loading runs in
 * parallel too. Results
 * come back in job order whatever the number of workers or the order they finish in, and a job
 * gives the same result in any worker, so 1 and N workers give identical outputs.
 *
 * @module
 */
import type {
  SeriesJob,
  SeriesOptimization,
} from "../core/backtest/optimize_series.ts";
import {
  asOptimizerReply,
  type OptimizerReply,
  type OptimizerRequest,
} from "../core/messages.ts";

/** One job for the pool. */
export interface PoolTask {
  readonly job: SeriesJob;
  /** The series' candle file (CSV, CSV.gz or Parquet), loaded by the worker. */
  readonly file: string;
  /** Relative cost (e.g. the candle count); bigger jobs go first. */
  readonly weight: number;
}

/** The outcome of one job. */
export type PoolOutcome =
  | { readonly ok: true; readonly result: SeriesOptimization }
  | { readonly ok: false; readonly name: string; readonly message: string };

/** Options of {@link runOptimizerPool}. */
export interface PoolOptions {
  /** Number of workers, at least 1. */
  readonly workers: number;
  /** Called as each job settles, with its position in `tasks`. */
  readonly onSettled?: (index: number, outcome: PoolOutcome) => void;
  /** Worker script; the optimizer worker by default. */
  readonly workerUrl?: string;
}

/**
 * Runs every task in a pool of workers.
 *
 * @param tasks The jobs.
 * @param options Worker count and a per-job callback.
 * @returns One outcome per task, in task order.
 * @throws {RangeError} When `workers` is not a positive integer.
 * @throws {Error} When a worker dies outside a job (the other workers are stopped).
 */
export function runOptimizerPool(
  tasks: readonly PoolTask[],
  options: PoolOptions,
): Promise<PoolOutcome[]> {
  const { workers } = options;
  if (!Number.isInteger(workers) || workers < 1) {
    throw new RangeError(
      `Cannot start the optimizer pool as 'workers' must be an integer of at least 1: current value is ${workers}`,
    );
  }
  const order = tasks.map((_, i) => i).sort((a, b) =>
    tasks[b]!.weight - tasks[a]!.weight || a - b
  );
  const outcomes: (PoolOutcome | undefined)[] = new Array(tasks.length);
  const url = options.workerUrl ??
    new URL("./optimizer_worker.ts", import.meta.url).href;
  return new Promise((resolve, reject) => {
    const pool: Worker[] = [];
    let next = 0;
    let settled = 0;
    let stopped = false;
    const stop = () => {
      stopped = true;
      for (const w of pool) w.terminate();
    };
    const send = (worker: Worker) => {
      if (next >= order.length) return;
      const id = order[next++]!;
      const request: OptimizerRequest = {
        type: "optimize.series",
        id,
        job: tasks[id]!.job,
        file: tasks[id]!.file,
      };
      worker.postMessage(request);
    };
    const settle = (reply: OptimizerReply, worker: Worker) => {
      const outcome: PoolOutcome = reply.type === "optimize.done"
        ? { ok: true, result: reply.result }
        : { ok: false, name: reply.name, message: reply.message };
      outcomes[reply.id] = outcome;
      settled++;
      options.onSettled?.(reply.id, outcome);
      if (settled === tasks.length) {
        stop();
        resolve(outcomes as PoolOutcome[]);
        return;
      }
      send(worker);
    };
    if (tasks.length === 0) {
      resolve([]);
      return;
    }
    for (let w = 0; w < Math.min(workers, tasks.length); w++) {
      const worker = new Worker(url, { type: "module" });
      pool.push(worker);
      worker.onmessage = (event: MessageEvent<unknown>) => {
        if (stopped) return;
        try {
          settle(asOptimizerReply(event.data), worker);
        } catch (error) {
          stop();
          reject(error);
        }
      };
      worker.onerror = (event: ErrorEvent) => {
        event.preventDefault();
        if (stopped) return;
        stop();
        reject(
          new Error(`Optimizer worker ${w + 1} failed: ${event.message}`),
        );
      };
      send(worker);
    }
  });
}
