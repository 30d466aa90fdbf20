/**
 * An issuer's consent to the creation of its deal, off chain: the EIP-712 typed data the issuer signs so that anyone
 * may submit `DealFactory.createDealWithConsent`, and the term-sheet hash it names.
 */
import {
  encodeFunctionData,
  hashTypedData,
  keccak256,
  sliceHex,
  type Address,
  type Hex,
  type TypedDataDomain,
} from "viem";

import { dealFactoryAbi } from "./generated/abis.js";
import type { TermSheet } from "./types.js";

/** EIP-712 domain name and version of the DealFactory. */
export const DEAL_FACTORY_DOMAIN_NAME = "Cascade Deal Factory";
export const DEAL_FACTORY_DOMAIN_VERSION = "1";

/** EIP-712 types of an issuer's consent, as `DealFactory.CREATE_DEAL_TYPEHASH`. */
export const CREATE_DEAL_TYPES = {
  CreateDeal: [
    { name: "termsHash", type: "bytes32" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
} as const;

/** What an issuer consents to: the term sheet (by hash), with its nonce, until a deadline. */
export interface DealConsent {
  /** The factory the deal is created by (the consent's domain, with the chain). */
  factory: Address;
  chainId: number | bigint;
  /** keccak256(abi.encode(terms)), see {@link dealTermsHash}. */
  termsHash: Hex;
  /** The issuer's nonce at the factory (`nonces(issuer)`); each consent is used once. */
  nonce: bigint;
  /** Unix time after which the consent is refused (`ConsentExpired`). */
  deadline: bigint;
}

/**
 * keccak256(abi.encode(terms)): what the issuer's consent names and `DealCreated.termsHash` commits to (for
 * `createDeal`, keccak256 of the call's arguments, the same bytes).
 */
export function dealTermsHash(terms: TermSheet): Hex {
  return keccak256(
    sliceHex(
      encodeFunctionData({ abi: dealFactoryAbi, functionName: "createDeal", args: [terms] }),
      4,
    ),
  );
}

/** The factory's EIP-712 domain. */
export function dealFactoryDomain(factory: Address, chainId: number | bigint): TypedDataDomain {
  return {
    name: DEAL_FACTORY_DOMAIN_NAME,
    version: DEAL_FACTORY_DOMAIN_VERSION,
    chainId: Number(chainId),
    verifyingContract: factory,
  };
}

/** Everything `signTypedData` needs for a consent. */
export function dealConsentTypedData(consent: DealConsent) {
  return {
    domain: dealFactoryDomain(consent.factory, consent.chainId),
    types: CREATE_DEAL_TYPES,
    primaryType: "CreateDeal" as const,
    message: { termsHash: consent.termsHash, nonce: consent.nonce, deadline: consent.deadline },
  };
}

/** The EIP-712 digest the issuer signs (equals `DealFactory.hashCreateDeal(termsHash, nonce, deadline)`). */
export function hashDealConsent(consent: DealConsent): Hex {
  return hashTypedData(dealConsentTypedData(consent));
}
