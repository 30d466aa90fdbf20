/**
 * The deal factory's test suite (test/DealFactory/*.ts): one network connection shared by its files, so `loadFixture`
 * snapshots are reused across them, and the fixtures, ABI tuples and consent signing they share.
 */
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { ContractTransactionResponse } from "ethers";
import { network } from "hardhat";

import type { DealFactory } from "../../types/ethers-contracts/index.js";
import {
  dealAt,
  deployProtocol,
  roles,
  standardTermSheet,
  type TermSheetInput,
  type TrancheTermsInput,
} from "./fixtures.js";

export const { ethers, networkHelpers } = await network.create();

/** IDeal.TermSheetField, in declaration order. */
export enum Field {
  Stablecoin,
  Decimals,
  Issuer,
  Servicer,
  Trustee,
  Guardian,
  OfferingWindow,
  Start,
  PeriodLength,
  PeriodCount,
  PledgedShare,
  ServicerFee,
  TrancheCount,
  TrancheKind,
  TrancheName,
  FaceAmount,
  MinRaise,
  MinTicket,
  ReserveFunding,
  Coupon,
  Principal,
}

/** IUtilizationOracle.OracleTermsField, in declaration order. */
export enum OracleField {
  DisputeWindow,
  ReportDeadline,
  ReporterChangeDelay,
  FleetGpus,
  MaxPricePerGpuHour,
  MaxUtilizationStep,
}

export const GAS_BUDGET_CREATE_DEAL = 2_000_000n;

