/**
 * Mirrors `contracts/core/Deal.sol` (and `DealExtension.sol`, the same deal): the deal's state machine. `distribute`
 * runs a period as `Deal.distribute` does (a site counts its tenants' rent as cash and a tenant pays its site's rent
 * first, `siteRentDue`; the risk engine's assessment, `./risk.ts`, sets the order; the waterfall, `./waterfall.ts`,
 * pays it; the status and balances follow), `receiveRent` is a site's side of a tenant's rent, `writeDown`,
 * `depositRecoveries` and `cleanUpCall` are the deal's loss, recovery and clean-up paths, `factor` its bond factor.
 * Same numbers as the contract to the wei (the SDK tests check it against chain statements). Pure: imports nothing
 * from viem.
 */
import {
  CouponType,
  DealStatus,
  TrancheKind,
  type PeriodStatement,
  type RiskTerms,
} from "../types.js";
import { min, mulDivDown, WAD } from "./math.js";
import { assess, cleanUpQuote, initialRiskState } from "./risk.js";
import { DEFAULT_RISK_TERMS } from "./riskTerms.js";
import {
  isReported,
  isRunning,
  ZERO_ADDRESS,
  type CleanUpResult,
  type CleanUpTerms,
  type DealModelState,
  type PeriodMarketInputs,
  type PeriodOutcome,
  type PeriodSimulation,
  type RecoveriesResult,
  type RecoveryAllocation,
  type TrancheState,
  type WaterfallTerms,
} from "./types.js";
import {
  bpsOfDown,
  couponRate,
  periodInterestDown,
  principalDue,
  run,
  scheduledOutstandingUp,
  utilizationDown,
  WaterfallMode,
  type WaterfallInput,
} from "./waterfall.js";

/** The waterfall order a deal status runs in (`Deal._assess`): Accelerated, CashTrap, else Normal. */
export function waterfallModeOf(status: number): WaterfallMode {
  if (status === DealStatus.Accelerated) return WaterfallMode.Accelerated;
  if (status === DealStatus.CashTrap) return WaterfallMode.CashTrap;
  return WaterfallMode.Normal;
}

/** The risk terms of `terms` (the defaults when a model term sheet has none). */
export function riskTermsOf(terms: WaterfallTerms): RiskTerms {
  return terms.risk ?? DEFAULT_RISK_TERMS;
}

/** The number of notes (`DealArgs.noteCount`): the tranches before the first equity class. */
function noteCountOf(tranches: readonly { kind: number }[]): number {
  const first = tranches.findIndex((t) => t.kind === TrancheKind.Equity);
  return first === -1 ? tranches.length : first;
}

/** Whether any equity class holds tokens (the deal then pays its residual to equity, else it credits the issuer). */
function equityIssuedOf(state: Pick<DealModelState, "tranches" | "noteCount">): boolean {
  return state.tranches.slice(state.noteCount).some((t) => t.issued !== 0n);
}

/**
 * The state of a deal right after every offering settled with `issued[i]` tokens of tranche i: Active, or Cancelled
 * when nothing was issued (every offering missed its minimum raise; `Deal.onOfferingSettled`).
 */
export function initialDealState(terms: WaterfallTerms, issued: readonly bigint[]): DealModelState {
  if (issued.length !== terms.tranches.length) {
    throw new RangeError(
      `initialDealState: ${issued.length} issued amounts for ${terms.tranches.length} tranches`,
    );
  }
  let reserve = 0n;
  const tranches = terms.tranches.map((t, i) => {
    reserve += bpsOfDown(issued[i], t.reserveFundingBps);
    return {
      issued: issued[i],
      outstanding: t.kind === TrancheKind.Note ? issued[i] : 0n,
      arrears: 0n,
      writtenDown: 0n,
    };
  });
  return {
    nextPeriod: 0,
    status: issued.some((x) => x !== 0n) ? DealStatus.Active : DealStatus.Cancelled,
    collections: 0n,
    reserve,
    recoveries: 0n,
    residualOwed: 0n,
    trusteeFeeArrears: 0n,
    servicerFeeArrears: 0n,
    missedReports: 0,
    rentPending: 0n,
    rentArrears: 0n,
    tranches,
    noteCount: noteCountOf(terms.tranches),
    risk: initialRiskState(riskTermsOf(terms)),
  };
}

// ------------------------------------------------------------------ site rent

