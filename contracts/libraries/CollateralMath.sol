// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {WAD, YEAR} from "./Constants.sol";

/// @title CollateralMath
/// @notice Value of a depreciating GPU fleet and the ratios lenders test against it. Every value rounds down and
/// every loan-to-value ratio rounds up, so the collateral is never overstated.
library CollateralMath {
    /// @notice How an entry of the fleet loses value.
    enum Method {
        StraightLine,
        DecliningBalance
    }

    /// @notice Book value of `cost` after `age` seconds, straight line to `residual` over `life` seconds:
    /// cost − (cost − residual) × min(age, life) / life, the depreciation rounded up.
    function straightLineDown(
        uint256 cost,
        uint256 residual,
        uint256 life,
        uint256 age
    ) internal pure returns (uint256) {
        if (residual >= cost) return cost;
        if (life == 0 || age >= life) return residual;
        return cost - Math.mulDiv(cost - residual, age, life, Math.Rounding.Ceil);
    }

    /// @notice Book value of `cost` after `age` seconds, declining balance at `yearlyRate` (WAD) a year, floored at
    /// `residual` and equal to it from `life` on. At whole years n it is cost × (1 − d)^n; within a year the year's
    /// charge is taken evenly (linear between the two year-end values), so the value never rises with age.
    function decliningBalanceDown(
        uint256 cost,
        uint256 residual,
        uint256 yearlyRate,
        uint256 life,
        uint256 age
    ) internal pure returns (uint256) {
        if (residual >= cost) return cost;
        if (age >= life || yearlyRate >= WAD) return residual;
        uint256 factor = rpowDown(WAD - yearlyRate, age / YEAR);
        uint256 yearStart = Math.mulDiv(cost, factor, WAD);
        // The next year-end factor is this one times (1 − d), exactly as rpowDown would take it.
        uint256 yearEnd = Math.mulDiv(cost, Math.mulDiv(factor, WAD - yearlyRate, WAD), WAD);
        // yearEnd ≤ yearStart, and the charge is at most their difference.
        uint256 value = yearStart - Math.mulDiv(yearStart - yearEnd, age % YEAR, YEAR, Math.Rounding.Ceil);
        return value > residual ? value : residual;
    }

    /// @notice Value implied by a price index: cost × indexNow / indexAtAcquisition, rounded down.
    function indexImpliedDown(
        uint256 cost,
        uint256 indexAtAcquisition,
        uint256 indexNow
    ) internal pure returns (uint256) {
        return Math.mulDiv(cost, indexNow, indexAtAcquisition);
    }

    /// @notice Loan-to-value (WAD), rounded up; type(uint256).max when there is debt and no collateral.
    function ltvUp(uint256 debt, uint256 collateralValue) internal pure returns (uint256) {
        if (debt == 0) return 0;
        if (collateralValue == 0) return type(uint256).max;
        return Math.mulDiv(debt, WAD, collateralValue, Math.Rounding.Ceil);
    }

    /// @notice Coverage ratio (WAD) of `covered` by `available` (OC, IC, DSCR), rounded down; type(uint256).max when
    /// nothing needs covering.
    function coverageDown(uint256 available, uint256 covered) internal pure returns (uint256) {
        if (covered == 0) return type(uint256).max;
        return Math.mulDiv(available, WAD, covered);
    }

    /// @notice x^n for a WAD fraction x ≤ 1e18, one factor at a time, each product rounded down: the result never
    /// exceeds the exact power and never rises with n (so year-end values of a declining balance never rise).
    /// Linear in n: callers pass whole years of a fleet's life.
    function rpowDown(uint256 x, uint256 n) internal pure returns (uint256 result) {
        result = WAD;
        for (uint256 i; i < n && result != 0; ++i) {
            result = Math.mulDiv(result, x, WAD);
        }
    }
}
