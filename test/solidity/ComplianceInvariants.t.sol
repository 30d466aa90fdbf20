// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";

import {InvestorRegistry} from "../../contracts/compliance/InvestorRegistry.sol";
import {TrancheToken} from "../../contracts/core/TrancheToken.sol";
import {TrancheTokenExtension} from "../../contracts/core/TrancheTokenExtension.sol";
import {IInvestorRegistry} from "../../contracts/interfaces/IInvestorRegistry.sol";
import {ITrancheToken, ITrancheTokenBase} from "../../contracts/interfaces/ITrancheToken.sol";
import {TrancheTokenArgs} from "../../contracts/libraries/TrancheTokenArgs.sol";
import {TransferRules} from "../../contracts/libraries/TransferRules.sol";
import {MockStablecoin} from "../../contracts/mocks/MockStablecoin.sol";

import {Assertions} from "./utils/Assertions.sol";
import {TestBase} from "./utils/Vm.sol";

/*
 * Compliance under random registries and transfers. A handler plays the deal, the offering and the compliance
 * agent of one restricted tranche token (accredited or qualified purchasers, country 408 blocked, one-day holding
 * period, 10-unit minimum holding) over six wallets, and in random order registers, updates, freezes and unfreezes
 * them (identity and wallet), adds wallets to identities, lets time pass (KYC expires, holding periods end),
 * delivers subscribed shares for a controller, transfers between wallets, forces transfers and recovers wallets.
 * After every step the invariants hold:
 *
 * A  No ineligible address ever gains a balance, and no ineligible controller gives its allocation away: every
 *    successful delivery, transfer or forced transfer went to a wallet that was, at that moment, registered,
 *    unfrozen, within its KYC, in an allowed country and class, and every delivery was for such a controller — as
 *    the handler computes it from the registry on its own, not through the token's rules.
 * B  A transfer succeeds exactly when `detectTransferRestriction` says 0, and a refused one changes no balance.
 * C  The wallets and the offering hold the whole supply.
 * D  No reception ever makes a previously transferable amount non-transferable: after a delivery, transfer, forced
 *    transfer or recovery, what the receiver may move to another identity at that moment (balance − frozen − fresh)
 *    is at least what it was before. (The handler freezes no tokens, so a recovered position brings none along.)
 * E  The fresh lots are what the holding-period rules of TransferRules say, step by step: the handler keeps its own
 *    model of every wallet's lot (fresh amount F and start c, written from the rules' prose, not the token's code)
 *    and the token's `freshTokens` equals it; F never exceeds the balance; and while a lot runs the token's own record
 *    of the seasoned tokens (`_seasoned`, read from storage) is the balance less the lot.
 */