/** EIP-712 type of an issuer's consent to a deal (`DealFactory.CREATE_DEAL_TYPEHASH`). */
export const CREATE_DEAL_TYPES = {
  CreateDeal: [
    { name: "termsHash", type: "bytes32" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
};

export interface Consent {
  termsHash: string;
  nonce: bigint;
  deadline: bigint;
}

export async function factoryFixture() {
  const protocol = await deployProtocol(ethers);
  const r = await roles(ethers);
  const terms = await standardTermSheet(networkHelpers, protocol, r);
  const dealImpl = await dealAt(ethers, await protocol.factory.dealImplementation());
  const [, , , , , , , , , , , , , , , , outsider] = await ethers.getSigners();
  return {
    protocol,
    // The issuer sends createDeal (only it may).
    factory: protocol.factory.connect(r.issuer),
    oracle: protocol.oracle,
    r,
    terms,
    dealImpl,
    outsider,
  };
}

/** Deep copy of a term sheet with `edit` applied, so a case never leaks into another. */
export function edited(terms: TermSheetInput, edit: (t: TermSheetInput) => void): TermSheetInput {
  const copy: TermSheetInput = {
    ...terms,
    oracle: { ...terms.oracle, reporters: [...terms.oracle.reporters] },
    tranches: terms.tranches.map((tr) => ({
      ...tr,
      coupon: { ...tr.coupon },
      principal: { ...tr.principal },
    })),
  };
  edit(copy);
  return copy;
}

/** OracleTerms as the ABI tuple events and views carry. */
export function oracleTuple(o: TermSheetInput["oracle"]): unknown[] {
  return [
    o.reporters,
    BigInt(o.threshold),
    o.disputeWindow,
    o.reportDeadline,
    o.reporterChangeDelay,
    o.fleetGpus,
    o.maxPricePerGpuHour,
    o.maxUtilizationStep,
    BigInt(o.unit),
  ];
}

export function riskTuple(r: TermSheetInput["risk"]): unknown[] {
  return [
    BigInt(r.trailingPeriods),
    BigInt(r.cleanUpBps),
    r.turbo,
    BigInt(r.waiverVotingPeriod),
    [r.priceFeed.feed, BigInt(r.priceFeed.decimals), BigInt(r.priceFeed.maxStaleness)],
    r.triggers.map((t) => [
      BigInt(t.metric),
      BigInt(t.comparison),
      BigInt(t.effect),
      BigInt(t.periods),
      t.cures,
      t.threshold,
    ]),
    r.fleet.map((e) => [
      e.model,
      BigInt(e.count),
      e.unitCost,
      e.unitResidual,
      e.acquiredAt,
      BigInt(e.usefulLife),
      BigInt(e.method),
      e.yearlyRate,
      e.indexAtAcquisition,
    ]),
    BigInt(r.appraisalMaxAge),
  ];
}

export function termsTuple(t: TermSheetInput): unknown[] {
  const tranche = (tr: TrancheTermsInput) => [
    tr.name,
    tr.symbol,
    BigInt(tr.kind),
    tr.faceAmount,
    tr.minRaise,
    tr.minTicket,
    BigInt(tr.reserveFundingBps),
    [
      BigInt(tr.coupon.couponType),
      tr.coupon.baseRate,
      tr.coupon.slope,
      tr.coupon.strike,
      tr.coupon.floorRate,
      tr.coupon.capRate,
    ],
    [
      BigInt(tr.principal.scheduleType),
      BigInt(tr.principal.amortStartPeriod),
      BigInt(tr.principal.amortPeriods),
    ],
    [
      BigInt(tr.transfer.allowedClasses),
      BigInt(tr.transfer.minHoldingPeriod),
      BigInt(tr.transfer.maxHolders),
      tr.transfer.minHolding,
      [...tr.transfer.blockedCountries],
    ],
  ];
  return [
    t.stablecoin,
    t.issuer,
    t.servicer,
    t.trustee,
    t.guardian,
    t.registry,
    t.offeringOpensAt,
    t.offeringClosesAt,
    t.start,
    t.periodLength,
    BigInt(t.periodCount),
    BigInt(t.pledgedShareBps),
    BigInt(t.servicerFeeBps),
    t.trusteeFeePerPeriod,
    t.reserveTarget,
    t.keeperBounty,
    oracleTuple(t.oracle),
    riskTuple(t.risk),
    t.tranches.map(tranche),
    [
      BigInt(t.equity.sponsorClass),
      t.equity.tiers.map((x) => [
        BigInt(x.kind),
        BigInt(x.classes),
        x.byRank,
        x.compounding,
        BigInt(x.sponsorBps),
        BigInt(x.targetBps),
        x.rate,
      ]),
    ],
    [t.site.site, BigInt(t.site.rentBps), t.site.rentPerUnit],
  ];
}

/** keccak256(abi.encode(terms)): the createDeal call's arguments. */
export function termsHashOf(factory: DealFactory, terms: TermSheetInput): string {
  return ethers.keccak256(
    ethers.dataSlice(factory.interface.encodeFunctionData("createDeal", [terms]), 4),
  );
}

/** The factory's EIP-712 domain. */
export async function consentDomain(factory: DealFactory) {
  return {
    name: "Cascade Deal Factory",
    version: "1",
    chainId: (await ethers.provider.getNetwork()).chainId,
    verifyingContract: await factory.getAddress(),
  };
}

/**
 * `signer`'s EIP-712 signature of the consent to `terms` with the issuer's current nonce (unless given), valid for
 * an hour (unless `deadline` is given).
 */
export async function signConsent(
  factory: DealFactory,
  signer: { signTypedData: HardhatEthersSigner["signTypedData"] },
  terms: TermSheetInput,
  overrides: Partial<Consent> = {},
): Promise<Consent & { signature: string }> {
  const consent: Consent = {
    termsHash: termsHashOf(factory, terms),
    nonce: await factory.nonces(terms.issuer),
    deadline: BigInt(await networkHelpers.time.latest()) + 3_600n,
    ...overrides,
  };
  const signature = await signer.signTypedData(
    await consentDomain(factory),
    CREATE_DEAL_TYPES,
    consent,
  );
  return { ...consent, signature };
}

/** The DealCreated event of a transaction's receipt. */
export async function dealCreatedIn(
  factory: DealFactory,
  tx: Promise<ContractTransactionResponse>,
) {
  const receipt = (await (await tx).wait())!;
  const factoryAddress = await factory.getAddress();
  return receipt.logs
    .filter((l) => l.address === factoryAddress)
    .map((l) => factory.interface.parseLog(l)!)
    .find((l) => l.name === "DealCreated")!;
}

/** Converts ethers Results to plain nested arrays for deep comparison. */
export function plain(x: unknown): unknown {
  return Array.isArray(x) ? Array.from(x, plain) : x;
}
