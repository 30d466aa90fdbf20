import { expect } from "chai";

import { DAY, WAD } from "../helpers/fixtures.js";
import { runPeriod } from "../helpers/token-helpers.js";
import {
  ethers,
  networkHelpers,
  time,
  loadFixture,
  Code,
  HOLDING_PERIOD,
  MIN_HOLDING,
  activeFixture,
  lot,
  impersonate,
} from "../helpers/compliance-fixtures.js";

describe("Compliance", function () {
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
});
