import { expect } from "chai";

import { DealStatus, USDC } from "../helpers/fixtures.js";
import { MAX_UINT256 } from "../helpers/token-helpers.js";
import {
  ethers,
  time,
  loadFixture,
  SENIOR_CAP,
  MIN_RAISE,
  RESERVE_BPS,
  BPS,
  openFixture,
  undersubscribedFixture,
  OVER,
  OVER_TOTAL,
  oversubscribedFixture,
  expectedAllocations,
  permutations,
} from "../helpers/offering-fixtures.js";

describe("Offering", function () {
  describe("close", function () {
    it("test_close_revertsOfferingStillOpen", async function () {
      const f = await loadFixture(openFixture);
      await f.offering
        .connect(f.alice)
        .requestDeposit(500n * USDC, f.alice.address, f.alice.address);
      await time.setNextBlockTimestamp(f.terms.offeringClosesAt - 1n);
      await expect(f.offering.close())
        .to.be.revertedWithCustomError(f.offering, "OfferingStillOpen")
        .withArgs(f.terms.offeringClosesAt);
      expect(await f.offering.closed()).to.deep.equal([false, false]);
      expect(await f.token.totalSupply()).to.equal(0n);
    });

    it("test_close_revertsOfferingClosedAlready", async function () {
      const f = await loadFixture(undersubscribedFixture);
      const closedAt = BigInt(await time.latest());
      const issuerBalance = await f.stablecoin.balanceOf(f.r.issuer.address);
      await expect(f.offering.connect(f.outsider).close())
        .to.be.revertedWithCustomError(f.offering, "OfferingClosedAlready")
        .withArgs(closedAt);
      expect(await f.token.totalSupply()).to.equal(550_000_003n);
      expect(await f.stablecoin.balanceOf(f.r.issuer.address)).to.equal(issuerBalance);
    });

    it("test_close_undersubscribed_anyoneCloses_acceptsEverything", async function () {
      const f = await loadFixture(openFixture);
      const a = 300_000_002n;
      const b = 250_000_001n;
      await f.offering.connect(f.alice).requestDeposit(a, f.alice.address, f.alice.address);
      await f.offering.connect(f.bob).requestDeposit(b, f.bob.address, f.bob.address);
      await time.increaseTo(f.terms.offeringClosesAt);
      const total = a + b;
      const reserveFunding = (total * RESERVE_BPS) / BPS;
      const proceeds = total - reserveFunding;
      expect(reserveFunding).to.equal(13_750_000n); // 13 750 000.075 rounded down
      const dealAddress = await f.deal.getAddress();
      const tx = f.offering.connect(f.outsider).close();
      await expect(tx)
        .to.emit(f.offering, "OfferingClosed")
        .withArgs(total, total, proceeds, reserveFunding, false);
      await expect(tx).to.emit(f.token, "Issued").withArgs(f.offeringAddress, total);
      await expect(tx)
        .to.emit(f.token, "Transfer")
        .withArgs(ethers.ZeroAddress, f.offeringAddress, total);
      await expect(tx)
        .to.emit(f.deal, "OfferingSettled")
        .withArgs(0n, total, reserveFunding, reserveFunding);
      await expect(tx).not.to.emit(f.deal, "StatusChanged");
      // The proceeds stay in the offering, credited to the issuer; only the reserve funding leaves.
      await expect(tx).to.changeTokenBalances(
        ethers,
        f.stablecoin,
        [f.offeringAddress, f.r.issuer.address, dealAddress],
        [-reserveFunding, 0n, reserveFunding],
      );
      expect(await f.offering.proceedsOwed()).to.equal(proceeds);
      const withdrawal = f.offering.connect(f.r.issuer).withdrawProceeds();
      await expect(withdrawal)
        .to.emit(f.offering, "ProceedsWithdrawn")
        .withArgs(f.r.issuer.address, proceeds);
      await expect(withdrawal).to.changeTokenBalances(
        ethers,
        f.stablecoin,
        [f.offeringAddress, f.r.issuer.address],
        [-proceeds, proceeds],
      );
      expect(await f.offering.proceedsOwed()).to.equal(0n);
      expect(await f.offering.closed()).to.deep.equal([true, false]);
      expect(await f.offering.accepted()).to.equal(total);
      expect(await f.token.totalSupply()).to.equal(total);
      expect(await f.token.balanceOf(f.offeringAddress)).to.equal(total);
      expect(await f.deal.reserve()).to.deep.equal([reserveFunding, 100n * USDC]);
      expect((await f.deal.tranche(0n)).issued).to.equal(total);
      expect((await f.deal.tranche(0n)).outstanding).to.equal(total);
      expect(await f.offering.totalAssets()).to.equal(0n);
      // Everyone gets exactly what they asked for, nothing to refund.
      expect(await f.offering.claimableDepositRequest(0n, f.alice.address)).to.equal(a);
      expect(await f.offering.claimableDepositRequest(0n, f.bob.address)).to.equal(b);
      expect(await f.offering.refundable(f.alice.address)).to.equal(0n);
      await expect(f.offering.connect(f.alice).refund(f.alice.address, f.alice.address))
        .to.be.revertedWithCustomError(f.offering, "NothingToRefund")
        .withArgs(f.alice.address);
    });

    it("test_close_exactlyMinRaise_succeeds", async function () {
      const f = await loadFixture(openFixture);
      await f.offering.connect(f.alice).requestDeposit(MIN_RAISE, f.alice.address, f.alice.address);
      await time.increaseTo(f.terms.offeringClosesAt);
      await expect(f.offering.close())
        .to.emit(f.offering, "OfferingClosed")
        .withArgs(MIN_RAISE, MIN_RAISE, MIN_RAISE - 10n * USDC, 10n * USDC, false);
      expect(await f.offering.closed()).to.deep.equal([true, false]);
    });

    it("test_close_exactlyFull", async function () {
      const f = await loadFixture(openFixture);
      await f.offering
        .connect(f.alice)
        .requestDeposit(600n * USDC, f.alice.address, f.alice.address);
      await f.offering.connect(f.bob).requestDeposit(400n * USDC, f.bob.address, f.bob.address);
      await time.increaseTo(f.terms.offeringClosesAt);
      const reserveFunding = (SENIOR_CAP * RESERVE_BPS) / BPS;
      await expect(f.offering.close())
        .to.emit(f.offering, "OfferingClosed")
        .withArgs(SENIOR_CAP, SENIOR_CAP, SENIOR_CAP - reserveFunding, reserveFunding, false);
      expect(await f.offering.claimableDepositRequest(0n, f.alice.address)).to.equal(600n * USDC);
      expect(await f.offering.claimableDepositRequest(0n, f.bob.address)).to.equal(400n * USDC);
      await expect(f.offering.connect(f.bob).refund(f.bob.address, f.bob.address))
        .to.be.revertedWithCustomError(f.offering, "NothingToRefund")
        .withArgs(f.bob.address);
      await f.offering.connect(f.alice)["deposit(uint256,address)"](600n * USDC, f.alice.address);
      await f.offering.connect(f.bob)["mint(uint256,address)"](400n * USDC, f.bob.address);
      expect(await f.token.balanceOf(f.offeringAddress)).to.equal(0n);
      // Only the issuer's proceeds are left, until it withdraws them.
      expect(await f.stablecoin.balanceOf(f.offeringAddress)).to.equal(SENIOR_CAP - reserveFunding);
      expect(await f.offering.totalAssets()).to.equal(0n);
      await f.offering.connect(f.r.issuer).withdrawProceeds();
      expect(await f.stablecoin.balanceOf(f.offeringAddress)).to.equal(0n);
    });

    it("test_close_oversubscribed_event", async function () {
      const f = await loadFixture(openFixture);
      await f.offering.connect(f.alice).requestDeposit(OVER[0], f.alice.address, f.alice.address);
      await f.offering.connect(f.bob).requestDeposit(OVER[1], f.bob.address, f.bob.address);
      await f.offering.connect(f.carol).requestDeposit(OVER[2], f.carol.address, f.carol.address);
      await time.increaseTo(f.terms.offeringClosesAt);
      const reserveFunding = (SENIOR_CAP * RESERVE_BPS) / BPS;
      const tx = f.offering.close();
      await expect(tx)
        .to.emit(f.offering, "OfferingClosed")
        .withArgs(OVER_TOTAL, SENIOR_CAP, SENIOR_CAP - reserveFunding, reserveFunding, false);
      await expect(tx).to.changeTokenBalances(
        ethers,
        f.stablecoin,
        [f.offeringAddress, f.r.issuer.address, await f.deal.getAddress()],
        [-reserveFunding, 0n, reserveFunding],
      );
      expect(await f.offering.proceedsOwed()).to.equal(SENIOR_CAP - reserveFunding);
      // The vault's assets are the refundable requests; the issuer's proceeds are not among them.
      expect(await f.offering.totalAssets()).to.equal(OVER_TOTAL - SENIOR_CAP);
      expect(await f.token.totalSupply()).to.equal(SENIOR_CAP);
    });

    for (const order of permutations([0, 1, 2])) {
      it(`test_close_oversubscribed_proRataExact_order_${order.join("")}`, async function () {
        const f = await loadFixture(oversubscribedFixture);
        const investors = [f.alice, f.bob, f.carol];
        const expected = expectedAllocations(OVER, order, SENIOR_CAP);
        const allocations: bigint[] = [0n, 0n, 0n];
        const refunds: bigint[] = [0n, 0n, 0n];
        for (const [step, i] of order.entries()) {
          const inv = investors[i];
          // Alternate the first touch (which fixes the allocation) between a claim and a refund.
          if (step % 2 === 0) {
            const claimable = await f.offering.claimableDepositRequest(0n, inv.address);
            const [shares] = await Promise.all([
              f.offering
                .connect(inv)
                ["deposit(uint256,address)"].staticCall(claimable, inv.address),
            ]);
            expect(shares).to.equal(claimable);
            await f.offering.connect(inv)["deposit(uint256,address)"](claimable, inv.address);
            refunds[i] = await f.offering.connect(inv).refund.staticCall(inv.address, inv.address);
            await f.offering.connect(inv).refund(inv.address, inv.address);
          } else {
            refunds[i] = await f.offering.connect(inv).refund.staticCall(inv.address, inv.address);
            await f.offering.connect(inv).refund(inv.address, inv.address);
            const claimable = await f.offering.claimableDepositRequest(0n, inv.address);
            await f.offering.connect(inv)["mint(uint256,address)"](claimable, inv.address);
          }
          allocations[i] = await f.token.balanceOf(inv.address);
          expect(await f.offering.claimableDepositRequest(0n, inv.address)).to.equal(0n);
        }
        expect(allocations).to.deep.equal(expected);
        expect(allocations.reduce((a, b) => a + b, 0n)).to.equal(SENIOR_CAP);
        for (let i = 0; i < 3; i++) {
          expect(allocations[i] <= OVER[i]).to.equal(true);
          // |allocation − request·cap/total| < 1  ⇔  |allocation·total − request·cap| < total
          const diff = allocations[i] * OVER_TOTAL - OVER[i] * SENIOR_CAP;
          expect((diff < 0n ? -diff : diff) < OVER_TOTAL).to.equal(true);
          expect(refunds[i]).to.equal(OVER[i] - allocations[i]);
          expect(await f.stablecoin.balanceOf(investors[i].address)).to.equal(
            10_000n * USDC - allocations[i],
          );
        }
        expect(refunds.reduce((a, b) => a + b, 0n)).to.equal(OVER_TOTAL - SENIOR_CAP);
        // What is left is the issuer's proceeds, credited at close.
        expect(await f.stablecoin.balanceOf(f.offeringAddress)).to.equal(
          await f.offering.proceedsOwed(),
        );
        expect(await f.token.balanceOf(f.offeringAddress)).to.equal(0n);
        expect(await f.offering.totalAssets()).to.equal(0n);
      });
    }

    it("test_close_failedMinRaise_refundsEverything", async function () {
      const f = await loadFixture(openFixture);
      await f.offering
        .connect(f.alice)
        .requestDeposit(150n * USDC, f.alice.address, f.alice.address);
      await f.offering.connect(f.bob).requestDeposit(100n * USDC, f.bob.address, f.bob.address);
      await f.offering
        .connect(f.bob)
        .requestDeposit(MIN_RAISE - 250n * USDC - 1n, f.bob.address, f.bob.address);
      const requested = MIN_RAISE - 1n;
      await time.increaseTo(f.terms.offeringClosesAt);
      const issuerBefore = await f.stablecoin.balanceOf(f.r.issuer.address);
      const tx = f.offering.close();
      await expect(tx).to.emit(f.offering, "OfferingClosed").withArgs(requested, 0n, 0n, 0n, true);
      await expect(tx).to.emit(f.deal, "OfferingSettled").withArgs(0n, 0n, 0n, 0n);
      await expect(tx).not.to.emit(f.token, "Issued");
      expect(await f.offering.closed()).to.deep.equal([true, true]);
      expect(await f.offering.accepted()).to.equal(0n);
      expect(await f.token.totalSupply()).to.equal(0n);
      expect(await f.stablecoin.balanceOf(f.r.issuer.address)).to.equal(issuerBefore);
      expect(await f.deal.reserve()).to.deep.equal([0n, 100n * USDC]);
      expect(await f.offering.claimableDepositRequest(0n, f.alice.address)).to.equal(0n);
      expect(await f.offering.maxDeposit(f.alice.address)).to.equal(0n);
      expect(await f.offering.refundable(f.alice.address)).to.equal(150n * USDC);
      expect(await f.offering.refundable(f.bob.address)).to.equal(requested - 150n * USDC);
      await expect(f.offering.connect(f.alice)["deposit(uint256,address)"](1n, f.alice.address))
        .to.be.revertedWithCustomError(f.offering, "ExceedsClaimable")
        .withArgs(1n, 0n);
      await expect(f.offering.connect(f.alice).refund(f.alice.address, f.alice.address))
        .to.emit(f.offering, "Refunded")
        .withArgs(f.alice.address, f.alice.address, 150n * USDC);
      await expect(f.offering.connect(f.bob).refund(f.bob.address, f.bob.address))
        .to.emit(f.offering, "Refunded")
        .withArgs(f.bob.address, f.bob.address, requested - 150n * USDC);
      expect(await f.stablecoin.balanceOf(f.alice.address)).to.equal(10_000n * USDC);
      expect(await f.stablecoin.balanceOf(f.bob.address)).to.equal(10_000n * USDC);
      expect(await f.stablecoin.balanceOf(f.offeringAddress)).to.equal(0n);
      expect(await f.token.totalSupply()).to.equal(0n);
    });

    it("test_close_noRequestsAtAll_failsCleanly", async function () {
      const f = await loadFixture(openFixture);
      await time.increaseTo(f.terms.offeringClosesAt);
      await expect(f.offering.close())
        .to.emit(f.offering, "OfferingClosed")
        .withArgs(0n, 0n, 0n, 0n, true);
      expect(await f.token.totalSupply()).to.equal(0n);
      await expect(f.offering.connect(f.alice).refund(f.alice.address, f.alice.address))
        .to.be.revertedWithCustomError(f.offering, "NothingToRefund")
        .withArgs(f.alice.address);
    });

    it("test_close_everyOfferingFailed_cancelsDeal", async function () {
      const f = await loadFixture(openFixture);
      const equityOffering = f.h.offerings[1];
      await f.offering
        .connect(f.alice)
        .requestDeposit(MIN_RAISE - 1n, f.alice.address, f.alice.address);
      await time.increaseTo(f.terms.offeringClosesAt);
      await expect(f.offering.close()).not.to.emit(f.deal, "StatusChanged");
      // The equity offering had no request: its close is the last miss, and the deal is cancelled, never Active.
      await expect(equityOffering.close())
        .to.emit(f.deal, "StatusChanged")
        .withArgs(DealStatus.Offering, DealStatus.Cancelled);
      expect(await f.deal.status()).to.equal(DealStatus.Cancelled);
      await expect(f.offering.connect(f.alice).refund(f.alice.address, f.alice.address))
        .to.emit(f.offering, "Refunded")
        .withArgs(f.alice.address, f.alice.address, MIN_RAISE - 1n);
    });

    it("test_close_dealActiveOnlyWhenAllOfferingsClosed", async function () {
      const f = await loadFixture(openFixture);
      const equityOffering = f.h.offerings[1];
      await f.offering
        .connect(f.alice)
        .requestDeposit(500n * USDC, f.alice.address, f.alice.address);
      await f.stablecoin.connect(f.bob).approve(await equityOffering.getAddress(), MAX_UINT256);
      await equityOffering.connect(f.bob).requestDeposit(500n * USDC, f.bob.address, f.bob.address);
      await time.increaseTo(f.terms.offeringClosesAt);
      expect(await f.deal.status()).to.equal(DealStatus.Offering);
      await expect(f.offering.close()).not.to.emit(f.deal, "StatusChanged");
      expect(await f.deal.status()).to.equal(DealStatus.Offering);
      await expect(equityOffering.close())
        .to.emit(f.deal, "StatusChanged")
        .withArgs(DealStatus.Offering, DealStatus.Active);
      expect(await f.deal.status()).to.equal(DealStatus.Active);
      // Equity funds no reserve: the deal's reserve is the senior's 2.5 %.
      expect(await f.deal.reserve()).to.deep.equal([
        (500n * USDC * RESERVE_BPS) / BPS,
        100n * USDC,
      ]);
      expect(await f.stablecoin.balanceOf(await f.deal.getAddress())).to.equal(
        (500n * USDC * RESERVE_BPS) / BPS,
      );
    });
  });
});
