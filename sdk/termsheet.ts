/**
 * Term sheets in a human JSON format, parsed into the exact on-chain `TermSheet` struct. The format is documented in
 * `docs/termsheet.md`; its JSON Schema (`examples/termsheet.schema.json`, `npm run schema`) is generated from the
 * zod schema of `sdk/termsheet/schema.ts`.
 *
 * Human format (see `examples/h100-fleet.json`):
 * - amounts are decimal strings (or numbers) in whole stablecoin units: `"6000000"`, `"25,000,000"`, `"0.5"`;
 * - rates and shares are given in percent or basis points: `"baseRatePct": 8` or `"baseRateBps": 800`;
 *   a coupon's `slope` is a plain multiplier (0.2 = +0.2 rate points per utilization point);
 * - times are ISO-8601 strings, unix seconds, or offsets from `options.now` such as `"+7d"`, `"+1h30m"` (or `"-30d"`
 *   before it: a fleet bought before the term sheet);
 *   durations are `"30d"`, `"12h"` or seconds;
 * - addresses may be placeholders such as `"$issuer"` or `"$reporter0"`, resolved from `options.addresses`;
 * - the `oracle` object holds the reporters, their quorum and the oracle's bounds;
 * - `registry` names the issuer's investor registry; each tranche's optional `transfer` object holds its transfer
 *   rules in human terms (class names of {@link INVESTOR_CLASSES}, ISO 3166-1 numeric country codes, durations);
 * - the optional `risk` object holds the covenants as data, the GPU fleet, the price feed, the trailing window, the
 *   clean-up fraction, turbo and the waiver voting period ({@link DEFAULT_RISK_TERMS} when absent);
 * - the optional `equity` object holds the LP/GP waterfall of a deal with several equity classes (`docs/equity.md`):
 *   the sponsor's class and the tiers, classes named by tranche name or symbol ({@link NO_EQUITY_WATERFALL} when
 *   absent: one equity class takes the residual).
 *
 * Validation has two layers, run together so every problem is reported at once in a {@link TermSheetError}:
 * 1. {@link termSheetSchema} (zod): structure, types, formats, ranges and the rules across fields that need no
 *    context (`TermSheetLib.validate`, `RiskTermsLib`, `UtilizationOracle.registerDeal`);
 * 2. the rules that need the parse options: placeholders, relative times and the clock, the stablecoin's decimals
 *    (decimal places and the integer widths of the struct).
 */
import { getAddress, isAddress, zeroAddress } from "viem";
import { z } from "zod/v4";

import { TermSheetError, type TermSheetIssue } from "./errors.js";
import { DEFAULT_RISK_TERMS, MAX_FLEET_ENTRIES } from "./models/riskTerms.js";
import {
  fleetEntrySchema,
  equityTrancheRules,
  fleetIndexRules,
  termSheetSchema,
  valid,
  type AddIssue,
  type CouponJson,
  type EquityJson,
  type FleetEntryJson,
  type PrincipalJson,
  type RiskJson,
  type TermSheetJson,
  type TrancheJson,
  type TransferRulesJson,
  type TriggerJson,
} from "./termsheet/schema.js";
import { countryBitmap, investorClassMask, NO_TRANSFER_RULES } from "./compliance.js";
import {
  decimalPlaces,
  MAX_DECIMALS,
  MONTH_SECONDS,
  parseDecimal,
  parseDuration,
  parseSignedDecimal,
  parseTime,
  show,
  textToBytes16,
  joinNotes,
  U128,
  U64,
  U96,
  unscale,
} from "./termsheet/values.js";
import {
  CapacityUnit,
  CouponType,
  DepreciationMethod,
  EquityTier,
  PrincipalType,
  RiskMetric,
  TrancheKind,
  TriggerComparison,
  TriggerEffect,
  NO_EQUITY_WATERFALL,
  NO_SITE,
  type Address,
  type CouponTerms,
  type EquityTerms,
  type FleetEntryTerms,
  type PrincipalTerms,
  type RiskTerms,
  type TermSheet,
  type TrancheTerms,
  type TransferRules,
  type TriggerTerms,
} from "./types.js";

