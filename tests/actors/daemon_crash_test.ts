/**
 * Crash safety: `deno task live --replay` over the bundled candles, killed with SIGKILL at 20
 * random moments and restarted each time, ends with the same database (signals, decisions,
 * trades, fills, equity, open positions, portfolio state) as an uninterrupted run, and its file
 * notifier received every outbox row exactly once.
 */
import { strict as assert } from "node:assert";
import {
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRandom } from "../../core/random.ts";
import { StateStore } from "../../data/state_store.ts";
import { FIXTURES } from "../shared_data.ts";
import { runArgs } from "../fakes/task_command.ts";

// Series whose bundled candles end together: SOLUSDT-1h ends 21 hours early, and whether a kill
// lands inside its stale span decides whether a run sees that alert at all.
const CONFIG = `pairs: [BTCUSDT, ETHUSDT]
timeframes: [1h, 2h]
`;

function daemon(dir: string, db: string, notify: string): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: runArgs("demo", [
      "live",
      "--port",
      "0",
      "--replay",
      FIXTURES,
      "--db",
      db,
      "--config",
      join(dir, "config.yaml"),
    ]),
    cwd: dir,
    env: { VELAS_NOTIFY_FILE: notify },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

async function finish(child: Deno.ChildProcess): Promise<void> {
  const { code, stderr } = await child.output();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
}

/**
 * Kills the daemon `delayMs` after it logs its first new signal (so every round makes progress
 * and the kill lands while it works: mid-step, mid-commit, mid-send).
 */
async function killAfterFirstSignal(
  child: Deno.ChildProcess,
  delayMs: number,
): Promise<Deno.CommandStatus> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const watch = (async () => {
    const decoder = new TextDecoder();
    let text = "";
    for await (const chunk of child.stdout) {
      text += decoder.decode(chunk, { stream: true });
      if (timer === undefined && text.includes('"msg":"signal"')) {
        timer = setTimeout(() => {
          try {
            child.kill("SIGKILL");
          } catch {
            // already exited
          }
        }, delayMs);
      }
      text = text.slice(-200);
    }
  })();
  const status = await child.status;
  clearTimeout(timer);
  await watch.catch(() => {});
  await child.stderr.cancel();
  return status;
}

function snapshot(db: string) {
  const store = StateStore.open(db);
  try {
    const trades = store.trades({ limit: 1_000_000 });
    return {
      signals: store.signals({ limit: 1_000_000 }),
      trades,
      fills: trades.map((t) => store.fills(t.id)),
      equity: store.equity(),
      positions: store.openPositions(),
      portfolio: store.portfolioState(),
      unsent: store.unsentOutbox(1_000_000).length,
      outbox: store.outbox({ limit: 1_000_000 }).map((r) => r.key).sort(),
    };
  } finally {
    store.close();
  }
}

function notified(path: string): string[] {
  return readFileSync(path, "utf8").split("\n").filter((l) => l !== "")
    .map((l) => (JSON.parse(l) as { key: string }).key);
}

Deno.test({
  name:
    "kill -9 at 20 random moments and restarts leave the same database as an uninterrupted run, every message once",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const dir = mkdtempSync(join(tmpdir(), "velas-crash-"));
    try {
      writeFileSync(join(dir, "config.yaml"), CONFIG);
      const cleanDb = join(dir, "clean.db");
      const cleanNotify = join(dir, "clean.jsonl");
      await finish(daemon(dir, cleanDb, cleanNotify));

      const db = join(dir, "crash.db");
      const notify = join(dir, "crash.jsonl");
      const random = createRandom(20261124);
      let kills = 0;
      for (let round = 0; round < 20; round++) {
        const status = await killAfterFirstSignal(
          daemon(dir, db, notify),
          random() * 60,
        );
        if (status.signal === "SIGKILL") kills++;
        else {assert.equal(
            status.code,
            0,
            `round ${round} exited ${status.code}`,
          );}
      }
      assert.ok(kills >= 18, `${kills} of 20 rounds were killed mid-run`);
      await finish(daemon(dir, db, notify));

      const clean = snapshot(cleanDb);
      const crashed = snapshot(db);
      assert.ok(clean.signals.length > 10, `${clean.signals.length} signals`);
      assert.deepEqual(crashed.signals, clean.signals);
      assert.deepEqual(crashed.trades, clean.trades);
      assert.deepEqual(crashed.fills, clean.fills);
      assert.deepEqual(crashed.equity, clean.equity);
      assert.deepEqual(crashed.positions, clean.positions);
      assert.deepEqual(crashed.portfolio, clean.portfolio);
      assert.deepEqual(crashed.outbox, clean.outbox);
      assert.equal(crashed.unsent, 0);

      assert.ok(existsSync(notify));
      const keys = notified(notify);
      assert.equal(new Set(keys).size, keys.length, "no message twice");
      assert.deepEqual([...keys].sort(), clean.outbox, "every message");
      assert.deepEqual(notified(cleanNotify).sort(), clean.outbox);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
});
