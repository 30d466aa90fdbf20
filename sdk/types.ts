/**
 * On-chain types of Cascade, mirroring `contracts/interfaces/ICascadeTypes.sol`.
 *
 * Integer widths follow viem's ABI mapping so a value of these types can be passed to a contract call as is:
 * `uint8`…`uint48` are `number`, wider integers are `bigint`. This file imports nothing (the pure models use it).
 */

/** A 20-byte address, `0x`-prefixed (same shape as viem's `Address`). */
export type Address = `0x${string}`;

/** A `0x`-prefixed hex string (same shape as viem's `Hex`). */
export type Hex = `0x${string}`;

export const TrancheKind = { Note: 0, Equity: 1 } as const;
export type TrancheKind = (typeof TrancheKind)[keyof typeof TrancheKind];

export const CouponType = { Fixed: 0, UtilizationLinked: 1 } as const;
export type CouponType = (typeof CouponType)[keyof typeof CouponType];

export const PrincipalType = { Bullet: 0, StraightLine: 1 } as const;
export type PrincipalType = (typeof PrincipalType)[keyof typeof PrincipalType];

/**
 * Lifecycle of a deal (`DealStatus`). Repaid, Defaulted and Cancelled are final; Cancelled: every offering missed its
 * minimum raise, so nothing was issued and the deal never runs.
 */
export const DealStatus = {
  Offering: 0,
  Active: 1,
  CashTrap: 2,
  Accelerated: 3,
  Repaid: 4,
  Defaulted: 5,
  Cancelled: 6,
} as const;
export type DealStatus = (typeof DealStatus)[keyof typeof DealStatus];

/** Whether a deal in `status` has ended: Repaid, Defaulted or Cancelled (it takes no more collections). */
export function dealEnded(status: number): boolean {
  return (
    status === DealStatus.Repaid ||
    status === DealStatus.Defaulted ||
    status === DealStatus.Cancelled
  );
}

/** Name of a {@link DealStatus} value. */
export function dealStatusName(status: number): keyof typeof DealStatus | "Unknown" {
  const entry = Object.entries(DealStatus).find(([, v]) => v === status);
  return entry ? (entry[0] as keyof typeof DealStatus) : "Unknown";
}

/**
 * What a trigger measures (`RiskMetric`). Ratios are WAD (1e18 = 1.0× or 100 %). Occupancy: capacity billed / the
 * deal's capacity × hours in the period (0 unreported); Pue: the period's reported PUE as a WAD ratio (0 when not
 * reported).
 */
export const RiskMetric = {
  Dscr: 0,
  TrailingDscr: 1,
  Utilization: 2,
  Ltv: 3,
  SeniorCurve: 4,
  ReserveLevel: 5,
  ServicerShortfall: 6,
  MissedReport: 7,
  Occupancy: 8,
  Pue: 9,
} as const;
export type RiskMetric = (typeof RiskMetric)[keyof typeof RiskMetric];

/** A trigger is in breach when its metric is strictly below (or above) its threshold. */
export const TriggerComparison = { Below: 0, Above: 1 } as const;
export type TriggerComparison = (typeof TriggerComparison)[keyof typeof TriggerComparison];

/** What an active trigger does to the waterfall. */
export const TriggerEffect = { CashTrap: 0, Accelerate: 1 } as const;
export type TriggerEffect = (typeof TriggerEffect)[keyof typeof TriggerEffect];

/** How a fleet entry loses book value. None: land, valued at cost for ever. */
export const DepreciationMethod = { StraightLine: 0, DecliningBalance: 1, None: 2 } as const;
export type DepreciationMethod = (typeof DepreciationMethod)[keyof typeof DepreciationMethod];

/**
 * Whether a fleet entry counts as collateral (`IRiskEngine.FleetEntryStatus`): the term sheet's entries are
 * Confirmed; entries the issuer adds later are Pending until the trustee confirms them (or the trustee or the
 * guardian rejects them).
 */
