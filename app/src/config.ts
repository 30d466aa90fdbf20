/**
 * The app's chain configuration, served beside the app as `/cascade.json` (`npm run app` writes it from the chain it
 * seeds): the chain, its RPC endpoint, the protocol's factory, the stablecoin and the deals by name from the address
 * book, and on a local devnet the development accounts the node holds the keys of.
 */
import { getAddress, type Address } from "viem";

export interface AppDealEntry {
  name: string;
  deal: Address;
  /** The deal's creation block (decimal): where its history reads start. */
  blockNumber: string;
}

export interface AppConfig {
  chainId: number;
  chainName: string;
  rpcUrl: string;
  factory: Address;
  stablecoin: Address;
  registry?: Address;
  /** The protocol's deployment block (decimal). */
  fromBlock: string;
  deals: AppDealEntry[];
  /** A local devnet's unlocked accounts, by the role they play in the demo; absent on public chains. */
  devAccounts?: { role: string; address: Address }[];
}

/** Checks the served configuration's shape; throws a sentence naming the field that is wrong. */
export function parseConfig(json: unknown): AppConfig {
  const o = json as Partial<AppConfig> | null;
  const fail = (field: string) => {
    throw new Error(`cascade.json: "${field}" is missing or malformed`);
  };
  if (typeof o !== "object" || o === null) return fail("(root)");
  if (typeof o.chainId !== "number") fail("chainId");
  if (typeof o.rpcUrl !== "string") fail("rpcUrl");
  if (typeof o.factory !== "string") fail("factory");
  if (typeof o.stablecoin !== "string") fail("stablecoin");
  if (!Array.isArray(o.deals)) fail("deals");
  const config = o as AppConfig;
  return {
    ...config,
    chainName: config.chainName ?? `chain ${config.chainId}`,
    fromBlock: config.fromBlock ?? "0",
    factory: getAddress(config.factory),
    stablecoin: getAddress(config.stablecoin),
    registry: config.registry === undefined ? undefined : getAddress(config.registry),
    deals: config.deals.map((d) => ({ ...d, deal: getAddress(d.deal) })),
  };
}

/** Fetches `/cascade.json`. */
export async function loadConfig(url = "/cascade.json"): Promise<AppConfig> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return parseConfig(await res.json());
}

/** The address book's name of a deal, else its address. */
export function dealName(config: AppConfig, deal: Address): string {
  return config.deals.find((d) => d.deal.toLowerCase() === deal.toLowerCase())?.name ?? deal;
}
