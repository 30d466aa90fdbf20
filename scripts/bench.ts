/**
 * Gas benchmark: every user-facing operation of the protocol, measured side by side with a plain OpenZeppelin
 * ERC-20 and ERC-4626 over the same 6-decimals stablecoin, on Hardhat's in-process network. Each number is the
 * receipt's gasUsed of the operation's own transaction (21 000 intrinsic gas and calldata included). What each id
 * measures, exactly, is written in MEASUREMENTS below and in bench/RESULTS.md.
 *
 *   npm run bench              # measures, prints the table, writes bench/results.json and bench/RESULTS.md
 *   npm run bench -- --check   # measures, compares with the committed bench/results.json, writes nothing;
 *                              # exits 1 if an id's gas rose more than 1 % or an id disappeared, or if a contract's
 *                              # code is above 24 576 bytes (npm run bench:check); reports code-size changes
 *   npm run bench -- --trace [id,...]  # where the gas of these ids (default: those missing a target) goes
 *   npm run bench -- --sizes   # code sizes only: rewrites them in bench/results.json and bench/RESULTS.md, whose
 *                              # gas rows stay the committed ones (no chain is run)
 *
 * Code size is the runtime bytecode (the artifact's `deployedBytecode`) of every contract the protocol deploys
 * (`BYTECODE_CONTRACTS`: the implementations the factory clones, the token's extension, the factory, the oracle, the
 * price feed, the investor registry and the access manager), against EIP-170's 24 576-byte limit.
 *
 * The run is deterministic: the chain starts at a fixed time, every term sheet is built from it, and every account
 * and address is fixed, so calldata (and its zero/non-zero byte count) is the same from run to run.
 */
import { readFileSync, writeFileSync } from "node:fs";

import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { ContractTransactionResponse } from "ethers";
import { artifacts, network } from "hardhat";

import {
  CapacityUnit,
  DAY,
  DepreciationMethod,
  NO_EQUITY_WATERFALL,
  NO_SITE,
  PERIOD,
  PrincipalType,
  RiskMetric,
  TriggerComparison,
  TriggerEffect,
  USDC,
  WAD,
  CouponType,
  DealStatus,
  buildReport,
  catchUp,
  createDeal,
  deployProtocol,
  equity,
  fixedNote,
  preferredReturn,
  returnOfCapital,
  signReport,
  siteTermSheet,
  tenantTermSheet,
  split,
  type DealHandles,
  type EquityTermsInput,
  type FleetEntryInput,
  type Protocol,
  type TermSheetInput,
  type TrancheTermsInput,
  type TriggerTermsInput,
} from "./lib/fixtures.js";
import { BYTECODE_CONTRACTS } from "./abi-codegen.js";
import {
  checkCodeSizes,
  codeSizeTable,
  compareResults,
  evaluateTargets,
  formatResults,
  parseResults,
  resultsTable,
  targetsTable,
  withRatios,
  type BenchResult,
  type CodeSize,
  type Target,
  type TargetOutcome,
} from "./bench-lib.js";
import { traceBreakdown } from "./bench-trace.js";
import { keepAppendedSections } from "./lib/results-md.js";

const CHECK = process.argv.includes("--check");
const SIZES_ONLY = process.argv.includes("--sizes");
/** `--trace a,b` (or `--trace` alone: the ids that miss a target) prints where their gas goes and writes nothing. */
const traceAt = process.argv.indexOf("--trace");
const TRACE: string[] | "missed" | null =
  traceAt < 0
    ? null
    : process.argv[traceAt + 1] === undefined || process.argv[traceAt + 1].startsWith("--")
      ? "missed"
      : process.argv[traceAt + 1].split(",");
const RESULTS_JSON = new URL("../bench/results.json", import.meta.url);
const RESULTS_MD = new URL("../bench/RESULTS.md", import.meta.url);

/** The issue's targets, evaluated on every run (reported, never a failure of the check). */
export const TARGETS: Target[] = [
  { id: "tranche.transfer.existing", kind: "ratio", max: 1.45, aim: 1.3 },
  { id: "tranche.transfer.existing-unsettled", kind: "ratio", max: 1.75, aim: 1.5 },
  { id: "tranche.transfer.new", kind: "ratio", max: 1.3 },
  { id: "offering.requestDeposit.repeat", kind: "ratio", max: 1.2 },
  { id: "tranche.claim.repeat", kind: "max", gas: 55_000 },
  {
    id: "deal.distribute.tranches-4.holders-1000",
    kind: "within",
    of: "deal.distribute.tranches-4.holders-1",
    fraction: 0.005,
  },
  { id: "deal.distribute.tranches-4.holders-1000", kind: "max", gas: 300_000 },
  { id: "oracle.submit.signers-3", kind: "max", gas: 140_000 },
  { id: "factory.createDeal.tranches-4", kind: "max", gas: 2_000_000 },
  {
    id: "deal.distribute.tranches-4.tenant",
    kind: "added",
    over: "deal.distribute.tranches-4.holders-1",
    gas: 30_000,
  },
  {
    id: "deal.distribute.equity-3.tiers-4.holders-1",
    kind: "added",
    over: "deal.distribute.equity-1.holders-1",
    gas: 60_000,
  },
  {
    id: "deal.distribute.equity-3.tiers-4.holders-1000",
    kind: "within",
    of: "deal.distribute.equity-3.tiers-4.holders-1",
    fraction: 0.005,
  },
  {
    id: "deal.distribute.equity-3.tiers-4.capital",
    kind: "added",
    over: "deal.distribute.equity-1.capital",
    gas: 60_000,
  },
];

