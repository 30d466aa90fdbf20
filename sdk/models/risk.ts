/**
 * Pure TypeScript model of a deal's risk engine (`contracts/core/RiskEngine.sol`) and of the deal's loss, recovery
 * and clean-up paths (`Deal.writeDown`, `Deal._depositRecoveries`, `Deal.cleanUpCall`): the fleet's value (marked to
 * the rental-price index), every {@link PeriodMetrics} field, trigger stepping and the waterfall order the triggers
 * set. Same numbers as the contracts to the wei; imports nothing from viem.
 */
import {
  CouponType,
  DealStatus,
  DepreciationMethod,
  FleetEntryStatus,
  RiskMetric,
  TriggerComparison,
  TriggerEffect,
  type Address,
  type FleetEntryTerms,
  type PeriodMetrics,
  type PriceFeedTerms,
  type RiskTerms,
  type TermSheet,
  type TriggerTerms,
} from "../types.js";
import {
  coverage,
  decliningBalanceValue,
  indexImpliedValue,
  loanToValue,
  MAX_UINT256,
  straightLineValue,
} from "./collateral.js";
import { BPS, min, mulDivDown, mulDivUp, WAD, YEAR } from "./math.js";
import type { DealModelState, TrancheState } from "./waterfall.js";

/** The zero address: no price feed. */
export const ZERO_ADDRESS: Address = "0x0000000000000000000000000000000000000000";
/** `RiskTermsLib` limits. */
export const MAX_TRIGGERS = 16;
export const MAX_FLEET_ENTRIES = 32;
export const MAX_TRAILING_PERIODS = 12;
/** A trigger's consecutive-breach count saturates here. */
export const MAX_CONSECUTIVE = 255;

/** Risk terms of a deal without covenants or collateral: 3-period trailing DSCR, 7-day waiver ballots, no feed. */
export const DEFAULT_RISK_TERMS: RiskTerms = Object.freeze({
  trailingPeriods: 3,
  cleanUpBps: 0,
  turbo: false,
  waiverVotingPeriod: 7 * 86_400,
  priceFeed: Object.freeze({ feed: ZERO_ADDRESS, decimals: 0, maxStaleness: 0 }),
  triggers: Object.freeze([]) as readonly TriggerTerms[],
  fleet: Object.freeze([]) as readonly FleetEntryTerms[],
});

/** Whether a deal status runs periods (`Deal._running`). */
export function isRunning(status: number): boolean {
  return (
    status === DealStatus.Active ||
    status === DealStatus.CashTrap ||
    status === DealStatus.Accelerated
  );
}

// ------------------------------------------------------------------ state

/** A fleet entry, how many of its GPUs are still in the fleet and whether it counts (`IRiskEngine.FleetEntry`). */
export interface FleetEntryState {
  terms: FleetEntryTerms;
  activeCount: number;
  /** Only confirmed entries count as collateral. */
  status: FleetEntryStatus;
}

/** One trigger's state (`IRiskEngine.TriggerState`). */
export interface TriggerModelState {
  /** Consecutive periods in breach, saturating at 255. */
  consecutive: number;
  active: boolean;
}

/** Running sums of cash available for debt service and of debt service after a period. */
export interface CumulativeSums {
  cads: bigint;
  debtService: bigint;
}

/** What a deal's risk engine holds between two assessments. */
export interface RiskModelState {
  fleet: readonly FleetEntryState[];
  /** The last price index accepted from the feed (0: none yet) and the feed time it was observed at. */
  lastIndex: bigint;
  lastIndexAt: bigint;
  /** By trigger, in term-sheet order. */
  triggers: readonly TriggerModelState[];
  /** Running sums after each assessed period, by period (the chain keeps the last `trailingPeriods + 1`). */
  cumulative: readonly CumulativeSums[];
}

/** The risk engine of a new deal: the term sheet's fleet, no index, every trigger at rest. */
export function initialRiskState(risk: RiskTerms = DEFAULT_RISK_TERMS): RiskModelState {
  return {
    fleet: risk.fleet.map((terms) => ({
      terms,
      activeCount: terms.count,
      status: FleetEntryStatus.Confirmed,
    })),
    lastIndex: 0n,
    lastIndexAt: 0n,
    triggers: risk.triggers.map(() => ({ consecutive: 0, active: false })),
    cumulative: [],
  };
}

