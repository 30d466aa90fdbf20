/**
 * The chain behind `npm run app` and the app's browser tests: on a fresh anvil, the protocol with its investor
 * registry, a demo stablecoin and three monthly devnet deals (`cli/lib/devnet.ts`) —
 *
 * - "Audited": a restricted senior (accredited investors only), a depreciating fleet and covenants, all twelve
 *   periods reported and distributed, utilization dipping mid-life so its DSCR falls under the lock-up threshold;
 * - "Running": the same terms without transfer rules, three of twelve periods distributed;
 * - "Offering": its offerings open for subscriptions for the next `offeringMinutes` minutes.
 *
 * The investor (dev account 8) is registered as an accredited investor and holds every token of the first two deals;
 * a second investor (dev account 10) is registered and funded, and holds nothing yet.
 */
import { getAddress, keccak256, toHex, type Address } from "viem";

import {
  createShortDeal,
  DEVNET_ROLES,
  deployDemoStablecoin,
  devnetAddresses,
  fleetHours,
  mintDemo,
  mockStablecoinBytecode,
  openDeals,
  reportAndDistribute,
  type DevnetClients,
  type OpenDeal,
  type ShortDealOptions,
} from "../../cli/lib/devnet.js";
import type { AppConfig } from "../../app/src/config.js";
import {
  INVESTOR_CLASSES,
  WaterfallMath,
  type ReportContent,
  type TermSheetJson,
} from "../../sdk/index.js";

/** Seconds in a devnet month: the deals' period. */
export const MONTH = 30 * 86_400;
/** The second investor's dev account (anvil must be started with at least 11 accounts: `--accounts 11`). */
export const INVESTOR2_INDEX = 10;
/** Each deal's fleet revenue per GPU-hour billed, in stablecoin base units ($0.0009): a DSCR near 1.2×. */
const PRICE_PER_GPU_HOUR = 900n;

/** Utilization (%) of each period of "Audited": a dip in the middle of its life trips the DSCR lock-up. */
export const AUDITED_UTILIZATION = [82, 85, 80, 78, 72, 70, 74, 79, 83, 86, 88, 90];
/** Utilization (%) of the distributed periods of "Running". */
export const RUNNING_UTILIZATION = [76, 81, 84];

export interface AppDeal {
  name: string;
  deal: Address;
  blockNumber: bigint;
  tokens: readonly Address[];
  offerings: readonly Address[];
}

export interface AppChain {
  factory: Address;
  stablecoin: Address;
  registry: Address;
  /** The block the protocol was deployed at: where history reads start. */
  fromBlock: bigint;
  deals: AppDeal[];
  audited: OpenDeal;
  running: OpenDeal;
  offering: OpenDeal;
  /** The report of every distributed period, by deal name. */
  reports: Record<string, ReportContent[]>;
}

/**
 * Covenants and a fleet sized to the devnet deals (notes $8,000, fleet $12,000 depreciating over two years); both
 * notes amortize over the deal's life.
 */
function withRisk(json: TermSheetJson): TermSheetJson {
  return {
    ...json,
    keeperBounty: "1",
    tranches: json.tranches.map((t, i) =>
      i === 1
        ? { ...t, principal: { type: "straight-line", startPeriod: 0, periods: json.periodCount } }
        : t,
    ),
    risk: {
      trailingPeriods: 3,
      triggers: [
        { metric: "dscr", below: "1.15", periods: 1, effect: "cashTrap", cures: true },
        { metric: "dscr", below: "1.00", periods: 2, effect: "accelerate" },
        { metric: "utilization", belowPct: 40, periods: 2, effect: "cashTrap", cures: true },
        { metric: "ltv", abovePct: 80, periods: 1, effect: "cashTrap", cures: true },
        { metric: "seniorCurve", abovePct: 90, periods: 1, effect: "cashTrap", cures: true },
      ],
      fleet: [
        {
          model: "H100-SXM5-80GB",
          count: 1,
          unitCost: "12,000",
          unitResidual: "1,000",
          acquired: "+0s",
          usefulLifeMonths: 24,
          method: "straightLine",
        },
      ],
    },
  } as TermSheetJson;
}

/** The senior of "Audited" goes only to accredited investors registered with the issuer's registry. */
function restricted(json: TermSheetJson): TermSheetJson {
  const risky = withRisk(json);
  return {
    ...risky,
    registry: "$registry",
    tranches: risky.tranches.map((t, i) =>
      i === 0 ? { ...t, transfer: { allowedClasses: ["accredited"] } } : t,
    ),
  } as TermSheetJson;
}

/** Period `p`'s report of a devnet deal at `utilizationPct` % of its fleet's hours. */
export function periodReport(d: OpenDeal, p: number, utilizationPct: number): ReportContent {
  const available = fleetHours(d.terms.periodLength);
  const billed = (available * BigInt(utilizationPct)) / 100n;
  return {
    deal: d.deal,
    period: BigInt(p),
    gpuHoursAvailable: available,
    gpuHoursBilled: billed,
    revenue: billed * PRICE_PER_GPU_HOUR,
    reportHash: keccak256(toHex(`app/${d.deal}/period-${p}`)),
  };
}

