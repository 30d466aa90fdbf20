/**
 * The campus section's console report: the three term sheets, the offerings, and each period the GPU halls' lines,
 * the campus's rent by tenant, its waterfall in one line and its equity statement (paid per tier and class, the
 * preferred return accrued and unpaid, the hurdle balances, the catch-up's progress); then the sale and the
 * classes' IRRs and multiples. Every figure comes from the SDK (the chain's statements, the models); this file only
 * lays them out in human units (`sdk/format.ts`, `./format.ts`).
 */
import type { Address } from "viem";

import {
  bytes16ToText,
  DepreciationMethod,
  dealStatusName,
  describeCovenant,
  describeEquityTier,
  EquityMath,
  EquityTier,
  EquityWaterfallModel,
  formatEnergyMwh,
  formatMetric,
  formatPue,
  RiskMetric,
  TrancheKind,
  type EquityTerms,
  type PeriodStatement,
  type TermSheet,
} from "../../sdk/index.js";
import type { CampusMarket } from "./campus-scenario.js";
import { amount, date, int, pct, table, usd, wei } from "./format.js";
import type { PeriodMarket } from "./h100-scenario.js";

type EquityStatement = EquityWaterfallModel.EquityStatement;
type EquityState = EquityWaterfallModel.EquityWaterfallState;

/** A deal as the report names it. */
export interface DealView {
  label: string;
  name: string;
  terms: TermSheet;
  deal: Address;
  issued: readonly bigint[];
}

/** A deal's period: its statement, its status after it, the covenants that fired and cured. */
export interface DealLine {
  run: DealView;
  statement: PeriodStatement;
  status: number;
  fired: readonly number[];
  cured: readonly number[];
  /** Each covenant's metric value in the period. */
  values: readonly bigint[];
}

/** What one period printed: the deals' statements and markets, and what reached the campus's equity. */
export interface PeriodLines {
  period: number;
  end: bigint;
  campus: DealLine & { market: CampusMarket };
  tenants: (DealLine & { market: PeriodMarket })[];
  /** What the equity waterfall paid this period (undefined when nothing reached equity). */
  equity: EquityStatement | undefined;
  /** The waterfall's state after the period. */
  equityState: EquityState;
  equityTerms: EquityTerms;
  contributed: readonly bigint[];
  /** Events of the period worth a line (a refinancing, all reporters signing). */
  lines: readonly string[];
}

const WAD = 10n ** 18n;
const YEAR = 365n * 86_400n;

export class CampusReport {
  private symbols: string[] = [];

  constructor(
    private readonly decimals: number,
    private readonly out: (line: string) => void = console.log,
  ) {}

  usd(units: bigint): string {
    return usd(units, this.decimals);
  }

  private amount(units: bigint): string {
    return amount(units, this.decimals);
  }

  line(text = ""): void {
    this.out(text);
  }

  private table(
    rows: readonly (readonly string[])[],
    align?: readonly ("l" | "r")[],
    indent?: string,
  ): void {
    this.out(table(rows, align, indent));
  }

  banner(): void {
    this.line(
      "\n════════ Data-center project equity: the Columbus campus beside its two GPU tenants for 24 periods, then its sale ════════",
    );
  }

