/**
 * How Cascade prints numbers for people (the CLI, the demo): stablecoin amounts, ratios and covenants. One rule for
 * every ratio (docs/statements.md, "Printing ratios"):
 *
 * - Two decimals: coverage ratios (DSCR, trailing DSCR, over-collateralization, interest coverage) as a multiple,
 *   `1.07×`; a PUE as a plain number, `1.35`; every other ratio (LTV, senior curve, utilization, occupancy, break-even
 *   utilization, reserve level, servicer shortfall, coupon and fee rates) as a percentage, `80.84 %`.
 * - Rounded the way the contract rounds the ratio: down for what it rounds down (DSCR, trailing DSCR, reserve
 *   level, coverage, utilization, occupancy, coupon rates), up for what it rounds up (LTV, senior curve, break-even
 *   utilization, servicer shortfall) and for the PUE (reported exact to four decimals; up shows a cap's side). A
 *   printed value is never better for the borrower than the contract's own.
 * - Never on the wrong side of a threshold: when the two-decimal value compares with a trigger threshold of its metric
 *   differently from the exact value (equal instead of above or below, or the other side), one more decimal is
 *   printed until it compares the same — up to the exact value. An LTV of 80.004 % beside `LTV > 80.00 %` prints
 *   `80.01 %`; an LTV of 80.0001 % beside `LTV > 80.004 %` prints `80.0001 %`; a DSCR of exactly 1.15 prints `1.15×`
 *   beside `DSCR < 1.15×` (not in breach, as the trigger says).
 * - `∞` for 2^256 − 1, the contracts' "nothing to cover" (or "debt and no collateral").
 *
 * Amounts print with two decimals, rounded half up, with thousands separators; exports carry the exact base units.
 * Pure: imports nothing from viem.
 */
import {
  PUE_SCALE,
  RiskMetric,
  TriggerComparison,
  TriggerEffect,
  type TriggerTerms,
} from "./types.js";

const WAD = 10n ** 18n;
/** The contracts' marker for an unbounded ratio (type(uint256).max). */
const UNBOUNDED = 2n ** 256n - 1n;