// ------------------------------------------------------------------ validation (RiskTermsLib)

/** Whether a fleet entry is well formed (`RiskTermsLib.fleetEntryValid`); `hasFeed`: the deal has a price feed. */
export function fleetEntryValid(e: FleetEntryTerms, hasFeed: boolean): boolean {
  if (e.count === 0 || e.unitCost === 0n || e.unitResidual > e.unitCost || e.usefulLife === 0)
    return false;
  if (e.acquiredAt === 0n) return false;
  const rateOk =
    e.method === DepreciationMethod.StraightLine
      ? e.yearlyRate === 0n
      : e.yearlyRate !== 0n && e.yearlyRate < WAD;
  if (!rateOk) return false;
  return e.indexAtAcquisition === 0n || hasFeed;
}

/** Whether a trigger is well formed (`RiskTermsLib.triggerValid`): one period at least; acceleration latches. */
export function triggerValid(t: TriggerTerms): boolean {
  if (t.periods === 0) return false;
  return !(t.effect === TriggerEffect.Accelerate && t.cures);
}

// ------------------------------------------------------------------ collateral and the price index

/**
 * Value of one entry's active GPUs at `timestamp`, capped by the index-implied value when `index` is set; zero unless
 * the entry is confirmed.
 */
export function fleetEntryValue(e: FleetEntryState, timestamp: bigint, index: bigint): bigint {
  const units = BigInt(e.activeCount);
  if (units === 0n || e.status !== FleetEntryStatus.Confirmed) return 0n;
  const t = e.terms;
  const cost = t.unitCost * units;
  const age = timestamp > t.acquiredAt ? timestamp - t.acquiredAt : 0n;
  let value =
    t.method === DepreciationMethod.StraightLine
      ? straightLineValue(cost, t.unitResidual * units, BigInt(t.usefulLife), age)
      : decliningBalanceValue(
          cost,
          t.unitResidual * units,
          t.yearlyRate,
          BigInt(t.usefulLife),
          age,
        );
  if (index !== 0n && t.indexAtAcquisition !== 0n) {
    value = min(value, indexImpliedValue(cost, t.indexAtAcquisition, index));
  }
  return value;
}

/** Value of the fleet at `timestamp` (`RiskEngine._fleetValue`); `index` 0: book value only. */
export function fleetValue(
  fleet: readonly FleetEntryState[],
  timestamp: bigint,
  index: bigint,
): bigint {
  return fleet.reduce((total, e) => total + fleetEntryValue(e, timestamp, index), 0n);
}

/**
 * Why a price-index answer was not used (`IRiskEngine.IndexRejection`): the feed call reverted or ran out of its
 * `FEED_GAS_LIMIT` (`Reverted`); the answer was not positive, above uint96, older than `maxStaleness` or from the
 * future; or the feed returned fewer than the five words of an answer, or words that do not decode (`Malformed`).
 */
export const IndexRejection = {
  Reverted: 0,
  NonPositive: 1,
  TooLarge: 2,
  Stale: 3,
  FromFuture: 4,
  Malformed: 5,
} as const;
export type IndexRejection = (typeof IndexRejection)[keyof typeof IndexRejection];

/**
 * What the price feed's `latestRoundData` gave when a period was distributed: its answer and observation time and
 * the block's timestamp; or `reverted` (the call reverted or ran out of gas); or `malformed` (too few bytes, or
 * words that do not decode as its return types).
 */
export type IndexObservation =
  | { answer: bigint; updatedAt: bigint; blockTimestamp: bigint }
  | { reverted: true }
  | { malformed: true };

const MAX_UINT96 = 2n ** 96n - 1n;

/** The index a period uses (`RiskEngine._readIndex`). */
export interface IndexReading {
  /** The live answer, else the last accepted index (0 when none: book value only). */
  index: bigint;
  live: boolean;
  /** Why the answer was refused (undefined when live or without a feed). */
  rejection: IndexRejection | undefined;
  /** The feed's answer and time as read (zero when the call reverted or its return was malformed). */
  answer: bigint;
  updatedAt: bigint;
}

