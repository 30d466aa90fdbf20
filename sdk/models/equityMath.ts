/**
 * Mirrors `contracts/libraries/EquityMath.sol`, function for function: the arithmetic of the equity waterfall of
 * `docs/equity.md` — the hurdle growth factor `G(h, Δt)` step by step as the page writes it, the accrual of preferred
 * return and hurdle balances, what a catch-up or a hurdled split needs, the pro-rata shares with their dust, and
 * `run`, the tiers in order. Every rounding is the page's and its direction is in the name: accruals, growth and
 * shares round down (what a class is owed never exceeds the formula), the cash a tier needs to reach its target
 * rounds up. Preferred return, hurdle balances and growth factors saturate at {@link MAX_BALANCE}, as on chain. Same
 * numbers as the contract to the wei. Pure: imports nothing from viem.
 */
import { EquityTier, type EquityTerms } from "../types.js";
import { BPS, WAD, YEAR } from "./math.js";

/** `EquityMath.MAX_BALANCE`: preferred return, hurdle balances and growth factors saturate at 2¹²⁸ − 1. */
export const MAX_BALANCE = 2n ** 128n - 1n;

/** One equity class's state, uniform per token (`docs/equity.md`, "Classes and state"). */
export interface EquityClassState {
  /** `U_j`: contributed capital not yet returned. */
  unreturned: bigint;
  /** `P_j`: preferred return accrued and unpaid. */
  prefUnpaid: bigint;
  /** `D_j`: everything distributed to the class (on chain: its token's `distributed()`). */
  distributed: bigint;
  /**
   * `H_{k,j}`, by hurdle: the balance of the k-th split tier with a hurdle (in the term sheet's order); zero for a
   * tier the class is not in.
   */
  hurdles: bigint[];
}

/** The waterfall's state: the accrual clock and each class's balances (class j: the j-th equity tranche). */
export interface EquityWaterfallState {
  /** When the preferred return and the hurdle balances last accrued (unix seconds). */
  lastAccrual: bigint;
  classes: EquityClassState[];
}

/** What {@link run} paid. */
export interface EquityRunResult {
  /** The state after the payments (the clock as it was). */
  state: EquityWaterfallState;
  /**
   * `paid[t][j]`: what tier `t` paid class `j`; the last row also holds the remainder, as `EquityDistributed` does.
   */
  paid: bigint[][];
  /** What the tiers left, pro rata on contributions (only when no class of the last tier holds tokens). */
  remainder: bigint[];
  /** What each class received in all. Sums to the cash. */
  total: bigint[];
}

// ------------------------------------------------------------------ growth: G(h, Δt)

function mulWadCapped(a: bigint, b: bigint): bigint {
  const r = (a * b) / WAD;
  return r > MAX_BALANCE ? MAX_BALANCE : r;
}

/**
 * `ln b` in WAD for `b ≥ 1e18`, rounded down at every step (`docs/equity.md`, "G(h, Δt) to the wei"): the series
 * `2·atanh(z)` with `z = (b − 1)/(b + 1)`, summing `z^i / i` over odd `i` until a term truncates to zero.
 */
export function lnWad(b: bigint): bigint {
  if (b < WAD) throw new RangeError("lnWad: b must be at least 1e18");
  const z = ((b - WAD) * WAD) / (b + WAD);
  const z2 = (z * z) / WAD;
  let term = z;
  let sum = z;
  for (let i = 3n; ; i += 2n) {
    term = (term * z2) / WAD;
    if (term === 0n) break;
    sum += term / i;
  }
  return 2n * sum;
}

/** `e^y` in WAD for `y ≥ 0` (WAD), the Taylor series rounded down term by term until a term truncates to zero. */
export function expWad(y: bigint): bigint {
  if (y < 0n) throw new RangeError("expWad: y must be non-negative");
  let term = WAD;
  let sum = WAD;
  for (let i = 1n; ; i++) {
    term = (term * y) / (i * WAD);
    if (term === 0n) break;
    sum += term;
  }
  return sum;
}

/** `bⁿ` in WAD by squaring, each product rounded down and capped at {@link MAX_BALANCE}. */
export function powWad(b: bigint, n: bigint): bigint {
  if (b < 0n || n < 0n) throw new RangeError("powWad: operands must be non-negative");
  let result = WAD;
  let base = b;
  let e = n;
  while (e > 0n) {
    if ((e & 1n) === 1n) result = mulWadCapped(result, base);
    e >>= 1n;
    if (e > 0n) base = mulWadCapped(base, base);
  }
  return result;
}

