import { zeroAddress, type Address } from "viem";
import { readContract } from "viem/actions";

import { withErrors, type CascadeClient } from "../../client.js";
import { dealAbi } from "../../generated/abis.js";

export interface SiteOfParameters {
  /** A deal; it is a tenant deal when its term sheet named a site. */
  deal: Address;
  /** Reads state at this block (default: latest). */
  blockNumber?: bigint;
}

/** A tenant deal's site and rent (`Deal.site`, `Deal.rentArrears`). */
export interface SiteRent {
  /** The data-center project deal the tenant pays rent to, first in each period's waterfall. */
  site: Address;
  /** Rent as a share of the tenant's reported revenue, in basis points (none for an unreported period). */
  rentBps: number;
  /** Rent per unit of the tenant's capacity per period, in stablecoin units. */
  rentPerUnit: bigint;
  /** The tenant's capacity (its oracle terms' `fleetGpus`). */
  capacity: bigint;
  /** rentPerUnit × capacity: the fixed part of each period's rent. */
  fixedRentPerPeriod: bigint;
  /** Rent the tenant's last period left unpaid, due with the next. */
  rentArrears: bigint;
}

/** The deal's site and rent, or undefined when it names no site. */
export type SiteOfReturnType = SiteRent | undefined;

/**
 * The site a tenant deal pays rent to, its rent terms and the rent it owes from earlier periods; undefined for a deal
 * without a site.
 *
 * @example
 * const rent = await siteOf(client, { deal: tenant });
 * if (rent) console.log(`pays ${rent.rentBps} bps + ${rent.fixedRentPerPeriod} a period to ${rent.site}`);
 */
export async function siteOf(
  client: CascadeClient,
  params: SiteOfParameters,
): Promise<SiteOfReturnType> {
  return withErrors(async () => {
    const deal = { address: params.deal, abi: dealAbi, blockNumber: params.blockNumber } as const;
    const [[site, rentBps, rentPerUnit, capacity], rentArrears] = await Promise.all([
      readContract(client, { ...deal, functionName: "site" }),
      readContract(client, { ...deal, functionName: "rentArrears" }),
    ]);
    if (site === zeroAddress) return undefined;
    return {
      site,
      rentBps: Number(rentBps),
      rentPerUnit,
      capacity,
      fixedRentPerPeriod: rentPerUnit * capacity,
      rentArrears,
    };
  });
}
