import type { Address, Hash, Hex } from "viem";
import { readContract } from "viem/actions";

import {
  deployAndWait,
  resolveAccount,
  writeAndWait,
  type AccountParameter,
  type CascadeClient,
} from "../../client.js";
import {
  accessManagerAbi,
  investorRegistryAbi,
  utilizationOracleAbi,
} from "../../generated/abis.js";
import { accessManagerBytecode, investorRegistryBytecode } from "../../generated/bytecode.js";

export interface DeployAdministrationParameters extends AccountParameter {
  /** The protocol's oracle (from `deployProtocol`); the access manager is made one of its admins. */
  oracle: Address;
  /** Initial admin of the access manager and admin of the investor registry; defaults to the deploying account. */
  admin?: Address;
  /** Holder of the registry's COMPLIANCE_AGENT_ROLE (onboards investors); defaults to the deploying account. */
  complianceAgent?: Address;
}

export interface DeployAdministrationReturnType {
  accessManager: Address;
  investorRegistry: Address;
  admin: Address;
  complianceAgent: Address;
  /** Every transaction sent, in order. */
  transactionHashes: Hash[];
}

/**
 * Deploys the protocol's administration next to `deployProtocol`'s contracts: an OpenZeppelin `AccessManager` (the
 * protocol's admin authority: its admins may `execute` admin calls on the oracle and the registry) and the
 * `InvestorRegistry`. The compliance agent gets the registry's COMPLIANCE_AGENT_ROLE; the access manager gets
 * DEFAULT_ADMIN_ROLE on the registry and on the oracle (the deploying account must be the oracle's admin). The
 * direct admins keep their role: renouncing it, once operations go through the manager, is a separate decision.
 */
export async function deployAdministration(
  client: CascadeClient,
  params: DeployAdministrationParameters,
): Promise<DeployAdministrationReturnType> {
  const account = resolveAccount(client, params.account);
  const admin = params.admin ?? account.address;
  const complianceAgent = params.complianceAgent ?? account.address;
  const hashes: Hash[] = [];

  const accessManager = (
    await deployAndWait(client, {
      abi: accessManagerAbi,
      bytecode: accessManagerBytecode,
      args: [admin],
      account,
      label: "AccessManager",
    })
  ).address;
  // The deployer administers the registry until the roles are set, then hands over to `admin` if different.
  const registry = await deployAndWait(client, {
    abi: investorRegistryAbi,
    bytecode: investorRegistryBytecode,
    args: [account.address],
    account,
    label: "InvestorRegistry",
  });
  hashes.push(registry.receipt.transactionHash);
  const investorRegistry = registry.address;

  const [agentRole, adminRole] = await Promise.all([
    readContract(client, {
      address: investorRegistry,
      abi: investorRegistryAbi,
      functionName: "COMPLIANCE_AGENT_ROLE",
    }),
    readContract(client, {
      address: investorRegistry,
      abi: investorRegistryAbi,
      functionName: "DEFAULT_ADMIN_ROLE",
    }),
  ]);
  const send = async (
    target: Address,
    functionName: "grantRole" | "renounceRole",
    role: Hex,
    who: Address,
  ) => {
    const receipt = await writeAndWait(client, {
      address: target,
      // Both contracts are OpenZeppelin AccessControl: the same grantRole / renounceRole.
      abi: target === params.oracle ? utilizationOracleAbi : investorRegistryAbi,
      functionName,
      args: [role, who],
      account,
    });
    hashes.push(receipt.transactionHash);
  };
  await send(investorRegistry, "grantRole", agentRole, complianceAgent);
  await send(investorRegistry, "grantRole", adminRole, accessManager);
  await send(params.oracle, "grantRole", adminRole, accessManager);
  if (admin.toLowerCase() !== account.address.toLowerCase()) {
    await send(investorRegistry, "grantRole", adminRole, admin);
    await send(investorRegistry, "renounceRole", adminRole, account.address);
  }
  return { accessManager, investorRegistry, admin, complianceAgent, transactionHashes: hashes };
}
