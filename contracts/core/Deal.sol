// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {TransientSlot} from "@openzeppelin/contracts/utils/TransientSlot.sol";

import {
    CouponTerms,
    CouponType,
    DealStatus,
    PeriodMetrics,
    PeriodStatement,
    PrincipalTerms,
    TrancheKind
} from "../interfaces/ICascadeTypes.sol";
import {IDealMain} from "../interfaces/IDeal.sol";
import {IOffering} from "../interfaces/IOffering.sol";
import {IRiskEngine} from "../interfaces/IRiskEngine.sol";
import {ITrancheToken} from "../interfaces/ITrancheToken.sol";
import {DealArgs} from "../libraries/DealArgs.sol";
import {WaterfallMath} from "../libraries/WaterfallMath.sol";
import {PeriodSchedule} from "../libraries/PeriodSchedule.sol";
import {Roles} from "../libraries/Roles.sol";
import {DealStorage} from "./DealStorage.sol";

/// @title Deal
/// @notice See {IDeal}. The implementation behind every deal's clone: holds the collection and reserve accounts, runs
/// the waterfall once per period in order (a tenant's site rent first), pushes each tranche's cash to its token, where
/// holders pull it, and receives its tenants' rent when it is a site. Every other function of {IDeal} (initialization,
/// losses, recoveries, the clean-up call, withdrawals, changes of guardian, tenant registration, views) is in
/// {DealExtension}, reached through the fallback by delegate call.
/// @dev Why two contracts: the deal's code is bounded by EIP-170 (24 576 bytes), and the IR pipeline dispatches
/// selectors one after another, so every function before `distribute` costs each distribution gas. This contract keeps
/// what runs each period; the extension runs the rest on the same storage ({DealStorage}). Roles: DEFAULT_ADMIN_ROLE
/// is the issuer admin; the servicer role deposits collections; the guardian role pauses.
contract Deal is DealStorage, IDealMain {
    using SafeERC20 for IERC20;
    using SafeCast for uint256;

    /// @dev The extension every function this contract does not have is delegated to.
    address private immutable EXTENSION;

    constructor(address extension) {
        EXTENSION = extension;
        _disableInitializers();
    }

    // ------------------------------------------------------------ offering settlement

    /// @inheritdoc IDealMain
    function onOfferingSettled(uint256 index, uint256 issued, uint256 reserveFunding) external {
        uint256 count = _trancheCount();
        if (index >= count) revert UnknownTranche(index);
        if (msg.sender != _offering(index)) revert NotTrancheOffering(index, msg.sender);
        Tranche storage tr = _tranches[index];
        // The offering settles once (it reverts on a second close), so this runs once per tranche.
        tr.issued = issued.toUint128();
        bool note = DealArgs.kind(index) == TrancheKind.Note;
        if (note) tr.outstanding = issued.toUint128();
        uint256 reserveAfter = _reserve + reserveFunding;
        _reserve = reserveAfter.toUint128();
        emit OfferingSettled(index, issued, reserveFunding, reserveAfter);
        // A minimum raise is at least one unit, so an offering issued nothing exactly when it missed its minimum.
        if (issued != 0) {
            _raised = true;
            if (!note) _equityIssued = true;
        }
        if (++_settledOfferings == count) {
            if (_raised) _setStatus(DealStatus.Active);
            else _cancel();
        }
    }

    /// @dev Every offering missed its minimum raise: the deal ends, and collections the servicer deposited while it
    /// was offering, with any rent its tenants paid meanwhile, go back to the issuer as residual
    /// ({IDeal.withdrawResidual}), so nothing stays in a deal that never runs.
    function _cancel() private {
        _setStatus(DealStatus.Cancelled);
        uint256 rent = _pendingRent();
        if (rent != 0) _rentCounted = _rentReceived;
        uint256 held = _collections + rent;
        if (held != 0) {
            _collections = 0;
            uint256 owed = _residualOwed + held;
            _residualOwed = owed.toUint128();
            emit CollectionsReturned(held, owed);
        }
    }

    // ------------------------------------------------------------ collections

    /// @inheritdoc IDealMain
    function depositCollections(uint256 amount) external nonReentrant onlyRole(Roles.SERVICER) {
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
        // A site: its tenants' rent counted as cash of the period. A tenant: its site, the rent due (arrears included)
        // and the rent paid, first, out of the period's cash.
        uint256 rentIn;
        address site;
        uint256 rentDue;
        uint256 rentPaid;
    }

    /// @inheritdoc IDealMain
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

    /// @inheritdoc IDealMain
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

    /// @inheritdoc IDealMain
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
        cash = _rent(run, cash, revenue);

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

    /// @dev Site rent, both ways: a site's rent received from its tenant deals since its last distribution joins the
    /// period's cash as it is (on chain, no report caps it); a tenant then pays its site's rent first, out of that cash
    /// (`rentBps` of the reported revenue, none for an unreported period, `rentPerUnit` per unit of capacity, and the
    /// arrears), and what the cash cannot pay is carried. Returns the cash left for the waterfall.
    function _rent(Run memory run, uint256 cash, uint256 revenue) private returns (uint256) {
        if (_hasTenants) {
            uint256 rentIn = _pendingRent();
            if (rentIn != 0) {
                _rentCounted = _rentReceived;
                run.rentIn = rentIn;
                cash += rentIn;
            }
        }
        (address site, uint256 rentBps, uint256 rentPerUnit, uint256 capacity) = DealArgs.site();
        if (site != address(0)) {
            // rentBps ≤ 10 000, rentPerUnit < 2^128 and capacity < 2^32: no term overflows.
            uint256 due =
                (run.reported ? WaterfallMath.bpsOfDown(revenue, rentBps) : 0) + rentPerUnit * capacity + _rentArrears;
            uint256 paid = Math.min(cash, due);
            (run.site, run.rentDue, run.rentPaid) = (site, due, paid);
            // paid ≤ cash.
            unchecked {
                cash -= paid;
            }
        }
        return cash;
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
                // The covenants see the cash net of rent: the rent is cash of the period, due ahead of the fees.
                cash: input.cash + run.rentPaid,
                reserve: input.reserve,
                recoveries: _recoveries,
                reserveTarget: input.reserveTarget,
                feesDue: run.rentDue + input.keeperBountyDue + input.trusteeFeeDue + input.servicerFeeDue,
                outstanding: input.outstanding,
                interestDue: input.interestDue,
                principalDue: input.principalDue,
                rentIn: run.rentIn
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
        if (run.site != address(0)) {
            uint256 rentArrears = run.rentDue - run.rentPaid;
            if (rentArrears != _rentArrears) _rentArrears = rentArrears;
        }

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
        s.cashIn = input.cash - run.recoveriesSwept + run.rentPaid;
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
        s.rentIn = run.rentIn;
        s.rentPaid = run.rentPaid;
        s.rentArrears = run.rentDue - run.rentPaid;
    }

    /// @dev Moves the cash. Every state change of the period is written before the first transfer. The site rent goes
    /// first, to a deal of this factory (it accepts a registered tenant's rent in every state; see {receiveRent}).
    function _pay(Run memory run, WaterfallMath.Result memory r, address recipient) private {
        IERC20 coin = _stablecoin();
        uint256 rent = run.rentPaid;
        if (rent != 0) {
            coin.safeTransfer(run.site, rent);
            IDealMain(run.site).receiveRent(run.period, rent);
        }
        if (r.keeperBountyPaid != 0) coin.safeTransfer(run.keeper, r.keeperBountyPaid);
        for (uint256 i; i < run.notes; ++i) {
            uint256 amount = r.interestPaid[i] + r.principalPaid[i];
            if (amount != 0) _payTranche(_token(i), coin, amount);
        }
        if (r.residual != 0) _payResidual(recipient, coin, r.residual);
    }

    // ------------------------------------------------------------ site rent

    /// @inheritdoc IDealMain
    /// @dev No pause check and no reentrancy guard: while this deal has not ended a receipt moves no cash (it only
    /// counts), so nothing can stop a tenant's distribution here, and a receipt is pending until the next distribution
    /// counts it whenever it lands. Once this deal has ended the extension pays the rent on, under its guard.
    function receiveRent(uint256 tenantPeriod, uint256 amount) external {
        if (!_isTenant[msg.sender]) revert NotTenant(msg.sender);
        if (_status >= DealStatus.Repaid) _delegate();
        // A tenant's rent is below 2^128 (it is paid out of its collections); the total wraps by design.
        unchecked {
            _rentReceived += uint128(amount);
        }
        emit RentReceived(msg.sender, _nextPeriod, tenantPeriod, amount);
    }

    // ------------------------------------------------------------ equity classes' claims

    /// @inheritdoc IDealMain
    /// @dev A class token asks only for what its cash index has announced (the index rounds down), and the waterfall
    /// announces exactly the cash the deal kept for it: no class reaches another's cash or the deal's own. Bounded by
    /// the tranche count (at most 8). No pause check: a paused token refuses claims itself, as a note's does.
    function payClaim(address receiver, uint256 amount) external nonReentrant {
        uint256 count = _trancheCount();
        uint256 i = DealArgs.noteCount();
        // A single equity class holds its own cash: only the classes of a waterfall (two or more) are paid here.
        if (i + 1 >= count) revert NotClassToken(msg.sender);
        while (_token(i) != msg.sender) {
            if (++i == count) revert NotClassToken(msg.sender);
        }
        _stablecoin().safeTransfer(receiver, amount);
    }

    // ------------------------------------------------------------ pause

    /// @inheritdoc IDealMain
    function pause() external onlyRole(Roles.GUARDIAN) {
        _pause();
        _pushPause(true);
    }

    /// @inheritdoc IDealMain
    function unpause() external onlyRole(Roles.GUARDIAN) {
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

    /// @inheritdoc IDealMain
    function paused() public view override(IDealMain, Pausable) returns (bool) {
        return super.paused();
    }

    /// @inheritdoc IDealMain
    function status() external view returns (DealStatus) {
        return _status;
    }

    /// @inheritdoc IDealMain
    function trancheContracts(uint256 index) external view returns (address token, address offering) {
        if (index >= _trancheCount()) revert UnknownTranche(index);
        return (_token(index), _offering(index));
    }

    // ------------------------------------------------------------ extension

    /// @dev Every other function of {IDeal}: run by the extension's code on this deal's storage, for the same caller;
    /// its result or revert is returned as it is. Ether is refused (the fallback is not payable).
    // solhint-disable-next-line no-complex-fallback
    fallback() external {
        _delegate();
    }

    /// @dev Runs this call's calldata in the extension by delegate call and ends the call with its result or revert.
    function _delegate() private {
        address extension = EXTENSION;
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            calldatacopy(0x00, 0x00, calldatasize())
            let ok := delegatecall(gas(), extension, 0x00, calldatasize(), 0x00, 0x00)
            returndatacopy(0x00, 0x00, returndatasize())
            if iszero(ok) {
                revert(0x00, returndatasize())
            }
            return(0x00, returndatasize())
        }
    }
}
