/**
 * Period statements for people and spreadsheets: the one renderer of `cascade deal history`, `cascade deal show`,
 * the demo (scripts/lib/report.ts) and the app's statement tables and exports. The SDK computes every figure (`sdk/statements.ts`: rows, metrics, triggers,
 * reconciliations, losses, why a deal is in its status); this file only lays them out — aligned text tables, and the
 * JSON and CSV exports documented in docs/history.md — with the SDK's printing rule for amounts and ratios
 * (`sdk/format.ts`, docs/statements.md).
 */
import {
  CapacityUnit,
  bpsText,
  covenantTest,
  DealStatus,
  dealStatusName,
  describeCovenant,
  describeEquityTier,
  EquityTier,
  equityTierKindName,
  exactAmount,
  exactRatio,
  formatAmount,
  formatEnergyMwh,
  formatMetric,
  formatPue,
  formatRate,
  notesOf,
  RiskMetric,
  type Address,
  type DealHistory,
  type EquityStatementView,
  type HistoryTotals,
  type PeriodReportView,
  type PeriodView,
  type SiteRent,
  type StatementFacts,
  type StatementRow,
  type StatusReason,
  type TriggerEvent,
} from "./index.js";

/** Rows as aligned columns; `align[i]` is `l` or `r` (default: `l` for the first column, `r` for the others). */
export function columns(
  rows: readonly (readonly string[])[],
  align: readonly ("l" | "r")[] = [],
  indent = "  ",
): string {
  const widths: number[] = [];
  for (const row of rows)
    row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows
    .map(
      (row) =>
        indent +
        row
          .map((cell, i) =>
            (align[i] ?? (i === 0 ? "l" : "r")) === "l"
              ? cell.padEnd(widths[i])
              : cell.padStart(widths[i]),
          )
          .join("  ")
          .trimEnd(),
    )
    .join("\n");
}

/** A unix time as a date (`2027-01-12`) when periods are whole days, else as an ISO time. */
export function periodTime(seconds: bigint, periodLength: number): string {
  const iso = new Date(Number(seconds) * 1_000).toISOString();
  return periodLength % 86_400 === 0 ? iso.slice(0, 10) : iso.replace(".000Z", "Z");
}

