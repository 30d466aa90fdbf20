import type { Address } from "viem";
import { getBlock, getBlockNumber, readContract } from "viem/actions";

import { withErrors, type CascadeClient } from "../../client.js";
import {
  investorClassNames,
  type InvestorClassName,
  type InvestorRecord,
} from "../../compliance.js";
import { investorRegistryAbi } from "../../generated/abis.js";

export interface InvestorRecordParameters {
  registry: Address;
  wallet: Address;
  /** Reads at this block (default: latest). */
  blockNumber?: bigint;
}

export interface InvestorRecordReturnType extends InvestorRecord {
  registry: Address;
  wallet: Address;
  /** False when the registry has no record of the wallet (every other field is then 0). */
  registered: boolean;
  /** Class flags by name (other bits as one number). */
  classNames: (InvestorClassName | number)[];
  /** Identity or wallet frozen. */
  frozen: boolean;
  /** KYC past its expiry at `timestamp`. */
  kycExpired: boolean;
  /** Every wallet of the wallet's identity (empty when not registered). */
  wallets: Address[];
  blockNumber: bigint;
  /** Chain time of `blockNumber`. */
  timestamp: bigint;
}

/**
 * A wallet's record in the `InvestorRegistry` (`walletInfo`, `identityWallets`): identity, KYC expiry, country,
 * classes, identity and wallet freezes, and the identity's wallets.
 * @example
 * const r = await client.investorRecord({ registry, wallet });
 * if (!r.registered) console.log("not onboarded");
 */
export async function investorRecord(
  client: CascadeClient,
  params: InvestorRecordParameters,
): Promise<InvestorRecordReturnType> {
  return withErrors(async () => {
    const blockNumber = params.blockNumber ?? (await getBlockNumber(client, { cacheTime: 0 }));
    const registry = { address: params.registry, abi: investorRegistryAbi, blockNumber } as const;
    const [info, block] = await Promise.all([
      readContract(client, { ...registry, functionName: "walletInfo", args: [params.wallet] }),
      getBlock(client, { blockNumber }),
    ]);
    const registered = info.identity !== 0;
    const wallets = registered
      ? [
          ...(await readContract(client, {
            ...registry,
            functionName: "identityWallets",
            args: [params.wallet],
          })),
        ]
      : [];
    return {
      registry: params.registry,
      wallet: params.wallet,
      registered,
      identity: info.identity,
      kycExpiry: BigInt(info.kycExpiry),
      country: info.country,
      classes: info.classes,
      classNames: investorClassNames(info.classes),
      identityFrozen: info.identityFrozen,
      walletFrozen: info.walletFrozen,
      walletCount: info.walletCount,
      frozen: info.identityFrozen || info.walletFrozen,
      kycExpired: registered && BigInt(info.kycExpiry) <= block.timestamp,
      wallets,
      blockNumber,
      timestamp: block.timestamp,
    };
  });
}
