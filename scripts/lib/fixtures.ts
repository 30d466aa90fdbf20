import { ZeroAddress } from "ethers";
import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { NetworkHelpers } from "@nomicfoundation/hardhat-network-helpers/types";

import type { InterfaceAbi } from "ethers";

import { dealAbi } from "../../sdk/generated/abis.js";
import type {
  IDeal,
  DealFactory,
  MockStablecoin,
  Offering,
  ITrancheToken,
  UtilizationOracle,
} from "../../types/ethers-contracts/index.js";

export const WAD = 10n ** 18n;
export const DAY = 86_400n;
export const PERIOD = 30n * DAY;
export const USDC = 10n ** 6n;

export enum TrancheKind {
  Note = 0,
  Equity = 1,
}
export enum CouponType {
  Fixed = 0,
  UtilizationLinked = 1,
}
export enum PrincipalType {
  Bullet = 0,
  StraightLine = 1,
}
export enum DealStatus {
  Offering = 0,
  Active = 1,
  CashTrap = 2,
  Accelerated = 3,
  Repaid = 4,
  Defaulted = 5,
  Cancelled = 6,
}
export enum RiskMetric {
  Dscr = 0,
  TrailingDscr = 1,
  Utilization = 2,
  Ltv = 3,
  SeniorCurve = 4,
  ReserveLevel = 5,
  ServicerShortfall = 6,
  MissedReport = 7,
  Occupancy = 8,
  Pue = 9,
}
export enum TriggerComparison {
  Below = 0,
  Above = 1,
}
export enum TriggerEffect {
  CashTrap = 0,
  Accelerate = 1,
}
export enum DepreciationMethod {
  StraightLine = 0,
  DecliningBalance = 1,
  /** Land: valued at cost for ever. */
  None = 2,
}

export enum CapacityUnit {
  GpuHours = 0,
  KilowattHours = 1,
}

export enum EquityTier {
  ReturnOfCapital = 0,
  PreferredReturn = 1,
  CatchUp = 2,
  Split = 3,
}

export interface EquityTierInput {
  kind: EquityTier;
  classes: number;
  byRank: boolean;
  compounding: boolean;
  sponsorBps: number;
  targetBps: number;
  rate: bigint;
}

export interface EquityTermsInput {
  sponsorClass: number;
  tiers: EquityTierInput[];
}

export interface SiteTermsInput {
  site: string;
  rentBps: number;
  rentPerUnit: bigint;
}

/** One equity class taking the residual: no equity waterfall. */
export const NO_EQUITY_WATERFALL: EquityTermsInput = { sponsorClass: 0, tiers: [] };

const NO_TIER = { byRank: false, compounding: false, sponsorBps: 0, targetBps: 0, rate: 0n };

/** Return of capital to the equity classes of `classes` (a bitmask), pro rata (or in rank order). */
export function returnOfCapital(classes: number, byRank = false): EquityTierInput {
  return { ...NO_TIER, kind: EquityTier.ReturnOfCapital, classes, byRank };
}

/** Preferred return at `rate` (WAD a year) to `classes`, simple or compounding. */
export function preferredReturn(
  classes: number,
  rate: bigint,
  compounding = false,
  byRank = false,
): EquityTierInput {
  return { ...NO_TIER, kind: EquityTier.PreferredReturn, classes, rate, compounding, byRank };
}

/** Sponsor catch-up: `sponsorBps` of the tier to the sponsor (the rest to `classes`) until it holds `targetBps`. */
export function catchUp(classes: number, sponsorBps: number, targetBps: number): EquityTierInput {
  return { ...NO_TIER, kind: EquityTier.CatchUp, classes, sponsorBps, targetBps };
}

/** A split: `sponsorBps` to the sponsor, the rest to `classes`, until their IRR reaches `hurdle` (0: the last tier). */
export function split(classes: number, sponsorBps: number, hurdle = 0n): EquityTierInput {
  return { ...NO_TIER, kind: EquityTier.Split, classes, sponsorBps, rate: hurdle };
}

/** No site: the deal pays no rent on chain. */
export const NO_SITE: SiteTermsInput = {
  site: "0x0000000000000000000000000000000000000000",
  rentBps: 0,
  rentPerUnit: 0n,
};

export interface TriggerTermsInput {
  metric: RiskMetric;
  comparison: TriggerComparison;
  effect: TriggerEffect;
  periods: number;
  cures: boolean;
  threshold: bigint;
}

