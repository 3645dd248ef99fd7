import { strict as assert } from "node:assert";
import { driveReplay } from "../../data/replay_driver.ts";

function fakeExchange(start: number) {
  let now = start;
  return {
    now: () => now,
    advanceTo: (time: number) => {
      now = Math.max(now, time);
      return Promise.resolve();
    },
  };
}

Deno.test("a paced replay ends only once the daemon has taken the candles closing at the end", async () => {
  const exchange = fakeExchange(0);
  let takenAt = Infinity;
  const done = driveReplay({
    exchange,
    end: 1_000_000,
    step: 1000,
    speed: 1e8,
    signal: new AbortController().signal,
    caughtUp: (time) => {
      if (time >= 1_000_000 && takenAt === Infinity) {
        takenAt = performance.now() + 100;
      }
      return performance.now() >= takenAt;
    },
  });
  await done;
  assert.equal(exchange.now(), 1_000_000);
  assert.ok(
    performance.now() >= takenAt,
    "returned before the last candles were taken",
  );
});

Deno.test("a paced replay waits a bounded time for a daemon that never catches up", async () => {
  const exchange = fakeExchange(0);
  const began = performance.now();
  await driveReplay({
    exchange,
    end: 1_000_000,
    step: 1000,
    speed: 1e8,
    signal: new AbortController().signal,
    caughtUp: () => false,
    endWaitMs: 50,
  });
  assert.equal(exchange.now(), 1_000_000);
  assert.ok(performance.now() - began < 5000);
});
