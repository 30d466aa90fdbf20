// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {EquityTier, EquityTierTerms} from "../../contracts/interfaces/ICascadeTypes.sol";
import {EquityMath} from "../../contracts/libraries/EquityMath.sol";
import {EquityTierWord, EquityTierWordLib} from "../../contracts/libraries/EquityTierWord.sol";

import {Assertions} from "./utils/Assertions.sol";
import {TestBase} from "./utils/Vm.sol";

/*
 * Properties of the equity waterfall's math (contracts/libraries/EquityMath.sol, docs/equity.md).
 *
 * Growth factor G(h, Δt):
 *   G1  G(h, 0) = 1 and G(h, n years) = bⁿ exactly (each product rounded down), b = 1 + h: a whole year grows a
 *       balance by exactly 1 + h.
 *   G2  G is non-decreasing in Δt, and within a year it stays in [1, 1 + h].
 *   G3  ln b by the atanh series is ln 2 to 2e-17 for h = 100 %, and e^(ln b) returns b to 1e-16.
 *   G4  Growth saturates: no input reverts, and the result never exceeds 2¹²⁸ − 1.
 *
 * Allocation (allocateDown):
 *   A1  Conservation: the shares sum to x.
 *   A2  Capped shares never exceed their weight; a class outside the mask or with a zero weight takes nothing.
 *   A3  Dust home: every share is its pro-rata floor plus dust; the dust (fewer units than classes) goes from the
 *       most junior class up, so a class gets dust only when every more junior class of the mask with a weight is
 *       at its cap (capped) — or, uncapped, it is the most junior class with a weight, and only it gets dust.
 *
 * The tiers (run), on random valid waterfalls (2 – 7 classes, 1 – 8 tiers, any sponsor), random states and cash:
 *   R1  Conservation: the statement sums exactly to the cash, and each class's total is its column's sum.
 *   R2  Tier order: a tier pays only once every earlier ReturnOfCapital and PreferredReturn tier is fully paid
 *       (no catch-up or promote before the preferred return is paid) and every earlier hurdled split's LP
 *       balances are zero (no split tier before its hurdle is met).
 *   R3  Monotone: a run never raises a hurdle balance, unreturned capital or unpaid preferred return; accrual never
 *       lowers a hurdle balance or a preferred return.
 *   R4  Profit: T rises by exactly what was paid other than returned capital, S by the sponsor's part of it.
 *   R5  A class without tokens takes nothing.
 *
 * Invariants (EquityMathHandler: random accruals and amounts through the worked waterfall of three classes):
 *   I1  Every amount is paid out exactly: Σ statements = Σ cash.
 *   I2  Hurdle balances move only by growth (up) and payments (down).
 *   I3  The sponsor's profit is at most all profit, and at least its target share once a catch-up has run fully.
 */
