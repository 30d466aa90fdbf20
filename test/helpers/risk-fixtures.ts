import { expect } from "chai";
import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { NetworkHelpers } from "@nomicfoundation/hardhat-network-helpers/types";
import type { ContractTransactionReceipt, Log } from "ethers";

import type {
  IDeal,
  GpuPriceIndexFeed,
  MockAggregator,
  RiskEngine,
  ITrancheToken,
} from "../../types/ethers-contracts/index.js";
import {
  DAY,
  DepreciationMethod,
  PrincipalType,
  USDC,
  WAD,
  activateDeal,
  createDeal,
  deployProtocol,
  equity,
  fixedNote,
  markUnreported,
  roles,
  standardTermSheet,
  submitReport,
  type DealHandles,
  type FacilityFigures,
  type FleetEntryInput,
  type Protocol,
  type RiskTermsInput,
  type Roles,
  type TermSheetInput,
  type TriggerTermsInput,
  RiskMetric,
  TriggerComparison,
  TriggerEffect,
} from "./fixtures.js";
import type { RefMetrics, RefStatement } from "./waterfall-reference.js";

export const K = 1_000n * USDC;
export const M = 1_000_000n * USDC;
export const YEAR = 365n * DAY;
export const MAX_UINT256 = 2n ** 256n - 1n;
/** Decimals of the GPU rental-price index ($ per GPU-hour, Chainlink style). */
export const INDEX_DECIMALS = 8;
/** $2.00 per GPU-hour: the index level at which the fleet was bought. */
export const INDEX_AT_ACQUISITION = 2n * 10n ** 8n;
export const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";

/** IRiskEngine.IndexRejection. */
export enum IndexRejection {
  Reverted = 0,
  NonPositive = 1,
  TooLarge = 2,
  Stale = 3,
  FromFuture = 4,
  Malformed = 5,
}

/** IRiskEngine.FleetEntryStatus. */
export enum FleetEntryStatus {
  Pending = 0,
  Confirmed = 1,
  Rejected = 2,
}

/** IDeal.TermSheetField (the risk fields, FaceAmount and Appraisal). */
export enum TermSheetField {
  FaceAmount = 15,
  TrailingPeriods = 21,
  CleanUp = 22,
  WaiverPeriod = 23,
  PriceFeed = 24,
  Trigger = 25,
  Fleet = 26,
  Appraisal = 30,
}

export function trigger(
  metric: RiskMetric,
  comparison: TriggerComparison,
  threshold: bigint,
  effect: TriggerEffect,
  periods = 1,
  cures = effect === TriggerEffect.CashTrap,
): TriggerTermsInput {
  return { metric, comparison, effect, periods, cures, threshold };
}

/** A fleet entry bought at `acquiredAt`; `marked` ties it to the price index at $2.00. */
export function fleetEntry(
  model: string,
  count: number,
  unitCost: bigint,
  unitResidual: bigint,
  acquiredAt: bigint,
  lifeYears: number,
  method: DepreciationMethod,
  yearlyRate = 0n,
  marked = false,
): FleetEntryInput {
  const bytes = Buffer.alloc(16);
  bytes.write(model);
  return {
    model: "0x" + bytes.toString("hex"),
    count,
    unitCost,
    unitResidual,
    acquiredAt,
    usefulLife: lifeYears * Number(YEAR),
    method,
    yearlyRate,
    indexAtAcquisition: marked ? INDEX_AT_ACQUISITION : 0n,
  };
}

/**
 * The four-line fleet of the risk deals, bought at `acquiredAt` (14 368 000 at cost): 256 H100 at 30 000 (straight
 * line to 3 000 over 5 years), 128 H200 at 40 000 (declining balance 30 % a year to 4 000 over 6 years), 64 A100 at
 * 12 000 (straight line to 1 000 over 4 years), 100 L40S at 8 000 (declining balance 25 % to 500 over 5 years).
 * With `marked`, every line is marked to the price index.
 */
export function standardFleet(acquiredAt: bigint, marked: boolean): FleetEntryInput[] {
  return [
    fleetEntry(
      "H100",
      256,
      30n * K,
      3n * K,
      acquiredAt,
      5,
      DepreciationMethod.StraightLine,
      0n,
      marked,
    ),
    fleetEntry(
      "H200",
      128,
      40n * K,
      4n * K,
      acquiredAt,
      6,
      DepreciationMethod.DecliningBalance,
      (30n * WAD) / 100n,
      marked,
    ),
    fleetEntry(
      "A100",
      64,
      12n * K,
      1n * K,
      acquiredAt,
      4,
      DepreciationMethod.StraightLine,
      0n,
      marked,
    ),
    fleetEntry(
      "L40S",
      100,
      8n * K,
      500n * USDC,
      acquiredAt,
      5,
      DepreciationMethod.DecliningBalance,
      (25n * WAD) / 100n,
      marked,
    ),
  ];
}

