/**
 * Tests of the SQLite state store: migrations, a whole step written and replayed, atomicity,
 * kill -9 in a real process, the exclusive lock, exact JSON state and the outbox queue.
 *
 * @module
 */
import { strict as assert } from "node:assert";
import { DatabaseSync } from "node:sqlite";
import type { TradeRecord } from "../../core/backtest/records.ts";
import type { StepCommit } from "../../core/state_types.ts";
import { decodeState, encodeState } from "../../data/state_json.ts";
import {
  migrate,
  type Migration,
  MIGRATIONS,
  schemaVersion,
} from "../../data/state_migrations.ts";
import { DatabaseLockedError, StateStore } from "../../data/state_store.ts";
import { CANDLES_PER_STEP } from "./state_store_child.ts";

const M = 60_000;
const CHILD_FLAGS = [
  "--allow-read",
  "--allow-write",
  "--allow-env",
  "--allow-ffi",
  "--allow-sys",
];

function withDir(run: (dir: string) => void | Promise<void>) {
  return async () => {
    const dir = Deno.makeTempDirSync({ prefix: "velas_state_" });
    try {
      await run(dir);
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  };
}

function withMemory(run: (store: StateStore) => void): () => void {
  return () => {
    const store = StateStore.open(":memory:");
    try {
      run(store);
    } finally {
      store.close();
    }
  };
}

function trade(id: string, exitTime: number): TradeRecord {
  return {
    id,
    seriesKey: "BTCUSDT:1h",
    symbol: "BTCUSDT",
    timeframe: "1h",
    side: "LONG",
    entryTime: exitTime - 10 * M,
    entryPrice: 100,
    exitTime,
    exitPrice: 101,
    exitReason: "tp",
    tpHits: 1,
    pnlQuote: 1.5,
    pnlPct: NaN,
    feesQuote: 0.1,
    fundingQuote: -0.25,
    notional: 1000,
    barsHeld: 10,
    sameBarDecided: 0,
    regime: "normal",
    presetHash: "abc",
  };
}

/** A step that touches every table. */
function fullStep(k = 1): StepCommit {
  const id = `BTCUSDT-1h-${k * M}-L`;
  return {
    candles: [
      { symbol: "BTCUSDT", timeframe: "1h", candle: c(k * M) },
      { symbol: "ETHUSDT", timeframe: "1h", candle: c(k * M) },
    ],
    progress: [
      { seriesKey: "BTCUSDT:1h", lastOpenTime: k * M },
      { seriesKey: "ETHUSDT:1h", lastOpenTime: k * M },
    ],
    signals: [{
      id,
      symbol: "BTCUSDT",
      timeframe: "1h",
      side: "LONG",
      barOpenTime: k * M,
      time: (k + 1) * M,
      price: 100,
      regime: "normal",
      presetHash: "abc",
    }],
    decisions: [{
      time: (k + 1) * M,
      signalId: id,
      symbol: "BTCUSDT",
      timeframe: "1h",
      side: "LONG",
      accepted: true,
      rule: "",
      detail: "ok",
      heatPct: 1.25,
      openPositions: 0,
    }],
    fills: [
      {
        tradeId: id,
        time: (k + 1) * M,
        kind: "entry",
        price: 100,
        quantity: 2,
        fee: 0.1,
        pnl: 0,
      },
      {
        tradeId: id,
        time: (k + 2) * M,
        kind: "tp",
        tpIndex: 1,
        price: 101,
        quantity: 0.4,
        fee: 0.02,
        pnl: 0.4,
      },
    ],
    trades: [trade(`old-${k}`, (k + 2) * M)],
    positions: [{
      tradeId: id,
      symbol: "BTCUSDT",
      timeframe: "1h",
      side: "LONG",
      status: "open",
      state: { stop: 100, tps: [1, 2], trail: -Infinity },
      updatedAt: (k + 2) * M,
    }],
    equity: [{ time: 86_400_000 * k, equity: 10_000 + k }],
    portfolio: { balance: 10_000 + k, heat: NaN },
    outbox: [{
      key: `signal:${id}`,
      kind: "signal",
      payload: { id, price: 100 },
      createdAt: (k + 1) * M,
    }],
  };
}

function c(openTime: number, close = 1.5) {
  return { openTime, open: 1, high: 2, low: 0.5, close, volume: 3 };
}

function emptyStep(overrides: Partial<StepCommit>): StepCommit {
  return {
    candles: [],
    progress: [],
    signals: [],
    decisions: [],
    fills: [],
    trades: [],
    positions: [],
    equity: [],
    portfolio: undefined,
    outbox: [],
    ...overrides,
  };
}

/** Every leaf compared with Object.is, and the shapes equal. */
function assertSameLeaves(actual: unknown, expected: unknown, path = "$") {
  if (typeof expected !== "object" || expected === null) {
    assert.ok(
      Object.is(actual, expected),
      `${path}: ${String(actual)} is not ${String(expected)}`,
    );
    return;
  }
  assert.equal(typeof actual, "object", path);
  assert.equal(Array.isArray(actual), Array.isArray(expected), path);
  const a = actual as Record<string, unknown>;
  const e = expected as Record<string, unknown>;
  assert.deepEqual(Object.keys(a), Object.keys(e), path);
  for (const key of Object.keys(e)) {
    assertSameLeaves(a[key], e[key], `${path}.${key}`);
  }
}

/** Seeded random doubles from random bit patterns (subnormals, huge, tiny, negative). */
function randomDoubles(count: number, seed: number): number[] {
  let s = seed >>> 0;
  const next =
    () => (s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x9e3779b9) >>> 0);
  const view = new DataView(new ArrayBuffer(8));
  return Array.from({ length: count }, (_, i) => {
    view.setUint32(0, next());
    view.setUint32(4, next());
    const bits = view.getFloat64(0);
    return i % 2 === 0 ? bits : (next() / 2 ** 32 - 0.5) * 10 ** (i % 40 - 20);
  });
}

