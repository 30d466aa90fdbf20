/**
 * Period statements an auditor can recompute: each distributed period's rows in the exact order `Deal.distribute` ran
 * its waterfall (`WaterfallMath.run`) for the period's mode — Active, CashTrap or Accelerated — with what each step
 * was due, paid and left unpaid, the cash left and the reserve after it; the period's covenant metrics, trigger
 * evaluations and events, status change and reconciliation; totals over a range of periods; the losses of a defaulted
 * deal net of recoveries; and why a deal is in its status. Built from the records of `periodStatements` and the deal's
 * fixed facts (`statementFacts`). Pure: no chain access, every figure a bigint in base units or WAD. How it is
 * printed: `cli/lib/statements.ts`; the rules it documents: docs/statements.md.
 */
import type { PeriodRecord } from "./actions/auditor/periodStatements.js";
import type { ReportStatus } from "./actions/auditor/reportStatus.js";
import type { EquityFacts, EquityStatementView } from "./equity.js";
import { statementBalances } from "./models/deal.js";
import { metricValue } from "./models/risk.js";
import {
  CapacityUnit,
  DealStatus,
  dealStatusName,
  RiskMetric,
  TrancheKind,
  TriggerEffect,
  type Address,
  type PeriodMetrics,
  type TermSheet,
  type TriggerTerms,
} from "./types.js";

/** What a deal's statements need beyond its records: fixed at creation, and (for losses) the tranches now. */
export interface StatementFacts {
  /** Tranche symbols by rank: the notes, then the equity class (or classes, with an equity waterfall). */
  symbols: readonly string[];
  /** The notes: tranches 0 – noteCount − 1 (default: every tranche but the last). */
  noteCount?: number;
  /** Tokens issued per tranche when the offerings settled (a note's principal before period 1). */
  issued: readonly bigint[];
  periodCount: number;
  /** The first period's start (unix seconds) and every period's length (seconds): period i ends at start + (i + 1) × length. */
  start: bigint;
  periodLength: number;
  /** The term sheet's reserve target (zero applies at the final period and once no note principal is outstanding). */
  reserveTarget: bigint;
  keeperBounty: bigint;
  servicerFeeBps: number;
  /** A cash trap pays note principal by rank before trapping the rest. */
  turbo: boolean;
  /** The deal's covenants, in term-sheet order. */
  triggers: readonly TriggerTerms[];
  /**
   * What takes the residual: the equity token, or the equity waterfall of a deal with several equity classes. A
   * residual paid to it went to equity, else it was credited to the issuer.
   */
  equityToken: Address;
  /** The deal's capacity unit (`CapacityUnit`; GPU-hours when undefined). */
  unit?: number;
  /** The deal's capacity × hours in a period, in its unit (`RiskEngine` config `capacity`): occupancy's denominator. */
  capacity?: bigint;
  /** Each period's report at the oracle, by period (`dealSnapshot.reports`): a reported period's facility figures. */
  reports?: readonly PeriodReportFigures[];
  /**
   * A deal with an equity waterfall: its facts and every distribution of it as a statement (`equityStatements`), in
   * order; a period carries the one its residual made (same transaction).
   */
  equity?: { facts: EquityFacts; statements: readonly EquityStatementView[] };
  /** A tenant deal's site (`Deal.site`), named by its rent rows; the zero address or undefined: none. */
  site?: Address;
  /** A site's tenant deals (`Deal.tenants`), in the order the factory registered them: its rent-in columns. */
  tenants?: readonly Address[];
  /** The tranches now (`Deal.tranche(i)`), for the losses of a defaulted deal; optional. */
  current?: readonly { outstanding: bigint; arrears: bigint; writtenDown: bigint }[];
}

/** The facts of a deal created from `terms`, with `issued[i]` tokens of tranche i and its equity token. */
export function statementFacts(
  terms: Pick<
    TermSheet,
    | "tranches"
    | "periodCount"
    | "start"
    | "periodLength"
    | "reserveTarget"
    | "keeperBounty"
    | "servicerFeeBps"
    | "risk"
  >,
  issued: readonly bigint[],
  equityToken: Address,
): StatementFacts {
  return {
    symbols: terms.tranches.map((t) => t.symbol),
    noteCount: terms.tranches.filter((t) => t.kind === TrancheKind.Note).length,
    issued,
    periodCount: terms.periodCount,
    start: terms.start,
    periodLength: terms.periodLength,
    reserveTarget: terms.reserveTarget,
    keeperBounty: terms.keeperBounty,
    servicerFeeBps: terms.servicerFeeBps,
    turbo: terms.risk.turbo,
    triggers: terms.risk.triggers,
    equityToken,
  };
}

/** The figures of a period's report the statements show (capacity in the deal's unit; zero: not stated). */
export type PeriodReportFigures = Pick<
  ReportStatus,
  "gpuHoursAvailable" | "gpuHoursBilled" | "revenue" | "energyKwh" | "pue" | "appraisal"