export type FeedKind = "none" | "index" | "mock";

export interface RiskFixture {
  protocol: Protocol;
  r: Roles;
  h: DealHandles;
  deal: IDeal;
  dealAddress: string;
  engine: RiskEngine;
  tokens: ITrancheToken[];
  tokenAddresses: string[];
  terms: TermSheetInput;
  index?: GpuPriceIndexFeed;
  mock?: MockAggregator;
  keeper: HardhatEthersSigner;
  outsider: HardhatEthersSigner;
  publisher: HardhatEthersSigner;
}

export interface RiskTermsSetup {
  protocol: Protocol;
  r: Roles;
  terms: TermSheetInput;
  index?: GpuPriceIndexFeed;
  mock?: MockAggregator;
  outsider: HardhatEthersSigner;
  keeper: HardhatEthersSigner;
  publisher: HardhatEthersSigner;
}

/** Deploys the protocol (and the feed) and builds the risk deal's term sheet without creating the deal. */
export async function riskTermSheet(
  ethers: HardhatEthers,
  networkHelpers: NetworkHelpers,
  feedKind: FeedKind,
): Promise<RiskTermsSetup> {
  const protocol = await deployProtocol(ethers);
  const r = await roles(ethers);
  const s = await ethers.getSigners();
  const [outsider, keeper, publisher] = [s[16], s[17], s[18]];
  let index: GpuPriceIndexFeed | undefined;
  let mock: MockAggregator | undefined;
  let feed = ZERO_ADDRESS;
  if (feedKind === "index") {
    index = await ethers.deployContract("GpuPriceIndexFeed", [
      protocol.admin.address,
      publisher.address,
      INDEX_DECIMALS,
      "H100 rental $/GPU-hour",
    ]);
    feed = await index.getAddress();
    // The factory refuses a feed that does not answer: the index has a round before the deal is created.
    await index
      .connect(publisher)
      .publish(INDEX_AT_ACQUISITION, BigInt(await networkHelpers.time.latest()));
  } else if (feedKind === "mock") {
    mock = await ethers.deployContract("MockAggregator", [INDEX_DECIMALS]);
    feed = await mock.getAddress();
  }
  const base = await standardTermSheet(networkHelpers, protocol, r);
  const risk: RiskTermsInput = {
    trailingPeriods: 3,
    cleanUpBps: 0,
    turbo: false,
    waiverVotingPeriod: Number(7n * DAY),
    priceFeed:
      feed === ZERO_ADDRESS
        ? { feed, decimals: 0, maxStaleness: 0 }
        : { feed, decimals: INDEX_DECIMALS, maxStaleness: Number(DAY) },
    triggers: [],
    fleet: standardFleet(base.start, feed !== ZERO_ADDRESS),
    appraisalMaxAge: 0,
  };
  const terms: TermSheetInput = {
    ...base,
    risk,
    tranches: [
      {
        ...fixedNote("Senior", 6n * M, (8n * WAD) / 100n, {
          scheduleType: PrincipalType.StraightLine,
          amortStartPeriod: 3,
          amortPeriods: 9,
        }),
        reserveFundingBps: 300,
      },
      fixedNote("Junior", 2n * M, (12n * WAD) / 100n),
      equity("Equity", 1n * M),
    ],
  };
  return { protocol, r, terms, index, mock, outsider, keeper, publisher };
}

/**
 * A 12-period monthly deal with risk terms: senior 6 M at 8 % straight-line from period 3 over 9 periods (3 % of
 * its raise, 180 000, funds the reserve above its 150 000 target), junior 2 M bullet at 12 %, equity 1 M. Fees:
 * keeper 50, trustee 2 000 a period, servicer 1 % of cash; 100 % of revenue pledged. `edit` sets the risk terms
 * (default: no triggers, the standard fleet bought at the deal start, trailing window 3). With a feed, its address and
 * decimals are filled in and the fleet is marked to it.
 */
