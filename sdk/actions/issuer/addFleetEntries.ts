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
  /** Ids of the new entries, in order (pending until the trustee confirms them). */
  ids: bigint[];
  transactionHash: Hash;
}

/**
 * The issuer admin adds GPUs to the deal's fleet (`RiskEngine.addFleetEntries`). The entries are pending: they count
 * as collateral only once the deal's trustee confirms them (`confirmFleetEntry`), so the borrower cannot certify its
 * own collateral.
 * @example
 * const { ids } = await issuer.addFleetEntries({ deal, entries: [h200s] });
 * await trustee.confirmFleetEntry({ deal, id: ids[0] });
 */
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
    ids: eventsOf(receipt, riskEngineAbi, "FleetEntryProposed", engine).map((e) => e.args.id),
    transactionHash: receipt.transactionHash,
  };
}
