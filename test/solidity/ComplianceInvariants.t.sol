// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";

import {InvestorRegistry} from "../../contracts/compliance/InvestorRegistry.sol";
import {TrancheToken} from "../../contracts/core/TrancheToken.sol";
import {IInvestorRegistry} from "../../contracts/interfaces/IInvestorRegistry.sol";
import {ITrancheToken} from "../../contracts/interfaces/ITrancheToken.sol";
import {TrancheTokenArgs} from "../../contracts/libraries/TrancheTokenArgs.sol";
import {TransferRules} from "../../contracts/libraries/TransferRules.sol";
import {MockStablecoin} from "../../contracts/mocks/MockStablecoin.sol";

import {Assertions} from "./utils/Assertions.sol";
import {TestBase} from "./utils/Vm.sol";

/*
 * Compliance under random registries and transfers. A handler plays the deal, the offering and the compliance
 * agent of one restricted tranche token (accredited or qualified purchasers, country 408 blocked, one-day holding
 * period, 10-unit minimum holding) over six wallets, and in random order registers, updates, freezes and unfreezes
 * them (identity and wallet), lets time pass (KYC expires), delivers subscribed shares for a controller, transfers
 * between wallets and forces transfers. After every step the invariants hold:
 *
 * A  No ineligible address ever gains a balance, and no ineligible controller gives its allocation away: every
 *    successful delivery, transfer or forced transfer went to a wallet that was, at that moment, registered,
 *    unfrozen, within its KYC, in an allowed country and class, and every delivery was for such a controller — as
 *    the handler computes it from the registry on its own, not through the token's rules.
 * B  A transfer succeeds exactly when `detectTransferRestriction` says 0, and a refused one changes no balance.
 * C  The wallets and the offering hold the whole supply.
 */
contract ComplianceHandler is TestBase {
    uint256 internal constant WALLETS = 6;
    uint16 internal constant BLOCKED = 408;
    uint16 internal constant ALLOWED_CLASSES = 3;
    uint256 internal constant SUPPLY = 1_000_000;

    InvestorRegistry public registry;
    TrancheToken public token;
    address[WALLETS] public wallets;

    uint256 public violations;
    uint256 public mismatches;
    uint256 public moves;

    constructor(MockStablecoin usdc) {
        registry = new InvestorRegistry(address(this));
        registry.grantRole(registry.COMPLIANCE_AGENT_ROLE(), address(this));
        ITrancheToken.Params memory p;
        p.deal = address(this);
        p.stablecoin = address(usdc);
        p.decimals = 6;
        p.registry = address(registry);
        p.rules.allowedClasses = ALLOWED_CLASSES;
        p.rules.minHoldingPeriod = 1 days;
        p.rules.minHolding = 10;
        p.rules.blockedCountries = TransferRules.withCountry(p.rules.blockedCountries, BLOCKED, true);
        token = TrancheToken(Clones.cloneWithImmutableArgs(address(new TrancheToken()), TrancheTokenArgs.encode(p)));
        for (uint256 i; i < WALLETS; ++i) wallets[i] = vm.addr(0xC0FFEE + i);
    }

    /// @dev Issues the supply to this handler (as the offering); the token calls back {trancheContracts}, so not
    /// from the constructor.
    function issue() external {
        if (token.totalSupply() == 0) token.issue(SUPPLY);
    }

    /// @dev The token asks its deal which offering may issue: this handler is both.
    function trancheContracts(uint256) external view returns (address, address) {
        return (address(token), address(this));
    }

    // ------------------------------------------------------------------ registry actions

    function register(uint256 w, uint256 kycDays, uint256 countryPick, uint256 classes) external {
        address wallet = wallets[w % WALLETS];
        if (registry.identityOf(wallet) != 0) return;
        registry.registerInvestor(wallet, _expiry(kycDays), _country(countryPick), uint16(classes % 8));
    }

    function update(uint256 w, uint256 kycDays, uint256 countryPick, uint256 classes) external {
        address wallet = wallets[w % WALLETS];
        if (registry.identityOf(wallet) == 0) return;
        registry.updateInvestor(wallet, _expiry(kycDays), _country(countryPick), uint16(classes % 8));
    }

    function freeze(uint256 w, bool identity, bool frozen) external {
        address wallet = wallets[w % WALLETS];
        if (registry.identityOf(wallet) == 0) return;
        if (identity) registry.setIdentityFrozen(wallet, frozen);
        else registry.setWalletFrozen(wallet, frozen);
    }

    function warp(uint256 hoursAhead) external {
        vm.warp(block.timestamp + (hoursAhead % 72) * 1 hours);
    }

    // ------------------------------------------------------------------ balance changes

    function deliver(uint256 c, uint256 w, uint256 shares) external {
        address controller = wallets[c % WALLETS];
        address to = wallets[w % WALLETS];
        shares = shares % (token.balanceOf(address(this)) + 1);
        bool eligible = _eligible(to) && _eligible(controller);
        try token.deliverShares(controller, to, shares) {
            if (!eligible) ++violations;
            ++moves;
        } catch {}
    }

    function transfer(uint256 f, uint256 t, uint256 amount) external {
        address from = wallets[f % WALLETS];
        address to = wallets[t % WALLETS];
        amount = amount % (token.balanceOf(from) + 2);
        uint8 code = token.detectTransferRestriction(from, to, amount);
        bool eligible = _eligible(to) && _eligible(from);
        uint256 fromBefore = token.balanceOf(from);
        uint256 toBefore = token.balanceOf(to);
        vm.prank(from);
        try token.transfer(to, amount) {
            if (!eligible) ++violations;
            if (code != 0) ++mismatches;
            ++moves;
        } catch {
            if (code == 0) ++mismatches;
            if (token.balanceOf(from) != fromBefore || token.balanceOf(to) != toBefore) ++mismatches;
        }
    }

    function forced(uint256 f, uint256 t, uint256 amount) external {
        address from = wallets[f % WALLETS];
        address to = wallets[t % WALLETS];
        amount = amount % (token.balanceOf(from) + 1);
        bool eligible = _eligible(to);
        try token.forcedTransfer(from, to, amount) {
            if (!eligible) ++violations;
            ++moves;
        } catch {}
    }

    // ------------------------------------------------------------------ helpers

    function sumOfBalances() external view returns (uint256 sum) {
        sum = token.balanceOf(address(this));
        for (uint256 i; i < WALLETS; ++i) sum += token.balanceOf(wallets[i]);
    }

    /// @dev Eligibility from the registry's own view, written independently of {TransferRules}.
    function _eligible(address wallet) internal view returns (bool) {
        IInvestorRegistry.WalletView memory v = registry.walletInfo(wallet);
        return
            v.identity != 0 &&
            !v.identityFrozen &&
            !v.walletFrozen &&
            v.kycExpiry > block.timestamp &&
            v.country != BLOCKED &&
            (v.classes & ALLOWED_CLASSES) != 0;
    }

    function _expiry(uint256 kycDays) internal view returns (uint40) {
        return uint40(block.timestamp + 1 hours + (kycDays % 10) * 1 days);
    }

    /// @dev The United States, Germany or the blocked country.
    function _country(uint256 pick) internal pure returns (uint16) {
        uint256 p = pick % 3;
        return
            p == 0
                ? 840
                : p == 1
                    ? 276
                    : BLOCKED;
    }
}