export async function buildRiskDeal(
  ethers: HardhatEthers,
  networkHelpers: NetworkHelpers,
  feedKind: FeedKind,
  edit: (t: TermSheetInput) => void = () => {},
): Promise<RiskFixture> {
  const setup = await riskTermSheet(ethers, networkHelpers, feedKind);
  const { protocol, r, terms } = setup;
  edit(terms);
  const h = await createDeal(ethers, protocol, terms);
  const deal = h.deal;
  const dealAddress = await deal.getAddress();
  const engine = await ethers.getContractAt("RiskEngine", await deal.riskEngine());
  await protocol.stablecoin.mint(r.servicer.address, 1_000_000_000n * USDC);
  await protocol.stablecoin.connect(r.servicer).approve(dealAddress, ethers.MaxUint256);
  return {
    ...setup,
    h,
    deal,
    dealAddress,
    engine,
    tokens: h.tokens,
    tokenAddresses: await Promise.all(h.tokens.map((t) => t.getAddress())),
  };
}

/** Subscribes every tranche in full (investor i buys tranche i), closes the offerings: Active at the deal start. */
export async function activate(networkHelpers: NetworkHelpers, f: RiskFixture): Promise<void> {
  await activateDeal(networkHelpers, f.protocol, f.r, f.h);
}

/** One trigger per metric, none in breach for a healthy deal (DSCR well above 0.5, utilization above 30 %). */
export const QUIET_TRIGGERS: TriggerTermsInput[] = [
  trigger(RiskMetric.Dscr, TriggerComparison.Below, WAD / 2n, TriggerEffect.CashTrap),
  trigger(RiskMetric.TrailingDscr, TriggerComparison.Below, WAD / 2n, TriggerEffect.CashTrap),
  trigger(
    RiskMetric.Utilization,
    TriggerComparison.Below,
    (30n * WAD) / 100n,
    TriggerEffect.CashTrap,
  ),
  trigger(RiskMetric.Ltv, TriggerComparison.Above, (95n * WAD) / 100n, TriggerEffect.Accelerate),
  trigger(
    RiskMetric.SeniorCurve,
    TriggerComparison.Above,
    (90n * WAD) / 100n,
    TriggerEffect.Accelerate,
  ),
  trigger(RiskMetric.ReserveLevel, TriggerComparison.Below, WAD / 2n, TriggerEffect.CashTrap),
  trigger(
    RiskMetric.ServicerShortfall,
    TriggerComparison.Above,
    (20n * WAD) / 100n,
    TriggerEffect.CashTrap,
  ),
  trigger(RiskMetric.MissedReport, TriggerComparison.Above, 0n, TriggerEffect.Accelerate),
];

// ------------------------------------------------------------------ statements

/** A statement's metrics and the statement itself, as the reference model types them. */
export type Metrics = RefMetrics;
export type Statement = Omit<RefStatement, "mode"> & { mode: number };

export function metricsOf(x: unknown): Metrics {
  const a = x as unknown[];
  if (a.length !== 16) throw new Error(`metrics have ${a.length} fields, expected 16`);
  const n = (i: number) => a[i] as bigint;
  return {
    cashAvailableForDebtService: n(0),
    debtService: n(1),
    dscr: n(2),
    trailingDscr: n(3),
    utilization: n(4),
    collateralValue: n(5),
    notesOutstanding: n(6),
    ltv: n(7),
    seniorCurve: n(8),
    reserveLevel: n(9),
    servicerShortfall: n(10),
    breakEvenUtilization: n(11),
    overcollateralization: Array.from(a[12] as bigint[]),
    interestCoverage: Array.from(a[13] as bigint[]),
    breachedMask: n(14),
    activeMask: n(15),
  };
}

export function statementOf(x: unknown): Statement {
  const a = x as unknown[];
  if (a.length !== 28) throw new Error(`statement has ${a.length} fields, expected 28`);
  const n = (i: number) => a[i] as bigint;
  return {
    period: n(0),
    reported: a[1] as boolean,
    cashIn: n(2),
    reserveReleased: n(3),
    reserveDrawn: n(4),
    keeperBountyPaid: n(5),
    trusteeFeePaid: n(6),
    servicerFeePaid: n(7),
    interestPaid: Array.from(a[8] as bigint[]),
    reserveToppedUp: n(9),
    principalPaid: Array.from(a[10] as bigint[]),
    residualPaid: n(11),
    utilization: n(12),
    reserveTrapped: n(13),
    collectionsCarried: n(14),
    reserveAfter: n(15),
    mode: Number(a[16] as bigint),
    metrics: metricsOf(a[17]),
    keeper: a[18] as string,
    trusteeFeeArrears: n(19),
    servicerFeeArrears: n(20),
    interestDue: Array.from(a[21] as bigint[]),
    outstanding: Array.from(a[22] as bigint[]),
    residualRecipient: a[23] as string,
    recoveriesApplied: n(24),
    rentIn: n(25),
    rentPaid: n(26),
    rentArrears: n(27),
  };
}

