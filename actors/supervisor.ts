/**
 * The supervisor: spawns the series actors in a pool of Web Workers (series i goes to worker
 * i mod N), routes closed candles to them, hands their `bar.processed` replies to the portfolio,
 * and owns failure handling. A series whose actor fails is restarted with capped, jittered
 * backoff: its actor is re-created from history (the stored candles plus those it processed since
 * the last commit) and the candles it had not answered are sent again, so nothing is lost or
 * doubled. Past `maxRestarts` consecutive failures the series is marked degraded and gets no more
 * candles; the other series never stop. A worker that dies takes its series through the same
 * restart in a new worker.
 *
 * Lifecycle per series, with the allowed transitions in {@link TRANSITIONS}:
 * starting → running → restarting → starting …, restarting → degraded, any → stopped.
 *
 * @module
 */
import type { Clock } from "../core/clock.ts";
import {
  asSeriesReply,
  type SeriesReply,
  type SeriesRequest,
  type SeriesSpec,
} from "../core/messages.ts";
import type { Candle } from "../core/types.ts";

/** Lifecycle state of one series actor. */
export type ActorState =
  | "starting"
  | "running"
  | "restarting"
  | "degraded"
  | "stopped";

/** Allowed lifecycle transitions. */
export const TRANSITIONS: Readonly<Record<ActorState, readonly ActorState[]>> =
  {
    starting: ["running", "restarting", "stopped"],
    running: ["restarting", "stopped"],
    restarting: ["starting", "degraded", "stopped"],
    degraded: ["stopped"],
    stopped: [],
  };

/** A processed bar as the portfolio receives it. */
export type ProcessedBar = Extract<SeriesReply, { type: "bar.processed" }>;

/** Options of {@link Supervisor}. */
export interface SupervisorOptions {
  readonly specs: readonly SeriesSpec[];
  /** Number of workers (at least 1). */
  readonly workers: number;
  /** The stored candles of a series, oldest first (its warm-up and everything committed). */
  readonly history: (key: string) => readonly Candle[];
  readonly onBar: (bar: ProcessedBar) => void;
  /** Every lifecycle change, with the reason. */
  readonly onState?: (
    key: string,
    from: ActorState,
    to: ActorState,
    reason: string,
  ) => void;
  readonly clock: Clock;
  readonly random?: () => number;
  /** Consecutive failures before a series is degraded (default 5). */
  readonly maxRestarts?: number;
  /** Restart backoff: base · 2^(attempt−1), capped, times a jitter in [0.5, 1) (default 200 ms .. 10 s). */
  readonly backoff?: { readonly baseMs: number; readonly maxMs: number };
  /** Worker script (default: the series worker). */
  readonly workerUrl?: string;
}

interface Slot {
  readonly spec: SeriesSpec;
  readonly worker: number;
  state: ActorState;
  /** Candles sent and not yet answered, in order. */
  unacked: Candle[];
  /** Candles answered since the last commit (not yet in the stored history). */
  uncommitted: Candle[];
  failures: number;
  ready: (() => void) | undefined;
}

/** Runs the series actors. */
export class Supervisor {
  readonly #options: SupervisorOptions;
  readonly #slots = new Map<string, Slot>();
  readonly #workers: (Worker | undefined)[];
  readonly #abort = new AbortController();
  #stopped = false;

