/**
 * The SDK tests' view of a fresh in-process Hardhat network through viem: a public client, the node's unlocked
 * accounts, and a Cascade wallet client for any of them (or for a local account).
 */
import { network } from "hardhat";
import {
  createPublicClient,
  createWalletClient,
  custom,
  defineChain,
  getAddress,
  type Account,
  type Address,
  type EIP1193Provider,
} from "viem";

import { cascadeActions } from "../../sdk/index.js";

export const inProcessChain = defineChain({
  id: 31_337,
  name: "Hardhat in-process",
  nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
  rpcUrls: { default: { http: ["http://127.0.0.1:8545"] } },
});

export async function viemNetwork() {
  const { provider, networkHelpers } = await network.create();
  const chain = inProcessChain;
  // No transport retries: a revert is an answer, not a transient failure.
  const transport = custom(provider as unknown as EIP1193Provider, { retryCount: 0 });
  const publicClient = createPublicClient({ chain, transport, pollingInterval: 50 });
  const accounts = ((await provider.request({ method: "eth_accounts" })) as Address[]).map((a) =>
    getAddress(a),
  );
  /** A wallet client with the Cascade actions, for an unlocked node account or a local account. */
  const wallet = (account: Address | Account) =>
    createWalletClient({ account, chain, transport, pollingInterval: 50 }).extend(cascadeActions);
  return { provider, networkHelpers, chain, transport, publicClient, accounts, wallet };
}
