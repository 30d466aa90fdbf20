// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

import {CapacityUnit, OracleTerms} from "../interfaces/ICascadeTypes.sol";
import {IDeal} from "../interfaces/IDeal.sol";
import {IUtilizationOracle} from "../interfaces/IUtilizationOracle.sol";
import {WaterfallMath} from "../libraries/WaterfallMath.sol";
import {WAD} from "../libraries/Constants.sol";
import {PeriodSchedule} from "../libraries/PeriodSchedule.sol";
import {Roles} from "../libraries/Roles.sol";

/// @title UtilizationOracle
/// @notice See {IUtilizationOracle}.
contract UtilizationOracle is IUtilizationOracle, AccessControl, EIP712 {
    bytes32 public constant REGISTRAR_ROLE = Roles.REGISTRAR;
    /// @dev The deal's guardian role (see {Deal}); its holders may dispute reports.
    bytes32 public constant DEAL_GUARDIAN_ROLE = Roles.GUARDIAN;
    bytes32 public constant REPORT_TYPEHASH = keccak256(
        "Report(uint256 chainId,address oracle,address deal,uint64 period,uint32 round,uint64 reporterSet,"
        "uint64 gpuHoursAvailable,uint64 gpuHoursBilled,uint128 revenue,uint64 energyKwh,uint16 pue,uint128 appraisal,"
        "bytes32 reportHash)"
    );
    /// @inheritdoc IUtilizationOracle
    uint256 public constant PUE_SCALE = 10_000;
    /// @inheritdoc IUtilizationOracle
    uint256 public constant MAX_PUE = 30_000;
    uint256 public constant MAX_REPORTERS = 16;
    /// @dev Head and tail marker of a reporter list (see `_nextReporter`); never a reporter.
    address private constant _SENTINEL = address(1);

    /// @dev Per-deal configuration, two slots.
    struct Config {
        // slot a
        bool registered;
        uint8 threshold;
        uint8 reporterCount;
        uint64 setId;
        uint32 disputeWindow;
        uint32 reportDeadline;
        uint32 reporterChangeDelay;
        uint32 fleetGpus;
        CapacityUnit unit;
        // slot b
        uint64 start;
        uint32 periodLength;
        uint16 periodCount;
        uint64 maxPricePerGpuHour;
        uint64 maxUtilizationStep;
    }

    /// @dev Reporter sets have ids unique across deals, so a signature names exactly one deal's set.
    uint64 private _lastSetId;
    mapping(uint64 setId => address deal) private _setDeal;
    /// @dev Each reporter set is stored once, as a linked list in the order it was given: `[setId][_SENTINEL]` is
    /// the first member, each member points to the next one and the last to `_SENTINEL`. A non-zero entry is a member.
    mapping(uint64 setId => mapping(address reporter => address next)) private _nextReporter;
    mapping(address deal => Config) private _configs;
    mapping(address deal => ReporterChange) private _pendingChanges;
    mapping(address deal => mapping(uint256 period => PeriodReport)) private _reports;

    constructor(address admin) EIP712("Cascade Utilization Oracle", "1") {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    // ------------------------------------------------------------ registration and reporter sets

    /// @inheritdoc IUtilizationOracle
    function registerDeal(address deal, OracleTerms calldata t) external onlyRole(REGISTRAR_ROLE) {
        Config storage cfg = _configs[deal];
        if (cfg.registered) revert DealAlreadyRegistered(deal);
        if (t.disputeWindow == 0) revert InvalidOracleTerms(OracleTermsField.DisputeWindow);
        if (t.reportDeadline <= t.disputeWindow) revert InvalidOracleTerms(OracleTermsField.ReportDeadline);
        if (t.reporterChangeDelay == 0) revert InvalidOracleTerms(OracleTermsField.ReporterChangeDelay);
        if (t.fleetGpus == 0) revert InvalidOracleTerms(OracleTermsField.FleetGpus);
        if (t.maxPricePerGpuHour == 0) revert InvalidOracleTerms(OracleTermsField.MaxPricePerGpuHour);
        if (t.maxUtilizationStep == 0 || t.maxUtilizationStep > WAD) {
            revert InvalidOracleTerms(OracleTermsField.MaxUtilizationStep);
        }
        cfg.registered = true;
        cfg.disputeWindow = t.disputeWindow;
        cfg.reportDeadline = t.reportDeadline;
        cfg.reporterChangeDelay = t.reporterChangeDelay;
        cfg.fleetGpus = t.fleetGpus;
        cfg.unit = t.unit;
        cfg.start = IDeal(deal).start();
        cfg.periodLength = IDeal(deal).periodLength();
        cfg.periodCount = uint16(IDeal(deal).periodCount());
        cfg.maxPricePerGpuHour = t.maxPricePerGpuHour;
        cfg.maxUtilizationStep = t.maxUtilizationStep;
        cfg.unit = t.unit;
        emit DealRegistered(deal, msg.sender, t);
        _setReporters(deal, cfg, t.reporters, t.threshold);
    }

    /// @inheritdoc IUtilizationOracle
    function proposeReporters(address deal, address[] calldata reporters_, uint256 threshold_) external {
        Config storage cfg = _registered(deal);
        if (!IAccessControl(deal).hasRole(bytes32(0), msg.sender)) revert NotDealAdmin(deal, msg.sender);
        _checkSet(reporters_, threshold_);
        uint64 eta = uint64(block.timestamp) + cfg.reporterChangeDelay;
        _pendingChanges[deal] = ReporterChange({reporters: reporters_, threshold: uint8(threshold_), eta: eta});
        emit ReporterChangeProposed(deal, reporters_, threshold_, eta);
    }

    /// @inheritdoc IUtilizationOracle
    function applyReporters(address deal) external {
        Config storage cfg = _registered(deal);
        ReporterChange memory change = _pendingChanges[deal];
        if (change.eta == 0) revert NoReporterChangePending(deal);
        if (block.timestamp < change.eta) revert ReporterChangeNotReady(deal, change.eta);
        delete _pendingChanges[deal];
        _setReporters(deal, cfg, change.reporters, change.threshold);
    }

    /// @inheritdoc IUtilizationOracle
    function cancelReporters(address deal) external {
        _registered(deal);
        if (
            !IAccessControl(deal).hasRole(bytes32(0), msg.sender) &&
            !IAccessControl(deal).hasRole(DEAL_GUARDIAN_ROLE, msg.sender)
        ) revert NotDealAdmin(deal, msg.sender);
        if (_pendingChanges[deal].eta == 0) revert NoReporterChangePending(deal);
        delete _pendingChanges[deal];
        emit ReporterChangeCancelled(deal, msg.sender);
    }

    /// @dev A set of at most 16 distinct non-zero reporters and a threshold in [1, count]; checked when a change is
    /// proposed and again when a set is put in force.
    function _checkSet(address[] memory reporters_, uint256 threshold_) private pure {
        uint256 count = reporters_.length;
        if (count > MAX_REPORTERS) revert TooManyReporters(count, MAX_REPORTERS);
        if (threshold_ == 0 || threshold_ > count) revert InvalidThreshold(threshold_, count);
        for (uint256 i; i < count; ++i) {
            address reporter = reporters_[i];
            if (reporter == address(0) || reporter == _SENTINEL) revert InvalidReporter(reporter);
            // Quadratic in a set of at most 16.
            for (uint256 j; j < i; ++j) {
                if (reporters_[j] == reporter) revert InvalidReporter(reporter);
            }
        }
    }

    function _setReporters(address deal, Config storage cfg, address[] memory reporters_, uint256 threshold_) private {
        _checkSet(reporters_, threshold_);
        uint64 setId = ++_lastSetId;
        mapping(address => address) storage next = _nextReporter[setId];
        uint256 count = reporters_.length;
        address previous = _SENTINEL;
        for (uint256 i; i < count; ++i) {
            address reporter = reporters_[i];
            next[previous] = reporter;
            previous = reporter;
        }
        next[previous] = _SENTINEL;
        _setDeal[setId] = deal;
        cfg.setId = setId;
        cfg.threshold = uint8(threshold_);
        cfg.reporterCount = uint8(count);
        emit ReportersSet(deal, setId, reporters_, threshold_);
    }

    // ------------------------------------------------------------ reports

    /// @inheritdoc IUtilizationOracle
    function submitReport(Report calldata r, address[] calldata signers, bytes[] calldata signatures) external {
        address deal = r.deal;
        Config memory cfg = _registeredMemory(deal);
        uint64 endsAt = _checkBinding(r, cfg);
        PeriodReport storage stored = _reports[deal][r.period];
        _checkRound(r, stored);
        // From the deadline on, the period may be marked unreported (keepers treat it as distributable): a report
        // arriving then would hold it back for another dispute window.
        uint64 deadline = _deadlineFrom(endsAt, cfg, stored);
        if (block.timestamp >= deadline) revert ReportDeadlinePassed(deal, r.period, deadline);
        uint256 step = _checkBounds(r, cfg);

        uint256 count = signers.length;
        if (count != signatures.length) revert SignatureCountMismatch(count, signatures.length);
        if (count < cfg.threshold) revert InsufficientSignatures(count, cfg.threshold);
        if (step > cfg.maxUtilizationStep && count < cfg.reporterCount) {
            revert UtilizationStepNeedsAllReporters(step, cfg.maxUtilizationStep, count, cfg.reporterCount);
        }
        _checkSignatures(deal, cfg.setId, hashReport(r), signers, signatures);

        _propose(r, stored, signers, uint64(block.timestamp) + cfg.disputeWindow);
    }

    function _propose(
        Report calldata r,
        PeriodReport storage stored,
        address[] calldata signers,
        uint64 finalAt
    ) private {
        stored.gpuHoursAvailable = r.gpuHoursAvailable;
        stored.gpuHoursBilled = r.gpuHoursBilled;
        stored.revenue = r.revenue;
        stored.proposedAt = uint64(block.timestamp);
        stored.state = ReportState.Pending;
        stored.energyKwh = r.energyKwh;
        stored.pue = r.pue;
        // A round opens with its appraisal zero (a dispute clears it): a report without one writes nothing.
        if (r.appraisal != 0) stored.appraisal = r.appraisal;
        emit ReportProposed(
            r.deal,
            r.period,
            r.round,
            r.gpuHoursAvailable,
            r.gpuHoursBilled,
            r.revenue,
            r.reportHash,
            signers,
            finalAt
        );
        if (r.energyKwh != 0 || r.appraisal != 0) {
            emit ReportFacilityProposed(r.deal, r.period, r.round, r.energyKwh, r.pue, r.appraisal);
        }
    }

    /// @dev Chain, oracle deployment, deal and reporter set the signature is bound to; period range and end (returned).
    function _checkBinding(Report calldata r, Config memory cfg) private view returns (uint64 endsAt) {
        if (r.chainId != block.chainid) revert ReportWrongChain(r.chainId, block.chainid);
        if (r.oracle != address(this)) revert ReportStaleDomain(r.oracle, address(this));
        if (r.reporterSet != cfg.setId) {
            address setDeal = _setDeal[r.reporterSet];
            if (setDeal != r.deal) revert ReportCrossDeal(r.deal, setDeal, r.reporterSet);
            revert ReportStaleReporterSet(r.reporterSet, cfg.setId);
        }
        if (r.period >= cfg.periodCount) revert ReportPeriodOutOfRange(r.deal, r.period, cfg.periodCount);
        endsAt = _periodEnd(cfg, r.period);
        if (block.timestamp < endsAt) revert ReportPeriodNotEnded(r.deal, r.period, endsAt);
    }

    /// @dev Rounds open one at a time: a disputed round's signatures are replays; a pending round takes no other.
    function _checkRound(Report calldata r, PeriodReport storage stored) private view {
        ReportState state = stored.state;
        if (state == ReportState.Unreported) revert ReportPeriodUnreported(r.deal, r.period);
        uint32 current = stored.round;
        if (r.round < current) revert ReportReplayed(r.deal, r.period, r.round, current);
        if (r.round > current) revert ReportRoundNotOpen(r.round, current);
        if (state != ReportState.None) revert ReportAlreadyProposed(r.deal, r.period, r.round);
    }

    /// @dev Physical and commercial bounds; returns the largest utilization step from the reports of the periods
    /// before and after (reports may arrive out of order, so both neighbours count).
    function _checkBounds(Report calldata r, Config memory cfg) private view returns (uint256 step) {
        if (r.gpuHoursBilled > r.gpuHoursAvailable)
            revert BilledExceedsAvailable(r.gpuHoursBilled, r.gpuHoursAvailable);
        uint256 maxAvailable = PeriodSchedule.capacityOf(cfg.fleetGpus, cfg.periodLength);
        if (r.gpuHoursAvailable > maxAvailable) revert AvailableExceedsFleet(r.gpuHoursAvailable, maxAvailable);
        uint256 maxRevenue = uint256(r.gpuHoursBilled) * cfg.maxPricePerGpuHour;
        if (r.revenue > maxRevenue) revert RevenueExceedsBound(r.revenue, maxRevenue);
        if (r.energyKwh != 0 || r.pue != 0 || cfg.unit == CapacityUnit.KilowattHours) {
            _checkFacility(r, cfg.unit, maxAvailable);
        }
        uint256 u = WaterfallMath.utilizationDown(r.gpuHoursAvailable, r.gpuHoursBilled);
        if (r.period != 0) step = _stepFrom(_reports[r.deal][r.period - 1], u);
        if (r.period + 1 < cfg.periodCount) {
            uint256 stepToNext = _stepFrom(_reports[r.deal][r.period + 1], u);
            if (stepToNext > step) step = stepToNext;
        }
    }

    /// @dev Energy and PUE come together, PUE in [1.0, 3.0]; a kWh deal's report that bills capacity states them, and
    /// its IT energy (energy / PUE) fits the site's IT capacity over the period (`maxAvailable` kWh).
    function _checkFacility(Report calldata r, CapacityUnit unit, uint256 maxAvailable) private pure {
        uint256 energy = r.energyKwh;
        uint256 pue = r.pue;
        if ((energy == 0) != (pue == 0)) revert EnergyPueMismatch(energy, pue);
        if (unit == CapacityUnit.KilowattHours && energy == 0 && r.gpuHoursBilled != 0) {
            revert EnergyNotReported(r.gpuHoursBilled);
        }
        if (energy == 0) return;
        if (pue < PUE_SCALE || pue > MAX_PUE) revert PueOutOfRange(pue, PUE_SCALE, MAX_PUE);
        if (unit == CapacityUnit.KilowattHours) {
            // ⌈energy / PUE⌉ > maxAvailable exactly when energy × scale > maxAvailable × PUE: the bound is exact.
            uint256 itEnergy = Math.ceilDiv(energy * PUE_SCALE, pue);
            if (itEnergy > maxAvailable) revert ItEnergyExceedsCapacity(itEnergy, maxAvailable);
        }
    }

    /// @dev |u − U(neighbour)| when the neighbour holds a pending or final report, else 0.
    function _stepFrom(PeriodReport storage neighbour, uint256 u) private view returns (uint256) {
        ReportState state = neighbour.state;
        if (state != ReportState.Pending && state != ReportState.Final) return 0;
        uint256 other = WaterfallMath.utilizationDown(neighbour.gpuHoursAvailable, neighbour.gpuHoursBilled);
        return u > other ? u - other : other - u;
    }

    /// @dev Each signer must be a distinct member of the deal's reporter set (strictly ascending order rules out
    /// duplicates in O(M)) with a valid ECDSA or ERC-1271 signature over `digest`.
    function _checkSignatures(
        address deal,
        uint64 setId,
        bytes32 digest,
        address[] calldata signers,
        bytes[] calldata signatures
    ) private view {
        mapping(address => address) storage members = _nextReporter[setId];
        address previous;
        for (uint256 i; i < signers.length; ++i) {
            address signer = signers[i];
            if (signer <= previous) revert SignersNotAscending(i);
            // The sentinel's entry is the list's head, not a membership (and the sentinel cannot sign).
            if (signer == _SENTINEL || members[signer] == address(0)) revert NotReporter(deal, signer);
            if (!SignatureChecker.isValidSignatureNow(signer, digest, signatures[i])) revert InvalidSignature(signer);
            previous = signer;
        }
    }

    /// @inheritdoc IUtilizationOracle
    function dispute(address deal, uint256 period, bytes32 reason) external {
        Config storage cfg = _registered(deal);
        if (!_isMember(cfg.setId, msg.sender) && !IAccessControl(deal).hasRole(DEAL_GUARDIAN_ROLE, msg.sender)) {
            revert NotDisputer(deal, msg.sender);
        }
        PeriodReport storage stored = _reports[deal][period];
        if (stored.state != ReportState.Pending) revert NoPendingReport(deal, period);
        uint64 closesAt = stored.proposedAt + cfg.disputeWindow;
        if (block.timestamp >= closesAt) revert DisputeWindowClosed(deal, period, closesAt);
        uint32 round = stored.round;
        _reports[deal][period] = PeriodReport({
            gpuHoursAvailable: 0,
            gpuHoursBilled: 0,
            revenue: 0,
            proposedAt: 0,
            round: round + 1,
            state: ReportState.None,
            disputedAt: uint64(block.timestamp),
            energyKwh: 0,
            pue: 0,
            appraisal: 0
        });
        emit ReportDisputed(deal, period, round, msg.sender, reason);
    }

    /// @inheritdoc IUtilizationOracle
    function markUnreported(address deal, uint256 period) external {
        Config storage cfg = _registered(deal);
        if (period >= cfg.periodCount) revert ReportPeriodOutOfRange(deal, period, cfg.periodCount);
        PeriodReport storage stored = _reports[deal][period];
        ReportState state = _stateOf(stored, cfg.disputeWindow);
        if (state == ReportState.Unreported) revert ReportPeriodUnreported(deal, period);
        if (state != ReportState.None) revert ReportAlreadyProposed(deal, period, stored.round);
        uint64 deadline = _deadline(cfg, stored, period);
        if (block.timestamp < deadline) revert ReportDeadlineNotReached(deal, period, deadline);
        stored.state = ReportState.Unreported;
        emit PeriodUnreported(deal, period, msg.sender);
    }

    /// @inheritdoc IUtilizationOracle
    function finalize(
        address deal,
        uint256 period
    ) external returns (bool reported, uint256 gpuHoursAvailable, uint256 gpuHoursBilled, uint256 revenue) {
        return _resolve(deal, period, true);
    }

    /// @inheritdoc IUtilizationOracle
    function resolve(
        address deal,
        uint256 period
    ) external returns (bool reported, uint256 gpuHoursAvailable, uint256 gpuHoursBilled, uint256 revenue) {
        return _resolve(deal, period, false);
    }

    /// @dev {finalize} (`record`: a pending report past its dispute window is written final, with its event) and
    /// {resolve}.
    function _resolve(
        address deal,
        uint256 period,
        bool record
    ) private returns (bool reported, uint256 gpuHoursAvailable, uint256 gpuHoursBilled, uint256 revenue) {
        Config storage cfg = _registered(deal);
        PeriodReport storage stored = _reports[deal][period];
        ReportState state = _stateOf(stored, cfg.disputeWindow);
        if (state == ReportState.Final && stored.state == ReportState.Pending) {
            if (record) {
                stored.state = ReportState.Final;
                emit ReportFinalized(deal, period, stored.round);
            }
        } else if (
            state == ReportState.None && period < cfg.periodCount && block.timestamp >= _deadline(cfg, stored, period)
        ) {
            state = ReportState.Unreported;
            stored.state = ReportState.Unreported;
            emit PeriodUnreported(deal, period, msg.sender);
        }
        return _outcome(deal, period, stored, state);
    }

    // ------------------------------------------------------------ views

    /// @inheritdoc IUtilizationOracle
    function hashReport(Report calldata r) public view returns (bytes32) {
        return
            _hashTypedDataV4(
                keccak256(
                    abi.encode(
                        REPORT_TYPEHASH,
                        r.chainId,
                        r.oracle,
                        r.deal,
                        r.period,
                        r.round,
                        r.reporterSet,
                        r.gpuHoursAvailable,
                        r.gpuHoursBilled,
                        r.revenue,
                        r.energyKwh,
                        r.pue,
                        r.appraisal,
                        r.reportHash
                    )
                )
            );
    }

    /// @inheritdoc IUtilizationOracle
    function facilityOutcome(
        address deal,
        uint256 period
    ) external view returns (uint256 energyKwh, uint256 pue, uint256 appraisal) {
        PeriodReport storage stored = _reports[deal][period];
        if (_stateOf(stored, _configs[deal].disputeWindow) != ReportState.Final) return (0, 0, 0);
        return (stored.energyKwh, stored.pue, stored.appraisal);
    }

    /// @inheritdoc IUtilizationOracle
    function getReport(address deal, uint256 period) external view returns (PeriodReport memory report) {
        report = _reports[deal][period];
        report.state = _stateOf(_reports[deal][period], _configs[deal].disputeWindow);
    }

    /// @inheritdoc IUtilizationOracle
    function reportState(address deal, uint256 period) external view returns (ReportState) {
        return _stateOf(_reports[deal][period], _configs[deal].disputeWindow);
    }

    /// @inheritdoc IUtilizationOracle
    function periodOutcome(
        address deal,
        uint256 period
    ) external view returns (bool reported, uint256 gpuHoursAvailable, uint256 gpuHoursBilled, uint256 revenue) {
        PeriodReport storage stored = _reports[deal][period];
        return _outcome(deal, period, stored, _stateOf(stored, _configs[deal].disputeWindow));
    }

    /// @inheritdoc IUtilizationOracle
    function reportDeadline(address deal, uint256 period) external view returns (uint64) {
        return _deadline(_configs[deal], _reports[deal][period], period);
    }

    /// @inheritdoc IUtilizationOracle
    function terms(address deal) external view returns (OracleTerms memory t) {
        Config storage cfg = _configs[deal];
        t.reporters = _reportersOf(cfg);
        t.threshold = cfg.threshold;
        t.disputeWindow = cfg.disputeWindow;
        t.reportDeadline = cfg.reportDeadline;
        t.reporterChangeDelay = cfg.reporterChangeDelay;
        t.fleetGpus = cfg.fleetGpus;
        t.unit = cfg.unit;
        t.maxPricePerGpuHour = cfg.maxPricePerGpuHour;
        t.maxUtilizationStep = cfg.maxUtilizationStep;
        t.unit = cfg.unit;
    }

    /// @inheritdoc IUtilizationOracle
    function reporters(address deal) external view returns (address[] memory) {
        return _reportersOf(_configs[deal]);
    }

    /// @inheritdoc IUtilizationOracle
    function threshold(address deal) external view returns (uint256) {
        return _configs[deal].threshold;
    }

    /// @inheritdoc IUtilizationOracle
    function reporterSet(address deal) external view returns (uint64) {
        return _configs[deal].setId;
    }

    /// @inheritdoc IUtilizationOracle
    function isReporter(address deal, address account) external view returns (bool) {
        return _isMember(_configs[deal].setId, account);
    }

    /// @inheritdoc IUtilizationOracle
    function pendingReporterChange(address deal) external view returns (ReporterChange memory) {
        return _pendingChanges[deal];
    }

    // ------------------------------------------------------------ internals

    function _isMember(uint64 setId, address account) private view returns (bool) {
        return account != _SENTINEL && _nextReporter[setId][account] != address(0);
    }

    /// @dev The deal's reporters in force, in the order they were set (none for an unregistered deal).
    function _reportersOf(Config storage cfg) private view returns (address[] memory list) {
        mapping(address => address) storage next = _nextReporter[cfg.setId];
        list = new address[](cfg.reporterCount);
        address reporter = _SENTINEL;
        for (uint256 i; i < list.length; ++i) {
            reporter = next[reporter];
            list[i] = reporter;
        }
    }

    function _registered(address deal) private view returns (Config storage cfg) {
        cfg = _configs[deal];
        if (!cfg.registered) revert DealNotRegistered(deal);
    }

    function _registeredMemory(address deal) private view returns (Config memory cfg) {
        cfg = _configs[deal];
        if (!cfg.registered) revert DealNotRegistered(deal);
    }

    function _stateOf(PeriodReport storage stored, uint32 disputeWindow) private view returns (ReportState) {
        ReportState state = stored.state;
        if (state == ReportState.Pending && block.timestamp >= uint256(stored.proposedAt) + disputeWindow) {
            return ReportState.Final;
        }
        return state;
    }

    function _outcome(
        address deal,
        uint256 period,
        PeriodReport storage stored,
        ReportState state
    ) private view returns (bool reported, uint256 gpuHoursAvailable, uint256 gpuHoursBilled, uint256 revenue) {
        if (state == ReportState.Unreported) return (false, 0, 0, 0);
        if (state != ReportState.Final) revert ReportNotFinal(deal, period);
        return (true, stored.gpuHoursAvailable, stored.gpuHoursBilled, stored.revenue);
    }

    /// @dev Period end + report deadline, extended to one dispute window after the last dispute.
    function _deadline(Config memory cfg, PeriodReport storage stored, uint256 period) private view returns (uint64) {
        return _deadlineFrom(_periodEnd(cfg, period), cfg, stored);
    }

    /// @dev {_deadline} of a period ending at `endsAt`.
    function _deadlineFrom(
        uint64 endsAt,
        Config memory cfg,
        PeriodReport storage stored
    ) private view returns (uint64 deadline) {
        deadline = endsAt + cfg.reportDeadline;
        uint64 disputedAt = stored.disputedAt;
        if (disputedAt != 0 && disputedAt + cfg.disputeWindow > deadline) deadline = disputedAt + cfg.disputeWindow;
    }

    function _periodEnd(Config memory cfg, uint256 period) private pure returns (uint64) {
        return PeriodSchedule.endOf(cfg.start, cfg.periodLength, period);
    }
}
