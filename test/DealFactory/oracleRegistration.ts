import { expect } from "chai";

import { WAD, createDeal, type TermSheetInput } from "../helpers/fixtures.js";
import {
  ethers,
  networkHelpers,
  OracleField,
  factoryFixture,
  edited,
} from "../helpers/factory-fixtures.js";

describe("DealFactory", function () {
  describe("createDeal oracle registration errors", function () {
    it("test_createDeal_invalidThreshold", async function () {
      const f = await networkHelpers.loadFixture(factoryFixture);
      for (const [threshold, count] of [
        [0, 3],
        [4, 3],
      ]) {
        await expect(f.factory.createDeal(edited(f.terms, (t) => (t.oracle.threshold = threshold))))
          .to.be.revertedWithCustomError(f.oracle, "InvalidThreshold")
          .withArgs(BigInt(threshold), BigInt(count));
      }
      await expect(f.factory.createDeal(edited(f.terms, (t) => (t.oracle.reporters = []))))
        .to.be.revertedWithCustomError(f.oracle, "InvalidThreshold")
        .withArgs(2n, 0n);
      expect(await f.factory.dealCount()).to.equal(0n);
    });

    it("test_createDeal_invalidReporter", async function () {
      const f = await networkHelpers.loadFixture(factoryFixture);
      const [a, b] = f.terms.oracle.reporters;
      await expect(f.factory.createDeal(edited(f.terms, (t) => (t.oracle.reporters = [a, b, a]))))
        .to.be.revertedWithCustomError(f.oracle, "InvalidReporter")
        .withArgs(a);
      await expect(
        f.factory.createDeal(
          edited(f.terms, (t) => (t.oracle.reporters = [a, ethers.ZeroAddress, b])),
        ),
      )
        .to.be.revertedWithCustomError(f.oracle, "InvalidReporter")
        .withArgs(ethers.ZeroAddress);
      expect(await f.factory.dealCount()).to.equal(0n);
    });

    it("test_createDeal_tooManyReporters", async function () {
      const f = await networkHelpers.loadFixture(factoryFixture);
      const many = Array.from({ length: 17 }, () => ethers.Wallet.createRandom().address);
      await expect(f.factory.createDeal(edited(f.terms, (t) => (t.oracle.reporters = many))))
        .to.be.revertedWithCustomError(f.oracle, "TooManyReporters")
        .withArgs(17n, 16n);
      expect(await f.factory.dealCount()).to.equal(0n);
      await expect(
        f.factory.createDeal(edited(f.terms, (t) => (t.oracle.reporters = many.slice(0, 16)))),
      ).to.emit(f.factory, "DealCreated");
    });

    it("test_createDeal_invalidOracleTerms", async function () {
      const f = await networkHelpers.loadFixture(factoryFixture);
      const o = f.terms.oracle;
      const cases: [OracleField, (t: TermSheetInput["oracle"]) => void][] = [
        [OracleField.DisputeWindow, (t) => (t.disputeWindow = 0n)],
        // The deadline must leave the dispute window room: equal is refused.
        [OracleField.ReportDeadline, (t) => (t.reportDeadline = o.disputeWindow)],
        [OracleField.ReportDeadline, (t) => (t.reportDeadline = o.disputeWindow - 1n)],
        [OracleField.ReportDeadline, (t) => (t.reportDeadline = 0n)],
        [OracleField.ReporterChangeDelay, (t) => (t.reporterChangeDelay = 0n)],
        [OracleField.FleetGpus, (t) => (t.fleetGpus = 0n)],
        [OracleField.MaxPricePerGpuHour, (t) => (t.maxPricePerGpuHour = 0n)],
        [OracleField.MaxUtilizationStep, (t) => (t.maxUtilizationStep = 0n)],
        [OracleField.MaxUtilizationStep, (t) => (t.maxUtilizationStep = WAD + 1n)],
      ];
      for (const [field, edit] of cases) {
        await expect(f.factory.createDeal(edited(f.terms, (t) => edit(t.oracle))))
          .to.be.revertedWithCustomError(f.oracle, "InvalidOracleTerms")
          .withArgs(BigInt(field));
      }
      // The terms are checked before the reporter set.
      await expect(
        f.factory.createDeal(
          edited(f.terms, (t) => {
            t.oracle.fleetGpus = 0n;
            t.oracle.threshold = 0;
          }),
        ),
      )
        .to.be.revertedWithCustomError(f.oracle, "InvalidOracleTerms")
        .withArgs(BigInt(OracleField.FleetGpus));
      expect(await f.factory.dealCount()).to.equal(0n);
      // The edges that are valid: deadline one second after the window, a step of 100 %.
      await expect(
        f.factory.createDeal(
          edited(f.terms, (t) => {
            t.oracle.reportDeadline = o.disputeWindow + 1n;
            t.oracle.maxUtilizationStep = WAD;
          }),
        ),
      ).to.emit(f.factory, "DealCreated");
    });

    it("test_createDeal_keeperBountyAnyAmount", async function () {
      const f = await networkHelpers.loadFixture(factoryFixture);
      // The bounty is capped by each period's cash at distribution, so no amount is refused at creation.
      for (const bounty of [0n, 1n, 2n ** 128n - 1n]) {
        const h = await createDeal(
          ethers,
          f.protocol,
          edited(f.terms, (t) => (t.keeperBounty = bounty)),
        );
        expect(await h.deal.keeperBounty()).to.equal(bounty);
      }
    });

    it("test_createDeal_factoryWithoutRegistrarRole", async function () {
      const f = await networkHelpers.loadFixture(factoryFixture);
      const role = await f.oracle.REGISTRAR_ROLE();
      await f.oracle.revokeRole(role, await f.factory.getAddress());
      await expect(f.factory.createDeal(f.terms))
        .to.be.revertedWithCustomError(f.oracle, "AccessControlUnauthorizedAccount")
        .withArgs(await f.factory.getAddress(), role);
      expect(await f.factory.dealCount()).to.equal(0n);
    });
  });
});
