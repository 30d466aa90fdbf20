// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ShortString} from "@openzeppelin/contracts/utils/ShortStrings.sol";

import {
    CouponTerms,
    CouponType,
    EquityTerms,
    EquityTier,
    EquityTierTerms,
    PrincipalTerms,
    PrincipalType,
    RiskMetric,
    RiskTerms,
    SiteTerms,
    TermSheet,
    TrancheKind,
    TrancheTerms,
    TriggerComparison,
    TriggerEffect,
    TriggerTerms
} from "../../contracts/interfaces/ICascadeTypes.sol";
import {IOffering} from "../../contracts/interfaces/IOffering.sol";
import {IRiskEngine} from "../../contracts/interfaces/IRiskEngine.sol";
import {ITrancheTokenBase} from "../../contracts/interfaces/ITrancheToken.sol";
import {CloneArgs} from "../../contracts/libraries/CloneArgs.sol";
import {DealArgs} from "../../contracts/libraries/DealArgs.sol";
import {EquityMath} from "../../contracts/libraries/EquityMath.sol";
import {EquityTierWord} from "../../contracts/libraries/EquityTierWord.sol";
import {EquityWaterfallArgs} from "../../contracts/libraries/EquityWaterfallArgs.sol";
import {OfferingArgs} from "../../contracts/libraries/OfferingArgs.sol";
import {RiskEngineArgs} from "../../contracts/libraries/RiskEngineArgs.sol";
import {TrancheTokenArgs} from "../../contracts/libraries/TrancheTokenArgs.sol";
import {TransferRules} from "../../contracts/libraries/TransferRules.sol";

import {Assertions} from "./utils/Assertions.sol";
import {TestBase} from "./utils/Vm.sol";

/// @dev Runs {CloneArgs} in a clone: each function reads the calling clone's own arguments.
contract CloneArgsHarness {
    /// @notice {CloneArgs.words} did not copy to the free memory pointer.
    error NotAtFreeMemory(uint256 ptr, uint256 free);

    function word(uint256 offset) external view returns (uint256) {
        return CloneArgs.word(offset);
    }

    /// @dev {CloneArgs.words}, returned as bytes (the copy and the free memory pointer's move are checked here).
    function words(uint256 offset, uint256 length) external view returns (bytes memory out, uint256 moved) {
        uint256 before;
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            before := mload(0x40)
        }
        uint256 ptr = CloneArgs.words(offset, length);
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            moved := sub(mload(0x40), before)
        }
        out = new bytes(length);
        for (uint256 i; i < length; ++i) {
            bytes1 b;
            // solhint-disable-next-line no-inline-assembly
            assembly ("memory-safe") {
                b := mload(add(ptr, i))
            }
            out[i] = b;
        }
        if (ptr != before) revert NotAtFreeMemory(ptr, before);
    }

    function slice(uint256 offset, uint256 length) external view returns (bytes memory) {
        return CloneArgs.slice(offset, length);
    }

    /// @dev The word after a slice's last byte up to its padding: zero when the padding is clean.
    function slicePadding(uint256 offset, uint256 length) external view returns (uint256 padding) {
        bytes memory s = CloneArgs.slice(offset, length);
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            padding := mload(add(add(s, 0x20), length))
        }
        // Only the bytes up to the next word boundary belong to the slice.
        uint256 kept = (32 - (length % 32)) % 32;
        padding = kept == 0 ? 0 : padding >> (256 - 8 * kept);
    }

    function all() external view returns (bytes memory) {
        return CloneArgs.all();
    }
}

