import { parseUnits } from "viem";

/** Whole stablecoin units as typed (`1,000`, `2.5`) → base units; throws a sentence naming the input. */
export function parseAmountInput(input: string, decimals: number, field: string): bigint {
  const s = input.trim().replace(/,/g, "");
  const m = /^\d+(?:\.(\d+))?$/.exec(s);
  if (!m) throw new Error(`${field}: "${input}" is not an amount (e.g. 1000, "2,500", 2.5)`);
  if ((m[1] ?? "").replace(/0+$/, "").length > decimals)
    throw new Error(`${field}: "${input}" has more than ${decimals} decimal places`);
  return parseUnits(s, decimals);
}
