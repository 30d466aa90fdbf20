/**
 * The deal's test suite (test/Deal/*.ts): one network connection shared by its files, so `loadFixture` snapshots are
 * reused across them, and the fixtures and helpers they share.
 */
import { expect } from "chai";
import type { ContractTransactionReceipt } from "ethers";
import { network } from "hardhat";

import type { IDeal } from "../../types/ethers-contracts/index.js";
import {
  PrincipalType,
  USDC,
  WAD,
  activateDeal,
  createDeal,
  deployProtocol,
  equity,
  fixedNote,
  roles,
  standardTermSheet,
  submitReport,
  subscribe,
  type DealHandles,
  type Protocol,
  type Roles,
  type TermSheetInput,
} from "./fixtures.js";
import { dealEvents, keeperPaidIn, performData, plain, type PeriodPlan } from "./deal-scenario.js";

export const { ethers, networkHelpers } = await network.create();

export const K = 1_000n * USDC;
export const M = 1_000_000n * USDC;

export async function extraSigners() {
  const s = await ethers.getSigners();
  return { outsider: s[16], keeper: s[17], keeper2: s[18] };
}

export async function fundServicer(protocol: Protocol, r: Roles, h: DealHandles) {
  await protocol.stablecoin.mint(r.servicer.address, 1_000_000_000n * USDC);
  await protocol.stablecoin
    .connect(r.servicer)
    .approve(await h.deal.getAddress(), ethers.MaxUint256);
}

export async function buildDeal(edit: (t: TermSheetInput) => void) {
  const protocol = await deployProtocol(ethers);
  const r = await roles(ethers);
  const terms = await standardTermSheet(networkHelpers, protocol, r);
  edit(terms);
  const h = await createDeal(ethers, protocol, terms);
  await fundServicer(protocol, r, h);
  return {
    protocol,
    r,
    h,
    deal: h.deal,
    dealAddress: await h.deal.getAddress(),
    ...(await extraSigners()),
  };
}

/**
 * Reports each of `periods` (first two reporters) at its end, before its report deadline, and waits out the dispute
 * window, so each is final; ends one dispute window after the last period's end.
 */
export async function reportEach(
  protocol: Protocol,
  r: Roles,
  deal: IDeal,
  periods: bigint[],
  revenue: bigint,
): Promise<void> {
  for (const p of periods) {
    const end = await deal.periodEnd(p);
    if (BigInt(await networkHelpers.time.latest()) < end) await networkHelpers.time.increaseTo(end);
    await submitReport(ethers, networkHelpers, protocol, r, deal, p, revenue);
  }
}

/**
 * The standard deal with 3 % of the senior raise (180 000) funding the reserve, above its 150 000 target.
 * Offerings open; nothing subscribed.
 */
export async function dealFixture() {
  return buildDeal((t) => {
    t.tranches[0] = { ...t.tranches[0], reserveFundingBps: 300 };
  });
}

/** The same deal, fully subscribed, every offering closed: Active at its start. */
export async function activeDealFixture() {
  const f = await dealFixture();
  await activateDeal(networkHelpers, f.protocol, f.r, f.h);
  return f;
}

/**
 * The standard deal with its reserve funded above target, but a mezzanine coupon slope of 2 % instead of 20 %:
 * at U = 0 its formula gives 11 % − 0.02 × 70 % = 9.6 %, above its 8 % floor, so an unreported period (floor)
 * and a period reported at zero utilization (9.6 %) pay different coupons.
 */
export async function activeLowSlopeDealFixture() {
  const f = await buildDeal((t) => {
    t.tranches[0] = { ...t.tranches[0], reserveFundingBps: 300 };
    t.tranches[1] = {
      ...t.tranches[1],
      coupon: { ...t.tranches[1].coupon, slope: (2n * WAD) / 100n },
    };
  });
  await activateDeal(networkHelpers, f.protocol, f.r, f.h);
  return f;
}

/** The standard deal with no reserve funding, active. */
export async function activeUnreservedDealFixture() {
  const f = await buildDeal(() => {});
  await activateDeal(networkHelpers, f.protocol, f.r, f.h);
  return f;
}

/**
 * A 4-period deal: one senior note of 1 000 000 at 10 % amortizing over periods 0 and 1, a reserve funded at
 * 5 % (50 000 = target), and an equity class nobody subscribed (its offering fails, no equity is issued).
 */
