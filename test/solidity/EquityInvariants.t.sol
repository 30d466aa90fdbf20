// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {EquityTier, EquityTierTerms} from "../../contracts/interfaces/ICascadeTypes.sol";
import {EquityMath} from "../../contracts/libraries/EquityMath.sol";
import {EquityTierWord, EquityTierWordLib} from "../../contracts/libraries/EquityTierWord.sol";

import {Assertions} from "./utils/Assertions.sol";
import {TestBase} from "./utils/Vm.sol";

/// @dev Foundry's `FuzzSelector`: the handler functions the invariant runs call.
struct FuzzSelector {
    address addr;
    bytes4[] selectors;
}

/// @dev Runs random amounts at random times through the worked waterfall of docs/equity.md (preferred equity 1 M, LP
/// common 2 M, the sponsor's promote 100 k; return of the LP capital, 8 % preferred return, full catch-up to 20 %,
/// 80/20 until a 15 % IRR, then 70/30), keeping its state between calls as the waterfall contract does, and counts
/// every breach of the properties it can only see during a call.
contract EquityMathHandler is TestBase {
    uint256 internal constant N = 3;
    uint256 internal constant SPONSOR = 2;
    uint256 internal constant LP = 3;

    uint256[N] public contributed = [uint256(1e12), 2e12, 1e11];
    uint256[N] public unreturned = [uint256(1e12), 2e12, 1e11];
    uint256[N] public pref;
    uint256[N] public hurdles = [uint256(1e12), 2e12, 0];
    uint256 public profit;
    uint256 public sponsorProfit;

    uint256 public cashIn;
    uint256 public paidOut;
    uint256 public steps;
    uint256 public stepsPastCatchUp;
    /// @dev Breaches seen during a call: a payment that rose a hurdle balance, a split that paid the sponsor less
    /// than the target after the catch-up had run fully.
    uint256 public hurdleBreaches;
    uint256 public targetBreaches;

    function step(uint256 dtSeed, uint256 cashSeed) external {
        uint256 dt = dtSeed % (400 days);
        // Amounts from dust to more than everything owed.
        uint256 cash = cashSeed % 4 == 0 ? cashSeed % 100 : cashSeed % (5e12);
        EquityTierWord[] memory tiers = _tiers();
        EquityMath.State memory s = _state();
        EquityMath.accrue(s, tiers, dt);
        uint256[] memory grown = new uint256[](N);
        for (uint256 j; j < N; ++j) grown[j] = s.hurdles[0][j];
        EquityMath.Payout memory out = EquityMath.run(s, tiers, cash);
        for (uint256 j; j < N; ++j) {
            if (s.hurdles[0][j] > grown[j]) ++hurdleBreaches;
            unreturned[j] = s.unreturned[j];
            pref[j] = s.pref[j];
            hurdles[j] = s.hurdles[0][j];
            paidOut += out.total[j];
        }
        (profit, sponsorProfit) = (s.profit, s.sponsorProfit);
        cashIn += cash;
        ++steps;
        // Once a split paid, the catch-up had run fully before it; the splits give the sponsor at least 20 % too.
        uint256 splits;
        for (uint256 t = 3; t < 5; ++t) {
            for (uint256 j; j < N; ++j) splits += out.paid[t][j];
        }
        if (splits != 0) {
            ++stepsPastCatchUp;
            if (10_000 * s.sponsorProfit < 2_000 * s.profit) ++targetBreaches;
        }
    }

    function _tiers() internal pure returns (EquityTierWord[] memory t) {
        t = new EquityTierWord[](5);
        t[0] = _tier(EquityTier.ReturnOfCapital, 0, 0, 0);
        t[1] = _tier(EquityTier.PreferredReturn, 0, 0, 0.08e18);
        t[2] = _tier(EquityTier.CatchUp, 10_000, 2_000, 0);
        t[3] = _tier(EquityTier.Split, 2_000, 0, 0.15e18);
        t[4] = _tier(EquityTier.Split, 3_000, 0, 0);
    }

    /// @dev A tier of the LP classes (the only hurdled split is hurdle 0).
    function _tier(
        EquityTier kind,
        uint16 sponsorBps,
        uint16 targetBps,
        uint64 rate
    ) internal pure returns (EquityTierWord) {
        return
            EquityTierWordLib.pack(
                EquityTierTerms({
                    kind: kind,
                    classes: uint8(LP),
                    byRank: false,
                    compounding: false,
                    sponsorBps: sponsorBps,
                    targetBps: targetBps,
                    rate: rate
                }),
                0
            );
    }

    function _state() internal view returns (EquityMath.State memory s) {
        s.classCount = N;
        s.sponsor = SPONSOR;
        s.hurdleCount = 1;
        s.hurdleClasses[0] = LP;
        for (uint256 j; j < N; ++j) {
            s.contributed[j] = contributed[j];
            s.unreturned[j] = unreturned[j];
            s.pref[j] = pref[j];
            s.hurdles[0][j] = hurdles[j];
        }
        s.profit = profit;
        s.sponsorProfit = sponsorProfit;
    }
}

/// @dev Invariants I1 – I3 of EquityMath.t.sol, over random sequences of accruals and amounts.
contract EquityInvariantsTest is TestBase, Assertions {
    EquityMathHandler internal handler;

    function setUp() public {
        handler = new EquityMathHandler();
    }

    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(handler);
    }

    function targetSelectors() public view returns (FuzzSelector[] memory targets) {
        bytes4[] memory selectors = new bytes4[](1);
        selectors[0] = EquityMathHandler.step.selector;
        targets = new FuzzSelector[](1);
        targets[0] = FuzzSelector(address(handler), selectors);
    }

    /// The handler is not vacuous: a year, the capital back with the preferred return, then past the hurdle.
    function test_handlerReachesEveryTier() public {
        handler.step(180 days, 3e12 + 1);
        handler.step(365 days, 4e12 + 1);
        assertGe(handler.stepsPastCatchUp(), 1, "a split paid");
        assertEq(handler.hurdles(0), 0, "the hurdle met");
        assertEq(handler.cashIn(), handler.paidOut(), "paid out");
    }

    /// I1
    function invariant_everyAmountIsPaidOut() public view {
        assertEq(handler.paidOut(), handler.cashIn(), "I1: statements sum to the cash");
    }

    /// I2
    function invariant_hurdleBalancesFallOnlyByPayments() public view {
        assertEq(handler.hurdleBreaches(), 0, "I2: a payment raised a hurdle balance");
        assertEq(handler.hurdles(2), 0, "I2: the sponsor has no hurdle balance");
    }

    /// I3
    function invariant_sponsorShareOfProfit() public view {
        assertLe(handler.sponsorProfit(), handler.profit(), "I3: S at most T");
        assertEq(handler.targetBreaches(), 0, "I3: the sponsor holds its target once caught up");
        for (uint256 j; j < 3; ++j) assertLe(handler.unreturned(j), handler.contributed(j), "U at most C");
    }
}
