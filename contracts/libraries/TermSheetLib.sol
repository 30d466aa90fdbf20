// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IDeal} from "../interfaces/IDeal.sol";
import {
    CouponType,
    EquityTerms,
    EquityTier,
    EquityTierTerms,
    PrincipalType,
    RiskTerms,
    SiteTerms,
    TermSheet,
    TrancheKind,
    TrancheTerms
} from "../interfaces/ICascadeTypes.sol";
import {EquityMath} from "./EquityMath.sol";
import {RiskTermsLib} from "./RiskTermsLib.sol";
import {TransferRules} from "./TransferRules.sol";
import {BPS, WAD} from "./Constants.sol";
import {PeriodSchedule} from "./PeriodSchedule.sol";

/// @title TermSheetLib
/// @notice Validation of a term sheet before a deal is created. Each refusal names the field (and tranche).
library TermSheetLib {
    uint256 internal constant MAX_TRANCHES = 8;
    uint256 internal constant MAX_DECIMALS = 18;
    /// @notice Longest waiver ballot: its deadline then fits the tranche tokens' 32-bit vote lock until 2105.
    uint256 internal constant MAX_WAIVER_VOTING_PERIOD = 365 days;

    /// @notice Reverts with {IDeal.InvalidTermSheet} at the first invalid field; returns the number of notes (the
    /// tranches before the equity classes).
    /// @param decimals The stablecoin's decimals, read by the caller.
    /// @param nowTs The current block timestamp.
    function validate(TermSheet calldata t, uint8 decimals, uint256 nowTs) internal pure returns (uint256 notes) {
        if (t.stablecoin == address(0)) _fail(IDeal.TermSheetField.Stablecoin, 0);
        if (decimals > MAX_DECIMALS) _fail(IDeal.TermSheetField.Decimals, 0);
        if (t.issuer == address(0)) _fail(IDeal.TermSheetField.Issuer, 0);
        if (t.servicer == address(0)) _fail(IDeal.TermSheetField.Servicer, 0);
        if (t.trustee == address(0)) _fail(IDeal.TermSheetField.Trustee, 0);
        if (t.guardian == address(0)) _fail(IDeal.TermSheetField.Guardian, 0);
        if (t.offeringOpensAt >= t.offeringClosesAt || t.offeringClosesAt <= nowTs) {
            _fail(IDeal.TermSheetField.OfferingWindow, 0);
        }
        if (t.start < t.offeringClosesAt) _fail(IDeal.TermSheetField.Start, 0);
        if (t.periodLength == 0) _fail(IDeal.TermSheetField.PeriodLength, 0);
        if (t.periodCount == 0) _fail(IDeal.TermSheetField.PeriodCount, 0);
        // Every period end must fit 40 bits (until the year 36 812): the deal's timestamps are 64-bit, its equity
        // waterfall's clock 40-bit.
        if (PeriodSchedule.maturityOf(t.start, t.periodLength, t.periodCount) > type(uint40).max) {
            _fail(IDeal.TermSheetField.Start, 0);
        }
        if (t.pledgedShareBps == 0 || t.pledgedShareBps > BPS) _fail(IDeal.TermSheetField.PledgedShare, 0);
        if (t.servicerFeeBps > BPS) _fail(IDeal.TermSheetField.ServicerFee, 0);

        uint256 count = t.tranches.length;
        if (count < 2 || count > MAX_TRANCHES) _fail(IDeal.TermSheetField.TrancheCount, count);
        bool waterfall = t.equity.tiers.length != 0;
        for (uint256 i; i < count; ++i) {
            bool equity = t.tranches[i].kind == TrancheKind.Equity;
            // Notes first, by rank, then the equity classes: exactly one, last, without an equity waterfall; with one,
            // at least one note first.
            bool kindValid =
                waterfall
                    ? (equity ? i != 0 : i != count - 1 && (i == 0 || t.tranches[i - 1].kind == TrancheKind.Note))
                    : equity == (i == count - 1);
            if (!equity) ++notes;
            _validateTranche(t.tranches[i], i, kindValid, decimals, t.periodCount, t.registry != address(0));
        }
        _validateRisk(t.risk);
        _validateEquity(t.equity, notes, count - notes);
        _validateSite(t.site, t.pledgedShareBps);
    }

    /// @dev Rent names a site and a site names some rent; the share of revenue is at most the share pledged to the deal
    /// (its cash each period is that share). The factory checks the site itself.
    function _validateSite(SiteTerms calldata s, uint16 pledgedShareBps) private pure {
        bool valid =
            s.site == address(0)
                ? s.rentBps == 0 && s.rentPerUnit == 0
                : (s.rentBps != 0 || s.rentPerUnit != 0) && s.rentBps <= pledgedShareBps;
        if (!valid) _fail(IDeal.TermSheetField.Site, 0);
    }

    function _validateRisk(RiskTerms calldata r) private pure {
        if (r.trailingPeriods == 0 || r.trailingPeriods > RiskTermsLib.MAX_TRAILING_PERIODS) {
            _fail(IDeal.TermSheetField.TrailingPeriods, 0);
        }
        if (r.cleanUpBps > BPS) _fail(IDeal.TermSheetField.CleanUp, 0);
        if (r.waiverVotingPeriod == 0 || r.waiverVotingPeriod > MAX_WAIVER_VOTING_PERIOD) {
            _fail(IDeal.TermSheetField.WaiverPeriod, 0);
        }
        bool hasFeed = r.priceFeed.feed != address(0);
        if (hasFeed ? r.priceFeed.maxStaleness == 0 : (r.priceFeed.maxStaleness != 0 || r.priceFeed.decimals != 0)) {
            _fail(IDeal.TermSheetField.PriceFeed, 0);
        }
        // Collateral is marked to a price index or to appraisals, not both.
        if (hasFeed && r.appraisalMaxAge != 0) _fail(IDeal.TermSheetField.Appraisal, 0);
        if (r.triggers.length > RiskTermsLib.MAX_TRIGGERS) _fail(IDeal.TermSheetField.Trigger, r.triggers.length);
        for (uint256 i; i < r.triggers.length; ++i) {
            if (!RiskTermsLib.triggerValid(r.triggers[i])) _fail(IDeal.TermSheetField.Trigger, i);
        }
        if (r.fleet.length > RiskTermsLib.MAX_FLEET_ENTRIES) _fail(IDeal.TermSheetField.Fleet, r.fleet.length);
        for (uint256 i; i < r.fleet.length; ++i) {
            if (!RiskTermsLib.fleetEntryValid(r.fleet[i], hasFeed)) _fail(IDeal.TermSheetField.Fleet, i);
        }
    }

    function _validateTranche(
        TrancheTerms calldata tr,
        uint256 i,
        bool kindValid,
        uint8 decimals,
        uint16 periodCount,
        bool hasRegistry
    ) private pure {
        if (!kindValid) _fail(IDeal.TermSheetField.TrancheKind, i);
        if (bytes(tr.name).length == 0 || bytes(tr.name).length > 31) _fail(IDeal.TermSheetField.TrancheName, i);
        if (bytes(tr.symbol).length == 0 || bytes(tr.symbol).length > 31) _fail(IDeal.TermSheetField.TrancheName, i);
        // Token balances are 96-bit.
        if (tr.faceAmount == 0 || tr.faceAmount > type(uint96).max) _fail(IDeal.TermSheetField.FaceAmount, i);
        // At least one whole stablecoin unit must be raised: it bounds the cash index per token.
        if (tr.minRaise < 10 ** decimals || tr.minRaise > tr.faceAmount) _fail(IDeal.TermSheetField.MinRaise, i);
        if (tr.minTicket == 0 || tr.minTicket > tr.faceAmount) _fail(IDeal.TermSheetField.MinTicket, i);
        if (tr.reserveFundingBps > BPS) _fail(IDeal.TermSheetField.ReserveFunding, i);
        if (!_transferRulesValid(tr.transfer, tr.faceAmount, hasRegistry)) _fail(IDeal.TermSheetField.TransferRules, i);

        if (tr.kind == TrancheKind.Equity) {
            if (
                tr.coupon.baseRate != 0 ||
                tr.coupon.slope != 0 ||
                tr.coupon.strike != 0 ||
                tr.coupon.floorRate != 0 ||
                tr.coupon.capRate != 0 ||
                tr.coupon.couponType != CouponType.Fixed
            ) _fail(IDeal.TermSheetField.Coupon, i);
            if (
                tr.principal.scheduleType != PrincipalType.Bullet ||
                tr.principal.amortStartPeriod != 0 ||
                tr.principal.amortPeriods != 0
            ) _fail(IDeal.TermSheetField.Principal, i);
            return;
        }

        if (tr.coupon.couponType == CouponType.Fixed) {
            if (tr.coupon.slope != 0 || tr.coupon.strike != 0 || tr.coupon.floorRate != 0 || tr.coupon.capRate != 0) {
                _fail(IDeal.TermSheetField.Coupon, i);
            }
        } else if (
            tr.coupon.floorRate > tr.coupon.capRate ||
            tr.coupon.strike > WAD ||
            tr.coupon.baseRate < tr.coupon.floorRate ||
            tr.coupon.baseRate > tr.coupon.capRate
        ) {
            _fail(IDeal.TermSheetField.Coupon, i);
        }

        if (tr.principal.scheduleType == PrincipalType.Bullet) {
            if (tr.principal.amortStartPeriod != 0 || tr.principal.amortPeriods != 0) {
                _fail(IDeal.TermSheetField.Principal, i);
            }
        } else if (
            tr.principal.amortPeriods == 0 ||
            uint256(tr.principal.amortStartPeriod) + tr.principal.amortPeriods > periodCount
        ) {
            _fail(IDeal.TermSheetField.Principal, i);
        }
    }

    /// @dev The equity classes are the tranches after the `notes` notes. Without tiers, one equity class takes the
    /// residual (sponsor class 0). With tiers (docs/equity.md): at least two classes, a sponsor class among them, at
    /// most {EquityMath.MAX_TIERS} tiers, the last a Split without hurdle and no other; refusals name the tranche
    /// ({IDeal.TermSheetField.EquityClass}) or the tier ({IDeal.TermSheetField.EquityTier}).
    function _validateEquity(EquityTerms calldata e, uint256 notes, uint256 classes) private pure {
        uint256 n = e.tiers.length;
        if (n == 0) {
            if (e.sponsorClass != 0) _fail(IDeal.TermSheetField.EquityClass, notes + e.sponsorClass);
            return;
        }
        if (classes < 2) _fail(IDeal.TermSheetField.EquityClass, notes);
        if (e.sponsorClass >= classes) _fail(IDeal.TermSheetField.EquityClass, notes + e.sponsorClass);
        if (n > EquityMath.MAX_TIERS) _fail(IDeal.TermSheetField.EquityTier, n);
        uint256 all = (1 << classes) - 1;
        uint256 prefClasses;
        uint256 hurdles;
        uint256 lastHurdle;
        for (uint256 i; i < n; ++i) {
            EquityTierTerms calldata tier = e.tiers[i];
            if (!_tierValid(tier, all, 1 << e.sponsorClass, i == n - 1, prefClasses, lastHurdle)) {
                _fail(IDeal.TermSheetField.EquityTier, i);
            }
            if (tier.kind == EquityTier.PreferredReturn) prefClasses |= tier.classes;
            if (tier.kind == EquityTier.Split && tier.rate != 0) {
                if (++hurdles > EquityMath.MAX_HURDLES) _fail(IDeal.TermSheetField.EquityTier, i);
                lastHurdle = tier.rate;
            }
        }
    }

    /// @dev One tier: a non-empty class mask within the classes; the fields its kind does not use zero. A class is in
    /// at most one PreferredReturn tier (`prefClasses`: those before), at a rate in (0, 100 %]. CatchUp and Split share
    /// the tier between the sponsor (never one of its LP classes) and the LP classes, pro rata: CatchUp gives the
    /// sponsor `sponsorBps` ≤ 100 % until it holds `targetBps`, 0 < target < sponsor share; a Split with a hurdle
    /// (above the previous one, at most 100 %) leaves the LP classes a share (sponsor share < 100 %); the last tier,
    /// and only it, is a Split without hurdle.
    function _tierValid(
        EquityTierTerms calldata tier,
        uint256 all,
        uint256 sponsorBit,
        bool last,
        uint256 prefClasses,
        uint256 lastHurdle
    ) private pure returns (bool) {
        uint256 mask = tier.classes;
        if (mask == 0 || mask & ~all != 0) return false;
        EquityTier kind = tier.kind;
        if (kind == EquityTier.ReturnOfCapital) {
            return !last && !tier.compounding && tier.sponsorBps == 0 && tier.targetBps == 0 && tier.rate == 0;
        }
        if (kind == EquityTier.PreferredReturn) {
            return
                !last &&
                tier.sponsorBps == 0 &&
                tier.targetBps == 0 &&
                tier.rate != 0 &&
                tier.rate <= WAD &&
                mask & prefClasses == 0;
        }
        if (mask & sponsorBit != 0 || tier.byRank || tier.compounding) return false;
        if (kind == EquityTier.CatchUp) {
            return
                !last &&
                tier.rate == 0 &&
                tier.targetBps != 0 &&
                tier.targetBps < tier.sponsorBps &&
                tier.sponsorBps <= BPS;
        }
        if (tier.targetBps != 0) return false;
        if (last) return tier.rate == 0 && tier.sponsorBps <= BPS;
        return tier.rate > lastHurdle && tier.rate <= WAD && tier.sponsorBps < BPS;
    }

    /// @dev Without a registry a tranche has no rules. With one: the minimum holding fits the face, and only valid
    /// ISO 3166-1 numeric codes (1 – 999) may be blocked. Any holding period is valid: the token computes a lot's end
    /// in 256 bits ({TransferRules.releasedAt}), so none wraps, and `type(uint32).max` keeps received tokens with
    /// their identity while the token's 32-bit clocks run (until 2106), a meaningful "never".
    function _transferRulesValid(
        TransferRules.Rules calldata r,
        uint256 faceAmount,
        bool hasRegistry
    ) private pure returns (bool) {
        if (!hasRegistry) {
            return
                r.allowedClasses == 0 &&
                r.minHoldingPeriod == 0 &&
                r.maxHolders == 0 &&
                r.minHolding == 0 &&
                r.blockedCountries[0] == 0 &&
                r.blockedCountries[1] == 0 &&
                r.blockedCountries[2] == 0 &&
                r.blockedCountries[3] == 0;
        }
        // Bit 0 is code 0; bits above 999 % 256 = 231 of the last word are codes above 999.
        return r.minHolding <= faceAmount && r.blockedCountries[0] & 1 == 0 && r.blockedCountries[3] >> 232 == 0;
    }

    function _fail(IDeal.TermSheetField field, uint256 index) private pure {
        revert IDeal.InvalidTermSheet(field, index);
    }
}