/**
 * The site rent a tenant deal owes for a period (`Deal._rent`): `rentBps` of the period's reported revenue (none for
 * an unreported period), `rentPerUnit` for each unit of its capacity (`oracle.fleetGpus`), and `arrears`, the rent
 * earlier periods left unpaid. Zero for a deal without a site.
 */
export function siteRentDue(
  terms: Pick<WaterfallTerms, "site" | "oracle">,
  outcome: PeriodOutcome,
  arrears: bigint,
): bigint {
  const site = terms.site;
  if (site === undefined || site.site === ZERO_ADDRESS) return 0n;
  const share = isReported(outcome) ? bpsOfDown(outcome.revenue, site.rentBps) : 0n;
  return share + site.rentPerUnit * BigInt(terms.oracle?.fleetGpus ?? 0) + arrears;
}

/**
 * A site's side of a tenant's rent (`Deal.receiveRent`): until the site has ended the rent waits for its next
 * distribution (`rentPending`, cash of that period); once it has ended (Repaid, Defaulted or Cancelled) it pays on at
 * once as the recoveries of a defaulted deal do (written-down notes and their arrears by rank, then the residual).
 */
export function receiveRent(state: DealModelState, amount: bigint): RecoveriesResult {
  if (amount < 0n) throw new RangeError("receiveRent: negative amount");
  if (state.status < DealStatus.Repaid) {
    return {
      next: { ...state, rentPending: state.rentPending + amount },
      allocations: [],
      left: amount,
      destination: "rent pending",
    };
  }
  return payRecoveries(state, amount);
}

// ------------------------------------------------------------------ a period

/**
 * Runs the next period of a deal, as `Deal.distribute(state.nextPeriod)` would: the risk engine measures the period
 * and its triggers set the waterfall's order, then the waterfall runs in that order; the deal's status follows the
 * order (at the final period: Repaid, or Defaulted with the unpaid principal written off, equity first).
 *
 * @param outcome the period's final report, or {@link UNREPORTED} for a period the oracle marked unreported: then
 *   the cash is every undistributed collection, utilization-linked coupons pay their floor and the utilization is 0.
 * @param collections stablecoin deposited since the last distribution (added to `state.collections`).
 * @param market the price feed's answer, when the deal has one, and the addresses the statement names (the keeper,
 *   the equity token).
 * @throws RangeError when the deal is not running or every period was distributed.
 */
