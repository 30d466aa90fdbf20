/**
 * The stress engine's scenario file: every parameter of the market a deal's paths are drawn from (rental price,
 * utilization, the crypto market behind the servicer, recoveries), versioned, in human units (per cent, US dollars,
 * years). `docs/stress.md` documents each field and the calibration of the default. Pure: no viem, no Node.
 */
import { z } from "zod/v4";

import defaultScenarioJson from "./scenarios/h100-2026.json" with { type: "json" };

/** The version of the scenario format this engine reads. */
export const SCENARIO_VERSION = 1;

const pct = z.number().finite();
const nonNegative = z.number().finite().min(0);

const utilizationSchema = z.strictObject({
  /** Utilization at the start, per cent (a live deal starts from its last report's). */
  initialPct: pct.min(0).max(100),
  /** The level it reverts to, per cent. */
  meanPct: pct.min(0).max(100),
  /** Speed of mean reversion, per year (3: a gap closes by about 1 − e^(−3/12) ≈ 22 % a month). */
  reversionPerYear: nonNegative.max(100),
  /** Volatility of utilization, percentage points a year (√year scaling). */
  volatilityPctPerYear: nonNegative.max(100),
  /** Correlation of utilization shocks with rental-price shocks, −1…1. */
  correlationWithPrice: z.number().min(-1).max(1).default(0),
  /** A tenant lost: a jump down, at a yearly rate. */
  tenantLossPerYear: nonNegative.max(24),
  /** Percentage points lost with a tenant. */
  tenantLossPct: pct.min(0).max(100),
  minPct: pct.min(0).max(100).default(0),
  maxPct: pct.min(0).max(100).default(100),
});

const servicerSchema = z.strictObject({
  /** Yearly rate of a servicer shortfall starting with the crypto market at its peak. */
  shortfallPerYear: nonNegative.max(24),
  /** Added yearly rate per unit of crypto drawdown (1: a 50 % drawdown adds 0.5 a year). */
  drawdownSensitivityPerYear: nonNegative.max(100),
  /** Share of the pledged collections the servicer keeps back in a shortfall period, per cent. */
  shortfallSeverityPct: pct.min(0).max(100),
  /** Probability a shortfall goes on into the next period. */
  persistence: z.number().min(0).max(1),
});

/** A rental-price process: geometric Brownian motion with a yearly drift and volatility, floored. */
export const priceMarketSchema = z.strictObject({
  /** Matched against the deal: `"kWh"` for a data-center deal, else a text found in the fleet's model or the deal's name. */
  match: z.array(z.string().min(1)).min(1),
  /** Price per billed unit-hour (GPU-hour or kWh) at the start of the simulation, US dollars. */
  price: z.number().positive(),
  /** Expected yearly change of the price, per cent (−30: the median path loses 30 % a year). */
  driftPctPerYear: pct.min(-99).max(500),
  /** Volatility of the price's logarithm, per cent a year. */
  volatilityPctPerYear: nonNegative.max(300),
  /** The price never falls below this, US dollars per unit-hour (0: no floor). */
  floor: nonNegative.default(0),
  /** This market's own utilization parameters, over the scenario's (e.g. a data center's occupancy). */
  utilization: utilizationSchema.partial().optional(),
  /** This market's own servicer parameters, over the scenario's (a data-center operator is not a crypto miner). */
  servicer: servicerSchema.partial().optional(),
  notes: z.string().optional(),
});

