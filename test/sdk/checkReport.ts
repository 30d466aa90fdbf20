/**
 * `checkReport` (and `signReport({ check: true })`) refuse before signing what the oracle's `submitReport` would
 * refuse, each with its exact sentence; here the refusals the CLI end-to-end test (test/e2e/cli-ops.ts) does not
 * reach: a struct bound to another chain, oracle, reporter set or round, a period beyond the deal's, a final report,
 * a round voided by a dispute and an unreported period. On the in-process network with viem clients.
 */
import { expect } from "chai";
import { artifacts } from "hardhat";
import { getAddress, keccak256, toHex, type Address, type Hex } from "viem";
import { deployContract, getBlock, readContract, waitForTransactionReceipt } from "viem/actions";

import { shortDealJson } from "../../cli/lib/devnet.js";
import {
  CapacityUnit,
  hashReport,
  mockStablecoinAbi,
  parseTermSheet,
  ReportRefusedError,
  utilizationOracleAbi,
  type ReportContent,
  type UtilizationReport,
} from "../../sdk/index.js";
import { viemNetwork } from "../helpers/viem-network.js";

const { networkHelpers, publicClient, accounts, wallet } = await viemNetwork();
const [admin, issuer, servicer, trustee, guardian, r0, r1, r2, investor] = accounts
  .slice(0, 9)
  .map(wallet);

async function refusal(p: Promise<unknown>): Promise<ReportRefusedError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e, "refused").to.be.instanceOf(ReportRefusedError);
  return e as ReportRefusedError;
}

