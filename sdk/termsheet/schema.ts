/**
 * The zod schema of a human term sheet (see `docs/termsheet.md`): structure, types, per-field formats and ranges,
 * and every rule across fields that needs no context — the checks of `TermSheetLib.validate`,
 * `RiskTermsLib.fleetEntryValid` / `triggerValid` and `UtilizationOracle.registerDeal` that can be made on the
 * JSON alone. What needs the clock, the addresses behind `"$name"` placeholders or the stablecoin's decimals is
 * checked by `parseTermSheet` (`sdk/termsheet.ts`).
 *
 * Cross-field rules are zod checks that run even when other fields of their object failed (zod's `when`), and
 * read only the fields that are valid, so a wrong term sheet gets every problem at once.
 */
import { z } from "zod/v4";

import {
  INVESTOR_CLASSES,
  investorClassMask,
  MAX_COUNTRY_CODE,
  MIN_COUNTRY_CODE,
} from "../compliance.js";
import {
  ADDRESS_PATTERN,
  BPS,
  compareDecimals,
  DECIMAL_PATTERN,
  decimalPlaces,
  DURATION_PATTERN,
  I64,
  MAX_DECIMALS,
  MAX_EQUITY_TIERS,
  MAX_HURDLES,
  MAX_REPORTERS,
  MAX_TRANCHES,
  MONTH_SECONDS,
  parseDecimal,
  parseDuration,
  parseSignedDecimal,
  PLACEHOLDER_PATTERN,
  RELATIVE_TIME_PATTERN,
  show,
  unscale,
  SIGNED_DECIMAL_PATTERN,
  U128,
  U16,
  U32,
  U64,
  U8,
  U96,
  UNIX_SECONDS_PATTERN,
  WAD,
  byteLength,
} from "./values.js";

// RiskTermsLib limits (the same numbers as sdk/models/riskTerms.ts, which this module does not import to stay small).
const MAX_TRIGGERS = 16;
const MAX_FLEET_ENTRIES = 32;
const MAX_TRAILING_PERIODS = 12;
/** `TermSheetLib.MAX_WAIVER_VOTING_PERIOD`: 365 days. */
const MAX_WAIVER_VOTING_PERIOD = 365n * 86_400n;

type Path = readonly (string | number)[];
/** Records an issue at a path relative to the object a rule is attached to. */
export type AddIssue = (path: Path, message: string) => void;

// ------------------------------------------------------------------ building blocks

/** The message of a value of the wrong type or format: what was expected, and what was given. */
export function expected(what: string) {
  return (issue: { input?: unknown }): string =>
    issue.input === undefined
      ? `is required: ${what}`
      : `expected ${what}, got ${show(issue.input)}`;
}

/**
 * A check across the fields of an object. It runs even when some fields failed (zod skips ordinary refinements
 * then), so the rule must read its inputs through {@link valid}; its issues do not stop later checks. An optional
 * field that failed is absent from the value zod hands a check, so `given(key)` also looks at the object's issues,
 * and `failed(path)` says whether a field deeper in the object (`["tiers", 2, "hurdlePct"]`) failed.
 */
function rule<T>(
  fn: (
    value: Record<string, unknown>,
    add: AddIssue,
    given: (key: string) => boolean,
    failed: (path: Path) => boolean,
  ) => void,
): z.core.$ZodCheck<T> {
  // zod 4 takes `when` on a check's definition (refine's params expose it; superRefine's do not).
  const check: z.core.$ZodCheck<T> = new z.core.$ZodCheck({ check: "custom", when: () => true });
  check._zod.check = (payload) => {
    const value = payload.value as unknown;
    if (typeof value !== "object" || value === null || Array.isArray(value)) return;
    const obj = value as Record<string, unknown>;
    // The payload holds this object's issues only, with paths relative to it.
    const failed = new Set(payload.issues.map((i) => i.path?.[0]));
    fn(
      obj,
      (path, message) =>
        payload.issues.push({
          code: "custom",
          path: [...path],
          message,
          input: value,
          continue: true,
        }),
      (key) => obj[key] !== undefined || failed.has(key),
      (path) => payload.issues.some((i) => path.every((key, n) => i.path?.[n] === key)),
    );
  };
  return check;
}

/** Whether `value` passes `schema` (all of its own checks). */
export function valid<S extends z.ZodType>(schema: S, value: unknown): value is z.output<S> {
  return value !== undefined && schema.safeParse(value).success;
}

/** A check of one field's value once its type and format are right (a refinement with several messages). */
function refine<T>(fn: (value: T) => string | undefined) {
  return z.superRefine<T>((value, ctx) => {
    const message = fn(value);
    if (message !== undefined) ctx.addIssue({ code: "custom", message, input: value });
  });
}

const DECIMAL_TEXT = 'a decimal string like "25,000,000" or "0.5", or a non-negative number';

/** A non-negative decimal as a string or a JSON number (no exponent). */
function decimalBase(what = DECIMAL_TEXT) {
  return z.union(
    [
      z.string().regex(DECIMAL_PATTERN),
      z
        .number()
        .nonnegative()
        .refine((n) => !/e/i.test(String(n))),
    ],
    { error: expected(what) },
  );
}

interface Range {
  /** Decimal places the field may have (its value is an integer at this scale). */
  places: number;
  /** Inclusive bounds at that scale; `above`: exclusive lower bound. */
  min?: bigint;
  above?: bigint;
  max?: bigint;
  below?: bigint;
  /** What the field holds, for messages: "a percentage". */
  what: string;
  /** Unit after the numbers in messages: " %". */
  unit?: string;
}

function rangeText(r: Range): string {
  const u = r.unit ?? "";
  const parts: string[] = [];
  if (r.above !== undefined) parts.push(`above ${unscale(r.above, r.places)}${u}`);
  if (r.min !== undefined) parts.push(`at least ${unscale(r.min, r.places)}${u}`);
  if (r.max !== undefined) parts.push(`at most ${unscale(r.max, r.places)}${u}`);
  if (r.below !== undefined) parts.push(`below ${unscale(r.below, r.places)}${u}`);
  const places = r.places === 0 ? "a whole number" : `at most ${r.places} decimal places`;
  return `${r.what} ${parts.join(" and ")} (${places})`;
}

/** A decimal with at most `places` decimal places in a range. */
function decimalIn(r: Range, signed = false) {
  const text = rangeText(r);
  const base = signed
    ? z.union(
        [z.string().regex(SIGNED_DECIMAL_PATTERN), z.number().refine((n) => !/e/i.test(String(n)))],
        { error: expected(text) },
      )
    : decimalBase(text);
  return base.check(
    refine<string | number>((v) => {
      const x = signed ? parseSignedDecimal(v, r.places) : parseDecimal(v, r.places);
      if (typeof x === "string") return `expected ${text}, got ${show(v)}`;
      const out =
        (r.above !== undefined && x <= r.above) ||
        (r.min !== undefined && x < r.min) ||
        (r.max !== undefined && x > r.max) ||
        (r.below !== undefined && x >= r.below);
      return out ? `expected ${text}, got ${show(v)}` : undefined;
    }),
  );
}

/** A rate or share: `<base>Pct` in percent or `<base>Bps` in basis points, converted to `unit`. */
interface RateSpec {
  unit: "bps" | "wad";
  /** Bounds in the on-chain unit (bps, or WAD where 1e18 = 100 %). */
  above?: bigint;
  max: bigint;
}

