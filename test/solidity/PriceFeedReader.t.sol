// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IRiskEngine} from "../../contracts/interfaces/IRiskEngine.sol";
import {PriceFeedReader} from "../../contracts/libraries/PriceFeedReader.sol";
import {HostileAggregator} from "../../contracts/mocks/HostileAggregator.sol";

import {Assertions} from "./utils/Assertions.sol";
import {TestBase} from "./utils/Vm.sol";

/*
 * PriceFeedReader on its own, against every behaviour of HostileAggregator:
 *
 * P1  Whatever the feed does, a read returns an outcome and never reverts the caller: Answered with the honest
 *     answer (also when padded with trailing bytes, or slow within the limit), Failed when the feed reverts or runs
 *     out of its gas (a 1 MB return does), Malformed when it returns too few bytes or words that do not decode.
 * P2  A read costs the caller at most FEED_GAS_LIMIT plus a fixed overhead, whatever the feed does.
 * P3  A caller with less than FEED_GAS_REQUIRED gas left is refused with InsufficientGasForFeed; with that much,
 *     the feed gets its full FEED_GAS_LIMIT (the slow honest feed answers).
 */
contract PriceFeedReaderTest is TestBase, Assertions {
    /// @dev What a read costs besides the feed's own gas: the gas check, a cold account access, memory, decoding.
    uint256 internal constant OVERHEAD = 6_000;
    int256 internal constant ANSWER = 123_000_000;
    uint256 internal constant UPDATED_AT = 1_700_000_000;
    uint8 internal constant DECIMALS = 8;

    HostileAggregator internal feed;

    function setUp() public {
        feed = new HostileAggregator(DECIMALS);
        feed.set(ANSWER, UPDATED_AT);
    }

    /// @dev A read of latestRoundData from outside this contract's frame (so a revert of the read is observable).
    function readLatest() external view returns (PriceFeedReader.Outcome outcome, int256 answer, uint256 updatedAt) {
        return PriceFeedReader.latestRoundData(address(feed));
    }

    /// P1, P2
    function test_latestRoundData_everyBehaviour() public {
        HostileAggregator.Mode[9] memory modes = [
            HostileAggregator.Mode.Honest,
            HostileAggregator.Mode.Reverts,
            HostileAggregator.Mode.ShortReturn,
            HostileAggregator.Mode.TruncatedReturn,
            HostileAggregator.Mode.BurnsGas,
            HostileAggregator.Mode.HugeReturn,
            HostileAggregator.Mode.GarbageWords,
            HostileAggregator.Mode.PaddedReturn,
            HostileAggregator.Mode.Slow
        ];
        PriceFeedReader.Outcome[9] memory expected = [
            PriceFeedReader.Outcome.Answered,
            PriceFeedReader.Outcome.Failed,
            PriceFeedReader.Outcome.Malformed,
            PriceFeedReader.Outcome.Malformed,
            PriceFeedReader.Outcome.Failed,
            PriceFeedReader.Outcome.Failed,
            PriceFeedReader.Outcome.Malformed,
            PriceFeedReader.Outcome.Answered,
            PriceFeedReader.Outcome.Answered
        ];
        for (uint256 i; i < modes.length; ++i) {
            feed.setLatestRoundDataMode(modes[i]);
            uint256 before = gasleft();
            (PriceFeedReader.Outcome outcome, int256 answer, uint256 updatedAt) = PriceFeedReader.latestRoundData(
                address(feed)
            );
            uint256 used = before - gasleft();
            assertEq(uint256(outcome), uint256(expected[i]), "P1: outcome");
            bool answered = outcome == PriceFeedReader.Outcome.Answered;
            assertEq(uint256(answer), answered ? uint256(ANSWER) : 0, "P1: answer");
            assertEq(updatedAt, answered ? UPDATED_AT : 0, "P1: updatedAt");
            assertLe(used, PriceFeedReader.FEED_GAS_LIMIT + OVERHEAD, "P2: gas");
        }
    }

    /// P1, P2
    function test_decimals_everyBehaviour() public {
        HostileAggregator.Mode[7] memory modes = [
            HostileAggregator.Mode.Honest,
            HostileAggregator.Mode.Reverts,
            HostileAggregator.Mode.ShortReturn,
            HostileAggregator.Mode.TruncatedReturn,
            HostileAggregator.Mode.BurnsGas,
            HostileAggregator.Mode.HugeReturn,
            HostileAggregator.Mode.GarbageWords
        ];
        PriceFeedReader.Outcome[7] memory expected = [
            PriceFeedReader.Outcome.Answered,
            PriceFeedReader.Outcome.Failed,
            PriceFeedReader.Outcome.Malformed,
            PriceFeedReader.Outcome.Malformed,
            PriceFeedReader.Outcome.Failed,
            PriceFeedReader.Outcome.Failed,
            PriceFeedReader.Outcome.Malformed
        ];
        for (uint256 i; i < modes.length; ++i) {
            feed.setDecimalsMode(modes[i]);
            uint256 before = gasleft();
            (PriceFeedReader.Outcome outcome, uint8 value) = PriceFeedReader.decimals(address(feed));
            uint256 used = before - gasleft();
            assertEq(uint256(outcome), uint256(expected[i]), "P1: outcome");
            assertEq(value, outcome == PriceFeedReader.Outcome.Answered ? DECIMALS : 0, "P1: decimals");
            assertLe(used, PriceFeedReader.FEED_GAS_LIMIT + OVERHEAD, "P2: gas");
        }
    }

    /// P1: an account without code answers nothing.
    function test_latestRoundData_noCode() public view {
        (PriceFeedReader.Outcome outcome, , ) = PriceFeedReader.latestRoundData(address(0xdead));
        assertEq(uint256(outcome), uint256(PriceFeedReader.Outcome.Malformed), "P1: no code");
    }

    /// P3
    function test_latestRoundData_insufficientGasForFeed() public {
        feed.setLatestRoundDataMode(HostileAggregator.Mode.Slow);
        uint256 required = PriceFeedReader.FEED_GAS_REQUIRED;
        // Gas limits of the outer call around the threshold (the call's own frame costs a little before the check).
        bool refused;
        bool answered;
        for (uint256 limit = required - 20_000; limit <= required + 20_000; limit += 1_000) {
            (bool ok, bytes memory data) = address(this).staticcall{gas: limit}(abi.encodeCall(this.readLatest, ()));
            if (ok) {
                (PriceFeedReader.Outcome outcome, int256 answer, ) = abi.decode(
                    data,
                    (PriceFeedReader.Outcome, int256, uint256)
                );
                // Whenever the read goes through, the slow feed got enough gas to answer.
                assertEq(uint256(outcome), uint256(PriceFeedReader.Outcome.Answered), "P3: starved feed");
                assertEq(uint256(answer), uint256(ANSWER), "P3: answer");
                answered = true;
            } else {
                assertEq(uint256(bytes32(data)) >> 224, uint32(IRiskEngine.InsufficientGasForFeed.selector), "P3");
                (uint256 left, uint256 needed) = abi.decode(_args(data), (uint256, uint256));
                assertLt(left, required, "P3: gas left");
                assertEq(needed, required, "P3: gas required");
                refused = true;
            }
        }
        assertTrue(refused && answered, "P3: both sides of the threshold");
    }

    function _args(bytes memory data) private pure returns (bytes memory args) {
        args = new bytes(data.length - 4);
        for (uint256 i; i < args.length; ++i) args[i] = data[i + 4];
    }
}
