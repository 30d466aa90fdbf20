import { expect } from "chai";

import { DAY, DealStatus } from "../helpers/fixtures.js";
import { K, M, runPeriod } from "../helpers/risk-fixtures.js";
import {
  ethers,
  networkHelpers,
  activeNoFeed,
  acceleratedDeal,
  ballotOpen,
  expectUnchanged,
} from "../helpers/risk-engine-fixtures.js";

describe("RiskEngine", function () {
  describe("waiver reverts", function () {
    it("test_proposeWaiver_revertsUnlessAccelerated", async function () {
      const f = await networkHelpers.loadFixture(activeNoFeed);
      await expectUnchanged(f, async () => {
        await expect(f.engine.connect(f.r.issuer).proposeWaiver())
          .to.be.revertedWithCustomError(f.engine, "NotAccelerated")
          .withArgs(DealStatus.Active);
      });
    });

    it("test_proposeWaiver_revertsWhileABallotIsOpen", async function () {
      const f = await networkHelpers.loadFixture(ballotOpen);
      await expectUnchanged(f, async () => {
        await expect(f.engine.connect(f.r.issuer).proposeWaiver())
          .to.be.revertedWithCustomError(f.engine, "BallotOpen")
          .withArgs(1n, f.deadline);
      });
      // Open up to and including its deadline; a new ballot may be proposed after it.
      await networkHelpers.time.setNextBlockTimestamp(f.deadline);
      await expect(f.engine.connect(f.r.issuer).proposeWaiver())
        .to.be.revertedWithCustomError(f.engine, "BallotOpen")
        .withArgs(1n, f.deadline);
      const at = f.deadline + 1n;
      await networkHelpers.time.setNextBlockTimestamp(at);
      await expect(f.engine.connect(f.r.issuer).proposeWaiver())
        .to.emit(f.engine, "WaiverProposed")
        .withArgs(2n, f.r.issuer.address, at + 7n * DAY);
    });

    it("test_voteAndExecute_revertWithoutAnOpenBallot", async function () {
      const f = await networkHelpers.loadFixture(acceleratedDeal);
      const voter = f.r.investors[0];
      await expectUnchanged(f, async () => {
        await expect(f.engine.connect(voter).voteWaiver(true)).to.be.revertedWithCustomError(
          f.engine,
          "NoOpenBallot",
        );
        await expect(f.engine.executeWaiver()).to.be.revertedWithCustomError(
          f.engine,
          "NoOpenBallot",
        );
      });
    });

    it("test_voteWaiver_revertsAfterTheDeadline", async function () {
      const f = await networkHelpers.loadFixture(ballotOpen);
      await networkHelpers.time.setNextBlockTimestamp(f.deadline + 1n);
      await expectUnchanged(f, async () => {
        await expect(
          f.engine.connect(f.r.investors[0]).voteWaiver(true),
        ).to.be.revertedWithCustomError(f.engine, "NoOpenBallot");
      });
    });

    it("test_voteWaiver_revertsOnASecondVoteAndWithoutSeniorTokens", async function () {
      const f = await networkHelpers.loadFixture(ballotOpen);
      const [holder, , , half, nobody] = f.r.investors;
      await f.engine.connect(half).voteWaiver(true);
      await expectUnchanged(f, async () => {
        await expect(f.engine.connect(half).voteWaiver(false))
          .to.be.revertedWithCustomError(f.engine, "AlreadyVoted")
          .withArgs(1n, half.address);
        await expect(f.engine.connect(nobody).voteWaiver(true))
          .to.be.revertedWithCustomError(f.engine, "NoVotingPower")
          .withArgs(nobody.address);
      });
      expect(await f.engine.hasVoted(1n, nobody.address)).to.equal(false);
      expect(await f.engine.hasVoted(1n, half.address)).to.equal(true);
      expect(await f.engine.hasVoted(1n, holder.address)).to.equal(false);
    });

    it("test_executeWaiver_revertsAtExactlyHalfOfTheSeniorSupply", async function () {
      const f = await networkHelpers.loadFixture(ballotOpen);
      await f.engine.connect(f.r.investors[3]).voteWaiver(true);
      await expectUnchanged(f, async () => {
        await expect(f.engine.executeWaiver())
          .to.be.revertedWithCustomError(f.engine, "WaiverNotApproved")
          .withArgs(1n, 3n * M, 6n * M);
      });
    });

    it("test_executeWaiver_revertsOnceExecutedAndVotesCloseWithIt", async function () {
      const f = await networkHelpers.loadFixture(ballotOpen);
      await f.engine.connect(f.r.investors[0]).voteWaiver(true);
      await f.engine.connect(f.r.investors[3]).voteWaiver(true);
      await f.engine.executeWaiver();
      await expectUnchanged(f, async () => {
        await expect(f.engine.executeWaiver())
          .to.be.revertedWithCustomError(f.engine, "WaiverAlreadyExecuted")
          .withArgs(1n);
        await expect(
          f.engine.connect(f.r.investors[5]).voteWaiver(true),
        ).to.be.revertedWithCustomError(f.engine, "NoOpenBallot");
      });
    });

    it("test_executeWaiver_revertsOnceTheDealIsNoLongerAccelerated", async function () {
      const f = await networkHelpers.loadFixture(ballotOpen);
      await f.engine.connect(f.r.investors[0]).voteWaiver(true);
      await f.engine.connect(f.r.investors[3]).voteWaiver(true);
      // The issuer calls every note instead (clean-up threshold 100 % of senior face).
      const q = await f.engine.cleanUpQuote();
      await f.protocol.stablecoin.mint(f.r.issuer.address, q.fromIssuer + 1n * M);
      await f.protocol.stablecoin.connect(f.r.issuer).approve(f.dealAddress, ethers.MaxUint256);
      await f.deal.connect(f.r.issuer).cleanUpCall();
      expect(await f.deal.status()).to.equal(BigInt(DealStatus.Repaid));
      await expectUnchanged(f, async () => {
        await expect(f.engine.executeWaiver())
          .to.be.revertedWithCustomError(f.engine, "NotAccelerated")
          .withArgs(DealStatus.Repaid);
      });
    });
  });

  describe("waiver", function () {
    it("test_waiver_passesAboveHalfClearsLatchedTriggersAndReturnsToCashTrap", async function () {
      const f = await networkHelpers.loadFixture(ballotOpen);
      const [holder, , , half, , one] = f.r.investors;
      expect(Array.from(await f.engine.ballot())).to.deep.equal([1n, f.deadline, 0n, 0n, false]);
      await expect(f.engine.connect(half).voteWaiver(true))
        .to.emit(f.engine, "WaiverVoted")
        .withArgs(1n, half.address, true, 3n * M);
      await expect(f.engine.connect(holder).voteWaiver(false))
        .to.emit(f.engine, "WaiverVoted")
        .withArgs(1n, holder.address, false, 3n * M - 1n);
      await expect(f.engine.executeWaiver())
        .to.be.revertedWithCustomError(f.engine, "WaiverNotApproved")
        .withArgs(1n, 3n * M, 6n * M);
      await f.engine.connect(one).voteWaiver(true);
      expect(Array.from(await f.engine.ballot())).to.deep.equal([
        1n,
        f.deadline,
        3n * M + 1n,
        3n * M - 1n,
        false,
      ]);
      const tx = f.engine.connect(f.outsider).executeWaiver();
      await expect(tx)
        .to.emit(f.engine, "WaiverExecuted")
        .withArgs(1n, 3n * M + 1n, 3n * M - 1n, 6n * M, 2n);
      // The curable DSCR trap is still active: the deal returns to a cash trap, not to Active.
      await expect(tx)
        .to.emit(f.deal, "StatusChanged")
        .withArgs(DealStatus.Accelerated, DealStatus.CashTrap);
      expect(await f.deal.status()).to.equal(BigInt(DealStatus.CashTrap));
      expect((await f.engine.triggerStates()).map((x) => [x.consecutive, x.active])).to.deep.equal([
        [1n, true],
        [0n, false],
      ]);
      expect((await f.engine.ballot()).executed).to.equal(true);
      // Voters' tokens stay locked until the deadline, executed or not.
      for (const voter of [half, holder, one]) {
        await expect(f.tokens[0].connect(voter).transfer(f.outsider.address, 1n))
          .to.be.revertedWithCustomError(f.tokens[0], "TokensLocked")
          .withArgs(voter.address, f.deadline);
      }
      await networkHelpers.time.increaseTo(f.deadline + 1n);
      await f.tokens[0].connect(half).transfer(f.outsider.address, 1n);
      // The next period with a healthy DSCR cures the trap and the deal is Active again.
      const run = await runPeriod(ethers, networkHelpers, f, 1, { revenue: 400n * K });
      expect(run.cured).to.deep.equal([[0n, run.statement.metrics.dscr]]);
      expect(run.statement.mode).to.equal(DealStatus.Active);
      expect(await f.deal.status()).to.equal(BigInt(DealStatus.Active));
    });

    it("test_waiver_returnsToActiveWhenNoCurableTriggerIsActive", async function () {
      const f = await networkHelpers.loadFixture(acceleratedDeal);
      // A healthy period cures the trap; the event of default stays latched.
      const run = await runPeriod(ethers, networkHelpers, f, 1, { revenue: 400n * K });
      expect(run.cured).to.deep.equal([[0n, run.statement.metrics.dscr]]);
      expect(run.statement.mode).to.equal(DealStatus.Accelerated);
      expect(await f.engine.activeTriggers()).to.equal(2n);
      await expect(f.engine.connect(f.r.issuer).proposeWaiver()).to.emit(
        f.engine,
        "WaiverProposed",
      );
      await f.engine.connect(f.r.investors[0]).voteWaiver(true);
      await f.engine.connect(f.r.investors[3]).voteWaiver(true);
      await expect(f.engine.executeWaiver())
        .to.emit(f.deal, "StatusChanged")
        .withArgs(DealStatus.Accelerated, DealStatus.Active);
      expect(await f.engine.activeTriggers()).to.equal(0n);
      const next = await runPeriod(ethers, networkHelpers, f, 2, { revenue: 400n * K });
      expect(next.statement.mode).to.equal(DealStatus.Active);
      expect(next.statement.residualPaid).to.be.greaterThan(0n);
    });
  });
});
