// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {EquityTier, EquityTierTerms} from "../interfaces/ICascadeTypes.sol";
import {EquityMath} from "./EquityMath.sol";
import {WAD} from "./Constants.sol";

/// @notice One tier of an equity waterfall ({EquityTierTerms}) packed in one word, with what each distribution would
/// otherwise recompute: ln(1 + hurdle) and the hurdle's index. The waterfall's clone arguments hold one per tier
/// ({EquityWaterfallArgs}) and {EquityMath} reads them in place: no decoding into memory structs.
/// @dev Layout, from the least significant bit:
///
/// | bits      | field       | meaning                                                                       |
/// | --------- | ----------- | ----------------------------------------------------------------------------- |
/// | 0 – 7     | kind        | {EquityTier}                                                                  |
/// | 8 – 15    | classes     | bitmask over the equity classes (the LP classes of a CatchUp or Split)        |
/// | 16        | byRank      | 1: in rank order                                                              |
/// | 17        | compounding | 1: the preferred return compounds                                             |
/// | 32 – 47   | sponsorBps  | uint16                                                                        |
/// | 48 – 63   | targetBps   | uint16                                                                        |
/// | 64 – 127  | rate        | uint64, WAD a year: the preferred return, or a split's hurdle (0: none)      |
/// | 128 – 191 | lnRate      | ln(1 + rate) in WAD ({EquityMath.lnWad}) for a split with a hurdle, else 0    |
/// | 192 – 199 | hurdle      | a hurdled split's index among the hurdled splits, in tier order               |
type EquityTierWord is uint256;

using EquityTierWordLib for EquityTierWord global;

/// @notice Packs and unpacks {EquityTierWord}.
library EquityTierWordLib {
    uint256 private constant CLASSES_SHIFT = 8;
    uint256 private constant BY_RANK_SHIFT = 16;
    uint256 private constant COMPOUNDING_SHIFT = 17;
    uint256 private constant SPONSOR_BPS_SHIFT = 32;
    uint256 private constant TARGET_BPS_SHIFT = 48;
    uint256 private constant RATE_SHIFT = 64;
    uint256 private constant LN_RATE_SHIFT = 128;
    uint256 private constant HURDLE_SHIFT = 192;

    /// @notice The word of tier `t`, the hurdled split of index `hurdleIndex` when it is one; ln(1 + rate) computed
    /// here.
    function pack(EquityTierTerms memory t, uint256 hurdleIndex) internal pure returns (EquityTierWord) {
        bool isHurdle = t.kind == EquityTier.Split && t.rate != 0;
        return
            EquityTierWord.wrap(
                uint256(t.kind) |
                    (uint256(t.classes) << CLASSES_SHIFT) |
                    (t.byRank ? uint256(1) << BY_RANK_SHIFT : 0) |
                    (t.compounding ? uint256(1) << COMPOUNDING_SHIFT : 0) |
                    (uint256(t.sponsorBps) << SPONSOR_BPS_SHIFT) |
                    (uint256(t.targetBps) << TARGET_BPS_SHIFT) |
                    (uint256(t.rate) << RATE_SHIFT) |
                    (isHurdle ? (EquityMath.lnWad(WAD + t.rate) << LN_RATE_SHIFT) | (hurdleIndex << HURDLE_SHIFT) : 0)
            );
    }

    /// @notice The term sheet's form of the tier.
    function terms(EquityTierWord w) internal pure returns (EquityTierTerms memory t) {
        t.kind = kind(w);
        t.classes = uint8(classes(w));
        t.byRank = byRank(w);
        t.compounding = compounding(w);
        t.sponsorBps = uint16(sponsorBps(w));
        t.targetBps = uint16(targetBps(w));
        t.rate = uint64(rate(w));
    }

    function kind(EquityTierWord w) internal pure returns (EquityTier) {
        return EquityTier(uint8(EquityTierWord.unwrap(w)));
    }

    function classes(EquityTierWord w) internal pure returns (uint256) {
        return uint8(EquityTierWord.unwrap(w) >> CLASSES_SHIFT);
    }

    function byRank(EquityTierWord w) internal pure returns (bool) {
        return (EquityTierWord.unwrap(w) >> BY_RANK_SHIFT) & 1 == 1;
    }

    function compounding(EquityTierWord w) internal pure returns (bool) {
        return (EquityTierWord.unwrap(w) >> COMPOUNDING_SHIFT) & 1 == 1;
    }

    function sponsorBps(EquityTierWord w) internal pure returns (uint256) {
        return uint16(EquityTierWord.unwrap(w) >> SPONSOR_BPS_SHIFT);
    }

    function targetBps(EquityTierWord w) internal pure returns (uint256) {
        return uint16(EquityTierWord.unwrap(w) >> TARGET_BPS_SHIFT);
    }

    function rate(EquityTierWord w) internal pure returns (uint256) {
        return uint64(EquityTierWord.unwrap(w) >> RATE_SHIFT);
    }

    function lnRate(EquityTierWord w) internal pure returns (uint256) {
        return uint64(EquityTierWord.unwrap(w) >> LN_RATE_SHIFT);
    }

    function hurdle(EquityTierWord w) internal pure returns (uint256) {
        return uint8(EquityTierWord.unwrap(w) >> HURDLE_SHIFT);
    }

    /// @notice A split with an IRR hurdle (it keeps a balance per LP class).
    function hurdled(EquityTierWord w) internal pure returns (bool) {
        return kind(w) == EquityTier.Split && rate(w) != 0;
    }
}