const sum = (xs: bigint[]) => xs.reduce((x, y) => x + y, 0n);

/**
 * cashIn + recoveriesApplied + reserveReleased + reserveDrawn == every payment, the trapped reserve and the residual
 * included.
 */
export function expectConservation(s: Statement): void {
  const sources = s.cashIn + s.recoveriesApplied + s.reserveReleased + s.reserveDrawn;
  const uses =
    s.rentPaid +
    s.keeperBountyPaid +
    s.trusteeFeePaid +
    s.servicerFeePaid +
    sum(s.interestPaid) +
    s.reserveToppedUp +
    sum(s.principalPaid) +
    s.reserveTrapped +
    s.residualPaid;
  expect(uses, `conservation, period ${s.period}`).to.equal(sources);
}

// ------------------------------------------------------------------ running periods

export interface RiskPlan {
  revenue: bigint;
  /** Collections deposited before the waterfall (default: the revenue, all of it pledged). */
  deposit?: bigint;
  billed?: bigint;
  available?: bigint;
  unreported?: boolean;
  /** The report's energy, PUE and appraisal (default: none). */
  facility?: FacilityFigures;
  /** Publishes this index level (GpuPriceIndexFeed) or sets it (mock, observed now) just before the waterfall. */
  index?: bigint;
  /** Runs just before the waterfall (after the report, the deposit and the index). */
  beforeDistribute?: () => Promise<void>;
}

export interface PeriodRun {
  receipt: ContractTransactionReceipt;
  statement: Statement;
  /** TriggersEvaluated: values, breached mask, active mask, counts. */
  triggerValues: bigint[];
  counts: bigint;
  fired: [bigint, bigint][];
  cured: [bigint, bigint][];
  rejected: { reason: number; answer: bigint; updatedAt: bigint }[];
  /** Stablecoin received by each party in the waterfall transaction. */
  toTokens: bigint[];
}

function parse<T extends { interface: { parseLog(l: Log): unknown } }>(
  c: T,
  address: string,
  receipt: ContractTransactionReceipt,
  name: string,
): unknown[][] {
  return receipt.logs
    .filter((l) => l.address.toLowerCase() === address.toLowerCase())
    .map((l) => c.interface.parseLog(l) as { name: string; args: unknown[] } | null)
    .filter((p) => p?.name === name)
    .map((p) => Array.from(p!.args));
}

/**
 * Runs `period`: moves to its end, has every reporter sign a report (or marks it unreported), deposits the
 * collections, publishes the index, and distributes as the keeper. Checks the statement's conservation, that the
 * risk engine's TriggersEvaluated masks equal the statement's metrics, and that every party (keeper, trustee, servicer, tokens, issuer,
 * deal) received exactly what the statement says, to the wei.
 */
