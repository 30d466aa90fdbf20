/**
 * XIRR (sdk/xirr.ts) against answers known in closed form, against spreadsheet XIRR on irregular dates, and on flows
 * that are hard for a plain Newton iteration (a root far from the guess, near −100 %, several sign changes).
 */
import { expect } from "chai";

import { xirr, xnpv, type CashFlow } from "../../sdk/index.js";

const DAY = 86_400;
const YEAR = 365 * DAY;
/** Unix seconds of an ISO date at midnight UTC. */
const at = (iso: string) => Date.parse(`${iso}T00:00:00Z`) / 1000;

/** A predicate: within `tolerance` of `expected` (chai's closeTo takes integers once the Hardhat matchers load). */
function near(expected: number, tolerance: number): (actual: number) => boolean {
  return (actual) => Math.abs(actual - expected) <= tolerance;
}

describe("SDK xirr", () => {
  it("finds closed-form rates: one year, several years, a fraction of a year", () => {
    expect(
      xirr([
        { time: 0, amount: -100 },
        { time: YEAR, amount: 115 },
      ]),
    ).to.satisfy(near(0.15, 1e-12));
    // 1.08^5 back after five 365-day years.
    expect(
      xirr([
        { time: 0, amount: -1_000_000 },
        { time: 5 * YEAR, amount: 1_000_000 * 1.08 ** 5 },
      ]),
    ).to.satisfy(near(0.08, 1e-12));
    // Doubling in half a year: (1 + r)^0.5 = 2, r = 300 %.
    expect(
      xirr([
        { time: 0, amount: -1 },
        { time: YEAR / 2, amount: 2 },
      ]),
    ).to.satisfy(near(3, 1e-10));
    // A loss: 40 back of 100 after two years, r = √0.4 − 1.
    expect(
      xirr([
        { time: 0, amount: -100 },
        { time: 2 * YEAR, amount: 40 },
      ]),
    ).to.satisfy(near(Math.sqrt(0.4) - 1, 1e-12));
  });

  it("matches spreadsheet XIRR on irregular dates (actual/365)", () => {
    // The documentation example of spreadsheet XIRR (37.34 %); the root to 15 digits, from a 50-digit bisection.
    const flows: CashFlow[] = [
      { time: at("2008-01-01"), amount: -10_000 },
      { time: at("2008-03-01"), amount: 2_750 },
      { time: at("2008-10-30"), amount: 4_250 },
      { time: at("2009-02-15"), amount: 3_250 },
      { time: at("2009-04-01"), amount: 2_750 },
    ];
    expect(xirr(flows)).to.satisfy(near(0.37336253351883151, 1e-14));
    expect(xnpv(xirr(flows), flows)).to.satisfy(near(0, 1e-6));
  });

  it("takes bigint amounts and times, in any order, and ignores zero flows", () => {
    const usdc = 10n ** 6n;
    const flows: CashFlow[] = [
      { time: BigInt(3 * YEAR), amount: 1_331_000n * usdc },
      { time: 0n, amount: -1_000_000n * usdc },
      { time: BigInt(YEAR), amount: 0n },
    ];
    expect(xirr(flows)).to.satisfy(near(0.1, 1e-12));
  });

  it("solves an annuity exactly: the rate its payments were priced at", () => {
    // 10 yearly payments priced at 12 %: price = Σ 1 / 1.12^k.
    const r = 0.12;
    const price = Array.from({ length: 10 }, (_, k) => (1 + r) ** -(k + 1)).reduce((a, b) => a + b);
    const flows: CashFlow[] = [{ time: 0, amount: -price }];
    for (let k = 1; k <= 10; k++) flows.push({ time: k * YEAR, amount: 1 });
    expect(xirr(flows)).to.satisfy(near(r, 1e-12));
  });

  it("converges far from the guess: −99 % and +5,000 % a year", () => {
    expect(
      xirr([
        { time: 0, amount: -100 },
        { time: YEAR, amount: 1 },
      ]),
    ).to.satisfy(near(-0.99, 1e-12));
    expect(
      xirr([
        { time: 0, amount: -1 },
        { time: YEAR, amount: 51 },
      ]),
    ).to.satisfy(near(50, 1e-9));
    // A guess beyond the root changes nothing for a conventional investment.
    expect(
      xirr(
        [
          { time: 0, amount: -100 },
          { time: YEAR, amount: 115 },
        ],
        { guess: 3 },
      ),
    ).to.satisfy(near(0.15, 1e-12));
  });

  it("picks the rate nearest the guess when the flows change sign twice", () => {
    // −100, +230, −132 after 0, 1 and 2 years: NPV = 0 at 10 % and at 20 %.
    const flows: CashFlow[] = [
      { time: 0, amount: -100 },
      { time: YEAR, amount: 230 },
      { time: 2 * YEAR, amount: -132 },
    ];
    expect(xirr(flows, { guess: 0.09 })).to.satisfy(near(0.1, 1e-12));
    expect(xirr(flows, { guess: 0.25 })).to.satisfy(near(0.2, 1e-12));
  });

  it("refuses flows without both a payment and a receipt, or without a rate", () => {
    expect(() => xirr([])).to.throw(RangeError, "no cash flows");
    expect(() =>
      xirr([
        { time: 0, amount: 100 },
        { time: YEAR, amount: 5 },
      ]),
    ).to.throw(RangeError, "at least one payment and one receipt");
    expect(() =>
      xirr([
        { time: 0, amount: -100 },
        { time: 0, amount: 0 },
      ]),
    ).to.throw(RangeError, "at least one payment and one receipt");
    // Flows on one date have an NPV that does not depend on the rate.
    expect(() =>
      xirr([
        { time: 7, amount: -100 },
        { time: 7, amount: 100 },
      ]),
    ).to.throw(RangeError, "two dates");
    // 100 received now and 100 paid a year later: 100 − 100/(1 + r) is positive at every rate above 0 and negative
    // below: its rate is 0 exactly. 100 received now, 50 paid in a year and 100 received in two: the NPV,
    // 100 − 50·v + 100·v² with v = 1/(1 + r), is positive at every rate.
    expect(
      xirr([
        { time: 0, amount: 100 },
        { time: YEAR, amount: -100 },
      ]),
    ).to.equal(0);
    const noRate: CashFlow[] = [
      { time: 0, amount: 100 },
      { time: YEAR, amount: -50 },
      { time: 2 * YEAR, amount: 100 },
    ];
    expect(() => xirr(noRate)).to.throw(RangeError, "changes sign nowhere");
    expect(() =>
      xirr([
        { time: Number.NaN, amount: -1 },
        { time: 0, amount: 1 },
      ]),
    ).to.throw(RangeError, "finite");
  });

  it("discounts to the earliest flow (xnpv)", () => {
    expect(
      xnpv(0.1, [
        { time: 0, amount: -100 },
        { time: YEAR, amount: 110 },
      ]),
    ).to.satisfy(near(0, 1e-12));
    expect(
      xnpv(0, [
        { time: 5, amount: -100 },
        { time: 10 * YEAR, amount: 30 },
      ]),
    ).to.equal(-70);
    expect(() => xnpv(-1, [])).to.throw(RangeError, "above −100 %");
  });
});
