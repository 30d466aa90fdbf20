import { expect } from "chai";

import type { BlocklistStablecoin, HostileStablecoin } from "../../types/ethers-contracts/index.js";
import {
  K,
  M,
  WORKED,
  capitalEvent,
  ethers,
  networkHelpers,
  repaidDeal,
  statementOf,
  workedDealFixture,
  type EquityDeal,
} from "../helpers/equity-fixtures.js";
import { DAY, DealStatus, USDC, type Protocol } from "../helpers/fixtures.js";

async function repaidWorkedFixture() {
  return repaidDeal(WORKED);
}

async function hostileFixture() {
  const coin = (await ethers.deployContract("HostileStablecoin")) as unknown as HostileStablecoin;
  const f = await repaidDeal(WORKED, { coin: coin as unknown as Protocol["stablecoin"] });
  return { ...f, coin };
}

async function blocklistFixture() {
  const coin = (await ethers.deployContract("BlocklistStablecoin", [
    "USD Coin",
    "USDC",
    6,
  ])) as unknown as BlocklistStablecoin;
  const f = await repaidDeal(WORKED, { coin: coin as unknown as Protocol["stablecoin"] });
  return { ...f, coin };
}

/** Mints `amount` to `who` and approves the waterfall for it. */
async function fund(f: EquityDeal, who: { address: string }, amount: bigint) {
  await f.protocol.stablecoin.mint(who.address, amount);
  const signer = await ethers.getSigner(who.address);
  await f.protocol.stablecoin.connect(signer).approve(f.waterfallAddress, amount);
}

