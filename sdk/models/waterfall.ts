/**
 * Mirrors `contracts/libraries/WaterfallMath.sol`, function for function: utilization, coupon rates, interest,
 * principal schedules and the priority of payments (`run`, in every mode). Every division rounds down, so what a
 * class is owed never exceeds the formula and any remainder flows further down the waterfall; the direction is in
 * each name. Same numbers as the contract to the wei. Pure: imports nothing from viem.
 */
import { CouponType, PrincipalType, type CouponTerms, type PrincipalTerms } from "../types.js";
import { BPS, min, mulDivDown, WAD, YEAR } from "./math.js";

/**
 * Order of payments (`WaterfallMath.Mode`). Normal: the term sheet's order. CashTrap: no reserve release above
 * target (unless the target is zero); what would go to equity is trapped in the reserve while any note is unpaid
 * (turbo: after paying note principal by rank). Accelerated: the whole reserve is released, and after fees and senior
 * interest every unit repays principal strictly by rank; subordinate interest is paid only after all principal.
 */
export const WaterfallMode = { Normal: 0, CashTrap: 1, Accelerated: 2 } as const;
export type WaterfallMode = (typeof WaterfallMode)[keyof typeof WaterfallMode];

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

/** U = billed / available as a WAD fraction, rounded down; zero when nothing was available. */
export function utilizationDown(gpuHoursAvailable: bigint, gpuHoursBilled: bigint): bigint {
  if (gpuHoursAvailable === 0n) return 0n;
  return mulDivDown(gpuHoursBilled, WAD, gpuHoursAvailable);
}

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
export function periodInterestDown(
  principal: bigint,
  rate: bigint,
  periodLength: bigint | number,
): bigint {
  return mulDivDown(principal, rate * BigInt(periodLength), WAD * YEAR);
}

/**
 * Outstanding principal a note should have after `period` is paid, given its `face` at issue. The last period is
 * the legal final maturity (nothing remains). Straight-line targets round up: face − ⌊face·k/N⌋ (each installment
 * rounds down, the last one takes the remainder).
 */
export function scheduledOutstandingUp(
  face: bigint,
  p: PrincipalTerms,
  period: bigint | number,
  periodCount: bigint | number,
): bigint {
  const t = BigInt(period);
  if (t + 1n >= BigInt(periodCount)) return 0n;
  const start = BigInt(p.amortStartPeriod);
  if (p.scheduleType === PrincipalType.Bullet || t < start) return face;
  const paid = t + 1n - start;
  const n = BigInt(p.amortPeriods);
  if (paid >= n) return 0n;
  return face - mulDivDown(face, paid, n);
}

/** Principal due in a period: what brings `outstanding` down to the schedule, including earlier shortfalls. */
export function principalDue(outstanding: bigint, scheduled: bigint): bigint {
  return outstanding > scheduled ? outstanding - scheduled : 0n;
}

/** Fee of `bps` basis points on `amount`, rounded down. */
export function bpsOfDown(amount: bigint, bps: bigint | number): bigint {
  return mulDivDown(amount, BigInt(bps), BPS);
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
export function run(input: WaterfallInput): WaterfallResult {
  const notes = input.interestDue.length;
  const mode = input.mode ?? WaterfallMode.Normal;
  const outstanding = input.outstanding;
  if (mode !== WaterfallMode.Normal && outstanding === undefined)
    throw new RangeError("run: the CashTrap and Accelerated modes need `outstanding`");
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

/** The scheduled outstanding of a note after every period 0…periodCount−1 ({@link scheduledOutstandingUp}). */
export function amortizationSchedule(
  face: bigint,
  p: PrincipalTerms,
  periodCount: number,
): bigint[] {
  return Array.from({ length: periodCount }, (_, t) =>
    scheduledOutstandingUp(face, p, t, periodCount),
  );
}
