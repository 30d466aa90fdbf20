import { expect } from "chai";
import { network } from "hardhat";

import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";

import type { InvestorRegistry } from "../types/ethers-contracts/index.js";

const { ethers, networkHelpers } = await network.create();
const { time, loadFixture } = networkHelpers;

const YEAR = 365n * 86_400n;
const GAS_BUDGET_REGISTER = 70_000n;
const MAX_WALLETS = 8;
const MAX_BATCH = 100;
/** Storage slot of `_nextIdentity`: after AccessControl's `_roles` (0), `_records` (1), `_identityWallets` (2). */
const NEXT_IDENTITY_SLOT = 3;

const ACCREDITED = 1;
const QUALIFIED_PURCHASER = 2;
const NON_US = 4;
const US = 840;
const GB = 826;
const SG = 702;

/** Packs a record the way contracts/compliance/InvestorRecord.sol does. */
function packRecord(r: {
  identity: bigint | number;
  kycExpiry: bigint;
  country: number;
  classes: number;
  identityFrozen?: boolean;
  walletFrozen?: boolean;
  walletCount: number;
}): bigint {
  return (
    BigInt(r.identity) |
    (r.kycExpiry << 32n) |
    (BigInt(r.country) << 72n) |
    (BigInt(r.classes) << 88n) |
    ((r.identityFrozen ? 1n : 0n) << 104n) |
    ((r.walletFrozen ? 1n : 0n) << 105n) |
    (BigInt(r.walletCount) << 106n)
  );
}

function randomAddress(): string {
  return ethers.Wallet.createRandom().address;
}

async function fixture() {
  const [admin, agent, outsider, w1, w2, w3, w4] = await ethers.getSigners();
  const registry = (await ethers.deployContract("InvestorRegistry", [
    admin.address,
  ])) as unknown as InvestorRegistry;
  const role = await registry.COMPLIANCE_AGENT_ROLE();
  await registry.grantRole(role, agent.address);
  const asAgent = registry.connect(agent);
  const kyc = BigInt(await time.latest()) + YEAR;
  return { registry, asAgent, role, admin, agent, outsider, w1, w2, w3, w4, kyc };
}

/** w1 registered (identity 1, US, accredited) with w2 and w3 added; w4 registered alone (identity 2, GB). */
async function identitiesFixture() {
  const f = await loadFixture(fixture);
  await f.asAgent.registerInvestor(f.w1.address, f.kyc, US, ACCREDITED);
  await f.asAgent.registerInvestor(f.w4.address, f.kyc, GB, QUALIFIED_PURCHASER | NON_US);
  await f.asAgent.addWallet(f.w1.address, f.w2.address);
  await f.asAgent.addWallet(f.w2.address, f.w3.address);
  return f;
}

async function expectWallet(
  registry: InvestorRegistry,
  wallet: string,
  expected: Parameters<typeof packRecord>[0],
) {
  expect(await registry.walletRecord(wallet)).to.equal(packRecord(expected));
  const info = await registry.walletInfo(wallet);
  expect(info.identity).to.equal(BigInt(expected.identity));
  expect(info.kycExpiry).to.equal(expected.kycExpiry);
  expect(info.country).to.equal(BigInt(expected.country));
  expect(info.classes).to.equal(BigInt(expected.classes));
  expect(info.identityFrozen).to.equal(expected.identityFrozen ?? false);
  expect(info.walletFrozen).to.equal(expected.walletFrozen ?? false);
  expect(info.walletCount).to.equal(BigInt(expected.walletCount));
  expect(await registry.identityOf(wallet)).to.equal(BigInt(expected.identity));
}

async function expectUnregistered(registry: InvestorRegistry, wallet: string) {
  expect(await registry.walletRecord(wallet)).to.equal(0n);
  expect(await registry.identityOf(wallet)).to.equal(0n);
  await expect(registry.identityWallets(wallet))
    .to.be.revertedWithCustomError(registry, "UnknownWallet")
    .withArgs(wallet);
}

