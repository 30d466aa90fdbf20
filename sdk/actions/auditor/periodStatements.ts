import { encodeEventTopics, type Address, type BlockNumber, type BlockTag, type Hash } from "viem";
import { getBlock, getBlockNumber, readContract } from "viem/actions";

import { withErrors, type CascadeClient } from "../../client.js";
import { dealAbi, riskEngineAbi } from "../../generated/abis.js";
import { dealLogRange, readContractEvents, type LogReaderOptions } from "../../logs.js";
import { couponRate, principalDue, scheduledOutstandingUp } from "../../models/waterfall.js";
import {
  CouponType,
  dealStatusName,
  type CouponTerms,
  type PeriodStatement,
  type PrincipalTerms,
} from "../../types.js";

export interface PeriodStatementsParameters extends LogReaderOptions {
  deal: Address;
  /**
   * First block to read (default: the deal's creation block, found by a search over `eth_getCode` — pass it, e.g.
   * the address book's `blockNumber`, to save the search).
   */
  fromBlock?: BlockNumber | BlockTag;
  /** Last block to read (default: latest). */
  toBlock?: BlockNumber | BlockTag;
}

/**
 * One distributed period: its statement (the `PeriodDistributed` event, the whole record of the period), the
 * conditional events of its distribution and of the risk engine, and two figures the SDK derives from the note's
 * terms. Note arrays are by rank. Copied from the statement: `interestDue`, `outstanding`, the fee arrears, `keeper`,
 * `residualRecipient`; derived: `rates`, `principalDue` (the deal's views and the SDK's models) and
 * `interestArrears` (interestDue − interestPaid).
 */
export interface PeriodRecord {
  statement: PeriodStatement;
  /**
   * Annual coupon rate (WAD) of each note. Derived: `couponRate(coupon, statement.utilization)`, or the floor of a
   * utilization-linked coupon in an unreported period, from the note's terms (`Deal.tranche(i).coupon`).
   */
  rates: bigint[];
  /** Interest due of each note, arrears included (`statement.interestDue`). */
  interestDue: bigint[];
  /** Interest arrears of each note after the period. Derived: `statement.interestDue − statement.interestPaid`. */
  interestArrears: bigint[];
  /**
   * Scheduled principal due of each note, shortfalls of earlier periods included. Derived from the note's terms
   * (`Deal.tranche(i)`: `issued`, principal schedule) and its outstanding before the period (`statement.outstanding`
   * + `statement.principalPaid`, less written-down principal the distribution recovered, `RecoveryApplied`):
   * `principalDue(before, scheduledOutstandingUp(issued, principal, period, periodCount))`.
   */
  principalDue: bigint[];
  /** Outstanding principal of each note after the period's payment (`statement.outstanding`). */
  outstanding: bigint[];
  /** Trustee fee unpaid after the period (`statement.trusteeFeeArrears`). */
  trusteeFeeArrears: bigint;
  /** Servicer fee unpaid after the period (`statement.servicerFeeArrears`). */
  servicerFeeArrears: bigint;
  /** Who ran the period and earned `statement.keeperBountyPaid` (`statement.keeper`). */
  keeper: Address;
  /** For an unreported period, the deal's count of missed reports after it (`ReportMissed`); else undefined. */
  missedReports: bigint | undefined;
  /** Who received the residual: the equity token or the issuer (`statement.residualRecipient`). */
  residualRecipient: Address;
  /** The order the waterfall ran in (`statement.mode`): Active, CashTrap or Accelerated. */
  modeName: string;
  /** The risk engine's trigger evaluation of the period (`TriggersEvaluated`), if it has triggers. */
  triggers: TriggerEvaluation | undefined;
  /** Triggers that fired / cured at this period, with their metric value. */
  fired: { trigger: number; value: bigint }[];
  cured: { trigger: number; value: bigint }[];
  /** Set when the price feed's answer was refused and the last accepted index was used (`PriceIndexRejected`). */
  indexRejection: { reason: number; answer: bigint; updatedAt: bigint } | undefined;
  /**
   * The appraisal of the collateral the period's final report carried, recorded as of its end (`AppraisalRecorded`;
   * deals that mark to appraisals); else undefined.
   */
  appraisalRecorded: bigint | undefined;
  /** Principal written off at final maturity (`PrincipalWrittenDown` in the distribution), equity first. */
  writeDowns: { tranche: number; amount: bigint; outstanding: bigint; writtenDown: bigint }[];
  /**
   * A site: the rent its tenant deals paid that this period counted as cash (`RentReceived` of the period), in the
   * order received; their sum is `statement.rentIn`.
   */
  rentReceipts: RentReceipt[];
  blockNumber: bigint;
  transactionHash: Hash;
}

