import { expect } from "chai";
import { anyValue } from "@nomicfoundation/hardhat-ethers-chai-matchers/withArgs";

import { dealAt, deployProtocol } from "../helpers/fixtures.js";
import {
  ethers,
  networkHelpers,
  Field,
  CREATE_DEAL_TYPES,
  factoryFixture,
  edited,
  termsHashOf,
  consentDomain,
  signConsent,
  dealCreatedIn,
} from "../helpers/factory-fixtures.js";

describe("DealFactory", function () {
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
      const deal = await dealAt(ethers, dealAddress);
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
      const deal = await dealAt(ethers, created.args.deal as string);
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
});
