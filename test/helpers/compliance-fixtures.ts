/**
 * The compliance test suite (test/Compliance/*.ts): one network connection shared by its files, so `loadFixture`
 * snapshots are reused across them, and the restriction codes, rules and fixtures they share.
 */
import { expect } from "chai";
import { network } from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";

import type { InvestorRegistry, ITrancheToken } from "../../types/ethers-contracts/index.js";
import {
  activateDeal,
  createDeal,
  DAY,
  deployProtocol,
  NO_TRANSFER_RULES,
  roles,
  standardTermSheet,
  USDC,
  type TransferRulesInput,
} from "./fixtures.js";

export const { ethers, networkHelpers } = await network.create();
export const { time, loadFixture } = networkHelpers;

// Restriction codes (contracts/libraries/TransferRules.sol).
export const Code = {
  SUCCESS: 0,
  PAUSED: 1,
  INSUFFICIENT_BALANCE: 2,
  TOKENS_LOCKED: 3,
  SENDER_NOT_REGISTERED: 4,
  SENDER_FROZEN: 5,
  SENDER_KYC_EXPIRED: 6,
  SENDER_COUNTRY_BLOCKED: 7,
  SENDER_CLASS_NOT_ALLOWED: 8,
  RECEIVER_NOT_REGISTERED: 9,
  RECEIVER_FROZEN: 10,
  RECEIVER_KYC_EXPIRED: 11,
  RECEIVER_COUNTRY_BLOCKED: 12,
  RECEIVER_CLASS_NOT_ALLOWED: 13,
  HOLDING_PERIOD: 14,
  BELOW_MIN_HOLDING: 15,
  MAX_HOLDERS: 16,
  AMOUNT_FROZEN: 17,
} as const;

export const ACCREDITED = 1;
export const QUALIFIED_PURCHASER = 2;
export const NON_US = 4;
export const US = 840;
export const GERMANY = 276;
export const NORTH_KOREA = 408;
export const IRAN = 364;
export const HOLDING_PERIOD = 30n * DAY;
/** Bound on a transfer to a new holder relative to OpenZeppelin's (see the gas test). */
export const GAS_RATIO_NEW_HOLDER = 1.4;
/**
 * Bound on what the senior's rules add to a transfer whose sender's tokens are past their holding period (see the gas
 * test): about 300 for classes, countries and the minimum holding, the rest the receiver's fresh lot (a cold read of
 * its slot, 2 100, and the lot's arithmetic).
 */
export const HOLDING_PERIOD_GAS = 4_500;
export const MIN_HOLDING = 1_000n * USDC;

export function bitmap(countries: number[]): [bigint, bigint, bigint, bigint] {
  const words: [bigint, bigint, bigint, bigint] = [0n, 0n, 0n, 0n];
  for (const c of countries) words[c >> 8] |= 1n << BigInt(c & 0xff);
  return words;
}

/** Senior: accredited or qualified purchasers, no North Korea or Iran, 30-day holding period, 1 000 USDC minimum. */
export const SENIOR_RULES: TransferRulesInput = {
  allowedClasses: ACCREDITED | QUALIFIED_PURCHASER,
  minHoldingPeriod: Number(HOLDING_PERIOD),
  maxHolders: 0,
  minHolding: MIN_HOLDING,
  blockedCountries: bitmap([NORTH_KOREA, IRAN]),
};
/** Mezzanine: at most two holding identities, nothing else. */
export const MEZZ_RULES: TransferRulesInput = { ...NO_TRANSFER_RULES, maxHolders: 2 };

// ------------------------------------------------------------------ fixtures

export async function dealFixture() {
  return dealFixtureWith(SENIOR_RULES);
}

/** The senior's holding period never ends in the token's 32-bit clocks. */
export async function endlessHoldingFixture() {
  return dealFixtureWith({ ...SENIOR_RULES, minHoldingPeriod: 2 ** 32 - 1 });
}

/** An 80-year holding period: from 2026 on, start + period no longer fits in 32 bits. */
export async function eightyYearHoldingFixture() {
  return dealFixtureWith({ ...SENIOR_RULES, minHoldingPeriod: 80 * 365 * 86_400 });
}

export async function dealFixtureWith(seniorRules: TransferRulesInput) {
  const protocol = await deployProtocol(ethers);
  const r = await roles(ethers);
  const signers = await ethers.getSigners();
  const [admin] = signers;
  const agent = signers[19];
  const registry = (await ethers.deployContract("InvestorRegistry", [
    admin.address,
  ])) as unknown as InvestorRegistry;
  await registry.grantRole(await registry.COMPLIANCE_AGENT_ROLE(), agent.address);
  const terms = await standardTermSheet(networkHelpers, protocol, r, {
    registry: await registry.getAddress(),
  });
  terms.tranches[0] = { ...terms.tranches[0], transfer: seniorRules };
  terms.tranches[1] = { ...terms.tranches[1], transfer: MEZZ_RULES };
  const h = await createDeal(ethers, protocol, terms);
  const kyc = BigInt(await time.latest()) + 3n * 365n * DAY;
  for (const inv of r.investors) {
    await registry.connect(agent).registerInvestor(inv.address, kyc, US, ACCREDITED);
  }
  // Three more registered wallets (a, b, c) and one that never registers (stranger).
  const [a, b, c, stranger] = [signers[16], signers[17], signers[18], signers[0]];
  for (const w of [a, b, c])
    await registry.connect(agent).registerInvestor(w.address, kyc, US, ACCREDITED);
  return {
    protocol,
    r,
    h,
    terms,
    registry,
    agent,
    kyc,
    a,
    b,
    c,
    stranger,
    senior: h.tokens[0],
    mezz: h.tokens[1],
  };
}

/** Every tranche subscribed and delivered (investor i holds tranche i), the holding period over. */
export async function activeFixture() {
  const f = await dealFixture();
  await activateDeal(networkHelpers, f.protocol, f.r, f.h);
  await time.increase(HOLDING_PERIOD);
  return { ...f, holder: f.r.investors[0] };
}

export async function expectRestricted(
  token: ITrancheToken,
  from: HardhatEthersSigner,
  to: string,
  amount: bigint,
  code: number,
): Promise<void> {
  expect(await token.detectTransferRestriction(from.address, to, amount)).to.equal(BigInt(code));
  await expect(token.connect(from).transfer(to, amount))
    .to.be.revertedWithCustomError(token, "TransferRestricted")
    .withArgs(code);
}

/** `account`'s tokens still in their holding period and when they are released (`freshTokens`). */
export async function lot(
  token: ITrancheToken,
  account: string,
): Promise<{ amount: bigint; releasedAt: bigint }> {
  const [amount, releasedAt] = await token.freshTokens(account);
  return { amount, releasedAt };
}

export async function impersonate(address: string): Promise<HardhatEthersSigner> {
  await networkHelpers.impersonateAccount(address);
  await networkHelpers.setBalance(address, 10n ** 20n);
  return ethers.getSigner(address);
}
