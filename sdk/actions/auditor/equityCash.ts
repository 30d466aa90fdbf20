import { erc20Abi, type Address } from "viem";
import { readContract } from "viem/actions";

import type { CascadeClient } from "../../client.js";
import { dealAbi } from "../../generated/abis.js";

/**
 * The cash a deal keeps for the holders of the equity classes of its waterfall (which pays no cash itself: the deal
 * pays the classes' claims): the deal's stablecoin balance less everything its own accounts hold — undistributed
 * collections, reserve, recoveries, fees owed, residual owed, rent received and not yet counted. It is every class's
 * unclaimed cash plus the classes' cash-index dust (and anything sent to the deal outside its calls).
 */
export async function equityCashHeld(
  client: CascadeClient,
  address: Address,
  stablecoin: Address,
  blockNumber: bigint,
): Promise<bigint> {
  const deal = { address, abi: dealAbi, blockNumber } as const;
  const [
    balance,
    collections,
    [reserve],
    recoveries,
    [trusteeOwed, servicerOwed],
    residualOwed,
    pendingRent,
  ] = await Promise.all([
    readContract(client, {
      address: stablecoin,
      abi: erc20Abi,
      functionName: "balanceOf",
      args: [address],
      blockNumber,
    }),
    readContract(client, { ...deal, functionName: "undistributedCollections" }),
    readContract(client, { ...deal, functionName: "reserve" }),
    readContract(client, { ...deal, functionName: "recoveries" }),
    readContract(client, { ...deal, functionName: "feesOwed" }),
    readContract(client, { ...deal, functionName: "residualOwed" }),
    readContract(client, { ...deal, functionName: "pendingRent" }),
  ]);
  return (
    balance -
    collections -
    reserve -
    recoveries -
    trusteeOwed -
    servicerOwed -
    residualOwed -
    pendingRent
  );
}
