// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";

import {
    CouponTerms,
    DealStatus,
    FleetEntryTerms,
    PeriodStatement,
    PrincipalTerms,
    TrancheKind
} from "./ICascadeTypes.sol";

/// @title IDealBase
/// @notice Events and errors of a deal, shared by its two contracts ({IDealMain}, {IDealExtension}), and its roles
/// ({IAccessControl}); see {IDeal}.
interface IDealBase is IAccessControl {
    // ---------------------------------------------------------------- events

    /// @notice The offering of `tranche` settled: `issued` tokens were minted and `reserveFunding` of the
    /// proceeds was added to the reserve account.
    event OfferingSettled(uint256 indexed tranche, uint256 issued, uint256 reserveFunding, uint256 reserveAfter);

    /// @notice The deal moved from `previous` to `current`.
    event StatusChanged(DealStatus previous, DealStatus current);

    /// @notice The servicer deposited `amount`; `undistributed` collections are now held for coming periods.
    event CollectionsDeposited(address indexed servicer, uint256 amount, uint256 undistributed);

    /// @notice `period` was marked unreported by the oracle: it used every deposited collection, linked coupons
    /// paid their floor, and the deal has now missed `missedReports` reports.
    event ReportMissed(uint256 indexed period, uint256 missedReports);

    /// @notice Reserve above its target was released into the period's cash.
    event ReserveReleased(uint256 indexed period, uint256 amount, uint256 reserveAfter);

    /// @notice The reserve covered `amount` of a senior-interest shortfall.
    event ReserveDrawn(uint256 indexed period, uint256 amount, uint256 reserveAfter);

    /// @notice `amount` of the period's cash topped the reserve up towards its target.
    event ReserveToppedUp(uint256 indexed period, uint256 amount, uint256 reserveAfter);

    /// @notice A cash trap kept `amount` that would have gone to equity in the reserve.
    event ReserveTrapped(uint256 indexed period, uint256 amount, uint256 reserveAfter);

    /// @notice `amount` of `tranche`'s principal was written off (equity: its whole par, as first loss);
    /// `outstanding` remains and `writtenDown` is the tranche's total written off.
    event PrincipalWrittenDown(uint256 indexed tranche, uint256 amount, uint256 outstanding, uint256 writtenDown);

    /// @notice Recoveries paid note `tranche`: `principal` of its outstanding, `recovered` of its written-down
    /// principal and `interest` of its unpaid interest; what remains outstanding and written down after.
    event RecoveryApplied(
        uint256 indexed tranche,
        uint256 principal,
        uint256 recovered,
        uint256 interest,
        uint256 outstanding,
        uint256 writtenDown
    );

    /// @notice `payer` deposited `amount` of recoveries: `toNotes` paid notes at once (a defaulted deal), `rest` went
    /// to `recipient`: the deal itself while it runs (its recovery account, applied by the coming distributions), else
    /// the equity token (or equity waterfall) or the issuer (credited, see {withdrawResidual}).
    event RecoveriesDeposited(address indexed payer, uint256 amount, uint256 toNotes, uint256 rest, address recipient);

    /// @notice The issuer called every note: `payoff` (fee arrears, interest and principal) was paid, `fromDeal`
    /// out of collections and reserve and `fromIssuer` by the issuer; `residual` went to `recipient`.
    event CleanUpCalled(
        address indexed issuer,
        uint256 payoff,
        uint256 fromDeal,
        uint256 fromIssuer,
        uint256 residual,
        address recipient
    );

    /// @notice Note `tranche` was repaid by the clean-up call: `interest` (arrears and accrued) and `principal`.
    event NoteCalled(uint256 indexed tranche, uint256 interest, uint256 principal);

    /// @notice The statement of `period`: everything the period's waterfall did, its parts summing exactly to its
    /// cash in (see {PeriodStatement}).
    event PeriodDistributed(uint256 indexed period, PeriodStatement statement);

    /// @notice `recipient` (the trustee, the servicer, or both when one address is both) withdrew the fees credited
    /// to it: `trusteeFees` as trustee and `servicerFees` as servicer.
    event FeesWithdrawn(address indexed recipient, uint256 trusteeFees, uint256 servicerFees);