/**
 * Reads the index: a positive answer that fits 96 bits, not from the future and at most `maxStaleness` seconds old
 * is live; anything else falls back to `lastIndex`. Without a feed the index is 0.
 * @throws RangeError when the deal has a feed and no observation is given.
 */
export function readIndex(
  feed: PriceFeedTerms,
  lastIndex: bigint,
  observation: IndexObservation | undefined,
): IndexReading {
  if (feed.feed.toLowerCase() === ZERO_ADDRESS) {
    return { index: 0n, live: false, rejection: undefined, answer: 0n, updatedAt: 0n };
  }
  if (observation === undefined)
    throw new RangeError("readIndex: the deal has a price feed; pass what it answered");
  if ("reverted" in observation || "malformed" in observation) {
    return {
      index: lastIndex,
      live: false,
      rejection: "reverted" in observation ? IndexRejection.Reverted : IndexRejection.Malformed,
      answer: 0n,
      updatedAt: 0n,
    };
  }
  const { answer, updatedAt, blockTimestamp } = observation;
  let rejection: IndexRejection | undefined;
  if (answer <= 0n) rejection = IndexRejection.NonPositive;
  else if (answer > MAX_UINT96) rejection = IndexRejection.TooLarge;
  else if (updatedAt > blockTimestamp) rejection = IndexRejection.FromFuture;
  else if (blockTimestamp - updatedAt > BigInt(feed.maxStaleness)) rejection = IndexRejection.Stale;
  if (rejection !== undefined)
    return { index: lastIndex, live: false, rejection, answer, updatedAt };
  return { index: answer, live: true, rejection: undefined, answer, updatedAt };
}

// ------------------------------------------------------------------ assessment

/** What the deal knows of a period before its waterfall runs (`IRiskEngine.AssessInput`). Note arrays by rank. */
export interface AssessInput {
  period: number;
  finalPeriod: boolean;
  reported: boolean;
  /** The period's end: fleet book values are taken then. */
  valuationTime: bigint;
  gpuHoursAvailable: bigint;
  gpuHoursBilled: bigint;
  revenue: bigint;
  pledgedShareBps: number;
  cash: bigint;
  reserve: bigint;
  /** The deal's recovery account: collateral at par. */
  recoveries: bigint;
  reserveTarget: bigint;
  /** Keeper bounty + trustee fee + servicer fee due (arrears included). */
  feesDue: bigint;
  outstanding: readonly bigint[];
  interestDue: readonly bigint[];
  principalDue: readonly bigint[];
}

/** What `RiskEngine.assess` did for a period. */
export interface Assessment {
  /** The waterfall's order: Active, CashTrap or Accelerated (a DealStatus value). */
  mode: DealStatus;
  turbo: boolean;
  metrics: PeriodMetrics;
  /** The risk engine after the period. */
  next: RiskModelState;
  /** The index the fleet was valued at, and whether the feed's answer was refused. */
  index: IndexReading;
  /** Each trigger's metric value (`TriggersEvaluated.values`). */
  values: bigint[];
  /** Triggers that fired / cured this period (`TriggerFired` / `TriggerCured`), by index. */
  fired: number[];
  cured: number[];
  /** Byte i: trigger i's consecutive-breach count after the period (`TriggersEvaluated.counts`). */
  counts: bigint;
}

const U128 = 2n ** 128n;

