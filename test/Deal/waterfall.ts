import { expect } from "chai";

import type { IDeal } from "../../types/ethers-contracts/index.js";
import {
  DealStatus,
  PERIOD,
  USDC,
  WAD,
  submitReport,
  type Protocol,
  type Roles,
} from "../helpers/fixtures.js";
import {
  ScenarioRunner,
  keeperPaidIn,
  performData,
  plain,
  type PeriodPlan,
} from "../helpers/deal-scenario.js";
import {
  couponRate,
  metricsToArray,
  periodInterestDown,
  referenceMetrics,
  scheduledOutstandingUp,
  stepsOf,
  utilizationDown,
  RefStatus,
} from "../helpers/waterfall-reference.js";
import {
  ethers,
  networkHelpers,
  K,
  M,
  activeDealFixture,
  activeLowSlopeDealFixture,
  activeUnreservedDealFixture,
  shortDealNoEquityFixture,
  plan,
  unreported,
} from "../helpers/deal-fixtures.js";

describe("Deal", function () {
  describe("reference model sanity (hand-computed figures)", function () {
    it("test_reference_matchesHandFigures", function () {
      // 6 000 000 USDC at 8 % for 30/365 of a year: 39 452.054794… → 39 452.054794 USDC.
      expect(periodInterestDown(6n * M, (8n * WAD) / 100n, PERIOD)).to.equal(39_452_054_794n);
      // Straight line over 9 from period 3: nothing before, ⌈face·(9−k)/9⌉ after, 0 at the end.
      const sl = { scheduleType: 1, amortStartPeriod: 3, amortPeriods: 9 };
      expect(scheduledOutstandingUp(6n * M, sl, 2, 12)).to.equal(6n * M);
      expect(scheduledOutstandingUp(6n * M, sl, 3, 12)).to.equal(6n * M - 666_666_666_666n);
      expect(scheduledOutstandingUp(6n * M, sl, 4, 12)).to.equal(6n * M - 1_333_333_333_333n);
      expect(scheduledOutstandingUp(6n * M, sl, 11, 12)).to.equal(0n);
      expect(
        scheduledOutstandingUp(
          M,
          { scheduleType: 0, amortStartPeriod: 0, amortPeriods: 0 },
          10,
          12,
        ),
      ).to.equal(M);
      // The mezzanine coupon: 11 % + 0.2·(U − 70 %) in [8 %, 15 %].
      const mezz = {
        couponType: 1,
        baseRate: (11n * WAD) / 100n,
        slope: (20n * WAD) / 100n,
        strike: (70n * WAD) / 100n,
        floorRate: (8n * WAD) / 100n,
        capRate: (15n * WAD) / 100n,
      };
      expect(couponRate(mezz, (85n * WAD) / 100n)).to.equal((14n * WAD) / 100n);
      expect(couponRate(mezz, (95n * WAD) / 100n)).to.equal((15n * WAD) / 100n);
      expect(couponRate(mezz, (40n * WAD) / 100n)).to.equal((8n * WAD) / 100n);
      // U = 2/3 rounds down; the negative delta truncates toward zero: 0.11 − 0.006666666666666666.
      expect(utilizationDown(3n, 2n)).to.equal(666_666_666_666_666_666n);
      expect(couponRate(mezz, utilizationDown(3n, 2n))).to.equal(
        110_000_000_000_000_000n - 6_666_666_666_666_666n,
      );
      expect(utilizationDown(0n, 0n)).to.equal(0n);
    });
  });

  describe("waterfall against the reference model", function () {
    /**
     * At the end of a deal it holds only the fees credited to the trustee and the servicer (as the reference
     * model counts them); each withdraws its own and the deal is left with nothing.
     */
    async function expectOnlyFeesLeftThenWithdrawn(
      f: { deal: IDeal; dealAddress: string; protocol: Protocol; r: Roles },
      model: { trusteeFeesOwed: bigint; servicerFeesOwed: bigint },
    ) {
      const { deal, protocol, r } = f;
      const [trusteeOwed, servicerOwed] = await deal.feesOwed();
      expect([trusteeOwed, servicerOwed]).to.deep.equal([
        model.trusteeFeesOwed,
        model.servicerFeesOwed,
      ]);
      expect(await protocol.stablecoin.balanceOf(f.dealAddress)).to.equal(
        trusteeOwed + servicerOwed,
      );
      for (const [who, owed] of [
        [r.trustee, trusteeOwed],
        [r.servicer, servicerOwed],
      ] as const) {
        await expect(deal.connect(who).withdrawFees()).to.changeTokenBalances(
          ethers,
          protocol.stablecoin,
          [who, deal],
          [owed, -owed],
        );
      }
      expect(await protocol.stablecoin.balanceOf(f.dealAddress)).to.equal(0n);
    }

    it("test_waterfall_twelvePeriods_repaid", async function () {
      const f = await networkHelpers.loadFixture(activeDealFixture);
      const { deal, r } = f;
      const run = await ScenarioRunner.start(ethers, networkHelpers, f.protocol, r, f.h, f.keeper);
      const plans: PeriodPlan[] = [
        plan(500n * K, 500n * K), // U 70 %: mezzanine at its 11 % base; reserve 180 000 → 150 000 released
        plan(400n * K, 300n * K, 950_000n), // deposits short of revenue; U 95 %: mezzanine at its 15 % cap
        plan(450n * K, 600n * K, 400_000n), // 150 000 carried; U 40 %: mezzanine at its 8 % floor
        plan(0n, 0n, 0n, 0n), // nothing: fee and interest arrears, reserve covers senior, principal missed
        plan(2_500n * K, 2_350n * K, 900_000n, 1_350_000n), // recovery: arrears, top-up, catch-up; U = 2/3
        plan(900n * K, 900n * K, 850_000n),
        plan(500n * K, 500n * K, 750_000n), // scheduled principal partly missed
        plan(1_200n * K, 1_200n * K, 900_000n),
        plan(900n * K, 900n * K, 600_000n),
        plan(900n * K, 1_500n * K, 1_000_000n), // 600 000 carried to the end
        plan(900n * K, 900n * K, 550_000n),
        plan(1_000n * K, 3_500n * K, 700_000n), // final: every collection, reserve released, notes repaid
      ];
      for (let p = 0; p < plans.length; p++) await run.run(p, plans[p]);
      const res = run.results;

      // The scenario exercises what it claims to.
      const mezzRates = res.map(
        (x) => stepsOf(x).find((e) => e.name === "InterestPaid" && e.args[1] === 1n)!.args[2],
      );
      expect(mezzRates.slice(0, 3)).to.deep.equal([
        (11n * WAD) / 100n,
        (15n * WAD) / 100n,
        (8n * WAD) / 100n,
      ]);
      expect(mezzRates[4]).to.equal((11n * WAD) / 100n - 6_666_666_666_666_666n);
      expect(res[0].statement.reserveReleased).to.equal(30n * K);
      expect(res[1].statement.cashIn).to.equal(300n * K);
      expect(res[2].statement.collectionsCarried).to.equal(150n * K);
      expect(res[3].statement.cashIn).to.equal(0n);
      expect(res[3].statement.reserveDrawn).to.be.greaterThan(0n);
      expect(res[3].statement.principalPaid[0]).to.equal(0n);
      const arrears3 = stepsOf(res[3])
        .filter((e) => e.name === "InterestPaid")
        .map((e) => e.args[5] as bigint);
      expect(arrears3[0]).to.equal(0n); // senior fully covered by the reserve
      expect(arrears3[1]).to.be.greaterThan(0n);
      expect(arrears3[2]).to.be.greaterThan(0n);
      const fees3 = stepsOf(res[3]).find((e) => e.name === "FeesPaid")!.args;
      expect(fees3.slice(1)).to.deep.equal([0n, 0n, 2_000n * USDC, 0n]);
      expect(res[4].statement.reserveToppedUp).to.equal(res[3].statement.reserveDrawn);
      const fees4 = stepsOf(res[4]).find((e) => e.name === "FeesPaid")!.args;
      expect(fees4.slice(1)).to.deep.equal([4_000n * USDC, 25_000n * USDC, 0n, 0n]);
      expect(
        stepsOf(res[4])
          .filter((e) => e.name === "InterestPaid")
          .map((e) => e.args[5]),
      ).to.deep.equal([0n, 0n, 0n]);
      // Catch-up: two installments of ⌊6 000 000 / 9⌋-ish at once.
      expect(res[4].statement.principalPaid[0]).to.equal(1_333_333_333_333n);
      expect(res[6].statement.principalPaid[0]).to.be.lessThan(666_666_666_667n);
      expect(res[7].statement.principalPaid[0]).to.be.greaterThan(666_666_666_667n);
      expect(res[11].statement.reserveReleased).to.equal(150n * K);
      expect(res[11].statement.collectionsCarried).to.equal(0n);
      expect(res[11].statement.reserveAfter).to.equal(0n);
      expect(res[11].statement.residualPaid).to.be.greaterThan(0n);

      // Repaid: every note at zero, nothing left in the deal.
      expect(await deal.status()).to.equal(BigInt(DealStatus.Repaid));
      expect(run.model.status).to.equal(RefStatus.Repaid);
      for (let i = 0; i < 3; i++) {
        expect((await deal.tranche(i)).outstanding).to.equal(0n);
        expect(await deal.factor(i)).to.equal(0n);
      }
      expect(await deal.factor(3)).to.equal(WAD);
      await expectOnlyFeesLeftThenWithdrawn(f, run.model);
      // Each note token received its face plus every coupon it was owed.
      const interest = (i: number) => res.reduce((a, x) => a + x.statement.interestPaid[i], 0n);
      const principal = (i: number) => res.reduce((a, x) => a + x.statement.principalPaid[i], 0n);
      for (let i = 0; i < 3; i++) {
        expect(principal(i)).to.equal(f.h.terms.tranches[i].faceAmount);
        expect(await f.protocol.stablecoin.balanceOf(await f.h.tokens[i].getAddress())).to.equal(
          principal(i) + interest(i),
        );
      }

      // Ended: no more collections, no more periods.
      await expect(deal.connect(r.servicer).depositCollections(1n))
        .to.be.revertedWithCustomError(deal, "DealEnded")
        .withArgs(BigInt(DealStatus.Repaid));
      await expect(deal.distribute(11n))
        .to.be.revertedWithCustomError(deal, "WaterfallPeriodAlreadyDistributed")
        .withArgs(11n);
      await expect(deal.distribute(12n))
        .to.be.revertedWithCustomError(deal, "DealNotActive")
        .withArgs(BigInt(DealStatus.Repaid));
      expect(await deal.readyPeriod()).to.deep.equal([false, 12n]);
      expect(plain(await deal.checkUpkeep("0x"))).to.deep.equal([
        false,
        performData(ethers, 12n, 1n),
      ]);
    });

    it("test_waterfall_twelvePeriods_defaulted", async function () {
      const f = await networkHelpers.loadFixture(activeUnreservedDealFixture);
      const { deal, r } = f;
      const run = await ScenarioRunner.start(ethers, networkHelpers, f.protocol, r, f.h, f.keeper);
      expect(await deal.reserve()).to.deep.equal([0n, 150n * K]);
      const plans: PeriodPlan[] = [
        plan(0n, 0n, 500_000n), // nothing, and no reserve yet: senior interest in arrears too
        plan(100n * K, 100n * K), // fees, then senior interest and its arrears, part of the mezzanine
        plan(200n * K, 200n * K, 800_000n), // arrears cleared, part of the reserve built
        plan(60n * K, 60n * K, 920_000n), // senior interest only; mezzanine short, no top-up, principal missed
        plan(0n, 200n * K, 100_000n), // deposits but no revenue: cash 0, the reserve covers the senior
        plan(0n, 0n, 0n, 0n), // again: the reserve covers the senior
        plan(20n * K, 20n * K, 650_000n), // too little: the reserve runs dry, senior interest in arrears
        plan(700n * K, 700n * K),
        plan(700n * K, 700n * K, 710_000n),
        plan(700n * K, 700n * K, 690_000n),
        plan(700n * K, 700n * K),
        plan(400n * K, 300n * K), // final: 200 000 carried + 300 000 is far from the bullets due
      ];
      for (let p = 0; p < plans.length; p++) await run.run(p, plans[p]);
      const res = run.results;

      expect(res[0].statement.reserveDrawn).to.equal(0n);
      expect(
        stepsOf(res[0]).find((e) => e.name === "InterestPaid" && e.args[1] === 0n)!.args[5],
      ).to.be.greaterThan(0n);
      expect(res[4].statement.cashIn).to.equal(0n);
      expect(res[4].statement.collectionsCarried).to.equal(200n * K);
      const seniorArrears = (x: (typeof res)[number]) =>
        stepsOf(x).find((e) => e.name === "InterestPaid" && e.args[1] === 0n)!.args[5] as bigint;
      // Period 2 builds part of the reserve only.
      expect(res[2].statement.reserveToppedUp).to.be.greaterThan(0n);
      expect(res[2].statement.reserveAfter).to.be.lessThan(150n * K);
      // Periods 4 and 5: the reserve covers the senior in full.
      for (const x of [res[4], res[5]]) {
        expect(x.statement.reserveDrawn).to.equal(39_452_054_794n);
        expect(seniorArrears(x)).to.equal(0n);
      }
      // Period 6: the reserve runs dry before the senior shortfall is covered (a partial draw).
      expect(res[6].statement.reserveDrawn).to.equal(res[5].statement.reserveAfter);
      expect(res[6].events.find((e) => e.name === "ReserveDrawn")!.args[2]).to.equal(0n);
      expect(seniorArrears(res[6])).to.be.greaterThan(0n);
      // Period 7 pays the senior arrears and refills the reserve from empty.
      expect(seniorArrears(res[7])).to.equal(0n);
      expect(res[7].statement.reserveToppedUp).to.equal(150n * K);

      expect(await deal.status()).to.equal(BigInt(DealStatus.Defaulted));
      expect(run.model.status).to.equal(RefStatus.Defaulted);
      const last = res[11];
      expect(last.events.find((e) => e.name === "StatusChanged")!.args).to.deep.equal([
        BigInt(DealStatus.Active),
        BigInt(DealStatus.Defaulted),
      ]);
      expect(last.statement.residualPaid).to.equal(0n);
      expect(last.statement.reserveAfter).to.equal(0n);
      await expectOnlyFeesLeftThenWithdrawn(f, run.model);
      // The principal left unpaid at final maturity is written off, equity first, and the factors say so.
      const junior = await deal.tranche(2);
      expect(junior.outstanding).to.equal(0n);
      expect(junior.writtenDown).to.be.greaterThan(0n);
      expect(await deal.factor(2)).to.equal(0n);
      const risk = await ethers.getContractAt("RiskEngine", await deal.riskEngine());
      expect(await risk.writtenDown(2)).to.deep.equal([
        junior.writtenDown,
        (junior.writtenDown * WAD) / junior.issued,
      ]);
      expect((await deal.tranche(3)).writtenDown).to.equal((await deal.tranche(3)).issued);
      await expect(deal.connect(r.servicer).depositCollections(1n))
        .to.be.revertedWithCustomError(deal, "DealEnded")
        .withArgs(BigInt(DealStatus.Defaulted));
      expect(await deal.readyPeriod()).to.deep.equal([false, 12n]);
      expect(plain(await deal.checkUpkeep("0x"))).to.deep.equal([
        false,
        performData(ethers, 12n, 1n),
      ]);
    });

    it("test_waterfall_noEquity_residualToIssuer_reserveReleasedWhenNotesRepaid", async function () {
      const f = await networkHelpers.loadFixture(shortDealNoEquityFixture);
      const { deal, r, h } = f;
      expect(await deal.status()).to.equal(BigInt(DealStatus.Active));
      expect(await h.tokens[1].totalSupply()).to.equal(0n);
      expect(await deal.reserve()).to.deep.equal([50n * K, 50n * K]);
      const run = await ScenarioRunner.start(ethers, networkHelpers, f.protocol, r, h, f.keeper);
      const res = [
        await run.run(0, plan(700n * K, 700n * K)),
        await run.run(1, plan(600n * K, 600n * K)),
        await run.run(2, plan(30n * K, 30n * K)),
        await run.run(3, plan(10n * K, 10n * K)),
      ];
      for (const x of res) expect(x.residualRecipient).to.equal(r.issuer.address);
      expect(res[0].statement.principalPaid).to.deep.equal([500n * K]);
      expect(res[1].statement.principalPaid).to.deep.equal([500n * K]);
      // Period 2 is not the last one, but no note principal is outstanding: the reserve target is zero.
      expect(res[2].statement.reserveReleased).to.equal(50n * K);
      expect(res[2].statement.reserveAfter).to.equal(0n);
      expect(res[2].statement.interestPaid).to.deep.equal([0n]);
      expect(stepsOf(res[2]).find((e) => e.name === "ResidualPaid")!.args).to.deep.equal([
        2n,
        r.issuer.address,
        res[2].statement.residualPaid,
      ]);
      expect(res[2].statement.residualPaid).to.be.greaterThan(50n * K);
      expect(await deal.status()).to.equal(BigInt(DealStatus.Repaid));
    });

    it("test_waterfall_unreportedPeriods_keeperBounty_upkeepByThirdAccount", async function () {
      const f = await networkHelpers.loadFixture(activeLowSlopeDealFixture);
      const { deal, r, outsider, keeper } = f;
      const coin = f.protocol.stablecoin;
      const run = await ScenarioRunner.start(ethers, networkHelpers, f.protocol, r, f.h, keeper);
      const bounty = 50n * USDC;
      const [keeperBefore, outsiderBefore] = [
        await coin.balanceOf(keeper),
        await coin.balanceOf(outsider),
      ];
      const byOutsider = { keeper: outsider, via: "upkeep" as const };

      // 0: unreported, run by a third account through performUpkeep: every collection is cash, 30 000 of
      //    reserve released, the linked mezzanine at its floor. ReportMissed, ReserveReleased, KeeperPaid.
      await run.run(0, unreported(600n * K), byOutsider);
      // 1: reported, but only 10 USDC of cash: the bounty takes it all; fees and interest go to arrears and the
      //    reserve covers the senior interest. U = 95 %.
      await run.run(1, plan(10n * USDC, 10n * USDC, 950_000n));
      // 2: recovery, through performUpkeep by the third account.
      await run.run(2, plan(900n * K, 900n * K), byOutsider);
      // 3: unreported with nothing collected: no cash, no bounty (KeeperPaid of 0), the reserve covers the senior.
      await run.run(3, unreported(0n));
      // 4–6: one upkeep catches up three ready periods. Every deposit is made before it runs, so the unreported
      //    period 5 takes as cash what was deposited for period 6 as well, and period 6 has none left.
      await run.runPeriods(
        4,
        [
          plan(1_200n * K, 1_200n * K, 900_000n),
          unreported(800n * K),
          plan(900n * K, 1_000n * K, 600_000n),
        ],
        byOutsider,
      );
      for (let p = 7; p < 11; p++) await run.run(p, plan(900n * K, 900n * K, 750_000n));
      // 11 (final): unreported, every collection is cash, through performUpkeep.
      await run.run(11, unreported(4_000n * K), byOutsider);
      const res = run.results;

      // The scenario exercises what it claims to.
      const mezz = f.h.terms.tranches[1].coupon;
      expect(couponRate(mezz, 0n)).to.equal((96n * WAD) / 1000n); // what U = 0 would pay: not the floor
      const mezzRate = (x: (typeof res)[number]) =>
        stepsOf(x).find((e) => e.name === "InterestPaid" && e.args[1] === 1n)!.args[2];
      const seniorRate = (x: (typeof res)[number]) =>
        stepsOf(x).find((e) => e.name === "InterestPaid" && e.args[1] === 0n)!.args[2];
      const unreportedPeriods = [0, 3, 5, 11];
      for (let p = 0; p < 12; p++) {
        const x = res[p];
        expect(x.statement.reported, `reported ${p}`).to.equal(!unreportedPeriods.includes(p));
        expect(seniorRate(x), `senior rate ${p}`).to.equal((8n * WAD) / 100n); // fixed coupons do not move
        if (unreportedPeriods.includes(p)) {
          expect(mezzRate(x), `mezzanine rate ${p}`).to.equal((8n * WAD) / 100n);
          expect(x.statement.utilization).to.equal(0n);
          expect(x.events[0].name).to.equal("ReportMissed");
          // Every deposited collection is cash, whatever the period.
          expect(x.statement.collectionsCarried).to.equal(0n);
        } else {
          expect(x.events.find((e) => e.name === "ReportMissed")).to.equal(undefined);
        }
      }
      expect(
        res.filter((x) => x.events[0].name === "ReportMissed").map((x) => x.events[0].args),
      ).to.deep.equal([
        [0n, 1n],
        [3n, 2n],
        [5n, 3n],
        [11n, 4n],
      ]);
      expect(await deal.missedReports()).to.equal(4n);
      expect(mezzRate(res[1])).to.equal((115n * WAD) / 1000n);
      expect(mezzRate(res[2])).to.equal((11n * WAD) / 100n);
      // Period 0: the full order of the leading events.
      expect(res[0].events.slice(0, 2).map((e) => e.name)).to.deep.equal([
        "ReportMissed",
        "ReserveReleased",
      ]);
      expect(res[0].events[res[0].events.length - 1].name).to.equal("PeriodDistributed");
      expect(res[0].statement.cashIn).to.equal(600n * K);
      expect(res[0].statement.reserveReleased).to.equal(30n * K);
      // Period 1: the bounty is capped by the cash and nothing else is paid from it.
      const s1 = res[1].statement;
      expect([s1.cashIn, s1.keeperBountyPaid, s1.trusteeFeePaid, s1.servicerFeePaid]).to.deep.equal(
        [10n * USDC, 10n * USDC, 0n, 0n],
      );
      expect(s1.interestPaid.slice(1)).to.deep.equal([0n, 0n]);
      expect(s1.interestPaid[0]).to.equal(s1.reserveDrawn); // the senior comes from the reserve only
      expect(s1.residualPaid).to.equal(0n);
      // Period 3: no cash, a zero bounty, still announced.
      expect(res[3].statement.cashIn).to.equal(0n);
      expect(stepsOf(res[3]).find((e) => e.name === "KeeperPaid")!.args).to.deep.equal([
        3n,
        keeper.address,
        0n,
      ]);
      expect(res[3].statement.reserveDrawn).to.equal(39_452_054_794n);
      // Periods 4–6: 4 takes its revenue, 5 everything else on deposit, 6 nothing.
      expect(res.slice(4, 7).map((x) => x.statement.cashIn)).to.deep.equal([
        1_200n * K,
        1_800n * K,
        0n,
      ]);
      // Period 11 releases the reserve and repays every note.
      expect(res[11].statement.reserveReleased).to.equal(150n * K);
      expect(await deal.status()).to.equal(BigInt(DealStatus.Repaid));

      // The bounty went to whoever ran each period, never more than once per period, never carried.
      const paidTo = (who: string) =>
        res.filter((x) => x.keeper === who).reduce((a, x) => a + x.statement.keeperBountyPaid, 0n);
      const byOutsiderPeriods = res
        .filter((x) => x.keeper === outsider.address)
        .map((x) => x.statement.period);
      expect(byOutsiderPeriods).to.deep.equal([0n, 2n, 4n, 5n, 6n, 11n]);
      // Period 6 had no cash: no bounty, and the reserve, drawn for the senior interest, never pays it.
      expect(res[6].statement.keeperBountyPaid).to.equal(0n);
      expect(res[6].statement.reserveDrawn).to.be.greaterThan(0n);
      expect(res[6].statement.reserveDrawn).to.equal(res[6].statement.interestPaid[0]);
      expect(paidTo(outsider.address)).to.equal(5n * bounty);
      // The keeper ran 1 (capped at 10 USDC), 3 (nothing) and 7–10.
      expect(paidTo(keeper.address)).to.equal(10n * USDC + 4n * bounty);
      expect(await coin.balanceOf(outsider)).to.equal(outsiderBefore + paidTo(outsider.address));
      expect(await coin.balanceOf(keeper)).to.equal(keeperBefore + paidTo(keeper.address));
      for (const x of res) expect(x.statement.keeperBountyPaid <= bounty).to.equal(true);
    });

    it("test_waterfall_cashBelowKeeperBounty_cappedNeverCarried", async function () {
      const f = await networkHelpers.loadFixture(activeUnreservedDealFixture);
      const { r, keeper } = f;
      const run = await ScenarioRunner.start(ethers, networkHelpers, f.protocol, r, f.h, keeper);
      const bounty = 50n * USDC;
      const res = [
        await run.run(0, plan(30n * USDC, 30n * USDC)), // below the bounty
        await run.run(1, plan(50n * USDC, 50n * USDC)), // exactly the bounty
        await run.run(2, plan(0n, 0n)), // nothing
        await run.run(3, plan(1_000n * K, 1_000n * K)), // recovery
      ];
      const interest = [
        periodInterestDown(6n * M, (8n * WAD) / 100n, PERIOD),
        periodInterestDown(2n * M, (11n * WAD) / 100n, PERIOD),
        periodInterestDown(M, (14n * WAD) / 100n, PERIOD),
      ];
      for (const [p, cash] of [
        [0, 30n * USDC],
        [1, 50n * USDC],
        [2, 0n],
      ] as const) {
        const s = res[p].statement;
        // The bounty takes the whole cash; nothing else is paid and there is no reserve to draw.
        expect(s.cashIn).to.equal(cash);
        expect(s.keeperBountyPaid).to.equal(cash);
        const rest = [
          s.trusteeFeePaid,
          s.servicerFeePaid,
          s.reserveDrawn,
          s.reserveToppedUp,
          s.residualPaid,
        ];
        expect(rest).to.deep.equal([0n, 0n, 0n, 0n, 0n]);
        expect(s.interestPaid).to.deep.equal([0n, 0n, 0n]);
        expect(s.principalPaid).to.deep.equal([0n, 0n, 0n]);
        expect(stepsOf(res[p]).find((e) => e.name === "KeeperPaid")!.args).to.deep.equal([
          BigInt(p),
          keeper.address,
          cash,
        ]);
        // Fees and interest accumulate as arrears.
        const n = BigInt(p + 1);
        const fees = stepsOf(res[p]).find((e) => e.name === "FeesPaid")!.args;
        expect(fees[3]).to.equal(n * 2_000n * USDC);
        expect(
          stepsOf(res[p])
            .filter((e) => e.name === "InterestPaid")
            .map((e) => e.args[5]),
        ).to.deep.equal(interest.map((x) => n * x));
      }
      // The servicer fee is charged on the cash, before the bounty is taken from it.
      expect(stepsOf(res[0]).find((e) => e.name === "FeesPaid")!.args[4]).to.equal(300_000n);
      expect(stepsOf(res[1]).find((e) => e.name === "FeesPaid")!.args[4]).to.equal(800_000n);
      // Recovery: the bounty is the term-sheet 50, not 50 plus the 70 short before; fee arrears are cleared.
      const s3 = res[3].statement;
      expect(s3.keeperBountyPaid).to.equal(bounty);
      expect(s3.trusteeFeePaid).to.equal(4n * 2_000n * USDC);
      expect(
        stepsOf(res[3])
          .find((e) => e.name === "FeesPaid")!
          .args.slice(3),
      ).to.deep.equal([0n, 0n]);
      expect(s3.interestPaid).to.deep.equal(interest.map((x) => 4n * x));
    });

    it("test_waterfall_emitsEachStepWithArgs", async function () {
      // One period checked with the chai event matchers directly (the scenarios above compare whole logs).
      const f = await networkHelpers.loadFixture(activeDealFixture);
      const { deal, r, protocol, h } = f;
      await networkHelpers.time.increaseTo(await deal.periodEnd(0));
      await submitReport(
        ethers,
        networkHelpers,
        protocol,
        r,
        deal,
        0n,
        300n * K,
        700_000n,
        1_000_000n,
      );
      await deal.connect(r.servicer).depositCollections(400n * K);
      const seniorInterest = 39_452_054_794n;
      const mezzInterest = periodInterestDown(2n * M, (11n * WAD) / 100n, PERIOD);
      const juniorInterest = periodInterestDown(M, (14n * WAD) / 100n, PERIOD);
      const servicerFee = 3n * K; // 1 % of 300 000
      const bounty = 50n * USDC;
      const residual =
        300n * K +
        30n * K -
        bounty -
        2n * K -
        servicerFee -
        seniorInterest -
        mezzInterest -
        juniorInterest;
      const tx = deal.connect(f.keeper).distribute(0n);
      await expect(tx)
        .to.emit(deal, "ReserveReleased")
        .withArgs(0n, 30n * K, 150n * K);
      expect(keeperPaidIn(deal, await deal.getAddress(), (await (await tx).wait())!)).to.deep.equal(
        [[0n, f.keeper.address, bounty]],
      );
      await expect(tx).to.changeTokenBalance(ethers, protocol.stablecoin, f.keeper, bounty);
      await expect(tx).to.not.emit(deal, "ReportMissed");
      await expect(tx).to.not.emit(deal, "ReserveDrawn");
      await expect(tx).to.not.emit(deal, "ReserveToppedUp");
      await expect(tx).to.not.emit(deal, "StatusChanged");
      await expect(tx)
        .to.emit(deal, "PeriodDistributed")
        .withArgs(0n, [
          0n,
          true,
          300n * K,
          30n * K,
          0n,
          bounty,
          2n * K,
          servicerFee,
          [seniorInterest, mezzInterest, juniorInterest],
          0n,
          [0n, 0n, 0n],
          residual,
          (7n * WAD) / 10n,
          0n,
          100n * K,
          150n * K,
          BigInt(DealStatus.Active),
          metricsToArray(
            referenceMetrics({
              outcome: {
                gpuHoursAvailable: 1_000_000n,
                gpuHoursBilled: 700_000n,
                revenue: 300n * K,
              },
              cash: 300n * K,
              feesDue: bounty + 2n * K + servicerFee,
              reserve: 180n * K,
              reserveTarget: 150n * K,
              pledgedShareBps: 10_000,
              outstanding: [6n * M, 2n * M, M],
              interestDue: [seniorInterest, mezzInterest, juniorInterest],
              principalDue: [0n, 0n, 0n],
              history: [],
              trailingPeriods: 3,
            }),
          ),
          f.keeper.address,
          0n,
          0n,
          [seniorInterest, mezzInterest, juniorInterest],
          [6n * M, 2n * M, M],
          await h.tokens[3].getAddress(),
          0n,
          // No site, no tenants: no rent in or out.
          0n,
          0n,
          0n,
        ]);
      // The fees are credited to the trustee and the servicer, who withdraw them.
      expect(await deal.feesOwed()).to.deep.equal([2n * K, servicerFee]);
      await expect(tx).to.emit(h.tokens[3], "Distributed");
      expect(await h.tokens[3].claimable(r.investors[3].address)).to.equal(residual);
      expect(plain(await deal.feeArrears())).to.deep.equal([0n, 0n]);
    });
  });
});
