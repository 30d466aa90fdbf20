/**
 * The recovery account of a running deal (`Deal.depositRecoveries`, `RiskEngine.retireFleetEntry` with proceeds):
 * recoveries are held for the notes and count as collateral; the notes keep earning their coupon on every unit of
 * principal until a distribution repays it; the distributions apply the account in their priority of payments (the
 * senior interest and the scheduled principal the period's cash leaves unpaid; all of it when accelerated, at the
 * final period and once no note principal is outstanding); and nothing of it reaches fees, junior interest or equity
 * ahead of the notes it is held for.
 *
 * The deal (test/helpers/risk-fixtures.ts): 12 monthly periods; senior 6 M at 8 % straight-line from period 3 over 9
 * periods, junior 2 M bullet at 12 %, equity 1 M; reserve funded with 180 000 against a 150 000 target; keeper 50,
 * trustee 2 000 a period, servicer 1 % of the period's cash.
 */
import { expect } from "chai";
import { network } from "hardhat";

import { DAY, DealStatus, PERIOD, WAD, fixedNote } from "./helpers/fixtures.js";
import {
  K,
  M,
  RiskMetric,
  TriggerComparison,
  TriggerEffect,
  activate,
  buildRiskDeal,
  periodInterestDown,
  runPeriod,
  trigger,
  type RiskFixture,
} from "./helpers/risk-fixtures.js";

const { ethers, networkHelpers } = await network.create();

const SENIOR_RATE = (8n * WAD) / 100n;
const JUNIOR_RATE = (12n * WAD) / 100n;
/** One period of interest on the whole senior (39 452.054794) and on the whole junior (19 726.027397). */
const SENIOR_COUPON = periodInterestDown(6n * M, SENIOR_RATE, PERIOD);
const JUNIOR_COUPON = periodInterestDown(2n * M, JUNIOR_RATE, PERIOD);
const BOUNTY = 50n * 10n ** 6n;
const TRUSTEE_FEE = 2n * K;
/** Event of default at once when DSCR < 1 (latches). */
const DSCR_DEFAULT = trigger(
  RiskMetric.Dscr,
  TriggerComparison.Below,
  WAD,
  TriggerEffect.Accelerate,
);

async function active(cleanUpBps = 0) {
  const f = await buildRiskDeal(ethers, networkHelpers, "none", (t) => {
    t.risk = { ...t.risk, cleanUpBps };
  });
  await activate(networkHelpers, f);
  return f;
}

/** Clean-up allowed at or below 20 % of senior face. */
async function activeCallable() {
  return active(2_000);
}

async function activeNoCleanUp() {
  return active();
}

/**
 * Accelerated at period 0 (50 000 of revenue: DSCR < 1); period 1 collected nothing, so the senior and the junior owe
 * a period of interest each and the trustee a fee.
 */
async function acceleratedWithArrears() {
  const f = await buildRiskDeal(ethers, networkHelpers, "none", (t) => {
    t.risk = { ...t.risk, triggers: [DSCR_DEFAULT] };
  });
  await activate(networkHelpers, f);
  await runPeriod(ethers, networkHelpers, f, 0, { revenue: 50n * K });
  await runPeriod(ethers, networkHelpers, f, 1, { revenue: 0n });
  return f;
}

/** A two-period deal after its first (healthy) period. */
async function beforeFinalPeriod() {
  const f = await buildRiskDeal(ethers, networkHelpers, "none", (t) => {
    t.periodCount = 2;
    t.tranches[0] = { ...fixedNote("Senior", 6n * M, SENIOR_RATE), reserveFundingBps: 300 };
  });
  await activate(networkHelpers, f);
  await runPeriod(ethers, networkHelpers, f, 0, { revenue: 900n * K });
  return f;
}

async function deposit(f: RiskFixture, amount: bigint) {
  await f.protocol.stablecoin.mint(f.outsider.address, amount);
  await f.protocol.stablecoin.connect(f.outsider).approve(f.dealAddress, amount);
  return f.deal.connect(f.outsider).depositRecoveries(amount);
}

