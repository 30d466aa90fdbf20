// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {EquityTerms, EquityTier, EquityTierTerms} from "../interfaces/ICascadeTypes.sol";
import {CloneArgs} from "./CloneArgs.sol";
import {EquityMath} from "./EquityMath.sol";
import {WAD} from "./Constants.sol";

/// @title EquityWaterfallArgs
/// @notice An equity waterfall's fixed terms as its clone's immutable arguments, tightly packed (big-endian, byte
/// offsets into the arguments), and their getters.
///
/// | bytes             | field        | meaning                                                          |
/// | ----------------- | ------------ | ---------------------------------------------------------------- |
/// | 0 – 19            | deal         | the deal whose equity the waterfall pays                         |
/// | 20 – 39           | stablecoin   | the deal's cash token                                            |
/// | 40 – 47           | start        | unix time the deal's period 0 starts (uint64)                    |
/// | 48 – 51           | periodLength | seconds (uint32)                                                 |
/// | 52                | classCount   | equity classes (uint8, 2 – 7)                                    |
/// | 53                | sponsorClass | the sponsor's promote class (uint8, 0-based)                     |
/// | 54                | tierCount    | tiers (uint8, 1 – 8)                                             |
/// | 55 –              | tokens       | `classCount` words: class j's token at 55 + 32·j (low 20 bytes)  |
/// | 55 + 32·classes – | tiers        | `tierCount` words, in the term sheet's order (below)             |
///
/// A tier word (bits from the least significant):
///
/// | bits      | field       | meaning                                                               |
/// | --------- | ----------- | --------------------------------------------------------------------- |
/// | 0 – 7     | kind        | {EquityTier}                                                          |
/// | 8 – 15    | classes     | bitmask over the equity classes                                       |
/// | 16 – 23   | byRank      | 1: in rank order                                                      |
/// | 24 – 31   | compounding | 1: preferred return compounds                                         |
/// | 32 – 47   | sponsorBps  | uint16                                                                |
/// | 48 – 63   | targetBps   | uint16                                                                |
/// | 64 – 127  | rate        | uint64, WAD a year                                                    |
/// | 128 – 191 | lnRate      | ln(1 + rate) in WAD ({EquityMath.lnWad}) for a split with a hurdle    |
///
/// @dev `lnRate` is computed once, by the factory at creation, with the same series a distribution would run: the
/// growth factors are those of docs/equity.md to the wei, for less gas each period.
library EquityWaterfallArgs {
    uint256 private constant DEAL = 0;
    uint256 private constant STABLECOIN = 20;
    uint256 private constant START = 40;
    uint256 private constant CLASS_COUNT = 52;
    /// @notice Bytes before the first token.
    uint256 internal constant HEADER_BYTES = 55;
    uint256 private constant WORD_BYTES = 32;

    uint256 private constant CLASSES_SHIFT = 8;
    uint256 private constant BY_RANK_SHIFT = 16;
    uint256 private constant COMPOUNDING_SHIFT = 24;
    uint256 private constant SPONSOR_BPS_SHIFT = 32;
    uint256 private constant TARGET_BPS_SHIFT = 48;
    uint256 private constant RATE_SHIFT = 64;
    uint256 private constant LN_RATE_SHIFT = 128;

    /// @notice The clone arguments of the waterfall of `deal_`, whose tranche tokens are `tokens` (by rank: `notes`
    /// notes, then the equity classes) and whose equity terms are `e`.
    function encode(
        address deal_,
        address stablecoin_,
        uint64 start_,
        uint32 periodLength_,
        EquityTerms calldata e,
        address[] memory tokens,
        uint256 notes
    ) internal pure returns (bytes memory) {
        uint256 n = tokens.length - notes;
        uint256[] memory words = new uint256[](n + e.tiers.length);
        for (uint256 j; j < n; ++j) words[j] = uint160(tokens[notes + j]);
        for (uint256 i; i < e.tiers.length; ++i) words[n + i] = packTier(e.tiers[i]);
        return
            abi.encodePacked(
                deal_,
                stablecoin_,
                start_,
                periodLength_,
                uint8(n),
                e.sponsorClass,
                uint8(e.tiers.length),
                words
            );
    }

    /// @notice The word of tier `t`, with ln(1 + rate) for a split with a hurdle.
    function packTier(EquityTierTerms calldata t) internal pure returns (uint256) {
        uint256 lnRate = t.kind == EquityTier.Split && t.rate != 0 ? EquityMath.lnWad(WAD + t.rate) : 0;
        return
            uint256(t.kind) |
            (uint256(t.classes) << CLASSES_SHIFT) |
            (t.byRank ? uint256(1) << BY_RANK_SHIFT : 0) |
            (t.compounding ? uint256(1) << COMPOUNDING_SHIFT : 0) |
            (uint256(t.sponsorBps) << SPONSOR_BPS_SHIFT) |
            (uint256(t.targetBps) << TARGET_BPS_SHIFT) |
            (uint256(t.rate) << RATE_SHIFT) |
            (lnRate << LN_RATE_SHIFT);
    }

    /// @notice The tier of word `w`; `hurdle` is its index among the hurdled splits before it.
    function unpackTier(uint256 w, uint256 hurdle) internal pure returns (EquityMath.Tier memory t) {
        t.kind = EquityTier(uint8(w));
        t.classes = uint8(w >> CLASSES_SHIFT);
        t.byRank = uint8(w >> BY_RANK_SHIFT) == 1;
        t.compounding = uint8(w >> COMPOUNDING_SHIFT) == 1;
        t.sponsorBps = uint16(w >> SPONSOR_BPS_SHIFT);
        t.targetBps = uint16(w >> TARGET_BPS_SHIFT);
        t.rate = uint64(w >> RATE_SHIFT);
        t.lnRate = uint64(w >> LN_RATE_SHIFT);
        t.hurdle = hurdle;
    }

    /// @notice The term sheet's form of tier word `w`.
    function tierTerms(uint256 w) internal pure returns (EquityTierTerms memory t) {
        t.kind = EquityTier(uint8(w));
        t.classes = uint8(w >> CLASSES_SHIFT);
        t.byRank = uint8(w >> BY_RANK_SHIFT) == 1;
        t.compounding = uint8(w >> COMPOUNDING_SHIFT) == 1;
        t.sponsorBps = uint16(w >> SPONSOR_BPS_SHIFT);
        t.targetBps = uint16(w >> TARGET_BPS_SHIFT);
        t.rate = uint64(w >> RATE_SHIFT);
    }

    function deal() internal view returns (address) {
        return _address(DEAL);
    }

    function stablecoin() internal view returns (address) {
        return _address(STABLECOIN);
    }

    /// @notice Start and period length, from one word.
    function schedule() internal view returns (uint256 start_, uint256 periodLength_) {
        uint256 w = CloneArgs.word(START);
        start_ = uint64(w >> 192); // bytes 40 – 47
        periodLength_ = uint32(w >> 160); // bytes 48 – 51
    }

    /// @notice Class count, sponsor class and tier count, from one word.
    function counts() internal view returns (uint256 classCount_, uint256 sponsorClass_, uint256 tierCount_) {
        uint256 w = CloneArgs.word(CLASS_COUNT);
        classCount_ = uint8(w >> 248); // byte 52
        sponsorClass_ = uint8(w >> 240); // byte 53
        tierCount_ = uint8(w >> 232); // byte 54
    }

    /// @notice Token of equity class `j` (not checked against the class count).
    function token(uint256 j) internal view returns (address) {
        return address(uint160(CloneArgs.word(HEADER_BYTES + WORD_BYTES * j)));
    }

    /// @notice Word of tier `i` of a waterfall with `classCount_` classes (not checked against the tier count).
    function tierWord(uint256 classCount_, uint256 i) internal view returns (uint256) {
        return CloneArgs.word(_tiersAt(classCount_) + WORD_BYTES * i);
    }

    /// @notice Every tier, decoded, from one copy of the tier words.
    function tiers(uint256 classCount_, uint256 tierCount_) internal view returns (EquityMath.Tier[] memory t) {
        uint256 ptr = CloneArgs.words(_tiersAt(classCount_), WORD_BYTES * tierCount_);
        t = new EquityMath.Tier[](tierCount_);
        uint256 hurdles;
        for (uint256 i; i < tierCount_; ++i) {
            uint256 w;
            // solhint-disable-next-line no-inline-assembly
            assembly ("memory-safe") {
                w := mload(add(ptr, shl(5, i)))
            }
            t[i] = unpackTier(w, hurdles);
            if (t[i].kind == EquityTier.Split && t[i].rate != 0) ++hurdles;
        }
    }

    /// @dev Start of the tier words.
    function _tiersAt(uint256 classCount_) private pure returns (uint256) {
        return HEADER_BYTES + WORD_BYTES * classCount_;
    }

    /// @dev The address at byte `offset`.
    function _address(uint256 offset) private view returns (address) {
        return address(uint160(CloneArgs.word(offset) >> 96));
    }
}