export {
  couponSchema,
  equitySchema,
  equityTierSchema,
  fleetEntrySchema,
  oracleSchema,
  priceFeedSchema,
  principalSchema,
  riskSchema,
  termSheetSchema,
  trancheSchema,
  transferSchema,
  triggerSchema,
  type CouponJson,
  type DecimalInput,
  type EquityJson,
  type EquityTierJson,
  type FleetEntryJson,
  type OracleTermsJson,
  type PriceFeedJson,
  type PrincipalJson,
  type RiskJson,
  type TermSheetJson,
  type TrancheJson,
  type TransferRulesJson,
  type TriggerJson,
} from "./termsheet/schema.js";
export { parseDecimal, parseDuration, parseTime, textToBytes16 } from "./termsheet/values.js";

export interface ParseTermSheetOptions {
  /** Reference time (unix seconds) for relative times like `"+7d"`; also checks the offering has not closed. */
  now?: bigint;
  /** Addresses for `"$name"` placeholders (key without the `$`). */
  addresses?: Readonly<Record<string, Address>>;
  /** Overrides the JSON's `decimals` (e.g. with the stablecoin's on-chain value). */
  decimals?: number;
}

export interface ParsedTermSheet {
  name: string | undefined;
  notes: string | undefined;
  decimals: number;
  /** The struct `DealFactory.createDeal` takes. */
  terms: TermSheet;
}

/** Where the reporters of the older flat format went. */
const MOVED: Readonly<Record<string, string>> = {
  reporters: "oracle.reporters",
  reportThreshold: "oracle.threshold",
};

// ------------------------------------------------------------------ JSON Schema

/** URL-independent identifier of the generated JSON Schema. */
export const TERM_SHEET_SCHEMA_ID = "https://cascade.invalid/schemas/termsheet.schema.json";

/**
 * The JSON Schema (draft 2020-12) of the human format, generated from {@link termSheetSchema}: what the file may
 * contain. Rules across fields and those that need the parse options are only in the zod schema and the parser.
 */
export function termSheetJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(termSheetSchema, { io: "input", target: "draft-2020-12" });
  const { $schema, ...rest } = generated;
  return { $schema, $id: TERM_SHEET_SCHEMA_ID, ...rest };
}

// ------------------------------------------------------------------ issues

function pathText(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else out += out === "" ? String(key) : `.${String(key)}`;
  }
  return out;
}

/**
 * Where a path falls in the document, for sorting issues into the order a reader meets the fields: each step is
 * the key's position in its object (a missing key after the present ones) or the array index.
 */
function documentRank(json: unknown, path: readonly PropertyKey[]): number[] {
  const rank: number[] = [];
  let node: unknown = json;
  for (const key of path) {
    if (Array.isArray(node) && typeof key === "number") {
      rank.push(key);
      node = node[key];
    } else if (isObject(node)) {
      const i = Object.keys(node).indexOf(String(key));
      rank.push(i < 0 ? Number.MAX_SAFE_INTEGER : i);
      node = node[String(key)];
    } else {
      rank.push(Number.MAX_SAFE_INTEGER);
      node = undefined;
    }
  }
  return rank;
}

function compareRanks(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i];
  // A field's own issues before those of its children.
  return a.length - b.length;
}

/** A zod issue, or one of the parser's own. */
type RawIssue =
  | { code: "unrecognized_keys"; path: readonly PropertyKey[]; keys: readonly string[] }
  | { code?: string; path: readonly PropertyKey[]; message: string };

/**
 * The zod issues as term-sheet issues, in document order (stable: a field's issues keep zod's order, its own
 * format first, then the rules across fields); an unknown key is reported at its own path.
 */
function toIssues(issues: readonly RawIssue[], json: unknown): TermSheetIssue[] {
  const expanded = issues.flatMap((issue) =>
    "keys" in issue
      ? issue.keys.map((key) => ({
          path: [...issue.path, key],
          message: (issue.path.length === 0 ? MOVED[key] : undefined)
            ? `moved to ${MOVED[key]}`
            : "unknown field",
        }))
      : [{ path: issue.path, message: "message" in issue ? issue.message : "" }],
  );
  const out: TermSheetIssue[] = [];
  const seen = new Set<string>();
  for (const { path, message } of expanded
    .map((x, i) => ({ ...x, i, rank: documentRank(json, x.path) }))
    .sort((a, b) => compareRanks(a.rank, b.rank) || a.i - b.i)) {
    const text = pathText(path);
    if (seen.has(`${text}\u0000${message}`)) continue;
    seen.add(`${text}\u0000${message}`);
    out.push({ path: text, message });
  }
  return out;
}

