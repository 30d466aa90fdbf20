import { readdirSync, readFileSync } from "node:fs";

import { expect } from "chai";
import { artifacts, network } from "hardhat";
import {
  createPublicClient,
  createWalletClient,
  custom,
  defineChain,
  getAddress,
  parseEventLogs,
  zeroAddress,
  type Abi,
  type EIP1193Provider,
  type Hex,
} from "viem";
import {
  deployContract,
  getBlock,
  getTransactionReceipt,
  readContract,
  waitForTransactionReceipt,
} from "viem/actions";

import {
  NO_EQUITY_WATERFALL,
  NO_SITE,
  cascadeActions,
  CouponType,
  dealAbi,
  equitySnapshot,
  mockStablecoinAbi,
  offeringAbi,
  riskEngineAbi,
  trancheTokenAbi,
  utilizationOracleAbi,
  type CouponTerms,
  type EquityTerms,
  type FleetEntryTerms,
  type PrincipalTerms,
  type TermSheet,
  type TrancheTerms,
  type TransferRules,
  type TriggerTerms,
  countryBitmap,
  countryCodes,
  INVESTOR_CLASSES,
  investorClassMask,
  investorClassNames,
  NO_TRANSFER_RULES,
  CapacityUnit,
  DepreciationMethod,
  EquityTier,
  parseDecimal,
  parseDuration,
  parseTermSheet,
  parseTime,
  PrincipalType,
  RiskMetric,
  TermSheetError,
  termSheetJsonSchema,
  termSheetSchema,
  textToBytes16,
  TrancheKind,
  TriggerComparison,
  TriggerEffect,
  WAD,
  type Address,
  type TermSheetJson,
  RiskTermsLib,
} from "../../sdk/index.js";

const example = JSON.parse(
  readFileSync(new URL("../../examples/h100-fleet.json", import.meta.url), "utf8"),
) as TermSheetJson;

const addr = (byte: string) => `0x${byte.repeat(20)}` as Address;
const addresses = {
  stablecoin: addr("11"),
  issuer: addr("22"),
  servicer: addr("33"),
  trustee: addr("44"),
  guardian: addr("55"),
  reporter0: addr("66"),
  reporter1: addr("77"),
  reporter2: addr("88"),
  priceFeed: addr("99"),
};
const NOW = 1_800_000_000n;
const USDC = 10n ** 6n;
const PCT = WAD / 100n;

function issuesOf(
  json: unknown,
  options = { now: NOW, addresses },
): { path: string; message: string }[] {
  try {
    parseTermSheet(json, options);
  } catch (e) {
    expect(e).to.be.instanceOf(TermSheetError);
    return [...(e as TermSheetError).issues];
  }
  throw new Error("expected a TermSheetError");
}

const clone = (): TermSheetJson => structuredClone(example);

