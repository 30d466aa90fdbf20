// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {DealStatus, FleetEntryTerms, PeriodMetrics, TriggerTerms} from "./ICascadeTypes.sol";

/// @title IRiskEngine
/// @notice The covenants and collateral of one deal: the GPU fleet registry (marked to an optional rental-price
/// index), the metrics measured every period, the triggers that set the waterfall's order, and the senior holders'
/// waiver of an event of default.
/// @dev One clone per deal, created by the factory. Its configuration (the deal, the price feed and the triggers)
/// lives in the clone's code; the fleet, trigger states and ballots live in storage.
///
/// Warning: the price feed is fixed for the deal's life and is not trusted to behave. Its `latestRoundData()` is a
/// STATICCALL with exactly {FEED_GAS_LIMIT} gas of which at most the five answer words are copied back: a revert, an
/// out-of-gas, a short or ill-formed return is a rejected answer ({IndexRejection.Reverted} or
/// {IndexRejection.Malformed}) and the last accepted index values the fleet, so a broken or hostile feed costs a
/// distribution at most {FEED_GAS_LIMIT} more and never stops it. A caller must leave enough gas for the feed to get
/// its limit ({InsufficientGasForFeed}), so a keeper cannot starve the feed to keep an old index. The factory checks
/// at creation that the feed answers `decimals()` and `latestRoundData()` the same way (a feed with no round yet is
/// refused); it does not check the answer's value or freshness.
interface IRiskEngine {
    /// @notice What the deal knows of a period before its waterfall runs. Note arrays by rank. `cash` is the period's
    /// cash before a tenant's site rent, `feesDue` the rent due (a tenant's; arrears included) and the keeper bounty,
    /// trustee and servicer fees due: the cash available for debt service is the cash net of both. `rentIn` is the
    /// part of `cash` a site received from its tenant deals on chain: not reported revenue, so not part of the
    /// servicer's shortfall.
    struct AssessInput {
        uint256 period;
        bool finalPeriod;
        bool reported;
        uint64 valuationTime;
        uint256 gpuHoursAvailable;
        uint256 gpuHoursBilled;
        uint256 revenue;
        uint256 pledgedShareBps;
        uint256 cash;
        uint256 reserve;
        uint256 recoveries;
        uint256 reserveTarget;
        uint256 feesDue;
        uint256[] outstanding;
        uint256[] interestDue;
        uint256[] principalDue;
        uint256 rentIn;
    }

    /// @notice Whether a fleet entry counts as collateral. The term sheet's entries are `Confirmed`; entries the issuer
    /// adds later are `Pending` until the trustee confirms them (or the trustee or the guardian rejects them): the
    /// borrower cannot certify its own collateral.
    enum FleetEntryStatus {
        Pending,
        Confirmed,
        Rejected
    }

    /// @notice A fleet entry, how many of its GPUs are still in the fleet (`count` is what was registered) and whether
    /// it counts.
    struct FleetEntry {
        FleetEntryTerms terms;
        uint256 activeCount;
        FleetEntryStatus status;
    }

    /// @notice Static configuration, from the term sheet. `appraisalMaxAge`: seconds an appraisal mark stays in force
    /// (0: no appraisal marks; {RiskTerms}). `capacity`: the deal's capacity × hours in a period (GPU-hours or kWh, the
    /// oracle's bound on capacity available), the denominator of the Occupancy covenant.
    struct Config {
        address deal;
        address priceFeed;
        uint8 feedDecimals;
        uint32 maxStaleness;
        uint16 trailingPeriods;
        uint16 cleanUpBps;
        bool turbo;
        uint32 waiverVotingPeriod;
        uint32 appraisalMaxAge;
        uint64 capacity;
    }

    /// @notice The latest appraisal of the collateral the engine recorded: `value` (stablecoin units; 0: none yet),
    /// signed in the final report of `period`, as of that period's end `asOf`.
    struct AppraisalMark {
        uint128 value;
        uint64 asOf;
        uint64 period;
    }

    /// @notice A waiver ballot of the senior holders. `id` zero means none was ever opened.
    struct Ballot {
        uint64 id;
        uint64 deadline;
        uint128 yes;
        uint128 no;
        bool executed;
    }

