/**
 * Wallets and chains: wagmi's configuration for the configured chains, with any injected EIP-1193 wallet and, on a
 * local devnet, one connector per development account (the node holds their keys: it signs what they send).
 */
import { defineChain, getAddress, numberToHex, type Address, type Chain } from "viem";
import { createConfig, createConnector, http } from "wagmi";
import { injected } from "wagmi/connectors";

import type { AppConfig } from "./config.js";

export function chainOf(config: AppConfig): Chain {
  return defineChain({
    id: config.chainId,
    name: config.chainName,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [config.rpcUrl] } },
  });
}

/** JSON-RPC over HTTP to `url`; a node's error keeps its code, message and data (the revert data viem decodes). */
async function rpc(url: string, method: string, params: unknown): Promise<unknown> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params: params ?? [] }),
  });
  const body = (await res.json()) as {
    result?: unknown;
    error?: { code: number; message: string; data?: unknown };
  };
  if (body.error) throw Object.assign(new Error(body.error.message), body.error);
  return body.result;
}

/**
 * A development account of a local node as a wallet: the account is fixed, the node signs (anvil's unlocked dev
 * accounts), every other request goes to the node. `named`: the connector's name says its chain (when several
 * chains have development accounts).
 */
export function devAccount(role: string, address: Address, chain: Chain, named = false) {
  const account = getAddress(address);
  const url = chain.rpcUrls.default.http[0];
  let connected = false;
  const provider = {
    request: async ({ method, params }: { method: string; params?: unknown }) => {
      if (method === "eth_accounts" || method === "eth_requestAccounts") return [account];
      if (method === "eth_chainId") return numberToHex(chain.id);
      if (method === "wallet_switchEthereumChain") return null;
      return rpc(url, method, params);
    },
    on: () => {},
    removeListener: () => {},
  };
  return createConnector((config) => ({
    id: named ? `dev-${chain.id}-${role}` : `dev-${role}`,
    name: named ? `Development account: ${role} (${chain.name})` : `Development account: ${role}`,
    type: "devAccount",
    async connect(parameters?: { chainId?: number; withCapabilities?: boolean }) {
      connected = true;
      const accounts = parameters?.withCapabilities
        ? [{ address: account, capabilities: {} }]
        : [account];
      return { accounts, chainId: chain.id } as never;
    },
    async disconnect() {
      connected = false;
    },
    async getAccounts() {
      return [account];
    },
    async getChainId() {
      return chain.id;
    },
    async getProvider() {
      return provider;
    },
    async isAuthorized() {
      return connected;
    },
    onAccountsChanged(accounts) {
      config.emitter.emit("change", { accounts: accounts.map((a) => getAddress(a)) });
    },
    onChainChanged(id) {
      config.emitter.emit("change", { chainId: Number(id) });
    },
    onDisconnect() {
      connected = false;
      config.emitter.emit("disconnect");
    },
  }));
}

/** wagmi's configuration: every chain of the configuration, each read through its own RPC endpoint. */
export function wagmiConfig(configs: readonly AppConfig[]) {
  const chains = configs.map(chainOf);
  if (chains.length === 0) throw new Error("cascade.json: lists no chain");
  const named = configs.filter((c) => c.devAccounts?.length).length > 1;
  return createConfig({
    chains: chains as [Chain, ...Chain[]],
    connectors: [
      injected(),
      ...configs.flatMap((config, i) =>
        (config.devAccounts ?? []).map((a) => devAccount(a.role, a.address, chains[i], named)),
      ),
    ],
    transports: Object.fromEntries(configs.map((c) => [c.chainId, http(c.rpcUrl)])),
    multiInjectedProviderDiscovery: true,
    pollingInterval: 1_000,
  });
}
