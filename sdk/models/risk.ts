/**
 * Mirrors `contracts/core/RiskEngine.sol`: the fleet's value (marked to the rental-price index, or capped by the latest
 * appraisal the reporters signed), reading the index, every {@link PeriodMetrics} field, the Occupancy and PUE
 * covenants, trigger stepping and the waterfall order the triggers set (`assess`), fleet changes, waivers and the
 * clean-up quote. Functions carry the contract's names (its private helpers without the
 * underscore). Same numbers as the contract to the wei. Pure: imports nothing from viem.
 */
import {
  CouponType,
  DealStatus,
  DepreciationMethod,
  FleetEntryStatus,
  RiskMetric,
  TriggerComparison,
  TriggerEffect,
  type FleetEntryTerms,
  type PeriodMetrics,
  type PriceFeedTerms,
  type RiskTerms,
  type TriggerTerms,
} from "../types.js";
import {
  coverageDown,
  decliningBalanceDown,
  indexImpliedDown,
  ltvUp,
  straightLineDown,
} from "./collateral.js";
import { BPS, MAX_UINT256, min, mulDivDown, mulDivUp, WAD, YEAR } from "./math.js";
import { DEFAULT_RISK_TERMS, fleetEntryValid, MAX_FLEET_ENTRIES } from "./riskTerms.js";
import {
  IndexRejection,
  isRunning,
  ZERO_ADDRESS,
  type AppraisalMark,
  type AssessInput,
  type Assessment,
  type CleanUpQuote,
  type CleanUpTerms,
  type CumulativeSums,
  type DealModelState,
  type FleetEntryState,
  type IndexObservation,
  type IndexReading,
  type RiskModelState,
  type TriggerModelState,
} from "./types.js";

/** A trigger's consecutive-breach count saturates here. */
export const MAX_CONSECUTIVE = 255;

/** No appraisal recorded yet. */
export const NO_APPRAISAL: AppraisalMark = Object.freeze({ value: 0n, asOf: 0n, period: 0 });

/** A report's PUE is scaled by 10 000; the covenant compares WAD (`RiskEngine.PUE_TO_WAD`). */
const PUE_TO_WAD = 10n ** 14n;

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
    appraisal: NO_APPRAISAL,
    triggers: risk.triggers.map(() => ({ consecutive: 0, active: false })),
    cumulative: [],
  };
}

// ------------------------------------------------------------------ collateral and the price index

/**
 * Value of one entry's active GPUs at `timestamp` (`RiskEngine._entryValue`), capped by the index-implied value when
 * `index` is set; zero unless the entry is confirmed. Land (`DepreciationMethod.None`) has a residual equal to its
 * cost, at which both depreciation formulas return the cost at any age.
 */
export function entryValue(e: FleetEntryState, timestamp: bigint, index: bigint): bigint {
  const units = BigInt(e.activeCount);
  if (units === 0n || e.status !== FleetEntryStatus.Confirmed) return 0n;
  const t = e.terms;
  const cost = t.unitCost * units;
  const age = timestamp > t.acquiredAt ? timestamp - t.acquiredAt : 0n;
  let value =
    t.method === DepreciationMethod.StraightLine
      ? straightLineDown(cost, t.unitResidual * units, BigInt(t.usefulLife), age)
      : decliningBalanceDown(cost, t.unitResidual * units, t.yearlyRate, BigInt(t.usefulLife), age);
  if (index !== 0n && t.indexAtAcquisition !== 0n) {
    value = min(value, indexImpliedDown(cost, t.indexAtAcquisition, index));
  }
  return value;
}

/**
 * Value of the fleet at `timestamp` (`RiskEngine._fleetValue`); `index` 0: book value only. With `appraisalMaxAge`
 * non-zero the sum is capped at the appraisal `mark` while it is at most that old at `timestamp` (a mark dated after
 * `timestamp` counts as fresh).
 */
export function fleetValue(
  fleet: readonly FleetEntryState[],
  timestamp: bigint,
  index: bigint,
  appraisalMaxAge = 0,
  mark: AppraisalMark = NO_APPRAISAL,
): bigint {
  const total = fleet.reduce((sum, e) => sum + entryValue(e, timestamp, index), 0n);
  if (
    appraisalMaxAge !== 0 &&
    mark.value !== 0n &&
    timestamp <= mark.asOf + BigInt(appraisalMaxAge)
  )
    return min(total, mark.value);
  return total;
}