>;

/** The final report a reported period used, with its occupancy. */
export interface PeriodReportView extends PeriodReportFigures {
  /** `CapacityUnit` of the figures: GPU-hours or kWh of IT load. */
  unit: number;
  /** Capacity billed / the deal's capacity over the period (WAD, rounded down, as the Occupancy covenant); undefined without it. */
  occupancy: bigint | undefined;
}

/**
 * A step of the waterfall. Sources of cash: `collections` (the period's cash), `rentIn` (a site's rent from one tenant
 * deal), `recoveryAccount` (the recovery account joining the cash), `reserveRelease`; sources that pay the senior
 * interest directly: `interestFromRecoveries`, `reserveDraw`. Payments: the rest, in the order the contract pays them,
 * a tenant's `siteRent` first.
 */
export type StepKind =
  | "collections"
  | "rentIn"
  | "siteRent"
  | "recoveryAccount"
  | "reserveRelease"
  | "keeperBounty"
  | "trusteeFee"
  | "servicerFee"
  | "interest"
  | "interestFromRecoveries"
  | "reserveDraw"
  | "reserveTopUp"
  | "principal"
  | "turboPrincipal"
  | "writtenDownRepaid"
  | "cashTrapped"
  | "residual";

/** One row of a period statement. Amounts in stablecoin base units; rates WAD. */
export interface StatementRow {
  /** Position in the period's order, from 1. */
  order: number;
  kind: StepKind;
  /** The note (interest and principal rows) or the equity (a residual paid to it); undefined otherwise. */
  tranche: number | undefined;
  /**
   * The tenant deal of a `rentIn` row, the site of a `siteRent` row, the equity waterfall a `residual` row paid;
   * undefined otherwise.
   */
  deal: Address | undefined;
  /** `in`: cash the waterfall gained (or, for the senior-interest draws, that paid the row above); `out`: a payment. */
  direction: "in" | "out";
  /** Annual coupon rate of an interest row; the servicer fee's share of the period's cash (WAD). */
  rate: bigint | undefined;
  /** What the step was owed: fees and interest with their arrears, principal due, the reserve's gap to target. */
  due: bigint | undefined;
  /** What the step paid (or, for `in` rows, brought). */
  paid: bigint;
  /** Left unpaid and carried (fee and interest arrears, principal to catch up later, the reserve's remaining gap). */
  unpaid: bigint | undefined;
  /** Subordinate interest in the Accelerated order: paid only once all principal is, the unpaid part deferred. */
  deferred: boolean;
  /** Of `paid`, what the recovery account covered (principal the period's cash left unpaid). */
  fromRecoveries: bigint;
  /** The period's cash still to distribute after the step (0 after the residual). */
  cashLeft: bigint;
  /** The reserve after the step. */
  reserve: bigint;
  /** Principal outstanding of the row's note after the step (principal rows). */
  outstanding: bigint | undefined;
  /** Its factor: outstanding per unit issued (WAD, rounded down, as `Deal.factor`). */
  factor: bigint | undefined;
}

/** A trigger as the period's evaluation left it (`TriggersEvaluated`). */
export interface TriggerView {
  index: number;
  terms: TriggerTerms;
  /** The metric value the trigger compared (WAD). */
  value: bigint;
  breached: boolean;
  /** Active after the period. */
  active: boolean;
  /** Consecutive periods in breach after the period. */
  consecutive: number;
  /** Fired or cured at this period. */
  event: "fired" | "cured" | undefined;
}

/** A trigger that fired or cured at a period, with the value it saw and its threshold. */
export interface TriggerEvent {
  index: number;
  terms: TriggerTerms;
  /** 1-based period, as printed. */
  period: number;
  value: bigint;
}

/** The period's cash in and out: inflow = paid (`DealModel.statementBalances`), and the rows end with no cash left. */
export interface Reconciliation {
  /** Collections and, for a site, its tenants' rent (`rentIn`). */
  cashIn: bigint;
  /** A site: its tenants' rent, part of `cashIn`; the period's rent receipts add up to it. */
  rentIn: bigint;
  recoveriesApplied: bigint;
  reserveReleased: bigint;
  reserveDrawn: bigint;
  /** cashIn + recoveriesApplied + reserveReleased + reserveDrawn. */
  inflow: bigint;
  /** A tenant: the rent it paid its site, first. */
  rentPaid: bigint;
  keeperBounty: bigint;
  trusteeFee: bigint;
  servicerFee: bigint;
  interest: bigint;
  reserveToppedUp: bigint;
  /** Note principal repaid, written-down principal repaid included. */
  principal: bigint;
  reserveTrapped: bigint;
  residual: bigint;
  /** Every payment. */
  paid: bigint;
  balances: boolean;
}

