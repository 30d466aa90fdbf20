/**
 * The address book: where the protocol and its deals live on each chain, one JSON file per chain id
 * (`deployments/<chainId>.json`). `cascade deploy` and `cascade deal create` write it (so does
 * `scripts/ignition-addresses.ts` after a Hardhat Ignition deployment); the CLI and SDK users read it.
 *
 * Files of public networks are committed; those of local chains (31337: Hardhat and anvil) are git-ignored, since a
 * restarted node forgets its contracts — `verifyDeployment` tells when the recorded addresses have no code.
 */
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";

import { getAddress, isAddress, type Address } from "viem";
import { getCode } from "viem/actions";

import { withErrors, type CascadeClient } from "./client.js";
import { CascadeError } from "./errors.js";

/** The protocol's contracts on one chain. */
export interface ProtocolAddresses {
  oracle: Address;
  dealImplementation: Address;
  tokenImplementation: Address;
  offeringImplementation: Address;
  riskEngineImplementation: Address;
  factory: Address;
  accessManager: Address;
  investorRegistry: Address;
}

export const PROTOCOL_CONTRACTS = [
  "oracle",
  "dealImplementation",
  "tokenImplementation",
  "offeringImplementation",
  "riskEngineImplementation",
  "factory",
  "accessManager",
  "investorRegistry",
] as const satisfies readonly (keyof ProtocolAddresses)[];

/** One deal created from a term sheet. */
export interface DealRecord {
  name: string;
  deal: Address;
  dealId: string;
  stablecoin: Address;
  /** By rank; the last is the equity. */
  tokens: Address[];
  offerings: Address[];
  /** Tranche symbols, by rank. */
  symbols: string[];
  blockNumber: string;
  transactionHash: string;
  /** The term-sheet file it was created from, as given. */
  termSheet?: string;
}

/** A price-index feed deployed by `cascade feed deploy` (a `GpuPriceIndexFeed`), named in the address book. */
export interface FeedRecord {
  name: string;
  feed: Address;
  description: string;
  decimals: number;
  admin: Address;
  publisher: Address;
  blockNumber: string;
  transactionHash: string;
}

/** Everything recorded for one chain. */
export interface Deployment {
  chainId: number;
  protocol?: ProtocolAddresses & {
    /** Admin of the oracle, the registry and the access manager at deployment (not known for Ignition imports). */
    admin?: Address;
    /** Block of the first deployment transaction (where to start scanning events). */
    blockNumber: string;
    /** "cascade" (the CLI / SDK) or "ignition". */
    deployedBy: "cascade" | "ignition";
  };
  /** The stablecoin `$stablecoin` term sheets resolve to (on local chains, the demo MockStablecoin). */
  stablecoin?: Address;
  /** Deals by name. */
  deals: Record<string, DealRecord>;
  /** Price-index feeds by name; a term sheet's `"$<name>"` placeholder resolves to the feed's address. */
  feeds?: Record<string, FeedRecord>;
}

/** The address-book file of `chainId` in `dir`. */
export function deploymentFile(dir: string, chainId: number): string {
  return join(dir, `${chainId}.json`);
}

/** The recorded deployment of `chainId`, or an empty one when there is no file. */
export async function readDeployment(dir: string, chainId: number): Promise<Deployment> {
  const file = deploymentFile(dir, chainId);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return { chainId, deals: {} };
    throw e;
  }
  let json: Deployment;
  try {
    json = JSON.parse(text) as Deployment;
  } catch (e) {
    throw new CascadeError(`${file} is not valid JSON`, { file }, { cause: e });
  }
  if (json.chainId !== chainId) {
    throw new CascadeError(`${file} is for chain ${json.chainId}, not ${chainId}`, { file });
  }
  return { ...json, deals: json.deals ?? {} };
}

/** Writes the deployment (atomically: a temporary file renamed over the old one). */
export async function writeDeployment(dir: string, deployment: Deployment): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = deploymentFile(dir, deployment.chainId);
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(deployment, null, 2)}\n`);
  await rename(tmp, file);
  return file;
}

/** Names of the recorded protocol contracts that have no code on chain (all of them when nothing is recorded). */
export async function verifyDeployment(
  client: CascadeClient,
  deployment: Deployment,
): Promise<(keyof ProtocolAddresses)[]> {
  const protocol = deployment.protocol;
  if (!protocol) return [...PROTOCOL_CONTRACTS];
  const codes = await Promise.all(
    PROTOCOL_CONTRACTS.map((name) =>
      protocol[name] === undefined
        ? Promise.resolve(undefined)
        : withErrors(() => getCode(client, { address: protocol[name] })),
    ),
  );
  return PROTOCOL_CONTRACTS.filter((_, i) => codes[i] === undefined || codes[i] === "0x");
}

/** The deal `ref` names: a recorded deal's name (case-insensitive) or any deal address. */
export function findDeal(deployment: Deployment, ref: string): DealRecord | Address {
  const byName = Object.entries(deployment.deals).find(
    ([name]) => name.toLowerCase() === ref.toLowerCase(),
  );
  if (byName) return byName[1];
  if (isAddress(ref, { strict: false })) {
    const address = getAddress(ref);
    return (
      Object.values(deployment.deals).find((d) => d.deal.toLowerCase() === ref.toLowerCase()) ??
      address
    );
  }
  const known = Object.keys(deployment.deals);
  throw new CascadeError(
    `no deal "${ref}" in the address book of chain ${deployment.chainId}` +
      (known.length ? ` (known: ${known.join(", ")})` : " (give the deal's address)"),
    { ref },
  );
}

/** Future ids of `deploy/modules/Protocol.ts` → address-book names. */
const IGNITION_IDS: Record<string, keyof ProtocolAddresses> = {
  "CascadeProtocol#UtilizationOracle": "oracle",
  "CascadeProtocol#Deal": "dealImplementation",
  "CascadeProtocol#TrancheToken": "tokenImplementation",
  "CascadeProtocol#Offering": "offeringImplementation",
  "CascadeProtocol#RiskEngine": "riskEngineImplementation",
  "CascadeProtocol#DealFactory": "factory",
  "CascadeProtocol#AccessManager": "accessManager",
  "CascadeProtocol#InvestorRegistry": "investorRegistry",
};

/**
 * The protocol's addresses from Hardhat Ignition's `deployed_addresses.json` (future id → address); undefined when
 * the Ignition deployment lacks one of the contracts.
 */
export function protocolFromIgnition(
  deployedAddresses: Readonly<Record<string, string>>,
): ProtocolAddresses | undefined {
  const out: Partial<ProtocolAddresses> = {};
  for (const [id, name] of Object.entries(IGNITION_IDS)) {
    const a = deployedAddresses[id];
    if (a === undefined || !isAddress(a, { strict: false })) return undefined;
    out[name] = getAddress(a);
  }
  return out as ProtocolAddresses;
}
