import type { Address, Hash } from "viem";

import {
  resolveAccount,
  writeAndWait,
  type AccountParameter,
  type CascadeClient,
} from "../../client.js";
import { TransferRestrictedError } from "../../errors.js";
import { trancheTokenAbi } from "../../generated/abis.js";
import { transferRestriction } from "../compliance/transferRestriction.js";

export interface TransferParameters extends AccountParameter {
  /** The tranche token. */
  token: Address;
  to: Address;
  /** Tokens (one per stablecoin unit of face). */
  amount: bigint;
}

export interface TransferReturnType {
  transactionHash: Hash;
}

/**
 * Transfers tranche tokens (`TrancheToken.transfer`) after asking the token whether it may
 * (`detectTransferRestriction`): a refused transfer is not sent.
 * @throws TransferRestrictedError with the restriction code and the token's `messageForTransferRestriction` when
 * the token's rules refuse it (e.g. code 9: the receiver is not a registered investor). For the holding period (14)
 * its details also carry `holdingPeriod`: the sender's tokens still in it, when they are released and what may go
 * to another identity now.
 * @example
 * await client.transfer({ token, to, amount: 1_000n * 10n ** 6n });
 */
export async function transfer(
  client: CascadeClient,
  params: TransferParameters,
): Promise<TransferReturnType> {
  const account = resolveAccount(client, params.account);
  const r = await transferRestriction(client, {
    token: params.token,
    from: account.address,
    to: params.to,
    amount: params.amount,
  });
  if (!r.allowed)
    throw new TransferRestrictedError({
      code: r.code,
      reason: r.message,
      operation: "transfer",
      details: {
        token: params.token,
        from: account.address,
        to: params.to,
        amount: params.amount,
        ...(r.holdingPeriod ? { holdingPeriod: r.holdingPeriod } : {}),
      },
    });
  const receipt = await writeAndWait(client, {
    address: params.token,
    abi: trancheTokenAbi,
    functionName: "transfer",
    args: [params.to, params.amount],
    account,
  });
  return { transactionHash: receipt.transactionHash };
}