/** One distributed period, ready to print or export. */
export interface PeriodView {
  /** The period's index on chain (0-based). */
  index: number;
  /** The period as printed, from 1. */
  number: number;
  /** When the period ended (unix seconds). */
  endsAt: bigint;
  record: PeriodRecord;
  finalPeriod: boolean;
  /** The order the waterfall ran in (Active, CashTrap or Accelerated). */
  mode: number;
  /** The deal's status before and after the period (Repaid or Defaulted after the final one). */
  statusBefore: number;
  statusAfter: number;
  /** The reserve target that applied: zero at the final period, with no note principal outstanding, and in the Accelerated order. */
  reserveTarget: bigint;
  reserveBefore: bigint;
  /** Each note's principal outstanding before the period. */
  outstandingBefore: bigint[];
  /** Written-down principal the period's cash repaid, per note (part of the statement's principal paid). */
  recovered: bigint[];
  rows: StatementRow[];
  metrics: PeriodMetrics;
  triggers: TriggerView[];
  fired: TriggerEvent[];
  cured: TriggerEvent[];
  reconciliation: Reconciliation;
  /** The final report the period used (a reported period of a deal whose `facts.reports` are known). */
  report: PeriodReportView | undefined;
  /** The equity statement of the period's residual (a deal with an equity waterfall, when it paid one). */
  equity: EquityStatementView | undefined;
}

const sum = (xs: readonly bigint[]) => xs.reduce((a, b) => a + b, 0n);
const min = (a: bigint, b: bigint) => (a < b ? a : b);

/** The deal's note count: `facts.noteCount`, else every tranche but the last. */
export function notesOf(facts: Pick<StatementFacts, "symbols" | "noteCount">): number {
  return facts.noteCount ?? facts.symbols.length - 1;
}

/** The report `record`'s period used, from `facts.reports`: undefined for an unreported period or without reports. */
function reportOf(record: PeriodRecord, facts: StatementFacts): PeriodReportView | undefined {
  const r = facts.reports?.[Number(record.statement.period)];
  if (!record.statement.reported || r === undefined) return undefined;
  return {
    gpuHoursAvailable: r.gpuHoursAvailable,
    gpuHoursBilled: r.gpuHoursBilled,
    revenue: r.revenue,
    energyKwh: r.energyKwh,
    pue: r.pue,
    appraisal: r.appraisal,
    unit: facts.unit ?? CapacityUnit.GpuHours,
    occupancy:
      facts.capacity === undefined
        ? undefined
        : metricValue(RiskMetric.Occupancy, record.statement.metrics, {
            revenue: r.revenue,
            pledgedShareBps: 0,
            reported: true,
            gpuHoursBilled: r.gpuHoursBilled,
            capacity: facts.capacity,
          }),
  };
}

/**
 * Each note's principal before `record`'s period, from its principal after the previous period (`previous`, the notes'
 * issue before the first) and the principal the risk engine measured before the waterfall
 * (`metrics.notesOutstanding`): a trustee's write-down between two periods (`Deal.writeDown`, bottom-up from the most
 * junior note) is the difference, cut bottom-up.
 */
function outstandingBefore(record: PeriodRecord, previous: readonly bigint[]): bigint[] {
  const before = [...previous];
  let cut = sum(before) - record.statement.metrics.notesOutstanding;
  if (cut < 0n)
    throw new RangeError(
      `period ${record.statement.period}: notes outstanding ${record.statement.metrics.notesOutstanding} exceed the ` +
        `principal left by the previous period (${sum(before)}): the records are not the deal's`,
    );
  for (let i = before.length - 1; i >= 0 && cut > 0n; i--) {
    const c = min(cut, before[i]);
    before[i] -= c;
    cut -= c;
  }
  return before;
}

