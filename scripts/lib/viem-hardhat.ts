/**
 * Glue between Hardhat's in-process network and the SDK: viem clients over the network's EIP-1193 provider, one
 * wallet client per default account (JSON-RPC accounts: the provider signs), and the demo stablecoin. The SDK
 * itself knows nothing of Hardhat; against another endpoint use `http(url)` and `privateKeyToAccount` instead.
 */
import { artifacts, network } from "hardhat";
import {
  createPublicClient,
  createWalletClient,
  custom,
  defineChain,
  getAddress,
  type Address,
  type EIP1193Provider,
  type Hex,
} from "viem";
import {
  deployContract,
  readContract,
  waitForTransactionReceipt,
  writeContract,
} from "viem/actions";

import { cascadeActions, mockStablecoinAbi } from "../../sdk/index.js";

/** Hardhat's default chain id. */
export const hardhatChain = defineChain({
  id: 31_337,
  name: "Hardhat in-process",
  nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
  rpcUrls: { default: { http: ["http://127.0.0.1:8545"] } },
});

export type ViemConnection = Awaited<ReturnType<typeof connectViem>>;

/**
 * A fresh in-process network with a public client and a wallet client per account: Hardhat's default accounts, or
 * `accounts` of them (the same mnemonic, so the first twenty are the defaults).
 */
export async function connectViem(options: { accounts?: number } = {}) {
  const connection = await network.create(
    options.accounts === undefined
      ? undefined
      : { override: { accounts: { count: options.accounts } } },
  );
  const provider = connection.provider as unknown as EIP1193Provider;
  // No transport retries: on the in-process network a revert is an answer, not a transient failure.
  const transport = custom(provider, { retryCount: 0 });
  const publicClient = createPublicClient({ chain: hardhatChain, transport, pollingInterval: 50 });
  const addresses = ((await provider.request({ method: "eth_accounts" })) as Address[]).map((a) =>
    getAddress(a),
  );
  const wallet = (account: Address) =>
    createWalletClient({ account, chain: hardhatChain, transport, pollingInterval: 50 }).extend(
      cascadeActions,
    );
  const wallets = addresses.map(wallet);
  return {
    connection,
    provider,
    publicClient,
    addresses,
    wallets,
    networkHelpers: connection.networkHelpers,
  };
}

export type CascadeWallet = ViemConnection["wallets"][number];

/** Deploys the test-only MockStablecoin (EIP-2612 permit, anyone may mint) from its artifact. */
export async function deployMockStablecoin(
  wallet: CascadeWallet,
  name: string,
  symbol: string,
  decimals: number,
): Promise<Address> {
  const { bytecode } = await artifacts.readArtifact("MockStablecoin");
  const hash = await deployContract(wallet, {
    abi: mockStablecoinAbi,
    bytecode: bytecode as Hex,
    args: [name, symbol, decimals],
  });
  const receipt = await waitForTransactionReceipt(wallet, { hash });
  if (!receipt.contractAddress) throw new Error("MockStablecoin deployment created no contract");
  return receipt.contractAddress;
}

/** Mints demo stablecoin (the mock lets anyone mint). */
export async function mint(
  wallet: CascadeWallet,
  token: Address,
  to: Address,
  amount: bigint,
): Promise<void> {
  const hash = await writeContract(wallet, {
    address: token,
    abi: mockStablecoinAbi,
    functionName: "mint",
    args: [to, amount],
  });
  await waitForTransactionReceipt(wallet, { hash });
}

/** Sends `amount` of the demo stablecoin from `wallet` to `to` (a plain ERC-20 transfer). */
export async function transfer(
  wallet: CascadeWallet,
  token: Address,
  to: Address,
  amount: bigint,
): Promise<void> {
  const hash = await writeContract(wallet, {
    address: token,
    abi: mockStablecoinAbi,
    functionName: "transfer",
    args: [to, amount],
  });
  await waitForTransactionReceipt(wallet, { hash });
}

export async function balanceOf(
  wallet: CascadeWallet,
  token: Address,
  account: Address,
): Promise<bigint> {
  return readContract(wallet, {
    address: token,
    abi: mockStablecoinAbi,
    functionName: "balanceOf",
    args: [account],
  });
}
