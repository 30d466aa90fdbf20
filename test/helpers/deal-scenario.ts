import { expect } from "chai";
import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { NetworkHelpers } from "@nomicfoundation/hardhat-network-helpers/types";
import type { ContractTransactionReceipt } from "ethers";

import type { Deal, TrancheToken } from "../../types/ethers-contracts/index.js";
import {
  submitReport,
  type DealHandles,
  type Protocol,
  type Roles,
  type TermSheetInput,
} from "./fixtures.js";
import {
  DealReference,
  conservationHolds,
  statementToArray,
  type RefDealTerms,
  type RefEvent,
  type RefPeriodResult,
  type RefStatement,
} from "./waterfall-reference.js";

/** One period of a scenario: what the report says and what the servicer deposits before the waterfall runs. */
export interface PeriodPlan {
  revenue: bigint;
  deposit: bigint;
  available: bigint;
  billed: bigint;
}

export function refTerms(t: TermSheetInput): RefDealTerms {
  return {
    periodCount: t.periodCount,
    periodLength: t.periodLength,
    pledgedShareBps: t.pledgedShareBps,
    servicerFeeBps: t.servicerFeeBps,
    trusteeFeePerPeriod: t.trusteeFeePerPeriod,
    reserveTarget: t.reserveTarget,
    tranches: t.tranches.map((tr) => ({ kind: tr.kind, coupon: tr.coupon, principal: tr.principal })),
  };
}

/** Converts ethers Results (and nested ones) to plain arrays so they compare with deep equality. */
export function plain(x: unknown): unknown {
  return Array.isArray(x) ? Array.from(x, plain) : x;
}

/** Every event the deal itself emitted in `receipt`, in order, as {name, args}. */
export function dealEvents(deal: Deal, dealAddress: string, receipt: ContractTransactionReceipt): RefEvent[] {
  return receipt.logs
    .filter((l) => l.address.toLowerCase() === dealAddress.toLowerCase())
    .map((l) => {
      const parsed = deal.interface.parseLog(l)!;
      return { name: parsed.name, args: plain(parsed.args) as unknown[] };
    });
}

/** Amounts of the `Distributed` events a tranche token emitted in `receipt`. */
function distributedAmounts(
  token: TrancheToken,
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
  return {
    period: a[0] as bigint,
    cashIn: a[1] as bigint,
    reserveReleased: a[2] as bigint,
    reserveDrawn: a[3] as bigint,
    trusteeFeePaid: a[4] as bigint,
    servicerFeePaid: a[5] as bigint,
    interestPaid: a[6] as bigint[],
    reserveToppedUp: a[7] as bigint,
    principalPaid: a[8] as bigint[],
    residualPaid: a[9] as bigint,
    utilization: a[10] as bigint,
    collectionsCarried: a[11] as bigint,
    reserveAfter: a[12] as bigint,
  };
}

/**
 * Drives a deal period by period and checks each waterfall against the reference: every event of the deal in
 * order and with exact arguments, the returned and emitted statement, conservation, the cash each party
 * received, and the deal's state afterwards.
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

  async run(period: number, plan: PeriodPlan): Promise<RefPeriodResult> {
    const { ethers, networkHelpers, protocol, r, h } = this;
    const deal = h.deal;
    const coin = protocol.stablecoin;
    const end = await deal.periodEnd(period);
    if (BigInt(await networkHelpers.time.latest()) < end) await networkHelpers.time.increaseTo(end);
    const report = await submitReport(
      ethers,
      protocol,
      r,
      deal,
      BigInt(period),
      plan.revenue,
      plan.billed,
      plan.available,
    );
    if (plan.deposit > 0n) {
      await expect(deal.connect(r.servicer).depositCollections(plan.deposit))
        .to.emit(deal, "CollectionsDeposited")
        .withArgs(r.servicer.address, plan.deposit, this.model.collections + plan.deposit);
      this.model.deposit(plan.deposit);
    }

    const expected = this.model.distribute(period, report);
    const s = expected.statement;
    expect(conservationHolds(s), `reference conservation, period ${period}`).to.equal(true);

    // The statement the call returns.
    const returned = statementFromChain(await deal.connect(this.keeper).distribute.staticCall(period));
    expect(returned, `returned statement, period ${period}`).to.deep.equal(s);

    const parties = [
      r.trustee.address,
      r.servicer.address,
      h.terms.issuer,
      ...this.tokenAddresses,
      this.dealAddress,
    ];
    const before = await Promise.all(parties.map((a) => coin.balanceOf(a)));
    const tx = deal.connect(this.keeper).distribute(period);
    await expect(tx).to.emit(deal, "PeriodDistributed").withArgs(BigInt(period), statementToArray(s));
    const receipt = (await (await tx).wait())!;
    const after = await Promise.all(parties.map((a) => coin.balanceOf(a)));
    const delta = after.map((x, i) => x - before[i]);

    // Every event of the deal, in order, to the wei.
    expect(dealEvents(deal, this.dealAddress, receipt), `events, period ${period}`).to.deep.equal(
      expected.events,
    );

    // The emitted statement satisfies the conservation identity exactly.
    const emitted = dealEvents(deal, this.dealAddress, receipt).find((e) => e.name === "PeriodDistributed")!;
    const onChain = statementFromChain(emitted.args[1]);
    expect(conservationHolds(onChain), `on-chain conservation, period ${period}`).to.equal(true);
    expect(onChain).to.deep.equal(s);

    // Cash moved as the statement says.
    const notes = h.terms.tranches.length - 1;
    const equityIsRecipient = expected.residualRecipient === this.tokenAddresses[notes];
    const expectedDelta = [
      s.trusteeFeePaid,
      s.servicerFeePaid,
      equityIsRecipient ? 0n : s.residualPaid,
      ...expected.paidToNotes,
      equityIsRecipient ? s.residualPaid : 0n,
      -(s.cashIn + s.reserveReleased + s.reserveDrawn - s.reserveToppedUp),
    ];
    expect(delta, `balance changes, period ${period}`).to.deep.equal(expectedDelta);
    for (let i = 0; i < notes; i++) {
      const amount = expected.paidToNotes[i];
      expect(distributedAmounts(h.tokens[i], this.tokenAddresses[i], receipt)).to.deep.equal(
        amount === 0n ? [] : [amount],
      );
    }
    expect(distributedAmounts(h.tokens[notes], this.tokenAddresses[notes], receipt)).to.deep.equal(
      equityIsRecipient && s.residualPaid !== 0n ? [s.residualPaid] : [],
    );

    // The deal's state matches the reference, and its balance is exactly what it accounts for.
    await this.expectState();
    this.results.push(expected);
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
    expect(await deal.nextPeriod()).to.equal(BigInt(model.nextPeriod));
    expect(await deal.status()).to.equal(BigInt(model.status));
    expect(await this.protocol.stablecoin.balanceOf(this.dealAddress), "deal balance").to.equal(
      model.collections + model.reserve,
    );
    for (let i = 0; i < model.notes.length; i++) {
      const info = await deal.tranche(i);
      expect([info.issued, info.outstanding, info.arrears], `tranche ${i}`).to.deep.equal([
        model.notes[i].issued,
        model.notes[i].outstanding,
        model.notes[i].arrears,
      ]);
      const factor =
        model.notes[i].issued === 0n ? 0n : (model.notes[i].outstanding * 10n ** 18n) / model.notes[i].issued;
      expect(await deal.factor(i)).to.equal(factor);
      expect(await h.tokens[i].factor()).to.equal(factor);
    }
  }
}
