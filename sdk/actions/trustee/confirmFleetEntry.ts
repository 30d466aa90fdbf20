import type { Address, Hash } from "viem";

import {
  resolveAccount,
  riskEngineOf,
  writeAndWait,
  type AccountParameter,
  type CascadeClient,
} from "../../client.js";
import { riskEngineAbi } from "../../generated/abis.js";

export interface ConfirmFleetEntryParameters extends AccountParameter {
  deal: Address;
  /** The pending entry's id (`addFleetEntries().ids`). */
  id: bigint;
}

export interface ConfirmFleetEntryReturnType {
  transactionHash: Hash;
}

/**
 * The deal's trustee confirms a fleet entry the issuer added after creation (`RiskEngine.confirmFleetEntry`): from
 * then on it counts as collateral (collateral value, LTV and the other covenants). Confirm only GPUs you have checked
 * exist and are pledged to the deal.
 * @throws ContractRevertError `NotTrustee(caller)`, `UnknownFleetEntry(id)`, `FleetEntryNotPending(id, status)`.
 * @example
 * const trustee = createCascadeClient({ chain, transport, account: trusteeAccount });
 * const { ids } = await issuer.addFleetEntries({ deal, entries: [h200s] });
 * await trustee.confirmFleetEntry({ deal, id: ids[0] });
 */
export async function confirmFleetEntry(
  client: CascadeClient,
  params: ConfirmFleetEntryParameters,
): Promise<ConfirmFleetEntryReturnType> {
  const account = resolveAccount(client, params.account);
  const engine = await riskEngineOf(client, params.deal);
  const receipt = await writeAndWait(client, {
    address: engine,
    abi: riskEngineAbi,
    functionName: "confirmFleetEntry",
    args: [params.id],
    account,
  });
  return { transactionHash: receipt.transactionHash };
}
