// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {PrincipalTerms, PrincipalType, TermSheet, TrancheTerms} from "../../contracts/interfaces/ICascadeTypes.sol";
import {IDeal} from "../../contracts/interfaces/IDeal.sol";
import {IOffering} from "../../contracts/interfaces/IOffering.sol";
import {ITrancheToken} from "../../contracts/interfaces/ITrancheToken.sol";

import {ProtocolFixture} from "./utils/ProtocolFixture.sol";

/*
 * Allocation of an offering at close (contracts/core/Offering.sol), fuzzed over 1–10 controllers with random
 * requests, cap, minimum raise and reserve funding, and a random order of claims and refunds after close
 * (each controller refunds before or after taking its shares, and takes them in one or two deliveries).
 *
 * O1  Allocations sum exactly to the accepted amount, which is min(Σ requests, cap), or 0 when Σ requests is
 *     below the minimum raise.
 * O2  Each allocation is at most its request and within one unit of the exact pro-rata share
 *     request · accepted / Σ requests, whatever the claim order; the allocation a controller sees in
 *     claimableDepositRequest/maxDeposit before claiming is the one it then receives.
 * O3  Refunds are request − allocation each and sum to Σ requests − accepted.
 * O4  After every controller has claimed and refunded, the offering holds no assets and no shares; the issuer
 *     received accepted − reserve funding and the deal's reserve the reserve funding.
 */
