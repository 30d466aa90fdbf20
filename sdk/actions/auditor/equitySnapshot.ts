import { erc20Abi, getAddress, type Address } from "viem";
import { getBlock, getBlockNumber, readContract } from "viem/actions";

import { withErrors, type CascadeClient } from "../../client.js";
import { equityCashHeld } from "./equityCash.js";
import {
  describeEquitySplits,
  describeEquityTier,
  equityStateOf,
  type EquityFacts,
} from "../../equity.js";
import { dealAbi, equityWaterfallAbi, trancheTokenAbi } from "../../generated/abis.js";
import { hurdleTiers } from "../../models/equityMath.js";
import { prefOwedDown } from "../../models/equityWaterfall.js";
import { TrancheKind, type EquityTerms } from "../../types.js";

export interface EquitySnapshotParameters {
  deal: Address;
  /** Reads state at this block (default: latest), so every figure is consistent. */
  blockNumber?: bigint;
}

/** One equity class now: the waterfall's views (`IEquityWaterfall.ClassState`) and its tranche. */
export interface EquityClassSnapshot {
  /** The class, 0-based among the equity classes, and its tranche (notes first). */
  index: number;
  tranche: number;
  token: Address;
  name: string;
  symbol: string;
  /** `C_j`: its tokens issued (sold at par). */
  contributed: bigint;
  /** Capital returned (`C_j − U_j`) and not yet (`U_j`). */
  returned: bigint;
  unreturned: bigint;
  /** Preferred return unpaid as of the last distribution (the view). */
  prefOwed: bigint;
  /**
   * Preferred return owed at the snapshot's block time: the unpaid part plus what it accrued since the last
   * distribution (`EquityWaterfallModel.prefOwedDown`, rounded down as a distribution then would accrue it).
   */
  prefOwedNow: bigint;
  /** `D_j`: everything paid to its token, and `D_j / C_j` (WAD, rounded down). */
  distributed: bigint;
  multiple: bigint;
  /** Per hurdled split, in tier order: the class's balance as of the last distribution, and whether it met it. */
  hurdleBalances: bigint[];
  hurdlesMet: boolean[];
}

/** A tier of the waterfall and the tier in words (`describeEquityTier`). */
export interface EquityTierSnapshot {
  index: number;
  kind: number;
  words: string;
}

export interface EquityWaterfallSnapshot {
  deal: Address;
  waterfall: Address;
  blockNumber: bigint;
  /** The block's time (unix seconds): what `prefOwedNow` accrues to. */
  time: bigint;
  terms: EquityTerms;
  tiers: EquityTierSnapshot[];
  /** The split tiers in one line (`80/20 until LP IRR 15.00 %, then 70/30`), if any. */
  splits: string | undefined;
  classes: EquityClassSnapshot[];
  /** When the state last accrued (0: no distribution yet). */
  lastAccrual: bigint;
  /**
   * Stablecoin the deal holds for the classes' holders: the class tokens and the waterfall hold none, the deal pays
   * their claims. Every class's unclaimed cash plus the classes' cash-index dust, whose home it is: the deal's balance
   * less its own accounts (undistributed collections, reserve, recoveries, fees owed, residual owed, rent received
   * and not yet counted).
   */
  cashHeld: bigint;
  /** Catch-up progress: all profit distributed (`T`), the sponsor class's (`S`), and `S / T` in bps (down). */
  profit: { total: bigint; sponsor: bigint; sponsorShareBps: bigint };
  /** Per hurdled split: its tier, its rate (WAD) and whether every LP class of it holding tokens met it. */
  hurdles: { tier: number; rate: bigint; met: boolean }[];
  /** What the waterfall's statements need (`equityStatements`): the clock starts at the deal's start. */
  facts: EquityFacts;
}

/** The deal's equity waterfall now, or undefined for a deal whose one equity class takes the residual. */
export type EquitySnapshotReturnType = EquityWaterfallSnapshot | undefined;

/**
 * A deal's equity waterfall (`docs/equity.md`) at one block: its tiers in words, each class's contributed, returned,
 * preferred return owed (as of the last distribution and accrued to the block's time), distributed, realized multiple
 * and hurdles, and the catch-up's progress. The waterfall is the distributor of the deal's equity tokens
 * (`TrancheToken.distributor`); a deal without one gives undefined.
 *
 * @example
 * const equity = await auditor.equitySnapshot({ deal });
 * if (equity) for (const t of equity.tiers) console.log(t.words);
 */