    /// @notice The state of one trigger: consecutive periods in breach (saturating at 255) and whether it is active.
    struct TriggerState {
        uint256 consecutive;
        bool active;
    }

    /// @notice What a clean-up call would pay now. It is `allowed` when the term sheet has a clean-up fraction and
    /// `seniorOutstanding` ≤ `threshold` (the deal also requires that no ended period waits). `payoff` = fee
    /// arrears + per note (`interest`: arrears and interest accrued since the current period began, linked coupons
    /// at their cap) + principal outstanding + written-down principal; the deal's collections and reserve pay first
    /// and the issuer brings `fromIssuer`.
    struct CleanUpQuote {
        bool allowed;
        uint256 seniorOutstanding;
        uint256 threshold;
        uint256 payoff;
        uint256 fromIssuer;
        uint256[] interest;
    }

    /// @notice Why a price-index answer was not used: the call to the feed reverted or ran out of its gas
    /// (`Reverted`); the answer was zero or negative (`NonPositive`), above uint96 (`TooLarge`), older than the
    /// term sheet's `maxStaleness` (`Stale`) or observed after the block (`FromFuture`); or the feed returned fewer
    /// than the five words of an answer, or words that are not one (a round id above uint80) (`Malformed`).
    enum IndexRejection {
        Reverted,
        NonPositive,
        TooLarge,
        Stale,
        FromFuture,
        Malformed
    }

    /// @notice The whole risk state in one call. The metrics of a period are in its statement (the deal's
    /// `PeriodDistributed` event).
    struct RiskSnapshot {
        Config config;
        DealStatus status;
        uint256 collateralValue;
        uint256 bookValue;
        uint256 recoveries;
        uint256 priceIndex;
        bool priceIndexLive;
        uint256 notesOutstanding;
        uint256 seniorOutstanding;
        uint256 seniorFace;
        uint256 ltv;
        uint256 seniorCurve;
        uint256 reserve;
        uint256 reserveTarget;
        uint256 reserveLevel;
        bool cleanUpCallable;
        TriggerTerms[] triggers;
        TriggerState[] triggerStates;
        uint256 fleetEntries;
        Ballot ballot;
    }

    // ---------------------------------------------------------------- events

    /// @notice A fleet entry of the term sheet was registered; it counts as collateral.
    event FleetEntryAdded(uint256 indexed id, FleetEntryTerms entry);

    /// @notice The issuer admin `proposer` added fleet entry `id`; it counts once the trustee confirms it.
    event FleetEntryProposed(uint256 indexed id, address indexed proposer, FleetEntryTerms entry);

    /// @notice The trustee confirmed fleet entry `id`: it counts as collateral from now on.
    event FleetEntryConfirmed(uint256 indexed id, address indexed trustee);

    /// @notice `by` (the trustee or the guardian) rejected fleet entry `id`: it never counts.
    event FleetEntryRejected(uint256 indexed id, address indexed by);

    /// @notice `units` GPUs of entry `id` left the fleet (sold or broken); `proceeds` were deposited as recoveries.
    event FleetEntryRetired(uint256 indexed id, uint256 units, uint256 activeCount, uint256 proceeds);

    /// @notice A new index level `index` (observed at `updatedAt`) was accepted at `period`; it values the fleet until
    /// the next accepted one.
    event PriceIndexAccepted(uint256 indexed period, uint256 index, uint256 updatedAt);

    /// @notice The price index answer was not used (`reason`); the last accepted index, if any, values the fleet.
    /// `answer` and `updatedAt` are the feed's (zero when the call failed or its return was malformed).
    event PriceIndexRejected(uint256 indexed period, IndexRejection reason, int256 answer, uint256 updatedAt);

    /// @notice The final report of `period` appraised the collateral at `value` as of `asOf` (the period's end): the
    /// latest appraisal, which caps the fleet's value while it is at most the term sheet's `appraisalMaxAge` old.
    event AppraisalRecorded(uint256 indexed period, uint256 value, uint64 asOf);

    /// @notice Every trigger's metric `values` for `period`, which of them are in breach and which are active,
    /// and each trigger's consecutive-breach count (byte i of `counts`).
    event TriggersEvaluated(
        uint256 indexed period,
        uint256[] values,
        uint256 breachedMask,
        uint256 activeMask,
        uint256 counts
    );

