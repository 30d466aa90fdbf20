import type { Address } from "viem";
import { getChainId, readContract } from "viem/actions";

import { withErrors, type CascadeClient } from "../../client.js";
import { dealAbi, utilizationOracleAbi } from "../../generated/abis.js";
import type { ReportContent, UtilizationReport } from "../../types.js";

export interface PrepareReportParameters {
  /** What the reporters attest; the fields that bind the signature are read from the chain unless given. */
  report: ReportContent &
    Partial<Pick<UtilizationReport, "chainId" | "oracle" | "round" | "reporterSet">>;
  /** The oracle (default: `report.oracle`, else the deal's). */
  oracle?: Address;
  /** Reads the round and reporter set at this block (default: latest). */
  blockNumber?: bigint;
}

export type PrepareReportReturnType = UtilizationReport;

/** The oracle of `deal` (`Deal.oracle()`). */
export async function oracleOf(client: CascadeClient, deal: Address): Promise<Address> {
  return withErrors(() =>
    readContract(client, { address: deal, abi: dealAbi, functionName: "oracle" }),
  );
}

/**
 * Builds the full struct reporters sign: the content plus the chain id, the oracle, the period's open round
 * (`getReport(deal, period).round`: 0, or one more after each dispute) and the deal's reporter set in force; energy,
 * PUE and appraisal the content leaves out are zero (not reported).
 */
export async function prepareReport(
  client: CascadeClient,
  params: PrepareReportParameters,
): Promise<PrepareReportReturnType> {
  const r = params.report;
  const oracle = params.oracle ?? r.oracle ?? (await oracleOf(client, r.deal));
  const at = params.blockNumber === undefined ? {} : { blockNumber: params.blockNumber };
  const [chainId, round, reporterSet] = await withErrors(() =>
    Promise.all([
      r.chainId ?? (client.chain ? BigInt(client.chain.id) : getChainId(client).then(BigInt)),
      r.round ??
        readContract(client, {
          address: oracle,
          abi: utilizationOracleAbi,
          functionName: "getReport",
          args: [r.deal, r.period],
          ...at,
        }).then((p) => p.round),
      r.reporterSet ??
        readContract(client, {
          address: oracle,
          abi: utilizationOracleAbi,
          functionName: "reporterSet",
          args: [r.deal],
          ...at,
        }),
    ]),
  );
  return {
    chainId,
    oracle,
    deal: r.deal,
    period: r.period,
    round,
    reporterSet,
    gpuHoursAvailable: r.gpuHoursAvailable,
    gpuHoursBilled: r.gpuHoursBilled,
    revenue: r.revenue,
    energyKwh: r.energyKwh ?? 0n,
    pue: r.pue ?? 0,
    appraisal: r.appraisal ?? 0n,
    reportHash: r.reportHash,
  };
}
