// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {
    CouponTerms,
    CouponType,
    DepreciationMethod,
    FleetEntryTerms,
    PrincipalTerms,
    PrincipalType,
    RiskMetric,
    TermSheet,
    TrancheKind,
    TrancheTerms,
    TriggerComparison,
    TriggerEffect,
    TriggerTerms
} from "../../../contracts/interfaces/ICascadeTypes.sol";
import {IDeal} from "../../../contracts/interfaces/IDeal.sol";
import {IOffering} from "../../../contracts/interfaces/IOffering.sol";
import {ITrancheToken} from "../../../contracts/interfaces/ITrancheToken.sol";
import {IUtilizationOracle} from "../../../contracts/interfaces/IUtilizationOracle.sol";
import {Deal} from "../../../contracts/core/Deal.sol";
import {DealExtension} from "../../../contracts/core/DealExtension.sol";
import {DealFactory} from "../../../contracts/core/DealFactory.sol";
import {EquityWaterfall} from "../../../contracts/core/EquityWaterfall.sol";
import {Offering} from "../../../contracts/core/Offering.sol";
import {RiskEngine} from "../../../contracts/core/RiskEngine.sol";
import {TrancheToken} from "../../../contracts/core/TrancheToken.sol";
import {TrancheTokenExtension} from "../../../contracts/core/TrancheTokenExtension.sol";
import {BlocklistStablecoin} from "../../../contracts/mocks/BlocklistStablecoin.sol";
import {UtilizationOracle} from "../../../contracts/oracle/UtilizationOracle.sol";

import {Assertions} from "./Assertions.sol";
import {TestBase, Vm} from "./Vm.sol";

/// @notice Signs utilization reports with EOA reporter keys (EIP-712 digest from the oracle itself).
library ReportSigning {
    Vm internal constant vm = Vm(0x7109709ECfa91a80626fF3989D68f67F5b1DD12D);

    /// @dev `keys` must already be sorted by address, ascending, as the oracle requires.
    function sign(
        UtilizationOracle oracle,
        IUtilizationOracle.Report memory report,
        uint256[] memory keys
    ) internal view returns (address[] memory signers, bytes[] memory signatures) {
        bytes32 digest = oracle.hashReport(report);
        signers = new address[](keys.length);
        signatures = new bytes[](keys.length);
        for (uint256 i; i < keys.length; ++i) {
            (uint8 v, bytes32 r, bytes32 s) = vm.sign(keys[i], digest);
            signers[i] = vm.addr(keys[i]);
            signatures[i] = abi.encodePacked(r, s, v);
        }
    }
}

