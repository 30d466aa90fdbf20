// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {DealStatus, EquityTerms} from "./ICascadeTypes.sol";

/// @title IEquityWaterfall
/// @notice The LP/GP distribution waterfall of a deal with several equity classes (docs/equity.md): it receives every
/// amount the deal pays to equity — a period's residual, what a clean-up call or recoveries leave for equity — and
/// the capital events (sale or refinancing proceeds) deposited once the deal is repaid, runs it through the term
/// sheet's tiers (return of capital, preferred return, sponsor catch-up, splits by IRR hurdle) and announces each
/// class's share to the class's tranche token, whose holders claim it. The waterfall only accounts: the classes' cash
/// stays in the deal, which pays a token's claims when the token asks ({IDealMain.payClaim}), so a period moves no
/// equity cash at all (a capital event moves its proceeds into the deal once). State is
/// per class and uniform per token, so a distribution costs the same for one holder or 100 000; IRR hurdles are exact
/// and O(1) (a balance per hurdle that grows at the hurdle rate and falls with each payment).
/// @dev Warning: the waterfall assumes of its stablecoin what the deal does ({IDeal}): a plain ERC-20, no fee on
/// transfer (a capital event checks the deal's balance delta and reverts otherwise), no rebasing, no blocklist on the
/// deal. Amounts are below 2¹²⁸.
interface IEquityWaterfall {
    /// @notice One equity class, as the views report it. `contributed`: its tokens issued (sold at par);
    /// `returned`: capital returned; `prefOwed`: unpaid preferred return; `distributed`: everything paid to its token;
    /// `multiple`: distributed / contributed in WAD (zero without tokens); per hurdled split, in tier order, the
    /// class's hurdle balance and whether it is met (the class is an LP class of that split, holds tokens and its
    /// balance is zero: its IRR has reached the hurdle). State as of the last distribution (nothing accrued since).
    struct ClassState {
        address token;
        uint256 contributed;
        uint256 returned;
        uint256 prefOwed;
        uint256 distributed;
        uint256 multiple;
        uint256[] hurdleBalances;
        bool[] hurdlesMet;
    }

    /// @notice The waterfall's state started with its first distribution: class `j` contributed `contributed[j]`
    /// (its unreturned capital and its hurdle balances start there), and the accrual clock at the deal's start
    /// `startedAt`.
    event EquityStarted(uint256[] contributed, uint64 startedAt);

    /// @notice `depositor` (the issuer or the servicer) deposited `amount` of a capital event (sale or refinancing
    /// proceeds) into the waterfall of the repaid deal; {EquityDistributed} follows.
    event CapitalEventDeposited(address indexed depositor, uint256 amount);

    /// @notice The equity statement of one amount: `amount` reached equity (a capital event when `capitalEvent`; else
    /// from the deal, after its period `period`: the last it distributed, or 0 before any) dated `time`, and was
    /// paid exactly as `statement` says ({EquityStatement}, 16-byte amounts): what each tier paid each class (the last
    /// tier's row also holds what the tiers left when no class of that tier holds tokens, pro rata on contributions),
    /// and after it, per class, unreturned capital U_j and unpaid preferred return P_j; the balance of each hurdled
    /// split (in tier order) for each class; and the catch-up progress: all profit distributed (T) and the sponsor
    /// class's (S). The amounts paid sum to `amount`.
    event EquityDistributed(uint256 indexed period, bool capitalEvent, uint64 time, uint256 amount, bytes statement);

    /// @notice Only the deal pays its equity through {distribute}.
    error NotDeal(address caller);

    /// @notice Only the deal's issuer or servicer deposits a capital event.
    error NotCapitalEventDepositor(address caller);

    /// @notice Capital events go straight to the waterfall only once the deal is Repaid (before, they reach equity
    /// through the deal); it is `status`.
    error DealNotRepaid(DealStatus status);

    /// @notice The deal is paused.
    error DealPaused();

    /// @notice No equity class holds tokens: there is nobody to pay.
    error NoEquityIssued();

    /// @notice Zero amounts are refused.
    error ZeroAmount();

    /// @notice The stablecoin moved `received` instead of `expected` (fee-on-transfer tokens are not supported).
    error UnsupportedTokenTransfer(uint256 expected, uint256 received);

    /// @notice `index` is not an equity class of this waterfall.
    error UnknownClass(uint256 index);

    /// @notice Runs `amount`, which the deal has set aside for equity, through the tiers and announces each class's
    /// share to its token ({ITrancheToken.distribute}); the cash stays in the deal for the holders' claims. Only the
    /// deal calls it, with its next period `next` (the statement is dated at the end of period `next − 1`, at the
    /// deal's start when `next` is zero).
    function distribute(uint256 amount, uint256 next) external;

    /// @notice Deposits `amount` of a capital event (sale or refinancing proceeds), dated now, pulled from the caller
    /// (who approved the waterfall) into the deal, which holds the classes' cash, and distributes it. The issuer or the
    /// servicer, once the deal is Repaid and not paused.
    function depositCapitalEvent(uint256 amount) external;

    /// @notice The deal whose equity this is.
    function deal() external view returns (address);

    /// @notice The deal's stablecoin.
    function stablecoin() external view returns (address);

    /// @notice The equity terms of the term sheet (sponsor class and tiers).
    function terms() external view returns (EquityTerms memory);

    /// @notice Number of equity classes.
    function classCount() external view returns (uint256);

    /// @notice Σ of the classes' token supplies: non-zero when any class holds tokens (the deal then pays its residual
    /// here, else it credits the issuer).
    function totalSupply() external view returns (uint256);

    /// @notice When the state was last accrued to (zero before the first distribution).
    function lastAccrual() external view returns (uint64);

    /// @notice Catch-up progress: all profit distributed (T) and the sponsor class's (S).
    function profit() external view returns (uint256 total, uint256 sponsor);

    /// @notice Every equity class ({ClassState}), in rank order.
    function classes() external view returns (ClassState[] memory);

    /// @notice Equity class `j` ({ClassState}).
    function classState(uint256 j) external view returns (ClassState memory);
}
