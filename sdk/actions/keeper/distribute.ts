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
import type { PeriodStatement } from "../../types.js";

export interface DistributeParameters extends AccountParameter {
  deal: Address;
  period: bigint;
}

export interface DistributeReturnType {
  /** The period's statement, from its `PeriodDistributed` event. */
  statement: PeriodStatement;
  transactionHash: Hash;
}

/**
 * Runs the waterfall of one period (anyone may, once the period ended, its report is final and every earlier
 * period is distributed). Reverts surface as ContractRevertError, e.g. `WaterfallPeriodAlreadyDistributed`.
 */
export async function distribute(
  client: CascadeClient,
  params: DistributeParameters,
): Promise<DistributeReturnType> {
  const account = resolveAccount(client, params.account);
  const receipt = await writeAndWait(client, {
    address: params.deal,
    abi: dealAbi,
    functionName: "distribute",
    args: [params.period],
    account,
  });
  const [distributed] = eventsOf(receipt, dealAbi, "PeriodDistributed", params.deal);
  if (!distributed) {
    throw new CascadeError("distribute: no PeriodDistributed event", {
      transactionHash: receipt.transactionHash,
    });
  }
  return { statement: distributed.args.statement, transactionHash: receipt.transactionHash };
}
