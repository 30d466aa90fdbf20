/**
 * The statement model (`sdk/statements.ts`) and the printing rule (`sdk/format.ts`), on their own: records built
 * from the SDK's pure model (what `periodStatements` rebuilds from the chain's events, which the demo and
 * test/e2e/cli-auditor.ts check against a chain) run through `dealHistory`. Every period of every order — Active,
 * CashTrap (with and without turbo), Accelerated — must list its steps in the order `WaterfallMath.run` pays them,
 * pay out exactly its cash, and agree with the statement line by line; the demo's two deals give the figures the
 * issue names (the reserve after period 1's release, deferred subordinate interest, losses net of recoveries).
 */
import { readFileSync } from "node:fs";

import { expect } from "chai";

import { shortDealJson } from "../../cli/lib/devnet.js";
import { StatementText } from "../../sdk/statementText.js";
import {
  describeCovenant,
  DealStatus,
  dealHistory,
  exactAmount,
  exactRatio,
  formatAmount,
  formatMetric,
  formatRatio,
  formatThreshold,
  historyTotals,
  MAX_UINT256,
  parseTermSheet,
  RiskMetric,
  statementFacts,
  statusReason,
  TriggerComparison,
  TriggerEffect,
  UNREPORTED,
  WAD,
  type Address,
  type DealModelState,
  type PeriodOutcome,
  type PeriodRecord,
  type PeriodView,
  type StatementFacts,
  type StepKind,
  type TermSheet,
  type TermSheetJson,
  type TriggerTerms,
  DealModel,
} from "../../sdk/index.js";
import { scenario, stressedIndex, stressedScenario } from "../../scripts/lib/h100-scenario.js";
import { recordOf } from "../helpers/statement-records.js";

const USDC = 10n ** 6n;
const PCT = WAD / 100n;
const EQUITY: Address = "0x00000000000000000000000000000000000000e0";
const ADDRESSES = {
  stablecoin: "0x0000000000000000000000000000000000000001",
  issuer: "0x0000000000000000000000000000000000000002",
  servicer: "0x0000000000000000000000000000000000000003",
  trustee: "0x0000000000000000000000000000000000000004",
  guardian: "0x0000000000000000000000000000000000000005",
  reporter0: "0x0000000000000000000000000000000000000006",
  reporter1: "0x0000000000000000000000000000000000000007",
  reporter2: "0x0000000000000000000000000000000000000008",
  priceFeed: "0x0000000000000000000000000000000000000009",
} as const;

function termsOf(json: TermSheetJson): TermSheet {
  return parseTermSheet(json, { now: 1_800_000_000n, addresses: ADDRESSES }).terms;
}

const example = (file: string) =>
  termsOf(
    JSON.parse(
      readFileSync(new URL(`../../examples/${file}`, import.meta.url), "utf8"),
    ) as TermSheetJson,
  );

/** A deal run through the model: its records, its states after each period and its facts. */
interface Run {
  terms: TermSheet;
  records: PeriodRecord[];
  /** The deal after each period (states[0]: after the offerings) and right before each period's distribution. */
  states: DealModelState[];
  before: DealModelState[];
  facts: StatementFacts;
}

interface Step {
  outcome: PeriodOutcome;
  deposit: bigint;
  /** Recoveries deposited before the period (held in the recovery account while the deal runs). */
  recoveries?: bigint;
  /** A trustee's write-down before the period (`Deal.writeDown`, allowed while Accelerated and exhausted). */
  writeDown?: bigint;
  index?: bigint;
}

function run(terms: TermSheet, steps: readonly Step[], issued?: readonly bigint[]): Run {
  const faces = issued ?? terms.tranches.map((t) => t.faceAmount);
  let state = DealModel.initialDealState(terms, faces);
  const records: PeriodRecord[] = [];
  const states: DealModelState[] = [state];
  const before: DealModelState[] = [];
  for (const [p, step] of steps.entries()) {
    if (step.recoveries) state = DealModel.depositRecoveries(state, step.recoveries).next;
    if (step.writeDown) state = DealModel.writeDown(state, step.writeDown).next;
    before.push(state);
    const end = terms.start + BigInt((p + 1) * terms.periodLength);
    const sim = DealModel.distribute(state, terms, step.outcome, step.deposit, {
      equityToken: EQUITY,
      keeper: ADDRESSES.trustee,
      index:
        step.index === undefined
          ? undefined
          : { answer: step.index, updatedAt: end, blockTimestamp: end + 3_600n },
    });
    records.push(recordOf(sim, terms.risk.triggers));
    state = sim.next;
    states.push(state);
  }
  return { terms, records, states, before, facts: statementFacts(terms, faces, EQUITY) };
}