export const FleetEntryStatus = { Pending: 0, Confirmed: 1, Rejected: 2 } as const;
export type FleetEntryStatus = (typeof FleetEntryStatus)[keyof typeof FleetEntryStatus];

/** `TriggerTerms`: fires after `periods` consecutive breaches; curable ones clear at the first period out of breach. */
export interface TriggerTerms {
  metric: number;
  comparison: number;
  effect: number;
  periods: number;
  cures: boolean;
  /** WAD. */
  threshold: bigint;
}

/** `FleetEntryTerms`: `count` GPUs of `model` (bytes16) bought at `unitCost` each. Times and lives in seconds. */
export interface FleetEntryTerms {
  model: Hex;
  count: number;
  unitCost: bigint;
  unitResidual: bigint;
  acquiredAt: bigint;
  usefulLife: number;
  method: number;
  /** Declining balance only: yearly rate, WAD. */
  yearlyRate: bigint;
  /** Price index at acquisition in the feed's units; 0 = not marked to the index. */
  indexAtAcquisition: bigint;
}

/** `PriceFeedTerms`: optional GPU rental-price index (Chainlink AggregatorV3Interface); zero address = none. */
export interface PriceFeedTerms {
  feed: Address;
  decimals: number;
  maxStaleness: number;
}

/** `RiskTerms`: covenants and collateral. */
export interface RiskTerms {
  /** Window of the trailing DSCR, 1–12 periods. */
  trailingPeriods: number;
  /** Clean-up call allowed once senior outstanding ≤ this fraction of senior face (bps); 0 = none. */
  cleanUpBps: number;
  /** A cash trap pays note principal by rank before trapping the rest in the reserve. */
  turbo: boolean;
  /** Seconds a waiver ballot stays open. */
  waiverVotingPeriod: number;
  priceFeed: PriceFeedTerms;
  triggers: readonly TriggerTerms[];
  fleet: readonly FleetEntryTerms[];
  /** Non-zero: the collateral is marked to the latest final appraisal its reporters signed while it is at most this
   * many seconds old; 0: no appraisal marks. */
  appraisalMaxAge: number;
}

/** `PeriodMetrics`: measured before a period's waterfall. Ratios WAD; "nothing to cover" is 2^256 − 1. */
export interface PeriodMetrics {
  cashAvailableForDebtService: bigint;
  debtService: bigint;
  dscr: bigint;
  trailingDscr: bigint;
  utilization: bigint;
  collateralValue: bigint;
  notesOutstanding: bigint;
  ltv: bigint;
  seniorCurve: bigint;
  reserveLevel: bigint;
  servicerShortfall: bigint;
  breakEvenUtilization: bigint;
  overcollateralization: readonly bigint[];
  interestCoverage: readonly bigint[];
  breachedMask: bigint;
  activeMask: bigint;
}

/** `CouponTerms`: rates, slope and strike are WAD fractions (1e18 = 100 %). */
export interface CouponTerms {
  couponType: number;
  baseRate: bigint;
  slope: bigint;
  strike: bigint;
  floorRate: bigint;
  capRate: bigint;
}

/** `PrincipalTerms`. */
export interface PrincipalTerms {
  scheduleType: number;
  amortStartPeriod: number;
  amortPeriods: number;
}

/** `TrancheTerms`: amounts in stablecoin units. */
export interface TrancheTerms {
  name: string;
  symbol: string;
  kind: number;
  faceAmount: bigint;
  minRaise: bigint;
  minTicket: bigint;
  reserveFundingBps: number;
  coupon: CouponTerms;
  principal: PrincipalTerms;
  /** Transfer rules, enforced against the term sheet's investor registry; all zero without one. */
  transfer: TransferRules;
}

