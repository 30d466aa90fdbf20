/**
 * Term sheets in a human JSON format, parsed into the exact on-chain `TermSheet` struct.
 *
 * Human format (see `examples/h100-fleet.json`):
 * - amounts are decimal strings (or numbers) in whole stablecoin units: `"6000000"`, `"25,000,000"`, `"0.5"`;
 * - rates and shares are given in percent or basis points: `"baseRatePct": 8` or `"baseRateBps": 800`;
 *   a coupon's `slope` is a plain multiplier (0.2 = +0.2 rate points per utilization point);
 * - times are ISO-8601 strings, unix seconds, or offsets from `options.now` such as `"+7d"`, `"+1h30m"`;
 *   durations are `"30d"`, `"12h"` or seconds;
 * - addresses may be placeholders such as `"$issuer"` or `"$reporter0"`, resolved from `options.addresses`;
 * - the `oracle` object holds the reporters, their quorum and the oracle's bounds: durations (`"2d"`), a price per
 *   GPU-hour in stablecoin units (`"6.00"`) and the largest utilization step in percent or basis points;
 * - the optional `risk` object holds the covenants as data (`{ "metric": "dscr", "below": "1.10", "periods": 2,
 *   "effect": "cashTrap", "cures": true }`), the GPU fleet, the price feed, the trailing window, the clean-up
 *   fraction, turbo and the waiver voting period ({@link DEFAULT_RISK_TERMS} when absent).
 *
 * `parseTermSheet` checks everything `TermSheetLib.validate` and the oracle's `registerDeal` check, plus the
 * integer widths of the struct, and reports every problem at once in a {@link TermSheetError}.
 */
import { getAddress, isAddress, zeroAddress } from "viem";

import { TermSheetError, type TermSheetIssue } from "./errors.js";
import {
  DEFAULT_RISK_TERMS,
  MAX_FLEET_ENTRIES,
  MAX_TRAILING_PERIODS,
  MAX_TRIGGERS,
} from "./models/risk.js";
import {
  CouponType,
  DepreciationMethod,
  PrincipalType,
  RiskMetric,
  TrancheKind,
  TriggerComparison,
  TriggerEffect,
  type Address,
  type CouponTerms,
  type FleetEntryTerms,
  type Hex,
  type OracleTerms,
  type PrincipalTerms,
  type PriceFeedTerms,
  type RiskTerms,
  type TermSheet,
  type TrancheTerms,
  type TriggerTerms,
} from "./types.js";

// ------------------------------------------------------------------ the human format

/** A decimal given as a string (`"6000000"`, `"0.5"`, `"25,000,000"`) or a number. */
export type DecimalInput = string | number;

export interface CouponJson {
  type: "fixed" | "utilization-linked";
  baseRatePct?: DecimalInput;
  baseRateBps?: DecimalInput;
  /** Rate change per unit of utilization (0.2: +0.2 rate points per utilization point). Linked coupons only. */
  slope?: DecimalInput;
  strikePct?: DecimalInput;
  strikeBps?: DecimalInput;
  floorRatePct?: DecimalInput;
  floorRateBps?: DecimalInput;
  capRatePct?: DecimalInput;
  capRateBps?: DecimalInput;
}

export interface PrincipalJson {
  type: "bullet" | "straight-line";
  /** First period (0-based) that repays an installment. Straight-line only. */
  startPeriod?: number;
  /** Number of installments. Straight-line only. */
  periods?: number;
}

export interface TrancheJson {
  name: string;
  symbol: string;
  kind: "note" | "equity";
  /** Face amount (the offering cap) in whole stablecoin units. */
  face: DecimalInput;
  minRaise: DecimalInput;
  minTicket: DecimalInput;
  reserveFundingPct?: DecimalInput;
  reserveFundingBps?: DecimalInput;
  /** Notes only. */
  coupon?: CouponJson;
  /** Notes only. */
  principal?: PrincipalJson;
  notes?: string | string[];
}

export interface OracleTermsJson {
  /** Reporter addresses or placeholders (`"$reporter0"`). */
  reporters: string[];
  /** Signatures a report needs. */
  threshold: number;
  /** How long a proposed report is open to dispute: `"2d"`. */
  disputeWindow: string | number;
  /** From when after a period's end anyone may mark it unreported: `"10d"` (longer than the dispute window). */
  reportDeadline: string | number;
  /** How long a change of the reporter set waits: `"3d"`. */
  reporterChangeDelay: string | number;
  /** GPUs in the fleet (bounds the GPU-hours a report may call available). */
  fleetGpus: number;
  /** Highest credible price per billed GPU-hour, in stablecoin units: `"6.00"`. */
  maxPricePerGpuHour: DecimalInput;
  /** A utilization change from the previous period above this needs every reporter. */
  maxUtilizationStepPct?: DecimalInput;
  maxUtilizationStepBps?: DecimalInput;
}

/** A covenant trigger: `{ "metric": "dscr", "below": "1.10", "periods": 2, "effect": "cashTrap", "cures": true }`. */
export interface TriggerJson {
  metric:
    | "dscr"
    | "trailingDscr"
    | "utilization"
    | "ltv"
    | "seniorCurve"
    | "reserveLevel"
    | "servicerShortfall"
    | "missedReport";
  /** Threshold as a ratio (1.10 = 1.10× or 110 %); give exactly one of below/above/belowPct/abovePct. */
  below?: DecimalInput;
  above?: DecimalInput;
  /** Threshold in percent (80 = 0.80). */
  belowPct?: DecimalInput;
  abovePct?: DecimalInput;
  /** Consecutive periods in breach before it fires (1–255, default 1). */
  periods?: number;
  effect: "cashTrap" | "accelerate";
  /** A curable cash trap clears at the first period out of breach; acceleration always latches (default false). */
  cures?: boolean;
  notes?: string | string[];
}

/** One line of the GPU fleet. */
export interface FleetEntryJson {
  /** Model name, at most 16 bytes: `"H100-SXM5-80GB"`. */
  model: string;
  count: number;
  /** Cost and residual value per GPU, in whole stablecoin units. */
  unitCost: DecimalInput;
  unitResidual: DecimalInput;
  /** When it was bought: ISO-8601, unix seconds or `"+7d"`. */
  acquired: string | number;
  /** Useful life in months (of 365/12 days), or `usefulLife` as a duration. */
  usefulLifeMonths?: number;
  usefulLife?: string | number;
  method: "straightLine" | "decliningBalance";
  /** Declining balance only: the yearly rate. */
  yearlyRatePercent?: DecimalInput;
  /** The price index at acquisition, in index units (`"2.40"`): the entry is then marked to the index. */
  indexAtAcquisition?: DecimalInput;
}

