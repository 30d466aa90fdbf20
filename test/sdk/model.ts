/**
 * The pure waterfall model on its own (no chain). The on-chain comparison is in test/sdk/deal.ts.
 */
import { expect } from "chai";

import {
  covenantTest,
  CouponType,
  DealStatus,
  DepreciationMethod,
  FleetEntryStatus,
  formatEnergyMwh,
  formatMetric,
  formatPue,
  IndexRejection,
  RiskMetric,
  RiskTermsLib,
  type FleetEntryState,
  isReported,
  mulDivDown,
  PrincipalType,
  TrancheKind,
  UNREPORTED,
  WAD,
  type CouponTerms,
  type TrancheTerms,
  type WaterfallTerms,
  NO_TRANSFER_RULES,
  DealModel,
  RiskEngineModel,
  WaterfallMath,
} from "../../sdk/index.js";

const USDC = 10n ** 6n;
const PCT = WAD / 100n;
const MONTH = 30 * 86_400;

const linked: CouponTerms = {
  couponType: CouponType.UtilizationLinked,
  baseRate: 11n * PCT,
  slope: (20n * WAD) / 100n,
  strike: 75n * PCT,
  floorRate: 9n * PCT,
  capRate: 14n * PCT,
};

function note(
  face: bigint,
  rate: bigint,
  principal = { scheduleType: 0, amortStartPeriod: 0, amortPeriods: 0 },
): TrancheTerms {
  return {
    name: "N",
    symbol: "N",
    kind: TrancheKind.Note,
    faceAmount: face,
    minRaise: USDC,
    minTicket: USDC,
    reserveFundingBps: 0,
    coupon: {
      couponType: CouponType.Fixed,
      baseRate: rate,
      slope: 0n,
      strike: 0n,
      floorRate: 0n,
      capRate: 0n,
    },
    principal,
    transfer: NO_TRANSFER_RULES,
  };
}

const equityTerms: TrancheTerms = {
  ...note(1_000_000n * USDC, 0n),
  kind: TrancheKind.Equity,
};

function terms(overrides: Partial<WaterfallTerms> = {}): WaterfallTerms {
  return {
    periodLength: MONTH,
    periodCount: 12,
    pledgedShareBps: 10_000,
    servicerFeeBps: 100,
    trusteeFeePerPeriod: 2_000n * USDC,
    reserveTarget: 150_000n * USDC,
    keeperBounty: 25n * USDC,
    tranches: [
      {
        ...note(6_000_000n * USDC, 8n * PCT, {
          scheduleType: PrincipalType.StraightLine,
          amortStartPeriod: 3,
          amortPeriods: 9,
        }),
        reserveFundingBps: 250,
      },
      { ...note(2_000_000n * USDC, 0n), coupon: linked },
      note(1_000_000n * USDC, 14n * PCT),
      equityTerms,
    ],
    ...overrides,
  };
}

const report = (u: number, revenue: bigint) => ({
  gpuHoursAvailable: 1_000_000n,
  gpuHoursBilled: BigInt(u) * 10_000n,
  revenue,
});

