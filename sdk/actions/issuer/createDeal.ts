import {
  encodeErrorResult,
  isAddressEqual,
  type Address,
  type Hash,
  type TransactionReceipt,
} from "viem";

import {
  eventsOf,
  resolveAccount,
  writeAndWait,
  type AccountParameter,
  type CascadeClient,
} from "../../client.js";
import { CascadeError, ContractRevertError, decodeRevert } from "../../errors.js";
import { dealFactoryAbi } from "../../generated/abis.js";
import type { TermSheet } from "../../types.js";

export interface CreateDealParameters extends AccountParameter {
  factory: Address;
  /** The on-chain struct, e.g. `parseTermSheet(json).terms`. Its `issuer` must be the sending account. */
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
  /** keccak256(abi.encode(terms)) (the term sheet; `dealTermSheet` reads it back). */
  termsHash: Hash;
  transactionHash: Hash;
  blockNumber: bigint;
}

/**
 * Creates a deal from a term sheet, sent by its issuer (the factory refuses anyone else: another account submits
 * the issuer's signed consent with `createDealWithConsent`); returns what the factory's `DealCreated` event says.
 * When the account is not `terms.issuer` it throws, before sending, the `IssuerConsentRequired(issuer, caller)`
 * revert the factory would give (a {@link ContractRevertError} without a transaction hash).
 *
 * @example
 * const issuer = createWalletClient({ account, chain, transport: http(url) }).extend(cascadeActions);
 * const { terms } = parseTermSheet(json, { now, addresses: { issuer: account.address, ... } });
 * const { deal, tokens, offerings } = await issuer.createDeal({ factory, terms });
 */
export async function createDeal(
  client: CascadeClient,
  params: CreateDealParameters,
): Promise<CreateDealReturnType> {
  const account = resolveAccount(client, params.account);
  if (!isAddressEqual(account.address, params.terms.issuer)) {
    throw issuerConsentRequired(params.terms.issuer, account.address);
  }
  const receipt = await writeAndWait(client, {
    address: params.factory,
    abi: dealFactoryAbi,
    functionName: "createDeal",
    args: [params.terms],
    account,
  });
  return dealCreatedIn(receipt, params.factory, "createDeal");
}

/** The `IssuerConsentRequired(issuer, caller)` revert, as the factory would give it. */
function issuerConsentRequired(issuer: Address, caller: Address): ContractRevertError {
  const data = encodeErrorResult({
    abi: dealFactoryAbi,
    errorName: "IssuerConsentRequired",
    args: [issuer, caller],
  });
  return decodeRevert(data) as ContractRevertError;
}

/** What the factory's `DealCreated` event in `receipt` says; throws when there is none. */
export function dealCreatedIn(
  receipt: TransactionReceipt,
  factory: Address,
  action: string,
): CreateDealReturnType {
  const [created] = eventsOf(receipt, dealFactoryAbi, "DealCreated", factory);
  if (!created) {
    throw new CascadeError(`${action}: no DealCreated event in the receipt`, {
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
