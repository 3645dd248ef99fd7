/**
 * The command line as a user runs it: `deno run main.ts <command>` in a subprocess, checking exit
 * codes, output, that bad input gives one clear line (no stack trace) and that nothing is written.
 */
import { strict as assert } from "node:assert";
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";
import { FIXTURES } from "./shared_data.ts";

const MAIN = fileURLToPath(new URL("../main.ts", import.meta.url));
const PERMISSIONS = [
  "--allow-read",
  "--allow-write",
  "--allow-env",
  "--allow-ffi",
  "--allow-sys",
];

async function run(args: string[], cwd: string) {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", ...PERMISSIONS, MAIN, ...args],
    cwd,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

function withTempDir(fn: (dir: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), "velas-cli-"));
    try {
      await fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

function assertCleanError(
  result: { code: number; stderr: string },
  pattern: RegExp,
): void {
  assert.equal(result.code, 2, result.stderr);
  assert.match(result.stderr, pattern);
  assert.doesNotMatch(result.stderr, /\n\s+at /, "no stack trace");
  assert.equal(result.stderr.trim().split("\n").length, 1, "one line");
}

Deno.test(
  "indicator command writes one CSV row per candle with the documented columns",
  withTempDir(async (dir) => {
    const out = join(dir, "btc.csv");
    const result = await run([
      "indicator",
      "--data",
      FIXTURES + "BTCUSDT-1h.csv.gz",
      "--preset",
      "40",
      "--out",
      out,
    ], dir);
    assert.equal(result.code, 0, result.stderr);
    const lines = Deno.readTextFileSync(out).trimEnd().split("\n");
    assert.equal(
      lines[0],
      "open_time,hc,lc,mid,atr,sd,long_trigger,short_trigger,signal",
    );
    assert.equal(lines.length, 3001);
    assert.match(lines[1]!, /^\d+,,,,,,,,$/, "undefined values are empty");
    const full = lines[3000]!.split(",");
    assert.equal(full.length, 9);
    for (const cell of full.slice(0, 8)) {
      assert.ok(Number.isFinite(Number(cell)) && cell !== "");
    }
    const signals = lines.filter((l) =>
      l.endsWith(",LONG") || l.endsWith(",SHORT")
    );
    assert.ok(signals.length > 10);
  }),
);

Deno.test(
  "indicator command refuses an unknown preset index with exit 2 and writes nothing",
  withTempDir(async (dir) => {
    const out = join(dir, "o.csv");
    const result = await run(
      [
        "indicator",
        "--data",
        FIXTURES + "BTCUSDT-1h.csv.gz",
        "--preset",
        "60",
        "--out",
        out,
      ],
      dir,
    );
    assertCleanError(
      result,
      /'index' must be an integer from 0 to 59: current value is 60/,
    );
    assert.equal(existsSync(out), false);
  }),
);

for (
  const [what, csv, pattern] of [
    [
      "unsorted times",
      "open_time,open,high,low,close,volume\n2000,1,2,0.5,1,1\n1000,1,2,0.5,1,1\n",
      /'bad\.csv' as row 2 \(line 3\) is unsorted/,
    ],
    [
      "a duplicate time",
      "open_time,open,high,low,close,volume\n1000,1,2,0.5,1,1\n1000,1,2,0.5,1,1\n",
      /'bad\.csv' as row 2 \(line 3\) has duplicate time/,
    ],
    [
      "a NaN",
      "open_time,open,high,low,close,volume\n1000,1,2,0.5,NaN,1\n",
      /'bad\.csv' as row 1 \(line 2\)/,
    ],
    [
      "high below low",
      "open_time,open,high,low,close,volume\n1000,1,1,2,1,1\n",
      /'bad\.csv' as row 1 \(line 2\) has high < low/,
    ],
    [
      "a missing column",
      "open_time,open,high,low,volume\n1000,1,2,0.5,1\n",
      /'bad\.csv' as .*close/,
    ],
  ] as const
) {
  Deno.test(
    `indicator command names the file, row and problem for ${what}, exit 2, nothing written`,
    withTempDir(async (dir) => {
      writeFileSync(join(dir, "bad.csv"), csv);
      const result = await run(
        ["indicator", "--data", "bad.csv", "--preset", "0", "--out", "o.csv"],
        dir,
      );
      assertCleanError(result, pattern);
      assert.deepEqual(readdirSync(dir), ["bad.csv"]);
    }),
  );
}

Deno.test(
  "a missing candle file is a clear error, not a stack trace",
  withTempDir(async (dir) => {
    const result = await run([
      "indicator",
      "--data",
      "nope.csv",
      "--preset",
      "0",
    ], dir);
    assertCleanError(
      result,
      /Cannot load candles from 'nope\.csv' as the file does not exist/,
    );
  }),
);

Deno.test(
  "presets command names all three wrong config keys in one message and writes nothing",
  withTempDir(async (dir) => {
    writeFileSync(
      join(dir, "config.yaml"),
      "portfolio:\n  max_positon: 5\n  risk_percent: -1\nladder:\n  sl_percnt: 8\ncolour: red\n",
    );
    const result = await run(["presets", "--config", "config.yaml"], dir);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /portfolio\.max_positon/);
    assert.match(result.stderr, /ladder\.sl_percnt/);
    assert.match(result.stderr, /colour/);
    assert.match(result.stderr, /portfolio\.risk_percent/);
    assert.doesNotMatch(result.stderr, /\n\s+at /);
    assert.equal(existsSync(join(dir, "data")), false);
  }),
);

Deno.test(
  "presets command lists 180 files on a dry run and refuses an unknown symbol",
  withTempDir(async (dir) => {
    const dry = await run(["presets", "--dry-run"], dir);
    assert.equal(dry.code, 0, dry.stderr);
    assert.equal(
      dry.stdout.split("\n").filter((l) => l.endsWith(".yaml")).length,
      180,
    );
    assert.equal(existsSync(join(dir, "data")), false);
    const nope = await run(["presets", "--symbol", "NOPE"], dir);
    assert.equal(nope.code, 1);
    assert.match(nope.stderr, /'NOPE' is not one of the configured pairs/);
  }),
);

Deno.test(
  "an unknown command lists the commands and exits 2",
  withTempDir(async (dir) => {
    const result = await run(["fly"], dir);
    assertCleanError(
      result,
      /Unknown command 'fly'\. Commands: backtest, download, indicator, live, demo, presets/,
    );
  }),
);
