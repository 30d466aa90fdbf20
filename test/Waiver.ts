/**
 * The senior holders' waiver of an event of default, with the tranche's compliance registry: tokens vote once per
 * ballot whatever wallet holds them (a recovered wallet cannot vote the same tokens again), a holder the tranche's
 * rules would not let send (frozen, unregistered, KYC expired) cannot vote, frozen tokens carry no weight, and shares
 * the offering has not delivered neither vote nor count in the majority.
 */
import { expect } from "chai";
import { network } from "hardhat";

import type { InvestorRegistry } from "../types/ethers-contracts/index.js";
import { DAY, DealStatus, WAD } from "./helpers/fixtures.js";
import {
  K,
  M,
  RiskMetric,
  TermSheetField,
  TriggerComparison,
  TriggerEffect,
  buildRiskDeal,
  riskTermSheet,
  runPeriod,
  trigger,
} from "./helpers/risk-fixtures.js";

const { ethers, networkHelpers } = await network.create();
const { time } = networkHelpers;

const US = 840;
const ACCREDITED = 1;
const SENDER_FROZEN = 5;
const SENDER_KYC_EXPIRED = 6;
/** Event of default at once when DSCR < 1 (latches). */
const DSCR_DEFAULT = trigger(
  RiskMetric.Dscr,
  TriggerComparison.Below,
  WAD,
  TriggerEffect.Accelerate,
);

/**
 * A deal whose tokens follow an investor registry, accelerated at period 0, with ballot 1 open. The senior (6 M)
 * was bought by investors 0 and 1; investor 0 took delivery of 3 M, investor 1 of 2 M and left 1 M in the offering.
 */
async function ballotOpen() {
  const s = await ethers.getSigners();
  const [admin, agent] = [s[0], s[19]];
  const registry = (await ethers.deployContract("InvestorRegistry", [
    admin.address,
  ])) as unknown as InvestorRegistry;
  await registry.grantRole(await registry.COMPLIANCE_AGENT_ROLE(), agent.address);
  const registryAddress = await registry.getAddress();
  const f = await buildRiskDeal(ethers, networkHelpers, "none", (t) => {
    t.registry = registryAddress;
    t.risk = { ...t.risk, triggers: [DSCR_DEFAULT] };
  });
  const kyc = BigInt(await time.latest()) + 3n * 365n * DAY;
  const [a, b, c, d] = f.r.investors;
  const newWallet = s[16];
  for (const w of [a, b, c, d, newWallet]) {
    await registry.connect(agent).registerInvestor(w.address, kyc, US, ACCREDITED);
  }
  const coin = f.protocol.stablecoin;
  await time.increaseTo(f.terms.offeringOpensAt);
  const buy = async (i: number, who: typeof a, amount: bigint) => {
    const offering = f.h.offerings[i];
    await coin.mint(who.address, amount);
    await coin.connect(who).approve(await offering.getAddress(), amount);
    await offering.connect(who).requestDeposit(amount, who.address, who.address);
  };
  await buy(0, a, 3n * M);
  await buy(0, b, 3n * M);
  await buy(1, c, 2n * M);
  await buy(2, d, 1n * M);
  await time.increaseTo(f.terms.offeringClosesAt);
  for (const o of f.h.offerings) await o.close();
  await f.h.offerings[0].connect(a)["deposit(uint256,address)"](3n * M, a.address);
  await f.h.offerings[0].connect(b)["deposit(uint256,address)"](2n * M, b.address);
  await f.h.offerings[1].connect(c)["deposit(uint256,address)"](2n * M, c.address);
  await f.h.offerings[2].connect(d)["deposit(uint256,address)"](1n * M, d.address);
  await runPeriod(ethers, networkHelpers, f, 0, { revenue: 50n * K });
  expect(await f.deal.status()).to.equal(BigInt(DealStatus.Accelerated));
  await f.engine.connect(f.r.issuer).proposeWaiver();
  const ballot = await f.engine.ballot();
  return { ...f, registry, agent, a, b, newWallet, senior: f.tokens[0], deadline: ballot.deadline };
}

