import { expect } from "chai";

import {
  DAY,
  DISPUTE_WINDOW,
  DealStatus,
  USDC,
  activateDeal,
  buildReport,
  markUnreported,
  proposeReport,
  signReport,
  submitReport,
} from "../helpers/fixtures.js";
import { performData } from "../helpers/deal-scenario.js";
import {
  ethers,
  networkHelpers,
  K,
  M,
  dealFixture,
  activeDealFixture,
  shortDealNoEquityFixture,
  expectUpkeep,
  upkeepLog,
} from "../helpers/deal-fixtures.js";

describe("Deal", function () {
  describe("upkeep (Chainlink Automation) and keeper bounty", function () {
    it("test_keeperBounty_and_missedReports_views", async function () {
      const f = await networkHelpers.loadFixture(activeDealFixture);
      const { deal, protocol } = f;
      expect(await deal.keeperBounty()).to.equal(50n * USDC);
      expect(await deal.missedReports()).to.equal(0n);
      await deal.connect(f.r.servicer).depositCollections(500n * K);
      // Marking a period unreported does not count yet: the deal counts a miss when it distributes the period.
      await markUnreported(networkHelpers, protocol, deal, 0n, f.outsider);
      expect(await deal.missedReports()).to.equal(0n);
      await expect(deal.connect(f.keeper).distribute(0n))
        .to.emit(deal, "ReportMissed")
        .withArgs(0n, 1n);
      expect(await deal.missedReports()).to.equal(1n);
      // A reported period does not change the count.
      await networkHelpers.time.increaseTo(await deal.periodEnd(1));
      await submitReport(ethers, networkHelpers, protocol, f.r, deal, 1n, 100n * K);
      await expect(deal.connect(f.keeper).distribute(1n)).to.not.emit(deal, "ReportMissed");
      expect(await deal.missedReports()).to.equal(1n);
      await markUnreported(networkHelpers, protocol, deal, 2n);
      await expect(deal.connect(f.keeper).performUpkeep(performData(ethers, 2n, 1n)))
        .to.emit(deal, "ReportMissed")
        .withArgs(2n, 2n);
      expect(await deal.missedReports()).to.equal(2n);
      expect(await deal.keeperBounty()).to.equal(50n * USDC);
    });

    it("test_checkUpkeep_eachCondition_consistentWithReadyPeriod", async function () {
      const f = await networkHelpers.loadFixture(dealFixture);
      const { deal, protocol, r, h, dealAddress } = f;
      // Offering: not ready.
      await expectUpkeep(deal, false, 0n);
      await activateDeal(networkHelpers, protocol, r, h);
      // Active, period 0 not ended (up to its last second).
      await expectUpkeep(deal, false, 0n);
      const end0 = await deal.periodEnd(0);
      await networkHelpers.time.increaseTo(end0 - 1n);
      await expectUpkeep(deal, false, 0n);
      // Ended, no report.
      await networkHelpers.time.increaseTo(end0);
      await expectUpkeep(deal, false, 0n);
      // A report pending in its dispute window, up to its last second; final from then on.
      await proposeReport(ethers, protocol, r, deal, 0n, 100n * K);
      const finalAt = BigInt(await networkHelpers.time.latest()) + DISPUTE_WINDOW;
      await expectUpkeep(deal, false, 0n);
      await networkHelpers.time.increaseTo(finalAt - 1n);
      await expectUpkeep(deal, false, 0n);
      await networkHelpers.time.increaseTo(finalAt);
      await expectUpkeep(deal, true, 0n);
      // Paused, then resumed.
      await deal.connect(r.guardian).pause();
      await expectUpkeep(deal, false, 0n);
      await deal.connect(r.guardian).unpause();
      await expectUpkeep(deal, true, 0n);
      await deal.connect(f.keeper).performUpkeep(performData(ethers, 0n, 1n));
      // Period 1 not ended.
      await expectUpkeep(deal, false, 1n);
      // Period 1 ended, its report disputed (void): not ready.
      await networkHelpers.time.increaseTo(await deal.periodEnd(1));
      await proposeReport(ethers, protocol, r, deal, 1n, 100n * K);
      await protocol.oracle
        .connect(r.reporters[2])
        .dispute(dealAddress, 1n, ethers.id("wrong meter"));
      await networkHelpers.time.increase(DISPUTE_WINDOW);
      await expectUpkeep(deal, false, 1n);
      // Past the report deadline with nothing reported: ready, and running it marks the period unreported, so an
      // automated keeper never stalls on a missing report.
      await networkHelpers.time.increaseTo(
        (await protocol.oracle.reportDeadline(dealAddress, 1n)) + DAY,
      );
      await expectUpkeep(deal, true, 1n);
      await expect(deal.connect(f.keeper).performUpkeep(performData(ethers, 1n, 1n)))
        .to.emit(protocol.oracle, "PeriodUnreported")
        .withArgs(dealAddress, 1n, dealAddress)
        .and.to.emit(deal, "ReportMissed")
        .withArgs(1n, 1n);
      // A report proposed just before the deadline holds the period back past it while it is pending in its dispute
      // window; once disputed, the reporters get one more dispute window to report again, then the period is ready
      // as unreported and takes no more reports (a late report cannot hold back a period keepers see as ready).
      const deadline2 = await protocol.oracle.reportDeadline(dealAddress, 2n);
      await networkHelpers.time.setNextBlockTimestamp(deadline2 - 1n);
      await proposeReport(ethers, protocol, r, deal, 2n, 100n * K);
      await networkHelpers.time.increaseTo(deadline2 + DAY);
      await expectUpkeep(deal, false, 2n);
      await protocol.oracle
        .connect(r.reporters[2])
        .dispute(dealAddress, 2n, ethers.id("late meter"));
      await expectUpkeep(deal, false, 2n);
      await networkHelpers.time.increase(DISPUTE_WINDOW);
      await expectUpkeep(deal, true, 2n);
      const late = await buildReport(ethers, protocol, deal, 2n, 100n * K);
      const signed = await signReport(ethers, protocol.oracle, late, r.reporters.slice(0, 2));
      await expect(protocol.oracle.submitReport(late, signed.signers, signed.signatures))
        .to.be.revertedWithCustomError(protocol.oracle, "ReportDeadlinePassed")
        .withArgs(dealAddress, 2n, await protocol.oracle.reportDeadline(dealAddress, 2n));
      await expectUpkeep(deal, true, 2n);
    });

    it("test_checkUpkeep_falseOnceTheDealHasEnded", async function () {
      const f = await networkHelpers.loadFixture(shortDealNoEquityFixture);
      const { deal, r, protocol } = f;
      await deal.connect(r.servicer).depositCollections(2n * M);
      for (let p = 0n; p < 4n; p++) {
        await networkHelpers.time.increaseTo(await deal.periodEnd(p));
        await submitReport(ethers, networkHelpers, protocol, r, deal, p, 700n * K);
      }
      await expectUpkeep(deal, true, 0n);
      // One upkeep asking for every period runs the four and stops at maturity without reverting.
      const receipt = (await (
        await deal.connect(f.keeper).performUpkeep(performData(ethers, 0n, ethers.MaxUint256))
      ).wait())!;
      expect(upkeepLog(f, receipt).periods).to.deep.equal([0n, 1n, 2n, 3n]);
      expect(await deal.status()).to.equal(BigInt(DealStatus.Repaid));
      await expectUpkeep(deal, false, 4n);
      await expect(deal.performUpkeep(performData(ethers, 4n, 1n)))
        .to.be.revertedWithCustomError(deal, "DealNotActive")
        .withArgs(BigInt(DealStatus.Repaid));
      await expect(deal.performUpkeep(performData(ethers, 3n, 1n)))
        .to.be.revertedWithCustomError(deal, "WaterfallPeriodAlreadyDistributed")
        .withArgs(3n);
    });

    it("test_checkUpkeep_malformedCheckData", async function () {
      const f = await networkHelpers.loadFixture(activeDealFixture);
      // checkData is empty, one uint256, or a uint256 and an address; anything else is refused.
      for (const data of [
        "0x01",
        "0x" + "00".repeat(31),
        "0x" + "00".repeat(33),
        "0x" + "00".repeat(96),
      ]) {
        await expect(f.deal.checkUpkeep(data))
          .to.be.revertedWithCustomError(f.deal, "InvalidUpkeep")
          .withArgs();
      }
    });
  });
});
