import { expect } from "chai";

import { DealStatus, USDC } from "../helpers/fixtures.js";
import {
  ethers,
  networkHelpers,
  K,
  dealFixture,
  activeDealFixture,
  feeTokenDealFixture,
} from "../helpers/deal-fixtures.js";

describe("Deal", function () {
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

      // …and once the deal is active. Nobody could subscribe, so the senior offering settles as if it had raised
      // one unit (its own close would settle zero, and a deal whose every offering missed is cancelled).
      await networkHelpers.time.increaseTo(h.terms.offeringClosesAt);
      for (const o of h.offerings.slice(1)) await o.close();
      const offering0 = await h.offerings[0].getAddress();
      await networkHelpers.impersonateAccount(offering0);
      await networkHelpers.setBalance(offering0, 10n ** 18n);
      await deal.connect(await ethers.getSigner(offering0)).onOfferingSettled(0n, 1n, 0n);
      expect(await deal.status()).to.equal(BigInt(DealStatus.Active));
      await expect(deal.connect(r.servicer).depositCollections(100n))
        .to.be.revertedWithCustomError(deal, "UnsupportedTokenTransfer")
        .withArgs(100n, 99n);
      expect(await deal.undistributedCollections()).to.equal(0n);
      expect(await fee.balanceOf(dealAddress)).to.equal(0n);
    });
  });
});