export interface FleetEntryInput {
  model: string;
  count: number;
  unitCost: bigint;
  unitResidual: bigint;
  acquiredAt: bigint;
  usefulLife: number;
  method: DepreciationMethod;
  yearlyRate: bigint;
  indexAtAcquisition: bigint;
}

export interface RiskTermsInput {
  trailingPeriods: number;
  cleanUpBps: number;
  turbo: boolean;
  waiverVotingPeriod: number;
  priceFeed: { feed: string; decimals: number; maxStaleness: number };
  triggers: TriggerTermsInput[];
  fleet: FleetEntryInput[];
  appraisalMaxAge: number;
}

/** Risk terms with no covenants, no fleet and no price feed: the deal always runs in the normal order. */
export const NO_RISK: RiskTermsInput = {
  trailingPeriods: 3,
  cleanUpBps: 0,
  turbo: false,
  waiverVotingPeriod: 7 * 86_400,
  priceFeed: { feed: "0x0000000000000000000000000000000000000000", decimals: 0, maxStaleness: 0 },
  triggers: [],
  fleet: [],
  appraisalMaxAge: 0,
};

export interface TrancheTermsInput {
  name: string;
  symbol: string;
  kind: TrancheKind;
  faceAmount: bigint;
  minRaise: bigint;
  minTicket: bigint;
  reserveFundingBps: number;
  coupon: {
    couponType: CouponType;
    baseRate: bigint;
    slope: bigint;
    strike: bigint;
    floorRate: bigint;
    capRate: bigint;
  };
  principal: { scheduleType: PrincipalType; amortStartPeriod: number; amortPeriods: number };
  transfer: TransferRulesInput;
}

/** A tranche's transfer rules (`TransferRules.Rules`). */
export interface TransferRulesInput {
  allowedClasses: number;
  minHoldingPeriod: number;
  maxHolders: number;
  minHolding: bigint;
  blockedCountries: [bigint, bigint, bigint, bigint];
}

/** No transfer rules: what a tranche of a deal without an investor registry must have. */
export const NO_TRANSFER_RULES: TransferRulesInput = {
  allowedClasses: 0,
  minHoldingPeriod: 0,
  maxHolders: 0,
  minHolding: 0n,
  blockedCountries: [0n, 0n, 0n, 0n],
};

export interface TermSheetInput {
  stablecoin: string;
  issuer: string;
  servicer: string;
  trustee: string;
  guardian: string;
  registry: string;
  offeringOpensAt: bigint;
  offeringClosesAt: bigint;
  start: bigint;
  periodLength: bigint;
  periodCount: number;
  pledgedShareBps: number;
  servicerFeeBps: number;
  trusteeFeePerPeriod: bigint;
  reserveTarget: bigint;
  keeperBounty: bigint;
  oracle: OracleTermsInput;
  risk: RiskTermsInput;
  tranches: TrancheTermsInput[];
  equity: EquityTermsInput;
  site: SiteTermsInput;
}

export interface OracleTermsInput {
  reporters: string[];
  threshold: number;
  disputeWindow: bigint;
  reportDeadline: bigint;
  reporterChangeDelay: bigint;
  fleetGpus: bigint;
  maxPricePerGpuHour: bigint;
  maxUtilizationStep: bigint;
  unit: CapacityUnit;
}

/** Dispute window of the standard term sheet. */
export const DISPUTE_WINDOW = 2n * DAY;

export const NO_COUPON = {
  couponType: CouponType.Fixed,
  baseRate: 0n,
  slope: 0n,
  strike: 0n,
  floorRate: 0n,
  capRate: 0n,
};
export const NO_PRINCIPAL = {
  scheduleType: PrincipalType.Bullet,
  amortStartPeriod: 0,
  amortPeriods: 0,
};

export function fixedNote(
  name: string,
  face: bigint,
  rate: bigint,
  principal = NO_PRINCIPAL,
): TrancheTermsInput {
  return {
    name,
    symbol: name.toUpperCase().slice(0, 8),
    kind: TrancheKind.Note,
    faceAmount: face,
    minRaise: USDC,
    minTicket: USDC,
    reserveFundingBps: 0,
    coupon: { ...NO_COUPON, baseRate: rate },
    principal,
    transfer: NO_TRANSFER_RULES,
  };
}

