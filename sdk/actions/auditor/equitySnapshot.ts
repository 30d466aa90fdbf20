import { isAddressEqual, type Address } from "viem";
import { readContract } from "viem/actions";

import { withErrors, type CascadeClient } from "../../client.js";
import { dealAbi, equityWaterfallAbi, trancheTokenAbi } from "../../generated/abis.js";
import type { EquityTerms } from "../../types.js";

export interface EquitySnapshotParameters {
  /** A deal; it has an equity waterfall when its term sheet declared several equity classes. */
  deal: Address;
  /** Reads state at this block (default: latest). */
  blockNumber?: bigint;
}

/** One equity class as the waterfall reports it (`IEquityWaterfall.ClassState`), with its tranche. */
export interface EquityClassSnapshot {
  /** The class's tranche index in the deal (the notes come first). */
  tranche: number;
  token: Address;
  /** Its tokens issued (sold at par). */
  contributed: bigint;
  /** Capital returned to it. */
  returned: bigint;
  /** Preferred return accrued and unpaid, as of the last distribution (nothing accrued since). */
  prefOwed: bigint;
  /** Everything paid to its token. */
  distributed: bigint;
  /** distributed / contributed, WAD, rounded down (zero without tokens). */
  multiple: bigint;
  /** Per split with a hurdle (tier order): the class's hurdle balance, and whether the hurdle is met. */
  hurdleBalances: bigint[];
  hurdlesMet: boolean[];
}

export interface EquitySnapshot {
  waterfall: Address;
  /** The term sheet's equity terms as the waterfall holds them (sponsor class and tiers). */
  terms: EquityTerms;
  classes: EquityClassSnapshot[];
  /** The catch-up's progress: all profit distributed (T) and the sponsor class's (S). */
  profit: { total: bigint; sponsor: bigint };
  /** When the state last accrued (zero before the first distribution). */
  lastAccrual: bigint;
}

/** The deal's equity waterfall and its state, or undefined for a deal with one equity class. */
export type EquitySnapshotReturnType = EquitySnapshot | undefined;

/**
 * The equity waterfall of `deal` (the distributor of its equity classes' tokens, which a deal with one equity class
 * does not have), or undefined.
 */
export async function equityWaterfallOf(
  client: CascadeClient,
  params: { deal: Address; blockNumber?: bigint },
): Promise<Address | undefined> {
  return withErrors(async () => {
    const at = { blockNumber: params.blockNumber } as const;
    const count = await readContract(client, {
      address: params.deal,
      abi: dealAbi,
      functionName: "trancheCount",
      ...at,
    });
    const [token] = await readContract(client, {
      address: params.deal,
      abi: dealAbi,
      functionName: "trancheContracts",
      args: [count - 1n],
      ...at,
    });
    const distributor = await readContract(client, {
      address: token,
      abi: trancheTokenAbi,
      functionName: "distributor",
      ...at,
    });
    return isAddressEqual(distributor, params.deal) ? undefined : distributor;
  });
}

/**
 * A deal's equity classes under its LP/GP waterfall (`IEquityWaterfall`): each class's contributed and returned
 * capital, preferred return owed, distributions, realized multiple and hurdle balances, and the catch-up's progress;
 * undefined for a deal with one equity class.
 *
 * @example
 * const equity = await auditor.equitySnapshot({ deal });
 * for (const c of equity?.classes ?? []) console.log(c.tranche, c.distributed, c.multiple, c.hurdlesMet);
 */
export async function equitySnapshot(
  client: CascadeClient,
  params: EquitySnapshotParameters,
): Promise<EquitySnapshotReturnType> {
  const waterfall = await equityWaterfallOf(client, params);
  if (waterfall === undefined) return undefined;
  return withErrors(async () => {
    const at = { address: waterfall, abi: equityWaterfallAbi, blockNumber: params.blockNumber };
    const [terms, classes, [total, sponsor], lastAccrual, notes] = await Promise.all([
      readContract(client, { ...at, functionName: "terms" }),
      readContract(client, { ...at, functionName: "classes" }),
      readContract(client, { ...at, functionName: "profit" }),
      readContract(client, { ...at, functionName: "lastAccrual" }),
      readContract(client, {
        address: params.deal,
        abi: dealAbi,
        functionName: "trancheCount",
        blockNumber: params.blockNumber,
      }),
    ]);
    const first = Number(notes) - classes.length;
    return {
      waterfall,
      terms: {
        sponsorClass: Number(terms.sponsorClass),
        tiers: terms.tiers.map((t) => ({
          kind: t.kind as EquityTerms["tiers"][number]["kind"],
          classes: Number(t.classes),
          byRank: t.byRank,
          compounding: t.compounding,
          sponsorBps: Number(t.sponsorBps),
          targetBps: Number(t.targetBps),
          rate: t.rate,
        })),
      },
      classes: classes.map((c, j) => ({
        tranche: first + j,
        token: c.token,
        contributed: c.contributed,
        returned: c.returned,
        prefOwed: c.prefOwed,
        distributed: c.distributed,
        multiple: c.multiple,
        hurdleBalances: [...c.hurdleBalances],
        hurdlesMet: [...c.hurdlesMet],
      })),
      profit: { total, sponsor },
      lastAccrual: BigInt(lastAccrual),
    };
  });
}
