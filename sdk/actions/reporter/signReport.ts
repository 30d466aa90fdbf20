import type { Address, Hex, TypedDataDomain } from "viem";
import { getChainId, signTypedData } from "viem/actions";

import {
  resolveAccount,
  withErrors,
  type AccountParameter,
  type CascadeClient,
} from "../../client.js";
import type { UtilizationReport } from "../../types.js";

/** EIP-712 domain name and version of the UtilizationOracle. */
export const ORACLE_DOMAIN_NAME = "Cascade Utilization Oracle";
export const ORACLE_DOMAIN_VERSION = "1";

/** EIP-712 types of a report, as `UtilizationOracle.REPORT_TYPEHASH`. */
export const REPORT_TYPES = {
  Report: [
    { name: "deal", type: "address" },
    { name: "period", type: "uint64" },
    { name: "gpuHoursAvailable", type: "uint64" },
    { name: "gpuHoursBilled", type: "uint64" },
    { name: "revenue", type: "uint128" },
    { name: "reportHash", type: "bytes32" },
  ],
} as const;

/** The oracle's EIP-712 domain on a chain. */
export function oracleDomain(oracle: Address, chainId: number): TypedDataDomain {
  return {
    name: ORACLE_DOMAIN_NAME,
    version: ORACLE_DOMAIN_VERSION,
    chainId,
    verifyingContract: oracle,
  };
}

export interface SignReportParameters extends AccountParameter {
  oracle: Address;
  report: UtilizationReport;
}

export interface SignReportReturnType {
  signer: Address;
  signature: Hex;
}

/** A reporter signs a period's utilization report (EIP-712 typed data; domain: the oracle on this chain). */
export async function signReport(
  client: CascadeClient,
  params: SignReportParameters,
): Promise<SignReportReturnType> {
  const account = resolveAccount(client, params.account);
  const chainId = client.chain?.id ?? (await getChainId(client));
  const signature = await withErrors(() =>
    signTypedData(client, {
      account,
      domain: oracleDomain(params.oracle, chainId),
      types: REPORT_TYPES,
      primaryType: "Report",
      message: params.report,
    }),
  );
  return { signer: account.address, signature };
}
