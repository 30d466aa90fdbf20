import { expect } from "chai";

import { createDeal, standardTermSheet, USDC } from "../helpers/fixtures.js";
import { smallTermSheet } from "../helpers/token-helpers.js";
import {
  ethers,
  networkHelpers,
  time,
  loadFixture,
  MIN_TICKET,
  deployFixture,
  openFixture,
} from "../helpers/offering-fixtures.js";

describe("Offering", function () {
  describe("requestDeposit", function () {
    it("test_requestDeposit_ownerIsSender", async function () {
      const f = await loadFixture(openFixture);
      const amount = 150n * USDC;
      expect(
        await f.offering
          .connect(f.alice)
          .requestDeposit.staticCall(amount, f.alice.address, f.alice.address),
      ).to.equal(0n);
      const tx = f.offering
        .connect(f.alice)
        .requestDeposit(amount, f.alice.address, f.alice.address);
      await expect(tx)
        .to.emit(f.offering, "DepositRequest")
        .withArgs(f.alice.address, f.alice.address, 0n, f.alice.address, amount);
      await expect(tx).to.changeTokenBalances(
        ethers,
        f.stablecoin,
        [f.alice, f.offering],
        [-amount, amount],
      );
      expect(await f.offering.pendingDepositRequest(0n, f.alice.address)).to.equal(amount);
      expect(await f.offering.totalRequested()).to.equal(amount);
      expect(await f.offering.totalAssets()).to.equal(amount);
    });

    it("test_requestDeposit_forAnotherController", async function () {
      const f = await loadFixture(openFixture);
      const amount = 120n * USDC;
      await expect(
        f.offering.connect(f.alice).requestDeposit(amount, f.dave.address, f.alice.address),
      )
        .to.emit(f.offering, "DepositRequest")
        .withArgs(f.dave.address, f.alice.address, 0n, f.alice.address, amount);
      expect(await f.offering.pendingDepositRequest(0n, f.dave.address)).to.equal(amount);
      expect(await f.offering.pendingDepositRequest(0n, f.alice.address)).to.equal(0n);
    });

    it("test_requestDeposit_operatorOnBehalfOfOwner", async function () {
      const f = await loadFixture(openFixture);
      await f.offering.connect(f.alice).setOperator(f.operator.address, true);
      const amount = 200n * USDC;
      const tx = f.offering
        .connect(f.operator)
        .requestDeposit(amount, f.bob.address, f.alice.address);
      await expect(tx)
        .to.emit(f.offering, "DepositRequest")
        .withArgs(f.bob.address, f.alice.address, 0n, f.operator.address, amount);
      await expect(tx).to.changeTokenBalances(
        ethers,
        f.stablecoin,
        [f.alice, f.operator, f.offering],
        [-amount, 0n, amount],
      );
      expect(await f.offering.pendingDepositRequest(0n, f.bob.address)).to.equal(amount);
    });

    it("test_requestDeposit_revertsNotOperator", async function () {
      const f = await loadFixture(openFixture);
      const before = await f.stablecoin.balanceOf(f.alice.address);
      await expect(
        f.offering
          .connect(f.outsider)
          .requestDeposit(200n * USDC, f.outsider.address, f.alice.address),
      )
        .to.be.revertedWithCustomError(f.offering, "NotOperator")
        .withArgs(f.alice.address, f.outsider.address);
      // An operator of someone else is not an operator of alice.
      await f.offering.connect(f.bob).setOperator(f.operator.address, true);
      await expect(
        f.offering
          .connect(f.operator)
          .requestDeposit(200n * USDC, f.operator.address, f.alice.address),
      )
        .to.be.revertedWithCustomError(f.offering, "NotOperator")
        .withArgs(f.alice.address, f.operator.address);
      // A revoked operator loses the right.
      await f.offering.connect(f.alice).setOperator(f.operator.address, true);
      await f.offering.connect(f.alice).setOperator(f.operator.address, false);
      await expect(
        f.offering
          .connect(f.operator)
          .requestDeposit(200n * USDC, f.alice.address, f.alice.address),
      )
        .to.be.revertedWithCustomError(f.offering, "NotOperator")
        .withArgs(f.alice.address, f.operator.address);
      expect(await f.stablecoin.balanceOf(f.alice.address)).to.equal(before);
      expect(await f.offering.totalRequested()).to.equal(0n);
    });

    it("test_requestDeposit_revertsZeroAmount", async function () {
      const f = await loadFixture(openFixture);
      await expect(
        f.offering.connect(f.alice).requestDeposit(0n, f.alice.address, f.alice.address),
      ).to.be.revertedWithCustomError(f.offering, "ZeroAmount");
      expect(await f.offering.totalRequested()).to.equal(0n);
    });

    it("test_requestDeposit_revertsZeroAddressController", async function () {
      const f = await loadFixture(openFixture);
      await expect(
        f.offering
          .connect(f.alice)
          .requestDeposit(200n * USDC, ethers.ZeroAddress, f.alice.address),
      ).to.be.revertedWithCustomError(f.offering, "ZeroAddress");
      expect(await f.offering.totalRequested()).to.equal(0n);
      expect(await f.offering.totalAssets()).to.equal(0n);
    });

    it("test_requestDeposit_revertsBeforeOpen", async function () {
      const f = await loadFixture(deployFixture);
      const { offeringOpensAt: opens, offeringClosesAt: closes } = f.terms;
      await time.setNextBlockTimestamp(opens - 1n);
      await expect(
        f.offering.connect(f.alice).requestDeposit(200n * USDC, f.alice.address, f.alice.address),
      )
        .to.be.revertedWithCustomError(f.offering, "OfferingNotOpen")
        .withArgs(opens, closes);
      expect(await f.offering.totalRequested()).to.equal(0n);
      // Exactly at the opening second the request is taken.
      await time.setNextBlockTimestamp(opens);
      await f.offering
        .connect(f.alice)
        .requestDeposit(200n * USDC, f.alice.address, f.alice.address);
      expect(await f.offering.totalRequested()).to.equal(200n * USDC);
    });

    it("test_requestDeposit_revertsAtAndAfterClose", async function () {
      const f = await loadFixture(openFixture);
      const { offeringOpensAt: opens, offeringClosesAt: closes } = f.terms;
      // The last second of the window is inside it.
      await time.setNextBlockTimestamp(closes - 1n);
      await f.offering
        .connect(f.alice)
        .requestDeposit(200n * USDC, f.alice.address, f.alice.address);
      await time.setNextBlockTimestamp(closes);
      await expect(
        f.offering.connect(f.bob).requestDeposit(200n * USDC, f.bob.address, f.bob.address),
      )
        .to.be.revertedWithCustomError(f.offering, "OfferingNotOpen")
        .withArgs(opens, closes);
      await f.offering.close();
      await expect(
        f.offering.connect(f.bob).requestDeposit(200n * USDC, f.bob.address, f.bob.address),
      )
        .to.be.revertedWithCustomError(f.offering, "OfferingNotOpen")
        .withArgs(opens, closes);
      expect(await f.offering.totalRequested()).to.equal(200n * USDC);
      expect(await f.stablecoin.balanceOf(f.bob.address)).to.equal(10_000n * USDC);
    });

    it("test_requestDeposit_revertsBelowMinimumTicket_cumulativePerController", async function () {
      const f = await loadFixture(openFixture);
      await expect(
        f.offering
          .connect(f.alice)
          .requestDeposit(MIN_TICKET - 1n, f.alice.address, f.alice.address),
      )
        .to.be.revertedWithCustomError(f.offering, "BelowMinimumTicket")
        .withArgs(MIN_TICKET - 1n, MIN_TICKET);
      expect(await f.offering.pendingDepositRequest(0n, f.alice.address)).to.equal(0n);
      // Exactly the ticket passes; then a small top-up passes because the controller's total is above the ticket.
      await f.offering
        .connect(f.alice)
        .requestDeposit(MIN_TICKET, f.alice.address, f.alice.address);
      await expect(f.offering.connect(f.alice).requestDeposit(1n, f.alice.address, f.alice.address))
        .to.emit(f.offering, "DepositRequest")
        .withArgs(f.alice.address, f.alice.address, 0n, f.alice.address, 1n);
      expect(await f.offering.pendingDepositRequest(0n, f.alice.address)).to.equal(MIN_TICKET + 1n);
      // The ticket is per controller: bob's own small request is still refused, even when paid by alice.
      await expect(
        f.offering.connect(f.alice).requestDeposit(5n * USDC, f.bob.address, f.alice.address),
      )
        .to.be.revertedWithCustomError(f.offering, "BelowMinimumTicket")
        .withArgs(5n * USDC, MIN_TICKET);
      // Two small requests for the same controller from different owners reach the ticket together.
      await f.offering.connect(f.bob).requestDeposit(MIN_TICKET, f.bob.address, f.bob.address);
      await f.offering.connect(f.alice).requestDeposit(5n * USDC, f.bob.address, f.alice.address);
      expect(await f.offering.pendingDepositRequest(0n, f.bob.address)).to.equal(
        MIN_TICKET + 5n * USDC,
      );
      expect(await f.offering.totalRequested()).to.equal(2n * MIN_TICKET + 1n + 5n * USDC);
    });

    it("test_requestDeposit_revertsUnsupportedTokenTransfer_feeOnTransfer", async function () {
      const f = await loadFixture(deployFixture);
      const fot = await ethers.deployContract("FeeOnTransferToken");
      const terms = smallTermSheet(
        await standardTermSheet(networkHelpers, f.protocol, f.r),
        {},
        {
          stablecoin: await fot.getAddress(),
        },
      );
      const h = await createDeal(ethers, f.protocol, terms);
      const offering = h.offerings[0];
      const amount = 123_456_789n;
      await fot.mint(f.alice.address, 1_000n * USDC);
      await fot.connect(f.alice).approve(await offering.getAddress(), amount);
      await time.increaseTo(terms.offeringOpensAt);
      const fee = amount / 100n; // the mock burns 1 % of every transfer
      await expect(
        offering.connect(f.alice).requestDeposit(amount, f.alice.address, f.alice.address),
      )
        .to.be.revertedWithCustomError(offering, "UnsupportedTokenTransfer")
        .withArgs(amount, amount - fee);
      expect(amount - fee).to.equal(122_222_222n);
      expect(await fot.balanceOf(f.alice.address)).to.equal(1_000n * USDC);
      expect(await fot.balanceOf(await offering.getAddress())).to.equal(0n);
      expect(await offering.totalRequested()).to.equal(0n);
    });
  });
});
