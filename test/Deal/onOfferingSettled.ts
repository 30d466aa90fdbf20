import { expect } from "chai";

import { DealStatus, subscribe } from "../helpers/fixtures.js";
import { ethers, networkHelpers, K, M, dealFixture } from "../helpers/deal-fixtures.js";

describe("Deal", function () {
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
});
