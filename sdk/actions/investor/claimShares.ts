import type { Address, Hash, TransactionReceipt } from "viem";
import { zeroAddress } from "viem";
import { getBlock, readContract } from "viem/actions";

import {
  eventsOf,
  resolveAccount,
  withErrors,
  writeAndWait,
  type AccountParameter,
  type CascadeClient,
} from "../../client.js";
import { eligibilityCode, unpackInvestorRecord } from "../../compliance.js";
import { ContractRevertError, NotReadyError, TransferRestrictedError } from "../../errors.js";
import { investorRegistryAbi, offeringAbi, trancheTokenAbi } from "../../generated/abis.js";

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
 * share. The refund goes first because it fixes the controller's allocation: until then the view of a pro-rata
 * allocation may still move by one unit as other controllers settle (cumulative rounding). Without anything to
 * refund, a claim that meets such a move is retried with the amount its `ExceedsClaimable` revert reports and the
 * unit it lost is refunded.
 * On a restricted tranche the registry records are checked first, as the token checks them on delivery: the
 * controller's as a sender (it gives its allocation away), then the receiver's; when either is refused the refund
 * still goes out but no claim is sent, and the allocation waits until the tranche's rules allow it.
 * @throws NotReadyError while the offering is open.
 * @throws TransferRestrictedError (operation `delivery`) with the token's code and message: a sender code (4 – 8)
 * when the controller may not send, e.g. 5: it is frozen; a receiver code (9 – 13) when the receiver may not hold
 * the tranche, e.g. 9: it is not a registered investor.
 * @example
 * const { shares, refunded } = await client.claimShares({ offering });
 */
export async function claimShares(
  client: CascadeClient,
  params: ClaimSharesParameters,
): Promise<ClaimSharesReturnType> {
  const account = resolveAccount(client, params.account);
  const controller = params.controller ?? account.address;
  const receiver = params.receiver ?? account.address;
  const offering = { address: params.offering, abi: offeringAbi } as const;
  const [isClosed] = await readContract(client, { ...offering, functionName: "closed" });
  if (!isClosed) throw new NotReadyError("offering not closed yet", { offering: params.offering });

  const transactionHashes: Hash[] = [];
  let refunded = 0n;
  const refundAny = async () => {
    const refundable = await readContract(client, {
      ...offering,
      functionName: "refundable",
      args: [controller],
    });
    if (refundable === 0n) return;
    const receipt = await writeAndWait(client, {
      ...offering,
      functionName: "refund",
      args: [receiver, controller],
      account,
    });
    transactionHashes.push(receipt.transactionHash);
    for (const e of eventsOf(receipt, offeringAbi, "Refunded", params.offering))
      refunded += e.args.assets;
  };
  await refundAny();

  let shares = 0n;
  const deposit = (amount: bigint) =>
    writeAndWait(client, {
      ...offering,
      functionName: "deposit",
      args: [amount, receiver, controller],
      account,
    });
  const claimable = await readContract(client, {
    ...offering,
    functionName: "claimableDepositRequest",
    args: [0n, controller],
  });
  if (claimable > 0n) {
    await withErrors(() => checkDelivery(client, params.offering, controller, receiver, claimable));
    let receipt: TransactionReceipt | undefined;
    let settledLower = false;
    try {
      receipt = await deposit(claimable);
    } catch (e) {
      if (!(e instanceof ContractRevertError && e.errorName === "ExceedsClaimable")) throw e;
      const now = e.namedArgs.claimable;
      settledLower = true;
      if (typeof now === "bigint" && now > 0n) receipt = await deposit(now);
    }
    if (receipt) {
      transactionHashes.push(receipt.transactionHash);
      for (const e of eventsOf(receipt, offeringAbi, "Deposit", params.offering))
        shares += e.args.shares;
    }
    // The allocation settled one unit lower than the view said: that unit is now refundable.
    if (settledLower) await refundAny();
  }
  return { shares, refunded, transactionHashes };
}

/**
 * Throws when the tranche's rules refuse the delivery of `controller`'s shares to `receiver` (`deliverShares`): the
 * controller screened as a sender, then the receiver as a receiver.
 */
async function checkDelivery(
  client: CascadeClient,
  offering: Address,
  controller: Address,
  receiver: Address,
  shares: bigint,
): Promise<void> {
  const token = await readContract(client, {
    address: offering,
    abi: offeringAbi,
    functionName: "share",
  });
  const tranche = { address: token, abi: trancheTokenAbi } as const;
  const registry = await readContract(client, { ...tranche, functionName: "registry" });
  if (registry === zeroAddress) return;
  const walletRecord = (wallet: Address) =>
    readContract(client, {
      address: registry,
      abi: investorRegistryAbi,
      functionName: "walletRecord",
      args: [wallet],
    });
  const [rules, controllerRecord, receiverRecord, block] = await Promise.all([
    readContract(client, { ...tranche, functionName: "transferRules" }),
    walletRecord(controller),
    walletRecord(receiver),
    getBlock(client),
  ]);
  const now = block.timestamp;
  const code =
    eligibilityCode(unpackInvestorRecord(controllerRecord), rules, now, "sender") ||
    eligibilityCode(unpackInvestorRecord(receiverRecord), rules, now, "receiver");
  if (code === 0) return;
  const reason = await readContract(client, {
    ...tranche,
    functionName: "messageForTransferRestriction",
    args: [code],
  });
  throw new TransferRestrictedError({
    code,
    reason,
    operation: "delivery",
    details: { offering, token, controller, receiver, shares },
  });
}
