// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

import {TermSheet, TrancheTerms} from "../../contracts/interfaces/ICascadeTypes.sol";
import {IDeal} from "../../contracts/interfaces/IDeal.sol";
import {IUtilizationOracle} from "../../contracts/interfaces/IUtilizationOracle.sol";
import {UtilizationOracle} from "../../contracts/oracle/UtilizationOracle.sol";

import {ProtocolFixture} from "./utils/ProtocolFixture.sol";

/*
 * submitReport of the utilization oracle (contracts/oracle/UtilizationOracle.sol), fuzzed over random reports
 * (GPU-hours available and billed, revenue, energy, PUE and appraisal, period, round, the chain / oracle / deal /
 * reporter set it is bound to), random times, random prior states of the period and of the previous one (no report,
 * pending or final, disputed once, re-reported, marked unreported), and random signer sets: subsets of the three
 * reporters and random non-reporter keys, in ascending, picked or descending order, with duplicates, a corrupted
 * signature, or a signature count that does not match.
 *
 * R1  A report is accepted if and only if: it is bound to this chain, this oracle, the deal and the deal's
 *     current reporter set; its period is in range and has ended; the period is not unreported; its round is the
 *     period's current round and that round has no report; it arrives before the period's report deadline (its
 *     end + reportDeadline, or one dispute window after the last dispute when that is later); billed ≤ available
 *     ≤ fleetGpus × hours in a period and revenue ≤ billed × maxPricePerGpuHour; energy and PUE are both zero or
 *     both non-zero, PUE in [1.0, 3.0] (× 10 000; a GPU-hours deal's energy is not bounded); there is one signature per
 *     signer, at least the threshold of them, and every reporter when utilization moved by more than
 *     maxUtilizationStep from the previous period's pending or final report; signers are strictly ascending, all
 *     current reporters, each with a valid signature.
 * R2  Otherwise it is refused with exactly the error (selector and arguments) of the first failed condition, in
 *     the order above, and nothing is stored.
 * R3  An accepted report is stored as proposed now, pending, in the report's round, with its figures.
 */
