import { erc20Abi, type Address } from "viem";
import { getBlockNumber, readContract } from "viem/actions";

import { withErrors, type CascadeClient } from "../../client.js";
import { equityStatements, type EquityFacts, type EquityStatementView } from "../../equity.js";
import type { LogReaderOptions } from "../../logs.js";
import { dealHistory, type DealHistory, type StatementFacts } from "../../statements.js";
import { TrancheKind } from "../../types.js";
import { dealSnapshot, type DealSnapshotReturnType } from "./dealSnapshot.js";
import {
  equityDistributions,
  type EquityDistributionsReturnType,
} from "./equityDistributions.js";
import {
  equitySnapshot,
  type EquitySnapshotReturnType,
  type EquityWaterfallSnapshot,
} from "./equitySnapshot.js";
import { periodStatements, type PeriodStatementsReturnType } from "./periodStatements.js";
import { riskSnapshot, type RiskSnapshotReturnType } from "./riskSnapshot.js";
import { siteTenants, type SiteTenantsReturnType } from "./siteTenants.js";

export interface DealAuditParameters extends LogReaderOptions {
  deal: Address;
  /** Reads state and events up to this block (default: latest), so every figure is of the same block. */
  blockNumber?: bigint;
  /** First block of the event reads (default: the deal's creation block, found by a search over `eth_getCode`). */
  fromBlock?: bigint;
}

/** A deal's equity waterfall as an auditor reads it: its views, its events, its statements. */
export interface EquityAudit {
  snapshot: EquityWaterfallSnapshot;
  distributions: EquityDistributionsReturnType;
  /** The snapshot's facts, with the contributions and clock that `EquityStarted` recorded once it started. */
  facts: EquityFacts;
  statements: EquityStatementView[];
}

export interface DealAuditReturnType {
  deal: Address;
  blockNumber: bigint;
  snapshot: DealSnapshotReturnType;
  risk: RiskSnapshotReturnType;
  /** Every distributed period's record (`periodStatements`). */
  records: PeriodStatementsReturnType;
  /** The stablecoin's decimals and symbol. */
  decimals: number;
  symbol: string;
  /** A site's tenants with their rent terms and receipts; undefined for a deal without tenants. */
  tenants: SiteTenantsReturnType | undefined;
  /** The equity waterfall of a deal with several equity classes; undefined when one class takes the residual. */
  equity: EquityAudit | undefined;
  /** The facts the statements are made from (`dealHistory`). */
  facts: StatementFacts;
  /** Each distributed period's statement rows, metrics, triggers, events and reconciliation. */
  history: DealHistory;
}

/** A deal's statement facts from its snapshot and its risk engine's, read at the same block. */
export function auditFacts(
  s: DealSnapshotReturnType,
  risk: RiskSnapshotReturnType,
  equity: EquityAudit | undefined,
): StatementFacts {
  const noteCount = s.tranches.filter((t) => t.kind === TrancheKind.Note).length;
  return {
    symbols: s.tranches.map((t) => t.symbol),
    noteCount,
    issued: s.tranches.map((t) => t.issued),
    periodCount: Number(s.periodCount),
    start: s.start,
    periodLength: s.periodLength,
    reserveTarget: s.reserve.target,
    keeperBounty: s.keeperBounty,
    servicerFeeBps: Number(s.servicerFeeBps),
    turbo: risk.config.turbo,
    triggers: risk.triggers.map((t) => ({
      metric: t.metric,
      comparison: t.comparison,
      effect: t.effect,
      periods: t.periods,
      cures: t.cures,
      threshold: t.threshold,
    })),
    // A residual goes to the equity token, or to the equity waterfall of a deal with several classes.
    equityToken: equity?.snapshot.waterfall ?? s.tranches[noteCount].token,
    site: s.site?.site,
    tenants: s.tenants,
    unit: s.oracleTerms.unit,
    capacity: risk.config.capacity,
    reports: s.reports,
    equity:
      equity === undefined ? undefined : { facts: equity.facts, statements: equity.statements },
    current: s.tranches.map((t) => ({
      outstanding: t.outstanding,
      arrears: t.arrears,
      writtenDown: t.writtenDown,
    })),
  };
}

async function readEquity(
  client: CascadeClient,
  snapshot: EquitySnapshotReturnType,
  params: DealAuditParameters,
  toBlock: bigint,
): Promise<EquityAudit | undefined> {
  if (snapshot === undefined) return undefined;
  const distributions = await equityDistributions(client, {
    ...params,
    waterfall: snapshot.waterfall,
    fromBlock: params.fromBlock,
    toBlock,
  });
  const started = distributions.started;
  const facts: EquityFacts =
    started === undefined
      ? snapshot.facts
      : { ...snapshot.facts, contributed: started.contributed, start: started.startedAt };
  return {
    snapshot,
    distributions,
    facts,
    statements: equityStatements(distributions.distributions, facts),
  };
}

/**
 * Everything an auditor reads of a deal, at one block: its snapshot and its risk engine's, every period's record,
 * the stablecoin's decimals and symbol, a site's tenants, the equity waterfall's statements, and the statement facts
 * and history made from them (`dealHistory`) — what `cascade deal show` and `cascade deal history` print and the app
 * shows.
 * @example
 * const { history, decimals, symbol } = await client.dealAudit({ deal });
 * for (const p of history.periods) console.log(p.period, p.rows.length);
 */
export async function dealAudit(
  client: CascadeClient,
  params: DealAuditParameters,
): Promise<DealAuditReturnType> {
  const blockNumber =
    params.blockNumber ?? (await withErrors(() => getBlockNumber(client, { cacheTime: 0 })));
  const { fromBlock } = params;
  const [snapshot, risk, records, waterfall] = await Promise.all([
    dealSnapshot(client, { ...params, blockNumber, fromBlock }),
    riskSnapshot(client, { ...params, blockNumber, fromBlock }),
    periodStatements(client, { ...params, fromBlock, toBlock: blockNumber }),
    equitySnapshot(client, { deal: params.deal, blockNumber }),
  ]);
  const token = { address: snapshot.stablecoin, abi: erc20Abi, blockNumber } as const;
  const [decimals, symbol, tenants, equity] = await Promise.all([
    withErrors(() => readContract(client, { ...token, functionName: "decimals" })),
    withErrors(() => readContract(client, { ...token, functionName: "symbol" })),
    snapshot.tenants.length === 0
      ? Promise.resolve(undefined)
      : siteTenants(client, { ...params, blockNumber, fromBlock }),
    readEquity(client, waterfall, params, blockNumber),
  ]);
  const facts = auditFacts(snapshot, risk, equity);
  return {
    deal: params.deal,
    blockNumber,
    snapshot,
    risk,
    records,
    decimals,
    symbol,
    tenants,
    equity,
    facts,
    history: dealHistory(records, facts),
  };
}