/** The deal's covenants and collateral. Absent: 3-period trailing DSCR, 7-day waivers, no triggers, fleet or feed. */
export interface RiskJson {
  trailingPeriods?: number;
  /** Clean-up call once senior outstanding ≤ this share of senior face (default 0: none). */
  cleanUpPercent?: DecimalInput;
  cleanUpPct?: DecimalInput;
  cleanUpBps?: DecimalInput;
  /** A cash trap pays note principal by rank before trapping the rest (default false). */
  turbo?: boolean;
  /** How long a waiver ballot is open, in days (default 7), or `waiverVotingPeriod` as a duration. */
  waiverVotingDays?: number;
  waiverVotingPeriod?: string | number;
  priceFeed?: {
    address: string;
    decimals: number;
    /** Answers older than this are refused (the last accepted index is used): hours, or `maxStaleness`. */
    maxStalenessHours?: number;
    maxStaleness?: string | number;
  };
  triggers?: TriggerJson[];
  fleet?: FleetEntryJson[];
  notes?: string | string[];
}

export interface TermSheetJson {
  name?: string;
  notes?: string | string[];
  stablecoin: string;
  /** The stablecoin's decimals (amounts are scaled by 10^decimals). */
  decimals: number;
  issuer: string;
  servicer: string;
  trustee: string;
  guardian: string;
  offeringOpensAt: string | number;
  offeringClosesAt: string | number;
  start: string | number;
  periodLength: string | number;
  periodCount: number;
  pledgedSharePct?: DecimalInput;
  pledgedShareBps?: DecimalInput;
  servicerFeePct?: DecimalInput;
  servicerFeeBps?: DecimalInput;
  trusteeFeePerPeriod: DecimalInput;
  reserveTarget: DecimalInput;
  /** Paid to whoever runs a period (capped by its cash), in whole stablecoin units: `"25"`. */
  keeperBounty: DecimalInput;
  oracle: OracleTermsJson;
  risk?: RiskJson;
  tranches: TrancheJson[];
  /** Free-form description of the collateral; not part of the on-chain struct. */
  collateral?: Record<string, unknown>;
}

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

// ------------------------------------------------------------------ limits (TermSheetLib, oracle, widths)

const MAX_TRANCHES = 8;
const MAX_DECIMALS = 18;
const MAX_REPORTERS = 16;
const BPS = 10_000n;
const WAD = 10n ** 18n;
const U8 = 2n ** 8n - 1n;
const U16 = 2n ** 16n - 1n;
const U32 = 2n ** 32n - 1n;
const U64 = 2n ** 64n - 1n;
const I64 = 2n ** 63n - 1n;
const U128 = 2n ** 128n - 1n;

const UNIT_SECONDS: Record<string, bigint> = { s: 1n, m: 60n, h: 3_600n, d: 86_400n, w: 604_800n };

// ------------------------------------------------------------------ parsing helpers

/** Collects issues with their field paths. */
class Issues {
  readonly list: TermSheetIssue[] = [];
  add(path: string, message: string): void {
    this.list.push({ path, message });
  }
}

/** Parses a non-negative decimal into an integer scaled by 10^scale; returns an error message when invalid. */
export function parseDecimal(input: unknown, scale: number): bigint | string {
  let s: string;
  if (typeof input === "number") {
    if (!Number.isFinite(input)) return "must be a finite number";
    s = String(input);
    if (/e/i.test(s)) return `number ${s} needs a decimal string`;
  } else if (typeof input === "string") {
    s = input.trim().replace(/[_,]/g, "");
  } else {
    return `must be a decimal string or number, got ${input === null ? "null" : typeof input}`;
  }
  const m = /^(\d+)(?:\.(\d+))?$/.exec(s);
  if (!m) return `"${String(input)}" is not a non-negative decimal`;
  const [, whole, frac = ""] = m;
  if (frac.replace(/0+$/, "").length > scale) {
    return `"${String(input)}" has more than ${scale} decimal place${scale === 1 ? "" : "s"}`;
  }
  return BigInt(whole) * 10n ** BigInt(scale) + BigInt(frac.padEnd(scale, "0") || "0");
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
  if (/^\d+$/.test(s)) return BigInt(s);
  if (!/^(\d+[smhdw])+$/.test(s))
    return `"${input}" is not a duration (use s, m, h, d, w: "30d", "1h30m")`;
  let total = 0n;
  for (const [, n, unit] of s.matchAll(/(\d+)([smhdw])/g)) total += BigInt(n) * UNIT_SECONDS[unit];
  return total;
}

/** Parses a time: ISO-8601 string, unix seconds, or `"+<duration>"` after `now`. */
export function parseTime(input: unknown, now: bigint | undefined): bigint | string {
  if (typeof input === "number") {
    return Number.isSafeInteger(input) && input >= 0 ? BigInt(input) : "must be whole unix seconds";
  }
  if (typeof input !== "string")
    return 'must be an ISO-8601 time, unix seconds or an offset like "+7d"';
  const s = input.trim();
  if (s.startsWith("+")) {
    if (now === undefined) return `relative time "${input}" needs options.now`;
    const d = parseDuration(s.slice(1));
    return typeof d === "string" ? d : now + d;
  }
  if (/^\d+$/.test(s)) return BigInt(s);
  const ms = Date.parse(s);
  if (Number.isNaN(ms)) return `"${input}" is not an ISO-8601 time`;
  if (ms % 1000 !== 0) return `"${input}" is not a whole second`;
  return BigInt(ms / 1000);
}