describe("SDK: checkReport refuses before signing what the oracle would refuse", function () {
  let deal: Address;
  let oracle: Address;
  let start: bigint;
  const content = (period: bigint, billed = 27n): ReportContent => ({
    deal,
    period,
    gpuHoursAvailable: 34n,
    gpuHoursBilled: billed,
    revenue: billed * 2_500_000n,
    reportHash: keccak256(toHex(`period ${period}`)),
  });
  const check = (report: UtilizationReport, signer = r0.account.address) =>
    r0.checkReport({ report, signer });
  const submit = async (period: bigint) => {
    const sigs = await Promise.all([r0, r1].map((r) => r.signReport({ report: content(period) })));
    return servicer.submitReport({ report: sigs[0].report, signatures: sigs });
  };

  before(async () => {
    const { bytecode } = await artifacts.readArtifact("MockStablecoin");
    const hash = await deployContract(admin, {
      abi: mockStablecoinAbi,
      bytecode: bytecode as Hex,
      args: ["USD Coin", "USDC", 6],
    });
    const stablecoin = (await waitForTransactionReceipt(publicClient, { hash }))
      .contractAddress as Address;
    const protocol = await admin.deployProtocol();
    const now = (await getBlock(publicClient)).timestamp;
    const { terms } = parseTermSheet(
      shortDealJson({ name: "Check", periodLength: 60, periodCount: 3, reportDeadline: 300 }),
      {
        now,
        addresses: {
          stablecoin,
          issuer: issuer.account.address,
          servicer: servicer.account.address,
          trustee: trustee.account.address,
          guardian: guardian.account.address,
          reporter0: r0.account.address,
          reporter1: r1.account.address,
          reporter2: r2.account.address,
        },
      },
    );
    const created = await issuer.createDeal({ factory: protocol.factory, terms });
    deal = created.deal;
    oracle = getAddress(protocol.oracle);
    start = terms.start;
    await networkHelpers.time.increaseTo(terms.offeringOpensAt);
    await admin.writeContract({
      address: stablecoin,
      abi: mockStablecoinAbi,
      functionName: "mint",
      args: [investor.account.address, 10_000n * 10n ** 6n],
    });
    await investor.subscribe({ offering: created.offerings[0], assets: 10n ** 6n });
    await networkHelpers.time.increaseTo(terms.offeringClosesAt);
    for (const offering of created.offerings) await investor.closeOffering({ offering });
    // Period 0 has ended.
    await networkHelpers.time.increaseTo(start + 61n);
  });

  it("a struct bound to another chain, oracle, reporter set or round, or a period beyond the deal's", async () => {
    const report = await r0.prepareReport({ report: content(0n) });
    expect(report.round).to.equal(0);
    const refused = await Promise.all([
      refusal(check({ ...report, chainId: 1n })),
      refusal(check({ ...report, oracle: deal })),
      refusal(check({ ...report, reporterSet: report.reporterSet + 1n })),
      refusal(check({ ...report, round: 1 })),
      refusal(check({ ...report, period: 3n })),
    ]);
    expect(refused.map((e) => e.message)).to.deep.equal([
      "ReportWrongChain: the report names chain 1; the node is chain 31337",
      `ReportStaleDomain: the report names oracle ${deal}; deal ${deal}'s oracle is ${oracle}`,
      `ReportStaleReporterSet: the report names reporter set ${report.reporterSet + 1n}; deal ${deal}'s current ` +
        `set is ${report.reporterSet}`,
      "ReportRoundNotOpen: the report names round 1; round 0 of period 0 is the open one",
      `ReportPeriodOutOfRange: deal ${deal} has 3 periods (0 – 2); period 3 is not one of them`,
    ]);
    expect(refused.map((e) => e.errorName)).to.deep.equal([
      "ReportWrongChain",
      "ReportStaleDomain",
      "ReportStaleReporterSet",
      "ReportRoundNotOpen",
      "ReportPeriodOutOfRange",
    ]);
    // What passes returns what it read; signReport without `check` signs anything, with it refuses first.
    const ok = await check(report);
    expect([ok.endsAt, ok.utilization, ok.step, ok.needsAllReporters]).to.deep.equal([
      start + 60n,
      794_117_647_058_823_529n,
      0n,
      false,
    ]);
    const unchecked = await r2.signReport({ report: { ...content(0n), period: 3n } });
    expect(unchecked.signature).to.match(/^0x[0-9a-f]{130}$/);
    const checked = await refusal(
      r2.signReport({ report: { ...content(0n), period: 3n }, check: true }),
    );
    expect(checked.errorName).to.equal("ReportPeriodOutOfRange");
  });

  it("a final report, a round voided by a dispute, an unreported period", async () => {
    await networkHelpers.time.increaseTo(start + 121n); // periods 0 and 1 have ended
    await submit(0n);
    await submit(1n);
    await r2.disputeReport({ deal, period: 1n, reason: "double count" });
    // Period 0's dispute window passes: its report is final.
    await networkHelpers.time.increaseTo(start + 121n + 31n);
    const final = await refusal(check(await r0.prepareReport({ report: content(0n) })));
    expect(final.message).to.equal(
      `ReportAlreadyProposed: period 0 of deal ${deal} has a final report already (round 0); it takes no other`,
    );
    const replayed = await refusal(
      check(await r0.prepareReport({ report: { ...content(1n), round: 0 } })),
    );
    expect(replayed.message).to.equal(
      "ReportReplayed: round 0 of period 1 was voided by a dispute; round 1 is open",
    );
    // Period 2 ends at start + 180; with no report by its deadline (300 s later) anyone marks it unreported.
    await networkHelpers.time.increaseTo(start + 180n + 300n);
    await admin.markUnreported({ deal, period: 2n });
    const unreported = await refusal(check(await r0.prepareReport({ report: content(2n) })));
    expect(unreported.message).to.equal(
      `ReportPeriodUnreported: period 2 of deal ${deal} was marked unreported; it takes no report`,
    );
  });
});

