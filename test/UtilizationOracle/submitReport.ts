import { expect } from "chai";

import { DAY, DISPUTE_WINDOW, signReport } from "../helpers/fixtures.js";
import { plain } from "../helpers/oracle-signing.js";
import {
  ethers,
  networkHelpers,
  time,
  ReportState,
  REPORT_DEADLINE,
  MAX_PRICE,
  MAX_AVAILABLE,
  PERIODS,
  REASON,
  MAX_U64,
  dealFixture,
  endedFixture,
  report,
  nextBlockAt,
  propose,
  expectUnchanged,
} from "../helpers/oracle-fixtures.js";

describe("UtilizationOracle", function () {
  describe("submitReport", function () {
    it("test_submitReport_acceptedPending", async function () {
      const f = await networkHelpers.loadFixture(endedFixture);
      const { oracle, dealAddress, r, outsider } = f;
      const rep = await report(f, 1n);
      const { signers, signatures } = await signReport(ethers, oracle, rep, r.reporters.slice(1));
      expect(await oracle.reportState(dealAddress, 1n)).to.equal(ReportState.None);

      // Anyone may submit.
      const at = await nextBlockAt(5n);
      await expect(oracle.connect(outsider).submitReport(rep, signers, signatures))
        .to.emit(oracle, "ReportProposed")
        .withArgs(
          dealAddress,
          1n,
          0n,
          rep.gpuHoursAvailable,
          rep.gpuHoursBilled,
          rep.revenue,
          rep.reportHash,
          signers,
          at + DISPUTE_WINDOW,
        );
      expect(plain(await oracle.getReport(dealAddress, 1n))).to.deep.equal([
        rep.gpuHoursAvailable,
        rep.gpuHoursBilled,
        rep.revenue,
        at,
        0n,
        BigInt(ReportState.Pending),
        0n,
        rep.energyKwh,
        rep.pue,
        rep.appraisal,
      ]);
      expect(await oracle.reportState(dealAddress, 1n)).to.equal(ReportState.Pending);
      await expect(oracle.periodOutcome(dealAddress, 1n))
        .to.be.revertedWithCustomError(oracle, "ReportNotFinal")
        .withArgs(dealAddress, 1n);
      // Period 0 is independent.
      expect(await oracle.reportState(dealAddress, 0n)).to.equal(ReportState.None);
    });

    it("test_submitReport_allReportersAndEdgeFiguresAccepted", async function () {
      const f = await networkHelpers.loadFixture(endedFixture);
      const { oracle, dealAddress, r } = f;
      // Every reporter (more than the quorum), available at the fleet's maximum, billed = available, revenue at
      // its bound.
      const full = await report(f, 0n, {
        gpuHoursAvailable: MAX_AVAILABLE,
        gpuHoursBilled: MAX_AVAILABLE,
        revenue: MAX_AVAILABLE * MAX_PRICE,
      });
      const s = await signReport(ethers, oracle, full, r.reporters);
      const at = await nextBlockAt();
      await expect(oracle.submitReport(full, s.signers, s.signatures))
        .to.emit(oracle, "ReportProposed")
        .withArgs(
          dealAddress,
          0n,
          0n,
          MAX_AVAILABLE,
          MAX_AVAILABLE,
          MAX_AVAILABLE * MAX_PRICE,
          full.reportHash,
          s.signers,
          at + DISPUTE_WINDOW,
        );
      // Zero figures (0 % after 100 % is a step above the maximum: every reporter signs).
      const zero = await report(f, 1n, { gpuHoursAvailable: 0n, gpuHoursBilled: 0n, revenue: 0n });
      const z = await signReport(ethers, oracle, zero, r.reporters);
      await oracle.submitReport(zero, z.signers, z.signatures);
      await time.increase(DISPUTE_WINDOW);
      expect(plain(await oracle.periodOutcome(dealAddress, 0n))).to.deep.equal([
        true,
        MAX_AVAILABLE,
        MAX_AVAILABLE,
        MAX_AVAILABLE * MAX_PRICE,
      ]);
      expect(plain(await oracle.periodOutcome(dealAddress, 1n))).to.deep.equal([true, 0n, 0n, 0n]);
    });

    it("test_submitReport_periodNotEnded", async function () {
      const f = await networkHelpers.loadFixture(dealFixture);
      const { oracle, dealAddress, deal } = f;
      const endsAt = await deal.periodEnd(0);
      const rep = await report(f, 0n);
      const s = await signReport(ethers, oracle, rep, f.r.reporters);
      await expectUnchanged(oracle, dealAddress, async () => {
        await expect(oracle.submitReport(rep, s.signers, s.signatures))
          .to.be.revertedWithCustomError(oracle, "ReportPeriodNotEnded")
          .withArgs(dealAddress, 0n, endsAt);
        await time.setNextBlockTimestamp(endsAt - 1n);
        await expect(oracle.submitReport(rep, s.signers, s.signatures))
          .to.be.revertedWithCustomError(oracle, "ReportPeriodNotEnded")
          .withArgs(dealAddress, 0n, endsAt);
      });
      await time.setNextBlockTimestamp(endsAt);
      await expect(oracle.submitReport(rep, s.signers, s.signatures)).to.emit(
        oracle,
        "ReportProposed",
      );
      // Period 1 has not ended.
      const rep1 = await report(f, 1n);
      const s1 = await signReport(ethers, oracle, rep1, f.r.reporters);
      await expect(oracle.submitReport(rep1, s1.signers, s1.signatures))
        .to.be.revertedWithCustomError(oracle, "ReportPeriodNotEnded")
        .withArgs(dealAddress, 1n, await deal.periodEnd(1));
    });

    it("test_submitReport_periodOutOfRange", async function () {
      const f = await networkHelpers.loadFixture(dealFixture);
      const { oracle, dealAddress, deal } = f;
      await time.increaseTo((await deal.finalMaturity()) + DAY);
      await expectUnchanged(oracle, dealAddress, async () => {
        for (const period of [PERIODS, PERIODS + 1n, MAX_U64]) {
          const rep = await report(f, period);
          const s = await signReport(ethers, oracle, rep, f.r.reporters);
          await expect(oracle.submitReport(rep, s.signers, s.signatures))
            .to.be.revertedWithCustomError(oracle, "ReportPeriodOutOfRange")
            .withArgs(dealAddress, period, PERIODS);
        }
      });
      // The last period is in range.
      const last = await report(f, PERIODS - 1n);
      const s = await signReport(ethers, oracle, last, f.r.reporters);
      await expect(oracle.submitReport(last, s.signers, s.signatures)).to.emit(
        oracle,
        "ReportProposed",
      );
    });
  });

  describe("submitReport: rounds", function () {
    it("test_submitReport_alreadyProposedPendingAndFinal", async function () {
      const f = await networkHelpers.loadFixture(endedFixture);
      const { oracle, dealAddress, r } = f;
      const { rep } = await propose(f, 0n);
      const s = await signReport(ethers, oracle, rep, r.reporters);
      const other = await report(f, 0n, { revenue: 1n });
      const so = await signReport(ethers, oracle, other, r.reporters);
      await expectUnchanged(oracle, dealAddress, async () => {
        // Pending: the same report again, or another one of the same round, is refused.
        await expect(oracle.submitReport(rep, s.signers, s.signatures))
          .to.be.revertedWithCustomError(oracle, "ReportAlreadyProposed")
          .withArgs(dealAddress, 0n, 0n);
        await expect(oracle.submitReport(other, so.signers, so.signatures))
          .to.be.revertedWithCustomError(oracle, "ReportAlreadyProposed")
          .withArgs(dealAddress, 0n, 0n);
      });
      // Final by time only, then recorded final.
      await time.increase(DISPUTE_WINDOW);
      await expect(oracle.submitReport(other, so.signers, so.signatures))
        .to.be.revertedWithCustomError(oracle, "ReportAlreadyProposed")
        .withArgs(dealAddress, 0n, 0n);
      await oracle.finalize(dealAddress, 0n);
      await expect(oracle.submitReport(other, [], []))
        .to.be.revertedWithCustomError(oracle, "ReportAlreadyProposed")
        .withArgs(dealAddress, 0n, 0n);
    });

    it("test_submitReport_replayOfDisputedRoundAndRoundNotOpen", async function () {
      const f = await networkHelpers.loadFixture(endedFixture);
      const { oracle, dealAddress, r } = f;
      // A round that is not open yet.
      const early = await report(f, 0n, { round: 1n });
      const se = await signReport(ethers, oracle, early, r.reporters);
      await expectUnchanged(oracle, dealAddress, async () => {
        await expect(oracle.submitReport(early, se.signers, se.signatures))
          .to.be.revertedWithCustomError(oracle, "ReportRoundNotOpen")
          .withArgs(1n, 0n);
      });

      const { rep } = await propose(f, 0n);
      const s = await signReport(ethers, oracle, rep, r.reporters.slice(0, 2));
      await oracle.connect(r.reporters[2]).dispute(dealAddress, 0n, REASON);
      await expectUnchanged(oracle, dealAddress, async () => {
        // The disputed round's signatures cannot be replayed.
        await expect(oracle.submitReport(rep, s.signers, s.signatures))
          .to.be.revertedWithCustomError(oracle, "ReportReplayed")
          .withArgs(dealAddress, 0n, 0n, 1n);
        const two = { ...rep, round: 2n };
        const s2 = await signReport(ethers, oracle, two, r.reporters);
        await expect(oracle.submitReport(two, s2.signers, s2.signatures))
          .to.be.revertedWithCustomError(oracle, "ReportRoundNotOpen")
          .withArgs(2n, 1n);
      });
      // Round 1 takes a new quorum report; the early round-1 signatures are for this very report: accepted.
      const at = await nextBlockAt();
      await expect(oracle.submitReport(early, se.signers, se.signatures))
        .to.emit(oracle, "ReportProposed")
        .withArgs(
          dealAddress,
          0n,
          1n,
          early.gpuHoursAvailable,
          early.gpuHoursBilled,
          early.revenue,
          early.reportHash,
          se.signers,
          at + DISPUTE_WINDOW,
        );
      // Disputed again: round 1's signatures are replays as well.
      await oracle.connect(r.guardian).dispute(dealAddress, 0n, REASON);
      await expect(oracle.submitReport(early, se.signers, se.signatures))
        .to.be.revertedWithCustomError(oracle, "ReportReplayed")
        .withArgs(dealAddress, 0n, 1n, 2n);
      expect((await oracle.getReport(dealAddress, 0n)).round).to.equal(2n);
    });

    it("test_submitReport_periodUnreported", async function () {
      const f = await networkHelpers.loadFixture(endedFixture);
      const { oracle, dealAddress, deal, r } = f;
      await time.increaseTo((await deal.periodEnd(1)) + REPORT_DEADLINE);
      await oracle.markUnreported(dealAddress, 1n);
      const rep = await report(f, 1n);
      const s = await signReport(ethers, oracle, rep, r.reporters);
      await expectUnchanged(oracle, dealAddress, async () => {
        await expect(oracle.submitReport(rep, s.signers, s.signatures))
          .to.be.revertedWithCustomError(oracle, "ReportPeriodUnreported")
          .withArgs(dealAddress, 1n);
        // Unreported is checked before the round.
        await expect(oracle.submitReport({ ...rep, round: 3n }, [], []))
          .to.be.revertedWithCustomError(oracle, "ReportPeriodUnreported")
          .withArgs(dealAddress, 1n);
      });
    });
  });

  describe("submitReport: deadline", function () {
    it("test_submitReport_reportDeadlinePassed", async function () {
      // Period 1 is ready as unreported from its deadline on (a keeper may distribute it): a quorum report arriving
      // then, before anyone marked it, must not hold it back for another dispute window.
      const f = await networkHelpers.loadFixture(endedFixture);
      const { oracle, dealAddress, deal, r } = f;
      const deadline = (await deal.periodEnd(1)) + REPORT_DEADLINE;
      expect(await oracle.reportDeadline(dealAddress, 1n)).to.equal(deadline);
      const rep = await report(f, 1n);
      const s = await signReport(ethers, oracle, rep, r.reporters);
      await time.setNextBlockTimestamp(deadline);
      await expectUnchanged(oracle, dealAddress, async () => {
        await expect(oracle.submitReport(rep, s.signers, s.signatures))
          .to.be.revertedWithCustomError(oracle, "ReportDeadlinePassed")
          .withArgs(dealAddress, 1n, deadline);
        // Later still, and with the signatures left out: the deadline is checked before them.
        await time.increaseTo(deadline + DAY);
        await expect(oracle.submitReport(rep, [], []))
          .to.be.revertedWithCustomError(oracle, "ReportDeadlinePassed")
          .withArgs(dealAddress, 1n, deadline);
      });
      expect(await oracle.reportState(dealAddress, 1n)).to.equal(ReportState.None);
      await expect(oracle.markUnreported(dealAddress, 1n)).to.emit(oracle, "PeriodUnreported");
    });

    it("test_submitReport_acceptedJustBeforeDeadline", async function () {
      const f = await networkHelpers.loadFixture(endedFixture);
      const { oracle, dealAddress, deal, r } = f;
      const deadline = (await deal.periodEnd(1)) + REPORT_DEADLINE;
      const rep = await report(f, 1n);
      const s = await signReport(ethers, oracle, rep, r.reporters.slice(0, 2));
      await time.setNextBlockTimestamp(deadline - 1n);
      await expect(oracle.submitReport(rep, s.signers, s.signatures))
        .to.emit(oracle, "ReportProposed")
        .withArgs(
          dealAddress,
          1n,
          0n,
          rep.gpuHoursAvailable,
          rep.gpuHoursBilled,
          rep.revenue,
          rep.reportHash,
          s.signers,
          deadline - 1n + DISPUTE_WINDOW,
        );
      expect(await oracle.reportState(dealAddress, 1n)).to.equal(ReportState.Pending);
    });

    it("test_submitReport_extendedDeadlineAfterDispute", async function () {
      // Proposed just before the deadline, disputed after it: the next round is accepted until one dispute window
      // after the dispute, and refused from then on with the extended deadline.
      const f = await networkHelpers.loadFixture(endedFixture);
      const { oracle, dealAddress, deal, r } = f;
      const deadline = (await deal.periodEnd(1)) + REPORT_DEADLINE;
      await time.setNextBlockTimestamp(deadline - 1n);
      const first = await report(f, 1n);
      const s0 = await signReport(ethers, oracle, first, r.reporters.slice(0, 2));
      await oracle.submitReport(first, s0.signers, s0.signatures);
      const disputedAt = deadline + 60n;
      await time.setNextBlockTimestamp(disputedAt);
      await oracle.connect(r.reporters[2]).dispute(dealAddress, 1n, REASON);
      const extended = disputedAt + DISPUTE_WINDOW;
      expect(await oracle.reportDeadline(dealAddress, 1n)).to.equal(extended);

      const second = await report(f, 1n);
      expect(second.round).to.equal(1n);
      const s1 = await signReport(ethers, oracle, second, r.reporters.slice(0, 2));
      // At the extended deadline: refused.
      const id = await ethers.provider.send("evm_snapshot", []);
      await time.setNextBlockTimestamp(extended);
      await expectUnchanged(oracle, dealAddress, async () => {
        await expect(oracle.submitReport(second, s1.signers, s1.signatures))
          .to.be.revertedWithCustomError(oracle, "ReportDeadlinePassed")
          .withArgs(dealAddress, 1n, extended);
      });
      await ethers.provider.send("evm_revert", [id]);
      // One second before it: accepted, and the period is pending again.
      await time.setNextBlockTimestamp(extended - 1n);
      await expect(oracle.submitReport(second, s1.signers, s1.signatures))
        .to.emit(oracle, "ReportProposed")
        .withArgs(
          dealAddress,
          1n,
          1n,
          second.gpuHoursAvailable,
          second.gpuHoursBilled,
          second.revenue,
          second.reportHash,
          s1.signers,
          extended - 1n + DISPUTE_WINDOW,
        );
      expect(await oracle.reportState(dealAddress, 1n)).to.equal(ReportState.Pending);
    });

    it("test_submitReport_disputeBeforeDeadlineKeepsIt", async function () {
      // A dispute long before the deadline does not shorten it: one dispute window after the dispute is earlier.
      const f = await networkHelpers.loadFixture(endedFixture);
      const { oracle, dealAddress, deal, r } = f;
      const deadline = (await deal.periodEnd(1)) + REPORT_DEADLINE;
      await propose(f, 1n);
      await oracle.connect(r.reporters[2]).dispute(dealAddress, 1n, REASON);
      expect(await oracle.reportDeadline(dealAddress, 1n)).to.equal(deadline);
      const second = await report(f, 1n);
      const s1 = await signReport(ethers, oracle, second, r.reporters.slice(0, 2));
      await time.setNextBlockTimestamp(deadline);
      await expect(oracle.submitReport(second, s1.signers, s1.signatures))
        .to.be.revertedWithCustomError(oracle, "ReportDeadlinePassed")
        .withArgs(dealAddress, 1n, deadline);
    });
  });
});
