// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {TransferRules} from "../libraries/TransferRules.sol";

/// @title Cascade shared types
/// @notice Term-sheet and statement structures used across the deal, the factory and the SDK.
/// @dev Rates, slopes, strikes and utilization are WAD fractions (1e18 = 100 %); rates are annual and
/// accrue on an actual/365 basis over the period length in seconds. Amounts are in stablecoin units.

/// @notice Seniority class of a tranche. Notes carry face, coupon and principal; equity takes the residual.
enum TrancheKind {
    Note,
    Equity
}

/// @notice How a note's coupon rate is set each period.
enum CouponType {
    Fixed,
    UtilizationLinked
}

/// @notice How a note's principal falls due.
enum PrincipalType {
    Bullet,
    StraightLine
}

/// @notice Lifecycle of a deal.
/// Offering: tranches are being sold. Active: periods are distributed in the normal order.
/// CashTrap: a cash-trap trigger is active; nothing goes to equity, excess cash is trapped in the reserve (or turbo
/// pays note principal first). Accelerated: an event of default; every collection held and the whole reserve are
/// swept in, and after fees and senior interest all cash repays principal strictly by rank, subordinate interest
/// is deferred, nothing goes to equity; latched until waived.
/// Repaid: every note is repaid (at the final period or by a clean-up call).
/// Defaulted: the final period is distributed and the principal still outstanding was written off.
/// Cancelled: every offering missed its minimum raise (nothing was issued); the deal never runs.
enum DealStatus {
    Offering,
    Active,
    CashTrap,
    Accelerated,
    Repaid,
    Defaulted,
    Cancelled
}

/// @notice What a trigger measures each period. Ratios are WAD (1e18 = 1.0×, or 100 %).
/// Dscr: cash available for debt service (period cash after a tenant's site rent and the fees) / (interest due +
/// scheduled principal).
/// TrailingDscr: the same sums over the last `trailingPeriods` periods. Utilization: billed / available GPU-hours
/// (zero for an unreported period). Ltv: note principal outstanding / collateral value (the confirmed fleet's value
/// plus the deal's recovery account). SeniorCurve: senior principal outstanding / collateral value ("senior balance
/// above the depreciation curve"). ReserveLevel: reserve /
/// reserve target. ServicerShortfall: (pledged revenue share − cash collected) / pledged revenue share, where the cash
/// collected is the period's cash without the rent a site received from its tenant deals.
/// MissedReport: 1e18 for an unreported period, zero otherwise. Occupancy: billed capacity / nameplate capacity over
/// the period (the deal's capacity × hours; zero for an unreported period). Pue: the period's reported power usage
/// effectiveness (facility energy / IT energy, WAD; zero when not reported).
enum RiskMetric {
    Dscr,
    TrailingDscr,
    Utilization,
    Ltv,
    SeniorCurve,
    ReserveLevel,
    ServicerShortfall,
    MissedReport,
    Occupancy,
    Pue
}

/// @notice A trigger is in breach when its metric is strictly below (or above) its threshold.
enum TriggerComparison {
    Below,
    Above
}

/// @notice What an active trigger does to the waterfall.
enum TriggerEffect {
    CashTrap,
    Accelerate
}

/// @notice How a fleet entry loses book value. None: land, valued at cost for ever (its `usefulLife` and `yearlyRate`
/// are zero and its `unitResidual` equals its `unitCost`; it is never marked to the price index).
enum DepreciationMethod {
    StraightLine,
    DecliningBalance,
    None
}

/// @notice A covenant trigger, as data. It fires once its metric has been in breach for `periods` consecutive
/// periods; a curable trigger clears at the first period out of breach, a latching one stays active until the
/// senior holders and the issuer waive it. Acceleration triggers always latch.
struct TriggerTerms {
    RiskMetric metric;
    TriggerComparison comparison;
    TriggerEffect effect;
    uint8 periods;
    bool cures;
    uint128 threshold;
}