  termSheets(
    campus: DealView,
    tenants: readonly DealView[],
    waterfall: Address,
    registered: readonly Address[],
  ): void {
    const t = campus.terms;
    const notes = t.tranches.filter((x) => x.kind === TrancheKind.Note).length;
    this.symbols = t.tranches.slice(notes).map((x) => x.symbol);
    this.line(`\n${campus.name} · deal ${campus.deal} · equity waterfall ${waterfall}`);
    this.line(
      `  ${int(t.oracle.fleetGpus)} kW of IT capacity, reported in kWh with the energy drawn and the PUE · ` +
        `${t.periodCount} periods of ${t.periodLength / 86_400} days from ${date(t.start)} (sold after 24) · ` +
        `operator (servicer) fee ${t.servicerFeeBps / 100} % of cash · trustee ${this.usd(t.trusteeFeePerPeriod)}` +
        `/period · reserve target ${this.usd(t.reserveTarget)} · clean-up call at ${t.risk.cleanUpBps / 100} % of the senior`,
    );
    this.line(
      "  collateral: " +
        t.risk.fleet
          .map(
            (e) =>
              `${bytes16ToText(e.model)} ${int(e.count)} × ${this.usd(e.unitCost)} ` +
              (e.method === DepreciationMethod.None
                ? "(no depreciation)"
                : `(straight line over ${Number(BigInt(e.usefulLife) / YEAR)} years)`),
          )
          .join(" · ") +
        ` · capped by a signed appraisal for ${t.risk.appraisalMaxAge / 86_400} days`,
    );
    for (const [i, c] of t.risk.triggers.entries())
      this.line(`  covenant #${i}: ${describeCovenant(c)}`);
    this.table(
      [
        ["tranche", "kind", "face", "coupon", "principal"],
        ...t.tranches.map((x) => [
          x.symbol,
          x.kind === TrancheKind.Note ? "senior note" : "equity class",
          this.usd(x.faceAmount),
          x.kind === TrancheKind.Note ? `${pct(x.coupon.baseRate)} fixed` : "equity waterfall",
          x.kind === TrancheKind.Note
            ? `straight-line, periods ${x.principal.amortStartPeriod + 1}–` +
              `${x.principal.amortStartPeriod + x.principal.amortPeriods}`
            : "—",
        ]),
      ],
      ["l", "l", "r", "l", "l"],
    );
    this.line(`  tenant deals the factory registered with the campus: ${registered.length}`);
    for (const d of tenants) {
      const s = d.terms.site;
      const gpus = BigInt(d.terms.oracle.fleetGpus);
      this.line(
        `  ${d.label}: ${d.name} · deal ${d.deal} · ${int(gpus)} GPUs · pledged ${d.terms.pledgedShareBps / 100} % · ` +
          `${d.terms.periodCount} periods · ` +
          d.terms.tranches.map((x) => `${x.symbol} ${this.usd(x.faceAmount)}`).join(", "),
      );
      this.line(
        `    rent to the campus, first in its waterfall: ${s.rentBps / 100} % of revenue + ` +
          `${this.usd(s.rentPerUnit)} × ${int(gpus)} GPUs = ${this.usd(s.rentPerUnit * gpus)} a period`,
      );
    }
  }

  offerings(
    runs: readonly DealView[],
    investors: readonly { name: string; subscriptions: readonly [DealView, string, bigint][] }[],
  ): void {
    this.line("\nOfferings: every tranche of the three deals subscribed at face, closed together");
    this.table(
      [
        ["investor", "deal", "tranche", "paid in"],
        ...investors.flatMap((inv) =>
          inv.subscriptions.map(([r, symbol, v]) => [inv.name, r.label, symbol, this.usd(v)]),
        ),
      ],
      ["l", "l", "l", "r"],
    );
    for (const r of runs)
      this.line(
        `  ${r.label} issued: ` +
          r.terms.tranches.map((x, i) => `${x.symbol} ${this.amount(r.issued[i])}`).join(" · "),
      );
  }

  equityTerms(terms: TermSheet, contributed: readonly bigint[]): void {
    const e = terms.equity;
    this.line(
      `\nEquity waterfall of the campus (the sponsor's class ${this.symbols[e.sponsorClass]}), applied to every ` +
        "amount that reaches equity:",
    );
    e.tiers.forEach((t, i) =>
      this.line(`  ${i + 1}. ${describeEquityTier(t, this.symbols, e.sponsorClass)}`),
    );
    this.line(
      "  contributed: " +
        this.symbols.map((s, j) => `${s} ${this.usd(contributed[j])}`).join(" · "),
    );
  }

