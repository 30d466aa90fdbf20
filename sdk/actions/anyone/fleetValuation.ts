import type { Address } from "viem";
import { getBlock, readContract } from "viem/actions";

import { withErrors, type CascadeClient } from "../../client.js";
import { dealAbi, offeringAbi, riskEngineAbi } from "../../generated/abis.js";
import {
  decliningBalanceDown,
  indexImpliedDown,
  ltvUp,
  straightLineDown,
} from "../../models/collateral.js";
import { entryValue, fleetValue } from "../../models/risk.js";
import { DepreciationMethod, FleetEntryStatus, type FleetEntryTerms } from "../../types.js";
import { bytes16ToText } from "../auditor/riskSnapshot.js";

export interface FleetValuationParameters {
  deal: Address;
  /** Values the fleet at this time (unix seconds, e.g. a period's end, when the deal values it); default: the block's. */
  at?: bigint;
  /** Reads state at this block (default: latest). */
  blockNumber?: bigint;
}

/** One fleet entry valued at `at`. */
export interface FleetEntryValuation {
  id: number;
  modelName: string;
  status: FleetEntryStatus;
  statusName: "Pending" | "Confirmed" | "Rejected";
  /** `None`: land, worth its cost for ever. */
  methodName: "StraightLine" | "DecliningBalance" | "None";
  terms: FleetEntryTerms;
  /** GPUs still in the fleet (`count` less those retired). */
  activeCount: bigint;
  /** Unit cost × active GPUs. */
  cost: bigint;
  /** Seconds since acquisition at `at` (0 when acquired later). */
  age: bigint;
  /** Depreciated value of the active GPUs at `at` (whatever the status). */
  bookValue: bigint;
  /** cost × index / index at acquisition, when the entry is marked and an index is available; else undefined. */
  indexImpliedValue: bigint | undefined;
  /**
   * What the entry adds to the collateral before an appraisal mark: the lower of the two for a confirmed entry, zero
   * otherwise.
   */
  collateralValue: bigint;
}

/** The latest appraisal the risk engine recorded (`RiskEngine.appraisal()`), and whether it caps the fleet at `at`. */
export interface AppraisalValuation {
  /** Stablecoin units; 0: none recorded. */
  value: bigint;
  /** The end of the period whose final report carried it. */
  asOf: bigint;
  period: number;
  /** The term sheet's `appraisalMaxAge` (0: the deal does not mark to appraisals). */
  maxAge: number;
  /** It is at most `maxAge` old at `at`: the fleet is worth the lower of its entries' sum and `value`. */
  inForce: boolean;
}

export interface FleetValuationReturnType {
  deal: Address;
  riskEngine: Address;
  blockNumber: bigint;
  /** The block's time. */
  blockTimestamp: bigint;
  /** The valuation time. */
  at: bigint;
  /** The index the deal would use (the feed's live answer, else the last accepted one; 0: book value only). */
  priceIndex: bigint;
  priceIndexLive: boolean;
  priceFeed: Address;
  feedDecimals: number;
  entries: FleetEntryValuation[];
  /** Σ book value of the confirmed entries (`RiskEngine.bookValueAt(at)`). */
  bookValue: bigint;
  /** The recovery account, collateral at par. */
  recoveries: bigint;
  appraisal: AppraisalValuation;
  /**
   * Σ entry collateral values — capped at the appraisal when one is in force at `at` — + recoveries
   * (`RiskEngine.collateralValueAt(at)`).
   */
  collateralValue: bigint;
  notesOutstanding: bigint;
  /** notesOutstanding / collateralValue (WAD, rounded up; 2^256 − 1 with debt and no collateral). */
  ltv: bigint;
  /** Σ face of the notes (their offerings' caps): what is outstanding once they are sold in full. */
  notesFace: bigint;
  /** notesFace / collateralValue (WAD, rounded up): the LTV of a fully sold deal before any repayment. */
  ltvAtFace: bigint;
  /** What the risk engine's own views say at `at`; equal to the figures above. */
  chain: { bookValue: bigint; collateralValue: bigint };
}

/**
 * Values a deal's GPU fleet entry by entry at a time (`at`, default now): each entry's cost, age, depreciated book
 * value from its acquisition date, index-implied value and what it adds to the collateral (confirmed entries only;
 * added entries wait for the trustee), with the totals and LTV the risk engine computes — its own views
 * (`bookValueAt`, `collateralValueAt`) are read beside them. A fleet bought before the deal has aged since its
 * acquisition date.
 * @example
 * const v = await anyone.fleetValuation({ deal, at: periodEnd });
 * console.log(v.entries.map((e) => [e.modelName, e.bookValue, e.indexImpliedValue]), v.ltv);
 */
