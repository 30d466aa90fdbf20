import type { Address, Hash, Hex } from "viem";

import {
  eventsOf,
  resolveAccount,
  writeAndWait,
  type AccountParameter,
  type CascadeClient,
} from "../../client.js";
import { dealTermsHash } from "../../dealConsent.js";
import { CascadeError } from "../../errors.js";
import { dealFactoryAbi } from "../../generated/abis.js";
import type { TermSheet } from "../../types.js";
import { dealCreatedIn, type CreateDealReturnType } from "./createDeal.js";

export interface CreateDealWithConsentParameters extends AccountParameter {
  factory: Address;
  /** The term sheet, exactly as the issuer signed it. */
  terms: TermSheet;
  /** The issuer's consent, e.g. what `signDealConsent` returned. */
  consent: {
    signature: Hex;
    deadline: bigint;
    /** When given, checked against `terms` before sending. */
    termsHash?: Hash;
  };
}

export interface CreateDealWithConsentReturnType extends CreateDealReturnType {
  /** The issuer's nonce the consent used (`IssuerConsentUsed`). */
  nonce: bigint;
}

/**
 * Creates the deal of `terms` with its issuer's signed consent; anyone may send it. The factory refuses an expired
 * consent (`ConsentExpired`) and one that is not the issuer's with its current nonce (`InvalidIssuerSignature`:
 * another signer, other terms, or a consent already used).
 *
 * @example
 * const consent = await issuer.signDealConsent({ factory, terms });
 * const { deal, nonce } = await arranger.createDealWithConsent({ factory, terms, consent });
 */
export async function createDealWithConsent(
  client: CascadeClient,
  params: CreateDealWithConsentParameters,
): Promise<CreateDealWithConsentReturnType> {
  const account = resolveAccount(client, params.account);
  const { consent } = params;
  const termsHash = dealTermsHash(params.terms);
  if (consent.termsHash !== undefined && consent.termsHash.toLowerCase() !== termsHash) {
    throw new CascadeError("createDealWithConsent: the consent was signed for another term sheet", {
      signed: consent.termsHash,
      terms: termsHash,
    });
  }
  const receipt = await writeAndWait(client, {
    address: params.factory,
    abi: dealFactoryAbi,
    functionName: "createDealWithConsent",
    args: [params.terms, consent.deadline, consent.signature],
    account,
  });
  const created = dealCreatedIn(receipt, params.factory, "createDealWithConsent");
  const [used] = eventsOf(receipt, dealFactoryAbi, "IssuerConsentUsed", params.factory);
  if (!used) {
    throw new CascadeError("createDealWithConsent: no IssuerConsentUsed event in the receipt", {
      transactionHash: receipt.transactionHash,
    });
  }
  return { ...created, nonce: used.args.nonce };
}
