import { expect } from "chai";
import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { NetworkHelpers } from "@nomicfoundation/hardhat-network-helpers/types";
import type { ContractTransactionReceipt } from "ethers";

import type { IDeal, ITrancheToken } from "../../types/ethers-contracts/index.js";
import {
  markUnreported,
  submitReport,
  type DealHandles,
  type Protocol,
  type Roles,
  type TermSheetInput,
} from "./fixtures.js";
import {
  DealReference,
  UNREPORTED,
  conservationHolds,
  statementToArray,
  type RefDealTerms,
  type RefEvent,
  type RefOutcome,
  type RefPeriodResult,
  type RefStatement,
} from "./waterfall-reference.js";

/** IUtilizationOracle.ReportState. */
export enum ReportState {
  None = 0,
  Pending = 1,
  Final = 2,
  Unreported = 3,
}

/**
 * One period of a scenario: what the report says and what the servicer deposits before the waterfall runs.
 * With `unreported`, no report is submitted: the period is marked unreported with the oracle once its deadline
 * has passed (revenue, billed and available are then ignored).
 */
export interface PeriodPlan {
  revenue: bigint;
  deposit: bigint;
  available: bigint;
  billed: bigint;
  unreported?: boolean;
}

/** How the period(s) are run. */
export interface RunOptions {
  /** Who runs the waterfall and earns the bounty (default: the runner's keeper). */
  keeper?: HardhatEthersSigner;
  /** `distribute(period)` (default) or `performUpkeep(abi.encode(first, periods))`. */
  via?: "distribute" | "upkeep";
}

export function refTerms(t: TermSheetInput): RefDealTerms {
  return {
    periodCount: t.periodCount,
    periodLength: t.periodLength,
    pledgedShareBps: t.pledgedShareBps,
    servicerFeeBps: t.servicerFeeBps,
    trusteeFeePerPeriod: t.trusteeFeePerPeriod,
    reserveTarget: t.reserveTarget,
    keeperBounty: t.keeperBounty,
    trailingPeriods: t.risk.trailingPeriods,
    tranches: t.tranches.map((tr) => ({
      kind: tr.kind,
      coupon: tr.coupon,
      principal: tr.principal,
    })),
  };
}

/** Converts ethers Results (and nested ones) to plain arrays so they compare with deep equality. */
export function plain(x: unknown): unknown {
  return Array.isArray(x) ? Array.from(x, plain) : x;
}

/** Every event the deal itself emitted in `receipt`, in order, as {name, args}. */
export function dealEvents(
  deal: IDeal,
  dealAddress: string,
  receipt: ContractTransactionReceipt,
): RefEvent[] {
  return receipt.logs
    .filter((l) => l.address.toLowerCase() === dealAddress.toLowerCase())
    .map((l) => {
      const parsed = deal.interface.parseLog(l)!;
      return { name: parsed.name, args: plain(parsed.args) as unknown[] };
    });
}

/** The statements of the `PeriodDistributed` events of `receipt`, in order. */
export function statementsIn(
  deal: IDeal,
  dealAddress: string,
  receipt: ContractTransactionReceipt,
): RefStatement[] {
  return dealEvents(deal, dealAddress, receipt)
    .filter((e) => e.name === "PeriodDistributed")
    .map((e) => statementFromChain(e.args[1]));
}

/** [period, keeper, bounty] of each period distributed in `receipt`, from its statement. */
export function keeperPaidIn(
  deal: IDeal,
  dealAddress: string,
  receipt: ContractTransactionReceipt,
): unknown[][] {
  return statementsIn(deal, dealAddress, receipt).map((s) => [
    s.period,
    s.keeper,
    s.keeperBountyPaid,
  ]);
}

/** Amounts of the `Distributed` events a tranche token emitted in `receipt`. */
function distributedAmounts(
  token: ITrancheToken,
  tokenAddress: string,
  receipt: ContractTransactionReceipt,
): bigint[] {
  return receipt.logs
    .filter((l) => l.address.toLowerCase() === tokenAddress.toLowerCase())
    .map((l) => token.interface.parseLog(l))
    .filter((l) => l?.name === "Distributed")
    .map((l) => l!.args.amount as bigint);
}

