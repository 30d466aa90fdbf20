import { isAddressEqual, type Address, type Hash, type Hex, type TransactionReceipt } from "viem";

import {
  eventsOf,
  resolveAccount,
  writeAndWait,
  type AccountParameter,
  type CascadeClient,
} from "../../client.js";
import { ContractRevertError } from "../../errors.js";
import { dealAbi } from "../../generated/abis.js";
import type { PeriodStatement } from "../../types.js";
import { checkUpkeep, decodePerformData } from "./checkUpkeep.js";

export interface PerformUpkeepParameters extends AccountParameter {
  deal: Address;
  /** Periods one transaction may catch up, in order (default 1). Ignored with `performData`. */
  maxPeriods?: number | bigint;
  /** Sends this `performData` without calling `checkUpkeep` first (e.g. what an automation network computed). */
  performData?: Hex;
}

export interface PerformUpkeepReturnType {
  /** False when `checkUpkeep` found nothing ready: no transaction was sent. */
  upkeepNeeded: boolean;
  /** The period the upkeep started at. */
  firstPeriod: bigint | undefined;
  /** What was (or, without a ready period, would have been) sent to `performUpkeep`. */
  performData: Hex;
  /**
   * Another keeper distributed `firstPeriod` first (`WaterfallPeriodAlreadyDistributed`): a success, since the
   * contract never pays a period twice. Nothing was distributed by this call.
   */
  alreadyDistributed: boolean;
  /** Statements of the periods this transaction distributed, in order. */
  statements: PeriodStatement[];
  /** Keeper bounty paid to the sending account by this transaction (Σ `keeperBountyPaid` of its statements). */
  bountyEarned: bigint;
  transactionHash: Hash | undefined;
  gasUsed: bigint | undefined;
}

/**
 * What a mined `performUpkeep` (or `distribute`) did, from its receipt: the statements of the periods it distributed
 * and the bounty they paid to `keeper` (each statement names the account that ran it).
 */
export function upkeepOutcome(
  receipt: TransactionReceipt,
  deal: Address,
  keeper: Address,
): { statements: PeriodStatement[]; bountyEarned: bigint } {
  const statements = eventsOf(receipt, dealAbi, "PeriodDistributed", deal).map(
    (e) => e.args.statement,
  );
  const bountyEarned = statements
    .filter((s) => isAddressEqual(s.keeper, keeper))
    .reduce((a, s) => a + s.keeperBountyPaid, 0n);
  return { statements, bountyEarned };
}

/** Whether an error says the period was distributed already (by another keeper or an earlier transaction). */
export function isAlreadyDistributed(e: unknown): e is ContractRevertError {
  return e instanceof ContractRevertError && e.errorName === "WaterfallPeriodAlreadyDistributed";
}

/**
 * Runs the deal's ready periods the Chainlink-Automation way: `checkUpkeep`, then `performUpkeep(performData)`,
 * which distributes the first period and catches up to `maxPeriods − 1` more while they are ready. The sender earns
 * the keeper bounty of each. Losing the race to another keeper counts as success (`alreadyDistributed`); other
 * reverts throw a ContractRevertError.
 */
export async function performUpkeep(
  client: CascadeClient,
  params: PerformUpkeepParameters,
): Promise<PerformUpkeepReturnType> {
  const account = resolveAccount(client, params.account);
  let performData = params.performData;
  if (performData === undefined) {
    const check = await checkUpkeep(client, { deal: params.deal, maxPeriods: params.maxPeriods });
    if (!check.upkeepNeeded) {
      return {
        upkeepNeeded: false,
        firstPeriod: check.firstPeriod,
        performData: check.performData,
        alreadyDistributed: false,
        statements: [],
        bountyEarned: 0n,
        transactionHash: undefined,
        gasUsed: undefined,
      };
    }
    performData = check.performData;
  }
  const { firstPeriod } = decodePerformData(performData);
  try {
    const receipt = await writeAndWait(client, {
      address: params.deal,
      abi: dealAbi,
      functionName: "performUpkeep",
      args: [performData],
      account,
    });
    return {
      upkeepNeeded: true,
      firstPeriod,
      performData,
      alreadyDistributed: false,
      ...upkeepOutcome(receipt, params.deal, account.address),
      transactionHash: receipt.transactionHash,
      gasUsed: receipt.gasUsed,
    };
  } catch (e) {
    if (!isAlreadyDistributed(e)) throw e;
    return {
      upkeepNeeded: true,
      firstPeriod,
      performData,
      alreadyDistributed: true,
      statements: [],
      bountyEarned: 0n,
      transactionHash: e.transactionHash,
      gasUsed: undefined,
    };
  }
}
