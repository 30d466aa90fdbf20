// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {
    CapacityUnit,
    DealStatus,
    PeriodStatement,
    PrincipalTerms,
    PrincipalType,
    TermSheet,
    TrancheTerms
} from "../../contracts/interfaces/ICascadeTypes.sol";
import {IDeal} from "../../contracts/interfaces/IDeal.sol";
import {IOffering} from "../../contracts/interfaces/IOffering.sol";
import {IUtilizationOracle} from "../../contracts/interfaces/IUtilizationOracle.sol";

import {ProtocolFixture, ReportSigning} from "./utils/ProtocolFixture.sol";

/**
 * Site rent between a tenant deal and its data-center site, over random periods: random revenue and deposits at both,
 * tenant periods nobody reports, site distributions late by several periods (the rent waits), and sites shorter than
 * their tenant (the rent of an ended site pays on at once as its recoveries).
 *
 * S1  Conservation: the rent the tenant's statements paid, cumulative, is the rent its site's statements counted as
 *     cash, plus the rent pending at the site, plus the rent the site received once ended.
 * S2  Rent first: each tenant period pays min(its cash, rent due) where rent due is `rentBps` of its reported revenue
 *     (none unreported) + `rentPerUnit` × capacity + the previous arrears, and carries the rest as arrears.
 * S3  Solvency: each deal holds exactly its collections (the site's pending rent included), reserve, recovery account,
 *     fees and residual owed.
 */
