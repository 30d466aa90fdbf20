// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";

/// @title ITrancheToken
/// @notice ERC-20 (+ EIP-2612 permit) share of one tranche. One token is one stablecoin unit of face at issue.
/// Coupons and principal are pulled: the deal sends a distribution's cash to the token and raises a cumulative
/// cash-per-token index; every balance change settles both accounts against that index first, so a distribution
/// costs the same for one holder or a hundred thousand.
/// @dev Rounding: the index rises by ⌊(amount·1e18 + remainder) / supply⌋ and the remainder is carried to the next
/// distribution; an account's accrual rounds down. Sub-wei rounding of accruals stays in the token as a solvency
/// buffer, so the token can always pay every claim.
interface ITrancheToken is IERC20Metadata, IERC20Permit {
    /// @notice Fixed parameters of a tranche token, held in its clone's immutable arguments. `name` and `symbol` are
    /// short strings (at most 31 bytes, OpenZeppelin ShortStrings encoding).
    struct Params {
        address deal;
        address stablecoin;
        uint8 trancheIndex;
        uint8 decimals;
        bytes32 name;
        bytes32 symbol;
    }

    /// @notice `amount` of cash arrived for the holders; the cash index is now `index`.
    event Distributed(uint256 amount, uint256 index);

    /// @notice `account` claimed `amount` of accrued cash, paid to `receiver`.
    event Claimed(address indexed account, address indexed receiver, uint256 amount);

    /// @notice The offering minted the tranche's `amount` tokens at close.
    event Issued(address indexed offering, uint256 amount);

    /// @notice Tokens and accrued cash moved from the offering to a subscriber who claimed them.
    event SharesDelivered(address indexed receiver, uint256 shares, uint256 accruedMoved);

    /// @notice Transfers and claims were paused or resumed by the deal.
    event PauseSet(bool paused);

    /// @notice `voter` voted on a waiver with `weight` tokens, which cannot leave the account before `until` passes.
    event VoteLocked(address indexed voter, uint256 weight, uint256 until);

    /// @notice Only the deal may call.
    error NotDeal(address caller);

    /// @notice Only the deal's risk engine locks votes.
    error NotRiskEngine(address caller);

    /// @notice `account` voted on a waiver; its tokens stay put until `until` has passed.
    error TokensLocked(address account, uint256 until);

    /// @notice Only the offering may call.
    error NotOffering(address caller);

    /// @notice The tranche was issued already.
    error AlreadyIssued();

    /// @notice Transfers and claims are paused.
    error TokenPaused();

    /// @notice There is nothing to claim.
    error NothingToClaim();

    /// @notice The cash index would exceed its storage width.
    error IndexOverflow();

    /// @notice EIP-2612 permit past its deadline.
    error ERC2612ExpiredSignature(uint256 deadline);

    /// @notice EIP-2612 permit signed by `signer` instead of `owner`.
    error ERC2612InvalidSigner(address signer, address owner);

    /// @notice The offering mints the tranche's supply to itself at close.
    function issue(uint256 amount) external;

    /// @notice The offering hands `shares` to a subscriber with the cash they accrued while held by the offering.
    function deliverShares(address receiver, uint256 shares) external;

    /// @notice The deal announces `amount` of cash it just transferred to this token.
    function distribute(uint256 amount) external;

    /// @notice The deal pauses or resumes transfers and claims.
    function setPaused(bool paused_) external;

    /// @notice Pays the caller's accrued cash to `receiver`.
    function claim(address receiver) external returns (uint256 amount);

    /// @notice Locks `voter`'s balance until `until` (risk engine, for a waiver vote) and returns it as vote weight.
    function lockForVote(address voter, uint64 until) external returns (uint256 weight);

    /// @notice Time until which `account`'s tokens cannot be transferred (0: never locked).
    function lockedUntil(address account) external view returns (uint256);

    /// @notice Cash `account` can claim now.
    function claimable(address account) external view returns (uint256);

    /// @notice Cumulative cash per token (scaled by 1e18) distributed since issue.
    function cashIndex() external view returns (uint256);

    /// @notice Outstanding face per token (WAD; 1e18 at issue): the bond factor.
    function factor() external view returns (uint256);

    /// @notice The token's fixed parameters.
    function params() external view returns (Params memory);

    function deal() external view returns (address);

    /// @notice The tranche's offering (read from the deal).
    function offering() external view returns (address);

    function stablecoin() external view returns (address);

    function trancheIndex() external view returns (uint256);

    function paused() external view returns (bool);
}
