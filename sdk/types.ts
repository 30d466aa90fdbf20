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
  reporters: readonly Address[];
  reportThreshold: number;
  tranches: readonly TrancheTerms[];
}

/**
 * `PeriodStatement`: what one period's waterfall did. Conservation:
 * cashIn + reserveReleased + reserveDrawn == trusteeFeePaid + servicerFeePaid + Σ interestPaid + reserveToppedUp
 * + Σ principalPaid + residualPaid.
 */
export interface PeriodStatement {
  period: bigint;
  cashIn: bigint;
  reserveReleased: bigint;
  reserveDrawn: bigint;
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

/** The signed content of a utilization report (`IUtilizationOracle.Report`). */
export interface UtilizationReport {
  deal: Address;
  period: bigint;
  gpuHoursAvailable: bigint;
  gpuHoursBilled: bigint;
  revenue: bigint;
  reportHash: Hex;
}
