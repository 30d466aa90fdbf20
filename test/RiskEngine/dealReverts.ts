import { expect } from "chai";

import { DealStatus, USDC, WAD, subscribe } from "../helpers/fixtures.js";
import { K, M, activate, buildRiskDeal } from "../helpers/risk-fixtures.js";
import {
  ethers,
  networkHelpers,
  noFeedDeal,
  activeNoFeed,
  activeCallable,
  activeCallableAtPar,
  acceleratedDeal,
  ballotOpen,
  expectUnchanged,
} from "../helpers/risk-engine-fixtures.js";

describe("RiskEngine", function () {
  describe("deal and token reverts", function () {
    it("test_writeDown_onlyTheTrusteeOfAnAcceleratedDeal", async function () {
      const f = await networkHelpers.loadFixture(activeNoFeed);
      await expectUnchanged(f, async () => {
        for (const caller of [f.outsider, f.r.issuer]) {
          await expect(f.deal.connect(caller).writeDown(1n))
            .to.be.revertedWithCustomError(f.deal, "NotTrustee")
            .withArgs(caller.address);
        }
        await expect(f.deal.connect(f.r.trustee).writeDown(1n))
          .to.be.revertedWithCustomError(f.deal, "WriteDownNotAllowed")
          .withArgs(DealStatus.Active);
      });
    });

    it("test_writeDown_revertsWhileCashIsHeldOrOnAnInvalidAmount", async function () {
      const f = await networkHelpers.loadFixture(acceleratedDeal);
      const outstanding =
        (await f.deal.tranche(0)).outstanding + (await f.deal.tranche(1)).outstanding;
      expect(await f.deal.reserve()).to.deep.equal([0n, 150n * K]);
      expect(await f.deal.undistributedCollections()).to.equal(0n);
      await expectUnchanged(f, async () => {
        await expect(f.deal.connect(f.r.trustee).writeDown(0n))
          .to.be.revertedWithCustomError(f.deal, "InvalidWriteDown")
          .withArgs(0n, outstanding);
        await expect(f.deal.connect(f.r.trustee).writeDown(outstanding + 1n))
          .to.be.revertedWithCustomError(f.deal, "InvalidWriteDown")
          .withArgs(outstanding + 1n, outstanding);
      });
      await f.deal.connect(f.r.servicer).depositCollections(7n * USDC);
      await expectUnchanged(f, async () => {
        await expect(f.deal.connect(f.r.trustee).writeDown(1n))
          .to.be.revertedWithCustomError(f.deal, "RecoveriesNotExhausted")
          .withArgs(7n * USDC, 0n, 0n);
      });
    });

    it("test_riskEngineHooks_onlyTheRiskEngine", async function () {
      const f = await networkHelpers.loadFixture(activeNoFeed);
      await expectUnchanged(f, async () => {
        await expect(f.deal.connect(f.r.issuer).setRiskStatus(DealStatus.CashTrap))
          .to.be.revertedWithCustomError(f.deal, "NotRiskEngine")
          .withArgs(f.r.issuer.address);
        await expect(
          f.tokens[0].connect(f.outsider).lockForVote(f.r.investors[0].address, 2n ** 32n - 1n),
        )
          .to.be.revertedWithCustomError(f.tokens[0], "NotRiskEngine")
          .withArgs(f.outsider.address);
      });
      expect(await f.tokens[0].lockedUntil(f.r.investors[0].address)).to.equal(0n);
    });

    it("test_setRiskStatus_revertsOutsideTheRunningStates", async function () {
      const f = await networkHelpers.loadFixture(noFeedDeal);
      const engine = await f.engine.getAddress();
      await networkHelpers.impersonateAccount(engine);
      await networkHelpers.setBalance(engine, WAD);
      const asEngine = f.deal.connect(await ethers.getSigner(engine));
      await expect(asEngine.setRiskStatus(DealStatus.Active))
        .to.be.revertedWithCustomError(f.deal, "DealNotActive")
        .withArgs(DealStatus.Offering);
      await activate(networkHelpers, f);
      for (const next of [DealStatus.Offering, DealStatus.Repaid, DealStatus.Defaulted]) {
        await expect(asEngine.setRiskStatus(next))
          .to.be.revertedWithCustomError(f.deal, "DealNotActive")
          .withArgs(DealStatus.Active);
      }
      expect(await f.deal.status()).to.equal(BigInt(DealStatus.Active));
      // Setting the current status again emits nothing.
      await expect(asEngine.setRiskStatus(DealStatus.Active)).not.to.emit(f.deal, "StatusChanged");
      await expect(asEngine.setRiskStatus(DealStatus.CashTrap))
        .to.emit(f.deal, "StatusChanged")
        .withArgs(DealStatus.Active, DealStatus.CashTrap);
      await networkHelpers.stopImpersonatingAccount(engine);
    });

    it("test_recoveriesAndCleanUp_revertBeforeTheDealRuns", async function () {
      const f = await networkHelpers.loadFixture(noFeedDeal);
      await f.protocol.stablecoin.mint(f.outsider.address, M);
      await f.protocol.stablecoin.connect(f.outsider).approve(f.dealAddress, M);
      await expectUnchanged(f, async () => {
        await expect(f.deal.connect(f.outsider).depositRecoveries(M))
          .to.be.revertedWithCustomError(f.deal, "DealNotActive")
          .withArgs(DealStatus.Offering);
        await expect(f.deal.connect(f.r.issuer).cleanUpCall())
          .to.be.revertedWithCustomError(f.deal, "DealNotActive")
          .withArgs(DealStatus.Offering);
      });
    });

    it("test_depositRecoveries_revertsOnZeroAndWhilePaused", async function () {
      const f = await networkHelpers.loadFixture(activeNoFeed);
      await f.protocol.stablecoin.mint(f.r.issuer.address, M);
      await f.protocol.stablecoin.connect(f.r.issuer).approve(f.dealAddress, M);
      await f.protocol.stablecoin.connect(f.r.issuer).approve(await f.engine.getAddress(), M);
      await expectUnchanged(f, async () => {
        await expect(
          f.deal.connect(f.r.issuer).depositRecoveries(0n),
        ).to.be.revertedWithCustomError(f.deal, "ZeroAmount");
      });
      await f.deal.connect(f.r.guardian).pause();
      await expectUnchanged(f, async () => {
        await expect(f.deal.connect(f.r.issuer).depositRecoveries(M)).to.be.revertedWithCustomError(
          f.deal,
          "EnforcedPause",
        );
        // Sale proceeds of a retired entry are recoveries: refused while paused, and the entry stays.
        await expect(
          f.engine.connect(f.r.issuer).retireFleetEntry(0n, 1n, M),
        ).to.be.revertedWithCustomError(f.deal, "EnforcedPause");
        await expect(f.deal.connect(f.r.issuer).cleanUpCall()).to.be.revertedWithCustomError(
          f.deal,
          "EnforcedPause",
        );
      });
    });

    it("test_cleanUpCall_revertsAboveTheThresholdWhilePendingAndForOthers", async function () {
      const f = await networkHelpers.loadFixture(activeCallable);
      await expectUnchanged(f, async () => {
        await expect(f.deal.connect(f.r.issuer).cleanUpCall())
          .to.be.revertedWithCustomError(f.deal, "CleanUpNotAllowed")
          .withArgs(6n * M, (6n * M * 2_000n) / 10_000n);
        await expect(f.deal.connect(f.outsider).cleanUpCall())
          .to.be.revertedWithCustomError(f.deal, "AccessControlUnauthorizedAccount")
          .withArgs(f.outsider.address, ethers.ZeroHash);
      });
      expect(await f.engine.cleanUpCallable()).to.equal(false);
      // Recoveries the issuer deposits are held for the notes: they repay no principal, so they cannot bring the
      // senior under the threshold (the issuer cannot call the notes at par through them).
      await f.protocol.stablecoin.mint(f.r.issuer.address, 5n * M);
      await f.protocol.stablecoin.connect(f.r.issuer).approve(f.dealAddress, 5n * M);
      await f.deal.connect(f.r.issuer).depositRecoveries(5n * M);
      expect(await f.engine.cleanUpCallable()).to.equal(false);
      await expect(f.deal.connect(f.r.issuer).cleanUpCall())
        .to.be.revertedWithCustomError(f.deal, "CleanUpNotAllowed")
        .withArgs(6n * M, (6n * M * 2_000n) / 10_000n);
    });

    it("test_cleanUpCall_revertsOnceTheCurrentPeriodHasEnded", async function () {
      const f = await networkHelpers.loadFixture(activeCallableAtPar);
      expect(await f.engine.cleanUpCallable()).to.equal(true);
      await networkHelpers.time.increaseTo(await f.deal.periodEnd(0));
      expect(await f.engine.cleanUpCallable()).to.equal(false);
      await expectUnchanged(f, async () => {
        await expect(f.deal.connect(f.r.issuer).cleanUpCall())
          .to.be.revertedWithCustomError(f.deal, "CleanUpPeriodPending")
          .withArgs(0n);
      });
    });

    /** The clean-up deal (20 % of face) whose offerings sold only the tranches in `sold`. */
    async function partlySold(sold: number[]) {
      const f = await buildRiskDeal(ethers, networkHelpers, "none", (t) => {
        t.risk = { ...t.risk, cleanUpBps: 2_000 };
      });
      await networkHelpers.time.increaseTo(f.terms.offeringOpensAt);
      for (const i of sold) {
        await subscribe(
          f.protocol,
          f.h.offerings[i],
          f.r.investors[i],
          f.terms.tranches[i].faceAmount,
        );
      }
      await networkHelpers.time.increaseTo(f.terms.offeringClosesAt);
      for (const o of f.h.offerings) await o.close();
      expect(await f.deal.status()).to.equal(BigInt(DealStatus.Active));
      return f;
    }

    it("test_cleanUpCall_seniorNeverIssued_theTestAppliesToTheMostSeniorIssuedNote", async function () {
      const f = await partlySold([1, 2]);
      expect((await f.deal.tranche(0)).issued).to.equal(0n);
      const q = await f.engine.cleanUpQuote();
      expect([q.allowed, q.seniorOutstanding, q.threshold]).to.deep.equal([
        false,
        2n * M,
        400n * K,
      ]);
      expect(await f.engine.cleanUpCallable()).to.equal(false);
      await expectUnchanged(f, async () => {
        await expect(f.deal.connect(f.r.issuer).cleanUpCall())
          .to.be.revertedWithCustomError(f.deal, "CleanUpNotAllowed")
          .withArgs(2n * M, 400n * K);
      });
    });

    it("test_cleanUpCall_noNoteIssued_notAllowed", async function () {
      const f = await partlySold([2]);
      const q = await f.engine.cleanUpQuote();
      expect([q.allowed, q.seniorOutstanding, q.threshold]).to.deep.equal([false, 0n, 0n]);
      await expectUnchanged(f, async () => {
        await expect(f.deal.connect(f.r.issuer).cleanUpCall())
          .to.be.revertedWithCustomError(f.deal, "CleanUpNotAllowed")
          .withArgs(0n, 0n);
      });
    });

    it("test_cleanUpAndRecoveries_revertOnceTheDealHasBeenRepaid", async function () {
      const f = await networkHelpers.loadFixture(activeCallableAtPar);
      await f.protocol.stablecoin.mint(f.r.issuer.address, 20n * M);
      await f.protocol.stablecoin.connect(f.r.issuer).approve(f.dealAddress, ethers.MaxUint256);
      await f.deal.connect(f.r.issuer).depositRecoveries(5n * M);
      await f.deal.connect(f.r.issuer).cleanUpCall();
      expect(await f.engine.cleanUpCallable()).to.equal(false);
      await expectUnchanged(f, async () => {
        await expect(f.deal.connect(f.r.issuer).cleanUpCall())
          .to.be.revertedWithCustomError(f.deal, "DealNotActive")
          .withArgs(DealStatus.Repaid);
        await expect(f.deal.connect(f.r.issuer).depositRecoveries(1n))
          .to.be.revertedWithCustomError(f.deal, "DealNotActive")
          .withArgs(DealStatus.Repaid);
      });
    });

    it("test_transfer_revertsWhileTheVoteLocksTheBalance", async function () {
      const f = await networkHelpers.loadFixture(ballotOpen);
      const [holder, , , half] = f.r.investors;
      await expect(f.engine.connect(half).voteWaiver(false))
        .to.emit(f.tokens[0], "VoteLocked")
        .withArgs(half.address, 3n * M, f.deadline);
      expect(await f.tokens[0].lockedUntil(half.address)).to.equal(f.deadline);
      await f.tokens[0].connect(half).approve(holder.address, 1n);
      await expectUnchanged(f, async () => {
        await expect(f.tokens[0].connect(half).transfer(holder.address, 1n))
          .to.be.revertedWithCustomError(f.tokens[0], "TokensLocked")
          .withArgs(half.address, f.deadline);
        await expect(f.tokens[0].connect(holder).transferFrom(half.address, holder.address, 1n))
          .to.be.revertedWithCustomError(f.tokens[0], "TokensLocked")
          .withArgs(half.address, f.deadline);
      });
      // Receiving is not blocked; the voter's tokens move again once the ballot has closed.
      await f.tokens[0].connect(holder).transfer(half.address, 1n);
      await networkHelpers.time.setNextBlockTimestamp(f.deadline);
      await expect(f.tokens[0].connect(half).transfer(holder.address, 1n))
        .to.be.revertedWithCustomError(f.tokens[0], "TokensLocked")
        .withArgs(half.address, f.deadline);
      await networkHelpers.time.setNextBlockTimestamp(f.deadline + 1n);
      await expect(f.tokens[0].connect(half).transfer(holder.address, 2n)).to.changeTokenBalances(
        ethers,
        f.tokens[0],
        [half, holder],
        [-2n, 2n],
      );
    });
  });
});