describe("SDK term sheets", () => {
  it("parses the H100 example into the exact on-chain struct", () => {
    const { terms, decimals, name, notes } = parseTermSheet(example, { now: NOW, addresses });
    expect(decimals).to.equal(6);
    expect(name).to.equal("Cascade H100 Fleet Notes 2025-1");
    expect(notes).to.contain("2,048 H100");
    expect(terms.stablecoin).to.equal(addresses.stablecoin);
    expect(terms.offeringOpensAt).to.equal(NOW + 60n);
    expect(terms.offeringClosesAt).to.equal(NOW + 7n * 86_400n);
    expect(terms.start).to.equal(terms.offeringClosesAt);
    expect(terms.periodLength).to.equal(30 * 86_400);
    expect(terms.periodCount).to.equal(12);
    expect(terms.pledgedShareBps).to.equal(8_500);
    expect(terms.servicerFeeBps).to.equal(150);
    expect(terms.trusteeFeePerPeriod).to.equal(5_000n * USDC);
    expect(terms.reserveTarget).to.equal(220_000n * USDC);
    expect(terms.keeperBounty).to.equal(25n * USDC);
    expect(terms.oracle).to.deep.equal({
      reporters: [addresses.reporter0, addresses.reporter1, addresses.reporter2],
      threshold: 2,
      disputeWindow: 2 * 86_400,
      reportDeadline: 10 * 86_400,
      reporterChangeDelay: 3 * 86_400,
      fleetGpus: 2_048,
      maxPricePerGpuHour: 6n * USDC,
      maxUtilizationStep: 25n * PCT,
      unit: 0,
    });

    const [senior, mezz, junior, equity] = terms.tranches;
    expect(senior).to.deep.equal({
      name: "Cascade H100 Senior A",
      symbol: "H100-A",
      kind: TrancheKind.Note,
      faceAmount: 11_000_000n * USDC,
      minRaise: 8_000_000n * USDC,
      minTicket: 100_000n * USDC,
      reserveFundingBps: 100,
      coupon: {
        couponType: CouponType.Fixed,
        baseRate: 8n * PCT,
        slope: 0n,
        strike: 0n,
        floorRate: 0n,
        capRate: 0n,
      },
      principal: { scheduleType: PrincipalType.StraightLine, amortStartPeriod: 0, amortPeriods: 7 },
      transfer: NO_TRANSFER_RULES,
    });
    // Without a registry the tokens are unrestricted.
    expect(terms.registry).to.equal(zeroAddress);
    expect(mezz.coupon).to.deep.equal({
      couponType: CouponType.UtilizationLinked,
      baseRate: 11n * PCT,
      slope: WAD / 5n,
      strike: 75n * PCT,
      floorRate: 9n * PCT,
      capRate: 14n * PCT,
    });
    expect(junior.principal).to.deep.equal({
      scheduleType: PrincipalType.StraightLine,
      amortStartPeriod: 10,
      amortPeriods: 2,
    });
    expect(equity.kind).to.equal(TrancheKind.Equity);
    expect(equity.principal.scheduleType).to.equal(PrincipalType.Bullet);
  });

  it("keeps leverage sane: notes are 70–80 % of the capital and the senior reserve is 3 months of interest", () => {
    const { terms } = parseTermSheet(example, { now: NOW, addresses });
    const total = terms.tranches.reduce((a, t) => a + t.faceAmount, 0n);
    const notes = terms.tranches.slice(0, -1).reduce((a, t) => a + t.faceAmount, 0n);
    expect(Number((notes * 10_000n) / total) / 100).to.be.within(70, 80);
    const s = terms.tranches[0];
    expect(terms.reserveTarget).to.equal((s.faceAmount * s.coupon.baseRate * 3n) / 12n / WAD);
  });

  it("reads percent and basis points, decimals with separators, ISO and relative times", () => {
    expect(parseDecimal("25,000,000", 6)).to.equal(25_000_000n * USDC);
    expect(parseDecimal("0.5", 6)).to.equal(500_000n);
    expect(parseDecimal(1.25, 2)).to.equal(125n);
    expect(parseDecimal("0.0000001", 6)).to.be.a("string");
    expect(parseDecimal("-1", 6)).to.be.a("string");
    expect(parseDuration("1h30m")).to.equal(5_400n);
    expect(parseDuration("30d")).to.equal(2_592_000n);
    expect(parseDuration("30 days")).to.be.a("string");
    expect(parseTime("2026-01-01T00:00:00Z", undefined)).to.equal(1_767_225_600n);
    expect(parseTime("+7d", NOW)).to.equal(NOW + 604_800n);
    expect(parseTime("+7d", undefined)).to.be.a("string");

    const json = clone() as unknown as Record<string, unknown>;
    delete json.pledgedSharePct;
    json.pledgedShareBps = 8_500;
    delete json.servicerFeePct;
    json.servicerFeeBps = "150";
    (json.tranches as Record<string, unknown>[])[0].coupon = { type: "fixed", baseRateBps: 800 };
    const { terms } = parseTermSheet(json, { now: NOW, addresses });
    expect(terms.pledgedShareBps).to.equal(8_500);
    expect(terms.servicerFeeBps).to.equal(150);
    expect(terms.tranches[0].coupon.baseRate).to.equal(8n * PCT);
  });

  it("lists every problem at once, each with its field path", () => {
    const json = clone() as unknown as Record<string, unknown>;
    json.pledgedSharePct = 0;
    json.servicerFeePct = 101;
    json.offeringClosesAt = "+0s";
    json.start = "2000-01-01T00:00:00Z";
    json.periodLength = "monthly";
    const oracle = json.oracle as Record<string, unknown>;
    oracle.reporters = ["$reporter0", "$reporter0", "$nobody"];
    oracle.threshold = 4;
    json.guardian = "0x0000000000000000000000000000000000000000";
    json.colour = "blue";
    const tranches = json.tranches as Record<string, unknown>[];
    tranches[0].symbol = "";
    tranches[0].minRaise = "12,000,000";
    tranches[0].principal = { type: "straight-line", startPeriod: 8, periods: 7 };
    tranches[1].coupon = { ...(tranches[1].coupon as object), floorRatePct: 15 };
    tranches[2].kind = "equity";
    tranches[3].coupon = { type: "fixed", baseRatePct: 1 };
    tranches[3].minRaise = "0.5";

    const issues = issuesOf(json);
    const paths = issues.map((i) => i.path);
    expect(paths).to.include.members([
      "pledgedSharePct",
      "servicerFeePct",
      "offeringClosesAt",
      "start",
      "periodLength",
      "oracle.reporters[1]",
      "oracle.reporters[2]",
      "oracle.threshold",
      "guardian",
      "colour",
      "tranches[0].symbol",
      "tranches[0].minRaise",
      "tranches[0].principal",
      "tranches[1].coupon.floorRatePct",
      "tranches[2].kind",
      "tranches[3].coupon",
      "tranches[3].minRaise",
    ]);
    expect(issues.length).to.equal(20);
    expect(issues.find((i) => i.path === "oracle.reporters[2]")?.message).to.contain("$nobody");
  });

  it("needs options.now for relative times and an address for every placeholder", () => {
    const issues = issuesOf(example, {
      now: undefined as unknown as bigint,
      addresses: {} as typeof addresses,
    });
    const paths = issues.map((i) => i.path);
    expect(paths).to.include.members([
      "offeringOpensAt",
      "offeringClosesAt",
      "start",
      "stablecoin",
      "issuer",
      "oracle.reporters[0]",
    ]);
  });

  it("refuses a fixed coupon with linked fields and equity with a coupon", () => {
    const json = clone();
    json.tranches[0].coupon = { type: "fixed", baseRatePct: 8, slope: 0.1 };
    json.tranches[3].principal = { type: "bullet" };
    const paths = issuesOf(json).map((i) => i.path);
    expect(paths).to.include.members(["tranches[0].coupon.slope", "tranches[3].principal"]);
  });

  it("refuses a schedule whose last period ends beyond 64-bit timestamps", () => {
    const json = clone();
    json.start = "18446744073709551000"; // 2^64 − 616
    const issue = issuesOf(json).find((i) => i.path === "start");
    expect(issue?.message).to.contain("2^64");
  });

  it("reads the oracle terms: durations, a price per GPU-hour in stablecoin units, the step in % or bps", () => {
    const json = clone();
    json.keeperBounty = "12.5";
    json.oracle = {
      ...json.oracle,
      disputeWindow: "1d12h",
      reportDeadline: 864_000,
      maxPricePerGpuHour: "4.25",
      maxUtilizationStepPct: undefined,
      maxUtilizationStepBps: 1_250,
    };
    const { terms } = parseTermSheet(json, { now: NOW, addresses });
    expect(terms.keeperBounty).to.equal(12_500_000n);
    expect(terms.oracle.disputeWindow).to.equal(36 * 3_600);
    expect(terms.oracle.reportDeadline).to.equal(864_000);
    expect(terms.oracle.maxPricePerGpuHour).to.equal(4_250_000n);
    expect(terms.oracle.maxUtilizationStep).to.equal((125n * PCT) / 10n);
  });

  it("reads a tenant's site: the site deal, rent as a share of revenue and per GPU", () => {
    const json = clone();
    expect(parseTermSheet(json, { now: NOW, addresses }).terms.site).to.deep.equal(NO_SITE);
    json.site = { deal: "$campus", rentPct: "4.5", rentPerUnit: "12.25" };
    const campus = getAddress(addr("aa"));
    const { terms } = parseTermSheet(json, { now: NOW, addresses: { ...addresses, campus } });
    expect(terms.site).to.deep.equal({ site: campus, rentBps: 450, rentPerUnit: 12_250_000n });
    json.site = { deal: campus, rentBps: 300 };
    expect(parseTermSheet(json, { now: NOW, addresses }).terms.site).to.deep.equal({
      site: campus,
      rentBps: 300,
      rentPerUnit: 0n,
    });
  });

  it("lists every problem of a site at once, as TermSheetLib would refuse it", () => {
    const json = clone() as unknown as Record<string, unknown>;
    json.site = { deal: "$campus" };
    const none = issuesOf(json);
    expect(none.map((i) => i.path)).to.include.members(["site", "site.deal"]);
    expect(none.find((i) => i.path === "site")?.message).to.contain("names no rent");
    expect(none.find((i) => i.path === "site.deal")?.message).to.contain(
      "options.addresses.campus",
    );
    json.site = {
      deal: "0x0000000000000000000000000000000000000000",
      rentPct: 1,
      rentBps: 100,
      rentPerUnit: "0.0000001",
      colour: "blue",
    };
    expect(issuesOf(json).map((i) => i.path)).to.include.members([
      "site.deal",
      "site.rentBps",
      "site.rentPerUnit",
      "site.colour",
    ]);
    // The rent's share of revenue is at most the share pledged to the deal.
    json.pledgedSharePct = 60;
    json.site = { deal: addr("aa"), rentPct: "60.01" };
    const above = issuesOf(json);
    expect(above.map((i) => i.path)).to.deep.equal(["site.rentPct"]);
    expect(above[0].message).to.contain("above the pledged share");
    json.site = { deal: addr("aa"), rentPct: 60 };
    expect(parseTermSheet(json, { now: NOW, addresses }).terms.site.rentBps).to.equal(6_000);
  });

  it("lists every problem of the oracle terms and the keeper bounty at once", () => {
    const json = clone() as unknown as Record<string, unknown>;
    json.keeperBounty = "-1";
    json.oracle = {
      reporters: Array.from(
        { length: 17 },
        (_, i) => `0x${(i + 1).toString(16).padStart(40, "0")}`,
      ),
      threshold: 0,
      disputeWindow: "3d",
      reportDeadline: "2d",
      reporterChangeDelay: 0,
      fleetGpus: 0,
      maxPricePerGpuHour: "0.0000001",
      maxUtilizationStepPct: 101,
      colour: "blue",
    };
    const issues = issuesOf(json);
    const paths = issues.map((i) => i.path);
    expect(paths).to.include.members([
      "keeperBounty",
      "oracle.reporters",
      "oracle.threshold",
      "oracle.reportDeadline",
      "oracle.reporterChangeDelay",
      "oracle.fleetGpus",
      "oracle.maxPricePerGpuHour",
      "oracle.maxUtilizationStepPct",
      "oracle.colour",
    ]);
    expect(issues.find((i) => i.path === "oracle.reportDeadline")?.message).to.contain(
      "dispute window",
    );
    expect(issues.find((i) => i.path === "oracle.maxPricePerGpuHour")?.message).to.contain(
      "decimal place",
    );

    const missing = clone() as unknown as Record<string, unknown>;
    delete missing.oracle;
    delete missing.keeperBounty;
    expect(issuesOf(missing).map((i) => i.path)).to.include.members(["oracle", "keeperBounty"]);
    const zeroStep = clone();
    zeroStep.oracle = { ...zeroStep.oracle, maxUtilizationStepPct: 0, maxPricePerGpuHour: 0 };
    expect(issuesOf(zeroStep).map((i) => i.path)).to.include.members([
      "oracle.maxUtilizationStepPct",
      "oracle.maxPricePerGpuHour",
    ]);
  });

  it("says where the reporters went in a term sheet of the old format", () => {
    const json = clone() as unknown as Record<string, unknown>;
    json.reporters = ["$reporter0"];
    json.reportThreshold = 1;
    const issues = issuesOf(json);
    expect(issues).to.deep.include({ path: "reporters", message: "moved to oracle.reporters" });
    expect(issues).to.deep.include({
      path: "reportThreshold",
      message: "moved to oracle.threshold",
    });
  });

  it("refuses what is not an object", () => {
    expect(() => parseTermSheet(null)).to.throw(TermSheetError);
  });

  it("parses the risk section: covenants as data, the fleet and the defaults", () => {
    const { terms } = parseTermSheet(example, { now: NOW, addresses });
    const r = terms.risk;
    expect([r.trailingPeriods, r.cleanUpBps, r.turbo, r.waiverVotingPeriod]).to.deep.equal([
      3,
      1_000,
      false,
      7 * 86_400,
    ]);
    expect(r.priceFeed).to.deep.equal(RiskTermsLib.DEFAULT_RISK_TERMS.priceFeed);
    expect(r.triggers).to.have.length(8);
    expect(r.triggers[0]).to.deep.equal({
      metric: RiskMetric.Dscr,
      comparison: TriggerComparison.Below,
      effect: TriggerEffect.CashTrap,
      periods: 1,
      cures: true,
      threshold: (115n * WAD) / 100n,
    });
    expect(r.triggers[3]).to.deep.include({
      metric: RiskMetric.Ltv,
      comparison: TriggerComparison.Above,
      threshold: 80n * PCT,
    });
    // A missed-report trigger without a threshold is in breach whenever the period is unreported.
    expect(r.triggers[7]).to.deep.equal({
      metric: RiskMetric.MissedReport,
      comparison: TriggerComparison.Above,
      effect: TriggerEffect.Accelerate,
      periods: 2,
      cures: false,
      threshold: 0n,
    });
    expect(r.fleet).to.deep.equal([
      {
        model: textToBytes16("H100-SXM5-80GB"),
        count: 2_048,
        unitCost: 12_200n * USDC,
        unitResidual: 1_830n * USDC,
        acquiredAt: NOW + 7n * 86_400n,
        usefulLife: 36 * 2_628_000,
        method: DepreciationMethod.StraightLine,
        yearlyRate: 0n,
        indexAtAcquisition: 0n,
      },
    ]);
    const bare = clone();
    delete bare.risk;
    expect(parseTermSheet(bare, { now: NOW, addresses }).terms.risk).to.deep.equal(
      RiskTermsLib.DEFAULT_RISK_TERMS,
    );
  });

  it("reads a price feed and index-marked, declining-balance entries", () => {
    const json = clone();
    json.risk = {
      cleanUpBps: 500,
      turbo: true,
      waiverVotingPeriod: "3d",
      priceFeed: { address: "$priceFeed", decimals: 8, maxStalenessHours: 72 },
      fleet: [
        {
          model: "H100",
          count: 10,
          unitCost: "25,000",
          unitResidual: "0",
          acquired: "2025-01-01T00:00:00Z",
          usefulLife: "1000d",
          method: "decliningBalance",
          yearlyRatePercent: 35,
          indexAtAcquisition: "2.40",
        },
      ],
    };
    const r = parseTermSheet(json, { now: NOW, addresses }).terms.risk;
    expect(r.priceFeed).to.deep.equal({
      feed: addresses.priceFeed,
      decimals: 8,
      maxStaleness: 72 * 3_600,
    });
    expect([r.cleanUpBps, r.turbo, r.waiverVotingPeriod, r.trailingPeriods]).to.deep.equal([
      500,
      true,
      3 * 86_400,
      3,
    ]);
    expect(r.fleet[0]).to.deep.include({
      model: "0x48313030000000000000000000000000",
      acquiredAt: 1_735_689_600n,
      usefulLife: 1_000 * 86_400,
      method: DepreciationMethod.DecliningBalance,
      yearlyRate: 35n * PCT,
      indexAtAcquisition: 240_000_000n,
    });
  });

  it("lists every problem of the risk section at once, as TermSheetLib and RiskTermsLib would refuse them", () => {
    const json = clone();
    json.risk = {
      trailingPeriods: 13,
      cleanUpPercent: 101,
      waiverVotingDays: 0,
      priceFeed: { address: "$priceFeed", decimals: 8 } as never,
      triggers: [
        { metric: "dscr", below: "1.1", periods: 0, effect: "cashTrap" },
        { metric: "dscr", below: "1.0", effect: "accelerate", cures: true },
        { metric: "leverage", above: "1", effect: "halt" } as never,
        { metric: "ltv", above: "0.8", belowPct: 70, effect: "cashTrap" },
      ],
      fleet: [
        {
          model: "NVIDIA-H100-SXM5-80GB",
          count: 0,
          unitCost: "100",
          unitResidual: "200",
          acquired: 0,
          method: "straightLine",
          yearlyRatePercent: 10,
        },
        {
          model: "B200",
          count: 1,
          unitCost: "1",
          unitResidual: "0",
          acquired: "+0d",
          usefulLifeMonths: 12,
          method: "decliningBalance",
          yearlyRatePercent: 100,
        },
      ],
    };
    json.risk.triggers?.push(...Array.from({ length: 13 }, () => json.risk!.triggers![0]));
    const issues = issuesOf(json);
    const at = (path: string) => issues.filter((i) => i.path === path).map((i) => i.message);
    expect(at("risk.trailingPeriods")).to.deep.equal([
      "expected the trailing DSCR window in periods: an integer from 1 to 12, got 13",
    ]);
    expect(at("risk.cleanUpPercent")).to.deep.equal([
      "expected a percentage at most 100 % (at most 2 decimal places), got 101",
    ]);
    expect(at("risk.waiverVotingDays")).to.deep.equal([
      "expected the days a waiver ballot is open: an integer from 1 to 365, got 0",
    ]);
    expect(at("risk.priceFeed.maxStalenessHours")).to.deep.equal(["is required (or maxStaleness)"]);
    expect(at("risk.triggers")).to.deep.equal(["at most 16 triggers"]);
    expect(at("risk.triggers[0].periods")).to.deep.equal([
      "expected consecutive periods in breach before it fires: an integer from 1 to 255, got 0",
    ]);
    expect(at("risk.triggers[1].cures")).to.deep.equal([
      "an acceleration trigger always latches (until waived): expected false",
    ]);
    expect(at("risk.triggers[2].metric")).to.have.length(1);
    expect(at("risk.triggers[2].effect")).to.deep.equal([
      'expected "cashTrap" or "accelerate", got "halt"',
    ]);
    expect(at("risk.triggers[3].belowPct")).to.deep.equal([
      "give only one of below, above, belowPct, abovePct (got above and belowPct)",
    ]);
    expect(at("risk.fleet[0].model")).to.deep.equal([
      'expected a GPU model name of 1 to 16 bytes, got "NVIDIA-H100-SXM5-80GB"',
    ]);
    expect(at("risk.fleet[0].count")).to.deep.equal([
      "expected the number of GPUs: an integer from 1 to 4294967295, got 0",
    ]);
    expect(at("risk.fleet[0].unitResidual")).to.deep.equal([
      'must not exceed the unit cost ("100")',
    ]);
    expect(at("risk.fleet[0].acquired")).to.deep.equal(["expected a time after 1970, got 0"]);
    expect(at("risk.fleet[0].usefulLifeMonths")).to.deep.equal(["is required (or usefulLife)"]);
    expect(at("risk.fleet[0].yearlyRatePercent")).to.deep.equal([
      "only a declining balance has a yearly rate",
    ]);
    expect(at("risk.fleet[1].yearlyRatePercent")).to.deep.equal([
      "expected a yearly depreciation rate in percent above 0 % and below 100 % (at most 16 decimal places), got 100",
    ]);
  });

  it("marks an entry to the index only when the deal has a price feed", () => {
    const json = clone();
    json.risk!.fleet![0].indexAtAcquisition = "2.40";
    expect(issuesOf(json)).to.deep.equal([
      {
        path: "risk.fleet[0].indexAtAcquisition",
        message: "needs risk.priceFeed (the index to mark it to)",
      },
    ]);
  });
});

