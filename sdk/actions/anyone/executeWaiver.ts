import type { Address, Hash } from "viem";

import {
  eventsOf,
  resolveAccount,
  riskEngineOf,
  writeAndWait,
  type AccountParameter,
  type CascadeClient,
} from "../../client.js";
import { dealAbi, riskEngineAbi } from "../../generated/abis.js";
import { DealStatus, dealStatusName } from "../../types.js";

export interface ExecuteWaiverParameters extends AccountParameter {
  deal: Address;
}

export interface ExecuteWaiverReturnType {
  ballot: bigint;
  yes: bigint;
  no: bigint;
  seniorSupply: bigint;
  /** Latched triggers cleared (bit i: trigger i). */
  clearedMask: bigint;
  /** The deal's status after the waiver (what its curable triggers say). */
  status: number;
  statusName: string;
  transactionHash: Hash;
}

/** Anyone executes a waiver ballot that more than half of the senior supply voted for. */
export async function executeWaiver(
  client: CascadeClient,
  params: ExecuteWaiverParameters,
): Promise<ExecuteWaiverReturnType> {
  const account = resolveAccount(client, params.account);
  const engine = await riskEngineOf(client, params.deal);
  const receipt = await writeAndWait(client, {
    address: engine,
    abi: riskEngineAbi,
    functionName: "executeWaiver",
    args: [],
    account,
  });
  const [executed] = eventsOf(receipt, riskEngineAbi, "WaiverExecuted", engine);
  const changed = eventsOf(receipt, dealAbi, "StatusChanged", params.deal);
  const status = changed.at(-1)?.args.current ?? DealStatus.Accelerated;
  return {
    ballot: executed?.args.id ?? 0n,
    yes: executed?.args.yes ?? 0n,
    no: executed?.args.no ?? 0n,
    seniorSupply: executed?.args.seniorSupply ?? 0n,
    clearedMask: executed?.args.clearedMask ?? 0n,
    status,
    statusName: dealStatusName(status),
    transactionHash: receipt.transactionHash,
  };
}
