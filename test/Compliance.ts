import { expect } from "chai";
import { network } from "hardhat";

import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";

import type { InvestorRegistry, ITrancheToken } from "../types/ethers-contracts/index.js";
import {
  activateDeal,
  createDeal,
  DAY,
  deployProtocol,
  NO_TRANSFER_RULES,
  roles,
  standardTermSheet,
  subscribe,
  USDC,
  WAD,
  type TransferRulesInput,
} from "./helpers/fixtures.js";
import { runPeriod } from "./helpers/token-helpers.js";

const { ethers, networkHelpers } = await network.create();
const { time, loadFixture } = networkHelpers;

// Restriction codes (contracts/libraries/TransferRules.sol).
const Code = {
  SUCCESS: 0,
  PAUSED: 1,
  INSUFFICIENT_BALANCE: 2,
  TOKENS_LOCKED: 3,
  SENDER_NOT_REGISTERED: 4,
  SENDER_FROZEN: 5,
  SENDER_KYC_EXPIRED: 6,
  SENDER_COUNTRY_BLOCKED: 7,
  SENDER_CLASS_NOT_ALLOWED: 8,
  RECEIVER_NOT_REGISTERED: 9,
  RECEIVER_FROZEN: 10,
  RECEIVER_KYC_EXPIRED: 11,
  RECEIVER_COUNTRY_BLOCKED: 12,
  RECEIVER_CLASS_NOT_ALLOWED: 13,
  HOLDING_PERIOD: 14,
  BELOW_MIN_HOLDING: 15,
  MAX_HOLDERS: 16,
  AMOUNT_FROZEN: 17,
} as const;

const ACCREDITED = 1;
const QUALIFIED_PURCHASER = 2;
const NON_US = 4;
const US = 840;
const GERMANY = 276;
const NORTH_KOREA = 408;
const IRAN = 364;
const HOLDING_PERIOD = 30n * DAY;
/** Bound on a transfer to a new holder relative to OpenZeppelin's (see the gas test). */
const GAS_RATIO_NEW_HOLDER = 1.4;
/**
 * Bound on what the senior's rules add to a transfer whose sender's tokens are past their holding period (see the gas
 * test): about 300 for classes, countries and the minimum holding, the rest the receiver's fresh lot (a cold read of
 * its slot, 2 100, and the lot's arithmetic).
 */
const HOLDING_PERIOD_GAS = 4_500;
const MIN_HOLDING = 1_000n * USDC;

function bitmap(countries: number[]): [bigint, bigint, bigint, bigint] {
  const words: [bigint, bigint, bigint, bigint] = [0n, 0n, 0n, 0n];
  for (const c of countries) words[c >> 8] |= 1n << BigInt(c & 0xff);
  return words;
}

/** Senior: accredited or qualified purchasers, no North Korea or Iran, 30-day holding period, 1 000 USDC minimum. */
const SENIOR_RULES: TransferRulesInput = {
  allowedClasses: ACCREDITED | QUALIFIED_PURCHASER,
  minHoldingPeriod: Number(HOLDING_PERIOD),
  maxHolders: 0,
  minHolding: MIN_HOLDING,
  blockedCountries: bitmap([NORTH_KOREA, IRAN]),
};
/** Mezzanine: at most two holding identities, nothing else. */
const MEZZ_RULES: TransferRulesInput = { ...NO_TRANSFER_RULES, maxHolders: 2 };

// ------------------------------------------------------------------ fixtures

async function dealFixture() {
  return dealFixtureWith(SENIOR_RULES);
}

/** The senior's holding period never ends in the token's 32-bit clocks. */
async function endlessHoldingFixture() {
  return dealFixtureWith({ ...SENIOR_RULES, minHoldingPeriod: 2 ** 32 - 1 });
}

/** An 80-year holding period: from 2026 on, start + period no longer fits in 32 bits. */
async function eightyYearHoldingFixture() {
  return dealFixtureWith({ ...SENIOR_RULES, minHoldingPeriod: 80 * 365 * 86_400 });
}

async function dealFixtureWith(seniorRules: TransferRulesInput) {
  const protocol = await deployProtocol(ethers);
  const r = await roles(ethers);
  const signers = await ethers.getSigners();
  const [admin] = signers;
  const agent = signers[19];
  const registry = (await ethers.deployContract("InvestorRegistry", [
    admin.address,
  ])) as unknown as InvestorRegistry;
  await registry.grantRole(await registry.COMPLIANCE_AGENT_ROLE(), agent.address);
  const terms = await standardTermSheet(networkHelpers, protocol, r, {
    registry: await registry.getAddress(),
  });
  terms.tranches[0] = { ...terms.tranches[0], transfer: seniorRules };
  terms.tranches[1] = { ...terms.tranches[1], transfer: MEZZ_RULES };
  const h = await createDeal(ethers, protocol, terms);
  const kyc = BigInt(await time.latest()) + 3n * 365n * DAY;
  for (const inv of r.investors) {
    await registry.connect(agent).registerInvestor(inv.address, kyc, US, ACCREDITED);
  }
  // Three more registered wallets (a, b, c) and one that never registers (stranger).
  const [a, b, c, stranger] = [signers[16], signers[17], signers[18], signers[0]];
  for (const w of [a, b, c])
    await registry.connect(agent).registerInvestor(w.address, kyc, US, ACCREDITED);
  return {
    protocol,
    r,
    h,
    terms,
    registry,
    agent,
    kyc,
    a,
    b,
    c,
    stranger,
    senior: h.tokens[0],
    mezz: h.tokens[1],
  };
}

/** Every tranche subscribed and delivered (investor i holds tranche i), the holding period over. */
async function activeFixture() {
  const f = await dealFixture();
  await activateDeal(networkHelpers, f.protocol, f.r, f.h);
  await time.increase(HOLDING_PERIOD);
  return { ...f, holder: f.r.investors[0] };
}

async function expectRestricted(
  token: ITrancheToken,
  from: HardhatEthersSigner,
  to: string,
  amount: bigint,
  code: number,
): Promise<void> {
  expect(await token.detectTransferRestriction(from.address, to, amount)).to.equal(BigInt(code));
  await expect(token.connect(from).transfer(to, amount))
    .to.be.revertedWithCustomError(token, "TransferRestricted")
    .withArgs(code);
}

