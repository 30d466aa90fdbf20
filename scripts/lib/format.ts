/** Console formatting for the demo: USD amounts, percentages, aligned tables. */

const WAD = 10n ** 18n;

function group(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** Stablecoin units as USD with 2 decimals, rounded half up: `$1,234.57`. */
export function usd(units: bigint, decimals: number, opts: { sign?: boolean } = {}): string {
  const negative = units < 0n;
  const abs = negative ? -units : units;
  const scale = 10n ** BigInt(decimals);
  const cents =
    decimals >= 2
      ? (abs * 100n + scale / 2n) / scale
      : abs * 100n * (10n ** BigInt(2 - decimals) / 100n);
  const text = `$${group((cents / 100n).toString())}.${(cents % 100n).toString().padStart(2, "0")}`;
  if (negative) return `-${text}`;
  return opts.sign ? `+${text}` : text;
}

/** Stablecoin units without the dollar sign (for table cells). */
export function amount(units: bigint, decimals: number): string {
  return usd(units, decimals).replace("$", "");
}

/** Exact base units with digit grouping: `1_234_567_890`. */
export function wei(units: bigint): string {
  return units.toString().replace(/\B(?=(\d{3})+(?!\d))/g, "_");
}

/** A WAD fraction as a percentage with `digits` decimals: `8.00 %`. */
export function pct(wad: bigint, digits = 2): string {
  const scale = 10n ** BigInt(digits);
  const v = (wad * 100n * scale + WAD / 2n) / WAD;
  if (digits === 0) return `${v.toString()} %`;
  return `${(v / scale).toString()}.${(v % scale).toString().padStart(digits, "0")} %`;
}

/** A WAD factor with 6 decimals: `0.428571`. */
export function factor(wad: bigint): string {
  const v = (wad * 1_000_000n + WAD / 2n) / WAD;
  return `${(v / 1_000_000n).toString()}.${(v % 1_000_000n).toString().padStart(6, "0")}`;
}

/** Groups of an integer: `1,474,560`. */
export function int(v: bigint | number): string {
  return group(v.toString());
}

/** Renders rows as aligned columns; `align[i]` is `l` or `r` (default `l` for the first column, else `r`). */
export function table(
  rows: readonly (readonly string[])[],
  align: readonly ("l" | "r")[] = [],
  indent = "  ",
): string {
  const widths: number[] = [];
  for (const row of rows)
    row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows
    .map(
      (row) =>
        indent +
        row
          .map((cell, i) =>
            (align[i] ?? (i === 0 ? "l" : "r")) === "l"
              ? cell.padEnd(widths[i])
              : cell.padStart(widths[i]),
          )
          .join("  ")
          .trimEnd(),
    )
    .join("\n");
}

/** ISO date of a unix timestamp: `2026-04-07`. */
export function date(seconds: bigint): string {
  return new Date(Number(seconds) * 1000).toISOString().slice(0, 10);
}