export function statementFromChain(x: unknown): RefStatement {
  const a = plain(x) as unknown[];
  if (a.length !== 28) throw new Error(`statement has ${a.length} fields, expected 28`);
  const m = a[17] as unknown[];
  return {
    period: a[0] as bigint,
    reported: a[1] as boolean,
    cashIn: a[2] as bigint,
    reserveReleased: a[3] as bigint,
    reserveDrawn: a[4] as bigint,
    keeperBountyPaid: a[5] as bigint,
    trusteeFeePaid: a[6] as bigint,
    servicerFeePaid: a[7] as bigint,
    interestPaid: a[8] as bigint[],
    reserveToppedUp: a[9] as bigint,
    principalPaid: a[10] as bigint[],
    residualPaid: a[11] as bigint,
    utilization: a[12] as bigint,
    reserveTrapped: a[13] as bigint,
    collectionsCarried: a[14] as bigint,
    reserveAfter: a[15] as bigint,
    mode: a[16] as bigint,
    metrics: {
      cashAvailableForDebtService: m[0] as bigint,
      debtService: m[1] as bigint,
      dscr: m[2] as bigint,
      trailingDscr: m[3] as bigint,
      utilization: m[4] as bigint,
      collateralValue: m[5] as bigint,
      notesOutstanding: m[6] as bigint,
      ltv: m[7] as bigint,
      seniorCurve: m[8] as bigint,
      reserveLevel: m[9] as bigint,
      servicerShortfall: m[10] as bigint,
      breakEvenUtilization: m[11] as bigint,
      overcollateralization: m[12] as bigint[],
      interestCoverage: m[13] as bigint[],
      breachedMask: m[14] as bigint,
      activeMask: m[15] as bigint,
    },
    keeper: a[18] as string,
    trusteeFeeArrears: a[19] as bigint,
    servicerFeeArrears: a[20] as bigint,
    interestDue: a[21] as bigint[],
    outstanding: a[22] as bigint[],
    residualRecipient: a[23] as string,
    recoveriesApplied: a[24] as bigint,
    rentIn: a[25] as bigint,
    rentPaid: a[26] as bigint,
    rentArrears: a[27] as bigint,
  };
}

/** performData of an upkeep that runs up to `periods` periods from `first`. */
export function performData(
  ethers: HardhatEthers,
  first: bigint | number,
  periods: bigint | number,
): string {
  return ethers.AbiCoder.defaultAbiCoder().encode(
    ["uint256", "uint256"],
    [BigInt(first), BigInt(periods)],
  );
}

/** checkData asking for up to `periods` periods: empty for one, abi.encode(uint256) otherwise. */
export function checkData(ethers: HardhatEthers, periods: bigint | number): string {
  return BigInt(periods) === 1n
    ? "0x"
    : ethers.AbiCoder.defaultAbiCoder().encode(["uint256"], [BigInt(periods)]);
}

/**
 * Drives a deal period by period and checks each waterfall against the reference: every event of the deal in
 * order and with exact arguments, the returned and emitted statement, conservation, the cash each party
 * (keeper included) received, and the deal's state afterwards.
 */
export class ScenarioRunner {
  readonly model: DealReference;
  readonly results: RefPeriodResult[] = [];

  private constructor(
    private readonly ethers: HardhatEthers,
    private readonly networkHelpers: NetworkHelpers,
    private readonly protocol: Protocol,
    private readonly r: Roles,
    private readonly h: DealHandles,
    private readonly keeper: HardhatEthersSigner,
    private readonly dealAddress: string,
    private readonly tokenAddresses: string[],
    model: DealReference,
  ) {
    this.model = model;
  }

  /** Builds the reference from the deal's settled state (issued amounts and reserve read from chain). */
  static async start(
    ethers: HardhatEthers,
    networkHelpers: NetworkHelpers,
    protocol: Protocol,
    r: Roles,
    h: DealHandles,
    keeper: HardhatEthersSigner,
  ): Promise<ScenarioRunner> {
    const count = h.terms.tranches.length;
    const issued: bigint[] = [];
    for (let i = 0; i < count; i++) issued.push((await h.deal.tranche(i)).issued);
    const [reserve] = await h.deal.reserve();
    const tokenAddresses = await Promise.all(h.tokens.map((t) => t.getAddress()));
    const model = new DealReference(
      refTerms(h.terms),
      issued,
      reserve,
      tokenAddresses[count - 1],
      h.terms.issuer,
    );
    model.missedReports = Number(await h.deal.missedReports());
    return new ScenarioRunner(
      ethers,
      networkHelpers,
      protocol,
      r,
      h,
      keeper,
      await h.deal.getAddress(),
      tokenAddresses,
      model,
    );
  }

  /** Runs one period (see {runPeriods}). */
  async run(period: number, plan: PeriodPlan, opts: RunOptions = {}): Promise<RefPeriodResult> {
    return (await this.runPeriods(period, [plan], opts))[0];
  }

