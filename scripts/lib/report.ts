/** The demo's console report: the term sheet and one table per distributed period. */
import {
  CouponType,
  dealStatusName,
  describeTrigger,
  MAX_UINT256,
  PrincipalType,
  TrancheKind,
  type Address,
  type PeriodRecord,
  type PeriodStatement,
  type TermSheet,
  DealModel,
} from "../../sdk/index.js";
import { amount, date, factor, int, pct, table, usd } from "./format.js";
import type { PeriodMarket } from "./h100-scenario.js";

export class Report {
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
    this.line(
      `  reports signed by ${o.threshold} of ${o.reporters.length} reporters · open to dispute for ` +
        `${duration(o.disputeWindow)} · unreported after ${duration(o.reportDeadline)} · reporter changes wait ` +
        `${duration(o.reporterChangeDelay)} · bounds: ${int(o.fleetGpus)} GPUs, ≤ ${this.usd(o.maxPricePerGpuHour)}` +
        `/GPU-h, utilization step ≤ ${pct(o.maxUtilizationStep, 0)} unless every reporter signs`,
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

  /**
   * One period: the market, then every waterfall step with what was due, paid and left in arrears, the reserve
   * and each note's outstanding and factor after the period. The amounts are the period's statement; the coupon
   * rates and scheduled principal are what `periodStatements` derives from the note terms.
   */
  period(
    m: PeriodMarket,
    s: PeriodStatement,
    rec: PeriodRecord,
    reserveTarget: bigint,
    factors: readonly bigint[],
    equityToken: Address,
  ): void {
    const t = this.terms;
    const n = (x: bigint) => this.amount(x);
    const symbols = t.tranches.map((tr) => tr.symbol);
    const notes = t.tranches.length - 1;
    const end = t.start + BigInt((m.period + 1) * t.periodLength);
    this.line(
      `\n── Period ${m.period + 1}/${t.periodCount} · ends ${date(end)} · utilization ${pct(s.utilization)} · ` +
        `${this.usd(m.price)}/GPU-h · ${int(m.gpuHoursBilled)} of ${int(m.gpuHoursAvailable)} GPU-h billed` +
        (m.note ? ` · ${m.note}` : ""),
    );
    this.line(
      `   revenue ${this.usd(m.revenue)} · pool's ${t.pledgedShareBps / 100} % ` +
        `${this.usd((m.revenue * BigInt(t.pledgedShareBps)) / 10_000n)} · deposited ${this.usd(m.deposit)} · ` +
        `cash in ${this.usd(s.cashIn)} · carried to next period ${this.usd(s.collectionsCarried)}`,
    );
    const reserveBefore = s.reserveAfter + s.reserveReleased + s.reserveDrawn - s.reserveToppedUp;
    const rows: string[][] = [["step", "rate", "due $", "paid $", "arrears $", "after"]];
    rows.push([
      "reserve release (above target)",
      "",
      "",
      `+${n(s.reserveReleased)}`,
      "",
      `reserve ${n(reserveBefore - s.reserveReleased)} · target ${n(reserveTarget)}`,
    ]);
    rows.push(["keeper bounty", "", n(this.terms.keeperBounty), n(s.keeperBountyPaid), "", ""]);
    rows.push([
      "trustee fee",
      "",
      n(s.trusteeFeePaid + rec.trusteeFeeArrears),
      n(s.trusteeFeePaid),
      n(rec.trusteeFeeArrears),
      "credited to the trustee",
    ]);
    rows.push([
      "servicer fee",
      `${(t.servicerFeeBps / 100).toFixed(2)} %`,
      n(s.servicerFeePaid + rec.servicerFeeArrears),
      n(s.servicerFeePaid),
      n(rec.servicerFeeArrears),
      "credited to the servicer",
    ]);
    for (let i = 0; i < notes; i++) {
      rows.push([
        `interest ${symbols[i]}`,
        pct(rec.rates[i]),
        n(rec.interestDue[i]),
        n(s.interestPaid[i]),
        n(rec.interestArrears[i]),
        "",
      ]);
    }
    rows.push(["reserve draw (senior interest)", "", "", `+${n(s.reserveDrawn)}`, "", ""]);
    rows.push(["reserve top-up", "", "", n(s.reserveToppedUp), "", `reserve ${n(s.reserveAfter)}`]);
    if (s.reserveTrapped > 0n)
      rows.push(["cash trapped in the reserve", "", "", n(s.reserveTrapped), "", ""]);
    for (let i = 0; i < notes; i++) {
      rows.push([
        `principal ${symbols[i]}`,
        "",
        n(rec.principalDue[i]),
        n(s.principalPaid[i]),
        n(rec.principalDue[i] - s.principalPaid[i]),
        `outstanding ${n(rec.outstanding[i])} · factor ${factor(factors[i])}`,
      ]);
    }
    const toEquity = rec.residualRecipient.toLowerCase() === equityToken.toLowerCase();
    rows.push([
      `residual → ${toEquity ? symbols[notes] : "issuer"}`,
      "",
      "",
      n(s.residualPaid),
      "",
      "",
    ]);
    const paidOut =
      s.keeperBountyPaid +
      s.trusteeFeePaid +
      s.servicerFeePaid +
      s.interestPaid.reduce((a, b) => a + b, 0n) +
      s.reserveToppedUp +
      s.principalPaid.reduce((a, b) => a + b, 0n) +
      s.reserveTrapped +
      s.residualPaid;
    rows.push([
      "total paid = cash in + reserve used",
      "",
      "",
      n(paidOut),
      "",
      DealModel.statementBalances(s) ? "balances" : "DOES NOT BALANCE",
    ]);
    this.table(rows, ["l", "r", "r", "r", "r", "l"]);
  }
}

/** A WAD ratio as `1.23x`, or `∞` for "nothing to cover" (2^256 − 1). */
export function ratio(wad: bigint): string {
  if (wad === MAX_UINT256) return "∞";
  const v = (wad * 100n + 5n * 10n ** 15n) / 10n ** 18n;
  return `${v / 100n}.${(v % 100n).toString().padStart(2, "0")}x`;
}

/** The risk line of a period: mode, headline metrics and the triggers that fired or cured. */
export function riskLine(
  terms: TermSheet,
  s: PeriodStatement,
  rec: PeriodRecord,
  status: number,
): string {
  const m = s.metrics;
  const name = (i: number) => `#${i} ${describeTrigger(terms.risk.triggers[i])}`;
  const events = [
    ...rec.fired.map((f) => `fired ${name(f.trigger)}`),
    ...rec.cured.map((c) => `cured ${name(c.trigger)}`),
  ];
  return (
    `   risk: ran ${dealStatusName(s.mode)} → deal ${dealStatusName(status)} · DSCR ${ratio(m.dscr)} · trailing ` +
    `${ratio(m.trailingDscr)} · LTV ${pct(m.ltv)} · senior curve ${pct(m.seniorCurve)} · utilization ` +
    `${pct(m.utilization)} · collateral ${usd(m.collateralValue, 6)}` +
    (s.reserveTrapped > 0n ? ` · trapped ${usd(s.reserveTrapped, 6)}` : "") +
    events.map((e) => `\n     ${e}`).join("")
  );
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
  return `${pct(c.baseRate)} + ${slope}×(U − ${pct(c.strike, 0)}) in [${pct(c.floorRate, 0)}, ${pct(c.capRate, 0)}]`;
}

function principalText(kind: number, p: TermSheet["tranches"][number]["principal"]): string {
  if (kind === TrancheKind.Equity) return "—";
  if (p.scheduleType === PrincipalType.Bullet) return "bullet";
  return `straight-line, periods ${p.amortStartPeriod + 1}–${p.amortStartPeriod + p.amortPeriods}`;
}