const sum = (xs: readonly bigint[]) => xs.reduce((a, b) => a + b, 0n);
const paidOf = (p: PeriodView, kind: StepKind, tranche?: number) =>
  sum(
    p.rows
      .filter((r) => r.kind === kind && (tranche === undefined || r.tranche === tranche))
      .map((r) => r.paid),
  );

/** The order `WaterfallMath.run` pays a period in, as step kinds. */
function expectedOrder(p: PeriodView, notes: number, turbo: boolean): StepKind[] {
  const kinds: StepKind[] = ["collections"];
  const s = p.record.statement;
  const upFront =
    p.mode === DealStatus.Accelerated || p.finalPeriod || s.metrics.notesOutstanding === 0n;
  if (upFront && s.recoveriesApplied > 0n) kinds.push("recoveryAccount");
  kinds.push("reserveRelease", "keeperBounty", "trusteeFee", "servicerFee");
  const recovered = p.recovered.flatMap((r): StepKind[] => (r > 0n ? ["writtenDownRepaid"] : []));
  if (p.mode === DealStatus.Accelerated) {
    kinds.push("interest", ...Array<StepKind>(notes).fill("principal"));
    kinds.push(...Array<StepKind>(notes - 1).fill("interest"), ...recovered, "residual");
    return kinds;
  }
  kinds.push("interest");
  if (p.rows.some((r) => r.kind === "interestFromRecoveries")) kinds.push("interestFromRecoveries");
  kinds.push("reserveDraw", ...Array<StepKind>(notes - 1).fill("interest"), "reserveTopUp");
  kinds.push(...Array<StepKind>(notes).fill("principal"));
  if (p.mode === DealStatus.CashTrap && turbo)
    kinds.push(...Array<StepKind>(notes).fill("turboPrincipal"));
  kinds.push(...recovered);
  if (p.mode === DealStatus.CashTrap) kinds.push("cashTrapped");
  kinds.push("residual");
  return kinds;
}

