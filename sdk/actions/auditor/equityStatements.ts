import type { Address, BlockNumber, BlockTag, Hash } from "viem";
import { getBlockNumber, readContract } from "viem/actions";

import { withErrors, type CascadeClient } from "../../client.js";
import { equityWaterfallAbi } from "../../generated/abis.js";
import { readDealEvents, type LogReaderOptions } from "../../logs.js";
import { equityWaterfallOf } from "./equitySnapshot.js";

export interface EquityStatementsParameters extends LogReaderOptions {
  /** A deal with an equity waterfall. */
  deal: Address;
  /** First block to search for events (default: the deal's creation block; the waterfall is created with it). */
  fromBlock?: BlockNumber | BlockTag;
  /** Reads events up to this block (default: latest). */
  blockNumber?: bigint;
}

/**
 * One equity statement (`EquityDistributed`): an amount that reached equity and exactly how the tiers paid it, with
 * every class's state after it. Arrays by equity class (class j: the j-th equity tranche after the notes).
 */
export interface EquityStatementRecord {
  /** From the deal: its last distributed period; a capital event: the deal's last period too (0 before any). */
  period: bigint;
  /** A capital event (sale or refinancing proceeds deposited into the waterfall), not the deal's cash. */
  capitalEvent: boolean;
  /** When the amount is dated: the end of the deal's last distributed period, or the capital event's block. */
  time: bigint;
  amount: bigint;
  /** `paid[t][j]`: what tier t paid class j, in the term sheet's order; the last row is what the tiers left. */
  paid: bigint[][];
  /** U_j after it: capital not yet returned. */
  unreturned: bigint[];
  /** P_j after it: preferred return accrued and unpaid. */
  prefOwed: bigint[];
  /** `hurdles[k][j]`: the balance of the k-th split with a hurdle (tier order) for class j after it. */
  hurdles: bigint[][];
  /** The catch-up's progress after it: all profit distributed (T) and the sponsor class's (S). */
  profit: bigint;
  sponsorProfit: bigint;
  /** Who deposited a capital event (the issuer or the servicer); undefined for the deal's cash. */
  depositor: Address | undefined;
  blockNumber: bigint;
  transactionHash: Hash;
}

export interface EquityStatementsReturnType {
  waterfall: Address;
  /** `EquityStarted`: each class's contribution and the clock's start (undefined before the first distribution). */
  started: { contributed: bigint[]; startedAt: bigint } | undefined;
  statements: EquityStatementRecord[];
}

/** `flat[k × width + j]` as rows of `width`. */
function rows(flat: readonly bigint[], width: number): bigint[][] {
  const out: bigint[][] = [];
  for (let k = 0; k * width < flat.length; k++) out.push(flat.slice(k * width, (k + 1) * width));
  return out;
}

/**
 * Every equity statement of a deal's LP/GP waterfall, in order: each period's residual, what a clean-up call or
 * recoveries left for equity, and each capital event, with what every tier paid every class and the state after it
 * (read in bounded, retried log ranges). Their amounts sum to everything that reached equity.
 *
 * @example
 * const { statements } = await auditor.equityStatements({ deal });
 * for (const s of statements) console.log(s.time, s.amount, s.paid, s.prefOwed, s.hurdles);
 */
export async function equityStatements(
  client: CascadeClient,
  params: EquityStatementsParameters,
): Promise<EquityStatementsReturnType> {
  const waterfall = await equityWaterfallOf(client, { deal: params.deal });
  if (waterfall === undefined)
    throw new RangeError(`deal ${params.deal} has one equity class: no equity waterfall`);
  return withErrors(async () => {
    const blockNumber = params.blockNumber ?? (await getBlockNumber(client, { cacheTime: 0 }));
    const n = Number(
      await readContract(client, {
        address: waterfall,
        abi: equityWaterfallAbi,
        functionName: "classCount",
        blockNumber,
      }),
    );
    const [logs] = await readDealEvents(client, {
      ...params,
      toBlock: blockNumber,
      sources: [{ address: waterfall, abi: equityWaterfallAbi }] as const,
    });
    let started: EquityStatementsReturnType["started"];
    let depositor: Address | undefined;
    const statements: EquityStatementRecord[] = [];
    for (const log of logs) {
      if (log.eventName === "EquityStarted") {
        started = { contributed: [...log.args.contributed], startedAt: BigInt(log.args.startedAt) };
      } else if (log.eventName === "CapitalEventDeposited") {
        depositor = log.args.depositor;
      } else if (log.eventName === "EquityDistributed") {
        const a = log.args;
        statements.push({
          period: a.period,
          capitalEvent: a.capitalEvent,
          time: BigInt(a.time),
          amount: a.amount,
          paid: rows(a.paid, n),
          unreturned: [...a.unreturned],
          prefOwed: [...a.prefOwed],
          hurdles: rows(a.hurdles, n),
          profit: a.profit,
          sponsorProfit: a.sponsorProfit,
          depositor: a.capitalEvent ? depositor : undefined,
          blockNumber: log.blockNumber,
          transactionHash: log.transactionHash,
        });
        depositor = undefined;
      }
    }
    return { waterfall, started, statements };
  });
}
