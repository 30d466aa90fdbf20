/**
 * The deal's guardian: named in the term sheet, it pauses the deal, disputes reports and cancels reporter changes.
 * The issuer admin can neither join nor remove it; a change of guardian is proposed (by the guardian or the issuer
 * admin), waits `GUARDIAN_CHANGE_DELAY` during which the guardian can cancel it, and is then applied by anyone.
 */
import { expect } from "chai";
import { network } from "hardhat";

import { DAY, createDeal, deployProtocol, roles, standardTermSheet } from "./helpers/fixtures.js";

const { ethers, networkHelpers } = await network.create();
const { time } = networkHelpers;

async function dealFixture() {
  const protocol = await deployProtocol(ethers);
  const r = await roles(ethers);
  const terms = await standardTermSheet(networkHelpers, protocol, r);
  const h = await createDeal(ethers, protocol, terms);
  const s = await ethers.getSigners();
  const deal = h.deal;
  return {
    protocol,
    r,
    h,
    deal,
    dealAddress: await deal.getAddress(),
    GUARDIAN: await deal.GUARDIAN_ROLE(),
    GUARDIAN_ADMIN: ethers.id("cascade.role.guardian-admin"),
    delay: await deal.GUARDIAN_CHANGE_DELAY(),
    successor: s[16],
    outsider: s[17],
  };
}

type F = Awaited<ReturnType<typeof dealFixture>>;

/** Everything a refused call must leave as it was. */
async function guardianState(f: F) {
  return {
    guardian: await f.deal.guardian(),
    pending: Array.from(await f.deal.pendingGuardianChange()),
    roles: await Promise.all(
      [f.r.issuer, f.r.guardian, f.successor, f.outsider].map((s) => f.deal.hasRole(f.GUARDIAN, s)),
    ),
  };
}

async function expectUnchanged(f: F, failing: () => Promise<void>) {
  const before = await guardianState(f);
  await failing();
  expect(await guardianState(f)).to.deep.equal(before);
}

