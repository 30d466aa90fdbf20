import { expect } from "chai";

import { DISPUTE_WINDOW, DealStatus, proposeReport, submitReport } from "../helpers/fixtures.js";
import { ReportState } from "../helpers/deal-scenario.js";
import {
  ethers,
  networkHelpers,
  K,
  reportEach,
  dealFixture,
  activeDealFixture,
} from "../helpers/deal-fixtures.js";

describe("Deal", function () {
  describe("distribute guards", function () {
    it("test_distribute_dealNotActive_beforeOfferingsClose", async function () {
      const { deal, h, r, protocol, outsider } = await networkHelpers.loadFixture(dealFixture);
      await networkHelpers.time.increaseTo(await deal.periodEnd(0));
      // Report accepted, period ended, but the offerings were never closed.
      await submitReport(ethers, networkHelpers, protocol, r, deal, 0n, 100n * K);
      await expect(deal.connect(outsider).distribute(0n))
        .to.be.revertedWithCustomError(deal, "DealNotActive")
        .withArgs(BigInt(DealStatus.Offering));
      await expect(deal.distribute(12n))
        .to.be.revertedWithCustomError(deal, "DealNotActive")
        .withArgs(BigInt(DealStatus.Offering));
      // Only some offerings closed: still not active.
      await h.offerings[0].close();
      await expect(deal.distribute(0n))
        .to.be.revertedWithCustomError(deal, "DealNotActive")
        .withArgs(BigInt(DealStatus.Offering));
      expect(await deal.nextPeriod()).to.equal(0n);
    });

    it("test_distribute_periodNotEnded", async function () {
      const { deal, r, protocol } = await networkHelpers.loadFixture(activeDealFixture);
      const endsAt = await deal.periodEnd(0);
      await deal.connect(r.servicer).depositCollections(100n * K);
      await expect(deal.distribute(0n))
        .to.be.revertedWithCustomError(deal, "WaterfallPeriodNotEnded")
        .withArgs(0n, endsAt);
      await networkHelpers.time.setNextBlockTimestamp(endsAt - 1n);
      await expect(deal.distribute(0n))
        .to.be.revertedWithCustomError(deal, "WaterfallPeriodNotEnded")
        .withArgs(0n, endsAt);
      await networkHelpers.time.increaseTo(endsAt);
      await submitReport(ethers, networkHelpers, protocol, r, deal, 0n, 100n * K);
      await expect(deal.distribute(0n)).to.emit(deal, "PeriodDistributed");
    });

    it("test_distribute_reportNotFinal", async function () {
      const { deal, r, protocol, dealAddress } =
        await networkHelpers.loadFixture(activeDealFixture);
      const oracle = protocol.oracle;
      await deal.connect(r.servicer).depositCollections(100n * K);
      await networkHelpers.time.increaseTo(await deal.periodEnd(0));
      const balance = await protocol.stablecoin.balanceOf(dealAddress);
      const unchanged = async () => {
        expect(await deal.nextPeriod()).to.equal(0n);
        expect(await deal.undistributedCollections()).to.equal(100n * K);
        expect(await protocol.stablecoin.balanceOf(dealAddress)).to.equal(balance);
      };
      // No report at all: the oracle refuses to give an outcome.
      await expect(deal.distribute(0n))
        .to.be.revertedWithCustomError(oracle, "ReportNotFinal")
        .withArgs(dealAddress, 0n);
      await unchanged();
      // A report pending in its dispute window, up to its last second.
      await proposeReport(ethers, protocol, r, deal, 0n, 100n * K);
      const finalAt = BigInt(await networkHelpers.time.latest()) + DISPUTE_WINDOW;
      await expect(deal.distribute(0n))
        .to.be.revertedWithCustomError(oracle, "ReportNotFinal")
        .withArgs(dealAddress, 0n);
      await networkHelpers.time.setNextBlockTimestamp(finalAt - 1n);
      await expect(deal.distribute(0n))
        .to.be.revertedWithCustomError(oracle, "ReportNotFinal")
        .withArgs(dealAddress, 0n);
      await unchanged();
      // Disputed: void again, and the period is not ready.
      await oracle.connect(r.guardian).dispute(dealAddress, 0n, ethers.id("meter mismatch"));
      await networkHelpers.time.increaseTo(finalAt + 1n);
      await expect(deal.distribute(0n))
        .to.be.revertedWithCustomError(oracle, "ReportNotFinal")
        .withArgs(dealAddress, 0n);
      await unchanged();
      // A new round's report, final once its own window has passed.
      await submitReport(ethers, networkHelpers, protocol, r, deal, 0n, 100n * K);
      // Final by time: the distribution uses it without rewriting it (no ReportFinalized).
      expect((await oracle.getReport(dealAddress, 0n)).round).to.equal(1n);
      const tx = deal.distribute(0n);
      await expect(tx).to.emit(deal, "PeriodDistributed");
      await expect(tx).to.not.emit(oracle, "ReportFinalized");
    });

    it("test_distribute_reportFinalExactlyAtWindowEnd", async function () {
      const { deal, r, protocol, dealAddress } =
        await networkHelpers.loadFixture(activeDealFixture);
      await networkHelpers.time.increaseTo(await deal.periodEnd(0));
      await proposeReport(ethers, protocol, r, deal, 0n, 100n * K);
      const finalAt = BigInt(await networkHelpers.time.latest()) + DISPUTE_WINDOW;
      await networkHelpers.time.setNextBlockTimestamp(finalAt);
      await expect(deal.distribute(0n)).to.emit(deal, "PeriodDistributed");
      expect(await protocol.oracle.reportState(dealAddress, 0n)).to.equal(ReportState.Final);
    });

    it("test_distribute_periodNotReady_outOfOrder", async function () {
      const { deal, r, protocol } = await networkHelpers.loadFixture(activeDealFixture);
      await reportEach(protocol, r, deal, [0n, 1n, 2n], 100n * K);
      await expect(deal.distribute(1n))
        .to.be.revertedWithCustomError(deal, "WaterfallPeriodNotReady")
        .withArgs(1n, 0n);
      await expect(deal.distribute(11n))
        .to.be.revertedWithCustomError(deal, "WaterfallPeriodNotReady")
        .withArgs(11n, 0n);
      await deal.distribute(0n);
      await expect(deal.distribute(2n))
        .to.be.revertedWithCustomError(deal, "WaterfallPeriodNotReady")
        .withArgs(2n, 1n);
      await expect(deal.distribute(1n)).to.emit(deal, "PeriodDistributed");
    });

    it("test_distribute_beyondMaturity", async function () {
      const { deal } = await networkHelpers.loadFixture(activeDealFixture);
      for (const p of [12n, 13n, ethers.MaxUint256]) {
        await expect(deal.distribute(p))
          .to.be.revertedWithCustomError(deal, "WaterfallPeriodBeyondMaturity")
          .withArgs(p, 12n);
      }
    });

    it("test_distribute_alreadyDistributed", async function () {
      const { deal, r, protocol, dealAddress } =
        await networkHelpers.loadFixture(activeDealFixture);
      await networkHelpers.time.increaseTo(await deal.periodEnd(0));
      await submitReport(ethers, networkHelpers, protocol, r, deal, 0n, 100n * K);
      await deal.connect(r.servicer).depositCollections(200n * K);
      await deal.distribute(0n);
      const state = [
        await deal.undistributedCollections(),
        await deal.reserve(),
        await protocol.stablecoin.balanceOf(dealAddress),
      ];
      await expect(deal.distribute(0n))
        .to.be.revertedWithCustomError(deal, "WaterfallPeriodAlreadyDistributed")
        .withArgs(0n);
      expect([
        await deal.undistributedCollections(),
        await deal.reserve(),
        await protocol.stablecoin.balanceOf(dealAddress),
      ]).to.deep.equal(state);
      expect(await deal.nextPeriod()).to.equal(1n);
    });

    it("test_distribute_whenPaused", async function () {
      const { deal, r, protocol } = await networkHelpers.loadFixture(activeDealFixture);
      await networkHelpers.time.increaseTo(await deal.periodEnd(0));
      await submitReport(ethers, networkHelpers, protocol, r, deal, 0n, 100n * K);
      await deal.connect(r.guardian).pause();
      await expect(deal.distribute(0n))
        .to.be.revertedWithCustomError(deal, "EnforcedPause")
        .withArgs();
      expect(await deal.nextPeriod()).to.equal(0n);
      await deal.connect(r.guardian).unpause();
      await expect(deal.distribute(0n)).to.emit(deal, "PeriodDistributed");
    });

    it("test_distribute_anyoneMayCall", async function () {
      const { deal, r, protocol, outsider } = await networkHelpers.loadFixture(activeDealFixture);
      await networkHelpers.time.increaseTo(await deal.periodEnd(0));
      await submitReport(ethers, networkHelpers, protocol, r, deal, 0n, 100n * K);
      await expect(deal.connect(outsider).distribute(0n)).to.emit(deal, "PeriodDistributed");
      expect(await deal.nextPeriod()).to.equal(1n);
    });
  });
});
