/**
 * The utilization oracle's test suite (test/UtilizationOracle/*.ts): one network connection shared by its files, so
 * `loadFixture` snapshots are reused across them, and the fixtures and helpers they share.
 */
import { expect } from "chai";
import { network } from "hardhat";

import type { UtilizationOracle } from "../../types/ethers-contracts/index.js";
import {
  buildReport,
  createDeal,
  DAY,
  deployProtocol,
  PERIOD,
  roles,
  signReport,
  standardTermSheet,
  USDC,
  WAD,
  type OracleTermsInput,
  type ReportInput,
  type TermSheetInput,
} from "./fixtures.js";
import { oracleDomain, plain } from "./oracle-signing.js";

export const { ethers, networkHelpers } = await network.create();
export const { time } = networkHelpers;

export enum ReportState {
  None = 0,
  Pending = 1,
  Final = 2,
  Unreported = 3,
}

export enum OracleTermsField {
  DisputeWindow = 0,
  ReportDeadline = 1,
  ReporterChangeDelay = 2,
  FleetGpus = 3,
  MaxPricePerGpuHour = 4,
  MaxUtilizationStep = 5,
}

// The standard term sheet's oracle terms (test/helpers/fixtures.ts), but for the report deadline: longer than a
// period here, so that at the end of period 1 (`endedFixture`) periods 0 and 1 both still take reports.
export const REPORT_DEADLINE = 45n * DAY;
export const CHANGE_DELAY = 3n * DAY;
export const FLEET_GPUS = 2_048n;
export const MAX_PRICE = 10n * USDC;
export const MAX_STEP = (40n * WAD) / 100n;
/** fleetGpus × hours in a 30-day period. */
export const MAX_AVAILABLE = (FLEET_GPUS * PERIOD) / 3_600n;
export const PERIODS = 12n;
export const REVENUE = 500_000n * USDC;
export const REASON = ethers.id("meter data does not match the invoices");
export const MAX_U64 = 2n ** 64n - 1n;

/** The standard term sheet with {@link REPORT_DEADLINE}. */
export async function oracleTermSheet(
  protocol: Awaited<ReturnType<typeof deployProtocol>>,
  r: Awaited<ReturnType<typeof roles>>,
): Promise<TermSheetInput> {
  const terms = await standardTermSheet(networkHelpers, protocol, r);
  return { ...terms, oracle: { ...terms.oracle, reportDeadline: REPORT_DEADLINE } };
}

/** The standard deal, created through the factory (so registered with the oracle); period 0 not yet ended. */
export async function dealFixture() {
  const protocol = await deployProtocol(ethers);
  const r = await roles(ethers);
  const terms = await oracleTermSheet(protocol, r);
  const h = await createDeal(ethers, protocol, terms);
  const oracle = protocol.oracle;
  const oracleAddress = await oracle.getAddress();
  const dealAddress = await h.deal.getAddress();
  const domain = await oracleDomain(ethers, oracleAddress);
  const s = await ethers.getSigners();
  return {
    protocol,
    oracle,
    oracleAddress,
    r,
    h,
    deal: h.deal,
    dealAddress,
    terms,
    domain,
    chainId: domain.chainId,
    outsider: s[16],
    other: s[17],
  };
}
export type Fixture = Awaited<ReturnType<typeof dealFixture>>;

/** Same, with periods 0 and 1 ended. */
export async function endedFixture() {
  const f = await dealFixture();
  await time.increaseTo(await f.deal.periodEnd(1));
  return f;
}

/** Two deals with the same reporters (reporter sets 1 and 2), periods 0 and 1 of both ended. */
export async function twoDealsFixture() {
  const f = await dealFixture();
  const terms2 = await oracleTermSheet(f.protocol, f.r);
  const h2 = await createDeal(ethers, f.protocol, terms2);
  await time.increaseTo(await h2.deal.periodEnd(1));
  return { ...f, deal2: h2.deal, deal2Address: await h2.deal.getAddress() };
}

/** A report of `period` as reporters would sign it now (current round and set), with overrides. */
export async function report(
  f: Fixture,
  period: bigint,
  overrides: Partial<ReportInput> = {},
): Promise<ReportInput> {
  return { ...(await buildReport(ethers, f.protocol, f.deal, period, REVENUE)), ...overrides };
}

/** Fixes the timestamp of the next block, `offset` seconds after the latest; returns it. */
export async function nextBlockAt(offset = 1n): Promise<bigint> {
  const at = BigInt(await time.latest()) + offset;
  await time.setNextBlockTimestamp(at);
  return at;
}

/** Submits `rep` signed by the first two reporters at the next block; returns its timestamp. */
export async function submitAt(
  f: Fixture,
  rep: ReportInput,
  signers = f.r.reporters.slice(0, 2),
): Promise<bigint> {
  const s = await signReport(ethers, f.oracle, rep, signers);
  const at = await nextBlockAt();
  await f.oracle.submitReport(rep, s.signers, s.signatures);
  return at;
}

/** Proposes the standard report of `period`; returns it and when it was proposed. */
export async function propose(f: Fixture, period: bigint, overrides: Partial<ReportInput> = {}) {
  const rep = await report(f, period, overrides);
  const proposedAt = await submitAt(f, rep);
  return { rep, proposedAt };
}

/** Everything the oracle stores about a deal (periods 0..2), as plain values. */
export async function snapshot(oracle: UtilizationOracle, deal: string, periods = [0n, 1n, 2n]) {
  return plain([
    await oracle.reporters(deal),
    await oracle.threshold(deal),
    await oracle.reporterSet(deal),
    await oracle.terms(deal),
    await oracle.pendingReporterChange(deal),
    ...(await Promise.all(periods.map((p) => oracle.getReport(deal, p)))),
  ]);
}

/** Runs `body` (which expects reverts) and checks that the oracle's state of `deal` did not change. */
export async function expectUnchanged(
  oracle: UtilizationOracle,
  deal: string,
  body: () => Promise<void>,
) {
  const before = await snapshot(oracle, deal);
  await body();
  expect(await snapshot(oracle, deal)).to.deep.equal(before);
}

export function oracleTermsTuple(t: OracleTermsInput) {
  return [
    t.reporters,
    BigInt(t.threshold),
    t.disputeWindow,
    t.reportDeadline,
    t.reporterChangeDelay,
    t.fleetGpus,
    t.maxPricePerGpuHour,
    t.maxUtilizationStep,
    BigInt(t.unit),
  ];
}
