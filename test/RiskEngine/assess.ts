import { expect } from "chai";

import { coverageDown, ltvUp } from "../../sdk/models/collateral.js";
import { DealStatus, PERIOD, USDC, WAD } from "../helpers/fixtures.js";
import {
  K,
  M,
  MAX_UINT256,
  RiskMetric,
  TriggerComparison,
  TriggerEffect,
  activate,
  buildRiskDeal,
  countOf,
  periodInterestDown,
  runPeriod,
  statementOf,
  trigger,
  QUIET_TRIGGERS,
} from "../helpers/risk-fixtures.js";
import {
  ethers,
  networkHelpers,
  SENIOR_RATE,
  JUNIOR_RATE,
  activeMockFeed,
  sdkFleetValue,
} from "../helpers/risk-engine-fixtures.js";

describe("RiskEngine", function () {
  describe("riskSnapshot", function () {
    it("test_riskSnapshot_returnsTheWholeRiskStateInOneCall", async function () {
      const f = await networkHelpers.loadFixture(activeMockFeed);
      const run = await runPeriod(ethers, networkHelpers, f, 0, { revenue: 900n * K });
      // Every view read at the same block, so depreciation and the index agree to the second.
      const at = { blockTag: await ethers.provider.getBlockNumber() };
      const e = f.engine;
      const s = await e.riskSnapshot(at);

      expect(s.config).to.deep.equal(await e.config(at));
      expect(s.config.deal).to.equal(f.dealAddress);
      expect(s.config.priceFeed).to.equal(await f.mock!.getAddress());
      expect(s.config.trailingPeriods).to.equal(BigInt(f.terms.risk.trailingPeriods));
      expect(s.config.waiverVotingPeriod).to.equal(BigInt(f.terms.risk.waiverVotingPeriod));
      expect(s.status).to.equal(await f.deal.status(at));

      const notes = [await f.deal.tranche(0, at), await f.deal.tranche(1, at)];
      const outstanding = notes[0].outstanding + notes[1].outstanding;
      expect(s.notesOutstanding).to.equal(outstanding);
      expect(s.seniorOutstanding).to.equal(notes[0].outstanding);
      expect(s.seniorFace).to.equal(notes[0].issued);

      expect(s.collateralValue).to.equal(await e.collateralValue(at));
      expect(s.collateralValue).to.be.greaterThan(0n);
      const block = await ethers.provider.getBlock(at.blockTag);
      expect(s.bookValue).to.equal(await e.bookValueAt(BigInt(block!.timestamp), at));
      expect(s.collateralValue <= s.bookValue).to.equal(true);
      expect([s.priceIndex, s.priceIndexLive]).to.deep.equal(await e.priceIndex(at));
      expect(s.ltv).to.equal(ltvUp(outstanding, s.collateralValue));
      expect(s.ltv).to.equal(await e.ltv(at));
      expect(s.seniorCurve).to.equal(ltvUp(notes[0].outstanding, s.collateralValue));

      const [reserve, target] = await f.deal.reserve(at);
      expect([s.reserve, s.reserveTarget]).to.deep.equal([reserve, target]);
      expect(s.reserveLevel).to.equal(coverageDown(reserve, target));
      expect(s.cleanUpCallable).to.equal(await e.cleanUpCallable(at));
      // The metrics of the last assessed period are in its statement, the deal's last PeriodDistributed event.
      const distributed = await f.deal.queryFilter(
        f.deal.filters.PeriodDistributed(),
        0,
        at.blockTag,
      );
      expect(distributed.length).to.equal(1);
      expect(distributed[0].args.period).to.equal(0n);
      expect(statementOf(distributed[0].args.statement)).to.deep.equal(run.statement);
      expect(s.triggers).to.deep.equal(await e.triggers(at));
      expect(s.triggers.length).to.equal(f.terms.risk.triggers.length);
      expect(s.triggerStates).to.deep.equal(await e.triggerStates(at));
      expect(s.fleetEntries).to.equal(await e.fleetEntryCount(at));
      expect(s.fleetEntries).to.equal(BigInt(f.terms.risk.fleet.length));
      expect(s.ballot).to.deep.equal(await e.ballot(at));
    });
  });

  describe("metrics and triggers", function () {
    async function quietDeal() {
      const f = await buildRiskDeal(ethers, networkHelpers, "none", (t) => {
        t.risk = { ...t.risk, triggers: QUIET_TRIGGERS };
      });
      await activate(networkHelpers, f);
      return f;
    }

    it("test_assess_everyMetricOfAPeriodComputedIndependently", async function () {
      const f = await networkHelpers.loadFixture(quietDeal);
      const fees = (cash: bigint) => 50n * USDC + 2_000n * USDC + cash / 100n;
      const intS = periodInterestDown(6n * M, SENIOR_RATE, PERIOD);
      const intJ = periodInterestDown(2n * M, JUNIOR_RATE, PERIOD);
      const cadsOf: bigint[] = [];
      const dsOf: bigint[] = [];
      // Periods 0–2: interest only, every fee and coupon paid, the rest to equity.
      for (const [p, revenue] of [900n * K, 850n * K, 880n * K].entries()) {
        const run = await runPeriod(ethers, networkHelpers, f, p, { revenue });
        cadsOf.push(revenue - fees(revenue));
        dsOf.push(intS + intJ);
        expect(run.statement.metrics.cashAvailableForDebtService).to.equal(cadsOf[p]);
        expect(run.statement.metrics.debtService).to.equal(dsOf[p]);
        expect(run.statement.metrics.reserveLevel).to.equal(
          coverageDown(p === 0 ? 180n * K : 150n * K, 150n * K),
        );
      }
      // Period 3: the first senior installment; the servicer deposits 50 000 less than the pledged revenue.
      const revenue = 1n * M;
      const cash = 950n * K;
      const billed = 640_000n;
      const available = 1_000_000n;
      const run = await runPeriod(ethers, networkHelpers, f, 3, {
        revenue,
        deposit: cash,
        billed,
        available,
      });
      const principal = (6n * M) / 9n;
      const feesDue = fees(cash);
      const cads = cash - feesDue;
      const ds = intS + intJ + principal;
      cadsOf.push(cads);
      dsOf.push(ds);
      const value = sdkFleetValue(f.terms.risk.fleet, await f.deal.periodEnd(3));
      const m = run.statement.metrics;
      expect(m).to.deep.equal({
        cashAvailableForDebtService: cads,
        debtService: ds,
        dscr: (cads * WAD) / ds,
        // The trailing window is periods 1–3.
        trailingDscr: ((cadsOf[1] + cadsOf[2] + cadsOf[3]) * WAD) / (dsOf[1] + dsOf[2] + dsOf[3]),
        utilization: (billed * WAD) / available,
        collateralValue: value,
        notesOutstanding: 8n * M,
        ltv: ltvUp(8n * M, value),
        seniorCurve: ltvUp(6n * M, value),
        reserveLevel: WAD,
        servicerShortfall: revenue - cash,
        // (fees + debt service) / (available hours × revenue per billed hour), rounded up.
        breakEvenUtilization:
          ((feesDue + ds) * billed * WAD + available * revenue - 1n) / (available * revenue),
        overcollateralization: [(value * WAD) / (6n * M), (value * WAD) / (8n * M)],
        interestCoverage: [(cads * WAD) / intS, (cads * WAD) / (intS + intJ)],
        breachedMask: 0n,
        activeMask: 0n,
      });
      // Each trigger saw its metric (the shortfall as a fraction of the pledged revenue, rounded up).
      expect(run.triggerValues).to.deep.equal([
        m.dscr,
        m.trailingDscr,
        m.utilization,
        m.ltv,
        m.seniorCurve,
        m.reserveLevel,
        ((revenue - cash) * WAD + revenue - 1n) / revenue,
        0n,
      ]);
      expect(run.counts).to.equal(0n);
      expect(run.statement.mode).to.equal(DealStatus.Active);
      // Cash after fees, interest and the installment goes to equity.
      expect(run.statement.principalPaid).to.deep.equal([principal, 0n]);
      expect(run.statement.residualPaid).to.equal(cads - ds);
      // The deal's last PeriodDistributed statement, read back from the chain, records the period's metrics and mode.
      const distributed = await f.deal.queryFilter(f.deal.filters.PeriodDistributed());
      expect(distributed.map((x) => x.args.period)).to.deep.equal([0n, 1n, 2n, 3n]);
      const last = statementOf(distributed[3].args.statement);
      expect(last).to.deep.equal(run.statement);
      expect([
        last.period,
        last.metrics.dscr,
        last.metrics.trailingDscr,
        last.metrics.utilization,
        last.metrics.ltv,
      ]).to.deep.equal([3n, m.dscr, m.trailingDscr, m.utilization, m.ltv]);
      expect([
        last.metrics.seniorCurve,
        last.metrics.breakEvenUtilization,
        last.metrics.collateralValue,
        last.metrics.servicerShortfall,
        last.mode,
      ]).to.deep.equal([
        m.seniorCurve,
        m.breakEvenUtilization,
        value,
        revenue - cash,
        DealStatus.Active,
      ]);
    });

    it("test_assess_unreportedPeriodTripsTheMissedReportTrigger", async function () {
      const f = await networkHelpers.loadFixture(quietDeal);
      const run = await runPeriod(ethers, networkHelpers, f, 0, {
        revenue: 0n,
        deposit: 900n * K,
        unreported: true,
      });
      expect(run.triggerValues[7]).to.equal(WAD);
      expect(run.triggerValues[2]).to.equal(0n);
      expect(run.statement.metrics.servicerShortfall).to.equal(0n);
      expect(run.statement.metrics.breakEvenUtilization).to.equal(MAX_UINT256);
      // Utilization reads zero without a report, so the utilization trigger fires with the missed-report one.
      expect(run.fired).to.deep.equal([
        [2n, 0n],
        [7n, WAD],
      ]);
      expect(run.statement.metrics.breachedMask).to.equal((1n << 2n) | (1n << 7n));
      expect(run.statement.mode).to.equal(DealStatus.Accelerated);
      expect(await f.deal.status()).to.equal(BigInt(DealStatus.Accelerated));
    });

    async function utilizationDeal() {
      const f = await buildRiskDeal(ethers, networkHelpers, "none", (t) => {
        t.risk = {
          ...t.risk,
          triggers: [
            trigger(
              RiskMetric.Utilization,
              TriggerComparison.Below,
              (60n * WAD) / 100n,
              TriggerEffect.CashTrap,
              2,
              true,
            ),
            trigger(
              RiskMetric.Utilization,
              TriggerComparison.Below,
              (50n * WAD) / 100n,
              TriggerEffect.CashTrap,
              1,
              false,
            ),
          ],
        };
      });
      await activate(networkHelpers, f);
      return f;
    }

    it("test_triggers_countConsecutiveBreachesFireCureAndLatch", async function () {
      const f = await networkHelpers.loadFixture(utilizationDeal);
      const U = (billed: bigint) => (billed * WAD) / 1_000_000n;
      // Period 0: 55 %: trigger 0 breached once (needs two), trigger 1 not breached.
      let run = await runPeriod(ethers, networkHelpers, f, 0, {
        revenue: 900n * K,
        billed: 550_000n,
      });
      expect([countOf(run.counts, 0), countOf(run.counts, 1)]).to.deep.equal([1n, 0n]);
      expect(run.statement.metrics.breachedMask).to.equal(1n);
      expect(run.statement.metrics.activeMask).to.equal(0n);
      expect(run.fired).to.deep.equal([]);
      expect(run.statement.mode).to.equal(DealStatus.Active);
      // Period 1: 45 %: both fire; the deal traps cash (nothing to equity, the excess into the reserve).
      run = await runPeriod(ethers, networkHelpers, f, 1, { revenue: 900n * K, billed: 450_000n });
      expect([countOf(run.counts, 0), countOf(run.counts, 1)]).to.deep.equal([2n, 1n]);
      expect(run.fired).to.deep.equal([
        [0n, U(450_000n)],
        [1n, U(450_000n)],
      ]);
      expect(run.statement.metrics.activeMask).to.equal(3n);
      expect(run.statement.mode).to.equal(DealStatus.CashTrap);
      expect(await f.deal.status()).to.equal(BigInt(DealStatus.CashTrap));
      expect(run.statement.residualPaid).to.equal(0n);
      expect(run.statement.reserveReleased).to.equal(0n);
      expect(run.statement.reserveTrapped).to.be.greaterThan(0n);
      expect(run.statement.reserveAfter).to.equal(150n * K + run.statement.reserveTrapped);
      // Period 2: 70 %: trigger 0 cures, trigger 1 latches; counts reset.
      run = await runPeriod(ethers, networkHelpers, f, 2, { revenue: 900n * K, billed: 700_000n });
      expect(run.counts).to.equal(0n);
      expect(run.cured).to.deep.equal([[0n, U(700_000n)]]);
      expect(run.fired).to.deep.equal([]);
      expect(run.statement.metrics.breachedMask).to.equal(0n);
      expect(run.statement.metrics.activeMask).to.equal(2n);
      expect(run.statement.mode).to.equal(DealStatus.CashTrap);
      expect((await f.engine.triggerStates()).map((x) => [x.consecutive, x.active])).to.deep.equal([
        [0n, false],
        [0n, true],
      ]);
      expect(await f.engine.activeTriggers()).to.equal(2n);
    });
  });
});
