// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {RiskMetric, RiskTerms, TriggerComparison, TriggerEffect, TriggerTerms} from "../interfaces/ICascadeTypes.sol";
import {IRiskEngine} from "../interfaces/IRiskEngine.sol";
import {CloneArgs} from "./CloneArgs.sol";

/// @title RiskEngineArgs
/// @notice A risk engine's configuration and triggers as its clone's immutable arguments, and their getters. Tightly
/// packed to keep the clone small (byte offsets into the arguments, big-endian):
///
/// | bytes       | field      | meaning                                                      |
/// | ----------- | ---------- | ------------------------------------------------------------ |
/// | 0 – 19      | deal       | the deal the engine assesses                                 |
/// | 20 – 39     | priceFeed  | the GPU price index feed; zero: none                         |
/// | 40 – 71     | parameters | one word, below                                              |
/// | 72 + 32·i … | trigger i  | one word per trigger ({TriggerTerms}, below), `triggerCount` |
///
/// The parameters word (bits from the least significant):
///
/// | bits      | field              | meaning                                             |
/// | --------- | ------------------ | --------------------------------------------------- |
/// | 0 – 7     | feedDecimals       | decimals of the feed's answers                      |
/// | 8 – 39    | maxStaleness       | seconds a feed answer stays usable                  |
/// | 40 – 55   | trailingPeriods    | window of the trailing DSCR                         |
/// | 56 – 71   | cleanUpBps         | clean-up call threshold                             |
/// | 72 – 79   | turbo              | 1: a cash trap pays note principal first            |
/// | 80 – 111  | waiverVotingPeriod | seconds a waiver ballot stays open                  |
/// | 112 – 119 | triggerCount       | number of trigger words that follow                 |
/// | 120 – 151 | appraisalMaxAge    | seconds an appraisal mark stays in force; 0: none   |
/// | 152 – 215 | capacity           | the deal's capacity × hours in a period (Occupancy) |
/// | 216 – 223 | readsFacility      | 1: appraisal marks or a PUE trigger (reads reports) |
///
/// A trigger word:
///
/// | bits     | field      | meaning                  |
/// | -------- | ---------- | ------------------------ |
/// | 0 – 7    | metric     | {RiskMetric}             |
/// | 8 – 15   | comparison | {TriggerComparison}      |
/// | 16 – 23  | effect     | {TriggerEffect}          |
/// | 24 – 31  | periods    | uint8                    |
/// | 32 – 39  | cures      | 1: curable               |
/// | 64 – 191 | threshold  | uint128                  |
///
/// @dev The engine reads the deal alone ({deal}) or the parameters alone ({triggerCount}) with one word each; what
/// walks the triggers copies every argument once ({args}) and decodes from memory: trigger i is
/// `unpackTrigger(triggerWord(args, i))` (a wrapper of the two measured ≈ 1 100 gas more per assessment under the IR
/// pipeline).
library RiskEngineArgs {
    /// @notice Bytes before the first trigger word.
    uint256 internal constant CONFIG_BYTES = 72;
    uint256 private constant PARAMS = 40;
    uint256 private constant TRIGGER_COUNT_SHIFT = 112;
    uint256 private constant EFFECT_SHIFT = 16;
    uint256 private constant READS_FACILITY_SHIFT = 216;

    /// @notice The clone arguments of `deal`'s risk engine, with terms `r` and `capacity` units of capacity in a period
    /// ({PeriodSchedule.capacityOf}; at most (2^32 − 1)² / 3 600, it fits the 64 bits it is given).
    function encode(address deal_, RiskTerms calldata r, uint256 capacity) internal pure returns (bytes memory args_) {
        uint256 params =
            uint256(r.priceFeed.decimals) |
                (uint256(r.priceFeed.maxStaleness) << 8) |
                (uint256(r.trailingPeriods) << 40) |
                (uint256(r.cleanUpBps) << 56) |
                (r.turbo ? uint256(1) << 72 : 0) |
                (uint256(r.waiverVotingPeriod) << 80) |
                (uint256(r.triggers.length) << TRIGGER_COUNT_SHIFT) |
                (uint256(r.appraisalMaxAge) << 120) |
                (uint256(uint64(capacity)) << 152);
        bool readsFacility_ = r.appraisalMaxAge != 0;
        for (uint256 i; i < r.triggers.length && !readsFacility_; ++i) {
            readsFacility_ = r.triggers[i].metric == RiskMetric.Pue;
        }
        if (readsFacility_) params |= uint256(1) << READS_FACILITY_SHIFT;
        args_ = abi.encodePacked(deal_, r.priceFeed.feed, params);
        for (uint256 i; i < r.triggers.length; ++i) {
            args_ = bytes.concat(args_, bytes32(packTrigger(r.triggers[i])));
        }
    }

    /// @notice The word of trigger `t`.
    function packTrigger(TriggerTerms calldata t) internal pure returns (uint256) {
        return
            uint256(t.metric) |
            (uint256(t.comparison) << 8) |
            (uint256(t.effect) << EFFECT_SHIFT) |
            (uint256(t.periods) << 24) |
            (t.cures ? uint256(1) << 32 : 0) |
            (uint256(t.threshold) << 64);
    }

    /// @notice The deal, from one word.
    function deal() internal view returns (address) {
        return address(uint160(CloneArgs.word(0) >> 96));
    }

    /// @notice The number of triggers, from one word.
    function triggerCount() internal view returns (uint256) {
        return uint8(CloneArgs.word(PARAMS) >> TRIGGER_COUNT_SHIFT);
    }

    /// @notice The configuration and the number of triggers, from one copy of the bytes before the triggers.
    function config() internal view returns (IRiskEngine.Config memory c, uint256 count) {
        return decodeConfig(CloneArgs.slice(0, CONFIG_BYTES));
    }

    /// @notice Every argument, for {decodeConfig} and {triggerWord}: one copy where the triggers are walked.
    function args() internal view returns (bytes memory) {
        return CloneArgs.all();
    }

    /// @notice The configuration and the number of triggers in `args_` ({args}).
    function decodeConfig(bytes memory args_) internal pure returns (IRiskEngine.Config memory c, uint256 count) {
        address deal_;
        address feed;
        uint256 params;
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            deal_ := shr(96, mload(add(args_, 32)))
            feed := shr(96, mload(add(args_, 52)))
            params := mload(add(args_, 72))
        }
        c.deal = deal_;
        c.priceFeed = feed;
        c.feedDecimals = uint8(params);
        c.maxStaleness = uint32(params >> 8);
        c.trailingPeriods = uint16(params >> 40);
        c.cleanUpBps = uint16(params >> 56);
        c.turbo = uint8(params >> 72) != 0;
        c.waiverVotingPeriod = uint32(params >> 80);
        c.appraisalMaxAge = uint32(params >> 120);
        c.capacity = uint64(params >> 152);
        count = uint8(params >> TRIGGER_COUNT_SHIFT);
    }

    /// @notice The word of trigger `i` in `args_` ({args}).
    function triggerWord(bytes memory args_, uint256 i) internal pure returns (uint256 w) {
        uint256 offset = CONFIG_BYTES + 32 * i;
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            w := mload(add(add(args_, 32), offset))
        }
    }

    /// @notice Whether the engine reads each reported period's energy, PUE and appraisal from the oracle: the deal
    /// marks to appraisals or has a PUE trigger ({encode}).
    function readsFacility(bytes memory args_) internal pure returns (bool) {
        uint256 params;
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            params := mload(add(args_, 72))
        }
        return uint8(params >> READS_FACILITY_SHIFT) != 0;
    }

    /// @notice The effect of trigger `i` of `args_` ({args}), without unpacking the rest.
    function triggerEffect(bytes memory args_, uint256 i) internal pure returns (TriggerEffect) {
        return TriggerEffect(uint8(triggerWord(args_, i) >> EFFECT_SHIFT));
    }

    /// @notice The trigger of word `w` ({packTrigger}).
    function unpackTrigger(uint256 w) internal pure returns (TriggerTerms memory t) {
        t.metric = RiskMetric(uint8(w));
        t.comparison = TriggerComparison(uint8(w >> 8));
        t.effect = TriggerEffect(uint8(w >> EFFECT_SHIFT));
        t.periods = uint8(w >> 24);
        t.cures = uint8(w >> 32) != 0;
        t.threshold = uint128(w >> 64);
    }
}
