import { expect } from "chai";

import { activateDeal, DISPUTE_WINDOW, signReport } from "../helpers/fixtures.js";
import { plain } from "../helpers/oracle-signing.js";
import {
  ethers,
  networkHelpers,
  time,
  ReportState,
  REPORT_DEADLINE,
  PERIODS,
  REVENUE,
  REASON,
  dealFixture,
  endedFixture,
  report,
  propose,
  expectUnchanged,
} from "../helpers/oracle-fixtures.js";

describe("UtilizationOracle", function () {
  describe("dispute window", function () {
    it("test_report_pendingUntilWindowEndsThenFinal", async function () {
      const f = await networkHelpers.loadFixture(endedFixture);
      const { oracle, dealAddress } = f;
      const { rep, proposedAt } = await propose(f, 0n);
      await time.increaseTo(proposedAt + DISPUTE_WINDOW - 1n);
      expect(await oracle.reportState(dealAddress, 0n)).to.equal(ReportState.Pending);
      expect((await oracle.getReport(dealAddress, 0n)).state).to.equal(BigInt(ReportState.Pending));
      await expect(oracle.periodOutcome(dealAddress, 0n))
        .to.be.revertedWithCustomError(oracle, "ReportNotFinal")
        .withArgs(dealAddress, 0n);
      await time.increaseTo(proposedAt + DISPUTE_WINDOW);
      expect(await oracle.reportState(dealAddress, 0n)).to.equal(ReportState.Final);
      expect(plain(await oracle.getReport(dealAddress, 0n))).to.deep.equal([
        rep.gpuHoursAvailable,
        rep.gpuHoursBilled,
        rep.revenue,
        proposedAt,
        0n,
        BigInt(ReportState.Final),
        0n,
        rep.energyKwh,
        rep.pue,
        rep.appraisal,
      ]);
      expect(plain(await oracle.periodOutcome(dealAddress, 0n))).to.deep.equal([
        true,
        rep.gpuHoursAvailable,
        rep.gpuHoursBilled,
        rep.revenue,
      ]);
    });

    it("test_dispute_byReporterVoidsAndOpensNextRound", async function () {
      const f = await networkHelpers.loadFixture(endedFixture);
      const { oracle, dealAddress, r } = f;
      const { proposedAt } = await propose(f, 0n);
      // The third reporter, who did not sign, disputes on the last second of the window.
      await time.setNextBlockTimestamp(proposedAt + DISPUTE_WINDOW - 1n);
      await expect(oracle.connect(r.reporters[2]).dispute(dealAddress, 0n, REASON))
        .to.emit(oracle, "ReportDisputed")
        .withArgs(dealAddress, 0n, 0n, r.reporters[2].address, REASON);
      expect(plain(await oracle.getReport(dealAddress, 0n))).to.deep.equal([
        0n,
        0n,
        0n,
        0n,
        1n,
        0n,
        proposedAt + DISPUTE_WINDOW - 1n,
        0n,
        0n,
        0n,
      ]);
      expect(await oracle.reportState(dealAddress, 0n)).to.equal(ReportState.None);
      await expect(oracle.periodOutcome(dealAddress, 0n))
        .to.be.revertedWithCustomError(oracle, "ReportNotFinal")
        .withArgs(dealAddress, 0n);
      // A new quorum report for round 1, with other figures.
      const next = await report(f, 0n, { revenue: REVENUE / 2n });
      expect(next.round).to.equal(1n);
      const s = await signReport(ethers, oracle, next, r.reporters.slice(1));
      const at = BigInt(await time.latest()) + 1n;
      await time.setNextBlockTimestamp(at);
      await expect(oracle.submitReport(next, s.signers, s.signatures))
        .to.emit(oracle, "ReportProposed")
        .withArgs(
          dealAddress,
          0n,
          1n,
          next.gpuHoursAvailable,
          next.gpuHoursBilled,
          REVENUE / 2n,
          next.reportHash,
          s.signers,
          at + DISPUTE_WINDOW,
        );
      await time.increase(DISPUTE_WINDOW);
      expect(plain(await oracle.periodOutcome(dealAddress, 0n))).to.deep.equal([
        true,
        next.gpuHoursAvailable,
        next.gpuHoursBilled,
        REVENUE / 2n,
      ]);
      expect((await oracle.getReport(dealAddress, 0n)).round).to.equal(1n);
    });

    it("test_dispute_byGuardian", async function () {
      const f = await networkHelpers.loadFixture(endedFixture);
      const { oracle, dealAddress, r, deal, outsider } = f;
      await propose(f, 1n);
      await expect(oracle.connect(r.guardian).dispute(dealAddress, 1n, ethers.ZeroHash))
        .to.emit(oracle, "ReportDisputed")
        .withArgs(dealAddress, 1n, 0n, r.guardian.address, ethers.ZeroHash);
      // Whoever holds the deal's guardian role now: the guardian hands over after the deal's delay.
      await deal.connect(r.guardian).proposeGuardian(outsider.address);
      await time.increase(await deal.GUARDIAN_CHANGE_DELAY());
      await deal.connect(outsider).applyGuardianChange();
      await propose(f, 1n);
      await expect(oracle.connect(r.guardian).dispute(dealAddress, 1n, REASON))
        .to.be.revertedWithCustomError(oracle, "NotDisputer")
        .withArgs(dealAddress, r.guardian.address);
      await expect(oracle.connect(outsider).dispute(dealAddress, 1n, REASON))
        .to.emit(oracle, "ReportDisputed")
        .withArgs(dealAddress, 1n, 1n, outsider.address, REASON);
      expect((await oracle.getReport(dealAddress, 1n)).round).to.equal(2n);
    });

    it("test_dispute_notDisputer", async function () {
      const f = await networkHelpers.loadFixture(endedFixture);
      const { oracle, dealAddress, r, outsider, protocol } = f;
      await propose(f, 0n);
      await expectUnchanged(oracle, dealAddress, async () => {
        // Neither a stranger, nor the issuer admin, the servicer, the trustee or the oracle's admin.
        for (const caller of [outsider, r.issuer, r.servicer, r.trustee, protocol.admin]) {
          await expect(oracle.connect(caller).dispute(dealAddress, 0n, REASON))
            .to.be.revertedWithCustomError(oracle, "NotDisputer")
            .withArgs(dealAddress, caller.address);
        }
        // Checked before whether anything is pending.
        await expect(oracle.connect(outsider).dispute(dealAddress, 5n, REASON))
          .to.be.revertedWithCustomError(oracle, "NotDisputer")
          .withArgs(dealAddress, outsider.address);
      });
    });

    it("test_dispute_windowClosed", async function () {
      const f = await networkHelpers.loadFixture(endedFixture);
      const { oracle, dealAddress, r } = f;
      const { proposedAt } = await propose(f, 0n);
      const closesAt = proposedAt + DISPUTE_WINDOW;
      await expectUnchanged(oracle, dealAddress, async () => {
        await time.setNextBlockTimestamp(closesAt);
        await expect(oracle.connect(r.reporters[0]).dispute(dealAddress, 0n, REASON))
          .to.be.revertedWithCustomError(oracle, "DisputeWindowClosed")
          .withArgs(dealAddress, 0n, closesAt);
        await expect(oracle.connect(r.guardian).dispute(dealAddress, 0n, REASON))
          .to.be.revertedWithCustomError(oracle, "DisputeWindowClosed")
          .withArgs(dealAddress, 0n, closesAt);
      });
      await time.increaseTo(closesAt);
      expect(await oracle.reportState(dealAddress, 0n)).to.equal(ReportState.Final);
    });

    it("test_dispute_noPendingReport", async function () {
      const f = await networkHelpers.loadFixture(endedFixture);
      const { oracle, dealAddress, deal, r } = f;
      const disputer = oracle.connect(r.reporters[1]);
      await expectUnchanged(oracle, dealAddress, async () => {
        // Nothing proposed; out of range.
        await expect(disputer.dispute(dealAddress, 0n, REASON))
          .to.be.revertedWithCustomError(oracle, "NoPendingReport")
          .withArgs(dealAddress, 0n);
        await expect(disputer.dispute(dealAddress, PERIODS, REASON))
          .to.be.revertedWithCustomError(oracle, "NoPendingReport")
          .withArgs(dealAddress, PERIODS);
      });
      // Disputed already (void).
      await propose(f, 0n);
      await disputer.dispute(dealAddress, 0n, REASON);
      await expect(disputer.dispute(dealAddress, 0n, REASON))
        .to.be.revertedWithCustomError(oracle, "NoPendingReport")
        .withArgs(dealAddress, 0n);
      // Recorded final.
      await propose(f, 1n);
      await time.increase(DISPUTE_WINDOW);
      await oracle.finalize(dealAddress, 1n);
      await expect(disputer.dispute(dealAddress, 1n, REASON))
        .to.be.revertedWithCustomError(oracle, "NoPendingReport")
        .withArgs(dealAddress, 1n);
      // Unreported.
      await time.increaseTo((await deal.periodEnd(2)) + REPORT_DEADLINE);
      await oracle.markUnreported(dealAddress, 2n);
      await expect(disputer.dispute(dealAddress, 2n, REASON))
        .to.be.revertedWithCustomError(oracle, "NoPendingReport")
        .withArgs(dealAddress, 2n);
    });
  });

  describe("finalize", function () {
    it("test_finalize_notFinal", async function () {
      const f = await networkHelpers.loadFixture(endedFixture);
      const { oracle, dealAddress } = f;
      // Period 1 has just ended: no report yet and its deadline is ahead. Out of range periods are never final.
      await expectUnchanged(oracle, dealAddress, async () => {
        await expect(oracle.finalize(dealAddress, 1n))
          .to.be.revertedWithCustomError(oracle, "ReportNotFinal")
          .withArgs(dealAddress, 1n);
        await expect(oracle.finalize(dealAddress, PERIODS))
          .to.be.revertedWithCustomError(oracle, "ReportNotFinal")
          .withArgs(dealAddress, PERIODS);
      });
      const { proposedAt } = await propose(f, 1n);
      await time.setNextBlockTimestamp(proposedAt + DISPUTE_WINDOW - 1n);
      await expect(oracle.finalize(dealAddress, 1n))
        .to.be.revertedWithCustomError(oracle, "ReportNotFinal")
        .withArgs(dealAddress, 1n);
    });

    it("test_finalize_marksAPeriodPastItsDeadlineUnreported", async function () {
      const f = await networkHelpers.loadFixture(endedFixture);
      const { oracle, dealAddress, outsider } = f;
      // Period 0 past its report deadline, with nothing reported.
      await time.increaseTo(await oracle.reportDeadline(dealAddress, 0n));
      expect(plain(await oracle.finalize.staticCall(dealAddress, 0n))).to.deep.equal([
        false,
        0n,
        0n,
        0n,
      ]);
      await expect(oracle.connect(outsider).finalize(dealAddress, 0n))
        .to.emit(oracle, "PeriodUnreported")
        .withArgs(dealAddress, 0n, outsider.address);
      expect(await oracle.reportState(dealAddress, 0n)).to.equal(BigInt(ReportState.Unreported));
      // Idempotent: no second event.
      await expect(oracle.finalize(dealAddress, 0n)).to.not.emit(oracle, "PeriodUnreported");
    });

    it("test_finalize_emitsOnceIdempotentReturnsOutcome", async function () {
      const f = await networkHelpers.loadFixture(endedFixture);
      const { oracle, dealAddress, outsider, r } = f;
      const { rep, proposedAt } = await propose(f, 0n);
      await time.increaseTo(proposedAt + DISPUTE_WINDOW);
      const outcome = [true, rep.gpuHoursAvailable, rep.gpuHoursBilled, rep.revenue];
      expect(plain(await oracle.finalize.staticCall(dealAddress, 0n))).to.deep.equal(outcome);
      // Anyone finalizes.
      await expect(oracle.connect(outsider).finalize(dealAddress, 0n))
        .to.emit(oracle, "ReportFinalized")
        .withArgs(dealAddress, 0n, 0n);
      expect((await oracle.getReport(dealAddress, 0n)).state).to.equal(BigInt(ReportState.Final));
      // Again: no event, same outcome.
      await expect(oracle.finalize(dealAddress, 0n)).to.not.emit(oracle, "ReportFinalized");
      expect(plain(await oracle.finalize.staticCall(dealAddress, 0n))).to.deep.equal(outcome);
      expect(plain(await oracle.periodOutcome(dealAddress, 0n))).to.deep.equal(outcome);

      // A report of a later round carries its round.
      await propose(f, 1n, { gpuHoursBilled: 900_000n });
      await oracle.connect(r.reporters[0]).dispute(dealAddress, 1n, REASON);
      const { proposedAt: at1 } = await propose(f, 1n, { gpuHoursBilled: 900_000n });
      await time.increaseTo(at1 + DISPUTE_WINDOW);
      await expect(oracle.finalize(dealAddress, 1n))
        .to.emit(oracle, "ReportFinalized")
        .withArgs(dealAddress, 1n, 1n);
    });

    it("test_finalize_unreportedPeriod", async function () {
      const f = await networkHelpers.loadFixture(endedFixture);
      const { oracle, dealAddress, deal } = f;
      await time.increaseTo((await deal.periodEnd(1)) + REPORT_DEADLINE);
      await oracle.markUnreported(dealAddress, 1n);
      expect(plain(await oracle.finalize.staticCall(dealAddress, 1n))).to.deep.equal([
        false,
        0n,
        0n,
        0n,
      ]);
      await expect(oracle.finalize(dealAddress, 1n)).to.not.emit(oracle, "ReportFinalized");
      expect(await oracle.reportState(dealAddress, 1n)).to.equal(ReportState.Unreported);
    });

    it("test_finalize_calledByTheDealWhenItDistributes", async function () {
      const f = await networkHelpers.loadFixture(dealFixture);
      const { oracle, dealAddress, deal, r, protocol, h } = f;
      await activateDeal(networkHelpers, protocol, r, h);
      await time.increaseTo(await deal.periodEnd(0));
      const { proposedAt } = await propose(f, 0n);
      await time.setNextBlockTimestamp(proposedAt + DISPUTE_WINDOW - 1n);
      await expect(deal.distribute(0n))
        .to.be.revertedWithCustomError(oracle, "ReportNotFinal")
        .withArgs(dealAddress, 0n);
      // (A refused transaction mines no block: the next one is still due at the time set above.)
      await time.setNextBlockTimestamp(proposedAt + DISPUTE_WINDOW);
      // The deal resolves the period: final by time, nothing written or emitted by the oracle.
      const tx = deal.distribute(0n);
      await expect(tx).to.emit(deal, "PeriodDistributed");
      await expect(tx).to.not.emit(oracle, "ReportFinalized");
      expect((await oracle.getReport(dealAddress, 0n)).state).to.equal(BigInt(ReportState.Final));
      // Anyone may still record the finality, once.
      await expect(oracle.finalize(dealAddress, 0n))
        .to.emit(oracle, "ReportFinalized")
        .withArgs(dealAddress, 0n, 0n);
    });

    it("test_resolve_returnsOutcomeWithoutRecording", async function () {
      const f = await networkHelpers.loadFixture(endedFixture);
      const { oracle, dealAddress, outsider } = f;
      const { rep, proposedAt } = await propose(f, 0n);
      await expect(oracle.resolve(dealAddress, 0n))
        .to.be.revertedWithCustomError(oracle, "ReportNotFinal")
        .withArgs(dealAddress, 0n);
      await time.increaseTo(proposedAt + DISPUTE_WINDOW);
      const outcome = [true, rep.gpuHoursAvailable, rep.gpuHoursBilled, rep.revenue];
      expect(plain(await oracle.resolve.staticCall(dealAddress, 0n))).to.deep.equal(outcome);
      const tx = oracle.connect(outsider).resolve(dealAddress, 0n);
      await expect(tx).to.not.emit(oracle, "ReportFinalized");
      expect((await oracle.getReport(dealAddress, 0n)).state).to.equal(BigInt(ReportState.Final));
      expect(plain(await oracle.periodOutcome(dealAddress, 0n))).to.deep.equal(outcome);
      // The stored report is untouched: recording finality afterwards still emits.
      await expect(oracle.finalize(dealAddress, 0n))
        .to.emit(oracle, "ReportFinalized")
        .withArgs(dealAddress, 0n, 0n);
    });

    it("test_resolve_marksUnreportedPastDeadline", async function () {
      const f = await networkHelpers.loadFixture(endedFixture);
      const { oracle, dealAddress, deal, outsider } = f;
      await time.increaseTo((await deal.periodEnd(1)) + REPORT_DEADLINE);
      await expect(oracle.connect(outsider).resolve(dealAddress, 1n))
        .to.emit(oracle, "PeriodUnreported")
        .withArgs(dealAddress, 1n, outsider.address);
      expect(await oracle.reportState(dealAddress, 1n)).to.equal(ReportState.Unreported);
      expect(plain(await oracle.resolve.staticCall(dealAddress, 1n))).to.deep.equal([
        false,
        0n,
        0n,
        0n,
      ]);
    });

    it("test_resolve_revertsUnregisteredDeal", async function () {
      const f = await networkHelpers.loadFixture(endedFixture);
      const { oracle, outsider } = f;
      await expect(oracle.resolve(outsider.address, 0n))
        .to.be.revertedWithCustomError(oracle, "DealNotRegistered")
        .withArgs(outsider.address);
    });
  });
});
