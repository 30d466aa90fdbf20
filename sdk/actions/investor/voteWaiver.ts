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

export interface VoteWaiverParameters extends AccountParameter {
  deal: Address;
  /** For (true) or against (false) the waiver. */
  support: boolean;
}

export interface VoteWaiverReturnType {
  ballot: bigint;
  /** Senior tokens voted; they stay locked (not transferable) until the ballot closes. */
  weight: bigint;
  transactionHash: Hash;
}

/** A senior holder votes on the open waiver ballot with their whole senior balance. */
export async function voteWaiver(
  client: CascadeClient,
  params: VoteWaiverParameters,
): Promise<VoteWaiverReturnType> {
  const account = resolveAccount(client, params.account);
  const engine = await riskEngineOf(client, params.deal);
  const receipt = await writeAndWait(client, {
    address: engine,
    abi: riskEngineAbi,
    functionName: "voteWaiver",
    args: [params.support],
    account,
  });
  const [voted] = eventsOf(receipt, riskEngineAbi, "WaiverVoted", engine);
  return {
    ballot: voted?.args.id ?? 0n,
    weight: voted?.args.weight ?? 0n,
    transactionHash: receipt.transactionHash,
  };
}
