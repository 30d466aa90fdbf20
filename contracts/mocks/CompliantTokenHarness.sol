// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

import {InvestorRecord} from "../compliance/InvestorRecord.sol";
import {IInvestorRegistry} from "../interfaces/IInvestorRegistry.sol";
import {TransferRules} from "../libraries/TransferRules.sol";

/// @notice Test-only: {TransferRules} on a bare ERC-20-like balance sheet, so the rules can be exercised code by code
/// (and their gas compared with an OpenZeppelin ERC-20 transfer) apart from a tranche's coupons and offering. Not a
/// token: no allowances, no coupons, no events beyond `Transfer`.
/// @dev The same account layout as {TrancheToken} (balance 96 bits, vote lock 32, fresh-lot start 32, then the
/// cash checkpoint the harness leaves unused) and the same fresh-lot bookkeeping (the seasoned part of the balance
/// while the lot runs, {TransferRules.mergeFresh} on every reception from another identity); the rules either in
/// immutables (as the token's clone arguments) or in storage, one packed slot plus only the bitmap words of the
/// two countries involved.
contract CompliantTokenHarness {
    using TransferRules for TransferRules.Transfer;

    struct State {
        uint32 holders;
        bool paused;
    }

    struct StoredRules {
        uint16 allowedClasses;
        uint32 minHoldingPeriod;
        uint32 maxHolders;
        uint128 minHolding;
    }

    event Transfer(address indexed from, address indexed to, uint256 value);

    error TransferRestricted(uint8 code);

    uint256 private constant LOCKED_UNTIL_SHIFT = 96;
    uint256 private constant FRESH_SINCE_SHIFT = 128;

    IInvestorRegistry private immutable REGISTRY;
    bool private immutable RULES_IN_STORAGE;
    uint16 private immutable ALLOWED_CLASSES;
    uint32 private immutable MIN_HOLDING_PERIOD;
    uint32 private immutable MAX_HOLDERS;
    uint128 private immutable MIN_HOLDING;
    uint256 private immutable BLOCKED_0;
    uint256 private immutable BLOCKED_1;
    uint256 private immutable BLOCKED_2;
    uint256 private immutable BLOCKED_3;

    State private _state;
    StoredRules private _storedRules;
    uint256[4] private _blocked;
    /// @dev Packed: balance (bits 0 – 95), vote lock (96 – 127), fresh-lot start (128 – 159), cash checkpoint
    /// (160 – 255, unused here).
    mapping(address account => uint256) private _accounts;
    /// @dev While the account's fresh lot runs, the part of its balance past its holding period.
    mapping(address account => uint256) private _seasoned;

    constructor(IInvestorRegistry registry, TransferRules.Rules memory rules, bool rulesInStorage) {
        REGISTRY = registry;
        RULES_IN_STORAGE = rulesInStorage;
        ALLOWED_CLASSES = rules.allowedClasses;
        MIN_HOLDING_PERIOD = rules.minHoldingPeriod;
        MAX_HOLDERS = rules.maxHolders;
        MIN_HOLDING = rules.minHolding;
        BLOCKED_0 = rules.blockedCountries[0];
        BLOCKED_1 = rules.blockedCountries[1];
        BLOCKED_2 = rules.blockedCountries[2];
        BLOCKED_3 = rules.blockedCountries[3];
        _storedRules = StoredRules(rules.allowedClasses, rules.minHoldingPeriod, rules.maxHolders, rules.minHolding);
        _blocked = rules.blockedCountries;
    }

    /// @notice Setup only: credits `amount` to `to` as a subscription (received from another identity now, so
    /// fresh), with no checks.
    function mint(address to, uint256 amount) external {
        uint256 account = _accounts[to];
        if (uint96(account) == 0 && _capsHolders()) ++_state.holders;
        uint256 period = _period();
        if (period != 0) account = _receive(to, account, amount, amount, block.timestamp, period);
        _accounts[to] = account + amount;
        emit Transfer(address(0), to, amount);
    }

    /// @notice Setup only: locks `account`'s tokens until `until` (a waiver vote in the real token).
    function lock(address account, uint32 until) external {
        uint256 word = _accounts[account] & ~(uint256(type(uint32).max) << LOCKED_UNTIL_SHIFT);
        _accounts[account] = word | (uint256(until) << LOCKED_UNTIL_SHIFT);
    }

    function setPaused(bool paused_) external {
        _state.paused = paused_;
    }

    function transfer(address to, uint256 amount) external returns (bool) {
        address from = msg.sender;
        uint256 a = _accounts[from];
        uint256 b = _accounts[to];
        State memory s = _state;
        TransferRules.Transfer memory t = _transferOf(from, to, amount, a, b, s);
        uint8 code = t.check(_rules(t), block.timestamp);
        if (code != TransferRules.SUCCESS) revert TransferRestricted(code);

        uint256 period = _period();
        if (period != 0 && from != to) {
            // Seasoned tokens leave first; from another identity all of `amount` is fresh from now, from a wallet of
            // the same identity only the fresh tokens that moved, with the sender's clock.
            uint256 fresh = _freshOf(from, a, period);
            uint256 seasoned = uint96(a) - fresh;
            uint256 moved = amount > seasoned ? amount - seasoned : 0;
            if (fresh != 0 && amount != moved) _seasoned[from] = seasoned - (amount - moved);
            b =
                t.fromRecord.identity() == t.toRecord.identity()
                    ? _receive(to, b, amount, moved, _freshSince(a), period)
                    : _receive(to, b, amount, amount, block.timestamp, period);
        }
        // amount ≤ balance checked by the rules, and the balance is the low 96 bits; balances sum to the supply,
        // which fits in 96 bits.
        unchecked {
            _accounts[from] = a - amount;
            _accounts[to] = b + amount;
        }
        if (t.receiverJoins != t.senderLeaves) {
            s.holders = t.receiverJoins ? s.holders + 1 : s.holders - 1;
            _state = s;
        }
        emit Transfer(from, to, amount);
        return true;
    }

    /// @notice ERC-1404.
    function detectTransferRestriction(address from, address to, uint256 amount) external view returns (uint8) {
        TransferRules.Transfer memory t = _transferOf(from, to, amount, _accounts[from], _accounts[to], _state);
        return t.check(_rules(t), block.timestamp);
    }

    /// @notice ERC-1404.
    function messageForTransferRestriction(uint8 code) external pure returns (string memory) {
        return TransferRules.message(code);
    }

    function balanceOf(address account) external view returns (uint256) {
        return uint96(_accounts[account]);
    }

    function holders() external view returns (uint256) {
        return _state.holders;
    }

    /// @dev Whether a wallet of `wallet`'s identity other than `wallet` holds tokens. Single-wallet identities (the
    /// common case) answer from the record alone; others read the identity's wallets from the registry (rare path:
    /// only when a multi-wallet identity's wallet goes from or to a zero balance).
    function _transferOf(
        address from,
        address to,
        uint256 amount,
        uint256 a,
        uint256 b,
        State memory s
    ) private view returns (TransferRules.Transfer memory t) {
        (uint256 fromRecord, uint256 toRecord) = REGISTRY.transferRecords(from, to);
        t.fromRecord = InvestorRecord.wrap(fromRecord);
        t.toRecord = InvestorRecord.wrap(toRecord);
        t.amount = amount;
        t.fromBalance = uint96(a);
        t.toBalance = uint96(b);
        t.fromFreshSince = _freshSince(a);
        uint256 period = _period();
        if (period != 0) t.fromFresh = _freshOf(from, a, period);
        t.fromLockedUntil = uint32(a >> LOCKED_UNTIL_SHIFT);
        t.holders = s.holders;
        t.paused = s.paused;
        // Holders are counted only when the tranche caps them: an uncapped tranche saves the count's update.
        if (_capsHolders() && t.fromRecord.identity() != t.toRecord.identity()) {
            t.receiverJoins = uint96(b) == 0 && !_otherWalletsHold(to, t.toRecord);
            t.senderLeaves = uint96(a) == amount && !_otherWalletsHold(from, t.fromRecord);
        }
    }

    function _capsHolders() private view returns (bool) {
        return RULES_IN_STORAGE ? _storedRules.maxHolders != 0 : MAX_HOLDERS != 0;
    }

    function _period() private view returns (uint256) {
        return RULES_IN_STORAGE ? _storedRules.minHoldingPeriod : MIN_HOLDING_PERIOD;
    }

    function _freshSince(uint256 account) private pure returns (uint256) {
        return uint32(account >> FRESH_SINCE_SHIFT);
    }

    /// @dev The tokens of `wallet` (account word `account`) still in their holding period: none without a lot (start
    /// zero) or once it ended (the seasoned slot is then not read).
    function _freshOf(address wallet, uint256 account, uint256 period) private view returns (uint256) {
        uint32 since = uint32(_freshSince(account));
        if (since == 0 || block.timestamp >= TransferRules.releasedAt(since, uint32(period))) return 0;
        uint256 balance = uint96(account);
        uint256 seasoned = _seasoned[wallet];
        return
            TransferRules.freshTokens(
                balance - Math.min(seasoned, balance),
                since,
                balance,
                uint32(period),
                block.timestamp
            );
    }

    /// @dev `wallet` (account word `account`) receives `value` tokens, `fresh` of them fresh from `freshSince`:
    /// returns the word with the merged lot's start; keeps the seasoned part.
    function _receive(
        address wallet,
        uint256 account,
        uint256 value,
        uint256 fresh,
        uint256 freshSince,
        uint256 period
    ) private returns (uint256) {
        uint256 lot = _freshOf(wallet, account, period);
        if (lot == 0 && fresh == 0) return account;
        uint32 since;
        (lot, since) = TransferRules.mergeFresh(
            uint96(lot),
            uint32(_freshSince(account)),
            uint96(fresh),
            uint32(freshSince)
        );
        uint256 seasoned = uint96(account) + value - lot;
        if (_seasoned[wallet] != seasoned) _seasoned[wallet] = seasoned;
        return (account & ~(uint256(type(uint32).max) << FRESH_SINCE_SHIFT)) | (uint256(since) << FRESH_SINCE_SHIFT);
    }

    function _otherWalletsHold(address wallet, InvestorRecord record) private view returns (bool) {
        if (record.walletCount() <= 1) return false;
        address[] memory wallets = REGISTRY.identityWallets(wallet);
        for (uint256 i; i < wallets.length; ++i) {
            if (wallets[i] != wallet && uint96(_accounts[wallets[i]]) != 0) return true;
        }
        return false;
    }

    function _rules(TransferRules.Transfer memory t) private view returns (TransferRules.Rules memory rules) {
        if (!RULES_IN_STORAGE) {
            rules.allowedClasses = ALLOWED_CLASSES;
            rules.minHoldingPeriod = MIN_HOLDING_PERIOD;
            rules.maxHolders = MAX_HOLDERS;
            rules.minHolding = MIN_HOLDING;
            rules.blockedCountries[0] = BLOCKED_0;
            rules.blockedCountries[1] = BLOCKED_1;
            rules.blockedCountries[2] = BLOCKED_2;
            rules.blockedCountries[3] = BLOCKED_3;
            return rules;
        }
        StoredRules memory stored = _storedRules;
        rules.allowedClasses = stored.allowedClasses;
        rules.minHoldingPeriod = stored.minHoldingPeriod;
        rules.maxHolders = stored.maxHolders;
        rules.minHolding = stored.minHolding;
        // Only the words the two countries fall in; registered countries are 1 – 999 (words 0 – 3).
        uint256 fromWord = (t.fromRecord.country() >> 8) & 3;
        uint256 toWord = (t.toRecord.country() >> 8) & 3;
        rules.blockedCountries[fromWord] = _blocked[fromWord];
        if (toWord != fromWord) rules.blockedCountries[toWord] = _blocked[toWord];
    }
}
