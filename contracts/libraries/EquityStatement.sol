// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {EquityMath} from "./EquityMath.sol";

/// @title EquityStatement
/// @notice The equity statement of one distribution, packed for {IEquityWaterfall.EquityDistributed}: three counts, a
/// bitmap of the amounts that are not zero, then those amounts as 16-byte big-endian numbers, no padding. With n
/// classes, T tiers and K hurdled splits the statement has m = n·(T + 2 + K) + 2 amounts, in this order:
///
/// | amounts           | field                                                                            |
/// | ----------------- | -------------------------------------------------------------------------------- |
/// | t·n + j, t < T    | paid to class j by tier t (the last tier's row holds what the tiers left)         |
/// | then n            | U_j, unreturned capital of class j after the distribution                        |
/// | then n            | P_j, its unpaid preferred return                                                 |
/// | then K·n          | H_{k,j}, hurdle balance of split k for class j (zero for a non-LP class)          |
/// | then 2            | T, all profit distributed, and S, the sponsor class's                            |
///
/// Bytes 0 – 2 are n, T and K; the next ⌈m / 8⌉ bytes are the bitmap, amount i at bit 7 − (i mod 8) of byte
/// i / 8 (the first amount is the high bit of the first byte); a set bit means the amount is not zero and follows,
/// in order, in 16 bytes; a clear bit means zero. Every amount is below 2¹²⁸ (cash and balances are bounded there:
/// {EquityMath}). The SDK decodes it (`decodeEquityStatement`).
library EquityStatement {
    /// @notice Packs the payout `out` and the state `s` after it.
    function encode(EquityMath.State memory s, EquityMath.Payout memory out) internal pure returns (bytes memory b) {
        uint256 n = s.classCount;
        uint256 tierCount = out.paid.length;
        // Counts below 8, at most 93 amounts (a bitmap of at most 12 bytes): nothing overflows.
        unchecked {
            uint256 maskBytes = (n * (tierCount + 2 + s.hurdleCount) + 9) >> 3;
            // Room for every amount; the length is cut to what is written.
            b = new bytes(3 + maskBytes + 16 * (8 * maskBytes));
            // `cursor`: where the next amount goes (after the counts and the bitmap), and, from bit 128, its index.
            uint256 cursor;
            {
                uint256 counts = (n << 16) | (tierCount << 8) | s.hurdleCount;
                // solhint-disable-next-line no-inline-assembly
                assembly ("memory-safe") {
                    mstore(add(b, 0x20), shl(232, counts))
                    cursor := add(add(b, 0x23), maskBytes)
                }
            }
            uint256 mask;
            for (uint256 t; t < tierCount; ++t) (cursor, mask) = _put(cursor, mask, out.paid[t], n);
            (cursor, mask) = _put(cursor, mask, s.unreturned, n);
            (cursor, mask) = _put(cursor, mask, s.pref, n);
            for (uint256 k; k < s.hurdleCount; ++k) (cursor, mask) = _put(cursor, mask, s.hurdles[k], n);
            uint256[7] memory profits;
            (profits[0], profits[1]) = (s.profit, s.sponsorProfit);
            (cursor, mask) = _put(cursor, mask, profits, 2);
            // solhint-disable-next-line no-inline-assembly
            assembly ("memory-safe") {
                // The bitmap's bytes are still zero (the counts' word wrote them) and the mask has no bit below them:
                // or-ing it in leaves the amounts that follow as they are.
                let bitmap := add(b, 0x23)
                mstore(bitmap, or(mload(bitmap), mask))
                mstore(b, sub(and(cursor, 0xffffffffffffffffffffffffffffffff), add(b, 0x20)))
            }
        }
    }

    /// @dev Writes the non-zero ones of the first `n` of `values` at `cursor`'s position, 16 bytes each, setting their
    /// bits in `mask` (amount i at bit 255 − i, i from `cursor`'s high half); returns both moved past them.
    function _put(
        uint256 cursor,
        uint256 mask,
        uint256[7] memory values,
        uint256 n
    ) private pure returns (uint256, uint256) {
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            let p := and(cursor, 0xffffffffffffffffffffffffffffffff)
            let i := shr(128, cursor)
            let end := add(values, shl(5, n))
            for {} lt(values, end) {
                values := add(values, 0x20)
                i := add(i, 1)
            } {
                let v := mload(values)
                if v {
                    mstore(p, shl(128, v))
                    p := add(p, 16)
                    mask := or(mask, shl(sub(255, i), 1))
                }
            }
            cursor := or(p, shl(128, i))
        }
        return (cursor, mask);
    }
}