function pct(spec: RateSpec) {
  // 1 % = 100 bps = 1e16 wad.
  const places = spec.unit === "bps" ? 2 : 16;
  return decimalIn({ places, above: spec.above, max: spec.max, what: "a percentage", unit: " %" });
}

function bps(spec: RateSpec) {
  const places = spec.unit === "bps" ? 0 : 14;
  return decimalIn({ places, above: spec.above, max: spec.max, what: "basis points" });
}

const SHARE: RateSpec = { unit: "bps", above: 0n, max: BPS };
const FRACTION_BPS: RateSpec = { unit: "bps", max: BPS };
const COUPON_RATE: RateSpec = { unit: "wad", max: U64 };
const STRIKE: RateSpec = { unit: "wad", max: WAD };
const UTILIZATION_STEP: RateSpec = { unit: "wad", above: 0n, max: WAD };

/** Exactly one (`required`) or at most one of the given keys. */
function oneOf(
  given: (key: string) => boolean,
  keys: readonly string[],
  required: boolean,
  add: AddIssue,
  what = "",
) {
  const present = keys.filter(given);
  if (present.length > 1)
    add(
      [present[1]],
      keys.length === 2
        ? `give either ${keys[0]} or ${keys[1]}, not both`
        : `give only one of ${keys.join(", ")} (got ${present.join(" and ")})`,
    );
  if (present.length === 0 && required)
    add([keys[0]], `is required (or ${keys.slice(1).join(" or ")})${what ? `: ${what}` : ""}`);
}

/** The value of a rate pair in its on-chain unit, when the one given is valid. */
function rateOf(obj: Record<string, unknown>, base: string, spec: RateSpec): bigint | undefined {
  const p = obj[`${base}Pct`];
  const b = obj[`${base}Bps`];
  if (p !== undefined && b !== undefined) return undefined;
  if (p !== undefined && valid(pct(spec), p))
    return parseDecimal(p, spec.unit === "bps" ? 2 : 16) as bigint;
  if (b !== undefined && valid(bps(spec), b))
    return parseDecimal(b, spec.unit === "bps" ? 0 : 14) as bigint;
  return undefined;
}

/** The key of a rate pair that was given (for a message's path). */
function rateKey(obj: Record<string, unknown>, base: string): string {
  return obj[`${base}Pct`] !== undefined ? `${base}Pct` : `${base}Bps`;
}

function uint(max: bigint, what: string, min = 0) {
  const text = `${what}: an integer from ${min} to ${max}`;
  return z
    .int({ error: expected(text) })
    .min(min, { error: expected(text) })
    .max(Number(max), { error: expected(text) });
}

/** A duration in seconds (`"30d"`, `"1h30m"`, or seconds) that fits a uint32 and is positive. */
function duration(what: string, max: bigint = U32) {
  const text = `${what}: a duration like "30d" or "1h30m" (units s, m, h, d, w) or whole seconds`;
  return z
    .union([z.string().regex(DURATION_PATTERN), z.int().nonnegative()], { error: expected(text) })
    .check(
      refine<string | number>((v) => {
        const s = parseDuration(v);
        if (typeof s === "string") return s;
        if (s === 0n) return `expected a positive duration, got ${show(v)}`;
        if (s > max)
          return max === U32
            ? `expected at most ${U32} seconds (uint32), got ${show(v)}`
            : `expected at most ${max} seconds, got ${show(v)}`;
        return undefined;
      }),
    );
}

/** A count of a unit (hours, days, months) whose seconds fit a uint32. */
function unitCount(what: string, unitSeconds: bigint) {
  return uint(U32 / unitSeconds, what, 1);
}

const TIME_TEXT =
  'an ISO-8601 time with a zone ("2026-01-01T00:00:00Z"), unix seconds, or an offset from now like "+7d" or "-30d"';

/**
 * A time: ISO-8601 with a zone, unix seconds (number or string) or `"+<duration>"` / `"-<duration>"` (resolved by the
 * parser).
 */
const time = z
  .union(
    [
      z.string().regex(RELATIVE_TIME_PATTERN),
      z.string().regex(UNIX_SECONDS_PATTERN),
      z.iso.datetime({ offset: true }),
      z.int().nonnegative(),
    ],
    { error: expected(TIME_TEXT) },
  )
  .check(
    refine<string | number>((v) => {
      if (typeof v === "string" && /^[+-]/.test(v)) return undefined;
      const ms = typeof v === "string" && !UNIX_SECONDS_PATTERN.test(v) ? Date.parse(v) : undefined;
      if (ms !== undefined && ms % 1000 !== 0) return `expected a whole second, got ${show(v)}`;
      const seconds = ms !== undefined ? BigInt(ms / 1000) : BigInt(v);
      if (seconds < 0n) return `expected a time after 1970, got ${show(v)}`;
      if (seconds > U64) return `expected a time that fits uint64 seconds, got ${show(v)}`;
      return undefined;
    }),
  )
  .meta({ description: TIME_TEXT });

const ADDRESS_TEXT = 'an address "0x…" (40 hex digits) or a placeholder like "$issuer"';
const ZERO = /^0x0{40}$/;

/** An address, or a `"$name"` placeholder resolved from the parse options. Never the zero address. */
const address = z
  .string({ error: expected(ADDRESS_TEXT) })
  .regex(new RegExp(`${ADDRESS_PATTERN.source}|${PLACEHOLDER_PATTERN.source}`), {
    error: expected(ADDRESS_TEXT),
  })
  .check(refine<string>((v) => (ZERO.test(v) ? "expected a non-zero address" : undefined)))
  .meta({ description: ADDRESS_TEXT });

/** A text of 1 to `max` UTF-8 bytes. */
function text(max: number, what: string) {
  const expectText = `${what} of 1 to ${max} bytes`;
  return z
    .string({ error: expected(expectText) })
    .min(1, { error: expected(expectText), abort: true })
    .max(max, { error: expected(expectText), abort: true })
    .check(
      refine<string>((v) =>
        byteLength(v) > max ? `expected ${expectText}, got ${byteLength(v)} bytes` : undefined,
      ),
    );
}

const notes = z
  .union([z.string(), z.array(z.string())], { error: expected("a text or an array of texts") })
  .meta({
    description: "Free text (an array is joined with newlines); not part of the on-chain struct.",
  });

/** An amount in whole stablecoin units; its decimal places are checked against the stablecoin by the parser. */
function amount(description: string, opts: { positive?: boolean; atLeastOne?: boolean } = {}) {
  const what = "an amount in whole stablecoin units";
  let schema = decimalBase(`${what}: ${DECIMAL_TEXT}`).check(
    refine<string | number>((v) => {
      if (opts.positive && compareDecimals(v, 0) <= 0)
        return `expected a positive amount, got ${show(v)}`;
      if (opts.atLeastOne && compareDecimals(v, 1) < 0)
        return `expected at least one whole stablecoin unit, got ${show(v)}`;
      return undefined;
    }),
  );
  schema = schema.meta({ description });
  return schema;
}

// ------------------------------------------------------------------ tranches