/// @dev Exposes every {DealArgs} getter from a clone, and its encoder (called on the implementation, which it names as
/// the factory).
contract DealArgsHarness {
    function encode(
        TermSheet calldata t,
        address oracle_,
        address risk,
        address[] memory tokens,
        address[] memory offerings,
        uint256 noteCount,
        address equity_
    ) external view returns (bytes memory) {
        return DealArgs.encode(t, oracle_, risk, tokens, offerings, noteCount, equity_);
    }

    function factory() external view returns (address) {
        return DealArgs.factory();
    }

    function site() external view returns (address, uint256, uint256, uint256) {
        return DealArgs.site();
    }

    function addresses() external view returns (address[6] memory a) {
        a = [
            DealArgs.stablecoin(),
            DealArgs.oracle(),
            DealArgs.riskEngine(),
            DealArgs.issuer(),
            DealArgs.servicer(),
            DealArgs.trustee()
        ];
    }

    function equity() external view returns (uint256 noteCount, address equity_) {
        return (DealArgs.noteCount(), DealArgs.equity());
    }

    function numbers() external view returns (uint256[9] memory n) {
        n = [
            uint256(DealArgs.start()),
            DealArgs.periodLength(),
            DealArgs.periodCount(),
            DealArgs.pledgedShareBps(),
            DealArgs.servicerFeeBps(),
            DealArgs.trancheCount(),
            DealArgs.trusteeFeePerPeriod(),
            DealArgs.reserveTarget(),
            DealArgs.keeperBounty()
        ];
    }

    function schedule() external view returns (uint256, uint256) {
        return DealArgs.schedule();
    }

    function tranche(
        uint256 index
    )
        external
        view
        returns (address token, address offering, TrancheKind kind, CouponTerms memory c, PrincipalTerms memory p)
    {
        (c, p) = DealArgs.terms(index);
        return (DealArgs.token(index), DealArgs.offering(index), DealArgs.kind(index), c, p);
    }
}

/// @dev Exposes every {TrancheTokenArgs} getter from a clone.
contract TrancheTokenArgsHarness {
    /// @notice Two getters of the same field disagree.
    error GettersDisagree();

    function encode(ITrancheTokenBase.Params memory p) external pure returns (bytes memory) {
        return TrancheTokenArgs.encode(p);
    }

    function params() external view returns (ITrancheTokenBase.Params memory) {
        return TrancheTokenArgs.params();
    }

    function single()
        external
        view
        returns (address deal, uint256 index, uint8 decimals, address stablecoin, address registry, bytes32[2] memory s)
    {
        (deal, index) = TrancheTokenArgs.dealAndIndex();
        if (deal != TrancheTokenArgs.deal() || index != TrancheTokenArgs.trancheIndex()) revert GettersDisagree();
        decimals = TrancheTokenArgs.decimals();
        stablecoin = TrancheTokenArgs.stablecoin();
        registry = TrancheTokenArgs.registry();
        s = [ShortString.unwrap(TrancheTokenArgs.name()), ShortString.unwrap(TrancheTokenArgs.symbol())];
    }

    function compliance()
        external
        view
        returns (address registry, uint256 rules, uint256[4] memory blocked, address stablecoin)
    {
        return TrancheTokenArgs.compliance();
    }
}

/// @dev Exposes every {RiskEngineArgs} getter from a clone.
contract RiskEngineArgsHarness {
    function encode(address deal_, RiskTerms calldata r, uint256 capacity) external pure returns (bytes memory) {
        return RiskEngineArgs.encode(deal_, r, capacity);
    }

    function deal() external view returns (address) {
        return RiskEngineArgs.deal();
    }

    function triggerCount() external view returns (uint256) {
        return RiskEngineArgs.triggerCount();
    }

    function config() external view returns (IRiskEngine.Config memory c, uint256 count) {
        return RiskEngineArgs.config();
    }

    function decodedConfig() external view returns (IRiskEngine.Config memory c, uint256 count) {
        return RiskEngineArgs.decodeConfig(RiskEngineArgs.args());
    }

    function readsFacility() external view returns (bool) {
        return RiskEngineArgs.readsFacility(RiskEngineArgs.args());
    }

    function trigger(uint256 i) external view returns (TriggerTerms memory t, TriggerEffect effect) {
        bytes memory args = RiskEngineArgs.args();
        return (
            RiskEngineArgs.unpackTrigger(RiskEngineArgs.triggerWord(args, i)),
            RiskEngineArgs.triggerEffect(args, i)
        );
    }
}

/// @dev Exposes every {OfferingArgs} getter from a clone.
contract OfferingArgsHarness {
    function encode(IOffering.Config memory c) external pure returns (bytes memory) {
        return OfferingArgs.encode(c);
    }

    function config() external view returns (IOffering.Config memory) {
        return OfferingArgs.config();
    }

    function single() external view returns (address deal, address asset) {
        return (OfferingArgs.deal(), OfferingArgs.asset());
    }
}

