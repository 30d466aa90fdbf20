import type { Address, Hash, TransactionReceipt } from "viem";

import {
  approveDealStablecoin,
  eventsOf,
  resolveAccount,
  writeAndWait,
  type AccountParameter,
  type CascadeClient,
} from "../../client.js";
import { dealAbi } from "../../generated/abis.js";

export interface DepositRecoveriesParameters extends AccountParameter {
  deal: Address;
  /** Stablecoin units recovered (e.g. from selling GPUs); the deal is approved first if needed. */
  amount: bigint;
}

/** What recoveries paid one note at once (`RecoveryApplied`: a defaulted deal, or a distribution). */
export interface RecoveryApplied {
  tranche: number;
  principal: bigint;
  recovered: bigint;
  interest: bigint;
  outstanding: bigint;
  writtenDown: bigint;
}

/** How a deposit of recoveries was applied. */
export interface RecoveriesOutcome {
  /** Per note paid at once, in rank order (a defaulted deal: written-down principal, then arrears). */
  applied: RecoveryApplied[];
  /** Total recovered (0 when no recoveries were deposited). */
  amount: bigint;
  /** Paid to the notes at once. */
  toNotes: bigint;
  /** The rest: held in the recovery account of a running deal, or paid to `recipient` once it has ended. */
  left: bigint;
  /** The deal itself (its recovery account), the equity token or the issuer (credited in the deal). */
  recipient: Address | undefined;
}

/** Decodes the recovery events of `deal` in a receipt. */
export function recoveriesFromReceipt(
  receipt: TransactionReceipt,
  deal: Address,
): RecoveriesOutcome {
  const applied = eventsOf(receipt, dealAbi, "RecoveryApplied", deal).map((e) => ({
    tranche: Number(e.args.tranche),
    principal: e.args.principal,
    recovered: e.args.recovered,
    interest: e.args.interest,
    outstanding: e.args.outstanding,
    writtenDown: e.args.writtenDown,
  }));
  const [deposited] = eventsOf(receipt, dealAbi, "RecoveriesDeposited", deal);
  return {
    applied,
    amount: deposited?.args.amount ?? 0n,
    toNotes: deposited?.args.toNotes ?? 0n,
    left: deposited?.args.rest ?? 0n,
    recipient: deposited?.args.recipient,
  };
}

export interface DepositRecoveriesReturnType extends RecoveriesOutcome {
  approveTransactionHash: Hash | undefined;
  transactionHash: Hash;
}

/**
 * Anyone pays recoveries into a running or defaulted deal (`Deal.depositRecoveries`). A running deal holds them in its
 * recovery account: they count as collateral, every note keeps earning its coupon on its whole principal, and the
 * coming distributions apply them in their priority of payments (the senior interest, then the scheduled principal,
 * that the period's cash leaves unpaid; everything when accelerated, at the final period or once no principal is
 * outstanding: see `statement.recoveriesApplied`). A defaulted deal pays them at once, note by note: written-down principal, then
 * arrears; the rest goes to equity (credited to the issuer without equity).
 * @example
 * const { left, recipient } = await anyone.depositRecoveries({ deal, amount: parseUnits("250000", 6) });
 */
export async function depositRecoveries(
  client: CascadeClient,
  params: DepositRecoveriesParameters,
): Promise<DepositRecoveriesReturnType> {
  const account = resolveAccount(client, params.account);
  const approveTransactionHash = await approveDealStablecoin(client, {
    deal: params.deal,
    amount: params.amount,
    account,
  });
  const receipt = await writeAndWait(client, {
    address: params.deal,
    abi: dealAbi,
    functionName: "depositRecoveries",
    args: [params.amount],
    account,
  });
  return {
    ...recoveriesFromReceipt(receipt, params.deal),
    approveTransactionHash,
    transactionHash: receipt.transactionHash,
  };
}
