import { expect } from "chai";

import {
  K,
  M,
  YEAR,
  capitalEvent,
  growthDown,
  networkHelpers,
  pct,
  repaidDeal,
  statementOf,
  type EquityDeal,
  type EquityStatement,
} from "../helpers/equity-fixtures.js";
import {
  DAY,
  USDC,
  WAD,
  catchUp,
  preferredReturn,
  returnOfCapital,
  split,
  type EquityTierInput,
} from "../helpers/fixtures.js";

/** Classes 0 and 1 (LP), 2 (sponsor). */
const LP = 0b011;
const ALL = 0b111;
const BPS = 10_000n;

const terms = (tiers: EquityTierInput[], sponsorClass = 2) => ({ sponsorClass, tiers });

/** Row `t` of a statement of three classes. */
const row = (s: EquityStatement, t: number) => s.paid.slice(t * 3, t * 3 + 3);

/** ⌊x × w_j / Σw⌋ per class of `mask`, the dust from the most junior up, each up to `cap` (or all of it). */
function proRata(x: bigint, weights: bigint[], mask: number, capped: boolean): bigint[] {
  const inMask = (j: number) => ((mask >> j) & 1) === 1;
  const sum = weights.reduce((a, w, j) => a + (inMask(j) ? w : 0n), 0n);
  const shares = weights.map((w, j) => (inMask(j) && x !== 0n ? (x * w) / sum : 0n));
  let dust = x - shares.reduce((a, b) => a + b, 0n);
  for (let j = weights.length - 1; j >= 0 && dust > 0n; j--) {
    if (!inMask(j) || weights[j] === 0n) continue;
    const room = capped ? weights[j] - shares[j] : dust;
    const d = dust < room ? dust : room;
    shares[j] += d;
    dust -= d;
  }
  return shares;
}

/** Time of a capital event `days` after the deal's start. */
const at = (f: EquityDeal, days: bigint) => f.h.terms.start + days * DAY;