export function distribute(
  state: DealModelState,
  terms: WaterfallTerms,
  outcome: PeriodOutcome,
  collections = 0n,
  market: PeriodMarketInputs = {},
): PeriodSimulation {
  const count = terms.periodCount;
  const period = state.nextPeriod;
  const risk = riskTermsOf(terms);
  if (!isRunning(state.status)) throw new RangeError(`distribute: deal status ${state.status}`);
  if (period >= count)
    throw new RangeError(`distribute: period ${period} beyond maturity (${count})`);
  if (collections < 0n) throw new RangeError("distribute: negative collections");
  const reported = isReported(outcome);
  if (reported && outcome.gpuHoursBilled > outcome.gpuHoursAvailable)
    throw new RangeError("distribute: billed > available");
  if (terms.start === undefined && state.risk.fleet.length > 0)
    throw new RangeError("distribute: valuing a fleet needs the term sheet's start");

  const finalPeriod = period + 1 === count;
  // The oracle gives zeros for an unreported period, so its utilization is 0.
  const available = reported ? outcome.gpuHoursAvailable : 0n;
  const billed = reported ? outcome.gpuHoursBilled : 0n;
  const revenue = reported ? outcome.revenue : 0n;
  const u = utilizationDown(available, billed);
  const undistributed = state.collections + collections;
  // The report caps the cash at the pool's share of revenue, except at the final period or without a report: then
  // all of it goes out.
  const collected =
    finalPeriod || !reported
      ? undistributed
      : min(undistributed, bpsOfDown(revenue, terms.pledgedShareBps));
  // A site's rent from its tenants is cash of the period as received; a tenant then pays its site's rent first.
  const rentIn = state.rentPending;
  const rentDue = siteRentDue(terms, outcome, state.rentArrears);
  const rentPaid = min(collected + rentIn, rentDue);
  const cash = collected + rentIn - rentPaid;

  const notes = state.noteCount;
  const rates: bigint[] = [];
  const interestDue: bigint[] = [];
  const principalDues: bigint[] = [];
  const outstanding: bigint[] = [];
  let outstandingNotes = 0n;
  for (let i = 0; i < notes; i++) {
    const tr = terms.tranches[i];
    const st = state.tranches[i];
    // Without a report, a utilization-linked coupon falls to its floor.
    const rate =
      !reported && tr.coupon.couponType === CouponType.UtilizationLinked
        ? tr.coupon.floorRate
        : couponRate(tr.coupon, u);
    rates.push(rate);
    interestDue.push(periodInterestDown(st.outstanding, rate, terms.periodLength) + st.arrears);
    principalDues.push(
      principalDue(st.outstanding, scheduledOutstandingUp(st.issued, tr.principal, period, count)),
    );
    outstanding.push(st.outstanding);
    outstandingNotes += st.outstanding;
  }
  // The reserve and the recovery account back the notes: once none is outstanding, or at the final period, they are
  // released (the recovery account joins the period's cash).
  const releaseRecoveries = finalPeriod || outstandingNotes === 0n;
  const reserveTarget = releaseRecoveries ? 0n : terms.reserveTarget;
  const keeperBountyDue = terms.keeperBounty;
  const trusteeFeeDue = terms.trusteeFeePerPeriod + state.trusteeFeeArrears;
  const servicerFeeDue = bpsOfDown(cash, terms.servicerFeeBps) + state.servicerFeeArrears;

  const start = terms.start ?? 0n;
  const assessment = assess(
    state.risk,
    risk,
    {
      period,
      finalPeriod,
      reported,
      valuationTime: start + BigInt(period + 1) * BigInt(terms.periodLength),
      gpuHoursAvailable: available,
      gpuHoursBilled: billed,
      revenue,
      pledgedShareBps: terms.pledgedShareBps,
      // The covenants see the cash net of rent: the rent is cash of the period, due ahead of the fees.
      cash: cash + rentPaid,
      reserve: state.reserve,
      recoveries: state.recoveries,
      reserveTarget,
      feesDue: rentDue + keeperBountyDue + trusteeFeeDue + servicerFeeDue,
      outstanding,
      interestDue,
      principalDue: principalDues,
      // What the engine reads itself: the deal's capacity in a period, the final report's PUE and appraisal.
      // `PeriodSchedule.capacityOf`: capacity units (GPUs or kW) × hours in the period, rounded down.
      capacity:
        terms.oracle === undefined
          ? undefined
          : (BigInt(terms.oracle.fleetGpus) * BigInt(terms.periodLength)) / 3_600n,
      pue: reported ? (outcome.pue ?? 0) : 0,
      appraisal: reported ? (outcome.appraisal ?? 0n) : 0n,
      rentIn,
    },
    market.index,
  );
  // An event of default sweeps every collection held into the paydown (the servicer fee stays on the period's cash).
  const sweep = assessment.mode === DealStatus.Accelerated ? undistributed - collected : 0n;
  const paidCash = cash + sweep;
  const recoveriesSwept = releaseRecoveries ? state.recoveries : 0n;
  const input: WaterfallInput = {
    mode: waterfallModeOf(assessment.mode),
    turbo: assessment.turbo,
    cash: paidCash + recoveriesSwept,
    principalCash: releaseRecoveries ? 0n : state.recoveries,
    reserve: state.reserve,
    reserveTarget,
    keeperBountyDue,
    trusteeFeeDue,
    servicerFeeDue,
    interestDue,
    principalDue: principalDues,
    outstanding,
    writtenDown: state.tranches.slice(0, notes).map((t) => t.writtenDown),
  };
  const r = run(input);

  const tranches: TrancheState[] = state.tranches.map((st) => ({ ...st }));
  let allRepaid = true;
  let principalLeft = false;
  const principalPaid = r.principalPaid.map((p, i) => p + r.recovered[i]);
  for (let i = 0; i < notes; i++) {
    tranches[i].arrears = interestDue[i] - r.interestPaid[i];
    tranches[i].outstanding -= r.principalPaid[i];
    tranches[i].writtenDown -= r.recovered[i];
    if (tranches[i].outstanding !== 0n) principalLeft = true;
    if (tranches[i].outstanding !== 0n || tranches[i].arrears !== 0n) allRepaid = false;
  }
  // The statement's outstanding is what the payment left, before a write-off at maturity.
  const outstandingAfter = tranches.slice(0, notes).map((t) => t.outstanding);
  const writtenBefore = tranches.map((t) => t.writtenDown);
  let status: DealStatus = assessment.mode;
  if (finalPeriod) {
    if (principalLeft) writeDownAll(tranches, notes);
    status = allRepaid ? DealStatus.Repaid : DealStatus.Defaulted;
  }
  const collectionsCarried = undistributed - collected - sweep;
  const equityIssued = equityIssuedOf(state);
  const missedReports = state.missedReports + (reported ? 0 : 1);
  const recoveriesApplied = recoveriesSwept + r.principalCashUsed;
  const next: DealModelState = {
    nextPeriod: period + 1,
    status,
    collections: collectionsCarried,
    reserve: r.reserveAfter,
    recoveries: state.recoveries - recoveriesApplied,
    residualOwed: equityIssued ? state.residualOwed : state.residualOwed + r.residual,
    trusteeFeeArrears: trusteeFeeDue - r.trusteeFeePaid,
    servicerFeeArrears: servicerFeeDue - r.servicerFeePaid,
    missedReports,
    rentPending: 0n,
    rentArrears: rentDue - rentPaid,
    tranches,
    noteCount: notes,
    risk: assessment.next,
  };
  const statement: PeriodStatement = {
    period: BigInt(period),
    reported,
    cashIn: paidCash + rentPaid,
    reserveReleased: r.reserveReleased,
    reserveDrawn: r.reserveDrawn,
    keeperBountyPaid: r.keeperBountyPaid,
    trusteeFeePaid: r.trusteeFeePaid,
    servicerFeePaid: r.servicerFeePaid,
    interestPaid: r.interestPaid,
    reserveToppedUp: r.reserveToppedUp,
    principalPaid,
    residualPaid: r.residual,
    utilization: u,
    reserveTrapped: r.reserveTrapped,
    collectionsCarried,
    reserveAfter: r.reserveAfter,
    mode: assessment.mode,
    metrics: assessment.metrics,
    keeper: market.keeper ?? ZERO_ADDRESS,
    trusteeFeeArrears: next.trusteeFeeArrears,
    servicerFeeArrears: next.servicerFeeArrears,
    interestDue: [...interestDue],
    outstanding: outstandingAfter,
    residualRecipient: equityIssued
      ? (market.equityToken ?? ZERO_ADDRESS)
      : (terms.issuer ?? ZERO_ADDRESS),
    recoveriesApplied,
    rentIn,
    rentPaid,
    rentArrears: rentDue - rentPaid,
  };
  return {
    statement,
    next,
    detail: {
      finalPeriod,
      rates,
      interestDue,
      interestArrears: tranches.slice(0, notes).map((t) => t.arrears),
      principalDue: principalDues,
      outstanding: tranches.slice(0, notes).map((t) => t.outstanding),
      rentDue,
      keeperBountyDue,
      trusteeFeeDue,
      servicerFeeDue,
      trusteeFeeArrears: next.trusteeFeeArrears,
      servicerFeeArrears: next.servicerFeeArrears,
      reserveTarget,
      residualRecipient: equityIssued ? "equity" : "issuer",
      missedReports,
      assessment,
      writtenOff: tranches.map((t, i) => t.writtenDown - writtenBefore[i]),
    },
  };
}

