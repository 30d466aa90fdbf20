// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @notice Test-only price feed that answers like an honest AggregatorV3 until a setter turns it hostile: then
/// `latestRoundData()` (and, separately, `decimals()`) reverts, returns too few bytes, burns all its gas, returns
/// 1 MB, returns words that do not decode, or pads a good answer with junk (or answers honestly but slowly). A deal
/// can be created with it honest and see it turn hostile later, as a feed fixed for a deal's life might.
contract HostileAggregator {
    enum Mode {
        Honest,
        /// @dev Reverts with a custom error.
        Reverts,
        /// @dev Returns 4 bytes.
        ShortReturn,
        /// @dev Returns the honest answer without its last word (latestRoundData: 128 bytes; decimals: none).
        TruncatedReturn,
        /// @dev Loops until it runs out of gas.
        BurnsGas,
        /// @dev Returns 1 MB (the memory alone costs millions of gas).
        HugeReturn,
        /// @dev Returns words that do not decode: a round id (or decimals) with its high bits set.
        GarbageWords,
        /// @dev Returns the honest answer followed by 8 KB more (ABI decoding ignores trailing bytes).
        PaddedReturn,
        /// @dev Honest, after spending 90 000 gas (a feed that needs most of the gas it gets).
        Slow
    }

    uint8 private immutable DECIMALS;
    Mode public latestRoundDataMode;
    Mode public decimalsMode;
    int256 private _answer;
    uint256 private _updatedAt;

    error FeedDown();

    constructor(uint8 decimals_) {
        DECIMALS = decimals_;
    }

    /// @notice The honest answer: `answer` observed at `updatedAt`, round 1.
    function set(int256 answer, uint256 updatedAt) external {
        _answer = answer;
        _updatedAt = updatedAt;
    }

    function setLatestRoundDataMode(Mode mode) external {
        latestRoundDataMode = mode;
    }

    function setDecimalsMode(Mode mode) external {
        decimalsMode = mode;
    }

    function decimals() external view returns (uint8) {
        _respond(decimalsMode, abi.encode(uint256(DECIMALS)));
    }

    function latestRoundData() external view returns (uint80, int256, uint256, uint256, uint80) {
        _respond(latestRoundDataMode, abi.encode(uint80(1), _answer, _updatedAt, _updatedAt, uint80(1)));
    }

    /// @dev Ends the call with `honest` (ABI-encoded return values) or the misbehaviour of `mode`.
    function _respond(Mode mode, bytes memory honest) private view {
        if (mode == Mode.Reverts) revert FeedDown();
        if (mode == Mode.BurnsGas) {
            uint256 spin;
            while (true) ++spin;
        }
        if (mode == Mode.Slow) {
            uint256 start = gasleft();
            while (start - gasleft() < 90_000) {}
        }
        uint256 length = honest.length;
        if (mode == Mode.ShortReturn) length = 4;
        else if (mode == Mode.TruncatedReturn) length -= 32;
        else if (mode == Mode.HugeReturn) length = 1 << 20;
        else if (mode == Mode.PaddedReturn) length += 8_192;
        bool garbage = mode == Mode.GarbageWords;
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            let start := add(honest, 0x20)
            // The first word (round id, or decimals) with its top bit set.
            if garbage {
                mstore(start, or(mload(start), shl(255, 1)))
            }
            // Beyond `honest`, whatever memory holds (zeros): the callee pays for the memory it returns.
            return(start, length)
        }
    }
}