/**
 * `G(h, Δt) = (1 + h)^(Δt / YEAR)` in WAD, rounded down: whole years by squaring, the fraction of a year as
 * `e^(f·ln(1 + h)/YEAR)`; capped at {@link MAX_BALANCE}. `h` is an annual rate in WAD (0.15e18 = 15 %), `dt` seconds;
 * `G(h, 0) = G(0, Δt) = 1e18`. (The contract takes `ln(1 + h)` precomputed; the figures are the same.)
 */
export function growthDown(h: bigint, dt: bigint): bigint {
  if (h < 0n || dt < 0n) throw new RangeError("growthDown: operands must be non-negative");
  const b = WAD + h;
  const y = ((dt % YEAR) * lnWad(b)) / YEAR;
  const g = (powWad(b, dt / YEAR) * expWad(y)) / WAD;
  return g > MAX_BALANCE ? MAX_BALANCE : g;
}

/** A balance grown by the factor `g` (WAD): `⌊balance·g / 1e18⌋`, capped at {@link MAX_BALANCE}. */
export function grownDown(balance: bigint, g: bigint): bigint {
  return mulWadCapped(balance, g);
}

// ------------------------------------------------------------------ accrual

/**
 * Preferred return accrued on `base` (unreturned capital, plus the unpaid preferred return when it compounds) at
 * `rate` (WAD a year) over `dt` seconds: `⌊base·rate·Δt / (YEAR·1e18)⌋` (actual/365).
 */
export function prefAccrualDown(base: bigint, rate: bigint, dt: bigint): bigint {
  return (base * rate * dt) / (YEAR * WAD);
}

/** The split tiers with a hurdle, in order: hurdle k is tier `hurdleTiers(terms)[k]`. */
export function hurdleTiers(terms: EquityTerms): number[] {
  const out: number[] = [];
  terms.tiers.forEach((t, i) => {
    if (t.kind === EquityTier.Split && t.rate !== 0n) out.push(i);
  });
  return out;
}

function copyState(state: EquityWaterfallState): EquityWaterfallState {
  return {
    lastAccrual: state.lastAccrual,
    classes: state.classes.map((c) => ({ ...c, hurdles: [...c.hurdles] })),
  };
}

/**
 * The state accrued over `dt` seconds (the clock is the caller's): each class of a PreferredReturn tier accrues its
 * preferred return at the tier's rate, every hurdle balance grows by `G(h, Δt)`; both saturate at
 * {@link MAX_BALANCE}. Returns the new state and what each class accrued.
 */
export function accrue(
  terms: EquityTerms,
  state: EquityWaterfallState,
  dt: bigint,
): { state: EquityWaterfallState; prefAccrued: bigint[] } {
  const next = copyState(state);
  const prefAccrued = next.classes.map(() => 0n);
  if (dt <= 0n) return { state: next, prefAccrued };
  let k = 0;
  for (const tier of terms.tiers) {
    if (tier.kind === EquityTier.PreferredReturn) {
      next.classes.forEach((c, j) => {
        if (!inMask(tier.classes, j)) return;
        const base = c.unreturned + (tier.compounding ? c.prefUnpaid : 0n);
        const p = c.prefUnpaid + prefAccrualDown(base, tier.rate, dt);
        const capped = p > MAX_BALANCE ? MAX_BALANCE : p;
        prefAccrued[j] += capped - c.prefUnpaid;
        c.prefUnpaid = capped;
      });
    } else if (tier.kind === EquityTier.Split && tier.rate !== 0n) {
      const g = growthDown(tier.rate, dt);
      next.classes.forEach((c, j) => {
        if (inMask(tier.classes, j)) c.hurdles[k] = grownDown(c.hurdles[k], g);
      });
      k++;
    }
  }
  return { state: next, prefAccrued };
}

// ------------------------------------------------------------------ needs

/**
 * What a catch-up tier needs (`sponsorBps` c of its cash to the sponsor until it holds `targetBps` t of all profit):
 * `⌈(t·T − 10,000·S) / (c − t)⌉` while `10,000·S < t·T`, else 0. After it is paid the sponsor holds at least t.
 */
export function catchUpNeedUp(
  profit: bigint,
  sponsorProfit: bigint,
  sponsorBps: bigint,
  targetBps: bigint,
): bigint {
  const gap = targetBps * profit - BPS * sponsorProfit;
  if (gap <= 0n) return 0n;
  const d = sponsorBps - targetBps;
  if (d <= 0n) throw new RangeError("catchUpNeedUp: the sponsor's share must exceed the target");
  return (gap + d - 1n) / d;
}