describe("EquityWaterfall", function () {
  describe("tiers", function () {
    it("test_returnOfCapital_proRataOnUnreturned_dustToTheMostJuniorClass", async function () {
      const faces = [USDC + 1n, 2n * USDC + 1n, 3n * USDC + 1n];
      const tiers = [returnOfCapital(ALL), split(LP, 0)];
      const f = await repaidDeal(terms(tiers), { faces });
      const x = 1_000_000n;
      const s = statementOf(f, await capitalEvent(f, x, at(f, 40n)));
      const expected = proRata(x, faces, ALL, true);
      // ⌊x·C_j / ΣC⌋ = 166 666, 333 333, 500 000: one unit of dust, to class 2.
      expect(expected).to.deep.equal([166_666n, 333_333n, 500_001n]);
      expect(row(s, 0)).to.deep.equal(expected);
      expect(s.unreturned).to.deep.equal(faces.map((c, j) => c - expected[j]));
      // Return of capital is not profit.
      expect([s.profit, s.sponsorProfit]).to.deep.equal([0n, 0n]);
    });

    it("test_returnOfCapital_byRank_seniorClassFirst_thenTheLastSplit", async function () {
      const tiers = [returnOfCapital(ALL, true), split(LP, 2_000)];
      const f = await repaidDeal(terms(tiers));
      const s = statementOf(f, await capitalEvent(f, 2n * M, at(f, 40n)));
      expect(row(s, 0)).to.deep.equal([M, M, 0n]);
      expect(s.unreturned).to.deep.equal([0n, M, 100n * K]);
      const rest = statementOf(f, await capitalEvent(f, 1_200n * K, at(f, 50n)));
      // 1 000 000 more of LP common, 100 000 of the sponsor's capital, then 100 000 split 80/20 on contributions.
      expect(row(rest, 0)).to.deep.equal([0n, M, 100n * K]);
      const lp = (100n * K * 8_000n) / BPS;
      expect(row(rest, 1)).to.deep.equal([
        ...proRata(lp, [M, 2n * M, 100n * K], LP, false).slice(0, 2),
        20n * K,
      ]);
      expect(rest.profit).to.equal(100n * K);
      expect(rest.sponsorProfit).to.equal(20n * K);
    });

    it("test_preferredReturn_simple_accruesOnUnreturnedCapital", async function () {
      const tiers = [preferredReturn(LP, pct(8n)), split(LP, 2_000)];
      const f = await repaidDeal(terms(tiers));
      const dt = 100n * DAY;
      const owed = [M, 2n * M].map((c) => (c * pct(8n) * dt) / (YEAR * WAD));
      const x = 10n * USDC;
      const s = statementOf(f, await capitalEvent(f, x, at(f, 100n)));
      const paid = proRata(x, [...owed, 0n], LP, true);
      expect(row(s, 0)).to.deep.equal(paid);
      expect(s.prefOwed).to.deep.equal([owed[0] - paid[0], owed[1] - paid[1], 0n]);
      // Simple: the next accrual is on unreturned capital only (unpaid preferred return earns nothing).
      const s2 = statementOf(f, await capitalEvent(f, 1n, at(f, 200n)));
      const more = [M, 2n * M].map((c) => (c * pct(8n) * dt) / (YEAR * WAD));
      const owed2 = [0, 1].map((j) => s.prefOwed[j] + more[j]);
      const paid2 = proRata(1n, [...owed2, 0n], LP, true);
      expect(s2.prefOwed).to.deep.equal([owed2[0] - paid2[0], owed2[1] - paid2[1], 0n]);
      expect(s2.profit).to.equal(x + 1n);
    });

    it("test_preferredReturn_compounding_accruesOnUnpaidPreferredReturnToo", async function () {
      const tiers = [preferredReturn(LP, pct(10n), true), split(LP, 2_000)];
      const f = await repaidDeal(terms(tiers));
      const dt = 365n * DAY;
      const s = statementOf(f, await capitalEvent(f, 1n, at(f, 365n)));
      const first = [M, 2n * M].map((c) => (c * pct(10n) * dt) / (YEAR * WAD));
      const paid = proRata(1n, [...first, 0n], LP, true);
      const p = [first[0] - paid[0], first[1] - paid[1]];
      expect(s.prefOwed.slice(0, 2)).to.deep.equal(p);
      const s2 = statementOf(f, await capitalEvent(f, 1n, at(f, 730n)));
      const second = [M, 2n * M].map((c, j) => p[j] + ((c + p[j]) * pct(10n) * dt) / (YEAR * WAD));
      const paid2 = proRata(1n, [...second, 0n], LP, true);
      expect(s2.prefOwed.slice(0, 2)).to.deep.equal([second[0] - paid2[0], second[1] - paid2[1]]);
    });

    it("test_preferredReturn_byRank", async function () {
      const tiers = [preferredReturn(LP, pct(8n), false, true), split(LP, 2_000)];
      const f = await repaidDeal(terms(tiers));
      const dt = 365n * DAY;
      const owed0 = (M * pct(8n) * dt) / (YEAR * WAD);
      const s = statementOf(f, await capitalEvent(f, owed0 + 5n, at(f, 365n)));
      expect(row(s, 0)).to.deep.equal([owed0, 5n, 0n]);
    });

    it("test_catchUp_halfToTheSponsor_untilItHoldsTheTarget", async function () {
      const tiers = [preferredReturn(LP, pct(8n)), catchUp(LP, 5_000, 2_000), split(LP, 2_000)];
      const f = await repaidDeal(terms(tiers));
      const dt = 365n * DAY;
      const pref = [M, 2n * M].map((c) => (c * pct(8n) * dt) / (YEAR * WAD));
      const profit = pref[0] + pref[1];
      // Need ⌈(t·T − 10 000·S) / (c − t)⌉ with S = 0: the sponsor then holds at least 20 % of all profit.
      const need = (2_000n * profit + 2_999n) / 3_000n;
      const partial = need / 2n;
      const s = statementOf(f, await capitalEvent(f, profit + partial, at(f, 365n)));
      const lp = (partial * 5_000n) / BPS;
      const lpShares = proRata(lp, [M, 2n * M, 100n * K], LP, false);
      expect(row(s, 1)).to.deep.equal([lpShares[0], lpShares[1], partial - lp]);
      expect(s.sponsorProfit).to.equal(partial - lp);
      // The rest of the need, then the split.
      const t2 = profit + partial;
      const s2 = statementOf(f, await capitalEvent(f, M, at(f, 366n)));
      const pref2 = [M, 2n * M].map((c) => (c * pct(8n) * DAY) / (YEAR * WAD));
      const T = t2 + pref2[0] + pref2[1];
      const need2 = (2_000n * T - 10_000n * (partial - lp) + 2_999n) / 3_000n;
      const c = row(s2, 1);
      expect(c[0] + c[1] + c[2]).to.equal(need2);
      const afterCatchUp = T + need2;
      const sponsor = partial - lp + c[2];
      expect(10_000n * sponsor).to.be.at.least(2_000n * afterCatchUp);
      expect(row(s2, 2)[2]).to.be.greaterThan(0n);
    });

    it("test_split_hurdle_lpClassesGetExactlyTheirBalances_thenTheLastSplit", async function () {
      const tiers = [split(LP, 2_000, pct(15n)), split(LP, 3_000)];
      const f = await repaidDeal(terms(tiers));
      const dt = 200n * DAY;
      const g = growthDown(pct(15n), dt);
      const h = [M, 2n * M].map((c) => (c * g) / WAD);
      const need = h[0] + h[1];
      const x = (need * BPS + 7_999n) / 8_000n;
      const s = statementOf(f, await capitalEvent(f, x + 1_000n * USDC, at(f, 200n)));
      // The LP share of x is exactly N: each LP class gets its balance, every balance reaches zero at once.
      expect(row(s, 0)).to.deep.equal([h[0], h[1], x - need]);
      expect(s.hurdles).to.deep.equal([0n, 0n, 0n]);
      const rest = 1_000n * USDC;
      const lp = (rest * 7_000n) / BPS;
      const shares = proRata(lp, [M, 2n * M, 100n * K], LP, false);
      expect(row(s, 1)).to.deep.equal([shares[0], shares[1], rest - lp]);
      // Met: the next amount skips it (the balances grow from zero to zero).
      const s2 = statementOf(f, await capitalEvent(f, 10n * USDC, at(f, 300n)));
      expect(row(s2, 0)).to.deep.equal([0n, 0n, 0n]);
    });

    it("test_split_hurdle_partial_balancesFallByWhatEachClassReceived", async function () {
      const tiers = [split(LP, 2_000, pct(15n)), split(LP, 3_000)];
      const f = await repaidDeal(terms(tiers));
      const g = growthDown(pct(15n), 100n * DAY);
      const h = [M, 2n * M].map((c) => (c * g) / WAD);
      const x = 500n * K;
      const s = statementOf(f, await capitalEvent(f, x, at(f, 100n)));
      const lp = (x * 8_000n) / BPS;
      const shares = proRata(lp, [...h, 0n], LP, true);
      expect(row(s, 0)).to.deep.equal([shares[0], shares[1], x - lp]);
      expect(s.hurdles).to.deep.equal([h[0] - shares[0], h[1] - shares[1], 0n]);
      // A year later the balances have grown by G(15 %, 1 year) = 1.15 exactly.
      expect(growthDown(pct(15n), YEAR)).to.equal(WAD + pct(15n));
      const s2 = statementOf(f, await capitalEvent(f, 1n, at(f, 465n)));
      const grown = [0, 1].map((j) => (s.hurdles[j] * (WAD + pct(15n))) / WAD);
      const lp2 = (1n * 8_000n) / BPS;
      expect(lp2).to.equal(0n);
      expect(s2.hurdles.slice(0, 2)).to.deep.equal(grown);
    });

    it("test_lastTierWithoutHolders_theRemainderGoesProRataToEveryClassWithTokens", async function () {
      // The last split's LP class (1) and the sponsor (2) sold nothing: class 0 takes everything left.
      const tiers = [returnOfCapital(0b001), split(0b010, 2_000)];
      const f = await repaidDeal(terms(tiers), { subscribed: [M, 0n, 0n] });
      const s = statementOf(f, await capitalEvent(f, M + 7n, at(f, 40n)));
      expect(row(s, 0)).to.deep.equal([M, 0n, 0n]);
      // Recorded in the last tier's row.
      expect(row(s, 1)).to.deep.equal([7n, 0n, 0n]);
      expect(s.profit).to.equal(7n);
    });

    it("test_sponsorWithoutTokens_catchUpNeedsNothing_splitsGoToTheLpClasses", async function () {
      const tiers = [
        preferredReturn(LP, pct(8n)),
        catchUp(LP, 10_000, 2_000),
        split(LP, 2_000, pct(15n)),
        split(LP, 3_000),
      ];
      const f = await repaidDeal(terms(tiers), { subscribed: [M, 2n * M, 0n] });
      const s = statementOf(f, await capitalEvent(f, 4n * M, at(f, 365n)));
      expect(row(s, 1)).to.deep.equal([0n, 0n, 0n]);
      // The hurdled split pays the LP classes their balances (X = N: no sponsor share), the last split the rest.
      const g = growthDown(pct(15n), YEAR);
      const pref = [M, 2n * M].map((c) => (c * pct(8n) * YEAR) / (YEAR * WAD));
      const h = [M, 2n * M].map((c, j) => (c * g) / WAD - pref[j]);
      expect(row(s, 2)).to.deep.equal([h[0], h[1], 0n]);
      expect(row(s, 3)[2]).to.equal(0n);
      expect(s.sponsorProfit).to.equal(0n);
      expect(s.paid.reduce((a, b) => a + b, 0n)).to.equal(4n * M);
    });

    it("test_lpClassWithoutTokens_takesNoShare", async function () {
      const tiers = [returnOfCapital(LP), catchUp(LP, 10_000, 2_000), split(LP, 2_000)];
      const f = await repaidDeal(terms(tiers), { subscribed: [0n, 2n * M, 100n * K] });
      const s = statementOf(f, await capitalEvent(f, 3n * M, at(f, 40n)));
      expect(row(s, 0)).to.deep.equal([0n, 2n * M, 0n]);
      // Profit 0 before the catch-up: it needs nothing; the split gives class 1 the LP share.
      expect(row(s, 1)).to.deep.equal([0n, 0n, 0n]);
      expect(row(s, 2)).to.deep.equal([0n, (M * 8_000n) / BPS, M - (M * 8_000n) / BPS]);
    });

    it("test_time_accrualFromTheDealsStart_whateverTheFirstAmountsDate", async function () {
      const tiers = [preferredReturn(LP, pct(8n)), split(LP, 2_000)];
      const f = await repaidDeal(terms(tiers));
      const s = statementOf(f, await capitalEvent(f, 1n, at(f, 73n)));
      const owed = [M, 2n * M].map((c) => (c * pct(8n) * 73n * DAY) / (YEAR * WAD));
      expect(s.prefOwed[0] + s.prefOwed[1]).to.equal(owed[0] + owed[1] - 1n);
      expect(s.time).to.equal(at(f, 73n));
      expect(await f.waterfall.lastAccrual()).to.equal(at(f, 73n));
    });
  });
});