    /// @notice The issuer withdrew `amount`: the residual credited to it while no equity is issued (by distributions,
    /// recoveries after default and the clean-up call, each of which names the issuer as its residual's recipient).
    event ResidualWithdrawn(address indexed issuer, uint256 amount);

    /// @notice A cancelled deal credited the collections it held to the issuer (withdrawn with `withdrawResidual`).
    event CollectionsReturned(uint256 amount, uint256 residualOwed);

    /// @notice `proposer` (the guardian or the issuer admin) proposed that `next` replace `current` as the deal's
    /// guardian from `eta` on; the guardian or the issuer admin may cancel it until then.
    event GuardianChangeProposed(address indexed proposer, address indexed current, address indexed next, uint64 eta);

    /// @notice `canceller` cancelled the pending change of guardian to `next`.
    event GuardianChangeCancelled(address indexed canceller, address indexed next);

    /// @notice The deal's guardian is now `next` (its role moved from `previous`).
    event GuardianChanged(address indexed previous, address indexed next);

    /// @notice The factory registered `tenant`, a deal of the same factory that names this deal as its site ({site}):
    /// its rent is received on chain ({receiveRent}). The site now has `tenants` tenant deals.
    event TenantRegistered(address indexed tenant, uint256 tenants);

    /// @notice Tenant deal `tenant` paid `amount` of rent for its period `tenantPeriod`. A site that has not ended
    /// counts it as cash of its period `period`, the next it distributes (the statement's `rentIn`); an ended site
    /// passes it on at once as recoveries of the tenant ({RecoveriesDeposited}, `period` is then {nextPeriod}).
    event RentReceived(address indexed tenant, uint256 indexed period, uint256 tenantPeriod, uint256 amount);

    // ---------------------------------------------------------------- errors

    /// @notice `period` ends at `endsAt`; it cannot be distributed before.
    error WaterfallPeriodNotEnded(uint256 period, uint64 endsAt);

    /// @notice Periods are distributed in order; `nextDistributable` comes first.
    error WaterfallPeriodNotReady(uint256 period, uint256 nextDistributable);

    /// @notice `period` was distributed already.
    error WaterfallPeriodAlreadyDistributed(uint256 period);

    /// @notice The deal has `periodCount` periods; `period` is not one of them.
    error WaterfallPeriodBeyondMaturity(uint256 period, uint256 periodCount);

    /// @notice Upkeep data is malformed, asks for zero periods or names the zero address.
    error InvalidUpkeep();

    /// @notice The call needs the deal to be active; it is `status`.
    error DealNotActive(DealStatus status);

    /// @notice The deal has ended (`status`: Repaid, Defaulted or Cancelled); it takes no more collections.
    error DealEnded(DealStatus status);

    /// @notice Only the trustee records write-downs.
    error NotTrustee(address caller);

    /// @notice Only the deal's risk engine calls this.
    error NotRiskEngine(address caller);

    /// @notice A write-down follows an event of default; the deal is `status`.
    error WriteDownNotAllowed(DealStatus status);

    /// @notice Cash is still held (`collections`: collections and rent not yet distributed; `reserve`, `recoveries`):
    /// it must be distributed before a write-down.
    error RecoveriesNotExhausted(uint256 collections, uint256 reserve, uint256 recoveries);

    /// @notice A write-down must be positive and at most the `outstanding` note principal.
    error InvalidWriteDown(uint256 amount, uint256 outstanding);

    /// @notice Senior principal outstanding `senior` is above the clean-up threshold `threshold`.
    error CleanUpNotAllowed(uint256 senior, uint256 threshold);

    /// @notice `period` has ended and must be distributed before a clean-up call.
    error CleanUpPeriodPending(uint256 period);

    /// @notice Zero amounts are refused.
    error ZeroAmount();

    /// @notice The stablecoin moved `received` instead of `expected` (fee-on-transfer tokens are not supported).
    error UnsupportedTokenTransfer(uint256 expected, uint256 received);

    /// @notice Only the offering of `tranche` may settle it.
    error NotTrancheOffering(uint256 tranche, address caller);

    /// @notice `tranche` is not a tranche of this deal.
    error UnknownTranche(uint256 tranche);

