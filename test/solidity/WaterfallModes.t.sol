// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {WaterfallMath} from "../../contracts/libraries/WaterfallMath.sol";

import {Assertions} from "./utils/Assertions.sol";
import {TestBase} from "./utils/Vm.sol";

/*
 * Properties of WaterfallMath.run in its three orders (Normal, CashTrap, Accelerated), with or without turbo.
 * Random input: mode, turbo, 1–5 notes, cash, reserve, target, principal cash (the recovery account; none in half
 * the runs), keeper bounty and fees ≤ 1e30; per note an outstanding ≤ 1e30, an interest due ≤ 1e30 (current interest
 * plus arrears: not bounded by outstanding), a scheduled principal due ≤ outstanding and a written-down principal
 * (none in half the runs). Cash is either random or the exact sum of a prefix of the period's dues (± a few units),
 * so runs stop at, just before and just after each step of each order.
 *
 *   M1  Conservation. cash + principalCashUsed + reserveReleased + reserveDrawn == keeperBountyPaid + trusteeFeePaid
 *       + servicerFeePaid + Σ interestPaid + reserveToppedUp + Σ principalPaid + Σ recovered + reserveTrapped
 *       + residual, and reserveAfter == reserve − reserveReleased − reserveDrawn + reserveToppedUp + reserveTrapped.
 *   M2  Nothing paid exceeds its due: bounty, fees and each note's interest; principal never exceeds the note's
 *       outstanding, and stays within the scheduled principal unless the order repays beyond the schedule
 *       (CashTrap with turbo, Accelerated). Normal never traps.
 *   M3  CashTrap never releases reserve above a nonzero target (a zero target releases it all); it traps only
 *       while some note is unpaid, and then leaves no residual.
 *   M4  Accelerated releases the whole reserve, draws, tops up and traps nothing and ends with an empty reserve;
 *       after bounty and fees it pays senior interest, then principal strictly by rank (a rank gets principal
 *       only once every senior rank's outstanding is paid in full), and subordinate interest only once all
 *       principal is paid, by rank.
 *   M5  A residual in CashTrap or Accelerated means every note is paid in full, interest and principal.
 *   M6  Principal cash is a backstop in Normal and CashTrap: it never pays more than it holds, and against the same
 *       run without it, the bounty, the fees, every junior note's interest, the top-up, the written-down principal
 *       recovered, the trapped cash and the residual are unchanged — it only covers the senior interest and the
 *       scheduled principal the cash leaves unpaid, so it never frees cash for anyone below them. Accelerated
 *       releases it whole.
 *   M7  Written-down principal is repaid by rank, never beyond what was written down, and before anything is trapped
 *       or goes to equity: a residual or trapped cash means every written-down unit was repaid.
 */
