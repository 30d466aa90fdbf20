// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Initializable} from "@openzeppelin/contracts/proxy/utils/Initializable.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {TransientSlot} from "@openzeppelin/contracts/utils/TransientSlot.sol";

import {
    CouponTerms,
    CouponType,
    DealStatus,
    FleetEntryTerms,
    PeriodMetrics,
    PeriodStatement,
    PrincipalTerms,
    TrancheKind
} from "../interfaces/ICascadeTypes.sol";
import {IDeal} from "../interfaces/IDeal.sol";
import {IOffering} from "../interfaces/IOffering.sol";
import {IRiskEngine} from "../interfaces/IRiskEngine.sol";
import {ITrancheToken} from "../interfaces/ITrancheToken.sol";
import {IUtilizationOracle} from "../interfaces/IUtilizationOracle.sol";
import {DealArgs} from "../libraries/DealArgs.sol";
import {WaterfallMath} from "../libraries/WaterfallMath.sol";
import {WAD} from "../libraries/Constants.sol";
import {PeriodSchedule} from "../libraries/PeriodSchedule.sol";
import {Roles} from "../libraries/Roles.sol";

/// @title Deal
/// @notice See {IDeal}. Holds the collection and reserve accounts, runs the waterfall once per period in order,
/// and pushes each tranche's cash to its token, where holders pull it.
/// @dev Roles: DEFAULT_ADMIN_ROLE is the issuer admin; SERVICER_ROLE deposits collections; GUARDIAN_ROLE pauses.
contract Deal is IDeal, AccessControl, Pausable, ReentrancyGuardTransient, Initializable {
    using SafeERC20 for IERC20;
    using SafeCast for uint256;

    bytes32 public constant SERVICER_ROLE = Roles.SERVICER;
    bytes32 public constant GUARDIAN_ROLE = Roles.GUARDIAN;
    /// @dev Admin of {GUARDIAN_ROLE} ({getRoleAdmin}); never granted.
    bytes32 private constant GUARDIAN_ADMIN_ROLE = Roles.GUARDIAN_ADMIN;
    /// @inheritdoc IDeal
    uint256 public constant GUARDIAN_CHANGE_DELAY = 7 days;

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
    uint16 private _nextPeriod;
    uint8 private _settledOfferings;
    DealStatus private _status;
    /// @dev Whether any offering issued tokens: a deal none of whose offerings reached its minimum raise is cancelled.
    bool private _raised;
    uint32 private _missedReports;
    /// @dev The recovery account: recoveries deposited into the running deal, held for the notes until a distribution
    /// applies them (see {WaterfallMath.Input.principalCash}).
    uint128 private _recoveries;
    // slot 1
    uint128 private _collections;
    uint128 private _reserve;
    // slot 2
    uint128 private _trusteeFeeArrears;
    uint128 private _servicerFeeArrears;
    // Fees paid by the waterfall and not yet withdrawn (the deal holds them).
    uint128 private _trusteeFeesOwed;
    uint128 private _servicerFeesOwed;
    // slot 4: the residual credited to the issuer while no equity is issued, until it withdraws it.
    uint128 private _residualOwed;
    // slot 5: a guardian change waiting for its delay.
    address private _pendingGuardian;
    uint64 private _guardianChangeEta;
    // slot 6
    address private _guardian;

    mapping(uint256 index => Tranche) private _tranches;

    constructor() {
        _disableInitializers();
    }

    /// @inheritdoc IDeal
    function initialize(address guardian_, FleetEntryTerms[] calldata fleet) external initializer {
        _grantRole(DEFAULT_ADMIN_ROLE, _issuer());
        _grantRole(SERVICER_ROLE, _servicer());
        _guardian = guardian_;
        _grantRole(GUARDIAN_ROLE, guardian_);
        _risk().initialize(fleet);
    }

    // ------------------------------------------------------------ offering settlement

    /// @inheritdoc IDeal
    function onOfferingSettled(uint256 index, uint256 issued, uint256 reserveFunding) external {
        uint256 count = _trancheCount();
        if (index >= count) revert UnknownTranche(index);
        if (msg.sender != _offering(index)) revert NotTrancheOffering(index, msg.sender);
        Tranche storage tr = _tranches[index];
        // The offering settles once (it reverts on a second close), so this runs once per tranche.
        tr.issued = issued.toUint128();
        if (DealArgs.kind(index) == TrancheKind.Note) tr.outstanding = issued.toUint128();
        uint256 reserveAfter = _reserve + reserveFunding;
        _reserve = reserveAfter.toUint128();
        emit OfferingSettled(index, issued, reserveFunding, reserveAfter);
        // A minimum raise is at least one unit, so an offering issued nothing exactly when it missed its minimum.
        if (issued != 0) _raised = true;
        if (++_settledOfferings == count) {
            if (_raised) _setStatus(DealStatus.Active);
            else _cancel();
        }
    }

    /// @dev Every offering missed its minimum raise: the deal ends, and collections the servicer deposited while it
    /// was offering go back to the issuer as residual ({withdrawResidual}), so nothing stays in a deal that never runs.
    function _cancel() private {
        _setStatus(DealStatus.Cancelled);
        uint256 held = _collections;
        if (held != 0) {
            _collections = 0;
            uint256 owed = _residualOwed + held;
            _residualOwed = owed.toUint128();
            emit CollectionsReturned(held, owed);
        }
    }

    // ------------------------------------------------------------ collections

    /// @inheritdoc IDeal
    function depositCollections(uint256 amount) external nonReentrant onlyRole(SERVICER_ROLE) {
        if (amount == 0) revert ZeroAmount();
        DealStatus s = _status;
        // Repaid, Defaulted and Cancelled: the statuses a deal ends in.
        if (s >= DealStatus.Repaid) revert DealEnded(s);
        uint256 undistributed = _collections + amount;
        _collections = undistributed.toUint128();
        emit CollectionsDeposited(msg.sender, amount, undistributed);

        _pull(msg.sender, amount);
    }

    // ------------------------------------------------------------ waterfall

    /// @dev Working memory of one distribution.
    struct Run {
        uint256 period;
        address keeper;
        uint256 notes;
        bool finalPeriod;
        bool reported;
        uint256 utilization;
        uint256 periodLength;
        uint64 endsAt;
        WaterfallMath.Input input;
        DealStatus mode;
        PeriodMetrics metrics;
        // The final period, or no note principal outstanding: recoveries join the period's cash.
        bool releaseRecoveries;
        // Recoveries that so joined the period's cash: the statement reports them as recoveries applied, not as cash
        // in.
        uint256 recoveriesSwept;
    }

    /// @inheritdoc IDeal
    function distribute(uint256 period) external whenNotPaused returns (PeriodStatement memory) {
        // `nonReentrant` by hand: the statement is ABI-encoded once, for the event and as the return data, and the
        // return happens in assembly (a modifier's exit code would not run).
        if (_reentrancyGuardEntered()) revert ReentrancyGuardReentrantCall();
        TransientSlot.tstore(TransientSlot.asBoolean(_reentrancyGuardStorageSlot()), true);
        bytes memory statement = abi.encode(_distribute(period, msg.sender));
        bytes32 topic = PeriodDistributed.selector;
        TransientSlot.tstore(TransientSlot.asBoolean(_reentrancyGuardStorageSlot()), false);
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            // PeriodDistributed(period, statement): the indexed period, then the statement's ABI encoding.
            log2(add(statement, 0x20), mload(statement), topic, period)
            return(add(statement, 0x20), mload(statement))
        }
    }

    /// @inheritdoc IDeal
    function checkUpkeep(bytes calldata checkData) external view returns (bool upkeepNeeded, bytes memory performData) {
        uint256 maxPeriods = 1;
        address recipient;
        if (checkData.length == 32) {
            maxPeriods = abi.decode(checkData, (uint256));
        } else if (checkData.length == 64) {
            (maxPeriods, recipient) = abi.decode(checkData, (uint256, address));
        } else if (checkData.length != 0) {
            revert InvalidUpkeep();
        }
        uint256 next = _nextPeriod;
        upkeepNeeded = maxPeriods != 0 && _isReady(next);
        performData = recipient == address(0) ? abi.encode(next, maxPeriods) : abi.encode(next, maxPeriods, recipient);
    }

    /// @inheritdoc IDeal
    function performUpkeep(bytes calldata performData) external nonReentrant whenNotPaused {
        uint256 period;
        uint256 maxPeriods;
        address recipient = msg.sender;
        if (performData.length == 64) {
            (period, maxPeriods) = abi.decode(performData, (uint256, uint256));
        } else if (performData.length == 96) {
            (period, maxPeriods, recipient) = abi.decode(performData, (uint256, uint256, address));
        } else {
            revert InvalidUpkeep();
        }
        if (maxPeriods == 0 || recipient == address(0)) revert InvalidUpkeep();
        // The first period is checked in full (and reverts with the precise reason); the catch-up stops quietly
        // at the first period that is not ready. Each distribution moves `_nextPeriod`, so none can run twice.
        emit PeriodDistributed(period, _distribute(period, recipient));
        for (uint256 i = 1; i < maxPeriods && _isReady(++period); ++i) {
            emit PeriodDistributed(period, _distribute(period, recipient));
        }
    }

    function _distribute(uint256 period, address keeper) private returns (PeriodStatement memory s) {
        Run memory run = _prepare(period, keeper);
        WaterfallMath.Result memory r = WaterfallMath.run(run.input);
        s = _statement(run, r, _record(run, r));
        _pay(run, r, s.residualRecipient);
    }

    /// @dev Whether `period` is the next one and can be distributed now (the conditions {_prepare} enforces).
    function _isReady(uint256 period) private view returns (bool) {
        if (!_running(_status) || paused() || period != _nextPeriod || period >= _periodCount()) return false;
        if (block.timestamp < _periodEnd(period)) return false;
        IUtilizationOracle.ReportState state = _oracle().reportState(address(this), period);
        if (state == IUtilizationOracle.ReportState.None) {
            // Ready as an unreported period once its deadline has passed ({_prepare} marks it).
            return block.timestamp >= _oracle().reportDeadline(address(this), period);
        }
        return state == IUtilizationOracle.ReportState.Final || state == IUtilizationOracle.ReportState.Unreported;
    }

    /// @dev Checks that `period` is the next ready one and gathers what is owed.
    function _prepare(uint256 period, address keeper) private returns (Run memory run) {
        uint256 next = _nextPeriod;
        if (period < next) revert WaterfallPeriodAlreadyDistributed(period);
        DealStatus status_ = _status;
        if (!_running(status_)) revert DealNotActive(status_);
        uint256 count = _periodCount();
        if (period >= count) revert WaterfallPeriodBeyondMaturity(period, count);
        if (period > next) revert WaterfallPeriodNotReady(period, next);
        {
            (uint256 start_, uint256 length) = DealArgs.schedule();
            uint64 endsAt = PeriodSchedule.endOf(start_, length, period);
            if (block.timestamp < endsAt) revert WaterfallPeriodNotEnded(period, endsAt);
            run.periodLength = length;
            run.endsAt = endsAt;
        }
        // Reverts ReportNotFinal unless the report is final or the period is unreported; a period past its report
        // deadline with nothing final or pending is marked unreported on the way, so a keeper never stalls on it. A
        // report past its dispute window is final by time: it is not rewritten (anyone may record it, `finalize`).
        (bool reported, uint256 available, uint256 billed, uint256 revenue) = _oracle().resolve(address(this), period);

        run.period = period;
        run.keeper = keeper;
        run.finalPeriod = period + 1 == count;
        run.reported = reported;
        run.utilization = WaterfallMath.utilizationDown(available, billed);

        // Cash of the period: what the report says the pool earned, capped by what was deposited. At the final
        // period, or when no report came, every deposited collection is distributed.
        uint256 collections = _collections;
        uint256 cash =
            (run.finalPeriod || !reported)
                ? collections
                : Math.min(collections, WaterfallMath.bpsOfDown(revenue, _pledgedShareBps()));
        // cash ≤ collections.
        unchecked {
            _collections = uint128(collections - cash);
        }

        uint256 notes = DealArgs.noteCount();
        run.notes = notes;
        run.input.interestDue = new uint256[](notes);
        run.input.principalDue = new uint256[](notes);
        run.input.outstanding = new uint256[](notes);
        run.input.writtenDown = new uint256[](notes);
        uint256 outstandingNotes;
        for (uint256 i; i < notes; ++i) {
            outstandingNotes += _gatherNote(run, i, count);
        }

        run.input.cash = cash;
        run.input.reserve = _reserve;
        // The reserve and the recovery account back the notes: once none is outstanding, or at the final period, they
        // are released.
        run.releaseRecoveries = run.finalPeriod || outstandingNotes == 0;
        run.input.reserveTarget = run.releaseRecoveries ? 0 : _reserveTarget();
        run.input.keeperBountyDue = _keeperBounty();
        run.input.trusteeFeeDue = uint256(_trusteeFeePerPeriod()) + _trusteeFeeArrears;
        run.input.servicerFeeDue = WaterfallMath.bpsOfDown(cash, _servicerFeeBps()) + _servicerFeeArrears;
        _assess(run, available, billed, revenue);
    }

    /// @dev Measures the period and lets the triggers set the waterfall's order.
    function _assess(Run memory run, uint256 available, uint256 billed, uint256 revenue) private {
        WaterfallMath.Input memory input = run.input;
        bool turbo;
        (run.mode, turbo, run.metrics) = _risk().assess(
            IRiskEngine.AssessInput({
                period: run.period,
                finalPeriod: run.finalPeriod,
                reported: run.reported,
                valuationTime: run.endsAt,
                gpuHoursAvailable: available,
                gpuHoursBilled: billed,
                revenue: revenue,
                pledgedShareBps: _pledgedShareBps(),
                cash: input.cash,
                reserve: input.reserve,
                recoveries: _recoveries,
                reserveTarget: input.reserveTarget,
                feesDue: input.keeperBountyDue + input.trusteeFeeDue + input.servicerFeeDue,
                outstanding: input.outstanding,
                interestDue: input.interestDue,
                principalDue: input.principalDue
            })
        );
        input.turbo = turbo;
        if (run.mode == DealStatus.Accelerated) {
            input.mode = WaterfallMath.Mode.Accelerated;
            // An event of default sweeps every collection held into the paydown (the servicer fee stays on the
            // period's cash).
            input.cash += _collections;
            _collections = 0;
        } else if (run.mode == DealStatus.CashTrap) {
            input.mode = WaterfallMath.Mode.CashTrap;
        }
        // Recoveries pay the notes what they are owed now; at the final period, or once no note principal is
        // outstanding (the reserve target is then zero), they join the period's cash and follow its whole order.
        uint256 held = _recoveries;
        if (run.releaseRecoveries) {
            run.recoveriesSwept = held;
            input.cash += held;
        } else {
            input.principalCash = held;
        }
    }

    /// @dev Interest (current + arrears) and scheduled principal of note `i`; returns its outstanding principal.
    function _gatherNote(Run memory run, uint256 i, uint256 count) private view returns (uint256 outstanding) {
        Tranche storage tr = _tranches[i];
        outstanding = tr.outstanding;
        run.input.outstanding[i] = outstanding;
        run.input.writtenDown[i] = tr.writtenDown;
        (CouponTerms memory c, PrincipalTerms memory p) = DealArgs.terms(i);
        // Without a report, a utilization-linked coupon falls to its floor.
        uint256 rate =
            (!run.reported && c.couponType == CouponType.UtilizationLinked)
                ? c.floorRate
                : WaterfallMath.couponRate(c, run.utilization);
        run.input.interestDue[i] = WaterfallMath.periodInterestDown(outstanding, rate, run.periodLength) + tr.arrears;
        run.input.principalDue[i] = WaterfallMath.principalDue(
            outstanding,
            WaterfallMath.scheduledOutstandingUp(tr.issued, p, run.period, count)
        );
    }

    /// @dev Writes the period's effects (next period, reserve, arrears, fees, balances, write-downs, status) and
    /// emits their events. Returns each note's principal outstanding after the period; `r.principalPaid` gains the
    /// written-down principal repaid, as the statement reports it.
    function _record(
        Run memory run,
        WaterfallMath.Result memory r
    ) private returns (uint256[] memory outstandingAfter) {
        uint256 period = run.period;
        WaterfallMath.Input memory input = run.input;

        _nextPeriod = uint16(period + 1);
        _reserve = uint128(r.reserveAfter);
        uint256 recoveriesApplied = run.recoveriesSwept + r.principalCashUsed;
        // Applied recoveries never exceed the account: swept whole, or principal cash used ≤ principal cash.
        if (recoveriesApplied != 0) _recoveries -= uint128(recoveriesApplied);
        uint256 trusteeArrears = input.trusteeFeeDue - r.trusteeFeePaid;
        uint256 servicerArrears = input.servicerFeeDue - r.servicerFeePaid;
        _trusteeFeeArrears = trusteeArrears.toUint128();
        _servicerFeeArrears = servicerArrears.toUint128();
        // Credited, not pushed: a recipient the stablecoin refuses to pay cannot stop the waterfall.
        _creditFees(r.trusteeFeePaid, r.servicerFeePaid);

        if (!run.reported) emit ReportMissed(period, ++_missedReports);
        if (r.reserveReleased != 0) emit ReserveReleased(period, r.reserveReleased, input.reserve - r.reserveReleased);

        bool allRepaid = true;
        bool principalLeft;
        for (uint256 i; i < run.notes; ++i) {
            _tranches[i].arrears = (input.interestDue[i] - r.interestPaid[i]).toUint128();
        }
        if (r.reserveDrawn != 0) {
            emit ReserveDrawn(period, r.reserveDrawn, input.reserve - r.reserveReleased - r.reserveDrawn);
        }
        if (r.reserveToppedUp != 0) emit ReserveToppedUp(period, r.reserveToppedUp, r.reserveAfter);
        if (r.reserveTrapped != 0) emit ReserveTrapped(period, r.reserveTrapped, r.reserveAfter);
        outstandingAfter = new uint256[](run.notes);
        for (uint256 i; i < run.notes; ++i) {
            Tranche storage tr = _tranches[i];
            // principalPaid ≤ outstanding (scheduled principal, turbo or acceleration never exceed it).
            uint256 outstanding = tr.outstanding - r.principalPaid[i];
            tr.outstanding = uint128(outstanding);
            outstandingAfter[i] = outstanding;
            if (outstanding != 0) principalLeft = true;
            if (outstanding != 0 || tr.arrears != 0) allRepaid = false;
            uint256 recovered = r.recovered[i];
            if (recovered != 0) {
                uint256 left = tr.writtenDown - recovered;
                tr.writtenDown = uint128(left);
                emit RecoveryApplied(i, 0, recovered, 0, outstanding, left);
                // The statement's principal includes written-down principal repaid.
                r.principalPaid[i] += recovered;
            }
        }

        if (run.finalPeriod) {
            if (principalLeft) _writeDownAll(run.notes);
            _setStatus(allRepaid ? DealStatus.Repaid : DealStatus.Defaulted);
        } else if (run.mode != _status) {
            _setStatus(run.mode);
        }
    }

    /// @dev The period's statement: what {_record} wrote, with the run's inputs and the waterfall's result.
    function _statement(
        Run memory run,
        WaterfallMath.Result memory r,
        uint256[] memory outstandingAfter
    ) private view returns (PeriodStatement memory s) {
        WaterfallMath.Input memory input = run.input;
        s.period = run.period;
        s.reported = run.reported;
        s.cashIn = input.cash - run.recoveriesSwept;
        s.recoveriesApplied = run.recoveriesSwept + r.principalCashUsed;
        s.reserveReleased = r.reserveReleased;
        s.reserveDrawn = r.reserveDrawn;
        s.keeperBountyPaid = r.keeperBountyPaid;
        s.trusteeFeePaid = r.trusteeFeePaid;
        s.servicerFeePaid = r.servicerFeePaid;
        s.interestPaid = r.interestPaid;
        s.reserveToppedUp = r.reserveToppedUp;
        s.principalPaid = r.principalPaid;
        s.residualPaid = r.residual;
        s.utilization = run.utilization;
        s.reserveTrapped = r.reserveTrapped;
        s.collectionsCarried = _collections;
        s.reserveAfter = r.reserveAfter;
        s.mode = run.mode;
        s.metrics = run.metrics;
        s.keeper = run.keeper;
        s.trusteeFeeArrears = input.trusteeFeeDue - r.trusteeFeePaid;
        s.servicerFeeArrears = input.servicerFeeDue - r.servicerFeePaid;
        s.interestDue = input.interestDue;
        s.residualRecipient = _residualRecipient();
        s.outstanding = outstandingAfter;
    }

    /// @dev Moves the cash. Every state change of the period is written before the first transfer.
    function _pay(Run memory run, WaterfallMath.Result memory r, address recipient) private {
        IERC20 coin = _stablecoin();
        if (r.keeperBountyPaid != 0) coin.safeTransfer(run.keeper, r.keeperBountyPaid);
        for (uint256 i; i < run.notes; ++i) {
            uint256 amount = r.interestPaid[i] + r.principalPaid[i];
            if (amount != 0) _payTranche(_token(i), coin, amount);
        }
        if (r.residual != 0) _payResidual(recipient, coin, r.residual);
    }

    function _creditFees(uint256 trusteeFees, uint256 servicerFees) private {
        if (trusteeFees != 0 || servicerFees != 0) {
            (_trusteeFeesOwed, _servicerFeesOwed) = (
                (_trusteeFeesOwed + trusteeFees).toUint128(),
                (_servicerFeesOwed + servicerFees).toUint128()
            );
        }
    }

    /// @inheritdoc IDeal
    function withdrawFees() external nonReentrant whenNotPaused returns (uint256 amount) {
        uint256 trusteeFees = msg.sender == _trustee() ? _trusteeFeesOwed : 0;
        uint256 servicerFees = msg.sender == _servicer() ? _servicerFeesOwed : 0;
        amount = trusteeFees + servicerFees;
        if (amount == 0) revert NoFeesOwed(msg.sender);
        if (trusteeFees != 0) _trusteeFeesOwed = 0;
        if (servicerFees != 0) _servicerFeesOwed = 0;
        emit FeesWithdrawn(msg.sender, trusteeFees, servicerFees);
        _stablecoin().safeTransfer(msg.sender, amount);
    }

    function _payTranche(address token, IERC20 coin, uint256 amount) private {
        coin.safeTransfer(token, amount);
        ITrancheToken(token).distribute(amount);
    }

    // ------------------------------------------------------------ losses, recoveries and the clean-up call

    /// @inheritdoc IDeal
    function writeDown(uint256 amount) external nonReentrant {
        if (msg.sender != _trustee()) revert NotTrustee(msg.sender);
        DealStatus status_ = _status;
        if (status_ != DealStatus.Accelerated) revert WriteDownNotAllowed(status_);
        if (_collections != 0 || _reserve != 0 || _recoveries != 0) {
            revert RecoveriesNotExhausted(_collections, _reserve, _recoveries);
        }
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

    /// @dev Final maturity with principal unpaid: every note's remainder is written off, equity first.
    function _writeDownAll(uint256 notes) private {
        _writeDownEquity();
        for (uint256 i = notes; i > 0; --i) {
            uint256 cut = _tranches[i - 1].outstanding;
            if (cut != 0) _writeDownNote(i - 1, cut);
        }
    }

    function _writeDownNote(uint256 i, uint256 cut) private {
        Tranche storage tr = _tranches[i];
        uint256 outstanding = tr.outstanding - cut;
        uint256 total = tr.writtenDown + cut;
        tr.outstanding = uint128(outstanding);
        tr.writtenDown = uint128(total);
        emit PrincipalWrittenDown(i, cut, outstanding, total);
    }

    /// @dev Equity is the first loss: once any note loses principal, every equity class's whole par is written off.
    function _writeDownEquity() private {
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

    /// @inheritdoc IDeal
    function depositRecoveries(uint256 amount) external nonReentrant whenNotPaused {
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

        uint256 notes = DealArgs.noteCount();
        uint256 left = amount;
        IERC20 coin = _stablecoin();
        // A defaulted deal has no principal outstanding: final maturity wrote it all down.
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

    /// @inheritdoc IDeal
    function cleanUpCall() external nonReentrant whenNotPaused onlyRole(DEFAULT_ADMIN_ROLE) {
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
        uint256 residual = uint256(_collections) + _reserve + _recoveries + fromIssuer - payoff;
        uint256 trusteeArrears = _trusteeFeeArrears;
        uint256 servicerArrears = _servicerFeeArrears;
        _collections = 0;
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

    /// @inheritdoc IDeal
    function setRiskStatus(DealStatus next) external {
        if (msg.sender != address(_risk())) revert NotRiskEngine(msg.sender);
        DealStatus status_ = _status;
        if (!_running(status_) || !_running(next)) revert DealNotActive(status_);
        if (next != status_) _setStatus(next);
    }

    function _pull(address payer, uint256 amount) private {
        uint256 before = _stablecoin().balanceOf(address(this));
        _stablecoin().safeTransferFrom(payer, address(this), amount);
        uint256 received = _stablecoin().balanceOf(address(this)) - before;
        if (received != amount) revert UnsupportedTokenTransfer(amount, received);
    }

    /// @dev The equity token, or the equity waterfall of a deal with several equity classes (its supply is theirs).
    function _residualRecipient() private view returns (address) {
        address equity = DealArgs.equity();
        return IERC20(equity).totalSupply() != 0 ? equity : _issuer();
    }

    /// @dev Equity's cash goes to its token (or waterfall, paid as a token is); without equity the issuer is credited,
    /// not paid: a stablecoin that refuses to pay the issuer cannot stop a distribution, a recovery or the clean-up
    /// call.
    function _payResidual(address recipient, IERC20 coin, uint256 amount) private {
        if (recipient == DealArgs.equity()) _payTranche(recipient, coin, amount);
        else _residualOwed = (uint256(_residualOwed) + amount).toUint128();
    }

    /// @inheritdoc IDeal
    function withdrawResidual() external nonReentrant whenNotPaused returns (uint256 amount) {
        amount = msg.sender == _issuer() ? _residualOwed : 0;
        if (amount == 0) revert NoResidualOwed(msg.sender);
        _residualOwed = 0;
        emit ResidualWithdrawn(msg.sender, amount);
        _stablecoin().safeTransfer(msg.sender, amount);
    }

    // ------------------------------------------------------------ guardian

    /// @notice The admin of `role`. The guardian role's is a role nobody holds, fixed in code: the issuer admin can
    /// neither grant nor revoke the guardian role, which changes only through {proposeGuardian} and its delay.
    function getRoleAdmin(bytes32 role) public view override returns (bytes32) {
        return role == GUARDIAN_ROLE ? GUARDIAN_ADMIN_ROLE : super.getRoleAdmin(role);
    }

    /// @inheritdoc IDeal
    function proposeGuardian(address newGuardian) external {
        address current = _guardian;
        if (!hasRole(GUARDIAN_ROLE, msg.sender) && !hasRole(DEFAULT_ADMIN_ROLE, msg.sender)) {
            revert NotGuardianProposer(msg.sender);
        }
        if (newGuardian == address(0) || newGuardian == current) revert InvalidGuardian(newGuardian);
        uint64 eta = uint64(block.timestamp + GUARDIAN_CHANGE_DELAY);
        (_pendingGuardian, _guardianChangeEta) = (newGuardian, eta);
        emit GuardianChangeProposed(msg.sender, current, newGuardian, eta);
    }

    /// @inheritdoc IDeal
    function cancelGuardianChange() external {
        address pending = _pendingGuardian;
        if (pending == address(0)) revert NoGuardianChangePending();
        if (!hasRole(GUARDIAN_ROLE, msg.sender) && !hasRole(DEFAULT_ADMIN_ROLE, msg.sender)) {
            revert NotGuardianProposer(msg.sender);
        }
        (_pendingGuardian, _guardianChangeEta) = (address(0), 0);
        emit GuardianChangeCancelled(msg.sender, pending);
    }

    /// @inheritdoc IDeal
    function applyGuardianChange() external {
        address next = _pendingGuardian;
        if (next == address(0)) revert NoGuardianChangePending();
        uint64 eta = _guardianChangeEta;
        if (block.timestamp < eta) revert GuardianChangeNotReady(eta);
        address previous = _guardian;
        (_pendingGuardian, _guardianChangeEta) = (address(0), 0);
        _guardian = next;
        _revokeRole(GUARDIAN_ROLE, previous);
        _grantRole(GUARDIAN_ROLE, next);
        emit GuardianChanged(previous, next);
    }

    // ------------------------------------------------------------ pause

    /// @inheritdoc IDeal
    function pause() external onlyRole(GUARDIAN_ROLE) {
        _pause();
        _pushPause(true);
    }

    /// @inheritdoc IDeal
    function unpause() external onlyRole(GUARDIAN_ROLE) {
        _unpause();
        _pushPause(false);
    }

    /// @dev Bounded by the tranche count (at most 8), never by holders.
    function _pushPause(bool paused_) private {
        uint256 count = _trancheCount();
        for (uint256 i; i < count; ++i) {
            ITrancheToken(_token(i)).setPaused(paused_);
            IOffering(_offering(i)).setPaused(paused_);
        }
    }

    // ------------------------------------------------------------ views

    /// @inheritdoc IDeal
    function paused() public view override(IDeal, Pausable) returns (bool) {
        return super.paused();
    }

    /// @inheritdoc IDeal
    function stablecoin() external view returns (address) {
        return address(_stablecoin());
    }

    /// @inheritdoc IDeal
    function oracle() external view returns (address) {
        return address(_oracle());
    }

    /// @inheritdoc IDeal
    function issuer() external view returns (address) {
        return _issuer();
    }

    /// @inheritdoc IDeal
    function servicer() external view returns (address) {
        return _servicer();
    }

    /// @inheritdoc IDeal
    function trustee() external view returns (address) {
        return _trustee();
    }

    /// @inheritdoc IDeal
    function guardian() external view returns (address) {
        return _guardian;
    }

    /// @inheritdoc IDeal
    function pendingGuardianChange() external view returns (address next, uint64 eta) {
        return (_pendingGuardian, _guardianChangeEta);
    }

    /// @inheritdoc IDeal
    function residualOwed() external view returns (uint256) {
        return _residualOwed;
    }

    /// @inheritdoc IDeal
    function status() external view returns (DealStatus) {
        return _status;
    }

    /// @inheritdoc IDeal
    function start() external view returns (uint64) {
        return _start();
    }

    /// @inheritdoc IDeal
    function periodLength() external view returns (uint32) {
        return _periodLength();
    }

    /// @inheritdoc IDeal
    function periodCount() external view returns (uint256) {
        return _periodCount();
    }

    /// @inheritdoc IDeal
    function finalMaturity() external view returns (uint64) {
        return _periodEnd(uint256(_periodCount()) - 1);
    }

    /// @inheritdoc IDeal
    function periodEnd(uint256 period) external view returns (uint64) {
        return _periodEnd(period);
    }

    /// @inheritdoc IDeal
    function nextPeriod() external view returns (uint256) {
        return _nextPeriod;
    }

    /// @inheritdoc IDeal
    function readyPeriod() external view returns (bool ready, uint256 period) {
        period = _nextPeriod;
        ready = _isReady(period);
    }

    /// @inheritdoc IDeal
    function pledgedShareBps() external view returns (uint256) {
        return _pledgedShareBps();
    }

    /// @inheritdoc IDeal
    function servicerFeeBps() external view returns (uint256) {
        return _servicerFeeBps();
    }

    /// @inheritdoc IDeal
    function trusteeFeePerPeriod() external view returns (uint256) {
        return _trusteeFeePerPeriod();
    }

    /// @inheritdoc IDeal
    function keeperBounty() external view returns (uint256) {
        return _keeperBounty();
    }

    /// @inheritdoc IDeal
    function missedReports() external view returns (uint256) {
        return _missedReports;
    }

    /// @inheritdoc IDeal
    function undistributedCollections() external view returns (uint256) {
        return _collections;
    }

    /// @inheritdoc IDeal
    function recoveries() external view returns (uint256) {
        return _recoveries;
    }

    /// @inheritdoc IDeal
    function reserve() external view returns (uint256 balance, uint256 target) {
        return (_reserve, _reserveTarget());
    }

    /// @inheritdoc IDeal
    function feeArrears() external view returns (uint256 trustee_, uint256 servicer_) {
        return (_trusteeFeeArrears, _servicerFeeArrears);
    }

    /// @inheritdoc IDeal
    function feesOwed() external view returns (uint256 trustee_, uint256 servicer_) {
        return (_trusteeFeesOwed, _servicerFeesOwed);
    }

    /// @inheritdoc IDeal
    function trancheCount() external view returns (uint256) {
        return _trancheCount();
    }

    /// @inheritdoc IDeal
    function tranche(uint256 index) external view returns (TrancheInfo memory info) {
        if (index >= _trancheCount()) revert UnknownTranche(index);
        Tranche storage tr = _tranches[index];
        (CouponTerms memory c, PrincipalTerms memory p) = DealArgs.terms(index);
        info = TrancheInfo({
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

    /// @inheritdoc IDeal
    function riskEngine() external view returns (address) {
        return address(_risk());
    }

    /// @inheritdoc IDeal
    function trancheContracts(uint256 index) external view returns (address token, address offering) {
        if (index >= _trancheCount()) revert UnknownTranche(index);
        return (_token(index), _offering(index));
    }

    /// @inheritdoc IDeal
    function factor(uint256 index) external view returns (uint256) {
        if (index >= _trancheCount()) revert UnknownTranche(index);
        Tranche storage tr = _tranches[index];
        if (DealArgs.kind(index) == TrancheKind.Equity || tr.issued == 0) return tr.issued == 0 ? 0 : WAD;
        return Math.mulDiv(tr.outstanding, WAD, tr.issued);
    }

    // ------------------------------------------------------------ internals

    function _periodEnd(uint256 period) private view returns (uint64) {
        (uint256 start_, uint256 length) = DealArgs.schedule();
        return PeriodSchedule.endOf(start_, length, period);
    }

    // Fixed terms, from the clone arguments ({DealArgs}).

    function _stablecoin() private view returns (IERC20) {
        return IERC20(DealArgs.stablecoin());
    }

    function _oracle() private view returns (IUtilizationOracle) {
        return IUtilizationOracle(DealArgs.oracle());
    }

    function _risk() private view returns (IRiskEngine) {
        return IRiskEngine(DealArgs.riskEngine());
    }

    function _issuer() private view returns (address) {
        return DealArgs.issuer();
    }

    function _servicer() private view returns (address) {
        return DealArgs.servicer();
    }

    function _trustee() private view returns (address) {
        return DealArgs.trustee();
    }

    function _start() private view returns (uint64) {
        return DealArgs.start();
    }

    function _periodLength() private view returns (uint32) {
        return DealArgs.periodLength();
    }

    function _periodCount() private view returns (uint256) {
        return DealArgs.periodCount();
    }

    function _pledgedShareBps() private view returns (uint256) {
        return DealArgs.pledgedShareBps();
    }

    function _servicerFeeBps() private view returns (uint256) {
        return DealArgs.servicerFeeBps();
    }

    function _trancheCount() private view returns (uint256) {
        return DealArgs.trancheCount();
    }

    function _trusteeFeePerPeriod() private view returns (uint256) {
        return DealArgs.trusteeFeePerPeriod();
    }

    function _reserveTarget() private view returns (uint256) {
        return DealArgs.reserveTarget();
    }

    function _keeperBounty() private view returns (uint256) {
        return DealArgs.keeperBounty();
    }

    function _token(uint256 index) private view returns (address) {
        return DealArgs.token(index);
    }

    function _offering(uint256 index) private view returns (address) {
        return DealArgs.offering(index);
    }

    function _running(DealStatus s) private pure returns (bool) {
        return s == DealStatus.Active || s == DealStatus.CashTrap || s == DealStatus.Accelerated;
    }

    function _setStatus(DealStatus next) private {
        DealStatus previous = _status;
        _status = next;
        emit StatusChanged(previous, next);
    }
}