describe("SDK: a data-center deal's reports (kWh of IT load, energy, PUE, appraisal)", function () {
  let deal: Address;
  let oracle: Address;
  let start: bigint;
  /** 36 MW of IT capacity: 600 kWh in a 60-second period; at most 0.50 a billed kWh. */
  const content = (facility: Partial<ReportContent> = {}): ReportContent => ({
    deal,
    period: 0n,
    gpuHoursAvailable: 500n,
    gpuHoursBilled: 400n,
    revenue: 150n * 10n ** 6n,
    energyKwh: 540n,
    pue: 13_500,
    appraisal: 0n,
    reportHash: keccak256(toHex("site period 0")),
    ...facility,
  });
  const check = async (facility: Partial<ReportContent>) =>
    refusal(
      r0.checkReport({
        report: await r0.prepareReport({ report: content(facility) }),
        signer: r0.account.address,
      }),
    );

  before(async () => {
    const { bytecode } = await artifacts.readArtifact("MockStablecoin");
    const hash = await deployContract(admin, {
      abi: mockStablecoinAbi,
      bytecode: bytecode as Hex,
      args: ["USD Coin", "USDC", 6],
    });
    const stablecoin = (await waitForTransactionReceipt(publicClient, { hash }))
      .contractAddress as Address;
    const protocol = await admin.deployProtocol();
    const now = (await getBlock(publicClient)).timestamp;
    const json = shortDealJson({
      name: "Site",
      periodLength: 60,
      periodCount: 3,
      reportDeadline: 300,
    });
    const { fleetGpus: _gpus, maxPricePerGpuHour: _price, ...oracleJson } = json.oracle;
    const { terms } = parseTermSheet(
      {
        ...json,
        oracle: { ...oracleJson, unit: "kWh", capacityKw: 36_000, maxPricePerKwh: "0.50" },
      },
      {
        now,
        addresses: {
          stablecoin,
          issuer: issuer.account.address,
          servicer: servicer.account.address,
          trustee: trustee.account.address,
          guardian: guardian.account.address,
          reporter0: r0.account.address,
          reporter1: r1.account.address,
          reporter2: r2.account.address,
        },
      },
    );
    expect([
      terms.oracle.unit,
      terms.oracle.fleetGpus,
      terms.oracle.maxPricePerGpuHour,
    ]).to.deep.equal([CapacityUnit.KilowattHours, 36_000, 500_000n]);
    const created = await issuer.createDeal({ factory: protocol.factory, terms });
    deal = created.deal;
    oracle = getAddress(protocol.oracle);
    start = terms.start;
    await networkHelpers.time.increaseTo(start + 61n);
  });

  it("refuses what a kWh deal's bounds refuse, each with its sentence", async () => {
    const refused = await Promise.all([
      check({ energyKwh: 0n, pue: 0 }),
      check({ pue: 0 }),
      check({ energyKwh: 0n }),
      check({ pue: 30_001 }),
      check({ energyKwh: 811n }),
      check({ gpuHoursAvailable: 601n }),
      check({ revenue: 200n * 10n ** 6n + 1n }),
    ]);
    expect(refused.map((e) => e.message)).to.deep.equal([
      `EnergyNotReported: deal ${deal} is a data-center deal: a report that bills capacity (400 kWh) states the ` +
        "energy drawn and the PUE",
      "EnergyPueMismatch: the report states 0.54 MWh drawn without a PUE; state both or neither",
      "EnergyPueMismatch: the report states a PUE of 1.35 without the energy drawn; state both or neither",
      "PueOutOfRange: a PUE of 3.0001 is outside 1.00 – 3.00",
      "ItEnergyExceedsCapacity: IT energy 0.601 MWh (0.811 MWh at a PUE of 1.35) > 0.6 MWh, the site's 36000 kW " +
        "of IT capacity over the period's 1 min",
      "AvailableExceedsFleet: 601 kWh available > 600, the site's 36000 kW of IT capacity over the period's 1 min",
      "RevenueExceedsBound: revenue 200.000001 USDC > 200.00 USDC: 400 kWh billed × the maximum 0.50 USDC per kWh",
    ]);
  });

  it("signs energy, PUE and an appraisal: the SDK's digest is the oracle's, and the oracle takes the report", async () => {
    const report = content({ energyKwh: 810n, appraisal: 25_000n * 10n ** 6n });
    const sigs = await Promise.all([r0, r1].map((r) => r.signReport({ report, check: true })));
    const signed = sigs[0].report;
    expect([signed.energyKwh, signed.pue, signed.appraisal]).to.deep.equal([
      810n,
      13_500,
      25_000n * 10n ** 6n,
    ]);
    expect(
      await readContract(publicClient, {
        address: oracle,
        abi: utilizationOracleAbi,
        functionName: "hashReport",
        args: [signed],
      }),
    ).to.equal(hashReport(signed));
    await servicer.submitReport({ report: signed, signatures: sigs });
    const status = await r0.reportStatus({ deal, period: 0n });
    expect([status.energyKwh, status.pue, status.appraisal]).to.deep.equal([
      810n,
      13_500,
      25_000n * 10n ** 6n,
    ]);
  });
});
