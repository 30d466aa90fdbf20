import { expect } from "chai";

import type { ReportInput } from "../helpers/fixtures.js";
import { plain, REPORT_TYPES } from "../helpers/oracle-signing.js";
import {
  ethers,
  networkHelpers,
  ReportState,
  REPORT_DEADLINE,
  PERIODS,
  REVENUE,
  MAX_U64,
  dealFixture,
  oracleTermsTuple,
} from "../helpers/oracle-fixtures.js";

describe("UtilizationOracle", function () {
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
        energyKwh: 1_250_000n,
        pue: 13_500n,
        appraisal: 40_000_000n * 10n ** 6n,
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
          energyKwh: MAX_U64,
          pue: 2n ** 16n - 1n,
          appraisal: 2n ** 128n - 1n,
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
          energyKwh: 0n,
          pue: 0n,
          appraisal: 0n,
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
          0n,
          0n,
          0n,
        ]);
        expect(plain(await oracle.facilityOutcome(dealAddress, p))).to.deep.equal([0n, 0n, 0n]);
      }
    });
  });
});