describe("Waiver votes", function () {
  it("test_voteWaiver_aRecoveredWalletCannotVoteTheSameTokensAgain", async function () {
    const f = await networkHelpers.loadFixture(ballotOpen);
    await expect(f.engine.connect(f.a).voteWaiver(true))
      .to.emit(f.engine, "WaiverVoted")
      .withArgs(1n, f.a.address, true, 3n * M);
    // The agent recovers the voter's lost wallet: its position, vote lock included, moves to the new wallet.
    await f.senior.connect(f.agent).recoverWallet(f.a.address, f.newWallet.address);
    expect(await f.senior.lockedUntil(f.newWallet.address)).to.equal(f.deadline);
    await expect(f.engine.connect(f.newWallet).voteWaiver(true))
      .to.be.revertedWithCustomError(f.engine, "AlreadyVoted")
      .withArgs(1n, f.newWallet.address);
    expect((await f.engine.ballot()).yes).to.equal(3n * M);
    // The recovered tokens stay locked until the ballot closes.
    await expect(f.senior.connect(f.newWallet).transfer(f.b.address, 1n))
      .to.be.revertedWithCustomError(f.senior, "TokensLocked")
      .withArgs(f.newWallet.address, f.deadline);
  });

  it("test_voteWaiver_aFrozenOrExpiredHolderCannotVote", async function () {
    const f = await networkHelpers.loadFixture(ballotOpen);
    await f.registry.connect(f.agent).setIdentityFrozen(f.a.address, true);
    await expect(f.engine.connect(f.a).voteWaiver(true))
      .to.be.revertedWithCustomError(f.senior, "VoteRestricted")
      .withArgs(f.a.address, SENDER_FROZEN);
    await f.registry.connect(f.agent).updateInvestor(f.b.address, 1n, US, ACCREDITED);
    await expect(f.engine.connect(f.b).voteWaiver(false))
      .to.be.revertedWithCustomError(f.senior, "VoteRestricted")
      .withArgs(f.b.address, SENDER_KYC_EXPIRED);
    expect(await f.engine.hasVoted(1n, f.a.address)).to.equal(false);
    expect(await f.senior.lockedUntil(f.a.address)).to.equal(0n);
    // Unfrozen, the holder votes.
    await f.registry.connect(f.agent).setIdentityFrozen(f.a.address, false);
    await expect(f.engine.connect(f.a).voteWaiver(true))
      .to.emit(f.engine, "WaiverVoted")
      .withArgs(1n, f.a.address, true, 3n * M);
  });

  it("test_voteWaiver_frozenTokensCarryNoWeight", async function () {
    const f = await networkHelpers.loadFixture(ballotOpen);
    await f.senior.connect(f.agent).freezeTokens(f.a.address, 1n * M);
    await expect(f.engine.connect(f.a).voteWaiver(true))
      .to.emit(f.senior, "VoteLocked")
      .withArgs(f.a.address, 2n * M, f.deadline);
    expect((await f.engine.ballot()).yes).to.equal(2n * M);
  });

  it("test_executeWaiver_undeliveredSharesDoNotCountInTheMajority", async function () {
    const f = await networkHelpers.loadFixture(ballotOpen);
    // 3 M of the 5 M delivered votes for (60 %), though only half of the 6 M supply: 1 M sits in the offering.
    expect(await f.senior.balanceOf(await f.h.offerings[0].getAddress())).to.equal(1n * M);
    await f.engine.connect(f.a).voteWaiver(true);
    await f.engine.connect(f.b).voteWaiver(false);
    await expect(f.engine.executeWaiver())
      .to.emit(f.engine, "WaiverExecuted")
      .withArgs(1n, 3n * M, 2n * M, 5n * M, 1n);
    expect(await f.deal.status()).to.equal(BigInt(DealStatus.Active));
  });

  it("test_executeWaiver_aMinorityOfDeliveredSharesIsNotEnough", async function () {
    const f = await networkHelpers.loadFixture(ballotOpen);
    await f.engine.connect(f.b).voteWaiver(true);
    await expect(f.engine.executeWaiver())
      .to.be.revertedWithCustomError(f.engine, "WaiverNotApproved")
      .withArgs(1n, 2n * M, 5n * M);
  });

  it("test_lockForVote_aDeadlineBeyondThe32BitLockRevertsInsteadOfWrapping", async function () {
    const f = await networkHelpers.loadFixture(ballotOpen);
    const engine = await f.engine.getAddress();
    await networkHelpers.impersonateAccount(engine);
    await networkHelpers.setBalance(engine, WAD);
    const asEngine = f.senior.connect(await ethers.getSigner(engine));
    await expect(asEngine.lockForVote(f.b.address, 2n ** 32n))
      .to.be.revertedWithCustomError(f.senior, "SafeCastOverflowedUintDowncast")
      .withArgs(32, 2n ** 32n);
    await expect(asEngine.lockForVote(f.b.address, 2n ** 32n - 1n))
      .to.emit(f.senior, "VoteLocked")
      .withArgs(f.b.address, 2n * M, 2n ** 32n - 1n);
    await networkHelpers.stopImpersonatingAccount(engine);
  });

  it("test_createDeal_refusesAWaiverBallotLongerThanAYear", async function () {
    const s = await riskTermSheet(ethers, networkHelpers, "none");
    const terms = structuredClone(s.terms);
    terms.risk.waiverVotingPeriod = 365 * 86_400 + 1;
    await expect(s.protocol.factory.connect(s.r.issuer).createDeal(terms))
      .to.be.revertedWithCustomError(s.protocol.factory, "InvalidTermSheet")
      .withArgs(TermSheetField.WaiverPeriod, 0n);
    terms.risk.waiverVotingPeriod = 365 * 86_400;
    await expect(s.protocol.factory.connect(s.r.issuer).createDeal(terms)).to.emit(
      s.protocol.factory,
      "DealCreated",
    );
  });
});
