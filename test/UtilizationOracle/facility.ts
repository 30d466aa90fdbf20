/**
 * What a report says about the facility: energy drawn (kWh), PUE (× 10 000) and an appraisal of the collateral, and the
 * bounds of a data-center deal whose capacity is kWh of IT load (`CapacityUnit.KilowattHours`).
 */
import { expect } from "chai";

import {
  CapacityUnit,
  createDeal,
  DISPUTE_WINDOW,
  PERIOD,
  signReport,
  USDC,
} from "../helpers/fixtures.js";
import { plain } from "../helpers/oracle-signing.js";
import {
  ethers,
  networkHelpers,
  time,
  ReportState,
  REASON,
  MAX_U64,
  endedFixture,
  oracleTermSheet,
  report,
  nextBlockAt,
  propose,
  expectUnchanged,
  type Fixture,
} from "../helpers/oracle-fixtures.js";

/** A 10 MW site: 7 200 000 kWh of IT capacity in a 30-day period, at most 0.50 a billed kWh. */
const SITE_KW = 10_000n;
const SITE_CAPACITY = (SITE_KW * PERIOD) / 3_600n;
const MAX_PRICE_PER_KWH = USDC / 2n;
const PUE_SCALE = 10_000n;
const MAX_PUE = 30_000n;

/** The oracle fixture's protocol with a second deal: a data-center site counted in kWh; periods 0 and 1 ended. */
async function siteFixture() {
  const f = await endedFixture();
  const terms = await oracleTermSheet(f.protocol, f.r);
  terms.oracle = {
    ...terms.oracle,
    unit: CapacityUnit.KilowattHours,
    fleetGpus: SITE_KW,
    maxPricePerGpuHour: MAX_PRICE_PER_KWH,
  };
  const h = await createDeal(ethers, f.protocol, terms);
  await time.increaseTo(await h.deal.periodEnd(1));
  const site: Fixture = { ...f, h, deal: h.deal, dealAddress: await h.deal.getAddress(), terms };
  // The oracle fixture's own deal counts GPU-hours.
  return { ...site, gpu: f };
}

/** The site billing 5 040 000 kWh of 7 000 000 at PUE 1.35 (6 804 000 kWh drawn), with `overrides`. */
async function siteReport(f: Fixture, period: bigint, overrides = {}) {
  return report(f, period, {
    gpuHoursAvailable: 7_000_000n,
    gpuHoursBilled: 5_040_000n,
    revenue: 2_000_000n * USDC,
    energyKwh: 6_804_000n,
    pue: 13_500n,
    ...overrides,
  });
}