export async function runPeriod(
  ethers: HardhatEthers,
  networkHelpers: NetworkHelpers,
  f: RiskFixture,
  period: number,
  plan: RiskPlan,
): Promise<PeriodRun> {
  const { deal, protocol, r } = f;
  const coin = protocol.stablecoin;
  const end = await deal.periodEnd(period);
  if (BigInt(await networkHelpers.time.latest()) < end) await networkHelpers.time.increaseTo(end);
  if (plan.unreported) {
    await markUnreported(networkHelpers, protocol, deal, BigInt(period), f.keeper);
  } else {
    await submitReport(
      ethers,
      networkHelpers,
      protocol,
      r,
      deal,
      BigInt(period),
      plan.revenue,
      plan.billed ?? 700_000n,
      plan.available ?? 1_000_000n,
      r.reporters,
      plan.facility,
    );
  }
  const deposit = plan.deposit ?? plan.revenue;
  if (deposit > 0n) await deal.connect(r.servicer).depositCollections(deposit);
  if (plan.index !== undefined) {
    const now = BigInt(await networkHelpers.time.latest());
    if (f.index) await f.index.connect(f.publisher).publish(plan.index, now);
    else if (f.mock) await f.mock.set(plan.index, now);
  }

  if (plan.beforeDistribute) await plan.beforeDistribute();

  const notes = f.tokens.length - 1;
  const parties = [
    f.keeper.address,
    r.trustee.address,
    r.servicer.address,
    f.terms.issuer,
    f.dealAddress,
    ...f.tokenAddresses,
  ];
  const before = await Promise.all(parties.map((a) => coin.balanceOf(a)));
  const collectionsBefore = await deal.undistributedCollections();
  const recoveriesBefore = await deal.recoveries();
  const residualOwedBefore = await deal.residualOwed();
  const tx = await deal.connect(f.keeper).distribute(period);
  const receipt = (await tx.wait())!;
  const after = await Promise.all(parties.map((a) => coin.balanceOf(a)));
  const delta = after.map((x, i) => x - before[i]);

  const [[, rawStatement]] = parse(deal, f.dealAddress, receipt, "PeriodDistributed");
  const statement = statementOf(rawStatement);
  expectConservation(statement);
  const engineAddress = await f.engine.getAddress();
  const [[evaluatedPeriod, values, breachedMask, activeMask, counts]] = parse(
    f.engine,
    engineAddress,
    receipt,
    "TriggersEvaluated",
  );
  expect(evaluatedPeriod).to.equal(BigInt(period));
  expect(breachedMask).to.equal(statement.metrics.breachedMask);
  expect(activeMask).to.equal(statement.metrics.activeMask);

  // The cash moved exactly as the statement says.
  const equityHasHolders = (await f.tokens[notes].totalSupply()) !== 0n;
  const toNotes = statement.interestPaid.map((x, i) => x + statement.principalPaid[i]);
  // Fees are credited in the deal (their recipients withdraw them), and so is the residual when no equity was
  // issued (the issuer withdraws it): they stay in its balance.
  const residualCredited = equityHasHolders ? 0n : statement.residualPaid;
  expect(delta, `balance changes, period ${period}`).to.deep.equal([
    statement.keeperBountyPaid,
    0n,
    0n,
    0n,
    -(
      statement.cashIn +
      statement.recoveriesApplied +
      statement.reserveReleased +
      statement.reserveDrawn
    ) +
      statement.reserveToppedUp +
      statement.reserveTrapped +
      statement.trusteeFeePaid +
      statement.servicerFeePaid +
      residualCredited,
    ...toNotes,
    equityHasHolders ? statement.residualPaid : 0n,
  ]);
  expect(collectionsBefore - statement.cashIn).to.equal(statement.collectionsCarried);
  expect(recoveriesBefore - statement.recoveriesApplied, "recovery account").to.equal(
    await deal.recoveries(),
  );
  expect(await deal.residualOwed(), "residual owed").to.equal(
    residualOwedBefore + residualCredited,
  );
  const [reserve] = await deal.reserve();
  expect(reserve).to.equal(statement.reserveAfter);
  const [trusteeOwed, servicerOwed] = await deal.feesOwed();
  expect(await coin.balanceOf(f.dealAddress), "deal balance").to.equal(
    (await deal.undistributedCollections()) +
      reserve +
      (await deal.recoveries()) +
      trusteeOwed +
      servicerOwed +
      (await deal.residualOwed()),
  );

  return {
    receipt,
    statement,
    triggerValues: Array.from(values as bigint[]),
    counts: counts as bigint,
    fired: parse(f.engine, engineAddress, receipt, "TriggerFired").map((a) => [
      a[1] as bigint,
      a[2] as bigint,
    ]),
    cured: parse(f.engine, engineAddress, receipt, "TriggerCured").map((a) => [
      a[1] as bigint,
      a[2] as bigint,
    ]),
    rejected: parse(f.engine, engineAddress, receipt, "PriceIndexRejected").map((a) => ({
      reason: Number(a[1] as bigint),
      answer: a[2] as bigint,
      updatedAt: a[3] as bigint,
    })),
    toTokens: [...toNotes, equityHasHolders ? statement.residualPaid : 0n],
  };
}

/** Byte i of a TriggersEvaluated `counts` word: consecutive breaches of trigger i. */
export function countOf(counts: bigint, i: number): bigint {
  return (counts >> BigInt(8 * i)) & 0xffn;
}

/** Interest of one period at an annual `rate` (WAD), actual/365, rounded down (as the deal computes it). */
export function periodInterestDown(principal: bigint, rate: bigint, periodLength: bigint): bigint {
  return (principal * rate * periodLength) / (WAD * YEAR);
}

export { RiskMetric, TriggerComparison, TriggerEffect, DepreciationMethod };
