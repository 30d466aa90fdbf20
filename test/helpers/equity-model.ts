/**
 * Builders of equity waterfalls for the SDK's equity tests (test/sdk/equityWaterfall.ts, equityDifferential.ts):
 * a seeded generator, one builder per tier kind, and random waterfalls every rule of `TermSheetLib` accepts.
 */
import { EquityTier, WAD, type EquityTerms, type EquityTierTerms } from "../../sdk/index.js";

const PCT = WAD / 100n;

/** Deterministic PRNG (mulberry32), as test/sdk/differential.ts. */
export function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  const big = (lo: bigint, hi: bigint) =>
    lo + (BigInt(Math.floor(next() * 2 ** 48)) * (hi - lo)) / 2n ** 48n;
  return { next, int, big };
}
export type Rng = ReturnType<typeof rng>;

export function tier(
  kind: number,
  classes: number,
  more: Partial<EquityTierTerms> = {},
): EquityTierTerms {
  return {
    kind,
    classes,
    byRank: false,
    compounding: false,
    sponsorBps: 0,
    targetBps: 0,
    rate: 0n,
    ...more,
  };
}
export const roc = (classes: number, byRank = false) =>
  tier(EquityTier.ReturnOfCapital, classes, { byRank });
export const pref = (classes: number, rate: bigint, more: Partial<EquityTierTerms> = {}) =>
  tier(EquityTier.PreferredReturn, classes, { rate, ...more });
export const catchUp = (classes: number, sponsorBps: number, targetBps: number) =>
  tier(EquityTier.CatchUp, classes, { sponsorBps, targetBps });
export const split = (classes: number, sponsorBps: number, hurdle = 0n) =>
  tier(EquityTier.Split, classes, { sponsorBps, rate: hurdle });

/**
 * A random waterfall over `n` equity classes that the term sheet's rules accept: a random sponsor, 0–7 tiers of any
 * kind in any order (a class in at most one preferred-return tier at 0.1–100 %, catch-ups with a share above their
 * target, at most three hurdled splits whose hurdles increase by 0.5–20.5 % each), then the last split.
 */
export function randomEquityTerms(r: Rng, n: number): EquityTerms {
  const sponsor = r.int(0, n - 1);
  const all = (1 << n) - 1;
  const lps = all & ~(1 << sponsor);
  const subset = (mask: number) => {
    for (;;) {
      const m = r.int(1, all) & mask;
      if (m !== 0) return m;
    }
  };
  const tiers: EquityTierTerms[] = [];
  let prefed = 0;
  let hurdles = 0;
  const count = r.int(0, 7);
  for (let i = 0; i < count; i++) {
    const kind = r.int(0, 3);
    if (kind === EquityTier.ReturnOfCapital) tiers.push(roc(subset(all), r.next() < 0.3));
    else if (kind === EquityTier.PreferredReturn && (all & ~prefed) !== 0) {
      const m = subset(all & ~prefed);
      prefed |= m;
      tiers.push(
        pref(m, r.big(PCT / 10n, WAD), { byRank: r.next() < 0.3, compounding: r.next() < 0.5 }),
      );
    } else if (kind === EquityTier.CatchUp) {
      const target = r.int(1, 9_999);
      tiers.push(catchUp(subset(lps), r.int(target + 1, 10_000), target));
    } else if (kind === EquityTier.Split && hurdles < 3) {
      hurdles++;
      tiers.push(split(subset(lps), r.int(0, 9_999), 1n));
    }
  }
  // Hurdles strictly increasing in order.
  let h = 0n;
  for (const t of tiers)
    if (t.kind === EquityTier.Split) {
      h += r.big(PCT / 2n, 20n * PCT);
      t.rate = h;
    }
  tiers.push(split(subset(lps), r.int(0, 10_000)));
  return { sponsorClass: sponsor, tiers };
}
