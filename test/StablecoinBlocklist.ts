/**
 * A stablecoin that blocklists accounts and pauses, as USDC and USDT can (contracts/mocks/BlocklistStablecoin.sol).
 * Nothing the deal owes a single party is pushed to it: the issuer's offering proceeds and residual, and the fees,
 * are credited and withdrawn, so a blocklisted issuer, trustee, servicer, keeper or holder stops nobody else — closes,
 * refunds, distributions and other holders' claims go on — and waits, its cash intact, until it may be paid. A paused
 * coin stops every transfer; each refused call changes nothing and succeeds once the coin resumes.
 */
import { expect } from "chai";
import { network } from "hardhat";

import type { BlocklistStablecoin } from "../types/ethers-contracts/index.js";
import {
  DAY,
  USDC,
  activateDeal,
  createDeal,
  deployProtocol,
  roles,
  standardTermSheet,
  submitReport,
  subscribe,
} from "./helpers/fixtures.js";

const { ethers, networkHelpers } = await network.create();
const { time } = networkHelpers;
const K = 1_000n * USDC;
const M = 1_000_000n * USDC;

async function blocklistDeal() {
  const protocol = await deployProtocol(ethers, 6, "BlocklistStablecoin");
  const coin = protocol.stablecoin as unknown as BlocklistStablecoin;
  const r = await roles(ethers);
  const terms = await standardTermSheet(networkHelpers, protocol, r);
  const h = await createDeal(ethers, protocol, terms);
  const s = await ethers.getSigners();
  const dealAddress = await h.deal.getAddress();
  await protocol.stablecoin.mint(r.servicer.address, 1_000_000_000n * USDC);
  await protocol.stablecoin.connect(r.servicer).approve(dealAddress, ethers.MaxUint256);
  return { protocol, coin, r, h, terms, deal: h.deal, dealAddress, keeper: s[17], keeper2: s[18] };
}

type F = Awaited<ReturnType<typeof blocklistDeal>>;

async function activeDeal() {
  const f = await blocklistDeal();
  await activateDeal(networkHelpers, f.protocol, f.r, f.h);
  return f;
}

/** The deal whose equity offering sold nothing: its residual is the issuer's. */
async function noEquityDeal() {
  const f = await blocklistDeal();
  await time.increaseTo(f.terms.offeringOpensAt);
  for (let i = 0; i < 3; i++) {
    await subscribe(f.protocol, f.h.offerings[i], f.r.investors[i], f.terms.tranches[i].faceAmount);
  }
  await time.increaseTo(f.terms.offeringClosesAt);
  for (const o of f.h.offerings) await o.close();
  for (let i = 0; i < 3; i++) {
    await f.h.offerings[i]
      .connect(f.r.investors[i])
      ["deposit(uint256,address)"](f.terms.tranches[i].faceAmount, f.r.investors[i].address);
  }
  return f;
}

/** Deposits `revenue`, has period `p` reported and final. */
async function readyPeriod(f: F, p: number, revenue = 900n * K) {
  if (revenue !== 0n) await f.deal.connect(f.r.servicer).depositCollections(revenue);
  await time.increaseTo(await f.deal.periodEnd(p));
  await submitReport(ethers, networkHelpers, f.protocol, f.r, f.deal, BigInt(p), revenue);
}

