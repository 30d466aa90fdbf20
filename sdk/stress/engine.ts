/**
 * The Monte Carlo run and its report: paths drawn from the scenario with per-path seeds, run through the fast path,
 * summarized per path ({@link PathBlock}) and aggregated in path order — the same numbers whatever splits the paths
 * (one thread or several workers, `./parallel.ts`). Pure: no viem, no Node; runs in a browser.
 */
import { FastPath } from "./fast.js";
import { newMarketPath, sampleMarket } from "./market.js";
import { Rng } from "./rng.js";
import type { StressSetup } from "./setup.js";
import { newPathBlock, summarize, type PathBlock } from "./summary.js";

export interface MonteCarloOptions {
  /** Paths to draw (default 10,000). */
  paths?: number;
  /** Seed of the run (default 1): path p draws from a generator seeded with (seed, p). */
  seed?: number;
}

/** Runs paths `from … from + count − 1` of a run seeded with `seed` through the fast path. */
export function runPaths(
  s: StressSetup,
  seed: number,
  from: number,
  count: number,
  onProgress?: (done: number) => void,
): PathBlock {
  const fast = new FastPath(s);
  const market = newMarketPath(s.periods);
  const block = newPathBlock(s, from, count);
  const cf = new Float64Array(s.periods + 1);
  for (let k = 0; k < count; k++) {
    const p = from + k;
    sampleMarket(s, Rng.forPath(seed, p), market);
    summarize(s, fast.run(market), block, p, cf);
    if (onProgress !== undefined && (k + 1) % 256 === 0) onProgress(k + 1);
  }
  onProgress?.(count);
  return block;
}

/** Joins blocks of consecutive paths, in path order. */
export function joinBlocks(s: StressSetup, blocks: readonly PathBlock[]): PathBlock {
  const sorted = [...blocks].sort((a, b) => a.from - b.from);
  const count = sorted.reduce((a, b) => a + b.count, 0);
  const out = newPathBlock(s, sorted[0]?.from ?? 0, count);
  let at = 0;
  for (const b of sorted) {
    for (const key of Object.keys(out) as (keyof PathBlock)[]) {
      const dst = out[key];
      const src = b[key];
      if (typeof dst === "number" || typeof src === "number") continue;
      const width = src.length / b.count;
      (dst as Float64Array).set(src as Float64Array, at * width);
    }
    at += b.count;
  }
  return out;
}

/** Percentiles of a sample (nearest rank on the sorted finite values; NaN when none). */
export interface Percentiles {
  p5: number;
  p25: number;
  p50: number;
  p75: number;
  p95: number;
}

export function percentiles(values: ArrayLike<number>): Percentiles {
  // A typed array sorts numbers natively (no comparator); NaN is dropped first.
  const v = new Float64Array(values.length);
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    if (x === x) v[n++] = x;
  }
  const sorted = v.subarray(0, n).sort();
  const at = (q: number) => (n === 0 ? Number.NaN : sorted[Math.min(n - 1, Math.floor(q * n))]);
  return { p5: at(0.05), p25: at(0.25), p50: at(0.5), p75: at(0.75), p95: at(0.95) };
}

export interface TrancheRisk {
  name: string;
  /** Principal at risk at the start (face of a term sheet's note), base units. */
  basis: number;
  /** Probability of any loss of principal. */
  defaultProbability: number;
  /** Expected loss, a fraction of the basis, and its standard error. */
  expectedLoss: number;
  expectedLossStdError: number;
  /** Loss given default: mean loss on the paths with a loss (NaN: none). */
  lossGivenDefault: number;
  /** Expected weighted-average life, years. */
  wal: number;
  irr: Percentiles;
  /** Loss histogram: 20 bins of 5 % of the basis (bin 0: losses above 0 and up to 5 %); `none`: paths without loss. */
  lossHistogram: number[];
  none: number;
}

export interface EquityRisk {
  classes: { name: string; capital: number; irr: Percentiles }[];
  /** All equity together. */
  irr: Percentiles;
  /** The LP classes together (every class but the sponsor's). */
  lpIrr: Percentiles;
  /** Probability the LP classes' IRR reaches each hurdle. */
  hurdles: { label: string; rate: number; probability: number }[];
  /** Equity cash as a multiple of capital: mean. */
  meanMultiple: number;
}

export interface TriggerRisk {
  label: string;
  accelerates: boolean;
  /** Probability it fires at least once. */
  probability: number;
  /** `firstFired[t]`: paths on which it first fired in simulated period t. */
  firstFired: number[];
  /** Median first period among the paths where it fired (NaN: never). */
  medianPeriod: number;
}

export interface StressReport {
  deal: string;
  scenario: string;
  market: string;
  seed: number;
  paths: number;
  /** First simulated period (0 for a term sheet) and how many. */
  firstPeriod: number;
  periods: number;
  /** Years per period. */
  periodYears: number;
  /** 10^decimals of the stablecoin: divide amounts by it for dollars. */
  unit: number;
  tranches: TrancheRisk[];
  equity: EquityRisk | undefined;
  triggers: TriggerRisk[];
  /** Probability the deal is accelerated. */
  accelerationProbability: number;
  leakage: {
    /** Mean equity cash paid before the first trigger fired, on paths where one fired, a fraction of equity capital. */
    beforeFirstTrigger: number;
    /** The same on paths where a note lost principal. */
    onLossPaths: number;
    /** Paths where a trigger fired / a note lost principal. */
    triggeredPaths: number;
    lossPaths: number;
  };
  /** Per period: percentiles of collateral value and of senior outstanding (base units). */
  fan: { collateral: Percentiles[]; senior: Percentiles[] };
}