/// @notice One line of the collateral ("fleet"): `count` GPUs of `model` (or, for a data center, units of land,
/// building or mechanical and electrical plant) bought at `unitCost` each at `acquiredAt`, worth `unitResidual` each
/// at the end of `usefulLife` seconds (at most 2^32 - 1, about 136 years). Declining balance uses `yearlyRate` (WAD).
/// When the deal has a price feed and `indexAtAcquisition` is non-zero, the entry is also marked to the index: its
/// value is the lower of book value and cost × index now / index at acquisition.
struct FleetEntryTerms {
    bytes16 model;
    uint32 count;
    uint128 unitCost;
    uint128 unitResidual;
    uint64 acquiredAt;
    uint32 usefulLife;
    DepreciationMethod method;
    uint64 yearlyRate;
    uint96 indexAtAcquisition;
}

/// @notice Optional GPU rental-price index (Chainlink AggregatorV3Interface). `feed` zero means book value only.
/// An answer older than `maxStaleness` seconds, non-positive or from the future is rejected; `decimals` must match
/// the feed's.
struct PriceFeedTerms {
    address feed;
    uint8 decimals;
    uint32 maxStaleness;
}

/// @notice Covenants and collateral of a deal.
/// `trailingPeriods`: window of the trailing DSCR (1–12). `cleanUpBps`: the issuer may repay every note early once
/// senior principal outstanding is at or below this fraction of senior face (0: no clean-up call). `turbo`: a cash
/// trap pays note principal by rank before trapping the rest in the reserve. `waiverVotingPeriod`: seconds a waiver
/// ballot stays open. `appraisalMaxAge`: non-zero marks the collateral to the latest final appraisal its reporters
/// signed (a report's `appraisal`), while that appraisal is at most this many seconds old; zero: no appraisal marks.
/// The mark: when the deal distributes a period whose final report carries a non-zero appraisal, the risk engine
/// records it, as of the period's end. While the latest recorded appraisal is at most `appraisalMaxAge` seconds old at
/// the valuation time, the confirmed fleet is worth the lower of its book value and the appraisal (an appraisal caps
/// the collateral, it never writes it up); older, the fleet is at book value. The recovery account is added at par
/// either way. A deal marks to appraisals or to a price index, not both (a term sheet with both is refused).
struct RiskTerms {
    uint16 trailingPeriods;
    uint16 cleanUpBps;
    bool turbo;
    uint32 waiverVotingPeriod;
    PriceFeedTerms priceFeed;
    TriggerTerms[] triggers;
    FleetEntryTerms[] fleet;
    uint32 appraisalMaxAge;
}

/// @notice Risk metrics of one period, measured before its waterfall runs (the waterfall then runs in the order
/// the triggers set). Ratios are WAD; a ratio with nothing to cover is type(uint256).max. Note arrays by rank.
struct PeriodMetrics {
    uint256 cashAvailableForDebtService;
    uint256 debtService;
    uint256 dscr;
    uint256 trailingDscr;
    uint256 utilization;
    uint256 collateralValue;
    uint256 notesOutstanding;
    uint256 ltv;
    uint256 seniorCurve;
    uint256 reserveLevel;
    uint256 servicerShortfall;
    uint256 breakEvenUtilization;
    uint256[] overcollateralization;
    uint256[] interestCoverage;
    uint256 breachedMask;
    uint256 activeMask;
}

/// @notice Coupon terms of a note (ignored for equity, where every field must be zero).
/// rate = base + slope × (U − strike), clamped to [floorRate, capRate]; a fixed coupon pays `baseRate`.
struct CouponTerms {
    CouponType couponType;
    uint64 baseRate;
    int64 slope;
    uint64 strike;
    uint64 floorRate;
    uint64 capRate;
}

/// @notice Principal schedule of a note (ignored for equity, where every field must be zero).
/// StraightLine repays face / `amortPeriods` each period from `amortStartPeriod`; the final period of the
/// deal is the legal final maturity of every note whatever its schedule.
struct PrincipalTerms {
    PrincipalType scheduleType;
    uint16 amortStartPeriod;
    uint16 amortPeriods;
}

