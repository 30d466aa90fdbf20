import { expect } from "chai";

import {
  EquityTier,
  USDC,
  WAD,
  catchUp,
  equity,
  fixedNote,
  preferredReturn,
  returnOfCapital,
  split,
  type EquityTermsInput,
  type EquityTierInput,
  type TermSheetInput,
} from "../helpers/fixtures.js";
import { Field, ethers, factoryFixture, networkHelpers } from "../helpers/factory-fixtures.js";

/** IDeal.TermSheetField.EquityClass and EquityTier. */
const EQUITY_CLASS = 31;
const EQUITY_TIER = 32;
const pct = (n: bigint) => (n * WAD) / 100n;
const LP = 0b011;
const SPONSOR = 0b100;

/** 8 % pref, full catch-up to 20 %, 80/20 until 15 %, then 70/30; classes 0, 1 LP, 2 the sponsor. */
const WORKED: EquityTierInput[] = [
  returnOfCapital(LP),
  preferredReturn(LP, pct(8n)),
  catchUp(LP, 10_000, 2_000),
  split(LP, 2_000, pct(15n)),
  split(LP, 3_000),
];

describe("DealFactory", function () {
  describe("createDeal term-sheet validation: equity waterfall", function () {
    type F = Awaited<ReturnType<typeof factoryFixture>>;

    /** The standard term sheet's three notes, three equity classes and `equityTerms` (the worked waterfall). */
    function sheet(f: F, equityTerms: Partial<EquityTermsInput> = {}): TermSheetInput {
      return {
        ...f.terms,
        tranches: [
          ...f.terms.tranches.slice(0, 3),
          equity("Preferred", USDC * 1_000n),
          equity("Common", USDC * 2_000n),
          equity("Promote", USDC * 100n),
        ],
        equity: { sponsorClass: 2, tiers: WORKED, ...equityTerms },
      };
    }

    /** The worked tiers with tier `i` replaced by `tier`. */
    const withTier = (i: number, tier: EquityTierInput) =>
      WORKED.map((t, k) => (k === i ? tier : t));

    async function expectInvalid(f: F, terms: TermSheetInput, field: number, index: bigint) {
      await expect(f.factory.createDeal(terms))
        .to.be.revertedWithCustomError(f.factory, "InvalidTermSheet")
        .withArgs(BigInt(field), index);
      expect(await f.factory.dealCount()).to.equal(0n);
    }

    async function expectValid(f: F, terms: TermSheetInput) {
      await expect(f.factory.createDeal(terms)).to.emit(f.factory, "EquityWaterfallCreated");
    }

    it("test_createDeal_equityWaterfall_workedTermsAreValid", async function () {
      const f = await networkHelpers.loadFixture(factoryFixture);
      await expectValid(f, sheet(f));
      // Without tiers no waterfall is created.
      await expect(f.factory.createDeal(f.terms)).to.not.emit(f.factory, "EquityWaterfallCreated");
    });

    it("test_createDeal_invalid_EquityClass", async function () {
      const f = await networkHelpers.loadFixture(factoryFixture);
      // Tiers need at least two equity classes: the only one is tranche 3.
      await expectInvalid(
        f,
        { ...f.terms, equity: { sponsorClass: 0, tiers: [returnOfCapital(1), split(1, 0)] } },
        EQUITY_CLASS,
        3n,
      );
      // The sponsor class must be one of them: class 3 would be tranche 6.
      await expectInvalid(f, sheet(f, { sponsorClass: 3 }), EQUITY_CLASS, 6n);
      await expectInvalid(f, sheet(f, { sponsorClass: 255 }), EQUITY_CLASS, 258n);
      // Without tiers: one equity class, the sponsor class 0.
      await expectInvalid(
        f,
        { ...f.terms, equity: { sponsorClass: 1, tiers: [] } },
        EQUITY_CLASS,
        4n,
      );
    });

    it("test_createDeal_equityWaterfall_invalid_TrancheKind", async function () {
      const f = await networkHelpers.loadFixture(factoryFixture);
      const base = sheet(f);
      const [n0, n1, n2, e0, e1, e2] = base.tranches;
      // At least one note, first.
      await expectInvalid(f, { ...base, tranches: [e0, e1, e2] }, Field.TrancheKind, 0n);
      // Notes first, then the equity classes.
      await expectInvalid(f, { ...base, tranches: [n0, e0, n1, e1, e2] }, Field.TrancheKind, 2n);
      // An equity class last.
      await expectInvalid(f, { ...base, tranches: [n0, n1, e0, e1, n2] }, Field.TrancheKind, 4n);
      // Eight tranches at most: one note and seven classes is the largest waterfall.
      const seven = Array.from({ length: 7 }, (_, j) => equity(`E${j}`, USDC));
      await expectValid(f, {
        ...base,
        tranches: [fixedNote("N", USDC, 0n), ...seven],
        equity: { sponsorClass: 6, tiers: [returnOfCapital(0x7f), split(0x3f, 2_000)] },
      });
    });

    it("test_createDeal_invalid_EquityTier_count", async function () {
      const f = await networkHelpers.loadFixture(factoryFixture);
      const eight = [
        returnOfCapital(0b001),
        returnOfCapital(0b010),
        returnOfCapital(0b100),
        preferredReturn(LP, pct(8n)),
        catchUp(LP, 10_000, 2_000),
        split(LP, 2_000, pct(10n)),
        split(LP, 2_500, pct(15n)),
        split(LP, 3_000),
      ];
      await expectInvalid(
        f,
        sheet(f, { tiers: [returnOfCapital(0b001), ...eight] }),
        EQUITY_TIER,
        9n,
      );
      await expectValid(f, sheet(f, { tiers: eight }));
    });

    it("test_createDeal_invalid_EquityTier_classMask", async function () {
      const f = await networkHelpers.loadFixture(factoryFixture);
      await expectInvalid(f, sheet(f, { tiers: withTier(0, returnOfCapital(0)) }), EQUITY_TIER, 0n);
      // Class 3 does not exist.
      await expectInvalid(
        f,
        sheet(f, { tiers: withTier(1, preferredReturn(0b1011, pct(8n))) }),
        EQUITY_TIER,
        1n,
      );
      // The sponsor is never an LP class of a catch-up or a split.
      await expectInvalid(
        f,
        sheet(f, { tiers: withTier(2, catchUp(LP | SPONSOR, 10_000, 2_000)) }),
        EQUITY_TIER,
        2n,
      );
      await expectInvalid(
        f,
        sheet(f, { tiers: withTier(3, split(LP | SPONSOR, 2_000, pct(15n))) }),
        EQUITY_TIER,
        3n,
      );
      await expectInvalid(
        f,
        sheet(f, { tiers: withTier(4, split(SPONSOR, 3_000)) }),
        EQUITY_TIER,
        4n,
      );
      // It may have capital returned and a preferred return.
      await expectValid(
        f,
        sheet(f, {
          tiers: withTier(0, returnOfCapital(LP | SPONSOR)).map((t, k) =>
            k === 1 ? preferredReturn(LP | SPONSOR, pct(8n)) : t,
          ),
        }),
      );
    });

    it("test_createDeal_invalid_EquityTier_returnOfCapital", async function () {
      const f = await networkHelpers.loadFixture(factoryFixture);
      const roc = returnOfCapital(LP);
      for (const bad of [
        { ...roc, compounding: true },
        { ...roc, sponsorBps: 1 },
        { ...roc, targetBps: 1 },
        { ...roc, rate: 1n },
      ]) {
        await expectInvalid(f, sheet(f, { tiers: withTier(0, bad) }), EQUITY_TIER, 0n);
      }
      // By rank is allowed.
      await expectValid(f, sheet(f, { tiers: withTier(0, returnOfCapital(LP, true)) }));
    });

    it("test_createDeal_invalid_EquityTier_preferredReturn", async function () {
      const f = await networkHelpers.loadFixture(factoryFixture);
      const pref = preferredReturn(LP, pct(8n));
      for (const bad of [
        { ...pref, rate: 0n },
        { ...pref, rate: WAD + 1n },
        { ...pref, sponsorBps: 1 },
        { ...pref, targetBps: 1 },
      ]) {
        await expectInvalid(f, sheet(f, { tiers: withTier(1, bad) }), EQUITY_TIER, 1n);
      }
      // A class in two preferred-return tiers: the second is refused.
      const twice = [
        returnOfCapital(LP),
        preferredReturn(0b001, pct(8n)),
        preferredReturn(LP, pct(6n)),
        split(LP, 2_000),
      ];
      await expectInvalid(f, sheet(f, { tiers: twice }), EQUITY_TIER, 2n);
      // 100 %, compounding, by rank: valid.
      await expectValid(f, sheet(f, { tiers: withTier(1, preferredReturn(LP, WAD, true, true)) }));
    });

    it("test_createDeal_invalid_EquityTier_catchUp", async function () {
      const f = await networkHelpers.loadFixture(factoryFixture);
      const c = catchUp(LP, 10_000, 2_000);
      for (const bad of [
        { ...c, targetBps: 0 },
        { ...c, targetBps: 10_000 },
        { ...c, sponsorBps: 2_000 },
        { ...c, sponsorBps: 10_001, targetBps: 2_000 },
        { ...c, rate: 1n },
        { ...c, byRank: true },
        { ...c, compounding: true },
      ]) {
        await expectInvalid(f, sheet(f, { tiers: withTier(2, bad) }), EQUITY_TIER, 2n);
      }
      await expectValid(f, sheet(f, { tiers: withTier(2, catchUp(LP, 5_000, 4_999)) }));
    });

    it("test_createDeal_invalid_EquityTier_split", async function () {
      const f = await networkHelpers.loadFixture(factoryFixture);
      const s = split(LP, 2_000, pct(15n));
      for (const bad of [
        { ...s, sponsorBps: 10_000 },
        { ...s, rate: WAD + 1n },
        { ...s, targetBps: 1 },
        { ...s, byRank: true },
        { ...s, compounding: true },
        // A split without hurdle before the last tier.
        { ...s, rate: 0n },
      ]) {
        await expectInvalid(f, sheet(f, { tiers: withTier(3, bad) }), EQUITY_TIER, 3n);
      }
      // Hurdles strictly increasing.
      const equal = [...WORKED.slice(0, 4), split(LP, 2_500, pct(15n)), split(LP, 3_000)];
      await expectInvalid(f, sheet(f, { tiers: equal }), EQUITY_TIER, 4n);
      const lower = [...WORKED.slice(0, 4), split(LP, 2_500, pct(12n)), split(LP, 3_000)];
      await expectInvalid(f, sheet(f, { tiers: lower }), EQUITY_TIER, 4n);
      // At most three hurdles: the fourth is refused.
      const hurdles = [10n, 12n, 15n, 20n].map((h, k) => split(LP, 2_000 + 500 * k, pct(h)));
      await expectInvalid(f, sheet(f, { tiers: [...hurdles, split(LP, 4_000)] }), EQUITY_TIER, 3n);
      await expectValid(f, sheet(f, { tiers: [...hurdles.slice(0, 3), split(LP, 4_000)] }));
      // A hurdle of 100 % and a sponsor share of 99.99 % are allowed.
      await expectValid(f, sheet(f, { tiers: withTier(3, split(LP, 9_999, WAD)) }));
    });

    it("test_createDeal_invalid_EquityTier_last", async function () {
      const f = await networkHelpers.loadFixture(factoryFixture);
      const last = WORKED.length - 1;
      // The last tier is a split without hurdle, and nothing else.
      for (const bad of [
        split(LP, 3_000, pct(20n)),
        returnOfCapital(LP),
        preferredReturn(0b100, pct(8n)),
        catchUp(LP, 10_000, 2_000),
        split(LP, 10_001),
        { ...split(LP, 3_000), targetBps: 1 },
      ]) {
        await expectInvalid(f, sheet(f, { tiers: withTier(last, bad) }), EQUITY_TIER, BigInt(last));
      }
      // All to the sponsor in the last tier is allowed; so is a waterfall of the last tier alone.
      await expectValid(f, sheet(f, { tiers: withTier(last, split(LP, 10_000)) }));
      await expectValid(f, sheet(f, { tiers: [split(LP, 2_000)] }));
      // An unknown tier kind cannot be decoded.
      await expect(
        f.factory.createDeal(
          sheet(f, { tiers: withTier(0, { ...returnOfCapital(LP), kind: 4 as EquityTier }) }),
        ),
      ).to.be.revertedWithoutReason(ethers);
    });
  });
});