/// @notice Deploys the protocol (6-decimals stablecoin, oracle, implementations, factory) and builds term sheets.
abstract contract ProtocolFixture is TestBase, Assertions {
    uint256 internal constant USDC = 1e6;
    uint256 internal constant WAD = 1e18;
    uint32 internal constant PERIOD = 30 days;
    uint32 internal constant DISPUTE_WINDOW = 1 days;

    /// @dev USDC-like: it can blocklist accounts and pause, which the invariant handlers use as actors.
    BlocklistStablecoin internal usdc;
    UtilizationOracle internal oracle;
    DealFactory internal factory;

    address internal issuer;
    address internal servicer;
    address internal trustee;
    address internal guardian;
    /// @dev Reporter keys sorted by their addresses, ascending.
    uint256[] internal reporterKeys;
    address[] internal reporters;

    function _deployProtocol() internal {
        usdc = new BlocklistStablecoin("USD Coin", "USDC", 6);
        oracle = new UtilizationOracle(address(this));
        factory = new DealFactory(
            address(new Deal(address(new DealExtension()))),
            address(new TrancheToken(address(new TrancheTokenExtension()))),
            address(new Offering()),
            address(new RiskEngine()),
            address(new EquityWaterfall()),
            address(oracle)
        );
        oracle.grantRole(oracle.REGISTRAR_ROLE(), address(factory));

        issuer = vm.addr(0x15500E5);
        servicer = vm.addr(0x5E541CE5);
        trustee = vm.addr(0x7275DEE);
        guardian = vm.addr(0x6A4D1A);

        uint256[3] memory keys = [uint256(0xA11CE), 0xB0B, 0xCA401];
        // Insertion sort by address: the oracle wants signers in strictly ascending order.
        for (uint256 i = 1; i < 3; ++i) {
            for (uint256 j = i; j > 0 && vm.addr(keys[j]) < vm.addr(keys[j - 1]); --j) {
                (keys[j], keys[j - 1]) = (keys[j - 1], keys[j]);
            }
        }
        for (uint256 i; i < 3; ++i) {
            reporterKeys.push(keys[i]);
            reporters.push(vm.addr(keys[i]));
        }
    }

    function _note(
        string memory name,
        uint256 face,
        uint256 minRaise,
        uint16 reserveFundingBps,
        CouponTerms memory coupon,
        PrincipalTerms memory principal
    ) internal pure returns (TrancheTerms memory t) {
        t.name = name;
        t.symbol = name;
        t.kind = TrancheKind.Note;
        t.faceAmount = uint128(face);
        t.minRaise = uint128(minRaise);
        t.minTicket = uint128(USDC);
        t.reserveFundingBps = reserveFundingBps;
        t.coupon = coupon;
        t.principal = principal;
    }

    function _equity(string memory name, uint256 face, uint256 minRaise) internal pure returns (TrancheTerms memory t) {
        t.name = name;
        t.symbol = name;
        t.kind = TrancheKind.Equity;
        t.faceAmount = uint128(face);
        t.minRaise = uint128(minRaise);
        t.minTicket = uint128(USDC);
    }

    function _fixed(uint256 rate) internal pure returns (CouponTerms memory c) {
        c.couponType = CouponType.Fixed;
        c.baseRate = uint64(rate);
    }

    function _bullet() internal pure returns (PrincipalTerms memory p) {
        p.scheduleType = PrincipalType.Bullet;
    }

    function _trigger(
        RiskMetric metric,
        TriggerComparison comparison,
        TriggerEffect effect,
        uint8 periods,
        bool cures,
        uint256 threshold
    ) internal pure returns (TriggerTerms memory) {
        return
            TriggerTerms({
                metric: metric,
                comparison: comparison,
                effect: effect,
                periods: periods,
                cures: cures,
                threshold: uint128(threshold)
            });
    }

    /// @dev `count` GPUs of `model` at `unitCost`, worth `unitResidual` after `usefulLife`; `yearlyRate` zero means
    /// straight-line, otherwise declining balance at that yearly rate. Book value only (no index mark).
    function _fleetEntry(
        bytes16 model,
        uint32 count,
        uint256 unitCost,
        uint256 unitResidual,
        uint64 acquiredAt,
        uint32 usefulLife,
        uint64 yearlyRate
    ) internal pure returns (FleetEntryTerms memory e) {
        e.model = model;
        e.count = count;
        e.unitCost = uint128(unitCost);
        e.unitResidual = uint128(unitResidual);
        e.acquiredAt = acquiredAt;
        e.usefulLife = usefulLife;
        e.method = yearlyRate == 0 ? DepreciationMethod.StraightLine : DepreciationMethod.DecliningBalance;
        e.yearlyRate = yearlyRate;
    }

    /// @dev Offering opens in a minute, closes a week later; the first period starts at close.
    function _termSheet(TrancheTerms[] memory tranches, uint16 periodCount) internal view returns (TermSheet memory t) {
        uint64 opens = uint64(block.timestamp + 60);
        uint64 closes = opens + 7 days;
        t.stablecoin = address(usdc);
        t.issuer = issuer;
        t.servicer = servicer;
        t.trustee = trustee;
        t.guardian = guardian;
        t.offeringOpensAt = opens;
        t.offeringClosesAt = closes;
        t.start = closes;
        t.periodLength = PERIOD;
        t.periodCount = periodCount;
        t.pledgedShareBps = 10_000;
        t.servicerFeeBps = 100;
        t.trusteeFeePerPeriod = uint128(2_000 * USDC);
        t.reserveTarget = uint128(150_000 * USDC);
        t.keeperBounty = uint128(50 * USDC);
        t.oracle.reporters = reporters;
        t.oracle.threshold = 2;
        t.oracle.disputeWindow = DISPUTE_WINDOW;
        t.oracle.reportDeadline = 10 days;
        t.oracle.reporterChangeDelay = 3 days;
        t.oracle.fleetGpus = 2_048;
        t.oracle.maxPricePerGpuHour = uint64(1_000 * USDC);
        t.oracle.maxUtilizationStep = uint64(WAD);
        t.risk.trailingPeriods = 3;
        t.risk.waiverVotingPeriod = 7 days;
        t.tranches = tranches;
    }

    function _createDeal(
        TermSheet memory t
    ) internal returns (IDeal deal, ITrancheToken[] memory tokens, IOffering[] memory offerings) {
        // Only the issuer the term sheet names may create its deal.
        vm.prank(t.issuer);
        deal = IDeal(factory.createDeal(t));
        uint256 count = deal.trancheCount();
        tokens = new ITrancheToken[](count);
        offerings = new IOffering[](count);
        for (uint256 i; i < count; ++i) {
            IDeal.TrancheInfo memory info = deal.tranche(i);
            tokens[i] = ITrancheToken(info.token);
            offerings[i] = IOffering(info.offering);
        }
    }

    /// @dev Mints `amount` to `investor`, who approves and requests a deposit for itself.
    function _subscribe(IOffering offering, address investor, uint256 amount) internal {
        usdc.mint(investor, amount);
        vm.startPrank(investor);
        usdc.approve(address(offering), amount);
        offering.requestDeposit(amount, investor, investor);
        vm.stopPrank();
    }
}
