/**
 * Mirrors `contracts/libraries/CollateralMath.sol`, function for function: the value of a depreciating GPU fleet
 * and the ratios lenders test against it. Values and coverage round down, loan-to-value rounds up, so the
 * collateral is never overstated. Pure: imports nothing from viem.
 */
import { MAX_UINT256, mulDivDown, mulDivUp, WAD, YEAR } from "./math.js";

/**
 * Book value of `cost` after `age` seconds, straight line to `residual` over `life` seconds:
 * cost − ⌈(cost − residual)·min(age, life)/life⌉ (the depreciation rounds up, the value down).
 */
export function straightLineDown(
  cost: bigint,
  residual: bigint,
  life: bigint,
  age: bigint,
): bigint {
  if (residual >= cost) return cost;
  if (life === 0n || age >= life) return residual;
  return cost - mulDivUp(cost - residual, age, life);
}

/**
 * Book value of `cost` after `age` seconds, declining balance at `yearlyRate` (WAD) a year, floored at `residual`
 * and equal to it from `life` on; linear within a year between the two year-end values, the charge rounded up.
 */
export function decliningBalanceDown(
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
export function indexImpliedDown(
  cost: bigint,
  indexAtAcquisition: bigint,
  indexNow: bigint,
): bigint {
  return mulDivDown(cost, indexNow, indexAtAcquisition);
}

/** Loan-to-value (WAD), rounded up; {@link MAX_UINT256} when there is debt and no collateral. */
export function ltvUp(debt: bigint, collateralValue: bigint): bigint {
  if (debt === 0n) return 0n;
  if (collateralValue === 0n) return MAX_UINT256;
  return mulDivUp(debt, WAD, collateralValue);
}

/** Coverage (WAD) of `covered` by `available` (OC, IC, DSCR), rounded down; {@link MAX_UINT256} when nothing is covered. */
export function coverageDown(available: bigint, covered: bigint): bigint {
  if (covered === 0n) return MAX_UINT256;
  return mulDivDown(available, WAD, covered);
}

/** x^n for a WAD fraction, one factor at a time, each product rounded down. */
export function rpowDown(x: bigint, n: bigint): bigint {
  let result = WAD;
  for (let i = 0n; i < n && result !== 0n; i++) result = mulDivDown(result, x, WAD);
  return result;
}
