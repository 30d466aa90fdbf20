import type { Address, Hash } from "viem";

import {
  eventsOf,
  resolveAccount,
  riskEngineOf,
  writeAndWait,
  type AccountParameter,
  type CascadeClient,
} from "../../client.js";
import { riskEngineAbi } from "../../generated/abis.js";
import type { FleetEntryTerms } from "../../types.js";

export interface AddFleetEntriesParameters extends AccountParameter {
  deal: Address;
  entries: readonly FleetEntryTerms[];
}

export interface AddFleetEntriesReturnType {
  /** Ids of the new entries, in order. */
  ids: bigint[];
  transactionHash: Hash;
}

/** The issuer admin registers GPUs added to the deal's fleet (`RiskEngine.addFleetEntries`). */
export async function addFleetEntries(
  client: CascadeClient,
  params: AddFleetEntriesParameters,
): Promise<AddFleetEntriesReturnType> {
  const account = resolveAccount(client, params.account);
  const engine = await riskEngineOf(client, params.deal);
  const receipt = await writeAndWait(client, {
    address: engine,
    abi: riskEngineAbi,
    functionName: "addFleetEntries",
    args: [params.entries],
    account,
  });
  return {
    ids: eventsOf(receipt, riskEngineAbi, "FleetEntryAdded", engine).map((e) => e.args.id),
    transactionHash: receipt.transactionHash,
  };
}
