import { expect } from "chai";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { network } from "hardhat";

import type { UtilizationOracle } from "../types/ethers-contracts/index.js";
import {
  createDeal,
  deployProtocol,
  roles,
  signReport,
  standardTermSheet,
  type ReportInput,
} from "./helpers/fixtures.js";

const { ethers, networkHelpers } = await network.create();

const REPORT_TYPES = {
  Report: [
    { name: "deal", type: "address" },
    { name: "period", type: "uint64" },
    { name: "gpuHoursAvailable", type: "uint64" },
    { name: "gpuHoursBilled", type: "uint64" },
    { name: "revenue", type: "uint128" },
    { name: "reportHash", type: "bytes32" },
  ],
};
const DOMAIN_NAME = "Cascade Utilization Oracle";

interface Domain {
  name: string;
  version: string;
  chainId: bigint;
  verifyingContract: string;
}

async function oracleDomain(oracle: UtilizationOracle): Promise<Domain> {
  const { chainId } = await ethers.provider.getNetwork();
  return { name: DOMAIN_NAME, version: "1", chainId, verifyingContract: await oracle.getAddress() };
}

function byAddress<T extends { address: string }>(xs: T[]): T[] {
  return [...xs].sort((a, b) => (BigInt(a.address) < BigInt(b.address) ? -1 : 1));
}

function report(deal: string, period: bigint, overrides: Partial<ReportInput> = {}): ReportInput {
  return {
    deal,
    period,
    gpuHoursAvailable: 1_000_000n,
    gpuHoursBilled: 700_000n,
    revenue: 500_000n * 10n ** 6n,
    reportHash: ethers.keccak256(ethers.toUtf8Bytes(`report-${period}`)),
    ...overrides,
  };
}

async function signWith(domain: Domain, r: ReportInput, signers: HardhatEthersSigner[]) {
  const sorted = byAddress(signers);
  return {
    signers: sorted.map((s) => s.address),
    signatures: await Promise.all(sorted.map((s) => s.signTypedData(domain, REPORT_TYPES, r))),
  };
}

/** The standard deal, created through the factory (so registered with the oracle), period 0 not yet ended. */
async function registeredDealFixture() {
  const protocol = await deployProtocol(ethers);
  const r = await roles(ethers);
  const terms = await standardTermSheet(networkHelpers, protocol, r);
  const h = await createDeal(ethers, protocol, terms);
  const dealAddress = await h.deal.getAddress();
  const [, , , , , , , , , , , , , , , , outsider, other] = await ethers.getSigners();
  return { protocol, oracle: protocol.oracle, r, h, dealAddress, outsider, other };
}

/** Same, with periods 0 and 1 ended. */
async function periodsEndedFixture() {
  const f = await registeredDealFixture();
  await networkHelpers.time.increaseTo(await f.h.deal.periodEnd(1));
  return f;
}

/** A deal whose reporters are an EOA and an ERC-1271 wallet owned by another EOA (quorum 2), period 0 ended. */
async function walletReporterFixture() {
  const protocol = await deployProtocol(ethers);
  const r = await roles(ethers);
  const [, , , , , , , , , , , , , , , , walletOwner, stranger] = await ethers.getSigners();
  const wallet = await ethers.deployContract("ERC1271Wallet", [walletOwner.address]);
  const walletAddress = await wallet.getAddress();
  const terms = await standardTermSheet(networkHelpers, protocol, r, {
    reporters: [r.reporters[0].address, walletAddress],
    reportThreshold: 2,
  });
  const h = await createDeal(ethers, protocol, terms);
  await networkHelpers.time.increaseTo(await h.deal.periodEnd(0));
  return { protocol, oracle: protocol.oracle, r, h, wallet, walletAddress, walletOwner, stranger };
}

