/**
 * The main thread's side of the status thread's calls: it runs the {@link StatusSource}
 * method a `call` names with its arguments and turns the value, or what it threw or rejected
 * with, into the `result` or `error` answer.
 *
 * @module
 */
import type {
  CallMessage,
  ErrorMessage,
  RemoteMethod,
  ResultMessage,
} from "./status_thread_messages.ts";
import type {
  Awaitable,
  SignalQuery,
  StatusSource,
  TradeQuery,
} from "./status_types.ts";

const CALLS: {
  readonly [M in RemoteMethod]: (
    source: StatusSource,
    args: readonly unknown[],
  ) => Awaitable<unknown>;
} = {
  positions: (s) => s.positions(),
  signals: (s, [query]) => s.signals(query as SignalQuery),
  trades: (s, [query]) => s.trades(query as TradeQuery),
  allTrades: (s, [query]) =>
    s.allTrades(query as Omit<TradeQuery, "limit" | "offset">),
  fills: (s, [tradeId]) => s.fills(String(tradeId)),
  equity: (s) => s.equity(),
  presets: (s) => s.presets(),
  pairs: (s) => s.pairs(),
  analytics: (s) => s.analytics(),
  backtests: (s) => s.backtests(),
  backtestFile: (s, [name, file]) => s.backtestFile(String(name), String(file)),
  config: (s) => s.config(),
  alerts: (s, [query]) =>
    s.alerts(query as { readonly limit: number; readonly offset: number }),
  system: (s) => s.system(),
};

/**
 * Calls the source for the worker.
 *
 * @param source The daemon's source.
 * @param call The worker's call.
 * @returns The `result`, or the `error` of a method that threw or rejected.
 */
export async function answerCall(
  source: StatusSource,
  call: CallMessage,
): Promise<ResultMessage | ErrorMessage> {
  try {
    return {
      type: "result",
      id: call.id,
      value: await CALLS[call.method](source, call.args),
    };
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    return {
      type: "error",
      id: call.id,
      name: e.name,
      message: e.message,
      stack: e.stack ?? null,
    };
  }
}
