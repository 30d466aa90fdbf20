import { expect } from "chai";

import { USDC } from "../helpers/fixtures.js";
import {
  ethers,
  loadFixture,
  SENIOR_CAP,
  openFixture,
  undersubscribedFixture,
  OVER,
  OVER_TOTAL,
  oversubscribedFixture,
  expectedAllocations,
} from "../helpers/offering-fixtures.js";

describe("Offering", function () {
  describe("refund", function () {
    it("test_refund_paysUnallocatedOnce", async function () {
      const f = await loadFixture(oversubscribedFixture);
      const alice = f.alice.address;
      const alloc = expectedAllocations(OVER, [0], SENIOR_CAP)[0];
      const amount = OVER[0] - alloc;
      const tx = f.offering.connect(f.alice).refund(alice, alice);
      await expect(tx).to.emit(f.offering, "Refunded").withArgs(alice, alice, amount);
      await expect(tx).to.changeTokenBalances(
        ethers,
        f.stablecoin,
        [f.alice, f.offering],
        [amount, -amount],
      );
      await expect(f.offering.connect(f.alice).refund(alice, alice))
        .to.be.revertedWithCustomError(f.offering, "NothingToRefund")
        .withArgs(alice);
      // The allocation is unaffected by the refund.
      expect(await f.offering.claimableDepositRequest(0n, alice)).to.equal(alloc);
    });

    it("test_refund_operatorToAnotherReceiver", async function () {
      const f = await loadFixture(oversubscribedFixture);
      const carol = f.carol.address;
      const alloc = expectedAllocations(OVER, [2], SENIOR_CAP)[2];
      await f.offering.connect(f.carol).setOperator(f.operator.address, true);
      expect(
        await f.offering.connect(f.operator).refund.staticCall(f.dave.address, carol),
      ).to.equal(OVER[2] - alloc);
      const tx = f.offering.connect(f.operator).refund(f.dave.address, carol);
      await expect(tx)
        .to.emit(f.offering, "Refunded")
        .withArgs(carol, f.dave.address, OVER[2] - alloc);
      await expect(tx).to.changeTokenBalances(
        ethers,
        f.stablecoin,
        [f.dave, f.carol, f.operator],
        [OVER[2] - alloc, 0n, 0n],
      );
    });

    it("test_refund_revertsNotOperator", async function () {
      const f = await loadFixture(oversubscribedFixture);
      await expect(f.offering.connect(f.outsider).refund(f.outsider.address, f.alice.address))
        .to.be.revertedWithCustomError(f.offering, "NotOperator")
        .withArgs(f.alice.address, f.outsider.address);
      expect(await f.offering.refundable(f.alice.address)).to.equal(
        OVER[0] - expectedAllocations(OVER, [0], SENIOR_CAP)[0],
      );
    });

    it("test_refund_revertsInvalidReceiver", async function () {
      const f = await loadFixture(oversubscribedFixture);
      await expect(f.offering.connect(f.alice).refund(ethers.ZeroAddress, f.alice.address))
        .to.be.revertedWithCustomError(f.offering, "InvalidReceiver")
        .withArgs(ethers.ZeroAddress);
      expect(await f.offering.totalAssets()).to.equal(OVER_TOTAL - SENIOR_CAP);
    });

    // Claims refuse the offering itself as receiver (InvalidReceiver). A refund paid to the offering leaves the assets
    // in the offering while the request is marked refunded: no one can ever take them out again. It must be
    // refused the same way.
    it("test_refund_revertsWhenReceiverIsOffering", async function () {
      const f = await loadFixture(oversubscribedFixture);
      const refundable = OVER[0] - expectedAllocations(OVER, [0], SENIOR_CAP)[0];
      await expect(f.offering.connect(f.alice).refund(f.offeringAddress, f.alice.address))
        .to.be.revertedWithCustomError(f.offering, "InvalidReceiver")
        .withArgs(f.offeringAddress);
      expect(await f.offering.refundable(f.alice.address)).to.equal(refundable);
    });

    it("test_refund_revertsOfferingNotClosed", async function () {
      const f = await loadFixture(openFixture);
      await f.offering
        .connect(f.alice)
        .requestDeposit(200n * USDC, f.alice.address, f.alice.address);
      await expect(
        f.offering.connect(f.alice).refund(f.alice.address, f.alice.address),
      ).to.be.revertedWithCustomError(f.offering, "OfferingNotClosed");
      expect(await f.offering.totalAssets()).to.equal(200n * USDC);
    });

    it("test_refund_revertsNothingToRefund_fullyAllocated", async function () {
      const f = await loadFixture(undersubscribedFixture);
      await expect(f.offering.connect(f.bob).refund(f.bob.address, f.bob.address))
        .to.be.revertedWithCustomError(f.offering, "NothingToRefund")
        .withArgs(f.bob.address);
      await expect(f.offering.connect(f.dave).refund(f.dave.address, f.dave.address))
        .to.be.revertedWithCustomError(f.offering, "NothingToRefund")
        .withArgs(f.dave.address);
    });
  });
});
