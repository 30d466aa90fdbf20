// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {
    DepreciationMethod,
    FleetEntryTerms,
    RiskMetric,
    TriggerEffect,
    TriggerTerms
} from "../interfaces/ICascadeTypes.sol";
import {WAD} from "./Constants.sol";

/// @title RiskTermsLib
/// @notice Validation of a deal's risk terms (their encoding as a risk engine's clone arguments is {RiskEngineArgs}).
library RiskTermsLib {
    uint256 internal constant MAX_TRIGGERS = 16;
    uint256 internal constant MAX_FLEET_ENTRIES = 32;
    uint256 internal constant MAX_TRAILING_PERIODS = 12;

    /// @notice Whether a fleet entry is well formed. `hasFeed`: the deal has a price feed.
    function fleetEntryValid(FleetEntryTerms calldata e, bool hasFeed) internal pure returns (bool) {
        if (e.count == 0 || e.unitCost == 0 || e.unitResidual > e.unitCost || e.usefulLife == 0) return false;
        if (e.acquiredAt == 0) return false;
        // Land (no depreciation) comes with data-center collateral, not accepted yet.
        if (e.method == DepreciationMethod.None) return false;
        if (
            e.method == DepreciationMethod.StraightLine ? e.yearlyRate != 0 : (e.yearlyRate == 0 || e.yearlyRate >= WAD)
        ) return false;
        // An entry is marked to the index only when the deal has one.
        return e.indexAtAcquisition == 0 || hasFeed;
    }

    /// @notice Whether a trigger is well formed: at least one period, and acceleration always latches.
    function triggerValid(TriggerTerms calldata t) internal pure returns (bool) {
        if (t.periods == 0) return false;
        // Occupancy and PUE need data-center reports, not accepted yet.
        if (t.metric == RiskMetric.Occupancy || t.metric == RiskMetric.Pue) return false;
        if (t.effect == TriggerEffect.Accelerate && t.cures) return false;
        return true;
    }
}
