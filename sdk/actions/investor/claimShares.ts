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
 * On a restricted tranche the receiver's registry record is checked first, as the token checks it on delivery:
 * an ineligible receiver gets its refund but no claim is sent.
 * @throws NotReadyError while the offering is open.
 * @throws TransferRestrictedError (operation `delivery`) with the receiver code (9 – 13) and the token's message
 * when the receiver may not hold the tranche, e.g. 9: it is not a registered investor.
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
    await withErrors(() => checkReceiver(client, params.offering, receiver, claimable));
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

/** Throws when the tranche's rules refuse `receiver` as the holder of delivered shares (`deliverShares`). */
async function checkReceiver(
  client: CascadeClient,
  offering: Address,
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
  const [rules, record, block] = await Promise.all([
    readContract(client, { ...tranche, functionName: "transferRules" }),
    readContract(client, {
      address: registry,
      abi: investorRegistryAbi,
      functionName: "walletRecord",
      args: [receiver],
    }),
    getBlock(client),
  ]);
  const code = eligibilityCode(unpackInvestorRecord(record), rules, block.timestamp, "receiver");
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
    details: { offering, token, receiver, shares },
  });
}
