import { erc20Abi, type Address, type BlockNumber, type BlockTag } from "viem";
import { getBlockNumber, readContract } from "viem/actions";

import { withErrors, type CascadeClient } from "../../client.js";
import { CascadeError } from "../../errors.js";
import type { LogReaderOptions } from "../../logs.js";
import type { CumulativeSums, DealModelState } from "../../models/types.js";
import type { StressDeal } from "../../stress/setup.js";
import { TrancheKind, type DealStatus } from "../../types.js";
import { dealSnapshot } from "./dealSnapshot.js";
import { dealTermSheet } from "./dealTermSheet.js";
import { equitySnapshot } from "./equitySnapshot.js";
import { periodStatements } from "./periodStatements.js";
import { riskSnapshot } from "./riskSnapshot.js";

export interface StressDealParameters extends LogReaderOptions {
  /** The factory that created the deal (its term sheet is read from the creating call). */
  factory: Address;
  deal: Address;
  /** A name for the reports (default: the first tranche's name). */
  name?: string;
  /** Reads state at this block (default: latest). */
  blockNumber?: bigint;
  /** Where the event searches start (default: the deal's creation block, found by a search over `eth_getCode`). */
  fromBlock?: BlockNumber | BlockTag;
}

export type StressDealReturnType = StressDeal;

/**
 * A live deal as the stress engine (`sdk/stress`) simulates it from its next period: its term sheet
 * (`dealTermSheet`), its balances, arrears, reserve, collections and status (`dealSnapshot`), its risk engine's fleet,
 * trigger states and appraisal (`riskSnapshot`), the running sums of its trailing DSCR (`periodStatements`) and, with
 * an equity waterfall, each class's balances (`equitySnapshot`) — all at one block. The simulation starts from the
 * last period's utilization and, for a fleet marked to a price index, from the index now over the index at
 * acquisition.
 *
 * @example
 * const deal = await auditor.stressDeal({ factory, deal: address });
 * const report = monteCarlo(prepareStress(deal, DEFAULT_SCENARIO), { paths: 2_000 });
 */
export async function stressDeal(
  client: CascadeClient,
  params: StressDealParameters,
): Promise<StressDealReturnType> {
  return withErrors(async () => {
    const blockNumber = params.blockNumber ?? (await getBlockNumber(client, { cacheTime: 0 }));
    const at = { ...params, blockNumber };
    const [{ terms }, snap, risk, records] = await Promise.all([
      dealTermSheet(client, { ...params, toBlock: blockNumber }),
      dealSnapshot(client, at),
      riskSnapshot(client, at),
      periodStatements(client, { ...params, toBlock: blockNumber }),
    ]);
    const nextPeriod = Number(snap.nextPeriod);
    if (records.length !== nextPeriod)
      throw new CascadeError(
        `stressDeal: ${records.length} period statements read for ${nextPeriod} distributed periods`,
        { deal: params.deal },
      );
    const decimals = await readContract(client, {
      address: snap.stablecoin,
      abi: erc20Abi,
      functionName: "decimals",
      blockNumber,
    });
    const cumulative: CumulativeSums[] = [];
    let cads = 0n;
    let debtService = 0n;
    for (const r of records) {
      cads += r.statement.metrics.cashAvailableForDebtService;
      debtService += r.statement.metrics.debtService;
      cumulative.push({ cads, debtService });
    }
    const noteCount = terms.tranches.filter((t) => t.kind === TrancheKind.Note).length;
    const state: DealModelState = {
      nextPeriod,
      status: snap.status as DealStatus,
      collections: snap.collections - snap.pendingRent,
      reserve: snap.reserve.balance,
      recoveries: snap.recoveries,
      residualOwed: snap.residualOwed,
      trusteeFeeArrears: snap.feeArrears.trustee,
      servicerFeeArrears: snap.feeArrears.servicer,
      missedReports: Number(snap.missedReports),
      rentPending: snap.pendingRent,
      rentArrears: snap.site?.rentArrears ?? 0n,
      tranches: snap.tranches.map((t) => ({
        issued: t.issued,
        outstanding: t.outstanding,
        arrears: t.arrears,
        writtenDown: t.writtenDown,
      })),
      noteCount,
      risk: {
        // A fleet entry's snapshot is its terms with its id, names, units left and status beside them.
        fleet: risk.fleet.map(
          ({
            id: _id,
            modelName: _m,
            methodName: _n,
            statusName: _s,
            activeCount,
            status,
            ...terms
          }) => ({
            terms,
            activeCount: Number(activeCount),
            status,
          }),
        ),
        lastIndex: risk.priceIndex,
        lastIndexAt: 0n,
        appraisal: {
          value: risk.appraisal.value,
          asOf: risk.appraisal.asOf,
          period: risk.appraisal.period,
        },
        triggers: risk.triggers.map((t) => ({
          consecutive: Number(t.consecutive),
          active: t.active,
        })),
        cumulative,
      },
    };
    let equity: StressDeal["equity"];
    if (terms.equity.tiers.length > 0) {
      const e = await equitySnapshot(client, { deal: params.deal, blockNumber });
      if (e === undefined)
        throw new CascadeError(
          "stressDeal: the deal's term sheet has equity tiers but no equity waterfall",
          {
            deal: params.deal,
          },
        );
      equity = {
        contributed: e.classes.map((c) => c.contributed),
        state: {
          lastAccrual: e.lastAccrual,
          classes: e.classes.map((c) => ({
            unreturned: c.unreturned,
            prefUnpaid: c.prefOwed,
            distributed: c.distributed,
            hurdles: [...c.hurdleBalances],
          })),
        },
      };
    }
    const marked = risk.fleet.find((e) => e.indexAtAcquisition !== 0n);
    const last = records.at(-1)?.statement;
    return {
      name: params.name ?? terms.tranches[0]?.name ?? params.deal,
      terms,
      decimals,
      state,
      equity,
      utilizationPct: last === undefined ? undefined : (Number(last.utilization) / 1e18) * 100,
      indexRatio:
        marked !== undefined && risk.priceIndex > 0n
          ? Number(risk.priceIndex) / Number(marked.indexAtAcquisition)
          : undefined,
    };
  });
}