const couponSchema = z
  .strictObject({
    type: z.enum(["fixed", "utilization-linked"], {
      error: expected('"fixed" or "utilization-linked"'),
    }),
    baseRatePct: pct(COUPON_RATE).optional(),
    baseRateBps: bps(COUPON_RATE).optional(),
    slope: decimalIn(
      {
        places: 18,
        min: -I64,
        max: I64,
        what: "a rate change per unit of utilization (0.2: +0.2 rate points per utilization point)",
      },
      true,
    )
      .meta({
        description: "Linked coupons: rate change per unit of utilization, may be negative.",
      })
      .optional(),
    strikePct: pct(STRIKE).optional(),
    strikeBps: bps(STRIKE).optional(),
    floorRatePct: pct(COUPON_RATE).optional(),
    floorRateBps: bps(COUPON_RATE).optional(),
    capRatePct: pct(COUPON_RATE).optional(),
    capRateBps: bps(COUPON_RATE).optional(),
  })
  .check(
    rule((c, add, given) => {
      oneOf(given, ["baseRatePct", "baseRateBps"], true, add, "the annual rate");
      if (c.type === "fixed") {
        for (const k of [
          "slope",
          "strikePct",
          "strikeBps",
          "floorRatePct",
          "floorRateBps",
          "capRatePct",
          "capRateBps",
        ])
          if (given(k)) add([k], "a fixed coupon has only a base rate");
        return;
      }
      if (c.type !== "utilization-linked") return;
      if (!given("slope")) add(["slope"], "is required for a utilization-linked coupon");
      oneOf(
        given,
        ["strikePct", "strikeBps"],
        true,
        add,
        "the utilization the base rate is paid at",
      );
      oneOf(given, ["floorRatePct", "floorRateBps"], true, add, "the lowest rate");
      oneOf(given, ["capRatePct", "capRateBps"], true, add, "the highest rate");
      // TermSheetLib: floor ≤ cap and floor ≤ base ≤ cap.
      const base = rateOf(c, "baseRate", COUPON_RATE);
      const floor = rateOf(c, "floorRate", COUPON_RATE);
      const cap = rateOf(c, "capRate", COUPON_RATE);
      if (floor !== undefined && cap !== undefined && floor > cap)
        add(
          [rateKey(c, "floorRate")],
          `must not exceed the cap rate (${rateKey(c, "capRate")} ${show(c[rateKey(c, "capRate")])})`,
        );
      if (base !== undefined && floor !== undefined && cap !== undefined && floor <= cap)
        if (base < floor || base > cap)
          add(
            [rateKey(c, "baseRate")],
            `must lie between the floor rate (${show(c[rateKey(c, "floorRate")])}) and the cap rate (${show(c[rateKey(c, "capRate")])})`,
          );
    }),
  )
  .meta({
    description:
      'A note\'s coupon: "fixed" (base rate only) or "utilization-linked": base + slope × (U − strike), clamped to [floor, cap]. Annual rates, actual/365 on the period length.',
  });

const principalSchema = z
  .strictObject({
    type: z.enum(["bullet", "straight-line"], { error: expected('"bullet" or "straight-line"') }),
    startPeriod: uint(U16, "the first period (0-based) that repays an installment")
      .optional()
      .meta({
        description: "Straight-line only: the first period (0-based) that repays an installment.",
      }),
    periods: uint(U16, "the number of installments", 1)
      .optional()
      .meta({ description: "Straight-line only: the number of equal installments." }),
  })
  .check(
    rule((p, add, given) => {
      if (p.type === "bullet") {
        if (given("startPeriod") || given("periods"))
          add([], "a bullet note has no installments (no startPeriod or periods)");
      } else if (p.type === "straight-line") {
        if (!given("startPeriod")) add(["startPeriod"], "is required for a straight-line schedule");
        if (!given("periods")) add(["periods"], "is required for a straight-line schedule");
      }
    }),
  )
  .meta({
    description: "A note's principal: a bullet at maturity, or straight-line installments.",
  });

// ------------------------------------------------------------------ transfer rules

const CLASS_NAMES = Object.keys(INVESTOR_CLASSES);
const CLASS_TEXT = `an investor class (${CLASS_NAMES.map((n) => `"${n}"`).join(", ")}) or a flag mask from 1 to 65535`;
const COUNTRY_TEXT = "an ISO 3166-1 numeric country code from 1 to 999 (408: North Korea)";

/** One allowed investor class: a name of `INVESTOR_CLASSES` or a raw flag mask. */
const investorClass = z.union([z.string(), z.int()], { error: expected(CLASS_TEXT) }).check(
  refine<string | number>((v) => {
    if (typeof v === "string" && /^\d+$/.test(v)) return `expected ${CLASS_TEXT}, got ${show(v)}`;
    const mask = investorClassMask([v]);
    if (typeof mask === "string") return mask;
    return mask === 0 ? `expected ${CLASS_TEXT}, got ${show(v)}` : undefined;
  }),
);

const country = z
  .int({ error: expected(COUNTRY_TEXT) })
  .min(MIN_COUNTRY_CODE, { error: expected(COUNTRY_TEXT) })
  .max(MAX_COUNTRY_CODE, { error: expected(COUNTRY_TEXT) });

const transferShape = {
  allowedClasses: z
    .array(investorClass, { error: expected(`an array of investor classes: ${CLASS_TEXT}`) })
    .meta({
      description: `Investor classes allowed to hold (any of them; absent or empty: any class): ${CLASS_NAMES.join(", ")}, or flag masks (1 to 65535).`,
    })
    .optional(),
  blockedCountries: z
    .array(country, { error: expected(`an array of ${COUNTRY_TEXT}s`) })
    .meta({
      description:
        "ISO 3166-1 numeric codes of the countries whose investors may neither receive nor send (e.g. 408 North Korea, 364 Iran).",
    })
    .optional(),
  minHoldingPeriod: duration("the minimum holding period of received tokens")
    .meta({
      description:
        'How long tokens received from another investor wait before they may go to another investor, e.g. "365d". Any duration up to 4294967295 seconds (2^32 − 1: never, while the token\'s 32-bit clocks run).',
    })
    .optional(),
  maxHolders: uint(U32, "the most identities that may hold the tranche", 1)
    .meta({ description: "Most identities (investors, not wallets) that may hold the tranche." })
    .optional(),
  minHolding: amount(
    "Least non-zero balance a wallet may hold, in whole stablecoin units (= token units); at most the face.",
    { positive: true },
  ).optional(),
  notes: notes.optional(),
};

export const transferSchema = z.strictObject(transferShape).meta({
  description:
    "A tranche's transfer rules, enforced by its token against the term sheet's investor registry (which the term sheet must name).",
});

const trancheShape = {
  name: text(31, "a name"),
  symbol: text(31, "a symbol"),
  kind: z.enum(["note", "equity"], { error: expected('"note" or "equity"') }),
  face: amount("Face amount: the offering's cap, in whole stablecoin units.", { positive: true }),
  minRaise: amount(
    "Minimum raise: below it every subscriber is refunded; at least one whole unit, at most the face.",
    { atLeastOne: true },
  ),
  minTicket: amount("Smallest subscription per investor; at most the face.", { positive: true }),
  reserveFundingPct: pct(FRACTION_BPS)
    .meta({ description: "Share of the raise paid into the reserve at closing, in percent." })
    .optional(),
  reserveFundingBps: bps(FRACTION_BPS).optional(),
  coupon: couponSchema.optional(),
  principal: principalSchema.optional(),
  transfer: transferSchema.optional(),
  notes: notes.optional(),
};

