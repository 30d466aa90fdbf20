import type { Address, BlockNumber, BlockTag, Hash } from "viem";
import { getContractEvents, readContract } from "viem/actions";

import { withErrors, type CascadeClient } from "../../client.js";
import { dealAbi, riskEngineAbi } from "../../generated/abis.js";
import { dealStatusName, type PeriodStatement } from "../../types.js";

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
  /** The order the waterfall ran in (`statement.mode`): Active, CashTrap or Accelerated. */
  modeName: string;
  /** The risk engine's trigger evaluation of the period (`TriggersEvaluated`), if it has triggers. */
  triggers: TriggerEvaluation | undefined;
  /** Triggers that fired / cured at this period, with their metric value. */
  fired: { trigger: number; value: bigint }[];
  cured: { trigger: number; value: bigint }[];
  /** Set when the price feed's answer was refused and the last accepted index was used (`PriceIndexRejected`). */
  indexRejection: { reason: number; answer: bigint; updatedAt: bigint } | undefined;
  /** Principal written off at final maturity (`PrincipalWrittenDown` in the distribution), equity first. */
  writeDowns: { tranche: number; amount: bigint; outstanding: bigint; writtenDown: bigint }[];
  blockNumber: bigint;
  transactionHash: Hash;
}

/** `TriggersEvaluated`: each trigger's metric value, the breached and active masks, byte i = trigger i's count. */
export interface TriggerEvaluation {
  values: readonly bigint[];
  breachedMask: bigint;
  activeMask: bigint;
  counts: bigint;
}

export type PeriodStatementsReturnType = PeriodRecord[];

export interface LastPeriodStatementParameters {
  deal: Address;
  /** First block to search (default 0: the whole chain; pass the deal's creation block on long chains). */
  fromBlock?: BlockNumber | BlockTag;
  /** Last block to search (default: latest). */
  toBlock?: BlockNumber | BlockTag;
}

/** Whether a log was mined (it carries its block and transaction): a pending log is not a distribution yet. */
function isMined<T extends { blockNumber: bigint | null; transactionHash: Hash | null }>(
  log: T,
): log is T & { blockNumber: bigint; transactionHash: Hash } {
  return log.blockNumber !== null && log.transactionHash !== null;
}

/**
 * The statement of the deal's most recent distribution (its last `PeriodDistributed` event up to `toBlock`), or
 * undefined when no period was distributed. Periods are distributed in order, so it is the highest period's.
 */
export async function lastPeriodStatement(
  client: CascadeClient,
  params: LastPeriodStatementParameters,
): Promise<PeriodStatement | undefined> {
  const logs = await withErrors(() =>
    getContractEvents(client, {
      address: params.deal,
      abi: dealAbi,
      eventName: "PeriodDistributed",
      fromBlock: params.fromBlock ?? 0n,
      toBlock: params.toBlock ?? "latest",
      strict: true,
    }),
  );
  return logs.filter(isMined).at(-1)?.args.statement;
}

/** Every distributed period of a deal, rebuilt from the events of the deal and its risk engine, by period. */
export async function periodStatements(
  client: CascadeClient,
  params: PeriodStatementsParameters,
): Promise<PeriodStatementsReturnType> {
  const range = { fromBlock: params.fromBlock ?? 0n, toBlock: params.toBlock ?? "latest" } as const;
  const [logs, riskLogs] = await withErrors(async () => {
    const engine = await readContract(client, {
      address: params.deal,
      abi: dealAbi,
      functionName: "riskEngine",
    });
    return Promise.all([
      getContractEvents(client, { address: params.deal, abi: dealAbi, ...range, strict: true }),
      getContractEvents(client, { address: engine, abi: riskEngineAbi, ...range, strict: true }),
    ]);
  });

  interface RiskSteps {
    triggers: TriggerEvaluation | undefined;
    fired: { trigger: number; value: bigint }[];
    cured: { trigger: number; value: bigint }[];
    indexRejection: { reason: number; answer: bigint; updatedAt: bigint } | undefined;
  }
  const risk = new Map<bigint, RiskSteps>();
  const riskOf = (period: bigint): RiskSteps => {
    let r = risk.get(period);
    if (!r) {
      r = { triggers: undefined, fired: [], cured: [], indexRejection: undefined };
      risk.set(period, r);
    }
    return r;
  };
  for (const log of riskLogs) {
    switch (log.eventName) {
      case "TriggersEvaluated":
        riskOf(log.args.period).triggers = {
          values: log.args.values,
          breachedMask: log.args.breachedMask,
          activeMask: log.args.activeMask,
          counts: log.args.counts,
        };
        break;
      case "TriggerFired":
        riskOf(log.args.period).fired.push({
          trigger: Number(log.args.trigger),
          value: log.args.value,
        });
        break;
      case "TriggerCured":
        riskOf(log.args.period).cured.push({
          trigger: Number(log.args.trigger),
          value: log.args.value,
        });
        break;
      case "PriceIndexRejected":
        riskOf(log.args.period).indexRejection = {
          reason: log.args.reason,
          answer: log.args.answer,
          updatedAt: log.args.updatedAt,
        };
        break;
      default:
        break;
    }
  }
  /** Write-downs by transaction: those of a distribution belong to its final period. */
  const writeDowns = new Map<string, PeriodRecord["writeDowns"]>();

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
      case "PrincipalWrittenDown": {
        const key = log.transactionHash ?? "";
        const list = writeDowns.get(key) ?? [];
        list.push({
          tranche: Number(log.args.tranche),
          amount: log.args.amount,
          outstanding: log.args.outstanding,
          writtenDown: log.args.writtenDown,
        });
        writeDowns.set(key, list);
        break;
      }
      case "PeriodDistributed": {
        if (!isMined(log)) break;
        const s = stepsOf(log.args.period);
        const r = riskOf(log.args.period);
        records.push({
          statement: log.args.statement,
          ...s,
          modeName: dealStatusName(log.args.statement.mode),
          ...r,
          writeDowns: writeDowns.get(log.transactionHash) ?? [],
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
