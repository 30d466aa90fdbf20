import { expect } from "chai";

import { DAY, DISPUTE_WINDOW, signReport } from "../helpers/fixtures.js";
import { plain } from "../helpers/oracle-signing.js";
import {
  ethers,
  networkHelpers,
  time,
  ReportState,
  REPORT_DEADLINE,
  PERIODS,
  REASON,
  dealFixture,
  endedFixture,
  report,
  expectUnchanged,
} from "../helpers/oracle-fixtures.js";

describe("UtilizationOracle", function () {
  describe("markUnreported", function () {
    it("test_markUnreported_afterDeadline", async function () {
      const f = await networkHelpers.loadFixture(dealFixture);
      const { oracle, dealAddress, deal, outsider } = f;
      const deadline = (await deal.periodEnd(0)) + REPORT_DEADLINE;
      expect(await oracle.reportDeadline(dealAddress, 0n)).to.equal(deadline);
      await expectUnchanged(oracle, dealAddress, async () => {
        await expect(oracle.markUnreported(dealAddress, 0n))
          .to.be.revertedWithCustomError(oracle, "ReportDeadlineNotReached")
          .withArgs(dealAddress, 0n, deadline);
        await time.setNextBlockTimestamp(deadline - 1n);
        await expect(oracle.markUnreported(dealAddress, 0n))
          .to.be.revertedWithCustomError(oracle, "ReportDeadlineNotReached")
          .withArgs(dealAddress, 0n, deadline);
        // A period that has not even started.
        await expect(oracle.markUnreported(dealAddress, 5n))
          .to.be.revertedWithCustomError(oracle, "ReportDeadlineNotReached")
          .withArgs(dealAddress, 5n, (await deal.periodEnd(5)) + REPORT_DEADLINE);
      });
      // Anyone, from the deadline on.
      await time.setNextBlockTimestamp(deadline);
      await expect(oracle.connect(outsider).markUnreported(dealAddress, 0n))
        .to.emit(oracle, "PeriodUnreported")
        .withArgs(dealAddress, 0n, outsider.address);
      expect(await oracle.reportState(dealAddress, 0n)).to.equal(ReportState.Unreported);
      expect(plain(await oracle.getReport(dealAddress, 0n))).to.deep.equal([
        0n,
        0n,
        0n,
        0n,
        0n,
        3n,
        0n,
        0n,
        0n,
        0n,
      ]);
      expect(plain(await oracle.periodOutcome(dealAddress, 0n))).to.deep.equal([false, 0n, 0n, 0n]);
      // Twice.
      await expect(oracle.markUnreported(dealAddress, 0n))
        .to.be.revertedWithCustomError(oracle, "ReportPeriodUnreported")
        .withArgs(dealAddress, 0n);
    });

    it("test_markUnreported_refusedWhilePendingOrFinal", async function () {
      const f = await networkHelpers.loadFixture(endedFixture);
      const { oracle, dealAddress, deal } = f;
      const deadline = (await deal.periodEnd(1)) + REPORT_DEADLINE;
      // Proposed one second before the deadline: still pending after it.
      await time.setNextBlockTimestamp(deadline - 1n);
      const rep = await report(f, 1n);
      const s = await signReport(ethers, oracle, rep, f.r.reporters.slice(0, 2));
      await oracle.submitReport(rep, s.signers, s.signatures);
      await time.increaseTo(deadline + 1n);
      await expectUnchanged(oracle, dealAddress, async () => {
        await expect(oracle.markUnreported(dealAddress, 1n))
          .to.be.revertedWithCustomError(oracle, "ReportAlreadyProposed")
          .withArgs(dealAddress, 1n, 0n);
      });
      // Final.
      await time.increase(DISPUTE_WINDOW);
      await expect(oracle.markUnreported(dealAddress, 1n))
        .to.be.revertedWithCustomError(oracle, "ReportAlreadyProposed")
        .withArgs(dealAddress, 1n, 0n);
      await oracle.finalize(dealAddress, 1n);
      await expect(oracle.markUnreported(dealAddress, 1n))
        .to.be.revertedWithCustomError(oracle, "ReportAlreadyProposed")
        .withArgs(dealAddress, 1n, 0n);
    });

    it("test_markUnreported_afterDisputePastDeadline", async function () {
      // A quorum report proposed just before the deadline and disputed after it: a single disputer must not be able
      // to turn it into a missed report at once. The deadline moves to one dispute window after the dispute, and a
      // new quorum report of the next round is accepted in the meantime.
      const f = await networkHelpers.loadFixture(endedFixture);
      const { oracle, dealAddress, deal, r } = f;
      const deadline = (await deal.periodEnd(1)) + REPORT_DEADLINE;
      await time.setNextBlockTimestamp(deadline - 1n);
      const rep = await report(f, 1n);
      const s = await signReport(ethers, oracle, rep, r.reporters.slice(0, 2));
      await oracle.submitReport(rep, s.signers, s.signatures);
      const disputedAt = deadline + 60n;
      await time.setNextBlockTimestamp(disputedAt);
      await oracle.connect(r.reporters[2]).dispute(dealAddress, 1n, REASON);
      const extended = disputedAt + DISPUTE_WINDOW;
      expect(await oracle.reportDeadline(dealAddress, 1n)).to.equal(extended);
      await expectUnchanged(oracle, dealAddress, async () => {
        await expect(oracle.markUnreported(dealAddress, 1n))
          .to.be.revertedWithCustomError(oracle, "ReportDeadlineNotReached")
          .withArgs(dealAddress, 1n, extended);
      });
      // Once the extension has passed with nothing pending, the period can be marked.
      await time.setNextBlockTimestamp(extended);
      await expect(oracle.markUnreported(dealAddress, 1n))
        .to.emit(oracle, "PeriodUnreported")
        .withArgs(dealAddress, 1n, (await ethers.getSigners())[0].address);
      expect(plain(await oracle.getReport(dealAddress, 1n))).to.deep.equal([
        0n,
        0n,
        0n,
        0n,
        1n,
        3n,
        disputedAt,
        0n,
        0n,
        0n,
      ]);
    });

    it("test_markUnreported_newRoundWithinTheExtension", async function () {
      const f = await networkHelpers.loadFixture(endedFixture);
      const { oracle, dealAddress, deal, r } = f;
      const deadline = (await deal.periodEnd(1)) + REPORT_DEADLINE;
      await time.setNextBlockTimestamp(deadline - 1n);
      const first = await report(f, 1n);
      const s0 = await signReport(ethers, oracle, first, r.reporters.slice(0, 2));
      await oracle.submitReport(first, s0.signers, s0.signatures);
      await oracle.connect(r.reporters[2]).dispute(dealAddress, 1n, REASON);
      // Round 1, past the original deadline but within the extension: accepted, and it holds the period.
      const second = await report(f, 1n);
      expect(second.round).to.equal(1n);
      const s1 = await signReport(ethers, oracle, second, r.reporters);
      await oracle.submitReport(second, s1.signers, s1.signatures);
      expect(await oracle.reportState(dealAddress, 1n)).to.equal(ReportState.Pending);
      await expect(oracle.markUnreported(dealAddress, 1n))
        .to.be.revertedWithCustomError(oracle, "ReportAlreadyProposed")
        .withArgs(dealAddress, 1n, 1n);
    });

    it("test_markUnreported_outOfRange", async function () {
      const f = await networkHelpers.loadFixture(dealFixture);
      const { oracle, dealAddress, deal } = f;
      await time.increaseTo((await deal.finalMaturity()) + 100n * DAY);
      await expectUnchanged(oracle, dealAddress, async () => {
        for (const period of [PERIODS, PERIODS + 1n, 2n ** 256n - 1n]) {
          await expect(oracle.markUnreported(dealAddress, period))
            .to.be.revertedWithCustomError(oracle, "ReportPeriodOutOfRange")
            .withArgs(dealAddress, period, PERIODS);
        }
      });
      await expect(oracle.markUnreported(dealAddress, PERIODS - 1n)).to.emit(
        oracle,
        "PeriodUnreported",
      );
    });
  });
});
