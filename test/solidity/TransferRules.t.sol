// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

import {InvestorRecord, InvestorRecordLib} from "../../contracts/compliance/InvestorRecord.sol";
import {TransferRules} from "../../contracts/libraries/TransferRules.sol";

import {Assertions} from "./utils/Assertions.sol";
import {TestBase} from "./utils/Vm.sol";

/*
 * Properties of the transfer rules (contracts/libraries/TransferRules.sol) and of the packed investor record
 * (contracts/compliance/InvestorRecord.sol).
 *
 *   T1  check returns SUCCESS iff every rule passes; otherwise the code of the first failing rule in the documented
 *       order (paused, balance, lock, sender ×5, receiver ×5, holding period, minimum holding, maximum holders).
 *       The expected code is computed here from a table of independent failure flags, not from the library.
 *   T2  receiverCode(r) is senderCode(r) shifted from 4 – 8 to 9 – 13 (SUCCESS stays SUCCESS).
 *   T3  isCountryBlocked: after blocking one valid country in an empty bitmap, exactly that country of 1 – 999 is
 *       blocked; codes 0 and above 999 are always blocked; unblocking restores the empty bitmap.
 *   T4  Every code 0 – 17 has its own non-empty message; any other code gets the fallback.
 *   H1  freshTokens: the whole lot (at most the balance) before since + period, nothing from then on, with the end
 *       computed in 256 bits (no period wraps, up to type(uint32).max).
 *   H2  mergeFresh: an empty lot takes the received one; otherwise the amounts add and the start is the amount-
 *       weighted mean rounded down, between both starts; a reception of nothing changes nothing. Merging a reception
 *       into a running lot never lowers what the holder may move to another identity at that moment.
 *   R1  pack then unpack returns every field; withWalletCount / withWalletFrozen / withSharedAttributesOf change
 *       only their fields.
 */