/// @dev Exposes every {EquityWaterfallArgs} getter from a clone.
contract EquityWaterfallArgsHarness {
    function encode(
        address deal_,
        address stablecoin_,
        uint64 start_,
        uint32 periodLength_,
        EquityTerms calldata e,
        address[] memory tokens,
        uint256 notes
    ) external pure returns (bytes memory) {
        return EquityWaterfallArgs.encode(deal_, stablecoin_, start_, periodLength_, e, tokens, notes);
    }

    function header()
        external
        view
        returns (address deal, address stablecoin, uint256 start, uint256 periodLength, uint256[3] memory counts)
    {
        (start, periodLength) = EquityWaterfallArgs.schedule();
        (counts[0], counts[1], counts[2]) = EquityWaterfallArgs.counts();
        return (EquityWaterfallArgs.deal(), EquityWaterfallArgs.stablecoin(), start, periodLength, counts);
    }

    function masks() external view returns (uint256 kept, uint256 hurdleCount, uint256[3] memory hurdleMasks) {
        (, , , kept, hurdleCount, hurdleMasks) = EquityWaterfallArgs.layout();
    }

    function token(uint256 j) external view returns (address) {
        return EquityWaterfallArgs.token(j);
    }

    function tiers(uint256 n, uint256 count) external view returns (EquityTierWord[] memory) {
        return EquityWaterfallArgs.tiers(n, count);
    }

    function tierWord(uint256 n, uint256 i) external view returns (EquityTierWord) {
        return EquityWaterfallArgs.tierWord(n, i);
    }
}

/*
 * Clone arguments: one reader (contracts/libraries/CloneArgs.sol) and five layouts, each encoded and read back
 * through a clone made by OpenZeppelin's Clones.cloneWithImmutableArgs, as DealFactory makes them.
 *
 * A1  CloneArgs.OFFSET is where OpenZeppelin's clone puts the arguments: CloneArgs.all() in a clone equals
 *     Clones.fetchCloneArgs(clone) and the clone's code from OFFSET on.
 * A2  word, words and slice read the bytes at any offset, zero past the end; words moves the free memory pointer
 *     by whole words; a slice's padding is clean.
 * A3  For every layout (DealArgs, TrancheTokenArgs, RiskEngineArgs, OfferingArgs, EquityWaterfallArgs) and random
 *     inputs bounded to each field's width, every getter reads back what encode wrote (an equity waterfall's tiers
 *     with ln(1 + hurdle) computed at encoding, and each hurdled split's index among them).
 */