/** Note principal outstanding / collateral of the fleet and every ratio of a period (`RiskEngine._measure`). */
function measure(
  state: RiskModelState,
  risk: RiskTerms,
  a: AssessInput,
  index: bigint,
): { metrics: PeriodMetrics; cumulative: CumulativeSums[] } {
  const notes = a.outstanding.length;
  const cads = a.cash > a.feesDue ? a.cash - a.feesDue : 0n;
  // The recovery account (cash from collateral sold, held for the notes) is collateral at par.
  const value = fleetValue(state.fleet, a.valuationTime, index) + a.recoveries;
  let notesOutstanding = 0n;
  let interestAbove = 0n;
  let debtService = 0n;
  const overcollateralization: bigint[] = [];
  const interestCoverage: bigint[] = [];
  for (let i = 0; i < notes; i++) {
    notesOutstanding += a.outstanding[i];
    interestAbove += a.interestDue[i];
    debtService += a.interestDue[i] + a.principalDue[i];
    overcollateralization.push(coverage(value, notesOutstanding));
    interestCoverage.push(coverage(cads, interestAbove));
  }

  // Trailing DSCR from running sums (the chain keeps them in a ring of window + 1 slots, as uint128).
  const window = risk.trailingPeriods;
  if (state.cumulative.length !== a.period)
    throw new RangeError(
      `assess: period ${a.period} after ${state.cumulative.length} assessed periods`,
    );
  const previous = a.period === 0 ? { cads: 0n, debtService: 0n } : state.cumulative[a.period - 1];
  const base =
    a.period >= window ? state.cumulative[a.period - window] : { cads: 0n, debtService: 0n };
  const current = {
    cads: (previous.cads + cads) % U128,
    debtService: (previous.debtService + debtService) % U128,
  };
  const pledged = mulDivDown(a.revenue, BigInt(a.pledgedShareBps), BPS);
  const metrics: PeriodMetrics = {
    cashAvailableForDebtService: cads,
    debtService,
    dscr: coverage(cads, debtService),
    trailingDscr: coverage(current.cads - base.cads, current.debtService - base.debtService),
    utilization:
      a.gpuHoursAvailable === 0n ? 0n : mulDivDown(a.gpuHoursBilled, WAD, a.gpuHoursAvailable),
    collateralValue: value,
    notesOutstanding,
    ltv: loanToValue(notesOutstanding, value),
    seniorCurve: notes === 0 ? 0n : loanToValue(a.outstanding[0], value),
    reserveLevel: coverage(a.reserve, a.reserveTarget),
    servicerShortfall: a.reported && pledged > a.cash ? pledged - a.cash : 0n,
    breakEvenUtilization: breakEvenUtilization(a, debtService),
    overcollateralization,
    interestCoverage,
    breachedMask: 0n,
    activeMask: 0n,
  };
  return { metrics, cumulative: [...state.cumulative, current] };
}

/** (fees + debt service) / (GPU-hours available × realized price per billed hour × pledged share), rounded up. */
export function breakEvenUtilization(
  a: Pick<
    AssessInput,
    "gpuHoursAvailable" | "gpuHoursBilled" | "revenue" | "pledgedShareBps" | "feesDue"
  >,
  debtService: bigint,
): bigint {
  const capacity = a.gpuHoursAvailable * a.revenue * BigInt(a.pledgedShareBps);
  if (capacity === 0n || a.gpuHoursBilled === 0n) return MAX_UINT256;
  return mulDivUp((a.feesDue + debtService) * a.gpuHoursBilled * BPS, WAD, capacity);
}

/** The value a trigger on `metric` compares (`RiskEngine._metricValue`). */
export function metricValue(
  metric: number,
  m: PeriodMetrics,
  a: Pick<AssessInput, "revenue" | "pledgedShareBps" | "reported">,
): bigint {
  switch (metric) {
    case RiskMetric.Dscr:
      return m.dscr;
    case RiskMetric.TrailingDscr:
      return m.trailingDscr;
    case RiskMetric.Utilization:
      return m.utilization;
    case RiskMetric.Ltv:
      return m.ltv;
    case RiskMetric.SeniorCurve:
      return m.seniorCurve;
    case RiskMetric.ReserveLevel:
      return m.reserveLevel;
    case RiskMetric.ServicerShortfall: {
      if (m.servicerShortfall === 0n) return 0n;
      const pledged = mulDivDown(a.revenue, BigInt(a.pledgedShareBps), BPS);
      return mulDivUp(m.servicerShortfall, WAD, pledged);
    }
    default:
      return a.reported ? 0n : WAD;
  }
}

/** Whether a metric value is in breach of a trigger (strictly below / above its threshold). */
export function inBreach(t: TriggerTerms, value: bigint): boolean {
  return t.comparison === TriggerComparison.Below ? value < t.threshold : value > t.threshold;
}

/** Advances one trigger by a period (`RiskEngine._step`). */
export function stepTrigger(
  s: TriggerModelState,
  t: TriggerTerms,
  breach: boolean,
): { state: TriggerModelState; fired: boolean; cured: boolean } {
  if (breach) {
    const consecutive = Math.min(s.consecutive + 1, MAX_CONSECUTIVE);
    const fire = !s.active && consecutive >= t.periods;
    return { state: { consecutive, active: s.active || fire }, fired: fire, cured: false };
  }
  const cure = s.active && t.cures;
  return { state: { consecutive: 0, active: s.active && !cure }, fired: false, cured: cure };
}