describe("Guardian", function () {
  it("test_grantAndRevokeRole_theIssuerAdminCannotJoinOrRemoveTheGuardian", async function () {
    const f = await networkHelpers.loadFixture(dealFixture);
    expect(await f.deal.guardian()).to.equal(f.r.guardian.address);
    expect(await f.deal.getRoleAdmin(f.GUARDIAN)).to.equal(f.GUARDIAN_ADMIN);
    await expectUnchanged(f, async () => {
      await expect(f.deal.connect(f.r.issuer).grantRole(f.GUARDIAN, f.r.issuer.address))
        .to.be.revertedWithCustomError(f.deal, "AccessControlUnauthorizedAccount")
        .withArgs(f.r.issuer.address, f.GUARDIAN_ADMIN);
      await expect(f.deal.connect(f.r.issuer).revokeRole(f.GUARDIAN, f.r.guardian.address))
        .to.be.revertedWithCustomError(f.deal, "AccessControlUnauthorizedAccount")
        .withArgs(f.r.issuer.address, f.GUARDIAN_ADMIN);
      // Nor can the guardian appoint a second guardian at once.
      await expect(f.deal.connect(f.r.guardian).grantRole(f.GUARDIAN, f.successor.address))
        .to.be.revertedWithCustomError(f.deal, "AccessControlUnauthorizedAccount")
        .withArgs(f.r.guardian.address, f.GUARDIAN_ADMIN);
      // So the issuer admin has none of the guardian's powers.
      await expect(f.deal.connect(f.r.issuer).pause())
        .to.be.revertedWithCustomError(f.deal, "AccessControlUnauthorizedAccount")
        .withArgs(f.r.issuer.address, f.GUARDIAN);
    });
  });

  it("test_proposeGuardian_theGuardianCancelsTheIssuersProposal", async function () {
    const f = await networkHelpers.loadFixture(dealFixture);
    const tx = f.deal.connect(f.r.issuer).proposeGuardian(f.r.issuer.address);
    const eta = BigInt(await time.latest()) + 1n + f.delay;
    await expect(tx)
      .to.emit(f.deal, "GuardianChangeProposed")
      .withArgs(f.r.issuer.address, f.r.guardian.address, f.r.issuer.address, eta);
    expect(await f.deal.pendingGuardianChange()).to.deep.equal([f.r.issuer.address, eta]);
    await expectUnchanged(f, async () => {
      await expect(f.deal.applyGuardianChange())
        .to.be.revertedWithCustomError(f.deal, "GuardianChangeNotReady")
        .withArgs(eta);
      await time.setNextBlockTimestamp(eta - 1n);
      await expect(f.deal.connect(f.outsider).applyGuardianChange())
        .to.be.revertedWithCustomError(f.deal, "GuardianChangeNotReady")
        .withArgs(eta);
    });
    await expect(f.deal.connect(f.r.guardian).cancelGuardianChange())
      .to.emit(f.deal, "GuardianChangeCancelled")
      .withArgs(f.r.guardian.address, f.r.issuer.address);
    expect(await f.deal.pendingGuardianChange()).to.deep.equal([ethers.ZeroAddress, 0n]);
    await time.increaseTo(eta + DAY);
    await expectUnchanged(f, async () => {
      await expect(f.deal.applyGuardianChange()).to.be.revertedWithCustomError(
        f.deal,
        "NoGuardianChangePending",
      );
    });
    expect(await f.deal.hasRole(f.GUARDIAN, f.r.issuer.address)).to.equal(false);
    expect(await f.deal.hasRole(f.GUARDIAN, f.r.guardian.address)).to.equal(true);
  });

  it("test_applyGuardianChange_afterTheDelayTheRoleMovesAndTheOldGuardianLosesItsPowers", async function () {
    const f = await networkHelpers.loadFixture(dealFixture);
    await f.deal.connect(f.r.guardian).proposeGuardian(f.successor.address);
    const [, eta] = await f.deal.pendingGuardianChange();
    await time.setNextBlockTimestamp(eta);
    const tx = f.deal.connect(f.outsider).applyGuardianChange();
    await expect(tx)
      .to.emit(f.deal, "GuardianChanged")
      .withArgs(f.r.guardian.address, f.successor.address);
    await expect(tx)
      .to.emit(f.deal, "RoleRevoked")
      .withArgs(f.GUARDIAN, f.r.guardian.address, f.outsider.address);
    await expect(tx)
      .to.emit(f.deal, "RoleGranted")
      .withArgs(f.GUARDIAN, f.successor.address, f.outsider.address);
    expect(await f.deal.guardian()).to.equal(f.successor.address);
    expect(await f.deal.pendingGuardianChange()).to.deep.equal([ethers.ZeroAddress, 0n]);
    await expect(f.deal.connect(f.r.guardian).pause())
      .to.be.revertedWithCustomError(f.deal, "AccessControlUnauthorizedAccount")
      .withArgs(f.r.guardian.address, f.GUARDIAN);
    await expect(f.deal.connect(f.successor).pause()).to.emit(f.deal, "Paused");
    // The old guardian can no longer propose or cancel changes; the new one can.
    await expect(f.deal.connect(f.r.guardian).proposeGuardian(f.r.guardian.address))
      .to.be.revertedWithCustomError(f.deal, "NotGuardianProposer")
      .withArgs(f.r.guardian.address);
    await f.deal.connect(f.r.issuer).proposeGuardian(f.outsider.address);
    await expect(f.deal.connect(f.r.guardian).cancelGuardianChange())
      .to.be.revertedWithCustomError(f.deal, "NotGuardianProposer")
      .withArgs(f.r.guardian.address);
    await expect(f.deal.connect(f.successor).cancelGuardianChange())
      .to.emit(f.deal, "GuardianChangeCancelled")
      .withArgs(f.successor.address, f.outsider.address);
  });

  it("test_proposeGuardian_revertsForOthersAndForInvalidGuardians", async function () {
    const f = await networkHelpers.loadFixture(dealFixture);
    await expectUnchanged(f, async () => {
      for (const caller of [f.outsider, f.r.servicer, f.r.trustee]) {
        await expect(f.deal.connect(caller).proposeGuardian(caller.address))
          .to.be.revertedWithCustomError(f.deal, "NotGuardianProposer")
          .withArgs(caller.address);
      }
      await expect(f.deal.connect(f.r.issuer).proposeGuardian(ethers.ZeroAddress))
        .to.be.revertedWithCustomError(f.deal, "InvalidGuardian")
        .withArgs(ethers.ZeroAddress);
      await expect(f.deal.connect(f.r.guardian).proposeGuardian(f.r.guardian.address))
        .to.be.revertedWithCustomError(f.deal, "InvalidGuardian")
        .withArgs(f.r.guardian.address);
      await expect(
        f.deal.connect(f.r.guardian).cancelGuardianChange(),
      ).to.be.revertedWithCustomError(f.deal, "NoGuardianChangePending");
    });
    await f.deal.connect(f.r.guardian).proposeGuardian(f.successor.address);
    await expectUnchanged(f, async () => {
      await expect(f.deal.connect(f.outsider).cancelGuardianChange())
        .to.be.revertedWithCustomError(f.deal, "NotGuardianProposer")
        .withArgs(f.outsider.address);
    });
  });

  it("test_proposeGuardian_aNewProposalReplacesThePendingOneAndRestartsTheDelay", async function () {
    const f = await networkHelpers.loadFixture(dealFixture);
    await f.deal.connect(f.r.guardian).proposeGuardian(f.successor.address);
    const [, first] = await f.deal.pendingGuardianChange();
    await time.increase(3n * DAY);
    await f.deal.connect(f.r.issuer).proposeGuardian(f.outsider.address);
    const [next, eta] = await f.deal.pendingGuardianChange();
    expect(next).to.equal(f.outsider.address);
    expect(eta).to.equal(BigInt(await time.latest()) + f.delay);
    expect(eta > first).to.equal(true);
    await time.setNextBlockTimestamp(first);
    await expect(f.deal.applyGuardianChange())
      .to.be.revertedWithCustomError(f.deal, "GuardianChangeNotReady")
      .withArgs(eta);
  });

  it("test_renounceRole_aGuardianThatResignsLosesEveryPower", async function () {
    const f = await networkHelpers.loadFixture(dealFixture);
    await f.deal.connect(f.r.guardian).renounceRole(f.GUARDIAN, f.r.guardian.address);
    await expect(f.deal.connect(f.r.guardian).proposeGuardian(f.successor.address))
      .to.be.revertedWithCustomError(f.deal, "NotGuardianProposer")
      .withArgs(f.r.guardian.address);
    // The issuer admin proposes a successor; nobody is left to cancel it, and it applies after the delay.
    await f.deal.connect(f.r.issuer).proposeGuardian(f.successor.address);
    await expect(f.deal.connect(f.r.guardian).cancelGuardianChange())
      .to.be.revertedWithCustomError(f.deal, "NotGuardianProposer")
      .withArgs(f.r.guardian.address);
    await time.increase(f.delay);
    await expect(f.deal.applyGuardianChange())
      .to.emit(f.deal, "GuardianChanged")
      .withArgs(f.r.guardian.address, f.successor.address);
    expect(await f.deal.hasRole(f.GUARDIAN, f.successor.address)).to.equal(true);
  });

  it("test_oracle_theIssuerAdminCannotVoidReportsOrForceItsReporters", async function () {
    const f = await networkHelpers.loadFixture(dealFixture);
    const oracle = f.protocol.oracle;
    // Reporter changes wait their delay and the guardian cancels the issuer's.
    await oracle.connect(f.r.issuer).proposeReporters(f.dealAddress, [f.r.issuer.address], 1);
    await expect(oracle.connect(f.r.guardian).cancelReporters(f.dealAddress))
      .to.emit(oracle, "ReporterChangeCancelled")
      .withArgs(f.dealAddress, f.r.guardian.address);
    // The issuer admin is not a disputer and cannot become one.
    await time.increaseTo(await f.deal.periodEnd(0));
    await expect(oracle.connect(f.r.issuer).dispute(f.dealAddress, 0n, ethers.ZeroHash))
      .to.be.revertedWithCustomError(oracle, "NotDisputer")
      .withArgs(f.dealAddress, f.r.issuer.address);
  });
});
