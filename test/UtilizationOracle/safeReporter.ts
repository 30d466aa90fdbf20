import { expect } from "chai";

import { createDeal, DISPUTE_WINDOW, signReport } from "../helpers/fixtures.js";
import { createSafe, deploySafeInfrastructure, safeSignature } from "../helpers/oracle-safe.js";
import { byAddress, REPORT_TYPES, wallets } from "../helpers/oracle-signing.js";
import {
  ethers,
  networkHelpers,
  time,
  ReportState,
  oracleTermSheet,
  dealFixture,
  report,
  nextBlockAt,
  expectUnchanged,
} from "../helpers/oracle-fixtures.js";

describe("UtilizationOracle", function () {
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
});
