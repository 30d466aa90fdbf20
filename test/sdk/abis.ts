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
// solc appends a CBOR metadata hash (IPFS hash + compiler version) to every contract. It covers the compile job's
// settings, remappings included, which depend on which files a build compiled together, so two builds of the same
// sources can differ there and nowhere else. The code itself must match exactly.
const METADATA = /a2646970667358221220[0-9a-f]{64}64736f6c6343[0-9a-f]{6}0033/gi;
const withoutMetadata = (s: unknown) => String(s).replace(METADATA, "<metadata>");

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
      const actual = (bytecode as Record<string, unknown>)[`${stem}Bytecode`];
      expect(withoutMetadata(actual), STALE).to.equal(withoutMetadata(expected));
    });
  }

  it("the generated files are exactly what the generator writes", async function () {
    if (COVERAGE) this.skip();
    expect(await generated("abis.ts"), STALE).to.equal(await renderAbis(read));
    expect(withoutMetadata(await generated("bytecode.ts")), STALE).to.equal(
      withoutMetadata(await renderBytecode(read)),
    );
  });
});
