/**
 * Tests of the fake clock: forward-only time, sleeps resolved in deadline order, abort, the
 * auto-advance mode and the onAdvance hook.
 *
 * @module
 */
import assert from "node:assert/strict";
import { FakeClock } from "./fake_clock.ts";

Deno.test("fake clock resolves sleeps in deadline order when advanced", async () => {
  const clock = new FakeClock({ start: 1000 });
  const woke: string[] = [];
  const late = clock.sleep(300).then(() => woke.push(`late@${clock.now()}`));
  const early = clock.sleep(100).then(() => woke.push(`early@${clock.now()}`));
  const tie = clock.sleep(100).then(() => woke.push(`tie@${clock.now()}`));
  await clock.advanceTo(1200);
  assert.deepEqual(woke, ["early@1100", "tie@1100"]);
  assert.equal(clock.now(), 1200);
  assert.equal(clock.pendingSleeps, 1);
  await clock.advance(100);
  await Promise.all([late, early, tie]);
  assert.deepEqual(woke, ["early@1100", "tie@1100", "late@1300"]);
});

Deno.test("fake clock refuses to go back in time", async () => {
  const clock = new FakeClock({ start: 5000 });
  await assert.rejects(
    () => clock.advanceTo(4999),
    (error: unknown) => {
      assert(error instanceof RangeError);
      assert.equal(
        error.message,
        "Cannot advance the clock as 'time' must not be earlier than now (5000): current value is 4999",
      );
      return true;
    },
  );
  assert.equal(clock.now(), 5000);
});

Deno.test("fake clock wakes a loop of sleeps one deadline at a time", async () => {
  const clock = new FakeClock();
  const ticks: number[] = [];
  const loop = (async () => {
    for (let i = 0; i < 3; i++) {
      await clock.sleep(10);
      ticks.push(clock.now());
    }
  })();
  await clock.advanceTo(100);
  await loop;
  assert.deepEqual(ticks, [10, 20, 30]);
});

Deno.test("fake clock rejects an aborted sleep with the signal's reason", async () => {
  const clock = new FakeClock();
  const controller = new AbortController();
  const sleeping = clock.sleep(50, controller.signal);
  controller.abort(new Error("stop"));
  await assert.rejects(sleeping, { message: "stop" });
  assert.equal(clock.pendingSleeps, 0);
  await assert.rejects(clock.sleep(1, controller.signal), { message: "stop" });
});

Deno.test("fake clock in auto-advance mode runs backoff sleeps instantly in simulated time", async () => {
  const clock = new FakeClock({ start: 0, autoAdvance: true });
  const waits = [500, 1000, 2000, 4000];
  for (const wait of waits) await clock.sleep(wait);
  assert.equal(clock.now(), 7500);
  assert.deepEqual(clock.sleepLog, waits);
});

Deno.test("fake clock in auto-advance mode resolves concurrent sleeps in deadline order", async () => {
  const clock = new FakeClock({ autoAdvance: true });
  const woke: number[] = [];
  await Promise.all(
    [30, 10, 20].map((ms) =>
      clock.sleep(ms).then(() => woke.push(clock.now()))
    ),
  );
  assert.deepEqual(woke, [10, 20, 30]);
});

Deno.test("fake clock awaits onAdvance with each new time before waking sleepers", async () => {
  const seen: number[] = [];
  const clock = new FakeClock({
    start: 100,
    onAdvance: async (time) => {
      await Promise.resolve();
      seen.push(time);
    },
  });
  const woke = clock.sleep(50).then(() => seen.push(-clock.now()));
  await clock.advanceTo(200);
  await woke;
  assert.deepEqual(seen, [150, -150, 200]);
  await clock.advanceTo(200);
  assert.deepEqual(seen, [150, -150, 200]);
});

Deno.test("fake clock runAll resolves every pending sleep", async () => {
  const clock = new FakeClock();
  const done = Promise.all([clock.sleep(5), clock.sleep(70)]);
  await clock.runAll();
  await done;
  assert.equal(clock.now(), 70);
  assert.equal(clock.nextDeadline(), undefined);
});
