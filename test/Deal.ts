import { expect } from "chai";
import type { ContractTransactionReceipt, ContractTransactionResponse } from "ethers";
import { network } from "hardhat";

import type { Deal } from "../types/ethers-contracts/index.js";
import {
  DAY,
  DISPUTE_WINDOW,
  DealStatus,
  PERIOD,
  PrincipalType,
  USDC,
  WAD,
  activateDeal,
  buildReport,
  createDeal,
  deployProtocol,
  equity,
  fixedNote,
  markUnreported,
  proposeReport,
  roles,
  signReport,
  standardTermSheet,
  submitReport,
  subscribe,
  type DealHandles,
  type Protocol,
  type Roles,
  type TermSheetInput,
} from "./helpers/fixtures.js";
import {
  ScenarioRunner,
  dealEvents,
  keeperPaidIn,
  statementFromChain,
  statementsIn,
  performData,
  plain,
  ReportState,
  type PeriodPlan,
} from "./helpers/deal-scenario.js";
import {
  couponRate,
  metricsToArray,
  periodInterest,
  referenceMetrics,
  scheduledOutstanding,
  stepsOf,
  UNREPORTED,
  utilization,
  RefStatus,
} from "./helpers/waterfall-reference.js";

const { ethers, networkHelpers } = await network.create();

const K = 1_000n * USDC;
const M = 1_000_000n * USDC;

async function extraSigners() {
  const s = await ethers.getSigners();
  return { outsider: s[16], keeper: s[17], keeper2: s[18] };
}

async function fundServicer(protocol: Protocol, r: Roles, h: DealHandles) {
  await protocol.stablecoin.mint(r.servicer.address, 1_000_000_000n * USDC);
  await protocol.stablecoin
    .connect(r.servicer)
    .approve(await h.deal.getAddress(), ethers.MaxUint256);
}

async function buildDeal(edit: (t: TermSheetInput) => void) {
  const protocol = await deployProtocol(ethers);
  const r = await roles(ethers);
  const terms = await standardTermSheet(networkHelpers, protocol, r);
  edit(terms);
  const h = await createDeal(ethers, protocol, terms);
  await fundServicer(protocol, r, h);
  return {
    protocol,
    r,
    h,
    deal: h.deal,
    dealAddress: await h.deal.getAddress(),
    ...(await extraSigners()),
  };
}

/**
 * The standard deal with 3 % of the senior raise (180 000) funding the reserve, above its 150 000 target.
 * Offerings open; nothing subscribed.
 */
/**
 * Reports each of `periods` (first two reporters) at its end, before its report deadline, and waits out the dispute
 * window, so each is final; ends one dispute window after the last period's end.
 */
async function reportEach(
  protocol: Protocol,
  r: Roles,
  deal: Deal,
  periods: bigint[],
  revenue: bigint,
): Promise<void> {
  for (const p of periods) {
    const end = await deal.periodEnd(p);
    if (BigInt(await networkHelpers.time.latest()) < end) await networkHelpers.time.increaseTo(end);
    await submitReport(ethers, networkHelpers, protocol, r, deal, p, revenue);
  }
}

async function dealFixture() {
  return buildDeal((t) => {
    t.tranches[0] = { ...t.tranches[0], reserveFundingBps: 300 };
  });
}

/** The same deal, fully subscribed, every offering closed: Active at its start. */
async function activeDealFixture() {
  const f = await dealFixture();
  await activateDeal(networkHelpers, f.protocol, f.r, f.h);
  return f;
}

/**
 * The standard deal with its reserve funded above target, but a mezzanine coupon slope of 2 % instead of 20 %:
 * at U = 0 its formula gives 11 % − 0.02 × 70 % = 9.6 %, above its 8 % floor, so an unreported period (floor)
 * and a period reported at zero utilization (9.6 %) pay different coupons.
 */
async function activeLowSlopeDealFixture() {
  const f = await buildDeal((t) => {
    t.tranches[0] = { ...t.tranches[0], reserveFundingBps: 300 };
    t.tranches[1] = {
      ...t.tranches[1],
      coupon: { ...t.tranches[1].coupon, slope: (2n * WAD) / 100n },
    };
  });
  await activateDeal(networkHelpers, f.protocol, f.r, f.h);
  return f;
}

/** The standard deal with no reserve funding, active. */
async function activeUnreservedDealFixture() {
  const f = await buildDeal(() => {});
  await activateDeal(networkHelpers, f.protocol, f.r, f.h);
  return f;
}

/**
 * A 4-period deal: one senior note of 1 000 000 at 10 % amortizing over periods 0 and 1, a reserve funded at
 * 5 % (50 000 = target), and an equity class nobody subscribed (its offering fails, no equity is issued).
 */
async function shortDealNoEquityFixture() {
  const f = await buildDeal((t) => {
    t.periodCount = 4;
    t.reserveTarget = 50n * K;
    t.trusteeFeePerPeriod = 1n * K;
    t.tranches = [
      {
        ...fixedNote("Senior", M, WAD / 10n, {
          scheduleType: PrincipalType.StraightLine,
          amortStartPeriod: 0,
          amortPeriods: 2,
        }),
        reserveFundingBps: 500,
      },
      { ...equity("Equity", M), minRaise: 100n * K },
    ];
  });
  await networkHelpers.time.increaseTo(f.h.terms.offeringOpensAt);
  await subscribe(f.protocol, f.h.offerings[0], f.r.investors[0], M);
  await networkHelpers.time.increaseTo(f.h.terms.offeringClosesAt);
  for (const o of f.h.offerings) await o.close();
  await f.h.offerings[0]
    .connect(f.r.investors[0])
    ["deposit(uint256,address)"](M, f.r.investors[0].address);
  return f;
}

/** A standard deal on a token that burns 1 % of every transfer, Offering status. */
async function feeTokenDealFixture() {
  const protocol = await deployProtocol(ethers);
  const r = await roles(ethers);
  const fee = await ethers.deployContract("FeeOnTransferToken");
  const feeProtocol = { ...protocol, stablecoin: fee as unknown as Protocol["stablecoin"] };
  const terms = await standardTermSheet(networkHelpers, feeProtocol, r);
  const h = await createDeal(ethers, protocol, terms);
  await fee.mint(r.servicer.address, 1_000_000n * USDC);
  await fee.connect(r.servicer).approve(await h.deal.getAddress(), ethers.MaxUint256);
  return { protocol, r, h, deal: h.deal, fee, ...(await extraSigners()) };
}

function plan(
  revenue: bigint,
  deposit: bigint,
  billed = 700_000n,
  available = 1_000_000n,
): PeriodPlan {
  return { revenue, deposit, billed, available };
}

/** A period with no report, marked unreported once its deadline passed; `deposit` is made before it runs. */
function unreported(deposit: bigint): PeriodPlan {
  return { revenue: 0n, deposit, billed: 0n, available: 0n, unreported: true };
}

