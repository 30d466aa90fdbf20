import type { Address, Hash } from "viem";

import {
  approveDealStablecoin,
  eventsOf,
  resolveAccount,
  riskEngineOf,
  writeAndWait,
  type AccountParameter,
  type CascadeClient,
} from "../../client.js";
import { riskEngineAbi } from "../../generated/abis.js";
import { recoveriesFromReceipt, type RecoveriesOutcome } from "../anyone/depositRecoveries.js";

export interface RetireFleetEntryParameters extends AccountParameter {
  deal: Address;
  /** Fleet entry id. */
  id: bigint;
  /** GPUs leaving the fleet (sold or broken). */
  units: bigint;
  /** Sale proceeds the issuer pays in as recoveries (stablecoin units; default 0). The risk engine, which passes
   * them into the deal, is approved first. */
  proceeds?: bigint;
}

export interface RetireFleetEntryReturnType extends RecoveriesOutcome {
  /** GPUs of the entry still in the fleet. */
  activeCount: bigint;
  approveTransactionHash: Hash | undefined;
  transactionHash: Hash;
}

/** The issuer admin retires GPUs of a fleet entry; sale proceeds are applied as recoveries, top-down. */
export async function retireFleetEntry(
  client: CascadeClient,
  params: RetireFleetEntryParameters,
): Promise<RetireFleetEntryReturnType> {
  const account = resolveAccount(client, params.account);
  const engine = await riskEngineOf(client, params.deal);
  const proceeds = params.proceeds ?? 0n;
  const approveTransactionHash = await approveDealStablecoin(client, {
    deal: params.deal,
    spender: engine,
    amount: proceeds,
    account,
  });
  const receipt = await writeAndWait(client, {
    address: engine,
    abi: riskEngineAbi,
    functionName: "retireFleetEntry",
    args: [params.id, params.units, proceeds],
    account,
  });
  const [retired] = eventsOf(receipt, riskEngineAbi, "FleetEntryRetired", engine);
  return {
    activeCount: retired?.args.activeCount ?? 0n,
    ...recoveriesFromReceipt(receipt, params.deal),
    approveTransactionHash,
    transactionHash: receipt.transactionHash,
  };
}