    /// @notice The caller is neither the trustee nor the servicer, or nothing is credited to it.
    error NoFeesOwed(address caller);

    /// @notice The caller is not the issuer, or no residual is credited to it.
    error NoResidualOwed(address caller);

    /// @notice Only the guardian or the issuer admin proposes or cancels a change of guardian.
    error NotGuardianProposer(address caller);

    /// @notice `guardian` cannot be proposed (the zero address, or the guardian already).
    error InvalidGuardian(address guardian);

    /// @notice No change of guardian is pending.
    error NoGuardianChangePending();

    /// @notice The pending change of guardian applies from `eta`.
    error GuardianChangeNotReady(uint64 eta);

    /// @notice Only a tenant deal the factory registered with this site pays it rent.
    error NotTenant(address caller);

    /// @notice Only the factory that created this deal registers its tenants.
    error NotFactory(address caller);

    /// @notice Only a token of one of this deal's equity classes, when an equity waterfall pays them, asks this deal
    /// to pay a claim ({IDealMain.payClaim}).
    error NotClassToken(address caller);
}

/// @title IDealMain
/// @notice What a deal's own code runs (see `Deal`): collections, distributions and keepers, offering settlement,
/// site rent received, pause, and the views other contracts call on their own hot paths. See {IDeal}.
interface IDealMain is IDealBase {
    /// @notice Called by the offering of `tranche` when it closes, after it sent `reserveFunding` to the deal. The last
    /// settlement makes the deal Active, or Cancelled when every offering missed its minimum raise (nothing issued).
    function onOfferingSettled(uint256 tranche, uint256 issued, uint256 reserveFunding) external;

    /// @notice Servicer deposits collected revenue (stablecoin pulled from the caller). Refused with {DealEnded} once
    /// the deal is Repaid, Defaulted or Cancelled.
    function depositCollections(uint256 amount) external;

    /// @notice Runs the waterfall of `period`. Anyone may call once the period has ended, its report is final (or
    /// the period was marked unreported), and every earlier period is distributed. The caller earns the keeper
    /// bounty.
    function distribute(uint256 period) external returns (PeriodStatement memory statement);

    /// @notice Chainlink Automation: whether a period is ready, and the data {performUpkeep} needs to run it.
    /// `checkData` is empty (one period, bounty to the caller), `abi.encode(uint256 maxPeriods)` to catch up several
    /// in order, or `abi.encode(uint256 maxPeriods, address bountyRecipient)` to pay the bounty to a given address
    /// (for keeper networks whose caller is a forwarder contract). `performData` is
    /// `abi.encode(uint256 firstPeriod, uint256 maxPeriods)` or, with a recipient, `abi.encode(firstPeriod,
    /// maxPeriods, bountyRecipient)`. A period past its report deadline with no report is ready: running it marks it
    /// unreported at the oracle first.
    function checkUpkeep(bytes calldata checkData) external view returns (bool upkeepNeeded, bytes memory performData);

    /// @notice Chainlink Automation: re-checks everything and distributes `firstPeriod`, then up to
    /// `maxPeriods − 1` more periods while they are ready. The bounty of each goes to the recipient in `performData`,
    /// or to the caller. A second call for the same period reverts {WaterfallPeriodAlreadyDistributed}: nothing is
    /// ever paid twice. Malformed data, zero periods or a zero recipient revert {InvalidUpkeep}.
    function performUpkeep(bytes calldata performData) external;

    /// @notice Guardian stops distributions, transfers, claims and subscriptions of the whole deal.
    function pause() external;

    /// @notice Guardian resumes the deal.
    function unpause() external;

    function status() external view returns (DealStatus);

    /// @notice Token and offering of tranche `index`.
    function trancheContracts(uint256 index) external view returns (address token, address offering);

    /// @notice Whether the deal is paused.
    function paused() external view returns (bool);