export const trancheSchema = z
  .strictObject(trancheShape)
  .check(
    rule((t, add, given) => {
      oneOf(given, ["reserveFundingPct", "reserveFundingBps"], false, add);
      const face = valid(trancheShape.face, t.face) ? t.face : undefined;
      for (const key of ["minRaise", "minTicket"] as const) {
        const v = t[key];
        if (face !== undefined && valid(trancheShape[key], v) && compareDecimals(v, face) > 0)
          add([key], `must not exceed the face amount (${show(face)})`);
      }
      // TermSheetLib: minHolding ≤ faceAmount.
      const transfer = t.transfer as Record<string, unknown> | undefined;
      const minHolding =
        typeof transfer === "object" && transfer !== null ? transfer.minHolding : undefined;
      if (
        face !== undefined &&
        valid(transferShape.minHolding, minHolding) &&
        compareDecimals(minHolding as string | number, face) > 0
      )
        add(["transfer", "minHolding"], `must not exceed the face amount (${show(face)})`);
      if (t.kind === "note") {
        if (!given("coupon"))
          add(["coupon"], 'is required for a note: { "type": "fixed" | "utilization-linked", … }');
        if (!given("principal"))
          add(["principal"], 'is required for a note: { "type": "bullet" | "straight-line", … }');
      } else if (t.kind === "equity") {
        if (given("coupon")) add(["coupon"], "equity has no coupon (it takes the residual)");
        if (given("principal")) add(["principal"], "equity has no principal schedule");
      }
    }),
  )
  .meta({ description: "A class of the deal: notes by seniority, then one equity class." });

// ------------------------------------------------------------------ oracle terms

/** `CapacityUnit` in the JSON: GPU-hours, or kWh of IT load. */
export const CAPACITY_UNITS = ["gpu-hours", "kWh"] as const;

const oracleShape = {
  reporters: z
    .array(address, { error: expected("an array of reporter addresses") })
    .min(1, { error: "needs at least one reporter" })
    .max(MAX_REPORTERS, { error: `at most ${MAX_REPORTERS} reporters` })
    .meta({ description: "Reporter addresses or placeholders; distinct." }),
  threshold: uint(U8, "the signatures a report needs", 1).meta({
    description: "Signatures a report needs: M of the N reporters.",
  }),
  disputeWindow: duration("how long a proposed report is open to dispute"),
  reportDeadline: duration("how long after a period's end reports are accepted").meta({
    description:
      "How long after a period's end reports are accepted; from then on anyone may mark it unreported. Longer than the dispute window.",
  }),
  reporterChangeDelay: duration("how long a change of the reporter set waits"),
  unit: z
    .enum(CAPACITY_UNITS, { error: expected('"gpu-hours" or "kWh"') })
    .meta({
      description:
        'What capacity is counted in: "gpu-hours" (a GPU fleet, the default) or "kWh" of IT load (a data-center project deal).',
    })
    .optional(),
  fleetGpus: uint(U32, "the GPUs in the fleet", 1)
    .meta({
      description:
        "GPUs in the fleet (unit gpu-hours): a report may call at most fleetGpus × hours in the period available.",
    })
    .optional(),
  capacityKw: uint(U32, "the site's IT capacity in kW", 1)
    .meta({
      description:
        "IT capacity of the site in kW (unit kWh): a report may call at most capacityKw × hours in the period available, and its IT energy may not exceed it.",
    })
    .optional(),
  maxPricePerGpuHour: amount(
    "Highest credible revenue per billed GPU-hour (unit gpu-hours), in whole stablecoin units.",
    { positive: true },
  ).optional(),
  maxPricePerKwh: amount(
    "Highest credible revenue per billed kWh (unit kWh), in whole stablecoin units.",
    { positive: true },
  ).optional(),
  maxUtilizationStepPct: pct(UTILIZATION_STEP)
    .meta({
      description: "A utilization move from a neighbouring period above this needs every reporter.",
    })
    .optional(),
  maxUtilizationStepBps: bps(UTILIZATION_STEP).optional(),
};

export const oracleSchema = z
  .strictObject(oracleShape)
  .check(
    rule((o, add, given) => {
      const reporters = Array.isArray(o.reporters) ? o.reporters : undefined;
      if (reporters !== undefined) {
        // UtilizationOracle._checkSet: distinct reporters (placeholders resolving to one address: parseTermSheet).
        const seen = new Map<string, number>();
        reporters.forEach((r, i) => {
          if (typeof r !== "string") return;
          const key = r.toLowerCase();
          const first = seen.get(key);
          if (first !== undefined) add(["reporters", i], `duplicate of reporters[${first}] (${r})`);
          else seen.set(key, i);
        });
        if (valid(oracleShape.threshold, o.threshold) && o.threshold > reporters.length)
          add(
            ["threshold"],
            `expected at most the number of reporters (${reporters.length}), got ${o.threshold}`,
          );
      }
      const window = valid(oracleShape.disputeWindow, o.disputeWindow)
        ? (parseDuration(o.disputeWindow) as bigint)
        : undefined;
      const deadline = valid(oracleShape.reportDeadline, o.reportDeadline)
        ? (parseDuration(o.reportDeadline) as bigint)
        : undefined;
      if (window !== undefined && deadline !== undefined && deadline <= window)
        add(
          ["reportDeadline"],
          `must be longer than the dispute window (${show(o.disputeWindow)}): a report proposed before the deadline must become final`,
        );
      oneOf(given, ["maxUtilizationStepPct", "maxUtilizationStepBps"], true, add);
      // The capacity and its price are named in the deal's unit.
      const kwh = o.unit === "kWh";
      const [capacity, price] = kwh
        ? ["capacityKw", "maxPricePerKwh"]
        : ["fleetGpus", "maxPricePerGpuHour"];
      const [otherCapacity, otherPrice] = kwh
        ? ["fleetGpus", "maxPricePerGpuHour"]
        : ["capacityKw", "maxPricePerKwh"];
      const unitText = kwh ? 'unit "kWh"' : 'unit "gpu-hours"';
      for (const [key, other] of [
        [capacity, otherCapacity],
        [price, otherPrice],
      ]) {
        if (given(other)) add([other], `not for ${unitText}: give ${key}`);
        else if (!given(key)) add([key], `is required (${unitText})`);
      }
    }),
  )
  .meta({ description: "How the utilization oracle treats the deal's reports." });

// ------------------------------------------------------------------ risk terms

const METRICS = [
  "dscr",
  "trailingDscr",
  "utilization",
  "ltv",
  "seniorCurve",
  "reserveLevel",
  "servicerShortfall",
  "missedReport",
  "occupancy",
  "pue",
] as const;

const ratio = (what: string) =>
  decimalIn({ places: 18, max: U128, what: `${what} as a ratio (1.10 = 1.10× or 110 %)` });
const ratioPct = (what: string) =>
  decimalIn({ places: 16, max: U128, what: `${what} in percent (80 = 0.80)` });