/** Bitmask of the active triggers. */
export function activeMask(states: readonly TriggerModelState[]): bigint {
  return states.reduce((m, s, i) => (s.active ? m | (1n << BigInt(i)) : m), 0n);
}

/** The order the active triggers set: Accelerated outranks CashTrap; none active → Active. */
export function triggerMode(
  triggers: readonly TriggerTerms[],
  states: readonly TriggerModelState[],
): DealStatus {
  let trap = false;
  for (let i = 0; i < triggers.length; i++) {
    if (!states[i].active) continue;
    if (triggers[i].effect === TriggerEffect.Accelerate) return DealStatus.Accelerated;
    trap = true;
  }
  return trap ? DealStatus.CashTrap : DealStatus.Active;
}

/**
 * Measures a period, evaluates every trigger (not stepped at the final period) and sets the waterfall order, as
 * `RiskEngine.assess`. With no note principal outstanding the order is Active whatever the triggers say.
 * @param observation what the price feed answered (needed when the deal has one).
 */
export function assessPeriod(
  state: RiskModelState,
  risk: RiskTerms,
  a: AssessInput,
  observation?: IndexObservation,
): Assessment {
  const reading = readIndex(risk.priceFeed, state.lastIndex, observation);
  let { lastIndex, lastIndexAt } = state;
  if (reading.live && reading.index !== lastIndex) {
    lastIndex = reading.index;
    lastIndexAt = reading.updatedAt;
  }
  const { metrics, cumulative } = measure(state, risk, a, reading.index);

  const values: bigint[] = [];
  const fired: number[] = [];
  const cured: number[] = [];
  let breached = 0n;
  const triggers = risk.triggers.map((t, i) => {
    const value = metricValue(t.metric, metrics, a);
    values.push(value);
    const breach = inBreach(t, value);
    if (breach) breached |= 1n << BigInt(i);
    // The final period repays everything in the current order: its breaches are reported, not counted.
    if (a.finalPeriod) return state.triggers[i];
    const step = stepTrigger(state.triggers[i], t, breach);
    if (step.fired) fired.push(i);
    if (step.cured) cured.push(i);
    return step.state;
  });
  metrics.breachedMask = breached;
  metrics.activeMask = activeMask(triggers);
  const counts = triggers.reduce((c, s, i) => c | (BigInt(s.consecutive) << BigInt(8 * i)), 0n);
  const mode =
    metrics.notesOutstanding === 0n ? DealStatus.Active : triggerMode(risk.triggers, triggers);
  return {
    mode,
    turbo: risk.turbo,
    metrics,
    next: { fleet: state.fleet, lastIndex, lastIndexAt, triggers, cumulative },
    index: reading,
    values,
    fired,
    cured,
    counts,
  };
}

// ------------------------------------------------------------------ fleet changes

/**
 * Adds fleet entries after creation (`RiskEngine.addFleetEntries`): they are pending, and count only once the trustee
 * confirms them ({@link applyConfirmFleetEntry}).
 * @throws RangeError `FleetFull` / `InvalidFleetEntry(i)` as the contract reverts.
 */
export function applyAddFleetEntries(
  state: RiskModelState,
  risk: RiskTerms,
  entries: readonly FleetEntryTerms[],
): RiskModelState {
  if (state.fleet.length + entries.length > MAX_FLEET_ENTRIES)
    throw new RangeError(`FleetFull(${MAX_FLEET_ENTRIES})`);
  const hasFeed = risk.priceFeed.feed.toLowerCase() !== ZERO_ADDRESS;
  entries.forEach((e, i) => {
    if (!fleetEntryValid(e, hasFeed)) throw new RangeError(`InvalidFleetEntry(${i})`);
  });
  return {
    ...state,
    fleet: [
      ...state.fleet,
      ...entries.map((terms) => ({
        terms,
        activeCount: terms.count,
        status: FleetEntryStatus.Pending as FleetEntryStatus,
      })),
    ],
  };
}

