import { expect } from "chai";
import { network } from "hardhat";

import type { UtilizationOracle } from "../types/ethers-contracts/index.js";
import {
  activateDeal,
  buildReport,
  createDeal,
  DAY,
  deployProtocol,
  DISPUTE_WINDOW,
  PERIOD,
  roles,
  signReport,
  standardTermSheet,
  USDC,
  WAD,
  type OracleTermsInput,
  type ReportInput,
  type TermSheetInput,
} from "./helpers/fixtures.js";
import { createSafe, deploySafeInfrastructure, safeSignature } from "./helpers/oracle-safe.js";
import {
  byAddress,
  oracleDomain,
  plain,
  REPORT_TYPE_STRING,
  REPORT_TYPES,
  signAs,
  signSorted,
  wallets,
  type OracleDomain,
} from "./helpers/oracle-signing.js";

const { ethers, networkHelpers } = await network.create();
const { time } = networkHelpers;

enum ReportState {
  None = 0,
  Pending = 1,
  Final = 2,
  Unreported = 3,
}

enum OracleTermsField {
  DisputeWindow = 0,
  ReportDeadline = 1,
  ReporterChangeDelay = 2,
  FleetGpus = 3,
  MaxPricePerGpuHour = 4,
  MaxUtilizationStep = 5,
}

// The standard term sheet's oracle terms (test/helpers/fixtures.ts), but for the report deadline: longer than a
// period here, so that at the end of period 1 (`endedFixture`) periods 0 and 1 both still take reports.
const REPORT_DEADLINE = 45n * DAY;
const CHANGE_DELAY = 3n * DAY;
const FLEET_GPUS = 2_048n;
const MAX_PRICE = 10n * USDC;
const MAX_STEP = (40n * WAD) / 100n;
/** fleetGpus × hours in a 30-day period. */
const MAX_AVAILABLE = (FLEET_GPUS * PERIOD) / 3_600n;
const PERIODS = 12n;
const REVENUE = 500_000n * USDC;
const REASON = ethers.id("meter data does not match the invoices");
const MAX_U64 = 2n ** 64n - 1n;

/** The standard term sheet with {@link REPORT_DEADLINE}. */
async function oracleTermSheet(
  protocol: Awaited<ReturnType<typeof deployProtocol>>,
  r: Awaited<ReturnType<typeof roles>>,
): Promise<TermSheetInput> {
  const terms = await standardTermSheet(networkHelpers, protocol, r);
  return { ...terms, oracle: { ...terms.oracle, reportDeadline: REPORT_DEADLINE } };
}

/** The standard deal, created through the factory (so registered with the oracle); period 0 not yet ended. */
async function dealFixture() {
  const protocol = await deployProtocol(ethers);
  const r = await roles(ethers);
  const terms = await oracleTermSheet(protocol, r);
  const h = await createDeal(ethers, protocol, terms);
  const oracle = protocol.oracle;
  const oracleAddress = await oracle.getAddress();
  const dealAddress = await h.deal.getAddress();
  const domain = await oracleDomain(ethers, oracleAddress);
  const s = await ethers.getSigners();
  return {
    protocol,
    oracle,
    oracleAddress,
    r,
    h,
    deal: h.deal,
    dealAddress,
    terms,
    domain,
    chainId: domain.chainId,
    outsider: s[16],
    other: s[17],
  };
}
type Fixture = Awaited<ReturnType<typeof dealFixture>>;

/** Same, with periods 0 and 1 ended. */
async function endedFixture() {
  const f = await dealFixture();
  await time.increaseTo(await f.deal.periodEnd(1));
  return f;
}

/** Two deals with the same reporters (reporter sets 1 and 2), periods 0 and 1 of both ended. */
async function twoDealsFixture() {
  const f = await dealFixture();
  const terms2 = await oracleTermSheet(f.protocol, f.r);
  const h2 = await createDeal(ethers, f.protocol, terms2);
  await time.increaseTo(await h2.deal.periodEnd(1));
  return { ...f, deal2: h2.deal, deal2Address: await h2.deal.getAddress() };
}

/** A report of `period` as reporters would sign it now (current round and set), with overrides. */
async function report(
  f: Fixture,
  period: bigint,
  overrides: Partial<ReportInput> = {},
): Promise<ReportInput> {
  return { ...(await buildReport(ethers, f.protocol, f.deal, period, REVENUE)), ...overrides };
}

/** Fixes the timestamp of the next block, `offset` seconds after the latest; returns it. */
async function nextBlockAt(offset = 1n): Promise<bigint> {
  const at = BigInt(await time.latest()) + offset;
  await time.setNextBlockTimestamp(at);
  return at;
}

/** Submits `rep` signed by the first two reporters at the next block; returns its timestamp. */
async function submitAt(
  f: Fixture,
  rep: ReportInput,
  signers = f.r.reporters.slice(0, 2),
): Promise<bigint> {
  const s = await signReport(ethers, f.oracle, rep, signers);
  const at = await nextBlockAt();
  await f.oracle.submitReport(rep, s.signers, s.signatures);
  return at;
}

/** Proposes the standard report of `period`; returns it and when it was proposed. */
async function propose(f: Fixture, period: bigint, overrides: Partial<ReportInput> = {}) {
  const rep = await report(f, period, overrides);
  const proposedAt = await submitAt(f, rep);
  return { rep, proposedAt };
}

/** Everything the oracle stores about a deal (periods 0..2), as plain values. */
async function snapshot(oracle: UtilizationOracle, deal: string, periods = [0n, 1n, 2n]) {
  return plain([
    await oracle.reporters(deal),
    await oracle.threshold(deal),
    await oracle.reporterSet(deal),
    await oracle.terms(deal),
    await oracle.pendingReporterChange(deal),
    ...(await Promise.all(periods.map((p) => oracle.getReport(deal, p)))),
  ]);
}

/** Runs `body` (which expects reverts) and checks that the oracle's state of `deal` did not change. */
async function expectUnchanged(oracle: UtilizationOracle, deal: string, body: () => Promise<void>) {
  const before = await snapshot(oracle, deal);
  await body();
  expect(await snapshot(oracle, deal)).to.deep.equal(before);
}

function oracleTermsTuple(t: OracleTermsInput) {
  return [
    t.reporters,
    BigInt(t.threshold),
    t.disputeWindow,
    t.reportDeadline,
    t.reporterChangeDelay,
    t.fleetGpus,
    t.maxPricePerGpuHour,
    t.maxUtilizationStep,
  ];
}