Deno.test("state json round-trips NaN, Infinity, -0 and random doubles exactly", () => {
  const doubles = randomDoubles(2000, 7);
  const value = {
    specials: [
      NaN,
      Infinity,
      -Infinity,
      -0,
      0,
      Number.MIN_VALUE,
      -Number.MAX_VALUE,
    ],
    nested: { a: { b: [[-0], { c: NaN }] }, "$num": "NaN", "$$x": -Infinity },
    tagLike: { "$num": "-0" },
    ["__proto__"]: { polluted: true },
    doubles,
    text: 'é\u2028"',
    flags: [true, false, null],
  };
  Object.defineProperty(value, "__proto__", {
    value: { polluted: -0 },
    enumerable: true,
  });
  const decoded = decodeState(encodeState(value));
  assertSameLeaves(decoded, value);
  assert.equal(Object.getPrototypeOf(decoded), Object.prototype);
  assert.equal(({} as Record<string, unknown>)["polluted"], undefined);
  assert.ok(Object.is(decodeState(encodeState(-0)), -0));
  assert.ok(encodeState(doubles).length > 0);
});

Deno.test("state json refuses non-plain data naming its path", () => {
  assert.throws(
    () => encodeState({ a: [1, new Map()] }),
    new TypeError(
      "Cannot encode state as '$.a[1]' must be plain data: current value is a Map",
    ),
  );
  const cyclic: Record<string, unknown> = {};
  cyclic["self"] = cyclic;
  assert.throws(() => encodeState(cyclic), TypeError);
  assert.throws(() => decodeState('{"$num":"nope"}'), SyntaxError);
});

