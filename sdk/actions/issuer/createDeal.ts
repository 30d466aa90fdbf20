import type { Address, Hash } from "viem";

import {
  eventsOf,
  resolveAccount,
  writeAndWait,
  type AccountParameter,
  type CascadeClient,
} from "../../client.js";
import { CascadeError } from "../../errors.js";
import { dealFactoryAbi } from "../../generated/abis.js";
import type { TermSheet } from "../../types.js";

export interface CreateDealParameters extends AccountParameter {
  factory: Address;
  /** The on-chain struct, e.g. `parseTermSheet(json).terms`. */
  terms: TermSheet;
}

export interface CreateDealReturnType {
  dealId: bigint;
  deal: Address;
  issuer: Address;
  stablecoin: Address;
  /** Tranche tokens, by rank (the last one is the equity). */
  tokens: readonly Address[];
  /** Offerings, by rank. */
  offerings: readonly Address[];
  /** keccak256 of the `createDeal` arguments (the term sheet; `dealTermSheet` reads it back). */
  termsHash: Hash;
  transactionHash: Hash;
  blockNumber: bigint;
}

/** Creates a deal from a term sheet; returns what the factory's `DealCreated` event says. */
export async function createDeal(
  client: CascadeClient,
  params: CreateDealParameters,
): Promise<CreateDealReturnType> {
  const account = resolveAccount(client, params.account);
  const receipt = await writeAndWait(client, {
    address: params.factory,
    abi: dealFactoryAbi,
    functionName: "createDeal",
    args: [params.terms],
    account,
  });
  const [created] = eventsOf(receipt, dealFactoryAbi, "DealCreated", params.factory);
  if (!created) {
    throw new CascadeError("createDeal: no DealCreated event in the receipt", {
      transactionHash: receipt.transactionHash,
    });
  }
  const { dealId, deal, issuer, stablecoin, tokens, offerings, termsHash } = created.args;
  return {
    dealId,
    deal,
    issuer,
    stablecoin,
    tokens,
    offerings,
    termsHash,
    transactionHash: receipt.transactionHash,
    blockNumber: receipt.blockNumber,
  };
}
