import { expect } from "chai";

import { runPeriod } from "../helpers/token-helpers.js";
import {
  ethers,
  networkHelpers,
  loadFixture,
  activeFixture,
} from "../helpers/tranche-token-fixtures.js";

describe("TrancheToken", function () {
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
});
