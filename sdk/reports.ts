/**
 * Utilization reports off chain: the EIP-712 typed data reporters sign, and a JSON form of a report and of a
 * reporter's signature that tools can pass around (integers as decimal strings).
 */
import {
  getAddress,
  hashTypedData,
  isAddress,
  isHex,
  recoverTypedDataAddress,
  type TypedDataDomain,
} from "viem";

import { CascadeError } from "./errors.js";
import type { Address, Hex, UtilizationReport } from "./types.js";

/** EIP-712 domain name and version of the UtilizationOracle. */
export const ORACLE_DOMAIN_NAME = "Cascade Utilization Oracle";
export const ORACLE_DOMAIN_VERSION = "1";

/** EIP-712 types of a report, as `UtilizationOracle.REPORT_TYPEHASH`. */
export const REPORT_TYPES = {
  Report: [
    { name: "chainId", type: "uint256" },
    { name: "oracle", type: "address" },
    { name: "deal", type: "address" },
    { name: "period", type: "uint64" },
    { name: "round", type: "uint32" },
    { name: "reporterSet", type: "uint64" },
    { name: "gpuHoursAvailable", type: "uint64" },
    { name: "gpuHoursBilled", type: "uint64" },
    { name: "revenue", type: "uint128" },
    { name: "energyKwh", type: "uint64" },
    { name: "pue", type: "uint16" },
    { name: "appraisal", type: "uint128" },
    { name: "reportHash", type: "bytes32" },
  ],
} as const;

/** The oracle's EIP-712 domain. The report names the same chain and oracle, so both come from it. */
export function oracleDomain(oracle: Address, chainId: number | bigint): TypedDataDomain {
  return {
    name: ORACLE_DOMAIN_NAME,
    version: ORACLE_DOMAIN_VERSION,
    chainId: Number(chainId),
    verifyingContract: oracle,
  };
}

/** Everything `signTypedData` needs for a report. */
export function reportTypedData(report: UtilizationReport) {
  return {
    domain: oracleDomain(report.oracle, report.chainId),
    types: REPORT_TYPES,
    primaryType: "Report" as const,
    message: {
      chainId: report.chainId,
      oracle: report.oracle,
      deal: report.deal,
      period: report.period,
      round: report.round,
      reporterSet: report.reporterSet,
      gpuHoursAvailable: report.gpuHoursAvailable,
      gpuHoursBilled: report.gpuHoursBilled,
      revenue: report.revenue,
      energyKwh: report.energyKwh,
      pue: report.pue,
      appraisal: report.appraisal,
      reportHash: report.reportHash,
    },
  };
}

/** The EIP-712 digest reporters sign (equals `UtilizationOracle.hashReport(report)`). */
export function hashReport(report: UtilizationReport): Hex {
  return hashTypedData(reportTypedData(report));
}

/** The EOA that produced `signature` over `report` (an ERC-1271 signature recovers to an unrelated address). */
export async function recoverReportSigner(
  report: UtilizationReport,
  signature: Hex,
): Promise<Address> {
  return recoverTypedDataAddress({ ...reportTypedData(report), signature });
}

/** A report in JSON: integers as decimal strings. */
export interface UtilizationReportJson {
  chainId: string;
  oracle: string;
  deal: string;
  period: string;
  round: number;
  reporterSet: string;
  gpuHoursAvailable: string;
  gpuHoursBilled: string;
  /** Stablecoin base units. */
  revenue: string;
  /** Facility energy, kWh ("0": not reported). Absent in a file: 0. */
  energyKwh?: string;
  /** PUE × 10 000 (0: not reported). Absent in a file: 0. */
  pue?: number;
  /** Appraisal, stablecoin base units ("0": none). Absent in a file: 0. */
  appraisal?: string;
  reportHash: string;
}

/** One reporter's signature of a report, as a file a reporter hands to whoever submits. */
export interface ReportSignatureJson {
  report: UtilizationReportJson;
  signer: string;
  signature: string;
  /** The EIP-712 digest, for checking by eye. */
  digest?: string;
}

export function reportToJson(r: UtilizationReport): UtilizationReportJson {
  return {
    chainId: r.chainId.toString(),
    oracle: r.oracle,
    deal: r.deal,
    period: r.period.toString(),
    round: r.round,
    reporterSet: r.reporterSet.toString(),
    gpuHoursAvailable: r.gpuHoursAvailable.toString(),
    gpuHoursBilled: r.gpuHoursBilled.toString(),
    revenue: r.revenue.toString(),
    energyKwh: r.energyKwh.toString(),
    pue: r.pue,
    appraisal: r.appraisal.toString(),
    reportHash: r.reportHash,
  };
}

/** Parses {@link UtilizationReportJson}; throws a CascadeError naming the bad field. */
export function reportFromJson(json: unknown): UtilizationReport {
  if (typeof json !== "object" || json === null)
    throw new CascadeError("a report must be an object");
  const o = json as Record<string, unknown>;
  const int = (key: string): bigint => {
    const v = o[key];
    if (
      (typeof v === "string" && /^\d+$/.test(v)) ||
      (typeof v === "number" && Number.isSafeInteger(v) && v >= 0)
    )
      return BigInt(v);
    throw new CascadeError(`report.${key} must be a non-negative integer`, {
      field: key,
      value: v,
    });
  };
  const address = (key: string): Address => {
    const v = o[key];
    if (typeof v === "string" && isAddress(v, { strict: false })) return getAddress(v);
    throw new CascadeError(`report.${key} must be an address`, { field: key, value: v });
  };
  const hash = o.reportHash;
  if (!isHex(hash) || hash.length !== 66)
    throw new CascadeError("report.reportHash must be 32 bytes of hex", { value: hash });
  const round = int("round");
  if (round > 0xffff_ffffn) throw new CascadeError("report.round is too large for uint32");
  // The facility figures may be left out: zero, not reported.
  const optional = (key: string): bigint => (o[key] === undefined ? 0n : int(key));
  const pue = optional("pue");
  if (pue > 0xffffn) throw new CascadeError("report.pue is too large for uint16", { value: pue });
  return {
    chainId: int("chainId"),
    oracle: address("oracle"),
    deal: address("deal"),
    period: int("period"),
    round: Number(round),
    reporterSet: int("reporterSet"),
    gpuHoursAvailable: int("gpuHoursAvailable"),
    gpuHoursBilled: int("gpuHoursBilled"),
    revenue: int("revenue"),
    energyKwh: optional("energyKwh"),
    pue: Number(pue),
    appraisal: optional("appraisal"),
    reportHash: hash,
  };
}

/** Whether two reports are the same struct (so signatures of one count for the other). */
export function sameReport(a: UtilizationReport, b: UtilizationReport): boolean {
  return hashReport(a) === hashReport(b);
}