/**
 * `TransferRules.Rules`: a tranche's transfer restrictions. `allowedClasses` is an any-of mask over the registry's
 * investor class flags (0: any class); `minHoldingPeriod` seconds tokens received from another identity wait before
 * they may go to another identity (0: none; the token's `freshTokens` shows what waits); `maxHolders` identities
 * (0: no cap); `minHolding` the least non-zero balance (token units; 0: none); `blockedCountries` a 1024-bit bitmap
 * of ISO 3166-1 numeric codes (country c is bit c % 256 of word c / 256).
 */
export interface TransferRules {
  allowedClasses: number;
  minHoldingPeriod: number;
  maxHolders: number;
  minHolding: bigint;
  blockedCountries: readonly [bigint, bigint, bigint, bigint];
}

/**
 * What a deal's capacity is counted in (`CapacityUnit`): GPU-hours (`fleetGpus` counts GPUs) or kilowatt-hours of IT
 * load (a data-center project deal; `fleetGpus` is its IT capacity in kW).
 */
export const CapacityUnit = { GpuHours: 0, KilowattHours: 1 } as const;
export type CapacityUnit = (typeof CapacityUnit)[keyof typeof CapacityUnit];

/** A report's PUE scale (`UtilizationOracle.PUE_SCALE`): `pue` 13 500 is a PUE of 1.35. */
export const PUE_SCALE = 10_000;
/** Highest PUE a report may state, × {@link PUE_SCALE} (`UtilizationOracle.MAX_PUE`): 3.0. */
export const MAX_PUE = 30_000;

/**
 * `OracleTerms`: how the utilization oracle treats a deal's reports. Durations in seconds; `maxPricePerGpuHour` in
 * stablecoin units; `maxUtilizationStep` a WAD fraction (1e18 = 100 %).
 */
export interface OracleTerms {
  reporters: readonly Address[];
  /** Signatures a report needs (M of the N reporters). */
  threshold: number;
  /** Seconds a proposed report stays open to dispute before it is final. */
  disputeWindow: number;
  /** Seconds after a period's end from which anyone may mark it unreported (must exceed the dispute window). */
  reportDeadline: number;
  /** Seconds a change of the reporter set waits before it may be applied. */
  reporterChangeDelay: number;
  /** GPUs in the fleet: a report may not claim more than fleetGpus × hours in the period as available. */
  fleetGpus: number;
  /** Upper bound of revenue per billed GPU-hour, in stablecoin units. */
  maxPricePerGpuHour: bigint;
  /** A utilization change from the previous period above this (WAD) needs every reporter's signature. */
  maxUtilizationStep: bigint;
  /** `CapacityUnit`: 0 GPU-hours (fleetGpus counts GPUs), 1 kilowatt-hours of IT load (fleetGpus is kW). */
  unit: number;
}

/** `TermSheet`, exactly as `DealFactory.createDeal` takes it. */
export interface TermSheet {
  stablecoin: Address;
  issuer: Address;
  servicer: Address;
  trustee: Address;
  guardian: Address;
  /** The issuer's investor registry; the zero address leaves the deal's tokens unrestricted. */
  registry: Address;
  offeringOpensAt: bigint;
  offeringClosesAt: bigint;
  start: bigint;
  periodLength: number;
  periodCount: number;
  pledgedShareBps: number;
  servicerFeeBps: number;
  trusteeFeePerPeriod: bigint;
  reserveTarget: bigint;
  /** Paid to whoever runs a period, first in the waterfall, capped by the period's cash, never carried. */
  keeperBounty: bigint;
  oracle: OracleTerms;
  risk: RiskTerms;
  tranches: readonly TrancheTerms[];
  /** The equity waterfall of a deal with several equity classes; no tiers: one equity class takes the residual. */
  equity: EquityTerms;
  /** The data-center project deal this deal pays rent to; the zero address: none. */
  site: SiteTerms;
}

/** `EquityTier`: the kind of a tier of an equity waterfall (docs/equity.md). */
export const EquityTier = { ReturnOfCapital: 0, PreferredReturn: 1, CatchUp: 2, Split: 3 } as const;
export type EquityTier = (typeof EquityTier)[keyof typeof EquityTier];

