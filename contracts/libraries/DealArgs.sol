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

/// @title DealArgs
/// @notice A deal's fixed terms as its clone's immutable arguments, tightly packed:
/// [stablecoin, oracle, risk engine, issuer, servicer, trustee: 20 bytes each][start: 8][period length: 4]
/// [period count: 2][pledged share bps: 2][servicer fee bps: 2][tranche count: 1][trustee fee per period: 16]
/// [reserve target: 16][keeper bounty: 16], then per tranche [token: 20][offering: 20][kind: 1][coupon type: 1]
/// [schedule type: 1][amortization start: 2][amortization periods: 2][base rate: 8][slope: 8][strike: 8]
/// [floor rate: 8][cap rate: 8]. Only what the deal itself needs of each tranche is encoded.
/// @dev The deal reads a field with one EXTCODECOPY of its own (warm) code instead of a storage read.
library DealArgs {
    uint256 internal constant STABLECOIN = 0;
    uint256 internal constant ORACLE = 20;
    uint256 internal constant RISK_ENGINE = 40;
    uint256 internal constant ISSUER = 60;
    uint256 internal constant SERVICER = 80;
    uint256 internal constant TRUSTEE = 100;
    uint256 internal constant START = 120;
    uint256 internal constant PERIOD_LENGTH = 128;
    uint256 internal constant PERIOD_COUNT = 132;
    uint256 internal constant PLEDGED_SHARE_BPS = 134;
    uint256 internal constant SERVICER_FEE_BPS = 136;
    uint256 internal constant TRANCHE_COUNT = 138;
    uint256 internal constant TRUSTEE_FEE_PER_PERIOD = 139;
    uint256 internal constant RESERVE_TARGET = 155;
    uint256 internal constant KEEPER_BOUNTY = 171;
    uint256 internal constant HEADER_BYTES = 187;

    uint256 internal constant TOKEN = 0;
    uint256 internal constant OFFERING = 20;
    uint256 internal constant KIND = 40;
    uint256 internal constant COUPON_TYPE = 41;
    uint256 internal constant SCHEDULE_TYPE = 42;
    uint256 internal constant AMORT_START = 43;
    uint256 internal constant AMORT_PERIODS = 45;
    uint256 internal constant BASE_RATE = 47;
    uint256 internal constant SLOPE = 55;
    uint256 internal constant STRIKE = 63;
    uint256 internal constant FLOOR_RATE = 71;
    uint256 internal constant CAP_RATE = 79;
    uint256 internal constant TRANCHE_BYTES = 87;

    /// @dev Offset of a clone's immutable arguments in its code (OpenZeppelin {Clones}).
    uint256 private constant _ARGS_OFFSET = 0x2d;

    /// @notice The clone arguments of a deal.
    function encode(
        TermSheet calldata t,
        address oracle,
        address risk,
        address[] memory tokens,
        address[] memory offerings
    ) internal pure returns (bytes memory args) {
        args = bytes.concat(
            abi.encodePacked(t.stablecoin, oracle, risk, t.issuer, t.servicer, t.trustee),
            abi.encodePacked(t.start, t.periodLength, t.periodCount, t.pledgedShareBps, t.servicerFeeBps),
            abi.encodePacked(uint8(t.tranches.length), t.trusteeFeePerPeriod, t.reserveTarget, t.keeperBounty)
        );
        for (uint256 i; i < t.tranches.length; ++i) {
            args = bytes.concat(args, _tranche(t.tranches[i], tokens[i], offerings[i]));
        }
    }

    function _tranche(TrancheTerms calldata tr, address token, address offering) private pure returns (bytes memory) {
        CouponTerms calldata c = tr.coupon;
        PrincipalTerms calldata p = tr.principal;
        return
            bytes.concat(
                abi.encodePacked(token, offering, tr.kind, c.couponType, p.scheduleType),
                abi.encodePacked(p.amortStartPeriod, p.amortPeriods, c.baseRate, c.slope, c.strike),
                abi.encodePacked(c.floorRate, c.capRate)
            );
    }

    /// @notice The 32 bytes of the calling clone's arguments from `offset` (zero-padded past their end).
    function word(uint256 offset) internal view returns (uint256 w) {
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            extcodecopy(address(), 0, add(_ARGS_OFFSET, offset), 32)
            w := mload(0)
        }
    }

    /// @notice The `bits`-bit unsigned field at `offset`.
    function uintAt(uint256 offset, uint256 bits) internal view returns (uint256) {
        return word(offset) >> (256 - bits);
    }

    /// @notice The address at `offset`.
    function addressAt(uint256 offset) internal view returns (address) {
        return address(uint160(word(offset) >> 96));
    }

    /// @notice Offset of field `field` of tranche `index`.
    function trancheField(uint256 index, uint256 field) internal pure returns (uint256) {
        return HEADER_BYTES + index * TRANCHE_BYTES + field;
    }

    /// @notice Kind of tranche `index`.
    function kind(uint256 index) internal view returns (TrancheKind) {
        return TrancheKind(uintAt(trancheField(index, KIND), 8));
    }

    /// @notice Coupon terms and principal schedule of tranche `index`, from two words: the first read at `KIND`
    /// holds every field up to the strike (byte k of the word is the tranche's byte KIND + k), the second read at
    /// `FLOOR_RATE` the floor and the cap.
    function terms(uint256 index) internal view returns (CouponTerms memory c, PrincipalTerms memory p) {
        uint256 base = trancheField(index, 0);
        uint256 w = word(base + KIND);
        c.couponType = CouponType(uint8(w >> 240)); // byte 1
        p.scheduleType = PrincipalType(uint8(w >> 232)); // byte 2
        p.amortStartPeriod = uint16(w >> 216); // bytes 3-4
        p.amortPeriods = uint16(w >> 200); // bytes 5-6
        c.baseRate = uint64(w >> 136); // bytes 7-14
        c.slope = int64(uint64(w >> 72)); // bytes 15-22
        c.strike = uint64(w >> 8); // bytes 23-30
        w = word(base + FLOOR_RATE);
        c.floorRate = uint64(w >> 192);
        c.capRate = uint64(w >> 128);
    }

    /// @notice Start and period length, from one word.
    function schedule() internal view returns (uint256 start, uint256 periodLength) {
        uint256 w = word(START);
        start = uint64(w >> 192);
        periodLength = uint32(w >> 160);
    }
}
