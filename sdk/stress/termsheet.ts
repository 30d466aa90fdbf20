/**
 * A term sheet as the stress engine reads it: the human JSON format (`docs/termsheet.md`), its `"$name"` address
 * placeholders given distinct stand-in addresses (the engine needs none, only whether a site or a price feed is named)
 * and its relative times counted from a fixed reference, so the same file gives the same figures anywhere. Pure.
 */
import { parseTermSheet } from "../termsheet.js";
import type { Address } from "../types.js";
import { termSheetDeal, type StressDeal } from "./setup.js";

/** 2026-12-01T00:00:00Z: the reference time relative term-sheet times count from (their differences are what count). */
export const STRESS_REFERENCE_TIME = 1_796_083_200n;

/** A distinct stand-in address per placeholder name, in order of first use. */
function standInAddresses(): Readonly<Record<string, Address>> {
  const seen = new Map<string, Address>();
  return new Proxy({} as Record<string, Address>, {
    get: (_t, key) => {
      if (typeof key !== "string") return undefined;
      let a = seen.get(key);
      if (a === undefined) {
        a = `0x${(seen.size + 1).toString(16).padStart(40, "0")}` as Address;
        seen.set(key, a);
      }
      return a;
    },
    has: () => true,
    getOwnPropertyDescriptor: () => ({ configurable: true, enumerable: true }),
  });
}

/**
 * The deal a term sheet (human JSON) describes, before issuance: every tranche sold at its face.
 * @throws TermSheetError when the term sheet does not parse.
 */
export function stressDealFromTermSheet(
  json: unknown,
  options: { now?: bigint; name?: string } = {},
): StressDeal {
  const parsed = parseTermSheet(json, {
    now: options.now ?? STRESS_REFERENCE_TIME,
    addresses: standInAddresses(),
  });
  return termSheetDeal(parsed.terms, parsed.decimals, options.name ?? parsed.name ?? "term sheet");
}
