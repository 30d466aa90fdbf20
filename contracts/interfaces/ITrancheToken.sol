// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {IERC5267} from "@openzeppelin/contracts/interfaces/IERC5267.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";

import {TransferRules} from "../libraries/TransferRules.sol";

/// @title ITrancheTokenBase
/// @notice Types, events and errors of a tranche token, shared by its two contracts ({ITrancheTokenMain},
/// {ITrancheTokenExtension}); see {ITrancheToken}. ERC-20 failures are the ERC-6093 errors of {IERC20Errors}.
interface ITrancheTokenBase is IERC20Errors {
    /// @notice Fixed parameters of a tranche token, held in its clone's immutable arguments (packed, see
    /// {TrancheTokenArgs}). `name` and `symbol` are short strings (at most 31 bytes, OpenZeppelin ShortStrings
    /// encoding). `registry` is the issuer's investor registry (zero: unrestricted) and `rules` the tranche's
    /// transfer rules. `distributor` is who announces distributions ({ITrancheTokenMain.distribute}): the deal, or for
    /// the equity classes of a deal with an equity waterfall, the waterfall.
    struct Params {
        address deal;
        address stablecoin;
        uint8 trancheIndex;
        uint8 decimals;
        bytes32 name;
        bytes32 symbol;
        address registry;
        TransferRules.Rules rules;
        address distributor;
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

    /// @notice Compliance agent `agent` froze `amount` more of `account`'s balance; `frozen` is now frozen.
    event TokensFrozen(address indexed agent, address indexed account, uint256 amount, uint256 frozen);

    /// @notice `amount` of `account`'s frozen balance was released (by an agent, or by a forced transfer or wallet
    /// recovery that took the tokens); `frozen` remains frozen.
    event TokensUnfrozen(address indexed agent, address indexed account, uint256 amount, uint256 frozen);

    /// @notice Compliance agent `agent` moved `amount` from `from` to `to` (court order); a `Transfer` follows.
    event ForcedTransfer(address indexed agent, address indexed from, address indexed to, uint256 amount);

    /// @notice Compliance agent `agent` moved a lost wallet's position to `newWallet`: `balance` tokens (a `Transfer`
    /// follows), `accrued` unclaimed cash and `frozen` frozen tokens; the fresh lot and the vote lock go along.
    event WalletRecovered(
        address indexed agent,
        address indexed lostWallet,
        address indexed newWallet,
        uint256 balance,
        uint256 accrued,
        uint256 frozen
    );

    /// @notice The number of identities holding the tranche is now `holders` (kept only when it caps holders).
    event HoldersChanged(uint256 holders);

    /// @notice The transfer (or delivery) is refused with ERC-1404 restriction `code` ({TransferRules}).
    error TransferRestricted(uint8 code);

    /// @notice `account` may not claim now (restriction `code`, a sender code 4 – 8 of {TransferRules}); its cash
    /// stays accrued until it may.
    error ClaimRestricted(address account, uint8 code);

    /// @notice `voter` may not vote now (restriction `code`, a sender code 4 – 8 of {TransferRules}): a holder the
    /// tranche's rules would not let send cannot vote either.
    error VoteRestricted(address voter, uint8 code);

    /// @notice Only a compliance agent of the tranche's investor registry may call.
    error NotComplianceAgent(address caller);

    /// @notice Freezing `amount` more would freeze more than `account`'s balance `balance` (`frozen` frozen already).
    error FreezeExceedsBalance(address account, uint256 balance, uint256 frozen, uint256 amount);

    /// @notice Only `frozen` of `account`'s balance is frozen; `amount` cannot be released.
    error UnfreezeExceedsFrozen(address account, uint256 frozen, uint256 amount);

    /// @notice Zero amount.
    error ZeroAmount();

    /// @notice `wallet` holds neither tokens nor unclaimed cash: there is nothing to recover.
    error NothingToRecover(address wallet);

    /// @notice The offering's account holds subscribers' undelivered shares: agents cannot move or freeze it.
    error ProtectedAccount(address account);

    /// @notice A wallet cannot be recovered to itself.
    error SameWallet(address wallet);

    /// @notice Only the deal may call.
    error NotDeal(address caller);

    /// @notice Only the token's distributor (the deal, or the deal's equity waterfall) announces distributions.
    error NotDistributor(address caller);

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

    /// @notice `value` does not fit the `bits`-bit field that holds it (OpenZeppelin SafeCast): a supply above 2⁹⁶ − 1
    /// at issue, a vote lock past the 32-bit clock. Declared here so that callers can decode it.
    error SafeCastOverflowedUintDowncast(uint8 bits, uint256 value);

