/**
 * Console formatting for the demo. Amounts, ratios and tables come from the one implementation the CLI uses
 * (`sdk/format.ts`: the printing rule of docs/statements.md; `cli/lib/statements.ts`: aligned columns); this file
 * adds the demo's own small helpers (dollar signs, exact base units, dates).
 */
import { columns, factorText } from "../../sdk/statementText.js";
import { formatAmount, formatRate } from "../../sdk/index.js";

/** Stablecoin units as USD with 2 decimals, rounded half up: `$1,234.57`. */
export function usd(units: bigint, decimals: number, opts: { sign?: boolean } = {}): string {
  const text = formatAmount(units, decimals);
  if (units < 0n) return `-$${text.slice(1)}`;
  return `${opts.sign ? "+" : ""}$${text}`;
}

/** Stablecoin units without the dollar sign (for table cells). */
export function amount(units: bigint, decimals: number): string {
  return formatAmount(units, decimals);
}

/** Exact base units with digit grouping: `1_234_567_890`. */
export function wei(units: bigint): string {
  return units.toString().replace(/\B(?=(\d{3})+(?!\d))/g, "_");
}

/** A rate or share that no covenant watches (a coupon, an allocation), by the printing rule: `8.00 %`. */
export function pct(wad: bigint): string {
  return formatRate(wad);
}

/** A WAD factor with 6 decimals, rounded down as `Deal.factor` is: `0.428571`. */
export function factor(wad: bigint): string {
  return factorText(wad);
}

/** Groups of an integer: `1,474,560`. */
export function int(v: bigint | number): string {
  return v.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** Renders rows as aligned columns; `align[i]` is `l` or `r` (default `l` for the first column, else `r`). */
export function table(
  rows: readonly (readonly string[])[],
  align: readonly ("l" | "r")[] = [],
  indent = "  ",
): string {
  return columns(rows, align, indent);
}

/** ISO date of a unix timestamp: `2026-04-07`. */
export function date(seconds: bigint): string {
  return new Date(Number(seconds) * 1000).toISOString().slice(0, 10);
}
