// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @notice The running balances of one equity class in the waterfall's storage, packed in one word (one slot):
/// what one distribution reads and writes per class, besides the class's hurdle balances.
/// @dev Layout, from the least significant bit:
///
/// | bits      | field      | meaning                                                                   |
/// | --------- | ---------- | ------------------------------------------------------------------------- |
/// | 0 – 95    | unreturned | U_j: contributed capital not yet returned (≤ the class's face, < 2⁹⁶)    |
/// | 96 – 223  | pref       | P_j: unpaid preferred return (saturates at 2¹²⁸ − 1, {EquityMath})       |
/// | 224 – 255 | —          | zero; spare                                                               |
type EquityClassWord is uint256;

using EquityClassWordLib for EquityClassWord global;

/// @notice Packs and unpacks {EquityClassWord}.
library EquityClassWordLib {
    uint256 internal constant PREF_SHIFT = 96;

    /// @notice Packs a word. `unreturned` < 2⁹⁶ and `pref` < 2¹²⁸ (callers keep them there).
    function pack(uint256 unreturned_, uint256 pref_) internal pure returns (EquityClassWord) {
        return EquityClassWord.wrap(uint256(uint96(unreturned_)) | (uint256(uint128(pref_)) << PREF_SHIFT));
    }

    function unreturned(EquityClassWord w) internal pure returns (uint256) {
        return uint96(EquityClassWord.unwrap(w));
    }

    function pref(EquityClassWord w) internal pure returns (uint256) {
        return uint128(EquityClassWord.unwrap(w) >> PREF_SHIFT);
    }
}