contract SiteRentTest is ProtocolFixture {
    uint256 internal constant PERIODS = 8;
    uint256 internal constant HOURS = 1_000_000;
    uint16 internal constant RENT_BPS = 700;
    uint128 internal constant RENT_PER_GPU = uint128(15 * USDC);
    uint256 internal constant GPUS = 2_048;

    IDeal internal site;
    IDeal internal tenant;
    uint256 internal sitePeriods;

    /// @dev What the statements say, cumulative.
    uint256 internal tenantRentPaid;
    uint256 internal siteRentIn;
    uint256 internal rentToEndedSite;

    function setUp() public {
        _deployProtocol();
    }

    /// @dev Random figures of one run: per period, the tenant's and the site's revenue and deposits, and flags.
    struct Run {
        uint256[PERIODS] tenantRevenue;
        uint256[PERIODS] tenantDeposit;
        uint256[PERIODS] siteRevenue;
        uint256[PERIODS] siteDeposit;
        /// Bit p: tenant period p unreported. Bit 8 + p: the site distributes what is ready after the tenant's period
        /// p (otherwise it waits).
        uint256 flags;
        uint256 sitePeriods;
    }

    /// S1 – S3
    function testFuzz_siteRent_conservedBetweenTenantAndSite(Run memory r) public {
        sitePeriods = _bound(r.sitePeriods, 2, PERIODS);
        _createPair(sitePeriods);
        uint256 arrears;
        for (uint256 p; p < PERIODS; ++p) {
            uint256 end = tenant.periodEnd(p);
            vm.warp(end);
            bool unreported = (r.flags >> p) & 1 == 1;
            uint256 revenue = _bound(r.tenantRevenue[p], 0, 2_000_000 * USDC);
            _deposit(tenant, _bound(r.tenantDeposit[p], 0, 2_500_000 * USDC));
            if (p < sitePeriods) {
                _deposit(site, _bound(r.siteDeposit[p], 0, 1_000_000 * USDC));
                _report(site, p, _bound(r.siteRevenue[p], 0, 1_000_000 * USDC));
            }
            if (unreported) {
                vm.warp(oracle.reportDeadline(address(tenant), p));
                oracle.markUnreported(address(tenant), p);
            } else {
                _report(tenant, p, revenue);
            }
            vm.warp(block.timestamp + DISPUTE_WINDOW);

            bool siteEnded = site.status() >= DealStatus.Repaid;
            uint256 due = (unreported ? 0 : (revenue * RENT_BPS) / 10_000) + RENT_PER_GPU * GPUS + arrears;
            PeriodStatement memory s = tenant.distribute(p);
            uint256 paid = s.rentPaid;
            assertEq(paid, s.cashIn < due ? s.cashIn : due, "S2: rent paid = min(cash, due)");
            assertEq(s.rentArrears, due - paid, "S2: arrears carried");
            assertEq(tenant.rentArrears(), due - paid, "S2: arrears view");
            arrears = due - paid;
            tenantRentPaid += paid;
            if (siteEnded) rentToEndedSite += paid;

            if ((r.flags >> (8 + p)) & 1 == 1) _catchUpSite(p);
            _checkConservation();
            _checkSolvency(tenant);
            _checkSolvency(site);
        }
        _catchUpSite(PERIODS);
        _checkConservation();
        _checkSolvency(site);
    }

    /// S1 – S3 on one run that has every case: a three-period site that waits two periods before distributing (its
    /// rent pending meanwhile), a tenant period nobody reports, a tenant short of cash (arrears), and the rent of the
    /// last five periods paid to the site once it has ended.
    function test_siteRent_everyCase() public {
        Run memory r;
        for (uint256 p; p < PERIODS; ++p) {
            r.tenantRevenue[p] = (300_000 + 10_000 * p) * USDC;
            r.tenantDeposit[p] = p == 2 ? 10_000 * USDC : (400_000 + 10_000 * p) * USDC;
            r.siteRevenue[p] = 80_000 * USDC;
            r.siteDeposit[p] = 90_000 * USDC;
        }
        // Tenant period 1 unreported; the site distributes after tenant periods 2, 3, 5 and 7 only.
        r.flags = (1 << 1) | (1 << (8 + 2)) | (1 << (8 + 3)) | (1 << (8 + 5)) | (1 << (8 + 7));
        r.sitePeriods = 3;
        testFuzz_siteRent_conservedBetweenTenantAndSite(r);
        assertGt(siteRentIn, 0, "the site counted rent as cash");
        assertGt(rentToEndedSite, 0, "rent reached the ended site");
        assertTrue(site.status() >= DealStatus.Repaid, "the site ended");
    }

    /// @dev Distributes the site's periods that are ready, up to and including `upTo`.
    function _catchUpSite(uint256 upTo) internal {
        while (true) {
            uint256 next = site.nextPeriod();
            if (next > upTo || next >= sitePeriods || site.status() >= DealStatus.Repaid) return;
            (bool ready, ) = site.readyPeriod();
            if (!ready) return;
            PeriodStatement memory s = site.distribute(next);
            assertEq(s.rentPaid, 0, "a site pays no rent");
            siteRentIn += s.rentIn;
        }
    }

    function _checkConservation() internal view {
        assertEq(
            tenantRentPaid,
            siteRentIn + site.pendingRent() + rentToEndedSite,
            "S1: rent paid = rent counted + pending + received once ended"
        );
    }

    function _checkSolvency(IDeal deal) internal view {
        (uint256 reserve, ) = deal.reserve();
        (uint256 trusteeFees, uint256 servicerFees) = deal.feesOwed();
        assertEq(
            usdc.balanceOf(address(deal)),
            deal.undistributedCollections() +
                reserve +
                deal.recoveries() +
                trusteeFees +
                servicerFees +
                deal.residualOwed(),
            "S3: the deal holds what it owes"
        );
    }

    function _createPair(uint256 siteCount) internal {
        TermSheet memory s = _termSheet(_tranches(siteCount), uint16(siteCount));
        s.oracle.unit = CapacityUnit.KilowattHours;
        s.oracle.fleetGpus = 10_000;
        IOffering[] memory siteOfferings;
        (site, , siteOfferings) = _createDeal(s);
        TermSheet memory t = _termSheet(_tranches(PERIODS), uint16(PERIODS));
        t.site.site = address(site);
        t.site.rentBps = RENT_BPS;
        t.site.rentPerUnit = RENT_PER_GPU;
        IOffering[] memory tenantOfferings;
        (tenant, , tenantOfferings) = _createDeal(t);
        vm.warp(t.offeringOpensAt);
        address investor = vm.addr(0x1417E57);
        for (uint256 i; i < 3; ++i) {
            _subscribe(siteOfferings[i], investor, s.tranches[i].faceAmount);
            _subscribe(tenantOfferings[i], investor, t.tranches[i].faceAmount);
        }
        vm.warp(t.offeringClosesAt);
        for (uint256 i; i < 3; ++i) {
            siteOfferings[i].close();
            tenantOfferings[i].close();
        }
        usdc.mint(servicer, type(uint128).max);
        vm.startPrank(servicer);
        usdc.approve(address(site), type(uint256).max);
        usdc.approve(address(tenant), type(uint256).max);
        vm.stopPrank();
    }

    /// @dev A 2 M senior note amortizing from period 1 to maturity, a 1 M junior bullet and 1 M of equity; 2.5 %
    /// reserve.
    function _tranches(uint256 periods) internal pure returns (TrancheTerms[] memory tranches) {
        tranches = new TrancheTerms[](3);
        tranches[0] = _note(
            "SENIOR",
            2_000_000 * USDC,
            USDC,
            250,
            _fixed(8e16),
            PrincipalTerms(PrincipalType.StraightLine, 1, uint16(periods - 1))
        );
        tranches[1] = _note("JUNIOR", 1_000_000 * USDC, USDC, 0, _fixed(14e16), _bullet());
        tranches[2] = _equity("EQUITY", 1_000_000 * USDC, USDC);
    }

    function _deposit(IDeal deal, uint256 amount) internal {
        if (amount == 0) return;
        vm.prank(servicer);
        deal.depositCollections(amount);
    }

    function _report(IDeal deal, uint256 period, uint256 revenue) internal {
        IUtilizationOracle.Report memory report = IUtilizationOracle.Report({
            chainId: block.chainid,
            oracle: address(oracle),
            deal: address(deal),
            period: uint64(period),
            round: oracle.getReport(address(deal), period).round,
            reporterSet: oracle.reporterSet(address(deal)),
            gpuHoursAvailable: uint64(HOURS),
            gpuHoursBilled: uint64(HOURS / 2),
            revenue: uint128(revenue),
            // The site bills kWh: it states its facility's energy, at a PUE of 1.30.
            energyKwh: deal == site ? uint64(((HOURS / 2) * 13) / 10) : 0,
            pue: deal == site ? 13_000 : 0,
            appraisal: 0,
            reportHash: keccak256(abi.encode("report", address(deal), period))
        });
        uint256[] memory keys = new uint256[](2);
        keys[0] = reporterKeys[0];
        keys[1] = reporterKeys[1];
        (address[] memory signers, bytes[] memory signatures) = ReportSigning.sign(oracle, report, keys);
        oracle.submitReport(report, signers, signatures);
    }

    function _bound(uint256 x, uint256 min, uint256 max) internal pure returns (uint256) {
        return min + (x % (max - min + 1));
    }
}
