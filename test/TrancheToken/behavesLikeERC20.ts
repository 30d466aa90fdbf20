/**
 * The tranche token against the shared ERC-20 and EIP-2612 behaviours (test/behaviours/erc20.ts): as a senior
 * tranche under transfer rules, where every account the behaviour uses is an eligible investor, and as the senior of a
 * deal without an investor registry. What the rules refuse is tested in test/Compliance/.
 */
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { expect } from "chai";

import type { InvestorRegistry } from "../../types/ethers-contracts/index.js";
import { shouldBehaveLikeERC20, shouldBehaveLikeERC20Permit } from "../behaviours/erc20.js";
import {
  activateDeal,
  createDeal,
  DAY,
  deployProtocol,
  roles,
  standardTermSheet,
  USDC,
  type TransferRulesInput,
} from "../helpers/fixtures.js";
import { ethers, networkHelpers } from "../helpers/tranche-token-fixtures.js";

const ACCREDITED = 1;
const QUALIFIED_PURCHASER = 2;
const US = 840;
const NORTH_KOREA = 408;
/** Restriction code (contracts/libraries/TransferRules.sol). */
const RECEIVER_NOT_REGISTERED = 9n;

/** Accredited investors or qualified purchasers, none in North Korea; no holding period or minimum holding. */
const SENIOR_RULES: TransferRulesInput = {
  allowedClasses: ACCREDITED | QUALIFIED_PURCHASER,
  minHoldingPeriod: 0,
  maxHolders: 0,
  minHolding: 0n,
  // Country c is bit c % 256 of word c / 256.
  blockedCountries: [0n, 1n << BigInt(NORTH_KOREA % 256), 0n, 0n],
};

/**
 * The standard deal, active: investor 0 holds the senior tranche, gives 1 000 000 units to the behaviour's holder
 * (investor 4) and funds the others. With `rules`, the deal has an investor registry, the senior tranche those rules,
 * and every investor is a registered accredited US investor (the behaviour uses investors 0, 4, 5 and 6); without,
 * `other` and `third` are accounts no registry knows.
 */
async function seniorFixture(rules?: TransferRulesInput) {
  const protocol = await deployProtocol(ethers);
  const r = await roles(ethers);
  const signers = await ethers.getSigners();
  const [treasury, holder] = [r.investors[0], r.investors[4]];
  const [other, third]: HardhatEthersSigner[] = rules
    ? [r.investors[5], r.investors[6]]
    : [signers[16], signers[17]];
  let registry: InvestorRegistry | undefined;
  if (rules) {
    registry = (await ethers.deployContract("InvestorRegistry", [
      signers[0].address,
    ])) as unknown as InvestorRegistry;
    const agent = signers[19];
    await registry.grantRole(await registry.COMPLIANCE_AGENT_ROLE(), agent.address);
    const kyc = BigInt(await networkHelpers.time.latest()) + 3n * 365n * DAY;
    // Every investor: with a registry, each tranche's deliveries screen the receiver.
    for (const w of r.investors) {
      await registry.connect(agent).registerInvestor(w.address, kyc, US, ACCREDITED);
    }
  }
  const terms = await standardTermSheet(networkHelpers, protocol, r, {
    registry: registry ? await registry.getAddress() : ethers.ZeroAddress,
  });
  if (rules) terms.tranches[0] = { ...terms.tranches[0], transfer: rules };
  const h = await createDeal(ethers, protocol, terms);
  await activateDeal(networkHelpers, protocol, r, h);
  const token = h.tokens[0];
  await token.connect(treasury).transfer(holder.address, 1_000_000n * USDC);
  return {
    token,
    holder,
    other,
    third,
    fund: async (to: string, amount: bigint) => {
      await token.connect(treasury).transfer(to, amount);
    },
    // The token spends no allowance on a zero amount, so the zero owner reaches the sender check.
    zeroSenderError: "ERC20InvalidSender" as const,
    domain: { name: terms.tranches[0].name, version: "1" },
  };
}

async function restrictedSeniorFixture() {
  return seniorFixture(SENIOR_RULES);
}

async function unrestrictedSeniorFixture() {
  return seniorFixture();
}

describe("TrancheToken", function () {
  describe("senior under transfer rules, between eligible investors", function () {
    it("test_fixture_theRulesApply_anUnregisteredReceiverIsRefused", async function () {
      const { token, holder } = await networkHelpers.loadFixture(restrictedSeniorFixture);
      const stranger = (await ethers.getSigners())[16];
      expect(await token.detectTransferRestriction(holder.address, stranger.address, 1n)).to.equal(
        RECEIVER_NOT_REGISTERED,
      );
      await expect(token.connect(holder).transfer(stranger.address, 1n))
        .to.be.revertedWithCustomError(token, "TransferRestricted")
        .withArgs(RECEIVER_NOT_REGISTERED);
    });

    shouldBehaveLikeERC20({ ethers, networkHelpers }, restrictedSeniorFixture);
    shouldBehaveLikeERC20Permit({ ethers, networkHelpers }, restrictedSeniorFixture);
  });

  describe("senior of a deal without an investor registry", function () {
    shouldBehaveLikeERC20({ ethers, networkHelpers }, unrestrictedSeniorFixture);
    shouldBehaveLikeERC20Permit({ ethers, networkHelpers }, unrestrictedSeniorFixture);
  });
});
