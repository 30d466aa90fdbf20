// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {MessageHashUtils} from "@openzeppelin/contracts/utils/cryptography/MessageHashUtils.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ShortString, ShortStrings} from "@openzeppelin/contracts/utils/ShortStrings.sol";

import {IDeal} from "../interfaces/IDeal.sol";
import {ITrancheToken} from "../interfaces/ITrancheToken.sol";

/// @title TrancheToken
/// @notice See {ITrancheToken}. A compact ERC-20 whose balance and cash checkpoint share one storage slot, so a
/// transfer between settled holders touches the same number of account slots as a plain ERC-20.
/// @dev Deployed as clones whose immutable arguments hold {Params}: creating a tranche writes no storage.
contract TrancheToken is ITrancheToken, IERC20Errors {
    using SafeERC20 for IERC20;
    using ShortStrings for ShortString;

    uint256 private constant INDEX_SCALE = 1e18;
    bytes32 private constant PERMIT_TYPEHASH = keccak256(
        "Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)"
    );
    bytes32 private constant DOMAIN_TYPEHASH = keccak256(
        "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
    );
    bytes32 private constant VERSION_HASH = keccak256("1");

    /// @dev Balance, the time until which it cannot leave the account (a waiver vote), and the cash index at which
    /// it was last settled: one slot.
    struct Account {
        uint96 balance;
        uint32 lockedUntil;
        uint128 checkpoint;
    }

    // Hot slot: read by every transfer and claim. `_issued` is set at issue, so the first distribution updates a
    // warm, non-zero slot.
    uint128 private _cashIndex;
    bool private _paused;
    bool private _issued;

    /// @dev The tranche's offering, recorded when it issues the supply.
    address private _offering;
    /// @dev Numerator carried to the next distribution: (amount·scale + carry) mod supply.
    uint256 private _indexCarry;
    uint256 private _totalSupply;

    mapping(address account => Account) private _accounts;
    mapping(address account => uint256) private _accrued;
    mapping(address owner => mapping(address spender => uint256)) private _allowances;
    mapping(address owner => uint256) private _nonces;

    modifier onlyDeal() {
        if (msg.sender != _params().deal) revert NotDeal(msg.sender);
        _;
    }

    // ------------------------------------------------------------ ERC-20

    function name() public view returns (string memory) {
        return ShortString.wrap(_params().name).toString();
    }

    function symbol() external view returns (string memory) {
        return ShortString.wrap(_params().symbol).toString();
    }

    function decimals() external view returns (uint8) {
        return _params().decimals;
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

    // ------------------------------------------------------------ issuance and distributions

    /// @inheritdoc ITrancheToken
    function issue(uint256 amount) external {
        Params memory p = _params();
        (, address offering_) = IDeal(p.deal).trancheContracts(p.trancheIndex);
        if (msg.sender != offering_) revert NotOffering(msg.sender);
        if (_issued) revert AlreadyIssued();
        _issued = true;
        _offering = offering_;
        _totalSupply = amount;
        _accounts[msg.sender] = Account({balance: SafeCast.toUint96(amount), lockedUntil: 0, checkpoint: _cashIndex});
        emit Transfer(address(0), msg.sender, amount);
        emit Issued(msg.sender, amount);
    }

    /// @inheritdoc ITrancheToken
    function deliverShares(address receiver, uint256 shares) external {
        address offering_ = _offering;
        if (msg.sender != offering_) revert NotOffering(msg.sender);
        if (_paused) revert TokenPaused();
        if (receiver == address(0)) revert ERC20InvalidReceiver(address(0));
        uint256 index = _cashIndex;
        Account memory from = _accounts[offering_];
        if (from.balance < shares) revert ERC20InsufficientBalance(offering_, from.balance, shares);
        uint256 offeringAccrued = _accrued[offering_] + _pending(from, index);
        // The shares take their pro-rata part of what the offering accrued while holding them; the last
        // delivery (shares == balance) takes the whole remainder, so nothing stays behind.
        uint256 moved = shares == from.balance ? offeringAccrued : Math.mulDiv(offeringAccrued, shares, from.balance);
        _accrued[offering_] = offeringAccrued - moved;
        _accounts[offering_] = Account({
            balance: from.balance - uint96(shares),
            lockedUntil: from.lockedUntil,
            checkpoint: uint128(index)
        });

        Account memory to = _accounts[receiver];
        uint256 toPending = _pending(to, index);
        if (toPending + moved != 0) _accrued[receiver] += toPending + moved;
        _accounts[receiver] = Account({
            balance: to.balance + uint96(shares),
            lockedUntil: to.lockedUntil,
            checkpoint: uint128(index)
        });
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
        if (index > type(uint128).max) revert IndexOverflow();
        _indexCarry = numerator % supply;
        _cashIndex = uint128(index);
        emit Distributed(amount, index);
    }

    /// @inheritdoc ITrancheToken
    function setPaused(bool paused_) external onlyDeal {
        _paused = paused_;
        emit PauseSet(paused_);
    }

    /// @inheritdoc ITrancheToken
    function lockForVote(address voter, uint64 until) external returns (uint256 weight) {
        address engine = IDeal(_params().deal).riskEngine();
        if (msg.sender != engine) revert NotRiskEngine(msg.sender);
        Account storage account = _accounts[voter];
        weight = account.balance;
        if (until > account.lockedUntil) {
            account.lockedUntil = uint32(until);
            emit VoteLocked(voter, weight, until);
        }
    }

    /// @inheritdoc ITrancheToken
    function lockedUntil(address account) external view returns (uint256) {
        return _accounts[account].lockedUntil;
    }

    /// @inheritdoc ITrancheToken
    function claim(address receiver) external returns (uint256 amount) {
        if (_paused) revert TokenPaused();
        if (receiver == address(0)) revert ERC20InvalidReceiver(address(0));
        uint256 index = _cashIndex;
        Account memory account = _accounts[msg.sender];
        amount = _accrued[msg.sender] + _pending(account, index);
        if (amount == 0) revert NothingToClaim();
        if (account.checkpoint != index) {
            _accounts[msg.sender].checkpoint = uint128(index);
        }
        _accrued[msg.sender] = 0;
        emit Claimed(msg.sender, receiver, amount);
        // Effects above happen before the transfer: a re-entrant call finds nothing left to claim.
        IERC20(_params().stablecoin).safeTransfer(receiver, amount);
    }

    // ------------------------------------------------------------ views

    /// @inheritdoc ITrancheToken
    function claimable(address account) external view returns (uint256) {
        return _accrued[account] + _pending(_accounts[account], _cashIndex);
    }

    /// @inheritdoc ITrancheToken
    function cashIndex() external view returns (uint256) {
        return _cashIndex;
    }

    /// @inheritdoc ITrancheToken
    function factor() external view returns (uint256) {
        Params memory p = _params();
        return IDeal(p.deal).factor(p.trancheIndex);
    }

    /// @inheritdoc ITrancheToken
    function params() external view returns (Params memory) {
        return _params();
    }

    function deal() external view returns (address) {
        return _params().deal;
    }

    /// @inheritdoc ITrancheToken
    function offering() external view returns (address offering_) {
        Params memory p = _params();
        (, offering_) = IDeal(p.deal).trancheContracts(p.trancheIndex);
    }

    function stablecoin() external view returns (address) {
        return _params().stablecoin;
    }

    function trancheIndex() external view returns (uint256) {
        return _params().trancheIndex;
    }

    function paused() external view returns (bool) {
        return _paused;
    }

    // ------------------------------------------------------------ internals

    function _params() private view returns (Params memory) {
        return abi.decode(Clones.fetchCloneArgs(address(this)), (Params));
    }

    function _pending(Account memory account, uint256 index) private pure returns (uint256) {
        if (account.checkpoint == index) return 0;
        return Math.mulDiv(account.balance, index - account.checkpoint, INDEX_SCALE);
    }

    function _transfer(address from, address to, uint256 value) private {
        if (from == address(0)) revert ERC20InvalidSender(address(0));
        if (to == address(0)) revert ERC20InvalidReceiver(address(0));
        if (_paused) revert TokenPaused();
        uint256 index = _cashIndex;

        Account memory a = _accounts[from];
        if (a.balance < value) revert ERC20InsufficientBalance(from, a.balance, value);
        if (a.lockedUntil >= block.timestamp) revert TokensLocked(from, a.lockedUntil);
        if (a.checkpoint != index) {
            uint256 pending = _pending(a, index);
            if (pending != 0) _accrued[from] += pending;
            a.checkpoint = uint128(index);
        }
        // a.balance ≥ value checked above.
        unchecked {
            a.balance -= uint96(value);
        }
        _accounts[from] = a;

        Account memory b = _accounts[to];
        if (b.checkpoint != index) {
            uint256 pending = _pending(b, index);
            if (pending != 0) _accrued[to] += pending;
            b.checkpoint = uint128(index);
        }
        // Balances sum to the total supply, which fits in 96 bits.
        unchecked {
            b.balance += uint96(value);
        }
        _accounts[to] = b;
        emit Transfer(from, to, value);
    }

    function _approve(address owner, address spender, uint256 value) private {
        if (owner == address(0)) revert ERC20InvalidApprover(address(0));
        if (spender == address(0)) revert ERC20InvalidSpender(address(0));
        _allowances[owner][spender] = value;
        emit Approval(owner, spender, value);
    }
}
