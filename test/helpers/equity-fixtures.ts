/**
 * The equity waterfall's test suite (test/EquityWaterfall/*.ts): one network connection shared by its files, the deals
 * with several equity classes they run, and readers of the waterfall's events.
 */
import { expect } from "chai";
import type { ContractTransactionReceipt } from "ethers";
import { network } from "hardhat";

import type { EquityWaterfall } from "../../types/ethers-contracts/index.js";
import {
  DAY,
  USDC,
  WAD,
  catchUp,
  createDeal,
  deployProtocol,
  equity,
  fixedNote,
  preferredReturn,
  returnOfCapital,
  roles,
  split,
  standardTermSheet,
  submitReport,
  subscribe,
  type DealHandles,
  type EquityTermsInput,
  type Protocol,
  type Roles,
  type TermSheetInput,
} from "./fixtures.js";

export const { ethers, networkHelpers } = await network.create();

export const K = 1_000n * USDC;
export const M = 1_000_000n * USDC;
export const YEAR = 365n * DAY;
export const pct = (n: bigint) => (n * WAD) / 100n;

/** The worked example's classes: preferred equity, LP common (the LP classes) and the sponsor's promote. */
export const PREFERRED = 0;
export const COMMON = 1;
export const SPONSOR = 2;
export const LP = (1 << PREFERRED) | (1 << COMMON);

/** 8 % preferred return, full catch-up to 20 %, 80/20 until the LP classes' IRR reaches 15 %, then 70/30. */
export const WORKED: EquityTermsInput = {
  sponsorClass: SPONSOR,
  tiers: [
    returnOfCapital(LP),
    preferredReturn(LP, pct(8n)),
    catchUp(LP, 10_000, 2_000),
    split(LP, 2_000, pct(15n)),
    split(LP, 3_000),
  ],
};

/**
 * A two-period monthly deal with no fees, no reserve and no keeper bounty: a senior bullet note of 1 000 000 at
 * 8 %, then preferred equity (1 000 000), LP common (2 000 000) and the sponsor's promote (100 000), paid by
 * `equityTerms` (the worked example by default). `edit` changes the term sheet before the deal is created.
 */
export async function equityTermSheet(
  protocol: Protocol,
  r: Roles,
  equityTerms: EquityTermsInput = WORKED,
  edit: (t: TermSheetInput) => void = () => {},
): Promise<TermSheetInput> {
  const t = await standardTermSheet(networkHelpers, protocol, r);
  t.periodCount = 2;
  t.servicerFeeBps = 0;
  t.trusteeFeePerPeriod = 0n;
  t.reserveTarget = 0n;
  t.keeperBounty = 0n;
  t.tranches = [
    fixedNote("Senior", M, pct(8n)),
    equity("Preferred Equity", M),
    equity("LP Common", 2n * M),
    equity("Sponsor Promote", 100n * K),
  ];
  t.equity = equityTerms;
  edit(t);
  return t;
}

export interface EquityDeal {
  protocol: Protocol;
  r: Roles;
  h: DealHandles;
  waterfall: EquityWaterfall;
  waterfallAddress: string;
  /** Tranche index of equity class 0. */
  notes: number;
  outsider: Awaited<ReturnType<typeof ethers.getSigners>>[number];
}

/** Creates the deal of `terms` (its servicer funded and approved) and finds its waterfall. */
export async function buildEquityDeal(
  protocol: Protocol,
  r: Roles,
  terms: TermSheetInput,
): Promise<EquityDeal> {
  const h = await createDeal(ethers, protocol, terms);
  const notes = terms.tranches.filter((t) => t.kind === 0).length;
  const waterfallAddress = await h.tokens[notes].distributor();
  const waterfall = await ethers.getContractAt("EquityWaterfall", waterfallAddress);
  await protocol.stablecoin.mint(r.servicer.address, 1_000_000_000n * USDC);
  await protocol.stablecoin
    .connect(r.servicer)
    .approve(await h.deal.getAddress(), ethers.MaxUint256);
  const s = await ethers.getSigners();
  return { protocol, r, h, waterfall, waterfallAddress, notes, outsider: s[16] };
}

/**
 * Investor i subscribes `amounts[i]` of tranche i (0: nobody, so that offering fails and the class has no tokens),
 * every offering closes and the subscribers claim: the deal is Active at its start.
 */
export async function activate(f: EquityDeal, amounts?: bigint[]): Promise<void> {
  const t = f.h.terms;
  await networkHelpers.time.increaseTo(t.offeringOpensAt);
  const want = amounts ?? t.tranches.map((tr) => tr.faceAmount);
  for (let i = 0; i < f.h.offerings.length; i++) {
    if (want[i] !== 0n) await subscribe(f.protocol, f.h.offerings[i], f.r.investors[i], want[i]);
  }
  await networkHelpers.time.increaseTo(t.offeringClosesAt);
  for (const o of f.h.offerings) await o.close();
  for (let i = 0; i < f.h.offerings.length; i++) {
    if (want[i] === 0n) continue;
    await f.h.offerings[i]
      .connect(f.r.investors[i])
      ["deposit(uint256,address)"](want[i], f.r.investors[i].address);
  }
}