contract OfferingAllocationTest is ProtocolFixture {
    uint256 internal constant MAX_CONTROLLERS = 10;
    uint256 internal constant MAX_REQUEST = 1e15; // 1 000 000 000 USDC

    struct Case {
        uint256 controllers;
        uint256[10] requests;
        uint256 cap;
        uint256 minRaise;
        uint16 reserveFundingBps;
        uint256 orderSeed;
    }

    function setUp() public {
        _deployProtocol();
    }

    /// @dev Working values of one fuzz run (kept in memory to stay clear of the stack limit).
    struct Run {
        IDeal deal;
        IOffering offering;
        ITrancheToken token;
        address[] controllers;
        uint256[] requests;
        uint256 total;
        uint256 accepted;
        uint256 reserveFunding;
    }

    /// O1–O4
    function testFuzz_close_allocatesProRataInAnyClaimOrder(Case memory c) public {
        uint256 n = bound(c.controllers, 1, MAX_CONTROLLERS);
        uint256 cap = _amount(c.cap, USDC, MAX_REQUEST);
        uint256 minRaise = _amount(c.minRaise, USDC, cap);
        uint16 reserveBps = uint16(bound(c.reserveFundingBps, 0, 10_000));

        Run memory run;
        TermSheet memory t;
        (run.deal, run.offering, run.token, t) = _deal(cap, minRaise, reserveBps);

        run.controllers = new address[](n);
        run.requests = new uint256[](n);
        vm.warp(t.offeringOpensAt);
        for (uint256 i; i < n; ++i) {
            run.controllers[i] = vm.addr(0xC0DE00 + i);
            run.requests[i] = _amount(c.requests[i], 1, MAX_REQUEST);
            run.total += run.requests[i];
            _subscribe(run.offering, run.controllers[i], run.requests[i]);
        }
        vm.warp(t.offeringClosesAt);
        run.offering.close();

        run.accepted = run.total < minRaise ? 0 : (run.total < cap ? run.total : cap);
        assertEq(run.offering.accepted(), run.accepted, "O1: accepted != min(requested, cap) or 0 on a missed minimum");
        run.reserveFunding = (run.accepted * reserveBps) / 10_000;

        (uint256 allocated, uint256 refunded) = _claimAll(run, c.orderSeed);

        assertEq(allocated, run.accepted, "O1: allocations do not sum to accepted");
        assertEq(refunded, run.total - run.accepted, "O3: refunds do not sum to requested - accepted");
        // The proceeds are credited at close and withdrawn by the issuer.
        uint256 owed = run.offering.proceedsOwed();
        assertEq(owed, run.accepted - run.reserveFunding, "O4: proceeds owed != accepted - reserve funding");
        assertEq(usdc.balanceOf(address(run.offering)), owed, "O4: offering holds other than the proceeds owed");
        if (owed != 0) {
            vm.prank(issuer);
            run.offering.withdrawProceeds();
        }
        assertEq(run.offering.proceedsOwed(), 0, "O4: proceeds owed after the withdrawal");
        assertEq(usdc.balanceOf(address(run.offering)), 0, "O4: offering keeps assets");
        assertEq(run.token.balanceOf(address(run.offering)), 0, "O4: offering keeps shares");
        assertEq(run.token.totalSupply(), run.accepted, "O4: supply != accepted");
        assertEq(usdc.balanceOf(issuer), run.accepted - run.reserveFunding, "O4: issuer proceeds");
        (uint256 reserve, ) = run.deal.reserve();
        assertEq(reserve, run.reserveFunding, "O4: reserve funding");
        assertEq(usdc.balanceOf(address(run.deal)), run.reserveFunding, "O4: deal holds other than reserve funding");
    }

    /// @dev Every controller, in a random order, takes its shares and its refund; checks each against pro-rata.
    function _claimAll(Run memory run, uint256 orderSeed) internal returns (uint256 allocated, uint256 refunded) {
        uint256 n = run.controllers.length;
        uint256[] memory order = _permutation(n, orderSeed);
        for (uint256 k; k < n; ++k) {
            uint256 i = order[k];
            uint256 request = run.requests[i];
            address controller = run.controllers[i];
            (uint256 allocation, uint256 refund) = _settle(
                run.offering,
                controller,
                request,
                uint256(keccak256(abi.encode(orderSeed, k)))
            );

            assertLe(allocation, request, "O2: allocation above request");
            // |allocation − r·A/T| < 1  ⟺  |allocation·T − r·A| < T
            uint256 scaled = allocation * run.total;
            uint256 exact = request * run.accepted;
            assertLt(scaled > exact ? scaled - exact : exact - scaled, run.total, "O2: allocation off pro-rata by 1+");
            assertEq(refund, request - allocation, "O3: refund != request - allocation");
            assertEq(run.token.balanceOf(controller), allocation, "O2: shares received != allocation");
            assertEq(usdc.balanceOf(controller), refund, "O3: assets returned != refund");
            allocated += allocation;
            refunded += refund;
        }
    }

    /// O2 at the classic rounding case: three equal requests for a cap that does not divide by three.
    function test_close_threeWayRoundingSumsToCap() public {
        (, IOffering offering, ITrancheToken token, TermSheet memory t) = _deal(10 * USDC + 1, USDC, 0);
        vm.warp(t.offeringOpensAt);
        for (uint256 i; i < 3; ++i) _subscribe(offering, vm.addr(0xC0DE00 + i), 10 * USDC);
        vm.warp(t.offeringClosesAt);
        offering.close();
        uint256 sum;
        for (uint256 i; i < 3; ++i) {
            address controller = vm.addr(0xC0DE00 + i);
            (uint256 allocation, ) = _settle(offering, controller, 10 * USDC, i);
            assertGe(allocation, (10 * USDC + 1) / 3, "allocation below floor");
            assertLe(allocation, (10 * USDC + 1) / 3 + 1, "allocation above ceil");
            sum += allocation;
        }
        assertEq(sum, 10 * USDC + 1, "allocations != cap");
        assertEq(token.balanceOf(address(offering)), 0, "shares left in the offering");
    }

    // ------------------------------------------------------------------ helpers

    /// @dev A two-tranche deal (the fuzzed note, then equity) whose note offering is the one under test.
    function _deal(
        uint256 cap,
        uint256 minRaise,
        uint16 reserveBps
    ) internal returns (IDeal deal, IOffering offering, ITrancheToken token, TermSheet memory t) {
        TrancheTerms[] memory tranches = new TrancheTerms[](2);
        tranches[0] = _note(
            "NOTE",
            cap,
            minRaise,
            reserveBps,
            _fixed(8e16),
            PrincipalTerms(PrincipalType.Bullet, 0, 0)
        );
        tranches[0].minTicket = 1;
        tranches[1] = _equity("EQUITY", USDC, USDC);
        t = _termSheet(tranches, 12);
        ITrancheToken[] memory tokens;
        IOffering[] memory offerings;
        (deal, tokens, offerings) = _createDeal(t);
        offering = offerings[0];
        token = tokens[0];
    }

    /// @dev Claims the controller's whole allocation (in one or two deliveries) and its refund, in an order chosen
    /// by `seed`; checks that the allocation it was shown before is the one it received.
    function _settle(
        IOffering offering,
        address controller,
        uint256 request,
        uint256 seed
    ) internal returns (uint256 allocation, uint256 refund) {
        uint256 shown = offering.claimableDepositRequest(0, controller);
        assertEq(offering.maxDeposit(controller), shown, "O2: maxDeposit != claimableDepositRequest");
        assertEq(offering.refundable(controller), request - shown, "O3: refundable != request - shown allocation");
        bool refundFirst = seed & 1 == 1;
        if (refundFirst) refund = _refund(offering, controller);
        if (shown != 0) {
            uint256 first = (seed >> 1) & 1 == 1 ? (shown + 1) / 2 : shown;
            vm.prank(controller);
            offering.deposit(first, controller);
            if (first < shown) {
                vm.prank(controller);
                offering.deposit(shown - first, controller);
            }
        }
        if (!refundFirst) refund = _refund(offering, controller);
        assertEq(offering.maxDeposit(controller), 0, "O2: allocation left after claiming it");
        assertEq(offering.refundable(controller), 0, "O3: refund left after refunding");
        allocation = shown;
    }

    function _refund(IOffering offering, address controller) internal returns (uint256) {
        if (offering.refundable(controller) == 0) return 0;
        vm.prank(controller);
        return offering.refund(controller, controller);
    }

    /// @dev Fisher–Yates shuffle of 0..n−1.
    function _permutation(uint256 n, uint256 seed) internal pure returns (uint256[] memory p) {
        p = new uint256[](n);
        for (uint256 i; i < n; ++i) p[i] = i;
        for (uint256 i = n; i > 1; --i) {
            uint256 j = uint256(keccak256(abi.encode(seed, i))) % i;
            (p[i - 1], p[j]) = (p[j], p[i - 1]);
        }
    }

    /// @dev An amount in [min, max] with a log-uniform magnitude, so requests of very different sizes meet.
    function _amount(uint256 seed, uint256 min, uint256 max) internal pure returns (uint256) {
        uint256 magnitude = 10 ** ((seed & 0xff) % 16);
        uint256 value = (seed >> 8) % (magnitude + 1);
        return bound(value, min, max);
    }
}
