// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {
    DepreciationMethod,
    FleetEntryTerms,
    RiskMetric,
    RiskTerms,
    TriggerComparison,
    TriggerEffect,
    TriggerTerms
} from "../interfaces/ICascadeTypes.sol";
import {IRiskEngine} from "../interfaces/IRiskEngine.sol";
import {WAD} from "./Constants.sol";

/// @title RiskTermsLib
/// @notice Validation of a deal's risk terms, and their compact encoding as a risk engine clone's immutable
/// arguments: [deal: 20 bytes][price feed: 20 bytes][parameters: 32 bytes][one 32-byte word per trigger].
library RiskTermsLib {
    uint256 internal constant MAX_TRIGGERS = 16;
    uint256 internal constant MAX_FLEET_ENTRIES = 32;
    uint256 internal constant MAX_TRAILING_PERIODS = 12;
    uint256 internal constant CONFIG_BYTES = 72;

    /// @notice Whether a fleet entry is well formed. `hasFeed`: the deal has a price feed.
    function fleetEntryValid(FleetEntryTerms calldata e, bool hasFeed) internal pure returns (bool) {
        if (e.count == 0 || e.unitCost == 0 || e.unitResidual > e.unitCost || e.usefulLife == 0) return false;
        if (e.acquiredAt == 0) return false;
        if (
            e.method == DepreciationMethod.StraightLine ? e.yearlyRate != 0 : (e.yearlyRate == 0 || e.yearlyRate >= WAD)
        ) return false;
        // An entry is marked to the index only when the deal has one.
        return e.indexAtAcquisition == 0 || hasFeed;
    }

    /// @notice Whether a trigger is well formed: at least one period, and acceleration always latches.
    function triggerValid(TriggerTerms calldata t) internal pure returns (bool) {
        if (t.periods == 0) return false;
        if (t.effect == TriggerEffect.Accelerate && t.cures) return false;
        return true;
    }

    /// @notice The clone arguments of a deal's risk engine.
    function encode(address deal, RiskTerms calldata r) internal pure returns (bytes memory args) {
        uint256 params =
            uint256(r.priceFeed.decimals) |
                (uint256(r.priceFeed.maxStaleness) << 8) |
                (uint256(r.trailingPeriods) << 40) |
                (uint256(r.cleanUpBps) << 56) |
                (r.turbo ? uint256(1) << 72 : 0) |
                (uint256(r.waiverVotingPeriod) << 80) |
                (uint256(r.triggers.length) << 112);
        args = abi.encodePacked(deal, r.priceFeed.feed, params);
        for (uint256 i; i < r.triggers.length; ++i) {
            args = bytes.concat(args, bytes32(packTrigger(r.triggers[i])));
        }
    }

    function packTrigger(TriggerTerms calldata t) internal pure returns (uint256) {
        return
            uint256(t.metric) |
            (uint256(t.comparison) << 8) |
            (uint256(t.effect) << 16) |
            (uint256(t.periods) << 24) |
            (t.cures ? uint256(1) << 32 : 0) |
            (uint256(t.threshold) << 64);
    }

    function unpackTrigger(uint256 w) internal pure returns (TriggerTerms memory t) {
        t.metric = RiskMetric(uint8(w));
        t.comparison = TriggerComparison(uint8(w >> 8));
        t.effect = TriggerEffect(uint8(w >> 16));
        t.periods = uint8(w >> 24);
        t.cures = uint8(w >> 32) != 0;
        t.threshold = uint128(w >> 64);
    }

    /// @notice Decodes the configuration part of the clone arguments.
    function decodeConfig(bytes memory args) internal pure returns (IRiskEngine.Config memory c, uint256 triggerCount) {
        address deal;
        address feed;
        uint256 params;
        // The arguments are tightly packed (20 + 20 + 32 bytes, then one word per trigger) to keep clones small.
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            deal := shr(96, mload(add(args, 32)))
            feed := shr(96, mload(add(args, 52)))
            params := mload(add(args, 72))
        }
        c.deal = deal;
        c.priceFeed = feed;
        c.feedDecimals = uint8(params);
        c.maxStaleness = uint32(params >> 8);
        c.trailingPeriods = uint16(params >> 40);
        c.cleanUpBps = uint16(params >> 56);
        c.turbo = uint8(params >> 72) != 0;
        c.waiverVotingPeriod = uint32(params >> 80);
        triggerCount = uint8(params >> 112);
    }

    /// @notice The deal, first in the clone arguments.
    function dealOf(bytes memory args) internal pure returns (address deal) {
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            deal := shr(96, mload(add(args, 32)))
        }
    }

    /// @notice Packed word of trigger `i` in the clone arguments.
    function triggerWord(bytes memory args, uint256 i) internal pure returns (uint256 w) {
        uint256 offset = CONFIG_BYTES + 32 * i;
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            w := mload(add(add(args, 32), offset))
        }
    }
}
