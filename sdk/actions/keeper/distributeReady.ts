import type { Address, Hash } from "viem";
import { readContract } from "viem/actions";

import {
  resolveAccount,
  withErrors,
  type AccountParameter,
  type CascadeClient,
} from "../../client.js";
import { dealAbi } from "../../generated/abis.js";
import { DealStatus, dealStatusName, type PeriodStatement } from "../../types.js";
import { performUpkeep } from "./performUpkeep.js";

export interface DistributeReadyParameters extends AccountParameter {
  deal: Address;
  /** Stops after this many distributed periods (default: no limit; the deal's period count bounds the loop). */
  maxPeriods?: number;
  /** Periods one transaction may catch up (default 4). */
  periodsPerTransaction?: number;
}

export interface DistributeReadyReturnType {
  /** Statements of the periods this call distributed, from their `PeriodDistributed` events. */
  statements: PeriodStatement[];
  transactionHashes: Hash[];
  /** First periods of upkeeps another keeper won (the race is harmless: the period is done). */
  distributedByOthers: bigint[];
  /** Keeper bounty this account earned. */
  bountyEarned: bigint;
  /** The deal's next period after the loop. */
  nextPeriod: bigint;
  /** The deal's status before the loop; a deal that is not running (in its offering, or ended) is skipped. */
  status: DealStatus;
  statusName: ReturnType<typeof dealStatusName>;
}

/**
 * Keeper loop: while `checkUpkeep` says a period is ready, runs `performUpkeep`, catching up several periods per
 * transaction. `WaterfallPeriodAlreadyDistributed` (another keeper was first) counts as success. A deal that is not
 * running — still in its offering, or ended (Repaid, Defaulted, Cancelled) — is skipped without a transaction.
 */
export async function distributeReady(
  client: CascadeClient,
  params: DistributeReadyParameters,
): Promise<DistributeReadyReturnType> {
  const account = resolveAccount(client, params.account);
  const statements: PeriodStatement[] = [];
  const transactionHashes: Hash[] = [];
  const distributedByOthers: bigint[] = [];
  let bountyEarned = 0n;
  const limit = params.maxPeriods ?? Number.POSITIVE_INFINITY;
  const perTx = params.periodsPerTransaction ?? 4;
  const status = await withErrors(() =>
    readContract(client, { address: params.deal, abi: dealAbi, functionName: "status" }),
  );
  const running =
    status === DealStatus.Active ||
    status === DealStatus.CashTrap ||
    status === DealStatus.Accelerated;

  while (running && statements.length < limit) {
    const batch = Math.max(1, Math.min(perTx, limit - statements.length));
    const run = await performUpkeep(client, { deal: params.deal, maxPeriods: batch, account });
    if (!run.upkeepNeeded) break;
    if (run.alreadyDistributed) {
      // A node that keeps answering with a stale view would loop here: give up on a repeat.
      if (run.firstPeriod === undefined || distributedByOthers.includes(run.firstPeriod)) break;
      distributedByOthers.push(run.firstPeriod);
      continue;
    }
    statements.push(...run.statements);
    bountyEarned += run.bountyEarned;
    if (run.transactionHash) transactionHashes.push(run.transactionHash);
  }
  const nextPeriod = await withErrors(() =>
    readContract(client, { address: params.deal, abi: dealAbi, functionName: "nextPeriod" }),
  );
  return {
    statements,
    transactionHashes,
    distributedByOthers,
    bountyEarned,
    nextPeriod,
    status: status as DealStatus,
    statusName: dealStatusName(status),
  };
}