describe("SDK term sheets: data-center capacity, land, appraisal marks and facility covenants", () => {
  /** The H100 example as a data center: 10 MW of IT load, at most 0.40 a billed kWh. */
  function site(): Json {
    const json = clone() as Json;
    const { fleetGpus: _gpus, maxPricePerGpuHour: _price, ...oracle } = json.oracle;
    json.oracle = { ...oracle, unit: "kWh", capacityKw: 10_000, maxPricePerKwh: "0.40" };
    json.risk.fleet = [
      { model: "Land", count: 1, unitCost: "3,000,000", acquired: "+7d", method: "none" },
      {
        model: "Building",
        count: 1,
        unitCost: "8,000,000",
        unitResidual: "0",
        acquired: "+7d",
        usefulLifeMonths: 360,
        method: "straightLine",
      },
      {
        model: "M&E plant",
        count: 4,
        unitCost: "1,000,000",
        unitResidual: "100,000",
        acquired: "+7d",
        usefulLife: "5475d",
        method: "straightLine",
      },
    ];
    json.risk.appraisalMaxAge = "400d";
    json.risk.triggers = [
      { metric: "occupancy", belowPct: 60, effect: "cashTrap", cures: true },
      { metric: "pue", above: "1.5", periods: 2, effect: "cashTrap", cures: true },
    ];
    return json;
  }

  it("reads kWh capacity, land at cost, a 30-year building, appraisal marks and occupancy and PUE covenants", () => {
    const { terms } = parseTermSheet(site(), { now: NOW, addresses });
    expect(terms.oracle).to.deep.include({
      unit: CapacityUnit.KilowattHours,
      fleetGpus: 10_000,
      maxPricePerGpuHour: 400_000n,
    });
    const acquiredAt = NOW + 7n * 86_400n;
    expect(terms.risk.fleet[0]).to.deep.equal({
      model: textToBytes16("Land"),
      count: 1,
      unitCost: 3_000_000n * USDC,
      unitResidual: 3_000_000n * USDC,
      acquiredAt,
      usefulLife: 0,
      method: DepreciationMethod.None,
      yearlyRate: 0n,
      indexAtAcquisition: 0n,
    });
    // 360 months of 365/12 days: 30 years, 946 080 000 s.
    expect(terms.risk.fleet[1].usefulLife).to.equal(946_080_000);
    expect(terms.risk.fleet[2]).to.deep.include({ usefulLife: 5_475 * 86_400, count: 4 });
    expect(terms.risk.appraisalMaxAge).to.equal(400 * 86_400);
    expect(terms.risk.triggers).to.deep.equal([
      {
        metric: RiskMetric.Occupancy,
        comparison: TriggerComparison.Below,
        effect: TriggerEffect.CashTrap,
        periods: 1,
        cures: true,
        threshold: 60n * PCT,
      },
      {
        metric: RiskMetric.Pue,
        comparison: TriggerComparison.Above,
        effect: TriggerEffect.CashTrap,
        periods: 2,
        cures: true,
        threshold: (15n * WAD) / 10n,
      },
    ]);
    for (const e of terms.risk.fleet)
      expect(RiskTermsLib.fleetEntryValid(e, false), "as RiskTermsLib takes it").to.equal(true);
    // A land entry may name its residual when it is its cost; the GPU-hours names are the default unit's.
    const explicit = site();
    explicit.risk.fleet[0].unitResidual = "3,000,000.00";
    expect(parseTermSheet(explicit, { now: NOW, addresses }).terms.risk.fleet[0]).to.deep.include({
      unitResidual: 3_000_000n * USDC,
    });
    expect(parseTermSheet(example, { now: NOW, addresses }).terms.oracle.unit).to.equal(
      CapacityUnit.GpuHours,
    );
  });

  it("names the capacity and its price in the deal's unit", () => {
    const gpuNames = site();
    gpuNames.oracle.fleetGpus = 10_000;
    gpuNames.oracle.maxPricePerGpuHour = "0.40";
    delete gpuNames.oracle.capacityKw;
    expect(issuesOf(gpuNames)).to.deep.equal([
      { path: "oracle.fleetGpus", message: 'not for unit "kWh": give capacityKw' },
      { path: "oracle.maxPricePerGpuHour", message: 'not for unit "kWh": give maxPricePerKwh' },
    ]);
    const kwhNames = clone() as Json;
    kwhNames.oracle.capacityKw = 10;
    delete kwhNames.oracle.maxPricePerGpuHour;
    expect(issuesOf(kwhNames)).to.deep.equal([
      { path: "oracle.capacityKw", message: 'not for unit "gpu-hours": give fleetGpus' },
      { path: "oracle.maxPricePerGpuHour", message: 'is required (unit "gpu-hours")' },
    ]);
    const unknown = site();
    unknown.oracle.unit = "MWh";
    expect(issuesOf(unknown)).to.deep.include({
      path: "oracle.unit",
      message: 'expected "gpu-hours" or "kWh", got "MWh"',
    });
  });

  it("refuses land that depreciates, appraisal marks beside a price feed", () => {
    const json = site();
    json.risk.fleet[0] = {
      ...json.risk.fleet[0],
      unitResidual: "1",
      usefulLifeMonths: 12,
      yearlyRatePercent: 5,
    };
    json.risk.fleet[1].method = "none";
    json.risk.priceFeed = { address: "$priceFeed", decimals: 8, maxStalenessHours: 24 };
    expect(issuesOf(json)).to.deep.equal([
      {
        path: "risk.fleet[0].unitResidual",
        message: 'land keeps its cost: leave it out or give the unit cost ("3,000,000")',
      },
      {
        path: "risk.fleet[0].usefulLifeMonths",
        message: "land (method none) keeps its cost for ever: leave it out",
      },
      {
        path: "risk.fleet[0].yearlyRatePercent",
        message: "land (method none) keeps its cost for ever: leave it out",
      },
      {
        path: "risk.fleet[1].unitResidual",
        message: 'land keeps its cost: leave it out or give the unit cost ("8,000,000")',
      },
      {
        path: "risk.fleet[1].usefulLifeMonths",
        message: "land (method none) keeps its cost for ever: leave it out",
      },
      {
        path: "risk.appraisalMaxAge",
        message: "a deal marks its collateral to a price feed or to appraisals, not both",
      },
    ]);
    const noResidual = site();
    delete noResidual.risk.fleet[1].unitResidual;
    expect(issuesOf(noResidual)).to.deep.equal([
      { path: "risk.fleet[1].unitResidual", message: 'is required ("0": no residual value)' },
    ]);
  });
});