Deno.test(
  "store runs migrations on a new file once and records user_version",
  withDir((dir) => {
    const path = `${dir}/nested/state.db`;
    const first = StateStore.open(path);
    assert.deepEqual(first.appliedMigrations, [1, 2]);
    first.close();
    const second = StateStore.open(path);
    assert.deepEqual(second.appliedMigrations, []);
    second.close();
    const db = new DatabaseSync(path);
    assert.equal(schemaVersion(db), MIGRATIONS.length);
    assert.equal(schemaVersion(db), 2);
    db.close();
  }),
);

Deno.test(
  "a schema 1 database upgrades with its outbox rows kept, and an attempt in flight reads back until the row is sent",
  withDir((dir) => {
    const path = `${dir}/state.db`;
    const db = new DatabaseSync(path);
    migrate(db, path, MIGRATIONS.slice(0, 1));
    db.exec(
      `INSERT INTO outbox (key, kind, payload, created_at) VALUES ('a', 'alert', '{}', 1)`,
    );
    db.close();
    const store = StateStore.open(path);
    try {
      assert.deepEqual(store.appliedMigrations, [2]);
      const [row] = store.unsentOutbox(10);
      assert.equal(row?.key, "a");
      assert.equal(row?.inFlight, null);
      const attempt = { since: 5, chat: "-100", after: 41, text: "⚡ hi" };
      store.markInFlight(row!.id, attempt);
      assert.deepEqual(store.unsentOutbox(10)[0]?.inFlight, attempt);
      store.markInFlight(row!.id, null);
      assert.equal(store.unsentOutbox(10)[0]?.inFlight, null);
      store.markInFlight(row!.id, { since: 6 });
      store.markSent(row!.id, 42, 7);
      assert.equal(store.outboxRow("a")?.inFlight, null);
      assert.throws(
        () => store.markInFlight(999, null),
        /'id' must name a stored row: current value is 999/,
      );
    } finally {
      store.close();
    }
  }),
);

Deno.test(
  "store refuses a file written by a newer schema",
  withDir((dir) => {
    const path = `${dir}/state.db`;
    const db = new DatabaseSync(path);
    db.exec("PRAGMA user_version = 7");
    db.close();
    assert.throws(
      () => StateStore.open(path),
      new Error(
        `Cannot open the state database '${path}' as it was written by a newer VELAS (schema 7, this build knows 2)`,
      ),
    );
  }),
);

Deno.test("migrate rolls back a failing migration and stays at the previous version", () => {
  const db = new DatabaseSync(":memory:");
  try {
    const broken: Migration[] = [
      { version: 1, name: "one", sql: "CREATE TABLE a (x)" },
      {
        version: 2,
        name: "two",
        sql: "CREATE TABLE b (x); SELECT * FROM nope",
      },
    ];
    assert.throws(() => migrate(db, "mem", broken), /to schema 2 \(two\)/);
    assert.equal(schemaVersion(db), 1);
    const tables = db.prepare(
      "SELECT name FROM sqlite_master WHERE type = 'table'",
    )
      .all().map((row) => row["name"]);
    assert.deepEqual(tables, ["a"]);
  } finally {
    db.close();
  }
});

Deno.test(
  "commitStep writes every part of a step",
  withMemory((store) => {
    const step = fullStep();
    store.commitStep(step);
    const id = step.signals[0]!.id;
    assert.deepEqual(store.candles("BTCUSDT", "1h"), [c(M)]);
    assert.deepEqual(
      store.progress(),
      new Map([["BTCUSDT:1h", M], ["ETHUSDT:1h", M]]),
    );
    assert.deepEqual(store.signals(), [{
      ...step.signals[0]!,
      decision: step.decisions[0]!,
    }]);
    assert.deepEqual(store.fills(id), step.fills);
    assertSameLeaves(store.trades(), step.trades);
    assertSameLeaves(store.openPositions(), step.positions);
    assert.deepEqual(store.equity(), step.equity);
    assertSameLeaves(store.portfolioState(), step.portfolio);
    const [row] = store.unsentOutbox(10);
    assert.deepEqual(row, {
      ...step.outbox[0]!,
      id: 1,
      sentAt: null,
      messageId: null,
      attempts: 0,
      lastError: null,
      inFlight: null,
    });
    assert.deepEqual(store.counts(), {
      signals: 1,
      trades: 1,
      openPositions: 1,
      unsent: 1,
      candles: 2,
    });
  }),
);