/** The trustee confirms (`RiskEngine.confirmFleetEntry`) or rejects (`rejectFleetEntry`) pending entry `id`. */
export function applySettleFleetEntry(
  state: RiskModelState,
  id: number,
  status: typeof FleetEntryStatus.Confirmed | typeof FleetEntryStatus.Rejected,
): RiskModelState {
  const e = state.fleet[id];
  if (e === undefined) throw new RangeError(`UnknownFleetEntry(${id})`);
  if (e.status !== FleetEntryStatus.Pending)
    throw new RangeError(`FleetEntryNotPending(${id}, ${e.status})`);
  return { ...state, fleet: state.fleet.map((x, i) => (i === id ? { ...x, status } : x)) };
}

/**
 * Retires `units` GPUs of entry `id` (`RiskEngine.retireFleetEntry`); sale proceeds then go through
 * {@link applyRecoveries}.
 */
export function applyRetireFleetEntry(
  state: RiskModelState,
  id: number,
  units: number,
): RiskModelState {
  const e = state.fleet[id];
  if (e === undefined) throw new RangeError(`UnknownFleetEntry(${id})`);
  if (e.status !== FleetEntryStatus.Confirmed)
    throw new RangeError(`FleetEntryNotConfirmed(${id}, ${e.status})`);
  if (units === 0 || units > e.activeCount)
    throw new RangeError(`InvalidRetirement(${id}, ${units}, ${e.activeCount})`);
  const fleet = state.fleet.map((x, i) =>
    i === id ? { ...x, activeCount: x.activeCount - units } : x,
  );
  return { ...state, fleet };
}

/**
 * A passed waiver (`RiskEngine.executeWaiver`): clears every latched active trigger and its count; the deal's status
 * becomes what the remaining (curable) triggers say.
 */
export function applyWaiver(
  state: DealModelState,
  risk: RiskTerms,
): { next: DealModelState; cleared: bigint } {
  if (state.status !== DealStatus.Accelerated)
    throw new RangeError(`NotAccelerated(${state.status})`);
  let cleared = 0n;
  const triggers = state.risk.triggers.map((s, i) => {
    if (!risk.triggers[i].cures && s.active) {
      cleared |= 1n << BigInt(i);
      return { consecutive: 0, active: false };
    }
    return s;
  });
  return {
    next: {
      ...state,
      status: triggerMode(risk.triggers, triggers),
      risk: { ...state.risk, triggers },
    },
    cleared,
  };
}

// ------------------------------------------------------------------ losses, recoveries, clean-up call

function copyTranches(state: DealModelState): TrancheState[] {
  return state.tranches.map((t) => ({ ...t }));
}

/** Equity is the first loss: once any note loses principal its whole par is written off. */
function writeDownEquity(tranches: TrancheState[]): void {
  const eq = tranches[tranches.length - 1];
  eq.writtenDown = eq.issued;
}

/** Final maturity with anything unpaid: equity written off, then every note's remaining principal. */
export function writeDownAll(tranches: TrancheState[]): void {
  writeDownEquity(tranches);
  for (let i = tranches.length - 2; i >= 0; i--) {
    tranches[i].writtenDown += tranches[i].outstanding;
    tranches[i].outstanding = 0n;
  }
}

/**
 * The trustee writes off `amount` of note principal (`Deal.writeDown`): allowed only while Accelerated with the
 * collections, the reserve and the recovery account exhausted; equity first, then bottom-up from the most junior note.
 * @returns the new state and the cut of each note.
 */
export function applyWriteDown(
  state: DealModelState,
  amount: bigint,
): { next: DealModelState; cuts: bigint[] } {
  if (state.status !== DealStatus.Accelerated)
    throw new RangeError(`WriteDownNotAllowed(${state.status})`);
  if (state.collections !== 0n || state.reserve !== 0n || state.recoveries !== 0n)
    throw new RangeError(
      `RecoveriesNotExhausted(${state.collections}, ${state.reserve}, ${state.recoveries})`,
    );
  const tranches = copyTranches(state);
  const notes = tranches.length - 1;
  const outstanding = tranches.slice(0, notes).reduce((a, t) => a + t.outstanding, 0n);
  if (amount === 0n || amount > outstanding)
    throw new RangeError(`InvalidWriteDown(${amount}, ${outstanding})`);
  writeDownEquity(tranches);
  const cuts = new Array<bigint>(notes).fill(0n);
  let left = amount;
  for (let i = notes - 1; i >= 0 && left !== 0n; i--) {
    const cut = min(left, tranches[i].outstanding);
    left -= cut;
    cuts[i] = cut;
    tranches[i].outstanding -= cut;
    tranches[i].writtenDown += cut;
  }
  return { next: { ...state, tranches }, cuts };
}

