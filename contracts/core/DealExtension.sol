// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {CouponTerms, DealStatus, FleetEntryTerms, PrincipalTerms, TrancheKind} from "../interfaces/ICascadeTypes.sol";
import {IDeal, IDealExtension} from "../interfaces/IDeal.sol";
import {IRiskEngine} from "../interfaces/IRiskEngine.sol";
import {DealArgs} from "../libraries/DealArgs.sol";
import {WAD} from "../libraries/Constants.sol";
import {Roles} from "../libraries/Roles.sol";
import {DealStorage} from "./DealStorage.sol";

/// @title DealExtension
/// @notice See {IDeal}. Initialization, write-downs, recoveries, the clean-up call, withdrawals of fees and residual,
/// changes of guardian, the risk engine's waiver status, tenant registration, an ended site's rent, and every view a
/// distribution does not need. One instance serves every deal: {Deal}'s fallback runs this code by delegate call, on
/// the deal's storage, its clone arguments and its caller.
/// @dev Called directly (not through a deal) every function that changes state reverts {NotDelegated}: its own storage
/// and code hold no deal.
contract DealExtension is DealStorage, IDealExtension {
    using SafeERC20 for IERC20;
    using SafeCast for uint256;

    /// @inheritdoc IDealExtension
    bytes32 public constant SERVICER_ROLE = Roles.SERVICER;
    /// @inheritdoc IDealExtension
    bytes32 public constant GUARDIAN_ROLE = Roles.GUARDIAN;
    /// @inheritdoc IDealExtension
    uint256 public constant GUARDIAN_CHANGE_DELAY = 7 days;

    /// @dev This contract's own address: a call that runs here without a delegate call is refused.
    address private immutable SELF = address(this);

    /// @notice The call did not come through a deal.
    error NotDelegated();

    modifier onlyDelegated() {
        if (address(this) == SELF) revert NotDelegated();
        _;
    }

    constructor() {
        _disableInitializers();
    }

    /// @inheritdoc IDealExtension
    function initialize(address guardian_, FleetEntryTerms[] calldata fleet) external onlyDelegated initializer {
        _grantRole(DEFAULT_ADMIN_ROLE, _issuer());
        _grantRole(Roles.SERVICER, _servicer());
        _guardian = guardian_;
        _grantRole(Roles.GUARDIAN, guardian_);
        _risk().initialize(fleet);
    }

    // ------------------------------------------------------------ site rent

    /// @inheritdoc IDealExtension
    function registerTenant(address tenant) external onlyDelegated {
        if (msg.sender != DealArgs.factory()) revert NotFactory(msg.sender);
        DealStatus status_ = _status;
        if (status_ >= DealStatus.Repaid) revert DealEnded(status_);
        if (!_hasTenants) {
            _hasTenants = true;
            // Both totals start at one equal value: nothing pending, and a slot that never returns to zero.
            (_rentReceived, _rentCounted) = (1, 1);
        }
        _isTenant[tenant] = true;
        _tenantList.push(tenant);
        emit TenantRegistered(tenant, _tenantList.length);
    }

    /// @notice An ended site's side of {IDeal.receiveRent}, run by {Deal-receiveRent} (the same call, delegated): the
    /// rent pays on at once as the recoveries of a defaulted deal do (written-down notes and their arrears by rank,
    /// then the residual), whatever the status the site ended in.
    /// @dev Not part of {IDeal}: the deal's own `receiveRent` takes every call with this selector.
    function receiveRent(uint256 tenantPeriod, uint256 amount) external onlyDelegated nonReentrant {
        if (!_isTenant[msg.sender]) revert NotTenant(msg.sender);
        emit RentReceived(msg.sender, _nextPeriod, tenantPeriod, amount);
        _payRecoveries(msg.sender, amount);
    }

    // ------------------------------------------------------------ withdrawals

    /// @inheritdoc IDealExtension
    function withdrawFees() external onlyDelegated nonReentrant whenNotPaused returns (uint256 amount) {
        uint256 trusteeFees = msg.sender == _trustee() ? _trusteeFeesOwed : 0;
        uint256 servicerFees = msg.sender == _servicer() ? _servicerFeesOwed : 0;
        amount = trusteeFees + servicerFees;
        if (amount == 0) revert NoFeesOwed(msg.sender);
        if (trusteeFees != 0) _trusteeFeesOwed = 0;
        if (servicerFees != 0) _servicerFeesOwed = 0;
        emit FeesWithdrawn(msg.sender, trusteeFees, servicerFees);
        _stablecoin().safeTransfer(msg.sender, amount);
    }

    /// @inheritdoc IDealExtension
    function withdrawResidual() external onlyDelegated nonReentrant whenNotPaused returns (uint256 amount) {
        amount = msg.sender == _issuer() ? _residualOwed : 0;
        if (amount == 0) revert NoResidualOwed(msg.sender);
        _residualOwed = 0;
        emit ResidualWithdrawn(msg.sender, amount);
        _stablecoin().safeTransfer(msg.sender, amount);
    }

    // ------------------------------------------------------------ losses, recoveries and the clean-up call

    /// @inheritdoc IDealExtension
    function writeDown(uint256 amount) external onlyDelegated nonReentrant {
        if (msg.sender != _trustee()) revert NotTrustee(msg.sender);
        DealStatus status_ = _status;
        if (status_ != DealStatus.Accelerated) revert WriteDownNotAllowed(status_);
        uint256 held = _collections + _pendingRent();
        if (held != 0 || _reserve != 0 || _recoveries != 0) revert RecoveriesNotExhausted(held, _reserve, _recoveries);
        uint256 notes = DealArgs.noteCount();
        uint256 outstanding;
        for (uint256 i; i < notes; ++i) outstanding += _tranches[i].outstanding;
        if (amount == 0 || amount > outstanding) revert InvalidWriteDown(amount, outstanding);
        _writeDownEquity();
        // Bottom-up: the most junior note first.
        for (uint256 i = notes; i > 0 && amount != 0; --i) {
            uint256 cut = Math.min(amount, _tranches[i - 1].outstanding);
            amount -= cut;
            if (cut != 0) _writeDownNote(i - 1, cut);
        }
    }

    /// @inheritdoc IDealExtension
    function depositRecoveries(uint256 amount) external onlyDelegated nonReentrant whenNotPaused {
        _depositRecoveries(msg.sender, amount);
    }

    /// @dev A running deal holds recoveries in its recovery account: the notes keep earning their coupon on every
    /// unit of principal until a distribution repays it, and the distributions apply the account in their priority of
    /// payments ({WaterfallMath.Input.principalCash}). Once the deal has defaulted (every note written off at final
    /// maturity), recoveries pay at once, note by note in rank order: written-down principal, then unpaid interest; the
    /// rest goes to equity (credited to the issuer when no equity was sold).
    function _depositRecoveries(address payer, uint256 amount) private {
        if (amount == 0) revert ZeroAmount();
        DealStatus status_ = _status;
        if (_running(status_)) {
            uint256 held = uint256(_recoveries) + amount;
            _recoveries = held.toUint128();
            emit RecoveriesDeposited(payer, amount, 0, amount, address(this));
            _pull(payer, amount);
            return;
        }
        if (status_ != DealStatus.Defaulted) revert DealNotActive(status_);
        _pull(payer, amount);
        _payRecoveries(payer, amount);
    }

    /// @dev Pays `amount` the deal holds, from `payer`, as an ended deal's recoveries: note by note in rank order,
    /// written-down principal, then unpaid interest; the rest to equity (credited to the issuer without equity).
    function _payRecoveries(address payer, uint256 amount) private {
        uint256 notes = DealArgs.noteCount();
        uint256 left = amount;
        IERC20 coin = _stablecoin();
        // An ended deal has no principal outstanding: repaid, or written down at final maturity.
        for (uint256 i; i < notes && left != 0; ++i) {
            Tranche storage tr = _tranches[i];
            uint256 recovered = Math.min(left, tr.writtenDown);
            left -= recovered;
            uint256 interest = Math.min(left, tr.arrears);
            left -= interest;
            if (recovered + interest != 0) {
                tr.writtenDown -= uint128(recovered);
                tr.arrears -= uint128(interest);
                emit RecoveryApplied(i, 0, recovered, interest, 0, tr.writtenDown);
                _payTranche(_token(i), coin, recovered + interest);
            }
        }
        address recipient = _residualRecipient();
        emit RecoveriesDeposited(payer, amount, amount - left, left, recipient);
        if (left != 0) _payResidual(recipient, coin, left);
    }

    /// @inheritdoc IDealExtension
    function cleanUpCall() external onlyDelegated nonReentrant whenNotPaused onlyRole(DEFAULT_ADMIN_ROLE) {
        DealStatus status_ = _status;
        if (!_running(status_)) revert DealNotActive(status_);
        uint256 next = _nextPeriod;
        if (block.timestamp >= _periodEnd(next)) revert CleanUpPeriodPending(next);
        // The risk engine prices the call from this deal's state (views only).
        IRiskEngine.CleanUpQuote memory q = _risk().cleanUpQuote();
        if (!q.allowed) revert CleanUpNotAllowed(q.seniorOutstanding, q.threshold);
        uint256 payoff = q.payoff;
        uint256 fromIssuer = q.fromIssuer;
        uint256[] memory interest = q.interest;
        uint256 notes = interest.length;
        uint256 rent = _pendingRent();
        uint256 residual = uint256(_collections) + rent + _reserve + _recoveries + fromIssuer - payoff;
        uint256 trusteeArrears = _trusteeFeeArrears;
        uint256 servicerArrears = _servicerFeeArrears;
        _collections = 0;
        if (rent != 0) _rentCounted = _rentReceived;
        _reserve = 0;
        _recoveries = 0;
        _trusteeFeeArrears = 0;
        _servicerFeeArrears = 0;
        uint256[] memory principal = new uint256[](notes);
        for (uint256 i; i < notes; ++i) {
            Tranche storage tr = _tranches[i];
            principal[i] = uint256(tr.outstanding) + tr.writtenDown;
            tr.outstanding = 0;
            tr.writtenDown = 0;
            tr.arrears = 0;
            emit NoteCalled(i, interest[i], principal[i]);
        }
        address recipient = _residualRecipient();
        emit CleanUpCalled(msg.sender, payoff, payoff - fromIssuer, fromIssuer, residual, recipient);
        _setStatus(DealStatus.Repaid);

        if (fromIssuer != 0) _pull(msg.sender, fromIssuer);
        _creditFees(trusteeArrears, servicerArrears);
        IERC20 coin = _stablecoin();
        for (uint256 i; i < notes; ++i) {
            uint256 amount = interest[i] + principal[i];
            if (amount != 0) _payTranche(_token(i), coin, amount);
        }
        if (residual != 0) _payResidual(recipient, coin, residual);
    }

    /// @inheritdoc IDealExtension
    function setRiskStatus(DealStatus next) external onlyDelegated {
        if (msg.sender != address(_risk())) revert NotRiskEngine(msg.sender);
        DealStatus status_ = _status;
        if (!_running(status_) || !_running(next)) revert DealNotActive(status_);
        if (next != status_) _setStatus(next);
    }

    // ------------------------------------------------------------ guardian

    /// @inheritdoc IDealExtension
    function proposeGuardian(address newGuardian) external onlyDelegated {
        address current = _guardian;
        if (!hasRole(Roles.GUARDIAN, msg.sender) && !hasRole(DEFAULT_ADMIN_ROLE, msg.sender)) {
            revert NotGuardianProposer(msg.sender);
        }
        if (newGuardian == address(0) || newGuardian == current) revert InvalidGuardian(newGuardian);
        uint64 eta = uint64(block.timestamp + GUARDIAN_CHANGE_DELAY);
        (_pendingGuardian, _guardianChangeEta) = (newGuardian, eta);
        emit GuardianChangeProposed(msg.sender, current, newGuardian, eta);
    }

    /// @inheritdoc IDealExtension
    function cancelGuardianChange() external onlyDelegated {
        address pending = _pendingGuardian;
        if (pending == address(0)) revert NoGuardianChangePending();
        if (!hasRole(Roles.GUARDIAN, msg.sender) && !hasRole(DEFAULT_ADMIN_ROLE, msg.sender)) {
            revert NotGuardianProposer(msg.sender);
        }
        (_pendingGuardian, _guardianChangeEta) = (address(0), 0);
        emit GuardianChangeCancelled(msg.sender, pending);
    }

    /// @inheritdoc IDealExtension
    function applyGuardianChange() external onlyDelegated {
        address next = _pendingGuardian;
        if (next == address(0)) revert NoGuardianChangePending();
        uint64 eta = _guardianChangeEta;
        if (block.timestamp < eta) revert GuardianChangeNotReady(eta);
        address previous = _guardian;
        (_pendingGuardian, _guardianChangeEta) = (address(0), 0);
        _guardian = next;
        _revokeRole(Roles.GUARDIAN, previous);
        _grantRole(Roles.GUARDIAN, next);
        emit GuardianChanged(previous, next);
    }

    // ------------------------------------------------------------ views

    /// @inheritdoc IDealExtension
    function stablecoin() external view returns (address) {
        return address(_stablecoin());
    }

    /// @inheritdoc IDealExtension
    function oracle() external view returns (address) {
        return address(_oracle());
    }

    /// @inheritdoc IDealExtension
    function issuer() external view returns (address) {
        return _issuer();
    }

    /// @inheritdoc IDealExtension
    function servicer() external view returns (address) {
        return _servicer();
    }

    /// @inheritdoc IDealExtension
    function trustee() external view returns (address) {
        return _trustee();
    }

    /// @inheritdoc IDealExtension
    function guardian() external view returns (address) {
        return _guardian;
    }

    /// @inheritdoc IDealExtension
    function pendingGuardianChange() external view returns (address next, uint64 eta) {
        return (_pendingGuardian, _guardianChangeEta);
    }

    /// @inheritdoc IDealExtension
    function residualOwed() external view returns (uint256) {
        return _residualOwed;
    }

    /// @inheritdoc IDealExtension
    function start() external view returns (uint64) {
        return _start();
    }

    /// @inheritdoc IDealExtension
    function periodLength() external view returns (uint32) {
        return _periodLength();
    }

    /// @inheritdoc IDealExtension
    function periodCount() external view returns (uint256) {
        return _periodCount();
    }

    /// @inheritdoc IDealExtension
    function finalMaturity() external view returns (uint64) {
        return _periodEnd(uint256(_periodCount()) - 1);
    }

    /// @inheritdoc IDealExtension
    function periodEnd(uint256 period) external view returns (uint64) {
        return _periodEnd(period);
    }

    /// @inheritdoc IDealExtension
    function nextPeriod() external view returns (uint256) {
        return _nextPeriod;
    }

    /// @inheritdoc IDealExtension
    function readyPeriod() external view returns (bool ready, uint256 period) {
        period = _nextPeriod;
        ready = _isReady(period);
    }

    /// @inheritdoc IDealExtension
    function pledgedShareBps() external view returns (uint256) {
        return _pledgedShareBps();
    }

    /// @inheritdoc IDealExtension
    function servicerFeeBps() external view returns (uint256) {
        return _servicerFeeBps();
    }

    /// @inheritdoc IDealExtension
    function trusteeFeePerPeriod() external view returns (uint256) {
        return _trusteeFeePerPeriod();
    }

    /// @inheritdoc IDealExtension
    function keeperBounty() external view returns (uint256) {
        return _keeperBounty();
    }

    /// @inheritdoc IDealExtension
    function missedReports() external view returns (uint256) {
        return _missedReports;
    }

    /// @inheritdoc IDealExtension
    function undistributedCollections() external view returns (uint256) {
        return _collections + _pendingRent();
    }

    /// @inheritdoc IDealExtension
    function recoveries() external view returns (uint256) {
        return _recoveries;
    }

    /// @inheritdoc IDealExtension
    function reserve() external view returns (uint256 balance, uint256 target) {
        return (_reserve, _reserveTarget());
    }

    /// @inheritdoc IDealExtension
    function feeArrears() external view returns (uint256 trustee_, uint256 servicer_) {
        return (_trusteeFeeArrears, _servicerFeeArrears);
    }

    /// @inheritdoc IDealExtension
    function feesOwed() external view returns (uint256 trustee_, uint256 servicer_) {
        return (_trusteeFeesOwed, _servicerFeesOwed);
    }

    /// @inheritdoc IDealExtension
    function trancheCount() external view returns (uint256) {
        return _trancheCount();
    }

    /// @inheritdoc IDealExtension
    function tranche(uint256 index) external view returns (IDeal.TrancheInfo memory info) {
        if (index >= _trancheCount()) revert UnknownTranche(index);
        Tranche storage tr = _tranches[index];
        (CouponTerms memory c, PrincipalTerms memory p) = DealArgs.terms(index);
        info = IDeal.TrancheInfo({
            token: _token(index),
            offering: _offering(index),
            kind: DealArgs.kind(index),
            coupon: c,
            principal: p,
            issued: tr.issued,
            outstanding: tr.outstanding,
            arrears: tr.arrears,
            writtenDown: tr.writtenDown
        });
    }

    /// @inheritdoc IDealExtension
    function riskEngine() external view returns (address) {
        return address(_risk());
    }

    /// @inheritdoc IDealExtension
    function factor(uint256 index) external view returns (uint256) {
        if (index >= _trancheCount()) revert UnknownTranche(index);
        Tranche storage tr = _tranches[index];
        if (DealArgs.kind(index) == TrancheKind.Equity || tr.issued == 0) return tr.issued == 0 ? 0 : WAD;
        return Math.mulDiv(tr.outstanding, WAD, tr.issued);
    }

    /// @inheritdoc IDealExtension
    function factory() external view returns (address) {
        return DealArgs.factory();
    }

    /// @inheritdoc IDealExtension
    function site() external view returns (address site_, uint256 rentBps, uint256 rentPerUnit, uint256 capacity) {
        return DealArgs.site();
    }

    /// @inheritdoc IDealExtension
    function rentArrears() external view returns (uint256) {
        return _rentArrears;
    }

    /// @inheritdoc IDealExtension
    function tenants() external view returns (address[] memory) {
        return _tenantList;
    }

    /// @inheritdoc IDealExtension
    function isTenant(address account) external view returns (bool) {
        return _isTenant[account];
    }

    /// @inheritdoc IDealExtension
    function pendingRent() external view returns (uint256) {
        return _pendingRent();
    }

    /// @inheritdoc IDealExtension
    function extension() external view returns (address) {
        return SELF;
    }
}
