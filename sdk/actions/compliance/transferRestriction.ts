import type { Address } from "viem";
import { readContract } from "viem/actions";

import { withErrors, type CascadeClient } from "../../client.js";
import { transferRestrictionName, type TransferRestriction } from "../../compliance.js";
import { trancheTokenAbi } from "../../generated/abis.js";

export interface TransferRestrictionParameters {
  /** The tranche token. */
  token: Address;
  from: Address;
  to: Address;
  amount: bigint;
}

export interface TransferRestrictionReturnType {
  /** ERC-1404 restriction code (`TransferRules`); 0: the transfer may go ahead now. */
  code: TransferRestriction;
  /** The code's name, e.g. `ReceiverNotRegistered`. */
  restriction: string;
  /** The token's `messageForTransferRestriction(code)`. */
  message: string;
  allowed: boolean;
}

/**
 * Whether `amount` may move from `from` to `to` now, and if not why: the token's ERC-1404
 * `detectTransferRestriction` and `messageForTransferRestriction`.
 */
export async function transferRestriction(
  client: CascadeClient,
  params: TransferRestrictionParameters,
): Promise<TransferRestrictionReturnType> {
  const token = { address: params.token, abi: trancheTokenAbi } as const;
  const code = await withErrors(() =>
    readContract(client, {
      ...token,
      functionName: "detectTransferRestriction",
      args: [params.from, params.to, params.amount],
    }),
  );
  const message = await withErrors(() =>
    readContract(client, { ...token, functionName: "messageForTransferRestriction", args: [code] }),
  );
  return {
    code: code as TransferRestriction,
    restriction: transferRestrictionName(code),
    message,
    allowed: code === 0,
  };
}