describe("Stablecoin blocklist and pause", function () {
  it("test_close_issuerBlocklisted_closeAndRefundsGoOn_proceedsWaitForTheIssuer", async function () {
    const f = await networkHelpers.loadFixture(blocklistDeal);
    const [a, b] = f.r.investors;
    const senior = f.h.offerings[0];
    await time.increaseTo(f.terms.offeringOpensAt);
    await subscribe(f.protocol, senior, a, 4n * M);
    await subscribe(f.protocol, senior, b, 4n * M);
    await f.coin.setBlocklisted(f.r.issuer.address, true);
    await time.increaseTo(f.terms.offeringClosesAt);
    await expect(senior.close()).to.emit(senior, "OfferingClosed");
    // The standard senior sends none of its proceeds to the reserve.
    const proceeds = 6n * M;
    expect(await senior.proceedsOwed()).to.equal(proceeds);
    // Refunds of the oversubscription go on.
    await expect(senior.connect(a).refund(a.address, a.address)).to.changeTokenBalance(
      ethers,
      f.protocol.stablecoin,
      a,
      1n * M,
    );
    await expect(senior.connect(f.r.issuer).withdrawProceeds())
      .to.be.revertedWithCustomError(f.coin, "Blocklisted")
      .withArgs(f.r.issuer.address);
    expect(await senior.proceedsOwed()).to.equal(proceeds);
    await f.coin.setBlocklisted(f.r.issuer.address, false);
    await expect(senior.connect(f.r.issuer).withdrawProceeds())
      .to.emit(senior, "ProceedsWithdrawn")
      .withArgs(f.r.issuer.address, proceeds);
  });

  it("test_withdrawProceeds_revertsForOthersBeforeCloseAfterWithdrawalOnFailureAndWhilePaused", async function () {
    const f = await networkHelpers.loadFixture(blocklistDeal);
    const [senior, , , equity] = f.h.offerings;
    await expect(senior.connect(f.r.issuer).withdrawProceeds())
      .to.be.revertedWithCustomError(senior, "NoProceedsOwed")
      .withArgs(f.r.issuer.address);
    await time.increaseTo(f.terms.offeringOpensAt);
    await subscribe(f.protocol, senior, f.r.investors[0], 6n * M);
    await time.increaseTo(f.terms.offeringClosesAt);
    for (const o of f.h.offerings) await o.close();
    // Nobody bought equity: that offering failed and owes nothing.
    expect(await equity.closed()).to.deep.equal([true, true]);
    await expect(equity.connect(f.r.issuer).withdrawProceeds())
      .to.be.revertedWithCustomError(equity, "NoProceedsOwed")
      .withArgs(f.r.issuer.address);
    for (const caller of [f.r.investors[0], f.r.trustee, f.keeper]) {
      await expect(senior.connect(caller).withdrawProceeds())
        .to.be.revertedWithCustomError(senior, "NoProceedsOwed")
        .withArgs(caller.address);
    }
    await f.deal.connect(f.r.guardian).pause();
    await expect(senior.connect(f.r.issuer).withdrawProceeds()).to.be.revertedWithCustomError(
      senior,
      "OfferingPaused",
    );
    await f.deal.connect(f.r.guardian).unpause();
    await senior.connect(f.r.issuer).withdrawProceeds();
    await expect(senior.connect(f.r.issuer).withdrawProceeds())
      .to.be.revertedWithCustomError(senior, "NoProceedsOwed")
      .withArgs(f.r.issuer.address);
    expect(await f.protocol.stablecoin.balanceOf(await senior.getAddress())).to.equal(0n);
  });

  it("test_distribute_noEquityAndIssuerBlocklisted_residualCreditedThenWithdrawn", async function () {
    const f = await networkHelpers.loadFixture(noEquityDeal);
    await f.coin.setBlocklisted(f.r.issuer.address, true);
    await readyPeriod(f, 0);
    const tx = f.deal.connect(f.keeper).distribute(0n);
    await expect(tx).to.emit(f.deal, "PeriodDistributed");
    const owed = await f.deal.residualOwed();
    expect(owed > 0n).to.equal(true);
    await expect(tx).to.changeTokenBalance(ethers, f.protocol.stablecoin, f.r.issuer, 0n);
    await expect(f.deal.connect(f.r.issuer).withdrawResidual())
      .to.be.revertedWithCustomError(f.coin, "Blocklisted")
      .withArgs(f.r.issuer.address);
    for (const caller of [f.r.trustee, f.keeper, f.r.investors[0]]) {
      await expect(f.deal.connect(caller).withdrawResidual())
        .to.be.revertedWithCustomError(f.deal, "NoResidualOwed")
        .withArgs(caller.address);
    }
    await f.coin.setBlocklisted(f.r.issuer.address, false);
    await f.deal.connect(f.r.guardian).pause();
    await expect(f.deal.connect(f.r.issuer).withdrawResidual()).to.be.revertedWithCustomError(
      f.deal,
      "EnforcedPause",
    );
    await f.deal.connect(f.r.guardian).unpause();
    const w = f.deal.connect(f.r.issuer).withdrawResidual();
    await expect(w).to.emit(f.deal, "ResidualWithdrawn").withArgs(f.r.issuer.address, owed);
    await expect(w).to.changeTokenBalances(
      ethers,
      f.protocol.stablecoin,
      [f.r.issuer.address, f.dealAddress],
      [owed, -owed],
    );
    expect(await f.deal.residualOwed()).to.equal(0n);
    await expect(f.deal.connect(f.r.issuer).withdrawResidual())
      .to.be.revertedWithCustomError(f.deal, "NoResidualOwed")
      .withArgs(f.r.issuer.address);
  });

  it("test_distribute_feeRecipientsBlocklisted_theWaterfallRunsAndTheFeesWait", async function () {
    const f = await networkHelpers.loadFixture(activeDeal);
    await readyPeriod(f, 0);
    await f.coin.setBlocklisted(f.r.trustee.address, true);
    await f.coin.setBlocklisted(f.r.servicer.address, true);
    await expect(f.deal.connect(f.keeper).distribute(0n)).to.emit(f.deal, "PeriodDistributed");
    expect(await f.deal.feesOwed()).to.deep.equal([2n * K, 9n * K]);
    await expect(f.deal.connect(f.r.servicer).withdrawFees())
      .to.be.revertedWithCustomError(f.coin, "Blocklisted")
      .withArgs(f.r.servicer.address);
    await expect(f.deal.connect(f.r.trustee).withdrawFees())
      .to.be.revertedWithCustomError(f.coin, "Blocklisted")
      .withArgs(f.r.trustee.address);
    await f.coin.setBlocklisted(f.r.trustee.address, false);
    await expect(f.deal.connect(f.r.trustee).withdrawFees())
      .to.emit(f.deal, "FeesWithdrawn")
      .withArgs(f.r.trustee.address, 2n * K, 0n);
  });

  it("test_distribute_aBlocklistedKeeperIsRefusedAndAnotherKeeperRunsThePeriod", async function () {
    const f = await networkHelpers.loadFixture(activeDeal);
    await readyPeriod(f, 0);
    await f.coin.setBlocklisted(f.keeper.address, true);
    await expect(f.deal.connect(f.keeper).distribute(0n))
      .to.be.revertedWithCustomError(f.coin, "Blocklisted")
      .withArgs(f.keeper.address);
    expect(await f.deal.nextPeriod()).to.equal(0n);
    await expect(f.deal.connect(f.keeper2).distribute(0n)).to.emit(f.deal, "PeriodDistributed");
    expect(await f.deal.nextPeriod()).to.equal(1n);
  });

  it("test_claim_aBlocklistedHolderWaits_othersClaimAndDistributionsGoOn", async function () {
    const f = await networkHelpers.loadFixture(activeDeal);
    const [seniorHolder, mezzHolder] = f.r.investors;
    await readyPeriod(f, 0);
    await f.deal.connect(f.keeper).distribute(0n);
    await f.coin.setBlocklisted(seniorHolder.address, true);
    const owed = await f.h.tokens[0].claimable(seniorHolder.address);
    await expect(f.h.tokens[0].connect(seniorHolder).claim())
      .to.be.revertedWithCustomError(f.coin, "Blocklisted")
      .withArgs(seniorHolder.address);
    await expect(f.h.tokens[1].connect(mezzHolder).claim()).to.emit(f.h.tokens[1], "Claimed");
    await readyPeriod(f, 1);
    await f.deal.connect(f.keeper).distribute(1n);
    // Its cash stayed accrued and grew with the next period; once allowed, it claims all of it.
    await f.coin.setBlocklisted(seniorHolder.address, false);
    const later = await f.h.tokens[0].claimable(seniorHolder.address);
    expect(later > owed).to.equal(true);
    await expect(f.h.tokens[0].connect(seniorHolder).claim())
      .to.emit(f.h.tokens[0], "Claimed")
      .withArgs(seniorHolder.address, seniorHolder.address, later);
  });

  it("test_coinPaused_aDistributionIsRefusedUnchangedAndRunsOnceTheCoinResumes", async function () {
    const f = await networkHelpers.loadFixture(activeDeal);
    await readyPeriod(f, 0);
    await f.coin.setPaused(true);
    const balance = await f.protocol.stablecoin.balanceOf(f.dealAddress);
    await expect(f.deal.connect(f.keeper).distribute(0n)).to.be.revertedWithCustomError(
      f.coin,
      "CoinPaused",
    );
    expect(await f.deal.nextPeriod()).to.equal(0n);
    expect(await f.deal.undistributedCollections()).to.equal(900n * K);
    expect(await f.protocol.stablecoin.balanceOf(f.dealAddress)).to.equal(balance);
    await f.coin.setPaused(false);
    await time.increase(DAY);
    await expect(f.deal.connect(f.keeper).distribute(0n)).to.emit(f.deal, "PeriodDistributed");
  });
});