/** What recoveries paid one note at once (`RecoveryApplied`, a defaulted deal). */
export interface RecoveryAllocation {
  tranche: number;
  /** Principal outstanding repaid (none: a defaulted deal has written it all down). */
  principal: bigint;
  /** Written-down principal restored. */
  recovered: bigint;
  /** Interest arrears paid. */
  interest: bigint;
}

export interface RecoveriesResult {
  next: DealModelState;
  /** Notes paid at once (a defaulted deal), in rank order; none while the deal runs. */
  allocations: RecoveryAllocation[];
  /** What the notes did not take at once: held in the recovery account of a running deal, else the residual. */
  left: bigint;
  /** Where `left` went (`issuer`: credited to it in the deal). */
  destination: "recovery account" | "equity" | "issuer";
}

/**
 * Recoveries (`Deal.depositRecoveries`, also a fleet sale's proceeds). A running deal holds them in its recovery
 * account, which its distributions apply in their priority of payments (see {@link runWaterfall}'s `principalCash`);
 * nothing is repaid at once, so every note keeps earning its coupon on its whole principal. A defaulted deal pays them
 * at once, note by note in rank order: written-down principal, then interest arrears; the rest goes to equity (the
 * issuer, credited, when no equity was sold).
 */
export function applyRecoveries(state: DealModelState, amount: bigint): RecoveriesResult {
  if (amount === 0n) throw new RangeError("ZeroAmount()");
  if (isRunning(state.status)) {
    return {
      next: { ...state, recoveries: state.recoveries + amount },
      allocations: [],
      left: amount,
      destination: "recovery account",
    };
  }
  if (state.status !== DealStatus.Defaulted) throw new RangeError(`DealNotActive(${state.status})`);
  const tranches = copyTranches(state);
  const notes = tranches.length - 1;
  const allocations: RecoveryAllocation[] = [];
  let left = amount;
  for (let i = 0; i < notes && left !== 0n; i++) {
    const tr = tranches[i];
    const recovered = min(left, tr.writtenDown);
    left -= recovered;
    const interest = min(left, tr.arrears);
    left -= interest;
    tr.writtenDown -= recovered;
    tr.arrears -= interest;
    if (recovered + interest !== 0n) allocations.push({ tranche: i, principal: 0n, recovered, interest });
  }
  const equityIssued = tranches[notes].issued !== 0n;
  return {
    next: {
      ...state,
      tranches,
      residualOwed: equityIssued ? state.residualOwed : state.residualOwed + left,
    },
    allocations,
    left,
    destination: equityIssued ? "equity" : "issuer",
  };
}

/** The term-sheet fields a clean-up quote reads. */
export type CleanUpTerms = Pick<TermSheet, "start" | "periodLength" | "tranches"> & {
  risk?: Pick<RiskTerms, "cleanUpBps">;
};

/** `IRiskEngine.CleanUpQuote`. */
export interface CleanUpQuote {
  /** Principal outstanding of the most senior note issued. */
  seniorOutstanding: bigint;
  /** The term sheet has a clean-up fraction and senior outstanding ≤ threshold (never when no note was issued). */
  allowed: boolean;
  /** Face issued of the most senior note issued × cleanUpBps. */
  threshold: bigint;
  /** Fee arrears + per note interest + principal outstanding + written-down principal. */
  payoff: bigint;
  /** What the issuer brings beyond the deal's collections, reserve and recovery account. */
  fromIssuer: bigint;
  /** Per note: arrears + interest accrued since the current period began (linked coupons at their cap). */
  interest: bigint[];
}

