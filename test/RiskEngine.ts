import { expect } from "chai";
import { network } from "hardhat";

import {
  decliningBalanceValue,
  indexImpliedValue,
  straightLineValue,
  coverage,
  loanToValue,
} from "../sdk/models/collateral.js";
import {
  DAY,
  DealStatus,
  PERIOD,
  PrincipalType,
  USDC,
  WAD,
  createDeal,
  fixedNote,
  subscribe,
  type FleetEntryInput,
} from "./helpers/fixtures.js";
import {
  DepreciationMethod,
  FleetEntryStatus,
  INDEX_AT_ACQUISITION,
  IndexRejection,
  K,
  M,
  MAX_UINT256,
  RiskMetric,
  TermSheetField,
  TriggerComparison,
  TriggerEffect,
  YEAR,
  ZERO_ADDRESS,
  activate,
  buildRiskDeal,
  countOf,
  fleetEntry,
  periodInterest,
  riskTermSheet,
  runPeriod,
  standardFleet,
  statementOf,
  trigger,
  QUIET_TRIGGERS,
  type RiskFixture,
} from "./helpers/risk-fixtures.js";

const { ethers, networkHelpers } = await network.create();

const SENIOR_RATE = (8n * WAD) / 100n;
const JUNIOR_RATE = (12n * WAD) / 100n;
/** Cash-trap while DSCR < 1.2 (cures); event of default while DSCR < 1.0 (latches). */
const DSCR_TRAP = trigger(
  RiskMetric.Dscr,
  TriggerComparison.Below,
  (12n * WAD) / 10n,
  TriggerEffect.CashTrap,
  1,
  true,
);
const DSCR_DEFAULT = trigger(
  RiskMetric.Dscr,
  TriggerComparison.Below,
  WAD,
  TriggerEffect.Accelerate,
  1,
  false,
);

// ------------------------------------------------------------------ fixtures

async function noFeedDeal() {
  return buildRiskDeal(ethers, networkHelpers, "none");
}

async function activeNoFeed() {
  const f = await noFeedDeal();
  await activate(networkHelpers, f);
  return f;
}

async function activeMockFeed() {
  const f = await buildRiskDeal(ethers, networkHelpers, "mock");
  await activate(networkHelpers, f);
  return f;
}

/** Clean-up call allowed once senior principal is at or below 20 % of its face. */
async function activeCallable() {
  const f = await buildRiskDeal(ethers, networkHelpers, "none", (t) => {
    t.risk = { ...t.risk, cleanUpBps: 2_000 };
  });
  await activate(networkHelpers, f);
  return f;
}

/** An active deal whose issuer may call the notes at any time (clean-up at 100 % of senior face). */
async function activeCallableAtPar() {
  const f = await buildRiskDeal(ethers, networkHelpers, "none", (t) => {
    t.risk = { ...t.risk, cleanUpBps: 10_000 };
  });
  await activate(networkHelpers, f);
  return f;
}

/**
 * The DSCR-triggered deal after period 0 collected 50 000: DSCR ≈ 0.80 fires both triggers; the deal is Accelerated.
 * The senior holder split its 6 M: 3 M to investor 3, one unit to investor 5, 3 M − 1 kept.
 */
async function acceleratedDeal() {
  const f = await buildRiskDeal(ethers, networkHelpers, "none", (t) => {
    t.risk = { ...t.risk, triggers: [DSCR_TRAP, DSCR_DEFAULT], cleanUpBps: 10_000 };
  });
  await activate(networkHelpers, f);
  const run0 = await runPeriod(ethers, networkHelpers, f, 0, { revenue: 50n * K });
  const [holder, , , half, , one] = f.r.investors;
  await f.tokens[0].connect(holder).transfer(half.address, 3n * M);
  await f.tokens[0].connect(holder).transfer(one.address, 1n);
  return { ...f, run0 };
}

/** The accelerated deal with ballot 1 open (proposed by the issuer). */
async function ballotOpen() {
  const f = await acceleratedDeal();
  await f.engine.connect(f.r.issuer).proposeWaiver();
  const deadline = (await f.engine.ballot()).deadline;
  return { ...f, deadline };
}

/** Everything a failing call must leave as it was: the deal's accounts and notes, the engine's state, balances. */
async function stateOf(f: RiskFixture) {
  const coin = f.protocol.stablecoin;
  const tranches = [];
  for (let i = 0; i < f.tokens.length; i++)
    tranches.push(Array.from(await f.deal.tranche(i)).map(String));
  const fleet = [];
  for (let id = 0n; id < (await f.engine.fleetEntryCount()); id++) {
    const e = await f.engine.fleetEntry(id);
    fleet.push([e.activeCount, e.status]);
  }
  return {
    status: await f.deal.status(),
    reserve: Array.from(await f.deal.reserve()),
    collections: await f.deal.undistributedCollections(),
    recoveries: await f.deal.recoveries(),
    residualOwed: await f.deal.residualOwed(),
    fleetEntries: fleet,
    next: await f.deal.nextPeriod(),
    tranches,
    fleet: await f.engine.fleetEntryCount(),
    states: (await f.engine.triggerStates()).map((x) => Array.from(x)),
    ballot: Array.from(await f.engine.ballot()),
    balances: await Promise.all(
      [f.dealAddress, ...f.tokenAddresses, f.terms.issuer].map((a) => coin.balanceOf(a)),
    ),
  };
}

async function expectUnchanged(f: RiskFixture, failing: () => Promise<void>) {
  const before = await stateOf(f);
  await failing();
  expect(await stateOf(f)).to.deep.equal(before);
}

function dummyAssessInput() {
  return {
    period: 0n,
    finalPeriod: false,
    reported: true,
    valuationTime: 0n,
    gpuHoursAvailable: 0n,
    gpuHoursBilled: 0n,
    revenue: 0n,
    pledgedShareBps: 0n,
    cash: 0n,
    reserve: 0n,
    recoveries: 0n,
    reserveTarget: 0n,
    feesDue: 0n,
    outstanding: [],
    interestDue: [],
    principalDue: [],
  };
}

/** Fleet value at `at` by the SDK model: per entry, book value (and the lower index-implied value when marked). */
function sdkFleetValue(
  fleet: FleetEntryInput[],
  at: bigint,
  index = 0n,
  active?: number[],
): bigint {
  let total = 0n;
  fleet.forEach((e, i) => {
    const units = BigInt(active ? active[i] : e.count);
    if (units === 0n) return;
    const cost = e.unitCost * units;
    const residual = e.unitResidual * units;
    const age = at > e.acquiredAt ? at - e.acquiredAt : 0n;
    const life = BigInt(e.usefulLife);
    let value =
      e.method === DepreciationMethod.StraightLine
        ? straightLineValue(cost, residual, life, age)
        : decliningBalanceValue(cost, residual, e.yearlyRate, life, age);
    if (index !== 0n && e.indexAtAcquisition !== 0n) {
      const implied = indexImpliedValue(cost, e.indexAtAcquisition, index);
      if (implied < value) value = implied;
    }
    total += value;
  });
  return total;
}

// ------------------------------------------------------------------ tests

