import { expect } from "chai";

import { DAY, DealStatus, PERIOD, WAD, fixedNote } from "../helpers/fixtures.js";
import {
  K,
  M,
  YEAR,
  activate,
  buildRiskDeal,
  periodInterestDown,
  runPeriod,
  type RiskFixture,
} from "../helpers/risk-fixtures.js";
import {
  ethers,
  networkHelpers,
  SENIOR_RATE,
  JUNIOR_RATE,
  DSCR_DEFAULT,
  acceleratedDeal,
} from "../helpers/risk-engine-fixtures.js";

describe("RiskEngine", function () {
  describe("clean-up call, write-downs and recoveries", function () {
    /**
     * A deal callable at any time (clean-up at 100 % of senior face) after period 0, with 5 M of recoveries held in its
     * recovery account.
     */
    async function callableNow() {
      const f = await buildRiskDeal(ethers, networkHelpers, "none", (t) => {
        t.risk = { ...t.risk, cleanUpBps: 10_000 };
      });
      await activate(networkHelpers, f);
      await runPeriod(ethers, networkHelpers, f, 0, { revenue: 900n * K });
      await f.protocol.stablecoin.mint(f.r.issuer.address, 10n * M);
      await f.protocol.stablecoin.connect(f.r.issuer).approve(f.dealAddress, ethers.MaxUint256);
      await f.deal.connect(f.r.issuer).depositRecoveries(5n * M);
      return f;
    }

    /** The payoff of a clean-up call at `at`: interest accrued since the current period began, plus principal. */
    async function quoteAt(f: RiskFixture, at: bigint) {
      const start = (await f.deal.periodEnd(await f.deal.nextPeriod())) - PERIOD;
      const elapsed = at - start;
      const notes = [await f.deal.tranche(0), await f.deal.tranche(1)];
      const interest = notes.map(
        (t, i) =>
          t.arrears + (t.outstanding * [SENIOR_RATE, JUNIOR_RATE][i] * elapsed) / (WAD * YEAR),
      );
      const [trusteeArrears, servicerArrears] = await f.deal.feeArrears();
      const payoff =
        trusteeArrears +
        servicerArrears +
        interest[0] +
        interest[1] +
        notes[0].outstanding +
        notes[1].outstanding;
      return { interest, principal: notes.map((t) => t.outstanding), payoff };
    }

    it("test_cleanUpCall_issuerBringsTheShortfallAndTheNotesGetExactlyTheQuote", async function () {
      const f = await networkHelpers.loadFixture(callableNow);
      const q = await f.engine.cleanUpQuote();
      expect([q.seniorOutstanding, q.threshold]).to.deep.equal([6n * M, 6n * M]);
      expect(await f.engine.cleanUpCallable()).to.equal(true);
      const at = BigInt(await networkHelpers.time.latest()) + 3n * DAY;
      await networkHelpers.time.setNextBlockTimestamp(at);
      const expected = await quoteAt(f, at);
      // The reserve and the recovery account pay first; no collections.
      const held = 150n * K + 5n * M;
      expect(await f.deal.undistributedCollections()).to.equal(0n);
      const fromIssuer = expected.payoff - held;
      const tx = f.deal.connect(f.r.issuer).cleanUpCall();
      await expect(tx)
        .to.emit(f.deal, "CleanUpCalled")
        .withArgs(f.r.issuer.address, expected.payoff, held, fromIssuer, 0n, f.tokenAddresses[2]);
      await expect(tx)
        .to.emit(f.deal, "NoteCalled")
        .withArgs(0n, expected.interest[0], expected.principal[0]);
      await expect(tx)
        .to.emit(f.deal, "NoteCalled")
        .withArgs(1n, expected.interest[1], expected.principal[1]);
      await expect(tx)
        .to.emit(f.deal, "StatusChanged")
        .withArgs(DealStatus.Active, DealStatus.Repaid);
      await expect(tx).to.changeTokenBalances(
        ethers,
        f.protocol.stablecoin,
        [f.r.issuer.address, f.dealAddress, ...f.tokenAddresses],
        [
          -fromIssuer,
          -held,
          expected.interest[0] + expected.principal[0],
          expected.interest[1] + expected.principal[1],
          0n,
        ],
      );
      for (const i of [0, 1]) {
        const t = await f.deal.tranche(i);
        expect([t.outstanding, t.arrears]).to.deep.equal([0n, 0n]);
      }
      expect(await f.deal.reserve()).to.deep.equal([0n, 150n * K]);
      expect(await f.deal.recoveries()).to.equal(0n);
      expect(await f.deal.status()).to.equal(BigInt(DealStatus.Repaid));
    });

    it("test_cleanUpCall_residualOfTheDealsCashGoesToEquity", async function () {
      const f = await networkHelpers.loadFixture(callableNow);
      await f.deal.connect(f.r.servicer).depositCollections(4n * M);
      const at = BigInt(await networkHelpers.time.latest()) + 11n * DAY;
      await networkHelpers.time.setNextBlockTimestamp(at);
      const expected = await quoteAt(f, at);
      const held = 4n * M + 150n * K + 5n * M;
      const residual = held - expected.payoff;
      const tx = f.deal.connect(f.r.issuer).cleanUpCall();
      await expect(tx)
        .to.emit(f.deal, "CleanUpCalled")
        .withArgs(
          f.r.issuer.address,
          expected.payoff,
          expected.payoff,
          0n,
          residual,
          f.tokenAddresses[2],
        );
      await expect(tx).to.emit(f.tokens[2], "Distributed");
      await expect(tx).to.changeTokenBalances(
        ethers,
        f.protocol.stablecoin,
        [f.r.issuer.address, f.dealAddress, ...f.tokenAddresses],
        [
          0n,
          -held,
          expected.interest[0] + expected.principal[0],
          expected.interest[1] + expected.principal[1],
          residual,
        ],
      );
      // Only the fees credited to the trustee and the servicer stay, until they withdraw them.
      expect(await f.protocol.stablecoin.balanceOf(f.dealAddress)).to.equal(
        (await f.deal.feesOwed()).reduce((a, b) => a + b, 0n),
      );
    });

    it("test_writeDown_bottomUpEquityFirstWithPerTokenViews", async function () {
      const f = await networkHelpers.loadFixture(acceleratedDeal);
      const senior = (await f.deal.tranche(0)).outstanding;
      // Period 0 ran accelerated: the whole reserve and the cash after fees and senior interest repaid senior principal.
      const s0 = f.run0.statement;
      expect(s0.reserveReleased).to.equal(180n * K);
      expect(senior).to.equal(6n * M - s0.principalPaid[0]);
      const cut = 2n * M + 1n * M;
      const tx = f.deal.connect(f.r.trustee).writeDown(cut);
      await expect(tx)
        .to.emit(f.deal, "PrincipalWrittenDown")
        .withArgs(2n, 1n * M, 0n, 1n * M);
      await expect(tx)
        .to.emit(f.deal, "PrincipalWrittenDown")
        .withArgs(1n, 2n * M, 0n, 2n * M);
      await expect(tx)
        .to.emit(f.deal, "PrincipalWrittenDown")
        .withArgs(0n, 1n * M, senior - 1n * M, 1n * M);
      const receipt = (await (await tx).wait())!;
      const order = receipt.logs
        .map((l) => f.deal.interface.parseLog(l))
        .filter((l) => l?.name === "PrincipalWrittenDown")
        .map((l) => l!.args[0] as bigint);
      expect(order).to.deep.equal([2n, 1n, 0n]);
      expect(Array.from(await f.engine.writtenDown(0))).to.deep.equal([
        1n * M,
        (1n * M * WAD) / (6n * M),
      ]);
      expect(Array.from(await f.engine.writtenDown(1))).to.deep.equal([2n * M, WAD]);
      expect(Array.from(await f.engine.writtenDown(2))).to.deep.equal([1n * M, WAD]);
      // A second write-down does not write equity off again.
      await expect(f.deal.connect(f.r.trustee).writeDown(1n))
        .to.emit(f.deal, "PrincipalWrittenDown")
        .withArgs(0n, 1n, senior - 1n * M - 1n, 1n * M + 1n);
      const receipt2 = (await (await f.deal.connect(f.r.trustee).writeDown(1n)).wait())!;
      expect(receipt2.logs.length).to.equal(1);
      expect(await f.deal.factor(0)).to.equal(((senior - 1n * M - 2n) * WAD) / (6n * M));

      // Recoveries of a running deal are held in its recovery account: nothing is repaid before a distribution
      // applies them (test/Recoveries.ts), so a write-down waits for them too.
      await f.protocol.stablecoin.mint(f.outsider.address, 10n * K);
      await f.protocol.stablecoin.connect(f.outsider).approve(f.dealAddress, 10n * K);
      const rtx = f.deal.connect(f.outsider).depositRecoveries(10n * K);
      await expect(rtx)
        .to.emit(f.deal, "RecoveriesDeposited")
        .withArgs(f.outsider.address, 10n * K, 0n, 10n * K, f.dealAddress);
      await expect(rtx).not.to.emit(f.deal, "RecoveryApplied");
      await expect(rtx).to.changeTokenBalances(
        ethers,
        f.protocol.stablecoin,
        [f.dealAddress, ...f.tokenAddresses],
        [10n * K, 0n, 0n, 0n],
      );
      expect((await f.deal.tranche(0)).outstanding).to.equal(senior - 1n * M - 2n);
      expect(await f.deal.recoveries()).to.equal(10n * K);
      await expect(f.deal.connect(f.r.trustee).writeDown(1n))
        .to.be.revertedWithCustomError(f.deal, "RecoveriesNotExhausted")
        .withArgs(0n, 0n, 10n * K);
    });

    /**
     * A three-period deal with bullet notes whose collections never cover them: accelerated at period 0 (DSCR < 1),
     * so the junior's coupons are deferred; at maturity 20 000 does not even cover the senior coupon: Defaulted.
     */
    async function defaultedDeal() {
      const f = await buildRiskDeal(ethers, networkHelpers, "none", (t) => {
        t.periodCount = 3;
        t.tranches[0] = { ...fixedNote("Senior", 6n * M, SENIOR_RATE), reserveFundingBps: 300 };
        t.risk = { ...t.risk, triggers: [DSCR_DEFAULT] };
      });
      await activate(networkHelpers, f);
      const runs = [];
      for (const [p, revenue] of [50n * K, 50n * K, 20n * K].entries()) {
        runs.push(await runPeriod(ethers, networkHelpers, f, p, { revenue }));
      }
      return { ...f, runs };
    }

    it("test_depositRecoveries_afterDefaultPayWrittenDownPrincipalAndArrearsTopDownThenEquity", async function () {
      const f = await networkHelpers.loadFixture(defaultedDeal);
      expect(await f.deal.status()).to.equal(BigInt(DealStatus.Defaulted));
      const [s, j] = [await f.deal.tranche(0), await f.deal.tranche(1)];
      expect([s.outstanding, j.outstanding]).to.deep.equal([0n, 0n]);
      expect(j.writtenDown).to.equal(2n * M);
      // Only the first two periods repaid senior principal; the rest of every note was written off at maturity.
      expect(f.runs.map((r) => r.statement.mode)).to.deep.equal([
        DealStatus.Accelerated,
        DealStatus.Accelerated,
        DealStatus.Accelerated,
      ]);
      expect(f.runs[2].statement.principalPaid).to.deep.equal([0n, 0n]);
      const paid = f.runs.reduce((a, r) => a + r.statement.principalPaid[0], 0n);
      expect(s.writtenDown).to.equal(6n * M - paid);
      expect((await f.deal.tranche(2)).writtenDown).to.equal(1n * M);
      expect(j.arrears).to.equal(3n * periodInterestDown(2n * M, JUNIOR_RATE, PERIOD));
      const seniorDue = periodInterestDown(6n * M - paid, SENIOR_RATE, PERIOD);
      expect(s.arrears).to.equal(seniorDue - f.runs[2].statement.interestPaid[0]);
      expect(s.arrears).to.be.greaterThan(0n);
      await f.protocol.stablecoin.mint(f.outsider.address, 20n * M);
      await f.protocol.stablecoin.connect(f.outsider).approve(f.dealAddress, ethers.MaxUint256);

      // First: the senior's written-down principal and its arrears, then 300 000 of the junior's principal.
      const first = s.writtenDown + s.arrears + 300n * K;
      let tx = f.deal.connect(f.outsider).depositRecoveries(first);
      await expect(tx)
        .to.emit(f.deal, "RecoveryApplied")
        .withArgs(0n, 0n, s.writtenDown, s.arrears, 0n, 0n);
      await expect(tx)
        .to.emit(f.deal, "RecoveryApplied")
        .withArgs(1n, 0n, 300n * K, 0n, 0n, 2n * M - 300n * K);
      await expect(tx)
        .to.emit(f.deal, "RecoveriesDeposited")
        .withArgs(f.outsider.address, first, first, 0n, f.tokenAddresses[2]);
      await expect(tx).to.changeTokenBalances(
        ethers,
        f.protocol.stablecoin,
        [f.dealAddress, ...f.tokenAddresses],
        [0n, s.writtenDown + s.arrears, 300n * K, 0n],
      );
      // Then the junior's remaining principal and its arrears; the rest goes to equity.
      const rest = 77n * K;
      const second = 2n * M - 300n * K + j.arrears + rest;
      tx = f.deal.connect(f.outsider).depositRecoveries(second);
      await expect(tx)
        .to.emit(f.deal, "RecoveryApplied")
        .withArgs(1n, 0n, 2n * M - 300n * K, j.arrears, 0n, 0n);
      await expect(tx)
        .to.emit(f.deal, "RecoveriesDeposited")
        .withArgs(f.outsider.address, second, second - rest, rest, f.tokenAddresses[2]);
      await expect(tx).to.changeTokenBalances(
        ethers,
        f.protocol.stablecoin,
        [f.dealAddress, ...f.tokenAddresses],
        [0n, 0n, 2n * M - 300n * K + j.arrears, rest],
      );
      const after = [await f.deal.tranche(0), await f.deal.tranche(1)];
      expect(after.map((t) => [t.writtenDown, t.arrears])).to.deep.equal([
        [0n, 0n],
        [0n, 0n],
      ]);
      expect(await f.deal.status()).to.equal(BigInt(DealStatus.Defaulted));
    });
  });
});