/** Thousands separators: `1234567` → `1,234,567`. */
function group(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/**
 * Stablecoin base units as an amount with `digits` decimals (default 2), rounded half up, with thousands separators:
 * `1234567891` (6 decimals) → `1,234.57`. Negative amounts keep their sign.
 */
export function formatAmount(units: bigint, decimals: number, digits = 2): string {
  const negative = units < 0n;
  const abs = negative ? -units : units;
  let n: bigint;
  if (decimals >= digits) {
    const scale = 10n ** BigInt(decimals - digits);
    n = (abs + scale / 2n) / scale;
  } else {
    n = abs * 10n ** BigInt(digits - decimals);
  }
  const scale = 10n ** BigInt(digits);
  const whole = group((n / scale).toString());
  const text = digits === 0 ? whole : `${whole}.${(n % scale).toString().padStart(digits, "0")}`;
  return negative ? `-${text}` : text;
}

/**
 * Base units as the exact decimal in whole units, no separators, trailing zeros dropped (what the exports carry):
 * `1571428571428` (6 decimals) → `1571428.571428`; `5000000000` → `5000`.
 */
export function exactAmount(units: bigint, decimals: number): string {
  const negative = units < 0n;
  const abs = negative ? -units : units;
  const scale = 10n ** BigInt(decimals);
  const fraction =
    decimals === 0 ? "" : (abs % scale).toString().padStart(decimals, "0").replace(/0+$/, "");
  const text = `${(abs / scale).toString()}${fraction ? `.${fraction}` : ""}`;
  return negative ? `-${text}` : text;
}

/** A WAD ratio as its exact decimal (`0.808412…`, trailing zeros dropped); `inf` for 2^256 − 1. */
export function exactRatio(wad: bigint): string {
  return wad === UNBOUNDED ? "inf" : exactAmount(wad, 18);
}

/** A ratio printed as a multiple (`1.07×`), a percentage (`80.84 %`) or a plain number (a PUE, `1.35`). */
export type RatioStyle = "multiple" | "percent" | "number";

export interface RatioFormat {
  style: RatioStyle;
  /** The direction the contract rounds the ratio in, which the printed value follows. */
  rounding: "down" | "up";
}

/** How each covenant metric prints, and its name in sentences. */
export const METRIC_FORMATS: Readonly<Record<number, RatioFormat & { label: string }>> = {
  [RiskMetric.Dscr]: { label: "DSCR", style: "multiple", rounding: "down" },
  [RiskMetric.TrailingDscr]: { label: "trailing DSCR", style: "multiple", rounding: "down" },
  [RiskMetric.Utilization]: { label: "utilization", style: "percent", rounding: "down" },
  [RiskMetric.Ltv]: { label: "LTV", style: "percent", rounding: "up" },
  [RiskMetric.SeniorCurve]: { label: "senior curve", style: "percent", rounding: "up" },
  [RiskMetric.ReserveLevel]: { label: "reserve level", style: "percent", rounding: "down" },
  [RiskMetric.ServicerShortfall]: {
    label: "servicer shortfall",
    style: "percent",
    rounding: "up",
  },
  [RiskMetric.MissedReport]: { label: "missed report", style: "percent", rounding: "down" },
  [RiskMetric.Occupancy]: { label: "occupancy", style: "percent", rounding: "down" },
  [RiskMetric.Pue]: { label: "PUE", style: "number", rounding: "up" },
};

/** Ratios that are not covenant metrics. */
export const RATIO_FORMATS = {
  /** Over-collateralization and interest coverage of a note (`CollateralMath.coverageDown`). */
  coverage: { style: "multiple", rounding: "down" },
  /** Break-even utilization (`RiskEngine._breakEven`, rounded up). */
  breakEven: { style: "percent", rounding: "up" },
  /** Coupon rates, fee rates and factors (exact or rounded down by the contract). */
  rate: { style: "percent", rounding: "down" },
} as const satisfies Record<string, RatioFormat>;

/** WAD of one unit of the last printed digit at `digits` decimals, times 10^digits. */
function unitWad(style: RatioStyle): bigint {
  return style === "percent" ? WAD / 100n : WAD;
}

/** The printed number at `digits` decimals, as an integer count of 10^−digits (of the multiple or the percentage). */
function scaled(wad: bigint, style: RatioStyle, digits: number, rounding: "down" | "up"): bigint {
  const num = wad * 10n ** BigInt(digits);
  const den = unitWad(style);
  const down = num / den;
  return rounding === "up" && num % den !== 0n ? down + 1n : down;
}

/** −1, 0 or 1: how the printed `n` (at `digits`) compares with the WAD `threshold`. */
function comparePrinted(n: bigint, style: RatioStyle, digits: number, threshold: bigint): number {
  const a = n * unitWad(style);
  const b = threshold * 10n ** BigInt(digits);
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The most decimals a style has (the exact WAD value). */
function maxDigits(style: RatioStyle): number {
  return style === "percent" ? 16 : 18;
}

function render(n: bigint, style: RatioStyle, digits: number): string {
  const scale = 10n ** BigInt(digits);
  const text =
    digits === 0 ? n.toString() : `${n / scale}.${(n % scale).toString().padStart(digits, "0")}`;
  return style === "multiple" ? `${text}×` : style === "number" ? text : `${text} %`;
}

/**
 * A WAD ratio by the printing rule (see the file's comment): two decimals in the contract's rounding direction, more
 * when needed so that it compares with every threshold in `thresholds` as the exact value does; `∞` for 2^256 − 1.
 */
export function formatRatio(
  wad: bigint,
  format: RatioFormat,
  thresholds: readonly bigint[] = [],
  digits = 2,
): string {
  if (wad === UNBOUNDED) return "∞";
  const { style, rounding } = format;
  const top = maxDigits(style);
  for (let d = digits; ; d++) {
    const n = scaled(wad, style, d, rounding);
    const agrees = thresholds.every((t) => {
      const exact = wad < t ? -1 : wad > t ? 1 : 0;
      return comparePrinted(n, style, d, t) === exact;
    });
    if (agrees || d >= top) return render(n, style, d);
  }
}

/** A WAD threshold exactly, with at least two decimals: `1.15×`, `80.00 %`, `80.004 %`. */
export function formatThreshold(metric: number, threshold: bigint): string {
  const style = METRIC_FORMATS[metric]?.style ?? "percent";
  const top = maxDigits(style);
  for (let d = 2; ; d++) {
    const n = scaled(threshold, style, d, "down");
    if (comparePrinted(n, style, d, threshold) === 0 || d >= top) return render(n, style, d);
  }
}

/** The thresholds of the triggers on `metric`. */
export function thresholdsOf(metric: number, triggers: readonly TriggerTerms[]): bigint[] {
  return triggers.filter((t) => t.metric === metric).map((t) => t.threshold);
}

/**
 * A covenant metric's value by the printing rule, checked against the thresholds of `triggers` on the same metric.
 * A missed-report value reads `missed` (1.0) or `reported` (0).
 */
export function formatMetric(
  metric: number,
  value: bigint,
  triggers: readonly TriggerTerms[] = [],
): string {
  if (metric === RiskMetric.MissedReport) return value === 0n ? "reported" : "missed";
  const format = METRIC_FORMATS[metric] ?? RATIO_FORMATS.rate;
  return formatRatio(value, format, thresholdsOf(metric, triggers));
}

/** A report's PUE (× {@link PUE_SCALE}) as a number with two to four decimals: `13500` → `1.35`, `13525` → `1.3525`. */
export function formatPue(pue: number | bigint): string {
  const n = BigInt(pue);
  const scale = BigInt(PUE_SCALE);
  const fraction = (n % scale)
    .toString()
    .padStart(4, "0")
    .replace(/0{1,2}$/, "");
  return `${n / scale}.${fraction.length < 2 ? fraction.padEnd(2, "0") : fraction}`;
}

/** A report's energy (kWh) in MWh, its kWh exact: `6912500` → `6,912.5 MWh`, `3000` → `3 MWh`. */
export function formatEnergyMwh(kwh: bigint): string {
  const fraction = (kwh % 1_000n).toString().padStart(3, "0").replace(/0+$/, "");
  return `${group((kwh / 1_000n).toString())}${fraction ? `.${fraction}` : ""} MWh`;
}

/** A rate (coupon, fee) or another ratio that no trigger watches, by the printing rule. */
export function formatRate(wad: bigint): string {
  return formatRatio(wad, RATIO_FORMATS.rate);
}

/** The name of a covenant metric in sentences: `DSCR`, `LTV`, `senior curve`. */
export function metricLabel(metric: number): string {
  return METRIC_FORMATS[metric]?.label ?? `metric ${metric}`;
}

/** A covenant's test, its threshold exact: `DSCR < 1.15×`, `LTV > 80.00 %`, `missed report`. */
export function covenantTest(t: TriggerTerms): string {
  if (
    t.metric === RiskMetric.MissedReport &&
    t.comparison === TriggerComparison.Above &&
    t.threshold === 0n
  )
    return metricLabel(t.metric);
  const op = t.comparison === TriggerComparison.Below ? "<" : ">";
  return `${metricLabel(t.metric)} ${op} ${formatThreshold(t.metric, t.threshold)}`;
}

/**
 * A covenant in words, its threshold exact: `DSCR < 1.15× for 1 period → cash trap (cures)`,
 * `senior curve > 65.00 % for 1 period → acceleration (latches)`, `missed report for 2 periods → acceleration
 * (latches)`.
 */
export function describeCovenant(t: TriggerTerms): string {
  const periods = `for ${t.periods} period${t.periods === 1 ? "" : "s"}`;
  const effect = t.effect === TriggerEffect.Accelerate ? "acceleration" : "cash trap";
  return `${covenantTest(t)} ${periods} → ${effect} (${t.cures ? "cures" : "latches"})`;
}