contract TransferRulesTest is TestBase, Assertions {
    using TransferRules for TransferRules.Transfer;

    uint256 internal constant NOW = 1_700_000_000;
    /// @dev Countries the fuzzer draws from: both ends of each bitmap word, common codes, and invalid ones.
    uint256 internal constant COUNTRY_CHOICES = 12;

    function _country(uint256 i) internal pure returns (uint16) {
        uint16[COUNTRY_CHOICES] memory choices = [
            uint16(1),
            250,
            255,
            256,
            511,
            512,
            767,
            768,
            840,
            999,
            0, // invalid
            1000 // invalid
        ];
        return choices[i % COUNTRY_CHOICES];
    }

    struct Party {
        InvestorRecord record;
        bool registered;
        bool frozen;
        bool expired;
        uint256 countryIndex;
        uint16 classes;
    }

    function _party(uint256 seed) internal pure returns (Party memory p) {
        p.registered = seed % 8 != 0;
        uint32 identity = p.registered ? uint32(1 + ((seed >> 8) % 3)) : 0;
        uint256 frozenDraw = (seed >> 16) % 8;
        bool identityFrozen = frozenDraw == 1;
        bool walletFrozen = frozenDraw == 2;
        p.frozen = identityFrozen || walletFrozen;
        // KYC expiry within 100 s either side of now: expired at or before now.
        uint40 kycExpiry = uint40(NOW - 100 + ((seed >> 24) % 200));
        p.expired = kycExpiry <= NOW;
        p.countryIndex = (seed >> 32) % COUNTRY_CHOICES;
        p.classes = uint16((seed >> 48) % 8);
        if (p.registered) {
            p.record = InvestorRecordLib.pack(
                identity,
                kycExpiry,
                _country(p.countryIndex),
                p.classes,
                identityFrozen,
                walletFrozen,
                uint8(1 + ((seed >> 64) % 8))
            );
        } else {
            // An unregistered wallet's record is all zero in the registry; stray bits must not matter either.
            p.record = InvestorRecord.wrap((seed >> 32) << 32);
        }
    }

    /// @dev Rules whose blocked set is a random subset of the country choices; `blocked[i]` says whether choice i
    /// is blocked (invalid codes always are).
    function _rules(
        uint256 seed
    ) internal pure returns (TransferRules.Rules memory r, bool[COUNTRY_CHOICES] memory blocked) {
        r.allowedClasses = uint16(seed % 8);
        for (uint256 i; i < COUNTRY_CHOICES; ++i) {
            uint16 c = _country(i);
            bool valid = c != 0 && c <= 999;
            bool pick = (seed >> (8 + i)) & 1 == 1 && (seed >> (20 + i)) & 1 == 1;
            if (valid && pick) r.blockedCountries = TransferRules.withCountry(r.blockedCountries, c, true);
            blocked[i] = !valid || pick;
        }
        // Short periods, and now and then the longest ones (they must not wrap around a 32-bit sum).
        uint256 periodDraw = (seed >> 40) % 16;
        r.minHoldingPeriod =
            periodDraw == 0
                ? type(uint32).max
                : periodDraw == 1
                    ? uint32(80 * 365 days)
                    : uint32((seed >> 44) % 100);
        r.maxHolders = uint32((seed >> 56) % 4);
        r.minHolding = uint128((seed >> 64) % 40);
    }

    function _failures(
        Party memory from,
        Party memory to,
        TransferRules.Rules memory r,
        bool[COUNTRY_CHOICES] memory blocked,
        TransferRules.Transfer memory t
    ) internal pure returns (bool[18] memory f) {
        f[1] = t.paused;
        f[2] = t.amount > t.fromBalance;
        f[17] = !f[2] && t.fromFrozen > t.fromBalance - t.amount;
        f[3] = t.fromLockedUntil >= NOW;
        Party[2] memory parties = [from, to];
        for (uint256 side; side < 2; ++side) {
            Party memory p = parties[side];
            uint256 base = side == 0 ? 4 : 9;
            f[base] = !p.registered;
            f[base + 1] = p.frozen;
            f[base + 2] = p.expired;
            f[base + 3] = blocked[p.countryIndex];
            f[base + 4] = r.allowedClasses != 0 && (r.allowedClasses & p.classes) == 0;
        }
        if (!f[2] && from.record.identity() != to.record.identity()) {
            uint256 fresh = NOW < t.fromFreshSince + r.minHoldingPeriod ? Math.min(t.fromFresh, t.fromBalance) : 0;
            f[14] = t.fromFrozen + fresh > t.fromBalance - t.amount;
        }
        if (!f[2] && r.minHolding != 0) {
            uint256 left = t.fromBalance - t.amount;
            f[15] = (left > 0 && left < r.minHolding) || t.toBalance + t.amount < r.minHolding;
        }
        f[16] = r.maxHolders != 0 && t.receiverJoins && !t.senderLeaves && t.holders >= r.maxHolders;
    }

    /// T1
    function testFuzz_check(uint256 fromSeed, uint256 toSeed, uint256 rulesSeed, uint256 transferSeed) public pure {
        Party memory from = _party(fromSeed);
        Party memory to = _party(toSeed);
        (TransferRules.Rules memory r, bool[COUNTRY_CHOICES] memory blocked) = _rules(rulesSeed);
        TransferRules.Transfer memory t;
        t.fromRecord = from.record;
        t.toRecord = to.record;
        t.amount = transferSeed % 60;
        t.fromBalance = (transferSeed >> 8) % 80;
        t.toBalance = (transferSeed >> 16) % 80;
        t.fromFreshSince = NOW - ((transferSeed >> 24) % 150);
        // A fresh lot in half of the cases, now and then larger than the balance (the rules cap it).
        if ((transferSeed >> 59) & 1 == 1) t.fromFresh = (transferSeed >> 128) % (t.fromBalance + 10);
        t.fromLockedUntil = (transferSeed >> 32) % 4 == 0 ? NOW - 2 + ((transferSeed >> 40) % 4) : 0;
        t.holders = (transferSeed >> 48) % 5;
        t.receiverJoins = (transferSeed >> 56) & 1 == 1;
        t.senderLeaves = (transferSeed >> 57) & 1 == 1;
        t.paused = (transferSeed >> 58) % 16 == 0;
        // Frozen tokens, never more than the balance, in a quarter of the cases.
        if ((transferSeed >> 62) % 4 == 0) t.fromFrozen = (transferSeed >> 64) % (t.fromBalance + 1);

        bool[18] memory f = _failures(from, to, r, blocked, t);
        // The check order: AMOUNT_FROZEN (17) right after INSUFFICIENT_BALANCE (2).
        uint8[17] memory order = [1, 2, 17, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16];
        uint256 expected;
        for (uint256 k; k < order.length; ++k) {
            if (f[order[k]]) {
                expected = order[k];
                break;
            }
        }
        assertEq(t.check(r, NOW), expected, "T1: code");
    }

    /// T1: a transfer that passes every rule, with every rule switched on.
    function test_check_success() public pure {
        TransferRules.Rules memory r;
        r.allowedClasses = 3;
        r.blockedCountries = TransferRules.withCountry(r.blockedCountries, 408, true);
        r.minHoldingPeriod = 365 days;
        r.maxHolders = 2;
        r.minHolding = 10;
        TransferRules.Transfer memory t;
        t.fromRecord = InvestorRecordLib.pack(1, uint40(NOW + 1), 840, 1, false, false, 1);
        t.toRecord = InvestorRecordLib.pack(2, uint40(NOW + 1), 826, 2, false, false, 1);
        t.amount = 10;
        t.fromBalance = 20;
        t.fromFresh = 20;
        t.fromFreshSince = NOW - 365 days;
        t.fromLockedUntil = NOW - 1;
        t.holders = 2;
        t.receiverJoins = true;
        t.senderLeaves = false;
        // Two holders, a cap of two, and a third would join: MAX_HOLDERS…
        assertEq(t.check(r, NOW), TransferRules.MAX_HOLDERS, "T1: cap");
        // …unless the sender leaves at the same time.
        t.amount = 20;
        t.senderLeaves = true;
        assertEq(t.check(r, NOW), TransferRules.SUCCESS, "T1: success");
    }

    /// T1, code 14: only the seasoned tokens (balance − frozen − fresh) may go to another identity; a wallet of the
    /// same identity takes any of them.
    function test_check_holdingPeriod_seasonedTokensMove() public pure {
        TransferRules.Rules memory r;
        r.minHoldingPeriod = 30 days;
        TransferRules.Transfer memory t;
        t.fromRecord = InvestorRecordLib.pack(1, uint40(NOW + 10), 840, 1, false, false, 2);
        t.toRecord = InvestorRecordLib.pack(2, uint40(NOW + 10), 826, 2, false, false, 1);
        t.fromBalance = 100;
        t.fromFrozen = 10;
        t.fromFresh = 30;
        t.fromFreshSince = NOW - 30 days + 1;
        t.amount = 60;
        assertEq(t.check(r, NOW), TransferRules.SUCCESS, "seasoned 60 move");
        t.amount = 61;
        assertEq(t.check(r, NOW), TransferRules.HOLDING_PERIOD, "the 61st is fresh");
        // The frozen amount keeps its own code first.
        t.amount = 91;
        assertEq(t.check(r, NOW), TransferRules.AMOUNT_FROZEN, "frozen first");
        // Between wallets of one identity the holding period does not apply.
        t.toRecord = InvestorRecordLib.pack(1, uint40(NOW + 10), 840, 1, false, false, 2);
        t.amount = 90;
        assertEq(t.check(r, NOW), TransferRules.SUCCESS, "same identity");
        // At since + period the lot is released.
        t.toRecord = InvestorRecordLib.pack(2, uint40(NOW + 10), 826, 2, false, false, 1);
        assertEq(t.check(r, NOW + 1), TransferRules.SUCCESS, "released");
    }

    /// T1, code 14 with the longest periods: since + period is not taken modulo 2³². With the sum in 32 bits a
    /// period of type(uint32).max ends a second before it starts, and 80 years from 2027 end in 1970.
    function test_check_holdingPeriod_longPeriodsDoNotWrap() public pure {
        TransferRules.Rules memory r;
        TransferRules.Transfer memory t;
        t.fromRecord = InvestorRecordLib.pack(1, type(uint40).max, 840, 1, false, false, 1);
        t.toRecord = InvestorRecordLib.pack(2, type(uint40).max, 826, 2, false, false, 1);
        t.fromBalance = 100;
        t.fromFresh = 100;
        t.amount = 1;
        uint32 since = 1_800_000_000;
        t.fromFreshSince = since;
        r.minHoldingPeriod = type(uint32).max;
        assertEq(t.check(r, uint256(since) + 1), TransferRules.HOLDING_PERIOD, "max period, a second later");
        assertEq(t.check(r, type(uint32).max), TransferRules.HOLDING_PERIOD, "max period, in 2106");
        r.minHoldingPeriod = uint32(80 * 365 days);
        assertEq(t.check(r, uint256(since) + 1), TransferRules.HOLDING_PERIOD, "80 years, a second later");
        assertEq(t.check(r, uint256(since) + 80 * 365 days - 1), TransferRules.HOLDING_PERIOD, "80 years, last");
        assertEq(t.check(r, uint256(since) + 80 * 365 days), TransferRules.SUCCESS, "80 years, over");
        assertEq(TransferRules.freshTokens(100, since, 100, type(uint32).max, uint256(since) + 1), 100, "H1: max");
    }

    /// H1
    function testFuzz_freshTokens(
        uint96 fresh,
        uint96 balance,
        uint32 since,
        uint32 period,
        uint256 nowTime
    ) public pure {
        nowTime = bound(nowTime, since, uint256(since) + period + 10);
        uint256 got = TransferRules.freshTokens(fresh, since, balance, period, nowTime);
        assertEq(TransferRules.releasedAt(since, period), uint256(since) + period, "H1: end in 256 bits");
        uint256 expected = nowTime < uint256(since) + period ? Math.min(fresh, balance) : 0;
        assertEq(got, expected, "H1: fresh tokens");
    }

    /// H2
    function testFuzz_mergeFresh(uint96 fresh, uint32 since, uint96 amount, uint32 amountSince) public pure {
        (uint256 merged, uint256 mergedSince) = TransferRules.mergeFresh(fresh, since, amount, amountSince);
        if (amount == 0) {
            assertEq(merged, fresh, "H2: nothing received, amount");
            assertEq(mergedSince, since, "H2: nothing received, start");
            return;
        }
        if (fresh == 0) {
            assertEq(merged, amount, "H2: empty lot, amount");
            assertEq(mergedSince, amountSince, "H2: empty lot, start");
            return;
        }
        assertEq(merged, uint256(fresh) + amount, "H2: amounts add");
        uint256 weighted = uint256(fresh) * since + uint256(amount) * amountSince;
        assertEq(mergedSince, weighted / merged, "H2: weighted mean, rounded down");
        assertTrue(mergedSince >= Math.min(since, amountSince), "H2: start not before both");
        assertTrue(mergedSince <= Math.max(since, amountSince), "H2: start not after both");
    }

    /// H2: a reception from another identity now into a running lot (now < since + period) leaves what the holder
    /// may move to another identity (balance − frozen − fresh) where it was.
    function testFuzz_mergeFresh_keepsMovableAmount(
        uint96 fresh,
        uint32 since,
        uint96 amount,
        uint32 period,
        uint256 nowTime,
        uint96 balance,
        uint96 frozen
    ) public pure {
        period = uint32(bound(period, 1, type(uint32).max));
        // Clocks are 32-bit: now is at most type(uint32).max.
        nowTime = bound(nowTime, since, Math.min(uint256(since) + period - 1, type(uint32).max));
        amount = uint96(bound(amount, 0, type(uint96).max - uint256(fresh)));
        balance = uint96(bound(balance, fresh, type(uint96).max - uint256(amount)));
        frozen = uint96(bound(frozen, 0, balance - fresh));
        uint256 before = balance - frozen - TransferRules.freshTokens(fresh, since, balance, period, nowTime);
        uint256 running = TransferRules.freshTokens(fresh, since, balance, period, nowTime);
        (uint256 merged, uint256 mergedSince) = TransferRules.mergeFresh(
            uint96(running),
            since,
            amount,
            uint32(nowTime)
        );
        uint256 newBalance = uint256(balance) + amount;
        uint256 afterwards =
            newBalance - frozen - TransferRules.freshTokens(merged, uint32(mergedSince), newBalance, period, nowTime);
        assertEq(afterwards, before, "H2: movable amount kept");
        // And the received tokens are not released at the reception.
        if (amount != 0) assertTrue(nowTime < mergedSince + uint256(period), "H2: received tokens held");
    }

    /// T2
    function testFuzz_receiverCode(uint256 seed, uint256 rulesSeed) public pure {
        Party memory p = _party(seed);
        (TransferRules.Rules memory r, ) = _rules(rulesSeed);
        uint8 s = TransferRules.senderCode(p.record, r, NOW);
        uint8 rc = TransferRules.receiverCode(p.record, r, NOW);
        assertTrue(s == 0 || (s >= 4 && s <= 8), "T2: sender code range");
        assertEq(rc, s == 0 ? 0 : s + 5, "T2: receiver code");
    }

    /// T3
    function testFuzz_countryBitmap(uint256 country, uint256 probe) public pure {
        country = bound(country, 1, 999);
        probe = bound(probe, 0, 1100);
        uint256[4] memory bitmap;
        bitmap = TransferRules.withCountry(bitmap, country, true);
        bool expected = probe == country || probe == 0 || probe > 999;
        assertTrue(TransferRules.isCountryBlocked(bitmap, probe) == expected, "T3: probe");
        assertTrue(TransferRules.isCountryBlocked(bitmap, country), "T3: blocked");
        bitmap = TransferRules.withCountry(bitmap, country, false);
        for (uint256 w; w < 4; ++w) assertEq(bitmap[w], 0, "T3: unblock");
    }

    /// T3, exhaustively for one country per bitmap word.
    function test_countryBitmap_everyCountry() public pure {
        uint16[4] memory picks = [uint16(4), 276, 643, 999];
        for (uint256 k; k < 4; ++k) {
            uint256[4] memory bitmap;
            bitmap = TransferRules.withCountry(bitmap, picks[k], true);
            for (uint256 c = 1; c <= 999; ++c) {
                assertTrue(TransferRules.isCountryBlocked(bitmap, c) == (c == picks[k]), "T3: exhaustive");
            }
        }
    }

    /// T4
    function test_message_everyCode() public pure {
        string memory unknown = TransferRules.message(18);
        assertTrue(bytes(unknown).length > 0, "T4: fallback");
        assertTrue(keccak256(bytes(TransferRules.message(255))) == keccak256(bytes(unknown)), "T4: 255");
        bytes32[18] memory seen;
        for (uint8 code; code <= TransferRules.LAST_CODE; ++code) {
            bytes memory m = bytes(TransferRules.message(code));
            assertTrue(m.length > 0, "T4: empty");
            bytes32 h = keccak256(m);
            assertTrue(h != keccak256(bytes(unknown)), "T4: fallback for a known code");
            for (uint256 j; j < code; ++j) assertTrue(seen[j] != h, "T4: duplicate");
            seen[code] = h;
        }
    }

    /// R1
    function testFuzz_recordPacking(
        uint32 identity,
        uint40 kycExpiry,
        uint16 country,
        uint16 classes,
        bool identityFrozen,
        bool walletFrozen,
        uint8 walletCount,
        uint256 otherSeed
    ) public pure {
        walletCount = uint8(bound(walletCount, 0, 15));
        InvestorRecord r = InvestorRecordLib.pack(
            identity,
            kycExpiry,
            country,
            classes,
            identityFrozen,
            walletFrozen,
            walletCount
        );
        assertEq(r.identity(), identity, "R1: identity");
        assertTrue(r.isRegistered() == (identity != 0), "R1: registered");
        assertEq(r.kycExpiry(), kycExpiry, "R1: kyc");
        assertEq(r.country(), country, "R1: country");
        assertEq(r.classes(), classes, "R1: classes");
        assertTrue(r.identityFrozen() == identityFrozen, "R1: identity frozen");
        assertTrue(r.walletFrozen() == walletFrozen, "R1: wallet frozen");
        assertTrue(r.isFrozen() == (identityFrozen || walletFrozen), "R1: frozen");
        assertEq(r.walletCount(), walletCount, "R1: count");
        assertEq(InvestorRecord.unwrap(r) >> 110, 0, "R1: spare bits");

        uint8 newCount = uint8(otherSeed % 16);
        InvestorRecord c = r.withWalletCount(newCount);
        assertEq(c.walletCount(), newCount, "R1: withWalletCount");
        assertEq(InvestorRecord.unwrap(c.withWalletCount(walletCount)), InvestorRecord.unwrap(r), "R1: count only");

        InvestorRecord fz = r.withWalletFrozen(!walletFrozen);
        assertTrue(fz.walletFrozen() == !walletFrozen, "R1: withWalletFrozen");
        assertEq(InvestorRecord.unwrap(fz.withWalletFrozen(walletFrozen)), InvestorRecord.unwrap(r), "R1: frozen only");

        InvestorRecord source = InvestorRecordLib.pack(
            uint32(otherSeed >> 8),
            uint40(otherSeed >> 40),
            uint16(otherSeed >> 80),
            uint16(otherSeed >> 96),
            (otherSeed >> 112) & 1 == 1,
            (otherSeed >> 113) & 1 == 1,
            uint8((otherSeed >> 114) % 16)
        );
        InvestorRecord s = r.withSharedAttributesOf(source);
        assertEq(s.identity(), identity, "R1: shared keeps identity");
        assertTrue(s.walletFrozen() == walletFrozen, "R1: shared keeps wallet frozen");
        assertEq(s.walletCount(), walletCount, "R1: shared keeps count");
        assertEq(s.kycExpiry(), source.kycExpiry(), "R1: shared kyc");
        assertEq(s.country(), source.country(), "R1: shared country");
        assertEq(s.classes(), source.classes(), "R1: shared classes");
        assertTrue(s.identityFrozen() == source.identityFrozen(), "R1: shared identity frozen");
    }
}
