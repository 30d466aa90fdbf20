import { expect } from "chai";

import { DISPUTE_WINDOW, signReport } from "../helpers/fixtures.js";
import { plain, signSorted, wallets } from "../helpers/oracle-signing.js";
import {
  ethers,
  networkHelpers,
  time,
  CHANGE_DELAY,
  REASON,
  dealFixture,
  endedFixture,
  twoDealsFixture,
  report,
  nextBlockAt,
  expectUnchanged,
} from "../helpers/oracle-fixtures.js";

describe("UtilizationOracle", function () {
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
      await deal.connect(r.issuer).grantRole(ethers.ZeroHash, outsider.address);
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
      await deal.connect(outsider).revokeRole(ethers.ZeroHash, r.issuer.address);
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
});
