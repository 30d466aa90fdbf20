/**
 * The fast path's equity waterfall: `models/equityMath.ts` (`accrue` and `run`, tier by tier, with the same
 * allocation and dust rules) in float64 numbers of stablecoin base units, for Monte Carlo. Each quotient the exact
 * model rounds down or up is rounded the same way here; growth factors are `(1 + h)^(Δt / year)` in floating point
 * rather than the contract's series, so a class's figures may differ from the exact model's by a few base units (the
 * stress tests bound the difference at a cent per period). Nothing is allocated per distribution. Pure: no viem.
 */
import { EquityTier, type EquityTerms } from "../types.js";
import { hurdleTiers } from "../models/equityMath.js";
import type { EquityWaterfallState } from "../models/equityWaterfall.js";

const YEAR = 365 * 86_400;
const BPS = 10_000;

const inMask = (mask: number, j: number): boolean => ((mask >>> j) & 1) === 1;

/** An equity waterfall's state and tiers as numbers; {@link FastEquity.distribute} pays one amount through it. */
export class FastEquity {
  private readonly n: number;
  private readonly kinds: Int32Array;
  private readonly masks: Int32Array;
  private readonly byRank: Uint8Array;
  private readonly compounding: Uint8Array;
  private readonly sponsorBps: Float64Array;
  private readonly targetBps: Float64Array;
  private readonly rate: Float64Array;
  /** Per tier, its hurdle's index (−1: not a hurdled split). */
  private readonly hurdleOf: Int32Array;
  private readonly hurdleMasks: Int32Array;
  private readonly lnGrowth: Float64Array;
  private readonly sponsor: number;
  private readonly contributed: Float64Array;
  private readonly init: {
    lastAccrual: number;
    unreturned: number[];
    pref: number[];
    distributed: number[];
    hurdles: number[];
  };
  // State.
  private lastAccrual = 0;
  private readonly unreturned: Float64Array;
  private readonly pref: Float64Array;
  private readonly distributed: Float64Array;
  private readonly hurdles: Float64Array;
  // Scratch.
  private readonly owed: Float64Array;
  private readonly shares: Float64Array;

  constructor(terms: EquityTerms, contributed: readonly bigint[], state: EquityWaterfallState) {
    const n = contributed.length;
    this.n = n;
    const tiers = terms.tiers;
    this.kinds = Int32Array.from(tiers, (t) => t.kind);
    this.masks = Int32Array.from(tiers, (t) => t.classes);
    this.byRank = Uint8Array.from(tiers, (t) => (t.byRank ? 1 : 0));
    this.compounding = Uint8Array.from(tiers, (t) => (t.compounding ? 1 : 0));
    this.sponsorBps = Float64Array.from(tiers, (t) => t.sponsorBps);
    this.targetBps = Float64Array.from(tiers, (t) => t.targetBps);
    this.rate = Float64Array.from(tiers, (t) => Number(t.rate) / 1e18);
    const hurdled = hurdleTiers(terms);
    this.hurdleOf = Int32Array.from(tiers, (_, i) => hurdled.indexOf(i));
    this.hurdleMasks = Int32Array.from(hurdled, (i) => tiers[i].classes);
    this.lnGrowth = Float64Array.from(hurdled, (i) => Math.log1p(Number(tiers[i].rate) / 1e18));
    this.sponsor = terms.sponsorClass;
    this.contributed = Float64Array.from(contributed, Number);
    this.init = {
      lastAccrual: Number(state.lastAccrual),
      unreturned: state.classes.map((c) => Number(c.unreturned)),
      pref: state.classes.map((c) => Number(c.prefUnpaid)),
      distributed: state.classes.map((c) => Number(c.distributed)),
      hurdles: hurdled.flatMap((_, k) => state.classes.map((c) => Number(c.hurdles[k] ?? 0n))),
    };
    this.unreturned = new Float64Array(n);
    this.pref = new Float64Array(n);
    this.distributed = new Float64Array(n);
    this.hurdles = new Float64Array(hurdled.length * n);
    this.owed = new Float64Array(n);
    this.shares = new Float64Array(n);
    this.reset();
  }

  /** Back to the state the waterfall was built with. */
  reset(): void {
    this.lastAccrual = this.init.lastAccrual;
    this.unreturned.set(this.init.unreturned);
    this.pref.set(this.init.pref);
    this.distributed.set(this.init.distributed);
    this.hurdles.set(this.init.hurdles);
  }

