import { readFile } from "node:fs/promises";

import { expect } from "chai";
import { artifacts } from "hardhat";

import {
  ABI_CONTRACTS,
  BYTECODE_CONTRACTS,
  renderAbis,
  renderBytecode,
  type ReadArtifact,
} from "../../scripts/abi-codegen.js";
import * as abis from "../../sdk/generated/abis.js";
import * as bytecode from "../../sdk/generated/bytecode.js";

const read: ReadArtifact = async (name) => artifacts.readArtifact(name);
const generated = (file: string) =>
  readFile(new URL(`../../sdk/generated/${file}`, import.meta.url), "utf8");
const STALE = "sdk/generated is stale: run `npm run abis` and commit the result";
// `hardhat test --coverage` runs on an instrumented build whose bytecode differs from the release build on purpose.
const COVERAGE = process.argv.includes("--coverage");

describe("SDK generated ABIs and bytecode", () => {
  for (const [contract, stem] of ABI_CONTRACTS) {
    it(`${contract}: the ABI equals the artifact's`, async () => {
      const { abi } = await artifacts.readArtifact(contract);
      expect((abis as Record<string, unknown>)[`${stem}Abi`], STALE).to.deep.equal(abi);
    });
  }

  for (const [contract, stem] of BYTECODE_CONTRACTS) {
    it(`${contract}: the creation bytecode equals the artifact's`, async function () {
      if (COVERAGE) this.skip();
      const { bytecode: expected } = await artifacts.readArtifact(contract);
      expect((bytecode as Record<string, unknown>)[`${stem}Bytecode`], STALE).to.equal(expected);
    });
  }

  it("the generated files are exactly what the generator writes", async function () {
    if (COVERAGE) this.skip();
    expect(await generated("abis.ts"), STALE).to.equal(await renderAbis(read));
    expect(await generated("bytecode.ts"), STALE).to.equal(await renderBytecode(read));
  });
});
