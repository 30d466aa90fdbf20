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

export const DealStatus = { Offering: 0, Active: 1, Repaid: 2, Defaulted: 3 } as const;
export type DealStatus = (typeof DealStatus)[keyof typeof DealStatus];

/** Name of a {@link DealStatus} value. */
export function dealStatusName(status: number): keyof typeof DealStatus | "Unknown" {
  const entry = Object.entries(DealStatus).find(([, v]) => v === status);
  return entry ? (entry[0] as keyof typeof DealStatus) : "Unknown";
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
}

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
}

/** `TermSheet`, exactly as `DealFactory.createDeal` takes it. */
export interface TermSheet {
  stablecoin: Address;
  issuer: Address;
  servicer: Address;
  trustee: Address;
  guardian: Address;
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
  tranches: readonly TrancheTerms[];
}

/**
 * `PeriodStatement`: what one period's waterfall did. Conservation:
 * cashIn + reserveReleased + reserveDrawn == keeperBountyPaid + trusteeFeePaid + servicerFeePaid + Σ interestPaid
 * + reserveToppedUp + Σ principalPaid + residualPaid.
 * `reported` is false for a period the oracle marked unreported (cash = every undistributed collection,
 * utilization-linked coupons at their floor, utilization 0).
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
  collectionsCarried: bigint;
  reserveAfter: bigint;
}

/** What a period's report says: the figures reporters attest, for one deal and period. */
export interface ReportContent {
  deal: Address;
  period: bigint;
  gpuHoursAvailable: bigint;
  gpuHoursBilled: bigint;
  /** Revenue of the whole fleet in the period, in stablecoin units. */
  revenue: bigint;
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
