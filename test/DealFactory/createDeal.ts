import { expect } from "chai";
import { anyValue } from "@nomicfoundation/hardhat-ethers-chai-matchers/withArgs";

import {
  DealStatus,
  USDC,
  WAD,
  createDeal,
  dealAt,
  equity,
  fixedNote,
  standardTermSheet,
} from "../helpers/fixtures.js";
import {
  ethers,
  networkHelpers,
  GAS_BUDGET_CREATE_DEAL,
  factoryFixture,
  edited,
  oracleTuple,
  termsTuple,
  plain,
} from "../helpers/factory-fixtures.js";

describe("DealFactory", function () {
  describe("constructor", function () {
    it("test_constructor_zeroAddress", async function () {
      const { factory, protocol } = await networkHelpers.loadFixture(factoryFixture);
      const args = [
        await factory.dealImplementation(),
        await factory.tokenImplementation(),
        await factory.offeringImplementation(),
        await factory.riskEngineImplementation(),
        await factory.equityWaterfallImplementation(),
        await protocol.oracle.getAddress(),
      ];
      const Factory = await ethers.getContractFactory("DealFactory");
      for (let i = 0; i < args.length; i++) {
        const bad = args.map((a, j) => (j === i ? ethers.ZeroAddress : a));
        await expect(Factory.deploy(...(bad as [string, string, string, string, string, string])))
          .to.be.revertedWithCustomError(factory, "ZeroAddress")
          .withArgs();
      }
    });

    it("test_constructor_storesImplementationsAndOracle", async function () {
      const { factory, protocol } = await networkHelpers.loadFixture(factoryFixture);
      const impls = [
        await factory.dealImplementation(),
        await factory.tokenImplementation(),
        await factory.offeringImplementation(),
      ];
      // Each getter points at deployed code of the right contract.
      const [deal, token, offering] = await Promise.all([
        dealAt(ethers, impls[0]),
        ethers.getContractAt("TrancheToken", impls[1]),
        ethers.getContractAt("Offering", impls[2]),
      ]);
      expect(await deal.SERVICER_ROLE()).to.equal(ethers.id("cascade.role.servicer"));
      // Implementations carry no parameters: tokens and offerings read theirs from their clones' code.
      expect(await offering.convertToShares(5n)).to.equal(5n);
      expect(ethers.Interface.from(token.interface.fragments).getFunction("initialize")).to.equal(
        null,
      );
      for (const a of impls) expect(await ethers.provider.getCode(a)).to.not.equal("0x");
      expect(await factory.oracle()).to.equal(await protocol.oracle.getAddress());
      expect(await factory.dealCount()).to.equal(0n);
      expect(await factory.deals()).to.deep.equal([]);
    });

    it("test_implementations_cannotBeInitialized", async function () {
      const { factory, terms, oracle } = await networkHelpers.loadFixture(factoryFixture);
      const deal = await dealAt(ethers, await factory.dealImplementation());
      const token = await ethers.getContractAt("TrancheToken", await factory.tokenImplementation());
      const offering = await ethers.getContractAt(
        "Offering",
        await factory.offeringImplementation(),
      );
      const o = await oracle.getAddress();
      await expect(deal.initialize(o, []))
        .to.be.revertedWithCustomError(deal, "InvalidInitialization")
        .withArgs();
      // Tokens and offerings have no initializer at all: their parameters are immutable clone arguments.
      expect(ethers.Interface.from(token.interface.fragments).getFunction("initialize")).to.equal(
        null,
      );
      expect(
        ethers.Interface.from(offering.interface.fragments).getFunction("initialize"),
      ).to.equal(null);
    });
  });

  describe("createDeal", function () {
    it("test_createDeal_emitsDealCreatedAndRecordsTheDeal", async function () {
      const { factory, oracle, terms, r, outsider, protocol } =
        await networkHelpers.loadFixture(factoryFixture);
      const factoryAddress = await factory.getAddress();
      // Clones are created in order: the deal, then token and offering of each tranche.
      const nonce = await ethers.provider.getTransactionCount(factoryAddress);
      const at = (k: number) => ethers.getCreateAddress({ from: factoryAddress, nonce: nonce + k });
      const dealAddress = at(0);
      const tokens = [at(1), at(3), at(5), at(7)];
      const offerings = [at(2), at(4), at(6), at(8)];
      expect(await factory.createDeal.staticCall(terms)).to.equal(dealAddress);

      const tx = factory.createDeal(terms);
      await expect(tx)
        .to.emit(factory, "DealCreated")
        .withArgs(0n, dealAddress, r.issuer.address, terms.stablecoin, tokens, offerings, anyValue);
      await expect(tx)
        .to.emit(oracle, "DealRegistered")
        .withArgs(dealAddress, factoryAddress, oracleTuple(terms.oracle));
      await expect(tx)
        .to.emit(oracle, "ReportersSet")
        .withArgs(dealAddress, 1n, terms.oracle.reporters, BigInt(terms.oracle.threshold));

      // The event commits to the term sheet, which is the call's input: an indexer reads it from there.
      const sent = await tx;
      const receipt = await sent.wait();
      const created = receipt!.logs
        .filter((l) => l.address === factoryAddress)
        .map((l) => factory.interface.parseLog(l)!)
        .find((l) => l.name === "DealCreated")!;
      const input = factory.interface.decodeFunctionData("createDeal", sent.data);
      expect(plain(input.terms)).to.deep.equal(termsTuple(terms));
      expect(created.args.termsHash).to.equal(ethers.keccak256(ethers.dataSlice(sent.data, 4)));
      expect(created.args.termsHash).to.equal(
        ethers.keccak256(
          factory.interface.encodeFunctionData("createDeal", [terms]).replace(/^0x.{8}/, "0x"),
        ),
      );

      expect(await factory.dealCount()).to.equal(1n);
      expect(await factory.dealAt(0)).to.equal(dealAddress);
      expect(await factory.deals()).to.deep.equal([dealAddress]);
      expect(await factory.isDeal(dealAddress)).to.equal(true);
      expect(await factory.isDeal(tokens[0])).to.equal(false);
      expect(await factory.isDeal(outsider.address)).to.equal(false);
      await expect(factory.dealAt(1))
        .to.be.revertedWithCustomError(factory, "UnknownDeal")
        .withArgs(1n);

      // A second deal gets the next id.
      const terms2 = await standardTermSheet(networkHelpers, protocol, r);
      const next = ethers.getCreateAddress({
        from: factoryAddress,
        nonce: await ethers.provider.getTransactionCount(factoryAddress),
      });
      await expect(factory.createDeal(terms2))
        .to.emit(factory, "DealCreated")
        .withArgs(1n, next, r.issuer.address, terms2.stablecoin, anyValue, anyValue, anyValue);
      expect(await factory.dealCount()).to.equal(2n);
      expect(await factory.dealAt(1)).to.equal(next);
      expect(await factory.deals()).to.deep.equal([dealAddress, next]);
      expect(await factory.isDeal(next)).to.equal(true);
    });

    it("test_createDeal_initializesTokens", async function () {
      const { protocol, terms } = await networkHelpers.loadFixture(factoryFixture);
      const h = await createDeal(ethers, protocol, terms);
      const dealAddress = await h.deal.getAddress();
      for (let i = 0; i < 4; i++) {
        const t = h.tokens[i];
        expect(await t.name()).to.equal(terms.tranches[i].name);
        expect(await t.symbol()).to.equal(terms.tranches[i].symbol);
        expect(await t.decimals()).to.equal(6n);
        expect(await t.totalSupply()).to.equal(0n);
        expect(await t.deal()).to.equal(dealAddress);
        expect(await t.offering()).to.equal(await h.offerings[i].getAddress());
        expect(await t.stablecoin()).to.equal(terms.stablecoin);
        expect(await t.trancheIndex()).to.equal(BigInt(i));
        expect(await t.paused()).to.equal(false);
        expect(await t.cashIndex()).to.equal(0n);
        const p = await t.params();
        expect([p.deal, p.stablecoin, p.trancheIndex, p.decimals]).to.deep.equal([
          dealAddress,
          terms.stablecoin,
          BigInt(i),
          6n,
        ]);
      }
      expect(["Senior", "Mezzanine", "Junior", "Equity"]).to.deep.equal(
        await Promise.all(h.tokens.map((t) => t.name())),
      );
      expect(["SENIOR", "MEZZANIN", "JUNIOR", "EQUITY"]).to.deep.equal(
        await Promise.all(h.tokens.map((t) => t.symbol())),
      );
    });

    it("test_createDeal_tokenDecimalsFollowTheStablecoin", async function () {
      const { protocol, r } = await networkHelpers.loadFixture(factoryFixture);
      for (const decimals of [0, 18]) {
        const coin = await ethers.deployContract("MockStablecoin", ["Coin", "C", decimals]);
        const unit = 10n ** BigInt(decimals);
        const terms = await standardTermSheet(networkHelpers, protocol, r, {
          stablecoin: await coin.getAddress(),
          tranches: [fixedNote("A", 10n * unit, WAD / 10n), equity("E", 10n * unit)].map((tr) => ({
            ...tr,
            minRaise: unit,
            minTicket: unit,
          })),
        });
        const h = await createDeal(ethers, protocol, terms);
        for (const t of h.tokens) expect(await t.decimals()).to.equal(BigInt(decimals));
      }
    });

    it("test_createDeal_initializesOfferings", async function () {
      const { protocol, terms, r } = await networkHelpers.loadFixture(factoryFixture);
      const withReserve = edited(terms, (t) => {
        t.tranches[0].reserveFundingBps = 250;
        t.tranches[1].minRaise = 500_000n * USDC;
        t.tranches[2].minTicket = 10_000n * USDC;
      });
      const h = await createDeal(ethers, protocol, withReserve);
      const dealAddress = await h.deal.getAddress();
      for (let i = 0; i < 4; i++) {
        const o = h.offerings[i];
        const tr = withReserve.tranches[i];
        expect(plain(await o.config())).to.deep.equal([
          dealAddress,
          terms.stablecoin,
          r.issuer.address,
          BigInt(i),
          terms.offeringOpensAt,
          terms.offeringClosesAt,
          tr.faceAmount,
          tr.minRaise,
          tr.minTicket,
          BigInt(tr.reserveFundingBps),
        ]);
        expect(await o.asset()).to.equal(terms.stablecoin);
        expect(await o.share()).to.equal(await h.tokens[i].getAddress());
        expect(await o.closed()).to.deep.equal([false, false]);
      }
    });

    it("test_createDeal_initializesTheDeal", async function () {
      const { protocol, terms, r, oracle } = await networkHelpers.loadFixture(factoryFixture);
      const h = await createDeal(ethers, protocol, terms);
      const d = h.deal;
      expect(await d.stablecoin()).to.equal(terms.stablecoin);
      expect(await d.oracle()).to.equal(await oracle.getAddress());
      expect(await d.issuer()).to.equal(r.issuer.address);
      expect(await d.servicer()).to.equal(r.servicer.address);
      expect(await d.trustee()).to.equal(r.trustee.address);
      expect(await d.status()).to.equal(BigInt(DealStatus.Offering));
      expect(await d.start()).to.equal(terms.start);
      expect(await d.periodLength()).to.equal(terms.periodLength);
      expect(await d.periodCount()).to.equal(12n);
      expect(await d.pledgedShareBps()).to.equal(10_000n);
      expect(await d.servicerFeeBps()).to.equal(100n);
      expect(await d.trusteeFeePerPeriod()).to.equal(terms.trusteeFeePerPeriod);
      expect(await d.keeperBounty()).to.equal(terms.keeperBounty);
      expect(await d.keeperBounty()).to.equal(50n * USDC);
      expect(await d.missedReports()).to.equal(0n);
      expect(await d.nextPeriod()).to.equal(0n);
      expect(await d.reserve()).to.deep.equal([0n, terms.reserveTarget]);
      expect(await d.trancheCount()).to.equal(4n);
      expect(await d.paused()).to.equal(false);
      for (let i = 0; i < 4; i++) {
        const tr = terms.tranches[i];
        expect(plain(await d.tranche(i))).to.deep.equal([
          await h.tokens[i].getAddress(),
          await h.offerings[i].getAddress(),
          BigInt(tr.kind),
          [
            BigInt(tr.coupon.couponType),
            tr.coupon.baseRate,
            tr.coupon.slope,
            tr.coupon.strike,
            tr.coupon.floorRate,
            tr.coupon.capRate,
          ],
          [
            BigInt(tr.principal.scheduleType),
            BigInt(tr.principal.amortStartPeriod),
            BigInt(tr.principal.amortPeriods),
          ],
          0n,
          0n,
          0n,
          0n,
        ]);
      }
      // The clone cannot be initialized again.
      const o = await oracle.getAddress();
      await expect(d.initialize(o, []))
        .to.be.revertedWithCustomError(d, "InvalidInitialization")
        .withArgs();
    });

    it("test_createDeal_revertsWhenACloneLandsElsewhere", async function () {
      // The deal names its tokens, offerings and risk engine by the addresses the factory's nonce predicts; a
      // nonce moved under the factory (only a test node can) makes the deal land elsewhere, and nothing is created.
      const { factory, terms } = await networkHelpers.loadFixture(factoryFixture);
      const factoryAddress = await factory.getAddress();
      const nonce = await ethers.provider.getTransactionCount(factoryAddress);
      await networkHelpers.setNonce(factoryAddress, nonce + 1);
      const landed = ethers.getCreateAddress({ from: factoryAddress, nonce: nonce + 1 });
      await expect(factory.createDeal(terms))
        .to.be.revertedWithCustomError(factory, "UnexpectedAddress")
        .withArgs(landed);
      expect(await factory.dealCount()).to.equal(0n);
    });

    it("test_createDeal_grantsRoles", async function () {
      const { protocol, terms, r, factory } = await networkHelpers.loadFixture(factoryFixture);
      const h = await createDeal(ethers, protocol, terms);
      const d = h.deal;
      const ADMIN = ethers.ZeroHash;
      const SERVICER = await d.SERVICER_ROLE();
      const GUARDIAN = await d.GUARDIAN_ROLE();
      expect(SERVICER).to.equal(ethers.id("cascade.role.servicer"));
      expect(GUARDIAN).to.equal(ethers.id("cascade.role.guardian"));
      expect(await d.hasRole(ADMIN, r.issuer.address)).to.equal(true);
      expect(await d.hasRole(SERVICER, r.servicer.address)).to.equal(true);
      expect(await d.hasRole(GUARDIAN, r.guardian.address)).to.equal(true);
      // Nothing else: not the factory, not the trustee, and each role only to its holder.
      const factoryAddress = await factory.getAddress();
      for (const role of [ADMIN, SERVICER, GUARDIAN]) {
        expect(await d.hasRole(role, factoryAddress)).to.equal(false);
        expect(await d.hasRole(role, r.trustee.address)).to.equal(false);
      }
      expect(await d.getRoleAdmin(ADMIN)).to.equal(ADMIN);
      expect(await d.getRoleAdmin(SERVICER)).to.equal(ADMIN);
      // The guardian role's admin is a role nobody holds: it changes only through the guardian-change delay.
      const guardianAdmin = ethers.id("cascade.role.guardian-admin");
      expect(await d.getRoleAdmin(GUARDIAN)).to.equal(guardianAdmin);
      for (const who of [r.issuer, r.guardian, r.servicer, r.trustee]) {
        expect(await d.hasRole(guardianAdmin, who.address)).to.equal(false);
      }
      expect(await d.guardian()).to.equal(r.guardian.address);
      expect(await d.pendingGuardianChange()).to.deep.equal([ethers.ZeroAddress, 0n]);
      expect(await d.hasRole(ADMIN, r.servicer.address)).to.equal(false);
      expect(await d.hasRole(SERVICER, r.issuer.address)).to.equal(false);
      expect(await d.hasRole(GUARDIAN, r.issuer.address)).to.equal(false);
    });

    it("test_createDeal_registersReportersWithTheOracle", async function () {
      const { protocol, terms, r, oracle } = await networkHelpers.loadFixture(factoryFixture);
      const custom = edited(terms, (t) => {
        t.oracle.reporters = [r.reporters[2].address, r.reporters[0].address];
        t.oracle.threshold = 1;
        t.oracle.disputeWindow = 3_600n;
        t.oracle.reportDeadline = 3_601n;
        t.oracle.reporterChangeDelay = 1n;
        t.oracle.fleetGpus = 1n;
        t.oracle.maxPricePerGpuHour = 1n;
        t.oracle.maxUtilizationStep = WAD;
      });
      const h = await createDeal(ethers, protocol, custom);
      const dealAddress = await h.deal.getAddress();
      expect(await oracle.reporters(dealAddress)).to.deep.equal(custom.oracle.reporters);
      // Every oracle term is stored as given (the smallest valid values here).
      expect(plain(await oracle.terms(dealAddress))).to.deep.equal(oracleTuple(custom.oracle));
      expect(await oracle.reporterSet(dealAddress)).to.equal(1n);
      // Report deadlines follow the deal's own schedule.
      expect(await oracle.reportDeadline(dealAddress, 0n)).to.equal(
        (await h.deal.periodEnd(0n)) + 3_601n,
      );
      expect(await oracle.threshold(dealAddress)).to.equal(1n);
      expect(await oracle.isReporter(dealAddress, r.reporters[2].address)).to.equal(true);
      expect(await oracle.isReporter(dealAddress, r.reporters[0].address)).to.equal(true);
      expect(await oracle.isReporter(dealAddress, r.reporters[1].address)).to.equal(false);
    });

    it("test_createDeal_gas_fourTranches", async function () {
      const { factory, terms } = await networkHelpers.loadFixture(factoryFixture);
      const first = await (await factory.createDeal(terms)).wait();
      const second = await (await factory.createDeal(terms)).wait();
      console.log(
        `      createDeal gas, 4 tranches, 3 reporters: first deal ${first!.gasUsed}, next deal ${second!.gasUsed}`,
      );
      expect(first!.gasUsed).to.be.lessThan(GAS_BUDGET_CREATE_DEAL);
      expect(second!.gasUsed).to.be.lessThan(GAS_BUDGET_CREATE_DEAL);
    });
  });
});