/** What a clean-up call would pay at `now` (`RiskEngine.cleanUpQuote`). */
export function quoteCleanUp(
  state: DealModelState,
  terms: CleanUpTerms,
  now: bigint,
): CleanUpQuote {
  const notes = terms.tranches.length - 1;
  const periodLength = BigInt(terms.periodLength);
  const periodStart = terms.start + BigInt(state.nextPeriod) * periodLength;
  const elapsed = now > periodStart ? now - periodStart : 0n;
  const q: CleanUpQuote = {
    allowed: false,
    seniorOutstanding: 0n,
    threshold: 0n,
    payoff: state.trusteeFeeArrears + state.servicerFeeArrears,
    fromIssuer: 0n,
    interest: [],
  };
  const cleanUpBps = BigInt(terms.risk?.cleanUpBps ?? 0);
  // The test applies to the most senior note that was issued.
  let seniorFound = false;
  for (let i = 0; i < notes; i++) {
    const t = state.tranches[i];
    const c = terms.tranches[i].coupon;
    if (!seniorFound && t.issued !== 0n) {
      seniorFound = true;
      q.seniorOutstanding = t.outstanding;
      q.threshold = mulDivDown(t.issued, cleanUpBps, BPS);
      q.allowed = cleanUpBps !== 0n && t.outstanding <= q.threshold;
    }
    const rate = c.couponType === CouponType.Fixed ? c.baseRate : c.capRate;
    const interest = t.arrears + mulDivDown(t.outstanding, rate * elapsed, WAD * YEAR);
    q.interest.push(interest);
    q.payoff += interest + t.outstanding + t.writtenDown;
  }
  const held = state.collections + state.reserve + state.recoveries;
  q.fromIssuer = q.payoff > held ? q.payoff - held : 0n;
  return q;
}

/** Whether the issuer may make the clean-up call at `now` (`RiskEngine.cleanUpCallable`). */
export function isCleanUpCallable(
  state: DealModelState,
  terms: CleanUpTerms,
  now: bigint,
): boolean {
  if (!isRunning(state.status)) return false;
  const nextEnd = terms.start + BigInt(state.nextPeriod + 1) * BigInt(terms.periodLength);
  if (now >= nextEnd) return false;
  return quoteCleanUp(state, terms, now).allowed;
}

export interface CleanUpResult {
  next: DealModelState;
  quote: CleanUpQuote;
  /** Per note: interest + principal paid to its token. */
  paid: bigint[];
  /** Collections + reserve + recoveries + what the issuer brought − payoff, to equity (or credited to the issuer). */
  residual: bigint;
  residualRecipient: "equity" | "issuer";
}

/**
 * The issuer's clean-up call at `now` (`Deal.cleanUpCall`): every note repaid with its quoted interest, fee arrears
 * paid, the collections, reserve and recovery account used first; the deal is Repaid.
 */
export function applyCleanUpCall(
  state: DealModelState,
  terms: CleanUpTerms,
  now: bigint,
): CleanUpResult {
  if (!isRunning(state.status)) throw new RangeError(`DealNotActive(${state.status})`);
  const nextEnd = terms.start + BigInt(state.nextPeriod + 1) * BigInt(terms.periodLength);
  if (now >= nextEnd) throw new RangeError(`CleanUpPeriodPending(${state.nextPeriod})`);
  const quote = quoteCleanUp(state, terms, now);
  if (!quote.allowed)
    throw new RangeError(`CleanUpNotAllowed(${quote.seniorOutstanding}, ${quote.threshold})`);
  const tranches = copyTranches(state);
  const notes = tranches.length - 1;
  const paid: bigint[] = [];
  for (let i = 0; i < notes; i++) {
    paid.push(quote.interest[i] + tranches[i].outstanding + tranches[i].writtenDown);
    tranches[i].outstanding = 0n;
    tranches[i].arrears = 0n;
    tranches[i].writtenDown = 0n;
  }
  const residual =
    state.collections + state.reserve + state.recoveries + quote.fromIssuer - quote.payoff;
  const equityIssued = tranches[notes].issued !== 0n;
  return {
    next: {
      ...state,
      status: DealStatus.Repaid,
      collections: 0n,
      reserve: 0n,
      recoveries: 0n,
      residualOwed: equityIssued ? state.residualOwed : state.residualOwed + residual,
      trusteeFeeArrears: 0n,
      servicerFeeArrears: 0n,
      tranches,
    },
    quote,
    paid,
    residual,
    residualRecipient: equityIssued ? "equity" : "issuer",
  };
}
