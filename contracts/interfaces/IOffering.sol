// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";

import {IERC7540Deposit, IERC7540Operator, IERC7575} from "./IERC7540.sol";

/// @title IOffering
/// @notice Primary sale of one tranche as an ERC-7540 asynchronous deposit vault (ERC-7575 share = the tranche
/// token). Requests are taken while the window is open; anyone closes the offering after the window. At close the
/// accepted amount is min(requested, cap), or zero when the minimum raise was missed. Each controller's allocation
/// is its pro-rata share, rounded so that allocations sum exactly to the accepted amount (cumulative rounding in
/// claim order; any two controllers' allocations differ from the exact pro-rata by less than one unit), and the
/// rest of its request is refundable. Tokens are sold at par: one share per stablecoin unit.
interface IOffering is IERC7540Deposit, IERC7540Operator, IERC7575, IERC165 {
    /// @notice ERC-4626 claim event: `sender` is the controller, `owner` the receiver of the shares.
    event Deposit(address indexed sender, address indexed owner, uint256 assets, uint256 shares);

    /// @notice The offering closed: `accepted` of `requested` became shares; `proceeds` went to the issuer and
    /// `reserveFunding` to the deal's reserve. `failed` when the minimum raise was missed.
    event OfferingClosed(uint256 requested, uint256 accepted, uint256 proceeds, uint256 reserveFunding, bool failed);

    /// @notice `assets` of the controller's request that were not allocated went back to `receiver`.
    event Refunded(address indexed controller, address indexed receiver, uint256 assets);

    /// @notice Subscriptions and claims were paused or resumed by the deal.
    event PauseSet(bool paused);

    /// @notice Requests are taken from `opensAt` until `closesAt`.
    error OfferingNotOpen(uint64 opensAt, uint64 closesAt);

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

    /// @notice Only request id 0 exists: requests are fungible per controller.
    error UnknownRequest(uint256 requestId);

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

    /// @notice Parameters of the offering.
    struct Config {
        address deal;
        address asset;
        address share;
        address proceedsReceiver;
        uint8 trancheIndex;
        uint64 opensAt;
        uint64 closesAt;
        uint128 cap;
        uint128 minRaise;
        uint128 minTicket;
        uint16 reserveFundingBps;
    }

    /// @notice Called once by the factory.
    function initialize(Config calldata config) external;

    /// @notice Requests a deposit of `assets` pulled from the caller after an EIP-2612 permit.
    function requestDepositWithPermit(
        uint256 assets,
        address controller,
        uint256 deadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external returns (uint256 requestId);

    /// @notice Closes the offering once the window has ended: allocates, mints, pays proceeds.
    function close() external;

    /// @notice Pays the unallocated part of the controller's request to `receiver`.
    function refund(address receiver, address controller) external returns (uint256 assets);

    /// @notice The deal pauses or resumes subscriptions and claims.
    function setPaused(bool paused_) external;

    // ERC-4626 surface

    function asset() external view returns (address);

    function totalAssets() external view returns (uint256);

    function convertToShares(uint256 assets) external pure returns (uint256);

    function convertToAssets(uint256 shares) external pure returns (uint256);

    function maxDeposit(address controller) external view returns (uint256);

    function maxMint(address controller) external view returns (uint256);

    function previewDeposit(uint256 assets) external pure returns (uint256);

    function previewMint(uint256 shares) external pure returns (uint256);

    function deposit(uint256 assets, address receiver) external returns (uint256 shares);

    function deposit(uint256 assets, address receiver, address controller) external returns (uint256 shares);

    function mint(uint256 shares, address receiver) external returns (uint256 assets);

    function mint(uint256 shares, address receiver, address controller) external returns (uint256 assets);

    function maxWithdraw(address owner) external pure returns (uint256);

    function maxRedeem(address owner) external pure returns (uint256);

    function previewWithdraw(uint256 assets) external pure returns (uint256);

    function previewRedeem(uint256 shares) external pure returns (uint256);

    function withdraw(uint256 assets, address receiver, address owner) external returns (uint256);

    function redeem(uint256 shares, address receiver, address owner) external returns (uint256);

    // Offering views

    /// @notice Unallocated part of the controller's request, refundable after close.
    function refundable(address controller) external view returns (uint256);

    /// @notice Sum of every request.
    function totalRequested() external view returns (uint256);

    /// @notice Amount accepted at close (0 before close or when the minimum raise was missed).
    function accepted() external view returns (uint256);

    /// @notice Whether the offering closed, and whether it failed its minimum raise.
    function closed() external view returns (bool isClosed, bool failed);

    function config() external view returns (Config memory);
}
