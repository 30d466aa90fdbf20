/**
 * XIRR: the internal rate of return of dated cash flows, as spreadsheets define it — annual compounding on an
 * actual/365 day count, the convention of the equity waterfall's hurdles (`docs/equity.md`): the rate `r` with
 *
 *   NPV(r) = Σ aᵢ · (1 + r)^(−(tᵢ − t₀) / 365 days) = 0,
 *
 * `t₀` the earliest flow. Used to report investors' realized IRRs and to check the waterfall's hurdles against an
 * independent computation. Floating point (IEEE doubles): amounts in base units are converted to numbers, which is
 * exact enough for a rate (about 1e-12 relative). Pure: imports nothing.
 */

/** One dated cash flow: negative paid in, positive received. `time` in unix seconds. */
export interface CashFlow {
  time: bigint | number;
  amount: bigint | number;
}

export interface XirrOptions {
  /** Where to look first when the flows have several rates of return (default 0.1 = 10 %). */
  guess?: number;
  /** Absolute tolerance on the rate (default 1e-12). */
  tolerance?: number;
  /** Most refinement steps (default 200). */
  maxIterations?: number;
}

/** Seconds in the actual/365 year. */
const YEAR_SECONDS = 365 * 86_400;

/** Rates scanned for a change of sign of the NPV, from −99.99 % to 1,000,000 % a year. */
const GRID = [
  -0.9999, -0.999, -0.99, -0.95, -0.9, -0.8, -0.7, -0.6, -0.5, -0.4, -0.3, -0.2, -0.15, -0.1, -0.05,
  0, 0.025, 0.05, 0.075, 0.1, 0.125, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.75, 1, 1.5, 2, 3, 5, 7.5, 10,
  20, 50, 100, 1_000, 10_000,
];

interface Prepared {
  years: number[];
  amounts: number[];
}

function prepare(flows: readonly CashFlow[]): Prepared {
  if (flows.length === 0) throw new RangeError("xirr: no cash flows");
  const times = flows.map((f) => Number(f.time));
  const raw = flows.map((f) => Number(f.amount));
  if (times.some((t) => !Number.isFinite(t)) || raw.some((a) => !Number.isFinite(a)))
    throw new RangeError("xirr: every time and amount must be finite");
  const t0 = Math.min(...times);
  // Scaled so the largest flow is 1: the NPV's magnitude then says how close to a root it is.
  const scale = Math.max(...raw.map(Math.abs));
  return {
    years: times.map((t) => (t - t0) / YEAR_SECONDS),
    amounts: raw.map((a) => (scale === 0 ? 0 : a / scale)),
  };
}

function npv(p: Prepared, rate: number): number {
  let sum = 0;
  for (let i = 0; i < p.amounts.length; i++) sum += p.amounts[i] * (1 + rate) ** -p.years[i];
  return sum;
}

/** dNPV/dr. */
function npvSlope(p: Prepared, rate: number): number {
  let sum = 0;
  for (let i = 0; i < p.amounts.length; i++)
    sum -= p.years[i] * p.amounts[i] * (1 + rate) ** (-p.years[i] - 1);
  return sum;
}

/**
 * The net present value of `flows` at `rate` (annual, actual/365), discounted to the earliest flow, in the flows'
 * own units.
 */
export function xnpv(rate: number, flows: readonly CashFlow[]): number {
  if (!(rate > -1)) throw new RangeError("xnpv: the rate must be above −100 %");
  const times = flows.map((f) => Number(f.time));
  const t0 = Math.min(...times);
  return flows.reduce(
    (sum, f, i) => sum + Number(f.amount) * (1 + rate) ** (-(times[i] - t0) / YEAR_SECONDS),
    0,
  );
}