Deno.test(
  "commitStep of the same step twice adds nothing",
  withMemory((store) => {
    store.commitStep(fullStep(1));
    store.commitStep(fullStep(2));
    const before = {
      counts: store.counts(),
      outbox: store.outbox(),
      fills: store.fills(fullStep(2).signals[0]!.id),
      signals: store.signals(),
    };
    store.commitStep(fullStep(2));
    store.commitStep(fullStep(1));
    assert.deepEqual(store.counts(), before.counts);
    assert.deepEqual(store.outbox(), before.outbox);
    assert.deepEqual(store.fills(fullStep(2).signals[0]!.id), before.fills);
    assert.deepEqual(store.signals(), before.signals);
    assert.equal(before.outbox.length, 2);
  }),
);

Deno.test(
  "fills get seq in stored order per trade and a later fill appends",
  withMemory((store) => {
    const step = fullStep();
    store.commitStep(step);
    const id = step.signals[0]!.id;
    const stop = {
      tradeId: id,
      time: 5 * M,
      kind: "stop" as const,
      price: 100,
      quantity: 1.6,
      fee: 0.08,
      pnl: 0,
    };
    store.commitStep(emptyStep({ fills: [stop] }));
    store.commitStep(emptyStep({ fills: [stop] }));
    assert.deepEqual(store.fills(id), [...step.fills, stop]);
  }),
);

Deno.test(
  "commitStep leaves nothing of a step whose trade insert fails",
  withMemory((store) => {
    store.commitStep(fullStep(1));
    const before = { counts: store.counts(), outbox: store.outbox() };
    const good = fullStep(2);
    const bad = trade(null as unknown as string, 3 * M);
    assert.throws(
      () => store.commitStep({ ...good, trades: [trade("fine", M), bad] }),
      /NOT NULL constraint failed: trades\.id/,
    );
    assert.deepEqual(store.counts(), before.counts);
    assert.deepEqual(store.outbox(), before.outbox);
    assert.deepEqual(
      store.progress(),
      new Map([["BTCUSDT:1h", M], ["ETHUSDT:1h", M]]),
    );
    assert.equal(store.candles("BTCUSDT", "1h").length, 1);
    assert.equal(store.fills(good.signals[0]!.id).length, 0);
    assert.deepEqual(store.trades().map((t) => t.id), ["old-1"]);
    assertSameLeaves(store.portfolioState(), fullStep(1).portfolio);
    assert.throws(
      () => store.commitStep({ ...good, portfolio: { bad: new Set() } }),
      TypeError,
    );
    assert.deepEqual(store.counts(), before.counts);
    store.commitStep(good);
    assert.equal(store.counts().signals, 2);
  }),
);

Deno.test(
  "store keeps every step whole across a kill -9 of a committing process",
  withDir(async (dir) => {
    const path = `${dir}/state.db`;
    const script = new URL("./state_store_child.ts", import.meta.url).pathname;
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", ...CHILD_FLAGS, script, path],
      cwd: new URL("../../", import.meta.url).pathname,
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const reader = child.stdout.pipeThrough(new TextDecoderStream())
      .getReader();
    let out = "";
    try {
      while (!out.includes("open\n")) {
        const { value, done } = await reader.read();
        if (done) break;
        out += value;
      }
      assert.ok(out.includes("open\n"), "the child did not open the store");
      await new Promise((resolve) => setTimeout(resolve, 300));
    } finally {
      child.kill("SIGKILL");
      while (!(await reader.read()).done) { /* drain */ }
      await child.stderr.cancel();
    }
    const status = await child.status;
    assert.equal(status.signal, "SIGKILL");
    const store = StateStore.open(path);
    try {
      const k = store.progress().get("BTCUSDT:1m") ?? 0;
      assert.ok(k > 0, "the child committed no step");
      const counts = store.counts();
      assert.equal(counts.candles, CANDLES_PER_STEP * k);
      assert.equal(counts.signals, k);
      assert.equal(store.outbox().length, k);
      assert.equal(store.outbox({ limit: 1 })[0]?.key, `step:${k}`);
      assert.equal((store.portfolioState() as { step: number }).step, k);
    } finally {
      store.close();
    }
  }),
);