/** What each id measures; printed into RESULTS.md. Order = order of the table. */
const MEASUREMENTS: { id: string; reference: string | null; what: string }[] = [
  {
    id: "ref.erc20.transfer.existing",
    reference: null,
    what: "OZ ERC20 `transfer` between two holders that both already hold a balance (the sender keeps one).",
  },
  {
    id: "ref.erc20.transfer.new",
    reference: null,
    what: "OZ ERC20 `transfer` from a holder (who keeps a balance) to an address that never held the token.",
  },
  {
    id: "ref.erc4626.deposit.first",
    reference: null,
    what:
      "OZ ERC4626 `deposit(assets, receiver)` of 1 000 000 USDC, the account's first deposit into a vault that " +
      "already holds another depositor's assets. The depositor keeps a stablecoin balance and an allowance after it.",
  },
  {
    id: "ref.erc4626.deposit.repeat",
    reference: null,
    what: "The same account's second deposit of 1 000 000 USDC (its share balance is non-zero).",
  },
  {
    id: "tranche.transfer.existing",
    reference: "ref.erc20.transfer.existing",
    what:
      "Senior tranche token `transfer` between two registered, eligible holders that transferred to each other " +
      "after the last distribution: their checkpoints carry what they accrued, and each is carried again on the " +
      "new balance (no storage beyond the two account slots). The compliance check reads both wallets' registry " +
      "records (one view call) and the tranche's rules.",
  },
  {
    id: "tranche.transfer.existing-unsettled",
    reference: "ref.erc20.transfer.existing",
    what:
      "The first transfer between the same two holders after a distribution: both accounts have cash pending, " +
      "which each account's checkpoint carries on its new balance (no write to an accrued-cash slot).",
  },
  {
    id: "tranche.transfer.new",
    reference: "ref.erc20.transfer.new",
    what: "Senior tranche token `transfer` from a settled holder (who keeps a balance) to a fresh, registered address.",
  },
  {
    id: "tranche.transfer.new-capped",
    reference: "ref.erc20.transfer.new",
    what:
      "Mezzanine tranche token `transfer` to a fresh registered address, in a tranche that caps holders at 100 " +
      "identities: the transfer also counts the new holder.",
  },
  {
    id: "offering.requestDeposit.first",
    reference: "ref.erc4626.deposit.first",
    what:
      "Senior offering `requestDeposit(1 000 000 USDC)`, the controller's first request; another investor " +
      "requested before, so the totals are non-zero. Same balance and allowance situation as the ERC4626 deposit.",
  },
  {
    id: "offering.requestDeposit.repeat",
    reference: "ref.erc4626.deposit.repeat",
    what: "The same controller's second request of 1 000 000 USDC.",
  },
  {
    id: "offering.claim",
    reference: null,
    what:
      "After close, `deposit(assets, receiver)` claiming the controller's whole allocation (2 000 000 shares) to " +
      "itself; it holds no tranche tokens yet; another controller claimed before, a third has not (the offering " +
      "still holds shares after the claim).",
  },
  {
    id: "tranche.claim.first",
    reference: null,
    what:
      "Senior token `claim()` (to the caller) after the first distribution (period 0): the holder's first claim; it never " +
      "transferred, spent all its stablecoin subscribing (its stablecoin balance is zero) and other holders' cash " +
      "stays in the token.",
  },
  {
    id: "tranche.claim.repeat",
    reference: null,
    what: "The same holder's claim after the next distribution (period 1): every slot it touches is non-zero.",
  },
  {
    id: "oracle.submit.signers-1",
    reference: null,
    what:
      "`submitReport` with 1 EOA signature, for a deal with 5 reporters, quorum 1 and a report deadline of four " +
      "periods. Periods 0-3 have ended (none past its deadline); " +
      "period 0 was reported before; measured on period 1 (the previous period holds a pending report, the next " +
      "none). Submitted by an account that is not a reporter.",
  },
  {
    id: "oracle.submit.signers-3",
    reference: null,
    what: "The same with 3 signatures, on period 2 (period 1 pending before it).",
  },
  {
    id: "oracle.submit.signers-5",
    reference: null,
    what: "The same with 5 signatures, on period 3 (period 2 pending before it).",
  },
  {
    id: "deal.distribute.tranches-2.holders-1",
    reference: null,
    what: "`distribute(1)` of the 2-tranche deal (senior + equity), one holder per tranche. See the deals below.",
  },
  {
    id: "deal.distribute.tranches-4.holders-1",
    reference: null,
    what: "`distribute(1)` of the 4-tranche deal (senior, mezzanine, junior, equity), one holder per tranche.",
  },
  {
    id: "deal.distribute.tranches-4.holders-1000",
    reference: null,
    what:
      "The same deal with the senior tranche spread over 1 000 holders (999 transfers from its holder before " +
      "period 0).",
  },
  {
    id: "deal.distribute.tranches-8.holders-1",
    reference: null,
    what: "`distribute(1)` of the 8-tranche deal (7 notes + equity), one holder per tranche.",
  },
  {
    id: "deal.distribute.datacenter.tranches-4",
    reference: null,
    what:
      "`distribute(1)` of a data-center project deal with the 4 tranches: capacity in kWh of IT load (10 MW), land, a " +
      "30-year building and M&E plant as collateral marked to appraisals, the same covenants with occupancy in place " +
      "of utilization and a PUE cap (six triggers). Its report states energy, PUE and a new appraisal, which the " +
      "risk engine reads from the oracle and records (rewriting period 0's).",
  },
  {
    id: "deal.distribute.tranches-4.tenant",
    reference: null,
    what:
      "`distribute(1)` of the 4-tranche deal as a tenant of a data-center site deal (10 MW, 4 tranches, running, " +
      "its reserve funded): the rent, 5 % of the reported revenue + 10 USDC for each of its 2 048 GPUs, is paid " +
      "first and received by the site, which paid and counted rent before (period 0).",
  },
  {
    id: "deal.distribute.equity-1.holders-1",
    reference: null,
    what:
      "`distribute(1)` of the equity deal (senior note + one equity class of 1.5 M), one holder per tranche: the " +
      "residual goes to the equity token. See the equity deals below.",
  },
  {
    id: "deal.distribute.equity-3.tiers-4.holders-1",
    reference: null,
    what:
      "The same deal with its equity as three classes paid by an equity waterfall of four tiers (return of " +
      "capital, 8 % preferred return, full sponsor catch-up to 20 %, 80/20 split), measured at period 2, which pays " +
      "all three classes. Target: at most 60 000 gas above the one-class deal.",
  },
  {
    id: "deal.distribute.equity-3.tiers-4.holders-1000",
    reference: null,
    what: "The same with the LP common class spread over 1 000 holders (999 transfers from its holder before period 0).",
  },
  {
    id: "deal.distribute.equity-3.tiers-5.holders-1",
    reference: null,
    what:
      "The worked waterfall of the tests: return of capital, 8 % preferred return, full catch-up to 20 %, 80/20 " +
      "until the LP classes' IRR reaches 15 % (a hurdle balance per LP class), then 70/30; period 2, the hurdle " +
      "already met. Reported beside the four-tier target: what a hurdled split adds (its balances' slot, one more " +
      "tier, its statement row).",
  },
  {
    id: "deal.distribute.equity-1.capital",
    reference: null,
    what:
      "`distribute(1)` of the capital deal (the equity deals' senior note and one equity class of 12 M), one holder " +
      "per tranche.",
  },
  {
    id: "deal.distribute.equity-3.tiers-4.capital",
    reference: null,
    what:
      "The same deal with its 12 M of equity as the three classes and four tiers above, at period 1: it returns LP " +
      "capital (paying the two LP classes, as period 0 did) and accrues their preferred return; the tiers below need " +
      "nothing yet. Target: at most 60 000 gas above the one-class deal.",
  },
  {
    id: "factory.createDeal.tranches-4",
    reference: null,
    what:
      "`createDeal` of the 4-tranche term sheet (5 triggers, 2 fleet entries, 3 reporters), sent by its issuer; " +
      "the factory has created two deals before, so its deal list is non-empty.",
  },
  {
    id: "registry.registerInvestor",
    reference: null,
    what:
      "`InvestorRegistry.registerInvestor` of a fresh wallet by a compliance agent that registered another " +
      "investor before.",
  },
];

