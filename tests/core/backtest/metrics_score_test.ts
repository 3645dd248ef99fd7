/** Tests of the composite score (drawdown sign fixed) and the acceptance rules. */
import { strict as assert } from "node:assert";
import {
  acceptance,
  type AcceptanceCheck,
  compositeScore,
  DEFAULT_ACCEPTANCE,
  isAccepted,
  type ScoreInputs,
} from "../../../core/backtest/metrics_score.ts";

function inputs(fields: {
  trades?: number;
  tp1?: number;
  sharpe?: number;
  pf?: number;
  dd?: number;
}): ScoreInputs {
  const tp1 = fields.tp1 ?? 70;
  return {
    totalTrades: fields.trades ?? 40,
    winRateTp: [tp1, 0, 0, 0, 0, 0],
    sharpe: fields.sharpe ?? 2,
    profitFactor: fields.pf ?? 2,
    maxDrawdownPct: fields.dd ?? 5,
  };
}

Deno.test("composite score weights its four terms 0.30/0.25/0.25/0.20 and a 5 % drawdown gives D = 75", () => {
  // S = (2 − 1)/2·100 = 50, P = (2 − 1)/2·100 = 50, W = (70 − 50)/40·100 = 50, D = (20 − 5)/20·100 = 75
  // score = 0.3·50 + 0.25·50 + 0.25·50 + 0.2·75 = 15 + 12.5 + 12.5 + 15 = 55
  assert.deepEqual(compositeScore(inputs({})), {
    score: 55,
    sharpe: 50,
    profitFactor: 50,
    winRateTp1: 50,
    drawdown: 75,
  });
});

Deno.test("composite score no longer gives the drawdown term for free", () => {
  // The original's negative drawdown (−25) would make D = 225 → 100; a positive 25 % gives 0.
  assert.equal(compositeScore(inputs({ dd: 25 })).drawdown, 0);
  assert.equal(compositeScore(inputs({ dd: 0 })).drawdown, 100);
  assert.equal(compositeScore(inputs({ dd: 20 })).drawdown, 0);
});

Deno.test("composite score clips every term to 0..100", () => {
  const high = compositeScore(
    inputs({ sharpe: 4, pf: Infinity, tp1: 95, dd: 0 }),
  );
  assert.deepEqual(high, {
    score: 100,
    sharpe: 100,
    profitFactor: 100,
    winRateTp1: 100,
    drawdown: 100,
  });
  const low = compositeScore(
    inputs({ sharpe: -1, pf: 0, tp1: 10, dd: 60 }),
  );
  assert.deepEqual(low, {
    score: 0,
    sharpe: 0,
    profitFactor: 0,
    winRateTp1: 0,
    drawdown: 0,
  });
});

Deno.test("composite score takes custom weights and refuses a negative one", () => {
  const weights = { sharpe: 1, profitFactor: 0, winRateTp1: 0, drawdown: 0 };
  assert.equal(compositeScore(inputs({ sharpe: 2.5 }), weights).score, 75);
  assert.throws(
    () => compositeScore(inputs({}), { ...weights, drawdown: -0.2 }),
    {
      name: "RangeError",
      message:
        "Cannot compute score as 'weights.drawdown' must be a finite number of at least 0: current value is -0.2",
    },
  );
});

function byRule(checks: readonly AcceptanceCheck[]): Record<string, boolean> {
  return Object.fromEntries(checks.map((c) => [c.rule, c.passed]));
}

Deno.test("acceptance passes every default rule at its limit", () => {
  const checks = acceptance(
    inputs({ trades: 30, tp1: 65, sharpe: 1.2, pf: 1.4, dd: 15 }),
  );
  assert.deepEqual(checks, [
    {
      rule: "min-trades",
      passed: true,
      value: 30,
      limit: 30,
      severity: "rule",
    },
    {
      rule: "min-win-rate-tp1",
      passed: true,
      value: 65,
      limit: 65,
      severity: "rule",
    },
    {
      rule: "min-sharpe",
      passed: true,
      value: 1.2,
      limit: 1.2,
      severity: "rule",
    },
    {
      rule: "min-profit-factor",
      passed: true,
      value: 1.4,
      limit: 1.4,
      severity: "rule",
    },
    {
      rule: "max-drawdown",
      passed: true,
      value: 15,
      limit: 15,
      severity: "rule",
    },
    {
      rule: "likely-overfit",
      passed: true,
      value: 1.2,
      limit: 2.5,
      severity: "warning",
    },
  ]);
  assert.equal(isAccepted(checks), true);
});

Deno.test("acceptance fails each rule just past its limit", () => {
  const checks = acceptance(
    inputs({ trades: 29, tp1: 64.9, sharpe: 1.19, pf: 1.39, dd: 15.01 }),
  );
  assert.deepEqual(byRule(checks), {
    "min-trades": false,
    "min-win-rate-tp1": false,
    "min-sharpe": false,
    "min-profit-factor": false,
    "max-drawdown": false,
    "likely-overfit": true,
  });
  assert.equal(isAccepted(checks), false);
  assert.equal(isAccepted(acceptance(inputs({ dd: 16 }))), false);
});

Deno.test("a Sharpe above 2.5 is flagged as a likely overfit without rejecting the result", () => {
  const checks = acceptance(inputs({ sharpe: 3 }));
  const flag = checks.find((c) => c.rule === "likely-overfit");
  assert.deepEqual(flag, {
    rule: "likely-overfit",
    passed: false,
    value: 3,
    limit: 2.5,
    severity: "warning",
  });
  assert.equal(isAccepted(checks), true);
});

Deno.test("acceptance uses the thresholds it is given", () => {
  const strict = { ...DEFAULT_ACCEPTANCE, minTrades: 50, maxDrawdownPct: 4 };
  assert.deepEqual(byRule(acceptance(inputs({}), strict)), {
    "min-trades": false,
    "min-win-rate-tp1": true,
    "min-sharpe": true,
    "min-profit-factor": true,
    "max-drawdown": false,
    "likely-overfit": true,
  });
});
