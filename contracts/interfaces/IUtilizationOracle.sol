// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {OracleTerms} from "./ICascadeTypes.sol";

/// @title IUtilizationOracle
/// @notice Quorum oracle for GPU utilization reports, one instance for every deal of a factory, each deal with its
/// own reporters and bounds (see {OracleTerms}).
///
/// A report for period p of a deal states capacity available and billed in the deal's unit (GPU-hours, or kWh of IT
/// load for a data-center deal; U = billed / available), revenue in stablecoin units, the facility energy drawn (kWh),
/// its power usage effectiveness (PUE, facility energy / IT energy, × {PUE_SCALE}), an appraisal of the deal's
/// collateral (stablecoin units; 0: none) and the hash of the servicer's off-chain report. Reporters sign its EIP-712
/// digest (domain: this contract on this chain). The signed struct also names the chain id, this oracle, the deal's
/// reporter set and the report round, so a signature made for another chain, another oracle deployment, another deal,
/// an older reporter set or a voided round is refused with its own error before any signature is checked.
///
/// Lifecycle of a period: None → Pending (a quorum report was accepted) → Final once the dispute window has passed.
/// A reporter of the deal or the deal's guardian may dispute a pending report: it is void, the round number rises and
/// the period needs a new quorum report. A report must be submitted before the period's report deadline (its end +
/// `reportDeadline`, extended to one dispute window after a dispute); from the deadline on, a period with nothing
/// final or pending takes no report and anyone may mark it Unreported, which is final too.
/// @dev Warning: reporters may be EOAs or ERC-1271 contracts (e.g. a Safe); a contract reporter's
/// `isValidSignature` is trusted as its signature.
interface IUtilizationOracle {
    /// @notice What reporters sign. `gpuHoursAvailable` and `gpuHoursBilled` count the deal's capacity unit
    /// ({OracleTerms.unit}: GPU-hours, or kWh of IT load). `energyKwh`: facility energy drawn in the period (kWh);
    /// `pue`: facility energy / IT energy × {PUE_SCALE} (13 500 = 1.35); both zero when not reported, both non-zero
    /// when reported. `appraisal`: value of the deal's whole collateral in stablecoin units, as of the period's end,
    /// from an appraisal the reporters attest (0: no new appraisal).
    struct Report {
        uint256 chainId;
        address oracle;
        address deal;
        uint64 period;
        uint32 round;
        uint64 reporterSet;
        uint64 gpuHoursAvailable;
        uint64 gpuHoursBilled;
        uint128 revenue;
        uint64 energyKwh;
        uint16 pue;
        uint128 appraisal;
        bytes32 reportHash;
    }

    /// @notice State of a period's report.
    enum ReportState {
        None,
        Pending,
        Final,
        Unreported
    }

    /// @notice Fields of {OracleTerms} that can be refused.
    enum OracleTermsField {
        DisputeWindow,
        ReportDeadline,
        ReporterChangeDelay,
        FleetGpus,
        MaxPricePerGpuHour,
        MaxUtilizationStep
    }

    /// @notice A period's report as stored ({Report}'s figures).
    /// `disputedAt` is the time of the last dispute of the period (0 if none).
    struct PeriodReport {
        uint64 gpuHoursAvailable;
        uint64 gpuHoursBilled;
        uint128 revenue;
        uint64 proposedAt;
        uint32 round;
        ReportState state;
        uint64 disputedAt;
        uint64 energyKwh;
        uint16 pue;
        uint128 appraisal;
    }

    /// @notice A proposed change of a deal's reporter set.
    struct ReporterChange {
        address[] reporters;
        uint8 threshold;
        uint64 eta;
    }

    // ---------------------------------------------------------------- events

    /// @notice `deal` was registered by `registrar` with the given terms.
    event DealRegistered(address indexed deal, address indexed registrar, OracleTerms terms);

    /// @notice Reporter set `setId` of `deal` is now in force: `reporters` with quorum `threshold`.
    event ReportersSet(address indexed deal, uint256 indexed setId, address[] reporters, uint256 threshold);

    /// @notice A change of the reporter set of `deal` was proposed; it may be applied from `eta`.
    event ReporterChangeProposed(address indexed deal, address[] reporters, uint256 threshold, uint64 eta);

    /// @notice A proposed change of the reporter set of `deal` was cancelled by `by`.
    event ReporterChangeCancelled(address indexed deal, address indexed by);

    /// @notice A quorum report of `deal` for `period` was accepted in `round`; it is final from `finalAt`. Its energy,
    /// PUE and appraisal are in {ReportFacilityProposed}, emitted with it when any of them is non-zero.
    event ReportProposed(
        address indexed deal,
        uint256 indexed period,
        uint256 round,
        uint256 gpuHoursAvailable,
        uint256 gpuHoursBilled,
        uint256 revenue,
        bytes32 reportHash,
        address[] signers,
        uint64 finalAt
    );

