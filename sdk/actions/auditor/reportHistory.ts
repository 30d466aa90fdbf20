import { encodeEventTopics, type Address, type BlockNumber, type BlockTag, type Hex } from "viem";
import { getBlockNumber } from "viem/actions";

import { withErrors, type CascadeClient } from "../../client.js";
import { utilizationOracleAbi } from "../../generated/abis.js";
import { dealLogRange, readContractEvents, type LogReaderOptions } from "../../logs.js";
import { oracleOf } from "../reporter/prepareReport.js";

export interface ReportHistoryParameters extends LogReaderOptions {
  deal: Address;
  /** The oracle (default: the deal's). */
  oracle?: Address;
  /** Where the search starts (default: the deal's creation block). */
  fromBlock?: BlockNumber | BlockTag;
  /** Reads up to this block (default: latest). */
  blockNumber?: bigint;
}

/** One round of a period's report: what the reporters signed and who signed it, and the dispute that voided it. */
export interface ReportRound {
  round: number;
  /** The reporters whose EIP-712 signatures made the quorum, ascending. */
  signers: Address[];
  gpuHoursAvailable: bigint;
  gpuHoursBilled: bigint;
  revenue: bigint;
  reportHash: Hex;
  /** End of the round's dispute window. */
  finalAt: bigint;
  blockNumber: bigint;
  /** The dispute that voided this round (the next round reopened the period), if any. */
  disputed: { by: Address; reason: Hex; blockNumber: bigint } | undefined;
}

/** A period's reports from the oracle's events: every round proposed, and whether one was finalized or none came. */
export interface ReportHistoryEntry {
  period: bigint;
  rounds: ReportRound[];
  /** `ReportFinalized` was emitted, for this round (finality depends only on time: a final report may lack it). */
  finalizedRound: number | undefined;
  /** The period was marked unreported (`PeriodUnreported`), by this account. */
  unreportedBy: Address | undefined;
}

export type ReportHistoryReturnType = ReportHistoryEntry[];

/**
 * Every report of a deal's periods from the oracle's events (`ReportProposed`, `ReportDisputed`, `ReportFinalized`,
 * `PeriodUnreported`, filtered on the deal's topic): per period, each round's figures and signers and the dispute
 * that voided it. Where a period stands now is `reportStatus`; this is how it got there.
 *
 * @example
 * const history = await auditor.reportHistory({ deal });
 * for (const p of history) console.log(p.period, p.rounds.map((r) => r.signers));
 */
export async function reportHistory(
  client: CascadeClient,
  params: ReportHistoryParameters,
): Promise<ReportHistoryReturnType> {
  return withErrors(async () => {
    const blockNumber = params.blockNumber ?? (await getBlockNumber(client, { cacheTime: 0 }));
    const [oracle, range] = await Promise.all([
      params.oracle ?? oracleOf(client, params.deal),
      dealLogRange(client, { ...params, toBlock: blockNumber }),
    ]);
    if (range === undefined) return [];
    const [, dealTopic] = encodeEventTopics({
      abi: utilizationOracleAbi,
      eventName: "ReportFinalized",
      args: { deal: params.deal },
    });
    const [logs] = await readContractEvents(client, {
      ...params,
      ...range,
      sources: [
        {
          address: oracle,
          abi: utilizationOracleAbi,
          eventName: ["ReportProposed", "ReportDisputed", "ReportFinalized", "PeriodUnreported"],
        },
      ],
      indexedTopics: [dealTopic],
    });
    const byPeriod = new Map<bigint, ReportHistoryEntry>();
    const entry = (period: bigint) => {
      let e = byPeriod.get(period);
      if (e === undefined) {
        e = { period, rounds: [], finalizedRound: undefined, unreportedBy: undefined };
        byPeriod.set(period, e);
      }
      return e;
    };
    for (const l of logs) {
      if (l.blockNumber === null) continue;
      switch (l.eventName) {
        case "ReportProposed":
          entry(l.args.period).rounds.push({
            round: Number(l.args.round),
            signers: [...l.args.signers],
            gpuHoursAvailable: l.args.gpuHoursAvailable,
            gpuHoursBilled: l.args.gpuHoursBilled,
            revenue: l.args.revenue,
            reportHash: l.args.reportHash,
            finalAt: l.args.finalAt,
            blockNumber: l.blockNumber,
            disputed: undefined,
          });
          break;
        case "ReportDisputed": {
          const round = entry(l.args.period).rounds.find((r) => r.round === Number(l.args.round));
          if (round !== undefined)
            round.disputed = { by: l.args.by, reason: l.args.reason, blockNumber: l.blockNumber };
          break;
        }
        case "ReportFinalized":
          entry(l.args.period).finalizedRound = Number(l.args.round);
          break;
        case "PeriodUnreported":
          entry(l.args.period).unreportedBy = l.args.by;
          break;
      }
    }
    return [...byPeriod.values()].sort((a, b) => (a.period < b.period ? -1 : 1));
  });
}