export const triggerSchema = z
  .strictObject({
    metric: z.enum(METRICS, {
      error: expected(`one of ${METRICS.map((m) => `"${m}"`).join(", ")}`),
    }),
    below: ratio("a threshold the metric must not fall below").optional(),
    above: ratio("a threshold the metric must not rise above").optional(),
    belowPct: ratioPct("a threshold the metric must not fall below").optional(),
    abovePct: ratioPct("a threshold the metric must not rise above").optional(),
    periods: uint(U8, "consecutive periods in breach before it fires", 1).optional(),
    effect: z.enum(["cashTrap", "accelerate"], { error: expected('"cashTrap" or "accelerate"') }),
    cures: z.boolean({ error: expected("true or false") }).optional(),
    notes: notes.optional(),
  })
  .check(
    rule((t, add, given) => {
      // A missed report reads 1.0 and a reported period 0: without a threshold it is "above 0".
      oneOf(given, ["below", "above", "belowPct", "abovePct"], t.metric !== "missedReport", add);
      // RiskTermsLib.triggerValid: acceleration always latches.
      if (t.effect === "accelerate" && t.cures === true)
        add(["cures"], "an acceleration trigger always latches (until waived): expected false");
    }),
  )
  .meta({
    description:
      'A covenant: { "metric": "dscr", "below": "1.10", "periods": 2, "effect": "cashTrap", "cures": true }.',
  });

const unitResidualSchema = amount(
  "Residual value per unit at the end of its life; at most the unit cost. Land (method none) needs none: it keeps its cost.",
);

const fleetEntryShape = {
  model: text(16, "a GPU model name"),
  count: uint(U32, "the number of GPUs", 1),
  unitCost: amount("Cost per GPU (or unit of land, building, plant) in whole stablecoin units.", {
    positive: true,
  }),
  unitResidual: unitResidualSchema.optional(),
  acquired: time,
  usefulLifeMonths: unitCount("the useful life in months", MONTH_SECONDS).optional(),
  usefulLife: duration("the useful life").optional(),
  method: z
    .enum(["straightLine", "decliningBalance", "none"], {
      error: expected('"straightLine", "decliningBalance" or "none"'),
    })
    .meta({
      description:
        'How the entry loses value: "straightLine", "decliningBalance", or "none" (land: at cost for ever, no useful life).',
    }),
  yearlyRatePercent: decimalIn({
    places: 16,
    above: 0n,
    below: WAD,
    what: "a yearly depreciation rate in percent",
    unit: " %",
  }).optional(),
  indexAtAcquisition: decimalIn({ places: 18, above: 0n, max: U96 * WAD, what: "an index level" })
    .meta({
      description:
        "The price index at acquisition, in index units: the entry is then marked to the index.",
    })
    .optional(),
  notes: notes.optional(),
};

export const fleetEntrySchema = z
  .strictObject(fleetEntryShape)
  .check(
    rule((e, add, given) => {
      const { unitCost, unitResidual } = e;
      const both =
        valid(fleetEntryShape.unitCost, unitCost) && valid(unitResidualSchema, unitResidual);
      if (e.method === "none") {
        // RiskTermsLib.fleetEntryValid: land has no life and no rate, is worth its cost and is not index-marked.
        for (const key of [
          "usefulLifeMonths",
          "usefulLife",
          "yearlyRatePercent",
          "indexAtAcquisition",
        ])
          if (given(key)) add([key], "land (method none) keeps its cost for ever: leave it out");
        if (both && compareDecimals(unitResidual, unitCost) !== 0)
          add(
            ["unitResidual"],
            `land keeps its cost: leave it out or give the unit cost (${show(unitCost)})`,
          );
        return;
      }
      if (both && compareDecimals(unitResidual, unitCost) > 0)
        add(["unitResidual"], `must not exceed the unit cost (${show(unitCost)})`);
      if (!given("unitResidual")) add(["unitResidual"], 'is required ("0": no residual value)');
      oneOf(given, ["usefulLifeMonths", "usefulLife"], true, add);
      if (e.method === "decliningBalance" && !given("yearlyRatePercent"))
        add(["yearlyRatePercent"], "is required for a declining balance");
      if (e.method === "straightLine" && given("yearlyRatePercent"))
        add(["yearlyRatePercent"], "only a declining balance has a yearly rate");
    }),
  )
  .meta({
    description:
      "One line of the collateral: GPUs, or for a data center its land (method none), building and plant.",
  });

export const priceFeedSchema = z
  .strictObject({
    address,
    decimals: uint(BigInt(MAX_DECIMALS), "the feed's decimals"),
    maxStalenessHours: unitCount("hours after which an answer is stale", 3_600n).optional(),
    maxStaleness: duration("how old an answer may be").optional(),
    notes: notes.optional(),
  })
  .check(rule((_f, add, given) => oneOf(given, ["maxStalenessHours", "maxStaleness"], true, add)))
  .meta({ description: "A Chainlink AggregatorV3 feed of GPU rental prices." });

/**
 * RiskTermsLib.fleetEntryValid: an entry is marked to the index only when the deal has one, and its index level
 * has at most the feed's decimals. Exported because zod drops an optional field that failed from the value a
 * check sees: `parseTermSheet` also runs these on the raw document, so an error elsewhere in the fleet does not
 * hide them.
 */
export function fleetIndexRules(
  r: Record<string, unknown>,
  add: AddIssue,
  given: (key: string) => boolean,
): void {
  const fleet = Array.isArray(r.fleet) ? (r.fleet as unknown[]) : [];
  const feed = valid(priceFeedSchema, r.priceFeed) ? r.priceFeed : undefined;
  fleet.forEach((e, i) => {
    if (typeof e !== "object" || e === null) return;
    const index = (e as Record<string, unknown>).indexAtAcquisition;
    if (index === undefined) return;
    if (!given("priceFeed"))
      add(["fleet", i, "indexAtAcquisition"], "needs risk.priceFeed (the index to mark it to)");
    else if (
      feed !== undefined &&
      valid(fleetEntryShape.indexAtAcquisition, index) &&
      decimalPlaces(index) > feed.decimals
    )
      add(
        ["fleet", i, "indexAtAcquisition"],
        `has more decimal places than the feed's ${feed.decimals}`,
      );
  });
}

export const riskSchema = z
  .strictObject({
    trailingPeriods: uint(
      BigInt(MAX_TRAILING_PERIODS),
      "the trailing DSCR window in periods",
      1,
    ).optional(),
    cleanUpPercent: pct(FRACTION_BPS)
      .meta({
        description: "Clean-up call once senior outstanding ≤ this share of senior face (0: none).",
      })
      .optional(),
    cleanUpPct: pct(FRACTION_BPS).optional(),
    cleanUpBps: bps(FRACTION_BPS).optional(),
    turbo: z.boolean({ error: expected("true or false") }).optional(),
    waiverVotingDays: uint(
      MAX_WAIVER_VOTING_PERIOD / 86_400n,
      "the days a waiver ballot is open",
      1,
    ).optional(),
    waiverVotingPeriod: duration(
      "how long a waiver ballot is open (at most 365 days)",
      MAX_WAIVER_VOTING_PERIOD,
    ).optional(),
    priceFeed: priceFeedSchema.optional(),
    triggers: z
      .array(triggerSchema, { error: expected("an array of triggers") })
      .max(MAX_TRIGGERS, { error: `at most ${MAX_TRIGGERS} triggers` })
      .optional(),
    fleet: z
      .array(fleetEntrySchema, { error: expected("an array of fleet entries") })
      .max(MAX_FLEET_ENTRIES, { error: `at most ${MAX_FLEET_ENTRIES} entries` })
      .optional(),
    appraisalMaxAge: duration("how long a signed appraisal marks the collateral")
      .meta({
        description:
          "Mark the collateral to the appraisals the reporters sign: the latest final one caps the fleet's value while it is at most this old. Not with a priceFeed.",
      })
      .optional(),
    notes: notes.optional(),
  })
  .check(
    rule((r, add, given) => {
      oneOf(given, ["cleanUpPercent", "cleanUpPct", "cleanUpBps"], false, add);
      oneOf(given, ["waiverVotingDays", "waiverVotingPeriod"], false, add);
      fleetIndexRules(r, add, given);
      // TermSheetLib: the collateral is marked to a price index or to appraisals, not both.
      if (given("appraisalMaxAge") && given("priceFeed"))
        add(
          ["appraisalMaxAge"],
          "a deal marks its collateral to a price feed or to appraisals, not both",
        );
    }),
  )
  .meta({
    description:
      "Covenants and collateral. Absent: 3-period trailing DSCR, 7-day waiver ballots, no triggers, fleet or feed.",
  });

