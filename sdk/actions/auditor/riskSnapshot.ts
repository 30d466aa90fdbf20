import type { Address, BlockNumber, BlockTag } from "viem";
import { getBlockNumber, readContract } from "viem/actions";

import { withErrors, type CascadeClient } from "../../client.js";
import { dealAbi, riskEngineAbi } from "../../generated/abis.js";
import {
  dealStatusName,
  DepreciationMethod,
  FleetEntryStatus,
  RiskMetric,
  TriggerComparison,
  TriggerEffect,
  type FleetEntryTerms,
  type PeriodStatement,
  type TriggerTerms,
} from "../../types.js";
import type { LogReaderOptions } from "../../logs.js";
import { lastPeriodStatement } from "./periodStatements.js";

export interface RiskSnapshotParameters extends LogReaderOptions {
  deal: Address;
  /** Reads state at this block (default: latest). */
  blockNumber?: bigint;
  /**
   * Where the search for the last `PeriodDistributed` event ends, going backwards (default: the deal's creation
   * block, found by a search over `eth_getCode`).
   */
  fromBlock?: BlockNumber | BlockTag;
}

/**
 * Headline metrics of the last distributed period, from its statement (the deal's last `PeriodDistributed` event):
 * ratios WAD, 2^256 − 1 when there is nothing to cover. Before the first distribution `assessed` is false and every
 * figure is zero.
 */
export interface LastPeriodMetrics {
  assessed: boolean;
  period: bigint;
  dscr: bigint;
  trailingDscr: bigint;
  utilization: bigint;
  ltv: bigint;
  seniorCurve: bigint;
  breakEvenUtilization: bigint;
  collateralValue: bigint;
  servicerShortfall: bigint;
  /** The order the period's waterfall ran in (Active, CashTrap or Accelerated). */
  mode: number;
  modeName: string;
}

/** The headline metrics of a period's statement; those of no period (`undefined`) read as not assessed. */
export function lastPeriodMetrics(statement: PeriodStatement | undefined): LastPeriodMetrics {
  const m = statement?.metrics;
  const mode = statement?.mode ?? 0;
  return {
    assessed: statement !== undefined,
    period: statement?.period ?? 0n,
    dscr: m?.dscr ?? 0n,
    trailingDscr: m?.trailingDscr ?? 0n,
    utilization: m?.utilization ?? 0n,
    ltv: m?.ltv ?? 0n,
    seniorCurve: m?.seniorCurve ?? 0n,
    breakEvenUtilization: m?.breakEvenUtilization ?? 0n,
    collateralValue: m?.collateralValue ?? 0n,
    servicerShortfall: m?.servicerShortfall ?? 0n,
    mode,
    modeName: dealStatusName(mode),
  };
}

/** Name of a value of a `{ Name: value }` enum object. */
function nameOf<T extends Record<string, number>>(e: T, v: number): keyof T | "Unknown" {
  const entry = Object.entries(e).find(([, x]) => x === v);
  return entry ? (entry[0] as keyof T) : "Unknown";
}

/** A covenant trigger with readable names and its current state. */
export interface TriggerSnapshot extends TriggerTerms {
  index: number;
  metricName: keyof typeof RiskMetric | "Unknown";
  comparisonName: keyof typeof TriggerComparison | "Unknown";
  effectName: keyof typeof TriggerEffect | "Unknown";
  /** Consecutive periods in breach (saturating at 255). */
  consecutive: bigint;
  active: boolean;
  /** e.g. `Dscr < 1.150000 for 2 periods → CashTrap (cures)`. */
  description: string;
}

/** A fleet entry with its GPUs still in the fleet. */
export interface FleetEntrySnapshot extends FleetEntryTerms {
  id: number;
  /** The model as text (bytes16, zero bytes trimmed). */
  modelName: string;
  methodName: keyof typeof DepreciationMethod | "Unknown";
  activeCount: bigint;
  /** Only confirmed entries count as collateral; entries added after creation wait for the trustee. */
  status: FleetEntryStatus;
  statusName: keyof typeof FleetEntryStatus | "Unknown";
}

export interface RiskSnapshotReturnType {
  deal: Address;
  riskEngine: Address;
  blockNumber: bigint;
  config: {
    priceFeed: Address;
    feedDecimals: number;
    maxStaleness: number;
    trailingPeriods: number;
    cleanUpBps: number;
    turbo: boolean;
    waiverVotingPeriod: number;
    /** Seconds an appraisal mark stays in force (0: the deal does not mark to appraisals). */
    appraisalMaxAge: number;
    /** The deal's capacity × hours in a period (GPU-hours or kWh): the Occupancy covenant's denominator. */
    capacity: bigint;
  };
  status: number;
  statusName: string;
  /**
   * Collateral value now (the confirmed fleet's book value, capped by the index-implied value of marked entries or by
   * an appraisal in force, plus the recovery account) and the confirmed fleet's book value alone.
   */
  collateralValue: bigint;
  bookValue: bigint;
  /** The deal's recovery account, counted in the collateral value at par. */
  recoveries: bigint;
  /** The index used now, and whether it is the feed's live answer (else the last accepted one). */
  priceIndex: bigint;
  priceIndexLive: boolean;
  /**
   * The latest appraisal recorded (`RiskEngine.appraisal()`; value 0: none), as of the end of `period`, and whether
   * it caps the fleet now.
   */
  appraisal: { value: bigint; asOf: bigint; period: number; inForce: boolean };
  notesOutstanding: bigint;
  seniorOutstanding: bigint;
  seniorFace: bigint;
  /** WAD ratios now; 2^256 − 1 when there is debt and no collateral (or nothing to cover, for reserveLevel). */
  ltv: bigint;
  seniorCurve: bigint;
  reserve: bigint;
  reserveTarget: bigint;
  reserveLevel: bigint;
  cleanUpCallable: boolean;
  /** Headline metrics of the last distributed period, from its `PeriodDistributed` statement. */
  last: LastPeriodMetrics;
  triggers: TriggerSnapshot[];
  /** Bitmask of the active triggers. */
  activeMask: bigint;
  fleet: FleetEntrySnapshot[];
  ballot: { id: bigint; deadline: bigint; yes: bigint; no: bigint; executed: boolean };
}

