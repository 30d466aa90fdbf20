import type { Address, BlockNumber, BlockTag, Hash } from "viem";
import { readContract } from "viem/actions";

import { withErrors, type CascadeClient } from "../../client.js";
import { equityWaterfallAbi } from "../../generated/abis.js";
import { readDealEvents, type LogReaderOptions } from "../../logs.js";
import { equityWaterfallOf } from "./equityWaterfallSnapshot.js";

export interface EquityStatementsParameters extends LogReaderOptions {
  deal: Address;
  /**
   * First block to read (default: the deal's creation block, found by a search over `eth_getCode` — pass it, e.g.
   * the address book's `blockNumber`, to save the search). The waterfall is created with the deal.
   */
  fromBlock?: BlockNumber | BlockTag;
  /** Last block to read (default: latest). */
  toBlock?: BlockNumber | BlockTag;
}

/** The `EquityDistributed` event's figures, as they are logged (flat arrays). */
export interface EquityDistributedArgs {
  period: bigint;
  capitalEvent: boolean;
  time: bigint | number;
  amount: bigint;
  paid: readonly bigint[];
  unreturned: readonly bigint[];
  prefOwed: readonly bigint[];
  hurdles: readonly bigint[];
  profit: bigint;
  sponsorProfit: bigint;
}

/** One amount's equity statement (`EquityDistributed`), by tier and class. */
export interface EquityStatement {
  /** The deal's last distributed period when it was paid (0 before any; for a capital event, at its deposit). */
  period: bigint;
  /** A capital event deposited into the waterfall (sale or refinancing proceeds), else an amount from the deal. */
  capitalEvent: boolean;
  /** The date the amount counts at (unix seconds): the end of `period`, or a capital event's block. */
  time: bigint;
  /** The cash that reached equity; Σ `paid` = `amount`. */
  amount: bigint;
  /** `paid[t][j]`: what tier `t` paid class `j`; the last tier's row also holds what the tiers left (the remainder). */
  paid: bigint[][];
  /** What each class received in all (Σ of its column), sent to its token. */
  toClass: bigint[];
  /** Each class's unreturned capital (U) after the distribution. */
  unreturned: bigint[];
  /** Each class's unpaid preferred return (P) after the distribution. */
  prefOwed: bigint[];
  /** `hurdles[k][j]`: class j's balance of the k-th split with a hurdle, after the distribution (0: not its class). */
  hurdles: bigint[][];
  /** Catch-up progress after the distribution: all profit distributed (T) and the sponsor's (S). */
  totalProfit: bigint;
  sponsorProfit: bigint;
}

/** An equity statement as logged, with where it was and, for a capital event, who deposited it. */
export interface EquityStatementRecord extends EquityStatement {
  /** The issuer or servicer who deposited a capital event (`CapitalEventDeposited`); undefined otherwise. */
  depositor: Address | undefined;
  blockNumber: bigint;
  transactionHash: Hash;
  logIndex: number;
}

export interface EquityStatementsReturnType {
  /** The deal's equity waterfall; undefined for a deal with a single equity class (and then no statements). */
  waterfall: Address | undefined;
  /** The first distribution started the state (`EquityStarted`): each class's contribution and the clock's start. */
  started: { contributed: bigint[]; startedAt: bigint; blockNumber: bigint } | undefined;
  statements: EquityStatementRecord[];
}

/**
 * The statement of an `EquityDistributed` event of a waterfall with `classCount` classes: the flat arrays of the
 * event cut into rows (`paid[t × classCount + j]` → `paid[t][j]`, likewise the hurdle balances) and each class's
 * total.
 */
export function equityStatementFromEvent(
  args: EquityDistributedArgs,
  classCount: number,
): EquityStatement {
  if (classCount <= 0) throw new RangeError("equityStatementFromEvent: no classes");
  const rows = (flat: readonly bigint[]) =>
    Array.from({ length: flat.length / classCount }, (_, r) =>
      flat.slice(r * classCount, (r + 1) * classCount),
    );
  const paid = rows(args.paid);
  return {
    period: args.period,
    capitalEvent: args.capitalEvent,
    time: BigInt(args.time),
    amount: args.amount,
    paid,
    toClass: Array.from({ length: classCount }, (_, j) => paid.reduce((a, row) => a + row[j], 0n)),
    unreturned: [...args.unreturned],
    prefOwed: [...args.prefOwed],
    hurdles: rows(args.hurdles),
    totalProfit: args.profit,
    sponsorProfit: args.sponsorProfit,
  };
}

/**
 * Every equity statement of a deal's equity waterfall, in order, rebuilt from its events (`EquityStarted`,
 * `EquityDistributed`, `CapitalEventDeposited`) read from the deal's creation block (or `fromBlock`) to `toBlock` in
 * bounded, retried ranges (`sdk/logs.ts`). A deal with a single equity class has no waterfall: no statements.
 *
 * @example
 * const { statements } = await auditor.equityStatements({ deal, fromBlock: record.blockNumber });
 * for (const s of statements) console.log(s.period, s.capitalEvent, s.amount, s.toClass);
 */
export async function equityStatements(
  client: CascadeClient,
  params: EquityStatementsParameters,
): Promise<EquityStatementsReturnType> {
  return withErrors(async () => {
    const waterfall = await equityWaterfallOf(client, { deal: params.deal });
    if (waterfall === undefined) return { waterfall, started: undefined, statements: [] };
    const [classCount, [logs]] = await Promise.all([
      readContract(client, {
        address: waterfall,
        abi: equityWaterfallAbi,
        functionName: "classCount",
      }),
      readDealEvents(client, {
        ...params,
        sources: [
          {
            address: waterfall,
            abi: equityWaterfallAbi,
            eventName: ["EquityStarted", "EquityDistributed", "CapitalEventDeposited"],
          },
        ] as const,
      }),
    ]);
    let started: EquityStatementsReturnType["started"];
    const statements: EquityStatementRecord[] = [];
    /** `CapitalEventDeposited` comes just before the `EquityDistributed` of its transaction. */
    let depositor: { address: Address; transactionHash: Hash } | undefined;
    for (const log of logs) {
      if (log.blockNumber === null || log.transactionHash === null || log.logIndex === null)
        continue;
      switch (log.eventName) {
        case "EquityStarted":
          started = {
            contributed: [...log.args.contributed],
            startedAt: BigInt(log.args.startedAt),
            blockNumber: log.blockNumber,
          };
          break;
        case "CapitalEventDeposited":
          depositor = { address: log.args.depositor, transactionHash: log.transactionHash };
          break;
        case "EquityDistributed": {
          const s = equityStatementFromEvent(log.args, Number(classCount));
          statements.push({
            ...s,
            depositor:
              s.capitalEvent && depositor?.transactionHash === log.transactionHash
                ? depositor.address
                : undefined,
            blockNumber: log.blockNumber,
            transactionHash: log.transactionHash,
            logIndex: log.logIndex,
          });
          break;
        }
        default:
          break;
      }
    }
    return { waterfall, started, statements };
  });
}
