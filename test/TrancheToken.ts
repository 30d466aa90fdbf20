import { expect } from "chai";
import { network } from "hardhat";

import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";

import type { ITrancheToken } from "../types/ethers-contracts/index.js";
import {
  activateDeal,
  createDeal,
  deployProtocol,
  equity,
  fixedNote,
  PrincipalType,
  roles,
  standardTermSheet,
  subscribe,
  USDC,
  WAD,
} from "./helpers/fixtures.js";
import {
  CashModel,
  distributedEvents,
  MAX_UINT96,
  MAX_UINT256,
  preparePeriod,
  runPeriod,
  signPermit,
} from "./helpers/token-helpers.js";

const { ethers, networkHelpers } = await network.create();
const { time, loadFixture } = networkHelpers;

const SENIOR_FACE = 6_000_000n * USDC;

// ------------------------------------------------------------------ fixtures

/** The standard deal created, offerings not yet open. */
async function createdFixture() {
  const protocol = await deployProtocol(ethers);
  const r = await roles(ethers);
  const signers = await ethers.getSigners();
  const terms = await standardTermSheet(networkHelpers, protocol, r);
  const h = await createDeal(ethers, protocol, terms);
  return {
    protocol,
    r,
    h,
    terms,
    deal: h.deal,
    tokens: h.tokens,
    senior: h.tokens[0],
    stablecoin: protocol.stablecoin,
    holder: r.investors[0],
    extra: [signers[16], signers[17], signers[18], signers[19], ...r.investors.slice(4)],
    outsider: signers[17],
  };
}

/** The standard deal, fully subscribed and claimed (investor i holds all of tranche i), active at its start. */
async function activeFixture() {
  const f = await createdFixture();
  await activateDeal(networkHelpers, f.protocol, f.r, f.h);
  return f;
}

/**
 * Senior subscribed by investor 0 (4 M, claimed at close) and investor 4 (2 M, left in the offering); the other
 * tranches fully subscribed and claimed. Two periods distributed before investor 4 claims.
 */
async function lateClaimFixture() {
  const f = await createdFixture();
  const late = f.r.investors[4];
  await time.increaseTo(f.terms.offeringOpensAt);
  await subscribe(f.protocol, f.h.offerings[0], f.holder, 4_000_000n * USDC);
  await subscribe(f.protocol, f.h.offerings[0], late, 2_000_000n * USDC);
  for (let i = 1; i < 4; i++) {
    await subscribe(f.protocol, f.h.offerings[i], f.r.investors[i], f.terms.tranches[i].faceAmount);
  }
  await time.increaseTo(f.terms.offeringClosesAt);
  for (const o of f.h.offerings) await o.close();
  await f.h.offerings[0]
    .connect(f.holder)
    ["deposit(uint256,address)"](4_000_000n * USDC, f.holder.address);
  for (let i = 1; i < 4; i++) {
    const inv = f.r.investors[i];
    await f.h.offerings[i]
      .connect(inv)
      ["deposit(uint256,address)"](f.terms.tranches[i].faceAmount, inv.address);
  }
  const indexes: bigint[] = [];
  for (const p of [0n, 1n]) {
    const receipt = await runPeriod(ethers, networkHelpers, f.protocol, f.r, f.deal, p);
    indexes.push(distributedEvents(receipt, f.senior)[0].index);
  }
  return { ...f, late, offering: f.h.offerings[0], indexes };
}

/** Period 0 ready to distribute, the senior tranche held by one holder. */
async function gasOneHolderFixture() {
  const f = await activeFixture();
  await preparePeriod(ethers, networkHelpers, f.protocol, f.r, f.deal, 0n);
  return f;
}

const MANY = 1_000;
/** Same as {gasOneHolderFixture} but the senior tranche is spread over 1 000 holders. */
async function gasManyHoldersFixture() {
  const f = await activeFixture();
  const senior = f.senior.connect(f.holder);
  // Automine mines each transfer as it is sent; only the number of holders matters, not the receipts.
  for (let i = 0; i < MANY - 1; i++) {
    await senior.transfer(ethers.Wallet.createRandom().address, 1_000n + BigInt(i));
  }
  await preparePeriod(ethers, networkHelpers, f.protocol, f.r, f.deal, 0n);
  return f;
}

const E18 = 10n ** 18n;
/** A deal on an 18-decimals stablecoin, activated. */
async function decimals18Fixture() {
  const protocol = await deployProtocol(ethers, 18);
  const r = await roles(ethers);
  const base = await standardTermSheet(networkHelpers, protocol, r);
  const units = (t: ReturnType<typeof fixedNote>) => ({ ...t, minRaise: E18, minTicket: E18 });
  const terms = {
    ...base,
    trusteeFeePerPeriod: 2_000n * E18,
    reserveTarget: 150_000n * E18,
    keeperBounty: 50n * E18,
    // The revenue bound is in stablecoin units per GPU-hour: 10 whole units at 18 decimals.
    oracle: { ...base.oracle, maxPricePerGpuHour: 10n * E18 },
    tranches: [
      units(
        fixedNote("Senior 18", 6_000_000n * E18, (8n * WAD) / 100n, {
          scheduleType: PrincipalType.StraightLine,
          amortStartPeriod: 3,
          amortPeriods: 9,
        }),
      ),
      units(fixedNote("Junior 18", 1_000_000n * E18, (14n * WAD) / 100n)),
      units(equity("Equity 18", 1_000_000n * E18)),
    ],
  };
  const h = await createDeal(ethers, protocol, terms);
  await activateDeal(networkHelpers, protocol, r, h);
  return { protocol, r, h, terms };
}

async function impersonate(address: string): Promise<HardhatEthersSigner> {
  await networkHelpers.impersonateAccount(address);
  await networkHelpers.setBalance(address, 10n ** 20n);
  return ethers.getSigner(address);
}

async function sumClaimable(token: ITrancheToken, accounts: string[]): Promise<bigint> {
  let sum = 0n;
  for (const a of accounts) sum += await token.claimable(a);
  return sum;
}

// ------------------------------------------------------------------ tests