function ratio(wad: bigint): string {
  const v = (wad * 1_000_000n) / 10n ** 18n;
  return `${v / 1_000_000n}.${(v % 1_000_000n).toString().padStart(6, "0")}`;
}

/** Text of a trigger: `Dscr < 1.150000 for 2 periods → CashTrap (cures)`. */
export function describeTrigger(t: TriggerTerms): string {
  const metric = nameOf(RiskMetric, t.metric);
  const op = t.comparison === TriggerComparison.Below ? "<" : ">";
  const periods = `${t.periods} period${t.periods === 1 ? "" : "s"}`;
  const effect = nameOf(TriggerEffect, t.effect);
  return `${String(metric)} ${op} ${ratio(t.threshold)} for ${periods} → ${String(effect)} (${t.cures ? "cures" : "latches"})`;
}

/** Text of a bytes16 model name, trailing zero bytes trimmed. */
export function bytes16ToText(model: `0x${string}`): string {
  const hex = model.slice(2).replace(/(00)+$/, "");
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return new TextDecoder().decode(bytes);
}

/**
 * The whole risk state of a deal at one block (`RiskEngine.riskSnapshot` plus its fleet, and the last period's
 * metrics from the deal's last `PeriodDistributed` statement), with readable names.
 */
export async function riskSnapshot(
  client: CascadeClient,
  params: RiskSnapshotParameters,
): Promise<RiskSnapshotReturnType> {
  return withErrors(async () => {
    const blockNumber = params.blockNumber ?? (await getBlockNumber(client, { cacheTime: 0 }));
    const riskEngine = await readContract(client, {
      address: params.deal,
      abi: dealAbi,
      functionName: "riskEngine",
      blockNumber,
    });
    const engine = { address: riskEngine, abi: riskEngineAbi, blockNumber } as const;
    const s = await readContract(client, { ...engine, functionName: "riskSnapshot" });
    const activeMask = await readContract(client, { ...engine, functionName: "activeTriggers" });
    const [mark, inForce] = await readContract(client, { ...engine, functionName: "appraisal" });
    const lastStatement = await lastPeriodStatement(client, { ...params, toBlock: blockNumber });
    const fleet = await Promise.all(
      Array.from({ length: Number(s.fleetEntries) }, async (_, id): Promise<FleetEntrySnapshot> => {
        const e = await readContract(client, {
          ...engine,
          functionName: "fleetEntry",
          args: [BigInt(id)],
        });
        return {
          id,
          ...e.terms,
          modelName: bytes16ToText(e.terms.model),
          methodName: nameOf(DepreciationMethod, e.terms.method),
          activeCount: e.activeCount,
          status: e.status as FleetEntryStatus,
          statusName: nameOf(FleetEntryStatus, e.status),
        };
      }),
    );
    return {
      deal: params.deal,
      riskEngine,
      blockNumber,
      config: {
        priceFeed: s.config.priceFeed,
        feedDecimals: s.config.feedDecimals,
        maxStaleness: s.config.maxStaleness,
        trailingPeriods: s.config.trailingPeriods,
        cleanUpBps: s.config.cleanUpBps,
        turbo: s.config.turbo,
        waiverVotingPeriod: s.config.waiverVotingPeriod,
        appraisalMaxAge: s.config.appraisalMaxAge,
        capacity: s.config.capacity,
      },
      status: s.status,
      statusName: dealStatusName(s.status),
      collateralValue: s.collateralValue,
      bookValue: s.bookValue,
      recoveries: s.recoveries,
      priceIndex: s.priceIndex,
      priceIndexLive: s.priceIndexLive,
      appraisal: { value: mark.value, asOf: mark.asOf, period: Number(mark.period), inForce },
      notesOutstanding: s.notesOutstanding,
      seniorOutstanding: s.seniorOutstanding,
      seniorFace: s.seniorFace,
      ltv: s.ltv,
      seniorCurve: s.seniorCurve,
      reserve: s.reserve,
      reserveTarget: s.reserveTarget,
      reserveLevel: s.reserveLevel,
      cleanUpCallable: s.cleanUpCallable,
      last: lastPeriodMetrics(lastStatement),
      triggers: s.triggers.map((t, index) => ({
        ...t,
        index,
        metricName: nameOf(RiskMetric, t.metric),
        comparisonName: nameOf(TriggerComparison, t.comparison),
        effectName: nameOf(TriggerEffect, t.effect),
        consecutive: s.triggerStates[index].consecutive,
        active: s.triggerStates[index].active,
        description: describeTrigger(t),
      })),
      activeMask,
      fleet,
      ballot: { ...s.ballot },
    };
  });
}
