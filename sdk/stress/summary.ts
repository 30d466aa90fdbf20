/**
 * What the engine keeps of each path (a few numbers per tranche, per class and per trigger, and the two series the
 * fan chart draws), in flat arrays a worker can hand back, and the per-path figures behind them: IRR, weighted-average
 * life, loss, equity leakage. Pure: no viem.
 */
import type { StressSetup } from "./setup.js";
import type { PathTrace } from "./trace.js";

/** Per-path results of paths `from … from + count − 1`, flat (`x[p·width + k]`). */
export interface PathBlock {
  from: number;
  count: number;
  /** Per note: principal lost, a fraction of its basis. */
  loss: Float64Array;
  /** Per note: weighted-average life of the principal it received, years (NaN: none received). */
  wal: Float64Array;
  /** Per note: yearly IRR of buying its basis at the start (−1: nothing received). */
  irr: Float64Array;
  /** Per equity class, then all equity together: yearly IRR on its capital. */
  equityIrr: Float64Array;
  /** The LP classes together (every class but the sponsor's; the one class of a single-class deal): yearly IRR. */
  lpIrr: Float64Array;
  /** Equity cash before the first trigger fired (all of it when none fired), base units. */
  leakage: Float64Array;
  /** Total equity cash, base units. */
  equityCash: Float64Array;
  /** Per trigger: first simulated period it fired (−1: never). */
  triggerFirst: Int32Array;
  /** First period any trigger fired (−1: none) and first period in the Accelerated order (−1: none). */
  firstTrigger: Int32Array;
  accelerated: Int32Array;
  /** Per period: collateral value and senior outstanding (single precision: for charts). */
  collateral: Float32Array;
  senior: Float32Array;
}

export function newPathBlock(s: StressSetup, from: number, count: number): PathBlock {
  const n = s.notes;
  const c = s.classes;
  return {
    from,
    count,
    loss: new Float64Array(count * n),
    wal: new Float64Array(count * n),
    irr: new Float64Array(count * n),
    equityIrr: new Float64Array(count * (c + 1)),
    lpIrr: new Float64Array(count),
    leakage: new Float64Array(count),
    equityCash: new Float64Array(count),
    triggerFirst: new Int32Array(count * s.triggers.length),
    firstTrigger: new Int32Array(count),
    accelerated: new Int32Array(count),
    collateral: new Float32Array(count * s.periods),
    senior: new Float32Array(count * s.periods),
  };
}

/**
 * Yearly IRR of flows `cf[0…len−1]` one period apart (`cf[0]` the investment, negative): the rate r of a period
 * solving Σ cf_k (1 + r)^−k = 0 by Newton's method from the flows' simple yield (bisection when Newton leaves its
 * bracket), to 1e-12, made yearly as (1 + r)^(periods a year) − 1. −1 when nothing comes back; NaN without an
 * investment.
 */
export function periodIrr(cf: Float64Array, len: number, periodsPerYear: number): number {
  if (!(cf[0] < 0)) return Number.NaN;
  let inflow = 0;
  let timed = 0;
  for (let k = 1; k < len; k++) {
    inflow += cf[k];
    timed += k * cf[k];
  }
  if (inflow <= 0) return -1;
  // NPV falls as r rises (one sign change: an investment, then receipts): keep a bracket [lo, hi] around the root.
  let lo = -0.999999;
  let hi = 1;
  while (npv(cf, len, hi) > 0 && hi < 1e6) hi *= 2;
  // Start from the simple yield over the flows' mean time.
  let r = Math.pow(inflow / -cf[0], timed > 0 ? inflow / timed : 1) - 1;
  if (!(r > lo && r < hi)) r = (lo + hi) / 2;
  for (let i = 0; i < 100; i++) {
    const x = 1 / (1 + r);
    let v = 0;
    let d = 0;
    for (let k = len - 1; k >= 0; k--) {
      d = d * x + k * cf[k];
      v = v * x + cf[k];
    }
    // v = NPV(r); dNPV/dr = −Σ k cf_k x^(k+1) = −x · d.
    if (v > 0) lo = r;
    else hi = r;
    const slope = -x * d;
    let next = slope < 0 ? r - v / slope : Number.NaN;
    if (!(next > lo && next < hi)) next = (lo + hi) / 2;
    if (Math.abs(next - r) < 1e-12 || hi - lo < 1e-12) {
      r = next;
      break;
    }
    r = next;
  }
  return Math.pow(1 + r, periodsPerYear) - 1;
}

