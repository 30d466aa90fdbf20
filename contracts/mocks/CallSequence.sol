// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @notice Test helper: makes several calls to one contract in one transaction, bubbling up the first revert.
contract CallSequence {
    function run(address target, bytes[] calldata calls) external {
        for (uint256 i; i < calls.length; ++i) {
            // solhint-disable-next-line avoid-low-level-calls
            (bool ok, bytes memory data) = target.call(calls[i]);
            if (!ok) {
                // solhint-disable-next-line no-inline-assembly
                assembly ("memory-safe") {
                    revert(add(data, 0x20), mload(data))
                }
            }
        }
    }
}
