/**
 * A {@link StatusSource} that answers every method but `subscribe` with a promise, settled a
 * macrotask later, of what the wrapped source returns (or rejects with what it throws): the
 * shape of the status thread's worker source, for route tests without a Worker.
 *
 * @module
 */
import type { FillRecord, TradeRecord } from "../../core/backtest/records.ts";
import type {
  AlertView,
  AnalyticsView,
  BacktestEntry,
  EquityView,
  MetricsSnapshot,
  Page,
  PairView,
  PositionView,
  PresetView,
  ReportFile,
  SignalQuery,
  SignalView,
  StatusEvent,
  StatusSnapshot,
  StatusSource,
  SystemView,
  TradeQuery,
} from "../../web/status_types.ts";

/** The wrapper (see the module doc). */
export class AsyncStatusSource implements StatusSource {
  readonly #inner: StatusSource;

  /** @param inner The source whose answers are deferred. */
  constructor(inner: StatusSource) {
    this.#inner = inner;
  }

  async #later<T>(read: () => T | Promise<T>): Promise<T> {
    await new Promise((resolve) => setTimeout(resolve, 0));
    return await read();
  }

  status(): Promise<StatusSnapshot> {
    return this.#later(() => this.#inner.status());
  }
  positions(): Promise<PositionView[]> {
    return this.#later(() => this.#inner.positions());
  }
  signals(query: SignalQuery): Promise<Page<SignalView>> {
    return this.#later(() => this.#inner.signals(query));
  }
  trades(query: TradeQuery): Promise<Page<TradeRecord>> {
    return this.#later(() => this.#inner.trades(query));
  }
  allTrades(
    query: Omit<TradeQuery, "limit" | "offset">,
  ): Promise<TradeRecord[]> {
    return this.#later(() => this.#inner.allTrades(query));
  }
  fills(tradeId: string): Promise<FillRecord[]> {
    return this.#later(() => this.#inner.fills(tradeId));
  }
  equity(): Promise<EquityView> {
    return this.#later(() => this.#inner.equity());
  }
  presets(): Promise<PresetView[]> {
    return this.#later(() => this.#inner.presets());
  }
  pairs(): Promise<PairView[]> {
    return this.#later(() => this.#inner.pairs());
  }
  analytics(): Promise<AnalyticsView> {
    return this.#later(() => this.#inner.analytics());
  }
  backtests(): Promise<BacktestEntry[]> {
    return this.#later(() => this.#inner.backtests());
  }
  backtestFile(name: string, file: string): Promise<ReportFile | undefined> {
    return this.#later(() => this.#inner.backtestFile(name, file));
  }
  config(): Promise<unknown> {
    return this.#later(() => this.#inner.config());
  }
  alerts(
    query: { readonly limit: number; readonly offset: number },
  ): Promise<Page<AlertView>> {
    return this.#later(() => this.#inner.alerts(query));
  }
  system(): Promise<SystemView> {
    return this.#later(() => this.#inner.system());
  }
  metrics(): Promise<MetricsSnapshot> {
    return this.#later(() => this.#inner.metrics());
  }
  subscribe(listener: (event: StatusEvent) => void): () => void {
    return this.#inner.subscribe(listener);
  }
}