contract ComplianceInvariantsTest is TestBase, Assertions {
    ComplianceHandler internal handler;

    function setUp() public {
        handler = new ComplianceHandler(new MockStablecoin("USD Coin", "USDC", 6));
        handler.issue();
    }

    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(handler);
    }

    /// The handler's actions do move tokens (the invariants are not vacuous): two eligible wallets receive a
    /// delivery and a transfer; an ineligible one is refused and counted as no move, and so is a delivery for an
    /// ineligible controller.
    function test_handlerMovesTokensBetweenEligibleWallets() public {
        handler.register(0, 5, 0, 1); // US, accredited
        handler.register(1, 5, 1, 2); // Germany, qualified purchaser
        handler.register(2, 5, 2, 1); // the blocked country
        handler.deliver(0, 0, 500);
        handler.deliver(2, 0, 500); // the controller's country is blocked: refused
        handler.warp(48);
        handler.transfer(0, 1, 100);
        handler.transfer(0, 2, 100);
        assertTrue(handler.moves() == 2, "two moves");
        assertTrue(handler.token().balanceOf(handler.wallets(1)) == 100, "wallet 1 received");
        assertTrue(handler.token().balanceOf(handler.wallets(2)) == 0, "wallet 2 refused");
        assertTrue(handler.violations() == 0 && handler.mismatches() == 0, "clean");
    }

    /// A
    function invariant_noIneligibleAddressGainsABalance() public view {
        assertTrue(handler.violations() == 0, "an ineligible wallet received tokens");
    }

    /// B
    function invariant_transfersAgreeWithDetectTransferRestriction() public view {
        assertTrue(handler.mismatches() == 0, "a transfer disagreed with detectTransferRestriction");
    }

    /// C
    function invariant_supplyIsHeld() public view {
        assertTrue(handler.sumOfBalances() == handler.token().totalSupply(), "supply not held");
    }
}
