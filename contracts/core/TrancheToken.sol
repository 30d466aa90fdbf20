// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {MessageHashUtils} from "@openzeppelin/contracts/utils/cryptography/MessageHashUtils.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ShortString, ShortStrings} from "@openzeppelin/contracts/utils/ShortStrings.sol";

import {IDeal} from "../interfaces/IDeal.sol";
import {ITrancheTokenMain} from "../interfaces/ITrancheToken.sol";
import {TrancheAccount} from "../libraries/TrancheAccount.sol";
import {TrancheTokenArgs} from "../libraries/TrancheTokenArgs.sol";
import {TrancheTokenBase} from "./TrancheTokenBase.sol";

/// @title TrancheToken
/// @notice See {ITrancheToken}. The implementation behind every tranche's clone: ERC-20, the EIP-2612 permit, claims,
/// issue, deliveries and distributions — the calls of every transfer, subscription and period. Every other function
/// of {ITrancheToken} (agent operations, vote locks, pauses, views) is in {TrancheTokenExtension}, reached through
/// the fallback by delegate call.
/// @dev Why two contracts: the IR pipeline dispatches selectors one after another (no binary search), so every
/// function whose selector sorts before `transfer` costs each transfer 22 gas; keeping this contract to what runs
/// often saves a transfer ≈ 400 gas and keeps it well under the code-size limit. The same split as Balancer v3's
/// `Vault` / `VaultExtension`. Deployed as clones whose immutable arguments hold {Params} ({TrancheTokenArgs}):
/// creating a tranche writes no storage.
contract TrancheToken is TrancheTokenBase, ITrancheTokenMain {
    using ShortStrings for ShortString;

    /// @dev The extension every function this contract does not have is delegated to.
    address private immutable EXTENSION;

    constructor(address extension) {
        EXTENSION = extension;
    }

    // ------------------------------------------------------------ ERC-20

    function name() external view returns (string memory) {
        return _name();
    }

    function symbol() external view returns (string memory) {
        return TrancheTokenArgs.symbol().toString();
    }

    function decimals() external view returns (uint8) {
        return TrancheTokenArgs.decimals();
    }

    function totalSupply() external view returns (uint256) {
        return _totalSupply;
    }

    function balanceOf(address account) external view returns (uint256) {
        return _accounts[account].balance();
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
        address signer = ECDSA.recover(MessageHashUtils.toTypedDataHash(_domainSeparator(), structHash), v, r, s);
        if (signer != owner) revert ERC2612InvalidSigner(signer, owner);
        _approve(owner, spender, value);
    }

    /// @inheritdoc ITrancheTokenMain
    function issue(uint256 amount) external {
        (address deal_, uint256 index) = TrancheTokenArgs.dealAndIndex();
        (, address offering_) = IDeal(deal_).trancheContracts(index);
        if (msg.sender != offering_) revert NotOffering(msg.sender);
        if (_issued) revert AlreadyIssued();
        // The index starts at its origin, with the issued flag in the same slot.
        (_issued, _cashIndex) = (true, uint96(INDEX_ORIGIN));
        _offering = offering_;
        _totalSupply = SafeCast.toUint96(amount);
        _update(address(0), msg.sender, amount, TrancheAccount.wrap(0), _accounts[msg.sender], INDEX_ORIGIN, 0);
        emit Issued(msg.sender, amount);
    }

    /// @inheritdoc ITrancheTokenMain
    function deliverShares(address controller, address receiver, uint256 shares) external {
        address offering_ = _offering;
        if (msg.sender != offering_) revert NotOffering(msg.sender);
        if (_paused) revert TokenPaused();
        if (receiver == address(0)) revert ERC20InvalidReceiver(address(0));
        uint256 index = _cashIndex;
        TrancheAccount from = _accounts[offering_];
        uint256 held = from.balance();
        if (held < shares) revert ERC20InsufficientBalance(offering_, held, shares);
        TrancheAccount to = _accounts[receiver];
        uint256 lots = _screenDelivery(controller, receiver, shares, to.balance());
        uint256 offeringAccrued = _accrued[offering_] + from.pendingDown(index);
        // The shares take their pro-rata part of what the offering accrued while holding them; the last
        // delivery (shares == balance) takes the whole remainder, so nothing stays behind.
        uint256 moved = shares == held ? offeringAccrued : Math.mulDiv(offeringAccrued, shares, held);
        uint256 left = offeringAccrued - moved;
        _accrued[offering_] = left;
        // The offering is settled here: what it keeps is in its accrued slot, the rest moves with the shares.
        from = from.claimedAt(index).settle(held, index, left != 0);
        // The delivered shares come from the offering, another identity: fresh from now.
        if (lots != 0 && shares != 0) {
            to = to.withFreshSince(
                _receiveFresh(
                    receiver,
                    to.balance(),
                    to.freshSince(),
                    shares,
                    shares,
                    uint32(block.timestamp),
                    uint32(lots)
                )
            );
        }
        _update(offering_, receiver, shares, from, to, index, moved);
        emit SharesDelivered(receiver, shares, moved);
    }

    /// @inheritdoc ITrancheTokenMain
    function distribute(uint256 amount) external {
        if (msg.sender != TrancheTokenArgs.distributor()) revert NotDistributor(msg.sender);
        uint256 supply = _totalSupply;
        // The deal only distributes to tranches with supply; guard anyway so cash is never stranded silently.
        if (supply == 0) revert NothingToClaim();
        uint256 numerator = amount * INDEX_SCALE + _indexCarry;
        uint256 index = _cashIndex + numerator / supply;
        if (index > INDEX_MAX) revert IndexOverflow();
        // One write: the index and the carry share the hot slot.
        (_cashIndex, _indexCarry) = (uint96(index), uint96(numerator % supply));
        // Reported from its origin, as {cashIndex} is. index ≥ INDEX_ORIGIN: the supply was issued.
        unchecked {
            emit Distributed(amount, index - INDEX_ORIGIN);
        }
    }

    /// @inheritdoc ITrancheTokenMain
    function claim() external returns (uint256 amount) {
        return _claim(msg.sender);
    }

    // ------------------------------------------------------------ extension

    /// @dev Every other function of {ITrancheToken}: run by the extension's code on this token's storage, for the
    /// same caller; its result or revert is returned as it is. Ether is refused (the fallback is not payable).
    // solhint-disable-next-line no-complex-fallback
    fallback() external {
        address extension = EXTENSION;
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            calldatacopy(0x00, 0x00, calldatasize())
            let ok := delegatecall(gas(), extension, 0x00, calldatasize(), 0x00, 0x00)
            returndatacopy(0x00, 0x00, returndatasize())
            if iszero(ok) {
                revert(0x00, returndatasize())
            }
            return(0x00, returndatasize())
        }
    }
}
