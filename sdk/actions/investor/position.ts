import type { Address } from "viem";
import { getBlockNumber, readContract } from "viem/actions";

import { withErrors, type CascadeClient } from "../../client.js";
import { dealAbi, offeringAbi, trancheTokenAbi } from "../../generated/abis.js";

export interface PositionParameters {
  deal: Address;
  investor: Address;
  /** Reads at this block (default: latest), so every figure is consistent. */
  blockNumber?: bigint;
}

export interface TranchePosition {
  index: number;
  token: Address;
  offering: Address;
  symbol: string;
  /** Tranche tokens held. */
  balance: bigint;
  /**
   * Of `balance`, the tokens still in their holding period (received from another investor less than the tranche's
   * `minHoldingPeriod` ago): they may not go to another investor before `freshReleasedAt`. 0 on a tranche without a
   * holding period.
   */
  fresh: bigint;
  /** When `fresh` is released (unix seconds; 0 when nothing is fresh). */
  freshReleasedAt: bigint;
  /** Stablecoin claimable now on the token (accrued coupons and principal). */
  claimable: bigint;
  /** Outstanding face per token (WAD). */
  factor: bigint;
  /** Request still pending in an open offering. */
  pendingRequest: bigint;
  /** Allocated shares not yet claimed from a closed offering. */
  claimableRequest: bigint;
  /** Unallocated stablecoin refundable from a closed offering. */
  refundable: bigint;
}

export interface PositionReturnType {
  investor: Address;
  blockNumber: bigint;
  tranches: TranchePosition[];
}

/**
 * An investor's position in every tranche of a deal: tokens (and how many wait for the holding period), claimable
 * cash, and what the offerings still hold for it.
 * @example
 * const { tranches } = await client.position({ deal, investor });
 */
export async function position(
  client: CascadeClient,
  params: PositionParameters,
): Promise<PositionReturnType> {
  return withErrors(async () => {
    const blockNumber = params.blockNumber ?? (await getBlockNumber(client, { cacheTime: 0 }));
    const at = { blockNumber };
    const count = await readContract(client, {
      address: params.deal,
      abi: dealAbi,
      functionName: "trancheCount",
      ...at,
    });
    const tranches = await Promise.all(
      Array.from({ length: Number(count) }, async (_, index): Promise<TranchePosition> => {
        const info = await readContract(client, {
          address: params.deal,
          abi: dealAbi,
          functionName: "tranche",
          args: [BigInt(index)],
          ...at,
        });
        const token = { address: info.token, abi: trancheTokenAbi, ...at } as const;
        const offering = { address: info.offering, abi: offeringAbi, ...at } as const;
        const [
          symbol,
          balance,
          [fresh, freshReleasedAt],
          claimable,
          factor,
          pendingRequest,
          claimableRequest,
          refundable,
        ] = await Promise.all([
          readContract(client, { ...token, functionName: "symbol" }),
          readContract(client, { ...token, functionName: "balanceOf", args: [params.investor] }),
          readContract(client, { ...token, functionName: "freshTokens", args: [params.investor] }),
          readContract(client, { ...token, functionName: "claimable", args: [params.investor] }),
          readContract(client, {
            address: params.deal,
            abi: dealAbi,
            functionName: "factor",
            args: [BigInt(index)],
            ...at,
          }),
          readContract(client, {
            ...offering,
            functionName: "pendingDepositRequest",
            args: [0n, params.investor],
          }),
          readContract(client, {
            ...offering,
            functionName: "claimableDepositRequest",
            args: [0n, params.investor],
          }),
          readContract(client, {
            ...offering,
            functionName: "refundable",
            args: [params.investor],
          }),
        ]);
        return {
          index,
          token: info.token,
          offering: info.offering,
          symbol,
          balance,
          fresh,
          freshReleasedAt,
          claimable,
          factor,
          pendingRequest,
          claimableRequest,
          refundable,
        };
      }),
    );
    return { investor: params.investor, blockNumber, tranches };
  });
}
