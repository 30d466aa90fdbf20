// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {InvestorRecord} from "../compliance/InvestorRecord.sol";
import {IInvestorRegistry} from "../interfaces/IInvestorRegistry.sol";
import {TransferRules} from "../libraries/TransferRules.sol";

/// @notice Test-only: {TransferRules} on a bare ERC-20-like balance sheet, so the rules can be exercised code by code
/// (and their gas compared with an OpenZeppelin ERC-20 transfer) apart from a tranche's coupons and offering. Not a
/// token: no allowances, no coupons, no events beyond `Transfer`.
/// @dev The same account layout as {TrancheToken} (balance 96 bits, vote lock 32, acquisition time 32, then the
/// cash checkpoint the harness leaves unused); the rules either in immutables (as the token's clone arguments) or in
/// storage, one packed slot plus only the bitmap words of the two countries involved.
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
    uint256 private constant ACQUIRED_AT_SHIFT = 128;

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
    /// @dev Packed: balance (bits 0 – 95), vote lock (96 – 127), acquisition time (128 – 159), cash checkpoint
    /// (160 – 255, unused here).
    mapping(address account => uint256) private _accounts;

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

    /// @notice Setup only: credits `amount` to `to` as a subscription (acquired now), with no checks.
    function mint(address to, uint256 amount) external {
        uint256 account = _accounts[to];
        if (uint96(account) == 0 && _capsHolders()) ++_state.holders;
        account =
            (account & ~(uint256(type(uint32).max) << ACQUIRED_AT_SHIFT)) | (block.timestamp << ACQUIRED_AT_SHIFT);
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

        if (uint96(b) == 0) {
            // A receiver without tokens starts its holding period now, or inherits the sender's when both wallets
            // belong to one identity; further tokens do not restart it.
            uint256 acquiredAt = t.fromRecord.identity() == t.toRecord.identity() ? _acquiredAt(a) : block.timestamp;
            b = (b & ~(uint256(type(uint32).max) << ACQUIRED_AT_SHIFT)) | (acquiredAt << ACQUIRED_AT_SHIFT);
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
        t.fromAcquiredAt = _acquiredAt(a);
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

    function _acquiredAt(uint256 account) private pure returns (uint256) {
        return uint32(account >> ACQUIRED_AT_SHIFT);
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