  period(p: PeriodLines): void {
    const { campus } = p;
    const s = campus.statement;
    const c = campus.market;
    const triggers = campus.run.terms.risk.triggers;
    const metric = (m: number, v: bigint) => formatMetric(m, v, triggers);
    this.line(
      `\n── Period ${p.period + 1}/24 · ends ${date(p.end)}${c.note ? ` · ${c.note}` : ""}`,
    );
    for (const l of p.lines) this.line(l);
    for (const t of p.tenants) {
      const ts = t.statement;
      const m = t.market;
      this.line(
        `   ${t.run.label}  U ${pct((m.gpuHoursBilled * WAD) / m.gpuHoursAvailable)} · ` +
          `${this.usd(m.price)}/GPU-h · revenue ${this.usd(m.revenue)} · rent paid ${this.usd(ts.rentPaid)}` +
          (ts.rentArrears > 0n ? ` (left unpaid, carried: ${this.usd(ts.rentArrears)})` : "") +
          ` · DSCR ${formatMetric(RiskMetric.Dscr, ts.metrics.dscr, t.run.terms.risk.triggers)} · ` +
          `ran ${dealStatusName(ts.mode)} → ${dealStatusName(t.status)}`,
      );
      this.covenants(t, "     ");
    }
    // The campus reports its whole capacity available: its utilization is its occupancy.
    this.line(
      `   campus     occupancy ${metric(RiskMetric.Occupancy, s.metrics.utilization)} · PUE ` +
        `${formatPue(c.pue)} · ${formatEnergyMwh(c.energyKwh)} drawn · DSCR ${metric(RiskMetric.Dscr, s.metrics.dscr)} ` +
        `(trailing ${metric(RiskMetric.TrailingDscr, s.metrics.trailingDscr)}) · LTV ` +
        `${metric(RiskMetric.Ltv, s.metrics.ltv)} of ${this.usd(s.metrics.collateralValue)} · ` +
        `ran ${dealStatusName(s.mode)} → ${dealStatusName(campus.status)}`,
    );
    this.covenants(campus, "     ");
    if (c.appraisal > 0n)
      this.line(
        `     appraisal signed by the reporters: ${this.usd(c.appraisal)} (${c.appraisalBasis}): ` +
          (c.appraisal <= s.metrics.collateralValue
            ? "below book value, it now values the collateral"
            : "above book value, which still counts (an appraisal never writes the collateral up)"),
      );
    const rent = p.tenants.map((t) => `${t.run.label} ${this.usd(t.statement.rentPaid)}`);
    this.line(
      `     rent by tenant: ${rent.join(" · ")} (paid on chain) · other tenants ${this.usd(c.revenue)} ` +
        `(reported, deposited) · cash in ${this.usd(s.cashIn)}`,
    );
    const interest = s.interestPaid.reduce((a, b) => a + b, 0n);
    const principal = s.principalPaid.reduce((a, b) => a + b, 0n);
    this.line(
      `     waterfall: operator fee ${this.usd(s.servicerFeePaid)} · trustee ${this.usd(s.trusteeFeePaid)} · ` +
        `interest ${this.usd(interest)} · principal ${this.usd(principal)}` +
        (s.reserveToppedUp > 0n ? ` · reserve topped up ${this.usd(s.reserveToppedUp)}` : "") +
        (s.reserveTrapped > 0n ? ` · trapped in the reserve ${this.usd(s.reserveTrapped)}` : "") +
        (s.reserveReleased > 0n
          ? ` · released from the reserve ${this.usd(s.reserveReleased)}`
          : "") +
        ` · to equity ${this.usd(s.residualPaid)}`,
    );
    this.equityStatement(p.equity, p.equityState, p.equityTerms, p.contributed, p.end);
  }

  /** The covenants that fired and cured in a deal's period, one line each. */
  private covenants(d: DealLine, indent: string): void {
    const triggers = d.run.terms.risk.triggers;
    const value = (i: number) => formatMetric(triggers[i].metric, d.values[i], triggers);
    for (const [verb, list] of [
      ["fired", d.fired],
      ["cured", d.cured],
    ] as const)
      for (const i of list)
        this.line(`${indent}${verb} #${i} ${describeCovenant(triggers[i])}: ${value(i)}`);
  }