contract CloneArgsTest is TestBase, Assertions {
    CloneArgsHarness internal cloneArgs;
    DealArgsHarness internal dealArgs;
    TrancheTokenArgsHarness internal tokenArgs;
    RiskEngineArgsHarness internal riskArgs;
    OfferingArgsHarness internal offeringArgs;
    EquityWaterfallArgsHarness internal waterfallArgs;

    struct DealHeader {
        address[6] addresses; // stablecoin, oracle, risk engine, issuer, servicer, trustee
        uint64 start;
        uint32 periodLength;
        uint16 periodCount;
        uint16 pledgedShareBps;
        uint16 servicerFeeBps;
        uint128 trusteeFeePerPeriod;
        uint128 reserveTarget;
        uint128 keeperBounty;
        uint8 noteCount;
        address equity;
    }

    struct DealTranche {
        address token;
        address offering;
        uint8 kind;
        uint8 couponType;
        uint8 scheduleType;
        uint16 amortStartPeriod;
        uint16 amortPeriods;
        uint64 baseRate;
        int64 slope;
        uint64 strike;
        uint64 floorRate;
        uint64 capRate;
    }

    struct Trigger {
        uint8 metric;
        uint8 comparison;
        uint8 effect;
        uint8 periods;
        bool cures;
        uint128 threshold;
    }

    function setUp() public {
        cloneArgs = new CloneArgsHarness();
        dealArgs = new DealArgsHarness();
        tokenArgs = new TrancheTokenArgsHarness();
        riskArgs = new RiskEngineArgsHarness();
        offeringArgs = new OfferingArgsHarness();
        waterfallArgs = new EquityWaterfallArgsHarness();
    }

    // ------------------------------------------------------------ CloneArgs

    /// A1
    function test_offset_isOpenZeppelinClonesArgumentsOffset() public {
        bytes memory args = hex"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f2021";
        address clone = Clones.cloneWithImmutableArgs(address(cloneArgs), args);
        assertEq(clone.code.length - args.length, CloneArgs.OFFSET, "A1: proxy length");
        assertEq(CloneArgs.OFFSET, 0x2d, "A1: 45-byte ERC-1167 proxy");
        _assertBytesEq(CloneArgsHarness(clone).all(), Clones.fetchCloneArgs(clone), "A1: all = fetchCloneArgs");
        assertEq(CloneArgsHarness(clone).word(0), uint256(bytes32(args)), "A1: first word");
    }

    /// A1
    function testFuzz_all_equalsFetchCloneArgs(bytes memory args) public {
        vm.assume(args.length <= 0x1000);
        address clone = Clones.cloneWithImmutableArgs(address(cloneArgs), args);
        bytes memory fetched = Clones.fetchCloneArgs(clone);
        _assertBytesEq(fetched, args, "A1: fetchCloneArgs");
        _assertBytesEq(CloneArgsHarness(clone).all(), fetched, "A1: all");
        _assertBytesEq(_slice(clone.code, CloneArgs.OFFSET, args.length), args, "A1: code from OFFSET");
    }

    /// A2
    function testFuzz_readers_readAnyOffset(bytes memory args, uint256 offset, uint256 length) public {
        vm.assume(args.length <= 0x400);
        offset = bound(offset, 0, args.length + 64);
        length = bound(length, 0, args.length + 96 - offset);
        CloneArgsHarness clone = CloneArgsHarness(Clones.cloneWithImmutableArgs(address(cloneArgs), args));
        assertEq(clone.word(offset), uint256(bytes32(_slice(args, offset, 32))), "A2: word");
        (bytes memory copied, uint256 moved) = clone.words(offset, length);
        _assertBytesEq(copied, _slice(args, offset, length), "A2: words");
        assertEq(moved, ((length + 31) / 32) * 32, "A2: words moves the free memory pointer by whole words");
        _assertBytesEq(clone.slice(offset, length), _slice(args, offset, length), "A2: slice");
        assertEq(clone.slicePadding(offset, length), 0, "A2: slice padding");
    }

    // ------------------------------------------------------------ DealArgs

    /// A3: DealArgs
    function testFuzz_dealArgs_roundTrip(
        DealHeader memory h,
        DealTranche[4] memory fuzzed,
        uint256 count,
        uint256 seed
    ) public {
        count = bound(count, 0, 12);
        TermSheet memory t;
        t.stablecoin = h.addresses[0];
        t.issuer = h.addresses[3];
        t.servicer = h.addresses[4];
        t.trustee = h.addresses[5];
        t.start = h.start;
        t.periodLength = h.periodLength;
        t.periodCount = h.periodCount;
        t.pledgedShareBps = h.pledgedShareBps;
        t.servicerFeeBps = h.servicerFeeBps;
        t.trusteeFeePerPeriod = h.trusteeFeePerPeriod;
        t.reserveTarget = h.reserveTarget;
        t.keeperBounty = h.keeperBounty;
        DealTranche[] memory tranches = new DealTranche[](count);
        address[] memory tokens = new address[](count);
        address[] memory offerings = new address[](count);
        t.tranches = new TrancheTerms[](count);
        for (uint256 i; i < count; ++i) {
            // The first four from the fuzzer (its edge values), the rest derived from the seed.
            DealTranche memory d = i < 4 ? fuzzed[i] : _derivedTranche(seed, i);
            d.kind = uint8(bound(d.kind, 0, 1));
            d.couponType = uint8(bound(d.couponType, 0, 1));
            d.scheduleType = uint8(bound(d.scheduleType, 0, 1));
            tranches[i] = d;
            tokens[i] = d.token;
            offerings[i] = d.offering;
            t.tranches[i].kind = TrancheKind(d.kind);
            t.tranches[i].coupon = CouponTerms({
                couponType: CouponType(d.couponType),
                baseRate: d.baseRate,
                slope: d.slope,
                strike: d.strike,
                floorRate: d.floorRate,
                capRate: d.capRate
            });
            t.tranches[i].principal = PrincipalTerms({
                scheduleType: PrincipalType(d.scheduleType),
                amortStartPeriod: d.amortStartPeriod,
                amortPeriods: d.amortPeriods
            });
        }
        bytes memory args = _encodeDeal(t, h, tokens, offerings);
        assertEq(
            args.length,
            DealArgs.HEADER_BYTES + count * DealArgs.TRANCHE_BYTES + DealArgs.TAIL_BYTES,
            "A3: deal args length"
        );
        DealArgsHarness clone = DealArgsHarness(Clones.cloneWithImmutableArgs(address(dealArgs), args));

        address[6] memory a = clone.addresses();
        for (uint256 i; i < 6; ++i) assertEq(a[i], h.addresses[i], "A3: deal address");
        uint256[9] memory n = clone.numbers();
        assertEq(n[0], h.start, "A3: start");
        assertEq(n[1], h.periodLength, "A3: periodLength");
        assertEq(n[2], h.periodCount, "A3: periodCount");
        assertEq(n[3], h.pledgedShareBps, "A3: pledgedShareBps");
        assertEq(n[4], h.servicerFeeBps, "A3: servicerFeeBps");
        assertEq(n[5], count, "A3: trancheCount");
        assertEq(n[6], h.trusteeFeePerPeriod, "A3: trusteeFeePerPeriod");
        assertEq(n[7], h.reserveTarget, "A3: reserveTarget");
        assertEq(n[8], h.keeperBounty, "A3: keeperBounty");
        (uint256 start, uint256 periodLength) = clone.schedule();
        assertEq(start, h.start, "A3: schedule start");
        assertEq(periodLength, h.periodLength, "A3: schedule periodLength");
        _assertEquity(clone, h);
        for (uint256 i; i < count; ++i) _assertTranche(clone, i, tranches[i]);
    }

    /// A3: DealArgs, the record after the tranches. The factory is the encoder's caller; without a site the getter
    /// reads nothing more and gives zeros.
    function testFuzz_dealArgs_siteRoundTrip(SiteTerms memory s, uint32 capacity, uint256 count) public {
        count = bound(count, 0, 12);
        TermSheet memory t;
        t.site = s;
        t.oracle.fleetGpus = capacity;
        t.tranches = new TrancheTerms[](count);
        address[] memory none = new address[](count);
        bytes memory args = dealArgs.encode(t, address(0), address(0), none, none, 0, address(0));
        DealArgsHarness clone = DealArgsHarness(Clones.cloneWithImmutableArgs(address(dealArgs), args));
        assertEq(clone.factory(), address(dealArgs), "A3: factory");
        (address site_, uint256 rentBps, uint256 rentPerUnit, uint256 capacity_) = clone.site();
        bool named = s.site != address(0);
        assertEq(site_, s.site, "A3: site");
        assertEq(rentBps, named ? s.rentBps : 0, "A3: rentBps");
        assertEq(rentPerUnit, named ? s.rentPerUnit : 0, "A3: rentPerUnit");
        assertEq(capacity_, named ? capacity : 0, "A3: capacity");
    }

    function _assertEquity(DealArgsHarness clone, DealHeader memory h) private view {
        (uint256 noteCount, address equity) = clone.equity();
        assertEq(noteCount, h.noteCount, "A3: noteCount");
        assertEq(equity, h.equity, "A3: equity");
    }

    function _encodeDeal(
        TermSheet memory t,
        DealHeader memory h,
        address[] memory tokens,
        address[] memory offerings
    ) private view returns (bytes memory) {
        return dealArgs.encode(t, h.addresses[1], h.addresses[2], tokens, offerings, h.noteCount, h.equity);
    }

    function _assertTranche(DealArgsHarness clone, uint256 i, DealTranche memory d) private view {
        (address token, address offering, TrancheKind kind, CouponTerms memory c, PrincipalTerms memory p) = clone
            .tranche(i);
        assertEq(token, d.token, "A3: token");
        assertEq(offering, d.offering, "A3: offering");
        assertEq(uint8(kind), d.kind, "A3: kind");
        assertEq(uint8(c.couponType), d.couponType, "A3: couponType");
        assertEq(uint8(p.scheduleType), d.scheduleType, "A3: scheduleType");
        assertEq(p.amortStartPeriod, d.amortStartPeriod, "A3: amortStartPeriod");
        assertEq(p.amortPeriods, d.amortPeriods, "A3: amortPeriods");
        assertEq(c.baseRate, d.baseRate, "A3: baseRate");
        assertEq(uint64(c.slope), uint64(d.slope), "A3: slope");
        assertEq(c.strike, d.strike, "A3: strike");
        assertEq(c.floorRate, d.floorRate, "A3: floorRate");
        assertEq(c.capRate, d.capRate, "A3: capRate");
    }

    function _derivedTranche(uint256 seed, uint256 i) private pure returns (DealTranche memory d) {
        uint256 r = uint256(keccak256(abi.encode(seed, i, 0)));
        uint256 s = uint256(keccak256(abi.encode(seed, i, 1)));
        d.token = address(uint160(r));
        d.offering = address(uint160(s));
        d.kind = uint8(r >> 160);
        d.couponType = uint8(r >> 168);
        d.scheduleType = uint8(r >> 176);
        d.amortStartPeriod = uint16(r >> 184);
        d.amortPeriods = uint16(r >> 200);
        d.baseRate = uint64(s >> 160);
        d.slope = int64(uint64(r >> 192));
        uint256 u = uint256(keccak256(abi.encode(seed, i, 2)));
        d.strike = uint64(u);
        d.floorRate = uint64(u >> 64);
        d.capRate = uint64(u >> 128);
    }

    // ------------------------------------------------------------ TrancheTokenArgs

    /// A3: TrancheTokenArgs
    function testFuzz_trancheTokenArgs_roundTrip(ITrancheTokenBase.Params memory p) public {
        p.rules.minHolding = uint128(bound(p.rules.minHolding, 0, type(uint96).max));
        bytes memory args = tokenArgs.encode(p);
        assertEq(args.length, TrancheTokenArgs.WORDS * 32, "A3: token args length");
        TrancheTokenArgsHarness clone = TrancheTokenArgsHarness(
            Clones.cloneWithImmutableArgs(address(tokenArgs), args)
        );

        ITrancheTokenBase.Params memory q = clone.params();
        assertEq(uint256(keccak256(abi.encode(q))), uint256(keccak256(abi.encode(p))), "A3: params");
        assertEq(q.deal, p.deal, "A3: deal");
        assertEq(q.rules.minHolding, p.rules.minHolding, "A3: minHolding");

        (address deal, uint256 index, uint8 decimals, address stablecoin, address registry, bytes32[2] memory s) = clone
            .single();
        assertEq(deal, p.deal, "A3: deal getter");
        assertEq(index, p.trancheIndex, "A3: trancheIndex getter");
        assertEq(decimals, p.decimals, "A3: decimals getter");
        assertEq(stablecoin, p.stablecoin, "A3: stablecoin getter");
        assertEq(registry, p.registry, "A3: registry getter");
        assertTrue(s[0] == p.name && s[1] == p.symbol, "A3: name and symbol getters");

        // The rule bits line up with TransferRules.pack.
        uint256 rules;
        uint256[4] memory blocked;
        (registry, rules, blocked, stablecoin) = clone.compliance();
        assertEq(registry, p.registry, "A3: compliance registry");
        assertEq(stablecoin, p.stablecoin, "A3: compliance stablecoin");
        assertEq(rules, TransferRules.pack(p.rules), "A3: compliance rules = TransferRules.pack");
        for (uint256 i; i < 4; ++i) assertEq(blocked[i], p.rules.blockedCountries[i], "A3: blocked countries");
    }

    function test_trancheTokenArgs_encode_minHoldingAbove96BitsReverts() public {
        ITrancheTokenBase.Params memory p;
        p.rules.minHolding = uint128(type(uint96).max) + 1;
        vm.expectRevert(
            abi.encodeWithSelector(SafeCast.SafeCastOverflowedUintDowncast.selector, 96, p.rules.minHolding)
        );
        tokenArgs.encode(p);
    }

    // ------------------------------------------------------------ RiskEngineArgs

    /// A3: RiskEngineArgs
    function testFuzz_riskEngineArgs_roundTrip(
        IRiskEngine.Config memory c,
        Trigger[4] memory fuzzed,
        uint256 count,
        uint256 seed
    ) public {
        count = bound(count, 0, 16);
        RiskTerms memory r;
        r.trailingPeriods = c.trailingPeriods;
        r.cleanUpBps = c.cleanUpBps;
        r.turbo = c.turbo;
        r.waiverVotingPeriod = c.waiverVotingPeriod;
        r.priceFeed.feed = c.priceFeed;
        r.priceFeed.decimals = c.feedDecimals;
        r.priceFeed.maxStaleness = c.maxStaleness;
        r.appraisalMaxAge = c.appraisalMaxAge;
        r.triggers = new TriggerTerms[](count);
        for (uint256 i; i < count; ++i) {
            // The first four from the fuzzer (its edge values), the rest derived from the seed.
            Trigger memory g = i < 4 ? fuzzed[i] : _derivedTrigger(seed, i);
            r.triggers[i] = TriggerTerms({
                metric: RiskMetric(bound(g.metric, 0, uint256(type(RiskMetric).max))),
                comparison: TriggerComparison(bound(g.comparison, 0, uint256(type(TriggerComparison).max))),
                effect: TriggerEffect(bound(g.effect, 0, uint256(type(TriggerEffect).max))),
                periods: g.periods,
                cures: g.cures,
                threshold: g.threshold
            });
        }
        bytes memory args = riskArgs.encode(c.deal, r, c.capacity);
        assertEq(args.length, RiskEngineArgs.CONFIG_BYTES + 32 * count, "A3: risk args length");
        RiskEngineArgsHarness clone = RiskEngineArgsHarness(Clones.cloneWithImmutableArgs(address(riskArgs), args));

        assertEq(clone.deal(), c.deal, "A3: deal getter");
        assertEq(clone.triggerCount(), count, "A3: triggerCount getter");
        (IRiskEngine.Config memory read, uint256 n) = clone.config();
        assertEq(uint256(keccak256(abi.encode(read))), uint256(keccak256(abi.encode(c))), "A3: config");
        assertEq(n, count, "A3: config trigger count");
        (read, n) = clone.decodedConfig();
        assertEq(
            uint256(keccak256(abi.encode(read))),
            uint256(keccak256(abi.encode(c))),
            "A3: config decoded from all arguments"
        );
        assertEq(n, count, "A3: decoded trigger count");
        bool readsFacility = c.appraisalMaxAge != 0;
        for (uint256 i; i < count; ++i) readsFacility = readsFacility || r.triggers[i].metric == RiskMetric.Pue;
        assertTrue(clone.readsFacility() == readsFacility, "A3: reads the facility outcome");
        for (uint256 i; i < count; ++i) {
            (TriggerTerms memory t, TriggerEffect effect) = clone.trigger(i);
            assertEq(uint256(keccak256(abi.encode(t))), uint256(keccak256(abi.encode(r.triggers[i]))), "A3: trigger");
            assertEq(uint8(effect), uint8(r.triggers[i].effect), "A3: trigger effect");
        }
    }

    function _derivedTrigger(uint256 seed, uint256 i) private pure returns (Trigger memory g) {
        uint256 r = uint256(keccak256(abi.encode(seed, i)));
        g.metric = uint8(r);
        g.comparison = uint8(r >> 8);
        g.effect = uint8(r >> 16);
        g.periods = uint8(r >> 24);
        g.cures = uint8(r >> 32) & 1 == 1;
        g.threshold = uint128(r >> 64);
    }

    // ------------------------------------------------------------ OfferingArgs

    /// A3: OfferingArgs
    function testFuzz_offeringArgs_roundTrip(IOffering.Config memory c) public {
        bytes memory args = offeringArgs.encode(c);
        assertEq(args.length, OfferingArgs.WORDS * 32, "A3: offering args length");
        OfferingArgsHarness clone = OfferingArgsHarness(Clones.cloneWithImmutableArgs(address(offeringArgs), args));
        IOffering.Config memory read = clone.config();
        assertEq(read.deal, c.deal, "A3: deal");
        assertEq(read.asset, c.asset, "A3: asset");
        assertEq(read.proceedsReceiver, c.proceedsReceiver, "A3: proceedsReceiver");
        assertEq(read.trancheIndex, c.trancheIndex, "A3: trancheIndex");
        assertEq(read.opensAt, c.opensAt, "A3: opensAt");
        assertEq(read.closesAt, c.closesAt, "A3: closesAt");
        assertEq(read.cap, c.cap, "A3: cap");
        assertEq(read.minRaise, c.minRaise, "A3: minRaise");
        assertEq(read.minTicket, c.minTicket, "A3: minTicket");
        assertEq(read.reserveFundingBps, c.reserveFundingBps, "A3: reserveFundingBps");
        (address deal, address asset) = clone.single();
        assertEq(deal, c.deal, "A3: deal getter");
        assertEq(asset, c.asset, "A3: asset getter");
    }

    // ------------------------------------------------------------ EquityWaterfallArgs

    /// @dev Fuzz input of a tier (the kind as a number: the fuzzer's out-of-range enums would not decode).
    struct RawTier {
        uint8 kind;
        uint8 classes;
        bool byRank;
        bool compounding;
        uint16 sponsorBps;
        uint16 targetBps;
        uint64 rate;
    }

    /// @dev Fuzz input of a waterfall's header.
    struct WaterfallHeader {
        address deal;
        address stablecoin;
        uint64 start;
        uint32 periodLength;
        uint8 sponsorClass;
        uint256 notes;
        uint256 classes;
        uint256 tierCount;
    }

    /// A3: EquityWaterfallArgs
    function testFuzz_equityWaterfallArgs_roundTrip(
        WaterfallHeader memory h,
        RawTier[8] memory fuzzed,
        address[8] memory tokens
    ) public {
        h.notes = bound(h.notes, 1, 6);
        h.classes = bound(h.classes, 2, 8 - h.notes);
        h.tierCount = bound(h.tierCount, 1, 8);
        EquityTerms memory e;
        e.sponsorClass = h.sponsorClass;
        e.tiers = new EquityTierTerms[](h.tierCount);
        for (uint256 i; i < h.tierCount; ++i) {
            RawTier memory r = fuzzed[i];
            e.tiers[i] = EquityTierTerms({
                kind: EquityTier(bound(r.kind, 0, 3)),
                classes: r.classes,
                byRank: r.byRank,
                compounding: r.compounding,
                sponsorBps: r.sponsorBps,
                targetBps: r.targetBps,
                rate: r.rate
            });
        }
        address[] memory all = new address[](h.notes + h.classes);
        for (uint256 i; i < all.length; ++i) all[i] = tokens[i];
        bytes memory args = waterfallArgs.encode(h.deal, h.stablecoin, h.start, h.periodLength, e, all, h.notes);
        assertEq(
            args.length,
            EquityWaterfallArgs.HEADER_BYTES + 32 * (h.classes + h.tierCount),
            "A3: waterfall args length"
        );
        EquityWaterfallArgsHarness clone = EquityWaterfallArgsHarness(
            Clones.cloneWithImmutableArgs(address(waterfallArgs), args)
        );
        _assertWaterfallHeader(clone, h);
        for (uint256 j; j < h.classes; ++j) assertEq(clone.token(j), all[h.notes + j], "A3: class token");
        _assertTiers(clone, e, h.classes);
    }

    function _assertWaterfallHeader(EquityWaterfallArgsHarness clone, WaterfallHeader memory h) private view {
        (address deal, address stablecoin, uint256 start, uint256 periodLength, uint256[3] memory counts) = clone
            .header();
        assertEq(deal, h.deal, "A3: deal");
        assertEq(stablecoin, h.stablecoin, "A3: stablecoin");
        assertEq(start, h.start, "A3: start");
        assertEq(periodLength, h.periodLength, "A3: periodLength");
        assertEq(counts[0], h.classes, "A3: classCount");
        assertEq(counts[1], h.sponsorClass, "A3: sponsorClass");
        assertEq(counts[2], h.tierCount, "A3: tierCount");
    }

    function _assertTiers(EquityWaterfallArgsHarness clone, EquityTerms memory e, uint256 classes) private view {
        EquityTierWord[] memory t = clone.tiers(classes, e.tiers.length);
        uint256 hurdles;
        uint256 kept;
        uint256[3] memory hurdleMasks;
        for (uint256 i; i < e.tiers.length; ++i) {
            EquityTierTerms memory x = e.tiers[i];
            EquityTierWord w = t[i];
            assertEq(EquityTierWord.unwrap(clone.tierWord(classes, i)), EquityTierWord.unwrap(w), "A3: tier word");
            assertEq(uint256(keccak256(abi.encode(w.terms()))), uint256(keccak256(abi.encode(x))), "A3: tier terms");
            bool hurdled = x.kind == EquityTier.Split && x.rate != 0;
            assertTrue(w.hurdled() == hurdled, "A3: hurdled");
            assertEq(w.lnRate(), hurdled ? EquityMath.lnWad(1e18 + uint256(x.rate)) : 0, "A3: lnRate");
            assertEq(w.hurdle(), hurdled ? hurdles : 0, "A3: hurdle index");
            if (x.kind == EquityTier.ReturnOfCapital || x.kind == EquityTier.PreferredReturn) kept |= x.classes;
            if (hurdled && hurdles < 3) hurdleMasks[hurdles] = x.classes;
            if (hurdled) ++hurdles;
        }
        (uint256 keptRead, uint256 hurdleCount, uint256[3] memory masksRead) = clone.masks();
        assertEq(keptRead, kept, "A3: kept classes");
        assertEq(hurdleCount, hurdles, "A3: hurdle count");
        for (uint256 k; k < 3; ++k) assertEq(masksRead[k], hurdleMasks[k], "A3: hurdle mask");
    }

    // ------------------------------------------------------------ helpers

    /// @dev `length` bytes of `b` from `offset`, zero past its end.
    function _slice(bytes memory b, uint256 offset, uint256 length) private pure returns (bytes memory s) {
        s = new bytes(length);
        for (uint256 i; i < length; ++i) {
            if (offset + i < b.length) s[i] = b[offset + i];
        }
    }

    function _assertBytesEq(bytes memory left, bytes memory right, string memory message) private pure {
        assertEq(left.length, right.length, string.concat(message, ": length"));
        assertEq(uint256(keccak256(left)), uint256(keccak256(right)), message);
    }
}