/** Interest of the 1 000 000 senior note at 8 % over one 30-day period, as the deal computes it (rounded down). */
export const SENIOR_INTEREST = (M * pct(8n) * 30n * DAY) / (WAD * YEAR);

export interface RepaidDealOptions {
  /** Face of each equity class (default: 1 000 000, 2 000 000, 100 000). */
  faces?: bigint[];
  /** What investor i subscribes of equity class i (default: its face; 0: nobody, the class has no tokens). */
  subscribed?: bigint[];
  /** Another stablecoin than the protocol's (its `mint` is used the same way). */
  coin?: Protocol["stablecoin"];
}

/**
 * A one-period deal with the senior note and equity classes paid by `equityTerms`, active, its period reported and
 * distributed with exactly the note's principal and interest: Repaid, nothing reached equity (the waterfall's state
 * has not started). Capital events then drive the waterfall at chosen times.
 */
export async function repaidDeal(
  equityTerms: EquityTermsInput,
  options: RepaidDealOptions = {},
): Promise<EquityDeal> {
  const base = await deployProtocol(ethers);
  const protocol = options.coin === undefined ? base : { ...base, stablecoin: options.coin };
  const r = await roles(ethers);
  const terms = await equityTermSheet(protocol, r, equityTerms, (t) => {
    t.periodCount = 1;
    const faces = options.faces ?? [M, 2n * M, 100n * K];
    t.tranches = [
      t.tranches[0],
      ...faces.map((face, j) => ({ ...equity(`Class ${j}`, face), minRaise: USDC })),
    ];
  });
  const f = await buildEquityDeal(protocol, r, terms);
  await activate(f, [
    M,
    ...(options.subscribed ?? terms.tranches.slice(1).map((t) => t.faceAmount)),
  ]);
  await runPeriod(f, 0n, M + SENIOR_INTEREST);
  return f;
}

/** The worked example's deal, created and active (every class fully subscribed). */
export async function workedDealFixture(): Promise<EquityDeal> {
  const protocol = await deployProtocol(ethers);
  const r = await roles(ethers);
  const f = await buildEquityDeal(protocol, r, await equityTermSheet(protocol, r));
  await activate(f);
  return f;
}

/**
 * Runs `period`: waits for its end, reports `revenue` (final after the dispute window), deposits `deposit` and
 * distributes it. Returns the receipt.
 */
export async function runPeriod(
  f: EquityDeal,
  period: bigint,
  revenue: bigint,
  deposit = revenue,
): Promise<ContractTransactionReceipt> {
  const end = await f.h.deal.periodEnd(period);
  if (BigInt(await networkHelpers.time.latest()) < end) await networkHelpers.time.increaseTo(end);
  await submitReport(ethers, networkHelpers, f.protocol, f.r, f.h.deal, period, revenue);
  if (deposit !== 0n) await f.h.deal.connect(f.r.servicer).depositCollections(deposit);
  return (await (await f.h.deal.distribute(period)).wait())!;
}

/** Funds the issuer and deposits `amount` of a capital event at time `at` (or now). */
export async function capitalEvent(
  f: EquityDeal,
  amount: bigint,
  at?: bigint,
): Promise<ContractTransactionReceipt> {
  await f.protocol.stablecoin.mint(f.r.issuer.address, amount);
  await f.protocol.stablecoin.connect(f.r.issuer).approve(f.waterfallAddress, amount);
  if (at !== undefined) await networkHelpers.time.setNextBlockTimestamp(at);
  return (await (await f.waterfall.connect(f.r.issuer).depositCapitalEvent(amount)).wait())!;
}

/**
 * One equity statement ({IEquityWaterfall.EquityDistributed}), its packed statement read into flat arrays:
 * `paid[t × n + j]`, `hurdles[k × n + j]`.
 */
export interface EquityStatement {
  period: bigint;
  capitalEvent: boolean;
  time: bigint;
  amount: bigint;
  paid: bigint[];
  unreturned: bigint[];
  prefOwed: bigint[];
  hurdles: bigint[];
  profit: bigint;
  sponsorProfit: bigint;
}

/**
 * A packed statement (EquityStatement.sol) read on its own: the counts n, T, K, a bitmap of the m = n·(T + 2 + K) + 2
 * amounts that are not zero (the first at the high bit), then those amounts in 16 bytes each; returned with every
 * amount in order (T·n paid, n U, n P, K·n H, T, S), zeros included.
 */
