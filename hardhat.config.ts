import { createRequire } from "node:module";

import hardhatToolboxMochaEthersPlugin from "@nomicfoundation/hardhat-toolbox-mocha-ethers";
import { configVariable, defineConfig } from "hardhat/config";
import type { NetworkUserConfig } from "hardhat/types/config";

import { NAMED_NETWORKS } from "./sdk/networks.js";

// Hardhat cannot download compilers on machines without internet access, so
// the WASM build from the npm `solc` package is used. Its version is pinned
// in package.json and must equal SOLC_VERSION.
const SOLC_VERSION = "0.8.37";
const require = createRequire(import.meta.url);
const solcPackage = require("solc/package.json") as { version: string };
if (solcPackage.version !== SOLC_VERSION) {
  throw new Error(
    `solc ${solcPackage.version} is installed but the config expects ${SOLC_VERSION}`,
  );
}

function compiler(runs: number, viaIR = false) {
  return {
    version: SOLC_VERSION,
    path: require.resolve("solc/soljson.js"),
    settings: {
      evmVersion: "cancun",
      viaIR,
      optimizer: { enabled: true, runs },
    },
  };
}

/**
 * Networks: the in-process network stays the default (tests, demo); `localhost` is a local anvil or `hardhat node`
 * (CASCADE_RPC_URL or http://127.0.0.1:8545, the node's unlocked accounts); remote chains take their URL and key from
 * configuration variables — environment variables or Hardhat's keystore (`npx hardhat keystore set SEPOLIA_RPC_URL`),
 * resolved only when the network is used. See sdk/networks.ts, shared with the `cascade` CLI.
 */
function httpNetworks() {
  const local = NAMED_NETWORKS.localhost;
  const networks: Record<string, NetworkUserConfig> = {
    localhost: {
      type: "http",
      chainType: "l1",
      url: process.env[local.urlVariable] ?? local.defaultUrl ?? "http://127.0.0.1:8545",
    },
  };
  for (const [name, n] of Object.entries(NAMED_NETWORKS)) {
    if (name === "localhost") continue;
    networks[name] = {
      type: "http",
      chainType: n.l2 ? "op" : "l1",
      chainId: n.chainId,
      url: configVariable(n.urlVariable),
      accounts: n.keyVariable ? [configVariable(n.keyVariable)] : "remote",
    };
  }
  return networks;
}

/**
 * Fuzz and invariant settings of the Solidity tests, by profile: `quick` (the default, what CI runs, a fixed seed) and
 * `deep` (≥ 10 000 runs, depth 64, the same seed) chosen with CASCADE_FUZZ_PROFILE=deep — `npm run test:deep`.
 */
const FUZZ_PROFILES = {
  quick: { fuzz: { runs: 256, seed: "0x5ca1ab1e" }, invariant: { runs: 64, depth: 32 } },
  deep: { fuzz: { runs: 10_000, seed: "0x5ca1ab1e" }, invariant: { runs: 10_000, depth: 64 } },
} as const;

function fuzzProfile(): keyof typeof FUZZ_PROFILES {
  const name = process.env.CASCADE_FUZZ_PROFILE ?? "quick";
  if (!(name in FUZZ_PROFILES)) {
    throw new Error(`CASCADE_FUZZ_PROFILE=${name}: expected one of ${Object.keys(FUZZ_PROFILES).join(", ")}`);
  }
  return name as keyof typeof FUZZ_PROFILES;
}

function buildProfile() {
  return {
    compilers: [compiler(10_000)],
    overrides: {
      // The deal and its risk engine run every distribution; with the IR pipeline at these runs both stay under the
      // 24 KB code limit (more runs than 2 000 save the risk engine under 10 gas a distribution, for up to 1.8 KB more
      // code). See DEVELOPERS.md before adding code to either.
      "contracts/core/Deal.sol": compiler(800, true),
      "contracts/core/RiskEngine.sol": compiler(2_000, true),
      // The tranche token runs on every investor transfer and claim: the IR pipeline trims its compliance glue.
      "contracts/core/TrancheToken.sol": compiler(10_000, true),
      // The oracle takes every report: the IR pipeline keeps its report struct's coding small and cheap.
      "contracts/oracle/UtilizationOracle.sol": compiler(10_000, true),
      // The factory validates and encodes every term sheet: the IR pipeline at 1 000 runs keeps it under the code limit
      // (24 878 bytes at 10 000 runs; a deal's creation runs once).
      "contracts/core/DealFactory.sol": compiler(1_000, true),
    },
  };
}

export default defineConfig({
  plugins: [hardhatToolboxMochaEthersPlugin],
  networks: httpNetworks(),
  solidity: {
    // `production` (what `hardhat ignition deploy` builds with) gets the same settings: Hardhat's derived production
    // profile would drop them, and Deal would no longer fit the code-size limit.
    profiles: { default: buildProfile(), production: buildProfile() },
    npmFilesToBuild: [
      // The protocol's admin authority (deploy/modules/Protocol.ts, `deployAdministration`).
      "@openzeppelin/contracts/access/manager/AccessManager.sol",
      // Test-only: the real Safe (1.4.1) contracts, so a Safe multisig can be a reporter (ERC-1271) in the tests.
      "@safe-global/safe-contracts/contracts/Safe.sol",
      "@safe-global/safe-contracts/contracts/proxies/SafeProxyFactory.sol",
      "@safe-global/safe-contracts/contracts/handler/CompatibilityFallbackHandler.sol",
    ],
  },
  paths: {
    ignition: "deploy",
    tests: {
      mocha: "test",
      solidity: "test/solidity",
    },
  },
  test: {
    solidity: FUZZ_PROFILES[fuzzProfile()],
  },
});
