/** Tests of the portfolio entry rules: heat, limits, sectors and correlation. */
import { strict as assert } from "node:assert";
import {
  DEFAULT_PORTFOLIO_LIMITS,
  type EntryCandidate,
  type EntryDecision,
  evaluateEntry,
  type OpenPositionView,
  portfolioHeatPercent,
  positionRisk,
  sectorOf,
} from "../../core/portfolio.ts";
import { fixedRiskSize } from "../../core/sizing.ts";

const EQUITY = 10_000;
const SECTORS = {
  BTC: ["BTCUSDT"],
  ETH: ["ETHUSDT"],
  L1: ["SOLUSDT", "AVAXUSDT", "ATOMUSDT", "NEARUSDT", "APTUSDT"],
  L2: ["POLUSDT", "ARBUSDT", "OPUSDT"],
  DEFI: ["LINKUSDT", "UNIUSDT", "INJUSDT"],
  OLD: ["XRPUSDT", "ADAUSDT", "DOTUSDT", "LTCUSDT", "ETCUSDT"],
  MEME: ["DOGEUSDT"],
  CEX: ["BNBUSDT"],
};

/** The spec example: 2 % risk, 8.5 % stop, capped to 2 000 notional. */
function exampleNotional(): number {
  const size = fixedRiskSize({
    balance: EQUITY,
    riskPercent: 2,
    maxNotionalPercent: 20,
    minNotional: 10,
    entry: 100,
    stop: 91.5,
    leverage: 10,
  });
  assert.ok(size.ok);
  return size.notional;
}

function open(
  symbol: string,
  options: { stop?: number; side?: "LONG" | "SHORT"; tf?: string } = {},
): OpenPositionView {
  return {
    seriesKey: `${symbol}:${options.tf ?? "1h"}`,
    symbol,
    sector: sectorOf(symbol, SECTORS),
    side: options.side ?? "LONG",
    entryPrice: 100,
    stop: options.stop ?? 91.5,
    remainingNotional: 2_000,
  };
}

function candidate(symbol: string, tf = "1h"): EntryCandidate {
  return {
    seriesKey: `${symbol}:${tf}`,
    symbol,
    sector: sectorOf(symbol, SECTORS),
    side: "LONG",
    entry: 100,
    stop: 91.5,
    notional: exampleNotional(),
  };
}

function refused(decision: EntryDecision): Extract<
  EntryDecision,
  { accepted: false }
> {
  assert.equal(decision.accepted, false, "expected a refusal");
  return decision as Extract<EntryDecision, { accepted: false }>;
}

function close(actual: number, expected: number, what: string): void {
  assert.ok(
    Math.abs(actual - expected) <= 1e-9,
    `${what}: ${actual} is not ${expected}`,
  );
}

Deno.test("portfolio fits four spec-example positions at 6.8 % heat and refuses the fifth on heat", () => {
  const size = fixedRiskSize({
    balance: 10_000,
    riskPercent: 2,
    maxNotionalPercent: 20,
    minNotional: 10,
    entry: 100,
    stop: 91.5,
    leverage: 10,
  });
  assert.ok(size.ok);
  assert.equal(size.notional, 2_000);
  close(size.actualRisk, 170, "actual risk");
  close(size.actualRiskPercent, 1.7, "actual risk %");

  const four = ["BTCUSDT", "ETHUSDT", "SOLUSDT", "LINKUSDT"].map((s) =>
    open(s)
  );
  assert.equal(new Set(four.map((p) => p.sector)).size, 4);
  close(portfolioHeatPercent(four, EQUITY), 6.8, "heat of four");

  const fifth = refused(
    evaluateEntry({
      candidate: candidate("XRPUSDT"),
      open: four,
      equity: EQUITY,
      limits: DEFAULT_PORTFOLIO_LIMITS,
    }),
  );
  assert.equal(fifth.rule, "heat");
  assert.deepEqual(fifth.checks.map((c) => [c.rule, c.passed]), [
    ["series-open", true],
    ["symbol-open", true],
    ["max-positions", true],
    ["heat", false],
  ]);
  const heat = fifth.checks[3]!;
  close(heat.value, 8.5, "heat with the fifth");
  assert.equal(heat.limit, 8);
  assert.match(fifth.detail, /^heat would be 8\.50 % and the limit is 8 %/);

  const fourth = evaluateEntry({
    candidate: candidate("LINKUSDT"),
    open: four.slice(0, 3),
    equity: EQUITY,
    limits: DEFAULT_PORTFOLIO_LIMITS,
  });
  assert.equal(fourth.accepted, true);
});

