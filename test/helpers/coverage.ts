import { globalOptions } from "hardhat";

/**
 * Whether this run is `hardhat test --coverage`: Hardhat 3's `coverage` global option (hardhat-mocha also passes it
 * to the test process as HARDHAT_COVERAGE). Coverage runs an instrumented build that costs more gas on purpose, so a
 * gas budget holds for the real build only; a test skips its numeric gas bounds, and nothing else, when this is true.
 */
export const COVERAGE = globalOptions.coverage === true;