function byteLength(s: string): number {
  return new TextEncoder().encode(s).length;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function joinNotes(n: unknown): string | undefined {
  if (typeof n === "string") return n;
  if (Array.isArray(n) && n.every((x) => typeof x === "string")) return n.join("\n");
  return undefined;
}

/** Reads fields of one JSON object, recording issues under `prefix`. */
class Reader {
  constructor(
    private readonly obj: Record<string, unknown>,
    private readonly prefix: string,
    private readonly issues: Issues,
  ) {}

  path(key: string): string {
    return this.prefix ? `${this.prefix}.${key}` : key;
  }

  has(key: string): boolean {
    return this.obj[key] !== undefined;
  }

  raw(key: string): unknown {
    return this.obj[key];
  }

  /** Unknown keys are likely typos: report them. */
  rejectUnknown(known: readonly string[]): void {
    for (const key of Object.keys(this.obj)) {
      if (!known.includes(key)) this.issues.add(this.path(key), "unknown field");
    }
  }

  string(key: string, opts: { optional?: boolean } = {}): string | undefined {
    const v = this.obj[key];
    if (v === undefined) {
      if (!opts.optional) this.issues.add(this.path(key), "is required");
      return undefined;
    }
    if (typeof v !== "string") {
      this.issues.add(this.path(key), "must be a string");
      return undefined;
    }
    return v;
  }

  integer(key: string, max: bigint, opts: { optional?: boolean } = {}): number | undefined {
    const v = this.obj[key];
    if (v === undefined) {
      if (!opts.optional) this.issues.add(this.path(key), "is required");
      return undefined;
    }
    if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) {
      this.issues.add(this.path(key), "must be a non-negative integer");
      return undefined;
    }
    if (BigInt(v) > max) {
      this.issues.add(this.path(key), `must be at most ${max}`);
      return undefined;
    }
    return v;
  }

  /** A decimal scaled by 10^scale; `max` bounds the scaled value. */
  decimal(
    key: string,
    scale: number,
    max: bigint,
    opts: { optional?: boolean } = {},
  ): bigint | undefined {
    const v = this.obj[key];
    if (v === undefined) {
      if (!opts.optional) this.issues.add(this.path(key), "is required");
      return undefined;
    }
    const parsed = parseDecimal(v, scale);
    if (typeof parsed === "string") {
      this.issues.add(this.path(key), parsed);
      return undefined;
    }
    if (parsed > max) {
      this.issues.add(this.path(key), "is too large for its on-chain field");
      return undefined;
    }
    return parsed;
  }

  /**
   * A rate or share given as `<base>Pct` or `<base>Bps`, returned in basis points (`unit: "bps"`) or as a WAD
   * fraction where 1e18 = 100 % (`unit: "wad"`). Values that do not convert exactly are refused.
   */
  percent(
    base: string,
    unit: "bps" | "wad",
    max: bigint,
    opts: { optional?: boolean } = {},
  ): bigint | undefined {
    const pctKey = `${base}Pct`;
    const bpsKey = `${base}Bps`;
    const hasPct = this.has(pctKey);
    const hasBps = this.has(bpsKey);
    if (hasPct && hasBps) {
      this.issues.add(this.path(pctKey), `give either ${pctKey} or ${bpsKey}, not both`);
      return undefined;
    }
    if (!hasPct && !hasBps) {
      if (!opts.optional) this.issues.add(this.path(pctKey), `is required (or ${bpsKey})`);
      return undefined;
    }
    const key = hasPct ? pctKey : bpsKey;
    const scale = unit === "bps" ? (hasPct ? 2 : 0) : hasPct ? 16 : 14;
    return this.decimal(key, scale, max);
  }

  address(key: string, addresses: Readonly<Record<string, Address>>): Address | undefined {
    const v = this.obj[key];
    return resolveAddress(v, this.path(key), addresses, this.issues);
  }
}

function resolveAddress(
  v: unknown,
  path: string,
  addresses: Readonly<Record<string, Address>>,
  issues: Issues,
): Address | undefined {
  if (v === undefined) {
    issues.add(path, "is required");
    return undefined;
  }
  if (typeof v !== "string") {
    issues.add(path, 'must be an address or a "$name" placeholder');
    return undefined;
  }
  let value = v.trim();
  if (value.startsWith("$")) {
    const resolved = addresses[value.slice(1)];
    if (resolved === undefined) {
      issues.add(
        path,
        `placeholder "${value}" has no address (pass options.addresses.${value.slice(1)})`,
      );
      return undefined;
    }
    value = resolved;
  }
  if (!isAddress(value, { strict: false })) {
    issues.add(path, `"${value}" is not an address`);
    return undefined;
  }
  const address = getAddress(value);
  if (address === zeroAddress) {
    issues.add(path, "must not be the zero address");
    return undefined;
  }
  return address;
}

// ------------------------------------------------------------------ tranches

const ZERO_COUPON: CouponTerms = {
  couponType: CouponType.Fixed,
  baseRate: 0n,
  slope: 0n,
  strike: 0n,
  floorRate: 0n,
  capRate: 0n,
};
const ZERO_PRINCIPAL: PrincipalTerms = {
  scheduleType: PrincipalType.Bullet,
  amortStartPeriod: 0,
  amortPeriods: 0,
};

function parseCoupon(v: unknown, path: string, issues: Issues): CouponTerms | undefined {
  if (!isRecord(v)) {
    issues.add(path, 'is required for a note ({ "type": "fixed" | "utilization-linked", … })');
    return undefined;
  }
  const r = new Reader(v, path, issues);
  const type = r.raw("type");
  const rateKeys = ["baseRate", "strike", "floorRate", "capRate"].flatMap((k) => [
    `${k}Pct`,
    `${k}Bps`,
  ]);
  r.rejectUnknown(["type", "slope", ...rateKeys]);
  if (type === "fixed") {
    for (const k of ["slope", ...rateKeys.filter((k) => !k.startsWith("baseRate"))]) {
      if (r.has(k)) issues.add(r.path(k), "a fixed coupon has only a base rate");
    }
    const baseRate = r.percent("baseRate", "wad", U64);
    return baseRate === undefined ? undefined : { ...ZERO_COUPON, baseRate };
  }
  if (type !== "utilization-linked") {
    issues.add(r.path("type"), 'must be "fixed" or "utilization-linked"');
    return undefined;
  }
  const baseRate = r.percent("baseRate", "wad", U64);
  const strike = r.percent("strike", "wad", U64);
  const floorRate = r.percent("floorRate", "wad", U64);
  const capRate = r.percent("capRate", "wad", U64);
  let slope: bigint | undefined;
  const rawSlope = r.raw("slope");
  if (rawSlope === undefined) {
    issues.add(r.path("slope"), "is required for a utilization-linked coupon");
  } else {
    // A negative slope (rate falls as utilization rises) is allowed by the contract's int64.
    const text = typeof rawSlope === "string" ? rawSlope.trim() : rawSlope;
    const negative =
      typeof text === "string" ? text.startsWith("-") : typeof text === "number" && text < 0;
    const magnitude =
      typeof text === "string"
        ? text.replace(/^-/, "")
        : typeof text === "number"
          ? Math.abs(text)
          : text;
    const parsed = parseDecimal(magnitude, 18);
    if (typeof parsed === "string") issues.add(r.path("slope"), parsed);
    else if (parsed > I64) issues.add(r.path("slope"), "is too large for int64");
    else slope = negative ? -parsed : parsed;
  }
  if (
    baseRate === undefined ||
    strike === undefined ||
    floorRate === undefined ||
    capRate === undefined
  )
    return;
  if (slope === undefined) return undefined;
  let ok = true;
  if (strike > WAD) {
    issues.add(r.path("strikePct"), "must be at most 100 %");
    ok = false;
  }
  if (floorRate > capRate) {
    issues.add(r.path("floorRatePct"), "must not exceed the cap");
    ok = false;
  }
  if (baseRate < floorRate || baseRate > capRate) {
    issues.add(r.path("baseRatePct"), "must lie between the floor and the cap");
    ok = false;
  }
  return ok
    ? { couponType: CouponType.UtilizationLinked, baseRate, slope, strike, floorRate, capRate }
    : undefined;
}