export function equity(name: string, face: bigint): TrancheTermsInput {
  return {
    name,
    symbol: name.toUpperCase().slice(0, 8),
    kind: TrancheKind.Equity,
    faceAmount: face,
    minRaise: USDC,
    minTicket: USDC,
    reserveFundingBps: 0,
    coupon: NO_COUPON,
    principal: NO_PRINCIPAL,
    transfer: NO_TRANSFER_RULES,
  };
}

export interface Protocol {
  stablecoin: MockStablecoin;
  oracle: UtilizationOracle;
  factory: DealFactory;
  admin: HardhatEthersSigner;
}

/**
 * Deploys the implementations, the oracle (registrar role to the factory) and the factory, over a fresh 6-decimals
 * (or `decimals`) stablecoin: `MockStablecoin`, or with `coin` "BlocklistStablecoin" a USDC-like coin that blocklists
 * accounts and pauses (the same mint; typed as the mock).
 */
export async function deployProtocol(
  ethers: HardhatEthers,
  decimals = 6,
  coin: "MockStablecoin" | "BlocklistStablecoin" = "MockStablecoin",
): Promise<Protocol> {
  const [admin] = await ethers.getSigners();
  const stablecoin = (await ethers.deployContract(coin, [
    "USD Coin",
    "USDC",
    decimals,
  ])) as unknown as MockStablecoin;
  const oracle = await ethers.deployContract("UtilizationOracle", [admin.address]);
  // The deal's implementation delegates what it does not run itself to the extension.
  const dealExtension = await ethers.deployContract("DealExtension");
  const dealImpl = await ethers.deployContract("Deal", [await dealExtension.getAddress()]);
  const tokenExtension = await ethers.deployContract("TrancheTokenExtension");
  const tokenImpl = await ethers.deployContract("TrancheToken", [
    await tokenExtension.getAddress(),
  ]);
  const offeringImpl = await ethers.deployContract("Offering");
  const riskImpl = await ethers.deployContract("RiskEngine");
  const waterfallImpl = await ethers.deployContract("EquityWaterfall");
  const factory = await ethers.deployContract("DealFactory", [
    await dealImpl.getAddress(),
    await tokenImpl.getAddress(),
    await offeringImpl.getAddress(),
    await riskImpl.getAddress(),
    await waterfallImpl.getAddress(),
    await oracle.getAddress(),
  ]);
  await oracle.grantRole(await oracle.REGISTRAR_ROLE(), await factory.getAddress());
  return { stablecoin, oracle, factory, admin };
}

export interface Roles {
  issuer: HardhatEthersSigner;
  servicer: HardhatEthersSigner;
  trustee: HardhatEthersSigner;
  guardian: HardhatEthersSigner;
  reporters: HardhatEthersSigner[];
  investors: HardhatEthersSigner[];
}

export async function roles(ethers: HardhatEthers): Promise<Roles> {
  const s = await ethers.getSigners();
  const reporters = [s[5], s[6], s[7]].sort((a, b) =>
    BigInt(a.address) < BigInt(b.address) ? -1 : 1,
  );
  return {
    issuer: s[1],
    servicer: s[2],
    trustee: s[3],
    guardian: s[4],
    reporters,
    investors: s.slice(8, 16),
  };
}

/**
 * A 12-period monthly deal: senior 6 M at 8 % straight-line from period 3 over 9 periods,
 * mezzanine 2 M utilization-linked, junior 1 M bullet at 14 %, equity 1 M.
 */
export async function standardTermSheet(
  networkHelpers: NetworkHelpers,
  protocol: Protocol,
  r: Roles,
  overrides: Partial<TermSheetInput> = {},
): Promise<TermSheetInput> {
  const now = BigInt(await networkHelpers.time.latest());
  const opens = now + 60n;
  const closes = opens + 7n * DAY;
  return {
    stablecoin: await protocol.stablecoin.getAddress(),
    issuer: r.issuer.address,
    servicer: r.servicer.address,
    trustee: r.trustee.address,
    guardian: r.guardian.address,
    registry: ZeroAddress,
    offeringOpensAt: opens,
    offeringClosesAt: closes,
    start: closes,
    periodLength: PERIOD,
    periodCount: 12,
    pledgedShareBps: 10_000,
    servicerFeeBps: 100,
    trusteeFeePerPeriod: 2_000n * USDC,
    reserveTarget: 150_000n * USDC,
    keeperBounty: 50n * USDC,
    oracle: {
      reporters: r.reporters.map((x) => x.address),
      threshold: 2,
      disputeWindow: DISPUTE_WINDOW,
      reportDeadline: 10n * DAY,
      reporterChangeDelay: 3n * DAY,
      fleetGpus: 2_048n,
      maxPricePerGpuHour: 10n * USDC,
      maxUtilizationStep: (40n * WAD) / 100n,
      unit: CapacityUnit.GpuHours,
    },
    risk: NO_RISK,
    tranches: [
      fixedNote("Senior", 6_000_000n * USDC, (8n * WAD) / 100n, {
        scheduleType: PrincipalType.StraightLine,
        amortStartPeriod: 3,
        amortPeriods: 9,
      }),
      {
        ...fixedNote("Mezzanine", 2_000_000n * USDC, 0n),
        coupon: {
          couponType: CouponType.UtilizationLinked,
          baseRate: (11n * WAD) / 100n,
          slope: (20n * WAD) / 100n,
          strike: (70n * WAD) / 100n,
          floorRate: (8n * WAD) / 100n,
          capRate: (15n * WAD) / 100n,
        },
      },
      fixedNote("Junior", 1_000_000n * USDC, (14n * WAD) / 100n),
      equity("Equity", 1_000_000n * USDC),
    ],
    equity: NO_EQUITY_WATERFALL,
    site: NO_SITE,
    ...overrides,
  };
}

