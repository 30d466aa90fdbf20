// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {CollateralMath} from "../../contracts/libraries/CollateralMath.sol";

import {Assertions} from "./utils/Assertions.sol";
import {TestBase} from "./utils/Vm.sol";

/*
 * Properties of the collateral math (contracts/libraries/CollateralMath.sol). Amounts up to 1e30, lives up to
 * 20 years, ages up to 40 years, yearly declining rates below 100 %.
 *
 *   D1  Straight line: the value lies in [residual, cost], equals cost at age 0 and residual from the end of life
 *       on, never rises with age, and never exceeds the exact rational value (it rounds down).
 *   D2  Declining balance: the value lies in [residual, cost], equals cost at age 0 and residual from the end of
 *       life on, never rises with age (also across year boundaries), and at whole years equals
 *       max(residual, cost·rpowDown(1 − d, n)) rounded down.
 *   D3  rpowDown(x, n) ≤ 1e18, is non-increasing in n for x ≤ 1e18, rpowDown(x, n + 1) = ⌊rpowDown(x, n)·x⌋,
 *       and rpowDown(x, 0) = rpowDown(1e18, n) = 1e18.
 *   R1  ltv rounds up and coverage rounds down: ltv·value ≥ debt·1e18 > (ltv − 1)·value, and
 *       coverage·covered ≤ available·1e18 < (coverage + 1)·covered.
 *   R2  The index-implied value scales cost by indexNow / indexAtAcquisition, rounded down.
 */