/** Whether a statement conserves cash: what came in equals what went out, to the wei. */
export function statementBalances(s: PeriodStatement): boolean {
  const inflow = s.cashIn + s.recoveriesApplied + s.reserveReleased + s.reserveDrawn;
  const outflow =
    s.rentPaid +
    s.keeperBountyPaid +
    s.trusteeFeePaid +
    s.servicerFeePaid +
    s.interestPaid.reduce((a, b) => a + b, 0n) +
    s.reserveToppedUp +
    s.principalPaid.reduce((a, b) => a + b, 0n) +
    s.reserveTrapped +
    s.residualPaid;
  return inflow === outflow;
}

/** Bond factor (WAD) of a note: outstanding per unit of face issued, as `Deal.factor`. */
export function factor(t: TrancheState, kind: number): bigint {
  if (kind === TrancheKind.Equity || t.issued === 0n) return t.issued === 0n ? 0n : WAD;
  return mulDivDown(t.outstanding, WAD, t.issued);
}

// ------------------------------------------------------------------ losses, recoveries, clean-up call

function copyTranches(state: DealModelState): TrancheState[] {
  return state.tranches.map((t) => ({ ...t }));
}

/** Equity is the first loss: once any note loses principal every equity class's whole par is written off. */
function writeDownEquity(tranches: TrancheState[], notes: number): void {
  for (const eq of tranches.slice(notes)) eq.writtenDown = eq.issued;
}

