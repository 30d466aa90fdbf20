/**
 * A deal with a long history on a local node, for the history benchmark (`scripts/bench-history.ts`) and the
 * log-reader tests (`test/sdk/logs.ts`): the protocol and one short-period devnet deal (`cli/lib/devnet.ts`), empty
 * blocks mined before the deal and during every period, and every period reported by two of the three reporters and
 * distributed. The node's mining call is the caller's (`anvil_mine`, `hardhat_mine`).
 */
import { keccak256, toHex, type Address } from "viem";

import {
  deployDemoStablecoin,
  fleetHours,
  mintDemo,
  mockStablecoinBytecode,
  openDeals,
  reportAndDistribute,
  type DevnetClients,
  type OpenDeal,
} from "../../cli/lib/devnet.js";
import {
  WaterfallMath,
  type DeployProtocolReturnType,
  type ReportContent,
} from "../../sdk/index.js";

export interface HistoryChainOptions {
  periods: number;
  /** Seconds per period: more than `blocksPerPeriod` when each mined block moves the clock a second (hardhat_mine). */
  periodLength: number;
  /** Empty blocks mined in each period, before its report. */
  blocksPerPeriod: bigint;
  /** Empty blocks mined after the protocol is deployed, before the deal is created. */
  blocksBeforeDeal?: bigint;
  /** Mines `blocks` empty blocks. */
  mine: (blocks: bigint) => Promise<void>;
  /** Called after each distributed period. */
  onPeriod?: (period: number) => void;
}

export interface HistoryChain {
  protocol: DeployProtocolReturnType;
  stablecoin: Address;
  deal: OpenDeal;
  /** The period reports, in period order. */
  reports: ReportContent[];
}

/** GPU-hours billed in period `p`: 70–90 % of the fleet's hours, varying from period to period. */
function billedShare(p: number): bigint {
  return 70n + BigInt((p * 7) % 21);
}

/** Builds the chain; returns once every period is distributed. */
export async function buildHistoryChain(
  c: DevnetClients,
  o: HistoryChainOptions,
): Promise<HistoryChain> {
  const stablecoin = await deployDemoStablecoin(c.admin, await mockStablecoinBytecode());
  const protocol = await c.admin.deployProtocol();
  if (o.blocksBeforeDeal) await o.mine(o.blocksBeforeDeal);
  const [deal] = await openDeals(c, protocol, stablecoin, [
    {
      name: "History",
      periodLength: o.periodLength,
      periodCount: o.periods,
      reportDeadline: 3_600,
    },
  ]);
  const available = fleetHours(o.periodLength);
  const reports = Array.from({ length: o.periods }, (_, p): ReportContent => {
    const billed = (available * billedShare(p)) / 100n;
    return {
      deal: deal.deal,
      period: BigInt(p),
      gpuHoursAvailable: available,
      gpuHoursBilled: billed,
      revenue: billed * 2_500_000n,
      reportHash: keccak256(toHex(`history/period-${p}`)),
    };
  });
  const collections = reports.reduce(
    (a, r) => a + WaterfallMath.bpsOfDown(r.revenue, deal.terms.pledgedShareBps),
    0n,
  );
  await mintDemo(c.admin, stablecoin, c.servicer.account.address, collections);
  await c.servicer.depositCollections({ deal: deal.deal, amount: collections });

  for (const report of reports) {
    await o.mine(o.blocksPerPeriod);
    await reportAndDistribute(c, deal, report);
    o.onPeriod?.(Number(report.period));
  }
  return { protocol, stablecoin, deal, reports };
}
