// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

import {
    CouponTerms,
    CouponType,
    DealStatus,
    PeriodStatement,
    PrincipalTerms,
    PrincipalType,
    TermSheet,
    TrancheTerms
} from "../../contracts/interfaces/ICascadeTypes.sol";
import {IDeal, IDealBase} from "../../contracts/interfaces/IDeal.sol";
import {IOffering} from "../../contracts/interfaces/IOffering.sol";
import {ITrancheToken} from "../../contracts/interfaces/ITrancheToken.sol";
import {IUtilizationOracle} from "../../contracts/interfaces/IUtilizationOracle.sol";
import {BlocklistStablecoin} from "../../contracts/mocks/BlocklistStablecoin.sol";
import {UtilizationOracle} from "../../contracts/oracle/UtilizationOracle.sol";

import {ProtocolFixture, ReportSigning} from "./utils/ProtocolFixture.sol";
import {TestBase} from "./utils/Vm.sol";

/*
 * Invariants of a live deal, checked after random sequences of handler actions (DealHandler: deposit collections,
 * advance time and submit a 2-of-3 signed report, dispute a pending report (a reporter or the guardian), let a
 * report deadline pass and mark the period unreported, distribute the next ready period as its keeper (waiting
 * out a pending report's dispute window), transfer tranche tokens between holders, claim accrued cash, take
 * delivery of allocated shares from an offering, withdraw fees, and blocklist or clear a party at the stablecoin,
 * which behaves as USDC can: contracts/mocks/BlocklistStablecoin.sol).
 *
 * The deal: 6 monthly periods; senior 6 M at 8 % amortizing straight-line over periods 1–5 and funding the
 * 150 k reserve from 2.5 % of its proceeds; mezzanine 2 M utilization-linked; junior 1 M at 14 % bullet; equity.
 * The senior offering is oversubscribed (pro-rata allocation), the junior undersubscribed, and part of every
 * allocation is left in its offering so the offering's own accrual is exercised.
 *
 * A  Cash conservation. No stablecoin is created or lost: what the deal, the tranche tokens, the offerings, the
 *    fee recipients, the keeper (the handler, which calls distribute), the issuer and the holders hold equals
 *    what came in (subscriptions accepted + collections deposited); each of those parts equals what the ghosts
 *    say it received (fees, keeper bounties, claims, proceeds).
 * B  Deal solvency. The deal's stablecoin balance is exactly its undistributed collections plus its reserve;
 *    once the deal has ended both are zero.
 * C  Token solvency. For each tranche token, the sum of claimable(holder) over every holder (the offering
 *    included) never exceeds the token's stablecoin balance, which is exactly what was distributed to it minus
 *    what was claimed; the gap is rounding dust of at most one unit per account per distribution (each
 *    account's accrual rounds down at most once per index value; the index carries its own remainder) and one
 *    unit per side of each transfer (a carry in the checkpoint rounds down). The tighter "distributions +
 *    holders" does not hold in general: TrancheTokenDust.t.sol exceeds it.
 * D  Periods are distributed in order and at most once: nextPeriod never decreases and never exceeds
 *    periodCount; every period below it was distributed exactly once and none above; a distributed or
 *    not-ready period is refused; the deal ends (Repaid/Defaulted) exactly when the last one is distributed.
 * E  Outstanding principal of every note never increases, never exceeds what was issued, and equals issued
 *    minus the principal the statements paid minus what the final period wrote off (a deal that ends Defaulted
 *    writes off every note's remaining principal; this deal has no recoveries or trustee write-downs).
 * F  The supply of each tranche token is constant after issue: the tracked holders and the offering hold all
 *    of it, and it equals the amount the offering accepted.
 * G  Every period statement reconciles: it sums to its cash (the keeper bounty and any cash trapped in the reserve
 *    are part of the cash out; with no triggers this deal never traps and always runs Active), its
 *    cash in is what left the collections (all of them for an unreported period), its reserveAfter is the
 *    reserve, the keeper bounty comes first (min(bounty, cash + reserve released)), and each token, fee
 *    recipient and the keeper received exactly its line.
 * H  Accrued cash stays with its account: a transfer gives neither party's claimable to the other (each may lose
 *    one unit to the token's dust as its checkpoint carries it, rounded down, and never gains); a delivery from the
 *    offering moves exactly the delivered shares' pro-rata part (rounded down; all of it on the last delivery)
 *    of the offering's accrual to the receiver, creating or losing none; a claim pays exactly claimable.
 * I  Liveness: nothing a participant is entitled to do reverts (deposits on a live deal, quorum reports of
 *    ended periods before their report deadline (refused with ReportDeadlinePassed from it on), disputes of
 *    pending reports within their window by a reporter or the guardian, marking a period unreported past its
 *    deadline, distribution of a ready period, claims, transfers and deliveries within balance).
 * K  A party the stablecoin blocklists (the issuer, the trustee, the servicer or a holder) stops only its own
 *    payments: periods still distribute (I), other holders claim, and its fees or accrued cash stay owed to it,
 *    unchanged, until it may be paid.
 * J  Oracle lifecycle. A period is distributed only once its report is final or it was marked unreported, never
 *    while its report is pending; its statement says `reported` exactly when the report was final, and the
 *    deal's missedReports counts the unreported periods distributed; a dispute voids the pending report and opens
 *    the next round.
 */
