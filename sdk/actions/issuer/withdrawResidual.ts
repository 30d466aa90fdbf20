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

export interface WithdrawResidualParameters extends AccountParameter {
  deal: Address;
}

export interface WithdrawResidualReturnType {
  /** Stablecoin paid to the issuer (`ResidualWithdrawn.amount`). */
  amount: bigint;
  transactionHash: Hash;
}

/**
 * The issuer withdraws the residual the deal credited to it (`Deal.withdrawResidual`): without equity, what the
 * waterfall, recoveries after default and the clean-up call leave for equity is credited to the issuer, not pushed,
 * so a stablecoin that refuses to pay the issuer never stops them. What is credited: `Deal.residualOwed`, or
 * `dealSnapshot().residualOwed`.
 * @throws ContractRevertError `NoResidualOwed(caller)` when nothing is credited (or the caller is not the issuer),
 * `EnforcedPause()` while the guardian has paused the deal.
 * @example
 * const { amount } = await issuer.withdrawResidual({ deal });
 */
export async function withdrawResidual(
  client: CascadeClient,
  params: WithdrawResidualParameters,
): Promise<WithdrawResidualReturnType> {
  const account = resolveAccount(client, params.account);
  const receipt = await writeAndWait(client, {
    address: params.deal,
    abi: dealAbi,
    functionName: "withdrawResidual",
    args: [],
    account,
  });
  const [withdrawn] = eventsOf(receipt, dealAbi, "ResidualWithdrawn", params.deal);
  if (!withdrawn) {
    throw new CascadeError("withdrawResidual: no ResidualWithdrawn event", {
      transactionHash: receipt.transactionHash,
    });
  }
  return { amount: withdrawn.args.amount, transactionHash: receipt.transactionHash };
}
