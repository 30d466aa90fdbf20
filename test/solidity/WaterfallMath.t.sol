// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {CouponTerms, CouponType, PrincipalTerms, PrincipalType} from "../../contracts/interfaces/ICascadeTypes.sol";
import {WaterfallMath} from "../../contracts/libraries/WaterfallMath.sol";

import {Assertions} from "./utils/Assertions.sol";
import {TestBase} from "./utils/Vm.sol";

/*
 * Properties of the pure waterfall math (contracts/libraries/WaterfallMath.sol).
 *
 * Priority of payments, `run` (random Input: cash, reserve, target ≤ 1e30; 1–7 notes; every due ≤ 1e30):
 *   W1  Conservation. cash + reserveReleased + reserveDrawn == trusteeFeePaid + servicerFeePaid + Σ interestPaid
 *       + reserveToppedUp + Σ principalPaid + residual, and reserveAfter == reserve − reserveReleased
 *       − reserveDrawn + reserveToppedUp.
 *   W2  Nothing paid exceeds its due: each fee, each note's interest (reserve draw included) and principal; the
 *       top-up never lifts the reserve above its target, and the reserve ends at or below its target.
 *   W3  Seniority. Fees come before interest (trustee before servicer); no interest to note k while an earlier
 *       note j < k is short of its interest — the only money that reaches a note while something senior is
 *       unpaid is the reserve draw, and it only ever goes to note 0; no top-up and no principal while any
 *       interest is unpaid; no principal while the reserve is below target; principal by rank; no residual
 *       while any due is unpaid or the reserve is below target.
 *   W4  Reserve. It is drawn only when note 0's interest is short after the period's cash, by exactly
 *       min(shortfall, reserve left after release) — so never more than the shortfall or the reserve; it is
 *       released only above target, and then by exactly the excess.
 *
 * Coupons, utilization, interest, schedules:
 *   C1  A linked coupon's rate lies in [floor, cap] for any utilization in [0, 1e18], any slope and strike.
 *   C2  A linked coupon is non-decreasing in utilization when slope ≥ 0 (non-increasing when slope ≤ 0).
 *   C3  A fixed coupon pays its base rate, whatever the utilization and the other fields.
 *   U1  Utilization ≤ 1e18 when billed ≤ available, == 1e18 when billed == available, rounds down, and is 0 when
 *       nothing was available.
 *   S1  scheduledOutstandingUp is non-increasing in the period, ≤ face, and 0 at the final period.
 *   S2  Straight-line installments (cumulative rounding) are each ⌊face/N⌋ or ⌈face/N⌉ inside the amortization
 *       window, zero outside it, and sum exactly to face; a bullet pays everything at the final period.
 *   S3  principalDue never exceeds outstanding, and along any path of partial payments the outstanding never
 *       rises and everything still outstanding falls due at the final period.
 *   B1  bpsOfDown rounds down: it is ⌊amount·bps / 10 000⌋ exactly.
 *   I1  periodInterestDown rounds down: it is ⌊principal·rate·length / (1e18·365 days)⌋ exactly.
 *   I2  periodInterestDown is monotone in principal and in rate.
 */
