import { decodeAbiParameters, encodeAbiParameters, type Address, type Hex } from "viem";
import { readContract } from "viem/actions";

import { withErrors, type CascadeClient } from "../../client.js";
import { dealAbi } from "../../generated/abis.js";

export interface CheckUpkeepParameters {
  deal: Address;
  /** Periods one upkeep may catch up, in order (default 1). */
  maxPeriods?: number | bigint;
  /** Reads at this block (default: latest). */
  blockNumber?: bigint;
}

export interface CheckUpkeepReturnType {
  /** Whether the deal's next period can be distributed now. */
  upkeepNeeded: boolean;
  /** What `performUpkeep` takes: `abi.encode(firstPeriod, maxPeriods)`. */
  performData: Hex;
  /** The deal's next period. */
  firstPeriod: bigint;
  maxPeriods: bigint;
}

/** `checkData` of `checkUpkeep` for up to `maxPeriods` periods (`abi.encode(uint256)`). */
export function upkeepCheckData(maxPeriods: number | bigint): Hex {
  return encodeAbiParameters([{ type: "uint256" }], [BigInt(maxPeriods)]);
}

/** `performData` of `performUpkeep`: `abi.encode(firstPeriod, maxPeriods)`. */
export function upkeepPerformData(firstPeriod: bigint, maxPeriods: number | bigint = 1n): Hex {
  return encodeAbiParameters(
    [{ type: "uint256" }, { type: "uint256" }],
    [firstPeriod, BigInt(maxPeriods)],
  );
}

/** Decodes `performData` into the first period and the number of periods it may run. */
export function decodePerformData(performData: Hex): { firstPeriod: bigint; maxPeriods: bigint } {
  const [firstPeriod, maxPeriods] = decodeAbiParameters(
    [{ type: "uint256" }, { type: "uint256" }],
    performData,
  );
  return { firstPeriod, maxPeriods };
}

/** Chainlink Automation's view: whether the deal has a period ready, and the `performData` that runs it. */
export async function checkUpkeep(
  client: CascadeClient,
  params: CheckUpkeepParameters,
): Promise<CheckUpkeepReturnType> {
  const [upkeepNeeded, performData] = await withErrors(() =>
    readContract(client, {
      address: params.deal,
      abi: dealAbi,
      functionName: "checkUpkeep",
      args: [upkeepCheckData(params.maxPeriods ?? 1)],
      blockNumber: params.blockNumber,
    }),
  );
  return { upkeepNeeded, performData, ...decodePerformData(performData) };
}
