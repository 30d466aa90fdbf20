/**
 * The tranche token's test suite (test/TrancheToken/*.ts): one network connection shared by its files, so
 * `loadFixture` snapshots are reused across them, and the fixtures and helpers they share.
 */
import { network } from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";

import type { ITrancheToken } from "../../types/ethers-contracts/index.js";
import {
  activateDeal,
  createDeal,
  deployProtocol,
  equity,
  fixedNote,
  PrincipalType,
  roles,
  standardTermSheet,
  subscribe,
  USDC,
  WAD,
} from "./fixtures.js";
import { distributedEvents, preparePeriod, runPeriod } from "./token-helpers.js";

export const { ethers, networkHelpers } = await network.create();
export const { time, loadFixture } = networkHelpers;

export const SENIOR_FACE = 6_000_000n * USDC;

// ------------------------------------------------------------------ fixtures

/** The standard deal created, offerings not yet open. */
export async function createdFixture() {
  const protocol = await deployProtocol(ethers);
  const r = await roles(ethers);
  const signers = await ethers.getSigners();
  const terms = await standardTermSheet(networkHelpers, protocol, r);
  const h = await createDeal(ethers, protocol, terms);
  return {
    protocol,
    r,
    h,
    terms,
    deal: h.deal,
    tokens: h.tokens,
    senior: h.tokens[0],
    stablecoin: protocol.stablecoin,
    holder: r.investors[0],
    extra: [signers[16], signers[17], signers[18], signers[19], ...r.investors.slice(4)],
    outsider: signers[17],
  };
}

/** The standard deal, fully subscribed and claimed (investor i holds all of tranche i), active at its start. */
export async function activeFixture() {
  const f = await createdFixture();
  await activateDeal(networkHelpers, f.protocol, f.r, f.h);
  return f;
}

/**
 * Senior subscribed by investor 0 (4 M, claimed at close) and investor 4 (2 M, left in the offering); the other
 * tranches fully subscribed and claimed. Two periods distributed before investor 4 claims.
 */
export async function lateClaimFixture() {
  const f = await createdFixture();
  const late = f.r.investors[4];
  await time.increaseTo(f.terms.offeringOpensAt);
  await subscribe(f.protocol, f.h.offerings[0], f.holder, 4_000_000n * USDC);
  await subscribe(f.protocol, f.h.offerings[0], late, 2_000_000n * USDC);
  for (let i = 1; i < 4; i++) {
    await subscribe(f.protocol, f.h.offerings[i], f.r.investors[i], f.terms.tranches[i].faceAmount);
  }
  await time.increaseTo(f.terms.offeringClosesAt);
  for (const o of f.h.offerings) await o.close();
  await f.h.offerings[0]
    .connect(f.holder)
    ["deposit(uint256,address)"](4_000_000n * USDC, f.holder.address);
  for (let i = 1; i < 4; i++) {
    const inv = f.r.investors[i];
    await f.h.offerings[i]
      .connect(inv)
      ["deposit(uint256,address)"](f.terms.tranches[i].faceAmount, inv.address);
  }
  const indexes: bigint[] = [];
  for (const p of [0n, 1n]) {
    const receipt = await runPeriod(ethers, networkHelpers, f.protocol, f.r, f.deal, p);
    indexes.push(distributedEvents(receipt, f.senior)[0].index);
  }
  return { ...f, late, offering: f.h.offerings[0], indexes };
}

/** Period 0 ready to distribute, the senior tranche held by one holder. */
export async function gasOneHolderFixture() {
  const f = await activeFixture();
  await preparePeriod(ethers, networkHelpers, f.protocol, f.r, f.deal, 0n);
  return f;
}

export const MANY = 1_000;
/** Same as {gasOneHolderFixture} but the senior tranche is spread over 1 000 holders. */
export async function gasManyHoldersFixture() {
  const f = await activeFixture();
  const senior = f.senior.connect(f.holder);
  // Automine mines each transfer as it is sent; only the number of holders matters, not the receipts.
  for (let i = 0; i < MANY - 1; i++) {
    await senior.transfer(ethers.Wallet.createRandom().address, 1_000n + BigInt(i));
  }
  await preparePeriod(ethers, networkHelpers, f.protocol, f.r, f.deal, 0n);
  return f;
}

export const E18 = 10n ** 18n;
/** A deal on an 18-decimals stablecoin, activated. */
export async function decimals18Fixture() {
  const protocol = await deployProtocol(ethers, 18);
  const r = await roles(ethers);
  const base = await standardTermSheet(networkHelpers, protocol, r);
  const units = (t: ReturnType<typeof fixedNote>) => ({ ...t, minRaise: E18, minTicket: E18 });
  const terms = {
    ...base,
    trusteeFeePerPeriod: 2_000n * E18,
    reserveTarget: 150_000n * E18,
    keeperBounty: 50n * E18,
    // The revenue bound is in stablecoin units per GPU-hour: 10 whole units at 18 decimals.
    oracle: { ...base.oracle, maxPricePerGpuHour: 10n * E18 },
    tranches: [
      units(
        fixedNote("Senior 18", 6_000_000n * E18, (8n * WAD) / 100n, {
          scheduleType: PrincipalType.StraightLine,
          amortStartPeriod: 3,
          amortPeriods: 9,
        }),
      ),
      units(fixedNote("Junior 18", 1_000_000n * E18, (14n * WAD) / 100n)),
      units(equity("Equity 18", 1_000_000n * E18)),
    ],
  };
  const h = await createDeal(ethers, protocol, terms);
  await activateDeal(networkHelpers, protocol, r, h);
  return { protocol, r, h, terms };
}

export async function impersonate(address: string): Promise<HardhatEthersSigner> {
  await networkHelpers.impersonateAccount(address);
  await networkHelpers.setBalance(address, 10n ** 20n);
  return ethers.getSigner(address);
}

export async function sumClaimable(token: ITrancheToken, accounts: string[]): Promise<bigint> {
  let sum = 0n;
  for (const a of accounts) sum += await token.claimable(a);
  return sum;
}
