import { expect } from "chai";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";

import { DAY, subscribe } from "../helpers/fixtures.js";
import {
  time,
  loadFixture,
  Code,
  HOLDING_PERIOD,
  MIN_HOLDING,
  dealFixture,
  activeFixture,
  expectRestricted,
  lot,
} from "../helpers/compliance-fixtures.js";

describe("Compliance", function () {
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
});
