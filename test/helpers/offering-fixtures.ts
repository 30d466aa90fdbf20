/**
 * The offering's test suite (test/Offering/*.ts): one network connection shared by its files, so `loadFixture`
 * snapshots are reused across them, and the fixtures and helpers they share.
 */
import { network } from "hardhat";

import { createDeal, deployProtocol, roles, standardTermSheet, USDC } from "./fixtures.js";
import { MAX_UINT256, smallTermSheet } from "./token-helpers.js";

export const { ethers, networkHelpers } = await network.create();
export const { time, loadFixture } = networkHelpers;

export const SENIOR_CAP = 1_000n * USDC;
export const MIN_RAISE = 400n * USDC;
export const MIN_TICKET = 100n * USDC;
export const RESERVE_BPS = 250n;
export const BPS = 10_000n;

// ------------------------------------------------------------------ fixtures

/** A deal with a small senior offering (cap 1 000, min raise 400, min ticket 100, 2.5 % reserve) not yet open. */
export async function deployFixture() {
  const protocol = await deployProtocol(ethers);
  const r = await roles(ethers);
  const signers = await ethers.getSigners();
  const terms = smallTermSheet(await standardTermSheet(networkHelpers, protocol, r));
  const h = await createDeal(ethers, protocol, terms);
  const offering = h.offerings[0];
  const token = h.tokens[0];
  const offeringAddress = await offering.getAddress();
  const [alice, bob, carol, dave, eve] = r.investors;
  const operator = signers[16];
  const outsider = signers[17];
  for (const inv of [alice, bob, carol, dave]) {
    await protocol.stablecoin.mint(inv.address, 10_000n * USDC);
    await protocol.stablecoin.connect(inv).approve(offeringAddress, MAX_UINT256);
  }
  return {
    protocol,
    r,
    h,
    terms,
    deal: h.deal,
    offering,
    token,
    offeringAddress,
    stablecoin: protocol.stablecoin,
    alice,
    bob,
    carol,
    dave,
    eve,
    operator,
    outsider,
  };
}

/** The window is open. */
export async function openFixture() {
  const f = await deployFixture();
  await time.increaseTo(f.terms.offeringOpensAt);
  return f;
}

export type F = Awaited<ReturnType<typeof openFixture>>;

export async function requestAndClose(f: F, requests: [typeof f.alice, bigint][]) {
  for (const [inv, amount] of requests) {
    await f.offering.connect(inv).requestDeposit(amount, inv.address, inv.address);
  }
  await time.increaseTo(f.terms.offeringClosesAt);
  await f.offering.close();
}

/** Alice 300.000002 + Bob 250.000001 = 550.000003 (between min raise and cap), closed. */
export async function undersubscribedFixture() {
  const f = await openFixture();
  await requestAndClose(f, [
    [f.alice, 300_000_002n],
    [f.bob, 250_000_001n],
  ]);
  return f;
}

/** Alice 333.333333 + Bob 500.000001 + Carol 700.000007 = 1 533.333341 > cap 1 000, closed. */
export const OVER = [333_333_333n, 500_000_001n, 700_000_007n];
export const OVER_TOTAL = OVER[0] + OVER[1] + OVER[2];
export async function oversubscribedFixture() {
  const f = await openFixture();
  await requestAndClose(f, [
    [f.alice, OVER[0]],
    [f.bob, OVER[1]],
    [f.carol, OVER[2]],
  ]);
  return f;
}

/** Alice 150 + Bob 100 = 250 < min raise 400, closed: failed. */
export async function failedFixture() {
  const f = await openFixture();
  await requestAndClose(f, [
    [f.alice, 150n * USDC],
    [f.bob, 100n * USDC],
  ]);
  return f;
}

/** Cumulative pro-rata allocation in settlement order, as the interface specifies it. */
export function expectedAllocations(
  requests: bigint[],
  order: number[],
  accepted: bigint,
): bigint[] {
  const total = requests.reduce((a, b) => a + b, 0n);
  const out: bigint[] = new Array(requests.length).fill(0n);
  let settled = 0n;
  let settledAlloc = 0n;
  for (const i of order) {
    settled += requests[i];
    out[i] = (settled * accepted) / total - settledAlloc;
    settledAlloc += out[i];
  }
  return out;
}

export function plainConfig(c: Awaited<ReturnType<F["offering"]["config"]>>) {
  return [
    c.deal,
    c.asset,
    c.proceedsReceiver,
    c.trancheIndex,
    c.opensAt,
    c.closesAt,
    c.cap,
    c.minRaise,
    c.minTicket,
    c.reserveFundingBps,
  ];
}

export function permutations<T>(xs: T[]): T[][] {
  if (xs.length <= 1) return [xs];
  return xs.flatMap((x, i) =>
    permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]),
  );
}
