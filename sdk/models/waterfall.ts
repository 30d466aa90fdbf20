/**
 * Pure TypeScript model of a Cascade period: `WaterfallMath.run` (in every mode) and the period logic of
 * `Deal.distribute`, with the risk engine's assessment (`./risk.ts`) setting the order.
 * It gives the same numbers as the contracts to the wei (the SDK tests check it against chain statements).
 * Imports nothing from viem.
 */
import {
  CouponType,
  DealStatus,
  TrancheKind,
  type Address,
  type PeriodStatement,
  type ReportContent,
  type RiskTerms,
  type TermSheet,
} from "../types.js";
import { couponRate, periodInterest } from "./coupons.js";
import { bpsOf, min, utilization } from "./math.js";
import {
  assessPeriod,
  DEFAULT_RISK_TERMS,
  initialRiskState,
  isRunning,
  writeDownAll,
  type Assessment,
  type IndexObservation,
  type RiskModelState,
} from "./risk.js";
import { principalDue, scheduledOutstanding } from "./schedule.js";

/**
 * Order of payments (`WaterfallMath.Mode`). Normal: the term sheet's order. CashTrap: no reserve release above
 * target (unless the target is zero); what would go to equity is trapped in the reserve while any note is unpaid
 * (turbo: after paying note principal by rank). Accelerated: the whole reserve is released, and after fees and senior
 * interest every unit repays principal strictly by rank; subordinate interest is paid only after all principal.
 */
export const WaterfallMode = { Normal: 0, CashTrap: 1, Accelerated: 2 } as const;
export type WaterfallMode = (typeof WaterfallMode)[keyof typeof WaterfallMode];

/** The waterfall order a deal status runs in (`Deal._assess`): Accelerated, CashTrap, else Normal. */
export function waterfallModeOf(status: number): WaterfallMode {
  if (status === DealStatus.Accelerated) return WaterfallMode.Accelerated;
  if (status === DealStatus.CashTrap) return WaterfallMode.CashTrap;
  return WaterfallMode.Normal;
}

/** Amounts owed at the start of a period, by priority (`WaterfallMath.Input`). Note arrays are by rank. */
export interface WaterfallInput {
  /** Default Normal. */
  mode?: WaterfallMode;
  /** A cash trap pays note principal by rank before trapping the rest (default false). */
  turbo?: boolean;
  cash: bigint;
  reserve: bigint;
  reserveTarget: bigint;
  /**
   * Cash held for the notes outside the period's cash (the recovery account; default 0). Normal and CashTrap: a
   * backstop for what the cash leaves unpaid, the senior interest (before the reserve) and then scheduled principal by
   * rank; the rest stays held, so it never frees cash for fees, subordinate interest or equity. Accelerated: it all
   * joins the cash.
   */
  principalCash?: bigint;
  /** The deal's keeper bounty: paid first, capped by the cash, never carried as arrears. */
  keeperBountyDue: bigint;
  trusteeFeeDue: bigint;
  servicerFeeDue: bigint;
  interestDue: readonly bigint[];
  principalDue: readonly bigint[];
  /** Principal outstanding of each note; required in the CashTrap and Accelerated modes. */
  outstanding?: readonly bigint[];
  /** Written-down principal of each note: repaid by rank before anything is trapped or goes to equity. */
  writtenDown?: readonly bigint[];
}

/** What the priority of payments paid (`WaterfallMath.Result`). */
export interface WaterfallResult {
  /** What the principal cash paid. */
  principalCashUsed: bigint;
  reserveReleased: bigint;
  reserveDrawn: bigint;
  keeperBountyPaid: bigint;
  trusteeFeePaid: bigint;
  servicerFeePaid: bigint;
  interestPaid: bigint[];
  reserveToppedUp: bigint;
  principalPaid: bigint[];
  /** Written-down principal repaid, by rank (the statement counts it in principalPaid). */
  recovered: bigint[];
  /** Cash kept in the reserve by a cash trap. */
  reserveTrapped: bigint;
  residual: bigint;
  reserveAfter: bigint;
}

/**
 * The priority of payments (`WaterfallMath.run`). Normal and CashTrap: release of reserve above target (CashTrap only
 * when the target is zero) → keeper bounty (never carried) → trustee fee → servicer fee → note interest by rank (the
 * reserve covers a senior-interest shortfall) → reserve top-up to target → scheduled principal by rank → CashTrap
 * only: turbo principal by rank, then the rest trapped in the reserve while any note is unpaid → residual.
 * Accelerated: whole reserve released → bounty → fees → senior interest → principal outstanding by rank →
 * subordinate interest by rank → residual. In every mode written-down principal is repaid by rank (`recovered`)
 * before anything is trapped or goes to equity.
 */
