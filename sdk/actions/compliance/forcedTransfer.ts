import type { Address, Hash } from "viem";

import {
  resolveAccount,
  writeAndWait,
  type AccountParameter,
  type CascadeClient,
} from "../../client.js";
import { trancheTokenAbi } from "../../generated/abis.js";

export interface ForcedTransferParameters extends AccountParameter {
  /** The tranche token. */
  token: Address;
  from: Address;
  to: Address;
  amount: bigint;
}

export interface ForcedTransferReturnType {
  transactionHash: Hash;
}

/**
 * The compliance agent moves `amount` from `from` to `to` (`TrancheToken.forcedTransfer`, e.g. a court order),
 * whatever the sender's eligibility, holding period or frozen tokens; both accounts' accrued cash is settled first.
 * The sender's tokens past their holding period go first; between two investors the receiver's are fresh from the
 * order (a holding period starts for them), between wallets of one investor fresh tokens keep their clock. The
 * receiver must be eligible: otherwise a {@link TransferRestrictedError} with the receiver code (9 – 13). Vote
 * locks still hold (`TokensLocked`).
 */
export async function forcedTransfer(
  client: CascadeClient,
  params: ForcedTransferParameters,
): Promise<ForcedTransferReturnType> {
  const account = resolveAccount(client, params.account);
  const receipt = await writeAndWait(client, {
    address: params.token,
    abi: trancheTokenAbi,
    functionName: "forcedTransfer",
    args: [params.from, params.to, params.amount],
    account,
  });
  return { transactionHash: receipt.transactionHash };
}
