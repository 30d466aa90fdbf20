import type { Address, Hash } from "viem";
import { readContract } from "viem/actions";

import {
  resolveAccount,
  withErrors,
  type AccountParameter,
  type CascadeClient,
} from "../../client.js";
import { ContractRevertError } from "../../errors.js";
import { dealAbi } from "../../generated/abis.js";
import type { PeriodStatement } from "../../types.js";
import { distribute } from "./distribute.js";

export interface DistributeReadyParameters extends AccountParameter {
  deal: Address;
  /** Stops after this many distributions (default: no limit; the deal's period count bounds the loop). */
  maxPeriods?: number;
}

export interface DistributeReadyReturnType {
  /** Statements of the periods this call distributed, from their `PeriodDistributed` events. */
  statements: PeriodStatement[];
  transactionHashes: Hash[];
  /** Periods another keeper distributed first (the race is harmless: the period is done). */
  distributedByOthers: bigint[];
  /** The deal's next period after the loop. */
  nextPeriod: bigint;
}

/**
 * Keeper loop: while `readyPeriod()` says a period is ready, distributes it. A `WaterfallPeriodAlreadyDistributed`
 * revert (another keeper was first) counts as success.
 */
export async function distributeReady(
  client: CascadeClient,
  params: DistributeReadyParameters,
): Promise<DistributeReadyReturnType> {
  const account = resolveAccount(client, params.account);
  const statements: PeriodStatement[] = [];
  const transactionHashes: Hash[] = [];
  const distributedByOthers: bigint[] = [];
  const limit = params.maxPeriods ?? Number.POSITIVE_INFINITY;
  const readyPeriod = () =>
    withErrors(() =>
      readContract(client, {
        address: params.deal,
        abi: dealAbi,
        functionName: "readyPeriod",
        blockTag: "latest",
      }),
    );

  let [ready, period] = await readyPeriod();
  while (ready && statements.length + distributedByOthers.length < limit) {
    try {
      const { statement, transactionHash } = await distribute(client, {
        deal: params.deal,
        period,
        account,
      });
      statements.push(statement);
      transactionHashes.push(transactionHash);
    } catch (e) {
      if (!(
        e instanceof ContractRevertError && e.errorName === "WaterfallPeriodAlreadyDistributed"
      ))
        throw e;
      distributedByOthers.push(period);
    }
    [ready, period] = await readyPeriod();
  }
  const nextPeriod = await withErrors(() =>
    readContract(client, { address: params.deal, abi: dealAbi, functionName: "nextPeriod" }),
  );
  return { statements, transactionHashes, distributedByOthers, nextPeriod };
}
