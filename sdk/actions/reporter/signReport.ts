import type { Address, Hex } from "viem";
import { signTypedData } from "viem/actions";

import {
  resolveAccount,
  withErrors,
  type AccountParameter,
  type CascadeClient,
} from "../../client.js";
import { reportTypedData } from "../../reports.js";
import type { UtilizationReport } from "../../types.js";
import { prepareReport, type PrepareReportParameters } from "./prepareReport.js";

export interface SignReportParameters extends AccountParameter {
  /**
   * The report. Its content is enough: the chain id, the oracle, the open round and the reporter set are read from
   * the chain when missing (see `prepareReport`). Pass a full struct to sign exactly that.
   */
  report: PrepareReportParameters["report"];
  /** The oracle (default: `report.oracle`, else the deal's). */
  oracle?: Address;
}

export interface SignReportReturnType {
  signer: Address;
  signature: Hex;
  /** The exact struct signed; submit it with the signatures. */
  report: UtilizationReport;
}

/** A reporter signs a period's utilization report (EIP-712; domain: the oracle on its chain). */
export async function signReport(
  client: CascadeClient,
  params: SignReportParameters,
): Promise<SignReportReturnType> {
  const account = resolveAccount(client, params.account);
  const report = await prepareReport(client, { report: params.report, oracle: params.oracle });
  const signature = await withErrors(() =>
    signTypedData(client, { account, ...reportTypedData(report) }),
  );
  return { signer: account.address, signature, report };
}
