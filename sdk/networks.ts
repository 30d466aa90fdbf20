/**
 * The named networks, shared by `hardhat.config.ts` (Hardhat and Ignition) and the `cascade` CLI (`--network`).
 * URLs and keys of remote chains are configuration variables: environment variables, or values of Hardhat's
 * keystore (`npx hardhat keystore set SEPOLIA_RPC_URL`) for Hardhat commands. Never put a key in a file.
 */
export interface NamedNetwork {
  /** Expected chain id (checked against the node's); undefined for local nodes. */
  chainId?: number;
  /** Configuration variable holding the RPC URL (or a fixed URL for local nodes, see `defaultUrl`). */
  urlVariable: string;
  /** URL used when `urlVariable` is unset (local nodes only). */
  defaultUrl?: string;
  /** Configuration variable holding the deployer's private key (the CLI also takes CASCADE_PRIVATE_KEY). */
  keyVariable?: string;
  /** OP-stack L2 (Hardhat's `chainType: "op"`). */
  l2?: boolean;
}

export const NAMED_NETWORKS: Readonly<Record<string, NamedNetwork>> = {
  /** A local anvil or `hardhat node`. */
  localhost: { urlVariable: "CASCADE_RPC_URL", defaultUrl: "http://127.0.0.1:8545" },
  /** Ethereum's Sepolia testnet. */
  sepolia: {
    chainId: 11_155_111,
    urlVariable: "SEPOLIA_RPC_URL",
    keyVariable: "SEPOLIA_PRIVATE_KEY",
  },
  /** Base Sepolia, an OP-stack L2 testnet. */
  "base-sepolia": {
    chainId: 84_532,
    urlVariable: "BASE_SEPOLIA_RPC_URL",
    keyVariable: "BASE_SEPOLIA_PRIVATE_KEY",
    l2: true,
  },
};
