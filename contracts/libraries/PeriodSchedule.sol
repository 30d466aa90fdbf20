// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {HOUR} from "./Constants.sol";

/// @title PeriodSchedule
/// @notice A deal's periods: period `p` runs from start + p × length to start + (p + 1) × length. Term-sheet
/// validation bounds start + count × length below 2⁶⁴, so every end fits in 64 bits.
library PeriodSchedule {
    /// @notice When period `period` of a schedule starting at `start` with periods of `length` seconds ends.
    function endOf(uint256 start, uint256 length, uint256 period) internal pure returns (uint64) {
        return uint64(start + (period + 1) * length);
    }

    /// @notice Capacity units (GPU-hours, or kWh of IT load) of a deal of `units` GPUs (or kW of IT capacity) in a
    /// period of `length` seconds, rounded down: the oracle's bound on the capacity a report may call available, and
    /// the denominator of the Occupancy covenant.
    function capacityOf(uint256 units, uint256 length) internal pure returns (uint256) {
        return (units * length) / HOUR;
    }

    /// @notice When the last of `count` periods ends (the legal final maturity), unbounded: for validation.
    function maturityOf(uint256 start, uint256 length, uint256 count) internal pure returns (uint256) {
        return start + count * length;
    }
}
