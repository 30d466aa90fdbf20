import type { Address } from "viem";
import { getBlockNumber, readContract } from "viem/actions";

import { withErrors, type CascadeClient } from "../../client.js";
import { dealAbi, equityWaterfallAbi, trancheTokenAbi } from "../../generated/abis.js";
import { BPS } from "../../models/math.js";
import { EquityTier, TrancheKind, type EquityTerms } from "../../types.js";

export interface EquityWaterfallOfParameters {
  deal: Address;
  /** Reads state at this block (default: latest). */
  blockNumber?: bigint;
}

/** The waterfall's address, or undefined for a deal whose single equity class takes the residual. */
export type EquityWaterfallOfReturnType = Address | undefined;

/**
 * The equity waterfall of a deal with several equity classes (the distributor of its equity tokens), or undefined
 * when its single equity class takes the residual from the deal.
 *
 * @example
 * const waterfall = await equityWaterfallOf(client, { deal });
 */
export async function equityWaterfallOf(
  client: CascadeClient,
  params: EquityWaterfallOfParameters,
): Promise<EquityWaterfallOfReturnType> {
  return withErrors(async () => {
    const deal = { address: params.deal, abi: dealAbi, blockNumber: params.blockNumber } as const;
    const count = await readContract(client, { ...deal, functionName: "trancheCount" });
    // The equity classes come after the notes: the last tranche is one.
    const last = await readContract(client, {
      ...deal,
      functionName: "tranche",
      args: [count - 1n],
    });
    if (last.kind !== TrancheKind.Equity) return undefined;
    const distributor = await readContract(client, {
      address: last.token,
      abi: trancheTokenAbi,
      functionName: "distributor",
      blockNumber: params.blockNumber,
    });
    return distributor.toLowerCase() === params.deal.toLowerCase() ? undefined : distributor;
  });
}

export interface EquityWaterfallSnapshotParameters {
  deal: Address;
  /** Reads state at this block (default: latest). */
  blockNumber?: bigint;
}

/** Names of the tier kinds (`EquityTier`). */
export const EQUITY_TIER_NAMES = [
  "ReturnOfCapital",
  "PreferredReturn",
  "CatchUp",
  "Split",
] as const;

/** One tier of the waterfall, with its classes as indices and, for a split with a hurdle, its hurdle index. */
export interface EquityTierSnapshot {
  index: number;
  kind: number;
  kindName: (typeof EQUITY_TIER_NAMES)[number] | "Unknown";
  /** The tier's classes (in a catch-up or split, its LP classes), as equity class indices. */
  classes: number[];
  byRank: boolean;
  compounding: boolean;
  sponsorBps: number;
  targetBps: number;
  /** Preferred return or IRR hurdle, WAD a year (0: the last split). */
  rate: bigint;
  /** The index of a split with a hurdle among them (its column of `hurdleBalances`); undefined otherwise. */
  hurdle: number | undefined;
}

/** One equity class (`IEquityWaterfall.ClassState`) with its place in the deal. */
export interface EquityClassSnapshot {
  /** Index among the equity classes (bit of the tiers' masks). */
  index: number;
  /** Index among the deal's tranches. */
  tranche: number;
  token: Address;
  name: string;
  symbol: string;
  /** Whether it is the sponsor's promote class. */
  sponsor: boolean;
  /** Its tokens issued (sold at par). */
  contributed: bigint;
  /** Capital returned. */
  returned: bigint;
  /** Unpaid preferred return as of the last distribution. */
  prefOwed: bigint;
  /** Everything paid to its token. */
  distributed: bigint;
  /** distributed / contributed, WAD (0 without tokens). */
  multiple: bigint;
  /** Per hurdle (tier order): the class's balance (0 for a hurdle it is not an LP class of). */
  hurdleBalances: bigint[];
  /** Per hurdle: an LP class of that split, holding tokens, with a zero balance (its IRR reached the hurdle). */
  hurdlesMet: boolean[];
}

