// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {
    CouponType,
    DealStatus,
    DepreciationMethod,
    FleetEntryTerms,
    PeriodMetrics,
    RiskMetric,
    TriggerComparison,
    TrancheKind,
    TriggerEffect,
    TriggerTerms
} from "../interfaces/ICascadeTypes.sol";
import {IDeal} from "../interfaces/IDeal.sol";
import {IRiskEngine} from "../interfaces/IRiskEngine.sol";
import {IUtilizationOracle} from "../interfaces/IUtilizationOracle.sol";
import {ITrancheToken} from "../interfaces/ITrancheToken.sol";
import {CollateralMath} from "../libraries/CollateralMath.sol";
import {PriceFeedReader} from "../libraries/PriceFeedReader.sol";
import {RiskEngineArgs} from "../libraries/RiskEngineArgs.sol";
import {RiskTermsLib} from "../libraries/RiskTermsLib.sol";
import {BPS, WAD} from "../libraries/Constants.sol";
import {Roles} from "../libraries/Roles.sol";

/// @title RiskEngine
/// @notice See {IRiskEngine}. Every ratio that protects lenders rounds against the borrower: coverage ratios and
/// collateral values round down, loan-to-value ratios and break-even utilization round up.
contract RiskEngine is IRiskEngine {
    using SafeERC20 for IERC20;
    uint256 private constant MAX = type(uint256).max;
    bytes32 private constant ISSUER_ROLE = Roles.ISSUER;
    /// @dev {Deal.GUARDIAN_ROLE}.
    bytes32 private constant GUARDIAN_ROLE = Roles.GUARDIAN;
    /// @inheritdoc IRiskEngine
    uint256 public constant FEED_GAS_LIMIT = PriceFeedReader.FEED_GAS_LIMIT;
    /// @dev A report's PUE is scaled by 10 000 ({IUtilizationOracle.PUE_SCALE}); the covenant compares WAD.
    uint256 private constant PUE_TO_WAD = 1e14;

    /// @dev Fleet entry, three slots. Its status shares the slot of the active count, which valuing it reads anyway.
    struct Entry {
        uint128 unitCost;
        uint128 unitResidual;
        uint64 acquiredAt;
        uint32 usefulLife;
        uint32 count;
        uint32 activeCount;
        uint64 yearlyRate;
        DepreciationMethod method;
        FleetEntryStatus status;
        bytes16 model;
        uint96 indexAtAcquisition;
    }

    /// @dev Running sums of cash available for debt service and of debt service, for the trailing DSCR.
    struct Cumulative {
        uint128 cads;
        uint128 debtService;
    }

    uint32 private _fleetCount;
    uint96 private _lastIndex;
    /// @dev Byte i (i < 16): consecutive breaches of trigger i; bit 128 + i: trigger i is active.
    uint256 private _triggerState;
    Ballot private _ballot;
    AppraisalMark private _appraisal;

    mapping(uint256 id => Entry) private _fleet;
    mapping(uint256 slot => Cumulative) private _cumulative;
    mapping(uint256 id => mapping(address voter => bool)) private _voted;

    modifier onlyDeal() {
        if (msg.sender != _deal()) revert NotDeal(msg.sender);
        _;
    }

    modifier onlyIssuer() {
        if (!IAccessControl(_deal()).hasRole(ISSUER_ROLE, msg.sender)) revert NotIssuer(msg.sender);
        _;
    }

    /// @inheritdoc IRiskEngine
    function initialize(FleetEntryTerms[] calldata fleet) external onlyDeal {
        // The deal calls this once, from its own (one-time) initializer.
        _addFleet(fleet, FleetEntryStatus.Confirmed);
        // The trailing-DSCR ring is allocated now (a non-zero placeholder in each of its slots), as an oracle's
        // observation buffer is: every period then rewrites a slot (5 000) instead of filling an empty one (22 100),
        // so a keeper pays the same from the first period on. A placeholder is never read: period p reads the
        // slots of periods p − 1 and p − window, both written by then ({_trailing}).
        uint256 slots = uint256(_config().trailingPeriods) + 1;
        for (uint256 i; i < slots; ++i) {
            _cumulative[i] = Cumulative({cads: 0, debtService: 1});
        }
    }

    // ------------------------------------------------------------ assessment

    /// @inheritdoc IRiskEngine
    function assess(
        AssessInput calldata a
    ) external onlyDeal returns (DealStatus mode, bool turbo, PeriodMetrics memory m) {
        bytes memory args = RiskEngineArgs.args();
        (Config memory c, uint256 triggerCount) = RiskEngineArgs.decodeConfig(args);
        turbo = c.turbo;

        // The PUE covenant and appraisal marks read the period's final report (a reported period's is final now).
        uint256 pue;
        if (a.reported && RiskEngineArgs.readsFacility(args)) {
            uint256 appraised;
            (, pue, appraised) = IUtilizationOracle(IDeal(c.deal).oracle()).facilityOutcome(c.deal, a.period);
            if (appraised != 0 && c.appraisalMaxAge != 0) {
                // appraised < 2^128 (the oracle stores it in 128 bits); period < 2^16.
                _appraisal = AppraisalMark(uint128(appraised), a.valuationTime, uint64(a.period));
                emit AppraisalRecorded(a.period, appraised, a.valuationTime);
            }
        }
        uint256 notesOutstanding = _measure(a, c, m);
        uint256 state = _evaluate(args, triggerCount, a, m, c.capacity, pue);
        mode = notesOutstanding == 0 ? DealStatus.Active : _modeOf(args, triggerCount, state >> 128);
    }

    /// @dev Evaluates every trigger against the period's metrics and stores their new state.
    function _evaluate(
        bytes memory args,
        uint256 triggerCount,
        AssessInput calldata a,
        PeriodMetrics memory m,
        uint256 capacity,
        uint256 pue
    ) private returns (uint256 state) {
        state = _triggerState;
        uint256[] memory values = new uint256[](triggerCount);
        uint256 breached;
        for (uint256 i; i < triggerCount; ++i) {
            TriggerTerms memory t = RiskEngineArgs.unpackTrigger(RiskEngineArgs.triggerWord(args, i));
            uint256 value = _metricValue(t.metric, m, a, capacity, pue);
            values[i] = value;
            bool inBreach = t.comparison == TriggerComparison.Below ? value < t.threshold : value > t.threshold;
            if (inBreach) breached |= 1 << i;
            // The final period repays everything in the current order: its breaches are reported, not counted.
            if (!a.finalPeriod) state = _step(state, i, t, inBreach, a.period, value);
        }
        _triggerState = state;
        m.breachedMask = breached;
        m.activeMask = state >> 128;
        emit TriggersEvaluated(a.period, values, breached, m.activeMask, uint128(state));
    }

    /// @dev Fills the metrics of a period; returns the note principal outstanding.
    function _measure(
        AssessInput calldata a,
        Config memory c,
        PeriodMetrics memory m
    ) private returns (uint256 notesOutstanding) {
        uint256 notes = a.outstanding.length;
        uint256 cads = a.cash > a.feesDue ? a.cash - a.feesDue : 0;
        uint256 debtService;
        m.overcollateralization = new uint256[](notes);
        m.interestCoverage = new uint256[](notes);

        // The recovery account (cash from collateral sold, held for the notes) is collateral at par.
        uint256 value = _fleetValue(a.valuationTime, _acceptIndex(c, a.period), c.appraisalMaxAge) + a.recoveries;

        uint256 interestAbove;
        for (uint256 i; i < notes; ++i) {
            notesOutstanding += a.outstanding[i];
            interestAbove += a.interestDue[i];
            debtService += a.interestDue[i] + a.principalDue[i];
            m.overcollateralization[i] = CollateralMath.coverageDown(value, notesOutstanding);
            m.interestCoverage[i] = CollateralMath.coverageDown(cads, interestAbove);
        }

        m.cashAvailableForDebtService = cads;
        m.debtService = debtService;
        m.dscr = CollateralMath.coverageDown(cads, debtService);
        m.trailingDscr = _trailing(a.period, c.trailingPeriods, cads, debtService);
        m.utilization = a.gpuHoursAvailable == 0 ? 0 : Math.mulDiv(a.gpuHoursBilled, WAD, a.gpuHoursAvailable);
        m.collateralValue = value;
        m.notesOutstanding = notesOutstanding;
        m.ltv = CollateralMath.ltvUp(notesOutstanding, value);
        m.seniorCurve = notes == 0 ? 0 : CollateralMath.ltvUp(a.outstanding[0], value);
        m.reserveLevel = CollateralMath.coverageDown(a.reserve, a.reserveTarget);
        uint256 pledged = Math.mulDiv(a.revenue, a.pledgedShareBps, BPS);
        // The rent a site received from its tenant deals is cash the servicer did not collect.
        uint256 collected = a.cash - a.rentIn;
        m.servicerShortfall = a.reported && pledged > collected ? pledged - collected : 0;
        m.breakEvenUtilization = _breakEven(a, debtService);
    }

    /// @dev Reads the price index for `period`: a live answer is recorded as the last accepted one; a rejected one is
    /// reported and the last accepted index (zero if none: book value only) is used.
    function _acceptIndex(Config memory c, uint256 period) private returns (uint256) {
        (uint256 index, bool live, IndexRejection reason, int256 answer, uint256 updatedAt) = _readIndex(c);
        if (c.priceFeed == address(0)) return 0;
        if (!live) {
            emit PriceIndexRejected(period, reason, answer, updatedAt);
        } else if (index != _lastIndex) {
            _lastIndex = uint96(index);
            emit PriceIndexAccepted(period, index, updatedAt);
        }
        return index;
    }

    /// @dev (fees + debt service) / (GPU-hours available × realized price per billed hour × pledged share).
    function _breakEven(AssessInput calldata a, uint256 debtService) private pure returns (uint256) {
        uint256 capacity = a.gpuHoursAvailable * a.revenue * a.pledgedShareBps;
        if (capacity == 0 || a.gpuHoursBilled == 0) return MAX;
        return Math.mulDiv((a.feesDue + debtService) * a.gpuHoursBilled * BPS, WAD, capacity, Math.Rounding.Ceil);
    }

    /// @dev DSCR over the last `window` periods, from running sums kept in a ring of window + 1 slots.
    function _trailing(uint256 period, uint256 window, uint256 cads, uint256 ds) private returns (uint256) {
        uint256 slots = window + 1;
        Cumulative memory previous = period == 0 ? Cumulative(0, 0) : _cumulative[(period - 1) % slots];
        Cumulative memory base = period >= window ? _cumulative[(period - window) % slots] : Cumulative(0, 0);
        Cumulative memory current = Cumulative(
            SafeCast.toUint128(previous.cads + cads),
            SafeCast.toUint128(previous.debtService + ds)
        );
        _cumulative[period % slots] = current;
        return CollateralMath.coverageDown(current.cads - base.cads, current.debtService - base.debtService);
    }

    /// @dev `capacity`: the deal's capacity in a period; `pue`: the period's reported PUE (× 10 000; zero: none).
    function _metricValue(
        RiskMetric metric,
        PeriodMetrics memory m,
        AssessInput calldata a,
        uint256 capacity,
        uint256 pue
    ) private pure returns (uint256) {
        if (metric == RiskMetric.Dscr) return m.dscr;
        if (metric == RiskMetric.TrailingDscr) return m.trailingDscr;
        if (metric == RiskMetric.Utilization) return m.utilization;
        if (metric == RiskMetric.Ltv) return m.ltv;
        if (metric == RiskMetric.SeniorCurve) return m.seniorCurve;
        if (metric == RiskMetric.ReserveLevel) return m.reserveLevel;
        if (metric == RiskMetric.ServicerShortfall) {
            if (m.servicerShortfall == 0) return 0;
            uint256 pledged = Math.mulDiv(a.revenue, a.pledgedShareBps, BPS);
            return Math.mulDiv(m.servicerShortfall, WAD, pledged, Math.Rounding.Ceil);
        }
        // Billed capacity / the deal's capacity over the period, rounded down (zero unreported: billed is then zero).
        if (metric == RiskMetric.Occupancy) return capacity == 0 ? 0 : Math.mulDiv(a.gpuHoursBilled, WAD, capacity);
        // The reported PUE as a WAD ratio; zero when not reported.
        if (metric == RiskMetric.Pue) return pue * PUE_TO_WAD;
        return a.reported ? 0 : WAD;
    }

    /// @dev Advances trigger `i` by one period.
    function _step(
        uint256 state,
        uint256 i,
        TriggerTerms memory t,
        bool inBreach,
        uint256 period,
        uint256 value
    ) private returns (uint256) {
        uint256 shift = 8 * i;
        uint256 count = (state >> shift) & 0xff;
        uint256 activeBit = uint256(1) << (128 + i);
        bool active = state & activeBit != 0;
        if (inBreach) {
            if (count < 0xff) ++count;
            if (!active && count >= t.periods) {
                state |= activeBit;
                emit TriggerFired(period, i, value);
            }
        } else {
            count = 0;
            if (active && t.cures) {
                state &= ~activeBit;
                emit TriggerCured(period, i, value);
            }
        }
        return (state & ~(uint256(0xff) << shift)) | (count << shift);
    }

    /// @dev Acceleration outranks a cash trap.
    function _modeOf(bytes memory args, uint256 triggerCount, uint256 active) private pure returns (DealStatus) {
        if (active == 0) return DealStatus.Active;
        bool trap;
        for (uint256 i; i < triggerCount; ++i) {
            if (active & (1 << i) == 0) continue;
            if (RiskEngineArgs.triggerEffect(args, i) == TriggerEffect.Accelerate) return DealStatus.Accelerated;
            trap = true;
        }
        return trap ? DealStatus.CashTrap : DealStatus.Active;
    }

    // ------------------------------------------------------------ fleet

    /// @inheritdoc IRiskEngine
    function addFleetEntries(FleetEntryTerms[] calldata entries) external onlyIssuer {
        _addFleet(entries, FleetEntryStatus.Pending);
    }

    /// @inheritdoc IRiskEngine
    function confirmFleetEntry(uint256 id) external {
        if (msg.sender != IDeal(_deal()).trustee()) revert NotTrustee(msg.sender);
        _pendingEntry(id).status = FleetEntryStatus.Confirmed;
        emit FleetEntryConfirmed(id, msg.sender);
    }

    /// @inheritdoc IRiskEngine
    function rejectFleetEntry(uint256 id) external {
        IDeal deal = IDeal(_deal());
        if (msg.sender != deal.trustee() && !IAccessControl(address(deal)).hasRole(GUARDIAN_ROLE, msg.sender)) {
            revert NotTrusteeOrGuardian(msg.sender);
        }
        _pendingEntry(id).status = FleetEntryStatus.Rejected;
        emit FleetEntryRejected(id, msg.sender);
    }

    /// @inheritdoc IRiskEngine
    function retireFleetEntry(uint256 id, uint256 units, uint256 proceeds) external onlyIssuer {
        if (id >= _fleetCount) revert UnknownFleetEntry(id);
        Entry storage e = _fleet[id];
        if (e.status != FleetEntryStatus.Confirmed) revert FleetEntryNotConfirmed(id, e.status);
        uint256 active = e.activeCount;
        if (units == 0 || units > active) revert InvalidRetirement(id, units, active);
        // units ≤ active ≤ 2^32 − 1.
        e.activeCount = uint32(active - units);
        emit FleetEntryRetired(id, units, active - units, proceeds);
        if (proceeds != 0) {
            // The proceeds pass through the engine into the deal, which takes them as recoveries.
            IDeal deal = IDeal(_deal());
            IERC20 coin = IERC20(deal.stablecoin());
            coin.safeTransferFrom(msg.sender, address(this), proceeds);
            coin.forceApprove(address(deal), proceeds);
            deal.depositRecoveries(proceeds);
        }
    }

    function _pendingEntry(uint256 id) private view returns (Entry storage e) {
        if (id >= _fleetCount) revert UnknownFleetEntry(id);
        e = _fleet[id];
        if (e.status != FleetEntryStatus.Pending) revert FleetEntryNotPending(id, e.status);
    }

    /// @dev Term-sheet entries are `Confirmed` (the term sheet is the deal's agreed basis); later ones are `Pending`
    /// until the trustee confirms them.
    function _addFleet(FleetEntryTerms[] calldata entries, FleetEntryStatus status) private {
        uint256 id = _fleetCount;
        bool hasFeed = _config().priceFeed != address(0);
        if (id + entries.length > RiskTermsLib.MAX_FLEET_ENTRIES) revert FleetFull(RiskTermsLib.MAX_FLEET_ENTRIES);
        for (uint256 i; i < entries.length; ++i) {
            FleetEntryTerms calldata t = entries[i];
            if (!RiskTermsLib.fleetEntryValid(t, hasFeed)) revert InvalidFleetEntry(i);
            _fleet[id] = Entry({
                unitCost: t.unitCost,
                unitResidual: t.unitResidual,
                acquiredAt: t.acquiredAt,
                usefulLife: t.usefulLife,
                count: t.count,
                activeCount: t.count,
                yearlyRate: t.yearlyRate,
                method: t.method,
                status: status,
                model: t.model,
                indexAtAcquisition: t.indexAtAcquisition
            });
            if (status == FleetEntryStatus.Confirmed) emit FleetEntryAdded(id, t);
            else emit FleetEntryProposed(id, msg.sender, t);
            ++id;
        }
        _fleetCount = uint32(id);
    }

    /// @dev Value of the fleet at `timestamp`: each index-marked entry capped at its index-implied value (`index` zero:
    /// no index available, book value only), then the sum capped at the latest appraisal while it is at most
    /// `appraisalMaxAge` seconds old at `timestamp` (zero: no appraisal marks).
    function _fleetValue(
        uint256 timestamp,
        uint256 index,
        uint256 appraisalMaxAge
    ) private view returns (uint256 total) {
        uint256 count = _fleetCount;
        for (uint256 id; id < count; ++id) {
            total += _entryValue(_fleet[id], timestamp, index);
        }
        if (appraisalMaxAge != 0) {
            AppraisalMark memory mark = _appraisal;
            if (mark.value != 0 && timestamp <= uint256(mark.asOf) + appraisalMaxAge) {
                total = Math.min(total, mark.value);
            }
        }
    }

    /// @dev Value of one entry's active GPUs at `timestamp`, capped by the index-implied value when `index` is set.
    /// Only confirmed entries count. Land ({DepreciationMethod.None}) has a residual equal to its cost
    /// ({RiskTermsLib.fleetEntryValid}), at which both depreciation formulas return the cost at any age.
    function _entryValue(Entry storage e, uint256 timestamp, uint256 index) private view returns (uint256 value) {
        uint256 units = e.activeCount;
        if (units == 0 || e.status != FleetEntryStatus.Confirmed) return 0;
        uint256 cost = uint256(e.unitCost) * units;
        uint256 acquiredAt = e.acquiredAt;
        uint256 age = timestamp > acquiredAt ? timestamp - acquiredAt : 0;
        value =
            e.method == DepreciationMethod.StraightLine
                ? CollateralMath.straightLineDown(cost, uint256(e.unitResidual) * units, e.usefulLife, age)
                : CollateralMath.decliningBalanceDown(
                    cost,
                    uint256(e.unitResidual) * units,
                    e.yearlyRate,
                    e.usefulLife,
                    age
                );
        // The index-at-acquisition slot is only read when there is an index to mark to.
        if (index != 0) {
            uint256 atAcquisition = e.indexAtAcquisition;
            if (atAcquisition != 0)
                value = Math.min(value, CollateralMath.indexImpliedDown(cost, atAcquisition, index));
        }
    }

    /// @dev The feed's answer if usable; otherwise the last accepted one (zero if none) and why it was rejected. The
    /// feed is read with bounded gas and return size ({PriceFeedReader}): whatever it does, this does not revert but
    /// for {InsufficientGasForFeed}.
    function _readIndex(
        Config memory c
    ) private view returns (uint256 index, bool live, IndexRejection reason, int256 answer, uint256 updatedAt) {
        if (c.priceFeed == address(0)) return (0, false, IndexRejection.Reverted, 0, 0);
        index = _lastIndex;
        PriceFeedReader.Outcome outcome;
        (outcome, answer, updatedAt) = PriceFeedReader.latestRoundData(c.priceFeed);
        if (outcome == PriceFeedReader.Outcome.Failed) {
            reason = IndexRejection.Reverted;
        } else if (outcome == PriceFeedReader.Outcome.Malformed) {
            reason = IndexRejection.Malformed;
        } else if (answer <= 0) {
            reason = IndexRejection.NonPositive;
        } else if (answer > int256(uint256(type(uint96).max))) {
            reason = IndexRejection.TooLarge;
        } else if (updatedAt > block.timestamp) {
            reason = IndexRejection.FromFuture;
        } else if (block.timestamp - updatedAt > c.maxStaleness) {
            reason = IndexRejection.Stale;
        } else {
            return (uint256(answer), true, reason, answer, updatedAt);
        }
    }

    // ------------------------------------------------------------ waiver

    /// @inheritdoc IRiskEngine
    function proposeWaiver() external onlyIssuer returns (uint256 id) {
        IDeal deal = IDeal(_deal());
        DealStatus status = deal.status();
        if (status != DealStatus.Accelerated) revert NotAccelerated(status);
        Ballot memory b = _ballot;
        if (b.id != 0 && !b.executed && block.timestamp <= b.deadline) revert BallotOpen(b.id, b.deadline);
        id = uint256(b.id) + 1;
        uint64 deadline = uint64(block.timestamp + _config().waiverVotingPeriod);
        _ballot = Ballot({id: uint64(id), deadline: deadline, yes: 0, no: 0, executed: false});
        emit WaiverProposed(id, msg.sender, deadline);
    }

    /// @inheritdoc IRiskEngine
    function voteWaiver(bool support) external {
        Ballot memory b = _ballot;
        if (b.id == 0 || b.executed || block.timestamp > b.deadline) revert NoOpenBallot();
        if (_voted[b.id][msg.sender]) revert AlreadyVoted(b.id, msg.sender);
        (address senior, ) = IDeal(_deal()).trancheContracts(0);
        // Tokens locked until the deadline (or later) voted already: from this wallet, or from a wallet whose position
        // was recovered into it. Deadlines only grow from one ballot to the next.
        if (ITrancheToken(senior).lockedUntil(msg.sender) >= b.deadline) revert AlreadyVoted(b.id, msg.sender);
        _voted[b.id][msg.sender] = true;
        // Locks the voter's balance until the ballot closes, so the same tokens cannot vote twice; a frozen or
        // otherwise restricted holder cannot vote, and frozen tokens carry no weight.
        uint256 weight = ITrancheToken(senior).lockForVote(msg.sender, b.deadline);
        if (weight == 0) revert NoVotingPower(msg.sender);
        if (support) b.yes += uint128(weight);
        else b.no += uint128(weight);
        _ballot = b;
        emit WaiverVoted(b.id, msg.sender, support, weight);
    }

    /// @inheritdoc IRiskEngine
    function executeWaiver() external {
        Ballot memory b = _ballot;
        if (b.id == 0 || block.timestamp > b.deadline) revert NoOpenBallot();
        if (b.executed) revert WaiverAlreadyExecuted(b.id);
        IDeal deal = IDeal(_deal());
        DealStatus status = deal.status();
        if (status != DealStatus.Accelerated) revert NotAccelerated(status);
        (address senior, address offering) = deal.trancheContracts(0);
        // Shares the offering has not delivered yet cannot vote: they do not count.
        uint256 supply = IERC20(senior).totalSupply() - IERC20(senior).balanceOf(offering);
        if (2 * uint256(b.yes) <= supply) revert WaiverNotApproved(b.id, b.yes, supply);
        _ballot.executed = true;

        // Clear every latched trigger and its count; curable triggers keep their state.
        bytes memory args = RiskEngineArgs.args();
        (, uint256 triggerCount) = RiskEngineArgs.decodeConfig(args);
        uint256 state = _triggerState;
        uint256 cleared;
        for (uint256 i; i < triggerCount; ++i) {
            TriggerTerms memory t = RiskEngineArgs.unpackTrigger(RiskEngineArgs.triggerWord(args, i));
            if (!t.cures && state & (uint256(1) << (128 + i)) != 0) {
                cleared |= 1 << i;
                state &= ~(uint256(1) << (128 + i));
                state &= ~(uint256(0xff) << (8 * i));
            }
        }
        _triggerState = state;
        emit WaiverExecuted(b.id, b.yes, b.no, supply, cleared);
        deal.setRiskStatus(_modeOf(args, triggerCount, state >> 128));
    }

    // ------------------------------------------------------------ views

    /// @inheritdoc IRiskEngine
    function config() external view returns (Config memory c) {
        return _config();
    }

    /// @inheritdoc IRiskEngine
    function triggers() public view returns (TriggerTerms[] memory list) {
        bytes memory args = RiskEngineArgs.args();
        (, uint256 count) = RiskEngineArgs.decodeConfig(args);
        list = new TriggerTerms[](count);
        for (uint256 i; i < count; ++i) list[i] = RiskEngineArgs.unpackTrigger(RiskEngineArgs.triggerWord(args, i));
    }

    /// @inheritdoc IRiskEngine
    function triggerStates() public view returns (TriggerState[] memory states) {
        uint256 count = RiskEngineArgs.triggerCount();
        uint256 state = _triggerState;
        states = new TriggerState[](count);
        for (uint256 i; i < count; ++i) {
            states[i] = TriggerState({
                consecutive: (state >> (8 * i)) & 0xff,
                active: state & (uint256(1) << (128 + i)) != 0
            });
        }
    }

    /// @inheritdoc IRiskEngine
    function activeTriggers() external view returns (uint256) {
        return _triggerState >> 128;
    }

    /// @inheritdoc IRiskEngine
    function fleetEntryCount() external view returns (uint256) {
        return _fleetCount;
    }

    /// @inheritdoc IRiskEngine
    function fleetEntry(uint256 id) external view returns (FleetEntry memory) {
        if (id >= _fleetCount) revert UnknownFleetEntry(id);
        Entry storage e = _fleet[id];
        return
            FleetEntry({
                terms: FleetEntryTerms({
                    model: e.model,
                    count: e.count,
                    unitCost: e.unitCost,
                    unitResidual: e.unitResidual,
                    acquiredAt: e.acquiredAt,
                    usefulLife: e.usefulLife,
                    method: e.method,
                    yearlyRate: e.yearlyRate,
                    indexAtAcquisition: e.indexAtAcquisition
                }),
                activeCount: e.activeCount,
                status: e.status
            });
    }

    /// @inheritdoc IRiskEngine
    function collateralValue() public view returns (uint256) {
        return collateralValueAt(block.timestamp);
    }

    /// @inheritdoc IRiskEngine
    function collateralValueAt(uint256 timestamp) public view returns (uint256) {
        Config memory c = _config();
        (uint256 index, , , , ) = _readIndex(c);
        return _fleetValue(timestamp, index, c.appraisalMaxAge) + IDeal(_deal()).recoveries();
    }

    /// @inheritdoc IRiskEngine
    function bookValueAt(uint256 timestamp) public view returns (uint256) {
        return _fleetValue(timestamp, 0, 0);
    }

    /// @inheritdoc IRiskEngine
    function appraisal() external view returns (AppraisalMark memory mark, bool inForce) {
        mark = _appraisal;
        uint256 maxAge = _config().appraisalMaxAge;
        inForce = mark.value != 0 && maxAge != 0 && block.timestamp <= uint256(mark.asOf) + maxAge;
    }

    /// @inheritdoc IRiskEngine
    function ltv() external view returns (uint256) {
        (uint256 notes, , ) = _outstanding();
        return CollateralMath.ltvUp(notes, collateralValue());
    }

    /// @inheritdoc IRiskEngine
    function priceIndex() public view returns (uint256 value, bool live) {
        (value, live, , , ) = _readIndex(_config());
    }

    /// @inheritdoc IRiskEngine
    function ballot() external view returns (Ballot memory) {
        return _ballot;
    }

    /// @inheritdoc IRiskEngine
    function hasVoted(uint256 id, address voter) external view returns (bool) {
        return _voted[id][voter];
    }

    /// @inheritdoc IRiskEngine
    function cleanUpCallable() public view returns (bool) {
        IDeal deal = IDeal(_deal());
        DealStatus status = deal.status();
        if (status != DealStatus.Active && status != DealStatus.CashTrap && status != DealStatus.Accelerated) {
            return false;
        }
        if (block.timestamp >= deal.periodEnd(deal.nextPeriod())) return false;
        return cleanUpQuote().allowed;
    }

    /// @inheritdoc IRiskEngine
    function cleanUpQuote() public view returns (CleanUpQuote memory q) {
        IDeal deal = IDeal(_deal());
        uint256 notes = deal.trancheCount() - 1;
        q.interest = new uint256[](notes);
        uint256 periodStart = deal.periodEnd(deal.nextPeriod()) - deal.periodLength();
        uint256 elapsed = block.timestamp > periodStart ? block.timestamp - periodStart : 0;
        (uint256 trusteeArrears, uint256 servicerArrears) = deal.feeArrears();
        q.payoff = trusteeArrears + servicerArrears;
        // The test applies to the most senior note that was issued (none issued: nothing to call).
        bool seniorFound;
        for (uint256 i; i < notes; ++i) {
            IDeal.TrancheInfo memory t = deal.tranche(i);
            // The notes come first: a deal with an equity waterfall has its other equity classes after them, and
            // the quote's interest has one entry per note.
            if (t.kind == TrancheKind.Equity) {
                uint256[] memory interest = q.interest;
                // solhint-disable-next-line no-inline-assembly
                assembly ("memory-safe") {
                    mstore(interest, i)
                }
                break;
            }
            if (!seniorFound && t.issued != 0) {
                seniorFound = true;
                uint256 bps = _config().cleanUpBps;
                q.seniorOutstanding = t.outstanding;
                q.threshold = Math.mulDiv(t.issued, bps, BPS);
                q.allowed = bps != 0 && t.outstanding <= q.threshold;
            }
            uint256 rate = t.coupon.couponType == CouponType.Fixed ? t.coupon.baseRate : t.coupon.capRate;
            // Interest of `elapsed` seconds, actual/365, rounded down (as every period's interest).
            q.interest[i] = t.arrears + Math.mulDiv(t.outstanding, rate * elapsed, WAD * 365 days);
            q.payoff += q.interest[i] + t.outstanding + t.writtenDown;
        }
        (uint256 reserve_, ) = deal.reserve();
        uint256 held = deal.undistributedCollections() + reserve_ + deal.recoveries();
        q.fromIssuer = q.payoff > held ? q.payoff - held : 0;
    }

    /// @inheritdoc IRiskEngine
    function writtenDown(uint256 tranche) external view returns (uint256 amount, uint256 perToken) {
        IDeal.TrancheInfo memory t = IDeal(_deal()).tranche(tranche);
        amount = t.writtenDown;
        perToken = t.issued == 0 ? 0 : Math.mulDiv(amount, WAD, t.issued);
    }

    /// @inheritdoc IRiskEngine
    function riskSnapshot() external view returns (RiskSnapshot memory s) {
        IDeal deal = IDeal(_deal());
        s.config = _config();
        s.status = deal.status();
        s.collateralValue = collateralValue();
        s.bookValue = bookValueAt(block.timestamp);
        s.recoveries = deal.recoveries();
        (s.priceIndex, s.priceIndexLive) = priceIndex();
        (s.notesOutstanding, s.seniorOutstanding, s.seniorFace) = _outstanding();
        s.ltv = CollateralMath.ltvUp(s.notesOutstanding, s.collateralValue);
        s.seniorCurve = CollateralMath.ltvUp(s.seniorOutstanding, s.collateralValue);
        (s.reserve, s.reserveTarget) = deal.reserve();
        s.reserveLevel = CollateralMath.coverageDown(s.reserve, s.reserveTarget);
        s.cleanUpCallable = cleanUpCallable();
        s.triggers = triggers();
        s.triggerStates = triggerStates();
        s.fleetEntries = _fleetCount;
        s.ballot = _ballot;
    }

    // ------------------------------------------------------------ internals

    function _config() private view returns (Config memory c) {
        (c, ) = RiskEngineArgs.config();
    }

    function _deal() private view returns (address) {
        return RiskEngineArgs.deal();
    }

    /// @dev Note principal outstanding, senior principal outstanding and senior face, from the deal.
    function _outstanding() private view returns (uint256 notes, uint256 senior, uint256 seniorFace) {
        IDeal deal = IDeal(_deal());
        uint256 count = deal.trancheCount();
        for (uint256 i; i + 1 < count; ++i) {
            IDeal.TrancheInfo memory t = deal.tranche(i);
            notes += t.outstanding;
            if (i == 0) (senior, seniorFace) = (t.outstanding, t.issued);
        }
    }
}
