// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";

import {IRiskEngine} from "../interfaces/IRiskEngine.sol";

/// @title PriceFeedReader
/// @notice Calls a Chainlink-style price feed (AggregatorV3Interface) at a bounded cost, whatever the feed does. Each
/// call is a STATICCALL that gets exactly {FEED_GAS_LIMIT} gas (the caller must have {FEED_GAS_REQUIRED} left, or it
/// reverts {IRiskEngine.InsufficientGasForFeed}); at most the answer's words are copied back, so a large return costs
/// the caller nothing; and a revert, an out-of-gas, a short or an ill-formed answer comes back as an outcome, never
/// as a revert of the caller.
library PriceFeedReader {
    /// @notice Gas a feed call gets. A Chainlink aggregator proxy answers `latestRoundData()` in about 15 000 –
    /// 30 000 gas with cold storage (proxy, then aggregator), a GpuPriceIndexFeed in under 10 000: this leaves
    /// several times that, and bounds what a feed that burns gas can cost a distribution.
    uint256 internal constant FEED_GAS_LIMIT = 100_000;

    /// @notice Gas a caller needs left before a feed call for the feed to really get {FEED_GAS_LIMIT}: a call
    /// forwards at most 63/64 of the gas left after its own cost (EIP-150), and the call costs up to 2 600 (cold
    /// account) plus the few operations before it; 5 000 covers both, as in Chainlink's `callWithExactGas`.
    /// Without this check a caller could pick a gas limit at which the feed fails for want of gas and the rest
    /// succeeds, and so choose the fallback index.
    uint256 internal constant FEED_GAS_REQUIRED = (FEED_GAS_LIMIT * 64) / 63 + 1 + 5_000;

    /// @dev `latestRoundData()` answers five words: roundId, answer, startedAt, updatedAt, answeredInRound.
    uint256 private constant ROUND_DATA_SIZE = 160;

    /// @notice How a feed call went.
    enum Outcome {
        /// @dev The feed answered at least the expected words, and they decode as its return types.
        Answered,
        /// @dev The call reverted or ran out of its gas.
        Failed,
        /// @dev The call returned fewer bytes than expected, or words that do not decode as the return types (a
        /// `uint80` round id or `uint8` decimals with higher bits set).
        Malformed
    }

    /// @notice The feed's `latestRoundData()`: its answer and observation time when `outcome` is Answered (zero
    /// otherwise). Reverts {IRiskEngine.InsufficientGasForFeed} when the caller has less than {FEED_GAS_REQUIRED}
    /// gas left.
    function latestRoundData(address feed) internal view returns (Outcome outcome, int256 answer, uint256 updatedAt) {
        _requireGas();
        bytes4 selector = AggregatorV3Interface.latestRoundData.selector;
        bool success;
        uint256 size;
        uint256 roundId;
        uint256 answeredInRound;
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            // Scratch memory past the free memory pointer: the call data, then the first five returned words.
            let ptr := mload(0x40)
            mstore(ptr, selector)
            success := staticcall(FEED_GAS_LIMIT, feed, ptr, 4, ptr, ROUND_DATA_SIZE)
            size := returndatasize()
            roundId := mload(ptr)
            answer := mload(add(ptr, 0x20))
            updatedAt := mload(add(ptr, 0x60))
            answeredInRound := mload(add(ptr, 0x80))
        }
        if (!success) return (Outcome.Failed, 0, 0);
        if (size < ROUND_DATA_SIZE || roundId > type(uint80).max || answeredInRound > type(uint80).max) {
            return (Outcome.Malformed, 0, 0);
        }
        return (Outcome.Answered, answer, updatedAt);
    }

    /// @notice The feed's `decimals()` when `outcome` is Answered (zero otherwise). Reverts
    /// {IRiskEngine.InsufficientGasForFeed} when the caller has less than {FEED_GAS_REQUIRED} gas left.
    function decimals(address feed) internal view returns (Outcome outcome, uint8 value) {
        _requireGas();
        bytes4 selector = AggregatorV3Interface.decimals.selector;
        bool success;
        uint256 size;
        uint256 word;
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, selector)
            success := staticcall(FEED_GAS_LIMIT, feed, ptr, 4, ptr, 0x20)
            size := returndatasize()
            word := mload(ptr)
        }
        if (!success) return (Outcome.Failed, 0);
        if (size < 0x20 || word > type(uint8).max) return (Outcome.Malformed, 0);
        return (Outcome.Answered, uint8(word));
    }

    function _requireGas() private view {
        uint256 left = gasleft();
        if (left < FEED_GAS_REQUIRED) revert IRiskEngine.InsufficientGasForFeed(left, FEED_GAS_REQUIRED);
    }
}