/** Deterministic PRNG (mulberry32) for the property tests. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
const randBig = (r: () => number, max: bigint) =>
  (BigInt(Math.floor(r() * 2 ** 52)) * max) / 2n ** 52n;

describe("SDK model: math", () => {
  it("mulDivDown and bpsOfDown round down", () => {
    expect(mulDivDown(10n, 10n, 3n)).to.equal(33n);
    expect(WaterfallMath.bpsOfDown(999n, 100)).to.equal(9n);
    expect(() => mulDivDown(1n, 1n, 0n)).to.throw(RangeError);
  });

  it("utilization is billed / available in WAD, rounded down, zero with nothing available", () => {
    expect(WaterfallMath.utilizationDown(3n, 1n)).to.equal(333_333_333_333_333_333n);
    expect(WaterfallMath.utilizationDown(0n, 0n)).to.equal(0n);
    expect(WaterfallMath.utilizationDown(10n, 10n)).to.equal(WAD);
  });
});

describe("SDK model: coupons", () => {
  it("a fixed coupon pays its base rate whatever the utilization", () => {
    const fixed: CouponTerms = { ...linked, couponType: CouponType.Fixed, baseRate: 8n * PCT };
    expect(WaterfallMath.couponRate(fixed, 0n)).to.equal(8n * PCT);
    expect(WaterfallMath.couponRate(fixed, WAD)).to.equal(8n * PCT);
  });

  it("a linked coupon moves with utilization and is clamped to [floor, cap]", () => {
    expect(WaterfallMath.couponRate(linked, 75n * PCT)).to.equal(11n * PCT);
    expect(WaterfallMath.couponRate(linked, 85n * PCT)).to.equal(13n * PCT);
    expect(WaterfallMath.couponRate(linked, 65n * PCT)).to.equal(9n * PCT);
    expect(WaterfallMath.couponRate(linked, 0n)).to.equal(9n * PCT); // 11 − 15 → floor
    expect(WaterfallMath.couponRate(linked, WAD)).to.equal(14n * PCT); // 11 + 5 → cap
  });

  it("slope × (U − strike) truncates toward zero like Solidity signed division", () => {
    const c: CouponTerms = { ...linked, slope: 3n, floorRate: 0n, capRate: WAD };
    // (3 × (strike − 1)) / 1e18 = −3 / 1e18 → 0 (toward zero, not −1).
    expect(WaterfallMath.couponRate(c, c.strike - 1n)).to.equal(c.baseRate);
    expect(WaterfallMath.couponRate(c, c.strike + 1n)).to.equal(c.baseRate);
    const steep: CouponTerms = { ...c, slope: 3n * WAD };
    // 3e18 × (−1) / 1e18 = −3 exactly; and a negative slope flips the sign.
    expect(WaterfallMath.couponRate(steep, c.strike - 1n)).to.equal(c.baseRate - 3n);
    expect(WaterfallMath.couponRate({ ...steep, slope: -(10n ** 17n) }, c.strike - 15n)).to.equal(
      c.baseRate + 1n,
    ); // 1.5 → 1
    expect(WaterfallMath.couponRate({ ...steep, slope: 10n ** 17n }, c.strike - 15n)).to.equal(
      c.baseRate - 1n,
    ); // −1.5 → −1
  });

  it("period interest accrues actual/365 on the period length, rounded down", () => {
    // 6M × 8 % × 30/365 = 39,452.054794…
    expect(WaterfallMath.periodInterestDown(6_000_000n * USDC, 8n * PCT, MONTH)).to.equal(
      39_452_054_794n,
    );
    expect(WaterfallMath.periodInterestDown(0n, 8n * PCT, MONTH)).to.equal(0n);
  });
});

describe("SDK model: principal schedules", () => {
  const straight = {
    scheduleType: PrincipalType.StraightLine,
    amortStartPeriod: 2,
    amortPeriods: 3,
  };

  it("straight-line installments round down and the last one takes the remainder", () => {
    const face = 1_000_000n; // not divisible by 3
    expect(WaterfallMath.amortizationSchedule(face, straight, 8)).to.deep.equal([
      face,
      face,
      face - 333_333n,
      face - 666_666n,
      0n,
      0n,
      0n,
      0n,
    ]);
  });

  it("the last period of the deal is the legal final maturity of every note", () => {
    const bullet = { scheduleType: PrincipalType.Bullet, amortStartPeriod: 0, amortPeriods: 0 };
    expect(WaterfallMath.scheduledOutstandingUp(5n, bullet, 10, 12)).to.equal(5n);
    expect(WaterfallMath.scheduledOutstandingUp(5n, bullet, 11, 12)).to.equal(0n);
    expect(
      WaterfallMath.scheduledOutstandingUp(5n, { ...straight, amortPeriods: 9 }, 11, 12),
    ).to.equal(0n);
  });

  it("principal due includes what earlier periods missed", () => {
    expect(WaterfallMath.principalDue(700n, 500n)).to.equal(200n);
    expect(WaterfallMath.principalDue(400n, 500n)).to.equal(0n);
  });
});

describe("SDK model: priority of payments", () => {
  const base: WaterfallMath.WaterfallInput = {
    cash: 0n,
    reserve: 0n,
    reserveTarget: 0n,
    keeperBountyDue: 0n,
    trusteeFeeDue: 10n,
    servicerFeeDue: 20n,
    interestDue: [100n, 50n],
    principalDue: [300n, 200n],
  };

  it("pays fees, interest by rank, reserve top-up, principal by rank, then the residual", () => {
    const r = WaterfallMath.run({ ...base, cash: 1_000n, reserveTarget: 40n });
    expect(r.trusteeFeePaid).to.equal(10n);
    expect(r.servicerFeePaid).to.equal(20n);
    expect(r.interestPaid).to.deep.equal([100n, 50n]);
    expect(r.reserveToppedUp).to.equal(40n);
    expect(r.principalPaid).to.deep.equal([300n, 200n]);
    expect(r.residual).to.equal(280n);
    expect(r.reserveAfter).to.equal(40n);
  });

  it("a shortfall stops the cascade where the cash runs out", () => {
    const r = WaterfallMath.run({ ...base, cash: 150n });
    expect(r.interestPaid).to.deep.equal([100n, 20n]);
    expect(r.principalPaid).to.deep.equal([0n, 0n]);
    expect(r.residual).to.equal(0n);
  });

  it("the reserve covers a senior interest shortfall only, then is topped up before principal", () => {
    const r = WaterfallMath.run({ ...base, cash: 60n, reserve: 100n, reserveTarget: 100n });
    expect(r.interestPaid).to.deep.equal([100n, 0n]); // 30 from cash + 70 drawn
    expect(r.reserveDrawn).to.equal(70n);
    expect(r.reserveToppedUp).to.equal(0n);
    expect(r.reserveAfter).to.equal(30n);
  });

  it("pays the keeper bounty first, before the trustee, and caps it at the cash", () => {
    const full = WaterfallMath.run({ ...base, cash: 1_000n, keeperBountyDue: 25n });
    expect(full.keeperBountyPaid).to.equal(25n);
    expect(full.trusteeFeePaid).to.equal(10n);
    expect(full.residual).to.equal(1_000n - 25n - 10n - 20n - 150n - 500n);
    const short = WaterfallMath.run({ ...base, cash: 30n, keeperBountyDue: 25n });
    expect([short.keeperBountyPaid, short.trusteeFeePaid, short.servicerFeePaid]).to.deep.equal([
      25n,
      5n,
      0n,
    ]);
    const none = WaterfallMath.run({ ...base, cash: 7n, keeperBountyDue: 25n });
    expect([none.keeperBountyPaid, none.trusteeFeePaid]).to.deep.equal([7n, 0n]);
  });

  it("released reserve counts as cash for the keeper bounty", () => {
    const r = WaterfallMath.run({
      ...base,
      reserve: 30n,
      reserveTarget: 10n,
      keeperBountyDue: 25n,
    });
    expect(r.reserveReleased).to.equal(20n);
    expect(r.keeperBountyPaid).to.equal(20n);
  });

  it("reserve above target is released into the period's cash first", () => {
    const r = WaterfallMath.run({ ...base, cash: 0n, reserve: 500n, reserveTarget: 100n });
    expect(r.reserveReleased).to.equal(400n);
    expect(r.trusteeFeePaid + r.servicerFeePaid + r.interestPaid[0] + r.interestPaid[1]).to.equal(
      180n,
    );
    expect(r.reserveAfter).to.equal(100n);
  });

  it("principal cash backs the senior shortfall before the reserve, then scheduled principal, never juniors", () => {
    // 30 of cash after fees (10 + 20) leaves nothing for the senior's 100: 60 from principal cash, 40 drawn.
    const short = WaterfallMath.run({
      ...base,
      cash: 30n,
      reserve: 100n,
      reserveTarget: 100n,
      principalCash: 60n,
    });
    expect(short.interestPaid).to.deep.equal([100n, 0n]);
    expect([short.principalCashUsed, short.reserveDrawn]).to.deep.equal([60n, 40n]);
    expect(short.principalPaid).to.deep.equal([0n, 0n]);
    // Cash for fees and interest (180) and 100 of the senior's 300 scheduled: principal cash pays 200 + 150.
    const principal = WaterfallMath.run({ ...base, cash: 280n, principalCash: 350n });
    expect(principal.principalPaid).to.deep.equal([300n, 150n]);
    expect([principal.principalCashUsed, principal.residual]).to.deep.equal([350n, 0n]);
    // When the cash pays everything due, principal cash stays held and the residual is the cash's own.
    const covered = WaterfallMath.run({ ...base, cash: 1_000n, principalCash: 500n });
    expect([covered.principalCashUsed, covered.residual]).to.deep.equal([0n, 1_000n - 680n]);
  });

  it("the accelerated order releases principal cash whole, ahead of the bounty and fees", () => {
    const r = WaterfallMath.run({
      ...base,
      mode: WaterfallMath.WaterfallMode.Accelerated,
      outstanding: [1_000n, 500n],
      keeperBountyDue: 5n,
      principalCash: 200n,
    });
    expect(r.principalCashUsed).to.equal(200n);
    expect([r.keeperBountyPaid, r.trusteeFeePaid, r.servicerFeePaid]).to.deep.equal([5n, 10n, 20n]);
    expect(r.interestPaid).to.deep.equal([100n, 0n]);
    expect(r.principalPaid).to.deep.equal([65n, 0n]);
  });

  it("conserves cash on random inputs (2,000 cases, fixed seed)", () => {
    const r = rng(0x5ca1ab1e);
    for (let i = 0; i < 2_000; i++) {
      const notes = 1 + Math.floor(r() * 4);
      const input: WaterfallMath.WaterfallInput = {
        cash: randBig(r, 10n ** 13n),
        reserve: randBig(r, 10n ** 12n),
        reserveTarget: randBig(r, 10n ** 12n),
        keeperBountyDue: r() < 0.3 ? 0n : randBig(r, 10n ** 8n),
        trusteeFeeDue: randBig(r, 10n ** 10n),
        servicerFeeDue: randBig(r, 10n ** 11n),
        interestDue: Array.from({ length: notes }, () => randBig(r, 10n ** 12n)),
        principalDue: Array.from({ length: notes }, () => randBig(r, 10n ** 13n)),
      };
      const w = WaterfallMath.run(input);
      const inflow = input.cash + w.reserveReleased + w.reserveDrawn;
      const outflow =
        w.keeperBountyPaid +
        w.trusteeFeePaid +
        w.servicerFeePaid +
        w.interestPaid.reduce((a, b) => a + b, 0n) +
        w.reserveToppedUp +
        w.principalPaid.reduce((a, b) => a + b, 0n) +
        w.residual;
      expect(outflow).to.equal(inflow);
      expect(w.reserveAfter).to.equal(
        input.reserve - w.reserveReleased - w.reserveDrawn + w.reserveToppedUp,
      );
      expect(w.keeperBountyPaid <= input.keeperBountyDue).to.equal(true);
      // The bounty comes first: it is short only when there is nothing left for anyone else.
      if (w.keeperBountyPaid < input.keeperBountyDue) expect(w.trusteeFeePaid).to.equal(0n);
      w.interestPaid.forEach((p, k) => expect(p <= input.interestDue[k]).to.equal(true));
      w.principalPaid.forEach((p, k) => expect(p <= input.principalDue[k]).to.equal(true));
      // Nothing reaches the residual while anything above it is unpaid.
      if (w.residual > 0n) expect(w.principalPaid).to.deep.equal([...input.principalDue]);
    }
  });
});

describe("SDK model: keeper bounty and unreported periods", () => {
  const t = terms({ pledgedShareBps: 8_000 });
  const s0 = DealModel.initialDealState(
    t,
    t.tranches.map((x) => x.faceAmount),
  );

  it("the bounty is never carried: a period too poor to pay it leaves no arrears for the keeper", () => {
    const poor = DealModel.distribute(
      { ...s0, reserve: 0n },
      { ...t, reserveTarget: 0n },
      report(70, 10n * USDC),
      10n * USDC,
    );
    expect(poor.statement.keeperBountyPaid).to.equal(8n * USDC); // 80 % of 10 pledged
    expect(poor.detail.keeperBountyDue).to.equal(25n * USDC);
    const next = DealModel.distribute(
      poor.next,
      { ...t, reserveTarget: 0n },
      report(70, 10n ** 12n),
      10n ** 12n,
    );
    expect(next.detail.keeperBountyDue).to.equal(25n * USDC);
    expect(next.statement.keeperBountyPaid).to.equal(25n * USDC);
    expect(
      DealModel.statementBalances(poor.statement) && DealModel.statementBalances(next.statement),
    ).to.equal(true);
  });

  it("an unreported period distributes every collection, pays linked coupons their floor and counts a miss", () => {
    // Collections far above the pledged revenue a report would allow: without a report all of them go out.
    const deposited = 3_000_000n * USDC;
    const missed = DealModel.distribute(s0, t, UNREPORTED, deposited);
    expect(missed.statement.reported).to.equal(false);
    expect(missed.statement.cashIn).to.equal(deposited);
    expect(missed.statement.collectionsCarried).to.equal(0n);
    expect(missed.statement.utilization).to.equal(0n);
    expect(missed.detail.rates).to.deep.equal([8n * PCT, 9n * PCT, 14n * PCT]); // mezzanine at its floor
    expect(missed.next.missedReports).to.equal(1);
    expect(missed.detail.missedReports).to.equal(1);
    expect(DealModel.statementBalances(missed.statement)).to.equal(true);

    const reported = DealModel.distribute(s0, t, report(90, 1_000_000n * USDC), deposited);
    expect(reported.statement.reported).to.equal(true);
    expect(reported.statement.cashIn).to.equal(800_000n * USDC);
    expect(reported.detail.rates[1]).to.equal(14n * PCT); // 11 + 0.2 × 15 = 14: the cap
    expect(reported.next.missedReports).to.equal(0);
    expect(isReported(UNREPORTED)).to.equal(false);
    expect(isReported(report(90, 1n))).to.equal(true);
  });

  it("a fixed coupon is unchanged without a report", () => {
    const fixedOnly = terms({
      tranches: [note(1_000_000n * USDC, 8n * PCT), equityTerms],
    });
    const st = DealModel.initialDealState(fixedOnly, [1_000_000n * USDC, 1_000_000n * USDC]);
    expect(DealModel.distribute(st, fixedOnly, UNREPORTED, 0n).detail.rates).to.deep.equal([
      8n * PCT,
    ]);
  });
});

describe("SDK model: periods", () => {
  it("starts with the issued notes outstanding and the reserve funded from the proceeds", () => {
    const t = terms();
    const s = DealModel.initialDealState(
      t,
      t.tranches.map((x) => x.faceAmount),
    );
    expect(s.reserve).to.equal(150_000n * USDC); // 2.5 % of 6M
    expect(s.tranches.map((x) => x.outstanding)).to.deep.equal([
      6_000_000n * USDC,
      2_000_000n * USDC,
      1_000_000n * USDC,
      0n,
    ]);
    expect(() => DealModel.initialDealState(t, [1n])).to.throw(RangeError);
  });

  it("cash is the smaller of collections and pledged revenue; the excess is carried", () => {
    const t = terms({ pledgedShareBps: 8_000 });
    const s0 = DealModel.initialDealState(
      t,
      t.tranches.map((x) => x.faceAmount),
    );
    const { statement, next } = DealModel.distribute(
      s0,
      t,
      report(70, 1_000_000n * USDC),
      900_000n * USDC,
    );
    expect(statement.cashIn).to.equal(800_000n * USDC);
    expect(statement.collectionsCarried).to.equal(100_000n * USDC);
    expect(next.collections).to.equal(100_000n * USDC);
    expect(DealModel.statementBalances(statement)).to.equal(true);
  });

  it("a collection shortfall leaves interest arrears that fall due the next period", () => {
    const t = terms();
    const s0 = DealModel.initialDealState(
      t,
      t.tranches.map((x) => x.faceAmount),
    );
    const p0 = DealModel.distribute(s0, t, report(40, 50_000n * USDC), 50_000n * USDC);
    expect(p0.detail.interestArrears[0]).to.equal(0n);
    expect(p0.detail.interestArrears[1] > 0n).to.equal(true);
    expect(p0.detail.interestArrears[2]).to.equal(
      WaterfallMath.periodInterestDown(1_000_000n * USDC, 14n * PCT, MONTH),
    );
    expect(p0.detail.rates[1]).to.equal(9n * PCT); // 40 % utilization → floor
    // No cash at all: fees go into arrears, the reserve pays the senior interest, juniors accrue.
    const p1 = DealModel.distribute(p0.next, t, report(40, 0n), 0n);
    expect(p1.detail.interestDue[1]).to.equal(
      WaterfallMath.periodInterestDown(2_000_000n * USDC, 9n * PCT, MONTH) +
        p0.detail.interestArrears[1],
    );
    expect(p1.statement.reserveDrawn).to.equal(p1.detail.interestDue[0]);
    expect(p1.statement.interestPaid).to.deep.equal([p1.detail.interestDue[0], 0n, 0n]);
    expect(p1.detail.trusteeFeeArrears).to.equal(t.trusteeFeePerPeriod);
    // The statement carries the dues, the arrears and the outstanding principal itself.
    expect(p1.statement.interestDue).to.deep.equal(p1.detail.interestDue);
    expect(
      p1.statement.interestDue.map((due, i) => due - p1.statement.interestPaid[i]),
    ).to.deep.equal(p1.detail.interestArrears);
    expect(p1.statement.outstanding).to.deep.equal(p1.detail.outstanding);
    expect([p1.statement.trusteeFeeArrears, p1.statement.servicerFeeArrears]).to.deep.equal([
      p1.detail.trusteeFeeArrears,
      p1.detail.servicerFeeArrears,
    ]);
  });

  it("the final period distributes every collection and releases the reserve; status follows repayment", () => {
    const t = terms({ periodCount: 1, reserveTarget: 10n * USDC });
    const s0 = {
      ...DealModel.initialDealState(
        t,
        t.tranches.map((x) => x.faceAmount),
      ),
      reserve: 10n * USDC,
    };
    const rich = DealModel.distribute(s0, t, report(90, 1n), 20_000_000n * USDC);
    expect(rich.statement.cashIn).to.equal(20_000_000n * USDC); // revenue cap ignored at maturity
    expect(rich.statement.reserveReleased).to.equal(10n * USDC);
    expect(rich.detail.reserveTarget).to.equal(0n);
    expect(rich.next.status).to.equal(DealStatus.Repaid);
    const poor = DealModel.distribute(s0, t, report(90, 1n), 1_000n * USDC);
    expect(poor.next.status).to.equal(DealStatus.Defaulted);
    // The statement's outstanding is what the payment left; the write-off comes after it.
    expect(poor.statement.outstanding).to.deep.equal(
      t.tranches.slice(0, 3).map((x, i) => x.faceAmount - poor.statement.principalPaid[i]),
    );
    expect(poor.detail.outstanding).to.deep.equal([0n, 0n, 0n]);
    expect(() => DealModel.distribute(rich.next, t, report(90, 1n), 0n)).to.throw(RangeError);
  });

  it("the reserve target drops to zero once no note principal is outstanding", () => {
    const t = terms();
    const s0 = DealModel.initialDealState(
      t,
      t.tranches.map((x) => x.faceAmount),
    );
    const repaid = { ...s0, tranches: s0.tranches.map((x) => ({ ...x, outstanding: 0n })) };
    const p = DealModel.distribute(repaid, t, report(80, 100n * USDC), 100n * USDC);
    expect(p.detail.reserveTarget).to.equal(0n);
    expect(p.statement.reserveReleased).to.equal(150_000n * USDC);
  });

  it("the residual goes to the issuer when no equity was issued", () => {
    const issuer = "0x00000000000000000000000000000000000015e1" as const;
    const equityToken = "0x000000000000000000000000000000000000e901" as const;
    const keeper = "0x000000000000000000000000000000000000cee9" as const;
    const t = { ...terms(), issuer };
    const s0 = DealModel.initialDealState(t, [
      ...t.tranches.slice(0, 3).map((x) => x.faceAmount),
      0n,
    ]);
    const sim = DealModel.distribute(s0, t, report(80, 10n ** 13n), 10n ** 13n, {
      keeper,
      equityToken,
    });
    expect(sim.detail.residualRecipient).to.equal("issuer");
    expect([sim.statement.residualRecipient, sim.statement.keeper]).to.deep.equal([issuer, keeper]);
    const withEquity = DealModel.initialDealState(
      t,
      t.tranches.map((x) => x.faceAmount),
    );
    const paid = DealModel.distribute(withEquity, t, report(80, 10n ** 13n), 10n ** 13n, {
      equityToken,
    });
    expect(paid.statement.residualRecipient).to.equal(equityToken);
    // Without the addresses the statement names the zero address.
    expect(
      DealModel.distribute(withEquity, t, report(80, 10n ** 13n), 10n ** 13n).statement.keeper,
    ).to.equal("0x0000000000000000000000000000000000000000");
  });

  it("every period of random deals conserves cash and never pays a note more than it owes (seeded)", () => {
    const r = rng(42);
    for (let run = 0; run < 50; run++) {
      const t = terms({
        pledgedShareBps: 5_000 + Math.floor(r() * 5_000),
        servicerFeeBps: Math.floor(r() * 300),
      });
      let s = DealModel.initialDealState(
        t,
        t.tranches.map((x) => x.faceAmount),
      );
      let paid = 0n;
      for (let p = 0; p < t.periodCount; p++) {
        const revenue = randBig(r, 3_000_000n * USDC);
        const sim = DealModel.distribute(
          s,
          t,
          report(Math.floor(r() * 100), revenue),
          randBig(r, revenue),
        );
        expect(DealModel.statementBalances(sim.statement)).to.equal(true);
        sim.next.tranches.slice(0, 3).forEach((x) => expect(x.outstanding >= 0n).to.equal(true));
        paid += sim.statement.principalPaid.reduce((a, b) => a + b, 0n);
        s = sim.next;
      }
      // What was not repaid by maturity is written off: nothing stays outstanding.
      const owed = t.tranches.slice(0, 3).reduce((a, x) => a + x.faceAmount, 0n);
      expect(s.tranches.slice(0, 3).every((x) => x.outstanding === 0n)).to.equal(true);
      expect(paid + s.tranches.slice(0, 3).reduce((a, x) => a + x.writtenDown, 0n)).to.equal(owed);
      expect([DealStatus.Repaid, DealStatus.Defaulted]).to.include(s.status);
    }
  });
});

describe("SDK model: price index (RiskEngine._readIndex)", () => {
  const feed = {
    feed: "0x00000000000000000000000000000000000000fe" as const,
    decimals: 8,
    maxStaleness: 86_400,
  };
  const last = 120_000_000n;
  const at = 1_000_000n;

  it("a live answer is the index; each refused one falls back to the last accepted, with its reason", () => {
    expect(
      RiskEngineModel.readIndex(feed, last, {
        answer: 90_000_000n,
        updatedAt: at - 86_400n,
        blockTimestamp: at,
      }),
    ).to.deep.equal({
      index: 90_000_000n,
      live: true,
      rejection: undefined,
      answer: 90_000_000n,
      updatedAt: at - 86_400n,
    });
    const refused: [IndexRejection, Parameters<typeof RiskEngineModel.readIndex>[2]][] = [
      [IndexRejection.Reverted, { reverted: true }],
      [IndexRejection.Malformed, { malformed: true }],
      [IndexRejection.NonPositive, { answer: 0n, updatedAt: at, blockTimestamp: at }],
      [IndexRejection.TooLarge, { answer: 2n ** 96n, updatedAt: at, blockTimestamp: at }],
      [IndexRejection.Stale, { answer: 1n, updatedAt: at - 86_401n, blockTimestamp: at }],
      [IndexRejection.FromFuture, { answer: 1n, updatedAt: at + 1n, blockTimestamp: at }],
    ];
    for (const [rejection, observation] of refused) {
      const r = RiskEngineModel.readIndex(feed, last, observation);
      expect([r.index, r.live, r.rejection], `rejection ${rejection}`).to.deep.equal([
        last,
        false,
        rejection,
      ]);
    }
    // The failed and malformed reads carry no answer.
    expect(RiskEngineModel.readIndex(feed, last, { malformed: true })).to.deep.include({
      answer: 0n,
      updatedAt: 0n,
    });
  });
});

describe("SDK model: data-center covenants and collateral (RiskEngine)", () => {
  const YEAR = 365n * 86_400n;
  const M = 1_000_000n * USDC;
  const entry = (
    method: number,
    unitCost: bigint,
    unitResidual: bigint,
    usefulLife: number,
  ): FleetEntryState => ({
    terms: {
      model: "0x00000000000000000000000000000000",
      count: 1,
      unitCost,
      unitResidual,
      acquiredAt: 1n,
      usefulLife,
      method,
      yearlyRate: 0n,
      indexAtAcquisition: 0n,
    },
    activeCount: 1,
    status: FleetEntryStatus.Confirmed,
  });
  const land = entry(DepreciationMethod.None, 3n * M, 3n * M, 0);
  const building = entry(DepreciationMethod.StraightLine, 8n * M, 0n, Number(30n * YEAR));

  it("land keeps its cost at any age; a 30-year building reaches nothing at 30 years", () => {
    for (const t of [1n, 15n * YEAR, 2n ** 64n])
      expect(RiskEngineModel.entryValue(land, t, 0n)).to.equal(3n * M);
    expect(RiskEngineModel.entryValue(building, 1n + 15n * YEAR, 0n)).to.equal(4n * M);
    expect(RiskEngineModel.entryValue(building, 1n + 30n * YEAR, 0n)).to.equal(0n);
    expect(RiskTermsLib.fleetEntryValid(land.terms, false)).to.equal(true);
    expect(RiskTermsLib.fleetEntryValid({ ...land.terms, usefulLife: 1 }, false)).to.equal(false);
    expect(RiskTermsLib.fleetEntryValid({ ...land.terms, unitResidual: 0n }, true)).to.equal(false);
  });

  it("an appraisal caps the fleet while it is fresh, never raises it, and is ignored once stale", () => {
    const fleet = [land, building];
    const at = 1n + 15n * YEAR;
    const book = RiskEngineModel.fleetValue(fleet, at, 0n);
    expect(book).to.equal(7n * M);
    const mark = { value: 5n * M, asOf: at - 10n, period: 3 };
    expect(RiskEngineModel.fleetValue(fleet, at, 0n, 10, mark)).to.equal(5n * M);
    expect(RiskEngineModel.fleetValue(fleet, at, 0n, 9, mark)).to.equal(book);
    // No appraisal marks on the deal: the mark is not read.
    expect(RiskEngineModel.fleetValue(fleet, at, 0n, 0, mark)).to.equal(book);
    expect(RiskEngineModel.fleetValue(fleet, at, 0n, 10, { ...mark, value: 9n * M })).to.equal(
      book,
    );
    // Dated after the valuation: fresh.
    expect(RiskEngineModel.fleetValue(fleet, at - 100n, 0n, 1, mark)).to.equal(5n * M);
    expect(
      RiskEngineModel.appraisal({ appraisal: mark }, { appraisalMaxAge: 10 }, at),
    ).to.deep.equal({
      mark,
      inForce: true,
    });
    expect(
      RiskEngineModel.appraisal({ appraisal: mark }, { appraisalMaxAge: 9 }, at).inForce,
    ).to.equal(false);
  });

  it("occupancy is billed / capacity rounded down; PUE is the reported ratio; both zero unreported", () => {
    const m = {} as Parameters<typeof RiskEngineModel.metricValue>[1];
    const a = {
      revenue: 0n,
      pledgedShareBps: 10_000,
      reported: true,
      gpuHoursBilled: 2n,
      capacity: 3n,
      pue: 13_500,
    };
    expect(RiskEngineModel.metricValue(RiskMetric.Occupancy, m, a)).to.equal(
      666_666_666_666_666_666n,
    );
    expect(RiskEngineModel.metricValue(RiskMetric.Pue, m, a)).to.equal((135n * WAD) / 100n);
    expect(RiskEngineModel.metricValue(RiskMetric.Occupancy, m, { ...a, capacity: 0n })).to.equal(
      0n,
    );
    const unreported = { ...a, reported: false, gpuHoursBilled: 0n };
    expect(RiskEngineModel.metricValue(RiskMetric.Occupancy, m, unreported)).to.equal(0n);
    expect(RiskEngineModel.metricValue(RiskMetric.Pue, m, unreported)).to.equal(0n);
  });

  it("prints occupancy as a percentage and PUE as a number, energy in MWh", () => {
    expect(formatMetric(RiskMetric.Occupancy, 666_666_666_666_666_666n)).to.equal("66.66 %");
    expect(formatMetric(RiskMetric.Pue, (135n * WAD) / 100n)).to.equal("1.35");
    // A PUE of 1.5001 beside a cap of 1.50 prints on the breached side.
    const cap = {
      metric: RiskMetric.Pue,
      comparison: 1,
      effect: 0,
      periods: 1,
      cures: true,
      threshold: (15n * WAD) / 10n,
    };
    expect(formatMetric(RiskMetric.Pue, 15_001n * 10n ** 14n, [cap])).to.equal("1.51");
    expect(formatMetric(RiskMetric.Pue, (15n * WAD) / 10n, [cap])).to.equal("1.50");
    expect(covenantTest(cap)).to.equal("PUE > 1.50");
    expect([formatPue(13_500), formatPue(13_525), formatPue(10_000)]).to.deep.equal([
      "1.35",
      "1.3525",
      "1.00",
    ]);
    expect([
      formatEnergyMwh(6_912_500n),
      formatEnergyMwh(3_000n),
      formatEnergyMwh(1n),
    ]).to.deep.equal(["6,912.5 MWh", "3 MWh", "0.001 MWh"]);
  });
});
