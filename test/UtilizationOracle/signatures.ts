import { expect } from "chai";

import { signReport, type ReportInput } from "../helpers/fixtures.js";
import {
  byAddress,
  REPORT_TYPES,
  signAs,
  signSorted,
  wallets,
  type OracleDomain,
} from "../helpers/oracle-signing.js";
import {
  ethers,
  networkHelpers,
  time,
  ReportState,
  CHANGE_DELAY,
  PERIODS,
  endedFixture,
  twoDealsFixture,
  report,
  expectUnchanged,
} from "../helpers/oracle-fixtures.js";

describe("UtilizationOracle", function () {
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
});