contract EquityMathTest is TestBase, Assertions {
    uint256 internal constant WAD = 1e18;
    uint256 internal constant YEAR = 365 days;
    uint256 internal constant MAX = type(uint128).max;

    // ------------------------------------------------------------------ G1 – G4

    /// G1
    function test_growthDown_wholeYearsAreExactPowers() public pure {
        uint256 h = 0.15e18;
        assertEq(EquityMath.growthDown(h, EquityMath.lnWad(WAD + h), 0), WAD, "G1: G(h, 0)");
        assertEq(EquityMath.growthDown(h, EquityMath.lnWad(WAD + h), YEAR), WAD + h, "G1: one year");
        uint256 b2 = ((WAD + h) * (WAD + h)) / WAD;
        assertEq(EquityMath.growthDown(h, EquityMath.lnWad(WAD + h), 2 * YEAR), b2, "G1: two years");
        assertEq(EquityMath.powWad(WAD + h, 3), (b2 * (WAD + h)) / WAD, "G1: three years");
    }

    /// G1 G2
    function testFuzz_growthDown_monotoneAndBounded(uint256 h, uint256 dt1, uint256 dt2) public pure {
        h = bound(h, 1, WAD);
        dt1 = bound(dt1, 0, 10 * YEAR);
        dt2 = bound(dt2, dt1, 10 * YEAR);
        uint256 ln = EquityMath.lnWad(WAD + h);
        uint256 g1 = EquityMath.growthDown(h, ln, dt1);
        uint256 g2 = EquityMath.growthDown(h, ln, dt2);
        assertLe(g1, g2, "G2: non-decreasing in time");
        assertGe(g1, WAD, "G2: at least 1");
        uint256 within = EquityMath.growthDown(h, ln, dt1 % YEAR);
        assertLe(within, WAD + h, "G2: within a year at most 1 + h");
        assertEq(
            EquityMath.growthDown(h, ln, (dt1 / YEAR) * YEAR),
            EquityMath.powWad(WAD + h, dt1 / YEAR),
            "G1: whole years"
        );
    }

    /// G3
    function test_lnWad_andExpWad_areAccurate() public pure {
        uint256 ln2 = EquityMath.lnWad(2 * WAD);
        // ln 2 = 0.693147180559945309417…
        assertGe(ln2, 693_147_180_559_945_290, "G3: ln 2 from below");
        assertLe(ln2, 693_147_180_559_945_309, "G3: ln 2 rounds down");
        uint256 e = EquityMath.expWad(ln2);
        assertGe(e, 2 * WAD - 100, "G3: e^(ln 2)");
        assertLe(e, 2 * WAD, "G3: e^(ln 2) rounds down");
        assertEq(EquityMath.lnWad(WAD), 0, "G3: ln 1");
        assertEq(EquityMath.expWad(0), WAD, "G3: e^0");
    }

    /// G4
    function testFuzz_growthDown_saturates(uint256 h, uint256 dt, uint256 balance) public pure {
        h = bound(h, 1, WAD);
        dt = bound(dt, 0, type(uint64).max);
        balance = bound(balance, 0, MAX);
        uint256 g = EquityMath.growthDown(h, EquityMath.lnWad(WAD + h), dt);
        assertLe(g, MAX, "G4: G capped");
        assertLe(EquityMath.grownDown(balance, g), MAX, "G4: balance capped");
        if (dt >= 200 * YEAR && h >= WAD / 2) assertEq(g, MAX, "G4: two centuries at 50 % saturate");
    }

    // ------------------------------------------------------------------ A1 – A3

    /// A1 A2 A3
    function testFuzz_allocateDown_conservesCapsAndSendsDustHome(
        uint256[7] memory rawWeights,
        uint256 n,
        uint256 mask,
        uint256 x,
        bool capped
    ) public pure {
        n = bound(n, 1, 7);
        mask = bound(mask, 1, (1 << n) - 1);
        uint256[7] memory w;
        uint256 sum;
        for (uint256 j; j < n; ++j) {
            // Small weights half the time, so dust and caps bind.
            w[j] = rawWeights[j] % 2 == 0 ? bound(rawWeights[j], 0, 10) : bound(rawWeights[j], 0, MAX / 8);
            if ((mask >> j) & 1 == 1) sum += w[j];
        }
        vm.assume(sum != 0);
        x = bound(x, 0, capped ? sum : MAX);
        uint256[7] memory shares;
        EquityMath.allocateDown(x, w, mask, capped, shares);

        uint256 total;
        uint256 floors;
        uint256 lastWithWeight = type(uint256).max;
        for (uint256 j; j < n; ++j) {
            total += shares[j];
            bool member = (mask >> j) & 1 == 1;
            if (!member || w[j] == 0) {
                assertEq(shares[j], 0, "A2: outside the mask or no weight: nothing");
                continue;
            }
            lastWithWeight = j;
            if (capped) assertLe(shares[j], w[j], "A2: capped at the weight");
            uint256 floor = (x * w[j]) / sum;
            assertGe(shares[j], floor, "A3: at least the pro-rata floor");
            floors += floor;
        }
        assertEq(total, x, "A1: shares sum to x");
        assertLt(x - floors, n, "A3: fewer units of dust than classes");
        // A3: a class with dust has every more junior class of the mask (with a weight) at its cap; uncapped, only the
        // most junior class with a weight has dust.
        for (uint256 j; j < n; ++j) {
            if ((mask >> j) & 1 == 0 || w[j] == 0 || shares[j] == (x * w[j]) / sum) continue;
            if (!capped) {
                assertEq(j, lastWithWeight, "A3: uncapped dust to the most junior class");
                continue;
            }
            for (uint256 k = j + 1; k < n; ++k) {
                if ((mask >> k) & 1 == 1 && w[k] != 0) assertEq(shares[k], w[k], "A3: junior classes first");
            }
        }
    }

    // ------------------------------------------------------------------ R1 – R5

    /// @dev Fuzz input of one run: the waterfall's shape and its state.
    struct RawRun {
        uint256 n;
        uint256 sponsor;
        uint256 tierCount;
        uint256[8] tierSeeds;
        uint256[7] contributed;
        uint256[7] unreturned;
        uint256[7] pref;
        uint256[21] hurdles;
        uint256 profit;
        uint256 sponsorProfit;
        uint256 cash;
    }

    /// R1 – R5
    function testFuzz_run_conservesInOrderMonotone(RawRun memory raw) public view {
        (EquityMath.State memory s, EquityTierWord[] memory tiers) = _build(raw);
        EquityMath.State memory before = _copy(s);
        uint256 cash = bound(raw.cash, 0, MAX / 2);
        EquityMath.Payout memory out = EquityMath.run(s, tiers, cash);
        _checkRun(before, s, tiers, out, cash);
    }

    /// R3: accrual only grows preferred return and hurdle balances.
    function testFuzz_accrue_onlyGrows(RawRun memory raw, uint256 dt) public pure {
        (EquityMath.State memory s, EquityTierWord[] memory tiers) = _build(raw);
        EquityMath.State memory before = _copy(s);
        EquityMath.accrue(s, tiers, bound(dt, 0, 30 * YEAR));
        for (uint256 k; k < s.hurdleCount; ++k) {
            for (uint256 j; j < s.classCount; ++j) assertGe(s.hurdles[k][j], before.hurdles[k][j], "R3: H grows");
        }
        for (uint256 j; j < s.classCount; ++j) {
            assertGe(s.pref[j], before.pref[j], "R3: P grows");
            assertEq(s.unreturned[j], before.unreturned[j], "R3: accrual leaves U");
        }
    }

    function _checkRun(
        EquityMath.State memory before,
        EquityMath.State memory s,
        EquityTierWord[] memory tiers,
        EquityMath.Payout memory out,
        uint256 cash
    ) private pure {
        uint256 n = s.classCount;
        uint256 sum;
        uint256 capital;
        uint256[] memory column = new uint256[](n);
        for (uint256 t; t < tiers.length; ++t) {
            for (uint256 j; j < n; ++j) {
                uint256 paid = out.paid[t][j];
                sum += paid;
                column[j] += paid;
                if (tiers[t].kind() == EquityTier.ReturnOfCapital) capital += paid;
            }
        }
        assertEq(sum, cash, "R1: the statement sums to the cash");
        for (uint256 j; j < n; ++j) {
            assertEq(out.total[j], column[j], "R1: totals are the columns");
            if (s.contributed[j] == 0) assertEq(out.total[j], 0, "R5: no tokens, no share");
            assertLe(s.unreturned[j], before.unreturned[j], "R3: U never rises");
            assertLe(s.pref[j], before.pref[j], "R3: P never rises");
        }
        for (uint256 k; k < s.hurdleCount; ++k) {
            for (uint256 j; j < n; ++j) assertLe(s.hurdles[k][j], before.hurdles[k][j], "R3: H never rises");
        }
        assertEq(s.profit - before.profit, cash - capital, "R4: profit is what is not capital");
        uint256 sponsorCapital;
        for (uint256 t; t < tiers.length; ++t) {
            if (tiers[t].kind() == EquityTier.ReturnOfCapital) sponsorCapital += out.paid[t][s.sponsor];
        }
        assertEq(
            s.sponsorProfit - before.sponsorProfit,
            out.total[s.sponsor] - sponsorCapital,
            "R4: the sponsor's profit"
        );
        _checkOrder(s, tiers, out);
    }

    /// R2: once a later tier paid, every earlier return of capital and preferred return is paid in full, and every
    /// earlier hurdle is met.
    function _checkOrder(
        EquityMath.State memory s,
        EquityTierWord[] memory tiers,
        EquityMath.Payout memory out
    ) private pure {
        uint256 n = s.classCount;
        for (uint256 t = 1; t < tiers.length; ++t) {
            uint256 rowSum;
            for (uint256 j; j < n; ++j) rowSum += out.paid[t][j];
            if (rowSum == 0) continue;
            for (uint256 e; e < t; ++e) {
                EquityTierWord tier = tiers[e];
                for (uint256 j; j < n; ++j) {
                    if ((tier.classes() >> j) & 1 == 0) continue;
                    if (tier.kind() == EquityTier.ReturnOfCapital) {
                        assertEq(s.unreturned[j], 0, "R2: capital returned before a later tier");
                    } else if (tier.kind() == EquityTier.PreferredReturn) {
                        assertEq(s.pref[j], 0, "R2: preferred return paid before a later tier");
                    } else if (tier.hurdled()) {
                        assertEq(s.hurdles[tier.hurdle()][j], 0, "R2: hurdle met before a later tier");
                    }
                }
            }
        }
    }

    // ------------------------------------------------------------------ building random waterfalls

    /// @dev A valid waterfall (as TermSheetLib accepts) and a consistent state from `raw`: classes without tokens have
    /// no capital, preferred return or hurdle balance; unreturned capital is at most the contribution.
    function _build(
        RawRun memory raw
    ) internal pure returns (EquityMath.State memory s, EquityTierWord[] memory tiers) {
        uint256 n = bound(raw.n, 2, 7);
        uint256 sponsor = bound(raw.sponsor, 0, n - 1);
        tiers = _tiers(raw, n, sponsor);
        s.classCount = n;
        s.sponsor = sponsor;
        uint256 hurdleCount;
        for (uint256 t; t < tiers.length; ++t) {
            if (tiers[t].hurdled()) ++hurdleCount;
        }
        s.hurdleCount = hurdleCount;
        for (uint256 t; t < tiers.length; ++t) {
            if (tiers[t].hurdled()) s.hurdleClasses[tiers[t].hurdle()] = tiers[t].classes();
        }
        bool anyTokens;
        for (uint256 j; j < n; ++j) {
            // A quarter of the classes hold no tokens (an offering that failed).
            uint256 c = raw.contributed[j] % 4 == 0 ? 0 : bound(raw.contributed[j], 1, type(uint96).max);
            if (c != 0) anyTokens = true;
            s.contributed[j] = c;
            if (c == 0) continue;
            s.unreturned[j] = bound(raw.unreturned[j], 0, c);
            s.pref[j] = bound(raw.pref[j], 0, type(uint112).max);
            for (uint256 k; k < hurdleCount; ++k) {
                if ((s.hurdleClasses[k] >> j) & 1 == 1) s.hurdles[k][j] = bound(raw.hurdles[k * 7 + j], 0, MAX / 8);
            }
        }
        if (!anyTokens) {
            s.contributed[0] = 1;
            s.unreturned[0] = 1;
        }
        // Classes outside every preferred-return tier have none.
        uint256 prefMask;
        for (uint256 t; t < tiers.length; ++t) {
            if (tiers[t].kind() == EquityTier.PreferredReturn) prefMask |= tiers[t].classes();
        }
        for (uint256 j; j < n; ++j) if ((prefMask >> j) & 1 == 0) s.pref[j] = 0;
        s.profit = bound(raw.profit, 0, type(uint120).max);
        s.sponsorProfit = bound(raw.sponsorProfit, 0, s.profit);
    }

    /// @dev 1 – 8 tiers: a mix of ReturnOfCapital, PreferredReturn (disjoint classes), CatchUp and up to three hurdled
    /// splits with increasing hurdles, then the last split; LP masks never include the sponsor.
    function _tiers(
        RawRun memory raw,
        uint256 n,
        uint256 sponsor
    ) private pure returns (EquityTierWord[] memory tiers) {
        uint256 count = bound(raw.tierCount, 1, 8);
        tiers = new EquityTierWord[](count);
        uint256 all = (1 << n) - 1;
        uint256 lpAll = all & ~(uint256(1) << sponsor);
        uint256 prefUsed;
        uint256 hurdles;
        uint256 lastHurdle;
        for (uint256 t; t < count; ++t) {
            uint256 seed = raw.tierSeeds[t];
            EquityTierTerms memory tier;
            uint256 lp = (seed >> 8) & lpAll;
            if (lp == 0) lp = lpAll;
            uint256 kind = t == count - 1 ? 4 : seed % 4;
            if (kind == 1 && (all & ~prefUsed) == 0) kind = 0;
            if (kind == 3 && hurdles == 3) kind = 2;
            if (kind == 4) {
                // The last tier: a split without hurdle.
                tier.kind = EquityTier.Split;
                tier.classes = uint8(lp);
                tier.sponsorBps = uint16(bound(seed >> 16, 0, 10_000));
            } else if (kind == 0) {
                tier.kind = EquityTier.ReturnOfCapital;
                tier.classes = uint8(((seed >> 8) & all) == 0 ? all : (seed >> 8) & all);
                tier.byRank = (seed >> 40) & 1 == 1;
            } else if (kind == 1) {
                uint256 free = all & ~prefUsed;
                tier.kind = EquityTier.PreferredReturn;
                tier.classes = uint8(((seed >> 8) & free) == 0 ? free : (seed >> 8) & free);
                prefUsed |= tier.classes;
                tier.rate = uint64(bound(seed >> 48, 1, WAD));
                tier.byRank = (seed >> 40) & 1 == 1;
                tier.compounding = (seed >> 41) & 1 == 1;
            } else if (kind == 2) {
                tier.kind = EquityTier.CatchUp;
                tier.classes = uint8(lp);
                tier.sponsorBps = uint16(bound(seed >> 16, 2, 10_000));
                tier.targetBps = uint16(bound(seed >> 32, 1, tier.sponsorBps - 1));
            } else {
                tier.kind = EquityTier.Split;
                tier.classes = uint8(lp);
                tier.sponsorBps = uint16(bound(seed >> 16, 0, 9_999));
                tier.rate = uint64(bound(seed >> 48, lastHurdle + 1, lastHurdle + WAD / 4));
                lastHurdle = tier.rate;
            }
            tiers[t] = EquityTierWordLib.pack(tier, hurdles);
            if (tiers[t].hurdled()) ++hurdles;
        }
    }

    /// @dev A copy of `s` (a memory struct or fixed array assigned is the same one: each entry is copied here).
    function _copy(EquityMath.State memory s) internal pure returns (EquityMath.State memory c) {
        (c.classCount, c.sponsor, c.hurdleCount) = (s.classCount, s.sponsor, s.hurdleCount);
        (c.profit, c.sponsorProfit) = (s.profit, s.sponsorProfit);
        for (uint256 j; j < 7; ++j) {
            (c.contributed[j], c.unreturned[j], c.pref[j]) = (s.contributed[j], s.unreturned[j], s.pref[j]);
            for (uint256 k; k < 3; ++k) c.hurdles[k][j] = s.hurdles[k][j];
        }
        for (uint256 k; k < 3; ++k) c.hurdleClasses[k] = s.hurdleClasses[k];
    }
}
