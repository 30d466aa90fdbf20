import { expect } from "chai";

import { DAY, DealStatus, WAD, type FleetEntryInput } from "../helpers/fixtures.js";
import {
  DepreciationMethod,
  FleetEntryStatus,
  INDEX_AT_ACQUISITION,
  IndexRejection,
  K,
  M,
  RiskMetric,
  TriggerComparison,
  TriggerEffect,
  YEAR,
  activate,
  buildRiskDeal,
  fleetEntry,
  runPeriod,
  trigger,
  type RiskFixture,
} from "../helpers/risk-fixtures.js";
import {
  ethers,
  networkHelpers,
  activeNoFeed,
  activeMockFeed,
  expectUnchanged,
  sdkFleetValue,
} from "../helpers/risk-engine-fixtures.js";

describe("RiskEngine", function () {
  describe("fleet entries added after creation", function () {
    /** 1 000 H100 the issuer claims to have bought at the deal start. */
    function bigEntry(f: RiskFixture): FleetEntryInput {
      return fleetEntry(
        "H100",
        1_000,
        30n * K,
        3n * K,
        f.terms.start,
        5,
        DepreciationMethod.StraightLine,
      );
    }

    it("test_addFleetEntries_pendingEntriesNeitherCountNorRetire", async function () {
      const f = await networkHelpers.loadFixture(activeNoFeed);
      const at = f.terms.start + YEAR;
      const book = await f.engine.bookValueAt(at);
      const value = await f.engine.collateralValueAt(at);
      const entry = bigEntry(f);
      await expect(f.engine.connect(f.r.issuer).addFleetEntries([entry]))
        .to.emit(f.engine, "FleetEntryProposed")
        .withArgs(4n, f.r.issuer.address, Object.values(entry));
      const pending = await f.engine.fleetEntry(4n);
      expect([pending.activeCount, pending.status]).to.deep.equal([
        1_000n,
        FleetEntryStatus.Pending,
      ]);
      expect(await f.engine.bookValueAt(at)).to.equal(book);
      expect(await f.engine.collateralValueAt(at)).to.equal(value);
      await expectUnchanged(f, async () => {
        await expect(f.engine.connect(f.r.issuer).retireFleetEntry(4n, 1n, 0n))
          .to.be.revertedWithCustomError(f.engine, "FleetEntryNotConfirmed")
          .withArgs(4n, FleetEntryStatus.Pending);
      });
      // Once the trustee confirms it, it counts.
      await expect(f.engine.connect(f.r.trustee).confirmFleetEntry(4n))
        .to.emit(f.engine, "FleetEntryConfirmed")
        .withArgs(4n, f.r.trustee.address);
      expect((await f.engine.fleetEntry(4n)).status).to.equal(FleetEntryStatus.Confirmed);
      expect(await f.engine.bookValueAt(at)).to.equal(book + sdkFleetValue([entry], at));
      await f.engine.connect(f.r.issuer).retireFleetEntry(4n, 1n, 0n);
    });

    it("test_confirmAndRejectFleetEntry_revertForOthersAndSettledEntries", async function () {
      const f = await networkHelpers.loadFixture(activeNoFeed);
      await f.engine.connect(f.r.issuer).addFleetEntries([bigEntry(f), bigEntry(f)]);
      await expectUnchanged(f, async () => {
        for (const caller of [f.outsider, f.r.issuer, f.r.guardian, f.r.servicer]) {
          await expect(f.engine.connect(caller).confirmFleetEntry(4n))
            .to.be.revertedWithCustomError(f.engine, "NotTrustee")
            .withArgs(caller.address);
        }
        for (const caller of [f.outsider, f.r.issuer, f.r.servicer]) {
          await expect(f.engine.connect(caller).rejectFleetEntry(4n))
            .to.be.revertedWithCustomError(f.engine, "NotTrusteeOrGuardian")
            .withArgs(caller.address);
        }
        await expect(f.engine.connect(f.r.trustee).confirmFleetEntry(6n))
          .to.be.revertedWithCustomError(f.engine, "UnknownFleetEntry")
          .withArgs(6n);
        await expect(f.engine.connect(f.r.trustee).rejectFleetEntry(6n))
          .to.be.revertedWithCustomError(f.engine, "UnknownFleetEntry")
          .withArgs(6n);
        // The term sheet's entries were confirmed at creation.
        await expect(f.engine.connect(f.r.trustee).rejectFleetEntry(0n))
          .to.be.revertedWithCustomError(f.engine, "FleetEntryNotPending")
          .withArgs(0n, FleetEntryStatus.Confirmed);
      });
      await expect(f.engine.connect(f.r.guardian).rejectFleetEntry(4n))
        .to.emit(f.engine, "FleetEntryRejected")
        .withArgs(4n, f.r.guardian.address);
      await expect(f.engine.connect(f.r.trustee).rejectFleetEntry(5n))
        .to.emit(f.engine, "FleetEntryRejected")
        .withArgs(5n, f.r.trustee.address);
      await expectUnchanged(f, async () => {
        await expect(f.engine.connect(f.r.trustee).confirmFleetEntry(4n))
          .to.be.revertedWithCustomError(f.engine, "FleetEntryNotPending")
          .withArgs(4n, FleetEntryStatus.Rejected);
        await expect(f.engine.connect(f.r.issuer).retireFleetEntry(5n, 1n, 0n))
          .to.be.revertedWithCustomError(f.engine, "FleetEntryNotConfirmed")
          .withArgs(5n, FleetEntryStatus.Rejected);
      });
    });

    /** LTV above 50 % accelerates at once: the deal's 8 M of notes against its 14.4 M fleet breach it. */
    async function ltvCovenant() {
      const f = await buildRiskDeal(ethers, networkHelpers, "none", (t) => {
        t.risk = {
          ...t.risk,
          triggers: [
            trigger(RiskMetric.Ltv, TriggerComparison.Above, WAD / 2n, TriggerEffect.Accelerate),
          ],
        };
      });
      await activate(networkHelpers, f);
      return f;
    }

    it("test_distribute_unconfirmedGpusCannotCureABreachedLtvCovenant", async function () {
      const f = await networkHelpers.loadFixture(ltvCovenant);
      // Just before the period is distributed the issuer registers 1 000 more H100 (30 M at cost).
      const run = await runPeriod(ethers, networkHelpers, f, 0, {
        revenue: 900n * K,
        beforeDistribute: async () => {
          await f.engine.connect(f.r.issuer).addFleetEntries([bigEntry(f)]);
        },
      });
      const end = await f.deal.periodEnd(0);
      expect(run.statement.metrics.collateralValue).to.equal(
        sdkFleetValue(f.terms.risk.fleet, end),
      );
      expect(run.statement.metrics.ltv > WAD / 2n).to.equal(true);
      expect(run.statement.mode).to.equal(DealStatus.Accelerated);
      expect(await f.deal.status()).to.equal(BigInt(DealStatus.Accelerated));
    });

    it("test_distribute_confirmedGpusCount", async function () {
      const f = await networkHelpers.loadFixture(ltvCovenant);
      const entry = bigEntry(f);
      const run = await runPeriod(ethers, networkHelpers, f, 0, {
        revenue: 900n * K,
        beforeDistribute: async () => {
          await f.engine.connect(f.r.issuer).addFleetEntries([entry]);
          await f.engine.connect(f.r.trustee).confirmFleetEntry(4n);
        },
      });
      const end = await f.deal.periodEnd(0);
      expect(run.statement.metrics.collateralValue).to.equal(
        sdkFleetValue([...f.terms.risk.fleet, entry], end),
      );
      expect(run.statement.mode).to.equal(DealStatus.Active);
    });
  });

  describe("collateral", function () {
    it("test_collateralValue_matchesTheSdkModelForBothMethods", async function () {
      const f = await networkHelpers.loadFixture(activeNoFeed);
      const fleet = f.terms.risk.fleet;
      const t0 = fleet[0].acquiredAt;
      const times = [
        t0 - 1n,
        t0,
        t0 + YEAR / 2n,
        t0 + YEAR,
        t0 + (23n * YEAR) / 10n,
        t0 + 4n * YEAR,
        t0 + 5n * YEAR - 1n,
        t0 + 7n * YEAR,
      ];
      for (const at of times) {
        const expected = sdkFleetValue(fleet, at);
        expect(await f.engine.bookValueAt(at), `book value at +${at - t0}s`).to.equal(expected);
        // Without a feed the collateral is the book value.
        expect(await f.engine.collateralValueAt(at), `collateral at +${at - t0}s`).to.equal(
          expected,
        );
      }
      // After the useful lives only the residuals remain.
      expect(await f.engine.bookValueAt(t0 + 7n * YEAR)).to.equal(
        fleet.reduce((a, e) => a + e.unitResidual * BigInt(e.count), 0n),
      );
      expect(await f.engine.bookValueAt(t0)).to.equal(14_368n * K);
      const entry = await f.engine.fleetEntry(1n);
      expect(entry.activeCount).to.equal(128n);
      expect(entry.terms.yearlyRate).to.equal(fleet[1].yearlyRate);
      expect(entry.terms.model).to.equal(fleet[1].model);
    });

    it("test_collateralValueAt_marksEachEntryAtTheLowerOfBookAndIndexValue", async function () {
      const f = await networkHelpers.loadFixture(activeMockFeed);
      const fleet = f.terms.risk.fleet;
      const t0 = fleet[0].acquiredAt;
      for (const index of [
        240_000_000n,
        INDEX_AT_ACQUISITION,
        170_000_000n,
        90_000_000n,
        30_000_000n,
      ]) {
        const now = BigInt(await networkHelpers.time.latest());
        await f.mock!.set(index, now);
        expect(await f.engine.priceIndex()).to.deep.equal([index, true]);
        // Present and future times use the current index with the book value at that time.
        for (const at of [now, now + YEAR, t0 + 3n * YEAR, t0 + 10n * YEAR]) {
          const expected = sdkFleetValue(fleet, at, index);
          expect(await f.engine.collateralValueAt(at), `index ${index} at +${at - t0}s`).to.equal(
            expected,
          );
          expect(await f.engine.bookValueAt(at)).to.equal(sdkFleetValue(fleet, at));
        }
      }
      // Above the acquisition level the index never lifts a value above its book value.
      const now = BigInt(await networkHelpers.time.latest());
      await f.mock!.set(10n * INDEX_AT_ACQUISITION, now);
      expect(await f.engine.collateralValueAt(now + YEAR)).to.equal(
        await f.engine.bookValueAt(now + YEAR),
      );
    });

    it("test_assess_rejectsEachBadIndexAndFallsBackToTheLastAccepted", async function () {
      const f = await networkHelpers.loadFixture(activeMockFeed);
      const fleet = f.terms.risk.fleet;
      const accepted = 160_000_000n;
      const run0 = await runPeriod(ethers, networkHelpers, f, 0, {
        revenue: 900n * K,
        index: accepted,
      });
      expect(run0.rejected).to.deep.equal([]);
      expect(run0.statement.metrics.collateralValue).to.equal(
        sdkFleetValue(fleet, await f.deal.periodEnd(0), accepted),
      );

      // Each bad answer is set, then the waterfall runs at `at` (the next block but one).
      const cases: [string, IndexRejection, bigint, (at: bigint) => bigint][] = [
        ["zero", IndexRejection.NonPositive, 0n, (at) => at - 5n],
        ["negative", IndexRejection.NonPositive, -5n, (at) => at - 5n],
        ["above uint96", IndexRejection.TooLarge, 2n ** 96n, (at) => at - 5n],
        ["stale", IndexRejection.Stale, 120_000_000n, (at) => at - DAY - 1n],
        ["from the future", IndexRejection.FromFuture, 120_000_000n, (at) => at + 1n],
        ["reverting", IndexRejection.Reverted, 120_000_000n, (at) => at],
      ];
      for (let i = 0; i < cases.length; i++) {
        const [what, reason, answer, time] = cases[i];
        const period = i + 1;
        let at = 0n;
        const run = await runPeriod(ethers, networkHelpers, f, period, {
          revenue: 900n * K,
          beforeDistribute: async () => {
            at = BigInt(await networkHelpers.time.latest()) + 10n;
            await f.mock!.set(answer, time(at));
            if (reason === IndexRejection.Reverted) await f.mock!.setReverts(true);
            await networkHelpers.time.setNextBlockTimestamp(at);
          },
        });
        const reported =
          reason === IndexRejection.Reverted
            ? { reason, answer: 0n, updatedAt: 0n }
            : { reason, answer, updatedAt: time(at) };
        expect(run.rejected, what).to.deep.equal([reported]);
        expect(run.statement.metrics.collateralValue, what).to.equal(
          sdkFleetValue(fleet, await f.deal.periodEnd(period), accepted),
        );
        await f.mock!.setReverts(false);
      }
      // The view reports the fallback while the answer is bad.
      const now = BigInt(await networkHelpers.time.latest());
      await f.mock!.set(0n, now);
      expect(await f.engine.priceIndex()).to.deep.equal([accepted, false]);
      // An answer exactly maxStaleness old is live again, and becomes the index used.
      const period = cases.length + 1;
      const fresh = 120_000_000n;
      const run = await runPeriod(ethers, networkHelpers, f, period, {
        revenue: 900n * K,
        beforeDistribute: async () => {
          const at = BigInt(await networkHelpers.time.latest()) + 10n;
          await f.mock!.set(fresh, at - DAY);
          await networkHelpers.time.setNextBlockTimestamp(at);
        },
      });
      expect(run.rejected).to.deep.equal([]);
      expect(run.statement.metrics.collateralValue).to.equal(
        sdkFleetValue(fleet, await f.deal.periodEnd(period), fresh),
      );
      // Each newly accepted level is an event; rejected answers never are.
      const accepts = await f.engine.queryFilter(f.engine.filters.PriceIndexAccepted());
      expect(accepts.map((e) => [e.args.period, e.args.index])).to.deep.equal([
        [0n, accepted],
        [BigInt(period), fresh],
      ]);
    });

    it("test_assess_withoutAnyAcceptedIndexUsesBookValue", async function () {
      const f = await networkHelpers.loadFixture(activeMockFeed);
      const run = await runPeriod(ethers, networkHelpers, f, 0, {
        revenue: 900n * K,
        beforeDistribute: async () => f.mock!.setReverts(true).then(() => {}),
      });
      expect(run.rejected).to.deep.equal([
        { reason: IndexRejection.Reverted, answer: 0n, updatedAt: 0n },
      ]);
      expect(run.statement.metrics.collateralValue).to.equal(
        sdkFleetValue(f.terms.risk.fleet, await f.deal.periodEnd(0)),
      );
      expect(await f.engine.priceIndex()).to.deep.equal([0n, false]);
    });

    it("test_retireFleetEntry_proceedsAreHeldForTheNotesAsCollateral", async function () {
      const f = await networkHelpers.loadFixture(activeNoFeed);
      const coin = f.protocol.stablecoin;
      const proceeds = 6n * M + 500n * K;
      await coin.mint(f.r.issuer.address, proceeds);
      await coin.connect(f.r.issuer).approve(await f.engine.getAddress(), proceeds);
      const at = BigInt(await networkHelpers.time.latest()) + 10n;
      await networkHelpers.time.setNextBlockTimestamp(at);
      const tx = f.engine.connect(f.r.issuer).retireFleetEntry(0n, 56n, proceeds);
      await expect(tx).to.emit(f.engine, "FleetEntryRetired").withArgs(0n, 56n, 200n, proceeds);
      // The proceeds go to the deal's recovery account: no note is repaid before a distribution applies them.
      await expect(tx)
        .to.emit(f.deal, "RecoveriesDeposited")
        .withArgs(await f.engine.getAddress(), proceeds, 0n, proceeds, f.dealAddress);
      await expect(tx).not.to.emit(f.deal, "RecoveryApplied");
      await expect(tx).to.changeTokenBalances(
        ethers,
        coin,
        [f.r.issuer.address, f.dealAddress, ...f.tokenAddresses],
        [-proceeds, proceeds, 0n, 0n, 0n],
      );
      expect((await f.deal.tranche(0)).outstanding).to.equal(6n * M);
      expect((await f.deal.tranche(1)).outstanding).to.equal(2n * M);
      expect(await f.deal.recoveries()).to.equal(proceeds);
      expect((await f.engine.fleetEntry(0n)).activeCount).to.equal(200n);
      const active = [200, 128, 64, 100];
      expect(await f.engine.bookValueAt(at + YEAR)).to.equal(
        sdkFleetValue(f.terms.risk.fleet, at + YEAR, 0n, active),
      );
      // The recovery account is collateral at par: the collateral value is the fleet's plus the proceeds.
      expect(await f.engine.collateralValueAt(at + YEAR)).to.equal(
        sdkFleetValue(f.terms.risk.fleet, at + YEAR, 0n, active) + proceeds,
      );

      // More proceeds add to the account; retiring without proceeds moves no cash.
      await coin.mint(f.r.issuer.address, 2n * M);
      await coin.connect(f.r.issuer).approve(await f.engine.getAddress(), 2n * M);
      await expect(f.engine.connect(f.r.issuer).retireFleetEntry(3n, 100n, 2n * M))
        .to.emit(f.deal, "RecoveriesDeposited")
        .withArgs(await f.engine.getAddress(), 2n * M, 0n, 2n * M, f.dealAddress);
      expect(await f.deal.recoveries()).to.equal(proceeds + 2n * M);
      expect(await f.deal.undistributedCollections()).to.equal(0n);
      await expect(f.engine.connect(f.r.issuer).retireFleetEntry(2n, 1n, 0n)).not.to.emit(
        f.deal,
        "RecoveriesDeposited",
      );
    });
  });
});
