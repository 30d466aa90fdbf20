import { expect } from "chai";

import { USDC } from "../helpers/fixtures.js";
import { signPermit } from "../helpers/token-helpers.js";
import {
  ethers,
  time,
  loadFixture,
  MIN_TICKET,
  deployFixture,
  openFixture,
} from "../helpers/offering-fixtures.js";

describe("Offering", function () {
  describe("requestDepositWithPermit", function () {
    it("test_requestDepositWithPermit_validPermit", async function () {
      const f = await loadFixture(openFixture);
      const amount = 250n * USDC;
      await f.stablecoin.mint(f.eve.address, amount);
      const deadline = BigInt(await time.latest()) + 3_600n;
      const sig = await signPermit(
        ethers,
        f.stablecoin,
        f.eve,
        f.offeringAddress,
        amount,
        deadline,
      );
      expect(await f.stablecoin.allowance(f.eve.address, f.offeringAddress)).to.equal(0n);
      const tx = f.offering
        .connect(f.eve)
        .requestDepositWithPermit(amount, f.eve.address, deadline, sig.v, sig.r, sig.s);
      await expect(tx)
        .to.emit(f.offering, "DepositRequest")
        .withArgs(f.eve.address, f.eve.address, 0n, f.eve.address, amount);
      await expect(tx).to.changeTokenBalances(
        ethers,
        f.stablecoin,
        [f.eve, f.offering],
        [-amount, amount],
      );
      expect(await f.stablecoin.nonces(f.eve.address)).to.equal(1n);
      expect(await f.stablecoin.allowance(f.eve.address, f.offeringAddress)).to.equal(0n);
      expect(await f.offering.pendingDepositRequest(0n, f.eve.address)).to.equal(amount);
    });

    it("test_requestDepositWithPermit_forAnotherController", async function () {
      const f = await loadFixture(openFixture);
      const amount = 250n * USDC;
      await f.stablecoin.mint(f.eve.address, amount);
      const deadline = BigInt(await time.latest()) + 3_600n;
      const sig = await signPermit(
        ethers,
        f.stablecoin,
        f.eve,
        f.offeringAddress,
        amount,
        deadline,
      );
      await expect(
        f.offering
          .connect(f.eve)
          .requestDepositWithPermit(amount, f.dave.address, deadline, sig.v, sig.r, sig.s),
      )
        .to.emit(f.offering, "DepositRequest")
        .withArgs(f.dave.address, f.eve.address, 0n, f.eve.address, amount);
      expect(await f.offering.pendingDepositRequest(0n, f.dave.address)).to.equal(amount);
    });

    it("test_requestDepositWithPermit_frontRunPermitStillSucceeds", async function () {
      const f = await loadFixture(openFixture);
      const amount = 250n * USDC;
      await f.stablecoin.mint(f.eve.address, amount);
      const deadline = BigInt(await time.latest()) + 3_600n;
      const sig = await signPermit(
        ethers,
        f.stablecoin,
        f.eve,
        f.offeringAddress,
        amount,
        deadline,
      );
      // A third party submits the permit first: the nonce is used and the allowance is in place.
      await f.stablecoin
        .connect(f.outsider)
        .permit(f.eve.address, f.offeringAddress, amount, deadline, sig.v, sig.r, sig.s);
      expect(await f.stablecoin.allowance(f.eve.address, f.offeringAddress)).to.equal(amount);
      const tx = f.offering
        .connect(f.eve)
        .requestDepositWithPermit(amount, f.eve.address, deadline, sig.v, sig.r, sig.s);
      await expect(tx)
        .to.emit(f.offering, "DepositRequest")
        .withArgs(f.eve.address, f.eve.address, 0n, f.eve.address, amount);
      await expect(tx).to.changeTokenBalances(
        ethers,
        f.stablecoin,
        [f.eve, f.offering],
        [-amount, amount],
      );
      expect(await f.stablecoin.nonces(f.eve.address)).to.equal(1n);
    });

    it("test_requestDepositWithPermit_badPermitWithoutAllowanceReverts", async function () {
      const f = await loadFixture(openFixture);
      const amount = 250n * USDC;
      await f.stablecoin.mint(f.eve.address, amount);
      const deadline = BigInt(await time.latest()) + 3_600n;
      // Signed by the wrong key: the permit fails silently and the pull finds no allowance.
      const sig = await signPermit(
        ethers,
        f.stablecoin,
        f.eve,
        f.offeringAddress,
        amount,
        deadline,
        {
          signer: f.outsider,
        },
      );
      await expect(
        f.offering
          .connect(f.eve)
          .requestDepositWithPermit(amount, f.eve.address, deadline, sig.v, sig.r, sig.s),
      )
        .to.be.revertedWithCustomError(f.stablecoin, "ERC20InsufficientAllowance")
        .withArgs(f.offeringAddress, 0n, amount);
      // An expired permit fails the same way.
      const past = BigInt(await time.latest()) - 1n;
      const sig2 = await signPermit(ethers, f.stablecoin, f.eve, f.offeringAddress, amount, past);
      await expect(
        f.offering
          .connect(f.eve)
          .requestDepositWithPermit(amount, f.eve.address, past, sig2.v, sig2.r, sig2.s),
      )
        .to.be.revertedWithCustomError(f.stablecoin, "ERC20InsufficientAllowance")
        .withArgs(f.offeringAddress, 0n, amount);
      expect(await f.stablecoin.balanceOf(f.eve.address)).to.equal(amount);
      expect(await f.stablecoin.nonces(f.eve.address)).to.equal(0n);
      expect(await f.offering.totalRequested()).to.equal(0n);
    });

    it("test_requestDepositWithPermit_windowAndTicketChecks", async function () {
      const f = await loadFixture(deployFixture);
      const amount = 250n * USDC;
      await f.stablecoin.mint(f.eve.address, amount);
      const deadline = f.terms.offeringClosesAt + 3_600n;
      const sig = await signPermit(
        ethers,
        f.stablecoin,
        f.eve,
        f.offeringAddress,
        amount,
        deadline,
      );
      await expect(
        f.offering
          .connect(f.eve)
          .requestDepositWithPermit(amount, f.eve.address, deadline, sig.v, sig.r, sig.s),
      )
        .to.be.revertedWithCustomError(f.offering, "OfferingNotOpen")
        .withArgs(f.terms.offeringOpensAt, f.terms.offeringClosesAt);
      await time.increaseTo(f.terms.offeringOpensAt);
      const small = await signPermit(ethers, f.stablecoin, f.eve, f.offeringAddress, 1n, deadline);
      await expect(
        f.offering
          .connect(f.eve)
          .requestDepositWithPermit(1n, f.eve.address, deadline, small.v, small.r, small.s),
      )
        .to.be.revertedWithCustomError(f.offering, "BelowMinimumTicket")
        .withArgs(1n, MIN_TICKET);
      await expect(
        f.offering
          .connect(f.eve)
          .requestDepositWithPermit(0n, f.eve.address, deadline, sig.v, sig.r, sig.s),
      ).to.be.revertedWithCustomError(f.offering, "ZeroAmount");
      await expect(
        f.offering
          .connect(f.eve)
          .requestDepositWithPermit(amount, ethers.ZeroAddress, deadline, sig.v, sig.r, sig.s),
      ).to.be.revertedWithCustomError(f.offering, "ZeroAddress");
      // The original permit is still usable after all those reverts.
      await f.offering
        .connect(f.eve)
        .requestDepositWithPermit(amount, f.eve.address, deadline, sig.v, sig.r, sig.s);
      expect(await f.offering.pendingDepositRequest(0n, f.eve.address)).to.equal(amount);
    });
  });
});
