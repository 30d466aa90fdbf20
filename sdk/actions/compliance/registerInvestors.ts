import type { Address, Hash } from "viem";
import { readContract } from "viem/actions";

import {
  resolveAccount,
  withErrors,
  writeAndWait,
  type AccountParameter,
  type CascadeClient,
} from "../../client.js";
import { investorRegistryAbi } from "../../generated/abis.js";

export interface InvestorRegistration {
  wallet: Address;
  /** Unix time (seconds) until which the KYC is valid; must be in the future. */
  kycExpiry: bigint;
  /** ISO 3166-1 numeric country code (e.g. 840 for the United States, 276 for Germany). */
  country: number;
  /** Investor class flags (bit set; e.g. 1 = accredited / professional). */
  classes: number;
}

export interface RegisterInvestorsParameters extends AccountParameter {
  registry: Address;
  investors: readonly InvestorRegistration[];
  /** Called after each investor is handled (progress). */
  onProgress?: (done: number, total: number, result: RegisteredInvestor) => void;
}

export interface RegisteredInvestor {
  wallet: Address;
  identity: number;
  /** False when the wallet was registered already (nothing sent). */
  registered: boolean;
  transactionHash: Hash | undefined;
}

export type RegisterInvestorsReturnType = RegisteredInvestor[];

/**
 * The compliance agent registers investors in the `InvestorRegistry`, one identity per wallet
 * (`registerInvestor`). Wallets already registered are skipped, so re-running the same onboarding is harmless.
 */
export async function registerInvestors(
  client: CascadeClient,
  params: RegisterInvestorsParameters,
): Promise<RegisterInvestorsReturnType> {
  const account = resolveAccount(client, params.account);
  const identityOf = (wallet: Address) =>
    withErrors(() =>
      readContract(client, {
        address: params.registry,
        abi: investorRegistryAbi,
        functionName: "identityOf",
        args: [wallet],
      }),
    );
  const results: RegisteredInvestor[] = [];
  for (const investor of params.investors) {
    const existing = await identityOf(investor.wallet);
    let result: RegisteredInvestor;
    if (existing !== 0) {
      result = {
        wallet: investor.wallet,
        identity: existing,
        registered: false,
        transactionHash: undefined,
      };
    } else {
      const receipt = await writeAndWait(client, {
        address: params.registry,
        abi: investorRegistryAbi,
        functionName: "registerInvestor",
        args: [investor.wallet, Number(investor.kycExpiry), investor.country, investor.classes],
        account,
      });
      result = {
        wallet: investor.wallet,
        identity: await identityOf(investor.wallet),
        registered: true,
        transactionHash: receipt.transactionHash,
      };
    }
    results.push(result);
    params.onProgress?.(results.length, params.investors.length, result);
  }
  return results;
}
