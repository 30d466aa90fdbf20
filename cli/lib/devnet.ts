/**
 * A local development chain for the keeper and reporter tools: the protocol, a demo stablecoin and small deals
 * with short periods (seconds, not months) on an anvil node, set up through the SDK with anvil's public dev keys.
 * Used by `cascade devnet` (`npm run devnet`), `cascade stablecoin mint`, `cascade deploy --mock-stablecoin` and the
 * end-to-end tests.
 */
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";

import {
  createPublicClient,
  createTestClient,
  createWalletClient,
  publicActions,
  toHex,
  type Account,
  type Address,
  type Chain,
  type Hex,
  type Transport,
  type WalletClient,
} from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { deployContract, getBlock, waitForTransactionReceipt, writeContract } from "viem/actions";

import {
  cascadeActions,
  mockStablecoinAbi,
  parseTermSheet,
  type CascadeClient,
  type DeployProtocolReturnType,
  type ReportContent,
  type TermSheet,
  type TermSheetJson,
} from "../../sdk/index.js";
import { UsageError } from "./args.js";
import { rpcTransport } from "./clients.js";

/** Anvil's default dev mnemonic: public test keys, for local chains only. */
export const ANVIL_MNEMONIC = "test test test test test test test test test test test junk";

/** Which dev account plays which role. */
export const DEVNET_ROLES = {
  admin: 0,
  issuer: 1,
  servicer: 2,
  trustee: 3,
  guardian: 4,
  reporter0: 5,
  reporter1: 6,
  reporter2: 7,
  investor: 8,
  keeper: 9,
} as const;
export type DevnetRole = keyof typeof DEVNET_ROLES;

/** The private key of dev account `index` (anvil's mnemonic). */
export function devKey(index: number, mnemonic = ANVIL_MNEMONIC): Hex {
  const key = mnemonicToAccount(mnemonic, { addressIndex: index }).getHdKey().privateKey;
  if (!key) throw new Error(`no private key for dev account ${index}`);
  return toHex(key);
}

/** Wallet clients (local accounts, HTTP) for every role, plus a public and an anvil test client. */
export function devnetClients(url: string, chain: Chain, pollingInterval = 100) {
  const transport = rpcTransport(url);
  const wallet = (index: number) =>
    createWalletClient({
      account: mnemonicToAccount(ANVIL_MNEMONIC, { addressIndex: index }),
      chain,
      transport,
      pollingInterval,
    })
      .extend(publicActions)
      .extend((c) => cascadeActions(c as CascadeClient));
  const wallets = Object.fromEntries(
    Object.entries(DEVNET_ROLES).map(([role, index]) => [role, wallet(index)]),
  ) as Record<DevnetRole, ReturnType<typeof wallet>>;
  return {
    ...wallets,
    publicClient: createPublicClient({ chain, transport, pollingInterval }),
    testClient: createTestClient({ chain, mode: "anvil", transport }),
  };
}
export type DevnetClients = ReturnType<typeof devnetClients>;
export type DevnetWallet = DevnetClients["admin"];

/** A wallet client with an account and a chain: what deploys and mints the demo stablecoin. */
type Signer = WalletClient<Transport, Chain, Account>;

const MOCK_ARTIFACT = new URL(
  "../../artifacts/contracts/mocks/MockStablecoin.sol/MockStablecoin.json",
  import.meta.url,
);

/** The creation bytecode of the test-only MockStablecoin, from the build artifacts (`npx hardhat build`). */
export async function mockStablecoinBytecode(): Promise<Hex> {
  try {
    return (JSON.parse(await readFile(MOCK_ARTIFACT, "utf8")) as { bytecode: Hex }).bytecode;
  } catch {
    throw new UsageError(
      `no MockStablecoin artifact at ${fileURLToPath(MOCK_ARTIFACT)}: run \`npx hardhat build\` first`,
    );
  }
}

/** Deploys the demo stablecoin (the test-only MockStablecoin, 6 decimals: anyone may mint) from its creation bytecode. */
export async function deployDemoStablecoin(
  wallet: Signer,
  bytecode: Hex,
  name = "USD Coin (devnet)",
): Promise<Address> {
  const hash = await deployContract(wallet, {
    abi: mockStablecoinAbi,
    bytecode,
    args: [name, "USDC", 6],
  });
  const { contractAddress } = await waitForTransactionReceipt(wallet, { hash });
  if (!contractAddress) throw new Error("the MockStablecoin deployment created no contract");
  return contractAddress;
}

