/**
 * The risk-engine actions of the SDK on chain, each against the pure model: the clean-up quote and call, an
 * acceleration, the trustee's write-down, recoveries into a running deal, the senior holders' waiver, fleet entries
 * and the risk snapshot; RiskEngine errors decode with their arguments.
 */
import { expect } from "chai";
import { artifacts } from "hardhat";
import { keccak256, toHex, zeroAddress, type Address, type Hex } from "viem";
import { getBlock, readContract } from "viem/actions";

import {
  NO_EQUITY_WATERFALL,
  NO_SITE,
  ContractRevertError,
  CouponType,
  DealStatus,
  DepreciationMethod,
  mockStablecoinAbi,
  PrincipalType,
  riskEngineAbi,
  RiskMetric,
  textToBytes16,
  TrancheKind,
  TriggerComparison,
  TriggerEffect,
  WAD,
  type DealModelState,
  type FleetEntryTerms,
  type RiskTerms,
  type TermSheet,
  type TrancheTerms,
  NO_TRANSFER_RULES,
  DealModel,
  RiskEngineModel,
  RiskTermsLib,
} from "../../sdk/index.js";
import { viemNetwork } from "../helpers/viem-network.js";

const { networkHelpers, publicClient, accounts, wallet } = await viemNetwork();
const [admin, issuer, servicer, trustee, guardian, r0, r1, keeper, senior1, senior2, other] =
  accounts.slice(0, 11).map(wallet);

const USDC = 10n ** 6n;
const PCT = WAD / 100n;
const DAY = 86_400;
const MONTH = 30 * DAY;

const { address: stablecoin } = await (async () => {
  const hash = await admin.deployContract({
    abi: mockStablecoinAbi,
    bytecode: (await artifacts.readArtifact("MockStablecoin")).bytecode as Hex,
    args: ["USD Coin", "USDC", 6],
  });
  const receipt = await publicClient.waitForTransactionReceipt({ hash });
  return { address: receipt.contractAddress as Address };
})();
const protocol = await admin.deployProtocol();

async function mint(to: Address, amount: bigint): Promise<void> {
  const hash = await admin.writeContract({
    address: stablecoin,
    abi: mockStablecoinAbi,
    functionName: "mint",
    args: [to, amount],
  });
  await publicClient.waitForTransactionReceipt({ hash });
}

const note = (face: bigint, rate: bigint): TrancheTerms => ({
  name: "Note",
  symbol: "N",
  kind: TrancheKind.Note,
  faceAmount: face,
  minRaise: USDC,
  minTicket: USDC,
  reserveFundingBps: 100,
  coupon: {
    couponType: CouponType.Fixed,
    baseRate: rate,
    slope: 0n,
    strike: 0n,
    floorRate: 0n,
    capRate: 0n,
  },
  principal: { scheduleType: PrincipalType.StraightLine, amortStartPeriod: 0, amortPeriods: 4 },
  transfer: NO_TRANSFER_RULES,
});

const FLEET: FleetEntryTerms = {
  model: textToBytes16("H100-SXM5-80GB"),
  count: 100,
  unitCost: 25_000n * USDC,
  unitResidual: 2_500n * USDC,
  acquiredAt: 1n,
  usefulLife: 3 * 365 * DAY,
  method: DepreciationMethod.StraightLine,
  yearlyRate: 0n,
  indexAtAcquisition: 0n,
};