/// @notice One tranche of a term sheet. `faceAmount` is the offering cap in stablecoin units (tokens are
/// sold at par, one token per stablecoin unit); `minRaise` and `minTicket` bound the offering;
/// `reserveFundingBps` of the proceeds funds the deal's reserve account at close. `transfer` holds the
/// tranche's transfer rules (allowed investor classes, blocked countries, holding period, holder cap, minimum
/// holding), enforced against the term sheet's investor registry; all zero without a registry.
struct TrancheTerms {
    string name;
    string symbol;
    TrancheKind kind;
    uint128 faceAmount;
    uint128 minRaise;
    uint128 minTicket;
    uint16 reserveFundingBps;
    CouponTerms coupon;
    PrincipalTerms principal;
    TransferRules.Rules transfer;
}

/// @notice What a deal's capacity is counted in: GPU-hours (a GPU fleet; `fleetGpus` counts GPUs) or kilowatt-hours
/// of IT load (a data-center project; `fleetGpus` is the site's IT capacity in kW). Reports state capacity available
/// and billed in that unit; prices are per unit.
enum CapacityUnit {
    GpuHours,
    KilowattHours
}

/// @notice How the utilization oracle treats a deal's reports.
/// A report needs `threshold` of `reporters`; it is open to dispute for `disputeWindow` seconds after it is accepted
/// and final afterwards. Reports are accepted until `reportDeadline` seconds after the period ends (extended to one
/// dispute window after a dispute); if none is final or pending by then, the period takes no more reports and anyone
/// may mark it unreported (distributing it does so). Bounds: billed ≤ available ≤ `fleetGpus` × hours in
/// the period, revenue ≤ billed × `maxPricePerGpuHour` (stablecoin units), and a utilization change above
/// `maxUtilizationStep` (WAD) from the previous period needs every reporter. Changes of the reporter set wait
/// `reporterChangeDelay` seconds. `unit` names the capacity: with `KilowattHours`, `fleetGpus` is the site's IT
/// capacity in kW, available and billed count kWh of IT load and `maxPricePerGpuHour` is the highest revenue per billed
/// kWh; a report that bills capacity then states the facility's energy and PUE, and its IT energy (energy / PUE) is at
/// most `fleetGpus` × hours in the period. Any deal's report states energy and PUE together or not at all, with PUE
/// in [1.0, 3.0].
struct OracleTerms {
    address[] reporters;
    uint8 threshold;
    uint32 disputeWindow;
    uint32 reportDeadline;
    uint32 reporterChangeDelay;
    uint32 fleetGpus;
    uint64 maxPricePerGpuHour;
    uint64 maxUtilizationStep;
    CapacityUnit unit;
}

/// @notice A step of the equity waterfall ({EquityTerms}).
/// ReturnOfCapital: the classes' unreturned contributed capital. PreferredReturn: their unpaid preferred return, which
/// accrues at `rate` a year (actual/365) on unreturned capital, and on unpaid preferred return when `compounding`.
/// CatchUp: `sponsorBps` of the tier's cash to the sponsor class (the rest to the tier's classes) until the sponsor
/// holds `targetBps` of all profit distributed. Split: `sponsorBps` to the sponsor, the rest to the tier's classes,
/// until their IRR reaches the hurdle `rate` (0: no hurdle, the last tier).
enum EquityTier {
    ReturnOfCapital,
    PreferredReturn,
    CatchUp,
    Split
}

/// @notice One tier of the equity waterfall. `classes`: bitmask over the deal's equity classes (bit j = the j-th
/// equity tranche); in CatchUp and Split, the LP classes that share the tier with the sponsor. `byRank`: pay the
/// classes in rank order instead of pro rata (ReturnOfCapital, PreferredReturn). Rates are WAD a year.
struct EquityTierTerms {
    EquityTier kind;
    uint8 classes;
    bool byRank;
    bool compounding;
    uint16 sponsorBps;
    uint16 targetBps;
    uint64 rate;
}

