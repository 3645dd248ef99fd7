/**
 * The `backtest optimize` command as a user runs it, on the bundled candle extracts with a short
 * walk-forward (the extracts hold 4-8 months): preset files, report, determinism across seeds and
 * worker counts, the backtest loading the written files, and bad input.
 */
import { strict as assert } from "node:assert";
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runBacktestCommand } from "../../data/backtest_command.ts";
import { loadPresetFile } from "../../presets/preset_store.ts";
import { FIXTURES } from "../shared_data.ts";

/** A short walk-forward that fits the 4-month extracts. */
const SHORT_CONFIG = `
data:
  warmup_bars: 300
optimizer:
  min_window_trades: 3
  regime_min_trades: 8
  walk_forward:
    train_months: 1
    test_months: 1
    step_months: 1
    min_windows: 2
  monte_carlo:
    runs: 500
`;

async function optimize(
  args: string[],
  cwd: string,
  now = Date.UTC(2026, 10, 24, 12),
) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await runBacktestCommand(["optimize", ...args], {
    stdout: (line) => stdout.push(line),
    stderr: (line) => stderr.push(line),
    now: () => now,
    cwd,
  });
  return { code, stdout: stdout.join("\n"), stderr: stderr.join("\n") };
}

function withTemp(fn: (dir: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), "velas-optimize-"));
    try {
      await fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

const SERIES = ["--symbols", "BTCUSDT,ETHUSDT", "--timeframes", "1h,2h"];

function presetTexts(dir: string): Map<string, string> {
  return new Map(
    readdirSync(dir).sort().map((name) => [
      name,
      readFileSync(join(dir, name), "utf8"),
    ]),
  );
}

Deno.test(
  "optimize writes one preset file per series and regime, a report, and the same files for the same seed with 1 or 2 workers",
  withTemp(async (dir) => {
    writeFileSync(join(dir, "config.yaml"), SHORT_CONFIG);
    const first = await optimize([
      "--data",
      FIXTURES,
      ...SERIES,
      "--out",
      "a",
      "--report",
      "report-a",
      "--workers",
      "2",
    ], dir);
    assert.equal(first.code, 0, first.stdout + first.stderr);
    assert.match(first.stdout, /BTCUSDT 1h/);
    // ETHUSDT 2h holds 1 500 bars (4 months): too short even for this walk-forward.
    assert.match(first.stdout, /3 series optimized, \d+ active, 1 skipped/);
    const files = presetTexts(join(dir, "a"));
    assert.deepEqual([...files.keys()], [
      "BTCUSDT_1h_high.yaml",
      "BTCUSDT_1h_low.yaml",
      "BTCUSDT_1h_normal.yaml",
      "BTCUSDT_2h_high.yaml",
      "BTCUSDT_2h_low.yaml",
      "BTCUSDT_2h_normal.yaml",
      "ETHUSDT_1h_high.yaml",
      "ETHUSDT_1h_low.yaml",
      "ETHUSDT_1h_normal.yaml",
      "ETHUSDT_2h_high.yaml",
      "ETHUSDT_2h_low.yaml",
      "ETHUSDT_2h_normal.yaml",
    ]);
    for (const name of files.keys()) {
      const { preset } = await loadPresetFile(join(dir, "a", name));
      const o = preset.optimization;
      assert.equal(o.generated_at, "2026-11-24T12:00:00.000Z");
      if (name.startsWith("ETHUSDT_2h")) {
        assert.equal(preset.is_active, false);
        assert.equal(o.test_start, "");
        assert.match(
          preset.notes,
          /^Inactive: not optimized: Cannot run walk-forward on ETHUSDT 2h as it needs 3 calendar months/,
        );
        continue;
      }
      assert.match(o.test_start, /^\d{4}-\d{2}-\d{2}$/, name);
      assert.ok(o.test_total_trades > 0, name);
      assert.ok(o.robustness_score >= 0 && o.robustness_score <= 100);
      if (!preset.is_active) assert.match(preset.notes, /^Inactive: failed /);
    }
    for (
      const out of ["summary.json", "windows.csv", "trades.csv", "report.html"]
    ) {
      assert.ok(existsSync(join(dir, "report-a", out)), out);
    }
    const summary = JSON.parse(
      readFileSync(join(dir, "report-a", "summary.json"), "utf8"),
    );
    assert.equal(summary.series.length, 3);
    assert.equal(summary.skipped.length, 1);
    assert.equal(summary.series[0].scopes.length, 4);

    // Same seed, one worker, another day: identical files apart from generated_at.
    const second = await optimize(
      [
        "--data",
        FIXTURES,
        ...SERIES,
        "--out",
        "b",
        "--report",
        "report-b",
        "--workers",
        "1",
      ],
      dir,
      Date.UTC(2026, 10, 25),
    );
    assert.equal(second.code, 0, second.stdout + second.stderr);
    const again = presetTexts(join(dir, "b"));
    const strip = (text: string) => text.replace(/generated_at: .*\n/, "");
    for (const [name, text] of files) {
      assert.notEqual(again.get(name), text, `${name} has a new generated_at`);
      assert.equal(strip(again.get(name)!), strip(text), name);
    }

    // The backtester loads the written files unchanged.
    const backtest = await runBacktestCommand([
      "--data",
      FIXTURES,
      ...SERIES,
      "--presets",
      "a",
      "--out",
      "bt",
    ], {
      stdout: () => {},
      stderr: () => {},
      now: () => Date.UTC(2026, 10, 24),
      cwd: dir,
    });
    assert.equal(backtest, 0);
  }),
);

Deno.test(
  "optimize keeps the ladder of an existing preset file and stops on a broken one, naming the file and key",
  withTemp(async (dir) => {
    writeFileSync(join(dir, "config.yaml"), SHORT_CONFIG);
    const args = [
      "--data",
      FIXTURES,
      "--symbols",
      "BTCUSDT",
      "--timeframes",
      "2h",
      "--out",
      "p",
      "--report",
      "r",
    ];
    assert.equal((await optimize(args, dir)).code, 0);
    const path = join(dir, "p", "BTCUSDT_2h_normal.yaml");
    const text = readFileSync(path, "utf8");
    writeFileSync(path, text.replace(/sl_percent: [\d.]+/, "sl_percent: 6.5"));
    assert.equal((await optimize(args, dir)).code, 0);
    assert.equal((await loadPresetFile(path)).preset.sl_percent, 6.5);

    writeFileSync(path, text.replace(/i1: \d+/, "i1: forty"));
    const before = readFileSync(join(dir, "p", "BTCUSDT_2h_low.yaml"), "utf8");
    await assert.rejects(
      () => optimize(args, dir, Date.UTC(2027, 0, 1)),
      (error: unknown) => {
        assert.ok(error instanceof TypeError);
        assert.match(error.message, /BTCUSDT_2h_normal\.yaml/);
        assert.match(error.message, /indicator\.i1/);
        return true;
      },
    );
    assert.equal(
      readFileSync(join(dir, "p", "BTCUSDT_2h_low.yaml"), "utf8"),
      before,
      "nothing is written after a broken file",
    );
  }),
);

Deno.test(
  "optimize on too little data says how many months the walk-forward needs and how many there are",
  withTemp(async (dir) => {
    await assert.rejects(
      () =>
        optimize([
          "--data",
          FIXTURES,
          "--symbols",
          "BTCUSDT",
          "--timeframes",
          "1h",
          "--out",
          "p",
        ], dir),
      (error: unknown) => {
        assert.ok(error instanceof RangeError);
        assert.match(
          error.message,
          /BTCUSDT 1h: Cannot run walk-forward on BTCUSDT 1h as it needs 14 calendar months after the 500-bar warm-up .*: the data has \d\.\d/,
        );
        return true;
      },
    );
    assert.equal(existsSync(join(dir, "p")), false);
  }),
);

Deno.test(
  "optimize refuses a bad grid range and a bad worker count, naming the option",
  withTemp(async (dir) => {
    await assert.rejects(
      () => optimize(["--data", FIXTURES, "--grid", "i1=60:30:5"], dir),
      /'--grid' as 'i1' must be start:end:step/,
    );
    await assert.rejects(
      () => optimize(["--data", FIXTURES, "--workers", "0"], dir),
      /'--workers' must be an integer of at least 1: current value is 0/,
    );
  }),
);