  /**
   * Prepares periods `first` … `first + plans.length − 1` (report or mark unreported, deposit), then runs them in
   * one transaction: `distribute(first)` for a single period, or `performUpkeep(abi.encode(first, n))`.
   */
  async runPeriods(
    first: number,
    plans: PeriodPlan[],
    opts: RunOptions = {},
  ): Promise<RefPeriodResult[]> {
    const { ethers, networkHelpers, protocol, r, h } = this;
    const via = opts.via ?? "distribute";
    if (plans.length === 0 || (plans.length > 1 && via !== "upkeep")) {
      throw new Error("runPeriods: one period by distribute, or one or more by upkeep");
    }
    const keeper = opts.keeper ?? this.keeper;
    const deal = h.deal;
    const coin = protocol.stablecoin;
    const oracle = protocol.oracle;

    const outcomes: RefOutcome[] = [];
    for (let i = 0; i < plans.length; i++) {
      const period = first + i;
      const plan = plans[i];
      const end = await deal.periodEnd(period);
      if (BigInt(await networkHelpers.time.latest()) < end)
        await networkHelpers.time.increaseTo(end);
      if (plan.unreported) {
        await markUnreported(networkHelpers, protocol, deal, BigInt(period), keeper);
        expect(await oracle.reportState(this.dealAddress, period)).to.equal(
          BigInt(ReportState.Unreported),
        );
        outcomes.push(UNREPORTED);
      } else {
        // Signed by every reporter, so a utilization step above the deal's bound is accepted too.
        const report = await submitReport(
          ethers,
          networkHelpers,
          protocol,
          r,
          deal,
          BigInt(period),
          plan.revenue,
          plan.billed,
          plan.available,
          r.reporters,
        );
        expect(await oracle.reportState(this.dealAddress, period)).to.equal(
          BigInt(ReportState.Final),
        );
        outcomes.push(report);
      }
      if (plan.deposit > 0n) {
        await expect(deal.connect(r.servicer).depositCollections(plan.deposit))
          .to.emit(deal, "CollectionsDeposited")
          .withArgs(r.servicer.address, plan.deposit, this.model.collections + plan.deposit);
        this.model.deposit(plan.deposit);
      }
    }

    const expected = outcomes.map((o, i) => this.model.distribute(first + i, o, keeper.address));
    for (const e of expected) {
      expect(
        conservationHolds(e.statement),
        `reference conservation, period ${e.statement.period}`,
      ).to.equal(true);
    }

    // The deal says the first period is ready, and an upkeep asking for as many periods would run it.
    expect(await deal.readyPeriod(), `readyPeriod before period ${first}`).to.deep.equal([
      true,
      BigInt(first),
    ]);
    expect(plain(await deal.checkUpkeep(checkData(ethers, plans.length)))).to.deep.equal([
      true,
      performData(ethers, first, plans.length),
    ]);

    if (via === "distribute") {
      // The statement the call returns.
      const returned = statementFromChain(await deal.connect(keeper).distribute.staticCall(first));
      expect(returned, `returned statement, period ${first}`).to.deep.equal(expected[0].statement);
    }

    const parties = [
      r.trustee.address,
      r.servicer.address,
      h.terms.issuer,
      ...this.tokenAddresses,
      this.dealAddress,
      keeper.address,
    ];
    expect(
      new Set(parties.map((a) => a.toLowerCase())).size,
      "the keeper is a party of its own",
    ).to.equal(parties.length);
    const before = await Promise.all(parties.map((a) => coin.balanceOf(a)));
    const tx =
      via === "distribute"
        ? deal.connect(keeper).distribute(first)
        : deal.connect(keeper).performUpkeep(performData(ethers, first, plans.length));
    const last = expected[expected.length - 1];
    await expect(tx)
      .to.emit(deal, "PeriodDistributed")
      .withArgs(last.statement.period, statementToArray(last.statement));
    const receipt = (await (await tx).wait())!;
    const after = await Promise.all(parties.map((a) => coin.balanceOf(a)));
    const delta = after.map((x, i) => x - before[i]);

    // Every event of the deal, in order, to the wei.
    const events = dealEvents(deal, this.dealAddress, receipt);
    expect(events, `events, periods ${first}..${first + plans.length - 1}`).to.deep.equal(
      expected.flatMap((e) => e.events),
    );
    // The oracle recorded the finality of each reported period as the deal consumed it.
    const oracleAddress = (await oracle.getAddress()).toLowerCase();
    const oracleEvents = receipt.logs
      .filter((l) => l.address.toLowerCase() === oracleAddress)
      .map((l) => {
        const parsed = oracle.interface.parseLog(l)!;
        return { name: parsed.name, args: plain(parsed.args) as unknown[] };
      });
    // A final report is used as it is stored (finality follows from its dispute window): the oracle writes and
    // emits nothing when a deal distributes a reported period.
    expect(oracleEvents).to.deep.equal([]);

    // The emitted statements satisfy the conservation identity exactly.
    const emitted = events.filter((e) => e.name === "PeriodDistributed");
    expect(emitted.length).to.equal(plans.length);
    emitted.forEach((e, i) => {
      const onChain = statementFromChain(e.args[1]);
      expect(conservationHolds(onChain), `on-chain conservation, period ${first + i}`).to.equal(
        true,
      );
      expect(onChain).to.deep.equal(expected[i].statement);
    });

    // Cash moved as the statements say.
    const notes = h.terms.tranches.length - 1;
    const sum = (f: (e: RefPeriodResult) => bigint): bigint =>
      expected.reduce((a, e) => a + f(e), 0n);
    const toEquity = (e: RefPeriodResult) => e.residualRecipient === this.tokenAddresses[notes];
    // Fees are credited in the deal (withdrawn by their recipients), so they stay in its balance.
    // Without equity the residual is credited to the issuer in the deal, so it stays in the deal's balance too.
    const expectedDelta = [
      0n,
      0n,
      0n,
      ...Array.from({ length: notes }, (_, i) => sum((e) => e.paidToNotes[i])),
      sum((e) => (toEquity(e) ? e.statement.residualPaid : 0n)),
      -sum(
        ({ statement: s }) =>
          s.cashIn +
          s.reserveReleased +
          s.reserveDrawn -
          s.reserveToppedUp -
          s.trusteeFeePaid -
          s.servicerFeePaid,
      ) + sum((e) => (toEquity(e) ? 0n : e.statement.residualPaid)),
      sum((e) => e.statement.keeperBountyPaid),
    ];
    expect(delta, `balance changes, periods ${first}..${first + plans.length - 1}`).to.deep.equal(
      expectedDelta,
    );
    for (let i = 0; i < notes; i++) {
      expect(distributedAmounts(h.tokens[i], this.tokenAddresses[i], receipt)).to.deep.equal(
        expected.map((e) => e.paidToNotes[i]).filter((x) => x !== 0n),
      );
    }
    expect(distributedAmounts(h.tokens[notes], this.tokenAddresses[notes], receipt)).to.deep.equal(
      expected
        .filter((e) => toEquity(e) && e.statement.residualPaid !== 0n)
        .map((e) => e.statement.residualPaid),
    );

    // The deal's state matches the reference, and its balance is exactly what it accounts for.
    await this.expectState();
    this.results.push(...expected);
    return expected;
  }

