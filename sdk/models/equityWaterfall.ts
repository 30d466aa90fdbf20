/**
 * Mirrors `contracts/core/EquityWaterfall.sol`: a deal's LP/GP distribution waterfall over its equity classes, as
 * `docs/equity.md` specifies it — the state per class, accrual of the preferred return and the hurdle balances, the
 * tiers in the term sheet's order, the dust rule and the remainder — and the views of each class (returned capital,
 * preferred return owed, realized multiple, hurdles met). `distributeEquity` returns the new state and the
 * statement; it never changes its arguments. Same numbers as the contract to the wei; the arithmetic is
 * `./equityMath.ts`. Pure: imports nothing from viem.
 */
import { EquityTier, type EquityTerms } from "../types.js";
import {
  byRankDown,
  catchUpNeedUp,
  hurdleGrowthDown,
  inMask,
  lpShareDown,
  prefAccrualDown,
  proRataDown,
  splitNeedUp,
} from "./equityMath.js";
import { BPS, WAD } from "./math.js";

/** One equity class's state, uniform per token (`docs/equity.md`, "Classes and state"). */
export interface EquityClassState {
  /** `U_j`: contributed capital not yet returned. */
  unreturned: bigint;
  /** `P_j`: preferred return accrued and unpaid. */
  prefUnpaid: bigint;
  /** `D_j`: everything distributed to the class. */
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

/** What one distribution did (`EquityDistributed`). Arrays by class. */
export interface EquityStatement {
  /** The cash that reached equity. */
  amount: bigint;
  /** The time the amount is dated at. */
  time: bigint;
  /** Seconds accrued: `max(0, time − lastAccrual)`. */
  elapsed: bigint;
  /** Preferred return accrued by each class over `elapsed`. */
  prefAccrued: bigint[];
  /** What each tier paid each class: `paid[tier][class]`. */
  paid: bigint[][];
  /** What the tiers left, pro rata on contributed capital (only when no class of the last tier holds tokens). */
  remainder: bigint[];
  /** What each class received in all (sent to its token): Σ tiers + remainder. Sums to `amount`. */
  toClass: bigint[];
  /** The state after the distribution. */
  state: EquityWaterfallState;
  /** The sponsor's profit `S = D_s − (C_s − U_s)` after the distribution. */
  sponsorProfit: bigint;
  /** All classes' profit `T = Σ (D_j − (C_j − U_j))` after the distribution. */
  totalProfit: bigint;
}

/** The tier indices of the split tiers with a hurdle, in order: hurdle k is tier `hurdleTiers(terms)[k]`. */
export function hurdleTiers(terms: EquityTerms): number[] {
  const out: number[] = [];
  terms.tiers.forEach((t, i) => {
    if (t.kind === EquityTier.Split && t.rate !== 0n) out.push(i);
  });
  return out;
}

/**
 * The state at the first distribution: `U_j = H_{k,j} = C_j` (hurdle balances only for the classes of that tier),
 * `P_j = D_j = 0`, the clock at the deal's `start`.
 * @param contributed `C_j`: each equity class's tokens issued (sold at par), in stablecoin base units.
 */
export function initialEquityState(
  terms: EquityTerms,
  contributed: readonly bigint[],
  start: bigint,
): EquityWaterfallState {
  const hurdles = hurdleTiers(terms);
  return {
    lastAccrual: start,
    classes: contributed.map((c, j) => ({
      unreturned: c,
      prefUnpaid: 0n,
      distributed: 0n,
      hurdles: hurdles.map((k) => (inMask(terms.tiers[k].classes, j) ? c : 0n)),
    })),
  };
}

function copyState(state: EquityWaterfallState): EquityWaterfallState {
  return {
    lastAccrual: state.lastAccrual,
    classes: state.classes.map((c) => ({ ...c, hurdles: [...c.hurdles] })),
  };
}

/**
 * The state accrued to `time`: each class of a PreferredReturn tier accrues its preferred return at the tier's rate,
 * every hurdle balance grows at its hurdle; the clock never runs backwards (`Δt = max(0, time − lastAccrual)`).
 * Returns the new state and what each class accrued.
 */
export function accrue(
  terms: EquityTerms,
  state: EquityWaterfallState,
  time: bigint,
): { state: EquityWaterfallState; elapsed: bigint; prefAccrued: bigint[] } {
  const next = copyState(state);
  const elapsed = time > state.lastAccrual ? time - state.lastAccrual : 0n;
  const prefAccrued = next.classes.map(() => 0n);
  if (elapsed > 0n) {
    for (const tier of terms.tiers) {
      if (tier.kind !== EquityTier.PreferredReturn) continue;
      next.classes.forEach((c, j) => {
        if (!inMask(tier.classes, j)) return;
        const a = prefAccrualDown(c.unreturned, c.prefUnpaid, tier.rate, tier.compounding, elapsed);
        c.prefUnpaid += a;
        prefAccrued[j] += a;
      });
    }
    hurdleTiers(terms).forEach((t, k) => {
      const h = terms.tiers[t].rate;
      for (const c of next.classes) c.hurdles[k] = hurdleGrowthDown(c.hurdles[k], h, elapsed);
    });
    next.lastAccrual = time;
  }
  return { state: next, elapsed, prefAccrued };
}

/** The sponsor's profit `S` and all classes' profit `T` (profit: distributions less capital returned). */
export function profits(
  terms: EquityTerms,
  contributed: readonly bigint[],
  state: EquityWaterfallState,
): { sponsorProfit: bigint; totalProfit: bigint } {
  let totalProfit = 0n;
  state.classes.forEach((c, j) => {
    totalProfit += c.distributed - (contributed[j] - c.unreturned);
  });
  const s = state.classes[terms.sponsorClass];
  const sponsorProfit = s.distributed - (contributed[terms.sponsorClass] - s.unreturned);
  return { sponsorProfit, totalProfit };
}

/**
 * Distributes `amount` reaching equity at `time` (`EquityWaterfall.distribute`): accrual to `time`, then each tier
 * in the term sheet's order while cash is left, then whatever the tiers leave (only when no class of the last tier
 * holds tokens) pro rata on contributed capital. Every payment to a class raises its `D_j` and lowers each of its
 * hurdle balances (floored at zero), so later tiers see the payments of earlier ones.
 *
 * A class holds tokens when `contributed[j] > 0`. A sponsor without tokens takes no share: a catch-up pays nothing,
 * a split counts its sponsor share as 0 (a hurdled split then needs exactly the LP classes' hurdle balances, the
 * last split pays them everything); LP classes without tokens give a catch-up's or a split's whole payment to the
 * sponsor (a hurdled split then needs nothing: their balances are zero).
 *
 * @param contributed `C_j` of each equity class (its tokens issued), in stablecoin base units.
 * @param state the state before; {@link initialEquityState} at the first distribution.
 * @throws RangeError when cash is left and no class holds tokens (the deal credits the issuer instead).
 */
export function distributeEquity(
  terms: EquityTerms,
  contributed: readonly bigint[],
  state: EquityWaterfallState,
  amount: bigint,
  time: bigint,
): EquityStatement {
  if (amount < 0n) throw new RangeError("distributeEquity: negative amount");
  if (contributed.length !== state.classes.length)
    throw new RangeError(
      `distributeEquity: ${contributed.length} classes contributed, ${state.classes.length} in the state`,
    );
  const accrued = accrue(terms, state, time);
  const next = accrued.state;
  const classes = next.classes;
  const n = classes.length;
  const hurdles = hurdleTiers(terms);
  const holds = (j: number) => contributed[j] > 0n;
  const sponsor = terms.sponsorClass;

  const pay = (row: bigint[], j: number, x: bigint) => {
    if (x === 0n) return;
    row[j] += x;
    const c = classes[j];
    c.distributed += x;
    for (let k = 0; k < c.hurdles.length; k++) {
      if (!inMask(terms.tiers[hurdles[k]].classes, j)) continue;
      c.hurdles[k] = c.hurdles[k] > x ? c.hurdles[k] - x : 0n;
    }
  };
  /**
   * Pays `x` of a catch-up or the last split: the LP classes of `mask` their share pro rata on contributed capital,
   * the sponsor the rest (all of it to the LP classes when the sponsor has no tokens, and the reverse).
   */
  const paySplit = (row: bigint[], mask: number, x: bigint, sponsorBps: bigint) => {
    const lpTokens = contributed.some((c, j) => inMask(mask, j) && c > 0n);
    const lp = !holds(sponsor) ? x : lpTokens ? lpShareDown(x, sponsorBps) : 0n;
    proRataDown(lp, mask, contributed).forEach((s, j) => pay(row, j, s));
    pay(row, sponsor, x - lp);
  };

  let cash = amount;
  const paid: bigint[][] = terms.tiers.map(() => classes.map(() => 0n));
  terms.tiers.forEach((tier, i) => {
    if (cash === 0n) return;
    const row = paid[i];
    const mask = tier.classes;
    let x = 0n;
    switch (tier.kind) {
      case EquityTier.ReturnOfCapital:
      case EquityTier.PreferredReturn: {
        const capital = tier.kind === EquityTier.ReturnOfCapital;
        const owed = classes.map((c, j) =>
          inMask(mask, j) ? (capital ? c.unreturned : c.prefUnpaid) : 0n,
        );
        const due = owed.reduce((a, b) => a + b, 0n);
        x = due < cash ? due : cash;
        const shares = tier.byRank ? byRankDown(x, mask, owed) : proRataDown(x, mask, owed, owed);
        shares.forEach((s, j) => {
          if (capital) classes[j].unreturned -= s;
          else classes[j].prefUnpaid -= s;
          pay(row, j, s);
        });
        break;
      }
      case EquityTier.CatchUp: {
        // A sponsor without tokens cannot be caught up: the tier pays nothing.
        if (!holds(sponsor)) break;
        const { sponsorProfit, totalProfit } = profits(terms, contributed, next);
        const need = catchUpNeedUp(
          BigInt(tier.sponsorBps),
          BigInt(tier.targetBps),
          sponsorProfit,
          totalProfit,
        );
        x = need < cash ? need : cash;
        paySplit(row, mask, x, BigInt(tier.sponsorBps));
        break;
      }
      case EquityTier.Split: {
        if (tier.rate === 0n) {
          const lpTokens = contributed.some((c, j) => inMask(mask, j) && c > 0n);
          if (!holds(sponsor) && !lpTokens) break;
          x = cash;
          paySplit(row, mask, x, BigInt(tier.sponsorBps));
          break;
        }
        const k = hurdles.indexOf(i);
        const balances = classes.map((c, j) => (inMask(mask, j) ? c.hurdles[k] : 0n));
        const due = balances.reduce((a, b) => a + b, 0n);
        if (due === 0n) break;
        const sigma = holds(sponsor) ? BigInt(tier.sponsorBps) : 0n;
        const need = splitNeedUp(due, sigma);
        x = need < cash ? need : cash;
        const lp = lpShareDown(x, sigma);
        proRataDown(lp, mask, balances, balances).forEach((s, j) => pay(row, j, s));
        pay(row, sponsor, x - lp);
        break;
      }
      default:
        throw new RangeError(`distributeEquity: tier ${i} has an unknown kind ${tier.kind}`);
    }
    cash -= x;
  });

  const remainder = classes.map(() => 0n);
  if (cash > 0n) {
    if (!contributed.some((c) => c > 0n))
      throw new RangeError("distributeEquity: no equity class holds tokens");
    proRataDown(cash, (1 << n) - 1, contributed).forEach((s, j) => pay(remainder, j, s));
  }

  const toClass = classes.map((_, j) => paid.reduce((a, row) => a + row[j], 0n) + remainder[j]);
  return {
    amount,
    time,
    elapsed: accrued.elapsed,
    prefAccrued: accrued.prefAccrued,
    paid,
    remainder,
    toClass,
    state: next,
    ...profits(terms, contributed, next),
  };
}

// ------------------------------------------------------------------ views

/** Capital returned to class `j`: `C_j − U_j`. */
export function returnedCapital(
  contributed: readonly bigint[],
  state: EquityWaterfallState,
  j: number,
): bigint {
  return contributed[j] - state.classes[j].unreturned;
}

/**
 * Preferred return class `j` is owed at `time`: its unpaid preferred return plus what it would accrue from the last
 * accrual to `time` (rounded down, as a distribution at `time` would accrue it).
 */
export function prefOwedDown(
  terms: EquityTerms,
  state: EquityWaterfallState,
  j: number,
  time: bigint,
): bigint {
  return accrue(terms, state, time).state.classes[j].prefUnpaid;
}

/** `D_j / C_j` in WAD, rounded down; zero for a class without tokens. */
export function realizedMultipleDown(
  contributed: readonly bigint[],
  state: EquityWaterfallState,
  j: number,
): bigint {
  const c = contributed[j];
  return c === 0n ? 0n : (state.classes[j].distributed * WAD) / c;
}

/**
 * Whether hurdle `k` (the k-th split tier with a hurdle) is met: for class `j`, its balance is zero (its IRR has
 * reached the hurdle rate); without `j`, every class of the tier has met it.
 */
export function hurdleMet(
  terms: EquityTerms,
  state: EquityWaterfallState,
  k: number,
  j?: number,
): boolean {
  const tier = terms.tiers[hurdleTiers(terms)[k]];
  if (tier === undefined) throw new RangeError(`hurdleMet: no hurdle ${k}`);
  if (j !== undefined) return state.classes[j].hurdles[k] === 0n;
  return state.classes.every((c, i) => !inMask(tier.classes, i) || c.hurdles[k] === 0n);
}

/**
 * The sponsor's share of all profit distributed, in bps rounded down (the catch-up's progress toward its target);
 * zero before any profit.
 */
export function sponsorProfitShareDown(
  terms: EquityTerms,
  contributed: readonly bigint[],
  state: EquityWaterfallState,
): bigint {
  const { sponsorProfit, totalProfit } = profits(terms, contributed, state);
  return totalProfit === 0n ? 0n : (sponsorProfit * BPS) / totalProfit;
}