contract WaterfallMathTest is TestBase, Assertions {
    uint256 internal constant MAX_AMOUNT = 1e30;
    uint256 internal constant MAX_NOTES = 7;

    /// @dev Raw fuzz input of one waterfall run, turned into an Input by `_input`.
    struct RawRun {
        uint256 notes;
        uint256 cashMode;
        uint256 cash;
        uint256 reserve;
        uint256 reserveTarget;
        uint256 trusteeFeeDue;
        uint256 servicerFeeDue;
        uint256[7] interestDue;
        uint256[7] principalDue;
    }

    // ------------------------------------------------------------------ run: W1–W4

    /// W1
    function testFuzz_run_conservesCash(RawRun memory raw) public pure {
        WaterfallMath.Input memory input = _input(raw);
        WaterfallMath.Result memory r = WaterfallMath.run(input);

        uint256 sources = input.cash + r.reserveReleased + r.reserveDrawn;
        uint256 uses =
            r.trusteeFeePaid +
                r.servicerFeePaid +
                _sum(r.interestPaid) +
                r.reserveToppedUp +
                _sum(r.principalPaid) +
                r.residual;
        assertEq(sources, uses, "W1: sources != uses");
        assertEq(
            r.reserveAfter,
            input.reserve - r.reserveReleased - r.reserveDrawn + r.reserveToppedUp,
            "W1: reserveAfter does not reconcile"
        );
        assertEq(r.interestPaid.length, input.interestDue.length, "W1: interestPaid length");
        assertEq(r.principalPaid.length, input.principalDue.length, "W1: principalPaid length");
    }

    /// W2
    function testFuzz_run_paysNoMoreThanDue(RawRun memory raw) public pure {
        WaterfallMath.Input memory input = _input(raw);
        WaterfallMath.Result memory r = WaterfallMath.run(input);

        assertLe(r.trusteeFeePaid, input.trusteeFeeDue, "W2: trustee fee overpaid");
        assertLe(r.servicerFeePaid, input.servicerFeeDue, "W2: servicer fee overpaid");
        for (uint256 i; i < input.interestDue.length; ++i) {
            assertLe(r.interestPaid[i], input.interestDue[i], "W2: interest overpaid");
            assertLe(r.principalPaid[i], input.principalDue[i], "W2: principal overpaid");
        }
        assertLe(r.reserveAfter, input.reserveTarget, "W2: reserve above target after run");
        uint256 beforeTopUp = input.reserve - r.reserveReleased - r.reserveDrawn;
        assertLe(beforeTopUp + r.reserveToppedUp, input.reserveTarget, "W2: top-up beyond target");
    }

    /// W3
    function testFuzz_run_paysInOrderOfSeniority(RawRun memory raw) public pure {
        WaterfallMath.Input memory input = _input(raw);
        WaterfallMath.Result memory r = WaterfallMath.run(input);
        uint256 notes = input.interestDue.length;

        // Cash (as opposed to reserve) that reached note 0's interest.
        uint256 note0FromCash = r.interestPaid[0] - r.reserveDrawn;

        // Fees before interest; trustee before servicer.
        if (r.trusteeFeePaid < input.trusteeFeeDue) {
            assertEq(r.servicerFeePaid, 0, "W3: servicer fee paid before the trustee fee");
        }
        if (r.trusteeFeePaid < input.trusteeFeeDue || r.servicerFeePaid < input.servicerFeeDue) {
            assertEq(note0FromCash, 0, "W3: note 0 interest paid from cash while fees are unpaid");
            for (uint256 k = 1; k < notes; ++k) {
                assertEq(r.interestPaid[k], 0, "W3: interest paid while fees are unpaid");
            }
        }

        // Interest by rank. The reserve draw is the only help and only note 0 receives it.
        bool interestShort = false;
        for (uint256 k; k < notes; ++k) {
            if (interestShort) assertEq(r.interestPaid[k], 0, "W3: junior interest paid while senior interest short");
            if (r.interestPaid[k] < input.interestDue[k]) interestShort = true;
        }
        if (note0FromCash < input.interestDue[0]) {
            for (uint256 k = 1; k < notes; ++k) {
                assertEq(r.interestPaid[k], 0, "W3: junior interest paid while note 0 short of cash");
            }
        }

        // No top-up, principal or residual while any interest is unpaid.
        if (interestShort) {
            assertEq(r.reserveToppedUp, 0, "W3: reserve topped up while interest unpaid");
            assertEq(_sum(r.principalPaid), 0, "W3: principal paid while interest unpaid");
            assertEq(r.residual, 0, "W3: residual paid while interest unpaid");
        }

        // No principal while the reserve is below target; principal by rank.
        if (r.reserveAfter < input.reserveTarget) {
            assertEq(_sum(r.principalPaid), 0, "W3: principal paid while reserve below target");
        }
        bool principalShort = false;
        for (uint256 k; k < notes; ++k) {
            if (principalShort) assertEq(r.principalPaid[k], 0, "W3: junior principal paid before senior");
            if (r.principalPaid[k] < input.principalDue[k]) principalShort = true;
        }

        // Residual only when everything is paid and the reserve is at target.
        bool anythingUnpaid =
            interestShort ||
                principalShort ||
                r.trusteeFeePaid < input.trusteeFeeDue ||
                r.servicerFeePaid < input.servicerFeeDue ||
                r.reserveAfter < input.reserveTarget;
        if (anythingUnpaid) assertEq(r.residual, 0, "W3: residual paid while something is unpaid");
    }

    /// W4
    function testFuzz_run_drawsAndReleasesReserveOnlyAsNeeded(RawRun memory raw) public pure {
        WaterfallMath.Input memory input = _input(raw);
        WaterfallMath.Result memory r = WaterfallMath.run(input);

        // Release: only above target, by exactly the excess.
        if (input.reserve > input.reserveTarget) {
            assertEq(r.reserveReleased, input.reserve - input.reserveTarget, "W4: release != excess over target");
        } else {
            assertEq(r.reserveReleased, 0, "W4: reserve released at or below target");
        }

        // Draw: only for note 0's shortfall after cash, never more than the shortfall or the reserve.
        uint256 reserveLeft = input.reserve - r.reserveReleased;
        uint256 note0FromCash = r.interestPaid[0] - r.reserveDrawn;
        uint256 shortfall = input.interestDue[0] - note0FromCash;
        assertLe(r.reserveDrawn, shortfall, "W4: draw exceeds note 0 shortfall");
        assertLe(r.reserveDrawn, reserveLeft, "W4: draw exceeds reserve");
        assertEq(r.reserveDrawn, _min(shortfall, reserveLeft), "W4: draw is not min(shortfall, reserve)");
        if (r.reserveDrawn != 0) {
            assertLt(note0FromCash, input.interestDue[0], "W4: reserve drawn though note 0 was paid from cash");
        }
    }

    /// W1–W4 at the edges that random values rarely hit: cash exactly at a step boundary, empty reserve, and a
    /// reserve exactly at target.
    function test_run_cashExactlyCoversInterest() public pure {
        WaterfallMath.Input memory input = _fixedInput(2);
        input.cash = input.trusteeFeeDue + input.servicerFeeDue + input.interestDue[0] + input.interestDue[1];
        WaterfallMath.Result memory r = WaterfallMath.run(input);
        assertEq(r.reserveDrawn, 0, "no draw when cash covers interest");
        assertEq(r.interestPaid[1], input.interestDue[1], "junior interest paid in full");
        assertEq(r.reserveToppedUp, 0, "reserve at target: nothing to top up");
        assertEq(_sum(r.principalPaid) + r.residual, 0, "nothing left for principal");
    }

    function test_run_reserveCoversSeniorShortfallOnly() public pure {
        WaterfallMath.Input memory input = _fixedInput(2);
        input.cash = input.trusteeFeeDue + input.servicerFeeDue + 40;
        input.interestDue[0] = 100;
        WaterfallMath.Result memory r = WaterfallMath.run(input);
        assertEq(r.reserveDrawn, 60, "draw = senior shortfall");
        assertEq(r.interestPaid[0], 100, "senior interest paid in full");
        assertEq(r.interestPaid[1], 0, "the draw does not reach the junior note");
        assertEq(r.reserveAfter, input.reserveTarget - 60, "reserve reduced by the draw");
    }

    function test_run_releaseAtFinalPeriodGoesDownTheWaterfall() public pure {
        WaterfallMath.Input memory input = _fixedInput(1);
        input.cash = 0;
        input.reserveTarget = 0; // the deal sets the target to zero at the final period
        WaterfallMath.Result memory r = WaterfallMath.run(input);
        assertEq(r.reserveReleased, input.reserve, "whole reserve released");
        assertEq(r.reserveAfter, 0, "reserve emptied");
        assertEq(r.reserveDrawn, 0, "nothing left to draw");
    }

    // ------------------------------------------------------------------ coupons: C1–C3

    /// C1
    function testFuzz_couponRate_linkedWithinFloorAndCap(
        uint64 baseRate,
        int64 slope,
        uint64 strike,
        uint64 floorRate,
        uint64 capRate,
        uint256 u
    ) public pure {
        if (floorRate > capRate) (floorRate, capRate) = (capRate, floorRate);
        u = bound(u, 0, 1e18);
        CouponTerms memory c = CouponTerms(CouponType.UtilizationLinked, baseRate, slope, strike, floorRate, capRate);
        uint256 rate = WaterfallMath.couponRate(c, u);
        assertGe(rate, floorRate, "C1: rate below floor");
        assertLe(rate, capRate, "C1: rate above cap");
    }

    /// C2
    function testFuzz_couponRate_monotoneInUtilization(
        uint64 baseRate,
        int64 slope,
        uint64 strike,
        uint64 floorRate,
        uint64 capRate,
        uint256 u1,
        uint256 u2
    ) public pure {
        if (floorRate > capRate) (floorRate, capRate) = (capRate, floorRate);
        u1 = bound(u1, 0, 1e18);
        u2 = bound(u2, 0, 1e18);
        if (u1 > u2) (u1, u2) = (u2, u1);
        CouponTerms memory c = CouponTerms(CouponType.UtilizationLinked, baseRate, slope, strike, floorRate, capRate);
        uint256 r1 = WaterfallMath.couponRate(c, u1);
        uint256 r2 = WaterfallMath.couponRate(c, u2);
        if (slope >= 0) assertLe(r1, r2, "C2: rate fell as utilization rose (slope >= 0)");
        if (slope <= 0) assertGe(r1, r2, "C2: rate rose as utilization rose (slope <= 0)");
    }

    /// C2, exactness inside the band: at the strike a linked coupon pays its base rate (clamped).
    function testFuzz_couponRate_baseAtStrike(
        uint64 baseRate,
        int64 slope,
        uint64 strike,
        uint64 floorRate,
        uint64 capRate
    ) public pure {
        if (floorRate > capRate) (floorRate, capRate) = (capRate, floorRate);
        strike = uint64(bound(strike, 0, 1e18));
        CouponTerms memory c = CouponTerms(CouponType.UtilizationLinked, baseRate, slope, strike, floorRate, capRate);
        uint256 expected =
            baseRate < floorRate
                ? floorRate
                : baseRate > capRate
                    ? capRate
                    : baseRate;
        assertEq(WaterfallMath.couponRate(c, strike), expected, "C2: rate at strike != clamped base");
    }

    /// C3
    function testFuzz_couponRate_fixedPaysBase(
        uint64 baseRate,
        int64 slope,
        uint64 strike,
        uint64 floorRate,
        uint64 capRate,
        uint256 u
    ) public pure {
        CouponTerms memory c = CouponTerms(CouponType.Fixed, baseRate, slope, strike, floorRate, capRate);
        assertEq(WaterfallMath.couponRate(c, bound(u, 0, 1e18)), baseRate, "C3: fixed coupon != base");
    }

    // ------------------------------------------------------------------ utilization: U1

    /// U1
    function testFuzz_utilization(uint256 available, uint256 billed) public pure {
        available = bound(available, 0, type(uint64).max);
        billed = bound(billed, 0, available);
        uint256 u = WaterfallMath.utilizationDown(available, billed);
        if (available == 0) {
            assertEq(u, 0, "U1: utilization with nothing available");
            return;
        }
        assertLe(u, 1e18, "U1: utilization above 100%");
        if (billed == available) assertEq(u, 1e18, "U1: full billing != 100%");
        // Rounds down: u·available ≤ billed·1e18 < (u + 1)·available.
        assertLe(u * available, billed * 1e18, "U1: rounded up");
        assertGt((u + 1) * available, billed * 1e18, "U1: rounded down by more than one unit");
    }

    function testFuzz_utilization_zeroWhenNothingAvailable(uint256 billed) public pure {
        assertEq(WaterfallMath.utilizationDown(0, billed), 0, "U1: utilization with nothing available");
    }

    // ------------------------------------------------------------------ schedules: S1–S3

    /// S1, S2
    function testFuzz_scheduledOutstandingUp(
        uint128 face,
        bool straightLine,
        uint256 start,
        uint256 n,
        uint256 count
    ) public pure {
        count = bound(count, 1, 120);
        PrincipalTerms memory p;
        if (straightLine) {
            n = bound(n, 1, count);
            start = bound(start, 0, count - n);
            p = PrincipalTerms(PrincipalType.StraightLine, uint16(start), uint16(n));
        } else {
            p = PrincipalTerms(PrincipalType.Bullet, 0, 0);
        }

        uint256 previous = face;
        uint256 total;
        for (uint256 period; period < count; ++period) {
            uint256 scheduled = WaterfallMath.scheduledOutstandingUp(face, p, period, count);
            assertLe(scheduled, previous, "S1: schedule increased");
            uint256 installment = previous - scheduled;
            total += installment;
            if (period + 1 == count) {
                assertEq(scheduled, 0, "S1: outstanding at final period");
            } else if (!straightLine) {
                assertEq(installment, 0, "S2: bullet amortized before final period");
            } else if (period < start || period >= start + n) {
                assertEq(installment, 0, "S2: installment outside the amortization window");
            } else {
                assertGe(installment, face / n, "S2: installment below floor(face/N)");
                assertLe(installment, (uint256(face) + n - 1) / n, "S2: installment above ceil(face/N)");
            }
            previous = scheduled;
        }
        assertEq(total, face, "S2: installments do not sum to face");
        if (straightLine) {
            // The window's last installment must also be floor or ceil, even when it is the final period.
            uint256 last = start + n - 1;
            uint256 before = last == 0 ? face : WaterfallMath.scheduledOutstandingUp(face, p, last - 1, count);
            uint256 lastInstallment = before - WaterfallMath.scheduledOutstandingUp(face, p, last, count);
            assertGe(lastInstallment, face / n, "S2: last installment below floor(face/N)");
            assertLe(lastInstallment, (uint256(face) + n - 1) / n, "S2: last installment above ceil(face/N)");
        }
    }

    /// S1: whatever the (possibly unvalidated) terms, the schedule is ≤ face and 0 at the final period.
    function testFuzz_scheduledOutstanding_anyTerms(
        uint128 face,
        bool straightLine,
        uint16 start,
        uint16 n,
        uint16 count,
        uint16 period
    ) public pure {
        count = uint16(bound(count, 1, type(uint16).max));
        PrincipalTerms memory p = PrincipalTerms(
            straightLine ? PrincipalType.StraightLine : PrincipalType.Bullet,
            start,
            uint16(bound(n, 1, type(uint16).max))
        );
        assertLe(WaterfallMath.scheduledOutstandingUp(face, p, period, count), face, "S1: schedule above face");
        assertEq(WaterfallMath.scheduledOutstandingUp(face, p, count - 1, count), 0, "S1: outstanding at final period");
    }

    /// S3
    function testFuzz_principalDue(uint256 outstanding, uint256 scheduled) public pure {
        uint256 due = WaterfallMath.principalDue(outstanding, scheduled);
        assertLe(due, outstanding, "S3: due exceeds outstanding");
        assertEq(due, outstanding > scheduled ? outstanding - scheduled : 0, "S3: due != outstanding - scheduled");
    }

    /// S3, along a path of partial payments.
    function testFuzz_principalDue_pathOfPartialPayments(
        uint128 face,
        uint256 start,
        uint256 n,
        uint256 count,
        uint256 payments
    ) public pure {
        count = bound(count, 1, 60);
        n = bound(n, 1, count);
        start = bound(start, 0, count - n);
        PrincipalTerms memory p = PrincipalTerms(PrincipalType.StraightLine, uint16(start), uint16(n));

        uint256 outstanding = face;
        for (uint256 period; period < count; ++period) {
            uint256 scheduled = WaterfallMath.scheduledOutstandingUp(face, p, period, count);
            uint256 due = WaterfallMath.principalDue(outstanding, scheduled);
            assertLe(due, outstanding, "S3: due exceeds outstanding");
            assertEq(
                outstanding - due,
                outstanding > scheduled ? scheduled : outstanding,
                "S3: due misses the schedule"
            );
            if (period + 1 == count) assertEq(due, outstanding, "S3: final period leaves principal not due");
            // Pay a pseudo-random part of the due: nothing, all of it, or a fraction.
            uint256 selector = uint256(keccak256(abi.encode(payments, period)));
            uint256 paid =
                selector % 3 == 0
                    ? 0
                    : selector % 3 == 1
                        ? due
                        : (due * ((selector >> 128) & 0xff)) / 0xff;
            assertLe(outstanding - paid, outstanding, "S3: outstanding increased");
            outstanding -= paid;
        }
    }

    // ------------------------------------------------------------------ fees: B1

    /// B1: a fee in basis points rounds down (the remainder stays in the waterfall).
    function testFuzz_bpsOf_roundsDown(uint128 amount, uint16 bps) public pure {
        uint256 fee = WaterfallMath.bpsOfDown(amount, bps);
        assertLe(fee * 10_000, uint256(amount) * bps, "B1: fee rounded up");
        assertGt((fee + 1) * 10_000, uint256(amount) * bps, "B1: fee short by a unit or more");
    }

    function test_bpsOf_roundsDown() public pure {
        assertEq(WaterfallMath.bpsOfDown(9_999, 1), 0, "B1: 0.9999 rounds to 0");
        assertEq(WaterfallMath.bpsOfDown(19_999, 1), 1, "B1: 1.9999 rounds to 1");
        assertEq(WaterfallMath.bpsOfDown(1_000_000, 100), 10_000, "B1: exact");
    }

    // ------------------------------------------------------------------ interest: I1–I2

    /// I1
    function testFuzz_periodInterest_roundsDown(uint128 principal, uint64 rate, uint32 periodLength) public pure {
        uint256 interest = WaterfallMath.periodInterestDown(principal, rate, periodLength);
        uint256 numerator = uint256(principal) * rate * periodLength; // < 2^224: no overflow
        uint256 denominator = 1e18 * uint256(365 days);
        assertLe(interest * denominator, numerator, "I1: interest rounded up");
        assertGt((interest + 1) * denominator, numerator, "I1: interest short by a unit or more");
    }

    /// I2
    function testFuzz_periodInterest_monotone(
        uint128 p1,
        uint128 p2,
        uint64 r1,
        uint64 r2,
        uint32 periodLength
    ) public pure {
        if (p1 > p2) (p1, p2) = (p2, p1);
        if (r1 > r2) (r1, r2) = (r2, r1);
        uint256 base = WaterfallMath.periodInterestDown(p1, r1, periodLength);
        assertLe(base, WaterfallMath.periodInterestDown(p2, r1, periodLength), "I2: not monotone in principal");
        assertLe(base, WaterfallMath.periodInterestDown(p1, r2, periodLength), "I2: not monotone in rate");
    }

    // ------------------------------------------------------------------ helpers

    /// @dev Amounts spread over magnitudes 0..1e30 (log-uniform exponent), so dues, cash and reserve are often
    /// of comparable size; a uniform draw below 1e30 would almost always be ~1e29.
    function _amount(uint256 seed) internal pure returns (uint256) {
        uint256 magnitude = 10 ** ((seed & 0xff) % 31);
        return (seed >> 8) % (magnitude + 1);
    }

    function _input(RawRun memory raw) internal pure returns (WaterfallMath.Input memory input) {
        uint256 notes = bound(raw.notes, 1, MAX_NOTES);
        input.reserve = _amount(raw.reserve);
        input.reserveTarget = _amount(raw.reserveTarget);
        input.trusteeFeeDue = _amount(raw.trusteeFeeDue);
        input.servicerFeeDue = _amount(raw.servicerFeeDue);
        input.interestDue = new uint256[](notes);
        input.principalDue = new uint256[](notes);
        for (uint256 i; i < notes; ++i) {
            input.interestDue[i] = _amount(raw.interestDue[i]);
            input.principalDue[i] = _amount(raw.principalDue[i]);
        }

        // Cash: a random amount, or the exact sum of a prefix of the waterfall's dues (± a few units), so runs
        // stop exactly at, just before and just after each step.
        uint256 mode = raw.cashMode % 4;
        if (mode == 0) {
            input.cash = _amount(raw.cash);
            return input;
        }
        uint256[] memory steps = new uint256[](3 + 2 * notes);
        steps[0] = input.trusteeFeeDue;
        steps[1] = input.servicerFeeDue;
        for (uint256 i; i < notes; ++i) steps[2 + i] = input.interestDue[i];
        steps[2 + notes] = input.reserveTarget > input.reserve ? input.reserveTarget - input.reserve : 0;
        for (uint256 i; i < notes; ++i) steps[3 + notes + i] = input.principalDue[i];
        uint256 prefix = (raw.cash >> 128) % (steps.length + 1);
        uint256 cash;
        for (uint256 i; i < prefix; ++i) cash += steps[i];
        uint256 released = input.reserve > input.reserveTarget ? input.reserve - input.reserveTarget : 0;
        cash = cash > released ? cash - released : 0;
        uint256 delta = raw.cash % 3;
        if (mode == 2) cash += delta;
        if (mode == 3) cash = cash > delta ? cash - delta : 0;
        input.cash = cash;
    }

    function _fixedInput(uint256 notes) internal pure returns (WaterfallMath.Input memory input) {
        input.reserve = 1_000;
        input.reserveTarget = 1_000;
        input.trusteeFeeDue = 10;
        input.servicerFeeDue = 5;
        input.interestDue = new uint256[](notes);
        input.principalDue = new uint256[](notes);
        for (uint256 i; i < notes; ++i) {
            input.interestDue[i] = 50 + i;
            input.principalDue[i] = 500;
        }
    }

    function _sum(uint256[] memory values) internal pure returns (uint256 total) {
        for (uint256 i; i < values.length; ++i) total += values[i];
    }

    function _min(uint256 a, uint256 b) internal pure returns (uint256) {
        return a < b ? a : b;
    }
}
