/**
 * The risk engine's test suite (test/RiskEngine/*.ts): one network connection shared by its files, so `loadFixture`
 * snapshots are reused across them, and the fixtures and helpers they share (on top of ./risk-fixtures.ts).
 */
import { expect } from "chai";
import { network } from "hardhat";

import {
  decliningBalanceDown,
  indexImpliedDown,
  straightLineDown,
} from "../../sdk/models/collateral.js";
import { WAD, type FleetEntryInput } from "./fixtures.js";
import {
  DepreciationMethod,
  K,
  M,
  RiskMetric,
  TriggerComparison,
  TriggerEffect,
  activate,
  buildRiskDeal,
  runPeriod,
  trigger,
  type RiskFixture,
} from "./risk-fixtures.js";

export const { ethers, networkHelpers } = await network.create();

export const SENIOR_RATE = (8n * WAD) / 100n;
export const JUNIOR_RATE = (12n * WAD) / 100n;
/** Cash-trap while DSCR < 1.2 (cures); event of default while DSCR < 1.0 (latches). */
export const DSCR_TRAP = trigger(
  RiskMetric.Dscr,
  TriggerComparison.Below,
  (12n * WAD) / 10n,
  TriggerEffect.CashTrap,
  1,
  true,
);
export const DSCR_DEFAULT = trigger(
  RiskMetric.Dscr,
  TriggerComparison.Below,
  WAD,
  TriggerEffect.Accelerate,
  1,
  false,
);

// ------------------------------------------------------------------ fixtures

export async function noFeedDeal() {
  return buildRiskDeal(ethers, networkHelpers, "none");
}

export async function activeNoFeed() {
  const f = await noFeedDeal();
  await activate(networkHelpers, f);
  return f;
}

export async function activeMockFeed() {
  const f = await buildRiskDeal(ethers, networkHelpers, "mock");
  await activate(networkHelpers, f);
  return f;
}

/** Clean-up call allowed once senior principal is at or below 20 % of its face. */
export async function activeCallable() {
  const f = await buildRiskDeal(ethers, networkHelpers, "none", (t) => {
    t.risk = { ...t.risk, cleanUpBps: 2_000 };
  });
  await activate(networkHelpers, f);
  return f;
}

/** An active deal whose issuer may call the notes at any time (clean-up at 100 % of senior face). */
export async function activeCallableAtPar() {
  const f = await buildRiskDeal(ethers, networkHelpers, "none", (t) => {
    t.risk = { ...t.risk, cleanUpBps: 10_000 };
  });
  await activate(networkHelpers, f);
  return f;
}

/**
 * The DSCR-triggered deal after period 0 collected 50 000: DSCR ≈ 0.80 fires both triggers; the deal is Accelerated.
 * The senior holder split its 6 M: 3 M to investor 3, one unit to investor 5, 3 M − 1 kept.
 */
export async function acceleratedDeal() {
  const f = await buildRiskDeal(ethers, networkHelpers, "none", (t) => {
    t.risk = { ...t.risk, triggers: [DSCR_TRAP, DSCR_DEFAULT], cleanUpBps: 10_000 };
  });
  await activate(networkHelpers, f);
  const run0 = await runPeriod(ethers, networkHelpers, f, 0, { revenue: 50n * K });
  const [holder, , , half, , one] = f.r.investors;
  await f.tokens[0].connect(holder).transfer(half.address, 3n * M);
  await f.tokens[0].connect(holder).transfer(one.address, 1n);
  return { ...f, run0 };
}

/** The accelerated deal with ballot 1 open (proposed by the issuer). */
export async function ballotOpen() {
  const f = await acceleratedDeal();
  await f.engine.connect(f.r.issuer).proposeWaiver();
  const deadline = (await f.engine.ballot()).deadline;
  return { ...f, deadline };
}

/** Everything a failing call must leave as it was: the deal's accounts and notes, the engine's state, balances. */
export async function stateOf(f: RiskFixture) {
  const coin = f.protocol.stablecoin;
  const tranches = [];
  for (let i = 0; i < f.tokens.length; i++)
    tranches.push(Array.from(await f.deal.tranche(i)).map(String));
  const fleet = [];
  for (let id = 0n; id < (await f.engine.fleetEntryCount()); id++) {
    const e = await f.engine.fleetEntry(id);
    fleet.push([e.activeCount, e.status]);
  }
  return {
    status: await f.deal.status(),
    reserve: Array.from(await f.deal.reserve()),
    collections: await f.deal.undistributedCollections(),
    recoveries: await f.deal.recoveries(),
    residualOwed: await f.deal.residualOwed(),
    fleetEntries: fleet,
    next: await f.deal.nextPeriod(),
    tranches,
    fleet: await f.engine.fleetEntryCount(),
    states: (await f.engine.triggerStates()).map((x) => Array.from(x)),
    ballot: Array.from(await f.engine.ballot()),
    balances: await Promise.all(
      [f.dealAddress, ...f.tokenAddresses, f.terms.issuer].map((a) => coin.balanceOf(a)),
    ),
  };
}

export async function expectUnchanged(f: RiskFixture, failing: () => Promise<void>) {
  const before = await stateOf(f);
  await failing();
  expect(await stateOf(f)).to.deep.equal(before);
}

export function dummyAssessInput() {
  return {
    period: 0n,
    finalPeriod: false,
    reported: true,
    valuationTime: 0n,
    gpuHoursAvailable: 0n,
    gpuHoursBilled: 0n,
    revenue: 0n,
    pledgedShareBps: 0n,
    cash: 0n,
    reserve: 0n,
    recoveries: 0n,
    reserveTarget: 0n,
    feesDue: 0n,
    outstanding: [],
    interestDue: [],
    principalDue: [],
    rentIn: 0n,
  };
}

/** Fleet value at `at` by the SDK model: per entry, book value (and the lower index-implied value when marked). */
export function sdkFleetValue(
  fleet: FleetEntryInput[],
  at: bigint,
  index = 0n,
  active?: number[],
): bigint {
  let total = 0n;
  fleet.forEach((e, i) => {
    const units = BigInt(active ? active[i] : e.count);
    if (units === 0n) return;
    const cost = e.unitCost * units;
    const residual = e.unitResidual * units;
    const age = at > e.acquiredAt ? at - e.acquiredAt : 0n;
    const life = BigInt(e.usefulLife);
    let value =
      e.method === DepreciationMethod.StraightLine
        ? straightLineDown(cost, residual, life, age)
        : decliningBalanceDown(cost, residual, e.yearlyRate, life, age);
    if (index !== 0n && e.indexAtAcquisition !== 0n) {
      const implied = indexImpliedDown(cost, e.indexAtAcquisition, index);
      if (implied < value) value = implied;
    }
    total += value;
  });
  return total;
}
