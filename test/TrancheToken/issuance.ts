import { expect } from "chai";

import { subscribe, USDC, WAD } from "../helpers/fixtures.js";
import { MAX_UINT96 } from "../helpers/token-helpers.js";
import {
  ethers,
  time,
  loadFixture,
  SENIOR_FACE,
  createdFixture,
  activeFixture,
  lateClaimFixture,
  impersonate,
} from "../helpers/tranche-token-fixtures.js";

describe("TrancheToken", function () {
  describe("issuance and access control", function () {
    it("test_issue_revertsNotOffering", async function () {
      const f = await loadFixture(createdFixture);
      await expect(f.senior.connect(f.outsider).issue(1n))
        .to.be.revertedWithCustomError(f.senior, "NotOffering")
        .withArgs(f.outsider.address);
      // The deal is not the offering either.
      const deal = await impersonate(await f.deal.getAddress());
      await expect(f.senior.connect(deal).issue(1n))
        .to.be.revertedWithCustomError(f.senior, "NotOffering")
        .withArgs(deal.address);
      expect(await f.senior.totalSupply()).to.equal(0n);
    });

    it("test_issue_byOfferingAtClose_emitsIssued", async function () {
      const f = await loadFixture(createdFixture);
      const offering = f.h.offerings[0];
      await time.increaseTo(f.terms.offeringOpensAt);
      await subscribe(f.protocol, offering, f.holder, 1_000n * USDC);
      await time.increaseTo(f.terms.offeringClosesAt);
      const tx = offering.close();
      await expect(tx)
        .to.emit(f.senior, "Issued")
        .withArgs(await offering.getAddress(), 1_000n * USDC);
      await expect(tx)
        .to.emit(f.senior, "Transfer")
        .withArgs(ethers.ZeroAddress, await offering.getAddress(), 1_000n * USDC);
      expect(await f.senior.totalSupply()).to.equal(1_000n * USDC);
      expect(await f.senior.balanceOf(await offering.getAddress())).to.equal(1_000n * USDC);
    });

    it("test_issue_revertsAlreadyIssued", async function () {
      const f = await loadFixture(activeFixture);
      const offering = await impersonate(await f.h.offerings[0].getAddress());
      await expect(f.senior.connect(offering).issue(1n)).to.be.revertedWithCustomError(
        f.senior,
        "AlreadyIssued",
      );
      expect(await f.senior.totalSupply()).to.equal(SENIOR_FACE);
    });

    it("test_issue_revertsAboveUint96", async function () {
      const f = await loadFixture(createdFixture);
      const offering = await impersonate(await f.h.offerings[0].getAddress());
      await expect(f.senior.connect(offering).issue(MAX_UINT96 + 1n))
        .to.be.revertedWithCustomError(f.senior, "SafeCastOverflowedUintDowncast")
        .withArgs(96, MAX_UINT96 + 1n);
      await f.senior.connect(offering).issue(MAX_UINT96);
      expect(await f.senior.totalSupply()).to.equal(MAX_UINT96);
    });

    it("test_deliverShares_revertsNotOffering", async function () {
      const f = await loadFixture(lateClaimFixture);
      await expect(f.senior.connect(f.late).deliverShares(f.late.address, f.late.address, 1n))
        .to.be.revertedWithCustomError(f.senior, "NotOffering")
        .withArgs(f.late.address);
      expect(await f.senior.balanceOf(f.late.address)).to.equal(0n);
    });

    it("test_deliverShares_guards", async function () {
      const f = await loadFixture(lateClaimFixture);
      const offering = await impersonate(await f.offering.getAddress());
      await expect(f.senior.connect(offering).deliverShares(f.late.address, ethers.ZeroAddress, 1n))
        .to.be.revertedWithCustomError(f.senior, "ERC20InvalidReceiver")
        .withArgs(ethers.ZeroAddress);
      await expect(
        f.senior
          .connect(offering)
          .deliverShares(f.late.address, f.late.address, 2_000_000n * USDC + 1n),
      )
        .to.be.revertedWithCustomError(f.senior, "ERC20InsufficientBalance")
        .withArgs(offering.address, 2_000_000n * USDC, 2_000_000n * USDC + 1n);
      await f.deal.connect(f.r.guardian).pause();
      await expect(
        f.senior.connect(offering).deliverShares(f.late.address, f.late.address, 1n),
      ).to.be.revertedWithCustomError(f.senior, "TokenPaused");
      expect(await f.senior.balanceOf(offering.address)).to.equal(2_000_000n * USDC);
    });

    it("test_distribute_revertsNotDistributor", async function () {
      const f = await loadFixture(activeFixture);
      // Without an equity waterfall every tranche's distributor is the deal.
      expect(await f.senior.distributor()).to.equal(await f.h.deal.getAddress());
      await expect(f.senior.connect(f.outsider).distribute(1n))
        .to.be.revertedWithCustomError(f.senior, "NotDistributor")
        .withArgs(f.outsider.address);
      const offering = await impersonate(await f.h.offerings[0].getAddress());
      await expect(f.senior.connect(offering).distribute(1n))
        .to.be.revertedWithCustomError(f.senior, "NotDistributor")
        .withArgs(offering.address);
      expect(await f.senior.cashIndex()).to.equal(0n);
      expect(await f.senior.distributed()).to.equal(0n);
    });

    it("test_setPaused_revertsNotDeal", async function () {
      const f = await loadFixture(activeFixture);
      await expect(f.senior.connect(f.outsider).setPaused(true))
        .to.be.revertedWithCustomError(f.senior, "NotDeal")
        .withArgs(f.outsider.address);
      await expect(f.senior.connect(f.r.guardian).setPaused(true))
        .to.be.revertedWithCustomError(f.senior, "NotDeal")
        .withArgs(f.r.guardian.address);
      expect(await f.senior.paused()).to.equal(false);
    });

    it("test_distribute_revertsNothingToClaim_noSupply", async function () {
      const f = await loadFixture(createdFixture);
      const deal = await impersonate(await f.deal.getAddress());
      await expect(f.senior.connect(deal).distribute(1n)).to.be.revertedWithCustomError(
        f.senior,
        "NothingToClaim",
      );
      expect(await f.senior.cashIndex()).to.equal(0n);
    });

    it("test_distribute_revertsIndexOverflow", async function () {
      const f = await loadFixture(activeFixture);
      const deal = await impersonate(await f.deal.getAddress());
      // The index is 95 bits wide in an account slot (its top bit flags unclaimed accrued cash) and starts at 2^94:
      // it may grow by 2^95 − 1 − 2^94 = 2^94 − 1. The smallest amount whose index step goes past that:
      const INDEX_MAX = 2n ** 95n - 1n - 2n ** 94n;
      const limit = ((INDEX_MAX + 1n) * SENIOR_FACE + WAD - 1n) / WAD;
      await expect(f.senior.connect(deal).distribute(limit)).to.be.revertedWithCustomError(
        f.senior,
        "IndexOverflow",
      );
      expect(await f.senior.cashIndex()).to.equal(0n);
      // One unit less still fits.
      const index = ((limit - 1n) * WAD) / SENIOR_FACE;
      expect(index <= INDEX_MAX).to.equal(true);
      await expect(f.senior.connect(deal).distribute(limit - 1n))
        .to.emit(f.senior, "Distributed")
        .withArgs(limit - 1n, index);
      expect(await f.senior.cashIndex()).to.equal(index);
    });

    it("test_distribute_carriesRemainder", async function () {
      const f = await loadFixture(activeFixture);
      const deal = await impersonate(await f.deal.getAddress());
      // 1 unit over 6e12 tokens: 1e18 / 6e12 = 166 666.67 → 166 666, remainder 4e12 carried.
      await expect(f.senior.connect(deal).distribute(1n))
        .to.emit(f.senior, "Distributed")
        .withArgs(1n, 166_666n);
      // Next: (1e18 + 4e12) / 6e12 = 166 667.33 → index 333 333.
      await expect(f.senior.connect(deal).distribute(1n))
        .to.emit(f.senior, "Distributed")
        .withArgs(1n, 333_333n);
      await expect(f.senior.connect(deal).distribute(1n))
        .to.emit(f.senior, "Distributed")
        .withArgs(1n, 500_000n);
      await expect(f.senior.connect(deal).distribute(0n))
        .to.emit(f.senior, "Distributed")
        .withArgs(0n, 500_000n);
      expect(await f.senior.claimable(f.holder.address)).to.equal(3n);
    });
  });
});
