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

export interface ProposeWaiverParameters extends AccountParameter {
  deal: Address;
}

export interface ProposeWaiverReturnType {
  /** Ballot id. */
  id: bigint;
  /** Votes are accepted until this time (unix seconds). */
  deadline: bigint;
  transactionHash: Hash;
}

/** The issuer admin opens a ballot of the senior holders to waive an accelerated deal's event of default. */
export async function proposeWaiver(
  client: CascadeClient,
  params: ProposeWaiverParameters,
): Promise<ProposeWaiverReturnType> {
  const account = resolveAccount(client, params.account);
  const engine = await riskEngineOf(client, params.deal);
  const receipt = await writeAndWait(client, {
    address: engine,
    abi: riskEngineAbi,
    functionName: "proposeWaiver",
    args: [],
    account,
  });
  const [proposed] = eventsOf(receipt, riskEngineAbi, "WaiverProposed", engine);
  return {
    id: proposed?.args.id ?? 0n,
    deadline: proposed?.args.deadline ?? 0n,
    transactionHash: receipt.transactionHash,
  };
}