/** Runtime code size of every contract the protocol deploys, from the build artifacts. */
async function measureCodeSizes(): Promise<CodeSize[]> {
  return Promise.all(
    BYTECODE_CONTRACTS.map(async ([contract]) => {
      const { deployedBytecode } = await artifacts.readArtifact(contract);
      if (!/^0x([0-9a-fA-F]{2})+$/.test(deployedBytecode))
        throw new Error(`${contract}: no runtime bytecode in its artifact`);
      return { contract, bytes: (deployedBytecode.length - 2) / 2 };
    }),
  );
}
const codeSize = await measureCodeSizes();

if (SIZES_ONLY) {
  // The gas rows stay the committed ones; only the code sizes are measured and written.
  const committed = parseResults(readFileSync(RESULTS_JSON, "utf8")).results;
  console.log(codeSizeTable(codeSize));
  const c = checkCodeSizes(undefined, codeSize);
  for (const line of c.overLimit) console.error(`bench: CODE SIZE ${line}`);
  writeFileSync(RESULTS_JSON, formatResults(committed, codeSize));
  writeFileSync(
    RESULTS_MD,
    keepAppendedSections(markdown(committed, evaluateTargets(TARGETS, committed), codeSize)),
  );
  console.log("bench --sizes: wrote the code sizes to bench/results.json and bench/RESULTS.md");
  process.exit(c.ok ? 0 : 1);
}

const started = Date.now();
const { ethers, networkHelpers } = await network.create();
const { time } = networkHelpers;

/** The chain starts at this time (2100-01-01), so every term sheet, and so every calldata, is the same each run. */
const T0 = 4_102_444_800n;
await time.increaseTo(T0);

const signers = await ethers.getSigners();
const [admin, issuer, servicer, trustee, guardian] = signers;
const byAddress = <T extends { address: string }>(xs: T[]) =>
  [...xs].sort((a, b) => (BigInt(a.address) < BigInt(b.address) ? -1 : 1));
const reporters = byAddress([signers[5], signers[6], signers[7]]);
/** Investor i holds tranche i of every distribution deal (one holder per tranche). */
const investors = signers.slice(8, 16);
/** The user-deal senior investors: W (warm-up, claims), B (measured requests, offering claim, transfers), C, T. */
const [W, B, C, T] = signers.slice(16, 20);

const gasOf = new Map<string, number>();
const hashOf = new Map<string, string>();
async function measure(id: string, tx: Promise<ContractTransactionResponse>): Promise<void> {
  if (gasOf.has(id)) throw new Error(`${id} measured twice`);
  const receipt = await (await tx).wait();
  if (receipt === null || receipt.status !== 1) throw new Error(`${id}: transaction failed`);
  gasOf.set(id, Number(receipt.gasUsed));
  hashOf.set(id, receipt.hash);
}
function check(condition: boolean, what: string): void {
  if (!condition) throw new Error(`bench precondition failed: ${what}`);
}
/** A fixed address that never held anything (no key: it only receives). */
const fresh = (label: string) =>
  ethers.getAddress(ethers.id(`cascade-bench-${label}`).slice(0, 42));

// ------------------------------------------------------------ term sheets

const K = 1_000n * USDC;
const M = 1_000_000n * USDC;
const pct = (n: bigint) => (n * WAD) / 100n;
const OPENS = T0 + 3_600n;
const CLOSES = OPENS + 7n * DAY;
const START = CLOSES;

function entry(
  model: string,
  count: number,
  unitCost: bigint,
  unitResidual: bigint,
  years: number,
  method: DepreciationMethod,
  yearlyRate: bigint,
): FleetEntryInput {
  const bytes = Buffer.alloc(16);
  bytes.write(model);
  return {
    model: "0x" + bytes.toString("hex"),
    count,
    unitCost,
    unitResidual,
    acquiredAt: START,
    usefulLife: years * 365 * 86_400,
    method,
    yearlyRate,
    indexAtAcquisition: 0n,
  };
}

/** 256 H100 at 30 000 (straight line to 3 000 over 5 years) and 128 H200 at 40 000 (declining balance 30 %). */
const FLEET = [
  entry("H100-SXM5-80GB", 256, 30n * K, 3n * K, 5, DepreciationMethod.StraightLine, 0n),
  entry("H200-SXM-141GB", 128, 40n * K, 4n * K, 6, DepreciationMethod.DecliningBalance, pct(30n)),
];

const trig = (
  metric: RiskMetric,
  comparison: TriggerComparison,
  threshold: bigint,
  effect: TriggerEffect,
  periods: number,
): TriggerTermsInput => ({
  metric,
  comparison,
  effect,
  periods,
  cures: effect === TriggerEffect.CashTrap,
  threshold,
});

/** The covenants of examples/h100-fleet.json that apply without a price feed, five of its eight. */
const TRIGGERS = [
  trig(RiskMetric.Dscr, TriggerComparison.Below, pct(115n), TriggerEffect.CashTrap, 1),
  trig(RiskMetric.Dscr, TriggerComparison.Below, WAD, TriggerEffect.Accelerate, 2),
  trig(RiskMetric.Utilization, TriggerComparison.Below, pct(40n), TriggerEffect.CashTrap, 2),
  trig(RiskMetric.Ltv, TriggerComparison.Above, pct(80n), TriggerEffect.CashTrap, 1),
  trig(RiskMetric.MissedReport, TriggerComparison.Above, 0n, TriggerEffect.Accelerate, 2),
];

const amortizing = (start: number, periods: number) => ({
  scheduleType: PrincipalType.StraightLine,
  amortStartPeriod: start,
  amortPeriods: periods,
});
const linked = (name: string, face: bigint): TrancheTermsInput => ({
  ...fixedNote(name, face, 0n, amortizing(7, 3)),
  coupon: {
    couponType: CouponType.UtilizationLinked,
    baseRate: pct(11n),
    slope: pct(20n),
    strike: pct(75n),
    floorRate: pct(9n),
    capRate: pct(14n),
  },
});
/** The senior note funds 1 % of its raise into the reserve, as in the example. */
const senior = (face: bigint): TrancheTermsInput => ({
  ...fixedNote("Senior A", face, pct(8n), amortizing(0, 7)),
  reserveFundingBps: 100,
});

