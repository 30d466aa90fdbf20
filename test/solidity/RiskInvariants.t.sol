// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {
    CouponTerms,
    CouponType,
    DealStatus,
    DepreciationMethod,
    FleetEntryTerms,
    PeriodStatement,
    PriceFeedTerms,
    PrincipalTerms,
    PrincipalType,
    RiskMetric,
    TermSheet,
    TrancheTerms,
    TriggerComparison,
    TriggerEffect,
    TriggerTerms
} from "../../contracts/interfaces/ICascadeTypes.sol";
import {IDeal, IDealBase, IDealExtension} from "../../contracts/interfaces/IDeal.sol";
import {IOffering} from "../../contracts/interfaces/IOffering.sol";
import {IRiskEngine} from "../../contracts/interfaces/IRiskEngine.sol";
import {ITrancheToken} from "../../contracts/interfaces/ITrancheToken.sol";
import {IUtilizationOracle} from "../../contracts/interfaces/IUtilizationOracle.sol";
import {BlocklistStablecoin} from "../../contracts/mocks/BlocklistStablecoin.sol";
import {HostileAggregator} from "../../contracts/mocks/HostileAggregator.sol";
import {UtilizationOracle} from "../../contracts/oracle/UtilizationOracle.sol";

import {ProtocolFixture, ReportSigning} from "./utils/ProtocolFixture.sol";
import {TestBase} from "./utils/Vm.sol";

/*
 * Invariants of a deal with covenants, checked after random sequences of RiskHandler actions: collections
 * deposited (sometimes short of the revenue reported, sometimes above it), 2-of-3 signed reports with random
 * utilization and revenue, periods left unreported past their deadline, time warps, distributions, recoveries
 * (deposited directly, or as the proceeds of retired GPUs through the risk engine), trustee write-downs, issuer
 * clean-up calls, claims, fleet entries the issuer adds and the trustee or the guardian confirms or rejects, and a
 * price feed that answers new levels or turns hostile (contracts/mocks/HostileAggregator.sol).
 *
 * The deal (created through the factory): 8 monthly periods; senior 6 M at 8 % amortizing straight-line over
 * periods 1–6 and funding the 150 k reserve from 2.5 % of its proceeds; junior 2 M utilization-linked bullet;
 * equity 1 M; clean-up at 20 % of senior face; a fleet of three entries (12.5 M at cost, straight-line and declining
 * balance, the H100 line marked to the feed's rental-price index). Triggers:
 *   0  DSCR below 1.2 for 1 period: cash trap, cures.
 *   1  DSCR below 0.5 for 2 periods: acceleration (latching).
 *   2  Utilization below 40 % for 2 periods: cash trap, cures.
 *   3  LTV above 80 % for 1 period: cash trap, cures.
 *   4  Senior curve (senior outstanding / collateral value) above 85 %: acceleration (latching).
 *   5  Missed report for 2 consecutive periods: acceleration (latching).
 *
 * R-A  No cash is created or lost. The deal's stablecoin balance is exactly its undistributed collections plus
 *      its reserve, at every step. Across the deal's life, cash in (reserve funded at the offering + collections
 *      deposited + recoveries + the issuer's part of a clean-up call) == cash paid out (statement lines to the
 *      keeper, the fees and the tokens, recoveries paid to tokens, clean-up payouts) + the deal's balance, and
 *      the cash paid out is exactly what the tokens, their claiming holders, the trustee, the servicer, the
 *      keeper and the issuer hold beyond their own money. Each statement sums to its cash (trapped cash
 *      included), its reserveAfter is the reserve, and the deal's balance fell by exactly its payment lines.
 * R-B  Equity receives no cash (waterfall residual, recoveries or clean-up surplus) while any trigger is active,
 *      unless every note is fully repaid: no principal outstanding, no written-down principal and no interest
 *      arrears. Written-down principal ranks ahead of equity in every waterfall order, in recoveries and in the
 *      clean-up call.
 * R-C  While the deal runs, its status is the mode the engine's active triggers imply (Accelerated if an
 *      acceleration trigger is active, else CashTrap if any is, else Active; Active once no note principal was
 *      outstanding at the last assessment). Each distribution's statement shows that mode and the engine's active
 *      set; a trigger only fires in breach (after its consecutive periods), a curable one clears at the first
 *      period out of breach, a latching one never clears, and the final period changes no trigger.
 * R-D  Every tranche token holds enough stablecoin for what its holders (and its offering) can claim.
 * R-E  Liveness and exact refusals: a ready period distributes; a quorum report of an ended period is accepted
 *      before its report deadline and refused with ReportDeadlinePassed from it on; a write-down, recovery or
 *      clean-up call succeeds exactly when its conditions hold and otherwise reverts with the error that names the
 *      failed condition.
 * R-F  Notes are paid in their priority and earn their coupon on every unit of principal for the whole period: a
 *      recovery deposited into a running deal repays no principal and moves no collection until a distribution
 *      applies it; each period's senior interest due is the coupon on the senior principal outstanding when the
 *      period's distribution began, plus its arrears; no junior principal is paid while senior interest is unpaid.
 * R-G  The borrower cannot certify its own collateral: fleet entries the issuer adds after creation change neither
 *      the collateral value nor the book value until the trustee confirms them, and a rejected entry never counts.
 * R-H  A price feed that reverts, answers short, burns its gas, floods memory or answers garbage never stops a
 *      distribution (R-E): the period is valued at the last accepted index, as the engine's views say.
 */