// ------------------------------------------------------------------ the examples, the schema, every rule

const EXAMPLES = readdirSync(new URL("../../examples/", import.meta.url)).filter(
  (f) => f.endsWith(".json") && f !== "termsheet.schema.json",
);
const readExample = (file: string): TermSheetJson =>
  JSON.parse(readFileSync(new URL(`../../examples/${file}`, import.meta.url), "utf8"));
const b200 = readExample("b200-datacenter.json");
const allAddresses = {
  ...addresses,
  reporter3: addr("aa"),
  registry: addr("bb"),
  b200Index: addresses.priceFeed,
  // The GPU halls' site: the campus deal (examples/campus-10mw.json).
  campus: addr("cc"),
};
// Free-form JSON the cases edit in place.
type Json = Record<string, any>;

/** Issues of the B200 example after `mutate`. */
function issuesAfter(mutate: (j: Json) => void, options = { now: NOW, addresses: allAddresses }) {
  const json = structuredClone(b200) as Json;
  mutate(json);
  return issuesOf(json, options);
}

describe("SDK term sheets: examples, JSON Schema and the rules across fields", () => {
  it("parses every example and each names the generated JSON Schema", () => {
    expect(EXAMPLES).to.include.members([
      "h100-fleet.json",
      "h100-stressed.json",
      "b200-datacenter.json",
      "campus-10mw.json",
      "h100-campus.json",
    ]);
    for (const file of EXAMPLES) {
      const json = readExample(file);
      expect(json.$schema, file).to.equal("./termsheet.schema.json");
      expect(termSheetSchema.safeParse(json).success, file).to.equal(true);
      const { terms } = parseTermSheet(json, { now: NOW, addresses: allAddresses });
      expect(terms.tranches.at(-1)?.kind, file).to.equal(TrancheKind.Equity);
    }
  });

  it("parses the B200 example: basis points, durations, an acquisition before now and a declining balance", () => {
    const { terms } = parseTermSheet(b200, { now: NOW, addresses: allAddresses });
    expect(terms.servicerFeeBps).to.equal(125);
    expect(terms.oracle.threshold).to.equal(3);
    expect(terms.oracle.reporters).to.have.length(4);
    expect(terms.oracle.maxUtilizationStep).to.equal(20n * PCT);
    expect(terms.tranches[0].reserveFundingBps).to.equal(150);
    expect(terms.tranches[0].coupon.baseRate).to.equal((725n * PCT) / 100n);
    expect(terms.tranches[1].coupon).to.deep.equal({
      couponType: CouponType.UtilizationLinked,
      baseRate: (105n * PCT) / 10n,
      slope: (15n * WAD) / 100n,
      strike: 80n * PCT,
      floorRate: 9n * PCT,
      capRate: 13n * PCT,
    });
    expect(terms.tranches[1].principal.scheduleType).to.equal(PrincipalType.Bullet);
    const r = terms.risk;
    expect([r.trailingPeriods, r.cleanUpBps, r.turbo, r.waiverVotingPeriod]).to.deep.equal([
      6,
      500,
      true,
      10 * 86_400,
    ]);
    expect(r.priceFeed).to.deep.equal({
      feed: addresses.priceFeed,
      decimals: 8,
      maxStaleness: 2 * 86_400,
    });
    expect(r.fleet[0]).to.deep.include({
      acquiredAt: NOW - 30n * 86_400n, // "-30d": delivered a month before the term sheet
      usefulLife: 60 * 2_628_000,
      method: DepreciationMethod.DecliningBalance,
      yearlyRate: 30n * PCT,
      indexAtAcquisition: 480_000_000n,
    });
    expect(r.fleet[1]).to.deep.include({ usefulLife: 1_825 * 86_400, indexAtAcquisition: 0n });
    // The fleet's GPUs are the oracle's bound; notes are 65 % of the capital.
    expect(r.fleet.reduce((a, e) => a + e.count, 0)).to.equal(terms.oracle.fleetGpus);
    const total = terms.tranches.reduce((a, t) => a + t.faceAmount, 0n);
    expect(((terms.tranches[0].faceAmount + terms.tranches[1].faceAmount) * 100n) / total).to.equal(
      65n,
    );
  });

  it("keeps examples/termsheet.schema.json generated from the zod schema (npm run schema)", () => {
    const file = JSON.parse(
      readFileSync(new URL("../../examples/termsheet.schema.json", import.meta.url), "utf8"),
    );
    expect(file).to.deep.equal(termSheetJsonSchema());
    expect(file.required).to.include.members(["stablecoin", "oracle", "tranches"]);
    expect(file.additionalProperties).to.equal(false);
  });

  it("reports every error of a wrong term sheet at once, each with its path and what was expected", () => {
    const issues = issuesAfter((j) => {
      j.decimals = 19;
      j.issuer = "issuer";
      j.servicer = "$nobody";
      j.offeringClosesAt = "next week";
      j.periodLength = "0d";
      j.pledgedSharePct = 120;
      j.servicerFeePct = 1;
      j.keeperBounty = -5;
      j.oracle.threshold = 5;
      j.oracle.reportDeadline = "2d";
      j.oracle.maxUtilizationStepBps = 0;
      j.oracle.fleetGpus = 1.5;
      j.risk.trailingPeriods = 24;
      j.risk.triggers[1].cures = true;
      j.risk.triggers[2].metric = "leverage";
      j.risk.fleet[0].unitResidual = "50,000";
      j.risk.fleet[1].method = "straightLine";
      j.tranches[0].coupon.baseRatePct = 7.25;
      j.tranches[0].principal.periods = 19;
      j.tranches[1].coupon.floorRatePct = 11;
      j.tranches[1].minTicket = "8,000,000";
      j.tranches[2].name = "Cascade B200 Project Equity Class of 2026";
      j.tranches[2].principal = { type: "bullet" };
      j.tranche = [];
    });
    expect(issues).to.deep.equal([
      {
        path: "decimals",
        message: "expected the stablecoin's decimals: an integer from 0 to 18, got 19",
      },
      {
        path: "issuer",
        message:
          'expected an address "0x…" (40 hex digits) or a placeholder like "$issuer", got "issuer"',
      },
      {
        path: "servicer",
        message: 'placeholder "$nobody" has no address (pass options.addresses.nobody)',
      },
      {
        path: "offeringClosesAt",
        message:
          'expected an ISO-8601 time with a zone ("2026-01-01T00:00:00Z"), unix seconds, or an offset from now like "+7d" or "-30d", got "next week"',
      },
      { path: "periodLength", message: 'expected a positive duration, got "0d"' },
      {
        path: "pledgedSharePct",
        message:
          "expected a percentage above 0 % and at most 100 % (at most 2 decimal places), got 120",
      },
      { path: "servicerFeeBps", message: "give either servicerFeePct or servicerFeeBps, not both" },
      {
        path: "keeperBounty",
        message:
          'expected an amount in whole stablecoin units: a decimal string like "25,000,000" or "0.5", or a non-negative number, got -5',
      },
      { path: "oracle.threshold", message: "expected at most the number of reporters (4), got 5" },
      {
        path: "oracle.reportDeadline",
        message:
          'must be longer than the dispute window ("3d"): a report proposed before the deadline must become final',
      },
      {
        path: "oracle.fleetGpus",
        message: "expected the GPUs in the fleet: an integer from 1 to 4294967295, got 1.5",
      },
      {
        path: "oracle.maxUtilizationStepBps",
        message:
          "expected basis points above 0 and at most 10000 (at most 14 decimal places), got 0",
      },
      {
        path: "risk.trailingPeriods",
        message: "expected the trailing DSCR window in periods: an integer from 1 to 12, got 24",
      },
      {
        path: "risk.triggers[1].cures",
        message: "an acceleration trigger always latches (until waived): expected false",
      },
      {
        path: "risk.triggers[2].metric",
        message:
          'expected one of "dscr", "trailingDscr", "utilization", "ltv", "seniorCurve", "reserveLevel", "servicerShortfall", "missedReport", "occupancy", "pue", got "leverage"',
      },
      { path: "risk.fleet[0].unitResidual", message: 'must not exceed the unit cost ("41,500")' },
      {
        path: "risk.fleet[1].yearlyRatePercent",
        message: "only a declining balance has a yearly rate",
      },
      {
        path: "tranches[0].coupon.baseRateBps",
        message: "give either baseRatePct or baseRateBps, not both",
      },
      {
        path: "tranches[0].principal",
        message:
          "installments end after the last period: startPeriod + periods = 25, expected at most periodCount (24)",
      },
      { path: "tranches[1].minTicket", message: 'must not exceed the face amount ("7,200,000")' },
      {
        path: "tranches[1].coupon.baseRatePct",
        message: "must lie between the floor rate (11) and the cap rate (13)",
      },
      {
        path: "tranches[2].name",
        message:
          'expected a name of 1 to 31 bytes, got "Cascade B200 Project Equity Class of 2026"',
      },
      { path: "tranches[2].principal", message: "equity has no principal schedule" },
      { path: "tranche", message: "unknown field" },
    ]);
  });

  /**
   * One case per rule across fields, each on an otherwise valid term sheet: the rule's source, the change, and the
   * one issue it must give.
   */
  const RULES: [string, (j: Json) => void, string, string][] = [
    // TermSheetLib.validate
    [
      "OfferingWindow: opens before it closes",
      (j) => (j.offeringOpensAt = "+15d"),
      "offeringClosesAt",
      'must be after offeringOpensAt ("+15d")',
    ],
    [
      "OfferingWindow: closes in the future",
      (j) => (
        (j.offeringOpensAt = 1_700_000_000),
        (j.offeringClosesAt = "2027-01-15T08:00:00Z"),
        (j.start = "+14d")
      ),
      "offeringClosesAt",
      // 2027-01-15T08:00:00Z is 1800000000: closing at "now" is already too late.
      "must be in the future (now is 1800000000, it is 1800000000)",
    ],
    [
      "Start: not before the offering closes",
      (j) => (j.start = "+13d"),
      "start",
      'must not be before offeringClosesAt ("+14d")',
    ],
    [
      "Start: the last period ends within uint64",
      (j) => (
        (j.offeringOpensAt = "1"),
        (j.offeringClosesAt = "18446744073709000000"),
        (j.start = "18446744073709000000")
      ),
      "start",
      "the last period would end beyond 2^64 − 1 seconds",
    ],
    [
      "PledgedShare: given once",
      (j) => (j.pledgedShareBps = 8_000),
      "pledgedShareBps",
      "give either pledgedSharePct or pledgedShareBps, not both",
    ],
    [
      "ServicerFee: required",
      (j) => delete j.servicerFeeBps,
      "servicerFeePct",
      "is required (or servicerFeeBps)",
    ],
    [
      "TrancheKind: equity comes last",
      (j) => {
        j.tranches[1] = { ...j.tranches[2], symbol: "B200-EQ0" };
      },
      "tranches[1].kind",
      'expected "note": notes come first by rank and only the last tranche is equity (several equity classes need an "equity" waterfall)',
    ],
    [
      "TrancheKind: the last tranche is equity",
      (j) => (j.tranches[2] = { ...j.tranches[1], symbol: "B200-C" }),
      "tranches[2].kind",
      'expected "equity": the last tranche is the equity class',
    ],
    [
      "MinRaise: at most the face",
      (j) => (j.tranches[0].minRaise = "24,000,001"),
      "tranches[0].minRaise",
      'must not exceed the face amount ("24,000,000")',
    ],
    [
      "MinTicket: at most the face",
      (j) => (j.tranches[2].minTicket = "17,000,000"),
      "tranches[2].minTicket",
      'must not exceed the face amount ("16,800,000")',
    ],
    [
      "ReserveFunding: given once",
      (j) => (j.tranches[0].reserveFundingPct = 1.5),
      "tranches[0].reserveFundingBps",
      "give either reserveFundingPct or reserveFundingBps, not both",
    ],
    [
      "Coupon: a note has one",
      (j) => delete j.tranches[0].coupon,
      "tranches[0].coupon",
      'is required for a note: { "type": "fixed" | "utilization-linked", … }',
    ],
    [
      "Coupon: equity has none",
      (j) => (j.tranches[2].coupon = { type: "fixed", baseRatePct: 0 }),
      "tranches[2].coupon",
      "equity has no coupon (it takes the residual)",
    ],
    [
      "Coupon: a fixed coupon has only a base rate",
      (j) => (j.tranches[0].coupon.capRatePct = 9),
      "tranches[0].coupon.capRatePct",
      "a fixed coupon has only a base rate",
    ],
    [
      "Coupon: a linked coupon has a slope",
      (j) => delete j.tranches[1].coupon.slope,
      "tranches[1].coupon.slope",
      "is required for a utilization-linked coupon",
    ],
    [
      "Coupon: a linked coupon has a strike",
      (j) => delete j.tranches[1].coupon.strikePct,
      "tranches[1].coupon.strikePct",
      "is required (or strikeBps): the utilization the base rate is paid at",
    ],
    [
      "Coupon: floor ≤ cap",
      (j) => (j.tranches[1].coupon.floorRatePct = 14),
      "tranches[1].coupon.floorRatePct",
      "must not exceed the cap rate (capRatePct 13)",
    ],
    [
      "Coupon: floor ≤ base ≤ cap",
      (j) => (j.tranches[1].coupon.capRateBps = (delete j.tranches[1].coupon.capRatePct, 1_000)),
      "tranches[1].coupon.baseRatePct",
      "must lie between the floor rate (9) and the cap rate (1000)",
    ],
    [
      "Principal: a note has one",
      (j) => delete j.tranches[1].principal,
      "tranches[1].principal",
      'is required for a note: { "type": "bullet" | "straight-line", … }',
    ],
    [
      "Principal: a bullet has no installments",
      (j) => (j.tranches[1].principal.periods = 3),
      "tranches[1].principal",
      "a bullet note has no installments (no startPeriod or periods)",
    ],
    [
      "Principal: straight-line has a number of installments",
      (j) => delete j.tranches[0].principal.periods,
      "tranches[0].principal.periods",
      "is required for a straight-line schedule",
    ],
    [
      "Principal: installments end by the last period",
      (j) => (j.periodCount = 23),
      "tranches[0].principal",
      "installments end after the last period: startPeriod + periods = 24, expected at most periodCount (23)",
    ],
    // UtilizationOracle.registerDeal and _checkSet
    [
      "reporters: distinct",
      (j) => (j.oracle.reporters[3] = "$reporter1"),
      "oracle.reporters[3]",
      "duplicate of reporters[1] ($reporter1)",
    ],
    [
      "reporters: distinct once resolved",
      (j) => (j.oracle.reporters[3] = addr("77")),
      "oracle.reporters[3]",
      `resolves to the same address as reporters[1] (${addr("77")})`,
    ],
    [
      "threshold ≤ reporters",
      (j) => j.oracle.reporters.splice(2),
      "oracle.threshold",
      "expected at most the number of reporters (2), got 3",
    ],
    [
      "ReportDeadline: after the dispute window",
      (j) => (j.oracle.reportDeadline = 259_200),
      "oracle.reportDeadline",
      'must be longer than the dispute window ("3d"): a report proposed before the deadline must become final',
    ],
    [
      "MaxUtilizationStep: required",
      (j) => delete j.oracle.maxUtilizationStepBps,
      "oracle.maxUtilizationStepPct",
      "is required (or maxUtilizationStepBps)",
    ],
    // RiskTermsLib
    [
      "CleanUp: given once",
      (j) => (j.risk.cleanUpPercent = 5),
      "risk.cleanUpBps",
      "give only one of cleanUpPercent, cleanUpPct, cleanUpBps (got cleanUpPercent and cleanUpBps)",
    ],
    [
      "WaiverPeriod: given once",
      (j) => (j.risk.waiverVotingDays = 10),
      "risk.waiverVotingPeriod",
      "give either waiverVotingDays or waiverVotingPeriod, not both",
    ],
    [
      "PriceFeed: staleness given once",
      (j) => (j.risk.priceFeed.maxStalenessHours = 48),
      "risk.priceFeed.maxStaleness",
      "give either maxStalenessHours or maxStaleness, not both",
    ],
    [
      "Trigger: one threshold",
      (j) => (j.risk.triggers[0].abovePct = 5),
      "risk.triggers[0].abovePct",
      "give only one of below, above, belowPct, abovePct (got below and abovePct)",
    ],
    [
      "Trigger: a threshold unless it counts missed reports",
      (j) => delete j.risk.triggers[2].belowPct,
      "risk.triggers[2].below",
      "is required (or above or belowPct or abovePct)",
    ],
    [
      "Trigger: acceleration latches",
      (j) => (j.risk.triggers[6].cures = true),
      "risk.triggers[6].cures",
      "an acceleration trigger always latches (until waived): expected false",
    ],
    [
      "Fleet: residual ≤ cost",
      (j) => (j.risk.fleet[1].unitResidual = "41,500.01"),
      "risk.fleet[1].unitResidual",
      'must not exceed the unit cost ("41,500")',
    ],
    [
      "Fleet: one useful life",
      (j) => (j.risk.fleet[1].usefulLifeMonths = 60),
      "risk.fleet[1].usefulLife",
      "give either usefulLifeMonths or usefulLife, not both",
    ],
    [
      "Fleet: a declining balance has a rate",
      (j) => delete j.risk.fleet[0].yearlyRatePercent,
      "risk.fleet[0].yearlyRatePercent",
      "is required for a declining balance",
    ],
    [
      "Fleet: marked to an index only with a feed",
      (j) => delete j.risk.priceFeed,
      "risk.fleet[0].indexAtAcquisition",
      "needs risk.priceFeed (the index to mark it to)",
    ],
    [
      "Fleet: the index in the feed's decimals",
      (j) => (j.risk.fleet[0].indexAtAcquisition = "4.800000001"),
      "risk.fleet[0].indexAtAcquisition",
      "has more decimal places than the feed's 8",
    ],
    [
      "Fleet: acquired after 1970",
      (j) => (j.risk.fleet[0].acquired = 0),
      "risk.fleet[0].acquired",
      "expected a time after 1970, got 0",
    ],
    // Widths and decimals of the struct (parseTermSheet)
    [
      "FaceAmount: fits uint96",
      (j) => (j.tranches[2].face = "79,228,162,514,264,337,593,543.950336"),
      "tranches[2].face",
      'expected at most 79228162514264337593543.950335 (uint96 in base units of 6 decimals), got "79,228,162,514,264,337,593,543.950336"',
    ],
    [
      "decimals: in the file or the options",
      (j) => delete j.decimals,
      "decimals",
      "is required (or options.decimals): the stablecoin's decimals, 0 to 18",
    ],
    [
      "amounts: the stablecoin's decimals",
      (j) => (j.keeperBounty = "50.0000001"),
      "keeperBounty",
      '"50.0000001" has more than 6 decimal places',
    ],
  ];

  it("takes the stablecoin's decimals from the options over the file's", () => {
    const json = structuredClone(b200) as Json;
    delete json.decimals;
    const { terms, decimals } = parseTermSheet(json, {
      now: NOW,
      addresses: allAddresses,
      decimals: 18,
    });
    expect(decimals).to.equal(18);
    expect(terms.keeperBounty).to.equal(50n * 10n ** 18n);
  });

  for (const [rule, mutate, path, message] of RULES) {
    it(`rule across fields — ${rule}`, () => {
      expect(issuesAfter(mutate)).to.deep.equal([{ path, message }]);
    });
  }
});