const TRANCHES: Record<2 | 4 | 8, TrancheTermsInput[]> = {
  2: [senior(8n * M), equity("Equity", 2n * M)],
  4: [
    senior(6n * M),
    linked("Mezzanine B", 2n * M),
    fixedNote("Junior C", 1n * M, pct(14n), amortizing(10, 2)),
    equity("Equity", 1n * M),
  ],
  8: [
    senior(4n * M),
    fixedNote("Senior A2", 1_500n * K, (85n * WAD) / 1000n),
    linked("Mezzanine B", 1n * M),
    fixedNote("Mezzanine B2", 800n * K, pct(11n)),
    fixedNote("Junior C", 700n * K, pct(12n)),
    fixedNote("Junior C2", 500n * K, pct(13n)),
    fixedNote("Junior D", 500n * K, pct(14n)),
    equity("Equity", 1n * M),
  ],
};

/** ISO 3166-1 numeric codes blocked in every tranche: North Korea, Iran, Syria, Cuba. */
const SANCTIONED = [408, 364, 760, 192];
const ACCREDITED = 1;
const QUALIFIED_PURCHASER = 2;
/** Every tranche is restricted: accredited investors or qualified purchasers, sanctioned countries blocked, a minimum
 * holding of 1 000 USDC of face; no holder cap and no holding period, so the measured transfers take the path
 * every compliant transfer takes (a holder cap adds the count's upkeep: see `tranche.transfer.new-capped`). */
function restricted(tr: TrancheTermsInput, maxHolders = 0): TrancheTermsInput {
  const blockedCountries: [bigint, bigint, bigint, bigint] = [0n, 0n, 0n, 0n];
  for (const c of SANCTIONED) blockedCountries[c >> 8] |= 1n << BigInt(c & 0xff);
  return {
    ...tr,
    transfer: {
      allowedClasses: ACCREDITED | QUALIFIED_PURCHASER,
      minHoldingPeriod: 0,
      maxHolders,
      minHolding: K,
      blockedCountries,
    },
  };
}

/** The equity deals: a 2 M senior note and 1.5 M of equity, as one class or as preferred equity, LP common and the
 * sponsor's promote (classes 0, 1, 2; the LP classes are 0 and 1). */
const EQUITY_SENIOR = senior(2n * M);
const EQUITY_TRANCHES: Record<1 | 3, TrancheTermsInput[]> = {
  1: [EQUITY_SENIOR, equity("Equity", 1_500n * K)],
  3: [
    EQUITY_SENIOR,
    equity("Preferred Equity", 300n * K),
    equity("LP Common", 1_100n * K),
    equity("Sponsor Promote", 100n * K),
  ],
};
/** The same notes with 12 M of equity: its capital takes ten periods to come back. */
const CAPITAL_TRANCHES: Record<1 | 3, TrancheTermsInput[]> = {
  1: [EQUITY_SENIOR, equity("Equity", 12n * M)],
  3: [
    EQUITY_SENIOR,
    equity("Preferred Equity", 4n * M),
    equity("LP Common", 7_900n * K),
    equity("Sponsor Promote", 100n * K),
  ],
};
const LP = 0b011;
const WATERFALLS: Record<4 | 5, EquityTermsInput> = {
  4: {
    sponsorClass: 2,
    tiers: [
      returnOfCapital(LP),
      preferredReturn(LP, pct(8n)),
      catchUp(LP, 10_000, 2_000),
      split(LP, 2_000),
    ],
  },
  5: {
    sponsorClass: 2,
    tiers: [
      returnOfCapital(LP),
      preferredReturn(LP, pct(8n)),
      catchUp(LP, 10_000, 2_000),
      split(LP, 2_000, pct(15n)),
      split(LP, 3_000),
    ],
  },
};

function termSheet(
  protocol: Protocol,
  tranches: TrancheTermsInput[],
  oracleReporters: string[] = reporters.map((r) => r.address),
  threshold = 2,
  reportDeadline = 10n * DAY,
  equityTerms: EquityTermsInput = NO_EQUITY_WATERFALL,
): TermSheetInput {
  return {
    stablecoin: protocol.stablecoin.target as string,
    issuer: issuer.address,
    servicer: servicer.address,
    trustee: trustee.address,
    guardian: guardian.address,
    registry: registry.target as string,
    offeringOpensAt: OPENS,
    offeringClosesAt: CLOSES,
    start: START,
    periodLength: PERIOD,
    periodCount: 12,
    pledgedShareBps: 8_500,
    servicerFeeBps: 150,
    trusteeFeePerPeriod: 5n * K,
    reserveTarget: 150n * K,
    keeperBounty: 25n * USDC,
    oracle: {
      reporters: oracleReporters,
      threshold,
      disputeWindow: 2n * DAY,
      reportDeadline,
      reporterChangeDelay: 3n * DAY,
      fleetGpus: 2_048n,
      maxPricePerGpuHour: 6n * USDC,
      maxUtilizationStep: pct(25n),
      unit: CapacityUnit.GpuHours,
    },
    risk: {
      trailingPeriods: 3,
      cleanUpBps: 1_000,
      turbo: false,
      waiverVotingPeriod: 7 * 86_400,
      priceFeed: { feed: ethers.ZeroAddress, decimals: 0, maxStaleness: 0 },
      triggers: TRIGGERS,
      fleet: FLEET,
      appraisalMaxAge: 0,
    },
    tranches: tranches.map((tr, i) => restricted(tr, i === 1 ? 100 : 0)),
    equity: equityTerms,
    site: NO_SITE,
  };
}

/** A 10 MW data center: land 3 M (at cost for ever), a building 8 M over 30 years, four M&E plant units over 15. */
const SITE_FLEET = [
  { ...entry("Land", 1, 3n * M, 3n * M, 0, DepreciationMethod.None, 0n), usefulLife: 0 },
  entry("Building", 1, 8n * M, 0n, 30, DepreciationMethod.StraightLine, 0n),
  entry("M&E plant", 4, 1n * M, 100n * K, 15, DepreciationMethod.StraightLine, 0n),
];
/** The data-center deal's IT capacity (kW) and what its reports say each period: 70 % occupancy at a PUE of 1.35. */
const SITE_KW = 10_000n;
const SITE_AVAILABLE = 7_000_000n;
const SITE_BILLED = 5_040_000n;
const SITE_PUE = 13_500n;

