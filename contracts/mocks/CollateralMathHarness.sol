// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {CollateralMath} from "../libraries/CollateralMath.sol";

/// @notice Test-only: exposes CollateralMath so the SDK model can be checked against it.
contract CollateralMathHarness {
    function straightLine(uint256 cost, uint256 residual, uint256 life, uint256 age) external pure returns (uint256) {
        return CollateralMath.straightLine(cost, residual, life, age);
    }

    function decliningBalance(
        uint256 cost,
        uint256 residual,
        uint256 yearlyRate,
        uint256 life,
        uint256 age
    ) external pure returns (uint256) {
        return CollateralMath.decliningBalance(cost, residual, yearlyRate, life, age);
    }

    function indexImplied(uint256 cost, uint256 atAcquisition, uint256 indexNow) external pure returns (uint256) {
        return CollateralMath.indexImplied(cost, atAcquisition, indexNow);
    }

    function ltv(uint256 debt, uint256 value) external pure returns (uint256) {
        return CollateralMath.ltv(debt, value);
    }

    function coverage(uint256 available, uint256 covered) external pure returns (uint256) {
        return CollateralMath.coverage(available, covered);
    }
}
