import { encodeErrorResult, erc20Abi, type Address, type Hash } from "viem";
import { readContract } from "viem/actions";

import {
  eventsOf,
  resolveAccount,
  writeAndWait,
  type AccountParameter,
  type CascadeClient,
} from "../../client.js";
import { decodeRevert } from "../../errors.js";
import { dealAbi } from "../../generated/abis.js";
import { dealEnded } from "../../types.js";

export interface DepositCollectionsParameters extends AccountParameter {
  deal: Address;
  /** Stablecoin units to deposit (the servicer's collected revenue). */
  amount: bigint;
}

export interface DepositCollectionsReturnType {
  amount: bigint;
  /** Collections held by the deal for coming periods after the deposit. */
  undistributed: bigint;
  /** Set when an approval had to be sent first. */
  approveTransactionHash: Hash | undefined;
  transactionHash: Hash;
}

/**
 * The servicer deposits collections into the deal, approving the deal first if the allowance is short. A deal that
 * has ended (Repaid, Defaulted, Cancelled) is refused before anything is sent, with the `DealEnded(status)` revert
 * the deal would give (a ContractRevertError without a transaction hash).
 */
export async function depositCollections(
  client: CascadeClient,
  params: DepositCollectionsParameters,
): Promise<DepositCollectionsReturnType> {
  const account = resolveAccount(client, params.account);
  const [stablecoin, status] = await Promise.all([
    readContract(client, { address: params.deal, abi: dealAbi, functionName: "stablecoin" }),
    readContract(client, { address: params.deal, abi: dealAbi, functionName: "status" }),
  ]);
  if (dealEnded(status)) {
    const refused = decodeRevert(
      encodeErrorResult({ abi: dealAbi, errorName: "DealEnded", args: [status] }),
    );
    if (refused) {
      refused.contractAddress = params.deal;
      throw refused;
    }
  }
  const allowance = await readContract(client, {
    address: stablecoin,
    abi: erc20Abi,
    functionName: "allowance",
    args: [account.address, params.deal],
  });
  let approveTransactionHash: Hash | undefined;
  if (allowance < params.amount) {
    const approval = await writeAndWait(client, {
      address: stablecoin,
      abi: erc20Abi,
      functionName: "approve",
      args: [params.deal, params.amount],
      account,
    });
    approveTransactionHash = approval.transactionHash;
  }
  const receipt = await writeAndWait(client, {
    address: params.deal,
    abi: dealAbi,
    functionName: "depositCollections",
    args: [params.amount],
    account,
  });
  const [deposited] = eventsOf(receipt, dealAbi, "CollectionsDeposited", params.deal);
  return {
    amount: params.amount,
    undistributed: deposited?.args.undistributed ?? 0n,
    approveTransactionHash,
    transactionHash: receipt.transactionHash,
  };
}