/** The 4-tranche deal as a data-center project: kWh capacity, the site's collateral marked to appraisals. */
function dataCenterTermSheet(protocol: Protocol): TermSheetInput {
  const t = termSheet(protocol, TRANCHES[4]);
  return {
    ...t,
    oracle: {
      ...t.oracle,
      unit: CapacityUnit.KilowattHours,
      fleetGpus: SITE_KW,
      maxPricePerGpuHour: USDC,
    },
    risk: {
      ...t.risk,
      triggers: [
        ...TRIGGERS.filter((x) => x.metric !== RiskMetric.Utilization),
        trig(RiskMetric.Occupancy, TriggerComparison.Below, pct(50n), TriggerEffect.CashTrap, 2),
        trig(RiskMetric.Pue, TriggerComparison.Above, pct(160n), TriggerEffect.CashTrap, 2),
      ],
      fleet: SITE_FLEET,
      appraisalMaxAge: 400 * 86_400,
    },
  };
}

// ------------------------------------------------------------ deployment

const protocol = await deployProtocol(ethers);
const { stablecoin, factory, oracle } = protocol;
const refToken = await ethers.deployContract("ReferenceERC20");
const refVault = await ethers.deployContract("ReferenceERC4626", [stablecoin.target]);
const registry = await ethers.deployContract("InvestorRegistry", [admin.address]);

async function mintApprove(who: HardhatEthersSigner, spender: string, amount: bigint) {
  await stablecoin.mint(who.address, amount);
  await stablecoin.connect(who).approve(spender, amount);
}

// ------------------------------------------------------------ OpenZeppelin references

{
  const [a, b] = [investors[0], investors[1]];
  await refToken.mint(a.address, 1_000n * USDC);
  await refToken.connect(a).transfer(b.address, 1n); // b holds a balance
  await measure("ref.erc20.transfer.existing", refToken.connect(a).transfer(b.address, 10n * USDC));
  await measure("ref.erc20.transfer.new", refToken.connect(a).transfer(fresh("erc20"), 10n * USDC));

  const [warm, depositor] = [investors[2], investors[3]];
  await mintApprove(warm, refVault.target as string, 1n * M);
  await refVault.connect(warm).deposit(1n * M, warm.address);
  // 3 M minted and approved, 2 M deposited: balance and allowance stay non-zero.
  await mintApprove(depositor, refVault.target as string, 3n * M);
  await measure(
    "ref.erc4626.deposit.first",
    refVault.connect(depositor).deposit(M, depositor.address),
  );
  await measure(
    "ref.erc4626.deposit.repeat",
    refVault.connect(depositor).deposit(M, depositor.address),
  );
}

// ------------------------------------------------------------ investor registry

const agent = signers[1];
const KYC_EXPIRY = T0 + 3n * 365n * DAY;
await registry.grantRole(await registry.COMPLIANCE_AGENT_ROLE(), agent.address);
{
  await registry.connect(agent).registerInvestor(fresh("kyc-warm"), KYC_EXPIRY, 840, 1);
  await measure(
    "registry.registerInvestor",
    registry.connect(agent).registerInvestor(fresh("kyc-measured"), KYC_EXPIRY, 826, 1),
  );
}
/** Registers `wallets` (US accredited investors), a hundred per transaction. */
async function register(wallets: string[]): Promise<void> {
  for (let i = 0; i < wallets.length; i += 100) {
    const batch = wallets.slice(i, i + 100).map((wallet) => ({
      wallet,
      kycExpiry: KYC_EXPIRY,
      country: 840,
      classes: ACCREDITED,
    }));
    await registry.connect(agent).batchRegister(batch);
  }
}
await register([...investors, W, B, C, T].map((x) => x.address));
await register(
  ["tranche", "tranche-capped", ...Array.from({ length: 999 }, (_, i) => `holder-${i}`)].map(fresh),
);

// ------------------------------------------------------------ deals

const oracleSigners = byAddress(
  Array.from({ length: 5 }, (_, i) => new ethers.Wallet(ethers.id(`cascade-bench-reporter-${i}`))),
);
const oracleDeal = await createDeal(
  ethers,
  protocol,
  termSheet(
    protocol,
    TRANCHES[4],
    oracleSigners.map((w) => w.address),
    1,
    // Periods 0-3 all take reports at the end of period 3 (a report is refused from its period's deadline on).
    4n * PERIOD,
  ),
);
const dist2 = await createDeal(ethers, protocol, termSheet(protocol, TRANCHES[2]));
{
  // The third deal of the factory; its handles are read from the event as createDeal does.
  const tx = factory.connect(issuer).createDeal(termSheet(protocol, TRANCHES[4]));
  await measure("factory.createDeal.tranches-4", tx);
}
const dist4 = await createDeal(ethers, protocol, termSheet(protocol, TRANCHES[4]));
const dist4many = await createDeal(ethers, protocol, termSheet(protocol, TRANCHES[4]));
const dist8 = await createDeal(ethers, protocol, termSheet(protocol, TRANCHES[8]));
const user = await createDeal(ethers, protocol, termSheet(protocol, TRANCHES[4]));
const dataCenter = await createDeal(ethers, protocol, dataCenterTermSheet(protocol));
/** A 10 MW data-center site and a GPU deal renting space and power in it. */
const site = await createDeal(ethers, protocol, siteTermSheet(termSheet(protocol, TRANCHES[4])));
const tenant = await createDeal(
  ethers,
  protocol,
  tenantTermSheet(termSheet(protocol, TRANCHES[4]), site.deal.target as string, 500, 10n * USDC),
);
const equityDeal = async (classes: 1 | 3, tiers?: 4 | 5, tranches = EQUITY_TRANCHES) =>
  createDeal(
    ethers,
    protocol,
    termSheet(
      protocol,
      tranches[classes],
      undefined,
      undefined,
      undefined,
      tiers === undefined ? NO_EQUITY_WATERFALL : WATERFALLS[tiers],
    ),
  );
