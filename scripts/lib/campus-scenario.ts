/**
 * The demo's market for the Columbus campus of `examples/campus-10mw.json` and its two GPU tenants
 * (`examples/b200-datacenter.json`, `examples/h100-campus.json`), period by period: what each GPU hall bills and
 * deposits, and what the campus's reporters sign — kWh of IT capacity available and billed (the kW each tenant
 * leases × hours), the facility's energy and PUE from the revenue meters, what the other tenants were billed (rent
 * and power at cost) and, in three periods, an appraisal. Every figure is in the stablecoin's base units (6 decimals)
 * or in kWh; the demo turns them into reports and deposits, and the SDK computes everything else.
 *
 * The story: the B200 hall runs as its term sheet expects. The H100 hall's customers leave from period 11 while H100
 * rental prices fall (newer GPUs ship): its revenue collapses below its rent, its notes default and at its maturity
 * (period 18) its GPUs are sold and the hall stands empty for a period; an inference provider re-lets it from period
 * 20. Meanwhile 800 kW of colocation are leased from period 12.
 */
import { WaterfallMath } from "../../sdk/index.js";
import type { PeriodMarket } from "./h100-scenario.js";

const USD = 1_000_000n;
/** Hours in a 30-day period. */
export const HOURS = 720n;
/** The campus's critical IT capacity (kW). */
export const CAMPUS_KW = 10_000n;
/** What the campus pays its utility, passed through at cost: 7.13 cents per kWh (stablecoin units per kWh). */
export const TARIFF = 71_300n;
/** A report's PUE is facility energy / IT energy × this (the oracle's `PUE_SCALE`). */
export const PUE_SCALE = 10_000n;
/** Periods the campus runs in the demo before it is sold. */
export const CAMPUS_PERIODS = 24;

/** A GPU hall's IT load as a share of its nameplate: servers idle at about 45 % of peak power, full at 95 %. */
function gpuLoadBps(utilizationBps: number): bigint {
  return 4_500n + BigInt(utilizationBps) / 2n;
}

// ------------------------------------------------------------------ the GPU halls

/** B200 utilization per period (bps): the reserved-capacity contract ramps from 72 % to 85 %. */
export const B200_UTILIZATION_BPS = [
  7_200, 7_500, 7_700, 7_900, 8_000, 8_000, 8_100, 8_100, 8_200, 8_200, 8_200, 8_300, 8_300, 8_300,
  8_400, 8_400, 8_400, 8_400, 8_500, 8_500, 8_500, 8_500, 8_500, 8_500,
];
/** The B200 contract's price: $4.20 per billed GPU-hour. */
export const B200_PRICE = 4_200_000n;
/** The B200 rental-price index at period `p`'s end (8 decimals): $4.80 at delivery, 0.5 % lower each period. */
export function b200Index(period: number): bigint {
  return BigInt(Math.round(480 * 0.995 ** (period + 1))) * 1_000_000n;
}

/** H100 utilization per period (bps): 85 % for ten periods, then the customers leave. */
export const H100_UTILIZATION_BPS = [
  8_500, 8_500, 8_500, 8_500, 8_500, 8_500, 8_500, 8_500, 8_500, 8_500, 7_000, 5_200, 3_600, 2_500,
  1_800, 1_400, 1_200, 1_000,
];
/** H100 price per billed GPU-hour: $2.10, 2 cents lower each period, then 12 cents lower from period 11. */
export function h100Price(period: number): bigint {
  const cents = period < 10 ? 210 - 2 * period : Math.max(100, 190 - 12 * (period - 9));
  return BigInt(cents) * 10_000n;
}

/** A GPU hall's periods: GPU-hours, revenue, and the pledged share the servicer deposits. */
function gpuMarket(
  gpus: bigint,
  utilizationBps: readonly number[],
  price: (period: number) => bigint,
  pledgedShareBps: number,
): PeriodMarket[] {
  const available = gpus * HOURS;
  return utilizationBps.map((u, period) => {
    const gpuHoursBilled = (available * BigInt(u)) / 10_000n;
    const p = price(period);
    const revenue = gpuHoursBilled * p;
    return {
      period,
      gpuHoursAvailable: available,
      gpuHoursBilled,
      price: p,
      revenue,
      deposit: WaterfallMath.bpsOfDown(revenue, pledgedShareBps),
      note: "",
    };
  });
}