/** The period's rows, in the order `WaterfallMath.run` paid them for the period's mode. */
function rowsOf(
  record: PeriodRecord,
  facts: StatementFacts,
  ctx: {
    mode: number;
    reserveTarget: bigint;
    reserveBefore: bigint;
    releaseRecoveries: boolean;
    before: readonly bigint[];
    recovered: readonly bigint[];
  },
): StatementRow[] {
  const s = record.statement;
  const notes = s.outstanding.length;
  const rows: StatementRow[] = [];
  let cash = 0n;
  let reserve = ctx.reserveBefore;
  const add = (
    kind: StepKind,
    r: Partial<Omit<StatementRow, "order" | "kind" | "cashLeft" | "reserve">> & {
      paid: bigint;
      /** The change of the period's cash (default: −paid for a payment, +paid for a source). */
      cash?: bigint;
      /** The change of the reserve (default 0). */
      reserveChange?: bigint;
    },
  ) => {
    const direction = r.direction ?? "out";
    cash += r.cash ?? (direction === "in" ? r.paid : -r.paid);
    reserve += r.reserveChange ?? 0n;
    rows.push({
      order: rows.length + 1,
      kind,
      tranche: r.tranche,
      deal: r.deal,
      direction,
      rate: r.rate,
      due: r.due,
      paid: r.paid,
      unpaid: r.unpaid,
      deferred: r.deferred ?? false,
      fromRecoveries: r.fromRecoveries ?? 0n,
      cashLeft: cash,
      reserve,
      outstanding: r.outstanding,
      factor:
        r.outstanding === undefined || r.tranche === undefined
          ? undefined
          : facts.issued[r.tranche] === 0n
            ? 0n
            : (r.outstanding * 10n ** 18n) / facts.issued[r.tranche],
    });
  };
  const accelerated = ctx.mode === DealStatus.Accelerated;
  const trap = ctx.mode === DealStatus.CashTrap;

  // What the recovery account paid: all of it up front (Accelerated, final period, no principal outstanding), else
  // the senior interest and then the scheduled principal the period's cash left unpaid.
  const upFront = accelerated || ctx.releaseRecoveries;
  // Principal paid toward the outstanding (turbo included) and the scheduled part of it.
  const toward = ctx.before.map((b, i) => b - s.outstanding[i]);
  const scheduled = toward.map((p, i) => (accelerated ? p : min(p, record.principalDue[i])));
  const turbo = toward.map((p, i) => p - scheduled[i]);
  const backstop = upFront ? 0n : s.recoveriesApplied;
  // The senior interest takes the backstop first; what it leaves went to scheduled principal.
  const seniorFromRecoveries = backstop > sum(scheduled) ? backstop - sum(scheduled) : 0n;
  // The period's cash paid scheduled principal by rank, each note's due in full before the next; the recovery account
  // covered what it left unpaid.
  let principalCash = sum(scheduled) - (backstop - seniorFromRecoveries);
  const fromRecoveries = scheduled.map((p, i) => {
    if (backstop === 0n) return 0n;
    const fromCash = min(record.principalDue[i], principalCash);
    principalCash -= fromCash;
    return p - fromCash;
  });

  add("collections", { direction: "in", paid: s.cashIn - s.rentIn });
  // A site's rent, by tenant deal, in the order each first paid; a tenant's rent to its site, first of the payments.
  const byTenant = new Map<string, { deal: Address; paid: bigint }>();
  for (const r of record.rentReceipts) {
    const t = byTenant.get(r.tenant.toLowerCase()) ?? { deal: r.tenant, paid: 0n };
    t.paid += r.amount;
    byTenant.set(r.tenant.toLowerCase(), t);
  }
  for (const t of byTenant.values()) add("rentIn", { direction: "in", deal: t.deal, paid: t.paid });
  const unattributed = s.rentIn - sum(record.rentReceipts.map((r) => r.amount));
  if (unattributed !== 0n) add("rentIn", { direction: "in", paid: unattributed });
  if (s.rentPaid + s.rentArrears > 0n)
    add("siteRent", {
      deal: facts.site,
      due: s.rentPaid + s.rentArrears,
      paid: s.rentPaid,
      unpaid: s.rentArrears,
    });
  if (upFront && s.recoveriesApplied > 0n)
    add("recoveryAccount", { direction: "in", paid: s.recoveriesApplied });
  add("reserveRelease", {
    direction: "in",
    paid: s.reserveReleased,
    due: accelerated ? ctx.reserveBefore : undefined,
    reserveChange: -s.reserveReleased,
  });
  add("keeperBounty", { due: facts.keeperBounty, paid: s.keeperBountyPaid });
  add("trusteeFee", {
    due: s.trusteeFeePaid + s.trusteeFeeArrears,
    paid: s.trusteeFeePaid,
    unpaid: s.trusteeFeeArrears,
  });
  add("servicerFee", {
    rate: (BigInt(facts.servicerFeeBps) * 10n ** 18n) / 10_000n,
    due: s.servicerFeePaid + s.servicerFeeArrears,
    paid: s.servicerFeePaid,
    unpaid: s.servicerFeeArrears,
  });
  const interest = (i: number, deferred: boolean) => {
    const fromReserve = i === 0 ? s.reserveDrawn : 0n;
    const fromBackstop = i === 0 ? seniorFromRecoveries : 0n;
    add("interest", {
      tranche: i,
      rate: record.rates[i],
      due: record.interestDue[i],
      paid: s.interestPaid[i],
      unpaid: record.interestArrears[i],
      deferred: deferred && record.interestArrears[i] > 0n,
      cash: -(s.interestPaid[i] - fromReserve - fromBackstop),
    });
    if (fromBackstop > 0n)
      add("interestFromRecoveries", { tranche: i, direction: "in", paid: fromBackstop, cash: 0n });
    if (i === 0 && !accelerated)
      add("reserveDraw", {
        tranche: 0,
        direction: "in",
        paid: s.reserveDrawn,
        cash: 0n,
        reserveChange: -s.reserveDrawn,
      });
  };
  const principal = (i: number) =>
    add("principal", {
      tranche: i,
      due: accelerated ? ctx.before[i] : record.principalDue[i],
      paid: scheduled[i],
      unpaid: (accelerated ? ctx.before[i] : record.principalDue[i]) - scheduled[i],
      fromRecoveries: fromRecoveries[i],
      cash: -(scheduled[i] - fromRecoveries[i]),
      outstanding: ctx.before[i] - scheduled[i],
    });
  const recoveredRows = () => {
    for (let i = 0; i < notes; i++)
      if (ctx.recovered[i] > 0n) add("writtenDownRepaid", { tranche: i, paid: ctx.recovered[i] });
  };

  if (accelerated) {
    if (notes > 0) interest(0, false);
    for (let i = 0; i < notes; i++) principal(i);
    for (let i = 1; i < notes; i++) interest(i, true);
    recoveredRows();
  } else {
    for (let i = 0; i < notes; i++) interest(i, false);
    const gap = ctx.reserveTarget > reserve ? ctx.reserveTarget - reserve : 0n;
    add("reserveTopUp", {
      due: gap,
      paid: s.reserveToppedUp,
      unpaid: gap - s.reserveToppedUp,
      reserveChange: s.reserveToppedUp,
    });
    for (let i = 0; i < notes; i++) principal(i);
    if (trap && facts.turbo)
      for (let i = 0; i < notes; i++)
        add("turboPrincipal", {
          tranche: i,
          due: ctx.before[i] - scheduled[i],
          paid: turbo[i],
          unpaid: ctx.before[i] - scheduled[i] - turbo[i],
          outstanding: s.outstanding[i],
        });
    recoveredRows();
    if (trap) add("cashTrapped", { paid: s.reserveTrapped, reserveChange: s.reserveTrapped });
  }
  const toEquity = s.residualRecipient.toLowerCase() === facts.equityToken.toLowerCase();
  const classes = facts.symbols.length - notesOf(facts);
  add("residual", {
    tranche: toEquity && classes === 1 ? notes : undefined,
    deal: toEquity && classes > 1 ? facts.equityToken : undefined,
    paid: s.residualPaid,
  });
  return rows;
}

