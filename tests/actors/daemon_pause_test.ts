/**
 * `/pause` (the `paused` setting the Telegram command writes) stops new positions from the next
 * candle on while open positions are still tracked to their exits (issue 8: "/pause stops new
 * positions in the daemon within one candle").
 *
 * @module
 */
import { strict as assert } from "node:assert";
import type { TradeRecord } from "../../core/backtest/records.ts";
import { fixtureReplay, runDaemonReplay } from "../fakes/daemon_run.ts";

/** Entry time of an open position row (its state is the portfolio's open trade). */
function openedAt(state: unknown): number {
  return (state as { position: { entryTime: number } }).position.entryTime;
}

const tradeKey = (t: TradeRecord) =>
  `${t.id} ${t.entryTime} ${t.exitTime} ${t.exitReason}`;

Deno.test({
  name:
    "a pause stops new positions from the next candle on, and open positions are still tracked to their exits",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const { start, end, step } = fixtureReplay();
    const pauseAt = start + Math.floor((end - start) / 2 / step) * step;
    const free = await runDaemonReplay();
    let set = false;
    const paused = await runDaemonReplay({
      beforeAdvance: (time, _exchange, store) => {
        if (!set && time >= pauseAt) {
          store.setSetting("paused", "true");
          set = true;
        }
      },
    });
    assert.ok(set, "the pause was set");
    const entries = (run: typeof free) => [
      ...run.snapshot.trades.map((t) => t.entryTime),
      ...run.snapshot.positions.map((p) => openedAt(p.state)),
    ];
    const late = entries(free).filter((t) => t >= pauseAt);
    assert.ok(late.length > 0, "without the pause, positions open after it");
    const afterPause = entries(paused).filter((t) => t >= pauseAt);
    assert.deepEqual(afterPause, [], "no position opens after the pause");
    assert.ok(
      paused.snapshot.signals.some((s) => s.time >= pauseAt),
      "signals are still computed and recorded while paused",
    );
    // Tracking continues: the trades opened before the pause end as without it.
    const before = (run: typeof free) =>
      run.snapshot.trades.filter((t) => t.entryTime < pauseAt).map(tradeKey);
    const stillOpen = free.snapshot.positions.filter((p) =>
      openedAt(p.state) < pauseAt
    );
    assert.deepEqual(before(paused), before(free));
    assert.ok(
      paused.snapshot.trades.some((t) =>
        t.entryTime < pauseAt && t.exitTime >= pauseAt
      ) || stillOpen.length > 0,
      "a position open at the pause was followed after it",
    );
  },
});