/** A whole number with thousands separators: `1474560` → `1,474,560`. */
export function grouped(n: bigint | number): string {
  return n.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** What a deal's capacity counts, by `CapacityUnit`: `GPU`/`GPUs` and `GPU-hours`, or `kW` and `kWh`. */
export function unitWords(unit: number): { one: string; many: string; hours: string } {
  return unit === CapacityUnit.KilowattHours
    ? { one: "kW", many: "kW", hours: "kWh" }
    : { one: "GPU", many: "GPUs", hours: "GPU-hours" };
}

/** Text of a deal's statements: its facts (symbols, triggers) and its stablecoin's decimals. */
export class StatementText {
  /**
   * @param names the address book's deal names by lowercase address (a site's tenants, a tenant's site).
   */
  constructor(
    readonly facts: StatementFacts,
    readonly decimals: number,
    readonly names: ReadonlyMap<string, string> = new Map(),
  ) {}

  /** A deal by its address-book name and address (`campus 0x12…ab`), or its address. */
  deal(address: Address | undefined): string {
    if (address === undefined) return "";
    const name = this.names.get(address.toLowerCase());
    return name === undefined ? address : `${name} ${address}`;
  }

  /** `2,048 GPUs · 1,474,560 GPU-hours a period` or `10,000 kW of IT load · 7,200,000 kWh a period`. */
  capacity(units: bigint | number, perPeriod: bigint, unit: number): string {
    const w = unitWords(unit);
    const load = unit === CapacityUnit.KilowattHours ? " of IT load" : "";
    return `${grouped(units)} ${w.many}${load} · ${grouped(perPeriod)} ${w.hours} a period`;
  }

  /** A tenant's rent: `5.00 % of reported revenue + 10.00 a GPU a period (20,480.00 a period for 2,048 GPUs)`. */
  rentTerms(rent: SiteRent, unit: number): string {
    const w = unitWords(unit);
    const parts: string[] = [];
    if (rent.rentBps !== 0)
      parts.push(
        `${formatRate((BigInt(rent.rentBps) * 10n ** 18n) / 10_000n)} of reported revenue`,
      );
    if (rent.rentPerUnit !== 0n)
      parts.push(
        `${this.amount(rent.rentPerUnit)} a ${w.one} a period (${this.amount(rent.fixedRentPerPeriod)} a period ` +
          `for ${grouped(rent.capacity)} ${rent.capacity === 1n ? w.one : w.many})`,
      );
    return parts.join(" + ");
  }

  /** The facility figures of a period's report, for a kWh deal or when the report states any. */
  report(r: PeriodReportView): string | undefined {
    const kwh = r.unit === CapacityUnit.KilowattHours;
    if (!kwh && r.energyKwh === 0n && r.pue === 0 && r.appraisal === 0n) return undefined;
    const w = unitWords(r.unit);
    const parts = [
      `${grouped(r.gpuHoursBilled)} of ${grouped(r.gpuHoursAvailable)} ${w.hours} billed` +
        (r.occupancy === undefined
          ? ""
          : ` (occupancy ${this.metric(RiskMetric.Occupancy, r.occupancy)})`),
      `revenue ${this.usd(r.revenue)}`,
    ];
    if (r.energyKwh !== 0n) parts.push(`energy ${formatEnergyMwh(r.energyKwh)}`);
    if (r.pue !== 0) parts.push(`PUE ${formatPue(r.pue)}`);
    if (r.appraisal !== 0n) parts.push(`appraisal ${this.usd(r.appraisal)}`);
    return `   report: ${parts.join(" · ")}`;
  }

  /** Base units as an amount: `1,234.57`. */
  amount(units: bigint): string {
    return formatAmount(units, this.decimals);
  }

  /** Base units as dollars: `$1,234.57`. */
  usd(units: bigint): string {
    return `$${formatAmount(units, this.decimals)}`;
  }

  symbol(i: number | undefined): string {
    return i === undefined ? "" : (this.facts.symbols[i] ?? `#${i}`);
  }

  /** A metric of the deal, by the printing rule against the deal's thresholds on it. */
  metric(metric: number, value: bigint): string {
    return formatMetric(metric, value, this.facts.triggers);
  }

  /** `#3 LTV > 80.00 % for 1 period → cash trap (cures)`. */
  trigger(index: number): string {
    const t = this.facts.triggers[index];
    return t ? `#${index} ${describeCovenant(t)}` : `#${index}`;
  }

  /** The label of a row, as the step it is in the period's order. */
  label(p: PeriodView, row: StatementRow): string {
    const sym = this.symbol(row.tranche);
    switch (row.kind) {
      case "collections":
        return p.mode === DealStatus.Accelerated
          ? "cash in (every collection held)"
          : "cash in (collections)";
      case "rentIn":
        return `rent in from tenant ${row.deal === undefined ? "deals (unattributed)" : this.deal(row.deal)}`;
      case "siteRent":
        return `site rent → ${row.deal === undefined ? "site" : this.deal(row.deal)}`;
      case "recoveryAccount":
        return "recovery account released";
      case "reserveRelease":
        if (p.mode === DealStatus.Accelerated) return "reserve released whole";
        if (p.reserveTarget === 0n)
          return "reserve released (target 0: final period or notes repaid)";
        if (p.mode === DealStatus.CashTrap) return "reserve release (none in a cash trap)";
        return "reserve release above target";
      case "keeperBounty":
        return "keeper bounty";
      case "trusteeFee":
        return "trustee fee";
      case "servicerFee":
        return "servicer fee";
      case "interest":
        return `interest ${sym}`;
      case "interestFromRecoveries":
        return `  recovery account → interest ${sym}`;
      case "reserveDraw":
        return `  reserve draw → interest ${sym}`;
      case "reserveTopUp":
        return "reserve top-up to target";
      case "principal":
        return p.mode === DealStatus.Accelerated
          ? `principal ${sym} (all outstanding)`
          : `principal ${sym}`;
      case "turboPrincipal":
        return `turbo principal ${sym}`;
      case "writtenDownRepaid":
        return `written-down principal ${sym} repaid`;
      case "cashTrapped":
        return "cash trapped in the reserve";
      case "residual":
        return `residual → ${
          row.deal !== undefined ? "equity waterfall" : row.tranche === undefined ? "issuer" : sym
        }`;
    }
  }

  /** The "after" cell: the state the step left. */
  after(p: PeriodView, row: StatementRow): string {
    switch (row.kind) {
      case "reserveRelease":
        return `reserve ${this.amount(row.reserve)} · target ${this.amount(p.reserveTarget)}`;
      case "reserveDraw":
      case "reserveTopUp":
      case "cashTrapped":
        return `reserve ${this.amount(row.reserve)}`;
      case "trusteeFee":
        return "credited to the trustee";
      case "servicerFee":
        return "credited to the servicer";
      case "interest":
        return row.deferred ? "deferred: paid once all principal is" : "";
      case "principal":
      case "turboPrincipal": {
        const factor = row.factor === undefined ? "" : ` · factor ${factorText(row.factor)}`;
        const backstop =
          row.fromRecoveries > 0n
            ? ` · ${this.amount(row.fromRecoveries)} from the recovery account`
            : "";
        return `outstanding ${this.amount(row.outstanding ?? 0n)}${factor}${backstop}`;
      }
      case "siteRent":
        return row.unpaid !== undefined && row.unpaid > 0n
          ? "arrears: due with the next period"
          : "";
      case "residual":
        return row.deal !== undefined
          ? "paid to the equity classes by the equity statement below"
          : row.tranche === undefined
            ? "credited to the issuer"
            : "";
      default:
        return "";
    }
  }

  /** The period's statement as a table: every step in order, then the reconciliation line. */
  table(p: PeriodView): string {
    const rows: string[][] = [["step", "rate", "due", "paid", "unpaid", "cash left", "after"]];
    for (const r of p.rows) {
      rows.push([
        this.label(p, r),
        r.rate === undefined ? "" : formatRate(r.rate),
        r.due === undefined ? "" : this.amount(r.due),
        r.direction === "in" ? `+${this.amount(r.paid)}` : this.amount(r.paid),
        r.unpaid === undefined ? "" : this.amount(r.unpaid),
        this.amount(r.cashLeft),
        this.after(p, r),
      ]);
    }
    const c = p.reconciliation;
    rows.push([
      "total paid = cash in + recoveries + reserve used",
      "",
      "",
      this.amount(c.paid),
      "",
      "",
      `${this.amount(c.cashIn)} + ${this.amount(c.recoveriesApplied)} + ${this.amount(
        c.reserveReleased + c.reserveDrawn,
      )}${c.balances ? " · balances" : " · DOES NOT BALANCE"}`,
    ]);
    return columns(rows, ["l", "r", "r", "r", "r", "r", "l"]);
  }

  /** The period's title line. */
  title(p: PeriodView): string {
    const s = p.record.statement;
    return (
      `── Period ${p.number}/${this.facts.periodCount} · ended ${periodTime(p.endsAt, this.facts.periodLength)} · ` +
      (s.reported
        ? `utilization ${this.metric(RiskMetric.Utilization, s.utilization)}`
        : `unreported (missed reports: ${p.record.missedReports ?? "?"})`) +
      ` · cash in ${this.usd(s.cashIn)} · carried to the next period ${this.usd(s.collectionsCarried)}`
    );
  }

  /** The period's covenant metrics, status change and trigger events. */
  risk(p: PeriodView): string[] {
    const m = p.metrics;
    const status =
      p.statusBefore === p.statusAfter
        ? `status ${dealStatusName(p.statusAfter)}`
        : `status ${dealStatusName(p.statusBefore)} → ${dealStatusName(p.statusAfter)}`;
    const active = p.triggers.filter((t) => t.active).map((t) => `#${t.index}`);
    const lines = [
      `   risk: ran ${dealStatusName(p.mode)} · ${status} · DSCR ${this.metric(RiskMetric.Dscr, m.dscr)} · ` +
        `trailing DSCR ${this.metric(RiskMetric.TrailingDscr, m.trailingDscr)} · LTV ${this.metric(RiskMetric.Ltv, m.ltv)} · ` +
        `senior curve ${this.metric(RiskMetric.SeniorCurve, m.seniorCurve)} · utilization ` +
        `${this.metric(RiskMetric.Utilization, m.utilization)} · reserve level ` +
        `${this.metric(RiskMetric.ReserveLevel, m.reserveLevel)} · collateral ${this.usd(m.collateralValue)}` +
        (m.servicerShortfall > 0n ? ` · servicer shortfall ${this.usd(m.servicerShortfall)}` : "") +
        (active.length > 0 ? ` · active ${active.join(" ")}` : ""),
    ];
    for (const t of p.triggers) {
      const value = this.metric(t.terms.metric, t.value);
      if (t.event !== undefined) lines.push(`     ${t.event} ${this.trigger(t.index)}: ${value}`);
      else if (t.breached && !t.active)
        lines.push(
          `     in breach ${this.trigger(t.index)}: ${value} (${t.consecutive} of ${t.terms.periods})`,
        );
    }
    if (p.record.appraisalRecorded !== undefined)
      lines.push(
        `     appraisal recorded: ${this.usd(p.record.appraisalRecorded)} as of the period's end ` +
          "(caps the collateral while it is fresh)",
      );
    if (p.record.writeDowns.length > 0)
      lines.push(
        `     written off at maturity (equity first): ` +
          p.record.writeDowns
            .map((w) => `${this.symbol(w.tranche)} ${this.usd(w.amount)}`)
            .join(" · "),
      );
    return lines;
  }

  /** A whole period: title, table, risk lines, the report's facility figures and the equity statement. */
  period(p: PeriodView): string {
    const report = p.report === undefined ? undefined : this.report(p.report);
    return [
      this.title(p),
      this.table(p),
      ...this.risk(p),
      ...(report ? [report] : []),
      ...(p.equity === undefined ? [] : this.equity(p.equity)),
    ].join("\n");
  }

  /** The symbol of equity class `j` (tranche noteCount + j). */
  classSymbol(j: number): string {
    return this.symbol(notesOf(this.facts) + j);
  }

  /**
   * An equity statement: what each tier paid each class, then each class's preferred return accrued and unpaid,
   * capital unreturned, distributions to date and hurdle balances after it, the catch-up's progress and the IRRs.
   */
  equity(v: EquityStatementView): string[] {
    const e = this.facts.equity?.facts;
    if (e === undefined) return [];
    const d = v.distribution;
    const n = e.contributed.length;
    const classes = Array.from({ length: n }, (_, j) => this.classSymbol(j));
    const row = (label: string, xs: readonly bigint[], total?: bigint) => [
      label,
      ...xs.map((x) => this.amount(x)),
      total === undefined ? "" : this.amount(total),
    ];
    const sumOf = (xs: readonly bigint[]) => xs.reduce((a, b) => a + b, 0n);
    const rows: string[][] = [
      ["tier", ...classes, "total"],
      ...e.terms.tiers.map((t, i) =>
        row(
          `${i + 1} ${describeEquityTier(t, e.names, e.terms.sponsorClass)}`,
          d.paid[i],
          sumOf(d.paid[i]),
        ),
      ),
      row("= to each class", v.toClass, d.amount),
      row("preferred return accrued", v.prefAccrued),
      row("preferred return unpaid after", d.prefOwed),
      row("capital unreturned after", d.unreturned),
      row("distributed to date", v.distributed),
      ...v.hurdles.map((h) => [
        `hurdle ${formatRate(h.rate)} balance after${h.met ? " (met)" : ""}`,
        // Only the LP classes of the hurdle's split have a balance.
        ...h.balances.map((b, j) =>
          ((e.terms.tiers[h.tier].classes >>> j) & 1) === 0
            ? ""
            : h.metBy[j]
              ? `${this.amount(b)} met`
              : this.amount(b),
        ),
        "",
      ]),
    ];
    const what = d.capitalEvent ? "capital event" : "to equity";
    const checks = `${v.balances ? "balances" : "DOES NOT BALANCE"} · ${
      v.agreesWithModel ? "agrees with the model" : "DIFFERS FROM THE MODEL"
    }`;
    const c = v.catchUp;
    const catchUp =
      c.targetBps === undefined
        ? ""
        : ` · catch-up: the sponsor holds ${bpsText(Number(c.shareBps))} of ${this.usd(c.totalProfit)} profit ` +
          `(target ${bpsText(c.targetBps)}${c.reached ? ", reached" : ""})`;
    return [
      `   equity statement ${v.number}: ${this.usd(d.amount)} ${what}, dated ` +
        `${periodTime(d.time, this.facts.periodLength)} (${durationText(v.elapsed)} of accrual) · ${checks}`,
      columns(rows, ["l", ...classes.map(() => "r" as const), "r"], "     "),
      `     realized IRR to date: LP ${irrText(v.irr.lp)} · sponsor ${irrText(v.irr.sponsor)}${catchUp}`,
    ];
  }

  /** The totals of a range of periods. */
  totals(t: HistoryTotals): string {
    const notes = notesOf(this.facts);
    const rows: string[][] = [
      [`periods ${t.from}–${t.to}`, "amount"],
      ["cash in (collections)", this.amount(t.cashIn - t.rentIn)],
      ...(t.rentIn > 0n ? [["rent in from tenant deals", this.amount(t.rentIn)]] : []),
      ...t.rentInByTenant.map((r) => [
        `  from ${r.deal === undefined ? "tenants (unattributed)" : this.deal(r.deal)}`,
        this.amount(r.amount),
      ]),
      ["recovery account applied", this.amount(t.recoveriesApplied)],
      ["reserve released", this.amount(t.reserveReleased)],
      ["reserve drawn", this.amount(t.reserveDrawn)],
      ["= cash in + recoveries + reserve used", this.amount(t.inflow)],
      ...(t.rentPaid > 0n ? [["site rent", this.amount(t.rentPaid)]] : []),
      ["keeper bounties", this.amount(t.keeperBounty)],
      ["trustee fees", this.amount(t.trusteeFee)],
      ["servicer fees", this.amount(t.servicerFee)],
      ...Array.from({ length: notes }, (_, i) => [
        `interest ${this.symbol(i)}`,
        this.amount(t.interestByNote[i]),
      ]),
      ["reserve top-ups", this.amount(t.reserveToppedUp)],
      ...Array.from({ length: notes }, (_, i) => [
        `principal ${this.symbol(i)}`,
        this.amount(t.principalByNote[i]),
      ]),
      ["cash trapped", this.amount(t.reserveTrapped)],
      ["residual", this.amount(t.residual)],
      ...(t.equityToClass ?? []).map((x, j) => [
        `  to ${this.symbol(notes + j)} by the equity waterfall`,
        this.amount(x),
      ]),
      ["= total paid", this.amount(t.paid)],
      [
        "reserve: start + topped up + trapped − released − drawn = end",
        `${this.amount(t.reserveStart)} + ${this.amount(t.reserveToppedUp)} + ${this.amount(t.reserveTrapped)} − ` +
          `${this.amount(t.reserveReleased)} − ${this.amount(t.reserveDrawn)} = ${this.amount(t.reserveEnd)}`,
      ],
      [`collections carried after period ${t.to}`, this.amount(t.collectionsCarried)],
      ["reconciled", t.balances ? "yes: every period balances" : "NO"],
    ];
    return columns(rows, ["l", "r"]);
  }

  /** Losses net of recoveries, once the deal lost principal. */
  losses(h: DealHistory): string[] {
    if (h.losses === undefined) return [];
    const notes = notesOf(this.facts);
    const equity = this.facts.symbols.slice(notes).join(", ");
    const classes = this.facts.symbols.length - notes;
    const rows: string[][] = [
      [
        "note",
        "written off",
        "recovered in periods",
        "recovered after default",
        "net principal loss",
        "interest unpaid at maturity",
        "interest recovered",
        "interest unpaid",
      ],
      ...h.losses.map((l) => [
        this.symbol(l.tranche),
        this.amount(l.writtenOff),
        this.amount(l.recoveredInPeriods),
        this.amount(l.recoveredAfterDefault),
        this.amount(l.netPrincipalLoss),
        this.amount(l.interestUnpaidAtMaturity),
        this.amount(l.interestRecovered),
        this.amount(l.interestUnpaid),
      ]),
    ];
    return [
      "Losses, net of recoveries:",
      columns(rows),
      `  ${equity} (equity${classes > 1 ? " classes" : ""}, the first loss): ${this.usd(h.equityWrittenOff)} written off`,
    ];
  }

  /** `trigger #2 DSCR < 1.10× fired at 1.02× (period 5)`. */
  event(e: TriggerEvent, verb: "fired" | "cured"): string {
    return (
      `trigger #${e.index} ${covenantTest(e.terms)} ${verb} at ` +
      `${this.metric(e.terms.metric, e.value)} (period ${e.period})`
    );
  }

  /** Why the deal is in its status, in one sentence. */
  reason(r: StatusReason): string {
    switch (r.cause) {
      case "offering":
        return "Offering: the offerings have not all closed yet";
      case "cancelled":
        return "Cancelled: every offering missed its minimum raise; nothing was issued and no period runs";
      case "no periods":
        return `${r.statusName}: the offerings closed; no period has been distributed yet`;
      case "performing":
        return `${r.statusName}${r.since === undefined ? "" : ` since period ${r.since}`}: no trigger has moved it`;
      case "cured":
        return (
          `${r.statusName} since period ${r.since}: ` +
          (r.cured.length > 0
            ? r.cured.map((e) => this.event(e, "cured")).join("; ")
            : "the triggers that held it were waived")
        );
      case "triggers":
        return (
          `${r.statusName} since period ${r.since}: ` +
          (r.triggers.length > 0
            ? r.triggers.map((e) => this.event(e, "fired")).join("; ")
            : "its triggers are no longer active; the next period runs in the Active order")
        );
      case "clean-up call":
        return "Repaid by the issuer's clean-up call";
      case "other":
        return r.since === undefined ? r.statusName : `${r.statusName} since period ${r.since}`;
      case "maturity": {
        if (r.status !== DealStatus.Defaulted)
          return `Repaid at final maturity (period ${r.since}): every note repaid in full`;
        const off = r.writtenOff.map((w) => `${this.symbol(w.tranche)} ${this.usd(w.amount)}`);
        const net = (r.losses ?? [])
          .filter((l) => l.netPrincipalLoss > 0n || l.interestUnpaid > 0n)
          .map(
            (l) =>
              `${this.symbol(l.tranche)} ${this.usd(l.netPrincipalLoss)} principal + ` +
              `${this.usd(l.interestUnpaid)} interest`,
          );
        return (
          `Defaulted at final maturity (period ${r.since}): principal written off ${off.join(" · ")}` +
          (r.losses === undefined
            ? ""
            : `; net of recoveries the notes lost ${net.length > 0 ? net.join(" · ") : "nothing"}`)
        );
      }
    }
  }
}

/** Seconds as whole days, hours or seconds: `90 days`, `1 hour`, `45 s`. */
export function durationText(seconds: bigint): string {
  if (seconds !== 0n && seconds % 86_400n === 0n) {
    const days = seconds / 86_400n;
    return `${days} day${days === 1n ? "" : "s"}`;
  }
  if (seconds !== 0n && seconds % 3_600n === 0n) {
    const hours = seconds / 3_600n;
    return `${hours} hour${hours === 1n ? "" : "s"}`;
  }
  return `${seconds} s`;
}

/** A realized IRR (0.1523 = 15.23 % a year) with two decimals; `—` while there is none. */
export function irrText(irr: number | undefined): string {
  return irr === undefined ? "—" : `${(irr * 100).toFixed(2)} %`;
}

/** A WAD factor with 6 decimals, rounded down: `0.857142`. */
export function factorText(wad: bigint): string {
  const v = wad / 10n ** 12n;
  return `${v / 1_000_000n}.${(v % 1_000_000n).toString().padStart(6, "0")}`;
}

// ------------------------------------------------------------------ exports (docs/history.md)

/** `{ [key]: human, [key + "Raw"]: base units }` for an amount. */
function amountPair(key: string, units: bigint | undefined, decimals: number) {
  return {
    [key]: units === undefined ? null : exactAmount(units, decimals),
    [`${key}Raw`]: units === undefined ? null : units.toString(),
  };
}

/** `{ [key]: decimal, [key + "Raw"]: WAD }` for a ratio (`inf` for 2^256 − 1). */
function ratioPair(key: string, wad: bigint | undefined) {
  return {
    [key]: wad === undefined ? null : exactRatio(wad),
    [`${key}Raw`]: wad === undefined ? null : wad.toString(),
  };
}

function iso(seconds: bigint): string {
  return new Date(Number(seconds) * 1_000).toISOString().replace(".000Z", "Z");
}

/** A site's rent-in rows of a period, by tenant (`deal` undefined: rent not attributed to a tenant). */
function rentInOf(p: PeriodView) {
  return p.rows.filter((r) => r.kind === "rentIn");
}

/** A report's figures: capacity in the deal's unit, revenue, energy, PUE, appraisal and occupancy. */
function reportJson(r: PeriodReportView, d: number) {
  return {
    unit: unitWords(r.unit).hours,
    available: r.gpuHoursAvailable.toString(),
    billed: r.gpuHoursBilled.toString(),
    ...amountPair("revenue", r.revenue, d),
    energyKwh: r.energyKwh.toString(),
    energyMwh: exactAmount(r.energyKwh, 3),
    pue: r.pue === 0 ? null : exactAmount(BigInt(r.pue), 4),
    pueRaw: r.pue,
    ...amountPair("appraisal", r.appraisal, d),
    ...ratioPair("occupancy", r.occupancy),
  };
}

/** An IRR for the exports: a number (0.15 = 15 % a year), `null` while there is none. */
function irrJson(irr: number | undefined): number | null {
  return irr === undefined ? null : irr;
}

/** An equity statement for the JSON export (docs/history.md, "Equity statements"). */
export function equityJson(text: StatementText, v: EquityStatementView) {
  const e = text.facts.equity?.facts;
  if (e === undefined) throw new RangeError("equityJson: the deal has no equity waterfall");
  const d = v.distribution;
  const amt = (k: string, x: bigint) => amountPair(k, x, text.decimals);
  const byClass = (xs: readonly bigint[]) =>
    xs.map((x, j) => ({ class: text.classSymbol(j), ...amt("amount", x) }));
  return {
    number: v.number,
    capitalEvent: d.capitalEvent,
    afterPeriod: Number(d.period) + 1,
    time: iso(d.time),
    timeUnix: Number(d.time),
    elapsedSeconds: Number(v.elapsed),
    ...amt("amount", d.amount),
    tiers: e.terms.tiers.map((t, i) => ({
      tier: i + 1,
      kind: equityTierKindName(t.kind),
      words: describeEquityTier(t, e.names, e.terms.sponsorClass),
      paid: byClass(d.paid[i]),
      ...amt(
        "total",
        d.paid[i].reduce((a, b) => a + b, 0n),
      ),
    })),
    classes: e.contributed.map((c, j) => ({
      class: text.classSymbol(j),
      name: e.names[j],
      ...amt("contributed", c),
      ...amt("paid", v.toClass[j]),
      ...amt("prefAccrued", v.prefAccrued[j]),
      ...amt("prefPaid", v.prefPaid[j]),
      ...amt("prefUnpaid", d.prefOwed[j]),
      ...amt("unreturned", d.unreturned[j]),
      ...amt("returned", v.returned[j]),
      ...amt("distributed", v.distributed[j]),
      ...ratioPair("multiple", v.multiple[j]),
      irr: irrJson(v.irr.classes[j]),
    })),
    hurdles: v.hurdles.map((h, k) => ({
      hurdle: k + 1,
      tier: h.tier + 1,
      ...ratioPair("rate", h.rate),
      balances: byClass(h.balances),
      metBy: h.metBy.flatMap((met, j) => (met ? [text.classSymbol(j)] : [])),
      met: h.met,
    })),
    catchUp: {
      ...amt("sponsorProfit", v.catchUp.sponsorProfit),
      ...amt("totalProfit", v.catchUp.totalProfit),
      sponsorShare: exactAmount(v.catchUp.shareBps, 4),
      sponsorShareBps: Number(v.catchUp.shareBps),
      targetBps: v.catchUp.targetBps ?? null,
      reached: v.catchUp.reached ?? null,
    },
    irr: { lp: irrJson(v.irr.lp), sponsor: irrJson(v.irr.sponsor) },
    balances: v.balances,
    agreesWithModel: v.agreesWithModel,
    blockNumber: d.blockNumber.toString(),
    transactionHash: d.transactionHash,
  };
}

/** The reconciliation's flows in the order of the statement, as the JSON of history rows and totals lists them. */
const RECONCILIATION_FLOWS = [
  "cashIn",
  "rentIn",
  "recoveriesApplied",
  "reserveReleased",
  "reserveDrawn",
  "inflow",
  "rentPaid",
  "keeperBounty",
  "trusteeFee",
  "servicerFee",
  "interest",
  "reserveToppedUp",
  "principal",
  "reserveTrapped",
  "residual",
  "paid",
] as const;

/** The JSON export of a deal's history over `periods` (docs/history.md, "JSON"). */
export function historyJson(
  text: StatementText,
  history: DealHistory,
  periods: readonly PeriodView[],
  totals: HistoryTotals | undefined,
  head: Record<string, unknown>,
): Record<string, unknown> {
  const d = text.decimals;
  const facts = text.facts;
  const amt = (k: string, v: bigint | undefined) => amountPair(k, v, d);
  const triggerEvent = (e: TriggerEvent) => ({
    trigger: e.index,
    description: describeCovenant(e.terms),
    period: e.period,
    ...ratioPair("value", e.value),
    ...ratioPair("threshold", e.terms.threshold),
  });
  const e = facts.equity?.facts;
  return {
    ...head,
    decimals: d,
    symbols: facts.symbols,
    periodCount: facts.periodCount,
    site: facts.site ?? null,
    tenants: facts.tenants ?? [],
    equity:
      e === undefined
        ? null
        : {
            waterfall: e.waterfall,
            sponsor: text.classSymbol(e.terms.sponsorClass),
            classes: e.contributed.map((c, j) => ({
              class: text.classSymbol(j),
              name: e.names[j],
              tranche: notesOf(facts) + j,
              ...amt("contributed", c),
            })),
            tiers: e.terms.tiers.map((t, i) => ({
              tier: i + 1,
              kind: equityTierKindName(t.kind),
              words: describeEquityTier(t, e.names, e.terms.sponsorClass),
            })),
            startedAt: iso(e.start),
          },
    from: totals?.from ?? null,
    to: totals?.to ?? null,
    periods: periods.map((p) => {
      const s = p.record.statement;
      const m = p.metrics;
      return {
        period: p.number,
        index: p.index,
        endsAt: iso(p.endsAt),
        endsAtUnix: Number(p.endsAt),
        reported: s.reported,
        missedReports: p.record.missedReports ?? null,
        finalPeriod: p.finalPeriod,
        mode: dealStatusName(p.mode),
        statusBefore: dealStatusName(p.statusBefore),
        statusAfter: dealStatusName(p.statusAfter),
        ...ratioPair("utilization", s.utilization),
        ...amt("reserveTarget", p.reserveTarget),
        ...amt("reserveBefore", p.reserveBefore),
        ...amt("reserveAfter", s.reserveAfter),
        ...amt("collectionsCarried", s.collectionsCarried),
        report: p.report === undefined ? null : reportJson(p.report, d),
        equity: p.equity === undefined ? null : equityJson(text, p.equity),
        ...amt("rentPaid", s.rentPaid),
        ...amt("rentArrears", s.rentArrears),
        ...amt("rentIn", s.rentIn),
        rentInByTenant: rentInOf(p).map((r) => ({
          tenant: r.deal ?? null,
          name: r.deal === undefined ? null : (text.names.get(r.deal.toLowerCase()) ?? null),
          ...amt("amount", r.paid),
          receipts: p.record.rentReceipts
            .filter((x) => x.tenant.toLowerCase() === r.deal?.toLowerCase())
            .map((x) => ({
              tenantPeriod: Number(x.tenantPeriod) + 1,
              ...amt("amount", x.amount),
              blockNumber: x.blockNumber.toString(),
              transactionHash: x.transactionHash,
            })),
        })),
        steps: p.rows.map((r) => ({
          order: r.order,
          step: r.kind,
          label: text.label(p, r).trim(),
          tranche: r.tranche === undefined ? null : text.symbol(r.tranche),
          deal: r.deal ?? null,
          direction: r.direction,
          ...ratioPair("rate", r.rate),
          ...amt("due", r.due),
          ...amt("paid", r.paid),
          ...amt("unpaid", r.unpaid),
          deferred: r.deferred,
          ...amt("fromRecoveries", r.fromRecoveries),
          ...amt("cashLeft", r.cashLeft),
          ...amt("reserve", r.reserve),
          ...amt("outstanding", r.outstanding),
          ...ratioPair("factor", r.factor),
        })),
        metrics: {
          ...ratioPair("dscr", m.dscr),
          ...ratioPair("trailingDscr", m.trailingDscr),
          ...ratioPair("utilization", m.utilization),
          ...ratioPair("ltv", m.ltv),
          ...ratioPair("seniorCurve", m.seniorCurve),
          ...ratioPair("reserveLevel", m.reserveLevel),
          ...ratioPair("breakEvenUtilization", m.breakEvenUtilization),
          ...amt("cashAvailableForDebtService", m.cashAvailableForDebtService),
          ...amt("debtService", m.debtService),
          ...amt("collateralValue", m.collateralValue),
          ...amt("notesOutstanding", m.notesOutstanding),
          ...amt("servicerShortfall", m.servicerShortfall),
          overcollateralization: m.overcollateralization.map((v, i) => ({
            tranche: text.symbol(i),
            ...ratioPair("value", v),
          })),
          interestCoverage: m.interestCoverage.map((v, i) => ({
            tranche: text.symbol(i),
            ...ratioPair("value", v),
          })),
        },
        triggers: p.triggers.map((t) => ({
          trigger: t.index,
          description: describeCovenant(t.terms),
          ...ratioPair("value", t.value),
          ...ratioPair("threshold", t.terms.threshold),
          breached: t.breached,
          active: t.active,
          consecutive: t.consecutive,
          event: t.event ?? null,
        })),
        fired: p.fired.map(triggerEvent),
        cured: p.cured.map(triggerEvent),
        writeDowns: p.record.writeDowns.map((w) => ({
          tranche: text.symbol(w.tranche),
          ...amt("amount", w.amount),
        })),
        recovered: p.recovered.map((v, i) => ({ tranche: text.symbol(i), ...amt("amount", v) })),
        reconciliation: {
          ...Object.fromEntries(
            RECONCILIATION_FLOWS.flatMap((k) => Object.entries(amt(k, p.reconciliation[k]))),
          ),
          balances: p.reconciliation.balances,
        },
        keeper: p.record.keeper,
        residualRecipient: p.record.residualRecipient,
        blockNumber: p.record.blockNumber.toString(),
        transactionHash: p.record.transactionHash,
      };
    }),
    totals:
      totals === undefined
        ? null
        : {
            from: totals.from,
            to: totals.to,
            periods: totals.periods,
            ...Object.fromEntries(
              (
                [
                  ...RECONCILIATION_FLOWS,
                  "reserveStart",
                  "reserveEnd",
                  "collectionsCarried",
                ] as const
              ).flatMap((k) => Object.entries(amt(k, totals[k]))),
            ),
            interestByNote: totals.interestByNote.map((v, i) => ({
              tranche: text.symbol(i),
              ...amt("amount", v),
            })),
            principalByNote: totals.principalByNote.map((v, i) => ({
              tranche: text.symbol(i),
              ...amt("amount", v),
            })),
            rentInByTenant: totals.rentInByTenant.map((r) => ({
              tenant: r.deal ?? null,
              name: r.deal === undefined ? null : (text.names.get(r.deal.toLowerCase()) ?? null),
              ...amt("amount", r.amount),
            })),
            equityToClass:
              totals.equityToClass?.map((v, j) => ({
                tranche: text.symbol(notesOf(facts) + j),
                ...amt("amount", v),
              })) ?? null,
            balances: totals.balances,
          },
    equityOutsidePeriods: history.equityOutsidePeriods.map((v) => equityJson(text, v)),
    losses:
      history.losses === undefined
        ? null
        : {
            notes: history.losses.map((l) => ({
              tranche: text.symbol(l.tranche),
              ...amt("writtenOff", l.writtenOff),
              ...amt("recoveredInPeriods", l.recoveredInPeriods),
              ...amt("recoveredAfterDefault", l.recoveredAfterDefault),
              ...amt("netPrincipalLoss", l.netPrincipalLoss),
              ...amt("interestUnpaidAtMaturity", l.interestUnpaidAtMaturity),
              ...amt("interestRecovered", l.interestRecovered),
              ...amt("interestUnpaid", l.interestUnpaid),
            })),
            ...amt("equityWrittenOff", history.equityWrittenOff),
          },
  };
}

/** One CSV cell: quoted when it holds a comma, a quote or a line break. */
function cell(v: string | number | boolean): string {
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * The equity statement's CSV columns of a deal with an equity waterfall (none otherwise): each column's name and its
 * cell for a period's statement.
 */
function equityCsvColumns(
  text: StatementText,
): [string, (v: EquityStatementView) => string | number | boolean][] {
  const e = text.facts.equity?.facts;
  if (e === undefined) return [];
  const a = (v: bigint) => exactAmount(v, text.decimals);
  const n = e.contributed.length;
  const classes = Array.from({ length: n }, (_, j) => j);
  const sym = (j: number) => text.classSymbol(j);
  const irr = (x: number | undefined) => (x === undefined ? "" : x);
  let hurdles = 0;
  const hurdleOf = e.terms.tiers.map((t) =>
    t.kind === EquityTier.Split && t.rate !== 0n ? hurdles++ : -1,
  );
  return [
    ["equity_amount", (v) => a(v.distribution.amount)],
    ...e.terms.tiers.flatMap((t, i) =>
      classes.map((j): [string, (v: EquityStatementView) => string] => [
        `equity_tier${i + 1}_${equityTierKindName(t.kind)}_${sym(j)}`,
        (v) => a(v.distribution.paid[i][j]),
      ]),
    ),
    ...classes.flatMap((j): [string, (v: EquityStatementView) => string][] => [
      [`equity_to_${sym(j)}`, (v) => a(v.toClass[j])],
      [`pref_accrued_${sym(j)}`, (v) => a(v.prefAccrued[j])],
      [`pref_unpaid_${sym(j)}`, (v) => a(v.distribution.prefOwed[j])],
      [`unreturned_${sym(j)}`, (v) => a(v.distribution.unreturned[j])],
      [`distributed_${sym(j)}`, (v) => a(v.distributed[j])],
    ]),
    ...e.terms.tiers.flatMap((t, i) => {
      const k = hurdleOf[i];
      if (k < 0) return [];
      return [
        ...classes
          .filter((j) => ((t.classes >>> j) & 1) === 1)
          .map((j): [string, (v: EquityStatementView) => string] => [
            `hurdle${k + 1}_balance_${sym(j)}`,
            (v) => a(v.hurdles[k].balances[j]),
          ]),
        [`hurdle${k + 1}_met`, (v: EquityStatementView) => v.hurdles[k].met] as [
          string,
          (v: EquityStatementView) => boolean,
        ],
      ];
    }),
    ["sponsor_profit", (v) => a(v.catchUp.sponsorProfit)],
    ["total_profit", (v) => a(v.catchUp.totalProfit)],
    ["sponsor_profit_share", (v) => exactAmount(v.catchUp.shareBps, 4)],
    ["catch_up_reached", (v) => (v.catchUp.reached === undefined ? "" : v.catchUp.reached)],
    ["lp_irr", (v) => irr(v.irr.lp)],
    ["sponsor_irr", (v) => irr(v.irr.sponsor)],
    ["equity_balances", (v) => v.balances],
    ["equity_agrees_with_model", (v) => v.agreesWithModel],
  ];
}

/** The CSV export: a header row, then one row per period (docs/history.md, "CSV"). */
export function historyCsv(text: StatementText, periods: readonly PeriodView[]): string {
  const d = text.decimals;
  const notes = notesOf(text.facts);
  const syms = Array.from({ length: notes }, (_, i) => text.symbol(i));
  const a = (v: bigint) => exactAmount(v, d);
  const equityColumns = equityCsvColumns(text);
  // A site's tenants: those it registered, then any other that paid in the range.
  const tenants = [...(text.facts.tenants ?? [])];
  for (const p of periods)
    for (const r of rentInOf(p))
      if (r.deal !== undefined && !tenants.some((t) => t.toLowerCase() === r.deal?.toLowerCase()))
        tenants.push(r.deal);
  const header = [
    "period",
    "ends_at",
    "reported",
    "mode",
    "status_before",
    "status_after",
    "utilization",
    "capacity_available",
    "capacity_billed",
    "occupancy",
    "revenue_reported",
    "energy_kwh",
    "pue",
    "appraisal",
    "cash_in",
    "rent_in",
    ...tenants.map((t) => `rent_in_${t}`),
    "recoveries_applied",
    "reserve_released",
    "reserve_drawn",
    "inflow_total",
    "rent_paid",
    "rent_arrears",
    "keeper_bounty_paid",
    "trustee_fee_paid",
    "trustee_fee_arrears",
    "servicer_fee_paid",
    "servicer_fee_arrears",
    ...syms.flatMap((s) => [
      `rate_${s}`,
      `interest_due_${s}`,
      `interest_paid_${s}`,
      `interest_arrears_${s}`,
      `principal_due_${s}`,
      `principal_paid_${s}`,
      `outstanding_${s}`,
    ]),
    "reserve_topped_up",
    "reserve_trapped",
    "residual_paid",
    "residual_to",
    "paid_total",
    "balances",
    "reserve_before",
    "reserve_after",
    "collections_carried",
    "dscr",
    "trailing_dscr",
    "ltv",
    "senior_curve",
    "reserve_level",
    "break_even_utilization",
    "collateral_value",
    "notes_outstanding",
    "servicer_shortfall",
    "triggers_breached",
    "triggers_active",
    "triggers_fired",
    "triggers_cured",
    "written_off",
    ...equityColumns.map(([name]) => name),
    "keeper",
    "transaction",
  ];
  const lines = [header.map(cell).join(",")];
  for (const p of periods) {
    const s = p.record.statement;
    const r = p.reconciliation;
    const m = p.metrics;
    const list = (xs: number[]) => xs.map((i) => `#${i}`).join(" ");
    const residualRow = p.rows[p.rows.length - 1];
    const rep = p.report;
    const row: (string | number | boolean)[] = [
      p.number,
      iso(p.endsAt),
      s.reported,
      dealStatusName(p.mode),
      dealStatusName(p.statusBefore),
      dealStatusName(p.statusAfter),
      exactRatio(s.utilization),
      rep === undefined ? "" : rep.gpuHoursAvailable.toString(),
      rep === undefined ? "" : rep.gpuHoursBilled.toString(),
      rep?.occupancy === undefined ? "" : exactRatio(rep.occupancy),
      rep === undefined ? "" : a(rep.revenue),
      rep === undefined ? "" : rep.energyKwh.toString(),
      rep === undefined || rep.pue === 0 ? "" : exactAmount(BigInt(rep.pue), 4),
      rep === undefined ? "" : a(rep.appraisal),
      a(s.cashIn),
      a(s.rentIn),
      ...tenants.map((t) =>
        a(
          rentInOf(p)
            .filter((x) => x.deal?.toLowerCase() === t.toLowerCase())
            .reduce((x, y) => x + y.paid, 0n),
        ),
      ),
      a(s.recoveriesApplied),
      a(s.reserveReleased),
      a(s.reserveDrawn),
      a(r.inflow),
      a(s.rentPaid),
      a(s.rentArrears),
      a(s.keeperBountyPaid),
      a(s.trusteeFeePaid),
      a(s.trusteeFeeArrears),
      a(s.servicerFeePaid),
      a(s.servicerFeeArrears),
      ...syms.flatMap((_, i) => [
        exactRatio(p.record.rates[i]),
        a(p.record.interestDue[i]),
        a(s.interestPaid[i]),
        a(p.record.interestArrears[i]),
        a(p.record.principalDue[i]),
        a(s.principalPaid[i]),
        a(s.outstanding[i]),
      ]),
      a(s.reserveToppedUp),
      a(s.reserveTrapped),
      a(s.residualPaid),
      residualRow.deal !== undefined
        ? "waterfall"
        : residualRow.tranche === undefined
          ? "issuer"
          : text.symbol(residualRow.tranche),
      a(r.paid),
      r.balances,
      a(p.reserveBefore),
      a(s.reserveAfter),
      a(s.collectionsCarried),
      exactRatio(m.dscr),
      exactRatio(m.trailingDscr),
      exactRatio(m.ltv),
      exactRatio(m.seniorCurve),
      exactRatio(m.reserveLevel),
      exactRatio(m.breakEvenUtilization),
      a(m.collateralValue),
      a(m.notesOutstanding),
      a(m.servicerShortfall),
      list(p.triggers.filter((t) => t.breached).map((t) => t.index)),
      list(p.triggers.filter((t) => t.active).map((t) => t.index)),
      p.fired
        .map((e) => `#${e.index} ${covenantTest(e.terms)} at ${exactRatio(e.value)}`)
        .join("; "),
      p.cured
        .map((e) => `#${e.index} ${covenantTest(e.terms)} at ${exactRatio(e.value)}`)
        .join("; "),
      p.record.writeDowns.map((w) => `${text.symbol(w.tranche)} ${a(w.amount)}`).join("; "),
      ...equityColumns.map(([, value]) => (p.equity === undefined ? "" : value(p.equity))),
      p.record.keeper,
      p.record.transactionHash,
    ];
    lines.push(row.map(cell).join(","));
  }
  return `${lines.join("\n")}\n`;
}