// ------------------------------------------------------------------ equity waterfall

const TIER_KINDS = ["returnOfCapital", "preferredReturn", "catchUp", "split"] as const;
type TierKind = (typeof TIER_KINDS)[number];
const TIER_LABELS: Readonly<Record<TierKind, string>> = {
  returnOfCapital: "a return-of-capital tier",
  preferredReturn: "a preferred-return tier",
  catchUp: "a catch-up tier",
  split: "a split tier",
};
/** Preferred return: above 0, at most 100 % a year (WAD). */
const PREF_RATE: RateSpec = { unit: "wad", above: 0n, max: WAD };
/** An IRR hurdle: above 0, at most 100 % a year (WAD). */
const HURDLE: RateSpec = { unit: "wad", above: 0n, max: WAD };
/** A catch-up's target share of all profit: above 0 (and below the catch-up's share, a rule below). */
const TARGET: RateSpec = { unit: "bps", above: 0n, max: BPS };
const EQUITY_CLASS_TEXT = "the name or symbol of an equity tranche";

const equityTierShape = {
  tier: z.enum(TIER_KINDS, {
    error: expected(TIER_KINDS.map((k) => `"${k}"`).join(", ")),
  }),
  classes: z
    .array(text(31, EQUITY_CLASS_TEXT), {
      error: expected(`an array of equity classes: ${EQUITY_CLASS_TEXT}`),
    })
    .min(1, { error: "needs at least one equity class" })
    .max(MAX_TRANCHES, { error: `at most ${MAX_TRANCHES} classes` })
    .meta({
      description:
        "The equity classes the tier pays, by tranche name or symbol; in a catch-up or split, the LP classes that share its cash with the sponsor (never the sponsor's class).",
    }),
  byRank: z
    .boolean({ error: expected("true or false") })
    .meta({
      description:
        "Return of capital and preferred return: pay the classes in rank order instead of pro rata (default false).",
    })
    .optional(),
  compounding: z
    .boolean({ error: expected("true or false") })
    .meta({
      description:
        "Preferred return: accrue on the unpaid preferred return too (compounded at each distribution; default false).",
    })
    .optional(),
  ratePct: pct(PREF_RATE)
    .meta({ description: "Preferred return: the annual rate, above 0 and at most 100 %." })
    .optional(),
  rateBps: bps(PREF_RATE).optional(),
  sponsorSharePct: pct(FRACTION_BPS)
    .meta({
      description:
        "Catch-up and split: the sponsor's share of the tier's cash (below 100 % in a split with a hurdle).",
    })
    .optional(),
  sponsorShareBps: bps(FRACTION_BPS).optional(),
  targetPct: pct(TARGET)
    .meta({
      description:
        "Catch-up: the share of all profit distributed the sponsor is caught up to; above 0 and below its share.",
    })
    .optional(),
  targetBps: bps(TARGET).optional(),
  hurdlePct: pct(HURDLE)
    .meta({
      description:
        "Split: the IRR (annual, actual/365) the tier pays its LP classes up to. Every split but the last has one, strictly increasing; the last has none and takes all the cash left.",
    })
    .optional(),
  hurdleBps: bps(HURDLE).optional(),
  notes: notes.optional(),
};

/** The fields each kind of tier may have (besides `tier`, `classes` and `notes`), and those it needs. */
const TIER_FIELDS: Readonly<
  Record<TierKind, { may: readonly string[]; needs: readonly string[] }>
> = {
  returnOfCapital: { may: ["byRank"], needs: [] },
  preferredReturn: { may: ["byRank", "compounding", "rate"], needs: ["rate"] },
  catchUp: { may: ["sponsorShare", "target"], needs: ["sponsorShare", "target"] },
  split: { may: ["sponsorShare", "hurdle"], needs: ["sponsorShare"] },
};
const TIER_FIELD_TEXT: Readonly<Record<string, string>> = {
  byRank: "byRank (rank order is for return of capital and preferred return)",
  compounding: "compounding (only a preferred return compounds)",
  rate: "rate (only a preferred return has one; a split's IRR is its hurdle)",
  sponsorShare: "sponsor share (only a catch-up or a split pays the sponsor)",
  target: "target (only a catch-up has one)",
  hurdle: "hurdle (only a split has one)",
};
const PAIRED = new Set(["rate", "sponsorShare", "target", "hurdle"]);

export const equityTierSchema = z
  .strictObject(equityTierShape)
  .check(
    rule((t, add, given) => {
      for (const base of PAIRED) oneOf(given, [`${base}Pct`, `${base}Bps`], false, add);
      if (!TIER_KINDS.includes(t.tier as TierKind)) return;
      const kind = t.tier as TierKind;
      const { may, needs } = TIER_FIELDS[kind];
      for (const field of Object.keys(TIER_FIELD_TEXT)) {
        const keys = PAIRED.has(field) ? [`${field}Pct`, `${field}Bps`] : [field];
        const present = keys.filter(given);
        if (!may.includes(field))
          for (const k of present)
            add([k], `${TIER_LABELS[kind]} has no ${TIER_FIELD_TEXT[field]}`);
        else if (needs.includes(field) && present.length === 0)
          add([keys[0]], `is required for ${TIER_LABELS[kind]} (or ${keys[1]})`);
      }
      const share = rateOf(t, "sponsorShare", FRACTION_BPS);
      if (kind === "catchUp") {
        // TermSheetLib: a catch-up's share exceeds its target, which is above 0.
        const target = rateOf(t, "target", TARGET);
        if (share !== undefined && target !== undefined && share <= target)
          add(
            [rateKey(t, "sponsorShare")],
            `must exceed the target (${rateKey(t, "target")} ${show(t[rateKey(t, "target")])}): the sponsor catches up only while it takes more than its target share`,
          );
      }
      // TermSheetLib: a split with a hurdle leaves the LP classes something, or their hurdle is never reached.
      if (kind === "split" && share === BPS && (given("hurdlePct") || given("hurdleBps")))
        add(
          [rateKey(t, "sponsorShare")],
          "must be below 100 % in a split with a hurdle (the LP classes reach their hurdle through it)",
        );
    }),
  )
  .meta({
    description:
      'One tier of the equity waterfall: { "tier": "returnOfCapital" | "preferredReturn" | "catchUp" | "split", "classes": [...], … }.',
  });