  async expectState(): Promise<void> {
    const { h, model } = this;
    const deal = h.deal;
    const [reserve, target] = await deal.reserve();
    expect(reserve, "reserve").to.equal(model.reserve);
    expect(target).to.equal(h.terms.reserveTarget);
    expect(await deal.undistributedCollections(), "collections").to.equal(model.collections);
    expect(await deal.feeArrears(), "fee arrears").to.deep.equal([
      model.trusteeArrears,
      model.servicerArrears,
    ]);
    expect(await deal.feesOwed(), "fees owed").to.deep.equal([
      model.trusteeFeesOwed,
      model.servicerFeesOwed,
    ]);
    expect(await deal.nextPeriod()).to.equal(BigInt(model.nextPeriod));
    expect(await deal.status()).to.equal(BigInt(model.status));
    expect(await deal.missedReports(), "missed reports").to.equal(BigInt(model.missedReports));
    expect(await deal.keeperBounty()).to.equal(h.terms.keeperBounty);
    expect(await this.protocol.stablecoin.balanceOf(this.dealAddress), "deal balance").to.equal(
      model.collections +
        model.reserve +
        model.trusteeFeesOwed +
        model.servicerFeesOwed +
        model.residualOwed,
    );
    expect(await deal.residualOwed(), "residual owed").to.equal(model.residualOwed);
    for (let i = 0; i < model.notes.length; i++) {
      const info = await deal.tranche(i);
      expect([info.issued, info.outstanding, info.arrears], `tranche ${i}`).to.deep.equal([
        model.notes[i].issued,
        model.notes[i].outstanding,
        model.notes[i].arrears,
      ]);
      const factor =
        model.notes[i].issued === 0n
          ? 0n
          : (model.notes[i].outstanding * 10n ** 18n) / model.notes[i].issued;
      expect(await deal.factor(i)).to.equal(factor);
      expect(await h.tokens[i].factor()).to.equal(factor);
    }
  }
}
