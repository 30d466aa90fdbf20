/**
 * Writes the SDK's typed ABIs and creation bytecode from the artifacts of `hardhat build`.
 * Run with `npm run abis` (`hardhat run` builds the contracts first).
 */
import { writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";

import { artifacts } from "hardhat";

import { renderAbis, renderBytecode, type ReadArtifact } from "./abi-codegen.js";

const read: ReadArtifact = async (name) => artifacts.readArtifact(name);
const dir = new URL("../sdk/generated/", import.meta.url);

await writeFile(new URL("abis.ts", dir), await renderAbis(read));
await writeFile(new URL("bytecode.ts", dir), await renderBytecode(read));
console.log(`wrote ${fileURLToPath(new URL("abis.ts", dir))} and bytecode.ts`);