/** `account`'s tokens still in their holding period and when they are released (`freshTokens`). */
async function lot(
  token: ITrancheToken,
  account: string,
): Promise<{ amount: bigint; releasedAt: bigint }> {
  const [amount, releasedAt] = await token.freshTokens(account);
  return { amount, releasedAt };
}

async function impersonate(address: string): Promise<HardhatEthersSigner> {
  await networkHelpers.impersonateAccount(address);
  await networkHelpers.setBalance(address, 10n ** 20n);
  return ethers.getSigner(address);
}

// ------------------------------------------------------------------ tests

describe("Compliance", function () {
  describe("ERC-1404 views", function () {
    it("test_messageForTransferRestriction_everyCode", async function () {
      const { senior } = await loadFixture(activeFixture);
      const messages = new Set<string>();
      for (let code = 0; code <= 17; code++) {
        const m = await senior.messageForTransferRestriction(code);
        expect(m).to.not.equal("Unknown restriction code.");
        messages.add(m);
      }
      expect(messages.size).to.equal(18);
      expect(await senior.messageForTransferRestriction(18)).to.equal("Unknown restriction code.");
      expect(await senior.messageForTransferRestriction(Code.RECEIVER_NOT_REGISTERED)).to.equal(
        "The receiver is not a registered investor.",
      );
    });

    it("test_views_registryRulesAndFreshTokens", async function () {
      const { senior, mezz, registry, holder, r } = await loadFixture(activeFixture);
      expect(await senior.registry()).to.equal(await registry.getAddress());
      const rules = await senior.transferRules();
      expect(rules.allowedClasses).to.equal(BigInt(SENIOR_RULES.allowedClasses));
      expect(rules.minHoldingPeriod).to.equal(HOLDING_PERIOD);
      expect(rules.maxHolders).to.equal(0n);
      expect(rules.minHolding).to.equal(MIN_HOLDING);
      expect([...rules.blockedCountries]).to.deep.equal(SENIOR_RULES.blockedCountries);
      expect((await senior.params()).registry).to.equal(await registry.getAddress());
      // Delivered more than a holding period ago: nothing waits.
      expect(await lot(senior, holder.address)).to.deep.equal({ amount: 0n, releasedAt: 0n });
      // No holding period: never anything.
      expect(await lot(mezz, r.investors[1].address)).to.deep.equal({ amount: 0n, releasedAt: 0n });
      // The mezzanine caps holders, so it counts them: investor 1 holds it.
      expect(await mezz.holders()).to.equal(1n);
      expect(await senior.holders()).to.equal(0n);
    });

    it("test_transfer_allowedWhenEveryRuleHolds", async function () {
      const { senior, holder, a } = await loadFixture(activeFixture);
      expect(
        await senior.detectTransferRestriction(holder.address, a.address, MIN_HOLDING),
      ).to.equal(0n);
      await expect(senior.connect(holder).transfer(a.address, MIN_HOLDING))
        .to.emit(senior, "Transfer")
        .withArgs(holder.address, a.address, MIN_HOLDING);
    });
  });

  describe("restriction codes, sender and receiver", function () {
    it("test_code1_paused", async function () {
      const { senior, holder, a, h, r } = await loadFixture(activeFixture);
      await h.deal.connect(r.guardian).pause();
      expect(
        await senior.detectTransferRestriction(holder.address, a.address, MIN_HOLDING),
      ).to.equal(BigInt(Code.PAUSED));
      await expect(
        senior.connect(holder).transfer(a.address, MIN_HOLDING),
      ).to.be.revertedWithCustomError(senior, "TokenPaused");
      expect(await senior.detectClaimRestriction(holder.address)).to.equal(BigInt(Code.PAUSED));
    });

    it("test_code2_insufficientBalance", async function () {
      const { senior, a, holder } = await loadFixture(activeFixture);
      expect(await senior.detectTransferRestriction(a.address, holder.address, 1n)).to.equal(
        BigInt(Code.INSUFFICIENT_BALANCE),
      );
      await expect(senior.connect(a).transfer(holder.address, 1n))
        .to.be.revertedWithCustomError(senior, "ERC20InsufficientBalance")
        .withArgs(a.address, 0n, 1n);
    });

    it("test_code3_tokensLocked", async function () {
      const { senior, holder, a, h } = await loadFixture(activeFixture);
      const engine = await impersonate(await h.deal.riskEngine());
      const until = BigInt(await time.latest()) + DAY;
      await senior.connect(engine).lockForVote(holder.address, until);
      expect(
        await senior.detectTransferRestriction(holder.address, a.address, MIN_HOLDING),
      ).to.equal(BigInt(Code.TOKENS_LOCKED));
      await expect(senior.connect(holder).transfer(a.address, MIN_HOLDING))
        .to.be.revertedWithCustomError(senior, "TokensLocked")
        .withArgs(holder.address, until);
    });

    it("test_code4_9_notRegistered", async function () {
      const { senior, holder, a, stranger, registry, agent } = await loadFixture(activeFixture);
      await expectRestricted(
        senior,
        holder,
        stranger.address,
        MIN_HOLDING,
        Code.RECEIVER_NOT_REGISTERED,
      );
      await senior.connect(holder).transfer(a.address, 2n * MIN_HOLDING);
      await registry.connect(agent).removeWallet(a.address);
      await expectRestricted(senior, a, holder.address, MIN_HOLDING, Code.SENDER_NOT_REGISTERED);
    });

    it("test_code5_10_frozenIdentityOrWallet", async function () {
      const { senior, holder, a, registry, agent } = await loadFixture(activeFixture);
      await registry.connect(agent).setWalletFrozen(a.address, true);
      await expectRestricted(senior, holder, a.address, MIN_HOLDING, Code.RECEIVER_FROZEN);
      await registry.connect(agent).setWalletFrozen(a.address, false);
      await registry.connect(agent).setIdentityFrozen(holder.address, true);
      await expectRestricted(senior, holder, a.address, MIN_HOLDING, Code.SENDER_FROZEN);
      await registry.connect(agent).setIdentityFrozen(holder.address, false);
      await registry.connect(agent).setIdentityFrozen(a.address, true);
      await expectRestricted(senior, holder, a.address, MIN_HOLDING, Code.RECEIVER_FROZEN);
      await registry.connect(agent).setIdentityFrozen(a.address, false);
      await registry.connect(agent).setWalletFrozen(holder.address, true);
      await expectRestricted(senior, holder, a.address, MIN_HOLDING, Code.SENDER_FROZEN);
    });

    it("test_code6_11_kycExpired", async function () {
      const { senior, holder, a, registry, agent } = await loadFixture(activeFixture);
      const soon = BigInt(await time.latest()) + 100n;
      await registry.connect(agent).updateInvestor(a.address, soon, US, ACCREDITED);
      await time.increaseTo(soon);
      await expectRestricted(senior, holder, a.address, MIN_HOLDING, Code.RECEIVER_KYC_EXPIRED);
      const later = BigInt(await time.latest()) + 100n;
      await registry.connect(agent).updateInvestor(a.address, later + 365n * DAY, US, ACCREDITED);
      await registry.connect(agent).updateInvestor(holder.address, later, US, ACCREDITED);
      await time.increaseTo(later);
      await expectRestricted(senior, holder, a.address, MIN_HOLDING, Code.SENDER_KYC_EXPIRED);
    });

    it("test_code7_12_countryBlocked", async function () {
      const { senior, holder, a, registry, agent, kyc } = await loadFixture(activeFixture);
      await registry.connect(agent).updateInvestor(a.address, kyc, NORTH_KOREA, ACCREDITED);
      await expectRestricted(senior, holder, a.address, MIN_HOLDING, Code.RECEIVER_COUNTRY_BLOCKED);
      await registry.connect(agent).updateInvestor(a.address, kyc, GERMANY, ACCREDITED);
      await registry.connect(agent).updateInvestor(holder.address, kyc, IRAN, ACCREDITED);
      await expectRestricted(senior, holder, a.address, MIN_HOLDING, Code.SENDER_COUNTRY_BLOCKED);
    });

    it("test_code8_13_classNotAllowed", async function () {
      const { senior, holder, a, registry, agent, kyc } = await loadFixture(activeFixture);
      await registry.connect(agent).updateInvestor(a.address, kyc, US, NON_US);
      await expectRestricted(
        senior,
        holder,
        a.address,
        MIN_HOLDING,
        Code.RECEIVER_CLASS_NOT_ALLOWED,
      );
      await registry
        .connect(agent)
        .updateInvestor(a.address, kyc, US, QUALIFIED_PURCHASER | NON_US);
      await registry.connect(agent).updateInvestor(holder.address, kyc, US, NON_US);
      await expectRestricted(senior, holder, a.address, MIN_HOLDING, Code.SENDER_CLASS_NOT_ALLOWED);
    });

    it("test_code14_holdingPeriod_receivedTokensWaitTheirPeriod_notBetweenOwnWallets", async function () {
      const { senior, holder, a, b, stranger, registry, agent } = await loadFixture(activeFixture);
      await senior.connect(holder).transfer(a.address, 3n * MIN_HOLDING);
      const acquired = BigInt(await time.latest());
      expect(await lot(senior, a.address)).to.deep.equal({
        amount: 3n * MIN_HOLDING,
        releasedAt: acquired + HOLDING_PERIOD,
      });
      await expectRestricted(senior, a, b.address, MIN_HOLDING, Code.HOLDING_PERIOD);
      // Between two wallets of one identity the clock goes along and nothing is refused.
      await registry.connect(agent).addWallet(a.address, stranger.address);
      await senior.connect(a).transfer(stranger.address, MIN_HOLDING);
      expect(await lot(senior, stranger.address)).to.deep.equal({
        amount: MIN_HOLDING,
        releasedAt: acquired + HOLDING_PERIOD,
      });
      // Refused up to the last second of the period, allowed from its end.
      await time.setNextBlockTimestamp(acquired + HOLDING_PERIOD - 1n);
      await expect(senior.connect(a).transfer(holder.address, MIN_HOLDING))
        .to.be.revertedWithCustomError(senior, "TransferRestricted")
        .withArgs(Code.HOLDING_PERIOD);
      await time.setNextBlockTimestamp(acquired + HOLDING_PERIOD);
      await expect(senior.connect(a).transfer(holder.address, MIN_HOLDING)).to.emit(
        senior,
        "Transfer",
      );
      expect(await lot(senior, a.address)).to.deep.equal({ amount: 0n, releasedAt: 0n });
    });

    it("test_code14_longestHoldingPeriod_neverEnds", async function () {
      // type(uint32).max: acquired + period is computed in 256 bits, so the period does not wrap around to an end
      // in the past. A sum in 32 bits would end it a second before it started.
      const f = await loadFixture(endlessHoldingFixture);
      await activateDeal(networkHelpers, f.protocol, f.r, f.h);
      const holder = f.r.investors[0];
      const { releasedAt } = await lot(f.senior, holder.address);
      // Delivered a few blocks ago (activateDeal claims every tranche).
      const delivered = releasedAt - (2n ** 32n - 1n);
      expect(delivered).to.be.within(
        BigInt(await time.latest()) - 10n,
        BigInt(await time.latest()),
      );
      await time.increase(2n * 365n * DAY);
      await expectRestricted(f.senior, holder, f.a.address, MIN_HOLDING, Code.HOLDING_PERIOD);
      // Between its own wallets the holder still moves them.
      await f.registry.connect(f.agent).addWallet(holder.address, f.stranger.address);
      await f.senior.connect(holder).transfer(f.stranger.address, MIN_HOLDING);
    });

    it("test_code14_eightyYearHoldingPeriod_doesNotWrap", async function () {
      const f = await loadFixture(eightyYearHoldingFixture);
      await activateDeal(networkHelpers, f.protocol, f.r, f.h);
      const holder = f.r.investors[0];
      const delivered = BigInt(await time.latest());
      // Past 2^32 − 80 years (mid-2026), delivered + 80 years does not fit in 32 bits.
      expect(delivered + 80n * 365n * DAY).to.be.greaterThan(2n ** 32n);
      await time.increase(365n * DAY);
      await expectRestricted(f.senior, holder, f.a.address, MIN_HOLDING, Code.HOLDING_PERIOD);
    });

    it("test_code15_belowMinHolding_bothSides", async function () {
      const { senior, holder, a } = await loadFixture(activeFixture);
      // The receiver would end below the minimum.
      await expectRestricted(senior, holder, a.address, MIN_HOLDING - 1n, Code.BELOW_MIN_HOLDING);
      // The sender would keep a non-zero balance below it.
      const balance = await senior.balanceOf(holder.address);
      await expectRestricted(
        senior,
        holder,
        a.address,
        balance - MIN_HOLDING + 1n,
        Code.BELOW_MIN_HOLDING,
      );
      // Selling out entirely is fine.
      expect(await senior.detectTransferRestriction(holder.address, a.address, balance)).to.equal(
        0n,
      );
    });

    it("test_code16_maxHolders_countsIdentities", async function () {
      const { mezz, registry, agent, r, a, b, stranger: c } = await loadFixture(activeFixture);
      const m = r.investors[1];
      await expect(mezz.connect(m).transfer(a.address, 10n * USDC))
        .to.emit(mezz, "HoldersChanged")
        .withArgs(2n);
      await expectRestricted(mezz, m, b.address, 10n * USDC, Code.MAX_HOLDERS);
      await expectRestricted(mezz, a, b.address, 5n * USDC, Code.MAX_HOLDERS);
      // A second wallet of a holding identity is no new holder.
      await registry.connect(agent).addWallet(a.address, c.address);
      await expect(mezz.connect(m).transfer(c.address, 10n * USDC)).to.not.emit(
        mezz,
        "HoldersChanged",
      );
      expect(await mezz.holders()).to.equal(2n);
      // Selling out makes room: a's identity still holds through c, so only the sale of everything counts.
      await mezz.connect(a).transfer(m.address, 10n * USDC);
      expect(await mezz.holders()).to.equal(2n);
      await expect(mezz.connect(c).transfer(m.address, 10n * USDC))
        .to.emit(mezz, "HoldersChanged")
        .withArgs(1n);
      // A sender that leaves as the receiver joins keeps the count.
      const all = await mezz.balanceOf(m.address);
      await expect(mezz.connect(m).transfer(b.address, all)).to.not.emit(mezz, "HoldersChanged");
      expect(await mezz.holders()).to.equal(1n);
    });

    it("test_code17_amountFrozen", async function () {
      const { senior, holder, a, agent } = await loadFixture(activeFixture);
      const balance = await senior.balanceOf(holder.address);
      await senior.connect(agent).freezeTokens(holder.address, balance - 5n * MIN_HOLDING);
      await expectRestricted(senior, holder, a.address, 5n * MIN_HOLDING + 1n, Code.AMOUNT_FROZEN);
      await expect(senior.connect(holder).transfer(a.address, 5n * MIN_HOLDING)).to.emit(
        senior,
        "Transfer",
      );
    });

    it("test_transferFrom_checksOwnerAndReceiver", async function () {
      const { senior, holder, a, stranger } = await loadFixture(activeFixture);
      await senior.connect(holder).approve(stranger.address, MIN_HOLDING);
      // The spender need not be registered; the receiver must.
      await expect(
        senior.connect(stranger).transferFrom(holder.address, stranger.address, MIN_HOLDING),
      )
        .to.be.revertedWithCustomError(senior, "TransferRestricted")
        .withArgs(Code.RECEIVER_NOT_REGISTERED);
      await expect(
        senior.connect(stranger).transferFrom(holder.address, a.address, MIN_HOLDING),
      ).to.emit(senior, "Transfer");
    });
  });

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

  describe("holding period: fresh lots", function () {
    /** `holder` (seasoned) sends `amount` to `a` and returns when: `a`'s fresh lot starts then. */
    async function receive(
      f: Awaited<ReturnType<typeof activeFixture>>,
      to: HardhatEthersSigner,
      amount: bigint,
    ): Promise<bigint> {
      await f.senior.connect(f.holder).transfer(to.address, amount);
      return BigInt(await time.latest());
    }

    it("test_transfer_oneUnitDoesNotExtendTheReceiversLock", async function () {
      const f = await loadFixture(activeFixture);
      const { senior, holder, a, b } = f;
      // The griefer holds seasoned tokens of its own.
      await receive(f, a, 3n * MIN_HOLDING);
      await time.increase(HOLDING_PERIOD);
      const balance = await senior.balanceOf(holder.address);
      await senior.connect(a).transfer(holder.address, 1n);
      // Only the unit received waits for its period; the victim's position moves as before.
      expect(await lot(senior, holder.address)).to.deep.equal({
        amount: 1n,
        releasedAt: BigInt(await time.latest()) + HOLDING_PERIOD,
      });
      await expectRestricted(senior, holder, b.address, balance + 1n, Code.HOLDING_PERIOD);
      await expect(senior.connect(holder).transfer(b.address, balance - MIN_HOLDING))
        .to.emit(senior, "Transfer")
        .withArgs(holder.address, b.address, balance - MIN_HOLDING);
    });

    it("test_offeringDeposit_oneShareDoesNotExtendTheReceiversLock", async function () {
      const f = await loadFixture(dealFixture);
      const victim = f.r.investors[0];
      const offering = f.h.offerings[0];
      const face = f.terms.tranches[0].faceAmount;
      await time.increaseTo(f.terms.offeringOpensAt);
      await subscribe(f.protocol, offering, victim, face);
      await subscribe(f.protocol, offering, f.a, MIN_HOLDING);
      await time.increaseTo(f.terms.offeringClosesAt);
      await offering.close();
      const allocation = await offering.maxDeposit(victim.address);
      await offering.connect(victim)["deposit(uint256,address)"](allocation, victim.address);
      await time.increase(HOLDING_PERIOD);
      expect(await lot(f.senior, victim.address)).to.deep.equal({ amount: 0n, releasedAt: 0n });
      // The griefer claims one share of its own allocation to the victim.
      await offering.connect(f.a)["deposit(uint256,address)"](1n, victim.address);
      expect(await lot(f.senior, victim.address)).to.deep.equal({
        amount: 1n,
        releasedAt: BigInt(await time.latest()) + HOLDING_PERIOD,
      });
      expect(
        await f.senior.detectTransferRestriction(
          victim.address,
          f.b.address,
          allocation - MIN_HOLDING,
        ),
      ).to.equal(0n);
      await expectRestricted(f.senior, victim, f.b.address, allocation + 1n, Code.HOLDING_PERIOD);
      await f.senior.connect(victim).transfer(f.b.address, allocation - MIN_HOLDING);
    });

    it("test_transfer_seasonedTokensMoveWhileFreshOnesWait", async function () {
      const f = await loadFixture(activeFixture);
      const { senior, a, b } = f;
      await receive(f, a, 3n * MIN_HOLDING);
      await time.increase(HOLDING_PERIOD);
      const received = await receive(f, a, MIN_HOLDING);
      expect(await lot(senior, a.address)).to.deep.equal({
        amount: MIN_HOLDING,
        releasedAt: received + HOLDING_PERIOD,
      });
      await expectRestricted(senior, a, b.address, 3n * MIN_HOLDING + 1n, Code.HOLDING_PERIOD);
      // Frozen tokens count first: with one frozen, one seasoned token fewer may leave.
      await senior.connect(f.agent).freezeTokens(a.address, 1n);
      await expectRestricted(senior, a, b.address, 3n * MIN_HOLDING, Code.HOLDING_PERIOD);
      await senior.connect(f.agent).unfreezeTokens(a.address, 1n);
      await senior.connect(a).transfer(b.address, 3n * MIN_HOLDING);
      // What stays is the fresh lot, still waiting.
      expect(await senior.balanceOf(a.address)).to.equal(MIN_HOLDING);
      expect(await lot(senior, a.address)).to.deep.equal({
        amount: MIN_HOLDING,
        releasedAt: received + HOLDING_PERIOD,
      });
    });

    it("test_transfer_overlappingReceptionsMergeWeighted_dustDoesNotMoveTheClock", async function () {
      const f = await loadFixture(activeFixture);
      const { senior, a } = f;
      const t1 = await receive(f, a, MIN_HOLDING);
      await time.increase(10n * DAY);
      const t2 = await receive(f, a, 2n * MIN_HOLDING);
      // The merged lot starts at the amount-weighted mean of both receptions, rounded down.
      const merged = (MIN_HOLDING * t1 + 2n * MIN_HOLDING * t2) / (3n * MIN_HOLDING);
      expect(merged).to.be.greaterThan(t1);
      expect(await lot(senior, a.address)).to.deep.equal({
        amount: 3n * MIN_HOLDING,
        releasedAt: merged + HOLDING_PERIOD,
      });
      // One unit a day later: the mean moves by less than a second, which the rounding drops.
      await time.increase(DAY);
      await senior.connect(f.holder).transfer(a.address, 1n);
      expect(await lot(senior, a.address)).to.deep.equal({
        amount: 3n * MIN_HOLDING + 1n,
        releasedAt: merged + HOLDING_PERIOD,
      });
    });

    it("test_transfer_betweenOwnWallets_seasonedFirst_freshCarryTheirClock", async function () {
      const f = await loadFixture(activeFixture);
      const { senior, a, b, stranger, registry, agent } = f;
      await receive(f, a, 2n * MIN_HOLDING);
      await time.increase(HOLDING_PERIOD);
      const received = await receive(f, a, 3n * MIN_HOLDING);
      await registry.connect(agent).addWallet(a.address, stranger.address);
      await time.increase(5n * DAY);
      // 2 000 seasoned go first, then 2 000 of the fresh 3 000, with their clock.
      await senior.connect(a).transfer(stranger.address, 4n * MIN_HOLDING);
      expect(await lot(senior, stranger.address)).to.deep.equal({
        amount: 2n * MIN_HOLDING,
        releasedAt: received + HOLDING_PERIOD,
      });
      expect(await lot(senior, a.address)).to.deep.equal({
        amount: MIN_HOLDING,
        releasedAt: received + HOLDING_PERIOD,
      });
      // The new wallet may sell the seasoned 2 000, not one fresh token more; the old one holds fresh ones only.
      await expectRestricted(
        senior,
        stranger,
        b.address,
        2n * MIN_HOLDING + 1n,
        Code.HOLDING_PERIOD,
      );
      expect(
        await senior.detectTransferRestriction(stranger.address, b.address, 2n * MIN_HOLDING),
      ).to.equal(0n);
      await expectRestricted(senior, a, b.address, MIN_HOLDING, Code.HOLDING_PERIOD);
    });

    it("test_forcedTransfer_takesFreshTokensLast_lotStaysWithinBalance", async function () {
      const f = await loadFixture(activeFixture);
      const { senior, a, b, agent } = f;
      await receive(f, a, 2n * MIN_HOLDING);
      await time.increase(HOLDING_PERIOD);
      const received = await receive(f, a, 3n * MIN_HOLDING);
      // The order takes the 2 000 seasoned tokens and 2 000 fresh ones: 1 000 stay, all of them fresh.
      await senior.connect(agent).forcedTransfer(a.address, b.address, 4n * MIN_HOLDING);
      expect(await senior.balanceOf(a.address)).to.equal(MIN_HOLDING);
      expect(await lot(senior, a.address)).to.deep.equal({
        amount: MIN_HOLDING,
        releasedAt: received + HOLDING_PERIOD,
      });
      // The receiver's are fresh from the order.
      expect(await lot(senior, b.address)).to.deep.equal({
        amount: 4n * MIN_HOLDING,
        releasedAt: BigInt(await time.latest()) + HOLDING_PERIOD,
      });
    });

    it("test_recoverWallet_mergesTheFreshLotIntoTheNewWallets", async function () {
      const f = await loadFixture(activeFixture);
      const { senior, a, c, agent } = f;
      const t1 = await receive(f, a, 3n * MIN_HOLDING);
      await time.increase(DAY);
      const t2 = await receive(f, c, MIN_HOLDING);
      await time.increase(DAY);
      await expect(senior.connect(agent).recoverWallet(a.address, c.address))
        .to.emit(senior, "WalletRecovered")
        .withArgs(agent.address, a.address, c.address, 3n * MIN_HOLDING, 0n, 0n);
      const merged = (3n * MIN_HOLDING * t1 + MIN_HOLDING * t2) / (4n * MIN_HOLDING);
      expect(await lot(senior, c.address)).to.deep.equal({
        amount: 4n * MIN_HOLDING,
        releasedAt: merged + HOLDING_PERIOD,
      });
      expect(await lot(senior, a.address)).to.deep.equal({ amount: 0n, releasedAt: 0n });
      // A lot that ended before the recovery joins as seasoned tokens.
      await time.increase(HOLDING_PERIOD);
      const t3 = await receive(f, a, MIN_HOLDING);
      await senior.connect(agent).recoverWallet(c.address, a.address);
      expect(await lot(senior, a.address)).to.deep.equal({
        amount: MIN_HOLDING,
        releasedAt: t3 + HOLDING_PERIOD,
      });
      expect(await senior.balanceOf(a.address)).to.equal(5n * MIN_HOLDING);
    });
  });

  describe("agent actions", function () {
    it("test_freezeTokens_andUnfreeze_evented", async function () {
      const { senior, holder, agent } = await loadFixture(activeFixture);
      await expect(senior.connect(agent).freezeTokens(holder.address, 100n))
        .to.emit(senior, "TokensFrozen")
        .withArgs(agent.address, holder.address, 100n, 100n);
      await expect(senior.connect(agent).freezeTokens(holder.address, 50n))
        .to.emit(senior, "TokensFrozen")
        .withArgs(agent.address, holder.address, 50n, 150n);
      expect(await senior.frozenTokens(holder.address)).to.equal(150n);
      await expect(senior.connect(agent).unfreezeTokens(holder.address, 150n))
        .to.emit(senior, "TokensUnfrozen")
        .withArgs(agent.address, holder.address, 150n, 0n);
      expect(await senior.frozenTokens(holder.address)).to.equal(0n);
    });

    it("test_agentActions_revertForOthersAndBadInput", async function () {
      const { senior, holder, agent, a, h, stranger } = await loadFixture(activeFixture);
      const balance = await senior.balanceOf(holder.address);
      for (const call of [
        senior.connect(holder).freezeTokens(holder.address, 1n),
        senior.connect(holder).unfreezeTokens(holder.address, 1n),
        senior.connect(holder).forcedTransfer(holder.address, a.address, 1n),
        senior.connect(holder).recoverWallet(holder.address, a.address),
      ]) {
        await expect(call)
          .to.be.revertedWithCustomError(senior, "NotComplianceAgent")
          .withArgs(holder.address);
      }
      await expect(
        senior.connect(agent).freezeTokens(holder.address, 0n),
      ).to.be.revertedWithCustomError(senior, "ZeroAmount");
      await expect(
        senior.connect(agent).unfreezeTokens(holder.address, 0n),
      ).to.be.revertedWithCustomError(senior, "ZeroAmount");
      await expect(senior.connect(agent).freezeTokens(holder.address, balance + 1n))
        .to.be.revertedWithCustomError(senior, "FreezeExceedsBalance")
        .withArgs(holder.address, balance, 0n, balance + 1n);
      await senior.connect(agent).freezeTokens(holder.address, balance);
      await expect(senior.connect(agent).freezeTokens(holder.address, 1n))
        .to.be.revertedWithCustomError(senior, "FreezeExceedsBalance")
        .withArgs(holder.address, balance, balance, 1n);
      await expect(senior.connect(agent).unfreezeTokens(a.address, 1n))
        .to.be.revertedWithCustomError(senior, "UnfreezeExceedsFrozen")
        .withArgs(a.address, 0n, 1n);
      const offering = await h.offerings[0].getAddress();
      await expect(senior.connect(agent).freezeTokens(offering, 1n))
        .to.be.revertedWithCustomError(senior, "ProtectedAccount")
        .withArgs(offering);
      await expect(senior.connect(agent).forcedTransfer(offering, a.address, 1n))
        .to.be.revertedWithCustomError(senior, "ProtectedAccount")
        .withArgs(offering);
      await expect(senior.connect(agent).recoverWallet(offering, a.address))
        .to.be.revertedWithCustomError(senior, "ProtectedAccount")
        .withArgs(offering);
      await expect(senior.connect(agent).forcedTransfer(holder.address, holder.address, 1n))
        .to.be.revertedWithCustomError(senior, "SameWallet")
        .withArgs(holder.address);
      await expect(senior.connect(agent).recoverWallet(holder.address, holder.address))
        .to.be.revertedWithCustomError(senior, "SameWallet")
        .withArgs(holder.address);
      await expect(senior.connect(agent).forcedTransfer(holder.address, ethers.ZeroAddress, 1n))
        .to.be.revertedWithCustomError(senior, "ERC20InvalidReceiver")
        .withArgs(ethers.ZeroAddress);
      await expect(senior.connect(agent).recoverWallet(holder.address, ethers.ZeroAddress))
        .to.be.revertedWithCustomError(senior, "ERC20InvalidReceiver")
        .withArgs(ethers.ZeroAddress);
      await expect(senior.connect(agent).forcedTransfer(a.address, holder.address, 1n))
        .to.be.revertedWithCustomError(senior, "ERC20InsufficientBalance")
        .withArgs(a.address, 0n, 1n);
      await expect(senior.connect(agent).forcedTransfer(holder.address, stranger.address, 1n))
        .to.be.revertedWithCustomError(senior, "TransferRestricted")
        .withArgs(Code.RECEIVER_NOT_REGISTERED);
      await expect(senior.connect(agent).recoverWallet(holder.address, stranger.address))
        .to.be.revertedWithCustomError(senior, "TransferRestricted")
        .withArgs(Code.RECEIVER_NOT_REGISTERED);
      await expect(senior.connect(agent).recoverWallet(a.address, holder.address))
        .to.be.revertedWithCustomError(senior, "NothingToRecover")
        .withArgs(a.address);
    });

    it("test_agentActions_stopWhilePaused_andRespectVoteLocks", async function () {
      const { senior, holder, agent, a, h, r } = await loadFixture(activeFixture);
      const engine = await impersonate(await h.deal.riskEngine());
      const until = BigInt(await time.latest()) + DAY;
      await senior.connect(engine).lockForVote(holder.address, until);
      await expect(senior.connect(agent).forcedTransfer(holder.address, a.address, MIN_HOLDING))
        .to.be.revertedWithCustomError(senior, "TokensLocked")
        .withArgs(holder.address, until);
      await h.deal.connect(r.guardian).pause();
      await expect(
        senior.connect(agent).forcedTransfer(holder.address, a.address, MIN_HOLDING),
      ).to.be.revertedWithCustomError(senior, "TokenPaused");
      await expect(
        senior.connect(agent).recoverWallet(holder.address, a.address),
      ).to.be.revertedWithCustomError(senior, "TokenPaused");
    });

    it("test_forcedTransfer_frozenSender_keepsCouponsExact_andReleasesFrozenTokens", async function () {
      const f = await loadFixture(activeFixture);
      const { senior, holder, agent, a, registry } = f;
      await runPeriod(ethers, networkHelpers, f.protocol, f.r, f.h.deal, 0n);
      const owed = await senior.claimable(holder.address);
      expect(owed).to.be.greaterThan(0n);
      const balance = await senior.balanceOf(holder.address);
      // A court order: the sender is frozen and part of its balance too; the receiver is eligible.
      await registry.connect(agent).setIdentityFrozen(holder.address, true);
      await senior.connect(agent).freezeTokens(holder.address, balance / 2n);
      const amount = (balance * 3n) / 4n;
      const tx = senior.connect(agent).forcedTransfer(holder.address, a.address, amount);
      await expect(tx)
        .to.emit(senior, "ForcedTransfer")
        .withArgs(agent.address, holder.address, a.address, amount);
      await expect(tx).to.emit(senior, "Transfer").withArgs(holder.address, a.address, amount);
      await expect(tx)
        .to.emit(senior, "TokensUnfrozen")
        .withArgs(
          agent.address,
          holder.address,
          balance / 2n - (balance - amount),
          balance - amount,
        );
      expect(await senior.frozenTokens(holder.address)).to.equal(balance - amount);
      // The receiver's tokens are fresh from the order; the sender's were past their period.
      expect(await lot(senior, a.address)).to.deep.equal({
        amount,
        releasedAt: BigInt(await time.latest()) + HOLDING_PERIOD,
      });
      expect(await lot(senior, holder.address)).to.deep.equal({ amount: 0n, releasedAt: 0n });
      // Coupons earned before the order stay with the holder, to the wei; the receiver starts from nothing.
      expect(await senior.claimable(holder.address)).to.equal(owed);
      expect(await senior.claimable(a.address)).to.equal(0n);
      const index0 = await senior.cashIndex();
      await runPeriod(ethers, networkHelpers, f.protocol, f.r, f.h.deal, 1n);
      const delta = (await senior.cashIndex()) - index0;
      // The holder's checkpoint carries its coupons: it sits ⌊balance × index0 / left⌋ below the index, so the new
      // period adds to them with one rounding, never less than each part rounded apart.
      const left = balance - amount;
      const back = (balance * index0) / left;
      const after = await senior.claimable(holder.address);
      expect(after).to.equal((left * (back + delta)) / WAD);
      expect(after - (owed + (left * delta) / WAD)).to.be.oneOf([0n, 1n]);
      expect(await senior.claimable(a.address)).to.equal((amount * delta) / WAD);
    });

    it("test_recoverWallet_movesBalanceCouponsFrozenAndClock", async function () {
      const f = await loadFixture(activeFixture);
      const { senior, holder, agent, registry } = f;
      const fresh = ethers.Wallet.createRandom().address;
      await runPeriod(ethers, networkHelpers, f.protocol, f.r, f.h.deal, 0n);
      const owed = await senior.claimable(holder.address);
      const balance = await senior.balanceOf(holder.address);
      await senior.connect(agent).freezeTokens(holder.address, 7n);
      // The registry moves the identity to the new wallet; the token moves the position.
      await registry.connect(agent).recoverWallet(holder.address, fresh);
      const tx = senior.connect(agent).recoverWallet(holder.address, fresh);
      await expect(tx)
        .to.emit(senior, "WalletRecovered")
        .withArgs(agent.address, holder.address, fresh, balance, owed, 7n);
      await expect(tx).to.emit(senior, "Transfer").withArgs(holder.address, fresh, balance);
      expect(await senior.balanceOf(holder.address)).to.equal(0n);
      expect(await senior.claimable(holder.address)).to.equal(0n);
      expect(await senior.frozenTokens(holder.address)).to.equal(0n);
      expect(await senior.balanceOf(fresh)).to.equal(balance);
      expect(await senior.claimable(fresh)).to.equal(owed);
      expect(await senior.frozenTokens(fresh)).to.equal(7n);
      // Past its holding period before, past it after.
      expect(await lot(senior, fresh)).to.deep.equal({ amount: 0n, releasedAt: 0n });
      // And it keeps accruing exactly from there.
      const index0 = await senior.cashIndex();
      await runPeriod(ethers, networkHelpers, f.protocol, f.r, f.h.deal, 1n);
      const delta = (await senior.cashIndex()) - index0;
      expect(await senior.claimable(fresh)).to.equal(owed + (balance * delta) / WAD);
    });
  });

  describe("unrestricted tranches", function () {
    it("test_noRegistry_transfersFreely_andHasNoAgent", async function () {
      const protocol = await deployProtocol(ethers);
      const r = await roles(ethers);
      const terms = await standardTermSheet(networkHelpers, protocol, r);
      const h = await createDeal(ethers, protocol, terms);
      await activateDeal(networkHelpers, protocol, r, h);
      const senior = h.tokens[0];
      const [holder, other] = [r.investors[0], r.investors[5]];
      expect(await senior.registry()).to.equal(ethers.ZeroAddress);
      expect(await senior.detectTransferRestriction(holder.address, other.address, 1n)).to.equal(
        0n,
      );
      expect(await senior.detectTransferRestriction(other.address, holder.address, 1n)).to.equal(
        BigInt(Code.INSUFFICIENT_BALANCE),
      );
      expect(await senior.detectClaimRestriction(holder.address)).to.equal(0n);
      await senior.connect(holder).transfer(other.address, 1n);
      await expect(senior.connect(holder).freezeTokens(other.address, 1n))
        .to.be.revertedWithCustomError(senior, "NotComplianceAgent")
        .withArgs(holder.address);
    });
  });

  describe("gas, against an OpenZeppelin ERC-20 deployed by the same test", function () {
    it("test_gas_compliantTransfers_andRegistration", async function () {
      const f = await loadFixture(activeFixture);
      const { senior, holder, a, b, c, registry, agent } = f;
      const ref = await ethers.deployContract("ReferenceERC20");
      const gas = async (tx: Promise<{ wait(): Promise<{ gasUsed: bigint } | null> }>) =>
        Number((await (await tx).wait())!.gasUsed);
      // OpenZeppelin: holder → a (existing, after a first transfer), holder → b (new).
      await ref.mint(holder.address, 10n * MIN_HOLDING);
      await ref.connect(holder).transfer(a.address, MIN_HOLDING);
      const refExisting = await gas(ref.connect(holder).transfer(a.address, MIN_HOLDING));
      const refNew = await gas(ref.connect(holder).transfer(b.address, MIN_HOLDING));
      // The compliant junior tranche (registry, no rules: the benchmark's case) and the senior (every rule but a
      // holder cap, among them a holding period): both wallets registered and eligible, settled at the cash index.
      const junior = f.h.tokens[2];
      const juniorHolder = f.r.investors[2];
      const measure = async (token: ITrancheToken, from: HardhatEthersSigner, to: string[]) => {
        await token.connect(from).transfer(to[0], MIN_HOLDING);
        return {
          existing: await gas(token.connect(from).transfer(to[0], MIN_HOLDING)),
          fresh: await gas(token.connect(from).transfer(to[1], MIN_HOLDING)),
        };
      };
      const plain = await measure(junior, juniorHolder, [a.address, b.address]);
      const held = await measure(senior, holder, [c.address, f.r.investors[5].address]);
      const registration = await gas(
        registry
          .connect(agent)
          .registerInvestor(ethers.Wallet.createRandom().address, f.kyc, US, ACCREDITED),
      );
      const ratio = (g: number, refGas: number) => g / refGas;
      console.log(
        `      compliant transfer, existing holder: ${plain.existing} gas vs OpenZeppelin ${refExisting} = ${ratio(plain.existing, refExisting).toFixed(3)}×\n` +
          `      compliant transfer, new holder:      ${plain.fresh} gas vs OpenZeppelin ${refNew} = ${ratio(plain.fresh, refNew).toFixed(3)}×\n` +
          `      with a holding period, existing:     ${held.existing} gas = ${ratio(held.existing, refExisting).toFixed(3)}×\n` +
          `      with a holding period, new holder:   ${held.fresh} gas = ${ratio(held.fresh, refNew).toFixed(3)}×\n` +
          `      registerInvestor:                    ${registration} gas`,
      );
      expect(ratio(plain.existing, refExisting)).to.be.at.most(1.45);
      expect(ratio(plain.fresh, refNew)).to.be.at.most(GAS_RATIO_NEW_HOLDER);
      // A holding period costs the receiver's fresh lot (see HOLDING_PERIOD_GAS).
      expect(held.existing - plain.existing).to.be.at.most(HOLDING_PERIOD_GAS);
      expect(held.fresh - plain.fresh).to.be.at.most(HOLDING_PERIOD_GAS);
      expect(registration).to.be.at.most(70_000);
    });
  });

  describe("term sheet", function () {
    it("test_createDeal_revertsOnInvalidComplianceTerms", async function () {
      const protocol = await deployProtocol(ethers);
      const r = await roles(ethers);
      const registry = await ethers.deployContract("InvestorRegistry", [r.issuer.address]);
      const base = await standardTermSheet(networkHelpers, protocol, r);
      const withRules = (rules: TransferRulesInput, reg = ethers.ZeroAddress) => ({
        ...base,
        registry: reg,
        tranches: base.tranches.map((t, i) => (i === 2 ? { ...t, transfer: rules } : t)),
      });
      const TRANSFER_RULES_FIELD = 28;
      const REGISTRY_FIELD = 27;
      // Rules need a registry.
      await expect(protocol.factory.connect(r.issuer).createDeal(withRules(SENIOR_RULES)))
        .to.be.revertedWithCustomError(protocol.factory, "InvalidTermSheet")
        .withArgs(TRANSFER_RULES_FIELD, 2n);
      const reg = await registry.getAddress();
      const face = base.tranches[2].faceAmount;
      for (const bad of [
        { ...NO_TRANSFER_RULES, minHolding: face + 1n },
        {
          ...NO_TRANSFER_RULES,
          blockedCountries: [1n, 0n, 0n, 0n] as [bigint, bigint, bigint, bigint],
        },
        {
          ...NO_TRANSFER_RULES,
          blockedCountries: [0n, 0n, 0n, 1n << 232n] as [bigint, bigint, bigint, bigint],
        },
      ]) {
        await expect(protocol.factory.connect(r.issuer).createDeal(withRules(bad, reg)))
          .to.be.revertedWithCustomError(protocol.factory, "InvalidTermSheet")
          .withArgs(TRANSFER_RULES_FIELD, 2n);
      }
      // Country 999 (bit 231 of the last word) is the highest valid code.
      await protocol.factory
        .connect(r.issuer)
        .createDeal(
          withRules({ ...NO_TRANSFER_RULES, blockedCountries: [0n, 0n, 0n, 1n << 231n] }, reg),
        );
      await expect(
        protocol.factory.connect(r.issuer).createDeal({ ...base, registry: r.issuer.address }),
      )
        .to.be.revertedWithCustomError(protocol.factory, "InvalidTermSheet")
        .withArgs(REGISTRY_FIELD, 0n);
    });
  });
});