    /// @notice The stablecoin refused or failed a transfer of a claim (OpenZeppelin SafeERC20). Declared here so that
    /// callers can decode it.
    error SafeERC20FailedOperation(address token);
}

/// @title ITrancheTokenMain
/// @notice What a tranche token runs itself: ERC-20, the EIP-2612 permit, claims, issue, deliveries and distributions
/// (the calls of every transfer, subscription and period). See {ITrancheToken}.
interface ITrancheTokenMain is ITrancheTokenBase, IERC20Metadata {
    /// @notice EIP-2612: sets `value` as the allowance of `spender` over `owner`'s tokens, given `owner`'s signed
    /// approval (EIP-712, the domain of {ITrancheTokenExtension.eip712Domain}). Reverts {ERC2612ExpiredSignature} past
    /// `deadline` and {ERC2612InvalidSigner} unless `owner` signed it; each signature works once ({nonces}).
    function permit(
        address owner,
        address spender,
        uint256 value,
        uint256 deadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external;

    /// @notice The offering mints the tranche's supply to itself at close.
    function issue(uint256 amount) external;

    /// @notice The offering hands `shares` of `controller`'s allocation to `receiver`, with the cash they accrued
    /// while held by the offering. Under a registry the controller is screened as a sender (codes 4 – 8: it gives
    /// the allocation away as one), then the receiver as a receiver (9 – 13); a refusal reverts
    /// {TransferRestricted}. The shares join the receiver's fresh lot (see the holding period above).
    function deliverShares(address controller, address receiver, uint256 shares) external;

    /// @notice The distributor (the deal, or for an equity class of a deal with an equity waterfall, the waterfall)
    /// announces `amount` of cash it just transferred to this token.
    function distribute(uint256 amount) external;

    /// @notice Pays the caller's accrued cash to the caller.
    function claim() external returns (uint256 amount);
}

/// @title ITrancheTokenExtension
/// @notice What a tranche token hands to its extension (see `TrancheTokenExtension`): compliance-agent operations,
/// vote locks, pauses, claims to another address, EIP-2612 nonces and domain, EIP-5267, and views. Called on the
/// token like any other function. See {ITrancheToken}.
interface ITrancheTokenExtension is ITrancheTokenBase, IERC5267 {
    /// @notice EIP-2612: the current nonce of `owner`; a permit must be signed with it.
    function nonces(address owner) external view returns (uint256);

    /// @notice EIP-2612: the EIP-712 domain separator of permits (name, version "1", this chain, this token).
    // solhint-disable-next-line func-name-mixedcase
    function DOMAIN_SEPARATOR() external view returns (bytes32);

    /// @notice The deal pauses or resumes transfers and claims.
    function setPaused(bool paused_) external;

    /// @notice Pays the caller's accrued cash to `receiver`.
    function claimTo(address receiver) external returns (uint256 amount);

    /// @notice Locks `voter`'s balance until `until` (risk engine, for a waiver vote) and returns its vote weight: the
    /// balance less its frozen tokens, or zero when the balance is locked until `until` or later already (its tokens
    /// voted in this ballot). Reverts {VoteRestricted} for a holder the rules would not let send; a time beyond the
    /// 32-bit lock field reverts rather than wraps.
    function lockForVote(address voter, uint64 until) external returns (uint256 weight);

    /// @notice ERC-1404: the restriction code of transferring `amount` from `from` to `to` now (0: allowed).
    function detectTransferRestriction(address from, address to, uint256 amount) external view returns (uint8);

    /// @notice ERC-1404: a sentence for restriction `code`.
    function messageForTransferRestriction(uint8 code) external pure returns (string memory);

    /// @notice The restriction code that stops `account` claiming now (0: it may claim).
    function detectClaimRestriction(address account) external view returns (uint8);

    /// @notice Compliance agent: freezes `amount` more of `account`'s balance (it cannot be transferred).
    function freezeTokens(address account, uint256 amount) external;

    /// @notice Compliance agent: releases `amount` of `account`'s frozen balance.
    function unfreezeTokens(address account, uint256 amount) external;

    /// @notice Compliance agent: moves `amount` from `from` to `to` whatever the sender's eligibility, holding
    /// period or frozen tokens (vote locks still hold); `to` must be eligible. Both accounts are settled first.
    function forcedTransfer(address from, address to, uint256 amount) external;

