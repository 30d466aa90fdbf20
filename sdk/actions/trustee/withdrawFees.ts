import type { Address, Hash } from "viem";

import {
  eventsOf,
  resolveAccount,
  writeAndWait,
  type AccountParameter,
  type CascadeClient,
} from "../../client.js";
import { CascadeError } from "../../errors.js";
import { dealAbi } from "../../generated/abis.js";

export interface WithdrawFeesParameters extends AccountParameter {
  deal: Address;
}

export interface WithdrawFeesReturnType {
  /** Fees paid to the account as the deal's trustee (`FeesWithdrawn.trusteeFees`). */
  trusteeFees: bigint;
  /** Fees paid to the account as the deal's servicer (`FeesWithdrawn.servicerFees`). */
  servicerFees: bigint;
  /** Stablecoin received: trusteeFees + servicerFees. */
  amount: bigint;
  transactionHash: Hash;
}

/**
 * The trustee or the servicer withdraws the fees the waterfall (and a clean-up call) credited to it in the deal
 * (`Deal.withdrawFees`; what is credited: `Deal.feesOwed`, or `dealSnapshot().feesOwed`). An account that is both
 * receives both in one transfer.
 * @throws ContractRevertError `NoFeesOwed(caller)` when nothing is credited to the account (or it is neither the
 * trustee nor the servicer), `EnforcedPause()` while the guardian has paused the deal.
 */
export async function withdrawFees(
  client: CascadeClient,
  params: WithdrawFeesParameters,
): Promise<WithdrawFeesReturnType> {
  const account = resolveAccount(client, params.account);
  const receipt = await writeAndWait(client, {
    address: params.deal,
    abi: dealAbi,
    functionName: "withdrawFees",
    args: [],
    account,
  });
  const [withdrawn] = eventsOf(receipt, dealAbi, "FeesWithdrawn", params.deal);
  if (!withdrawn) {
    throw new CascadeError("withdrawFees: no FeesWithdrawn event", {
      transactionHash: receipt.transactionHash,
    });
  }
  const { trusteeFees, servicerFees } = withdrawn.args;
  return {
    trusteeFees,
    servicerFees,
    amount: trusteeFees + servicerFees,
    transactionHash: receipt.transactionHash,
  };
}