    /// @notice Site side of a tenant's rent: tenant deal `msg.sender` transferred `amount` of the stablecoin to this
    /// deal just before the call, the rent of its period `tenantPeriod` (see {IDeal} for where it comes from). Only a
    /// tenant the factory registered ({NotTenant}). Accepted whatever this deal's state, so a tenant's distribution
    /// never stops on its site: paused or offering, the rent waits with the collections for this deal's next
    /// distribution, which counts every rent received since the last one as cash, without a report ({RentReceived});
    /// once this deal has ended (Repaid, Defaulted, Cancelled) it pays the rent on as recoveries (written-down notes
    /// and their arrears by rank, then the residual).
    function receiveRent(uint256 tenantPeriod, uint256 amount) external;

    /// @notice Pays `amount` of the stablecoin to `receiver`: a claim of holders of an equity class of this deal's
    /// equity waterfall, asked by the class's token (it has already recorded the claim). The deal holds those classes'
    /// cash: the waterfall sizes each class's share and tells its token, which pays only what its cash index has
    /// announced. Only such a token ({NotClassToken}); not while one of the deal's own calls is running.
    function payClaim(address receiver, uint256 amount) external;
}

/// @title IDealExtension
/// @notice What a deal hands to its extension (see `DealExtension`): initialization, losses, recoveries and the
/// clean-up call, withdrawals, changes of guardian, waivers' status, tenant registration, and views. Called on the deal
/// like any other function. See {IDeal}.
interface IDealExtension is IDealBase {
    /// @notice Grants the deal's roles (issuer: admin, servicer, `guardian_`) and registers the fleet with the risk
    /// engine. Called once by the factory, in the creating transaction; every other term is in the clone's code.
    function initialize(address guardian_, FleetEntryTerms[] calldata fleet) external;

    /// @notice Records a write-down of `amount` note principal after an event of default, once every cash source is
    /// exhausted (trustee). Equity is written off first, then notes bottom-up (most junior first).
    function writeDown(uint256 amount) external;

    /// @notice Deposits recoveries (e.g. the sale of broken or seized GPUs), pulled from the caller. While the deal
    /// runs they are held in its recovery account ({recoveries}) and count as collateral; every note keeps earning its
    /// coupon on its whole principal until a distribution repays it, and the distributions apply the account in their
    /// priority of payments: the senior interest, then the scheduled principal by rank, that the period's cash leaves
    /// unpaid (never principal ahead of its schedule, never cash for fees, subordinate interest or equity), and all of
    /// it in the Accelerated order, at the final period and once no note principal is outstanding. Once the deal has
    /// defaulted they pay at once, note by note in rank order: written-down principal, then unpaid interest; the rest
    /// goes to equity (credited to the issuer without equity).
    function depositRecoveries(uint256 amount) external;

    /// @notice Repays every note early (issuer admin) once senior principal outstanding is at or below the term
    /// sheet's clean-up fraction of senior face, with no ended period waiting: fee arrears, note arrears, interest
    /// accrued since the current period began (linked coupons at their cap) and principal. Collections and reserve
    /// pay first, the issuer (who approves the deal) the rest; anything left goes to equity. The deal is Repaid.
    function cleanUpCall() external;

    /// @notice Sets the running status after a waiver (risk engine only).
    function setRiskStatus(DealStatus status) external;

    /// @notice Proposes that `newGuardian` replace the deal's guardian after {GUARDIAN_CHANGE_DELAY} (the guardian or
    /// the issuer admin). The guardian role is never granted or revoked otherwise: the issuer admin cannot give itself
    /// the guardian's powers or remove the term sheet's guardian, and the guardian can cancel any change it does not
    /// want. A new proposal replaces a pending one.
    function proposeGuardian(address newGuardian) external;

    /// @notice Cancels the pending change of guardian (the guardian or the issuer admin).
    function cancelGuardianChange() external;

    /// @notice Applies the pending change of guardian once its delay has passed (anyone).
    function applyGuardianChange() external;

    /// @notice Pays the issuer the residual credited to it: without equity, the residual of distributions, recoveries
    /// after default and the clean-up call is credited, not pushed, so a stablecoin that refuses to pay the issuer
    /// never stops them.
    function withdrawResidual() external returns (uint256 amount);

    function stablecoin() external view returns (address);

    function oracle() external view returns (address);

    function issuer() external view returns (address);

    function start() external view returns (uint64);

    function periodLength() external view returns (uint32);

