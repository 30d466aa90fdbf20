import { readFile } from "node:fs/promises";

import { expect } from "chai";
import { artifacts } from "hardhat";

import {
  ABI_CONTRACTS,
  BYTECODE_CONTRACTS,
  readMergedAbi,
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
  for (const [contracts, stem] of ABI_CONTRACTS) {
    it(`${String(contracts)}: the ABI equals the artifacts'`, async () => {
      const abi = await readMergedAbi(read, contracts);
      expect((abis as Record<string, unknown>)[`${stem}Abi`], STALE).to.deep.equal(abi);
    });
  }

  it("a deal's ABI is IDeal's, with its roles, pause and the errors of its libraries", async () => {
    const key = (i: { type: string; name?: string }) => `${i.type}:${i.name ?? ""}`;
    const deal = new Set((abis.dealAbi as readonly { type: string; name?: string }[]).map(key));
    const { abi } = await artifacts.readArtifact("IDeal");
    // InvalidTermSheet is the factory's (a deal never reverts with it).
    const missing = (abi as { type: string; name?: string }[])
      .map(key)
      .filter((k) => !deal.has(k) && k !== "error:InvalidTermSheet");
    expect(missing, "every IDeal item is in the SDK's deal ABI").to.deep.equal([]);
    for (const k of ["function:DEFAULT_ADMIN_ROLE", "function:supportsInterface", "error:EnforcedPause"]) {
      expect(deal.has(k), k).to.equal(true);
    }
  });

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
