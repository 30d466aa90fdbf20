/**
 * Viem clients of the `cascade` commands: HTTP transports and chains for an RPC URL, local accounts from keys in
 * environment variables, wallet and read-only clients with the Cascade actions.
 */
import {
  createPublicClient,
  createWalletClient,
  defineChain,
  http,
  isHex,
  publicActions,
  type Chain,
  type HttpTransport,
  type LocalAccount,
} from "viem";
import { createNonceManager, jsonRpc } from "viem/nonce";
import { privateKeyToAccount } from "viem/accounts";
import { getChainId } from "viem/actions";

import { cascadeActions, type CascadeClient } from "../../sdk/index.js";

import { UsageError } from "./args.js";

/** A private key from the environment variable `name` (never from a file or an argument). */
export function privateKeyFromEnv(name: string): `0x${string}` {
  const raw = process.env[name]?.trim();
  if (!raw)
    throw new UsageError(`set ${name} to the account's private key (0x followed by 64 hex digits)`);
  const key = raw.startsWith("0x") ? raw : `0x${raw}`;
  if (!isHex(key) || key.length !== 66)
    throw new UsageError(`${name} is not a 32-byte hex private key`);
  return key;
}

/** A local account whose nonces a nonce manager tracks (reset it after nonce errors). */
export function localAccount(key: `0x${string}`): LocalAccount {
  return privateKeyToAccount(key, { nonceManager: createNonceManager({ source: jsonRpc() }) });
}

/** HTTP transport without viem's own retries (the tools retry themselves) and with a bounded timeout. */
export function rpcTransport(url: string, timeoutMs = 10_000): HttpTransport {
  return http(url, { retryCount: 0, timeout: timeoutMs });
}

/** A viem chain for chain id `id` behind `url`. */
export function chainFor(url: string, id: number): Chain {
  return defineChain({
    id,
    name: `chain ${id}`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [url] } },
  });
}

/** The chain behind an RPC URL, from its `eth_chainId`. */
export async function chainOf(url: string): Promise<Chain> {
  return chainFor(url, await getChainId(createPublicClient({ transport: rpcTransport(url) })));
}

/** A wallet client with public actions and the Cascade actions, for a local account. */
export function walletFor(url: string, chain: Chain, account: LocalAccount, pollingInterval = 500) {
  return createWalletClient({ account, chain, transport: rpcTransport(url), pollingInterval })
    .extend(publicActions)
    .extend((c) => cascadeActions(c as CascadeClient));
}

/** A read-only client with the Cascade actions. */
export function readerFor(url: string, chain: Chain) {
  return createPublicClient({ chain, transport: rpcTransport(url) }).extend((c) =>
    cascadeActions(c as CascadeClient),
  );
}
