import { expect } from "chai";

import {
  loadFixture,
  SENIOR_FACE,
  gasOneHolderFixture,
  MANY,
  gasManyHoldersFixture,
} from "../helpers/tranche-token-fixtures.js";

describe("TrancheToken", function () {
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