export interface DealHandles {
  deal: IDeal;
  tokens: ITrancheToken[];
  offerings: Offering[];
  terms: TermSheetInput;
}

/** The factory connected to the signer of `terms.issuer`, the only account that may call `createDeal` for them. */
export async function factoryAsIssuer(
  ethers: HardhatEthers,
  protocol: Protocol,
  terms: TermSheetInput,
): Promise<DealFactory> {
  return protocol.factory.connect(await ethers.getSigner(terms.issuer));
}

/**
 * The deal at `address`, typed as {@link IDeal} (its whole interface) and called through the SDK's ABI of a deal
 * (`Deal` and `DealExtension` merged): its roles, pause and library errors are there too, for `revertedWithCustomError`
 * and `emit` on `Paused` or `AccessControlUnauthorizedAccount`.
 */
export async function dealAt(ethers: HardhatEthers, address: string): Promise<IDeal> {
  return (await ethers.getContractAt(dealAbi as unknown as InterfaceAbi, address)) as unknown as IDeal;
}

/** Creates the deal of `terms`, sent by its issuer. */
export async function createDeal(
  ethers: HardhatEthers,
  protocol: Protocol,
  terms: TermSheetInput,
): Promise<DealHandles> {
  const factory = await factoryAsIssuer(ethers, protocol, terms);
  const tx = await factory.createDeal(terms);
  const receipt = await tx.wait();
  const log = receipt!.logs
    .map((l) => {
      try {
        return protocol.factory.interface.parseLog(l);
      } catch {
        return null;
      }
    })
    .find((l) => l?.name === "DealCreated");
  const deal = await dealAt(ethers, log!.args.deal as string);
  const tokens = await Promise.all(
    (log!.args.tokens as string[]).map((a) => ethers.getContractAt("ITrancheToken", a)),
  );
  const offerings = await Promise.all(
    (log!.args.offerings as string[]).map((a) => ethers.getContractAt("Offering", a)),
  );
  return { deal, tokens, offerings, terms };
}

/** Mints `amount` to `investor`, approves and requests a deposit into `offering`. */
export async function subscribe(
  protocol: Protocol,
  offering: Offering,
  investor: HardhatEthersSigner,
  amount: bigint,
): Promise<void> {
  await protocol.stablecoin.mint(investor.address, amount);
  await protocol.stablecoin.connect(investor).approve(await offering.getAddress(), amount);
  await offering.connect(investor).requestDeposit(amount, investor.address, investor.address);
}

export interface ReportInput {
  chainId: bigint;
  oracle: string;
  deal: string;
  period: bigint;
  round: bigint;
  reporterSet: bigint;
  gpuHoursAvailable: bigint;
  gpuHoursBilled: bigint;
  revenue: bigint;
  /** Facility energy drawn in the period, kWh (0: not reported). */
  energyKwh: bigint;
  /** Facility energy / IT energy × 10 000 (0: not reported). */
  pue: bigint;
  /** Appraisal of the deal's collateral, stablecoin units (0: none). */
  appraisal: bigint;
  reportHash: string;
}

/** A report's facility figures: energy (kWh), PUE (× 10 000) and appraisal (stablecoin units); zero: not reported. */
export type FacilityFigures = Partial<Pick<ReportInput, "energyKwh" | "pue" | "appraisal">>;

