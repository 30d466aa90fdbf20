import { decodeFunctionData, isAddressEqual, keccak256, sliceHex } from "viem";
import type { Address, BlockNumber, BlockTag, Hash } from "viem";
import { getContractEvents, getTransaction } from "viem/actions";

import { withErrors, type CascadeClient } from "../../client.js";
import { CascadeError } from "../../errors.js";
import { dealFactoryAbi } from "../../generated/abis.js";
import type { TermSheet } from "../../types.js";

export interface DealTermSheetParameters {
  factory: Address;
  deal: Address;
  /** First block to search for the deal's `DealCreated` event (default 0). */
  fromBlock?: BlockNumber | BlockTag;
  toBlock?: BlockNumber | BlockTag;
}

export interface DealTermSheetReturnType {
  /** The term sheet the deal was created from, as `createDeal` received it. */
  terms: TermSheet;
  /** `DealCreated.termsHash`: keccak256 of the `createDeal` arguments, which `terms` was checked against. */
  termsHash: Hash;
  transactionHash: Hash;
  blockNumber: bigint;
}

/**
 * The term sheet a deal was created from. `DealCreated` commits to it by hash (`termsHash`); the term sheet itself
 * is the `createDeal` call's input, read back from the creating transaction and checked against the hash. That
 * transaction must have called the factory directly (from an account); when a contract (a multisig, a batcher)
 * made the call, the input is in the transaction's trace and this throws with the hash to check it against.
 */
export async function dealTermSheet(
  client: CascadeClient,
  params: DealTermSheetParameters,
): Promise<DealTermSheetReturnType> {
  return withErrors(async () => {
    const logs = await getContractEvents(client, {
      address: params.factory,
      abi: dealFactoryAbi,
      eventName: "DealCreated",
      args: { deal: params.deal },
      fromBlock: params.fromBlock ?? 0n,
      toBlock: params.toBlock ?? "latest",
      strict: true,
    });
    const log = logs.find((l) => l.transactionHash !== null && l.blockNumber !== null);
    if (!log || log.transactionHash === null || log.blockNumber === null) {
      throw new CascadeError("dealTermSheet: the factory created no such deal in the block range", {
        factory: params.factory,
        deal: params.deal,
      });
    }
    const { termsHash } = log.args;
    const tx = await getTransaction(client, { hash: log.transactionHash });
    const direct = tx.to !== null && isAddressEqual(tx.to, params.factory) && tx.input.length >= 10;
    if (!direct || keccak256(sliceHex(tx.input, 4)) !== termsHash) {
      throw new CascadeError(
        "dealTermSheet: the deal was created by a contract's call to the factory; its term sheet is that call's input, in the transaction's trace",
        { transactionHash: log.transactionHash, termsHash },
      );
    }
    const call = decodeFunctionData({ abi: dealFactoryAbi, data: tx.input });
    if (call.functionName !== "createDeal") {
      throw new CascadeError("dealTermSheet: the creating transaction is not a createDeal call", {
        transactionHash: log.transactionHash,
      });
    }
    return {
      terms: call.args[0] as TermSheet,
      termsHash,
      transactionHash: log.transactionHash,
      blockNumber: log.blockNumber,
    };
  });
}