  /**
   * An equity statement: what each tier paid each class, then each class's state after it — preferred return
   * accrued and unpaid (accrued to `at` when nothing was distributed: the waterfall accrues it at its next
   * distribution), capital unreturned, hurdle balances — and the catch-up's progress.
   */
  equityStatement(
    e: EquityStatement | undefined,
    state: EquityState,
    terms: EquityTerms,
    contributed: readonly bigint[],
    at: bigint,
  ): void {
    const inMask = (mask: number, j: number) => ((mask >> j) & 1) === 1;
    const cell = (x: bigint, member: boolean) => (member ? this.amount(x) : "—");
    const total = (xs: readonly bigint[]) => this.amount(xs.reduce((a, b) => a + b, 0n));
    const rows: string[][] = [["   equity statement", ...this.symbols, "total"]];
    terms.tiers.forEach((t, i) => {
      const paid = e?.paid[i] ?? this.symbols.map(() => 0n);
      if (t.kind !== EquityTier.PreferredReturn && paid.every((x) => x === 0n)) return;
      const member = (j: number) =>
        inMask(t.classes, j) || (t.kind >= EquityTier.CatchUp && j === terms.sponsorClass);
      rows.push([`   ${tierName(t, this.symbols[terms.sponsorClass])}`, ...paid.map((x, j) => cell(x, member(j))), total(paid)]); // prettier-ignore
    });
    const pref = terms.tiers.find((t) => t.kind === EquityTier.PreferredReturn);
    const inPref = (j: number) => pref !== undefined && inMask(pref.classes, j);
    // Without a distribution the preferred return accrues anyway; the waterfall records it at its next one.
    const owed = this.symbols.map((_, j) =>
      e === undefined
        ? EquityWaterfallModel.prefOwedDown(terms, state, j, at)
        : state.classes[j].prefUnpaid,
    );
    if (e !== undefined)
      rows.push(["   pref accrued", ...e.prefAccrued.map((x, j) => cell(x, inPref(j))), total(e.prefAccrued)]); // prettier-ignore
    rows.push([
      e === undefined ? "   pref owed (accruing)" : "   pref unpaid after",
      ...owed.map((x, j) => cell(x, inPref(j))),
      total(owed),
    ]);
    const unreturned = state.classes.map((c) => c.unreturned);
    rows.push([
      "   capital unreturned",
      ...unreturned.map((x) => this.amount(x)),
      total(unreturned),
    ]);
    EquityMath.hurdleTiers(terms).forEach((ti, k) => {
      const t = terms.tiers[ti];
      const balances = state.classes.map((c) => c.hurdles[k]);
      rows.push([
        `   ${pct(t.rate)} hurdle balance`,
        ...balances.map((x, j) => cell(x, inMask(t.classes, j))),
        total(balances),
      ]);
    });
    this.table(rows, ["l", ...this.symbols.map(() => "r" as const), "r"]);
    const catchUp = terms.tiers.find((t) => t.kind === EquityTier.CatchUp);
    const { total: profit, sponsor } = EquityWaterfallModel.profit(terms, contributed, state);
    const share = EquityWaterfallModel.sponsorProfitShareDown(terms, contributed, state);
    this.line(
      `     ${e === undefined ? "nothing reached equity" : `${this.usd(e.amount)} reached equity`} · profit ` +
        `distributed ${this.usd(profit)}, the sponsor's ${this.usd(sponsor)} = ${pct((share * WAD) / 10_000n)}` +
        (catchUp ? ` (catch-up target ${catchUp.targetBps / 100} %)` : ""),
    );
  }

  h100Sale(
    run: DealView,
    proceeds: bigint,
    applied: readonly { tranche: number; principal: bigint; recovered: bigint; interest: bigint }[],
    left: bigint,
  ): void {
    this.line(
      `   H100 hall: defaulted at its maturity; its ${int(run.terms.risk.fleet[0].count)} GPUs are sold for ` +
        `${this.usd(proceeds)} (used, ${this.usd(proceeds / BigInt(run.terms.risk.fleet[0].count))} each) and recovered, notes first: ` +
        applied
          .map(
            (a) =>
              `${run.terms.tranches[a.tranche].symbol} +${this.usd(a.recovered + a.principal + a.interest)}`,
          )
          .join(" · ") +
        (left > 0n ? ` · the rest ${this.usd(left)} to its equity` : "") +
        ". The hall is empty: no more rent.",
    );
  }

