/**
 * A data-center project deal's covenants and collateral: capacity in kWh of IT load, the Occupancy and PUE covenants
 * firing and curing on what the reports state, land that never depreciates, a 30-year building and its plant, and the
 * collateral capped by the appraisals the reporters sign (final reports only, stale marks ignored, disputed ones never
 * recorded).
 */
import { expect } from "chai";

import {
  CapacityUnit,
  DAY,
  DealStatus,
  PERIOD,
  USDC,
  WAD,
  proposeReport,
  type FacilityFigures,
  type FleetEntryInput,
} from "../helpers/fixtures.js";
import {
  DepreciationMethod,
  FleetEntryStatus,
  K,
  M,
  RiskMetric,
  TermSheetField,
  TriggerComparison,
  TriggerEffect,
  YEAR,
  ZERO_ADDRESS,
  activate,
  buildRiskDeal,
  fleetEntry,
  riskTermSheet,
  runPeriod,
  trigger,
  type RiskFixture,
} from "../helpers/risk-fixtures.js";
import { ethers, expectUnchanged, networkHelpers } from "../helpers/risk-engine-fixtures.js";

/** IT capacity of the site: 10 MW. */
const CAPACITY_KW = 10_000n;
/** kWh of IT capacity in a 30-day period: the Occupancy covenant's denominator. */
const CAPACITY = (CAPACITY_KW * PERIOD) / 3_600n;
/** An appraisal caps the collateral for 45 days: over one period end, not two. */
const APPRAISAL_MAX_AGE = 45n * DAY;
const REVENUE = 1n * M;
/** Occupancy floor 60 % and PUE cap 1.5, both curable cash traps. */
const OCCUPANCY_FLOOR = trigger(
  RiskMetric.Occupancy,
  TriggerComparison.Below,
  (60n * WAD) / 100n,
  TriggerEffect.CashTrap,
  1,
  true,
);
const PUE_CAP = trigger(
  RiskMetric.Pue,
  TriggerComparison.Above,
  (15n * WAD) / 10n,
  TriggerEffect.CashTrap,
  1,
  true,
);

function named(model: string): string {
  const bytes = Buffer.alloc(16);
  bytes.write(model);
  return "0x" + bytes.toString("hex");
}

/** Land: at cost for ever (no life, no rate, its residual is its cost). */
function land(unitCost: bigint, acquiredAt: bigint): FleetEntryInput {
  return {
    model: named("Land"),
    count: 1,
    unitCost,
    unitResidual: unitCost,
    acquiredAt,
    usefulLife: 0,
    method: DepreciationMethod.None,
    yearlyRate: 0n,
    indexAtAcquisition: 0n,
  };
}

/** The campus: land 3 M, a building 8 M over 30 years to nothing, four M&E plant units 1 M each over 15 years to 100 k. */
function campus(start: bigint): FleetEntryInput[] {
  return [
    land(3n * M, start),
    fleetEntry("Building", 1, 8n * M, 0n, start, 30, DepreciationMethod.StraightLine),
    fleetEntry("M&E plant", 4, 1n * M, 100n * K, start, 15, DepreciationMethod.StraightLine),
  ];
}

/** A report of the site billing `billed` kWh at PUE `pue` (× 10 000): energy = billed × PUE, rounded down. */
function siteReport(billed: bigint, pue: bigint, appraisal = 0n) {
  const facility: FacilityFigures = { energyKwh: (billed * pue) / 10_000n, pue, appraisal };
  return { revenue: REVENUE, billed, available: 7_000_000n, facility };
}

async function campusDeal(): Promise<RiskFixture> {
  const f = await buildRiskDeal(ethers, networkHelpers, "none", (t) => {
    t.oracle = {
      ...t.oracle,
      unit: CapacityUnit.KilowattHours,
      fleetGpus: CAPACITY_KW,
      // At most 1.00 per billed kWh.
      maxPricePerGpuHour: USDC,
    };
    t.risk = {
      ...t.risk,
      triggers: [OCCUPANCY_FLOOR, PUE_CAP],
      fleet: campus(t.start),
      appraisalMaxAge: Number(APPRAISAL_MAX_AGE),
    };
  });
  await activate(networkHelpers, f);
  return f;
}

