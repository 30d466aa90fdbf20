// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ShortString, ShortStrings} from "@openzeppelin/contracts/utils/ShortStrings.sol";

import {InvestorRecord} from "../compliance/InvestorRecord.sol";
import {IDealMain} from "../interfaces/IDeal.sol";
import {IInvestorRegistry} from "../interfaces/IInvestorRegistry.sol";
import {ITrancheTokenBase} from "../interfaces/ITrancheToken.sol";
import {TrancheAccount, TrancheAccountLib} from "../libraries/TrancheAccount.sol";
import {TrancheTokenArgs} from "../libraries/TrancheTokenArgs.sol";
import {TransferRules} from "../libraries/TransferRules.sol";
import {Roles} from "../libraries/Roles.sol";

/// @title TrancheTokenBase
/// @notice Storage and internals of a tranche token, shared by {TrancheToken} (the clone's implementation: ERC-20,
/// permit, claims, issue, deliveries, distributions) and {TrancheTokenExtension} (agent operations and the rest, run
/// by delegate call from the token's fallback): one storage layout, the compliance check, and the one balance hook
/// {_update} with the cash settlement.
/// @dev Balance, vote lock, fresh-lot clock and cash checkpoint share one storage slot ({TrancheAccount}), so a
/// transfer between settled holders touches the same number of account slots as a plain ERC-20; the compliance
/// check is one view call to the investor registry (two packed records) and rules read from the clone's code.
abstract contract TrancheTokenBase is ITrancheTokenBase {
    using ShortStrings for ShortString;

    uint256 internal constant INDEX_SCALE = TrancheAccountLib.INDEX_SCALE;
    uint256 internal constant INDEX_MAX = TrancheAccountLib.INDEX_MAX;
    uint256 internal constant INDEX_ORIGIN = TrancheAccountLib.INDEX_ORIGIN;
    bytes32 internal constant PERMIT_TYPEHASH = keccak256(
        "Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)"
    );
    bytes32 internal constant DOMAIN_TYPEHASH = keccak256(
        "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
    );
    bytes32 internal constant VERSION_HASH = keccak256("1");
    /// @dev {IInvestorRegistry.COMPLIANCE_AGENT_ROLE}.
    bytes32 internal constant COMPLIANCE_AGENT_ROLE = Roles.COMPLIANCE_AGENT;
    /// @dev Fields of the hot slot read as one word: the cash index in bits 0 – 95, the carry in 96 – 191, then these.
    uint256 internal constant PAUSED_SHIFT = 192;
    uint256 internal constant PARTIAL_FREEZES_SHIFT = 208;
    /// @dev A lots word ({_lotsOf}): the tranche's holding period in bits 0 – 31 (0 for the whole word when fresh
    /// lots are not kept: no holding period, or no registry), and this flag when both wallets of a move belong to
    /// one identity.
    uint256 internal constant SAME_IDENTITY = 1 << 32;
    /// @dev A verdict of {_check}: the restriction code in bits 0 – 7, the move's lots word above them. Zero: allowed,
    /// and no fresh lots to keep.
    uint256 internal constant VERDICT_LOTS_SHIFT = 8;

    // Hot slot: read by every transfer and claim, and with the supply slot all a distribution reads and writes.
    // `_issued` is set at issue, so the first distribution updates a non-zero slot. `_partialFreezes` counts wallets
    // with frozen tokens, so transfers read a wallet's frozen amount only while some wallet has one. The index and
    // the carry fit in 96 bits: the index is bounded by {INDEX_MAX} ({IndexOverflow}), the carry is below the supply.
    uint96 internal _cashIndex;
    /// @dev Numerator carried to the next distribution: (amount·scale + carry) mod supply.
    uint96 internal _indexCarry;
    bool internal _paused;
    bool internal _issued;
    uint32 internal _partialFreezes;

    // The supply (96 bits, as balances) and the count of holding identities, kept only when the tranche caps holders.
    uint96 internal _totalSupply;
    uint32 internal _holders;

    /// @dev The tranche's offering, recorded when it issues the supply.
    address internal _offering;

    /// @dev Balance, vote lock, fresh-lot clock and cash checkpoint of each holder: one slot ({TrancheAccount}).
    mapping(address account => TrancheAccount) internal _accounts;
    /// @dev Cash settled to an account that its checkpoint could not carry ({_settle}); read by a claim only when the
    /// account's `owed` flag is set.
    mapping(address account => uint256) internal _accrued;
    mapping(address owner => mapping(address spender => uint256)) internal _allowances;
    mapping(address owner => uint256) internal _nonces;
    /// @dev Tokens an agent froze; never more than the balance.
    mapping(address account => uint256) internal _frozen;
    /// @dev While the account's fresh lot runs (freshSince ≠ 0 and now < freshSince + the holding period): the part
    /// of its balance past its holding period, never more than the balance; the rest of the balance is the fresh
    /// lot. Once the lot has ended the whole balance is past it and this slot is not read until the next lot starts.
    /// Zero while freshSince is zero (no lot yet, or one a recovery took away). The complement is stored rather than
    /// the lot so that a reception to a new holder, or into a running lot from another identity, writes nothing
    /// here. Kept only by a tranche with a registry and a holding period: no other tranche touches it.
    mapping(address account => uint256) internal _seasoned;

    modifier onlyDeal() {
        if (msg.sender != TrancheTokenArgs.deal()) revert NotDeal(msg.sender);
        _;
    }

    /// @dev The token's name: a short string in the clone's arguments.
    function _name() internal view returns (string memory) {
        return TrancheTokenArgs.name().toString();
    }

    /// @dev The EIP-712 domain separator of permits, computed on the fly: clones share code, so the name cannot live
    /// in an immutable.
    function _domainSeparator() internal view returns (bytes32) {
        return
            keccak256(
                abi.encode(DOMAIN_TYPEHASH, keccak256(bytes(_name())), VERSION_HASH, block.chainid, address(this))
            );
    }

    function _claim(address receiver) internal returns (uint256 amount) {
        (uint256 index, bool paused_) = _hot();
        if (paused_) revert TokenPaused();
        (
            address registry_,
            uint256 rules,
            uint256[4] memory blocked,
            address stablecoin_,
            address payer
        ) = TrancheTokenArgs.claimTerms();
        if (registry_ != address(0)) {
            uint256 record = _walletRecord(registry_, msg.sender);
            uint8 code = TransferRules.senderCode(record, rules, blocked, block.timestamp);
            if (code != TransferRules.SUCCESS) revert ClaimRestricted(msg.sender, code);
        }
        TrancheAccount account = _accounts[msg.sender];
        // Pending cash since the checkpoint (none when it is the index), then the accrued slot if the flag says it
        // may hold something.
        amount = account.pendingDown(index);
        if (account.owed()) {
            uint256 accrued = _accrued[msg.sender];
            amount += accrued;
            // Clearing a zero would cost a no-op write.
            if (accrued != 0) _accrued[msg.sender] = 0;
        }
        if (amount == 0) revert NothingToClaim();
        // Checkpoint at the index, flag cleared; nothing to write when both already hold.
        if (!account.isClaimedAt(index)) _accounts[msg.sender] = account.claimedAt(index);
        emit Claimed(msg.sender, receiver, amount);
        // Effects above happen before the transfer: a re-entrant call finds nothing left to claim. An equity class of a
        // waterfall holds no cash: its deal pays its claims.
        if (payer == address(0)) SafeERC20.safeTransfer(IERC20(stablecoin_), receiver, amount);
        else IDealMain(payer).payClaim(receiver, amount);
    }

    /// @dev The cash index and the paused flag, in one SLOAD of the hot slot.
    function _hot() internal view returns (uint256 index, bool paused_) {
        uint256 w = _hotWord();
        index = uint96(w);
        paused_ = _pausedIn(w);
    }

    /// @dev The hot slot as one word; fields at the positions of their declaration order above (a 96-bit index, a
    /// 96-bit carry, two bools, a 32-bit count).
    function _hotWord() internal view returns (uint256 w) {
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            w := sload(_cashIndex.slot)
        }
    }

    function _pausedIn(uint256 hot) internal pure returns (bool) {
        return uint8(hot >> PAUSED_SHIFT) != 0;
    }

    /// @dev `IInvestorRegistry(registry_).transferRecords(from, to)` as a bare STATICCALL: no extcodesize check
    /// (an empty return fails the size check), no ABI encoder or decoder; a revert bubbles up as it is.
    function _transferRecords(
        address registry_,
        address from,
        address to
    ) internal view returns (uint256 fromRecord, uint256 toRecord) {
        bytes4 selector = IInvestorRegistry.transferRecords.selector;
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, selector)
            mstore(add(m, 0x04), shr(96, shl(96, from)))
            mstore(add(m, 0x24), shr(96, shl(96, to)))
            // The call runs before returndatasize is read (Yul evaluates arguments right to left).
            if iszero(and(gt(returndatasize(), 0x3f), staticcall(gas(), registry_, m, 0x44, 0x00, 0x40))) {
                returndatacopy(m, 0x00, returndatasize())
                revert(m, returndatasize())
            }
            fromRecord := mload(0x00)
            toRecord := mload(0x20)
        }
    }

    /// @dev `IInvestorRegistry(registry_).walletRecord(wallet)`, as {_transferRecords}.
    function _walletRecord(address registry_, address wallet) internal view returns (uint256 record) {
        bytes4 selector = IInvestorRegistry.walletRecord.selector;
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            mstore(0x00, selector)
            mstore(0x04, shr(96, shl(96, wallet)))
            if iszero(and(gt(returndatasize(), 0x1f), staticcall(gas(), registry_, 0x00, 0x24, 0x00, 0x20))) {
                let m := mload(0x40)
                returndatacopy(m, 0x00, returndatasize())
                revert(m, returndatasize())
            }
            record := mload(0x00)
        }
    }

    function _maxHolders(uint256 rules) internal pure returns (uint256) {
        return uint32(rules >> TransferRules.RULES_MAX_HOLDERS_SHIFT);
    }

    /// @dev The compliance of moving `value` from `from` (account word `a`) to `to` (`b`), for {_transfer} and
    /// {detectTransferRestriction}: the verdict (the restriction code of {TransferRules.checkPacked} in the low
    /// byte; above it, the lots word of an allowed move under a holding period, {_lotsOf}) and how the holder count
    /// changes (−1, 0, +1). One word, so that a tranche without a holding period tests one value for both. Without a
    /// registry the rules do not apply: only the balance and the lock. The pause is the callers' to check (it comes
    /// first).
    function _check(
        address from,
        address to,
        uint256 value,
        TrancheAccount a,
        TrancheAccount b,
        uint256 hot
    ) internal view returns (uint256 verdict, int256 holderDelta) {
        (address registry_, uint256 rules, uint256[4] memory blocked, ) = TrancheTokenArgs.compliance();
        if (registry_ == address(0)) {
            if (value > a.balance()) return (TransferRules.INSUFFICIENT_BALANCE, 0);
            if (a.lockedUntil() >= block.timestamp) return (TransferRules.TOKENS_LOCKED, 0);
            return (TransferRules.SUCCESS, 0);
        }
        // The hot word is needed no further: it becomes the sender's frozen amount (without the IR pipeline, as the
        // Solidity tests compile this file, the stack has no room for a new variable here).
        hot = _frozenOf(hot, from);
        return _checkRegistered(registry_, from, to, value, a, b, hot, rules, blocked);
    }

    /// @dev {_check} under a registry: one call for both records, the holder count only when the tranche caps it,
    /// the sender's fresh lot only when the tranche has a holding period and the wallets belong to two identities.
    function _checkRegistered(
        address registry_,
        address from,
        address to,
        uint256 value,
        TrancheAccount a,
        TrancheAccount b,
        uint256 fromFrozen,
        uint256 rules,
        uint256[4] memory blocked
    ) internal view returns (uint256 verdict, int256 holderDelta) {
        (uint256 fromRecord, uint256 toRecord) = _transferRecords(registry_, from, to);
        bool sameIdentity = uint32(fromRecord) == uint32(toRecord);
        // Holders are counted only when the tranche caps them: an uncapped tranche saves the count's upkeep.
        if (_maxHolders(rules) != 0 && !sameIdentity) {
            holderDelta = _holderCount(registry_, from, to, value, a, b, fromRecord, toRecord);
        }
        // Under a holding period: the move's lots word, and the sender's fresh tokens in the rules' held word.
        if (_periodOf(rules) != 0) {
            (verdict, fromFrozen) = _heldLots(from, a, rules, sameIdentity, fromFrozen);
        }
        verdict |= _code(value, a, b, fromFrozen, fromRecord, toRecord, _holdersAfter(holderDelta), rules, blocked);
    }

    /// @dev The lots word of a move under packed `rules`: 0 when the tranche has no holding period (then no fresh
    /// lot is kept), else the period with {SAME_IDENTITY} when both wallets belong to one identity.
    function _lotsOf(uint256 rules, bool sameIdentity) internal pure returns (uint256 lots) {
        lots = _periodOf(rules);
        if (lots != 0 && sameIdentity) lots |= SAME_IDENTITY;
    }

    /// @dev The holding period of packed `rules` ({TransferRules.pack}).
    function _periodOf(uint256 rules) internal pure returns (uint32) {
        return uint32(rules >> TransferRules.RULES_PERIOD_SHIFT);
    }

    /// @dev {_checkRegistered} under a holding period: the lots word ({_lotsOf}) in its place in a verdict, and the
    /// held word of the rules ({TransferRules.packHeld}): `fromFrozen` with the sender's fresh tokens when the
    /// holding period applies (two identities).
    function _heldLots(
        address from,
        TrancheAccount a,
        uint256 rules,
        bool sameIdentity,
        uint256 fromFrozen
    ) internal view returns (uint256 verdictLots, uint256 held) {
        uint256 lots = _lotsOf(rules, sameIdentity);
        verdictLots = lots << VERDICT_LOTS_SHIFT;
        held = fromFrozen;
        if (!sameIdentity) {
            uint256 fresh = _freshOf(from, a.balance(), a.freshSince(), uint32(lots));
            held |= fresh << TransferRules.HELD_FRESH_SHIFT;
        }
    }

    /// @dev {TransferRules.checkPacked} at the current time (the pause is checked by the callers). `fromHeld` is
    /// the held word ({TransferRules.packHeld}).
    function _code(
        uint256 value,
        TrancheAccount a,
        TrancheAccount b,
        uint256 fromHeld,
        uint256 fromRecord,
        uint256 toRecord,
        uint256 holdersAfter,
        uint256 rules,
        uint256[4] memory blocked
    ) internal view returns (uint8) {
        return
            TransferRules.checkPacked(
                fromRecord,
                toRecord,
                a,
                b.balance(),
                value,
                fromHeld,
                false,
                holdersAfter,
                rules,
                blocked,
                block.timestamp
            );
    }

    /// @dev The holder count after a transfer that adds a holder (`holderDelta` 1), else 0 (see
    /// {TransferRules.checkPacked}).
    function _holdersAfter(int256 holderDelta) internal view returns (uint256) {
        if (holderDelta <= 0) return 0;
        return uint256(_holders) + 1;
    }

    /// @dev Part of `account`'s balance an agent froze, given the hot word: read only while some wallet has frozen
    /// tokens.
    function _frozenOf(uint256 hot, address account) internal view returns (uint256) {
        return uint32(hot >> PARTIAL_FREEZES_SHIFT) == 0 ? 0 : _frozen[account];
    }

    /// @dev What a transfer between two identities does to the holder count: −1, 0 or +1.
    function _holderCount(
        address registry_,
        address from,
        address to,
        uint256 value,
        TrancheAccount a,
        TrancheAccount b,
        uint256 fromRecord,
        uint256 toRecord
    ) internal view returns (int256) {
        bool joins = value != 0 && _joins(registry_, to, toRecord, b.balance());
        bool leaves = _leaves(registry_, from, fromRecord, a.balance(), value);
        if (joins == leaves) return 0;
        return joins ? int256(1) : -1;
    }

    function _transfer(address from, address to, uint256 value) internal {
        if (from == address(0)) revert ERC20InvalidSender(address(0));
        if (to == address(0)) revert ERC20InvalidReceiver(address(0));
        uint256 hot = _hotWord();
        if (_pausedIn(hot)) revert TokenPaused();
        TrancheAccount a = _accounts[from];
        if (a.balance() < value) revert ERC20InsufficientBalance(from, a.balance(), value);
        if (a.lockedUntil() >= block.timestamp) revert TokensLocked(from, a.lockedUntil());
        TrancheAccount b = _comply(from, to, value, a, _accounts[to], hot);
        _update(from, to, value, a, b, uint96(hot), 0);
    }

    /// @dev Reverts with the restriction code unless the transfer may go ahead; keeps the holder count and, under a
    /// holding period, the fresh lots ({_moveFresh}). Returns the receiver's account word `b`, with its new fresh-lot
    /// clock when the move changed it.
    function _comply(
        address from,
        address to,
        uint256 value,
        TrancheAccount a,
        TrancheAccount b,
        uint256 hot
    ) internal returns (TrancheAccount) {
        (uint256 verdict, int256 holderDelta) = _check(from, to, value, a, b, hot);
        if (verdict != 0) {
            uint8 code = uint8(verdict);
            if (code != TransferRules.SUCCESS) revert TransferRestricted(code);
            // Allowed under a holding period: the lots follow the move.
            if (from != to) b = _moveFresh(from, to, value, a, b, verdict >> VERDICT_LOTS_SHIFT);
        }
        if (holderDelta != 0) _setHolders(uint256(int256(uint256(_holders)) + holderDelta));
        return b;
    }

    /// @dev The one hook of every balance change: issue (`from` zero), delivery, transfer, forced transfer and wallet
    /// recovery. Settles both accounts (words `a`, `b`, as the caller read and prepared them: the receiver's fresh
    /// lot already moved) at `index`, moves `value` (at most `a`'s balance: checked by the callers) from `from` to
    /// `to` and credits `to` with `cash`, stablecoin the caller took out of `from`'s unclaimed cash to go with the
    /// tokens (a delivery's share of what the offering accrued, a lost wallet's unclaimed cash). Emits {Transfer}.
    function _update(
        address from,
        address to,
        uint256 value,
        TrancheAccount a,
        TrancheAccount b,
        uint256 index,
        uint256 cash
    ) internal {
        if (from != address(0)) {
            // value ≤ the balance (checked by the callers).
            unchecked {
                a = _settle(from, a, a.balance() - value, index, 0);
            }
            _accounts[from] = a;
            // A transfer to oneself: the receiver is the account just written.
            if (from == to) b = a;
        }
        // Balances sum to the supply, which fits in 96 bits: the sum stays inside the balance field.
        unchecked {
            b = _settle(to, b, b.balance() + value, index, cash);
        }
        _accounts[to] = b;
        emit IERC20.Transfer(from, to, value);
    }

    /// @dev Cash settlement, written once: `account` (word `w`) takes balance `balance` at `index`, with `cash` more
    /// to its name. What it accrued so far is carried in its checkpoint when that is exact to under one cash unit
    /// ({TrancheAccountLib.carry}): no write beyond the account's own slot. Otherwise (cash arriving, a balance
    /// leaving entirely, a balance above 1e18 units, a carry below zero) it is added, rounded down, to its accrued
    /// slot, which a claim reads because the `owed` flag says so.
    function _settle(
        address account,
        TrancheAccount w,
        uint256 balance,
        uint256 index,
        uint256 cash
    ) internal returns (TrancheAccount) {
        (TrancheAccount carried, bool ok) = w.carry(balance, index);
        if (ok && cash == 0) return carried;
        uint256 credit = w.pendingDown(index) + cash;
        if (credit != 0) _accrued[account] += credit;
        return w.settle(balance, index, credit != 0);
    }

    /// @dev The fresh lots of a move of `value` from `from` (account word `a`) to `to` (`b`) under lots word `lots`
    /// (from ≠ to): the sender spends its seasoned tokens first, so only what `value` takes beyond them leaves its
    /// fresh lot. From another identity the receiver takes the whole amount as fresh from now; from a wallet of its
    /// own identity the seasoned tokens that moved stay seasoned and the fresh ones keep the sender's clock. Returns
    /// `b` with the receiver's new clock.
    function _moveFresh(
        address from,
        address to,
        uint256 value,
        TrancheAccount a,
        TrancheAccount b,
        uint256 lots
    ) internal returns (TrancheAccount) {
        uint32 since = a.freshSince();
        uint256 fresh = _freshOf(from, a.balance(), since, uint32(lots));
        uint256 moved;
        if (fresh != 0 && value != 0) {
            // fresh ≤ balance and value ≤ balance (checked by the callers): nothing wraps. What stays seasoned is
            // at most what stays.
            unchecked {
                uint256 seasoned = a.balance() - fresh;
                if (value > seasoned) moved = value - seasoned;
                uint256 left = seasoned - (value - moved);
                if (left != seasoned) _seasoned[from] = left;
            }
        }
        uint256 amount = value;
        uint32 amountSince = uint32(block.timestamp);
        if (lots & SAME_IDENTITY != 0) (amount, amountSince) = (moved, since);
        uint256 toSince = _receiveFresh(to, b.balance(), b.freshSince(), value, amount, amountSince, uint32(lots));
        return b.withFreshSince(toSince);
    }

    /// @dev `account` (holding `balance`, its fresh lot started at `since`) receives `value` tokens of which `amount`
    /// are fresh, their holding period started at `amountSince` (the rest is seasoned). The fresh ones merge into
    /// its lot ({TransferRules.mergeFresh}); returns the lot's new start. Under holding `period`.
    function _receiveFresh(
        address account,
        uint256 balance,
        uint32 since,
        uint256 value,
        uint256 amount,
        uint32 amountSince,
        uint32 period
    ) internal returns (uint32) {
        // The seasoned slot as stored: zero, unread, for an account that has had no lot.
        uint256 stored;
        uint256 fresh;
        if (since != 0) {
            bool running = block.timestamp < TransferRules.releasedAt(since, period);
            // An ended lot receiving only seasoned tokens: nothing to keep, nothing to read.
            if (!running && amount == 0) return since;
            stored = _seasoned[account];
            if (running && stored < balance) fresh = balance - stored;
        } else if (amount == 0) {
            // No lot, and only seasoned tokens arriving: none starts.
            return since;
        }
        // Amounts are at most the supply, which fits in 96 bits.
        (fresh, since) = TransferRules.mergeFresh(uint96(fresh), since, uint96(amount), amountSince);
        // The merged lot is at most the new balance, which fits in 96 bits.
        unchecked {
            uint256 seasoned = balance + value - fresh;
            if (stored != seasoned) _seasoned[account] = seasoned;
        }
        return since;
    }

    /// @dev {TransferRules.freshTokens} of `account`, holding `balance` with its fresh lot started at `since`, under
    /// holding `period`: none without a lot (`since` zero) or once it has ended (its seasoned slot is then not
    /// read), else the balance less its seasoned tokens (at most the balance while the lot runs, so the lot is at
    /// most the balance too).
    function _freshOf(address account, uint256 balance, uint32 since, uint32 period) internal view returns (uint256) {
        if (since == 0 || block.timestamp >= TransferRules.releasedAt(since, period)) return 0;
        uint256 seasoned = _seasoned[account];
        return seasoned < balance ? balance - seasoned : 0;
    }

    /// @dev The compliance of a delivery of `shares` to `receiver` (holding `toBalance`) from `controller`'s
    /// allocation: under a registry, one call reads both records; the controller is screened as a sender (codes 4 –
    /// 8: it gives the allocation away as one) and the receiver as a receiver (9 – 13), refused with
    /// {TransferRestricted}. The holder cap is not applied to the primary offering (the issuer sizes it), but its
    /// holders are counted. Returns the lots word of the delivery ({_lotsOf}; the offering is another identity).
    function _screenDelivery(
        address controller,
        address receiver,
        uint256 shares,
        uint256 toBalance
    ) internal returns (uint256) {
        (address registry_, uint256 rules, uint256[4] memory blocked, ) = TrancheTokenArgs.compliance();
        if (registry_ == address(0)) return 0;
        uint256 record;
        uint8 code;
        if (controller == receiver) {
            // One wallet: the receiver checks are the sender checks under other codes, so one screen decides.
            record = _walletRecord(registry_, receiver);
            code = TransferRules.senderCode(record, rules, blocked, block.timestamp);
        } else {
            uint256 controllerRecord;
            (controllerRecord, record) = _transferRecords(registry_, controller, receiver);
            code = TransferRules.senderCode(controllerRecord, rules, blocked, block.timestamp);
            if (code == TransferRules.SUCCESS) {
                code = TransferRules.receiverCode(record, rules, blocked, block.timestamp);
            }
        }
        if (code != TransferRules.SUCCESS) revert TransferRestricted(code);
        if (_maxHolders(rules) != 0 && shares != 0 && _joins(registry_, receiver, record, toBalance)) {
            _setHolders(_holders + 1);
        }
        return _lotsOf(rules, false);
    }

    function _setHolders(uint256 count) internal {
        _holders = uint32(count);
        emit HoldersChanged(count);
    }

    /// @dev Whether `wallet`'s identity holds no tokens before it receives some.
    function _joins(address registry_, address wallet, uint256 record, uint256 balance) internal view returns (bool) {
        return balance == 0 && !_otherWalletsHold(registry_, wallet, record);
    }

    /// @dev Whether `wallet`'s identity holds no tokens after sending `amount` of `balance`. A wallet the registry no
    /// longer knows never leaves: its tokens were counted under an identity the count cannot name any more, so the
    /// count errs high (it never admits more holders than the cap).
    function _leaves(
        address registry_,
        address wallet,
        uint256 record,
        uint256 balance,
        uint256 amount
    ) internal view returns (bool) {
        return
            InvestorRecord.wrap(record).isRegistered() &&
            balance != 0 &&
            balance == amount &&
            !_otherWalletsHold(registry_, wallet, record);
    }

    /// @dev Whether a wallet of `wallet`'s identity other than `wallet` holds tokens. Single-wallet identities (the
    /// common case) answer from the record alone; others read the identity's wallets (at most eight) from the
    /// registry.
    function _otherWalletsHold(address registry_, address wallet, uint256 record) internal view returns (bool) {
        if (InvestorRecord.wrap(record).walletCount() <= 1) return false;
        address[] memory wallets = IInvestorRegistry(registry_).identityWallets(wallet);
        for (uint256 i; i < wallets.length; ++i) {
            if (wallets[i] != wallet && _accounts[wallets[i]].balance() != 0) return true;
        }
        return false;
    }

    function _approve(address owner, address spender, uint256 value) internal {
        if (owner == address(0)) revert ERC20InvalidApprover(address(0));
        if (spender == address(0)) revert ERC20InvalidSpender(address(0));
        _allowances[owner][spender] = value;
        emit IERC20.Approval(owner, spender, value);
    }
}