export async function shortDealNoEquityFixture() {
  const f = await buildDeal((t) => {
    t.periodCount = 4;
    t.reserveTarget = 50n * K;
    t.trusteeFeePerPeriod = 1n * K;
    t.tranches = [
      {
        ...fixedNote("Senior", M, WAD / 10n, {
          scheduleType: PrincipalType.StraightLine,
          amortStartPeriod: 0,
          amortPeriods: 2,
        }),
        reserveFundingBps: 500,
      },
      { ...equity("Equity", M), minRaise: 100n * K },
    ];
  });
  await networkHelpers.time.increaseTo(f.h.terms.offeringOpensAt);
  await subscribe(f.protocol, f.h.offerings[0], f.r.investors[0], M);
  await networkHelpers.time.increaseTo(f.h.terms.offeringClosesAt);
  for (const o of f.h.offerings) await o.close();
  await f.h.offerings[0]
    .connect(f.r.investors[0])
    ["deposit(uint256,address)"](M, f.r.investors[0].address);
  return f;
}

/** A standard deal on a token that burns 1 % of every transfer, Offering status. */
export async function feeTokenDealFixture() {
  const protocol = await deployProtocol(ethers);
  const r = await roles(ethers);
  const fee = await ethers.deployContract("FeeOnTransferToken");
  const feeProtocol = { ...protocol, stablecoin: fee as unknown as Protocol["stablecoin"] };
  const terms = await standardTermSheet(networkHelpers, feeProtocol, r);
  const h = await createDeal(ethers, protocol, terms);
  await fee.mint(r.servicer.address, 1_000_000n * USDC);
  await fee.connect(r.servicer).approve(await h.deal.getAddress(), ethers.MaxUint256);
  return { protocol, r, h, deal: h.deal, fee, ...(await extraSigners()) };
}

export function plan(
  revenue: bigint,
  deposit: bigint,
  billed = 700_000n,
  available = 1_000_000n,
): PeriodPlan {
  return { revenue, deposit, billed, available };
}

/** A period with no report, marked unreported once its deadline passed; `deposit` is made before it runs. */
export function unreported(deposit: bigint): PeriodPlan {
  return { revenue: 0n, deposit, billed: 0n, available: 0n, unreported: true };
}

export const abi = ethers.AbiCoder.defaultAbiCoder();
export const encode1 = (n: bigint) => abi.encode(["uint256"], [n]);

/**
 * readyPeriod() and checkUpkeep(checkData) agree: for each way of asking (empty checkData, one, three, every
 * period, zero periods) the answer is (ready && n > 0, abi.encode(period, n)).
 */
export async function expectUpkeep(deal: IDeal, ready: boolean, period: bigint) {
  expect(await deal.readyPeriod(), `readyPeriod`).to.deep.equal([ready, period]);
  expect(plain(await deal.checkUpkeep("0x")), "checkUpkeep(empty)").to.deep.equal([
    ready,
    performData(ethers, period, 1n),
  ]);
  for (const n of [1n, 3n, ethers.MaxUint256]) {
    expect(plain(await deal.checkUpkeep(encode1(n))), `checkUpkeep(${n})`).to.deep.equal([
      ready,
      performData(ethers, period, n),
    ]);
  }
  expect(plain(await deal.checkUpkeep(encode1(0n))), "checkUpkeep(0)").to.deep.equal([
    false,
    performData(ethers, period, 0n),
  ]);
}

/** Stablecoin balances of everyone a distribution could pay, and of the deal itself. */
export async function balances(f: Awaited<ReturnType<typeof dealFixture>>): Promise<bigint[]> {
  const accounts = [
    f.keeper.address,
    f.keeper2.address,
    f.outsider.address,
    f.r.trustee.address,
    f.r.servicer.address,
    f.r.issuer.address,
    f.dealAddress,
    ...(await Promise.all(f.h.tokens.map((t) => t.getAddress()))),
  ];
  return Promise.all(accounts.map((a) => f.protocol.stablecoin.balanceOf(a)));
}

/** The periods of the PeriodDistributed events and [period, keeper, bounty] of their statements, in order. */
export function upkeepLog(
  f: { deal: IDeal; dealAddress: string },
  receipt: ContractTransactionReceipt,
) {
  const events = dealEvents(f.deal, f.dealAddress, receipt);
  return {
    periods: events.filter((e) => e.name === "PeriodDistributed").map((e) => e.args[0]),
    keeperPaid: keeperPaidIn(f.deal, f.dealAddress, receipt),
  };
}