const distEquity1 = await equityDeal(1);
const distEquity3 = await equityDeal(3, 4);
const distEquity3many = await equityDeal(3, 4);
const distEquity5 = await equityDeal(3, 5);
const distCapital1 = await equityDeal(1, undefined, CAPITAL_TRANCHES);
const distCapital3 = await equityDeal(3, 4, CAPITAL_TRANCHES);
/** Measured at period 1 (the capital deals: period 1 returns LP capital, as period 0 did). */
const noteDeals: [string, DealHandles][] = [
  ["deal.distribute.tranches-2.holders-1", dist2],
  ["deal.distribute.tranches-4.holders-1", dist4],
  ["deal.distribute.tranches-4.holders-1000", dist4many],
  ["deal.distribute.tranches-8.holders-1", dist8],
  ["deal.distribute.datacenter.tranches-4", dataCenter],
  ["deal.distribute.tranches-4.tenant", tenant],
  ["deal.distribute.equity-1.capital", distCapital1],
  ["deal.distribute.equity-3.tiers-4.capital", distCapital3],
];
/** Measured at period 2: period 1 is the first to pay every class (the sponsor's token receives its first cash). */
const equityDeals: [string, DealHandles][] = [
  ["deal.distribute.equity-1.holders-1", distEquity1],
  ["deal.distribute.equity-3.tiers-4.holders-1", distEquity3],
  ["deal.distribute.equity-3.tiers-4.holders-1000", distEquity3many],
  ["deal.distribute.equity-3.tiers-5.holders-1", distEquity5],
];
const distDeals = [...noteDeals, ...equityDeals];
/** Deals that run beside the measured ones. */
const beside: DealHandles[] = [site];
const running = [...distDeals.map(([, h]) => h), ...beside, user];

// ------------------------------------------------------------ offerings

await time.increaseTo(OPENS);
for (const h of [...distDeals.map(([, d]) => d), ...beside]) {
  for (let i = 0; i < h.offerings.length; i++) {
    const face = h.terms.tranches[i].faceAmount;
    await mintApprove(investors[i], h.offerings[i].target as string, face);
    await h.offerings[i].connect(investors[i]).requestDeposit(face, investors[i], investors[i]);
  }
}
{
  const o = user.offerings[0];
  const at = o.target as string;
  await mintApprove(W, at, 3n * M);
  await o.connect(W).requestDeposit(3n * M, W.address, W.address);
  await mintApprove(B, at, 3n * M);
  await measure(
    "offering.requestDeposit.first",
    o.connect(B).requestDeposit(M, B.address, B.address),
  );
  await measure(
    "offering.requestDeposit.repeat",
    o.connect(B).requestDeposit(M, B.address, B.address),
  );
  await mintApprove(C, at, M);
  await o.connect(C).requestDeposit(M, C.address, C.address);
  for (let i = 1; i < 4; i++) {
    const face = user.terms.tranches[i].faceAmount;
    await mintApprove(investors[i], user.offerings[i].target as string, face);
    await user.offerings[i].connect(investors[i]).requestDeposit(face, investors[i], investors[i]);
  }
}
check((await stablecoin.balanceOf(W.address)) === 0n, "W spent all its stablecoin subscribing");

await time.increaseTo(CLOSES);
for (const h of running) for (const o of h.offerings) await o.close();
for (const h of [...distDeals.map(([, d]) => d), ...beside]) {
  for (let i = 0; i < h.offerings.length; i++) {
    const face = h.terms.tranches[i].faceAmount;
    await h.offerings[i].connect(investors[i])["deposit(uint256,address)"](face, investors[i]);
  }
}
{
  const o = user.offerings[0];
  await o.connect(W)["deposit(uint256,address)"](3n * M, W.address);
  await measure("offering.claim", o.connect(B)["deposit(uint256,address)"](2n * M, B.address));
  // C leaves its shares in the offering.
  for (let i = 1; i < 4; i++) {
    const face = user.terms.tranches[i].faceAmount;
    await user.offerings[i].connect(investors[i])["deposit(uint256,address)"](face, investors[i]);
  }
}
for (const h of running)
  check((await h.deal.status()) === BigInt(DealStatus.Active), "deal active");

// 1 000 senior holders: 999 transfers from the holder, as test/TrancheToken.ts does.
{
  const s = dist4many.tokens[0].connect(investors[0]);
  for (let i = 0; i < 999; i++) await s.transfer(fresh(`holder-${i}`), K + BigInt(i));
}
// 1 000 holders of the LP common class (tranche 2) of the second waterfall deal.
{
  const s = distEquity3many.tokens[2].connect(investors[2]);
  for (let i = 0; i < 999; i++) await s.transfer(fresh(`holder-${i}`), K + BigInt(i));
}
// The user deal: T becomes a senior holder before period 0.
await user.tokens[0].connect(B).transfer(T.address, 100n * K);

// ------------------------------------------------------------ periods

const REVENUE = 2_000_000n * USDC;
const BILLED = 700_000n;
const AVAILABLE = 1_000_000n;

/** Reports (2 of 3 reporters), waits out the dispute window and deposits the period's collections in every deal. */
async function preparePeriod(period: bigint): Promise<void> {
  await time.increaseTo(START + (period + 1n) * PERIOD);
  for (const h of running) {
    // The data center bills kWh and states energy, PUE and an appraisal of its collateral (20 M, then 14 M).
    const report =
      h === dataCenter
        ? await buildReport(
            ethers,
            protocol,
            h.deal,
            period,
            REVENUE,
            SITE_BILLED,
            SITE_AVAILABLE,
            {
              energyKwh: (SITE_BILLED * SITE_PUE) / 10_000n,
              pue: SITE_PUE,
              appraisal: period === 0n ? 20n * M : 14n * M,
            },
          )
        : await buildReport(ethers, protocol, h.deal, period, REVENUE, BILLED, AVAILABLE);
    const { signers: by, signatures } = await signReport(
      ethers,
      oracle,
      report,
      reporters.slice(0, 2),
    );
    await oracle.submitReport(report, by, signatures);
  }
  await time.increase(2n * DAY);
  for (const h of running) {
    await mintApprove(servicer, h.deal.target as string, REVENUE);
    await h.deal.connect(servicer).depositCollections(REVENUE);
  }
}

await preparePeriod(0n);
for (const h of running) await h.deal.distribute(0n);

{
  const s = user.tokens[0];
  await measure("tranche.transfer.existing-unsettled", s.connect(B).transfer(T.address, 10n * K));
  await measure("tranche.transfer.existing", s.connect(B).transfer(T.address, 10n * K));
  await measure("tranche.transfer.new", s.connect(B).transfer(fresh("tranche"), 10n * K));
  // The mezzanine caps holders at 100: a new holder also updates the count.
  await measure(
    "tranche.transfer.new-capped",
    user.tokens[1].connect(investors[1]).transfer(fresh("tranche-capped"), 10n * K),
  );
  check(
    (await stablecoin.balanceOf(W.address)) === 0n,
    "W holds no stablecoin before its first claim",
  );
  await measure("tranche.claim.first", s.connect(W).claim());
}

