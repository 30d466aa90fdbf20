import type { Address, Hash } from "viem";
import { readContract } from "viem/actions";

import {
  eventsOf,
  resolveAccount,
  writeAndWait,
  type AccountParameter,
  type CascadeClient,
} from "../../client.js";
import { NotReadyError } from "../../errors.js";
import { offeringAbi } from "../../generated/abis.js";

export interface ClaimSharesParameters extends AccountParameter {
  offering: Address;
  /** Receives the tranche tokens and the refund; defaults to the account. */
  receiver?: Address;
  /** The request's controller; defaults to the account (which must otherwise be its operator). */
  controller?: Address;
}

export interface ClaimSharesReturnType {
  /** Tranche tokens delivered (one per stablecoin unit allocated). */
  shares: bigint;
  /** Stablecoin refunded: the part of the request that was not allocated. */
  refunded: bigint;
  transactionHashes: Hash[];
}

/**
 * After an offering closed: refunds whatever part of the request was not allocated, then claims every allocated
 * share. The refund goes first because it fixes the controller's allocation: before that, the view of a
 * pro-rata allocation may still move by one unit as other controllers settle (cumulative rounding).
 * @throws NotReadyError while the offering is open.
 */
export async function claimShares(
  client: CascadeClient,
  params: ClaimSharesParameters,
): Promise<ClaimSharesReturnType> {
  const account = resolveAccount(client, params.account);
  const controller = params.controller ?? account.address;
  const receiver = params.receiver ?? account.address;
  const [isClosed] = await readContract(client, {
    address: params.offering,
    abi: offeringAbi,
    functionName: "closed",
  });
  if (!isClosed) throw new NotReadyError("offering not closed yet", { offering: params.offering });

  const hashes: Hash[] = [];
  let refunded = 0n;
  const refundable = await readContract(client, {
    address: params.offering,
    abi: offeringAbi,
    functionName: "refundable",
    args: [controller],
  });
  if (refundable > 0n) {
    const receipt = await writeAndWait(client, {
      address: params.offering,
      abi: offeringAbi,
      functionName: "refund",
      args: [receiver, controller],
      account,
    });
    hashes.push(receipt.transactionHash);
    refunded = eventsOf(receipt, offeringAbi, "Refunded", params.offering).reduce(
      (a, e) => a + e.args.assets,
      0n,
    );
  }

  let shares = 0n;
  const claimable = await readContract(client, {
    address: params.offering,
    abi: offeringAbi,
    functionName: "claimableDepositRequest",
    args: [0n, controller],
  });
  if (claimable > 0n) {
    const receipt = await writeAndWait(client, {
      address: params.offering,
      abi: offeringAbi,
      functionName: "deposit",
      args: [claimable, receiver, controller],
      account,
    });
    hashes.push(receipt.transactionHash);
    shares = eventsOf(receipt, offeringAbi, "Deposit", params.offering).reduce(
      (a, e) => a + e.args.shares,
      0n,
    );
  }
  return { shares, refunded, transactionHashes: hashes };
}