describe("InvestorRegistry", function () {
  describe("deployment and roles", function () {
    it("test_constructor_grantsAdminAndSetsConstants", async function () {
      const { registry, admin, role } = await loadFixture(fixture);
      expect(await registry.hasRole(await registry.DEFAULT_ADMIN_ROLE(), admin.address)).to.equal(
        true,
      );
      expect(role).to.equal(ethers.keccak256(ethers.toUtf8Bytes("cascade.role.compliance-agent")));
      expect(await registry.MAX_WALLETS()).to.equal(BigInt(MAX_WALLETS));
      expect(await registry.MAX_BATCH()).to.equal(BigInt(MAX_BATCH));
      expect(await registry.identityCount()).to.equal(0n);
      expect(
        await ethers.provider.getStorage(await registry.getAddress(), NEXT_IDENTITY_SLOT),
      ).to.equal(ethers.toBeHex(1n, 32));
    });

    it("test_agentFunctions_revertForOthers: AccessControlUnauthorizedAccount(caller, role)", async function () {
      const { registry, outsider, admin, role, w1, w2, kyc } = await loadFixture(fixture);
      for (const caller of [outsider, admin]) {
        const r = registry.connect(caller);
        const calls = [
          r.registerInvestor(w1.address, kyc, US, 0),
          r.batchRegister([{ wallet: w1.address, kycExpiry: kyc, country: US, classes: 0 }]),
          r.updateInvestor(w1.address, kyc, US, 0),
          r.batchUpdate([{ wallet: w1.address, kycExpiry: kyc, country: US, classes: 0 }]),
          r.addWallet(w1.address, w2.address),
          r.removeWallet(w1.address),
          r.recoverWallet(w1.address, w2.address),
          r.setIdentityFrozen(w1.address, true),
          r.setWalletFrozen(w1.address, true),
        ];
        for (const call of calls) {
          await expect(call)
            .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
            .withArgs(caller.address, role);
        }
      }
    });

    it("test_roles_adminRevokesAgent", async function () {
      const { registry, agent, role, w1, kyc } = await loadFixture(fixture);
      await registry.revokeRole(role, agent.address);
      await expect(registry.connect(agent).registerInvestor(w1.address, kyc, US, 0))
        .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
        .withArgs(agent.address, role);
    });
  });

  describe("registerInvestor", function () {
    it("test_registerInvestor_storesOnePackedRecordAndEmits", async function () {
      const { registry, asAgent, w1, w2, kyc } = await loadFixture(fixture);
      expect(await asAgent.registerInvestor.staticCall(w1.address, kyc, US, ACCREDITED)).to.equal(
        1n,
      );
      await expect(asAgent.registerInvestor(w1.address, kyc, US, ACCREDITED))
        .to.emit(registry, "InvestorRegistered")
        .withArgs(1n, w1.address, kyc, US, ACCREDITED);
      await expect(asAgent.registerInvestor(w2.address, kyc + 1n, 1, 0xffff))
        .to.emit(registry, "InvestorRegistered")
        .withArgs(2n, w2.address, kyc + 1n, 1, 0xffff);
      await expectWallet(registry, w1.address, {
        identity: 1,
        kycExpiry: kyc,
        country: US,
        classes: ACCREDITED,
        walletCount: 1,
      });
      await expectWallet(registry, w2.address, {
        identity: 2,
        kycExpiry: kyc + 1n,
        country: 1,
        classes: 0xffff,
        walletCount: 1,
      });
      expect(await registry.identityCount()).to.equal(2n);
      expect(await registry.identityWallets(w1.address)).to.deep.equal([w1.address]);
    });

    it("test_registerInvestor_countryBounds: 1 and 999 are valid", async function () {
      const { registry, asAgent, w1, w2, kyc } = await loadFixture(fixture);
      await asAgent.registerInvestor(w1.address, kyc, 1, 0);
      await asAgent.registerInvestor(w2.address, kyc, 999, 0);
      expect((await registry.walletInfo(w2.address)).country).to.equal(999n);
    });

    it("test_registerInvestor_revertsZeroWallet", async function () {
      const { registry, asAgent, kyc } = await loadFixture(fixture);
      await expect(
        asAgent.registerInvestor(ethers.ZeroAddress, kyc, US, 0),
      ).to.be.revertedWithCustomError(registry, "ZeroWallet");
    });

    it("test_registerInvestor_revertsAlreadyRegistered: WalletAlreadyRegistered(wallet, identity)", async function () {
      const { registry, asAgent, w1, w2, kyc } = await loadFixture(fixture);
      await asAgent.registerInvestor(w2.address, kyc, US, 0);
      await asAgent.registerInvestor(w1.address, kyc, US, 0);
      await expect(asAgent.registerInvestor(w1.address, kyc, GB, 0))
        .to.be.revertedWithCustomError(registry, "WalletAlreadyRegistered")
        .withArgs(w1.address, 2n);
    });

    it("test_registerInvestor_revertsInvalidCountry: 0 and above 999", async function () {
      const { registry, asAgent, w1, kyc } = await loadFixture(fixture);
      for (const country of [0, 1000, 65535]) {
        await expect(asAgent.registerInvestor(w1.address, kyc, country, 0))
          .to.be.revertedWithCustomError(registry, "InvalidCountry")
          .withArgs(country);
      }
    });

    it("test_registerInvestor_revertsKycExpiryInPast: at or before the block time", async function () {
      const { registry, asAgent, w1 } = await loadFixture(fixture);
      const next = BigInt(await time.latest()) + 10n;
      for (const expiry of [next, next - 5n, 0n]) {
        await time.setNextBlockTimestamp(next);
        await expect(asAgent.registerInvestor(w1.address, expiry, US, 0))
          .to.be.revertedWithCustomError(registry, "KycExpiryInPast")
          .withArgs(expiry, next);
      }
      await time.setNextBlockTimestamp(next + 1n);
      await asAgent.registerInvestor(w1.address, next + 2n, US, 0);
    });

    it("test_registerInvestor_revertsIdentityIdsExhausted", async function () {
      const { registry, asAgent, w1, w2, kyc } = await loadFixture(fixture);
      const max = 2n ** 32n - 1n;
      await networkHelpers.setStorageAt(await registry.getAddress(), NEXT_IDENTITY_SLOT, max - 1n);
      await expect(asAgent.registerInvestor(w1.address, kyc, US, 0))
        .to.emit(registry, "InvestorRegistered")
        .withArgs(max - 1n, w1.address, kyc, US, 0);
      await expect(asAgent.registerInvestor(w2.address, kyc, US, 0)).to.be.revertedWithCustomError(
        registry,
        "IdentityIdsExhausted",
      );
      await expect(
        asAgent.batchRegister([{ wallet: w2.address, kycExpiry: kyc, country: US, classes: 0 }]),
      ).to.be.revertedWithCustomError(registry, "IdentityIdsExhausted");
    });

    it("test_registerInvestor_gas: at most 70 000", async function () {
      const { asAgent, kyc } = await loadFixture(fixture);
      const gas: bigint[] = [];
      for (let i = 0; i < 3; i++) {
        const tx = await asAgent.registerInvestor(randomAddress(), kyc, US, ACCREDITED | NON_US);
        gas.push((await tx.wait())!.gasUsed);
      }
      console.log(
        `      registerInvestor gas: first ${gas[0]}, then ${gas[1]}, ${gas[2]} (budget ${GAS_BUDGET_REGISTER})`,
      );
      for (const g of gas) expect(g).to.be.at.most(GAS_BUDGET_REGISTER);
    });
  });

  describe("batchRegister", function () {
    it("test_batchRegister_registersInOrderAndReturnsIds", async function () {
      const { registry, asAgent, w1, w2, w3, kyc } = await loadFixture(fixture);
      await asAgent.registerInvestor(w3.address, kyc, SG, 0);
      const batch = [
        { wallet: w1.address, kycExpiry: kyc, country: US, classes: ACCREDITED },
        { wallet: w2.address, kycExpiry: kyc + 7n, country: GB, classes: NON_US },
      ];
      expect(await asAgent.batchRegister.staticCall(batch)).to.deep.equal([2n, 3n]);
      await expect(asAgent.batchRegister(batch))
        .to.emit(registry, "InvestorRegistered")
        .withArgs(2n, w1.address, kyc, US, ACCREDITED)
        .and.to.emit(registry, "InvestorRegistered")
        .withArgs(3n, w2.address, kyc + 7n, GB, NON_US);
      await expectWallet(registry, w2.address, {
        identity: 3,
        kycExpiry: kyc + 7n,
        country: GB,
        classes: NON_US,
        walletCount: 1,
      });
      expect(await registry.identityCount()).to.equal(3n);
    });

    it("test_batchRegister_maxBatch: 100 entries pass, 0 and 101 revert InvalidBatchLength", async function () {
      const { registry, asAgent, kyc } = await loadFixture(fixture);
      const entry = () => ({ wallet: randomAddress(), kycExpiry: kyc, country: US, classes: 0 });
      await expect(asAgent.batchRegister([]))
        .to.be.revertedWithCustomError(registry, "InvalidBatchLength")
        .withArgs(0, MAX_BATCH);
      await expect(asAgent.batchRegister(Array.from({ length: MAX_BATCH + 1 }, entry)))
        .to.be.revertedWithCustomError(registry, "InvalidBatchLength")
        .withArgs(MAX_BATCH + 1, MAX_BATCH);
      const tx = await asAgent.batchRegister(Array.from({ length: MAX_BATCH }, entry));
      const gas = (await tx.wait())!.gasUsed;
      console.log(
        `      batchRegister of ${MAX_BATCH}: ${gas} gas, ${gas / BigInt(MAX_BATCH)} per investor`,
      );
      expect(await registry.identityCount()).to.equal(BigInt(MAX_BATCH));
    });

    it("test_batchRegister_isAtomic: one bad entry reverts the whole batch", async function () {
      const { registry, asAgent, w1, w2, kyc } = await loadFixture(fixture);
      await expect(
        asAgent.batchRegister([
          { wallet: w1.address, kycExpiry: kyc, country: US, classes: 0 },
          { wallet: w2.address, kycExpiry: kyc, country: 0, classes: 0 },
        ]),
      )
        .to.be.revertedWithCustomError(registry, "InvalidCountry")
        .withArgs(0);
      await expect(
        asAgent.batchRegister([
          { wallet: w1.address, kycExpiry: kyc, country: US, classes: 0 },
          { wallet: w1.address, kycExpiry: kyc, country: US, classes: 0 },
        ]),
      )
        .to.be.revertedWithCustomError(registry, "WalletAlreadyRegistered")
        .withArgs(w1.address, 1n);
      await expect(
        asAgent.batchRegister([
          { wallet: ethers.ZeroAddress, kycExpiry: kyc, country: US, classes: 0 },
        ]),
      ).to.be.revertedWithCustomError(registry, "ZeroWallet");
      const now = BigInt(await time.latest());
      await time.setNextBlockTimestamp(now + 1n);
      await expect(
        asAgent.batchRegister([{ wallet: w1.address, kycExpiry: now, country: US, classes: 0 }]),
      )
        .to.be.revertedWithCustomError(registry, "KycExpiryInPast")
        .withArgs(now, now + 1n);
      await expectUnregistered(registry, w1.address);
      expect(await registry.identityCount()).to.equal(0n);
    });
  });

  describe("updateInvestor and batchUpdate", function () {
    it("test_updateInvestor_rewritesEveryWalletKeepingFlagsAndCount", async function () {
      const { registry, asAgent, w1, w2, w3, w4, kyc } = await identitiesFixture();
      await asAgent.setWalletFrozen(w2.address, true);
      await asAgent.setIdentityFrozen(w1.address, true);
      await expect(asAgent.updateInvestor(w3.address, kyc + 100n, SG, NON_US | QUALIFIED_PURCHASER))
        .to.emit(registry, "InvestorUpdated")
        .withArgs(1n, kyc + 100n, SG, NON_US | QUALIFIED_PURCHASER);
      const shared = {
        identity: 1,
        kycExpiry: kyc + 100n,
        country: SG,
        classes: NON_US | QUALIFIED_PURCHASER,
        identityFrozen: true,
        walletCount: 3,
      };
      await expectWallet(registry, w1.address, shared);
      await expectWallet(registry, w2.address, { ...shared, walletFrozen: true });
      await expectWallet(registry, w3.address, shared);
      // Another identity is untouched.
      await expectWallet(registry, w4.address, {
        identity: 2,
        kycExpiry: kyc,
        country: GB,
        classes: QUALIFIED_PURCHASER | NON_US,
        walletCount: 1,
      });
    });

    it("test_updateInvestor_singleWallet_andPastExpiryRevokes", async function () {
      const { registry, asAgent, w4 } = await identitiesFixture();
      await expect(asAgent.updateInvestor(w4.address, 1n, GB, 0))
        .to.emit(registry, "InvestorUpdated")
        .withArgs(2n, 1n, GB, 0);
      await expectWallet(registry, w4.address, {
        identity: 2,
        kycExpiry: 1n,
        country: GB,
        classes: 0,
        walletCount: 1,
      });
    });

    it("test_updateInvestor_reverts: UnknownWallet, InvalidCountry", async function () {
      const { registry, asAgent, w1, outsider, kyc } = await identitiesFixture();
      await expect(asAgent.updateInvestor(outsider.address, kyc, US, 0))
        .to.be.revertedWithCustomError(registry, "UnknownWallet")
        .withArgs(outsider.address);
      await expect(asAgent.updateInvestor(w1.address, kyc, 1000, 0))
        .to.be.revertedWithCustomError(registry, "InvalidCountry")
        .withArgs(1000);
    });

    it("test_batchUpdate_appliesInOrder", async function () {
      const { registry, asAgent, w1, w2, w4, kyc } = await identitiesFixture();
      await expect(
        asAgent.batchUpdate([
          { wallet: w1.address, kycExpiry: kyc + 1n, country: US, classes: 0 },
          { wallet: w4.address, kycExpiry: kyc + 2n, country: SG, classes: NON_US },
          // A later entry for the same identity wins.
          { wallet: w2.address, kycExpiry: kyc + 3n, country: GB, classes: ACCREDITED },
        ]),
      )
        .to.emit(registry, "InvestorUpdated")
        .withArgs(1n, kyc + 1n, US, 0)
        .and.to.emit(registry, "InvestorUpdated")
        .withArgs(2n, kyc + 2n, SG, NON_US)
        .and.to.emit(registry, "InvestorUpdated")
        .withArgs(1n, kyc + 3n, GB, ACCREDITED);
      expect((await registry.walletInfo(w1.address)).country).to.equal(BigInt(GB));
      expect((await registry.walletInfo(w4.address)).country).to.equal(BigInt(SG));
    });

    it("test_batchUpdate_reverts: batch length, unknown wallet, invalid country; atomic", async function () {
      const { registry, asAgent, w1, outsider, kyc } = await identitiesFixture();
      const entry = { wallet: w1.address, kycExpiry: kyc + 1n, country: SG, classes: 0 };
      await expect(asAgent.batchUpdate([]))
        .to.be.revertedWithCustomError(registry, "InvalidBatchLength")
        .withArgs(0, MAX_BATCH);
      await expect(asAgent.batchUpdate(Array.from({ length: MAX_BATCH + 1 }, () => entry)))
        .to.be.revertedWithCustomError(registry, "InvalidBatchLength")
        .withArgs(MAX_BATCH + 1, MAX_BATCH);
      await expect(asAgent.batchUpdate([entry, { ...entry, wallet: outsider.address }]))
        .to.be.revertedWithCustomError(registry, "UnknownWallet")
        .withArgs(outsider.address);
      await expect(asAgent.batchUpdate([entry, { ...entry, country: 0 }]))
        .to.be.revertedWithCustomError(registry, "InvalidCountry")
        .withArgs(0);
      expect((await registry.walletInfo(w1.address)).country).to.equal(BigInt(US));
      await asAgent.batchUpdate(Array.from({ length: MAX_BATCH }, () => entry));
      expect((await registry.walletInfo(w1.address)).country).to.equal(BigInt(SG));
    });
  });

  describe("wallets", function () {
    it("test_addWallet_copiesIdentityAndUpdatesCounts", async function () {
      const { registry, asAgent, w1, w2, w3, kyc } = await loadFixture(fixture);
      await asAgent.registerInvestor(w1.address, kyc, US, ACCREDITED);
      await expect(asAgent.addWallet(w1.address, w2.address))
        .to.emit(registry, "WalletAdded")
        .withArgs(1n, w2.address, 2);
      // Any wallet of the identity designates it.
      await expect(asAgent.addWallet(w2.address, w3.address))
        .to.emit(registry, "WalletAdded")
        .withArgs(1n, w3.address, 3);
      for (const w of [w1, w2, w3]) {
        await expectWallet(registry, w.address, {
          identity: 1,
          kycExpiry: kyc,
          country: US,
          classes: ACCREDITED,
          walletCount: 3,
        });
        expect(await registry.identityWallets(w.address)).to.deep.equal([
          w1.address,
          w2.address,
          w3.address,
        ]);
      }
    });

    it("test_addWallet_newWalletUnfrozenButIdentityFreezeCarries", async function () {
      const { registry, asAgent, w1, w2, w3, kyc } = await loadFixture(fixture);
      await asAgent.registerInvestor(w1.address, kyc, US, 0);
      await asAgent.setWalletFrozen(w1.address, true);
      await asAgent.addWallet(w1.address, w2.address);
      expect((await registry.walletInfo(w2.address)).walletFrozen).to.equal(false);
      expect((await registry.walletInfo(w1.address)).walletFrozen).to.equal(true);
      await asAgent.setIdentityFrozen(w1.address, true);
      await asAgent.addWallet(w1.address, w3.address);
      expect((await registry.walletInfo(w3.address)).identityFrozen).to.equal(true);
    });

    it("test_addWallet_reverts: ZeroWallet, UnknownWallet, WalletAlreadyRegistered, TooManyWallets", async function () {
      const { registry, asAgent, w1, w4, outsider } = await identitiesFixture();
      await expect(asAgent.addWallet(w1.address, ethers.ZeroAddress)).to.be.revertedWithCustomError(
        registry,
        "ZeroWallet",
      );
      await expect(asAgent.addWallet(outsider.address, randomAddress()))
        .to.be.revertedWithCustomError(registry, "UnknownWallet")
        .withArgs(outsider.address);
      await expect(asAgent.addWallet(w1.address, w4.address))
        .to.be.revertedWithCustomError(registry, "WalletAlreadyRegistered")
        .withArgs(w4.address, 2n);
      // Identity 1 has 3 wallets: 5 more reach the maximum of 8.
      for (let i = 3; i < MAX_WALLETS; i++) await asAgent.addWallet(w1.address, randomAddress());
      expect((await registry.identityWallets(w1.address)).length).to.equal(MAX_WALLETS);
      await expect(asAgent.addWallet(w1.address, randomAddress()))
        .to.be.revertedWithCustomError(registry, "TooManyWallets")
        .withArgs(1n, MAX_WALLETS);
      for (const w of await registry.identityWallets(w1.address)) {
        expect((await registry.walletInfo(w)).walletCount).to.equal(BigInt(MAX_WALLETS));
      }
    });

    it("test_removeWallet_swapsLastIntoPlace", async function () {
      const { registry, asAgent, w1, w2, w3, kyc } = await identitiesFixture();
      await expect(asAgent.removeWallet(w1.address))
        .to.emit(registry, "WalletRemoved")
        .withArgs(1n, w1.address, 2);
      await expectUnregistered(registry, w1.address);
      expect(await registry.identityWallets(w2.address)).to.deep.equal([w3.address, w2.address]);
      const shared = {
        identity: 1,
        kycExpiry: kyc,
        country: US,
        classes: ACCREDITED,
        walletCount: 2,
      };
      await expectWallet(registry, w2.address, shared);
      await expectWallet(registry, w3.address, shared);
      // The removed wallet can join any identity again, or start a new one.
      await asAgent.registerInvestor(w1.address, kyc, GB, 0);
      expect(await registry.identityOf(w1.address)).to.equal(3n);
    });

    it("test_removeWallet_backToOneWallet_thenClosesIdentity", async function () {
      const { registry, asAgent, w1, w2, w3, kyc } = await identitiesFixture();
      await asAgent.removeWallet(w3.address);
      await expect(asAgent.removeWallet(w1.address))
        .to.emit(registry, "WalletRemoved")
        .withArgs(1n, w1.address, 1);
      await expectWallet(registry, w2.address, {
        identity: 1,
        kycExpiry: kyc,
        country: US,
        classes: ACCREDITED,
        walletCount: 1,
      });
      expect(await registry.identityWallets(w2.address)).to.deep.equal([w2.address]);
      // The identity still works as a single-wallet identity: updates and new wallets.
      await asAgent.updateInvestor(w2.address, kyc + 1n, GB, 0);
      expect((await registry.walletInfo(w2.address)).country).to.equal(BigInt(GB));
      await asAgent.addWallet(w2.address, w1.address);
      expect(await registry.identityWallets(w1.address)).to.deep.equal([w2.address, w1.address]);
      await asAgent.removeWallet(w1.address);
      await expect(asAgent.removeWallet(w2.address))
        .to.emit(registry, "WalletRemoved")
        .withArgs(1n, w2.address, 0);
      await expectUnregistered(registry, w2.address);
    });

    it("test_removeWallet_revertsUnknownWallet", async function () {
      const { registry, asAgent, outsider } = await identitiesFixture();
      await expect(asAgent.removeWallet(outsider.address))
        .to.be.revertedWithCustomError(registry, "UnknownWallet")
        .withArgs(outsider.address);
    });

    it("test_recoverWallet_singleWallet: membership moves, wallet freeze cleared, identity freeze kept", async function () {
      const { registry, asAgent, w4, outsider, kyc } = await identitiesFixture();
      await asAgent.setWalletFrozen(w4.address, true);
      await asAgent.setIdentityFrozen(w4.address, true);
      await expect(asAgent.recoverWallet(w4.address, outsider.address))
        .to.emit(registry, "WalletRecovered")
        .withArgs(2n, w4.address, outsider.address);
      await expectUnregistered(registry, w4.address);
      await expectWallet(registry, outsider.address, {
        identity: 2,
        kycExpiry: kyc,
        country: GB,
        classes: QUALIFIED_PURCHASER | NON_US,
        identityFrozen: true,
        walletCount: 1,
      });
      expect(await registry.identityWallets(outsider.address)).to.deep.equal([outsider.address]);
    });

    it("test_recoverWallet_multiWallet: the new wallet takes the lost one's place", async function () {
      const { registry, asAgent, w1, w2, w3, outsider, kyc } = await identitiesFixture();
      await asAgent.recoverWallet(w2.address, outsider.address);
      expect(await registry.identityWallets(w1.address)).to.deep.equal([
        w1.address,
        outsider.address,
        w3.address,
      ]);
      await expectUnregistered(registry, w2.address);
      await expectWallet(registry, outsider.address, {
        identity: 1,
        kycExpiry: kyc,
        country: US,
        classes: ACCREDITED,
        walletCount: 3,
      });
      // Later updates reach the recovered wallet.
      await asAgent.updateInvestor(w3.address, kyc, SG, 0);
      expect((await registry.walletInfo(outsider.address)).country).to.equal(BigInt(SG));
    });

    it("test_recoverWallet_reverts: ZeroWallet, UnknownWallet, WalletAlreadyRegistered", async function () {
      const { registry, asAgent, w1, w2, w4, outsider } = await identitiesFixture();
      await expect(
        asAgent.recoverWallet(w1.address, ethers.ZeroAddress),
      ).to.be.revertedWithCustomError(registry, "ZeroWallet");
      await expect(asAgent.recoverWallet(outsider.address, randomAddress()))
        .to.be.revertedWithCustomError(registry, "UnknownWallet")
        .withArgs(outsider.address);
      await expect(asAgent.recoverWallet(w1.address, w4.address))
        .to.be.revertedWithCustomError(registry, "WalletAlreadyRegistered")
        .withArgs(w4.address, 2n);
      await expect(asAgent.recoverWallet(w1.address, w2.address))
        .to.be.revertedWithCustomError(registry, "WalletAlreadyRegistered")
        .withArgs(w2.address, 1n);
    });
  });

  describe("freezing", function () {
    it("test_setIdentityFrozen_everyWallet", async function () {
      const { registry, asAgent, w1, w2, w3, w4 } = await identitiesFixture();
      await expect(asAgent.setIdentityFrozen(w2.address, true))
        .to.emit(registry, "IdentityFrozen")
        .withArgs(1n, true);
      for (const w of [w1, w2, w3])
        expect((await registry.walletInfo(w.address)).identityFrozen).to.equal(true);
      expect((await registry.walletInfo(w4.address)).identityFrozen).to.equal(false);
      await expect(asAgent.setIdentityFrozen(w3.address, false))
        .to.emit(registry, "IdentityFrozen")
        .withArgs(1n, false);
      for (const w of [w1, w2, w3])
        expect((await registry.walletInfo(w.address)).identityFrozen).to.equal(false);
      // Single-wallet identity.
      await asAgent.setIdentityFrozen(w4.address, true);
      expect((await registry.walletInfo(w4.address)).identityFrozen).to.equal(true);
    });

    it("test_setWalletFrozen_oneWalletOnly", async function () {
      const { registry, asAgent, w1, w2, w3 } = await identitiesFixture();
      await expect(asAgent.setWalletFrozen(w2.address, true))
        .to.emit(registry, "WalletFrozen")
        .withArgs(1n, w2.address, true);
      expect((await registry.walletInfo(w2.address)).walletFrozen).to.equal(true);
      expect((await registry.walletInfo(w1.address)).walletFrozen).to.equal(false);
      expect((await registry.walletInfo(w3.address)).walletFrozen).to.equal(false);
      // Identity-level changes keep the wallet flag.
      await asAgent.setIdentityFrozen(w1.address, true);
      await asAgent.setIdentityFrozen(w1.address, false);
      expect((await registry.walletInfo(w2.address)).walletFrozen).to.equal(true);
      await expect(asAgent.setWalletFrozen(w2.address, false))
        .to.emit(registry, "WalletFrozen")
        .withArgs(1n, w2.address, false);
      expect((await registry.walletInfo(w2.address)).walletFrozen).to.equal(false);
    });

    it("test_freeze_revertsUnknownWallet", async function () {
      const { registry, asAgent, outsider } = await identitiesFixture();
      for (const call of [
        asAgent.setIdentityFrozen(outsider.address, true),
        asAgent.setWalletFrozen(outsider.address, true),
      ]) {
        await expect(call)
          .to.be.revertedWithCustomError(registry, "UnknownWallet")
          .withArgs(outsider.address);
      }
    });
  });

  describe("views", function () {
    it("test_transferRecords_bothSidesInOneCall", async function () {
      const { registry, w1, w4, outsider } = await identitiesFixture();
      const [from, to] = await registry.transferRecords(w1.address, w4.address);
      expect(from).to.equal(await registry.walletRecord(w1.address));
      expect(to).to.equal(await registry.walletRecord(w4.address));
      const [f2, t2] = await registry.transferRecords(outsider.address, w1.address);
      expect(f2).to.equal(0n);
      expect(t2).to.equal(from);
    });

    it("test_walletInfo_unregisteredIsZero", async function () {
      const { registry, outsider } = await identitiesFixture();
      const info = await registry.walletInfo(outsider.address);
      expect(info.identity).to.equal(0n);
      expect(info.walletCount).to.equal(0n);
      await expectUnregistered(registry, outsider.address);
    });
  });

  describe("events rebuild the registry", function () {
    /** Replays every registry event into maps and checks them against the contract's views. */
    async function rebuildAndCompare(registry: InvestorRegistry, wallets: string[]) {
      interface Identity {
        kycExpiry: bigint;
        country: number;
        classes: number;
        frozen: boolean;
        wallets: string[];
      }
      const identities = new Map<bigint, Identity>();
      const walletIdentity = new Map<string, bigint>();
      const walletFrozen = new Map<string, boolean>();
      const logs = await ethers.provider.getLogs({
        address: await registry.getAddress(),
        fromBlock: 0,
      });
      for (const log of logs) {
        const e = registry.interface.parseLog(log);
        if (e === null) continue;
        const a = e.args;
        switch (e.name) {
          case "InvestorRegistered":
            identities.set(a.identity, {
              kycExpiry: a.kycExpiry,
              country: Number(a.country),
              classes: Number(a.classes),
              frozen: false,
              wallets: [a.wallet],
            });
            walletIdentity.set(a.wallet, a.identity);
            walletFrozen.set(a.wallet, false);
            break;
          case "InvestorUpdated": {
            const id = identities.get(a.identity)!;
            id.kycExpiry = a.kycExpiry;
            id.country = Number(a.country);
            id.classes = Number(a.classes);
            break;
          }
          case "WalletAdded":
            identities.get(a.identity)!.wallets.push(a.wallet);
            walletIdentity.set(a.wallet, a.identity);
            walletFrozen.set(a.wallet, false);
            break;
          case "WalletRemoved": {
            const list = identities.get(a.identity)!.wallets;
            const i = list.indexOf(a.wallet);
            list[i] = list[list.length - 1];
            list.pop();
            expect(list.length).to.equal(Number(a.walletCount));
            walletIdentity.delete(a.wallet);
            break;
          }
          case "WalletRecovered": {
            const list = identities.get(a.identity)!.wallets;
            list[list.indexOf(a.lostWallet)] = a.newWallet;
            walletIdentity.delete(a.lostWallet);
            walletIdentity.set(a.newWallet, a.identity);
            walletFrozen.set(a.newWallet, false);
            break;
          }
          case "IdentityFrozen":
            identities.get(a.identity)!.frozen = a.frozen;
            break;
          case "WalletFrozen":
            walletFrozen.set(a.wallet, a.frozen);
            break;
        }
      }
      for (const w of wallets) {
        const id = walletIdentity.get(w);
        if (id === undefined) {
          expect(await registry.walletRecord(w)).to.equal(0n);
          continue;
        }
        const identity = identities.get(id)!;
        expect(await registry.walletRecord(w)).to.equal(
          packRecord({
            identity: id,
            kycExpiry: identity.kycExpiry,
            country: identity.country,
            classes: identity.classes,
            identityFrozen: identity.frozen,
            walletFrozen: walletFrozen.get(w),
            walletCount: identity.wallets.length,
          }),
        );
        expect(await registry.identityWallets(w)).to.deep.equal(identity.wallets);
      }
    }

    it("test_events_rebuildEveryRecord: a mixed sequence of operations", async function () {
      const { registry, asAgent, w1, w2, w3, w4, outsider, kyc } = await identitiesFixture();
      const extra = [randomAddress(), randomAddress(), randomAddress(), randomAddress()];
      await asAgent.batchRegister([
        { wallet: extra[0], kycExpiry: kyc, country: SG, classes: NON_US },
        { wallet: extra[1], kycExpiry: kyc + 5n, country: US, classes: ACCREDITED },
      ]);
      await asAgent.addWallet(extra[0], extra[2]);
      await asAgent.setWalletFrozen(w3.address, true);
      await asAgent.setIdentityFrozen(extra[2], true);
      await asAgent.batchUpdate([
        { wallet: w2.address, kycExpiry: kyc + 9n, country: GB, classes: 0 },
        { wallet: extra[1], kycExpiry: kyc + 1n, country: US, classes: QUALIFIED_PURCHASER },
      ]);
      await asAgent.recoverWallet(w3.address, outsider.address);
      await asAgent.removeWallet(w1.address);
      await asAgent.addWallet(w4.address, extra[3]);
      await asAgent.removeWallet(extra[1]);
      await asAgent.setIdentityFrozen(extra[0], false);
      await rebuildAndCompare(
        registry,
        [w1, w2, w3, w4, outsider].map((s: HardhatEthersSigner) => s.address).concat(extra),
      );
    });
  });
});
