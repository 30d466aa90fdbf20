import { zeroAddress, type Address } from "viem";

import type { CascadeClient } from "../../client.js";
import { CascadeError } from "../../errors.js";
import * as DealModel from "../../models/deal.js";
import { bpsOfDown } from "../../models/waterfall.js";
import { isRunning, UNREPORTED, type PeriodOutcome, type PeriodReport } from "../../models/types.js";
import type { LogReaderOptions } from "../../logs.js";
import type { PeriodStatement, TermSheet } from "../../types.js";
import { dealAudit, type DealAuditReturnType } from "./dealAudit.js";
import { dealTermSheet } from "./dealTermSheet.js";

export interface DealProjectionParameters extends LogReaderOptions {
  factory: Address;
  deal: Address;
  /** First block of the event reads (default: the deal's creation block, found by a search). */
  fromBlock?: bigint;
  /**
   * What every period not yet distributed is assumed to report (default: the last final report's figures); the
   * servicer is assumed to deposit the pledged share of its revenue.
   */
  assumption?: Pick<PeriodReport, "gpuHoursAvailable" | "gpuHoursBilled" | "revenue">;
}

export interface ProjectedPeriod {
  /** 0-based, as on chain. */
  period: number;
  /** False: distributed on chain (the model replayed it); true: the model's projection. */
  projected: boolean;
  /** The report the period used (undefined: unreported). */
  report: PeriodReport | undefined;
  /** Collections deposited for the period (replayed: derived from the chain's statements). */
  collections: bigint;
  statement: PeriodStatement;
  /** The deal's status after the period. */
  status: number;
}

export interface DealProjectionReturnType {
  audit: DealAuditReturnType;
  terms: TermSheet;
  /** What the projected periods report; undefined when no report was final yet and none was given. */
  assumption: DealProjectionParameters["assumption"];
  periods: ProjectedPeriod[];
  /** Whether the model's replay of every distributed period gave the chain's statement, to the wei. */
  agreesWithChain: boolean;
}

/**
 * The deterministic model's projection of a deal to maturity: the model (`DealModel`) replays every distributed
 * period from the deal's term sheet, its reports and its deposits (checked against the chain's statements), then runs
 * each remaining period on one assumption — by default the last final report again, with the servicer depositing
 * the pledged share of its revenue. A deal marked to a price feed is not projected (a `CascadeError`): the feed's
 * answers are not known ahead.
 * @example
 * const { periods, agreesWithChain } = await client.dealProjection({ factory, deal });
 */
export async function dealProjection(
  client: CascadeClient,
  params: DealProjectionParameters,
): Promise<DealProjectionReturnType> {
  const [audit, sheet] = await Promise.all([
    dealAudit(client, params),
    dealTermSheet(client, { ...params, fromBlock: params.fromBlock }),
  ]);
  const terms = sheet.terms;
  if (terms.risk.priceFeed.feed !== zeroAddress)
    throw new CascadeError(
      "the deal is marked to a price feed, whose answers the projection cannot know ahead",
      { action: "dealProjection", deal: params.deal, feed: terms.risk.priceFeed.feed },
    );
  const market = { equityToken: audit.facts.equityToken };
  let state = DealModel.initialDealState(terms, audit.facts.issued);
  const periods: ProjectedPeriod[] = [];
  let agrees = true;
  let carried = 0n;
  let last: DealProjectionParameters["assumption"];
  for (const record of audit.records) {
    const s = record.statement;
    const p = Number(s.period);
    const r = audit.snapshot.reports[p];
    const report: PeriodReport | undefined =
      s.reported && r !== undefined
        ? {
            gpuHoursAvailable: r.gpuHoursAvailable,
            gpuHoursBilled: r.gpuHoursBilled,
            revenue: r.revenue,
            pue: r.pue,
            appraisal: r.appraisal,
          }
        : undefined;
    const collections = s.cashIn - s.rentIn + s.collectionsCarried - carried;
    carried = s.collectionsCarried;
    const outcome: PeriodOutcome = report ?? UNREPORTED;
    const run = DealModel.distribute(state, terms, outcome, collections, {
      ...market,
      keeper: record.keeper,
    });
    agrees &&= statementsAgree(run.statement, s);
    periods.push({
      period: p,
      projected: false,
      report,
      collections,
      statement: s,
      status: run.next.status,
    });
    state = run.next;
    if (report !== undefined) last = report;
  }
  const assumption = params.assumption ?? last;
  if (assumption !== undefined) {
    const report: PeriodReport = { ...assumption, pue: 0, appraisal: 0n };
    const collections = bpsOfDown(report.revenue, terms.pledgedShareBps);
    while (state.nextPeriod < terms.periodCount && isRunning(state.status)) {
      const run = DealModel.distribute(state, terms, report, collections, {
        ...market,
        keeper: zeroAddress,
      });
      periods.push({
        period: state.nextPeriod,
        projected: true,
        report,
        collections,
        statement: run.statement,
        status: run.next.status,
      });
      state = run.next;
    }
  }
  return { audit, terms, assumption, periods, agreesWithChain: agrees };
}

/** The model's statement and the chain's, field by field (bigints, arrays and nested metrics). */
function statementsAgree(a: PeriodStatement, b: PeriodStatement): boolean {
  const same = (x: unknown, y: unknown): boolean => {
    if (typeof x === "string" && typeof y === "string") return x.toLowerCase() === y.toLowerCase();
    if (Array.isArray(x) && Array.isArray(y))
      return x.length === y.length && x.every((v, i) => same(v, y[i]));
    if (typeof x === "object" && x !== null && typeof y === "object" && y !== null) {
      const keys = Object.keys(x) as (keyof typeof x)[];
      return keys.every((k) => !(k in y) || same(x[k], (y as Record<string, unknown>)[k]));
    }
    return x === y;
  };
  return same(a, b);
}
