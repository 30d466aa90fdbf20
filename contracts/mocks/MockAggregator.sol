// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";

/// @notice Test-only price feed that answers whatever the test sets, including answers a deal must reject
/// (non-positive, stale, from the future) and a reverting feed.
contract MockAggregator is AggregatorV3Interface {
    uint8 public decimals;
    int256 private _answer;
    uint256 private _updatedAt;
    bool private _reverts;

    error FeedDown();

    constructor(uint8 decimals_) {
        decimals = decimals_;
    }

    function set(int256 answer, uint256 updatedAt) external {
        _answer = answer;
        _updatedAt = updatedAt;
    }

    function setReverts(bool reverts) external {
        _reverts = reverts;
    }

    function description() external pure returns (string memory) {
        return "mock";
    }

    function version() external pure returns (uint256) {
        return 0;
    }

    function getRoundData(uint80) external view returns (uint80, int256, uint256, uint256, uint80) {
        return latestRoundData();
    }

    function latestRoundData() public view returns (uint80, int256, uint256, uint256, uint80) {
        if (_reverts) revert FeedDown();
        return (1, _answer, _updatedAt, _updatedAt, 1);
    }
}