    /// @notice Trigger `trigger` fired at `period` with its metric at `value`.
    event TriggerFired(uint256 indexed period, uint256 indexed trigger, uint256 value);

    /// @notice Curable trigger `trigger` cured at `period` with its metric at `value`.
    event TriggerCured(uint256 indexed period, uint256 indexed trigger, uint256 value);

    /// @notice The issuer opened waiver ballot `id`, open until `deadline`.
    event WaiverProposed(uint256 indexed id, address indexed proposer, uint64 deadline);

    /// @notice `voter` voted on ballot `id` with `weight` senior tokens, locked until the ballot closes.
    event WaiverVoted(uint256 indexed id, address indexed voter, bool support, uint256 weight);

    /// @notice Ballot `id` passed: the latched triggers in `clearedMask` were cleared and the deal is now `status`.
    event WaiverExecuted(uint256 indexed id, uint256 yes, uint256 no, uint256 seniorSupply, uint256 clearedMask);

    // ---------------------------------------------------------------- errors

    /// @notice Only the deal calls this.
    error NotDeal(address caller);

    /// @notice Only the deal's issuer admin calls this.
    error NotIssuer(address caller);

    /// @notice Fleet entry `index` of the batch is invalid.
    error InvalidFleetEntry(uint256 index);

    /// @notice The fleet holds at most `max` entries.
    error FleetFull(uint256 max);

    /// @notice No fleet entry `id`.
    error UnknownFleetEntry(uint256 id);

    /// @notice Only the deal's trustee confirms fleet entries.
    error NotTrustee(address caller);

    /// @notice Only the deal's trustee or guardian rejects fleet entries.
    error NotTrusteeOrGuardian(address caller);

    /// @notice Fleet entry `id` is `status`, not pending: it was confirmed or rejected already.
    error FleetEntryNotPending(uint256 id, FleetEntryStatus status);

    /// @notice Fleet entry `id` is `status`: only confirmed entries can retire GPUs.
    error FleetEntryNotConfirmed(uint256 id, FleetEntryStatus status);

    /// @notice Entry `id` has `activeCount` GPUs; `units` cannot leave (zero or more than it has).
    error InvalidRetirement(uint256 id, uint256 units, uint256 activeCount);

    /// @notice A waiver is only for an accelerated deal; it is `status`.
    error NotAccelerated(DealStatus status);

    /// @notice Ballot `id` is still open until `deadline`.
    error BallotOpen(uint256 id, uint64 deadline);

    /// @notice No ballot is open for voting.
    error NoOpenBallot();

    /// @notice `voter` already voted on ballot `id`.
    error AlreadyVoted(uint256 id, address voter);

    /// @notice `voter` holds no senior tokens.
    error NoVotingPower(address voter);

    /// @notice Ballot `id` has `yes` of `seniorSupply` votes in favour; a waiver needs more than half.
    error WaiverNotApproved(uint256 id, uint256 yes, uint256 seniorSupply);

    /// @notice Ballot `id` was already executed.
    error WaiverAlreadyExecuted(uint256 id);

    /// @notice Only `gasLeft` gas was left before the price feed call, less than the `gasRequired` that gives the feed
    /// its {FEED_GAS_LIMIT}: send the transaction with more gas.
    error InsufficientGasForFeed(uint256 gasLeft, uint256 gasRequired);

    // ---------------------------------------------------------------- deal hooks

    /// @notice Called by the deal before a period's waterfall: measures the period, evaluates the triggers (not at
    /// the final period, which repays everything in the current order) and returns the waterfall's order and
    /// whether a cash trap pays principal first (turbo). The engine keeps the trigger states; the metrics and the
    /// mode are recorded in the period's statement (the deal's `PeriodDistributed` event).
    function assess(
        AssessInput calldata input
    ) external returns (DealStatus mode, bool turbo, PeriodMetrics memory metrics);

    /// @notice Called by the deal once, from its initializer, with the term sheet's fleet.
    function initialize(FleetEntryTerms[] calldata fleet) external;

    // ---------------------------------------------------------------- fleet

