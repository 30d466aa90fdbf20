import { expect } from "chai";

import { USDC, WAD, type FleetEntryInput } from "../helpers/fixtures.js";
import {
  DepreciationMethod,
  INDEX_AT_ACQUISITION,
  TermSheetField,
  ZERO_ADDRESS,
  riskTermSheet,
  standardFleet,
} from "../helpers/risk-fixtures.js";
import {
  ethers,
  networkHelpers,
  DSCR_TRAP,
  DSCR_DEFAULT,
  activeNoFeed,
  expectUnchanged,
  dummyAssessInput,
} from "../helpers/risk-engine-fixtures.js";

describe("RiskEngine", function () {
  describe("access and configuration reverts", function () {
    it("test_initializeAndAssess_onlyTheDeal", async function () {
      const f = await networkHelpers.loadFixture(activeNoFeed);
      await expectUnchanged(f, async () => {
        await expect(f.engine.connect(f.outsider).initialize([]))
          .to.be.revertedWithCustomError(f.engine, "NotDeal")
          .withArgs(f.outsider.address);
        await expect(f.engine.connect(f.r.issuer).assess(dummyAssessInput()))
          .to.be.revertedWithCustomError(f.engine, "NotDeal")
          .withArgs(f.r.issuer.address);
      });
    });

    it("test_fleetAndWaiver_onlyTheIssuerAdmin", async function () {
      const f = await networkHelpers.loadFixture(activeNoFeed);
      const entry = standardFleet(f.terms.start, false)[0];
      await expectUnchanged(f, async () => {
        for (const caller of [f.outsider, f.r.servicer, f.r.trustee]) {
          await expect(f.engine.connect(caller).addFleetEntries([entry]))
            .to.be.revertedWithCustomError(f.engine, "NotIssuer")
            .withArgs(caller.address);
          await expect(f.engine.connect(caller).retireFleetEntry(0n, 1n, 0n))
            .to.be.revertedWithCustomError(f.engine, "NotIssuer")
            .withArgs(caller.address);
          await expect(f.engine.connect(caller).proposeWaiver())
            .to.be.revertedWithCustomError(f.engine, "NotIssuer")
            .withArgs(caller.address);
        }
      });
    });

    it("test_addFleetEntries_revertsOnEachInvalidEntryWithItsIndex", async function () {
      const f = await networkHelpers.loadFixture(activeNoFeed);
      const good = standardFleet(f.terms.start, false)[2];
      const bad: [string, FleetEntryInput][] = [
        ["no GPUs", { ...good, count: 0 }],
        ["no cost", { ...good, unitCost: 0n, unitResidual: 0n }],
        ["residual above cost", { ...good, unitResidual: good.unitCost + 1n }],
        ["no useful life", { ...good, usefulLife: 0 }],
        ["no acquisition time", { ...good, acquiredAt: 0n }],
        ["straight line with a rate", { ...good, yearlyRate: 1n }],
        [
          "declining balance without a rate",
          { ...good, method: DepreciationMethod.DecliningBalance },
        ],
        [
          "declining balance at 100 %",
          { ...good, method: DepreciationMethod.DecliningBalance, yearlyRate: WAD },
        ],
        ["marked without a feed", { ...good, indexAtAcquisition: INDEX_AT_ACQUISITION }],
      ];
      await expectUnchanged(f, async () => {
        for (const [what, entry] of bad) {
          await expect(f.engine.connect(f.r.issuer).addFleetEntries([good, good, entry]), what)
            .to.be.revertedWithCustomError(f.engine, "InvalidFleetEntry")
            .withArgs(2n);
        }
      });
      // Boundary cases that are valid: residual equal to cost, a declining rate just below 100 %.
      await expect(
        f.engine.connect(f.r.issuer).addFleetEntries([
          { ...good, unitResidual: good.unitCost },
          { ...good, method: DepreciationMethod.DecliningBalance, yearlyRate: WAD - 1n },
        ]),
      )
        .to.emit(f.engine, "FleetEntryProposed")
        .withArgs(
          5n,
          f.r.issuer.address,
          Object.values({
            ...good,
            method: DepreciationMethod.DecliningBalance,
            yearlyRate: WAD - 1n,
          }),
        );
      expect(await f.engine.fleetEntryCount()).to.equal(6n);
    });

    it("test_addFleetEntries_revertsPastThirtyTwoEntries", async function () {
      const f = await networkHelpers.loadFixture(activeNoFeed);
      const good = standardFleet(f.terms.start, false)[2];
      await expectUnchanged(f, async () => {
        await expect(f.engine.connect(f.r.issuer).addFleetEntries(Array(29).fill(good)))
          .to.be.revertedWithCustomError(f.engine, "FleetFull")
          .withArgs(32n);
      });
      await f.engine.connect(f.r.issuer).addFleetEntries(Array(28).fill(good));
      expect(await f.engine.fleetEntryCount()).to.equal(32n);
      await expect(f.engine.connect(f.r.issuer).addFleetEntries([good]))
        .to.be.revertedWithCustomError(f.engine, "FleetFull")
        .withArgs(32n);
    });

    it("test_retireFleetEntry_revertsForAnUnknownEntryOrInvalidUnits", async function () {
      const f = await networkHelpers.loadFixture(activeNoFeed);
      await expectUnchanged(f, async () => {
        await expect(f.engine.connect(f.r.issuer).retireFleetEntry(4n, 1n, 0n))
          .to.be.revertedWithCustomError(f.engine, "UnknownFleetEntry")
          .withArgs(4n);
        await expect(f.engine.fleetEntry(4n))
          .to.be.revertedWithCustomError(f.engine, "UnknownFleetEntry")
          .withArgs(4n);
        await expect(f.engine.connect(f.r.issuer).retireFleetEntry(0n, 0n, 0n))
          .to.be.revertedWithCustomError(f.engine, "InvalidRetirement")
          .withArgs(0n, 0n, 256n);
        await expect(f.engine.connect(f.r.issuer).retireFleetEntry(0n, 257n, 0n))
          .to.be.revertedWithCustomError(f.engine, "InvalidRetirement")
          .withArgs(0n, 257n, 256n);
      });
      await expect(f.engine.connect(f.r.issuer).retireFleetEntry(0n, 56n, 0n))
        .to.emit(f.engine, "FleetEntryRetired")
        .withArgs(0n, 56n, 200n, 0n);
      await expect(f.engine.connect(f.r.issuer).retireFleetEntry(0n, 201n, 0n))
        .to.be.revertedWithCustomError(f.engine, "InvalidRetirement")
        .withArgs(0n, 201n, 200n);
      await f.engine.connect(f.r.issuer).retireFleetEntry(0n, 200n, 0n);
      expect((await f.engine.fleetEntry(0n)).activeCount).to.equal(0n);
      await expect(f.engine.connect(f.r.issuer).retireFleetEntry(0n, 1n, 0n))
        .to.be.revertedWithCustomError(f.engine, "InvalidRetirement")
        .withArgs(0n, 1n, 0n);
    });
  });

  describe("term sheet validation", function () {
    async function setupFixture() {
      return riskTermSheet(ethers, networkHelpers, "index");
    }

    async function expectRefused(
      s: Awaited<ReturnType<typeof setupFixture>>,
      edit: (t: typeof s.terms) => void,
      field: TermSheetField,
      index: number,
      what: string,
    ) {
      const terms = structuredClone(s.terms);
      edit(terms);
      await expect(s.protocol.factory.connect(s.r.issuer).createDeal(terms), what)
        .to.be.revertedWithCustomError(s.protocol.factory, "InvalidTermSheet")
        .withArgs(field, BigInt(index));
      expect(await s.protocol.factory.dealCount()).to.equal(0n);
    }

    it("test_createDeal_refusesInvalidRiskParameters", async function () {
      const s = await networkHelpers.loadFixture(setupFixture);
      await expectRefused(
        s,
        (t) => (t.risk.trailingPeriods = 0),
        TermSheetField.TrailingPeriods,
        0,
        "window 0",
      );
      await expectRefused(
        s,
        (t) => (t.risk.trailingPeriods = 13),
        TermSheetField.TrailingPeriods,
        0,
        "window 13",
      );
      await expectRefused(
        s,
        (t) => (t.risk.cleanUpBps = 10_001),
        TermSheetField.CleanUp,
        0,
        "clean-up > 100 %",
      );
      await expectRefused(
        s,
        (t) => (t.risk.waiverVotingPeriod = 0),
        TermSheetField.WaiverPeriod,
        0,
        "no vote",
      );
      // The bounds themselves are accepted.
      const terms = structuredClone(s.terms);
      terms.risk.trailingPeriods = 12;
      terms.risk.cleanUpBps = 10_000;
      terms.risk.waiverVotingPeriod = 1;
      await s.protocol.factory.connect(s.r.issuer).createDeal(terms);
      expect(await s.protocol.factory.dealCount()).to.equal(1n);
    });

    it("test_createDeal_refusesAnInvalidPriceFeed", async function () {
      const s = await networkHelpers.loadFixture(setupFixture);
      const F = TermSheetField.PriceFeed;
      await expectRefused(
        s,
        (t) => (t.risk.priceFeed.maxStaleness = 0),
        F,
        0,
        "feed without staleness bound",
      );
      await expectRefused(s, (t) => (t.risk.priceFeed.decimals = 18), F, 0, "wrong decimals");
      await expectRefused(
        s,
        (t) => (t.risk.priceFeed.feed = s.outsider.address),
        F,
        0,
        "feed with no code",
      );
      // A contract without decimals(): the utilization oracle.
      const noDecimals = await s.protocol.oracle.getAddress();
      await expectRefused(
        s,
        (t) => (t.risk.priceFeed.feed = noDecimals),
        F,
        0,
        "decimals() reverts",
      );
      const unmarked = (t: typeof s.terms) => {
        t.risk.fleet = t.risk.fleet.map((e) => ({ ...e, indexAtAcquisition: 0n }));
        t.risk.priceFeed = { feed: ZERO_ADDRESS, decimals: 0, maxStaleness: 0 };
      };
      await expectRefused(
        s,
        (t) => (unmarked(t), (t.risk.priceFeed.maxStaleness = 1)),
        F,
        0,
        "staleness, no feed",
      );
      await expectRefused(
        s,
        (t) => (unmarked(t), (t.risk.priceFeed.decimals = 8)),
        F,
        0,
        "decimals, no feed",
      );
      // Marked entries need a feed.
      await expectRefused(
        s,
        (t) => (t.risk.priceFeed = { feed: ZERO_ADDRESS, decimals: 0, maxStaleness: 0 }),
        TermSheetField.Fleet,
        0,
        "marked entry without a feed",
      );
    });

    it("test_createDeal_refusesInvalidTriggersWithTheirIndex", async function () {
      const s = await networkHelpers.loadFixture(setupFixture);
      const ok = DSCR_TRAP;
      await expectRefused(
        s,
        (t) => (t.risk.triggers = [ok, { ...ok, periods: 0 }]),
        TermSheetField.Trigger,
        1,
        "0 periods",
      );
      await expectRefused(
        s,
        (t) => (t.risk.triggers = [ok, ok, { ...DSCR_DEFAULT, cures: true }]),
        TermSheetField.Trigger,
        2,
        "curable acceleration",
      );
      await expectRefused(
        s,
        (t) => (t.risk.triggers = Array(17).fill(ok)),
        TermSheetField.Trigger,
        17,
        "17 triggers",
      );
      const terms = structuredClone(s.terms);
      terms.risk.triggers = Array(16).fill(DSCR_DEFAULT);
      await s.protocol.factory.connect(s.r.issuer).createDeal(terms);
      expect(await s.protocol.factory.dealCount()).to.equal(1n);
    });

    it("test_createDeal_refusesInvalidFleetEntriesWithTheirIndex", async function () {
      const s = await networkHelpers.loadFixture(setupFixture);
      await expectRefused(
        s,
        (t) => (t.risk.fleet[3] = { ...t.risk.fleet[3], count: 0 }),
        TermSheetField.Fleet,
        3,
        "no GPUs",
      );
      await expectRefused(
        s,
        (t) => (t.risk.fleet[1] = { ...t.risk.fleet[1], yearlyRate: 0n }),
        TermSheetField.Fleet,
        1,
        "declining without rate",
      );
      await expectRefused(
        s,
        (t) => (t.risk.fleet = Array(33).fill(t.risk.fleet[0])),
        TermSheetField.Fleet,
        33,
        "33 entries",
      );
      const terms = structuredClone(s.terms);
      terms.risk.fleet = Array(32).fill(terms.risk.fleet[0]);
      await s.protocol.factory.connect(s.r.issuer).createDeal(terms);
    });

    it("test_createDeal_refusesAFaceAmountAboveUint96", async function () {
      const s = await networkHelpers.loadFixture(setupFixture);
      const big = 2n ** 96n;
      await expectRefused(
        s,
        (t) => (t.tranches[1] = { ...t.tranches[1], faceAmount: big, minTicket: USDC }),
        TermSheetField.FaceAmount,
        1,
        "face 2^96",
      );
      const terms = structuredClone(s.terms);
      terms.tranches[1] = { ...terms.tranches[1], faceAmount: big - 1n };
      await s.protocol.factory.connect(s.r.issuer).createDeal(terms);
    });
  });
});