export interface EquityWaterfallSnapshotReturnType {
  deal: Address;
  waterfall: Address;
  blockNumber: bigint;
  terms: EquityTerms;
  sponsorClass: number;
  tiers: EquityTierSnapshot[];
  /** Tranches before the equity classes. */
  noteCount: number;
  /** Σ of the classes' token supplies (the deal pays its residual to the waterfall while it is non-zero). */
  totalSupply: bigint;
  /** Whether the first distribution started the state (before it, `lastAccrual` is 0 and the views read the start). */
  started: boolean;
  /** When the preferred return and hurdle balances were last accrued (unix seconds; 0 before any distribution). */
  lastAccrual: bigint;
  /** Catch-up progress: all profit distributed (T) and the sponsor's (S). */
  profit: { total: bigint; sponsor: bigint };
  /** S / T in bps, rounded down (0 before any profit): what a catch-up compares with its target. */
  sponsorShareBps: bigint;
  classes: EquityClassSnapshot[];
}

/**
 * The state of a deal's equity waterfall at one block: its terms with readable tiers, the clock, the catch-up
 * progress and each class's contributed, returned, preferred return owed, distributed, realized multiple and hurdle
 * balances (the waterfall's views, as of its last distribution). Undefined when the deal has a single equity class
 * (no waterfall).
 *
 * @example
 * const equity = await auditor.equityWaterfallSnapshot({ deal });
 * for (const c of equity?.classes ?? []) console.log(c.symbol, c.distributed, c.multiple, c.hurdlesMet);
 */
export async function equityWaterfallSnapshot(
  client: CascadeClient,
  params: EquityWaterfallSnapshotParameters,
): Promise<EquityWaterfallSnapshotReturnType | undefined> {
  return withErrors(async () => {
    const blockNumber = params.blockNumber ?? (await getBlockNumber(client, { cacheTime: 0 }));
    const waterfall = await equityWaterfallOf(client, { deal: params.deal, blockNumber });
    if (waterfall === undefined) return undefined;
    const read = { address: waterfall, abi: equityWaterfallAbi, blockNumber } as const;
    const [terms, trancheCount, totalSupply, lastAccrual, [total, sponsor], views] =
      await Promise.all([
        readContract(client, { ...read, functionName: "terms" }),
        readContract(client, {
          address: params.deal,
          abi: dealAbi,
          functionName: "trancheCount",
          blockNumber,
        }),
        readContract(client, { ...read, functionName: "totalSupply" }),
        readContract(client, { ...read, functionName: "lastAccrual" }),
        readContract(client, { ...read, functionName: "profit" }),
        readContract(client, { ...read, functionName: "classes" }),
      ]);
    const noteCount = Number(trancheCount) - views.length;
    const metadata = await Promise.all(
      views.map(async (c) => {
        const token = { address: c.token, abi: trancheTokenAbi, blockNumber } as const;
        return Promise.all([
          readContract(client, { ...token, functionName: "name" }),
          readContract(client, { ...token, functionName: "symbol" }),
        ]);
      }),
    );
    let hurdles = 0;
    const tiers: EquityTierSnapshot[] = terms.tiers.map((t, index) => ({
      index,
      kind: t.kind,
      kindName: EQUITY_TIER_NAMES[t.kind] ?? "Unknown",
      classes: views.map((_, j) => j).filter((j) => ((t.classes >> j) & 1) === 1),
      byRank: t.byRank,
      compounding: t.compounding,
      sponsorBps: t.sponsorBps,
      targetBps: t.targetBps,
      rate: t.rate,
      hurdle: t.kind === EquityTier.Split && t.rate !== 0n ? hurdles++ : undefined,
    }));
    return {
      deal: params.deal,
      waterfall,
      blockNumber,
      terms: { sponsorClass: terms.sponsorClass, tiers: [...terms.tiers] },
      sponsorClass: terms.sponsorClass,
      tiers,
      noteCount,
      totalSupply,
      started: lastAccrual !== 0n,
      lastAccrual: BigInt(lastAccrual),
      profit: { total, sponsor },
      sponsorShareBps: total === 0n ? 0n : (sponsor * BPS) / total,
      classes: views.map((c, index) => ({
        index,
        tranche: noteCount + index,
        token: c.token,
        name: metadata[index][0],
        symbol: metadata[index][1],
        sponsor: index === terms.sponsorClass,
        contributed: c.contributed,
        returned: c.returned,
        prefOwed: c.prefOwed,
        distributed: c.distributed,
        multiple: c.multiple,
        hurdleBalances: [...c.hurdleBalances],
        hurdlesMet: [...c.hurdlesMet],
      })),
    };
  });
}
