import { expect } from "chai";

import { activateDeal, DAY, USDC } from "../helpers/fixtures.js";
import {
  networkHelpers,
  time,
  loadFixture,
  Code,
  ACCREDITED,
  QUALIFIED_PURCHASER,
  NON_US,
  US,
  GERMANY,
  NORTH_KOREA,
  IRAN,
  HOLDING_PERIOD,
  MIN_HOLDING,
  SENIOR_RULES,
  endlessHoldingFixture,
  eightyYearHoldingFixture,
  activeFixture,
  expectRestricted,
  lot,
  impersonate,
} from "../helpers/compliance-fixtures.js";

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
});
