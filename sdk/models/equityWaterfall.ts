/**
 * Mirrors `contracts/core/EquityWaterfall.sol`: a deal's LP/GP distribution waterfall over its equity classes, as
 * `docs/equity.md` specifies it. `distributeEquity` is one distribution (`EquityWaterfall._distribute`): the clock,
 * accrual of the preferred return and the hurdle balances, then the tiers (`./equityMath.ts`, `run`); it returns the
 * new state and the statement (`EquityDistributed`) and never changes its arguments. `classState`, `classes` and
 * `profit` are the contract's views. Same numbers as the contract to the wei. Pure: imports nothing from viem.
 */
import { type EquityTerms } from "../types.js";
import {
  accrue,
  hurdleTiers,
  run,
  type EquityClassState,
  type EquityWaterfallState,
} from "./equityMath.js";
import { BPS, WAD } from "./math.js";

export type { EquityClassState, EquityWaterfallState } from "./equityMath.js";

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
  /**
   * What each tier paid each class, `paid[tier][class]`; the last tier's row also holds the remainder (as the
   * event's does).
   */
  paid: bigint[][];
  /** What the tiers left, pro rata on contributed capital (only when no class of the last tier holds tokens). */
  remainder: bigint[];
  /** What each class received in all (sent to its token): Σ of its column of `paid`. Sums to `amount`. */
  toClass: bigint[];
  /** The state after the distribution. */
  state: EquityWaterfallState;
  /** The sponsor's profit `S = D_s − (C_s − U_s)` after the distribution. */
  sponsorProfit: bigint;
  /** All classes' profit `T = Σ (D_j − (C_j − U_j))` after the distribution. */
  totalProfit: bigint;
}

/** One equity class as the contract's views report it (`IEquityWaterfall.ClassState`, without the token). */
export interface EquityClassView {
  /** `C_j`: its tokens issued. */
  contributed: bigint;
  /** Capital returned, `C_j − U_j`. */
  returned: bigint;
  /** Unpaid preferred return as of the last distribution (`P_j`; {@link prefOwedDown} accrues it to a time). */
  prefOwed: bigint;
  /** `D_j`. */
  distributed: bigint;
  /** `D_j / C_j` in WAD, rounded down; zero without tokens. */
  multiple: bigint;
  /** Per hurdle (in tier order) the class's balance: its contribution compounded at the hurdle less its receipts. */
  hurdleBalances: bigint[];
  /** Per hurdle: the class is an LP class of that split, holds tokens and its balance is zero (IRR ≥ hurdle). */
  hurdlesMet: boolean[];
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
  const masks = hurdleTiers(terms).map((t) => terms.tiers[t].classes);
  return {
    lastAccrual: start,
    classes: contributed.map((c, j) => ({
      unreturned: c,
      prefUnpaid: 0n,
      distributed: 0n,
      hurdles: masks.map((mask) => (((mask >>> j) & 1) === 1 ? c : 0n)),
    })),
  };
}

/**
 * Distributes `amount` reaching equity at `time` (`EquityWaterfall._distribute`): accrual over
 * `Δt = max(0, time − lastAccrual)` (the clock moves only forward), then the tiers and the remainder
 * (`EquityMath.run`).
 *
 * @param contributed `C_j` of each equity class (its tokens issued), in stablecoin base units.
 * @param state the state before; {@link initialEquityState} at the first distribution.
 * @param time the date of the amount: the end of the deal's last distributed period (its start before any) for an
 *   amount from the deal, the block's time for a capital event.
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
  const elapsed = time > state.lastAccrual ? time - state.lastAccrual : 0n;
  const accrued = accrue(terms, state, elapsed);
  if (elapsed > 0n) accrued.state.lastAccrual = time;
  const out = run(terms, contributed, accrued.state, amount);
  const { total, sponsor } = profit(terms, contributed, out.state);
  return {
    amount,
    time,
    elapsed,
    prefAccrued: accrued.prefAccrued,
    paid: out.paid,
    remainder: out.remainder,
    toClass: out.total,
    state: out.state,
    sponsorProfit: sponsor,
    totalProfit: total,
  };
}

// ------------------------------------------------------------------ views

/** The catch-up progress (`EquityWaterfall.profit`): all profit distributed `T` and the sponsor class's `S`. */
export function profit(
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

/** Class `j` as `EquityWaterfall.classState(j)` reports it. */
export function classState(
  terms: EquityTerms,
  contributed: readonly bigint[],
  state: EquityWaterfallState,
  j: number,
): EquityClassView {
  const c = state.classes[j];
  if (c === undefined) throw new RangeError(`classState: no class ${j}`);
  const C = contributed[j];
  const inTier = hurdleTiers(terms).map((t) => ((terms.tiers[t].classes >>> j) & 1) === 1);
  return {
    contributed: C,
    returned: C - c.unreturned,
    prefOwed: c.prefUnpaid,
    distributed: c.distributed,
    multiple: C === 0n ? 0n : (c.distributed * WAD) / C,
    hurdleBalances: inTier.map((member, k) => (member ? c.hurdles[k] : 0n)),
    hurdlesMet: inTier.map((member, k) => member && C !== 0n && c.hurdles[k] === 0n),
  };
}

/** Every class, in rank order (`EquityWaterfall.classes`). */
export function classes(
  terms: EquityTerms,
  contributed: readonly bigint[],
  state: EquityWaterfallState,
): EquityClassView[] {
  return state.classes.map((_, j) => classState(terms, contributed, state, j));
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
  const dt = time > state.lastAccrual ? time - state.lastAccrual : 0n;
  return accrue(terms, state, dt).state.classes[j].prefUnpaid;
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
  const { total, sponsor } = profit(terms, contributed, state);
  return total === 0n ? 0n : (sponsor * BPS) / total;
}
