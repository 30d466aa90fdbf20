/**
 * `cascade stress` end to end: on both example term sheets (tables, `--json`, `--csv`, the SVG charts; the same seed
 * gives the same report with one worker thread or two) and on a live deal of a devnet on anvil, read through the SDK
 * (`stressDeal`) after a distributed period. The live deal's state as read runs its next period in the exact model to
 * the same statement, to the wei, as the chain then distributes. Skipped when the anvil binary is not installed.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";

import { expect } from "chai";
import type { Address } from "viem";

import { chainFor } from "../../cli/lib/clients.js";
import { devnetClients } from "../../cli/lib/devnet.js";
import { DealModel, type CascadeClient } from "../../sdk/index.js";
import { stressDeal } from "../../sdk/actions/auditor/stressDeal.js";
import { periodStatements } from "../../sdk/actions/auditor/periodStatements.js";
import type { StressReport } from "../../sdk/stress/index.js";
import { addressOf, CliSession } from "./harness.js";

interface StressJson {
  report: StressReport;
  stresses: { name: string; loss: number[] }[];
  breakEvens: { name: string; decline: number | null }[];
  charts: string[];
}

describe("cascade CLI: stress a term sheet and a live deal", function () {
  // A devnet, two reported periods and a handful of `cascade stress` runs: about a minute on an idle machine.
  this.timeout(300_000);
  const s = new CliSession();

  before(async function () {
    if (!(await s.start())) this.skip();
  });

  afterEach(function () {
    if (this.currentTest?.state === "failed") console.log(s.tail(6));
  });

  after(() => s.stop());

  it("stresses both example term sheets: tables, JSON, CSV and charts; the same seed, the same figures", async () => {
    const charts = join(s.dir, "charts");
    const run = ["stress", "examples/h100-fleet.json", "--paths", "400", "--seed", "4"];
    const args = [...run, "--charts", charts];
    const [one, two, table, csv, campus] = await Promise.all([
      s.ok<StressJson>([...args, "--workers", "1"]),
      s.ok<StressJson>([...args, "--workers", "2"]),
      s.cascade([...args, "--no-charts"]),
      s.cascade([...run, "--csv", "--no-charts"]),
      s.ok<StressJson>(["stress", "examples/campus-10mw.json", "--paths", "100", "--no-charts"]),
    ]);
    expect(JSON.stringify(two.report)).to.equal(JSON.stringify(one.report));
    const r = one.report;
    expect(r).to.include({
      deal: "Cascade H100 Fleet Notes 2025-1",
      paths: 400,
      seed: 4,
      periods: 12,
      firstPeriod: 0,
    });
    expect(r.tranches.map((t) => [t.name, t.basis])).to.deep.equal([
      ["H100-A", 11_000_000e6],
      ["H100-B", 4_000_000e6],
      ["H100-C", 2_500_000e6],
    ]);
    for (const t of r.tranches) {
      expect(t.defaultProbability).to.be.within(0, 1);
      expect(t.lossHistogram.reduce((a, x) => a + x, 0) + t.none).to.equal(400);
    }
    expect(r.triggers).to.have.length(8);
    expect(one.stresses.map((x) => x.name)).to.include("price −40 %/yr");
    expect(one.breakEvens.map((b) => b.name)).to.deep.equal(["H100-A", "H100-B", "H100-C"]);
    expect(one.charts).to.have.length(3);
    for (const file of one.charts)
      expect(await readFile(file, "utf8")).to.match(/^<svg [^]*<\/svg>\n$/);

    expect(table.code, table.stderr).to.equal(0);
    expect(table.stdout).to.include("steepest price decline survived");
    expect(table.stdout).to.match(/H100-A +│ \$11,000,000 +│/);
    expect(csv.code, csv.stderr).to.equal(0);
    const rows = csv.stdout.trimEnd().split("\n");
    expect(rows[0]).to.equal("section,name,figure,value");
    expect(rows).to.include(`note,H100-C,defaultProbability,${r.tranches[2].defaultProbability}`);

    // The campus: one note, three equity classes, the term sheet's hurdles.
    expect(campus.report.tranches.map((t) => t.name)).to.deep.equal(["DC-A"]);
    expect(campus.report.equity?.classes.map((c) => c.name)).to.deep.equal([
      "DC-PE",
      "DC-LP",
      "DC-GP",
    ]);
    expect(campus.report.equity?.hurdles.map((h) => h.label)).to.include.members([
      "preferred return",
      "LP hurdle",
    ]);

    // A wrong scenario file is refused with its problems.
    const bad = join(s.dir, "bad-scenario.json");
    await (
      await import("node:fs/promises")
    ).writeFile(bad, JSON.stringify({ version: 9, name: "x" }));
    const refused = await s.cascade([
      "stress",
      "examples/h100-fleet.json",
      "--scenario",
      bad,
      "--no-charts",
    ]);
    expect(refused.code).to.equal(1);
    expect(refused.stderr).to.include("cascade: invalid scenario");
  });

  it("stresses a live deal from its next period; the state it reads runs that period as the chain does", async () => {
    const devnet = await s.ok<{ deals: { name: string; deal: Address }[] }>([
      "devnet",
      "--deals",
      "60s:4",
      "--block-time",
      "0",
    ]);
    const deal = devnet.deals[0].deal;
    const c = devnetClients(s.url, chainFor(s.url, 31_337));
    const reader = c.publicClient as unknown as CascadeClient;
    const factory = JSON.parse(await readFile(join(s.dir, "31337.json"), "utf8")).protocol
      .factory as Address;
    const report = (period: number, billed: bigint) =>
      s.signAndSubmit("devnet-60s", {
        period,
        available: 34n,
        billed,
        revenue: "60",
        meter: `meter ${period}`,
      });

    // Period 0 reported and distributed.
    await s.ok(["stablecoin", "mint", addressOf("servicer"), "1,000"], "servicer");
    await s.ok(["time", "advance", "61s"]);
    await report(0, 27n);
    await s.ok(["collections", "deposit", "devnet-60s", "--amount", "51"], "servicer");
    await s.ok(["time", "advance", "61s"]);
    await s.ok(["keeper", "run", "--once", "--deal", "devnet-60s"], "keeper");

    const live = await stressDeal(reader, { factory, deal });
    expect(live.state.nextPeriod).to.equal(1);
    const out = await s.ok<StressJson>([
      "stress",
      "devnet-60s",
      "--paths",
      "200",
      "--seed",
      "2",
      "--no-charts",
    ]);
    expect(out.report).to.include({ firstPeriod: 1, periods: 3, paths: 200 });
    expect(out.report.tranches.map((t) => t.basis)).to.deep.equal(
      live.state.tranches.slice(0, 2).map((t) => Number(t.outstanding)),
    );

    // Period 1 on chain (collections above the pledged share are carried), and in the model from the state read.
    await report(1, 25n);
    await s.ok(["collections", "deposit", "devnet-60s", "--amount", "40"], "servicer");
    await s.ok(["time", "advance", "61s"]);
    await s.ok(["keeper", "run", "--once", "--deal", "devnet-60s"], "keeper");
    const records = await periodStatements(reader, { deal });
    const chain = records[1].statement;
    const revenue = 60_000_000n;
    const model = DealModel.distribute(
      live.state,
      live.terms,
      { gpuHoursAvailable: 34n, gpuHoursBilled: 25n, revenue },
      40_000_000n,
      { keeper: chain.keeper, equityToken: chain.residualRecipient },
    );
    expect(model.statement).to.deep.equal(chain);
    expect(chain.cashIn).to.be.greaterThan(0n);
    expect(chain.collectionsCarried).to.be.greaterThan(0n);
  });
});