export function b200Market(gpus: number, pledgedShareBps: number): PeriodMarket[] {
  return gpuMarket(BigInt(gpus), B200_UTILIZATION_BPS, () => B200_PRICE, pledgedShareBps);
}

export function h100Market(gpus: number, pledgedShareBps: number): PeriodMarket[] {
  return gpuMarket(BigInt(gpus), H100_UTILIZATION_BPS, h100Price, pledgedShareBps);
}

// ------------------------------------------------------------------ the campus

/** A lease of the campus: `kw` of IT capacity from period `from` to `to` (0-based, inclusive). */
export interface Lease {
  tenant: string;
  kw: bigint;
  from: number;
  to: number;
  /** Off-chain tenants: rent per kW per period (a month's rent each 30-day period). GPU deals pay on chain. */
  ratePerKw?: bigint;
  /** Off-chain tenants' IT load as a share of the kW leased (bps). */
  loadBps?: bigint;
}

/** The GPU deals' halls: their rent is on chain, their load follows their utilization. */
export const B200_HALL: Lease = { tenant: "B200 hall", kw: 1_600n, from: 0, to: 23 };
export const H100_HALL: Lease = { tenant: "H100 hall", kw: 4_000n, from: 0, to: 17 };

/** The other tenants, who pay the operator off chain; the operator reports and deposits what they were billed. */
export const OTHER_LEASES: readonly Lease[] = [
  {
    tenant: "enterprise cloud",
    kw: 3_000n,
    from: 0,
    to: 23,
    ratePerKw: 150n * USD,
    loadBps: 7_000n,
  },
  { tenant: "colocation", kw: 600n, from: 0, to: 23, ratePerKw: 184n * USD, loadBps: 7_000n },
  { tenant: "colocation lease-up", kw: 800n, from: 11, to: 23, ratePerKw: 184n * USD, loadBps: 7_000n }, // prettier-ignore
  { tenant: "inference provider", kw: 4_000n, from: 19, to: 23, ratePerKw: 180n * USD, loadBps: 7_000n }, // prettier-ignore
];

/** Appraisals the reporters sign, by period: the campus's value as an independent appraiser puts it. */
export const APPRAISALS: ReadonlyMap<number, { value: bigint; basis: string }> = new Map([
  [
    0,
    {
      value: 176_000_000n * USD,
      basis: "as stabilized: NOI about $13.2M a year at a 7.5 % cap rate",
    },
  ],
  [
    18,
    {
      value: 106_000_000n * USD,
      basis: "as is, the 4.0 MW hall dark: NOI about $8.5M a year at 8.0 %",
    },
  ],
  [22, { value: 192_000_000n * USD, basis: "as re-let: NOI about $14.4M a year at 7.5 %" }],
]);

/** One line of what the other tenants were billed. */
export interface TenantBill {
  tenant: string;
  kw: bigint;
  rent: bigint;
  itKwh: bigint;
  power: bigint;
}

/** What the campus's reporters sign for a period and what the operator deposits. */
export interface CampusMarket {
  period: number;
  /** kWh of IT capacity: 10,000 kW × the period's hours. */
  capacityAvailable: bigint;
  /** kWh billed: the kW leased (GPU halls included) × hours. */
  capacityBilled: bigint;
  /** IT energy drawn by every tenant (kWh). */
  itKwh: bigint;
  /** Facility energy / IT energy × {@link PUE_SCALE}. */
  pue: bigint;
  /** Facility energy drawn (kWh): IT energy × PUE. */
  energyKwh: bigint;
  /** What the other tenants were billed (rent and power): the report's revenue, deposited in full. */
  revenue: bigint;
  deposit: bigint;
  /** The appraisal the reporters sign this period (0: none). */
  appraisal: bigint;
  appraisalBasis: string;
  bills: TenantBill[];
  /** The kW each GPU hall leases (0 once it is empty). */
  gpuHallKw: { b200: bigint; h100: bigint };
  note: string;
}