    /// @notice The report of `deal` for `period` accepted in `round` (its {ReportProposed}) states facility energy
    /// `energyKwh` (kWh), PUE `pue` (× {PUE_SCALE}) and collateral appraisal `appraisal` (stablecoin units; 0: none).
    /// Emitted only when one of them is non-zero; otherwise all three are zero.
    event ReportFacilityProposed(
        address indexed deal,
        uint256 indexed period,
        uint256 round,
        uint256 energyKwh,
        uint256 pue,
        uint256 appraisal
    );

    /// @notice `by` disputed the pending report of `deal` for `period`; it is void and round `round` + 1 is open.
    event ReportDisputed(
        address indexed deal,
        uint256 indexed period,
        uint256 round,
        address indexed by,
        bytes32 reason
    );

    /// @notice The report of `deal` for `period` became final. Finality depends only on time; this event is emitted
    /// by {finalize}, which the deal calls before it distributes the period.
    event ReportFinalized(address indexed deal, uint256 indexed period, uint256 round);

    /// @notice No report of `deal` for `period` was final by the deadline; `by` marked the period unreported.
    event PeriodUnreported(address indexed deal, uint256 indexed period, address indexed by);

    // ---------------------------------------------------------------- errors

    error DealNotRegistered(address deal);
    error DealAlreadyRegistered(address deal);
    error NotDealAdmin(address deal, address caller);
    error NotDisputer(address deal, address caller);
    /// @notice A reporter set names the zero address, address(1) (the end marker of stored sets) or a reporter twice.
    error InvalidReporter(address reporter);
    error InvalidThreshold(uint256 threshold, uint256 reporterCount);
    error TooManyReporters(uint256 count, uint256 max);
    error InvalidOracleTerms(OracleTermsField field);
    error NoReporterChangePending(address deal);
    error ReporterChangeNotReady(address deal, uint64 eta);

    /// @notice The report was signed for chain `chainId`, not this one.
    error ReportWrongChain(uint256 chainId, uint256 expected);
    /// @notice The report was signed for another oracle deployment (a stale domain).
    error ReportStaleDomain(address oracle, address expected);
    /// @notice The report names reporter set `reporterSet`, which belongs to `setDeal`, not to `deal`.
    error ReportCrossDeal(address deal, address setDeal, uint256 reporterSet);
    /// @notice The report was signed for an older reporter set of the deal.
    error ReportStaleReporterSet(uint256 reporterSet, uint256 current);
    /// @notice The report's round was voided by a dispute: its signatures cannot be used again.
    error ReportReplayed(address deal, uint256 period, uint256 round, uint256 currentRound);
    /// @notice The report names a round that is not open yet.
    error ReportRoundNotOpen(uint256 round, uint256 currentRound);
    /// @notice A report of this round is pending or final already.
    error ReportAlreadyProposed(address deal, uint256 period, uint256 round);
    /// @notice The period was marked unreported; it takes no report.
    error ReportPeriodUnreported(address deal, uint256 period);
    error ReportPeriodNotEnded(address deal, uint256 period, uint64 endsAt);
    error ReportPeriodOutOfRange(address deal, uint256 period, uint256 periodCount);
    error BilledExceedsAvailable(uint256 billed, uint256 available);
    error AvailableExceedsFleet(uint256 available, uint256 maxAvailable);
    error RevenueExceedsBound(uint256 revenue, uint256 maxRevenue);
    /// @notice A reported PUE (× {PUE_SCALE}) must lie in [`min`, `max`] (1.0 to 3.0).
    error PueOutOfRange(uint256 pue, uint256 min, uint256 max);
    /// @notice Energy and PUE are reported together or not at all: one of them is zero and the other is not.
    error EnergyPueMismatch(uint256 energyKwh, uint256 pue);
    /// @notice A kWh deal's report that bills capacity must state the facility's energy and PUE.
    error EnergyNotReported(uint256 billed);
    /// @notice The IT energy of a kWh deal's report (energy / PUE, kWh, rounded up) exceeds the site's IT capacity
    /// over the period (`maxAvailable` kWh).
    error ItEnergyExceedsCapacity(uint256 itEnergyKwh, uint256 maxAvailable);
    /// @notice Utilization moved by `step` (WAD) from the previous period, more than `maxStep`: every reporter must
    /// sign.
    error UtilizationStepNeedsAllReporters(uint256 step, uint256 maxStep, uint256 signatures, uint256 reporters);
    error SignatureCountMismatch(uint256 signers, uint256 signatures);
    error InsufficientSignatures(uint256 count, uint256 threshold);
    error SignersNotAscending(uint256 index);
    error NotReporter(address deal, address signer);
    error InvalidSignature(address signer);
    error NoPendingReport(address deal, uint256 period);
    error DisputeWindowClosed(address deal, uint256 period, uint64 closedAt);
    error ReportDeadlineNotReached(address deal, uint256 period, uint64 deadline);
    /// @notice The period's report deadline (see {reportDeadline}) passed at `deadline`: the period takes no report
    /// (it may be marked unreported), so a late report cannot hold back a period keepers may already distribute.
    error ReportDeadlinePassed(address deal, uint256 period, uint64 deadline);
    error ReportNotFinal(address deal, uint256 period);