// ------------------------------------------------------------------ round trip through DealFactory.createDeal

// ------------------------------------------------------------------ the equity waterfall

/**
 * The B200 example with three equity classes — preferred equity, LP common and the sponsor's promote — and the
 * waterfall of docs/equity.md's worked example: 8 % pref, capital back, full catch-up to 20 %, 80/20 to a 15 % IRR,
 * then 70/30.
 */
function withEquity(): Json {
  const json = structuredClone(b200) as Json;
  const equity = json.tranches[2];
  json.tranches = [
    json.tranches[0],
    json.tranches[1],
    {
      ...equity,
      name: "Cascade B200 Preferred Equity",
      symbol: "B200-PE",
      face: "6,000,000",
      minRaise: "1,000,000",
    },
    {
      ...equity,
      name: "Cascade B200 LP Common",
      symbol: "B200-LP",
      face: "10,000,000",
      minRaise: "5,000,000",
    },
    {
      ...equity,
      name: "Cascade B200 Sponsor Promote",
      symbol: "B200-GP",
      face: "800,000",
      minRaise: "500,000",
      minTicket: "100,000",
    },
  ];
  json.equity = {
    sponsor: "B200-GP",
    tiers: [
      { tier: "preferredReturn", classes: ["B200-PE", "B200-LP"], ratePct: 8, byRank: true },
      {
        tier: "returnOfCapital",
        classes: ["B200-PE", "B200-LP", "Cascade B200 Sponsor Promote"],
        byRank: true,
      },
      { tier: "catchUp", classes: ["B200-PE", "B200-LP"], sponsorSharePct: 100, targetPct: 20 },
      { tier: "split", classes: ["B200-PE", "B200-LP"], sponsorSharePct: 20, hurdlePct: 15 },
      {
        tier: "split",
        classes: ["B200-PE", "B200-LP"],
        sponsorShareBps: 3_000,
        notes: "above 15 %",
      },
    ],
  };
  return json;
}

