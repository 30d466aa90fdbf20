import { expect } from "chai";

import { USDC } from "../helpers/fixtures.js";
import { MAX_UINT256 } from "../helpers/token-helpers.js";
import {
  ethers,
  loadFixture,
  SENIOR_CAP,
  MIN_RAISE,
  MIN_TICKET,
  RESERVE_BPS,
  deployFixture,
  openFixture,
  undersubscribedFixture,
  OVER,
  OVER_TOTAL,
  oversubscribedFixture,
  expectedAllocations,
  plainConfig,
} from "../helpers/offering-fixtures.js";

describe("Offering", function () {
  describe("initialization and metadata", function () {
    it("test_config_matchesTermSheet", async function () {
      const f = await loadFixture(deployFixture);
      const c = await f.offering.config();
      expect(c.deal).to.equal(await f.deal.getAddress());
      expect(c.asset).to.equal(await f.stablecoin.getAddress());
      expect(c.proceedsReceiver).to.equal(f.r.issuer.address);
      expect(c.trancheIndex).to.equal(0n);
      expect(c.opensAt).to.equal(f.terms.offeringOpensAt);
      expect(c.closesAt).to.equal(f.terms.offeringClosesAt);
      expect(c.cap).to.equal(SENIOR_CAP);
      expect(c.minRaise).to.equal(MIN_RAISE);
      expect(c.minTicket).to.equal(MIN_TICKET);
      expect(c.reserveFundingBps).to.equal(RESERVE_BPS);
      expect(await f.offering.share()).to.equal(await f.token.getAddress());
      expect(await f.offering.asset()).to.equal(await f.stablecoin.getAddress());
      expect(await f.offering.totalRequested()).to.equal(0n);
      expect(await f.offering.accepted()).to.equal(0n);
      expect(await f.offering.closed()).to.deep.equal([false, false]);
      expect(await f.offering.totalAssets()).to.equal(0n);
    });

    it("test_config_isFixedInTheCloneCode", async function () {
      const f = await loadFixture(deployFixture);
      // No initializer exists: the parameters are the clone's immutable arguments.
      expect(
        ethers.Interface.from(f.offering.interface.fragments).getFunction("initialize"),
      ).to.equal(null);
      const code = await ethers.provider.getCode(await f.offering.getAddress());
      const args = ethers.AbiCoder.defaultAbiCoder().encode(
        ["tuple(address,address,address,uint8,uint64,uint64,uint128,uint128,uint128,uint16)"],
        [plainConfig(await f.offering.config())],
      );
      expect(code.endsWith(args.slice(2))).to.equal(true);
    });

    it("test_supportsInterface_erc165AndOperator", async function () {
      const f = await loadFixture(deployFixture);
      expect(await f.offering.supportsInterface("0x01ffc9a7")).to.equal(true); // ERC-165
      expect(await f.offering.supportsInterface("0xe3bc4e65")).to.equal(true); // ERC-7540 operator
      expect(await f.offering.supportsInterface("0xffffffff")).to.equal(false);
      expect(await f.offering.supportsInterface("0x12345678")).to.equal(false);
      expect(await f.offering.supportsInterface("0x620ee8e4")).to.equal(false); // ERC-7540 async redeem
    });

    // ERC-7540: "Asynchronous deposit Vaults MUST return the constant value true if 0xce3bbe50 is passed through
    // the interfaceID argument." 0xce3bbe50 is the XOR of requestDeposit, pendingDepositRequest,
    // claimableDepositRequest, deposit(uint256,address,address) and mint(uint256,address,address).
    it("test_supportsInterface_erc7540AsyncDeposit", async function () {
      const f = await loadFixture(deployFixture);
      expect(await f.offering.supportsInterface("0xce3bbe50")).to.equal(true);
    });

    // ERC-7575: "Vaults ... MUST return the constant value true if 0x2f0a18c5 is passed through the interfaceID
    // argument." 0x2f0a18c5 is the XOR of the whole ERC-4626 vault surface with share().
    it("test_supportsInterface_erc7575", async function () {
      const f = await loadFixture(deployFixture);
      expect(await f.offering.supportsInterface("0x2f0a18c5")).to.equal(true);
    });

    it("test_erc4626Surface_conversionsAreIdentity", async function () {
      const f = await loadFixture(deployFixture);
      for (const x of [0n, 1n, 123_456_789n, MAX_UINT256]) {
        expect(await f.offering.convertToShares(x)).to.equal(x);
        expect(await f.offering.convertToAssets(x)).to.equal(x);
      }
    });

    it("test_previews_revertAsyncPreviewUnsupported", async function () {
      const f = await loadFixture(openFixture);
      await expect(f.offering.previewDeposit(1n)).to.be.revertedWithCustomError(
        f.offering,
        "AsyncPreviewUnsupported",
      );
      await expect(f.offering.previewMint(1n)).to.be.revertedWithCustomError(
        f.offering,
        "AsyncPreviewUnsupported",
      );
    });

    it("test_redemption_revertsRedemptionUnsupported", async function () {
      const f = await loadFixture(undersubscribedFixture);
      await f.offering.connect(f.alice)["deposit(uint256,address)"](100n * USDC, f.alice.address);
      await expect(f.offering.previewWithdraw(1n)).to.be.revertedWithCustomError(
        f.offering,
        "RedemptionUnsupported",
      );
      await expect(f.offering.previewRedeem(1n)).to.be.revertedWithCustomError(
        f.offering,
        "RedemptionUnsupported",
      );
      await expect(
        f.offering.connect(f.alice).withdraw(1n, f.alice.address, f.alice.address),
      ).to.be.revertedWithCustomError(f.offering, "RedemptionUnsupported");
      await expect(
        f.offering.connect(f.alice).redeem(1n, f.alice.address, f.alice.address),
      ).to.be.revertedWithCustomError(f.offering, "RedemptionUnsupported");
      expect(await f.offering.maxWithdraw(f.alice.address)).to.equal(0n);
      expect(await f.offering.maxRedeem(f.alice.address)).to.equal(0n);
      expect(await f.token.balanceOf(f.alice.address)).to.equal(100n * USDC);
    });
  });

  describe("operators", function () {
    it("test_setOperator_setsAndEmits", async function () {
      const f = await loadFixture(deployFixture);
      expect(await f.offering.isOperator(f.alice.address, f.operator.address)).to.equal(false);
      expect(
        await f.offering.connect(f.alice).setOperator.staticCall(f.operator.address, true),
      ).to.equal(true);
      await expect(f.offering.connect(f.alice).setOperator(f.operator.address, true))
        .to.emit(f.offering, "OperatorSet")
        .withArgs(f.alice.address, f.operator.address, true);
      expect(await f.offering.isOperator(f.alice.address, f.operator.address)).to.equal(true);
      // Operator status is directional.
      expect(await f.offering.isOperator(f.operator.address, f.alice.address)).to.equal(false);
      await expect(f.offering.connect(f.alice).setOperator(f.operator.address, false))
        .to.emit(f.offering, "OperatorSet")
        .withArgs(f.alice.address, f.operator.address, false);
      expect(await f.offering.isOperator(f.alice.address, f.operator.address)).to.equal(false);
    });
  });

  describe("views", function () {
    it("test_views_beforeClose", async function () {
      const f = await loadFixture(openFixture);
      await f.offering
        .connect(f.alice)
        .requestDeposit(300n * USDC, f.alice.address, f.alice.address);
      expect(await f.offering.pendingDepositRequest(0n, f.alice.address)).to.equal(300n * USDC);
      expect(await f.offering.pendingDepositRequest(1n, f.alice.address)).to.equal(0n);
      expect(await f.offering.pendingDepositRequest(0n, f.bob.address)).to.equal(0n);
      expect(await f.offering.claimableDepositRequest(0n, f.alice.address)).to.equal(0n);
      expect(await f.offering.claimableDepositRequest(1n, f.alice.address)).to.equal(0n);
      expect(await f.offering.maxDeposit(f.alice.address)).to.equal(0n);
      expect(await f.offering.maxMint(f.alice.address)).to.equal(0n);
      expect(await f.offering.refundable(f.alice.address)).to.equal(0n);
      expect(await f.offering.totalAssets()).to.equal(300n * USDC);
    });

    it("test_views_afterClose_oversubscribed", async function () {
      const f = await loadFixture(oversubscribedFixture);
      const alloc = expectedAllocations(OVER, [0, 1, 2], SENIOR_CAP);
      const [alice, bob] = [f.alice.address, f.bob.address];
      expect(await f.offering.pendingDepositRequest(0n, alice)).to.equal(0n);
      expect(await f.offering.pendingDepositRequest(1n, alice)).to.equal(0n);
      expect(await f.offering.claimableDepositRequest(0n, alice)).to.equal(alloc[0]);
      expect(await f.offering.claimableDepositRequest(7n, alice)).to.equal(0n);
      expect(await f.offering.maxDeposit(alice)).to.equal(alloc[0]);
      expect(await f.offering.maxMint(alice)).to.equal(alloc[0]);
      expect(await f.offering.refundable(alice)).to.equal(OVER[0] - alloc[0]);
      // An unsettled controller's view is its allocation were it the next to settle.
      expect(await f.offering.refundable(bob)).to.equal(
        OVER[1] - (OVER[1] * SENIOR_CAP) / OVER_TOTAL,
      );
      // A controller with no request has nothing.
      expect(await f.offering.claimableDepositRequest(0n, f.dave.address)).to.equal(0n);
      expect(await f.offering.refundable(f.dave.address)).to.equal(0n);
      // After a partial claim and the refund, the views follow.
      await f.offering.connect(f.alice)["deposit(uint256,address)"](100n * USDC, alice);
      expect(await f.offering.claimableDepositRequest(0n, alice)).to.equal(alloc[0] - 100n * USDC);
      expect(await f.offering.maxDeposit(alice)).to.equal(alloc[0] - 100n * USDC);
      // Once alice is settled, bob's view follows the cumulative rounding in claim order.
      expect(await f.offering.claimableDepositRequest(0n, bob)).to.equal(alloc[1]);
      await f.offering.connect(f.alice).refund(alice, alice);
      expect(await f.offering.refundable(alice)).to.equal(0n);
      expect(await f.offering.claimableDepositRequest(0n, alice)).to.equal(alloc[0] - 100n * USDC);
    });
  });
});
