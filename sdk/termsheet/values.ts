/**
 * The value formats of a human term sheet — decimals, durations, times, addresses, short texts — as patterns (shared
 * by the zod schema and its JSON Schema) and as parsers into on-chain integers. Imports nothing from viem or zod.
 */
import type { Hex } from "../types.js";

/** Integer widths of the on-chain struct. */
export const U8 = 2n ** 8n - 1n;
export const U16 = 2n ** 16n - 1n;
export const U32 = 2n ** 32n - 1n;
export const U64 = 2n ** 64n - 1n;
export const I64 = 2n ** 63n - 1n;
export const U96 = 2n ** 96n - 1n;
export const U128 = 2n ** 128n - 1n;
export const BPS = 10_000n;
export const WAD = 10n ** 18n;

/** `TermSheetLib`, the oracle and `RiskTermsLib` limits. */
export const MAX_TRANCHES = 8;
export const MAX_DECIMALS = 18;
export const MAX_REPORTERS = 16;
/** `TermSheetLib` limits of an equity waterfall: tiers, and split tiers with an IRR hurdle. */
export const MAX_EQUITY_TIERS = 8;
export const MAX_HURDLES = 3;

/** A non-negative decimal: `"6000000"`, `"0.5"`, thousands with commas `"25,000,000"` or underscores `"25_000_000"`. */
export const DECIMAL_PATTERN = /^(?:\d+|\d{1,3}(?:,\d{3})+|\d+(?:_\d+)+)(?:\.\d+)?$/;
/** The same, optionally negative (a coupon's slope). */
export const SIGNED_DECIMAL_PATTERN = /^-?(?:\d+|\d{1,3}(?:,\d{3})+|\d+(?:_\d+)+)(?:\.\d+)?$/;
/** A duration: `"30d"`, `"1h30m"` (units s, m, h, d, w) or a string of seconds. */
export const DURATION_PATTERN = /^(?:\d+|(?:\d+[smhdw])+)$/;
/** A time relative to the parse options' `now`: `"+7d"`, `"+1h30m"` after it, `"-30d"` before it. */
export const RELATIVE_TIME_PATTERN = /^[+-](?:\d+[smhdw])+$/;
/** Unix seconds as a string. */
export const UNIX_SECONDS_PATTERN = /^\d+$/;
/** A 20-byte hex address (checksum not enforced). */
export const ADDRESS_PATTERN = /^0x[0-9a-fA-F]{40}$/;
/** A placeholder resolved from the parse options' `addresses`: `"$issuer"`, `"$reporter0"`. */
export const PLACEHOLDER_PATTERN = /^\$[A-Za-z_][A-Za-z0-9_]*$/;

const UNIT_SECONDS: Readonly<Record<string, bigint>> = {
  s: 1n,
  m: 60n,
  h: 3_600n,
  d: 86_400n,
  w: 604_800n,
};

/** A month of the fleet's useful lives: 365/12 days. */
export const MONTH_SECONDS = (365n * 86_400n) / 12n;

