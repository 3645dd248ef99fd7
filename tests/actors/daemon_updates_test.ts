/**
 * Live tracking between candle closes: with in-progress kline updates from the exchange, open
 * positions fill TPs and stops as the updates come (at their times, inside the bar), every fill
 * is committed and notified once, and the daemon's signals are those of a closed-candles-only run
 * (updates never touch the signal pipeline).
 */
import { strict as assert } from "node:assert";
import { runDaemonReplay } from "../fakes/daemon_run.ts";

Deno.test({
  name:
    "in-progress updates fill positions between closes without changing the signals",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const closedOnly = await runDaemonReplay();
    const withUpdates = await runDaemonReplay({ updatesPerCandle: 3 });
    const ids = (run: typeof closedOnly) =>
      run.snapshot.signals.map((s) => s.id);
    assert.deepEqual(ids(withUpdates), ids(closedOnly));
    const hours = (run: typeof closedOnly) =>
      Object.values(run.snapshot.fills).flat().filter((f) =>
        f.kind !== "entry" && f.time % 1_800_000 !== 0
      ).length;
    assert.equal(hours(closedOnly), 0, "closed bars fill at bar open times");
    assert.ok(hours(withUpdates) > 0, "updates fill inside bars");
    assert.equal(withUpdates.snapshot.unsent, 0);
    assert.equal(
      new Set(withUpdates.delivered).size,
      withUpdates.delivered.length,
      "every message once",
    );
  },
});
