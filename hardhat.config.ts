import { createRequire } from "node:module";

import hardhatToolboxMochaEthersPlugin from "@nomicfoundation/hardhat-toolbox-mocha-ethers";
import { defineConfig } from "hardhat/config";

// Hardhat cannot download compilers on machines without internet access, so
// the WASM build from the npm `solc` package is used. Its version is pinned
// in package.json and must equal SOLC_VERSION.
const SOLC_VERSION = "0.8.30";
const require = createRequire(import.meta.url);
const solcPackage = require("solc/package.json") as { version: string };
if (solcPackage.version !== SOLC_VERSION) {
  throw new Error(
    `solc ${solcPackage.version} is installed but the config expects ${SOLC_VERSION}`,
  );
}

function compiler(runs: number) {
  return {
    version: SOLC_VERSION,
    path: require.resolve("solc/soljson.js"),
    settings: {
      evmVersion: "cancun",
      optimizer: { enabled: true, runs },
      viaIR: false,
    },
  };
}

export default defineConfig({
  plugins: [hardhatToolboxMochaEthersPlugin],
  solidity: {
    compilers: [compiler(10_000)],
    overrides: {
      // The deal and its risk engine fit the 24 KB code limit only when optimized for size; their hot paths are
      // dominated by storage writes and external calls either way. See DEVELOPERS.md before adding code to Deal.
      "contracts/core/Deal.sol": compiler(1),
      "contracts/core/RiskEngine.sol": compiler(200),
    },
    // Test-only: the real Safe (1.4.1) contracts, so a Safe multisig can be a reporter (ERC-1271) in the tests.
    npmFilesToBuild: [
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
    solidity: {
      fuzz: { runs: 256, seed: "0x5ca1ab1e" },
      invariant: { runs: 64, depth: 32 },
    },
  },
});