describe("UtilizationOracle", function () {
  describe("facility figures and kWh capacity", function () {
    it("test_registerDeal_storesTheCapacityUnit", async function () {
      const f = await networkHelpers.loadFixture(siteFixture);
      expect((await f.oracle.terms(f.dealAddress)).unit).to.equal(
        BigInt(CapacityUnit.KilowattHours),
      );
      expect(await f.oracle.PUE_SCALE()).to.equal(PUE_SCALE);
      expect(await f.oracle.MAX_PUE()).to.equal(MAX_PUE);
    });

    it("test_submitReport_kwh_storesAndEmitsTheFacilityFigures_finalOnly", async function () {
      const f = await networkHelpers.loadFixture(siteFixture);
      const { oracle, dealAddress, r } = f;
      const rep = await siteReport(f, 0n, { appraisal: 40_000_000n * USDC });
      const s = await signReport(ethers, oracle, rep, r.reporters.slice(0, 2));
      const at = await nextBlockAt();
      await expect(oracle.submitReport(rep, s.signers, s.signatures))
        .to.emit(oracle, "ReportFacilityProposed")
        .withArgs(dealAddress, 0n, 0n, 6_804_000n, 13_500n, 40_000_000n * USDC)
        .and.to.emit(oracle, "ReportProposed");
      expect(plain(await oracle.getReport(dealAddress, 0n))).to.deep.equal([
        7_000_000n,
        5_040_000n,
        2_000_000n * USDC,
        at,
        0n,
        BigInt(ReportState.Pending),
        0n,
        6_804_000n,
        13_500n,
        40_000_000n * USDC,
      ]);
      // Pending: nothing the risk engine may use yet.
      expect(plain(await oracle.facilityOutcome(dealAddress, 0n))).to.deep.equal([0n, 0n, 0n]);
      await time.increaseTo(at + DISPUTE_WINDOW);
      expect(plain(await oracle.facilityOutcome(dealAddress, 0n))).to.deep.equal([
        6_804_000n,
        13_500n,
        40_000_000n * USDC,
      ]);
    });

    it("test_submitReport_gpuDeal_withoutFacilityFigures_emitsNoFacilityEvent", async function () {
      const f = await networkHelpers.loadFixture(endedFixture);
      const rep = await report(f, 0n);
      const s = await signReport(ethers, f.oracle, rep, f.r.reporters.slice(0, 2));
      await expect(f.oracle.submitReport(rep, s.signers, s.signatures)).not.to.emit(
        f.oracle,
        "ReportFacilityProposed",
      );
      // A GPU deal may state them: energy is not bounded by GPU-hours, the PUE range applies.
      const withEnergy = await report(f, 1n, { energyKwh: MAX_U64, pue: MAX_PUE, appraisal: 1n });
      const s1 = await signReport(ethers, f.oracle, withEnergy, f.r.reporters.slice(0, 2));
      await expect(f.oracle.submitReport(withEnergy, s1.signers, s1.signatures))
        .to.emit(f.oracle, "ReportFacilityProposed")
        .withArgs(f.dealAddress, 1n, 0n, MAX_U64, MAX_PUE, 1n);
    });

    it("test_submitReport_pueOutOfRange", async function () {
      const f = await networkHelpers.loadFixture(siteFixture);
      const { oracle, dealAddress, r } = f;
      await expectUnchanged(oracle, dealAddress, async () => {
        for (const pue of [1n, PUE_SCALE - 1n, MAX_PUE + 1n, 2n ** 16n - 1n]) {
          const rep = await siteReport(f, 0n, { pue, energyKwh: 1_000_000n });
          const s = await signReport(ethers, oracle, rep, r.reporters);
          await expect(oracle.submitReport(rep, s.signers, s.signatures), `PUE ${pue}`)
            .to.be.revertedWithCustomError(oracle, "PueOutOfRange")
            .withArgs(pue, PUE_SCALE, MAX_PUE);
        }
      });
      // The bounds themselves: 1.0 and 3.0.
      for (const [period, pue] of [
        [0n, PUE_SCALE],
        [1n, MAX_PUE],
      ]) {
        const rep = await siteReport(f, period, { pue, energyKwh: 5_040_000n });
        const s = await signReport(ethers, oracle, rep, r.reporters.slice(0, 2));
        await expect(oracle.submitReport(rep, s.signers, s.signatures)).to.emit(
          oracle,
          "ReportProposed",
        );
      }
    });

    it("test_submitReport_energyPueMismatch", async function () {
      const f = await networkHelpers.loadFixture(siteFixture);
      const { oracle, dealAddress, gpu } = f;
      await expectUnchanged(oracle, dealAddress, async () => {
        const noPue = await siteReport(f, 0n, { pue: 0n });
        await expect(oracle.submitReport(noPue, [], []))
          .to.be.revertedWithCustomError(oracle, "EnergyPueMismatch")
          .withArgs(6_804_000n, 0n);
        const noEnergy = await siteReport(f, 0n, { energyKwh: 0n });
        await expect(oracle.submitReport(noEnergy, [], []))
          .to.be.revertedWithCustomError(oracle, "EnergyPueMismatch")
          .withArgs(0n, 13_500n);
      });
      // The same rule for a GPU deal (its latest ended period, which still takes reports).
      const now = BigInt(await time.latest());
      let p = 0n;
      while ((await gpu.deal.periodEnd(p + 1n)) <= now) p++;
      await expect(gpu.oracle.submitReport(await report(gpu, p, { pue: 13_500n }), [], []))
        .to.be.revertedWithCustomError(gpu.oracle, "EnergyPueMismatch")
        .withArgs(0n, 13_500n);
      await expect(gpu.oracle.submitReport(await report(gpu, p, { energyKwh: 1n }), [], []))
        .to.be.revertedWithCustomError(gpu.oracle, "EnergyPueMismatch")
        .withArgs(1n, 0n);
    });

    it("test_submitReport_energyNotReported", async function () {
      const f = await networkHelpers.loadFixture(siteFixture);
      const { oracle, dealAddress, r } = f;
      await expectUnchanged(oracle, dealAddress, async () => {
        const rep = await siteReport(f, 0n, { energyKwh: 0n, pue: 0n });
        const s = await signReport(ethers, oracle, rep, r.reporters);
        await expect(oracle.submitReport(rep, s.signers, s.signatures))
          .to.be.revertedWithCustomError(oracle, "EnergyNotReported")
          .withArgs(5_040_000n);
      });
      // A period that bills nothing (a site not yet let) may leave them out.
      const idle = await siteReport(f, 0n, {
        gpuHoursBilled: 0n,
        revenue: 0n,
        energyKwh: 0n,
        pue: 0n,
      });
      const s = await signReport(ethers, oracle, idle, r.reporters.slice(0, 2));
      await expect(oracle.submitReport(idle, s.signers, s.signatures)).to.emit(
        oracle,
        "ReportProposed",
      );
    });

    it("test_submitReport_itEnergyExceedsCapacity", async function () {
      const f = await networkHelpers.loadFixture(siteFixture);
      const { oracle, dealAddress, r } = f;
      expect(SITE_CAPACITY).to.equal(7_200_000n);
      // At PUE 1.35 the site may draw 7 200 000 × 1.35 = 9 720 000 kWh: one more is 7 200 000.74… kWh of IT energy.
      await expectUnchanged(oracle, dealAddress, async () => {
        const over = await siteReport(f, 0n, { energyKwh: 9_720_001n });
        const s = await signReport(ethers, oracle, over, r.reporters);
        await expect(oracle.submitReport(over, s.signers, s.signatures))
          .to.be.revertedWithCustomError(oracle, "ItEnergyExceedsCapacity")
          .withArgs(SITE_CAPACITY + 1n, SITE_CAPACITY);
        // PUE 1.0: the energy is the IT energy.
        await expect(
          oracle.submitReport(
            await siteReport(f, 0n, { energyKwh: SITE_CAPACITY + 1n, pue: PUE_SCALE }),
            [],
            [],
          ),
        )
          .to.be.revertedWithCustomError(oracle, "ItEnergyExceedsCapacity")
          .withArgs(SITE_CAPACITY + 1n, SITE_CAPACITY);
      });
      const atBound = await siteReport(f, 0n, { energyKwh: 9_720_000n });
      const s = await signReport(ethers, oracle, atBound, r.reporters.slice(0, 2));
      await expect(oracle.submitReport(atBound, s.signers, s.signatures)).to.emit(
        oracle,
        "ReportProposed",
      );
      // The site's revenue is bounded per kWh billed.
      const bound = 5_040_000n * MAX_PRICE_PER_KWH;
      await expect(oracle.submitReport(await siteReport(f, 1n, { revenue: bound + 1n }), [], []))
        .to.be.revertedWithCustomError(oracle, "RevenueExceedsBound")
        .withArgs(bound + 1n, bound);
      await expect(
        oracle.submitReport(
          await siteReport(f, 1n, { gpuHoursAvailable: SITE_CAPACITY + 1n }),
          [],
          [],
        ),
      )
        .to.be.revertedWithCustomError(oracle, "AvailableExceedsFleet")
        .withArgs(SITE_CAPACITY + 1n, SITE_CAPACITY);
    });

    it("test_signature_coversEnergyPueAndAppraisal", async function () {
      const f = await networkHelpers.loadFixture(siteFixture);
      const { oracle, r } = f;
      const rep = await siteReport(f, 0n, { appraisal: 40_000_000n * USDC });
      const s = await signReport(ethers, oracle, rep, r.reporters.slice(0, 2));
      const [first] = s.signers;
      for (const changed of [
        { energyKwh: rep.energyKwh - 1n },
        { pue: rep.pue + 1n },
        { appraisal: rep.appraisal + 1n },
      ]) {
        await expect(oracle.submitReport({ ...rep, ...changed }, s.signers, s.signatures))
          .to.be.revertedWithCustomError(oracle, "InvalidSignature")
          .withArgs(first);
      }
    });

    it("test_dispute_voidsTheFacilityFigures_theNextRoundStartsClean", async function () {
      const f = await networkHelpers.loadFixture(siteFixture);
      const { oracle, dealAddress, r } = f;
      await propose(f, 0n, {
        gpuHoursAvailable: 7_000_000n,
        gpuHoursBilled: 5_040_000n,
        revenue: 2_000_000n * USDC,
        energyKwh: 6_804_000n,
        pue: 13_500n,
        appraisal: 40_000_000n * USDC,
      });
      await oracle.connect(r.reporters[2]).dispute(dealAddress, 0n, REASON);
      const voided = await oracle.getReport(dealAddress, 0n);
      expect([voided.energyKwh, voided.pue, voided.appraisal, voided.round]).to.deep.equal([
        0n,
        0n,
        0n,
        1n,
      ]);
      // Round 1 appraises nothing: the voided appraisal does not come back.
      const { proposedAt } = await propose(f, 0n, {
        gpuHoursAvailable: 7_000_000n,
        gpuHoursBilled: 5_040_000n,
        revenue: 2_000_000n * USDC,
        energyKwh: 6_552_000n,
        pue: 13_000n,
      });
      await time.increaseTo(proposedAt + DISPUTE_WINDOW);
      expect(plain(await oracle.facilityOutcome(dealAddress, 0n))).to.deep.equal([
        6_552_000n,
        13_000n,
        0n,
      ]);
    });
  });
});