export function statementAmounts(statement: string) {
  const hex = statement.slice(2);
  const [n, tiers, hurdles] = [0, 1, 2].map((i) => Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16));
  const m = n * (tiers + 2 + hurdles) + 2;
  const maskBytes = Math.ceil(m / 8);
  const bits = BigInt(`0x${hex.slice(6, 6 + 2 * maskBytes)}`)
    .toString(2)
    .padStart(8 * maskBytes, "0");
  let at = 6 + 2 * maskBytes;
  const amounts = Array.from({ length: m }, (_, i) => {
    if (bits[i] === "0") return 0n;
    const v = BigInt(`0x${hex.slice(at, at + 32)}`);
    at += 32;
    expect(v, "a present amount is not zero").to.not.equal(0n);
    return v;
  });
  expect(at, "the statement's length").to.equal(hex.length);
  expect(bits.slice(m), "no bit past the amounts").to.not.include("1");
  return { n, tiers, hurdles, amounts };
}

/** The waterfall's equity statements in `receipt`, in order. */
export function statements(f: EquityDeal, receipt: ContractTransactionReceipt): EquityStatement[] {
  const out: EquityStatement[] = [];
  for (const log of receipt.logs) {
    if (log.address.toLowerCase() !== f.waterfallAddress.toLowerCase()) continue;
    const parsed = f.waterfall.interface.parseLog(log);
    if (parsed?.name !== "EquityDistributed") continue;
    const a = parsed.args;
    const { n, tiers, hurdles, amounts } = statementAmounts(a.statement as string);
    const take = (count: number) => amounts.splice(0, count);
    out.push({
      period: a.period,
      capitalEvent: a.capitalEvent,
      time: a.time,
      amount: a.amount,
      paid: take(tiers * n),
      unreturned: take(n),
      prefOwed: take(n),
      hurdles: take(hurdles * n),
      profit: amounts[0],
      sponsorProfit: amounts[1],
    });
  }
  return out;
}

/** The single equity statement of `receipt`. */
export function statementOf(f: EquityDeal, receipt: ContractTransactionReceipt): EquityStatement {
  const all = statements(f, receipt);
  if (all.length !== 1) throw new Error(`expected one equity statement, found ${all.length}`);
  return all[0];
}

/** What class `j` received in a statement (every tier), and by tiers 0 – `upTo` only. */
export function classPaid(s: EquityStatement, classes: number, j: number, upTo?: number): bigint {
  let sum = 0n;
  const rows = s.paid.length / classes;
  for (let t = 0; t < rows && (upTo === undefined || t <= upTo); t++)
    sum += s.paid[t * classes + j];
  return sum;
}

/** G(h, Δt) of docs/equity.md, to the wei: (1 + h)^(Δt / YEAR) in WAD, rounded down as the doc says. */
export function growthDown(h: bigint, dt: bigint): bigint {
  const cap = (1n << 128n) - 1n;
  const mul = (a: bigint, c: bigint) => {
    const v = (a * c) / WAD;
    return v > cap ? cap : v;
  };
  const b = WAD + h;
  // ln b by the atanh series.
  const z = ((b - WAD) * WAD) / (b + WAD);
  const z2 = (z * z) / WAD;
  let term = z;
  let sum = z;
  for (let i = 3n; ; i += 2n) {
    term = (term * z2) / WAD;
    if (term === 0n) break;
    sum += term / i;
  }
  const ln = 2n * sum;
  // e^y by Taylor.
  const y = ((dt % YEAR) * ln) / YEAR;
  let t = WAD;
  let e = WAD;
  for (let i = 1n; ; i++) {
    t = (t * y) / (i * WAD);
    if (t === 0n) break;
    e += t;
  }
  // bⁿ by squaring.
  let n = dt / YEAR;
  let base = b;
  let p = WAD;
  while (n > 0n) {
    if (n & 1n) p = mul(p, base);
    n >>= 1n;
    if (n > 0n) base = mul(base, base);
  }
  const g = (p * e) / WAD;
  return g > cap ? cap : g;
}

/**
 * The annual rate r (actual/365, annual compounding, as a spreadsheet's XIRR) at which the dated cash flows are
 * worth zero: Σ amount_i / (1 + r)^((t_i − t_0) / 365 days) = 0, by bisection on [−0.99, 10]. Independent of the
 * contract: floating point on the flows the events report.
 */
export function xirr(flows: { time: bigint; amount: bigint }[]): number {
  const t0 = flows[0].time;
  const value = (r: number) =>
    flows.reduce(
      (v, f) => v + Number(f.amount) / Math.pow(1 + r, Number(f.time - t0) / Number(YEAR)),
      0,
    );
  let lo = -0.99;
  let hi = 10;
  if (value(lo) * value(hi) > 0) throw new Error("xirr: no sign change on [−99 %, 1000 %]");
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (value(lo) * value(mid) <= 0) hi = mid;
    else lo = mid;
  }
  return (lo + hi) / 2;
}