async function terms(risk: Partial<RiskTerms>): Promise<TermSheet> {
  const now = (await getBlock(publicClient)).timestamp;
  const closes = now + BigInt(DAY);
  return {
    stablecoin,
    issuer: issuer.account.address,
    servicer: servicer.account.address,
    trustee: trustee.account.address,
    guardian: guardian.account.address,
    registry: zeroAddress,
    // Blocks follow the wall clock between calls: leave room before the offering opens.
    offeringOpensAt: now + 600n,
    offeringClosesAt: closes,
    start: closes,
    periodLength: MONTH,
    periodCount: 4,
    pledgedShareBps: 9_000,
    servicerFeeBps: 100,
    trusteeFeePerPeriod: 1_000n * USDC,
    reserveTarget: 20_000n * USDC,
    keeperBounty: 10n * USDC,
    oracle: {
      reporters: [r0.account.address, r1.account.address],
      threshold: 2,
      disputeWindow: DAY,
      reportDeadline: 3 * DAY,
      reporterChangeDelay: DAY,
      fleetGpus: 10_000,
      maxPricePerGpuHour: 10n * USDC,
      maxUtilizationStep: WAD,
      unit: 0,
    },
    risk: {
      ...RiskTermsLib.DEFAULT_RISK_TERMS,
      fleet: [{ ...FLEET, acquiredAt: closes }],
      ...risk,
    },
    tranches: [
      note(1_000_000n * USDC, 8n * PCT),
      note(500_000n * USDC, 12n * PCT),
      { ...note(500_000n * USDC, 0n), kind: TrancheKind.Equity, reserveFundingBps: 0 },
    ].map((t, i) =>
      t.kind === TrancheKind.Equity
        ? {
            ...t,
            coupon: { ...t.coupon, baseRate: 0n },
            principal: { scheduleType: 0, amortStartPeriod: 0, amortPeriods: 0 },
          }
        : { ...t, symbol: `N${i}` },
    ),
    equity: NO_EQUITY_WATERFALL,
    site: NO_SITE,
  };
}

/** Moves the chain's clock to `ts` unless it is there already (the clock follows the wall clock between blocks). */
async function advanceTo(ts: bigint | number): Promise<void> {
  if ((await getBlock(publicClient)).timestamp < BigInt(ts))
    await networkHelpers.time.increaseTo(ts);
}

/** Creates and funds a deal (the senior split between two holders, who claim their tokens). */
async function open(t: TermSheet) {
  const created = await issuer.createDeal({ factory: protocol.factory, terms: t });
  await advanceTo(t.offeringOpensAt);
  const buyers = [[senior1, senior2], [other], [other]] as const;
  for (const [i, offering] of created.offerings.entries()) {
    const face = t.tranches[i].faceAmount;
    const share = face / BigInt(buyers[i].length);
    for (const b of buyers[i]) {
      await mint(b.account.address, share);
      await b.subscribe({ offering, assets: share });
    }
  }
  await advanceTo(t.offeringClosesAt);
  const issued: bigint[] = [];
  for (const offering of created.offerings)
    issued.push((await keeper.closeOffering({ offering })).accepted);
  for (const b of [senior1, senior2]) await b.claimShares({ offering: created.offerings[0] });
  return { ...created, issued, state: DealModel.initialDealState(t, issued) };
}

/**
 * Deposits, reports and distributes the next period on chain and in the model; the period's record
 * (`periodStatements`) derives the rates and scheduled principal the model used.
 */
async function period(
  t: TermSheet,
  d: { deal: Address; tokens: readonly Address[] },
  state: DealModelState,
  billedPct: bigint,
  price = 2n * USDC,
): Promise<DealModelState> {
  const { deal } = d;
  const p = state.nextPeriod;
  const available = 72_000n;
  const billed = (available * billedPct) / 100n;
  const revenue = billed * price;
  const deposit = (revenue * 9n) / 10n;
  await mint(servicer.account.address, deposit);
  await servicer.depositCollections({ deal, amount: deposit });
  await advanceTo(t.start + BigInt((p + 1) * t.periodLength));
  const report = {
    deal,
    period: BigInt(p),
    gpuHoursAvailable: available,
    gpuHoursBilled: billed,
    revenue,
    reportHash: keccak256(toHex(`risk-${p}`)),
  };
  const signatures = await Promise.all([r0, r1].map((w) => w.signReport({ report })));
  const { finalAt } = await keeper.submitReport({ report: signatures[0].report, signatures });
  await advanceTo(finalAt);
  const { statements } = await keeper.distributeReady({ deal });
  const sim = DealModel.distribute(state, t, report, deposit, {
    keeper: keeper.account.address,
    equityToken: d.tokens[d.tokens.length - 1],
  });
  expect(statements).to.deep.equal([sim.statement]);
  const record = (await keeper.periodStatements({ deal })).at(-1);
  expect([record?.statement.period, record?.rates, record?.principalDue]).to.deep.equal([
    BigInt(p),
    sim.detail.rates,
    sim.detail.principalDue,
  ]);
  return sim.next;
}

