/**
 * The optimizer actor's logic: one series job in, one reply out. It loads the job's candle file,
 * runs the pure `optimizeSeries` with a workspace of buffers that lives as long as the actor, and
 * turns any error (a bad file, too little data) into an `optimize.failed` reply so the pool can
 * report it per series.
 *
 * @module
 */
import { asOptimizerRequest, type OptimizerReply } from "../core/messages.ts";
import { optimizeSeries } from "../core/backtest/optimize_series.ts";
import { Workspace } from "../core/workspace.ts";
import { loadCandles } from "../data/candle_loader.ts";

/**
 * Creates the actor's message handler.
 *
 * @returns A handler taking the raw message data and returning the reply.
 */
export function createOptimizerActor(): (data: unknown) => OptimizerReply {
  const workspace = new Workspace();
  return (data) => {
    const request = asOptimizerRequest(data);
    try {
      const candles = loadCandles(request.file);
      const result = optimizeSeries(candles, request.job, workspace);
      return { type: "optimize.done", id: request.id, result };
    } catch (error) {
      const e = error instanceof Error ? error : new Error(String(error));
      return {
        type: "optimize.failed",
        id: request.id,
        name: e.name,
        message: e.message,
      };
    }
  };
}
