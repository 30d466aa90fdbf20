import type { Address, Hash } from "viem";

import {
  resolveAccount,
  riskEngineOf,
  writeAndWait,
  type AccountParameter,
  type CascadeClient,
} from "../../client.js";
import { riskEngineAbi } from "../../generated/abis.js";

export interface RejectFleetEntryParameters extends AccountParameter {
  deal: Address;
  /** The pending entry's id. */
  id: bigint;
}

export interface RejectFleetEntryReturnType {
  transactionHash: Hash;
}

/**
 * The deal's trustee or guardian rejects a fleet entry the issuer added after creation
 * (`RiskEngine.rejectFleetEntry`): it never counts as collateral.
 * @throws ContractRevertError `NotTrusteeOrGuardian(caller)`, `UnknownFleetEntry(id)`,
 * `FleetEntryNotPending(id, status)`.
 * @example
 * await trustee.rejectFleetEntry({ deal, id: 4n });
 */
export async function rejectFleetEntry(
  client: CascadeClient,
  params: RejectFleetEntryParameters,
): Promise<RejectFleetEntryReturnType> {
  const account = resolveAccount(client, params.account);
  const engine = await riskEngineOf(client, params.deal);
  const receipt = await writeAndWait(client, {
    address: engine,
    abi: riskEngineAbi,
    functionName: "rejectFleetEntry",
    args: [params.id],
    account,
  });
  return { transactionHash: receipt.transactionHash };
}