/** `EquityTierTerms`: one tier of an equity waterfall. `kind`: 0 return of capital, 1 preferred return, 2 sponsor
 * catch-up, 3 split. `classes`: bitmask over the equity classes. Rates WAD a year; shares in bps. */
export interface EquityTierTerms {
  kind: number;
  classes: number;
  byRank: boolean;
  compounding: boolean;
  sponsorBps: number;
  targetBps: number;
  rate: bigint;
}

/** `EquityTerms`: `sponsorClass` is the promote class (0-based among the equity tranches). */
export interface EquityTerms {
  sponsorClass: number;
  tiers: readonly EquityTierTerms[];
}

/** `SiteTerms`: rent a tenant deal pays its site each period, first in its waterfall. */
export interface SiteTerms {
  site: Address;
  rentBps: number;
  rentPerUnit: bigint;
}

/** One equity class taking the residual: no equity waterfall. */
export const NO_EQUITY_WATERFALL: EquityTerms = { sponsorClass: 0, tiers: [] };

/** No site. */
export const NO_SITE: SiteTerms = {
  site: "0x0000000000000000000000000000000000000000",
  rentBps: 0,
  rentPerUnit: 0n,
};

/**
 * `PeriodStatement`: what one period's waterfall did, the whole record of the period (`PeriodDistributed`).
 * Conservation: cashIn + recoveriesApplied + reserveReleased + reserveDrawn == rentPaid + keeperBountyPaid
 * + trusteeFeePaid + servicerFeePaid + Σ interestPaid + reserveToppedUp + Σ principalPaid + reserveTrapped
 * + residualPaid.
 * `mode` is the order the waterfall ran in (Active, CashTrap or Accelerated); `metrics` what the triggers saw.
 * `reported` is false for a period the oracle marked unreported (cash = every undistributed collection,
 * utilization-linked coupons at their floor, utilization 0). Note arrays are by rank. The fees paid are credited
 * to the trustee and the servicer in the deal (`Deal.feesOwed`), which they withdraw (`withdrawFees`).
 * A note's coupon rate and scheduled principal are not in it: they follow from its terms and the period's
 * utilization (`WaterfallMath.couponRate`, `scheduledOutstandingUp`; `periodStatements` adds them).
 */
export interface PeriodStatement {
  period: bigint;
  reported: boolean;
  cashIn: bigint;
  reserveReleased: bigint;
  reserveDrawn: bigint;
  keeperBountyPaid: bigint;
  trusteeFeePaid: bigint;
  servicerFeePaid: bigint;
  interestPaid: readonly bigint[];
  reserveToppedUp: bigint;
  principalPaid: readonly bigint[];
  residualPaid: bigint;
  utilization: bigint;
  reserveTrapped: bigint;
  collectionsCarried: bigint;
  reserveAfter: bigint;
  mode: number;
  metrics: PeriodMetrics;
  /** Who ran the period and was paid `keeperBountyPaid`. */
  keeper: Address;
  /** Trustee fee still unpaid after the period (carried to the next one). */
  trusteeFeeArrears: bigint;
  /** Servicer fee still unpaid after the period (carried to the next one). */
  servicerFeeArrears: bigint;
  /** Interest due of each note, prior arrears included; its arrears after the period are interestDue − interestPaid. */
  interestDue: readonly bigint[];
  /** Principal outstanding of each note after the period's payment (before a write-off at final maturity). */
  outstanding: readonly bigint[];
  /** Who received `residualPaid`: the equity token, or the issuer (credited in the deal) when no equity was issued. */
  residualRecipient: Address;
  /**
   * What the period took from the deal's recovery account (recoveries deposited while the deal runs): the senior
   * interest and the scheduled principal the period's cash left unpaid, or all of it in the Accelerated order, at the
   * final period and once no note principal is outstanding. Conservation: cashIn + recoveriesApplied + reserveReleased +
   * reserveDrawn = every payment line.
   */
  recoveriesApplied: bigint;
  /** A site: the rent its tenant deals paid since its last distribution, counted in `cashIn` (no report caps it). */
  rentIn: bigint;
  /** A tenant: the rent it paid its site, first, out of `cashIn` (before the keeper bounty). */
  rentPaid: bigint;
  /** A tenant: the rent still owed to its site after the period (carried to the next one). */
  rentArrears: bigint;
}

