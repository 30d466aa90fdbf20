import type { HardhatEthers } from "@nomicfoundation/hardhat-ethers/types";

import type {
  CompatibilityFallbackHandler,
  Safe,
  SafeProxyFactory,
} from "../../types/ethers-contracts/index.js";
import type { TypedDataSigner } from "./oracle-signing.js";

/**
 * The real Safe 1.4.1 contracts (npm `@safe-global/safe-contracts`, built by Hardhat through
 * `solidity.npmFilesToBuild`): singleton, proxy factory and the fallback handler that gives a Safe ERC-1271.
 */
export interface SafeInfrastructure {
  singleton: Safe;
  proxyFactory: SafeProxyFactory;
  fallbackHandler: CompatibilityFallbackHandler;
}

export async function deploySafeInfrastructure(ethers: HardhatEthers): Promise<SafeInfrastructure> {
  const singleton = (await ethers.deployContract("Safe")) as unknown as Safe;
  const proxyFactory = (await ethers.deployContract(
    "SafeProxyFactory",
  )) as unknown as SafeProxyFactory;
  const fallbackHandler = (await ethers.deployContract(
    "CompatibilityFallbackHandler",
  )) as unknown as CompatibilityFallbackHandler;
  return { singleton, proxyFactory, fallbackHandler };
}

/** Creates a `threshold`-of-`owners` Safe proxy with the compatibility fallback handler. */
export async function createSafe(
  ethers: HardhatEthers,
  infra: SafeInfrastructure,
  owners: string[],
  threshold: number,
  saltNonce = 0n,
): Promise<Safe> {
  const initializer = infra.singleton.interface.encodeFunctionData("setup", [
    owners,
    threshold,
    ethers.ZeroAddress,
    "0x",
    await infra.fallbackHandler.getAddress(),
    ethers.ZeroAddress,
    0,
    ethers.ZeroAddress,
  ]);
  const singleton = await infra.singleton.getAddress();
  const address = await infra.proxyFactory.createProxyWithNonce.staticCall(
    singleton,
    initializer,
    saltNonce,
  );
  await (await infra.proxyFactory.createProxyWithNonce(singleton, initializer, saltNonce)).wait();
  return (await ethers.getContractAt("Safe", address)) as unknown as Safe;
}

/** EIP-712 of a Safe message: domain {chainId, verifyingContract: safe}, SafeMessage(bytes message). */
export const SAFE_MESSAGE_TYPES = { SafeMessage: [{ name: "message", type: "bytes" }] };

/**
 * The Safe's ERC-1271 signature of `digest`, as CompatibilityFallbackHandler.isValidSignature(bytes32, bytes)
 * checks it: each owner signs the SafeMessage {message: abi.encode(digest)} under the Safe's domain, and the
 * owners' 65-byte signatures (r ‖ s ‖ v) are concatenated in ascending owner order (Safe.checkSignatures).
 */
export async function safeSignature(
  ethers: HardhatEthers,
  safe: string,
  digest: string,
  owners: TypedDataSigner[],
): Promise<string> {
  const { chainId } = await ethers.provider.getNetwork();
  const domain = { chainId, verifyingContract: safe };
  const message = { message: ethers.AbiCoder.defaultAbiCoder().encode(["bytes32"], [digest]) };
  const sorted = [...owners].sort((a, b) => (BigInt(a.address) < BigInt(b.address) ? -1 : 1));
  const parts: string[] = [];
  for (const o of sorted) parts.push(await o.signTypedData(domain, SAFE_MESSAGE_TYPES, message));
  return ethers.concat(parts);
}
