// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {DealStatus, EquityTerms, EquityTierTerms} from "../interfaces/ICascadeTypes.sol";
import {IDeal} from "../interfaces/IDeal.sol";
import {IEquityWaterfall} from "../interfaces/IEquityWaterfall.sol";
import {ITrancheToken} from "../interfaces/ITrancheToken.sol";
import {EquityClassWord, EquityClassWordLib} from "../libraries/EquityClassWord.sol";
import {EquityMath} from "../libraries/EquityMath.sol";
import {EquityStatement} from "../libraries/EquityStatement.sol";
import {EquityTierWord} from "../libraries/EquityTierWord.sol";
import {EquityWaterfallArgs} from "../libraries/EquityWaterfallArgs.sol";
import {PeriodSchedule} from "../libraries/PeriodSchedule.sol";
import {WAD} from "../libraries/Constants.sol";

/// @title EquityWaterfall
/// @notice See {IEquityWaterfall}. A clone per deal with several equity classes, created by the factory with the deal;
/// its terms (the deal, the class tokens, the tiers) are the clone's immutable arguments ({EquityWaterfallArgs}) and
/// the math is {EquityMath}, exactly as docs/equity.md specifies it.
/// @dev A distribution reads and writes one slot for the clock and the catch-up progress, one word per class of a
/// ReturnOfCapital or PreferredReturn tier ({EquityClassWord}) and the hurdle balances of the LP classes of hurdled
/// splits (two per slot), and reads the contributions (two per slot: each class token's supply, kept at the first
/// distribution). The classes' cash stays in the deal until their holders claim it ({IDealMain.payClaim}); the tokens
/// are told their shares. Nothing depends on the number of holders.
contract EquityWaterfall is IEquityWaterfall, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    // slot 0: the accrual clock (zero before the first distribution), the settled classes and the catch-up progress,
    // T and S. Profit is below 2¹⁰⁴ (2·10³¹ units): far above any deal (the deal's own accounts are 128-bit).
    uint40 private _lastAccrual;
    /// @dev Bit j: class j is kept and settled — its capital returned and its preferred return paid (U_j = P_j = 0,
    /// its word zero). Neither rises again (preferred return accrues on U_j, and on P_j when compounding), so a
    /// distribution reads and writes no word of a settled class.
    uint8 private _settled;
    uint104 private _profit;
    uint104 private _sponsorProfit;
    /// @dev U_j and P_j of class j ({EquityMath.MAX_CLASSES} classes); kept for the classes of a ReturnOfCapital or
    /// PreferredReturn tier (any other class's U_j is its contribution and its P_j zero, for ever).
    EquityClassWord[7] private _classes;
    /// @dev H_{k,j} at k × MAX_CLASSES + j ({EquityMath.MAX_HURDLES} hurdles): the LP classes of one hurdle share
    /// slots, two to a slot.
    uint128[21] private _hurdles;
    /// @dev C_j of class j: its token's supply, fixed since its offering settled; kept at the first distribution (two
    /// to a slot), so a distribution does not ask the tokens.
    uint128[7] private _contributions;

    // ------------------------------------------------------------ distributions

    /// @inheritdoc IEquityWaterfall
    /// @dev No reentrancy guard: only the deal calls it, from its own guarded distribution, recovery or clean-up call.
    function distribute(uint256 amount, uint256 next) external {
        if (msg.sender != EquityWaterfallArgs.deal()) revert NotDeal(msg.sender);
        // Dated at the end of the deal's last distributed period (its start before any).
        (uint256 start_, uint256 length) = EquityWaterfallArgs.schedule();
        if (next == 0) _distribute(amount, 0, start_, false);
        else _distribute(amount, next - 1, PeriodSchedule.endOf(start_, length, next - 1), false);
    }

    /// @inheritdoc IEquityWaterfall
    function depositCapitalEvent(uint256 amount) external nonReentrant {
        IDeal deal_ = IDeal(EquityWaterfallArgs.deal());
        if (msg.sender != deal_.issuer() && msg.sender != deal_.servicer()) {
            revert NotCapitalEventDepositor(msg.sender);
        }
        if (amount == 0) revert ZeroAmount();
        DealStatus status_ = deal_.status();
        if (status_ != DealStatus.Repaid) revert DealNotRepaid(status_);
        if (deal_.paused()) revert DealPaused();
        if (totalSupply() == 0) revert NoEquityIssued();

        // The deal holds the classes' cash and pays their claims.
        IERC20 coin = IERC20(EquityWaterfallArgs.stablecoin());
        uint256 before = coin.balanceOf(address(deal_));
        coin.safeTransferFrom(msg.sender, address(deal_), amount);
        uint256 received = coin.balanceOf(address(deal_)) - before;
        if (received != amount) revert UnsupportedTokenTransfer(amount, received);
        emit CapitalEventDeposited(msg.sender, amount);

        uint256 next = deal_.nextPeriod();
        _distribute(amount, next == 0 ? 0 : next - 1, block.timestamp, true);
    }

    /// @dev Accrues to `time` (never backwards), runs `amount` through the tiers, records the state, then announces
    /// each class's share to its token. Every state change is written before the first call.
    function _distribute(uint256 amount, uint256 period, uint256 time, bool capitalEvent) private {
        // The math's bound: amounts below 2¹²⁸ (the deal's own accounts are 128-bit).
        SafeCast.toUint128(amount);
        (EquityMath.State memory s, EquityTierWord[] memory tiers, uint256 kept, uint256 last) = _load();
        if (time > last) {
            EquityMath.accrue(s, tiers, time - last);
            last = time;
        }
        EquityMath.Payout memory out = EquityMath.run(s, tiers, amount);
        _store(s, kept, last);
        emit EquityDistributed(period, capitalEvent, uint64(time), amount, EquityStatement.encode(s, out));

        // The deal holds the cash ({IDealMain.payClaim}); each token announces its class's share to its holders.
        for (uint256 j; j < s.classCount; ++j) {
            uint256 paid = out.total[j];
            // A class is paid only when it holds tokens (a class without takes no share).
            if (paid != 0) ITrancheToken(EquityWaterfallArgs.token(j)).distribute(paid);
        }
    }

    /// @dev The state as the last distribution left it, or, at the first, started: every class's contribution read
    /// from its token and kept, its unreturned capital and hurdle balances at it, the clock at the deal's start.
    /// Returns it, the tiers, the classes kept in storage and the clock.
    function _load()
        private
        returns (EquityMath.State memory s, EquityTierWord[] memory tiers, uint256 kept, uint256 last)
    {
        uint256 tierCount;
        (s.classCount, s.sponsor, tierCount, kept, s.hurdleCount, s.hurdleClasses) = EquityWaterfallArgs.layout();
        tiers = EquityWaterfallArgs.tiers(s.classCount, tierCount);
        last = _lastAccrual;
        if (last == 0) {
            last = _start(s);
        } else {
            _resume(s, kept);
        }
    }

    /// @dev The first distribution: each class's contribution read from its token and kept; its unreturned capital
    /// and hurdle balances start there, dated at the deal's start (returned).
    function _start(EquityMath.State memory s) private returns (uint256 start_) {
        uint256 n = s.classCount;
        uint256[] memory contributed = new uint256[](n);
        for (uint256 j; j < n; ++j) {
            uint256 c = _supplyOf(j);
            (s.contributed[j], s.unreturned[j], contributed[j], _contributions[j]) = (c, c, c, uint128(c));
            for (uint256 k; k < s.hurdleCount; ++k) {
                if ((s.hurdleClasses[k] >> j) & 1 != 0) s.hurdles[k][j] = c;
            }
        }
        (start_, ) = EquityWaterfallArgs.schedule();
        emit EquityStarted(contributed, uint64(start_));
    }

    /// @dev Any later distribution: the state as the last one left it. A class not of `kept` has its whole
    /// contribution unreturned and no preferred return, for ever; a settled one neither: only the words of the kept
    /// classes not settled are read.
    function _resume(EquityMath.State memory s, uint256 kept) private view {
        (s.profit, s.sponsorProfit) = (_profit, _sponsorProfit);
        uint256 live = kept & ~uint256(_settled);
        uint256 n = s.classCount;
        for (uint256 j; j < n; ++j) {
            uint256 c = _contributions[j];
            s.contributed[j] = c;
            if ((live >> j) & 1 != 0) {
                EquityClassWord w = _classes[j];
                (s.unreturned[j], s.pref[j]) = (w.unreturned(), w.pref());
            } else if ((kept >> j) & 1 == 0) {
                s.unreturned[j] = c;
            }
        }
        for (uint256 k; k < s.hurdleCount; ++k) {
            uint256 mask = s.hurdleClasses[k];
            uint256[7] memory balances = s.hurdles[k];
            for (uint256 j; mask >> j != 0; ++j) {
                if ((mask >> j) & 1 != 0) balances[j] = _hurdles[k * EquityMath.MAX_CLASSES + j];
            }
        }
    }

    /// @dev Writes `s` back, with the clock at `last`: the words of the kept classes not settled before, each class
    /// that is now settled marked so (its word written zero once).
    function _store(EquityMath.State memory s, uint256 kept, uint256 last) private {
        uint256 settled = _settled;
        uint256 live = kept & ~settled;
        for (uint256 j; live >> j != 0; ++j) {
            if ((live >> j) & 1 == 0) continue;
            EquityClassWord w = EquityClassWordLib.pack(s.unreturned[j], s.pref[j]);
            _classes[j] = w;
            if (EquityClassWord.unwrap(w) == 0) settled |= 1 << j;
        }
        (_lastAccrual, _settled, _profit, _sponsorProfit) = (
            SafeCast.toUint40(last),
            uint8(settled),
            SafeCast.toUint104(s.profit),
            SafeCast.toUint104(s.sponsorProfit)
        );
        for (uint256 k; k < s.hurdleCount; ++k) {
            uint256 mask = s.hurdleClasses[k];
            uint256[7] memory balances = s.hurdles[k];
            // Balances saturate at 2¹²⁸ − 1 ({EquityMath.MAX_BALANCE}).
            for (uint256 j; mask >> j != 0; ++j) {
                if ((mask >> j) & 1 != 0) _hurdles[k * EquityMath.MAX_CLASSES + j] = uint128(balances[j]);
            }
        }
    }

    /// @dev Class `j`'s contribution: its token's supply, fixed since its offering settled.
    function _supplyOf(uint256 j) private view returns (uint256) {
        return IERC20(EquityWaterfallArgs.token(j)).totalSupply();
    }

    // ------------------------------------------------------------ views

    /// @inheritdoc IEquityWaterfall
    function deal() external view returns (address) {
        return EquityWaterfallArgs.deal();
    }

    /// @inheritdoc IEquityWaterfall
    function stablecoin() external view returns (address) {
        return EquityWaterfallArgs.stablecoin();
    }

    /// @inheritdoc IEquityWaterfall
    function terms() external view returns (EquityTerms memory e) {
        (uint256 n, uint256 sponsor, uint256 tierCount) = EquityWaterfallArgs.counts();
        e.sponsorClass = uint8(sponsor);
        e.tiers = _tierTerms(n, tierCount);
    }

    /// @inheritdoc IEquityWaterfall
    function classCount() external view returns (uint256 n) {
        (n, , ) = EquityWaterfallArgs.counts();
    }

    /// @inheritdoc IEquityWaterfall
    function totalSupply() public view returns (uint256 total) {
        (uint256 n, , ) = EquityWaterfallArgs.counts();
        // The supplies are fixed since the offerings settled. Read from the tokens, which a distribution pays next.
        for (uint256 j; j < n; ++j) total += _supplyOf(j);
    }

    /// @inheritdoc IEquityWaterfall
    function lastAccrual() external view returns (uint64) {
        return _lastAccrual;
    }

    /// @inheritdoc IEquityWaterfall
    function profit() external view returns (uint256 total, uint256 sponsor) {
        return (_profit, _sponsorProfit);
    }

    /// @inheritdoc IEquityWaterfall
    function classes() external view returns (ClassState[] memory list) {
        (uint256 n, , ) = EquityWaterfallArgs.counts();
        list = new ClassState[](n);
        for (uint256 j; j < n; ++j) list[j] = _classState(j);
    }

    /// @inheritdoc IEquityWaterfall
    function classState(uint256 j) external view returns (ClassState memory) {
        (uint256 n, , ) = EquityWaterfallArgs.counts();
        if (j >= n) revert UnknownClass(j);
        return _classState(j);
    }

    function _classState(uint256 j) private view returns (ClassState memory c) {
        (, , , uint256 kept, uint256 hurdleCount, uint256[3] memory masks) = EquityWaterfallArgs.layout();
        c.token = EquityWaterfallArgs.token(j);
        c.contributed = IERC20(c.token).totalSupply();
        bool started = _lastAccrual != 0;
        if (started && (kept >> j) & 1 != 0) {
            EquityClassWord w = _classes[j];
            (c.returned, c.prefOwed) = (c.contributed - w.unreturned(), w.pref());
        }
        c.distributed = ITrancheToken(c.token).distributed();
        c.multiple = c.contributed == 0 ? 0 : (c.distributed * WAD) / c.contributed;
        c.hurdleBalances = new uint256[](hurdleCount);
        c.hurdlesMet = new bool[](hurdleCount);
        for (uint256 k; k < hurdleCount; ++k) {
            if ((masks[k] >> j) & 1 == 0) continue;
            uint256 balance = started ? _hurdles[k * EquityMath.MAX_CLASSES + j] : c.contributed;
            c.hurdleBalances[k] = balance;
            c.hurdlesMet[k] = balance == 0 && c.contributed != 0;
        }
    }

    function _tierTerms(uint256 n, uint256 tierCount) private view returns (EquityTierTerms[] memory list) {
        list = new EquityTierTerms[](tierCount);
        for (uint256 i; i < tierCount; ++i) list[i] = EquityWaterfallArgs.tierWord(n, i).terms();
    }
}