export const scenarioSchema = z.strictObject({
  $schema: z.string().optional(),
  version: z.literal(SCENARIO_VERSION),
  name: z.string().min(1),
  notes: z.union([z.string(), z.array(z.string())]).optional(),
  markets: z.array(priceMarketSchema).min(1),
  utilization: utilizationSchema,
  crypto: z.strictObject({
    /** Expected yearly change of the crypto market (the servicer's balance sheet), per cent. */
    driftPctPerYear: pct.min(-99).max(500),
    volatilityPctPerYear: nonNegative.max(300),
    /** Correlation of crypto shocks with rental-price shocks, −1…1. */
    correlationWithPrice: z.number().min(-1).max(1),
  }),
  servicer: servicerSchema,
  reporting: z
    .strictObject({
      /** Probability a period goes unreported (the oracle marks it; the waterfall then distributes every collection). */
      missedReportProbability: z.number().min(0).max(1),
    })
    .default({ missedReportProbability: 0 }),
  recovery: z.strictObject({
    /** Sale price below the index-implied value of the collateral after an event of default, per cent. */
    accelerationHaircutPct: pct.min(0).max(100),
    /** Periods from the event of default to the sale's proceeds (recovery timing). */
    saleLagPeriods: z.number().int().min(0).max(120),
    /** Sale price below the index-implied value when the collateral is sold at final maturity, per cent. */
    maturityHaircutPct: pct.min(0).max(100),
  }),
  site: z
    .strictObject({
      /** A data-center deal reports this PUE every period. */
      pue: z.number().min(1).max(3),
    })
    .default({ pue: 1.3 }),
  deterministic: z
    .strictObject({
      /** The named rental-price declines, per cent a year. */
      declinesPctPerYear: z.array(pct.min(0).max(99)).default([20, 30, 40]),
      /** Utilization collapse: it falls to this level, per cent… */
      collapseToPct: pct.min(0).max(100).default(20),
      /** …from this period of the simulation on. */
      collapseAtPeriod: z.number().int().min(0).default(3),
      /** Crypto crash: the servicer keeps back this share of the pledged collections, per cent… */
      crashShortfallPct: pct.min(0).max(100).default(50),
      /** …from this period… */
      crashAtPeriod: z.number().int().min(0).default(3),
      /** …for this many periods. */
      crashPeriods: z.number().int().min(1).default(6),
    })
    .default({
      declinesPctPerYear: [20, 30, 40],
      collapseToPct: 20,
      collapseAtPeriod: 3,
      crashShortfallPct: 50,
      crashAtPeriod: 3,
      crashPeriods: 6,
    }),
  report: z
    .strictObject({
      /** Equity IRRs whose probability is reported, per cent (besides the term sheet's own hurdles). */
      equityHurdlesPct: z.array(pct).default([0, 10, 15, 20]),
    })
    .default({ equityHurdlesPct: [0, 10, 15, 20] }),
});

export type ScenarioJson = z.input<typeof scenarioSchema>;
export type Scenario = z.output<typeof scenarioSchema>;
export type PriceMarket = z.output<typeof priceMarketSchema>;

/** A scenario file that does not parse: every problem with its field path. */
export class ScenarioError extends Error {
  override name = "ScenarioError";
  readonly issues: readonly { path: string; message: string }[];
  constructor(issues: readonly { path: string; message: string }[]) {
    super(
      `invalid scenario (${issues.length} problem${issues.length === 1 ? "" : "s"}):\n` +
        issues.map((i) => `  - ${i.path || "(file)"}: ${i.message}`).join("\n"),
    );
    this.issues = issues;
  }
}

/**
 * Parses and validates a scenario file.
 * @throws ScenarioError listing every problem (field path and what was expected).
 */
export function parseScenario(json: unknown): Scenario {
  const r = scenarioSchema.safeParse(json);
  if (r.success) {
    if (r.data.utilization.minPct > r.data.utilization.maxPct)
      throw new ScenarioError([{ path: "utilization.minPct", message: "above maxPct" }]);
    return r.data;
  }
  throw new ScenarioError(
    r.error.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message })),
  );
}

/** The default scenario (`sdk/stress/scenarios/h100-2026.json`): H100 prices calibrated to 2023–2026. */
export const DEFAULT_SCENARIO: Scenario = parseScenario(defaultScenarioJson);
