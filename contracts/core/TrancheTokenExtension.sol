// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {IDeal} from "../interfaces/IDeal.sol";
import {ITrancheTokenExtension} from "../interfaces/ITrancheToken.sol";
import {TrancheAccount} from "../libraries/TrancheAccount.sol";
import {TrancheTokenArgs} from "../libraries/TrancheTokenArgs.sol";
import {TransferRules} from "../libraries/TransferRules.sol";
import {TrancheTokenBase} from "./TrancheTokenBase.sol";

/// @title TrancheTokenExtension
/// @notice See {ITrancheToken}. The compliance agent's operations (freeze, forced transfer, wallet recovery), vote
/// locks, pauses, claims to another address, the permit's nonces and domain, and every view a transfer does not
/// need. One instance serves every tranche: {TrancheToken}'s fallback runs this code by delegate call, on the
/// token's storage, its clone arguments and its caller.
/// @dev Called directly (not through a token) every function reverts {NotDelegated}: its own storage and code hold
/// no tranche.
contract TrancheTokenExtension is TrancheTokenBase, ITrancheTokenExtension {
    /// @dev This contract's own address: a call that runs here without a delegate call is refused.
    address private immutable SELF = address(this);

    /// @notice The call did not come through a tranche token.
    error NotDelegated();

    modifier onlyDelegated() {
        if (address(this) == SELF) revert NotDelegated();
        _;
    }

    modifier onlyAgent() {
        address registry_ = TrancheTokenArgs.registry();
        if (registry_ == address(0) || !IAccessControl(registry_).hasRole(COMPLIANCE_AGENT_ROLE, msg.sender)) {
            revert NotComplianceAgent(msg.sender);
        }
        _;
    }

    // ------------------------------------------------------------ extension

    function nonces(address owner) external view returns (uint256) {
        return _nonces[owner];
    }

    // solhint-disable-next-line func-name-mixedcase
    function DOMAIN_SEPARATOR() external view returns (bytes32) {
        return _domainSeparator();
    }

    /// @notice EIP-5267: the permit domain, so wallets can discover it (name, version "1", this chain, this token).
    function eip712Domain()
        external
        view
        returns (
            bytes1 fields,
            string memory name_,
            string memory version,
            uint256 chainId,
            address verifyingContract,
            bytes32 salt,
            uint256[] memory extensions
        )
    {
        return (hex"0f", _name(), "1", block.chainid, address(this), bytes32(0), new uint256[](0));
    }

    /// @inheritdoc ITrancheTokenExtension
    function setPaused(bool paused_) external onlyDelegated onlyDeal {
        _paused = paused_;
        emit PauseSet(paused_);
    }

    /// @inheritdoc ITrancheTokenExtension
    function lockForVote(address voter, uint64 until) external onlyDelegated returns (uint256 weight) {
        address engine = IDeal(TrancheTokenArgs.deal()).riskEngine();
        if (msg.sender != engine) revert NotRiskEngine(msg.sender);
        (address registry_, uint256 rules, uint256[4] memory blocked, ) = TrancheTokenArgs.compliance();
        if (registry_ != address(0)) {
            uint8 code = TransferRules.senderCode(_walletRecord(registry_, voter), rules, blocked, block.timestamp);
            if (code != TransferRules.SUCCESS) revert VoteRestricted(voter, code);
        }
        TrancheAccount account = _accounts[voter];
        // Locked until `until` already: these tokens voted in this ballot (deadlines grow from ballot to ballot).
        if (account.lockedUntil() >= until) return 0;
        // frozen ≤ balance.
        weight = account.balance() - _frozen[voter];
        _accounts[voter] = account.withLockedUntil(SafeCast.toUint32(until));
        emit VoteLocked(voter, weight, until);
    }

    /// @inheritdoc ITrancheTokenExtension
    function lockedUntil(address account) external view returns (uint256) {
        return _accounts[account].lockedUntil();
    }

    /// @inheritdoc ITrancheTokenExtension
    function claimTo(address receiver) external onlyDelegated returns (uint256 amount) {
        if (receiver == address(0)) revert ERC20InvalidReceiver(address(0));
        return _claim(receiver);
    }

    /// @inheritdoc ITrancheTokenExtension
    function freezeTokens(address account, uint256 amount) external onlyDelegated onlyAgent {
        if (amount == 0) revert ZeroAmount();
        _checkNotOffering(account);
        uint256 balance = _accounts[account].balance();
        uint256 frozen = _frozen[account];
        if (amount > balance || frozen > balance - amount) {
            revert FreezeExceedsBalance(account, balance, frozen, amount);
        }
        if (frozen == 0) _partialFreezes += 1;
        // frozen + amount ≤ balance checked above.
        unchecked {
            frozen += amount;
        }
        _frozen[account] = frozen;
        emit TokensFrozen(msg.sender, account, amount, frozen);
    }

    /// @inheritdoc ITrancheTokenExtension
    function unfreezeTokens(address account, uint256 amount) external onlyDelegated onlyAgent {
        if (amount == 0) revert ZeroAmount();
        uint256 frozen = _frozen[account];
        if (amount > frozen) revert UnfreezeExceedsFrozen(account, frozen, amount);
        _unfreeze(account, frozen, amount);
    }

    /// @inheritdoc ITrancheTokenExtension
    function forcedTransfer(address from, address to, uint256 amount) external onlyDelegated onlyAgent {
        if (_paused) revert TokenPaused();
        if (to == address(0)) revert ERC20InvalidReceiver(address(0));
        if (from == to) revert SameWallet(from);
        _checkNotOffering(from);
        TrancheAccount a = _accounts[from];
        uint256 balance = a.balance();
        if (balance < amount) revert ERC20InsufficientBalance(from, balance, amount);
        if (a.lockedUntil() >= block.timestamp) revert TokensLocked(from, a.lockedUntil());
        TrancheAccount b = _accounts[to];
        uint256 lots = _forcedCompliance(from, to, amount, a, b);
        // The agent may take frozen tokens: what stays frozen never exceeds what stays.
        uint256 frozen = _frozen[from];
        uint256 left = balance - amount;
        if (frozen > left) _unfreeze(from, frozen, frozen - left);
        emit ForcedTransfer(msg.sender, from, to, amount);
        (uint256 index, ) = _hot();
        // from ≠ to (checked above).
        if (lots != 0) b = _moveFresh(from, to, amount, a, b, lots);
        _update(from, to, amount, a, b, index, 0);
    }

    /// @inheritdoc ITrancheTokenExtension
    function recoverWallet(address lostWallet, address newWallet) external onlyDelegated onlyAgent {
        if (_paused) revert TokenPaused();
        if (newWallet == address(0)) revert ERC20InvalidReceiver(address(0));
        if (lostWallet == newWallet) revert SameWallet(lostWallet);
        _checkNotOffering(lostWallet);
        (address registry_, uint256 rules, uint256[4] memory blocked, ) = TrancheTokenArgs.compliance();
        uint256 record = _walletRecord(registry_, newWallet);
        uint8 code = TransferRules.receiverCode(record, rules, blocked, block.timestamp);
        if (code != TransferRules.SUCCESS) revert TransferRestricted(code);

        (uint256 balance, uint256 accrued) = _movePosition(lostWallet, newWallet, _periodOf(rules));
        uint256 frozen = _frozen[lostWallet];
        if (frozen != 0) {
            uint256 newFrozen = _frozen[newWallet];
            // Two wallets with frozen tokens become one.
            if (newFrozen != 0) _partialFreezes -= 1;
            _frozen[newWallet] = newFrozen + frozen;
            _frozen[lostWallet] = 0;
        }
        // The holder count does not change: the position stays with the same identity.
        emit WalletRecovered(msg.sender, lostWallet, newWallet, balance, accrued, frozen);
    }

    /// @inheritdoc ITrancheTokenExtension
    function detectTransferRestriction(address from, address to, uint256 amount) external view returns (uint8) {
        uint256 hot = _hotWord();
        // PAUSED is the first check of the rules: answered here, so the shared path below skips it.
        if (_pausedIn(hot)) return TransferRules.PAUSED;
        (uint256 verdict, ) = _check(from, to, amount, _accounts[from], _accounts[to], hot);
        return uint8(verdict);
    }

    /// @inheritdoc ITrancheTokenExtension
    function messageForTransferRestriction(uint8 code) external pure returns (string memory) {
        return TransferRules.message(code);
    }

    /// @inheritdoc ITrancheTokenExtension
    function detectClaimRestriction(address account) external view returns (uint8) {
        if (_paused) return TransferRules.PAUSED;
        (address registry_, uint256 rules, uint256[4] memory blocked, ) = TrancheTokenArgs.compliance();
        if (registry_ == address(0)) return TransferRules.SUCCESS;
        return TransferRules.senderCode(_walletRecord(registry_, account), rules, blocked, block.timestamp);
    }

    /// @inheritdoc ITrancheTokenExtension
    function claimable(address account) external view returns (uint256) {
        return _accrued[account] + _accounts[account].pendingDown(_cashIndex);
    }

    /// @inheritdoc ITrancheTokenExtension
    function frozenTokens(address account) external view returns (uint256) {
        return _frozen[account];
    }

    /// @inheritdoc ITrancheTokenExtension
    function freshTokens(address account) external view returns (uint256 amount, uint256 releasedAt) {
        (address registry_, uint256 rules, , ) = TrancheTokenArgs.compliance();
        // Without a registry the rules, the holding period among them, do not apply.
        uint32 period = registry_ == address(0) ? 0 : _periodOf(rules);
        if (period == 0) return (0, 0);
        TrancheAccount a = _accounts[account];
        amount = _freshOf(account, a.balance(), a.freshSince(), period);
        if (amount != 0) releasedAt = TransferRules.releasedAt(a.freshSince(), period);
    }

    /// @inheritdoc ITrancheTokenExtension
    function holders() external view returns (uint256) {
        return _holders;
    }

    /// @inheritdoc ITrancheTokenExtension
    function registry() external view returns (address) {
        return TrancheTokenArgs.registry();
    }

    /// @inheritdoc ITrancheTokenExtension
    function transferRules() external view returns (TransferRules.Rules memory rules) {
        (address registry_, uint256 packed, uint256[4] memory blocked, ) = TrancheTokenArgs.compliance();
        // Empty when there is no registry: the rules are not enforced.
        if (registry_ == address(0)) return rules;
        rules.allowedClasses = uint16(packed);
        rules.minHoldingPeriod = uint32(packed >> TransferRules.RULES_PERIOD_SHIFT);
        rules.maxHolders = uint32(packed >> TransferRules.RULES_MAX_HOLDERS_SHIFT);
        rules.minHolding = uint128(packed >> TransferRules.RULES_MIN_HOLDING_SHIFT);
        rules.blockedCountries = blocked;
    }

    /// @inheritdoc ITrancheTokenExtension
    function cashIndex() external view returns (uint256) {
        uint256 index = _cashIndex;
        // From its origin; zero before the supply is issued.
        return index == 0 ? 0 : index - INDEX_ORIGIN;
    }

    /// @inheritdoc ITrancheTokenExtension
    function distributed() external view returns (uint256) {
        uint256 index = _cashIndex;
        if (index == 0) return 0;
        // Each distribution adds amount·scale + carry = Δindex·supply + new carry, so the sum of every amount is
        // ((index − origin)·supply + carry) / scale, exactly.
        return ((index - INDEX_ORIGIN) * _totalSupply + _indexCarry) / INDEX_SCALE;
    }

    /// @inheritdoc ITrancheTokenExtension
    function distributor() external view returns (address) {
        return TrancheTokenArgs.distributor();
    }

    /// @inheritdoc ITrancheTokenExtension
    function factor() external view returns (uint256) {
        (address deal_, uint256 index) = TrancheTokenArgs.dealAndIndex();
        return IDeal(deal_).factor(index);
    }

    /// @inheritdoc ITrancheTokenExtension
    function params() external view returns (Params memory) {
        return TrancheTokenArgs.params();
    }

    function deal() external view returns (address) {
        return TrancheTokenArgs.deal();
    }

    /// @inheritdoc ITrancheTokenExtension
    function offering() external view returns (address offering_) {
        (address deal_, uint256 index) = TrancheTokenArgs.dealAndIndex();
        (, offering_) = IDeal(deal_).trancheContracts(index);
    }

    function stablecoin() external view returns (address) {
        return TrancheTokenArgs.stablecoin();
    }

    function trancheIndex() external view returns (uint256) {
        return TrancheTokenArgs.trancheIndex();
    }

    function paused() external view returns (bool) {
        return _paused;
    }

    /// @inheritdoc ITrancheTokenExtension
    function extension() external view returns (address) {
        return SELF;
    }

    // ------------------------------------------------------------ internals

    /// @dev The compliance of a forced transfer: reverts unless the receiver may hold; keeps the holder count (a
    /// court order is not refused for the holder cap, but the count follows it). Returns the lots word of the move
    /// ({_lotsOf}).
    function _forcedCompliance(
        address from,
        address to,
        uint256 amount,
        TrancheAccount a,
        TrancheAccount b
    ) private returns (uint256 lots) {
        (address registry_, uint256 rules, uint256[4] memory blocked, ) = TrancheTokenArgs.compliance();
        (uint256 fromRecord, uint256 toRecord) = _transferRecords(registry_, from, to);
        uint8 code = TransferRules.receiverCode(toRecord, rules, blocked, block.timestamp);
        if (code != TransferRules.SUCCESS) revert TransferRestricted(code);
        bool sameIdentity = uint32(fromRecord) == uint32(toRecord);
        if (_maxHolders(rules) != 0 && !sameIdentity) {
            int256 delta = _holderCount(registry_, from, to, amount, a, b, fromRecord, toRecord);
            if (delta != 0) _setHolders(uint256(int256(uint256(_holders)) + delta));
        }
        lots = _lotsOf(rules, sameIdentity);
    }

    /// @dev Moves the whole account of `lost` (balance and unclaimed cash, both settled at the current index) to
    /// `to`. The position keeps its vote lock (merged into a wallet that holds already, the later of the two) and,
    /// under a holding `period`, its fresh lot, which merges into `to`'s as any reception ({_receiveFresh}) with
    /// its own clock. The lost wallet is left empty: no lock, no lot.
    function _movePosition(
        address lost,
        address to,
        uint256 period
    ) private returns (uint256 balance, uint256 accrued) {
        uint256 index = _cashIndex;
        TrancheAccount a = _accounts[lost];
        TrancheAccount b = _accounts[to];
        balance = a.balance();
        accrued = _accrued[lost] + a.pendingDown(index);
        if (balance == 0 && accrued == 0) revert NothingToRecover(lost);
        if (accrued != 0) _accrued[lost] = 0;
        uint32 since = a.freshSince();
        if (period != 0 && balance != 0) {
            uint256 fresh = _freshOf(lost, balance, since, uint32(period));
            b = b.withFreshSince(_receiveFresh(to, b.balance(), b.freshSince(), balance, fresh, since, uint32(period)));
        }
        // The lost wallet's clock is cleared below, so its seasoned slot must be too.
        if (since != 0 && _seasoned[lost] != 0) _seasoned[lost] = 0;
        b = b.withLockedUntil(uint32(Math.max(a.lockedUntil(), b.lockedUntil())));
        // Settled here: its cash moves with the position.
        a = a.claimedAt(index).withLockedUntil(0).withFreshSince(0);
        _update(lost, to, balance, a, b, index, accrued);
    }

    function _checkNotOffering(address account) private view {
        if (account == _offering) revert ProtectedAccount(account);
    }

    function _unfreeze(address account, uint256 frozen, uint256 amount) private {
        // amount ≤ frozen checked by the callers.
        unchecked {
            frozen -= amount;
        }
        if (frozen == 0) _partialFreezes -= 1;
        _frozen[account] = frozen;
        emit TokensUnfrozen(msg.sender, account, amount, frozen);
    }
}