/**
 * What a period's report says: the figures reporters attest, for one deal and period. Capacity is in the deal's unit
 * (`OracleTerms.unit`): GPU-hours, or kWh of IT load for a data-center deal. The facility figures are optional here
 * (zero: not reported) and part of every signed {@link UtilizationReport}.
 */
export interface ReportContent {
  deal: Address;
  period: bigint;
  /** Capacity available in the period (GPU-hours, or kWh of IT load). */
  gpuHoursAvailable: bigint;
  /** Capacity billed in the period (GPU-hours, or kWh of IT load). */
  gpuHoursBilled: bigint;
  /** Revenue of the whole fleet in the period, in stablecoin units. */
  revenue: bigint;
  /** Facility energy drawn in the period, kWh (0: not reported; reported together with `pue`). */
  energyKwh?: bigint;
  /** Facility energy / IT energy × {@link PUE_SCALE} (0: not reported; else 10 000 – 30 000). */
  pue?: number;
  /** Appraisal of the deal's whole collateral as of the period's end, stablecoin units (0: no new appraisal). */
  appraisal?: bigint;
  /** Hash of the servicer's off-chain report (meter data, invoices). */
  reportHash: Hex;
}

/**
 * The struct reporters sign (`IUtilizationOracle.Report`): the content plus what binds the signature to one chain,
 * one oracle deployment, one reporter set of the deal and one report round.
 */
export interface UtilizationReport extends ReportContent {
  chainId: bigint;
  oracle: Address;
  /** Round of the period's report: 0, then one more after each dispute. */
  round: number;
  /** Id of the deal's reporter set in force (`UtilizationOracle.reporterSet(deal)`). */
  reporterSet: bigint;
  energyKwh: bigint;
  pue: number;
  appraisal: bigint;
}

/** State of a period's report (`IUtilizationOracle.ReportState`). */
export const ReportState = { None: 0, Pending: 1, Final: 2, Unreported: 3 } as const;
export type ReportState = (typeof ReportState)[keyof typeof ReportState];

/** Name of a {@link ReportState} value. */
export function reportStateName(state: number): keyof typeof ReportState | "Unknown" {
  const entry = Object.entries(ReportState).find(([, v]) => v === state);
  return entry ? (entry[0] as keyof typeof ReportState) : "Unknown";
}

/** `IDeal.TermSheetField`, by value: the field an `InvalidTermSheet(field, index)` revert names. */
export const TERM_SHEET_FIELDS = [
  "Stablecoin",
  "Decimals",
  "Issuer",
  "Servicer",
  "Trustee",
  "Guardian",
  "OfferingWindow",
  "Start",
  "PeriodLength",
  "PeriodCount",
  "PledgedShare",
  "ServicerFee",
  "TrancheCount",
  "TrancheKind",
  "TrancheName",
  "FaceAmount",
  "MinRaise",
  "MinTicket",
  "ReserveFunding",
  "Coupon",
  "Principal",
  "TrailingPeriods",
  "CleanUp",
  "WaiverPeriod",
  "PriceFeed",
  "Trigger",
  "Fleet",
  "Registry",
  "TransferRules",
  "Capacity",
  "Appraisal",
  "EquityClass",
  "EquityTier",
  "Site",
] as const;

/** `IUtilizationOracle.OracleTermsField`, by value: the field an `InvalidOracleTerms(field)` revert names. */
export const ORACLE_TERMS_FIELDS = [
  "DisputeWindow",
  "ReportDeadline",
  "ReporterChangeDelay",
  "FleetGpus",
  "MaxPricePerGpuHour",
  "MaxUtilizationStep",
] as const;