/**
 * PUE at a period's end, by season: 1.28 on average, 0.06 higher in mid-July (free cooling off, chillers working
 * hardest) and 0.06 lower in mid-January; × {@link PUE_SCALE}, rounded. The season is counted in days of 365 from
 * `newYear`, a 1 January (so the figures do not depend on leap years).
 */
export function seasonalPue(periodEnd: bigint, newYear: bigint): bigint {
  const day = Number((periodEnd - newYear) % (365n * 86_400n)) / 86_400;
  const pue = 1.28 + 0.06 * Math.cos((2 * Math.PI * (day - 196)) / 365);
  return BigInt(Math.round(pue * 10_000));
}

/** The first 1 January (00:00 UTC) at or after `time`. */
export function nextNewYear(time: bigint): bigint {
  const year = new Date(Number(time) * 1000).getUTCFullYear();
  const thisYear = BigInt(Date.UTC(year, 0, 1) / 1000);
  return thisYear >= time ? thisYear : BigInt(Date.UTC(year + 1, 0, 1) / 1000);
}

const active = (l: Lease, period: number) => period >= l.from && period <= l.to;

/**
 * The campus's periods. `b200` and `h100` are the GPU halls' markets (their utilization sets their IT load);
 * `periodEnd(p)` dates each period for its season, counted from `newYear`.
 */
export function campusMarket(
  b200: readonly PeriodMarket[],
  h100: readonly PeriodMarket[],
  periodEnd: (period: number) => bigint,
  newYear: bigint,
): CampusMarket[] {
  return Array.from({ length: CAMPUS_PERIODS }, (_, period) => {
    const pue = seasonalPue(periodEnd(period), newYear);
    const bills: TenantBill[] = OTHER_LEASES.filter((l) => active(l, period)).map((l) => {
      const itKwh = (l.kw * HOURS * (l.loadBps ?? 0n)) / 10_000n;
      return {
        tenant: l.tenant,
        kw: l.kw,
        rent: l.kw * (l.ratePerKw ?? 0n),
        itKwh,
        power: (itKwh * pue * TARIFF) / PUE_SCALE,
      };
    });
    let itKwh = bills.reduce((a, b) => a + b.itKwh, 0n);
    let billedKw = bills.reduce((a, b) => a + b.kw, 0n);
    const gpuHallKw = { b200: 0n, h100: 0n };
    for (const [hall, market, key] of [
      [B200_HALL, b200, "b200"],
      [H100_HALL, h100, "h100"],
    ] as const) {
      if (!active(hall, period)) continue;
      const m = market[period];
      const u = Number((m.gpuHoursBilled * 10_000n) / m.gpuHoursAvailable);
      itKwh += (hall.kw * HOURS * gpuLoadBps(u)) / 10_000n;
      billedKw += hall.kw;
      gpuHallKw[key] = hall.kw;
    }
    const revenue = bills.reduce((a, b) => a + b.rent + b.power, 0n);
    const appraisal = APPRAISALS.get(period);
    const notes = [
      period === H100_HALL.to + 1 ? "the H100 hall is empty" : "",
      period === 11 ? "800 kW of colocation leased" : "",
      period === 19 ? "an inference provider re-lets the H100 hall" : "",
    ].filter((n) => n !== "");
    return {
      period,
      capacityAvailable: CAMPUS_KW * HOURS,
      capacityBilled: billedKw * HOURS,
      itKwh,
      pue,
      energyKwh: (itKwh * pue) / PUE_SCALE,
      revenue,
      deposit: revenue,
      appraisal: appraisal?.value ?? 0n,
      appraisalBasis: appraisal?.basis ?? "",
      bills,
      gpuHallKw,
      note: notes.join(" · "),
    };
  });
}