/** What every period must satisfy: order, conservation, and agreement with its statement line by line. */
function checkPeriod(p: PeriodView, notes: number, turbo: boolean): void {
  const s = p.record.statement;
  const where = `period ${p.number} (${p.record.modeName})`;
  expect(
    p.rows.map((r) => r.kind),
    where,
  ).to.deep.equal(expectedOrder(p, notes, turbo));
  expect(p.rows.map((r) => r.order)).to.deep.equal(p.rows.map((_, i) => i + 1));
  expect(p.reconciliation.balances, where).to.equal(true);
  expect(
    p.rows.every((r) => r.cashLeft >= 0n && r.reserve >= 0n),
    where,
  ).to.equal(true);
  expect(p.rows.at(-1)?.cashLeft, where).to.equal(0n);
  expect(p.rows.at(-1)?.reserve, where).to.equal(s.reserveAfter);
  // Each row's cash left is the previous one's, moved by the step.
  for (let k = 1; k < p.rows.length; k++) {
    const r = p.rows[k];
    const moved = r.cashLeft - p.rows[k - 1].cashLeft;
    if (r.kind === "reserveDraw" || r.kind === "interestFromRecoveries") expect(moved).to.equal(0n);
    else if (r.direction === "in") expect(moved, `${where} ${r.kind}`).to.equal(r.paid);
    else if (r.kind === "interest" && r.tranche === 0)
      expect(-moved).to.equal(r.paid - s.reserveDrawn - paidOf(p, "interestFromRecoveries"));
    else if (r.kind === "principal") expect(-moved).to.equal(r.paid - r.fromRecoveries);
    else expect(-moved, `${where} ${r.kind}`).to.equal(r.paid);
  }
  expect(paidOf(p, "collections")).to.equal(s.cashIn);
  expect(paidOf(p, "reserveRelease")).to.equal(s.reserveReleased);
  expect(paidOf(p, "reserveDraw")).to.equal(s.reserveDrawn);
  expect(paidOf(p, "keeperBounty")).to.equal(s.keeperBountyPaid);
  expect(paidOf(p, "trusteeFee")).to.equal(s.trusteeFeePaid);
  expect(paidOf(p, "servicerFee")).to.equal(s.servicerFeePaid);
  expect(paidOf(p, "reserveTopUp")).to.equal(s.reserveToppedUp);
  expect(paidOf(p, "cashTrapped")).to.equal(s.reserveTrapped);
  expect(paidOf(p, "residual")).to.equal(s.residualPaid);
  expect(
    paidOf(p, "recoveryAccount") +
      paidOf(p, "interestFromRecoveries") +
      sum(p.rows.map((r) => r.fromRecoveries)),
    where,
  ).to.equal(s.recoveriesApplied);
  for (let i = 0; i < notes; i++) {
    expect(paidOf(p, "interest", i)).to.equal(s.interestPaid[i]);
    expect(
      paidOf(p, "principal", i) +
        paidOf(p, "turboPrincipal", i) +
        paidOf(p, "writtenDownRepaid", i),
      `${where} principal ${i}`,
    ).to.equal(s.principalPaid[i]);
    const principalRows = p.rows.filter(
      (r) => (r.kind === "principal" || r.kind === "turboPrincipal") && r.tranche === i,
    );
    expect(principalRows.at(-1)?.outstanding).to.equal(s.outstanding[i]);
    const interest = p.rows.find((r) => r.kind === "interest" && r.tranche === i);
    expect(interest?.unpaid).to.equal(p.record.interestArrears[i]);
    expect(interest?.deferred).to.equal(
      p.mode === DealStatus.Accelerated && i > 0 && p.record.interestArrears[i] > 0n,
    );
  }
}

function checkRun(r: Run): PeriodView[] {
  const history = dealHistory(r.records, r.facts);
  const notes = r.terms.tranches.length - 1;
  for (const [k, p] of history.periods.entries()) {
    checkPeriod(p, notes, r.terms.risk.turbo);
    // The written-down principal the period repaid is what the model's accounts lost of it (before any write-off).
    const before = r.before[k].tranches;
    const after = r.states[k + 1].tranches;
    for (let i = 0; i < notes; i++) {
      const writtenOff = sum(
        p.record.writeDowns.filter((w) => w.tranche === i).map((w) => w.amount),
      );
      expect(p.recovered[i], `period ${p.number} recovered ${i}`).to.equal(
        before[i].writtenDown - after[i].writtenDown + writtenOff,
      );
    }
    expect(p.statusAfter).to.equal(r.states[k + 1].status);
  }
  const totals = historyTotals(history.periods);
  expect(totals.balances).to.equal(true);
  expect(totals.reserveStart).to.equal(r.states[0].reserve);
  return history.periods;
}

// ------------------------------------------------------------------ the printing rule