await preparePeriod(1n);
for (const [id, h] of noteDeals) {
  await measure(id, h.deal.distribute(1n));
  check((await h.deal.status()) === BigInt(DealStatus.Active), `${id}: no covenant fired`);
  check((await h.deal.nextPeriod()) === 2n, `${id}: period 1 distributed`);
}
for (const [, h] of equityDeals) await h.deal.distribute(1n);
// Period 1 of each waterfall deal ran every tier: the LP capital came back and the sponsor (class 2, tranche 3) was
// caught up and paid its split.
const waterfalls = await Promise.all(
  [distEquity3, distEquity3many, distEquity5].map(async (h) =>
    ethers.getContractAt("EquityWaterfall", await h.tokens[1].distributor()),
  ),
);
for (const waterfall of waterfalls) {
  const [profit, sponsorProfit] = await waterfall.profit();
  check(profit > 0n && sponsorProfit * 5n >= profit, "waterfall period 1: the catch-up completed");
  const state = await waterfall.classState(0);
  check(state.returned === state.contributed, "waterfall period 1: LP capital returned");
}
await user.deal.distribute(1n);
await measure("tranche.claim.repeat", user.tokens[0].connect(W).claim());
check(
  (await stablecoin.balanceOf(user.tokens[0].target)) > 0n,
  "other holders' cash stays in the token",
);

// Period 2 of the equity deals: every class of the waterfall deals is paid (steady state: each token holds cash).
await preparePeriod(2n);
for (const [id, h] of equityDeals) {
  const before = await Promise.all(h.tokens.slice(1).map((t) => t.cashIndex()));
  await measure(id, h.deal.distribute(2n));
  check((await h.deal.status()) === BigInt(DealStatus.Active), `${id}: no covenant fired`);
  const after = await Promise.all(h.tokens.slice(1).map((t) => t.cashIndex()));
  check(
    after.every((index, j) => index > before[j]),
    `${id}: period 2 paid every equity class`,
  );
}

// ------------------------------------------------------------ oracle

{
  await time.increaseTo(START + 4n * PERIOD);
  const submitter = signers[19];
  const submit = async (period: bigint, count: number) => {
    const report = await buildReport(
      ethers,
      protocol,
      oracleDeal.deal,
      period,
      REVENUE,
      BILLED,
      AVAILABLE,
    );
    const { signers: by, signatures } = await signReport(
      ethers,
      oracle,
      report,
      oracleSigners.slice(0, count) as unknown as HardhatEthersSigner[],
    );
    return oracle.connect(submitter).submitReport(report, by, signatures);
  };
  await (await submit(0n, 1)).wait();
  await measure("oracle.submit.signers-1", submit(1n, 1));
  await measure("oracle.submit.signers-3", submit(2n, 3));
  await measure("oracle.submit.signers-5", submit(3n, 5));
}

// ------------------------------------------------------------ results

const results = withRatios(
  MEASUREMENTS.map((m) => {
    const gas = gasOf.get(m.id);
    if (gas === undefined) throw new Error(`${m.id} was not measured`);
    return { id: m.id, gas, reference: m.reference };
  }),
);
check(gasOf.size === results.length, "every measurement is described in MEASUREMENTS");
const outcomes = evaluateTargets(TARGETS, results);
const seconds = ((Date.now() - started) / 1000).toFixed(1);

console.log(resultsTable(results));
console.log();
console.log(targetsTable(outcomes));
console.log();
console.log(codeSizeTable(codeSize));
console.log();

if (TRACE !== null) {
  const ids =
    TRACE === "missed"
      ? [...new Set(outcomes.filter((o) => !o.pass).map((o) => o.target.id))]
      : TRACE;
  const names = await addressNames();
  for (const id of ids) {
    const hash = hashOf.get(id);
    if (hash === undefined) throw new Error(`--trace: unknown id ${id}`);
    console.log(`${id}\n${await traceBreakdown(ethers.provider, hash, names)}\n`);
  }
} else if (CHECK) {
  const file = parseResults(readFileSync(RESULTS_JSON, "utf8"));
  const c = compareResults(file.results, results);
  for (const line of c.added) console.log(`bench: new id ${line}`);
  for (const line of c.improved)
    console.log(`bench: improved ${line} (commit bench/results.json to keep it)`);
  for (const line of c.failures) console.error(`bench: REGRESSION ${line}`);
  const sizes = checkCodeSizes(file.codeSize, codeSize);
  for (const line of sizes.added) console.log(`bench: code size ${line}`);
  for (const line of sizes.grown) console.log(`bench: code size grew ${line}`);
  for (const line of sizes.shrunk)
    console.log(`bench: code size shrank ${line} (commit bench/results.json to record it)`);
  for (const line of sizes.overLimit) console.error(`bench: CODE SIZE ${line}`);
  const problems = [
    ...(c.ok ? [] : [`${c.failures.length} regression(s)`]),
    ...(sizes.ok ? [] : [`${sizes.overLimit.length} contract(s) above the code-size limit`]),
  ];
  console.log(
    `bench --check: ${problems.length === 0 ? "ok" : problems.join(", ")} against bench/results.json ` +
      `(${results.length} ids, ${codeSize.length} contracts, ${seconds} s)`,
  );
  if (problems.length !== 0) process.exitCode = 1;
} else {
  writeFileSync(RESULTS_JSON, formatResults(results, codeSize));
  writeFileSync(RESULTS_MD, keepAppendedSections(markdown(results, outcomes, codeSize)));
  console.log(`bench: wrote bench/results.json and bench/RESULTS.md (${seconds} s)`);
}

/** Labels for the addresses a trace meets. */
async function addressNames(): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  const set = (a: unknown, label: string) => names.set(String(a).toLowerCase(), label);
  set(stablecoin.target, "stablecoin");
  set(oracle.target, "UtilizationOracle");
  set(factory.target, "DealFactory");
  set(refToken.target, "ReferenceERC20");
  set(refVault.target, "ReferenceERC4626");
  set(registry.target, "InvestorRegistry");
  set(await factory.dealImplementation(), "Deal impl");
  set(await factory.tokenImplementation(), "TrancheToken impl");
  set(await factory.offeringImplementation(), "Offering impl");
  set(await factory.riskEngineImplementation(), "RiskEngine impl");
  set("0x0000000000000000000000000000000000000001", "ecrecover");
  set("0x0000000000000000000000000000000000000004", "identity");
  for (const [label, h] of [
    ["oracle deal", oracleDeal],
    ["user deal", user],
    ...distDeals,
  ] as const) {
    const tag = label.replace("deal.distribute.", "");
    set(h.deal.target, `Deal(${tag})`);
    set(await h.deal.riskEngine(), `RiskEngine(${tag})`);
    if (h.tokens.length > 2) {
      const distributor = await h.tokens[h.tokens.length - 1].distributor();
      if (distributor !== h.deal.target) set(distributor, `EquityWaterfall(${tag})`);
    }
    h.tokens.forEach((t, i) => set(t.target, `TrancheToken ${i}(${tag})`));
    h.offerings.forEach((o, i) => set(o.target, `Offering ${i}(${tag})`));
  }
  return names;
}