contract CollateralMathTest is TestBase, Assertions {
    uint256 internal constant WAD = 1e18;
    uint256 internal constant YEAR = 365 days;
    uint256 internal constant MAX_AMOUNT = 1e30;

    /// D1
    function testFuzz_straightLine(uint256 cost, uint256 residual, uint256 life, uint256 a1, uint256 a2) public pure {
        cost = bound(cost, 1, MAX_AMOUNT);
        residual = bound(residual, 0, cost);
        life = bound(life, 1, 20 * YEAR);
        a1 = bound(a1, 0, 40 * YEAR);
        a2 = bound(a2, a1, 40 * YEAR);
        uint256 v1 = CollateralMath.straightLineDown(cost, residual, life, a1);
        uint256 v2 = CollateralMath.straightLineDown(cost, residual, life, a2);
        assertLe(v1, cost, "D1: above cost");
        assertGe(v2, residual, "D1: below residual");
        assertLe(v2, v1, "D1: value rose with age");
        assertEq(CollateralMath.straightLineDown(cost, residual, life, 0), cost, "D1: age 0");
        assertEq(CollateralMath.straightLineDown(cost, residual, life, life + a1), residual, "D1: end of life");
        if (a1 < life) {
            // v1 ≤ cost − (cost − residual)·a1/life, i.e. v1·life ≤ cost·life − (cost − residual)·a1.
            assertLe(v1 * life, cost * life - (cost - residual) * a1, "D1: rounds up");
        }
    }

    /// D1, D2 at the boundary: at exactly the end of its useful life an entry is worth its residual, one second
    /// earlier more (a declining balance whose rate has not reached the residual by then included).
    function test_endOfLife_worthExactlyTheResidual() public pure {
        uint256 cost = 30_000e6;
        uint256 residual = 3_000e6;
        uint256 life = 6 * YEAR;
        // 30 % a year over 6 years leaves 0.7^6 ≈ 11.8 % of cost, above the 10 % residual.
        assertEq(CollateralMath.decliningBalanceDown(cost, residual, 0.3e18, life, life), residual, "D2: at life");
        assertGt(
            CollateralMath.decliningBalanceDown(cost, residual, 0.3e18, life, life - 1),
            residual,
            "D2: before life"
        );
        assertEq(CollateralMath.straightLineDown(cost, residual, life, life), residual, "D1: at life");
        assertGt(CollateralMath.straightLineDown(cost, residual, life, life - 1), residual, "D1: a second before");
    }

    /// D2
    function testFuzz_decliningBalanceDown(
        uint256 cost,
        uint256 residual,
        uint256 rate,
        uint256 life,
        uint256 a1,
        uint256 a2
    ) public pure {
        cost = bound(cost, 1, MAX_AMOUNT);
        residual = bound(residual, 0, cost);
        rate = bound(rate, 0, WAD - 1);
        life = bound(life, 1, 20 * YEAR);
        a1 = bound(a1, 0, 40 * YEAR);
        a2 = bound(a2, a1, 40 * YEAR);
        uint256 v1 = CollateralMath.decliningBalanceDown(cost, residual, rate, life, a1);
        uint256 v2 = CollateralMath.decliningBalanceDown(cost, residual, rate, life, a2);
        assertLe(v1, cost, "D2: above cost");
        assertGe(v2, residual, "D2: below residual");
        assertLe(v2, v1, "D2: value rose with age");
        assertEq(CollateralMath.decliningBalanceDown(cost, residual, rate, life, 0), cost, "D2: age 0");
        assertEq(
            CollateralMath.decliningBalanceDown(cost, residual, rate, life, life + a1),
            residual,
            "D2: end of life"
        );
    }

    /// D2, across a year boundary and at whole years.
    function testFuzz_decliningBalance_yearBoundary(uint256 cost, uint256 rate, uint256 years_) public pure {
        cost = bound(cost, 1, MAX_AMOUNT);
        rate = bound(rate, 1, WAD - 1);
        years_ = bound(years_, 1, 10);
        uint256 life = 20 * YEAR;
        uint256 before = CollateralMath.decliningBalanceDown(cost, 0, rate, life, years_ * YEAR - 1);
        uint256 atYear = CollateralMath.decliningBalanceDown(cost, 0, rate, life, years_ * YEAR);
        assertLe(atYear, before, "D2: value rose across a year boundary");
        uint256 expected = (cost * CollateralMath.rpowDown(WAD - rate, years_)) / WAD;
        assertEq(atYear, expected, "D2: whole years");
    }

    function test_decliningBalance_h100() public pure {
        // $25M at 30 % a year over a 36-month life, 15 % residual: after 18 months 25M·0.7·(1 − 0.3·0.5).
        uint256 cost = 25_000_000e6;
        uint256 v = CollateralMath.decliningBalanceDown(cost, 3_750_000e6, 0.3e18, 3 * YEAR, YEAR + YEAR / 2);
        assertEq(v, 14_875_000e6, "D2: 18 months");
        // Straight line: 25M − 21.25M·18/36.
        assertEq(CollateralMath.straightLineDown(cost, 3_750_000e6, 3 * YEAR, YEAR + YEAR / 2), 14_375_000e6, "D1");
    }

    /// D3
    function testFuzz_rpowDown(uint256 x, uint256 n) public pure {
        x = bound(x, 0, WAD);
        n = bound(n, 0, 64);
        uint256 p = CollateralMath.rpowDown(x, n);
        assertLe(p, WAD, "D3: above 1");
        assertLe(CollateralMath.rpowDown(x, n + 1), p, "D3: rose with n");
        assertEq(CollateralMath.rpowDown(x, 0), WAD, "D3: x^0");
        assertEq(CollateralMath.rpowDown(WAD, n), WAD, "D3: 1^n");
        assertEq(CollateralMath.rpowDown(x, n + 1), (p * x) / WAD, "D3: one factor at a time");
        if (n == 1) assertEq(p, x, "D3: x^1");
    }

    /// R1
    function testFuzz_ratiosRounding(uint256 debt, uint256 value, uint256 available, uint256 covered) public pure {
        debt = bound(debt, 1, MAX_AMOUNT);
        value = bound(value, 1, MAX_AMOUNT);
        available = bound(available, 0, MAX_AMOUNT);
        covered = bound(covered, 1, MAX_AMOUNT);
        uint256 l = CollateralMath.ltvUp(debt, value);
        assertGe(l * value, debt * WAD, "R1: ltv rounds up");
        assertLt((l - 1) * value, debt * WAD, "R1: ltv up by less than one unit");
        uint256 c = CollateralMath.coverageDown(available, covered);
        assertLe(c * covered, available * WAD, "R1: coverage rounds down");
        assertLt(available * WAD, (c + 1) * covered, "R1: coverage down by less than one unit");
        assertEq(CollateralMath.ltvUp(0, value), 0, "R1: no debt");
        assertEq(CollateralMath.ltvUp(debt, 0), type(uint256).max, "R1: no collateral");
        assertEq(CollateralMath.coverageDown(available, 0), type(uint256).max, "R1: nothing to cover");
    }

    /// R2
    function testFuzz_indexImplied(uint256 cost, uint256 atAcquisition, uint256 nowIndex) public pure {
        cost = bound(cost, 0, MAX_AMOUNT);
        atAcquisition = bound(atAcquisition, 1, 1e24);
        nowIndex = bound(nowIndex, 0, 1e24);
        uint256 v = CollateralMath.indexImpliedDown(cost, atAcquisition, nowIndex);
        assertEq(v, (cost * nowIndex) / atAcquisition, "R2");
    }
}
