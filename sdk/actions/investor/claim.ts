import type { Address, Hash } from "viem";
import { readContract } from "viem/actions";

import {
  eventsOf,
  resolveAccount,
  withErrors,
  writeAndWait,
  type AccountParameter,
  type CascadeClient,
} from "../../client.js";
import { TransferRestrictedError } from "../../errors.js";
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

/**
 * Claims the coupons and principal a holder has accrued on a tranche token (`TrancheToken.claim`). On a restricted
 * tranche the token's `detectClaimRestriction` is asked first: a refused claim is not sent (the cash stays accrued).
 * @throws TransferRestrictedError (`ClaimRestricted`) with the sender code (4 – 8) and the token's message when the
 * holder may not claim now, e.g. 6: its KYC has expired.
 */
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
  const token = { address: params.token, abi: trancheTokenAbi } as const;
  const code = await withErrors(() =>
    readContract(client, {
      ...token,
      functionName: "detectClaimRestriction",
      args: [account.address],
    }),
  );
  if (code !== 0) {
    const reason = await withErrors(() =>
      readContract(client, {
        ...token,
        functionName: "messageForTransferRestriction",
        args: [code],
      }),
    );
    throw new TransferRestrictedError({
      code,
      reason,
      claimant: account.address,
      details: { token: params.token, claimable },
    });
  }
  const receiver = params.receiver ?? account.address;
  // A claim to the claimer's own wallet takes no argument (36 bytes less calldata).
  const receipt = await writeAndWait(
    client,
    receiver.toLowerCase() === account.address.toLowerCase()
      ? { address: params.token, abi: trancheTokenAbi, functionName: "claim", args: [], account }
      : {
          address: params.token,
          abi: trancheTokenAbi,
          functionName: "claimTo",
          args: [receiver],
          account,
        },
  );
  const amount = eventsOf(receipt, trancheTokenAbi, "Claimed", params.token).reduce(
    (a, e) => a + e.args.amount,
    0n,
  );
  return { amount, transactionHash: receipt.transactionHash };
}
