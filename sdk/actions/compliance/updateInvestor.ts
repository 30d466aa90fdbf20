import type { Address, Hash } from "viem";

import {
  resolveAccount,
  writeAndWait,
  type AccountParameter,
  type CascadeClient,
} from "../../client.js";
import { isCountryCode } from "../../compliance.js";
import { CascadeError } from "../../errors.js";
import { investorRegistryAbi } from "../../generated/abis.js";
import { investorRecord, type InvestorRecordReturnType } from "./investorRecord.js";

export interface UpdateInvestorParameters extends AccountParameter {
  registry: Address;
  /** Any wallet of the investor: the update applies to every wallet of its identity. */
  wallet: Address;
  /** New KYC expiry (unix seconds); unchanged when undefined. A past time ends the investor's eligibility. */
  kycExpiry?: bigint;
  /** New ISO 3166-1 numeric country (1 – 999); unchanged when undefined. */
  country?: number;
  /** New class flag mask (0 – 65535); unchanged when undefined. */
  classes?: number;
}

/** A field of the record the update changed. */
export type InvestorField = "kycExpiry" | "country" | "classes";

export interface UpdateInvestorReturnType {
  /** The record before, and as the registry holds it after the update (read back). */
  before: InvestorRecordReturnType;
  after: InvestorRecordReturnType;
  /** The fields whose value changed; empty when the record already held the values (nothing is sent then). */
  changed: InvestorField[];
  transactionHash: Hash | undefined;
}

const MAX_KYC_EXPIRY = 2n ** 40n - 1n;

/**
 * The compliance agent changes an investor's KYC expiry, country or classes (`InvestorRegistry.updateInvestor`):
 * only the fields given change, the others are sent as the registry holds them, and the record is read back. The
 * identity's every wallet takes the new values; freezes are kept.
 * @throws CascadeError when the wallet is not registered or a value is out of range (nothing is sent).
 * @example
 * const { before, after } = await agent.updateInvestor({ registry, wallet, kycExpiry: now + 365n * 86_400n });
 */
export async function updateInvestor(
  client: CascadeClient,
  params: UpdateInvestorParameters,
): Promise<UpdateInvestorReturnType> {
  const account = resolveAccount(client, params.account);
  if (params.country !== undefined && !isCountryCode(params.country))
    throw new CascadeError(
      `country ${params.country} is not an ISO 3166-1 numeric code (1 to 999)`,
      { country: params.country },
    );
  if (
    params.classes !== undefined &&
    (!Number.isInteger(params.classes) || params.classes < 0 || params.classes > 0xffff)
  )
    throw new CascadeError(`classes ${params.classes} is not a 16-bit class mask`, {
      classes: params.classes,
    });
  if (
    params.kycExpiry !== undefined &&
    (params.kycExpiry < 0n || params.kycExpiry > MAX_KYC_EXPIRY)
  )
    throw new CascadeError(`KYC expiry ${params.kycExpiry} does not fit the registry's 40 bits`, {
      kycExpiry: params.kycExpiry,
    });
  const before = await investorRecord(client, { registry: params.registry, wallet: params.wallet });
  if (!before.registered)
    throw new CascadeError(
      `${params.wallet} is not registered in the investor registry ${params.registry}: register it first`,
      { registry: params.registry, wallet: params.wallet },
    );
  const next = {
    kycExpiry: params.kycExpiry ?? before.kycExpiry,
    country: params.country ?? before.country,
    classes: params.classes ?? before.classes,
  };
  const changed = (["kycExpiry", "country", "classes"] as const).filter(
    (k) => next[k] !== before[k],
  );
  if (changed.length === 0) return { before, after: before, changed, transactionHash: undefined };
  const receipt = await writeAndWait(client, {
    address: params.registry,
    abi: investorRegistryAbi,
    functionName: "updateInvestor",
    args: [params.wallet, Number(next.kycExpiry), next.country, next.classes],
    account,
  });
  const after = await investorRecord(client, {
    registry: params.registry,
    wallet: params.wallet,
    blockNumber: receipt.blockNumber,
  });
  return { before, after, changed, transactionHash: receipt.transactionHash };
}
