/** The tests' protocol fixtures: the ethers deployment and deal helpers of scripts/lib/fixtures.ts (shared with the gas benchmark). */
export * from "../../scripts/lib/fixtures.js";
