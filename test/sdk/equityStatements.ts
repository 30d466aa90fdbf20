/**
 * Equity statements (`sdk/equity.ts`) on their own: `EquityDistributed` events built from the SDK's model of the
 * campus waterfall (preferred equity and LP common with an 8 % preferred return by rank, full catch-up to 20 %, 80/20
 * until a 15 % LP IRR, then 70/30) are decoded and rebuilt into statements — paid per tier and class, preferred return
 * accrued and unpaid, hurdle balances and whether each is met, catch-up progress, IRRs to date — which must agree with
 * the model to the base unit; an event altered by one unit is caught; the tiers read in words; `dealHistory` joins a
 * period's equity statement to the period by its transaction and checks it carries the period's residual.
 */
import { expect } from "chai";

import {
  dealHistory,
  decodeEquityDistributed,
  decodeEquityStatement,
  encodeEquityStatement,
  describeEquitySplits,
  describeEquityTier,
  EquityTier,
  EquityWaterfallModel,
  equityIrrs,
  equityStatements,
  equityStateOf,
  WAD,
  xirr,
  type Address,
  type EquityDistributedArgs,
  type EquityDistribution,
  type EquityFacts,
  type EquityTerms,
  type EquityTierTerms,
  type PeriodRecord,
} from "../../sdk/index.js";

const USDC = 10n ** 6n;
const PCT = WAD / 100n;
const DAY = 86_400n;
const YEAR = 365n * DAY;
const START = 1_800_000_000n;
const WATERFALL: Address = "0x00000000000000000000000000000000000000f0";

function tier(kind: number, classes: number, more: Partial<EquityTierTerms> = {}): EquityTierTerms {
  return {
    kind,
    classes,
    byRank: false,
    compounding: false,
    sponsorBps: 0,
    targetBps: 0,
    rate: 0n,
    ...more,
  };
}

/** Classes: 0 preferred equity, 1 LP common, 2 the sponsor's promote. */
const TERMS: EquityTerms = {
  sponsorClass: 2,
  tiers: [
    tier(EquityTier.ReturnOfCapital, 0b011, { byRank: true }),
    tier(EquityTier.PreferredReturn, 0b011, { byRank: true, rate: 8n * PCT }),
    tier(EquityTier.CatchUp, 0b011, { sponsorBps: 10_000, targetBps: 2_000 }),
    tier(EquityTier.Split, 0b011, { sponsorBps: 2_000, rate: 15n * PCT }),
    tier(EquityTier.Split, 0b011, { sponsorBps: 3_000 }),
  ],
};
const CONTRIBUTED = [4_000_000n * USDC, 5_000_000n * USDC, 1_000_000n * USDC];
const FACTS: EquityFacts = {
  waterfall: WATERFALL,
  terms: TERMS,
  contributed: CONTRIBUTED,
  start: START,
  names: ["Preferred", "LP common", "Promote"],
  symbols: ["PREF", "LPC", "PRO"],
};

const sum = (xs: readonly bigint[]) => xs.reduce((a, b) => a + b, 0n);
const hash = (i: number) => `0x${i.toString(16).padStart(64, "0")}` as const;

/**
 * Runs `amounts` ([time, amount]) through the model and writes each statement as the contract emits it
 * (`EquityDistributed`: flat rows, the remainder in the last tier's row), decoded.
 */
function events(amounts: readonly (readonly [bigint, bigint])[]) {
  let state = EquityWaterfallModel.initialEquityState(TERMS, CONTRIBUTED, START);
  const statements: EquityWaterfallModel.EquityStatement[] = [];
  const decoded = amounts.map(([time, amount], i): EquityDistribution => {
    const s = EquityWaterfallModel.distributeEquity(TERMS, CONTRIBUTED, state, amount, time);
    statements.push(s);
    state = s.state;
    // The last tier's row holds the remainder, in the model as in the event.
    const rows = s.paid;
    const args: EquityDistributedArgs = {
      period: BigInt(i),
      capitalEvent: false,
      time,
      amount,
      statement: encodeEquityStatement({
        paid: rows,
        unreturned: s.state.classes.map((c) => c.unreturned),
        prefOwed: s.state.classes.map((c) => c.prefUnpaid),
        hurdles: s.state.classes[0].hurdles.map((_, k) => s.state.classes.map((c) => c.hurdles[k])),
        totalProfit: s.totalProfit,
        sponsorProfit: s.sponsorProfit,
      }),
    };
    return decodeEquityDistributed(args, {
      blockNumber: BigInt(100 + i),
      transactionHash: hash(i + 1),
      logIndex: 3,
    });
  });
  return { decoded, statements };
}

