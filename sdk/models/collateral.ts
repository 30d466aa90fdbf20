/**
 * Value of a depreciating GPU fleet and the ratios lenders test against it, with the rounding of
 * `contracts/libraries/CollateralMath.sol`: values round down, loan-to-value rounds up, coverage rounds down.
 * Pure: imports nothing from viem.
 */
import { mulDivDown, mulDivUp, WAD, YEAR } from "./math.js";

/** Marker for "unbounded" ratios (no collateral, nothing to cover), like Solidity's type(uint256).max. */
export const MAX_UINT256 = 2n ** 256n - 1n;

/** Straight line to `residual` over `life` seconds: cost − ⌈(cost − residual)·min(age, life)/life⌉. */
export function straightLineValue(cost: bigint, residual: bigint, life: bigint, age: bigint): bigint {
  if (residual >= cost) return cost;
  if (life === 0n || age >= life) return residual;
  return cost - mulDivUp(cost - residual, age, life);
}

/** x^n for a WAD fraction, one factor at a time, each product rounded down. */
export function rpowDown(x: bigint, n: bigint): bigint {
  let result = WAD;
  for (let i = 0n; i < n && result !== 0n; i++) result = mulDivDown(result, x, WAD);
  return result;
}

/**
 * Declining balance at `yearlyRate` (WAD) a year, floored at `residual` and equal to it from `life` on; linear
 * within a year between the two year-end values.
 */
export function decliningBalanceValue(
  cost: bigint,
  residual: bigint,
  yearlyRate: bigint,
  life: bigint,
  age: bigint,
): bigint {
  if (residual >= cost) return cost;
  if (age >= life || yearlyRate >= WAD) return residual;
  const factor = rpowDown(WAD - yearlyRate, age / YEAR);
  const yearStart = mulDivDown(cost, factor, WAD);
  const yearEnd = mulDivDown(cost, mulDivDown(factor, WAD - yearlyRate, WAD), WAD);
  const value = yearStart - mulDivUp(yearStart - yearEnd, age % YEAR, YEAR);
  return value > residual ? value : residual;
}

/** Value implied by a price index: ⌊cost·indexNow / indexAtAcquisition⌋. */
export function indexImpliedValue(cost: bigint, indexAtAcquisition: bigint, indexNow: bigint): bigint {
  return mulDivDown(cost, indexNow, indexAtAcquisition);
}

/** Loan-to-value (WAD), rounded up. */
export function loanToValue(debt: bigint, collateralValue: bigint): bigint {
  if (debt === 0n) return 0n;
  if (collateralValue === 0n) return MAX_UINT256;
  return mulDivUp(debt, WAD, collateralValue);
}

/** Coverage (WAD) of `covered` by `available` (OC, IC, DSCR), rounded down. */
export function coverage(available: bigint, covered: bigint): bigint {
  if (covered === 0n) return MAX_UINT256;
  return mulDivDown(available, WAD, covered);
}
