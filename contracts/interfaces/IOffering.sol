// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";

import {IERC7540Deposit, IERC7540Operator, IERC7575} from "./IERC7540.sol";

/// @title IOffering
/// @notice Primary sale of one tranche as an ERC-7540 asynchronous deposit vault (ERC-7575 share = the tranche
/// token). Requests are taken while the window is open; anyone closes the offering after the window. At close the
/// accepted amount is min(requested, cap), or zero when the minimum raise was missed. Each controller's allocation
/// is its pro-rata share, rounded so that allocations sum exactly to the accepted amount (cumulative rounding in
/// claim order; any two controllers' allocations differ from the exact pro-rata by less than one unit), and the
/// rest of its request is refundable. Tokens are sold at par: one share per stablecoin unit.
/// The `Deposit` event of a claim names the controller as `sender` and the receiver as `owner` (ERC-7540).
/// On a restricted tranche the token delivers claimed shares only for a controller its rules let send (ERC-1404
/// codes 4 – 8: registered, not frozen, KYC valid, country and class allowed) and to a receiver they let hold (9 –
/// 13), whoever calls; a refusal reverts the token's `TransferRestricted(code)`. `maxDeposit` / `maxMint` are 0
/// while the controller is refused (or the offering or the token is paused); `claimableDepositRequest` still shows
/// the allocation, which waits until the controller may claim it.
/// @dev Views of an unsettled controller's allocation assume it settles next; another controller settling first can
/// move it by one unit either way, so integrations should claim what `maxMint` shows in the same block or re-read.
interface IOffering is IERC7540Deposit, IERC7540Operator, IERC7575, IERC165 {
    /// @notice The offering closed: `accepted` of `requested` became shares; `proceeds` were credited to the issuer
    /// (withdrawn with {withdrawProceeds}) and `reserveFunding` went to the deal's reserve. `failed` when the minimum
    /// raise was missed.
    event OfferingClosed(uint256 requested, uint256 accepted, uint256 proceeds, uint256 reserveFunding, bool failed);

    /// @notice `assets` of the controller's request that were not allocated went back to `receiver`.
    event Refunded(address indexed controller, address indexed receiver, uint256 assets);

    /// @notice Subscriptions and claims were paused or resumed by the deal.
    event PauseSet(bool paused);

    /// @notice The proceeds receiver (the issuer) withdrew the offering's `proceeds`.
    event ProceedsWithdrawn(address indexed receiver, uint256 proceeds);

    /// @notice Requests are taken from `opensAt` until `closesAt`.
    error OfferingNotOpen(uint64 opensAt, uint64 closesAt);

    /// @notice The caller is not the proceeds receiver, or no proceeds are owed to it (not closed, failed or
    /// withdrawn).
    error NoProceedsOwed(address caller);

    /// @notice The window is still open until `closesAt`.
    error OfferingStillOpen(uint64 closesAt);

    /// @notice The offering closed at `closedAt`.
    error OfferingClosedAlready(uint64 closedAt);

    /// @notice The offering is not closed yet.
    error OfferingNotClosed();

    /// @notice A controller's total request must be at least `minTicket`.
    error BelowMinimumTicket(uint256 requested, uint256 minTicket);

    /// @notice `caller` is neither `controller` nor one of its operators.
    error NotOperator(address controller, address caller);

    /// @notice Only `claimable` can be claimed.
    error ExceedsClaimable(uint256 requested, uint256 claimable);

    /// @notice Nothing is left to refund to the controller.
    error NothingToRefund(address controller);

    /// @notice Zero amounts are refused.
    error ZeroAmount();

    /// @notice Zero addresses are refused.
    error ZeroAddress();

    /// @notice Shares and refunds cannot be sent to `receiver` (the zero address or the offering itself).
    error InvalidReceiver(address receiver);

    /// @notice Previews are meaningless for asynchronous deposits (ERC-7540).
    error AsyncPreviewUnsupported();

    /// @notice Tranche tokens are repaid by the waterfall; the offering does not redeem.
    error RedemptionUnsupported();

    /// @notice The asset moved `received` instead of `expected` (fee-on-transfer tokens are not supported).
    error UnsupportedTokenTransfer(uint256 expected, uint256 received);

    /// @notice Subscriptions and claims are paused.
    error OfferingPaused();

    /// @notice Only the deal may call.
    error NotDeal(address caller);

    /// @notice Fixed parameters of the offering, held in its clone's immutable arguments.
    struct Config {
        address deal;
        address asset;
        address proceedsReceiver;
        uint8 trancheIndex;
        uint64 opensAt;
        uint64 closesAt;
        uint128 cap;
        uint128 minRaise;
        uint128 minTicket;
        uint16 reserveFundingBps;
    }

    /// @notice Requests a deposit of `assets` pulled from the caller after an EIP-2612 permit.
    function requestDepositWithPermit(
        uint256 assets,
        address controller,
        uint256 deadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external returns (uint256 requestId);

    /// @notice Closes the offering once the window has ended: allocates, mints, funds the deal's reserve and credits
    /// the proceeds to the issuer. Nothing is pushed to the issuer, so a stablecoin that refuses to pay it can never
    /// stop the close, and with it every refund.
    function close() external;

    /// @notice Pays the proceeds receiver (the issuer, the only caller) the proceeds credited at close.
    function withdrawProceeds() external returns (uint256 proceeds);

    /// @notice Pays the unallocated part of the controller's request to `receiver`.
    function refund(address receiver, address controller) external returns (uint256 assets);

    /// @notice The deal pauses or resumes subscriptions and claims.
    function setPaused(bool paused_) external;

    // The ERC-4626 surface comes from IERC7575: claims after close are `deposit`/`mint` (shares at par), previews
    // revert {AsyncPreviewUnsupported}, and redemption functions revert {RedemptionUnsupported} (tranche tokens are
    // repaid by the waterfall).

    // Offering views

    /// @notice Unallocated part of the controller's request, refundable after close.
    function refundable(address controller) external view returns (uint256);

    /// @notice Sum of every request.
    function totalRequested() external view returns (uint256);

    /// @notice Amount accepted at close (0 before close or when the minimum raise was missed).
    function accepted() external view returns (uint256);

    /// @notice Whether the offering closed, and whether it failed its minimum raise.
    function closed() external view returns (bool isClosed, bool failed);

    /// @notice Proceeds credited to the issuer at close and not yet withdrawn.
    function proceedsOwed() external view returns (uint256);

    function config() external view returns (Config memory);
}
