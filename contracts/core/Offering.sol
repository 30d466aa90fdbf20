// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {IDeal} from "../interfaces/IDeal.sol";
import {IERC7540Deposit, IERC7540Operator, IERC7575} from "../interfaces/IERC7540.sol";
import {IOffering} from "../interfaces/IOffering.sol";
import {ITrancheToken} from "../interfaces/ITrancheToken.sol";
import {BPS} from "../libraries/Constants.sol";
import {OfferingArgs} from "../libraries/OfferingArgs.sol";

/// @title Offering
/// @notice See {IOffering}.
contract Offering is IOffering, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    uint256 private constant REQUEST_ID = 0;

    /// @dev A controller's request. `allocation` is fixed the first time the controller is touched after close.
    struct Request {
        uint128 requested;
        uint128 claimedShares;
        uint128 allocation;
        bool settled;
        bool refunded;
    }

    // slot 0: read by every request
    bool private _paused;
    bool private _closed;
    bool private _failed;
    bool private _proceedsWithdrawn;
    uint64 private _closedAt;
    /// @dev The tranche token, recorded at close (before, {share} reads it from the deal).
    address private _share;
    // slot 1
    uint128 private _totalRequested;
    uint128 private _accepted;
    // slot 2: running totals of the cumulative pro-rata rounding
    uint128 private _settledRequested;
    uint128 private _settledAllocation;

    mapping(address controller => Request) private _requests;
    mapping(address controller => mapping(address operator => bool)) private _operators;

    modifier whenNotPaused() {
        if (_paused) revert OfferingPaused();
        _;
    }

    // ------------------------------------------------------------ requests

    /// @inheritdoc IERC7540Deposit
    function requestDeposit(
        uint256 assets,
        address controller,
        address owner
    ) external nonReentrant whenNotPaused returns (uint256) {
        if (owner != msg.sender && !_operators[owner][msg.sender]) revert NotOperator(owner, msg.sender);
        _request(assets, controller, owner);
        return REQUEST_ID;
    }

    /// @inheritdoc IOffering
    function requestDepositWithPermit(
        uint256 assets,
        address controller,
        uint256 deadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external nonReentrant whenNotPaused returns (uint256) {
        // A permit front-run by a third party still leaves the allowance in place, so a failed permit is only
        // fatal if the allowance is missing (the transfer below then reverts).
        try IERC20Permit(OfferingArgs.asset()).permit(msg.sender, address(this), assets, deadline, v, r, s) {} catch {}
        _request(assets, controller, msg.sender);
        return REQUEST_ID;
    }

    function _request(uint256 assets, address controller, address owner) private {
        if (assets == 0) revert ZeroAmount();
        if (controller == address(0)) revert ZeroAddress();
        Config memory c = _config();
        if (block.timestamp < c.opensAt || block.timestamp >= c.closesAt || _closed) {
            revert OfferingNotOpen(c.opensAt, c.closesAt);
        }
        Request storage req = _requests[controller];
        uint256 requested = req.requested + assets;
        if (requested < c.minTicket) revert BelowMinimumTicket(requested, c.minTicket);
        // Requests are bounded by the asset's supply; the casts revert rather than wrap if a sum did not fit.
        req.requested = SafeCast.toUint128(requested);
        _totalRequested = SafeCast.toUint128(_totalRequested + assets);
        emit DepositRequest(controller, owner, REQUEST_ID, msg.sender, assets);
        _pull(IERC20(c.asset), owner, assets);
    }

    function _pull(IERC20 asset_, address from, uint256 assets) private {
        uint256 before = asset_.balanceOf(address(this));
        asset_.safeTransferFrom(from, address(this), assets);
        uint256 received = asset_.balanceOf(address(this)) - before;
        if (received != assets) revert UnsupportedTokenTransfer(assets, received);
    }

    /// @inheritdoc IERC7540Operator
    function setOperator(address operator, bool approved) external returns (bool) {
        _operators[msg.sender][operator] = approved;
        emit OperatorSet(msg.sender, operator, approved);
        return true;
    }

    /// @inheritdoc IERC7540Operator
    function isOperator(address controller, address operator) external view returns (bool) {
        return _operators[controller][operator];
    }

    // ------------------------------------------------------------ close

    /// @inheritdoc IOffering
    function close() external nonReentrant whenNotPaused {
        if (_closed) revert OfferingClosedAlready(_closedAt);
        Config memory c = _config();
        if (block.timestamp < c.closesAt) revert OfferingStillOpen(c.closesAt);
        uint256 requested = _totalRequested;
        bool failed = requested < c.minRaise;
        uint256 accepted_ = failed ? 0 : Math.min(requested, c.cap);
        uint256 reserveFunding = Math.mulDiv(accepted_, c.reserveFundingBps, BPS);
        (address token, ) = IDeal(c.deal).trancheContracts(c.trancheIndex);
        uint256 proceeds = accepted_ - reserveFunding;

        _closed = true;
        _failed = failed;
        _accepted = uint128(accepted_);
        _closedAt = uint64(block.timestamp);
        _share = token;
        emit OfferingClosed(requested, accepted_, proceeds, reserveFunding, failed);

        if (accepted_ != 0) {
            ITrancheToken(token).issue(accepted_);
            // The proceeds stay here, credited to the issuer ({withdrawProceeds}).
            if (reserveFunding != 0) IERC20(c.asset).safeTransfer(c.deal, reserveFunding);
        }
        IDeal(c.deal).onOfferingSettled(c.trancheIndex, accepted_, reserveFunding);
    }

    // ------------------------------------------------------------ claims

    /// @inheritdoc IERC7575
    function deposit(uint256 assets, address receiver) external returns (uint256) {
        return _claim(assets, receiver, msg.sender);
    }

    /// @inheritdoc IERC7540Deposit
    function deposit(uint256 assets, address receiver, address controller) external returns (uint256) {
        return _claim(assets, receiver, controller);
    }

    /// @inheritdoc IERC7575
    function mint(uint256 shares, address receiver) external returns (uint256) {
        return _claim(shares, receiver, msg.sender);
    }

    /// @inheritdoc IERC7540Deposit
    function mint(uint256 shares, address receiver, address controller) external returns (uint256) {
        return _claim(shares, receiver, controller);
    }

    /// @dev Shares are sold at par, so claiming `amount` assets and minting `amount` shares are the same act.
    function _claim(
        uint256 amount,
        address receiver,
        address controller
    ) private nonReentrant whenNotPaused returns (uint256) {
        if (controller != msg.sender && !_operators[controller][msg.sender]) revert NotOperator(controller, msg.sender);
        if (amount == 0) revert ZeroAmount();
        if (receiver == address(0) || receiver == address(this)) revert InvalidReceiver(receiver);
        if (!_closed) revert OfferingNotClosed();
        Request storage req = _settle(controller);
        uint256 claimable = req.allocation - req.claimedShares;
        if (amount > claimable) revert ExceedsClaimable(amount, claimable);
        // amount ≤ claimable ≤ allocation < 2^128.
        req.claimedShares += uint128(amount);
        emit Deposit(controller, receiver, amount, amount);
        // The token screens the controller (it gives the allocation away) and the receiver.
        ITrancheToken(_share).deliverShares(controller, receiver, amount);
        return amount;
    }

    /// @inheritdoc IOffering
    function refund(address receiver, address controller) external nonReentrant whenNotPaused returns (uint256 assets) {
        if (controller != msg.sender && !_operators[controller][msg.sender]) revert NotOperator(controller, msg.sender);
        if (receiver == address(0) || receiver == address(this)) revert InvalidReceiver(receiver);
        if (!_closed) revert OfferingNotClosed();
        Request storage req = _settle(controller);
        assets = req.refunded ? 0 : req.requested - req.allocation;
        if (assets == 0) revert NothingToRefund(controller);
        req.refunded = true;
        emit Refunded(controller, receiver, assets);
        IERC20(OfferingArgs.asset()).safeTransfer(receiver, assets);
    }

    /// @dev Fixes the controller's allocation on first touch after close with cumulative rounding:
    /// allocation = ⌊(S + r)·A / T⌋ − ⌊S·A / T⌋ where S is the sum of requests settled before. Allocations then
    /// sum to exactly A, and each is at most its request (A ≤ T).
    function _settle(address controller) private returns (Request storage req) {
        req = _requests[controller];
        if (req.settled) return req;
        (uint256 allocation, uint256 settledRequested, uint256 settledAllocation) = _allocationOf(req.requested);
        req.settled = true;
        req.allocation = uint128(allocation);
        _settledRequested = uint128(settledRequested);
        _settledAllocation = uint128(settledAllocation);
    }

    function _allocationOf(
        uint256 requested
    ) private view returns (uint256 allocation, uint256 settledRequested, uint256 settledAllocation) {
        uint256 total = _totalRequested;
        uint256 accepted_ = _accepted;
        settledRequested = _settledRequested + requested;
        if (accepted_ == total) {
            allocation = requested;
        } else if (accepted_ != 0) {
            allocation = Math.mulDiv(settledRequested, accepted_, total) - _settledAllocation;
        }
        settledAllocation = _settledAllocation + allocation;
    }

    function _allocationView(address controller) private view returns (Request memory req) {
        req = _requests[controller];
        if (!req.settled && _closed) {
            (uint256 allocation, , ) = _allocationOf(req.requested);
            req.allocation = uint128(allocation);
        }
    }

    /// @inheritdoc IOffering
    function withdrawProceeds() external nonReentrant whenNotPaused returns (uint256 proceeds) {
        Config memory c = _config();
        if (msg.sender == c.proceedsReceiver) proceeds = _proceedsOwed(c);
        if (proceeds == 0) revert NoProceedsOwed(msg.sender);
        _proceedsWithdrawn = true;
        emit ProceedsWithdrawn(msg.sender, proceeds);
        IERC20(c.asset).safeTransfer(msg.sender, proceeds);
    }

    /// @dev The proceeds credited at close (accepted less reserve funding) while not withdrawn.
    function _proceedsOwed(Config memory c) private view returns (uint256) {
        if (_proceedsWithdrawn) return 0;
        uint256 accepted_ = _accepted;
        return accepted_ - Math.mulDiv(accepted_, c.reserveFundingBps, BPS);
    }

    /// @inheritdoc IOffering
    function proceedsOwed() external view returns (uint256) {
        return _proceedsOwed(_config());
    }

    /// @inheritdoc IOffering
    function setPaused(bool paused_) external {
        if (msg.sender != OfferingArgs.deal()) revert NotDeal(msg.sender);
        _paused = paused_;
        emit PauseSet(paused_);
    }

    // ------------------------------------------------------------ views

    /// @inheritdoc IERC7540Deposit
    function pendingDepositRequest(uint256 requestId, address controller) external view returns (uint256) {
        if (requestId != REQUEST_ID) return 0;
        return _closed ? 0 : _requests[controller].requested;
    }

    /// @inheritdoc IERC7540Deposit
    function claimableDepositRequest(uint256 requestId, address controller) external view returns (uint256) {
        if (requestId != REQUEST_ID) return 0;
        Request memory req = _allocationView(controller);
        return req.allocation - req.claimedShares;
    }

    /// @inheritdoc IOffering
    function refundable(address controller) external view returns (uint256) {
        if (!_closed) return 0;
        Request memory req = _allocationView(controller);
        return req.refunded ? 0 : req.requested - req.allocation;
    }

    /// @inheritdoc IERC7575
    /// @dev The controller's claimable shares, or 0 while they cannot be claimed: the offering or the token is paused,
    /// or the tranche's rules stop the controller (the token's {ITrancheToken.detectClaimRestriction}: the sender
    /// screen a delivery applies to the controller).
    function maxDeposit(address controller) public view returns (uint256 claimable) {
        if (_paused) return 0;
        Request memory req = _allocationView(controller);
        claimable = req.allocation - req.claimedShares;
        // Shares are claimable only after close, when the token is recorded.
        if (claimable != 0 && ITrancheToken(_share).detectClaimRestriction(controller) != 0) return 0;
    }

    /// @inheritdoc IERC7575
    /// @dev As {maxDeposit}: shares are sold at par.
    function maxMint(address controller) external view returns (uint256) {
        return maxDeposit(controller);
    }

    /// @inheritdoc IERC7575
    function share() external view returns (address token) {
        token = _share;
        if (token == address(0)) {
            Config memory c = _config();
            (token, ) = IDeal(c.deal).trancheContracts(c.trancheIndex);
        }
    }

    /// @inheritdoc IERC7575
    function asset() external view returns (address) {
        return OfferingArgs.asset();
    }

    /// @inheritdoc IERC7575
    /// @dev Assets held for requests: pending ones before close, refundable ones after (the proceeds owed to the
    /// issuer are not the vault's).
    function totalAssets() external view returns (uint256) {
        Config memory c = _config();
        return IERC20(c.asset).balanceOf(address(this)) - _proceedsOwed(c);
    }

    /// @inheritdoc IERC7575
    function convertToShares(uint256 assets) external pure returns (uint256) {
        return assets;
    }

    /// @inheritdoc IERC7575
    function convertToAssets(uint256 shares) external pure returns (uint256) {
        return shares;
    }

    /// @inheritdoc IERC7575
    function previewDeposit(uint256) external pure returns (uint256) {
        revert AsyncPreviewUnsupported();
    }

    /// @inheritdoc IERC7575
    function previewMint(uint256) external pure returns (uint256) {
        revert AsyncPreviewUnsupported();
    }

    /// @inheritdoc IERC7575
    function maxWithdraw(address) external pure returns (uint256) {
        return 0;
    }

    /// @inheritdoc IERC7575
    function maxRedeem(address) external pure returns (uint256) {
        return 0;
    }

    /// @inheritdoc IERC7575
    function previewWithdraw(uint256) external pure returns (uint256) {
        revert RedemptionUnsupported();
    }

    /// @inheritdoc IERC7575
    function previewRedeem(uint256) external pure returns (uint256) {
        revert RedemptionUnsupported();
    }

    /// @inheritdoc IERC7575
    function withdraw(uint256, address, address) external pure returns (uint256) {
        revert RedemptionUnsupported();
    }

    /// @inheritdoc IERC7575
    function redeem(uint256, address, address) external pure returns (uint256) {
        revert RedemptionUnsupported();
    }

    /// @inheritdoc IOffering
    function totalRequested() external view returns (uint256) {
        return _totalRequested;
    }

    /// @inheritdoc IOffering
    function accepted() external view returns (uint256) {
        return _accepted;
    }

    /// @inheritdoc IOffering
    function closed() external view returns (bool isClosed, bool failed) {
        return (_closed, _failed);
    }

    /// @inheritdoc IOffering
    function config() external view returns (Config memory) {
        return _config();
    }

    function _config() private view returns (Config memory) {
        return OfferingArgs.config();
    }

    /// @inheritdoc IERC165
    /// @dev type(IERC7540Deposit).interfaceId == 0xce3bbe50, type(IERC7540Operator).interfaceId == 0xe3bc4e65 and
    /// type(IERC7575).interfaceId == 0x2f0a18c5, the ids ERC-7540 requires.
    function supportsInterface(bytes4 interfaceId) external pure returns (bool) {
        return
            interfaceId == type(IERC7540Deposit).interfaceId ||
            interfaceId == type(IERC7540Operator).interfaceId ||
            interfaceId == type(IERC7575).interfaceId ||
            interfaceId == type(IERC165).interfaceId;
    }
}