/** Issues of {@link withEquity} after `mutate`. */
function equityIssuesAfter(mutate: (j: Json) => void) {
  const json = withEquity();
  mutate(json);
  return issuesOf(json, { now: NOW, addresses: allAddresses });
}

describe("SDK term sheets: the equity waterfall", () => {
  it("parses the equity section into EquityTerms: classes as bits after the notes, bps, WAD", () => {
    const { terms } = parseTermSheet(withEquity(), { now: NOW, addresses: allAddresses });
    expect(terms.tranches.map((t) => t.kind)).to.deep.equal([
      TrancheKind.Note,
      TrancheKind.Note,
      TrancheKind.Equity,
      TrancheKind.Equity,
      TrancheKind.Equity,
    ]);
    const base = { byRank: false, compounding: false, sponsorBps: 0, targetBps: 0, rate: 0n };
    expect(terms.equity).to.deep.equal({
      sponsorClass: 2,
      tiers: [
        { ...base, kind: EquityTier.PreferredReturn, classes: 0b011, byRank: true, rate: 8n * PCT },
        { ...base, kind: EquityTier.ReturnOfCapital, classes: 0b111, byRank: true },
        { ...base, kind: EquityTier.CatchUp, classes: 0b011, sponsorBps: 10_000, targetBps: 2_000 },
        { ...base, kind: EquityTier.Split, classes: 0b011, sponsorBps: 2_000, rate: 15n * PCT },
        { ...base, kind: EquityTier.Split, classes: 0b011, sponsorBps: 3_000 },
      ],
    } satisfies EquityTerms);
    // Without an equity section: one equity class takes the residual.
    expect(parseTermSheet(b200, { now: NOW, addresses: allAddresses }).terms.equity).to.deep.equal(
      NO_EQUITY_WATERFALL,
    );
  });

  it("reads basis points, compounding and fractional rates, and classes in any order", () => {
    const json = withEquity();
    json.equity.tiers[0] = {
      tier: "preferredReturn",
      classes: ["B200-LP", "Cascade B200 Preferred Equity"],
      rateBps: "812.5",
      compounding: true,
    };
    json.equity.tiers[3].hurdlePct = "12.75";
    json.equity.tiers[2] = {
      tier: "catchUp",
      classes: ["B200-LP"],
      sponsorShareBps: 5_000,
      targetBps: 2_000,
    };
    const { equity } = parseTermSheet(json, { now: NOW, addresses: allAddresses }).terms;
    expect(equity.tiers[0]).to.deep.include({
      classes: 0b011,
      compounding: true,
      byRank: false,
      rate: (8125n * PCT) / 1_000n,
    });
    expect(equity.tiers[2]).to.deep.include({
      classes: 0b010,
      sponsorBps: 5_000,
      targetBps: 2_000,
    });
    expect(equity.tiers[3].rate).to.equal((1275n * PCT) / 100n);
  });

  it("lists every problem of the equity section at once, each with its path", () => {
    const issues = equityIssuesAfter((j) => {
      j.equity.sponsor = "B200-LP";
      j.equity.tiers = [
        {
          tier: "preferredReturn",
          classes: ["B200-PE", "B200-A"],
          ratePct: 120,
          sponsorSharePct: 3,
        },
        {
          tier: "preferredReturn",
          classes: ["B200-PE", "B200-GP", "B200-GP", "B200-X"],
          rateBps: 800,
          ratePct: 8,
        },
        { tier: "catchUp", classes: ["B200-PE", "B200-LP"], sponsorSharePct: 20, targetPct: 20 },
        { tier: "split", classes: ["B200-PE"], sponsorSharePct: 100, hurdlePct: 15 },
        { tier: "split", classes: ["B200-PE"], sponsorSharePct: 10, hurdlePct: 12 },
        { tier: "split", classes: ["B200-PE"], sponsorSharePct: 10 },
        { tier: "bonus", classes: [] },
      ];
    });
    expect(issues).to.deep.equal([
      {
        path: "equity.tiers[0].classes[1]",
        message:
          'names a note (tranches[0]): expected an equity tranche ("B200-PE", "B200-LP", "B200-GP")',
      },
      {
        path: "equity.tiers[0].ratePct",
        message:
          "expected a percentage above 0 % and at most 100 % (at most 16 decimal places), got 120",
      },
      {
        path: "equity.tiers[0].sponsorSharePct",
        message:
          "a preferred-return tier has no sponsor share (only a catch-up or a split pays the sponsor)",
      },
      {
        path: "equity.tiers[1].classes[0]",
        message:
          "already earns a preferred return in equity.tiers[0]: a class is in at most one preferred-return tier",
      },
      {
        path: "equity.tiers[1].classes[2]",
        message: "names the same tranche as classes[1] (tranches[4])",
      },
      {
        path: "equity.tiers[1].classes[3]",
        message:
          'names no tranche: expected the name or symbol of an equity tranche ("B200-PE", "B200-LP", "B200-GP")',
      },
      { path: "equity.tiers[1].rateBps", message: "give either ratePct or rateBps, not both" },
      {
        path: "equity.tiers[2].classes[1]",
        message:
          "is the sponsor's class: a catch-up or split shares its cash between the sponsor and the LP classes listed here",
      },
      {
        path: "equity.tiers[2].sponsorSharePct",
        message:
          "must exceed the target (targetPct 20): the sponsor catches up only while it takes more than its target share",
      },
      {
        path: "equity.tiers[3].sponsorSharePct",
        message:
          "must be below 100 % in a split with a hurdle (the LP classes reach their hurdle through it)",
      },
      {
        path: "equity.tiers[4].hurdlePct",
        message:
          "must be above the previous hurdle (equity.tiers[3].hurdlePct 15): hurdles increase tier by tier",
      },
      {
        path: "equity.tiers[5].hurdlePct",
        message: "is required (or hurdleBps): only the last tier is a split without hurdle",
      },
      {
        path: "equity.tiers[6].tier",
        message: 'expected "returnOfCapital", "preferredReturn", "catchUp", "split", got "bonus"',
      },
      {
        path: "equity.tiers[6].tier",
        message:
          'expected "split": the last tier is a split without hurdle (it takes all the cash left)',
      },
      { path: "equity.tiers[6].classes", message: "needs at least one equity class" },
    ]);
  });

  /** Each rule of TermSheetLib's equity validation: the mutation, the path and the message. */
  const EQUITY_RULES: [string, (j: Json) => void, string, string][] = [
    [
      "EquityClass: notes first, then the equity classes",
      (j) => ([j.tranches[1], j.tranches[2]] = [j.tranches[2], j.tranches[1]]),
      "tranches[2].kind",
      'expected "equity": notes come first by rank, then the equity classes',
    ],
    [
      "EquityClass: at least one note",
      (j) => {
        j.tranches = j.tranches.slice(2);
        j.reserveTarget = "0";
      },
      "tranches[0].kind",
      'expected "note": a deal has at least one note, and the notes come first by rank',
    ],
    [
      "EquityClass: two or more equity classes",
      (j) => {
        j.tranches = j.tranches.slice(0, 3);
        j.equity = {
          sponsor: "B200-PE",
          tiers: [{ tier: "returnOfCapital", classes: ["B200-PE"] }],
        };
      },
      "equity",
      "an equity waterfall pays two or more equity classes; the term sheet has 1 equity tranche",
    ],
    [
      "EquityClass: the sponsor names an equity tranche",
      (j) => (j.equity.sponsor = "B200-B"),
      "equity.sponsor",
      'names a note (tranches[1]): expected an equity tranche ("B200-PE", "B200-LP", "B200-GP")',
    ],
    [
      "EquityClass: a name is unambiguous",
      (j) => (j.tranches[3].name = "B200-GP"),
      "equity.sponsor",
      "is ambiguous: the name or symbol of tranches[3] and tranches[4]",
    ],
    [
      "EquityTier: at most 8 tiers",
      (j) =>
        j.equity.tiers.unshift(...Array(4).fill({ tier: "returnOfCapital", classes: ["B200-PE"] })),
      "equity.tiers",
      "at most 8 tiers",
    ],
    [
      "EquityTier: at least one tier",
      (j) => (j.equity.tiers = []),
      "equity.tiers",
      "needs at least one tier (the last is a split without hurdle)",
    ],
    [
      "EquityTier: classes are named",
      (j) => (j.equity.tiers[1].classes = []),
      "equity.tiers[1].classes",
      "needs at least one equity class",
    ],
    [
      "EquityTier: the sponsor is no LP class of a split",
      (j) => j.equity.tiers[4].classes.push("B200-GP"),
      "equity.tiers[4].classes[2]",
      "is the sponsor's class: a catch-up or split shares its cash between the sponsor and the LP classes listed here",
    ],
    [
      "EquityTier: a class in at most one preferred-return tier",
      (j) =>
        j.equity.tiers.splice(1, 0, { tier: "preferredReturn", classes: ["B200-LP"], ratePct: 9 }),
      "equity.tiers[1].classes[0]",
      "already earns a preferred return in equity.tiers[0]: a class is in at most one preferred-return tier",
    ],
    [
      "EquityTier: a preferred return above 0",
      (j) => (j.equity.tiers[0].ratePct = 0),
      "equity.tiers[0].ratePct",
      "expected a percentage above 0 % and at most 100 % (at most 16 decimal places), got 0",
    ],
    [
      "EquityTier: a preferred return needs its rate",
      (j) => delete j.equity.tiers[0].ratePct,
      "equity.tiers[0].ratePct",
      "is required for a preferred-return tier (or rateBps)",
    ],
    [
      "EquityTier: a catch-up's target above 0",
      (j) => (j.equity.tiers[2].targetPct = 0),
      "equity.tiers[2].targetPct",
      "expected a percentage above 0 % and at most 100 % (at most 2 decimal places), got 0",
    ],
    [
      "EquityTier: a catch-up's share above its target",
      (j) => (j.equity.tiers[2].sponsorSharePct = 15),
      "equity.tiers[2].sponsorSharePct",
      "must exceed the target (targetPct 20): the sponsor catches up only while it takes more than its target share",
    ],
    [
      "EquityTier: a catch-up needs its target",
      (j) => delete j.equity.tiers[2].targetPct,
      "equity.tiers[2].targetPct",
      "is required for a catch-up tier (or targetBps)",
    ],
    [
      "EquityTier: a split with a hurdle leaves the LP classes a share",
      (j) => (j.equity.tiers[3].sponsorSharePct = 100),
      "equity.tiers[3].sponsorSharePct",
      "must be below 100 % in a split with a hurdle (the LP classes reach their hurdle through it)",
    ],
    [
      "EquityTier: hurdles strictly increase",
      (j) =>
        j.equity.tiers.splice(4, 0, {
          tier: "split",
          classes: ["B200-LP"],
          sponsorSharePct: 30,
          hurdlePct: 15,
        }),
      "equity.tiers[4].hurdlePct",
      "must be above the previous hurdle (equity.tiers[3].hurdlePct 15): hurdles increase tier by tier",
    ],
    [
      "EquityTier: a hurdle at most 100 %",
      (j) => (j.equity.tiers[3].hurdlePct = "100.01"),
      "equity.tiers[3].hurdlePct",
      'expected a percentage above 0 % and at most 100 % (at most 16 decimal places), got "100.01"',
    ],
    [
      "EquityTier: at most 3 hurdles",
      (j) =>
        j.equity.tiers.splice(
          4,
          0,
          ...[16, 17, 18].map((h) => ({
            tier: "split",
            classes: ["B200-LP"],
            sponsorSharePct: 30,
            hurdlePct: h,
          })),
        ),
      "equity.tiers[6].hurdlePct",
      "at most 3 splits have a hurdle",
    ],
    [
      "EquityTier: the last tier is a split",
      (j) => (j.equity.tiers[4] = { tier: "returnOfCapital", classes: ["B200-LP"] }),
      "equity.tiers[4].tier",
      'expected "split": the last tier is a split without hurdle (it takes all the cash left)',
    ],
    [
      "EquityTier: the last split has no hurdle",
      (j) => (j.equity.tiers[4].hurdlePct = 20),
      "equity.tiers[4].hurdlePct",
      "the last tier is a split without hurdle: it takes all the cash left",
    ],
    [
      "EquityTier: only the last split goes without hurdle",
      (j) => delete j.equity.tiers[3].hurdlePct,
      "equity.tiers[3].hurdlePct",
      "is required (or hurdleBps): only the last tier is a split without hurdle",
    ],
    [
      "EquityTier: a split has no rate",
      (j) => (j.equity.tiers[4].ratePct = 5),
      "equity.tiers[4].ratePct",
      "a split tier has no rate (only a preferred return has one; a split's IRR is its hurdle)",
    ],
    [
      "EquityTier: only return of capital and preferred return go by rank",
      (j) => (j.equity.tiers[2].byRank = true),
      "equity.tiers[2].byRank",
      "a catch-up tier has no byRank (rank order is for return of capital and preferred return)",
    ],
    [
      "EquityTier: an unknown field",
      (j) => (j.equity.tiers[1].hurdle = "8%"),
      "equity.tiers[1].hurdle",
      "unknown field",
    ],
    [
      "TrancheKind: several equity classes need a waterfall",
      (j) => delete j.equity,
      "tranches[2].kind",
      'expected "note": notes come first by rank and only the last tranche is equity (several equity classes need an "equity" waterfall)',
    ],
  ];
  for (const [rule, mutate, path, message] of EQUITY_RULES) {
    it(`equity rule — ${rule}`, () => {
      const issues = equityIssuesAfter(mutate);
      expect(issues.filter((i) => i.path === path)).to.deep.equal([{ path, message }]);
      // And nothing else, except where removing the waterfall makes each extra equity class a problem, or one
      // equity class leaves no waterfall that could be valid.
      if (!rule.startsWith("TrancheKind") && !rule.endsWith("two or more equity classes"))
        expect(issues, JSON.stringify(issues)).to.have.length(1);
    });
  }

  it("keeps names resolved when another part of the section fails", () => {
    // A broken tier makes zod drop the whole section from what its checks see: the parser still names the class.
    const issues = equityIssuesAfter((j) => {
      j.equity.tiers[0].ratePct = "lots";
      j.equity.tiers[1].classes[0] = "B200-A";
    });
    expect(issues.map((i) => i.path)).to.deep.equal([
      "equity.tiers[0].ratePct",
      "equity.tiers[1].classes[0]",
    ]);
  });
});

