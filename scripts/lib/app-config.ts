/**
 * The app's `cascade.json` from the address book: one entry per chain of `deployments/` that has the protocol and a
 * stablecoin recorded, read through the RPC endpoint its configuration variable names (`CASCADE_RPC_URL_<chainId>`,
 * else the named network's variable, e.g. `SEPOLIA_RPC_URL`; for local chains `CASCADE_RPC_URL`, else
 * http://127.0.0.1:8545). Development accounts are never listed: a public chain's wallets are the users' own.
 */
import { readdir } from "node:fs/promises";

import type { AppConfig } from "../../app/src/config.js";
import { NAMED_NETWORKS, readDeployment, type Deployment } from "../../sdk/index.js";

/** Chain ids of the local nodes (Hardhat and anvil). */
const LOCAL_CHAIN_ID = 31_337;

export interface AddressBookConfig {
  chains: AppConfig[];
  /** A sentence for each chain of the address book left out, and why. */
  skipped: string[];
}

/** The named network of `chainId` (`sepolia`, `base-sepolia`), if any. */
function namedNetwork(chainId: number): [string, (typeof NAMED_NETWORKS)[string]] | undefined {
  return Object.entries(NAMED_NETWORKS).find(([, n]) => n.chainId === chainId);
}

/** A chain's name for the network picker: the named network's words capitalized ("Base Sepolia"). */
export function chainName(chainId: number): string {
  if (chainId === LOCAL_CHAIN_ID) return `Local chain (${chainId})`;
  const named = namedNetwork(chainId);
  if (named === undefined) return `Chain ${chainId}`;
  return named[0]
    .split("-")
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join(" ");
}

/** The RPC URL of `chainId` from `env`, with the variables tried in order; undefined when none is set. */
export function rpcUrlOf(
  chainId: number,
  env: NodeJS.ProcessEnv,
): { url?: string; variables: string[] } {
  const variables = [`CASCADE_RPC_URL_${chainId}`];
  const named = namedNetwork(chainId);
  if (named) variables.push(named[1].urlVariable);
  if (chainId === LOCAL_CHAIN_ID) variables.push("CASCADE_RPC_URL");
  const url = variables.map((v) => env[v]).find((v) => v !== undefined && v !== "");
  return {
    url: url ?? (chainId === LOCAL_CHAIN_ID ? "http://127.0.0.1:8545" : undefined),
    variables,
  };
}

/** One chain's entry of `cascade.json` from its address-book record. */
export function chainConfig(d: Deployment, rpcUrl: string): AppConfig | string {
  if (d.protocol === undefined) return `chain ${d.chainId}: no protocol deployment recorded`;
  if (d.stablecoin === undefined) return `chain ${d.chainId}: no stablecoin recorded`;
  return {
    chainId: d.chainId,
    chainName: chainName(d.chainId),
    rpcUrl,
    factory: d.protocol.factory,
    stablecoin: d.stablecoin,
    registry: d.protocol.investorRegistry,
    fromBlock: d.protocol.blockNumber,
    deals: Object.values(d.deals).map((r) => ({
      name: r.name,
      deal: r.deal,
      blockNumber: r.blockNumber,
    })),
  };
}

/** Every chain of the address book in `dir`, by chain id. */
export async function addressBookConfig(
  dir: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<AddressBookConfig> {
  const ids = (await readdir(dir).catch(() => [] as string[]))
    .map((f) => /^(\d+)\.json$/.exec(f)?.[1])
    .filter((id): id is string => id !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
  const chains: AppConfig[] = [];
  const skipped: string[] = [];
  for (const id of ids) {
    const { url, variables } = rpcUrlOf(id, env);
    if (url === undefined) {
      skipped.push(`chain ${id}: no RPC URL (set ${variables.join(" or ")})`);
      continue;
    }
    const entry = chainConfig(await readDeployment(dir, id), url);
    if (typeof entry === "string") skipped.push(entry);
    else chains.push(entry);
  }
  return { chains, skipped };
}