/** The servicer deposits what `report` pledges to the deal. */
export async function depositFor(
  c: DevnetClients,
  stablecoin: Address,
  d: OpenDeal,
  report: ReportContent,
): Promise<void> {
  const amount = WaterfallMath.bpsOfDown(report.revenue, d.terms.pledgedShareBps);
  await mintDemo(c.admin, stablecoin, c.servicer.account.address, amount);
  await c.servicer.depositCollections({ deal: d.deal, amount });
}

export interface SeedOptions {
  /** The second investor's wallet client (dev account 10). */
  investor2: Address;
  /** How long the "Offering" deal's offerings stay open (default 30). */
  offeringMinutes?: number;
  /** Called as each step starts. */
  onStep?: (step: string) => void;
}

/** Builds the app's chain on a fresh anvil (automine); returns the addresses the app is configured with. */
export async function seedAppChain(c: DevnetClients, o: SeedOptions): Promise<AppChain> {
  const step = o.onStep ?? (() => {});
  step("deploying the protocol, its investor registry and a demo stablecoin");
  const fromBlock = await c.publicClient.getBlockNumber();
  const stablecoin = await deployDemoStablecoin(c.admin, await mockStablecoinBytecode());
  const protocol = await c.admin.deployProtocol();
  const { investorRegistry: registry } = await c.admin.deployAdministration({
    oracle: protocol.oracle,
  });
  const now = (await c.publicClient.getBlock()).timestamp;
  await c.admin.registerInvestors({
    registry,
    investors: [c.investor.account.address, o.investor2].map((wallet) => ({
      wallet,
      kycExpiry: now + 10n * 365n * 86_400n,
      country: 276,
      classes: INVESTOR_CLASSES.accredited,
    })),
  });
  await mintDemo(c.admin, stablecoin, o.investor2, 50_000_000_000n);

  step("opening the deals");
  const base = { periodLength: MONTH, periodCount: 12, reportDeadline: 7 * 86_400 };
  const options: ShortDealOptions[] = [
    { ...base, name: "Audited", customize: restricted },
    { ...base, name: "Running", customize: withRisk },
  ];
  const [audited, running] = await openDeals(c, protocol, stablecoin, options, registry);

  const reports: Record<string, ReportContent[]> = { Audited: [], Running: [] };
  for (let p = 0; p < 12; p++) {
    step(`distributing period ${p + 1}`);
    const runs: [OpenDeal, string, number | undefined][] = [
      [audited, "Audited", AUDITED_UTILIZATION[p]],
      [running, "Running", RUNNING_UTILIZATION[p]],
    ];
    for (const [d, name, u] of runs) {
      if (u === undefined) continue;
      const report = periodReport(d, p, u);
      await depositFor(c, stablecoin, d, report);
      await reportAndDistribute(c, d, report);
      reports[name].push(report);
    }
  }

  step("opening an offering");
  const minutes = o.offeringMinutes ?? 30;
  const offering = await createShortDeal(
    c,
    protocol,
    devnetAddresses(c, stablecoin, registry),
    {
      ...base,
      name: "Offering",
      customize: (json) => ({
        ...withRisk(json),
        offeringOpensAt: "+0s",
        offeringClosesAt: `+${minutes}m`,
        start: `+${minutes}m`,
      }),
    },
  );
  const deal = (d: OpenDeal, name: string): AppDeal => ({
    name,
    deal: getAddress(d.deal),
    blockNumber: d.blockNumber,
    tokens: d.tokens,
    offerings: d.offerings,
  });
  return {
    factory: getAddress(protocol.factory),
    stablecoin: getAddress(stablecoin),
    registry: getAddress(registry),
    fromBlock,
    deals: [deal(audited, "Audited"), deal(running, "Running"), deal(offering, "Offering")],
    audited,
    running,
    offering,
    reports,
  };
}

/** The dev accounts the app offers on a local devnet, by role. */
export function appAccounts(c: DevnetClients, investor2: Address) {
  return [
    ...Object.keys(DEVNET_ROLES).map((role) => ({
      role,
      address: c[role as keyof typeof DEVNET_ROLES].account.address,
    })),
    { role: "investor2", address: investor2 },
  ];
}

/** The app's configuration (`/cascade.json`) for a seeded chain on anvil at `rpcUrl`. */
export function appConfig(
  c: DevnetClients,
  seeded: AppChain,
  rpcUrl: string,
  investor2: Address,
): AppConfig {
  return {
    chainId: 31_337,
    chainName: "Local devnet (anvil)",
    rpcUrl,
    factory: seeded.factory,
    stablecoin: seeded.stablecoin,
    registry: seeded.registry,
    fromBlock: seeded.fromBlock.toString(),
    deals: seeded.deals.map((d) => ({
      name: d.name,
      deal: d.deal,
      blockNumber: d.blockNumber.toString(),
    })),
    devAccounts: appAccounts(c, investor2),
  };
}