function reconciliationOf(record: PeriodRecord, rows: readonly StatementRow[]): Reconciliation {
  const s = record.statement;
  const inflow = s.cashIn + s.recoveriesApplied + s.reserveReleased + s.reserveDrawn;
  const interest = sum(s.interestPaid);
  const principal = sum(s.principalPaid);
  const paid =
    s.rentPaid +
    s.keeperBountyPaid +
    s.trusteeFeePaid +
    s.servicerFeePaid +
    interest +
    s.reserveToppedUp +
    principal +
    s.reserveTrapped +
    s.residualPaid;
  const last = rows[rows.length - 1];
  const received = sum(record.rentReceipts.map((r) => r.amount));
  return {
    cashIn: s.cashIn,
    rentIn: s.rentIn,
    recoveriesApplied: s.recoveriesApplied,
    reserveReleased: s.reserveReleased,
    reserveDrawn: s.reserveDrawn,
    inflow,
    rentPaid: s.rentPaid,
    keeperBounty: s.keeperBountyPaid,
    trusteeFee: s.trusteeFeePaid,
    servicerFee: s.servicerFeePaid,
    interest,
    reserveToppedUp: s.reserveToppedUp,
    principal,
    reserveTrapped: s.reserveTrapped,
    residual: s.residualPaid,
    paid,
    balances:
      statementBalances(s) &&
      inflow === paid &&
      received === s.rentIn &&
      last.cashLeft === 0n &&
      last.reserve === s.reserveAfter &&
      rows.every((r) => r.cashLeft >= 0n),
  };
}

function triggersOf(record: PeriodRecord, facts: StatementFacts, number: number) {
  const evaluation = record.triggers;
  const fired = new Set(record.fired.map((f) => f.trigger));
  const cured = new Set(record.cured.map((c) => c.trigger));
  const views: TriggerView[] = facts.triggers.map((terms, index) => {
    const bit = 1n << BigInt(index);
    return {
      index,
      terms,
      value: evaluation?.values[index] ?? 0n,
      breached: ((evaluation?.breachedMask ?? 0n) & bit) !== 0n,
      active: ((evaluation?.activeMask ?? 0n) & bit) !== 0n,
      consecutive: Number(((evaluation?.counts ?? 0n) >> BigInt(8 * index)) & 0xffn),
      event: fired.has(index) ? "fired" : cured.has(index) ? "cured" : undefined,
    };
  });
  const event = (e: { trigger: number; value: bigint }): TriggerEvent => ({
    index: e.trigger,
    terms: facts.triggers[e.trigger],
    period: number,
    value: e.value,
  });
  return { views, fired: record.fired.map(event), cured: record.cured.map(event) };
}