export async function fleetValuation(
  client: CascadeClient,
  params: FleetValuationParameters,
): Promise<FleetValuationReturnType> {
  return withErrors(async () => {
    const block = await getBlock(
      client,
      params.blockNumber === undefined
        ? { blockTag: "latest" }
        : { blockNumber: params.blockNumber },
    );
    const blockNumber = block.number;
    const riskEngine = await readContract(client, {
      address: params.deal,
      abi: dealAbi,
      functionName: "riskEngine",
      blockNumber,
    });
    const engine = { address: riskEngine, abi: riskEngineAbi, blockNumber } as const;
    const at = params.at ?? block.timestamp;
    const [s, bookValueAt, collateralValueAt, [mark]] = await Promise.all([
      readContract(client, { ...engine, functionName: "riskSnapshot" }),
      readContract(client, { ...engine, functionName: "bookValueAt", args: [at] }),
      readContract(client, { ...engine, functionName: "collateralValueAt", args: [at] }),
      readContract(client, { ...engine, functionName: "appraisal" }),
    ]);
    const raw = await Promise.all(
      Array.from({ length: Number(s.fleetEntries) }, (_, id) =>
        readContract(client, { ...engine, functionName: "fleetEntry", args: [BigInt(id)] }),
      ),
    );
    const trancheCount = await readContract(client, {
      address: params.deal,
      abi: dealAbi,
      functionName: "trancheCount",
      blockNumber,
    });
    // Every tranche but the last (the equity) is a note.
    const caps = await Promise.all(
      Array.from({ length: Number(trancheCount) - 1 }, async (_, i) => {
        const [, offering] = await readContract(client, {
          address: params.deal,
          abi: dealAbi,
          functionName: "trancheContracts",
          args: [BigInt(i)],
          blockNumber,
        });
        const config = await readContract(client, {
          address: offering,
          abi: offeringAbi,
          functionName: "config",
          blockNumber,
        });
        return config.cap;
      }),
    );
    const notesFace = caps.reduce((a, c) => a + c, 0n);
    const index =
      s.config.priceFeed === "0x0000000000000000000000000000000000000000" ? 0n : s.priceIndex;
    const entries = raw.map((e, id): FleetEntryValuation => {
      const t = e.terms;
      const units = e.activeCount;
      const cost = t.unitCost * units;
      const age = at > t.acquiredAt ? at - t.acquiredAt : 0n;
      // Land's residual is its cost: either formula keeps it at cost.
      const bookValue =
        units === 0n
          ? 0n
          : t.method === DepreciationMethod.StraightLine
            ? straightLineDown(cost, t.unitResidual * units, BigInt(t.usefulLife), age)
            : decliningBalanceDown(
                cost,
                t.unitResidual * units,
                t.yearlyRate,
                BigInt(t.usefulLife),
                age,
              );
      const marked = index !== 0n && t.indexAtAcquisition !== 0n;
      const status = e.status as FleetEntryStatus;
      return {
        id,
        modelName: bytes16ToText(t.model),
        status,
        statusName: (["Pending", "Confirmed", "Rejected"] as const)[status],
        methodName: (["StraightLine", "DecliningBalance", "None"] as const)[t.method],
        terms: { ...t },
        activeCount: units,
        cost,
        age,
        bookValue,
        indexImpliedValue: marked ? indexImpliedDown(cost, t.indexAtAcquisition, index) : undefined,
        collateralValue: entryValue(
          { terms: { ...t }, activeCount: Number(units), status },
          at,
          index,
        ),
      };
    });
    const confirmed = entries.filter((e) => e.status === FleetEntryStatus.Confirmed);
    const bookValue = confirmed.reduce((a, e) => a + e.bookValue, 0n);
    const maxAge = s.config.appraisalMaxAge;
    const appraisal: AppraisalValuation = {
      value: mark.value,
      asOf: mark.asOf,
      period: Number(mark.period),
      maxAge,
      inForce: maxAge !== 0 && mark.value !== 0n && at <= mark.asOf + BigInt(maxAge),
    };
    // `RiskEngine._fleetValue`: the entries' sum, capped by the appraisal while it is fresh at `at`.
    const collateralValue =
      fleetValue(
        entries.map((e) => ({
          terms: e.terms,
          activeCount: Number(e.activeCount),
          status: e.status,
        })),
        at,
        index,
        maxAge,
        { value: mark.value, asOf: mark.asOf, period: Number(mark.period) },
      ) + s.recoveries;
    return {
      deal: params.deal,
      riskEngine,
      blockNumber,
      blockTimestamp: block.timestamp,
      at,
      priceIndex: index,
      priceIndexLive: s.priceIndexLive,
      priceFeed: s.config.priceFeed,
      feedDecimals: s.config.feedDecimals,
      entries,
      bookValue,
      recoveries: s.recoveries,
      appraisal,
      collateralValue,
      notesOutstanding: s.notesOutstanding,
      ltv: ltvUp(s.notesOutstanding, collateralValue),
      notesFace,
      ltvAtFace: ltvUp(notesFace, collateralValue),
      chain: { bookValue: bookValueAt, collateralValue: collateralValueAt },
    };
  });
}
