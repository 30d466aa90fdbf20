import { expect } from "chai";

import {
  CouponType,
  dealAt,
  PrincipalType,
  USDC,
  WAD,
  equity,
  fixedNote,
  type TermSheetInput,
  type TrancheTermsInput,
} from "../helpers/fixtures.js";
import {
  ethers,
  networkHelpers,
  Field,
  factoryFixture,
  edited,
} from "../helpers/factory-fixtures.js";

describe("DealFactory", function () {
  describe("createDeal term-sheet validation", function () {
    /** Expects InvalidTermSheet(field, index) and that no deal was created. */
    async function expectInvalid(
      f: Awaited<ReturnType<typeof factoryFixture>>,
      terms: TermSheetInput,
      field: Field,
      index = 0n,
    ) {
      await expect(f.factory.createDeal(terms))
        .to.be.revertedWithCustomError(f.factory, "InvalidTermSheet")
        .withArgs(BigInt(field), index);
      expect(await f.factory.dealCount()).to.equal(0n);
    }

    it("test_createDeal_standardTermsAreValid", async function () {
      const f = await networkHelpers.loadFixture(factoryFixture);
      await expect(f.factory.createDeal(f.terms)).to.emit(f.factory, "DealCreated");
    });

    it("test_createDeal_invalid_Stablecoin", async function () {
      const f = await networkHelpers.loadFixture(factoryFixture);
      // An EOA, the zero address and a precompile have no code.
      for (const coin of [
        f.outsider.address,
        ethers.ZeroAddress,
        "0x0000000000000000000000000000000000000001",
      ]) {
        await expectInvalid(
          f,
          edited(f.terms, (t) => (t.stablecoin = coin)),
          Field.Stablecoin,
        );
      }
    });

    it("test_createDeal_invalid_Decimals", async function () {
      const f = await networkHelpers.loadFixture(factoryFixture);
      const coin19 = await ethers.deployContract("MockStablecoin", ["Coin", "C", 19]);
      const address = await coin19.getAddress();
      await expectInvalid(
        f,
        edited(f.terms, (t) => (t.stablecoin = address)),
        Field.Decimals,
      );
      // 18 decimals is the largest accepted (minimum raise of one whole unit).
      const coin18 = await ethers.deployContract("MockStablecoin", ["Coin", "C", 18]);
      const coin18Address = await coin18.getAddress();
      const ok = edited(f.terms, (t) => {
        t.stablecoin = coin18Address;
        t.tranches.forEach((tr) => {
          tr.faceAmount = 10n ** 24n;
          tr.minRaise = 10n ** 18n;
        });
      });
      await expect(f.factory.createDeal(ok)).to.emit(f.factory, "DealCreated");
    });

    it("test_createDeal_invalid_roles", async function () {
      const f = await networkHelpers.loadFixture(factoryFixture);
      const z = ethers.ZeroAddress;
      // No issuer: nobody can consent, so the factory refuses the call before it reads the terms (TermSheetLib's
      // own check of the issuer is a second line).
      await expect(f.factory.createDeal(edited(f.terms, (t) => (t.issuer = z))))
        .to.be.revertedWithCustomError(f.factory, "IssuerConsentRequired")
        .withArgs(z, f.r.issuer.address);
      await expectInvalid(
        f,
        edited(f.terms, (t) => (t.servicer = z)),
        Field.Servicer,
      );
      await expectInvalid(
        f,
        edited(f.terms, (t) => (t.trustee = z)),
        Field.Trustee,
      );
      await expectInvalid(
        f,
        edited(f.terms, (t) => (t.guardian = z)),
        Field.Guardian,
      );
    });

    it("test_createDeal_invalid_OfferingWindow", async function () {
      const f = await networkHelpers.loadFixture(factoryFixture);
      const now = BigInt(await networkHelpers.time.latest());
      // opens == closes
      await expectInvalid(
        f,
        edited(f.terms, (t) => (t.offeringOpensAt = t.offeringClosesAt)),
        Field.OfferingWindow,
      );
      // opens after closes
      await expectInvalid(
        f,
        edited(f.terms, (t) => (t.offeringOpensAt = t.offeringClosesAt + 1n)),
        Field.OfferingWindow,
      );
      // closes in the past, or exactly now (the next block's timestamp)
      await expectInvalid(
        f,
        edited(f.terms, (t) => {
          t.offeringOpensAt = now - 100n;
          t.offeringClosesAt = now - 1n;
        }),
        Field.OfferingWindow,
      );
      await networkHelpers.time.setNextBlockTimestamp(now + 10n);
      await expectInvalid(
        f,
        edited(f.terms, (t) => {
          t.offeringOpensAt = now - 100n;
          t.offeringClosesAt = now + 10n;
        }),
        Field.OfferingWindow,
      );
      // An offering window that opened in the past but is still open is fine.
      await expect(
        f.factory.createDeal(
          edited(f.terms, (t) => {
            t.offeringOpensAt = 0n;
          }),
        ),
      ).to.emit(f.factory, "DealCreated");
    });

    it("test_createDeal_invalid_Start", async function () {
      const f = await networkHelpers.loadFixture(factoryFixture);
      await expectInvalid(
        f,
        edited(f.terms, (t) => (t.start = t.offeringClosesAt - 1n)),
        Field.Start,
      );
      await expect(
        f.factory.createDeal(edited(f.terms, (t) => (t.start = t.offeringClosesAt + 5n * 86_400n))),
      ).to.emit(f.factory, "DealCreated");
    });

    it("test_createDeal_invalid_Start_maturityBeyondUint64", async function () {
      // Period ends are uint64 timestamps: a start so late that start + periodCount × periodLength does not fit
      // would make Deal.periodEnd wrap around to a date in the past (every period "ended" at once). Such a term
      // sheet must be refused.
      const f = await networkHelpers.loadFixture(factoryFixture);
      const start = 2n ** 64n - 100n;
      await expectInvalid(
        f,
        edited(f.terms, (t) => (t.start = start)),
        Field.Start,
      );
    });

    it("test_createDeal_invalid_Start_maturityBeyond40Bits", async function () {
      // The equity waterfall's clock is 40-bit: the last period must end by 2^40 − 1 (the year 36 812), not later.
      const f = await networkHelpers.loadFixture(factoryFixture);
      const span = BigInt(f.terms.periodLength) * BigInt(f.terms.periodCount);
      await expectInvalid(
        f,
        edited(f.terms, (t) => (t.start = 2n ** 40n - span)),
        Field.Start,
      );
      await expect(
        f.factory.createDeal(edited(f.terms, (t) => (t.start = 2n ** 40n - 1n - span))),
      ).to.emit(f.factory, "DealCreated");
    });

    it("test_createDeal_invalid_PeriodLength_PeriodCount", async function () {
      const f = await networkHelpers.loadFixture(factoryFixture);
      await expectInvalid(
        f,
        edited(f.terms, (t) => (t.periodLength = 0n)),
        Field.PeriodLength,
      );
      await expectInvalid(
        f,
        edited(f.terms, (t) => (t.periodCount = 0)),
        Field.PeriodCount,
      );
    });

    it("test_createDeal_invalid_PledgedShare", async function () {
      const f = await networkHelpers.loadFixture(factoryFixture);
      await expectInvalid(
        f,
        edited(f.terms, (t) => (t.pledgedShareBps = 0)),
        Field.PledgedShare,
      );
      await expectInvalid(
        f,
        edited(f.terms, (t) => (t.pledgedShareBps = 10_001)),
        Field.PledgedShare,
      );
      await expect(f.factory.createDeal(edited(f.terms, (t) => (t.pledgedShareBps = 1)))).to.emit(
        f.factory,
        "DealCreated",
      );
    });

    it("test_createDeal_invalid_ServicerFee", async function () {
      const f = await networkHelpers.loadFixture(factoryFixture);
      await expectInvalid(
        f,
        edited(f.terms, (t) => (t.servicerFeeBps = 10_001)),
        Field.ServicerFee,
      );
      await expect(
        f.factory.createDeal(edited(f.terms, (t) => (t.servicerFeeBps = 10_000))),
      ).to.emit(f.factory, "DealCreated");
    });

    it("test_createDeal_invalid_TrancheCount", async function () {
      const f = await networkHelpers.loadFixture(factoryFixture);
      await expectInvalid(
        f,
        edited(f.terms, (t) => (t.tranches = [])),
        Field.TrancheCount,
        0n,
      );
      await expectInvalid(
        f,
        edited(f.terms, (t) => (t.tranches = [equity("E", USDC)])),
        Field.TrancheCount,
        1n,
      );
      const nine = [
        ...Array.from({ length: 8 }, (_, i) => fixedNote(`N${i}`, USDC, 0n)),
        equity("E", USDC),
      ];
      await expectInvalid(
        f,
        edited(f.terms, (t) => (t.tranches = nine)),
        Field.TrancheCount,
        9n,
      );
      // Eight tranches is the maximum.
      await expect(
        f.factory.createDeal(edited(f.terms, (t) => (t.tranches = nine.slice(1)))),
      ).to.emit(f.factory, "DealCreated");
    });

    it("test_createDeal_invalid_TrancheKind", async function () {
      const f = await networkHelpers.loadFixture(factoryFixture);
      // Equity first.
      await expectInvalid(
        f,
        edited(f.terms, (t) => (t.tranches = [equity("E", USDC), fixedNote("N", USDC, 0n)])),
        Field.TrancheKind,
        0n,
      );
      // No equity last.
      await expectInvalid(
        f,
        edited(f.terms, (t) => (t.tranches[3] = fixedNote("N", USDC, 0n))),
        Field.TrancheKind,
        3n,
      );
      // Two equity classes.
      await expectInvalid(
        f,
        edited(f.terms, (t) => (t.tranches[2] = equity("E2", USDC))),
        Field.TrancheKind,
        2n,
      );
    });

    it("test_createDeal_invalid_TrancheName", async function () {
      const f = await networkHelpers.loadFixture(factoryFixture);
      await expectInvalid(
        f,
        edited(f.terms, (t) => (t.tranches[1].name = "")),
        Field.TrancheName,
        1n,
      );
      await expectInvalid(
        f,
        edited(f.terms, (t) => (t.tranches[2].name = "x".repeat(32))),
        Field.TrancheName,
        2n,
      );
      await expectInvalid(
        f,
        edited(f.terms, (t) => (t.tranches[0].symbol = "")),
        Field.TrancheName,
        0n,
      );
      await expectInvalid(
        f,
        edited(f.terms, (t) => (t.tranches[3].symbol = "S".repeat(32))),
        Field.TrancheName,
        3n,
      );
      await expect(
        f.factory.createDeal(
          edited(f.terms, (t) => {
            t.tranches[0].name = "x".repeat(31);
            t.tranches[0].symbol = "y".repeat(31);
          }),
        ),
      ).to.emit(f.factory, "DealCreated");
    });

    it("test_createDeal_invalid_FaceAmount", async function () {
      const f = await networkHelpers.loadFixture(factoryFixture);
      await expectInvalid(
        f,
        edited(f.terms, (t) => (t.tranches[2].faceAmount = 0n)),
        Field.FaceAmount,
        2n,
      );
      await expectInvalid(
        f,
        edited(f.terms, (t) => (t.tranches[3].faceAmount = 0n)),
        Field.FaceAmount,
        3n,
      );
    });

    it("test_createDeal_invalid_MinRaise", async function () {
      const f = await networkHelpers.loadFixture(factoryFixture);
      // Below one whole stablecoin unit.
      await expectInvalid(
        f,
        edited(f.terms, (t) => (t.tranches[1].minRaise = USDC - 1n)),
        Field.MinRaise,
        1n,
      );
      await expectInvalid(
        f,
        edited(f.terms, (t) => (t.tranches[0].minRaise = 0n)),
        Field.MinRaise,
        0n,
      );
      // Above the face amount.
      await expectInvalid(
        f,
        edited(f.terms, (t) => (t.tranches[3].minRaise = t.tranches[3].faceAmount + 1n)),
        Field.MinRaise,
        3n,
      );
      await expect(
        f.factory.createDeal(
          edited(f.terms, (t) => (t.tranches[3].minRaise = t.tranches[3].faceAmount)),
        ),
      ).to.emit(f.factory, "DealCreated");
    });

    it("test_createDeal_invalid_MinTicket", async function () {
      const f = await networkHelpers.loadFixture(factoryFixture);
      await expectInvalid(
        f,
        edited(f.terms, (t) => (t.tranches[0].minTicket = 0n)),
        Field.MinTicket,
        0n,
      );
      await expectInvalid(
        f,
        edited(f.terms, (t) => (t.tranches[2].minTicket = t.tranches[2].faceAmount + 1n)),
        Field.MinTicket,
        2n,
      );
    });

    it("test_createDeal_invalid_ReserveFunding", async function () {
      const f = await networkHelpers.loadFixture(factoryFixture);
      await expectInvalid(
        f,
        edited(f.terms, (t) => (t.tranches[1].reserveFundingBps = 10_001)),
        Field.ReserveFunding,
        1n,
      );
      await expect(
        f.factory.createDeal(edited(f.terms, (t) => (t.tranches[1].reserveFundingBps = 10_000))),
      ).to.emit(f.factory, "DealCreated");
    });

    it("test_createDeal_invalid_Coupon", async function () {
      const f = await networkHelpers.loadFixture(factoryFixture);
      const linked = (i: number, c: Partial<TrancheTermsInput["coupon"]>) =>
        edited(f.terms, (t) => {
          t.tranches[i].coupon = { ...f.terms.tranches[1].coupon, ...c };
        });
      // Equity carries no coupon: each field on its own.
      for (const c of [
        { baseRate: 1n },
        { slope: 1n },
        { slope: -1n },
        { strike: 1n },
        { floorRate: 1n },
        { capRate: 1n },
        { couponType: CouponType.UtilizationLinked },
      ]) {
        await expectInvalid(
          f,
          edited(f.terms, (t) => (t.tranches[3].coupon = { ...t.tranches[3].coupon, ...c })),
          Field.Coupon,
          3n,
        );
      }
      // A fixed coupon has no slope, strike, floor or cap.
      for (const c of [{ slope: 1n }, { strike: 1n }, { floorRate: 1n }, { capRate: 1n }]) {
        await expectInvalid(
          f,
          edited(f.terms, (t) => (t.tranches[0].coupon = { ...t.tranches[0].coupon, ...c })),
          Field.Coupon,
          0n,
        );
      }
      // A linked coupon: floor ≤ base ≤ cap, strike ≤ 100 %.
      await expectInvalid(
        f,
        linked(1, { floorRate: WAD, capRate: WAD / 2n, baseRate: WAD / 2n }),
        Field.Coupon,
        1n,
      );
      await expectInvalid(f, linked(1, { strike: WAD + 1n }), Field.Coupon, 1n);
      await expectInvalid(f, linked(2, { baseRate: (7n * WAD) / 100n }), Field.Coupon, 2n);
      await expectInvalid(f, linked(2, { baseRate: (16n * WAD) / 100n }), Field.Coupon, 2n);
      // Edges that are valid: strike = 100 %, base = floor = cap, negative slope.
      const edge = linked(1, {
        strike: WAD,
        baseRate: WAD / 10n,
        floorRate: WAD / 10n,
        capRate: WAD / 10n,
        slope: -WAD,
      });
      const edgeDeal = await f.factory.createDeal.staticCall(edge);
      await expect(f.factory.createDeal(edge)).to.emit(f.factory, "DealCreated");
      // The deal reads the coupon back from its clone arguments, the negative slope included.
      const coupon = (await (await dealAt(ethers, edgeDeal)).tranche(1)).coupon;
      expect([coupon.couponType, coupon.baseRate, coupon.slope, coupon.strike]).to.deep.equal([
        BigInt(CouponType.UtilizationLinked),
        WAD / 10n,
        -WAD,
        WAD,
      ]);
      expect([coupon.floorRate, coupon.capRate]).to.deep.equal([WAD / 10n, WAD / 10n]);
    });

    it("test_createDeal_invalid_Principal", async function () {
      const f = await networkHelpers.loadFixture(factoryFixture);
      const principal = (i: number, p: Partial<TrancheTermsInput["principal"]>) =>
        edited(f.terms, (t) => (t.tranches[i].principal = { ...t.tranches[i].principal, ...p }));
      // Equity has no schedule.
      await expectInvalid(
        f,
        principal(3, { scheduleType: PrincipalType.StraightLine, amortPeriods: 1 }),
        Field.Principal,
        3n,
      );
      await expectInvalid(f, principal(3, { amortStartPeriod: 1 }), Field.Principal, 3n);
      await expectInvalid(f, principal(3, { amortPeriods: 1 }), Field.Principal, 3n);
      // A bullet has no amortization parameters.
      await expectInvalid(f, principal(2, { amortStartPeriod: 1 }), Field.Principal, 2n);
      await expectInvalid(f, principal(2, { amortPeriods: 1 }), Field.Principal, 2n);
      // Straight line: at least one installment, all within the deal's periods.
      await expectInvalid(f, principal(0, { amortPeriods: 0 }), Field.Principal, 0n);
      await expectInvalid(
        f,
        principal(0, { amortStartPeriod: 3, amortPeriods: 10 }),
        Field.Principal,
        0n,
      );
      await expectInvalid(
        f,
        principal(0, { amortStartPeriod: 12, amortPeriods: 1 }),
        Field.Principal,
        0n,
      );
      await expect(
        f.factory.createDeal(principal(0, { amortStartPeriod: 0, amortPeriods: 12 })),
      ).to.emit(f.factory, "DealCreated");
    });

    it("test_createDeal_invalid_firstFailingFieldIsReported", async function () {
      const f = await networkHelpers.loadFixture(factoryFixture);
      // Several fields are wrong; the first one in the order of the checks is named.
      await expectInvalid(
        f,
        edited(f.terms, (t) => {
          t.servicer = ethers.ZeroAddress;
          t.periodLength = 0n;
          t.tranches[0].faceAmount = 0n;
        }),
        Field.Servicer,
      );
      await expectInvalid(
        f,
        edited(f.terms, (t) => {
          t.tranches[1].faceAmount = 0n;
          t.tranches[2].name = "";
        }),
        Field.FaceAmount,
        1n,
      );
    });
  });
});