/**
 * Final maturity with anything unpaid: equity written off, then every note's remaining principal. `notes`: the number
 * of notes (default: every tranche but the last, one equity class).
 */
export function writeDownAll(tranches: TrancheState[], notes = tranches.length - 1): void {
  writeDownEquity(tranches, notes);
  for (let i = notes - 1; i >= 0; i--) {
    tranches[i].writtenDown += tranches[i].outstanding;
    tranches[i].outstanding = 0n;
  }
}

/**
 * The trustee writes off `amount` of note principal (`Deal.writeDown`): allowed only while Accelerated with the
 * collections, the reserve and the recovery account exhausted; equity first, then bottom-up from the most junior note.
 * @returns the new state and the cut of each note.
 */
export function writeDown(
  state: DealModelState,
  amount: bigint,
): { next: DealModelState; cuts: bigint[] } {
  if (state.status !== DealStatus.Accelerated)
    throw new RangeError(`WriteDownNotAllowed(${state.status})`);
  // A site's pending rent is cash held, like the collections.
  const held = state.collections + state.rentPending;
  if (held !== 0n || state.reserve !== 0n || state.recoveries !== 0n)
    throw new RangeError(`RecoveriesNotExhausted(${held}, ${state.reserve}, ${state.recoveries})`);
  const tranches = copyTranches(state);
  const notes = state.noteCount;
  const outstanding = tranches.slice(0, notes).reduce((a, t) => a + t.outstanding, 0n);
  if (amount === 0n || amount > outstanding)
    throw new RangeError(`InvalidWriteDown(${amount}, ${outstanding})`);
  writeDownEquity(tranches, notes);
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

/**
 * Recoveries (`Deal.depositRecoveries`, also a fleet sale's proceeds). A running deal holds them in its recovery
 * account, which its distributions apply in their priority of payments (see `run`'s `principalCash` (`./waterfall.ts`));
 * nothing is repaid at once, so every note keeps earning its coupon on its whole principal. A defaulted deal pays them
 * at once, note by note in rank order: written-down principal, then interest arrears; the rest goes to equity (the
 * issuer, credited, when no equity was sold).
 */
export function depositRecoveries(state: DealModelState, amount: bigint): RecoveriesResult {
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
  return payRecoveries(state, amount);
}

/**
 * Cash an ended deal received as recoveries (a deposit into a defaulted deal, or a site's rent once it has ended):
 * note by note in rank order, written-down principal, then interest arrears; the rest to equity (the issuer, credited,
 * when no equity was sold).
 */
function payRecoveries(state: DealModelState, amount: bigint): RecoveriesResult {
  const tranches = copyTranches(state);
  const notes = state.noteCount;
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
    if (recovered + interest !== 0n)
      allocations.push({ tranche: i, principal: 0n, recovered, interest });
  }
  const equityIssued = equityIssuedOf(state);
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

/**
 * The issuer's clean-up call at `now` (`Deal.cleanUpCall`): every note repaid with its quoted interest, fee arrears
 * paid, the collections, reserve and recovery account used first; the deal is Repaid.
 */
export function cleanUpCall(
  state: DealModelState,
  terms: CleanUpTerms,
  now: bigint,
): CleanUpResult {
  if (!isRunning(state.status)) throw new RangeError(`DealNotActive(${state.status})`);
  const nextEnd = terms.start + BigInt(state.nextPeriod + 1) * BigInt(terms.periodLength);
  if (now >= nextEnd) throw new RangeError(`CleanUpPeriodPending(${state.nextPeriod})`);
  const quote = cleanUpQuote(state, terms, now);
  if (!quote.allowed)
    throw new RangeError(`CleanUpNotAllowed(${quote.seniorOutstanding}, ${quote.threshold})`);
  const tranches = copyTranches(state);
  const notes = state.noteCount;
  const paid: bigint[] = [];
  for (let i = 0; i < notes; i++) {
    paid.push(quote.interest[i] + tranches[i].outstanding + tranches[i].writtenDown);
    tranches[i].outstanding = 0n;
    tranches[i].arrears = 0n;
    tranches[i].writtenDown = 0n;
  }
  const residual =
    state.collections +
    state.rentPending +
    state.reserve +
    state.recoveries +
    quote.fromIssuer -
    quote.payoff;
  const equityIssued = equityIssuedOf(state);
  return {
    next: {
      ...state,
      status: DealStatus.Repaid,
      collections: 0n,
      rentPending: 0n,
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
