import type { Address } from "viem";
import { getBlockNumber } from "viem/actions";

import { withErrors, type CascadeClient } from "../../client.js";
import { factoryDeals } from "../anyone/factoryDeals.js";
import { hasPosition, position, type PositionReturnType } from "./position.js";

export interface PositionsParameters {
  /** The factory whose deals are searched (`DealFactory.deals()`). */
  factory: Address;
  investor: Address;
  /** Reads at this block (default: latest). */
  blockNumber?: bigint;
  /** Also sum the `Claimed` events of every deal (default false: one event scan per deal). */
  claimed?: boolean;
  /** First block of those scans (default 0; the factory's deployment block on long chains). */
  fromBlock?: bigint;
}

/** What an investor holds in one stablecoin, over every deal paid in it. */
export interface PositionTotals {
  stablecoin: Address;
  symbol: string;
  decimals: number;
  /** Σ face outstanding of the holdings (equity counts its tokens at par). */
  faceOutstanding: bigint;
  claimable: bigint;
  /** Σ claimed to date; undefined when not scanned. */
  claimed: bigint | undefined;
  pendingRequest: bigint;
  claimableRequest: bigint;
  refundable: bigint;
}

export interface PositionsReturnType {
  investor: Address;
  blockNumber: bigint;
  /** How many deals the factory has (all of them were read). */
  dealCount: number;
  /** Deals where the investor holds something; each keeps only its tranches with a position. */
  positions: PositionReturnType[];
  /** Per stablecoin, in the order first met. */
  totals: PositionTotals[];
}

/**
 * An investor's positions in every deal of a factory: one {@link position} per deal with something held, claimable
 * or requested, and totals per stablecoin.
 * @example
 * const { positions, totals } = await client.positions({ factory, investor });
 */
export async function positions(
  client: CascadeClient,
  params: PositionsParameters,
): Promise<PositionsReturnType> {
  const blockNumber =
    params.blockNumber ?? (await withErrors(() => getBlockNumber(client, { cacheTime: 0 })));
  const deals = await factoryDeals(client, { factory: params.factory, blockNumber });
  const found: PositionReturnType[] = [];
  const totals = new Map<string, PositionTotals>();
  for (const deal of deals) {
    const p = await position(client, {
      deal,
      investor: params.investor,
      blockNumber,
      claimed: params.claimed ?? false,
      fromBlock: params.fromBlock,
    });
    const held = p.tranches.filter(hasPosition);
    if (held.length === 0) continue;
    found.push({ ...p, tranches: held });
    const key = p.stablecoin.toLowerCase();
    const total = totals.get(key) ?? {
      stablecoin: p.stablecoin,
      symbol: p.stablecoinSymbol,
      decimals: p.decimals,
      faceOutstanding: 0n,
      claimable: 0n,
      claimed: params.claimed ? 0n : undefined,
      pendingRequest: 0n,
      claimableRequest: 0n,
      refundable: 0n,
    };
    for (const t of held) {
      total.faceOutstanding += t.faceOutstanding;
      total.claimable += t.claimable;
      if (total.claimed !== undefined) total.claimed += t.claimed ?? 0n;
      total.pendingRequest += t.pendingRequest;
      total.claimableRequest += t.claimableRequest;
      total.refundable += t.refundable;
    }
    totals.set(key, total);
  }
  return {
    investor: params.investor,
    blockNumber,
    dealCount: deals.length,
    positions: found,
    totals: [...totals.values()],
  };
}