    // ---------------------------------------------------------------- actions

    /// @notice Registers `deal` (already initialized) with its oracle terms. Registrar role (the factory) only.
    function registerDeal(address deal, OracleTerms calldata terms) external;

    /// @notice The deal's issuer admin proposes a new reporter set; it may be applied after the deal's delay.
    function proposeReporters(address deal, address[] calldata reporters, uint256 threshold) external;

    /// @notice Anyone applies a proposed reporter set once its delay has passed.
    function applyReporters(address deal) external;

    /// @notice The deal's issuer admin or guardian cancels a proposed reporter set.
    function cancelReporters(address deal) external;

    /// @notice Submits a report with `signatures[i]` by `signers[i]`, signers in strictly ascending order, before the
    /// period's report deadline ({ReportDeadlinePassed} from it on).
    function submitReport(Report calldata report, address[] calldata signers, bytes[] calldata signatures) external;

    /// @notice A reporter of the deal or its guardian voids the pending report of `period` within the dispute window.
    function dispute(address deal, uint256 period, bytes32 reason) external;

    /// @notice Marks `period` unreported once its deadline has passed with no report final or pending.
    function markUnreported(address deal, uint256 period) external;

    /// @notice Records that the pending report of `period` became final, or marks the period unreported when its
    /// deadline has passed with nothing final or pending (anyone; idempotent), and returns the outcome the waterfall
    /// uses. Reverts {ReportNotFinal} unless the period is then Final or Unreported.
    function finalize(
        address deal,
        uint256 period
    ) external returns (bool reported, uint256 gpuHoursAvailable, uint256 gpuHoursBilled, uint256 revenue);

    /// @notice {finalize} without recording finality: a pending report past its dispute window is final by time
    /// alone (every view reports it so) and stays stored as proposed. What a deal calls when it distributes; a period
    /// past its deadline with nothing final or pending is still marked unreported. Reverts {ReportNotFinal} unless
    /// the period is then Final or Unreported.
    function resolve(
        address deal,
        uint256 period
    ) external returns (bool reported, uint256 gpuHoursAvailable, uint256 gpuHoursBilled, uint256 revenue);

    // ---------------------------------------------------------------- views

    /// @notice EIP-712 digest reporters sign for `report`.
    function hashReport(Report calldata report) external view returns (bytes32);

    /// @notice The energy (kWh), PUE (× {PUE_SCALE}) and appraisal (stablecoin units) of the final report of `deal`
    /// for `period`; all zero unless the period's report is final (pending, disputed, unreported or none). What the
    /// deal's risk engine reads for its PUE covenant and appraisal marks.
    function facilityOutcome(
        address deal,
        uint256 period
    ) external view returns (uint256 energyKwh, uint256 pue, uint256 appraisal);

    /// @notice PUE scale: a report's `pue` is facility energy / IT energy × 10 000.
    function PUE_SCALE() external view returns (uint256);

    /// @notice Highest PUE a report may state (× {PUE_SCALE}): 30 000, a PUE of 3.0; the lowest is {PUE_SCALE} (1.0).
    function MAX_PUE() external view returns (uint256);

    /// @notice The stored report of `deal` for `period` and its current state.
    function getReport(address deal, uint256 period) external view returns (PeriodReport memory);

    /// @notice State of the report of `deal` for `period`.
    function reportState(address deal, uint256 period) external view returns (ReportState);

    /// @notice The outcome the deal's waterfall uses: reverts {ReportNotFinal} unless the period is Final or
    /// Unreported.
    function periodOutcome(
        address deal,
        uint256 period
    ) external view returns (bool reported, uint256 gpuHoursAvailable, uint256 gpuHoursBilled, uint256 revenue);

    /// @notice When `period` stops taking reports and may be marked unreported: its end + the report deadline, or,
    /// after a dispute, one dispute window after the dispute if that is later (so a single disputer cannot turn a late
    /// quorum report into a missed one: the reporters get a window to submit a new round).
    function reportDeadline(address deal, uint256 period) external view returns (uint64);

    function terms(address deal) external view returns (OracleTerms memory);

    function reporters(address deal) external view returns (address[] memory);

    function threshold(address deal) external view returns (uint256);

    /// @notice Id of the deal's reporter set in force (the `reporterSet` reporters sign).
    function reporterSet(address deal) external view returns (uint64);

    function isReporter(address deal, address account) external view returns (bool);

    function pendingReporterChange(address deal) external view returns (ReporterChange memory);
}
