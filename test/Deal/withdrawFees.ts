import { expect } from "chai";

import { activateDeal, submitReport } from "../helpers/fixtures.js";
import { statementsIn } from "../helpers/deal-scenario.js";
import {
  ethers,
  networkHelpers,
  K,
  buildDeal,
  reportEach,
  activeDealFixture,
} from "../helpers/deal-fixtures.js";

describe("Deal", function () {
  describe("fees", function () {
    /** An active deal with period 0 distributed: 2 000 USDC of trustee fee and the servicer's share credited. */
    async function creditedFixture() {
      const f = await activeDealFixture();
      const { deal, protocol, r } = f;
      await deal.connect(r.servicer).depositCollections(400n * K);
      await networkHelpers.time.increaseTo(await deal.periodEnd(0));
      await submitReport(ethers, networkHelpers, protocol, r, deal, 0n, 300n * K);
      await deal.connect(f.keeper).distribute(0n);
      return f;
    }

    it("test_withdrawFees_paysEachRecipientWhatWasCreditedToIt", async function () {
      const f = await networkHelpers.loadFixture(creditedFixture);
      const { deal, protocol, r } = f;
      const coin = protocol.stablecoin;
      const [trusteeOwed, servicerOwed] = await deal.feesOwed();
      expect(trusteeOwed).to.equal(2n * K);
      expect(servicerOwed).to.be.greaterThan(0n);
      // The distribution moved no fee: the deal holds them.
      expect(await coin.balanceOf(f.dealAddress)).to.equal(
        (await deal.undistributedCollections()) +
          (await deal.reserve())[0] +
          trusteeOwed +
          servicerOwed,
      );
      expect(await deal.connect(r.trustee).withdrawFees.staticCall()).to.equal(trusteeOwed);
      const tx = deal.connect(r.trustee).withdrawFees();
      await expect(tx).to.emit(deal, "FeesWithdrawn").withArgs(r.trustee.address, trusteeOwed, 0n);
      await expect(tx).to.changeTokenBalances(
        ethers,
        coin,
        [r.trustee, deal],
        [trusteeOwed, -trusteeOwed],
      );
      expect(await deal.feesOwed()).to.deep.equal([0n, servicerOwed]);
      await expect(deal.connect(r.trustee).withdrawFees())
        .to.be.revertedWithCustomError(deal, "NoFeesOwed")
        .withArgs(r.trustee.address);
      await expect(deal.connect(r.servicer).withdrawFees())
        .to.emit(deal, "FeesWithdrawn")
        .withArgs(r.servicer.address, 0n, servicerOwed);
      expect(await deal.feesOwed()).to.deep.equal([0n, 0n]);
      // The next period credits again.
      await networkHelpers.time.increaseTo(await deal.periodEnd(1));
      await submitReport(ethers, networkHelpers, protocol, r, deal, 1n, 100n * K);
      await deal.connect(f.keeper).distribute(1n);
      expect((await deal.feesOwed())[0]).to.equal(2n * K);
    });

    it("test_withdrawFees_revertsNoFeesOwed_forAnyoneElse", async function () {
      const f = await networkHelpers.loadFixture(creditedFixture);
      const { deal, r, outsider } = f;
      const owed = await deal.feesOwed();
      for (const caller of [outsider, r.issuer, r.guardian, f.keeper]) {
        await expect(deal.connect(caller).withdrawFees())
          .to.be.revertedWithCustomError(deal, "NoFeesOwed")
          .withArgs(caller.address);
      }
      expect(await deal.feesOwed()).to.deep.equal(owed);
    });

    it("test_withdrawFees_revertsWhilePaused", async function () {
      const f = await networkHelpers.loadFixture(creditedFixture);
      const { deal, r } = f;
      const owed = await deal.feesOwed();
      await deal.connect(r.guardian).pause();
      await expect(deal.connect(r.trustee).withdrawFees()).to.be.revertedWithCustomError(
        deal,
        "EnforcedPause",
      );
      expect(await deal.feesOwed()).to.deep.equal(owed);
      await deal.connect(r.guardian).unpause();
      await expect(deal.connect(r.trustee).withdrawFees())
        .to.emit(deal, "FeesWithdrawn")
        .withArgs(r.trustee.address, owed[0], 0n);
    });

    it("test_withdrawFees_oneAddressBothTrusteeAndServicer", async function () {
      const f = await buildDeal((t) => (t.servicer = t.trustee));
      await activateDeal(networkHelpers, f.protocol, f.r, f.h);
      const { deal, protocol, r } = f;
      await protocol.stablecoin.mint(r.trustee.address, 400n * K);
      await protocol.stablecoin.connect(r.trustee).approve(f.dealAddress, 400n * K);
      await deal.connect(r.trustee).depositCollections(400n * K);
      await networkHelpers.time.increaseTo(await deal.periodEnd(0));
      await submitReport(ethers, networkHelpers, protocol, r, deal, 0n, 300n * K);
      await deal.connect(f.keeper).distribute(0n);
      const [trusteeOwed, servicerOwed] = await deal.feesOwed();
      expect(trusteeOwed * servicerOwed).to.be.greaterThan(0n);
      const tx = deal.connect(r.trustee).withdrawFees();
      await expect(tx)
        .to.emit(deal, "FeesWithdrawn")
        .withArgs(r.trustee.address, trusteeOwed, servicerOwed);
      await expect(tx).to.changeTokenBalance(
        ethers,
        protocol.stablecoin,
        r.trustee,
        trusteeOwed + servicerOwed,
      );
      expect(await deal.feesOwed()).to.deep.equal([0n, 0n]);
    });

    it("test_distribute_releasesItsGuardWithinTheTransaction", async function () {
      // distribute sets and clears the reentrancy guard itself (it returns the statement from assembly): a
      // second guarded call in the same transaction goes through.
      const f = await networkHelpers.loadFixture(activeDealFixture);
      const { deal, protocol, r } = f;
      await deal.connect(r.servicer).depositCollections(800n * K);
      await reportEach(protocol, r, deal, [0n, 1n], 300n * K);
      const sequence = await ethers.deployContract("CallSequence");
      const calls = [0n, 1n].map((p) => deal.interface.encodeFunctionData("distribute", [p]));
      const receipt = (await (await sequence.run(f.dealAddress, calls)).wait())!;
      expect(statementsIn(deal, f.dealAddress, receipt).map((s) => s.period)).to.deep.equal([
        0n,
        1n,
      ]);
      expect(await deal.nextPeriod()).to.equal(2n);
    });
  });
});
