/**
 * State and result types the model files share (deal.ts, risk.ts), so that no model imports another only for a
 * type. The Solidity side keeps them in `contracts/interfaces/IDeal.sol` and `IRiskEngine.sol`. Pure: imports
 * nothing from viem.
 */
import {
  DealStatus,
  type Address,
  type FleetEntryStatus,
  type FleetEntryTerms,
  type OracleTerms,
  type PeriodMetrics,
  type PeriodStatement,
  type ReportContent,
  type RiskTerms,
  type TermSheet,
} from "../types.js";

/** The zero address: no price feed, no keeper, no equity token. */
export const ZERO_ADDRESS: Address = "0x0000000000000000000000000000000000000000";

/** Whether a deal status runs periods (`Deal._running`): Active, CashTrap or Accelerated. */
export function isRunning(status: number): boolean {
  return (
    status === DealStatus.Active ||
    status === DealStatus.CashTrap ||
    status === DealStatus.Accelerated
  );
}

// ------------------------------------------------------------------ terms

/**
 * The term-sheet fields the period logic reads. A full {@link TermSheet} satisfies it. `issuer` only names the
 * residual's recipient in a statement when no equity was issued. A tenant deal's `site` and its capacity
 * (`oracle.fleetGpus`) set the rent it pays first each period (none without them).
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
  Partial<Pick<TermSheet, "start" | "risk" | "issuer" | "site">> & {
    /** The oracle's capacity (`fleetGpus`): the Occupancy covenant's denominator. */
    oracle?: Pick<TermSheet["oracle"], "fleetGpus">;
  };

/** The term-sheet fields a clean-up quote reads. */
export type CleanUpTerms = Pick<TermSheet, "start" | "periodLength" | "tranches"> & {
  risk?: Pick<RiskTerms, "cleanUpBps">;
};

// ------------------------------------------------------------------ the deal's state (Deal.sol)

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
  /** A site: rent its tenant deals paid since its last distribution (`Deal.pendingRent`), cash of its next period. */
  rentPending: bigint;
  /** A tenant: rent left unpaid by its last period (`Deal.rentArrears`), due with the next period's rent. */
  rentArrears: bigint;
  /** Every tranche, by rank; the last one is the equity. */
  tranches: readonly TrancheState[];
  /** The deal's risk engine: fleet, price index, trigger states, running sums. */
  risk: RiskModelState;
}

// ------------------------------------------------------------------ the risk engine's state (RiskEngine.sol)

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

/**
 * The latest appraisal of the collateral a risk engine recorded (`IRiskEngine.AppraisalMark`): `value` 0 when none yet;
 * signed in the final report of `period`, as of that period's end `asOf`.
 */
export interface AppraisalMark {
  value: bigint;
  asOf: bigint;
  period: number;
}

/** What a deal's risk engine holds between two assessments. */
export interface RiskModelState {
  fleet: readonly FleetEntryState[];
  /** The last price index accepted from the feed (0: none yet) and the feed time it was observed at. */
  lastIndex: bigint;
  lastIndexAt: bigint;
  /** The latest appraisal recorded (deals with `appraisalMaxAge` only). */
  appraisal: AppraisalMark;
  /** By trigger, in term-sheet order. */
  triggers: readonly TriggerModelState[];
  /** Running sums after each assessed period, by period (the chain keeps the last `trailingPeriods + 1`). */
  cumulative: readonly CumulativeSums[];
}

// ------------------------------------------------------------------ the price index

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

// ------------------------------------------------------------------ assessment (RiskEngine.assess)

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
  /** A tenant's site rent due + keeper bounty + trustee fee + servicer fee due (arrears included). */
  feesDue: bigint;
  outstanding: readonly bigint[];
  interestDue: readonly bigint[];
  principalDue: readonly bigint[];
  /**
   * What the engine reads beyond the deal's input: the deal's capacity in a period (`IRiskEngine.Config.capacity`,
   * its clone arguments; the Occupancy denominator) and, for a reported period, the final report's PUE (× 10 000) and
   * appraisal (`UtilizationOracle.facilityOutcome`). Zero when absent.
   */
  capacity?: bigint;
  pue?: number;
  appraisal?: bigint;
  /** Of `cash`, the rent a site received from its tenant deals (not collected: outside the servicer shortfall). */
  rentIn: bigint;
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
  /** The appraisal the period recorded (`AppraisalRecorded`), if its report carried one and the deal marks to them. */
  appraisalRecorded: AppraisalMark | undefined;
}

// ------------------------------------------------------------------ a period (Deal.distribute)

/**
 * The figures of a period's final report the waterfall and the risk engine use (the PUE and the appraisal default to
 * zero: not stated).
 */
export type PeriodReport = Pick<
  ReportContent,
  "gpuHoursAvailable" | "gpuHoursBilled" | "revenue" | "pue" | "appraisal"
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
  /** A tenant: the site rent due (a share of the reported revenue, per unit of capacity, arrears), zero without a site. */
  rentDue: bigint;
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

// ------------------------------------------------------------------ losses, recoveries, clean-up call

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
  /** Where `left` went (`issuer`: credited to it in the deal; `rent pending`: a site's rent, cash of its next period). */
  destination: "recovery account" | "rent pending" | "equity" | "issuer";
}

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

export interface CleanUpResult {
  next: DealModelState;
  quote: CleanUpQuote;
  /** Per note: interest + principal paid to its token. */
  paid: bigint[];
  /** Collections + reserve + recoveries + what the issuer brought − payoff, to equity (or credited to the issuer). */
  residual: bigint;
  residualRecipient: "equity" | "issuer";
}
