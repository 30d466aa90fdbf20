/**
 * Mirrors `contracts/libraries/EquityMath.sol`: the arithmetic of the equity waterfall of `docs/equity.md` — the
 * hurdle growth factor `G(h, Δt)` step by step as the page writes it, preferred-return accrual, what a catch-up or a
 * hurdled split needs, and the pro-rata shares with their dust. Every rounding is the page's, and its direction is
 * in the name: accruals, growth and shares round down (what a class is owed never exceeds the formula), the cash a
 * tier needs to reach its target rounds up. Same numbers as the contract to the wei. Pure: imports nothing from viem.
 */
import { BPS, WAD, YEAR } from "./math.js";

/**
 * `ln b` in WAD for `b ≥ 1e18`, rounded down at every step (`docs/equity.md`, "G(h, Δt) to the wei"): the series
 * `2·atanh(z)` with `z = (b − 1)/(b + 1)`, summing `z^i / i` over odd `i` until a term truncates to zero.
 */
export function lnDown(b: bigint): bigint {
  if (b < WAD) throw new RangeError("lnDown: b must be at least 1e18");
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
export function expDown(y: bigint): bigint {
  if (y < 0n) throw new RangeError("expDown: y must be non-negative");
  let term = WAD;
  let sum = WAD;
  for (let i = 1n; ; i++) {
    term = (term * y) / (i * WAD);
    if (term === 0n) break;
    sum += term;
  }
  return sum;
}

/** `bⁿ` in WAD by squaring, each product rounded down (the base is squared after every step, as the page says). */
export function powDown(b: bigint, n: bigint): bigint {
  if (b < 0n || n < 0n) throw new RangeError("powDown: operands must be non-negative");
  let result = WAD;
  let base = b;
  let e = n;
  while (e > 0n) {
    if ((e & 1n) === 1n) result = (result * base) / WAD;
    base = (base * base) / WAD;
    e >>= 1n;
  }
  return result;
}

/**
 * `G(h, Δt) = (1 + h)^(Δt / YEAR)` in WAD, rounded down: whole years by squaring, the fraction of a year as
 * `e^(f·ln(1 + h)/YEAR)`. `h` is an annual rate in WAD (0.15e18 = 15 %), `dt` seconds; `G(h, 0) = G(0, Δt) = 1e18`.
 */
export function growthDown(h: bigint, dt: bigint): bigint {
  if (h < 0n || dt < 0n) throw new RangeError("growthDown: operands must be non-negative");
  const b = WAD + h;
  const n = dt / YEAR;
  const f = dt % YEAR;
  const y = (f * lnDown(b)) / YEAR;
  return (powDown(b, n) * expDown(y)) / WAD;
}

/**
 * Preferred return accrued over `dt` seconds at `rate` (WAD a year) on the unreturned capital, plus on the unpaid
 * preferred return when it compounds: `⌊(U + (compounding ? P : 0))·rate·Δt / (YEAR·1e18)⌋`.
 */
export function prefAccrualDown(
  unreturned: bigint,
  unpaid: bigint,
  rate: bigint,
  compounding: boolean,
  dt: bigint,
): bigint {
  const base = unreturned + (compounding ? unpaid : 0n);
  return (base * rate * dt) / (YEAR * WAD);
}

/** A hurdle balance grown at `h` over `dt` seconds: `⌊H·G(h, Δt) / 1e18⌋`. */
export function hurdleGrowthDown(balance: bigint, h: bigint, dt: bigint): bigint {
  return (balance * growthDown(h, dt)) / WAD;
}

/**
 * What a catch-up tier needs (`sponsorBps` c of its cash to the sponsor until it holds `targetBps` t of all profit):
 * `⌈(t·T − 10,000·S) / (c − t)⌉` while `10,000·S < t·T`, else 0. After it is paid the sponsor holds at least t.
 */
export function catchUpNeedUp(
  sponsorBps: bigint,
  targetBps: bigint,
  sponsorProfit: bigint,
  totalProfit: bigint,
): bigint {
  const gap = targetBps * totalProfit - BPS * sponsorProfit;
  if (gap <= 0n) return 0n;
  const d = sponsorBps - targetBps;
  if (d <= 0n) throw new RangeError("catchUpNeedUp: the sponsor's share must exceed the target");
  return (gap + d - 1n) / d;
}

/**
 * What a hurdled split (`sponsorBps` σ) needs to bring its LP classes' hurdle balances, `n` in all, to zero:
 * `⌈n·10,000 / (10,000 − σ)⌉`, of which the LP classes get `⌊x·(10,000 − σ)/10,000⌋ = n` exactly.
 */
export function splitNeedUp(n: bigint, sponsorBps: bigint): bigint {
  const d = BPS - sponsorBps;
  if (d <= 0n) throw new RangeError("splitNeedUp: the sponsor's share must be below 100 %");
  return (n * BPS + d - 1n) / d;
}

/** The LP classes' part of `x` in a tier giving `sponsorBps` to the sponsor: `⌊x·(10,000 − s)/10,000⌋`. */
export function lpShareDown(x: bigint, sponsorBps: bigint): bigint {
  return (x * (BPS - sponsorBps)) / BPS;
}

/**
 * `amount` shared among the classes of `mask` (bit j: class j) pro rata on `weights`, each share rounded down; the
 * dust (fewer units than classes) goes to the classes from the most junior up, each up to what the tier owes it,
 * `caps[j]` less its share — or, without caps (weights on contributed capital), all of it to the most junior class
 * with a weight. The shares sum to `amount` whenever `amount ≤ Σ caps` (with caps) or some weight is positive.
 */
export function proRataDown(
  amount: bigint,
  mask: number,
  weights: readonly bigint[],
  caps?: readonly bigint[],
): bigint[] {
  const shares = weights.map(() => 0n);
  let total = 0n;
  for (let j = 0; j < weights.length; j++) if (inMask(mask, j)) total += weights[j];
  if (amount === 0n || total === 0n) return shares;
  let dust = amount;
  for (let j = 0; j < weights.length; j++) {
    if (!inMask(mask, j)) continue;
    shares[j] = (amount * weights[j]) / total;
    dust -= shares[j];
  }
  for (let j = weights.length - 1; j >= 0 && dust > 0n; j--) {
    if (!inMask(mask, j) || weights[j] === 0n) continue;
    const room = caps === undefined ? dust : caps[j] - shares[j];
    const add = room < dust ? room : dust;
    if (add <= 0n) continue;
    shares[j] += add;
    dust -= add;
  }
  return shares;
}

/** `amount` paid to the classes of `mask` in rank order (class 0 first), each up to `owed[j]`. */
export function byRankDown(amount: bigint, mask: number, owed: readonly bigint[]): bigint[] {
  let left = amount;
  return owed.map((o, j) => {
    if (!inMask(mask, j) || left === 0n) return 0n;
    const x = o < left ? o : left;
    left -= x;
    return x;
  });
}

/** Whether class `j` is in the bitmask `mask`. */
export function inMask(mask: number, j: number): boolean {
  return ((mask >>> j) & 1) === 1;
}
