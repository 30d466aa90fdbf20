import type { Address, Hash } from "viem";

import {
  resolveAccount,
  writeAndWait,
  type AccountParameter,
  type CascadeClient,
} from "../../client.js";
import { CascadeError } from "../../errors.js";
import { investorRegistryAbi } from "../../generated/abis.js";
import { investorRecord, type InvestorRecordReturnType } from "./investorRecord.js";

export interface SetInvestorFrozenParameters extends AccountParameter {
  registry: Address;
  wallet: Address;
  frozen: boolean;
  /**
   * `wallet` (default): this wallet only (`setWalletFrozen`); `identity`: every wallet of its identity, present and
   * future (`setIdentityFrozen`).
   */
  scope?: "wallet" | "identity";
}

export interface SetInvestorFrozenReturnType {
  before: InvestorRecordReturnType;
  /** As the registry holds it after the call (read back). */
  after: InvestorRecordReturnType;
  /** Undefined when the flag already had the value (nothing is sent then). */
  transactionHash: Hash | undefined;
}

/**
 * The compliance agent freezes or releases a whole wallet, or every wallet of an investor's identity, in the
 * `InvestorRegistry`. A frozen investor can neither send, receive, claim coupons nor take delivery in any tranche
 * that names the registry; its coupons keep accruing and are claimed once it is released. For part of one tranche's
 * balance, see {@link freezeTokens}.
 * @throws CascadeError when the wallet is not registered (nothing is sent).
 * @example
 * await agent.setInvestorFrozen({ registry, wallet, frozen: true, scope: "identity" });
 */
export async function setInvestorFrozen(
  client: CascadeClient,
  params: SetInvestorFrozenParameters,
): Promise<SetInvestorFrozenReturnType> {
  const account = resolveAccount(client, params.account);
  const scope = params.scope ?? "wallet";
  const before = await investorRecord(client, { registry: params.registry, wallet: params.wallet });
  if (!before.registered)
    throw new CascadeError(
      `${params.wallet} is not registered in the investor registry ${params.registry}`,
      { registry: params.registry, wallet: params.wallet },
    );
  const current = scope === "identity" ? before.identityFrozen : before.walletFrozen;
  if (current === params.frozen) return { before, after: before, transactionHash: undefined };
  const receipt = await writeAndWait(client, {
    address: params.registry,
    abi: investorRegistryAbi,
    functionName: scope === "identity" ? "setIdentityFrozen" : "setWalletFrozen",
    args: [params.wallet, params.frozen],
    account,
  });
  const after = await investorRecord(client, {
    registry: params.registry,
    wallet: params.wallet,
    blockNumber: receipt.blockNumber,
  });
  return { before, after, transactionHash: receipt.transactionHash };
}