Deno.test(
  "store open fails at once while another connection or process holds the file",
  withDir(async (dir) => {
    const path = `${dir}/state.db`;
    const first = StateStore.open(path);
    try {
      assert.throws(
        () => StateStore.open(path),
        (error: unknown) => {
          assert.ok(error instanceof DatabaseLockedError);
          assert.equal(error.name, "DatabaseLockedError");
          assert.equal(
            error.message,
            `Cannot open the state database as another VELAS process is using ${path}`,
          );
          assert.equal(error.path, path);
          return true;
        },
      );
      const module = new URL("../../data/state_store.ts", import.meta.url).href;
      const code = `import { StateStore } from "${module}";
      try { StateStore.open(${JSON.stringify(path)}); console.log("opened"); }
      catch (e) { console.log(e.name); }`;
      const output = await new Deno.Command(Deno.execPath(), {
        args: ["eval", ...CHILD_FLAGS, code],
        stderr: "inherit",
      }).output();
      assert.equal(
        new TextDecoder().decode(output.stdout).trim(),
        "DatabaseLockedError",
      );
    } finally {
      first.close();
    }
    const again = StateStore.open(path);
    again.close();
    again.close();
  }),
);

Deno.test(
  "portfolio state round-trips NaN, Infinity and -0 exactly",
  withDir((dir) => {
    const path = `${dir}/state.db`;
    const state = {
      equity: 1e4,
      heat: NaN,
      cap: Infinity,
      floor: -Infinity,
      zero: -0,
      list: [-0, 0.1 + 0.2],
    };
    const store = StateStore.open(path);
    assert.equal(store.portfolioState(), undefined);
    store.commitStep(emptyStep({ portfolio: state }));
    store.close();
    const reopened = StateStore.open(path);
    try {
      assertSameLeaves(reopened.portfolioState(), state);
    } finally {
      reopened.close();
    }
  }),
);

Deno.test(
  "candles with a limit return the last candles ascending",
  withMemory((store) => {
    const rows = [5, 1, 3, 2, 4].map((i) => ({
      symbol: "BTCUSDT",
      timeframe: "1h",
      candle: c(i * M, i),
    }));
    assert.equal(store.appendCandles(rows), 5);
    assert.equal(store.appendCandles(rows.slice(0, 2)), 0);
    store.appendCandles([{
      symbol: "BTCUSDT",
      timeframe: "4h",
      candle: c(9 * M),
    }]);
    const times = (candles: { openTime: number }[]) =>
      candles.map((x) => x.openTime / M);
    assert.deepEqual(times(store.candles("BTCUSDT", "1h", { limit: 2 })), [
      4,
      5,
    ]);
    assert.deepEqual(times(store.candles("BTCUSDT", "1h")), [1, 2, 3, 4, 5]);
    assert.deepEqual(
      times(store.candles("BTCUSDT", "1h", { fromOpenTime: 2 * M, limit: 10 })),
      [2, 3, 4, 5],
    );
    assert.deepEqual(store.candles("BTCUSDT", "1h", { limit: 0 }), []);
    assert.throws(
      () => store.candles("BTCUSDT", "1h", { limit: -2 }),
      RangeError,
    );
  }),
);

