import type { Address, Hash, Hex } from "viem";
import { getBlock, getChainId, readContract, signTypedData } from "viem/actions";

import {
  resolveAccount,
  withErrors,
  type AccountParameter,
  type CascadeClient,
} from "../../client.js";
import { dealConsentTypedData, dealTermsHash, hashDealConsent } from "../../dealConsent.js";
import { dealFactoryAbi } from "../../generated/abis.js";
import type { TermSheet } from "../../types.js";

export interface SignDealConsentParameters extends AccountParameter {
  factory: Address;
  /** The term sheet consented to, exactly as it will be submitted. */
  terms: TermSheet;
  /** Unix time until which the consent may be used (default: one day after the latest block). */
  deadline?: bigint;
  /** The issuer's nonce to sign with (default: its next one, `nonces(terms.issuer)` at the factory). */
  nonce?: bigint;
}

export interface SignDealConsentReturnType {
  /** `terms.issuer`, whose consent this is. */
  issuer: Address;
  /** The account that signed: the issuer itself, or for a contract issuer a key its `isValidSignature` accepts. */
  signer: Address;
  signature: Hex;
  /** keccak256(abi.encode(terms)), as `DealCreated.termsHash` will say. */
  termsHash: Hash;
  nonce: bigint;
  deadline: bigint;
  /** The EIP-712 digest signed (`DealFactory.hashCreateDeal(termsHash, nonce, deadline)`). */
  digest: Hash;
}

/**
 * The issuer signs its consent to the creation of the deal of `terms` (EIP-712; domain: the factory on its chain),
 * so that anyone may submit it with `createDealWithConsent` until `deadline`. Nothing is sent. The consent uses the
 * issuer's nonce: consents are used in nonce order, each once.
 *
 * @example
 * const consent = await issuer.signDealConsent({ factory, terms });
 * // Handed to an arranger, who sends the transaction:
 * const { deal } = await arranger.createDealWithConsent({ factory, terms, consent });
 */
export async function signDealConsent(
  client: CascadeClient,
  params: SignDealConsentParameters,
): Promise<SignDealConsentReturnType> {
  const account = resolveAccount(client, params.account);
  const issuer = params.terms.issuer;
  const [chainId, nonce, deadline] = await withErrors(() =>
    Promise.all([
      client.chain ? client.chain.id : getChainId(client),
      params.nonce ??
        readContract(client, {
          address: params.factory,
          abi: dealFactoryAbi,
          functionName: "nonces",
          args: [issuer],
        }),
      params.deadline ?? getBlock(client).then((b) => b.timestamp + 86_400n),
    ]),
  );
  const consent = {
    factory: params.factory,
    chainId,
    termsHash: dealTermsHash(params.terms),
    nonce,
    deadline,
  };
  const signature = await withErrors(() =>
    signTypedData(client, { account, ...dealConsentTypedData(consent) }),
  );
  return {
    issuer,
    signer: account.address,
    signature,
    termsHash: consent.termsHash,
    nonce,
    deadline,
    digest: hashDealConsent(consent),
  };
}