export async function equitySnapshot(
  client: CascadeClient,
  params: EquitySnapshotParameters,
): Promise<EquitySnapshotReturnType> {
  return withErrors(async () => {
    const blockNumber = params.blockNumber ?? (await getBlockNumber(client, { cacheTime: 0 }));
    const deal = { address: params.deal, abi: dealAbi, blockNumber } as const;
    const [count, start] = await Promise.all([
      readContract(client, { ...deal, functionName: "trancheCount" }),
      readContract(client, { ...deal, functionName: "start" }),
    ]);
    const tranches = await Promise.all(
      Array.from({ length: Number(count) }, (_, i) =>
        readContract(client, { ...deal, functionName: "tranche", args: [BigInt(i)] }),
      ),
    );
    const notes = tranches.filter((t) => t.kind === TrancheKind.Note).length;
    const equityTokens = tranches.slice(notes).map((t) => t.token);
    if (equityTokens.length === 0) return undefined;
    const distributor = await readContract(client, {
      address: equityTokens[0],
      abi: trancheTokenAbi,
      functionName: "distributor",
      blockNumber,
    });
    if (getAddress(distributor) === getAddress(params.deal)) return undefined;
    const waterfall = { address: distributor, abi: equityWaterfallAbi, blockNumber } as const;
    const stablecoin = await readContract(client, { ...waterfall, functionName: "stablecoin" });
    const [terms, views, lastAccrual, [total, sponsor], block, names, symbols, cashHeld] = await Promise.all([
      readContract(client, { ...waterfall, functionName: "terms" }),
      readContract(client, { ...waterfall, functionName: "classes" }),
      readContract(client, { ...waterfall, functionName: "lastAccrual" }),
      readContract(client, { ...waterfall, functionName: "profit" }),
      getBlock(client, { blockNumber }),
      Promise.all(
        equityTokens.map((token) =>
          readContract(client, {
            address: token,
            abi: trancheTokenAbi,
            functionName: "name",
            blockNumber,
          }),
        ),
      ),
      Promise.all(
        equityTokens.map((token) =>
          readContract(client, {
            address: token,
            abi: trancheTokenAbi,
            functionName: "symbol",
            blockNumber,
          }),
        ),
      ),
      equityCashHeld(client, params.deal, stablecoin, blockNumber),
    ]);
    const equityTerms: EquityTerms = {
      sponsorClass: Number(terms.sponsorClass),
      tiers: terms.tiers.map((t) => ({
        kind: t.kind,
        classes: Number(t.classes),
        byRank: t.byRank,
        compounding: t.compounding,
        sponsorBps: Number(t.sponsorBps),
        targetBps: Number(t.targetBps),
        rate: t.rate,
      })),
    };
    const state = equityStateOf(
      equityTerms,
      views.map((c) => ({ ...c, hurdleBalances: c.hurdleBalances })),
      BigInt(lastAccrual),
      start,
    );
    const classes = views.map((c, j): EquityClassSnapshot => ({
      index: j,
      tranche: notes + j,
      token: c.token,
      name: names[j],
      symbol: symbols[j],
      contributed: c.contributed,
      returned: c.returned,
      unreturned: c.contributed - c.returned,
      prefOwed: c.prefOwed,
      prefOwedNow: prefOwedDown(equityTerms, state, j, block.timestamp),
      distributed: c.distributed,
      multiple: c.multiple,
      hurdleBalances: [...c.hurdleBalances],
      hurdlesMet: [...c.hurdlesMet],
    }));
    const hurdles = hurdleTiers(equityTerms).map((tier, k) => ({
      tier,
      rate: equityTerms.tiers[tier].rate,
      met: classes.every(
        (c) =>
          ((equityTerms.tiers[tier].classes >>> c.index) & 1) === 0 ||
          c.contributed === 0n ||
          c.hurdlesMet[k],
      ),
    }));
    return {
      deal: params.deal,
      waterfall: distributor,
      blockNumber,
      time: block.timestamp,
      terms: equityTerms,
      tiers: equityTerms.tiers.map((t, index) => ({
        index,
        kind: t.kind,
        words: describeEquityTier(t, names, equityTerms.sponsorClass),
      })),
      splits: describeEquitySplits(equityTerms),
      classes,
      lastAccrual: BigInt(lastAccrual),
      cashHeld,
      profit: { total, sponsor, sponsorShareBps: total === 0n ? 0n : (sponsor * 10_000n) / total },
      hurdles,
      facts: {
        waterfall: distributor,
        terms: equityTerms,
        contributed: classes.map((c) => c.contributed),
        start,
        names,
        symbols,
      },
    };
  });
}
