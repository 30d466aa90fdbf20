// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Initializable} from "@openzeppelin/contracts/proxy/utils/Initializable.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {DealStatus} from "../interfaces/ICascadeTypes.sol";
import {IDealBase} from "../interfaces/IDeal.sol";
import {IEquityWaterfall} from "../interfaces/IEquityWaterfall.sol";
import {IRiskEngine} from "../interfaces/IRiskEngine.sol";
import {ITrancheToken} from "../interfaces/ITrancheToken.sol";
import {IUtilizationOracle} from "../interfaces/IUtilizationOracle.sol";
import {DealArgs} from "../libraries/DealArgs.sol";
import {PeriodSchedule} from "../libraries/PeriodSchedule.sol";
import {Roles} from "../libraries/Roles.sol";

/// @title DealStorage
/// @notice Storage and internals of a deal, shared by {Deal} (the clone's implementation: collections, distributions,
/// keepers, offering settlement, site rent received, pause) and {DealExtension} (everything else, run by delegate call
/// from the deal's fallback): one storage layout, its roles, and the cash moves both make.
/// @dev Every state variable of a deal is declared here, and neither contract declares one of its own: the two read
/// one storage. The base contracts come in this order in both, so their slots agree too.
abstract contract DealStorage is IDealBase, AccessControl, Pausable, ReentrancyGuardTransient, Initializable {
    using SafeERC20 for IERC20;
    using SafeCast for uint256;

    /// @dev Admin of {Roles.GUARDIAN} ({getRoleAdmin}); never granted.
    bytes32 internal constant GUARDIAN_ADMIN_ROLE = Roles.GUARDIAN_ADMIN;

    /// @dev Running balances of a tranche. Its terms, and the deal's, are the clone's immutable arguments
    /// ({DealArgs}): fixed at creation, they cost no storage to write or read.
    struct Tranche {
        // slot a
        uint128 issued;
        uint128 outstanding;
        // slot b
        uint128 arrears;
        uint128 writtenDown;
    }

    // slot 0
    uint16 internal _nextPeriod;
    uint8 internal _settledOfferings;
    DealStatus internal _status;
    /// @dev Whether any offering issued tokens: a deal none of whose offerings reached its minimum raise is cancelled.
    bool internal _raised;
    uint32 internal _missedReports;
    /// @dev The recovery account: recoveries deposited into the running deal, held for the notes until a distribution
    /// applies them (see {WaterfallMath.Input.principalCash}).
    uint128 internal _recoveries;
    /// @dev Whether the factory registered a tenant deal with this site: only then does a distribution read its rent.
    bool internal _hasTenants;
    /// @dev Whether any equity class issued tokens (set as its offering settles; supplies never change after): only
    /// then is equity's cash paid to it, otherwise credited to the issuer.
    bool internal _equityIssued;
    // slot 1
    uint128 internal _collections;
    uint128 internal _reserve;
    // slot 2
    uint128 internal _trusteeFeeArrears;
    uint128 internal _servicerFeeArrears;
    // Fees paid by the waterfall and not yet withdrawn (the deal holds them).
    uint128 internal _trusteeFeesOwed;
    uint128 internal _servicerFeesOwed;
    // slot 4: the residual credited to the issuer while no equity is issued, until it withdraws it.
    uint128 internal _residualOwed;
    // slot 5: a guardian change waiting for its delay.
    address internal _pendingGuardian;
    uint64 internal _guardianChangeEta;
    // slot 6
    address internal _guardian;

    mapping(uint256 index => Tranche) internal _tranches;

    // Site rent. A site's rent received from its tenant deals, and how much of it its distributions counted as cash:
    // running totals that wrap (only their difference, the rent pending, is read), set to one equal value when the
    // first tenant registers, so the slot never returns to zero and a receipt writes a non-zero slot.
    uint128 internal _rentReceived;
    uint128 internal _rentCounted;
    /// @dev A tenant deal's rent left unpaid, carried to its next period.
    uint256 internal _rentArrears;
    /// @dev A site's tenant deals, in order of registration, and the same as a set.
    address[] internal _tenantList;
    mapping(address deal => bool) internal _isTenant;

    /// @notice The admin of `role`. The guardian role's is a role nobody holds, fixed in code: the issuer admin can
    /// neither grant nor revoke the guardian role, which changes only through {IDeal.proposeGuardian} and its delay.
    function getRoleAdmin(bytes32 role) public view override(AccessControl, IAccessControl) returns (bytes32) {
        return role == Roles.GUARDIAN ? GUARDIAN_ADMIN_ROLE : super.getRoleAdmin(role);
    }

    /// @dev Whether `period` is the next one and can be distributed now (the conditions `Deal._prepare` enforces).
    function _isReady(uint256 period) internal view returns (bool) {
        if (!_running(_status) || paused() || period != _nextPeriod || period >= _periodCount()) return false;
        if (block.timestamp < _periodEnd(period)) return false;
        IUtilizationOracle.ReportState state = _oracle().reportState(address(this), period);
        if (state == IUtilizationOracle.ReportState.None) {
            // Ready as an unreported period once its deadline has passed (`Deal._prepare` marks it).
            return block.timestamp >= _oracle().reportDeadline(address(this), period);
        }
        return state == IUtilizationOracle.ReportState.Final || state == IUtilizationOracle.ReportState.Unreported;
    }

    /// @dev Rent received from tenant deals that no distribution has counted yet. The totals wrap; the rent pending is
    /// below 2^128 (it is stablecoin the deal holds), so their wrapped difference is exact.
    function _pendingRent() internal view returns (uint256) {
        unchecked {
            return uint128(_rentReceived - _rentCounted);
        }
    }

    function _creditFees(uint256 trusteeFees, uint256 servicerFees) internal {
        if (trusteeFees != 0 || servicerFees != 0) {
            (_trusteeFeesOwed, _servicerFeesOwed) = (
                (_trusteeFeesOwed + trusteeFees).toUint128(),
                (_servicerFeesOwed + servicerFees).toUint128()
            );
        }
    }

    function _payTranche(address token, IERC20 coin, uint256 amount) internal {
        coin.safeTransfer(token, amount);
        ITrancheToken(token).distribute(amount);
    }

    /// @dev Final maturity with principal unpaid: every note's remainder is written off, equity first.
    function _writeDownAll(uint256 notes) internal {
        _writeDownEquity();
        for (uint256 i = notes; i > 0; --i) {
            uint256 cut = _tranches[i - 1].outstanding;
            if (cut != 0) _writeDownNote(i - 1, cut);
        }
    }

    function _writeDownNote(uint256 i, uint256 cut) internal {
        Tranche storage tr = _tranches[i];
        uint256 outstanding = tr.outstanding - cut;
        uint256 total = tr.writtenDown + cut;
        tr.outstanding = uint128(outstanding);
        tr.writtenDown = uint128(total);
        emit PrincipalWrittenDown(i, cut, outstanding, total);
    }

    /// @dev Equity is the first loss: once any note loses principal, every equity class's whole par is written off.
    function _writeDownEquity() internal {
        uint256 count = _trancheCount();
        for (uint256 i = DealArgs.noteCount(); i < count; ++i) {
            Tranche storage eq = _tranches[i];
            uint256 issued = eq.issued;
            if (eq.writtenDown != issued) {
                eq.writtenDown = uint128(issued);
                emit PrincipalWrittenDown(i, issued, 0, issued);
            }
        }
    }

    function _pull(address payer, uint256 amount) internal {
        uint256 before = _stablecoin().balanceOf(address(this));
        _stablecoin().safeTransferFrom(payer, address(this), amount);
        uint256 received = _stablecoin().balanceOf(address(this)) - before;
        if (received != amount) revert UnsupportedTokenTransfer(amount, received);
    }

    /// @dev The equity token, or the equity waterfall of a deal with several equity classes, once any class issued
    /// tokens; the issuer before.
    function _residualRecipient() internal view returns (address) {
        return _equityIssued ? DealArgs.equity() : _issuer();
    }

    /// @dev Equity's cash goes to its token, or to its waterfall with the deal's next period (the waterfall dates its
    /// statement at that period's start); without equity the issuer is credited, not paid: a stablecoin that refuses
    /// to pay the issuer cannot stop a distribution, a recovery or the clean-up call.
    function _payResidual(address recipient, IERC20 coin, uint256 amount) internal {
        if (recipient != DealArgs.equity()) {
            _residualOwed = (uint256(_residualOwed) + amount).toUint128();
        } else if (DealArgs.noteCount() + 1 == _trancheCount()) {
            _payTranche(recipient, coin, amount);
        } else {
            // The deal keeps the classes' cash and pays their claims ({IDealMain.payClaim}): the waterfall accounts.
            IEquityWaterfall(recipient).distribute(amount, _nextPeriod);
        }
    }

    function _periodEnd(uint256 period) internal view returns (uint64) {
        (uint256 start_, uint256 length) = DealArgs.schedule();
        return PeriodSchedule.endOf(start_, length, period);
    }

    // Fixed terms, from the clone arguments ({DealArgs}).

    function _stablecoin() internal view returns (IERC20) {
        return IERC20(DealArgs.stablecoin());
    }

    function _oracle() internal view returns (IUtilizationOracle) {
        return IUtilizationOracle(DealArgs.oracle());
    }

    function _risk() internal view returns (IRiskEngine) {
        return IRiskEngine(DealArgs.riskEngine());
    }

    function _issuer() internal view returns (address) {
        return DealArgs.issuer();
    }

    function _servicer() internal view returns (address) {
        return DealArgs.servicer();
    }

    function _trustee() internal view returns (address) {
        return DealArgs.trustee();
    }

    function _start() internal view returns (uint64) {
        return DealArgs.start();
    }

    function _periodLength() internal view returns (uint32) {
        return DealArgs.periodLength();
    }

    function _periodCount() internal view returns (uint256) {
        return DealArgs.periodCount();
    }

    function _pledgedShareBps() internal view returns (uint256) {
        return DealArgs.pledgedShareBps();
    }

    function _servicerFeeBps() internal view returns (uint256) {
        return DealArgs.servicerFeeBps();
    }

    function _trancheCount() internal view returns (uint256) {
        return DealArgs.trancheCount();
    }

    function _trusteeFeePerPeriod() internal view returns (uint256) {
        return DealArgs.trusteeFeePerPeriod();
    }

    function _reserveTarget() internal view returns (uint256) {
        return DealArgs.reserveTarget();
    }

    function _keeperBounty() internal view returns (uint256) {
        return DealArgs.keeperBounty();
    }

    function _token(uint256 index) internal view returns (address) {
        return DealArgs.token(index);
    }

    function _offering(uint256 index) internal view returns (address) {
        return DealArgs.offering(index);
    }

    function _running(DealStatus s) internal pure returns (bool) {
        return s == DealStatus.Active || s == DealStatus.CashTrap || s == DealStatus.Accelerated;
    }

    function _setStatus(DealStatus next) internal {
        DealStatus previous = _status;
        _status = next;
        emit StatusChanged(previous, next);
    }
}
