// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title IUtilizationOracle
/// @notice Per-deal quorum oracle for GPU utilization reports. A report for period p of a deal states GPU-hours
/// available, GPU-hours billed (U = billed / available), revenue in stablecoin units and the hash of the
/// servicer's off-chain report. It is accepted only with signatures of at least `threshold` distinct registered
/// reporters over its EIP-712 digest (domain: this contract on this chain), after the period has ended, with
/// billed ≤ available. Reporters may be EOAs or ERC-1271 contracts. An accepted report is final.
interface IUtilizationOracle {
    /// @notice The signed content of a report.
    struct Report {
        address deal;
        uint64 period;
        uint64 gpuHoursAvailable;
        uint64 gpuHoursBilled;
        uint128 revenue;
        bytes32 reportHash;
    }

    /// @notice A report as stored once accepted.
    struct StoredReport {
        uint64 gpuHoursAvailable;
        uint64 gpuHoursBilled;
        uint128 revenue;
        bytes32 reportHash;
        uint64 acceptedAt;
    }

    /// @notice `deal` was registered by `registrar` with its first reporter set.
    event DealRegistered(address indexed deal, address indexed registrar);

    /// @notice The reporter set of `deal` is now `reporters` with quorum `threshold` (set number `version`).
    event ReportersSet(address indexed deal, uint256 indexed version, address[] reporters, uint256 threshold);

    /// @notice A report of `deal` for `period` was accepted with the signatures of `signers`.
    event ReportAccepted(
        address indexed deal,
        uint256 indexed period,
        uint256 gpuHoursAvailable,
        uint256 gpuHoursBilled,
        uint256 revenue,
        bytes32 reportHash,
        address[] signers
    );

    error DealNotRegistered(address deal);
    error DealAlreadyRegistered(address deal);
    error NotDealAdmin(address deal, address caller);
    error InvalidReporter(address reporter);
    error InvalidThreshold(uint256 threshold, uint256 reporterCount);
    error TooManyReporters(uint256 count, uint256 max);
    error ReportPeriodNotEnded(address deal, uint256 period, uint64 endsAt);
    error ReportPeriodOutOfRange(address deal, uint256 period, uint256 periodCount);
    error ReportAlreadyAccepted(address deal, uint256 period);
    error BilledExceedsAvailable(uint256 billed, uint256 available);
    error SignatureCountMismatch(uint256 signers, uint256 signatures);
    error InsufficientSignatures(uint256 count, uint256 threshold);
    error SignersNotAscending(uint256 index);
    error NotReporter(address deal, address signer);
    error InvalidSignature(address signer);

    /// @notice Registers `deal` with its first reporter set. Registrar role (the factory) only.
    function registerDeal(address deal, address[] calldata reporters, uint256 threshold) external;

    /// @notice Replaces the reporter set of `deal`. The deal's issuer admin only.
    function setReporters(address deal, address[] calldata reporters, uint256 threshold) external;

    /// @notice Submits a report with `signatures[i]` by `signers[i]`, signers in strictly ascending order.
    function submitReport(Report calldata report, address[] calldata signers, bytes[] calldata signatures) external;

    /// @notice EIP-712 digest reporters sign for `report`.
    function hashReport(Report calldata report) external view returns (bytes32);

    /// @notice The accepted report of `deal` for `period` (acceptedAt = 0 when none).
    function getReport(address deal, uint256 period) external view returns (StoredReport memory);

    /// @notice Whether the report of `deal` for `period` is final, with its figures.
    function finalReport(
        address deal,
        uint256 period
    ) external view returns (bool isFinal, uint256 gpuHoursAvailable, uint256 gpuHoursBilled, uint256 revenue);

    function reporters(address deal) external view returns (address[] memory);

    function threshold(address deal) external view returns (uint256);

    function isReporter(address deal, address account) external view returns (bool);
}
