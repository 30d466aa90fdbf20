import { expect } from "chai";
import { network } from "hardhat";

import {
  createDeal,
  DealStatus,
  deployProtocol,
  roles,
  standardTermSheet,
  USDC,
} from "./helpers/fixtures.js";
import { MAX_UINT256, signPermit, smallTermSheet } from "./helpers/token-helpers.js";

const { ethers, networkHelpers } = await network.create();
const { time, loadFixture } = networkHelpers;

const SENIOR_CAP = 1_000n * USDC;
const MIN_RAISE = 400n * USDC;
const MIN_TICKET = 100n * USDC;
const RESERVE_BPS = 250n;
const BPS = 10_000n;

// ------------------------------------------------------------------ fixtures

/** A deal with a small senior offering (cap 1 000, min raise 400, min ticket 100, 2.5 % reserve) not yet open. */
async function deployFixture() {
  const protocol = await deployProtocol(ethers);
  const r = await roles(ethers);
  const signers = await ethers.getSigners();
  const terms = smallTermSheet(await standardTermSheet(networkHelpers, protocol, r));
  const h = await createDeal(ethers, protocol, terms);
  const offering = h.offerings[0];
  const token = h.tokens[0];
  const offeringAddress = await offering.getAddress();
  const [alice, bob, carol, dave, eve] = r.investors;
  const operator = signers[16];
  const outsider = signers[17];
  for (const inv of [alice, bob, carol, dave]) {
    await protocol.stablecoin.mint(inv.address, 10_000n * USDC);
    await protocol.stablecoin.connect(inv).approve(offeringAddress, MAX_UINT256);
  }
  return {
    protocol,
    r,
    h,
    terms,
    deal: h.deal,
    offering,
    token,
    offeringAddress,
    stablecoin: protocol.stablecoin,
    alice,
    bob,
    carol,
    dave,
    eve,
    operator,
    outsider,
  };
}

/** The window is open. */
async function openFixture() {
  const f = await deployFixture();
  await time.increaseTo(f.terms.offeringOpensAt);
  return f;
}

type F = Awaited<ReturnType<typeof openFixture>>;

async function requestAndClose(f: F, requests: [typeof f.alice, bigint][]) {
  for (const [inv, amount] of requests) {
    await f.offering.connect(inv).requestDeposit(amount, inv.address, inv.address);
  }
  await time.increaseTo(f.terms.offeringClosesAt);
  await f.offering.close();
}

/** Alice 300.000002 + Bob 250.000001 = 550.000003 (between min raise and cap), closed. */
async function undersubscribedFixture() {
  const f = await openFixture();
  await requestAndClose(f, [
    [f.alice, 300_000_002n],
    [f.bob, 250_000_001n],
  ]);
  return f;
}

/** Alice 333.333333 + Bob 500.000001 + Carol 700.000007 = 1 533.333341 > cap 1 000, closed. */
const OVER = [333_333_333n, 500_000_001n, 700_000_007n];
const OVER_TOTAL = OVER[0] + OVER[1] + OVER[2];
async function oversubscribedFixture() {
  const f = await openFixture();
  await requestAndClose(f, [
    [f.alice, OVER[0]],
    [f.bob, OVER[1]],
    [f.carol, OVER[2]],
  ]);
  return f;
}

/** Alice 150 + Bob 100 = 250 < min raise 400, closed: failed. */
async function failedFixture() {
  const f = await openFixture();
  await requestAndClose(f, [
    [f.alice, 150n * USDC],
    [f.bob, 100n * USDC],
  ]);
  return f;
}

/** Cumulative pro-rata allocation in settlement order, as the interface specifies it. */
function expectedAllocations(requests: bigint[], order: number[], accepted: bigint): bigint[] {
  const total = requests.reduce((a, b) => a + b, 0n);
  const out: bigint[] = new Array(requests.length).fill(0n);
  let settled = 0n;
  let settledAlloc = 0n;
  for (const i of order) {
    settled += requests[i];
    out[i] = (settled * accepted) / total - settledAlloc;
    settledAlloc += out[i];
  }
  return out;
}