Deno.test("portfolio fits four high-regime positions at exactly 8 % heat", () => {
  const stop = 89.8; // SL 10.2 %: notional 1 960.78, risk 2 % each
  const views = ["BTCUSDT", "ETHUSDT", "SOLUSDT"].map((s) => ({
    ...open(s, { stop }),
    remainingNotional: 200 / 0.102,
  }));
  const decision = evaluateEntry({
    candidate: { ...candidate("LINKUSDT"), stop, notional: 200 / 0.102 },
    open: views,
    equity: EQUITY,
    limits: DEFAULT_PORTFOLIO_LIMITS,
  });
  assert.equal(decision.accepted, true);
  close(decision.checks[3]!.value, 8, "heat");
});

Deno.test("portfolio refuses a third position in one sector when heat has room", () => {
  const openViews = [
    open("SOLUSDT", { stop: 100 }),
    open("AVAXUSDT", { stop: 100 }),
  ];
  const decision = refused(
    evaluateEntry({
      candidate: candidate("NEARUSDT"),
      open: openViews,
      equity: EQUITY,
      limits: DEFAULT_PORTFOLIO_LIMITS,
    }),
  );
  assert.equal(decision.rule, "sector");
  assert.equal(
    decision.detail,
    "sector L1 has 2 open positions and the limit is 2",
  );
  const heat = decision.checks.find((c) => c.rule === "heat")!;
  assert.equal(heat.passed, true);
  close(heat.value, 1.7, "heat of breakeven positions plus the candidate");
  assert.deepEqual(decision.checks.at(-1), {
    rule: "sector",
    passed: false,
    value: 3,
    limit: 2,
    note: "sector L1",
  });
});

Deno.test("portfolio counts the UNKNOWN sector as one sector", () => {
  const openViews = [
    open("FOOUSDT", { stop: 100 }),
    open("BARUSDT", { stop: 100 }),
  ];
  assert.equal(openViews[0]!.sector, "UNKNOWN");
  const decision = refused(
    evaluateEntry({
      candidate: candidate("BAZUSDT"),
      open: openViews,
      equity: EQUITY,
      limits: DEFAULT_PORTFOLIO_LIMITS,
    }),
  );
  assert.equal(decision.rule, "sector");
});

Deno.test("portfolio refuses a sixth position with max-positions", () => {
  const five = ["BTCUSDT", "ETHUSDT", "SOLUSDT", "LINKUSDT", "XRPUSDT"].map(
    (s) => open(s, { stop: 100 }),
  );
  const decision = refused(
    evaluateEntry({
      candidate: candidate("DOGEUSDT"),
      open: five,
      equity: EQUITY,
      limits: DEFAULT_PORTFOLIO_LIMITS,
    }),
  );
  assert.equal(decision.rule, "max-positions");
  assert.equal(decision.detail, "5 positions are open and the limit is 5");
  assert.deepEqual(decision.checks.at(-1), {
    rule: "max-positions",
    passed: false,
    value: 6,
    limit: 5,
  });
});

Deno.test("portfolio refuses a series that is already open before any other rule", () => {
  const decision = refused(
    evaluateEntry({
      candidate: candidate("BTCUSDT"),
      open: [open("BTCUSDT")],
      equity: EQUITY,
      limits: DEFAULT_PORTFOLIO_LIMITS,
    }),
  );
  assert.equal(decision.rule, "series-open");
  assert.equal(decision.detail, "BTCUSDT:1h already has an open position");
  assert.equal(decision.checks.length, 1);
});

Deno.test("portfolio refuses a symbol open on another timeframe unless one position per symbol is off", () => {
  const openViews = [open("BTCUSDT", { tf: "2h", stop: 100 })];
  const decision = refused(
    evaluateEntry({
      candidate: candidate("BTCUSDT"),
      open: openViews,
      equity: EQUITY,
      limits: DEFAULT_PORTFOLIO_LIMITS,
    }),
  );
  assert.equal(decision.rule, "symbol-open");
  assert.equal(
    decision.detail,
    "BTCUSDT already has an open position on BTCUSDT:2h",
  );
  const allowed = evaluateEntry({
    candidate: candidate("BTCUSDT"),
    open: openViews,
    equity: EQUITY,
    limits: { ...DEFAULT_PORTFOLIO_LIMITS, onePositionPerSymbol: false },
    correlations: () => 1,
  });
  assert.equal(allowed.accepted, true);
  assert.deepEqual(allowed.checks.map((c) => c.rule), [
    "series-open",
    "max-positions",
    "heat",
    "sector",
    "correlation",
  ]);
});

