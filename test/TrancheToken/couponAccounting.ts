import { expect } from "chai";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";

import { USDC, WAD } from "../helpers/fixtures.js";
import { CashModel, distributedEvents, runPeriod } from "../helpers/token-helpers.js";
import {
  ethers,
  networkHelpers,
  loadFixture,
  SENIOR_FACE,
  activeFixture,
  lateClaimFixture,
  sumClaimable,
} from "../helpers/tranche-token-fixtures.js";

describe("TrancheToken", function () {
  describe("coupon accounting", function () {
    /**
     * Several holders trade the senior tranche between periods 0–3 (period 3 also repays principal). Each
     * holder's claimable is checked to the wei against a model that settles floor(balance × Δindex / 1e18) at
     * every balance change or claim, with the index values read from the Distributed events.
     */
    it("test_claimable_exactAcrossTransfersAndPeriods", async function () {
      const f = await loadFixture(activeFixture);
      const s = f.senior;
      const inv0 = f.holder;
      const [A, B, C, D, E] = f.extra;
      const all = [inv0, A, B, C, D, E].map((x) => x.address);
      const model = new CashModel();
      model.mint(inv0.address, SENIOR_FACE);
      const indexes: bigint[] = [];
      const amounts: bigint[] = [];
      let claimedTotal = 0n;
      const dClaims: bigint[] = [];
      // Balance each account held during each period (between distributions).
      const during: Record<string, bigint>[] = [];

      const transfer = async (
        from: HardhatEthersSigner,
        to: HardhatEthersSigner,
        amount: bigint,
      ) => {
        await s.connect(from).transfer(to.address, amount);
        model.transfer(from.address, to.address, amount);
      };
      const distribute = async (p: bigint) => {
        during.push(Object.fromEntries(all.map((a) => [a, model.balance(a)])));
        const receipt = await runPeriod(ethers, networkHelpers, f.protocol, f.r, f.deal, p);
        const evs = distributedEvents(receipt, s);
        expect(evs.length).to.equal(1);
        indexes.push(evs[0].index);
        amounts.push(evs[0].amount);
        model.setIndex(evs[0].index);
        expect(await s.cashIndex()).to.equal(evs[0].index);
        for (const a of all) expect(await s.claimable(a)).to.equal(model.claimable(a));
      };
      const claimD = async () => {
        const expected = model.claim(D.address);
        await expect(s.connect(D).claimTo(D.address))
          .to.emit(s, "Claimed")
          .withArgs(D.address, D.address, expected);
        dClaims.push(expected);
        claimedTotal += expected;
      };

      await transfer(inv0, A, 1_234_567_891n);
      await transfer(inv0, B, 777_777_777n);
      await transfer(inv0, C, 7n);
      await transfer(inv0, D, 2_500_000_000_003n);
      await distribute(0n);

      await transfer(A, B, 234_567_891n);
      await transfer(C, D, 3n);
      await claimD();
      await distribute(1n);

      const bAll = await s.balanceOf(B.address);
      await transfer(B, E, bAll);
      await transfer(A, inv0, 500_000_000n);
      await claimD();
      await distribute(2n);

      await transfer(inv0, C, 1_000_001n);
      await claimD();
      await distribute(3n);
      await claimD();

      const delta = indexes.map((x, i) => x - (i === 0 ? 0n : indexes[i - 1]));
      const perPeriod = (a: string) =>
        during.map((d, p) => (d[a] * delta[p]) / WAD).reduce((x, y) => x + y, 0n);

      // Every holder matches the model exactly.
      for (const a of all) expect(await s.claimable(a)).to.equal(model.claimable(a));

      // B held 777 777 777 in period 0 and 1 012 345 668 in period 1, then sold everything: it keeps exactly
      // the coupons of those two periods, and nothing of periods 2 and 3.
      const bExpected = (777_777_777n * delta[0]) / WAD + (1_012_345_668n * delta[1]) / WAD;
      expect(await s.claimable(B.address)).to.equal(bExpected);
      expect(bExpected).to.equal(perPeriod(B.address));
      expect(await s.balanceOf(B.address)).to.equal(0n);

      // D settled every period by claiming: what it received is exactly Σ floor(balance_p × Δindex_p / 1e18).
      expect(dClaims.reduce((x, y) => x + y, 0n)).to.equal(perPeriod(D.address));
      expect(dClaims[0]).to.equal((2_500_000_000_003n * delta[0]) / WAD);
      expect(await s.claimable(D.address)).to.equal(0n);

      // E bought before period 2 and held through period 3 untouched: one settlement over both periods.
      const eBal = 1_012_345_668n;
      expect(await s.claimable(E.address)).to.equal((eBal * (indexes[3] - indexes[1])) / WAD);
      const ePer = perPeriod(E.address);
      const eActual = await s.claimable(E.address);
      expect(eActual >= ePer && eActual <= ePer + 1n).to.equal(true);

      // A holder with 7 then 4 tokens.
      expect(await s.claimable(C.address)).to.equal(model.claimable(C.address));

      // Every holder's claimable is within (number of periods) wei of the per-period formula, never below it.
      for (const a of all) {
        const actual = await s.claimable(a);
        const claimedByA = a === D.address ? claimedTotal : 0n;
        const per = perPeriod(a);
        expect(actual + claimedByA >= per).to.equal(true);
        expect(actual + claimedByA - per <= BigInt(indexes.length)).to.equal(true);
      }

      // Solvency: Σ claimable ≤ the token's cash, and the dust is tiny.
      const tokenAddress = await s.getAddress();
      const cash = await f.stablecoin.balanceOf(tokenAddress);
      expect(cash).to.equal(amounts.reduce((x, y) => x + y, 0n) - claimedTotal);
      const total = await sumClaimable(s, [...all, await f.h.offerings[0].getAddress()]);
      expect(total <= cash).to.equal(true);
      const dust = cash - total;
      expect(dust < BigInt(all.length + indexes.length)).to.equal(true);

      // Everyone claims; the token keeps exactly the dust.
      const signers = [inv0, A, B, C, D, E];
      for (const w of signers) {
        const expected = model.claimable(w.address);
        if (expected === 0n) {
          await expect(s.connect(w).claimTo(w.address)).to.be.revertedWithCustomError(
            s,
            "NothingToClaim",
          );
          continue;
        }
        const tx = s.connect(w).claimTo(w.address);
        await expect(tx).to.emit(s, "Claimed").withArgs(w.address, w.address, expected);
        await expect(tx).to.changeTokenBalances(
          ethers,
          f.stablecoin,
          [w, tokenAddress],
          [expected, -expected],
        );
        model.claim(w.address);
      }
      expect(await f.stablecoin.balanceOf(tokenAddress)).to.equal(dust);
      console.log(`      dust left in the senior token after all claims: ${dust} wei`);
    });

    it("test_claimable_holderWhoSoldKeepsOnlyHeldPeriods", async function () {
      const f = await loadFixture(activeFixture);
      const s = f.senior;
      const [seller, buyer] = f.extra;
      const amount = 1_333_333_333_333n;
      await s.connect(f.holder).transfer(seller.address, amount);
      const r0 = await runPeriod(ethers, networkHelpers, f.protocol, f.r, f.deal, 0n);
      const i0 = distributedEvents(r0, s)[0].index;
      await s.connect(seller).transfer(buyer.address, amount);
      const r1 = await runPeriod(ethers, networkHelpers, f.protocol, f.r, f.deal, 1n);
      const i1 = distributedEvents(r1, s)[0].index;
      const r2 = await runPeriod(ethers, networkHelpers, f.protocol, f.r, f.deal, 2n);
      const i2 = distributedEvents(r2, s)[0].index;
      expect(await s.claimable(seller.address)).to.equal((amount * i0) / WAD);
      expect(await s.claimable(buyer.address)).to.equal((amount * (i2 - i0)) / WAD);
      expect(i1 > i0).to.equal(true);
      // Transferring back and forth does not change what either is owed.
      await s.connect(buyer).transfer(seller.address, 1n);
      await s.connect(seller).transfer(buyer.address, 1n);
      expect(await s.claimable(seller.address)).to.equal((amount * i0) / WAD);
      expect(await s.claimable(buyer.address)).to.equal((amount * (i2 - i0)) / WAD);
    });

    /**
     * Investor 4 leaves 2 M senior tokens in the offering through two distributions, then claims them in three
     * deliveries: each takes its pro-rata share of what the offering accrued, and the last takes the remainder.
     */
    it("test_deliverShares_movesAccruedCashOfLateClaims", async function () {
      const f = await loadFixture(lateClaimFixture);
      const s = f.senior;
      const offeringAddress = await f.offering.getAddress();
      const [i0, i1] = f.indexes;
      const lateShares = 2_000_000n * USDC;
      const accrued = (lateShares * i1) / WAD;
      expect(await s.claimable(offeringAddress)).to.equal(accrued);
      expect(await s.claimable(f.holder.address)).to.equal((4_000_000n * USDC * i1) / WAD);
      expect(await s.claimable(f.late.address)).to.equal(0n);
      expect(i1 > i0).to.equal(true);

      const chunks = [700_000_000_001n, 650_000_000_000n, 649_999_999_999n];
      let balance = lateShares;
      let left = accrued;
      let received = 0n;
      for (const [k, shares] of chunks.entries()) {
        const moved = k === chunks.length - 1 ? left : (left * shares) / balance;
        const tx = f.offering.connect(f.late)["deposit(uint256,address)"](shares, f.late.address);
        await expect(tx).to.emit(s, "SharesDelivered").withArgs(f.late.address, shares, moved);
        await expect(tx).to.emit(s, "Transfer").withArgs(offeringAddress, f.late.address, shares);
        balance -= shares;
        left -= moved;
        received += moved;
        expect(await s.claimable(offeringAddress)).to.equal(left);
        expect(await s.claimable(f.late.address)).to.equal(received);
      }
      expect(left).to.equal(0n);
      expect(received).to.equal(accrued);
      expect(await s.balanceOf(offeringAddress)).to.equal(0n);
      expect(await s.claimable(offeringAddress)).to.equal(0n);
      expect(await s.balanceOf(f.late.address)).to.equal(lateShares);

      // From here on the late investor accrues like anyone else.
      const r2 = await runPeriod(ethers, networkHelpers, f.protocol, f.r, f.deal, 2n);
      const i2 = distributedEvents(r2, s)[0].index;
      expect(await s.claimable(f.late.address)).to.equal(accrued + (lateShares * (i2 - i1)) / WAD);
      expect(await s.claimable(f.holder.address)).to.equal((4_000_000n * USDC * i2) / WAD);

      const tokenAddress = await s.getAddress();
      const cash = await f.stablecoin.balanceOf(tokenAddress);
      const total = await sumClaimable(s, [f.holder.address, f.late.address, offeringAddress]);
      expect(total <= cash).to.equal(true);
      expect(cash - total < 3n + 3n).to.equal(true);
      await expect(s.connect(f.late).claimTo(f.late.address))
        .to.emit(s, "Claimed")
        .withArgs(f.late.address, f.late.address, accrued + (lateShares * (i2 - i1)) / WAD);
    });

    it("test_deliverShares_toAnotherReceiverCarriesAccrued", async function () {
      const f = await loadFixture(lateClaimFixture);
      const s = f.senior;
      const [receiver] = f.extra;
      const accrued = (2_000_000n * USDC * f.indexes[1]) / WAD;
      const moved = (accrued * 500_000n * USDC) / (2_000_000n * USDC);
      await expect(
        f.offering.connect(f.late)["deposit(uint256,address)"](500_000n * USDC, receiver.address),
      )
        .to.emit(s, "SharesDelivered")
        .withArgs(receiver.address, 500_000n * USDC, moved);
      expect(await s.claimable(receiver.address)).to.equal(moved);
      expect(await s.claimable(f.late.address)).to.equal(0n);
      await expect(s.connect(receiver).claimTo(receiver.address))
        .to.emit(s, "Claimed")
        .withArgs(receiver.address, receiver.address, moved);
    });
  });
});