describe("SDK term sheets: the investor registry and transfer rules", () => {
  const DAY = 86_400;
  const SANCTIONED = [192, 364, 408, 760];

  it("reads the B200 example's registry and each tranche's rules into TransferRules.Rules", () => {
    const { terms } = parseTermSheet(b200, { now: NOW, addresses: allAddresses });
    expect(terms.registry).to.equal(getAddress(allAddresses.registry));
    const [a, b, eq] = terms.tranches.map((t) => t.transfer);
    expect(a).to.deep.equal({
      allowedClasses: INVESTOR_CLASSES.accredited | INVESTOR_CLASSES["qualified-purchaser"],
      minHoldingPeriod: 0,
      maxHolders: 0,
      minHolding: 100_000n * USDC,
      blockedCountries: countryBitmap(SANCTIONED),
    });
    expect(b).to.deep.include({ minHoldingPeriod: 365 * DAY, maxHolders: 2_000 });
    expect(investorClassNames(eq.allowedClasses)).to.deep.equal([
      "qualified-purchaser",
      "institutional",
    ]);
    expect(eq.minHolding).to.equal(0n);
    // Country c is bit c % 256 of word c / 256: 192 in word 0, 364 and 408 in word 1, 760 in word 2.
    expect(countryCodes(eq.blockedCountries)).to.deep.equal(SANCTIONED);
    expect(eq.blockedCountries[0]).to.equal(1n << 192n);
    expect(eq.blockedCountries[1]).to.equal((1n << 108n) | (1n << 152n));
    expect(eq.blockedCountries[2]).to.equal(1n << 248n);
    expect(eq.blockedCountries[3]).to.equal(0n);
  });

  it("takes class names or raw flag masks, and a registry as an address", () => {
    const json = structuredClone(b200) as Json;
    json.registry = addr("cd");
    json.tranches[0].transfer = { allowedClasses: ["professional", 64] };
    json.tranches[1].transfer = { allowedClasses: [5], minHoldingPeriod: 3_600 };
    json.tranches[2].transfer = {};
    const { terms } = parseTermSheet(json, { now: NOW, addresses: allAddresses });
    expect(terms.registry).to.equal(getAddress(addr("cd")));
    expect(terms.tranches[0].transfer.allowedClasses).to.equal(8 | 64);
    expect(investorClassNames(8 | 64)).to.deep.equal(["professional", 64]);
    expect(terms.tranches[1].transfer).to.deep.include({
      allowedClasses: 5,
      minHoldingPeriod: 3_600,
    });
    expect(terms.tranches[2].transfer).to.deep.equal(NO_TRANSFER_RULES);
    expect(investorClassMask("accredited, non-us-person")).to.equal(5);
    expect(investorClassMask(["accredited", "nope"])).to.match(/unknown investor class "nope"/);
  });

  it("refuses transfer rules without a registry", () => {
    expect(
      issuesAfter((j) => {
        delete j.registry;
      }),
    ).to.deep.equal(
      [0, 1, 2].map((i) => ({
        path: `tranches[${i}].transfer`,
        message:
          'transfer rules need an investor registry: give "registry" (without one the tokens are unrestricted)',
      })),
    );
  });

  it("refuses an unknown investor class, naming the known ones", () => {
    expect(
      issuesAfter((j) => {
        j.tranches[0].transfer.allowedClasses = ["accredited", "retail"];
        j.tranches[1].transfer.allowedClasses = [0];
      }),
    ).to.deep.equal([
      {
        path: "tranches[0].transfer.allowedClasses[1]",
        message:
          'unknown investor class "retail" (known: accredited, qualified-purchaser, non-us-person, professional, institutional; or a number)',
      },
      {
        path: "tranches[1].transfer.allowedClasses[0]",
        message:
          'expected an investor class ("accredited", "qualified-purchaser", "non-us-person", "professional", "institutional") or a flag mask from 1 to 65535, got 0',
      },
    ]);
  });

  it("refuses country codes outside 1–999", () => {
    const message = (v: number) =>
      `expected an ISO 3166-1 numeric country code from 1 to 999 (408: North Korea), got ${v}`;
    expect(
      issuesAfter((j) => {
        j.tranches[0].transfer.blockedCountries = [408, 1000];
        j.tranches[2].transfer.blockedCountries = [0];
      }),
    ).to.deep.equal([
      { path: "tranches[0].transfer.blockedCountries[1]", message: message(1000) },
      { path: "tranches[2].transfer.blockedCountries[0]", message: message(0) },
    ]);
    expect(() => countryBitmap([1000])).to.throw(RangeError);
  });

  it("refuses a minimum holding above the face or finer than the stablecoin", () => {
    expect(
      issuesAfter((j) => {
        j.tranches[0].transfer.minHolding = "24,000,001";
        j.tranches[1].transfer.minHolding = "0.0000001";
      }),
    ).to.deep.equal([
      {
        path: "tranches[0].transfer.minHolding",
        message: 'must not exceed the face amount ("24,000,000")',
      },
      {
        path: "tranches[1].transfer.minHolding",
        message: issuesAfter((k) => {
          k.tranches[1].minTicket = "0.0000001";
        })[0].message,
      },
    ]);
  });

  it("needs an address for the registry placeholder and refuses the zero address", () => {
    const { registry: _omitted, ...withoutRegistry } = allAddresses;
    expect(
      issuesAfter(() => {}, { now: NOW, addresses: withoutRegistry as typeof allAddresses }),
    ).to.deep.equal([
      {
        path: "registry",
        message: 'placeholder "$registry" has no address (pass options.addresses.registry)',
      },
    ]);
    expect(
      issuesAfter((j) => {
        j.registry = zeroAddress;
      }),
    ).to.deep.equal([{ path: "registry", message: "expected a non-zero address" }]);
  });
});