contract RiskInvariantsTest is ProtocolFixture {
    uint256 internal constant PERIODS = 8;

    IDeal internal deal;
    IRiskEngine internal engine;
    HostileAggregator internal feed;
    ITrancheToken[] internal tokens;
    IOffering[] internal offerings;
    address[] internal holders;
    RiskHandler internal handler;
    uint256 internal proceeds;
    uint256 internal reserveFunded;

    function setUp() public {
        _deployProtocol();
        // A realistic clock, so the fleet can have been bought before the deal starts.
        vm.warp(1_750_000_000);

        TrancheTerms[] memory tranches = new TrancheTerms[](3);
        tranches[0] = _note(
            "SENIOR",
            6_000_000 * USDC,
            USDC,
            250,
            _fixed(8e16),
            PrincipalTerms(PrincipalType.StraightLine, 1, 6)
        );
        tranches[1] = _note(
            "JUNIOR",
            2_000_000 * USDC,
            USDC,
            0,
            CouponTerms(CouponType.UtilizationLinked, 11e16, 20e16, 70e16, 8e16, 15e16),
            _bullet()
        );
        tranches[2] = _equity("EQUITY", 1_000_000 * USDC, USDC);
        TermSheet memory t = _termSheet(tranches, uint16(PERIODS));
        t.risk.cleanUpBps = 2_000;

        TriggerTerms[] memory triggers = new TriggerTerms[](6);
        triggers[0] = _trigger(RiskMetric.Dscr, TriggerComparison.Below, TriggerEffect.CashTrap, 1, true, 1.2e18);
        triggers[1] = _trigger(RiskMetric.Dscr, TriggerComparison.Below, TriggerEffect.Accelerate, 2, false, 0.5e18);
        triggers[2] = _trigger(
            RiskMetric.Utilization,
            TriggerComparison.Below,
            TriggerEffect.CashTrap,
            2,
            true,
            0.4e18
        );
        triggers[3] = _trigger(RiskMetric.Ltv, TriggerComparison.Above, TriggerEffect.CashTrap, 1, true, 0.8e18);
        triggers[4] = _trigger(
            RiskMetric.SeniorCurve,
            TriggerComparison.Above,
            TriggerEffect.Accelerate,
            1,
            false,
            0.85e18
        );
        triggers[5] = _trigger(RiskMetric.MissedReport, TriggerComparison.Above, TriggerEffect.Accelerate, 2, false, 0);
        t.risk.triggers = triggers;

        FleetEntryTerms[] memory fleet = new FleetEntryTerms[](3);
        uint64 acquired = t.start - 30 days;
        fleet[0] = _fleetEntry("H100", 200, 30_000 * USDC, 5_000 * USDC, acquired, 4 * 365 days, 0);
        // The H100 line is marked to a GPU rental-price index whose feed the handler can turn hostile.
        feed = new HostileAggregator(8);
        feed.set(2e8, block.timestamp);
        fleet[0].indexAtAcquisition = 2e8;
        t.risk.priceFeed = PriceFeedTerms({feed: address(feed), decimals: 8, maxStaleness: 45 days});
        fleet[1] = _fleetEntry("A100", 300, 15_000 * USDC, 2_000 * USDC, acquired, 5 * 365 days, 0.3e18);
        fleet[2] = _fleetEntry("L40S", 200, 10_000 * USDC, 1_000 * USDC, acquired, 3 * 365 days, 0);
        t.risk.fleet = fleet;

        IOffering[] memory o;
        ITrancheToken[] memory tk;
        (deal, tk, o) = _createDeal(t);
        engine = IRiskEngine(deal.riskEngine());
        for (uint256 i; i < tk.length; ++i) {
            tokens.push(tk[i]);
            offerings.push(o[i]);
        }
        for (uint256 i; i < 4; ++i) holders.push(vm.addr(0xB01DE0 + i));

        // Every tranche sold in full, every allocation delivered except part of the junior one.
        vm.warp(t.offeringOpensAt);
        _subscribe(o[0], holders[0], 4_000_000 * USDC);
        _subscribe(o[0], holders[1], 2_000_000 * USDC);
        _subscribe(o[1], holders[1], 1_500_000 * USDC);
        _subscribe(o[1], holders[2], 500_000 * USDC);
        _subscribe(o[2], holders[2], 600_000 * USDC);
        _subscribe(o[2], holders[3], 400_000 * USDC);
        vm.warp(t.offeringClosesAt);
        for (uint256 i; i < o.length; ++i) {
            o[i].close();
            // The proceeds are credited at close; the issuer withdraws them.
            vm.prank(issuer);
            o[i].withdrawProceeds();
        }
        proceeds = usdc.balanceOf(issuer);
        (reserveFunded, ) = deal.reserve();
        assertEq(reserveFunded, 150_000 * USDC, "setUp: reserve funding");
        assertEq(uint256(deal.status()), uint256(DealStatus.Active), "setUp: deal not active");
        for (uint256 i; i < o.length; ++i) {
            for (uint256 h; h < holders.length; ++h) {
                uint256 shares = o[i].maxDeposit(holders[h]);
                if (i == 1 && h == 2) shares /= 2;
                if (shares == 0) continue;
                vm.prank(holders[h]);
                o[i].deposit(shares, holders[h]);
            }
        }

        handler = new RiskHandler(
            RiskHandler.Setup({
                deal: deal,
                engine: engine,
                oracle: oracle,
                usdc: usdc,
                servicer: servicer,
                trustee: trustee,
                issuer: issuer,
                guardian: guardian,
                feed: feed,
                tokens: tk,
                offerings: o,
                holders: holders,
                reporterKeys: reporterKeys,
                cashIn: reserveFunded
            })
        );
    }

    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(handler);
    }

    // ------------------------------------------------------------------ invariants

    /// R-A
    function invariant_cashConserved() public view {
        assertTrue(bytes(handler.cashViolation()).length == 0, handler.cashViolation());
        (uint256 reserveBalance, ) = deal.reserve();
        uint256 held = usdc.balanceOf(address(deal));
        (uint256 trusteeOwed, uint256 servicerOwed) = deal.feesOwed();
        uint256 owed = trusteeOwed + servicerOwed + deal.residualOwed();
        assertEq(
            held,
            deal.undistributedCollections() + reserveBalance + deal.recoveries() + owed,
            "R-A: deal balance != collections + reserve + recoveries + fees and residual owed"
        );
        assertEq(handler.ghostCashIn(), handler.ghostPaidOut() + held, "R-A: cash in != paid out + held");

        uint256 recipients = usdc.balanceOf(trustee) + usdc.balanceOf(servicer) + usdc.balanceOf(address(handler));
        recipients += usdc.balanceOf(issuer) - proceeds;
        for (uint256 i; i < tokens.length; ++i) {
            recipients += usdc.balanceOf(address(tokens[i])) + usdc.balanceOf(address(offerings[i]));
        }
        for (uint256 h; h < holders.length; ++h) recipients += usdc.balanceOf(holders[h]);
        assertEq(recipients, handler.ghostPaidOut(), "R-A: recipients hold other than what was paid out");
        assertEq(usdc.balanceOf(handler.recoverer()), 0, "R-A: recoverer kept part of its recoveries");

        DealStatus status = deal.status();
        if (status == DealStatus.Repaid || status == DealStatus.Defaulted) {
            assertEq(held, owed, "R-A: deal holds cash other than fees and residual owed after it ended");
        }
    }

    /// R-B
    function invariant_equityLockedWhileTriggered() public view {
        assertTrue(bytes(handler.equityViolation()).length == 0, handler.equityViolation());
    }

    /// R-C
    function invariant_statusFollowsTriggers() public view {
        assertTrue(bytes(handler.modeViolation()).length == 0, handler.modeViolation());
        DealStatus status = deal.status();
        if (status != DealStatus.Active && status != DealStatus.CashTrap && status != DealStatus.Accelerated) return;
        DealStatus implied =
            handler.ghostAssessed() && handler.ghostLastNotesOutstanding() == 0
                ? DealStatus.Active
                : handler.modeOf(engine.activeTriggers());
        assertEq(uint256(status), uint256(implied), "R-C: status != mode implied by the active triggers");
    }

    /// R-D
    function invariant_tokensSolvent() public view {
        for (uint256 i; i < tokens.length; ++i) {
            ITrancheToken token = tokens[i];
            uint256 owed = token.claimable(address(offerings[i]));
            for (uint256 h; h < holders.length; ++h) owed += token.claimable(holders[h]);
            assertLe(owed, usdc.balanceOf(address(token)), "R-D: token owes more than it holds");
        }
    }

    /// R-E
    function invariant_entitledActionsSucceed() public view {
        assertTrue(bytes(handler.livenessViolation()).length == 0, handler.livenessViolation());
    }

    /// R-F
    function invariant_notesPaidInPriority() public view {
        assertTrue(bytes(handler.priorityViolation()).length == 0, handler.priorityViolation());
    }

    /// R-G
    function invariant_onlyConfirmedCollateralCounts() public view {
        assertTrue(bytes(handler.collateralViolation()).length == 0, handler.collateralViolation());
    }

    // ------------------------------------------------------------------ whole lives through the handler

    /// Revenue collapses for two periods: the DSCR cash trap fires at once, the DSCR acceleration latches at the
    /// second, the reserve is released to pay principal, the trustee writes down the junior note, recoveries pay
    /// the senior note, and equity receives nothing while the acceleration stays active.
    function test_handler_accelerationWriteDownRecoveries() public {
        handler.periodReported(2_000_000 * USDC, 900_000, 10_000, 0);
        assertEq(uint256(deal.status()), uint256(DealStatus.Active), "healthy first period");
        handler.periodReported(100_000 * USDC, 900_000, 10_000, 0);
        assertEq(uint256(deal.status()), uint256(DealStatus.CashTrap), "DSCR cash trap");
        handler.periodReported(100_000 * USDC, 900_000, 10_000, 0);
        assertEq(uint256(deal.status()), uint256(DealStatus.Accelerated), "DSCR acceleration");
        (uint256 reserveBalance, ) = deal.reserve();
        assertEq(reserveBalance, 0, "accelerated: reserve released");
        assertEq(deal.undistributedCollections(), 0, "every collection distributed");

        handler.writeDown(500_000 * USDC);
        assertEq(deal.tranche(1).writtenDown, 500_000 * USDC, "junior written down");
        assertEq(deal.tranche(2).writtenDown, 1_000_000 * USDC, "equity written off first");
        uint256 seniorBefore = deal.tranche(0).outstanding;
        handler.depositRecoveries(8_000_000 * USDC);
        assertEq(deal.recoveries(), 8_000_000 * USDC, "recoveries held in the recovery account");
        assertEq(deal.tranche(0).outstanding, seniorBefore, "recoveries repay nothing before a distribution");
        // The accelerated period sweeps the recovery account into the paydown: senior interest, then principal by
        // rank, then the written-down principal.
        handler.periodReported(2_000_000 * USDC, 900_000, 10_000, 1);
        assertEq(deal.tranche(0).outstanding, 0, "recoveries repaid the senior note");
        assertEq(deal.tranche(1).writtenDown, 0, "recoveries restored the written-down principal");
        assertEq(deal.recoveries(), 0, "the accelerated period applied every recovery");
        handler.periodReported(2_000_000 * USDC, 900_000, 10_000, 1);
        assertEq(uint256(deal.status()), uint256(DealStatus.Active), "no principal outstanding: Active");
        _assertAll();
    }

    /// Two unreported periods in a row fire the missed-report acceleration; the deal runs to its end.
    function test_handler_missedReportsAccelerate() public {
        handler.periodReported(2_000_000 * USDC, 900_000, 10_000, 0);
        handler.periodUnreported(1_500_000 * USDC, 0);
        handler.periodUnreported(1_500_000 * USDC, 0);
        assertEq(uint256(deal.status()), uint256(DealStatus.Accelerated), "missed reports accelerate");
        for (uint256 p = 3; p < PERIODS; ++p) handler.periodReported(1_500_000 * USDC, 900_000, 10_000, p);
        DealStatus status = deal.status();
        assertTrue(status == DealStatus.Repaid || status == DealStatus.Defaulted, "deal not ended");
        _assertAll();
    }

    /// Healthy periods until senior is below 20 % of its face: the issuer calls every note.
    function test_handler_cleanUpCall() public {
        for (uint256 p; p < 6; ++p) handler.periodReported(2_000_000 * USDC, 900_000, 10_000, p);
        assertTrue(engine.cleanUpCallable(), "clean-up not callable");
        handler.cleanUpCall();
        assertEq(uint256(deal.status()), uint256(DealStatus.Repaid), "clean-up did not repay");
        _assertAll();
    }

    function _assertAll() internal view {
        invariant_cashConserved();
        invariant_equityLockedWhileTriggered();
        invariant_statusFollowsTriggers();
        invariant_tokensSolvent();
        invariant_entitledActionsSucceed();
        invariant_notesPaidInPriority();
        invariant_onlyConfirmedCollateralCounts();
    }
}

