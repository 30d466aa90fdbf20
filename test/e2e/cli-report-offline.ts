/**
 * `cascade report sign` offline (`--chain-id`: no node is asked) for a data-center deal: capacity in kWh, the energy
 * drawn in MWh, the PUE and an appraisal in human units become the report's kWh, PUE × 10 000 and stablecoin base
 * units; the file's digest is the SDK's EIP-712 digest and recovers to the signer. Bad human units are refused with
 * their exact line (usage errors, exit code 2).
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";

import {
  hashReport,
  recoverReportSigner,
  reportFromJson,
  type ReportSignatureJson,
} from "../../sdk/index.js";
import { addressOf, CliSession } from "./harness.js";

const DEAL = "0x00000000000000000000000000000000000000d1";
const ORACLE = "0x00000000000000000000000000000000000000a1";
const HASH = `0x${"cd".repeat(32)}`;

describe("cascade report sign: a data-center report, offline", function () {
  this.timeout(60_000);
  // No anvil: offline signing reads nothing from a node (the URL is never used).
  const session = new CliSession();

  before(async () => {
    session.dir = await mkdtemp(join(tmpdir(), "cascade-cli-offline-"));
    session.url = "http://127.0.0.1:9";
  });

  after(async () => rm(session.dir, { recursive: true, force: true }));

  const offline = [
    "report",
    "sign",
    DEAL,
    "--chain-id",
    "31337",
    "--oracle",
    ORACLE,
    "--round",
    "0",
    "--reporter-set",
    "4",
    "--decimals",
    "6",
    "--period",
    "2",
    "--report-hash",
    HASH,
  ];

  it("signs kWh, MWh, PUE and an appraisal in human units; the digest is the SDK's", async () => {
    const out = join(session.dir, "site-2.json");
    await session.ok(
      [
        ...offline,
        "--kwh-available",
        "7000000",
        "--kwh-billed",
        "5040000",
        "--revenue",
        "1,512,000.50",
        "--energy-mwh",
        "6804.125",
        "--pue",
        "1.35",
        "--appraisal",
        "40,000,000",
        "--out",
        out,
      ],
      "reporter0",
    );
    const sig = JSON.parse(await readFile(out, "utf8")) as ReportSignatureJson;
    expect(sig.report).to.deep.include({
      gpuHoursAvailable: "7000000",
      gpuHoursBilled: "5040000",
      revenue: "1512000500000",
      energyKwh: "6804125",
      pue: 13_500,
      appraisal: "40000000000000",
    });
    const report = reportFromJson(sig.report);
    expect(sig.digest).to.equal(hashReport(report));
    expect(await recoverReportSigner(report, sig.signature as `0x${string}`)).to.equal(
      addressOf("reporter0"),
    );
    // The facility figures are signed: another PUE is another digest.
    expect(hashReport({ ...report, pue: 13_501 })).to.not.equal(sig.digest);
  });

  it("a GPU report states no facility figures unless given: they sign as zero", async () => {
    const sig = await session.ok<ReportSignatureJson>(
      [
        ...offline,
        "--gpu-hours-available",
        "1000",
        "--gpu-hours-billed",
        "700",
        "--revenue",
        "1400",
      ],
      "reporter1",
    );
    expect(sig.report).to.deep.include({ energyKwh: "0", pue: 0, appraisal: "0" });
    expect(sig.digest).to.equal(hashReport(reportFromJson(sig.report)));
  });

  it("refuses a PUE out of range, energy finer than a kWh and both capacity units", async () => {
    const kwh = ["--kwh-available", "100", "--kwh-billed", "50", "--revenue", "10"];
    const [high, low, fine, both] = await Promise.all([
      session.fails([...offline, ...kwh, "--energy-mwh", "1", "--pue", "3.01"], "reporter0", 2),
      session.fails([...offline, ...kwh, "--energy-mwh", "1", "--pue", "0.99"], "reporter0", 2),
      session.fails([...offline, ...kwh, "--energy-mwh", "1.0005", "--pue", "1.2"], "reporter0", 2),
      session.fails([...offline, ...kwh, "--gpu-hours-available", "100"], "reporter0", 2),
    ]);
    expect(high).to.equal(
      'cascade: --pue "3.01" is above 3.00, the highest PUE a report may state',
    );
    expect(low).to.equal(
      'cascade: --pue "0.99" is below 1.0: facility energy cannot be less than IT energy',
    );
    expect(fine).to.equal('cascade: --energy-mwh "1.0005" has more than 3 decimal places');
    expect(both).to.equal("cascade: give --gpu-hours-available or --kwh-available, not both");
  });
});