contract ComplianceHandler is TestBase {
    uint256 internal constant WALLETS = 6;
    uint16 internal constant BLOCKED = 408;
    uint16 internal constant ALLOWED_CLASSES = 3;
    uint256 internal constant SUPPLY = 1_000_000;
    uint256 internal constant PERIOD = 1 days;
    /// @dev Storage slot of TrancheToken's `_seasoned` mapping (checked by `test_seasonedSlot`).
    uint256 internal constant SEASONED_SLOT = 8;

    InvestorRegistry public registry;
    ITrancheToken public token;
    address[WALLETS] public wallets;

    uint256 public violations;
    uint256 public mismatches;
    uint256 public moves;
    /// @dev Receptions that lowered what the receiver could move (D).
    uint256 public lockedByReception;

    /// @dev The model of every wallet's fresh lot (E): F and c as the rules define them.
    mapping(address wallet => uint256) public modelFresh;
    mapping(address wallet => uint256) public modelSince;

    constructor(MockStablecoin usdc) {
        registry = new InvestorRegistry(address(this));
        registry.grantRole(registry.COMPLIANCE_AGENT_ROLE(), address(this));
        ITrancheTokenBase.Params memory p;
        p.deal = address(this);
        p.stablecoin = address(usdc);
        p.decimals = 6;
        p.registry = address(registry);
        p.rules.allowedClasses = ALLOWED_CLASSES;
        p.rules.minHoldingPeriod = uint32(PERIOD);
        p.rules.minHolding = 10;
        p.rules.blockedCountries = TransferRules.withCountry(p.rules.blockedCountries, BLOCKED, true);
        token = ITrancheToken(
            Clones.cloneWithImmutableArgs(
                address(new TrancheToken(address(new TrancheTokenExtension()))),
                TrancheTokenArgs.encode(p)
            )
        );
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

    /// @dev Makes wallet `n` (unregistered) a second wallet of wallet `w`'s identity.
    function addWallet(uint256 w, uint256 n) external {
        address wallet = wallets[w % WALLETS];
        address newWallet = wallets[n % WALLETS];
        if (registry.identityOf(wallet) == 0 || registry.identityOf(newWallet) != 0) return;
        if (registry.identityWallets(wallet).length >= 8) return;
        registry.addWallet(wallet, newWallet);
    }

    function warp(uint256 hoursAhead) external {
        vm.warp(block.timestamp + (hoursAhead % 36) * 1 hours);
    }

    // ------------------------------------------------------------------ balance changes

    function deliver(uint256 c, uint256 w, uint256 shares) external {
        address controller = wallets[c % WALLETS];
        address to = wallets[w % WALLETS];
        shares = shares % (token.balanceOf(address(this)) + 1);
        bool eligible = _eligible(to) && _eligible(controller);
        uint256 movable = _movable(to);
        uint256 balance = token.balanceOf(to);
        try token.deliverShares(controller, to, shares) {
            if (!eligible) ++violations;
            ++moves;
            _modelReceive(to, balance, shares, block.timestamp);
            if (_movable(to) < movable) ++lockedByReception;
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
        uint256 movable = _movable(to);
        vm.prank(from);
        try token.transfer(to, amount) {
            if (!eligible) ++violations;
            if (code != 0) ++mismatches;
            ++moves;
            if (from != to) _modelMove(from, to, amount, fromBefore, toBefore);
            if (from != to && _movable(to) < movable) ++lockedByReception;
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
        uint256 fromBefore = token.balanceOf(from);
        uint256 toBefore = token.balanceOf(to);
        uint256 movable = _movable(to);
        try token.forcedTransfer(from, to, amount) {
            if (!eligible) ++violations;
            ++moves;
            _modelMove(from, to, amount, fromBefore, toBefore);
            if (_movable(to) < movable) ++lockedByReception;
        } catch {}
    }

    /// @dev Recovers wallet `l`'s position into wallet `n` (the agent's `recoverWallet`).
    function recover(uint256 l, uint256 n) external {
        address lost = wallets[l % WALLETS];
        address to = wallets[n % WALLETS];
        bool eligible = _eligible(to);
        uint256 lostBalance = token.balanceOf(lost);
        uint256 toBalance = token.balanceOf(to);
        uint256 movable = _movable(to);
        try token.recoverWallet(lost, to) {
            if (!eligible) ++violations;
            ++moves;
            // The lost wallet's fresh tokens join the new wallet's lot with their clock; the rest arrive seasoned.
            _modelReceive(to, toBalance, modelFreshNow(lost, lostBalance), modelSince[lost]);
            modelFresh[lost] = 0;
            modelSince[lost] = 0;
            if (_movable(to) < movable) ++lockedByReception;
        } catch {}
    }

    // ------------------------------------------------------------------ the model of the fresh lots (E)

    /// @dev The model's fresh tokens of `wallet` holding `balance`: min(F, balance) before c + P, else none.
    function modelFreshNow(address wallet, uint256 balance) public view returns (uint256) {
        if (block.timestamp >= modelSince[wallet] + PERIOD) return 0;
        uint256 f = modelFresh[wallet];
        return f < balance ? f : balance;
    }

    /// @dev `wallet` (holding `balance`) receives `amount` fresh tokens whose period started at `since`: an ended or
    /// empty lot is replaced, a running one merges with the amount-weighted start, rounded down.
    function _modelReceive(address wallet, uint256 balance, uint256 amount, uint256 since) internal {
        if (amount == 0) return;
        uint256 f = modelFreshNow(wallet, balance);
        if (f == 0) {
            modelFresh[wallet] = amount;
            modelSince[wallet] = since;
        } else {
            modelSince[wallet] = (f * modelSince[wallet] + amount * since) / (f + amount);
            modelFresh[wallet] = f + amount;
        }
    }

    /// @dev `amount` moves from `from` (holding `fromBalance`) to `to` (holding `toBalance`): seasoned tokens leave
    /// first; between identities the receiver's reception is all fresh from now, within one identity only the
    /// fresh tokens that moved, with the sender's start.
    function _modelMove(address from, address to, uint256 amount, uint256 fromBalance, uint256 toBalance) internal {
        uint256 f = modelFreshNow(from, fromBalance);
        uint256 seasoned = fromBalance - f;
        uint256 moved = amount > seasoned ? amount - seasoned : 0;
        modelFresh[from] = f - moved;
        uint32 fromId = registry.identityOf(from);
        if (fromId != 0 && fromId == registry.identityOf(to)) {
            _modelReceive(to, toBalance, moved, modelSince[from]);
        } else {
            _modelReceive(to, toBalance, amount, block.timestamp);
        }
    }

    // ------------------------------------------------------------------ helpers

    function sumOfBalances() external view returns (uint256 sum) {
        sum = token.balanceOf(address(this));
        for (uint256 i; i < WALLETS; ++i) sum += token.balanceOf(wallets[i]);
    }

    /// @dev Wallets whose lot differs from the model, or whose model lot exceeds the balance, or whose stored
    /// seasoned tokens are not the balance less the running lot (E).
    function lotMismatches() external view returns (uint256 count) {
        for (uint256 i; i < WALLETS; ++i) {
            address w = wallets[i];
            uint256 balance = token.balanceOf(w);
            uint256 expected = modelFreshNow(w, balance);
            (uint256 amount, uint256 releasedAt) = token.freshTokens(w);
            if (amount != expected) ++count;
            if (releasedAt != (expected == 0 ? 0 : modelSince[w] + PERIOD)) ++count;
            if (block.timestamp < modelSince[w] + PERIOD && modelFresh[w] > balance) ++count;
            if (amount != 0 && seasonedOf(w) != balance - amount) ++count;
        }
    }

    /// @dev TrancheToken's `_seasoned[wallet]`, read from storage.
    function seasonedOf(address wallet) public view returns (uint256) {
        return uint256(vm.load(address(token), keccak256(abi.encode(wallet, SEASONED_SLOT))));
    }

    /// @dev What `wallet` may move to another identity now: balance less frozen and fresh tokens.
    function _movable(address wallet) internal view returns (uint256) {
        uint256 balance = token.balanceOf(wallet);
        (uint256 fresh, ) = token.freshTokens(wallet);
        uint256 held = token.frozenTokens(wallet) + fresh;
        return held >= balance ? 0 : balance - held;
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

/// @dev Foundry's `FuzzSelector`: the handler functions the invariant runs call.
struct FuzzSelector {
    address addr;
    bytes4[] selectors;
}

contract ComplianceInvariantsTest is TestBase, Assertions {
    ComplianceHandler internal handler;

    function setUp() public {
        handler = new ComplianceHandler(new MockStablecoin("USD Coin", "USDC", 6));
        handler.issue();
        // Three eligible investors from the start (US accredited, German qualified purchaser, US accredited), so that
        // runs trade rather than only register; wallets 3 – 5 start unregistered.
        handler.register(0, 9, 0, 1);
        handler.register(1, 9, 1, 2);
        handler.register(2, 9, 0, 3);
    }

    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(handler);
    }

    /// @dev The handler's actions only (not its views), so that each run's calls change state.
    function targetSelectors() public view returns (FuzzSelector[] memory targets) {
        bytes4[] memory selectors = new bytes4[](10);
        selectors[0] = ComplianceHandler.register.selector;
        selectors[1] = ComplianceHandler.update.selector;
        selectors[2] = ComplianceHandler.freeze.selector;
        selectors[3] = ComplianceHandler.addWallet.selector;
        selectors[4] = ComplianceHandler.warp.selector;
        selectors[5] = ComplianceHandler.deliver.selector;
        selectors[6] = ComplianceHandler.transfer.selector;
        selectors[7] = ComplianceHandler.forced.selector;
        selectors[8] = ComplianceHandler.deliver.selector; // deliveries twice as often: they feed every other move
        selectors[9] = ComplianceHandler.recover.selector;
        targets = new FuzzSelector[](1);
        targets[0] = FuzzSelector(address(handler), selectors);
    }

    /// The handler's actions do move tokens (the invariants are not vacuous): two eligible wallets receive a
    /// delivery and a transfer; an ineligible one is refused and counted as no move, and so is a delivery for an
    /// ineligible controller.
    function test_handlerMovesTokensBetweenEligibleWallets() public {
        handler.update(2, 5, 2, 1); // the blocked country
        handler.deliver(0, 0, 500);
        handler.deliver(2, 0, 500); // the controller's country is blocked: refused
        handler.warp(24);
        handler.transfer(0, 1, 100);
        handler.transfer(0, 2, 100);
        assertTrue(handler.moves() == 2, "two moves");
        assertTrue(handler.token().balanceOf(handler.wallets(0)) == 400, "wallet 0 kept the rest");
        assertTrue(handler.token().balanceOf(handler.wallets(1)) == 100, "wallet 1 received");
        assertTrue(handler.token().balanceOf(handler.wallets(2)) == 0, "wallet 2 refused");
        assertTrue(handler.violations() == 0 && handler.mismatches() == 0, "clean");
        assertEq(handler.lotMismatches(), 0, "lots");
    }

    /// The lots are not vacuous either: a reception into a running lot merges (E), and the stored seasoned tokens
    /// are read from the slot the handler names (a wrong slot would read 0, not 60).
    function test_seasonedSlot() public {
        handler.deliver(0, 0, 100);
        handler.warp(24); // the first lot ends
        handler.deliver(1, 1, 100);
        handler.transfer(0, 1, 60);
        handler.warp(12);
        handler.deliver(1, 1, 20);
        ITrancheToken token = handler.token();
        (uint256 fresh, uint256 releasedAt) = token.freshTokens(handler.wallets(1));
        assertEq(fresh, 180, "fresh: 100 + 60 + 20");
        assertEq(handler.seasonedOf(handler.wallets(1)), 0, "nothing seasoned yet");
        assertTrue(releasedAt > block.timestamp + 12 hours - 1 && releasedAt < block.timestamp + 1 days, "merged");
        handler.warp(12); // the lot of wallet 1 (from before the last delivery) runs on
        handler.transfer(1, 0, 0);
        assertEq(handler.lotMismatches(), 0, "lots");
        handler.warp(24);
        handler.transfer(0, 1, 40);
        assertEq(handler.seasonedOf(handler.wallets(1)), 180, "an ended lot becomes seasoned on the next reception");
        assertEq(handler.lotMismatches(), 0, "lots");
        // A recovery takes the lot along and clears the lost wallet's clock and seasoned slot.
        handler.recover(1, 0);
        assertEq(handler.seasonedOf(handler.wallets(1)), 0, "lost wallet cleared");
        (fresh, ) = token.freshTokens(handler.wallets(0));
        assertEq(fresh, 40, "the lot moved");
        assertEq(handler.lotMismatches(), 0, "lots");
        // The emptied wallet starts a lot afresh.
        handler.deliver(1, 1, 5);
        (fresh, ) = token.freshTokens(handler.wallets(1));
        assertEq(fresh, 5, "a new lot in the emptied wallet");
        assertEq(handler.lotMismatches(), 0, "lots");
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

    /// D
    function invariant_noReceptionLocksTransferableTokens() public view {
        assertEq(handler.lockedByReception(), 0, "a reception made transferable tokens non-transferable");
    }

    /// E
    function invariant_freshLotsFollowTheRules() public view {
        assertEq(handler.lotMismatches(), 0, "a fresh lot differs from the rules' model");
    }
}