describe("TrancheToken", function () {
  describe("metadata", function () {
    it("test_metadata_fromTermSheet", async function () {
      const f = await loadFixture(activeFixture);
      const names = ["Senior", "Mezzanine", "Junior", "Equity"];
      for (let i = 0; i < 4; i++) {
        const t = f.tokens[i];
        expect(await t.name()).to.equal(names[i]);
        expect(await t.symbol()).to.equal(f.terms.tranches[i].symbol);
        expect(await t.decimals()).to.equal(6n);
        expect(await t.totalSupply()).to.equal(f.terms.tranches[i].faceAmount);
        expect(await t.trancheIndex()).to.equal(BigInt(i));
        expect(await t.deal()).to.equal(await f.deal.getAddress());
        expect(await t.offering()).to.equal(await f.h.offerings[i].getAddress());
        expect(await t.stablecoin()).to.equal(await f.stablecoin.getAddress());
        expect(await t.paused()).to.equal(false);
        expect(await t.cashIndex()).to.equal(0n);
      }
      expect(await f.senior.symbol()).to.equal("SENIOR");
      expect(await f.senior.balanceOf(f.holder.address)).to.equal(SENIOR_FACE);
    });

    it("test_decimals_18DecimalsStablecoin", async function () {
      const f = await loadFixture(decimals18Fixture);
      const [senior, junior, eq] = f.h.tokens;
      for (const t of f.h.tokens) expect(await t.decimals()).to.equal(18n);
      expect(await senior.name()).to.equal("Senior 18");
      expect(await senior.symbol()).to.equal("SENIOR 1");
      expect(await eq.name()).to.equal("Equity 18");
      expect(await senior.totalSupply()).to.equal(6_000_000n * E18);
      expect(await junior.balanceOf(f.r.investors[1].address)).to.equal(1_000_000n * E18);
      // One period's coupon is exact to the wei at 18 decimals too.
      const receipt = await runPeriod(
        ethers,
        networkHelpers,
        f.protocol,
        f.r,
        f.h.deal,
        0n,
        2_000_000n * E18,
      );
      const [ev] = distributedEvents(receipt, senior);
      const interest =
        (6_000_000n * E18 * ((8n * WAD) / 100n) * (30n * 86_400n)) / (WAD * 365n * 86_400n);
      expect(ev.amount).to.equal(interest);
      expect(ev.index).to.equal((interest * WAD) / (6_000_000n * E18));
      const holder = f.r.investors[0];
      const expected = (6_000_000n * E18 * ev.index) / WAD;
      expect(await senior.claimable(holder.address)).to.equal(expected);
      await expect(senior.connect(holder).claimTo(holder.address))
        .to.emit(senior, "Claimed")
        .withArgs(holder.address, holder.address, expected);
      expect(await f.protocol.stablecoin.balanceOf(await senior.getAddress())).to.equal(
        interest - expected,
      );
    });

    it("test_params_areFixedInTheCloneCode", async function () {
      const f = await loadFixture(createdFixture);
      expect(
        ethers.Interface.from(f.senior.interface.fragments).getFunction("initialize"),
      ).to.equal(null);
      const p = await f.senior.params();
      expect(p.deal).to.equal(await f.deal.getAddress());
      expect(p.stablecoin).to.equal(await f.protocol.stablecoin.getAddress());
      expect(p.trancheIndex).to.equal(0n);
      expect(p.decimals).to.equal(6n);
      const code = await ethers.provider.getCode(await f.senior.getAddress());
      // Nine packed words (TrancheTokenArgs): deal | index | decimals, stablecoin | rules, registry | minHolding,
      // name, symbol, blocked-countries bitmap.
      const word = (v: bigint) => v.toString(16).padStart(64, "0");
      const r = p.rules;
      const args =
        "0x" +
        word(BigInt(p.deal) | (p.trancheIndex << 160n) | (p.decimals << 168n)) +
        word(
          BigInt(p.stablecoin) |
            (r.allowedClasses << 160n) |
            (r.minHoldingPeriod << 176n) |
            (r.maxHolders << 208n),
        ) +
        word(BigInt(p.registry) | (r.minHolding << 160n)) +
        p.name.slice(2) +
        p.symbol.slice(2) +
        r.blockedCountries.map(word).join("");
      expect(code.endsWith(args.slice(2))).to.equal(true);
    });
  });

  describe("extension", function () {
    it("test_extension_servesEveryOtherFunction_throughTheToken", async function () {
      const f = await loadFixture(activeFixture);
      const implementation = await f.protocol.factory.tokenImplementation();
      const extension = await f.senior.extension();
      expect(extension).to.not.equal(ethers.ZeroAddress);
      expect(await ethers.provider.getCode(extension)).to.not.equal("0x");
      // One extension for every tranche: the implementation's, shared through the clones.
      for (const t of f.tokens) expect(await t.extension()).to.equal(extension);
      const token = await ethers.getContractAt("TrancheToken", implementation);
      // The token's own code runs the transfer path only; the views below are the extension's, answered for the
      // token's storage and clone arguments.
      const own: string[] = [];
      token.interface.forEachFunction((fn) => own.push(fn.name));
      expect(own).to.not.include("holders");
      expect(own).to.include("transfer");
      expect((await f.senior.params()).deal).to.equal(await f.deal.getAddress());
      expect(await f.senior.claimable(f.holder.address)).to.equal(0n);
    });

    it("test_extension_revertsNotDelegated_whenCalledDirectly", async function () {
      const f = await loadFixture(activeFixture);
      const extension = await ethers.getContractAt(
        "TrancheTokenExtension",
        await f.senior.extension(),
      );
      await expect(extension.connect(f.holder).claimTo(f.holder.address))
        .to.be.revertedWithCustomError(extension, "NotDelegated")
        .withArgs();
      await expect(extension.connect(f.holder).setPaused(true))
        .to.be.revertedWithCustomError(extension, "NotDelegated")
        .withArgs();
    });

    it("test_fallback_refusesEther_andUnknownSelectors", async function () {
      const f = await loadFixture(activeFixture);
      const to = await f.senior.getAddress();
      await expect(f.holder.sendTransaction({ to, value: 1n })).to.be.revertedWithoutReason(ethers);
      await expect(
        f.holder.sendTransaction({ to, data: "0xdeadbeef" }),
      ).to.be.revertedWithoutReason(ethers);
      expect(await ethers.provider.getBalance(to)).to.equal(0n);
    });
  });

  describe("ERC-20", function () {
    it("test_transfer_movesBalanceAndEmits", async function () {
      const f = await loadFixture(activeFixture);
      const [a] = f.extra;
      expect(await f.senior.connect(f.holder).transfer.staticCall(a.address, 123n)).to.equal(true);
      const tx = f.senior.connect(f.holder).transfer(a.address, 123n);
      await expect(tx).to.emit(f.senior, "Transfer").withArgs(f.holder.address, a.address, 123n);
      await expect(tx).to.changeTokenBalances(ethers, f.senior, [f.holder, a], [-123n, 123n]);
      expect(await f.senior.totalSupply()).to.equal(SENIOR_FACE);
    });

    it("test_transfer_zeroValueAndSelf", async function () {
      const f = await loadFixture(activeFixture);
      const [a] = f.extra;
      await expect(f.senior.connect(a).transfer(f.holder.address, 0n))
        .to.emit(f.senior, "Transfer")
        .withArgs(a.address, f.holder.address, 0n);
      await expect(f.senior.connect(f.holder).transfer(f.holder.address, 1_000n))
        .to.emit(f.senior, "Transfer")
        .withArgs(f.holder.address, f.holder.address, 1_000n);
      expect(await f.senior.balanceOf(f.holder.address)).to.equal(SENIOR_FACE);
      expect(await f.senior.balanceOf(a.address)).to.equal(0n);
    });

    it("test_transfer_revertsERC20InsufficientBalance", async function () {
      const f = await loadFixture(activeFixture);
      const [a] = f.extra;
      await expect(f.senior.connect(f.holder).transfer(a.address, SENIOR_FACE + 1n))
        .to.be.revertedWithCustomError(f.senior, "ERC20InsufficientBalance")
        .withArgs(f.holder.address, SENIOR_FACE, SENIOR_FACE + 1n);
      await expect(f.senior.connect(a).transfer(f.holder.address, 1n))
        .to.be.revertedWithCustomError(f.senior, "ERC20InsufficientBalance")
        .withArgs(a.address, 0n, 1n);
      expect(await f.senior.balanceOf(f.holder.address)).to.equal(SENIOR_FACE);
    });

    it("test_transfer_revertsERC20InvalidReceiver", async function () {
      const f = await loadFixture(activeFixture);
      await expect(f.senior.connect(f.holder).transfer(ethers.ZeroAddress, 1n))
        .to.be.revertedWithCustomError(f.senior, "ERC20InvalidReceiver")
        .withArgs(ethers.ZeroAddress);
      expect(await f.senior.balanceOf(f.holder.address)).to.equal(SENIOR_FACE);
    });

    it("test_approve_setsAllowanceAndEmits", async function () {
      const f = await loadFixture(activeFixture);
      const [spender] = f.extra;
      expect(await f.senior.connect(f.holder).approve.staticCall(spender.address, 5n)).to.equal(
        true,
      );
      await expect(f.senior.connect(f.holder).approve(spender.address, 5n))
        .to.emit(f.senior, "Approval")
        .withArgs(f.holder.address, spender.address, 5n);
      expect(await f.senior.allowance(f.holder.address, spender.address)).to.equal(5n);
      await f.senior.connect(f.holder).approve(spender.address, 0n);
      expect(await f.senior.allowance(f.holder.address, spender.address)).to.equal(0n);
    });

    it("test_approve_revertsERC20InvalidSpender", async function () {
      const f = await loadFixture(activeFixture);
      await expect(f.senior.connect(f.holder).approve(ethers.ZeroAddress, 1n))
        .to.be.revertedWithCustomError(f.senior, "ERC20InvalidSpender")
        .withArgs(ethers.ZeroAddress);
    });

    it("test_transferFrom_finiteAllowanceDecreases", async function () {
      const f = await loadFixture(activeFixture);
      const [spender, to] = f.extra;
      await f.senior.connect(f.holder).approve(spender.address, 1_000n);
      expect(
        await f.senior.connect(spender).transferFrom.staticCall(f.holder.address, to.address, 400n),
      ).to.equal(true);
      const tx = f.senior.connect(spender).transferFrom(f.holder.address, to.address, 400n);
      await expect(tx).to.emit(f.senior, "Transfer").withArgs(f.holder.address, to.address, 400n);
      await expect(tx).to.changeTokenBalances(
        ethers,
        f.senior,
        [f.holder, to, spender],
        [-400n, 400n, 0n],
      );
      expect(await f.senior.allowance(f.holder.address, spender.address)).to.equal(600n);
      await f.senior.connect(spender).transferFrom(f.holder.address, to.address, 600n);
      expect(await f.senior.allowance(f.holder.address, spender.address)).to.equal(0n);
    });

    it("test_transferFrom_maxAllowanceStays", async function () {
      const f = await loadFixture(activeFixture);
      const [spender, to] = f.extra;
      await f.senior.connect(f.holder).approve(spender.address, MAX_UINT256);
      await f.senior.connect(spender).transferFrom(f.holder.address, to.address, 1_000_000n);
      expect(await f.senior.allowance(f.holder.address, spender.address)).to.equal(MAX_UINT256);
      expect(await f.senior.balanceOf(to.address)).to.equal(1_000_000n);
    });

    it("test_transferFrom_revertsERC20InsufficientAllowance", async function () {
      const f = await loadFixture(activeFixture);
      const [spender, to] = f.extra;
      await expect(f.senior.connect(spender).transferFrom(f.holder.address, to.address, 1n))
        .to.be.revertedWithCustomError(f.senior, "ERC20InsufficientAllowance")
        .withArgs(spender.address, 0n, 1n);
      await f.senior.connect(f.holder).approve(spender.address, 99n);
      await expect(f.senior.connect(spender).transferFrom(f.holder.address, to.address, 100n))
        .to.be.revertedWithCustomError(f.senior, "ERC20InsufficientAllowance")
        .withArgs(spender.address, 99n, 100n);
      expect(await f.senior.allowance(f.holder.address, spender.address)).to.equal(99n);
      expect(await f.senior.balanceOf(to.address)).to.equal(0n);
    });

    it("test_transferFrom_revertsERC20InsufficientBalance_allowanceKept", async function () {
      const f = await loadFixture(activeFixture);
      const [spender, poor, to] = f.extra;
      await f.senior.connect(f.holder).transfer(poor.address, 10n);
      await f.senior.connect(poor).approve(spender.address, 100n);
      await expect(f.senior.connect(spender).transferFrom(poor.address, to.address, 11n))
        .to.be.revertedWithCustomError(f.senior, "ERC20InsufficientBalance")
        .withArgs(poor.address, 10n, 11n);
      expect(await f.senior.allowance(poor.address, spender.address)).to.equal(100n);
    });

    it("test_transferFrom_revertsERC20InvalidSenderAndReceiver", async function () {
      const f = await loadFixture(activeFixture);
      const [spender] = f.extra;
      // The zero address has no allowance, so only a zero-value transferFrom reaches the sender check.
      await expect(f.senior.connect(spender).transferFrom(ethers.ZeroAddress, spender.address, 0n))
        .to.be.revertedWithCustomError(f.senior, "ERC20InvalidSender")
        .withArgs(ethers.ZeroAddress);
      await expect(f.senior.connect(spender).transferFrom(ethers.ZeroAddress, spender.address, 1n))
        .to.be.revertedWithCustomError(f.senior, "ERC20InsufficientAllowance")
        .withArgs(spender.address, 0n, 1n);
      await f.senior.connect(f.holder).approve(spender.address, 10n);
      await expect(f.senior.connect(spender).transferFrom(f.holder.address, ethers.ZeroAddress, 1n))
        .to.be.revertedWithCustomError(f.senior, "ERC20InvalidReceiver")
        .withArgs(ethers.ZeroAddress);
      expect(await f.senior.allowance(f.holder.address, spender.address)).to.equal(10n);
    });
  });

  describe("EIP-2612 permit", function () {
    it("test_DOMAIN_SEPARATOR_matchesEip712", async function () {
      const f = await loadFixture(activeFixture);
      const { chainId } = await ethers.provider.getNetwork();
      for (const t of f.tokens) {
        const expected = ethers.TypedDataEncoder.hashDomain({
          name: await t.name(),
          version: "1",
          chainId,
          verifyingContract: await t.getAddress(),
        });
        expect(await t.DOMAIN_SEPARATOR()).to.equal(expected);
      }
      // Clones have distinct domains.
      expect(await f.tokens[0].DOMAIN_SEPARATOR()).to.not.equal(
        await f.tokens[1].DOMAIN_SEPARATOR(),
      );
    });

    it("test_permit_validSignature", async function () {
      const f = await loadFixture(activeFixture);
      const [spender, relayer] = f.extra;
      const deadline = BigInt(await time.latest()) + 3_600n;
      const sig = await signPermit(ethers, f.senior, f.holder, spender.address, 777n, deadline);
      expect(await f.senior.nonces(f.holder.address)).to.equal(0n);
      await expect(
        f.senior
          .connect(relayer)
          .permit(f.holder.address, spender.address, 777n, deadline, sig.v, sig.r, sig.s),
      )
        .to.emit(f.senior, "Approval")
        .withArgs(f.holder.address, spender.address, 777n);
      expect(await f.senior.allowance(f.holder.address, spender.address)).to.equal(777n);
      expect(await f.senior.nonces(f.holder.address)).to.equal(1n);
      // The next permit uses nonce 1 and overwrites the allowance.
      const sig2 = await signPermit(ethers, f.senior, f.holder, spender.address, 5n, deadline);
      await f.senior.permit(
        f.holder.address,
        spender.address,
        5n,
        deadline,
        sig2.v,
        sig2.r,
        sig2.s,
      );
      expect(await f.senior.allowance(f.holder.address, spender.address)).to.equal(5n);
      expect(await f.senior.nonces(f.holder.address)).to.equal(2n);
      await f.senior.connect(spender).transferFrom(f.holder.address, spender.address, 5n);
      expect(await f.senior.balanceOf(spender.address)).to.equal(5n);
    });

    it("test_permit_deadlineIsInclusive", async function () {
      const f = await loadFixture(activeFixture);
      const [spender] = f.extra;
      const deadline = BigInt(await time.latest()) + 100n;
      const sig = await signPermit(ethers, f.senior, f.holder, spender.address, 1n, deadline);
      await time.setNextBlockTimestamp(deadline);
      await f.senior.permit(f.holder.address, spender.address, 1n, deadline, sig.v, sig.r, sig.s);
      expect(await f.senior.allowance(f.holder.address, spender.address)).to.equal(1n);
    });

    it("test_permit_revertsERC2612ExpiredSignature", async function () {
      const f = await loadFixture(activeFixture);
      const [spender] = f.extra;
      const deadline = BigInt(await time.latest()) + 100n;
      const sig = await signPermit(ethers, f.senior, f.holder, spender.address, 1n, deadline);
      await time.setNextBlockTimestamp(deadline + 1n);
      await expect(
        f.senior.permit(f.holder.address, spender.address, 1n, deadline, sig.v, sig.r, sig.s),
      )
        .to.be.revertedWithCustomError(f.senior, "ERC2612ExpiredSignature")
        .withArgs(deadline);
      expect(await f.senior.nonces(f.holder.address)).to.equal(0n);
      expect(await f.senior.allowance(f.holder.address, spender.address)).to.equal(0n);
    });

    it("test_permit_revertsERC2612InvalidSigner", async function () {
      const f = await loadFixture(activeFixture);
      const [spender, impostor] = f.extra;
      const deadline = BigInt(await time.latest()) + 3_600n;
      const sig = await signPermit(ethers, f.senior, f.holder, spender.address, 1n, deadline, {
        signer: impostor,
      });
      await expect(
        f.senior.permit(f.holder.address, spender.address, 1n, deadline, sig.v, sig.r, sig.s),
      )
        .to.be.revertedWithCustomError(f.senior, "ERC2612InvalidSigner")
        .withArgs(impostor.address, f.holder.address);
      // Wrong domain name: the signature recovers to some other address.
      const wrongName = await signPermit(
        ethers,
        f.senior,
        f.holder,
        spender.address,
        1n,
        deadline,
        { name: "Junior" },
      );
      const { chainId } = await ethers.provider.getNetwork();
      const types = {
        Permit: [
          { name: "owner", type: "address" },
          { name: "spender", type: "address" },
          { name: "value", type: "uint256" },
          { name: "nonce", type: "uint256" },
          { name: "deadline", type: "uint256" },
        ],
      };
      const domain = {
        name: "Senior",
        version: "1",
        chainId,
        verifyingContract: await f.senior.getAddress(),
      };
      const message = {
        owner: f.holder.address,
        spender: spender.address,
        value: 1n,
        nonce: 0n,
        deadline,
      };
      const recovered = ethers.recoverAddress(
        ethers.TypedDataEncoder.hash(domain, types, message),
        wrongName,
      );
      await expect(
        f.senior.permit(
          f.holder.address,
          spender.address,
          1n,
          deadline,
          wrongName.v,
          wrongName.r,
          wrongName.s,
        ),
      )
        .to.be.revertedWithCustomError(f.senior, "ERC2612InvalidSigner")
        .withArgs(recovered, f.holder.address);
      expect(await f.senior.nonces(f.holder.address)).to.equal(0n);
      expect(await f.senior.allowance(f.holder.address, spender.address)).to.equal(0n);
    });

    it("test_permit_replayReverts", async function () {
      const f = await loadFixture(activeFixture);
      const [spender] = f.extra;
      const deadline = BigInt(await time.latest()) + 3_600n;
      const sig = await signPermit(ethers, f.senior, f.holder, spender.address, 9n, deadline);
      await f.senior.permit(f.holder.address, spender.address, 9n, deadline, sig.v, sig.r, sig.s);
      await f.senior.connect(f.holder).approve(spender.address, 0n);
      // Replayed with nonce 1, the same signature recovers to an unrelated address.
      const { chainId } = await ethers.provider.getNetwork();
      const digest = ethers.TypedDataEncoder.hash(
        { name: "Senior", version: "1", chainId, verifyingContract: await f.senior.getAddress() },
        {
          Permit: [
            { name: "owner", type: "address" },
            { name: "spender", type: "address" },
            { name: "value", type: "uint256" },
            { name: "nonce", type: "uint256" },
            { name: "deadline", type: "uint256" },
          ],
        },
        { owner: f.holder.address, spender: spender.address, value: 9n, nonce: 1n, deadline },
      );
      await expect(
        f.senior.permit(f.holder.address, spender.address, 9n, deadline, sig.v, sig.r, sig.s),
      )
        .to.be.revertedWithCustomError(f.senior, "ERC2612InvalidSigner")
        .withArgs(ethers.recoverAddress(digest, sig), f.holder.address);
      expect(await f.senior.allowance(f.holder.address, spender.address)).to.equal(0n);
      expect(await f.senior.nonces(f.holder.address)).to.equal(1n);
    });

    it("test_permit_revertsERC20InvalidSpender", async function () {
      const f = await loadFixture(activeFixture);
      const deadline = BigInt(await time.latest()) + 3_600n;
      const sig = await signPermit(ethers, f.senior, f.holder, ethers.ZeroAddress, 1n, deadline);
      await expect(
        f.senior.permit(f.holder.address, ethers.ZeroAddress, 1n, deadline, sig.v, sig.r, sig.s),
      )
        .to.be.revertedWithCustomError(f.senior, "ERC20InvalidSpender")
        .withArgs(ethers.ZeroAddress);
      expect(await f.senior.nonces(f.holder.address)).to.equal(0n);
    });

    it("test_permit_zeroOwnerCannotReachApproverCheck", async function () {
      // ERC20InvalidApprover is unreachable: approve uses msg.sender, and a permit for owner 0 fails the signer
      // check first (ECDSA.recover never returns the zero address).
      const f = await loadFixture(activeFixture);
      const [spender, signer] = f.extra;
      const deadline = BigInt(await time.latest()) + 3_600n;
      const sig = await signPermit(ethers, f.senior, signer, spender.address, 1n, deadline);
      const { chainId } = await ethers.provider.getNetwork();
      const digest = ethers.TypedDataEncoder.hash(
        { name: "Senior", version: "1", chainId, verifyingContract: await f.senior.getAddress() },
        {
          Permit: [
            { name: "owner", type: "address" },
            { name: "spender", type: "address" },
            { name: "value", type: "uint256" },
            { name: "nonce", type: "uint256" },
            { name: "deadline", type: "uint256" },
          ],
        },
        { owner: ethers.ZeroAddress, spender: spender.address, value: 1n, nonce: 0n, deadline },
      );
      await expect(
        f.senior.permit(ethers.ZeroAddress, spender.address, 1n, deadline, sig.v, sig.r, sig.s),
      )
        .to.be.revertedWithCustomError(f.senior, "ERC2612InvalidSigner")
        .withArgs(ethers.recoverAddress(digest, sig), ethers.ZeroAddress);
    });
  });

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

    it("test_distribute_revertsNotDeal", async function () {
      const f = await loadFixture(activeFixture);
      await expect(f.senior.connect(f.outsider).distribute(1n))
        .to.be.revertedWithCustomError(f.senior, "NotDeal")
        .withArgs(f.outsider.address);
      const offering = await impersonate(await f.h.offerings[0].getAddress());
      await expect(f.senior.connect(offering).distribute(1n))
        .to.be.revertedWithCustomError(f.senior, "NotDeal")
        .withArgs(offering.address);
      expect(await f.senior.cashIndex()).to.equal(0n);
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

  describe("pause", function () {
    it("test_pause_blocksTransfersAndClaims", async function () {
      const f = await loadFixture(activeFixture);
      const [spender, to] = f.extra;
      await runPeriod(ethers, networkHelpers, f.protocol, f.r, f.deal, 0n);
      await f.senior.connect(f.holder).approve(spender.address, 100n);
      const claimable = await f.senior.claimable(f.holder.address);
      await expect(f.deal.connect(f.r.guardian).pause())
        .to.emit(f.senior, "PauseSet")
        .withArgs(true);
      expect(await f.senior.paused()).to.equal(true);
      await expect(
        f.senior.connect(f.holder).transfer(to.address, 1n),
      ).to.be.revertedWithCustomError(f.senior, "TokenPaused");
      await expect(
        f.senior.connect(spender).transferFrom(f.holder.address, to.address, 1n),
      ).to.be.revertedWithCustomError(f.senior, "TokenPaused");
      await expect(
        f.senior.connect(f.holder).claimTo(f.holder.address),
      ).to.be.revertedWithCustomError(f.senior, "TokenPaused");
      expect(await f.senior.allowance(f.holder.address, spender.address)).to.equal(100n);
      expect(await f.senior.claimable(f.holder.address)).to.equal(claimable);
      expect(await f.senior.balanceOf(to.address)).to.equal(0n);
      // Approvals are not paused.
      await f.senior.connect(f.holder).approve(spender.address, 200n);
      await expect(f.deal.connect(f.r.guardian).unpause())
        .to.emit(f.senior, "PauseSet")
        .withArgs(false);
      await f.senior.connect(spender).transferFrom(f.holder.address, to.address, 1n);
      await f.senior.connect(f.holder).claimTo(f.holder.address);
      expect(await f.senior.claimable(f.holder.address)).to.equal(0n);
    });
  });

  describe("claim", function () {
    it("test_claim_paysAccruedCash", async function () {
      const f = await loadFixture(activeFixture);
      const [receiver] = f.extra;
      const receipt = await runPeriod(ethers, networkHelpers, f.protocol, f.r, f.deal, 0n);
      const [ev] = distributedEvents(receipt, f.senior);
      const expected = (SENIOR_FACE * ev.index) / WAD;
      expect(await f.senior.claimable(f.holder.address)).to.equal(expected);
      expect(await f.senior.connect(f.holder).claimTo.staticCall(receiver.address)).to.equal(
        expected,
      );
      const tx = f.senior.connect(f.holder).claimTo(receiver.address);
      await expect(tx)
        .to.emit(f.senior, "Claimed")
        .withArgs(f.holder.address, receiver.address, expected);
      await expect(tx).to.changeTokenBalances(
        ethers,
        f.stablecoin,
        [receiver, f.holder, f.senior],
        [expected, 0n, -expected],
      );
      expect(await f.senior.claimable(f.holder.address)).to.equal(0n);
      await expect(
        f.senior.connect(f.holder).claimTo(f.holder.address),
      ).to.be.revertedWithCustomError(f.senior, "NothingToClaim");
    });

    it("test_claim_toSelf_paysAccruedThenPendingCash", async function () {
      const f = await loadFixture(activeFixture);
      const [buyer] = f.extra;
      await runPeriod(ethers, networkHelpers, f.protocol, f.r, f.deal, 0n);
      // A transfer settles period 0's cash into the holder's accrued slot (and flags it).
      const accrued = await f.senior.claimable(f.holder.address);
      await f.senior.connect(f.holder).transfer(buyer.address, SENIOR_FACE / 4n);
      expect(await f.senior.claimable(f.holder.address)).to.equal(accrued);
      await runPeriod(ethers, networkHelpers, f.protocol, f.r, f.deal, 1n);
      const first = await f.senior.claimable(f.holder.address);
      expect(first > accrued).to.equal(true);
      await expect(f.senior.connect(f.holder).claim())
        .to.emit(f.senior, "Claimed")
        .withArgs(f.holder.address, f.holder.address, first);
      await expect(f.senior.connect(f.holder).claim()).to.be.revertedWithCustomError(
        f.senior,
        "NothingToClaim",
      );
      // The next claim has only cash pending since the checkpoint: the accrued slot was emptied.
      await runPeriod(ethers, networkHelpers, f.protocol, f.r, f.deal, 2n);
      const second = await f.senior.claimable(f.holder.address);
      expect(second > 0n).to.equal(true);
      await expect(f.senior.connect(f.holder).claim()).to.changeTokenBalances(
        ethers,
        f.stablecoin,
        [f.holder, f.senior],
        [second, -second],
      );
      expect(await f.senior.claimable(f.holder.address)).to.equal(0n);
      // The buyer accrued from its checkpoint at the transfer: periods 1 and 2 only.
      const bought = await f.senior.claimable(buyer.address);
      await expect(f.senior.connect(buyer).claim())
        .to.emit(f.senior, "Claimed")
        .withArgs(buyer.address, buyer.address, bought);
    });

    it("test_claim_revertsNothingToClaim_beforeAnyDistribution", async function () {
      const f = await loadFixture(activeFixture);
      await expect(
        f.senior.connect(f.holder).claimTo(f.holder.address),
      ).to.be.revertedWithCustomError(f.senior, "NothingToClaim");
      await expect(
        f.senior.connect(f.outsider).claimTo(f.outsider.address),
      ).to.be.revertedWithCustomError(f.senior, "NothingToClaim");
    });

    it("test_claim_revertsERC20InvalidReceiver", async function () {
      const f = await loadFixture(activeFixture);
      await runPeriod(ethers, networkHelpers, f.protocol, f.r, f.deal, 0n);
      const claimable = await f.senior.claimable(f.holder.address);
      await expect(f.senior.connect(f.holder).claimTo(ethers.ZeroAddress))
        .to.be.revertedWithCustomError(f.senior, "ERC20InvalidReceiver")
        .withArgs(ethers.ZeroAddress);
      expect(await f.senior.claimable(f.holder.address)).to.equal(claimable);
    });
  });

  describe("factor", function () {
    it("test_factor_fallsWithPrincipal", async function () {
      const f = await loadFixture(activeFixture);
      for (let i = 0; i < 4; i++) {
        expect(await f.tokens[i].factor()).to.equal(WAD);
        expect(await f.tokens[i].factor()).to.equal(await f.deal.factor(BigInt(i)));
      }
      // Periods 0–2: senior interest only (amortization starts at period 3).
      for (const p of [0n, 1n, 2n]) {
        await runPeriod(ethers, networkHelpers, f.protocol, f.r, f.deal, p);
        expect(await f.senior.factor()).to.equal(WAD);
      }
      const receipt = await runPeriod(ethers, networkHelpers, f.protocol, f.r, f.deal, 3n);
      const installment = SENIOR_FACE / 9n; // ⌊face·1/9⌋
      const outstanding = SENIOR_FACE - installment;
      const [ev] = distributedEvents(receipt, f.senior);
      const interest =
        (SENIOR_FACE * ((8n * WAD) / 100n) * (30n * 86_400n)) / (WAD * 365n * 86_400n);
      expect(ev.amount).to.equal(interest + installment);
      expect((await f.deal.tranche(0n)).outstanding).to.equal(outstanding);
      expect(await f.senior.factor()).to.equal((outstanding * WAD) / SENIOR_FACE);
      expect(await f.senior.factor()).to.equal(await f.deal.factor(0n));
      expect((await f.senior.factor()) < WAD).to.equal(true);
      // Period 4: two installments paid.
      await runPeriod(ethers, networkHelpers, f.protocol, f.r, f.deal, 4n);
      const outstanding2 = SENIOR_FACE - (SENIOR_FACE * 2n) / 9n;
      expect(await f.senior.factor()).to.equal((outstanding2 * WAD) / SENIOR_FACE);
      expect(await f.senior.factor()).to.equal(await f.deal.factor(0n));
      // Bullet notes and equity keep a factor of one.
      for (let i = 1; i < 4; i++) {
        expect(await f.tokens[i].factor()).to.equal(WAD);
        expect(await f.tokens[i].factor()).to.equal(await f.deal.factor(BigInt(i)));
      }
    });

    it("test_factor_zeroBeforeIssue", async function () {
      const f = await loadFixture(createdFixture);
      expect(await f.senior.factor()).to.equal(0n);
      expect(await f.senior.factor()).to.equal(await f.deal.factor(0n));
    });
  });

  describe("coupon accounting", function () {
    /**
     * Several holders trade the senior tranche between periods 0–3 (period 3 also repays principal). Each
     * holder's claimable is checked to the wei against a model that settles floor(balance × Δindex / 1e18) at
     * every balance change or claim, with the index values read from the Distributed events.
     */
    it("test_claimable_exactAcrossTransfersAndPeriods", async function () {
      const f = await loadFixture(activeFixture);
      const s = f.senior;
      const inv0 = f.holder;
      const [A, B, C, D, E] = f.extra;
      const all = [inv0, A, B, C, D, E].map((x) => x.address);
      const model = new CashModel();
      model.mint(inv0.address, SENIOR_FACE);
      const indexes: bigint[] = [];
      const amounts: bigint[] = [];
      let claimedTotal = 0n;
      const dClaims: bigint[] = [];
      // Balance each account held during each period (between distributions).
      const during: Record<string, bigint>[] = [];

      const transfer = async (
        from: HardhatEthersSigner,
        to: HardhatEthersSigner,
        amount: bigint,
      ) => {
        await s.connect(from).transfer(to.address, amount);
        model.transfer(from.address, to.address, amount);
      };
      const distribute = async (p: bigint) => {
        during.push(Object.fromEntries(all.map((a) => [a, model.balance(a)])));
        const receipt = await runPeriod(ethers, networkHelpers, f.protocol, f.r, f.deal, p);
        const evs = distributedEvents(receipt, s);
        expect(evs.length).to.equal(1);
        indexes.push(evs[0].index);
        amounts.push(evs[0].amount);
        model.setIndex(evs[0].index);
        expect(await s.cashIndex()).to.equal(evs[0].index);
        for (const a of all) expect(await s.claimable(a)).to.equal(model.claimable(a));
      };
      const claimD = async () => {
        const expected = model.claim(D.address);
        await expect(s.connect(D).claimTo(D.address))
          .to.emit(s, "Claimed")
          .withArgs(D.address, D.address, expected);
        dClaims.push(expected);
        claimedTotal += expected;
      };

      await transfer(inv0, A, 1_234_567_891n);
      await transfer(inv0, B, 777_777_777n);
      await transfer(inv0, C, 7n);
      await transfer(inv0, D, 2_500_000_000_003n);
      await distribute(0n);

      await transfer(A, B, 234_567_891n);
      await transfer(C, D, 3n);
      await claimD();
      await distribute(1n);

      const bAll = await s.balanceOf(B.address);
      await transfer(B, E, bAll);
      await transfer(A, inv0, 500_000_000n);
      await claimD();
      await distribute(2n);

      await transfer(inv0, C, 1_000_001n);
      await claimD();
      await distribute(3n);
      await claimD();

      const delta = indexes.map((x, i) => x - (i === 0 ? 0n : indexes[i - 1]));
      const perPeriod = (a: string) =>
        during.map((d, p) => (d[a] * delta[p]) / WAD).reduce((x, y) => x + y, 0n);

      // Every holder matches the model exactly.
      for (const a of all) expect(await s.claimable(a)).to.equal(model.claimable(a));

      // B held 777 777 777 in period 0 and 1 012 345 668 in period 1, then sold everything: it keeps exactly
      // the coupons of those two periods, and nothing of periods 2 and 3.
      const bExpected = (777_777_777n * delta[0]) / WAD + (1_012_345_668n * delta[1]) / WAD;
      expect(await s.claimable(B.address)).to.equal(bExpected);
      expect(bExpected).to.equal(perPeriod(B.address));
      expect(await s.balanceOf(B.address)).to.equal(0n);

      // D settled every period by claiming: what it received is exactly Σ floor(balance_p × Δindex_p / 1e18).
      expect(dClaims.reduce((x, y) => x + y, 0n)).to.equal(perPeriod(D.address));
      expect(dClaims[0]).to.equal((2_500_000_000_003n * delta[0]) / WAD);
      expect(await s.claimable(D.address)).to.equal(0n);

      // E bought before period 2 and held through period 3 untouched: one settlement over both periods.
      const eBal = 1_012_345_668n;
      expect(await s.claimable(E.address)).to.equal((eBal * (indexes[3] - indexes[1])) / WAD);
      const ePer = perPeriod(E.address);
      const eActual = await s.claimable(E.address);
      expect(eActual >= ePer && eActual <= ePer + 1n).to.equal(true);

      // A holder with 7 then 4 tokens.
      expect(await s.claimable(C.address)).to.equal(model.claimable(C.address));

      // Every holder's claimable is within (number of periods) wei of the per-period formula, never below it.
      for (const a of all) {
        const actual = await s.claimable(a);
        const claimedByA = a === D.address ? claimedTotal : 0n;
        const per = perPeriod(a);
        expect(actual + claimedByA >= per).to.equal(true);
        expect(actual + claimedByA - per <= BigInt(indexes.length)).to.equal(true);
      }

      // Solvency: Σ claimable ≤ the token's cash, and the dust is tiny.
      const tokenAddress = await s.getAddress();
      const cash = await f.stablecoin.balanceOf(tokenAddress);
      expect(cash).to.equal(amounts.reduce((x, y) => x + y, 0n) - claimedTotal);
      const total = await sumClaimable(s, [...all, await f.h.offerings[0].getAddress()]);
      expect(total <= cash).to.equal(true);
      const dust = cash - total;
      expect(dust < BigInt(all.length + indexes.length)).to.equal(true);

      // Everyone claims; the token keeps exactly the dust.
      const signers = [inv0, A, B, C, D, E];
      for (const w of signers) {
        const expected = model.claimable(w.address);
        if (expected === 0n) {
          await expect(s.connect(w).claimTo(w.address)).to.be.revertedWithCustomError(
            s,
            "NothingToClaim",
          );
          continue;
        }
        const tx = s.connect(w).claimTo(w.address);
        await expect(tx).to.emit(s, "Claimed").withArgs(w.address, w.address, expected);
        await expect(tx).to.changeTokenBalances(
          ethers,
          f.stablecoin,
          [w, tokenAddress],
          [expected, -expected],
        );
        model.claim(w.address);
      }
      expect(await f.stablecoin.balanceOf(tokenAddress)).to.equal(dust);
      console.log(`      dust left in the senior token after all claims: ${dust} wei`);
    });

    it("test_claimable_holderWhoSoldKeepsOnlyHeldPeriods", async function () {
      const f = await loadFixture(activeFixture);
      const s = f.senior;
      const [seller, buyer] = f.extra;
      const amount = 1_333_333_333_333n;
      await s.connect(f.holder).transfer(seller.address, amount);
      const r0 = await runPeriod(ethers, networkHelpers, f.protocol, f.r, f.deal, 0n);
      const i0 = distributedEvents(r0, s)[0].index;
      await s.connect(seller).transfer(buyer.address, amount);
      const r1 = await runPeriod(ethers, networkHelpers, f.protocol, f.r, f.deal, 1n);
      const i1 = distributedEvents(r1, s)[0].index;
      const r2 = await runPeriod(ethers, networkHelpers, f.protocol, f.r, f.deal, 2n);
      const i2 = distributedEvents(r2, s)[0].index;
      expect(await s.claimable(seller.address)).to.equal((amount * i0) / WAD);
      expect(await s.claimable(buyer.address)).to.equal((amount * (i2 - i0)) / WAD);
      expect(i1 > i0).to.equal(true);
      // Transferring back and forth does not change what either is owed.
      await s.connect(buyer).transfer(seller.address, 1n);
      await s.connect(seller).transfer(buyer.address, 1n);
      expect(await s.claimable(seller.address)).to.equal((amount * i0) / WAD);
      expect(await s.claimable(buyer.address)).to.equal((amount * (i2 - i0)) / WAD);
    });

    /**
     * Investor 4 leaves 2 M senior tokens in the offering through two distributions, then claims them in three
     * deliveries: each takes its pro-rata share of what the offering accrued, and the last takes the remainder.
     */
    it("test_deliverShares_movesAccruedCashOfLateClaims", async function () {
      const f = await loadFixture(lateClaimFixture);
      const s = f.senior;
      const offeringAddress = await f.offering.getAddress();
      const [i0, i1] = f.indexes;
      const lateShares = 2_000_000n * USDC;
      const accrued = (lateShares * i1) / WAD;
      expect(await s.claimable(offeringAddress)).to.equal(accrued);
      expect(await s.claimable(f.holder.address)).to.equal((4_000_000n * USDC * i1) / WAD);
      expect(await s.claimable(f.late.address)).to.equal(0n);
      expect(i1 > i0).to.equal(true);

      const chunks = [700_000_000_001n, 650_000_000_000n, 649_999_999_999n];
      let balance = lateShares;
      let left = accrued;
      let received = 0n;
      for (const [k, shares] of chunks.entries()) {
        const moved = k === chunks.length - 1 ? left : (left * shares) / balance;
        const tx = f.offering.connect(f.late)["deposit(uint256,address)"](shares, f.late.address);
        await expect(tx).to.emit(s, "SharesDelivered").withArgs(f.late.address, shares, moved);
        await expect(tx).to.emit(s, "Transfer").withArgs(offeringAddress, f.late.address, shares);
        balance -= shares;
        left -= moved;
        received += moved;
        expect(await s.claimable(offeringAddress)).to.equal(left);
        expect(await s.claimable(f.late.address)).to.equal(received);
      }
      expect(left).to.equal(0n);
      expect(received).to.equal(accrued);
      expect(await s.balanceOf(offeringAddress)).to.equal(0n);
      expect(await s.claimable(offeringAddress)).to.equal(0n);
      expect(await s.balanceOf(f.late.address)).to.equal(lateShares);

      // From here on the late investor accrues like anyone else.
      const r2 = await runPeriod(ethers, networkHelpers, f.protocol, f.r, f.deal, 2n);
      const i2 = distributedEvents(r2, s)[0].index;
      expect(await s.claimable(f.late.address)).to.equal(accrued + (lateShares * (i2 - i1)) / WAD);
      expect(await s.claimable(f.holder.address)).to.equal((4_000_000n * USDC * i2) / WAD);

      const tokenAddress = await s.getAddress();
      const cash = await f.stablecoin.balanceOf(tokenAddress);
      const total = await sumClaimable(s, [f.holder.address, f.late.address, offeringAddress]);
      expect(total <= cash).to.equal(true);
      expect(cash - total < 3n + 3n).to.equal(true);
      await expect(s.connect(f.late).claimTo(f.late.address))
        .to.emit(s, "Claimed")
        .withArgs(f.late.address, f.late.address, accrued + (lateShares * (i2 - i1)) / WAD);
    });

    it("test_deliverShares_toAnotherReceiverCarriesAccrued", async function () {
      const f = await loadFixture(lateClaimFixture);
      const s = f.senior;
      const [receiver] = f.extra;
      const accrued = (2_000_000n * USDC * f.indexes[1]) / WAD;
      const moved = (accrued * 500_000n * USDC) / (2_000_000n * USDC);
      await expect(
        f.offering.connect(f.late)["deposit(uint256,address)"](500_000n * USDC, receiver.address),
      )
        .to.emit(s, "SharesDelivered")
        .withArgs(receiver.address, 500_000n * USDC, moved);
      expect(await s.claimable(receiver.address)).to.equal(moved);
      expect(await s.claimable(f.late.address)).to.equal(0n);
      await expect(s.connect(receiver).claimTo(receiver.address))
        .to.emit(s, "Claimed")
        .withArgs(receiver.address, receiver.address, moved);
    });
  });

  describe("gas", function () {
    it("test_distribute_gasIndependentOfHolderCount", async function () {
      this.timeout(300_000);
      const one = await loadFixture(gasOneHolderFixture);
      const g1 = (await (await one.deal.distribute(0n)).wait())!.gasUsed;
      const one0 = await one.senior.cashIndex();

      const many = await loadFixture(gasManyHoldersFixture);
      // 999 fresh holders plus the original one.
      expect(await many.senior.balanceOf(many.holder.address)).to.equal(
        SENIOR_FACE - BigInt(MANY - 1) * 1_000n - BigInt(((MANY - 1) * (MANY - 2)) / 2),
      );
      const g1000 = (await (await many.deal.distribute(0n)).wait())!.gasUsed;
      expect(await many.senior.cashIndex()).to.equal(one0);

      console.log(`      Deal.distribute(0) gas: 1 holder = ${g1}, ${MANY} holders = ${g1000}`);
      const diff = g1000 > g1 ? g1000 - g1 : g1 - g1000;
      // |g1000 − g1| / g1 ≤ 0.5 %
      expect(diff * 1000n <= g1 * 5n).to.equal(true);
    });
  });
});
