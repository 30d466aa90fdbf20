import type { Address, BlockNumber, BlockTag, Hash } from "viem";

import { withErrors, type CascadeClient } from "../../client.js";
import { decodeEquityDistributed, type EquityDistribution } from "../../equity.js";
import { equityWaterfallAbi } from "../../generated/abis.js";
import { readDealEvents, type LogReaderOptions } from "../../logs.js";

export interface EquityDistributionsParameters extends LogReaderOptions {
  /** The deal's equity waterfall (`equitySnapshot(…).waterfall`). */
  waterfall: Address;
  /**
   * First block to read (default: the waterfall's creation block, found by a search over `eth_getCode` — pass the
   * deal's creation block, e.g. the address book's `blockNumber`, to save the search).
   */
  fromBlock?: BlockNumber | BlockTag;
  /** Last block to read (default: latest). */
  toBlock?: BlockNumber | BlockTag;
}

export interface EquityDistributionsReturnType {
  /** `EquityStarted`: each class's contribution and the accrual clock's start; undefined before any distribution. */
  started: { contributed: bigint[]; startedAt: bigint; blockNumber: bigint } | undefined;
  /** Every `EquityDistributed`, in order, decoded. */
  distributions: EquityDistribution[];
  /** Every `CapitalEventDeposited`: who deposited sale or refinancing proceeds, how much, in which transaction. */
  capitalEvents: {
    depositor: Address;
    amount: bigint;
    blockNumber: bigint;
    transactionHash: Hash;
  }[];
}

/**
 * The history of a deal's equity waterfall, rebuilt from its events (`EquityStarted`, `EquityDistributed`,
 * `CapitalEventDeposited`) read in bounded, retried ranges (`sdk/logs.ts`): every distribution decoded into what each
 * tier paid each class and the classes' state after it. `equityStatements` turns them into statements, and
 * `dealHistory` joins each period's to the period.
 *
 * @example
 * const equity = await auditor.equitySnapshot({ deal });
 * const { distributions } = await auditor.equityDistributions({ waterfall: equity.waterfall });
 * const statements = equityStatements(distributions, equity.facts);
 */
export async function equityDistributions(
  client: CascadeClient,
  params: EquityDistributionsParameters,
): Promise<EquityDistributionsReturnType> {
  return withErrors(async () => {
    const [logs] = await readDealEvents(client, {
      ...params,
      deal: params.waterfall,
      sources: [
        {
          address: params.waterfall,
          abi: equityWaterfallAbi,
          eventName: ["EquityStarted", "EquityDistributed", "CapitalEventDeposited"],
        },
      ],
    });
    const out: EquityDistributionsReturnType = {
      started: undefined,
      distributions: [],
      capitalEvents: [],
    };
    for (const log of logs) {
      // A pending log is no distribution yet.
      if (log.blockNumber === null || log.transactionHash === null || log.logIndex === null)
        continue;
      switch (log.eventName) {
        case "EquityStarted":
          out.started = {
            contributed: [...log.args.contributed],
            startedAt: BigInt(log.args.startedAt),
            blockNumber: log.blockNumber,
          };
          break;
        case "EquityDistributed":
          out.distributions.push(
            decodeEquityDistributed(log.args, {
              blockNumber: log.blockNumber,
              transactionHash: log.transactionHash,
              logIndex: log.logIndex,
            }),
          );
          break;
        case "CapitalEventDeposited":
          out.capitalEvents.push({
            depositor: log.args.depositor,
            amount: log.args.amount,
            blockNumber: log.blockNumber,
            transactionHash: log.transactionHash,
          });
          break;
        default:
          break;
      }
    }
    return out;
  });
}
