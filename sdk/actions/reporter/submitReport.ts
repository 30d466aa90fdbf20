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
  oracle: Address;
  report: UtilizationReport;
  /** Reporters' signatures, in any order (they are sorted by signer address, as the oracle requires). */
  signatures: readonly { signer: Address; signature: Hex }[];
}

export interface SubmitReportReturnType {
  deal: Address;
  period: bigint;
  /** Signers in the order submitted (ascending). */
  signers: readonly Address[];
  transactionHash: Hash;
}

/** Submits a report with a quorum of reporter signatures (anyone may send it). */
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
  const receipt = await writeAndWait(client, {
    address: params.oracle,
    abi: utilizationOracleAbi,
    functionName: "submitReport",
    args: [params.report, sorted.map((s) => s.signer), sorted.map((s) => s.signature)],
    account,
  });
  const [accepted] = eventsOf(receipt, utilizationOracleAbi, "ReportAccepted", params.oracle);
  if (!accepted) {
    throw new CascadeError("submitReport: no ReportAccepted event", {
      transactionHash: receipt.transactionHash,
    });
  }
  return {
    deal: accepted.args.deal,
    period: accepted.args.period,
    signers: accepted.args.signers,
    transactionHash: receipt.transactionHash,
  };
}