describe("Deal", function () {
  describe("reference model sanity (hand-computed figures)", function () {
    it("test_reference_matchesHandFigures", function () {
      // 6 000 000 USDC at 8 % for 30/365 of a year: 39 452.054794… → 39 452.054794 USDC.
      expect(periodInterest(6n * M, (8n * WAD) / 100n, PERIOD)).to.equal(39_452_054_794n);
      // Straight line over 9 from period 3: nothing before, ⌈face·(9−k)/9⌉ after, 0 at the end.
      const sl = { scheduleType: 1, amortStartPeriod: 3, amortPeriods: 9 };
      expect(scheduledOutstanding(6n * M, sl, 2, 12)).to.equal(6n * M);
      expect(scheduledOutstanding(6n * M, sl, 3, 12)).to.equal(6n * M - 666_666_666_666n);
      expect(scheduledOutstanding(6n * M, sl, 4, 12)).to.equal(6n * M - 1_333_333_333_333n);
      expect(scheduledOutstanding(6n * M, sl, 11, 12)).to.equal(0n);
      expect(
        scheduledOutstanding(M, { scheduleType: 0, amortStartPeriod: 0, amortPeriods: 0 }, 10, 12),
      ).to.equal(M);
      // The mezzanine coupon: 11 % + 0.2·(U − 70 %) in [8 %, 15 %].
      const mezz = {
        couponType: 1,
        baseRate: (11n * WAD) / 100n,
        slope: (20n * WAD) / 100n,
        strike: (70n * WAD) / 100n,
        floorRate: (8n * WAD) / 100n,
        capRate: (15n * WAD) / 100n,
      };
      expect(couponRate(mezz, (85n * WAD) / 100n)).to.equal((14n * WAD) / 100n);
      expect(couponRate(mezz, (95n * WAD) / 100n)).to.equal((15n * WAD) / 100n);
      expect(couponRate(mezz, (40n * WAD) / 100n)).to.equal((8n * WAD) / 100n);
      // U = 2/3 rounds down; the negative delta truncates toward zero: 0.11 − 0.006666666666666666.
      expect(utilization(3n, 2n)).to.equal(666_666_666_666_666_666n);
      expect(couponRate(mezz, utilization(3n, 2n))).to.equal(
        110_000_000_000_000_000n - 6_666_666_666_666_666n,
      );
      expect(utilization(0n, 0n)).to.equal(0n);
    });
  });

  describe("initialize", function () {
    it("test_initialize_twice", async function () {
      const { deal, h, protocol } = await networkHelpers.loadFixture(dealFixture);
      await expect(deal.initialize(h.terms.guardian, []))
        .to.be.revertedWithCustomError(deal, "InvalidInitialization")
        .withArgs();
      expect(await deal.issuer()).to.equal(h.terms.issuer);
    });
  });

  describe("views", function () {
    it("test_views_termsAndSchedule", async function () {
      const { deal, h, r, protocol } = await networkHelpers.loadFixture(dealFixture);
      const start = h.terms.start;
      expect(await deal.start()).to.equal(start);
      expect(await deal.periodLength()).to.equal(PERIOD);
      expect(await deal.periodCount()).to.equal(12n);
      for (const p of [0n, 1n, 5n, 11n, 12n, 100n]) {
        expect(await deal.periodEnd(p)).to.equal(start + (p + 1n) * PERIOD);
      }
      expect(await deal.finalMaturity()).to.equal(start + 12n * PERIOD);
      expect(await deal.nextPeriod()).to.equal(0n);
      expect(await deal.stablecoin()).to.equal(await protocol.stablecoin.getAddress());
      expect(await deal.oracle()).to.equal(await protocol.oracle.getAddress());
      expect(await deal.issuer()).to.equal(r.issuer.address);
      expect(await deal.servicer()).to.equal(r.servicer.address);
      expect(await deal.trustee()).to.equal(r.trustee.address);
      expect(await deal.pledgedShareBps()).to.equal(10_000n);
      expect(await deal.servicerFeeBps()).to.equal(100n);
      expect(await deal.trusteeFeePerPeriod()).to.equal(2_000n * USDC);
      expect(await deal.trancheCount()).to.equal(4n);
      expect(await deal.reserve()).to.deep.equal([0n, 150n * K]);
      expect(await deal.feeArrears()).to.deep.equal([0n, 0n]);
      expect(await deal.undistributedCollections()).to.equal(0n);
      expect(await deal.status()).to.equal(BigInt(DealStatus.Offering));
      expect(await deal.paused()).to.equal(false);
    });

    it("test_tranche_and_factor_unknownTranche", async function () {
      const { deal } = await networkHelpers.loadFixture(dealFixture);
      for (const i of [4n, 5n, 255n, 256n, ethers.MaxUint256]) {
        await expect(deal.tranche(i))
          .to.be.revertedWithCustomError(deal, "UnknownTranche")
          .withArgs(i);
        await expect(deal.factor(i))
          .to.be.revertedWithCustomError(deal, "UnknownTranche")
          .withArgs(i);
        await expect(deal.trancheContracts(i))
          .to.be.revertedWithCustomError(deal, "UnknownTranche")
          .withArgs(i);
      }
    });

    it("test_trancheContracts_tokenAndOffering", async function () {
      const { deal, h } = await networkHelpers.loadFixture(dealFixture);
      for (let i = 0; i < 4; i++) {
        expect(await deal.trancheContracts(i)).to.deep.equal([
          await h.tokens[i].getAddress(),
          await h.offerings[i].getAddress(),
        ]);
      }
    });

    it("test_factor_beforeAndAfterIssue", async function () {
      const { deal, protocol, r, h } = await networkHelpers.loadFixture(dealFixture);
      for (let i = 0; i < 4; i++) expect(await deal.factor(i)).to.equal(0n);
      await activateDeal(networkHelpers, protocol, r, h);
      for (let i = 0; i < 4; i++) {
        expect(await deal.factor(i)).to.equal(WAD);
        expect(await h.tokens[i].factor()).to.equal(WAD);
        const info = await deal.tranche(i);
        expect(info.issued).to.equal(h.terms.tranches[i].faceAmount);
        // Equity has no outstanding principal.
        expect(info.outstanding).to.equal(i < 3 ? h.terms.tranches[i].faceAmount : 0n);
        expect(info.arrears).to.equal(0n);
      }
    });
  });

  describe("offering settlement and status", function () {
    it("test_onOfferingSettled_settlesEachTrancheAndActivates", async function () {
      const { deal, protocol, r, h, dealAddress } = await networkHelpers.loadFixture(dealFixture);
      await networkHelpers.time.increaseTo(h.terms.offeringOpensAt);
      for (let i = 0; i < 4; i++) {
        await subscribe(protocol, h.offerings[i], r.investors[i], h.terms.tranches[i].faceAmount);
      }
      await networkHelpers.time.increaseTo(h.terms.offeringClosesAt);
      // Senior: 3 % of 6 000 000 goes to the reserve.
      await expect(h.offerings[0].close())
        .to.emit(deal, "OfferingSettled")
        .withArgs(0n, 6n * M, 180n * K, 180n * K)
        .and.not.to.emit(deal, "StatusChanged");
      expect(await protocol.stablecoin.balanceOf(dealAddress)).to.equal(180n * K);
      await expect(h.offerings[2].close())
        .to.emit(deal, "OfferingSettled")
        .withArgs(2n, M, 0n, 180n * K);
      await expect(h.offerings[3].close())
        .to.emit(deal, "OfferingSettled")
        .withArgs(3n, M, 0n, 180n * K);
      expect(await deal.status()).to.equal(BigInt(DealStatus.Offering));
      // The last close, whichever tranche it is, activates the deal.
      await expect(h.offerings[1].close())
        .to.emit(deal, "OfferingSettled")
        .withArgs(1n, 2n * M, 0n, 180n * K)
        .and.to.emit(deal, "StatusChanged")
        .withArgs(BigInt(DealStatus.Offering), BigInt(DealStatus.Active));
      expect(await deal.status()).to.equal(BigInt(DealStatus.Active));
      expect(await deal.reserve()).to.deep.equal([180n * K, 150n * K]);
      expect((await deal.tranche(1)).outstanding).to.equal(2n * M);
      expect((await deal.tranche(3)).outstanding).to.equal(0n);
      expect((await deal.tranche(3)).issued).to.equal(M);
    });

    it("test_onOfferingSettled_unknownTranche", async function () {
      const { deal, outsider, h } = await networkHelpers.loadFixture(dealFixture);
      for (const i of [4n, 8n, ethers.MaxUint256]) {
        await expect(deal.connect(outsider).onOfferingSettled(i, 1n, 0n))
          .to.be.revertedWithCustomError(deal, "UnknownTranche")
          .withArgs(i);
      }
      // Checked before the caller: even an offering of the deal gets UnknownTranche.
      const offering0 = await h.offerings[0].getAddress();
      await networkHelpers.impersonateAccount(offering0);
      await networkHelpers.setBalance(offering0, 10n ** 18n);
      const asOffering = await ethers.getSigner(offering0);
      await expect(deal.connect(asOffering).onOfferingSettled(4n, 1n, 0n))
        .to.be.revertedWithCustomError(deal, "UnknownTranche")
        .withArgs(4n);
    });

    it("test_onOfferingSettled_notTrancheOffering", async function () {
      const { deal, outsider, h, r } = await networkHelpers.loadFixture(dealFixture);
      await expect(deal.connect(outsider).onOfferingSettled(0n, 6n * M, 0n))
        .to.be.revertedWithCustomError(deal, "NotTrancheOffering")
        .withArgs(0n, outsider.address);
      // Not the issuer, not the offering of another tranche.
      await expect(deal.connect(r.issuer).onOfferingSettled(3n, M, 0n))
        .to.be.revertedWithCustomError(deal, "NotTrancheOffering")
        .withArgs(3n, r.issuer.address);
      const offering1 = await h.offerings[1].getAddress();
      await networkHelpers.impersonateAccount(offering1);
      await networkHelpers.setBalance(offering1, 10n ** 18n);
      const asOffering1 = await ethers.getSigner(offering1);
      await expect(deal.connect(asOffering1).onOfferingSettled(0n, 6n * M, 100n))
        .to.be.revertedWithCustomError(deal, "NotTrancheOffering")
        .withArgs(0n, offering1);
      // Nothing changed.
      expect((await deal.tranche(0)).issued).to.equal(0n);
      expect(await deal.reserve()).to.deep.equal([0n, 150n * K]);
      expect(await deal.status()).to.equal(BigInt(DealStatus.Offering));
      // The right offering may settle its own tranche.
      await expect(deal.connect(asOffering1).onOfferingSettled(1n, 5n, 0n))
        .to.emit(deal, "OfferingSettled")
        .withArgs(1n, 5n, 0n, 0n);
    });

    it("test_onOfferingSettled_amountsBeyond128Bits", async function () {
      const { deal, h } = await networkHelpers.loadFixture(dealFixture);
      const offering0 = await h.offerings[0].getAddress();
      await networkHelpers.impersonateAccount(offering0);
      await networkHelpers.setBalance(offering0, 10n ** 18n);
      const asOffering0 = await ethers.getSigner(offering0);
      await expect(deal.connect(asOffering0).onOfferingSettled(0n, 2n ** 128n, 0n))
        .to.be.revertedWithCustomError(deal, "SafeCastOverflowedUintDowncast")
        .withArgs(128n, 2n ** 128n);
      await expect(deal.connect(asOffering0).onOfferingSettled(0n, 1n, 2n ** 128n))
        .to.be.revertedWithCustomError(deal, "SafeCastOverflowedUintDowncast")
        .withArgs(128n, 2n ** 128n);
      expect((await deal.tranche(0)).issued).to.equal(0n);
    });
  });

  describe("depositCollections", function () {
    it("test_depositCollections_onlyServicer", async function () {
      const { deal, r, outsider, protocol, dealAddress } =
        await networkHelpers.loadFixture(activeDealFixture);
      const role = await deal.SERVICER_ROLE();
      for (const caller of [outsider, r.issuer, r.guardian, r.trustee]) {
        await protocol.stablecoin.mint(caller.address, 10n * USDC);
        await protocol.stablecoin.connect(caller).approve(dealAddress, ethers.MaxUint256);
        const balance = await protocol.stablecoin.balanceOf(caller.address);
        await expect(deal.connect(caller).depositCollections(10n * USDC))
          .to.be.revertedWithCustomError(deal, "AccessControlUnauthorizedAccount")
          .withArgs(caller.address, role);
        expect(await protocol.stablecoin.balanceOf(caller.address)).to.equal(balance);
      }
      expect(await deal.undistributedCollections()).to.equal(0n);
      // A servicer granted by the issuer admin may deposit.
      await deal.connect(r.issuer).grantRole(role, outsider.address);
      await expect(deal.connect(outsider).depositCollections(10n * USDC))
        .to.emit(deal, "CollectionsDeposited")
        .withArgs(outsider.address, 10n * USDC, 10n * USDC);
    });

    it("test_depositCollections_zeroAmount", async function () {
      const { deal, r } = await networkHelpers.loadFixture(activeDealFixture);
      await expect(deal.connect(r.servicer).depositCollections(0n))
        .to.be.revertedWithCustomError(deal, "ZeroAmount")
        .withArgs();
    });

    it("test_depositCollections_accumulates", async function () {
      const { deal, r, protocol, dealAddress } =
        await networkHelpers.loadFixture(activeDealFixture);
      const before = await protocol.stablecoin.balanceOf(r.servicer.address);
      await expect(deal.connect(r.servicer).depositCollections(300n * K))
        .to.emit(deal, "CollectionsDeposited")
        .withArgs(r.servicer.address, 300n * K, 300n * K)
        .and.to.emit(protocol.stablecoin, "Transfer")
        .withArgs(r.servicer.address, dealAddress, 300n * K);
      await expect(deal.connect(r.servicer).depositCollections(1n))
        .to.emit(deal, "CollectionsDeposited")
        .withArgs(r.servicer.address, 1n, 300n * K + 1n);
      expect(await deal.undistributedCollections()).to.equal(300n * K + 1n);
      expect(await protocol.stablecoin.balanceOf(r.servicer.address)).to.equal(
        before - 300n * K - 1n,
      );
      // The reserve is accounted separately: balance = collections + reserve.
      expect(await protocol.stablecoin.balanceOf(dealAddress)).to.equal(300n * K + 1n + 180n * K);
    });

    it("test_depositCollections_allowedWhileOfferingAndWhilePaused", async function () {
      const { deal, r } = await networkHelpers.loadFixture(dealFixture);
      expect(await deal.status()).to.equal(BigInt(DealStatus.Offering));
      await expect(deal.connect(r.servicer).depositCollections(5n * USDC))
        .to.emit(deal, "CollectionsDeposited")
        .withArgs(r.servicer.address, 5n * USDC, 5n * USDC);
      await deal.connect(r.guardian).pause();
      await expect(deal.connect(r.servicer).depositCollections(7n * USDC))
        .to.emit(deal, "CollectionsDeposited")
        .withArgs(r.servicer.address, 7n * USDC, 12n * USDC);
      expect(await deal.undistributedCollections()).to.equal(12n * USDC);
    });

    it("test_depositCollections_feeOnTransferRefused", async function () {
      const { deal, r, fee, h } = await networkHelpers.loadFixture(feeTokenDealFixture);
      const dealAddress = await deal.getAddress();
      // The offerings refuse the token first: a subscription moves 99 % of what was asked.
      await networkHelpers.time.increaseTo(h.terms.offeringOpensAt);
      const investor = r.investors[0];
      await fee.mint(investor.address, 100n * USDC);
      await fee.connect(investor).approve(await h.offerings[0].getAddress(), ethers.MaxUint256);
      await expect(
        h.offerings[0]
          .connect(investor)
          .requestDeposit(100n * USDC, investor.address, investor.address),
      )
        .to.be.revertedWithCustomError(h.offerings[0], "UnsupportedTokenTransfer")
        .withArgs(100n * USDC, 99n * USDC);

      // Deposits are refused during the offering…
      await expect(deal.connect(r.servicer).depositCollections(1_000n * USDC))
        .to.be.revertedWithCustomError(deal, "UnsupportedTokenTransfer")
        .withArgs(1_000n * USDC, 990n * USDC);
      expect(await deal.undistributedCollections()).to.equal(0n);
      expect(await fee.balanceOf(dealAddress)).to.equal(0n);

      // …and once the deal is active. With no subscription every offering fails its minimum raise and
      // settles zero, which still activates the deal.
      await networkHelpers.time.increaseTo(h.terms.offeringClosesAt);
      for (const o of h.offerings) await o.close();
      expect(await deal.status()).to.equal(BigInt(DealStatus.Active));
      await expect(deal.connect(r.servicer).depositCollections(100n))
        .to.be.revertedWithCustomError(deal, "UnsupportedTokenTransfer")
        .withArgs(100n, 99n);
      expect(await deal.undistributedCollections()).to.equal(0n);
      expect(await fee.balanceOf(dealAddress)).to.equal(0n);
    });
  });

  describe("distribute guards", function () {
    it("test_distribute_dealNotActive_beforeOfferingsClose", async function () {
      const { deal, h, r, protocol, outsider } = await networkHelpers.loadFixture(dealFixture);
      await networkHelpers.time.increaseTo(await deal.periodEnd(0));
      // Report accepted, period ended, but the offerings were never closed.
      await submitReport(ethers, networkHelpers, protocol, r, deal, 0n, 100n * K);
      await expect(deal.connect(outsider).distribute(0n))
        .to.be.revertedWithCustomError(deal, "DealNotActive")
        .withArgs(BigInt(DealStatus.Offering));
      await expect(deal.distribute(12n))
        .to.be.revertedWithCustomError(deal, "DealNotActive")
        .withArgs(BigInt(DealStatus.Offering));
      // Only some offerings closed: still not active.
      await h.offerings[0].close();
      await expect(deal.distribute(0n))
        .to.be.revertedWithCustomError(deal, "DealNotActive")
        .withArgs(BigInt(DealStatus.Offering));
      expect(await deal.nextPeriod()).to.equal(0n);
    });

    it("test_distribute_periodNotEnded", async function () {
      const { deal, r, protocol } = await networkHelpers.loadFixture(activeDealFixture);
      const endsAt = await deal.periodEnd(0);
      await deal.connect(r.servicer).depositCollections(100n * K);
      await expect(deal.distribute(0n))
        .to.be.revertedWithCustomError(deal, "WaterfallPeriodNotEnded")
        .withArgs(0n, endsAt);
      await networkHelpers.time.setNextBlockTimestamp(endsAt - 1n);
      await expect(deal.distribute(0n))
        .to.be.revertedWithCustomError(deal, "WaterfallPeriodNotEnded")
        .withArgs(0n, endsAt);
      await networkHelpers.time.increaseTo(endsAt);
      await submitReport(ethers, networkHelpers, protocol, r, deal, 0n, 100n * K);
      await expect(deal.distribute(0n)).to.emit(deal, "PeriodDistributed");
    });

    it("test_distribute_reportNotFinal", async function () {
      const { deal, r, protocol, dealAddress } =
        await networkHelpers.loadFixture(activeDealFixture);
      const oracle = protocol.oracle;
      await deal.connect(r.servicer).depositCollections(100n * K);
      await networkHelpers.time.increaseTo(await deal.periodEnd(0));
      const balance = await protocol.stablecoin.balanceOf(dealAddress);
      const unchanged = async () => {
        expect(await deal.nextPeriod()).to.equal(0n);
        expect(await deal.undistributedCollections()).to.equal(100n * K);
        expect(await protocol.stablecoin.balanceOf(dealAddress)).to.equal(balance);
      };
      // No report at all: the oracle refuses to give an outcome.
      await expect(deal.distribute(0n))
        .to.be.revertedWithCustomError(oracle, "ReportNotFinal")
        .withArgs(dealAddress, 0n);
      await unchanged();
      // A report pending in its dispute window, up to its last second.
      await proposeReport(ethers, protocol, r, deal, 0n, 100n * K);
      const finalAt = BigInt(await networkHelpers.time.latest()) + DISPUTE_WINDOW;
      await expect(deal.distribute(0n))
        .to.be.revertedWithCustomError(oracle, "ReportNotFinal")
        .withArgs(dealAddress, 0n);
      await networkHelpers.time.setNextBlockTimestamp(finalAt - 1n);
      await expect(deal.distribute(0n))
        .to.be.revertedWithCustomError(oracle, "ReportNotFinal")
        .withArgs(dealAddress, 0n);
      await unchanged();
      // Disputed: void again, and the period is not ready.
      await oracle.connect(r.guardian).dispute(dealAddress, 0n, ethers.id("meter mismatch"));
      await networkHelpers.time.increaseTo(finalAt + 1n);
      await expect(deal.distribute(0n))
        .to.be.revertedWithCustomError(oracle, "ReportNotFinal")
        .withArgs(dealAddress, 0n);
      await unchanged();
      // A new round's report, final once its own window has passed.
      await submitReport(ethers, networkHelpers, protocol, r, deal, 0n, 100n * K);
      // Final by time: the distribution uses it without rewriting it (no ReportFinalized).
      expect((await oracle.getReport(dealAddress, 0n)).round).to.equal(1n);
      const tx = deal.distribute(0n);
      await expect(tx).to.emit(deal, "PeriodDistributed");
      await expect(tx).to.not.emit(oracle, "ReportFinalized");
    });

    it("test_distribute_reportFinalExactlyAtWindowEnd", async function () {
      const { deal, r, protocol, dealAddress } =
        await networkHelpers.loadFixture(activeDealFixture);
      await networkHelpers.time.increaseTo(await deal.periodEnd(0));
      await proposeReport(ethers, protocol, r, deal, 0n, 100n * K);
      const finalAt = BigInt(await networkHelpers.time.latest()) + DISPUTE_WINDOW;
      await networkHelpers.time.setNextBlockTimestamp(finalAt);
      await expect(deal.distribute(0n)).to.emit(deal, "PeriodDistributed");
      expect(await protocol.oracle.reportState(dealAddress, 0n)).to.equal(ReportState.Final);
    });

    it("test_distribute_periodNotReady_outOfOrder", async function () {
      const { deal, r, protocol } = await networkHelpers.loadFixture(activeDealFixture);
      await reportEach(protocol, r, deal, [0n, 1n, 2n], 100n * K);
      await expect(deal.distribute(1n))
        .to.be.revertedWithCustomError(deal, "WaterfallPeriodNotReady")
        .withArgs(1n, 0n);
      await expect(deal.distribute(11n))
        .to.be.revertedWithCustomError(deal, "WaterfallPeriodNotReady")
        .withArgs(11n, 0n);
      await deal.distribute(0n);
      await expect(deal.distribute(2n))
        .to.be.revertedWithCustomError(deal, "WaterfallPeriodNotReady")
        .withArgs(2n, 1n);
      await expect(deal.distribute(1n)).to.emit(deal, "PeriodDistributed");
    });

    it("test_distribute_beyondMaturity", async function () {
      const { deal } = await networkHelpers.loadFixture(activeDealFixture);
      for (const p of [12n, 13n, ethers.MaxUint256]) {
        await expect(deal.distribute(p))
          .to.be.revertedWithCustomError(deal, "WaterfallPeriodBeyondMaturity")
          .withArgs(p, 12n);
      }
    });

    it("test_distribute_alreadyDistributed", async function () {
      const { deal, r, protocol, dealAddress } =
        await networkHelpers.loadFixture(activeDealFixture);
      await networkHelpers.time.increaseTo(await deal.periodEnd(0));
      await submitReport(ethers, networkHelpers, protocol, r, deal, 0n, 100n * K);
      await deal.connect(r.servicer).depositCollections(200n * K);
      await deal.distribute(0n);
      const state = [
        await deal.undistributedCollections(),
        await deal.reserve(),
        await protocol.stablecoin.balanceOf(dealAddress),
      ];
      await expect(deal.distribute(0n))
        .to.be.revertedWithCustomError(deal, "WaterfallPeriodAlreadyDistributed")
        .withArgs(0n);
      expect([
        await deal.undistributedCollections(),
        await deal.reserve(),
        await protocol.stablecoin.balanceOf(dealAddress),
      ]).to.deep.equal(state);
      expect(await deal.nextPeriod()).to.equal(1n);
    });

    it("test_distribute_whenPaused", async function () {
      const { deal, r, protocol } = await networkHelpers.loadFixture(activeDealFixture);
      await networkHelpers.time.increaseTo(await deal.periodEnd(0));
      await submitReport(ethers, networkHelpers, protocol, r, deal, 0n, 100n * K);
      await deal.connect(r.guardian).pause();
      await expect(deal.distribute(0n))
        .to.be.revertedWithCustomError(deal, "EnforcedPause")
        .withArgs();
      expect(await deal.nextPeriod()).to.equal(0n);
      await deal.connect(r.guardian).unpause();
      await expect(deal.distribute(0n)).to.emit(deal, "PeriodDistributed");
    });

    it("test_distribute_anyoneMayCall", async function () {
      const { deal, r, protocol, outsider } = await networkHelpers.loadFixture(activeDealFixture);
      await networkHelpers.time.increaseTo(await deal.periodEnd(0));
      await submitReport(ethers, networkHelpers, protocol, r, deal, 0n, 100n * K);
      await expect(deal.connect(outsider).distribute(0n)).to.emit(deal, "PeriodDistributed");
      expect(await deal.nextPeriod()).to.equal(1n);
    });
  });

  describe("pause", function () {
    it("test_pause_onlyGuardian", async function () {
      const { deal, r, outsider } = await networkHelpers.loadFixture(activeDealFixture);
      const role = await deal.GUARDIAN_ROLE();
      for (const caller of [outsider, r.issuer, r.servicer]) {
        await expect(deal.connect(caller).pause())
          .to.be.revertedWithCustomError(deal, "AccessControlUnauthorizedAccount")
          .withArgs(caller.address, role);
      }
      expect(await deal.paused()).to.equal(false);
      await deal.connect(r.guardian).pause();
      for (const caller of [outsider, r.issuer, r.servicer]) {
        await expect(deal.connect(caller).unpause())
          .to.be.revertedWithCustomError(deal, "AccessControlUnauthorizedAccount")
          .withArgs(caller.address, role);
      }
      expect(await deal.paused()).to.equal(true);
    });

    it("test_pause_pushesToTokensAndOfferings", async function () {
      const { deal, r, h } = await networkHelpers.loadFixture(dealFixture);
      const tx = deal.connect(r.guardian).pause();
      await expect(tx).to.emit(deal, "Paused").withArgs(r.guardian.address);
      for (let i = 0; i < 4; i++) {
        await expect(tx).to.emit(h.tokens[i], "PauseSet").withArgs(true);
        await expect(tx).to.emit(h.offerings[i], "PauseSet").withArgs(true);
      }
      expect(await deal.paused()).to.equal(true);
      for (let i = 0; i < 4; i++) {
        expect(await h.tokens[i].paused()).to.equal(true);
        expect(await h.offerings[i].maxDeposit(r.investors[0].address)).to.equal(0n);
      }
      // Subscriptions stop while paused.
      await networkHelpers.time.increaseTo(h.terms.offeringOpensAt);
      await expect(
        h.offerings[0]
          .connect(r.investors[0])
          .requestDeposit(USDC, r.investors[0].address, r.investors[0].address),
      ).to.be.revertedWithCustomError(h.offerings[0], "OfferingPaused");
      await expect(deal.connect(r.guardian).pause())
        .to.be.revertedWithCustomError(deal, "EnforcedPause")
        .withArgs();

      const un = deal.connect(r.guardian).unpause();
      await expect(un).to.emit(deal, "Unpaused").withArgs(r.guardian.address);
      for (let i = 0; i < 4; i++) {
        await expect(un).to.emit(h.tokens[i], "PauseSet").withArgs(false);
        await expect(un).to.emit(h.offerings[i], "PauseSet").withArgs(false);
        expect(await h.tokens[i].paused()).to.equal(false);
      }
      expect(await deal.paused()).to.equal(false);
      await expect(deal.connect(r.guardian).unpause())
        .to.be.revertedWithCustomError(deal, "ExpectedPause")
        .withArgs();
    });

    it("test_pause_tokensRefuseTransfersAndClaims", async function () {
      const { deal, r, h } = await networkHelpers.loadFixture(activeDealFixture);
      await deal.connect(r.guardian).pause();
      await expect(h.tokens[0].connect(r.investors[0]).transfer(r.investors[1].address, 1n))
        .to.be.revertedWithCustomError(h.tokens[0], "TokenPaused")
        .withArgs();
    });
  });

  describe("fees", function () {
    /** An active deal with period 0 distributed: 2 000 USDC of trustee fee and the servicer's share credited. */
    async function creditedFixture() {
      const f = await activeDealFixture();
      const { deal, protocol, r } = f;
      await deal.connect(r.servicer).depositCollections(400n * K);
      await networkHelpers.time.increaseTo(await deal.periodEnd(0));
      await submitReport(ethers, networkHelpers, protocol, r, deal, 0n, 300n * K);
      await deal.connect(f.keeper).distribute(0n);
      return f;
    }

    it("test_withdrawFees_paysEachRecipientWhatWasCreditedToIt", async function () {
      const f = await networkHelpers.loadFixture(creditedFixture);
      const { deal, protocol, r } = f;
      const coin = protocol.stablecoin;
      const [trusteeOwed, servicerOwed] = await deal.feesOwed();
      expect(trusteeOwed).to.equal(2n * K);
      expect(servicerOwed).to.be.greaterThan(0n);
      // The distribution moved no fee: the deal holds them.
      expect(await coin.balanceOf(f.dealAddress)).to.equal(
        (await deal.undistributedCollections()) +
          (await deal.reserve())[0] +
          trusteeOwed +
          servicerOwed,
      );
      expect(await deal.connect(r.trustee).withdrawFees.staticCall()).to.equal(trusteeOwed);
      const tx = deal.connect(r.trustee).withdrawFees();
      await expect(tx).to.emit(deal, "FeesWithdrawn").withArgs(r.trustee.address, trusteeOwed, 0n);
      await expect(tx).to.changeTokenBalances(
        ethers,
        coin,
        [r.trustee, deal],
        [trusteeOwed, -trusteeOwed],
      );
      expect(await deal.feesOwed()).to.deep.equal([0n, servicerOwed]);
      await expect(deal.connect(r.trustee).withdrawFees())
        .to.be.revertedWithCustomError(deal, "NoFeesOwed")
        .withArgs(r.trustee.address);
      await expect(deal.connect(r.servicer).withdrawFees())
        .to.emit(deal, "FeesWithdrawn")
        .withArgs(r.servicer.address, 0n, servicerOwed);
      expect(await deal.feesOwed()).to.deep.equal([0n, 0n]);
      // The next period credits again.
      await networkHelpers.time.increaseTo(await deal.periodEnd(1));
      await submitReport(ethers, networkHelpers, protocol, r, deal, 1n, 100n * K);
      await deal.connect(f.keeper).distribute(1n);
      expect((await deal.feesOwed())[0]).to.equal(2n * K);
    });

    it("test_withdrawFees_revertsNoFeesOwed_forAnyoneElse", async function () {
      const f = await networkHelpers.loadFixture(creditedFixture);
      const { deal, r, outsider } = f;
      const owed = await deal.feesOwed();
      for (const caller of [outsider, r.issuer, r.guardian, f.keeper]) {
        await expect(deal.connect(caller).withdrawFees())
          .to.be.revertedWithCustomError(deal, "NoFeesOwed")
          .withArgs(caller.address);
      }
      expect(await deal.feesOwed()).to.deep.equal(owed);
    });

    it("test_withdrawFees_revertsWhilePaused", async function () {
      const f = await networkHelpers.loadFixture(creditedFixture);
      const { deal, r } = f;
      const owed = await deal.feesOwed();
      await deal.connect(r.guardian).pause();
      await expect(deal.connect(r.trustee).withdrawFees()).to.be.revertedWithCustomError(
        deal,
        "EnforcedPause",
      );
      expect(await deal.feesOwed()).to.deep.equal(owed);
      await deal.connect(r.guardian).unpause();
      await expect(deal.connect(r.trustee).withdrawFees())
        .to.emit(deal, "FeesWithdrawn")
        .withArgs(r.trustee.address, owed[0], 0n);
    });

    it("test_withdrawFees_oneAddressBothTrusteeAndServicer", async function () {
      const f = await buildDeal((t) => (t.servicer = t.trustee));
      await activateDeal(networkHelpers, f.protocol, f.r, f.h);
      const { deal, protocol, r } = f;
      await protocol.stablecoin.mint(r.trustee.address, 400n * K);
      await protocol.stablecoin.connect(r.trustee).approve(f.dealAddress, 400n * K);
      await deal.connect(r.trustee).depositCollections(400n * K);
      await networkHelpers.time.increaseTo(await deal.periodEnd(0));
      await submitReport(ethers, networkHelpers, protocol, r, deal, 0n, 300n * K);
      await deal.connect(f.keeper).distribute(0n);
      const [trusteeOwed, servicerOwed] = await deal.feesOwed();
      expect(trusteeOwed * servicerOwed).to.be.greaterThan(0n);
      const tx = deal.connect(r.trustee).withdrawFees();
      await expect(tx)
        .to.emit(deal, "FeesWithdrawn")
        .withArgs(r.trustee.address, trusteeOwed, servicerOwed);
      await expect(tx).to.changeTokenBalance(
        ethers,
        protocol.stablecoin,
        r.trustee,
        trusteeOwed + servicerOwed,
      );
      expect(await deal.feesOwed()).to.deep.equal([0n, 0n]);
    });

    it("test_distribute_releasesItsGuardWithinTheTransaction", async function () {
      // distribute sets and clears the reentrancy guard itself (it returns the statement from assembly): a
      // second guarded call in the same transaction goes through.
      const f = await networkHelpers.loadFixture(activeDealFixture);
      const { deal, protocol, r } = f;
      await deal.connect(r.servicer).depositCollections(800n * K);
      await reportEach(protocol, r, deal, [0n, 1n], 300n * K);
      const sequence = await ethers.deployContract("CallSequence");
      const calls = [0n, 1n].map((p) => deal.interface.encodeFunctionData("distribute", [p]));
      const receipt = (await (await sequence.run(f.dealAddress, calls)).wait())!;
      expect(statementsIn(deal, f.dealAddress, receipt).map((s) => s.period)).to.deep.equal([
        0n,
        1n,
      ]);
      expect(await deal.nextPeriod()).to.equal(2n);
    });
  });

  describe("readyPeriod", function () {
    it("test_readyPeriod_eachCondition", async function () {
      const { deal, r, protocol, h } = await networkHelpers.loadFixture(dealFixture);
      // Offering: not ready, even with the period ended and reported.
      expect(await deal.readyPeriod()).to.deep.equal([false, 0n]);
      await activateDeal(networkHelpers, protocol, r, h);
      // Active, period 0 not ended.
      expect(await deal.readyPeriod()).to.deep.equal([false, 0n]);
      await networkHelpers.time.increaseTo(await deal.periodEnd(0));
      // Ended, no final report.
      expect(await deal.readyPeriod()).to.deep.equal([false, 0n]);
      // A report pending in its dispute window is not final either.
      await proposeReport(ethers, protocol, r, deal, 0n, 100n * K);
      expect(await deal.readyPeriod()).to.deep.equal([false, 0n]);
      await networkHelpers.time.increase(DISPUTE_WINDOW);
      expect(await deal.readyPeriod()).to.deep.equal([true, 0n]);
      // Paused.
      await deal.connect(r.guardian).pause();
      expect(await deal.readyPeriod()).to.deep.equal([false, 0n]);
      await deal.connect(r.guardian).unpause();
      expect(await deal.readyPeriod()).to.deep.equal([true, 0n]);
      await deal.distribute(0n);
      // Next one: not ended yet.
      expect(await deal.readyPeriod()).to.deep.equal([false, 1n]);
      // Ended with no report, before its report deadline: not ready.
      await networkHelpers.time.increaseTo(await deal.periodEnd(1));
      expect(await deal.readyPeriod()).to.deep.equal([false, 1n]);
      await submitReport(ethers, networkHelpers, protocol, r, deal, 1n, 100n * K);
      expect(await deal.readyPeriod()).to.deep.equal([true, 1n]);
      await deal.distribute(1n);
      // Ended with no report and past its report deadline: ready (distributing marks it unreported).
      const deadline = await protocol.oracle.reportDeadline(await deal.getAddress(), 2n);
      await networkHelpers.time.increaseTo(deadline - 1n);
      expect(await deal.readyPeriod()).to.deep.equal([false, 2n]);
      await networkHelpers.time.increaseTo(deadline);
      expect(await deal.readyPeriod()).to.deep.equal([true, 2n]);
    });

    it("test_readyPeriod_falseOnceEnded", async function () {
      const { deal, r, protocol } = await networkHelpers.loadFixture(shortDealNoEquityFixture);
      await deal.connect(r.servicer).depositCollections(2n * M);
      for (let p = 0n; p < 4n; p++) {
        await networkHelpers.time.increaseTo(await deal.periodEnd(p));
        await submitReport(ethers, networkHelpers, protocol, r, deal, p, 700n * K);
        expect(await deal.readyPeriod()).to.deep.equal([true, p]);
        await deal.distribute(p);
      }
      expect(await deal.status()).to.equal(BigInt(DealStatus.Repaid));
      expect(await deal.readyPeriod()).to.deep.equal([false, 4n]);
      expect(await deal.nextPeriod()).to.equal(4n);
    });
  });

  describe("upkeep (Chainlink Automation) and keeper bounty", function () {
    const abi = ethers.AbiCoder.defaultAbiCoder();
    const encode1 = (n: bigint) => abi.encode(["uint256"], [n]);

    /**
     * readyPeriod() and checkUpkeep(checkData) agree: for each way of asking (empty checkData, one, three, every
     * period, zero periods) the answer is (ready && n > 0, abi.encode(period, n)).
     */
    async function expectUpkeep(deal: Deal, ready: boolean, period: bigint) {
      expect(await deal.readyPeriod(), `readyPeriod`).to.deep.equal([ready, period]);
      expect(plain(await deal.checkUpkeep("0x")), "checkUpkeep(empty)").to.deep.equal([
        ready,
        performData(ethers, period, 1n),
      ]);
      for (const n of [1n, 3n, ethers.MaxUint256]) {
        expect(plain(await deal.checkUpkeep(encode1(n))), `checkUpkeep(${n})`).to.deep.equal([
          ready,
          performData(ethers, period, n),
        ]);
      }
      expect(plain(await deal.checkUpkeep(encode1(0n))), "checkUpkeep(0)").to.deep.equal([
        false,
        performData(ethers, period, 0n),
      ]);
    }

    /** Stablecoin balances of everyone a distribution could pay, and of the deal itself. */
    async function balances(f: Awaited<ReturnType<typeof dealFixture>>): Promise<bigint[]> {
      const accounts = [
        f.keeper.address,
        f.keeper2.address,
        f.outsider.address,
        f.r.trustee.address,
        f.r.servicer.address,
        f.r.issuer.address,
        f.dealAddress,
        ...(await Promise.all(f.h.tokens.map((t) => t.getAddress()))),
      ];
      return Promise.all(accounts.map((a) => f.protocol.stablecoin.balanceOf(a)));
    }

    /** The periods of the PeriodDistributed events and [period, keeper, bounty] of their statements, in order. */
    function upkeepLog(
      f: { deal: Deal; dealAddress: string },
      receipt: ContractTransactionReceipt,
    ) {
      const events = dealEvents(f.deal, f.dealAddress, receipt);
      return {
        periods: events.filter((e) => e.name === "PeriodDistributed").map((e) => e.args[0]),
        keeperPaid: keeperPaidIn(f.deal, f.dealAddress, receipt),
      };
    }

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

    it("test_performUpkeep_distributesTheFirstPeriod_bountyToTheCaller", async function () {
      const f = await networkHelpers.loadFixture(activeDealFixture);
      const { deal, protocol, r } = f;
      const coin = protocol.stablecoin;
      await deal.connect(r.servicer).depositCollections(400n * K);
      await networkHelpers.time.increaseTo(await deal.periodEnd(0));
      await submitReport(ethers, networkHelpers, protocol, r, deal, 0n, 300n * K);
      const [, data] = await deal.checkUpkeep("0x");
      expect(data).to.equal(performData(ethers, 0n, 1n));
      // A third account, neither a role of the deal nor the usual keeper, runs the upkeep and earns the bounty.
      const tx = deal.connect(f.keeper2).performUpkeep(data);
      expect(keeperPaidIn(deal, await deal.getAddress(), (await (await tx).wait())!)).to.deep.equal(
        [[0n, f.keeper2.address, 50n * USDC]],
      );
      await expect(tx).to.emit(deal, "PeriodDistributed");
      await expect(tx).to.changeTokenBalances(
        ethers,
        coin,
        [f.keeper2, f.keeper, f.outsider],
        [50n * USDC, 0n, 0n],
      );
      const receipt = (await (await tx).wait())!;
      expect(upkeepLog(f, receipt)).to.deep.equal({
        periods: [0n],
        keeperPaid: [[0n, f.keeper2.address, 50n * USDC]],
      });
      expect(await deal.nextPeriod()).to.equal(1n);
      await expectUpkeep(deal, false, 1n);
    });

    it("test_performUpkeep_bountyGoesToTheCallingContract", async function () {
      // Chainlink Automation calls performUpkeep from a forwarder contract: the deal pays its msg.sender, not
      // the transaction's origin.
      const f = await networkHelpers.loadFixture(activeDealFixture);
      const { deal, protocol, r } = f;
      const forwarder = await ethers.deployContract("MockAutomationForwarder");
      await deal.connect(r.servicer).depositCollections(400n * K);
      await networkHelpers.time.increaseTo(await deal.periodEnd(0));
      await submitReport(ethers, networkHelpers, protocol, r, deal, 0n, 300n * K);
      const tx = forwarder.connect(f.keeper).forward(f.dealAddress, performData(ethers, 0n, 1n));
      expect(keeperPaidIn(deal, await deal.getAddress(), (await (await tx).wait())!)).to.deep.equal(
        [[0n, await forwarder.getAddress(), 50n * USDC]],
      );
      await expect(tx).to.changeTokenBalances(
        ethers,
        protocol.stablecoin,
        [forwarder, f.keeper],
        [50n * USDC, 0n],
      );
    });

    it("test_performUpkeep_bountyToTheRecipientNamedInCheckData", async function () {
      // A keeper network whose caller is a forwarder names the payout address in checkData; checkUpkeep carries
      // it into performData and the deal pays it, not the caller.
      const f = await networkHelpers.loadFixture(activeDealFixture);
      const { deal, protocol, r } = f;
      const coder = ethers.AbiCoder.defaultAbiCoder();
      const forwarder = await ethers.deployContract("MockAutomationForwarder");
      await deal.connect(r.servicer).depositCollections(400n * K);
      await networkHelpers.time.increaseTo(await deal.periodEnd(0));
      await submitReport(ethers, networkHelpers, protocol, r, deal, 0n, 300n * K);
      const payout = f.outsider.address;
      const [needed, data] = await deal.checkUpkeep(
        coder.encode(["uint256", "address"], [2n, payout]),
      );
      expect(needed).to.equal(true);
      expect(data).to.equal(coder.encode(["uint256", "uint256", "address"], [0n, 2n, payout]));
      const tx = forwarder.connect(f.keeper).forward(f.dealAddress, data);
      expect(keeperPaidIn(deal, await deal.getAddress(), (await (await tx).wait())!)).to.deep.equal(
        [[0n, payout, 50n * USDC]],
      );
      await expect(tx).to.changeTokenBalances(
        ethers,
        protocol.stablecoin,
        [forwarder, f.outsider],
        [0n, 50n * USDC],
      );
      // A zero recipient is refused.
      const zero = coder.encode(["uint256", "uint256", "address"], [1n, 1n, ethers.ZeroAddress]);
      await expect(deal.performUpkeep(zero))
        .to.be.revertedWithCustomError(deal, "InvalidUpkeep")
        .withArgs();
    });

    it("test_performUpkeep_revertsWithThePreciseReason", async function () {
      const f = await networkHelpers.loadFixture(dealFixture);
      const { deal, protocol, r, h, dealAddress } = f;
      const oracle = protocol.oracle;
      const first = performData(ethers, 0n, 1n);
      const keeper = deal.connect(f.keeper);
      // Offering.
      await expect(keeper.performUpkeep(first))
        .to.be.revertedWithCustomError(deal, "DealNotActive")
        .withArgs(BigInt(DealStatus.Offering));
      await activateDeal(networkHelpers, protocol, r, h);
      await deal.connect(r.servicer).depositCollections(400n * K);
      const before = await balances(f);
      // Not ended.
      const end0 = await deal.periodEnd(0);
      await expect(keeper.performUpkeep(first))
        .to.be.revertedWithCustomError(deal, "WaterfallPeriodNotEnded")
        .withArgs(0n, end0);
      // Ended, no report; then pending in its dispute window.
      await networkHelpers.time.increaseTo(end0);
      await expect(keeper.performUpkeep(first))
        .to.be.revertedWithCustomError(oracle, "ReportNotFinal")
        .withArgs(dealAddress, 0n);
      await proposeReport(ethers, protocol, r, deal, 0n, 300n * K);
      await expect(keeper.performUpkeep(first))
        .to.be.revertedWithCustomError(oracle, "ReportNotFinal")
        .withArgs(dealAddress, 0n);
      // Asking for periods other than the next one.
      await expect(keeper.performUpkeep(performData(ethers, 1n, 1n)))
        .to.be.revertedWithCustomError(deal, "WaterfallPeriodNotReady")
        .withArgs(1n, 0n);
      for (const p of [12n, ethers.MaxUint256]) {
        await expect(keeper.performUpkeep(performData(ethers, p, 5n)))
          .to.be.revertedWithCustomError(deal, "WaterfallPeriodBeyondMaturity")
          .withArgs(p, 12n);
      }
      await networkHelpers.time.increase(DISPUTE_WINDOW);
      await expectUpkeep(deal, true, 0n);
      // Zero periods: refused even though period 0 is ready.
      await expect(keeper.performUpkeep(performData(ethers, 0n, 0n)))
        .to.be.revertedWithCustomError(deal, "InvalidUpkeep")
        .withArgs();
      // Malformed performData: neither two nor three words.
      for (const data of ["0x", encode1(0n)]) {
        await expect(keeper.performUpkeep(data))
          .to.be.revertedWithCustomError(deal, "InvalidUpkeep")
          .withArgs();
      }
      // Paused: the pause comes first, whatever the data.
      await deal.connect(r.guardian).pause();
      for (const data of [first, performData(ethers, 0n, 0n), performData(ethers, 7n, 1n)]) {
        await expect(keeper.performUpkeep(data))
          .to.be.revertedWithCustomError(deal, "EnforcedPause")
          .withArgs();
      }
      // Nothing moved and nothing advanced.
      expect(await balances(f)).to.deep.equal(before);
      expect(await deal.nextPeriod()).to.equal(0n);
      expect(await deal.undistributedCollections()).to.equal(400n * K);
      await deal.connect(r.guardian).unpause();
      await expect(keeper.performUpkeep(first)).to.emit(deal, "PeriodDistributed");
      // Already distributed.
      await expect(keeper.performUpkeep(first))
        .to.be.revertedWithCustomError(deal, "WaterfallPeriodAlreadyDistributed")
        .withArgs(0n);
    });

    it("test_performUpkeep_catchesUpInOrder_boundedByMaxPeriods", async function () {
      const f = await networkHelpers.loadFixture(activeDealFixture);
      const { deal, protocol, r } = f;
      await deal.connect(r.servicer).depositCollections(5n * M);
      await reportEach(protocol, r, deal, [0n, 1n, 2n, 3n], 500n * K);
      await expectUpkeep(deal, true, 0n);
      // Four periods are ready; the upkeep asks for two and runs exactly 0 and 1.
      const tx = deal.connect(f.keeper2).performUpkeep(performData(ethers, 0n, 2n));
      await expect(tx).to.changeTokenBalance(ethers, protocol.stablecoin, f.keeper2, 100n * USDC);
      const receipt = (await (await tx).wait())!;
      expect(upkeepLog(f, receipt)).to.deep.equal({
        periods: [0n, 1n],
        keeperPaid: [
          [0n, f.keeper2.address, 50n * USDC],
          [1n, f.keeper2.address, 50n * USDC],
        ],
      });
      await expectUpkeep(deal, true, 2n);
      // The rest, with room to spare.
      const r2 = (await (
        await deal.connect(f.keeper).performUpkeep(performData(ethers, 2n, 10n))
      ).wait())!;
      expect(upkeepLog(f, r2).periods).to.deep.equal([2n, 3n]);
      await expectUpkeep(deal, false, 4n);
    });

    it("test_performUpkeep_catchUpStopsQuietlyAtTheFirstUnreadyPeriod", async function () {
      const f = await networkHelpers.loadFixture(activeDealFixture);
      const { deal, protocol, r, dealAddress } = f;
      const coin = protocol.stablecoin;
      await deal.connect(r.servicer).depositCollections(5n * M);
      // 0 and 1 final, 2 unreported (ready too), 3 pending in its dispute window, 4 not ended.
      await reportEach(protocol, r, deal, [0n, 1n], 500n * K);
      await markUnreported(networkHelpers, protocol, deal, 2n);
      await networkHelpers.time.increaseTo(await deal.periodEnd(3));
      await proposeReport(ethers, protocol, r, deal, 3n, 500n * K);
      expect(await protocol.oracle.reportState(dealAddress, 3n)).to.equal(1n);

      let before = await coin.balanceOf(f.keeper2);
      let receipt = (await (
        await deal.connect(f.keeper2).performUpkeep(performData(ethers, 0n, ethers.MaxUint256))
      ).wait())!;
      expect(receipt.status).to.equal(1);
      expect(upkeepLog(f, receipt).periods).to.deep.equal([0n, 1n, 2n]);
      expect(await coin.balanceOf(f.keeper2)).to.equal(before + 150n * USDC);
      await expectUpkeep(deal, false, 3n);
      // The first period of an upkeep is checked in full: period 3 is still pending.
      await expect(deal.connect(f.keeper2).performUpkeep(performData(ethers, 3n, 5n)))
        .to.be.revertedWithCustomError(protocol.oracle, "ReportNotFinal")
        .withArgs(dealAddress, 3n);

      // Once 3 is final and 4 has ended: 3 runs, and the catch-up stops at 4 (no report). The unreported period 2
      // took every collection on deposit, so the servicer deposits again first.
      await deal.connect(r.servicer).depositCollections(M);
      await networkHelpers.time.increaseTo(await deal.periodEnd(4));
      before = await coin.balanceOf(f.keeper2);
      receipt = (await (
        await deal.connect(f.keeper2).performUpkeep(performData(ethers, 3n, 5n))
      ).wait())!;
      expect(upkeepLog(f, receipt).periods).to.deep.equal([3n]);
      expect(await coin.balanceOf(f.keeper2)).to.equal(before + 50n * USDC);
      await expectUpkeep(deal, false, 4n);

      // 4 reported: it runs, and the catch-up stops at 5, which has not ended.
      await submitReport(ethers, networkHelpers, protocol, r, deal, 4n, 500n * K);
      receipt = (await (
        await deal.connect(f.keeper2).performUpkeep(performData(ethers, 4n, 5n))
      ).wait())!;
      expect(upkeepLog(f, receipt).periods).to.deep.equal([4n]);
      await expectUpkeep(deal, false, 5n);
      expect(await deal.missedReports()).to.equal(1n);
    });

    it("test_performUpkeep_whenPaused_refusesTheWholeCatchUp", async function () {
      // Two periods ready: a paused deal runs neither (EnforcedPause), the resumed deal runs both in one upkeep.
      const f = await networkHelpers.loadFixture(activeDealFixture);
      const { deal, protocol, r } = f;
      await deal.connect(r.servicer).depositCollections(M);
      await reportEach(protocol, r, deal, [0n, 1n], 300n * K);
      await deal.connect(r.guardian).pause();
      await expectUpkeep(deal, false, 0n);
      await expect(deal.connect(f.keeper).performUpkeep(performData(ethers, 0n, 2n)))
        .to.be.revertedWithCustomError(deal, "EnforcedPause")
        .withArgs();
      await deal.connect(r.guardian).unpause();
      const receipt = (await (
        await deal.connect(f.keeper).performUpkeep(performData(ethers, 0n, 2n))
      ).wait())!;
      expect(upkeepLog(f, receipt).periods).to.deep.equal([0n, 1n]);
    });

    it("test_performUpkeep_samePerformDataTwice_noSecondPayment", async function () {
      const f = await networkHelpers.loadFixture(activeDealFixture);
      const { deal, protocol, r } = f;
      await deal.connect(r.servicer).depositCollections(3n * M);
      await reportEach(protocol, r, deal, [0n, 1n, 2n, 3n], 500n * K);

      const [, data] = await deal.checkUpkeep("0x");
      await deal.connect(f.keeper).performUpkeep(data);
      let after = await balances(f);
      // The same data again, by the same keeper or another one: refused, and nobody is paid anything.
      for (const k of [f.keeper, f.keeper2]) {
        await expect(deal.connect(k).performUpkeep(data))
          .to.be.revertedWithCustomError(deal, "WaterfallPeriodAlreadyDistributed")
          .withArgs(0n);
      }
      await expect(deal.connect(f.keeper2).distribute(0n))
        .to.be.revertedWithCustomError(deal, "WaterfallPeriodAlreadyDistributed")
        .withArgs(0n);
      expect(await balances(f)).to.deep.equal(after);
      expect(await deal.nextPeriod()).to.equal(1n);

      // Same after a catch-up of several periods.
      const batch = performData(ethers, 1n, 3n);
      await deal.connect(f.keeper).performUpkeep(batch);
      expect(await deal.nextPeriod()).to.equal(4n);
      after = await balances(f);
      await expect(deal.connect(f.keeper2).performUpkeep(batch))
        .to.be.revertedWithCustomError(deal, "WaterfallPeriodAlreadyDistributed")
        .withArgs(1n);
      expect(await balances(f)).to.deep.equal(after);
    });

    it("test_performUpkeep_twoKeepersRace_exactlyOneIsPaid", async function () {
      const f = await networkHelpers.loadFixture(activeDealFixture);
      const { deal, protocol, r } = f;
      const coin = protocol.stablecoin;
      await deal.connect(r.servicer).depositCollections(M);
      await reportEach(protocol, r, deal, [0n, 1n], 300n * K);

      /** Sends both calls into the same block; returns the receipts in block order. */
      const race = async (calls: (() => Promise<ContractTransactionResponse>)[]) => {
        await ethers.provider.send("evm_setAutomine", [false]);
        try {
          const sent = [];
          for (const c of calls) sent.push(await c());
          await networkHelpers.mine();
          const receipts = await Promise.all(
            sent.map((t) => ethers.provider.getTransactionReceipt(t.hash)),
          );
          expect(new Set(receipts.map((x) => x!.blockNumber)).size).to.equal(1);
          return receipts.map((x) => x!).sort((a, b) => a.index - b.index);
        } finally {
          await ethers.provider.send("evm_setAutomine", [true]);
        }
      };
      const gas = { gasLimit: 3_000_000n };

      // Both keepers saw the same checkUpkeep answer and send the same performData.
      const [, data] = await deal.checkUpkeep("0x");
      let before = [await coin.balanceOf(f.keeper), await coin.balanceOf(f.keeper2)];
      let [winner, loser] = await race([
        () => deal.connect(f.keeper).performUpkeep(data, gas),
        () => deal.connect(f.keeper2).performUpkeep(data, gas),
      ]);
      expect([winner.status, loser.status]).to.deep.equal([1, 0]);
      const paid = (rc: typeof winner) =>
        rc.logs
          .filter((l) => l.address === f.dealAddress)
          .map((l) => deal.interface.parseLog(l)!)
          .filter((l) => l.name === "PeriodDistributed")
          .map((l) => statementFromChain(l.args[1]))
          .map((st) => [st.period, st.keeper, st.keeperBountyPaid]);
      const winnerSigner = winner.from === f.keeper.address ? f.keeper : f.keeper2;
      const loserSigner = winnerSigner === f.keeper ? f.keeper2 : f.keeper;
      expect(loser.from).to.equal(loserSigner.address);
      expect(paid(winner)).to.deep.equal([[0n, winnerSigner.address, 50n * USDC]]);
      expect(paid(loser)).to.deep.equal([]);
      const gained = [
        (await coin.balanceOf(f.keeper)) - before[0],
        (await coin.balanceOf(f.keeper2)) - before[1],
      ];
      expect(gained).to.deep.equal(winnerSigner === f.keeper ? [50n * USDC, 0n] : [0n, 50n * USDC]);
      // The loser's call, replayed on the state it met, fails because the period was distributed.
      await expect(deal.connect(loserSigner).performUpkeep.staticCall(data))
        .to.be.revertedWithCustomError(deal, "WaterfallPeriodAlreadyDistributed")
        .withArgs(0n);
      expect(await deal.nextPeriod()).to.equal(1n);

      // The same race between distribute and performUpkeep for period 1.
      before = [await coin.balanceOf(f.keeper), await coin.balanceOf(f.keeper2)];
      [winner, loser] = await race([
        () => deal.connect(f.keeper2).distribute(1n, gas),
        () => deal.connect(f.keeper).performUpkeep(performData(ethers, 1n, 1n), gas),
      ]);
      expect([winner.status, loser.status]).to.deep.equal([1, 0]);
      expect(paid(winner).length + paid(loser).length).to.equal(1);
      const total =
        (await coin.balanceOf(f.keeper)) -
        before[0] +
        ((await coin.balanceOf(f.keeper2)) - before[1]);
      expect(total).to.equal(50n * USDC);
      expect(await deal.nextPeriod()).to.equal(2n);
    });

    it("test_keeperBounty_zero_announcedNotTransferred", async function () {
      const f = await buildDeal((t) => (t.keeperBounty = 0n));
      await activateDeal(networkHelpers, f.protocol, f.r, f.h);
      const { deal, protocol, r } = f;
      expect(await deal.keeperBounty()).to.equal(0n);
      await deal.connect(r.servicer).depositCollections(400n * K);
      await networkHelpers.time.increaseTo(await deal.periodEnd(0));
      await submitReport(ethers, networkHelpers, protocol, r, deal, 0n, 300n * K);
      const tx = deal.connect(f.keeper).performUpkeep(performData(ethers, 0n, 1n));
      expect(keeperPaidIn(deal, await deal.getAddress(), (await (await tx).wait())!)).to.deep.equal(
        [[0n, f.keeper.address, 0n]],
      );
      await expect(tx).to.changeTokenBalance(ethers, protocol.stablecoin, f.keeper, 0n);
      // No transfer to the keeper at all, not even of zero.
      const coinAddress = await protocol.stablecoin.getAddress();
      const transfersToKeeper = (await (await tx).wait())!.logs
        .filter((l) => l.address === coinAddress)
        .map((l) => protocol.stablecoin.interface.parseLog(l)!)
        .filter((l) => l.name === "Transfer" && l.args.to === f.keeper.address);
      expect(transfersToKeeper).to.deep.equal([]);
    });

    it("test_distribute_unreported_everyCollectionIsCash_linkedCouponAtFloor", async function () {
      // One unreported period checked with the chai event matchers directly.
      const f = await networkHelpers.loadFixture(activeLowSlopeDealFixture);
      const { deal, r, protocol, h, dealAddress } = f;
      await deal.connect(r.servicer).depositCollections(400n * K);
      await markUnreported(networkHelpers, protocol, deal, 0n, f.outsider);
      expect(await protocol.oracle.reportState(dealAddress, 0n)).to.equal(3n);
      const seniorInterest = 39_452_054_794n;
      const mezzInterest = periodInterest(2n * M, (8n * WAD) / 100n, PERIOD); // the floor, not 9.6 % (U = 0)
      const juniorInterest = periodInterest(M, (14n * WAD) / 100n, PERIOD);
      const bounty = 50n * USDC;
      const servicerFee = 4n * K; // 1 % of every collection: 400 000
      const residual =
        400n * K +
        30n * K -
        bounty -
        2n * K -
        servicerFee -
        seniorInterest -
        mezzInterest -
        juniorInterest;
      const tx = deal.connect(f.keeper).distribute(0n);
      await expect(tx).to.emit(deal, "ReportMissed").withArgs(0n, 1n);
      await expect(tx)
        .to.emit(deal, "ReserveReleased")
        .withArgs(0n, 30n * K, 150n * K);
      expect(keeperPaidIn(deal, await deal.getAddress(), (await (await tx).wait())!)).to.deep.equal(
        [[0n, f.keeper.address, bounty]],
      );
      await expect(tx).to.not.emit(protocol.oracle, "ReportFinalized");
      await expect(tx)
        .to.emit(deal, "PeriodDistributed")
        .withArgs(0n, [
          0n,
          false,
          400n * K,
          30n * K,
          0n,
          bounty,
          2n * K,
          servicerFee,
          [seniorInterest, mezzInterest, juniorInterest],
          0n,
          [0n, 0n, 0n],
          residual,
          0n,
          0n,
          0n,
          150n * K,
          BigInt(DealStatus.Active),
          metricsToArray(
            referenceMetrics({
              outcome: UNREPORTED,
              cash: 400n * K,
              feesDue: bounty + 2n * K + servicerFee,
              reserve: 180n * K,
              reserveTarget: 150n * K,
              pledgedShareBps: 10_000,
              outstanding: [6n * M, 2n * M, M],
              interestDue: [seniorInterest, mezzInterest, juniorInterest],
              principalDue: [0n, 0n, 0n],
              history: [],
              trailingPeriods: 3,
            }),
          ),
          f.keeper.address,
          0n,
          0n,
          [seniorInterest, mezzInterest, juniorInterest],
          [6n * M, 2n * M, M],
          await h.tokens[3].getAddress(),
          0n,
        ]);
      // The fees are credited to the trustee and the servicer, who withdraw them.
      expect(await deal.feesOwed()).to.deep.equal([2n * K, servicerFee]);
      await expect(tx).to.changeTokenBalance(ethers, protocol.stablecoin, f.keeper, bounty);
      expect(await deal.undistributedCollections()).to.equal(0n);
      expect(await deal.missedReports()).to.equal(1n);
    });
  });

  describe("waterfall against the reference model", function () {
    /**
     * At the end of a deal it holds only the fees credited to the trustee and the servicer (as the reference
     * model counts them); each withdraws its own and the deal is left with nothing.
     */
    async function expectOnlyFeesLeftThenWithdrawn(
      f: { deal: Deal; dealAddress: string; protocol: Protocol; r: Roles },
      model: { trusteeFeesOwed: bigint; servicerFeesOwed: bigint },
    ) {
      const { deal, protocol, r } = f;
      const [trusteeOwed, servicerOwed] = await deal.feesOwed();
      expect([trusteeOwed, servicerOwed]).to.deep.equal([
        model.trusteeFeesOwed,
        model.servicerFeesOwed,
      ]);
      expect(await protocol.stablecoin.balanceOf(f.dealAddress)).to.equal(
        trusteeOwed + servicerOwed,
      );
      for (const [who, owed] of [
        [r.trustee, trusteeOwed],
        [r.servicer, servicerOwed],
      ] as const) {
        await expect(deal.connect(who).withdrawFees()).to.changeTokenBalances(
          ethers,
          protocol.stablecoin,
          [who, deal],
          [owed, -owed],
        );
      }
      expect(await protocol.stablecoin.balanceOf(f.dealAddress)).to.equal(0n);
    }

    it("test_waterfall_twelvePeriods_repaid", async function () {
      const f = await networkHelpers.loadFixture(activeDealFixture);
      const { deal, r } = f;
      const run = await ScenarioRunner.start(ethers, networkHelpers, f.protocol, r, f.h, f.keeper);
      const plans: PeriodPlan[] = [
        plan(500n * K, 500n * K), // U 70 %: mezzanine at its 11 % base; reserve 180 000 → 150 000 released
        plan(400n * K, 300n * K, 950_000n), // deposits short of revenue; U 95 %: mezzanine at its 15 % cap
        plan(450n * K, 600n * K, 400_000n), // 150 000 carried; U 40 %: mezzanine at its 8 % floor
        plan(0n, 0n, 0n, 0n), // nothing: fee and interest arrears, reserve covers senior, principal missed
        plan(2_500n * K, 2_350n * K, 900_000n, 1_350_000n), // recovery: arrears, top-up, catch-up; U = 2/3
        plan(900n * K, 900n * K, 850_000n),
        plan(500n * K, 500n * K, 750_000n), // scheduled principal partly missed
        plan(1_200n * K, 1_200n * K, 900_000n),
        plan(900n * K, 900n * K, 600_000n),
        plan(900n * K, 1_500n * K, 1_000_000n), // 600 000 carried to the end
        plan(900n * K, 900n * K, 550_000n),
        plan(1_000n * K, 3_500n * K, 700_000n), // final: every collection, reserve released, notes repaid
      ];
      for (let p = 0; p < plans.length; p++) await run.run(p, plans[p]);
      const res = run.results;

      // The scenario exercises what it claims to.
      const mezzRates = res.map(
        (x) => stepsOf(x).find((e) => e.name === "InterestPaid" && e.args[1] === 1n)!.args[2],
      );
      expect(mezzRates.slice(0, 3)).to.deep.equal([
        (11n * WAD) / 100n,
        (15n * WAD) / 100n,
        (8n * WAD) / 100n,
      ]);
      expect(mezzRates[4]).to.equal((11n * WAD) / 100n - 6_666_666_666_666_666n);
      expect(res[0].statement.reserveReleased).to.equal(30n * K);
      expect(res[1].statement.cashIn).to.equal(300n * K);
      expect(res[2].statement.collectionsCarried).to.equal(150n * K);
      expect(res[3].statement.cashIn).to.equal(0n);
      expect(res[3].statement.reserveDrawn).to.be.greaterThan(0n);
      expect(res[3].statement.principalPaid[0]).to.equal(0n);
      const arrears3 = stepsOf(res[3])
        .filter((e) => e.name === "InterestPaid")
        .map((e) => e.args[5] as bigint);
      expect(arrears3[0]).to.equal(0n); // senior fully covered by the reserve
      expect(arrears3[1]).to.be.greaterThan(0n);
      expect(arrears3[2]).to.be.greaterThan(0n);
      const fees3 = stepsOf(res[3]).find((e) => e.name === "FeesPaid")!.args;
      expect(fees3.slice(1)).to.deep.equal([0n, 0n, 2_000n * USDC, 0n]);
      expect(res[4].statement.reserveToppedUp).to.equal(res[3].statement.reserveDrawn);
      const fees4 = stepsOf(res[4]).find((e) => e.name === "FeesPaid")!.args;
      expect(fees4.slice(1)).to.deep.equal([4_000n * USDC, 25_000n * USDC, 0n, 0n]);
      expect(
        stepsOf(res[4])
          .filter((e) => e.name === "InterestPaid")
          .map((e) => e.args[5]),
      ).to.deep.equal([0n, 0n, 0n]);
      // Catch-up: two installments of ⌊6 000 000 / 9⌋-ish at once.
      expect(res[4].statement.principalPaid[0]).to.equal(1_333_333_333_333n);
      expect(res[6].statement.principalPaid[0]).to.be.lessThan(666_666_666_667n);
      expect(res[7].statement.principalPaid[0]).to.be.greaterThan(666_666_666_667n);
      expect(res[11].statement.reserveReleased).to.equal(150n * K);
      expect(res[11].statement.collectionsCarried).to.equal(0n);
      expect(res[11].statement.reserveAfter).to.equal(0n);
      expect(res[11].statement.residualPaid).to.be.greaterThan(0n);

      // Repaid: every note at zero, nothing left in the deal.
      expect(await deal.status()).to.equal(BigInt(DealStatus.Repaid));
      expect(run.model.status).to.equal(RefStatus.Repaid);
      for (let i = 0; i < 3; i++) {
        expect((await deal.tranche(i)).outstanding).to.equal(0n);
        expect(await deal.factor(i)).to.equal(0n);
      }
      expect(await deal.factor(3)).to.equal(WAD);
      await expectOnlyFeesLeftThenWithdrawn(f, run.model);
      // Each note token received its face plus every coupon it was owed.
      const interest = (i: number) => res.reduce((a, x) => a + x.statement.interestPaid[i], 0n);
      const principal = (i: number) => res.reduce((a, x) => a + x.statement.principalPaid[i], 0n);
      for (let i = 0; i < 3; i++) {
        expect(principal(i)).to.equal(f.h.terms.tranches[i].faceAmount);
        expect(await f.protocol.stablecoin.balanceOf(await f.h.tokens[i].getAddress())).to.equal(
          principal(i) + interest(i),
        );
      }

      // Ended: no more collections, no more periods.
      await expect(deal.connect(r.servicer).depositCollections(1n))
        .to.be.revertedWithCustomError(deal, "DealEnded")
        .withArgs(BigInt(DealStatus.Repaid));
      await expect(deal.distribute(11n))
        .to.be.revertedWithCustomError(deal, "WaterfallPeriodAlreadyDistributed")
        .withArgs(11n);
      await expect(deal.distribute(12n))
        .to.be.revertedWithCustomError(deal, "DealNotActive")
        .withArgs(BigInt(DealStatus.Repaid));
      expect(await deal.readyPeriod()).to.deep.equal([false, 12n]);
      expect(plain(await deal.checkUpkeep("0x"))).to.deep.equal([
        false,
        performData(ethers, 12n, 1n),
      ]);
    });

    it("test_waterfall_twelvePeriods_defaulted", async function () {
      const f = await networkHelpers.loadFixture(activeUnreservedDealFixture);
      const { deal, r } = f;
      const run = await ScenarioRunner.start(ethers, networkHelpers, f.protocol, r, f.h, f.keeper);
      expect(await deal.reserve()).to.deep.equal([0n, 150n * K]);
      const plans: PeriodPlan[] = [
        plan(0n, 0n, 500_000n), // nothing, and no reserve yet: senior interest in arrears too
        plan(100n * K, 100n * K), // fees, then senior interest and its arrears, part of the mezzanine
        plan(200n * K, 200n * K, 800_000n), // arrears cleared, part of the reserve built
        plan(60n * K, 60n * K, 920_000n), // senior interest only; mezzanine short, no top-up, principal missed
        plan(0n, 200n * K, 100_000n), // deposits but no revenue: cash 0, the reserve covers the senior
        plan(0n, 0n, 0n, 0n), // again: the reserve covers the senior
        plan(20n * K, 20n * K, 650_000n), // too little: the reserve runs dry, senior interest in arrears
        plan(700n * K, 700n * K),
        plan(700n * K, 700n * K, 710_000n),
        plan(700n * K, 700n * K, 690_000n),
        plan(700n * K, 700n * K),
        plan(400n * K, 300n * K), // final: 200 000 carried + 300 000 is far from the bullets due
      ];
      for (let p = 0; p < plans.length; p++) await run.run(p, plans[p]);
      const res = run.results;

      expect(res[0].statement.reserveDrawn).to.equal(0n);
      expect(
        stepsOf(res[0]).find((e) => e.name === "InterestPaid" && e.args[1] === 0n)!.args[5],
      ).to.be.greaterThan(0n);
      expect(res[4].statement.cashIn).to.equal(0n);
      expect(res[4].statement.collectionsCarried).to.equal(200n * K);
      const seniorArrears = (x: (typeof res)[number]) =>
        stepsOf(x).find((e) => e.name === "InterestPaid" && e.args[1] === 0n)!.args[5] as bigint;
      // Period 2 builds part of the reserve only.
      expect(res[2].statement.reserveToppedUp).to.be.greaterThan(0n);
      expect(res[2].statement.reserveAfter).to.be.lessThan(150n * K);
      // Periods 4 and 5: the reserve covers the senior in full.
      for (const x of [res[4], res[5]]) {
        expect(x.statement.reserveDrawn).to.equal(39_452_054_794n);
        expect(seniorArrears(x)).to.equal(0n);
      }
      // Period 6: the reserve runs dry before the senior shortfall is covered (a partial draw).
      expect(res[6].statement.reserveDrawn).to.equal(res[5].statement.reserveAfter);
      expect(res[6].events.find((e) => e.name === "ReserveDrawn")!.args[2]).to.equal(0n);
      expect(seniorArrears(res[6])).to.be.greaterThan(0n);
      // Period 7 pays the senior arrears and refills the reserve from empty.
      expect(seniorArrears(res[7])).to.equal(0n);
      expect(res[7].statement.reserveToppedUp).to.equal(150n * K);

      expect(await deal.status()).to.equal(BigInt(DealStatus.Defaulted));
      expect(run.model.status).to.equal(RefStatus.Defaulted);
      const last = res[11];
      expect(last.events.find((e) => e.name === "StatusChanged")!.args).to.deep.equal([
        BigInt(DealStatus.Active),
        BigInt(DealStatus.Defaulted),
      ]);
      expect(last.statement.residualPaid).to.equal(0n);
      expect(last.statement.reserveAfter).to.equal(0n);
      await expectOnlyFeesLeftThenWithdrawn(f, run.model);
      // The principal left unpaid at final maturity is written off, equity first, and the factors say so.
      const junior = await deal.tranche(2);
      expect(junior.outstanding).to.equal(0n);
      expect(junior.writtenDown).to.be.greaterThan(0n);
      expect(await deal.factor(2)).to.equal(0n);
      const risk = await ethers.getContractAt("RiskEngine", await deal.riskEngine());
      expect(await risk.writtenDown(2)).to.deep.equal([
        junior.writtenDown,
        (junior.writtenDown * WAD) / junior.issued,
      ]);
      expect((await deal.tranche(3)).writtenDown).to.equal((await deal.tranche(3)).issued);
      await expect(deal.connect(r.servicer).depositCollections(1n))
        .to.be.revertedWithCustomError(deal, "DealEnded")
        .withArgs(BigInt(DealStatus.Defaulted));
      expect(await deal.readyPeriod()).to.deep.equal([false, 12n]);
      expect(plain(await deal.checkUpkeep("0x"))).to.deep.equal([
        false,
        performData(ethers, 12n, 1n),
      ]);
    });

    it("test_waterfall_noEquity_residualToIssuer_reserveReleasedWhenNotesRepaid", async function () {
      const f = await networkHelpers.loadFixture(shortDealNoEquityFixture);
      const { deal, r, h } = f;
      expect(await deal.status()).to.equal(BigInt(DealStatus.Active));
      expect(await h.tokens[1].totalSupply()).to.equal(0n);
      expect(await deal.reserve()).to.deep.equal([50n * K, 50n * K]);
      const run = await ScenarioRunner.start(ethers, networkHelpers, f.protocol, r, h, f.keeper);
      const res = [
        await run.run(0, plan(700n * K, 700n * K)),
        await run.run(1, plan(600n * K, 600n * K)),
        await run.run(2, plan(30n * K, 30n * K)),
        await run.run(3, plan(10n * K, 10n * K)),
      ];
      for (const x of res) expect(x.residualRecipient).to.equal(r.issuer.address);
      expect(res[0].statement.principalPaid).to.deep.equal([500n * K]);
      expect(res[1].statement.principalPaid).to.deep.equal([500n * K]);
      // Period 2 is not the last one, but no note principal is outstanding: the reserve target is zero.
      expect(res[2].statement.reserveReleased).to.equal(50n * K);
      expect(res[2].statement.reserveAfter).to.equal(0n);
      expect(res[2].statement.interestPaid).to.deep.equal([0n]);
      expect(stepsOf(res[2]).find((e) => e.name === "ResidualPaid")!.args).to.deep.equal([
        2n,
        r.issuer.address,
        res[2].statement.residualPaid,
      ]);
      expect(res[2].statement.residualPaid).to.be.greaterThan(50n * K);
      expect(await deal.status()).to.equal(BigInt(DealStatus.Repaid));
    });

    it("test_waterfall_unreportedPeriods_keeperBounty_upkeepByThirdAccount", async function () {
      const f = await networkHelpers.loadFixture(activeLowSlopeDealFixture);
      const { deal, r, outsider, keeper } = f;
      const coin = f.protocol.stablecoin;
      const run = await ScenarioRunner.start(ethers, networkHelpers, f.protocol, r, f.h, keeper);
      const bounty = 50n * USDC;
      const [keeperBefore, outsiderBefore] = [
        await coin.balanceOf(keeper),
        await coin.balanceOf(outsider),
      ];
      const byOutsider = { keeper: outsider, via: "upkeep" as const };

      // 0: unreported, run by a third account through performUpkeep: every collection is cash, 30 000 of
      //    reserve released, the linked mezzanine at its floor. ReportMissed, ReserveReleased, KeeperPaid.
      await run.run(0, unreported(600n * K), byOutsider);
      // 1: reported, but only 10 USDC of cash: the bounty takes it all; fees and interest go to arrears and the
      //    reserve covers the senior interest. U = 95 %.
      await run.run(1, plan(10n * USDC, 10n * USDC, 950_000n));
      // 2: recovery, through performUpkeep by the third account.
      await run.run(2, plan(900n * K, 900n * K), byOutsider);
      // 3: unreported with nothing collected: no cash, no bounty (KeeperPaid of 0), the reserve covers the senior.
      await run.run(3, unreported(0n));
      // 4–6: one upkeep catches up three ready periods. Every deposit is made before it runs, so the unreported
      //    period 5 takes as cash what was deposited for period 6 as well, and period 6 has none left.
      await run.runPeriods(
        4,
        [
          plan(1_200n * K, 1_200n * K, 900_000n),
          unreported(800n * K),
          plan(900n * K, 1_000n * K, 600_000n),
        ],
        byOutsider,
      );
      for (let p = 7; p < 11; p++) await run.run(p, plan(900n * K, 900n * K, 750_000n));
      // 11 (final): unreported, every collection is cash, through performUpkeep.
      await run.run(11, unreported(4_000n * K), byOutsider);
      const res = run.results;

      // The scenario exercises what it claims to.
      const mezz = f.h.terms.tranches[1].coupon;
      expect(couponRate(mezz, 0n)).to.equal((96n * WAD) / 1000n); // what U = 0 would pay: not the floor
      const mezzRate = (x: (typeof res)[number]) =>
        stepsOf(x).find((e) => e.name === "InterestPaid" && e.args[1] === 1n)!.args[2];
      const seniorRate = (x: (typeof res)[number]) =>
        stepsOf(x).find((e) => e.name === "InterestPaid" && e.args[1] === 0n)!.args[2];
      const unreportedPeriods = [0, 3, 5, 11];
      for (let p = 0; p < 12; p++) {
        const x = res[p];
        expect(x.statement.reported, `reported ${p}`).to.equal(!unreportedPeriods.includes(p));
        expect(seniorRate(x), `senior rate ${p}`).to.equal((8n * WAD) / 100n); // fixed coupons do not move
        if (unreportedPeriods.includes(p)) {
          expect(mezzRate(x), `mezzanine rate ${p}`).to.equal((8n * WAD) / 100n);
          expect(x.statement.utilization).to.equal(0n);
          expect(x.events[0].name).to.equal("ReportMissed");
          // Every deposited collection is cash, whatever the period.
          expect(x.statement.collectionsCarried).to.equal(0n);
        } else {
          expect(x.events.find((e) => e.name === "ReportMissed")).to.equal(undefined);
        }
      }
      expect(
        res.filter((x) => x.events[0].name === "ReportMissed").map((x) => x.events[0].args),
      ).to.deep.equal([
        [0n, 1n],
        [3n, 2n],
        [5n, 3n],
        [11n, 4n],
      ]);
      expect(await deal.missedReports()).to.equal(4n);
      expect(mezzRate(res[1])).to.equal((115n * WAD) / 1000n);
      expect(mezzRate(res[2])).to.equal((11n * WAD) / 100n);
      // Period 0: the full order of the leading events.
      expect(res[0].events.slice(0, 2).map((e) => e.name)).to.deep.equal([
        "ReportMissed",
        "ReserveReleased",
      ]);
      expect(res[0].events[res[0].events.length - 1].name).to.equal("PeriodDistributed");
      expect(res[0].statement.cashIn).to.equal(600n * K);
      expect(res[0].statement.reserveReleased).to.equal(30n * K);
      // Period 1: the bounty is capped by the cash and nothing else is paid from it.
      const s1 = res[1].statement;
      expect([s1.cashIn, s1.keeperBountyPaid, s1.trusteeFeePaid, s1.servicerFeePaid]).to.deep.equal(
        [10n * USDC, 10n * USDC, 0n, 0n],
      );
      expect(s1.interestPaid.slice(1)).to.deep.equal([0n, 0n]);
      expect(s1.interestPaid[0]).to.equal(s1.reserveDrawn); // the senior comes from the reserve only
      expect(s1.residualPaid).to.equal(0n);
      // Period 3: no cash, a zero bounty, still announced.
      expect(res[3].statement.cashIn).to.equal(0n);
      expect(stepsOf(res[3]).find((e) => e.name === "KeeperPaid")!.args).to.deep.equal([
        3n,
        keeper.address,
        0n,
      ]);
      expect(res[3].statement.reserveDrawn).to.equal(39_452_054_794n);
      // Periods 4–6: 4 takes its revenue, 5 everything else on deposit, 6 nothing.
      expect(res.slice(4, 7).map((x) => x.statement.cashIn)).to.deep.equal([
        1_200n * K,
        1_800n * K,
        0n,
      ]);
      // Period 11 releases the reserve and repays every note.
      expect(res[11].statement.reserveReleased).to.equal(150n * K);
      expect(await deal.status()).to.equal(BigInt(DealStatus.Repaid));

      // The bounty went to whoever ran each period, never more than once per period, never carried.
      const paidTo = (who: string) =>
        res.filter((x) => x.keeper === who).reduce((a, x) => a + x.statement.keeperBountyPaid, 0n);
      const byOutsiderPeriods = res
        .filter((x) => x.keeper === outsider.address)
        .map((x) => x.statement.period);
      expect(byOutsiderPeriods).to.deep.equal([0n, 2n, 4n, 5n, 6n, 11n]);
      // Period 6 had no cash: no bounty, and the reserve, drawn for the senior interest, never pays it.
      expect(res[6].statement.keeperBountyPaid).to.equal(0n);
      expect(res[6].statement.reserveDrawn).to.be.greaterThan(0n);
      expect(res[6].statement.reserveDrawn).to.equal(res[6].statement.interestPaid[0]);
      expect(paidTo(outsider.address)).to.equal(5n * bounty);
      // The keeper ran 1 (capped at 10 USDC), 3 (nothing) and 7–10.
      expect(paidTo(keeper.address)).to.equal(10n * USDC + 4n * bounty);
      expect(await coin.balanceOf(outsider)).to.equal(outsiderBefore + paidTo(outsider.address));
      expect(await coin.balanceOf(keeper)).to.equal(keeperBefore + paidTo(keeper.address));
      for (const x of res) expect(x.statement.keeperBountyPaid <= bounty).to.equal(true);
    });

    it("test_waterfall_cashBelowKeeperBounty_cappedNeverCarried", async function () {
      const f = await networkHelpers.loadFixture(activeUnreservedDealFixture);
      const { r, keeper } = f;
      const run = await ScenarioRunner.start(ethers, networkHelpers, f.protocol, r, f.h, keeper);
      const bounty = 50n * USDC;
      const res = [
        await run.run(0, plan(30n * USDC, 30n * USDC)), // below the bounty
        await run.run(1, plan(50n * USDC, 50n * USDC)), // exactly the bounty
        await run.run(2, plan(0n, 0n)), // nothing
        await run.run(3, plan(1_000n * K, 1_000n * K)), // recovery
      ];
      const interest = [
        periodInterest(6n * M, (8n * WAD) / 100n, PERIOD),
        periodInterest(2n * M, (11n * WAD) / 100n, PERIOD),
        periodInterest(M, (14n * WAD) / 100n, PERIOD),
      ];
      for (const [p, cash] of [
        [0, 30n * USDC],
        [1, 50n * USDC],
        [2, 0n],
      ] as const) {
        const s = res[p].statement;
        // The bounty takes the whole cash; nothing else is paid and there is no reserve to draw.
        expect(s.cashIn).to.equal(cash);
        expect(s.keeperBountyPaid).to.equal(cash);
        const rest = [
          s.trusteeFeePaid,
          s.servicerFeePaid,
          s.reserveDrawn,
          s.reserveToppedUp,
          s.residualPaid,
        ];
        expect(rest).to.deep.equal([0n, 0n, 0n, 0n, 0n]);
        expect(s.interestPaid).to.deep.equal([0n, 0n, 0n]);
        expect(s.principalPaid).to.deep.equal([0n, 0n, 0n]);
        expect(stepsOf(res[p]).find((e) => e.name === "KeeperPaid")!.args).to.deep.equal([
          BigInt(p),
          keeper.address,
          cash,
        ]);
        // Fees and interest accumulate as arrears.
        const n = BigInt(p + 1);
        const fees = stepsOf(res[p]).find((e) => e.name === "FeesPaid")!.args;
        expect(fees[3]).to.equal(n * 2_000n * USDC);
        expect(
          stepsOf(res[p])
            .filter((e) => e.name === "InterestPaid")
            .map((e) => e.args[5]),
        ).to.deep.equal(interest.map((x) => n * x));
      }
      // The servicer fee is charged on the cash, before the bounty is taken from it.
      expect(stepsOf(res[0]).find((e) => e.name === "FeesPaid")!.args[4]).to.equal(300_000n);
      expect(stepsOf(res[1]).find((e) => e.name === "FeesPaid")!.args[4]).to.equal(800_000n);
      // Recovery: the bounty is the term-sheet 50, not 50 plus the 70 short before; fee arrears are cleared.
      const s3 = res[3].statement;
      expect(s3.keeperBountyPaid).to.equal(bounty);
      expect(s3.trusteeFeePaid).to.equal(4n * 2_000n * USDC);
      expect(
        stepsOf(res[3])
          .find((e) => e.name === "FeesPaid")!
          .args.slice(3),
      ).to.deep.equal([0n, 0n]);
      expect(s3.interestPaid).to.deep.equal(interest.map((x) => 4n * x));
    });

    it("test_waterfall_emitsEachStepWithArgs", async function () {
      // One period checked with the chai event matchers directly (the scenarios above compare whole logs).
      const f = await networkHelpers.loadFixture(activeDealFixture);
      const { deal, r, protocol, h } = f;
      await networkHelpers.time.increaseTo(await deal.periodEnd(0));
      await submitReport(
        ethers,
        networkHelpers,
        protocol,
        r,
        deal,
        0n,
        300n * K,
        700_000n,
        1_000_000n,
      );
      await deal.connect(r.servicer).depositCollections(400n * K);
      const seniorInterest = 39_452_054_794n;
      const mezzInterest = periodInterest(2n * M, (11n * WAD) / 100n, PERIOD);
      const juniorInterest = periodInterest(M, (14n * WAD) / 100n, PERIOD);
      const servicerFee = 3n * K; // 1 % of 300 000
      const bounty = 50n * USDC;
      const residual =
        300n * K +
        30n * K -
        bounty -
        2n * K -
        servicerFee -
        seniorInterest -
        mezzInterest -
        juniorInterest;
      const tx = deal.connect(f.keeper).distribute(0n);
      await expect(tx)
        .to.emit(deal, "ReserveReleased")
        .withArgs(0n, 30n * K, 150n * K);
      expect(keeperPaidIn(deal, await deal.getAddress(), (await (await tx).wait())!)).to.deep.equal(
        [[0n, f.keeper.address, bounty]],
      );
      await expect(tx).to.changeTokenBalance(ethers, protocol.stablecoin, f.keeper, bounty);
      await expect(tx).to.not.emit(deal, "ReportMissed");
      await expect(tx).to.not.emit(deal, "ReserveDrawn");
      await expect(tx).to.not.emit(deal, "ReserveToppedUp");
      await expect(tx).to.not.emit(deal, "StatusChanged");
      await expect(tx)
        .to.emit(deal, "PeriodDistributed")
        .withArgs(0n, [
          0n,
          true,
          300n * K,
          30n * K,
          0n,
          bounty,
          2n * K,
          servicerFee,
          [seniorInterest, mezzInterest, juniorInterest],
          0n,
          [0n, 0n, 0n],
          residual,
          (7n * WAD) / 10n,
          0n,
          100n * K,
          150n * K,
          BigInt(DealStatus.Active),
          metricsToArray(
            referenceMetrics({
              outcome: {
                gpuHoursAvailable: 1_000_000n,
                gpuHoursBilled: 700_000n,
                revenue: 300n * K,
              },
              cash: 300n * K,
              feesDue: bounty + 2n * K + servicerFee,
              reserve: 180n * K,
              reserveTarget: 150n * K,
              pledgedShareBps: 10_000,
              outstanding: [6n * M, 2n * M, M],
              interestDue: [seniorInterest, mezzInterest, juniorInterest],
              principalDue: [0n, 0n, 0n],
              history: [],
              trailingPeriods: 3,
            }),
          ),
          f.keeper.address,
          0n,
          0n,
          [seniorInterest, mezzInterest, juniorInterest],
          [6n * M, 2n * M, M],
          await h.tokens[3].getAddress(),
          0n,
        ]);
      // The fees are credited to the trustee and the servicer, who withdraw them.
      expect(await deal.feesOwed()).to.deep.equal([2n * K, servicerFee]);
      await expect(tx).to.emit(h.tokens[3], "Distributed");
      expect(await h.tokens[3].claimable(r.investors[3].address)).to.equal(residual);
      expect(plain(await deal.feeArrears())).to.deep.equal([0n, 0n]);
    });
  });
});
