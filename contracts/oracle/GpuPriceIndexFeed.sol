// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Roles} from "../libraries/Roles.sol";

/// @title GpuPriceIndexFeed
/// @notice A GPU rental-price index (e.g. H100 dollars per GPU-hour) published round by round by a publisher role,
/// readable through Chainlink's AggregatorV3Interface so a deal can mark its fleet to it. Any AggregatorV3 feed works
/// in its place; this one serves markets with no such feed yet.
contract GpuPriceIndexFeed is AggregatorV3Interface, AccessControl {
    bytes32 public constant PUBLISHER_ROLE = Roles.PUBLISHER;

    struct Round {
        int256 answer;
        uint64 updatedAt;
    }

    uint8 private immutable DECIMALS;
    string private _description;
    uint80 private _latestRound;
    mapping(uint80 roundId => Round) private _rounds;

    /// @notice Round `roundId` published `answer`, observed at `updatedAt`.
    event AnswerPublished(uint80 indexed roundId, int256 answer, uint256 updatedAt);

    /// @notice Answers must be positive.
    error NonPositiveAnswer(int256 answer);

    /// @notice An observation must not be at time zero, in the future, nor older than the latest round's.
    error InvalidObservationTime(uint256 updatedAt, uint256 latest);

    /// @notice No round `roundId` was published.
    error NoSuchRound(uint80 roundId);

    constructor(address admin, address publisher, uint8 decimals_, string memory description_) {
        DECIMALS = decimals_;
        _description = description_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(PUBLISHER_ROLE, publisher);
    }

    /// @notice Publishes the index observed at `updatedAt` (publisher).
    function publish(int256 answer, uint256 updatedAt) external onlyRole(PUBLISHER_ROLE) returns (uint80 roundId) {
        if (answer <= 0) revert NonPositiveAnswer(answer);
        uint256 latest = _rounds[_latestRound].updatedAt;
        // Time zero marks a missing round: an observation there would read as NoSuchRound.
        if (updatedAt == 0 || updatedAt > block.timestamp || updatedAt < latest) {
            revert InvalidObservationTime(updatedAt, latest);
        }
        roundId = ++_latestRound;
        _rounds[roundId] = Round({answer: answer, updatedAt: uint64(updatedAt)});
        emit AnswerPublished(roundId, answer, updatedAt);
    }

    function decimals() external view returns (uint8) {
        return DECIMALS;
    }

    function description() external view returns (string memory) {
        return _description;
    }

    function version() external pure returns (uint256) {
        return 1;
    }

    function getRoundData(
        uint80 roundId
    ) public view returns (uint80, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound) {
        Round memory r = _rounds[roundId];
        if (r.updatedAt == 0) revert NoSuchRound(roundId);
        return (roundId, r.answer, r.updatedAt, r.updatedAt, roundId);
    }

    function latestRoundData()
        external
        view
        returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound)
    {
        return getRoundData(_latestRound);
    }
}
