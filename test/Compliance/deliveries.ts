import { expect } from "chai";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";

import { subscribe, WAD } from "../helpers/fixtures.js";
import { runPeriod } from "../helpers/token-helpers.js";
import {
  ethers,
  networkHelpers,
  time,
  loadFixture,
  Code,
  ACCREDITED,
  NON_US,
  US,
  IRAN,
  HOLDING_PERIOD,
  MIN_HOLDING,
  dealFixture,
  activeFixture,
  lot,
} from "../helpers/compliance-fixtures.js";

describe("Compliance", function () {
  describe("offering deliveries and coupon claims", function () {
    it("test_offeringClaim_receiverMustBeEligible", async function () {
      const f = await loadFixture(dealFixture);
      const inv = f.r.investors[0];
      await time.increaseTo(f.terms.offeringOpensAt);
      await subscribe(f.protocol, f.h.offerings[0], inv, f.terms.tranches[0].faceAmount);
      await time.increaseTo(f.terms.offeringClosesAt);
      await f.h.offerings[0].close();
      const face = f.terms.tranches[0].faceAmount;
      await expect(
        f.h.offerings[0].connect(inv)["deposit(uint256,address)"](face, f.stranger.address),
      )
        .to.be.revertedWithCustomError(f.senior, "TransferRestricted")
        .withArgs(Code.RECEIVER_NOT_REGISTERED);
      await f.registry.connect(f.agent).setWalletFrozen(f.a.address, true);
      await expect(f.h.offerings[0].connect(inv)["deposit(uint256,address)"](face, f.a.address))
        .to.be.revertedWithCustomError(f.senior, "TransferRestricted")
        .withArgs(Code.RECEIVER_FROZEN);
      // A frozen controller claiming to itself is refused as the sender first.
      await f.registry.connect(f.agent).setWalletFrozen(inv.address, true);
      await expect(f.h.offerings[0].connect(inv)["deposit(uint256,address)"](face, inv.address))
        .to.be.revertedWithCustomError(f.senior, "TransferRestricted")
        .withArgs(Code.SENDER_FROZEN);
      // Nothing is lost: once eligible the subscriber takes the shares, fresh from delivery.
      await f.registry.connect(f.agent).setWalletFrozen(inv.address, false);
      await f.h.offerings[0].connect(inv)["deposit(uint256,address)"](face, inv.address);
      expect(await f.senior.balanceOf(inv.address)).to.equal(face);
      expect(await lot(f.senior, inv.address)).to.deep.equal({
        amount: face,
        releasedAt: BigInt(await time.latest()) + HOLDING_PERIOD,
      });
    });

    it("test_offeringClaim_controllerScreenedAsSender", async function () {
      const f = await loadFixture(dealFixture);
      const inv = f.r.investors[0];
      const offering = f.h.offerings[0];
      await time.increaseTo(f.terms.offeringOpensAt);
      await subscribe(f.protocol, offering, inv, f.terms.tranches[0].faceAmount);
      // An address the registry does not know subscribes: requests are not screened, claims are.
      await subscribe(f.protocol, offering, f.stranger, MIN_HOLDING);
      await time.increaseTo(f.terms.offeringClosesAt);
      await offering.close();
      const refused = async (controller: HardhatEthersSigner, code: number) => {
        await expect(offering.connect(controller)["deposit(uint256,address)"](1n, f.a.address))
          .to.be.revertedWithCustomError(f.senior, "TransferRestricted")
          .withArgs(code);
        await expect(offering.connect(controller)["mint(uint256,address)"](1n, f.a.address))
          .to.be.revertedWithCustomError(f.senior, "TransferRestricted")
          .withArgs(code);
        // ERC-7540: nothing may be claimed now, though the allocation stays claimable.
        expect(await offering.maxDeposit(controller.address)).to.equal(0n);
        expect(await offering.maxMint(controller.address)).to.equal(0n);
        expect(await offering.claimableDepositRequest(0n, controller.address)).to.be.greaterThan(
          0n,
        );
      };
      await refused(f.stranger, Code.SENDER_NOT_REGISTERED);
      await f.registry.connect(f.agent).setWalletFrozen(inv.address, true);
      await refused(inv, Code.SENDER_FROZEN);
      await f.registry.connect(f.agent).setWalletFrozen(inv.address, false);
      await f.registry.connect(f.agent).setIdentityFrozen(inv.address, true);
      await refused(inv, Code.SENDER_FROZEN);
      await f.registry.connect(f.agent).setIdentityFrozen(inv.address, false);
      await f.registry.connect(f.agent).updateInvestor(inv.address, f.kyc, IRAN, ACCREDITED);
      await refused(inv, Code.SENDER_COUNTRY_BLOCKED);
      await f.registry.connect(f.agent).updateInvestor(inv.address, f.kyc, US, NON_US);
      await refused(inv, Code.SENDER_CLASS_NOT_ALLOWED);
      const soon = BigInt(await time.latest()) + 10n;
      await f.registry.connect(f.agent).updateInvestor(inv.address, soon, US, ACCREDITED);
      await time.increaseTo(soon);
      await refused(inv, Code.SENDER_KYC_EXPIRED);
      // Eligible again: the whole allocation is claimable and claimed.
      await f.registry.connect(f.agent).updateInvestor(inv.address, f.kyc, US, ACCREDITED);
      const allocation = await offering.maxDeposit(inv.address);
      expect(allocation).to.equal(await offering.claimableDepositRequest(0n, inv.address));
      await offering.connect(inv)["deposit(uint256,address)"](allocation, f.a.address);
      expect(await f.senior.balanceOf(f.a.address)).to.equal(allocation);
    });

    it("test_offeringClaim_operatorOfRestrictedControllerRefused", async function () {
      const f = await loadFixture(dealFixture);
      const inv = f.r.investors[0];
      const offering = f.h.offerings[0];
      await time.increaseTo(f.terms.offeringOpensAt);
      await subscribe(f.protocol, offering, inv, f.terms.tranches[0].faceAmount);
      await time.increaseTo(f.terms.offeringClosesAt);
      await offering.close();
      // An eligible operator claims for the controller; the controller's record decides.
      await offering.connect(inv).setOperator(f.a.address, true);
      await f.registry.connect(f.agent).setIdentityFrozen(inv.address, true);
      const claim = () =>
        offering
          .connect(f.a)
          ["deposit(uint256,address,address)"](MIN_HOLDING, f.a.address, inv.address);
      await expect(claim())
        .to.be.revertedWithCustomError(f.senior, "TransferRestricted")
        .withArgs(Code.SENDER_FROZEN);
      await expect(
        offering
          .connect(f.a)
          ["mint(uint256,address,address)"](MIN_HOLDING, f.a.address, inv.address),
      )
        .to.be.revertedWithCustomError(f.senior, "TransferRestricted")
        .withArgs(Code.SENDER_FROZEN);
      await f.registry.connect(f.agent).setIdentityFrozen(inv.address, false);
      await expect(claim())
        .to.emit(offering, "Deposit")
        .withArgs(inv.address, f.a.address, MIN_HOLDING, MIN_HOLDING);
    });

    it("test_offeringClaim_unfrozenControllerClaimsWithItsAccruedCash", async function () {
      const f = await loadFixture(dealFixture);
      const inv = f.r.investors[0];
      const offering = f.h.offerings[0];
      await time.increaseTo(f.terms.offeringOpensAt);
      for (let i = 0; i < f.h.offerings.length; i++) {
        await subscribe(
          f.protocol,
          f.h.offerings[i],
          f.r.investors[i],
          f.terms.tranches[i].faceAmount,
        );
      }
      await time.increaseTo(f.terms.offeringClosesAt);
      for (const o of f.h.offerings) await o.close();
      const face = f.terms.tranches[0].faceAmount;
      // The senior's shares wait in the offering and accrue a period's coupon there.
      await f.registry.connect(f.agent).setIdentityFrozen(inv.address, true);
      await runPeriod(ethers, networkHelpers, f.protocol, f.r, f.h.deal, 0n);
      const accrued = await f.senior.claimable(await offering.getAddress());
      expect(accrued).to.be.greaterThan(0n);
      await expect(offering.connect(inv)["deposit(uint256,address)"](face, f.a.address))
        .to.be.revertedWithCustomError(f.senior, "TransferRestricted")
        .withArgs(Code.SENDER_FROZEN);
      expect(await offering.maxDeposit(inv.address)).to.equal(0n);
      await f.registry.connect(f.agent).setIdentityFrozen(inv.address, false);
      expect(await offering.maxDeposit(inv.address)).to.equal(face);
      await expect(offering.connect(inv)["deposit(uint256,address)"](face, inv.address))
        .to.emit(f.senior, "SharesDelivered")
        .withArgs(inv.address, face, accrued);
      expect(await f.senior.claimable(inv.address)).to.equal(accrued);
      expect(await f.senior.claimable(await offering.getAddress())).to.equal(0n);
    });

    it("test_claim_frozenInvestorKeepsAccruing_andClaimsEverythingOnceEligible", async function () {
      const f = await loadFixture(activeFixture);
      await runPeriod(ethers, networkHelpers, f.protocol, f.r, f.h.deal, 0n);
      const first = await f.senior.claimable(f.holder.address);
      expect(first).to.be.greaterThan(0n);
      await f.registry.connect(f.agent).setIdentityFrozen(f.holder.address, true);
      expect(await f.senior.detectClaimRestriction(f.holder.address)).to.equal(
        BigInt(Code.SENDER_FROZEN),
      );
      await expect(f.senior.connect(f.holder).claimTo(f.holder.address))
        .to.be.revertedWithCustomError(f.senior, "ClaimRestricted")
        .withArgs(f.holder.address, Code.SENDER_FROZEN);
      const index0 = await f.senior.cashIndex();
      await runPeriod(ethers, networkHelpers, f.protocol, f.r, f.h.deal, 1n);
      const index1 = await f.senior.cashIndex();
      const balance = await f.senior.balanceOf(f.holder.address);
      const expected = first + (balance * (index1 - index0)) / WAD;
      expect(await f.senior.claimable(f.holder.address)).to.equal(expected);
      await f.registry.connect(f.agent).setIdentityFrozen(f.holder.address, false);
      await expect(f.senior.connect(f.holder).claimTo(f.holder.address)).to.changeTokenBalances(
        ethers,
        f.protocol.stablecoin,
        [f.holder, f.senior],
        [expected, -expected],
      );
    });

    it("test_claim_kycExpired", async function () {
      const f = await loadFixture(activeFixture);
      await runPeriod(ethers, networkHelpers, f.protocol, f.r, f.h.deal, 0n);
      const soon = BigInt(await time.latest()) + 10n;
      await f.registry.connect(f.agent).updateInvestor(f.holder.address, soon, US, ACCREDITED);
      await time.increaseTo(soon);
      await expect(f.senior.connect(f.holder).claimTo(f.holder.address))
        .to.be.revertedWithCustomError(f.senior, "ClaimRestricted")
        .withArgs(f.holder.address, Code.SENDER_KYC_EXPIRED);
    });
  });
});