export function runWaterfall(input: WaterfallInput): WaterfallResult {
  const notes = input.interestDue.length;
  const mode = input.mode ?? WaterfallMode.Normal;
  const outstanding = input.outstanding;
  if (mode !== WaterfallMode.Normal && outstanding === undefined)
    throw new RangeError("runWaterfall: the CashTrap and Accelerated modes need `outstanding`");
  const r: WaterfallResult = {
    principalCashUsed: 0n,
    reserveReleased: 0n,
    reserveDrawn: 0n,
    keeperBountyPaid: 0n,
    trusteeFeePaid: 0n,
    servicerFeePaid: 0n,
    interestPaid: new Array<bigint>(notes).fill(0n),
    reserveToppedUp: 0n,
    principalPaid: new Array<bigint>(notes).fill(0n),
    recovered: new Array<bigint>(notes).fill(0n),
    reserveTrapped: 0n,
    residual: 0n,
    reserveAfter: 0n,
  };
  let available = input.cash;
  let reserve = input.reserve;
  let principalCash = input.principalCash ?? 0n;
  if (mode === WaterfallMode.Accelerated) {
    // An event of default pools every source: the principal cash is released whole, as the reserve is.
    r.principalCashUsed = principalCash;
    available += principalCash;
    principalCash = 0n;
  }
  const target = mode === WaterfallMode.Accelerated ? 0n : input.reserveTarget;
  const pay = (due: bigint): bigint => {
    const paid = min(due, available);
    available -= paid;
    return paid;
  };
  const recover = (): void => {
    const writtenDown = input.writtenDown ?? [];
    for (let i = 0; i < writtenDown.length && available !== 0n; i++) {
      r.recovered[i] += pay(writtenDown[i] - r.recovered[i]);
    }
  };

  if (reserve > target && (mode !== WaterfallMode.CashTrap || target === 0n)) {
    r.reserveReleased = reserve - target;
    reserve = target;
    available += r.reserveReleased;
  }
  r.keeperBountyPaid = pay(input.keeperBountyDue);
  r.trusteeFeePaid = pay(input.trusteeFeeDue);
  r.servicerFeePaid = pay(input.servicerFeeDue);

  if (mode === WaterfallMode.Accelerated) {
    const owed = outstanding as readonly bigint[];
    if (notes !== 0) r.interestPaid[0] = pay(input.interestDue[0]);
    for (let i = 0; i < notes; i++) r.principalPaid[i] = pay(owed[i]);
    for (let i = 1; i < notes; i++) r.interestPaid[i] = pay(input.interestDue[i]);
    recover();
    r.residual = available;
    r.reserveAfter = 0n;
    return r;
  }

  for (let i = 0; i < notes; i++) {
    r.interestPaid[i] = pay(input.interestDue[i]);
    if (i === 0 && r.interestPaid[0] < input.interestDue[0]) {
      // The senior's shortfall: principal cash first, then the reserve.
      const drawn = min(input.interestDue[0] - r.interestPaid[0], principalCash);
      principalCash -= drawn;
      r.principalCashUsed = drawn;
      r.interestPaid[0] += drawn;
      if (r.interestPaid[0] < input.interestDue[0] && reserve > 0n) {
        r.reserveDrawn = min(input.interestDue[0] - r.interestPaid[0], reserve);
        reserve -= r.reserveDrawn;
        r.interestPaid[0] += r.reserveDrawn;
      }
    }
  }
  if (reserve < target) {
    r.reserveToppedUp = pay(target - reserve);
    reserve += r.reserveToppedUp;
  }
  for (let i = 0; i < notes; i++) {
    // The period's cash first; principal cash covers what it leaves unpaid.
    r.principalPaid[i] = pay(input.principalDue[i]);
    const fromPrincipalCash = min(input.principalDue[i] - r.principalPaid[i], principalCash);
    principalCash -= fromPrincipalCash;
    r.principalCashUsed += fromPrincipalCash;
    r.principalPaid[i] += fromPrincipalCash;
  }

  if (mode === WaterfallMode.CashTrap && available !== 0n) {
    const owed = outstanding as readonly bigint[];
    let unpaid = false;
    for (let i = 0; i < notes; i++) {
      if (input.turbo === true) r.principalPaid[i] += pay(owed[i] - r.principalPaid[i]);
      if (r.principalPaid[i] < owed[i] || r.interestPaid[i] < input.interestDue[i]) unpaid = true;
    }
    recover();
    if (unpaid) {
      r.reserveTrapped = available;
      reserve += available;
      available = 0n;
    }
  }
  recover();
  r.residual = available;
  r.reserveAfter = reserve;
  return r;
}

