/** Principal schedules, as `WaterfallMath.scheduledOutstanding` / `principalDue`. Pure. */
import { PrincipalType, type PrincipalTerms } from "../types.js";
import { mulDivDown } from "./math.js";

/**
 * Outstanding principal a note should have after `period` is paid, given its `face` at issue. The last period is
 * the legal final maturity (nothing remains). Straight-line targets are face − ⌊face·k/N⌋ (cumulative rounding:
 * each installment rounds down, the last one takes the remainder).
 */
export function scheduledOutstanding(
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

/** The scheduled outstanding of a note after every period 0…periodCount−1. */
export function amortizationSchedule(
  face: bigint,
  p: PrincipalTerms,
  periodCount: number,
): bigint[] {
  return Array.from({ length: periodCount }, (_, t) =>
    scheduledOutstanding(face, p, t, periodCount),
  );
}