describe("Recoveries of a running deal", function () {
  it("test_depositRecoveries_heldNotRepaid_theSeniorEarnsItsWholeCouponAndCannotBeCalledAtPar", async function () {
    const f = await networkHelpers.loadFixture(activeCallable);
    // One deposit in the middle of period 0, one after it ended (its report not yet final).
    await networkHelpers.time.increaseTo((await f.deal.periodEnd(0)) - 20n * DAY);
    const first = deposit(f, 1n * M);
    await expect(first)
      .to.emit(f.deal, "RecoveriesDeposited")
      .withArgs(f.outsider.address, 1n * M, 0n, 1n * M, f.dealAddress);
    await expect(first).not.to.emit(f.deal, "RecoveryApplied");
    await expect(first).to.changeTokenBalances(
      ethers,
      f.protocol.stablecoin,
      [f.outsider.address, f.dealAddress, ...f.tokenAddresses],
      [-1n * M, 1n * M, 0n, 0n, 0n],
    );
    await networkHelpers.time.increaseTo((await f.deal.periodEnd(0)) + DAY);
    await deposit(f, 5n * M);
    expect(await f.deal.recoveries()).to.equal(6n * M);
    expect((await f.deal.tranche(0)).outstanding).to.equal(6n * M);
    // The recoveries repaid nothing: the senior is still above the clean-up threshold.
    expect(await f.engine.cleanUpCallable()).to.equal(false);

    const run = await runPeriod(ethers, networkHelpers, f, 0, { revenue: 900n * K });
    const s = run.statement;
    // A full period of interest on the whole 6 M: 39 452.054794.
    expect(SENIOR_COUPON).to.equal(39_452_054_794n);
    expect([s.interestDue[0], s.interestPaid[0]]).to.deep.equal([SENIOR_COUPON, SENIOR_COUPON]);
    expect([s.interestDue[1], s.interestPaid[1]]).to.deep.equal([JUNIOR_COUPON, JUNIOR_COUPON]);
    // No principal is scheduled in period 0 and the cash paid everything due: the account stays whole.
    expect(s.principalPaid).to.deep.equal([0n, 0n]);
    expect(s.recoveriesApplied).to.equal(0n);
    expect(await f.deal.recoveries()).to.equal(6n * M);
    expect(s.outstanding).to.deep.equal([6n * M, 2n * M]);
    // The account is collateral at par in the period's metrics.
    const end = await f.deal.periodEnd(0);
    expect(s.metrics.collateralValue).to.equal((await f.engine.bookValueAt(end)) + 6n * M);
    await expect(f.deal.connect(f.r.issuer).cleanUpCall())
      .to.be.revertedWithCustomError(f.deal, "CleanUpNotAllowed")
      .withArgs(6n * M, (6n * M * 2_000n) / 10_000n);
  });

  it("test_distribute_recoveriesCoverTheSeniorShortfallBeforeTheReserveAndNeverJuniorInterest", async function () {
    const f = await networkHelpers.loadFixture(activeNoCleanUp);
    await deposit(f, 100n * K);
    // Nothing collected: the reserve above its target (30 000) is released, the keeper and the trustee are paid,
    // and 27 950 goes to the senior coupon.
    const run = await runPeriod(ethers, networkHelpers, f, 0, { revenue: 0n });
    const s = run.statement;
    const fromCash = 30n * K - BOUNTY - TRUSTEE_FEE;
    const shortfall = SENIOR_COUPON - fromCash;
    expect(s.reserveReleased).to.equal(30n * K);
    expect(s.recoveriesApplied).to.equal(shortfall);
    expect(s.interestPaid).to.deep.equal([SENIOR_COUPON, 0n]);
    // The reserve is not drawn while the recovery account can pay; the junior's coupon is not the account's to pay.
    expect(s.reserveDrawn).to.equal(0n);
    expect(s.reserveAfter).to.equal(150n * K);
    expect(s.residualPaid).to.equal(0n);
    expect((await f.deal.tranche(1)).arrears).to.equal(JUNIOR_COUPON);
    expect(await f.deal.recoveries()).to.equal(100n * K - shortfall);
  });

  it("test_distribute_recoveriesPayScheduledPrincipalOnlyWhenTheCashFallsShort", async function () {
    const f = await networkHelpers.loadFixture(activeNoCleanUp);
    for (const p of [0, 1, 2]) await runPeriod(ethers, networkHelpers, f, p, { revenue: 900n * K });
    await deposit(f, 1n * M);
    // Period 3 is the senior's first installment: ⌊6 M / 9⌋. 300 000 collected pays the fees, both coupons and part
    // of it; the recovery account pays the rest.
    const installment = (6n * M) / 9n;
    const revenue = 300n * K;
    const fromCash =
      revenue - BOUNTY - TRUSTEE_FEE - revenue / 100n - SENIOR_COUPON - JUNIOR_COUPON;
    const s3 = (await runPeriod(ethers, networkHelpers, f, 3, { revenue })).statement;
    expect(s3.principalPaid).to.deep.equal([installment, 0n]);
    expect(s3.recoveriesApplied).to.equal(installment - fromCash);
    expect(s3.residualPaid).to.equal(0n);
    expect(await f.deal.recoveries()).to.equal(1n * M - (installment - fromCash));
    // A period whose cash pays everything due leaves the account whole, and equity gets only what the cash leaves.
    const held = await f.deal.recoveries();
    const s4 = (await runPeriod(ethers, networkHelpers, f, 4, { revenue: 900n * K })).statement;
    // The second installment takes the rounding: ⌊2 × 6 M / 9⌋ − ⌊6 M / 9⌋.
    const second = (2n * 6n * M) / 9n - installment;
    expect(s4.recoveriesApplied).to.equal(0n);
    expect(s4.principalPaid[0]).to.equal(second);
    expect(await f.deal.recoveries()).to.equal(held);
    expect(s4.residualPaid).to.equal(
      s4.cashIn -
        s4.keeperBountyPaid -
        s4.trusteeFeePaid -
        s4.servicerFeePaid -
        seniorCouponAt(4n) -
        JUNIOR_COUPON -
        second,
    );
  });

  it("test_distribute_accelerated_recoveriesPaySeniorInterestWithArrearsBeforeAnyJuniorPrincipal", async function () {
    const f = await networkHelpers.loadFixture(acceleratedWithArrears);
    expect(await f.deal.status()).to.equal(BigInt(DealStatus.Accelerated));
    const senior = await f.deal.tranche(0);
    const junior = await f.deal.tranche(1);
    expect(senior.arrears).to.equal(periodInterestDown(senior.outstanding, SENIOR_RATE, PERIOD));
    const [trusteeArrears] = await f.deal.feeArrears();
    expect(trusteeArrears).to.equal(TRUSTEE_FEE);

    // Recoveries worth more than the senior note: held until period 2, then its paydown in the accelerated order.
    const recovered = 7n * M;
    await deposit(f, recovered);
    expect((await f.deal.tranche(0)).outstanding).to.equal(senior.outstanding);
    const s = (await runPeriod(ethers, networkHelpers, f, 2, { revenue: 0n })).statement;
    expect(s.cashIn).to.equal(0n);
    expect(s.recoveriesApplied).to.equal(recovered);
    const seniorDue = periodInterestDown(senior.outstanding, SENIOR_RATE, PERIOD) + senior.arrears;
    expect([s.interestDue[0], s.interestPaid[0]]).to.deep.equal([seniorDue, seniorDue]);
    expect(s.trusteeFeePaid).to.equal(2n * TRUSTEE_FEE);
    expect(s.principalPaid[0]).to.equal(senior.outstanding);
    // Junior principal only after the senior's interest, arrears included, and its whole principal.
    const rest = recovered - BOUNTY - 2n * TRUSTEE_FEE - seniorDue - senior.outstanding;
    expect(s.principalPaid[1]).to.equal(rest < junior.outstanding ? rest : junior.outstanding);
    expect(s.interestPaid[1]).to.equal(0n);
    expect(await f.deal.recoveries()).to.equal(0n);
  });

  it("test_distribute_noPrincipalOutstanding_recoveriesJoinTheCashAndPayJuniorArrearsBeforeEquity", async function () {
    const f = await networkHelpers.loadFixture(acceleratedWithArrears);
    // Enough to repay every note and its arrears at period 2.
    await deposit(f, 10n * M);
    const s2 = (await runPeriod(ethers, networkHelpers, f, 2, { revenue: 0n })).statement;
    expect(s2.outstanding).to.deep.equal([0n, 0n]);
    expect(s2.interestPaid[1]).to.equal(s2.interestDue[1]);
    expect(s2.residualPaid > 0n).to.equal(true);
    // With no principal outstanding the deal runs Active and its recovery account goes out with the period's cash.
    await deposit(f, 50n * K);
    const s3 = (await runPeriod(ethers, networkHelpers, f, 3, { revenue: 0n })).statement;
    expect(s3.mode).to.equal(DealStatus.Active);
    expect(s3.recoveriesApplied).to.equal(50n * K);
    expect(s3.residualPaid).to.equal(50n * K - BOUNTY - TRUSTEE_FEE);
    expect(await f.deal.recoveries()).to.equal(0n);
  });

  it("test_distribute_surplusCashRepaysWrittenDownPrincipal_RecoveryApplied", async function () {
    const f = await networkHelpers.loadFixture(acceleratedWithArrears);
    // Nothing is held: the trustee writes 1.5 M off (equity first, then the junior note).
    await f.deal.connect(f.r.trustee).writeDown(1_500n * K);
    expect((await f.deal.tranche(1)).writtenDown).to.equal(1_500n * K);
    // 7 M collected: fees, the senior's interest and principal, the junior's 500 000 and its interest, then the
    // written-down junior principal from what is left.
    const run = await runPeriod(ethers, networkHelpers, f, 2, { revenue: 7n * M });
    const s = run.statement;
    expect(s.outstanding).to.deep.equal([0n, 0n]);
    expect(s.interestPaid[1]).to.equal(s.interestDue[1]);
    const recovered = s.principalPaid[1] - 500n * K;
    expect(recovered > 0n && recovered < 1_500n * K).to.equal(true);
    await expect(run.receipt)
      .to.emit(f.deal, "RecoveryApplied")
      .withArgs(1n, 0n, recovered, 0n, 0n, 1_500n * K - recovered);
    expect((await f.deal.tranche(1)).writtenDown).to.equal(1_500n * K - recovered);
    expect(s.residualPaid).to.equal(0n);
  });

  it("test_distribute_finalPeriod_recoveriesJoinTheCashInTheWholeOrder", async function () {
    const f = await networkHelpers.loadFixture(beforeFinalPeriod);
    await deposit(f, 9n * M);
    const s = (await runPeriod(ethers, networkHelpers, f, 1, { revenue: 0n })).statement;
    // Final period: nothing collected; the reserve (150 000) and the whole recovery account are released.
    expect(s.cashIn).to.equal(0n);
    expect(s.recoveriesApplied).to.equal(9n * M);
    expect(s.reserveReleased).to.equal(150n * K);
    expect(s.interestPaid).to.deep.equal([SENIOR_COUPON, JUNIOR_COUPON]);
    expect(s.principalPaid).to.deep.equal([6n * M, 2n * M]);
    expect(s.residualPaid).to.equal(
      9n * M + 150n * K - BOUNTY - TRUSTEE_FEE - SENIOR_COUPON - JUNIOR_COUPON - 8n * M,
    );
    expect(await f.deal.status()).to.equal(BigInt(DealStatus.Repaid));
    expect(await f.deal.recoveries()).to.equal(0n);
  });
});

/** The senior's coupon in period `p` of the straight-line schedule (installments from period 3 over 9). */
function seniorCouponAt(p: bigint): bigint {
  const paid = p <= 3n ? 0n : p - 3n;
  const outstanding = 6n * M - (6n * M * paid) / 9n;
  return periodInterestDown(outstanding, SENIOR_RATE, PERIOD);
}
