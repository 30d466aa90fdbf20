// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

import {CouponTerms, CouponType, PrincipalTerms, PrincipalType} from "../interfaces/ICascadeTypes.sol";
import {BPS, WAD, YEAR} from "./Constants.sol";

/// @title WaterfallMath
/// @notice Pure math of a Cascade period: utilization, coupon rates, interest, principal schedules and the
/// priority of payments. Every division rounds down, so amounts owed to a class never exceed what the
/// formula gives and any remainder flows further down the waterfall (ultimately to the residual).
library WaterfallMath {
    /// @notice Order of payments. Normal: the term sheet's order. CashTrap: no reserve release above target (unless
    /// the target is zero), and what would go to equity is trapped in the reserve while any note is unpaid (turbo:
    /// after paying note principal by rank). Accelerated: the whole reserve is released, and after fees and senior
    /// interest every unit repays principal strictly by rank; subordinate interest is paid only after all principal.
    enum Mode {
        Normal,
        CashTrap,
        Accelerated
    }

    /// @notice Amounts owed at the start of a period, by priority. Note arrays are indexed by rank (0 = senior).
    /// `principalCash` is cash held for the notes outside the period's cash (recoveries: the sale of collateral). In
    /// the Normal and CashTrap orders it is a backstop: it pays only what the notes are owed now and the period's cash
    /// leaves unpaid — the senior interest shortfall, then scheduled principal by rank — and the rest stays held. It
    /// never pays fees, subordinate interest or equity, never frees period cash for them, and never repays principal
    /// ahead of its schedule. In the Accelerated order it all joins the cash.
    struct Input {
        Mode mode;
        bool turbo;
        uint256 cash;
        uint256 reserve;
        uint256 reserveTarget;
        uint256 principalCash;
        uint256 keeperBountyDue;
        uint256 trusteeFeeDue;
        uint256 servicerFeeDue;
        uint256[] interestDue;
        uint256[] principalDue;
        uint256[] outstanding;
        uint256[] writtenDown;
    }

    /// @notice What the waterfall paid. Conservation:
    /// cash + principalCashUsed + reserveReleased + reserveDrawn == keeperBountyPaid + trusteeFeePaid
    ///   + servicerFeePaid + Σ interestPaid + reserveToppedUp + Σ principalPaid + reserveTrapped + residual.
    struct Result {
        uint256 principalCashUsed;
        uint256 reserveReleased;
        uint256 reserveDrawn;
        uint256 keeperBountyPaid;
        uint256 trusteeFeePaid;
        uint256 servicerFeePaid;
        uint256[] interestPaid;
        uint256 reserveToppedUp;
        uint256[] principalPaid;
        uint256[] recovered;
        uint256 reserveTrapped;
        uint256 residual;
        uint256 reserveAfter;
    }

    /// @notice Utilization U = billed / available as a WAD fraction, rounded down; zero when nothing was available.
    function utilizationDown(uint256 gpuHoursAvailable, uint256 gpuHoursBilled) internal pure returns (uint256) {
        if (gpuHoursAvailable == 0) return 0;
        return Math.mulDiv(gpuHoursBilled, WAD, gpuHoursAvailable);
    }

    /// @notice Annual coupon rate (WAD) for a period with utilization `u` (WAD).
    /// A fixed coupon pays `baseRate`; a linked coupon pays base + slope × (u − strike) clamped to [floor, cap].
    function couponRate(CouponTerms memory c, uint256 u) internal pure returns (uint256) {
        if (c.couponType == CouponType.Fixed) return c.baseRate;
        // u ≤ 1e18 and |slope| < 2^63, so the product fits easily in int256.
        int256 delta = (int256(c.slope) * (int256(u) - int256(uint256(c.strike)))) / int256(WAD);
        int256 rate = int256(uint256(c.baseRate)) + delta;
        if (rate < int256(uint256(c.floorRate))) return c.floorRate;
        if (rate > int256(uint256(c.capRate))) return c.capRate;
        return uint256(rate);
    }

    /// @notice Interest of one period on `principal` at annual `rate` (WAD), actual/365, rounded down.
    function periodInterestDown(uint256 principal, uint256 rate, uint256 periodLength) internal pure returns (uint256) {
        return Math.mulDiv(principal, rate * periodLength, WAD * YEAR);
    }

    /// @notice Outstanding principal a note should have after `period` is paid, given its `face` at issue.
    /// The last period of the deal (`period == periodCount − 1`) is the legal final maturity: nothing remains.
    /// Straight-line targets round up (face − ⌊face·k/N⌋), so each installment rounds down and the last one
    /// takes the remainder.
    function scheduledOutstandingUp(
        uint256 face,
        PrincipalTerms memory p,
        uint256 period,
        uint256 periodCount
    ) internal pure returns (uint256) {
        if (period + 1 >= periodCount) return 0;
        if (p.scheduleType == PrincipalType.Bullet || period < p.amortStartPeriod) return face;
        uint256 paidInstallments = period + 1 - p.amortStartPeriod;
        if (paidInstallments >= p.amortPeriods) return 0;
        return face - Math.mulDiv(face, paidInstallments, p.amortPeriods);
    }

    /// @notice Scheduled principal of a period: what brings `outstanding` down to the schedule, including any
    /// principal missed in earlier periods.
    function principalDue(uint256 outstanding, uint256 scheduled) internal pure returns (uint256) {
        return outstanding > scheduled ? outstanding - scheduled : 0;
    }

    /// @notice Fee of `bps` basis points on `amount`, rounded down.
    function bpsOfDown(uint256 amount, uint256 bps) internal pure returns (uint256) {
        return Math.mulDiv(amount, bps, BPS);
    }

    /// @notice Runs the priority of payments. Normal and CashTrap: release of reserve above target (CashTrap only when
    /// the target is zero) → keeper bounty (never carried as arrears) → trustee fee → servicer fee → note interest by
    /// rank (the reserve covers a senior-interest shortfall) → reserve top-up to target → scheduled principal by rank
    /// → CashTrap only: turbo principal by rank, then the rest trapped in the reserve while any note is unpaid →
    /// residual. Accelerated: whole reserve released → bounty → fees → senior interest → principal outstanding by
    /// rank → subordinate interest by rank → residual (only once every note is paid). In every mode, written-down
    /// principal is repaid by rank (`recovered`) before anything is trapped or goes to equity. Principal cash (see
    /// {Input}) covers a senior-interest shortfall before the reserve does, and scheduled principal the period's cash
    /// leaves unpaid; in the Accelerated order it is released whole, as the reserve is.
    function run(Input memory input) internal pure returns (Result memory r) {
        uint256 notes = input.interestDue.length;
        r.interestPaid = new uint256[](notes);
        r.principalPaid = new uint256[](notes);
        r.recovered = new uint256[](notes);
        Mode mode = input.mode;

        uint256 available = input.cash;
        uint256 reserve = input.reserve;
        uint256 principalCash = input.principalCash;
        uint256 target;
        if (mode == Mode.Accelerated) {
            // An event of default pools every source: the principal cash is released whole, as the reserve is.
            r.principalCashUsed = principalCash;
            available += principalCash;
        } else {
            target = input.reserveTarget;
        }
        if (reserve > target && (mode != Mode.CashTrap || target == 0)) {
            r.reserveReleased = reserve - target;
            reserve = target;
            available += r.reserveReleased;
        }

        (r.keeperBountyPaid, available) = _pay(input.keeperBountyDue, available);
        (r.trusteeFeePaid, available) = _pay(input.trusteeFeeDue, available);
        (r.servicerFeePaid, available) = _pay(input.servicerFeeDue, available);

        if (mode == Mode.Accelerated) {
            if (notes != 0) (r.interestPaid[0], available) = _pay(input.interestDue[0], available);
            for (uint256 i; i < notes; ++i) {
                (r.principalPaid[i], available) = _pay(input.outstanding[i], available);
            }
            for (uint256 i = 1; i < notes; ++i) {
                (r.interestPaid[i], available) = _pay(input.interestDue[i], available);
            }
            r.residual = _recover(input, r, available);
            r.reserveAfter = 0;
            return r;
        }

        for (uint256 i; i < notes; ++i) {
            (r.interestPaid[i], available) = _pay(input.interestDue[i], available);
            if (i == 0 && r.interestPaid[0] < input.interestDue[0]) {
                // The senior's shortfall: principal cash first, then the reserve.
                uint256 drawn;
                (drawn, principalCash) = _pay(input.interestDue[0] - r.interestPaid[0], principalCash);
                r.principalCashUsed = drawn;
                r.interestPaid[0] += drawn;
                if (r.interestPaid[0] < input.interestDue[0] && reserve > 0) {
                    r.reserveDrawn = Math.min(input.interestDue[0] - r.interestPaid[0], reserve);
                    reserve -= r.reserveDrawn;
                    r.interestPaid[0] += r.reserveDrawn;
                }
            }
        }

        if (reserve < target) {
            (r.reserveToppedUp, available) = _pay(target - reserve, available);
            reserve += r.reserveToppedUp;
        }

        for (uint256 i; i < notes; ++i) {
            // The period's cash first; principal cash covers what it leaves unpaid.
            (r.principalPaid[i], available) = _pay(input.principalDue[i], available);
            if (r.principalPaid[i] < input.principalDue[i]) {
                uint256 fromPrincipalCash;
                (fromPrincipalCash, principalCash) = _pay(input.principalDue[i] - r.principalPaid[i], principalCash);
                r.principalCashUsed += fromPrincipalCash;
                r.principalPaid[i] += fromPrincipalCash;
            }
        }

        if (mode == Mode.CashTrap && available != 0) {
            bool unpaid;
            for (uint256 i; i < notes; ++i) {
                if (input.turbo) {
                    uint256 paid;
                    // principalPaid ≤ principalDue ≤ outstanding.
                    (paid, available) = _pay(input.outstanding[i] - r.principalPaid[i], available);
                    r.principalPaid[i] += paid;
                }
                if (r.principalPaid[i] < input.outstanding[i] || r.interestPaid[i] < input.interestDue[i]) {
                    unpaid = true;
                }
            }
            available = _recover(input, r, available);
            if (unpaid) {
                r.reserveTrapped = available;
                reserve += available;
                available = 0;
            }
        }

        r.residual = _recover(input, r, available);
        r.reserveAfter = reserve;
    }

    /// @dev Written-down note principal still ranks ahead of equity: what would be residual repays it by rank.
    function _recover(Input memory input, Result memory r, uint256 available) private pure returns (uint256) {
        for (uint256 i; i < input.writtenDown.length && available != 0; ++i) {
            uint256 paid;
            (paid, available) = _pay(input.writtenDown[i] - r.recovered[i], available);
            r.recovered[i] += paid;
        }
        return available;
    }

    function _pay(uint256 due, uint256 available) private pure returns (uint256 paid, uint256 left) {
        paid = Math.min(due, available);
        // paid ≤ available by construction.
        unchecked {
            left = available - paid;
        }
    }
}
