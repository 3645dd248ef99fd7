/**
 * The {@link StatusSource} of the status thread's worker. `status()` and `metrics()` answer at
 * once from the snapshots the main thread pushes (the same object until the next push, so the
 * app serialises each once); every other method is a call to the main thread that resolves with
 * its `result`, rejects with its `error` (name, message and the main thread's stack), or rejects
 * when no answer comes within the timeout. Events of a push go to the subscribers in order.
 *
 * @module
 */
import type {
  CallMessage,
  ErrorMessage,
  PushMessage,
  RemoteMethod,
  ResultMessage,
  SnapshotOutcome,
} from "./status_thread_messages.ts";
import type {
  MetricsSnapshot,
  SignalQuery,
  StatusEvent,
  StatusSnapshot,
  StatusSource,
  TradeQuery,
} from "./status_types.ts";

/** Options of {@link RemoteStatusSource}. */
export interface RemoteSourceOptions {
  /** Sends a call to the main thread. */
  readonly post: (message: CallMessage) => void;
  /** How long a call may wait for its answer, ms. */
  readonly timeoutMs: number;
  /** The snapshots the main thread read before the worker started. */
  readonly status: SnapshotOutcome<StatusSnapshot>;
  readonly metrics: SnapshotOutcome<MetricsSnapshot>;
}

type Answer<M extends RemoteMethod> = Awaited<ReturnType<StatusSource[M]>>;

interface Pending {
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
  readonly timer: ReturnType<typeof setTimeout>;
}

/** A pushed snapshot as the value to return, or the error to throw. */
type Held<T> = { readonly value: T } | { readonly error: Error };

function hold<T>(outcome: SnapshotOutcome<T>, what: string): Held<T> {
  if (outcome.ok) return { value: outcome.value };
  return {
    error: new Error(
      `Cannot read the ${what} as the daemon failed: ${outcome.message}`,
    ),
  };
}

function take<T>(held: Held<T>): T {
  if ("error" in held) throw held.error;
  return held.value;
}

/** The worker's source (see the module doc). */
export class RemoteStatusSource implements StatusSource {
  readonly #post: (message: CallMessage) => void;
  readonly #timeoutMs: number;
  readonly #pending = new Map<number, Pending>();
  readonly #listeners = new Set<(event: StatusEvent) => void>();
  #status: Held<StatusSnapshot>;
  #metrics: Held<MetricsSnapshot>;
  #nextId = 1;
  #closed: Error | undefined;

  /** @param options How to reach the main thread and the first snapshots. */
  constructor(options: RemoteSourceOptions) {
    this.#post = options.post;
    this.#timeoutMs = options.timeoutMs;
    this.#status = hold(options.status, "status");
    this.#metrics = hold(options.metrics, "metrics");
  }

  /** Calls that wait for an answer. */
  get pendingCount(): number {
    return this.#pending.size;
  }

  /** Takes a push: the new snapshots first, then its events to every subscriber. */
  applyPush(push: PushMessage): void {
    this.#status = hold(push.status, "status");
    this.#metrics = hold(push.metrics, "metrics");
    for (const event of push.events) {
      for (const listener of [...this.#listeners]) {
        try {
          listener(event);
        } catch {
          // A broken client connection must not stop the others.
        }
      }
    }
  }

  /** Settles the call a `result` or `error` answers; a late answer is ignored. */
  settle(answer: ResultMessage | ErrorMessage): void {
    const pending = this.#pending.get(answer.id);
    if (pending === undefined) return;
    this.#pending.delete(answer.id);
    clearTimeout(pending.timer);
    if (answer.type === "result") return pending.resolve(answer.value);
    const error = new Error(answer.message);
    error.name = answer.name;
    if (answer.stack !== null) error.stack = answer.stack;
    pending.reject(error);
  }

  /** Rejects every waiting call and every later one with `reason`. */
  close(reason: Error): void {
    this.#closed ??= reason;
    for (const [id, pending] of this.#pending) {
      this.#pending.delete(id);
      clearTimeout(pending.timer);
      pending.reject(reason);
    }
  }

  #call<M extends RemoteMethod>(
    method: M,
    args: readonly unknown[],
  ): Promise<Answer<M>> {
    if (this.#closed !== undefined) return Promise.reject(this.#closed);
    const id = this.#nextId++;
    return new Promise<Answer<M>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(
          new Error(
            `Cannot read '${method}' from the daemon as it did not answer within ${this.#timeoutMs} ms`,
          ),
        );
      }, this.#timeoutMs);
      this.#pending.set(id, {
        resolve: resolve as (value: unknown) => void,
        reject,
        timer,
      });
      try {
        this.#post({ type: "call", id, method, args });
      } catch (error) {
        this.#pending.delete(id);
        clearTimeout(timer);
        reject(error);
      }
    });
  }

  status(): StatusSnapshot {
    return take(this.#status);
  }

  metrics(): MetricsSnapshot {
    return take(this.#metrics);
  }

  positions(): Promise<Answer<"positions">> {
    return this.#call("positions", []);
  }

  signals(query: SignalQuery): Promise<Answer<"signals">> {
    return this.#call("signals", [query]);
  }

  trades(query: TradeQuery): Promise<Answer<"trades">> {
    return this.#call("trades", [query]);
  }

  allTrades(
    query: Omit<TradeQuery, "limit" | "offset">,
  ): Promise<Answer<"allTrades">> {
    return this.#call("allTrades", [query]);
  }

  fills(tradeId: string): Promise<Answer<"fills">> {
    return this.#call("fills", [tradeId]);
  }

  equity(): Promise<Answer<"equity">> {
    return this.#call("equity", []);
  }

  presets(): Promise<Answer<"presets">> {
    return this.#call("presets", []);
  }

  pairs(): Promise<Answer<"pairs">> {
    return this.#call("pairs", []);
  }

  analytics(): Promise<Answer<"analytics">> {
    return this.#call("analytics", []);
  }

  backtests(): Promise<Answer<"backtests">> {
    return this.#call("backtests", []);
  }

  backtestFile(name: string, file: string): Promise<Answer<"backtestFile">> {
    return this.#call("backtestFile", [name, file]);
  }

  config(): Promise<unknown> {
    return this.#call("config", []);
  }

  alerts(
    query: { readonly limit: number; readonly offset: number },
  ): Promise<Answer<"alerts">> {
    return this.#call("alerts", [query]);
  }

  system(): Promise<Answer<"system">> {
    return this.#call("system", []);
  }

  subscribe(listener: (event: StatusEvent) => void): () => void {
    const own = (event: StatusEvent) => listener(event);
    this.#listeners.add(own);
    return () => {
      this.#listeners.delete(own);
    };
  }
}