  sale(s: {
    price: bigint;
    noi: bigint;
    costs: bigint;
    called: { payoff: bigint; fromDeal: bigint; fromIssuer: bigint; residual: bigint };
    cleanUpEquity: EquityStatement | undefined;
    net: bigint;
    capital: EquityStatement;
    contributed: readonly bigint[];
    equityTerms: EquityTerms;
  }): void {
    this.line("\n── The campus is sold");
    this.line(
      `   price ${this.usd(s.price)}: the last period's net operating income ${this.usd(s.noi)} × 365/30 at a ` +
        `7.00 % cap rate · selling costs (1.5 %) ${this.usd(s.costs)}`,
    );
    this.line(
      `   clean-up call: the notes repaid ${this.usd(s.called.payoff)} (principal and the interest accrued since ` +
        `the period began), ${this.usd(s.called.fromDeal)} of it from the deal's collections and reserve and ` +
        `${this.usd(s.called.fromIssuer)} from the buyer's money; the deal is Repaid`,
    );
    if (s.cleanUpEquity !== undefined) {
      this.line(
        `   what the deal held beyond the payoff reached equity: ${this.usd(s.called.residual)}`,
      );
      this.equityStatement(
        s.cleanUpEquity,
        s.cleanUpEquity.state,
        s.equityTerms,
        s.contributed,
        s.cleanUpEquity.time,
      );
    }
    this.line(
      `   capital event: the net proceeds ${this.usd(s.net)} (price − costs − what the notes took from the buyer's ` +
        `money) deposited into the equity waterfall on ${date(s.capital.time)}`,
    );
    this.equityStatement(s.capital, s.capital.state, s.equityTerms, s.contributed, s.capital.time);
  }

  reconciliation(r: {
    classes: readonly { contributed: bigint; distributed: bigint; multiple: bigint }[];
    irr: readonly number[];
    lpIrr: number;
    sponsorClass: number;
    rent: readonly { label: string; paid: bigint; received: bigint; unpaid: bigint }[];
    h100Losses: readonly { symbol: string; principal: bigint; interest: bigint }[];
  }): void {
    this.line(
      "\nCampus equity: realized multiples and IRRs (xirr on each class's dated cash flows)",
    );
    this.table([
      ["class", "contributed", "distributed", "multiple", "IRR"],
      ...r.classes.map((c, j) => [
        `${this.symbols[j]}${j === r.sponsorClass ? " (sponsor)" : ""}`,
        this.usd(c.contributed),
        this.usd(c.distributed),
        `${(Number((c.multiple * 1_000n) / WAD) / 1_000).toFixed(3)}×`,
        `${(r.irr[j] * 100).toFixed(2)} %`,
      ]),
    ]);
    this.line(`  the LP classes together: IRR ${(r.lpIrr * 100).toFixed(2)} %`);
    this.line(
      "\nThe H100 hall's losses net of its GPUs' sale: " +
        r.h100Losses
          .map((l) =>
            l.principal + l.interest === 0n
              ? `${l.symbol} none (repaid in full)`
              : `${l.symbol} ${this.usd(l.principal)} of principal and ${this.usd(l.interest)} of interest`,
          )
          .join(" · ") +
        "; its equity lost its par",
    );
    this.line("\nSite rent by tenant deal (exact base units)");
    this.table([
      ["tenant", "paid by its waterfall", "received by the campus", "left unpaid"],
      ...r.rent.map((x) => [x.label, wei(x.paid), wei(x.received), wei(x.unpaid)]),
    ]);
  }
}

function tierName(t: EquityTerms["tiers"][number], sponsor: string): string {
  switch (t.kind) {
    case EquityTier.PreferredReturn:
      return `preferred return ${pct(t.rate)}`;
    case EquityTier.ReturnOfCapital:
      return "return of capital";
    case EquityTier.CatchUp:
      return `catch-up to ${sponsor}`;
    default:
      return t.rate !== 0n
        ? `${100 - t.sponsorBps / 100}/${t.sponsorBps / 100} to a ${pct(t.rate)} IRR`
        : `${100 - t.sponsorBps / 100}/${t.sponsorBps / 100} above`;
  }
}