Deno.test(
  "outbox keeps insertion order and tracks sent and failed rows",
  withMemory((store) => {
    const items = ["b", "a", "c"].map((key, i) => ({
      key,
      kind: "alert",
      payload: { i },
      createdAt: 100 - i,
    }));
    store.commitStep(emptyStep({ outbox: items }));
    assert.deepEqual(store.unsentOutbox(10).map((row) => row.key), [
      "b",
      "a",
      "c",
    ]);
    assert.deepEqual(store.unsentOutbox(2).map((row) => row.id), [1, 2]);
    store.markFailed(1, "timeout");
    store.markFailed(1, "HTTP 502");
    store.markSent(2, 777, 5_000);
    const unsent = store.unsentOutbox(10);
    assert.deepEqual(unsent.map((row) => row.key), ["b", "c"]);
    assert.equal(unsent[0]?.attempts, 2);
    assert.equal(unsent[0]?.lastError, "HTTP 502");
    const all = store.outbox();
    assert.deepEqual(all.map((row) => row.key), ["c", "a", "b"]);
    assert.equal(all[1]?.sentAt, 5_000);
    assert.equal(all[1]?.messageId, 777);
    assert.equal(store.counts().unsent, 2);
    assert.throws(() => store.markSent(99, null, 1), RangeError);
    assert.throws(() => store.markFailed(99, "x"), RangeError);
  }),
);

Deno.test(
  "signals and trades read newest first with limit, since and offset",
  withMemory((store) => {
    for (const k of [1, 2, 3]) store.commitStep(fullStep(k));
    store.commitStep(emptyStep({
      signals: [{ ...fullStep(9).signals[0]!, time: 4 * M, id: "no-decision" }],
    }));
    const signals = store.signals();
    assert.deepEqual(signals.map((s) => s.id), [
      "no-decision",
      ...[3, 2, 1].map((k) => `BTCUSDT-1h-${k * M}-L`),
    ]);
    assert.equal(signals[0]?.decision, undefined);
    assert.equal("decision" in signals[0]!, false);
    assert.equal(signals[1]?.decision?.accepted, true);
    assert.equal(store.signals({ sinceTime: 3 * M }).length, 3);
    assert.equal(store.signals({ sinceTime: 3 * M + 1 }).length, 2);
    assert.deepEqual(store.signals({ limit: 1 }).map((s) => s.id), [
      "no-decision",
    ]);
    assert.deepEqual(store.trades().map((t) => t.id), [
      "old-3",
      "old-2",
      "old-1",
    ]);
    assert.deepEqual(store.trades({ limit: 1, offset: 1 }).map((t) => t.id), [
      "old-2",
    ]);
    assert.ok(Number.isNaN(store.trades()[0]?.pnlPct));
  }),
);

Deno.test(
  "settings and events read back what was written",
  withMemory((store) => {
    assert.equal(store.setting("paused"), undefined);
    store.setSetting("paused", "true");
    store.setSetting("paused", "false");
    assert.equal(store.setting("paused"), "false");
    store.addEvent({ time: 1, level: "info", kind: "start", message: "up" });
    store.addEvent({ time: 2, level: "error", kind: "ws", message: "down" });
    assert.deepEqual(store.events(1), [{
      id: 2,
      time: 2,
      level: "error",
      kind: "ws",
      message: "down",
    }]);
    assert.equal(store.events(10).length, 2);
  }),
);

Deno.test(
  "positions leave the open list when a step marks them closed",
  withMemory((store) => {
    const step = fullStep();
    store.commitStep(step);
    const closed = {
      ...step.positions[0]!,
      status: "closed" as const,
      updatedAt: 9 * M,
    };
    store.commitStep(emptyStep({ positions: [closed] }));
    assert.deepEqual(store.openPositions(), []);
    assert.equal(store.counts().openPositions, 0);
  }),
);
