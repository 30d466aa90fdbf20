// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title CreateAddress
/// @notice The address a contract created with CREATE gets: keccak256(rlp([deployer, nonce]))[12:].
library CreateAddress {
    /// @notice Address of the contract `deployer` creates with CREATE at account nonce `nonce` (≥ 1, < 2^64).
    function compute(address deployer, uint256 nonce) internal pure returns (address addr) {
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            let p := mload(0x40)
            // rlp(deployer) is 0x94 followed by the 20 bytes; a nonce below 0x80 is its own byte, a larger one is
            // 0x80 + its byte length followed by its big-endian bytes.
            let len := 0
            for {
                let n := nonce
            } n {
                n := shr(8, n)
            } {
                len := add(len, 1)
            }
            switch lt(nonce, 0x80)
            case 1 {
                mstore8(p, 0xd6)
                mstore8(add(p, 1), 0x94)
                mstore(add(p, 2), shl(96, deployer))
                mstore8(add(p, 22), nonce)
                addr := and(keccak256(p, 23), 0xffffffffffffffffffffffffffffffffffffffff)
            }
            default {
                mstore8(p, add(0xd6, len))
                mstore8(add(p, 1), 0x94)
                mstore(add(p, 2), shl(96, deployer))
                mstore8(add(p, 22), add(0x80, len))
                mstore(add(p, 23), shl(sub(256, mul(8, len)), nonce))
                addr := and(keccak256(p, add(23, len)), 0xffffffffffffffffffffffffffffffffffffffff)
            }
        }
    }
}
