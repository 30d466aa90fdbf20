/**
 * Shared ERC-20 behaviour (as OpenZeppelin's `shouldBehaveLikeERC20`): every token that claims to be an ERC-20 with
 * ERC-6093 errors, and, where it has one, an EIP-2612 permit with its EIP-5267 domain, must pass these tests.
 *
 * Call {shouldBehaveLikeERC20} (and {shouldBehaveLikeERC20Permit}) inside a `describe`, with the calling file's network
 * connection and a fixture. A token that restricts transfers on purpose (the tranche token's transfer rules) gets a
 * fixture whose accounts are eligible, so the generic behaviour applies; what the token restricts is tested in its own
 * files.
 */
import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { NetworkHelpers } from "@nomicfoundation/hardhat-network-helpers/types";
import { expect } from "chai";
import type { ContractRunner, Interface, Signature, TypedDataDomain } from "ethers";

import type { TypedContractMethod } from "../../types/ethers-contracts/common.js";
import type { ITrancheToken, ReferenceERC20 } from "../../types/ethers-contracts/index.js";

/** The ERC-20 surface the behaviour uses (an OpenZeppelin ERC20 and the tranche token both have it). */
export interface ERC20Like extends Pick<
  ReferenceERC20,
  | "name"
  | "totalSupply"
  | "balanceOf"
  | "allowance"
  | "approve"
  | "transfer"
  | "transferFrom"
  | "getAddress"
> {
  readonly interface: Interface;
  connect(runner: ContractRunner | null): ERC20Like;
}

/** An ERC-20 with an EIP-2612 permit and an EIP-5267 `eip712Domain()`. */
export interface ERC20PermitLike
  extends ERC20Like, Pick<ITrancheToken, "permit" | "nonces" | "DOMAIN_SEPARATOR"> {
  eip712Domain: TypedContractMethod<
    [],
    [[string, string, string, bigint, string, string, bigint[]]],
    "view"
  >;
  connect(runner: ContractRunner | null): ERC20PermitLike;
}

/** The calling file's network connection. */
export interface BehaviourContext {
  ethers: HardhatEthers;
  networkHelpers: NetworkHelpers;
}

export interface ERC20Fixture<T extends ERC20Like = ERC20Like> {
  token: T;
  /** Holds at least 1 000 units. */
  holder: HardhatEthersSigner;
  /** Holds nothing. */
  other: HardhatEthersSigner;
  /** Holds nothing. */
  third: HardhatEthersSigner;
  /** Gives `to` `amount` more tokens: a mint, or a transfer from an account that is not `other` or `third`. */
  fund(to: string, amount: bigint): Promise<void>;
  /**
   * What `transferFrom(address(0), to, 0)` reverts with. OpenZeppelin's ERC20 spends the (zero) allowance first and
   * writes it back through `_approve`, so the zero owner fails as an approver; a token that skips the write for a
   * zero spend reaches the sender check.
   */
  zeroSenderError: "ERC20InvalidApprover" | "ERC20InvalidSender";
}

export interface ERC20PermitFixture extends ERC20Fixture<ERC20PermitLike> {
  /** The EIP-712 domain's name and version; the chain id and the token's address complete it. */
  domain: { name: string; version: string };
}