/** What a deal lost once it defaulted, per note, net of what recoveries repaid since. */
export interface NoteLoss {
  tranche: number;
  /** Principal written off: at final maturity and by the trustee (`PrincipalWrittenDown`). */
  writtenOff: bigint;
  /** Written-down principal later periods' cash repaid (in the statements' principal paid). */
  recoveredInPeriods: bigint;
  /** Written-down principal recoveries repaid after the default (`RecoveryApplied` of `depositRecoveries`). */
  recoveredAfterDefault: bigint;
  /** Principal still written down: the net loss of principal. */
  netPrincipalLoss: bigint;
  /** Interest owed at final maturity, what recoveries paid of it since, and what is still unpaid. */
  interestUnpaidAtMaturity: bigint;
  interestRecovered: bigint;
  interestUnpaid: bigint;
}

/** A deal's statements: every period, and the losses once it defaulted. */
export interface DealHistory {
  periods: PeriodView[];
  /** Per note, once the deal has lost principal (and `facts.current` is known); undefined otherwise. */
  losses: NoteLoss[] | undefined;
  /** Principal written off the equity (its par, every class's) once any note lost principal. */
  equityWrittenOff: bigint;
  /**
   * A deal with an equity waterfall: its distributions that are no period's residual — capital events, and what a
   * clean-up call or recoveries after the last period left for equity — in order.
   */
  equityOutsidePeriods: EquityStatementView[];
}

/**
 * Every period of a deal as a statement (`records` as `periodStatements` returns them: every period from the first,
 * in order), and the losses of a defaulted deal.
 * @throws RangeError when the records skip a period or do not add up to the deal's principal.
 */
export function dealHistory(records: readonly PeriodRecord[], facts: StatementFacts): DealHistory {
  const notes = notesOf(facts);
  let previous = facts.issued.slice(0, notes);
  const equityByTx = new Map(
    (facts.equity?.statements ?? [])
      .filter((e) => !e.distribution.capitalEvent)
      .map((e) => [e.distribution.transactionHash.toLowerCase(), e]),
  );
  const joined = new Set<EquityStatementView>();
  let status: number = DealStatus.Active;
  const periods: PeriodView[] = [];
  records.forEach((record, k) => {
    const s = record.statement;
    if (s.period !== BigInt(k))
      throw new RangeError(
        `the records must start at the first period and skip none: record ${k} is period ${s.period}`,
      );
    const index = k;
    const finalPeriod = index + 1 === facts.periodCount;
    const before = outstandingBefore(record, previous);
    const toward = before.map((b, i) => b - s.outstanding[i]);
    const recovered = s.principalPaid.map((p, i) => p - toward[i]);
    if (recovered.some((r) => r < 0n) || toward.some((t) => t < 0n))
      throw new RangeError(
        `period ${s.period}: principal paid does not match the notes' outstanding`,
      );
    const releaseRecoveries = finalPeriod || s.metrics.notesOutstanding === 0n;
    // The Accelerated order releases the whole reserve: its target is zero.
    const reserveTarget =
      releaseRecoveries || s.mode === DealStatus.Accelerated ? 0n : facts.reserveTarget;
    const reserveBefore =
      s.reserveAfter - s.reserveToppedUp - s.reserveTrapped + s.reserveReleased + s.reserveDrawn;
    const rows = rowsOf(record, facts, {
      mode: s.mode,
      reserveTarget,
      reserveBefore,
      releaseRecoveries,
      before,
      recovered,
    });
    const allRepaid =
      s.outstanding.every((o) => o === 0n) && record.interestArrears.every((a) => a === 0n);
    const statusAfter = finalPeriod
      ? allRepaid
        ? DealStatus.Repaid
        : DealStatus.Defaulted
      : s.mode;
    const t = triggersOf(record, facts, index + 1);
    const equity = equityByTx.get(record.transactionHash.toLowerCase());
    if (equity !== undefined) joined.add(equity);
    const reconciliation = reconciliationOf(record, rows);
    // The residual the waterfall received is the period's residual, to the base unit.
    if (equity !== undefined && equity.distribution.amount !== s.residualPaid)
      reconciliation.balances = false;
    periods.push({
      index,
      number: index + 1,
      endsAt: facts.start + BigInt(index + 1) * BigInt(facts.periodLength),
      record,
      finalPeriod,
      mode: s.mode,
      statusBefore: status,
      statusAfter,
      reserveTarget,
      reserveBefore,
      outstandingBefore: before,
      recovered,
      rows,
      metrics: s.metrics,
      triggers: t.views,
      fired: t.fired,
      cured: t.cured,
      reconciliation,
      report: reportOf(record, facts),
      equity,
    });
    previous = [...s.outstanding];
    status = statusAfter;
  });
  return {
    periods,
    ...lossesOf(periods, facts),
    equityOutsidePeriods: (facts.equity?.statements ?? []).filter((e) => !joined.has(e)),
  };
}

