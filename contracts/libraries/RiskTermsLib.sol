// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {DepreciationMethod, FleetEntryTerms, TriggerEffect, TriggerTerms} from "../interfaces/ICascadeTypes.sol";
import {WAD} from "./Constants.sol";

/// @title RiskTermsLib
/// @notice Validation of a deal's risk terms (their encoding as a risk engine's clone arguments is {RiskEngineArgs}).
library RiskTermsLib {
    uint256 internal constant MAX_TRIGGERS = 16;
    uint256 internal constant MAX_FLEET_ENTRIES = 32;
    uint256 internal constant MAX_TRAILING_PERIODS = 12;

    /// @notice Whether a fleet entry is well formed. `hasFeed`: the deal has a price feed. Land
    /// ({DepreciationMethod.None}) has no life, no rate and a residual equal to its cost, and is not index-marked.
    function fleetEntryValid(FleetEntryTerms calldata e, bool hasFeed) internal pure returns (bool) {
        if (e.count == 0 || e.unitCost == 0 || e.unitResidual > e.unitCost || e.acquiredAt == 0) return false;
        if (e.method == DepreciationMethod.None) {
            return e.usefulLife == 0 && e.yearlyRate == 0 && e.unitResidual == e.unitCost && e.indexAtAcquisition == 0;
        }
        if (e.usefulLife == 0) return false;
        if (
            e.method == DepreciationMethod.StraightLine ? e.yearlyRate != 0 : (e.yearlyRate == 0 || e.yearlyRate >= WAD)
        ) return false;
        // An entry is marked to the index only when the deal has one.
        return e.indexAtAcquisition == 0 || hasFeed;
    }

    /// @notice Whether a trigger is well formed: at least one period, and acceleration always latches. Every metric
    /// is valid for any deal (Occupancy and Pue measure what a data-center deal's reports state).
    function triggerValid(TriggerTerms calldata t) internal pure returns (bool) {
        if (t.periods == 0) return false;
        if (t.effect == TriggerEffect.Accelerate && t.cures) return false;
        return true;
    }
}
