// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

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
/// Offering: tranches are being sold. Active: periods are being distributed.
/// Repaid: the final period is distributed and every note is repaid.
/// Defaulted: the final period is distributed and some note principal is still outstanding.
enum DealStatus {
    Offering,
    Active,
    Repaid,
    Defaulted
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
/// `reserveFundingBps` of the proceeds funds the deal's reserve account at close.
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
}

/// @notice How the utilization oracle treats a deal's reports.
/// A report needs `threshold` of `reporters`; it is open to dispute for `disputeWindow` seconds after it is accepted
/// and final afterwards. If no report is final or pending `reportDeadline` seconds after its period ends, anyone
/// may mark the period unreported (distributing it does so). Bounds: billed ≤ available ≤ `fleetGpus` × hours in
/// the period, revenue ≤ billed × `maxPricePerGpuHour` (stablecoin units), and a utilization change above
/// `maxUtilizationStep` (WAD) from the previous period needs every reporter. Changes of the reporter set wait
/// `reporterChangeDelay` seconds.
struct OracleTerms {
    address[] reporters;
    uint8 threshold;
    uint32 disputeWindow;
    uint32 reportDeadline;
    uint32 reporterChangeDelay;
    uint32 fleetGpus;
    uint64 maxPricePerGpuHour;
    uint64 maxUtilizationStep;
}

/// @notice Everything a deal needs, as the factory receives it.
struct TermSheet {
    address stablecoin;
    address issuer;
    address servicer;
    address trustee;
    address guardian;
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
    TrancheTerms[] tranches;
}

/// @notice What a period's waterfall did. Conservation:
/// cashIn + reserveReleased + reserveDrawn == keeperBountyPaid + trusteeFeePaid + servicerFeePaid
///   + Σ interestPaid + reserveToppedUp + Σ principalPaid + residualPaid.
/// `reported` is false for a period marked unreported (cash = every deposited collection, linked coupons at floor).
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
    uint256 collectionsCarried;
    uint256 reserveAfter;
}