const PERMIT_TYPES = {
  Permit: [
    { name: "owner", type: "address" },
    { name: "spender", type: "address" },
    { name: "value", type: "uint256" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
};

/** Registers the ERC-20 tests (transfers, allowances and their ERC-6093 errors) on `fixture`'s token. */
export function shouldBehaveLikeERC20(
  { ethers, networkHelpers }: BehaviourContext,
  fixture: () => Promise<ERC20Fixture>,
): void {
  const { loadFixture } = networkHelpers;
  const ZERO = ethers.ZeroAddress;

  /** The fixture, and the holder's balance (at least 1 000). */
  async function load() {
    const f = await loadFixture(fixture);
    const balance = await f.token.balanceOf(f.holder.address);
    expect(balance, "the fixture's holder holds at least 1 000 units").to.be.at.least(1_000n);
    return { ...f, balance };
  }

  describe("behaves like an ERC-20 token (ERC-6093 errors)", function () {
    it("test_transfer_movesTheAmount_returnsTrue_emitsTransfer", async function () {
      const { token, holder, other } = await load();
      const supply = await token.totalSupply();
      expect(await token.connect(holder).transfer.staticCall(other.address, 123n)).to.equal(true);
      const tx = token.connect(holder).transfer(other.address, 123n);
      await expect(tx).to.emit(token, "Transfer").withArgs(holder.address, other.address, 123n);
      await expect(tx).to.changeTokenBalances(ethers, token, [holder, other], [-123n, 123n]);
      expect(await token.totalSupply()).to.equal(supply);
    });

    it("test_transfer_zeroAmount_succeedsEmitsAndMovesNothing", async function () {
      const { token, holder, other } = await load();
      let tx = token.connect(holder).transfer(other.address, 0n);
      await expect(tx).to.emit(token, "Transfer").withArgs(holder.address, other.address, 0n);
      await expect(tx).to.changeTokenBalances(ethers, token, [holder, other], [0n, 0n]);
      // From an account that holds nothing.
      tx = token.connect(other).transfer(holder.address, 0n);
      await expect(tx).to.emit(token, "Transfer").withArgs(other.address, holder.address, 0n);
      await expect(tx).to.changeTokenBalances(ethers, token, [holder, other], [0n, 0n]);
    });

    it("test_transfer_toSelf_keepsTheBalance", async function () {
      const { token, holder, balance } = await load();
      await expect(token.connect(holder).transfer(holder.address, balance))
        .to.emit(token, "Transfer")
        .withArgs(holder.address, holder.address, balance);
      expect(await token.balanceOf(holder.address)).to.equal(balance);
      // A self-transfer is still bounded by the balance.
      await expect(token.connect(holder).transfer(holder.address, balance + 1n))
        .to.be.revertedWithCustomError(token, "ERC20InsufficientBalance")
        .withArgs(holder.address, balance, balance + 1n);
    });

    it("test_transfer_revertsERC20InvalidReceiver_toTheZeroAddress", async function () {
      const { token, holder, balance } = await load();
      await expect(token.connect(holder).transfer(ZERO, 1n))
        .to.be.revertedWithCustomError(token, "ERC20InvalidReceiver")
        .withArgs(ZERO);
      expect(await token.balanceOf(holder.address)).to.equal(balance);
    });

    it("test_transfer_revertsERC20InsufficientBalance", async function () {
      const { token, holder, other, balance } = await load();
      await expect(token.connect(holder).transfer(other.address, balance + 1n))
        .to.be.revertedWithCustomError(token, "ERC20InsufficientBalance")
        .withArgs(holder.address, balance, balance + 1n);
      await expect(token.connect(other).transfer(holder.address, 1n))
        .to.be.revertedWithCustomError(token, "ERC20InsufficientBalance")
        .withArgs(other.address, 0n, 1n);
      expect(await token.balanceOf(holder.address)).to.equal(balance);
      expect(await token.balanceOf(other.address)).to.equal(0n);
    });

    it("test_approve_setsTheAllowance_returnsTrue_emitsApproval", async function () {
      const { token, holder, other } = await load();
      expect(await token.connect(holder).approve.staticCall(other.address, 100n)).to.equal(true);
      const tx = token.connect(holder).approve(other.address, 100n);
      await expect(tx).to.emit(token, "Approval").withArgs(holder.address, other.address, 100n);
      await expect(tx).to.changeTokenBalances(ethers, token, [holder, other], [0n, 0n]);
      expect(await token.allowance(holder.address, other.address)).to.equal(100n);
    });

    it("test_approve_overwritesThePreviousAllowance", async function () {
      const { token, holder, other, third } = await load();
      await token.connect(holder).approve(other.address, 100n);
      // Neither added nor subtracted: the new value replaces the old one.
      await expect(token.connect(holder).approve(other.address, 5n))
        .to.emit(token, "Approval")
        .withArgs(holder.address, other.address, 5n);
      expect(await token.allowance(holder.address, other.address)).to.equal(5n);
      await token.connect(holder).approve(other.address, 0n);
      expect(await token.allowance(holder.address, other.address)).to.equal(0n);
      // Per spender.
      await token.connect(holder).approve(third.address, 7n);
      expect(await token.allowance(holder.address, other.address)).to.equal(0n);
      expect(await token.allowance(holder.address, third.address)).to.equal(7n);
    });

    it("test_approve_revertsERC20InvalidSpender_forTheZeroAddress", async function () {
      const { token, holder } = await load();
      await expect(token.connect(holder).approve(ZERO, 1n))
        .to.be.revertedWithCustomError(token, "ERC20InvalidSpender")
        .withArgs(ZERO);
    });

    it("test_transferFrom_spendsAFiniteAllowance", async function () {
      const { token, holder, other, third } = await load();
      await token.connect(holder).approve(other.address, 1_000n);
      expect(
        await token.connect(other).transferFrom.staticCall(holder.address, third.address, 400n),
      ).to.equal(true);
      const tx = token.connect(other).transferFrom(holder.address, third.address, 400n);
      await expect(tx).to.emit(token, "Transfer").withArgs(holder.address, third.address, 400n);
      await expect(tx).to.changeTokenBalances(
        ethers,
        token,
        [holder, third, other],
        [-400n, 400n, 0n],
      );
      expect(await token.allowance(holder.address, other.address)).to.equal(600n);
      await token.connect(other).transferFrom(holder.address, third.address, 600n);
      expect(await token.allowance(holder.address, other.address)).to.equal(0n);
    });

    it("test_transferFrom_zeroAmount_succeedsEmitsAndMovesNothing", async function () {
      const { token, holder, other, third } = await load();
      // Without any allowance: a zero spend fits in a zero allowance.
      let tx = token.connect(other).transferFrom(holder.address, third.address, 0n);
      await expect(tx).to.emit(token, "Transfer").withArgs(holder.address, third.address, 0n);
      await expect(tx).to.changeTokenBalances(ethers, token, [holder, third, other], [0n, 0n, 0n]);
      expect(await token.allowance(holder.address, other.address)).to.equal(0n);
      // With one: left as it was.
      await token.connect(holder).approve(other.address, 7n);
      tx = token.connect(other).transferFrom(holder.address, third.address, 0n);
      await expect(tx).to.emit(token, "Transfer").withArgs(holder.address, third.address, 0n);
      await expect(tx).to.changeTokenBalances(ethers, token, [holder, third, other], [0n, 0n, 0n]);
      expect(await token.allowance(holder.address, other.address)).to.equal(7n);
    });

    it("test_transferFrom_infiniteAllowanceIsNotDecreased", async function () {
      const { token, holder, other, third, balance } = await load();
      await token.connect(holder).approve(other.address, ethers.MaxUint256);
      await token.connect(other).transferFrom(holder.address, third.address, 1_000n);
      expect(await token.allowance(holder.address, other.address)).to.equal(ethers.MaxUint256);
      await token.connect(other).transferFrom(holder.address, third.address, balance - 1_000n);
      expect(await token.allowance(holder.address, other.address)).to.equal(ethers.MaxUint256);
      expect(await token.balanceOf(third.address)).to.equal(balance);
      expect(await token.balanceOf(holder.address)).to.equal(0n);
    });

    it("test_transferFrom_toSelf_spendsTheAllowanceKeepsTheBalance", async function () {
      const { token, holder, other, balance } = await load();
      await token.connect(holder).approve(other.address, 500n);
      await expect(token.connect(other).transferFrom(holder.address, holder.address, 300n))
        .to.emit(token, "Transfer")
        .withArgs(holder.address, holder.address, 300n);
      expect(await token.balanceOf(holder.address)).to.equal(balance);
      expect(await token.allowance(holder.address, other.address)).to.equal(200n);
    });

    it("test_transferFrom_revertsERC20InsufficientAllowance", async function () {
      const { token, holder, other, third, balance } = await load();
      await expect(token.connect(other).transferFrom(holder.address, third.address, 1n))
        .to.be.revertedWithCustomError(token, "ERC20InsufficientAllowance")
        .withArgs(other.address, 0n, 1n);
      await token.connect(holder).approve(other.address, 99n);
      await expect(token.connect(other).transferFrom(holder.address, third.address, 100n))
        .to.be.revertedWithCustomError(token, "ERC20InsufficientAllowance")
        .withArgs(other.address, 99n, 100n);
      expect(await token.allowance(holder.address, other.address)).to.equal(99n);
      expect(await token.balanceOf(holder.address)).to.equal(balance);
      expect(await token.balanceOf(third.address)).to.equal(0n);
    });

    it("test_transferFrom_revertsERC20InsufficientBalance_allowanceKept", async function () {
      const { token, holder, other, third, fund } = await load();
      await fund(other.address, 10n);
      await token.connect(other).approve(third.address, 100n);
      await expect(token.connect(third).transferFrom(other.address, holder.address, 11n))
        .to.be.revertedWithCustomError(token, "ERC20InsufficientBalance")
        .withArgs(other.address, 10n, 11n);
      expect(await token.allowance(other.address, third.address)).to.equal(100n);
      expect(await token.balanceOf(other.address)).to.equal(10n);
    });

    it("test_transferFrom_revertsERC20InvalidReceiver_allowanceKept", async function () {
      const { token, holder, other, balance } = await load();
      await token.connect(holder).approve(other.address, 10n);
      await expect(token.connect(other).transferFrom(holder.address, ZERO, 1n))
        .to.be.revertedWithCustomError(token, "ERC20InvalidReceiver")
        .withArgs(ZERO);
      expect(await token.allowance(holder.address, other.address)).to.equal(10n);
      expect(await token.balanceOf(holder.address)).to.equal(balance);
    });

    it("test_transferFrom_fromTheZeroAddress_reverts", async function () {
      const { token, other, zeroSenderError } = await load();
      // The zero address has approved nobody: any amount above zero fails on the allowance.
      await expect(token.connect(other).transferFrom(ZERO, other.address, 1n))
        .to.be.revertedWithCustomError(token, "ERC20InsufficientAllowance")
        .withArgs(other.address, 0n, 1n);
      // A zero amount gets past it, to the approver or the sender check (see `zeroSenderError`).
      await expect(token.connect(other).transferFrom(ZERO, other.address, 0n))
        .to.be.revertedWithCustomError(token, zeroSenderError)
        .withArgs(ZERO);
    });
  });
}

/** Registers the EIP-2612 permit tests, and those of its EIP-5267 domain, on `fixture`'s token. */
export function shouldBehaveLikeERC20Permit(
  { ethers, networkHelpers }: BehaviourContext,
  fixture: () => Promise<ERC20PermitFixture>,
): void {
  const { loadFixture, time } = networkHelpers;
  const ZERO = ethers.ZeroAddress;

  async function domainOf(f: ERC20PermitFixture): Promise<TypedDataDomain> {
    return {
      name: f.domain.name,
      version: f.domain.version,
      chainId: (await ethers.provider.getNetwork()).chainId,
      verifyingContract: await f.token.getAddress(),
    };
  }

  interface PermitMessage {
    owner: string;
    spender: string;
    value: bigint;
    nonce: bigint;
    deadline: bigint;
  }

  /** The message of a permit from `owner` with its current nonce (unless given). */
  async function message(
    f: ERC20PermitFixture,
    owner: string,
    spender: string,
    value: bigint,
    deadline: bigint,
    nonce?: bigint,
  ): Promise<PermitMessage> {
    return { owner, spender, value, nonce: nonce ?? (await f.token.nonces(owner)), deadline };
  }

  /** `signer`'s signature of `msg` over the fixture's domain. */
  async function sign(
    f: ERC20PermitFixture,
    signer: HardhatEthersSigner,
    msg: PermitMessage,
  ): Promise<Signature> {
    return ethers.Signature.from(await signer.signTypedData(await domainOf(f), PERMIT_TYPES, msg));
  }

  /** Who `sig` recovers to for `msg`: what the token reports as the signer of a permit it refuses. */
  async function recovered(f: ERC20PermitFixture, msg: PermitMessage, sig: Signature) {
    return ethers.recoverAddress(
      ethers.TypedDataEncoder.hash(await domainOf(f), PERMIT_TYPES, msg),
      sig,
    );
  }

  async function deadlineIn(seconds: bigint): Promise<bigint> {
    return BigInt(await time.latest()) + seconds;
  }

  describe("behaves like an EIP-2612 permit with an EIP-5267 domain", function () {
    it("test_permit_validSignature_setsTheAllowanceAndBumpsTheNonce", async function () {
      const f = await loadFixture(fixture);
      const { token, holder, other, third } = f;
      const deadline = await deadlineIn(3_600n);
      const msg = await message(f, holder.address, other.address, 777n, deadline);
      const sig = await sign(f, holder, msg);
      expect(await token.nonces(holder.address)).to.equal(0n);
      // Anyone may send it (here the third account).
      await expect(
        token
          .connect(third)
          .permit(holder.address, other.address, 777n, deadline, sig.v, sig.r, sig.s),
      )
        .to.emit(token, "Approval")
        .withArgs(holder.address, other.address, 777n);
      expect(await token.allowance(holder.address, other.address)).to.equal(777n);
      expect(await token.nonces(holder.address)).to.equal(1n);
      // The next permit signs nonce 1 and overwrites the allowance; the spender can use it.
      const msg2 = await message(f, holder.address, other.address, 5n, deadline);
      expect(msg2.nonce).to.equal(1n);
      const sig2 = await sign(f, holder, msg2);
      await token.permit(holder.address, other.address, 5n, deadline, sig2.v, sig2.r, sig2.s);
      expect(await token.allowance(holder.address, other.address)).to.equal(5n);
      expect(await token.nonces(holder.address)).to.equal(2n);
      await expect(
        token.connect(other).transferFrom(holder.address, third.address, 5n),
      ).to.changeTokenBalances(ethers, token, [holder, third], [-5n, 5n]);
      expect(await token.allowance(holder.address, other.address)).to.equal(0n);
    });

    it("test_permit_deadlineIsInclusive", async function () {
      const f = await loadFixture(fixture);
      const { token, holder, other } = f;
      const deadline = await deadlineIn(100n);
      const sig = await sign(
        f,
        holder,
        await message(f, holder.address, other.address, 1n, deadline),
      );
      await time.setNextBlockTimestamp(deadline);
      await token.permit(holder.address, other.address, 1n, deadline, sig.v, sig.r, sig.s);
      expect(await token.allowance(holder.address, other.address)).to.equal(1n);
    });

    it("test_permit_revertsERC2612ExpiredSignature", async function () {
      const f = await loadFixture(fixture);
      const { token, holder, other } = f;
      const deadline = await deadlineIn(100n);
      const sig = await sign(
        f,
        holder,
        await message(f, holder.address, other.address, 1n, deadline),
      );
      await time.setNextBlockTimestamp(deadline + 1n);
      await expect(token.permit(holder.address, other.address, 1n, deadline, sig.v, sig.r, sig.s))
        .to.be.revertedWithCustomError(token, "ERC2612ExpiredSignature")
        .withArgs(deadline);
      expect(await token.nonces(holder.address)).to.equal(0n);
      expect(await token.allowance(holder.address, other.address)).to.equal(0n);
    });

    it("test_permit_revertsERC2612InvalidSigner_forAnotherSigner", async function () {
      const f = await loadFixture(fixture);
      const { token, holder, other, third } = f;
      const deadline = await deadlineIn(3_600n);
      // The holder's permit, signed by the third account.
      const sig = await sign(
        f,
        third,
        await message(f, holder.address, other.address, 1n, deadline),
      );
      await expect(token.permit(holder.address, other.address, 1n, deadline, sig.v, sig.r, sig.s))
        .to.be.revertedWithCustomError(token, "ERC2612InvalidSigner")
        .withArgs(third.address, holder.address);
      expect(await token.nonces(holder.address)).to.equal(0n);
      expect(await token.allowance(holder.address, other.address)).to.equal(0n);
    });

    it("test_permit_replayedSignature_revertsERC2612InvalidSigner", async function () {
      const f = await loadFixture(fixture);
      const { token, holder, other } = f;
      const deadline = await deadlineIn(3_600n);
      const msg = await message(f, holder.address, other.address, 9n, deadline);
      const sig = await sign(f, holder, msg);
      await token.permit(holder.address, other.address, 9n, deadline, sig.v, sig.r, sig.s);
      await token.connect(holder).approve(other.address, 0n);
      // Replayed, it is checked against nonce 1 and recovers to an unrelated address.
      const replayed = await recovered(f, { ...msg, nonce: 1n }, sig);
      expect(replayed).to.not.equal(holder.address);
      await expect(token.permit(holder.address, other.address, 9n, deadline, sig.v, sig.r, sig.s))
        .to.be.revertedWithCustomError(token, "ERC2612InvalidSigner")
        .withArgs(replayed, holder.address);
      expect(await token.allowance(holder.address, other.address)).to.equal(0n);
      expect(await token.nonces(holder.address)).to.equal(1n);
    });

    it("test_permit_revertsERC20InvalidSpender_forTheZeroAddress", async function () {
      const f = await loadFixture(fixture);
      const { token, holder } = f;
      const deadline = await deadlineIn(3_600n);
      const sig = await sign(f, holder, await message(f, holder.address, ZERO, 1n, deadline));
      await expect(token.permit(holder.address, ZERO, 1n, deadline, sig.v, sig.r, sig.s))
        .to.be.revertedWithCustomError(token, "ERC20InvalidSpender")
        .withArgs(ZERO);
      expect(await token.nonces(holder.address)).to.equal(0n);
    });

    it("test_permit_zeroOwner_failsTheSignerCheckBeforeTheApproverCheck", async function () {
      // ERC20InvalidApprover is unreachable through a permit: ECDSA recovery never yields the zero address.
      const f = await loadFixture(fixture);
      const { token, other, third } = f;
      const deadline = await deadlineIn(3_600n);
      const msg = await message(f, ZERO, other.address, 1n, deadline, 0n);
      const sig = await sign(f, third, msg);
      await expect(token.permit(ZERO, other.address, 1n, deadline, sig.v, sig.r, sig.s))
        .to.be.revertedWithCustomError(token, "ERC2612InvalidSigner")
        .withArgs(await recovered(f, msg, sig), ZERO);
    });

    it("test_DOMAIN_SEPARATOR_isTheEip712HashOfTheDomain", async function () {
      const f = await loadFixture(fixture);
      expect(await f.token.DOMAIN_SEPARATOR()).to.equal(
        ethers.TypedDataEncoder.hashDomain(await domainOf(f)),
      );
    });

    it("test_eip712Domain_describesTheDomainAPermitIsSignedOver", async function () {
      const f = await loadFixture(fixture);
      const { token, holder, other } = f;
      const [fields, name, version, chainId, verifyingContract, salt, extensions] =
        await token.eip712Domain();
      // 0x0f: name, version, chainId and verifyingContract; no salt, no extensions.
      expect(fields).to.equal("0x0f");
      expect([name, version]).to.deep.equal([f.domain.name, f.domain.version]);
      expect(chainId).to.equal((await ethers.provider.getNetwork()).chainId);
      expect(verifyingContract).to.equal(await token.getAddress());
      expect(salt).to.equal(ethers.ZeroHash);
      expect(extensions).to.deep.equal([]);
      // A wallet that knows only eip712Domain() signs a permit the token accepts.
      const domain: TypedDataDomain = { name, version, chainId, verifyingContract };
      expect(ethers.TypedDataEncoder.hashDomain(domain)).to.equal(await token.DOMAIN_SEPARATOR());
      const deadline = await deadlineIn(3_600n);
      const msg = await message(f, holder.address, other.address, 42n, deadline);
      const sig = ethers.Signature.from(await holder.signTypedData(domain, PERMIT_TYPES, msg));
      await expect(token.permit(holder.address, other.address, 42n, deadline, sig.v, sig.r, sig.s))
        .to.emit(token, "Approval")
        .withArgs(holder.address, other.address, 42n);
      expect(await token.allowance(holder.address, other.address)).to.equal(42n);
      expect(await token.nonces(holder.address)).to.equal(1n);
    });
  });
}