contract DealInvariantsTest is ProtocolFixture {
    uint256 internal constant PERIODS = 6;

    IDeal internal deal;
    ITrancheToken[] internal tokens;
    IOffering[] internal offerings;
    address[] internal holders;
    address internal refundSink;
    DealHandler internal handler;

    uint256 internal proceeds;
    uint256[] internal issued;

    function setUp() public {
        _deployProtocol();

        TrancheTerms[] memory tranches = new TrancheTerms[](4);
        tranches[0] = _note(
            "SENIOR",
            6_000_000 * USDC,
            1_000_000 * USDC,
            250,
            _fixed(8e16),
            PrincipalTerms(PrincipalType.StraightLine, 1, 5)
        );
        tranches[1] = _note(
            "MEZZ",
            2_000_000 * USDC,
            USDC,
            0,
            CouponTerms(CouponType.UtilizationLinked, 11e16, 20e16, 70e16, 8e16, 15e16),
            _bullet()
        );
        tranches[2] = _note("JUNIOR", 1_000_000 * USDC, USDC, 0, _fixed(14e16), _bullet());
        tranches[3] = _equity("EQUITY", 1_000_000 * USDC, USDC);
        TermSheet memory t = _termSheet(tranches, uint16(PERIODS));

        IOffering[] memory o;
        ITrancheToken[] memory tk;
        (deal, tk, o) = _createDeal(t);
        for (uint256 i; i < tk.length; ++i) {
            tokens.push(tk[i]);
            offerings.push(o[i]);
        }
        for (uint256 i; i < 4; ++i) holders.push(vm.addr(0xB01DE0 + i));
        refundSink = vm.addr(0x5111C);

        // Subscriptions: senior oversubscribed 9 M + 1 for 6 M, mezzanine exactly full, junior 0.9 M of 1 M.
        vm.warp(t.offeringOpensAt);
        _subscribe(o[0], holders[0], 4_000_000 * USDC);
        _subscribe(o[0], holders[1], 4_000_000 * USDC);
        _subscribe(o[0], holders[2], 1_000_000 * USDC + 1);
        _subscribe(o[1], holders[0], 1_500_000 * USDC);
        _subscribe(o[1], holders[3], 500_000 * USDC);
        _subscribe(o[2], holders[1], 700_000 * USDC);
        _subscribe(o[2], holders[2], 200_000 * USDC + 7);
        _subscribe(o[3], holders[2], 600_000 * USDC);
        _subscribe(o[3], holders[3], 400_000 * USDC - 3);

        vm.warp(t.offeringClosesAt);
        uint256 accepted;
        for (uint256 i; i < o.length; ++i) {
            o[i].close();
            accepted += o[i].accepted();
            issued.push(o[i].accepted());
            // The proceeds are credited at close; the issuer withdraws them.
            vm.prank(issuer);
            o[i].withdrawProceeds();
            for (uint256 h; h < holders.length; ++h) {
                if (o[i].refundable(holders[h]) == 0) continue;
                vm.prank(holders[h]);
                o[i].refund(refundSink, holders[h]);
            }
        }
        proceeds = usdc.balanceOf(issuer);
        (uint256 reserveFunded, ) = deal.reserve();
        assertEq(proceeds + reserveFunded, accepted, "setUp: proceeds + reserve funding != accepted");
        assertEq(uint256(deal.status()), uint256(DealStatus.Active), "setUp: deal not active");

        // Deliveries: some allocations in full, some in part, some left in the offering.
        _deliver(o[0], holders[0], o[0].maxDeposit(holders[0]) / 2);
        _deliver(o[0], holders[1], o[0].maxDeposit(holders[1]));
        _deliver(o[1], holders[0], o[1].maxDeposit(holders[0]));
        _deliver(o[2], holders[1], o[2].maxDeposit(holders[1]));
        _deliver(o[2], holders[2], o[2].maxDeposit(holders[2]) / 2);
        _deliver(o[3], holders[2], o[3].maxDeposit(holders[2]));
        _deliver(o[3], holders[3], o[3].maxDeposit(holders[3]) / 4);

        handler = new DealHandler(deal, oracle, usdc, servicer, guardian, tk, o, holders, reporterKeys);
    }

    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(handler);
    }

    // ------------------------------------------------------------------ invariants

    /// A
    function invariant_cashConservation() public view {
        uint256 inflow = handler.ghostDeposited();
        uint256 held = usdc.balanceOf(address(deal));
        uint256 holdersHold;
        for (uint256 i; i < tokens.length; ++i) {
            inflow += offerings[i].accepted();
            held += usdc.balanceOf(address(tokens[i])) + usdc.balanceOf(address(offerings[i]));
        }
        for (uint256 h; h < holders.length; ++h) holdersHold += usdc.balanceOf(holders[h]);
        uint256 fees = usdc.balanceOf(trustee) + usdc.balanceOf(servicer);
        uint256 keeper = usdc.balanceOf(address(handler));
        held += fees + keeper + usdc.balanceOf(issuer) + holdersHold;
        (uint256 trusteeOwed, uint256 servicerOwed) = deal.feesOwed();

        assertEq(held, inflow, "A: stablecoin held != subscriptions accepted + collections");
        assertEq(
            fees + trusteeOwed + servicerOwed,
            handler.ghostFeesPaid(),
            "A: fees withdrawn + owed other than the fees paid"
        );
        assertEq(fees, handler.ghostFeesWithdrawn(), "A: fee recipients hold other than what they withdrew");
        assertEq(keeper, handler.ghostKeeperPaid(), "A: keeper holds other than the bounties paid");
        assertEq(holdersHold, handler.ghostClaimed(), "A: holders hold other than what they claimed");
        assertEq(usdc.balanceOf(issuer), proceeds, "A: issuer holds other than its proceeds");
        assertEq(usdc.totalSupply(), held + usdc.balanceOf(refundSink), "A: stablecoin outside tracked accounts");
    }

    /// B
    function invariant_dealSolvency() public view {
        (uint256 reserveBalance, ) = deal.reserve();
        uint256 collections = deal.undistributedCollections();
        (uint256 trusteeOwed, uint256 servicerOwed) = deal.feesOwed();
        assertEq(
            usdc.balanceOf(address(deal)),
            collections + reserveBalance + trusteeOwed + servicerOwed,
            "B: deal balance != collections + reserve + fees owed"
        );
        DealStatus status = deal.status();
        if (status == DealStatus.Repaid || status == DealStatus.Defaulted) {
            assertEq(collections, 0, "B: collections left after the deal ended");
            assertEq(reserveBalance, 0, "B: reserve left after the deal ended");
        }
    }

    /// C
    function invariant_tokenSolvency() public view {
        uint256 accounts = holders.length + 1;
        for (uint256 i; i < tokens.length; ++i) {
            ITrancheToken token = tokens[i];
            uint256 owed = token.claimable(address(offerings[i]));
            for (uint256 h; h < holders.length; ++h) owed += token.claimable(holders[h]);
            uint256 balance = usdc.balanceOf(address(token));
            assertEq(
                balance,
                handler.ghostTokenIn(i) - handler.ghostTokenClaimed(i),
                "C: token balance != distributed - claimed"
            );
            assertLe(owed, balance, "C: token owes more than it holds");
            assertLe(
                balance - owed,
                accounts * handler.ghostTokenDistributions(i) + handler.ghostTokenCarries(i),
                "C: token dust above bound"
            );
        }
    }

    /// D
    function invariant_periodsDistributedInOrderOnce() public view {
        assertTrue(bytes(handler.nextPeriodViolation()).length == 0, handler.nextPeriodViolation());
        uint256 next = deal.nextPeriod();
        uint256 count = deal.periodCount();
        assertLe(next, count, "D: nextPeriod beyond periodCount");
        assertEq(next, handler.ghostDistributions(), "D: nextPeriod != distributions made");
        for (uint256 p; p < count; ++p) {
            assertEq(handler.ghostTimesDistributed(p), p < next ? 1 : 0, "D: period not distributed exactly once");
        }
        DealStatus status = deal.status();
        bool ended = status == DealStatus.Repaid || status == DealStatus.Defaulted;
        assertTrue(ended == (next == count), "D: deal ended other than at the last period");
    }

    /// E
    function invariant_outstandingNeverIncreases() public view {
        assertTrue(bytes(handler.outstandingViolation()).length == 0, handler.outstandingViolation());
        for (uint256 i; i + 1 < tokens.length; ++i) {
            IDeal.TrancheInfo memory info = deal.tranche(i);
            assertEq(info.issued, issued[i], "E: issued changed");
            assertLe(info.outstanding, info.issued, "E: outstanding above issued");
            assertEq(
                info.outstanding + info.writtenDown,
                info.issued - handler.ghostPrincipalPaid(i),
                "E: outstanding + written down != issued - paid"
            );
            if (deal.status() != DealStatus.Defaulted) assertEq(info.writtenDown, 0, "E: written down before default");
            assertLe(info.outstanding, handler.lastOutstanding(i), "E: outstanding above last seen");
        }
    }

    /// F
    function invariant_supplyConstant() public view {
        for (uint256 i; i < tokens.length; ++i) {
            ITrancheToken token = tokens[i];
            uint256 held = token.balanceOf(address(offerings[i]));
            for (uint256 h; h < holders.length; ++h) held += token.balanceOf(holders[h]);
            assertEq(token.totalSupply(), issued[i], "F: supply changed after issue");
            assertEq(held, token.totalSupply(), "F: tracked balances != supply");
        }
    }

    /// G
    function invariant_statementsReconcile() public view {
        assertTrue(bytes(handler.statementViolation()).length == 0, handler.statementViolation());
    }

    /// H
    function invariant_accrualsStayWithTheirAccount() public view {
        assertTrue(bytes(handler.accrualViolation()).length == 0, handler.accrualViolation());
    }

    /// I
    function invariant_entitledActionsSucceed() public view {
        assertTrue(bytes(handler.livenessViolation()).length == 0, handler.livenessViolation());
    }

    /// J
    function invariant_oracleLifecycle() public view {
        assertTrue(bytes(handler.oracleViolation()).length == 0, handler.oracleViolation());
        uint256 next = deal.nextPeriod();
        uint256 unreported;
        for (uint256 p; p < next; ++p) {
            IUtilizationOracle.ReportState state = oracle.reportState(address(deal), p);
            bool final_ = state == IUtilizationOracle.ReportState.Final;
            assertTrue(final_ || state == IUtilizationOracle.ReportState.Unreported, "J: distributed without outcome");
            assertTrue(final_ == handler.ghostStatementReported(p), "J: statement.reported != report final");
            if (!final_) ++unreported;
        }
        assertEq(deal.missedReports(), unreported, "J: missedReports != unreported periods distributed");
        assertEq(unreported, handler.ghostUnreportedDistributed(), "J: unreported distributions miscounted");
    }

    // ------------------------------------------------------------------ whole lives through the handler

    /// Every period paid in full (collections run ahead of revenue and the surplus is carried to the final period,
    /// which distributes everything): the deal ends Repaid and every invariant holds at the end.
    function test_handler_fullLifeRepaid() public {
        for (uint256 p; p < PERIODS; ++p) {
            handler.depositCollections(2_500_000 * USDC);
            handler.depositCollections(2_500_000 * USDC);
            handler.advanceAndReport(2_500_000 * USDC, 800_000, p, p);
            handler.distribute();
            handler.transfer(p, p + 1, p, type(uint256).max - p);
            handler.claim(p, p);
            handler.deliver(p, p, p * 1e11);
        }

        assertEq(uint256(deal.status()), uint256(DealStatus.Repaid), "deal not repaid");
        _assertAll();
    }

    /// No revenue at all: the reserve pays senior interest until exhausted, the deal ends Defaulted.
    function test_handler_fullLifeDefaulted() public {
        for (uint256 p; p < PERIODS; ++p) {
            handler.depositCollections(1);
            handler.advanceAndReport(0, 0, p, 0);
            handler.distribute();
            handler.claim(p, 0);
        }
        assertEq(uint256(deal.status()), uint256(DealStatus.Defaulted), "deal not defaulted");
        // The final period writes off what is left: the junior note (never paid) in full, equity first.
        assertEq(deal.tranche(2).writtenDown, issued[2], "junior not written off in full");
        assertEq(deal.tranche(3).writtenDown, issued[3], "equity not written off in full");
        handler.depositCollections(1_000); // refused: the deal has ended
        _assertAll();
    }

    /// Disputes and missing reports: period 1 and 4 are marked unreported (every collection distributed, the
    /// linked coupon at its floor), periods 2 and 5 are disputed once (by a reporter, then by the guardian) and
    /// reported again in round 1; the keeper is paid its bounty every period.
    function test_handler_fullLifeWithDisputesAndMissedReports() public {
        for (uint256 p; p < PERIODS; ++p) {
            handler.depositCollections(2_500_000 * USDC);
            if (p % 3 == 1) {
                handler.markUnreported(p);
            } else {
                handler.advanceAndReport(2_000_000 * USDC, 700_000, p, p);
                if (p % 3 == 2) {
                    handler.dispute(p == 2 ? 0 : 3, p);
                    assertEq(oracle.getReport(address(deal), p).round, 1, "dispute did not open round 1");
                    handler.advanceAndReport(2_100_000 * USDC, 750_000, p + 1, 0);
                }
            }
            handler.distribute();
            assertEq(deal.nextPeriod(), p + 1, "period not distributed");
        }
        DealStatus status = deal.status();
        assertTrue(status == DealStatus.Repaid || status == DealStatus.Defaulted, "deal not ended");
        assertEq(deal.missedReports(), 2, "missed reports");
        assertEq(handler.ghostDisputes(), 2, "disputes");
        assertEq(usdc.balanceOf(address(handler)), PERIODS * deal.keeperBounty(), "keeper not paid every period");
        _assertAll();
    }

    // ------------------------------------------------------------------ helpers

    function _assertAll() internal view {
        invariant_cashConservation();
        invariant_dealSolvency();
        invariant_tokenSolvency();
        invariant_periodsDistributedInOrderOnce();
        invariant_outstandingNeverIncreases();
        invariant_supplyConstant();
        invariant_statementsReconcile();
        invariant_accrualsStayWithTheirAccount();
        invariant_entitledActionsSucceed();
        invariant_oracleLifecycle();
    }

    function _deliver(IOffering offering, address holder, uint256 shares) internal {
        if (shares == 0) return;
        vm.prank(holder);
        offering.deposit(shares, holder);
    }
}

