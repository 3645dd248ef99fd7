/**
 * The `backtest` command as a user runs it: outputs, the report in a real browser, the portfolio
 * limits replayed from the written files, and bad input.
 */
import { strict as assert } from "node:assert";
import {
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { gunzipSync } from "node:zlib";
import { runBacktestCommand } from "../../data/backtest_command.ts";
import { CHROMIUM, NEEDS_CHROMIUM, screenshot } from "../fakes/chromium.ts";
import { FIXTURES, NEEDS_SHARED, SHARED_DATA } from "../shared_data.ts";

const OUTPUTS = [
  "decisions.csv",
  "equity.csv",
  "fills.csv",
  "report.html",
  "summary.json",
  "trades.csv",
];

async function backtest(args: string[], cwd: string) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await runBacktestCommand(args, {
    stdout: (line) => stdout.push(line),
    stderr: (line) => stderr.push(line),
    now: () => Date.UTC(2026, 10, 24, 12),
    cwd,
  });
  return { code, stdout: stdout.join("\n"), stderr: stderr.join("\n") };
}

function temp(): string {
  return mkdtempSync(join(tmpdir(), "velas-backtest-"));
}

/** Runs a test body in a fresh temp directory and removes it afterwards. */
function inTemp(fn: (dir: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = temp();
    try {
      await fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

/** Minimal CSV reader for the files we write (no quoted newlines in these columns). */
function readCsv(path: string): Record<string, string>[] {
  const [header, ...lines] = readFileSync(path, "utf8").trimEnd().split("\n");
  const names = header!.split(",");
  return lines.map((line) => {
    const cells: string[] = [];
    let cell = "";
    let quoted = false;
    for (let i = 0; i < line.length; i++) {
      const ch = line[i]!;
      if (quoted) {
        if (ch === '"' && line[i + 1] === '"') {
          cell += '"';
          i++;
        } else if (ch === '"') quoted = false;
        else cell += ch;
      } else if (ch === '"') quoted = true;
      else if (ch === ",") {
        cells.push(cell);
        cell = "";
      } else cell += ch;
    }
    cells.push(cell);
    return Object.fromEntries(names.map((n, i) => [n, cells[i] ?? ""]));
  });
}

Deno.test(
  "backtest on bundled candles prints the table and writes all six outputs",
  inTemp(async (dir) => {
    const result = await backtest([
      "--data",
      FIXTURES,
      "--timeframes",
      "1h",
      "--symbols",
      "BTCUSDT,ETHUSDT,SOLUSDT",
      "--out",
      "out",
    ], dir);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /BTCUSDT:1h/);
    assert.match(result.stdout, /Sharpe .* max DD /);
    assert.deepEqual(readdirSync(join(dir, "out")).sort(), OUTPUTS);
    const summary = JSON.parse(
      readFileSync(join(dir, "out", "summary.json"), "utf8"),
    );
    assert.equal(
      summary.presets.source,
      "generated defaults (no preset files)",
    );
    assert.match(summary.align, /intersected/);
    const trades = readCsv(join(dir, "out", "trades.csv"));
    assert.equal(trades.length, summary.metrics.totalTrades);
    const net = trades.reduce((sum, t) => sum + Number(t.pnl_quote), 0);
    assert.ok(Math.abs(net - summary.metrics.netProfitQuote) < 1e-3);
  }),
);

Deno.test({
  name:
    `backtest of BTC, ETH and SOL 1h writes a report that renders in Chromium${NEEDS_SHARED}${NEEDS_CHROMIUM}`,
  ignore: SHARED_DATA === undefined || CHROMIUM === undefined,
  async fn() {
    const dir = temp();
    try {
      const result = await backtest([
        "--data",
        SHARED_DATA!,
        "--timeframes",
        "1h",
        "--symbols",
        "BTCUSDT,ETHUSDT,SOLUSDT",
        "--out",
        "out",
      ], dir);
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(readdirSync(join(dir, "out")).sort(), OUTPUTS);
      const html = readFileSync(join(dir, "out", "report.html"), "utf8");
      assert.match(html, /<svg/);
      const png = join(dir, "out", "report.png");
      await screenshot(join(dir, "out", "report.html"), png, {
        width: 1280,
        height: 1800,
      });
      const bytes = readFileSync(png);
      assert.deepEqual([...bytes.subarray(1, 4)], [0x50, 0x4e, 0x47], "a PNG");
      assert.ok(bytes.length > 30_000, "the chart is drawn");
    } finally {
      if (Deno.env.get("VELAS_KEEP_TEST_OUTPUT") === undefined) {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  },
});

Deno.test({
  name:
    `portfolio rules refuse by every limit and the written files never exceed one${NEEDS_SHARED}`,
  ignore: SHARED_DATA === undefined,
  async fn() {
    const dir = temp();
    try {
      writeFileSync(
        join(dir, "config.yaml"),
        "portfolio:\n  max_positions: 4\n  max_heat_percent: 5\n  correlation_limit: 0.9\n",
      );
      const symbols =
        "BTCUSDT,ETHUSDT,SOLUSDT,BNBUSDT,XRPUSDT,DOGEUSDT,ADAUSDT,AVAXUSDT,DOTUSDT,LINKUSDT,LTCUSDT,APTUSDT,ARBUSDT,ATOMUSDT";
      const result = await backtest(
        [
          "--data",
          SHARED_DATA!,
          "--timeframes",
          "1h",
          "--symbols",
          symbols,
          "--out",
          "out",
        ],
        dir,
      );
      assert.equal(result.code, 0, result.stderr);
      const decisions = readCsv(join(dir, "out", "decisions.csv"));
      const refused = new Set(
        decisions.filter((d) => d.accepted === "false").map((d) => d.rule),
      );
      for (const rule of ["max-positions", "heat", "sector", "correlation"]) {
        assert.ok(
          refused.has(rule),
          `a refusal by ${rule}: saw ${[...refused].join(", ")}`,
        );
      }
      for (const d of decisions.filter((d) => d.accepted === "true")) {
        assert.ok(
          Number(d.heat_pct) <= 5 + 1e-9,
          `heat before an entry ${d.heat_pct}`,
        );
        assert.ok(Number(d.open_positions) < 4);
      }
      const sectors: Record<string, string> = {
        BTCUSDT: "BTC",
        ETHUSDT: "ETH",
        SOLUSDT: "L1",
        AVAXUSDT: "L1",
        ATOMUSDT: "L1",
        APTUSDT: "L1",
        ARBUSDT: "L2",
        LINKUSDT: "DEFI",
        XRPUSDT: "OLD",
        ADAUSDT: "OLD",
        DOTUSDT: "OLD",
        LTCUSDT: "OLD",
        DOGEUSDT: "MEME",
        BNBUSDT: "CEX",
      };
      // Replay fills.csv: a trade is open from its entry fill until the fill that ends it.
      const trades = readCsv(join(dir, "out", "trades.csv"));
      const symbolOf = new Map(trades.map((t) => [t.id!, t.symbol!]));
      const lastFill = new Map(trades.map((t) => [t.id!, Number(t.exit_time)]));
      const events: [number, number, string][] = [];
      for (const f of readCsv(join(dir, "out", "fills.csv"))) {
        if (f.kind === "entry") events.push([Number(f.time), 1, f.trade_id!]);
      }
      for (const [id, time] of lastFill) events.push([time, -1, id]);
      events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
      const open = new Set<string>();
      for (const [, kind, id] of events) {
        if (kind < 0) {
          open.delete(id);
          continue;
        }
        open.add(id);
        assert.ok(open.size <= 4, `${open.size} positions open`);
        const symbols = [...open].map((o) => symbolOf.get(o)!);
        assert.equal(
          new Set(symbols).size,
          symbols.length,
          "one position per symbol",
        );
        const perSector = new Map<string, number>();
        for (const s of symbols) {
          perSector.set(sectors[s]!, (perSector.get(sectors[s]!) ?? 0) + 1);
        }
        for (const [sector, n] of perSector) {
          assert.ok(n <= 2, `${n} open in ${sector}`);
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
});

Deno.test(
  "backtest refuses an unknown symbol, naming it and the symbols that exist",
  inTemp(async (dir) => {
    await assert.rejects(
      () =>
        backtest([
          "--data",
          FIXTURES,
          "--symbols",
          "NOPEUSDT",
          "--timeframes",
          "1h",
        ], dir),
      (error: Error) => {
        assert.equal(error.name, "CandleDataError");
        assert.match(
          error.message,
          /has no data for NOPEUSDT: symbols there are BTCUSDT, ETHUSDT, SOLUSDT/,
        );
        return true;
      },
    );
  }),
);

Deno.test(
  "backtest refuses a range with no data and writes nothing",
  inTemp(async (dir) => {
    await assert.rejects(
      () =>
        backtest([
          "--data",
          FIXTURES,
          "--symbols",
          "BTCUSDT",
          "--timeframes",
          "1h",
          "--from",
          "2019-01-01",
          "--to",
          "2019-02-01",
        ], dir),
      /Cannot backtest BTCUSDT 1h as the range has no candle to trade/,
    );
    assert.deepEqual(readdirSync(dir), []);
  }),
);

Deno.test(
  "backtest refuses a preset directory that lacks a series' file",
  inTemp(async (dir) => {
    const presets = join(dir, "presets");
    Deno.mkdirSync(presets);
    await assert.rejects(
      () =>
        backtest(
          [
            "--data",
            FIXTURES,
            "--symbols",
            "BTCUSDT",
            "--timeframes",
            "1h",
            "--presets",
            presets,
          ],
          dir,
        ),
      /lacks 3 file\(s\): BTCUSDT_1h_low\.yaml, BTCUSDT_1h_normal\.yaml, BTCUSDT_1h_high\.yaml/,
    );
  }),
);

Deno.test(
  "backtest refuses an empty candle file, naming it",
  inTemp(async (dir) => {
    const data = join(dir, "data");
    Deno.mkdirSync(data);
    writeFileSync(
      join(data, "BTCUSDT-1h.csv"),
      "open_time,open,high,low,close,volume\n",
    );
    await assert.rejects(
      () =>
        backtest(
          ["--data", data, "--symbols", "BTCUSDT", "--timeframes", "1h"],
          dir,
        ),
      (error: Error) =>
        error.name === "CandleDataError" &&
        /BTCUSDT-1h\.csv/.test(error.message),
    );
  }),
);

Deno.test(
  "backtest warns about a gap in the candles and goes on",
  inTemp(async (dir) => {
    const data = join(dir, "data");
    Deno.mkdirSync(data);
    const lines = gunzipSync(readFileSync(FIXTURES + "BTCUSDT-1h.csv.gz"))
      .toString().split("\n");
    lines.splice(1500, 3); // three candles missing
    writeFileSync(join(data, "BTCUSDT-1h.csv"), lines.join("\n"));
    const result = await backtest(
      [
        "--data",
        data,
        "--symbols",
        "BTCUSDT",
        "--timeframes",
        "1h",
        "--out",
        "out",
      ],
      dir,
    );
    assert.equal(result.code, 0);
    assert.match(
      result.stderr,
      /warning: BTCUSDT 1h has 1 gap\(s\) in its candles; the series continues/,
    );
    assert.ok(readdirSync(join(dir, "out")).includes("trades.csv"));
  }),
);

Deno.test({
  name:
    `--detail-timeframe 15m resolves same-bar bars from finer candles${NEEDS_SHARED}`,
  ignore: SHARED_DATA === undefined,
  async fn() {
    const dir = temp();
    try {
      const args = [
        "--data",
        SHARED_DATA!,
        "--timeframes",
        "1h",
        "--symbols",
        "BTCUSDT,ETHUSDT",
      ];
      const plain = await backtest([
        ...args,
        "--rule",
        "tp-first",
        "--out",
        "a",
      ], dir);
      const fine = await backtest(
        [
          ...args,
          "--rule",
          "tp-first",
          "--detail-timeframe",
          "15m",
          "--out",
          "b",
        ],
        dir,
      );
      assert.equal(plain.code, 0);
      assert.equal(fine.code, 0);
      const a = JSON.parse(
        readFileSync(join(dir, "a", "summary.json"), "utf8"),
      );
      const b = JSON.parse(
        readFileSync(join(dir, "b", "summary.json"), "utf8"),
      );
      assert.equal(a.bars_resolved_by_finer_candles, 0);
      assert.ok(b.bars_resolved_by_finer_candles > 0);
      assert.ok(b.same_bar_decided_bars < a.same_bar_decided_bars);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
});
