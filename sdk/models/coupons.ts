/** Coupon rates and period interest, as `WaterfallMath.couponRate` / `periodInterest`. Pure. */
import { CouponType, type CouponTerms } from "../types.js";
import { mulDivDown, WAD, YEAR } from "./math.js";

/**
 * Annual coupon rate (WAD) for a period with utilization `u` (WAD). A fixed coupon pays `baseRate`; a linked one
 * pays base + slope × (u − strike) / 1e18 clamped to [floor, cap]. The division truncates toward zero like
 * Solidity's signed division, which is what BigInt division does too.
 */
export function couponRate(c: CouponTerms, u: bigint): bigint {
  if (c.couponType === CouponType.Fixed) return c.baseRate;
  const delta = (c.slope * (u - c.strike)) / WAD;
  const rate = c.baseRate + delta;
  if (rate < c.floorRate) return c.floorRate;
  if (rate > c.capRate) return c.capRate;
  return rate;
}

/** Interest of one period on `principal` at annual `rate` (WAD), actual/365, rounded down. */
export function periodInterest(
  principal: bigint,
  rate: bigint,
  periodLength: bigint | number,
): bigint {
  return mulDivDown(principal, rate * BigInt(periodLength), WAD * YEAR);
}
