// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title CloneArgs
/// @notice The one reader of a clone's own immutable arguments: the bytes OpenZeppelin's
/// {Clones-cloneWithImmutableArgs} appends to the clone's code, after its 45-byte ERC-1167 proxy. Code running in a
/// clone (the implementation's, by delegate call) reads them from its own address with EXTCODECOPY; the address is
/// warm, so a read costs 100 gas plus 3 a word copied, and no storage.
/// @dev Every offset here is a byte offset into the arguments (0 is their first byte). A read past their end gives
/// zero bytes (EXTCODECOPY pads with zeros). Called in a contract that is not such a clone, these read its own code
/// from byte {OFFSET}: meaningless, never a revert (except {all}, on code shorter than {OFFSET}). Each layout
/// (`DealArgs`, `TrancheTokenArgs`, `RiskEngineArgs`, `OfferingArgs`) is encoded and read in its own library, with
/// its table; this file knows only where the arguments start.
library CloneArgs {
    /// @notice Where a clone's arguments start in its code: after the ERC-1167 proxy {Clones} writes before them
    /// (`363d3d373d3d3d363d73` · implementation · `5af43d82803e903d91602b57fd5bf3`, 45 bytes).
    uint256 internal constant OFFSET = 0x2d;

    /// @notice The 32 bytes of the calling clone's arguments from byte `offset`, as a big-endian word: a field of
    /// `n` bytes at `offset` is `word(offset) >> (256 - 8 * n)`.
    /// @dev One EXTCODECOPY into the scratch space (0x00 – 0x1f): no memory allocated.
    function word(uint256 offset) internal view returns (uint256 w) {
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            extcodecopy(address(), 0x00, add(OFFSET, offset), 0x20)
            w := mload(0x00)
        }
    }

    /// @notice Copies `length` bytes of the calling clone's arguments, from byte `offset`, into fresh memory and
    /// returns where they start: for a fixed run of words read in place (a `uint256[n] memory`, or a memory struct
    /// of `n` one-word fields, at that pointer).
    /// @dev One EXTCODECOPY; the free memory pointer moves past the copy, rounded up to a whole word (the rounding
    /// bytes are whatever the copy or the memory held: callers copy whole words). No length word, no zeroing.
    function words(uint256 offset, uint256 length) internal view returns (uint256 ptr) {
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            ptr := mload(0x40)
            mstore(0x40, add(ptr, and(add(length, 0x1f), not(0x1f))))
            extcodecopy(address(), ptr, add(OFFSET, offset), length)
        }
    }

    /// @notice `length` bytes of the calling clone's arguments from byte `offset`, as `bytes`.
    /// @dev One EXTCODECOPY into fresh memory; the bytes after `length` up to the next word are zero.
    function slice(uint256 offset, uint256 length) internal view returns (bytes memory args) {
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            args := mload(0x40)
            mstore(args, length)
            let data := add(args, 0x20)
            // Zero the word at the end first: the copy then leaves the padding of the last word clean.
            mstore(add(data, length), 0)
            extcodecopy(address(), data, add(OFFSET, offset), length)
            mstore(0x40, add(data, and(add(length, 0x1f), not(0x1f))))
        }
    }

    /// @notice All the calling clone's arguments: what `Clones.fetchCloneArgs(address(this))` returns.
    /// @dev Their length is the code size less {OFFSET}; reverts (arithmetic underflow) on shorter code.
    function all() internal view returns (bytes memory args) {
        args = new bytes(address(this).code.length - OFFSET);
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            extcodecopy(address(), add(args, 0x20), OFFSET, mload(args))
        }
    }
}