/**
 * What a hurdled split (`sponsorBps` σ) needs to bring its LP classes' hurdle balances, `lpNeed` in all, to zero:
 * `⌈N·10,000 / (10,000 − σ)⌉`, of which the LP classes get `⌊x·(10,000 − σ)/10,000⌋ = N` exactly.
 */
export function splitNeedUp(lpNeed: bigint, sponsorBps: bigint): bigint {
  const d = BPS - sponsorBps;
  if (d <= 0n) throw new RangeError("splitNeedUp: the sponsor's share must be below 100 %");
  return (lpNeed * BPS + d - 1n) / d;
}

/** The LP classes' part of `x` in a tier giving `sponsorBps` to the sponsor: `⌊x·(10,000 − σ)/10,000⌋`. */
export function lpShareDown(x: bigint, sponsorBps: bigint): bigint {
  return (x * (BPS - sponsorBps)) / BPS;
}

// ------------------------------------------------------------------ allocation

/**
 * `x` shared among the classes of `mask` (bit j: class j) pro rata on `weights`, each share rounded down; the dust
 * (fewer units than classes) goes to the classes from the most junior up — with `capped`, each up to its weight
 * (what the tier owes it) less its share; otherwise all of it to the most junior class with a weight. The shares sum
 * to `x` whenever `x ≤ Σ weights` (capped) or some weight of `mask` is positive.
 */
export function allocateDown(
  x: bigint,
  weights: readonly bigint[],
  mask: number,
  capped: boolean,
): bigint[] {
  const shares = weights.map(() => 0n);
  let sum = 0n;
  for (let j = 0; j < weights.length; j++) if (inMask(mask, j)) sum += weights[j];
  if (x === 0n || sum === 0n) return shares;
  let dust = x;
  for (let j = 0; j < weights.length; j++) {
    if (!inMask(mask, j)) continue;
    shares[j] = (x * weights[j]) / sum;
    dust -= shares[j];
  }
  for (let j = weights.length - 1; j >= 0 && dust > 0n; j--) {
    if (!inMask(mask, j) || weights[j] === 0n) continue;
    const room = capped ? weights[j] - shares[j] : dust;
    const d = room < dust ? room : dust;
    shares[j] += d;
    dust -= d;
  }
  return shares;
}

/** `x` paid to the classes of `mask` in rank order (class 0 first), each up to what it is `owed`. */
export function allocateByRank(x: bigint, owed: readonly bigint[], mask: number): bigint[] {
  let left = x;
  return owed.map((o, j) => {
    if (!inMask(mask, j)) return 0n;
    const share = o < left ? o : left;
    left -= share;
    return share;
  });
}

// ------------------------------------------------------------------ the tiers

/** All classes' profit `T` and the sponsor's `S` (profit: distributions less capital returned). */
function profitOf(
  terms: EquityTerms,
  contributed: readonly bigint[],
  state: EquityWaterfallState,
): { total: bigint; sponsor: bigint } {
  let total = 0n;
  state.classes.forEach((c, j) => {
    total += c.distributed - (contributed[j] - c.unreturned);
  });
  const s = state.classes[terms.sponsorClass];
  return { total, sponsor: s.distributed - (contributed[terms.sponsorClass] - s.unreturned) };
}

/**
 * Runs `cash` through the tiers in the term sheet's order, then gives what they leave — only when no class of the
 * last tier holds tokens — to every class with tokens pro rata on `contributed`. Every payment to a class raises its
 * `D_j` and lowers each of its hurdle balances (floored at zero), so later tiers see the payments of earlier ones.
 *
 * A class holds tokens when `contributed[j] > 0`. A sponsor without tokens takes no share: a catch-up pays nothing,
 * a split counts its sponsor share as 0 (a hurdled split then needs exactly the LP classes' hurdle balances, the
 * last split pays them everything); LP classes without tokens give a catch-up's or a split's whole payment to the
 * sponsor (a hurdled split then needs nothing: their balances are zero).
 *
 * @throws RangeError when cash is left and no class holds tokens (the deal credits the issuer instead).
 */
