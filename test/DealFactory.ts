import { expect } from "chai";
import { anyValue } from "@nomicfoundation/hardhat-ethers-chai-matchers/withArgs";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { ContractTransactionResponse } from "ethers";
import { network } from "hardhat";

import type { DealFactory } from "../types/ethers-contracts/index.js";
import {
  CouponType,
  DealStatus,
  PrincipalType,
  USDC,
  WAD,
  createDeal,
  deployProtocol,
  equity,
  fixedNote,
  roles,
  standardTermSheet,
  type TermSheetInput,
  type TrancheTermsInput,
} from "./helpers/fixtures.js";

const { ethers, networkHelpers } = await network.create();

/** IDeal.TermSheetField, in declaration order. */
enum Field {
  Stablecoin,
  Decimals,
  Issuer,
  Servicer,
  Trustee,
  Guardian,
  OfferingWindow,
  Start,
  PeriodLength,
  PeriodCount,
  PledgedShare,
  ServicerFee,
  TrancheCount,
  TrancheKind,
  TrancheName,
  FaceAmount,
  MinRaise,
  MinTicket,
  ReserveFunding,
  Coupon,
  Principal,
}

/** IUtilizationOracle.OracleTermsField, in declaration order. */
enum OracleField {
  DisputeWindow,
  ReportDeadline,
  ReporterChangeDelay,
  FleetGpus,
  MaxPricePerGpuHour,
  MaxUtilizationStep,
}

const GAS_BUDGET_CREATE_DEAL = 2_000_000n;