function parsePrincipal(v: unknown, path: string, periodCount: number | undefined, issues: Issues) {
  if (!isRecord(v)) {
    issues.add(path, 'is required for a note ({ "type": "bullet" | "straight-line", … })');
    return undefined;
  }
  const r = new Reader(v, path, issues);
  r.rejectUnknown(["type", "startPeriod", "periods"]);
  const type = r.raw("type");
  if (type === "bullet") {
    if (r.has("startPeriod") || r.has("periods"))
      issues.add(path, "a bullet note has no installments");
    return ZERO_PRINCIPAL;
  }
  if (type !== "straight-line") {
    issues.add(r.path("type"), 'must be "bullet" or "straight-line"');
    return undefined;
  }
  const start = r.integer("startPeriod", U16);
  const periods = r.integer("periods", U16);
  if (start === undefined || periods === undefined) return undefined;
  if (periods === 0) {
    issues.add(r.path("periods"), "must be at least 1");
    return undefined;
  }
  if (periodCount !== undefined && start + periods > periodCount) {
    issues.add(
      path,
      `installments end after the last period (startPeriod + periods > ${periodCount})`,
    );
    return undefined;
  }
  return {
    scheduleType: PrincipalType.StraightLine,
    amortStartPeriod: start,
    amortPeriods: periods,
  };
}

function parseTranche(
  v: unknown,
  i: number,
  last: boolean,
  decimals: number | undefined,
  periodCount: number | undefined,
  issues: Issues,
): TrancheTerms | undefined {
  const path = `tranches[${i}]`;
  if (!isRecord(v)) {
    issues.add(path, "must be an object");
    return undefined;
  }
  const r = new Reader(v, path, issues);
  r.rejectUnknown([
    "name",
    "symbol",
    "kind",
    "face",
    "minRaise",
    "minTicket",
    "reserveFundingPct",
    "reserveFundingBps",
    "coupon",
    "principal",
    "notes",
  ]);
  const name = r.string("name");
  const symbol = r.string("symbol");
  for (const [key, value] of [
    ["name", name],
    ["symbol", symbol],
  ] as const) {
    if (value !== undefined && (byteLength(value) === 0 || byteLength(value) > 31)) {
      issues.add(r.path(key), "must be 1 to 31 bytes long");
    }
  }
  const kindRaw = r.raw("kind");
  let kind: TrancheKind | undefined;
  if (kindRaw === "note") kind = TrancheKind.Note;
  else if (kindRaw === "equity") kind = TrancheKind.Equity;
  else issues.add(r.path("kind"), 'must be "note" or "equity"');
  if (kind !== undefined && (kind === TrancheKind.Equity) !== last) {
    issues.add(
      r.path("kind"),
      "notes come first by rank and exactly one equity tranche comes last",
    );
  }

  const scale = decimals ?? 0;
  const face = decimals === undefined ? undefined : r.decimal("face", scale, U128);
  const minRaise = decimals === undefined ? undefined : r.decimal("minRaise", scale, U128);
  const minTicket = decimals === undefined ? undefined : r.decimal("minTicket", scale, U128);
  if (face !== undefined && face === 0n) issues.add(r.path("face"), "must be positive");
  if (minRaise !== undefined && decimals !== undefined && minRaise < 10n ** BigInt(decimals)) {
    issues.add(r.path("minRaise"), "must be at least one whole stablecoin unit");
  }
  if (minRaise !== undefined && face !== undefined && minRaise > face) {
    issues.add(r.path("minRaise"), "must not exceed the face amount");
  }
  if (minTicket !== undefined && minTicket === 0n)
    issues.add(r.path("minTicket"), "must be positive");
  if (minTicket !== undefined && face !== undefined && minTicket > face) {
    issues.add(r.path("minTicket"), "must not exceed the face amount");
  }
  let reserveFundingBps: bigint | undefined = 0n;
  if (r.has("reserveFundingPct") || r.has("reserveFundingBps")) {
    reserveFundingBps = r.percent("reserveFunding", "bps", U16);
    if (reserveFundingBps !== undefined && reserveFundingBps > BPS) {
      issues.add(
        r.path(r.has("reserveFundingPct") ? "reserveFundingPct" : "reserveFundingBps"),
        "must be ≤ 100 %",
      );
      reserveFundingBps = undefined;
    }
  }

  let coupon: CouponTerms | undefined = ZERO_COUPON;
  let principal: PrincipalTerms | undefined = ZERO_PRINCIPAL;
  if (kind === TrancheKind.Equity) {
    if (r.has("coupon")) issues.add(r.path("coupon"), "equity has no coupon");
    if (r.has("principal")) issues.add(r.path("principal"), "equity has no principal schedule");
  } else if (kind === TrancheKind.Note) {
    coupon = parseCoupon(r.raw("coupon"), r.path("coupon"), issues);
    principal = parsePrincipal(r.raw("principal"), r.path("principal"), periodCount, issues);
  }

  if (
    name === undefined ||
    symbol === undefined ||
    kind === undefined ||
    face === undefined ||
    minRaise === undefined ||
    minTicket === undefined ||
    reserveFundingBps === undefined ||
    coupon === undefined ||
    principal === undefined
  ) {
    return undefined;
  }
  return {
    name,
    symbol,
    kind,
    faceAmount: face,
    minRaise,
    minTicket,
    reserveFundingBps: Number(reserveFundingBps),
    coupon,
    principal,
  };
}

// ------------------------------------------------------------------ oracle terms

