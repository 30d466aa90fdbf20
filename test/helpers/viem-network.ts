/**
 * The SDK tests' view of a fresh in-process Hardhat network through viem: a public client, the node's unlocked
 * accounts, and a Cascade wallet client for any of them (or for a local account).
 */
import { artifacts, network } from "hardhat";
import {
  createPublicClient,
  createWalletClient,
  custom,
  defineChain,
  getAddress,
  type Account,
  type Address,
  type EIP1193Provider,
  type Hex,
} from "viem";
import { deployContract, getBlock, waitForTransactionReceipt, writeContract } from "viem/actions";

import { cascadeActions, mockStablecoinAbi } from "../../sdk/index.js";

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

/**
 * What the SDK's chain tests set up beside the network: a MockStablecoin ("USD Coin", USDC, 6 decimals) deployed by
 * `admin`, minting of it (or of another mock stablecoin, `mintOf`) by `admin`, and a clock that only moves forward.
 */
export async function mockStablecoinChain(
  net: Pick<Awaited<ReturnType<typeof viemNetwork>>, "publicClient" | "networkHelpers">,
  admin: ReturnType<Awaited<ReturnType<typeof viemNetwork>>["wallet"]>,
) {
  const { publicClient, networkHelpers } = net;
  const { bytecode } = await artifacts.readArtifact("MockStablecoin");
  const deployed = await deployContract(admin, {
    abi: mockStablecoinAbi,
    bytecode: bytecode as Hex,
    args: ["USD Coin", "USDC", 6],
  });
  const stablecoin = (await waitForTransactionReceipt(publicClient, { hash: deployed }))
    .contractAddress as Address;
  const mintOf = async (token: Address, to: Address, amount: bigint): Promise<void> => {
    const hash = await writeContract(admin, {
      address: token,
      abi: mockStablecoinAbi,
      functionName: "mint",
      args: [to, amount],
    });
    await waitForTransactionReceipt(publicClient, { hash });
  };
  const advanceTo = async (ts: bigint): Promise<void> => {
    if ((await getBlock(publicClient)).timestamp < ts) await networkHelpers.time.increaseTo(ts);
  };
  return {
    stablecoin,
    mintOf,
    mint: (to: Address, amount: bigint) => mintOf(stablecoin, to, amount),
    advanceTo,
  };
}
