// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {EquityTier} from "../interfaces/ICascadeTypes.sol";
import {BPS, WAD, YEAR} from "./Constants.sol";
import {EquityTierWord} from "./EquityTierWord.sol";

/// @title EquityMath
/// @notice Pure math of the equity waterfall, exactly as docs/equity.md specifies it (the SDK's model
/// `sdk/models/equityWaterfall.ts` follows the same text): the growth factor of a hurdle balance, the accrual of
/// preferred return, what each tier needs and pays, and the pro-rata allocation with its dust rule. Every division
/// rounds down unless its name says otherwise; a share's dust goes to the classes below.
/// @dev Bounds that keep every product inside 256 bits without `mulDiv`: amounts (cash, contributions) are below
/// 2¹²⁸, contributions below 2⁹⁶ (the tranche face bound), rates at most 1e18, times below 2⁶⁴; preferred return and
/// hurdle balances saturate at {MAX_BALANCE}.
library EquityMath {
    /// @notice Largest preferred return or hurdle balance, and largest growth factor (WAD): values that would exceed
    /// it stay at it. No deal reaches it (it is 3.4·10³⁸ units); it keeps every product in 256 bits.
    uint256 internal constant MAX_BALANCE = type(uint128).max;
    /// @notice Most equity classes of a deal (eight tranches, at least one note).
    uint256 internal constant MAX_CLASSES = 7;
    /// @notice Most tiers of an equity waterfall.
    uint256 internal constant MAX_TIERS = 8;
    /// @notice Most split tiers with an IRR hurdle.
    uint256 internal constant MAX_HURDLES = 3;

    /// @notice The waterfall's state while one amount goes through it, per class `j` (0-based among the equity
    /// classes, below `classCount`): `contributed` C_j, `unreturned` U_j, `pref` P_j (unpaid preferred return), and
    /// the balance H_{k,j} of hurdled split k at `hurdles[k][j]` (k below `hurdleCount`), whose LP mask is
    /// `hurdleClasses[k]`. `profit` is all profit distributed, T = Σ (D_j − (C_j − U_j)), and `sponsorProfit` the
    /// sponsor's, S. Entries past the class and hurdle counts are zero.
    /// @dev Fixed-size arrays: a distribution allocates them once, indexes them without length words, and a tier's
    /// hurdle row is a class array of its own.
    struct State {
        uint256 classCount;
        uint256 sponsor;
        uint256 hurdleCount;
        uint256 profit;
        uint256 sponsorProfit;
        uint256[MAX_CLASSES] contributed;
        uint256[MAX_CLASSES] unreturned;
        uint256[MAX_CLASSES] pref;
        uint256[MAX_HURDLES] hurdleClasses;
        uint256[MAX_CLASSES][MAX_HURDLES] hurdles;
    }

    /// @notice What one amount paid: `paid[t][j]` to class `j` by tier `t` (the last tier's row also holds what the
    /// tiers left, pro rata on contributions); `total[j]` the class's sum.
    struct Payout {
        uint256[MAX_CLASSES][] paid;
        uint256[MAX_CLASSES] total;
    }

    // ------------------------------------------------------------------ growth: G(h, Δt)

    /// @notice ln(b) in WAD for b ≥ 1 (WAD), by the series ln b = 2·atanh(z), z = (b − 1)/(b + 1), every term
    /// rounded down: `term = ⌊term × z² / WAD⌋` until it is zero, `sum += ⌊term / i⌋` for i = 3, 5, 7, …
    /// @dev For b ≤ 2 (a hurdle ≤ 100 %) z ≤ 1/3 and the series ends in at most 20 terms. The factory computes it once
    /// per hurdle, at creation ({Tier.lnRate}).
    function lnWad(uint256 b) internal pure returns (uint256) {
        uint256 z = ((b - WAD) * WAD) / (b + WAD);
        uint256 z2 = (z * z) / WAD;
        uint256 term = z;
        uint256 sum = z;
        for (uint256 i = 3; ; i += 2) {
            term = (term * z2) / WAD;
            if (term == 0) break;
            sum += term / i;
        }
        return 2 * sum;
    }

    /// @notice e^y in WAD for 0 ≤ y < 1 (WAD) by its Taylor series, every term rounded down:
    /// `term = ⌊term × y / (i × WAD)⌋` for i = 1, 2, … until it is zero.
    function expWad(uint256 y) internal pure returns (uint256 sum) {
        uint256 term = WAD;
        sum = WAD;
        for (uint256 i = 1; ; ++i) {
            term = (term * y) / (i * WAD);
            if (term == 0) break;
            sum += term;
        }
    }

    /// @notice bⁿ in WAD by squaring, every product ⌊a × c / WAD⌋ capped at {MAX_BALANCE}.
    /// @dev Inputs at most {MAX_BALANCE}: each product is below 2²⁵⁶. A capped base or result is only ever reached
    /// when the true power is above the cap too (every factor is at least 1).
    function powWad(uint256 b, uint256 n) internal pure returns (uint256 result) {
        result = WAD;
        while (n != 0) {
            if (n & 1 == 1) result = _mulWadCapped(result, b);
            n >>= 1;
            if (n != 0) b = _mulWadCapped(b, b);
        }
    }

    /// @notice G(h, Δt) = (1 + h)^(Δt / YEAR) in WAD, rounded down: ⌊bⁿ × e^y / WAD⌋ with b = 1 + h, n whole years,
    /// y = ⌊f × ln b / YEAR⌋ for the f seconds left; capped at {MAX_BALANCE}. `lnRate` is ln b ({lnWad}).
    function growthDown(uint256 rate, uint256 lnRate, uint256 dt) internal pure returns (uint256) {
        uint256 y = ((dt % YEAR) * lnRate) / YEAR;
        uint256 g = (powWad(WAD + rate, dt / YEAR) * expWad(y)) / WAD;
        return g > MAX_BALANCE ? MAX_BALANCE : g;
    }

    /// @notice A balance after growing by `g` (WAD): ⌊balance × g / WAD⌋, capped at {MAX_BALANCE}.
    function grownDown(uint256 balance, uint256 g) internal pure returns (uint256) {
        return _mulWadCapped(balance, g);
    }

    // ------------------------------------------------------------------ accrual

    /// @notice Preferred return accrued on `base` (unreturned capital, plus unpaid preferred return when compounding)
    /// at `rate` (WAD a year) over `dt` seconds: ⌊base × rate × Δt / (YEAR × WAD)⌋ (actual/365).
    function prefAccrualDown(uint256 base, uint256 rate, uint256 dt) internal pure returns (uint256) {
        return (base * rate * dt) / (YEAR * WAD);
    }

    /// @notice Accrues `s` over `dt` seconds: the preferred return of every class of a PreferredReturn tier, and every
    /// hurdle balance by G(h, Δt). Balances saturate at {MAX_BALANCE}.
    function accrue(State memory s, EquityTierWord[] memory tiers, uint256 dt) internal pure {
        if (dt == 0) return;
        // Loop counters are below 8, every balance below 2¹²⁹ and each accrual product below 2²⁵³ (base < 2¹²⁹, rate
        // ≤ 2⁶⁰, dt < 2⁶⁴): nothing here overflows.
        unchecked {
            for (uint256 t; t < tiers.length; ++t) {
                EquityTierWord tier = tiers[t];
                uint256 mask = tier.classes();
                if (tier.kind() == EquityTier.PreferredReturn) {
                    (uint256 rate, bool compounding) = (tier.rate(), tier.compounding());
                    (uint256[MAX_CLASSES] memory pref, uint256[MAX_CLASSES] memory unreturned) = (s.pref, s.unreturned);
                    for (uint256 j; mask >> j != 0; ++j) {
                        if ((mask >> j) & 1 == 0) continue;
                        uint256 p = pref[j];
                        p += prefAccrualDown(unreturned[j] + (compounding ? p : 0), rate, dt);
                        pref[j] = p > MAX_BALANCE ? MAX_BALANCE : p;
                    }
                } else if (tier.hurdled()) {
                    uint256[MAX_CLASSES] memory balances = s.hurdles[tier.hurdle()];
                    // A met hurdle stays met (zero grows to zero): the growth factor is computed only when needed.
                    if (_sum(balances, mask) == 0) continue;
                    uint256 g = growthDown(tier.rate(), tier.lnRate(), dt);
                    for (uint256 j; mask >> j != 0; ++j) {
                        if ((mask >> j) & 1 != 0) balances[j] = grownDown(balances[j], g);
                    }
                }
            }
        }
    }

    // ------------------------------------------------------------------ needs

    /// @notice What a catch-up tier needs so that the sponsor holds `targetBps` of all profit, the sponsor taking
    /// `sponsorBps` of it: ⌈(t × T − 10 000 × S) / (c − t)⌉, zero once 10 000 × S ≥ t × T.
    function catchUpNeedUp(
        uint256 profit,
        uint256 sponsorProfit,
        uint256 sponsorBps,
        uint256 targetBps
    ) internal pure returns (uint256) {
        uint256 target = targetBps * profit;
        uint256 held = BPS * sponsorProfit;
        if (held >= target) return 0;
        return _ceilDiv(target - held, sponsorBps - targetBps);
    }

    /// @notice What a hurdled split needs so that its LP classes receive `lpNeed` (the sum of their hurdle balances)
    /// when the sponsor takes `sponsorBps`: ⌈N × 10 000 / (10 000 − σ)⌉. Its LP share ({lpShareDown}) is then
    /// exactly N.
    function splitNeedUp(uint256 lpNeed, uint256 sponsorBps) internal pure returns (uint256) {
        return _ceilDiv(lpNeed * BPS, BPS - sponsorBps);
    }

    /// @notice The LP classes' share of `x` in a tier that gives the sponsor `sponsorBps`:
    /// ⌊x × (10 000 − σ) / 10 000⌋ (so the sponsor's share rounds up).
    function lpShareDown(uint256 x, uint256 sponsorBps) internal pure returns (uint256) {
        return (x * (BPS - sponsorBps)) / BPS;
    }

    // ------------------------------------------------------------------ allocation

    /// @notice Shares `x` among the classes of `mask` pro rata on `weights`, each share rounded down, into `shares`
    /// (the entries of `mask` written, the others left as they are). The dust (fewer units than classes) goes to the
    /// classes from the most junior up: with `capped`, each up to its weight (what the tier owes it); otherwise all of
    /// it to the most junior class with a non-zero weight. A class with a zero weight takes nothing.
    /// @dev Requires x ≤ Σ weights when `capped`, and Σ weights > 0 when x > 0. x and every weight are below 2¹²⁸.
    function allocateDown(
        uint256 x,
        uint256[MAX_CLASSES] memory weights,
        uint256 mask,
        bool capped,
        uint256[MAX_CLASSES] memory shares
    ) internal pure {
        _shareDown(x, _sum(weights, mask), weights, mask, capped, shares);
    }

    /// @notice Pays `x` to the classes of `mask` in rank order (class 0 first), each up to what it is `owed`, into
    /// `shares` (the entries of `mask` written). Requires x ≤ Σ owed.
    function allocateByRank(
        uint256 x,
        uint256[MAX_CLASSES] memory owed,
        uint256 mask,
        uint256[MAX_CLASSES] memory shares
    ) internal pure {
        // Each share is at most what is left of x.
        unchecked {
            for (uint256 j; mask >> j != 0; ++j) {
                if ((mask >> j) & 1 == 0) continue;
                uint256 share = owed[j] < x ? owed[j] : x;
                x -= share;
                shares[j] = share;
            }
        }
    }

    /// @dev {allocateDown} with the sum of the weights over `mask` given.
    function _shareDown(
        uint256 x,
        uint256 sum,
        uint256[MAX_CLASSES] memory weights,
        uint256 mask,
        bool capped,
        uint256[MAX_CLASSES] memory shares
    ) private pure {
        // x × weight < 2²⁵⁶ (both below 2¹²⁸); the shares sum to at most x, and a capped share to at most its weight.
        unchecked {
            uint256 dust = x;
            uint256 end;
            for (uint256 j; mask >> j != 0; ++j) {
                if ((mask >> j) & 1 == 0) continue;
                uint256 share = x == 0 ? 0 : (x * weights[j]) / sum;
                shares[j] = share;
                dust -= share;
                end = j + 1;
            }
            for (uint256 j = end; dust != 0 && j != 0;) {
                --j;
                uint256 w = weights[j];
                if ((mask >> j) & 1 == 0 || w == 0) continue;
                uint256 room = capped ? w - shares[j] : dust;
                uint256 d = dust < room ? dust : room;
                shares[j] += d;
                dust -= d;
            }
        }
    }

    // ------------------------------------------------------------------ the tiers

    /// @notice Runs `cash` through `tiers` in order, updating `s` (unreturned capital, preferred return, hurdle
    /// balances, profit). What the tiers leave — only when no class of the last tier holds tokens — goes to every
    /// class with tokens pro rata on contributions, recorded in the last tier's row. The payout sums to `cash`.
    /// @dev Requires at least one tier, a class with tokens (Σ contributed > 0) and cash below 2¹²⁸. Each tier writes
    /// its shares straight into its own row of the payout, then books them.
    function run(
        State memory s,
        EquityTierWord[] memory tiers,
        uint256 cash
    ) internal pure returns (Payout memory out) {
        uint256 count = tiers.length;
        out.paid = new uint256[MAX_CLASSES][](count);
        for (uint256 t; t < count && cash != 0; ++t) {
            cash -= _tier(s, tiers[t], cash, out.paid[t], out.total);
        }
        if (cash != 0) {
            uint256 all = (1 << s.classCount) - 1;
            uint256[MAX_CLASSES] memory shares;
            _shareDown(cash, _sum(s.contributed, all), s.contributed, all, false, shares);
            _book(s, shares, out.total, EMPTY, true);
            uint256[MAX_CLASSES] memory row = out.paid[count - 1];
            // Each entry is part of `cash`, below 2¹²⁸.
            unchecked {
                for (uint256 j; j < s.classCount; ++j) row[j] += shares[j];
            }
        }
    }

    /// @dev What {_book} lowers as it pays: nothing, unreturned capital, or preferred return.
    uint256 private constant EMPTY = 0;
    uint256 private constant CAPITAL = 1;
    uint256 private constant PREF = 2;

    /// @dev Pays tier `tier` from `cash` into its (zero) `row` and books it; returns what it paid.
    function _tier(
        State memory s,
        EquityTierWord tier,
        uint256 cash,
        uint256[MAX_CLASSES] memory row,
        uint256[MAX_CLASSES] memory total
    ) private pure returns (uint256 x) {
        EquityTier kind = tier.kind();
        uint256 mask = tier.classes();
        if (kind == EquityTier.ReturnOfCapital || kind == EquityTier.PreferredReturn) {
            bool capital = kind == EquityTier.ReturnOfCapital;
            uint256[MAX_CLASSES] memory owed = capital ? s.unreturned : s.pref;
            uint256 sum = _sum(owed, mask);
            x = cash < sum ? cash : sum;
            if (x == 0) return 0;
            if (tier.byRank()) allocateByRank(x, owed, mask, row);
            else _shareDown(x, sum, owed, mask, true, row);
            _book(s, row, total, capital ? CAPITAL : PREF, !capital);
            return x;
        }
        // CatchUp and Split share the tier between the sponsor and its LP classes.
        uint256 lp;
        (x, lp) = _sponsorTier(s, tier, mask, cash, row);
        if (x == 0) return 0;
        // The sponsor is never an LP class of its tier (term-sheet validation): its share is the rest.
        row[s.sponsor] = x - lp;
        _book(s, row, total, EMPTY, true);
    }

    /// @dev A CatchUp or Split tier of LP classes `mask`: what it takes from `cash` (`x`, zero when it needs nothing)
    /// and the LP classes' part of it (`lp`), shared among them into `row`.
    function _sponsorTier(
        State memory s,
        EquityTierWord tier,
        uint256 mask,
        uint256 cash,
        uint256[MAX_CLASSES] memory row
    ) private pure returns (uint256 x, uint256 lp) {
        uint256 sponsorBps = tier.sponsorBps();
        bool sponsorHolds = s.contributed[s.sponsor] != 0;
        if (tier.kind() == EquityTier.CatchUp) {
            // A sponsor without tokens cannot be caught up: the tier needs nothing.
            if (!sponsorHolds) return (0, 0);
            x = catchUpNeedUp(s.profit, s.sponsorProfit, sponsorBps, tier.targetBps());
            if (x == 0) return (0, 0);
            if (x > cash) x = cash;
            uint256 weight = _sum(s.contributed, mask);
            // LP classes without tokens give their share to the sponsor.
            if (weight != 0) lp = lpShareDown(x, sponsorBps);
            _shareDown(lp, weight, s.contributed, mask, false, row);
        } else if (tier.rate() != 0) {
            uint256[MAX_CLASSES] memory balances = s.hurdles[tier.hurdle()];
            uint256 need = _sum(balances, mask);
            // Hurdle met (or no LP class holds tokens: their balances are zero).
            if (need == 0) return (0, 0);
            // A sponsor without tokens gives its share to the LP classes.
            x = sponsorHolds ? splitNeedUp(need, sponsorBps) : need;
            if (x > cash) x = cash;
            lp = sponsorHolds ? lpShareDown(x, sponsorBps) : x;
            _shareDown(lp, need, balances, mask, true, row);
        } else {
            uint256 weight = _sum(s.contributed, mask);
            // Nobody of the last tier holds tokens: the remainder goes to every class that does ({run}).
            if (weight == 0 && !sponsorHolds) return (0, 0);
            x = cash;
            lp =
                !sponsorHolds
                    ? x
                    : weight != 0
                        ? lpShareDown(x, sponsorBps)
                        : 0;
            _shareDown(lp, weight, s.contributed, mask, false, row);
        }
    }

    /// @dev Books `shares` as paid: each payment lowers what the class is owed by the tier (`lowers`: unreturned
    /// capital or preferred return, or nothing) and its hurdle balances (floored at zero), adds to the class's total,
    /// and, with `profit`, to the profit (and the sponsor's).
    function _book(
        State memory s,
        uint256[MAX_CLASSES] memory shares,
        uint256[MAX_CLASSES] memory total,
        uint256 lowers,
        bool profit
    ) private pure {
        uint256 n = s.classCount;
        uint256 hurdleCount = s.hurdleCount;
        uint256 paid;
        // Every amount is part of one payment below 2¹²⁸ and at most what the class was owed; totals stay below 2¹³¹.
        unchecked {
            for (uint256 j; j < n; ++j) {
                uint256 amount = shares[j];
                if (amount == 0) continue;
                paid += amount;
                if (lowers == CAPITAL) s.unreturned[j] -= amount;
                else if (lowers == PREF) s.pref[j] -= amount;
                total[j] += amount;
                for (uint256 k; k < hurdleCount; ++k) {
                    if ((s.hurdleClasses[k] >> j) & 1 == 0) continue;
                    uint256[MAX_CLASSES] memory balances = s.hurdles[k];
                    uint256 h = balances[j];
                    balances[j] = h > amount ? h - amount : 0;
                }
            }
            if (profit) {
                s.profit += paid;
                s.sponsorProfit += shares[s.sponsor];
            }
        }
    }

    /// @dev Σ values over `mask`.
    function _sum(uint256[MAX_CLASSES] memory values, uint256 mask) private pure returns (uint256 sum) {
        // At most seven values below 2¹²⁹.
        unchecked {
            for (uint256 j; mask >> j != 0; ++j) {
                if ((mask >> j) & 1 != 0) sum += values[j];
            }
        }
    }

    function _ceilDiv(uint256 a, uint256 b) private pure returns (uint256) {
        return a == 0 ? 0 : (a - 1) / b + 1;
    }

    /// @dev ⌊a × b / WAD⌋ capped at {MAX_BALANCE}; a, b ≤ {MAX_BALANCE}, so a × b < 2²⁵⁶.
    function _mulWadCapped(uint256 a, uint256 b) private pure returns (uint256) {
        uint256 r = (a * b) / WAD;
        return r > MAX_BALANCE ? MAX_BALANCE : r;
    }
}
