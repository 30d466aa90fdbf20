import { expect } from "chai";

import { WAD } from "../helpers/fixtures.js";
import { distributedEvents, runPeriod } from "../helpers/token-helpers.js";
import {
  ethers,
  networkHelpers,
  loadFixture,
  SENIOR_FACE,
  activeFixture,
} from "../helpers/tranche-token-fixtures.js";

describe("TrancheToken", function () {
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
});
