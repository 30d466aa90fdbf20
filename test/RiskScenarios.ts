import { expect } from "chai";
import { network } from "hardhat";

import { indexImpliedDown, ltvUp, straightLineDown } from "../sdk/models/collateral.js";
import { DealStatus, PERIOD, USDC, WAD } from "./helpers/fixtures.js";
import {
  INDEX_AT_ACQUISITION,
  K,
  M,
  RiskMetric,
  TriggerComparison,
  TriggerEffect,
  YEAR,
  activate,
  buildRiskDeal,
  periodInterestDown,
  runPeriod,
  standardFleet,
  trigger,
  QUIET_TRIGGERS,
  type PeriodRun,
  type RiskFixture,
} from "./helpers/risk-fixtures.js";
import { COVERAGE } from "./helpers/coverage.js";

const { ethers, networkHelpers } = await network.create();

const SENIOR_RATE = (8n * WAD) / 100n;
const JUNIOR_RATE = (12n * WAD) / 100n;
const DSCR_TRAP = trigger(
  RiskMetric.Dscr,
  TriggerComparison.Below,
  (12n * WAD) / 10n,
  TriggerEffect.CashTrap,
  1,
  true,
);
/** Event of default after two consecutive periods with DSCR below 1.0. */
const DSCR_DEFAULT = trigger(
  RiskMetric.Dscr,
  TriggerComparison.Below,
  WAD,
  TriggerEffect.Accelerate,
  2,
  false,
);

const fees = (cash: bigint) => 50n * USDC + 2_000n * USDC + cash / 100n;

/** Every period's cash went where its statement says; the totals of the run, by payee. */
function totals(runs: PeriodRun[]) {
  return {
    toSenior: runs.reduce((a, r) => a + r.toTokens[0], 0n),
    toJunior: runs.reduce((a, r) => a + r.toTokens[1], 0n),
    toEquity: runs.reduce((a, r) => a + r.toTokens[2], 0n),
  };
}

async function expectNoteState(
  f: RiskFixture,
  i: number,
  outstanding: bigint,
  arrears: bigint,
  writtenDown: bigint,
) {
  const t = await f.deal.tranche(i);
  expect([t.outstanding, t.arrears, t.writtenDown], `note ${i}`).to.deep.equal([
    outstanding,
    arrears,
    writtenDown,
  ]);
}

