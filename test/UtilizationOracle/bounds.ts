import { expect } from "chai";

import {
  buildReport,
  createDeal,
  DISPUTE_WINDOW,
  signReport,
  standardTermSheet,
  WAD,
} from "../helpers/fixtures.js";
import { signSorted } from "../helpers/oracle-signing.js";
import {
  ethers,
  networkHelpers,
  time,
  ReportState,
  REPORT_DEADLINE,
  MAX_PRICE,
  MAX_STEP,
  MAX_AVAILABLE,
  REASON,
  MAX_U64,
  dealFixture,
  endedFixture,
  report,
  propose,
  expectUnchanged,
} from "../helpers/oracle-fixtures.js";

describe("UtilizationOracle", function () {
  describe("submitReport: bounds", function () {
    it("test_submitReport_billedExceedsAvailable", async function () {
      const f = await networkHelpers.loadFixture(endedFixture);
      const { oracle, dealAddress, r } = f;
      const rep = await report(f, 0n, {
        gpuHoursAvailable: 100n,
        gpuHoursBilled: 101n,
        revenue: 0n,
      });
      const s = await signReport(ethers, oracle, rep, r.reporters);
      await expectUnchanged(oracle, dealAddress, async () => {
        await expect(oracle.submitReport(rep, s.signers, s.signatures))
          .to.be.revertedWithCustomError(oracle, "BilledExceedsAvailable")
          .withArgs(101n, 100n);
        // Bounds come before signatures.
        await expect(oracle.submitReport(rep, [], []))
          .to.be.revertedWithCustomError(oracle, "BilledExceedsAvailable")
          .withArgs(101n, 100n);
      });
    });

    it("test_submitReport_availableExceedsFleet", async function () {
      const f = await networkHelpers.loadFixture(endedFixture);
      const { oracle, dealAddress, r } = f;
      expect(MAX_AVAILABLE).to.equal(1_474_560n);
      const rep = await report(f, 0n, {
        gpuHoursAvailable: MAX_AVAILABLE + 1n,
        gpuHoursBilled: 0n,
        revenue: 0n,
      });
      const s = await signReport(ethers, oracle, rep, r.reporters);
      await expectUnchanged(oracle, dealAddress, async () => {
        await expect(oracle.submitReport(rep, s.signers, s.signatures))
          .to.be.revertedWithCustomError(oracle, "AvailableExceedsFleet")
          .withArgs(MAX_AVAILABLE + 1n, MAX_AVAILABLE);
        await expect(oracle.submitReport({ ...rep, gpuHoursAvailable: MAX_U64 }, [], []))
          .to.be.revertedWithCustomError(oracle, "AvailableExceedsFleet")
          .withArgs(MAX_U64, MAX_AVAILABLE);
      });
      const atMax = { ...rep, gpuHoursAvailable: MAX_AVAILABLE };
      const sm = await signReport(ethers, oracle, atMax, r.reporters);
      await expect(oracle.submitReport(atMax, sm.signers, sm.signatures)).to.emit(
        oracle,
        "ReportProposed",
      );
    });

    it("test_submitReport_availableExceedsFleet_roundsHoursDown", async function () {
      const { oracle, protocol, r, domain } = await networkHelpers.loadFixture(dealFixture);
      // A 90-minute period and 3 GPUs: 4.5 GPU-hours, so at most 4.
      const terms = await standardTermSheet(networkHelpers, protocol, r, { periodLength: 5_400n });
      terms.oracle = { ...terms.oracle, fleetGpus: 3n };
      const h = await createDeal(ethers, protocol, terms);
      const dealAddress = await h.deal.getAddress();
      await time.increaseTo(await h.deal.periodEnd(0));
      const base = await buildReport(ethers, protocol, h.deal, 0n, 0n, 0n, 5n);
      const s = await signSorted(domain, base, r.reporters);
      await expect(oracle.submitReport(base, s.signers, s.signatures))
        .to.be.revertedWithCustomError(oracle, "AvailableExceedsFleet")
        .withArgs(5n, 4n);
      const ok = { ...base, gpuHoursAvailable: 4n };
      const so = await signSorted(domain, ok, r.reporters);
      await expect(oracle.submitReport(ok, so.signers, so.signatures)).to.emit(
        oracle,
        "ReportProposed",
      );
      expect((await oracle.getReport(dealAddress, 0n)).gpuHoursAvailable).to.equal(4n);
    });

    it("test_submitReport_revenueExceedsBound", async function () {
      const f = await networkHelpers.loadFixture(endedFixture);
      const { oracle, dealAddress, r } = f;
      const bound = 700_000n * MAX_PRICE;
      const rep = await report(f, 0n, { revenue: bound + 1n });
      const s = await signReport(ethers, oracle, rep, r.reporters);
      await expectUnchanged(oracle, dealAddress, async () => {
        await expect(oracle.submitReport(rep, s.signers, s.signatures))
          .to.be.revertedWithCustomError(oracle, "RevenueExceedsBound")
          .withArgs(bound + 1n, bound);
        // No hours billed: no revenue at all.
        await expect(oracle.submitReport({ ...rep, gpuHoursBilled: 0n, revenue: 1n }, [], []))
          .to.be.revertedWithCustomError(oracle, "RevenueExceedsBound")
          .withArgs(1n, 0n);
      });
      const atBound = { ...rep, revenue: bound };
      const sb = await signReport(ethers, oracle, atBound, r.reporters.slice(0, 2));
      await expect(oracle.submitReport(atBound, sb.signers, sb.signatures)).to.emit(
        oracle,
        "ReportProposed",
      );
    });

    it("test_submitReport_utilizationStepNeedsAllReporters", async function () {
      const f = await networkHelpers.loadFixture(endedFixture);
      const { oracle, dealAddress, r } = f;
      await propose(f, 0n); // U = 70 %, pending
      // 70 % → 20 %: a step of 50 % > 40 %.
      const drop = await report(f, 1n, { gpuHoursBilled: 200_000n, revenue: 0n });
      const two = await signReport(ethers, oracle, drop, r.reporters.slice(0, 2));
      const step = (50n * WAD) / 100n;
      await expectUnchanged(oracle, dealAddress, async () => {
        await expect(oracle.submitReport(drop, two.signers, two.signatures))
          .to.be.revertedWithCustomError(oracle, "UtilizationStepNeedsAllReporters")
          .withArgs(step, MAX_STEP, 2n, 3n);
        // Checked before the signatures themselves.
        await expect(oracle.submitReport(drop, two.signers, [two.signatures[1], two.signatures[0]]))
          .to.be.revertedWithCustomError(oracle, "UtilizationStepNeedsAllReporters")
          .withArgs(step, MAX_STEP, 2n, 3n);
        // Fewer than the quorum is refused for the quorum first.
        await expect(oracle.submitReport(drop, two.signers.slice(0, 1), two.signatures.slice(0, 1)))
          .to.be.revertedWithCustomError(oracle, "InsufficientSignatures")
          .withArgs(1n, 2n);
      });
      // Every reporter signs: accepted.
      const all = await signReport(ethers, oracle, drop, r.reporters);
      await expect(oracle.submitReport(drop, all.signers, all.signatures)).to.emit(
        oracle,
        "ReportProposed",
      );

      // Period 2 against period 1 (20 %, pending): a rise to 70 % once 1 is final still needs everyone.
      await time.increaseTo(await f.deal.periodEnd(2));
      await time.increase(DISPUTE_WINDOW);
      expect(await oracle.reportState(dealAddress, 1n)).to.equal(ReportState.Final);
      const rise = await report(f, 2n);
      const s2 = await signReport(ethers, oracle, rise, r.reporters.slice(1));
      await expect(oracle.submitReport(rise, s2.signers, s2.signatures))
        .to.be.revertedWithCustomError(oracle, "UtilizationStepNeedsAllReporters")
        .withArgs(step, MAX_STEP, 2n, 3n);
      // A step of exactly the maximum is fine with the quorum: 20 % → 60 %.
      const edge = await report(f, 2n, { gpuHoursBilled: 600_000n });
      const se = await signReport(ethers, oracle, edge, r.reporters.slice(1));
      await expect(oracle.submitReport(edge, se.signers, se.signatures)).to.emit(
        oracle,
        "ReportProposed",
      );
    });

    it("test_submitReport_noStepCheckWithoutPreviousReport", async function () {
      const f = await networkHelpers.loadFixture(endedFixture);
      const { oracle, dealAddress, deal, r } = f;
      // Period 0 has no previous period: 100 % with the quorum.
      const first = await report(f, 0n, { gpuHoursBilled: 1_000_000n });
      const s0 = await signReport(ethers, oracle, first, r.reporters.slice(0, 2));
      await oracle.submitReport(first, s0.signers, s0.signatures);
      // Period 1 while period 0 is disputed (no report): 0 % with the quorum.
      await oracle.connect(r.reporters[0]).dispute(dealAddress, 0n, REASON);
      const zero = await report(f, 1n, { gpuHoursBilled: 0n, revenue: 0n });
      const s1 = await signReport(ethers, oracle, zero, r.reporters.slice(0, 2));
      await expect(oracle.submitReport(zero, s1.signers, s1.signatures)).to.emit(
        oracle,
        "ReportProposed",
      );
      // Period 4 at 100 % after period 3 was marked unreported (at period 3's deadline, before period 4's).
      await time.increaseTo((await deal.periodEnd(3)) + REPORT_DEADLINE);
      await oracle.markUnreported(dealAddress, 3n);
      const after = await report(f, 4n, { gpuHoursBilled: 1_000_000n });
      const s4 = await signReport(ethers, oracle, after, r.reporters.slice(1));
      await expect(oracle.submitReport(after, s4.signers, s4.signatures)).to.emit(
        oracle,
        "ReportProposed",
      );
      // Period 6 at 0 % while period 5 was never reported (period 4 said 100 %).
      await time.increaseTo(await deal.periodEnd(6));
      const six = await report(f, 6n, { gpuHoursBilled: 0n, revenue: 0n });
      const s6 = await signReport(ethers, oracle, six, r.reporters.slice(0, 2));
      await expect(oracle.submitReport(six, s6.signers, s6.signatures)).to.emit(
        oracle,
        "ReportProposed",
      );
    });

    it("test_submitReport_utilizationStepCheckedAgainstReportedNextPeriod", async function () {
      // Expected behaviour, per OracleTerms: "a utilization change above maxUtilizationStep from the previous
      // period needs every reporter". When period p is reported first (period p - 1 had no report, e.g. because
      // its report was disputed), the change p - 1 → p is only known when p - 1 is reported: that report must then
      // need every reporter. The oracle checks a report against the previous period only, so a quorum can report
      // any step by reporting out of order; this test fails until the next period is checked too.
      const f = await networkHelpers.loadFixture(endedFixture);
      const { oracle, dealAddress, r } = f;
      // A quorum proposes period 0 at 70 %; the third reporter disputes it.
      await propose(f, 0n);
      await oracle.connect(r.reporters[2]).dispute(dealAddress, 0n, REASON);
      // The quorum reports period 1 at 0 % (no previous report: no step check), then period 0 again at 70 %.
      const p1 = await report(f, 1n, { gpuHoursBilled: 0n, revenue: 0n });
      const s1 = await signReport(ethers, oracle, p1, r.reporters.slice(0, 2));
      await oracle.submitReport(p1, s1.signers, s1.signatures);
      const p0 = await report(f, 0n);
      expect(p0.round).to.equal(1n);
      const two = await signReport(ethers, oracle, p0, r.reporters.slice(0, 2));
      await expectUnchanged(oracle, dealAddress, async () => {
        await expect(oracle.submitReport(p0, two.signers, two.signatures))
          .to.be.revertedWithCustomError(oracle, "UtilizationStepNeedsAllReporters")
          .withArgs((70n * WAD) / 100n, MAX_STEP, 2n, 3n);
      });
      const all = await signReport(ethers, oracle, p0, r.reporters);
      await expect(oracle.submitReport(p0, all.signers, all.signatures)).to.emit(
        oracle,
        "ReportProposed",
      );
    });
  });
});
