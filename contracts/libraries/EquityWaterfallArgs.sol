// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {EquityTerms, EquityTier} from "../interfaces/ICascadeTypes.sol";
import {CloneArgs} from "./CloneArgs.sol";
import {EquityTierWord, EquityTierWordLib} from "./EquityTierWord.sol";

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
/// | 55                | keptClasses  | mask of the classes of a ReturnOfCapital or PreferredReturn tier |
/// | 56                | hurdleCount  | hurdled splits (uint8, 0 – 3)                                    |
/// | 57 – 59           | hurdleMasks  | the LP mask of each hurdled split, in tier order (zero past)     |
/// | 60 –              | tokens       | `classCount` words: class j's token at 60 + 32·j (low 20 bytes)  |
/// | 60 + 32·classes – | tiers        | `tierCount` {EquityTierWord}s, in the term sheet's order         |
///
/// @dev Each tier word carries ln(1 + hurdle) and the hurdle's index, computed once by the factory at creation with
/// the same series a distribution would run: the growth factors are those of docs/equity.md to the wei, for less gas
/// each period, and a distribution reads the words as they are (no decoding). The masks of bytes 55 – 59 are the
/// tiers' too, summed up once at creation: a distribution reads them with the counts, in one word ({layout}).
library EquityWaterfallArgs {
    uint256 private constant DEAL = 0;
    uint256 private constant STABLECOIN = 20;
    uint256 private constant START = 40;
    uint256 private constant CLASS_COUNT = 52;
    /// @notice Bytes before the first token.
    uint256 internal constant HEADER_BYTES = 60;
    uint256 private constant WORD_BYTES = 32;

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
        uint256 hurdles;
        uint256 kept;
        uint256 hurdleMasks;
        for (uint256 i; i < e.tiers.length; ++i) {
            EquityTierWord w = EquityTierWordLib.pack(e.tiers[i], hurdles);
            EquityTier kind = w.kind();
            if (kind == EquityTier.ReturnOfCapital || kind == EquityTier.PreferredReturn) kept |= w.classes();
            // Term-sheet validation allows three hurdled splits; the count is kept as it is, the first three's masks.
            if (w.hurdled() && hurdles++ < 3) hurdleMasks |= w.classes() << (8 * (3 - hurdles));
            words[n + i] = EquityTierWord.unwrap(w);
        }
        return
            abi.encodePacked(
                deal_,
                stablecoin_,
                start_,
                periodLength_,
                uint8(n),
                e.sponsorClass,
                uint8(e.tiers.length),
                uint8(kept),
                uint8(hurdles),
                uint24(hurdleMasks),
                words
            );
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
    /// @notice The counts and the masks, from one word: the classes kept in storage (those of a ReturnOfCapital or
    /// PreferredReturn tier) and the LP mask of each hurdled split (`hurdleMasks[k]`, k below `hurdleCount`).
    function layout()
        internal
        view
        returns (
            uint256 classCount_,
            uint256 sponsorClass_,
            uint256 tierCount_,
            uint256 keptClasses_,
            uint256 hurdleCount_,
            uint256[3] memory hurdleMasks_
        )
    {
        uint256 w = CloneArgs.word(CLASS_COUNT);
        classCount_ = uint8(w >> 248); // byte 52
        sponsorClass_ = uint8(w >> 240); // byte 53
        tierCount_ = uint8(w >> 232); // byte 54
        keptClasses_ = uint8(w >> 224); // byte 55
        hurdleCount_ = uint8(w >> 216); // byte 56
        hurdleMasks_[0] = uint8(w >> 208); // bytes 57 – 59
        hurdleMasks_[1] = uint8(w >> 200);
        hurdleMasks_[2] = uint8(w >> 192);
    }

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

    /// @notice Tier `i` of a waterfall with `classCount_` classes (not checked against the tier count).
    function tierWord(uint256 classCount_, uint256 i) internal view returns (EquityTierWord) {
        return EquityTierWord.wrap(CloneArgs.word(_tiersAt(classCount_) + WORD_BYTES * i));
    }

    /// @notice Every tier, from one copy of the tier words.
    function tiers(uint256 classCount_, uint256 tierCount_) internal view returns (EquityTierWord[] memory t) {
        uint256 ptr = CloneArgs.words(_tiersAt(classCount_), WORD_BYTES * tierCount_);
        t = new EquityTierWord[](tierCount_);
        for (uint256 i; i < tierCount_; ++i) {
            uint256 w;
            // solhint-disable-next-line no-inline-assembly
            assembly ("memory-safe") {
                w := mload(add(ptr, shl(5, i)))
            }
            t[i] = EquityTierWord.wrap(w);
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
