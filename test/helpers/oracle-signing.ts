import type { HardhatEthers } from "@nomicfoundation/hardhat-ethers/types";
import type { TypedDataDomain, TypedDataField } from "ethers";

import type { ReportInput } from "./fixtures.js";

/** EIP-712 domain name and version of the utilization oracle. */
export const ORACLE_DOMAIN_NAME = "Cascade Utilization Oracle";
export const ORACLE_DOMAIN_VERSION = "1";

/** The struct reporters sign, field for field as `IUtilizationOracle.Report`. */
export const REPORT_TYPES: Record<string, TypedDataField[]> = {
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
};

export const REPORT_TYPE_STRING =
  "Report(uint256 chainId,address oracle,address deal,uint64 period,uint32 round,uint64 reporterSet," +
  "uint64 gpuHoursAvailable,uint64 gpuHoursBilled,uint128 revenue,uint64 energyKwh,uint16 pue,uint128 appraisal," +
  "bytes32 reportHash)";

/** Anything that signs EIP-712 typed data: a Hardhat signer or an ethers wallet. */
export interface TypedDataSigner {
  address: string;
  signTypedData(
    domain: TypedDataDomain,
    types: Record<string, TypedDataField[]>,
    value: Record<string, unknown>,
  ): Promise<string>;
}

export interface OracleDomain {
  name: string;
  version: string;
  chainId: bigint;
  verifyingContract: string;
}

/** The EIP-712 domain of the oracle deployed at `oracle` on the current chain. */
export async function oracleDomain(ethers: HardhatEthers, oracle: string): Promise<OracleDomain> {
  const { chainId } = await ethers.provider.getNetwork();
  return {
    name: ORACLE_DOMAIN_NAME,
    version: ORACLE_DOMAIN_VERSION,
    chainId,
    verifyingContract: oracle,
  };
}

export function byAddress<T extends { address: string }>(xs: T[]): T[] {
  return [...xs].sort((a, b) => (BigInt(a.address) < BigInt(b.address) ? -1 : 1));
}

export interface SignedReport {
  signers: string[];
  signatures: string[];
}

/**
 * Signatures of `report` under `domain` by `signers`, in the order given (callers sort with {@link byAddress}
 * when they want the order the oracle requires).
 */
export async function signAs(
  domain: OracleDomain,
  report: ReportInput,
  signers: TypedDataSigner[],
): Promise<SignedReport> {
  const signatures: string[] = [];
  for (const s of signers)
    signatures.push(await s.signTypedData(domain, REPORT_TYPES, { ...report }));
  return { signers: signers.map((s) => s.address), signatures };
}

/** Same, sorted ascending by signer address as the oracle requires. */
export async function signSorted(
  domain: OracleDomain,
  report: ReportInput,
  signers: TypedDataSigner[],
): Promise<SignedReport> {
  return signAs(domain, report, byAddress(signers));
}

/** Deterministic ethers wallets (no funds needed: they only sign). */
export function wallets(ethers: HardhatEthers, label: string, count: number) {
  return Array.from({ length: count }, (_, i) => new ethers.Wallet(ethers.id(`${label}-${i}`)));
}

/** Ethers `Result`s (nested) as plain arrays, for deep comparisons. */
export function plain(x: unknown): unknown {
  return Array.isArray(x) ? [...x].map(plain) : x;
}