function markdown(
  results: BenchResult[],
  outcomes: TargetOutcome[],
  codeSize: readonly CodeSize[],
): string {
  return `# Gas benchmark

Generated by \`npm run bench\` (\`scripts/bench.ts\`); do not edit by hand. \`npm test\` runs
\`npm run bench:check\`, which measures the same operations again and fails if an id's gas rises more than 1 %
above [\`results.json\`](results.json) or an id disappears. A deliberate change commits the regenerated files in the
same commit. \`npm run bench -- --trace [id,...]\` prints where an id's gas goes (storage writes fresh or
rewritten, cold reads, events, calls, per call frame); see [BREAKDOWN.md](BREAKDOWN.md) for the missed targets.

Every number is the \`gasUsed\` of the operation's own transaction receipt (21 000 intrinsic gas and calldata
included) on Hardhat's in-process network (EDR, cancun), solc 0.8.37 with the project's optimizer settings. The
references are a plain OpenZeppelin 5 ERC20 (\`contracts/mocks/ReferenceERC20.sol\`) and ERC4626
(\`contracts/mocks/ReferenceERC4626.sol\`) deployed in the same run over the same 6-decimals stablecoin
(\`MockStablecoin\`, an OpenZeppelin ERC20Permit).

## Results

${resultsTable(results)}

## Targets

${targetsTable(outcomes)}

## Code size

The runtime bytecode of every contract the protocol deploys (the artifact's \`deployedBytecode\`; the deal, token,
offering and risk-engine implementations are what the factory's clones delegate to, and the deal and the token
delegate their cold functions to \`DealExtension\` and \`TrancheTokenExtension\`), against EIP-170's limit of 24 576
bytes. \`npm run bench:check\`
fails if one is above it and reports any change against [\`results.json\`](results.json).

${codeSizeTable(codeSize)}

## What each id measures

${MEASUREMENTS.map((m) => `- \`${m.id}\`: ${m.what}`).join("\n")}

## The deals

Every deal is a 12-period monthly deal (30-day periods) on the 6-decimals stablecoin, created from the same term
sheet apart from its tranches: 85 % of revenue pledged, servicer fee 1.5 % of cash, trustee fee 5 000 a period,
keeper bounty 25, reserve target 150 000 (1 % of the senior raise funds it at close, period 0 tops it up, so period
1 neither tops it up nor releases it), reporters 2 of 3 (the oracle deal: quorum 1 of 5), dispute window 2 days.

- Risk terms, like \`examples/h100-fleet.json\` without a price feed: five triggers — DSCR below 1.15× (cash trap),
  DSCR below 1.00× two periods running (accelerate), utilization below 40 % two periods running (cash trap), LTV
  above 80 % (cash trap), two missed reports (accelerate); a fleet of two entries (256 H100 at 30 000, straight line
  to 3 000 over 5 years; 128 H200 at 40 000, declining balance 30 % a year to 4 000 over 6 years; 12.8 M at cost);
  trailing DSCR over 3 periods, clean-up at 10 %.
- 2 tranches: senior 8 M at 8 % straight-line over periods 0-6, equity 2 M.
- 4 tranches: senior 6 M at 8 % straight-line over periods 0-6, mezzanine 2 M utilization-linked (11 % + 0.2 ×
  (U − 75 %), floor 9 %, cap 14 %) straight-line over periods 7-9, junior 1 M at 14 % over periods 10-11, equity 1 M.
- 8 tranches: senior 4 M at 8 % straight-line over periods 0-6, then 1.5 M at 8.5 %, 1 M utilization-linked, 0.8 M
  at 11 %, 0.7 M at 12 %, 0.5 M at 13 %, 0.5 M at 14 % (bullets), equity 1 M.
- Each period: a final report of 700 000 of 1 000 000 GPU-hours billed (70 % utilization) and 2 000 000 revenue,
  and 2 000 000 of collections deposited, so the period's cash is 1 700 000. The measured distribution is
  **period 1**, after period 0 ran: interest on every note, the senior's scheduled principal, fees credited to the
  trustee and the servicer (withdrawn by them, not paid by the distribution), the bounty, the residual to equity;
  no trigger fires (the deal stays Active). The keeper and every tranche token already hold stablecoin from period
  0, fees are already owed from period 0, and nobody has claimed from the measured deals.
- The equity deals (\`deal.distribute.equity-*\`): a senior note of 2 M at 8 % straight-line over periods 0-6 and
  1.5 M of equity, either one class or three: preferred equity 300 000, LP common 1.1 M (the LP classes) and the
  sponsor's promote 100 000, paid by an equity waterfall of four tiers (return of the LP classes' capital, 8 %
  preferred return on it, full catch-up of the sponsor to 20 % of the profit, then 80/20) or of five (the same with
  80/20 only until the LP classes' IRR reaches 15 %, then 70/30). Period 0 returns most of the LP capital; period 1
  returns the rest, pays the preferred return, catches the sponsor up and splits the remainder; the measured period
  2 finds the capital back, the preferred return paid and the sponsor caught up (each class's token holds cash): it
  accrues, checks every tier and splits its residual among all three classes. The one-class deal is measured at the
  same period. The capital deals (\`deal.distribute.equity-*.capital\`) have the same note and 12 M of equity (4 M,
  7.9 M, 100 000 as three classes): their capital takes ten periods to come back, and the measured period 1 is one
  of those.
- The user-facing token measurements (transfers, claims, the offering) run on a separate 4-tranche deal of the same
  terms, so they do not change the distribution deals.
- The tenant is the 4-tranche deal as a tenant of a data-center site (the same term sheet with its capacity in
  kilowatt-hours of IT load, 10 000 kW, also distributed each period): it pays its site 5 % of the reported revenue
  plus 10 USDC for each of its 2 048 GPUs (120 480 a period), first, out of the period's cash. Its distribution less
  that of the 4-tranche deal is what the rent step costs: the site's rent terms read, the arrears slot, the transfer
  to the site and the site's receipt (its tenant check, status and rent totals, \`RentReceived\`).
`;
}
