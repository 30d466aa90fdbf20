import type { Address, Hash } from "viem";

import {
  eventsOf,
  resolveAccount,
  writeAndWait,
  type AccountParameter,
  type CascadeClient,
} from "../../client.js";
import { dealAbi } from "../../generated/abis.js";

export interface ApplyGuardianChangeParameters extends AccountParameter {
  deal: Address;
}

export interface ApplyGuardianChangeReturnType {
  previous: Address | undefined;
  guardian: Address | undefined;
  transactionHash: Hash;
}

/**
 * Anyone applies the pending change of guardian once its delay has passed (`Deal.applyGuardianChange`): the guardian
 * role moves from the old guardian to the new one.
 * @throws ContractRevertError `NoGuardianChangePending()`, `GuardianChangeNotReady(eta)`.
 * @example
 * const { guardian } = await anyone.applyGuardianChange({ deal });
 */
export async function applyGuardianChange(
  client: CascadeClient,
  params: ApplyGuardianChangeParameters,
): Promise<ApplyGuardianChangeReturnType> {
  const account = resolveAccount(client, params.account);
  const receipt = await writeAndWait(client, {
    address: params.deal,
    abi: dealAbi,
    functionName: "applyGuardianChange",
    args: [],
    account,
  });
  const [changed] = eventsOf(receipt, dealAbi, "GuardianChanged", params.deal);
  return {
    previous: changed?.args.previous,
    guardian: changed?.args.next,
    transactionHash: receipt.transactionHash,
  };
}
