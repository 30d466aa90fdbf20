/**
 * The shared behaviours (test/behaviours/) run on OpenZeppelin's own ERC-20 and ERC20Permit, so that a behaviour that
 * fails on a Cascade token is known to hold for the reference implementation.
 */
import { network } from "hardhat";

import type { MockStablecoin, ReferenceERC20 } from "../types/ethers-contracts/index.js";
import { shouldBehaveLikeERC20, shouldBehaveLikeERC20Permit } from "./behaviours/erc20.js";

const { ethers, networkHelpers } = await network.create();

/** A plain OpenZeppelin ERC20: the holder minted 1 000 000 units; anyone may mint. */
async function referenceFixture() {
  const [, holder, other, third] = await ethers.getSigners();
  const token = (await ethers.deployContract("ReferenceERC20")) as unknown as ReferenceERC20;
  await token.mint(holder.address, 1_000_000n);
  return {
    token,
    holder,
    other,
    third,
    fund: async (to: string, amount: bigint) => {
      await token.mint(to, amount);
    },
    zeroSenderError: "ERC20InvalidApprover" as const,
  };
}

/** OpenZeppelin's ERC20Permit (the test stablecoin), the same accounts. */
async function permitFixture() {
  const [, holder, other, third] = await ethers.getSigners();
  const token = (await ethers.deployContract("MockStablecoin", [
    "USD Coin",
    "USDC",
    6,
  ])) as unknown as MockStablecoin;
  await token.mint(holder.address, 1_000_000n);
  return {
    token,
    holder,
    other,
    third,
    fund: async (to: string, amount: bigint) => {
      await token.mint(to, amount);
    },
    zeroSenderError: "ERC20InvalidApprover" as const,
    domain: { name: "USD Coin", version: "1" },
  };
}

describe("Reference tokens (OpenZeppelin)", function () {
  describe("ReferenceERC20", function () {
    shouldBehaveLikeERC20({ ethers, networkHelpers }, referenceFixture);
  });

  describe("MockStablecoin (ERC20Permit)", function () {
    shouldBehaveLikeERC20({ ethers, networkHelpers }, permitFixture);
    shouldBehaveLikeERC20Permit({ ethers, networkHelpers }, permitFixture);
  });
});