describe("RiskEngine", function () {
  describe("access and configuration reverts", function () {
    it("test_initializeAndAssess_onlyTheDeal", async function () {
      const f = await networkHelpers.loadFixture(activeNoFeed);
      await expectUnchanged(f, async () => {
        await expect(f.engine.connect(f.outsider).initialize([]))
          .to.be.revertedWithCustomError(f.engine, "NotDeal")
          .withArgs(f.outsider.address);
        await expect(f.engine.connect(f.r.issuer).assess(dummyAssessInput()))
          .to.be.revertedWithCustomError(f.engine, "NotDeal")
          .withArgs(f.r.issuer.address);
      });
    });

    it("test_fleetAndWaiver_onlyTheIssuerAdmin", async function () {
      const f = await networkHelpers.loadFixture(activeNoFeed);
      const entry = standardFleet(f.terms.start, false)[0];
      await expectUnchanged(f, async () => {
        for (const caller of [f.outsider, f.r.servicer, f.r.trustee]) {
          await expect(f.engine.connect(caller).addFleetEntries([entry]))
            .to.be.revertedWithCustomError(f.engine, "NotIssuer")
            .withArgs(caller.address);
          await expect(f.engine.connect(caller).retireFleetEntry(0n, 1n, 0n))
            .to.be.revertedWithCustomError(f.engine, "NotIssuer")
            .withArgs(caller.address);
          await expect(f.engine.connect(caller).proposeWaiver())
            .to.be.revertedWithCustomError(f.engine, "NotIssuer")
            .withArgs(caller.address);
        }
      });
    });

    it("test_addFleetEntries_revertsOnEachInvalidEntryWithItsIndex", async function () {
      const f = await networkHelpers.loadFixture(activeNoFeed);
      const good = standardFleet(f.terms.start, false)[2];
      const bad: [string, FleetEntryInput][] = [
        ["no GPUs", { ...good, count: 0 }],
        ["no cost", { ...good, unitCost: 0n, unitResidual: 0n }],
        ["residual above cost", { ...good, unitResidual: good.unitCost + 1n }],
        ["no useful life", { ...good, usefulLife: 0 }],
        ["no acquisition time", { ...good, acquiredAt: 0n }],
        ["straight line with a rate", { ...good, yearlyRate: 1n }],
        [
          "declining balance without a rate",
          { ...good, method: DepreciationMethod.DecliningBalance },
        ],
        [
          "declining balance at 100 %",
          { ...good, method: DepreciationMethod.DecliningBalance, yearlyRate: WAD },
        ],
        ["marked without a feed", { ...good, indexAtAcquisition: INDEX_AT_ACQUISITION }],
      ];
      await expectUnchanged(f, async () => {
        for (const [what, entry] of bad) {
          await expect(f.engine.connect(f.r.issuer).addFleetEntries([good, good, entry]), what)
            .to.be.revertedWithCustomError(f.engine, "InvalidFleetEntry")
            .withArgs(2n);
        }
      });
      // Boundary cases that are valid: residual equal to cost, a declining rate just below 100 %.
      await expect(
        f.engine.connect(f.r.issuer).addFleetEntries([
          { ...good, unitResidual: good.unitCost },
          { ...good, method: DepreciationMethod.DecliningBalance, yearlyRate: WAD - 1n },
        ]),
      )
        .to.emit(f.engine, "FleetEntryProposed")
        .withArgs(
          5n,
          f.r.issuer.address,
          Object.values({
            ...good,
            method: DepreciationMethod.DecliningBalance,
            yearlyRate: WAD - 1n,
          }),
        );
      expect(await f.engine.fleetEntryCount()).to.equal(6n);
    });

    it("test_addFleetEntries_revertsPastThirtyTwoEntries", async function () {
      const f = await networkHelpers.loadFixture(activeNoFeed);
      const good = standardFleet(f.terms.start, false)[2];
      await expectUnchanged(f, async () => {
        await expect(f.engine.connect(f.r.issuer).addFleetEntries(Array(29).fill(good)))
          .to.be.revertedWithCustomError(f.engine, "FleetFull")
          .withArgs(32n);
      });
      await f.engine.connect(f.r.issuer).addFleetEntries(Array(28).fill(good));
      expect(await f.engine.fleetEntryCount()).to.equal(32n);
      await expect(f.engine.connect(f.r.issuer).addFleetEntries([good]))
        .to.be.revertedWithCustomError(f.engine, "FleetFull")
        .withArgs(32n);
    });

    it("test_retireFleetEntry_revertsForAnUnknownEntryOrInvalidUnits", async function () {
      const f = await networkHelpers.loadFixture(activeNoFeed);
      await expectUnchanged(f, async () => {
        await expect(f.engine.connect(f.r.issuer).retireFleetEntry(4n, 1n, 0n))
          .to.be.revertedWithCustomError(f.engine, "UnknownFleetEntry")
          .withArgs(4n);
        await expect(f.engine.fleetEntry(4n))
          .to.be.revertedWithCustomError(f.engine, "UnknownFleetEntry")
          .withArgs(4n);
        await expect(f.engine.connect(f.r.issuer).retireFleetEntry(0n, 0n, 0n))
          .to.be.revertedWithCustomError(f.engine, "InvalidRetirement")
          .withArgs(0n, 0n, 256n);
        await expect(f.engine.connect(f.r.issuer).retireFleetEntry(0n, 257n, 0n))
          .to.be.revertedWithCustomError(f.engine, "InvalidRetirement")
          .withArgs(0n, 257n, 256n);
      });
      await expect(f.engine.connect(f.r.issuer).retireFleetEntry(0n, 56n, 0n))
        .to.emit(f.engine, "FleetEntryRetired")
        .withArgs(0n, 56n, 200n, 0n);
      await expect(f.engine.connect(f.r.issuer).retireFleetEntry(0n, 201n, 0n))
        .to.be.revertedWithCustomError(f.engine, "InvalidRetirement")
        .withArgs(0n, 201n, 200n);
      await f.engine.connect(f.r.issuer).retireFleetEntry(0n, 200n, 0n);
      expect((await f.engine.fleetEntry(0n)).activeCount).to.equal(0n);
      await expect(f.engine.connect(f.r.issuer).retireFleetEntry(0n, 1n, 0n))
        .to.be.revertedWithCustomError(f.engine, "InvalidRetirement")
        .withArgs(0n, 1n, 0n);
    });
  });

  describe("waiver reverts", function () {
    it("test_proposeWaiver_revertsUnlessAccelerated", async function () {
      const f = await networkHelpers.loadFixture(activeNoFeed);
      await expectUnchanged(f, async () => {
        await expect(f.engine.connect(f.r.issuer).proposeWaiver())
          .to.be.revertedWithCustomError(f.engine, "NotAccelerated")
          .withArgs(DealStatus.Active);
      });
    });

    it("test_proposeWaiver_revertsWhileABallotIsOpen", async function () {
      const f = await networkHelpers.loadFixture(ballotOpen);
      await expectUnchanged(f, async () => {
        await expect(f.engine.connect(f.r.issuer).proposeWaiver())
          .to.be.revertedWithCustomError(f.engine, "BallotOpen")
          .withArgs(1n, f.deadline);
      });
      // Open up to and including its deadline; a new ballot may be proposed after it.
      await networkHelpers.time.setNextBlockTimestamp(f.deadline);
      await expect(f.engine.connect(f.r.issuer).proposeWaiver())
        .to.be.revertedWithCustomError(f.engine, "BallotOpen")
        .withArgs(1n, f.deadline);
      const at = f.deadline + 1n;
      await networkHelpers.time.setNextBlockTimestamp(at);
      await expect(f.engine.connect(f.r.issuer).proposeWaiver())
        .to.emit(f.engine, "WaiverProposed")
        .withArgs(2n, f.r.issuer.address, at + 7n * DAY);
    });

    it("test_voteAndExecute_revertWithoutAnOpenBallot", async function () {
      const f = await networkHelpers.loadFixture(acceleratedDeal);
      const voter = f.r.investors[0];
      await expectUnchanged(f, async () => {
        await expect(f.engine.connect(voter).voteWaiver(true)).to.be.revertedWithCustomError(
          f.engine,
          "NoOpenBallot",
        );
        await expect(f.engine.executeWaiver()).to.be.revertedWithCustomError(
          f.engine,
          "NoOpenBallot",
        );
      });
    });

    it("test_voteWaiver_revertsAfterTheDeadline", async function () {
      const f = await networkHelpers.loadFixture(ballotOpen);
      await networkHelpers.time.setNextBlockTimestamp(f.deadline + 1n);
      await expectUnchanged(f, async () => {
        await expect(
          f.engine.connect(f.r.investors[0]).voteWaiver(true),
        ).to.be.revertedWithCustomError(f.engine, "NoOpenBallot");
      });
    });

    it("test_voteWaiver_revertsOnASecondVoteAndWithoutSeniorTokens", async function () {
      const f = await networkHelpers.loadFixture(ballotOpen);
      const [holder, , , half, nobody] = f.r.investors;
      await f.engine.connect(half).voteWaiver(true);
      await expectUnchanged(f, async () => {
        await expect(f.engine.connect(half).voteWaiver(false))
          .to.be.revertedWithCustomError(f.engine, "AlreadyVoted")
          .withArgs(1n, half.address);
        await expect(f.engine.connect(nobody).voteWaiver(true))
          .to.be.revertedWithCustomError(f.engine, "NoVotingPower")
          .withArgs(nobody.address);
      });
      expect(await f.engine.hasVoted(1n, nobody.address)).to.equal(false);
      expect(await f.engine.hasVoted(1n, half.address)).to.equal(true);
      expect(await f.engine.hasVoted(1n, holder.address)).to.equal(false);
    });

    it("test_executeWaiver_revertsAtExactlyHalfOfTheSeniorSupply", async function () {
      const f = await networkHelpers.loadFixture(ballotOpen);
      await f.engine.connect(f.r.investors[3]).voteWaiver(true);
      await expectUnchanged(f, async () => {
        await expect(f.engine.executeWaiver())
          .to.be.revertedWithCustomError(f.engine, "WaiverNotApproved")
          .withArgs(1n, 3n * M, 6n * M);
      });
    });

    it("test_executeWaiver_revertsOnceExecutedAndVotesCloseWithIt", async function () {
      const f = await networkHelpers.loadFixture(ballotOpen);
      await f.engine.connect(f.r.investors[0]).voteWaiver(true);
      await f.engine.connect(f.r.investors[3]).voteWaiver(true);
      await f.engine.executeWaiver();
      await expectUnchanged(f, async () => {
        await expect(f.engine.executeWaiver())
          .to.be.revertedWithCustomError(f.engine, "WaiverAlreadyExecuted")
          .withArgs(1n);
        await expect(
          f.engine.connect(f.r.investors[5]).voteWaiver(true),
        ).to.be.revertedWithCustomError(f.engine, "NoOpenBallot");
      });
    });

    it("test_executeWaiver_revertsOnceTheDealIsNoLongerAccelerated", async function () {
      const f = await networkHelpers.loadFixture(ballotOpen);
      await f.engine.connect(f.r.investors[0]).voteWaiver(true);
      await f.engine.connect(f.r.investors[3]).voteWaiver(true);
      // The issuer calls every note instead (clean-up threshold 100 % of senior face).
      const q = await f.engine.cleanUpQuote();
      await f.protocol.stablecoin.mint(f.r.issuer.address, q.fromIssuer + 1n * M);
      await f.protocol.stablecoin.connect(f.r.issuer).approve(f.dealAddress, ethers.MaxUint256);
      await f.deal.connect(f.r.issuer).cleanUpCall();
      expect(await f.deal.status()).to.equal(BigInt(DealStatus.Repaid));
      await expectUnchanged(f, async () => {
        await expect(f.engine.executeWaiver())
          .to.be.revertedWithCustomError(f.engine, "NotAccelerated")
          .withArgs(DealStatus.Repaid);
      });
    });
  });

  describe("deal and token reverts", function () {
    it("test_writeDown_onlyTheTrusteeOfAnAcceleratedDeal", async function () {
      const f = await networkHelpers.loadFixture(activeNoFeed);
      await expectUnchanged(f, async () => {
        for (const caller of [f.outsider, f.r.issuer]) {
          await expect(f.deal.connect(caller).writeDown(1n))
            .to.be.revertedWithCustomError(f.deal, "NotTrustee")
            .withArgs(caller.address);
        }
        await expect(f.deal.connect(f.r.trustee).writeDown(1n))
          .to.be.revertedWithCustomError(f.deal, "WriteDownNotAllowed")
          .withArgs(DealStatus.Active);
      });
    });

    it("test_writeDown_revertsWhileCashIsHeldOrOnAnInvalidAmount", async function () {
      const f = await networkHelpers.loadFixture(acceleratedDeal);
      const outstanding =
        (await f.deal.tranche(0)).outstanding + (await f.deal.tranche(1)).outstanding;
      expect(await f.deal.reserve()).to.deep.equal([0n, 150n * K]);
      expect(await f.deal.undistributedCollections()).to.equal(0n);
      await expectUnchanged(f, async () => {
        await expect(f.deal.connect(f.r.trustee).writeDown(0n))
          .to.be.revertedWithCustomError(f.deal, "InvalidWriteDown")
          .withArgs(0n, outstanding);
        await expect(f.deal.connect(f.r.trustee).writeDown(outstanding + 1n))
          .to.be.revertedWithCustomError(f.deal, "InvalidWriteDown")
          .withArgs(outstanding + 1n, outstanding);
      });
      await f.deal.connect(f.r.servicer).depositCollections(7n * USDC);
      await expectUnchanged(f, async () => {
        await expect(f.deal.connect(f.r.trustee).writeDown(1n))
          .to.be.revertedWithCustomError(f.deal, "RecoveriesNotExhausted")
          .withArgs(7n * USDC, 0n, 0n);
      });
    });

    it("test_riskEngineHooks_onlyTheRiskEngine", async function () {
      const f = await networkHelpers.loadFixture(activeNoFeed);
      await expectUnchanged(f, async () => {
        await expect(f.deal.connect(f.r.issuer).setRiskStatus(DealStatus.CashTrap))
          .to.be.revertedWithCustomError(f.deal, "NotRiskEngine")
          .withArgs(f.r.issuer.address);
        await expect(
          f.tokens[0].connect(f.outsider).lockForVote(f.r.investors[0].address, 2n ** 32n - 1n),
        )
          .to.be.revertedWithCustomError(f.tokens[0], "NotRiskEngine")
          .withArgs(f.outsider.address);
      });
      expect(await f.tokens[0].lockedUntil(f.r.investors[0].address)).to.equal(0n);
    });

    it("test_setRiskStatus_revertsOutsideTheRunningStates", async function () {
      const f = await networkHelpers.loadFixture(noFeedDeal);
      const engine = await f.engine.getAddress();
      await networkHelpers.impersonateAccount(engine);
      await networkHelpers.setBalance(engine, WAD);
      const asEngine = f.deal.connect(await ethers.getSigner(engine));
      await expect(asEngine.setRiskStatus(DealStatus.Active))
        .to.be.revertedWithCustomError(f.deal, "DealNotActive")
        .withArgs(DealStatus.Offering);
      await activate(networkHelpers, f);
      for (const next of [DealStatus.Offering, DealStatus.Repaid, DealStatus.Defaulted]) {
        await expect(asEngine.setRiskStatus(next))
          .to.be.revertedWithCustomError(f.deal, "DealNotActive")
          .withArgs(DealStatus.Active);
      }
      expect(await f.deal.status()).to.equal(BigInt(DealStatus.Active));
      // Setting the current status again emits nothing.
      await expect(asEngine.setRiskStatus(DealStatus.Active)).not.to.emit(f.deal, "StatusChanged");
      await expect(asEngine.setRiskStatus(DealStatus.CashTrap))
        .to.emit(f.deal, "StatusChanged")
        .withArgs(DealStatus.Active, DealStatus.CashTrap);
      await networkHelpers.stopImpersonatingAccount(engine);
    });

    it("test_recoveriesAndCleanUp_revertBeforeTheDealRuns", async function () {
      const f = await networkHelpers.loadFixture(noFeedDeal);
      await f.protocol.stablecoin.mint(f.outsider.address, M);
      await f.protocol.stablecoin.connect(f.outsider).approve(f.dealAddress, M);
      await expectUnchanged(f, async () => {
        await expect(f.deal.connect(f.outsider).depositRecoveries(M))
          .to.be.revertedWithCustomError(f.deal, "DealNotActive")
          .withArgs(DealStatus.Offering);
        await expect(f.deal.connect(f.r.issuer).cleanUpCall())
          .to.be.revertedWithCustomError(f.deal, "DealNotActive")
          .withArgs(DealStatus.Offering);
      });
    });

    it("test_depositRecoveries_revertsOnZeroAndWhilePaused", async function () {
      const f = await networkHelpers.loadFixture(activeNoFeed);
      await f.protocol.stablecoin.mint(f.r.issuer.address, M);
      await f.protocol.stablecoin.connect(f.r.issuer).approve(f.dealAddress, M);
      await f.protocol.stablecoin.connect(f.r.issuer).approve(await f.engine.getAddress(), M);
      await expectUnchanged(f, async () => {
        await expect(
          f.deal.connect(f.r.issuer).depositRecoveries(0n),
        ).to.be.revertedWithCustomError(f.deal, "ZeroAmount");
      });
      await f.deal.connect(f.r.guardian).pause();
      await expectUnchanged(f, async () => {
        await expect(f.deal.connect(f.r.issuer).depositRecoveries(M)).to.be.revertedWithCustomError(
          f.deal,
          "EnforcedPause",
        );
        // Sale proceeds of a retired entry are recoveries: refused while paused, and the entry stays.
        await expect(
          f.engine.connect(f.r.issuer).retireFleetEntry(0n, 1n, M),
        ).to.be.revertedWithCustomError(f.deal, "EnforcedPause");
        await expect(f.deal.connect(f.r.issuer).cleanUpCall()).to.be.revertedWithCustomError(
          f.deal,
          "EnforcedPause",
        );
      });
    });

    it("test_cleanUpCall_revertsAboveTheThresholdWhilePendingAndForOthers", async function () {
      const f = await networkHelpers.loadFixture(activeCallable);
      await expectUnchanged(f, async () => {
        await expect(f.deal.connect(f.r.issuer).cleanUpCall())
          .to.be.revertedWithCustomError(f.deal, "CleanUpNotAllowed")
          .withArgs(6n * M, (6n * M * 2_000n) / 10_000n);
        await expect(f.deal.connect(f.outsider).cleanUpCall())
          .to.be.revertedWithCustomError(f.deal, "AccessControlUnauthorizedAccount")
          .withArgs(f.outsider.address, ethers.ZeroHash);
      });
      expect(await f.engine.cleanUpCallable()).to.equal(false);
      // Recoveries the issuer deposits are held for the notes: they repay no principal, so they cannot bring the
      // senior under the threshold (the issuer cannot call the notes at par through them).
      await f.protocol.stablecoin.mint(f.r.issuer.address, 5n * M);
      await f.protocol.stablecoin.connect(f.r.issuer).approve(f.dealAddress, 5n * M);
      await f.deal.connect(f.r.issuer).depositRecoveries(5n * M);
      expect(await f.engine.cleanUpCallable()).to.equal(false);
      await expect(f.deal.connect(f.r.issuer).cleanUpCall())
        .to.be.revertedWithCustomError(f.deal, "CleanUpNotAllowed")
        .withArgs(6n * M, (6n * M * 2_000n) / 10_000n);
    });

    it("test_cleanUpCall_revertsOnceTheCurrentPeriodHasEnded", async function () {
      const f = await networkHelpers.loadFixture(activeCallableAtPar);
      expect(await f.engine.cleanUpCallable()).to.equal(true);
      await networkHelpers.time.increaseTo(await f.deal.periodEnd(0));
      expect(await f.engine.cleanUpCallable()).to.equal(false);
      await expectUnchanged(f, async () => {
        await expect(f.deal.connect(f.r.issuer).cleanUpCall())
          .to.be.revertedWithCustomError(f.deal, "CleanUpPeriodPending")
          .withArgs(0n);
      });
    });

    /** The clean-up deal (20 % of face) whose offerings sold only the tranches in `sold`. */
    async function partlySold(sold: number[]) {
      const f = await buildRiskDeal(ethers, networkHelpers, "none", (t) => {
        t.risk = { ...t.risk, cleanUpBps: 2_000 };
      });
      await networkHelpers.time.increaseTo(f.terms.offeringOpensAt);
      for (const i of sold) {
        await subscribe(
          f.protocol,
          f.h.offerings[i],
          f.r.investors[i],
          f.terms.tranches[i].faceAmount,
        );
      }
      await networkHelpers.time.increaseTo(f.terms.offeringClosesAt);
      for (const o of f.h.offerings) await o.close();
      expect(await f.deal.status()).to.equal(BigInt(DealStatus.Active));
      return f;
    }

    it("test_cleanUpCall_seniorNeverIssued_theTestAppliesToTheMostSeniorIssuedNote", async function () {
      const f = await partlySold([1, 2]);
      expect((await f.deal.tranche(0)).issued).to.equal(0n);
      const q = await f.engine.cleanUpQuote();
      expect([q.allowed, q.seniorOutstanding, q.threshold]).to.deep.equal([
        false,
        2n * M,
        400n * K,
      ]);
      expect(await f.engine.cleanUpCallable()).to.equal(false);
      await expectUnchanged(f, async () => {
        await expect(f.deal.connect(f.r.issuer).cleanUpCall())
          .to.be.revertedWithCustomError(f.deal, "CleanUpNotAllowed")
          .withArgs(2n * M, 400n * K);
      });
    });

    it("test_cleanUpCall_noNoteIssued_notAllowed", async function () {
      const f = await partlySold([2]);
      const q = await f.engine.cleanUpQuote();
      expect([q.allowed, q.seniorOutstanding, q.threshold]).to.deep.equal([false, 0n, 0n]);
      await expectUnchanged(f, async () => {
        await expect(f.deal.connect(f.r.issuer).cleanUpCall())
          .to.be.revertedWithCustomError(f.deal, "CleanUpNotAllowed")
          .withArgs(0n, 0n);
      });
    });

    it("test_cleanUpAndRecoveries_revertOnceTheDealHasBeenRepaid", async function () {
      const f = await networkHelpers.loadFixture(activeCallableAtPar);
      await f.protocol.stablecoin.mint(f.r.issuer.address, 20n * M);
      await f.protocol.stablecoin.connect(f.r.issuer).approve(f.dealAddress, ethers.MaxUint256);
      await f.deal.connect(f.r.issuer).depositRecoveries(5n * M);
      await f.deal.connect(f.r.issuer).cleanUpCall();
      expect(await f.engine.cleanUpCallable()).to.equal(false);
      await expectUnchanged(f, async () => {
        await expect(f.deal.connect(f.r.issuer).cleanUpCall())
          .to.be.revertedWithCustomError(f.deal, "DealNotActive")
          .withArgs(DealStatus.Repaid);
        await expect(f.deal.connect(f.r.issuer).depositRecoveries(1n))
          .to.be.revertedWithCustomError(f.deal, "DealNotActive")
          .withArgs(DealStatus.Repaid);
      });
    });

    it("test_transfer_revertsWhileTheVoteLocksTheBalance", async function () {
      const f = await networkHelpers.loadFixture(ballotOpen);
      const [holder, , , half] = f.r.investors;
      await expect(f.engine.connect(half).voteWaiver(false))
        .to.emit(f.tokens[0], "VoteLocked")
        .withArgs(half.address, 3n * M, f.deadline);
      expect(await f.tokens[0].lockedUntil(half.address)).to.equal(f.deadline);
      await f.tokens[0].connect(half).approve(holder.address, 1n);
      await expectUnchanged(f, async () => {
        await expect(f.tokens[0].connect(half).transfer(holder.address, 1n))
          .to.be.revertedWithCustomError(f.tokens[0], "TokensLocked")
          .withArgs(half.address, f.deadline);
        await expect(f.tokens[0].connect(holder).transferFrom(half.address, holder.address, 1n))
          .to.be.revertedWithCustomError(f.tokens[0], "TokensLocked")
          .withArgs(half.address, f.deadline);
      });
      // Receiving is not blocked; the voter's tokens move again once the ballot has closed.
      await f.tokens[0].connect(holder).transfer(half.address, 1n);
      await networkHelpers.time.setNextBlockTimestamp(f.deadline);
      await expect(f.tokens[0].connect(half).transfer(holder.address, 1n))
        .to.be.revertedWithCustomError(f.tokens[0], "TokensLocked")
        .withArgs(half.address, f.deadline);
      await networkHelpers.time.setNextBlockTimestamp(f.deadline + 1n);
      await expect(f.tokens[0].connect(half).transfer(holder.address, 2n)).to.changeTokenBalances(
        ethers,
        f.tokens[0],
        [half, holder],
        [-2n, 2n],
      );
    });
  });

  describe("term sheet validation", function () {
    async function setupFixture() {
      return riskTermSheet(ethers, networkHelpers, "index");
    }

    async function expectRefused(
      s: Awaited<ReturnType<typeof setupFixture>>,
      edit: (t: typeof s.terms) => void,
      field: TermSheetField,
      index: number,
      what: string,
    ) {
      const terms = structuredClone(s.terms);
      edit(terms);
      await expect(s.protocol.factory.connect(s.r.issuer).createDeal(terms), what)
        .to.be.revertedWithCustomError(s.protocol.factory, "InvalidTermSheet")
        .withArgs(field, BigInt(index));
      expect(await s.protocol.factory.dealCount()).to.equal(0n);
    }

    it("test_createDeal_refusesInvalidRiskParameters", async function () {
      const s = await networkHelpers.loadFixture(setupFixture);
      await expectRefused(
        s,
        (t) => (t.risk.trailingPeriods = 0),
        TermSheetField.TrailingPeriods,
        0,
        "window 0",
      );
      await expectRefused(
        s,
        (t) => (t.risk.trailingPeriods = 13),
        TermSheetField.TrailingPeriods,
        0,
        "window 13",
      );
      await expectRefused(
        s,
        (t) => (t.risk.cleanUpBps = 10_001),
        TermSheetField.CleanUp,
        0,
        "clean-up > 100 %",
      );
      await expectRefused(
        s,
        (t) => (t.risk.waiverVotingPeriod = 0),
        TermSheetField.WaiverPeriod,
        0,
        "no vote",
      );
      // The bounds themselves are accepted.
      const terms = structuredClone(s.terms);
      terms.risk.trailingPeriods = 12;
      terms.risk.cleanUpBps = 10_000;
      terms.risk.waiverVotingPeriod = 1;
      await s.protocol.factory.connect(s.r.issuer).createDeal(terms);
      expect(await s.protocol.factory.dealCount()).to.equal(1n);
    });

    it("test_createDeal_refusesAnInvalidPriceFeed", async function () {
      const s = await networkHelpers.loadFixture(setupFixture);
      const F = TermSheetField.PriceFeed;
      await expectRefused(
        s,
        (t) => (t.risk.priceFeed.maxStaleness = 0),
        F,
        0,
        "feed without staleness bound",
      );
      await expectRefused(s, (t) => (t.risk.priceFeed.decimals = 18), F, 0, "wrong decimals");
      await expectRefused(
        s,
        (t) => (t.risk.priceFeed.feed = s.outsider.address),
        F,
        0,
        "feed with no code",
      );
      // A contract without decimals(): the utilization oracle.
      const noDecimals = await s.protocol.oracle.getAddress();
      await expectRefused(
        s,
        (t) => (t.risk.priceFeed.feed = noDecimals),
        F,
        0,
        "decimals() reverts",
      );
      const unmarked = (t: typeof s.terms) => {
        t.risk.fleet = t.risk.fleet.map((e) => ({ ...e, indexAtAcquisition: 0n }));
        t.risk.priceFeed = { feed: ZERO_ADDRESS, decimals: 0, maxStaleness: 0 };
      };
      await expectRefused(
        s,
        (t) => (unmarked(t), (t.risk.priceFeed.maxStaleness = 1)),
        F,
        0,
        "staleness, no feed",
      );
      await expectRefused(
        s,
        (t) => (unmarked(t), (t.risk.priceFeed.decimals = 8)),
        F,
        0,
        "decimals, no feed",
      );
      // Marked entries need a feed.
      await expectRefused(
        s,
        (t) => (t.risk.priceFeed = { feed: ZERO_ADDRESS, decimals: 0, maxStaleness: 0 }),
        TermSheetField.Fleet,
        0,
        "marked entry without a feed",
      );
    });

    it("test_createDeal_refusesInvalidTriggersWithTheirIndex", async function () {
      const s = await networkHelpers.loadFixture(setupFixture);
      const ok = DSCR_TRAP;
      await expectRefused(
        s,
        (t) => (t.risk.triggers = [ok, { ...ok, periods: 0 }]),
        TermSheetField.Trigger,
        1,
        "0 periods",
      );
      await expectRefused(
        s,
        (t) => (t.risk.triggers = [ok, ok, { ...DSCR_DEFAULT, cures: true }]),
        TermSheetField.Trigger,
        2,
        "curable acceleration",
      );
      await expectRefused(
        s,
        (t) => (t.risk.triggers = Array(17).fill(ok)),
        TermSheetField.Trigger,
        17,
        "17 triggers",
      );
      const terms = structuredClone(s.terms);
      terms.risk.triggers = Array(16).fill(DSCR_DEFAULT);
      await s.protocol.factory.connect(s.r.issuer).createDeal(terms);
      expect(await s.protocol.factory.dealCount()).to.equal(1n);
    });

    it("test_createDeal_refusesInvalidFleetEntriesWithTheirIndex", async function () {
      const s = await networkHelpers.loadFixture(setupFixture);
      await expectRefused(
        s,
        (t) => (t.risk.fleet[3] = { ...t.risk.fleet[3], count: 0 }),
        TermSheetField.Fleet,
        3,
        "no GPUs",
      );
      await expectRefused(
        s,
        (t) => (t.risk.fleet[1] = { ...t.risk.fleet[1], yearlyRate: 0n }),
        TermSheetField.Fleet,
        1,
        "declining without rate",
      );
      await expectRefused(
        s,
        (t) => (t.risk.fleet = Array(33).fill(t.risk.fleet[0])),
        TermSheetField.Fleet,
        33,
        "33 entries",
      );
      const terms = structuredClone(s.terms);
      terms.risk.fleet = Array(32).fill(terms.risk.fleet[0]);
      await s.protocol.factory.connect(s.r.issuer).createDeal(terms);
    });

    it("test_createDeal_refusesAFaceAmountAboveUint96", async function () {
      const s = await networkHelpers.loadFixture(setupFixture);
      const big = 2n ** 96n;
      await expectRefused(
        s,
        (t) => (t.tranches[1] = { ...t.tranches[1], faceAmount: big, minTicket: USDC }),
        TermSheetField.FaceAmount,
        1,
        "face 2^96",
      );
      const terms = structuredClone(s.terms);
      terms.tranches[1] = { ...terms.tranches[1], faceAmount: big - 1n };
      await s.protocol.factory.connect(s.r.issuer).createDeal(terms);
    });
  });

  describe("riskSnapshot", function () {
    it("test_riskSnapshot_returnsTheWholeRiskStateInOneCall", async function () {
      const f = await networkHelpers.loadFixture(activeMockFeed);
      const run = await runPeriod(ethers, networkHelpers, f, 0, { revenue: 900n * K });
      // Every view read at the same block, so depreciation and the index agree to the second.
      const at = { blockTag: await ethers.provider.getBlockNumber() };
      const e = f.engine;
      const s = await e.riskSnapshot(at);

      expect(s.config).to.deep.equal(await e.config(at));
      expect(s.config.deal).to.equal(f.dealAddress);
      expect(s.config.priceFeed).to.equal(await f.mock!.getAddress());
      expect(s.config.trailingPeriods).to.equal(BigInt(f.terms.risk.trailingPeriods));
      expect(s.config.waiverVotingPeriod).to.equal(BigInt(f.terms.risk.waiverVotingPeriod));
      expect(s.status).to.equal(await f.deal.status(at));

      const notes = [await f.deal.tranche(0, at), await f.deal.tranche(1, at)];
      const outstanding = notes[0].outstanding + notes[1].outstanding;
      expect(s.notesOutstanding).to.equal(outstanding);
      expect(s.seniorOutstanding).to.equal(notes[0].outstanding);
      expect(s.seniorFace).to.equal(notes[0].issued);

      expect(s.collateralValue).to.equal(await e.collateralValue(at));
      expect(s.collateralValue).to.be.greaterThan(0n);
      const block = await ethers.provider.getBlock(at.blockTag);
      expect(s.bookValue).to.equal(await e.bookValueAt(BigInt(block!.timestamp), at));
      expect(s.collateralValue <= s.bookValue).to.equal(true);
      expect([s.priceIndex, s.priceIndexLive]).to.deep.equal(await e.priceIndex(at));
      expect(s.ltv).to.equal(loanToValue(outstanding, s.collateralValue));
      expect(s.ltv).to.equal(await e.ltv(at));
      expect(s.seniorCurve).to.equal(loanToValue(notes[0].outstanding, s.collateralValue));

      const [reserve, target] = await f.deal.reserve(at);
      expect([s.reserve, s.reserveTarget]).to.deep.equal([reserve, target]);
      expect(s.reserveLevel).to.equal(coverage(reserve, target));
      expect(s.cleanUpCallable).to.equal(await e.cleanUpCallable(at));
      // The metrics of the last assessed period are in its statement, the deal's last PeriodDistributed event.
      const distributed = await f.deal.queryFilter(
        f.deal.filters.PeriodDistributed(),
        0,
        at.blockTag,
      );
      expect(distributed.length).to.equal(1);
      expect(distributed[0].args.period).to.equal(0n);
      expect(statementOf(distributed[0].args.statement)).to.deep.equal(run.statement);
      expect(s.triggers).to.deep.equal(await e.triggers(at));
      expect(s.triggers.length).to.equal(f.terms.risk.triggers.length);
      expect(s.triggerStates).to.deep.equal(await e.triggerStates(at));
      expect(s.fleetEntries).to.equal(await e.fleetEntryCount(at));
      expect(s.fleetEntries).to.equal(BigInt(f.terms.risk.fleet.length));
      expect(s.ballot).to.deep.equal(await e.ballot(at));
    });
  });

  describe("fleet entries added after creation", function () {
    /** 1 000 H100 the issuer claims to have bought at the deal start. */
    function bigEntry(f: RiskFixture): FleetEntryInput {
      return fleetEntry(
        "H100",
        1_000,
        30n * K,
        3n * K,
        f.terms.start,
        5,
        DepreciationMethod.StraightLine,
      );
    }

    it("test_addFleetEntries_pendingEntriesNeitherCountNorRetire", async function () {
      const f = await networkHelpers.loadFixture(activeNoFeed);
      const at = f.terms.start + YEAR;
      const book = await f.engine.bookValueAt(at);
      const value = await f.engine.collateralValueAt(at);
      const entry = bigEntry(f);
      await expect(f.engine.connect(f.r.issuer).addFleetEntries([entry]))
        .to.emit(f.engine, "FleetEntryProposed")
        .withArgs(4n, f.r.issuer.address, Object.values(entry));
      const pending = await f.engine.fleetEntry(4n);
      expect([pending.activeCount, pending.status]).to.deep.equal([
        1_000n,
        FleetEntryStatus.Pending,
      ]);
      expect(await f.engine.bookValueAt(at)).to.equal(book);
      expect(await f.engine.collateralValueAt(at)).to.equal(value);
      await expectUnchanged(f, async () => {
        await expect(f.engine.connect(f.r.issuer).retireFleetEntry(4n, 1n, 0n))
          .to.be.revertedWithCustomError(f.engine, "FleetEntryNotConfirmed")
          .withArgs(4n, FleetEntryStatus.Pending);
      });
      // Once the trustee confirms it, it counts.
      await expect(f.engine.connect(f.r.trustee).confirmFleetEntry(4n))
        .to.emit(f.engine, "FleetEntryConfirmed")
        .withArgs(4n, f.r.trustee.address);
      expect((await f.engine.fleetEntry(4n)).status).to.equal(FleetEntryStatus.Confirmed);
      expect(await f.engine.bookValueAt(at)).to.equal(book + sdkFleetValue([entry], at));
      await f.engine.connect(f.r.issuer).retireFleetEntry(4n, 1n, 0n);
    });

    it("test_confirmAndRejectFleetEntry_revertForOthersAndSettledEntries", async function () {
      const f = await networkHelpers.loadFixture(activeNoFeed);
      await f.engine.connect(f.r.issuer).addFleetEntries([bigEntry(f), bigEntry(f)]);
      await expectUnchanged(f, async () => {
        for (const caller of [f.outsider, f.r.issuer, f.r.guardian, f.r.servicer]) {
          await expect(f.engine.connect(caller).confirmFleetEntry(4n))
            .to.be.revertedWithCustomError(f.engine, "NotTrustee")
            .withArgs(caller.address);
        }
        for (const caller of [f.outsider, f.r.issuer, f.r.servicer]) {
          await expect(f.engine.connect(caller).rejectFleetEntry(4n))
            .to.be.revertedWithCustomError(f.engine, "NotTrusteeOrGuardian")
            .withArgs(caller.address);
        }
        await expect(f.engine.connect(f.r.trustee).confirmFleetEntry(6n))
          .to.be.revertedWithCustomError(f.engine, "UnknownFleetEntry")
          .withArgs(6n);
        await expect(f.engine.connect(f.r.trustee).rejectFleetEntry(6n))
          .to.be.revertedWithCustomError(f.engine, "UnknownFleetEntry")
          .withArgs(6n);
        // The term sheet's entries were confirmed at creation.
        await expect(f.engine.connect(f.r.trustee).rejectFleetEntry(0n))
          .to.be.revertedWithCustomError(f.engine, "FleetEntryNotPending")
          .withArgs(0n, FleetEntryStatus.Confirmed);
      });
      await expect(f.engine.connect(f.r.guardian).rejectFleetEntry(4n))
        .to.emit(f.engine, "FleetEntryRejected")
        .withArgs(4n, f.r.guardian.address);
      await expect(f.engine.connect(f.r.trustee).rejectFleetEntry(5n))
        .to.emit(f.engine, "FleetEntryRejected")
        .withArgs(5n, f.r.trustee.address);
      await expectUnchanged(f, async () => {
        await expect(f.engine.connect(f.r.trustee).confirmFleetEntry(4n))
          .to.be.revertedWithCustomError(f.engine, "FleetEntryNotPending")
          .withArgs(4n, FleetEntryStatus.Rejected);
        await expect(f.engine.connect(f.r.issuer).retireFleetEntry(5n, 1n, 0n))
          .to.be.revertedWithCustomError(f.engine, "FleetEntryNotConfirmed")
          .withArgs(5n, FleetEntryStatus.Rejected);
      });
    });

    /** LTV above 50 % accelerates at once: the deal's 8 M of notes against its 14.4 M fleet breach it. */
    async function ltvCovenant() {
      const f = await buildRiskDeal(ethers, networkHelpers, "none", (t) => {
        t.risk = {
          ...t.risk,
          triggers: [
            trigger(RiskMetric.Ltv, TriggerComparison.Above, WAD / 2n, TriggerEffect.Accelerate),
          ],
        };
      });
      await activate(networkHelpers, f);
      return f;
    }

    it("test_distribute_unconfirmedGpusCannotCureABreachedLtvCovenant", async function () {
      const f = await networkHelpers.loadFixture(ltvCovenant);
      // Just before the period is distributed the issuer registers 1 000 more H100 (30 M at cost).
      const run = await runPeriod(ethers, networkHelpers, f, 0, {
        revenue: 900n * K,
        beforeDistribute: async () => {
          await f.engine.connect(f.r.issuer).addFleetEntries([bigEntry(f)]);
        },
      });
      const end = await f.deal.periodEnd(0);
      expect(run.statement.metrics.collateralValue).to.equal(
        sdkFleetValue(f.terms.risk.fleet, end),
      );
      expect(run.statement.metrics.ltv > WAD / 2n).to.equal(true);
      expect(run.statement.mode).to.equal(DealStatus.Accelerated);
      expect(await f.deal.status()).to.equal(BigInt(DealStatus.Accelerated));
    });

    it("test_distribute_confirmedGpusCount", async function () {
      const f = await networkHelpers.loadFixture(ltvCovenant);
      const entry = bigEntry(f);
      const run = await runPeriod(ethers, networkHelpers, f, 0, {
        revenue: 900n * K,
        beforeDistribute: async () => {
          await f.engine.connect(f.r.issuer).addFleetEntries([entry]);
          await f.engine.connect(f.r.trustee).confirmFleetEntry(4n);
        },
      });
      const end = await f.deal.periodEnd(0);
      expect(run.statement.metrics.collateralValue).to.equal(
        sdkFleetValue([...f.terms.risk.fleet, entry], end),
      );
      expect(run.statement.mode).to.equal(DealStatus.Active);
    });
  });

  describe("collateral", function () {
    it("test_collateralValue_matchesTheSdkModelForBothMethods", async function () {
      const f = await networkHelpers.loadFixture(activeNoFeed);
      const fleet = f.terms.risk.fleet;
      const t0 = fleet[0].acquiredAt;
      const times = [
        t0 - 1n,
        t0,
        t0 + YEAR / 2n,
        t0 + YEAR,
        t0 + (23n * YEAR) / 10n,
        t0 + 4n * YEAR,
        t0 + 5n * YEAR - 1n,
        t0 + 7n * YEAR,
      ];
      for (const at of times) {
        const expected = sdkFleetValue(fleet, at);
        expect(await f.engine.bookValueAt(at), `book value at +${at - t0}s`).to.equal(expected);
        // Without a feed the collateral is the book value.
        expect(await f.engine.collateralValueAt(at), `collateral at +${at - t0}s`).to.equal(
          expected,
        );
      }
      // After the useful lives only the residuals remain.
      expect(await f.engine.bookValueAt(t0 + 7n * YEAR)).to.equal(
        fleet.reduce((a, e) => a + e.unitResidual * BigInt(e.count), 0n),
      );
      expect(await f.engine.bookValueAt(t0)).to.equal(14_368n * K);
      const entry = await f.engine.fleetEntry(1n);
      expect(entry.activeCount).to.equal(128n);
      expect(entry.terms.yearlyRate).to.equal(fleet[1].yearlyRate);
      expect(entry.terms.model).to.equal(fleet[1].model);
    });

    it("test_collateralValueAt_marksEachEntryAtTheLowerOfBookAndIndexValue", async function () {
      const f = await networkHelpers.loadFixture(activeMockFeed);
      const fleet = f.terms.risk.fleet;
      const t0 = fleet[0].acquiredAt;
      for (const index of [
        240_000_000n,
        INDEX_AT_ACQUISITION,
        170_000_000n,
        90_000_000n,
        30_000_000n,
      ]) {
        const now = BigInt(await networkHelpers.time.latest());
        await f.mock!.set(index, now);
        expect(await f.engine.priceIndex()).to.deep.equal([index, true]);
        // Present and future times use the current index with the book value at that time.
        for (const at of [now, now + YEAR, t0 + 3n * YEAR, t0 + 10n * YEAR]) {
          const expected = sdkFleetValue(fleet, at, index);
          expect(await f.engine.collateralValueAt(at), `index ${index} at +${at - t0}s`).to.equal(
            expected,
          );
          expect(await f.engine.bookValueAt(at)).to.equal(sdkFleetValue(fleet, at));
        }
      }
      // Above the acquisition level the index never lifts a value above its book value.
      const now = BigInt(await networkHelpers.time.latest());
      await f.mock!.set(10n * INDEX_AT_ACQUISITION, now);
      expect(await f.engine.collateralValueAt(now + YEAR)).to.equal(
        await f.engine.bookValueAt(now + YEAR),
      );
    });

    it("test_assess_rejectsEachBadIndexAndFallsBackToTheLastAccepted", async function () {
      const f = await networkHelpers.loadFixture(activeMockFeed);
      const fleet = f.terms.risk.fleet;
      const accepted = 160_000_000n;
      const run0 = await runPeriod(ethers, networkHelpers, f, 0, {
        revenue: 900n * K,
        index: accepted,
      });
      expect(run0.rejected).to.deep.equal([]);
      expect(run0.statement.metrics.collateralValue).to.equal(
        sdkFleetValue(fleet, await f.deal.periodEnd(0), accepted),
      );

      // Each bad answer is set, then the waterfall runs at `at` (the next block but one).
      const cases: [string, IndexRejection, bigint, (at: bigint) => bigint][] = [
        ["zero", IndexRejection.NonPositive, 0n, (at) => at - 5n],
        ["negative", IndexRejection.NonPositive, -5n, (at) => at - 5n],
        ["above uint96", IndexRejection.TooLarge, 2n ** 96n, (at) => at - 5n],
        ["stale", IndexRejection.Stale, 120_000_000n, (at) => at - DAY - 1n],
        ["from the future", IndexRejection.FromFuture, 120_000_000n, (at) => at + 1n],
        ["reverting", IndexRejection.Reverted, 120_000_000n, (at) => at],
      ];
      for (let i = 0; i < cases.length; i++) {
        const [what, reason, answer, time] = cases[i];
        const period = i + 1;
        let at = 0n;
        const run = await runPeriod(ethers, networkHelpers, f, period, {
          revenue: 900n * K,
          beforeDistribute: async () => {
            at = BigInt(await networkHelpers.time.latest()) + 10n;
            await f.mock!.set(answer, time(at));
            if (reason === IndexRejection.Reverted) await f.mock!.setReverts(true);
            await networkHelpers.time.setNextBlockTimestamp(at);
          },
        });
        const reported =
          reason === IndexRejection.Reverted
            ? { reason, answer: 0n, updatedAt: 0n }
            : { reason, answer, updatedAt: time(at) };
        expect(run.rejected, what).to.deep.equal([reported]);
        expect(run.statement.metrics.collateralValue, what).to.equal(
          sdkFleetValue(fleet, await f.deal.periodEnd(period), accepted),
        );
        await f.mock!.setReverts(false);
      }
      // The view reports the fallback while the answer is bad.
      const now = BigInt(await networkHelpers.time.latest());
      await f.mock!.set(0n, now);
      expect(await f.engine.priceIndex()).to.deep.equal([accepted, false]);
      // An answer exactly maxStaleness old is live again, and becomes the index used.
      const period = cases.length + 1;
      const fresh = 120_000_000n;
      const run = await runPeriod(ethers, networkHelpers, f, period, {
        revenue: 900n * K,
        beforeDistribute: async () => {
          const at = BigInt(await networkHelpers.time.latest()) + 10n;
          await f.mock!.set(fresh, at - DAY);
          await networkHelpers.time.setNextBlockTimestamp(at);
        },
      });
      expect(run.rejected).to.deep.equal([]);
      expect(run.statement.metrics.collateralValue).to.equal(
        sdkFleetValue(fleet, await f.deal.periodEnd(period), fresh),
      );
      // Each newly accepted level is an event; rejected answers never are.
      const accepts = await f.engine.queryFilter(f.engine.filters.PriceIndexAccepted());
      expect(accepts.map((e) => [e.args.period, e.args.index])).to.deep.equal([
        [0n, accepted],
        [BigInt(period), fresh],
      ]);
    });

    it("test_assess_withoutAnyAcceptedIndexUsesBookValue", async function () {
      const f = await networkHelpers.loadFixture(activeMockFeed);
      const run = await runPeriod(ethers, networkHelpers, f, 0, {
        revenue: 900n * K,
        beforeDistribute: async () => f.mock!.setReverts(true).then(() => {}),
      });
      expect(run.rejected).to.deep.equal([
        { reason: IndexRejection.Reverted, answer: 0n, updatedAt: 0n },
      ]);
      expect(run.statement.metrics.collateralValue).to.equal(
        sdkFleetValue(f.terms.risk.fleet, await f.deal.periodEnd(0)),
      );
      expect(await f.engine.priceIndex()).to.deep.equal([0n, false]);
    });

    it("test_retireFleetEntry_proceedsAreHeldForTheNotesAsCollateral", async function () {
      const f = await networkHelpers.loadFixture(activeNoFeed);
      const coin = f.protocol.stablecoin;
      const proceeds = 6n * M + 500n * K;
      await coin.mint(f.r.issuer.address, proceeds);
      await coin.connect(f.r.issuer).approve(await f.engine.getAddress(), proceeds);
      const at = BigInt(await networkHelpers.time.latest()) + 10n;
      await networkHelpers.time.setNextBlockTimestamp(at);
      const tx = f.engine.connect(f.r.issuer).retireFleetEntry(0n, 56n, proceeds);
      await expect(tx).to.emit(f.engine, "FleetEntryRetired").withArgs(0n, 56n, 200n, proceeds);
      // The proceeds go to the deal's recovery account: no note is repaid before a distribution applies them.
      await expect(tx)
        .to.emit(f.deal, "RecoveriesDeposited")
        .withArgs(await f.engine.getAddress(), proceeds, 0n, proceeds, f.dealAddress);
      await expect(tx).not.to.emit(f.deal, "RecoveryApplied");
      await expect(tx).to.changeTokenBalances(
        ethers,
        coin,
        [f.r.issuer.address, f.dealAddress, ...f.tokenAddresses],
        [-proceeds, proceeds, 0n, 0n, 0n],
      );
      expect((await f.deal.tranche(0)).outstanding).to.equal(6n * M);
      expect((await f.deal.tranche(1)).outstanding).to.equal(2n * M);
      expect(await f.deal.recoveries()).to.equal(proceeds);
      expect((await f.engine.fleetEntry(0n)).activeCount).to.equal(200n);
      const active = [200, 128, 64, 100];
      expect(await f.engine.bookValueAt(at + YEAR)).to.equal(
        sdkFleetValue(f.terms.risk.fleet, at + YEAR, 0n, active),
      );
      // The recovery account is collateral at par: the collateral value is the fleet's plus the proceeds.
      expect(await f.engine.collateralValueAt(at + YEAR)).to.equal(
        sdkFleetValue(f.terms.risk.fleet, at + YEAR, 0n, active) + proceeds,
      );

      // More proceeds add to the account; retiring without proceeds moves no cash.
      await coin.mint(f.r.issuer.address, 2n * M);
      await coin.connect(f.r.issuer).approve(await f.engine.getAddress(), 2n * M);
      await expect(f.engine.connect(f.r.issuer).retireFleetEntry(3n, 100n, 2n * M))
        .to.emit(f.deal, "RecoveriesDeposited")
        .withArgs(await f.engine.getAddress(), 2n * M, 0n, 2n * M, f.dealAddress);
      expect(await f.deal.recoveries()).to.equal(proceeds + 2n * M);
      expect(await f.deal.undistributedCollections()).to.equal(0n);
      await expect(f.engine.connect(f.r.issuer).retireFleetEntry(2n, 1n, 0n)).not.to.emit(
        f.deal,
        "RecoveriesDeposited",
      );
    });
  });

  describe("metrics and triggers", function () {
    async function quietDeal() {
      const f = await buildRiskDeal(ethers, networkHelpers, "none", (t) => {
        t.risk = { ...t.risk, triggers: QUIET_TRIGGERS };
      });
      await activate(networkHelpers, f);
      return f;
    }

    it("test_assess_everyMetricOfAPeriodComputedIndependently", async function () {
      const f = await networkHelpers.loadFixture(quietDeal);
      const fees = (cash: bigint) => 50n * USDC + 2_000n * USDC + cash / 100n;
      const intS = periodInterest(6n * M, SENIOR_RATE, PERIOD);
      const intJ = periodInterest(2n * M, JUNIOR_RATE, PERIOD);
      const cadsOf: bigint[] = [];
      const dsOf: bigint[] = [];
      // Periods 0–2: interest only, every fee and coupon paid, the rest to equity.
      for (const [p, revenue] of [900n * K, 850n * K, 880n * K].entries()) {
        const run = await runPeriod(ethers, networkHelpers, f, p, { revenue });
        cadsOf.push(revenue - fees(revenue));
        dsOf.push(intS + intJ);
        expect(run.statement.metrics.cashAvailableForDebtService).to.equal(cadsOf[p]);
        expect(run.statement.metrics.debtService).to.equal(dsOf[p]);
        expect(run.statement.metrics.reserveLevel).to.equal(
          coverage(p === 0 ? 180n * K : 150n * K, 150n * K),
        );
      }
      // Period 3: the first senior installment; the servicer deposits 50 000 less than the pledged revenue.
      const revenue = 1n * M;
      const cash = 950n * K;
      const billed = 640_000n;
      const available = 1_000_000n;
      const run = await runPeriod(ethers, networkHelpers, f, 3, {
        revenue,
        deposit: cash,
        billed,
        available,
      });
      const principal = (6n * M) / 9n;
      const feesDue = fees(cash);
      const cads = cash - feesDue;
      const ds = intS + intJ + principal;
      cadsOf.push(cads);
      dsOf.push(ds);
      const value = sdkFleetValue(f.terms.risk.fleet, await f.deal.periodEnd(3));
      const m = run.statement.metrics;
      expect(m).to.deep.equal({
        cashAvailableForDebtService: cads,
        debtService: ds,
        dscr: (cads * WAD) / ds,
        // The trailing window is periods 1–3.
        trailingDscr: ((cadsOf[1] + cadsOf[2] + cadsOf[3]) * WAD) / (dsOf[1] + dsOf[2] + dsOf[3]),
        utilization: (billed * WAD) / available,
        collateralValue: value,
        notesOutstanding: 8n * M,
        ltv: loanToValue(8n * M, value),
        seniorCurve: loanToValue(6n * M, value),
        reserveLevel: WAD,
        servicerShortfall: revenue - cash,
        // (fees + debt service) / (available hours × revenue per billed hour), rounded up.
        breakEvenUtilization:
          ((feesDue + ds) * billed * WAD + available * revenue - 1n) / (available * revenue),
        overcollateralization: [(value * WAD) / (6n * M), (value * WAD) / (8n * M)],
        interestCoverage: [(cads * WAD) / intS, (cads * WAD) / (intS + intJ)],
        breachedMask: 0n,
        activeMask: 0n,
      });
      // Each trigger saw its metric (the shortfall as a fraction of the pledged revenue, rounded up).
      expect(run.triggerValues).to.deep.equal([
        m.dscr,
        m.trailingDscr,
        m.utilization,
        m.ltv,
        m.seniorCurve,
        m.reserveLevel,
        ((revenue - cash) * WAD + revenue - 1n) / revenue,
        0n,
      ]);
      expect(run.counts).to.equal(0n);
      expect(run.statement.mode).to.equal(DealStatus.Active);
      // Cash after fees, interest and the installment goes to equity.
      expect(run.statement.principalPaid).to.deep.equal([principal, 0n]);
      expect(run.statement.residualPaid).to.equal(cads - ds);
      // The deal's last PeriodDistributed statement, read back from the chain, records the period's metrics and mode.
      const distributed = await f.deal.queryFilter(f.deal.filters.PeriodDistributed());
      expect(distributed.map((x) => x.args.period)).to.deep.equal([0n, 1n, 2n, 3n]);
      const last = statementOf(distributed[3].args.statement);
      expect(last).to.deep.equal(run.statement);
      expect([
        last.period,
        last.metrics.dscr,
        last.metrics.trailingDscr,
        last.metrics.utilization,
        last.metrics.ltv,
      ]).to.deep.equal([3n, m.dscr, m.trailingDscr, m.utilization, m.ltv]);
      expect([
        last.metrics.seniorCurve,
        last.metrics.breakEvenUtilization,
        last.metrics.collateralValue,
        last.metrics.servicerShortfall,
        last.mode,
      ]).to.deep.equal([
        m.seniorCurve,
        m.breakEvenUtilization,
        value,
        revenue - cash,
        DealStatus.Active,
      ]);
    });

    it("test_assess_unreportedPeriodTripsTheMissedReportTrigger", async function () {
      const f = await networkHelpers.loadFixture(quietDeal);
      const run = await runPeriod(ethers, networkHelpers, f, 0, {
        revenue: 0n,
        deposit: 900n * K,
        unreported: true,
      });
      expect(run.triggerValues[7]).to.equal(WAD);
      expect(run.triggerValues[2]).to.equal(0n);
      expect(run.statement.metrics.servicerShortfall).to.equal(0n);
      expect(run.statement.metrics.breakEvenUtilization).to.equal(MAX_UINT256);
      // Utilization reads zero without a report, so the utilization trigger fires with the missed-report one.
      expect(run.fired).to.deep.equal([
        [2n, 0n],
        [7n, WAD],
      ]);
      expect(run.statement.metrics.breachedMask).to.equal((1n << 2n) | (1n << 7n));
      expect(run.statement.mode).to.equal(DealStatus.Accelerated);
      expect(await f.deal.status()).to.equal(BigInt(DealStatus.Accelerated));
    });

    async function utilizationDeal() {
      const f = await buildRiskDeal(ethers, networkHelpers, "none", (t) => {
        t.risk = {
          ...t.risk,
          triggers: [
            trigger(
              RiskMetric.Utilization,
              TriggerComparison.Below,
              (60n * WAD) / 100n,
              TriggerEffect.CashTrap,
              2,
              true,
            ),
            trigger(
              RiskMetric.Utilization,
              TriggerComparison.Below,
              (50n * WAD) / 100n,
              TriggerEffect.CashTrap,
              1,
              false,
            ),
          ],
        };
      });
      await activate(networkHelpers, f);
      return f;
    }

    it("test_triggers_countConsecutiveBreachesFireCureAndLatch", async function () {
      const f = await networkHelpers.loadFixture(utilizationDeal);
      const U = (billed: bigint) => (billed * WAD) / 1_000_000n;
      // Period 0: 55 %: trigger 0 breached once (needs two), trigger 1 not breached.
      let run = await runPeriod(ethers, networkHelpers, f, 0, {
        revenue: 900n * K,
        billed: 550_000n,
      });
      expect([countOf(run.counts, 0), countOf(run.counts, 1)]).to.deep.equal([1n, 0n]);
      expect(run.statement.metrics.breachedMask).to.equal(1n);
      expect(run.statement.metrics.activeMask).to.equal(0n);
      expect(run.fired).to.deep.equal([]);
      expect(run.statement.mode).to.equal(DealStatus.Active);
      // Period 1: 45 %: both fire; the deal traps cash (nothing to equity, the excess into the reserve).
      run = await runPeriod(ethers, networkHelpers, f, 1, { revenue: 900n * K, billed: 450_000n });
      expect([countOf(run.counts, 0), countOf(run.counts, 1)]).to.deep.equal([2n, 1n]);
      expect(run.fired).to.deep.equal([
        [0n, U(450_000n)],
        [1n, U(450_000n)],
      ]);
      expect(run.statement.metrics.activeMask).to.equal(3n);
      expect(run.statement.mode).to.equal(DealStatus.CashTrap);
      expect(await f.deal.status()).to.equal(BigInt(DealStatus.CashTrap));
      expect(run.statement.residualPaid).to.equal(0n);
      expect(run.statement.reserveReleased).to.equal(0n);
      expect(run.statement.reserveTrapped).to.be.greaterThan(0n);
      expect(run.statement.reserveAfter).to.equal(150n * K + run.statement.reserveTrapped);
      // Period 2: 70 %: trigger 0 cures, trigger 1 latches; counts reset.
      run = await runPeriod(ethers, networkHelpers, f, 2, { revenue: 900n * K, billed: 700_000n });
      expect(run.counts).to.equal(0n);
      expect(run.cured).to.deep.equal([[0n, U(700_000n)]]);
      expect(run.fired).to.deep.equal([]);
      expect(run.statement.metrics.breachedMask).to.equal(0n);
      expect(run.statement.metrics.activeMask).to.equal(2n);
      expect(run.statement.mode).to.equal(DealStatus.CashTrap);
      expect((await f.engine.triggerStates()).map((x) => [x.consecutive, x.active])).to.deep.equal([
        [0n, false],
        [0n, true],
      ]);
      expect(await f.engine.activeTriggers()).to.equal(2n);
    });
  });

  describe("waiver", function () {
    it("test_waiver_passesAboveHalfClearsLatchedTriggersAndReturnsToCashTrap", async function () {
      const f = await networkHelpers.loadFixture(ballotOpen);
      const [holder, , , half, , one] = f.r.investors;
      expect(Array.from(await f.engine.ballot())).to.deep.equal([1n, f.deadline, 0n, 0n, false]);
      await expect(f.engine.connect(half).voteWaiver(true))
        .to.emit(f.engine, "WaiverVoted")
        .withArgs(1n, half.address, true, 3n * M);
      await expect(f.engine.connect(holder).voteWaiver(false))
        .to.emit(f.engine, "WaiverVoted")
        .withArgs(1n, holder.address, false, 3n * M - 1n);
      await expect(f.engine.executeWaiver())
        .to.be.revertedWithCustomError(f.engine, "WaiverNotApproved")
        .withArgs(1n, 3n * M, 6n * M);
      await f.engine.connect(one).voteWaiver(true);
      expect(Array.from(await f.engine.ballot())).to.deep.equal([
        1n,
        f.deadline,
        3n * M + 1n,
        3n * M - 1n,
        false,
      ]);
      const tx = f.engine.connect(f.outsider).executeWaiver();
      await expect(tx)
        .to.emit(f.engine, "WaiverExecuted")
        .withArgs(1n, 3n * M + 1n, 3n * M - 1n, 6n * M, 2n);
      // The curable DSCR trap is still active: the deal returns to a cash trap, not to Active.
      await expect(tx)
        .to.emit(f.deal, "StatusChanged")
        .withArgs(DealStatus.Accelerated, DealStatus.CashTrap);
      expect(await f.deal.status()).to.equal(BigInt(DealStatus.CashTrap));
      expect((await f.engine.triggerStates()).map((x) => [x.consecutive, x.active])).to.deep.equal([
        [1n, true],
        [0n, false],
      ]);
      expect((await f.engine.ballot()).executed).to.equal(true);
      // Voters' tokens stay locked until the deadline, executed or not.
      for (const voter of [half, holder, one]) {
        await expect(f.tokens[0].connect(voter).transfer(f.outsider.address, 1n))
          .to.be.revertedWithCustomError(f.tokens[0], "TokensLocked")
          .withArgs(voter.address, f.deadline);
      }
      await networkHelpers.time.increaseTo(f.deadline + 1n);
      await f.tokens[0].connect(half).transfer(f.outsider.address, 1n);
      // The next period with a healthy DSCR cures the trap and the deal is Active again.
      const run = await runPeriod(ethers, networkHelpers, f, 1, { revenue: 400n * K });
      expect(run.cured).to.deep.equal([[0n, run.statement.metrics.dscr]]);
      expect(run.statement.mode).to.equal(DealStatus.Active);
      expect(await f.deal.status()).to.equal(BigInt(DealStatus.Active));
    });

    it("test_waiver_returnsToActiveWhenNoCurableTriggerIsActive", async function () {
      const f = await networkHelpers.loadFixture(acceleratedDeal);
      // A healthy period cures the trap; the event of default stays latched.
      const run = await runPeriod(ethers, networkHelpers, f, 1, { revenue: 400n * K });
      expect(run.cured).to.deep.equal([[0n, run.statement.metrics.dscr]]);
      expect(run.statement.mode).to.equal(DealStatus.Accelerated);
      expect(await f.engine.activeTriggers()).to.equal(2n);
      await expect(f.engine.connect(f.r.issuer).proposeWaiver()).to.emit(
        f.engine,
        "WaiverProposed",
      );
      await f.engine.connect(f.r.investors[0]).voteWaiver(true);
      await f.engine.connect(f.r.investors[3]).voteWaiver(true);
      await expect(f.engine.executeWaiver())
        .to.emit(f.deal, "StatusChanged")
        .withArgs(DealStatus.Accelerated, DealStatus.Active);
      expect(await f.engine.activeTriggers()).to.equal(0n);
      const next = await runPeriod(ethers, networkHelpers, f, 2, { revenue: 400n * K });
      expect(next.statement.mode).to.equal(DealStatus.Active);
      expect(next.statement.residualPaid).to.be.greaterThan(0n);
    });
  });

  describe("clean-up call, write-downs and recoveries", function () {
    /**
     * A deal callable at any time (clean-up at 100 % of senior face) after period 0, with 5 M of recoveries held in its
     * recovery account.
     */
    async function callableNow() {
      const f = await buildRiskDeal(ethers, networkHelpers, "none", (t) => {
        t.risk = { ...t.risk, cleanUpBps: 10_000 };
      });
      await activate(networkHelpers, f);
      await runPeriod(ethers, networkHelpers, f, 0, { revenue: 900n * K });
      await f.protocol.stablecoin.mint(f.r.issuer.address, 10n * M);
      await f.protocol.stablecoin.connect(f.r.issuer).approve(f.dealAddress, ethers.MaxUint256);
      await f.deal.connect(f.r.issuer).depositRecoveries(5n * M);
      return f;
    }

    /** The payoff of a clean-up call at `at`: interest accrued since the current period began, plus principal. */
    async function quoteAt(f: RiskFixture, at: bigint) {
      const start = (await f.deal.periodEnd(await f.deal.nextPeriod())) - PERIOD;
      const elapsed = at - start;
      const notes = [await f.deal.tranche(0), await f.deal.tranche(1)];
      const interest = notes.map(
        (t, i) =>
          t.arrears + (t.outstanding * [SENIOR_RATE, JUNIOR_RATE][i] * elapsed) / (WAD * YEAR),
      );
      const [trusteeArrears, servicerArrears] = await f.deal.feeArrears();
      const payoff =
        trusteeArrears +
        servicerArrears +
        interest[0] +
        interest[1] +
        notes[0].outstanding +
        notes[1].outstanding;
      return { interest, principal: notes.map((t) => t.outstanding), payoff };
    }

    it("test_cleanUpCall_issuerBringsTheShortfallAndTheNotesGetExactlyTheQuote", async function () {
      const f = await networkHelpers.loadFixture(callableNow);
      const q = await f.engine.cleanUpQuote();
      expect([q.seniorOutstanding, q.threshold]).to.deep.equal([6n * M, 6n * M]);
      expect(await f.engine.cleanUpCallable()).to.equal(true);
      const at = BigInt(await networkHelpers.time.latest()) + 3n * DAY;
      await networkHelpers.time.setNextBlockTimestamp(at);
      const expected = await quoteAt(f, at);
      // The reserve and the recovery account pay first; no collections.
      const held = 150n * K + 5n * M;
      expect(await f.deal.undistributedCollections()).to.equal(0n);
      const fromIssuer = expected.payoff - held;
      const tx = f.deal.connect(f.r.issuer).cleanUpCall();
      await expect(tx)
        .to.emit(f.deal, "CleanUpCalled")
        .withArgs(f.r.issuer.address, expected.payoff, held, fromIssuer, 0n, f.tokenAddresses[2]);
      await expect(tx)
        .to.emit(f.deal, "NoteCalled")
        .withArgs(0n, expected.interest[0], expected.principal[0]);
      await expect(tx)
        .to.emit(f.deal, "NoteCalled")
        .withArgs(1n, expected.interest[1], expected.principal[1]);
      await expect(tx)
        .to.emit(f.deal, "StatusChanged")
        .withArgs(DealStatus.Active, DealStatus.Repaid);
      await expect(tx).to.changeTokenBalances(
        ethers,
        f.protocol.stablecoin,
        [f.r.issuer.address, f.dealAddress, ...f.tokenAddresses],
        [
          -fromIssuer,
          -held,
          expected.interest[0] + expected.principal[0],
          expected.interest[1] + expected.principal[1],
          0n,
        ],
      );
      for (const i of [0, 1]) {
        const t = await f.deal.tranche(i);
        expect([t.outstanding, t.arrears]).to.deep.equal([0n, 0n]);
      }
      expect(await f.deal.reserve()).to.deep.equal([0n, 150n * K]);
      expect(await f.deal.recoveries()).to.equal(0n);
      expect(await f.deal.status()).to.equal(BigInt(DealStatus.Repaid));
    });

    it("test_cleanUpCall_residualOfTheDealsCashGoesToEquity", async function () {
      const f = await networkHelpers.loadFixture(callableNow);
      await f.deal.connect(f.r.servicer).depositCollections(4n * M);
      const at = BigInt(await networkHelpers.time.latest()) + 11n * DAY;
      await networkHelpers.time.setNextBlockTimestamp(at);
      const expected = await quoteAt(f, at);
      const held = 4n * M + 150n * K + 5n * M;
      const residual = held - expected.payoff;
      const tx = f.deal.connect(f.r.issuer).cleanUpCall();
      await expect(tx)
        .to.emit(f.deal, "CleanUpCalled")
        .withArgs(
          f.r.issuer.address,
          expected.payoff,
          expected.payoff,
          0n,
          residual,
          f.tokenAddresses[2],
        );
      await expect(tx).to.emit(f.tokens[2], "Distributed");
      await expect(tx).to.changeTokenBalances(
        ethers,
        f.protocol.stablecoin,
        [f.r.issuer.address, f.dealAddress, ...f.tokenAddresses],
        [
          0n,
          -held,
          expected.interest[0] + expected.principal[0],
          expected.interest[1] + expected.principal[1],
          residual,
        ],
      );
      // Only the fees credited to the trustee and the servicer stay, until they withdraw them.
      expect(await f.protocol.stablecoin.balanceOf(f.dealAddress)).to.equal(
        (await f.deal.feesOwed()).reduce((a, b) => a + b, 0n),
      );
    });

    it("test_writeDown_bottomUpEquityFirstWithPerTokenViews", async function () {
      const f = await networkHelpers.loadFixture(acceleratedDeal);
      const senior = (await f.deal.tranche(0)).outstanding;
      // Period 0 ran accelerated: the whole reserve and the cash after fees and senior interest repaid senior principal.
      const s0 = f.run0.statement;
      expect(s0.reserveReleased).to.equal(180n * K);
      expect(senior).to.equal(6n * M - s0.principalPaid[0]);
      const cut = 2n * M + 1n * M;
      const tx = f.deal.connect(f.r.trustee).writeDown(cut);
      await expect(tx)
        .to.emit(f.deal, "PrincipalWrittenDown")
        .withArgs(2n, 1n * M, 0n, 1n * M);
      await expect(tx)
        .to.emit(f.deal, "PrincipalWrittenDown")
        .withArgs(1n, 2n * M, 0n, 2n * M);
      await expect(tx)
        .to.emit(f.deal, "PrincipalWrittenDown")
        .withArgs(0n, 1n * M, senior - 1n * M, 1n * M);
      const receipt = (await (await tx).wait())!;
      const order = receipt.logs
        .map((l) => f.deal.interface.parseLog(l))
        .filter((l) => l?.name === "PrincipalWrittenDown")
        .map((l) => l!.args[0] as bigint);
      expect(order).to.deep.equal([2n, 1n, 0n]);
      expect(Array.from(await f.engine.writtenDown(0))).to.deep.equal([
        1n * M,
        (1n * M * WAD) / (6n * M),
      ]);
      expect(Array.from(await f.engine.writtenDown(1))).to.deep.equal([2n * M, WAD]);
      expect(Array.from(await f.engine.writtenDown(2))).to.deep.equal([1n * M, WAD]);
      // A second write-down does not write equity off again.
      await expect(f.deal.connect(f.r.trustee).writeDown(1n))
        .to.emit(f.deal, "PrincipalWrittenDown")
        .withArgs(0n, 1n, senior - 1n * M - 1n, 1n * M + 1n);
      const receipt2 = (await (await f.deal.connect(f.r.trustee).writeDown(1n)).wait())!;
      expect(receipt2.logs.length).to.equal(1);
      expect(await f.deal.factor(0)).to.equal(((senior - 1n * M - 2n) * WAD) / (6n * M));

      // Recoveries of a running deal are held in its recovery account: nothing is repaid before a distribution
      // applies them (test/Recoveries.ts), so a write-down waits for them too.
      await f.protocol.stablecoin.mint(f.outsider.address, 10n * K);
      await f.protocol.stablecoin.connect(f.outsider).approve(f.dealAddress, 10n * K);
      const rtx = f.deal.connect(f.outsider).depositRecoveries(10n * K);
      await expect(rtx)
        .to.emit(f.deal, "RecoveriesDeposited")
        .withArgs(f.outsider.address, 10n * K, 0n, 10n * K, f.dealAddress);
      await expect(rtx).not.to.emit(f.deal, "RecoveryApplied");
      await expect(rtx).to.changeTokenBalances(
        ethers,
        f.protocol.stablecoin,
        [f.dealAddress, ...f.tokenAddresses],
        [10n * K, 0n, 0n, 0n],
      );
      expect((await f.deal.tranche(0)).outstanding).to.equal(senior - 1n * M - 2n);
      expect(await f.deal.recoveries()).to.equal(10n * K);
      await expect(f.deal.connect(f.r.trustee).writeDown(1n))
        .to.be.revertedWithCustomError(f.deal, "RecoveriesNotExhausted")
        .withArgs(0n, 0n, 10n * K);
    });

    /**
     * A three-period deal with bullet notes whose collections never cover them: accelerated at period 0 (DSCR < 1),
     * so the junior's coupons are deferred; at maturity 20 000 does not even cover the senior coupon: Defaulted.
     */
    async function defaultedDeal() {
      const f = await buildRiskDeal(ethers, networkHelpers, "none", (t) => {
        t.periodCount = 3;
        t.tranches[0] = { ...fixedNote("Senior", 6n * M, SENIOR_RATE), reserveFundingBps: 300 };
        t.risk = { ...t.risk, triggers: [DSCR_DEFAULT] };
      });
      await activate(networkHelpers, f);
      const runs = [];
      for (const [p, revenue] of [50n * K, 50n * K, 20n * K].entries()) {
        runs.push(await runPeriod(ethers, networkHelpers, f, p, { revenue }));
      }
      return { ...f, runs };
    }

    it("test_depositRecoveries_afterDefaultPayWrittenDownPrincipalAndArrearsTopDownThenEquity", async function () {
      const f = await networkHelpers.loadFixture(defaultedDeal);
      expect(await f.deal.status()).to.equal(BigInt(DealStatus.Defaulted));
      const [s, j] = [await f.deal.tranche(0), await f.deal.tranche(1)];
      expect([s.outstanding, j.outstanding]).to.deep.equal([0n, 0n]);
      expect(j.writtenDown).to.equal(2n * M);
      // Only the first two periods repaid senior principal; the rest of every note was written off at maturity.
      expect(f.runs.map((r) => r.statement.mode)).to.deep.equal([
        DealStatus.Accelerated,
        DealStatus.Accelerated,
        DealStatus.Accelerated,
      ]);
      expect(f.runs[2].statement.principalPaid).to.deep.equal([0n, 0n]);
      const paid = f.runs.reduce((a, r) => a + r.statement.principalPaid[0], 0n);
      expect(s.writtenDown).to.equal(6n * M - paid);
      expect((await f.deal.tranche(2)).writtenDown).to.equal(1n * M);
      expect(j.arrears).to.equal(3n * periodInterest(2n * M, JUNIOR_RATE, PERIOD));
      const seniorDue = periodInterest(6n * M - paid, SENIOR_RATE, PERIOD);
      expect(s.arrears).to.equal(seniorDue - f.runs[2].statement.interestPaid[0]);
      expect(s.arrears).to.be.greaterThan(0n);
      await f.protocol.stablecoin.mint(f.outsider.address, 20n * M);
      await f.protocol.stablecoin.connect(f.outsider).approve(f.dealAddress, ethers.MaxUint256);

      // First: the senior's written-down principal and its arrears, then 300 000 of the junior's principal.
      const first = s.writtenDown + s.arrears + 300n * K;
      let tx = f.deal.connect(f.outsider).depositRecoveries(first);
      await expect(tx)
        .to.emit(f.deal, "RecoveryApplied")
        .withArgs(0n, 0n, s.writtenDown, s.arrears, 0n, 0n);
      await expect(tx)
        .to.emit(f.deal, "RecoveryApplied")
        .withArgs(1n, 0n, 300n * K, 0n, 0n, 2n * M - 300n * K);
      await expect(tx)
        .to.emit(f.deal, "RecoveriesDeposited")
        .withArgs(f.outsider.address, first, first, 0n, f.tokenAddresses[2]);
      await expect(tx).to.changeTokenBalances(
        ethers,
        f.protocol.stablecoin,
        [f.dealAddress, ...f.tokenAddresses],
        [0n, s.writtenDown + s.arrears, 300n * K, 0n],
      );
      // Then the junior's remaining principal and its arrears; the rest goes to equity.
      const rest = 77n * K;
      const second = 2n * M - 300n * K + j.arrears + rest;
      tx = f.deal.connect(f.outsider).depositRecoveries(second);
      await expect(tx)
        .to.emit(f.deal, "RecoveryApplied")
        .withArgs(1n, 0n, 2n * M - 300n * K, j.arrears, 0n, 0n);
      await expect(tx)
        .to.emit(f.deal, "RecoveriesDeposited")
        .withArgs(f.outsider.address, second, second - rest, rest, f.tokenAddresses[2]);
      await expect(tx).to.changeTokenBalances(
        ethers,
        f.protocol.stablecoin,
        [f.dealAddress, ...f.tokenAddresses],
        [0n, 0n, 2n * M - 300n * K + j.arrears, rest],
      );
      const after = [await f.deal.tranche(0), await f.deal.tranche(1)];
      expect(after.map((t) => [t.writtenDown, t.arrears])).to.deep.equal([
        [0n, 0n],
        [0n, 0n],
      ]);
      expect(await f.deal.status()).to.equal(BigInt(DealStatus.Defaulted));
    });
  });
});
