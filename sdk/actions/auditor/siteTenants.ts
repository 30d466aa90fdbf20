import type { Address, BlockNumber, BlockTag, Hash } from "viem";
import { getBlockNumber, readContract } from "viem/actions";

import { withErrors, type CascadeClient } from "../../client.js";
import { dealAbi, utilizationOracleAbi } from "../../generated/abis.js";
import { readDealEvents, type LogReaderOptions } from "../../logs.js";
import { siteOf, type SiteRent } from "../anyone/siteOf.js";

export interface SiteTenantsParameters extends LogReaderOptions {
  /** A site: a data-center project deal that tenant deals of its factory name as their site. */
  deal: Address;
  /** Reads state, and events up to, this block (default: latest), so every figure is consistent. */
  blockNumber?: bigint;
  /** First block of the site's events (default: its creation block, found by a search over `eth_getCode`). */
  fromBlock?: BlockNumber | BlockTag;
}

/** One rent payment a site received from a tenant deal (`RentReceived`). */
export interface SiteRentReceipt {
  tenant: Address;
  /** The site's period that counts it as cash (0-based): the next it distributes when the rent arrived. */
  sitePeriod: bigint;
  /** The tenant's period the rent was paid for (0-based). */
  tenantPeriod: bigint;
  amount: bigint;
  blockNumber: bigint;
  transactionHash: Hash;
}

/** A tenant deal of a site: its rent terms and arrears now, and the rent the site received from it. */
export interface SiteTenant {
  deal: Address;
  /** The tenant's rent terms and the rent it still owes (`siteOf` of the tenant). */
  rent: SiteRent;
  /** The tenant's capacity unit (`CapacityUnit`): what its `rent.capacity` counts (GPUs, or kW). */
  unit: number;
  /** Every rent payment the site received from it, in order. */
  receipts: SiteRentReceipt[];
  /** Rent received from it to date (Σ receipts). */
  received: bigint;
  /**
   * Of it, what the site has not distributed yet: while the site runs, the receipts since its last distribution (cash
   * of its next one); zero once it ended.
   */
  pending: bigint;
}

export interface SiteTenantsReturnType {
  site: Address;
  blockNumber: bigint;
  /** The site's next period to distribute (0-based). */
  nextPeriod: bigint;
  /** Its tenant deals, in the order the factory registered them. */
  tenants: SiteTenant[];
  /** Rent received from every tenant to date, and the part not distributed yet (`Deal.pendingRent`). */
  received: bigint;
  pending: bigint;
}

/**
 * A site's tenant deals, each with its rent terms, its arrears and every rent payment the site received from it
 * (`RentReceived` events, read in bounded, retried ranges from the site's creation block): rent to date by tenant
 * and what the site has yet to distribute. A deal without tenants gives an empty list.
 *
 * @example
 * const { tenants } = await auditor.siteTenants({ deal: campus });
 * for (const t of tenants) console.log(t.deal, t.received, t.rent.rentArrears);
 */
export async function siteTenants(
  client: CascadeClient,
  params: SiteTenantsParameters,
): Promise<SiteTenantsReturnType> {
  return withErrors(async () => {
    const blockNumber = params.blockNumber ?? (await getBlockNumber(client, { cacheTime: 0 }));
    const deal = { address: params.deal, abi: dealAbi, blockNumber } as const;
    const [tenantList, nextPeriod, pendingRent, oracle] = await Promise.all([
      readContract(client, { ...deal, functionName: "tenants" }),
      readContract(client, { ...deal, functionName: "nextPeriod" }),
      readContract(client, { ...deal, functionName: "pendingRent" }),
      readContract(client, { ...deal, functionName: "oracle" }),
    ]);
    // Tenants are deals of the site's factory: they share its oracle.
    const [terms, oracleTerms, [logs]] = await Promise.all([
      Promise.all(tenantList.map((t) => siteOf(client, { deal: t, blockNumber }))),
      Promise.all(
        tenantList.map((t) =>
          readContract(client, {
            address: oracle,
            abi: utilizationOracleAbi,
            functionName: "terms",
            args: [t],
            blockNumber,
          }),
        ),
      ),
      tenantList.length === 0
        ? Promise.resolve([[]] as const)
        : readDealEvents(client, {
            ...params,
            toBlock: blockNumber,
            sources: [{ address: params.deal, abi: dealAbi, eventName: "RentReceived" }],
          }),
    ]);
    const receipts: SiteRentReceipt[] = [];
    for (const log of logs) {
      if (log.blockNumber === null || log.transactionHash === null) continue;
      receipts.push({
        tenant: log.args.tenant,
        sitePeriod: log.args.period,
        tenantPeriod: log.args.tenantPeriod,
        amount: log.args.amount,
        blockNumber: log.blockNumber,
        transactionHash: log.transactionHash,
      });
    }
    const tenants = tenantList.map((address, i): SiteTenant => {
      const rent = terms[i];
      if (rent === undefined)
        throw new RangeError(`tenant ${address} of site ${params.deal} names no site`);
      const own = receipts.filter((r) => r.tenant.toLowerCase() === address.toLowerCase());
      const received = own.reduce((a, r) => a + r.amount, 0n);
      // Rent waits for the site's next distribution only while it runs: a clean-up call counts what is pending, an
      // ended site passes later rent on to the tenant's notes (`RecoveriesDeposited`).
      const pending =
        pendingRent === 0n
          ? 0n
          : own.filter((r) => r.sitePeriod >= nextPeriod).reduce((a, r) => a + r.amount, 0n);
      return { deal: address, rent, unit: oracleTerms[i].unit, receipts: own, received, pending };
    });
    return {
      site: params.deal,
      blockNumber,
      nextPeriod,
      tenants,
      received: tenants.reduce((a, t) => a + t.received, 0n),
      pending: pendingRent,
    };
  });
}