function lossesOf(
  periods: readonly PeriodView[],
  facts: StatementFacts,
): Pick<DealHistory, "losses" | "equityWrittenOff"> {
  const notes = notesOf(facts);
  const writeDowns = periods.flatMap((p) => p.record.writeDowns);
  const equityWrittenOff = sum(writeDowns.filter((w) => w.tranche >= notes).map((w) => w.amount));
  const current = facts.current;
  const last = periods[periods.length - 1];
  const lost =
    writeDowns.length > 0 || (current?.some((t, i) => i < notes && t.writtenDown > 0n) ?? false);
  if (!lost || current === undefined) return { losses: undefined, equityWrittenOff };
  const losses: NoteLoss[] = [];
  for (let i = 0; i < notes; i++) {
    const toward = sum(
      periods.map((p) => p.outstandingBefore[i] - p.record.statement.outstanding[i]),
    );
    const recoveredInPeriods = sum(periods.map((p) => p.recovered[i]));
    // Principal leaves the outstanding by payment or write-off: issued = outstanding + paid toward it + written off.
    const writtenOff = facts.issued[i] - current[i].outstanding - toward;
    const atMaturity = last?.finalPeriod ? last.record.interestArrears[i] : current[i].arrears;
    losses.push({
      tranche: i,
      writtenOff,
      recoveredInPeriods,
      recoveredAfterDefault: writtenOff - recoveredInPeriods - current[i].writtenDown,
      netPrincipalLoss: current[i].writtenDown,
      interestUnpaidAtMaturity: atMaturity,
      interestRecovered: atMaturity - current[i].arrears,
      interestUnpaid: current[i].arrears,
    });
  }
  return { losses, equityWrittenOff };
}

/** Sums over a range of periods, and the reserve from its start to its end. */
export interface HistoryTotals extends Omit<Reconciliation, "balances"> {
  /** 1-based first and last period of the range. */
  from: number;
  to: number;
  periods: number;
  /** Per note: interest and principal paid over the range. */
  interestByNote: bigint[];
  principalByNote: bigint[];
  /** The reserve before the first period of the range and after the last. */
  reserveStart: bigint;
  reserveEnd: bigint;
  /** Collections left undistributed after the last period of the range. */
  collectionsCarried: bigint;
  /** A site: the rent received over the range by tenant deal, in the order each first paid (`deal` undefined: unattributed). */
  rentInByTenant: { deal: Address | undefined; amount: bigint }[];
  /** A deal with an equity waterfall: what the periods' residuals paid each equity class; undefined otherwise. */
  equityToClass: bigint[] | undefined;
  /** Every period balances, and reserveStart + topped up + trapped − released − drawn = reserveEnd. */
  balances: boolean;
}

/** The totals of `periods` (a contiguous range, in order). */
export function historyTotals(periods: readonly PeriodView[]): HistoryTotals {
  if (periods.length === 0) throw new RangeError("historyTotals: no periods");
  const total = (f: (r: Reconciliation) => bigint) => sum(periods.map((p) => f(p.reconciliation)));
  const notes = periods[0].record.statement.outstanding.length;
  const byNote = (f: (p: PeriodView) => readonly bigint[]) =>
    Array.from({ length: notes }, (_, i) => sum(periods.map((p) => f(p)[i])));
  const first = periods[0];
  const last = periods[periods.length - 1];
  const t = {
    cashIn: total((r) => r.cashIn),
    rentIn: total((r) => r.rentIn),
    rentPaid: total((r) => r.rentPaid),
    recoveriesApplied: total((r) => r.recoveriesApplied),
    reserveReleased: total((r) => r.reserveReleased),
    reserveDrawn: total((r) => r.reserveDrawn),
    inflow: total((r) => r.inflow),
    keeperBounty: total((r) => r.keeperBounty),
    trusteeFee: total((r) => r.trusteeFee),
    servicerFee: total((r) => r.servicerFee),
    interest: total((r) => r.interest),
    reserveToppedUp: total((r) => r.reserveToppedUp),
    principal: total((r) => r.principal),
    reserveTrapped: total((r) => r.reserveTrapped),
    residual: total((r) => r.residual),
    paid: total((r) => r.paid),
  };
  const reserveStart = first.reserveBefore;
  const reserveEnd = last.record.statement.reserveAfter;
  const byTenant = new Map<string, { deal: Address | undefined; amount: bigint }>();
  for (const p of periods)
    for (const r of p.rows.filter((row) => row.kind === "rentIn")) {
      const key = r.deal?.toLowerCase() ?? "";
      const t = byTenant.get(key) ?? { deal: r.deal, amount: 0n };
      t.amount += r.paid;
      byTenant.set(key, t);
    }
  const withEquity = periods.map((p) => p.equity).filter((e) => e !== undefined);
  const classes = withEquity[0]?.toClass.length ?? 0;
  return {
    ...t,
    from: first.number,
    to: last.number,
    periods: periods.length,
    interestByNote: byNote((p) => p.record.statement.interestPaid),
    principalByNote: byNote((p) => p.record.statement.principalPaid),
    reserveStart,
    reserveEnd,
    collectionsCarried: last.record.statement.collectionsCarried,
    rentInByTenant: [...byTenant.values()],
    equityToClass:
      withEquity.length === 0
        ? undefined
        : Array.from({ length: classes }, (_, j) => sum(withEquity.map((e) => e.toClass[j]))),
    balances:
      periods.every((p) => p.reconciliation.balances) &&
      t.inflow === t.paid &&
      reserveStart + t.reserveToppedUp + t.reserveTrapped - t.reserveReleased - t.reserveDrawn ===
        reserveEnd,
  };
}

