// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @notice One holder's position in a tranche token, packed in one word (one storage slot of the token): what every
/// transfer and claim reads and writes.
/// @dev Layout, from the least significant bit:
///
/// | bits      | field       | meaning                                                                          |
/// | --------- | ----------- | -------------------------------------------------------------------------------- |
/// | 0 – 95    | balance     | tokens held (the supply fits in 96 bits)                                         |
/// | 96 – 127  | lockedUntil | unix time until which the balance cannot leave (a waiver vote); 0: none          |
/// | 128 – 159 | freshSince  | start of the holding period of the fresh lot; 0: no lot (see `TrancheToken`)     |
/// | 160 – 254 | checkpoint  | cash index from which the balance accrues ({TrancheAccountLib.INDEX_MAX} bound)  |
/// | 255       | owed        | the account's accrued-cash slot may hold cash (a claim reads it only when set)    |
///
/// The cash pending on a position at index `I` is ⌊balance × (I − checkpoint) / 1e18⌋. The checkpoint need not be
/// an index the token has had: a settlement that changes the balance carries the cash accrued so far in it (see
/// {TrancheAccountLib.carry}).
type TrancheAccount is uint256;

using TrancheAccountLib for TrancheAccount global;

/// @notice Packs and unpacks {TrancheAccount}. Every getter is a shift and a mask.
library TrancheAccountLib {
    uint256 internal constant LOCKED_UNTIL_SHIFT = 96;
    uint256 internal constant FRESH_SINCE_SHIFT = 128;
    uint256 internal constant CHECKPOINT_SHIFT = 160;
    /// @dev The {owed} flag: bit 255, the top bit of the checkpoint field.
    uint256 internal constant OWED = 1 << 255;
    /// @dev Largest cash index and checkpoint: 95 bits, so neither ever reaches the {OWED} bit.
    uint256 internal constant INDEX_MAX = (1 << 95) - 1;
    /// @dev Scale of the cash index: cash per token unit × 1e18.
    uint256 internal constant INDEX_SCALE = 1e18;
    /// @dev Where a token's cash index starts (`TrancheToken` reports it as zero): the room below it lets a
    /// settlement carry a seller's accrued cash in its checkpoint ({carry}); the index grows by at most
    /// {INDEX_MAX} − INDEX_ORIGIN.
    uint256 internal constant INDEX_ORIGIN = 1 << 94;

    /// @dev The lock and fresh-lot clock bits (96 – 159).
    uint256 private constant CLOCKS_MASK = ((1 << 64) - 1) << LOCKED_UNTIL_SHIFT;
    /// @dev What a settlement keeps: the clocks and the {owed} flag.
    uint256 private constant KEEP_MASK = CLOCKS_MASK | OWED;
    uint256 private constant FRESH_SINCE_MASK = uint256(type(uint32).max) << FRESH_SINCE_SHIFT;

    /// @notice A position as the token creates it: `balance` accruing from `index`, no lock, no lot, nothing owed.
    function open(uint256 balance_, uint256 index) internal pure returns (TrancheAccount) {
        return TrancheAccount.wrap(balance_ | (index << CHECKPOINT_SHIFT));
    }

    function balance(TrancheAccount a) internal pure returns (uint256) {
        return uint96(TrancheAccount.unwrap(a));
    }

    function lockedUntil(TrancheAccount a) internal pure returns (uint32) {
        return uint32(TrancheAccount.unwrap(a) >> LOCKED_UNTIL_SHIFT);
    }

    function freshSince(TrancheAccount a) internal pure returns (uint32) {
        return uint32(TrancheAccount.unwrap(a) >> FRESH_SINCE_SHIFT);
    }

    function checkpoint(TrancheAccount a) internal pure returns (uint256) {
        return (TrancheAccount.unwrap(a) >> CHECKPOINT_SHIFT) & INDEX_MAX;
    }

    function owed(TrancheAccount a) internal pure returns (bool) {
        return TrancheAccount.unwrap(a) & OWED != 0;
    }

    /// @notice The unscaled cash pending at `index` (≥ the checkpoint: the index only grows): balance × (index −
    /// checkpoint), cash × 1e18. Below 2¹⁹², as balance < 2⁹⁶ and index < 2⁹⁵.
    function pendingScaled(TrancheAccount a, uint256 index) internal pure returns (uint256) {
        unchecked {
            return balance(a) * (index - checkpoint(a));
        }
    }

    /// @notice The cash pending at `index`, rounded down.
    function pendingDown(TrancheAccount a, uint256 index) internal pure returns (uint256) {
        return pendingScaled(a, index) / INDEX_SCALE;
    }

    /// @notice `a` with balance `balance_` (< 2⁹⁶, the supply's bound) accruing from `checkpoint_` (≤ {INDEX_MAX}),
    /// the {owed} flag set when `owed_` or already set; the lock and the fresh-lot clock stay.
    function settle(
        TrancheAccount a,
        uint256 balance_,
        uint256 checkpoint_,
        bool owed_
    ) internal pure returns (TrancheAccount) {
        return
            TrancheAccount.wrap(
                (TrancheAccount.unwrap(a) & KEEP_MASK) |
                    balance_ |
                    (checkpoint_ << CHECKPOINT_SHIFT) |
                    (owed_ ? OWED : 0)
            );
    }

    /// @notice `a` settled at `index` with balance `balance_`, the cash it accrued so far carried in its checkpoint:
    /// index − ⌊pending / balance⌋ with pending = balance × (index − checkpoint) before the change (cash × 1e18), so
    /// the new balance accrues at most what the old one had, short of it by less than `balance_` / 1e18 — under one
    /// cash unit, as carrying requires `balance_` ≤ 1e18. The lock, the fresh-lot clock and the {owed} flag stay.
    /// `ok` false when the cash cannot be carried: something pending and no balance to carry it, a balance above
    /// 1e18, or a checkpoint that would fall below zero; the caller then settles the cash elsewhere.
    function carry(TrancheAccount a, uint256 balance_, uint256 index) internal pure returns (TrancheAccount, bool ok) {
        uint256 held = balance(a);
        uint256 from = checkpoint(a);
        uint256 carried = TrancheAccount.unwrap(a) & KEEP_MASK;
        // One straight-line block, no branch: the transfer path runs it for both accounts. The product stays below
        // 2¹⁹¹ (a 96-bit balance, a 95-bit index at or above the checkpoint); `div` by a zero balance is zero in the
        // EVM, and that case is refused by the range check unless nothing is pending.
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            let scaled := mul(held, sub(index, from))
            let back := div(scaled, balance_)
            ok := or(iszero(scaled), and(lt(sub(balance_, 1), INDEX_SCALE), iszero(gt(back, index))))
            carried := or(or(carried, balance_), shl(CHECKPOINT_SHIFT, sub(index, back)))
        }
        return (TrancheAccount.wrap(carried), ok);
    }

    /// @notice `a` settled by a claim at `index`: accruing from it, nothing owed.
    function claimedAt(TrancheAccount a, uint256 index) internal pure returns (TrancheAccount) {
        return TrancheAccount.wrap(uint160(TrancheAccount.unwrap(a)) | (index << CHECKPOINT_SHIFT));
    }

    /// @notice Whether `a` is as a claim at `index` leaves it ({claimedAt}): nothing to write.
    function isClaimedAt(TrancheAccount a, uint256 index) internal pure returns (bool) {
        return TrancheAccount.unwrap(a) >> CHECKPOINT_SHIFT == index;
    }

    /// @notice `a` with its lock set to `until`.
    function withLockedUntil(TrancheAccount a, uint32 until) internal pure returns (TrancheAccount) {
        uint256 w = TrancheAccount.unwrap(a) & ~(uint256(type(uint32).max) << LOCKED_UNTIL_SHIFT);
        return TrancheAccount.wrap(w | (uint256(until) << LOCKED_UNTIL_SHIFT));
    }

    /// @notice `a` with its fresh lot started at `since`.
    function withFreshSince(TrancheAccount a, uint256 since) internal pure returns (TrancheAccount) {
        return TrancheAccount.wrap((TrancheAccount.unwrap(a) & ~FRESH_SINCE_MASK) | (since << FRESH_SINCE_SHIFT));
    }

    /// @notice A position of `balance_` with its lock and fresh-lot clock, accruing from zero: what
    /// {TransferRules.check} builds from its struct.
    function pack(uint256 balance_, uint32 lockedUntil_, uint32 freshSince_) internal pure returns (TrancheAccount) {
        return
            TrancheAccount.wrap(
                balance_ | (uint256(lockedUntil_) << LOCKED_UNTIL_SHIFT) | (uint256(freshSince_) << FRESH_SINCE_SHIFT)
            );
    }
}
