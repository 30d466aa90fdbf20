import type { Address } from "viem";
import { readContract } from "viem/actions";

import { withErrors, type CascadeClient } from "../../client.js";
import { dealAbi } from "../../generated/abis.js";

export interface TenantsOfParameters {
  /** A deal; it is a site when the factory registered tenant deals with it. */
  deal: Address;
  /** Reads state at this block (default: latest). */
  blockNumber?: bigint;
}

export interface TenantsOfReturnType {
  /** The tenant deals that pay this deal rent on chain (`Deal.tenants`), in the order they were created. */
  tenants: Address[];
  /** Rent received from them since the deal's last distribution (`Deal.pendingRent`): cash of its next period. */
  pendingRent: bigint;
}

/**
 * A site's tenant deals (deals of the same factory that named it as their site) and the rent they paid since its last
 * distribution. A deal without tenants gives an empty list.
 *
 * @example
 * const { tenants, pendingRent } = await tenantsOf(client, { deal: campus });
 */
export async function tenantsOf(
  client: CascadeClient,
  params: TenantsOfParameters,
): Promise<TenantsOfReturnType> {
  return withErrors(async () => {
    const deal = { address: params.deal, abi: dealAbi, blockNumber: params.blockNumber } as const;
    const [tenants, pendingRent] = await Promise.all([
      readContract(client, { ...deal, functionName: "tenants" }),
      readContract(client, { ...deal, functionName: "pendingRent" }),
    ]);
    return { tenants: [...tenants], pendingRent };
  });
}