/** PUE scale of a report (`UtilizationOracle.PUE_SCALE`): 13 500 is a PUE of 1.35. */
export const PUE_SCALE = 10_000n;

/** EIP-712 signatures of `signers` (sorted ascending by address, as the oracle requires). */
export async function signReport(
  ethers: HardhatEthers,
  oracle: UtilizationOracle,
  report: ReportInput,
  signers: HardhatEthersSigner[],
): Promise<{ signers: string[]; signatures: string[] }> {
  const { chainId } = await ethers.provider.getNetwork();
  const domain = {
    name: "Cascade Utilization Oracle",
    version: "1",
    chainId,
    verifyingContract: await oracle.getAddress(),
  };
  const types = {
    Report: [
      { name: "chainId", type: "uint256" },
      { name: "oracle", type: "address" },
      { name: "deal", type: "address" },
      { name: "period", type: "uint64" },
      { name: "round", type: "uint32" },
      { name: "reporterSet", type: "uint64" },
      { name: "gpuHoursAvailable", type: "uint64" },
      { name: "gpuHoursBilled", type: "uint64" },
      { name: "revenue", type: "uint128" },
      { name: "energyKwh", type: "uint64" },
      { name: "pue", type: "uint16" },
      { name: "appraisal", type: "uint128" },
      { name: "reportHash", type: "bytes32" },
    ],
  };
  const sorted = [...signers].sort((a, b) => (BigInt(a.address) < BigInt(b.address) ? -1 : 1));
  const signatures = await Promise.all(sorted.map((s) => s.signTypedData(domain, types, report)));
  return { signers: sorted.map((s) => s.address), signatures };
}

/**
 * The report of `period` as reporters would sign it now (current round and reporter set); `facility` sets its energy,
 * PUE and appraisal (zero by default: not reported; a data-center deal billing any kWh states a PUE of 1.30).
 */
export async function buildReport(
  ethers: HardhatEthers,
  protocol: Protocol,
  deal: IDeal,
  period: bigint,
  revenue: bigint,
  billed = 700_000n,
  available = 1_000_000n,
  facility: FacilityFigures = {},
): Promise<ReportInput> {
  const dealAddress = await deal.getAddress();
  const { chainId } = await ethers.provider.getNetwork();
  const stored = await protocol.oracle.getReport(dealAddress, period);
  // A data-center deal that bills any capacity must state its facility's energy and PUE: 1.30 unless given.
  if (
    facility.pue === undefined &&
    billed > 0n &&
    (await protocol.oracle.terms(dealAddress)).unit === BigInt(CapacityUnit.KilowattHours)
  ) {
    facility = { ...facility, energyKwh: (billed * 13n) / 10n, pue: 13_000n };
  }
  return {
    chainId,
    oracle: await protocol.oracle.getAddress(),
    deal: dealAddress,
    period,
    round: stored.round,
    reporterSet: await protocol.oracle.reporterSet(dealAddress),
    gpuHoursAvailable: available,
    gpuHoursBilled: billed,
    revenue,
    energyKwh: facility.energyKwh ?? 0n,
    pue: facility.pue ?? 0n,
    appraisal: facility.appraisal ?? 0n,
    reportHash: ethers.keccak256(ethers.toUtf8Bytes(`report-${dealAddress}-${period}`)),
  };
}

/**
 * Signs with the first two reporters (or `by`) and submits a report for `period` (pending until the dispute window
 * ends), with `facility`'s energy, PUE and appraisal. A utilization step above the deal's `maxUtilizationStep` needs
 * every reporter: pass `r.reporters`.
 */
export async function proposeReport(
  ethers: HardhatEthers,
  protocol: Protocol,
  r: Roles,
  deal: IDeal,
  period: bigint,
  revenue: bigint,
  billed = 700_000n,
  available = 1_000_000n,
  by: HardhatEthersSigner[] = r.reporters.slice(0, 2),
  facility: FacilityFigures = {},
): Promise<ReportInput> {
  const report = await buildReport(
    ethers,
    protocol,
    deal,
    period,
    revenue,
    billed,
    available,
    facility,
  );
  const { signers, signatures } = await signReport(ethers, protocol.oracle, report, by);
  await protocol.oracle.submitReport(report, signers, signatures);
  return report;
}

