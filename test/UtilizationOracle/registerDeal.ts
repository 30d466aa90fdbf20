import { expect } from "chai";

import {
  dealAt,
  standardTermSheet,
  WAD,
  type OracleTermsInput,
  type ReportInput,
  type TermSheetInput,
} from "../helpers/fixtures.js";
import { plain, REPORT_TYPE_STRING, signSorted, wallets } from "../helpers/oracle-signing.js";
import {
  ethers,
  networkHelpers,
  ReportState,
  OracleTermsField,
  REPORT_DEADLINE,
  REASON,
  oracleTermSheet,
  dealFixture,
  endedFixture,
  expectUnchanged,
  oracleTermsTuple,
} from "../helpers/oracle-fixtures.js";

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
        await protocol.factory.equityWaterfallImplementation(),
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
      const deal = await dealAt(ethers, dealAddress);
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
        energyKwh: 0n,
        pue: 0n,
        appraisal: 0n,
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
      expect(plain(await oracle.terms(unknown))).to.deep.equal([
        [],
        0n,
        0n,
        0n,
        0n,
        0n,
        0n,
        0n,
        0n,
      ]);
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
        0n,
        0n,
        0n,
      ]);
      expect(plain(await oracle.facilityOutcome(unknown, 0n))).to.deep.equal([0n, 0n, 0n]);
      expect(await oracle.reportDeadline(unknown, 0n)).to.equal(0n);
      await expect(oracle.periodOutcome(unknown, 0n))
        .to.be.revertedWithCustomError(oracle, "ReportNotFinal")
        .withArgs(unknown, 0n);
    });
  });
});