async function expectRevert(
  promise: Promise<unknown>,
  errorName: string,
  args: readonly unknown[],
): Promise<ContractRevertError> {
  try {
    await promise;
  } catch (e) {
    expect(e).to.be.instanceOf(ContractRevertError);
    const err = e as ContractRevertError;
    expect([err.errorName, err.args]).to.deep.equal([errorName, args]);
    return err;
  }
  throw new Error(`expected ${errorName}`);
}

describe("SDK risk actions on chain, against the model", function () {
  this.timeout(120_000);

  it("the clean-up quote and call pay what the model says, and the deal is Repaid", async () => {
    const t = await terms({ cleanUpBps: 8_000 });
    const d = await open(t);
    let state = await period(t, d, d.state, 80n, 10n * USDC);
    // After one installment the senior is at 75 % of its face: under the 80 % clean-up threshold.
    await networkHelpers.time.increase(5 * DAY);
    const quote = await issuer.cleanUpQuote({ deal: d.deal });
    const now = (await getBlock(publicClient)).timestamp;
    const model = RiskEngineModel.cleanUpQuote(state, t, now);
    expect(quote.callable).to.equal(true);
    expect([
      quote.seniorOutstanding,
      quote.threshold,
      quote.payoff,
      quote.fromIssuer,
    ]).to.deep.equal([model.seniorOutstanding, model.threshold, model.payoff, model.fromIssuer]);
    expect(quote.interest).to.deep.equal(model.interest);

    await mint(issuer.account.address, quote.fromIssuer + 10_000n * USDC);
    const called = await issuer.cleanUpCall({ deal: d.deal });
    const receipt = await publicClient.getTransactionReceipt({ hash: called.transactionHash });
    const minedAt = (await getBlock(publicClient, { blockNumber: receipt.blockNumber })).timestamp;
    const after = DealModel.cleanUpCall(state, t, minedAt);
    expect(called.notes.map((n) => n.interest + n.principal)).to.deep.equal(after.paid);
    expect([called.payoff, called.fromIssuer, called.residual]).to.deep.equal([
      after.quote.payoff,
      after.quote.fromIssuer,
      after.residual,
    ]);
    state = after.next;
    const snap = await keeper.dealSnapshot({ deal: d.deal });
    expect(snap.status).to.equal(DealStatus.Repaid);
    expect(snap.tranches.map((x) => [x.outstanding, x.arrears])).to.deep.equal(
      state.tranches.map((x) => [x.outstanding, x.arrears]),
    );
    expect(snap.risk.cleanUpCallable).to.equal(false);
  });

  it("an acceleration, recoveries, the trustee's write-down and the senior holders' waiver follow the model", async () => {
    // Utilization under 50 % accelerates at once (latching); a curable one under 30 % traps cash.
    const t = await terms({
      triggers: [
        {
          metric: RiskMetric.Utilization,
          comparison: TriggerComparison.Below,
          effect: TriggerEffect.Accelerate,
          periods: 1,
          cures: false,
          threshold: 50n * PCT,
        },
        {
          metric: RiskMetric.Utilization,
          comparison: TriggerComparison.Below,
          effect: TriggerEffect.CashTrap,
          periods: 1,
          cures: true,
          threshold: 30n * PCT,
        },
      ],
    });
    const d = await open(t);
    await expectRevert(issuer.proposeWaiver({ deal: d.deal }), "NotAccelerated", [
      DealStatus.Active,
    ]);
    let state = await period(t, d, d.state, 40n);
    expect(state.status).to.equal(DealStatus.Accelerated);

    // Recoveries into a running deal are held in its recovery account, as the model holds them: nothing is repaid
    // before a distribution applies them, so the trustee cannot write down yet.
    await mint(other.account.address, 300_000n * USDC);
    const rec = await other.depositRecoveries({ deal: d.deal, amount: 300_000n * USDC });
    const model = DealModel.depositRecoveries(state, 300_000n * USDC);
    expect(rec.applied).to.deep.equal([]);
    expect(model.allocations).to.deep.equal([]);
    expect([rec.left, rec.recipient, model.destination]).to.deep.equal([
      300_000n * USDC,
      d.deal,
      "recovery account",
    ]);
    state = model.next;
    expect((await keeper.dealSnapshot({ deal: d.deal })).recoveries).to.equal(state.recoveries);
    await expectRevert(trustee.writeDown({ deal: d.deal, amount: 1n }), "RecoveriesNotExhausted", [
      0n,
      0n,
      300_000n * USDC,
    ]);

    // The senior holders waive the default: the latched trigger clears, the curable one never fired.
    const ballot = await issuer.proposeWaiver({ deal: d.deal });
    const v1 = await senior1.voteWaiver({ deal: d.deal, support: true });
    expect(v1.weight).to.equal(d.issued[0] / 2n);
    await expectRevert(senior1.voteWaiver({ deal: d.deal, support: true }), "AlreadyVoted", [
      ballot.id,
      senior1.account.address,
    ]);
    await expectRevert(executeBy(other, d.deal), "WaiverNotApproved", [
      ballot.id,
      v1.weight,
      d.issued[0],
    ]);
    await senior2.voteWaiver({ deal: d.deal, support: true });
    const executed = await other.executeWaiver({ deal: d.deal });
    const waived = RiskEngineModel.executeWaiver(state, t.risk);
    expect([executed.clearedMask, executed.status]).to.deep.equal([
      waived.cleared,
      waived.next.status,
    ]);
    state = waived.next;

    const risk = await keeper.riskSnapshot({ deal: d.deal });
    expect(risk.statusName).to.equal("Active");
    expect(risk.triggers.map((x) => [x.consecutive, x.active])).to.deep.equal(
      state.risk.triggers.map((x) => [BigInt(x.consecutive), x.active]),
    );
    expect(risk.triggers[0].description).to.equal(
      "Utilization < 0.500000 for 1 period → Accelerate (latches)",
    );
    expect(risk.fleet.map((f) => [f.modelName, f.activeCount, f.statusName])).to.deep.equal([
      ["H100-SXM5-80GB", 100n, "Confirmed"],
    ]);
    // The recovery account is collateral at par.
    expect(risk.collateralValue).to.equal(risk.bookValue + 300_000n * USDC);
    expect(risk.ballot.executed).to.equal(true);

    // The next period runs in the order its triggers set again (utilization 45 %: accelerated once more), which
    // releases the whole recovery account into the paydown.
    state = await period(t, d, state, 45n);
    expect(state.status).to.equal(DealStatus.Accelerated);
    expect(state.recoveries).to.equal(0n);
    const applied = (await keeper.periodStatements({ deal: d.deal })).at(-1);
    expect(applied?.statement.recoveriesApplied).to.equal(300_000n * USDC);

    // Nothing is held any more: the trustee may write down, equity first.
    const cut = 100_000n * USDC;
    const written = await trustee.writeDown({ deal: d.deal, amount: cut });
    const down = DealModel.writeDown(state, cut);
    expect(written.writeDowns.map((w) => [w.tranche, w.amount])).to.deep.equal([
      [2, d.issued[2]],
      [1, cut],
    ]);
    expect(down.cuts).to.deep.equal([0n, cut]);
    state = down.next;
    await expectRevert(
      trustee.writeDown({ deal: d.deal, amount: 10n ** 30n }),
      "InvalidWriteDown",
      [10n ** 30n, state.tranches[0].outstanding + state.tranches[1].outstanding],
    );

    // The trustee writes down all but 260,000 of the notes' principal (senior); the next period, with more cash,
    // repays it and then recovers written-down senior principal, which its statement counts as principal paid. The
    // record derives the scheduled principal from what was outstanding before: 260,000 − 250,000 (the senior's
    // straight-line schedule after period 2 of 4), as the model does.
    const left = 260_000n * USDC;
    const cutAll = state.tranches[0].outstanding + state.tranches[1].outstanding - left;
    await trustee.writeDown({ deal: d.deal, amount: cutAll });
    state = DealModel.writeDown(state, cutAll).next;
    expect([state.nextPeriod, state.tranches[0].outstanding]).to.deep.equal([2, left]);
    const writtenBefore = state.tranches[0].writtenDown;
    state = await period(t, d, state, 45n, 10n * USDC);
    expect(state.tranches[0].writtenDown < writtenBefore).to.equal(true);
    const last = (await keeper.periodStatements({ deal: d.deal })).at(-1);
    expect(last?.principalDue[0]).to.equal(left - 250_000n * USDC);
    expect(last?.statement.principalPaid[0]).to.equal(
      left + writtenBefore - state.tranches[0].writtenDown,
    );
  });

  it("fleet entries are added by the issuer, confirmed or rejected by the trustee, and retired, with the engine's errors", async () => {
    const t = await terms({});
    const d = await open(t);
    const { riskEngine } = await keeper.riskSnapshot({ deal: d.deal });
    const at = t.start + BigInt(MONTH);
    const bookAt = () =>
      readContract(publicClient, {
        address: riskEngine,
        abi: riskEngineAbi,
        functionName: "bookValueAt",
        args: [at],
      });
    const bookBefore = await bookAt();
    const added = await issuer.addFleetEntries({
      deal: d.deal,
      entries: [{ ...FLEET, count: 8 }],
    });
    expect(added.ids).to.deep.equal([1n]);
    // Pending: it does not count, and its GPUs cannot be retired, until the trustee confirms it.
    const pending = await keeper.riskSnapshot({ deal: d.deal });
    expect(pending.fleet.map((f) => f.statusName)).to.deep.equal(["Confirmed", "Pending"]);
    expect(await bookAt()).to.equal(bookBefore);
    await expectRevert(
      issuer.retireFleetEntry({ deal: d.deal, id: 1n, units: 1n }),
      "FleetEntryNotConfirmed",
      [1n, 0],
    );
    await expectRevert(issuer.confirmFleetEntry({ deal: d.deal, id: 1n }), "NotTrustee", [
      issuer.account.address,
    ]);
    await trustee.confirmFleetEntry({ deal: d.deal, id: 1n });
    await expectRevert(
      trustee.confirmFleetEntry({ deal: d.deal, id: 1n }),
      "FleetEntryNotPending",
      [1n, 1],
    );
    expect((await bookAt()) > bookBefore).to.equal(true);
    // A second entry the guardian rejects never counts.
    await issuer.addFleetEntries({ deal: d.deal, entries: [{ ...FLEET, count: 2 }] });
    await expectRevert(other.rejectFleetEntry({ deal: d.deal, id: 2n }), "NotTrusteeOrGuardian", [
      other.account.address,
    ]);
    const bookConfirmed = await bookAt();
    await guardian.rejectFleetEntry({ deal: d.deal, id: 2n });
    expect(await bookAt()).to.equal(bookConfirmed);
    await expectRevert(
      issuer.retireFleetEntry({ deal: d.deal, id: 2n, units: 1n }),
      "FleetEntryNotConfirmed",
      [2n, 2],
    );
    await expectRevert(
      issuer.addFleetEntries({ deal: d.deal, entries: [{ ...FLEET, unitCost: 0n }] }),
      "InvalidFleetEntry",
      [0n],
    );
    await expectRevert(other.addFleetEntries({ deal: d.deal, entries: [FLEET] }), "NotIssuer", [
      other.account.address,
    ]);
    await expectRevert(
      issuer.retireFleetEntry({ deal: d.deal, id: 1n, units: 9n }),
      "InvalidRetirement",
      [1n, 9n, 8n],
    );
    const retired = await issuer.retireFleetEntry({ deal: d.deal, id: 1n, units: 3n });
    expect(retired.activeCount).to.equal(5n);
    const snap = await keeper.riskSnapshot({ deal: d.deal });
    expect(snap.fleet.map((f) => f.activeCount)).to.deep.equal([100n, 5n, 2n]);
    // No period was distributed: there is no statement, so no last period's metrics.
    expect(snap.last).to.deep.equal({
      assessed: false,
      period: 0n,
      dscr: 0n,
      trailingDscr: 0n,
      utilization: 0n,
      ltv: 0n,
      seniorCurve: 0n,
      breakEvenUtilization: 0n,
      collateralValue: 0n,
      servicerShortfall: 0n,
      mode: 0,
      modeName: "Offering",
    });
    const dealSnap = await keeper.dealSnapshot({ deal: d.deal });
    expect(dealSnap.riskEngine).to.equal(snap.riskEngine);
    expect(dealSnap.lastStatement).to.equal(undefined);
    expect([dealSnap.risk.lastMode, dealSnap.risk.lastModeName]).to.deep.equal([0, "Offering"]);
    expect(
      await readContract(publicClient, {
        address: stablecoin,
        abi: mockStablecoinAbi,
        functionName: "balanceOf",
        args: [d.deal],
      }),
    ).to.equal(d.state.reserve);
  });
});

function executeBy(w: typeof other, deal: Address) {
  return w.executeWaiver({ deal });
}