export const equitySchema = z
  .strictObject({
    sponsor: text(31, "the name or symbol of the sponsor's equity tranche").meta({
      description: "The sponsor's promote class: the name or symbol of an equity tranche.",
    }),
    tiers: z
      .array(equityTierSchema, { error: expected("an array of tiers") })
      .min(1, { error: "needs at least one tier (the last is a split without hurdle)" })
      .max(MAX_EQUITY_TIERS, { error: `at most ${MAX_EQUITY_TIERS} tiers` }),
    notes: notes.optional(),
  })
  .check(
    rule((e, add, _given, failed) => {
      const tiers = Array.isArray(e.tiers) ? (e.tiers as unknown[]) : [];
      let hurdles = 0;
      let previous: { rate: bigint; at: string } | undefined;
      tiers.forEach((raw, i) => {
        if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return;
        const t = raw as Record<string, unknown>;
        const last = i === tiers.length - 1;
        // A hurdle given in a wrong format is absent from `t`: it is still given.
        const hurdleKeys = ["hurdlePct", "hurdleBps"].filter(
          (k) => t[k] !== undefined || failed(["tiers", i, k]),
        );
        const hasHurdle = hurdleKeys.length > 0;
        const hurdleKey = hurdleKeys[0] ?? "hurdlePct";
        // TermSheetLib: the last tier, and only it, is a split without hurdle.
        if (last && t.tier !== undefined && t.tier !== "split")
          add(
            ["tiers", i, "tier"],
            'expected "split": the last tier is a split without hurdle (it takes all the cash left)',
          );
        if (last && t.tier === "split" && hasHurdle)
          add(
            ["tiers", i, hurdleKey],
            "the last tier is a split without hurdle: it takes all the cash left",
          );
        if (!last && t.tier === "split" && !hasHurdle)
          add(
            ["tiers", i, "hurdlePct"],
            "is required (or hurdleBps): only the last tier is a split without hurdle",
          );
        if (t.tier !== "split" || !hasHurdle || last) return;
        // TermSheetLib: at most 3 hurdles, strictly increasing.
        hurdles++;
        if (hurdles > MAX_HURDLES)
          add(["tiers", i, hurdleKey], `at most ${MAX_HURDLES} splits have a hurdle`);
        const rate = rateOf(t, "hurdle", HURDLE);
        if (rate === undefined) return;
        if (previous !== undefined && rate <= previous.rate)
          add(
            ["tiers", i, hurdleKey],
            `must be above the previous hurdle (${previous.at}): hurdles increase tier by tier`,
          );
        previous = { rate, at: `equity.tiers[${i}].${hurdleKey} ${show(t[hurdleKey])}` };
      });
    }),
  )
  .meta({
    description:
      "The LP/GP distribution waterfall of a deal with several equity classes (docs/equity.md): the sponsor's class and the tiers, applied in order to every amount that reaches equity. Absent: one equity class takes the residual.",
  });

/**
 * The rules of an equity waterfall that need the tranches (`TermSheetLib`): notes first, then two or more equity
 * classes; the sponsor and every tier's classes name equity tranches (by name or symbol), once per tier; the
 * sponsor is no LP class of a catch-up or split; a class earns a preferred return in at most one tier. Exported
 * because zod drops an `equity` section that failed from the value a check sees: `parseTermSheet` also runs them
 * on the raw document, so an error elsewhere in the section does not hide them.
 */
export function equityTrancheRules(t: Record<string, unknown>, add: AddIssue): void {
  const tranches = Array.isArray(t.tranches) ? (t.tranches as unknown[]) : [];
  const kinds = tranches.map((tr) =>
    typeof tr === "object" && tr !== null ? (tr as Record<string, unknown>).kind : undefined,
  );
  tranches.forEach((_, i) => {
    if (kinds[i] === "equity" && i === 0)
      add(
        ["tranches", i, "kind"],
        'expected "note": a deal has at least one note, and the notes come first by rank',
      );
    if (kinds[i] === "note" && kinds.slice(0, i).includes("equity"))
      add(
        ["tranches", i, "kind"],
        'expected "equity": notes come first by rank, then the equity classes',
      );
  });
  const equities = kinds.filter((k) => k === "equity").length;
  if (kinds.every((k) => k === "note" || k === "equity") && equities < 2 && tranches.length >= 2)
    add(
      ["equity"],
      `an equity waterfall pays two or more equity classes; the term sheet has ${equities} equity tranche${equities === 1 ? "" : "s"}`,
    );

  const e = t.equity as Record<string, unknown>;
  if (typeof e !== "object" || e === null) return;
  const names = (tr: unknown) =>
    typeof tr === "object" && tr !== null
      ? [(tr as Record<string, unknown>).name, (tr as Record<string, unknown>).symbol]
      : [];
  const equityNames = tranches
    .filter((_, i) => kinds[i] === "equity")
    .map((tr) => show(names(tr)[1] ?? names(tr)[0]))
    .join(", ");
  /** The tranche a class names, when it names exactly one equity tranche. */
  const resolve = (v: unknown, path: readonly (string | number)[]): number | undefined => {
    if (typeof v !== "string") return undefined;
    const hits = tranches.flatMap((tr, i) => (names(tr).includes(v) ? [i] : []));
    if (hits.length === 0) {
      add(path, `names no tranche: expected ${EQUITY_CLASS_TEXT} (${equityNames})`);
      return undefined;
    }
    if (hits.length > 1) {
      add(
        path,
        `is ambiguous: the name or symbol of tranches[${hits[0]}] and tranches[${hits[1]}]`,
      );
      return undefined;
    }
    if (kinds[hits[0]] === "note") {
      add(path, `names a note (tranches[${hits[0]}]): expected an equity tranche (${equityNames})`);
      return undefined;
    }
    return kinds[hits[0]] === "equity" ? hits[0] : undefined;
  };
  const sponsor = resolve(e.sponsor, ["equity", "sponsor"]);
  const tiers = Array.isArray(e.tiers) ? (e.tiers as unknown[]) : [];
  const prefTierOf = new Map<number, number>();
  tiers.forEach((raw, i) => {
    if (typeof raw !== "object" || raw === null) return;
    const tier = raw as Record<string, unknown>;
    const classes = Array.isArray(tier.classes) ? (tier.classes as unknown[]) : [];
    const seen = new Map<number, number>();
    classes.forEach((c, k) => {
      const path = ["equity", "tiers", i, "classes", k];
      const j = resolve(c, path);
      if (j === undefined) return;
      const first = seen.get(j);
      if (first !== undefined) {
        add(path, `names the same tranche as classes[${first}] (tranches[${j}])`);
        return;
      }
      seen.set(j, k);
      if ((tier.tier === "catchUp" || tier.tier === "split") && j === sponsor)
        add(
          path,
          "is the sponsor's class: a catch-up or split shares its cash between the sponsor and the LP classes listed here",
        );
      if (tier.tier === "preferredReturn") {
        const other = prefTierOf.get(j);
        if (other !== undefined)
          add(
            path,
            `already earns a preferred return in equity.tiers[${other}]: a class is in at most one preferred-return tier`,
          );
        else prefTierOf.set(j, i);
      }
    });
  });
}

// ------------------------------------------------------------------ the site

