import type { Address } from "viem";
import { readContract } from "viem/actions";

import { withErrors, type CascadeClient } from "../../client.js";
import { investorRegistryAbi } from "../../generated/abis.js";

export interface IsComplianceAgentParameters {
  registry: Address;
  account: Address;
}

/**
 * Whether `account` holds the registry's COMPLIANCE_AGENT_ROLE: registers, updates and freezes investors in the
 * registry, and freezes, force-transfers and recovers tokens of every tranche that names the registry.
 * @example
 * if (!(await client.isComplianceAgent({ registry, account }))) throw new Error("not an agent");
 */
export async function isComplianceAgent(
  client: CascadeClient,
  params: IsComplianceAgentParameters,
): Promise<boolean> {
  return withErrors(async () => {
    const role = await readContract(client, {
      address: params.registry,
      abi: investorRegistryAbi,
      functionName: "COMPLIANCE_AGENT_ROLE",
    });
    return readContract(client, {
      address: params.registry,
      abi: investorRegistryAbi,
      functionName: "hasRole",
      args: [role, params.account],
    });
  });
}