/**
 * The term-sheet fields the period logic reads. A full {@link TermSheet} satisfies it. `issuer` only names the
 * residual's recipient in a statement when no equity was issued.
 */
export type WaterfallTerms = Pick<
  TermSheet,
  | "periodLength"
  | "periodCount"
  | "pledgedShareBps"
  | "servicerFeeBps"
  | "trusteeFeePerPeriod"
  | "reserveTarget"
  | "keeperBounty"
  | "tranches"
> &
  Partial<Pick<TermSheet, "start" | "risk" | "issuer">>;

/** Running balances of one tranche (equity: outstanding and arrears stay zero). */
export interface TrancheState {
  issued: bigint;
  outstanding: bigint;
  arrears: bigint;
  /** Principal written off (equity: its whole par once any note loses principal). */
  writtenDown: bigint;
}

/** What a deal holds between two distributions. */
export interface DealModelState {
  /** Next period the waterfall will run. */
  nextPeriod: number;
  status: DealStatus;
  /** Collections deposited and not yet distributed. */
  collections: bigint;
  reserve: bigint;
  /** The recovery account: recoveries deposited while the deal runs, not yet applied by a distribution. */
  recoveries: bigint;
  /** The residual credited to the issuer (no equity issued) and not withdrawn. */
  residualOwed: bigint;
  trusteeFeeArrears: bigint;
  servicerFeeArrears: bigint;
  /** Periods distributed without a report (marked unreported by the oracle). */
  missedReports: number;
  /** Every tranche, by rank; the last one is the equity. */
  tranches: readonly TrancheState[];
  /** The deal's risk engine: fleet, price index, trigger states, running sums. */
  risk: RiskModelState;
}

/** The risk terms of `terms` (the defaults when a model term sheet has none). */
export function riskTermsOf(terms: WaterfallTerms): RiskTerms {
  return terms.risk ?? DEFAULT_RISK_TERMS;
}

/** The state of a deal right after every offering settled with `issued[i]` tokens of tranche i. */
export function initialDealState(terms: WaterfallTerms, issued: readonly bigint[]): DealModelState {
  if (issued.length !== terms.tranches.length) {
    throw new RangeError(
      `initialDealState: ${issued.length} issued amounts for ${terms.tranches.length} tranches`,
    );
  }
  let reserve = 0n;
  const tranches = terms.tranches.map((t, i) => {
    reserve += bpsOf(issued[i], t.reserveFundingBps);
    return {
      issued: issued[i],
      outstanding: t.kind === TrancheKind.Note ? issued[i] : 0n,
      arrears: 0n,
      writtenDown: 0n,
    };
  });
  return {
    nextPeriod: 0,
    status: DealStatus.Active,
    collections: 0n,
    reserve,
    recoveries: 0n,
    residualOwed: 0n,
    trusteeFeeArrears: 0n,
    servicerFeeArrears: 0n,
    missedReports: 0,
    tranches,
    risk: initialRiskState(riskTermsOf(terms)),
  };
}

/** The figures of a period's final report the waterfall uses. */
export type PeriodReport = Pick<
  ReportContent,
  "gpuHoursAvailable" | "gpuHoursBilled" | "revenue"
> & {
  reported?: true;
};

/** A period the oracle marked unreported: no figures. */
export interface PeriodUnreported {
  reported: false;
}

/** What the oracle's `periodOutcome` gives the waterfall: a final report, or {@link UNREPORTED}. */
export type PeriodOutcome = PeriodReport | PeriodUnreported;

/** The outcome of a period marked unreported. */
export const UNREPORTED: PeriodUnreported = Object.freeze({ reported: false });

/** Whether an outcome carries a report. */
export function isReported(outcome: PeriodOutcome): outcome is PeriodReport {
  return outcome.reported !== false;
}

/** What the waterfall worked with in a period, beyond its statement: rates, dues, the risk assessment. */
export interface PeriodDetail {
  finalPeriod: boolean;
  /** Annual coupon rate (WAD) of each note. */
  rates: bigint[];
  /** Interest due of each note, arrears included. */
  interestDue: bigint[];
  /** Interest arrears of each note after payment. */
  interestArrears: bigint[];
  principalDue: bigint[];
  /** Outstanding principal of each note after payment (after any final write-off). */
  outstanding: bigint[];
  keeperBountyDue: bigint;
  trusteeFeeDue: bigint;
  servicerFeeDue: bigint;
  trusteeFeeArrears: bigint;
  servicerFeeArrears: bigint;
  /** The reserve target that applied (zero at the final period or once no note principal is outstanding). */
  reserveTarget: bigint;
  /** Who received the residual: the equity token, or the issuer when no equity was issued. */
  residualRecipient: "equity" | "issuer";
  /** The deal's count of missed reports after the period (`ReportMissed.missedReports` when unreported). */
  missedReports: number;
  /** What the risk engine measured and decided (trigger values, fired and cured triggers, the index used). */
  assessment: Assessment;
  /** Principal written off at the final period, by tranche (equity: its par); zeros otherwise. */
  writtenOff: bigint[];
}