function plainConfig(c: Awaited<ReturnType<F["offering"]["config"]>>) {
  return [
    c.deal,
    c.asset,
    c.proceedsReceiver,
    c.trancheIndex,
    c.opensAt,
    c.closesAt,
    c.cap,
    c.minRaise,
    c.minTicket,
    c.reserveFundingBps,
  ];
}

function permutations<T>(xs: T[]): T[][] {
  if (xs.length <= 1) return [xs];
  return xs.flatMap((x, i) =>
    permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]),
  );
}

// ------------------------------------------------------------------ tests

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

  describe("close", function () {
    it("test_close_revertsOfferingStillOpen", async function () {
      const f = await loadFixture(openFixture);
      await f.offering
        .connect(f.alice)
        .requestDeposit(500n * USDC, f.alice.address, f.alice.address);
      await time.setNextBlockTimestamp(f.terms.offeringClosesAt - 1n);
      await expect(f.offering.close())
        .to.be.revertedWithCustomError(f.offering, "OfferingStillOpen")
        .withArgs(f.terms.offeringClosesAt);
      expect(await f.offering.closed()).to.deep.equal([false, false]);
      expect(await f.token.totalSupply()).to.equal(0n);
    });

    it("test_close_revertsOfferingClosedAlready", async function () {
      const f = await loadFixture(undersubscribedFixture);
      const closedAt = BigInt(await time.latest());
      const issuerBalance = await f.stablecoin.balanceOf(f.r.issuer.address);
      await expect(f.offering.connect(f.outsider).close())
        .to.be.revertedWithCustomError(f.offering, "OfferingClosedAlready")
        .withArgs(closedAt);
      expect(await f.token.totalSupply()).to.equal(550_000_003n);
      expect(await f.stablecoin.balanceOf(f.r.issuer.address)).to.equal(issuerBalance);
    });

    it("test_close_undersubscribed_anyoneCloses_acceptsEverything", async function () {
      const f = await loadFixture(openFixture);
      const a = 300_000_002n;
      const b = 250_000_001n;
      await f.offering.connect(f.alice).requestDeposit(a, f.alice.address, f.alice.address);
      await f.offering.connect(f.bob).requestDeposit(b, f.bob.address, f.bob.address);
      await time.increaseTo(f.terms.offeringClosesAt);
      const total = a + b;
      const reserveFunding = (total * RESERVE_BPS) / BPS;
      const proceeds = total - reserveFunding;
      expect(reserveFunding).to.equal(13_750_000n); // 13 750 000.075 rounded down
      const dealAddress = await f.deal.getAddress();
      const tx = f.offering.connect(f.outsider).close();
      await expect(tx)
        .to.emit(f.offering, "OfferingClosed")
        .withArgs(total, total, proceeds, reserveFunding, false);
      await expect(tx).to.emit(f.token, "Issued").withArgs(f.offeringAddress, total);
      await expect(tx)
        .to.emit(f.token, "Transfer")
        .withArgs(ethers.ZeroAddress, f.offeringAddress, total);
      await expect(tx)
        .to.emit(f.deal, "OfferingSettled")
        .withArgs(0n, total, reserveFunding, reserveFunding);
      await expect(tx).not.to.emit(f.deal, "StatusChanged");
      // The proceeds stay in the offering, credited to the issuer; only the reserve funding leaves.
      await expect(tx).to.changeTokenBalances(
        ethers,
        f.stablecoin,
        [f.offeringAddress, f.r.issuer.address, dealAddress],
        [-reserveFunding, 0n, reserveFunding],
      );
      expect(await f.offering.proceedsOwed()).to.equal(proceeds);
      const withdrawal = f.offering.connect(f.r.issuer).withdrawProceeds();
      await expect(withdrawal)
        .to.emit(f.offering, "ProceedsWithdrawn")
        .withArgs(f.r.issuer.address, proceeds);
      await expect(withdrawal).to.changeTokenBalances(
        ethers,
        f.stablecoin,
        [f.offeringAddress, f.r.issuer.address],
        [-proceeds, proceeds],
      );
      expect(await f.offering.proceedsOwed()).to.equal(0n);
      expect(await f.offering.closed()).to.deep.equal([true, false]);
      expect(await f.offering.accepted()).to.equal(total);
      expect(await f.token.totalSupply()).to.equal(total);
      expect(await f.token.balanceOf(f.offeringAddress)).to.equal(total);
      expect(await f.deal.reserve()).to.deep.equal([reserveFunding, 100n * USDC]);
      expect((await f.deal.tranche(0n)).issued).to.equal(total);
      expect((await f.deal.tranche(0n)).outstanding).to.equal(total);
      expect(await f.offering.totalAssets()).to.equal(0n);
      // Everyone gets exactly what they asked for, nothing to refund.
      expect(await f.offering.claimableDepositRequest(0n, f.alice.address)).to.equal(a);
      expect(await f.offering.claimableDepositRequest(0n, f.bob.address)).to.equal(b);
      expect(await f.offering.refundable(f.alice.address)).to.equal(0n);
      await expect(f.offering.connect(f.alice).refund(f.alice.address, f.alice.address))
        .to.be.revertedWithCustomError(f.offering, "NothingToRefund")
        .withArgs(f.alice.address);
    });

    it("test_close_exactlyMinRaise_succeeds", async function () {
      const f = await loadFixture(openFixture);
      await f.offering.connect(f.alice).requestDeposit(MIN_RAISE, f.alice.address, f.alice.address);
      await time.increaseTo(f.terms.offeringClosesAt);
      await expect(f.offering.close())
        .to.emit(f.offering, "OfferingClosed")
        .withArgs(MIN_RAISE, MIN_RAISE, MIN_RAISE - 10n * USDC, 10n * USDC, false);
      expect(await f.offering.closed()).to.deep.equal([true, false]);
    });

    it("test_close_exactlyFull", async function () {
      const f = await loadFixture(openFixture);
      await f.offering
        .connect(f.alice)
        .requestDeposit(600n * USDC, f.alice.address, f.alice.address);
      await f.offering.connect(f.bob).requestDeposit(400n * USDC, f.bob.address, f.bob.address);
      await time.increaseTo(f.terms.offeringClosesAt);
      const reserveFunding = (SENIOR_CAP * RESERVE_BPS) / BPS;
      await expect(f.offering.close())
        .to.emit(f.offering, "OfferingClosed")
        .withArgs(SENIOR_CAP, SENIOR_CAP, SENIOR_CAP - reserveFunding, reserveFunding, false);
      expect(await f.offering.claimableDepositRequest(0n, f.alice.address)).to.equal(600n * USDC);
      expect(await f.offering.claimableDepositRequest(0n, f.bob.address)).to.equal(400n * USDC);
      await expect(f.offering.connect(f.bob).refund(f.bob.address, f.bob.address))
        .to.be.revertedWithCustomError(f.offering, "NothingToRefund")
        .withArgs(f.bob.address);
      await f.offering.connect(f.alice)["deposit(uint256,address)"](600n * USDC, f.alice.address);
      await f.offering.connect(f.bob)["mint(uint256,address)"](400n * USDC, f.bob.address);
      expect(await f.token.balanceOf(f.offeringAddress)).to.equal(0n);
      // Only the issuer's proceeds are left, until it withdraws them.
      expect(await f.stablecoin.balanceOf(f.offeringAddress)).to.equal(SENIOR_CAP - reserveFunding);
      expect(await f.offering.totalAssets()).to.equal(0n);
      await f.offering.connect(f.r.issuer).withdrawProceeds();
      expect(await f.stablecoin.balanceOf(f.offeringAddress)).to.equal(0n);
    });

    it("test_close_oversubscribed_event", async function () {
      const f = await loadFixture(openFixture);
      await f.offering.connect(f.alice).requestDeposit(OVER[0], f.alice.address, f.alice.address);
      await f.offering.connect(f.bob).requestDeposit(OVER[1], f.bob.address, f.bob.address);
      await f.offering.connect(f.carol).requestDeposit(OVER[2], f.carol.address, f.carol.address);
      await time.increaseTo(f.terms.offeringClosesAt);
      const reserveFunding = (SENIOR_CAP * RESERVE_BPS) / BPS;
      const tx = f.offering.close();
      await expect(tx)
        .to.emit(f.offering, "OfferingClosed")
        .withArgs(OVER_TOTAL, SENIOR_CAP, SENIOR_CAP - reserveFunding, reserveFunding, false);
      await expect(tx).to.changeTokenBalances(
        ethers,
        f.stablecoin,
        [f.offeringAddress, f.r.issuer.address, await f.deal.getAddress()],
        [-reserveFunding, 0n, reserveFunding],
      );
      expect(await f.offering.proceedsOwed()).to.equal(SENIOR_CAP - reserveFunding);
      // The vault's assets are the refundable requests; the issuer's proceeds are not among them.
      expect(await f.offering.totalAssets()).to.equal(OVER_TOTAL - SENIOR_CAP);
      expect(await f.token.totalSupply()).to.equal(SENIOR_CAP);
    });

    for (const order of permutations([0, 1, 2])) {
      it(`test_close_oversubscribed_proRataExact_order_${order.join("")}`, async function () {
        const f = await loadFixture(oversubscribedFixture);
        const investors = [f.alice, f.bob, f.carol];
        const expected = expectedAllocations(OVER, order, SENIOR_CAP);
        const allocations: bigint[] = [0n, 0n, 0n];
        const refunds: bigint[] = [0n, 0n, 0n];
        for (const [step, i] of order.entries()) {
          const inv = investors[i];
          // Alternate the first touch (which fixes the allocation) between a claim and a refund.
          if (step % 2 === 0) {
            const claimable = await f.offering.claimableDepositRequest(0n, inv.address);
            const [shares] = await Promise.all([
              f.offering
                .connect(inv)
                ["deposit(uint256,address)"].staticCall(claimable, inv.address),
            ]);
            expect(shares).to.equal(claimable);
            await f.offering.connect(inv)["deposit(uint256,address)"](claimable, inv.address);
            refunds[i] = await f.offering.connect(inv).refund.staticCall(inv.address, inv.address);
            await f.offering.connect(inv).refund(inv.address, inv.address);
          } else {
            refunds[i] = await f.offering.connect(inv).refund.staticCall(inv.address, inv.address);
            await f.offering.connect(inv).refund(inv.address, inv.address);
            const claimable = await f.offering.claimableDepositRequest(0n, inv.address);
            await f.offering.connect(inv)["mint(uint256,address)"](claimable, inv.address);
          }
          allocations[i] = await f.token.balanceOf(inv.address);
          expect(await f.offering.claimableDepositRequest(0n, inv.address)).to.equal(0n);
        }
        expect(allocations).to.deep.equal(expected);
        expect(allocations.reduce((a, b) => a + b, 0n)).to.equal(SENIOR_CAP);
        for (let i = 0; i < 3; i++) {
          expect(allocations[i] <= OVER[i]).to.equal(true);
          // |allocation − request·cap/total| < 1  ⇔  |allocation·total − request·cap| < total
          const diff = allocations[i] * OVER_TOTAL - OVER[i] * SENIOR_CAP;
          expect((diff < 0n ? -diff : diff) < OVER_TOTAL).to.equal(true);
          expect(refunds[i]).to.equal(OVER[i] - allocations[i]);
          expect(await f.stablecoin.balanceOf(investors[i].address)).to.equal(
            10_000n * USDC - allocations[i],
          );
        }
        expect(refunds.reduce((a, b) => a + b, 0n)).to.equal(OVER_TOTAL - SENIOR_CAP);
        // What is left is the issuer's proceeds, credited at close.
        expect(await f.stablecoin.balanceOf(f.offeringAddress)).to.equal(
          await f.offering.proceedsOwed(),
        );
        expect(await f.token.balanceOf(f.offeringAddress)).to.equal(0n);
        expect(await f.offering.totalAssets()).to.equal(0n);
      });
    }

    it("test_close_failedMinRaise_refundsEverything", async function () {
      const f = await loadFixture(openFixture);
      await f.offering
        .connect(f.alice)
        .requestDeposit(150n * USDC, f.alice.address, f.alice.address);
      await f.offering.connect(f.bob).requestDeposit(100n * USDC, f.bob.address, f.bob.address);
      await f.offering
        .connect(f.bob)
        .requestDeposit(MIN_RAISE - 250n * USDC - 1n, f.bob.address, f.bob.address);
      const requested = MIN_RAISE - 1n;
      await time.increaseTo(f.terms.offeringClosesAt);
      const issuerBefore = await f.stablecoin.balanceOf(f.r.issuer.address);
      const tx = f.offering.close();
      await expect(tx).to.emit(f.offering, "OfferingClosed").withArgs(requested, 0n, 0n, 0n, true);
      await expect(tx).to.emit(f.deal, "OfferingSettled").withArgs(0n, 0n, 0n, 0n);
      await expect(tx).not.to.emit(f.token, "Issued");
      expect(await f.offering.closed()).to.deep.equal([true, true]);
      expect(await f.offering.accepted()).to.equal(0n);
      expect(await f.token.totalSupply()).to.equal(0n);
      expect(await f.stablecoin.balanceOf(f.r.issuer.address)).to.equal(issuerBefore);
      expect(await f.deal.reserve()).to.deep.equal([0n, 100n * USDC]);
      expect(await f.offering.claimableDepositRequest(0n, f.alice.address)).to.equal(0n);
      expect(await f.offering.maxDeposit(f.alice.address)).to.equal(0n);
      expect(await f.offering.refundable(f.alice.address)).to.equal(150n * USDC);
      expect(await f.offering.refundable(f.bob.address)).to.equal(requested - 150n * USDC);
      await expect(f.offering.connect(f.alice)["deposit(uint256,address)"](1n, f.alice.address))
        .to.be.revertedWithCustomError(f.offering, "ExceedsClaimable")
        .withArgs(1n, 0n);
      await expect(f.offering.connect(f.alice).refund(f.alice.address, f.alice.address))
        .to.emit(f.offering, "Refunded")
        .withArgs(f.alice.address, f.alice.address, 150n * USDC);
      await expect(f.offering.connect(f.bob).refund(f.bob.address, f.bob.address))
        .to.emit(f.offering, "Refunded")
        .withArgs(f.bob.address, f.bob.address, requested - 150n * USDC);
      expect(await f.stablecoin.balanceOf(f.alice.address)).to.equal(10_000n * USDC);
      expect(await f.stablecoin.balanceOf(f.bob.address)).to.equal(10_000n * USDC);
      expect(await f.stablecoin.balanceOf(f.offeringAddress)).to.equal(0n);
      expect(await f.token.totalSupply()).to.equal(0n);
    });

    it("test_close_noRequestsAtAll_failsCleanly", async function () {
      const f = await loadFixture(openFixture);
      await time.increaseTo(f.terms.offeringClosesAt);
      await expect(f.offering.close())
        .to.emit(f.offering, "OfferingClosed")
        .withArgs(0n, 0n, 0n, 0n, true);
      expect(await f.token.totalSupply()).to.equal(0n);
      await expect(f.offering.connect(f.alice).refund(f.alice.address, f.alice.address))
        .to.be.revertedWithCustomError(f.offering, "NothingToRefund")
        .withArgs(f.alice.address);
    });

    it("test_close_dealActiveOnlyWhenAllOfferingsClosed", async function () {
      const f = await loadFixture(openFixture);
      const equityOffering = f.h.offerings[1];
      await f.offering
        .connect(f.alice)
        .requestDeposit(500n * USDC, f.alice.address, f.alice.address);
      await f.stablecoin.connect(f.bob).approve(await equityOffering.getAddress(), MAX_UINT256);
      await equityOffering.connect(f.bob).requestDeposit(500n * USDC, f.bob.address, f.bob.address);
      await time.increaseTo(f.terms.offeringClosesAt);
      expect(await f.deal.status()).to.equal(DealStatus.Offering);
      await expect(f.offering.close()).not.to.emit(f.deal, "StatusChanged");
      expect(await f.deal.status()).to.equal(DealStatus.Offering);
      await expect(equityOffering.close())
        .to.emit(f.deal, "StatusChanged")
        .withArgs(DealStatus.Offering, DealStatus.Active);
      expect(await f.deal.status()).to.equal(DealStatus.Active);
      // Equity funds no reserve: the deal's reserve is the senior's 2.5 %.
      expect(await f.deal.reserve()).to.deep.equal([
        (500n * USDC * RESERVE_BPS) / BPS,
        100n * USDC,
      ]);
      expect(await f.stablecoin.balanceOf(await f.deal.getAddress())).to.equal(
        (500n * USDC * RESERVE_BPS) / BPS,
      );
    });
  });

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