describe("Risk scenarios", function () {
  describe("(a) rental prices fall 40 % a year", function () {
    /**
     * One fleet line, 256 H100 bought at 30 000 at the deal start (straight line to 3 000 over 5 years), marked to a
     * GpuPriceIndexFeed published at $2.00 × 0.6^(years since purchase). Senior curve trigger: senior principal
     * above 87 % of the collateral value accelerates the deal. Revenue follows the index from 900 000 a period.
     */
    async function fallingIndexDeal() {
      const f = await buildRiskDeal(ethers, networkHelpers, "index", (t) => {
        t.risk = {
          ...t.risk,
          fleet: [standardFleet(t.start, true)[0]],
          triggers: [
            trigger(
              RiskMetric.SeniorCurve,
              TriggerComparison.Above,
              (87n * WAD) / 100n,
              TriggerEffect.Accelerate,
            ),
          ],
        };
      });
      await activate(networkHelpers, f);
      return f;
    }

    it("test_scenario_fallingRentalIndexTripsTheSeniorCurveBeforeAnySeniorLoss", async function () {
      const f = await networkHelpers.loadFixture(fallingIndexDeal);
      const entry = f.terms.risk.fleet[0];
      const cost = entry.unitCost * 256n;
      const residual = entry.unitResidual * 256n;
      const runs: PeriodRun[] = [];
      let firedAt = -1;
      let seniorRepaidAt = -1;
      for (let p = 0; p < 12; p++) {
        const end = await f.deal.periodEnd(p);
        const years = Number(end - entry.acquiredAt) / Number(YEAR);
        const index = BigInt(Math.round(Number(INDEX_AT_ACQUISITION) * Math.pow(0.6, years)));
        const revenue = (900n * K * index) / INDEX_AT_ACQUISITION;
        const seniorBefore = (await f.deal.tranche(0)).outstanding;
        const run = await runPeriod(ethers, networkHelpers, f, p, { revenue, index });
        runs.push(run);
        // The fleet is worth the lower of its book value and its index-implied value at the period end.
        const book = straightLineDown(
          cost,
          residual,
          BigInt(entry.usefulLife),
          end - entry.acquiredAt,
        );
        const implied = indexImpliedDown(cost, INDEX_AT_ACQUISITION, index);
        const value = implied < book ? implied : book;
        expect(run.statement.metrics.collateralValue, `value, period ${p}`).to.equal(value);
        expect(run.statement.metrics.seniorCurve, `senior curve, period ${p}`).to.equal(
          ltvUp(seniorBefore, value),
        );
        if (run.fired.length !== 0) {
          expect(firedAt, "fires once").to.equal(-1);
          firedAt = p;
          expect(run.fired).to.deep.equal([[0n, run.statement.metrics.seniorCurve]]);
          // No senior loss when it fires: the senior is whole and nothing was written off.
          await expectNoteState(f, 0, seniorBefore - run.statement.principalPaid[0], 0n, 0n);
          expect(seniorBefore).to.equal(6n * M);
        }
        if (p < 11) expect((await f.deal.tranche(0)).writtenDown).to.equal(0n);
        if (seniorRepaidAt === -1 && (await f.deal.tranche(0)).outstanding === 0n)
          seniorRepaidAt = p;
      }
      // The index fell 40 % a year: the curve crossed 87 % at period 2, before the first scheduled installment.
      expect(firedAt).to.equal(2);
      expect(runs.slice(0, 2).map((r) => r.statement.mode)).to.deep.equal([
        DealStatus.Active,
        DealStatus.Active,
      ]);
      expect(runs.slice(2).every((r) => r.statement.mode === DealStatus.Accelerated)).to.equal(
        true,
      );
      // From then on every unit after fees and senior interest repaid the senior; the junior's coupons waited.
      for (const r of runs.slice(2, 8)) {
        expect(r.statement.residualPaid).to.equal(0n);
        expect(r.statement.interestPaid[1]).to.equal(0n);
        expect(r.statement.principalPaid[1]).to.equal(0n);
      }
      // The senior was repaid in full and never written down; the loss fell on the junior.
      await expectNoteState(f, 0, 0n, 0n, 0n);
      expect(totals(runs).toSenior).to.equal(
        6n * M + runs.reduce((a, r) => a + r.statement.interestPaid[0], 0n),
      );
      // Repaid in full by the final period, whose cash then started on the junior's principal.
      expect(seniorRepaidAt).to.equal(11);
      expect(runs[11].statement.principalPaid[1]).to.be.greaterThan(0n);
      expect(runs.slice(0, 11).every((r) => r.statement.principalPaid[1] === 0n)).to.equal(true);
      expect(await f.deal.status()).to.equal(BigInt(DealStatus.Defaulted));
      expect((await f.deal.tranche(1)).writtenDown).to.be.greaterThan(0n);
      // Only the fees credited to the trustee and the servicer stay, until they withdraw them.
      expect(await f.protocol.stablecoin.balanceOf(f.dealAddress)).to.equal(
        (await f.deal.feesOwed()).reduce((a, b) => a + b, 0n),
      );
    });
  });

  describe("(b)–(d) utilization collapse, default, paydown and recoveries", function () {
    async function dscrDeal() {
      const f = await buildRiskDeal(ethers, networkHelpers, "none", (t) => {
        t.risk = { ...t.risk, triggers: [DSCR_TRAP, DSCR_DEFAULT] };
      });
      await activate(networkHelpers, f);
      const runs: PeriodRun[] = [];
      for (let p = 0; p < 3; p++)
        runs.push(await runPeriod(ethers, networkHelpers, f, p, { revenue: 900n * K }));
      return { ...f, runs };
    }

    it("test_scenario_collapseTrapsCashThenDefaultsThenPaysDownByRankThenRecoveriesPaySeniorFirst", async function () {
      const f = await networkHelpers.loadFixture(dscrDeal);
      const runs = [...f.runs];
      expect(runs.map((r) => r.statement.mode)).to.deep.equal([1, 1, 1]);
      const principal = (6n * M) / 9n;

      // Period 3: utilization slips (revenue 830 000): DSCR ≈ 1.13 < 1.2 → cash trap. Everything due is paid and
      // the excess is trapped in the reserve; nothing goes to equity.
      let run = await runPeriod(ethers, networkHelpers, f, 3, {
        revenue: 830n * K,
        billed: 600_000n,
      });
      runs.push(run);
      const ds3 =
        periodInterestDown(6n * M, SENIOR_RATE, PERIOD) +
        periodInterestDown(2n * M, JUNIOR_RATE, PERIOD) +
        principal;
      const cads3 = 830n * K - fees(830n * K);
      expect(run.statement.metrics.dscr).to.equal((cads3 * WAD) / ds3);
      expect(run.fired).to.deep.equal([[0n, run.statement.metrics.dscr]]);
      expect(run.statement.mode).to.equal(DealStatus.CashTrap);
      expect(await f.deal.status()).to.equal(BigInt(DealStatus.CashTrap));
      expect(run.statement.principalPaid).to.deep.equal([principal, 0n]);
      expect(run.statement.reserveTrapped).to.equal(cads3 - ds3);
      expect(run.statement.residualPaid).to.equal(0n);
      expect(run.statement.reserveAfter).to.equal(150n * K + cads3 - ds3);

      // Periods 4–5: utilization collapses (40 %, then 35 %): DSCR < 1 twice → event of default at period 5.
      run = await runPeriod(ethers, networkHelpers, f, 4, { revenue: 480n * K, billed: 400_000n });
      runs.push(run);
      expect(run.statement.metrics.dscr).to.be.lessThan(WAD);
      expect(run.fired).to.deep.equal([]);
      expect(run.statement.mode).to.equal(DealStatus.CashTrap);
      // The trapped reserve is kept (above target) and draws nothing while senior interest is paid.
      expect(run.statement.reserveReleased).to.equal(0n);
      expect(run.statement.residualPaid).to.equal(0n);
      run = await runPeriod(ethers, networkHelpers, f, 5, { revenue: 420n * K, billed: 350_000n });
      runs.push(run);
      expect(run.fired).to.deep.equal([[1n, run.statement.metrics.dscr]]);
      expect(run.statement.mode).to.equal(DealStatus.Accelerated);
      expect(await f.deal.status()).to.equal(BigInt(DealStatus.Accelerated));
      const reserveBefore = runs[4].statement.reserveAfter;
      expect(run.statement.reserveReleased).to.equal(reserveBefore);
      expect(run.statement.reserveAfter).to.equal(0n);

      // Accelerated paydown (periods 5–10): after fees and senior interest, all cash repays the senior; the junior's
      // coupon is deferred as arrears; nothing to equity.
      for (let p = 6; p < 11; p++)
        runs.push(
          await runPeriod(ethers, networkHelpers, f, p, { revenue: 420n * K, billed: 350_000n }),
        );
      let juniorArrears = (await f.deal.tranche(1)).arrears;
      for (const r of runs.slice(5)) {
        const s = r.statement;
        expect(s.mode).to.equal(DealStatus.Accelerated);
        expect(s.residualPaid).to.equal(0n);
        expect(s.interestPaid[1]).to.equal(0n);
        expect(s.principalPaid[1]).to.equal(0n);
        expect(s.principalPaid[0]).to.equal(
          s.cashIn +
            s.reserveReleased -
            s.keeperBountyPaid -
            s.trusteeFeePaid -
            s.servicerFeePaid -
            s.interestPaid[0],
        );
      }
      const junior = periodInterestDown(2n * M, JUNIOR_RATE, PERIOD);
      // Deferred at periods 4 (partly, as the cash ran out) and 5–10 in full.
      expect(juniorArrears).to.equal(junior * 7n - runs[4].statement.interestPaid[1]);
      expect((await f.deal.tranche(1)).outstanding).to.equal(2n * M);

      // Period 11 (maturity): still short. The rest of the senior and the whole junior are written off, equity first.
      run = await runPeriod(ethers, networkHelpers, f, 11, { revenue: 420n * K, billed: 350_000n });
      runs.push(run);
      expect(await f.deal.status()).to.equal(BigInt(DealStatus.Defaulted));
      const seniorPaid = runs.reduce((a, r) => a + r.statement.principalPaid[0], 0n);
      const seniorLoss = 6n * M - seniorPaid;
      expect(seniorLoss).to.be.greaterThan(0n);
      await expectNoteState(f, 0, 0n, 0n, seniorLoss);
      juniorArrears = junior * 8n - runs[4].statement.interestPaid[1];
      await expectNoteState(f, 1, 0n, juniorArrears, 2n * M);
      expect((await f.deal.tranche(2)).writtenDown).to.equal(1n * M);
      // Nothing reached equity after the trap began.
      expect(totals(runs.slice(3)).toEquity).to.equal(0n);

      // (d) Recoveries after default: the senior's written-down principal first, then the junior's, then its arrears.
      const coin = f.protocol.stablecoin;
      await coin.mint(f.outsider.address, 20n * M);
      await coin.connect(f.outsider).approve(f.dealAddress, ethers.MaxUint256);
      const first = seniorLoss - 1n;
      await expect(f.deal.connect(f.outsider).depositRecoveries(first)).to.changeTokenBalances(
        ethers,
        coin,
        f.tokenAddresses,
        [first, 0n, 0n],
      );
      await expectNoteState(f, 0, 0n, 0n, 1n);
      const second = 1n + 2n * M + juniorArrears + 5n * K;
      const tx = f.deal.connect(f.outsider).depositRecoveries(second);
      await expect(tx).to.emit(f.deal, "RecoveryApplied").withArgs(0n, 0n, 1n, 0n, 0n, 0n);
      await expect(tx)
        .to.emit(f.deal, "RecoveryApplied")
        .withArgs(1n, 0n, 2n * M, juniorArrears, 0n, 0n);
      await expect(tx)
        .to.emit(f.deal, "RecoveriesDeposited")
        .withArgs(f.outsider.address, second, second - 5n * K, 5n * K, f.tokenAddresses[2]);
      await expect(tx).to.changeTokenBalances(ethers, coin, f.tokenAddresses, [
        1n,
        2n * M + juniorArrears,
        5n * K,
      ]);
      // Only the fees credited to the trustee and the servicer stay, until they withdraw them.
      expect(await coin.balanceOf(f.dealAddress)).to.equal(
        (await f.deal.feesOwed()).reduce((a, b) => a + b, 0n),
      );
    });

    it("test_scenario_curedDscrReleasesTheTrappedCashToEquity", async function () {
      const f = await networkHelpers.loadFixture(dscrDeal);
      const trap = await runPeriod(ethers, networkHelpers, f, 3, {
        revenue: 830n * K,
        billed: 600_000n,
      });
      const trapped = trap.statement.reserveTrapped;
      expect(trapped).to.be.greaterThan(0n);
      expect(await f.deal.reserve()).to.deep.equal([150n * K + trapped, 150n * K]);

      // Period 4: 900 000: DSCR ≈ 1.23 → the trap cures; the deal is Active and the reserve above target is
      // released into the waterfall, whose residual goes to equity.
      const run = await runPeriod(ethers, networkHelpers, f, 4, { revenue: 900n * K });
      // Straight-line targets: face − ⌊face·k/9⌋ after k installments.
      const senior = 6n * M - (6n * M) / 9n;
      const installment = senior - (6n * M - (12n * M) / 9n);
      const ds =
        periodInterestDown(senior, SENIOR_RATE, PERIOD) +
        periodInterestDown(2n * M, JUNIOR_RATE, PERIOD) +
        installment;
      const cads = 900n * K - fees(900n * K);
      expect(run.statement.metrics.dscr).to.equal((cads * WAD) / ds);
      expect(run.cured).to.deep.equal([[0n, run.statement.metrics.dscr]]);
      expect(run.statement.mode).to.equal(DealStatus.Active);
      expect(await f.deal.status()).to.equal(BigInt(DealStatus.Active));
      expect(run.statement.reserveReleased).to.equal(trapped);
      expect(run.statement.reserveAfter).to.equal(150n * K);
      expect(run.statement.residualPaid).to.equal(cads - ds + trapped);
      expect(run.toTokens[2]).to.equal(cads - ds + trapped);
    });
  });

  describe("gas", function () {
    async function gasDeals() {
      const full = await buildRiskDeal(ethers, networkHelpers, "index", (t) => {
        t.risk = { ...t.risk, triggers: QUIET_TRIGGERS };
      });
      await activate(networkHelpers, full);
      const bare = await buildRiskDeal(ethers, networkHelpers, "none", (t) => {
        t.risk = { ...t.risk, triggers: [], fleet: [] };
      });
      await activate(networkHelpers, bare);
      return { full, bare };
    }

    it("test_distribute_gas_eightTriggersAndAFourLineFleetVsNone", async function () {
      // Coverage instruments the contracts, which inflates gas: the budgets hold for the real build only.
      if (COVERAGE) this.skip();
      const { full, bare } = await networkHelpers.loadFixture(gasDeals);
      const gas: bigint[][] = [[], []];
      for (let p = 0; p < 4; p++) {
        const a = await runPeriod(ethers, networkHelpers, full, p, {
          revenue: 900n * K,
          index: 190_000_000n,
        });
        const b = await runPeriod(ethers, networkHelpers, bare, p, { revenue: 900n * K });
        expect(a.statement.metrics.breachedMask).to.equal(0n);
        // The same waterfall either way.
        expect(a.toTokens).to.deep.equal(b.toTokens);
        gas[0].push(a.receipt.gasUsed);
        gas[1].push(b.receipt.gasUsed);
      }
      console.log(
        `        distribute gas, 8 triggers + 4-line fleet + index: ${gas[0].join(", ")}`,
      );
      console.log(`        distribute gas, no triggers, no fleet:            ${gas[1].join(", ")}`);
      for (let p = 0; p < 4; p++) {
        expect(gas[0][p]).to.be.lessThan(700_000n);
        expect(gas[1][p]).to.be.lessThan(500_000n);
        // Eight triggers, four fleet lines and an index read cost less than 200 000 more.
        expect(gas[0][p] - gas[1][p]).to.be.lessThan(200_000n);
      }
    });

    it("test_voteWaiver_gas", async function () {
      const f = await buildRiskDeal(ethers, networkHelpers, "none", (t) => {
        t.risk = { ...t.risk, triggers: [{ ...DSCR_DEFAULT, periods: 1 }] };
      });
      await activate(networkHelpers, f);
      await runPeriod(ethers, networkHelpers, f, 0, { revenue: 50n * K });
      await f.engine.connect(f.r.issuer).proposeWaiver();
      const receipt = (await (await f.engine.connect(f.r.investors[0]).voteWaiver(true)).wait())!;
      console.log(`        voteWaiver gas: ${receipt.gasUsed}`);
      expect(receipt.gasUsed).to.be.lessThan(120_000n);
      const exec = (await (await f.engine.executeWaiver()).wait())!;
      console.log(`        executeWaiver gas: ${exec.gasUsed}`);
      expect(exec.gasUsed).to.be.lessThan(150_000n);
    });
  });
});
