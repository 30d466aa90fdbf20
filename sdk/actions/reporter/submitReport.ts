import type { Address, Hash, Hex } from "viem";

import {
  eventsOf,
  resolveAccount,
  writeAndWait,
  type AccountParameter,
  type CascadeClient,
} from "../../client.js";
import { CascadeError } from "../../errors.js";
import { utilizationOracleAbi } from "../../generated/abis.js";
import type { UtilizationReport } from "../../types.js";

export interface SubmitReportParameters extends AccountParameter {
  /** The signed struct. */
  report: UtilizationReport;
  /** Where to send it (default: `report.oracle`, the oracle the reporters signed for). */
  oracle?: Address;
  /** Reporters' signatures, in any order (they are sorted by signer address, as the oracle requires). */
  signatures: readonly { signer: Address; signature: Hex }[];
}

export interface SubmitReportReturnType {
  deal: Address;
  period: bigint;
  round: bigint;
  /** Signers in the order submitted (ascending). */
  signers: readonly Address[];
  /** When the report becomes final unless disputed before. */
  finalAt: bigint;
  transactionHash: Hash;
}

/** Proposes a report with a quorum of reporter signatures (anyone may send it); it is final after the window. */
export async function submitReport(
  client: CascadeClient,
  params: SubmitReportParameters,
): Promise<SubmitReportReturnType> {
  const account = resolveAccount(client, params.account);
  const sorted = [...params.signatures].sort((a, b) => {
    const x = BigInt(a.signer);
    const y = BigInt(b.signer);
    return x < y ? -1 : x > y ? 1 : 0;
  });
  const oracle = params.oracle ?? params.report.oracle;
  const receipt = await writeAndWait(client, {
    address: oracle,
    abi: utilizationOracleAbi,
    functionName: "submitReport",
    args: [params.report, sorted.map((s) => s.signer), sorted.map((s) => s.signature)],
    account,
  });
  const [proposed] = eventsOf(receipt, utilizationOracleAbi, "ReportProposed", oracle);
  if (!proposed) {
    throw new CascadeError("submitReport: no ReportProposed event", {
      transactionHash: receipt.transactionHash,
    });
  }
  return {
    deal: proposed.args.deal,
    period: proposed.args.period,
    round: proposed.args.round,
    signers: proposed.args.signers,
    finalAt: proposed.args.finalAt,
    transactionHash: receipt.transactionHash,
  };
}