/**
 * The latest appraisal recorded and whether it is in force at `now` (`RiskEngine.appraisal`): the deal marks to
 * appraisals and it is at most `appraisalMaxAge` seconds old.
 */
export function appraisal(
  state: Pick<RiskModelState, "appraisal">,
  risk: Pick<RiskTerms, "appraisalMaxAge">,
  now: bigint,
): { mark: AppraisalMark; inForce: boolean } {
  const mark = state.appraisal;
  const maxAge = BigInt(risk.appraisalMaxAge);
  return { mark, inForce: mark.value !== 0n && maxAge !== 0n && now <= mark.asOf + maxAge };
}

const MAX_UINT96 = 2n ** 96n - 1n;

/**
 * Reads the index (`RiskEngine._readIndex`): a positive answer that fits 96 bits, not from the future and at most `maxStaleness` seconds old
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
  const value =
    fleetValue(state.fleet, a.valuationTime, index, risk.appraisalMaxAge, state.appraisal) +
    a.recoveries;
  let notesOutstanding = 0n;
  let interestAbove = 0n;
  let debtService = 0n;
  const overcollateralization: bigint[] = [];
  const interestCoverage: bigint[] = [];
  for (let i = 0; i < notes; i++) {
    notesOutstanding += a.outstanding[i];
    interestAbove += a.interestDue[i];
    debtService += a.interestDue[i] + a.principalDue[i];
    overcollateralization.push(coverageDown(value, notesOutstanding));
    interestCoverage.push(coverageDown(cads, interestAbove));
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
    dscr: coverageDown(cads, debtService),
    trailingDscr: coverageDown(current.cads - base.cads, current.debtService - base.debtService),
    utilization:
      a.gpuHoursAvailable === 0n ? 0n : mulDivDown(a.gpuHoursBilled, WAD, a.gpuHoursAvailable),
    collateralValue: value,
    notesOutstanding,
    ltv: ltvUp(notesOutstanding, value),
    seniorCurve: notes === 0 ? 0n : ltvUp(a.outstanding[0], value),
    reserveLevel: coverageDown(a.reserve, a.reserveTarget),
    // The rent a site received from its tenant deals is cash the servicer did not collect.
    servicerShortfall: a.reported && pledged > a.cash - a.rentIn ? pledged - (a.cash - a.rentIn) : 0n,
    breakEvenUtilization: breakEven(a, debtService),
    overcollateralization,
    interestCoverage,
    breachedMask: 0n,
    activeMask: 0n,
  };
  return { metrics, cumulative: [...state.cumulative, current] };
}

/**
 * Break-even utilization (`RiskEngine._breakEven`): (fees + debt service) / (GPU-hours available × realized price
 * per billed hour × pledged share), rounded up.
 */
export function breakEven(
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

/**
 * The value a trigger on `metric` compares (`RiskEngine._metricValue`). Occupancy: capacity billed / `a.capacity`,
 * rounded down (0 without capacity); Pue: the reported PUE as WAD (0 unreported or not stated).
 */
export function metricValue(
  metric: number,
  m: PeriodMetrics,
  a: Pick<
    AssessInput,
    "revenue" | "pledgedShareBps" | "reported" | "gpuHoursBilled" | "capacity" | "pue"
  >,
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
    case RiskMetric.Occupancy: {
      const capacity = a.capacity ?? 0n;
      return capacity === 0n ? 0n : mulDivDown(a.gpuHoursBilled, WAD, capacity);
    }
    case RiskMetric.Pue:
      return a.reported ? BigInt(a.pue ?? 0) * PUE_TO_WAD : 0n;
    default:
      return a.reported ? 0n : WAD;
  }
}

/** Whether a metric value is in breach of a trigger (strictly below / above its threshold), as `RiskEngine._evaluate`. */
export function inBreach(t: TriggerTerms, value: bigint): boolean {
  return t.comparison === TriggerComparison.Below ? value < t.threshold : value > t.threshold;
}

