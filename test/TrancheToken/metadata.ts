import { expect } from "chai";

import { WAD } from "../helpers/fixtures.js";
import { distributedEvents, runPeriod } from "../helpers/token-helpers.js";
import {
  ethers,
  networkHelpers,
  loadFixture,
  SENIOR_FACE,
  createdFixture,
  activeFixture,
  E18,
  decimals18Fixture,
} from "../helpers/tranche-token-fixtures.js";

describe("TrancheToken", function () {
  describe("metadata", function () {
    it("test_metadata_fromTermSheet", async function () {
      const f = await loadFixture(activeFixture);
      const names = ["Senior", "Mezzanine", "Junior", "Equity"];
      for (let i = 0; i < 4; i++) {
        const t = f.tokens[i];
        expect(await t.name()).to.equal(names[i]);
        expect(await t.symbol()).to.equal(f.terms.tranches[i].symbol);
        expect(await t.decimals()).to.equal(6n);
        expect(await t.totalSupply()).to.equal(f.terms.tranches[i].faceAmount);
        expect(await t.trancheIndex()).to.equal(BigInt(i));
        expect(await t.deal()).to.equal(await f.deal.getAddress());
        expect(await t.offering()).to.equal(await f.h.offerings[i].getAddress());
        expect(await t.stablecoin()).to.equal(await f.stablecoin.getAddress());
        expect(await t.paused()).to.equal(false);
        expect(await t.cashIndex()).to.equal(0n);
      }
      expect(await f.senior.symbol()).to.equal("SENIOR");
      expect(await f.senior.balanceOf(f.holder.address)).to.equal(SENIOR_FACE);
    });

    it("test_decimals_18DecimalsStablecoin", async function () {
      const f = await loadFixture(decimals18Fixture);
      const [senior, junior, eq] = f.h.tokens;
      for (const t of f.h.tokens) expect(await t.decimals()).to.equal(18n);
      expect(await senior.name()).to.equal("Senior 18");
      expect(await senior.symbol()).to.equal("SENIOR 1");
      expect(await eq.name()).to.equal("Equity 18");
      expect(await senior.totalSupply()).to.equal(6_000_000n * E18);
      expect(await junior.balanceOf(f.r.investors[1].address)).to.equal(1_000_000n * E18);
      // One period's coupon is exact to the wei at 18 decimals too.
      const receipt = await runPeriod(
        ethers,
        networkHelpers,
        f.protocol,
        f.r,
        f.h.deal,
        0n,
        2_000_000n * E18,
      );
      const [ev] = distributedEvents(receipt, senior);
      const interest =
        (6_000_000n * E18 * ((8n * WAD) / 100n) * (30n * 86_400n)) / (WAD * 365n * 86_400n);
      expect(ev.amount).to.equal(interest);
      expect(ev.index).to.equal((interest * WAD) / (6_000_000n * E18));
      const holder = f.r.investors[0];
      const expected = (6_000_000n * E18 * ev.index) / WAD;
      expect(await senior.claimable(holder.address)).to.equal(expected);
      await expect(senior.connect(holder).claimTo(holder.address))
        .to.emit(senior, "Claimed")
        .withArgs(holder.address, holder.address, expected);
      expect(await f.protocol.stablecoin.balanceOf(await senior.getAddress())).to.equal(
        interest - expected,
      );
    });

    it("test_params_areFixedInTheCloneCode", async function () {
      const f = await loadFixture(createdFixture);
      expect(
        ethers.Interface.from(f.senior.interface.fragments).getFunction("initialize"),
      ).to.equal(null);
      const p = await f.senior.params();
      expect(p.deal).to.equal(await f.deal.getAddress());
      expect(p.stablecoin).to.equal(await f.protocol.stablecoin.getAddress());
      expect(p.trancheIndex).to.equal(0n);
      expect(p.decimals).to.equal(6n);
      const code = await ethers.provider.getCode(await f.senior.getAddress());
      // Ten packed words (TrancheTokenArgs): deal | index | decimals, stablecoin | rules, registry | minHolding,
      // name, symbol, blocked-countries bitmap, distributor (the deal: no equity waterfall).
      const word = (v: bigint) => v.toString(16).padStart(64, "0");
      const r = p.rules;
      const args =
        "0x" +
        word(BigInt(p.deal) | (p.trancheIndex << 160n) | (p.decimals << 168n)) +
        word(
          BigInt(p.stablecoin) |
            (r.allowedClasses << 160n) |
            (r.minHoldingPeriod << 176n) |
            (r.maxHolders << 208n),
        ) +
        word(BigInt(p.registry) | (r.minHolding << 160n)) +
        p.name.slice(2) +
        p.symbol.slice(2) +
        r.blockedCountries.map(word).join("") +
        word(BigInt(p.distributor));
      expect(p.distributor).to.equal(await f.deal.getAddress());
      expect(code.endsWith(args.slice(2))).to.equal(true);
    });
  });

  describe("factor", function () {
    it("test_factor_fallsWithPrincipal", async function () {
      const f = await loadFixture(activeFixture);
      for (let i = 0; i < 4; i++) {
        expect(await f.tokens[i].factor()).to.equal(WAD);
        expect(await f.tokens[i].factor()).to.equal(await f.deal.factor(BigInt(i)));
      }
      // Periods 0–2: senior interest only (amortization starts at period 3).
      for (const p of [0n, 1n, 2n]) {
        await runPeriod(ethers, networkHelpers, f.protocol, f.r, f.deal, p);
        expect(await f.senior.factor()).to.equal(WAD);
      }
      const receipt = await runPeriod(ethers, networkHelpers, f.protocol, f.r, f.deal, 3n);
      const installment = SENIOR_FACE / 9n; // ⌊face·1/9⌋
      const outstanding = SENIOR_FACE - installment;
      const [ev] = distributedEvents(receipt, f.senior);
      const interest =
        (SENIOR_FACE * ((8n * WAD) / 100n) * (30n * 86_400n)) / (WAD * 365n * 86_400n);
      expect(ev.amount).to.equal(interest + installment);
      expect((await f.deal.tranche(0n)).outstanding).to.equal(outstanding);
      expect(await f.senior.factor()).to.equal((outstanding * WAD) / SENIOR_FACE);
      expect(await f.senior.factor()).to.equal(await f.deal.factor(0n));
      expect((await f.senior.factor()) < WAD).to.equal(true);
      // Period 4: two installments paid.
      await runPeriod(ethers, networkHelpers, f.protocol, f.r, f.deal, 4n);
      const outstanding2 = SENIOR_FACE - (SENIOR_FACE * 2n) / 9n;
      expect(await f.senior.factor()).to.equal((outstanding2 * WAD) / SENIOR_FACE);
      expect(await f.senior.factor()).to.equal(await f.deal.factor(0n));
      // Bullet notes and equity keep a factor of one.
      for (let i = 1; i < 4; i++) {
        expect(await f.tokens[i].factor()).to.equal(WAD);
        expect(await f.tokens[i].factor()).to.equal(await f.deal.factor(BigInt(i)));
      }
    });

    it("test_factor_zeroBeforeIssue", async function () {
      const f = await loadFixture(createdFixture);
      expect(await f.senior.factor()).to.equal(0n);
      expect(await f.senior.factor()).to.equal(await f.deal.factor(0n));
    });
  });
});