function parseOracleTerms(
  v: unknown,
  decimals: number | undefined,
  addresses: Readonly<Record<string, Address>>,
  issues: Issues,
): OracleTerms | undefined {
  const path = "oracle";
  if (!isRecord(v)) {
    issues.add(path, "is required: { reporters, threshold, disputeWindow, reportDeadline, … }");
    return undefined;
  }
  const r = new Reader(v, path, issues);
  r.rejectUnknown([
    "reporters",
    "threshold",
    "disputeWindow",
    "reportDeadline",
    "reporterChangeDelay",
    "fleetGpus",
    "maxPricePerGpuHour",
    "maxUtilizationStepPct",
    "maxUtilizationStepBps",
  ]);

  // Reporters: the oracle's registerDeal refuses what TermSheetLib does not check.
  const reporters: Address[] = [];
  const rawReporters = r.raw("reporters");
  let reportersOk = Array.isArray(rawReporters);
  if (!Array.isArray(rawReporters))
    issues.add(r.path("reporters"), "must be an array of addresses");
  else {
    if (rawReporters.length === 0) issues.add(r.path("reporters"), "needs at least one reporter");
    if (rawReporters.length > MAX_REPORTERS)
      issues.add(r.path("reporters"), `at most ${MAX_REPORTERS} reporters`);
    rawReporters.forEach((x, i) => {
      const a = resolveAddress(x, r.path(`reporters[${i}]`), addresses, issues);
      if (a === undefined) {
        reportersOk = false;
        return;
      }
      if (reporters.includes(a)) {
        issues.add(r.path(`reporters[${i}]`), `duplicate reporter ${a}`);
        reportersOk = false;
      }
      reporters.push(a);
    });
  }
  const threshold = r.integer("threshold", U8);
  if (threshold !== undefined && Array.isArray(rawReporters)) {
    if (threshold === 0 || threshold > rawReporters.length) {
      issues.add(
        r.path("threshold"),
        `must be between 1 and the number of reporters (${rawReporters.length})`,
      );
    }
  }

  const duration = (key: string): number | undefined => {
    if (!r.has(key)) {
      issues.add(r.path(key), 'is required (a duration like "2d")');
      return undefined;
    }
    const d = parseDuration(r.raw(key));
    if (typeof d === "string") issues.add(r.path(key), d);
    else if (d === 0n) issues.add(r.path(key), "must be positive");
    else if (d > U32) issues.add(r.path(key), "is too large for uint32 seconds");
    else return Number(d);
    return undefined;
  };
  const disputeWindow = duration("disputeWindow");
  const reportDeadline = duration("reportDeadline");
  const reporterChangeDelay = duration("reporterChangeDelay");
  if (
    disputeWindow !== undefined &&
    reportDeadline !== undefined &&
    reportDeadline <= disputeWindow
  ) {
    issues.add(
      r.path("reportDeadline"),
      "must be longer than the dispute window (a report proposed before the deadline must become final)",
    );
  }

  let fleetGpus = r.integer("fleetGpus", U32);
  if (fleetGpus === 0) {
    issues.add(r.path("fleetGpus"), "must be at least 1");
    fleetGpus = undefined;
  }
  let maxPricePerGpuHour =
    decimals === undefined ? undefined : r.decimal("maxPricePerGpuHour", decimals, U64);
  if (maxPricePerGpuHour === 0n) {
    issues.add(r.path("maxPricePerGpuHour"), "must be positive");
    maxPricePerGpuHour = undefined;
  }
  let maxUtilizationStep = r.percent("maxUtilizationStep", "wad", U64);
  if (maxUtilizationStep !== undefined && (maxUtilizationStep === 0n || maxUtilizationStep > WAD)) {
    issues.add(
      r.path(r.has("maxUtilizationStepPct") ? "maxUtilizationStepPct" : "maxUtilizationStepBps"),
      "must be above 0 and at most 100 %",
    );
    maxUtilizationStep = undefined;
  }

  if (
    !reportersOk ||
    threshold === undefined ||
    disputeWindow === undefined ||
    reportDeadline === undefined ||
    reporterChangeDelay === undefined ||
    fleetGpus === undefined ||
    maxPricePerGpuHour === undefined ||
    maxUtilizationStep === undefined
  ) {
    return undefined;
  }
  return {
    reporters,
    threshold,
    disputeWindow,
    reportDeadline,
    reporterChangeDelay,
    fleetGpus,
    maxPricePerGpuHour,
    maxUtilizationStep,
  };
}

// ------------------------------------------------------------------ risk terms

const METRICS: Readonly<Record<string, number>> = {
  dscr: RiskMetric.Dscr,
  trailingDscr: RiskMetric.TrailingDscr,
  utilization: RiskMetric.Utilization,
  ltv: RiskMetric.Ltv,
  seniorCurve: RiskMetric.SeniorCurve,
  reserveLevel: RiskMetric.ReserveLevel,
  servicerShortfall: RiskMetric.ServicerShortfall,
  missedReport: RiskMetric.MissedReport,
};
const MONTH_SECONDS = (365n * 86_400n) / 12n;

/** `text` as a bytes16, right-padded with zeros. */
export function textToBytes16(text: string): Hex {
  const bytes = new TextEncoder().encode(text);
  if (bytes.length > 16) throw new RangeError(`"${text}" is longer than 16 bytes`);
  return `0x${Array.from(bytes, (b) => b.toString(16).padStart(2, "0"))
    .join("")
    .padEnd(32, "0")}`;
}

/** A duration given as `<base>` (a duration) or `<base><Unit>` (a number of units); undefined when neither. */
function durationIn(
  r: Reader,
  issues: Issues,
  base: string,
  unitKey: string,
  unitSeconds: bigint,
): bigint | undefined | null {
  const hasDuration = r.has(base);
  const hasUnits = r.has(unitKey);
  if (hasDuration && hasUnits) {
    issues.add(r.path(unitKey), `give either ${unitKey} or ${base}, not both`);
    return null;
  }
  if (!hasDuration && !hasUnits) return undefined;
  let seconds: bigint;
  if (hasUnits) {
    const v = r.raw(unitKey);
    if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) {
      issues.add(r.path(unitKey), "must be a non-negative integer");
      return null;
    }
    seconds = BigInt(v) * unitSeconds;
  } else {
    const d = parseDuration(r.raw(base));
    if (typeof d === "string") {
      issues.add(r.path(base), d);
      return null;
    }
    seconds = d;
  }
  const key = hasUnits ? unitKey : base;
  if (seconds === 0n) {
    issues.add(r.path(key), "must be positive");
    return null;
  }
  if (seconds > U32) {
    issues.add(r.path(key), "is too large for uint32 seconds");
    return null;
  }
  return seconds;
}