/// @notice The only target of the deal invariant test. Each action is bounded to what a real participant could do
/// and returns early when it is impossible in the current state. Hardhat ignores reverts of target calls by default
/// (failOnRevert = false), so nothing here reverts on purpose: a call that should have succeeded but reverted, or a
/// check that failed, is recorded in a ghost flag that an invariant then asserts.
/// @dev It lives in this file because the runner only has artifacts (and so ABIs to fuzz) for the files being
/// built: with the handler in a separate non-test file, running this file alone found "no contracts to fuzz".
contract DealHandler is TestBase {
    uint256 internal constant USDC = 1e6;
    uint256 internal constant MAX_COLLECTION = 2_500_000 * USDC;
    uint256 internal constant GPU_HOURS_AVAILABLE = 1_000_000;
    /// @dev The fixture's dispute window.
    uint256 internal constant DISPUTE_WINDOW = 1 days;

    IDeal public immutable deal;
    UtilizationOracle public immutable oracle;
    BlocklistStablecoin public immutable usdc;
    address public immutable servicer;
    address public immutable guardian;
    ITrancheToken[] public tokens;
    IOffering[] public offerings;
    address[] public holders;
    uint256[] internal _reporterKeys;

    /// @dev Hardhat may reset block.timestamp between fuzzed calls; every action re-applies the handler's clock.
    uint256 public currentTime;

    // ------------------------------------------------------------ ghosts

    uint256 public ghostDeposited;
    uint256 public ghostClaimed;
    uint256 public ghostFeesPaid;
    uint256 public ghostFeesWithdrawn;
    uint256 public ghostKeeperPaid;
    uint256 public ghostDisputes;
    uint256 public ghostUnreportedDistributed;
    mapping(uint256 period => bool) public ghostStatementReported;
    uint256 public ghostDistributions;
    mapping(uint256 tranche => uint256) public ghostTokenIn;
    mapping(uint256 tranche => uint256) public ghostTokenClaimed;
    mapping(uint256 tranche => uint256) public ghostTokenDistributions;
    /// @dev Carries of accrued cash in a checkpoint: two per transfer (one per side; see H).
    mapping(uint256 tranche => uint256) public ghostTokenCarries;
    mapping(uint256 tranche => uint256) public ghostPrincipalPaid;
    mapping(uint256 period => uint256) public ghostTimesDistributed;

    uint256 public ghostLastNextPeriod;
    uint256[] internal _lastOutstanding;

    /// @dev Violations seen inside actions; each names the first failure, empty when none.
    string public nextPeriodViolation;
    string public outstandingViolation;
    string public statementViolation;
    string public accrualViolation;
    string public livenessViolation;
    string public oracleViolation;

    constructor(
        IDeal deal_,
        UtilizationOracle oracle_,
        BlocklistStablecoin usdc_,
        address servicer_,
        address guardian_,
        ITrancheToken[] memory tokens_,
        IOffering[] memory offerings_,
        address[] memory holders_,
        uint256[] memory reporterKeys_
    ) {
        deal = deal_;
        oracle = oracle_;
        usdc = usdc_;
        servicer = servicer_;
        guardian = guardian_;
        tokens = tokens_;
        offerings = offerings_;
        holders = holders_;
        _reporterKeys = reporterKeys_;
        currentTime = block.timestamp;
        for (uint256 i; i + 1 < tokens_.length; ++i) _lastOutstanding.push(deal_.tranche(i).outstanding);
    }

    modifier action() {
        vm.warp(currentTime);
        _;
        _checkpoint();
    }

    // ------------------------------------------------------------ actions

    /// @notice The servicer deposits `amount` of collections (minted to it just before, so its own balance only
    /// ever holds the fees it was paid).
    function depositCollections(uint256 amount) external action {
        amount = _bound(amount, 1, MAX_COLLECTION);
        // A servicer the stablecoin blocklists cannot be paid or pay in: its own business (K).
        if (usdc.isBlocklisted(servicer)) return;
        DealStatus status = deal.status();
        if (status == DealStatus.Repaid || status == DealStatus.Defaulted) {
            // An ended deal refuses collections before pulling anything.
            vm.prank(servicer);
            try deal.depositCollections(amount) {
                _flag(livenessViolation, "collections accepted after the deal ended");
            } catch (bytes memory reason) {
                if (bytes4(reason) != IDealBase.DealEnded.selector) {
                    _flag(livenessViolation, "ended deal refused collections with the wrong error");
                }
            }
            return;
        }
        usdc.mint(servicer, amount);
        vm.startPrank(servicer);
        usdc.approve(address(deal), amount);
        try deal.depositCollections(amount) {
            ghostDeposited += amount;
        } catch {
            _flag(livenessViolation, "depositCollections reverted on a live deal");
        }
        vm.stopPrank();
    }

    /// @notice Moves to the end of the next period without a report (none yet, or its report disputed) and
    /// submits its report in the current round, signed by 2 of the 3 reporters (the pair chosen by `signerPair`).
    /// The report is pending: it becomes final when its dispute window has passed.
    function advanceAndReport(uint256 revenue, uint256 billed, uint256 signerPair, uint256 lateBy) external action {
        uint256 period = _nextWithoutReport();
        if (period >= deal.periodCount()) return;
        uint256 endsAt = deal.periodEnd(period);
        uint256 target = endsAt + _bound(lateBy, 0, 5 days);
        if (target > currentTime) currentTime = target;
        vm.warp(currentTime);

        uint256 billedHours = _bound(billed, 0, GPU_HOURS_AVAILABLE);
        IUtilizationOracle.Report memory report = IUtilizationOracle.Report({
            chainId: block.chainid,
            oracle: address(oracle),
            deal: address(deal),
            period: uint64(period),
            round: oracle.getReport(address(deal), period).round,
            reporterSet: oracle.reporterSet(address(deal)),
            gpuHoursAvailable: uint64(GPU_HOURS_AVAILABLE),
            gpuHoursBilled: uint64(billedHours),
            // The oracle bounds revenue by billed hours × the term sheet's maximum price (1,000 USDC an hour).
            revenue: uint128(_bound(revenue, 0, _min(MAX_COLLECTION, billedHours * 1_000 * USDC))),
            energyKwh: 0,
            pue: 0,
            appraisal: 0,
            reportHash: keccak256(abi.encode("servicer report", period))
        });
        uint256[] memory keys = new uint256[](2);
        uint256 pair = signerPair % 3; // (0,1), (0,2), (1,2): ascending in every case
        keys[0] = _reporterKeys[pair == 2 ? 1 : 0];
        keys[1] = _reporterKeys[pair == 0 ? 1 : 2];
        (address[] memory signers, bytes[] memory signatures) = ReportSigning.sign(oracle, report, keys);
        uint64 deadline = oracle.reportDeadline(address(deal), period);
        try oracle.submitReport(report, signers, signatures) {
            if (block.timestamp >= deadline) _flag(livenessViolation, "report accepted after its deadline");
        } catch (bytes memory reason) {
            bytes memory late = abi.encodeWithSelector(
                IUtilizationOracle.ReportDeadlinePassed.selector,
                address(deal),
                period,
                deadline
            );
            if (block.timestamp < deadline) _flag(livenessViolation, "quorum report of an ended period refused");
            else if (keccak256(reason) != keccak256(late)) _flag(livenessViolation, "late report: wrong error");
        }
    }

    /// @notice A reporter (or, one time in four, the deal's guardian) disputes the earliest pending report of an
    /// undistributed period, within its window: the report is void and the next round opens.
    function dispute(uint256 disputerSeed, uint256 reasonSeed) external action {
        uint256 count = deal.periodCount();
        uint256 period = deal.nextPeriod();
        while (period < count && oracle.reportState(address(deal), period) != IUtilizationOracle.ReportState.Pending) {
            ++period;
        }
        if (period >= count) return;
        address disputer =
            disputerSeed % 4 == 3 ? guardian : vm.addr(_reporterKeys[disputerSeed % _reporterKeys.length]);
        uint256 round = oracle.getReport(address(deal), period).round;
        vm.prank(disputer);
        try oracle.dispute(address(deal), period, keccak256(abi.encode(reasonSeed))) {
            ghostDisputes += 1;
            IUtilizationOracle.PeriodReport memory voided = oracle.getReport(address(deal), period);
            if (
                voided.round != round + 1 ||
                voided.state != IUtilizationOracle.ReportState.None ||
                voided.gpuHoursAvailable != 0 ||
                voided.gpuHoursBilled != 0 ||
                voided.revenue != 0 ||
                voided.proposedAt != 0
            ) _flag(oracleViolation, "a dispute did not void the report and open the next round");
        } catch {
            _flag(livenessViolation, "dispute of a pending report within its window reverted");
        }
    }

    /// @notice Lets the report deadline of the next period without a report pass (by up to `lateBy`, at most two
    /// days more) and marks it unreported.
    function markUnreported(uint256 lateBy) external action {
        uint256 period = _nextWithoutReport();
        if (period >= deal.periodCount()) return;
        uint256 target = oracle.reportDeadline(address(deal), period) + _bound(lateBy, 0, 2 days);
        if (target > currentTime) currentTime = target;
        vm.warp(currentTime);
        try oracle.markUnreported(address(deal), period) {
            if (oracle.reportState(address(deal), period) != IUtilizationOracle.ReportState.Unreported) {
                _flag(oracleViolation, "a period marked unreported is not unreported");
            }
        } catch {
            _flag(livenessViolation, "markUnreported past the deadline of a period without a report reverted");
        }
    }

    /// @notice As the keeper, runs the waterfall of the next ready period (first waiting out the dispute window of
    /// its report if pending), and checks that already-distributed, pending and not-ready periods are refused.
    function distribute() external action {
        uint256 next = deal.nextPeriod();
        if (next > 0) {
            try deal.distribute(next - 1) {
                _flag(nextPeriodViolation, "a distributed period was distributed again");
            } catch {}
        }
        if (
            next < deal.periodCount() &&
            oracle.reportState(address(deal), next) == IUtilizationOracle.ReportState.Pending
        ) {
            try deal.distribute(next) {
                _flag(oracleViolation, "a period was distributed while its report was pending");
            } catch {}
            uint256 finalAt = oracle.getReport(address(deal), next).proposedAt + DISPUTE_WINDOW;
            if (finalAt > currentTime) currentTime = finalAt;
            vm.warp(currentTime);
        }
        (bool ready, uint256 period) = deal.readyPeriod();
        if (!ready) {
            if (next < deal.periodCount()) {
                try deal.distribute(next) {
                    _flag(nextPeriodViolation, "a period that was not ready was distributed");
                } catch {}
            }
            return;
        }
        if (period != next) _flag(nextPeriodViolation, "readyPeriod is not nextPeriod");

        uint256 count = tokens.length;
        uint256[] memory tokenBefore = new uint256[](count);
        for (uint256 i; i < count; ++i) tokenBefore[i] = usdc.balanceOf(address(tokens[i]));
        uint256 feesBefore = _feesOwed();
        uint256 keeperBefore = usdc.balanceOf(address(this));
        uint256 collectionsBefore = deal.undistributedCollections();
        bool reported = oracle.reportState(address(deal), period) == IUtilizationOracle.ReportState.Final;

        try deal.distribute(period) returns (PeriodStatement memory s) {
            ghostTimesDistributed[period] += 1;
            ghostDistributions += 1;
            ghostStatementReported[period] = s.reported;
            if (!s.reported) ghostUnreportedDistributed += 1;
            if (s.reported != reported)
                _flag(oracleViolation, "statement.reported is not whether the report was final");
            // Without a report (or at the final period) every deposited collection is the period's cash.
            if ((!reported || period + 1 == deal.periodCount()) && s.cashIn != collectionsBefore) {
                _flag(statementViolation, "cash in is not every collection without a report or at the end");
            }
            _checkKeeper(s, keeperBefore);
            _checkStatement(s, period, collectionsBefore, tokenBefore, feesBefore);
        } catch {
            _flag(livenessViolation, "distribute reverted on a ready period");
        }
    }

    /// @notice `amount` of tranche `tokenSeed` moves between two tracked holders.
    function transfer(uint256 fromSeed, uint256 toSeed, uint256 tokenSeed, uint256 amount) external action {
        uint256 t = tokenSeed % tokens.length;
        ITrancheToken token = tokens[t];
        address from = holders[fromSeed % holders.length];
        address to = holders[toSeed % holders.length];
        uint256 balance = token.balanceOf(from);
        if (balance == 0) return;
        amount = _bound(amount, 1, balance);
        uint256 fromClaimable = token.claimable(from);
        uint256 toClaimable = token.claimable(to);
        vm.prank(from);
        try token.transfer(to, amount) {
            // A transfer settles both accounts first: what each could claim does not move with the tokens. Each
            // side's carry rounds down, so its claim may lose one unit to the token's dust (two for a transfer to
            // oneself, settled twice), never gain.
            ghostTokenCarries[t] += 2;
            uint256 fromAfter = token.claimable(from);
            uint256 toAfter = token.claimable(to);
            uint256 slack = from == to ? 2 : 1;
            if (
                fromAfter > fromClaimable ||
                fromClaimable - fromAfter > slack ||
                toAfter > toClaimable ||
                toClaimable - toAfter > slack
            ) {
                _flag(accrualViolation, "a transfer moved accrued cash");
            }
        } catch {
            _flag(livenessViolation, "transfer within balance reverted");
        }
    }

    /// @notice The trustee or the servicer withdraws the fees credited to it.
    function withdrawFees(uint256 who) external action {
        address recipient = who % 2 == 0 ? deal.trustee() : servicer;
        (uint256 trusteeOwed, uint256 servicerOwed) = deal.feesOwed();
        uint256 owed = recipient == deal.trustee() ? trusteeOwed : servicerOwed;
        uint256 before = usdc.balanceOf(recipient);
        bool blocked = usdc.isBlocklisted(recipient);
        vm.prank(recipient);
        try deal.withdrawFees() returns (uint256 amount) {
            if (blocked) _flag(livenessViolation, "K: the stablecoin paid a blocklisted fee recipient");
            if (amount != owed || usdc.balanceOf(recipient) - before != owed) {
                _flag(statementViolation, "fee withdrawal paid other than what was owed");
            }
            ghostFeesWithdrawn += amount;
        } catch (bytes memory reason) {
            bool refused =
                owed == 0 &&
                    keccak256(reason) == keccak256(abi.encodeWithSelector(IDealBase.NoFeesOwed.selector, recipient));
            if (!refused && !deal.paused() && !blocked) {
                _flag(livenessViolation, "fee withdrawal of owed fees reverted");
            }
            // K: a refused withdrawal leaves the fees owed.
            if (recipient == deal.trustee() ? _owedTo(true) != trusteeOwed : _owedTo(false) != servicerOwed) {
                _flag(statementViolation, "K: a refused fee withdrawal changed what is owed");
            }
        }
    }

    function _owedTo(bool trustee_) internal view returns (uint256) {
        (uint256 trusteeOwed, uint256 servicerOwed) = deal.feesOwed();
        return trustee_ ? trusteeOwed : servicerOwed;
    }

    /// @notice The stablecoin's issuer blocklists, or clears, one party: the deal's issuer, trustee or servicer, or a
    /// tracked holder. Only that party's own payments may stop (K); the keeper (this handler) is never blocklisted.
    function blocklist(uint256 who, bool blocked) external action {
        uint256 k = who % (3 + holders.length);
        address party =
            k == 0
                ? deal.issuer()
                : k == 1
                    ? deal.trustee()
                    : k == 2
                        ? servicer
                        : holders[k - 3];
        usdc.setBlocklisted(party, blocked);
    }

    function _feesOwed() internal view returns (uint256) {
        (uint256 trusteeOwed, uint256 servicerOwed) = deal.feesOwed();
        return trusteeOwed + servicerOwed;
    }

    /// @notice A tracked holder claims its accrued cash of tranche `tokenSeed`.
    function claim(uint256 holderSeed, uint256 tokenSeed) external action {
        uint256 t = tokenSeed % tokens.length;
        ITrancheToken token = tokens[t];
        address holder = holders[holderSeed % holders.length];
        uint256 expected = token.claimable(holder);
        if (expected == 0) return;
        uint256 before = usdc.balanceOf(holder);
        bool blocked = usdc.isBlocklisted(holder);
        vm.prank(holder);
        try token.claimTo(holder) returns (uint256 amount) {
            if (blocked) _flag(livenessViolation, "K: the stablecoin paid a blocklisted holder");
            if (amount != expected || usdc.balanceOf(holder) - before != amount || token.claimable(holder) != 0) {
                _flag(accrualViolation, "claim paid something other than claimable");
            }
            ghostClaimed += amount;
            ghostTokenClaimed[t] += amount;
        } catch {
            if (!blocked) _flag(livenessViolation, "claim of a positive claimable reverted");
            // K: a blocklisted holder's cash stays accrued.
            if (token.claimable(holder) != expected) _flag(accrualViolation, "K: a refused claim moved accrued cash");
        }
    }

    /// @notice A tracked holder takes delivery of part of its allocation still held by the offering.
    function deliver(uint256 holderSeed, uint256 tokenSeed, uint256 amount) external action {
        uint256 t = tokenSeed % tokens.length;
        IOffering offering = offerings[t];
        ITrancheToken token = tokens[t];
        address holder = holders[holderSeed % holders.length];
        uint256 claimable = offering.maxDeposit(holder);
        if (claimable == 0) return;
        amount = _bound(amount, 1, claimable);
        uint256 offeringAccrued = token.claimable(address(offering));
        uint256 holderAccrued = token.claimable(holder);
        uint256 offeringShares = token.balanceOf(address(offering));
        // The shares take their pro-rata part (rounded down) of what the offering accrued; the last delivery
        // takes all that is left.
        uint256 moved =
            amount == offeringShares ? offeringAccrued : Math.mulDiv(offeringAccrued, amount, offeringShares);
        vm.prank(holder);
        try offering.deposit(amount, holder) {
            if (token.claimable(address(offering)) + token.claimable(holder) != offeringAccrued + holderAccrued) {
                _flag(accrualViolation, "delivery created or lost accrued cash");
            }
            if (token.claimable(holder) != holderAccrued + moved) {
                _flag(accrualViolation, "delivery moved other than the shares' pro-rata accrual");
            }
        } catch {
            _flag(livenessViolation, "delivery within the allocation reverted");
        }
    }

    // ------------------------------------------------------------ views for the invariants

    function lastOutstanding(uint256 i) external view returns (uint256) {
        return _lastOutstanding[i];
    }

    // ------------------------------------------------------------ internals

    /// @dev Statement of `period`: sums to its cash, matches what moved, and was cut from collections.
    function _checkStatement(
        PeriodStatement memory s,
        uint256 period,
        uint256 collectionsBefore,
        uint256[] memory tokenBefore,
        uint256 feesBefore
    ) internal {
        uint256 notes = tokens.length - 1;
        uint256 sources = s.cashIn + s.reserveReleased + s.reserveDrawn;
        uint256 uses =
            s.keeperBountyPaid +
                s.trusteeFeePaid +
                s.servicerFeePaid +
                s.reserveToppedUp +
                s.reserveTrapped +
                s.residualPaid;
        for (uint256 i; i < notes; ++i) uses += s.interestPaid[i] + s.principalPaid[i];
        if (s.period != period || sources != uses) _flag(statementViolation, "statement does not sum to its cash");
        if (s.mode != DealStatus.Active || s.reserveTrapped != 0 || s.metrics.activeMask != 0) {
            _flag(statementViolation, "a deal without triggers ran other than Active");
        }
        if (
            collectionsBefore - s.cashIn != deal.undistributedCollections() ||
            s.collectionsCarried != deal.undistributedCollections()
        ) {
            _flag(statementViolation, "cash in is not what left the collections");
        }
        (uint256 reserveNow, ) = deal.reserve();
        if (s.reserveAfter != reserveNow) _flag(statementViolation, "reserveAfter is not the reserve");

        uint256 fees = s.trusteeFeePaid + s.servicerFeePaid;
        if (_feesOwed() - feesBefore != fees) {
            _flag(statementViolation, "fees credited other than the fees paid");
        }
        ghostFeesPaid += fees;

        for (uint256 i; i <= notes; ++i) {
            uint256 paid = i < notes ? s.interestPaid[i] + s.principalPaid[i] : s.residualPaid;
            if (usdc.balanceOf(address(tokens[i])) - tokenBefore[i] != paid) {
                _flag(statementViolation, "a token received other than its statement line");
            }
            if (i < notes) ghostPrincipalPaid[i] += s.principalPaid[i];
            if (paid != 0) {
                ghostTokenIn[i] += paid;
                ghostTokenDistributions[i] += 1;
            }
        }
    }

    /// @dev The keeper bounty is the first payment: the bounty in full, or all the cash when there is less; the
    /// keeper (this handler, the caller of distribute) received exactly it.
    function _checkKeeper(PeriodStatement memory s, uint256 keeperBefore) internal {
        uint256 available = s.cashIn + s.reserveReleased;
        uint256 bounty = deal.keeperBounty();
        if (s.keeperBountyPaid != (bounty < available ? bounty : available)) {
            _flag(statementViolation, "keeper bounty is not min(bounty, cash + reserve released)");
        }
        if (usdc.balanceOf(address(this)) - keeperBefore != s.keeperBountyPaid) {
            _flag(statementViolation, "keeper received other than the bounty paid");
        }
        ghostKeeperPaid += s.keeperBountyPaid;
    }

    /// @dev The earliest undistributed period whose report is missing (never proposed, or disputed).
    function _nextWithoutReport() internal view returns (uint256 period) {
        uint256 count = deal.periodCount();
        period = deal.nextPeriod();
        while (period < count && oracle.reportState(address(deal), period) != IUtilizationOracle.ReportState.None) {
            ++period;
        }
    }

    /// @dev Records the monotone quantities after every action.
    function _checkpoint() internal {
        uint256 next = deal.nextPeriod();
        if (next < ghostLastNextPeriod) _flag(nextPeriodViolation, "nextPeriod decreased");
        if (next > deal.periodCount()) _flag(nextPeriodViolation, "nextPeriod beyond periodCount");
        ghostLastNextPeriod = next;
        for (uint256 i; i < _lastOutstanding.length; ++i) {
            uint256 outstanding = deal.tranche(i).outstanding;
            if (outstanding > _lastOutstanding[i]) _flag(outstandingViolation, "outstanding principal increased");
            _lastOutstanding[i] = outstanding;
        }
    }

    function _flag(string storage slot, string memory message) internal {
        if (bytes(slot).length == 0) _setFlag(slot, message);
    }

    function _setFlag(string storage slot, string memory message) private {
        bytes memory b = bytes(message);
        bytes storage s = bytes(slot);
        for (uint256 i; i < b.length; ++i) s.push(b[i]);
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
