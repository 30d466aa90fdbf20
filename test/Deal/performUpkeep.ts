import { expect } from "chai";
import type { ContractTransactionResponse } from "ethers";

import {
  DISPUTE_WINDOW,
  DealStatus,
  PERIOD,
  USDC,
  WAD,
  activateDeal,
  markUnreported,
  proposeReport,
  submitReport,
} from "../helpers/fixtures.js";
import { keeperPaidIn, statementFromChain, performData } from "../helpers/deal-scenario.js";
import {
  metricsToArray,
  periodInterestDown,
  referenceMetrics,
  UNREPORTED,
} from "../helpers/waterfall-reference.js";
import {
  ethers,
  networkHelpers,
  K,
  M,
  buildDeal,
  reportEach,
  dealFixture,
  activeDealFixture,
  activeLowSlopeDealFixture,
  encode1,
  expectUpkeep,
  balances,
  upkeepLog,
} from "../helpers/deal-fixtures.js";

describe("Deal", function () {
  describe("upkeep (Chainlink Automation) and keeper bounty", function () {
    it("test_performUpkeep_distributesTheFirstPeriod_bountyToTheCaller", async function () {
      const f = await networkHelpers.loadFixture(activeDealFixture);
      const { deal, protocol, r } = f;
      const coin = protocol.stablecoin;
      await deal.connect(r.servicer).depositCollections(400n * K);
      await networkHelpers.time.increaseTo(await deal.periodEnd(0));
      await submitReport(ethers, networkHelpers, protocol, r, deal, 0n, 300n * K);
      const [, data] = await deal.checkUpkeep("0x");
      expect(data).to.equal(performData(ethers, 0n, 1n));
      // A third account, neither a role of the deal nor the usual keeper, runs the upkeep and earns the bounty.
      const tx = deal.connect(f.keeper2).performUpkeep(data);
      expect(keeperPaidIn(deal, await deal.getAddress(), (await (await tx).wait())!)).to.deep.equal(
        [[0n, f.keeper2.address, 50n * USDC]],
      );
      await expect(tx).to.emit(deal, "PeriodDistributed");
      await expect(tx).to.changeTokenBalances(
        ethers,
        coin,
        [f.keeper2, f.keeper, f.outsider],
        [50n * USDC, 0n, 0n],
      );
      const receipt = (await (await tx).wait())!;
      expect(upkeepLog(f, receipt)).to.deep.equal({
        periods: [0n],
        keeperPaid: [[0n, f.keeper2.address, 50n * USDC]],
      });
      expect(await deal.nextPeriod()).to.equal(1n);
      await expectUpkeep(deal, false, 1n);
    });

    it("test_performUpkeep_bountyGoesToTheCallingContract", async function () {
      // Chainlink Automation calls performUpkeep from a forwarder contract: the deal pays its msg.sender, not
      // the transaction's origin.
      const f = await networkHelpers.loadFixture(activeDealFixture);
      const { deal, protocol, r } = f;
      const forwarder = await ethers.deployContract("MockAutomationForwarder");
      await deal.connect(r.servicer).depositCollections(400n * K);
      await networkHelpers.time.increaseTo(await deal.periodEnd(0));
      await submitReport(ethers, networkHelpers, protocol, r, deal, 0n, 300n * K);
      const tx = forwarder.connect(f.keeper).forward(f.dealAddress, performData(ethers, 0n, 1n));
      expect(keeperPaidIn(deal, await deal.getAddress(), (await (await tx).wait())!)).to.deep.equal(
        [[0n, await forwarder.getAddress(), 50n * USDC]],
      );
      await expect(tx).to.changeTokenBalances(
        ethers,
        protocol.stablecoin,
        [forwarder, f.keeper],
        [50n * USDC, 0n],
      );
    });

    it("test_performUpkeep_bountyToTheRecipientNamedInCheckData", async function () {
      // A keeper network whose caller is a forwarder names the payout address in checkData; checkUpkeep carries
      // it into performData and the deal pays it, not the caller.
      const f = await networkHelpers.loadFixture(activeDealFixture);
      const { deal, protocol, r } = f;
      const coder = ethers.AbiCoder.defaultAbiCoder();
      const forwarder = await ethers.deployContract("MockAutomationForwarder");
      await deal.connect(r.servicer).depositCollections(400n * K);
      await networkHelpers.time.increaseTo(await deal.periodEnd(0));
      await submitReport(ethers, networkHelpers, protocol, r, deal, 0n, 300n * K);
      const payout = f.outsider.address;
      const [needed, data] = await deal.checkUpkeep(
        coder.encode(["uint256", "address"], [2n, payout]),
      );
      expect(needed).to.equal(true);
      expect(data).to.equal(coder.encode(["uint256", "uint256", "address"], [0n, 2n, payout]));
      const tx = forwarder.connect(f.keeper).forward(f.dealAddress, data);
      expect(keeperPaidIn(deal, await deal.getAddress(), (await (await tx).wait())!)).to.deep.equal(
        [[0n, payout, 50n * USDC]],
      );
      await expect(tx).to.changeTokenBalances(
        ethers,
        protocol.stablecoin,
        [forwarder, f.outsider],
        [0n, 50n * USDC],
      );
      // A zero recipient is refused.
      const zero = coder.encode(["uint256", "uint256", "address"], [1n, 1n, ethers.ZeroAddress]);
      await expect(deal.performUpkeep(zero))
        .to.be.revertedWithCustomError(deal, "InvalidUpkeep")
        .withArgs();
    });

    it("test_performUpkeep_revertsWithThePreciseReason", async function () {
      const f = await networkHelpers.loadFixture(dealFixture);
      const { deal, protocol, r, h, dealAddress } = f;
      const oracle = protocol.oracle;
      const first = performData(ethers, 0n, 1n);
      const keeper = deal.connect(f.keeper);
      // Offering.
      await expect(keeper.performUpkeep(first))
        .to.be.revertedWithCustomError(deal, "DealNotActive")
        .withArgs(BigInt(DealStatus.Offering));
      await activateDeal(networkHelpers, protocol, r, h);
      await deal.connect(r.servicer).depositCollections(400n * K);
      const before = await balances(f);
      // Not ended.
      const end0 = await deal.periodEnd(0);
      await expect(keeper.performUpkeep(first))
        .to.be.revertedWithCustomError(deal, "WaterfallPeriodNotEnded")
        .withArgs(0n, end0);
      // Ended, no report; then pending in its dispute window.
      await networkHelpers.time.increaseTo(end0);
      await expect(keeper.performUpkeep(first))
        .to.be.revertedWithCustomError(oracle, "ReportNotFinal")
        .withArgs(dealAddress, 0n);
      await proposeReport(ethers, protocol, r, deal, 0n, 300n * K);
      await expect(keeper.performUpkeep(first))
        .to.be.revertedWithCustomError(oracle, "ReportNotFinal")
        .withArgs(dealAddress, 0n);
      // Asking for periods other than the next one.
      await expect(keeper.performUpkeep(performData(ethers, 1n, 1n)))
        .to.be.revertedWithCustomError(deal, "WaterfallPeriodNotReady")
        .withArgs(1n, 0n);
      for (const p of [12n, ethers.MaxUint256]) {
        await expect(keeper.performUpkeep(performData(ethers, p, 5n)))
          .to.be.revertedWithCustomError(deal, "WaterfallPeriodBeyondMaturity")
          .withArgs(p, 12n);
      }
      await networkHelpers.time.increase(DISPUTE_WINDOW);
      await expectUpkeep(deal, true, 0n);
      // Zero periods: refused even though period 0 is ready.
      await expect(keeper.performUpkeep(performData(ethers, 0n, 0n)))
        .to.be.revertedWithCustomError(deal, "InvalidUpkeep")
        .withArgs();
      // Malformed performData: neither two nor three words.
      for (const data of ["0x", encode1(0n)]) {
        await expect(keeper.performUpkeep(data))
          .to.be.revertedWithCustomError(deal, "InvalidUpkeep")
          .withArgs();
      }
      // Paused: the pause comes first, whatever the data.
      await deal.connect(r.guardian).pause();
      for (const data of [first, performData(ethers, 0n, 0n), performData(ethers, 7n, 1n)]) {
        await expect(keeper.performUpkeep(data))
          .to.be.revertedWithCustomError(deal, "EnforcedPause")
          .withArgs();
      }
      // Nothing moved and nothing advanced.
      expect(await balances(f)).to.deep.equal(before);
      expect(await deal.nextPeriod()).to.equal(0n);
      expect(await deal.undistributedCollections()).to.equal(400n * K);
      await deal.connect(r.guardian).unpause();
      await expect(keeper.performUpkeep(first)).to.emit(deal, "PeriodDistributed");
      // Already distributed.
      await expect(keeper.performUpkeep(first))
        .to.be.revertedWithCustomError(deal, "WaterfallPeriodAlreadyDistributed")
        .withArgs(0n);
    });

    it("test_performUpkeep_catchesUpInOrder_boundedByMaxPeriods", async function () {
      const f = await networkHelpers.loadFixture(activeDealFixture);
      const { deal, protocol, r } = f;
      await deal.connect(r.servicer).depositCollections(5n * M);
      await reportEach(protocol, r, deal, [0n, 1n, 2n, 3n], 500n * K);
      await expectUpkeep(deal, true, 0n);
      // Four periods are ready; the upkeep asks for two and runs exactly 0 and 1.
      const tx = deal.connect(f.keeper2).performUpkeep(performData(ethers, 0n, 2n));
      await expect(tx).to.changeTokenBalance(ethers, protocol.stablecoin, f.keeper2, 100n * USDC);
      const receipt = (await (await tx).wait())!;
      expect(upkeepLog(f, receipt)).to.deep.equal({
        periods: [0n, 1n],
        keeperPaid: [
          [0n, f.keeper2.address, 50n * USDC],
          [1n, f.keeper2.address, 50n * USDC],
        ],
      });
      await expectUpkeep(deal, true, 2n);
      // The rest, with room to spare.
      const r2 = (await (
        await deal.connect(f.keeper).performUpkeep(performData(ethers, 2n, 10n))
      ).wait())!;
      expect(upkeepLog(f, r2).periods).to.deep.equal([2n, 3n]);
      await expectUpkeep(deal, false, 4n);
    });

    it("test_performUpkeep_catchUpStopsQuietlyAtTheFirstUnreadyPeriod", async function () {
      const f = await networkHelpers.loadFixture(activeDealFixture);
      const { deal, protocol, r, dealAddress } = f;
      const coin = protocol.stablecoin;
      await deal.connect(r.servicer).depositCollections(5n * M);
      // 0 and 1 final, 2 unreported (ready too), 3 pending in its dispute window, 4 not ended.
      await reportEach(protocol, r, deal, [0n, 1n], 500n * K);
      await markUnreported(networkHelpers, protocol, deal, 2n);
      await networkHelpers.time.increaseTo(await deal.periodEnd(3));
      await proposeReport(ethers, protocol, r, deal, 3n, 500n * K);
      expect(await protocol.oracle.reportState(dealAddress, 3n)).to.equal(1n);

      let before = await coin.balanceOf(f.keeper2);
      let receipt = (await (
        await deal.connect(f.keeper2).performUpkeep(performData(ethers, 0n, ethers.MaxUint256))
      ).wait())!;
      expect(receipt.status).to.equal(1);
      expect(upkeepLog(f, receipt).periods).to.deep.equal([0n, 1n, 2n]);
      expect(await coin.balanceOf(f.keeper2)).to.equal(before + 150n * USDC);
      await expectUpkeep(deal, false, 3n);
      // The first period of an upkeep is checked in full: period 3 is still pending.
      await expect(deal.connect(f.keeper2).performUpkeep(performData(ethers, 3n, 5n)))
        .to.be.revertedWithCustomError(protocol.oracle, "ReportNotFinal")
        .withArgs(dealAddress, 3n);

      // Once 3 is final and 4 has ended: 3 runs, and the catch-up stops at 4 (no report). The unreported period 2
      // took every collection on deposit, so the servicer deposits again first.
      await deal.connect(r.servicer).depositCollections(M);
      await networkHelpers.time.increaseTo(await deal.periodEnd(4));
      before = await coin.balanceOf(f.keeper2);
      receipt = (await (
        await deal.connect(f.keeper2).performUpkeep(performData(ethers, 3n, 5n))
      ).wait())!;
      expect(upkeepLog(f, receipt).periods).to.deep.equal([3n]);
      expect(await coin.balanceOf(f.keeper2)).to.equal(before + 50n * USDC);
      await expectUpkeep(deal, false, 4n);

      // 4 reported: it runs, and the catch-up stops at 5, which has not ended.
      await submitReport(ethers, networkHelpers, protocol, r, deal, 4n, 500n * K);
      receipt = (await (
        await deal.connect(f.keeper2).performUpkeep(performData(ethers, 4n, 5n))
      ).wait())!;
      expect(upkeepLog(f, receipt).periods).to.deep.equal([4n]);
      await expectUpkeep(deal, false, 5n);
      expect(await deal.missedReports()).to.equal(1n);
    });

    it("test_performUpkeep_whenPaused_refusesTheWholeCatchUp", async function () {
      // Two periods ready: a paused deal runs neither (EnforcedPause), the resumed deal runs both in one upkeep.
      const f = await networkHelpers.loadFixture(activeDealFixture);
      const { deal, protocol, r } = f;
      await deal.connect(r.servicer).depositCollections(M);
      await reportEach(protocol, r, deal, [0n, 1n], 300n * K);
      await deal.connect(r.guardian).pause();
      await expectUpkeep(deal, false, 0n);
      await expect(deal.connect(f.keeper).performUpkeep(performData(ethers, 0n, 2n)))
        .to.be.revertedWithCustomError(deal, "EnforcedPause")
        .withArgs();
      await deal.connect(r.guardian).unpause();
      const receipt = (await (
        await deal.connect(f.keeper).performUpkeep(performData(ethers, 0n, 2n))
      ).wait())!;
      expect(upkeepLog(f, receipt).periods).to.deep.equal([0n, 1n]);
    });

    it("test_performUpkeep_samePerformDataTwice_noSecondPayment", async function () {
      const f = await networkHelpers.loadFixture(activeDealFixture);
      const { deal, protocol, r } = f;
      await deal.connect(r.servicer).depositCollections(3n * M);
      await reportEach(protocol, r, deal, [0n, 1n, 2n, 3n], 500n * K);

      const [, data] = await deal.checkUpkeep("0x");
      await deal.connect(f.keeper).performUpkeep(data);
      let after = await balances(f);
      // The same data again, by the same keeper or another one: refused, and nobody is paid anything.
      for (const k of [f.keeper, f.keeper2]) {
        await expect(deal.connect(k).performUpkeep(data))
          .to.be.revertedWithCustomError(deal, "WaterfallPeriodAlreadyDistributed")
          .withArgs(0n);
      }
      await expect(deal.connect(f.keeper2).distribute(0n))
        .to.be.revertedWithCustomError(deal, "WaterfallPeriodAlreadyDistributed")
        .withArgs(0n);
      expect(await balances(f)).to.deep.equal(after);
      expect(await deal.nextPeriod()).to.equal(1n);

      // Same after a catch-up of several periods.
      const batch = performData(ethers, 1n, 3n);
      await deal.connect(f.keeper).performUpkeep(batch);
      expect(await deal.nextPeriod()).to.equal(4n);
      after = await balances(f);
      await expect(deal.connect(f.keeper2).performUpkeep(batch))
        .to.be.revertedWithCustomError(deal, "WaterfallPeriodAlreadyDistributed")
        .withArgs(1n);
      expect(await balances(f)).to.deep.equal(after);
    });

    it("test_performUpkeep_twoKeepersRace_exactlyOneIsPaid", async function () {
      const f = await networkHelpers.loadFixture(activeDealFixture);
      const { deal, protocol, r } = f;
      const coin = protocol.stablecoin;
      await deal.connect(r.servicer).depositCollections(M);
      await reportEach(protocol, r, deal, [0n, 1n], 300n * K);

      /** Sends both calls into the same block; returns the receipts in block order. */
      const race = async (calls: (() => Promise<ContractTransactionResponse>)[]) => {
        await ethers.provider.send("evm_setAutomine", [false]);
        try {
          const sent = [];
          for (const c of calls) sent.push(await c());
          await networkHelpers.mine();
          const receipts = await Promise.all(
            sent.map((t) => ethers.provider.getTransactionReceipt(t.hash)),
          );
          expect(new Set(receipts.map((x) => x!.blockNumber)).size).to.equal(1);
          return receipts.map((x) => x!).sort((a, b) => a.index - b.index);
        } finally {
          await ethers.provider.send("evm_setAutomine", [true]);
        }
      };
      const gas = { gasLimit: 3_000_000n };

      // Both keepers saw the same checkUpkeep answer and send the same performData.
      const [, data] = await deal.checkUpkeep("0x");
      let before = [await coin.balanceOf(f.keeper), await coin.balanceOf(f.keeper2)];
      let [winner, loser] = await race([
        () => deal.connect(f.keeper).performUpkeep(data, gas),
        () => deal.connect(f.keeper2).performUpkeep(data, gas),
      ]);
      expect([winner.status, loser.status]).to.deep.equal([1, 0]);
      const paid = (rc: typeof winner) =>
        rc.logs
          .filter((l) => l.address === f.dealAddress)
          .map((l) => deal.interface.parseLog(l)!)
          .filter((l) => l.name === "PeriodDistributed")
          .map((l) => statementFromChain(l.args[1]))
          .map((st) => [st.period, st.keeper, st.keeperBountyPaid]);
      const winnerSigner = winner.from === f.keeper.address ? f.keeper : f.keeper2;
      const loserSigner = winnerSigner === f.keeper ? f.keeper2 : f.keeper;
      expect(loser.from).to.equal(loserSigner.address);
      expect(paid(winner)).to.deep.equal([[0n, winnerSigner.address, 50n * USDC]]);
      expect(paid(loser)).to.deep.equal([]);
      const gained = [
        (await coin.balanceOf(f.keeper)) - before[0],
        (await coin.balanceOf(f.keeper2)) - before[1],
      ];
      expect(gained).to.deep.equal(winnerSigner === f.keeper ? [50n * USDC, 0n] : [0n, 50n * USDC]);
      // The loser's call, replayed on the state it met, fails because the period was distributed.
      await expect(deal.connect(loserSigner).performUpkeep.staticCall(data))
        .to.be.revertedWithCustomError(deal, "WaterfallPeriodAlreadyDistributed")
        .withArgs(0n);
      expect(await deal.nextPeriod()).to.equal(1n);

      // The same race between distribute and performUpkeep for period 1.
      before = [await coin.balanceOf(f.keeper), await coin.balanceOf(f.keeper2)];
      [winner, loser] = await race([
        () => deal.connect(f.keeper2).distribute(1n, gas),
        () => deal.connect(f.keeper).performUpkeep(performData(ethers, 1n, 1n), gas),
      ]);
      expect([winner.status, loser.status]).to.deep.equal([1, 0]);
      expect(paid(winner).length + paid(loser).length).to.equal(1);
      const total =
        (await coin.balanceOf(f.keeper)) -
        before[0] +
        ((await coin.balanceOf(f.keeper2)) - before[1]);
      expect(total).to.equal(50n * USDC);
      expect(await deal.nextPeriod()).to.equal(2n);
    });

    it("test_keeperBounty_zero_announcedNotTransferred", async function () {
      const f = await buildDeal((t) => (t.keeperBounty = 0n));
      await activateDeal(networkHelpers, f.protocol, f.r, f.h);
      const { deal, protocol, r } = f;
      expect(await deal.keeperBounty()).to.equal(0n);
      await deal.connect(r.servicer).depositCollections(400n * K);
      await networkHelpers.time.increaseTo(await deal.periodEnd(0));
      await submitReport(ethers, networkHelpers, protocol, r, deal, 0n, 300n * K);
      const tx = deal.connect(f.keeper).performUpkeep(performData(ethers, 0n, 1n));
      expect(keeperPaidIn(deal, await deal.getAddress(), (await (await tx).wait())!)).to.deep.equal(
        [[0n, f.keeper.address, 0n]],
      );
      await expect(tx).to.changeTokenBalance(ethers, protocol.stablecoin, f.keeper, 0n);
      // No transfer to the keeper at all, not even of zero.
      const coinAddress = await protocol.stablecoin.getAddress();
      const transfersToKeeper = (await (await tx).wait())!.logs
        .filter((l) => l.address === coinAddress)
        .map((l) => protocol.stablecoin.interface.parseLog(l)!)
        .filter((l) => l.name === "Transfer" && l.args.to === f.keeper.address);
      expect(transfersToKeeper).to.deep.equal([]);
    });

    it("test_distribute_unreported_everyCollectionIsCash_linkedCouponAtFloor", async function () {
      // One unreported period checked with the chai event matchers directly.
      const f = await networkHelpers.loadFixture(activeLowSlopeDealFixture);
      const { deal, r, protocol, h, dealAddress } = f;
      await deal.connect(r.servicer).depositCollections(400n * K);
      await markUnreported(networkHelpers, protocol, deal, 0n, f.outsider);
      expect(await protocol.oracle.reportState(dealAddress, 0n)).to.equal(3n);
      const seniorInterest = 39_452_054_794n;
      const mezzInterest = periodInterestDown(2n * M, (8n * WAD) / 100n, PERIOD); // the floor, not 9.6 % (U = 0)
      const juniorInterest = periodInterestDown(M, (14n * WAD) / 100n, PERIOD);
      const bounty = 50n * USDC;
      const servicerFee = 4n * K; // 1 % of every collection: 400 000
      const residual =
        400n * K +
        30n * K -
        bounty -
        2n * K -
        servicerFee -
        seniorInterest -
        mezzInterest -
        juniorInterest;
      const tx = deal.connect(f.keeper).distribute(0n);
      await expect(tx).to.emit(deal, "ReportMissed").withArgs(0n, 1n);
      await expect(tx)
        .to.emit(deal, "ReserveReleased")
        .withArgs(0n, 30n * K, 150n * K);
      expect(keeperPaidIn(deal, await deal.getAddress(), (await (await tx).wait())!)).to.deep.equal(
        [[0n, f.keeper.address, bounty]],
      );
      await expect(tx).to.not.emit(protocol.oracle, "ReportFinalized");
      await expect(tx)
        .to.emit(deal, "PeriodDistributed")
        .withArgs(0n, [
          0n,
          false,
          400n * K,
          30n * K,
          0n,
          bounty,
          2n * K,
          servicerFee,
          [seniorInterest, mezzInterest, juniorInterest],
          0n,
          [0n, 0n, 0n],
          residual,
          0n,
          0n,
          0n,
          150n * K,
          BigInt(DealStatus.Active),
          metricsToArray(
            referenceMetrics({
              outcome: UNREPORTED,
              cash: 400n * K,
              feesDue: bounty + 2n * K + servicerFee,
              reserve: 180n * K,
              reserveTarget: 150n * K,
              pledgedShareBps: 10_000,
              outstanding: [6n * M, 2n * M, M],
              interestDue: [seniorInterest, mezzInterest, juniorInterest],
              principalDue: [0n, 0n, 0n],
              history: [],
              trailingPeriods: 3,
            }),
          ),
          f.keeper.address,
          0n,
          0n,
          [seniorInterest, mezzInterest, juniorInterest],
          [6n * M, 2n * M, M],
          await h.tokens[3].getAddress(),
          0n,
          // No site, no tenants: no rent in or out.
          0n,
          0n,
          0n,
        ]);
      // The fees are credited to the trustee and the servicer, who withdraw them.
      expect(await deal.feesOwed()).to.deep.equal([2n * K, servicerFee]);
      await expect(tx).to.changeTokenBalance(ethers, protocol.stablecoin, f.keeper, bounty);
      expect(await deal.undistributedCollections()).to.equal(0n);
      expect(await deal.missedReports()).to.equal(1n);
    });
  });
});
