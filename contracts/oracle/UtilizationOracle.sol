// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";

import {IDeal} from "../interfaces/IDeal.sol";
import {IUtilizationOracle} from "../interfaces/IUtilizationOracle.sol";

/// @title UtilizationOracle
/// @notice See {IUtilizationOracle}. One oracle serves every deal of a factory; each deal has its own reporters.
contract UtilizationOracle is IUtilizationOracle, AccessControl, EIP712 {
    bytes32 public constant REGISTRAR_ROLE = keccak256("cascade.role.registrar");
    bytes32 public constant REPORT_TYPEHASH = keccak256(
        "Report(address deal,uint64 period,uint64 gpuHoursAvailable,uint64 gpuHoursBilled,"
        "uint128 revenue,bytes32 reportHash)"
    );
    uint256 public constant MAX_REPORTERS = 16;

    /// @dev Reporter membership is keyed by set version, so replacing a set never has to clear the old one.
    struct DealConfig {
        bool registered;
        uint8 threshold;
        uint64 version;
    }

    mapping(address deal => DealConfig) private _configs;
    mapping(address deal => address[]) private _reporterLists;
    mapping(address deal => mapping(uint64 version => mapping(address reporter => bool))) private _isReporter;
    mapping(address deal => mapping(uint256 period => StoredReport)) private _reports;

    constructor(address admin) EIP712("Cascade Utilization Oracle", "1") {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    // ------------------------------------------------------------ reporter sets

    /// @inheritdoc IUtilizationOracle
    function registerDeal(
        address deal,
        address[] calldata reporters_,
        uint256 threshold_
    ) external onlyRole(REGISTRAR_ROLE) {
        if (_configs[deal].registered) revert DealAlreadyRegistered(deal);
        _configs[deal].registered = true;
        emit DealRegistered(deal, msg.sender);
        _setReporters(deal, reporters_, threshold_);
    }

    /// @inheritdoc IUtilizationOracle
    function setReporters(address deal, address[] calldata reporters_, uint256 threshold_) external {
        if (!_configs[deal].registered) revert DealNotRegistered(deal);
        if (!IAccessControl(deal).hasRole(bytes32(0), msg.sender)) revert NotDealAdmin(deal, msg.sender);
        _setReporters(deal, reporters_, threshold_);
    }

    function _setReporters(address deal, address[] calldata reporters_, uint256 threshold_) private {
        uint256 count = reporters_.length;
        if (count > MAX_REPORTERS) revert TooManyReporters(count, MAX_REPORTERS);
        if (threshold_ == 0 || threshold_ > count) revert InvalidThreshold(threshold_, count);
        DealConfig storage cfg = _configs[deal];
        uint64 version = cfg.version + 1;
        mapping(address => bool) storage members = _isReporter[deal][version];
        for (uint256 i; i < count; ++i) {
            address reporter = reporters_[i];
            if (reporter == address(0) || members[reporter]) revert InvalidReporter(reporter);
            members[reporter] = true;
        }
        cfg.version = version;
        cfg.threshold = uint8(threshold_);
        _reporterLists[deal] = reporters_;
        emit ReportersSet(deal, version, reporters_, threshold_);
    }

    // ------------------------------------------------------------ reports

    /// @inheritdoc IUtilizationOracle
    function submitReport(Report calldata report, address[] calldata signers, bytes[] calldata signatures) external {
        address deal = report.deal;
        DealConfig memory cfg = _configs[deal];
        if (!cfg.registered) revert DealNotRegistered(deal);
        uint256 periodCount = IDeal(deal).periodCount();
        if (report.period >= periodCount) revert ReportPeriodOutOfRange(deal, report.period, periodCount);
        uint64 endsAt = IDeal(deal).periodEnd(report.period);
        if (block.timestamp < endsAt) revert ReportPeriodNotEnded(deal, report.period, endsAt);
        if (_reports[deal][report.period].acceptedAt != 0) revert ReportAlreadyAccepted(deal, report.period);
        if (report.gpuHoursBilled > report.gpuHoursAvailable) {
            revert BilledExceedsAvailable(report.gpuHoursBilled, report.gpuHoursAvailable);
        }
        uint256 count = signers.length;
        if (count != signatures.length) revert SignatureCountMismatch(count, signatures.length);
        if (count < cfg.threshold) revert InsufficientSignatures(count, cfg.threshold);

        _checkSignatures(deal, cfg.version, hashReport(report), signers, signatures);

        _reports[deal][report.period] = StoredReport({
            gpuHoursAvailable: report.gpuHoursAvailable,
            gpuHoursBilled: report.gpuHoursBilled,
            revenue: report.revenue,
            reportHash: report.reportHash,
            acceptedAt: uint64(block.timestamp)
        });
        emit ReportAccepted(
            deal,
            report.period,
            report.gpuHoursAvailable,
            report.gpuHoursBilled,
            report.revenue,
            report.reportHash,
            signers
        );
    }

    /// @dev Each signer must be a distinct reporter of the current set (strictly ascending order rules out
    /// duplicates in O(M)) with a valid ECDSA or ERC-1271 signature over `digest`.
    function _checkSignatures(
        address deal,
        uint64 version,
        bytes32 digest,
        address[] calldata signers,
        bytes[] calldata signatures
    ) private view {
        mapping(address => bool) storage members = _isReporter[deal][version];
        address previous;
        for (uint256 i; i < signers.length; ++i) {
            address signer = signers[i];
            if (signer <= previous) revert SignersNotAscending(i);
            if (!members[signer]) revert NotReporter(deal, signer);
            if (!SignatureChecker.isValidSignatureNow(signer, digest, signatures[i])) revert InvalidSignature(signer);
            previous = signer;
        }
    }

    // ------------------------------------------------------------ views

    /// @inheritdoc IUtilizationOracle
    function hashReport(Report calldata report) public view returns (bytes32) {
        return
            _hashTypedDataV4(
                keccak256(
                    abi.encode(
                        REPORT_TYPEHASH,
                        report.deal,
                        report.period,
                        report.gpuHoursAvailable,
                        report.gpuHoursBilled,
                        report.revenue,
                        report.reportHash
                    )
                )
            );
    }

    /// @inheritdoc IUtilizationOracle
    function getReport(address deal, uint256 period) external view returns (StoredReport memory) {
        return _reports[deal][period];
    }

    /// @inheritdoc IUtilizationOracle
    function finalReport(
        address deal,
        uint256 period
    ) external view returns (bool isFinal, uint256 gpuHoursAvailable, uint256 gpuHoursBilled, uint256 revenue) {
        StoredReport storage r = _reports[deal][period];
        return (r.acceptedAt != 0, r.gpuHoursAvailable, r.gpuHoursBilled, r.revenue);
    }

    /// @inheritdoc IUtilizationOracle
    function reporters(address deal) external view returns (address[] memory) {
        return _reporterLists[deal];
    }

    /// @inheritdoc IUtilizationOracle
    function threshold(address deal) external view returns (uint256) {
        return _configs[deal].threshold;
    }

    /// @inheritdoc IUtilizationOracle
    function isReporter(address deal, address account) external view returns (bool) {
        DealConfig storage cfg = _configs[deal];
        return _isReporter[deal][cfg.version][account];
    }
}
