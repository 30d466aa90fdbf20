import { expect } from "chai";

import { USDC } from "../helpers/fixtures.js";
import { networkHelpers, dealFixture, activeDealFixture } from "../helpers/deal-fixtures.js";

describe("Deal", function () {
  describe("pause", function () {
    it("test_pause_onlyGuardian", async function () {
      const { deal, r, outsider } = await networkHelpers.loadFixture(activeDealFixture);
      const role = await deal.GUARDIAN_ROLE();
      for (const caller of [outsider, r.issuer, r.servicer]) {
        await expect(deal.connect(caller).pause())
          .to.be.revertedWithCustomError(deal, "AccessControlUnauthorizedAccount")
          .withArgs(caller.address, role);
      }
      expect(await deal.paused()).to.equal(false);
      await deal.connect(r.guardian).pause();
      for (const caller of [outsider, r.issuer, r.servicer]) {
        await expect(deal.connect(caller).unpause())
          .to.be.revertedWithCustomError(deal, "AccessControlUnauthorizedAccount")
          .withArgs(caller.address, role);
      }
      expect(await deal.paused()).to.equal(true);
    });

    it("test_pause_pushesToTokensAndOfferings", async function () {
      const { deal, r, h } = await networkHelpers.loadFixture(dealFixture);
      const tx = deal.connect(r.guardian).pause();
      await expect(tx).to.emit(deal, "Paused").withArgs(r.guardian.address);
      for (let i = 0; i < 4; i++) {
        await expect(tx).to.emit(h.tokens[i], "PauseSet").withArgs(true);
        await expect(tx).to.emit(h.offerings[i], "PauseSet").withArgs(true);
      }
      expect(await deal.paused()).to.equal(true);
      for (let i = 0; i < 4; i++) {
        expect(await h.tokens[i].paused()).to.equal(true);
        expect(await h.offerings[i].maxDeposit(r.investors[0].address)).to.equal(0n);
      }
      // Subscriptions stop while paused.
      await networkHelpers.time.increaseTo(h.terms.offeringOpensAt);
      await expect(
        h.offerings[0]
          .connect(r.investors[0])
          .requestDeposit(USDC, r.investors[0].address, r.investors[0].address),
      ).to.be.revertedWithCustomError(h.offerings[0], "OfferingPaused");
      await expect(deal.connect(r.guardian).pause())
        .to.be.revertedWithCustomError(deal, "EnforcedPause")
        .withArgs();

      const un = deal.connect(r.guardian).unpause();
      await expect(un).to.emit(deal, "Unpaused").withArgs(r.guardian.address);
      for (let i = 0; i < 4; i++) {
        await expect(un).to.emit(h.tokens[i], "PauseSet").withArgs(false);
        await expect(un).to.emit(h.offerings[i], "PauseSet").withArgs(false);
        expect(await h.tokens[i].paused()).to.equal(false);
      }
      expect(await deal.paused()).to.equal(false);
      await expect(deal.connect(r.guardian).unpause())
        .to.be.revertedWithCustomError(deal, "ExpectedPause")
        .withArgs();
    });

    it("test_pause_tokensRefuseTransfersAndClaims", async function () {
      const { deal, r, h } = await networkHelpers.loadFixture(activeDealFixture);
      await deal.connect(r.guardian).pause();
      await expect(h.tokens[0].connect(r.investors[0]).transfer(r.investors[1].address, 1n))
        .to.be.revertedWithCustomError(h.tokens[0], "TokenPaused")
        .withArgs();
    });
  });
});
