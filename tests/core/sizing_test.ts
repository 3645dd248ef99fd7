/** Tests of position sizing: fixed risk with caps, the volatility adjustment and Kelly. */
import { strict as assert } from "node:assert";
import {
  type FixedRiskInputs,
  fixedRiskSize,
  kellyRiskPercent,
  type SizedPosition,
  sizePosition,
  type SizingMode,
  volatilityAdjustedSize,
  volatilityFactor,
} from "../../core/sizing.ts";

const BASE: FixedRiskInputs = {
  balance: 10_000,
  riskPercent: 2,
  maxNotionalPercent: 20,
  minNotional: 10,
  entry: 100,
  stop: 91.5,
  leverage: 10,
};

function close(actual: number, expected: number, what: string): void {
  assert.ok(
    Math.abs(actual - expected) <= 1e-9 * Math.max(1, Math.abs(expected)),
    `${what}: ${actual} is not ${expected}`,
  );
}

function sized(inputs: FixedRiskInputs): SizedPosition {
  const result = fixedRiskSize(inputs);
  assert.ok(result.ok, "expected a size");
  return result;
}

Deno.test("fixed risk caps the spec example at 20 % of balance and reports the real risk and margin", () => {
  const size = sized(BASE);
  assert.equal(size.notional, 2_000);
  assert.equal(size.capped, "max-notional");
  close(size.quantity, 20, "quantity");
  close(size.margin, 200, "margin");
  close(size.intendedRisk, 200, "intended risk");
  close(size.actualRisk, 170, "actual risk");
  close(size.actualRiskPercent, 1.7, "actual risk %");
  close(size.stopDistancePercent, 8.5, "stop distance %");
  assert.equal(size.riskPercent, 2);
  assert.equal(size.volatilityFactor, 1);
});

Deno.test("fixed risk takes the full budget when the stop is wide enough to stay under the cap", () => {
  // High regime: SL 10.2 % -> 200 / 0.102 = 1 960.78, no cap, risk 2 %.
  const size = sized({ ...BASE, stop: 89.8 });
  close(size.notional, 200 / 0.102, "notional");
  assert.equal(size.capped, undefined);
  close(size.actualRisk, 200, "actual risk");
  close(size.actualRiskPercent, 2, "actual risk %");
  close(size.margin, 200 / 0.102 / 10, "margin");
});

Deno.test("fixed risk sizes a SHORT from a stop above the entry", () => {
  const size = sized({ ...BASE, side: "SHORT", stop: 110 });
  close(size.stopDistancePercent, 10, "stop distance %");
  close(size.notional, 2_000, "notional");
  assert.equal(size.capped, undefined);
  close(size.actualRisk, 200, "actual risk");
  const inferred = sized({ ...BASE, stop: 110 });
  close(inferred.notional, size.notional, "inferred SHORT notional");
});

Deno.test("fixed risk raises a tiny notional to the minimum", () => {
  const size = sized({ ...BASE, balance: 40, stop: 50 });
  // 0.8 / 0.5 = 1.6 is under the cap of 8 (20 % of 40) and is raised to 10.
  assert.equal(size.notional, 10);
  assert.equal(size.capped, "min-notional");
  close(size.actualRisk, 5, "actual risk");
  close(size.actualRiskPercent, 12.5, "actual risk %");
});

Deno.test("fixed risk refuses a stop at the entry or on the wrong side", () => {
  assert.deepEqual(fixedRiskSize({ ...BASE, stop: 100 }), {
    ok: false,
    rule: "stop-distance",
    detail: "stop 100 equals entry 100",
  });
  assert.deepEqual(fixedRiskSize({ ...BASE, side: "LONG", stop: 105 }), {
    ok: false,
    rule: "stop-distance",
    detail: "stop 105 is on the wrong side of entry 100 for a LONG",
  });
  assert.deepEqual(fixedRiskSize({ ...BASE, side: "SHORT", stop: 95 }), {
    ok: false,
    rule: "stop-distance",
    detail: "stop 95 is on the wrong side of entry 100 for a SHORT",
  });
});

Deno.test("fixed risk throws a RangeError for a bad balance, entry or leverage", () => {
  assert.throws(() => fixedRiskSize({ ...BASE, balance: 0 }), {
    name: "RangeError",
    message:
      "Cannot size position as 'balance' must be a finite number > 0: current value is 0",
  });
  assert.throws(() => fixedRiskSize({ ...BASE, entry: NaN }), {
    name: "RangeError",
    message:
      "Cannot size position as 'entry' must be a finite number > 0: current value is NaN",
  });
  assert.throws(() => fixedRiskSize({ ...BASE, minNotional: -1 }), {
    name: "RangeError",
    message:
      "Cannot size position as 'minNotional' must be a finite number >= 0: current value is -1",
  });
  assert.throws(() => fixedRiskSize({ ...BASE, leverage: 0 }), RangeError);
});

Deno.test("volatility factor is 0.7 above ratio 1.3, 1.2 below 0.7 and 1 otherwise", () => {
  assert.equal(volatilityFactor(1.31, 1), 0.7);
  assert.equal(volatilityFactor(1.3, 1), 1);
  assert.equal(volatilityFactor(0.7, 1), 1);
  assert.equal(volatilityFactor(0.69, 1), 1.2);
  assert.equal(volatilityFactor(1, 0), 1);
  assert.equal(volatilityFactor(NaN, 1), 1);
});

