// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {InvestorRecord, InvestorRecordLib} from "../compliance/InvestorRecord.sol";
import {TrancheAccount, TrancheAccountLib} from "./TrancheAccount.sol";

/// @title TransferRules
/// @notice The transfer restrictions of one tranche, checked ERC-1404 style: {check} returns a restriction code (0:
/// the transfer may go ahead) and {message} a sentence for each code. Pure: the token passes in the two packed
/// investor records (one `transferRecords` call to the registry), its rules and the balances it already read; no
/// storage, no loops.
///
/// Holding period. Each account keeps one fresh lot: `fresh` tokens whose holding period started at `freshSince`
/// and ends at `freshSince + minHoldingPeriod` (computed in 256 bits: a period of `type(uint32).max` never ends
/// before the token's 32-bit clocks do, in 2106). The rest of the balance is seasoned: past its holding period. A
/// transfer to another identity may take seasoned tokens only ({HOLDING_PERIOD}), so tokens received never lock
/// tokens already held. Receptions from another identity add to the lot ({mergeFresh}): when the lot has ended (or
/// is empty) the received tokens start a new one now; otherwise both merge into one lot whose start is the
/// balance-weighted mean of the two, rounded down. The weighted merge keeps both properties in O(1) when lots
/// overlap: what the holder may move at the reception stays movable (the merged lot holds exactly the fresh tokens
/// of both), and the received tokens are not freed at the reception (the merged start is after the old one, so
/// the lot's end is in the future). The lot's token-seconds of holding are kept: amount × remaining period is the
/// sum of the two lots'. A reception can therefore move the end of the older fresh tokens later, by a time
/// proportional to its share of the merged lot (a dust amount moves it by less than a second, which the rounding
/// drops), and release the received tokens before a full period, by the same token-seconds; it never touches
/// seasoned tokens.
///
/// Checks run in this order and the first failing one gives the code, so the codes are stable and tests can name
/// the exact cause:
///
///   1  PAUSED                      the token is paused
///   2  INSUFFICIENT_BALANCE        amount > sender balance
///   17 AMOUNT_FROZEN               amount > sender balance − the amount an agent froze (checked right after 2)
///   3  TOKENS_LOCKED               the sender's tokens are locked (waiver vote): now ≤ lockedUntil
///   4  SENDER_NOT_REGISTERED       the sender's wallet belongs to no identity
///   5  SENDER_FROZEN               the sender's identity or wallet is frozen
///   6  SENDER_KYC_EXPIRED          now ≥ the sender's KYC expiry
///   7  SENDER_COUNTRY_BLOCKED      the sender's country is blocked (or not a valid ISO code, 1 – 999)
///   8  SENDER_CLASS_NOT_ALLOWED    allowedClasses ≠ 0 and the sender has none of them
///   9–13                           the same five checks for the receiver
///   14 HOLDING_PERIOD              frozen + fresh > sender balance − amount, where fresh is the sender's fresh lot
///                                  still in its holding period ({freshTokens}); not between wallets of one identity
///   15 BELOW_MIN_HOLDING           the sender keeps a non-zero balance below minHolding, or the receiver ends
///                                  with less than minHolding
///   16 MAX_HOLDERS                 the receiver's identity is a new holder and the count of holding identities
///                                  after the transfer would exceed maxHolders (0: no limit)
library TransferRules {
    uint8 internal constant SUCCESS = 0;
    uint8 internal constant PAUSED = 1;
    uint8 internal constant INSUFFICIENT_BALANCE = 2;
    uint8 internal constant TOKENS_LOCKED = 3;
    uint8 internal constant SENDER_NOT_REGISTERED = 4;
    uint8 internal constant SENDER_FROZEN = 5;
    uint8 internal constant SENDER_KYC_EXPIRED = 6;
    uint8 internal constant SENDER_COUNTRY_BLOCKED = 7;
    uint8 internal constant SENDER_CLASS_NOT_ALLOWED = 8;
    uint8 internal constant RECEIVER_NOT_REGISTERED = 9;
    uint8 internal constant RECEIVER_FROZEN = 10;
    uint8 internal constant RECEIVER_KYC_EXPIRED = 11;
    uint8 internal constant RECEIVER_COUNTRY_BLOCKED = 12;
    uint8 internal constant RECEIVER_CLASS_NOT_ALLOWED = 13;
    uint8 internal constant HOLDING_PERIOD = 14;
    uint8 internal constant BELOW_MIN_HOLDING = 15;
    uint8 internal constant MAX_HOLDERS = 16;
    uint8 internal constant AMOUNT_FROZEN = 17;
    /// @notice The highest code {check} returns.
    uint8 internal constant LAST_CODE = 17;

    /// @dev Offset from a sender code (4 – 8) to the matching receiver code (9 – 13).
    uint8 private constant RECEIVER_OFFSET = 5;
    /// @dev Largest valid ISO 3166-1 numeric code.
    uint256 private constant MAX_COUNTRY = 999;

    /// @dev Fields of a held word ({checkPacked}, {packHeld}): the frozen amount in bits 0 – 127, the fresh-lot
    /// amount in bits 128 – 255.
    uint256 internal constant HELD_FRESH_SHIFT = 128;
    /// @dev Fields of a packed rules word ({pack}): allowedClasses in bits 0 – 15, then these.
    uint256 internal constant RULES_PERIOD_SHIFT = 16;
    uint256 internal constant RULES_MAX_HOLDERS_SHIFT = 48;
    uint256 internal constant RULES_MIN_HOLDING_SHIFT = 80;

    /// @notice The restrictions of one tranche.
    /// @param allowedClasses Investor classes allowed to hold: any-of mask over the registry's class flags; 0 allows
    /// any class.
    /// @param minHoldingPeriod Seconds a holder must keep tokens received from another identity before they may
    /// go to another identity (e.g. 365 days for restricted securities); 0: none. Any value is valid:
    /// `type(uint32).max` keeps every received token with its holder's identity while the token's 32-bit clocks
    /// run (until 2106).
    /// @param maxHolders Most identities (people, not wallets) that may hold the tranche; 0: no limit.
    /// @param minHolding Least non-zero balance a wallet may hold; 0: none.
    /// @param blockedCountries 1024-bit bitmap of blocked ISO 3166-1 numeric codes: country c is bit c % 256 of
    /// word c / 256.
    struct Rules {
        uint16 allowedClasses;
        uint32 minHoldingPeriod;
        uint32 maxHolders;
        uint128 minHolding;
        uint256[4] blockedCountries;
    }

    /// @notice What the token knows about a transfer, read from its own storage and the registry.
    /// @param fromRecord,toRecord The packed registry records of both wallets (`transferRecords`).
    /// @param fromBalance,toBalance Balances before the transfer.
    /// @param fromFrozen Part of the sender's balance an agent froze (0: none).
    /// @param fromFresh Tokens of the sender's fresh lot (0: none; see the library's notes on the holding period).
    /// @param fromFreshSince When the holding period of the sender's fresh lot started.
    /// @param fromLockedUntil Time until which the sender's tokens are locked (0: not locked).
    /// @param holders Identities holding the tranche before the transfer.
    /// @param receiverJoins The receiver's identity holds no tokens before the transfer.
    /// @param senderLeaves The sender's identity holds no tokens after the transfer (and is not the receiver's).
    struct Transfer {
        InvestorRecord fromRecord;
        InvestorRecord toRecord;
        uint256 amount;
        uint256 fromBalance;
        uint256 toBalance;
        uint256 fromFrozen;
        uint256 fromFresh;
        uint256 fromFreshSince;
        uint256 fromLockedUntil;
        uint256 holders;
        bool receiverJoins;
        bool senderLeaves;
        bool paused;
    }

    /// @notice The restriction code of transfer `t` under `rules` at time `nowTime`; {SUCCESS} when allowed.
    /// @dev Packs `t` and `rules` into words and runs {checkPacked}, the one implementation of the rules. The sender's
    /// balance must fit in 96 bits, its times in 32 and its frozen and fresh amounts in 128 (a token's widths):
    /// anything wider reverts.
    function check(Transfer memory t, Rules memory rules, uint256 nowTime) internal pure returns (uint8) {
        TrancheAccount fromAccount = TrancheAccountLib.pack(
            SafeCast.toUint96(t.fromBalance),
            SafeCast.toUint32(t.fromLockedUntil),
            SafeCast.toUint32(t.fromFreshSince)
        );
        return
            checkPacked(
                InvestorRecord.unwrap(t.fromRecord),
                InvestorRecord.unwrap(t.toRecord),
                fromAccount,
                t.toBalance,
                t.amount,
                packHeld(t.fromFrozen, t.fromFresh),
                t.paused,
                t.receiverJoins && !t.senderLeaves ? t.holders + 1 : 0,
                pack(rules),
                rules.blockedCountries,
                nowTime
            );
    }

    /// @notice The restriction code of a transfer given as words; {SUCCESS} when allowed. What a token runs on every
    /// transfer: no memory structs, every input is a word it already holds.
    /// @param fromRecord,toRecord The packed registry records of both wallets ({InvestorRecord}).
    /// @param fromAccount The sender's account word as the token holds it: balance, lock and fresh-lot clock are read
    /// ({TrancheAccount}); its cash fields are ignored.
    /// @param toBalance The receiver's balance before the transfer.
    /// @param amount The amount moved.
    /// @param fromHeld The sender's held amounts ({packHeld}): the part of its balance an agent froze (never more
    /// than the balance) and the tokens of its fresh lot (0: none, as a token without a holding period passes).
    /// @param paused The token is paused.
    /// @param holdersAfter The count of holding identities after the transfer when it adds one (the receiver's
    /// identity joins and the sender's does not leave); 0 when it adds none.
    /// @param rules The tranche's rules, packed by {pack}.
    /// @param blocked The blocked-countries bitmap ({Rules.blockedCountries}).
    function checkPacked(
        uint256 fromRecord,
        uint256 toRecord,
        TrancheAccount fromAccount,
        uint256 toBalance,
        uint256 amount,
        uint256 fromHeld,
        bool paused,
        uint256 holdersAfter,
        uint256 rules,
        uint256[4] memory blocked,
        uint256 nowTime
    ) internal pure returns (uint8 code) {
        if (paused) return PAUSED;
        uint256 fromBalance = fromAccount.balance();
        if (amount > fromBalance) return INSUFFICIENT_BALANCE;
        // amount ≤ fromBalance checked above, so the subtraction cannot wrap (and nothing here can overflow).
        unchecked {
            if (uint128(fromHeld) > fromBalance - amount) return AMOUNT_FROZEN;
        }
        if (fromAccount.lockedUntil() >= nowTime) return TOKENS_LOCKED;
        code = senderCode(fromRecord, rules, blocked, nowTime);
        if (code != SUCCESS) return code;
        code = receiverCode(toRecord, rules, blocked, nowTime);
        if (code != SUCCESS) return code;
        // Moving tokens between wallets of one identity changes no beneficial owner: no holding period. Otherwise
        // only seasoned tokens leave: what stays must cover the frozen and the fresh tokens.
        if (uint32(fromRecord) != uint32(toRecord) && fromHeld >> HELD_FRESH_SHIFT != 0) {
            uint256 fresh = freshTokens(
                fromHeld >> HELD_FRESH_SHIFT,
                fromAccount.freshSince(),
                fromBalance,
                uint32(rules >> RULES_PERIOD_SHIFT),
                nowTime
            );
            // The frozen amount is at most fromBalance − amount (checked above) and fresh at most fromBalance, both
            // below 2⁹⁶: neither the sum nor the difference can wrap.
            unchecked {
                if (uint128(fromHeld) + fresh > fromBalance - amount) return HOLDING_PERIOD;
            }
        }
        uint256 minHolding = uint128(rules >> RULES_MIN_HOLDING_SHIFT);
        if (minHolding != 0) {
            // amount ≤ fromBalance checked above.
            uint256 left;
            unchecked {
                left = fromBalance - amount;
            }
            if ((left != 0 && left < minHolding) || toBalance + amount < minHolding) return BELOW_MIN_HOLDING;
        }
        uint256 maxHolders = uint32(rules >> RULES_MAX_HOLDERS_SHIFT);
        if (maxHolders != 0 && holdersAfter > maxHolders) return MAX_HOLDERS;
        return SUCCESS;
    }

    /// @notice The tokens of a fresh lot of `fresh` tokens started at `since` still in their holding period of
    /// `period` seconds at `nowTime`, for an account holding `balance`: all of them (at most the balance) before
    /// `since + period`, none from then on. The end is computed in 256 bits, so no period wraps around.
    function freshTokens(
        uint256 fresh,
        uint32 since,
        uint256 balance,
        uint32 period,
        uint256 nowTime
    ) internal pure returns (uint256) {
        if (nowTime >= releasedAt(since, period)) return 0;
        return fresh < balance ? fresh : balance;
    }

    /// @notice When a fresh lot started at `since` leaves a holding period of `period` seconds: `since + period`,
    /// in 256 bits (two 32-bit terms: the sum neither wraps nor overflows).
    function releasedAt(uint32 since, uint32 period) internal pure returns (uint256) {
        unchecked {
            return uint256(since) + period;
        }
    }

    /// @notice The fresh lot after `amount` tokens whose holding period started at `amountSince` join a lot of
    /// `fresh` tokens started at `since` ({freshTokens} of the receiver: 0 when its lot has ended). An empty lot
    /// takes the received tokens' start; otherwise the start is the amount-weighted mean of both, rounded down (a
    /// reception of dust does not move it; it may free the lot up to a second early, never later).
    function mergeFresh(
        uint96 fresh,
        uint32 since,
        uint96 amount,
        uint32 amountSince
    ) internal pure returns (uint256 merged, uint32 sinceDown) {
        if (amount == 0) return (fresh, since);
        if (fresh == 0) return (amount, amountSince);
        // 96-bit amounts and 32-bit times: each product is below 2¹²⁸, the sums below 2¹²⁹, and the divisor is
        // not zero. The mean lies between the two starts, so it fits in 32 bits.
        unchecked {
            merged = uint256(fresh) + amount;
            sinceDown = uint32((uint256(fresh) * since + uint256(amount) * amountSince) / merged);
        }
    }

    /// @notice The held word of {checkPacked}: `frozen` in bits 0 – 127, `fresh` in bits 128 – 255. Both must fit
    /// in 128 bits (reverts otherwise).
    function packHeld(uint256 frozen, uint256 fresh) internal pure returns (uint256) {
        return uint256(SafeCast.toUint128(frozen)) | (uint256(SafeCast.toUint128(fresh)) << HELD_FRESH_SHIFT);
    }

    /// @notice `rules` packed in one word for {checkPacked}: allowedClasses (bits 0 – 15), minHoldingPeriod
    /// (16 – 47), maxHolders (48 – 79), minHolding (80 – 207).
    function pack(Rules memory rules) internal pure returns (uint256) {
        return
            uint256(rules.allowedClasses) |
            (uint256(rules.minHoldingPeriod) << RULES_PERIOD_SHIFT) |
            (uint256(rules.maxHolders) << RULES_MAX_HOLDERS_SHIFT) |
            (uint256(rules.minHolding) << RULES_MIN_HOLDING_SHIFT);
    }

    /// @notice The first failing sender check (codes 4 – 8) of `record`, or {SUCCESS}. Also what a token checks for
    /// a wallet that only sends (redemptions).
    function senderCode(InvestorRecord record, Rules memory rules, uint256 nowTime) internal pure returns (uint8) {
        return senderCode(InvestorRecord.unwrap(record), pack(rules), rules.blockedCountries, nowTime);
    }

    /// @notice The first failing receiver check (codes 9 – 13) of `record`, or {SUCCESS}. Also what a token checks
    /// when it delivers subscribed tokens to a wallet.
    function receiverCode(InvestorRecord record, Rules memory rules, uint256 nowTime) internal pure returns (uint8) {
        return receiverCode(InvestorRecord.unwrap(record), pack(rules), rules.blockedCountries, nowTime);
    }

    /// @notice {senderCode} of a raw record under packed rules ({pack}) and the blocked-countries bitmap.
    function senderCode(
        uint256 record,
        uint256 rules,
        uint256[4] memory blocked,
        uint256 nowTime
    ) internal pure returns (uint8) {
        if (record & InvestorRecordLib.IDENTITY_MASK == 0) return SENDER_NOT_REGISTERED;
        // Identity-frozen and wallet-frozen are adjacent bits.
        if ((record >> InvestorRecordLib.IDENTITY_FROZEN_SHIFT) & 3 != 0) return SENDER_FROZEN;
        if (uint40(record >> InvestorRecordLib.KYC_EXPIRY_SHIFT) <= nowTime) return SENDER_KYC_EXPIRED;
        if (isCountryBlocked(blocked, uint16(record >> InvestorRecordLib.COUNTRY_SHIFT))) {
            return SENDER_COUNTRY_BLOCKED;
        }
        uint256 allowed = uint16(rules);
        if (
            allowed != 0 && allowed & (record >> InvestorRecordLib.CLASSES_SHIFT) & InvestorRecordLib.CLASSES_MASK == 0
        ) {
            return SENDER_CLASS_NOT_ALLOWED;
        }
        return SUCCESS;
    }

    /// @notice {receiverCode} of a raw record under packed rules ({pack}) and the blocked-countries bitmap.
    function receiverCode(
        uint256 record,
        uint256 rules,
        uint256[4] memory blocked,
        uint256 nowTime
    ) internal pure returns (uint8 code) {
        code = senderCode(record, rules, blocked, nowTime);
        // Sender codes 4 – 8 map one to one onto receiver codes 9 – 13; the sum stays below 256.
        unchecked {
            if (code != SUCCESS) code += RECEIVER_OFFSET;
        }
    }

    /// @notice Whether `country` is blocked by `bitmap`. Codes outside 1 – 999 are never valid, so always blocked.
    function isCountryBlocked(uint256[4] memory bitmap, uint256 country) internal pure returns (bool blocked) {
        if (country == 0 || country > MAX_COUNTRY) return true;
        // country ≤ 999, so the word index country >> 8 is at most 3: inside the array, no bounds check needed.
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            blocked := and(shr(and(country, 0xff), mload(add(bitmap, shl(5, shr(8, country))))), 1)
        }
    }

    /// @notice Whether an investor with class flags `classes` may hold under the any-of mask `allowedClasses`.
    function isClassAllowed(uint16 allowedClasses, uint16 classes) internal pure returns (bool) {
        return allowedClasses == 0 || allowedClasses & classes != 0;
    }

    /// @notice `bitmap` with `country` (1 – 999) blocked or unblocked; for building {Rules}.
    function withCountry(
        uint256[4] memory bitmap,
        uint256 country,
        bool blocked
    ) internal pure returns (uint256[4] memory) {
        uint256 bit = uint256(1) << (country & 0xFF);
        uint256 word = (country >> 8) & 3;
        bitmap[word] = blocked ? bitmap[word] | bit : bitmap[word] & ~bit;
        return bitmap;
    }

    /// @notice A sentence describing restriction `code` (ERC-1404 `messageForTransferRestriction`).
    function message(uint8 code) internal pure returns (string memory) {
        if (code == SUCCESS) return "No restriction: the transfer is allowed.";
        if (code == PAUSED) return "Transfers of this tranche are paused.";
        if (code == INSUFFICIENT_BALANCE) return "The sender's balance is smaller than the amount.";
        if (code == TOKENS_LOCKED) return "The sender's tokens are locked by a waiver vote.";
        if (code == SENDER_NOT_REGISTERED) return "The sender is not a registered investor.";
        if (code == SENDER_FROZEN) return "The sender's account is frozen.";
        if (code == SENDER_KYC_EXPIRED) return "The sender's KYC has expired.";
        if (code == SENDER_COUNTRY_BLOCKED) return "The sender's country is not allowed for this tranche.";
        if (code == SENDER_CLASS_NOT_ALLOWED) return "The sender's investor class is not allowed for this tranche.";
        if (code == RECEIVER_NOT_REGISTERED) return "The receiver is not a registered investor.";
        if (code == RECEIVER_FROZEN) return "The receiver's account is frozen.";
        if (code == RECEIVER_KYC_EXPIRED) return "The receiver's KYC has expired.";
        if (code == RECEIVER_COUNTRY_BLOCKED) return "The receiver's country is not allowed for this tranche.";
        if (code == RECEIVER_CLASS_NOT_ALLOWED) {
            return "The receiver's investor class is not allowed for this tranche.";
        }
        if (code == HOLDING_PERIOD) return "The amount exceeds the sender's tokens past their minimum holding period.";
        if (code == BELOW_MIN_HOLDING) return "The transfer would leave a balance below the minimum holding.";
        if (code == MAX_HOLDERS) return "The tranche already has the maximum number of holders.";
        if (code == AMOUNT_FROZEN) return "The amount exceeds the sender's unfrozen balance.";
        return "Unknown restriction code.";
    }
}