contract WaterfallModesTest is TestBase, Assertions {
    uint256 internal constant MAX_AMOUNT = 1e30;
    uint256 internal constant MAX_NOTES = 5;

    /// @dev Raw fuzz input of one run in any order, turned into an Input by `_input`.
    struct RawRun {
        uint8 mode;
        bool turbo;
        uint256 notes;
        uint256 cashMode;
        uint256 cash;
        uint256 reserve;
        uint256 reserveTarget;
        uint256 keeperBountyDue;
        uint256 trusteeFeeDue;
        uint256 servicerFeeDue;
        uint256[5] interestDue;
        uint256[5] principalDue;
        uint256[5] outstanding;
        uint256 principalCash;
        uint256[5] writtenDown;
    }

    /// M1
    function testFuzz_run_conservesCashInEveryMode(RawRun memory raw) public pure {
        WaterfallMath.Input memory input = _input(raw);
        WaterfallMath.Result memory r = WaterfallMath.run(input);

        uint256 sources = input.cash + r.principalCashUsed + r.reserveReleased + r.reserveDrawn;
        uint256 uses =
            r.keeperBountyPaid +
                r.trusteeFeePaid +
                r.servicerFeePaid +
                _sum(r.interestPaid) +
                r.reserveToppedUp +
                _sum(r.principalPaid) +
                _sum(r.recovered) +
                r.reserveTrapped +
                r.residual;
        assertEq(sources, uses, "M1: sources != uses");
        assertEq(
            r.reserveAfter,
            input.reserve - r.reserveReleased - r.reserveDrawn + r.reserveToppedUp + r.reserveTrapped,
            "M1: reserveAfter does not reconcile"
        );
        assertEq(r.interestPaid.length, input.interestDue.length, "M1: interestPaid length");
        assertEq(r.principalPaid.length, input.principalDue.length, "M1: principalPaid length");
    }

    /// M2
    function testFuzz_run_paysNoMoreThanDueInEveryMode(RawRun memory raw) public pure {
        WaterfallMath.Input memory input = _input(raw);
        WaterfallMath.Result memory r = WaterfallMath.run(input);
        bool beyondSchedule =
            input.mode == WaterfallMath.Mode.Accelerated || (input.mode == WaterfallMath.Mode.CashTrap && input.turbo);

        assertLe(r.keeperBountyPaid, input.keeperBountyDue, "M2: keeper bounty overpaid");
        assertLe(r.trusteeFeePaid, input.trusteeFeeDue, "M2: trustee fee overpaid");
        assertLe(r.servicerFeePaid, input.servicerFeeDue, "M2: servicer fee overpaid");
        for (uint256 i; i < input.interestDue.length; ++i) {
            assertLe(r.interestPaid[i], input.interestDue[i], "M2: interest overpaid");
            assertLe(r.principalPaid[i], input.outstanding[i], "M2: principal above outstanding");
            if (!beyondSchedule) assertLe(r.principalPaid[i], input.principalDue[i], "M2: principal above schedule");
        }
        if (input.mode == WaterfallMath.Mode.Normal) assertEq(r.reserveTrapped, 0, "M2: Normal trapped cash");
    }

    /// M3
    function testFuzz_run_cashTrapKeepsTheReserve(RawRun memory raw) public pure {
        raw.mode = uint8(WaterfallMath.Mode.CashTrap);
        WaterfallMath.Input memory input = _input(raw);
        WaterfallMath.Result memory r = WaterfallMath.run(input);

        if (input.reserveTarget != 0) {
            assertEq(r.reserveReleased, 0, "M3: reserve released above a nonzero target");
        } else {
            assertEq(r.reserveReleased, input.reserve, "M3: zero target did not release the reserve");
        }
        if (r.reserveTrapped != 0) {
            assertTrue(!_allPaid(input, r), "M3: trapped cash though every note is paid");
            assertEq(r.residual, 0, "M3: residual alongside trapped cash");
        }
        // Trapping only takes what the normal order leaves over: the residual is never positive while a note is
        // short, and whatever is left then is trapped.
        if (!_allPaid(input, r)) assertEq(r.residual, 0, "M3: residual while a note is unpaid");
    }

    /// M4
    function testFuzz_run_acceleratedPaysPrincipalByRank(RawRun memory raw) public pure {
        raw.mode = uint8(WaterfallMath.Mode.Accelerated);
        WaterfallMath.Input memory input = _input(raw);
        WaterfallMath.Result memory r = WaterfallMath.run(input);
        uint256 notes = input.interestDue.length;

        assertEq(r.reserveReleased, input.reserve, "M4: reserve not released in full");
        assertEq(r.reserveDrawn + r.reserveToppedUp + r.reserveTrapped, 0, "M4: reserve drawn, topped up or trapped");
        assertEq(r.reserveAfter, 0, "M4: reserve left after acceleration");

        bool feesShort =
            r.keeperBountyPaid < input.keeperBountyDue ||
                r.trusteeFeePaid < input.trusteeFeeDue ||
                r.servicerFeePaid < input.servicerFeeDue;
        if (r.trusteeFeePaid != 0) assertEq(r.keeperBountyPaid, input.keeperBountyDue, "M4: trustee before bounty");
        if (r.servicerFeePaid != 0) assertEq(r.trusteeFeePaid, input.trusteeFeeDue, "M4: servicer before trustee");
        if (feesShort) assertEq(r.interestPaid[0], 0, "M4: senior interest before fees");

        bool seniorInterestShort = r.interestPaid[0] < input.interestDue[0];
        bool principalShort = false;
        for (uint256 k; k < notes; ++k) {
            if (seniorInterestShort || principalShort) {
                assertEq(r.principalPaid[k], 0, "M4: principal before senior interest or a senior rank's principal");
            }
            if (r.principalPaid[k] < input.outstanding[k]) principalShort = true;
        }

        bool juniorInterestShort = false;
        for (uint256 k = 1; k < notes; ++k) {
            if (seniorInterestShort || principalShort || juniorInterestShort) {
                assertEq(r.interestPaid[k], 0, "M4: subordinate interest before all principal or senior interest");
            }
            if (r.interestPaid[k] < input.interestDue[k]) juniorInterestShort = true;
        }
    }

    /// M5
    function testFuzz_run_residualOnlyInNormalOrWhenAllPaid(RawRun memory raw) public pure {
        WaterfallMath.Input memory input = _input(raw);
        WaterfallMath.Result memory r = WaterfallMath.run(input);
        if (r.residual != 0 && input.mode != WaterfallMath.Mode.Normal) {
            assertTrue(_allPaid(input, r), "M5: residual in CashTrap or Accelerated while a note is unpaid");
        }
    }

    /// M6
    function testFuzz_run_principalCashOnlyBacksWhatTheCashLeavesUnpaid(RawRun memory raw) public pure {
        WaterfallMath.Input memory input = _input(raw);
        WaterfallMath.Result memory r = WaterfallMath.run(input);
        assertLe(r.principalCashUsed, input.principalCash, "M6: principal cash overspent");
        if (input.mode == WaterfallMath.Mode.Accelerated) {
            assertEq(r.principalCashUsed, input.principalCash, "M6: accelerated did not release principal cash");
            return;
        }
        uint256 held = input.principalCash;
        input.principalCash = 0;
        WaterfallMath.Result memory r0 = WaterfallMath.run(input);
        assertEq(r.keeperBountyPaid, r0.keeperBountyPaid, "M6: principal cash changed the bounty");
        assertEq(r.trusteeFeePaid + r.servicerFeePaid, r0.trusteeFeePaid + r0.servicerFeePaid, "M6: fees changed");
        for (uint256 i = 1; i < input.interestDue.length; ++i) {
            assertEq(r.interestPaid[i], r0.interestPaid[i], "M6: principal cash paid junior interest");
        }
        for (uint256 i; i < input.interestDue.length; ++i) {
            assertEq(r.recovered[i], r0.recovered[i], "M6: principal cash repaid written-down principal");
            assertGe(r.principalPaid[i], r0.principalPaid[i], "M6: principal cash lowered a principal payment");
        }
        assertEq(r.reserveToppedUp, r0.reserveToppedUp, "M6: principal cash changed the top-up");
        assertEq(r.reserveTrapped, r0.reserveTrapped, "M6: principal cash changed the trapped cash");
        assertEq(r.residual, r0.residual, "M6: principal cash freed cash for equity");
        assertGe(r.interestPaid[0], r0.interestPaid[0], "M6: principal cash lowered the senior interest");
        if (r.principalCashUsed != 0) assertTrue(held != 0, "M6: used principal cash that was not held");
    }

    /// M7
    function testFuzz_run_writtenDownRepaidByRankBeforeTrapOrEquity(RawRun memory raw) public pure {
        WaterfallMath.Input memory input = _input(raw);
        WaterfallMath.Result memory r = WaterfallMath.run(input);
        bool unrecovered = false;
        for (uint256 i; i < input.writtenDown.length; ++i) {
            assertLe(r.recovered[i], input.writtenDown[i], "M7: recovered more than written down");
            if (unrecovered) assertEq(r.recovered[i], 0, "M7: recovered before a senior rank's write-down");
            if (r.recovered[i] < input.writtenDown[i]) unrecovered = true;
        }
        if (unrecovered) {
            assertEq(r.residual, 0, "M7: residual while written-down principal is unrecovered");
            assertEq(r.reserveTrapped, 0, "M7: cash trapped while written-down principal is unrecovered");
        }
    }

    /// Written-down principal in each order: the cash left once every due is paid repays it by rank, then the rest
    /// is residual (Normal, CashTrap once every note is paid, Accelerated).
    function test_run_surplusRepaysWrittenDownPrincipalInEachOrder() public pure {
        for (uint8 m; m < 3; ++m) {
            WaterfallMath.Input memory input = _twoNotes(WaterfallMath.Mode(m));
            input.writtenDown = new uint256[](2);
            input.writtenDown[0] = 60;
            input.writtenDown[1] = 25;
            input.turbo = true;
            // Enough for every due of every order, both write-downs and 3 more.
            input.cash = 5 + 10 + 7 + 30 + 20 + 400 + 300 + 60 + 25 + 3;
            WaterfallMath.Result memory r = WaterfallMath.run(input);
            assertEq(r.recovered[0], 60, "senior write-down repaid");
            assertEq(r.recovered[1], 25, "junior write-down repaid");
            assertEq(r.reserveTrapped, 0, "nothing trapped once every note is paid");
            // Normal pays scheduled principal only (50 + 40) and releases nothing: 610 more is left.
            uint256 left = m == uint8(WaterfallMath.Mode.Normal) ? 613 : 3;
            if (m == uint8(WaterfallMath.Mode.Accelerated)) left += 100; // the reserve released whole
            assertEq(r.residual, left, "residual after the write-downs");
        }
        // One unit short of the junior write-down: it waits, and nothing goes to equity.
        WaterfallMath.Input memory normal = _twoNotes(WaterfallMath.Mode.Normal);
        normal.writtenDown = new uint256[](2);
        normal.writtenDown[1] = 25;
        normal.cash = 5 + 10 + 7 + 30 + 20 + 50 + 40 + 24;
        WaterfallMath.Result memory s = WaterfallMath.run(normal);
        assertEq(s.recovered[1], 24, "junior write-down one unit short");
        assertEq(s.residual, 0, "no residual while a write-down is unrecovered");
    }

    function test_run_principalCashCoversTheSeniorShortfallBeforeTheReserveAndNeverJuniorInterest() public pure {
        WaterfallMath.Input memory input = _twoNotes(WaterfallMath.Mode.Normal);
        // 5 + 10 + 7 = 22 of fees, 8 for the senior's 30: a shortfall of 22, 15 of it from principal cash.
        input.cash = 30;
        input.principalCash = 15;
        WaterfallMath.Result memory r = WaterfallMath.run(input);
        assertEq(r.interestPaid[0], 30, "senior interest paid");
        assertEq(r.principalCashUsed, 15, "principal cash first");
        assertEq(r.reserveDrawn, 7, "then the reserve");
        assertEq(r.interestPaid[1], 0, "no junior interest from principal cash");
        assertEq(r.principalPaid[0] + r.principalPaid[1], 0, "nothing left for principal");
    }

    function test_run_principalCashCoversScheduledPrincipalTheCashLeavesUnpaid() public pure {
        WaterfallMath.Input memory input = _twoNotes(WaterfallMath.Mode.Normal);
        // After fees (22) and interest (50): 20 of cash for the senior's 50 scheduled; principal cash pays the
        // senior's other 30 and 35 of the junior's 40.
        input.cash = 92;
        input.principalCash = 65;
        WaterfallMath.Result memory r = WaterfallMath.run(input);
        assertEq(r.principalPaid[0], 50, "senior schedule paid");
        assertEq(r.principalPaid[1], 35, "junior schedule partly paid");
        assertEq(r.principalCashUsed, 65, "principal cash used in full");
        assertEq(r.residual, 0, "no residual");
        // With more principal cash than is due, the rest stays held.
        input.principalCash = 1_000;
        r = WaterfallMath.run(input);
        assertEq(r.principalPaid[1], 40, "junior schedule paid");
        assertEq(r.principalCashUsed, 70, "only the shortfall");
        assertEq(r.residual, 0, "nothing from principal cash to equity");
    }

    function test_run_acceleratedReleasesThePrincipalCash() public pure {
        WaterfallMath.Input memory input = _twoNotes(WaterfallMath.Mode.Accelerated);
        input.reserve = 0;
        input.principalCash = 100;
        WaterfallMath.Result memory r = WaterfallMath.run(input);
        assertEq(r.principalCashUsed, 100, "released whole");
        // bounty 5, fees 17, senior interest 30, senior principal 48.
        assertEq(r.keeperBountyPaid + r.trusteeFeePaid + r.servicerFeePaid, 22, "fees from principal cash");
        assertEq(r.interestPaid[0], 30, "senior interest");
        assertEq(r.principalPaid[0], 48, "senior principal");
    }

    /// M3–M5 at a fixed point: two notes, a cash trap with turbo that repays the junior note in full and traps
    /// nothing, and the same cash one unit short, which leaves the junior note one unit short and traps nothing.
    function test_run_cashTrapTurboRepaysThenReleasesResidual() public pure {
        WaterfallMath.Input memory input = _twoNotes(WaterfallMath.Mode.CashTrap);
        input.turbo = true;
        // bounty 5 + fees 10 + 7 + interest 30 + 20 + top-up 0 + outstanding 400 + 300 = 772, plus 9 left over.
        input.cash = 781;
        WaterfallMath.Result memory r = WaterfallMath.run(input);
        assertEq(r.principalPaid[0], 400, "senior repaid by turbo");
        assertEq(r.principalPaid[1], 300, "junior repaid by turbo");
        assertEq(r.reserveTrapped, 0, "nothing trapped once every note is paid");
        assertEq(r.residual, 9, "residual once every note is paid");

        input.cash = 771;
        r = WaterfallMath.run(input);
        assertEq(r.principalPaid[1], 299, "junior one unit short");
        assertEq(r.reserveTrapped + r.residual, 0, "nothing left to trap or pay out");
    }

    function test_run_cashTrapWithoutTurboTrapsTheExcess() public pure {
        WaterfallMath.Input memory input = _twoNotes(WaterfallMath.Mode.CashTrap);
        input.reserve = 150; // above the target of 100: kept in a cash trap
        input.cash = 500;
        WaterfallMath.Result memory r = WaterfallMath.run(input);
        assertEq(r.reserveReleased, 0, "no release in a cash trap");
        // 500 − 5 − 10 − 7 − 30 − 20 − scheduled 50 − 40 = 338 trapped.
        assertEq(r.principalPaid[0], 50, "senior scheduled principal");
        assertEq(r.principalPaid[1], 40, "junior scheduled principal");
        assertEq(r.reserveTrapped, 338, "excess trapped");
        assertEq(r.reserveAfter, 488, "reserve grows by the trapped cash");
        assertEq(r.residual, 0, "no residual in a cash trap");
    }

    function test_run_acceleratedPaysSeniorInterestThenPrincipalByRank() public pure {
        WaterfallMath.Input memory input = _twoNotes(WaterfallMath.Mode.Accelerated);
        input.reserve = 100;
        // 350 cash + 100 reserve = 450: bounty 5, fees 17, senior interest 30, senior principal 398 (of 400).
        input.cash = 350;
        WaterfallMath.Result memory r = WaterfallMath.run(input);
        assertEq(r.reserveReleased, 100, "reserve released");
        assertEq(r.interestPaid[0], 30, "senior interest");
        assertEq(r.principalPaid[0], 398, "senior principal short by 2");
        assertEq(r.principalPaid[1] + r.interestPaid[1] + r.residual, 0, "nothing below senior principal");
    }

    // ------------------------------------------------------------------ helpers

    function _input(RawRun memory raw) internal pure returns (WaterfallMath.Input memory input) {
        uint256 notes = bound(raw.notes, 1, MAX_NOTES);
        input.mode = WaterfallMath.Mode(raw.mode % 3);
        input.turbo = raw.turbo;
        input.reserve = _amount(raw.reserve);
        // One run in four has no target (the deal's last period, or no note outstanding).
        input.reserveTarget = raw.reserveTarget % 4 == 0 ? 0 : _amount(raw.reserveTarget);
        input.keeperBountyDue = _amount(raw.keeperBountyDue);
        input.trusteeFeeDue = _amount(raw.trusteeFeeDue);
        input.servicerFeeDue = _amount(raw.servicerFeeDue);
        input.interestDue = new uint256[](notes);
        input.principalDue = new uint256[](notes);
        input.outstanding = new uint256[](notes);
        input.writtenDown = new uint256[](notes);
        for (uint256 i; i < notes; ++i) {
            input.outstanding[i] = _amount(raw.outstanding[i]);
            input.interestDue[i] = _amount(raw.interestDue[i]);
            input.principalDue[i] = bound(raw.principalDue[i], 0, input.outstanding[i]);
            input.writtenDown[i] = raw.writtenDown[i] % 2 == 0 ? 0 : _amount(raw.writtenDown[i]);
        }
        input.principalCash = raw.principalCash % 2 == 0 ? 0 : _amount(raw.principalCash);

        uint256 cashMode = raw.cashMode % 4;
        if (cashMode == 0) {
            input.cash = _amount(raw.cash);
            return input;
        }
        uint256[] memory steps = _steps(input);
        uint256 prefix = (raw.cash >> 128) % (steps.length + 1);
        uint256 cash;
        for (uint256 i; i < prefix; ++i) cash += steps[i];
        uint256 released = _released(input);
        cash = cash > released ? cash - released : 0;
        uint256 delta = raw.cash % 3;
        if (cashMode == 2) cash += delta;
        if (cashMode == 3) cash = cash > delta ? cash - delta : 0;
        input.cash = cash;
    }

    /// @dev The dues of the input's order, in the order it pays them.
    function _steps(WaterfallMath.Input memory input) internal pure returns (uint256[] memory steps) {
        uint256 notes = input.interestDue.length;
        steps = new uint256[](4 + 3 * notes);
        steps[0] = input.keeperBountyDue;
        steps[1] = input.trusteeFeeDue;
        steps[2] = input.servicerFeeDue;
        uint256 n = 3;
        if (input.mode == WaterfallMath.Mode.Accelerated) {
            steps[n++] = input.interestDue[0];
            for (uint256 i; i < notes; ++i) steps[n++] = input.outstanding[i];
            for (uint256 i = 1; i < notes; ++i) steps[n++] = input.interestDue[i];
        } else {
            for (uint256 i; i < notes; ++i) steps[n++] = input.interestDue[i];
            uint256 kept = input.reserve - _released(input);
            steps[n++] = input.reserveTarget > kept ? input.reserveTarget - kept : 0;
            for (uint256 i; i < notes; ++i) steps[n++] = input.principalDue[i];
            if (input.turbo && input.mode == WaterfallMath.Mode.CashTrap) {
                for (uint256 i; i < notes; ++i) steps[n++] = input.outstanding[i] - input.principalDue[i];
            }
        }
        // Unused trailing steps stay zero: a prefix ending in them adds nothing.
    }

    /// @dev Reserve the order releases before paying anything.
    function _released(WaterfallMath.Input memory input) internal pure returns (uint256) {
        if (input.mode == WaterfallMath.Mode.Accelerated) return input.reserve;
        if (input.reserve <= input.reserveTarget) return 0;
        if (input.mode == WaterfallMath.Mode.CashTrap && input.reserveTarget != 0) return 0;
        return input.reserve - input.reserveTarget;
    }

    function _allPaid(WaterfallMath.Input memory input, WaterfallMath.Result memory r) internal pure returns (bool) {
        for (uint256 i; i < input.interestDue.length; ++i) {
            if (r.principalPaid[i] < input.outstanding[i] || r.interestPaid[i] < input.interestDue[i]) return false;
        }
        return true;
    }

    function _twoNotes(WaterfallMath.Mode mode) internal pure returns (WaterfallMath.Input memory input) {
        input.mode = mode;
        input.reserve = 100;
        input.reserveTarget = 100;
        input.keeperBountyDue = 5;
        input.trusteeFeeDue = 10;
        input.servicerFeeDue = 7;
        input.interestDue = new uint256[](2);
        input.principalDue = new uint256[](2);
        input.outstanding = new uint256[](2);
        input.writtenDown = new uint256[](2);
        input.interestDue[0] = 30;
        input.interestDue[1] = 20;
        input.principalDue[0] = 50;
        input.principalDue[1] = 40;
        input.outstanding[0] = 400;
        input.outstanding[1] = 300;
    }

    /// @dev A fuzzed amount in [0, 1e30]; one value in eight is zero.
    function _amount(uint256 x) internal pure returns (uint256) {
        if (x % 8 == 0) return 0;
        return bound(x, 0, MAX_AMOUNT);
    }

    function _sum(uint256[] memory xs) internal pure returns (uint256 total) {
        for (uint256 i; i < xs.length; ++i) total += xs[i];
    }
}
