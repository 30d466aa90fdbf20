/**
 * Fixed-point helpers the models share, with the rounding of OpenZeppelin `Math.mulDiv` that the contracts use.
 * No domain logic here: each model file mirrors one contract. Pure: imports nothing from viem.
 */

/** 1e18 = 100 % for rates, utilization, factors. */
export const WAD = 10n ** 18n;
/** 10 000 basis points = 100 %. */
export const BPS = 10_000n;
/** Seconds in the actual/365 year the coupons accrue on. */
export const YEAR = 365n * 86_400n;
/** Solidity's type(uint256).max: the contracts' marker for "unbounded" ratios (no collateral, nothing to cover). */
export const MAX_UINT256 = 2n ** 256n - 1n;

/** ⌊a·b / d⌋ for non-negative operands, like OpenZeppelin `Math.mulDiv` (exact: BigInt does not overflow). */
export function mulDivDown(a: bigint, b: bigint, d: bigint): bigint {
  if (a < 0n || b < 0n || d <= 0n)
    throw new RangeError("mulDivDown: operands must be non-negative, divisor > 0");
  return (a * b) / d;
}

/** ⌈a·b / d⌉ for non-negative operands, like OpenZeppelin `Math.mulDiv(…, Rounding.Ceil)`. */
export function mulDivUp(a: bigint, b: bigint, d: bigint): bigint {
  const down = mulDivDown(a, b, d);
  return (a * b) % d === 0n ? down : down + 1n;
}

export function min(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

export function max(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}