Deno.test("portfolio refuses a candidate correlated above the limit with an open symbol", () => {
  const rho: Record<string, number> = {
    "SOLUSDT/BTCUSDT": 0.5,
    "SOLUSDT/ETHUSDT": -0.85,
  };
  const decision = refused(
    evaluateEntry({
      candidate: candidate("SOLUSDT"),
      open: [open("BTCUSDT", { stop: 100 }), open("ETHUSDT", { stop: 100 })],
      equity: EQUITY,
      limits: DEFAULT_PORTFOLIO_LIMITS,
      correlations: (a, b) => rho[`${a}/${b}`],
    }),
  );
  assert.equal(decision.rule, "correlation");
  assert.equal(decision.detail, "|ρ| 0.850 with ETHUSDT exceeds the limit 0.7");
  assert.deepEqual(decision.checks.at(-1), {
    rule: "correlation",
    passed: false,
    value: 0.85,
    limit: 0.7,
    note: "largest |ρ| 0.850 with ETHUSDT",
  });
});

Deno.test("portfolio allows a candidate without correlation data and says so in the record", () => {
  const decision = evaluateEntry({
    candidate: candidate("SOLUSDT"),
    open: [open("BTCUSDT", { stop: 100 }), open("ETHUSDT", { stop: 100 })],
    equity: EQUITY,
    limits: DEFAULT_PORTFOLIO_LIMITS,
    correlations: (_a, b) => b === "BTCUSDT" ? 0.7 : undefined,
  });
  assert.equal(decision.accepted, true);
  assert.deepEqual(decision.checks.at(-1), {
    rule: "correlation",
    passed: true,
    value: 0.7,
    limit: 0.7,
    note:
      "largest |ρ| 0.700 with BTCUSDT; no correlation data for SOLUSDT/ETHUSDT",
  });
  const noLookup = evaluateEntry({
    candidate: candidate("SOLUSDT"),
    open: [open("BTCUSDT", { stop: 100 })],
    equity: EQUITY,
    limits: DEFAULT_PORTFOLIO_LIMITS,
  });
  assert.equal(noLookup.accepted, true);
  assert.equal(
    noLookup.checks.at(-1)!.note,
    "no correlation data for SOLUSDT/BTCUSDT",
  );
});

Deno.test("breakeven and better stops add no heat while a SHORT stop above entry does", () => {
  assert.equal(positionRisk(open("BTCUSDT", { stop: 100 })), 0);
  assert.equal(positionRisk(open("BTCUSDT", { stop: 104 })), 0);
  close(positionRisk(open("BTCUSDT", { stop: 95 })), 100, "LONG risk");
  close(
    positionRisk(open("BTCUSDT", { side: "SHORT", stop: 105 })),
    100,
    "SHORT risk",
  );
  assert.equal(positionRisk(open("BTCUSDT", { side: "SHORT", stop: 98 })), 0);
  const heat = portfolioHeatPercent(
    [open("BTCUSDT"), open("ETHUSDT", { stop: 100 })],
    EQUITY,
  );
  close(heat, 1.7, "heat with one breakeven position");
});

Deno.test("sectorOf finds the sector of a symbol or UNKNOWN", () => {
  assert.equal(sectorOf("POLUSDT", SECTORS), "L2");
  assert.equal(sectorOf("BTCUSDT", SECTORS), "BTC");
  assert.equal(sectorOf("MATICUSDT", SECTORS), "UNKNOWN");
});

Deno.test("portfolio rules throw a RangeError for non-positive equity or a negative limit", () => {
  assert.throws(() => portfolioHeatPercent([], 0), {
    name: "RangeError",
    message:
      "Cannot compute portfolio heat as 'equity' must be a finite number > 0: current value is 0",
  });
  assert.throws(
    () =>
      evaluateEntry({
        candidate: candidate("BTCUSDT"),
        open: [],
        equity: EQUITY,
        limits: { ...DEFAULT_PORTFOLIO_LIMITS, maxHeatPercent: -1 },
      }),
    {
      name: "RangeError",
      message:
        "Cannot evaluate entry as 'limits.maxHeatPercent' must be a finite number >= 0: current value is -1",
    },
  );
});

Deno.test("default portfolio limits are those of the design", () => {
  assert.deepEqual(DEFAULT_PORTFOLIO_LIMITS, {
    maxPositions: 5,
    maxHeatPercent: 8,
    maxPerSector: 2,
    onePositionPerSymbol: true,
    correlationLimit: 0.7,
  });
});
