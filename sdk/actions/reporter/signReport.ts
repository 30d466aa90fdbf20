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
import { checkReport } from "./checkReport.js";
import { prepareReport, type PrepareReportParameters } from "./prepareReport.js";

export interface SignReportParameters extends AccountParameter {
  /**
   * The report. Its content is enough: the chain id, the oracle, the open round and the reporter set are read from
   * the chain when missing (see `prepareReport`). Pass a full struct to sign exactly that.
   */
  report: PrepareReportParameters["report"];
  /** The oracle (default: `report.oracle`, else the deal's). */
  oracle?: Address;
  /**
   * Refuse before signing what the oracle would refuse at submission (`checkReport`: not a reporter, period not
   * ended or already reported or distributed, out of bounds); default false, signing exactly what is given.
   */
  check?: boolean;
  /** With `check`: every reporter will sign, so a utilization step above the oracle's maximum is allowed. */
  allReporters?: boolean;
}

export interface SignReportReturnType {
  signer: Address;
  signature: Hex;
  /** The exact struct signed; submit it with the signatures. */
  report: UtilizationReport;
}

/**
 * A reporter signs a period's utilization report (EIP-712; domain: the oracle on its chain).
 *
 * @example
 * const { signature, report } = await signReport(client, { report: content, check: true });
 */
export async function signReport(
  client: CascadeClient,
  params: SignReportParameters,
): Promise<SignReportReturnType> {
  const account = resolveAccount(client, params.account);
  const report = await prepareReport(client, { report: params.report, oracle: params.oracle });
  if (params.check)
    await checkReport(client, {
      report,
      signer: account.address,
      allReporters: params.allReporters,
    });
  const signature = await withErrors(() =>
    signTypedData(client, { account, ...reportTypedData(report) }),
  );
  return { signer: account.address, signature, report };
}
