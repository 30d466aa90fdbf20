import { expect } from "chai";

import {
  K,
  M,
  SENIOR_INTEREST,
  WORKED,
  activate,
  buildEquityDeal,
  equityTermSheet,
  ethers,
  networkHelpers,
  runPeriod,
  statementOf,
  statements,
  workedDealFixture,
  type EquityDeal,
} from "../helpers/equity-fixtures.js";
import { DealStatus, deployProtocol, roles, type Protocol } from "../helpers/fixtures.js";
import type { HostileStablecoin } from "../../types/ethers-contracts/index.js";

/** The deal's PeriodDistributed statement in `receipt`. */
function periodStatement(f: EquityDeal, receipt: Awaited<ReturnType<typeof runPeriod>>) {
  for (const log of receipt.logs) {
    try {
      const parsed = f.h.deal.interface.parseLog(log);
      if (parsed?.name === "PeriodDistributed") return parsed.args.statement;
    } catch {
      // another contract's event
    }
  }
  throw new Error("no PeriodDistributed");
}

async function noEquityDealFixture() {
  const protocol = await deployProtocol(ethers);
  const r = await roles(ethers);
  const f = await buildEquityDeal(protocol, r, await equityTermSheet(protocol, r));
  await activate(f, [M, 0n, 0n, 0n]);
  return f;
}

/** The worked example's deal, active, on a stablecoin that calls back on `transferFrom` ({HostileStablecoin}). */
async function hostileActiveFixture() {
  const coin = (await ethers.deployContract("HostileStablecoin")) as unknown as HostileStablecoin;
  const base = await deployProtocol(ethers);
  const protocol = { ...base, stablecoin: coin as unknown as Protocol["stablecoin"] };
  const r = await roles(ethers);
  const f = await buildEquityDeal(protocol, r, await equityTermSheet(protocol, r));
  await activate(f);
  return { ...f, coin };
}

async function defaultedDealFixture() {
  const f = await workedDealFixture();
  await runPeriod(f, 0n, 100n * K);
  // Final period: 500 000 cannot repay the 1 000 000 note.
  await runPeriod(f, 1n, 500n * K);
  return f;
}