    /// @notice Adds fleet entries (issuer admin). They are `Pending`: they count as collateral only once the trustee
    /// confirms them ({confirmFleetEntry}).
    function addFleetEntries(FleetEntryTerms[] calldata entries) external;

    /// @notice Confirms pending fleet entry `id` (the deal's trustee, having checked the GPUs exist and are pledged).
    function confirmFleetEntry(uint256 id) external;

    /// @notice Rejects pending fleet entry `id` (the deal's trustee or guardian): it never counts.
    function rejectFleetEntry(uint256 id) external;

    /// @notice Retires `units` GPUs of confirmed entry `id` (issuer admin); `proceeds` of a sale are pulled from the
    /// caller (which approves this engine) and deposited into the deal as recoveries (held for the notes while the
    /// deal runs, see {IDeal.depositRecoveries}).
    function retireFleetEntry(uint256 id, uint256 units, uint256 proceeds) external;

    // ---------------------------------------------------------------- waiver

    /// @notice Opens a ballot to waive the event of default (issuer admin, accelerated deal, no ballot open).
    function proposeWaiver() external returns (uint256 id);

    /// @notice Votes on the open ballot with the caller's senior balance less its frozen tokens, which stays locked
    /// until the ballot closes. Tokens vote once per ballot: a wallet whose tokens are already locked until the
    /// ballot's deadline (it voted, or a wallet that voted was recovered into it) is refused with {AlreadyVoted}. A
    /// holder the tranche's rules would not let send (frozen, unregistered, KYC expired, ...) cannot vote.
    function voteWaiver(bool support) external;

    /// @notice Executes the open ballot, before its deadline, once more than half of the senior tokens held by
    /// investors voted for it (the supply less the shares the offering has not delivered, which cannot vote): clears
    /// the latched triggers and resets the deal's status to what its curable triggers say.
    function executeWaiver() external;

    // ---------------------------------------------------------------- views

    /// @notice Gas the price feed's `latestRoundData()` gets at each read (100 000).
    function FEED_GAS_LIMIT() external view returns (uint256);

    function config() external view returns (Config memory);

    function triggers() external view returns (TriggerTerms[] memory);

    function triggerStates() external view returns (TriggerState[] memory);

    /// @notice Bitmask of active triggers.
    function activeTriggers() external view returns (uint256);

    function fleetEntryCount() external view returns (uint256);

    function fleetEntry(uint256 id) external view returns (FleetEntry memory);

    /// @notice Collateral value now: per confirmed fleet entry, the lower of book value and (if marked) index-implied
    /// value; with an appraisal mark in force ({appraisal}), the lower of that sum and the appraisal; plus the deal's
    /// recovery account (cash held for the notes, at par).
    function collateralValue() external view returns (uint256);

    /// @notice Collateral value at `timestamp`, with book values and the appraisal's age at that time, the current
    /// price index and the recovery account now.
    function collateralValueAt(uint256 timestamp) external view returns (uint256);

    /// @notice The latest appraisal recorded ({AppraisalRecorded}; value 0: none) and whether it is in force now: the
    /// deal marks to appraisals and it is at most `appraisalMaxAge` seconds old (an appraisal as of a later time than
    /// the valuation counts as fresh).
    function appraisal() external view returns (AppraisalMark memory mark, bool inForce);

    /// @notice Book value of the confirmed fleet at `timestamp` (depreciation only).
    function bookValueAt(uint256 timestamp) external view returns (uint256);

    /// @notice Note principal outstanding / collateral value now (WAD, rounded up).
    function ltv() external view returns (uint256);

    /// @notice The price index used now, and whether it is the feed's live answer (otherwise the last accepted one).
    function priceIndex() external view returns (uint256 value, bool live);

    function ballot() external view returns (Ballot memory);

    function hasVoted(uint256 id, address voter) external view returns (bool);

    /// @notice Whether the issuer may make the clean-up call now.
    function cleanUpCallable() external view returns (bool);

    /// @notice What the clean-up call would pay now (the deal pays exactly this quote).
    function cleanUpQuote() external view returns (CleanUpQuote memory);

    /// @notice Principal of `tranche` written off, in total and per token issued (WAD).
    function writtenDown(uint256 tranche) external view returns (uint256 amount, uint256 perToken);

    function riskSnapshot() external view returns (RiskSnapshot memory);
}