/** Quarterly equity cash: two lean quarters (pref accrues unpaid), then enough to return capital and pay the promote. */
const QUARTER = YEAR / 4n;
const AMOUNTS: [bigint, bigint][] = [
  [START + QUARTER, 50_000n * USDC],
  [START + 2n * QUARTER, 0n],
  [START + 3n * QUARTER, 600_000n * USDC],
  [START + 4n * QUARTER, 9_500_000n * USDC],
  [START + 5n * QUARTER, 1_200_000n * USDC],
  [START + 6n * QUARTER, 3_000_000n * USDC],
];

describe("SDK equity statements", () => {
  it("decodes the packed statement of EquityDistributed: paid by tier and class, hurdles by split and class", () => {
    // 3 classes, 4 tiers, 1 hurdle: the counts, the bitmap of the 23 amounts (3 bytes), then the 14 amounts not zero
    // (written out here, as the contract packs them).
    const amount = (v: bigint) => v.toString(16).padStart(32, "0");
    const fields = [1n, 2n, 0n, 3n, 4n, 0n, 0n, 0n, 5n, 0n, 0n, 6n, 7n, 8n, 9n, 0n, 1n, 0n, 10n, 11n, 0n, 12n, 13n];
    // 110 110 001 001 111 010 110 11 → 1101 1000 | 1001 1110 | 1011 0110
    const statement = `0x030401d89eb6${fields.filter((v) => v !== 0n).map(amount).join("")}` as const;
    const d = decodeEquityDistributed(
      { period: 4n, capitalEvent: true, time: 1_900_000_000, amount: 21n, statement },
      { blockNumber: 9n, transactionHash: hash(1), logIndex: 0 },
    );
    expect(d.paid).to.deep.equal([
      [1n, 2n, 0n],
      [3n, 4n, 0n],
      [0n, 0n, 5n],
      [0n, 0n, 6n],
    ]);
    expect([d.unreturned, d.prefOwed, d.hurdles]).to.deep.equal([[7n, 8n, 9n], [0n, 1n, 0n], [[10n, 11n, 0n]]]);
    expect([d.time, d.totalProfit, d.sponsorProfit, d.capitalEvent]).to.deep.equal([
      1_900_000_000n,
      12n,
      13n,
      true,
    ]);
    expect(encodeEquityStatement(decodeEquityStatement(statement))).to.equal(statement);
    expect(() => decodeEquityStatement(`0x030401d89eb6${amount(1n)}`)).to.throw(
      RangeError,
      "an equity statement of 3 classes, 4 tiers, 1 hurdles and 14 amounts not zero is 230 bytes, not 22",
    );
    expect(() => decodeEquityStatement("0x030401d8")).to.throw(
      RangeError,
      "an equity statement of 23 amounts has a bitmap of 3 bytes",
    );
    // A bit past the 23 amounts, or a present amount of zero, is not a statement the contract writes.
    expect(() =>
      decodeEquityStatement(`0x030401d89eb7${fields.filter((v) => v !== 0n).map(amount).join("")}${amount(1n)}`),
    ).to.throw(RangeError, "an equity statement's bitmap marks amounts past its 23");
    expect(() =>
      decodeEquityStatement(`0x030401d89eb6${amount(0n)}${fields.filter((v) => v !== 0n).slice(1).map(amount).join("")}`),
    ).to.throw(RangeError, "amount 0 of an equity statement is marked present but is zero");
    expect(() => decodeEquityStatement("0x03")).to.throw(RangeError, "an equity statement starts with three counts");
    expect(() =>
      encodeEquityStatement({ ...decodeEquityStatement(statement), totalProfit: 1n << 128n }),
    ).to.throw(RangeError, "does not fit a statement's 16 bytes");
  });

  it("rebuilds every statement the model made, to the base unit, and the waterfall's state after it", () => {
    const { decoded, statements } = events(AMOUNTS);
    const views = equityStatements(decoded, FACTS);
    expect(views).to.have.length(AMOUNTS.length);
    views.forEach((v, k) => {
      const m = statements[k];
      expect(v.agreesWithModel, `statement ${k + 1}`).to.equal(true);
      expect(v.balances, `statement ${k + 1}`).to.equal(true);
      expect(v.number).to.equal(k + 1);
      expect(sum(v.toClass)).to.equal(AMOUNTS[k][1]);
      expect(v.toClass).to.deep.equal(m.toClass);
      expect(v.prefAccrued).to.deep.equal(m.prefAccrued);
      expect(v.elapsed).to.equal(m.elapsed);
      expect(v.distributed).to.deep.equal(m.state.classes.map((c) => c.distributed));
      expect(v.returned).to.deep.equal(
        m.state.classes.map((c, j) => CONTRIBUTED[j] - c.unreturned),
      );
      expect(v.hurdles[0].balances).to.deep.equal(m.state.classes.map((c) => c.hurdles[0]));
      expect(v.catchUp.sponsorProfit).to.equal(m.sponsorProfit);
      expect(v.catchUp.totalProfit).to.equal(m.totalProfit);
    });
    // Lean quarters return capital by rank (Preferred first) and leave the preferred return accruing unpaid.
    expect(views[0].returned).to.deep.equal([50_000n * USDC, 0n, 0n]);
    expect(views[0].prefPaid).to.deep.equal([0n, 0n, 0n]);
    expect(views[0].distribution.prefOwed[0]).to.equal(
      (4_000_000n * USDC * 8n * PCT * QUARTER) / (YEAR * WAD),
    );
    expect(views[1].toClass).to.deep.equal([0n, 0n, 0n]);
    expect(views[1].prefAccrued[1]).to.equal(
      (5_000_000n * USDC * 8n * PCT * QUARTER) / (YEAR * WAD),
    );
    expect(views[2].prefPaid).to.deep.equal([0n, 0n, 0n]);
    expect(views[2].distribution.prefOwed[1]).to.equal(
      3n * ((5_000_000n * USDC * 8n * PCT * QUARTER) / (YEAR * WAD)),
    );
    // Capital back in full, then the catch-up: the sponsor holds at least its 20 % of profit.
    expect(views[3].returned).to.deep.equal([CONTRIBUTED[0], CONTRIBUTED[1], 0n]);
    expect(views[3].distribution.prefOwed).to.deep.equal([0n, 0n, 0n]);
    expect(views[2].catchUp.reached).to.equal(false);
    expect(views[4].catchUp.reached).to.equal(true);
    expect(views[4].catchUp.shareBps).to.be.at.least(2_000n);
    expect(views[3].catchUp.targetBps).to.equal(2_000);
    // The last quarter carries the LP classes past 15 %: the hurdle is met and the 70/30 split takes the rest.
    const last = views[views.length - 1];
    expect(last.hurdles[0].met).to.equal(true);
    expect(last.hurdles[0].metBy).to.deep.equal([true, true, false]);
    expect(last.distribution.paid[4][2]).to.be.greaterThan(0n);
    expect(views[2].hurdles[0].met).to.equal(false);
    expect(last.multiple[1]).to.equal((last.distributed[1] * WAD) / CONTRIBUTED[1]);
  });

  it("gives each class's realized IRR from its dated cash flows: the LP IRR is above the hurdle once it is met", () => {
    const { decoded } = events(AMOUNTS);
    const views = equityStatements(decoded, FACTS);
    // Before anything is received there is no rate.
    expect(equityIrrs(FACTS, []).lp).to.equal(undefined);
    const last = views[views.length - 1];
    // The LP classes pooled: an independent XIRR of the same flows.
    const flows = [
      { time: START, amount: -(CONTRIBUTED[0] + CONTRIBUTED[1]) },
      ...decoded.map((d) => ({
        time: d.time,
        amount: sum(d.paid.map((row) => row[0] + row[1])),
      })),
    ].filter((f) => f.amount !== 0n);
    const lp = last.irr.lp;
    expect(lp).to.not.equal(undefined);
    expect(Math.abs((lp ?? 0) - xirr(flows))).to.be.below(1e-12);
    expect(lp).to.be.greaterThan(0.15);
    const sponsor = [
      { time: START, amount: -CONTRIBUTED[2] },
      ...decoded
        .map((d) => ({ time: d.time, amount: sum(d.paid.map((row) => row[2])) }))
        .filter((f) => f.amount !== 0n),
    ];
    expect(Math.abs((last.irr.sponsor ?? 0) - xirr(sponsor))).to.be.below(1e-12);
    expect(last.irr.classes[2]).to.equal(last.irr.sponsor);
    // Before the hurdle was met the LP IRR was below it (to the first statement's 0.01 %).
    const before = views.findLast((v) => !v.hurdles[0].met);
    expect(before?.irr.lp ?? -1).to.be.below(0.15 + 1e-4);
  });

  it("catches an event one base unit off the model: moved between classes, or a state that does not follow", () => {
    const { decoded } = events(AMOUNTS);
    const moved = structuredClone(decoded);
    moved[3].paid[0][0] -= 1n;
    moved[3].paid[0][1] += 1n;
    const views = equityStatements(moved, FACTS);
    expect(views[3].agreesWithModel).to.equal(false);
    expect(views[2].agreesWithModel).to.equal(true);
    const short = structuredClone(decoded);
    short[2].paid[1][0] -= 1n;
    expect(equityStatements(short, FACTS)[2].balances).to.equal(false);
    const wrongState = structuredClone(decoded);
    wrongState[4].unreturned[0] += 1n;
    const v = equityStatements(wrongState, FACTS)[4];
    expect([v.balances, v.agreesWithModel]).to.deep.equal([false, false]);
    const truncated = structuredClone(decoded);
    truncated[0].hurdles = [];
    expect(() => equityStatements(truncated, FACTS)).to.throw(
      RangeError,
      "equity distribution 1: its arrays do not fit 3 classes, 5 tiers and 1 hurdles",
    );
  });

  it("reads the tiers in words", () => {
    const names = FACTS.names;
    expect(TERMS.tiers.map((t) => describeEquityTier(t, names, 2))).to.deep.equal([
      "return of capital, by rank: Preferred, LP common",
      "8.00 % preferred return, by rank: Preferred, LP common",
      "catch-up: 100 % to the sponsor (Promote) until it holds 20.00 % of profit",
      "80/20 to Preferred, LP common / Promote until LP IRR 15.00 %",
      "70/30 to Preferred, LP common / Promote thereafter",
    ]);
    expect(describeEquitySplits(TERMS)).to.equal("80/20 until LP IRR 15.00 %, then 70/30");
    expect(
      describeEquityTier(
        tier(EquityTier.PreferredReturn, 0b10, { rate: 9n * PCT + PCT / 2n, compounding: true }),
        names,
        2,
      ),
    ).to.equal("9.50 % preferred return, compounded each period, pro rata: LP common");
    expect(
      describeEquityTier(
        tier(EquityTier.CatchUp, 0b11, { sponsorBps: 5_050, targetBps: 1_250 }),
        names,
        2,
      ),
    ).to.equal("catch-up: 50.5 % to the sponsor (Promote) until it holds 12.50 % of profit");
    expect(describeEquitySplits({ sponsorClass: 0, tiers: [] })).to.equal(undefined);
  });

  it("starts the model's state from the waterfall's views (the initial state before any distribution)", () => {
    const { statements } = events(AMOUNTS.slice(0, 2));
    const last = statements[1].state;
    const views = last.classes.map((c, j) => ({
      contributed: CONTRIBUTED[j],
      returned: CONTRIBUTED[j] - c.unreturned,
      prefOwed: c.prefUnpaid,
      distributed: c.distributed,
      hurdleBalances: c.hurdles,
    }));
    expect(equityStateOf(TERMS, views, last.lastAccrual, START)).to.deep.equal(last);
    expect(equityStateOf(TERMS, views, 0n, START)).to.deep.equal(
      EquityWaterfallModel.initialEquityState(TERMS, CONTRIBUTED, START),
    );
  });

  it("joins a period's equity statement to the period by its transaction, and checks it carries the residual", () => {
    const { decoded } = events(AMOUNTS.slice(0, 2));
    const views = equityStatements(decoded, FACTS);
    // Two periods whose residuals went to the waterfall in the transactions of the two distributions.
    const records = decoded.map((d, i) => periodRecord(i, d.amount, d.transactionHash));
    const facts = {
      symbols: ["SR", "PREF", "LPC", "PRO"],
      noteCount: 1,
      issued: [1_000n * USDC, ...CONTRIBUTED],
      periodCount: 4,
      start: START,
      periodLength: Number(QUARTER),
      reserveTarget: 0n,
      keeperBounty: 0n,
      servicerFeeBps: 0,
      turbo: false,
      triggers: [],
      equityToken: WATERFALL,
      equity: { facts: FACTS, statements: views },
    } as const;
    const h = dealHistory(records, facts);
    expect(h.periods.map((p) => p.equity?.number)).to.deep.equal([1, 2]);
    expect(h.periods.every((p) => p.reconciliation.balances)).to.equal(true);
    const residual = h.periods[0].rows.at(-1);
    expect([residual?.kind, residual?.deal, residual?.tranche]).to.deep.equal([
      "residual",
      WATERFALL,
      undefined,
    ]);
    expect(h.equityOutsidePeriods).to.deep.equal([]);
    // A capital event after the periods is no period's: it is listed apart.
    const later = { ...decoded[1], capitalEvent: true, transactionHash: hash(99) };
    const withEvent = equityStatements([...decoded, later], FACTS);
    expect(
      dealHistory(records, { ...facts, equity: { facts: FACTS, statements: withEvent } })
        .equityOutsidePeriods,
    ).to.have.length(1);
    // A waterfall that received one unit less than the period's residual does not reconcile.
    const off = periodRecord(0, decoded[0].amount + 1n, decoded[0].transactionHash);
    expect(dealHistory([off], facts).periods[0].reconciliation.balances).to.equal(false);
  });
});