/** Messages of zod's own issues where a schema did not set one. */
const defaultMessages: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case "invalid_type":
      return issue.input === undefined
        ? `is required: expected ${issue.expected}`
        : `expected ${issue.expected}, got ${show(issue.input)}`;
    case "too_small":
      return `expected at least ${String(issue.minimum)}, got ${show(issue.input)}`;
    case "too_big":
      return `expected at most ${String(issue.maximum)}, got ${show(issue.input)}`;
    case "invalid_value":
      return `expected one of ${issue.values.map((v) => show(v)).join(", ")}, got ${show(issue.input)}`;
    default:
      return undefined;
  }
};

// ------------------------------------------------------------------ values that need the options

/** The address a field names (a placeholder resolved), or `{ error }`. */
function resolveAddress(
  value: string,
  addresses: Readonly<Record<string, Address>>,
): { address: Address } | { error: string } {
  let text = value;
  if (text.startsWith("$")) {
    const resolved = addresses[text.slice(1)];
    if (resolved === undefined)
      return {
        error: `placeholder ${show(value)} has no address (pass options.addresses.${text.slice(1)})`,
      };
    text = resolved;
  }
  if (!isAddress(text, { strict: false }))
    return { error: `${show(text)} (from ${show(value)}) is not an address` };
  const address = getAddress(text);
  if (address === zeroAddress) return { error: `${show(value)} resolves to the zero address` };
  return { address };
}

/** The integer of an amount in the stablecoin's base units, or what is wrong. */
function toUnits(
  value: string | number,
  decimals: number,
  max: bigint,
  width: string,
): bigint | string {
  const units = parseDecimal(value, decimals);
  if (typeof units === "string") return units;
  if (units > max)
    return `expected at most ${unscale(max, decimals)} (${width} in base units of ${decimals} decimals), got ${show(value)}`;
  return units;
}

const timeSchema = termSheetSchema.shape.start;
const amountSchema = termSheetSchema.shape.reserveTarget;
const addressSchema = termSheetSchema.shape.issuer;

/**
 * The rules that need the parse options, over the raw document: placeholders, relative times and the clock, the
 * stablecoin's decimals. Like the schema's own rules it reads only fields that are valid.
 */