function parseTrigger(v: unknown, path: string, issues: Issues): TriggerTerms | undefined {
  if (!isRecord(v)) {
    issues.add(
      path,
      'must be an object like { "metric": "dscr", "below": "1.10", "effect": "cashTrap" }',
    );
    return undefined;
  }
  const r = new Reader(v, path, issues);
  r.rejectUnknown([
    "metric",
    "below",
    "above",
    "belowPct",
    "abovePct",
    "periods",
    "effect",
    "cures",
    "notes",
  ]);
  const metricRaw = r.raw("metric");
  const metric = typeof metricRaw === "string" ? METRICS[metricRaw] : undefined;
  if (metric === undefined)
    issues.add(r.path("metric"), `must be one of ${Object.keys(METRICS).join(", ")}`);

  const given = ["below", "above", "belowPct", "abovePct"].filter((k) => r.has(k));
  let comparison: number | undefined;
  let threshold: bigint | undefined;
  if (given.length > 1) {
    issues.add(r.path(given[1]), `give one threshold, not ${given.join(" and ")}`);
  } else if (given.length === 0) {
    if (metric === RiskMetric.MissedReport) {
      // A missed report reads 1.0, a reported period 0: in breach whenever the period is unreported.
      comparison = TriggerComparison.Above;
      threshold = 0n;
    } else {
      issues.add(r.path("below"), "is required (or above, belowPct, abovePct)");
    }
  } else {
    const key = given[0];
    comparison = key.startsWith("below") ? TriggerComparison.Below : TriggerComparison.Above;
    threshold = r.decimal(key, key.endsWith("Pct") ? 16 : 18, U128);
  }

  let periods: number | undefined = 1;
  if (r.has("periods")) {
    periods = r.integer("periods", U8);
    if (periods === 0) {
      issues.add(r.path("periods"), "must be at least 1");
      periods = undefined;
    }
  }
  const effectRaw = r.raw("effect");
  let effect: number | undefined;
  if (effectRaw === "cashTrap") effect = TriggerEffect.CashTrap;
  else if (effectRaw === "accelerate") effect = TriggerEffect.Accelerate;
  else issues.add(r.path("effect"), 'must be "cashTrap" or "accelerate"');
  const curesRaw = r.raw("cures");
  let cures: boolean | undefined = false;
  if (curesRaw !== undefined && typeof curesRaw !== "boolean") {
    issues.add(r.path("cures"), "must be true or false");
    cures = undefined;
  } else if (curesRaw === true) {
    cures = true;
    if (effect === TriggerEffect.Accelerate) {
      issues.add(r.path("cures"), "an acceleration trigger always latches (until waived)");
      cures = undefined;
    }
  }
  if (
    metric === undefined ||
    comparison === undefined ||
    threshold === undefined ||
    periods === undefined ||
    effect === undefined ||
    cures === undefined
  ) {
    return undefined;
  }
  return { metric, comparison, effect, periods, cures, threshold };
}

function parseFleetEntry(
  v: unknown,
  path: string,
  decimals: number | undefined,
  feedDecimals: number | undefined,
  hasFeed: boolean,
  now: bigint | undefined,
  issues: Issues,
): FleetEntryTerms | undefined {
  if (!isRecord(v)) {
    issues.add(path, "must be an object");
    return undefined;
  }
  const r = new Reader(v, path, issues);
  r.rejectUnknown([
    "model",
    "count",
    "unitCost",
    "unitResidual",
    "acquired",
    "usefulLifeMonths",
    "usefulLife",
    "method",
    "yearlyRatePercent",
    "indexAtAcquisition",
    "notes",
  ]);
  const name = r.string("model");
  let model: Hex | undefined;
  if (name !== undefined) {
    if (byteLength(name) === 0 || byteLength(name) > 16)
      issues.add(r.path("model"), "must be 1 to 16 bytes long");
    else model = textToBytes16(name);
  }
  let count = r.integer("count", U32);
  if (count === 0) {
    issues.add(r.path("count"), "must be at least 1");
    count = undefined;
  }
  const unitCost = decimals === undefined ? undefined : r.decimal("unitCost", decimals, U128);
  if (unitCost === 0n) issues.add(r.path("unitCost"), "must be positive");
  const unitResidual =
    decimals === undefined ? undefined : r.decimal("unitResidual", decimals, U128);
  if (unitResidual !== undefined && unitCost !== undefined && unitResidual > unitCost)
    issues.add(r.path("unitResidual"), "must not exceed the unit cost");

  let acquiredAt: bigint | undefined;
  if (!r.has("acquired")) issues.add(r.path("acquired"), "is required");
  else {
    const t = parseTime(r.raw("acquired"), now);
    if (typeof t === "string") issues.add(r.path("acquired"), t);
    else if (t === 0n) issues.add(r.path("acquired"), "must be after 1970");
    else if (t > U64) issues.add(r.path("acquired"), "is too large for uint64");
    else acquiredAt = t;
  }
  const life = durationIn(r, issues, "usefulLife", "usefulLifeMonths", MONTH_SECONDS);
  if (life === undefined) issues.add(r.path("usefulLifeMonths"), "is required (or usefulLife)");

  const methodRaw = r.raw("method");
  let method: number | undefined;
  if (methodRaw === "straightLine") method = DepreciationMethod.StraightLine;
  else if (methodRaw === "decliningBalance") method = DepreciationMethod.DecliningBalance;
  else issues.add(r.path("method"), 'must be "straightLine" or "decliningBalance"');
  let yearlyRate: bigint | undefined = 0n;
  if (method === DepreciationMethod.DecliningBalance) {
    yearlyRate = r.decimal("yearlyRatePercent", 16, U64);
    if (yearlyRate !== undefined && (yearlyRate === 0n || yearlyRate >= WAD)) {
      issues.add(r.path("yearlyRatePercent"), "must be above 0 and below 100 %");
      yearlyRate = undefined;
    }
  } else if (r.has("yearlyRatePercent")) {
    issues.add(r.path("yearlyRatePercent"), "only a declining balance has a yearly rate");
    yearlyRate = undefined;
  }

  let indexAtAcquisition: bigint | undefined = 0n;
  if (r.has("indexAtAcquisition")) {
    if (!hasFeed) {
      issues.add(r.path("indexAtAcquisition"), "needs risk.priceFeed (the index to mark it to)");
      indexAtAcquisition = undefined;
    } else if (feedDecimals === undefined) {
      indexAtAcquisition = undefined;
    } else {
      indexAtAcquisition = r.decimal("indexAtAcquisition", feedDecimals, 2n ** 96n - 1n);
      if (indexAtAcquisition === 0n) {
        issues.add(
          r.path("indexAtAcquisition"),
          "must be positive (omit it to use book value only)",
        );
        indexAtAcquisition = undefined;
      }
    }
  }
  if (
    model === undefined ||
    count === undefined ||
    unitCost === undefined ||
    unitCost === 0n ||
    unitResidual === undefined ||
    unitResidual > unitCost ||
    acquiredAt === undefined ||
    life === undefined ||
    life === null ||
    method === undefined ||
    yearlyRate === undefined ||
    indexAtAcquisition === undefined
  ) {
    return undefined;
  }
  return {
    model,
    count,
    unitCost,
    unitResidual,
    acquiredAt,
    usefulLife: Number(life),
    method,
    yearlyRate,
    indexAtAcquisition,
  };
}