    function periodCount() external view returns (uint256);

    /// @notice End of the last period, the legal final maturity of every note.
    function finalMaturity() external view returns (uint64);

    /// @notice Timestamp at which `period` ends and may be distributed.
    function periodEnd(uint256 period) external view returns (uint64);

    /// @notice Next period the waterfall will run (equals `periodCount` once every period is distributed).
    function nextPeriod() external view returns (uint256);

    /// @notice Whether the next period can be distributed now, and which one it is.
    function readyPeriod() external view returns (bool ready, uint256 period);

    function pledgedShareBps() external view returns (uint256);

    function servicerFeeBps() external view returns (uint256);

    function trusteeFeePerPeriod() external view returns (uint256);

    /// @notice Bounty paid to whoever runs a period, first in the waterfall and capped by its cash.
    function keeperBounty() external view returns (uint256);

    /// @notice Periods distributed without a report (marked unreported by the oracle).
    function missedReports() external view returns (uint256);

    function servicer() external view returns (address);

    function trustee() external view returns (address);

    /// @notice Collections deposited and not yet distributed, with the rent received from tenant deals since the last
    /// distribution ({pendingRent}).
    function undistributedCollections() external view returns (uint256);

    /// @notice The recovery account: recoveries deposited while the deal runs and not yet applied by a distribution.
    function recoveries() external view returns (uint256);

    /// @notice The residual credited to the issuer and not yet withdrawn ({withdrawResidual}).
    function residualOwed() external view returns (uint256);

    /// @notice The deal's guardian (pauses the deal, disputes reports, cancels reporter and guardian changes).
    function guardian() external view returns (address);

    /// @notice The guardian change waiting for its delay (`next` zero: none) and when it may be applied.
    function pendingGuardianChange() external view returns (address next, uint64 eta);

    /// @notice Seconds a change of guardian waits after it is proposed.
    // solhint-disable-next-line func-name-mixedcase
    function GUARDIAN_CHANGE_DELAY() external view returns (uint256);

    /// @notice Reserve account balance and its target.
    function reserve() external view returns (uint256 balance, uint256 target);

    /// @notice Fees owed from earlier periods.
    function feeArrears() external view returns (uint256 trustee, uint256 servicer);

    /// @notice Fees the waterfall paid and the trustee and servicer have not withdrawn yet (held by the deal).
    function feesOwed() external view returns (uint256 trustee, uint256 servicer);

    /// @notice Pays the caller the fees credited to it as trustee and as servicer. Fees are credited, not pushed, so
    /// a fee recipient the stablecoin refuses to pay can never stop a distribution.
    function withdrawFees() external returns (uint256 amount);

    function trancheCount() external view returns (uint256);

    function tranche(uint256 index) external view returns (IDeal.TrancheInfo memory);

    /// @notice Outstanding face per token of `tranche` (WAD; 1e18 at issue): the bond factor.
    function factor(uint256 tranche) external view returns (uint256);

    /// @notice The deal's risk engine (fleet, covenants, triggers, waiver).
    function riskEngine() external view returns (address);

    /// @notice Registers `tenant` as a tenant deal of this site, so it may pay rent ({receiveRent}). Called by the
    /// factory that created both ({NotFactory}) when it creates the tenant, which names this deal as its site; refused
    /// with {DealEnded} once this deal has ended.
    function registerTenant(address tenant) external;

    /// @notice The factory that created this deal.
    function factory() external view returns (address);

    /// @notice A tenant deal's site and rent (`site_` zero: no site): each period it pays `rentBps` of its reported
    /// revenue (nothing for an unreported period) plus `rentPerUnit` × `capacity` (its oracle's `fleetGpus`) plus the
    /// rent still unpaid ({rentArrears}), first in its waterfall.
    function site() external view returns (address site_, uint256 rentBps, uint256 rentPerUnit, uint256 capacity);

    /// @notice A tenant deal's rent left unpaid by its last period, carried to its next one.
    function rentArrears() external view returns (uint256);

    /// @notice A site's tenant deals (registered by the factory), in the order they were created.
    function tenants() external view returns (address[] memory);

    /// @notice Whether `account` is a tenant deal of this site.
    function isTenant(address account) external view returns (bool);