export function run(
  terms: EquityTerms,
  contributed: readonly bigint[],
  state: EquityWaterfallState,
  cash: bigint,
): EquityRunResult {
  if (cash < 0n) throw new RangeError("run: negative cash");
  if (terms.tiers.length === 0) throw new RangeError("run: no tiers");
  const next = copyState(state);
  const classes = next.classes;
  const n = classes.length;
  const hurdleMasks = hurdleTiers(terms).map((t) => terms.tiers[t].classes);
  const holds = (j: number) => contributed[j] > 0n;
  const sponsor = terms.sponsorClass;
  const weightOf = (mask: number) =>
    contributed.reduce((a, c, j) => (inMask(mask, j) ? a + c : a), 0n);

  const paid: bigint[][] = terms.tiers.map(() => classes.map(() => 0n));
  const pay = (row: bigint[], shares: readonly bigint[]) =>
    shares.forEach((x, j) => {
      if (x === 0n) return;
      row[j] += x;
      const c = classes[j];
      c.distributed += x;
      hurdleMasks.forEach((mask, k) => {
        if (inMask(mask, j)) c.hurdles[k] = c.hurdles[k] > x ? c.hurdles[k] - x : 0n;
      });
    });

  let left = cash;
  let k = 0;
  terms.tiers.forEach((tier, t) => {
    const hurdle = tier.kind === EquityTier.Split && tier.rate !== 0n ? k++ : -1;
    if (left === 0n) return;
    const mask = tier.classes;
    let x = 0n;
    let shares: bigint[];
    if (tier.kind === EquityTier.ReturnOfCapital || tier.kind === EquityTier.PreferredReturn) {
      const capital = tier.kind === EquityTier.ReturnOfCapital;
      const owed = classes.map((c, j) =>
        inMask(mask, j) ? (capital ? c.unreturned : c.prefUnpaid) : 0n,
      );
      const sum = owed.reduce((a, b) => a + b, 0n);
      x = left < sum ? left : sum;
      shares = tier.byRank ? allocateByRank(x, owed, mask) : allocateDown(x, owed, mask, true);
      shares.forEach((s, j) => {
        if (capital) classes[j].unreturned -= s;
        else classes[j].prefUnpaid -= s;
      });
    } else {
      // CatchUp and Split share the tier between the sponsor and its LP classes.
      const sponsorBps = BigInt(tier.sponsorBps);
      const sponsorHolds = holds(sponsor);
      let lp = 0n;
      if (tier.kind === EquityTier.CatchUp) {
        // A sponsor without tokens cannot be caught up: the tier needs nothing.
        if (!sponsorHolds) return;
        const { total, sponsor: s } = profitOf(terms, contributed, next);
        x = catchUpNeedUp(total, s, sponsorBps, BigInt(tier.targetBps));
        if (x > left) x = left;
        const weight = weightOf(mask);
        // LP classes without tokens give their share to the sponsor.
        if (weight !== 0n) lp = lpShareDown(x, sponsorBps);
        shares = allocateDown(lp, contributed, mask, false);
      } else if (hurdle >= 0) {
        const balances = classes.map((c, j) => (inMask(mask, j) ? c.hurdles[hurdle] : 0n));
        const need = balances.reduce((a, b) => a + b, 0n);
        // Hurdle met (or no LP class holds tokens: their balances are zero).
        if (need === 0n) return;
        // A sponsor without tokens gives its share to the LP classes: the tier needs exactly N.
        x = sponsorHolds ? splitNeedUp(need, sponsorBps) : need;
        if (x > left) x = left;
        lp = sponsorHolds ? lpShareDown(x, sponsorBps) : x;
        shares = allocateDown(lp, balances, mask, true);
      } else {
        const weight = weightOf(mask);
        // Nobody of the last tier holds tokens: the remainder goes to every class that does.
        if (weight === 0n && !sponsorHolds) return;
        x = left;
        lp = !sponsorHolds ? x : weight !== 0n ? lpShareDown(x, sponsorBps) : 0n;
        shares = allocateDown(lp, contributed, mask, false);
      }
      // The sponsor is never an LP class of its tier (term-sheet validation): its share is the rest.
      shares[sponsor] += x - lp;
    }
    pay(paid[t], shares);
    left -= x;
  });

  const remainder = classes.map(() => 0n);
  if (left > 0n) {
    if (!contributed.some((c) => c > 0n)) throw new RangeError("run: no equity class holds tokens");
    const shares = allocateDown(left, contributed, (1 << n) - 1, false);
    shares.forEach((s, j) => (remainder[j] = s));
    pay(paid[terms.tiers.length - 1], shares);
  }
  const total = classes.map((_, j) => paid.reduce((a, row) => a + row[j], 0n));
  return { state: next, paid, remainder, total };
}

/** Whether class `j` is in the bitmask `mask`. */
function inMask(mask: number, j: number): boolean {
  return ((mask >>> j) & 1) === 1;
}