function parsePriceFeed(
  v: unknown,
  addresses: Readonly<Record<string, Address>>,
  issues: Issues,
): PriceFeedTerms | undefined {
  const path = "risk.priceFeed";
  if (!isRecord(v)) {
    issues.add(path, "must be an object { address, decimals, maxStalenessHours }");
    return undefined;
  }
  const r = new Reader(v, path, issues);
  r.rejectUnknown(["address", "decimals", "maxStalenessHours", "maxStaleness", "notes"]);
  const feed = r.address("address", addresses);
  let decimals = r.integer("decimals", U8);
  if (decimals !== undefined && decimals > MAX_DECIMALS) {
    issues.add(r.path("decimals"), `must be at most ${MAX_DECIMALS}`);
    decimals = undefined;
  }
  const staleness = durationIn(r, issues, "maxStaleness", "maxStalenessHours", 3_600n);
  if (staleness === undefined)
    issues.add(r.path("maxStalenessHours"), "is required (or maxStaleness)");
  if (feed === undefined || decimals === undefined || staleness === undefined || staleness === null)
    return undefined;
  return { feed, decimals, maxStaleness: Number(staleness) };
}

/**
 * The `risk` section: covenants, the fleet and the price feed, checked as `TermSheetLib._validateRisk` and
 * `RiskTermsLib` do. Absent: {@link DEFAULT_RISK_TERMS}.
 */
function parseRiskTerms(
  v: unknown,
  decimals: number | undefined,
  now: bigint | undefined,
  addresses: Readonly<Record<string, Address>>,
  issues: Issues,
): RiskTerms | undefined {
  if (v === undefined) return DEFAULT_RISK_TERMS;
  const path = "risk";
  if (!isRecord(v)) {
    issues.add(path, "must be an object { trailingPeriods, triggers, fleet, priceFeed, … }");
    return undefined;
  }
  const before = issues.list.length;
  const obj = { ...v };
  // "cleanUpPercent" reads as the usual <base>Pct.
  if (obj.cleanUpPercent !== undefined) {
    if (obj.cleanUpPct !== undefined)
      issues.add("risk.cleanUpPercent", "give either cleanUpPercent or cleanUpPct");
    obj.cleanUpPct = obj.cleanUpPercent;
    delete obj.cleanUpPercent;
  }
  const r = new Reader(obj, path, issues);
  r.rejectUnknown([
    "trailingPeriods",
    "cleanUpPct",
    "cleanUpBps",
    "turbo",
    "waiverVotingDays",
    "waiverVotingPeriod",
    "priceFeed",
    "triggers",
    "fleet",
    "notes",
  ]);

  let trailingPeriods: number | undefined = DEFAULT_RISK_TERMS.trailingPeriods;
  if (r.has("trailingPeriods")) {
    trailingPeriods = r.integer("trailingPeriods", U16);
    if (
      trailingPeriods !== undefined &&
      (trailingPeriods === 0 || trailingPeriods > MAX_TRAILING_PERIODS)
    ) {
      issues.add(r.path("trailingPeriods"), `must be 1 to ${MAX_TRAILING_PERIODS}`);
      trailingPeriods = undefined;
    }
  }
  let cleanUpBps: bigint | undefined = 0n;
  if (r.has("cleanUpPct") || r.has("cleanUpBps")) {
    cleanUpBps = r.percent("cleanUp", "bps", U16);
    if (cleanUpBps !== undefined && cleanUpBps > BPS) {
      issues.add(
        r.path(
          v.cleanUpPercent !== undefined
            ? "cleanUpPercent"
            : r.has("cleanUpPct")
              ? "cleanUpPct"
              : "cleanUpBps",
        ),
        "must be at most 100 %",
      );
      cleanUpBps = undefined;
    }
  }
  const turboRaw = r.raw("turbo");
  if (turboRaw !== undefined && typeof turboRaw !== "boolean")
    issues.add(r.path("turbo"), "must be true or false");
  const waiver = durationIn(r, issues, "waiverVotingPeriod", "waiverVotingDays", 86_400n);

  const priceFeed = r.has("priceFeed")
    ? parsePriceFeed(r.raw("priceFeed"), addresses, issues)
    : DEFAULT_RISK_TERMS.priceFeed;
  const hasFeed = r.has("priceFeed");

  const triggers: TriggerTerms[] = [];
  if (r.has("triggers")) {
    const raw = r.raw("triggers");
    if (!Array.isArray(raw)) issues.add(r.path("triggers"), "must be an array");
    else {
      if (raw.length > MAX_TRIGGERS)
        issues.add(r.path("triggers"), `at most ${MAX_TRIGGERS} triggers`);
      raw.forEach((t, i) => {
        const parsed = parseTrigger(t, r.path(`triggers[${i}]`), issues);
        if (parsed) triggers.push(parsed);
      });
    }
  }
  const fleet: FleetEntryTerms[] = [];
  if (r.has("fleet")) {
    const raw = r.raw("fleet");
    if (!Array.isArray(raw)) issues.add(r.path("fleet"), "must be an array");
    else {
      if (raw.length > MAX_FLEET_ENTRIES)
        issues.add(r.path("fleet"), `at most ${MAX_FLEET_ENTRIES} entries`);
      raw.forEach((e, i) => {
        const parsed = parseFleetEntry(
          e,
          r.path(`fleet[${i}]`),
          decimals,
          priceFeed?.decimals,
          hasFeed,
          now,
          issues,
        );
        if (parsed) fleet.push(parsed);
      });
    }
  }
  if (issues.list.length > before) return undefined;
  return {
    trailingPeriods: trailingPeriods as number,
    cleanUpBps: Number(cleanUpBps),
    turbo: turboRaw === true,
    waiverVotingPeriod:
      waiver === undefined ? DEFAULT_RISK_TERMS.waiverVotingPeriod : Number(waiver),
    priceFeed: priceFeed as PriceFeedTerms,
    triggers,
    fleet,
  };
}

// ------------------------------------------------------------------ the term sheet

/**
 * Parses and validates a term sheet in the human JSON format.
 * @throws TermSheetError listing every problem found, each with its field path.
 */