/** A tenant deal's rent, as a site received it (`RentReceived`). */
export interface RentReceipt {
  tenant: Address;
  /** The tenant's period the rent was paid for. */
  tenantPeriod: bigint;
  amount: bigint;
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

/** A note's terms, as the derived figures of a record need them. */
interface NoteTerms {
  coupon: CouponTerms;
  principal: PrincipalTerms;
  issued: bigint;
}

/**
 * The coupon rate and scheduled principal of each note in the period of `statement`, as `Deal` computed them:
 * `recovered[i]` is written-down principal of note i the distribution repaid (counted in `principalPaid`).
 */
function derivedNoteFigures(
  statement: PeriodStatement,
  notes: readonly NoteTerms[],
  periodCount: bigint,
  recovered: readonly bigint[],
): { rates: bigint[]; principalDue: bigint[] } {
  const rates: bigint[] = [];
  const due: bigint[] = [];
  for (let i = 0; i < statement.outstanding.length; i++) {
    const { coupon, principal, issued } = notes[i];
    // Without a report, a utilization-linked coupon falls to its floor.
    rates.push(
      !statement.reported && coupon.couponType === CouponType.UtilizationLinked
        ? coupon.floorRate
        : couponRate(coupon, statement.utilization),
    );
    const before = statement.outstanding[i] + statement.principalPaid[i] - (recovered[i] ?? 0n);
    due.push(
      principalDue(
        before,
        scheduledOutstandingUp(issued, principal, statement.period, periodCount),
      ),
    );
  }
  return { rates, principalDue: due };
}

export type PeriodStatementsReturnType = PeriodRecord[];

export interface LastPeriodStatementParameters extends LogReaderOptions {
  deal: Address;
  /** First block to search (default: the deal's creation block, found by a search over `eth_getCode`). */
  fromBlock?: BlockNumber | BlockTag;
  /** Last block to search (default: latest). */
  toBlock?: BlockNumber | BlockTag;
}

/** The events of the deal and of its risk engine a period's record is built from. */
const DEAL_EVENTS = [
  "ReportMissed",
  "RecoveryApplied",
  "RecoveriesDeposited",
  "PrincipalWrittenDown",
  "PeriodDistributed",
  "RentReceived",
] as const;
const RISK_EVENTS = [
  "TriggersEvaluated",
  "TriggerFired",
  "TriggerCured",
  "PriceIndexRejected",
  "AppraisalRecorded",
] as const;

/** Whether a log was mined (it carries its block and transaction): a pending log is not a distribution yet. */
function isMined<T extends { blockNumber: bigint | null; transactionHash: Hash | null }>(
  log: T,
): log is T & { blockNumber: bigint; transactionHash: Hash } {
  return log.blockNumber !== null && log.transactionHash !== null;
}

/**
 * The statement of the deal's most recent distribution (its last `PeriodDistributed` event up to `toBlock`), or
 * undefined when no period was distributed. Periods are distributed in order, so it is that of period
 * `nextPeriod − 1` (read at `toBlock`): its event is looked for from `toBlock` backwards, in bounded ranges.
 *
 * @example
 * const last = await lastPeriodStatement(client, { deal, fromBlock: record.blockNumber });
 */
export async function lastPeriodStatement(
  client: CascadeClient,
  params: LastPeriodStatementParameters,
): Promise<PeriodStatement | undefined> {
  return withErrors(async () => {
    const tag = params.toBlock ?? "latest";
    const toBlock =
      typeof tag === "bigint"
        ? tag
        : tag === "latest" || tag === "pending"
          ? await getBlockNumber(client, { cacheTime: 0 })
          : (await getBlock(client, { blockTag: tag })).number;
    const next = await readContract(client, {
      address: params.deal,
      abi: dealAbi,
      functionName: "nextPeriod",
      blockNumber: toBlock,
    });
    if (next === 0n) return undefined;
    const range = await dealLogRange(client, { ...params, toBlock });
    if (range === undefined) return undefined;
    const [, ...indexedTopics] = encodeEventTopics({
      abi: dealAbi,
      eventName: "PeriodDistributed",
      args: { period: next - 1n },
    });
    const [logs] = await readContractEvents(client, {
      ...params,
      sources: [{ address: params.deal, abi: dealAbi, eventName: "PeriodDistributed" }],
      indexedTopics,
      ...range,
      stop: "first",
      direction: "backward",
    });
    return logs.filter(isMined).at(-1)?.args.statement;
  });
}

/**
 * Every distributed period of a deal, rebuilt from the events of the deal and its risk engine, by period. The events
 * are read from the deal's creation block (or `fromBlock`) to `toBlock` in bounded, retried ranges (`sdk/logs.ts`),
 * the deal's and its risk engine's in the same requests.
 *
 * @example
 * const records = await auditor.periodStatements({ deal, fromBlock: record.blockNumber });
 */
export async function periodStatements(
  client: CascadeClient,
  params: PeriodStatementsParameters,
): Promise<PeriodStatementsReturnType> {
  const deal = { address: params.deal, abi: dealAbi } as const;
  // The views are read while the events are: the notes' terms and issued amounts are fixed once the offerings
  // settled, and a note's record needs them only to derive its figures.
  const [[logs, riskLogs], periodCount, terms] = await withErrors(async () => {
    const [engine, range, periodCount, trancheCount] = await Promise.all([
      readContract(client, { ...deal, functionName: "riskEngine" }),
      dealLogRange(client, params),
      readContract(client, { ...deal, functionName: "periodCount" }),
      readContract(client, { ...deal, functionName: "trancheCount" }),
    ]);
    return Promise.all([
      range === undefined
        ? ([[], []] as const)
        : readContractEvents(client, {
            ...params,
            ...range,
            sources: [
              { address: params.deal, abi: dealAbi, eventName: DEAL_EVENTS },
              { address: engine, abi: riskEngineAbi, eventName: RISK_EVENTS },
            ],
          }),
      periodCount,
      Promise.all(
        Array.from({ length: Number(trancheCount) }, (_, i) =>
          readContract(client, { ...deal, functionName: "tranche", args: [BigInt(i)] }),
        ),
      ),
    ]);
  });

  interface RiskSteps {
    triggers: TriggerEvaluation | undefined;
    fired: { trigger: number; value: bigint }[];
    cured: { trigger: number; value: bigint }[];
    indexRejection: { reason: number; answer: bigint; updatedAt: bigint } | undefined;
    appraisalRecorded: bigint | undefined;
  }
  const risk = new Map<bigint, RiskSteps>();
  const riskOf = (period: bigint): RiskSteps => {
    let r = risk.get(period);
    if (!r) {
      r = {
        triggers: undefined,
        fired: [],
        cured: [],
        indexRejection: undefined,
        appraisalRecorded: undefined,
      };
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
      case "AppraisalRecorded":
        riskOf(log.args.period).appraisalRecorded = log.args.value;
        break;
      default:
        break;
    }
  }
  /** Write-downs by transaction: those of a distribution belong to its final period. */
  const writeDowns = new Map<string, PeriodRecord["writeDowns"]>();
  /** `ReportMissed` comes before the `PeriodDistributed` event of its period. */
  const missed = new Map<bigint, bigint>();
  /**
   * Written-down principal recovered by a distribution, by note (`RecoveryApplied` before its `PeriodDistributed`
   * in the same transaction; a deposit of recoveries ends with `RecoveriesDeposited` instead).
   */
  const recovering = new Map<string, bigint[]>();
  /** A site's rent receipts, by the period whose distribution counts them. */
  const receipts = new Map<bigint, RentReceipt[]>();

  const found: {
    record: Omit<PeriodRecord, "rates" | "principalDue" | "rentReceipts">;
    recovered: bigint[];
  }[] = [];
  for (const log of logs) {
    switch (log.eventName) {
      case "ReportMissed":
        missed.set(log.args.period, log.args.missedReports);
        break;
      case "RecoveryApplied": {
        const key = log.transactionHash ?? "";
        const list = recovering.get(key) ?? [];
        const i = Number(log.args.tranche);
        list[i] = (list[i] ?? 0n) + log.args.recovered;
        recovering.set(key, list);
        break;
      }
      case "RecoveriesDeposited":
        recovering.delete(log.transactionHash ?? "");
        break;
      case "RentReceived": {
        if (!isMined(log)) break;
        const list = receipts.get(log.args.period) ?? [];
        list.push({
          tenant: log.args.tenant,
          tenantPeriod: log.args.tenantPeriod,
          amount: log.args.amount,
          blockNumber: log.blockNumber,
          transactionHash: log.transactionHash,
        });
        receipts.set(log.args.period, list);
        break;
      }
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
        const statement = log.args.statement;
        const period = statement.period;
        found.push({
          record: {
            statement,
            interestDue: [...statement.interestDue],
            interestArrears: statement.interestDue.map((due, i) => due - statement.interestPaid[i]),
            outstanding: [...statement.outstanding],
            trusteeFeeArrears: statement.trusteeFeeArrears,
            servicerFeeArrears: statement.servicerFeeArrears,
            keeper: statement.keeper,
            missedReports: missed.get(period),
            residualRecipient: statement.residualRecipient,
            modeName: dealStatusName(statement.mode),
            ...riskOf(period),
            writeDowns: writeDowns.get(log.transactionHash) ?? [],
            blockNumber: log.blockNumber,
            transactionHash: log.transactionHash,
          },
          recovered: recovering.get(log.transactionHash) ?? [],
        });
        missed.delete(period);
        recovering.delete(log.transactionHash);
        break;
      }
      default:
        break;
    }
  }
  return found
    .map(({ record, recovered }) => ({
      ...record,
      rentReceipts: receipts.get(record.statement.period) ?? [],
      ...derivedNoteFigures(record.statement, terms, periodCount, recovered),
    }))
    .sort((a, b) => (a.statement.period < b.statement.period ? -1 : 1));
}
