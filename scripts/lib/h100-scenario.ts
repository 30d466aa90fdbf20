/**
 * The demo's market scenario for the H100 fleet of `examples/h100-fleet.json`: a utilization path, a rental price
 * falling about 30 % a year, the revenue they bill, and what the servicer deposits each period.
 */
import { WaterfallMath } from "../../sdk/index.js";

export const GPU_COUNT = 2_048n;
export const HOURS_PER_PERIOD = 720n; // 30 days
export const GPU_HOURS_AVAILABLE = GPU_COUNT * HOURS_PER_PERIOD;

/** Utilization per period (basis points): a ramp from 62 % to 88 % with a dip in periods 7–8. */
export const UTILIZATION_BPS = [
  6_200, 6_700, 7_200, 7_600, 8_000, 8_300, 7_700, 7_200, 7_900, 8_400, 8_600, 8_800,
];

/** Price per GPU-hour (stablecoin units, 6 decimals): $2.40 × 0.7^(t/12), to the cent. */
export function pricePerGpuHour(period: number): bigint {
  return BigInt(Math.round(240 * 0.7 ** (period / 12))) * 10_000n;
}

export interface PeriodMarket {
  period: number;
  gpuHoursAvailable: bigint;
  gpuHoursBilled: bigint;
  price: bigint;
  revenue: bigint;
  /** What the servicer deposits for the period. */
  deposit: bigint;
  note: string;
}

/** A customer pays 10 % of period 8's collections late; they arrive with period 9's. */
const LATE_PERIOD = 7;
const LATE_BPS = 1_000n;

/** The market of every period; `pledgedShareBps` is the pool's share the servicer deposits. */
export function scenario(
  pledgedShareBps: number,
  utilizationBps: readonly number[] = UTILIZATION_BPS,
): PeriodMarket[] {
  let late = 0n;
  return utilizationBps.map((u, period) => {
    const gpuHoursBilled = (GPU_HOURS_AVAILABLE * BigInt(u)) / 10_000n;
    const price = pricePerGpuHour(period);
    const revenue = gpuHoursBilled * price;
    let deposit = WaterfallMath.bpsOfDown(revenue, pledgedShareBps);
    let note = "";
    if (period === LATE_PERIOD) {
      late = WaterfallMath.bpsOfDown(deposit, LATE_BPS);
      deposit -= late;
      note = "10 % of collections paid late";
    } else if (late > 0n) {
      deposit += late;
      late = 0n;
      note = "late collections arrive";
    }
    return {
      period,
      gpuHoursAvailable: GPU_HOURS_AVAILABLE,
      gpuHoursBilled,
      price,
      revenue,
      deposit,
      note,
    };
  });
}

/** Stressed utilization (basis points): a normal first four months, then the fleet's customers leave. */
export const STRESSED_UTILIZATION_BPS = [
  7_800, 8_000, 7_600, 4_500, 2_000, 1_200, 1_000, 1_000, 1_000, 1_000, 1_000, 1_000,
];

/** Stressed price per GPU-hour: $2.40 × 0.6^(t/12) (the index falls 40 % a year), to the cent. */
export function stressedPricePerGpuHour(period: number): bigint {
  return BigInt(Math.round(240 * 0.6 ** (period / 12))) * 10_000n;
}

/** The index the feed publishes for a period: the stressed price in the feed's 8 decimals. */
export function stressedIndex(period: number): bigint {
  return stressedPricePerGpuHour(period) * 100n;
}

/** The stressed market: utilization collapses mid-life while rental prices fall 40 % a year; deposits in full. */
export function stressedScenario(pledgedShareBps: number): PeriodMarket[] {
  return STRESSED_UTILIZATION_BPS.map((u, period) => {
    const gpuHoursBilled = (GPU_HOURS_AVAILABLE * BigInt(u)) / 10_000n;
    const price = stressedPricePerGpuHour(period);
    const revenue = gpuHoursBilled * price;
    return {
      period,
      gpuHoursAvailable: GPU_HOURS_AVAILABLE,
      gpuHoursBilled,
      price,
      revenue,
      deposit: WaterfallMath.bpsOfDown(revenue, pledgedShareBps),
      note: u < 3_000 ? "utilization collapsed" : "",
    };
  });
}
