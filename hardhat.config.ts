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

export default defineConfig({
  plugins: [hardhatToolboxMochaEthersPlugin],
  solidity: {
    version: SOLC_VERSION,
    path: require.resolve("solc/soljson.js"),
    // Test-only: the real Safe (1.4.1) contracts, so a Safe multisig can be a reporter (ERC-1271) in the tests.
    npmFilesToBuild: [
      "@safe-global/safe-contracts/contracts/Safe.sol",
      "@safe-global/safe-contracts/contracts/proxies/SafeProxyFactory.sol",
      "@safe-global/safe-contracts/contracts/handler/CompatibilityFallbackHandler.sol",
    ],
    settings: {
      evmVersion: "cancun",
      optimizer: { enabled: true, runs: 10_000 },
      viaIR: false,
    },
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