    /// @notice Rent a site received from its tenant deals since its last distribution (counted as cash by the next;
    /// also part of {undistributedCollections}).
    function pendingRent() external view returns (uint256);

    /// @notice The extension this deal delegates to ({IDealExtension}'s code, shared by every deal).
    function extension() external view returns (address);

    /// @notice The role that deposits collections (the term sheet's servicer).
    // solhint-disable-next-line func-name-mixedcase
    function SERVICER_ROLE() external view returns (bytes32);

    /// @notice The role that pauses the deal (the guardian, changed only through {proposeGuardian}).
    // solhint-disable-next-line func-name-mixedcase
    function GUARDIAN_ROLE() external view returns (bytes32);
}

/// @title IDeal
/// @notice One Cascade financing: collections in, a waterfall per period out, tranches ranked by seniority. A tenant
/// deal (one whose term sheet names a site, another deal of the same factory) pays its site rent first in each
/// period's waterfall: `rentBps` of the period's reported revenue plus `rentPerUnit` for each unit of its capacity,
/// plus the rent still unpaid, out of the period's cash (after the report's cap, before the keeper bounty; what the
/// cash cannot pay is carried as {rentArrears}). The covenants see the period's cash net of rent (rent counts with the
/// fees ahead of debt service), and the servicer fee is a share of the cash after rent. The rent goes straight to the
/// site ({receiveRent}), whose next distribution counts it as cash beside its own collections.
/// @dev Warning: a deal assumes of its stablecoin that it is a plain ERC-20 with at most 18 decimals: no fee on
/// transfer (deposits check the balance delta and revert otherwise), no rebasing, no hooks that re-enter, and no
/// blocklist that would freeze the deal's own balance or its tranche tokens'. A blocklist that refuses the issuer,
/// the trustee, the servicer or a keeper stops nothing: their cash is credited and withdrawn, or the keeper is
/// whoever calls. It assumes of its oracle that a final report is immutable.
/// @dev A site cannot stop its tenants' distributions. It is a deal of the same factory (checked when the tenant is
/// created), so its code is this one: `receiveRent` takes a registered tenant's rent whatever its state (paused or
/// offering: it waits for the site's next distribution; ended: it pays on at once as recoveries, to the site's own
/// tranche tokens, which are clones of the same factory, or credited to its issuer). The one way it could revert is
/// the stablecoin refusing the site's balance, which the warning above excludes for every deal. The tenant transfers
/// the rent before it calls, so a site trusts the amount a registered tenant reports (the no-fee-on-transfer
/// assumption above makes them equal).
/// @dev One address, two contracts: the deal's own code runs {IDealMain}; every other function reaches the extension
/// through the deal's fallback (a delegate call: same storage, same clone arguments, same `msg.sender`). The full
/// interface is this one: integrators, the SDK and auditors use it and never see the split.
interface IDeal is IDealMain, IDealExtension {
    /// @notice Everything the deal knows of one tranche.
    struct TrancheInfo {
        address token;
        address offering;
        TrancheKind kind;
        CouponTerms coupon;
        PrincipalTerms principal;
        uint256 issued;
        uint256 outstanding;
        uint256 arrears;
        uint256 writtenDown;
    }

    /// @notice Why a term sheet was refused.
    enum TermSheetField {
        Stablecoin,
        Decimals,
        Issuer,
        Servicer,
        Trustee,
        Guardian,
        OfferingWindow,
        Start,
        PeriodLength,
        PeriodCount,
        PledgedShare,
        ServicerFee,
        TrancheCount,
        TrancheKind,
        TrancheName,
        FaceAmount,
        MinRaise,
        MinTicket,
        ReserveFunding,
        Coupon,
        Principal,
        TrailingPeriods,
        CleanUp,
        WaiverPeriod,
        PriceFeed,
        Trigger,
        Fleet,
        Registry,
        TransferRules,
        Capacity,
        Appraisal,
        EquityClass,
        EquityTier,
        Site
    }

    /// @notice The term sheet is invalid at `field` (of tranche `index` where the field is a tranche's).
    error InvalidTermSheet(TermSheetField field, uint256 index);
}