/** Proposes a report for `period` and waits out the dispute window so it is final. */
export async function submitReport(
  ethers: HardhatEthers,
  networkHelpers: NetworkHelpers,
  protocol: Protocol,
  r: Roles,
  deal: IDeal,
  period: bigint,
  revenue: bigint,
  billed = 700_000n,
  available = 1_000_000n,
  by: HardhatEthersSigner[] = r.reporters.slice(0, 2),
  facility: FacilityFigures = {},
): Promise<ReportInput> {
  const report = await proposeReport(
    ethers,
    protocol,
    r,
    deal,
    period,
    revenue,
    billed,
    available,
    by,
    facility,
  );
  await networkHelpers.time.increase(DISPUTE_WINDOW);
  return report;
}

/**
 * Moves to the report deadline of `period` (if not past it) and marks the period unreported with the oracle,
 * as `caller` (anyone may). The period must have no pending or final report.
 */
export async function markUnreported(
  networkHelpers: NetworkHelpers,
  protocol: Protocol,
  deal: IDeal,
  period: bigint,
  caller?: HardhatEthersSigner,
): Promise<void> {
  const dealAddress = await deal.getAddress();
  const deadline = await protocol.oracle.reportDeadline(dealAddress, period);
  if (BigInt(await networkHelpers.time.latest()) < deadline)
    await networkHelpers.time.increaseTo(deadline);
  const oracle = caller === undefined ? protocol.oracle : protocol.oracle.connect(caller);
  await oracle.markUnreported(dealAddress, period);
}

/**
 * Full subscription of every tranche by investor 0..n, closes every offering and moves to the deal start.
 * Returns the deal activated.
 */
export async function activateDeal(
  networkHelpers: NetworkHelpers,
  protocol: Protocol,
  r: Roles,
  h: DealHandles,
): Promise<void> {
  await networkHelpers.time.increaseTo(h.terms.offeringOpensAt);
  for (let i = 0; i < h.offerings.length; i++) {
    await subscribe(protocol, h.offerings[i], r.investors[i], h.terms.tranches[i].faceAmount);
  }
  await networkHelpers.time.increaseTo(h.terms.offeringClosesAt);
  for (const o of h.offerings) await o.close();
  for (let i = 0; i < h.offerings.length; i++) {
    const inv = r.investors[i];
    await h.offerings[i]
      .connect(inv)
      ["deposit(uint256,address)"](h.terms.tranches[i].faceAmount, inv.address);
  }
}

// ------------------------------------------------------------------ sites and tenants

/** `base` as a data-center site: its capacity counted in kilowatt-hours of IT load, `kw` kW of it. */
export function siteTermSheet(base: TermSheetInput, kw = 10_000n): TermSheetInput {
  return { ...base, oracle: { ...base.oracle, unit: CapacityUnit.KilowattHours, fleetGpus: kw } };
}

/** `base` as a tenant of `site`: `rentBps` of each period's reported revenue plus `rentPerUnit` per GPU a period. */
export function tenantTermSheet(
  base: TermSheetInput,
  site: string,
  rentBps: number,
  rentPerUnit: bigint,
): TermSheetInput {
  return { ...base, site: { site, rentBps, rentPerUnit } };
}

/**
 * {@link activateDeal} for deals that share one offering window: every tranche of each fully subscribed (investor i
 * takes tranche i of every deal), every offering closed, and the time moved to the latest start.
 */
export async function activateDeals(
  networkHelpers: NetworkHelpers,
  protocol: Protocol,
  r: Roles,
  hs: DealHandles[],
): Promise<void> {
  const opens = hs.reduce((a, h) => (h.terms.offeringOpensAt > a ? h.terms.offeringOpensAt : a), 0n);
  await networkHelpers.time.increaseTo(opens);
  for (const h of hs)
    for (let i = 0; i < h.offerings.length; i++)
      await subscribe(protocol, h.offerings[i], r.investors[i], h.terms.tranches[i].faceAmount);
  const closes = hs.reduce((a, h) => (h.terms.offeringClosesAt > a ? h.terms.offeringClosesAt : a), 0n);
  await networkHelpers.time.increaseTo(closes);
  for (const h of hs) {
    for (const o of h.offerings) await o.close();
    for (let i = 0; i < h.offerings.length; i++) {
      const inv = r.investors[i];
      await h.offerings[i]
        .connect(inv)
        ["deposit(uint256,address)"](h.terms.tranches[i].faceAmount, inv.address);
    }
  }
  const start = hs.reduce((a, h) => (h.terms.start > a ? h.terms.start : a), 0n);
  if (BigInt(await networkHelpers.time.latest()) < start) await networkHelpers.time.increaseTo(start);
}
