import { expect } from "chai";

import { USDC } from "../helpers/fixtures.js";
import {
  ethers,
  time,
  loadFixture,
  SENIOR_CAP,
  openFixture,
  undersubscribedFixture,
  OVER,
  oversubscribedFixture,
  expectedAllocations,
} from "../helpers/offering-fixtures.js";

describe("Offering", function () {
  describe("claims (deposit / mint)", function () {
    it("test_deposit_partialClaims_bothOverloads", async function () {
      const f = await loadFixture(undersubscribedFixture);
      const a = 300_000_002n;
      const alice = f.alice.address;
      expect(
        await f.offering
          .connect(f.alice)
          ["deposit(uint256,address)"].staticCall(100n * USDC, alice),
      ).to.equal(100n * USDC);
      const tx1 = f.offering.connect(f.alice)["deposit(uint256,address)"](100n * USDC, alice);
      await expect(tx1)
        .to.emit(f.offering, "Deposit")
        .withArgs(alice, alice, 100n * USDC, 100n * USDC);
      await expect(tx1)
        .to.emit(f.token, "SharesDelivered")
        .withArgs(alice, 100n * USDC, 0n);
      await expect(tx1)
        .to.emit(f.token, "Transfer")
        .withArgs(f.offeringAddress, alice, 100n * USDC);
      await expect(tx1).to.changeTokenBalances(
        ethers,
        f.token,
        [f.alice, f.offering],
        [100n * USDC, -100n * USDC],
      );
      expect(await f.offering.claimableDepositRequest(0n, alice)).to.equal(a - 100n * USDC);

      await expect(
        f.offering
          .connect(f.alice)
          ["deposit(uint256,address,address)"](50n * USDC, f.dave.address, alice),
      )
        .to.emit(f.offering, "Deposit")
        .withArgs(alice, f.dave.address, 50n * USDC, 50n * USDC);
      expect(await f.token.balanceOf(f.dave.address)).to.equal(50n * USDC);

      expect(
        await f.offering.connect(f.alice)["mint(uint256,address)"].staticCall(2n, alice),
      ).to.equal(2n);
      await expect(f.offering.connect(f.alice)["mint(uint256,address)"](2n, alice))
        .to.emit(f.offering, "Deposit")
        .withArgs(alice, alice, 2n, 2n);
      const rest = a - 150n * USDC - 2n;
      await expect(f.offering.connect(f.alice)["mint(uint256,address,address)"](rest, alice, alice))
        .to.emit(f.offering, "Deposit")
        .withArgs(alice, alice, rest, rest);
      expect(await f.token.balanceOf(alice)).to.equal(a - 50n * USDC);
      expect(await f.offering.claimableDepositRequest(0n, alice)).to.equal(0n);
      expect(await f.offering.maxMint(alice)).to.equal(0n);
      await expect(f.offering.connect(f.alice)["deposit(uint256,address)"](1n, alice))
        .to.be.revertedWithCustomError(f.offering, "ExceedsClaimable")
        .withArgs(1n, 0n);
    });

    it("test_deposit_revertsExceedsClaimable", async function () {
      const f = await loadFixture(oversubscribedFixture);
      const alloc = expectedAllocations(OVER, [1], SENIOR_CAP)[1];
      await expect(f.offering.connect(f.bob)["deposit(uint256,address)"](alloc + 1n, f.bob.address))
        .to.be.revertedWithCustomError(f.offering, "ExceedsClaimable")
        .withArgs(alloc + 1n, alloc);
      await expect(f.offering.connect(f.bob)["mint(uint256,address)"](OVER[1], f.bob.address))
        .to.be.revertedWithCustomError(f.offering, "ExceedsClaimable")
        .withArgs(OVER[1], alloc);
      await f.offering.connect(f.bob)["deposit(uint256,address)"](alloc - 10n, f.bob.address);
      await expect(
        f.offering
          .connect(f.bob)
          ["mint(uint256,address,address)"](11n, f.bob.address, f.bob.address),
      )
        .to.be.revertedWithCustomError(f.offering, "ExceedsClaimable")
        .withArgs(11n, 10n);
      expect(await f.token.balanceOf(f.bob.address)).to.equal(alloc - 10n);
      expect(await f.offering.claimableDepositRequest(0n, f.bob.address)).to.equal(10n);
    });

    it("test_deposit_revertsOfferingNotClosed", async function () {
      const f = await loadFixture(openFixture);
      await f.offering
        .connect(f.alice)
        .requestDeposit(200n * USDC, f.alice.address, f.alice.address);
      await expect(
        f.offering.connect(f.alice)["deposit(uint256,address)"](1n, f.alice.address),
      ).to.be.revertedWithCustomError(f.offering, "OfferingNotClosed");
      await expect(
        f.offering
          .connect(f.alice)
          ["deposit(uint256,address,address)"](1n, f.alice.address, f.alice.address),
      ).to.be.revertedWithCustomError(f.offering, "OfferingNotClosed");
      await expect(
        f.offering.connect(f.alice)["mint(uint256,address)"](1n, f.alice.address),
      ).to.be.revertedWithCustomError(f.offering, "OfferingNotClosed");
      await expect(
        f.offering
          .connect(f.alice)
          ["mint(uint256,address,address)"](1n, f.alice.address, f.alice.address),
      ).to.be.revertedWithCustomError(f.offering, "OfferingNotClosed");
      // Still not closed after the window until someone closes.
      await time.increaseTo(f.terms.offeringClosesAt);
      await expect(
        f.offering.connect(f.alice)["deposit(uint256,address)"](1n, f.alice.address),
      ).to.be.revertedWithCustomError(f.offering, "OfferingNotClosed");
      expect(await f.offering.pendingDepositRequest(0n, f.alice.address)).to.equal(200n * USDC);
    });

    it("test_deposit_revertsNotOperator", async function () {
      const f = await loadFixture(undersubscribedFixture);
      const alice = f.alice.address;
      await expect(
        f.offering
          .connect(f.outsider)
          ["deposit(uint256,address,address)"](1n, f.outsider.address, alice),
      )
        .to.be.revertedWithCustomError(f.offering, "NotOperator")
        .withArgs(alice, f.outsider.address);
      await expect(
        f.offering
          .connect(f.outsider)
          ["mint(uint256,address,address)"](1n, f.outsider.address, alice),
      )
        .to.be.revertedWithCustomError(f.offering, "NotOperator")
        .withArgs(alice, f.outsider.address);
      // The controller's co-subscriber is not an operator either.
      await expect(
        f.offering.connect(f.bob)["deposit(uint256,address,address)"](1n, f.bob.address, alice),
      )
        .to.be.revertedWithCustomError(f.offering, "NotOperator")
        .withArgs(alice, f.bob.address);
      expect(await f.offering.claimableDepositRequest(0n, alice)).to.equal(300_000_002n);
      expect(await f.token.balanceOf(f.outsider.address)).to.equal(0n);
    });

    it("test_deposit_operatorClaimsForControllerToAnotherReceiver", async function () {
      const f = await loadFixture(undersubscribedFixture);
      const alice = f.alice.address;
      await f.offering.connect(f.alice).setOperator(f.operator.address, true);
      const tx = f.offering
        .connect(f.operator)
        ["deposit(uint256,address,address)"](200n * USDC, f.dave.address, alice);
      await expect(tx)
        .to.emit(f.offering, "Deposit")
        .withArgs(alice, f.dave.address, 200n * USDC, 200n * USDC);
      await expect(tx).to.changeTokenBalances(
        ethers,
        f.token,
        [f.dave, f.alice, f.operator, f.offering],
        [200n * USDC, 0n, 0n, -200n * USDC],
      );
      await expect(
        f.offering
          .connect(f.operator)
          ["mint(uint256,address,address)"](2n, f.operator.address, alice),
      )
        .to.emit(f.offering, "Deposit")
        .withArgs(alice, f.operator.address, 2n, 2n);
      expect(await f.offering.claimableDepositRequest(0n, alice)).to.equal(
        300_000_002n - 200n * USDC - 2n,
      );
      // The operator's two-argument claim is for its own (empty) request.
      await expect(
        f.offering.connect(f.operator)["deposit(uint256,address)"](1n, f.operator.address),
      )
        .to.be.revertedWithCustomError(f.offering, "ExceedsClaimable")
        .withArgs(1n, 0n);
    });

    it("test_deposit_revertsInvalidReceiver", async function () {
      const f = await loadFixture(undersubscribedFixture);
      await expect(f.offering.connect(f.alice)["deposit(uint256,address)"](1n, ethers.ZeroAddress))
        .to.be.revertedWithCustomError(f.offering, "InvalidReceiver")
        .withArgs(ethers.ZeroAddress);
      await expect(f.offering.connect(f.alice)["deposit(uint256,address)"](1n, f.offeringAddress))
        .to.be.revertedWithCustomError(f.offering, "InvalidReceiver")
        .withArgs(f.offeringAddress);
      await expect(
        f.offering
          .connect(f.alice)
          ["mint(uint256,address,address)"](1n, f.offeringAddress, f.alice.address),
      )
        .to.be.revertedWithCustomError(f.offering, "InvalidReceiver")
        .withArgs(f.offeringAddress);
      await expect(f.offering.connect(f.alice)["mint(uint256,address)"](1n, ethers.ZeroAddress))
        .to.be.revertedWithCustomError(f.offering, "InvalidReceiver")
        .withArgs(ethers.ZeroAddress);
      expect(await f.offering.claimableDepositRequest(0n, f.alice.address)).to.equal(300_000_002n);
      expect(await f.token.balanceOf(f.offeringAddress)).to.equal(550_000_003n);
    });

    it("test_deposit_revertsZeroAmount", async function () {
      const f = await loadFixture(undersubscribedFixture);
      await expect(
        f.offering.connect(f.alice)["deposit(uint256,address)"](0n, f.alice.address),
      ).to.be.revertedWithCustomError(f.offering, "ZeroAmount");
      await expect(
        f.offering
          .connect(f.alice)
          ["mint(uint256,address,address)"](0n, f.alice.address, f.alice.address),
      ).to.be.revertedWithCustomError(f.offering, "ZeroAmount");
    });
  });
});
