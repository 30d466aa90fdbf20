// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {CollateralMath} from "../libraries/CollateralMath.sol";

/// @notice Test-only: exposes CollateralMath so the SDK model can be checked against it.
contract CollateralMathHarness {
    function straightLineDown(
        uint256 cost,
        uint256 residual,
        uint256 life,
        uint256 age
    ) external pure returns (uint256) {
        return CollateralMath.straightLineDown(cost, residual, life, age);
    }

    function decliningBalanceDown(
        uint256 cost,
        uint256 residual,
        uint256 yearlyRate,
        uint256 life,
        uint256 age
    ) external pure returns (uint256) {
        return CollateralMath.decliningBalanceDown(cost, residual, yearlyRate, life, age);
    }

    function indexImpliedDown(uint256 cost, uint256 atAcquisition, uint256 indexNow) external pure returns (uint256) {
        return CollateralMath.indexImpliedDown(cost, atAcquisition, indexNow);
    }

    function ltvUp(uint256 debt, uint256 value) external pure returns (uint256) {
        return CollateralMath.ltvUp(debt, value);
    }

    function coverageDown(uint256 available, uint256 covered) external pure returns (uint256) {
        return CollateralMath.coverageDown(available, covered);
    }
}
