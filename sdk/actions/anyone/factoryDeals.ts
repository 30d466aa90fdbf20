import type { Address } from "viem";
import { readContract } from "viem/actions";

import { withErrors, type CascadeClient } from "../../client.js";
import { dealFactoryAbi } from "../../generated/abis.js";

export interface FactoryDealsParameters {
  factory: Address;
  /** Reads state at this block (default: latest). */
  blockNumber?: bigint;
}

/** Every deal the factory created, in creation order (`DealFactory.deals()`). */
export type FactoryDealsReturnType = Address[];

/**
 * Every deal a factory created, in the order it created them.
 *
 * @example
 * const deals = await client.factoryDeals({ factory });
 */
export async function factoryDeals(
  client: CascadeClient,
  params: FactoryDealsParameters,
): Promise<FactoryDealsReturnType> {
  const deals = await withErrors(() =>
    readContract(client, {
      address: params.factory,
      abi: dealFactoryAbi,
      functionName: "deals",
      blockNumber: params.blockNumber,
    }),
  );
  return [...deals];
}
