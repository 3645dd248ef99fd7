/**
 * The series actors' logic, hosted many to a Web Worker: each series (symbol × timeframe) owns its
 * incremental indicator, regime, filters and signal state (`core/series_state.ts`). History candles
 * warm a series up without producing anything; every later closed candle produces one
 * `bar.processed` reply for the portfolio. A series whose step throws replies `series.failed` and
 * forgets its state; the other series in the worker carry on. One message is handled at a time.
 *
 * @module
 */
import { SeriesState } from "../core/series_state.ts";
import {
  asSeriesRequest,
  type SeriesReply,
  type SeriesSpec,
} from "../core/messages.ts";

interface Hosted {
  readonly spec: SeriesSpec;
  readonly state: SeriesState;
  faultFired: boolean;
}

/**
 * Creates the message handler of one worker's series actors.
 *
 * @returns A handler taking the raw message data and returning the replies to post.
 */
export function createSeriesHost(): (data: unknown) => SeriesReply[] {
  const hosted = new Map<string, Hosted>();
  const failed = (key: string, error: unknown): SeriesReply[] => {
    hosted.delete(key);
    return [{
      type: "series.failed",
      key,
      message: error instanceof Error ? error.message : String(error),
    }];
  };
  return (data) => {
    const request = asSeriesRequest(data);
    switch (request.type) {
      case "series.start": {
        const { spec, history } = request;
        try {
          const state = new SeriesState(spec.options);
          for (const candle of history) state.step(candle);
          hosted.set(spec.key, { spec, state, faultFired: false });
          return [{
            type: "series.ready",
            key: spec.key,
            lastOpenTime: state.lastOpenTime,
          }];
        } catch (error) {
          return failed(spec.key, error);
        }
      }
      case "candle.closed": {
        const one = hosted.get(request.key);
        if (one === undefined) {
          return failed(
            request.key,
            new Error(`series ${request.key} is not running in this worker`),
          );
        }
        try {
          const { candle } = request;
          if (one.spec.failOnceAt === candle.openTime && !one.faultFired) {
            one.faultFired = true;
            throw new Error(
              `injected fault on ${request.key} at ${
                new Date(candle.openTime).toISOString()
              }`,
            );
          }
          const step = one.state.step(candle);
          return [{
            type: "bar.processed",
            key: request.key,
            candle,
            signal: step.signal,
            regime: step.regime,
            ...(step.filtered === undefined ? {} : { filtered: step.filtered }),
          }];
        } catch (error) {
          return failed(request.key, error);
        }
      }
      case "series.stop":
        hosted.delete(request.key);
        return [];
      default: {
        const never: never = request;
        throw new TypeError(`unhandled series request ${String(never)}`);
      }
    }
  };
}