/// @notice The equity waterfall of a deal with several equity classes. No tiers: one equity class takes the
/// residual. `sponsorClass`: the equity class (0-based among the equity tranches) of the sponsor's promote.
struct EquityTerms {
    uint8 sponsorClass;
    EquityTierTerms[] tiers;
}

/// @notice A tenant deal's site: a data-center project deal of the same factory that the tenant pays rent to, first
/// in its waterfall, each period: `rentBps` of the period's reported revenue plus `rentPerUnit` for each unit of the
/// tenant's capacity (per GPU). `site` zero: no site.
struct SiteTerms {
    address site;
    uint16 rentBps;
    uint128 rentPerUnit;
}

/// @notice Everything a deal needs, as the factory receives it.
struct TermSheet {
    address stablecoin;
    address issuer;
    address servicer;
    address trustee;
    address guardian;
    address registry;
    uint64 offeringOpensAt;
    uint64 offeringClosesAt;
    uint64 start;
    uint32 periodLength;
    uint16 periodCount;
    uint16 pledgedShareBps;
    uint16 servicerFeeBps;
    uint128 trusteeFeePerPeriod;
    uint128 reserveTarget;
    uint128 keeperBounty;
    OracleTerms oracle;
    RiskTerms risk;
    TrancheTerms[] tranches;
    EquityTerms equity;
    SiteTerms site;
}

/// @notice What a period's waterfall did. Conservation:
/// cashIn + recoveriesApplied + reserveReleased + reserveDrawn == rentPaid + keeperBountyPaid + trusteeFeePaid
///   + servicerFeePaid + Σ interestPaid + reserveToppedUp + Σ principalPaid + reserveTrapped + residualPaid.
/// `recoveriesApplied` is what the period took from the deal's recovery account (recoveries deposited while the deal
/// runs): the senior interest and the scheduled principal the period's cash left unpaid, or all of it in the
/// Accelerated order, at the final period and once no note principal is outstanding.
/// `reported` is false for a period marked unreported (cash = every deposited collection, linked coupons at floor).
/// `mode` is the order the waterfall ran in (Active, CashTrap or Accelerated); `metrics` what the triggers saw.
/// The statement is the whole record of the period (no per-step events): `keeper` ran it and was paid the bounty;
/// the trustee and servicer fees paid are credited to them (withdrawn with {IDeal.withdrawFees}), the fee arrears
/// are what stays unpaid; per note, in rank order, `interestDue` (prior arrears included; the note's interest
/// arrears are interestDue − interestPaid) and the principal `outstanding` after the period; the residual went to
/// `residualRecipient` (the equity token — the equity waterfall of a deal with several equity classes — or the
/// issuer when no equity was issued). A note's coupon rate and scheduled principal follow from its terms and the
/// period's utilization (the SDK's waterfall model).
/// Site rent: `rentIn` is the rent a site received from its tenant deals since its last distribution, part of
/// `cashIn` (the rest of `cashIn` is collections); `rentPaid` what a tenant paid its site, first, out of `cashIn`, and
/// `rentArrears` the rent it still owes after the period (carried to the next).
struct PeriodStatement {
    uint256 period;
    bool reported;
    uint256 cashIn;
    uint256 reserveReleased;
    uint256 reserveDrawn;
    uint256 keeperBountyPaid;
    uint256 trusteeFeePaid;
    uint256 servicerFeePaid;
    uint256[] interestPaid;
    uint256 reserveToppedUp;
    uint256[] principalPaid;
    uint256 residualPaid;
    uint256 utilization;
    uint256 reserveTrapped;
    uint256 collectionsCarried;
    uint256 reserveAfter;
    DealStatus mode;
    PeriodMetrics metrics;
    address keeper;
    uint256 trusteeFeeArrears;
    uint256 servicerFeeArrears;
    uint256[] interestDue;
    uint256[] outstanding;
    address residualRecipient;
    uint256 recoveriesApplied;
    uint256 rentIn;
    uint256 rentPaid;
    uint256 rentArrears;
}
