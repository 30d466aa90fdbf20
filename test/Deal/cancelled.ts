import { expect } from "chai";

import { DealStatus, USDC, submitReport, subscribe } from "../helpers/fixtures.js";
import {
  ethers,
  networkHelpers,
  K,
  buildDeal,
  encode1,
  expectUpkeep,
} from "../helpers/deal-fixtures.js";

/**
 * The standard deal with a senior minimum raise of 1 000: one investor requests 500 of it (a miss), nobody requests
 * the other tranches. Offerings open, none closed.
 */
async function missedDealFixture() {
  const f = await buildDeal((t) => {
    t.tranches[0] = { ...t.tranches[0], minRaise: 1_000n * USDC };
  });
  await networkHelpers.time.increaseTo(f.h.terms.offeringOpensAt);
  await subscribe(f.protocol, f.h.offerings[0], f.r.investors[0], 500n * USDC);
  await networkHelpers.time.increaseTo(f.h.terms.offeringClosesAt);
  return f;
}

/** Every offering of {@link missedDealFixture} closed: the deal is Cancelled. */
async function cancelledDealFixture() {
  const f = await missedDealFixture();
  for (const o of f.h.offerings) await o.close();
  return f;
}

describe("Deal", function () {
  describe("cancelled: every offering missed its minimum raise", function () {
    it("test_onOfferingSettled_everyOfferingMissed_cancels", async function () {
      const { deal, h } = await networkHelpers.loadFixture(missedDealFixture);
      for (const i of [0, 1, 2]) {
        await expect(h.offerings[i].close())
          .to.emit(deal, "OfferingSettled")
          .withArgs(BigInt(i), 0n, 0n, 0n)
          .and.not.to.emit(deal, "StatusChanged");
        expect(await deal.status()).to.equal(BigInt(DealStatus.Offering));
      }
      // The last settlement ends the deal: never Active.
      await expect(h.offerings[3].close())
        .to.emit(deal, "StatusChanged")
        .withArgs(BigInt(DealStatus.Offering), BigInt(DealStatus.Cancelled));
      expect(await deal.status()).to.equal(BigInt(DealStatus.Cancelled));
      for (let i = 0n; i < 4n; i++) expect((await deal.tranche(i)).issued).to.equal(0n);
      expect(await deal.reserve()).to.deep.equal([0n, 150n * K]);
      // The investor who asked is refunded by the offering, as for any missed raise.
      expect(await h.offerings[0].closed()).to.deep.equal([true, true]);
    });

    it("test_onOfferingSettled_someOfferingsMissed_activates", async function () {
      const { deal, h } = await networkHelpers.loadFixture(dealFixtureWithEquityOnly);
      for (const o of h.offerings.slice(0, 3)) await o.close();
      await expect(h.offerings[3].close())
        .to.emit(deal, "StatusChanged")
        .withArgs(BigInt(DealStatus.Offering), BigInt(DealStatus.Active));
      expect((await deal.tranche(3n)).issued).to.equal(10n * USDC);
    });

    it("test_onOfferingSettled_cancelled_returnsCollectionsToTheIssuer", async function () {
      const { deal, h, r, protocol, dealAddress } =
        await networkHelpers.loadFixture(missedDealFixture);
      // The servicer deposited while the deal was still offering.
      await protocol.stablecoin.mint(r.servicer.address, 70n * USDC);
      await protocol.stablecoin.connect(r.servicer).approve(dealAddress, 70n * USDC);
      await deal.connect(r.servicer).depositCollections(70n * USDC);
      for (const o of h.offerings.slice(0, 3)) await o.close();
      await expect(h.offerings[3].close())
        .to.emit(deal, "CollectionsReturned")
        .withArgs(70n * USDC, 70n * USDC);
      expect(await deal.undistributedCollections()).to.equal(0n);
      expect(await deal.residualOwed()).to.equal(70n * USDC);
      const before = await protocol.stablecoin.balanceOf(r.issuer.address);
      await expect(deal.connect(r.issuer).withdrawResidual())
        .to.emit(deal, "ResidualWithdrawn")
        .withArgs(r.issuer.address, 70n * USDC);
      expect(await protocol.stablecoin.balanceOf(r.issuer.address)).to.equal(before + 70n * USDC);
      expect(await protocol.stablecoin.balanceOf(dealAddress)).to.equal(0n);
      await expect(deal.connect(r.issuer).withdrawResidual())
        .to.be.revertedWithCustomError(deal, "NoResidualOwed")
        .withArgs(r.issuer.address);
    });

    it("test_onOfferingSettled_cancelledWithoutCollections_returnsNothing", async function () {
      const { deal, h } = await networkHelpers.loadFixture(missedDealFixture);
      for (const o of h.offerings.slice(0, 3)) await o.close();
      await expect(h.offerings[3].close()).not.to.emit(deal, "CollectionsReturned");
      expect(await deal.residualOwed()).to.equal(0n);
    });

    it("test_depositCollections_cancelled", async function () {
      const { deal, r, dealAddress, protocol } =
        await networkHelpers.loadFixture(cancelledDealFixture);
      const before = await protocol.stablecoin.balanceOf(r.servicer.address);
      await expect(deal.connect(r.servicer).depositCollections(100n * USDC))
        .to.be.revertedWithCustomError(deal, "DealEnded")
        .withArgs(BigInt(DealStatus.Cancelled));
      expect(await deal.undistributedCollections()).to.equal(0n);
      expect(await protocol.stablecoin.balanceOf(r.servicer.address)).to.equal(before);
      expect(await protocol.stablecoin.balanceOf(dealAddress)).to.equal(0n);
    });

    it("test_distribute_cancelled_neverReady", async function () {
      const { deal, r, protocol, keeper } = await networkHelpers.loadFixture(cancelledDealFixture);
      await networkHelpers.time.increaseTo(await deal.periodEnd(0));
      await submitReport(ethers, networkHelpers, protocol, r, deal, 0n, 100n * K);
      // The report is final and the period has ended, but nothing is ever ready on a cancelled deal.
      await expectUpkeep(deal, false, 0n);
      await expect(deal.connect(keeper).distribute(0n))
        .to.be.revertedWithCustomError(deal, "DealNotActive")
        .withArgs(BigInt(DealStatus.Cancelled));
      const data = ethers.AbiCoder.defaultAbiCoder().encode(["uint256", "uint256"], [0n, 4n]);
      await expect(deal.connect(keeper).performUpkeep(data))
        .to.be.revertedWithCustomError(deal, "DealNotActive")
        .withArgs(BigInt(DealStatus.Cancelled));
      // Also after the final maturity, with every period's report deadline passed.
      await networkHelpers.time.increaseTo((await deal.finalMaturity()) + 30n * 86_400n);
      await expectUpkeep(deal, false, 0n);
      expect(await deal.checkUpkeep(encode1(12n))).to.deep.equal([
        false,
        ethers.AbiCoder.defaultAbiCoder().encode(["uint256", "uint256"], [0n, 12n]),
      ]);
      expect(await deal.nextPeriod()).to.equal(0n);
      expect(await deal.status()).to.equal(BigInt(DealStatus.Cancelled));
    });

    it("test_runningOnlyPaths_cancelled", async function () {
      const { deal, r, protocol, dealAddress, outsider } =
        await networkHelpers.loadFixture(cancelledDealFixture);
      const cancelled = BigInt(DealStatus.Cancelled);
      await expect(deal.connect(r.issuer).cleanUpCall())
        .to.be.revertedWithCustomError(deal, "DealNotActive")
        .withArgs(cancelled);
      await protocol.stablecoin.mint(outsider.address, 10n * USDC);
      await protocol.stablecoin.connect(outsider).approve(dealAddress, ethers.MaxUint256);
      await expect(deal.connect(outsider).depositRecoveries(10n * USDC))
        .to.be.revertedWithCustomError(deal, "DealNotActive")
        .withArgs(cancelled);
      await expect(deal.connect(r.trustee).writeDown(1n))
        .to.be.revertedWithCustomError(deal, "WriteDownNotAllowed")
        .withArgs(cancelled);
      const engine = await ethers.getContractAt("RiskEngine", await deal.riskEngine());
      expect(await engine.cleanUpCallable()).to.equal(false);
      await expect(engine.connect(r.issuer).proposeWaiver())
        .to.be.revertedWithCustomError(engine, "NotAccelerated")
        .withArgs(cancelled);
      expect(await protocol.stablecoin.balanceOf(outsider.address)).to.equal(10n * USDC);
    });
  });
});

/** The standard deal where only the equity offering raised anything (10): the others missed. */
async function dealFixtureWithEquityOnly() {
  const f = await buildDeal(() => {});
  await networkHelpers.time.increaseTo(f.h.terms.offeringOpensAt);
  await subscribe(f.protocol, f.h.offerings[3], f.r.investors[0], 10n * USDC);
  await networkHelpers.time.increaseTo(f.h.terms.offeringClosesAt);
  return f;
}
