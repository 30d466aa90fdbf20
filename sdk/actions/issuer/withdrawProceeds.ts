import type { Address, Hash } from "viem";
import { readContract } from "viem/actions";

import {
  eventsOf,
  resolveAccount,
  writeAndWait,
  type AccountParameter,
  type CascadeClient,
} from "../../client.js";
import { CascadeError } from "../../errors.js";
import { dealAbi, offeringAbi } from "../../generated/abis.js";

export interface WithdrawProceedsParameters extends AccountParameter {
  deal: Address;
  /** Only these tranches' offerings (default: every offering with proceeds owed). */
  tranches?: readonly number[];
}

export interface ProceedsWithdrawal {
  tranche: number;
  offering: Address;
  /** Stablecoin paid to the issuer (`ProceedsWithdrawn.proceeds`). */
  proceeds: bigint;
  transactionHash: Hash;
}

export interface WithdrawProceedsReturnType {
  withdrawals: ProceedsWithdrawal[];
  /** Sum of every withdrawal. */
  total: bigint;
}

/**
 * The issuer withdraws the proceeds its closed offerings credited to it (`Offering.withdrawProceeds`, one transaction
 * per offering with proceeds owed). Offerings credit the proceeds at close instead of pushing them, so a stablecoin
 * that refuses to pay the issuer never stops a close, and with it every refund.
 * @throws CascadeError when no offering (of those asked for) owes the account anything; ContractRevertError
 * `NoProceedsOwed(caller)` when the account is not the proceeds receiver, `OfferingPaused()` while paused.
 * @example
 * const { total } = await issuer.withdrawProceeds({ deal });
 */
export async function withdrawProceeds(
  client: CascadeClient,
  params: WithdrawProceedsParameters,
): Promise<WithdrawProceedsReturnType> {
  const account = resolveAccount(client, params.account);
  const count = await readContract(client, {
    address: params.deal,
    abi: dealAbi,
    functionName: "trancheCount",
  });
  const wanted = params.tranches ?? Array.from({ length: Number(count) }, (_, i) => i);
  const withdrawals: ProceedsWithdrawal[] = [];
  for (const tranche of wanted) {
    const [, offering] = await readContract(client, {
      address: params.deal,
      abi: dealAbi,
      functionName: "trancheContracts",
      args: [BigInt(tranche)],
    });
    const owed = await readContract(client, {
      address: offering,
      abi: offeringAbi,
      functionName: "proceedsOwed",
    });
    if (owed === 0n) continue;
    const receipt = await writeAndWait(client, {
      address: offering,
      abi: offeringAbi,
      functionName: "withdrawProceeds",
      args: [],
      account,
    });
    const [event] = eventsOf(receipt, offeringAbi, "ProceedsWithdrawn", offering);
    withdrawals.push({
      tranche,
      offering,
      proceeds: event?.args.proceeds ?? 0n,
      transactionHash: receipt.transactionHash,
    });
  }
  if (withdrawals.length === 0) {
    throw new CascadeError("withdrawProceeds: no offering of the deal owes proceeds", {
      deal: params.deal,
      tranches: wanted,
    });
  }
  return { withdrawals, total: withdrawals.reduce((a, w) => a + w.proceeds, 0n) };
}