/** EIP-712 type of an issuer's consent to a deal (`DealFactory.CREATE_DEAL_TYPEHASH`). */
const CREATE_DEAL_TYPES = {
  CreateDeal: [
    { name: "termsHash", type: "bytes32" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
};

interface Consent {
  termsHash: string;
  nonce: bigint;
  deadline: bigint;
}

async function factoryFixture() {
  const protocol = await deployProtocol(ethers);
  const r = await roles(ethers);
  const terms = await standardTermSheet(networkHelpers, protocol, r);
  const dealImpl = await ethers.getContractAt("Deal", await protocol.factory.dealImplementation());
  const [, , , , , , , , , , , , , , , , outsider] = await ethers.getSigners();
  return {
    protocol,
    // The issuer sends createDeal (only it may).
    factory: protocol.factory.connect(r.issuer),
    oracle: protocol.oracle,
    r,
    terms,
    dealImpl,
    outsider,
  };
}

/** Deep copy of a term sheet with `edit` applied, so a case never leaks into another. */
function edited(terms: TermSheetInput, edit: (t: TermSheetInput) => void): TermSheetInput {
  const copy: TermSheetInput = {
    ...terms,
    oracle: { ...terms.oracle, reporters: [...terms.oracle.reporters] },
    tranches: terms.tranches.map((tr) => ({
      ...tr,
      coupon: { ...tr.coupon },
      principal: { ...tr.principal },
    })),
  };
  edit(copy);
  return copy;
}

/** OracleTerms as the ABI tuple events and views carry. */
function oracleTuple(o: TermSheetInput["oracle"]): unknown[] {
  return [
    o.reporters,
    BigInt(o.threshold),
    o.disputeWindow,
    o.reportDeadline,
    o.reporterChangeDelay,
    o.fleetGpus,
    o.maxPricePerGpuHour,
    o.maxUtilizationStep,
  ];
}

function riskTuple(r: TermSheetInput["risk"]): unknown[] {
  return [
    BigInt(r.trailingPeriods),
    BigInt(r.cleanUpBps),
    r.turbo,
    BigInt(r.waiverVotingPeriod),
    [r.priceFeed.feed, BigInt(r.priceFeed.decimals), BigInt(r.priceFeed.maxStaleness)],
    r.triggers.map((t) => [
      BigInt(t.metric),
      BigInt(t.comparison),
      BigInt(t.effect),
      BigInt(t.periods),
      t.cures,
      t.threshold,
    ]),
    r.fleet.map((e) => [
      e.model,
      BigInt(e.count),
      e.unitCost,
      e.unitResidual,
      e.acquiredAt,
      BigInt(e.usefulLife),
      BigInt(e.method),
      e.yearlyRate,
      e.indexAtAcquisition,
    ]),
  ];
}

function termsTuple(t: TermSheetInput): unknown[] {
  const tranche = (tr: TrancheTermsInput) => [
    tr.name,
    tr.symbol,
    BigInt(tr.kind),
    tr.faceAmount,
    tr.minRaise,
    tr.minTicket,
    BigInt(tr.reserveFundingBps),
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
    [
      BigInt(tr.transfer.allowedClasses),
      BigInt(tr.transfer.minHoldingPeriod),
      BigInt(tr.transfer.maxHolders),
      tr.transfer.minHolding,
      [...tr.transfer.blockedCountries],
    ],
  ];
  return [
    t.stablecoin,
    t.issuer,
    t.servicer,
    t.trustee,
    t.guardian,
    t.registry,
    t.offeringOpensAt,
    t.offeringClosesAt,
    t.start,
    t.periodLength,
    BigInt(t.periodCount),
    BigInt(t.pledgedShareBps),
    BigInt(t.servicerFeeBps),
    t.trusteeFeePerPeriod,
    t.reserveTarget,
    t.keeperBounty,
    oracleTuple(t.oracle),
    riskTuple(t.risk),
    t.tranches.map(tranche),
  ];
}

/** keccak256(abi.encode(terms)): the createDeal call's arguments. */
function termsHashOf(factory: DealFactory, terms: TermSheetInput): string {
  return ethers.keccak256(
    ethers.dataSlice(factory.interface.encodeFunctionData("createDeal", [terms]), 4),
  );
}

/** The factory's EIP-712 domain. */
async function consentDomain(factory: DealFactory) {
  return {
    name: "Cascade Deal Factory",
    version: "1",
    chainId: (await ethers.provider.getNetwork()).chainId,
    verifyingContract: await factory.getAddress(),
  };
}

/**
 * `signer`'s EIP-712 signature of the consent to `terms` with the issuer's current nonce (unless given), valid for
 * an hour (unless `deadline` is given).
 */
async function signConsent(
  factory: DealFactory,
  signer: { signTypedData: HardhatEthersSigner["signTypedData"] },
  terms: TermSheetInput,
  overrides: Partial<Consent> = {},
): Promise<Consent & { signature: string }> {
  const consent: Consent = {
    termsHash: termsHashOf(factory, terms),
    nonce: await factory.nonces(terms.issuer),
    deadline: BigInt(await networkHelpers.time.latest()) + 3_600n,
    ...overrides,
  };
  const signature = await signer.signTypedData(
    await consentDomain(factory),
    CREATE_DEAL_TYPES,
    consent,
  );
  return { ...consent, signature };
}

/** The DealCreated event of a transaction's receipt. */
async function dealCreatedIn(factory: DealFactory, tx: Promise<ContractTransactionResponse>) {
  const receipt = (await (await tx).wait())!;
  const factoryAddress = await factory.getAddress();
  return receipt.logs
    .filter((l) => l.address === factoryAddress)
    .map((l) => factory.interface.parseLog(l)!)
    .find((l) => l.name === "DealCreated")!;
}

/** Converts ethers Results to plain nested arrays for deep comparison. */
function plain(x: unknown): unknown {
  return Array.isArray(x) ? Array.from(x, plain) : x;
}

describe("DealFactory", function () {
  describe("constructor", function () {
    it("test_constructor_zeroAddress", async function () {
      const { factory, protocol } = await networkHelpers.loadFixture(factoryFixture);
      const args = [
        await factory.dealImplementation(),
        await factory.tokenImplementation(),
        await factory.offeringImplementation(),
        await factory.riskEngineImplementation(),
        await protocol.oracle.getAddress(),
      ];
      const Factory = await ethers.getContractFactory("DealFactory");
      for (let i = 0; i < args.length; i++) {
        const bad = args.map((a, j) => (j === i ? ethers.ZeroAddress : a));
        await expect(Factory.deploy(...(bad as [string, string, string, string, string])))
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
        ethers.getContractAt("Deal", impls[0]),
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
      const deal = await ethers.getContractAt("Deal", await factory.dealImplementation());
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
      const ADMIN = await d.DEFAULT_ADMIN_ROLE();
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

  describe("issuer consent", function () {
    it("test_createDeal_issuerConsentRequired", async function () {
      const { factory, terms, outsider, r } = await networkHelpers.loadFixture(factoryFixture);
      // Anyone but the issuer the term sheet names: refused, even a party of the deal.
      for (const caller of [outsider, r.servicer, r.guardian]) {
        await expect(factory.connect(caller).createDeal(terms))
          .to.be.revertedWithCustomError(factory, "IssuerConsentRequired")
          .withArgs(r.issuer.address, caller.address);
      }
      // Checked before the terms: an invalid term sheet from a non-issuer is refused for want of consent.
      await expect(factory.connect(outsider).createDeal(edited(terms, (t) => (t.periodCount = 0))))
        .to.be.revertedWithCustomError(factory, "IssuerConsentRequired")
        .withArgs(r.issuer.address, outsider.address);
      expect(await factory.dealCount()).to.equal(0n);
      // The issuer itself: created, and no consent nonce is used.
      await expect(factory.connect(r.issuer).createDeal(terms)).to.emit(factory, "DealCreated");
      expect(await factory.nonces(r.issuer.address)).to.equal(0n);
    });

    it("test_hashCreateDeal_isTheEip712DigestOfTheConsent", async function () {
      const { factory, terms, r } = await networkHelpers.loadFixture(factoryFixture);
      expect(await factory.CREATE_DEAL_TYPEHASH()).to.equal(
        ethers.id("CreateDeal(bytes32 termsHash,uint256 nonce,uint256 deadline)"),
      );
      const domain = await consentDomain(factory);
      const eip5267 = await factory.eip712Domain();
      expect([
        eip5267.name,
        eip5267.version,
        eip5267.chainId,
        eip5267.verifyingContract,
      ]).to.deep.equal([domain.name, domain.version, domain.chainId, domain.verifyingContract]);
      const consent = { termsHash: termsHashOf(factory, terms), nonce: 7n, deadline: 1_234n };
      expect(
        await factory.hashCreateDeal(consent.termsHash, consent.nonce, consent.deadline),
      ).to.equal(ethers.TypedDataEncoder.hash(domain, CREATE_DEAL_TYPES, consent));
      expect(await factory.nonces(r.issuer.address)).to.equal(0n);
    });

    it("test_createDealWithConsent_eoaIssuer", async function () {
      const { factory, oracle, terms, outsider, r } =
        await networkHelpers.loadFixture(factoryFixture);
      const c = await signConsent(factory, r.issuer, terms);
      const dealAddress = ethers.getCreateAddress({
        from: await factory.getAddress(),
        nonce: await ethers.provider.getTransactionCount(await factory.getAddress()),
      });
      // Anyone submits it; the deal is the issuer's.
      const tx = factory.connect(outsider).createDealWithConsent(terms, c.deadline, c.signature);
      await expect(tx)
        .to.emit(factory, "IssuerConsentUsed")
        .withArgs(r.issuer.address, 0n, c.termsHash)
        .and.to.emit(factory, "DealCreated")
        .withArgs(
          0n,
          dealAddress,
          r.issuer.address,
          terms.stablecoin,
          anyValue,
          anyValue,
          c.termsHash,
        )
        .and.to.emit(oracle, "DealRegistered");
      expect(await factory.nonces(r.issuer.address)).to.equal(1n);
      expect(await factory.isDeal(dealAddress)).to.equal(true);
      const deal = await ethers.getContractAt("Deal", dealAddress);
      expect(await deal.issuer()).to.equal(r.issuer.address);
      expect(await deal.hasRole(ethers.ZeroHash, r.issuer.address)).to.equal(true);
      expect(await deal.hasRole(ethers.ZeroHash, outsider.address)).to.equal(false);

      // The same terms sent by the issuer: DealCreated commits to the same hash.
      const direct = await dealCreatedIn(factory, factory.connect(r.issuer).createDeal(terms));
      expect(direct.args.termsHash).to.equal(c.termsHash);
      // A consent with the next nonce works until its deadline, inclusive.
      const next = await signConsent(factory, r.issuer, terms, {
        deadline: BigInt(await networkHelpers.time.latest()) + 100n,
      });
      expect(next.nonce).to.equal(1n);
      await networkHelpers.time.setNextBlockTimestamp(next.deadline);
      await expect(
        factory.connect(outsider).createDealWithConsent(terms, next.deadline, next.signature),
      )
        .to.emit(factory, "IssuerConsentUsed")
        .withArgs(r.issuer.address, 1n, c.termsHash);
      expect(await factory.dealCount()).to.equal(3n);
    });

    it("test_createDealWithConsent_erc1271Issuer", async function () {
      // The issuer is a contract wallet (ERC-1271) whose owner signs; an outsider submits.
      const { factory, terms, outsider, r } = await networkHelpers.loadFixture(factoryFixture);
      const owner = r.investors[0];
      const wallet = await ethers.deployContract("ERC1271Wallet", [owner.address]);
      const walletAddress = await wallet.getAddress();
      const walletTerms = edited(terms, (t) => (t.issuer = walletAddress));
      // The wallet cannot send transactions itself here; its owner's consent is its consent.
      await expect(factory.connect(owner).createDeal(walletTerms))
        .to.be.revertedWithCustomError(factory, "IssuerConsentRequired")
        .withArgs(walletAddress, owner.address);
      const c = await signConsent(factory, owner, walletTerms);
      const created = await dealCreatedIn(
        factory,
        factory.connect(outsider).createDealWithConsent(walletTerms, c.deadline, c.signature),
      );
      expect([created.args.issuer, created.args.termsHash]).to.deep.equal([
        walletAddress,
        c.termsHash,
      ]);
      expect(await factory.nonces(walletAddress)).to.equal(1n);
      const deal = await ethers.getContractAt("Deal", created.args.deal as string);
      expect(await deal.hasRole(ethers.ZeroHash, walletAddress)).to.equal(true);
      // A signature by someone other than the wallet's owner is not the wallet's consent.
      const forged = await signConsent(factory, outsider, walletTerms);
      await expect(factory.createDealWithConsent(walletTerms, forged.deadline, forged.signature))
        .to.be.revertedWithCustomError(factory, "InvalidIssuerSignature")
        .withArgs(walletAddress);
    });

    it("test_createDealWithConsent_consentExpired", async function () {
      const { factory, terms, outsider, r } = await networkHelpers.loadFixture(factoryFixture);
      const deadline = BigInt(await networkHelpers.time.latest()) + 60n;
      const c = await signConsent(factory, r.issuer, terms, { deadline });
      await networkHelpers.time.setNextBlockTimestamp(deadline + 1n);
      await expect(factory.connect(outsider).createDealWithConsent(terms, deadline, c.signature))
        .to.be.revertedWithCustomError(factory, "ConsentExpired")
        .withArgs(deadline);
      // Checked before the signature: a signature for another deadline is refused as expired too.
      await expect(factory.connect(outsider).createDealWithConsent(terms, 0n, c.signature))
        .to.be.revertedWithCustomError(factory, "ConsentExpired")
        .withArgs(0n);
      expect(await factory.nonces(r.issuer.address)).to.equal(0n);
      expect(await factory.dealCount()).to.equal(0n);
    });

    it("test_createDealWithConsent_replayedSignature", async function () {
      const { factory, terms, outsider, r } = await networkHelpers.loadFixture(factoryFixture);
      const c = await signConsent(factory, r.issuer, terms);
      await factory.connect(outsider).createDealWithConsent(terms, c.deadline, c.signature);
      // The nonce is used: the same signature, by anyone, is no longer the issuer's consent.
      for (const sender of [outsider, r.issuer]) {
        await expect(factory.connect(sender).createDealWithConsent(terms, c.deadline, c.signature))
          .to.be.revertedWithCustomError(factory, "InvalidIssuerSignature")
          .withArgs(r.issuer.address);
      }
      expect(await factory.nonces(r.issuer.address)).to.equal(1n);
      expect(await factory.dealCount()).to.equal(1n);
    });

    it("test_createDealWithConsent_invalidIssuerSignature", async function () {
      const { factory, protocol, terms, outsider, r } =
        await networkHelpers.loadFixture(factoryFixture);
      const refused = async (signature: string, deadline: bigint, t = terms) =>
        expect(factory.connect(outsider).createDealWithConsent(t, deadline, signature))
          .to.be.revertedWithCustomError(factory, "InvalidIssuerSignature")
          .withArgs(t.issuer);
      // Signed by another key.
      const wrong = await signConsent(factory, outsider, terms);
      await refused(wrong.signature, wrong.deadline);
      // The issuer's signature, but of other terms, another nonce, another deadline or another factory.
      const other = edited(terms, (t) => (t.keeperBounty = t.keeperBounty + 1n));
      const forOther = await signConsent(factory, r.issuer, other);
      await refused(forOther.signature, forOther.deadline);
      const later = await signConsent(factory, r.issuer, terms, { nonce: 1n });
      await refused(later.signature, later.deadline);
      const c = await signConsent(factory, r.issuer, terms);
      await refused(c.signature, c.deadline + 1n);
      const elsewhere = await deployProtocol(ethers);
      const foreign = await signConsent(elsewhere.factory, r.issuer, terms);
      await refused(foreign.signature, foreign.deadline);
      // Not a signature at all.
      await refused("0x", c.deadline);
      await refused(ethers.hexlify(ethers.randomBytes(65)), c.deadline);
      // A term sheet naming no issuer has no one who could sign.
      const none = edited(terms, (t) => (t.issuer = ethers.ZeroAddress));
      const unsigned = await signConsent(factory, r.issuer, none);
      await refused(unsigned.signature, unsigned.deadline, none);
      expect(await factory.nonces(r.issuer.address)).to.equal(0n);
      expect(await factory.dealCount()).to.equal(0n);
      // The consent that was signed is still good.
      await expect(
        factory.connect(outsider).createDealWithConsent(terms, c.deadline, c.signature),
      ).to.emit(factory, "DealCreated");
      expect(await protocol.factory.dealCount()).to.equal(1n);
    });

    it("test_createDealWithConsent_termsStillValidated", async function () {
      // A valid consent to an invalid term sheet: refused for the terms, and the nonce is not used.
      const { factory, terms, outsider, r } = await networkHelpers.loadFixture(factoryFixture);
      const bad = edited(terms, (t) => (t.periodCount = 0));
      const c = await signConsent(factory, r.issuer, bad);
      await expect(factory.connect(outsider).createDealWithConsent(bad, c.deadline, c.signature))
        .to.be.revertedWithCustomError(factory, "InvalidTermSheet")
        .withArgs(BigInt(Field.PeriodCount), 0n);
      expect(await factory.nonces(r.issuer.address)).to.equal(0n);
    });
  });

  describe("createDeal term-sheet validation", function () {
    /** Expects InvalidTermSheet(field, index) and that no deal was created. */
    async function expectInvalid(
      f: Awaited<ReturnType<typeof factoryFixture>>,
      terms: TermSheetInput,
      field: Field,
      index = 0n,
    ) {
      await expect(f.factory.createDeal(terms))
        .to.be.revertedWithCustomError(f.factory, "InvalidTermSheet")
        .withArgs(BigInt(field), index);
      expect(await f.factory.dealCount()).to.equal(0n);
    }

    it("test_createDeal_standardTermsAreValid", async function () {
      const f = await networkHelpers.loadFixture(factoryFixture);
      await expect(f.factory.createDeal(f.terms)).to.emit(f.factory, "DealCreated");
    });

    it("test_createDeal_invalid_Stablecoin", async function () {
      const f = await networkHelpers.loadFixture(factoryFixture);
      // An EOA, the zero address and a precompile have no code.
      for (const coin of [
        f.outsider.address,
        ethers.ZeroAddress,
        "0x0000000000000000000000000000000000000001",
      ]) {
        await expectInvalid(
          f,
          edited(f.terms, (t) => (t.stablecoin = coin)),
          Field.Stablecoin,
        );
      }
    });

    it("test_createDeal_invalid_Decimals", async function () {
      const f = await networkHelpers.loadFixture(factoryFixture);
      const coin19 = await ethers.deployContract("MockStablecoin", ["Coin", "C", 19]);
      const address = await coin19.getAddress();
      await expectInvalid(
        f,
        edited(f.terms, (t) => (t.stablecoin = address)),
        Field.Decimals,
      );
      // 18 decimals is the largest accepted (minimum raise of one whole unit).
      const coin18 = await ethers.deployContract("MockStablecoin", ["Coin", "C", 18]);
      const coin18Address = await coin18.getAddress();
      const ok = edited(f.terms, (t) => {
        t.stablecoin = coin18Address;
        t.tranches.forEach((tr) => {
          tr.faceAmount = 10n ** 24n;
          tr.minRaise = 10n ** 18n;
        });
      });
      await expect(f.factory.createDeal(ok)).to.emit(f.factory, "DealCreated");
    });

    it("test_createDeal_invalid_roles", async function () {
      const f = await networkHelpers.loadFixture(factoryFixture);
      const z = ethers.ZeroAddress;
      // No issuer: nobody can consent, so the factory refuses the call before it reads the terms (TermSheetLib's
      // own check of the issuer is a second line).
      await expect(f.factory.createDeal(edited(f.terms, (t) => (t.issuer = z))))
        .to.be.revertedWithCustomError(f.factory, "IssuerConsentRequired")
        .withArgs(z, f.r.issuer.address);
      await expectInvalid(
        f,
        edited(f.terms, (t) => (t.servicer = z)),
        Field.Servicer,
      );
      await expectInvalid(
        f,
        edited(f.terms, (t) => (t.trustee = z)),
        Field.Trustee,
      );
      await expectInvalid(
        f,
        edited(f.terms, (t) => (t.guardian = z)),
        Field.Guardian,
      );
    });

    it("test_createDeal_invalid_OfferingWindow", async function () {
      const f = await networkHelpers.loadFixture(factoryFixture);
      const now = BigInt(await networkHelpers.time.latest());
      // opens == closes
      await expectInvalid(
        f,
        edited(f.terms, (t) => (t.offeringOpensAt = t.offeringClosesAt)),
        Field.OfferingWindow,
      );
      // opens after closes
      await expectInvalid(
        f,
        edited(f.terms, (t) => (t.offeringOpensAt = t.offeringClosesAt + 1n)),
        Field.OfferingWindow,
      );
      // closes in the past, or exactly now (the next block's timestamp)
      await expectInvalid(
        f,
        edited(f.terms, (t) => {
          t.offeringOpensAt = now - 100n;
          t.offeringClosesAt = now - 1n;
        }),
        Field.OfferingWindow,
      );
      await networkHelpers.time.setNextBlockTimestamp(now + 10n);
      await expectInvalid(
        f,
        edited(f.terms, (t) => {
          t.offeringOpensAt = now - 100n;
          t.offeringClosesAt = now + 10n;
        }),
        Field.OfferingWindow,
      );
      // An offering window that opened in the past but is still open is fine.
      await expect(
        f.factory.createDeal(
          edited(f.terms, (t) => {
            t.offeringOpensAt = 0n;
          }),
        ),
      ).to.emit(f.factory, "DealCreated");
    });

    it("test_createDeal_invalid_Start", async function () {
      const f = await networkHelpers.loadFixture(factoryFixture);
      await expectInvalid(
        f,
        edited(f.terms, (t) => (t.start = t.offeringClosesAt - 1n)),
        Field.Start,
      );
      await expect(
        f.factory.createDeal(edited(f.terms, (t) => (t.start = t.offeringClosesAt + 5n * 86_400n))),
      ).to.emit(f.factory, "DealCreated");
    });

    it("test_createDeal_invalid_Start_maturityBeyondUint64", async function () {
      // Period ends are uint64 timestamps: a start so late that start + periodCount × periodLength does not fit
      // would make Deal.periodEnd wrap around to a date in the past (every period "ended" at once). Such a term
      // sheet must be refused.
      const f = await networkHelpers.loadFixture(factoryFixture);
      const start = 2n ** 64n - 100n;
      await expectInvalid(
        f,
        edited(f.terms, (t) => (t.start = start)),
        Field.Start,
      );
    });

    it("test_createDeal_invalid_PeriodLength_PeriodCount", async function () {
      const f = await networkHelpers.loadFixture(factoryFixture);
      await expectInvalid(
        f,
        edited(f.terms, (t) => (t.periodLength = 0n)),
        Field.PeriodLength,
      );
      await expectInvalid(
        f,
        edited(f.terms, (t) => (t.periodCount = 0)),
        Field.PeriodCount,
      );
    });

    it("test_createDeal_invalid_PledgedShare", async function () {
      const f = await networkHelpers.loadFixture(factoryFixture);
      await expectInvalid(
        f,
        edited(f.terms, (t) => (t.pledgedShareBps = 0)),
        Field.PledgedShare,
      );
      await expectInvalid(
        f,
        edited(f.terms, (t) => (t.pledgedShareBps = 10_001)),
        Field.PledgedShare,
      );
      await expect(f.factory.createDeal(edited(f.terms, (t) => (t.pledgedShareBps = 1)))).to.emit(
        f.factory,
        "DealCreated",
      );
    });

    it("test_createDeal_invalid_ServicerFee", async function () {
      const f = await networkHelpers.loadFixture(factoryFixture);
      await expectInvalid(
        f,
        edited(f.terms, (t) => (t.servicerFeeBps = 10_001)),
        Field.ServicerFee,
      );
      await expect(
        f.factory.createDeal(edited(f.terms, (t) => (t.servicerFeeBps = 10_000))),
      ).to.emit(f.factory, "DealCreated");
    });

    it("test_createDeal_invalid_TrancheCount", async function () {
      const f = await networkHelpers.loadFixture(factoryFixture);
      await expectInvalid(
        f,
        edited(f.terms, (t) => (t.tranches = [])),
        Field.TrancheCount,
        0n,
      );
      await expectInvalid(
        f,
        edited(f.terms, (t) => (t.tranches = [equity("E", USDC)])),
        Field.TrancheCount,
        1n,
      );
      const nine = [
        ...Array.from({ length: 8 }, (_, i) => fixedNote(`N${i}`, USDC, 0n)),
        equity("E", USDC),
      ];
      await expectInvalid(
        f,
        edited(f.terms, (t) => (t.tranches = nine)),
        Field.TrancheCount,
        9n,
      );
      // Eight tranches is the maximum.
      await expect(
        f.factory.createDeal(edited(f.terms, (t) => (t.tranches = nine.slice(1)))),
      ).to.emit(f.factory, "DealCreated");
    });

    it("test_createDeal_invalid_TrancheKind", async function () {
      const f = await networkHelpers.loadFixture(factoryFixture);
      // Equity first.
      await expectInvalid(
        f,
        edited(f.terms, (t) => (t.tranches = [equity("E", USDC), fixedNote("N", USDC, 0n)])),
        Field.TrancheKind,
        0n,
      );
      // No equity last.
      await expectInvalid(
        f,
        edited(f.terms, (t) => (t.tranches[3] = fixedNote("N", USDC, 0n))),
        Field.TrancheKind,
        3n,
      );
      // Two equity classes.
      await expectInvalid(
        f,
        edited(f.terms, (t) => (t.tranches[2] = equity("E2", USDC))),
        Field.TrancheKind,
        2n,
      );
    });

    it("test_createDeal_invalid_TrancheName", async function () {
      const f = await networkHelpers.loadFixture(factoryFixture);
      await expectInvalid(
        f,
        edited(f.terms, (t) => (t.tranches[1].name = "")),
        Field.TrancheName,
        1n,
      );
      await expectInvalid(
        f,
        edited(f.terms, (t) => (t.tranches[2].name = "x".repeat(32))),
        Field.TrancheName,
        2n,
      );
      await expectInvalid(
        f,
        edited(f.terms, (t) => (t.tranches[0].symbol = "")),
        Field.TrancheName,
        0n,
      );
      await expectInvalid(
        f,
        edited(f.terms, (t) => (t.tranches[3].symbol = "S".repeat(32))),
        Field.TrancheName,
        3n,
      );
      await expect(
        f.factory.createDeal(
          edited(f.terms, (t) => {
            t.tranches[0].name = "x".repeat(31);
            t.tranches[0].symbol = "y".repeat(31);
          }),
        ),
      ).to.emit(f.factory, "DealCreated");
    });

    it("test_createDeal_invalid_FaceAmount", async function () {
      const f = await networkHelpers.loadFixture(factoryFixture);
      await expectInvalid(
        f,
        edited(f.terms, (t) => (t.tranches[2].faceAmount = 0n)),
        Field.FaceAmount,
        2n,
      );
      await expectInvalid(
        f,
        edited(f.terms, (t) => (t.tranches[3].faceAmount = 0n)),
        Field.FaceAmount,
        3n,
      );
    });

    it("test_createDeal_invalid_MinRaise", async function () {
      const f = await networkHelpers.loadFixture(factoryFixture);
      // Below one whole stablecoin unit.
      await expectInvalid(
        f,
        edited(f.terms, (t) => (t.tranches[1].minRaise = USDC - 1n)),
        Field.MinRaise,
        1n,
      );
      await expectInvalid(
        f,
        edited(f.terms, (t) => (t.tranches[0].minRaise = 0n)),
        Field.MinRaise,
        0n,
      );
      // Above the face amount.
      await expectInvalid(
        f,
        edited(f.terms, (t) => (t.tranches[3].minRaise = t.tranches[3].faceAmount + 1n)),
        Field.MinRaise,
        3n,
      );
      await expect(
        f.factory.createDeal(
          edited(f.terms, (t) => (t.tranches[3].minRaise = t.tranches[3].faceAmount)),
        ),
      ).to.emit(f.factory, "DealCreated");
    });

    it("test_createDeal_invalid_MinTicket", async function () {
      const f = await networkHelpers.loadFixture(factoryFixture);
      await expectInvalid(
        f,
        edited(f.terms, (t) => (t.tranches[0].minTicket = 0n)),
        Field.MinTicket,
        0n,
      );
      await expectInvalid(
        f,
        edited(f.terms, (t) => (t.tranches[2].minTicket = t.tranches[2].faceAmount + 1n)),
        Field.MinTicket,
        2n,
      );
    });

    it("test_createDeal_invalid_ReserveFunding", async function () {
      const f = await networkHelpers.loadFixture(factoryFixture);
      await expectInvalid(
        f,
        edited(f.terms, (t) => (t.tranches[1].reserveFundingBps = 10_001)),
        Field.ReserveFunding,
        1n,
      );
      await expect(
        f.factory.createDeal(edited(f.terms, (t) => (t.tranches[1].reserveFundingBps = 10_000))),
      ).to.emit(f.factory, "DealCreated");
    });

    it("test_createDeal_invalid_Coupon", async function () {
      const f = await networkHelpers.loadFixture(factoryFixture);
      const linked = (i: number, c: Partial<TrancheTermsInput["coupon"]>) =>
        edited(f.terms, (t) => {
          t.tranches[i].coupon = { ...f.terms.tranches[1].coupon, ...c };
        });
      // Equity carries no coupon: each field on its own.
      for (const c of [
        { baseRate: 1n },
        { slope: 1n },
        { slope: -1n },
        { strike: 1n },
        { floorRate: 1n },
        { capRate: 1n },
        { couponType: CouponType.UtilizationLinked },
      ]) {
        await expectInvalid(
          f,
          edited(f.terms, (t) => (t.tranches[3].coupon = { ...t.tranches[3].coupon, ...c })),
          Field.Coupon,
          3n,
        );
      }
      // A fixed coupon has no slope, strike, floor or cap.
      for (const c of [{ slope: 1n }, { strike: 1n }, { floorRate: 1n }, { capRate: 1n }]) {
        await expectInvalid(
          f,
          edited(f.terms, (t) => (t.tranches[0].coupon = { ...t.tranches[0].coupon, ...c })),
          Field.Coupon,
          0n,
        );
      }
      // A linked coupon: floor ≤ base ≤ cap, strike ≤ 100 %.
      await expectInvalid(
        f,
        linked(1, { floorRate: WAD, capRate: WAD / 2n, baseRate: WAD / 2n }),
        Field.Coupon,
        1n,
      );
      await expectInvalid(f, linked(1, { strike: WAD + 1n }), Field.Coupon, 1n);
      await expectInvalid(f, linked(2, { baseRate: (7n * WAD) / 100n }), Field.Coupon, 2n);
      await expectInvalid(f, linked(2, { baseRate: (16n * WAD) / 100n }), Field.Coupon, 2n);
      // Edges that are valid: strike = 100 %, base = floor = cap, negative slope.
      const edge = linked(1, {
        strike: WAD,
        baseRate: WAD / 10n,
        floorRate: WAD / 10n,
        capRate: WAD / 10n,
        slope: -WAD,
      });
      const edgeDeal = await f.factory.createDeal.staticCall(edge);
      await expect(f.factory.createDeal(edge)).to.emit(f.factory, "DealCreated");
      // The deal reads the coupon back from its clone arguments, the negative slope included.
      const coupon = (await (await ethers.getContractAt("Deal", edgeDeal)).tranche(1)).coupon;
      expect([coupon.couponType, coupon.baseRate, coupon.slope, coupon.strike]).to.deep.equal([
        BigInt(CouponType.UtilizationLinked),
        WAD / 10n,
        -WAD,
        WAD,
      ]);
      expect([coupon.floorRate, coupon.capRate]).to.deep.equal([WAD / 10n, WAD / 10n]);
    });

    it("test_createDeal_invalid_Principal", async function () {
      const f = await networkHelpers.loadFixture(factoryFixture);
      const principal = (i: number, p: Partial<TrancheTermsInput["principal"]>) =>
        edited(f.terms, (t) => (t.tranches[i].principal = { ...t.tranches[i].principal, ...p }));
      // Equity has no schedule.
      await expectInvalid(
        f,
        principal(3, { scheduleType: PrincipalType.StraightLine, amortPeriods: 1 }),
        Field.Principal,
        3n,
      );
      await expectInvalid(f, principal(3, { amortStartPeriod: 1 }), Field.Principal, 3n);
      await expectInvalid(f, principal(3, { amortPeriods: 1 }), Field.Principal, 3n);
      // A bullet has no amortization parameters.
      await expectInvalid(f, principal(2, { amortStartPeriod: 1 }), Field.Principal, 2n);
      await expectInvalid(f, principal(2, { amortPeriods: 1 }), Field.Principal, 2n);
      // Straight line: at least one installment, all within the deal's periods.
      await expectInvalid(f, principal(0, { amortPeriods: 0 }), Field.Principal, 0n);
      await expectInvalid(
        f,
        principal(0, { amortStartPeriod: 3, amortPeriods: 10 }),
        Field.Principal,
        0n,
      );
      await expectInvalid(
        f,
        principal(0, { amortStartPeriod: 12, amortPeriods: 1 }),
        Field.Principal,
        0n,
      );
      await expect(
        f.factory.createDeal(principal(0, { amortStartPeriod: 0, amortPeriods: 12 })),
      ).to.emit(f.factory, "DealCreated");
    });

    it("test_createDeal_invalid_firstFailingFieldIsReported", async function () {
      const f = await networkHelpers.loadFixture(factoryFixture);
      // Several fields are wrong; the first one in the order of the checks is named.
      await expectInvalid(
        f,
        edited(f.terms, (t) => {
          t.servicer = ethers.ZeroAddress;
          t.periodLength = 0n;
          t.tranches[0].faceAmount = 0n;
        }),
        Field.Servicer,
      );
      await expectInvalid(
        f,
        edited(f.terms, (t) => {
          t.tranches[1].faceAmount = 0n;
          t.tranches[2].name = "";
        }),
        Field.FaceAmount,
        1n,
      );
    });
  });

  describe("createDeal oracle registration errors", function () {
    it("test_createDeal_invalidThreshold", async function () {
      const f = await networkHelpers.loadFixture(factoryFixture);
      for (const [threshold, count] of [
        [0, 3],
        [4, 3],
      ]) {
        await expect(f.factory.createDeal(edited(f.terms, (t) => (t.oracle.threshold = threshold))))
          .to.be.revertedWithCustomError(f.oracle, "InvalidThreshold")
          .withArgs(BigInt(threshold), BigInt(count));
      }
      await expect(f.factory.createDeal(edited(f.terms, (t) => (t.oracle.reporters = []))))
        .to.be.revertedWithCustomError(f.oracle, "InvalidThreshold")
        .withArgs(2n, 0n);
      expect(await f.factory.dealCount()).to.equal(0n);
    });

    it("test_createDeal_invalidReporter", async function () {
      const f = await networkHelpers.loadFixture(factoryFixture);
      const [a, b] = f.terms.oracle.reporters;
      await expect(f.factory.createDeal(edited(f.terms, (t) => (t.oracle.reporters = [a, b, a]))))
        .to.be.revertedWithCustomError(f.oracle, "InvalidReporter")
        .withArgs(a);
      await expect(
        f.factory.createDeal(
          edited(f.terms, (t) => (t.oracle.reporters = [a, ethers.ZeroAddress, b])),
        ),
      )
        .to.be.revertedWithCustomError(f.oracle, "InvalidReporter")
        .withArgs(ethers.ZeroAddress);
      expect(await f.factory.dealCount()).to.equal(0n);
    });

    it("test_createDeal_tooManyReporters", async function () {
      const f = await networkHelpers.loadFixture(factoryFixture);
      const many = Array.from({ length: 17 }, () => ethers.Wallet.createRandom().address);
      await expect(f.factory.createDeal(edited(f.terms, (t) => (t.oracle.reporters = many))))
        .to.be.revertedWithCustomError(f.oracle, "TooManyReporters")
        .withArgs(17n, 16n);
      expect(await f.factory.dealCount()).to.equal(0n);
      await expect(
        f.factory.createDeal(edited(f.terms, (t) => (t.oracle.reporters = many.slice(0, 16)))),
      ).to.emit(f.factory, "DealCreated");
    });

    it("test_createDeal_invalidOracleTerms", async function () {
      const f = await networkHelpers.loadFixture(factoryFixture);
      const o = f.terms.oracle;
      const cases: [OracleField, (t: TermSheetInput["oracle"]) => void][] = [
        [OracleField.DisputeWindow, (t) => (t.disputeWindow = 0n)],
        // The deadline must leave the dispute window room: equal is refused.
        [OracleField.ReportDeadline, (t) => (t.reportDeadline = o.disputeWindow)],
        [OracleField.ReportDeadline, (t) => (t.reportDeadline = o.disputeWindow - 1n)],
        [OracleField.ReportDeadline, (t) => (t.reportDeadline = 0n)],
        [OracleField.ReporterChangeDelay, (t) => (t.reporterChangeDelay = 0n)],
        [OracleField.FleetGpus, (t) => (t.fleetGpus = 0n)],
        [OracleField.MaxPricePerGpuHour, (t) => (t.maxPricePerGpuHour = 0n)],
        [OracleField.MaxUtilizationStep, (t) => (t.maxUtilizationStep = 0n)],
        [OracleField.MaxUtilizationStep, (t) => (t.maxUtilizationStep = WAD + 1n)],
      ];
      for (const [field, edit] of cases) {
        await expect(f.factory.createDeal(edited(f.terms, (t) => edit(t.oracle))))
          .to.be.revertedWithCustomError(f.oracle, "InvalidOracleTerms")
          .withArgs(BigInt(field));
      }
      // The terms are checked before the reporter set.
      await expect(
        f.factory.createDeal(
          edited(f.terms, (t) => {
            t.oracle.fleetGpus = 0n;
            t.oracle.threshold = 0;
          }),
        ),
      )
        .to.be.revertedWithCustomError(f.oracle, "InvalidOracleTerms")
        .withArgs(BigInt(OracleField.FleetGpus));
      expect(await f.factory.dealCount()).to.equal(0n);
      // The edges that are valid: deadline one second after the window, a step of 100 %.
      await expect(
        f.factory.createDeal(
          edited(f.terms, (t) => {
            t.oracle.reportDeadline = o.disputeWindow + 1n;
            t.oracle.maxUtilizationStep = WAD;
          }),
        ),
      ).to.emit(f.factory, "DealCreated");
    });

    it("test_createDeal_keeperBountyAnyAmount", async function () {
      const f = await networkHelpers.loadFixture(factoryFixture);
      // The bounty is capped by each period's cash at distribution, so no amount is refused at creation.
      for (const bounty of [0n, 1n, 2n ** 128n - 1n]) {
        const h = await createDeal(
          ethers,
          f.protocol,
          edited(f.terms, (t) => (t.keeperBounty = bounty)),
        );
        expect(await h.deal.keeperBounty()).to.equal(bounty);
      }
    });

    it("test_createDeal_factoryWithoutRegistrarRole", async function () {
      const f = await networkHelpers.loadFixture(factoryFixture);
      const role = await f.oracle.REGISTRAR_ROLE();
      await f.oracle.revokeRole(role, await f.factory.getAddress());
      await expect(f.factory.createDeal(f.terms))
        .to.be.revertedWithCustomError(f.oracle, "AccessControlUnauthorizedAccount")
        .withArgs(await f.factory.getAddress(), role);
      expect(await f.factory.dealCount()).to.equal(0n);
    });
  });
});