/**
 * The internal rate of return of `flows` (annual compounding, actual/365; 0.15 = 15 % a year).
 *
 * Robust rather than fast: the NPV is evaluated on a grid of rates from −99.99 % to 1,000,000 % to find intervals
 * where it changes sign; the interval containing `guess` (or nearest to it) is then narrowed by Newton steps kept
 * inside the bracket, falling back to bisection whenever a step would leave it or converge too slowly, so it always
 * converges. Flows of a conventional investment (paid in first, received later) have exactly one rate.
 *
 * @throws RangeError when the flows do not contain both a payment and a receipt, or their NPV changes sign nowhere
 *   in the scanned range (no rate of return, or only a root where the NPV touches zero without crossing it).
 * @example
 * // 100 paid in, 115 back a year (365 days) later: 15 %.
 * xirr([{ time: 0, amount: -100 }, { time: 365 * 86_400, amount: 115 }]); // 0.15
 */
export function xirr(flows: readonly CashFlow[], options: XirrOptions = {}): number {
  const p = prepare(flows);
  if (!p.amounts.some((a) => a > 0) || !p.amounts.some((a) => a < 0))
    throw new RangeError("xirr: the flows need at least one payment and one receipt");
  if (p.years.every((y) => y === 0))
    throw new RangeError(
      "xirr: the flows need at least two dates (on one date the NPV has no rate)",
    );
  const guess = options.guess ?? 0.1;
  const tolerance = options.tolerance ?? 1e-12;
  const maxIterations = options.maxIterations ?? 200;

  // Brackets: consecutive grid rates (with the guess) where the NPV is finite and changes sign.
  const rates = [...new Set([...GRID, guess])].filter((r) => r > -1).sort((a, b) => a - b);
  const values = rates.map((r) => npv(p, r));
  // Each candidate: a grid rate where the NPV is exactly zero, or two neighbours where it changes sign.
  let best: [number, number, number, number] | undefined;
  let bestDistance = Infinity;
  const consider = (lo: number, hi: number, fLo: number, fHi: number) => {
    const distance = guess < lo ? lo - guess : guess > hi ? guess - hi : 0;
    if (distance < bestDistance) {
      best = [lo, hi, fLo, fHi];
      bestDistance = distance;
    }
  };
  for (let i = 0; i < rates.length; i++) {
    if (values[i] === 0) consider(rates[i], rates[i], 0, 0);
    if (i === 0 || !Number.isFinite(values[i - 1]) || !Number.isFinite(values[i])) continue;
    if (values[i - 1] === 0 || values[i] === 0) continue;
    if (Math.sign(values[i - 1]) !== Math.sign(values[i]))
      consider(rates[i - 1], rates[i], values[i - 1], values[i]);
  }
  if (best === undefined)
    throw new RangeError("xirr: the NPV changes sign nowhere from −99.99 % to 1,000,000 % a year");
  if (best[2] === 0) return best[0];

  // Safeguarded Newton (Numerical Recipes' rtsafe): `neg` is the end where the NPV is negative.
  let [neg, pos] = best[2] < 0 ? [best[0], best[1]] : [best[1], best[0]];
  let r = guess > best[0] && guess < best[1] ? guess : (best[0] + best[1]) / 2;
  let step = Math.abs(best[1] - best[0]);
  let previousStep = step;
  let f = npv(p, r);
  let slope = npvSlope(p, r);
  for (let i = 0; i < maxIterations; i++) {
    if (f === 0) return r;
    // Bisect when Newton would leave the bracket or would not halve the step of two iterations ago.
    const outside = ((r - pos) * slope - f) * ((r - neg) * slope - f) > 0;
    if (outside || !Number.isFinite(slope) || Math.abs(2 * f) > Math.abs(previousStep * slope)) {
      previousStep = step;
      step = (pos - neg) / 2;
      r = neg + step;
    } else {
      previousStep = step;
      step = f / slope;
      r -= step;
    }
    if (Math.abs(step) < tolerance) return r;
    f = npv(p, r);
    slope = npvSlope(p, r);
    if (f < 0) neg = r;
    else pos = r;
  }
  return r;
}