describe("EquityWaterfall", function () {
  describe("the deal pays its equity through the waterfall", function () {
    it("test_distribute_residualGoesToTheWaterfall_whichPaysEveryClassToken", async function () {
      const f = await networkHelpers.loadFixture(workedDealFixture);
      const coin = f.protocol.stablecoin;
      const tokens = await Promise.all(f.h.tokens.map((t) => t.getAddress()));
      const before = await Promise.all(tokens.map((t) => coin.balanceOf(t)));
      const dealAddress = await f.h.deal.getAddress();
      const dealBefore = await coin.balanceOf(dealAddress);
      const receipt = await runPeriod(f, 0n, 1_200n * K);
      const st = periodStatement(f, receipt);
      expect(st.residualRecipient).to.equal(f.waterfallAddress);
      const residual = 1_200n * K - SENIOR_INTEREST;
      expect(st.residualPaid).to.equal(residual);
      const s = statementOf(f, receipt);
      expect(s.amount).to.equal(residual);
      // The deal keeps the classes' cash (the period's collections less the note's interest, the only other
      // payment: the fees are credited, not paid); the waterfall holds none; each class token announced its
      // payment and holds none either.
      expect(await coin.balanceOf(f.waterfallAddress)).to.equal(0n);
      expect((await coin.balanceOf(dealAddress)) - dealBefore).to.be.greaterThanOrEqual(residual);
      expect(
        await coin.balanceOf(dealAddress),
        "the deal holds at least the classes' cash and its fees owed",
      ).to.be.greaterThanOrEqual(residual + (await f.h.deal.feesOwed()).reduce((a, b) => a + b, 0n));
      for (let j = 0; j < 3; j++) {
        const paid = s.paid[j] + s.paid[3 + j] + s.paid[6 + j] + s.paid[9 + j] + s.paid[12 + j];
        expect(await coin.balanceOf(tokens[1 + j])).to.equal(before[1 + j]);
        expect(await f.h.tokens[1 + j].distributed()).to.equal(paid);
      }
      await expect(receipt.hash)
        .to.emit(f.waterfall, "EquityStarted")
        .withArgs([M, 2n * M, 100n * K], f.h.terms.start);
      // Started once: the next distribution accrues from where this one left off.
      const next = await runPeriod(f, 1n, 1_500n * K);
      await expect(next.hash).to.not.emit(f.waterfall, "EquityStarted");
      expect(statementOf(f, next).time).to.equal(await f.h.deal.periodEnd(1n));
    });

    it("test_distribute_revertsNotDeal", async function () {
      const f = await networkHelpers.loadFixture(workedDealFixture);
      await expect(f.waterfall.connect(f.outsider).distribute(1n, 0n))
        .to.be.revertedWithCustomError(f.waterfall, "NotDeal")
        .withArgs(f.outsider.address);
      await expect(f.waterfall.connect(f.r.issuer).distribute(1n, 0n))
        .to.be.revertedWithCustomError(f.waterfall, "NotDeal")
        .withArgs(f.r.issuer.address);
    });

    it("test_claims_ofEveryClass_arePaidByTheDeal_whichKeepsOnlyTheIndexDust", async function () {
      const f = await networkHelpers.loadFixture(workedDealFixture);
      const coin = f.protocol.stablecoin;
      await runPeriod(f, 0n, 1_200n * K);
      await runPeriod(f, 1n, 1_500n * K);
      const dealAddress = await f.h.deal.getAddress();
      const held = await coin.balanceOf(dealAddress);
      let distributed = 0n;
      for (let j = 1; j < 4; j++) distributed += await f.h.tokens[j].distributed();
      let claimed = 0n;
      for (let j = 1; j < 4; j++) {
        const token = f.h.tokens[j];
        const holder = f.r.investors[j];
        const claimable = await token.claimable(holder.address);
        // One holder per class: it is owed its class's payments less the index's rounding (under one unit a payment).
        expect((await token.distributed()) - claimable).to.be.within(0n, 2n);
        if (claimable == 0n) continue;
        const before = await coin.balanceOf(holder.address);
        await expect(token.connect(holder).claim())
          .to.emit(token, "Claimed")
          .withArgs(holder.address, holder.address, claimable);
        expect((await coin.balanceOf(holder.address)) - before).to.equal(claimable);
        claimed += claimable;
        await expect(token.connect(holder).claim()).to.be.revertedWithCustomError(token, "NothingToClaim");
      }
      expect(claimed).to.be.greaterThan(0n);
      // The deal paid exactly the claims; what stays of the classes' cash is the dust of their indexes: its home is
      // the deal, never a class's holders.
      expect(await coin.balanceOf(dealAddress)).to.equal(held - claimed);
      expect(distributed - claimed).to.be.within(0n, 6n);
      expect(await coin.balanceOf(f.waterfallAddress)).to.equal(0n);
    });

    it("test_payClaim_revertsNotClassToken", async function () {
      const f = await networkHelpers.loadFixture(workedDealFixture);
      await runPeriod(f, 0n, 1_200n * K);
      const dealAddress = await f.h.deal.getAddress();
      const note = await f.h.tokens[0].getAddress();
      const held = await f.protocol.stablecoin.balanceOf(dealAddress);
      for (const who of [f.outsider.address, f.r.issuer.address, f.waterfallAddress, note]) {
        const signer = await ethers.getImpersonatedSigner(who);
        await networkHelpers.setBalance(who, 10n ** 18n);
        await expect(f.h.deal.connect(signer).payClaim(who, 1n))
          .to.be.revertedWithCustomError(f.h.deal, "NotClassToken")
          .withArgs(who);
      }
      expect(await f.protocol.stablecoin.balanceOf(dealAddress)).to.equal(held);
      // A class token is paid: the deal pays whatever the token asks (the token pays only what its index announced).
      const classToken = await f.h.tokens[3].getAddress();
      const signer = await ethers.getImpersonatedSigner(classToken);
      await networkHelpers.setBalance(classToken, 10n ** 18n);
      await f.h.deal.connect(signer).payClaim(f.outsider.address, 1n);
      expect(await f.protocol.stablecoin.balanceOf(f.outsider.address)).to.equal(1n);
    });

    it("test_payClaim_duringADealCall_revertsReentrancyGuardReentrantCall", async function () {
      const f = await networkHelpers.loadFixture(hostileActiveFixture);
      const dealAddress = await f.h.deal.getAddress();
      // The stablecoin calls back into the deal while the deal's deposit is pulling it.
      await f.coin.setReentry(
        dealAddress,
        f.h.deal.interface.encodeFunctionData("payClaim", [f.outsider.address, 1n]),
      );
      await f.coin.mint(f.r.servicer.address, K);
      await f.coin.connect(f.r.servicer).approve(dealAddress, K);
      await expect(
        f.h.deal.connect(f.r.servicer).depositCollections(K),
      ).to.be.revertedWithCustomError(f.h.deal, "ReentrancyGuardReentrantCall");
    });

    it("test_classTokens_takeDistributionsFromTheWaterfallOnly_notesFromTheDeal", async function () {
      const f = await networkHelpers.loadFixture(workedDealFixture);
      const dealAddress = await f.h.deal.getAddress();
      expect(await f.h.tokens[0].distributor()).to.equal(dealAddress);
      for (let i = 1; i < 4; i++)
        expect(await f.h.tokens[i].distributor()).to.equal(f.waterfallAddress);
      expect((await f.h.tokens[1].params()).distributor).to.equal(f.waterfallAddress);
      const deal = await ethers.getImpersonatedSigner(dealAddress);
      await networkHelpers.setBalance(dealAddress, 10n ** 18n);
      await expect(f.h.tokens[1].connect(deal).distribute(1n))
        .to.be.revertedWithCustomError(f.h.tokens[1], "NotDistributor")
        .withArgs(dealAddress);
      const waterfall = await ethers.getImpersonatedSigner(f.waterfallAddress);
      await networkHelpers.setBalance(f.waterfallAddress, 10n ** 18n);
      await expect(f.h.tokens[0].connect(waterfall).distribute(1n))
        .to.be.revertedWithCustomError(f.h.tokens[0], "NotDistributor")
        .withArgs(f.waterfallAddress);
    });

    it("test_factory_createsTheWaterfall_withTheDealsTermsAndClassTokens", async function () {
      const f = await networkHelpers.loadFixture(workedDealFixture);
      expect(await f.waterfall.deal()).to.equal(await f.h.deal.getAddress());
      expect(await f.waterfall.stablecoin()).to.equal(await f.protocol.stablecoin.getAddress());
      expect(await f.waterfall.classCount()).to.equal(3n);
      const t = await f.waterfall.terms();
      expect(t.sponsorClass).to.equal(BigInt(WORKED.sponsorClass));
      expect(
        t.tiers.map((x) => [
          Number(x.kind),
          Number(x.classes),
          x.byRank,
          x.compounding,
          Number(x.sponsorBps),
          Number(x.targetBps),
          x.rate,
        ]),
      ).to.deep.equal(
        WORKED.tiers.map((x) => [
          x.kind,
          x.classes,
          x.byRank,
          x.compounding,
          x.sponsorBps,
          x.targetBps,
          x.rate,
        ]),
      );
      // The factory announced it, after the deal, at the address it predicted.
      const [log] = await f.protocol.factory.queryFilter(
        f.protocol.factory.filters.EquityWaterfallCreated(),
      );
      expect(log.args.deal).to.equal(await f.h.deal.getAddress());
      expect(log.args.waterfall).to.equal(f.waterfallAddress);
      expect(await f.protocol.factory.equityWaterfallImplementation()).to.not.equal(
        ethers.ZeroAddress,
      );
    });

    it("test_noEquityIssued_theResidualIsCreditedToTheIssuer", async function () {
      const f = await networkHelpers.loadFixture(noEquityDealFixture);
      expect(await f.waterfall.totalSupply()).to.equal(0n);
      const receipt = await runPeriod(f, 0n, 1_200n * K);
      const st = periodStatement(f, receipt);
      expect(st.residualRecipient).to.equal(f.r.issuer.address);
      expect(await f.h.deal.residualOwed()).to.equal(1_200n * K - SENIOR_INTEREST);
      expect(statements(f, receipt)).to.deep.equal([]);
      expect(await f.waterfall.lastAccrual()).to.equal(0n);
    });

    it("test_finalMaturity_writesOffEveryEquityClass", async function () {
      const f = await networkHelpers.loadFixture(defaultedDealFixture);
      expect(await f.h.deal.status()).to.equal(BigInt(DealStatus.Defaulted));
      const faces = [M, 2n * M, 100n * K];
      for (let j = 0; j < 3; j++) {
        const info = await f.h.deal.tranche(BigInt(1 + j));
        expect(info.writtenDown).to.equal(faces[j]);
        expect(info.issued).to.equal(faces[j]);
      }
      const filter = f.h.deal.filters.PrincipalWrittenDown();
      const logs = await f.h.deal.queryFilter(filter);
      expect(logs.map((l) => [l.args.tranche, l.args.amount])).to.deep.include.members([
        [1n, M],
        [2n, 2n * M],
        [3n, 100n * K],
      ]);
    });

    it("test_recoveriesAfterDefault_payTheNoteThenTheWaterfall", async function () {
      const f = await networkHelpers.loadFixture(defaultedDealFixture);
      const note = await f.h.deal.tranche(0n);
      const owed = note.writtenDown + note.arrears;
      const extra = 50n * K;
      await f.protocol.stablecoin.mint(f.r.trustee.address, owed + extra);
      await f.protocol.stablecoin
        .connect(f.r.trustee)
        .approve(await f.h.deal.getAddress(), owed + extra);
      const tx = await f.h.deal.connect(f.r.trustee).depositRecoveries(owed + extra);
      await expect(tx)
        .to.emit(f.h.deal, "RecoveriesDeposited")
        .withArgs(f.r.trustee.address, owed + extra, owed, extra, f.waterfallAddress);
      const s = statementOf(f, (await tx.wait())!);
      expect(s.amount).to.equal(extra);
      // Dated at the end of the deal's last period.
      expect(s.time).to.equal(await f.h.deal.periodEnd(1n));
    });

    it("test_cleanUpCall_residualToTheWaterfall_quoteHasOneInterestPerNote", async function () {
      const protocol = await deployProtocol(ethers);
      const r = await roles(ethers);
      const terms = await equityTermSheet(protocol, r, WORKED, (t) => {
        t.risk = { ...t.risk, cleanUpBps: 10_000 };
      });
      const f = await buildEquityDeal(protocol, r, terms);
      await activate(f);
      await f.h.deal.connect(f.r.servicer).depositCollections(3n * M);
      const risk = await ethers.getContractAt("RiskEngine", await f.h.deal.riskEngine());
      const quote = await risk.cleanUpQuote();
      expect(quote.interest.length).to.equal(1);
      expect(quote.allowed).to.equal(true);
      const tx = await f.h.deal.connect(f.r.issuer).cleanUpCall();
      const s = statementOf(f, (await tx.wait())!);
      await expect(tx).to.emit(f.h.deal, "CleanUpCalled");
      expect(await f.h.deal.status()).to.equal(BigInt(DealStatus.Repaid));
      // Before any period ended: dated at the deal's start (no accrual), all of it returns capital.
      expect(s.time).to.equal(f.h.terms.start);
      expect(s.prefOwed).to.deep.equal([0n, 0n, 0n]);
      expect(s.paid.slice(0, 3).reduce((a, b) => a + b, 0n)).to.equal(s.amount);
      expect(s.amount).to.be.greaterThan(M);
    });
  });
});
