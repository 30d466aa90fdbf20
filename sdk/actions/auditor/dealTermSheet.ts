import { decodeFunctionData, encodeEventTopics, isAddressEqual, keccak256, sliceHex } from "viem";
import type { Address, BlockNumber, BlockTag, Hash, Hex } from "viem";
import { getTransaction } from "viem/actions";

import { withErrors, type CascadeClient } from "../../client.js";
import { dealTermsHash } from "../../dealConsent.js";
import { CascadeError } from "../../errors.js";
import { dealFactoryAbi } from "../../generated/abis.js";
import { dealLogRange, readContractEvents, type LogReaderOptions } from "../../logs.js";
import type { TermSheet } from "../../types.js";

export interface DealTermSheetParameters extends LogReaderOptions {
  factory: Address;
  deal: Address;
  /**
   * First block to search for the deal's `DealCreated` event (default: the deal's creation block, found by a search
   * over `eth_getCode`).
   */
  fromBlock?: BlockNumber | BlockTag;
  toBlock?: BlockNumber | BlockTag;
}

export interface DealTermSheetReturnType {
  /** The term sheet the deal was created from, as `createDeal` or `createDealWithConsent` received it. */
  terms: TermSheet;
  /** `DealCreated.termsHash`: keccak256(abi.encode(terms)), which `terms` was checked against. */
  termsHash: Hash;
  /** How the deal was created: by its issuer, or with its signed consent by another account. */
  createdBy: "createDeal" | "createDealWithConsent";
  transactionHash: Hash;
  blockNumber: bigint;
}

/**
 * The term sheet a deal was created from. `DealCreated` commits to it by hash (`termsHash`); the term sheet itself
 * is the first argument of the `createDeal` or `createDealWithConsent` call, read back from the creating transaction
 * and checked against the hash. That transaction must have called the factory directly (from an account); when a
 * contract (a multisig, a batcher) made the call, the input is in the transaction's trace and this throws with the
 * hash to check it against.
 *
 * @example
 * const { terms, termsHash, createdBy } = await auditor.dealTermSheet({ factory, deal });
 */
export async function dealTermSheet(
  client: CascadeClient,
  params: DealTermSheetParameters,
): Promise<DealTermSheetReturnType> {
  return withErrors(async () => {
    const range = await dealLogRange(client, params);
    const [, ...indexedTopics] = encodeEventTopics({
      abi: dealFactoryAbi,
      eventName: "DealCreated",
      args: { deal: params.deal },
    });
    // The event is in the deal's creation block: the first range read holds it.
    const [logs] =
      range === undefined
        ? [[]]
        : await readContractEvents(client, {
            ...params,
            ...range,
            sources: [{ address: params.factory, abi: dealFactoryAbi, eventName: "DealCreated" }],
            indexedTopics,
            stop: "first",
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
    const call = direct ? decodeCreation(tx.input) : undefined;
    // createDeal's hash is that of its calldata; createDealWithConsent's that of the re-encoded term sheet.
    const hashed =
      call === undefined
        ? undefined
        : call.functionName === "createDeal"
          ? keccak256(sliceHex(tx.input, 4))
          : dealTermsHash(call.terms);
    if (call === undefined || hashed !== termsHash) {
      throw new CascadeError(
        "dealTermSheet: the deal was created by a contract's call to the factory; its term sheet is that call's input, in the transaction's trace",
        { transactionHash: log.transactionHash, termsHash },
      );
    }
    return {
      terms: call.terms,
      termsHash,
      createdBy: call.functionName,
      transactionHash: log.transactionHash,
      blockNumber: log.blockNumber,
    };
  });
}

/** The term sheet of a `createDeal` or `createDealWithConsent` call; undefined for any other input. */
function decodeCreation(
  input: Hex,
): { functionName: DealTermSheetReturnType["createdBy"]; terms: TermSheet } | undefined {
  try {
    const call = decodeFunctionData({ abi: dealFactoryAbi, data: input });
    if (call.functionName === "createDeal" || call.functionName === "createDealWithConsent") {
      return { functionName: call.functionName, terms: call.args[0] as TermSheet };
    }
  } catch {
    // Not a call of the factory's ABI.
  }
  return undefined;
}