describe("UtilizationOracle", function () {
  describe("deployment", function () {
    it("test_constructor_grantsAdminAndExposesConstants", async function () {
      const { oracle, protocol } = await networkHelpers.loadFixture(registeredDealFixture);
      expect(await oracle.hasRole(await oracle.DEFAULT_ADMIN_ROLE(), protocol.admin.address)).to.equal(true);
      expect(await oracle.REGISTRAR_ROLE()).to.equal(ethers.id("cascade.role.registrar"));
      expect(await oracle.REPORT_TYPEHASH()).to.equal(
        ethers.id(
          "Report(address deal,uint64 period,uint64 gpuHoursAvailable,uint64 gpuHoursBilled,uint128 revenue,bytes32 reportHash)",
        ),
      );
      expect(await oracle.MAX_REPORTERS()).to.equal(16n);
      expect(
        await oracle.hasRole(await oracle.REGISTRAR_ROLE(), await protocol.factory.getAddress()),
      ).to.equal(true);
    });
  });

  describe("registerDeal", function () {
    it("test_registerDeal_onlyRegistrarRole", async function () {
      const { oracle, protocol, outsider, r } = await networkHelpers.loadFixture(registeredDealFixture);
      const role = await oracle.REGISTRAR_ROLE();
      // Even the oracle admin needs the registrar role.
      for (const caller of [outsider, protocol.admin]) {
        await expect(oracle.connect(caller).registerDeal(outsider.address, [r.reporters[0].address], 1))
          .to.be.revertedWithCustomError(oracle, "AccessControlUnauthorizedAccount")
          .withArgs(caller.address, role);
      }
      expect(await oracle.threshold(outsider.address)).to.equal(0n);
      expect(await oracle.reporters(outsider.address)).to.deep.equal([]);
    });

    it("test_registerDeal_registrarRegistersWithFirstSet", async function () {
      const { oracle, outsider, other, r } = await networkHelpers.loadFixture(registeredDealFixture);
      await oracle.grantRole(await oracle.REGISTRAR_ROLE(), other.address);
      const set = [r.reporters[2].address, r.reporters[0].address];
      await expect(oracle.connect(other).registerDeal(outsider.address, set, 2))
        .to.emit(oracle, "DealRegistered")
        .withArgs(outsider.address, other.address)
        .and.to.emit(oracle, "ReportersSet")
        .withArgs(outsider.address, 1n, set, 2n);
      expect(await oracle.reporters(outsider.address)).to.deep.equal(set);
      expect(await oracle.threshold(outsider.address)).to.equal(2n);
      expect(await oracle.isReporter(outsider.address, r.reporters[2].address)).to.equal(true);
      expect(await oracle.isReporter(outsider.address, r.reporters[1].address)).to.equal(false);
    });

    it("test_registerDeal_alreadyRegistered", async function () {
      const { oracle, dealAddress, other, r } = await networkHelpers.loadFixture(registeredDealFixture);
      await oracle.grantRole(await oracle.REGISTRAR_ROLE(), other.address);
      await expect(oracle.connect(other).registerDeal(dealAddress, [other.address], 1))
        .to.be.revertedWithCustomError(oracle, "DealAlreadyRegistered")
        .withArgs(dealAddress);
      expect(await oracle.reporters(dealAddress)).to.deep.equal(r.reporters.map((x) => x.address));
      expect(await oracle.isReporter(dealAddress, other.address)).to.equal(false);
    });

    it("test_registerDeal_invalidSets", async function () {
      const { oracle, outsider, other, r } = await networkHelpers.loadFixture(registeredDealFixture);
      await oracle.grantRole(await oracle.REGISTRAR_ROLE(), other.address);
      const o = oracle.connect(other);
      const a = r.reporters[0].address;
      const b = r.reporters[1].address;
      await expect(o.registerDeal(outsider.address, [a, b], 0))
        .to.be.revertedWithCustomError(oracle, "InvalidThreshold")
        .withArgs(0n, 2n);
      await expect(o.registerDeal(outsider.address, [a, b], 3))
        .to.be.revertedWithCustomError(oracle, "InvalidThreshold")
        .withArgs(3n, 2n);
      await expect(o.registerDeal(outsider.address, [], 1))
        .to.be.revertedWithCustomError(oracle, "InvalidThreshold")
        .withArgs(1n, 0n);
      await expect(o.registerDeal(outsider.address, [a, ethers.ZeroAddress], 1))
        .to.be.revertedWithCustomError(oracle, "InvalidReporter")
        .withArgs(ethers.ZeroAddress);
      await expect(o.registerDeal(outsider.address, [a, b, a], 1))
        .to.be.revertedWithCustomError(oracle, "InvalidReporter")
        .withArgs(a);
      const many = Array.from({ length: 17 }, () => ethers.Wallet.createRandom().address);
      await expect(o.registerDeal(outsider.address, many, 1))
        .to.be.revertedWithCustomError(oracle, "TooManyReporters")
        .withArgs(17n, 16n);
      // Nothing was registered: the deal can still be registered, with exactly 16 reporters.
      await expect(o.registerDeal(outsider.address, many.slice(0, 16), 16))
        .to.emit(oracle, "ReportersSet")
        .withArgs(outsider.address, 1n, many.slice(0, 16), 16n);
    });
  });

  describe("setReporters", function () {
    it("test_setReporters_dealNotRegistered", async function () {
      const { oracle, outsider, r } = await networkHelpers.loadFixture(registeredDealFixture);
      await expect(oracle.connect(r.issuer).setReporters(outsider.address, [outsider.address], 1))
        .to.be.revertedWithCustomError(oracle, "DealNotRegistered")
        .withArgs(outsider.address);
    });

    it("test_setReporters_onlyDealAdmin", async function () {
      const { oracle, dealAddress, outsider, r, protocol } =
        await networkHelpers.loadFixture(registeredDealFixture);
      // Neither a stranger, nor the servicer, nor the oracle's own admin is the deal's admin.
      for (const caller of [outsider, r.servicer, r.guardian, protocol.admin]) {
        await expect(oracle.connect(caller).setReporters(dealAddress, [outsider.address], 1))
          .to.be.revertedWithCustomError(oracle, "NotDealAdmin")
          .withArgs(dealAddress, caller.address);
      }
      expect(await oracle.reporters(dealAddress)).to.deep.equal(r.reporters.map((x) => x.address));
      expect(await oracle.threshold(dealAddress)).to.equal(2n);
    });

    it("test_setReporters_invalidSets", async function () {
      const { oracle, dealAddress, outsider, r } = await networkHelpers.loadFixture(registeredDealFixture);
      const o = oracle.connect(r.issuer);
      await expect(o.setReporters(dealAddress, [outsider.address], 2))
        .to.be.revertedWithCustomError(oracle, "InvalidThreshold")
        .withArgs(2n, 1n);
      await expect(o.setReporters(dealAddress, [outsider.address, outsider.address], 1))
        .to.be.revertedWithCustomError(oracle, "InvalidReporter")
        .withArgs(outsider.address);
      await expect(o.setReporters(dealAddress, [ethers.ZeroAddress], 1))
        .to.be.revertedWithCustomError(oracle, "InvalidReporter")
        .withArgs(ethers.ZeroAddress);
      const many = Array.from({ length: 17 }, () => ethers.Wallet.createRandom().address);
      await expect(o.setReporters(dealAddress, many, 2))
        .to.be.revertedWithCustomError(oracle, "TooManyReporters")
        .withArgs(17n, 16n);
      expect(await oracle.reporters(dealAddress)).to.deep.equal(r.reporters.map((x) => x.address));
      expect(await oracle.isReporter(dealAddress, outsider.address)).to.equal(false);
    });

    it("test_setReporters_replacesTheSet", async function () {
      const { oracle, dealAddress, outsider, other, r } =
        await networkHelpers.loadFixture(periodsEndedFixture);
      const newSet = [outsider.address, r.reporters[1].address];
      await expect(oracle.connect(r.issuer).setReporters(dealAddress, newSet, 1))
        .to.emit(oracle, "ReportersSet")
        .withArgs(dealAddress, 2n, newSet, 1n);
      expect(await oracle.reporters(dealAddress)).to.deep.equal(newSet);
      expect(await oracle.threshold(dealAddress)).to.equal(1n);
      expect(await oracle.isReporter(dealAddress, outsider.address)).to.equal(true);
      expect(await oracle.isReporter(dealAddress, r.reporters[1].address)).to.equal(true);
      expect(await oracle.isReporter(dealAddress, r.reporters[0].address)).to.equal(false);
      expect(await oracle.isReporter(dealAddress, r.reporters[2].address)).to.equal(false);

      // A reporter of the old set only is refused, even with a valid signature.
      const rep0 = report(dealAddress, 0n);
      const old = await signReport(ethers, oracle, rep0, [r.reporters[0]]);
      await expect(oracle.submitReport(rep0, old.signers, old.signatures))
        .to.be.revertedWithCustomError(oracle, "NotReporter")
        .withArgs(dealAddress, r.reporters[0].address);
      // The new set's quorum of one is enough.
      const fresh = await signReport(ethers, oracle, rep0, [outsider]);
      await expect(oracle.submitReport(rep0, fresh.signers, fresh.signatures))
        .to.emit(oracle, "ReportAccepted")
        .withArgs(
          dealAddress,
          0n,
          rep0.gpuHoursAvailable,
          rep0.gpuHoursBilled,
          rep0.revenue,
          rep0.reportHash,
          [outsider.address],
        );

      // A third set restores an old member: the version keeps counting and the removed one stays out.
      await expect(
        oracle.connect(r.issuer).setReporters(dealAddress, [r.reporters[0].address, other.address], 2),
      )
        .to.emit(oracle, "ReportersSet")
        .withArgs(dealAddress, 3n, [r.reporters[0].address, other.address], 2n);
      expect(await oracle.isReporter(dealAddress, outsider.address)).to.equal(false);
      expect(await oracle.isReporter(dealAddress, r.reporters[0].address)).to.equal(true);
    });

    it("test_setReporters_newAdminOfTheDealMaySet", async function () {
      const { oracle, dealAddress, outsider, r, h } = await networkHelpers.loadFixture(registeredDealFixture);
      await h.deal.connect(r.issuer).grantRole(await h.deal.DEFAULT_ADMIN_ROLE(), outsider.address);
      await expect(oracle.connect(outsider).setReporters(dealAddress, [outsider.address], 1))
        .to.emit(oracle, "ReportersSet")
        .withArgs(dealAddress, 2n, [outsider.address], 1n);
    });
  });

  describe("submitReport", function () {
    it("test_submitReport_accepted", async function () {
      const { oracle, dealAddress, r, outsider } = await networkHelpers.loadFixture(periodsEndedFixture);
      const rep = report(dealAddress, 1n, { gpuHoursBilled: 1_000_000n });
      const { signers, signatures } = await signReport(ethers, oracle, rep, r.reporters);
      expect(await oracle.getReport(dealAddress, 1n)).to.deep.equal([0n, 0n, 0n, ethers.ZeroHash, 0n]);
      expect(await oracle.finalReport(dealAddress, 1n)).to.deep.equal([false, 0n, 0n, 0n]);

      // Anyone may submit; more signatures than the quorum are fine; billed == available is fine.
      const tx = oracle.connect(outsider).submitReport(rep, signers, signatures);
      await expect(tx)
        .to.emit(oracle, "ReportAccepted")
        .withArgs(dealAddress, 1n, 1_000_000n, 1_000_000n, rep.revenue, rep.reportHash, signers);
      const block = await ethers.provider.getBlock((await (await tx).wait())!.blockNumber);
      expect(await oracle.getReport(dealAddress, 1n)).to.deep.equal([
        1_000_000n,
        1_000_000n,
        rep.revenue,
        rep.reportHash,
        BigInt(block!.timestamp),
      ]);
      expect(await oracle.finalReport(dealAddress, 1n)).to.deep.equal([
        true,
        1_000_000n,
        1_000_000n,
        rep.revenue,
      ]);
      // Period 0 is independent and still open.
      expect(await oracle.finalReport(dealAddress, 0n)).to.deep.equal([false, 0n, 0n, 0n]);
    });

    it("test_submitReport_zeroFiguresAccepted", async function () {
      const { oracle, dealAddress, r } = await networkHelpers.loadFixture(periodsEndedFixture);
      const rep = report(dealAddress, 0n, { gpuHoursAvailable: 0n, gpuHoursBilled: 0n, revenue: 0n });
      const { signers, signatures } = await signReport(ethers, oracle, rep, r.reporters.slice(1));
      await oracle.submitReport(rep, signers, signatures);
      expect(await oracle.finalReport(dealAddress, 0n)).to.deep.equal([true, 0n, 0n, 0n]);
    });

    it("test_submitReport_dealNotRegistered", async function () {
      const { oracle, outsider, r } = await networkHelpers.loadFixture(periodsEndedFixture);
      const rep = report(outsider.address, 0n);
      const { signers, signatures } = await signReport(ethers, oracle, rep, r.reporters);
      await expect(oracle.submitReport(rep, signers, signatures))
        .to.be.revertedWithCustomError(oracle, "DealNotRegistered")
        .withArgs(outsider.address);
    });

    it("test_submitReport_periodOutOfRange", async function () {
      const { oracle, dealAddress, r, h } = await networkHelpers.loadFixture(registeredDealFixture);
      await networkHelpers.time.increaseTo((await h.deal.finalMaturity()) + 10n * 86_400n);
      for (const period of [12n, 13n, 2n ** 64n - 1n]) {
        const rep = report(dealAddress, period);
        const { signers, signatures } = await signReport(ethers, oracle, rep, r.reporters);
        await expect(oracle.submitReport(rep, signers, signatures))
          .to.be.revertedWithCustomError(oracle, "ReportPeriodOutOfRange")
          .withArgs(dealAddress, period, 12n);
      }
      // The last period itself is in range.
      const last = report(dealAddress, 11n);
      const s = await signReport(ethers, oracle, last, r.reporters);
      await expect(oracle.submitReport(last, s.signers, s.signatures)).to.emit(oracle, "ReportAccepted");
    });

    it("test_submitReport_periodNotEnded", async function () {
      const { oracle, dealAddress, r, h } = await networkHelpers.loadFixture(registeredDealFixture);
      const endsAt = await h.deal.periodEnd(0);
      const rep = report(dealAddress, 0n);
      const { signers, signatures } = await signReport(ethers, oracle, rep, r.reporters);
      await expect(oracle.submitReport(rep, signers, signatures))
        .to.be.revertedWithCustomError(oracle, "ReportPeriodNotEnded")
        .withArgs(dealAddress, 0n, endsAt);
      // One second before the end is still too early; at the end it is accepted.
      await networkHelpers.time.setNextBlockTimestamp(endsAt - 1n);
      await expect(oracle.submitReport(rep, signers, signatures))
        .to.be.revertedWithCustomError(oracle, "ReportPeriodNotEnded")
        .withArgs(dealAddress, 0n, endsAt);
      await networkHelpers.time.setNextBlockTimestamp(endsAt);
      await expect(oracle.submitReport(rep, signers, signatures)).to.emit(oracle, "ReportAccepted");
      // Period 1 has not ended.
      const rep1 = report(dealAddress, 1n);
      const s1 = await signReport(ethers, oracle, rep1, r.reporters);
      await expect(oracle.submitReport(rep1, s1.signers, s1.signatures))
        .to.be.revertedWithCustomError(oracle, "ReportPeriodNotEnded")
        .withArgs(dealAddress, 1n, await h.deal.periodEnd(1));
    });

    it("test_submitReport_replayAndSecondReportRefused", async function () {
      const { oracle, dealAddress, r } = await networkHelpers.loadFixture(periodsEndedFixture);
      const rep = report(dealAddress, 0n);
      const { signers, signatures } = await signReport(ethers, oracle, rep, r.reporters);
      await oracle.submitReport(rep, signers, signatures);
      const stored = await oracle.getReport(dealAddress, 0n);
      await expect(oracle.submitReport(rep, signers, signatures))
        .to.be.revertedWithCustomError(oracle, "ReportAlreadyAccepted")
        .withArgs(dealAddress, 0n);
      // A different report for the same period, properly signed, is refused as well: an accepted report is final.
      const other = report(dealAddress, 0n, { revenue: 1n });
      const s = await signReport(ethers, oracle, other, r.reporters);
      await expect(oracle.submitReport(other, s.signers, s.signatures))
        .to.be.revertedWithCustomError(oracle, "ReportAlreadyAccepted")
        .withArgs(dealAddress, 0n);
      expect(await oracle.getReport(dealAddress, 0n)).to.deep.equal(stored);
    });

    it("test_submitReport_billedExceedsAvailable", async function () {
      const { oracle, dealAddress, r } = await networkHelpers.loadFixture(periodsEndedFixture);
      const rep = report(dealAddress, 0n, { gpuHoursAvailable: 100n, gpuHoursBilled: 101n });
      const { signers, signatures } = await signReport(ethers, oracle, rep, r.reporters);
      await expect(oracle.submitReport(rep, signers, signatures))
        .to.be.revertedWithCustomError(oracle, "BilledExceedsAvailable")
        .withArgs(101n, 100n);
      expect((await oracle.getReport(dealAddress, 0n)).acceptedAt).to.equal(0n);
    });

    it("test_submitReport_signatureCountMismatch", async function () {
      const { oracle, dealAddress, r } = await networkHelpers.loadFixture(periodsEndedFixture);
      const rep = report(dealAddress, 0n);
      const { signers, signatures } = await signReport(ethers, oracle, rep, r.reporters);
      await expect(oracle.submitReport(rep, signers, signatures.slice(0, 2)))
        .to.be.revertedWithCustomError(oracle, "SignatureCountMismatch")
        .withArgs(3n, 2n);
      await expect(oracle.submitReport(rep, signers.slice(0, 2), signatures))
        .to.be.revertedWithCustomError(oracle, "SignatureCountMismatch")
        .withArgs(2n, 3n);
    });

    it("test_submitReport_insufficientSignatures", async function () {
      const { oracle, dealAddress, r } = await networkHelpers.loadFixture(periodsEndedFixture);
      const rep = report(dealAddress, 0n);
      const one = await signReport(ethers, oracle, rep, [r.reporters[0]]);
      await expect(oracle.submitReport(rep, one.signers, one.signatures))
        .to.be.revertedWithCustomError(oracle, "InsufficientSignatures")
        .withArgs(1n, 2n);
      await expect(oracle.submitReport(rep, [], []))
        .to.be.revertedWithCustomError(oracle, "InsufficientSignatures")
        .withArgs(0n, 2n);
      expect((await oracle.getReport(dealAddress, 0n)).acceptedAt).to.equal(0n);
    });

    it("test_submitReport_signersNotAscending", async function () {
      const { oracle, dealAddress, r } = await networkHelpers.loadFixture(periodsEndedFixture);
      const rep = report(dealAddress, 0n);
      const { signers, signatures } = await signReport(ethers, oracle, rep, r.reporters);
      // The same reporter twice cannot make a quorum of two.
      await expect(oracle.submitReport(rep, [signers[0], signers[0]], [signatures[0], signatures[0]]))
        .to.be.revertedWithCustomError(oracle, "SignersNotAscending")
        .withArgs(1n);
      // Descending order.
      await expect(oracle.submitReport(rep, [signers[1], signers[0]], [signatures[1], signatures[0]]))
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
      await expect(oracle.submitReport(rep, [ethers.ZeroAddress, signers[0]], [signatures[0], signatures[0]]))
        .to.be.revertedWithCustomError(oracle, "SignersNotAscending")
        .withArgs(0n);
      expect((await oracle.getReport(dealAddress, 0n)).acceptedAt).to.equal(0n);
    });

    it("test_submitReport_notReporter", async function () {
      const { oracle, dealAddress, r, outsider } = await networkHelpers.loadFixture(periodsEndedFixture);
      const rep = report(dealAddress, 0n);
      const { signers, signatures } = await signReport(ethers, oracle, rep, [r.reporters[0], outsider]);
      await expect(oracle.submitReport(rep, signers, signatures))
        .to.be.revertedWithCustomError(oracle, "NotReporter")
        .withArgs(dealAddress, outsider.address);
    });

    it("test_submitReport_invalidSignature_wrongContentOrDomain", async function () {
      const { oracle, dealAddress, r, outsider } = await networkHelpers.loadFixture(periodsEndedFixture);
      const rep = report(dealAddress, 0n);
      const domain = await oracleDomain(oracle);
      const [first, second] = byAddress(r.reporters.slice(0, 2));
      const good = await signWith(domain, rep, [first, second]);

      const cases: { label: string; domain: Domain; signed: ReportInput }[] = [
        { label: "another period", domain, signed: { ...rep, period: 1n } },
        { label: "another deal", domain, signed: { ...rep, deal: outsider.address } },
        { label: "other figures", domain, signed: { ...rep, revenue: rep.revenue + 1n } },
        { label: "another report hash", domain, signed: { ...rep, reportHash: ethers.ZeroHash } },
        { label: "another chainId", domain: { ...domain, chainId: domain.chainId + 1n }, signed: rep },
        { label: "another oracle", domain: { ...domain, verifyingContract: dealAddress }, signed: rep },
        { label: "another name", domain: { ...domain, name: "Cascade" }, signed: rep },
        { label: "another version", domain: { ...domain, version: "2" }, signed: rep },
      ];
      for (const c of cases) {
        // The first signer signed the wrong thing; the second is valid.
        const badSig = await first.signTypedData(c.domain, REPORT_TYPES, c.signed);
        await expect(oracle.submitReport(rep, good.signers, [badSig, good.signatures[1]]), c.label)
          .to.be.revertedWithCustomError(oracle, "InvalidSignature")
          .withArgs(first.address);
        // And as the second signature.
        await expect(oracle.submitReport(rep, good.signers, [good.signatures[0], badSig]), c.label)
          .to.be.revertedWithCustomError(oracle, "InvalidSignature")
          .withArgs(second.address);
      }
      // A signature by another reporter under the first one's name.
      await expect(oracle.submitReport(rep, good.signers, [good.signatures[1], good.signatures[1]]))
        .to.be.revertedWithCustomError(oracle, "InvalidSignature")
        .withArgs(first.address);
      // Malformed signatures.
      for (const sig of ["0x", "0x1234", ethers.hexlify(new Uint8Array(65))]) {
        await expect(oracle.submitReport(rep, good.signers, [sig, good.signatures[1]]))
          .to.be.revertedWithCustomError(oracle, "InvalidSignature")
          .withArgs(first.address);
      }
      expect((await oracle.getReport(dealAddress, 0n)).acceptedAt).to.equal(0n);
      // The good pair is accepted.
      await expect(oracle.submitReport(rep, good.signers, good.signatures)).to.emit(oracle, "ReportAccepted");
    });

    it("test_submitReport_signatureOfOneDealDoesNotServeAnother", async function () {
      const { oracle, protocol, r, dealAddress } = await networkHelpers.loadFixture(periodsEndedFixture);
      // A second deal with the same reporters and the same period timing.
      const terms2 = await standardTermSheet(networkHelpers, protocol, r);
      const h2 = await createDeal(ethers, protocol, terms2);
      await networkHelpers.time.increaseTo(await h2.deal.periodEnd(0));
      const rep1 = report(dealAddress, 0n);
      const s = await signReport(ethers, oracle, rep1, r.reporters.slice(0, 2));
      const rep2 = { ...rep1, deal: await h2.deal.getAddress() };
      await expect(oracle.submitReport(rep2, s.signers, s.signatures))
        .to.be.revertedWithCustomError(oracle, "InvalidSignature")
        .withArgs(s.signers[0]);
      await oracle.submitReport(rep1, s.signers, s.signatures);
      expect((await oracle.finalReport(rep2.deal, 0n)).isFinal).to.equal(false);
    });
  });

  describe("ERC-1271 reporters", function () {
    it("test_submitReport_erc1271ReporterAccepted", async function () {
      const { oracle, h, r, wallet, walletAddress, walletOwner } =
        await networkHelpers.loadFixture(walletReporterFixture);
      const dealAddress = await h.deal.getAddress();
      expect(await oracle.isReporter(dealAddress, walletAddress)).to.equal(true);
      expect(await oracle.isReporter(dealAddress, walletOwner.address)).to.equal(false);
      const rep = report(dealAddress, 0n);
      const domain = await oracleDomain(oracle);
      const digest = await oracle.hashReport(rep);
      const walletSig = await walletOwner.signTypedData(domain, REPORT_TYPES, rep);
      expect(await wallet.isValidSignature(digest, walletSig)).to.equal("0x1626ba7e");
      const eoaSig = await r.reporters[0].signTypedData(domain, REPORT_TYPES, rep);
      const pairs = [
        { signer: walletAddress, sig: walletSig },
        { signer: r.reporters[0].address, sig: eoaSig },
      ].sort((a, b) => (BigInt(a.signer) < BigInt(b.signer) ? -1 : 1));
      await expect(
        oracle.submitReport(
          rep,
          pairs.map((p) => p.signer),
          pairs.map((p) => p.sig),
        ),
      )
        .to.emit(oracle, "ReportAccepted")
        .withArgs(
          dealAddress,
          0n,
          rep.gpuHoursAvailable,
          rep.gpuHoursBilled,
          rep.revenue,
          rep.reportHash,
          pairs.map((p) => p.signer),
        );
      expect((await oracle.finalReport(dealAddress, 0n)).isFinal).to.equal(true);
    });

    it("test_submitReport_erc1271ReporterBadSignature", async function () {
      const { oracle, h, r, wallet, walletAddress, walletOwner, stranger } =
        await networkHelpers.loadFixture(walletReporterFixture);
      const dealAddress = await h.deal.getAddress();
      const rep = report(dealAddress, 0n);
      const domain = await oracleDomain(oracle);
      const eoaSig = await r.reporters[0].signTypedData(domain, REPORT_TYPES, rep);
      const badSigs = [
        // signed by someone other than the wallet's owner
        await stranger.signTypedData(domain, REPORT_TYPES, rep),
        // signed by the owner over another report
        await walletOwner.signTypedData(domain, REPORT_TYPES, { ...rep, revenue: 1n }),
        // garbage
        "0xdeadbeef",
      ];
      expect(await wallet.isValidSignature(await oracle.hashReport(rep), badSigs[0])).to.equal("0xffffffff");
      for (const bad of badSigs) {
        const pairs = [
          { signer: walletAddress, sig: bad },
          { signer: r.reporters[0].address, sig: eoaSig },
        ].sort((a, b) => (BigInt(a.signer) < BigInt(b.signer) ? -1 : 1));
        await expect(
          oracle.submitReport(
            rep,
            pairs.map((p) => p.signer),
            pairs.map((p) => p.sig),
          ),
        )
          .to.be.revertedWithCustomError(oracle, "InvalidSignature")
          .withArgs(walletAddress);
      }
      // The wallet's owner signing in its own name is not a reporter.
      const ownerSig = await walletOwner.signTypedData(domain, REPORT_TYPES, rep);
      const pairs = [
        { signer: walletOwner.address, sig: ownerSig },
        { signer: r.reporters[0].address, sig: eoaSig },
      ].sort((a, b) => (BigInt(a.signer) < BigInt(b.signer) ? -1 : 1));
      await expect(
        oracle.submitReport(
          rep,
          pairs.map((p) => p.signer),
          pairs.map((p) => p.sig),
        ),
      )
        .to.be.revertedWithCustomError(oracle, "NotReporter")
        .withArgs(dealAddress, walletOwner.address);
      expect((await oracle.finalReport(dealAddress, 0n)).isFinal).to.equal(false);
    });
  });

  describe("views", function () {
    it("test_hashReport_matchesEip712", async function () {
      const { oracle, dealAddress } = await networkHelpers.loadFixture(registeredDealFixture);
      const domain = await oracleDomain(oracle);
      for (const rep of [
        report(dealAddress, 0n),
        report(dealAddress, 7n, {
          gpuHoursAvailable: 2n ** 64n - 1n,
          gpuHoursBilled: 3n,
          revenue: 2n ** 128n - 1n,
        }),
        report(ethers.ZeroAddress, 0n, {
          gpuHoursAvailable: 0n,
          gpuHoursBilled: 0n,
          revenue: 0n,
          reportHash: ethers.ZeroHash,
        }),
      ]) {
        expect(await oracle.hashReport(rep)).to.equal(
          ethers.TypedDataEncoder.hash(domain, REPORT_TYPES, rep),
        );
      }
      // The digest depends on the domain: the same report on another chain hashes differently.
      const rep = report(dealAddress, 0n);
      expect(await oracle.hashReport(rep)).to.not.equal(
        ethers.TypedDataEncoder.hash({ ...domain, chainId: domain.chainId + 1n }, REPORT_TYPES, rep),
      );
      const [, name, version, chainId, verifyingContract] = await oracle.eip712Domain();
      expect([name, version, chainId, verifyingContract]).to.deep.equal([
        DOMAIN_NAME,
        "1",
        domain.chainId,
        domain.verifyingContract,
      ]);
    });

    it("test_views_unregisteredDeal", async function () {
      const { oracle, outsider } = await networkHelpers.loadFixture(registeredDealFixture);
      expect(await oracle.reporters(outsider.address)).to.deep.equal([]);
      expect(await oracle.threshold(outsider.address)).to.equal(0n);
      expect(await oracle.isReporter(outsider.address, outsider.address)).to.equal(false);
      expect(await oracle.getReport(outsider.address, 0n)).to.deep.equal([0n, 0n, 0n, ethers.ZeroHash, 0n]);
      expect(await oracle.finalReport(outsider.address, 0n)).to.deep.equal([false, 0n, 0n, 0n]);
    });

    it("test_views_registeredDeal", async function () {
      const { oracle, dealAddress, r } = await networkHelpers.loadFixture(registeredDealFixture);
      expect(await oracle.reporters(dealAddress)).to.deep.equal(r.reporters.map((x) => x.address));
      expect(await oracle.threshold(dealAddress)).to.equal(2n);
      for (const rep of r.reporters) expect(await oracle.isReporter(dealAddress, rep.address)).to.equal(true);
      expect(await oracle.isReporter(dealAddress, r.issuer.address)).to.equal(false);
      expect(await oracle.isReporter(dealAddress, ethers.ZeroAddress)).to.equal(false);
    });
  });
});