/** Mints the demo stablecoin (MockStablecoin's open `mint`). */
export async function mintDemo(wallet: Signer, token: Address, to: Address, amount: bigint) {
  const hash = await writeContract(wallet, {
    address: token,
    abi: mockStablecoinAbi,
    functionName: "mint",
    args: [to, amount],
  });
  await waitForTransactionReceipt(wallet, { hash });
}

export interface ShortDealOptions {
  name: string;
  /** Seconds per period. */
  periodLength: number;
  periodCount: number;
  /** Seconds a report is open to dispute (default 30). */
  disputeWindow?: number;
  /** Seconds after a period's end from which it may be marked unreported (default 45). */
  reportDeadline?: number;
  /** Keeper bounty in whole stablecoin units (default "25"). */
  keeperBounty?: string;
  /** Changes the term sheet (covenants, a fleet, transfer rules) before the deal is created. */
  customize?: (json: TermSheetJson) => TermSheetJson;
}

/**
 * A small deal in the term-sheet JSON format: senior $6,000 (8 %, straight-line), mezzanine $2,000
 * (utilization-linked), equity $2,000; short periods; reports by 2 of the 3 dev reporters.
 */
export function shortDealJson(o: ShortDealOptions): TermSheetJson {
  const json: TermSheetJson = {
    name: o.name,
    stablecoin: "$stablecoin",
    decimals: 6,
    issuer: "$issuer",
    servicer: "$servicer",
    trustee: "$trustee",
    guardian: "$guardian",
    // Time enough to subscribe on a node that mines a block a second (anvil --block-time 1); the setup warps.
    offeringOpensAt: "+10s",
    offeringClosesAt: "+5m",
    start: "+5m",
    periodLength: `${o.periodLength}s`,
    periodCount: o.periodCount,
    pledgedSharePct: 85,
    servicerFeePct: 1.5,
    trusteeFeePerPeriod: "1",
    reserveTarget: "100",
    keeperBounty: o.keeperBounty ?? "25",
    oracle: {
      reporters: ["$reporter0", "$reporter1", "$reporter2"],
      threshold: 2,
      disputeWindow: `${o.disputeWindow ?? 30}s`,
      reportDeadline: `${o.reportDeadline ?? 45}s`,
      reporterChangeDelay: "60s",
      fleetGpus: 2_048,
      maxPricePerGpuHour: "6.00",
      maxUtilizationStepPct: 25,
    },
    tranches: [
      {
        name: `${o.name} Senior`,
        symbol: "SR",
        kind: "note",
        face: "6,000",
        minRaise: "1",
        minTicket: "1",
        reserveFundingPct: 1,
        coupon: { type: "fixed", baseRatePct: 8 },
        principal: { type: "straight-line", startPeriod: 0, periods: o.periodCount },
      },
      {
        name: `${o.name} Mezzanine`,
        symbol: "MZ",
        kind: "note",
        face: "2,000",
        minRaise: "1",
        minTicket: "1",
        coupon: {
          type: "utilization-linked",
          baseRatePct: 11,
          slope: 0.2,
          strikePct: 75,
          floorRatePct: 9,
          capRatePct: 14,
        },
        principal: { type: "bullet" },
      },
      {
        name: `${o.name} Equity`,
        symbol: "EQ",
        kind: "equity",
        face: "2,000",
        minRaise: "1",
        minTicket: "1",
      },
    ],
  };
  return o.customize ? o.customize(json) : json;
}

/**
 * Moves anvil's clock forward to at least `timestamp` and mines a block. It shifts the clock's offset
 * (`evm_increaseTime`) rather than setting one block's timestamp, so that later blocks (interval mining with
 * `--block-time`, or the keeper's transactions) stay after it.
 */
export async function warpTo(c: DevnetClients, timestamp: bigint): Promise<void> {
  const { timestamp: now } = await getBlock(c.publicClient, { blockTag: "latest" });
  if (timestamp <= now) return;
  await c.testClient.increaseTime({ seconds: Number(timestamp - now) });
  await c.testClient.mine({ blocks: 1 });
}