  /** @param options Specs, worker count, history source, bar sink, clock and restart policy. */
  constructor(options: SupervisorOptions) {
    if (!Number.isInteger(options.workers) || options.workers < 1) {
      throw new RangeError(
        `Cannot start the supervisor as 'workers' must be an integer of at least 1: current value is ${options.workers}`,
      );
    }
    this.#options = options;
    this.#workers = new Array(options.workers).fill(undefined);
    options.specs.forEach((spec, i) => {
      this.#slots.set(spec.key, {
        spec,
        worker: i % options.workers,
        state: "starting",
        unacked: [],
        uncommitted: [],
        failures: 0,
        ready: undefined,
      });
    });
  }

  #transition(slot: Slot, to: ActorState, reason: string): void {
    const from = slot.state;
    if (from === to) return;
    if (!TRANSITIONS[from].includes(to)) {
      throw new Error(
        `Series ${slot.spec.key} cannot go from '${from}' to '${to}' (${reason})`,
      );
    }
    slot.state = to;
    this.#options.onState?.(slot.spec.key, from, to, reason);
  }

  #worker(index: number): Worker {
    const existing = this.#workers[index];
    if (existing !== undefined) return existing;
    const url = this.#options.workerUrl ??
      new URL("./series_worker.ts", import.meta.url).href;
    const worker = new Worker(url, { type: "module" });
    worker.onmessage = (event: MessageEvent<unknown>) => {
      if (this.#stopped) return;
      this.#reply(asSeriesReply(event.data));
    };
    worker.onerror = (event: ErrorEvent) => {
      event.preventDefault();
      this.#workerDied(index, event.message);
    };
    this.#workers[index] = worker;
    return worker;
  }

  #post(slot: Slot, request: SeriesRequest): void {
    this.#worker(slot.worker).postMessage(request);
  }

  #startSlot(slot: Slot): void {
    const stored = this.#options.history(slot.spec.key);
    const last = stored.length > 0
      ? stored[stored.length - 1]!.openTime
      : -Infinity;
    const history = [
      ...stored,
      ...slot.uncommitted.filter((c) => c.openTime > last),
    ];
    const spec = slot.failures > 0
      ? { key: slot.spec.key, options: slot.spec.options }
      : slot.spec;
    this.#post(slot, { type: "series.start", spec, history });
  }

  #reply(reply: SeriesReply): void {
    const slot = this.#slots.get(reply.key);
    if (slot === undefined || slot.state === "stopped") return;
    switch (reply.type) {
      case "series.ready": {
        this.#transition(slot, "running", "history replayed");
        for (const candle of slot.unacked) {
          this.#post(slot, { type: "candle.closed", key: reply.key, candle });
        }
        slot.ready?.();
        slot.ready = undefined;
        return;
      }
      case "bar.processed": {
        const sent = slot.unacked[0];
        if (sent?.openTime !== reply.candle.openTime) return;
        slot.unacked.shift();
        slot.uncommitted.push(sent);
        slot.failures = 0;
        this.#options.onBar(reply);
        return;
      }
      case "series.failed":
        this.#failed(slot, reply.message);
        return;
      default: {
        const never: never = reply;
        throw new TypeError(`unhandled series reply ${String(never)}`);
      }
    }
  }

  #failed(slot: Slot, message: string): void {
    if (slot.state === "degraded" || slot.state === "restarting") return;
    slot.failures++;
    this.#transition(slot, "restarting", message);
    const max = this.#options.maxRestarts ?? 5;
    if (slot.failures > max) {
      this.#transition(
        slot,
        "degraded",
        `${slot.failures} failures in a row; last: ${message}`,
      );
      slot.ready?.();
      slot.ready = undefined;
      return;
    }
    const { baseMs, maxMs } = this.#options.backoff ??
      { baseMs: 200, maxMs: 10_000 };
    const random = this.#options.random ?? Math.random;
    const delay = Math.min(maxMs, baseMs * 2 ** (slot.failures - 1)) *
      (0.5 + random() / 2);
    this.#options.clock.sleep(delay, this.#abort.signal).then(() => {
      if (this.#stopped || slot.state !== "restarting") return;
      this.#transition(slot, "starting", `restart ${slot.failures}`);
      this.#startSlot(slot);
    }, () => {});
  }

  #workerDied(index: number, message: string): void {
    this.#workers[index]?.terminate();
    this.#workers[index] = undefined;
    if (this.#stopped) return;
    for (const slot of this.#slots.values()) {
      if (slot.worker === index && slot.state !== "degraded") {
        this.#failed(slot, `worker ${index + 1} died: ${message}`);
      }
    }
  }

  /**
   * Starts every series from its history.
   *
   * @returns Resolves when every series is running (or degraded).
   */
  start(): Promise<void> {
    const waits: Promise<void>[] = [];
    for (const slot of this.#slots.values()) {
      waits.push(
        new Promise((resolve) => {
          slot.ready = resolve;
        }),
      );
      this.#startSlot(slot);
    }
    return Promise.all(waits).then(() => {});
  }

  /**
   * Routes one closed candle to its series.
   *
   * @param key `SYMBOL:tf`.
   * @param candle The closed candle (each exactly once, in order).
   */
  candle(key: string, candle: Candle): void {
    const slot = this.#slots.get(key);
    if (slot === undefined || slot.state === "degraded") return;
    if (slot.state === "stopped") return;
    slot.unacked.push(candle);
    if (slot.state === "running") {
      this.#post(slot, { type: "candle.closed", key, candle });
    }
  }

  /**
   * Forgets the candles of a series that are now stored (they come back through `history`).
   *
   * @param key `SYMBOL:tf`.
   * @param lastOpenTime Open time of the last stored candle.
   */
  committed(key: string, lastOpenTime: number): void {
    const slot = this.#slots.get(key);
    if (slot === undefined) return;
    const keep = slot.uncommitted.findIndex((c) => c.openTime > lastOpenTime);
    slot.uncommitted = keep < 0 ? [] : slot.uncommitted.slice(keep);
  }

  /** Lifecycle state of every series. */
  states(): Map<string, ActorState> {
    return new Map([...this.#slots].map(([key, slot]) => [key, slot.state]));
  }

  /** Candles sent to actors and not yet answered. */
  get inFlight(): number {
    let n = 0;
    for (const slot of this.#slots.values()) n += slot.unacked.length;
    return n;
  }

  /** Stops every actor and worker. */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#abort.abort();
    for (const slot of this.#slots.values()) {
      if (slot.state !== "stopped") this.#transition(slot, "stopped", "stop");
      slot.ready?.();
    }
    for (const w of this.#workers) w?.terminate();
    this.#workers.fill(undefined);
  }
}
