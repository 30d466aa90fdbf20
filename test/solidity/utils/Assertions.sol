// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @notice Minimal assertions: Hardhat's runner counts a revert as a failure, so each helper reverts with a
/// message naming what differed and by how much.
abstract contract Assertions {
    error AssertionFailed(string message, uint256 left, uint256 right);
    error AssertionFailedSigned(string message, int256 left, int256 right);
    error AssertionFailedBool(string message);

    function assertEq(uint256 left, uint256 right, string memory message) internal pure {
        if (left != right) revert AssertionFailed(message, left, right);
    }

    function assertEq(address left, address right, string memory message) internal pure {
        if (left != right) revert AssertionFailed(message, uint160(left), uint160(right));
    }

    function assertLe(uint256 left, uint256 right, string memory message) internal pure {
        if (left > right) revert AssertionFailed(message, left, right);
    }

    function assertGe(uint256 left, uint256 right, string memory message) internal pure {
        if (left < right) revert AssertionFailed(message, left, right);
    }

    function assertLt(uint256 left, uint256 right, string memory message) internal pure {
        if (left >= right) revert AssertionFailed(message, left, right);
    }

    function assertGt(uint256 left, uint256 right, string memory message) internal pure {
        if (left <= right) revert AssertionFailed(message, left, right);
    }

    function assertTrue(bool condition, string memory message) internal pure {
        if (!condition) revert AssertionFailedBool(message);
    }

    /// @dev Maps `x` into [min, max] without discarding runs: values already in range are kept (so edge values
    /// the fuzzer picks survive), others wrap by modulo (forge-std's `bound`, simplified).
    function bound(uint256 x, uint256 min, uint256 max) internal pure returns (uint256) {
        if (min > max) revert AssertionFailed("bound: min > max", min, max);
        if (x >= min && x <= max) return x;
        if (min == 0 && max == type(uint256).max) return x;
        return min + (x % (max - min + 1));
    }
}