Deno.test("volatility adjustment shrinks the capped size in high volatility and recomputes risk", () => {
  const fixed = sized(BASE);
  const adjusted = volatilityAdjustedSize(fixed, {
    ...BASE,
    atr: 2,
    averageAtr: 1,
  });
  close(adjusted.notional, 1_400, "notional");
  close(adjusted.quantity, 14, "quantity");
  close(adjusted.margin, 140, "margin");
  close(adjusted.actualRisk, 119, "actual risk");
  close(adjusted.actualRiskPercent, 1.19, "actual risk %");
  close(adjusted.intendedRisk, 200, "intended risk");
  assert.equal(adjusted.volatilityFactor, 0.7);
  assert.equal(adjusted.capped, undefined);
});

Deno.test("volatility adjustment in low volatility stays within the notional cap", () => {
  const fixed = sized(BASE);
  const adjusted = volatilityAdjustedSize(fixed, {
    ...BASE,
    atr: 0.5,
    averageAtr: 1,
  });
  assert.equal(adjusted.notional, 2_000);
  assert.equal(adjusted.capped, "max-notional");
  assert.equal(adjusted.volatilityFactor, 1.2);
  const wide = sized({ ...BASE, stop: 80 }); // 200 / 0.2 = 1 000
  const raised = volatilityAdjustedSize(wide, {
    ...BASE,
    atr: 0.5,
    averageAtr: 1,
  });
  close(raised.notional, 1_200, "notional");
  close(raised.actualRisk, 240, "actual risk");
  assert.equal(raised.capped, undefined);
});

Deno.test("kelly risk is a quarter of the Kelly fraction clamped to [R/2, M]", () => {
  const base = { riskPercent: 2, maxNotionalPercent: 20 };
  // f = 0.6 − 0.4 / 2 = 0.4 -> quarter 0.1 -> 10 %.
  close(
    kellyRiskPercent({ ...base, winRate: 0.6, avgWin: 2, avgLoss: 1 }),
    10,
    "kelly",
  );
  // f = 0.5 − 0.5 / 1.2 = 0.0833 -> 2.083 %.
  close(
    kellyRiskPercent({ ...base, winRate: 0.5, avgWin: 1.2, avgLoss: 1 }),
    (0.5 - 0.5 / 1.2) * 25,
    "small edge",
  );
  // Negative edge clamps to 0, then to R/2.
  assert.equal(
    kellyRiskPercent({ ...base, winRate: 0.3, avgWin: 1, avgLoss: 1 }),
    1,
  );
  // f = 0.99 − 0.01 / 10 = 0.989 -> 24.7 %, clamped to M.
  assert.equal(
    kellyRiskPercent({ ...base, winRate: 0.99, avgWin: 10, avgLoss: 1 }),
    20,
  );
  assert.equal(
    kellyRiskPercent({ ...base, winRate: 0.6, avgWin: 0, avgLoss: 1 }),
    1,
  );
});

Deno.test("kelly risk falls back to the configured risk for invalid statistics", () => {
  const base = { riskPercent: 2, maxNotionalPercent: 20 };
  for (
    const stats of [
      { winRate: 0, avgWin: 2, avgLoss: 1 },
      { winRate: 1, avgWin: 2, avgLoss: 1 },
      { winRate: 0.6, avgWin: 2, avgLoss: 0 },
      { winRate: 0.6, avgWin: -1, avgLoss: 1 },
      { winRate: NaN, avgWin: 2, avgLoss: 1 },
      { winRate: 0.6, avgWin: Infinity, avgLoss: 1 },
    ]
  ) {
    assert.equal(kellyRiskPercent({ ...base, ...stats }), 2);
  }
});

Deno.test("sizePosition dispatches to fixed risk, volatility and kelly", () => {
  const fixed = sizePosition("fixed-risk", BASE);
  assert.deepEqual(fixed, fixedRiskSize(BASE));
  const volatility = sizePosition("volatility", {
    ...BASE,
    volatility: { atr: 3, averageAtr: 2 },
  });
  assert.ok(volatility.ok);
  close(volatility.notional, 1_400, "volatility notional");
  assert.deepEqual(sizePosition("volatility", BASE), fixedRiskSize(BASE));
  const wide = { ...BASE, stop: 50 }; // 50 % stop keeps the notional under the cap
  const kelly = sizePosition("kelly", {
    ...wide,
    kelly: { winRate: 0.6, avgWin: 2, avgLoss: 1 },
  });
  assert.ok(kelly.ok);
  assert.equal(kelly.riskPercent, 10);
  close(kelly.notional, 2_000, "kelly notional");
  close(kelly.actualRiskPercent, 10, "kelly actual risk %");
  assert.deepEqual(sizePosition("kelly", wide), fixedRiskSize(wide));
  assert.deepEqual(
    sizePosition("volatility", { ...BASE, stop: 100 }),
    fixedRiskSize({ ...BASE, stop: 100 }),
  );
});

Deno.test("sizePosition throws a TypeError for an unknown mode", () => {
  assert.throws(() => sizePosition("martingale" as SizingMode, BASE), {
    name: "TypeError",
    message:
      "Cannot size position as 'mode' must be 'fixed-risk', 'volatility' or 'kelly': current value is 'martingale'",
  });
});