describe("SDK term sheets on chain: every example round-trips through DealFactory.createDeal", () => {
  let chain: Awaited<ReturnType<typeof onChain>>;
  before(async () => {
    chain = await onChain();
  });

  for (const file of EXAMPLES) {
    it(`creates ${file} and reads back the very struct it parsed`, async () => {
      const { terms, read } = await chain.create(readExample(file));
      expect(await read()).to.deep.equal(terms);
    });
  }

  it("creates a deal with an equity waterfall and reads back the very struct it parsed", async () => {
    const { terms, read } = await chain.create(withEquity() as TermSheetJson);
    expect(terms.equity.tiers).to.have.length(5);
    expect(await read()).to.deep.equal(terms);
  });
});

/** The in-process network with viem clients; `create` deploys a protocol and a deal from a term sheet. */
async function onChain() {
  const { provider } = await network.create();
  const transport = custom(provider as unknown as EIP1193Provider, { retryCount: 0 });
  const chain = defineChain({
    id: 31_337,
    name: "Hardhat in-process",
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: ["http://127.0.0.1:8545"] } },
  });
  const publicClient = createPublicClient({ chain, transport, pollingInterval: 50 });
  const accounts = ((await provider.request({ method: "eth_accounts" })) as Address[]).map((a) =>
    getAddress(a),
  );
  const [admin, issuer, servicer, trustee, guardian, ...reporters] = accounts
    .slice(0, 9)
    .map((account) =>
      createWalletClient({ account, chain, transport, pollingInterval: 50 }).extend(cascadeActions),
    );
  const read = <T>(address: Address, abi: Abi, functionName: string, args: unknown[] = []) =>
    readContract(publicClient, { address, abi, functionName, args }) as Promise<T>;

  async function create(
    json: TermSheetJson,
  ): Promise<{ terms: TermSheet; read: () => Promise<TermSheet> }> {
    const { bytecode } = await artifacts.readArtifact("MockStablecoin");
    const hash = await deployContract(admin, {
      abi: mockStablecoinAbi,
      bytecode: bytecode as Hex,
      args: ["USD Coin", "USDC", json.decimals ?? 6],
    });
    const stablecoin = (await waitForTransactionReceipt(publicClient, { hash }))
      .contractAddress as Address;
    const protocol = await admin.deployProtocol();
    const feedTerms = json.risk?.priceFeed;
    const priceFeed =
      feedTerms === undefined
        ? undefined
        : (
            await admin.deployPriceIndexFeed({
              decimals: feedTerms.decimals,
              description: "GPU rental-price index, USD per GPU-hour",
            })
          ).feed;
    // The factory refuses a feed that does not answer yet: it publishes a round first.
    if (priceFeed !== undefined) await admin.publishPriceIndex({ feed: priceFeed, answer: 1n });
    // A term sheet naming a registry gets the protocol's investor registry.
    const registry =
      json.registry === undefined
        ? undefined
        : (await admin.deployAdministration({ oracle: protocol.oracle })).investorRegistry;
    const addresses = {
      stablecoin,
      ...(registry === undefined ? {} : { registry }),
      issuer: issuer.account.address,
      servicer: servicer.account.address,
      trustee: trustee.account.address,
      guardian: guardian.account.address,
      ...Object.fromEntries(reporters.map((r, i) => [`reporter${i}`, r.account.address])),
      ...(priceFeed === undefined ? {} : { priceFeed, b200Index: priceFeed }),
    };
    // A GPU hall names its site: the campus deal, created first on the same factory and stablecoin.
    const campus =
      json.site?.deal === "$campus"
        ? (
            await issuer.createDeal({
              factory: protocol.factory,
              terms: parseTermSheet(readExample("campus-10mw.json"), {
                now: (await getBlock(publicClient)).timestamp,
                addresses,
              }).terms,
            })
          ).deal
        : undefined;
    const { terms } = parseTermSheet(json, {
      now: (await getBlock(publicClient)).timestamp,
      addresses: { ...addresses, ...(campus === undefined ? {} : { campus }) },
    });
    const created = await issuer.createDeal({ factory: protocol.factory, terms });
    const receipt = await getTransactionReceipt(publicClient, { hash: created.transactionHash });

    /** The term sheet as the chain holds it: the deal, its offerings and tokens, the oracle, the risk engine. */
    async function readBack(): Promise<TermSheet> {
      const deal = created.deal;
      const [registered] = parseEventLogs({
        abi: utilizationOracleAbi,
        eventName: "DealRegistered",
        logs: receipt.logs,
      });
      const [reporterSet] = parseEventLogs({
        abi: utilizationOracleAbi,
        eventName: "ReportersSet",
        logs: receipt.logs,
      });
      const risk = await read<Address>(deal, dealAbi, "riskEngine");
      const equity = await equitySnapshot(publicClient, { deal });
      const config = await read<{
        priceFeed: Address;
        feedDecimals: number;
        maxStaleness: number;
        trailingPeriods: number;
        cleanUpBps: number;
        turbo: boolean;
        waiverVotingPeriod: number;
        appraisalMaxAge: number;
      }>(risk, riskEngineAbi, "config");
      const fleetCount = await read<bigint>(risk, riskEngineAbi, "fleetEntryCount");
      const fleet = [];
      for (let i = 0n; i < fleetCount; i++)
        fleet.push(
          (await read<{ terms: FleetEntryTerms }>(risk, riskEngineAbi, "fleetEntry", [i])).terms,
        );
      const tranches: TrancheTerms[] = [];
      for (let i = 0; i < created.offerings.length; i++) {
        const info = await read<{
          kind: number;
          coupon: CouponTerms;
          principal: PrincipalTerms;
        }>(deal, dealAbi, "tranche", [BigInt(i)]);
        const offering = await read<{
          cap: bigint;
          minRaise: bigint;
          minTicket: bigint;
          reserveFundingBps: number;
        }>(created.offerings[i], offeringAbi, "config");
        tranches.push({
          name: await read<string>(created.tokens[i], trancheTokenAbi, "name"),
          symbol: await read<string>(created.tokens[i], trancheTokenAbi, "symbol"),
          kind: info.kind,
          faceAmount: offering.cap,
          minRaise: offering.minRaise,
          minTicket: offering.minTicket,
          reserveFundingBps: offering.reserveFundingBps,
          coupon: { ...info.coupon },
          principal: { ...info.principal },
          transfer: {
            ...(await read<TransferRules>(created.tokens[i], trancheTokenAbi, "transferRules")),
          },
        });
      }
      const offering0 = await read<{ opensAt: bigint; closesAt: bigint }>(
        created.offerings[0],
        offeringAbi,
        "config",
      );
      const guardianRole = await read<Hex>(deal, dealAbi, "GUARDIAN_ROLE");
      const oracleTerms = registered.args.terms;
      return {
        stablecoin: await read<Address>(deal, dealAbi, "stablecoin"),
        issuer: await read<Address>(deal, dealAbi, "issuer"),
        servicer: await read<Address>(deal, dealAbi, "servicer"),
        trustee: await read<Address>(deal, dealAbi, "trustee"),
        guardian: (await read<boolean>(deal, dealAbi, "hasRole", [
          guardianRole,
          guardian.account.address,
        ]))
          ? guardian.account.address
          : zeroAddress,
        registry: await read<Address>(created.tokens[0], trancheTokenAbi, "registry"),
        offeringOpensAt: offering0.opensAt,
        offeringClosesAt: offering0.closesAt,
        start: await read<bigint>(deal, dealAbi, "start"),
        periodLength: await read<number>(deal, dealAbi, "periodLength"),
        periodCount: Number(await read<bigint>(deal, dealAbi, "periodCount")),
        pledgedShareBps: Number(await read<bigint>(deal, dealAbi, "pledgedShareBps")),
        servicerFeeBps: Number(await read<bigint>(deal, dealAbi, "servicerFeeBps")),
        trusteeFeePerPeriod: await read<bigint>(deal, dealAbi, "trusteeFeePerPeriod"),
        reserveTarget: (await read<readonly [bigint, bigint]>(deal, dealAbi, "reserve"))[1],
        keeperBounty: await read<bigint>(deal, dealAbi, "keeperBounty"),
        oracle: {
          ...oracleTerms,
          reporters: [...reporterSet.args.reporters],
          threshold: Number(reporterSet.args.threshold),
        },
        risk: {
          trailingPeriods: config.trailingPeriods,
          cleanUpBps: config.cleanUpBps,
          turbo: config.turbo,
          waiverVotingPeriod: config.waiverVotingPeriod,
          priceFeed: {
            feed: config.priceFeed,
            decimals: config.feedDecimals,
            maxStaleness: config.maxStaleness,
          },
          triggers: (await read<readonly TriggerTerms[]>(risk, riskEngineAbi, "triggers")).map(
            (t) => ({ ...t }),
          ),
          fleet: fleet.map((e) => ({ ...e })),
          appraisalMaxAge: config.appraisalMaxAge,
        },
        tranches,
        // A deal with several equity classes keeps its tiers in its equity waterfall; a tenant, its site and rent.
        equity: equity?.terms ?? NO_EQUITY_WATERFALL,
        site: await siteTerms(deal),
      };
    }
    return { terms, read: readBack };
  }

  async function siteTerms(deal: Address): Promise<TermSheet["site"]> {
    const site = await issuer.siteOf({ deal });
    return site === undefined
      ? NO_SITE
      : { site: site.site, rentBps: site.rentBps, rentPerUnit: site.rentPerUnit };
  }
  return { create };
}
