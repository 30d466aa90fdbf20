// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {EquityMath} from "./EquityMath.sol";

/// @title EquityStatement
/// @notice The equity statement of one distribution, packed for {IEquityWaterfall.EquityDistributed}: three counts
/// then 16-byte big-endian amounts, no padding. With n classes, T tiers and K hurdled splits:
///
/// | bytes            | field                                                                   |
/// | ---------------- | ----------------------------------------------------------------------- |
/// | 0, 1, 2          | n, T, K                                                                  |
/// | 3 + 16·(t·n + j) | paid to class j by tier t (t < T; the last tier's row holds what the tiers left) |
/// | then n amounts   | U_j, unreturned capital of class j after the distribution               |
/// | then n amounts   | P_j, its unpaid preferred return                                        |
/// | then K·n amounts | H_{k,j}, hurdle balance of split k for class j (zero for a non-LP class) |
/// | then 2 amounts   | T, all profit distributed, and S, the sponsor class's                   |
///
/// Its length is 3 + 16·(n·(T + 2 + K) + 2). Every amount is below 2¹²⁸ (cash and balances are bounded there:
/// {EquityMath}); the SDK decodes it (`decodeEquityStatement`).
library EquityStatement {
    /// @notice Packs the payout `out` and the state `s` after it.
    function encode(EquityMath.State memory s, EquityMath.Payout memory out) internal pure returns (bytes memory b) {
        uint256 n = s.classCount;
        uint256 tierCount = out.paid.length;
        uint256 hurdleCount = s.hurdleCount;
        // Counts below 8: nothing overflows.
        unchecked {
            b = new bytes(3 + 16 * (n * (tierCount + 2 + hurdleCount) + 2));
            uint256 p;
            // solhint-disable-next-line no-inline-assembly
            assembly ("memory-safe") {
                p := add(b, 0x20)
                mstore(p, shl(232, or(shl(16, n), or(shl(8, tierCount), hurdleCount))))
                p := add(p, 3)
            }
            for (uint256 t; t < tierCount; ++t) p = _put(p, out.paid[t], n);
            p = _put(p, s.unreturned, n);
            p = _put(p, s.pref, n);
            for (uint256 k; k < hurdleCount; ++k) p = _put(p, s.hurdles[k], n);
            uint256 profit = s.profit;
            uint256 sponsorProfit = s.sponsorProfit;
            // The last word written runs past the bytes into free memory, which nothing has claimed.
            // solhint-disable-next-line no-inline-assembly
            assembly ("memory-safe") {
                mstore(p, shl(128, profit))
                mstore(add(p, 16), shl(128, sponsorProfit))
            }
        }
    }

    /// @dev Writes the first `n` of `values` at `p`, 16 bytes each; returns the position after them.
    function _put(uint256 p, uint256[7] memory values, uint256 n) private pure returns (uint256 end) {
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            end := add(p, shl(4, n))
            for {} lt(p, end) {
                p := add(p, 16)
            } {
                mstore(p, shl(128, mload(values)))
                values := add(values, 0x20)
            }
        }
    }
}
