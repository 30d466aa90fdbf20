// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {MessageHashUtils} from "@openzeppelin/contracts/utils/cryptography/MessageHashUtils.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ShortString, ShortStrings} from "@openzeppelin/contracts/utils/ShortStrings.sol";

import {InvestorRecord} from "../compliance/InvestorRecord.sol";
import {IDeal} from "../interfaces/IDeal.sol";
import {IInvestorRegistry} from "../interfaces/IInvestorRegistry.sol";
import {ITrancheToken} from "../interfaces/ITrancheToken.sol";
import {TrancheTokenArgs} from "../libraries/TrancheTokenArgs.sol";
import {TransferRules} from "../libraries/TransferRules.sol";

/// @title TrancheToken
/// @notice See {ITrancheToken}. A compact ERC-20 whose balance, vote lock, fresh-lot clock and cash checkpoint
/// share one storage slot, so a transfer between settled holders touches the same number of account slots as a plain
/// ERC-20; its compliance check is one view call to the investor registry (two packed records) and rules read from
/// the clone's code.
/// @dev Deployed as clones whose immutable arguments hold {Params} ({TrancheTokenArgs}): creating a tranche writes no
/// storage.
contract TrancheToken is ITrancheToken, IERC20Errors {
    using ShortStrings for ShortString;

    uint256 private constant INDEX_SCALE = 1e18;
    bytes32 private constant PERMIT_TYPEHASH = keccak256(
        "Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)"
    );
    bytes32 private constant DOMAIN_TYPEHASH = keccak256(
        "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
    );
    bytes32 private constant VERSION_HASH = keccak256("1");
    /// @dev {IInvestorRegistry.COMPLIANCE_AGENT_ROLE}.
    bytes32 private constant COMPLIANCE_AGENT_ROLE = keccak256("cascade.role.compliance-agent");
    /// @dev Offset of the immutable arguments in a clone's code (after the 45-byte ERC-1167 proxy).
    uint256 private constant ARGS_OFFSET = 0x2d;
    /// @dev Fields of an {Account} slot read as one word: balance in bits 0 – 95, then these. The balance, lock and
    /// fresh-lot clock are the position word of {TransferRules.checkPacked}.
    uint256 private constant LOCKED_UNTIL_SHIFT = 96;
    uint256 private constant FRESH_SINCE_SHIFT = 128;
    uint256 private constant CHECKPOINT_SHIFT = 160;
    /// @dev Bit 255 of an {Account} word (the top bit of its `checkpoint` field): set whenever the account's
    /// `_accrued` slot is written non-zero, cleared when a claim empties it. A claim without it skips that slot.
    /// The index and checkpoints are bounded by {INDEX_MAX} so that the bit is never part of one.
    uint256 private constant OWED = 1 << 255;
    uint96 private constant OWED_FIELD = uint96(1 << 95);
    uint256 private constant INDEX_MAX = (1 << 95) - 1;
    /// @dev Fields of the hot slot read as one word: the cash index in bits 0 – 95, the carry in 96 – 191, then these.
    uint256 private constant PAUSED_SHIFT = 192;
    uint256 private constant PARTIAL_FREEZES_SHIFT = 208;
    /// @dev A lots word ({_lotsOf}): the tranche's holding period in bits 0 – 31 (0 for the whole word when fresh
    /// lots are not kept: no holding period, or no registry), and this flag when both wallets of a move belong to
    /// one identity.
    uint256 private constant SAME_IDENTITY = 1 << 32;
    /// @dev A verdict of {_check}: the restriction code in bits 0 – 7, the move's lots word above them. Zero: allowed,
    /// and no fresh lots to keep.
    uint256 private constant VERDICT_LOTS_SHIFT = 8;

    /// @dev Balance, the time until which it cannot leave the account (a waiver vote), the start of the holding
    /// period of its fresh lot (see `_seasoned`; kept only by tranches with a holding period) and the cash index at
    /// which it was last settled, with the {OWED} flag in its top bit: one slot.
    struct Account {
        uint96 balance;
        uint32 lockedUntil;
        uint32 freshSince;
        uint96 checkpoint;
    }

    // Hot slot: read by every transfer and claim, and with the supply slot all a distribution reads and writes.
    // `_issued` is set at issue, so the first distribution updates a non-zero slot. `_partialFreezes` counts wallets
    // with frozen tokens, so transfers read a wallet's frozen amount only while some wallet has one. The index and
    // the carry fit in 96 bits: the index is bounded by {INDEX_MAX} ({IndexOverflow}), the carry is below the supply.
    uint96 private _cashIndex;
    /// @dev Numerator carried to the next distribution: (amount·scale + carry) mod supply.
    uint96 private _indexCarry;
    bool private _paused;
    bool private _issued;
    uint32 private _partialFreezes;

    // The supply (96 bits, as balances) and the count of holding identities, kept only when the tranche caps holders.
    uint96 private _totalSupply;
    uint32 private _holders;

    /// @dev The tranche's offering, recorded when it issues the supply.
    address private _offering;

    mapping(address account => Account) private _accounts;
    mapping(address account => uint256) private _accrued;
    mapping(address owner => mapping(address spender => uint256)) private _allowances;
    mapping(address owner => uint256) private _nonces;
    /// @dev Tokens an agent froze; never more than the balance.
    mapping(address account => uint256) private _frozen;
    /// @dev While the account's fresh lot runs (freshSince ≠ 0 and now < freshSince + the holding period): the part
    /// of its balance past its holding period, never more than the balance; the rest of the balance is the fresh
    /// lot. Once the lot has ended the whole balance is past it and this slot is not read until the next lot starts.
    /// Zero while freshSince is zero (no lot yet, or one a recovery took away). The complement is stored rather than
    /// the lot so that a reception to a new holder, or into a running lot from another identity, writes nothing
    /// here. Kept only by a tranche with a registry and a holding period: no other tranche touches it.
    mapping(address account => uint256) private _seasoned;

    modifier onlyDeal() {
        if (msg.sender != _deal()) revert NotDeal(msg.sender);
        _;
    }

    modifier onlyAgent() {
        address registry_ = _registry();
        if (registry_ == address(0) || !IAccessControl(registry_).hasRole(COMPLIANCE_AGENT_ROLE, msg.sender)) {
            revert NotComplianceAgent(msg.sender);
        }
        _;
    }

    // ------------------------------------------------------------ ERC-20

    function name() public view returns (string memory) {
        return ShortString.wrap(bytes32(_word(TrancheTokenArgs.NAME_WORD))).toString();
    }

    function symbol() external view returns (string memory) {
        return ShortString.wrap(bytes32(_word(TrancheTokenArgs.SYMBOL_WORD))).toString();
    }

    function decimals() external view returns (uint8) {
        return uint8(_word(TrancheTokenArgs.DEAL_WORD) >> 168);
    }

    function totalSupply() external view returns (uint256) {
        return _totalSupply;
    }

    function balanceOf(address account) external view returns (uint256) {
        return _accounts[account].balance;
    }

    function allowance(address owner, address spender) external view returns (uint256) {
        return _allowances[owner][spender];
    }

    function approve(address spender, uint256 value) external returns (bool) {
        _approve(msg.sender, spender, value);
        return true;
    }

    function transfer(address to, uint256 value) external returns (bool) {
        _transfer(msg.sender, to, value);
        return true;
    }

    function transferFrom(address from, address to, uint256 value) external returns (bool) {
        uint256 current = _allowances[from][msg.sender];
        if (current != type(uint256).max) {
            if (current < value) revert ERC20InsufficientAllowance(msg.sender, current, value);
            // current ≥ value checked above.
            unchecked {
                _allowances[from][msg.sender] = current - value;
            }
        }
        _transfer(from, to, value);
        return true;
    }

    // ------------------------------------------------------------ EIP-2612

    function permit(
        address owner,
        address spender,
        uint256 value,
        uint256 deadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external {
        if (block.timestamp > deadline) revert ERC2612ExpiredSignature(deadline);
        bytes32 structHash = keccak256(abi.encode(PERMIT_TYPEHASH, owner, spender, value, _nonces[owner]++, deadline));
        address signer = ECDSA.recover(MessageHashUtils.toTypedDataHash(DOMAIN_SEPARATOR(), structHash), v, r, s);
        if (signer != owner) revert ERC2612InvalidSigner(signer, owner);
        _approve(owner, spender, value);
    }

    function nonces(address owner) external view returns (uint256) {
        return _nonces[owner];
    }

    // solhint-disable-next-line func-name-mixedcase
    function DOMAIN_SEPARATOR() public view returns (bytes32) {
        // Computed on the fly: clones share code, so the name cannot live in an immutable.
        return
            keccak256(
                abi.encode(DOMAIN_TYPEHASH, keccak256(bytes(name())), VERSION_HASH, block.chainid, address(this))
            );
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
        return (hex"0f", name(), "1", block.chainid, address(this), bytes32(0), new uint256[](0));
    }

    // ------------------------------------------------------------ issuance and distributions

    /// @inheritdoc ITrancheToken
    function issue(uint256 amount) external {
        uint256 w0 = _word(TrancheTokenArgs.DEAL_WORD);
        (, address offering_) = IDeal(address(uint160(w0))).trancheContracts(uint8(w0 >> 160));
        if (msg.sender != offering_) revert NotOffering(msg.sender);
        if (_issued) revert AlreadyIssued();
        _issued = true;
        _offering = offering_;
        _totalSupply = SafeCast.toUint96(amount);
        _accounts[msg.sender] = Account({
            balance: SafeCast.toUint96(amount),
            lockedUntil: 0,
            freshSince: 0,
            checkpoint: uint96(_cashIndex)
        });
        emit Transfer(address(0), msg.sender, amount);
        emit Issued(msg.sender, amount);
    }

    /// @inheritdoc ITrancheToken
    function deliverShares(address controller, address receiver, uint256 shares) external {
        address offering_ = _offering;
        if (msg.sender != offering_) revert NotOffering(msg.sender);
        if (_paused) revert TokenPaused();
        if (receiver == address(0)) revert ERC20InvalidReceiver(address(0));
        uint256 index = _cashIndex;
        Account memory from = _accounts[offering_];
        if (from.balance < shares) revert ERC20InsufficientBalance(offering_, from.balance, shares);
        Account memory to = _accounts[receiver];
        uint256 lots = _screenDelivery(controller, receiver, shares, to.balance);
        uint256 offeringAccrued = _accrued[offering_] + _pending(from, index);
        // The shares take their pro-rata part of what the offering accrued while holding them; the last
        // delivery (shares == balance) takes the whole remainder, so nothing stays behind.
        uint256 moved = shares == from.balance ? offeringAccrued : Math.mulDiv(offeringAccrued, shares, from.balance);
        uint256 left = offeringAccrued - moved;
        _accrued[offering_] = left;
        from.balance -= uint96(shares);
        from.checkpoint = uint96(index) | (left != 0 ? OWED_FIELD : 0);
        _accounts[offering_] = from;

        to.checkpoint = _settle(receiver, to, index, moved);
        // The delivered shares come from the offering, another identity: fresh from now.
        if (lots != 0 && shares != 0) {
            to.freshSince = _receiveFresh(
                receiver,
                to.balance,
                to.freshSince,
                shares,
                shares,
                uint32(block.timestamp),
                uint32(lots)
            );
        }
        to.balance += uint96(shares);
        _accounts[receiver] = to;
        emit Transfer(offering_, receiver, shares);
        emit SharesDelivered(receiver, shares, moved);
    }

    /// @inheritdoc ITrancheToken
    function distribute(uint256 amount) external onlyDeal {
        uint256 supply = _totalSupply;
        // The deal only distributes to tranches with supply; guard anyway so cash is never stranded silently.
        if (supply == 0) revert NothingToClaim();
        uint256 numerator = amount * INDEX_SCALE + _indexCarry;
        uint256 index = _cashIndex + numerator / supply;
        if (index > INDEX_MAX) revert IndexOverflow();
        // One write: the index and the carry share the hot slot.
        (_cashIndex, _indexCarry) = (uint96(index), uint96(numerator % supply));
        emit Distributed(amount, index);
    }

    /// @inheritdoc ITrancheToken
    function setPaused(bool paused_) external onlyDeal {
        _paused = paused_;
        emit PauseSet(paused_);
    }

    /// @inheritdoc ITrancheToken
    function lockForVote(address voter, uint64 until) external returns (uint256 weight) {
        address engine = IDeal(_deal()).riskEngine();
        if (msg.sender != engine) revert NotRiskEngine(msg.sender);
        (address registry_, uint256 rules, uint256[4] memory blocked, ) = _args();
        if (registry_ != address(0)) {
            uint8 code = TransferRules.senderCode(_walletRecord(registry_, voter), rules, blocked, block.timestamp);
            if (code != TransferRules.SUCCESS) revert VoteRestricted(voter, code);
        }
        Account storage account = _accounts[voter];
        // Locked until `until` already: these tokens voted in this ballot (deadlines grow from ballot to ballot).
        if (account.lockedUntil >= until) return 0;
        // frozen ≤ balance.
        weight = account.balance - _frozen[voter];
        account.lockedUntil = SafeCast.toUint32(until);
        emit VoteLocked(voter, weight, until);
    }

    /// @inheritdoc ITrancheToken
    function lockedUntil(address account) external view returns (uint256) {
        return _accounts[account].lockedUntil;
    }

    /// @inheritdoc ITrancheToken
    function claim() external returns (uint256 amount) {
        return _claim(msg.sender);
    }

    /// @inheritdoc ITrancheToken
    function claimTo(address receiver) external returns (uint256 amount) {
        if (receiver == address(0)) revert ERC20InvalidReceiver(address(0));
        return _claim(receiver);
    }

    function _claim(address receiver) private returns (uint256 amount) {
        (uint256 index, bool paused_) = _hot();
        if (paused_) revert TokenPaused();
        (address registry_, uint256 rules, uint256[4] memory blocked, address stablecoin_) = _args();
        if (registry_ != address(0)) {
            uint256 record = _walletRecord(registry_, msg.sender);
            uint8 code = TransferRules.senderCode(record, rules, blocked, block.timestamp);
            if (code != TransferRules.SUCCESS) revert ClaimRestricted(msg.sender, code);
        }
        Account storage slot = _accounts[msg.sender];
        uint256 account = _load(slot);
        uint256 settled = account >> CHECKPOINT_SHIFT;
        // Pending cash since the checkpoint (none when it is the index), then the accrued slot if the flag says it
        // may hold something.
        amount = _pendingOf(uint96(account), settled & INDEX_MAX, index);
        if (account & OWED != 0) {
            uint256 accrued = _accrued[msg.sender];
            amount += accrued;
            // Clearing a zero would cost a no-op write.
            if (accrued != 0) _accrued[msg.sender] = 0;
        }
        if (amount == 0) revert NothingToClaim();
        // Checkpoint at the index, flag cleared; nothing to write when both already hold.
        if (settled != index) _store(slot, uint160(account) | (index << CHECKPOINT_SHIFT));
        emit Claimed(msg.sender, receiver, amount);
        // Effects above happen before the transfer: a re-entrant call finds nothing left to claim.
        SafeERC20.safeTransfer(IERC20(stablecoin_), receiver, amount);
    }

    // ------------------------------------------------------------ compliance agent

    /// @inheritdoc ITrancheToken
    function freezeTokens(address account, uint256 amount) external onlyAgent {
        if (amount == 0) revert ZeroAmount();
        _checkNotOffering(account);
        uint256 balance = _accounts[account].balance;
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

    /// @inheritdoc ITrancheToken
    function unfreezeTokens(address account, uint256 amount) external onlyAgent {
        if (amount == 0) revert ZeroAmount();
        uint256 frozen = _frozen[account];
        if (amount > frozen) revert UnfreezeExceedsFrozen(account, frozen, amount);
        _unfreeze(account, frozen, amount);
    }

    /// @inheritdoc ITrancheToken
    function forcedTransfer(address from, address to, uint256 amount) external onlyAgent {
        if (_paused) revert TokenPaused();
        if (to == address(0)) revert ERC20InvalidReceiver(address(0));
        if (from == to) revert SameWallet(from);
        _checkNotOffering(from);
        uint256 a = _load(_accounts[from]);
        uint256 balance = uint96(a);
        if (balance < amount) revert ERC20InsufficientBalance(from, balance, amount);
        if (uint32(a >> LOCKED_UNTIL_SHIFT) >= block.timestamp) {
            revert TokensLocked(from, uint32(a >> LOCKED_UNTIL_SHIFT));
        }
        uint256 b = _load(_accounts[to]);
        uint256 lots = _forcedCompliance(from, to, amount, a, b);
        // The agent may take frozen tokens: what stays frozen never exceeds what stays.
        uint256 frozen = _frozen[from];
        uint256 left = balance - amount;
        if (frozen > left) _unfreeze(from, frozen, frozen - left);
        emit ForcedTransfer(msg.sender, from, to, amount);
        (uint256 index, ) = _hot();
        // from ≠ to (checked above).
        if (lots != 0) b = _moveFresh(from, to, amount, a, b, lots);
        _move(from, to, amount, a, b, index);
    }

    /// @dev The compliance of a forced transfer: reverts unless the receiver may hold; keeps the holder count (a
    /// court order is not refused for the holder cap, but the count follows it). Returns the lots word of the move
    /// ({_lotsOf}).
    function _forcedCompliance(
        address from,
        address to,
        uint256 amount,
        uint256 a,
        uint256 b
    ) private returns (uint256 lots) {
        (address registry_, uint256 rules, uint256[4] memory blocked, ) = _args();
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

    /// @inheritdoc ITrancheToken
    function recoverWallet(address lostWallet, address newWallet) external onlyAgent {
        if (_paused) revert TokenPaused();
        if (newWallet == address(0)) revert ERC20InvalidReceiver(address(0));
        if (lostWallet == newWallet) revert SameWallet(lostWallet);
        _checkNotOffering(lostWallet);
        (address registry_, uint256 rules, uint256[4] memory blocked, ) = _args();
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
        emit Transfer(lostWallet, newWallet, balance);
    }

    // ------------------------------------------------------------ views

    /// @inheritdoc ITrancheToken
    function detectTransferRestriction(address from, address to, uint256 amount) external view returns (uint8) {
        uint256 hot = _hotWord();
        // PAUSED is the first check of the rules: answered here, so the shared path below skips it.
        if (_pausedIn(hot)) return TransferRules.PAUSED;
        (uint256 verdict, ) = _check(from, to, amount, _load(_accounts[from]), _load(_accounts[to]), hot);
        return uint8(verdict);
    }

    /// @inheritdoc ITrancheToken
    function messageForTransferRestriction(uint8 code) external pure returns (string memory) {
        return TransferRules.message(code);
    }

    /// @inheritdoc ITrancheToken
    function detectClaimRestriction(address account) external view returns (uint8) {
        if (_paused) return TransferRules.PAUSED;
        (address registry_, uint256 rules, uint256[4] memory blocked, ) = _args();
        if (registry_ == address(0)) return TransferRules.SUCCESS;
        return TransferRules.senderCode(_walletRecord(registry_, account), rules, blocked, block.timestamp);
    }

    /// @inheritdoc ITrancheToken
    function claimable(address account) external view returns (uint256) {
        return _accrued[account] + _pending(_accounts[account], _cashIndex);
    }

    /// @inheritdoc ITrancheToken
    function frozenTokens(address account) external view returns (uint256) {
        return _frozen[account];
    }

    /// @inheritdoc ITrancheToken
    function freshTokens(address account) external view returns (uint256 amount, uint256 releasedAt) {
        (address registry_, uint256 rules, , ) = _args();
        // Without a registry the rules, the holding period among them, do not apply.
        uint32 period = registry_ == address(0) ? 0 : _periodOf(rules);
        if (period == 0) return (0, 0);
        Account memory a = _accounts[account];
        amount = _freshOf(account, a.balance, a.freshSince, period);
        if (amount != 0) releasedAt = TransferRules.releasedAt(a.freshSince, period);
    }

    /// @inheritdoc ITrancheToken
    function holders() external view returns (uint256) {
        return _holders;
    }

    /// @inheritdoc ITrancheToken
    function registry() external view returns (address) {
        return _registry();
    }

    /// @inheritdoc ITrancheToken
    function transferRules() external view returns (TransferRules.Rules memory rules) {
        (address registry_, uint256 packed, uint256[4] memory blocked, ) = _args();
        // Empty when there is no registry: the rules are not enforced.
        if (registry_ == address(0)) return rules;
        rules.allowedClasses = uint16(packed);
        rules.minHoldingPeriod = uint32(packed >> TransferRules.RULES_PERIOD_SHIFT);
        rules.maxHolders = uint32(packed >> TransferRules.RULES_MAX_HOLDERS_SHIFT);
        rules.minHolding = uint128(packed >> TransferRules.RULES_MIN_HOLDING_SHIFT);
        rules.blockedCountries = blocked;
    }

    /// @inheritdoc ITrancheToken
    function cashIndex() external view returns (uint256) {
        return _cashIndex;
    }

    /// @inheritdoc ITrancheToken
    function factor() external view returns (uint256) {
        uint256 w0 = _word(TrancheTokenArgs.DEAL_WORD);
        return IDeal(address(uint160(w0))).factor(uint8(w0 >> 160));
    }

    /// @inheritdoc ITrancheToken
    function params() external view returns (Params memory) {
        uint256[9] memory w; // TrancheTokenArgs.WORDS
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            extcodecopy(address(), w, ARGS_OFFSET, 0x120)
        }
        return TrancheTokenArgs.decode(w);
    }

    function deal() external view returns (address) {
        return _deal();
    }

    /// @inheritdoc ITrancheToken
    function offering() external view returns (address offering_) {
        uint256 w0 = _word(TrancheTokenArgs.DEAL_WORD);
        (, offering_) = IDeal(address(uint160(w0))).trancheContracts(uint8(w0 >> 160));
    }

    function stablecoin() external view returns (address) {
        return _stablecoin();
    }

    function trancheIndex() external view returns (uint256) {
        return uint8(_word(TrancheTokenArgs.DEAL_WORD) >> 160);
    }

    function paused() external view returns (bool) {
        return _paused;
    }

    // ------------------------------------------------------------ internals

    /// @dev Word `i` of the clone's immutable arguments ({TrancheTokenArgs}).
    function _word(uint256 i) private view returns (uint256 w) {
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            extcodecopy(address(), 0x00, add(ARGS_OFFSET, shl(5, i)), 0x20)
            w := mload(0x00)
        }
    }

    function _deal() private view returns (address) {
        return address(uint160(_word(TrancheTokenArgs.DEAL_WORD)));
    }

    function _stablecoin() private view returns (address) {
        return address(uint160(_word(TrancheTokenArgs.STABLECOIN_WORD)));
    }

    function _registry() private view returns (address) {
        return address(uint160(_word(TrancheTokenArgs.REGISTRY_WORD)));
    }

    /// @dev The registry, the packed rules ({TransferRules.pack}), the blocked-countries bitmap and the stablecoin,
    /// from the clone's arguments with one EXTCODECOPY of words 1 – 8 into fresh memory: the bitmap is words 5 – 8 of
    /// that copy, used in place. The rule bits of words 1 and 2 ({TrancheTokenArgs}) line up with
    /// {TransferRules.pack}: allowed classes, holding period and holder cap are bits 160 – 239 of word 1, the minimum
    /// holding bits 160 – 255 of word 2.
    function _args()
        private
        view
        returns (address registry_, uint256 rules, uint256[4] memory blocked, address stablecoin_)
    {
        uint256 w1;
        uint256 w2;
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            let buffer := mload(0x40)
            mstore(0x40, add(buffer, 0x100))
            extcodecopy(address(), buffer, add(ARGS_OFFSET, 0x20), 0x100)
            w1 := mload(buffer)
            w2 := mload(add(buffer, 0x20))
            blocked := add(buffer, 0x80)
        }
        registry_ = address(uint160(w2));
        stablecoin_ = address(uint160(w1));
        rules = (w1 >> 160) | ((w2 >> 160) << TransferRules.RULES_MIN_HOLDING_SHIFT);
    }

    /// @dev The cash index and the paused flag, in one SLOAD of the hot slot.
    function _hot() private view returns (uint256 index, bool paused_) {
        uint256 w = _hotWord();
        index = uint96(w);
        paused_ = _pausedIn(w);
    }

    /// @dev The hot slot as one word; fields at the positions of their declaration order above (a 96-bit index, a
    /// 96-bit carry, two bools, a 32-bit count).
    function _hotWord() private view returns (uint256 w) {
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            w := sload(_cashIndex.slot)
        }
    }

    function _pausedIn(uint256 hot) private pure returns (bool) {
        return uint8(hot >> PAUSED_SHIFT) != 0;
    }

    /// @dev An {Account} slot as one word (layout: see LOCKED_UNTIL_SHIFT); no unpacking into memory.
    function _load(Account storage slot) private view returns (uint256 word) {
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            word := sload(slot.slot)
        }
    }

    function _store(Account storage slot, uint256 word) private {
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            sstore(slot.slot, word)
        }
    }

    /// @dev `IInvestorRegistry(registry_).transferRecords(from, to)` as a bare STATICCALL: no extcodesize check
    /// (an empty return fails the size check), no ABI encoder or decoder; a revert bubbles up as it is.
    function _transferRecords(
        address registry_,
        address from,
        address to
    ) private view returns (uint256 fromRecord, uint256 toRecord) {
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
    function _walletRecord(address registry_, address wallet) private view returns (uint256 record) {
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

    function _maxHolders(uint256 rules) private pure returns (uint256) {
        return uint32(rules >> TransferRules.RULES_MAX_HOLDERS_SHIFT);
    }

    /// @dev Adds `account`'s cash pending at `index` and `extra` to its accrued slot; returns its new checkpoint field
    /// (the index, with {OWED} if the slot may hold cash).
    function _settle(
        address wallet,
        Account memory account,
        uint256 index,
        uint256 extra
    ) private returns (uint96 checkpoint) {
        uint256 credit = _pending(account, index) + extra;
        checkpoint = uint96(index) | (account.checkpoint & OWED_FIELD);
        if (credit != 0) {
            _accrued[wallet] += credit;
            checkpoint |= OWED_FIELD;
        }
    }

    function _pending(Account memory account, uint256 index) private pure returns (uint256) {
        return _pendingOf(account.balance, account.checkpoint & INDEX_MAX, index);
    }

    /// @dev Cash accrued on `balance` from index `checkpoint` to `index` (≥ checkpoint: the index only grows).
    function _pendingOf(uint256 balance, uint256 checkpoint, uint256 index) private pure returns (uint256) {
        // balance < 2⁹⁶ and index < 2⁹⁵, so the product stays below 2¹⁹¹: no overflow, no need for mulDiv.
        unchecked {
            return (balance * (index - checkpoint)) / INDEX_SCALE;
        }
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
        uint256 a,
        uint256 b,
        uint256 hot
    ) private view returns (uint256 verdict, int256 holderDelta) {
        (address registry_, uint256 rules, uint256[4] memory blocked, ) = _args();
        if (registry_ == address(0)) {
            if (value > uint96(a)) return (TransferRules.INSUFFICIENT_BALANCE, 0);
            if (uint32(a >> LOCKED_UNTIL_SHIFT) >= block.timestamp) return (TransferRules.TOKENS_LOCKED, 0);
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
        uint256 a,
        uint256 b,
        uint256 fromFrozen,
        uint256 rules,
        uint256[4] memory blocked
    ) private view returns (uint256 verdict, int256 holderDelta) {
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
    function _lotsOf(uint256 rules, bool sameIdentity) private pure returns (uint256 lots) {
        lots = _periodOf(rules);
        if (lots != 0 && sameIdentity) lots |= SAME_IDENTITY;
    }

    /// @dev The holding period of packed `rules` ({TransferRules.pack}).
    function _periodOf(uint256 rules) private pure returns (uint32) {
        return uint32(rules >> TransferRules.RULES_PERIOD_SHIFT);
    }

    /// @dev {_checkRegistered} under a holding period: the lots word ({_lotsOf}) in its place in a verdict, and the
    /// held word of the rules ({TransferRules.packHeld}): `fromFrozen` with the sender's fresh tokens when the
    /// holding period applies (two identities).
    function _heldLots(
        address from,
        uint256 a,
        uint256 rules,
        bool sameIdentity,
        uint256 fromFrozen
    ) private view returns (uint256 verdictLots, uint256 held) {
        uint256 lots = _lotsOf(rules, sameIdentity);
        verdictLots = lots << VERDICT_LOTS_SHIFT;
        held = fromFrozen;
        if (!sameIdentity) {
            uint256 fresh = _freshOf(from, uint96(a), uint32(a >> FRESH_SINCE_SHIFT), uint32(lots));
            held |= fresh << TransferRules.HELD_FRESH_SHIFT;
        }
    }

    /// @dev {TransferRules.checkPacked} at the current time (the pause is checked by the callers). `fromHeld` is
    /// the held word ({TransferRules.packHeld}).
    function _code(
        uint256 value,
        uint256 a,
        uint256 b,
        uint256 fromHeld,
        uint256 fromRecord,
        uint256 toRecord,
        uint256 holdersAfter,
        uint256 rules,
        uint256[4] memory blocked
    ) private view returns (uint8) {
        return
            TransferRules.checkPacked(
                fromRecord,
                toRecord,
                a,
                uint96(b),
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
    function _holdersAfter(int256 holderDelta) private view returns (uint256) {
        if (holderDelta <= 0) return 0;
        return uint256(_holders) + 1;
    }

    /// @dev Part of `account`'s balance an agent froze, given the hot word: read only while some wallet has frozen
    /// tokens.
    function _frozenOf(uint256 hot, address account) private view returns (uint256) {
        return uint32(hot >> PARTIAL_FREEZES_SHIFT) == 0 ? 0 : _frozen[account];
    }

    /// @dev What a transfer between two identities does to the holder count: −1, 0 or +1.
    function _holderCount(
        address registry_,
        address from,
        address to,
        uint256 value,
        uint256 a,
        uint256 b,
        uint256 fromRecord,
        uint256 toRecord
    ) private view returns (int256) {
        bool joins = value != 0 && _joins(registry_, to, toRecord, uint96(b));
        bool leaves = _leaves(registry_, from, fromRecord, uint96(a), value);
        if (joins == leaves) return 0;
        return joins ? int256(1) : -1;
    }

    function _transfer(address from, address to, uint256 value) private {
        if (from == address(0)) revert ERC20InvalidSender(address(0));
        if (to == address(0)) revert ERC20InvalidReceiver(address(0));
        uint256 hot = _hotWord();
        if (_pausedIn(hot)) revert TokenPaused();
        uint256 a = _load(_accounts[from]);
        if (uint96(a) < value) revert ERC20InsufficientBalance(from, uint96(a), value);
        if (uint32(a >> LOCKED_UNTIL_SHIFT) >= block.timestamp) {
            revert TokensLocked(from, uint32(a >> LOCKED_UNTIL_SHIFT));
        }
        uint256 b = _comply(from, to, value, a, _load(_accounts[to]), hot);
        _move(from, to, value, a, b, uint96(hot));
    }

    /// @dev Reverts with the restriction code unless the transfer may go ahead; keeps the holder count and, under a
    /// holding period, the fresh lots ({_moveFresh}). Returns the receiver's account word `b`, with its new fresh-lot
    /// clock when the move changed it.
    function _comply(
        address from,
        address to,
        uint256 value,
        uint256 a,
        uint256 b,
        uint256 hot
    ) private returns (uint256) {
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

    /// @dev Settles both accounts (words `a`, `b`) at `index` and moves `value` (checked by the caller) from `from`
    /// to `to`. The callers have moved the fresh lots ({_moveFresh}): `b` carries the receiver's clock.
    function _move(address from, address to, uint256 value, uint256 a, uint256 b, uint256 index) private {
        uint256 owed = a & OWED;
        uint256 checkpoint = (a >> CHECKPOINT_SHIFT) & INDEX_MAX;
        if (checkpoint != index) {
            uint256 pending = _pendingOf(uint96(a), checkpoint, index);
            if (pending != 0) {
                _accrued[from] += pending;
                owed = OWED;
            }
        }
        // The balance is the low 96 bits and ≥ value (checked by the caller): the subtraction stays inside it.
        unchecked {
            a = (uint160(a) - value) | (index << CHECKPOINT_SHIFT) | owed;
        }
        _store(_accounts[from], a);
        // A transfer to oneself: the receiver is the account just written.
        if (from == to) b = a;

        owed = b & OWED;
        checkpoint = (b >> CHECKPOINT_SHIFT) & INDEX_MAX;
        if (checkpoint != index) {
            uint256 pending = _pendingOf(uint96(b), checkpoint, index);
            if (pending != 0) {
                _accrued[to] += pending;
                owed = OWED;
            }
        }
        // Balances sum to the total supply, which fits in 96 bits: the addition stays inside the balance bits. The
        // vote lock and the fresh-lot clock (bits 96 – 159) stay.
        unchecked {
            b =
                (uint96(b) + value) |
                (b & (uint256(type(uint64).max) << LOCKED_UNTIL_SHIFT)) |
                (index << CHECKPOINT_SHIFT) |
                owed;
        }
        _store(_accounts[to], b);
        emit Transfer(from, to, value);
    }

    /// @dev Moves the whole account of `lost` (balance and unclaimed cash, both settled at the current index) to
    /// `to`. The position keeps its vote lock (merged into a wallet that holds already, the later of the two) and,
    /// under a holding `period`, its fresh lot, which merges into `to`'s as any reception ({_receiveFresh}) with
    /// its own clock.
    function _movePosition(
        address lost,
        address to,
        uint256 period
    ) private returns (uint256 balance, uint256 accrued) {
        uint256 index = _cashIndex;
        Account memory a = _accounts[lost];
        Account memory b = _accounts[to];
        balance = a.balance;
        accrued = _accrued[lost] + _pending(a, index);
        if (balance == 0 && accrued == 0) revert NothingToRecover(lost);
        if (accrued != 0) _accrued[lost] = 0;
        // Settled on its own balance before the position joins it.
        b.checkpoint = _settle(to, b, index, accrued);
        if (period != 0 && balance != 0) {
            uint256 fresh = _freshOf(lost, balance, a.freshSince, uint32(period));
            b.freshSince = _receiveFresh(to, b.balance, b.freshSince, balance, fresh, a.freshSince, uint32(period));
        }
        // The lost wallet's clock is cleared below, so its seasoned slot must be too.
        if (a.freshSince != 0 && _seasoned[lost] != 0) _seasoned[lost] = 0;
        b.lockedUntil = uint32(Math.max(a.lockedUntil, b.lockedUntil));
        b.balance += a.balance;
        _accounts[to] = b;
        _accounts[lost] = Account({balance: 0, lockedUntil: 0, freshSince: 0, checkpoint: uint96(index)});
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
        uint256 a,
        uint256 b,
        uint256 lots
    ) private returns (uint256) {
        uint32 since = uint32(a >> FRESH_SINCE_SHIFT);
        uint256 fresh = _freshOf(from, uint96(a), since, uint32(lots));
        uint256 moved;
        if (fresh != 0 && value != 0) {
            // fresh ≤ balance and value ≤ balance (checked by the callers): nothing wraps. What stays seasoned is
            // at most what stays.
            unchecked {
                uint256 seasoned = uint96(a) - fresh;
                if (value > seasoned) moved = value - seasoned;
                uint256 left = seasoned - (value - moved);
                if (left != seasoned) _seasoned[from] = left;
            }
        }
        uint256 amount = value;
        uint32 amountSince = uint32(block.timestamp);
        if (lots & SAME_IDENTITY != 0) (amount, amountSince) = (moved, since);
        uint256 toSince = _receiveFresh(
            to,
            uint96(b),
            uint32(b >> FRESH_SINCE_SHIFT),
            value,
            amount,
            amountSince,
            uint32(lots)
        );
        return (b & ~(uint256(type(uint32).max) << FRESH_SINCE_SHIFT)) | (toSince << FRESH_SINCE_SHIFT);
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
    ) private returns (uint32) {
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
    function _freshOf(address account, uint256 balance, uint32 since, uint32 period) private view returns (uint256) {
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
    ) private returns (uint256) {
        (address registry_, uint256 rules, uint256[4] memory blocked, ) = _args();
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

    function _setHolders(uint256 count) private {
        _holders = uint32(count);
        emit HoldersChanged(count);
    }

    /// @dev Whether `wallet`'s identity holds no tokens before it receives some.
    function _joins(address registry_, address wallet, uint256 record, uint256 balance) private view returns (bool) {
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
    ) private view returns (bool) {
        return
            InvestorRecord.wrap(record).isRegistered() &&
            balance != 0 &&
            balance == amount &&
            !_otherWalletsHold(registry_, wallet, record);
    }

    /// @dev Whether a wallet of `wallet`'s identity other than `wallet` holds tokens. Single-wallet identities (the
    /// common case) answer from the record alone; others read the identity's wallets (at most eight) from the
    /// registry.
    function _otherWalletsHold(address registry_, address wallet, uint256 record) private view returns (bool) {
        if (InvestorRecord.wrap(record).walletCount() <= 1) return false;
        address[] memory wallets = IInvestorRegistry(registry_).identityWallets(wallet);
        for (uint256 i; i < wallets.length; ++i) {
            if (wallets[i] != wallet && _accounts[wallets[i]].balance != 0) return true;
        }
        return false;
    }

    function _approve(address owner, address spender, uint256 value) private {
        if (owner == address(0)) revert ERC20InvalidApprover(address(0));
        if (spender == address(0)) revert ERC20InvalidSpender(address(0));
        _allowances[owner][spender] = value;
        emit Approval(owner, spender, value);
    }
}