describe("UtilizationOracle", function () {
  describe("deployment", function () {
    it("test_constructor_grantsAdminAndExposesConstants", async function () {
      const { oracle, protocol, deal, domain } = await networkHelpers.loadFixture(dealFixture);
      expect(
        await oracle.hasRole(await oracle.DEFAULT_ADMIN_ROLE(), protocol.admin.address),
      ).to.equal(true);
      expect(await oracle.REGISTRAR_ROLE()).to.equal(ethers.id("cascade.role.registrar"));
      expect(
        await oracle.hasRole(await oracle.REGISTRAR_ROLE(), await protocol.factory.getAddress()),
      ).to.equal(true);
      // The guardian role the oracle asks the deal about is the deal's own.
      expect(await oracle.DEAL_GUARDIAN_ROLE()).to.equal(await deal.GUARDIAN_ROLE());
      expect(await oracle.REPORT_TYPEHASH()).to.equal(ethers.id(REPORT_TYPE_STRING));
      expect(await oracle.MAX_REPORTERS()).to.equal(16n);
      const [, name, version, chainId, verifyingContract] = await oracle.eip712Domain();
      expect([name, version, chainId, verifyingContract]).to.deep.equal([
        domain.name,
        domain.version,
        domain.chainId,
        domain.verifyingContract,
      ]);
    });
  });

  describe("registerDeal", function () {
    it("test_registerDeal_throughTheFactory", async function () {
      const { oracle, protocol, r } = await networkHelpers.loadFixture(dealFixture);
      const terms = await standardTermSheet(networkHelpers, protocol, r);
      const next = await protocol.factory.connect(r.issuer).createDeal.staticCall(terms);
      const factory = await protocol.factory.getAddress();
      // Set 1 belongs to the fixture's deal: ids are global.
      await expect(protocol.factory.connect(r.issuer).createDeal(terms))
        .to.emit(oracle, "DealRegistered")
        .withArgs(next, factory, oracleTermsTuple(terms.oracle))
        .and.to.emit(oracle, "ReportersSet")
        .withArgs(next, 2n, terms.oracle.reporters, 2n);
      expect(plain(await oracle.terms(next))).to.deep.equal(oracleTermsTuple(terms.oracle));
      expect(await oracle.reporterSet(next)).to.equal(2n);
    });

    it("test_registerDeal_onlyRegistrarRole", async function () {
      const { oracle, protocol, outsider, dealAddress, terms } =
        await networkHelpers.loadFixture(dealFixture);
      const role = await oracle.REGISTRAR_ROLE();
      // Even the oracle's admin needs the registrar role.
      await expectUnchanged(oracle, dealAddress, async () => {
        for (const caller of [outsider, protocol.admin]) {
          await expect(oracle.connect(caller).registerDeal(dealAddress, terms.oracle))
            .to.be.revertedWithCustomError(oracle, "AccessControlUnauthorizedAccount")
            .withArgs(caller.address, role);
        }
      });
    });

    it("test_registerDeal_registrarRegistersAnotherDeployment", async function () {
      const { oracle, protocol, other, r } = await networkHelpers.loadFixture(dealFixture);
      // A deal of another factory and oracle: unknown to this oracle until a registrar registers it.
      const oracle2 = await ethers.deployContract("UtilizationOracle", [protocol.admin.address]);
      const factory2 = await ethers.deployContract("DealFactory", [
        await protocol.factory.dealImplementation(),
        await protocol.factory.tokenImplementation(),
        await protocol.factory.offeringImplementation(),
        await protocol.factory.riskEngineImplementation(),
        await oracle2.getAddress(),
      ]);
      await oracle2.grantRole(await oracle2.REGISTRAR_ROLE(), await factory2.getAddress());
      const terms = await oracleTermSheet(protocol, r);
      terms.oracle = {
        ...terms.oracle,
        reporters: [r.reporters[2].address, r.reporters[0].address],
      };
      const dealAddress = await factory2.connect(r.issuer).createDeal.staticCall(terms);
      await factory2.connect(r.issuer).createDeal(terms);
      expect(await oracle.reporterSet(dealAddress)).to.equal(0n);

      await oracle.grantRole(await oracle.REGISTRAR_ROLE(), other.address);
      await expect(oracle.connect(other).registerDeal(dealAddress, terms.oracle))
        .to.emit(oracle, "DealRegistered")
        .withArgs(dealAddress, other.address, oracleTermsTuple(terms.oracle))
        .and.to.emit(oracle, "ReportersSet")
        .withArgs(dealAddress, 2n, terms.oracle.reporters, 2n);
      expect(plain(await oracle.reporters(dealAddress))).to.deep.equal(terms.oracle.reporters);
      expect(await oracle.isReporter(dealAddress, r.reporters[2].address)).to.equal(true);
      expect(await oracle.isReporter(dealAddress, r.reporters[1].address)).to.equal(false);
      // Period timing comes from the deal itself.
      const deal = await ethers.getContractAt("Deal", dealAddress);
      expect(await oracle.reportDeadline(dealAddress, 3n)).to.equal(
        (await deal.periodEnd(3)) + REPORT_DEADLINE,
      );
    });

    it("test_registerDeal_alreadyRegistered", async function () {
      const { oracle, dealAddress, other, terms } = await networkHelpers.loadFixture(dealFixture);
      await oracle.grantRole(await oracle.REGISTRAR_ROLE(), other.address);
      await expectUnchanged(oracle, dealAddress, async () => {
        await expect(
          oracle.connect(other).registerDeal(dealAddress, {
            ...terms.oracle,
            reporters: [other.address],
            threshold: 1,
          }),
        )
          .to.be.revertedWithCustomError(oracle, "DealAlreadyRegistered")
          .withArgs(dealAddress);
      });
    });

    it("test_registerDeal_invalidOracleTermsEachField", async function () {
      const { oracle, protocol, r } = await networkHelpers.loadFixture(dealFixture);
      const base = await standardTermSheet(networkHelpers, protocol, r);
      const o = base.oracle;
      const cases: { label: string; oracle: Partial<OracleTermsInput>; field: OracleTermsField }[] =
        [
          {
            label: "disputeWindow 0",
            oracle: { disputeWindow: 0n },
            field: OracleTermsField.DisputeWindow,
          },
          {
            label: "reportDeadline = disputeWindow",
            oracle: { reportDeadline: o.disputeWindow },
            field: OracleTermsField.ReportDeadline,
          },
          {
            label: "reportDeadline < disputeWindow",
            oracle: { reportDeadline: o.disputeWindow - 1n },
            field: OracleTermsField.ReportDeadline,
          },
          {
            label: "reportDeadline 0",
            oracle: { reportDeadline: 0n },
            field: OracleTermsField.ReportDeadline,
          },
          {
            label: "reporterChangeDelay 0",
            oracle: { reporterChangeDelay: 0n },
            field: OracleTermsField.ReporterChangeDelay,
          },
          { label: "fleetGpus 0", oracle: { fleetGpus: 0n }, field: OracleTermsField.FleetGpus },
          {
            label: "maxPricePerGpuHour 0",
            oracle: { maxPricePerGpuHour: 0n },
            field: OracleTermsField.MaxPricePerGpuHour,
          },
          {
            label: "maxUtilizationStep 0",
            oracle: { maxUtilizationStep: 0n },
            field: OracleTermsField.MaxUtilizationStep,
          },
          {
            label: "maxUtilizationStep above 100 %",
            oracle: { maxUtilizationStep: WAD + 1n },
            field: OracleTermsField.MaxUtilizationStep,
          },
          // Several bad fields: the first in declaration order is named.
          {
            label: "every field bad",
            oracle: {
              disputeWindow: 0n,
              reporterChangeDelay: 0n,
              fleetGpus: 0n,
              maxUtilizationStep: 0n,
            },
            field: OracleTermsField.DisputeWindow,
          },
          {
            label: "fleet and price bad",
            oracle: { fleetGpus: 0n, maxPricePerGpuHour: 0n },
            field: OracleTermsField.FleetGpus,
          },
        ];
      for (const c of cases) {
        const terms: TermSheetInput = { ...base, oracle: { ...o, ...c.oracle } };
        await expect(protocol.factory.connect(r.issuer).createDeal(terms), c.label)
          .to.be.revertedWithCustomError(oracle, "InvalidOracleTerms")
          .withArgs(c.field);
      }
      expect(await protocol.factory.dealCount()).to.equal(1n);
      // The edges are accepted: every field at its smallest, the deadline one second after the window, a step
      // of 100 %.
      const edge: TermSheetInput = {
        ...base,
        oracle: {
          ...o,
          disputeWindow: 1n,
          reportDeadline: 2n,
          reporterChangeDelay: 1n,
          fleetGpus: 1n,
          maxPricePerGpuHour: 1n,
          maxUtilizationStep: WAD,
        },
      };
      const next = await protocol.factory.connect(r.issuer).createDeal.staticCall(edge);
      await expect(protocol.factory.connect(r.issuer).createDeal(edge))
        .to.emit(oracle, "DealRegistered")
        .withArgs(next, await protocol.factory.getAddress(), oracleTermsTuple(edge.oracle));
    });

    it("test_registerDeal_invalidReporterSets", async function () {
      const { oracle, protocol, r, outsider } = await networkHelpers.loadFixture(dealFixture);
      const base = await standardTermSheet(networkHelpers, protocol, r);
      const [a, b] = r.reporters.map((x) => x.address);
      const many = wallets(ethers, "many", 17).map((w) => w.address);
      const withSet = (reporters: string[], threshold: number): TermSheetInput => ({
        ...base,
        oracle: { ...base.oracle, reporters, threshold },
      });
      await expect(protocol.factory.connect(r.issuer).createDeal(withSet([a, b], 0)))
        .to.be.revertedWithCustomError(oracle, "InvalidThreshold")
        .withArgs(0n, 2n);
      await expect(protocol.factory.connect(r.issuer).createDeal(withSet([a, b], 3)))
        .to.be.revertedWithCustomError(oracle, "InvalidThreshold")
        .withArgs(3n, 2n);
      await expect(protocol.factory.connect(r.issuer).createDeal(withSet([], 1)))
        .to.be.revertedWithCustomError(oracle, "InvalidThreshold")
        .withArgs(1n, 0n);
      await expect(protocol.factory.connect(r.issuer).createDeal(withSet(many, 1)))
        .to.be.revertedWithCustomError(oracle, "TooManyReporters")
        .withArgs(17n, 16n);
      await expect(
        protocol.factory.connect(r.issuer).createDeal(withSet([a, ethers.ZeroAddress], 1)),
      )
        .to.be.revertedWithCustomError(oracle, "InvalidReporter")
        .withArgs(ethers.ZeroAddress);
      await expect(
        protocol.factory.connect(r.issuer).createDeal(withSet([a, outsider.address, a], 1)),
      )
        .to.be.revertedWithCustomError(oracle, "InvalidReporter")
        .withArgs(a);
      expect(await protocol.factory.dealCount()).to.equal(1n);
      // Sixteen reporters, all required, are fine; refused sets used no set id.
      const next = await protocol.factory
        .connect(r.issuer)
        .createDeal.staticCall(withSet(many.slice(0, 16), 16));
      await expect(protocol.factory.connect(r.issuer).createDeal(withSet(many.slice(0, 16), 16)))
        .to.emit(oracle, "ReportersSet")
        .withArgs(next, 2n, many.slice(0, 16), 16n);
    });
  });

  describe("unregistered deals", function () {
    it("test_entryPoints_dealNotRegistered", async function () {
      const { oracle, r, outsider, other, chainId, oracleAddress, domain } =
        await networkHelpers.loadFixture(endedFixture);
      const unknown = outsider.address;
      const rep: ReportInput = {
        chainId,
        oracle: oracleAddress,
        deal: unknown,
        period: 0n,
        round: 0n,
        reporterSet: 1n,
        gpuHoursAvailable: 1_000n,
        gpuHoursBilled: 1_000n,
        revenue: 0n,
        reportHash: ethers.ZeroHash,
      };
      const s = await signSorted(domain, rep, r.reporters);
      const calls: [string, () => Promise<unknown>][] = [
        [
          "proposeReporters",
          () => oracle.connect(r.issuer).proposeReporters(unknown, [other.address], 1),
        ],
        ["applyReporters", () => oracle.applyReporters(unknown)],
        ["cancelReporters", () => oracle.connect(r.issuer).cancelReporters(unknown)],
        ["submitReport", () => oracle.submitReport(rep, s.signers, s.signatures)],
        // Registration is checked before anything else, binding included.
        ["submitReport (wrong chain)", () => oracle.submitReport({ ...rep, chainId: 1n }, [], [])],
        ["dispute", () => oracle.connect(r.reporters[0]).dispute(unknown, 0n, REASON)],
        ["markUnreported", () => oracle.markUnreported(unknown, 0n)],
        ["finalize", () => oracle.finalize(unknown, 0n)],
      ];
      for (const [label, call] of calls) {
        await expect(call(), label)
          .to.be.revertedWithCustomError(oracle, "DealNotRegistered")
          .withArgs(unknown);
      }
    });

    it("test_views_unregisteredDeal", async function () {
      const { oracle, outsider } = await networkHelpers.loadFixture(dealFixture);
      const unknown = outsider.address;
      expect(plain(await oracle.reporters(unknown))).to.deep.equal([]);
      expect(await oracle.threshold(unknown)).to.equal(0n);
      expect(await oracle.reporterSet(unknown)).to.equal(0n);
      expect(await oracle.isReporter(unknown, outsider.address)).to.equal(false);
      expect(plain(await oracle.terms(unknown))).to.deep.equal([[], 0n, 0n, 0n, 0n, 0n, 0n, 0n]);
      expect(plain(await oracle.pendingReporterChange(unknown))).to.deep.equal([[], 0n, 0n]);
      expect(await oracle.reportState(unknown, 0n)).to.equal(ReportState.None);
      expect(plain(await oracle.getReport(unknown, 0n))).to.deep.equal([
        0n,
        0n,
        0n,
        0n,
        0n,
        0n,
        0n,
      ]);
      expect(await oracle.reportDeadline(unknown, 0n)).to.equal(0n);
      await expect(oracle.periodOutcome(unknown, 0n))
        .to.be.revertedWithCustomError(oracle, "ReportNotFinal")
        .withArgs(unknown, 0n);
    });
  });

  describe("submitReport", function () {
    it("test_submitReport_acceptedPending", async function () {
      const f = await networkHelpers.loadFixture(endedFixture);
      const { oracle, dealAddress, r, outsider } = f;
      const rep = await report(f, 1n);
      const { signers, signatures } = await signReport(ethers, oracle, rep, r.reporters.slice(1));
      expect(await oracle.reportState(dealAddress, 1n)).to.equal(ReportState.None);

      // Anyone may submit.
      const at = await nextBlockAt(5n);
      await expect(oracle.connect(outsider).submitReport(rep, signers, signatures))
        .to.emit(oracle, "ReportProposed")
        .withArgs(
          dealAddress,
          1n,
          0n,
          rep.gpuHoursAvailable,
          rep.gpuHoursBilled,
          rep.revenue,
          rep.reportHash,
          signers,
          at + DISPUTE_WINDOW,
        );
      expect(plain(await oracle.getReport(dealAddress, 1n))).to.deep.equal([
        rep.gpuHoursAvailable,
        rep.gpuHoursBilled,
        rep.revenue,
        at,
        0n,
        BigInt(ReportState.Pending),
        0n,
      ]);
      expect(await oracle.reportState(dealAddress, 1n)).to.equal(ReportState.Pending);
      await expect(oracle.periodOutcome(dealAddress, 1n))
        .to.be.revertedWithCustomError(oracle, "ReportNotFinal")
        .withArgs(dealAddress, 1n);
      // Period 0 is independent.
      expect(await oracle.reportState(dealAddress, 0n)).to.equal(ReportState.None);
    });

    it("test_submitReport_allReportersAndEdgeFiguresAccepted", async function () {
      const f = await networkHelpers.loadFixture(endedFixture);
      const { oracle, dealAddress, r } = f;
      // Every reporter (more than the quorum), available at the fleet's maximum, billed = available, revenue at
      // its bound.
      const full = await report(f, 0n, {
        gpuHoursAvailable: MAX_AVAILABLE,
        gpuHoursBilled: MAX_AVAILABLE,
        revenue: MAX_AVAILABLE * MAX_PRICE,
      });
      const s = await signReport(ethers, oracle, full, r.reporters);
      const at = await nextBlockAt();
      await expect(oracle.submitReport(full, s.signers, s.signatures))
        .to.emit(oracle, "ReportProposed")
        .withArgs(
          dealAddress,
          0n,
          0n,
          MAX_AVAILABLE,
          MAX_AVAILABLE,
          MAX_AVAILABLE * MAX_PRICE,
          full.reportHash,
          s.signers,
          at + DISPUTE_WINDOW,
        );
      // Zero figures (0 % after 100 % is a step above the maximum: every reporter signs).
      const zero = await report(f, 1n, { gpuHoursAvailable: 0n, gpuHoursBilled: 0n, revenue: 0n });
      const z = await signReport(ethers, oracle, zero, r.reporters);
      await oracle.submitReport(zero, z.signers, z.signatures);
      await time.increase(DISPUTE_WINDOW);
      expect(plain(await oracle.periodOutcome(dealAddress, 0n))).to.deep.equal([
        true,
        MAX_AVAILABLE,
        MAX_AVAILABLE,
        MAX_AVAILABLE * MAX_PRICE,
      ]);
      expect(plain(await oracle.periodOutcome(dealAddress, 1n))).to.deep.equal([true, 0n, 0n, 0n]);
    });

    it("test_submitReport_periodNotEnded", async function () {
      const f = await networkHelpers.loadFixture(dealFixture);
      const { oracle, dealAddress, deal } = f;
      const endsAt = await deal.periodEnd(0);
      const rep = await report(f, 0n);
      const s = await signReport(ethers, oracle, rep, f.r.reporters);
      await expectUnchanged(oracle, dealAddress, async () => {
        await expect(oracle.submitReport(rep, s.signers, s.signatures))
          .to.be.revertedWithCustomError(oracle, "ReportPeriodNotEnded")
          .withArgs(dealAddress, 0n, endsAt);
        await time.setNextBlockTimestamp(endsAt - 1n);
        await expect(oracle.submitReport(rep, s.signers, s.signatures))
          .to.be.revertedWithCustomError(oracle, "ReportPeriodNotEnded")
          .withArgs(dealAddress, 0n, endsAt);
      });
      await time.setNextBlockTimestamp(endsAt);
      await expect(oracle.submitReport(rep, s.signers, s.signatures)).to.emit(
        oracle,
        "ReportProposed",
      );
      // Period 1 has not ended.
      const rep1 = await report(f, 1n);
      const s1 = await signReport(ethers, oracle, rep1, f.r.reporters);
      await expect(oracle.submitReport(rep1, s1.signers, s1.signatures))
        .to.be.revertedWithCustomError(oracle, "ReportPeriodNotEnded")
        .withArgs(dealAddress, 1n, await deal.periodEnd(1));
    });

    it("test_submitReport_periodOutOfRange", async function () {
      const f = await networkHelpers.loadFixture(dealFixture);
      const { oracle, dealAddress, deal } = f;
      await time.increaseTo((await deal.finalMaturity()) + DAY);
      await expectUnchanged(oracle, dealAddress, async () => {
        for (const period of [PERIODS, PERIODS + 1n, MAX_U64]) {
          const rep = await report(f, period);
          const s = await signReport(ethers, oracle, rep, f.r.reporters);
          await expect(oracle.submitReport(rep, s.signers, s.signatures))
            .to.be.revertedWithCustomError(oracle, "ReportPeriodOutOfRange")
            .withArgs(dealAddress, period, PERIODS);
        }
      });
      // The last period is in range.
      const last = await report(f, PERIODS - 1n);
      const s = await signReport(ethers, oracle, last, f.r.reporters);
      await expect(oracle.submitReport(last, s.signers, s.signatures)).to.emit(
        oracle,
        "ReportProposed",
      );
    });
  });

  describe("submitReport: binding of the signed report", function () {
    it("test_submitReport_wrongChain", async function () {
      const f = await networkHelpers.loadFixture(endedFixture);
      const { oracle, dealAddress, chainId, domain, r } = f;
      // Signed for chain 1 (its own domain and field): valid there, refused here before any signature check.
      const rep = await report(f, 0n, { chainId: 1n });
      const s = await signSorted({ ...domain, chainId: 1n }, rep, r.reporters);
      await expectUnchanged(oracle, dealAddress, async () => {
        await expect(oracle.submitReport(rep, s.signers, s.signatures))
          .to.be.revertedWithCustomError(oracle, "ReportWrongChain")
          .withArgs(1n, chainId);
        await expect(oracle.submitReport(rep, [], []))
          .to.be.revertedWithCustomError(oracle, "ReportWrongChain")
          .withArgs(1n, chainId);
        await expect(
          oracle.submitReport({ ...rep, chainId: chainId + 1n }, s.signers, s.signatures),
        )
          .to.be.revertedWithCustomError(oracle, "ReportWrongChain")
          .withArgs(chainId + 1n, chainId);
      });
    });

    it("test_submitReport_staleDomain", async function () {
      const f = await networkHelpers.loadFixture(endedFixture);
      const { oracle, oracleAddress, dealAddress, protocol, domain, r, terms } = f;
      // The same deal registered with another oracle deployment; its reporters sign for that one.
      const oracle2 = await ethers.deployContract("UtilizationOracle", [protocol.admin.address]);
      const oracle2Address = await oracle2.getAddress();
      await oracle2.grantRole(await oracle2.REGISTRAR_ROLE(), protocol.admin.address);
      await oracle2.registerDeal(dealAddress, terms.oracle);
      const rep = await report(f, 0n, { oracle: oracle2Address });
      const s = await signSorted(
        { ...domain, verifyingContract: oracle2Address },
        rep,
        r.reporters.slice(0, 2),
      );
      await expectUnchanged(oracle, dealAddress, async () => {
        await expect(oracle.submitReport(rep, s.signers, s.signatures))
          .to.be.revertedWithCustomError(oracle, "ReportStaleDomain")
          .withArgs(oracle2Address, oracleAddress);
        await expect(oracle.submitReport({ ...rep, oracle: ethers.ZeroAddress }, [], []))
          .to.be.revertedWithCustomError(oracle, "ReportStaleDomain")
          .withArgs(ethers.ZeroAddress, oracleAddress);
      });
      // Where they were meant to go, the signatures are good.
      await expect(oracle2.submitReport(rep, s.signers, s.signatures)).to.emit(
        oracle2,
        "ReportProposed",
      );
    });

    it("test_submitReport_crossDeal", async function () {
      const f = await networkHelpers.loadFixture(twoDealsFixture);
      const { oracle, dealAddress, deal2Address, domain, r } = f;
      expect(await oracle.reporterSet(dealAddress)).to.equal(1n);
      expect(await oracle.reporterSet(deal2Address)).to.equal(2n);
      // A report naming deal B with deal A's reporter set (the same reporters sign for both deals).
      const rep = { ...(await report(f, 0n)), deal: deal2Address };
      expect(rep.reporterSet).to.equal(1n);
      const s = await signSorted(domain, rep, r.reporters.slice(0, 2));
      await expectUnchanged(oracle, deal2Address, async () => {
        await expect(oracle.submitReport(rep, s.signers, s.signatures))
          .to.be.revertedWithCustomError(oracle, "ReportCrossDeal")
          .withArgs(deal2Address, dealAddress, 1n);
      });
      // The other way round, and a set id nobody has.
      const back = { ...rep, deal: dealAddress, reporterSet: 2n };
      const sb = await signSorted(domain, back, r.reporters.slice(0, 2));
      await expectUnchanged(oracle, dealAddress, async () => {
        await expect(oracle.submitReport(back, sb.signers, sb.signatures))
          .to.be.revertedWithCustomError(oracle, "ReportCrossDeal")
          .withArgs(dealAddress, deal2Address, 2n);
        await expect(oracle.submitReport({ ...back, reporterSet: 99n }, [], []))
          .to.be.revertedWithCustomError(oracle, "ReportCrossDeal")
          .withArgs(dealAddress, ethers.ZeroAddress, 99n);
      });
      // A valid report of deal A does not serve deal B with B's own set: the signed content differs.
      const a = await report(f, 0n);
      const sa = await signSorted(domain, a, r.reporters.slice(0, 2));
      await expect(
        oracle.submitReport(
          { ...a, deal: deal2Address, reporterSet: 2n },
          sa.signers,
          sa.signatures,
        ),
      )
        .to.be.revertedWithCustomError(oracle, "InvalidSignature")
        .withArgs(sa.signers[0]);
      await expect(oracle.submitReport(a, sa.signers, sa.signatures)).to.emit(
        oracle,
        "ReportProposed",
      );
      expect(await oracle.reportState(deal2Address, 0n)).to.equal(ReportState.None);
    });

    it("test_submitReport_staleReporterSet", async function () {
      const f = await networkHelpers.loadFixture(endedFixture);
      const { oracle, dealAddress, domain, r } = f;
      const old = await report(f, 0n);
      const s = await signSorted(domain, old, r.reporters.slice(0, 2));
      // The issuer re-issues the same reporters (new threshold): a new set id, the old signatures are stale.
      await oracle.connect(r.issuer).proposeReporters(
        dealAddress,
        r.reporters.map((x) => x.address),
        2,
      );
      await time.increase(CHANGE_DELAY);
      await oracle.applyReporters(dealAddress);
      expect(await oracle.reporterSet(dealAddress)).to.equal(2n);
      await expectUnchanged(oracle, dealAddress, async () => {
        await expect(oracle.submitReport(old, s.signers, s.signatures))
          .to.be.revertedWithCustomError(oracle, "ReportStaleReporterSet")
          .withArgs(1n, 2n);
        await expect(oracle.submitReport(old, [], []))
          .to.be.revertedWithCustomError(oracle, "ReportStaleReporterSet")
          .withArgs(1n, 2n);
      });
      const fresh = await report(f, 0n);
      expect(fresh.reporterSet).to.equal(2n);
      const sf = await signSorted(domain, fresh, r.reporters.slice(0, 2));
      await expect(oracle.submitReport(fresh, sf.signers, sf.signatures)).to.emit(
        oracle,
        "ReportProposed",
      );
    });

    it("test_submitReport_bindingCheckedInOrder", async function () {
      const f = await networkHelpers.loadFixture(twoDealsFixture);
      const { oracle, oracleAddress, dealAddress, deal2Address, chainId } = f;
      const rep = await report(f, 0n);
      // Everything wrong at once: chain first, then oracle, then set, then period range, then end.
      const bad = { ...rep, chainId: 5n, oracle: deal2Address, reporterSet: 2n, period: PERIODS };
      await expect(oracle.submitReport(bad, [], []))
        .to.be.revertedWithCustomError(oracle, "ReportWrongChain")
        .withArgs(5n, chainId);
      await expect(oracle.submitReport({ ...bad, chainId }, [], []))
        .to.be.revertedWithCustomError(oracle, "ReportStaleDomain")
        .withArgs(deal2Address, oracleAddress);
      await expect(oracle.submitReport({ ...bad, chainId, oracle: oracleAddress }, [], []))
        .to.be.revertedWithCustomError(oracle, "ReportCrossDeal")
        .withArgs(dealAddress, deal2Address, 2n);
      await expect(
        oracle.submitReport({ ...bad, chainId, oracle: oracleAddress, reporterSet: 1n }, [], []),
      )
        .to.be.revertedWithCustomError(oracle, "ReportPeriodOutOfRange")
        .withArgs(dealAddress, PERIODS, PERIODS);
      await expect(oracle.submitReport({ ...rep, period: 5n }, [], []))
        .to.be.revertedWithCustomError(oracle, "ReportPeriodNotEnded")
        .withArgs(dealAddress, 5n, await f.deal.periodEnd(5));
      // Binding before bounds: an out-of-bound report on the wrong chain is refused for the chain.
      await expect(
        oracle.submitReport(
          { ...rep, chainId: 5n, gpuHoursBilled: rep.gpuHoursAvailable + 1n },
          [],
          [],
        ),
      )
        .to.be.revertedWithCustomError(oracle, "ReportWrongChain")
        .withArgs(5n, chainId);
    });
  });

  describe("submitReport: rounds", function () {
    it("test_submitReport_alreadyProposedPendingAndFinal", async function () {
      const f = await networkHelpers.loadFixture(endedFixture);
      const { oracle, dealAddress, r } = f;
      const { rep } = await propose(f, 0n);
      const s = await signReport(ethers, oracle, rep, r.reporters);
      const other = await report(f, 0n, { revenue: 1n });
      const so = await signReport(ethers, oracle, other, r.reporters);
      await expectUnchanged(oracle, dealAddress, async () => {
        // Pending: the same report again, or another one of the same round, is refused.
        await expect(oracle.submitReport(rep, s.signers, s.signatures))
          .to.be.revertedWithCustomError(oracle, "ReportAlreadyProposed")
          .withArgs(dealAddress, 0n, 0n);
        await expect(oracle.submitReport(other, so.signers, so.signatures))
          .to.be.revertedWithCustomError(oracle, "ReportAlreadyProposed")
          .withArgs(dealAddress, 0n, 0n);
      });
      // Final by time only, then recorded final.
      await time.increase(DISPUTE_WINDOW);
      await expect(oracle.submitReport(other, so.signers, so.signatures))
        .to.be.revertedWithCustomError(oracle, "ReportAlreadyProposed")
        .withArgs(dealAddress, 0n, 0n);
      await oracle.finalize(dealAddress, 0n);
      await expect(oracle.submitReport(other, [], []))
        .to.be.revertedWithCustomError(oracle, "ReportAlreadyProposed")
        .withArgs(dealAddress, 0n, 0n);
    });

    it("test_submitReport_replayOfDisputedRoundAndRoundNotOpen", async function () {
      const f = await networkHelpers.loadFixture(endedFixture);
      const { oracle, dealAddress, r } = f;
      // A round that is not open yet.
      const early = await report(f, 0n, { round: 1n });
      const se = await signReport(ethers, oracle, early, r.reporters);
      await expectUnchanged(oracle, dealAddress, async () => {
        await expect(oracle.submitReport(early, se.signers, se.signatures))
          .to.be.revertedWithCustomError(oracle, "ReportRoundNotOpen")
          .withArgs(1n, 0n);
      });

      const { rep } = await propose(f, 0n);
      const s = await signReport(ethers, oracle, rep, r.reporters.slice(0, 2));
      await oracle.connect(r.reporters[2]).dispute(dealAddress, 0n, REASON);
      await expectUnchanged(oracle, dealAddress, async () => {
        // The disputed round's signatures cannot be replayed.
        await expect(oracle.submitReport(rep, s.signers, s.signatures))
          .to.be.revertedWithCustomError(oracle, "ReportReplayed")
          .withArgs(dealAddress, 0n, 0n, 1n);
        const two = { ...rep, round: 2n };
        const s2 = await signReport(ethers, oracle, two, r.reporters);
        await expect(oracle.submitReport(two, s2.signers, s2.signatures))
          .to.be.revertedWithCustomError(oracle, "ReportRoundNotOpen")
          .withArgs(2n, 1n);
      });
      // Round 1 takes a new quorum report; the early round-1 signatures are for this very report: accepted.
      const at = await nextBlockAt();
      await expect(oracle.submitReport(early, se.signers, se.signatures))
        .to.emit(oracle, "ReportProposed")
        .withArgs(
          dealAddress,
          0n,
          1n,
          early.gpuHoursAvailable,
          early.gpuHoursBilled,
          early.revenue,
          early.reportHash,
          se.signers,
          at + DISPUTE_WINDOW,
        );
      // Disputed again: round 1's signatures are replays as well.
      await oracle.connect(r.guardian).dispute(dealAddress, 0n, REASON);
      await expect(oracle.submitReport(early, se.signers, se.signatures))
        .to.be.revertedWithCustomError(oracle, "ReportReplayed")
        .withArgs(dealAddress, 0n, 1n, 2n);
      expect((await oracle.getReport(dealAddress, 0n)).round).to.equal(2n);
    });

    it("test_submitReport_periodUnreported", async function () {
      const f = await networkHelpers.loadFixture(endedFixture);
      const { oracle, dealAddress, deal, r } = f;
      await time.increaseTo((await deal.periodEnd(1)) + REPORT_DEADLINE);
      await oracle.markUnreported(dealAddress, 1n);
      const rep = await report(f, 1n);
      const s = await signReport(ethers, oracle, rep, r.reporters);
      await expectUnchanged(oracle, dealAddress, async () => {
        await expect(oracle.submitReport(rep, s.signers, s.signatures))
          .to.be.revertedWithCustomError(oracle, "ReportPeriodUnreported")
          .withArgs(dealAddress, 1n);
        // Unreported is checked before the round.
        await expect(oracle.submitReport({ ...rep, round: 3n }, [], []))
          .to.be.revertedWithCustomError(oracle, "ReportPeriodUnreported")
          .withArgs(dealAddress, 1n);
      });
    });
  });

  describe("submitReport: deadline", function () {
    it("test_submitReport_reportDeadlinePassed", async function () {
      // Period 1 is ready as unreported from its deadline on (a keeper may distribute it): a quorum report arriving
      // then, before anyone marked it, must not hold it back for another dispute window.
      const f = await networkHelpers.loadFixture(endedFixture);
      const { oracle, dealAddress, deal, r } = f;
      const deadline = (await deal.periodEnd(1)) + REPORT_DEADLINE;
      expect(await oracle.reportDeadline(dealAddress, 1n)).to.equal(deadline);
      const rep = await report(f, 1n);
      const s = await signReport(ethers, oracle, rep, r.reporters);
      await time.setNextBlockTimestamp(deadline);
      await expectUnchanged(oracle, dealAddress, async () => {
        await expect(oracle.submitReport(rep, s.signers, s.signatures))
          .to.be.revertedWithCustomError(oracle, "ReportDeadlinePassed")
          .withArgs(dealAddress, 1n, deadline);
        // Later still, and with the signatures left out: the deadline is checked before them.
        await time.increaseTo(deadline + DAY);
        await expect(oracle.submitReport(rep, [], []))
          .to.be.revertedWithCustomError(oracle, "ReportDeadlinePassed")
          .withArgs(dealAddress, 1n, deadline);
      });
      expect(await oracle.reportState(dealAddress, 1n)).to.equal(ReportState.None);
      await expect(oracle.markUnreported(dealAddress, 1n)).to.emit(oracle, "PeriodUnreported");
    });

    it("test_submitReport_acceptedJustBeforeDeadline", async function () {
      const f = await networkHelpers.loadFixture(endedFixture);
      const { oracle, dealAddress, deal, r } = f;
      const deadline = (await deal.periodEnd(1)) + REPORT_DEADLINE;
      const rep = await report(f, 1n);
      const s = await signReport(ethers, oracle, rep, r.reporters.slice(0, 2));
      await time.setNextBlockTimestamp(deadline - 1n);
      await expect(oracle.submitReport(rep, s.signers, s.signatures))
        .to.emit(oracle, "ReportProposed")
        .withArgs(
          dealAddress,
          1n,
          0n,
          rep.gpuHoursAvailable,
          rep.gpuHoursBilled,
          rep.revenue,
          rep.reportHash,
          s.signers,
          deadline - 1n + DISPUTE_WINDOW,
        );
      expect(await oracle.reportState(dealAddress, 1n)).to.equal(ReportState.Pending);
    });

    it("test_submitReport_extendedDeadlineAfterDispute", async function () {
      // Proposed just before the deadline, disputed after it: the next round is accepted until one dispute window
      // after the dispute, and refused from then on with the extended deadline.
      const f = await networkHelpers.loadFixture(endedFixture);
      const { oracle, dealAddress, deal, r } = f;
      const deadline = (await deal.periodEnd(1)) + REPORT_DEADLINE;
      await time.setNextBlockTimestamp(deadline - 1n);
      const first = await report(f, 1n);
      const s0 = await signReport(ethers, oracle, first, r.reporters.slice(0, 2));
      await oracle.submitReport(first, s0.signers, s0.signatures);
      const disputedAt = deadline + 60n;
      await time.setNextBlockTimestamp(disputedAt);
      await oracle.connect(r.reporters[2]).dispute(dealAddress, 1n, REASON);
      const extended = disputedAt + DISPUTE_WINDOW;
      expect(await oracle.reportDeadline(dealAddress, 1n)).to.equal(extended);

      const second = await report(f, 1n);
      expect(second.round).to.equal(1n);
      const s1 = await signReport(ethers, oracle, second, r.reporters.slice(0, 2));
      // At the extended deadline: refused.
      const id = await ethers.provider.send("evm_snapshot", []);
      await time.setNextBlockTimestamp(extended);
      await expectUnchanged(oracle, dealAddress, async () => {
        await expect(oracle.submitReport(second, s1.signers, s1.signatures))
          .to.be.revertedWithCustomError(oracle, "ReportDeadlinePassed")
          .withArgs(dealAddress, 1n, extended);
      });
      await ethers.provider.send("evm_revert", [id]);
      // One second before it: accepted, and the period is pending again.
      await time.setNextBlockTimestamp(extended - 1n);
      await expect(oracle.submitReport(second, s1.signers, s1.signatures))
        .to.emit(oracle, "ReportProposed")
        .withArgs(
          dealAddress,
          1n,
          1n,
          second.gpuHoursAvailable,
          second.gpuHoursBilled,
          second.revenue,
          second.reportHash,
          s1.signers,
          extended - 1n + DISPUTE_WINDOW,
        );
      expect(await oracle.reportState(dealAddress, 1n)).to.equal(ReportState.Pending);
    });

    it("test_submitReport_disputeBeforeDeadlineKeepsIt", async function () {
      // A dispute long before the deadline does not shorten it: one dispute window after the dispute is earlier.
      const f = await networkHelpers.loadFixture(endedFixture);
      const { oracle, dealAddress, deal, r } = f;
      const deadline = (await deal.periodEnd(1)) + REPORT_DEADLINE;
      await propose(f, 1n);
      await oracle.connect(r.reporters[2]).dispute(dealAddress, 1n, REASON);
      expect(await oracle.reportDeadline(dealAddress, 1n)).to.equal(deadline);
      const second = await report(f, 1n);
      const s1 = await signReport(ethers, oracle, second, r.reporters.slice(0, 2));
      await time.setNextBlockTimestamp(deadline);
      await expect(oracle.submitReport(second, s1.signers, s1.signatures))
        .to.be.revertedWithCustomError(oracle, "ReportDeadlinePassed")
        .withArgs(dealAddress, 1n, deadline);
    });
  });

  describe("submitReport: bounds", function () {
    it("test_submitReport_billedExceedsAvailable", async function () {
      const f = await networkHelpers.loadFixture(endedFixture);
      const { oracle, dealAddress, r } = f;
      const rep = await report(f, 0n, {
        gpuHoursAvailable: 100n,
        gpuHoursBilled: 101n,
        revenue: 0n,
      });
      const s = await signReport(ethers, oracle, rep, r.reporters);
      await expectUnchanged(oracle, dealAddress, async () => {
        await expect(oracle.submitReport(rep, s.signers, s.signatures))
          .to.be.revertedWithCustomError(oracle, "BilledExceedsAvailable")
          .withArgs(101n, 100n);
        // Bounds come before signatures.
        await expect(oracle.submitReport(rep, [], []))
          .to.be.revertedWithCustomError(oracle, "BilledExceedsAvailable")
          .withArgs(101n, 100n);
      });
    });

    it("test_submitReport_availableExceedsFleet", async function () {
      const f = await networkHelpers.loadFixture(endedFixture);
      const { oracle, dealAddress, r } = f;
      expect(MAX_AVAILABLE).to.equal(1_474_560n);
      const rep = await report(f, 0n, {
        gpuHoursAvailable: MAX_AVAILABLE + 1n,
        gpuHoursBilled: 0n,
        revenue: 0n,
      });
      const s = await signReport(ethers, oracle, rep, r.reporters);
      await expectUnchanged(oracle, dealAddress, async () => {
        await expect(oracle.submitReport(rep, s.signers, s.signatures))
          .to.be.revertedWithCustomError(oracle, "AvailableExceedsFleet")
          .withArgs(MAX_AVAILABLE + 1n, MAX_AVAILABLE);
        await expect(oracle.submitReport({ ...rep, gpuHoursAvailable: MAX_U64 }, [], []))
          .to.be.revertedWithCustomError(oracle, "AvailableExceedsFleet")
          .withArgs(MAX_U64, MAX_AVAILABLE);
      });
      const atMax = { ...rep, gpuHoursAvailable: MAX_AVAILABLE };
      const sm = await signReport(ethers, oracle, atMax, r.reporters);
      await expect(oracle.submitReport(atMax, sm.signers, sm.signatures)).to.emit(
        oracle,
        "ReportProposed",
      );
    });

    it("test_submitReport_availableExceedsFleet_roundsHoursDown", async function () {
      const { oracle, protocol, r, domain } = await networkHelpers.loadFixture(dealFixture);
      // A 90-minute period and 3 GPUs: 4.5 GPU-hours, so at most 4.
      const terms = await standardTermSheet(networkHelpers, protocol, r, { periodLength: 5_400n });
      terms.oracle = { ...terms.oracle, fleetGpus: 3n };
      const h = await createDeal(ethers, protocol, terms);
      const dealAddress = await h.deal.getAddress();
      await time.increaseTo(await h.deal.periodEnd(0));
      const base = await buildReport(ethers, protocol, h.deal, 0n, 0n, 0n, 5n);
      const s = await signSorted(domain, base, r.reporters);
      await expect(oracle.submitReport(base, s.signers, s.signatures))
        .to.be.revertedWithCustomError(oracle, "AvailableExceedsFleet")
        .withArgs(5n, 4n);
      const ok = { ...base, gpuHoursAvailable: 4n };
      const so = await signSorted(domain, ok, r.reporters);
      await expect(oracle.submitReport(ok, so.signers, so.signatures)).to.emit(
        oracle,
        "ReportProposed",
      );
      expect((await oracle.getReport(dealAddress, 0n)).gpuHoursAvailable).to.equal(4n);
    });

    it("test_submitReport_revenueExceedsBound", async function () {
      const f = await networkHelpers.loadFixture(endedFixture);
      const { oracle, dealAddress, r } = f;
      const bound = 700_000n * MAX_PRICE;
      const rep = await report(f, 0n, { revenue: bound + 1n });
      const s = await signReport(ethers, oracle, rep, r.reporters);
      await expectUnchanged(oracle, dealAddress, async () => {
        await expect(oracle.submitReport(rep, s.signers, s.signatures))
          .to.be.revertedWithCustomError(oracle, "RevenueExceedsBound")
          .withArgs(bound + 1n, bound);
        // No hours billed: no revenue at all.
        await expect(oracle.submitReport({ ...rep, gpuHoursBilled: 0n, revenue: 1n }, [], []))
          .to.be.revertedWithCustomError(oracle, "RevenueExceedsBound")
          .withArgs(1n, 0n);
      });
      const atBound = { ...rep, revenue: bound };
      const sb = await signReport(ethers, oracle, atBound, r.reporters.slice(0, 2));
      await expect(oracle.submitReport(atBound, sb.signers, sb.signatures)).to.emit(
        oracle,
        "ReportProposed",
      );
    });

    it("test_submitReport_utilizationStepNeedsAllReporters", async function () {
      const f = await networkHelpers.loadFixture(endedFixture);
      const { oracle, dealAddress, r } = f;
      await propose(f, 0n); // U = 70 %, pending
      // 70 % → 20 %: a step of 50 % > 40 %.
      const drop = await report(f, 1n, { gpuHoursBilled: 200_000n, revenue: 0n });
      const two = await signReport(ethers, oracle, drop, r.reporters.slice(0, 2));
      const step = (50n * WAD) / 100n;
      await expectUnchanged(oracle, dealAddress, async () => {
        await expect(oracle.submitReport(drop, two.signers, two.signatures))
          .to.be.revertedWithCustomError(oracle, "UtilizationStepNeedsAllReporters")
          .withArgs(step, MAX_STEP, 2n, 3n);
        // Checked before the signatures themselves.
        await expect(oracle.submitReport(drop, two.signers, [two.signatures[1], two.signatures[0]]))
          .to.be.revertedWithCustomError(oracle, "UtilizationStepNeedsAllReporters")
          .withArgs(step, MAX_STEP, 2n, 3n);
        // Fewer than the quorum is refused for the quorum first.
        await expect(oracle.submitReport(drop, two.signers.slice(0, 1), two.signatures.slice(0, 1)))
          .to.be.revertedWithCustomError(oracle, "InsufficientSignatures")
          .withArgs(1n, 2n);
      });
      // Every reporter signs: accepted.
      const all = await signReport(ethers, oracle, drop, r.reporters);
      await expect(oracle.submitReport(drop, all.signers, all.signatures)).to.emit(
        oracle,
        "ReportProposed",
      );

      // Period 2 against period 1 (20 %, pending): a rise to 70 % once 1 is final still needs everyone.
      await time.increaseTo(await f.deal.periodEnd(2));
      await time.increase(DISPUTE_WINDOW);
      expect(await oracle.reportState(dealAddress, 1n)).to.equal(ReportState.Final);
      const rise = await report(f, 2n);
      const s2 = await signReport(ethers, oracle, rise, r.reporters.slice(1));
      await expect(oracle.submitReport(rise, s2.signers, s2.signatures))
        .to.be.revertedWithCustomError(oracle, "UtilizationStepNeedsAllReporters")
        .withArgs(step, MAX_STEP, 2n, 3n);
      // A step of exactly the maximum is fine with the quorum: 20 % → 60 %.
      const edge = await report(f, 2n, { gpuHoursBilled: 600_000n });
      const se = await signReport(ethers, oracle, edge, r.reporters.slice(1));
      await expect(oracle.submitReport(edge, se.signers, se.signatures)).to.emit(
        oracle,
        "ReportProposed",
      );
    });

    it("test_submitReport_noStepCheckWithoutPreviousReport", async function () {
      const f = await networkHelpers.loadFixture(endedFixture);
      const { oracle, dealAddress, deal, r } = f;
      // Period 0 has no previous period: 100 % with the quorum.
      const first = await report(f, 0n, { gpuHoursBilled: 1_000_000n });
      const s0 = await signReport(ethers, oracle, first, r.reporters.slice(0, 2));
      await oracle.submitReport(first, s0.signers, s0.signatures);
      // Period 1 while period 0 is disputed (no report): 0 % with the quorum.
      await oracle.connect(r.reporters[0]).dispute(dealAddress, 0n, REASON);
      const zero = await report(f, 1n, { gpuHoursBilled: 0n, revenue: 0n });
      const s1 = await signReport(ethers, oracle, zero, r.reporters.slice(0, 2));
      await expect(oracle.submitReport(zero, s1.signers, s1.signatures)).to.emit(
        oracle,
        "ReportProposed",
      );
      // Period 4 at 100 % after period 3 was marked unreported (at period 3's deadline, before period 4's).
      await time.increaseTo((await deal.periodEnd(3)) + REPORT_DEADLINE);
      await oracle.markUnreported(dealAddress, 3n);
      const after = await report(f, 4n, { gpuHoursBilled: 1_000_000n });
      const s4 = await signReport(ethers, oracle, after, r.reporters.slice(1));
      await expect(oracle.submitReport(after, s4.signers, s4.signatures)).to.emit(
        oracle,
        "ReportProposed",
      );
      // Period 6 at 0 % while period 5 was never reported (period 4 said 100 %).
      await time.increaseTo(await deal.periodEnd(6));
      const six = await report(f, 6n, { gpuHoursBilled: 0n, revenue: 0n });
      const s6 = await signReport(ethers, oracle, six, r.reporters.slice(0, 2));
      await expect(oracle.submitReport(six, s6.signers, s6.signatures)).to.emit(
        oracle,
        "ReportProposed",
      );
    });

    it("test_submitReport_utilizationStepCheckedAgainstReportedNextPeriod", async function () {
      // Expected behaviour, per OracleTerms: "a utilization change above maxUtilizationStep from the previous
      // period needs every reporter". When period p is reported first (period p - 1 had no report, e.g. because
      // its report was disputed), the change p - 1 → p is only known when p - 1 is reported: that report must then
      // need every reporter. The oracle checks a report against the previous period only, so a quorum can report
      // any step by reporting out of order; this test fails until the next period is checked too.
      const f = await networkHelpers.loadFixture(endedFixture);
      const { oracle, dealAddress, r } = f;
      // A quorum proposes period 0 at 70 %; the third reporter disputes it.
      await propose(f, 0n);
      await oracle.connect(r.reporters[2]).dispute(dealAddress, 0n, REASON);
      // The quorum reports period 1 at 0 % (no previous report: no step check), then period 0 again at 70 %.
      const p1 = await report(f, 1n, { gpuHoursBilled: 0n, revenue: 0n });
      const s1 = await signReport(ethers, oracle, p1, r.reporters.slice(0, 2));
      await oracle.submitReport(p1, s1.signers, s1.signatures);
      const p0 = await report(f, 0n);
      expect(p0.round).to.equal(1n);
      const two = await signReport(ethers, oracle, p0, r.reporters.slice(0, 2));
      await expectUnchanged(oracle, dealAddress, async () => {
        await expect(oracle.submitReport(p0, two.signers, two.signatures))
          .to.be.revertedWithCustomError(oracle, "UtilizationStepNeedsAllReporters")
          .withArgs((70n * WAD) / 100n, MAX_STEP, 2n, 3n);
      });
      const all = await signReport(ethers, oracle, p0, r.reporters);
      await expect(oracle.submitReport(p0, all.signers, all.signatures)).to.emit(
        oracle,
        "ReportProposed",
      );
    });
  });

  describe("submitReport: signatures", function () {
    it("test_submitReport_signatureCountMismatch", async function () {
      const f = await networkHelpers.loadFixture(endedFixture);
      const { oracle, dealAddress, r } = f;
      const rep = await report(f, 0n);
      const s = await signReport(ethers, oracle, rep, r.reporters);
      await expectUnchanged(oracle, dealAddress, async () => {
        await expect(oracle.submitReport(rep, s.signers, s.signatures.slice(0, 2)))
          .to.be.revertedWithCustomError(oracle, "SignatureCountMismatch")
          .withArgs(3n, 2n);
        await expect(oracle.submitReport(rep, s.signers.slice(0, 2), s.signatures))
          .to.be.revertedWithCustomError(oracle, "SignatureCountMismatch")
          .withArgs(2n, 3n);
        await expect(oracle.submitReport(rep, [], s.signatures))
          .to.be.revertedWithCustomError(oracle, "SignatureCountMismatch")
          .withArgs(0n, 3n);
      });
    });

    it("test_submitReport_insufficientSignatures", async function () {
      const f = await networkHelpers.loadFixture(endedFixture);
      const { oracle, dealAddress, r, outsider } = f;
      const rep = await report(f, 0n);
      const one = await signReport(ethers, oracle, rep, [r.reporters[0]]);
      await expectUnchanged(oracle, dealAddress, async () => {
        await expect(oracle.submitReport(rep, one.signers, one.signatures))
          .to.be.revertedWithCustomError(oracle, "InsufficientSignatures")
          .withArgs(1n, 2n);
        await expect(oracle.submitReport(rep, [], []))
          .to.be.revertedWithCustomError(oracle, "InsufficientSignatures")
          .withArgs(0n, 2n);
        // Counted before membership: one outsider alone is too few.
        const o = await signReport(ethers, oracle, rep, [outsider]);
        await expect(oracle.submitReport(rep, o.signers, o.signatures))
          .to.be.revertedWithCustomError(oracle, "InsufficientSignatures")
          .withArgs(1n, 2n);
      });
    });

    it("test_submitReport_signersNotAscending", async function () {
      const f = await networkHelpers.loadFixture(endedFixture);
      const { oracle, dealAddress, r } = f;
      const rep = await report(f, 0n);
      const { signers, signatures } = await signReport(ethers, oracle, rep, r.reporters);
      await expectUnchanged(oracle, dealAddress, async () => {
        // The same reporter twice cannot make a quorum of two.
        await expect(
          oracle.submitReport(rep, [signers[0], signers[0]], [signatures[0], signatures[0]]),
        )
          .to.be.revertedWithCustomError(oracle, "SignersNotAscending")
          .withArgs(1n);
        await expect(
          oracle.submitReport(
            rep,
            [signers[0], signers[1], signers[1]],
            [signatures[0], signatures[1], signatures[1]],
          ),
        )
          .to.be.revertedWithCustomError(oracle, "SignersNotAscending")
          .withArgs(2n);
        // Descending order.
        await expect(
          oracle.submitReport(rep, [signers[1], signers[0]], [signatures[1], signatures[0]]),
        )
          .to.be.revertedWithCustomError(oracle, "SignersNotAscending")
          .withArgs(1n);
        await expect(
          oracle.submitReport(
            rep,
            [signers[0], signers[2], signers[1]],
            [signatures[0], signatures[2], signatures[1]],
          ),
        )
          .to.be.revertedWithCustomError(oracle, "SignersNotAscending")
          .withArgs(2n);
        // The zero address is never above the start of the sequence.
        await expect(
          oracle.submitReport(
            rep,
            [ethers.ZeroAddress, signers[0]],
            [signatures[0], signatures[0]],
          ),
        )
          .to.be.revertedWithCustomError(oracle, "SignersNotAscending")
          .withArgs(0n);
      });
    });

    it("test_submitReport_notReporter", async function () {
      const f = await networkHelpers.loadFixture(endedFixture);
      const { oracle, dealAddress, r, outsider, domain } = f;
      const rep = await report(f, 0n);
      const s = await signReport(ethers, oracle, rep, [r.reporters[0], outsider]);
      const idx = s.signers.indexOf(outsider.address);
      // Deal roles are not reporters either; a random wallet neither.
      const w = wallets(ethers, "not-a-reporter", 1)[0];
      const sw = await signSorted(domain, rep, [r.reporters[1], w]);
      await expectUnchanged(oracle, dealAddress, async () => {
        await expect(oracle.submitReport(rep, s.signers, s.signatures))
          .to.be.revertedWithCustomError(oracle, "NotReporter")
          .withArgs(dealAddress, s.signers[idx]);
        await expect(oracle.submitReport(rep, sw.signers, sw.signatures))
          .to.be.revertedWithCustomError(oracle, "NotReporter")
          .withArgs(dealAddress, w.address);
        for (const role of [f.r.issuer, f.r.guardian]) {
          const sr = await signReport(ethers, oracle, rep, [r.reporters[2], role]);
          await expect(oracle.submitReport(rep, sr.signers, sr.signatures))
            .to.be.revertedWithCustomError(oracle, "NotReporter")
            .withArgs(dealAddress, role.address);
        }
      });
    });

    it("test_submitReport_invalidSignature_tamperedContent", async function () {
      const f = await networkHelpers.loadFixture(endedFixture);
      const { oracle, dealAddress, r, domain } = f;
      const rep = await report(f, 0n);
      const [first, second] = byAddress(r.reporters.slice(0, 2));
      const good = await signAs(domain, rep, [first, second]);
      // Each signed field changed in what the first signer signed; the report submitted is the true one.
      const tampered: [string, ReportInput][] = [
        ["gpuHoursAvailable", { ...rep, gpuHoursAvailable: rep.gpuHoursAvailable + 1n }],
        ["gpuHoursBilled", { ...rep, gpuHoursBilled: rep.gpuHoursBilled - 1n }],
        ["revenue", { ...rep, revenue: rep.revenue + 1n }],
        ["reportHash", { ...rep, reportHash: ethers.ZeroHash }],
        ["period", { ...rep, period: 1n }],
        ["round", { ...rep, round: 1n }],
        ["reporterSet", { ...rep, reporterSet: 2n }],
        ["deal", { ...rep, deal: f.outsider.address }],
        ["oracle", { ...rep, oracle: dealAddress }],
        ["chainId", { ...rep, chainId: rep.chainId + 1n }],
      ];
      await expectUnchanged(oracle, dealAddress, async () => {
        for (const [label, signed] of tampered) {
          const bad = await first.signTypedData(domain, REPORT_TYPES, { ...signed });
          await expect(oracle.submitReport(rep, good.signers, [bad, good.signatures[1]]), label)
            .to.be.revertedWithCustomError(oracle, "InvalidSignature")
            .withArgs(first.address);
          await expect(oracle.submitReport(rep, good.signers, [good.signatures[0], bad]), label)
            .to.be.revertedWithCustomError(oracle, "InvalidSignature")
            .withArgs(second.address);
        }
        // The report tampered after signing (the signatures are for the original).
        await expect(
          oracle.submitReport({ ...rep, revenue: rep.revenue - 1n }, good.signers, good.signatures),
        )
          .to.be.revertedWithCustomError(oracle, "InvalidSignature")
          .withArgs(first.address);
        // Another reporter's signature under the first one's name.
        await expect(
          oracle.submitReport(rep, good.signers, [good.signatures[1], good.signatures[1]]),
        )
          .to.be.revertedWithCustomError(oracle, "InvalidSignature")
          .withArgs(first.address);
        // Malformed signatures.
        const zeros65 = ethers.hexlify(new Uint8Array(65));
        const highS = ethers.Signature.from(good.signatures[0]);
        const malleated = ethers.concat([
          highS.r,
          ethers.toBeHex(
            0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n - BigInt(highS.s),
            32,
          ),
          highS.v === 27 ? "0x1c" : "0x1b",
        ]);
        for (const sig of ["0x", "0x1234", zeros65, good.signatures[0] + "00", malleated]) {
          await expect(oracle.submitReport(rep, good.signers, [sig, good.signatures[1]]))
            .to.be.revertedWithCustomError(oracle, "InvalidSignature")
            .withArgs(first.address);
        }
      });
      await expect(oracle.submitReport(rep, good.signers, good.signatures)).to.emit(
        oracle,
        "ReportProposed",
      );
    });

    it("test_submitReport_invalidSignature_wrongDomain", async function () {
      const f = await networkHelpers.loadFixture(endedFixture);
      const { oracle, dealAddress, r, domain } = f;
      const rep = await report(f, 0n);
      const [first, second] = byAddress(r.reporters.slice(0, 2));
      const good = await signAs(domain, rep, [first, second]);
      const domains: [string, OracleDomain | Omit<OracleDomain, "version">][] = [
        ["name", { ...domain, name: "Cascade" }],
        ["version", { ...domain, version: "2" }],
        ["chainId", { ...domain, chainId: domain.chainId + 1n }],
        ["verifyingContract", { ...domain, verifyingContract: dealAddress }],
      ];
      await expectUnchanged(oracle, dealAddress, async () => {
        for (const [label, d] of domains) {
          const bad = await first.signTypedData(d, REPORT_TYPES, { ...rep });
          await expect(oracle.submitReport(rep, good.signers, [bad, good.signatures[1]]), label)
            .to.be.revertedWithCustomError(oracle, "InvalidSignature")
            .withArgs(first.address);
        }
        // A domain without a version field at all.
        const { version: _v, ...noVersion } = domain;
        const bad = await second.signTypedData(noVersion, REPORT_TYPES, { ...rep });
        await expect(oracle.submitReport(rep, good.signers, [good.signatures[0], bad]))
          .to.be.revertedWithCustomError(oracle, "InvalidSignature")
          .withArgs(second.address);
        // The raw digest signed as an eth_sign message instead of typed data.
        const digest = await oracle.hashReport(rep);
        const personal = await first.signMessage(ethers.getBytes(digest));
        await expect(oracle.submitReport(rep, good.signers, [personal, good.signatures[1]]))
          .to.be.revertedWithCustomError(oracle, "InvalidSignature")
          .withArgs(first.address);
      });
    });

    it("test_submitReport_checkOrderSignersAfterCounts", async function () {
      const f = await networkHelpers.loadFixture(endedFixture);
      const { oracle, dealAddress, r, domain } = f;
      const rep = await report(f, 0n);
      // Order is checked at each index before membership: the highest reporter, then a non-reporter below it.
      const [, , top] = byAddress(r.reporters);
      const below = wallets(ethers, "below", 16).find(
        (w) => BigInt(w.address) < BigInt(top.address),
      )!;
      const s = await signAs(domain, rep, [top, below]);
      await expect(oracle.submitReport(rep, s.signers, s.signatures))
        .to.be.revertedWithCustomError(oracle, "SignersNotAscending")
        .withArgs(1n);
      // Membership before the signature: a non-reporter with a garbage signature.
      const above = wallets(ethers, "above", 16).find(
        (w) => BigInt(w.address) > BigInt(top.address),
      )!;
      await expect(oracle.submitReport(rep, [top.address, above.address], [s.signatures[0], "0x"]))
        .to.be.revertedWithCustomError(oracle, "NotReporter")
        .withArgs(dealAddress, above.address);
      // Each signer is checked in full before the next one: a bad signature at index 0 wins over a non-reporter
      // at index 1.
      await expect(oracle.submitReport(rep, [top.address, above.address], ["0x", "0x"]))
        .to.be.revertedWithCustomError(oracle, "InvalidSignature")
        .withArgs(top.address);
    });
  });

  describe("dispute window", function () {
    it("test_report_pendingUntilWindowEndsThenFinal", async function () {
      const f = await networkHelpers.loadFixture(endedFixture);
      const { oracle, dealAddress } = f;
      const { rep, proposedAt } = await propose(f, 0n);
      await time.increaseTo(proposedAt + DISPUTE_WINDOW - 1n);
      expect(await oracle.reportState(dealAddress, 0n)).to.equal(ReportState.Pending);
      expect((await oracle.getReport(dealAddress, 0n)).state).to.equal(BigInt(ReportState.Pending));
      await expect(oracle.periodOutcome(dealAddress, 0n))
        .to.be.revertedWithCustomError(oracle, "ReportNotFinal")
        .withArgs(dealAddress, 0n);
      await time.increaseTo(proposedAt + DISPUTE_WINDOW);
      expect(await oracle.reportState(dealAddress, 0n)).to.equal(ReportState.Final);
      expect(plain(await oracle.getReport(dealAddress, 0n))).to.deep.equal([
        rep.gpuHoursAvailable,
        rep.gpuHoursBilled,
        rep.revenue,
        proposedAt,
        0n,
        BigInt(ReportState.Final),
        0n,
      ]);
      expect(plain(await oracle.periodOutcome(dealAddress, 0n))).to.deep.equal([
        true,
        rep.gpuHoursAvailable,
        rep.gpuHoursBilled,
        rep.revenue,
      ]);
    });

    it("test_dispute_byReporterVoidsAndOpensNextRound", async function () {
      const f = await networkHelpers.loadFixture(endedFixture);
      const { oracle, dealAddress, r } = f;
      const { proposedAt } = await propose(f, 0n);
      // The third reporter, who did not sign, disputes on the last second of the window.
      await time.setNextBlockTimestamp(proposedAt + DISPUTE_WINDOW - 1n);
      await expect(oracle.connect(r.reporters[2]).dispute(dealAddress, 0n, REASON))
        .to.emit(oracle, "ReportDisputed")
        .withArgs(dealAddress, 0n, 0n, r.reporters[2].address, REASON);
      expect(plain(await oracle.getReport(dealAddress, 0n))).to.deep.equal([
        0n,
        0n,
        0n,
        0n,
        1n,
        0n,
        proposedAt + DISPUTE_WINDOW - 1n,
      ]);
      expect(await oracle.reportState(dealAddress, 0n)).to.equal(ReportState.None);
      await expect(oracle.periodOutcome(dealAddress, 0n))
        .to.be.revertedWithCustomError(oracle, "ReportNotFinal")
        .withArgs(dealAddress, 0n);
      // A new quorum report for round 1, with other figures.
      const next = await report(f, 0n, { revenue: REVENUE / 2n });
      expect(next.round).to.equal(1n);
      const s = await signReport(ethers, oracle, next, r.reporters.slice(1));
      const at = BigInt(await time.latest()) + 1n;
      await time.setNextBlockTimestamp(at);
      await expect(oracle.submitReport(next, s.signers, s.signatures))
        .to.emit(oracle, "ReportProposed")
        .withArgs(
          dealAddress,
          0n,
          1n,
          next.gpuHoursAvailable,
          next.gpuHoursBilled,
          REVENUE / 2n,
          next.reportHash,
          s.signers,
          at + DISPUTE_WINDOW,
        );
      await time.increase(DISPUTE_WINDOW);
      expect(plain(await oracle.periodOutcome(dealAddress, 0n))).to.deep.equal([
        true,
        next.gpuHoursAvailable,
        next.gpuHoursBilled,
        REVENUE / 2n,
      ]);
      expect((await oracle.getReport(dealAddress, 0n)).round).to.equal(1n);
    });

    it("test_dispute_byGuardian", async function () {
      const f = await networkHelpers.loadFixture(endedFixture);
      const { oracle, dealAddress, r, deal, outsider } = f;
      await propose(f, 1n);
      await expect(oracle.connect(r.guardian).dispute(dealAddress, 1n, ethers.ZeroHash))
        .to.emit(oracle, "ReportDisputed")
        .withArgs(dealAddress, 1n, 0n, r.guardian.address, ethers.ZeroHash);
      // Whoever holds the deal's guardian role now: the guardian hands over after the deal's delay.
      await deal.connect(r.guardian).proposeGuardian(outsider.address);
      await time.increase(await deal.GUARDIAN_CHANGE_DELAY());
      await deal.connect(outsider).applyGuardianChange();
      await propose(f, 1n);
      await expect(oracle.connect(r.guardian).dispute(dealAddress, 1n, REASON))
        .to.be.revertedWithCustomError(oracle, "NotDisputer")
        .withArgs(dealAddress, r.guardian.address);
      await expect(oracle.connect(outsider).dispute(dealAddress, 1n, REASON))
        .to.emit(oracle, "ReportDisputed")
        .withArgs(dealAddress, 1n, 1n, outsider.address, REASON);
      expect((await oracle.getReport(dealAddress, 1n)).round).to.equal(2n);
    });

    it("test_dispute_notDisputer", async function () {
      const f = await networkHelpers.loadFixture(endedFixture);
      const { oracle, dealAddress, r, outsider, protocol } = f;
      await propose(f, 0n);
      await expectUnchanged(oracle, dealAddress, async () => {
        // Neither a stranger, nor the issuer admin, the servicer, the trustee or the oracle's admin.
        for (const caller of [outsider, r.issuer, r.servicer, r.trustee, protocol.admin]) {
          await expect(oracle.connect(caller).dispute(dealAddress, 0n, REASON))
            .to.be.revertedWithCustomError(oracle, "NotDisputer")
            .withArgs(dealAddress, caller.address);
        }
        // Checked before whether anything is pending.
        await expect(oracle.connect(outsider).dispute(dealAddress, 5n, REASON))
          .to.be.revertedWithCustomError(oracle, "NotDisputer")
          .withArgs(dealAddress, outsider.address);
      });
    });

    it("test_dispute_windowClosed", async function () {
      const f = await networkHelpers.loadFixture(endedFixture);
      const { oracle, dealAddress, r } = f;
      const { proposedAt } = await propose(f, 0n);
      const closesAt = proposedAt + DISPUTE_WINDOW;
      await expectUnchanged(oracle, dealAddress, async () => {
        await time.setNextBlockTimestamp(closesAt);
        await expect(oracle.connect(r.reporters[0]).dispute(dealAddress, 0n, REASON))
          .to.be.revertedWithCustomError(oracle, "DisputeWindowClosed")
          .withArgs(dealAddress, 0n, closesAt);
        await expect(oracle.connect(r.guardian).dispute(dealAddress, 0n, REASON))
          .to.be.revertedWithCustomError(oracle, "DisputeWindowClosed")
          .withArgs(dealAddress, 0n, closesAt);
      });
      await time.increaseTo(closesAt);
      expect(await oracle.reportState(dealAddress, 0n)).to.equal(ReportState.Final);
    });

    it("test_dispute_noPendingReport", async function () {
      const f = await networkHelpers.loadFixture(endedFixture);
      const { oracle, dealAddress, deal, r } = f;
      const disputer = oracle.connect(r.reporters[1]);
      await expectUnchanged(oracle, dealAddress, async () => {
        // Nothing proposed; out of range.
        await expect(disputer.dispute(dealAddress, 0n, REASON))
          .to.be.revertedWithCustomError(oracle, "NoPendingReport")
          .withArgs(dealAddress, 0n);
        await expect(disputer.dispute(dealAddress, PERIODS, REASON))
          .to.be.revertedWithCustomError(oracle, "NoPendingReport")
          .withArgs(dealAddress, PERIODS);
      });
      // Disputed already (void).
      await propose(f, 0n);
      await disputer.dispute(dealAddress, 0n, REASON);
      await expect(disputer.dispute(dealAddress, 0n, REASON))
        .to.be.revertedWithCustomError(oracle, "NoPendingReport")
        .withArgs(dealAddress, 0n);
      // Recorded final.
      await propose(f, 1n);
      await time.increase(DISPUTE_WINDOW);
      await oracle.finalize(dealAddress, 1n);
      await expect(disputer.dispute(dealAddress, 1n, REASON))
        .to.be.revertedWithCustomError(oracle, "NoPendingReport")
        .withArgs(dealAddress, 1n);
      // Unreported.
      await time.increaseTo((await deal.periodEnd(2)) + REPORT_DEADLINE);
      await oracle.markUnreported(dealAddress, 2n);
      await expect(disputer.dispute(dealAddress, 2n, REASON))
        .to.be.revertedWithCustomError(oracle, "NoPendingReport")
        .withArgs(dealAddress, 2n);
    });
  });

  describe("finalize", function () {
    it("test_finalize_notFinal", async function () {
      const f = await networkHelpers.loadFixture(endedFixture);
      const { oracle, dealAddress } = f;
      // Period 1 has just ended: no report yet and its deadline is ahead. Out of range periods are never final.
      await expectUnchanged(oracle, dealAddress, async () => {
        await expect(oracle.finalize(dealAddress, 1n))
          .to.be.revertedWithCustomError(oracle, "ReportNotFinal")
          .withArgs(dealAddress, 1n);
        await expect(oracle.finalize(dealAddress, PERIODS))
          .to.be.revertedWithCustomError(oracle, "ReportNotFinal")
          .withArgs(dealAddress, PERIODS);
      });
      const { proposedAt } = await propose(f, 1n);
      await time.setNextBlockTimestamp(proposedAt + DISPUTE_WINDOW - 1n);
      await expect(oracle.finalize(dealAddress, 1n))
        .to.be.revertedWithCustomError(oracle, "ReportNotFinal")
        .withArgs(dealAddress, 1n);
    });

    it("test_finalize_marksAPeriodPastItsDeadlineUnreported", async function () {
      const f = await networkHelpers.loadFixture(endedFixture);
      const { oracle, dealAddress, outsider } = f;
      // Period 0 past its report deadline, with nothing reported.
      await time.increaseTo(await oracle.reportDeadline(dealAddress, 0n));
      expect(plain(await oracle.finalize.staticCall(dealAddress, 0n))).to.deep.equal([
        false,
        0n,
        0n,
        0n,
      ]);
      await expect(oracle.connect(outsider).finalize(dealAddress, 0n))
        .to.emit(oracle, "PeriodUnreported")
        .withArgs(dealAddress, 0n, outsider.address);
      expect(await oracle.reportState(dealAddress, 0n)).to.equal(BigInt(ReportState.Unreported));
      // Idempotent: no second event.
      await expect(oracle.finalize(dealAddress, 0n)).to.not.emit(oracle, "PeriodUnreported");
    });

    it("test_finalize_emitsOnceIdempotentReturnsOutcome", async function () {
      const f = await networkHelpers.loadFixture(endedFixture);
      const { oracle, dealAddress, outsider, r } = f;
      const { rep, proposedAt } = await propose(f, 0n);
      await time.increaseTo(proposedAt + DISPUTE_WINDOW);
      const outcome = [true, rep.gpuHoursAvailable, rep.gpuHoursBilled, rep.revenue];
      expect(plain(await oracle.finalize.staticCall(dealAddress, 0n))).to.deep.equal(outcome);
      // Anyone finalizes.
      await expect(oracle.connect(outsider).finalize(dealAddress, 0n))
        .to.emit(oracle, "ReportFinalized")
        .withArgs(dealAddress, 0n, 0n);
      expect((await oracle.getReport(dealAddress, 0n)).state).to.equal(BigInt(ReportState.Final));
      // Again: no event, same outcome.
      await expect(oracle.finalize(dealAddress, 0n)).to.not.emit(oracle, "ReportFinalized");
      expect(plain(await oracle.finalize.staticCall(dealAddress, 0n))).to.deep.equal(outcome);
      expect(plain(await oracle.periodOutcome(dealAddress, 0n))).to.deep.equal(outcome);

      // A report of a later round carries its round.
      await propose(f, 1n, { gpuHoursBilled: 900_000n });
      await oracle.connect(r.reporters[0]).dispute(dealAddress, 1n, REASON);
      const { proposedAt: at1 } = await propose(f, 1n, { gpuHoursBilled: 900_000n });
      await time.increaseTo(at1 + DISPUTE_WINDOW);
      await expect(oracle.finalize(dealAddress, 1n))
        .to.emit(oracle, "ReportFinalized")
        .withArgs(dealAddress, 1n, 1n);
    });

    it("test_finalize_unreportedPeriod", async function () {
      const f = await networkHelpers.loadFixture(endedFixture);
      const { oracle, dealAddress, deal } = f;
      await time.increaseTo((await deal.periodEnd(1)) + REPORT_DEADLINE);
      await oracle.markUnreported(dealAddress, 1n);
      expect(plain(await oracle.finalize.staticCall(dealAddress, 1n))).to.deep.equal([
        false,
        0n,
        0n,
        0n,
      ]);
      await expect(oracle.finalize(dealAddress, 1n)).to.not.emit(oracle, "ReportFinalized");
      expect(await oracle.reportState(dealAddress, 1n)).to.equal(ReportState.Unreported);
    });

    it("test_finalize_calledByTheDealWhenItDistributes", async function () {
      const f = await networkHelpers.loadFixture(dealFixture);
      const { oracle, dealAddress, deal, r, protocol, h } = f;
      await activateDeal(networkHelpers, protocol, r, h);
      await time.increaseTo(await deal.periodEnd(0));
      const { proposedAt } = await propose(f, 0n);
      await time.setNextBlockTimestamp(proposedAt + DISPUTE_WINDOW - 1n);
      await expect(deal.distribute(0n))
        .to.be.revertedWithCustomError(oracle, "ReportNotFinal")
        .withArgs(dealAddress, 0n);
      // (A refused transaction mines no block: the next one is still due at the time set above.)
      await time.setNextBlockTimestamp(proposedAt + DISPUTE_WINDOW);
      // The deal resolves the period: final by time, nothing written or emitted by the oracle.
      const tx = deal.distribute(0n);
      await expect(tx).to.emit(deal, "PeriodDistributed");
      await expect(tx).to.not.emit(oracle, "ReportFinalized");
      expect((await oracle.getReport(dealAddress, 0n)).state).to.equal(BigInt(ReportState.Final));
      // Anyone may still record the finality, once.
      await expect(oracle.finalize(dealAddress, 0n))
        .to.emit(oracle, "ReportFinalized")
        .withArgs(dealAddress, 0n, 0n);
    });

    it("test_resolve_returnsOutcomeWithoutRecording", async function () {
      const f = await networkHelpers.loadFixture(endedFixture);
      const { oracle, dealAddress, outsider } = f;
      const { rep, proposedAt } = await propose(f, 0n);
      await expect(oracle.resolve(dealAddress, 0n))
        .to.be.revertedWithCustomError(oracle, "ReportNotFinal")
        .withArgs(dealAddress, 0n);
      await time.increaseTo(proposedAt + DISPUTE_WINDOW);
      const outcome = [true, rep.gpuHoursAvailable, rep.gpuHoursBilled, rep.revenue];
      expect(plain(await oracle.resolve.staticCall(dealAddress, 0n))).to.deep.equal(outcome);
      const tx = oracle.connect(outsider).resolve(dealAddress, 0n);
      await expect(tx).to.not.emit(oracle, "ReportFinalized");
      expect((await oracle.getReport(dealAddress, 0n)).state).to.equal(BigInt(ReportState.Final));
      expect(plain(await oracle.periodOutcome(dealAddress, 0n))).to.deep.equal(outcome);
      // The stored report is untouched: recording finality afterwards still emits.
      await expect(oracle.finalize(dealAddress, 0n))
        .to.emit(oracle, "ReportFinalized")
        .withArgs(dealAddress, 0n, 0n);
    });

    it("test_resolve_marksUnreportedPastDeadline", async function () {
      const f = await networkHelpers.loadFixture(endedFixture);
      const { oracle, dealAddress, deal, outsider } = f;
      await time.increaseTo((await deal.periodEnd(1)) + REPORT_DEADLINE);
      await expect(oracle.connect(outsider).resolve(dealAddress, 1n))
        .to.emit(oracle, "PeriodUnreported")
        .withArgs(dealAddress, 1n, outsider.address);
      expect(await oracle.reportState(dealAddress, 1n)).to.equal(ReportState.Unreported);
      expect(plain(await oracle.resolve.staticCall(dealAddress, 1n))).to.deep.equal([
        false,
        0n,
        0n,
        0n,
      ]);
    });

    it("test_resolve_revertsUnregisteredDeal", async function () {
      const f = await networkHelpers.loadFixture(endedFixture);
      const { oracle, outsider } = f;
      await expect(oracle.resolve(outsider.address, 0n))
        .to.be.revertedWithCustomError(oracle, "DealNotRegistered")
        .withArgs(outsider.address);
    });
  });

  describe("markUnreported", function () {
    it("test_markUnreported_afterDeadline", async function () {
      const f = await networkHelpers.loadFixture(dealFixture);
      const { oracle, dealAddress, deal, outsider } = f;
      const deadline = (await deal.periodEnd(0)) + REPORT_DEADLINE;
      expect(await oracle.reportDeadline(dealAddress, 0n)).to.equal(deadline);
      await expectUnchanged(oracle, dealAddress, async () => {
        await expect(oracle.markUnreported(dealAddress, 0n))
          .to.be.revertedWithCustomError(oracle, "ReportDeadlineNotReached")
          .withArgs(dealAddress, 0n, deadline);
        await time.setNextBlockTimestamp(deadline - 1n);
        await expect(oracle.markUnreported(dealAddress, 0n))
          .to.be.revertedWithCustomError(oracle, "ReportDeadlineNotReached")
          .withArgs(dealAddress, 0n, deadline);
        // A period that has not even started.
        await expect(oracle.markUnreported(dealAddress, 5n))
          .to.be.revertedWithCustomError(oracle, "ReportDeadlineNotReached")
          .withArgs(dealAddress, 5n, (await deal.periodEnd(5)) + REPORT_DEADLINE);
      });
      // Anyone, from the deadline on.
      await time.setNextBlockTimestamp(deadline);
      await expect(oracle.connect(outsider).markUnreported(dealAddress, 0n))
        .to.emit(oracle, "PeriodUnreported")
        .withArgs(dealAddress, 0n, outsider.address);
      expect(await oracle.reportState(dealAddress, 0n)).to.equal(ReportState.Unreported);
      expect(plain(await oracle.getReport(dealAddress, 0n))).to.deep.equal([
        0n,
        0n,
        0n,
        0n,
        0n,
        3n,
        0n,
      ]);
      expect(plain(await oracle.periodOutcome(dealAddress, 0n))).to.deep.equal([false, 0n, 0n, 0n]);
      // Twice.
      await expect(oracle.markUnreported(dealAddress, 0n))
        .to.be.revertedWithCustomError(oracle, "ReportPeriodUnreported")
        .withArgs(dealAddress, 0n);
    });

    it("test_markUnreported_refusedWhilePendingOrFinal", async function () {
      const f = await networkHelpers.loadFixture(endedFixture);
      const { oracle, dealAddress, deal } = f;
      const deadline = (await deal.periodEnd(1)) + REPORT_DEADLINE;
      // Proposed one second before the deadline: still pending after it.
      await time.setNextBlockTimestamp(deadline - 1n);
      const rep = await report(f, 1n);
      const s = await signReport(ethers, oracle, rep, f.r.reporters.slice(0, 2));
      await oracle.submitReport(rep, s.signers, s.signatures);
      await time.increaseTo(deadline + 1n);
      await expectUnchanged(oracle, dealAddress, async () => {
        await expect(oracle.markUnreported(dealAddress, 1n))
          .to.be.revertedWithCustomError(oracle, "ReportAlreadyProposed")
          .withArgs(dealAddress, 1n, 0n);
      });
      // Final.
      await time.increase(DISPUTE_WINDOW);
      await expect(oracle.markUnreported(dealAddress, 1n))
        .to.be.revertedWithCustomError(oracle, "ReportAlreadyProposed")
        .withArgs(dealAddress, 1n, 0n);
      await oracle.finalize(dealAddress, 1n);
      await expect(oracle.markUnreported(dealAddress, 1n))
        .to.be.revertedWithCustomError(oracle, "ReportAlreadyProposed")
        .withArgs(dealAddress, 1n, 0n);
    });

    it("test_markUnreported_afterDisputePastDeadline", async function () {
      // A quorum report proposed just before the deadline and disputed after it: a single disputer must not be able
      // to turn it into a missed report at once. The deadline moves to one dispute window after the dispute, and a
      // new quorum report of the next round is accepted in the meantime.
      const f = await networkHelpers.loadFixture(endedFixture);
      const { oracle, dealAddress, deal, r } = f;
      const deadline = (await deal.periodEnd(1)) + REPORT_DEADLINE;
      await time.setNextBlockTimestamp(deadline - 1n);
      const rep = await report(f, 1n);
      const s = await signReport(ethers, oracle, rep, r.reporters.slice(0, 2));
      await oracle.submitReport(rep, s.signers, s.signatures);
      const disputedAt = deadline + 60n;
      await time.setNextBlockTimestamp(disputedAt);
      await oracle.connect(r.reporters[2]).dispute(dealAddress, 1n, REASON);
      const extended = disputedAt + DISPUTE_WINDOW;
      expect(await oracle.reportDeadline(dealAddress, 1n)).to.equal(extended);
      await expectUnchanged(oracle, dealAddress, async () => {
        await expect(oracle.markUnreported(dealAddress, 1n))
          .to.be.revertedWithCustomError(oracle, "ReportDeadlineNotReached")
          .withArgs(dealAddress, 1n, extended);
      });
      // Once the extension has passed with nothing pending, the period can be marked.
      await time.setNextBlockTimestamp(extended);
      await expect(oracle.markUnreported(dealAddress, 1n))
        .to.emit(oracle, "PeriodUnreported")
        .withArgs(dealAddress, 1n, (await ethers.getSigners())[0].address);
      expect(plain(await oracle.getReport(dealAddress, 1n))).to.deep.equal([
        0n,
        0n,
        0n,
        0n,
        1n,
        3n,
        disputedAt,
      ]);
    });

    it("test_markUnreported_newRoundWithinTheExtension", async function () {
      const f = await networkHelpers.loadFixture(endedFixture);
      const { oracle, dealAddress, deal, r } = f;
      const deadline = (await deal.periodEnd(1)) + REPORT_DEADLINE;
      await time.setNextBlockTimestamp(deadline - 1n);
      const first = await report(f, 1n);
      const s0 = await signReport(ethers, oracle, first, r.reporters.slice(0, 2));
      await oracle.submitReport(first, s0.signers, s0.signatures);
      await oracle.connect(r.reporters[2]).dispute(dealAddress, 1n, REASON);
      // Round 1, past the original deadline but within the extension: accepted, and it holds the period.
      const second = await report(f, 1n);
      expect(second.round).to.equal(1n);
      const s1 = await signReport(ethers, oracle, second, r.reporters);
      await oracle.submitReport(second, s1.signers, s1.signatures);
      expect(await oracle.reportState(dealAddress, 1n)).to.equal(ReportState.Pending);
      await expect(oracle.markUnreported(dealAddress, 1n))
        .to.be.revertedWithCustomError(oracle, "ReportAlreadyProposed")
        .withArgs(dealAddress, 1n, 1n);
    });

    it("test_markUnreported_outOfRange", async function () {
      const f = await networkHelpers.loadFixture(dealFixture);
      const { oracle, dealAddress, deal } = f;
      await time.increaseTo((await deal.finalMaturity()) + 100n * DAY);
      await expectUnchanged(oracle, dealAddress, async () => {
        for (const period of [PERIODS, PERIODS + 1n, 2n ** 256n - 1n]) {
          await expect(oracle.markUnreported(dealAddress, period))
            .to.be.revertedWithCustomError(oracle, "ReportPeriodOutOfRange")
            .withArgs(dealAddress, period, PERIODS);
        }
      });
      await expect(oracle.markUnreported(dealAddress, PERIODS - 1n)).to.emit(
        oracle,
        "PeriodUnreported",
      );
    });
  });

  describe("reporter changes", function () {
    it("test_proposeReporters_onlyDealAdmin", async function () {
      const { oracle, dealAddress, r, outsider, protocol } =
        await networkHelpers.loadFixture(dealFixture);
      await expectUnchanged(oracle, dealAddress, async () => {
        // Neither a stranger, the servicer, the guardian, a reporter nor the oracle's own admin.
        for (const caller of [outsider, r.servicer, r.guardian, r.reporters[0], protocol.admin]) {
          await expect(oracle.connect(caller).proposeReporters(dealAddress, [outsider.address], 1))
            .to.be.revertedWithCustomError(oracle, "NotDealAdmin")
            .withArgs(dealAddress, caller.address);
        }
        // Checked before the set.
        await expect(oracle.connect(outsider).proposeReporters(dealAddress, [], 0))
          .to.be.revertedWithCustomError(oracle, "NotDealAdmin")
          .withArgs(dealAddress, outsider.address);
      });
    });

    it("test_proposeReporters_invalidThresholdAndTooMany", async function () {
      const { oracle, dealAddress, r, outsider } = await networkHelpers.loadFixture(dealFixture);
      const o = oracle.connect(r.issuer);
      const many = wallets(ethers, "many", 17).map((w) => w.address);
      await expectUnchanged(oracle, dealAddress, async () => {
        await expect(o.proposeReporters(dealAddress, [outsider.address], 0))
          .to.be.revertedWithCustomError(oracle, "InvalidThreshold")
          .withArgs(0n, 1n);
        await expect(o.proposeReporters(dealAddress, [outsider.address], 2))
          .to.be.revertedWithCustomError(oracle, "InvalidThreshold")
          .withArgs(2n, 1n);
        await expect(o.proposeReporters(dealAddress, [], 1))
          .to.be.revertedWithCustomError(oracle, "InvalidThreshold")
          .withArgs(1n, 0n);
        // A threshold above 255 must not wrap into a valid one.
        await expect(o.proposeReporters(dealAddress, [outsider.address], 257))
          .to.be.revertedWithCustomError(oracle, "InvalidThreshold")
          .withArgs(257n, 1n);
        await expect(o.proposeReporters(dealAddress, many, 1))
          .to.be.revertedWithCustomError(oracle, "TooManyReporters")
          .withArgs(17n, 16n);
      });
      await expect(o.proposeReporters(dealAddress, many.slice(0, 16), 16)).to.emit(
        oracle,
        "ReporterChangeProposed",
      );
    });

    it("test_proposeReporters_revertsInvalidReporter", async function () {
      // Zero and duplicate reporters are refused when the change is proposed, not days later when it is applied;
      // so is address(1), which marks the ends of the stored reporter list.
      const { oracle, dealAddress, r, outsider } = await networkHelpers.loadFixture(dealFixture);
      const o = oracle.connect(r.issuer);
      const sentinel = ethers.getAddress("0x0000000000000000000000000000000000000001");
      for (const [set, bad] of [
        [[outsider.address, ethers.ZeroAddress], ethers.ZeroAddress],
        [[sentinel, outsider.address], sentinel],
        [[outsider.address, r.reporters[0].address, outsider.address], outsider.address],
      ] as [string[], string][]) {
        await expectUnchanged(oracle, dealAddress, async () => {
          await expect(o.proposeReporters(dealAddress, set, 1))
            .to.be.revertedWithCustomError(oracle, "InvalidReporter")
            .withArgs(bad);
        });
        expect((await oracle.pendingReporterChange(dealAddress)).eta).to.equal(0n);
      }
      expect(await oracle.reporterSet(dealAddress)).to.equal(1n);
    });

    it("test_proposeReporters_recordsWithEta", async function () {
      const { oracle, dealAddress, r, outsider, deal } =
        await networkHelpers.loadFixture(dealFixture);
      const set = [outsider.address, r.reporters[1].address];
      let at = BigInt(await time.latest()) + 1n;
      await time.setNextBlockTimestamp(at);
      await expect(oracle.connect(r.issuer).proposeReporters(dealAddress, set, 1))
        .to.emit(oracle, "ReporterChangeProposed")
        .withArgs(dealAddress, set, 1n, at + CHANGE_DELAY);
      expect(plain(await oracle.pendingReporterChange(dealAddress))).to.deep.equal([
        set,
        1n,
        at + CHANGE_DELAY,
      ]);
      // Nothing in force changes yet.
      expect(plain(await oracle.reporters(dealAddress))).to.deep.equal(
        r.reporters.map((x) => x.address),
      );
      expect(await oracle.threshold(dealAddress)).to.equal(2n);
      expect(await oracle.reporterSet(dealAddress)).to.equal(1n);
      expect(await oracle.isReporter(dealAddress, outsider.address)).to.equal(false);
      // A new proposal replaces the pending one, with a new eta; a new admin of the deal may propose.
      await deal.connect(r.issuer).grantRole(await deal.DEFAULT_ADMIN_ROLE(), outsider.address);
      at += 100n;
      await time.setNextBlockTimestamp(at);
      await expect(oracle.connect(outsider).proposeReporters(dealAddress, [outsider.address], 1))
        .to.emit(oracle, "ReporterChangeProposed")
        .withArgs(dealAddress, [outsider.address], 1n, at + CHANGE_DELAY);
      expect(plain(await oracle.pendingReporterChange(dealAddress))).to.deep.equal([
        [outsider.address],
        1n,
        at + CHANGE_DELAY,
      ]);
      // The issuer, once its admin role is revoked, may not.
      await deal.connect(outsider).revokeRole(await deal.DEFAULT_ADMIN_ROLE(), r.issuer.address);
      await expect(oracle.connect(r.issuer).proposeReporters(dealAddress, [outsider.address], 1))
        .to.be.revertedWithCustomError(oracle, "NotDealAdmin")
        .withArgs(dealAddress, r.issuer.address);
    });

    it("test_applyReporters_delayThenAnyone", async function () {
      const f = await networkHelpers.loadFixture(endedFixture);
      const { oracle, dealAddress, r, outsider, other, domain } = f;
      await expect(oracle.applyReporters(dealAddress))
        .to.be.revertedWithCustomError(oracle, "NoReporterChangePending")
        .withArgs(dealAddress);
      // Reporter 0 leaves, the outsider joins; quorum stays 2.
      const set = [r.reporters[1].address, r.reporters[2].address, outsider.address];
      const at = BigInt(await time.latest()) + 1n;
      await time.setNextBlockTimestamp(at);
      await oracle.connect(r.issuer).proposeReporters(dealAddress, set, 2);
      const eta = at + CHANGE_DELAY;
      await expectUnchanged(oracle, dealAddress, async () => {
        await expect(oracle.applyReporters(dealAddress))
          .to.be.revertedWithCustomError(oracle, "ReporterChangeNotReady")
          .withArgs(dealAddress, eta);
        await time.setNextBlockTimestamp(eta - 1n);
        await expect(oracle.applyReporters(dealAddress))
          .to.be.revertedWithCustomError(oracle, "ReporterChangeNotReady")
          .withArgs(dealAddress, eta);
      });
      // Signatures of the set in force until then.
      const old = await report(f, 0n);
      const so = await signReport(ethers, oracle, old, r.reporters.slice(0, 2));

      await time.setNextBlockTimestamp(eta);
      await expect(oracle.connect(other).applyReporters(dealAddress))
        .to.emit(oracle, "ReportersSet")
        .withArgs(dealAddress, 2n, set, 2n);
      expect(plain(await oracle.reporters(dealAddress))).to.deep.equal(set);
      expect(plain((await oracle.terms(dealAddress)).reporters)).to.deep.equal(set);
      expect(await oracle.threshold(dealAddress)).to.equal(2n);
      expect(await oracle.reporterSet(dealAddress)).to.equal(2n);
      expect(await oracle.isReporter(dealAddress, outsider.address)).to.equal(true);
      expect(await oracle.isReporter(dealAddress, r.reporters[0].address)).to.equal(false);
      expect(plain(await oracle.pendingReporterChange(dealAddress))).to.deep.equal([[], 0n, 0n]);
      await expect(oracle.applyReporters(dealAddress))
        .to.be.revertedWithCustomError(oracle, "NoReporterChangePending")
        .withArgs(dealAddress);

      // The old report names the old set.
      await expect(oracle.submitReport(old, so.signers, so.signatures))
        .to.be.revertedWithCustomError(oracle, "ReportStaleReporterSet")
        .withArgs(1n, 2n);
      // Naming the new set, the removed reporter's signature is refused.
      const rep = await report(f, 0n);
      expect(rep.reporterSet).to.equal(2n);
      const sr = await signSorted(domain, rep, [r.reporters[0], r.reporters[1]]);
      await expect(oracle.submitReport(rep, sr.signers, sr.signatures))
        .to.be.revertedWithCustomError(oracle, "NotReporter")
        .withArgs(dealAddress, r.reporters[0].address);
      // The new member's signature counts.
      const sn = await signSorted(domain, rep, [outsider, r.reporters[1]]);
      const proposedAt = await nextBlockAt();
      await expect(oracle.submitReport(rep, sn.signers, sn.signatures))
        .to.emit(oracle, "ReportProposed")
        .withArgs(
          dealAddress,
          0n,
          0n,
          rep.gpuHoursAvailable,
          rep.gpuHoursBilled,
          rep.revenue,
          rep.reportHash,
          sn.signers,
          proposedAt + DISPUTE_WINDOW,
        );
      // The removed reporter may no longer dispute; the new one may.
      await expect(oracle.connect(r.reporters[0]).dispute(dealAddress, 0n, REASON))
        .to.be.revertedWithCustomError(oracle, "NotDisputer")
        .withArgs(dealAddress, r.reporters[0].address);
      await expect(oracle.connect(outsider).dispute(dealAddress, 0n, REASON)).to.emit(
        oracle,
        "ReportDisputed",
      );
    });

    it("test_applyReporters_setIdsAreGlobal", async function () {
      const f = await networkHelpers.loadFixture(twoDealsFixture);
      const { oracle, dealAddress, deal2Address, r } = f;
      for (const d of [deal2Address, dealAddress]) {
        await oracle.connect(r.issuer).proposeReporters(d, [r.reporters[0].address], 1);
      }
      await time.increase(CHANGE_DELAY);
      await expect(oracle.applyReporters(dealAddress))
        .to.emit(oracle, "ReportersSet")
        .withArgs(dealAddress, 3n, [r.reporters[0].address], 1n);
      await expect(oracle.applyReporters(deal2Address))
        .to.emit(oracle, "ReportersSet")
        .withArgs(deal2Address, 4n, [r.reporters[0].address], 1n);
      // Deal A's new set (3) used for deal B is a cross-deal report, not a stale one.
      const rep = { ...(await report(f, 0n)), deal: deal2Address };
      expect(rep.reporterSet).to.equal(3n);
      await expect(oracle.submitReport(rep, [], []))
        .to.be.revertedWithCustomError(oracle, "ReportCrossDeal")
        .withArgs(deal2Address, dealAddress, 3n);
      // A quorum of one.
      const own = await report(f, 0n);
      const s = await signReport(ethers, oracle, own, [r.reporters[0]]);
      await expect(oracle.submitReport(own, s.signers, s.signatures)).to.emit(
        oracle,
        "ReportProposed",
      );
    });

    it("test_cancelReporters_adminOrGuardian", async function () {
      const { oracle, dealAddress, r, outsider } = await networkHelpers.loadFixture(dealFixture);
      await expect(oracle.connect(r.issuer).cancelReporters(dealAddress))
        .to.be.revertedWithCustomError(oracle, "NoReporterChangePending")
        .withArgs(dealAddress);
      await oracle.connect(r.issuer).proposeReporters(dealAddress, [outsider.address], 1);
      await expectUnchanged(oracle, dealAddress, async () => {
        for (const caller of [outsider, r.servicer, r.reporters[0], r.trustee]) {
          await expect(oracle.connect(caller).cancelReporters(dealAddress))
            .to.be.revertedWithCustomError(oracle, "NotDealAdmin")
            .withArgs(dealAddress, caller.address);
        }
      });
      await expect(oracle.connect(r.issuer).cancelReporters(dealAddress))
        .to.emit(oracle, "ReporterChangeCancelled")
        .withArgs(dealAddress, r.issuer.address);
      expect(plain(await oracle.pendingReporterChange(dealAddress))).to.deep.equal([[], 0n, 0n]);
      // Authorization is checked before whether anything is pending.
      await expect(oracle.connect(outsider).cancelReporters(dealAddress))
        .to.be.revertedWithCustomError(oracle, "NotDealAdmin")
        .withArgs(dealAddress, outsider.address);
      await expect(oracle.connect(r.guardian).cancelReporters(dealAddress))
        .to.be.revertedWithCustomError(oracle, "NoReporterChangePending")
        .withArgs(dealAddress);

      // The guardian cancels a proposal whose delay has passed; it can then not be applied.
      await oracle.connect(r.issuer).proposeReporters(dealAddress, [outsider.address], 1);
      await time.increase(CHANGE_DELAY);
      await expect(oracle.connect(r.guardian).cancelReporters(dealAddress))
        .to.emit(oracle, "ReporterChangeCancelled")
        .withArgs(dealAddress, r.guardian.address);
      await expect(oracle.applyReporters(dealAddress))
        .to.be.revertedWithCustomError(oracle, "NoReporterChangePending")
        .withArgs(dealAddress);
      expect(await oracle.reporterSet(dealAddress)).to.equal(1n);
      expect(await oracle.isReporter(dealAddress, outsider.address)).to.equal(false);
    });
  });

  describe("Safe multisig reporter (ERC-1271)", function () {
    /** A deal whose reporters are two EOAs and a 2-of-3 Safe (quorum 2); periods 0 and 1 ended. */
    async function safeReporterFixture() {
      const f = await dealFixture();
      const infra = await deploySafeInfrastructure(ethers);
      const owners = wallets(ethers, "safe-owner", 3);
      const safe = await createSafe(
        ethers,
        infra,
        owners.map((o) => o.address),
        2,
      );
      const safeAddress = await safe.getAddress();
      const terms = await oracleTermSheet(f.protocol, f.r);
      terms.oracle = {
        ...terms.oracle,
        reporters: [f.r.reporters[0].address, safeAddress, f.r.reporters[1].address],
      };
      const h = await createDeal(ethers, f.protocol, terms);
      await time.increaseTo(await h.deal.periodEnd(1));
      return {
        ...f,
        h,
        deal: h.deal,
        dealAddress: await h.deal.getAddress(),
        safe,
        safeAddress,
        owners,
        infra,
      };
    }

    it("test_safe_setUp", async function () {
      const { safe, owners, infra, oracle, dealAddress, safeAddress } =
        await networkHelpers.loadFixture(safeReporterFixture);
      expect(await safe.getThreshold()).to.equal(2n);
      expect([...(await safe.getOwners())].sort()).to.deep.equal(
        owners.map((o) => o.address).sort(),
      );
      expect(await safe.VERSION()).to.equal("1.4.1");
      // The fallback handler is stored at keccak256("fallback_manager.handler.address").
      const slot = await ethers.provider.getStorage(
        safeAddress,
        "0x6c9a6c4a39284e37ed1cf53d337577d14212a4870fb976a4366c693b939918d5",
      );
      expect(ethers.getAddress(ethers.dataSlice(slot, 12))).to.equal(
        await infra.fallbackHandler.getAddress(),
      );
      expect(await oracle.isReporter(dealAddress, safeAddress)).to.equal(true);
    });

    it("test_submitReport_safeSignerAccepted", async function () {
      const f = await networkHelpers.loadFixture(safeReporterFixture);
      const { oracle, dealAddress, safeAddress, owners, r } = f;
      const rep = await report(f, 0n);
      const digest = await oracle.hashReport(rep);
      const safeSig = await safeSignature(ethers, safeAddress, digest, [owners[2], owners[0]]);
      expect(ethers.dataLength(safeSig)).to.equal(130);
      // What the oracle asks of the Safe: CompatibilityFallbackHandler answers for it.
      const asHandler = await ethers.getContractAt("CompatibilityFallbackHandler", safeAddress);
      expect(await asHandler["isValidSignature(bytes32,bytes)"](digest, safeSig)).to.equal(
        "0x1626ba7e",
      );

      const eoaSig = (await signReport(ethers, oracle, rep, [r.reporters[0]])).signatures[0];
      const pairs = byAddress([
        { address: safeAddress, sig: safeSig },
        { address: r.reporters[0].address, sig: eoaSig },
      ]);
      const signers = pairs.map((p) => p.address);
      const at = await nextBlockAt();
      await expect(
        oracle.submitReport(
          rep,
          signers,
          pairs.map((p) => p.sig),
        ),
      )
        .to.emit(oracle, "ReportProposed")
        .withArgs(
          dealAddress,
          0n,
          0n,
          rep.gpuHoursAvailable,
          rep.gpuHoursBilled,
          rep.revenue,
          rep.reportHash,
          signers,
          at + DISPUTE_WINDOW,
        );
      expect(await oracle.reportState(dealAddress, 0n)).to.equal(ReportState.Pending);

      // The Safe with both EOAs (every reporter), for period 1.
      const rep1 = await report(f, 1n, { gpuHoursBilled: 100_000n, revenue: 0n });
      const digest1 = await oracle.hashReport(rep1);
      const e = await signReport(ethers, oracle, rep1, r.reporters.slice(0, 2));
      const all = byAddress([
        { address: safeAddress, sig: await safeSignature(ethers, safeAddress, digest1, owners) },
        { address: e.signers[0], sig: e.signatures[0] },
        { address: e.signers[1], sig: e.signatures[1] },
      ]);
      await expect(
        oracle.submitReport(
          rep1,
          all.map((p) => p.address),
          all.map((p) => p.sig),
        ),
      ).to.emit(oracle, "ReportProposed");
    });

    it("test_submitReport_safeSignatureInvalid", async function () {
      const f = await networkHelpers.loadFixture(safeReporterFixture);
      const { oracle, dealAddress, safeAddress, owners, r, domain } = f;
      const rep = await report(f, 0n);
      const digest = await oracle.hashReport(rep);
      const eoaSig = (await signReport(ethers, oracle, rep, [r.reporters[1]])).signatures[0];
      const stranger = wallets(ethers, "stranger", 1)[0];
      // Owners' ECDSA signatures over the SafeMessage, unsorted (Safe requires ascending owners).
      const sorted = byAddress(owners.slice(0, 2));
      const sorted2 = await safeSignature(ethers, safeAddress, digest, sorted);
      const reversed = ethers.concat([
        ethers.dataSlice(sorted2, 65, 130),
        ethers.dataSlice(sorted2, 0, 65),
      ]);
      const cases: [string, string][] = [
        ["one owner of two", await safeSignature(ethers, safeAddress, digest, [owners[1]])],
        [
          "an owner twice",
          await safeSignature(ethers, safeAddress, digest, [owners[1], owners[1]]),
        ],
        [
          "an owner and a stranger",
          await safeSignature(ethers, safeAddress, digest, [owners[0], stranger]),
        ],
        ["owners in descending order", reversed],
        [
          "over another report",
          await safeSignature(
            ethers,
            safeAddress,
            await oracle.hashReport({ ...rep, revenue: 1n }),
            sorted,
          ),
        ],
        // The owners sign the report digest itself (their own EIP-712 Report), not the SafeMessage.
        [
          "report typed data instead of SafeMessage",
          ethers.concat(
            await Promise.all(sorted.map((o) => o.signTypedData(domain, REPORT_TYPES, { ...rep }))),
          ),
        ],
        ["empty (no message approved on chain)", "0x"],
      ];
      await expectUnchanged(oracle, dealAddress, async () => {
        for (const [label, safeSig] of cases) {
          const pairs = byAddress([
            { address: safeAddress, sig: safeSig },
            { address: r.reporters[1].address, sig: eoaSig },
          ]);
          await expect(
            oracle.submitReport(
              rep,
              pairs.map((p) => p.address),
              pairs.map((p) => p.sig),
            ),
            label,
          )
            .to.be.revertedWithCustomError(oracle, "InvalidSignature")
            .withArgs(safeAddress);
        }
        // An owner signing in its own name is not a reporter.
        const ownerSig = await owners[0].signTypedData(domain, REPORT_TYPES, { ...rep });
        const pairs = byAddress([
          { address: owners[0].address, sig: ownerSig },
          { address: r.reporters[1].address, sig: eoaSig },
        ]);
        await expect(
          oracle.submitReport(
            rep,
            pairs.map((p) => p.address),
            pairs.map((p) => p.sig),
          ),
        )
          .to.be.revertedWithCustomError(oracle, "NotReporter")
          .withArgs(dealAddress, owners[0].address);
      });
    });
  });

  describe("views", function () {
    it("test_hashReport_matchesEip712", async function () {
      const f = await networkHelpers.loadFixture(dealFixture);
      const { oracle, dealAddress, domain, chainId, oracleAddress } = f;
      const base: ReportInput = {
        chainId,
        oracle: oracleAddress,
        deal: dealAddress,
        period: 3n,
        round: 2n,
        reporterSet: 1n,
        gpuHoursAvailable: 1_000_000n,
        gpuHoursBilled: 700_000n,
        revenue: REVENUE,
        reportHash: ethers.id("x"),
      };
      const reports: ReportInput[] = [
        base,
        {
          ...base,
          chainId: 2n ** 256n - 1n,
          period: MAX_U64,
          round: 2n ** 32n - 1n,
          reporterSet: MAX_U64,
          gpuHoursAvailable: MAX_U64,
          gpuHoursBilled: 3n,
          revenue: 2n ** 128n - 1n,
        },
        {
          ...base,
          chainId: 0n,
          oracle: ethers.ZeroAddress,
          deal: ethers.ZeroAddress,
          period: 0n,
          round: 0n,
          reporterSet: 0n,
          gpuHoursAvailable: 0n,
          gpuHoursBilled: 0n,
          revenue: 0n,
          reportHash: ethers.ZeroHash,
        },
      ];
      for (const rep of reports) {
        expect(await oracle.hashReport(rep)).to.equal(
          ethers.TypedDataEncoder.hash(domain, REPORT_TYPES, rep),
        );
      }
      // What a signature recovers to is the signer of that digest.
      const [signer] = f.r.reporters;
      const sig = await signer.signTypedData(domain, REPORT_TYPES, { ...base });
      expect(ethers.recoverAddress(await oracle.hashReport(base), sig)).to.equal(signer.address);
      // Each field matters.
      const h0 = await oracle.hashReport(base);
      for (const k of Object.keys(base) as (keyof ReportInput)[]) {
        const v = base[k];
        const changed =
          typeof v === "bigint"
            ? v + 1n
            : k === "reportHash"
              ? ethers.ZeroHash
              : f.outsider.address;
        expect(await oracle.hashReport({ ...base, [k]: changed }), k).to.not.equal(h0);
      }
    });

    it("test_views_registeredDeal", async function () {
      const { oracle, dealAddress, r, terms, deal } = await networkHelpers.loadFixture(dealFixture);
      expect(plain(await oracle.terms(dealAddress))).to.deep.equal(oracleTermsTuple(terms.oracle));
      expect(plain(await oracle.reporters(dealAddress))).to.deep.equal(
        r.reporters.map((x) => x.address),
      );
      expect(await oracle.threshold(dealAddress)).to.equal(2n);
      expect(await oracle.reporterSet(dealAddress)).to.equal(1n);
      for (const rep of r.reporters)
        expect(await oracle.isReporter(dealAddress, rep.address)).to.equal(true);
      for (const a of [r.issuer.address, r.guardian.address, ethers.ZeroAddress]) {
        expect(await oracle.isReporter(dealAddress, a)).to.equal(false);
      }
      expect(plain(await oracle.pendingReporterChange(dealAddress))).to.deep.equal([[], 0n, 0n]);
      for (const p of [0n, 5n, PERIODS - 1n]) {
        expect(await oracle.reportDeadline(dealAddress, p)).to.equal(
          (await deal.periodEnd(p)) + REPORT_DEADLINE,
        );
        expect(await oracle.reportState(dealAddress, p)).to.equal(ReportState.None);
        expect(plain(await oracle.getReport(dealAddress, p))).to.deep.equal([
          0n,
          0n,
          0n,
          0n,
          0n,
          0n,
          0n,
        ]);
      }
    });
  });
});