describe("EquityWaterfall", function () {
  describe("depositCapitalEvent", function () {
    it("test_depositCapitalEvent_issuerOrServicer_pullsAndDistributesDatedNow", async function () {
      const f = await networkHelpers.loadFixture(repaidWorkedFixture);
      const coin = f.protocol.stablecoin;
      const at = f.h.terms.start + 90n * DAY;
      const dealAddress = await f.h.deal.getAddress();
      const held = await coin.balanceOf(dealAddress);
      await fund(f, f.r.issuer, M);
      await networkHelpers.time.setNextBlockTimestamp(at);
      const tx = await f.waterfall.connect(f.r.issuer).depositCapitalEvent(M);
      await expect(tx)
        .to.emit(f.waterfall, "CapitalEventDeposited")
        .withArgs(f.r.issuer.address, M);
      const s = statementOf(f, (await tx.wait())!);
      expect([s.capitalEvent, s.time, s.amount, s.period]).to.deep.equal([true, at, M, 0n]);
      expect(await coin.balanceOf(f.r.issuer.address)).to.equal(0n);
      // The deal holds the classes' cash until their holders claim it; the waterfall holds none.
      expect((await coin.balanceOf(dealAddress)) - held).to.equal(M);
      expect(await coin.balanceOf(f.waterfallAddress)).to.equal(0n);
      // The servicer may deposit too.
      await fund(f, f.r.servicer, 10n * K);
      await expect(f.waterfall.connect(f.r.servicer).depositCapitalEvent(10n * K))
        .to.emit(f.waterfall, "CapitalEventDeposited")
        .withArgs(f.r.servicer.address, 10n * K);
    });

    it("test_depositCapitalEvent_revertsNotCapitalEventDepositor", async function () {
      const f = await networkHelpers.loadFixture(repaidWorkedFixture);
      for (const who of [f.outsider, f.r.trustee, f.r.guardian, f.r.investors[1]]) {
        await fund(f, who, M);
        await expect(f.waterfall.connect(who).depositCapitalEvent(M))
          .to.be.revertedWithCustomError(f.waterfall, "NotCapitalEventDepositor")
          .withArgs(who.address);
      }
    });

    it("test_depositCapitalEvent_revertsZeroAmount", async function () {
      const f = await networkHelpers.loadFixture(repaidWorkedFixture);
      await expect(
        f.waterfall.connect(f.r.issuer).depositCapitalEvent(0n),
      ).to.be.revertedWithCustomError(f.waterfall, "ZeroAmount");
    });

    it("test_depositCapitalEvent_revertsDealNotRepaid", async function () {
      const f = await networkHelpers.loadFixture(workedDealFixture);
      await fund(f, f.r.issuer, M);
      await expect(f.waterfall.connect(f.r.issuer).depositCapitalEvent(M))
        .to.be.revertedWithCustomError(f.waterfall, "DealNotRepaid")
        .withArgs(BigInt(DealStatus.Active));
    });

    it("test_depositCapitalEvent_revertsDealPaused_thenRunsOnceUnpaused", async function () {
      const f = await networkHelpers.loadFixture(repaidWorkedFixture);
      await f.h.deal.connect(f.r.guardian).pause();
      await fund(f, f.r.issuer, M);
      await expect(
        f.waterfall.connect(f.r.issuer).depositCapitalEvent(M),
      ).to.be.revertedWithCustomError(f.waterfall, "DealPaused");
      await f.h.deal.connect(f.r.guardian).unpause();
      await expect(f.waterfall.connect(f.r.issuer).depositCapitalEvent(M)).to.emit(
        f.waterfall,
        "EquityDistributed",
      );
    });

    it("test_depositCapitalEvent_revertsNoEquityIssued", async function () {
      const f = await repaidDeal(WORKED, { subscribed: [0n, 0n, 0n] });
      expect(await f.waterfall.totalSupply()).to.equal(0n);
      await fund(f, f.r.issuer, M);
      await expect(
        f.waterfall.connect(f.r.issuer).depositCapitalEvent(M),
      ).to.be.revertedWithCustomError(f.waterfall, "NoEquityIssued");
    });

    it("test_depositCapitalEvent_revertsAbove128Bits", async function () {
      const f = await networkHelpers.loadFixture(repaidWorkedFixture);
      const amount = 1n << 128n;
      await fund(f, f.r.issuer, amount);
      await expect(f.waterfall.connect(f.r.issuer).depositCapitalEvent(amount))
        .to.be.revertedWithCustomError(f.waterfall, "SafeCastOverflowedUintDowncast")
        .withArgs(128n, amount);
    });

    it("test_depositCapitalEvent_feeOnTransferStablecoin_revertsUnsupportedTokenTransfer", async function () {
      const f = await networkHelpers.loadFixture(hostileFixture);
      await fund(f, f.r.issuer, M);
      await f.coin.setFee(true);
      await expect(f.waterfall.connect(f.r.issuer).depositCapitalEvent(M))
        .to.be.revertedWithCustomError(f.waterfall, "UnsupportedTokenTransfer")
        .withArgs(M, M - M / 100n);
      expect(await f.waterfall.lastAccrual()).to.equal(0n);
      // A plain transfer again: accepted.
      await f.coin.setFee(false);
      await expect(f.waterfall.connect(f.r.issuer).depositCapitalEvent(M)).to.emit(
        f.waterfall,
        "EquityDistributed",
      );
    });

    it("test_depositCapitalEvent_reentryFromTheStablecoin_revertsReentrancyGuardReentrantCall", async function () {
      const f = await networkHelpers.loadFixture(hostileFixture);
      await fund(f, f.r.issuer, 2n * M);
      const reenter = f.waterfall.interface.encodeFunctionData("depositCapitalEvent", [M]);
      await f.coin.setReentry(f.waterfallAddress, reenter);
      await expect(
        f.waterfall.connect(f.r.issuer).depositCapitalEvent(M),
      ).to.be.revertedWithCustomError(f.waterfall, "ReentrancyGuardReentrantCall");
      expect(await f.waterfall.lastAccrual()).to.equal(0n);
    });

    it("test_depositCapitalEvent_coinPaused_refusedUnchanged_thenRunsOnceItResumes", async function () {
      const f = await networkHelpers.loadFixture(blocklistFixture);
      await fund(f, f.r.issuer, M);
      await f.coin.setPaused(true);
      await expect(
        f.waterfall.connect(f.r.issuer).depositCapitalEvent(M),
      ).to.be.revertedWithCustomError(f.coin, "CoinPaused");
      expect(await f.waterfall.lastAccrual()).to.equal(0n);
      await f.coin.setPaused(false);
      await expect(f.waterfall.connect(f.r.issuer).depositCapitalEvent(M)).to.emit(
        f.waterfall,
        "EquityDistributed",
      );
    });

    it("test_depositCapitalEvent_blocklistedIssuer_servicerDeposits_holdersClaim", async function () {
      const f = await networkHelpers.loadFixture(blocklistFixture);
      await fund(f, f.r.issuer, M);
      await f.coin.setBlocklisted(f.r.issuer.address, true);
      await expect(f.waterfall.connect(f.r.issuer).depositCapitalEvent(M))
        .to.be.revertedWithCustomError(f.coin, "Blocklisted")
        .withArgs(f.r.issuer.address);
      await fund(f, f.r.servicer, M);
      await expect(f.waterfall.connect(f.r.servicer).depositCapitalEvent(M)).to.emit(
        f.waterfall,
        "EquityDistributed",
      );
      // A blocklisted holder of one class waits; the other classes' holders claim.
      await f.coin.setBlocklisted(f.r.investors[1].address, true);
      await expect(f.h.tokens[1].connect(f.r.investors[1]).claim()).to.be.revertedWithCustomError(
        f.coin,
        "Blocklisted",
      );
      await expect(f.h.tokens[2].connect(f.r.investors[2]).claim()).to.emit(
        f.h.tokens[2],
        "Claimed",
      );
    });

    it("test_capitalEvents_holdersClaimExactlyWhatTheirClassWasPaid", async function () {
      const f = await networkHelpers.loadFixture(repaidWorkedFixture);
      const s = statementOf(f, await capitalEvent(f, 4n * M + 7n * USDC + 3n));
      for (let j = 0; j < 3; j++) {
        const paid = [0, 1, 2, 3, 4].reduce((sum, t) => sum + s.paid[t * 3 + j], 0n);
        const token = f.h.tokens[1 + j];
        // One holder per class: it claims its class's whole payment (the token's index may keep dust).
        const claimable = await token.claimable(f.r.investors[1 + j].address);
        expect(paid - claimable).to.be.within(0n, 1n);
        await expect(token.connect(f.r.investors[1 + j]).claim())
          .to.emit(token, "Claimed")
          .withArgs(f.r.investors[1 + j].address, f.r.investors[1 + j].address, claimable);
      }
    });
  });

  describe("views", function () {
    it("test_views_beforeTheFirstDistribution", async function () {
      const f = await networkHelpers.loadFixture(repaidWorkedFixture);
      expect(await f.waterfall.totalSupply()).to.equal(3n * M + 100n * K);
      expect(await f.waterfall.lastAccrual()).to.equal(0n);
      expect(await f.waterfall.profit()).to.deep.equal([0n, 0n]);
      const faces = [M, 2n * M, 100n * K];
      const list = await f.waterfall.classes();
      for (let j = 0; j < 3; j++) {
        const c = list[j];
        expect(c.contributed).to.equal(faces[j]);
        expect([c.returned, c.prefOwed, c.distributed, c.multiple]).to.deep.equal([0n, 0n, 0n, 0n]);
        // One hurdled split: the LP classes' balances start at their contribution.
        expect(c.hurdleBalances).to.deep.equal([j === 2 ? 0n : faces[j]]);
        expect(c.hurdlesMet).to.deep.equal([false]);
        expect(await f.waterfall.classState(j)).to.deep.equal(c);
      }
    });

    it("test_classState_revertsUnknownClass", async function () {
      const f = await networkHelpers.loadFixture(repaidWorkedFixture);
      for (const j of [3n, 7n, ethers.MaxUint256]) {
        await expect(f.waterfall.classState(j))
          .to.be.revertedWithCustomError(f.waterfall, "UnknownClass")
          .withArgs(j);
      }
    });

    it("test_views_classWithoutTokens", async function () {
      const f = await repaidDeal(WORKED, { subscribed: [M, 0n, 100n * K] });
      await capitalEvent(f, 2n * M);
      const c = await f.waterfall.classState(1);
      expect([c.contributed, c.returned, c.prefOwed, c.distributed, c.multiple]).to.deep.equal([
        0n,
        0n,
        0n,
        0n,
        0n,
      ]);
      // Zero balance, but no tokens: not "met".
      expect(c.hurdleBalances).to.deep.equal([0n]);
      expect(c.hurdlesMet).to.deep.equal([false]);
    });
  });
});