  /** Distributes `amount` reaching equity at `time` (seconds), as `distributeEquity`; adds each class's part to `out[at + j]`. */
  distribute(amount: number, time: number, out: Float64Array, at: number): void {
    const n = this.n;
    const dt = time > this.lastAccrual ? time - this.lastAccrual : 0;
    if (dt > 0) {
      this.accrue(dt);
      this.lastAccrual = time;
    }
    let left = amount;
    const K = this.kinds.length;
    for (let t = 0; t < K && left !== 0; t++) {
      const kind = this.kinds[t];
      const mask = this.masks[t];
      const shares = this.shares;
      shares.fill(0);
      let x = 0;
      if (kind === EquityTier.ReturnOfCapital || kind === EquityTier.PreferredReturn) {
        const capital = kind === EquityTier.ReturnOfCapital;
        let sum = 0;
        for (let j = 0; j < n; j++) {
          this.owed[j] = inMask(mask, j) ? (capital ? this.unreturned[j] : this.pref[j]) : 0;
          sum += this.owed[j];
        }
        x = left < sum ? left : sum;
        if (this.byRank[t] === 1) {
          let l = x;
          for (let j = 0; j < n; j++) {
            if (!inMask(mask, j)) continue;
            const s = this.owed[j] < l ? this.owed[j] : l;
            shares[j] = s;
            l -= s;
          }
        } else this.allocate(x, this.owed, mask, true);
        for (let j = 0; j < n; j++) {
          if (capital) this.unreturned[j] -= shares[j];
          else this.pref[j] -= shares[j];
        }
      } else {
        const sigma = this.sponsorBps[t];
        const sponsorHolds = this.contributed[this.sponsor] > 0;
        const hurdle = this.hurdleOf[t];
        let lp = 0;
        if (kind === EquityTier.CatchUp) {
          if (!sponsorHolds) continue;
          let total = 0;
          for (let j = 0; j < n; j++)
            total += this.distributed[j] - (this.contributed[j] - this.unreturned[j]);
          const s = this.sponsor;
          const sp = this.distributed[s] - (this.contributed[s] - this.unreturned[s]);
          const gap = this.targetBps[t] * total - BPS * sp;
          x = gap <= 0 ? 0 : Math.ceil(gap / (sigma - this.targetBps[t]));
          if (x > left) x = left;
          if (this.weight(mask) !== 0) lp = Math.floor((x * (BPS - sigma)) / BPS);
          this.allocate(lp, this.contributed, mask, false);
        } else if (hurdle >= 0) {
          let need = 0;
          for (let j = 0; j < n; j++) {
            this.owed[j] = inMask(mask, j) ? this.hurdles[hurdle * n + j] : 0;
            need += this.owed[j];
          }
          if (need === 0) continue;
          x = sponsorHolds ? Math.ceil((need * BPS) / (BPS - sigma)) : need;
          if (x > left) x = left;
          lp = sponsorHolds ? Math.floor((x * (BPS - sigma)) / BPS) : x;
          this.allocate(lp, this.owed, mask, true);
        } else {
          const weight = this.weight(mask);
          if (weight === 0 && !sponsorHolds) continue;
          x = left;
          lp = !sponsorHolds ? x : weight !== 0 ? Math.floor((x * (BPS - sigma)) / BPS) : 0;
          this.allocate(lp, this.contributed, mask, false);
        }
        shares[this.sponsor] += x - lp;
      }
      this.pay(shares, out, at);
      left -= x;
    }
    if (left > 0) {
      this.shares.fill(0);
      this.allocate(left, this.contributed, (1 << n) - 1, false);
      this.pay(this.shares, out, at);
    }
  }

  private weight(mask: number): number {
    let w = 0;
    for (let j = 0; j < this.n; j++) if (inMask(mask, j)) w += this.contributed[j];
    return w;
  }

  /** `allocateDown` into `this.shares`. */
  private allocate(x: number, weights: Float64Array, mask: number, capped: boolean): void {
    const n = this.n;
    const shares = this.shares;
    let sum = 0;
    for (let j = 0; j < n; j++) if (inMask(mask, j)) sum += weights[j];
    if (x === 0 || sum === 0) return;
    let dust = x;
    for (let j = 0; j < n; j++) {
      if (!inMask(mask, j)) continue;
      shares[j] = Math.floor((x * weights[j]) / sum);
      dust -= shares[j];
    }
    for (let j = n - 1; j >= 0 && dust > 0; j--) {
      if (!inMask(mask, j) || weights[j] === 0) continue;
      const room = capped ? weights[j] - shares[j] : dust;
      const d = room < dust ? room : dust;
      shares[j] += d;
      dust -= d;
    }
  }

  private pay(shares: Float64Array, out: Float64Array, at: number): void {
    const n = this.n;
    for (let j = 0; j < n; j++) {
      const x = shares[j];
      if (x === 0) continue;
      out[at + j] += x;
      this.distributed[j] += x;
      for (let k = 0; k < this.hurdleMasks.length; k++) {
        if (!inMask(this.hurdleMasks[k], j)) continue;
        const h = this.hurdles[k * n + j];
        this.hurdles[k * n + j] = h > x ? h - x : 0;
      }
    }
  }

  private accrue(dt: number): void {
    const n = this.n;
    let k = 0;
    for (let t = 0; t < this.kinds.length; t++) {
      if (this.kinds[t] === EquityTier.PreferredReturn) {
        for (let j = 0; j < n; j++) {
          if (!inMask(this.masks[t], j)) continue;
          const base = this.unreturned[j] + (this.compounding[t] === 1 ? this.pref[j] : 0);
          this.pref[j] += Math.floor((base * this.rate[t] * dt) / YEAR);
        }
      } else if (this.kinds[t] === EquityTier.Split && this.hurdleOf[t] >= 0) {
        const g = Math.exp((this.lnGrowth[k] * dt) / YEAR);
        for (let j = 0; j < n; j++)
          if (inMask(this.masks[t], j))
            this.hurdles[k * n + j] = Math.floor(this.hurdles[k * n + j] * g);
        k++;
      }
    }
  }
}