    /// @notice Compliance agent: moves `lostWallet`'s whole position (balance, unclaimed cash, frozen tokens, fresh
    /// lot, vote lock) to `newWallet`, which must be eligible. The fresh lot merges into `newWallet`'s as a
    /// reception with its own clock; the later of the two vote locks holds.
    function recoverWallet(address lostWallet, address newWallet) external;

    /// @notice Part of `account`'s balance frozen by an agent.
    function frozenTokens(address account) external view returns (uint256);

    /// @notice The tokens of `account` still in their holding period now (they may not go to another identity;
    /// the rest of the balance may, frozen tokens aside) and when they are released (0 when `amount` is 0). Always
    /// (0, 0) for a tranche without a holding period.
    function freshTokens(address account) external view returns (uint256 amount, uint256 releasedAt);

    /// @notice Identities holding the tranche (kept only when the tranche caps holders; otherwise 0).
    function holders() external view returns (uint256);

    /// @notice The tranche's investor registry (zero: unrestricted).
    function registry() external view returns (address);

    /// @notice The tranche's transfer rules.
    function transferRules() external view returns (TransferRules.Rules memory);

    /// @notice Time until which `account`'s tokens cannot be transferred (0: never locked).
    function lockedUntil(address account) external view returns (uint256);

    /// @notice Cash `account` can claim now.
    function claimable(address account) external view returns (uint256);

    /// @notice Cumulative cash per token (scaled by 1e18) distributed since issue.
    function cashIndex() external view returns (uint256);

    /// @notice Everything distributed to the tranche's holders since issue: the sum of every {distribute} amount.
    function distributed() external view returns (uint256);

    /// @notice Who announces distributions: the deal, or the deal's equity waterfall for its equity classes.
    function distributor() external view returns (address);

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

    /// @notice The extension this token delegates to ({ITrancheTokenExtension}'s code, shared by every tranche).
    function extension() external view returns (address);
}

/// @title ITrancheToken
/// @notice ERC-20 (+ EIP-2612 permit) share of one tranche. One token is one stablecoin unit of face at issue.
/// Coupons and principal are pulled: the deal sends a distribution's cash to the token and raises a cumulative
/// cash-per-token index; every balance change settles both accounts against that index first, so a distribution
/// costs the same for one holder or a hundred thousand.
///
/// Compliance: a tranche with an investor registry checks both sides of every balance change against the registry
/// and its {TransferRules} (ERC-1404 style: {detectTransferRestriction}, {messageForTransferRestriction}) and refuses
/// with {TransferRestricted}. The registry's compliance agents may freeze part of a balance, force a transfer and
/// recover a lost wallet; coupons accrued before any of these stay with the wallet that earned them, and a wallet
/// that may not claim (frozen, KYC expired) keeps accruing until it may again. A tranche without a registry
/// (`registry` zero) has no transfer restrictions and no agent.
///
/// Holding period: under a tranche's `minHoldingPeriod`, tokens received from another identity (a transfer, a
/// forced transfer, an offering delivery) join the receiver's fresh lot ({freshTokens}) and may not go to another
/// identity before the lot's holding period ends; the rest of the balance is free of it, and a transfer to another
/// identity takes from that rest first and only ({TransferRules} code 14). A reception never locks tokens already
/// held: an ended lot is replaced by the received tokens, an unended one merges with them into one lot whose start
/// is the amount-weighted mean of both, rounded down (see {TransferRules} for what this keeps). Between wallets of
/// one identity no holding period applies: the sender's seasoned tokens move first, and fresh tokens that move
/// carry the sender's clock into the receiver's lot the same weighted way.
/// @dev Rounding: the index rises by ⌊(amount·1e18 + remainder) / supply⌋ and the remainder is carried to the next
/// distribution; an account's accrual rounds down. A balance change carries what the account accrued so far in its
/// checkpoint ({TrancheAccountLib.carry}: no extra storage write), short of the exact figure by less than
/// balance / 1e18 units — under one unit of the stablecoin, as only balances up to 1e18 carry, so a balance change
/// may cost the account's claim one unit, never more and never a gain; otherwise the accrual is settled, rounded
/// down, to the account's own slot. Every rounding is down, and the dust stays in the token as a
/// solvency buffer, so the token can always pay every claim.
/// @dev One address, two contracts: the token's own code runs {ITrancheTokenMain}; every other function reaches the
/// extension through the token's fallback (a delegate call: same storage, same `msg.sender`). The full interface is
/// this one: integrators, the SDK and auditors use it and never see the split.
interface ITrancheToken is ITrancheTokenMain, ITrancheTokenExtension {}
