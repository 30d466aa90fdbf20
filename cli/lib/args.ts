/**
 * Command-line arguments of the `cascade` commands: the usage error (exit code 2), durations, whole numbers and
 * JSON output with bigints.
 */
import { getAddress, isAddress } from "viem";

/** Thrown for bad command-line input: printed without a stack, exit code 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** Milliseconds from `"250ms"`, `"2s"`, `"1m"`, `"1h"` or a plain number of milliseconds. */
export function parseMs(input: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(input.trim());
  if (!m) throw new UsageError(`${flag}: "${input}" is not a duration (e.g. 500ms, 5s, 1m)`);
  const scale = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }[m[2] ?? "ms"] ?? 1;
  return Math.round(Number(m[1]) * scale);
}

/** A non-negative integer flag. */
export function parseInteger(input: string, flag: string): bigint {
  if (!/^\d+$/.test(input.trim()))
    throw new UsageError(`${flag}: "${input}" is not a whole number`);
  return BigInt(input.trim());
}

/** JSON with bigints as decimal strings. */
export function toJson(value: unknown, indent = 2): string {
  return JSON.stringify(
    value,
    (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v),
    indent,
  );
}

/**
 * An address argument. Mixed-case input must pass its EIP-55 checksum, so a mistyped digit is refused; all-lower or
 * all-upper case input carries no checksum and is accepted as given.
 */
export function parseAddress(input: string, what: string): `0x${string}` {
  const v = input.trim();
  if (!isAddress(v, { strict: false }))
    throw new UsageError(`${what}: "${input}" is not an address (0x followed by 40 hex digits)`);
  const hex = v.slice(2);
  const mixed = hex !== hex.toLowerCase() && hex !== hex.toUpperCase();
  if (mixed && !isAddress(v, { strict: true }))
    throw new UsageError(
      `${what}: ${v} fails its EIP-55 checksum (a mistyped character?); copy the address again`,
    );
  return getAddress(v);
}