describe("sdk/format: one rule for every printed ratio", function () {
  const ltvAbove80: TriggerTerms = {
    metric: RiskMetric.Ltv,
    comparison: TriggerComparison.Above,
    effect: TriggerEffect.CashTrap,
    periods: 1,
    cures: true,
    threshold: 80n * PCT,
  };
  const dscrBelow = (x: bigint): TriggerTerms => ({
    metric: RiskMetric.Dscr,
    comparison: TriggerComparison.Below,
    effect: TriggerEffect.CashTrap,
    periods: 1,
    cures: true,
    threshold: x,
  });

  it("test_formatMetric_neverContradictsAThreshold", () => {
    // An LTV of 80.004 % beside `LTV > 80 %` fired: never "80.00 %".
    expect(formatMetric(RiskMetric.Ltv, 80_004n * (PCT / 1000n), [ltvAbove80])).to.equal("80.01 %");
    // Just below the threshold: rounding up would reach it, so more digits.
    expect(formatMetric(RiskMetric.Ltv, 799_999n * (PCT / 10_000n), [ltvAbove80])).to.equal(
      "79.9999 %",
    );
    // Exactly at the threshold: not in breach, and it prints as the threshold.
    expect(formatMetric(RiskMetric.Ltv, 80n * PCT, [ltvAbove80])).to.equal("80.00 %");
    // DSCR rounds down: 1.1500001 is not below 1.15, so not "1.15×" but enough digits to show it is above.
    const dscr = 1_150_000_100_000_000_000n;
    expect(formatMetric(RiskMetric.Dscr, dscr, [dscrBelow(115n * PCT)])).to.equal("1.1500001×");
    expect(formatMetric(RiskMetric.Dscr, dscr)).to.equal("1.15×");
    expect(
      formatMetric(RiskMetric.Dscr, 1_149_999_999_999_999_999n, [dscrBelow(115n * PCT)]),
    ).to.equal("1.14×");
    // Two thresholds on one metric, one with more digits than two.
    const fine = { ...ltvAbove80, threshold: 80_004n * (PCT / 1000n) };
    expect(formatMetric(RiskMetric.Ltv, 800_039n * (PCT / 10_000n), [ltvAbove80, fine])).to.equal(
      "80.0039 %",
    );
    expect(formatMetric(RiskMetric.Ltv, 800_041n * (PCT / 10_000n), [ltvAbove80, fine])).to.equal(
      "80.01 %",
    );
    expect(formatMetric(RiskMetric.Dscr, MAX_UINT256)).to.equal("∞");
    expect(formatMetric(RiskMetric.MissedReport, WAD)).to.equal("missed");
    expect(formatMetric(RiskMetric.MissedReport, 0n)).to.equal("reported");
  });

  it("testFuzz_formatRatio_comparesWithEveryThresholdAsTheExactValue", () => {
    let seed = 7;
    const next = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return BigInt(seed);
    };
    for (let k = 0; k < 2_000; k++) {
      const style = k % 2 === 0 ? "multiple" : "percent";
      const rounding = k % 4 < 2 ? "down" : "up";
      const threshold = (next() % 3_000n) * 10n ** 15n + (k % 3 === 0 ? next() % 10n ** 12n : 0n);
      const value =
        threshold + (next() % 2_000n) * 10n ** (next() % 16n) - (next() % 1_000n) * 10n ** 9n;
      if (value < 0n) continue;
      const text = formatRatio(value, { style, rounding }, [threshold]);
      const m = /^(\d+)\.(\d+)(×| %)$/.exec(text);
      expect(m, text).to.not.equal(null);
      const [, whole, frac] = m as RegExpExecArray;
      expect(frac.length).to.be.gte(2);
      // The printed value as a WAD-scaled rational: digits × 10^(18 − d) (multiple) or 10^(16 − d) (percent).
      const scale = 10n ** BigInt((style === "multiple" ? 18 : 16) - frac.length);
      const printed = BigInt(whole + frac) * scale;
      const sign = (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0);
      expect(sign(printed, threshold), `${value} vs ${threshold}: ${text}`).to.equal(
        sign(value, threshold),
      );
      // Rounded in its direction, never by more than a unit of its last digit.
      if (rounding === "down") expect(printed <= value && value - printed < scale).to.equal(true);
      else expect(printed >= value && printed - value < scale).to.equal(true);
    }
  });

  it("test_formatThreshold_andDescribeCovenant_printThresholdsExactly", () => {
    expect(formatThreshold(RiskMetric.Dscr, 115n * PCT)).to.equal("1.15×");
    expect(formatThreshold(RiskMetric.Ltv, 80n * PCT)).to.equal("80.00 %");
    expect(formatThreshold(RiskMetric.Ltv, 80_004n * (PCT / 1000n))).to.equal("80.004 %");
    expect(formatThreshold(RiskMetric.Dscr, 1_125n * (PCT / 10n))).to.equal("1.125×");
    expect(describeCovenant(dscrBelow(110n * PCT))).to.equal(
      "DSCR < 1.10× for 1 period → cash trap (cures)",
    );
    expect(
      describeCovenant({
        metric: RiskMetric.MissedReport,
        comparison: TriggerComparison.Above,
        effect: TriggerEffect.Accelerate,
        periods: 2,
        cures: false,
        threshold: 0n,
      }),
    ).to.equal("missed report for 2 periods → acceleration (latches)");
    expect(
      describeCovenant({
        ...ltvAbove80,
        metric: RiskMetric.SeniorCurve,
        effect: TriggerEffect.Accelerate,
        cures: false,
      }),
    ).to.equal("senior curve > 80.00 % for 1 period → acceleration (latches)");
  });

  it("test_formatAmount_roundsHalfUp_andExactAmountKeepsEveryDigit", () => {
    expect(formatAmount(1_234_565_000n, 6)).to.equal("1,234.57");
    expect(formatAmount(1_234_564_999n, 6)).to.equal("1,234.56");
    expect(formatAmount(-5_000n, 6)).to.equal("-0.01");
    expect(formatAmount(7n, 0)).to.equal("7.00");
    expect(formatAmount(1_999_999n, 6, 0)).to.equal("2");
    expect(exactAmount(1_571_428_571_428n, 6)).to.equal("1571428.571428");
    expect(exactAmount(5_000_000_000n, 6)).to.equal("5000");
    expect(exactAmount(-1n, 6)).to.equal("-0.000001");
    expect(exactRatio(808_412_345_678_901_234n)).to.equal("0.808412345678901234");
    expect(exactRatio(MAX_UINT256)).to.equal("inf");
  });
});

