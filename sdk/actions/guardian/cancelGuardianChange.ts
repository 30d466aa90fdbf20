import type { Address, Hash } from "viem";

import {
  resolveAccount,
  writeAndWait,
  type AccountParameter,
  type CascadeClient,
} from "../../client.js";
import { dealAbi } from "../../generated/abis.js";

export interface CancelGuardianChangeParameters extends AccountParameter {
  deal: Address;
}

export interface CancelGuardianChangeReturnType {
  transactionHash: Hash;
}

/**
 * The guardian (or the issuer admin) cancels the pending change of guardian (`Deal.cancelGuardianChange`).
 * @throws ContractRevertError `NoGuardianChangePending()`, `NotGuardianProposer(caller)`.
 * @example
 * await guardian.cancelGuardianChange({ deal });
 */
export async function cancelGuardianChange(
  client: CascadeClient,
  params: CancelGuardianChangeParameters,
): Promise<CancelGuardianChangeReturnType> {
  const account = resolveAccount(client, params.account);
  const receipt = await writeAndWait(client, {
    address: params.deal,
    abi: dealAbi,
    functionName: "cancelGuardianChange",
    args: [],
    account,
  });
  return { transactionHash: receipt.transactionHash };
}
