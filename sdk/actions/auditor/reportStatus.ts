import type { Address } from "viem";
import { readContract } from "viem/actions";

import { withErrors, type CascadeClient } from "../../client.js";
import { utilizationOracleAbi } from "../../generated/abis.js";
import { ReportState, reportStateName } from "../../types.js";
import { oracleOf } from "../reporter/prepareReport.js";

export interface ReportStatusParameters {
  deal: Address;
  period: bigint;
  /** The oracle (default: the deal's). */
  oracle?: Address;
  /** Reads at this block (default: latest). */
  blockNumber?: bigint;
}

/** Where a period's report stands. */
export interface ReportStatus {
  period: bigint;
  /** `ReportState`: None, Pending, Final (a pending report whose window passed is Final) or Unreported. */
  state: ReportState;
  stateName: ReturnType<typeof reportStateName>;
  /** Round of the stored report, or the round a new report must name when none is stored. */
  round: number;
  /** When the report was proposed (0 without one). */
  proposedAt: bigint;
  /** When the pending report becomes final, i.e. the end of its dispute window (undefined without a report). */
  finalAt: bigint | undefined;
  /** From when the period may be marked unreported if nothing is pending or final. */
  deadline: bigint;
  /** Capacity available and billed, in the deal's unit (GPU-hours, or kWh of IT load). */
  gpuHoursAvailable: bigint;
  gpuHoursBilled: bigint;
  revenue: bigint;
  /** Facility energy (kWh), PUE (× 10 000) and appraisal (stablecoin units) the report states; zero: not stated. */
  energyKwh: bigint;
  pue: number;
  appraisal: bigint;
}

export type ReportStatusReturnType = ReportStatus;

/** The state of a period's report at the oracle. */
export async function reportStatus(
  client: CascadeClient,
  params: ReportStatusParameters,
): Promise<ReportStatusReturnType> {
  const oracle = params.oracle ?? (await oracleOf(client, params.deal));
  const { disputeWindow } = await withErrors(() =>
    readContract(client, {
      address: oracle,
      abi: utilizationOracleAbi,
      functionName: "terms",
      args: [params.deal],
      blockNumber: params.blockNumber,
    }),
  );
  return readReportStatus(client, {
    oracle,
    deal: params.deal,
    period: params.period,
    disputeWindow,
    blockNumber: params.blockNumber,
  });
}

/** {@link reportStatus} when the oracle and the deal's dispute window are known (no extra reads). */
export async function readReportStatus(
  client: CascadeClient,
  p: {
    oracle: Address;
    deal: Address;
    period: bigint;
    disputeWindow: number;
    blockNumber?: bigint;
  },
): Promise<ReportStatus> {
  const common = {
    address: p.oracle,
    abi: utilizationOracleAbi,
    blockNumber: p.blockNumber,
  } as const;
  const [stored, deadline] = await withErrors(() =>
    Promise.all([
      readContract(client, { ...common, functionName: "getReport", args: [p.deal, p.period] }),
      readContract(client, { ...common, functionName: "reportDeadline", args: [p.deal, p.period] }),
    ]),
  );
  const state = stored.state as ReportState;
  const hasReport = state === ReportState.Pending || state === ReportState.Final;
  return {
    period: p.period,
    state,
    stateName: reportStateName(state),
    round: stored.round,
    proposedAt: stored.proposedAt,
    finalAt: hasReport ? stored.proposedAt + BigInt(p.disputeWindow) : undefined,
    deadline,
    gpuHoursAvailable: stored.gpuHoursAvailable,
    gpuHoursBilled: stored.gpuHoursBilled,
    revenue: stored.revenue,
    energyKwh: stored.energyKwh,
    pue: stored.pue,
    appraisal: stored.appraisal,
  };
}