// ------------------------------------------------------------------ the demo's deals

describe("sdk/statements: the demo's deals, period by period", function () {
  it("the base deal: Active and CashTrap orders, the reserve after its release, cash trapped after principal", () => {
    const terms = example("h100-fleet.json");
    const r = run(
      terms,
      scenario(terms.pledgedShareBps).map((m) => ({ outcome: m, deposit: m.deposit })),
    );
    const periods = checkRun(r);
    expect(periods.map((p) => p.mode))
      .to.include(DealStatus.CashTrap)
      .and.to.include(DealStatus.Active);
    // Period 1 releases nothing (a cash trap keeps the reserve): its reserve after the release is the 1 % of the
    // senior the offering funded, not the end-of-period reserve less the top-up.
    const release = periods[0].rows.find((x) => x.kind === "reserveRelease");
    expect(release?.reserve).to.equal(110_000n * USDC);
    const trapped = periods[0].rows.findIndex((x) => x.kind === "cashTrapped");
    const lastPrincipal = periods[0].rows.map((x) => x.kind).lastIndexOf("principal");
    expect(trapped).to.equal(lastPrincipal + 1);
    expect(formatAmount(periods[0].rows[trapped].paid, 6)).to.equal("19,909.23");
    expect(formatAmount(periods[0].rows[trapped].reserve, 6)).to.equal("239,909.23");
    // Status changes and why: trapped from period 1, cured at period 3, repaid at maturity.
    expect(periods.slice(0, 3).map((p) => [p.statusBefore, p.statusAfter])).to.deep.equal([
      [DealStatus.Active, DealStatus.CashTrap],
      [DealStatus.CashTrap, DealStatus.CashTrap],
      [DealStatus.CashTrap, DealStatus.Active],
    ]);
    const text = new StatementText(r.facts, 6);
    const upTo = (n: number) => ({ ...dealHistory(r.records.slice(0, n), r.facts) });
    const trapReason = statusReason(DealStatus.CashTrap, 1n, upTo(2), r.facts);
    expect(text.reason(trapReason)).to.equal(
      `CashTrap since period 1: trigger #0 DSCR < 1.15× fired at ${formatMetric(
        RiskMetric.Dscr,
        periods[0].metrics.dscr,
        terms.risk.triggers,
      )} (period 1)`,
    );
    expect(text.reason(statusReason(DealStatus.Active, 0n, upTo(3), r.facts))).to.match(
      /^Active since period 3: trigger #0 DSCR < 1\.15× cured at 1\.\d\d× \(period 3\)$/,
    );
    const full = dealHistory(r.records, r.facts);
    expect(text.reason(statusReason(DealStatus.Repaid, 0n, full, r.facts))).to.equal(
      "Repaid at final maturity (period 12): every note repaid in full",
    );
    expect(full.losses).to.equal(undefined);
    // Totals over a range: the reserve moves from its start to its end as the periods say.
    const t = historyTotals(full.periods.slice(1, 3));
    expect([t.from, t.to, t.periods]).to.deep.equal([2, 3, 2]);
    expect(t.reserveStart).to.equal(full.periods[1].reserveBefore);
    expect(t.reserveEnd).to.equal(full.periods[2].record.statement.reserveAfter);
    expect(t.balances).to.equal(true);
  });

  it("the stressed deal: the Accelerated order defers subordinate interest; recoveries leave a net loss", () => {
    const terms = example("h100-stressed.json");
    const r = run(
      terms,
      stressedScenario(terms.pledgedShareBps).map((m) => ({
        outcome: m,
        deposit: m.deposit,
        index: stressedIndex(m.period),
      })),
    );
    const periods = checkRun(r);
    const accelerated = periods.filter((p) => p.mode === DealStatus.Accelerated);
    expect(accelerated.map((p) => p.number)).to.deep.equal([6, 7, 8, 9, 10, 11, 12]);
    // Senior interest, then every note's principal, then the subordinate interest, deferred.
    expect(
      accelerated[0].rows
        .filter((x) => x.kind === "interest" || x.kind === "principal")
        .map((x) => `${x.kind} ${x.tranche}`),
    ).to.deep.equal([
      "interest 0",
      "principal 0",
      "principal 1",
      "principal 2",
      "interest 1",
      "interest 2",
    ]);
    const last = periods[11];
    const deferred = last.rows
      .filter((x) => x.deferred)
      .map((x) => formatAmount(x.unpaid ?? 0n, 6));
    expect(deferred).to.deep.equal(["129,452.05", "80,547.95"]);
    expect(last.rows.find((x) => x.kind === "reserveRelease")?.due).to.equal(0n);
    expect(last.statusAfter).to.equal(DealStatus.Defaulted);

    // The fleet is sold after the default; recoveries repay principal then interest, note by note.
    const sale = 15_616_000n * USDC;
    const recovered = DealModel.depositRecoveries(r.states[12], sale);
    const facts = { ...r.facts, current: recovered.next.tranches };
    const history = dealHistory(r.records, facts);
    const losses = history.losses ?? [];
    const text = new StatementText(facts, 6);
    expect(
      losses.map((l) => [
        text.symbol(l.tranche),
        formatAmount(l.writtenOff, 6),
        formatAmount(l.recoveredAfterDefault, 6),
        formatAmount(l.netPrincipalLoss, 6),
        formatAmount(l.interestRecovered, 6),
        formatAmount(l.interestUnpaid, 6),
      ]),
    ).to.deep.equal([
      ["H100-A", "11,988,257.33", "11,988,257.33", "0.00", "0.00", "0.00"],
      ["H100-B", "2,500,000.00", "2,500,000.00", "0.00", "129,452.05", "0.00"],
      ["H100-C", "1,000,000.00", "998,290.61", "1,709.39", "0.00", "80,547.95"],
    ]);
    expect(history.equityWrittenOff).to.equal(6_500_000n * USDC);
    for (const l of losses) {
      const a = recovered.allocations.find((x) => x.tranche === l.tranche);
      expect([l.recoveredAfterDefault, l.interestRecovered]).to.deep.equal([
        a?.recovered ?? 0n,
        a?.interest ?? 0n,
      ]);
    }
    expect(text.reason(statusReason(DealStatus.Defaulted, 0n, history, facts))).to.equal(
      "Defaulted at final maturity (period 12): principal written off H100-EQ $6,500,000.00 · H100-C " +
        "$1,000,000.00 · H100-B $2,500,000.00 · H100-A $11,988,257.33; net of recoveries the notes lost H100-C " +
        "$1,709.39 principal + $80,547.95 interest",
    );
    // Accelerated since period 6: the senior-curve covenant, latched.
    const accReason = statusReason(
      DealStatus.Accelerated,
      r.records[10].statement.metrics.activeMask,
      dealHistory(r.records.slice(0, 11), r.facts),
      r.facts,
    );
    expect(accReason.since).to.equal(6);
    expect(accReason.triggers.map((e) => [e.index, e.period])).to.deep.equal([
      [1, 8],
      [4, 6],
    ]);
  });
});