contract OracleFuzzTest is ProtocolFixture {
    uint16 internal constant PERIODS = 6;
    uint32 internal constant FLEET_GPUS = 100;
    uint64 internal constant MAX_PRICE = uint64(20 * USDC);
    uint64 internal constant MAX_STEP = 3e17;
    uint256 internal constant REPORT_DEADLINE = 10 days;
    uint256 internal constant THRESHOLD = 2;
    /// @dev A report's PUE range, × 10 000: 1.0 to 3.0.
    uint256 internal constant MIN_PUE = 10_000;
    uint256 internal constant MAX_PUE = 30_000;
    /// @dev fleetGpus × hours in a 30-day period.
    uint256 internal constant MAX_AVAILABLE = (uint256(FLEET_GPUS) * PERIOD) / 3600;
    uint256 internal constant SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141;

    /// @dev Reporter sets: 1 is the deal's first set (stale after the re-issue in setUp), 2 the other deal's, 3 the
    /// deal's current one.
    uint64 internal constant STALE_SET = 1;
    uint64 internal constant OTHER_DEAL_SET = 2;
    uint64 internal constant CURRENT_SET = 3;

    IDeal internal deal;
    IDeal internal otherDeal;
    UtilizationOracle internal otherOracle;

    struct Input {
        uint64 available;
        uint64 billed;
        uint128 revenue;
        uint64 period;
        uint256 time;
        uint64 previousBilled;
        uint64 energy;
        uint16 pue;
        uint128 appraisal;
        /// @dev One byte per decision (see _knob).
        uint256 knobs;
        uint8 signerCount;
        uint8 reporterMask;
        uint256[5] picks;
        uint256[3] keySeeds;
    }

    /// @dev What the test knows of the period before the report (it made that state itself).
    struct Prior {
        uint256 round;
        bool proposed;
        bool unreported;
        bool previousReported;
        uint256 previousUtilization;
        uint256 disputedAt;
    }

    struct Signer {
        address addr;
        uint256 key;
        uint256 corruption; // 0: none; 1: another digest; 2: garbage; 3: another key
    }

    struct Run {
        IUtilizationOracle.Report report;
        Signer[] signers;
        address[] signerAddresses;
        bytes[] signatures;
        uint256 endsAt;
        bytes expected;
    }

    function setUp() public {
        _deployProtocol();
        TrancheTerms[] memory tranches = new TrancheTerms[](2);
        tranches[0] = _note("SENIOR", 1_000_000 * USDC, USDC, 0, _fixed(8e16), _bullet());
        tranches[1] = _equity("EQUITY", 1_000_000 * USDC, USDC);
        TermSheet memory t = _termSheet(tranches, PERIODS);
        t.oracle.fleetGpus = FLEET_GPUS;
        t.oracle.maxPricePerGpuHour = MAX_PRICE;
        t.oracle.maxUtilizationStep = MAX_STEP;
        (deal, , ) = _createDeal(t);
        (otherDeal, , ) = _createDeal(_termSheet(tranches, PERIODS));

        // The issuer re-issues the same reporters: the deal's first set becomes stale.
        vm.prank(issuer);
        oracle.proposeReporters(address(deal), reporters, THRESHOLD);
        vm.warp(block.timestamp + 3 days);
        oracle.applyReporters(address(deal));
        assertEq(oracle.reporterSet(address(deal)), CURRENT_SET, "setUp: current set");
        assertEq(oracle.reporterSet(address(otherDeal)), OTHER_DEAL_SET, "setUp: other deal's set");
        assertLt(block.timestamp, deal.start(), "setUp: deal started");

        otherOracle = new UtilizationOracle(address(this));
    }

    /// R1–R3
    function testFuzz_submitReport_acceptedIffValid(Input memory input) public {
        Run memory run;
        // Half the cases are "clean": the knobs inject no fault, only the prior state and the signer subset vary.
        uint256 period =
            _fault(input.knobs, 12, 16)
                ? input.period
                : bound(input.period, 0, _clean(input.knobs) ? PERIODS - 1 : PERIODS + 1);
        uint256 time = _time(input, period);

        Prior memory prior;
        if (period < PERIODS) {
            if (period > 0) _preparePrevious(prior, period - 1, time, _knob(input.knobs, 5), input.previousBilled);
            _prepareTarget(prior, period, time, _knob(input.knobs, 4));
        }
        vm.warp(time);

        run.report = _report(input, period, prior);
        run.endsAt = period < PERIODS ? _periodEnd(period) : 0;
        _signers(run, input);
        _sign(run, _fault(input.knobs, 8, 16));
        run.expected = _expectedError(run, prior, period, time);

        address target = run.report.deal;
        IUtilizationOracle.PeriodReport memory before = oracle.getReport(target, period);
        try oracle.submitReport(run.report, run.signerAddresses, run.signatures) {
            if (run.expected.length != 0) {
                revert AssertionFailed("R1: accepted a report that should be refused with", _selector(run.expected), 0);
            }
            IUtilizationOracle.PeriodReport memory stored = oracle.getReport(target, period);
            assertEq(stored.gpuHoursAvailable, run.report.gpuHoursAvailable, "R3: available");
            assertEq(stored.gpuHoursBilled, run.report.gpuHoursBilled, "R3: billed");
            assertEq(stored.revenue, run.report.revenue, "R3: revenue");
            assertEq(stored.energyKwh, run.report.energyKwh, "R3: energy");
            assertEq(stored.pue, run.report.pue, "R3: PUE");
            assertEq(stored.appraisal, run.report.appraisal, "R3: appraisal");
            assertEq(stored.proposedAt, time, "R3: proposedAt");
            assertEq(stored.round, run.report.round, "R3: round");
            assertEq(uint256(stored.state), uint256(IUtilizationOracle.ReportState.Pending), "R3: state");
        } catch (bytes memory reason) {
            if (run.expected.length == 0)
                revert AssertionFailed("R1: refused a valid report with", _selector(reason), 0);
            assertEq(_selector(reason), _selector(run.expected), "R2: wrong error (got, expected)");
            assertEq(uint256(keccak256(reason)), uint256(keccak256(run.expected)), "R2: wrong error arguments");
            IUtilizationOracle.PeriodReport memory afterwards = oracle.getReport(target, period);
            assertEq(uint256(keccak256(abi.encode(afterwards))), uint256(keccak256(abi.encode(before))), "R2: changed");
        }
    }

    /// A quorum report of an ended period, and the same report again: regression anchor for the model.
    function test_submitReport_quorumThenAlreadyProposed() public {
        vm.warp(_periodEnd(0));
        IUtilizationOracle.Report memory r = _validReport(0, 700, 1_000);
        uint256[] memory keys = new uint256[](2);
        keys[0] = reporterKeys[0];
        keys[1] = reporterKeys[2];
        (address[] memory signers, bytes[] memory signatures) = _signWith(r, keys);
        oracle.submitReport(r, signers, signatures);
        assertEq(uint256(oracle.reportState(address(deal), 0)), 1, "pending");
        vm.expectRevert(abi.encodeWithSelector(IUtilizationOracle.ReportAlreadyProposed.selector, address(deal), 0, 0));
        oracle.submitReport(r, signers, signatures);
    }

    /// A step above the maximum needs all three reporters: two are refused with the exact step, three accepted.
    function test_submitReport_stepNeedsEveryReporter() public {
        vm.warp(_periodEnd(0));
        IUtilizationOracle.Report memory r0 = _validReport(0, 900, 1_000);
        (address[] memory s0, bytes[] memory g0) = _signWith(r0, reporterKeys);
        oracle.submitReport(r0, s0, g0);
        vm.warp(_periodEnd(1));
        IUtilizationOracle.Report memory r1 = _validReport(1, 500, 1_000); // 90 % → 50 %
        uint256[] memory two = new uint256[](2);
        two[0] = reporterKeys[0];
        two[1] = reporterKeys[1];
        (address[] memory s1, bytes[] memory g1) = _signWith(r1, two);
        vm.expectRevert(
            abi.encodeWithSelector(IUtilizationOracle.UtilizationStepNeedsAllReporters.selector, 4e17, MAX_STEP, 2, 3)
        );
        oracle.submitReport(r1, s1, g1);
        (s1, g1) = _signWith(r1, reporterKeys);
        oracle.submitReport(r1, s1, g1);
    }

    // ------------------------------------------------------------------ the model

    /// @dev The error the oracle must raise for `run`, in the order the interface documents; empty when valid.
    function _expectedError(
        Run memory run,
        Prior memory prior,
        uint256 period,
        uint256 time
    ) internal view returns (bytes memory) {
        IUtilizationOracle.Report memory r = run.report;
        bytes memory binding = _bindingError(r);
        if (binding.length != 0) return binding;
        if (period >= PERIODS) {
            return abi.encodeWithSelector(IUtilizationOracle.ReportPeriodOutOfRange.selector, r.deal, period, PERIODS);
        }
        if (time < run.endsAt) {
            return abi.encodeWithSelector(IUtilizationOracle.ReportPeriodNotEnded.selector, r.deal, period, run.endsAt);
        }
        if (prior.unreported) {
            return abi.encodeWithSelector(IUtilizationOracle.ReportPeriodUnreported.selector, r.deal, period);
        }
        if (r.round < prior.round) {
            return
                abi.encodeWithSelector(
                    IUtilizationOracle.ReportReplayed.selector,
                    r.deal,
                    period,
                    r.round,
                    prior.round
                );
        }
        if (r.round > prior.round) {
            return abi.encodeWithSelector(IUtilizationOracle.ReportRoundNotOpen.selector, r.round, prior.round);
        }
        if (prior.proposed) {
            return abi.encodeWithSelector(IUtilizationOracle.ReportAlreadyProposed.selector, r.deal, period, r.round);
        }
        uint256 deadline = run.endsAt + REPORT_DEADLINE;
        if (prior.disputedAt != 0 && prior.disputedAt + DISPUTE_WINDOW > deadline) {
            deadline = prior.disputedAt + DISPUTE_WINDOW;
        }
        if (time >= deadline) {
            return abi.encodeWithSelector(IUtilizationOracle.ReportDeadlinePassed.selector, r.deal, period, deadline);
        }
        bytes memory bounds = _boundsError(r);
        if (bounds.length != 0) return bounds;
        return _signatureError(run, prior);
    }

    function _bindingError(IUtilizationOracle.Report memory r) internal view returns (bytes memory) {
        if (r.chainId != block.chainid) {
            return abi.encodeWithSelector(IUtilizationOracle.ReportWrongChain.selector, r.chainId, block.chainid);
        }
        if (r.oracle != address(oracle)) {
            return abi.encodeWithSelector(IUtilizationOracle.ReportStaleDomain.selector, r.oracle, address(oracle));
        }
        uint64 current = r.deal == address(deal) ? CURRENT_SET : OTHER_DEAL_SET;
        if (r.reporterSet == current) return "";
        address setDeal =
            r.reporterSet == STALE_SET || r.reporterSet == CURRENT_SET
                ? address(deal)
                : r.reporterSet == OTHER_DEAL_SET
                    ? address(otherDeal)
                    : address(0);
        if (setDeal != r.deal) {
            return abi.encodeWithSelector(IUtilizationOracle.ReportCrossDeal.selector, r.deal, setDeal, r.reporterSet);
        }
        return abi.encodeWithSelector(IUtilizationOracle.ReportStaleReporterSet.selector, r.reporterSet, current);
    }

    function _boundsError(IUtilizationOracle.Report memory r) internal pure returns (bytes memory) {
        if (r.gpuHoursBilled > r.gpuHoursAvailable) {
            return
                abi.encodeWithSelector(
                    IUtilizationOracle.BilledExceedsAvailable.selector,
                    r.gpuHoursBilled,
                    r.gpuHoursAvailable
                );
        }
        if (r.gpuHoursAvailable > MAX_AVAILABLE) {
            return
                abi.encodeWithSelector(
                    IUtilizationOracle.AvailableExceedsFleet.selector,
                    r.gpuHoursAvailable,
                    MAX_AVAILABLE
                );
        }
        uint256 maxRevenue = uint256(r.gpuHoursBilled) * MAX_PRICE;
        if (r.revenue > maxRevenue) {
            return abi.encodeWithSelector(IUtilizationOracle.RevenueExceedsBound.selector, r.revenue, maxRevenue);
        }
        if ((r.energyKwh == 0) != (r.pue == 0)) {
            return abi.encodeWithSelector(IUtilizationOracle.EnergyPueMismatch.selector, r.energyKwh, r.pue);
        }
        if (r.energyKwh != 0 && (r.pue < MIN_PUE || r.pue > MAX_PUE)) {
            return abi.encodeWithSelector(IUtilizationOracle.PueOutOfRange.selector, r.pue, MIN_PUE, MAX_PUE);
        }
        return "";
    }

    function _signatureError(Run memory run, Prior memory prior) internal view returns (bytes memory) {
        uint256 count = run.signerAddresses.length;
        if (count != run.signatures.length) {
            return
                abi.encodeWithSelector(
                    IUtilizationOracle.SignatureCountMismatch.selector,
                    count,
                    run.signatures.length
                );
        }
        if (count < THRESHOLD) {
            return abi.encodeWithSelector(IUtilizationOracle.InsufficientSignatures.selector, count, THRESHOLD);
        }
        if (prior.previousReported) {
            uint256 u = _utilization(run.report.gpuHoursAvailable, run.report.gpuHoursBilled);
            uint256 p = prior.previousUtilization;
            uint256 step = u > p ? u - p : p - u;
            if (step > MAX_STEP && count < reporters.length) {
                return
                    abi.encodeWithSelector(
                        IUtilizationOracle.UtilizationStepNeedsAllReporters.selector,
                        step,
                        MAX_STEP,
                        count,
                        reporters.length
                    );
            }
        }
        address previous;
        for (uint256 i; i < count; ++i) {
            Signer memory s = run.signers[i];
            if (s.addr <= previous) return abi.encodeWithSelector(IUtilizationOracle.SignersNotAscending.selector, i);
            if (!_isReporter(s.addr)) {
                return abi.encodeWithSelector(IUtilizationOracle.NotReporter.selector, run.report.deal, s.addr);
            }
            if (s.corruption != 0) return abi.encodeWithSelector(IUtilizationOracle.InvalidSignature.selector, s.addr);
            previous = s.addr;
        }
        return "";
    }

    // ------------------------------------------------------------------ building a case

    /// @dev Mostly a time at or after the period's end (up to 40 days, past its report deadline); one case in eight
    /// before it.
    function _time(Input memory input, uint256 period) internal view returns (uint256) {
        if (period >= PERIODS + 2) return deal.start() + bound(input.time, 0, (PERIODS + 1) * uint256(PERIOD));
        uint256 endsAt = _periodEnd(period);
        if (_fault(input.knobs, 11, 8)) return endsAt - 1 - bound(input.time, 0, PERIOD - 1);
        return endsAt + bound(input.time, 0, 40 days);
    }

    /// @dev The previous period: no report, a report (pending or, by `time`, final), or marked unreported.
    function _preparePrevious(Prior memory prior, uint256 p, uint256 time, uint256 mode, uint64 billedSeed) internal {
        uint256 endsAt = _periodEnd(p);
        mode %= 4;
        if ((mode == 1 || mode == 3) && time >= endsAt) {
            vm.warp(endsAt);
            uint64 billed = uint64(bound(billedSeed, 0, 1_000));
            _submitAll(_validReport(p, billed, 1_000));
            prior.previousReported = true;
            prior.previousUtilization = _utilization(1_000, billed);
        } else if (mode == 2 && time >= endsAt + REPORT_DEADLINE) {
            vm.warp(endsAt + REPORT_DEADLINE);
            oracle.markUnreported(address(deal), p);
        }
    }

    /// @dev The period itself: nothing, a pending report, a disputed one (round 1), a disputed and re-reported one
    /// (round 1 pending), or marked unreported.
    function _prepareTarget(Prior memory prior, uint256 p, uint256 time, uint256 mode) internal {
        uint256 endsAt = _periodEnd(p);
        mode %= 6;
        if (mode >= 2 && mode <= 4 && time >= endsAt) {
            vm.warp(endsAt);
            _submitAll(_validReport(p, 500, 1_000));
            prior.proposed = true;
            if (mode >= 3) {
                vm.prank(reporters[0]);
                oracle.dispute(address(deal), p, keccak256("fuzz"));
                prior.disputedAt = block.timestamp;
                prior.round = 1;
                prior.proposed = false;
            }
            if (mode == 4) {
                _submitAll(_validReport(p, 500, 1_000));
                prior.proposed = true;
            }
        } else if (mode == 5 && time >= endsAt + REPORT_DEADLINE) {
            vm.warp(endsAt + REPORT_DEADLINE);
            oracle.markUnreported(address(deal), p);
            prior.unreported = true;
        }
    }

    function _report(
        Input memory input,
        uint256 period,
        Prior memory prior
    ) internal view returns (IUtilizationOracle.Report memory r) {
        uint256 knobs = input.knobs;
        uint256 available =
            _fault(knobs, 1, 8)
                ? MAX_AVAILABLE + 1 + bound(input.available, 0, 1e6)
                : bound(input.available, 0, MAX_AVAILABLE);
        uint256 billed =
            _fault(knobs, 0, 8) ? available + 1 + bound(input.billed, 0, 1e6) : bound(input.billed, 0, available);
        // One case in four after a reported period: a step of the maximum or one hour either side of it.
        uint256 edge = _knob(knobs, 15);
        if (_knob(knobs, 14) % 4 == 0 && prior.previousReported && available <= MAX_AVAILABLE) {
            uint256 previousBilled = prior.previousUtilization / 1e15; // of 1 000 hours
            uint256 delta = 299 + (edge % 3);
            available = 1_000;
            if ((edge >> 2) % 2 == 0 && previousBilled + delta <= 1_000) billed = previousBilled + delta;
            else if (previousBilled >= delta) billed = previousBilled - delta;
            else billed = previousBilled + delta;
        }
        uint256 maxRevenue = billed * MAX_PRICE;
        uint256 revenue =
            _fault(knobs, 2, 8) ? maxRevenue + 1 + bound(input.revenue, 0, 1e12) : bound(input.revenue, 0, maxRevenue);
        uint256 roundMode = _clean(knobs) ? 7 : _knob(knobs, 9) % 8;
        uint256 round =
            roundMode == 0
                ? prior.round + 1
                : roundMode == 1 && prior.round > 0
                    ? prior.round - 1
                    : prior.round;

        r = IUtilizationOracle.Report({
            chainId: block.chainid,
            oracle: address(oracle),
            deal: address(deal),
            period: uint64(period),
            round: uint32(round),
            reporterSet: CURRENT_SET,
            gpuHoursAvailable: uint64(available),
            gpuHoursBilled: uint64(billed),
            revenue: uint128(revenue),
            energyKwh: 0,
            pue: 0,
            appraisal: input.appraisal,
            reportHash: keccak256(abi.encode(knobs))
        });
        _facility(r, input);

        uint256 binding = _clean(knobs) ? 0 : _knob(knobs, 3) % 24;
        if (binding == 4) r.chainId = block.chainid + 1 + (input.time % 1_000);
        else if (binding == 5) r.oracle = address(otherOracle);
        else if (binding == 6) r.reporterSet = OTHER_DEAL_SET;
        else if (binding == 7) r.reporterSet = STALE_SET;
        else if (binding == 8) r.reporterSet = uint64(4 + (input.time % 1_000));
        else if (binding == 9)
            r.deal = address(otherDeal); // names the other deal with this deal's set
        else if (binding == 10) r.reporterSet = 0;
    }

    /// @dev A subset of the reporters (by mask) or up to five picks among the reporters and three random keys,
    /// then sorted ascending, left as picked, or sorted descending; one signature may be corrupted.
    function _signers(Run memory run, Input memory input) internal view {
        uint256 knobs = input.knobs;
        Signer[] memory picked = new Signer[](5);
        uint256 count;
        bool clean = _clean(knobs);
        if (clean || _knob(knobs, 10) % 4 == 0) {
            uint256 mask = input.reporterMask & 7;
            // A clean case has at least two reporters: when the mask has fewer, every reporter but one.
            if (clean && (mask == 0 || mask == 1 || mask == 2 || mask == 4))
                mask = 7 ^ (1 << ((input.reporterMask >> 3) % 3));
            for (uint256 i; i < 3; ++i) {
                if (mask & (1 << i) != 0) picked[count++] = _signer(reporterKeys[i]);
            }
        } else {
            count = bound(input.signerCount, 0, 5);
            for (uint256 i; i < count; ++i) {
                uint256 idx = input.picks[i] % 9;
                picked[i] =
                    idx < 6
                        ? _signer(reporterKeys[idx % 3])
                        : _signer(bound(input.keySeeds[idx - 6], 1, SECP256K1_N - 1));
            }
        }
        run.signers = new Signer[](count);
        for (uint256 i; i < count; ++i) run.signers[i] = picked[i];

        uint256 order = clean ? 0 : _knob(knobs, 6) % 3;
        if (order != 1) _sortSigners(run.signers, order == 2);

        uint256 corrupt = _knob(knobs, 7);
        if (!clean && corrupt % 8 < count) run.signers[corrupt % 8].corruption = 1 + ((corrupt >> 3) % 3);

        run.signerAddresses = new address[](count);
        for (uint256 i; i < count; ++i) run.signerAddresses[i] = run.signers[i].addr;
    }

    function _sign(Run memory run, bool mismatch) internal view {
        bytes32 digest = oracle.hashReport(run.report);
        uint256 count = run.signers.length;
        uint256 length = mismatch ? (count == 0 ? 1 : count - 1 + 2 * (count % 2)) : count;
        run.signatures = new bytes[](length);
        for (uint256 i; i < length; ++i) {
            Signer memory s = i < count ? run.signers[i] : _signer(reporterKeys[0]);
            uint256 corruption = s.corruption;
            if (corruption == 2) {
                run.signatures[i] = abi.encodePacked(digest, bytes32(uint256(0xbad)));
                continue;
            }
            // Corruption 3: signed with a neighbouring key, so by someone else.
            uint256 key =
                corruption != 3
                    ? s.key
                    : s.key == 1
                        ? 2
                        : s.key - 1;
            bytes32 signed = corruption == 1 ? keccak256(abi.encode(digest)) : digest;
            (uint8 v, bytes32 r, bytes32 sig) = vm.sign(key, signed);
            run.signatures[i] = abi.encodePacked(r, sig, v);
        }
    }

    /// @dev Energy and PUE: none (one case in four), or energy with a PUE in range; a fault states one without the
    /// other, or a PUE out of range.
    function _facility(IUtilizationOracle.Report memory r, Input memory input) internal pure {
        uint256 knobs = input.knobs;
        if (_knob(knobs, 16) % 4 != 0) {
            r.energyKwh = uint64(bound(input.energy, 1, type(uint64).max));
            r.pue = uint16(bound(input.pue, MIN_PUE, MAX_PUE));
        }
        if (!_fault(knobs, 17, 4)) return;
        uint256 kind = _knob(knobs, 18) % 3;
        if (kind == 0) {
            r.energyKwh = uint64(bound(input.energy, 1, type(uint64).max));
            r.pue = 0;
        } else if (kind == 1) {
            r.energyKwh = 0;
            r.pue = uint16(bound(input.pue, 1, type(uint16).max));
        } else {
            r.energyKwh = uint64(bound(input.energy, 1, type(uint64).max));
            r.pue = uint16(
                input.pue % 2 == 0 ? bound(input.pue, 1, MIN_PUE - 1) : bound(input.pue, MAX_PUE + 1, type(uint16).max)
            );
        }
    }

    // ------------------------------------------------------------------ helpers

    function _validReport(
        uint256 p,
        uint64 billed,
        uint64 available
    ) internal view returns (IUtilizationOracle.Report memory) {
        return
            IUtilizationOracle.Report({
                chainId: block.chainid,
                oracle: address(oracle),
                deal: address(deal),
                period: uint64(p),
                round: oracle.getReport(address(deal), p).round,
                reporterSet: CURRENT_SET,
                gpuHoursAvailable: available,
                gpuHoursBilled: billed,
                revenue: 0,
                energyKwh: 0,
                pue: 0,
                appraisal: 0,
                reportHash: keccak256(abi.encode("prior", p))
            });
    }

    function _submitAll(IUtilizationOracle.Report memory r) internal {
        (address[] memory signers, bytes[] memory signatures) = _signWith(r, reporterKeys);
        oracle.submitReport(r, signers, signatures);
    }

    function _signWith(
        IUtilizationOracle.Report memory r,
        uint256[] memory keys
    ) internal view returns (address[] memory signers, bytes[] memory signatures) {
        bytes32 digest = oracle.hashReport(r);
        signers = new address[](keys.length);
        signatures = new bytes[](keys.length);
        for (uint256 i; i < keys.length; ++i) {
            (uint8 v, bytes32 rr, bytes32 s) = vm.sign(keys[i], digest);
            signers[i] = vm.addr(keys[i]);
            signatures[i] = abi.encodePacked(rr, s, v);
        }
    }

    function _signer(uint256 key) internal pure returns (Signer memory) {
        return Signer({addr: vm.addr(key), key: key, corruption: 0});
    }

    function _sortSigners(Signer[] memory s, bool descending) internal pure {
        for (uint256 i = 1; i < s.length; ++i) {
            for (uint256 j = i; j > 0; --j) {
                bool swap = descending ? s[j].addr > s[j - 1].addr : s[j].addr < s[j - 1].addr;
                if (!swap) break;
                (s[j], s[j - 1]) = (s[j - 1], s[j]);
            }
        }
    }

    function _isReporter(address a) internal view returns (bool) {
        for (uint256 i; i < reporters.length; ++i) if (reporters[i] == a) return true;
        return false;
    }

    function _utilization(uint256 available, uint256 billed) internal pure returns (uint256) {
        return available == 0 ? 0 : Math.mulDiv(billed, WAD, available);
    }

    function _periodEnd(uint256 p) internal view returns (uint256) {
        return uint256(deal.start()) + (p + 1) * uint256(PERIOD);
    }

    /// @dev Whether the case injects no fault through its knobs (half of them).
    function _clean(uint256 knobs) internal pure returns (bool) {
        return _knob(knobs, 13) % 2 == 0;
    }

    /// @dev A fault injected one case in `oneIn` among the cases that are not clean.
    function _fault(uint256 knobs, uint256 i, uint256 oneIn) internal pure returns (bool) {
        return !_clean(knobs) && _knob(knobs, i) % oneIn == 0;
    }

    function _knob(uint256 knobs, uint256 i) internal pure returns (uint256) {
        return (knobs >> (8 * i)) & 0xff;
    }

    function _selector(bytes memory data) internal pure returns (uint256) {
        return uint32(bytes4(data));
    }
}