/** Text of a JSON value for a message: strings quoted, the rest as JSON. */
export function show(value: unknown): string {
  if (value === undefined) return "nothing";
  if (typeof value === "bigint") return value.toString();
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** The text of `scaled / 10^places`: 10000n, 2 → "100". */
export function unscale(scaled: bigint, places: number): string {
  if (scaled < 0n) return `-${unscale(-scaled, places)}`;
  const base = 10n ** BigInt(places);
  const whole = scaled / base;
  const frac = (scaled % base).toString().padStart(places, "0").replace(/0+$/, "");
  return frac ? `${whole}.${frac}` : `${whole}`;
}

/** Parses a non-negative decimal into an integer scaled by 10^scale; returns an error message when invalid. */
export function parseDecimal(input: unknown, scale: number): bigint | string {
  let s: string;
  if (typeof input === "number") {
    if (!Number.isFinite(input)) return "must be a finite number";
    s = String(input);
    if (/e/i.test(s)) return `number ${s} needs a decimal string`;
  } else if (typeof input === "string") {
    s = input.trim();
  } else {
    return `must be a decimal string or number, got ${input === null ? "null" : typeof input}`;
  }
  if (!DECIMAL_PATTERN.test(s)) return `${show(input)} is not a non-negative decimal`;
  const [whole, frac = ""] = s.replace(/[_,]/g, "").split(".");
  if (frac.replace(/0+$/, "").length > scale) {
    return `${show(input)} has more than ${scale} decimal place${scale === 1 ? "" : "s"}`;
  }
  return (
    BigInt(whole) * 10n ** BigInt(scale) + BigInt(frac.padEnd(scale, "0").slice(0, scale) || "0")
  );
}

/** Like {@link parseDecimal} but a leading `-` is allowed. */
export function parseSignedDecimal(input: unknown, scale: number): bigint | string {
  const text = typeof input === "string" ? input.trim() : input;
  const negative =
    typeof text === "string" ? text.startsWith("-") : typeof text === "number" && text < 0;
  const magnitude =
    typeof text === "string"
      ? text.replace(/^-/, "")
      : typeof text === "number"
        ? Math.abs(text)
        : text;
  const parsed = parseDecimal(magnitude, scale);
  return typeof parsed === "string" ? parsed : negative ? -parsed : parsed;
}

/** Decimal places of a decimal string or number (0 for an integer). */
export function decimalPlaces(input: string | number): number {
  const s = String(input).trim();
  const frac = s.split(".")[1] ?? "";
  return frac.replace(/0+$/, "").length;
}

/** Compares two valid non-negative decimals exactly: negative, zero or positive like `a − b`. */
export function compareDecimals(a: string | number, b: string | number): number {
  const scale = Math.max(decimalPlaces(a), decimalPlaces(b));
  const x = parseDecimal(a, scale);
  const y = parseDecimal(b, scale);
  if (typeof x === "string" || typeof y === "string") throw new RangeError("not a decimal");
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Parses a duration (`"30d"`, `"1h30m"`, seconds) into seconds; returns an error message when invalid. */
export function parseDuration(input: unknown): bigint | string {
  if (typeof input === "number") {
    return Number.isSafeInteger(input) && input >= 0
      ? BigInt(input)
      : "must be a whole number of seconds";
  }
  if (typeof input !== "string") return 'must be a duration like "30d" or a number of seconds';
  const s = input.trim();
  if (!DURATION_PATTERN.test(s))
    return `${show(input)} is not a duration (use s, m, h, d, w: "30d", "1h30m")`;
  if (UNIX_SECONDS_PATTERN.test(s)) return BigInt(s);
  let total = 0n;
  for (const [, n, unit] of s.matchAll(/(\d+)([smhdw])/g)) total += BigInt(n) * UNIT_SECONDS[unit];
  return total;
}

/**
 * Parses a time: ISO-8601 with a time zone (`"2026-01-01T00:00:00Z"`), unix seconds, `"+<duration>"` after `now` or
 * `"-<duration>"` before it (a fleet bought before the term sheet). Returns an error message when invalid.
 */
export function parseTime(input: unknown, now: bigint | undefined): bigint | string {
  if (typeof input === "number") {
    return Number.isSafeInteger(input) && input >= 0 ? BigInt(input) : "must be whole unix seconds";
  }
  if (typeof input !== "string")
    return 'must be an ISO-8601 time, unix seconds or an offset like "+7d"';
  const s = input.trim();
  if (s.startsWith("+") || s.startsWith("-")) {
    if (now === undefined) return `relative time ${show(input)} needs options.now`;
    const d = parseDuration(s.slice(1));
    if (typeof d === "string") return d;
    if (s.startsWith("+")) return now + d;
    return d > now ? `${show(input)} is before 1970 (now is ${now})` : now - d;
  }
  if (UNIX_SECONDS_PATTERN.test(s)) return BigInt(s);
  const ms = Date.parse(s);
  if (Number.isNaN(ms)) return `${show(input)} is not an ISO-8601 time`;
  if (ms % 1000 !== 0) return `${show(input)} is not a whole second`;
  if (ms < 0) return `${show(input)} is before 1970`;
  return BigInt(ms / 1000);
}

/** UTF-8 length of a text (the on-chain strings and bytes16 are measured in bytes). */
export function byteLength(s: string): number {
  return new TextEncoder().encode(s).length;
}

/** `text` as a bytes16, right-padded with zeros. */
export function textToBytes16(text: string): Hex {
  const bytes = new TextEncoder().encode(text);
  if (bytes.length > 16) throw new RangeError(`"${text}" is longer than 16 bytes`);
  return `0x${Array.from(bytes, (b) => b.toString(16).padStart(2, "0"))
    .join("")
    .padEnd(32, "0")}`;
}

/** Notes as one text: an array of paragraphs is joined with newlines. */
export function joinNotes(notes: string | readonly string[] | undefined): string | undefined {
  return typeof notes === "string" ? notes : notes?.join("\n");
}
