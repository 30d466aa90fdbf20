import { expect } from "chai";
import { network } from "hardhat";

import { WAD, YEAR, CollateralMath } from "../../sdk/index.js";

const { ethers } = await network.create();

/** Deterministic pseudo-random bigints (xorshift64*), so a failure reproduces. */
function rng(seed: bigint) {
  let s = seed;
  return (max: bigint): bigint => {
    s ^= s << 13n;
    s &= (1n << 64n) - 1n;
    s ^= s >> 7n;
    s ^= s << 17n;
    s &= (1n << 64n) - 1n;
    const wide = (s << 64n) | ((s * 0x9e3779b97f4a7c15n) & ((1n << 64n) - 1n));
    return max === 0n ? 0n : wide % (max + 1n);
  };
}

describe("SDK collateral model against CollateralMath", () => {
  it("the H100 fleet after 18 months: straight line and 30 % declining balance", () => {
    const cost = 25_000_000n * 10n ** 6n;
    const residual = 3_750_000n * 10n ** 6n;
    const age = YEAR + YEAR / 2n;
    expect(CollateralMath.straightLineDown(cost, residual, 3n * YEAR, age)).to.equal(
      14_375_000n * 10n ** 6n,
    );
    expect(
      CollateralMath.decliningBalanceDown(cost, residual, (3n * WAD) / 10n, 3n * YEAR, age),
    ).to.equal(14_875_000n * 10n ** 6n);
    expect(CollateralMath.ltvUp(10_000_000n, 14_375_000n)).to.equal(695_652_173_913_043_479n);
    expect(CollateralMath.coverageDown(14_375_000n, 10_000_000n)).to.equal(
      1_437_500_000_000_000_000n,
    );
  });

  it("equals the contract to the wei on 300 random fleets", async () => {
    const harness = await ethers.deployContract("CollateralMathHarness");
    const next = rng(0xc0ffeen);
    for (let i = 0; i < 300; i++) {
      const cost = next(10n ** 30n) + 1n;
      const residual = next(cost);
      const life = next(20n * YEAR) + 1n;
      const age = next(25n * YEAR);
      const rate = next(WAD - 1n);
      const at = next(10n ** 24n) + 1n;
      const now = next(10n ** 24n);
      const debt = next(10n ** 30n);
      expect(CollateralMath.straightLineDown(cost, residual, life, age)).to.equal(
        await harness.straightLineDown(cost, residual, life, age),
      );
      expect(CollateralMath.decliningBalanceDown(cost, residual, rate, life, age)).to.equal(
        await harness.decliningBalanceDown(cost, residual, rate, life, age),
      );
      expect(CollateralMath.indexImpliedDown(cost, at, now)).to.equal(
        await harness.indexImpliedDown(cost, at, now),
      );
      expect(CollateralMath.ltvUp(debt, residual)).to.equal(await harness.ltvUp(debt, residual));
      expect(CollateralMath.coverageDown(cost, debt)).to.equal(
        await harness.coverageDown(cost, debt),
      );
    }
  });
});
