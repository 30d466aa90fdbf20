import { expect } from "chai";

import { ethers, networkHelpers, activeDealFixture } from "../helpers/deal-fixtures.js";

describe("Deal", function () {
  describe("payClaim", function () {
    it("test_payClaim_singleEquityClass_revertsNotClassToken", async function () {
      // One equity class holds its own cash, as the notes do: the deal pays no token's claims, not even its.
      const f = await networkHelpers.loadFixture(activeDealFixture);
      const count = Number(await f.h.deal.trancheCount());
      for (let i = 0; i < count; i++) {
        const token = await f.h.tokens[i].getAddress();
        const signer = await ethers.getImpersonatedSigner(token);
        await networkHelpers.setBalance(token, 10n ** 18n);
        await expect(f.h.deal.connect(signer).payClaim(token, 1n))
          .to.be.revertedWithCustomError(f.h.deal, "NotClassToken")
          .withArgs(token);
      }
    });
  });
});