/** Why a deal is in its status, from its statements and its risk engine's active triggers now. */
export interface StatusReason {
  status: number;
  statusName: string;
  /**
   * `offering`: the offerings have not all closed; `no periods`: none distributed yet; `triggers`: the active triggers
   * set the order; `cured`: running normally again since triggers cured; `performing`: no trigger ever moved it;
   * `maturity`: the final period ended it; `clean-up call`: the issuer repaid every note early; `cancelled`: every
   * offering missed its minimum raise; `other`: a status none of these explains.
   */
  cause:
    | "offering"
    | "cancelled"
    | "no periods"
    | "triggers"
    | "cured"
    | "performing"
    | "maturity"
    | "clean-up call"
    | "other";
  /** 1-based period since which the deal has been in its status (its first period in it); undefined if none. */
  since: number | undefined;
  /** The active triggers that hold the deal in its status, with the period and value they fired at. */
  triggers: TriggerEvent[];
  /** The triggers that cured at `since` (cause `cured`). */
  cured: TriggerEvent[];
  /** Principal written off (Defaulted), per tranche (equity included). */
  writtenOff: { tranche: number; amount: bigint }[];
  /** Per note, net of recoveries (Defaulted, with `facts.current`). */
  losses: NoteLoss[] | undefined;
}

/**
 * Why the deal is in `status`, given its history and the risk engine's active triggers now (`activeMask`, bit i =
 * trigger i).
 */
export function statusReason(
  status: number,
  activeMask: bigint,
  history: DealHistory,
  facts: Pick<StatementFacts, "triggers">,
): StatusReason {
  const periods = history.periods;
  const last = periods[periods.length - 1];
  const base = {
    status,
    statusName: dealStatusName(status),
    triggers: [] as TriggerEvent[],
    cured: [] as TriggerEvent[],
    writtenOff: [] as { tranche: number; amount: bigint }[],
    losses: undefined as NoteLoss[] | undefined,
  };
  if (status === DealStatus.Offering) return { ...base, cause: "offering", since: undefined };
  if (status === DealStatus.Cancelled) return { ...base, cause: "cancelled", since: undefined };
  const running =
    status === DealStatus.Active ||
    status === DealStatus.CashTrap ||
    status === DealStatus.Accelerated;
  if (last === undefined)
    return { ...base, cause: running ? "no periods" : "other", since: undefined };
  // The first period of the current run of the status.
  let k = periods.length;
  while (k > 0 && periods[k - 1].statusAfter === status) k--;
  const since = k < periods.length ? periods[k].number : undefined;
  if (status === DealStatus.Repaid || status === DealStatus.Defaulted) {
    if (!last.finalPeriod) return { ...base, cause: "clean-up call", since: undefined };
    const writtenOff = new Map<number, bigint>();
    for (const p of periods)
      for (const w of p.record.writeDowns)
        writtenOff.set(w.tranche, (writtenOff.get(w.tranche) ?? 0n) + w.amount);
    return {
      ...base,
      cause: "maturity",
      since: last.number,
      writtenOff: [...writtenOff].map(([tranche, amount]) => ({ tranche, amount })),
      losses: history.losses,
    };
  }
  const lastFired = new Map<number, TriggerEvent>();
  for (const p of periods) for (const f of p.fired) lastFired.set(f.index, f);
  const active = facts.triggers
    .map((terms, index) => ({ terms, index }))
    .filter(({ index }) => (activeMask & (1n << BigInt(index))) !== 0n)
    .filter(({ terms }) =>
      status === DealStatus.Accelerated
        ? terms.effect === TriggerEffect.Accelerate
        : terms.effect === TriggerEffect.CashTrap,
    )
    .map(
      ({ terms, index }) =>
        lastFired.get(index) ?? { index, terms, period: since ?? last.number, value: 0n },
    );
  if (status === DealStatus.CashTrap || status === DealStatus.Accelerated)
    return { ...base, cause: "triggers", since, triggers: active };
  if (status !== DealStatus.Active) return { ...base, cause: "other", since };
  // Active: cured back, or never left.
  const back = since !== undefined ? periods[since - 1] : undefined;
  if (back !== undefined && back.statusBefore !== DealStatus.Active)
    return { ...base, cause: "cured", since, cured: back.cured };
  return { ...base, cause: "performing", since };
}