/// @notice The only target of the risk invariant test. Actions are bounded to what a participant could do; none
/// reverts on purpose (the runner ignores reverting calls): failures are recorded in flags the invariants assert.
/// @dev In the test file so the runner has its ABI (see DealInvariants.t.sol).
contract RiskHandler is TestBase {
    uint256 internal constant USDC = 1e6;
    uint256 internal constant MAX_REVENUE = 2_500_000 * USDC;
    uint256 internal constant GPU_HOURS_AVAILABLE = 1_000_000;
    uint256 internal constant DISPUTE_WINDOW = 1 days;

    struct Setup {
        IDeal deal;
        IRiskEngine engine;
        UtilizationOracle oracle;
        BlocklistStablecoin usdc;
        address servicer;
        address trustee;
        address issuer;
        address guardian;
        HostileAggregator feed;
        ITrancheToken[] tokens;
        IOffering[] offerings;
        address[] holders;
        uint256[] reporterKeys;
        uint256 cashIn;
    }

    /// @dev Balances and state around one distribution.
    struct Before {
        uint256 dealBalance;
        uint256 collections;
        uint256 recoveries;
        uint256 active;
        uint256 seniorOutstanding;
        uint256 seniorArrears;
    }

    IDeal public immutable deal;
    IRiskEngine public immutable engine;
    UtilizationOracle public immutable oracle;
    BlocklistStablecoin public immutable usdc;
    address public immutable servicer;
    address public immutable trustee;
    address public immutable issuer;
    address public immutable guardian;
    HostileAggregator public immutable feed;
    address public immutable recoverer;
    ITrancheToken[] public tokens;
    IOffering[] public offerings;
    address[] public holders;
    uint256[] internal _reporterKeys;
    TriggerTerms[] internal _triggers;

    /// @dev Hardhat may reset block.timestamp between fuzzed calls; every action re-applies the handler's clock.
    uint256 public currentTime;

    uint256 public ghostCashIn;
    uint256 public ghostPaidOut;
    uint256 public ghostLastNotesOutstanding;
    bool public ghostAssessed;
    uint256 public ghostEquityClaimed;
    uint256 public ghostLatched;

    string public cashViolation;
    string public equityViolation;
    string public modeViolation;
    string public livenessViolation;
    string public priorityViolation;
    string public collateralViolation;

    constructor(Setup memory s) {
        deal = s.deal;
        engine = s.engine;
        oracle = s.oracle;
        usdc = s.usdc;
        servicer = s.servicer;
        trustee = s.trustee;
        issuer = s.issuer;
        guardian = s.guardian;
        feed = s.feed;
        recoverer = vm.addr(0x2EC0FE2);
        tokens = s.tokens;
        offerings = s.offerings;
        holders = s.holders;
        _reporterKeys = s.reporterKeys;
        ghostCashIn = s.cashIn;
        TriggerTerms[] memory list = s.engine.triggers();
        for (uint256 i; i < list.length; ++i) _triggers.push(list[i]);
        currentTime = block.timestamp;
    }

    /// @dev Re-applies the clock and, after the action, checks that equity received nothing while locked (R-B).
    modifier action() {
        vm.warp(currentTime);
        address equity = address(tokens[tokens.length - 1]);
        uint256 equityBefore = usdc.balanceOf(equity) + ghostEquityClaimed;
        _;
        uint256 equityAfter = usdc.balanceOf(equity) + ghostEquityClaimed;
        if (equityAfter > equityBefore && engine.activeTriggers() != 0 && !_notesFullyRepaid()) {
            _flag(equityViolation, "R-B: equity received cash while a trigger was active and a note unpaid");
        }
    }

    // ------------------------------------------------------------ actions

    /// @notice The servicer deposits collections outside any period's report.
    function depositCollections(uint256 amount) external action {
        _deposit(_bound(amount, 1, MAX_REVENUE));
    }

    /// @notice The next period with no report yet (once ended) is reported by 2 of 3 reporters (refused from its
    /// report deadline on); not distributed.
    function report(uint256 revenue, uint256 billed, uint256 signerPair) external action {
        uint256 period = _nextWithoutReport();
        if (period >= deal.periodCount()) return;
        _warpTo(deal.periodEnd(period));
        _report(period, revenue, billed, signerPair);
    }

    /// @notice Time passes (up to 20 days).
    function warp(uint256 seconds_) external action {
        currentTime += _bound(seconds_, 0, 20 days);
        vm.warp(currentTime);
    }

    /// @notice As the keeper, distributes the next period if it can be made ready (a pending report's dispute
    /// window waited out; a missing report only once its deadline passed).
    function distribute() external action {
        _distributeNext(false);
    }

    /// @notice A whole period: collections of `collectedBps` of the revenue (short of it below 10 000), a report of
    /// that revenue, and the distribution.
    function periodReported(uint256 revenue, uint256 billed, uint256 collectedBps, uint256 signerPair) external action {
        uint256 period = deal.nextPeriod();
        if (!_running() || period >= deal.periodCount()) return;
        revenue = _bound(revenue, 0, MAX_REVENUE);
        uint256 collected = (revenue * _bound(collectedBps, 0, 12_000)) / 10_000;
        if (collected != 0) _deposit(collected);
        if (oracle.reportState(address(deal), period) == IUtilizationOracle.ReportState.None) {
            _warpTo(deal.periodEnd(period));
            _report(period, revenue, billed, signerPair);
        }
        _distributeNext(false);
    }

    /// @notice A whole period with collections but no report: distributed once its report deadline passed.
    function periodUnreported(uint256 collected, uint256 lateBy) external action {
        uint256 period = deal.nextPeriod();
        if (!_running() || period >= deal.periodCount()) return;
        collected = _bound(collected, 0, MAX_REVENUE);
        if (collected != 0) _deposit(collected);
        if (oracle.reportState(address(deal), period) == IUtilizationOracle.ReportState.None) {
            _warpTo(oracle.reportDeadline(address(deal), period) + _bound(lateBy, 0, 2 days));
        }
        _distributeNext(true);
    }

    /// @notice Someone deposits recoveries (e.g. the sale of seized GPUs).
    function depositRecoveries(uint256 amount) external action {
        amount = _bound(amount, 1, 8_000_000 * USDC);
        usdc.mint(recoverer, amount);
        vm.prank(recoverer);
        usdc.approve(address(deal), amount);
        _recover(recoverer, amount, false, 0, 0);
    }

    /// @notice The issuer retires GPUs of a fleet entry; any sale proceeds are recoveries it pays in.
    function retireFleet(uint256 id, uint256 units, uint256 proceeds) external action {
        id = id % engine.fleetEntryCount();
        IRiskEngine.FleetEntry memory entry = engine.fleetEntry(id);
        uint256 active = entry.activeCount;
        if (entry.status != IRiskEngine.FleetEntryStatus.Confirmed) {
            vm.prank(issuer);
            try engine.retireFleetEntry(id, 1, 0) {
                _flag(collateralViolation, "R-G: retired GPUs of an unconfirmed fleet entry");
            } catch (bytes memory reason) {
                _expect(reason, abi.encodeWithSelector(IRiskEngine.FleetEntryNotConfirmed.selector, id, entry.status));
            }
            return;
        }
        if (active == 0) {
            vm.prank(issuer);
            try engine.retireFleetEntry(id, 1, 0) {
                _flag(livenessViolation, "R-E: retired a GPU from an empty fleet entry");
            } catch (bytes memory reason) {
                _expect(reason, abi.encodeWithSelector(IRiskEngine.InvalidRetirement.selector, id, 1, 0));
            }
            return;
        }
        units = _bound(units, 1, active);
        proceeds = proceeds % 3 == 0 ? 0 : _bound(proceeds, 1, units * 10_000 * USDC);
        if (proceeds != 0) {
            usdc.mint(issuer, proceeds);
            vm.prank(issuer);
            usdc.approve(address(engine), proceeds);
        }
        _recover(issuer, proceeds, true, id, units);
    }

    /// @notice The price feed answers a new level honestly, or turns hostile (reverts, answers short, burns its gas,
    /// floods memory, answers garbage, pads, or is slow).
    function feedBehaves(uint256 mode, uint256 level) external action {
        HostileAggregator.Mode m = HostileAggregator.Mode(mode % 9);
        feed.setLatestRoundDataMode(m);
        if (m == HostileAggregator.Mode.Honest) feed.set(int256(_bound(level, 0.5e8, 4e8)), currentTime);
    }

    /// @notice The issuer adds a fleet entry after creation: pending, it must not count.
    function proposeFleet(uint256 count, uint256 unitCost) external action {
        if (engine.fleetEntryCount() >= 32) return;
        FleetEntryTerms[] memory entries = new FleetEntryTerms[](1);
        uint256 cost = _bound(unitCost, 1_000 * USDC, 40_000 * USDC);
        entries[0] = FleetEntryTerms({
            model: bytes16("H200"),
            count: uint32(_bound(count, 1, 100_000)),
            unitCost: uint128(cost),
            unitResidual: uint128(cost / 10),
            acquiredAt: uint64(currentTime),
            usefulLife: uint32(3 * 365 days),
            method: DepreciationMethod.StraightLine,
            yearlyRate: 0,
            indexAtAcquisition: 0
        });
        uint256 valueBefore = engine.collateralValue();
        uint256 bookBefore = engine.bookValueAt(currentTime);
        vm.prank(issuer);
        try engine.addFleetEntries(entries) {
            if (engine.collateralValue() != valueBefore || engine.bookValueAt(currentTime) != bookBefore) {
                _flag(collateralViolation, "R-G: a pending fleet entry counted as collateral");
            }
        } catch {
            _flag(livenessViolation, "R-E: the issuer could not propose a valid fleet entry");
        }
    }

    /// @notice The trustee confirms, or the trustee or guardian rejects, a fleet entry; settled entries are refused.
    function settleFleet(uint256 idSeed, uint256 choice) external action {
        uint256 id = idSeed % engine.fleetEntryCount();
        IRiskEngine.FleetEntryStatus status = engine.fleetEntry(id).status;
        uint256 bookBefore = engine.bookValueAt(currentTime);
        bool confirm = choice % 3 == 0;
        vm.prank(confirm || choice % 3 == 1 ? trustee : guardian);
        (bool ok, bytes memory reason) = _call(
            address(engine),
            abi.encodeWithSelector(
                confirm ? IRiskEngine.confirmFleetEntry.selector : IRiskEngine.rejectFleetEntry.selector,
                id
            )
        );
        if (status != IRiskEngine.FleetEntryStatus.Pending) {
            if (ok) _flag(collateralViolation, "R-G: a settled fleet entry was confirmed or rejected again");
            else _expect(reason, abi.encodeWithSelector(IRiskEngine.FleetEntryNotPending.selector, id, status));
            return;
        }
        if (!ok) {
            _flag(livenessViolation, "R-E: the trustee or guardian could not settle a pending fleet entry");
            return;
        }
        uint256 bookAfter = engine.bookValueAt(currentTime);
        if (confirm ? bookAfter < bookBefore : bookAfter != bookBefore) {
            _flag(collateralViolation, "R-G: settling a fleet entry moved the book value the wrong way");
        }
    }

    /// @notice The trustee writes down note principal (allowed only when accelerated with nothing left to pay).
    function writeDown(uint256 amount) external action {
        DealStatus status = deal.status();
        uint256 collections = deal.undistributedCollections();
        (uint256 reserveBalance, ) = deal.reserve();
        uint256 held = deal.recoveries();
        uint256 outstanding = deal.tranche(0).outstanding + deal.tranche(1).outstanding;
        amount = outstanding == 0 ? _bound(amount, 1, 1e12) : _bound(amount, 1, outstanding);
        bytes memory expected;
        if (status != DealStatus.Accelerated) {
            expected = abi.encodeWithSelector(IDealBase.WriteDownNotAllowed.selector, status);
        } else if (collections != 0 || reserveBalance != 0 || held != 0) {
            expected = abi.encodeWithSelector(
                IDealBase.RecoveriesNotExhausted.selector,
                collections,
                reserveBalance,
                held
            );
        } else if (outstanding == 0) {
            expected = abi.encodeWithSelector(IDealBase.InvalidWriteDown.selector, amount, 0);
        }
        vm.prank(trustee);
        try deal.writeDown(amount) {
            if (expected.length != 0) _flag(livenessViolation, "R-E: write-down accepted against its conditions");
            if (deal.tranche(0).outstanding + deal.tranche(1).outstanding != outstanding - amount) {
                _flag(livenessViolation, "R-E: write-down cut other than its amount");
            }
        } catch (bytes memory reason) {
            if (expected.length == 0) _flag(livenessViolation, "R-E: write-down refused though allowed");
            else _expect(reason, expected);
        }
    }

    /// @notice The issuer tries a clean-up call, paying what the collections and reserve do not cover.
    function cleanUpCall() external action {
        bool callable = engine.cleanUpCallable();
        IRiskEngine.CleanUpQuote memory q = engine.cleanUpQuote();
        uint256 held = usdc.balanceOf(address(deal));
        if (q.fromIssuer != 0) {
            usdc.mint(issuer, q.fromIssuer);
            vm.prank(issuer);
            usdc.approve(address(deal), q.fromIssuer);
        }
        vm.prank(issuer);
        try deal.cleanUpCall() {
            if (!callable) _flag(livenessViolation, "R-E: clean-up call accepted though not callable");
            // The fees (arrears included) stay credited in the deal for their recipients to withdraw.
            uint256 owed = _feesOwed() + deal.residualOwed();
            ghostCashIn += q.fromIssuer;
            ghostPaidOut += held + q.fromIssuer - owed;
            if (deal.status() != DealStatus.Repaid || usdc.balanceOf(address(deal)) != owed) {
                _flag(livenessViolation, "R-E: clean-up call left the deal unrepaid or holding other than credits");
            }
        } catch {
            if (callable) _flag(livenessViolation, "R-E: clean-up call refused though callable");
            if (q.fromIssuer != 0) {
                // Return the unused stablecoin so the issuer holds only its proceeds.
                vm.prank(issuer);
                usdc.transfer(address(0xdead), q.fromIssuer);
            }
        }
    }

    /// @notice A holder claims its cash of one tranche.
    function claim(uint256 holderSeed, uint256 tokenSeed) external action {
        uint256 t = tokenSeed % tokens.length;
        address holder = holders[holderSeed % holders.length];
        uint256 expected = tokens[t].claimable(holder);
        if (expected == 0) return;
        vm.prank(holder);
        try tokens[t].claimTo(holder) returns (uint256 amount) {
            if (amount != expected) _flag(cashViolation, "R-D: claim paid other than claimable");
            if (t == tokens.length - 1) ghostEquityClaimed += amount;
        } catch {
            _flag(livenessViolation, "R-E: claim of a positive claimable reverted");
        }
    }

    // ------------------------------------------------------------ views for the invariants

    /// @notice The status a set of active triggers implies: acceleration outranks a cash trap.
    function modeOf(uint256 active) public view returns (DealStatus) {
        if (active == 0) return DealStatus.Active;
        for (uint256 i; i < _triggers.length; ++i) {
            if (active & (1 << i) != 0 && _triggers[i].effect == TriggerEffect.Accelerate) {
                return DealStatus.Accelerated;
            }
        }
        return DealStatus.CashTrap;
    }

    // ------------------------------------------------------------ internals

    function _deposit(uint256 amount) internal {
        DealStatus status = deal.status();
        vm.startPrank(servicer);
        if (status == DealStatus.Repaid || status == DealStatus.Defaulted) {
            try deal.depositCollections(amount) {
                _flag(livenessViolation, "R-E: collections accepted after the deal ended");
            } catch (bytes memory reason) {
                _expect(reason, abi.encodeWithSelector(IDealBase.DealEnded.selector, status));
            }
        } else {
            usdc.mint(servicer, amount);
            usdc.approve(address(deal), amount);
            try deal.depositCollections(amount) {
                ghostCashIn += amount;
            } catch {
                _flag(livenessViolation, "R-E: collections refused on a live deal");
            }
        }
        vm.stopPrank();
    }

    function _report(uint256 period, uint256 revenue, uint256 billed, uint256 signerPair) internal {
        uint256 billedHours = _bound(billed, 0, GPU_HOURS_AVAILABLE);
        IUtilizationOracle.Report memory r = IUtilizationOracle.Report({
            chainId: block.chainid,
            oracle: address(oracle),
            deal: address(deal),
            period: uint64(period),
            round: oracle.getReport(address(deal), period).round,
            reporterSet: oracle.reporterSet(address(deal)),
            gpuHoursAvailable: uint64(GPU_HOURS_AVAILABLE),
            gpuHoursBilled: uint64(billedHours),
            // Revenue is bounded by billed hours × the term sheet's maximum price (1,000 USDC an hour).
            revenue: uint128(_bound(revenue, 0, _min(MAX_REVENUE, billedHours * 1_000 * USDC))),
            energyKwh: 0,
            pue: 0,
            appraisal: 0,
            reportHash: keccak256(abi.encode("servicer report", period))
        });
        uint256[] memory keys = new uint256[](2);
        uint256 pair = signerPair % 3; // (0,1), (0,2), (1,2): ascending in every case
        keys[0] = _reporterKeys[pair == 2 ? 1 : 0];
        keys[1] = _reporterKeys[pair == 0 ? 1 : 2];
        (address[] memory signers, bytes[] memory signatures) = ReportSigning.sign(oracle, r, keys);
        uint64 deadline = oracle.reportDeadline(address(deal), period);
        try oracle.submitReport(r, signers, signatures) {
            if (block.timestamp >= deadline) _flag(livenessViolation, "R-E: report accepted after its deadline");
        } catch (bytes memory reason) {
            bytes memory late = abi.encodeWithSelector(
                IUtilizationOracle.ReportDeadlinePassed.selector,
                address(deal),
                period,
                deadline
            );
            if (block.timestamp < deadline) _flag(livenessViolation, "R-E: quorum report of an ended period refused");
            else _expect(reason, late);
        }
    }

    /// @dev Distributes the next period if it can be made ready. `waitDeadline`: a period without a report waits
    /// for its deadline (it is then distributed as unreported).
    function _distributeNext(bool waitDeadline) internal {
        uint256 period = deal.nextPeriod();
        if (!_running() || period >= deal.periodCount()) return;
        IUtilizationOracle.ReportState state = oracle.reportState(address(deal), period);
        if (state == IUtilizationOracle.ReportState.Pending) {
            _warpTo(oracle.getReport(address(deal), period).proposedAt + DISPUTE_WINDOW);
        } else if (state == IUtilizationOracle.ReportState.None && waitDeadline) {
            _warpTo(oracle.reportDeadline(address(deal), period));
        }
        (bool ready, ) = deal.readyPeriod();
        if (!ready) return;

        Before memory b = Before({
            dealBalance: usdc.balanceOf(address(deal)),
            collections: deal.undistributedCollections(),
            recoveries: deal.recoveries(),
            active: engine.activeTriggers(),
            seniorOutstanding: deal.tranche(0).outstanding,
            seniorArrears: deal.tranche(0).arrears
        });
        try deal.distribute(period) returns (PeriodStatement memory s) {
            _checkStatement(s, b);
            _checkTriggers(s, b.active, period + 1 == deal.periodCount());
        } catch {
            _flag(livenessViolation, "R-E: distribute reverted on a ready period");
        }
    }

    /// @dev R-A on one statement: it sums to its cash, and the deal's balance fell by exactly its payment lines.
    function _checkStatement(PeriodStatement memory s, Before memory b) internal {
        uint256 notes = s.interestPaid.length;
        // Fees are credited in the deal, not paid out: the deal's balance falls by the other lines.
        uint256 fees = s.trusteeFeePaid + s.servicerFeePaid;
        uint256 paid = s.keeperBountyPaid + s.residualPaid;
        for (uint256 i; i < notes; ++i) paid += s.interestPaid[i] + s.principalPaid[i];
        uint256 sources = s.cashIn + s.recoveriesApplied + s.reserveReleased + s.reserveDrawn;
        if (sources != paid + fees + s.reserveToppedUp + s.reserveTrapped) {
            _flag(cashViolation, "R-A: statement does not sum to its cash");
        }
        (uint256 reserveNow, ) = deal.reserve();
        if (s.reserveAfter != reserveNow) _flag(cashViolation, "R-A: reserveAfter is not the reserve");
        if (b.collections - s.cashIn != deal.undistributedCollections()) {
            _flag(cashViolation, "R-A: cash in is not what left the collections");
        }
        if (b.recoveries - s.recoveriesApplied != deal.recoveries()) {
            _flag(cashViolation, "R-A: recoveries applied are not what left the recovery account");
        }
        // R-H: whatever the feed did, the period was valued at the index the engine reads now (the live answer, or the
        // last accepted one), plus the recovery account it started with.
        uint256 valued = engine.collateralValueAt(deal.periodEnd(s.period)) - deal.recoveries() + b.recoveries;
        if (s.metrics.collateralValue != valued) {
            _flag(collateralViolation, "R-H: the period's collateral value is not the index-marked fleet's");
        }
        // R-F: interest is due on the whole principal outstanding through the period, whatever repaid it since.
        if (s.interestDue[0] != _seniorInterest(b.seniorOutstanding) + b.seniorArrears) {
            _flag(priorityViolation, "R-F: senior interest due is not the coupon on its principal outstanding");
        }
        // R-F: no junior principal while senior interest (with arrears) is unpaid.
        for (uint256 i = 1; i < notes; ++i) {
            if (s.principalPaid[i] != 0 && s.interestPaid[0] < s.interestDue[0]) {
                _flag(priorityViolation, "R-F: junior principal paid while senior interest is unpaid");
            }
        }
        // Without equity the residual is credited to the issuer in the deal, not paid out.
        if (s.residualRecipient != address(tokens[tokens.length - 1])) paid -= s.residualPaid;
        if (b.dealBalance - usdc.balanceOf(address(deal)) != paid) {
            _flag(cashViolation, "R-A: deal balance fell by other than the statement's payments");
        }
        ghostPaidOut += paid;
        ghostAssessed = true;
        ghostLastNotesOutstanding = s.metrics.notesOutstanding;
        if (s.mode == DealStatus.Accelerated && s.reserveAfter != 0) {
            _flag(modeViolation, "R-C: reserve kept through an accelerated period");
        }
        if (s.mode != DealStatus.Active && s.residualPaid != 0 && !_notesFullyRepaid()) {
            _flag(equityViolation, "R-B: residual paid in a cash trap or acceleration while a note is unpaid");
        }
    }

    /// @dev R-C on one distribution: mode, status and the trigger state machine.
    function _checkTriggers(PeriodStatement memory s, uint256 activeBefore, bool finalPeriod) internal {
        uint256 active = engine.activeTriggers();
        if (s.metrics.activeMask != active) _flag(modeViolation, "R-C: statement's active set is not the engine's");
        DealStatus implied = s.metrics.notesOutstanding == 0 ? DealStatus.Active : modeOf(active);
        if (s.mode != implied) _flag(modeViolation, "R-C: period ran in other than the triggers' mode");
        DealStatus status = deal.status();
        if (finalPeriod) {
            if (active != activeBefore) _flag(modeViolation, "R-C: the final period changed a trigger");
            if (status != DealStatus.Repaid && status != DealStatus.Defaulted) {
                _flag(modeViolation, "R-C: the deal did not end at its final period");
            }
            return;
        }
        if (status != s.mode) _flag(modeViolation, "R-C: status is not the period's mode");
        uint256 breached = s.metrics.breachedMask;
        for (uint256 i; i < _triggers.length; ++i) {
            uint256 bit = 1 << i;
            bool was = activeBefore & bit != 0;
            bool isActive = active & bit != 0;
            bool inBreach = breached & bit != 0;
            if (isActive && !was && !inBreach) _flag(modeViolation, "R-C: a trigger fired out of breach");
            if (!isActive && was && (inBreach || !_triggers[i].cures)) {
                _flag(modeViolation, "R-C: a trigger cleared in breach or while latching");
            }
            if (was && !inBreach && _triggers[i].cures && isActive) {
                _flag(modeViolation, "R-C: a curable trigger stayed active out of breach");
            }
            if (_triggers[i].periods == 1 && inBreach && !isActive) {
                _flag(modeViolation, "R-C: a one-period trigger in breach is not active");
            }
        }
    }

    /// @dev The senior note's interest for one period on `outstanding`: 8 % a year, actual/365, rounded down.
    function _seniorInterest(uint256 outstanding) internal pure returns (uint256) {
        return (outstanding * 8e16 * 30 days) / (1e18 * 365 days);
    }

    function _feesOwed() internal view returns (uint256) {
        (uint256 trusteeOwed, uint256 servicerOwed) = deal.feesOwed();
        return trusteeOwed + servicerOwed;
    }

    /// @dev The deal around a recovery.
    struct DealCash {
        uint256 collections;
        uint256 balance;
        uint256 recoveries;
        uint256 residualOwed;
        uint256 seniorOutstanding;
    }

    function _dealCash() internal view returns (DealCash memory c) {
        c.collections = deal.undistributedCollections();
        c.balance = usdc.balanceOf(address(deal));
        c.recoveries = deal.recoveries();
        c.residualOwed = deal.residualOwed();
        c.seniorOutstanding = deal.tranche(0).outstanding;
    }

    /// @dev Recoveries, direct (`viaEngine` false) or as the proceeds of retiring `units` of fleet entry `id`.
    function _recover(address payer, uint256 amount, bool viaEngine, uint256 id, uint256 units) internal {
        DealStatus status = deal.status();
        bool running = _running();
        bool accepts = running || status == DealStatus.Defaulted;
        DealCash memory before = _dealCash();
        vm.prank(payer);
        (bool ok, bytes memory reason) = viaEngine
            ? _call(address(engine), abi.encodeCall(IRiskEngine.retireFleetEntry, (id, units, amount)))
            : _call(address(deal), abi.encodeCall(IDealExtension.depositRecoveries, (amount)));
        if (!ok) {
            if (accepts) _flag(livenessViolation, "R-E: recoveries refused while the deal accepts them");
            else _expect(reason, abi.encodeWithSelector(IDealBase.DealNotActive.selector, status));
            // Return the unused stablecoin so payers hold nothing of their own.
            vm.prank(payer);
            usdc.transfer(address(0xdead), amount);
            return;
        }
        if (amount == 0) return;
        if (!accepts) _flag(livenessViolation, "R-E: recoveries accepted after the deal was repaid");
        ghostCashIn += amount;
        DealCash memory afterwards = _dealCash();
        // A running deal holds them all in its recovery account; an ended one pays them out at once (what goes to the
        // issuer without equity is credited in the deal).
        uint256 kept = running ? amount : afterwards.residualOwed - before.residualOwed;
        ghostPaidOut += amount - kept;
        if (afterwards.balance != before.balance + kept) {
            _flag(cashViolation, "R-A: recoveries left other than the recovery account's share in the deal");
        }
        if (!running) return;
        if (afterwards.recoveries != before.recoveries + amount) {
            _flag(cashViolation, "R-A: the recovery account did not take the recoveries");
        }
        // R-F: a recovery repays no principal outside a distribution (the notes keep earning on it).
        if (afterwards.seniorOutstanding != before.seniorOutstanding || afterwards.collections != before.collections) {
            _flag(priorityViolation, "R-F: recoveries moved principal or collections outside a distribution");
        }
    }

    /// @dev Every note: no principal outstanding, none written down and no interest arrears.
    function _notesFullyRepaid() internal view returns (bool) {
        for (uint256 i; i + 1 < tokens.length; ++i) {
            IDeal.TrancheInfo memory t = deal.tranche(i);
            if (t.outstanding != 0 || t.writtenDown != 0 || t.arrears != 0) return false;
        }
        return true;
    }

    function _running() internal view returns (bool) {
        DealStatus s = deal.status();
        return s == DealStatus.Active || s == DealStatus.CashTrap || s == DealStatus.Accelerated;
    }

    /// @dev The earliest undistributed period with no report (never proposed, or disputed).
    function _nextWithoutReport() internal view returns (uint256 period) {
        uint256 count = deal.periodCount();
        period = deal.nextPeriod();
        while (period < count && oracle.reportState(address(deal), period) != IUtilizationOracle.ReportState.None) {
            ++period;
        }
    }

    function _warpTo(uint256 t) internal {
        if (t > currentTime) currentTime = t;
        vm.warp(currentTime);
    }

    function _expect(bytes memory reason, bytes memory expected) internal {
        if (keccak256(reason) != keccak256(expected)) _flag(livenessViolation, "R-E: refused with the wrong error");
    }

    function _flag(string storage slot, string memory message) internal {
        if (bytes(slot).length != 0) return;
        bytes memory b = bytes(message);
        bytes storage s = bytes(slot);
        for (uint256 i; i < b.length; ++i) s.push(b[i]);
    }

    /// @dev A call whose failure the handler inspects (the prank applies to it).
    function _call(address target, bytes memory data) internal returns (bool ok, bytes memory result) {
        // solhint-disable-next-line avoid-low-level-calls
        (ok, result) = target.call(data);
    }

    function _min(uint256 a, uint256 b) internal pure returns (uint256) {
        return a < b ? a : b;
    }

    /// @dev Values already in [min, max] are kept; others wrap by modulo.
    function _bound(uint256 x, uint256 min, uint256 max) internal pure returns (uint256) {
        if (x >= min && x <= max) return x;
        return min + (x % (max - min + 1));
    }
}