function contextRules(
  options: ParseTermSheetOptions,
  add: AddIssue,
  t: Record<string, unknown>,
): void {
  const addresses = options.addresses ?? {};
  const now = options.now;

  let decimals: number | undefined;
  if (options.decimals !== undefined) {
    if (
      !Number.isInteger(options.decimals) ||
      options.decimals < 0 ||
      options.decimals > MAX_DECIMALS
    )
      add(
        ["decimals"],
        `options.decimals: expected an integer from 0 to ${MAX_DECIMALS}, got ${show(options.decimals)}`,
      );
    else decimals = options.decimals;
  } else if (t.decimals === undefined) {
    add(
      ["decimals"],
      `is required (or options.decimals): the stablecoin's decimals, 0 to ${MAX_DECIMALS}`,
    );
  } else if (valid(termSheetSchema.shape.decimals, t.decimals)) {
    decimals = t.decimals;
  }

  // Addresses and placeholders.
  const resolve = (path: readonly (string | number)[], v: unknown): Address | undefined => {
    if (!valid(addressSchema, v)) return undefined;
    const r = resolveAddress(v, addresses);
    if ("address" in r) return r.address;
    add(path, r.error);
    return undefined;
  };
  for (const key of ["stablecoin", "issuer", "servicer", "trustee", "guardian", "registry"])
    resolve([key], t[key]);
  const oracle = isObject(t.oracle) ? t.oracle : {};
  const reporters = Array.isArray(oracle.reporters) ? (oracle.reporters as unknown[]) : [];
  const resolved = new Map<Address, number>();
  reporters.forEach((r, i) => {
    const a = resolve(["oracle", "reporters", i], r);
    if (a === undefined) return;
    const first = resolved.get(a);
    // Literal duplicates are the schema's; placeholders meeting at one address are found here.
    if (
      first !== undefined &&
      typeof reporters[first] === "string" &&
      (reporters[first] as string).toLowerCase() !== String(r).toLowerCase()
    )
      add(["oracle", "reporters", i], `resolves to the same address as reporters[${first}] (${a})`);
    if (first === undefined) resolved.set(a, i);
  });
  const risk = isObject(t.risk) ? t.risk : {};
  const feed = isObject(risk.priceFeed) ? risk.priceFeed : {};
  resolve(["risk", "priceFeed", "address"], feed.address);
  const site = isObject(t.site) ? t.site : {};
  resolve(["site", "deal"], site.deal);

  // Times.
  const at = (path: readonly (string | number)[], v: unknown): bigint | undefined => {
    if (!valid(timeSchema, v)) return undefined;
    const s = parseTime(v, now);
    if (typeof s === "string") add(path, s);
    else if (s > U64) add(path, `expected a time that fits uint64 seconds, got ${show(v)} (${s})`);
    else return s;
    return undefined;
  };
  const opens = at(["offeringOpensAt"], t.offeringOpensAt);
  const closes = at(["offeringClosesAt"], t.offeringClosesAt);
  const start = at(["start"], t.start);
  // TermSheetLib: offeringOpensAt < offeringClosesAt, the offering has not closed, start ≥ offeringClosesAt.
  if (opens !== undefined && closes !== undefined && opens >= closes)
    add(["offeringClosesAt"], `must be after offeringOpensAt (${show(t.offeringOpensAt)})`);
  if (closes !== undefined && now !== undefined && closes <= now)
    add(["offeringClosesAt"], `must be in the future (now is ${now}, it is ${closes})`);
  if (start !== undefined && closes !== undefined && start < closes)
    add(["start"], `must not be before offeringClosesAt (${show(t.offeringClosesAt)})`);
  const periodLength = valid(termSheetSchema.shape.periodLength, t.periodLength)
    ? (parseDuration(t.periodLength) as bigint)
    : undefined;
  const periodCount = valid(termSheetSchema.shape.periodCount, t.periodCount)
    ? t.periodCount
    : undefined;
  // Every period end must fit the deal's 64-bit timestamps (TermSheetLib refuses it as a Start error).
  if (start !== undefined && periodLength !== undefined && periodCount !== undefined)
    if (start + BigInt(periodCount) * periodLength > U64)
      add(["start"], "the last period would end beyond 2^64 − 1 seconds");
  const fleet = Array.isArray(risk.fleet) ? (risk.fleet as unknown[]) : [];
  fleet.forEach((e, i) => {
    if (!isObject(e)) return;
    const acquired = at(["risk", "fleet", i, "acquired"], e.acquired);
    // RiskTermsLib.fleetEntryValid: acquiredAt 0 means "no entry".
    if (acquired === 0n) add(["risk", "fleet", i, "acquired"], "expected a time after 1970, got 0");
  });

  // Amounts in the stablecoin's base units.
  if (decimals === undefined) return;
  const units = (path: readonly (string | number)[], v: unknown, max: bigint, width: string) => {
    if (!valid(amountSchema, v)) return;
    const r = toUnits(v, decimals, max, width);
    if (typeof r === "string") add(path, r);
  };
  for (const key of ["trusteeFeePerPeriod", "reserveTarget", "keeperBounty"])
    units([key], t[key], U128, "uint128");
  units(["oracle", "maxPricePerGpuHour"], oracle.maxPricePerGpuHour, U64, "uint64");
  units(["oracle", "maxPricePerKwh"], oracle.maxPricePerKwh, U64, "uint64");
  units(["site", "rentPerUnit"], site.rentPerUnit, U128, "uint128");
  const tranches = Array.isArray(t.tranches) ? (t.tranches as unknown[]) : [];
  tranches.forEach((tr, i) => {
    if (!isObject(tr)) return;
    // Tranche tokens keep 96-bit balances.
    units(["tranches", i, "face"], tr.face, U96, "uint96");
    units(["tranches", i, "minRaise"], tr.minRaise, U128, "uint128");
    units(["tranches", i, "minTicket"], tr.minTicket, U128, "uint128");
    if (isObject(tr.transfer))
      units(["tranches", i, "transfer", "minHolding"], tr.transfer.minHolding, U128, "uint128");
  });
  fleet.forEach((e, i) => {
    if (!isObject(e)) return;
    units(["risk", "fleet", i, "unitCost"], e.unitCost, U128, "uint128");
    units(["risk", "fleet", i, "unitResidual"], e.unitResidual, U128, "uint128");
  });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

// ------------------------------------------------------------------ conversion of a valid term sheet

/** A value the validation guarantees; a failure here is a bug of the validation. */
function must<T>(v: T | string, what: string): T {
  if (typeof v === "string") throw new Error(`term sheet validation missed ${what}: ${v}`);
  return v;
}

type Rates = Record<string, unknown>;

/** `<base>Pct` or `<base>Bps` in bps or WAD (0 when neither is given). */
function rate(obj: Rates, base: string, unit: "bps" | "wad"): bigint {
  const p = obj[`${base}Pct`] as string | number | undefined;
  const b = obj[`${base}Bps`] as string | number | undefined;
  if (p !== undefined) return must(parseDecimal(p, unit === "bps" ? 2 : 16), `${base}Pct`);
  if (b !== undefined) return must(parseDecimal(b, unit === "bps" ? 0 : 14), `${base}Bps`);
  return 0n;
}

function address(v: string, addresses: Readonly<Record<string, Address>>): Address {
  const r = resolveAddress(v, addresses);
  if ("error" in r) throw new Error(`term sheet validation missed ${v}: ${r.error}`);
  return r.address;
}

function seconds(v: string | number): number {
  return Number(must(parseDuration(v), "a duration"));
}

const METRICS: Readonly<Record<TriggerJson["metric"], number>> = {
  dscr: RiskMetric.Dscr,
  trailingDscr: RiskMetric.TrailingDscr,
  utilization: RiskMetric.Utilization,
  ltv: RiskMetric.Ltv,
  seniorCurve: RiskMetric.SeniorCurve,
  reserveLevel: RiskMetric.ReserveLevel,
  servicerShortfall: RiskMetric.ServicerShortfall,
  missedReport: RiskMetric.MissedReport,
  occupancy: RiskMetric.Occupancy,
  pue: RiskMetric.Pue,
};

function buildCoupon(c: CouponJson): CouponTerms {
  const baseRate = rate(c, "baseRate", "wad");
  if (c.type === "fixed")
    return {
      couponType: CouponType.Fixed,
      baseRate,
      slope: 0n,
      strike: 0n,
      floorRate: 0n,
      capRate: 0n,
    };
  return {
    couponType: CouponType.UtilizationLinked,
    baseRate,
    slope: must(parseSignedDecimal(c.slope, 18), "slope"),
    strike: rate(c, "strike", "wad"),
    floorRate: rate(c, "floorRate", "wad"),
    capRate: rate(c, "capRate", "wad"),
  };
}

function buildPrincipal(p: PrincipalJson | undefined): PrincipalTerms {
  return p === undefined || p.type === "bullet"
    ? { scheduleType: PrincipalType.Bullet, amortStartPeriod: 0, amortPeriods: 0 }
    : {
        scheduleType: PrincipalType.StraightLine,
        amortStartPeriod: p.startPeriod ?? 0,
        amortPeriods: p.periods ?? 0,
      };
}

function buildTransferRules(r: TransferRulesJson | undefined, decimals: number): TransferRules {
  if (r === undefined) return NO_TRANSFER_RULES;
  const classes = r.allowedClasses;
  return {
    allowedClasses: classes === undefined ? 0 : must(investorClassMask(classes), "allowedClasses"),
    minHoldingPeriod: r.minHoldingPeriod === undefined ? 0 : seconds(r.minHoldingPeriod),
    maxHolders: r.maxHolders ?? 0,
    minHolding:
      r.minHolding === undefined ? 0n : must(parseDecimal(r.minHolding, decimals), "minHolding"),
    blockedCountries: countryBitmap(r.blockedCountries ?? []),
  };
}

function buildTranche(t: TrancheJson, decimals: number): TrancheTerms {
  const units = (v: string | number, what: string) => must(parseDecimal(v, decimals), what);
  const note = t.kind === "note";
  return {
    name: t.name,
    symbol: t.symbol,
    kind: note ? TrancheKind.Note : TrancheKind.Equity,
    faceAmount: units(t.face, "face"),
    minRaise: units(t.minRaise, "minRaise"),
    minTicket: units(t.minTicket, "minTicket"),
    reserveFundingBps: Number(rate(t, "reserveFunding", "bps")),
    coupon:
      note && t.coupon !== undefined
        ? buildCoupon(t.coupon)
        : {
            couponType: CouponType.Fixed,
            baseRate: 0n,
            slope: 0n,
            strike: 0n,
            floorRate: 0n,
            capRate: 0n,
          },
    principal: buildPrincipal(note ? t.principal : undefined),
    transfer: buildTransferRules(t.transfer, decimals),
  };
}

function buildTrigger(t: TriggerJson): TriggerTerms {
  const key = (["below", "above", "belowPct", "abovePct"] as const).find((k) => t[k] !== undefined);
  return {
    metric: METRICS[t.metric],
    // A missed report reads 1.0 and a reported period 0: without a threshold it is in breach when unreported.
    comparison: key?.startsWith("below") ? TriggerComparison.Below : TriggerComparison.Above,
    effect: t.effect === "accelerate" ? TriggerEffect.Accelerate : TriggerEffect.CashTrap,
    periods: t.periods ?? 1,
    cures: t.cures ?? false,
    threshold:
      key === undefined ? 0n : must(parseDecimal(t[key], key.endsWith("Pct") ? 16 : 18), key),
  };
}

function buildFleetEntry(
  e: FleetEntryJson,
  decimals: number,
  feedDecimals: number,
  now: bigint | undefined,
): FleetEntryTerms {
  const declining = e.method === "decliningBalance";
  const land = e.method === "none";
  const unitCost = must(parseDecimal(e.unitCost, decimals), "unitCost");
  return {
    model: textToBytes16(e.model),
    count: e.count,
    unitCost,
    // Land keeps its cost: its residual is its cost (RiskTermsLib.fleetEntryValid).
    unitResidual: land
      ? unitCost
      : must(parseDecimal(e.unitResidual as string | number, decimals), "unitResidual"),
    acquiredAt: must(parseTime(e.acquired, now), "acquired"),
    usefulLife: land
      ? 0
      : e.usefulLifeMonths !== undefined
        ? Number(BigInt(e.usefulLifeMonths) * MONTH_SECONDS)
        : seconds(e.usefulLife as string | number),
    method: land
      ? DepreciationMethod.None
      : declining
        ? DepreciationMethod.DecliningBalance
        : DepreciationMethod.StraightLine,
    yearlyRate:
      declining && e.yearlyRatePercent !== undefined
        ? must(parseDecimal(e.yearlyRatePercent, 16), "yearlyRatePercent")
        : 0n,
    indexAtAcquisition:
      e.indexAtAcquisition === undefined
        ? 0n
        : must(parseDecimal(e.indexAtAcquisition, feedDecimals), "indexAtAcquisition"),
  };
}

function buildRisk(
  r: RiskJson | undefined,
  decimals: number,
  options: ParseTermSheetOptions,
): RiskTerms {
  if (r === undefined) return DEFAULT_RISK_TERMS;
  const cleanUp = r.cleanUpPercent ?? r.cleanUpPct;
  const feed = r.priceFeed;
  return {
    trailingPeriods: r.trailingPeriods ?? DEFAULT_RISK_TERMS.trailingPeriods,
    cleanUpBps: Number(
      cleanUp !== undefined
        ? must(parseDecimal(cleanUp, 2), "cleanUpPct")
        : rate(r, "cleanUp", "bps"),
    ),
    turbo: r.turbo ?? false,
    waiverVotingPeriod:
      r.waiverVotingDays !== undefined
        ? r.waiverVotingDays * 86_400
        : r.waiverVotingPeriod !== undefined
          ? seconds(r.waiverVotingPeriod)
          : DEFAULT_RISK_TERMS.waiverVotingPeriod,
    priceFeed:
      feed === undefined
        ? DEFAULT_RISK_TERMS.priceFeed
        : {
            feed: address(feed.address, options.addresses ?? {}),
            decimals: feed.decimals,
            maxStaleness:
              feed.maxStalenessHours !== undefined
                ? feed.maxStalenessHours * 3_600
                : seconds(feed.maxStaleness as string | number),
          },
    triggers: (r.triggers ?? []).map(buildTrigger),
    fleet: (r.fleet ?? []).map((e) =>
      buildFleetEntry(e, decimals, feed?.decimals ?? 0, options.now),
    ),
    appraisalMaxAge:
      r.appraisalMaxAge === undefined
        ? DEFAULT_RISK_TERMS.appraisalMaxAge
        : seconds(r.appraisalMaxAge),
  };
}

const TIER_KIND: Readonly<Record<EquityJson["tiers"][number]["tier"], number>> = {
  returnOfCapital: EquityTier.ReturnOfCapital,
  preferredReturn: EquityTier.PreferredReturn,
  catchUp: EquityTier.CatchUp,
  split: EquityTier.Split,
};

/**
 * The `EquityTerms` of a valid `equity` section: classes by tranche name or symbol become bits over the equity
 * classes (bit j: the j-th equity tranche, after the notes), shares bps, rates WAD a year.
 */
function buildEquity(e: EquityJson, tranches: readonly TrancheJson[]): EquityTerms {
  const notes = tranches.filter((t) => t.kind === "note").length;
  const classOf = (name: string) => {
    const i = tranches.findIndex((t) => t.name === name || t.symbol === name);
    if (i < notes) throw new Error(`term sheet validation missed the equity class ${name}`);
    return i - notes;
  };
  return {
    sponsorClass: classOf(e.sponsor),
    tiers: e.tiers.map((t) => ({
      kind: TIER_KIND[t.tier],
      classes: t.classes.reduce((mask, c) => mask | (1 << classOf(c)), 0),
      byRank: t.byRank ?? false,
      compounding: t.compounding ?? false,
      sponsorBps: Number(rate(t, "sponsorShare", "bps")),
      targetBps: Number(rate(t, "target", "bps")),
      rate: t.tier === "split" ? rate(t, "hurdle", "wad") : rate(t, "rate", "wad"),
    })),
  };
}

// ------------------------------------------------------------------ the term sheet

/**
 * Parses and validates a term sheet in the human JSON format.
 * @throws TermSheetError listing every problem found, each with its field path (`tranches[1].coupon.capRatePct`)
 * and what was expected.
 */
export function parseTermSheet(
  json: unknown,
  options: ParseTermSheetOptions = {},
): ParsedTermSheet {
  if (!isObject(json))
    throw new TermSheetError([
      { path: "", message: `expected a term sheet as a JSON object, got ${show(json)}` },
    ]);
  const result = termSheetSchema.safeParse(json, { error: defaultMessages });
  // The rules that need the options read the raw document (zod drops a failed optional field from its value).
  const own: RawIssue[] = [];
  contextRules(options, (path, message) => own.push({ path, message }), json);
  fleetIndexRules(
    isObject(json.risk) ? json.risk : {},
    (path, message) => own.push({ path: ["risk", ...path], message }),
    (key) => isObject(json.risk) && json.risk[key] !== undefined,
  );
  if (json.equity !== undefined)
    equityTrancheRules(json, (path, message) => own.push({ path, message }));
  if (!result.success || own.length > 0)
    throw new TermSheetError(toIssues([...(result.error?.issues ?? []), ...own], json));
  const t = result.data;
  // Defined: the rules above refuse a term sheet without decimals when the options give none.
  const decimals = (options.decimals ?? t.decimals) as number;
  const addresses = options.addresses ?? {};
  const units = (v: string | number, what: string) => must(parseDecimal(v, decimals), what);
  const time = (v: string | number, what: string) => must(parseTime(v, options.now), what);
  const kwh = t.oracle.unit === "kWh";
  return {
    name: t.name,
    notes: joinNotes(t.notes),
    decimals,
    terms: {
      stablecoin: address(t.stablecoin, addresses),
      issuer: address(t.issuer, addresses),
      servicer: address(t.servicer, addresses),
      trustee: address(t.trustee, addresses),
      guardian: address(t.guardian, addresses),
      registry: t.registry === undefined ? zeroAddress : address(t.registry, addresses),
      offeringOpensAt: time(t.offeringOpensAt, "offeringOpensAt"),
      offeringClosesAt: time(t.offeringClosesAt, "offeringClosesAt"),
      start: time(t.start, "start"),
      periodLength: seconds(t.periodLength),
      periodCount: t.periodCount,
      pledgedShareBps: Number(rate(t, "pledgedShare", "bps")),
      servicerFeeBps: Number(rate(t, "servicerFee", "bps")),
      trusteeFeePerPeriod: units(t.trusteeFeePerPeriod, "trusteeFeePerPeriod"),
      reserveTarget: units(t.reserveTarget, "reserveTarget"),
      keeperBounty: units(t.keeperBounty, "keeperBounty"),
      oracle: {
        reporters: t.oracle.reporters.map((r) => address(r, addresses)),
        threshold: t.oracle.threshold,
        disputeWindow: seconds(t.oracle.disputeWindow),
        reportDeadline: seconds(t.oracle.reportDeadline),
        reporterChangeDelay: seconds(t.oracle.reporterChangeDelay),
        // The schema requires the capacity and price of the deal's unit.
        fleetGpus: (kwh ? t.oracle.capacityKw : t.oracle.fleetGpus) as number,
        maxPricePerGpuHour: units(
          (kwh ? t.oracle.maxPricePerKwh : t.oracle.maxPricePerGpuHour) as string | number,
          kwh ? "maxPricePerKwh" : "maxPricePerGpuHour",
        ),
        maxUtilizationStep: rate(t.oracle, "maxUtilizationStep", "wad"),
        unit: kwh ? CapacityUnit.KilowattHours : CapacityUnit.GpuHours,
      },
      risk: buildRisk(t.risk, decimals, options),
      tranches: t.tranches.map((tr) => buildTranche(tr, decimals)),
      equity: t.equity === undefined ? NO_EQUITY_WATERFALL : buildEquity(t.equity, t.tranches),
      site:
        t.site === undefined
          ? NO_SITE
          : {
              site: address(t.site.deal, addresses),
              rentBps: Number(rate(t.site, "rent", "bps")),
              rentPerUnit:
                t.site.rentPerUnit === undefined ? 0n : units(t.site.rentPerUnit, "rentPerUnit"),
            },
    },
  };
}

// ------------------------------------------------------------------ fleet entries added after creation

export interface ParseFleetEntriesOptions {
  /** Reference time (unix seconds) for relative times like `"-30d"` (bought a month ago). */
  now?: bigint;
  /** The deal stablecoin's decimals. */
  decimals: number;
  /** Decimals of the deal's price feed; undefined when the deal has none (no entry can then be marked to an index). */
  feedDecimals?: number;
}

/**
 * Parses GPU fleet entries in the term sheet's `risk.fleet[]` format — an array of entries, or an object whose
 * `fleet` is one — into the structs `RiskEngine.addFleetEntries` takes: the GPUs an issuer adds after creation.
 * @throws TermSheetError listing every problem, at paths like `fleet[1].unitResidual`.
 * @example
 * const entries = parseFleetEntries(JSON.parse(text), { now: block.timestamp, decimals: 6, feedDecimals: 8 });
 * const { ids } = await issuer.addFleetEntries({ deal, entries });
 */
export function parseFleetEntries(
  json: unknown,
  options: ParseFleetEntriesOptions,
): FleetEntryTerms[] {
  const list = Array.isArray(json)
    ? (json as unknown[])
    : isObject(json) && Array.isArray(json.fleet)
      ? (json.fleet as unknown[])
      : undefined;
  if (list === undefined)
    throw new TermSheetError(
      [
        {
          path: "",
          message: `expected an array of fleet entries (or { "fleet": [...] }), got ${show(json)}`,
        },
      ],
      "fleet entries",
    );
  const doc = { fleet: list };
  const schema = z.strictObject({
    fleet: z
      .array(fleetEntrySchema)
      .min(1, { error: "expected at least one fleet entry" })
      .max(MAX_FLEET_ENTRIES, { error: `at most ${MAX_FLEET_ENTRIES} entries` }),
  });
  const result = schema.safeParse(doc, { error: defaultMessages });
  const own: RawIssue[] = [];
  const add = (path: readonly (string | number)[], message: string) =>
    own.push({ path: ["fleet", ...path], message });
  list.forEach((e, i) => {
    if (!isObject(e)) return;
    if (valid(timeSchema, e.acquired)) {
      const at = parseTime(e.acquired, options.now);
      if (typeof at === "string") add([i, "acquired"], at);
      else if (at === 0n) add([i, "acquired"], "expected a time after 1970, got 0");
      else if (at > U64)
        add([i, "acquired"], `expected a time that fits uint64 seconds, got ${show(e.acquired)}`);
    }
    for (const key of ["unitCost", "unitResidual"]) {
      if (!valid(amountSchema, e[key])) continue;
      const r = toUnits(e[key] as string | number, options.decimals, U128, "uint128");
      if (typeof r === "string") add([i, key], r);
    }
    const index = e.indexAtAcquisition;
    if (index === undefined) return;
    if (options.feedDecimals === undefined)
      add([i, "indexAtAcquisition"], "the deal has no price feed to mark the entry to");
    else if (
      (typeof index === "string" || typeof index === "number") &&
      DECIMAL_LIKE.test(String(index)) &&
      decimalPlaces(index) > options.feedDecimals
    )
      add(
        [i, "indexAtAcquisition"],
        `has more decimal places than the feed's ${options.feedDecimals}`,
      );
  });
  if (!result.success || own.length > 0)
    throw new TermSheetError(
      toIssues([...(result.error?.issues ?? []), ...own], doc),
      "fleet entries",
    );
  return result.data.fleet.map((e) =>
    buildFleetEntry(e, options.decimals, options.feedDecimals ?? 0, options.now),
  );
}

const DECIMAL_LIKE = /^[0-9_,]*\.?[0-9]*$/;
