// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";

import {TrancheTokenArgs} from "../../contracts/libraries/TrancheTokenArgs.sol";
import {TrancheToken} from "../../contracts/core/TrancheToken.sol";
import {TrancheTokenExtension} from "../../contracts/core/TrancheTokenExtension.sol";
import {ITrancheToken, ITrancheTokenBase} from "../../contracts/interfaces/ITrancheToken.sol";
import {MockStablecoin} from "../../contracts/mocks/MockStablecoin.sol";

import {Assertions} from "./utils/Assertions.sol";
import {TestBase} from "./utils/Vm.sol";

/*
 * Rounding dust of a tranche token (contracts/core/TrancheToken.sol), which justifies the dust bound used by
 * invariant C of DealInvariants.t.sol.
 *
 * T1  An account's accrual rounds down when it is settled to its accrued slot (its whole balance leaves, cash
 *     arrives with tokens, or a balance above 1e18 changes) and loses less than balance / 1e18 units when a balance
 *     change carries it in the checkpoint, so each settlement can lose almost one unit. The dust a token keeps
 *     (balance − Σ claimable) is therefore bounded by accounts × distributions, not by distributions + accounts:
 *     with four 1-unit holders who send their unit away and take it back after each of two distributions, the dust
 *     is 8 > 2 + 5. The token stays solvent (claims never exceed its balance).
 * T2  A transfer that carries the receiver's accrual in its checkpoint (TrancheAccountLib.carry) rounds it down to
 *     a multiple of the new balance: a holder of 2 tokens with 2 units accrued who receives 1 can claim 1 after
 *     (⌊2e18 / 3⌋ × 3 = 1.99…e18 scaled), the unit staying in the token as dust. Invariant H of
 *     DealInvariants.t.sol (found there by the fuzzer) allows a party this loss of under one unit, never a gain.
 *
 * This test plays both the deal and the offering of a bare clone of the token.
 */
contract TrancheTokenDustTest is TestBase, Assertions {
    MockStablecoin internal usdc;
    ITrancheToken internal token;
    address[4] internal holders;

    function setUp() public {
        usdc = new MockStablecoin("USD Coin", "USDC", 6);
        ITrancheTokenBase.Params memory params;
        params.deal = address(this);
        params.distributor = address(this);
        params.stablecoin = address(usdc);
        params.decimals = 6;
        token = ITrancheToken(
            Clones.cloneWithImmutableArgs(
                address(new TrancheToken(address(new TrancheTokenExtension()))),
                TrancheTokenArgs.encode(params)
            )
        );
        token.issue(1_000);
        for (uint256 i; i < 4; ++i) {
            holders[i] = vm.addr(0xD057 + i);
            token.deliverShares(holders[i], holders[i], 1);
        }
    }

    /// @dev The token asks its deal which offering may issue: this test is both.
    function trancheContracts(uint256) external view returns (address, address) {
        return (address(token), address(this));
    }

    /// T1
    function test_claimable_dustCanExceedDistributionsPlusAccounts() public {
        uint256 distributions = 2;
        for (uint256 d; d < distributions; ++d) {
            // 999 over a supply of 1 000: each 1-unit holder accrues 0.999 and rounds down to 0 when settled.
            usdc.mint(address(token), 999);
            token.distribute(999);
            for (uint256 i; i < 4; ++i) {
                // The whole balance leaves: the account is settled to its accrued slot, 0.999 rounded down to 0.
                vm.prank(holders[i]);
                token.transfer(address(this), 1);
                token.transfer(holders[i], 1);
            }
        }
        uint256 owed = token.claimable(address(this));
        for (uint256 i; i < 4; ++i) owed += token.claimable(holders[i]);
        uint256 balance = usdc.balanceOf(address(token));
        uint256 accounts = 5;

        assertLe(owed, balance, "T1: token insolvent");
        assertEq(balance - owed, 8, "T1: dust");
        assertGt(balance - owed, distributions + accounts, "T1: dust within distributions + accounts");
        assertLe(balance - owed, distributions * accounts, "T1: dust above accounts x distributions");
    }

    /// T2
    function test_transfer_receiverCarryRoundsDownUnderOneUnit() public {
        // Before any cash: holder 0 holds 2 tokens.
        vm.prank(holders[1]);
        token.transfer(holders[0], 1);
        // One unit per token.
        usdc.mint(address(token), 1_000);
        token.distribute(1_000);
        assertEq(token.claimable(holders[0]), 2, "T2: accrued before");

        vm.prank(holders[2]);
        token.transfer(holders[0], 1);
        assertEq(token.claimable(holders[0]), 1, "T2: the receiver's carried accrual rounds down");
        assertEq(token.claimable(holders[2]), 1, "T2: a sender whose whole balance leaves keeps its accrual");

        uint256 owed = token.claimable(address(this));
        for (uint256 i; i < 4; ++i) owed += token.claimable(holders[i]);
        assertEq(usdc.balanceOf(address(token)) - owed, 1, "T2: the unit stays as dust");
    }
}
