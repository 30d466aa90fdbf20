import { expect } from "chai";

import { USDC } from "../helpers/fixtures.js";
import { signPermit } from "../helpers/token-helpers.js";
import {
  ethers,
  time,
  loadFixture,
  SENIOR_CAP,
  deployFixture,
  openFixture,
  OVER_TOTAL,
  oversubscribedFixture,
} from "../helpers/offering-fixtures.js";

describe("Offering", function () {
  describe("pause", function () {
    it("test_setPaused_revertsNotDeal", async function () {
      const f = await loadFixture(deployFixture);
      await expect(f.offering.connect(f.outsider).setPaused(true))
        .to.be.revertedWithCustomError(f.offering, "NotDeal")
        .withArgs(f.outsider.address);
      // Not even the guardian may call it directly.
      await expect(f.offering.connect(f.r.guardian).setPaused(true))
        .to.be.revertedWithCustomError(f.offering, "NotDeal")
        .withArgs(f.r.guardian.address);
      expect(await f.offering.maxDeposit(f.alice.address)).to.equal(0n);
    });

    it("test_pause_blocksRequestsAndClose", async function () {
      const f = await loadFixture(openFixture);
      await f.offering
        .connect(f.alice)
        .requestDeposit(500n * USDC, f.alice.address, f.alice.address);
      await expect(f.deal.connect(f.r.guardian).pause())
        .to.emit(f.offering, "PauseSet")
        .withArgs(true);
      await expect(
        f.offering.connect(f.bob).requestDeposit(200n * USDC, f.bob.address, f.bob.address),
      ).to.be.revertedWithCustomError(f.offering, "OfferingPaused");
      await f.stablecoin.mint(f.eve.address, 200n * USDC);
      const deadline = f.terms.offeringClosesAt;
      const sig = await signPermit(
        ethers,
        f.stablecoin,
        f.eve,
        f.offeringAddress,
        200n * USDC,
        deadline,
      );
      await expect(
        f.offering
          .connect(f.eve)
          .requestDepositWithPermit(200n * USDC, f.eve.address, deadline, sig.v, sig.r, sig.s),
      ).to.be.revertedWithCustomError(f.offering, "OfferingPaused");
      await time.increaseTo(f.terms.offeringClosesAt);
      await expect(f.offering.close()).to.be.revertedWithCustomError(f.offering, "OfferingPaused");
      expect(await f.offering.closed()).to.deep.equal([false, false]);
      expect(await f.offering.totalRequested()).to.equal(500n * USDC);
      await expect(f.deal.connect(f.r.guardian).unpause())
        .to.emit(f.offering, "PauseSet")
        .withArgs(false);
      await f.offering.close();
      expect(await f.offering.closed()).to.deep.equal([true, false]);
    });

    it("test_pause_blocksClaimsAndRefunds", async function () {
      const f = await loadFixture(oversubscribedFixture);
      const alice = f.alice.address;
      const alloc = await f.offering.maxDeposit(alice);
      await f.deal.connect(f.r.guardian).pause();
      expect(await f.offering.maxDeposit(alice)).to.equal(0n);
      expect(await f.offering.maxMint(alice)).to.equal(0n);
      await expect(
        f.offering.connect(f.alice)["deposit(uint256,address)"](1n, alice),
      ).to.be.revertedWithCustomError(f.offering, "OfferingPaused");
      await expect(
        f.offering.connect(f.alice)["deposit(uint256,address,address)"](1n, alice, alice),
      ).to.be.revertedWithCustomError(f.offering, "OfferingPaused");
      await expect(
        f.offering.connect(f.alice)["mint(uint256,address)"](1n, alice),
      ).to.be.revertedWithCustomError(f.offering, "OfferingPaused");
      await expect(
        f.offering.connect(f.alice)["mint(uint256,address,address)"](1n, alice, alice),
      ).to.be.revertedWithCustomError(f.offering, "OfferingPaused");
      await expect(f.offering.connect(f.alice).refund(alice, alice)).to.be.revertedWithCustomError(
        f.offering,
        "OfferingPaused",
      );
      expect(await f.token.balanceOf(alice)).to.equal(0n);
      expect(await f.offering.totalAssets()).to.equal(OVER_TOTAL - SENIOR_CAP);
      await f.deal.connect(f.r.guardian).unpause();
      expect(await f.offering.maxDeposit(alice)).to.equal(alloc);
      await f.offering.connect(f.alice)["deposit(uint256,address)"](alloc, alice);
      await f.offering.connect(f.alice).refund(alice, alice);
      expect(await f.token.balanceOf(alice)).to.equal(alloc);
    });
  });
});