export interface OpenDeal {
  deal: Address;
  dealId: bigint;
  terms: TermSheet;
  offerings: readonly Address[];
  tokens: readonly Address[];
  blockNumber: bigint;
  transactionHash: Hex;
}

/** The `$name` placeholders of the devnet's term sheets: the stablecoin and the roles' dev accounts. */
export function devnetAddresses(c: DevnetClients, stablecoin: Address, registry?: Address) {
  return {
    stablecoin,
    ...(registry === undefined ? {} : { registry }),
    issuer: c.issuer.account.address,
    servicer: c.servicer.account.address,
    trustee: c.trustee.account.address,
    guardian: c.guardian.account.address,
    reporter0: c.reporter0.account.address,
    reporter1: c.reporter1.account.address,
    reporter2: c.reporter2.account.address,
  };
}

/**
 * Creates a deal from `options`, its times relative to `now` (default: the chain's time now; its offering opens
 * 10 s later); nobody subscribes yet.
 */
export async function createShortDeal(
  c: DevnetClients,
  protocol: Pick<DeployProtocolReturnType, "factory">,
  addresses: ReturnType<typeof devnetAddresses>,
  o: ShortDealOptions,
  now?: bigint,
): Promise<OpenDeal> {
  now ??= (await getBlock(c.publicClient, { blockTag: "latest" })).timestamp;
  const { terms } = parseTermSheet(shortDealJson(o), { now, addresses });
  const created = await c.issuer.createDeal({ factory: protocol.factory, terms });
  return {
    deal: created.deal,
    dealId: created.dealId,
    terms,
    offerings: created.offerings,
    tokens: created.tokens,
    blockNumber: created.blockNumber,
    transactionHash: created.transactionHash,
  };
}

/**
 * Creates deals from `options` and makes them Active: the investor subscribes every tranche in full (permit), the
 * offerings close, shares are claimed. Every deal starts when its offering closes. A deal with transfer rules needs
 * `registry` and the investor registered in it.
 */
export async function openDeals(
  c: DevnetClients,
  protocol: Pick<DeployProtocolReturnType, "factory">,
  stablecoin: Address,
  options: readonly ShortDealOptions[],
  registry?: Address,
): Promise<OpenDeal[]> {
  const addresses = devnetAddresses(c, stablecoin, registry);
  const now = (await getBlock(c.publicClient, { blockTag: "latest" })).timestamp;
  const deals: OpenDeal[] = [];
  for (const o of options) {
    deals.push(await createShortDeal(c, protocol, addresses, o, now));
  }
  await warpTo(c, deals[0].terms.offeringOpensAt);
  const total = deals.reduce(
    (a, d) => a + d.terms.tranches.reduce((b, t) => b + t.faceAmount, 0n),
    0n,
  );
  await mintDemo(c.admin, stablecoin, c.investor.account.address, total);
  for (const d of deals) {
    for (const [t, offering] of d.offerings.entries()) {
      await c.investor.subscribe({ offering, assets: d.terms.tranches[t].faceAmount });
    }
  }
  await warpTo(c, deals[0].terms.offeringClosesAt);
  for (const d of deals) {
    for (const offering of d.offerings) await c.investor.closeOffering({ offering });
    for (const offering of d.offerings) await c.investor.claimShares({ offering });
  }
  return deals;
}

/** GPU-hours available in a period of `periodLength` seconds for the devnet fleet (2,048 GPUs). */
export function fleetHours(periodLength: number): bigint {
  return (2_048n * BigInt(periodLength)) / 3_600n;
}

/**
 * Runs one period of a devnet deal as its reporters and keeper would: moves the clock to the period's end, two of
 * the three reporters sign `report`, the servicer submits it, the clock moves past its dispute window and the keeper
 * distributes the period. The collections must be deposited already.
 */
export async function reportAndDistribute(
  c: DevnetClients,
  deal: Pick<OpenDeal, "deal" | "terms">,
  report: ReportContent,
): Promise<void> {
  await warpTo(c, deal.terms.start + (report.period + 1n) * BigInt(deal.terms.periodLength));
  const signatures = await Promise.all(
    [c.reporter0, c.reporter1].map((r) => r.signReport({ report })),
  );
  const { finalAt } = await c.servicer.submitReport({ report: signatures[0].report, signatures });
  await warpTo(c, finalAt);
  await c.keeper.distribute({ deal: deal.deal, period: report.period });
}
