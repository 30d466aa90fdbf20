import type { Address, Hash } from "viem";
import { readContract } from "viem/actions";

import {
  eventsOf,
  resolveAccount,
  withErrors,
  writeAndWait,
  type AccountParameter,
  type CascadeClient,
} from "../../client.js";
import { utilizationOracleAbi } from "../../generated/abis.js";
import { oracleOf } from "./prepareReport.js";

export interface FinalizeReportParameters extends AccountParameter {
  deal: Address;
  period: bigint;
  /** The oracle (default: the deal's). */
  oracle?: Address;
}

export interface FinalizeReportReturnType {
  /** False for a period marked unreported (the figures are then zero). */
  reported: boolean;
  gpuHoursAvailable: bigint;
  gpuHoursBilled: bigint;
  revenue: bigint;
  /** Whether this call recorded the finality (`ReportFinalized`); false when it was recorded before. */
  finalized: boolean;
  transactionHash: Hash;
}

/**
 * Records that a period's report is final once its dispute window has passed (anyone may; idempotent). Finality
 * depends only on time, and the deal calls this itself when it distributes the period, so this is only needed
 * to emit `ReportFinalized` early. Reverts `ReportNotFinal` while the report is pending or missing.
 */
export async function finalizeReport(
  client: CascadeClient,
  params: FinalizeReportParameters,
): Promise<FinalizeReportReturnType> {
  const account = resolveAccount(client, params.account);
  const oracle = params.oracle ?? (await oracleOf(client, params.deal));
  const receipt = await writeAndWait(client, {
    address: oracle,
    abi: utilizationOracleAbi,
    functionName: "finalize",
    args: [params.deal, params.period],
    account,
  });
  const [reported, gpuHoursAvailable, gpuHoursBilled, revenue] = await withErrors(() =>
    readContract(client, {
      address: oracle,
      abi: utilizationOracleAbi,
      functionName: "periodOutcome",
      args: [params.deal, params.period],
      blockNumber: receipt.blockNumber,
    }),
  );
  return {
    reported,
    gpuHoursAvailable,
    gpuHoursBilled,
    revenue,
    finalized: eventsOf(receipt, utilizationOracleAbi, "ReportFinalized", oracle).length > 0,
    transactionHash: receipt.transactionHash,
  };
}