// ------------------------------------------------------------------ every path of the waterfall

describe("sdk/statements: every order and source of cash", function () {
  /** The devnet's short deal with monthly periods, covenants and (optionally) turbo. */
  function shortTerms(
    o: { turbo?: boolean; accelerate?: boolean; periods?: number } = {},
  ): TermSheet {
    const json = shortDealJson({
      name: "T",
      periodLength: 30 * 86_400,
      periodCount: o.periods ?? 8,
    });
    return termsOf({
      ...json,
      risk: {
        turbo: o.turbo ?? false,
        triggers: [
          { metric: "dscr", below: "1.20", periods: 1, effect: "cashTrap", cures: true },
          ...(o.accelerate
            ? [{ metric: "dscr", below: "0.90", periods: 1, effect: "accelerate" }]
            : []),
        ],
      },
    } as unknown as TermSheetJson);
  }
  const report = (revenue: bigint): PeriodOutcome => ({
    gpuHoursAvailable: 1_000n,
    gpuHoursBilled: 800n,
    revenue: revenue * USDC,
  });
  const period = (revenue: bigint, extra: Partial<Step> = {}): Step => ({
    outcome: report(revenue),
    deposit: (revenue * USDC * 8_500n) / 10_000n,
    ...extra,
  });

  it("a cash trap with turbo pays principal early, then traps the rest", () => {
    const terms = shortTerms({ turbo: true });
    const r = run(terms, [period(1_500n), period(790n), period(800n), period(1_600n)]);
    const periods = checkRun(r);
    const trap = periods.filter((p) => p.mode === DealStatus.CashTrap);
    expect(trap.length).to.be.greaterThan(0);
    expect(trap.some((p) => paidOf(p, "turboPrincipal") > 0n)).to.equal(true);
  });

  it("the recovery account covers the senior interest and the scheduled principal the cash leaves unpaid", () => {
    const terms = shortTerms();
    // Recoveries arrive while the deal runs; then a period with almost no cash.
    const r = run(terms, [
      period(1_500n),
      period(1_500n, { recoveries: 700n * USDC }),
      period(30n),
      period(1_500n),
      { outcome: UNREPORTED, deposit: 200n * USDC },
    ]);
    const periods = checkRun(r);
    const short = periods[2];
    expect(paidOf(short, "interestFromRecoveries")).to.be.greaterThan(0n);
    expect(sum(short.rows.map((x) => x.fromRecoveries))).to.be.greaterThan(0n);
    expect(
      short.rows.find((x) => x.kind === "principal" && x.tranche === 0)?.fromRecoveries,
    ).to.equal(short.record.statement.recoveriesApplied - paidOf(short, "interestFromRecoveries"));
    expect(periods[4].record.statement.reported).to.equal(false);
  });

  it("acceleration, a trustee's write-down, and written-down principal repaid by a later period", () => {
    const terms = shortTerms({ accelerate: true, periods: 6 });
    const r = run(terms, [
      period(1_500n),
      period(100n),
      // Accelerated and exhausted: the trustee writes 1,000 off (bottom-up: the mezzanine first).
      period(5_000n, { writeDown: 1_000n * USDC }),
      period(9_000n),
      period(9_000n),
      period(9_000n),
    ]);
    const periods = checkRun(r);
    expect(periods[1].mode).to.equal(DealStatus.Accelerated);
    const repaid = periods.flatMap((p) => p.rows.filter((x) => x.kind === "writtenDownRepaid"));
    expect(repaid.length).to.be.greaterThan(0);
    expect(sum(repaid.map((x) => x.paid))).to.equal(1_000n * USDC);
    // The write-down is between two records: the notes' principal before period 3 is cut bottom-up.
    expect(periods[2].outstandingBefore[1]).to.equal(
      periods[1].record.statement.outstanding[1] - 1_000n * USDC,
    );
  });

  it("refuses records that skip a period or do not add up to the notes' principal", () => {
    const terms = shortTerms();
    const r = run(terms, [period(1_500n), period(1_500n)]);
    expect(() => dealHistory([r.records[1]], r.facts)).to.throw(
      RangeError,
      "the records must start at the first period and skip none: record 0 is period 1",
    );
    const inflated = { ...r.facts, issued: r.facts.issued.map(() => 0n) };
    expect(() => dealHistory(r.records, inflated)).to.throw(RangeError, /notes outstanding/);
  });
});
