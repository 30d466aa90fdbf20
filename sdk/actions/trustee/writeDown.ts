import type { Address, Hash } from "viem";

import {
  eventsOf,
  resolveAccount,
  writeAndWait,
  type AccountParameter,
  type CascadeClient,
} from "../../client.js";
import { dealAbi } from "../../generated/abis.js";

export interface WriteDownParameters extends AccountParameter {
  deal: Address;
  /** Note principal to write off, in stablecoin units (at most what is outstanding). */
  amount: bigint;
}

/** One tranche's write-off (`PrincipalWrittenDown`). */
export interface PrincipalWrittenDown {
  tranche: number;
  amount: bigint;
  outstanding: bigint;
  /** Total written down after this one. */
  writtenDown: bigint;
}

export interface WriteDownReturnType {
  /** Equity first (its whole par, the first time), then the notes bottom-up. */
  writeDowns: PrincipalWrittenDown[];
  transactionHash: Hash;
}

/**
 * The trustee writes off note principal of an accelerated deal whose collections and reserve are exhausted
 * (`Deal.writeDown`): equity first, then bottom-up from the most junior note.
 */
export async function writeDown(
  client: CascadeClient,
  params: WriteDownParameters,
): Promise<WriteDownReturnType> {
  const account = resolveAccount(client, params.account);
  const receipt = await writeAndWait(client, {
    address: params.deal,
    abi: dealAbi,
    functionName: "writeDown",
    args: [params.amount],
    account,
  });
  return {
    writeDowns: eventsOf(receipt, dealAbi, "PrincipalWrittenDown", params.deal).map((e) => ({
      tranche: Number(e.args.tranche),
      amount: e.args.amount,
      outstanding: e.args.outstanding,
      writtenDown: e.args.writtenDown,
    })),
    transactionHash: receipt.transactionHash,
  };
}