/** A tenant deal's site: the data-center deal it pays rent to, first in each period's waterfall. */
export const siteSchema = z
  .strictObject({
    deal: address.meta({
      description:
        "The site: a data-center deal (capacity in kilowatt-hours) of the same factory and stablecoin that has not ended.",
    }),
    rentPct: pct(FRACTION_BPS)
      .meta({
        description:
          "Rent as a share of each period's reported revenue (none for an unreported period); at most the pledged share.",
      })
      .optional(),
    rentBps: bps(FRACTION_BPS).optional(),
    rentPerUnit: amount(
      "Rent for each unit of the deal's capacity (oracle.fleetGpus: per GPU) each period, in whole stablecoin units.",
    ).optional(),
    notes: notes.optional(),
  })
  .check(
    rule((_s, add, given) => {
      oneOf(given, ["rentPct", "rentBps"], false, add);
      if (!given("rentPct") && !given("rentBps") && !given("rentPerUnit"))
        add([], "names no rent: give rentPct (or rentBps), rentPerUnit, or both");
    }),
  )
  .meta({
    description:
      "The data-center site this GPU deal rents space and power in, and the rent it pays there on chain, first in each period's waterfall (before the keeper bounty), with what a period cannot pay carried as arrears. Absent: no site.",
  });

// ------------------------------------------------------------------ the term sheet

const termSheetShape = {
  $schema: z.string().optional().meta({ description: "The JSON Schema of this file." }),
  name: z.string({ error: expected("a text") }).optional(),
  notes: notes.optional(),
  stablecoin: address.meta({
    description: "The stablecoin: a plain ERC-20 with at most 18 decimals.",
  }),
  decimals: uint(BigInt(MAX_DECIMALS), "the stablecoin's decimals")
    .meta({
      description:
        "The stablecoin's decimals (amounts are scaled by 10^decimals); required unless the parser is given them (options.decimals overrides it).",
    })
    .optional(),
  issuer: address,
  servicer: address,
  trustee: address,
  guardian: address,
  registry: address
    .meta({
      description:
        "The issuer's InvestorRegistry: the tranche tokens check both parties of every transfer against it, with each tranche's transfer rules. Absent: unrestricted tokens (no tranche may have rules).",
    })
    .optional(),
  offeringOpensAt: time,
  offeringClosesAt: time,
  start: time,
  periodLength: duration("the period length"),
  periodCount: uint(U16, "the number of periods", 1),
  pledgedSharePct: pct(SHARE)
    .meta({ description: "Share of the fleet's reported revenue pledged to the deal." })
    .optional(),
  pledgedShareBps: bps(SHARE).optional(),
  servicerFeePct: pct(FRACTION_BPS)
    .meta({ description: "Servicer fee: share of each period's cash." })
    .optional(),
  servicerFeeBps: bps(FRACTION_BPS).optional(),
  trusteeFeePerPeriod: amount("Trustee fee per period, in whole stablecoin units."),
  reserveTarget: amount("Target of the reserve account, in whole stablecoin units."),
  keeperBounty: amount(
    "Paid to whoever runs a period, capped by its cash, in whole stablecoin units.",
  ),
  oracle: oracleSchema,
  risk: riskSchema.optional(),
  site: siteSchema.optional(),
  tranches: z
    .array(trancheSchema, { error: expected("an array of tranches") })
    .min(2, { error: `needs 2 to ${MAX_TRANCHES} tranches (notes by rank, then one equity)` })
    .max(MAX_TRANCHES, {
      error: `needs 2 to ${MAX_TRANCHES} tranches (notes by rank, then one equity)`,
    }),
  equity: equitySchema.optional(),
  collateral: z
    .record(z.string(), z.unknown(), { error: expected("an object") })
    .optional()
    .meta({
      description: "Free-form description of the collateral; not part of the on-chain struct.",
    }),
};

export const termSheetSchema = z
  .strictObject(termSheetShape)
  .check(
    rule((t, add, given) => {
      oneOf(given, ["pledgedSharePct", "pledgedShareBps"], true, add);
      oneOf(given, ["servicerFeePct", "servicerFeeBps"], true, add);
      // TermSheetLib: the rent's share of revenue is at most the share pledged to the deal (its cash).
      const site = t.site as unknown;
      if (typeof site === "object" && site !== null) {
        const rent = rateOf(site as Record<string, unknown>, "rent", FRACTION_BPS);
        const pledged = rateOf(t as Record<string, unknown>, "pledgedShare", SHARE);
        if (rent !== undefined && pledged !== undefined && rent > pledged)
          add(
            ["site", rateKey(site as Record<string, unknown>, "rent")],
            `the rent's share of revenue (${rent} bps) is above the pledged share (${pledged} bps): the deal's cash is the pledged share`,
          );
      }
      const tranches = Array.isArray(t.tranches) ? t.tranches : [];
      const periodCount = valid(termSheetShape.periodCount, t.periodCount)
        ? t.periodCount
        : undefined;
      if (given("equity")) equityTrancheRules(t, add);
      tranches.forEach((tranche: unknown, i) => {
        if (typeof tranche !== "object" || tranche === null) return;
        const { kind, principal, transfer } = tranche as Record<string, unknown>;
        // TermSheetLib: without a registry every tranche's rules are zero.
        if (transfer !== undefined && !given("registry"))
          add(
            ["tranches", i, "transfer"],
            'transfer rules need an investor registry: give "registry" (without one the tokens are unrestricted)',
          );
        // TermSheetLib: notes first by rank; exactly one equity class, last (several with an equity waterfall).
        const last = i === tranches.length - 1;
        if (kind === "equity" && !last && !given("equity"))
          add(
            ["tranches", i, "kind"],
            'expected "note": notes come first by rank and only the last tranche is equity (several equity classes need an "equity" waterfall)',
          );
        if (kind === "note" && last && !given("equity"))
          add(["tranches", i, "kind"], 'expected "equity": the last tranche is the equity class');
        // TermSheetLib: installments end by the last period.
        if (
          kind === "note" &&
          periodCount !== undefined &&
          valid(principalSchema, principal) &&
          principal.type === "straight-line"
        ) {
          const end = (principal.startPeriod ?? 0) + (principal.periods ?? 0);
          if (end > periodCount)
            add(
              ["tranches", i, "principal"],
              `installments end after the last period: startPeriod + periods = ${end}, expected at most periodCount (${periodCount})`,
            );
        }
      });
    }),
  )
  .meta({
    title: "Cascade term sheet",
    description:
      "A GPU-revenue note or data-center project-equity deal in the human format parsed by parseTermSheet (sdk/termsheet.ts). See docs/termsheet.md.",
  });

/** The human JSON format of a term sheet, as the schema reads it. */
export type TermSheetJson = z.input<typeof termSheetSchema>;
export type TrancheJson = z.input<typeof trancheSchema>;
export type CouponJson = z.input<typeof couponSchema>;
export type PrincipalJson = z.input<typeof principalSchema>;
export type OracleTermsJson = z.input<typeof oracleSchema>;
export type RiskJson = z.input<typeof riskSchema>;
export type TriggerJson = z.input<typeof triggerSchema>;
export type FleetEntryJson = z.input<typeof fleetEntrySchema>;
export type PriceFeedJson = z.input<typeof priceFeedSchema>;
export type TransferRulesJson = z.input<typeof transferSchema>;
export type EquityJson = z.input<typeof equitySchema>;
export type EquityTierJson = z.input<typeof equityTierSchema>;
export type SiteJson = z.input<typeof siteSchema>;
/** A decimal given as a string (`"6000000"`, `"0.5"`, `"25,000,000"`) or a number. */
export type DecimalInput = string | number;

export { couponSchema, principalSchema };