function npv(cf: Float64Array, len: number, r: number): number {
  const x = 1 / (1 + r);
  let v = 0;
  for (let k = len - 1; k >= 0; k--) v = v * x + cf[k];
  return v;
}

/** Fills path `p` of `block` (absolute index) from its trace. `cf` is scratch of at least periods + 1. */
export function summarize(
  s: StressSetup,
  trace: PathTrace,
  block: PathBlock,
  p: number,
  cf: Float64Array,
): void {
  const k = p - block.from;
  const n = s.notes;
  const c = s.classes;
  const T = s.periods;
  const ppy = 1 / s.dt;
  for (let i = 0; i < n; i++) {
    let principal = 0;
    let weighted = 0;
    cf[0] = -s.basis[i];
    for (let t = 0; t < T; t++) {
      const x = trace.notePrincipal[t * n + i];
      principal += x;
      weighted += x * (t + 1) * s.dt;
      cf[t + 1] = trace.notePaid[t * n + i];
    }
    const lost = s.basis[i] - principal;
    block.loss[k * n + i] = s.basis[i] === 0 ? 0 : lost > 0 ? lost / s.basis[i] : 0;
    block.wal[k * n + i] = principal === 0 ? Number.NaN : weighted / principal;
    block.irr[k * n + i] = periodIrr(cf, T + 1, ppy);
  }
  // Equity: each class, all together, the LP classes.
  const cw = Math.max(c, 1);
  const sponsor = c > 1 ? s.deal.terms.equity.sponsorClass : -1;
  let first = -1;
  for (let j = 0; j < s.triggers.length; j++) {
    const f = trace.triggerFirst[j];
    block.triggerFirst[k * s.triggers.length + j] = f;
    if (f >= 0 && (first < 0 || f < first)) first = f;
  }
  block.firstTrigger[k] = first;
  block.accelerated[k] = trace.accelerated;
  let leak = 0;
  let total = 0;
  for (let t = 0; t < T; t++) {
    let x = 0;
    for (let j = 0; j < cw; j++) x += trace.classCash[t * cw + j];
    total += x;
    if (first < 0 || t < first) leak += x;
  }
  block.leakage[k] = leak;
  block.equityCash[k] = total;
  for (let j = 0; j <= c; j++) {
    const all = j === c;
    if (c === 1 && all) {
      block.equityIrr[k * (c + 1) + j] = block.equityIrr[k * (c + 1)];
      continue;
    }
    cf[0] = -(all ? s.equityCapital.reduce((a, b) => a + b, 0) : s.equityCapital[j]);
    for (let t = 0; t < T; t++) {
      let x = 0;
      if (all) for (let q = 0; q < cw; q++) x += trace.classCash[t * cw + q];
      else x = trace.classCash[t * cw + j];
      cf[t + 1] = x;
    }
    block.equityIrr[k * (c + 1) + j] = periodIrr(cf, T + 1, ppy);
  }
  if (c <= 1) block.lpIrr[k] = block.equityIrr[k * (c + 1)];
  else {
    let capital = 0;
    for (let j = 0; j < c; j++) if (j !== sponsor) capital += s.equityCapital[j];
    cf[0] = -capital;
    for (let t = 0; t < T; t++) {
      let x = 0;
      for (let j = 0; j < c; j++) if (j !== sponsor) x += trace.classCash[t * c + j];
      cf[t + 1] = x;
    }
    block.lpIrr[k] = periodIrr(cf, T + 1, ppy);
  }
  for (let t = 0; t < T; t++) {
    block.collateral[k * T + t] = trace.collateral[t];
    block.senior[k * T + t] = n === 0 ? 0 : trace.noteOutstanding[t * n];
  }
}