export interface PeriodSimulation {
  statement: PeriodStatement;
  next: DealModelState;
  detail: PeriodDetail;
}

/** What else a period's distribution depends on, and who takes part in it. */
export interface PeriodMarketInputs {
  /** What the deal's price feed answered at the distribution (required when the deal has a feed). */
  index?: IndexObservation;
  /** The account that distributes the period: the statement's `keeper` (default the zero address). */
  keeper?: Address;
  /**
   * The deal's equity token: the statement's `residualRecipient` when equity was issued (default the zero address;
   * without equity the recipient is `terms.issuer`, default the zero address too).
   */
  equityToken?: Address;
}

const ZERO_ADDRESS: Address = "0x0000000000000000000000000000000000000000";

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
export function simulatePeriod(
  state: DealModelState,
  terms: WaterfallTerms,
  outcome: PeriodOutcome,
  collections = 0n,
  market: PeriodMarketInputs = {},
): PeriodSimulation {
  const count = terms.periodCount;
  const period = state.nextPeriod;
  const risk = riskTermsOf(terms);
  if (!isRunning(state.status)) throw new RangeError(`simulatePeriod: deal status ${state.status}`);
  if (period >= count)
    throw new RangeError(`simulatePeriod: period ${period} beyond maturity (${count})`);
  if (collections < 0n) throw new RangeError("simulatePeriod: negative collections");
  const reported = isReported(outcome);
  if (reported && outcome.gpuHoursBilled > outcome.gpuHoursAvailable)
    throw new RangeError("simulatePeriod: billed > available");
  if (terms.start === undefined && state.risk.fleet.length > 0)
    throw new RangeError("simulatePeriod: valuing a fleet needs the term sheet's start");

  const finalPeriod = period + 1 === count;
  // The oracle gives zeros for an unreported period, so its utilization is 0.
  const available = reported ? outcome.gpuHoursAvailable : 0n;
  const billed = reported ? outcome.gpuHoursBilled : 0n;
  const revenue = reported ? outcome.revenue : 0n;
  const u = utilization(available, billed);
  const undistributed = state.collections + collections;
  // The report caps the cash at the pool's share of revenue, except at the final period or without a report: then
  // all of it goes out.
  const cash =
    finalPeriod || !reported
      ? undistributed
      : min(undistributed, bpsOf(revenue, terms.pledgedShareBps));

  const notes = terms.tranches.length - 1;
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
    interestDue.push(periodInterest(st.outstanding, rate, terms.periodLength) + st.arrears);
    principalDues.push(
      principalDue(st.outstanding, scheduledOutstanding(st.issued, tr.principal, period, count)),
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
  const servicerFeeDue = bpsOf(cash, terms.servicerFeeBps) + state.servicerFeeArrears;

  const start = terms.start ?? 0n;
  const assessment = assessPeriod(
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
      cash,
      reserve: state.reserve,
      recoveries: state.recoveries,
      reserveTarget,
      feesDue: keeperBountyDue + trusteeFeeDue + servicerFeeDue,
      outstanding,
      interestDue,
      principalDue: principalDues,
    },
    market.index,
  );
  // An event of default sweeps every collection held into the paydown (the servicer fee stays on the period's cash).
  const paidCash = assessment.mode === DealStatus.Accelerated ? undistributed : cash;
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
  const r = runWaterfall(input);

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
    if (principalLeft) writeDownAll(tranches);
    status = allRepaid ? DealStatus.Repaid : DealStatus.Defaulted;
  }
  const collectionsCarried = undistributed - paidCash;
  const equity = state.tranches[notes];
  const equityIssued = equity !== undefined && equity.issued !== 0n;
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
    tranches,
    risk: assessment.next,
  };
  const statement: PeriodStatement = {
    period: BigInt(period),
    reported,
    cashIn: paidCash,
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
export function noteFactor(t: TrancheState, kind: number): bigint {
  if (kind === TrancheKind.Equity || t.issued === 0n) return t.issued === 0n ? 0n : 10n ** 18n;
  return (t.outstanding * 10n ** 18n) / t.issued;
}
