// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {
    CouponTerms,
    CouponType,
    PrincipalTerms,
    PrincipalType,
    TermSheet,
    TrancheKind,
    TrancheTerms
} from "../interfaces/ICascadeTypes.sol";
import {CloneArgs} from "./CloneArgs.sol";

/// @title DealArgs
/// @notice A deal's fixed terms as its clone's immutable arguments, tightly packed (big-endian, byte offsets into
/// the arguments), and their getters. Only what the deal itself needs of each tranche is encoded.
///
/// | bytes     | field               | meaning                                                        |
/// | --------- | ------------------- | -------------------------------------------------------------- |
/// | 0 – 19    | stablecoin          | the deal's cash token                                          |
/// | 20 – 39   | oracle              | the utilization oracle                                         |
/// | 40 – 59   | riskEngine          | the deal's risk engine                                         |
/// | 60 – 79   | issuer              |                                                                |
/// | 80 – 99   | servicer            |                                                                |
/// | 100 – 119 | trustee             |                                                                |
/// | 120 – 127 | start               | unix time period 0 starts (uint64)                             |
/// | 128 – 131 | periodLength        | seconds (uint32)                                               |
/// | 132 – 133 | periodCount         | uint16                                                         |
/// | 134 – 135 | pledgedShareBps     | uint16                                                         |
/// | 136 – 137 | servicerFeeBps      | uint16                                                         |
/// | 138       | trancheCount        | uint8                                                          |
/// | 139 – 154 | trusteeFeePerPeriod | uint128                                                        |
/// | 155 – 170 | reserveTarget       | uint128                                                        |
/// | 171 – 186 | keeperBounty        | uint128                                                        |
/// | 187       | noteCount           | uint8: the notes are tranches 0 – noteCount − 1, equity after  |
/// | 188 – 207 | equity              | who takes the residual: the equity token, or the equity waterfall |
/// | 208 –     | tranches            | `trancheCount` records of 87 bytes, by rank: tranche i at 208 + 87·i |
///
/// A tranche's record (byte offsets from its start):
///
/// | bytes   | field            | meaning                                              |
/// | ------- | ---------------- | ---------------------------------------------------- |
/// | 0 – 19  | token            | the tranche token                                    |
/// | 20 – 39 | offering         | the tranche's offering                               |
/// | 40      | kind             | {TrancheKind}                                        |
/// | 41      | couponType       | {CouponType}                                         |
/// | 42      | scheduleType     | {PrincipalType}                                      |
/// | 43 – 44 | amortStartPeriod | uint16                                               |
/// | 45 – 46 | amortPeriods     | uint16                                               |
/// | 47 – 54 | baseRate         | uint64                                               |
/// | 55 – 62 | slope            | int64, two's complement                              |
/// | 63 – 70 | strike           | uint64                                               |
/// | 71 – 78 | floorRate        | uint64                                               |
/// | 79 – 86 | capRate          | uint64                                               |
///
/// After the tranches, at T = 187 + 87 · `trancheCount`, the deal's factory and its site (a tenant deal's; zero
/// otherwise, see {SiteTerms}):
///
/// | bytes       | field       | meaning                                                     |
/// | ----------- | ----------- | ----------------------------------------------------------- |
/// | T + 0 – 19  | factory     | the factory that created the deal                           |
/// | T + 20 – 39 | site        | the site deal the tenant pays rent to (zero: no site)       |
/// | T + 40 – 41 | rentBps     | uint16: rent as a share of the period's reported revenue    |
/// | T + 42 – 57 | rentPerUnit | uint128: rent per unit of capacity per period               |
/// | T + 58 – 61 | capacity    | uint32: the deal's capacity (its oracle terms' `fleetGpus`) |
///
/// @dev Each getter is one EXTCODECOPY of the deal's own (warm) code ({CloneArgs.word}) instead of a storage read;
/// {terms} two, {schedule} one for two fields.
library DealArgs {
    uint256 private constant STABLECOIN = 0;
    uint256 private constant ORACLE = 20;
    uint256 private constant RISK_ENGINE = 40;
    uint256 private constant ISSUER = 60;
    uint256 private constant SERVICER = 80;
    uint256 private constant TRUSTEE = 100;
    uint256 private constant START = 120;
    uint256 private constant PERIOD_LENGTH = 128;
    uint256 private constant PERIOD_COUNT = 132;
    uint256 private constant PLEDGED_SHARE_BPS = 134;
    uint256 private constant SERVICER_FEE_BPS = 136;
    uint256 private constant TRANCHE_COUNT = 138;
    uint256 private constant TRUSTEE_FEE_PER_PERIOD = 139;
    uint256 private constant RESERVE_TARGET = 155;
    uint256 private constant KEEPER_BOUNTY = 171;
    uint256 private constant NOTE_COUNT = 187;
    uint256 private constant EQUITY = 188;
    /// @notice Bytes before the first tranche's record.
    uint256 internal constant HEADER_BYTES = 208;

    uint256 private constant TOKEN = 0;
    uint256 private constant OFFERING = 20;
    uint256 private constant KIND = 40;
    uint256 private constant FLOOR_RATE = 71;
    /// @notice Bytes of a tranche's record.
    uint256 internal constant TRANCHE_BYTES = 87;

    uint256 private constant FACTORY = 0;
    uint256 private constant SITE = 20;
    uint256 private constant RENT_PER_UNIT = 42;
    /// @notice Bytes of the record after the tranches.
    uint256 internal constant TAIL_BYTES = 62;

    /// @notice The clone arguments of a deal with terms `t`, its utilization oracle and risk engine, the tokens
    /// and offerings of its tranches (by rank), its `noteCount` notes and what takes its residual (`equity_`: the
    /// equity token, or the equity waterfall of a deal with several equity classes). The factory is the caller (this
    /// library runs in its code).
    function encode(
        TermSheet calldata t,
        address oracle_,
        address risk,
        address[] memory tokens,
        address[] memory offerings,
        uint256 noteCount_,
        address equity_
    ) internal view returns (bytes memory args) {
        args = bytes.concat(
            abi.encodePacked(t.stablecoin, oracle_, risk, t.issuer, t.servicer, t.trustee),
            abi.encodePacked(t.start, t.periodLength, t.periodCount, t.pledgedShareBps, t.servicerFeeBps),
            abi.encodePacked(uint8(t.tranches.length), t.trusteeFeePerPeriod, t.reserveTarget, t.keeperBounty),
            abi.encodePacked(uint8(noteCount_), equity_)
        );
        for (uint256 i; i < t.tranches.length; ++i) {
            args = bytes.concat(args, _tranche(t.tranches[i], tokens[i], offerings[i]));
        }
        args = bytes.concat(
            args,
            abi.encodePacked(address(this), t.site.site, t.site.rentBps, t.site.rentPerUnit, t.oracle.fleetGpus)
        );
    }

    function _tranche(TrancheTerms calldata tr, address token_, address offering_) private pure returns (bytes memory) {
        CouponTerms calldata c = tr.coupon;
        PrincipalTerms calldata p = tr.principal;
        return
            bytes.concat(
                abi.encodePacked(token_, offering_, tr.kind, c.couponType, p.scheduleType),
                abi.encodePacked(p.amortStartPeriod, p.amortPeriods, c.baseRate, c.slope, c.strike),
                abi.encodePacked(c.floorRate, c.capRate)
            );
    }

    function stablecoin() internal view returns (address) {
        return _address(STABLECOIN);
    }

    function oracle() internal view returns (address) {
        return _address(ORACLE);
    }

    function riskEngine() internal view returns (address) {
        return _address(RISK_ENGINE);
    }

    function issuer() internal view returns (address) {
        return _address(ISSUER);
    }

    function servicer() internal view returns (address) {
        return _address(SERVICER);
    }

    function trustee() internal view returns (address) {
        return _address(TRUSTEE);
    }

    function start() internal view returns (uint64) {
        return uint64(_uint(START, 64));
    }

    function periodLength() internal view returns (uint32) {
        return uint32(_uint(PERIOD_LENGTH, 32));
    }

    /// @notice Start and period length, from one word.
    function schedule() internal view returns (uint256 start_, uint256 periodLength_) {
        uint256 w = CloneArgs.word(START);
        start_ = uint64(w >> 192); // bytes 120 – 127
        periodLength_ = uint32(w >> 160); // bytes 128 – 131
    }

    function periodCount() internal view returns (uint256) {
        return _uint(PERIOD_COUNT, 16);
    }

    function pledgedShareBps() internal view returns (uint256) {
        return _uint(PLEDGED_SHARE_BPS, 16);
    }

    function servicerFeeBps() internal view returns (uint256) {
        return _uint(SERVICER_FEE_BPS, 16);
    }

    function trancheCount() internal view returns (uint256) {
        return _uint(TRANCHE_COUNT, 8);
    }

    function trusteeFeePerPeriod() internal view returns (uint256) {
        return _uint(TRUSTEE_FEE_PER_PERIOD, 128);
    }

    function reserveTarget() internal view returns (uint256) {
        return _uint(RESERVE_TARGET, 128);
    }

    function keeperBounty() internal view returns (uint256) {
        return _uint(KEEPER_BOUNTY, 128);
    }

    /// @notice The number of notes: tranches 0 – noteCount − 1; the equity classes follow.
    function noteCount() internal view returns (uint256) {
        return _uint(NOTE_COUNT, 8);
    }

    /// @notice What takes the residual: the equity token, or the equity waterfall.
    function equity() internal view returns (address) {
        return _address(EQUITY);
    }

    /// @notice Token of tranche `index` (not checked against the tranche count).
    function token(uint256 index) internal view returns (address) {
        return _address(_trancheAt(index) + TOKEN);
    }

    /// @notice Offering of tranche `index` (not checked against the tranche count).
    function offering(uint256 index) internal view returns (address) {
        return _address(_trancheAt(index) + OFFERING);
    }

    /// @notice Kind of tranche `index`.
    function kind(uint256 index) internal view returns (TrancheKind) {
        return TrancheKind(_uint(_trancheAt(index) + KIND, 8));
    }

    /// @notice Coupon terms and principal schedule of tranche `index`, from two words: the first read at `kind`
    /// holds every field up to the strike (byte k of the word is the record's byte 40 + k), the second read at
    /// `floorRate` the floor and the cap.
    function terms(uint256 index) internal view returns (CouponTerms memory c, PrincipalTerms memory p) {
        uint256 base = _trancheAt(index);
        uint256 w = CloneArgs.word(base + KIND);
        c.couponType = CouponType(uint8(w >> 240)); // byte 41
        p.scheduleType = PrincipalType(uint8(w >> 232)); // byte 42
        p.amortStartPeriod = uint16(w >> 216); // bytes 43 – 44
        p.amortPeriods = uint16(w >> 200); // bytes 45 – 46
        c.baseRate = uint64(w >> 136); // bytes 47 – 54
        c.slope = int64(uint64(w >> 72)); // bytes 55 – 62
        c.strike = uint64(w >> 8); // bytes 63 – 70
        w = CloneArgs.word(base + FLOOR_RATE);
        c.floorRate = uint64(w >> 192); // bytes 71 – 78
        c.capRate = uint64(w >> 128); // bytes 79 – 86
    }

    /// @notice The factory that created the deal.
    function factory() internal view returns (address) {
        return _address(_tail() + FACTORY);
    }

    /// @notice The deal's site and rent (all zero without a site), from one word, and a second one with a site.
    function site() internal view returns (address site_, uint256 rentBps, uint256 rentPerUnit, uint256 capacity) {
        uint256 tail = _tail();
        uint256 w = CloneArgs.word(tail + SITE);
        site_ = address(uint160(w >> 96)); // bytes T + 20 – 39
        if (site_ != address(0)) {
            rentBps = uint16(w >> 80); // bytes T + 40 – 41
            w = CloneArgs.word(tail + RENT_PER_UNIT);
            rentPerUnit = uint128(w >> 128); // bytes T + 42 – 57
            capacity = uint32(w >> 96); // bytes T + 58 – 61
        }
    }

    /// @dev Start of the record after the tranches.
    function _tail() private view returns (uint256) {
        return _trancheAt(trancheCount());
    }

    /// @dev Start of tranche `index`'s record.
    function _trancheAt(uint256 index) private pure returns (uint256) {
        return HEADER_BYTES + index * TRANCHE_BYTES;
    }

    /// @dev The `bits`-bit unsigned field at byte `offset`.
    function _uint(uint256 offset, uint256 bits) private view returns (uint256) {
        return CloneArgs.word(offset) >> (256 - bits);
    }

    /// @dev The address at byte `offset`.
    function _address(uint256 offset) private view returns (address) {
        return address(uint160(CloneArgs.word(offset) >> 96));
    }
}
