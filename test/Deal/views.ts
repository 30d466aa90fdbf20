import { expect } from "chai";

import {
  DISPUTE_WINDOW,
  DealStatus,
  PERIOD,
  USDC,
  WAD,
  activateDeal,
  proposeReport,
  submitReport,
} from "../helpers/fixtures.js";
import {
  ethers,
  networkHelpers,
  K,
  M,
  dealFixture,
  shortDealNoEquityFixture,
} from "../helpers/deal-fixtures.js";

describe("Deal", function () {
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
});