/** Aggregates the paths of a run into its report (path order: the same figures whatever split the paths). */
export function aggregate(s: StressSetup, b: PathBlock, seed: number): StressReport {
  const P = b.count;
  const n = s.notes;
  const c = s.classes;
  const K = s.triggers.length;
  const T = s.periods;
  const col = (arr: ArrayLike<number>, width: number, j: number) => {
    const out = new Float64Array(P);
    for (let p = 0; p < P; p++) out[p] = arr[p * width + j];
    return out;
  };
  const tranches: TrancheRisk[] = [];
  let anyLoss = 0;
  const lossPath = new Uint8Array(P);
  for (let i = 0; i < n; i++) {
    const loss = col(b.loss, n, i);
    let sum = 0;
    let sum2 = 0;
    let hits = 0;
    const hist = new Array<number>(20).fill(0);
    for (let p = 0; p < P; p++) {
      const x = loss[p];
      sum += x;
      sum2 += x * x;
      if (x > 0) {
        hits++;
        lossPath[p] = 1;
        hist[Math.min(19, Math.floor((x * 100 - 1e-9) / 5))]++;
      }
    }
    const mean = sum / P;
    const variance = P > 1 ? (sum2 - P * mean * mean) / (P - 1) : 0;
    const walValues = col(b.wal, n, i).filter((x) => Number.isFinite(x));
    tranches.push({
      name: s.names[i],
      basis: s.basis[i],
      defaultProbability: hits / P,
      expectedLoss: mean,
      expectedLossStdError: Math.sqrt(Math.max(variance, 0) / P),
      lossGivenDefault: hits === 0 ? Number.NaN : sum / hits,
      wal:
        walValues.length === 0
          ? Number.NaN
          : walValues.reduce((a, x) => a + x, 0) / walValues.length,
      irr: percentiles(col(b.irr, n, i)),
      lossHistogram: hist,
      none: P - hits,
    });
  }
  for (let p = 0; p < P; p++) anyLoss += lossPath[p];
  let equity: EquityRisk | undefined;
  const capital = s.equityCapital.reduce((a, x) => a + x, 0);
  if (c > 0 && capital > 0) {
    const lp = b.lpIrr;
    equity = {
      classes: Array.from({ length: c }, (_, j) => ({
        name: s.names[n + j],
        capital: s.equityCapital[j],
        irr: percentiles(col(b.equityIrr, c + 1, j)),
      })),
      irr: percentiles(col(b.equityIrr, c + 1, c)),
      lpIrr: percentiles(lp),
      hurdles: s.hurdles.map((h) => {
        let met = 0;
        for (let p = 0; p < P; p++) if (lp[p] >= h.rate) met++;
        return { label: h.label, rate: h.rate, probability: met / P };
      }),
      meanMultiple: b.equityCash.reduce((a, x) => a + x, 0) / P / capital,
    };
  }
  const triggers: TriggerRisk[] = s.triggers.map((t, j) => {
    const first = new Array<number>(T).fill(0);
    const fired: number[] = [];
    for (let p = 0; p < P; p++) {
      const f = b.triggerFirst[p * K + j];
      if (f >= 0) {
        first[f]++;
        fired.push(f);
      }
    }
    fired.sort((x, y) => x - y);
    return {
      label: t.label,
      accelerates: t.accelerates,
      probability: fired.length / P,
      firstFired: first,
      medianPeriod: fired.length === 0 ? Number.NaN : fired[Math.floor(fired.length / 2)],
    };
  });
  let triggered = 0;
  let leakTriggered = 0;
  let leakLoss = 0;
  let accelerated = 0;
  for (let p = 0; p < P; p++) {
    if (b.accelerated[p] >= 0) accelerated++;
    if (b.firstTrigger[p] >= 0) {
      triggered++;
      leakTriggered += b.leakage[p];
    }
    if (lossPath[p] === 1) leakLoss += b.leakage[p];
  }
  const fan = { collateral: [] as Percentiles[], senior: [] as Percentiles[] };
  for (let t = 0; t < T; t++) {
    const cv = new Float64Array(P);
    const sv = new Float64Array(P);
    for (let p = 0; p < P; p++) {
      cv[p] = b.collateral[p * T + t];
      sv[p] = b.senior[p * T + t];
    }
    fan.collateral.push(percentiles(cv));
    fan.senior.push(percentiles(sv));
  }
  return {
    deal: s.deal.name,
    scenario: s.scenario.name,
    market: s.market.match[0],
    seed,
    paths: P,
    firstPeriod: s.first,
    periods: T,
    periodYears: s.dt,
    unit: s.unit,
    tranches,
    equity,
    triggers,
    accelerationProbability: accelerated / P,
    leakage: {
      beforeFirstTrigger:
        triggered === 0 || capital === 0 ? 0 : leakTriggered / triggered / capital,
      onLossPaths: anyLoss === 0 || capital === 0 ? 0 : leakLoss / anyLoss / capital,
      triggeredPaths: triggered,
      lossPaths: anyLoss,
    },
    fan,
  };
}

/** A Monte Carlo run on one thread (a browser, a test): `onProgress(done, total)` every 256 paths. */
export function monteCarlo(
  s: StressSetup,
  options: MonteCarloOptions = {},
  onProgress?: (done: number, total: number) => void,
): StressReport {
  const paths = options.paths ?? 10_000;
  const seed = options.seed ?? 1;
  if (!Number.isSafeInteger(paths) || paths < 1)
    throw new RangeError(`paths: ${paths} (a positive integer)`);
  const block = runPaths(s, seed, 0, paths, onProgress && ((d) => onProgress(d, paths)));
  return aggregate(s, block, seed);
}
