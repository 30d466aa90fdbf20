import type { Address, Hash } from "viem";
import { readContract } from "viem/actions";

import {
  eventsOf,
  resolveAccount,
  writeAndWait,
  type AccountParameter,
  type CascadeClient,
} from "../../client.js";
import { trancheTokenAbi } from "../../generated/abis.js";

export interface ClaimParameters extends AccountParameter {
  /** The tranche token. */
  token: Address;
  /** Receives the stablecoin; defaults to the account. */
  receiver?: Address;
}

export interface ClaimReturnType {
  /** Stablecoin paid: the holder's accrued coupons and principal. */
  amount: bigint;
  /** Undefined when nothing was claimable (no transaction is sent then). */
  transactionHash: Hash | undefined;
}

/** Claims the coupons and principal a holder has accrued on a tranche token (`TrancheToken.claim`). */
export async function claim(
  client: CascadeClient,
  params: ClaimParameters,
): Promise<ClaimReturnType> {
  const account = resolveAccount(client, params.account);
  const claimable = await readContract(client, {
    address: params.token,
    abi: trancheTokenAbi,
    functionName: "claimable",
    args: [account.address],
  });
  if (claimable === 0n) return { amount: 0n, transactionHash: undefined };
  const receipt = await writeAndWait(client, {
    address: params.token,
    abi: trancheTokenAbi,
    functionName: "claim",
    args: [params.receiver ?? account.address],
    account,
  });
  const amount = eventsOf(receipt, trancheTokenAbi, "Claimed", params.token).reduce(
    (a, e) => a + e.args.amount,
    0n,
  );
  return { amount, transactionHash: receipt.transactionHash };
}