function appraisalEvents(f: RiskFixture, run: Awaited<ReturnType<typeof runPeriod>>) {
  return run.receipt.logs
    .map((l) => {
      try {
        return f.engine.interface.parseLog(l);
      } catch {
        return null;
      }
    })
    .filter((p) => p?.name === "AppraisalRecorded")
    .map((p) => Array.from(p!.args));
}

describe("RiskEngine", function () {
  describe("data-center deals", function () {
    it("test_config_capacityAndAppraisalMaxAgeFromTheTermSheet", async function () {
      const f = await networkHelpers.loadFixture(campusDeal);
      const c = await f.engine.config();
      expect(CAPACITY).to.equal(7_200_000n);
      expect([c.capacity, c.appraisalMaxAge]).to.deep.equal([CAPACITY, APPRAISAL_MAX_AGE]);
      const oracleTerms = await f.protocol.oracle.terms(f.dealAddress);
      expect([oracleTerms.unit, oracleTerms.fleetGpus]).to.deep.equal([
        BigInt(CapacityUnit.KilowattHours),
        CAPACITY_KW,
      ]);
      const [mark, inForce] = await f.engine.appraisal();
      expect([mark.value, mark.asOf, mark.period, inForce]).to.deep.equal([0n, 0n, 0n, false]);
    });

    it("test_landNeverDepreciates_buildingAndPlantStraightLine", async function () {
      const f = await networkHelpers.loadFixture(campusDeal);
      const start = f.terms.start;
      const entry = await f.engine.fleetEntry(0n);
      expect([entry.terms.method, entry.terms.usefulLife, entry.status]).to.deep.equal([
        BigInt(DepreciationMethod.None),
        0n,
        BigInt(FleetEntryStatus.Confirmed),
      ]);
      // A 30-year life fits the 32-bit field: 946 080 000 s.
      expect((await f.engine.fleetEntry(1n)).terms.usefulLife).to.equal(30n * YEAR);
      // Land 3 M at any age; the building loses 8 M over 30 years; the plant 3.6 M over 15 years.
      const at = async (years: bigint) => f.engine.bookValueAt(start + years * YEAR);
      expect(await at(0n)).to.equal(15n * M);
      expect(await at(15n)).to.equal(3n * M + 4n * M + 400n * K);
      expect(await at(30n)).to.equal(3n * M + 400n * K);
      expect(await at(200n)).to.equal(3n * M + 400n * K);
      // Half a year in: the depreciation rounds up, the value down.
      const half = start + YEAR / 2n;
      const building = 8n * M - (8n * M * (YEAR / 2n) + 30n * YEAR - 1n) / (30n * YEAR);
      const plant = 4n * M - (3_600n * K * (YEAR / 2n) + 15n * YEAR - 1n) / (15n * YEAR);
      expect(await f.engine.bookValueAt(half)).to.equal(3n * M + building + plant);
      // The latest time the engine can be asked: land is still at cost.
      expect(await f.engine.bookValueAt(2n ** 256n - 1n)).to.equal(3n * M + 400n * K);
    });

    it("test_occupancyAndPue_fireAndCure_appraisalsCapTheCollateral", async function () {
      const f = await networkHelpers.loadFixture(campusDeal);
      const end = async (p: number) => f.deal.periodEnd(p);

      // Period 0: 70 % occupancy at PUE 1.35; an appraisal of 20 M, above book value: recorded, caps nothing.
      const run0 = await runPeriod(
        ethers,
        networkHelpers,
        f,
        0,
        siteReport(5_040_000n, 13_500n, 20n * M),
      );
      expect(run0.triggerValues).to.deep.equal([(70n * WAD) / 100n, (135n * WAD) / 100n]);
      expect(run0.statement.mode).to.equal(DealStatus.Active);
      expect(appraisalEvents(f, run0)).to.deep.equal([[0n, 20n * M, await end(0)]]);
      expect(run0.statement.metrics.collateralValue).to.equal(
        await f.engine.bookValueAt(await end(0)),
      );

      // Period 1: 50 % occupancy at PUE 1.6: both covenants fire; an appraisal of 12 M caps the collateral.
      const run1 = await runPeriod(
        ethers,
        networkHelpers,
        f,
        1,
        siteReport(3_600_000n, 16_000n, 12n * M),
      );
      expect(run1.triggerValues).to.deep.equal([WAD / 2n, (16n * WAD) / 10n]);
      expect(run1.fired).to.deep.equal([
        [0n, WAD / 2n],
        [1n, (16n * WAD) / 10n],
      ]);
      expect(run1.statement.mode).to.equal(DealStatus.CashTrap);
      expect(run1.statement.residualPaid).to.equal(0n);
      expect(appraisalEvents(f, run1)).to.deep.equal([[1n, 12n * M, await end(1)]]);
      expect(await f.engine.bookValueAt(await end(1))).to.be.greaterThan(12n * M);
      expect(run1.statement.metrics.collateralValue).to.equal(12n * M);
      expect(await f.engine.collateralValueAt(await end(1))).to.equal(12n * M);
      const [mark, inForce] = await f.engine.appraisal();
      expect([mark.value, mark.asOf, mark.period, inForce]).to.deep.equal([
        12n * M,
        await end(1),
        1n,
        true,
      ]);

      // Period 2: back to 70 % at PUE 1.3: both cure. No new appraisal: the 30-day-old mark still caps.
      const run2 = await runPeriod(ethers, networkHelpers, f, 2, siteReport(5_040_000n, 13_000n));
      expect(run2.cured).to.deep.equal([
        [0n, (70n * WAD) / 100n],
        [1n, (13n * WAD) / 10n],
      ]);
      expect(run2.statement.mode).to.equal(DealStatus.Active);
      expect(appraisalEvents(f, run2)).to.deep.equal([]);
      expect(run2.statement.metrics.collateralValue).to.equal(12n * M);

      // Period 3: the mark is 60 days old, more than 45: ignored, the fleet is at book value.
      const run3 = await runPeriod(ethers, networkHelpers, f, 3, siteReport(5_040_000n, 13_000n));
      expect(run3.statement.metrics.collateralValue).to.equal(
        await f.engine.bookValueAt(await end(3)),
      );
      expect((await f.engine.appraisal())[1]).to.equal(false);
      expect(await f.engine.collateralValueAt((await end(1)) + APPRAISAL_MAX_AGE)).to.equal(
        12n * M,
      );
      expect(await f.engine.collateralValueAt((await end(1)) + APPRAISAL_MAX_AGE + 1n)).to.equal(
        await f.engine.bookValueAt((await end(1)) + APPRAISAL_MAX_AGE + 1n),
      );

      // Period 4: a report appraising 5 M is pending (not final: nothing to read), then disputed; the new round
      // carries no appraisal, and none is recorded.
      await networkHelpers.time.increaseTo(await end(4));
      await proposeReport(
        ethers,
        f.protocol,
        f.r,
        f.deal,
        4n,
        REVENUE,
        5_040_000n,
        7_000_000n,
        f.r.reporters.slice(0, 2),
        { energyKwh: 6_552_000n, pue: 13_000n, appraisal: 5n * M },
      );
      expect(await f.protocol.oracle.facilityOutcome(f.dealAddress, 4n)).to.deep.equal([
        0n,
        0n,
        0n,
      ]);
      await f.protocol.oracle
        .connect(f.r.reporters[2])
        .dispute(f.dealAddress, 4n, ethers.id("the appraisal is not the valuer's"));
      const run4 = await runPeriod(ethers, networkHelpers, f, 4, siteReport(5_040_000n, 13_000n));
      expect(appraisalEvents(f, run4)).to.deep.equal([]);
      expect(await f.protocol.oracle.facilityOutcome(f.dealAddress, 4n)).to.deep.equal([
        6_552_000n,
        13_000n,
        0n,
      ]);
      expect(run4.statement.metrics.collateralValue).to.equal(
        await f.engine.bookValueAt(await end(4)),
      );
      expect((await f.engine.appraisal())[0].period).to.equal(1n);

      // Period 5 is unreported: occupancy and PUE read 0; the occupancy floor fires.
      const run5 = await runPeriod(ethers, networkHelpers, f, 5, { revenue: 0n, unreported: true });
      expect(run5.triggerValues).to.deep.equal([0n, 0n]);
      expect(run5.fired).to.deep.equal([[0n, 0n]]);
    });

    it("test_createDeal_refusesAppraisalMarksWithAPriceFeed", async function () {
      const s = await networkHelpers.loadFixture(indexSetup);
      const terms = structuredClone(s.terms);
      terms.risk.appraisalMaxAge = 1;
      await expect(s.protocol.factory.connect(s.r.issuer).createDeal(terms))
        .to.be.revertedWithCustomError(s.protocol.factory, "InvalidTermSheet")
        .withArgs(TermSheetField.Appraisal, 0n);
      // Without the feed (and its index marks) the same marks are accepted.
      terms.risk.priceFeed = { feed: ZERO_ADDRESS, decimals: 0, maxStaleness: 0 };
      terms.risk.fleet = terms.risk.fleet.map((e) => ({ ...e, indexAtAcquisition: 0n }));
      await s.protocol.factory.connect(s.r.issuer).createDeal(terms);
      expect(await s.protocol.factory.dealCount()).to.equal(1n);
    });

    it("test_createDeal_refusesLandThatDepreciatesOrIsIndexMarked", async function () {
      const s = await networkHelpers.loadFixture(indexSetup);
      const cases: [string, Partial<FleetEntryInput>][] = [
        ["a useful life", { usefulLife: 1 }],
        ["a yearly rate", { yearlyRate: 1n }],
        ["a residual below cost", { unitResidual: 3n * M - 1n }],
        ["an index mark", { indexAtAcquisition: 2n * 10n ** 8n }],
        ["no cost", { unitCost: 0n, unitResidual: 0n }],
      ];
      for (const [what, edit] of cases) {
        const terms = structuredClone(s.terms);
        terms.risk.fleet = [...terms.risk.fleet, { ...land(3n * M, terms.start), ...edit }];
        await expect(s.protocol.factory.connect(s.r.issuer).createDeal(terms), what)
          .to.be.revertedWithCustomError(s.protocol.factory, "InvalidTermSheet")
          .withArgs(TermSheetField.Fleet, 4n);
      }
      // Land as it should be, a building over the longest life the field holds (136 years), and covenants on
      // occupancy and PUE are accepted (also for a GPU-hours deal).
      const terms = structuredClone(s.terms);
      terms.risk.fleet = [
        ...terms.risk.fleet,
        land(3n * M, terms.start),
        {
          ...fleetEntry("Building", 1, 8n * M, 0n, terms.start, 1, DepreciationMethod.StraightLine),
          usefulLife: 2 ** 32 - 1,
        },
      ];
      terms.risk.triggers = [OCCUPANCY_FLOOR, PUE_CAP];
      await s.protocol.factory.connect(s.r.issuer).createDeal(terms);
      const deal = await ethers.getContractAt("IDeal", await s.protocol.factory.dealAt(0n));
      const engine = await ethers.getContractAt("RiskEngine", await deal.riskEngine());
      const life = 2n ** 32n - 1n;
      expect((await engine.fleetEntry(5n)).terms.usefulLife).to.equal(life);
      // One second before the end of its life the building keeps ⌊8 M / life⌋ (its depreciation rounds up); at the
      // end it is worth nothing. Every other entry is long at its residual, land at cost.
      const before = await engine.bookValueAt(terms.start + life - 1n);
      const after = await engine.bookValueAt(terms.start + life);
      expect(before - after).to.equal((8n * M) / life);
      expect((8n * M) / life).to.equal(1_862n);
    });

    it("test_addFleetEntries_landIsPendingUntilConfirmed_invalidLandRefused", async function () {
      const f = await networkHelpers.loadFixture(campusDeal);
      const at = f.terms.start + 10n * YEAR;
      const book = await f.engine.bookValueAt(at);
      await expectUnchanged(f, async () => {
        await expect(
          f.engine
            .connect(f.r.issuer)
            .addFleetEntries([{ ...land(M, f.terms.start), usefulLife: 1 }]),
        )
          .to.be.revertedWithCustomError(f.engine, "InvalidFleetEntry")
          .withArgs(0n);
      });
      await f.engine.connect(f.r.issuer).addFleetEntries([land(M, f.terms.start)]);
      expect(await f.engine.bookValueAt(at)).to.equal(book);
      await f.engine.connect(f.r.trustee).confirmFleetEntry(3n);
      expect(await f.engine.bookValueAt(at)).to.equal(book + M);
    });
  });
});

async function indexSetup() {
  return riskTermSheet(ethers, networkHelpers, "index");
}