/** Advances one trigger by a period (`RiskEngine._step`). */
export function step(
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

/** Bitmask of the active triggers (`PeriodMetrics.activeMask`). */
export function activeMask(states: readonly TriggerModelState[]): bigint {
  return states.reduce((m, s, i) => (s.active ? m | (1n << BigInt(i)) : m), 0n);
}

/** The order the active triggers set (`RiskEngine._modeOf`): Accelerated outranks CashTrap; none active → Active. */
export function modeOf(
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
 * `RiskEngine.assess`. With no note principal outstanding the order is Active whatever the triggers say. A reported
 * period's appraisal (`a.appraisal`, non-zero) is recorded first when the deal marks to appraisals, as of the period's
 * end, and caps the fleet's value from this period on while it is fresh.
 * @param observation what the price feed answered (needed when the deal has one).
 * @throws RangeError when a trigger measures Occupancy and `a.capacity` is not given.
 */
export function assess(
  state: RiskModelState,
  risk: RiskTerms,
  a: AssessInput,
  observation?: IndexObservation,
): Assessment {
  if (a.capacity === undefined && risk.triggers.some((t) => t.metric === RiskMetric.Occupancy))
    throw new RangeError("assess: an Occupancy trigger needs the deal's capacity (a.capacity)");
  const reading = readIndex(risk.priceFeed, state.lastIndex, observation);
  let { lastIndex, lastIndexAt } = state;
  if (reading.live && reading.index !== lastIndex) {
    lastIndex = reading.index;
    lastIndexAt = reading.updatedAt;
  }
  let appraisalRecorded: AppraisalMark | undefined;
  const appraised = a.appraisal ?? 0n;
  if (a.reported && appraised !== 0n && risk.appraisalMaxAge !== 0)
    appraisalRecorded = { value: appraised, asOf: a.valuationTime, period: a.period };
  const appraisalMark = appraisalRecorded ?? state.appraisal;
  const { metrics, cumulative } = measure(
    { ...state, appraisal: appraisalMark },
    risk,
    a,
    reading.index,
  );

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
    const stepped = step(state.triggers[i], t, breach);
    if (stepped.fired) fired.push(i);
    if (stepped.cured) cured.push(i);
    return stepped.state;
  });
  metrics.breachedMask = breached;
  metrics.activeMask = activeMask(triggers);
  const counts = triggers.reduce((c, s, i) => c | (BigInt(s.consecutive) << BigInt(8 * i)), 0n);
  const mode =
    metrics.notesOutstanding === 0n ? DealStatus.Active : modeOf(risk.triggers, triggers);
  return {
    mode,
    turbo: risk.turbo,
    metrics,
    next: {
      fleet: state.fleet,
      lastIndex,
      lastIndexAt,
      appraisal: appraisalMark,
      triggers,
      cumulative,
    },
    index: reading,
    values,
    fired,
    cured,
    counts,
    appraisalRecorded,
  };
}

// ------------------------------------------------------------------ fleet changes and waivers

/**
 * Adds fleet entries after creation (`RiskEngine.addFleetEntries`): they are pending, and count only once the trustee
 * confirms them ({@link confirmFleetEntry}).
 * @throws RangeError `FleetFull` / `InvalidFleetEntry(i)` as the contract reverts.
 */
export function addFleetEntries(
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

/** The trustee confirms pending entry `id` (`RiskEngine.confirmFleetEntry`): from now on it counts as collateral. */
export function confirmFleetEntry(state: RiskModelState, id: number): RiskModelState {
  return settle(state, id, FleetEntryStatus.Confirmed);
}

/** The trustee rejects pending entry `id` (`RiskEngine.rejectFleetEntry`): it never counts. */
export function rejectFleetEntry(state: RiskModelState, id: number): RiskModelState {
  return settle(state, id, FleetEntryStatus.Rejected);
}

/** `RiskEngine._pendingEntry` and the status change of a confirmation or a rejection. */
function settle(
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
 * the deal's `depositRecoveries` (`models/deal.ts`).
 */
export function retireFleetEntry(state: RiskModelState, id: number, units: number): RiskModelState {
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
export function executeWaiver(
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
      status: modeOf(risk.triggers, triggers),
      risk: { ...state.risk, triggers },
    },
    cleared,
  };
}

// ------------------------------------------------------------------ clean-up call

/** What a clean-up call would pay at `now` (`RiskEngine.cleanUpQuote`). */
export function cleanUpQuote(
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
  // `Deal.undistributedCollections` counts a site's pending rent with the collections.
  const held = state.collections + state.rentPending + state.reserve + state.recoveries;
  q.fromIssuer = q.payoff > held ? q.payoff - held : 0n;
  return q;
}

/** Whether the issuer may make the clean-up call at `now` (`RiskEngine.cleanUpCallable`). */
export function cleanUpCallable(state: DealModelState, terms: CleanUpTerms, now: bigint): boolean {
  if (!isRunning(state.status)) return false;
  const nextEnd = terms.start + BigInt(state.nextPeriod + 1) * BigInt(terms.periodLength);
  if (now >= nextEnd) return false;
  return cleanUpQuote(state, terms, now).allowed;
}
