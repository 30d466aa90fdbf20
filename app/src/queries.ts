/** The app's reads, each one SDK action behind a TanStack query. */
import { useQuery } from "@tanstack/react-query";
import type { Address } from "viem";

import { offeringProgress } from "../../sdk/index.js";
import { useConfig, useReader } from "./cascade.js";

/** A deal's creation block from the address book (where its history reads start), if recorded. */
export function useFromBlock(deal: Address | undefined): bigint | undefined {
  const config = useConfig();
  const entry = config.deals.find((d) => d.deal.toLowerCase() === deal?.toLowerCase());
  return entry ? BigInt(entry.blockNumber) : BigInt(config.fromBlock);
}

/** Every deal of the factory. */
export function useFactoryDeals() {
  const reader = useReader();
  const config = useConfig();
  return useQuery({
    queryKey: ["factoryDeals", config.factory],
    queryFn: () => reader.factoryDeals({ factory: config.factory }),
  });
}

/** Everything an auditor reads of a deal at one block (`dealAudit`). */
export function useDealAudit(deal: Address | undefined) {
  const reader = useReader();
  const fromBlock = useFromBlock(deal);
  return useQuery({
    queryKey: ["dealAudit", deal],
    enabled: deal !== undefined,
    queryFn: () => reader.dealAudit({ deal: deal!, fromBlock }),
  });
}

/** A deal's offerings: windows, requests against minimum raise and cap, phase. */
export function useOfferingProgress(deal: Address | undefined) {
  const reader = useReader();
  return useQuery({
    queryKey: ["offeringProgress", deal],
    enabled: deal !== undefined,
    queryFn: () => offeringProgress(reader, { deal: deal! }),
  });
}

/** A deal's reports: round, signers' state, final. */
export function useRiskSnapshot(deal: Address | undefined) {
  const reader = useReader();
  const fromBlock = useFromBlock(deal);
  return useQuery({
    queryKey: ["riskSnapshot", deal],
    enabled: deal !== undefined,
    queryFn: () => reader.riskSnapshot({ deal: deal!, fromBlock }),
  });
}

/** An investor's positions over every deal of the factory, with claimed-to-date sums. */
export function usePositions(investor: Address | undefined) {
  const reader = useReader();
  const config = useConfig();
  return useQuery({
    queryKey: ["positions", investor],
    enabled: investor !== undefined,
    queryFn: () =>
      reader.positions({
        factory: config.factory,
        investor: investor!,
        claimed: true,
        fromBlock: BigInt(config.fromBlock),
      }),
  });
}

/** An investor's position in one deal. */
export function usePosition(deal: Address | undefined, investor: Address | undefined) {
  const reader = useReader();
  const fromBlock = useFromBlock(deal);
  return useQuery({
    queryKey: ["position", deal, investor],
    enabled: deal !== undefined && investor !== undefined,
    queryFn: () => reader.position({ deal: deal!, investor: investor!, claimed: true, fromBlock }),
  });
}

export interface RiskAssumption {
  /** Utilization of the fleet's hours, in basis points. */
  utilizationBps: number;
}

/**
 * The Risk page's one data source: the deterministic model's projection of the deal (`dealProjection`), at the
 * last report's revenue per hour billed with the utilization the user sets (default: the last report's).
 */
export function useRiskProjection(deal: Address | undefined, assumption?: RiskAssumption) {
  const reader = useReader();
  const config = useConfig();
  const fromBlock = useFromBlock(deal);
  return useQuery({
    queryKey: ["riskProjection", deal, assumption?.utilizationBps],
    enabled: deal !== undefined,
    queryFn: async () => {
      const base = await reader.dealProjection({ factory: config.factory, deal: deal!, fromBlock });
      if (assumption === undefined || base.assumption === undefined) return base;
      const a = base.assumption;
      const billed = (a.gpuHoursAvailable * BigInt(assumption.utilizationBps)) / 10_000n;
      const revenue = a.gpuHoursBilled === 0n ? 0n : (a.revenue * billed) / a.gpuHoursBilled;
      return reader.dealProjection({
        factory: config.factory,
        deal: deal!,
        fromBlock,
        assumption: { gpuHoursAvailable: a.gpuHoursAvailable, gpuHoursBilled: billed, revenue },
      });
    },
  });
}
