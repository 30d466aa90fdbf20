import type { Address, Hash } from "viem";

import {
  eventsOf,
  resolveAccount,
  writeAndWait,
  type AccountParameter,
  type CascadeClient,
} from "../../client.js";
import { dealAbi } from "../../generated/abis.js";

export interface ProposeGuardianParameters extends AccountParameter {
  deal: Address;
  /** The guardian to take over once the delay has passed. */
  newGuardian: Address;
}

export interface ProposeGuardianReturnType {
  /** When the change may be applied (`GuardianChangeProposed.eta`, unix seconds). */
  eta: bigint;
  transactionHash: Hash;
}

/**
 * The guardian (handing over) or the issuer admin proposes a new guardian (`Deal.proposeGuardian`). The change waits
 * `Deal.GUARDIAN_CHANGE_DELAY` (7 days), during which the guardian can cancel it ({@link cancelGuardianChange}); the
 * issuer admin can never grant or revoke the guardian role itself.
 * @throws ContractRevertError `NotGuardianProposer(caller)`, `InvalidGuardian(newGuardian)`.
 * @example
 * const { eta } = await guardian.proposeGuardian({ deal, newGuardian: successor });
 * // after eta, anyone:
 * await anyone.applyGuardianChange({ deal });
 */
export async function proposeGuardian(
  client: CascadeClient,
  params: ProposeGuardianParameters,
): Promise<ProposeGuardianReturnType> {
  const account = resolveAccount(client, params.account);
  const receipt = await writeAndWait(client, {
    address: params.deal,
    abi: dealAbi,
    functionName: "proposeGuardian",
    args: [params.newGuardian],
    account,
  });
  const [proposed] = eventsOf(receipt, dealAbi, "GuardianChangeProposed", params.deal);
  return { eta: proposed?.args.eta ?? 0n, transactionHash: receipt.transactionHash };
}
