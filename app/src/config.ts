/**
 * The app's chain configuration, served beside the app as `/cascade.json` (`npm run app` writes it from the chain it
 * seeds, `npm run app:config` from the address book): for each chain, its RPC endpoint, the protocol's factory, the
 * stablecoin and the deals by name from the address book, and on a local devnet the development accounts the node
 * holds the keys of.
 */
import { getAddress, isAddress, type Address } from "viem";

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

/**
 * What `/cascade.json` holds: one chain's configuration, a list of them, or `{ "chains": [...] }`. The first chain
 * is the one the app opens on.
 */
export type AppConfigFile = AppConfig | AppConfig[] | { chains: AppConfig[] };

/** A field of the configuration that is missing or malformed, named by its path (`chains[1].rpcUrl`). */
function malformed(field: string): never {
  throw new Error(`cascade.json: "${field}" is missing or malformed`);
}

function address(value: unknown, field: string): Address {
  if (typeof value !== "string" || !isAddress(value, { strict: false })) return malformed(field);
  return getAddress(value);
}

function decimal(value: unknown, field: string, fallback?: string): string {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== "string" || !/^\d+$/.test(value)) return malformed(field);
  return value;
}

/** Checks one chain's configuration; throws a sentence naming the field that is wrong (`at` prefixes its path). */
export function parseChainConfig(json: unknown, at = ""): AppConfig {
  const o = json as Partial<Record<keyof AppConfig, unknown>> | null;
  if (typeof o !== "object" || o === null || Array.isArray(o))
    return malformed(at === "" ? "(root)" : at.slice(0, -1));
  if (typeof o.chainId !== "number" || !Number.isSafeInteger(o.chainId) || o.chainId <= 0)
    malformed(`${at}chainId`);
  const chainId = o.chainId as number;
  if (o.chainName !== undefined && typeof o.chainName !== "string") malformed(`${at}chainName`);
  if (typeof o.rpcUrl !== "string" || !/^https?:\/\//.test(o.rpcUrl)) malformed(`${at}rpcUrl`);
  if (!Array.isArray(o.deals)) malformed(`${at}deals`);
  if (o.devAccounts !== undefined && !Array.isArray(o.devAccounts)) malformed(`${at}devAccounts`);
  return {
    chainId,
    chainName: (o.chainName as string | undefined) ?? `chain ${chainId}`,
    rpcUrl: o.rpcUrl as string,
    factory: address(o.factory, `${at}factory`),
    stablecoin: address(o.stablecoin, `${at}stablecoin`),
    registry: o.registry === undefined ? undefined : address(o.registry, `${at}registry`),
    fromBlock: decimal(o.fromBlock, `${at}fromBlock`, "0"),
    deals: (o.deals as unknown[]).map((d, i) => {
      const e = (d ?? {}) as Partial<Record<keyof AppDealEntry, unknown>>;
      const field = `${at}deals[${i}]`;
      if (typeof e.name !== "string") malformed(`${field}.name`);
      return {
        name: e.name as string,
        deal: address(e.deal, `${field}.deal`),
        blockNumber: decimal(e.blockNumber, `${field}.blockNumber`),
      };
    }),
    ...(o.devAccounts === undefined
      ? {}
      : {
          devAccounts: (o.devAccounts as unknown[]).map((a, i) => {
            const e = (a ?? {}) as { role?: unknown; address?: unknown };
            if (typeof e.role !== "string") malformed(`${at}devAccounts[${i}].role`);
            return {
              role: e.role as string,
              address: address(e.address, `${at}devAccounts[${i}].address`),
            };
          }),
        }),
  };
}

/**
 * Checks the served configuration: one chain (the shape `npm run app` serves), a list of chains, or `{ chains }`.
 * Throws a sentence naming the field that is wrong; a chain listed twice is wrong too.
 */
export function parseConfig(json: unknown): AppConfig[] {
  let chains: AppConfig[];
  let path: (i: number) => string;
  if (Array.isArray(json)) {
    path = (i) => `[${i}]`;
    chains = json.map((c, i) => parseChainConfig(c, `${path(i)}.`));
  } else if (typeof json === "object" && json !== null && "chains" in json) {
    const list = (json as { chains: unknown }).chains;
    if (!Array.isArray(list)) return malformed("chains");
    path = (i) => `chains[${i}]`;
    chains = list.map((c, i) => parseChainConfig(c, `${path(i)}.`));
  } else {
    return [parseChainConfig(json)];
  }
  if (chains.length === 0) throw new Error("cascade.json: lists no chain");
  chains.forEach((c, i) => {
    const first = chains.findIndex((d) => d.chainId === c.chainId);
    if (first !== i)
      throw new Error(
        `cascade.json: "${path(i)}.chainId" repeats chain ${c.chainId} of "${path(first)}"`,
      );
  });
  return chains;
}

/** Fetches `/cascade.json`: the app's chains, the first one first. */
export async function loadConfig(url = "/cascade.json"): Promise<AppConfig[]> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return parseConfig(await res.json());
}

/** The address book's name of a deal, else its address. */
export function dealName(config: AppConfig, deal: Address): string {
  return config.deals.find((d) => d.deal.toLowerCase() === deal.toLowerCase())?.name ?? deal;
}
