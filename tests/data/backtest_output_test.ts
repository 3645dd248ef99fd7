/**
 * Tests of the backtest output files: exact headers, RFC 4180 quoting that a CSV parser reads
 * back field for field, full-precision numbers, atomic writes that leave no temporary files,
 * and bad input that throws before anything is written.
 *
 * @module
 */
import { strict as assert } from "node:assert";
import {
  type BacktestDecision,
  type BacktestFill,
  type BacktestOutput,
  type BacktestTrade,
  csvField,
  DECISIONS_HEADER,
  EQUITY_HEADER,
  FILLS_HEADER,
  TRADES_HEADER,
  writeBacktestOutput,
  writeTextAtomic,
} from "../../data/backtest_output.ts";

const T0 = 1704067200000; // 2024-01-01T00:00:00.000Z
const H1 = 3_600_000;

/** A strict RFC 4180 parser (quoted fields, doubled quotes, `\n` records). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [], field = "", quoted = false, i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === "") quoted = true;
    else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\n") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
    } else field += c;
    i++;
  }
  assert.equal(quoted, false, "unterminated quoted field");
  assert.equal(field + row.join(""), "", "file must end with a newline");
  return rows;
}

const TRADES: BacktestTrade[] = [
  {
    id: "BTCUSDT-1h-1704067200000-L",
    symbol: "BTCUSDT",
    timeframe: "1h",
    side: "LONG",
    entryTime: T0,
    entryPrice: 42_000.1,
    exitTime: T0 + 5 * H1,
    exitPrice: 42_420.101,
    exitReason: "tp6",
    tpHits: 6,
    pnlPct: 0.1 + 0.2,
    pnlQuote: 12.345678901234567,
    feesQuote: 0.42,
    fundingQuote: 1e-7,
    presetHash: "abc123",
  },
  {
    id: 'odd,id "quoted"',
    symbol: "ETHUSDT",
    timeframe: "30m",
    side: "SHORT",
    entryTime: T0 + H1,
    entryPrice: 2_300,
    exitTime: T0 + 2 * H1,
    exitPrice: 2_310,
    exitReason: 'stop,\nthen "close"',
    tpHits: 0,
    pnlPct: -0.43478260869565216,
    pnlQuote: -5,
    feesQuote: 0.23,
    fundingQuote: 0,
    presetHash: "",
  },
];

const FILLS: BacktestFill[] = [
  {
    tradeId: TRADES[0]!.id,
    time: T0,
    kind: "entry",
    price: 42_000.1,
    quantity: 0.01,
    fee: 0.21,
    pnl: 0,
  },
  {
    tradeId: TRADES[0]!.id,
    time: T0 + H1,
    kind: "tp",
    tpIndex: 1,
    price: 42_420.101,
    quantity: 0.002,
    fee: 0.04,
    pnl: 0.84,
  },
];

const DECISIONS: BacktestDecision[] = [
  {
    time: T0,
    signalId: TRADES[0]!.id,
    symbol: "BTCUSDT",
    timeframe: "1h",
    side: "LONG",
    accepted: true,
    rule: "",
    detail: "",
    heatPct: 1.5,
    openPositions: 0,
  },
  {
    time: T0 + H1,
    signalId: "SOLUSDT-1h-1704070800000-S",
    symbol: "SOLUSDT",
    timeframe: "1h",
    side: "SHORT",
    accepted: false,
    rule: "correlation",
    detail: '|rho| 0.83 > 0.7 with "BTCUSDT", ETHUSDT',
    heatPct: 3.25,
    openPositions: 2,
  },
];

function output(overrides: Partial<BacktestOutput> = {}): BacktestOutput {
  return {
    trades: TRADES,
    fills: FILLS,
    decisions: DECISIONS,
    equity: [
      { time: T0, equity: 10_000, drawdownPct: 0 },
      { time: T0 + 24 * H1, equity: 9_950.5, drawdownPct: 0.495 },
    ],
    summary: { zeta: 1, alpha: { b: [1, 2], a: "x" }, mid: null },
    ...overrides,
  };
}

function withTempDir(run: (dir: string) => void): void {
  const dir = Deno.makeTempDirSync({ prefix: "velas_output_" });
  try {
    run(dir);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

function listDir(dir: string): string[] {
  return [...Deno.readDirSync(dir)].map((e) => e.name).sort();
}

const OUTPUT_FILES = [
  "decisions.csv",
  "equity.csv",
  "fills.csv",
  "report.html",
  "summary.json",
  "trades.csv",
];

Deno.test("writeBacktestOutput writes the six files with exact header lines", () => {
  withTempDir((dir) => {
    const paths = writeBacktestOutput(`${dir}/run/`, output(), {
      reportHtml: "<!doctype html>\n",
    });
    assert.deepEqual(paths.map((p) => p.slice(dir.length)), [
      "/run/trades.csv",
      "/run/fills.csv",
      "/run/decisions.csv",
      "/run/equity.csv",
      "/run/summary.json",
      "/run/report.html",
    ]);
    assert.deepEqual(listDir(`${dir}/run`), OUTPUT_FILES);
    const firstLine = (name: string) =>
      Deno.readTextFileSync(`${dir}/run/${name}`).split("\n")[0];
    assert.equal(
      firstLine("trades.csv"),
      "id,symbol,timeframe,side,entry_time,entry_price,exit_time,exit_price,exit_reason,tp_hits,pnl_pct,pnl_quote,fees_quote,funding_quote,preset_hash",
    );
    assert.equal(TRADES_HEADER, firstLine("trades.csv"));
    assert.equal(
      firstLine("fills.csv"),
      "trade_id,time,kind,tp_index,price,quantity,fee,pnl",
    );
    assert.equal(FILLS_HEADER, firstLine("fills.csv"));
    assert.equal(
      firstLine("decisions.csv"),
      "time,signal_id,symbol,timeframe,side,accepted,rule,detail,heat_pct,open_positions",
    );
    assert.equal(DECISIONS_HEADER, firstLine("decisions.csv"));
    assert.equal(firstLine("equity.csv"), "time,equity,drawdown_pct");
    assert.equal(EQUITY_HEADER, firstLine("equity.csv"));
  });
});

Deno.test("trades.csv reads back field for field, including commas, quotes and newlines", () => {
  withTempDir((dir) => {
    writeBacktestOutput(dir, output());
    const rows = parseCsv(Deno.readTextFileSync(`${dir}/trades.csv`));
    assert.equal(rows.length, 3);
    const expected = TRADES.map((t) => [
      t.id,
      t.symbol,
      t.timeframe,
      t.side,
      String(t.entryTime),
      String(t.entryPrice),
      String(t.exitTime),
      String(t.exitPrice),
      t.exitReason,
      String(t.tpHits),
      String(t.pnlPct),
      String(t.pnlQuote),
      String(t.feesQuote),
      String(t.fundingQuote),
      t.presetHash,
    ]);
    assert.deepEqual(rows.slice(1), expected);
    assert.equal(rows[1]![4], "1704067200000");
    assert.equal(Number(rows[1]![10]), 0.1 + 0.2);
    assert.equal(Number(rows[1]![11]), 12.345678901234567);
    assert.equal(rows[2]![0], 'odd,id "quoted"');
    assert.equal(rows[2]![8], 'stop,\nthen "close"');
  });
});

Deno.test("fills.csv and decisions.csv read back with an empty tp_index and true/false", () => {
  withTempDir((dir) => {
    writeBacktestOutput(dir, output());
    const fills = parseCsv(Deno.readTextFileSync(`${dir}/fills.csv`));
    assert.deepEqual(fills.slice(1), [
      [TRADES[0]!.id, String(T0), "entry", "", "42000.1", "0.01", "0.21", "0"],
      [
        TRADES[0]!.id,
        String(T0 + H1),
        "tp",
        "1",
        "42420.101",
        "0.002",
        "0.04",
        "0.84",
      ],
    ]);
    const decisions = parseCsv(Deno.readTextFileSync(`${dir}/decisions.csv`));
    assert.deepEqual(decisions[2], [
      String(T0 + H1),
      "SOLUSDT-1h-1704070800000-S",
      "SOLUSDT",
      "1h",
      "SHORT",
      "false",
      "correlation",
      '|rho| 0.83 > 0.7 with "BTCUSDT", ETHUSDT',
      "3.25",
      "2",
    ]);
    assert.equal(decisions[1]![5], "true");
    assert.equal(
      Deno.readTextFileSync(`${dir}/equity.csv`),
      "time,equity,drawdown_pct\n1704067200000,10000,0\n1704153600000,9950.5,0.495\n",
    );
  });
});

Deno.test("summary.json is indented and keeps the key order given", () => {
  withTempDir((dir) => {
    writeBacktestOutput(dir, output());
    assert.equal(
      Deno.readTextFileSync(`${dir}/summary.json`),
      '{\n  "zeta": 1,\n  "alpha": {\n    "b": [\n      1,\n      2\n    ],\n    "a": "x"\n  },\n  "mid": null\n}\n',
    );
  });
});

Deno.test("writeBacktestOutput replaces its own files and leaves other files and no temporary files", () => {
  withTempDir((dir) => {
    Deno.writeTextFileSync(`${dir}/notes.txt`, "mine");
    Deno.writeTextFileSync(`${dir}/trades.csv`, "old");
    writeBacktestOutput(dir, output());
    writeBacktestOutput(dir, output({ trades: [] }));
    assert.deepEqual(listDir(dir), [
      "decisions.csv",
      "equity.csv",
      "fills.csv",
      "notes.txt",
      "summary.json",
      "trades.csv",
    ]);
    assert.equal(Deno.readTextFileSync(`${dir}/notes.txt`), "mine");
    assert.equal(
      Deno.readTextFileSync(`${dir}/trades.csv`),
      TRADES_HEADER + "\n",
    );
  });
});

Deno.test("writeTextAtomic removes its temporary file when the rename fails", () => {
  withTempDir((dir) => {
    Deno.mkdirSync(`${dir}/trades.csv/inner`, { recursive: true });
    assert.throws(() => writeTextAtomic(`${dir}/trades.csv`, "x\n"));
    assert.deepEqual(listDir(dir), ["trades.csv"]);
    assert.ok(Deno.statSync(`${dir}/trades.csv`).isDirectory);
  });
});

Deno.test("writeBacktestOutput throws on a non-finite number and writes nothing", () => {
  withTempDir((dir) => {
    const bad = { ...TRADES[0]!, pnlPct: Number.NaN };
    assert.throws(
      () =>
        writeBacktestOutput(
          `${dir}/run`,
          output({ trades: [TRADES[1]!, bad] }),
        ),
      (error: unknown) => {
        assert.ok(error instanceof RangeError);
        assert.equal(
          error.message,
          "Cannot write trades.csv as 'pnl_pct' must be a finite number: current value is NaN at row 2",
        );
        return true;
      },
    );
    assert.deepEqual(listDir(dir), []);
  });
});

Deno.test("writeBacktestOutput throws on a time that is not epoch ms", () => {
  const equity = [{ time: T0 + 0.5, equity: 1, drawdownPct: 0 }];
  assert.throws(
    () => writeBacktestOutput("/nonexistent/never", output({ equity })),
    (error: unknown) => {
      assert.ok(error instanceof RangeError);
      assert.equal(
        error.message,
        "Cannot write equity.csv as 'time' must be epoch ms (a safe integer): current value is 1704067200000.5 at row 1",
      );
      return true;
    },
  );
});

Deno.test("writeBacktestOutput throws a TypeError on a summary that is not JSON-able", () => {
  assert.throws(
    () =>
      writeBacktestOutput("/nonexistent/never", output({ summary: { n: 1n } })),
    (error: unknown) => {
      assert.ok(error instanceof TypeError);
      assert.match(
        error.message,
        /^Cannot write summary\.json as 'summary' must be JSON-able: current value fails with /,
      );
      return true;
    },
  );
  assert.throws(
    () =>
      writeBacktestOutput(
        "/nonexistent/never",
        output({ summary: [] as unknown as Record<string, unknown> }),
      ),
    new TypeError(
      "Cannot write summary.json as 'summary' must be an object: current value is an array",
    ),
  );
});

Deno.test("csvField quotes only fields that need it", () => {
  assert.equal(csvField("plain"), "plain");
  assert.equal(csvField(""), "");
  assert.equal(csvField("a,b"), '"a,b"');
  assert.equal(csvField('say "hi"'), '"say ""hi"""');
  assert.equal(csvField("two\nlines"), '"two\nlines"');
  assert.equal(csvField("cr\r"), '"cr\r"');
});
