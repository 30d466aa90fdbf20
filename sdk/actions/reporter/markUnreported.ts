import type { Address, Hash } from "viem";

import {
  eventsOf,
  resolveAccount,
  writeAndWait,
  type AccountParameter,
  type CascadeClient,
} from "../../client.js";
import { CascadeError } from "../../errors.js";
import { utilizationOracleAbi } from "../../generated/abis.js";
import { oracleOf } from "./prepareReport.js";

export interface MarkUnreportedParameters extends AccountParameter {
  deal: Address;
  period: bigint;
  /** The oracle (default: the deal's). */
  oracle?: Address;
}

export interface MarkUnreportedReturnType {
  transactionHash: Hash;
}

/**
 * Marks a period unreported (anyone may) once its report deadline has passed with no report pending or final. The
 * deal then distributes every collection for it, pays utilization-linked coupons their floor and counts a missed
 * report. Reverts `ReportDeadlineNotReached`, `ReportAlreadyProposed` or `ReportPeriodUnreported` otherwise.
 */
export async function markUnreported(
  client: CascadeClient,
  params: MarkUnreportedParameters,
): Promise<MarkUnreportedReturnType> {
  const account = resolveAccount(client, params.account);
  const oracle = params.oracle ?? (await oracleOf(client, params.deal));
  const receipt = await writeAndWait(client, {
    address: oracle,
    abi: utilizationOracleAbi,
    functionName: "markUnreported",
    args: [params.deal, params.period],
    account,
  });
  if (eventsOf(receipt, utilizationOracleAbi, "PeriodUnreported", oracle).length === 0) {
    throw new CascadeError("markUnreported: no PeriodUnreported event", {
      transactionHash: receipt.transactionHash,
    });
  }
  return { transactionHash: receipt.transactionHash };
}
