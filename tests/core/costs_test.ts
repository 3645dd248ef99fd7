/** Tests of per-fill costs: slippage, fees and the funding schedule. */
import { strict as assert } from "node:assert";
import {
  applySlippage,
  checkCosts,
  DEFAULT_COSTS,
  fillFee,
  FUNDING_INTERVAL_MS,
  fundingCharges,
  fundingCost,
  ZERO_COSTS,
} from "../../core/costs.ts";

const DAY = Date.UTC(2024, 0, 15);
const HOUR = 3_600_000;

Deno.test("default costs are the Binance USDT-M taker fee, 2 bps slippage and 0.01 % funding per 8 h", () => {
  assert.deepEqual(DEFAULT_COSTS, {
    takerFeeRate: 0.0005,
    slippageBps: 2,
    fundingRatePer8h: 0.0001,
  });
  assert.deepEqual(ZERO_COSTS, {
    takerFeeRate: 0,
    slippageBps: 0,
    fundingRatePer8h: 0,
  });
});

Deno.test("slippage makes a buy pay more and a sell receive less", () => {
  assert.equal(applySlippage(100, "buy", { slippageBps: 10 }), 100.1);
  assert.equal(applySlippage(100, "sell", { slippageBps: 10 }), 99.9);
  assert.equal(applySlippage(250, "buy", { slippageBps: 0 }), 250);
  assert.equal(applySlippage(250, "sell", ZERO_COSTS), 250);
});

Deno.test("fill fee is the taker rate times price times quantity", () => {
  assert.equal(fillFee(100, 2, { takerFeeRate: 0.0005 }), 0.1);
  assert.ok(Math.abs(fillFee(40_000, 0.25, DEFAULT_COSTS) - 5) < 1e-12);
  assert.equal(fillFee(40_000, 0.25, ZERO_COSTS), 0);
});

Deno.test("funding times are the multiples of 8 h counted in a half-open interval", () => {
  assert.equal(FUNDING_INTERVAL_MS, 8 * HOUR);
  // 07:00 -> 08:00 contains 08:00.
  assert.equal(fundingCharges(DAY + 7 * HOUR, DAY + 8 * HOUR), 1);
  // 08:00 itself is excluded at the start.
  assert.equal(fundingCharges(DAY + 8 * HOUR, DAY + 9 * HOUR), 0);
  // 07:59 -> 16:00 contains 08:00 and 16:00.
  assert.equal(
    fundingCharges(DAY + 7 * HOUR + 59 * 60_000, DAY + 16 * HOUR),
    2,
  );
  // A whole day from midnight: 08:00, 16:00 and the next midnight.
  assert.equal(fundingCharges(DAY, DAY + 24 * HOUR), 3);
  // Inside one funding period and an empty interval.
  assert.equal(fundingCharges(DAY + HOUR, DAY + 7 * HOUR), 0);
  assert.equal(fundingCharges(DAY + 8 * HOUR, DAY + 8 * HOUR), 0);
});

Deno.test("funding cost is charged on the absolute notional for every funding time", () => {
  assert.ok(Math.abs(fundingCost(10_000, 3, DEFAULT_COSTS) - 3) < 1e-12);
  assert.ok(Math.abs(fundingCost(-10_000, 1, DEFAULT_COSTS) - 1) < 1e-12);
  assert.equal(fundingCost(10_000, 0, DEFAULT_COSTS), 0);
  assert.equal(fundingCost(10_000, 5, ZERO_COSTS), 0);
});

Deno.test("funding count rejects an interval that ends before it starts", () => {
  assert.throws(
    () => fundingCharges(2000, 1000),
    new RangeError(
      "Cannot count funding times as 'toMs' must be finite and >= 2000: current value is 1000",
    ),
  );
  assert.throws(
    () => fundingCharges(NaN, 1000),
    new RangeError(
      "Cannot count funding times as 'fromMs' must be finite: current value is NaN",
    ),
  );
});

Deno.test("cost model check rejects negative or non-finite fields", () => {
  assert.equal(checkCosts(DEFAULT_COSTS), DEFAULT_COSTS);
  assert.throws(
    () => checkCosts({ ...DEFAULT_COSTS, slippageBps: -1 }),
    new RangeError(
      "Cannot use cost model as 'slippageBps' must be a finite number >= 0: current value is -1",
    ),
  );
  assert.throws(
    () => checkCosts({ ...DEFAULT_COSTS, takerFeeRate: Infinity }),
    new RangeError(
      "Cannot use cost model as 'takerFeeRate' must be a finite number >= 0: current value is Infinity",
    ),
  );
});
