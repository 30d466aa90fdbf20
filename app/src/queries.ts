/** The app's reads, each one SDK action behind a TanStack query. */
import { useQuery } from "@tanstack/react-query";
import type { Address } from "viem";

import { offeringProgress, Stress } from "../../sdk/index.js";
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

/** Every report of a deal's periods from the oracle's events: rounds, signers, disputes (`reportHistory`). */
export function useReportHistory(deal: Address | undefined) {
  const reader = useReader();
  const fromBlock = useFromBlock(deal);
  return useQuery({
    queryKey: ["reportHistory", deal],
    enabled: deal !== undefined,
    queryFn: () => reader.reportHistory({ deal: deal!, fromBlock }),
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

/** Paths of the Risk page's Monte Carlo: enough for a stable picture, quick on one browser thread. */
export const STRESS_PATHS = 1_000;

/**
 * The stress engine (`sdk/stress`, docs/stress.md) on a live deal: the deal's state read through the SDK
 * (`stressDeal`), `STRESS_PATHS` seeded paths of the default scenario on the fast path, each note's break-evens on the
 * exact model, and the engine's own SVG charts. Seed 1: the same figures as `cascade stress <deal> --paths 1000`.
 */
export function useStress(deal: Address | undefined) {
  const reader = useReader();
  const config = useConfig();
  const fromBlock = useFromBlock(deal);
  return useQuery({
    queryKey: ["stress", deal],
    enabled: deal !== undefined,
    staleTime: Infinity,
    queryFn: async () => {
      const live = await reader.stressDeal({ factory: config.factory, deal: deal!, fromBlock });
      const left = live.terms.periodCount - live.state.nextPeriod;
      if (left <= 0) return { left, report: undefined, breakEvens: [], charts: [] };
      const setup = Stress.prepareStress(live, Stress.DEFAULT_SCENARIO);
      const report = Stress.monteCarlo(setup, { paths: STRESS_PATHS, seed: 1 });
      return {
        left,
        report,
        breakEvens: Stress.breakEvens(setup),
        charts: [
          { id: "loss", svg: Stress.lossDistributionSvg(report) },
          { id: "fan", svg: Stress.fanChartSvg(report) },
          { id: "triggers", svg: Stress.triggerTimingSvg(report) },
        ],
      };
    },
  });
}
