/**
 * The demo's console report: the term sheet, and one statement per distributed period through the renderer of
 * `cascade deal history` (cli/lib/statements.ts), so the demo prints exactly what the command shows.
 */
import { StatementText } from "../../sdk/statementText.js";
import {
  CapacityUnit,
  CouponType,
  PrincipalType,
  RiskMetric,
  TrancheKind,
  type Address,
  type PeriodView,
  type StatementFacts,
  type TermSheet,
} from "../../sdk/index.js";
import { amount, date, int, pct, table, usd } from "./format.js";
import type { PeriodMarket } from "./h100-scenario.js";

export class Report {
  private text: StatementText | undefined;

  constructor(
    private readonly terms: TermSheet,
    private readonly decimals: number,
    private readonly out: (line: string) => void = console.log,
  ) {}

  usd(units: bigint): string {
    return usd(units, this.decimals);
  }

  /** Amount without the dollar sign, for table cells. */
  amount(units: bigint): string {
    return amount(units, this.decimals);
  }

  line(text = ""): void {
    this.out(text);
  }

  table(rows: readonly (readonly string[])[], align?: readonly ("l" | "r")[]): void {
    this.out(table(rows, align));
  }

  termSheet(name: string | undefined, tokens: readonly Address[]): void {
    const t = this.terms;
    this.line(`\n${name ?? "Cascade deal"}`);
    this.line(
      `  ${t.periodCount} periods of ${t.periodLength / 86_400} days from ${date(t.start)} · pledged ` +
        `${t.pledgedShareBps / 100} % of revenue · servicer fee ${t.servicerFeeBps / 100} % · trustee ` +
        `${this.usd(t.trusteeFeePerPeriod)}/period · reserve target ${this.usd(t.reserveTarget)} · ` +
        `keeper bounty ${this.usd(t.keeperBounty)}/period`,
    );
    const o = t.oracle;
    // A data center's capacity is kW of IT load, billed by the kWh.
    const kwh = o.unit === CapacityUnit.KilowattHours;
    this.line(
      `  reports signed by ${o.threshold} of ${o.reporters.length} reporters · open to dispute for ` +
        `${duration(o.disputeWindow)} · unreported after ${duration(o.reportDeadline)} · reporter changes wait ` +
        `${duration(o.reporterChangeDelay)} · bounds: ${int(o.fleetGpus)} ${kwh ? "kW" : "GPUs"}, ≤ ` +
        `${this.usd(o.maxPricePerGpuHour)}/${kwh ? "kWh" : "GPU-h"}, utilization step ≤ ` +
        `${pct(o.maxUtilizationStep)} unless every reporter signs`,
    );
    this.table(
      [
        ["tranche", "token", "face", "coupon", "principal", "reserve funding"],
        ...t.tranches.map((tr, i) => [
          tr.symbol,
          `${tokens[i].slice(0, 10)}…`,
          this.usd(tr.faceAmount),
          couponText(tr.kind, tr.coupon),
          principalText(tr.kind, tr.principal),
          `${tr.reserveFundingBps / 100} %`,
        ]),
      ],
      ["l", "l", "r", "l", "l", "r"],
    );
  }

  /** The deal's statements in text, once its offerings settled (`statementFacts`). */
  statements(facts: StatementFacts): StatementText {
    this.text = new StatementText(facts, this.decimals);
    return this.text;
  }

  /**
   * One period: the market the demo played, then the period's statement as `cascade deal history` prints it —
   * every step in the waterfall's order with what was due, paid and left unpaid, the cash left and the state after
   * it, the reconciliation, the covenant metrics and the trigger events.
   */
  period(m: PeriodMarket, p: PeriodView): void {
    const text = this.text;
    if (!text) throw new Error("Report.period: call statements(facts) first");
    const t = this.terms;
    const s = p.record.statement;
    this.line(
      `\n── Period ${p.number}/${t.periodCount} · ends ${date(p.endsAt)} · utilization ` +
        `${text.metric(RiskMetric.Utilization, s.utilization)} · ${this.usd(m.price)}/GPU-h · ` +
        `${int(m.gpuHoursBilled)} of ${int(m.gpuHoursAvailable)} GPU-h billed` +
        (m.note ? ` · ${m.note}` : ""),
    );
    this.line(
      `   revenue ${this.usd(m.revenue)} · pool's ${t.pledgedShareBps / 100} % ` +
        `${this.usd((m.revenue * BigInt(t.pledgedShareBps)) / 10_000n)} · deposited ${this.usd(m.deposit)} · ` +
        `cash in ${this.usd(s.cashIn)} · carried to next period ${this.usd(s.collectionsCarried)}`,
    );
    this.out(text.table(p));
    for (const l of text.risk(p)) this.line(l);
  }
}

/** Seconds as days or hours: `2 days`, `36 h`. */
function duration(seconds: number): string {
  if (seconds % 86_400 === 0) return `${seconds / 86_400} day${seconds === 86_400 ? "" : "s"}`;
  if (seconds % 3_600 === 0) return `${seconds / 3_600} h`;
  return `${seconds} s`;
}

function couponText(kind: number, c: TermSheet["tranches"][number]["coupon"]): string {
  if (kind === TrancheKind.Equity) return "residual";
  if (c.couponType === CouponType.Fixed) return `${pct(c.baseRate)} fixed`;
  const slope = Number(c.slope) / 1e18;
  return `${pct(c.baseRate)} + ${slope}×(U − ${pct(c.strike)}) in [${pct(c.floorRate)}, ${pct(c.capRate)}]`;
}

function principalText(kind: number, p: TermSheet["tranches"][number]["principal"]): string {
  if (kind === TrancheKind.Equity) return "—";
  if (p.scheduleType === PrincipalType.Bullet) return "bullet";
  return `straight-line, periods ${p.amortStartPeriod + 1}–${p.amortStartPeriod + p.amortPeriods}`;
}