export function parseTermSheet(
  json: unknown,
  options: ParseTermSheetOptions = {},
): ParsedTermSheet {
  const issues = new Issues();
  if (!isRecord(json))
    throw new TermSheetError([{ path: "", message: "a term sheet must be a JSON object" }]);
  const addresses = options.addresses ?? {};
  const r = new Reader(json, "", issues);
  r.rejectUnknown([
    "$schema",
    "name",
    "notes",
    "stablecoin",
    "decimals",
    "issuer",
    "servicer",
    "trustee",
    "guardian",
    "offeringOpensAt",
    "offeringClosesAt",
    "start",
    "periodLength",
    "periodCount",
    "pledgedSharePct",
    "pledgedShareBps",
    "servicerFeePct",
    "servicerFeeBps",
    "trusteeFeePerPeriod",
    "reserveTarget",
    "keeperBounty",
    "oracle",
    "risk",
    "tranches",
    "collateral",
  ]);
  // The reporters moved into the oracle terms: say where, rather than only "unknown field".
  for (const [old, moved] of [
    ["reporters", "oracle.reporters"],
    ["reportThreshold", "oracle.threshold"],
  ] as const) {
    if (r.has(old)) {
      const i = issues.list.findIndex((x) => x.path === old);
      issues.list[i] = { path: old, message: `moved to ${moved}` };
    }
  }

  const name = r.string("name", { optional: true });
  const notes = joinNotes(json.notes);
  if (json.notes !== undefined && notes === undefined)
    issues.add("notes", "must be a string or an array of strings");

  let decimals: number | undefined = options.decimals;
  if (decimals === undefined) decimals = r.integer("decimals", U8);
  if (decimals !== undefined && decimals > MAX_DECIMALS) {
    issues.add("decimals", `must be at most ${MAX_DECIMALS}`);
    decimals = undefined;
  }

  const stablecoin = r.address("stablecoin", addresses);
  const issuer = r.address("issuer", addresses);
  const servicer = r.address("servicer", addresses);
  const trustee = r.address("trustee", addresses);
  const guardian = r.address("guardian", addresses);

  const times: Record<"offeringOpensAt" | "offeringClosesAt" | "start", bigint | undefined> = {
    offeringOpensAt: undefined,
    offeringClosesAt: undefined,
    start: undefined,
  };
  for (const key of ["offeringOpensAt", "offeringClosesAt", "start"] as const) {
    if (!r.has(key)) {
      issues.add(key, "is required");
      continue;
    }
    const t = parseTime(r.raw(key), options.now);
    if (typeof t === "string") issues.add(key, t);
    else if (t > U64) issues.add(key, "is too large for uint64");
    else times[key] = t;
  }
  const { offeringOpensAt, offeringClosesAt, start } = times;
  if (
    offeringOpensAt !== undefined &&
    offeringClosesAt !== undefined &&
    offeringOpensAt >= offeringClosesAt
  ) {
    issues.add("offeringClosesAt", "must be after offeringOpensAt");
  }
  if (
    offeringClosesAt !== undefined &&
    options.now !== undefined &&
    offeringClosesAt <= options.now
  ) {
    issues.add("offeringClosesAt", "is not in the future");
  }
  if (start !== undefined && offeringClosesAt !== undefined && start < offeringClosesAt) {
    issues.add("start", "must not be before offeringClosesAt");
  }

  let periodLength: number | undefined;
  if (!r.has("periodLength")) issues.add("periodLength", "is required");
  else {
    const d = parseDuration(r.raw("periodLength"));
    if (typeof d === "string") issues.add("periodLength", d);
    else if (d === 0n) issues.add("periodLength", "must be positive");
    else if (d > U32) issues.add("periodLength", "is too large for uint32 seconds");
    else periodLength = Number(d);
  }
  let periodCount = r.integer("periodCount", U16);
  if (periodCount === 0) {
    issues.add("periodCount", "must be at least 1");
    periodCount = undefined;
  }

  if (start !== undefined && periodLength !== undefined && periodCount !== undefined) {
    // Every period end must fit the deal's 64-bit timestamps (TermSheetLib refuses it as a Start error).
    if (start + BigInt(periodCount) * BigInt(periodLength) > U64) {
      issues.add("start", "the last period would end beyond 2^64 − 1 seconds");
    }
  }

  const pledged = r.percent("pledgedShare", "bps", U16);
  if (pledged !== undefined && (pledged === 0n || pledged > BPS)) {
    issues.add(
      r.has("pledgedSharePct") ? "pledgedSharePct" : "pledgedShareBps",
      "must be above 0 and at most 100 %",
    );
  }
  const servicerFee = r.percent("servicerFee", "bps", U16);
  if (servicerFee !== undefined && servicerFee > BPS) {
    issues.add(
      r.has("servicerFeePct") ? "servicerFeePct" : "servicerFeeBps",
      "must be at most 100 %",
    );
  }
  const trusteeFeePerPeriod =
    decimals === undefined ? undefined : r.decimal("trusteeFeePerPeriod", decimals, U128);
  const reserveTarget =
    decimals === undefined ? undefined : r.decimal("reserveTarget", decimals, U128);

  const keeperBounty =
    decimals === undefined ? undefined : r.decimal("keeperBounty", decimals, U128);
  const oracle = parseOracleTerms(r.raw("oracle"), decimals, addresses, issues);
  const risk = parseRiskTerms(r.raw("risk"), decimals, options.now, addresses, issues);

  const tranches: TrancheTerms[] = [];
  const rawTranches = r.raw("tranches");
  if (!Array.isArray(rawTranches)) issues.add("tranches", "must be an array");
  else {
    if (rawTranches.length < 2 || rawTranches.length > MAX_TRANCHES) {
      issues.add(
        "tranches",
        `needs 2 to ${MAX_TRANCHES} tranches (notes by rank, then one equity)`,
      );
    }
    rawTranches.forEach((v, i) => {
      const t = parseTranche(v, i, i === rawTranches.length - 1, decimals, periodCount, issues);
      if (t) tranches.push(t);
    });
  }
  if (issues.list.length > 0) throw new TermSheetError(issues.list);
  // Every field is defined when no issue was recorded.
  return {
    name,
    notes,
    decimals: decimals as number,
    terms: {
      stablecoin: stablecoin as Address,
      issuer: issuer as Address,
      servicer: servicer as Address,
      trustee: trustee as Address,
      guardian: guardian as Address,
      offeringOpensAt: offeringOpensAt as bigint,
      offeringClosesAt: offeringClosesAt as bigint,
      start: start as bigint,
      periodLength: periodLength as number,
      periodCount: periodCount as number,
      pledgedShareBps: Number(pledged),
      servicerFeeBps: Number(servicerFee),
      trusteeFeePerPeriod: trusteeFeePerPeriod as bigint,
      reserveTarget: reserveTarget as bigint,
      keeperBounty: keeperBounty as bigint,
      oracle: oracle as OracleTerms,
      risk: risk as RiskTerms,
      tranches,
    },
  };
}