/** A period whose only cash is `residual`, all of it paid to the equity waterfall (one note, nothing owed). */
function periodRecord(period: number, residual: bigint, tx: `0x${string}`): PeriodRecord {
  const zero = [0n];
  const statement = {
    period: BigInt(period),
    mode: 1,
    reported: true,
    utilization: WAD / 2n,
    cashIn: residual,
    recoveriesApplied: 0n,
    reserveReleased: 0n,
    reserveDrawn: 0n,
    keeperBountyPaid: 0n,
    trusteeFeePaid: 0n,
    trusteeFeeArrears: 0n,
    servicerFeePaid: 0n,
    servicerFeeArrears: 0n,
    interestDue: zero,
    interestPaid: zero,
    principalPaid: zero,
    outstanding: [1_000n * USDC],
    reserveToppedUp: 0n,
    reserveTrapped: 0n,
    residualPaid: residual,
    reserveAfter: 0n,
    collectionsCarried: 0n,
    rentIn: 0n,
    rentPaid: 0n,
    rentArrears: 0n,
    residualRecipient: WATERFALL,
    keeper: WATERFALL,
    metrics: {
      cashAvailableForDebtService: residual,
      debtService: 0n,
      dscr: 0n,
      trailingDscr: 0n,
      utilization: WAD / 2n,
      collateralValue: 0n,
      notesOutstanding: 1_000n * USDC,
      ltv: 0n,
      seniorCurve: 0n,
      reserveLevel: 0n,
      servicerShortfall: 0n,
      breakEvenUtilization: 0n,
      overcollateralization: zero,
      interestCoverage: zero,
      breachedMask: 0n,
      activeMask: 0n,
    },
  };
  return {
    statement,
    rates: zero,
    interestDue: zero,
    interestArrears: zero,
    principalDue: zero,
    outstanding: [1_000n * USDC],
    trusteeFeeArrears: 0n,
    servicerFeeArrears: 0n,
    keeper: WATERFALL,
    missedReports: undefined,
    residualRecipient: WATERFALL,
    modeName: "Active",
    triggers: undefined,
    fired: [],
    cured: [],
    indexRejection: undefined,
    appraisalRecorded: undefined,
    writeDowns: [],
    rentReceipts: [],
    blockNumber: BigInt(100 + period),
    transactionHash: tx,
  };
}
