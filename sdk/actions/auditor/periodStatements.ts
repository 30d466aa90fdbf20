import type { Address, BlockNumber, BlockTag, Hash } from "viem";
import { getContractEvents } from "viem/actions";

import { withErrors, type CascadeClient } from "../../client.js";
import { dealAbi } from "../../generated/abis.js";
import type { PeriodStatement } from "../../types.js";

export interface PeriodStatementsParameters {
  deal: Address;
  /** First block to search (default 0: the whole chain; pass the deal's creation block on long chains). */
  fromBlock?: BlockNumber | BlockTag;
  toBlock?: BlockNumber | BlockTag;
}

/** One distributed period as its events tell it: the statement plus what the step events add. */
export interface PeriodRecord {
  statement: PeriodStatement;
  /** Annual coupon rate (WAD) of each note (`InterestPaid.rate`). */
  rates: bigint[];
  /** Interest due of each note, arrears included. */
  interestDue: bigint[];
  /** Interest arrears of each note after the period. */
  interestArrears: bigint[];
  principalDue: bigint[];
  /** Outstanding principal of each note after the period. */
  outstanding: bigint[];
  trusteeFeeArrears: bigint;
  servicerFeeArrears: bigint;
  /** Who ran the period and earned `statement.keeperBountyPaid` (`KeeperPaid.keeper`). */
  keeper: Address | undefined;
  /** For an unreported period, the deal's count of missed reports after it (`ReportMissed`); else undefined. */
  missedReports: bigint | undefined;
  /** Who received the residual: the equity token or the issuer. */
  residualRecipient: Address | undefined;
  blockNumber: bigint;
  transactionHash: Hash;
}

export type PeriodStatementsReturnType = PeriodRecord[];

/** Every distributed period of a deal, rebuilt from the deal's events alone, ordered by period. */
export async function periodStatements(
  client: CascadeClient,
  params: PeriodStatementsParameters,
): Promise<PeriodStatementsReturnType> {
  const logs = await withErrors(() =>
    getContractEvents(client, {
      address: params.deal,
      abi: dealAbi,
      fromBlock: params.fromBlock ?? 0n,
      toBlock: params.toBlock ?? "latest",
      strict: true,
    }),
  );

  // Step events come before the PeriodDistributed event of the same period; collect them by period.
  interface Steps {
    rates: bigint[];
    interestDue: bigint[];
    interestArrears: bigint[];
    principalDue: bigint[];
    outstanding: bigint[];
    trusteeFeeArrears: bigint;
    servicerFeeArrears: bigint;
    keeper: Address | undefined;
    missedReports: bigint | undefined;
    residualRecipient: Address | undefined;
  }
  const steps = new Map<bigint, Steps>();
  const stepsOf = (period: bigint): Steps => {
    let s = steps.get(period);
    if (!s) {
      s = {
        rates: [],
        interestDue: [],
        interestArrears: [],
        principalDue: [],
        outstanding: [],
        trusteeFeeArrears: 0n,
        servicerFeeArrears: 0n,
        keeper: undefined,
        missedReports: undefined,
        residualRecipient: undefined,
      };
      steps.set(period, s);
    }
    return s;
  };

  const records: PeriodRecord[] = [];
  for (const log of logs) {
    switch (log.eventName) {
      case "KeeperPaid":
        stepsOf(log.args.period).keeper = log.args.keeper;
        break;
      case "ReportMissed":
        stepsOf(log.args.period).missedReports = log.args.missedReports;
        break;
      case "FeesPaid": {
        const s = stepsOf(log.args.period);
        s.trusteeFeeArrears = log.args.trusteeArrears;
        s.servicerFeeArrears = log.args.servicerArrears;
        break;
      }
      case "InterestPaid": {
        const s = stepsOf(log.args.period);
        const i = Number(log.args.tranche);
        s.rates[i] = log.args.rate;
        s.interestDue[i] = log.args.due;
        s.interestArrears[i] = log.args.arrears;
        break;
      }
      case "PrincipalPaid": {
        const s = stepsOf(log.args.period);
        const i = Number(log.args.tranche);
        s.principalDue[i] = log.args.due;
        s.outstanding[i] = log.args.outstanding;
        break;
      }
      case "ResidualPaid":
        stepsOf(log.args.period).residualRecipient = log.args.recipient;
        break;
      case "PeriodDistributed": {
        // Logs of mined blocks always carry these; a pending log is not a distribution yet.
        if (log.blockNumber === null || log.transactionHash === null) break;
        const s = stepsOf(log.args.period);
        records.push({
          statement: log.args.statement,
          ...s,
          blockNumber: log.blockNumber,
          transactionHash: log.transactionHash,
        });
        steps.delete(log.args.period);
        break;
      }
      default:
        break;
    }
  }
  return records.sort((a, b) => (a.statement.period < b.statement.period ? -1 : 1));
}
