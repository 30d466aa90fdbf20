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

/** What recoveries paid one note (`RecoveryApplied`). */
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
  /** Per note, in the order paid (principal pass, then write-downs and interest). */
  applied: RecoveryApplied[];
  /** Total recovered (0 when no recoveries were deposited). */
  amount: bigint;
  /** Paid to the notes. */
  toNotes: bigint;
  /** The rest: added to the collections of a running deal, or paid to `recipient` once it has ended. */
  left: bigint;
  /** The deal itself (collections), the equity token or the issuer. */
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
 * Anyone pays recoveries into a running or defaulted deal (`Deal.depositRecoveries`): note principal by rank, then
 * written-down principal and (once ended) interest arrears; the rest joins the collections or goes to equity.
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
